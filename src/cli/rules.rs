//! `clawdoc rules …`: the rule set as a user-facing object: list (with each
//! rule's origin), show, test (every rule's examples, Missing / Noisy /
//! Capture), lint (file:line:col + hint), eval (scored on labelled pastes,
//! `rules_eval.rs`), patterns (for `rg -f`), new
//! (scaffold from a paste), facts (the probe fact catalogue conditions use).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use owo_colors::{OwoColorize, Stream};

use super::tr::{self, msg, s, t};
use super::{load_rules, Ctx, Exit};
use clawdoc::engine::Engine;
use clawdoc::normalize;
use clawdoc::report::{self, Versioned};
use clawdoc::ruleset::{self, Origin, RuleError, RuleSet};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// List every rule with its category, severity and origin.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one rule: meaning, causes, patterns, probes, fixes, examples.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Run every rule's examples: Missing (should match, did not), Noisy (matched, should not).
    Test {
        #[arg(long)]
        json: bool,
    },
    /// Check every rule file and report problems with file:line:col.
    Lint {
        #[arg(long)]
        json: bool,
    },
    /// Score the rules on labelled pastes: top-1, false positives, per category, the misses.
    Eval(super::rules_eval::Args),
    /// Print every pattern, one per line (usable as `rg -f`; capture names dropped).
    Patterns,
    /// List the probe facts rule conditions may name.
    Facts,
    /// Scaffold a rule file, e.g. from a message no rule knows.
    New {
        /// The new rule's id (file stem: lowercase, digits, dashes).
        id: String,
        /// Use this text (or stdin when no TEXT) as the first example and pattern.
        #[arg(long)]
        from_paste: bool,
        /// Directory to write to (default: --rules-dir, else $XDG_CONFIG_HOME/clawdoc/rules).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The pasted text (stdin when absent).
        text: Vec<String>,
    },
}

fn load_quiet(ctx: &Ctx) -> RuleSet {
    ruleset::load_from(&ruleset::user_dirs(ctx.rules_dir.as_deref()))
}

pub(crate) fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<Exit> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::List { json } => {
            let set = load_rules(ctx);
            if json {
                let doc = Versioned::new(report::RuleList::new(&set.rules)).in_lang(ctx.lang);
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            } else {
                let w = set.rules.iter().map(|r| r.id.len()).max().unwrap_or(2);
                for r in &set.rules {
                    writeln!(
                        out,
                        "{:<w$}  {:<18} {:<8} {:<9} {}",
                        r.id,
                        r.category.as_str(),
                        r.severity.as_str(),
                        r.origin,
                        r.title
                    )?;
                }
            }
            Ok(Exit::Ok)
        }
        Command::Show { id, json } => show(&mut out, ctx, &id, json),
        Command::Test { json } => test(&mut out, ctx, json),
        Command::Lint { json } => lint(&mut out, ctx, json),
        Command::Eval(args) => super::rules_eval::run(args, ctx),
        Command::Patterns => {
            let set = load_rules(ctx);
            for r in &set.rules {
                for p in &r.patterns {
                    // Capture names are dropped: grep tools join the lines
                    // into one regex, where a repeated name is an error.
                    writeln!(
                        out,
                        "(?i){}",
                        clawdoc::engine::strip_capture_names(&p.source)
                    )?;
                }
            }
            Ok(Exit::Ok)
        }
        Command::Facts => {
            for (name, ty) in clawdoc::vocab::FACTS {
                writeln!(out, "{name:<32} {ty}")?;
            }
            Ok(Exit::Ok)
        }
        Command::New {
            id,
            from_paste,
            dir,
            text,
        } => new(&mut out, ctx, &id, from_paste, dir, &text),
    }
}

fn show(out: &mut impl Write, ctx: &Ctx, id: &str, as_json: bool) -> anyhow::Result<Exit> {
    let set = load_rules(ctx);
    let Some(rule) = set.get(id) else {
        let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
        let hint = clawdoc::text::did_you_mean(id, &ids)
            .map(|s| msg("rules-did-you-mean", &[("id", tr::s(s))]))
            .unwrap_or_default();
        anyhow::bail!(msg(
            "rules-no-such",
            &[("id", tr::s(id)), ("hint", tr::s(hint))]
        ));
    };
    if as_json {
        let doc = Versioned::new(report::RuleShow::new(rule)).in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(Exit::Ok);
    }
    writeln!(
        out,
        "{}  ({})",
        rule.title
            .if_supports_color(Stream::Stdout, |t| t.bold().to_string()),
        rule.id
    )?;
    let args = [
        ("category", tr::s(rule.category)),
        ("severity", tr::s(rule.severity)),
        ("role", tr::s(rule.role.as_str())),
        ("origin", tr::s(&rule.origin)),
    ];
    writeln!(out, "  {}", msg("rules-show-line", &args))?;
    writeln!(out)?;
    super::lookup::render_rule_body(out, rule, &BTreeMap::new())?;
    writeln!(out, "{}", t("rules-show-patterns"))?;
    for p in &rule.patterns {
        writeln!(out, "  {}", p.source)?;
    }
    let blocks = |name: &str,
                  blocks: &[ruleset::ConditionBlock],
                  out: &mut dyn Write|
     -> std::io::Result<()> {
        for b in blocks {
            let conds: Vec<String> = b.when.iter().map(|c| c.to_string()).collect();
            let when = conds.join(&t("rules-show-and"));
            let args = [("side", tr::s(t(name))), ("conditions", tr::s(when))];
            writeln!(out, "  {}", msg("rules-show-when", &args))?;
        }
        Ok(())
    };
    if !rule.confirm.is_empty() || !rule.refute.is_empty() {
        let heading = if rule.standalone {
            "rules-show-conditions-standalone"
        } else {
            "rules-show-conditions"
        };
        writeln!(out, "{}", t(heading))?;
        blocks("rules-show-confirmed", &rule.confirm, out)?;
        blocks("rules-show-refuted", &rule.refute, out)?;
    }
    writeln!(out, "{}", t("rules-show-examples"))?;
    let (yes, no) = (t("rules-show-match"), t("rules-show-no-match"));
    let width = UnicodeWidthStr::width(yes.as_str()).max(UnicodeWidthStr::width(no.as_str()));
    for e in &rule.examples {
        let label = if e.matches { &yes } else { &no };
        writeln!(out, "  {} {}", super::render::pad(label, width), e.text)?;
    }
    Ok(Exit::Ok)
}

/// One failed example.
struct Failure {
    rule: String,
    kind: &'static str,
    text: String,
    detail: String,
}

fn test(out: &mut impl Write, ctx: &Ctx, as_json: bool) -> anyhow::Result<Exit> {
    let set = load_quiet(ctx);
    let engine = Engine::new(&set.rules)?;
    let mut failures = Vec::new();
    let mut count = 0;
    for (index, rule) in set.rules.iter().enumerate() {
        for ex in &rule.examples {
            count += 1;
            let matches = engine.lookup(ex.text.as_bytes());
            let hit = matches
                .iter()
                .find(|m| std::ptr::eq(m.rule, &set.rules[index]));
            match (ex.matches, hit) {
                (true, None) => failures.push(Failure {
                    rule: rule.id.clone(),
                    kind: "Missing",
                    text: ex.text.clone(),
                    detail: "should match, did not".into(),
                }),
                (false, Some(_)) => failures.push(Failure {
                    rule: rule.id.clone(),
                    kind: "Noisy",
                    text: ex.text.clone(),
                    detail: "matched, should not".into(),
                }),
                (true, Some(m)) => {
                    for (k, want) in &ex.captures {
                        if m.captures.get(k) != Some(want) {
                            failures.push(Failure {
                                rule: rule.id.clone(),
                                kind: "Capture",
                                text: ex.text.clone(),
                                detail: format!(
                                    "capture `{k}`: expected {want:?}, got {:?}",
                                    m.captures.get(k)
                                ),
                            });
                        }
                    }
                }
                (false, None) => {}
            }
        }
    }
    if as_json {
        let doc = Versioned::new(report::RulesTest {
            rules: set.rules.len(),
            examples: count,
            failures: failures
                .iter()
                .map(|f| report::ExampleFailure {
                    rule_id: f.rule.clone(),
                    kind: f.kind,
                    text: f.text.clone(),
                    detail: f.detail.clone(),
                })
                .collect(),
            errors: set.errors.iter().map(|e| e.to_string()).collect(),
        })
        .in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for f in &failures {
            writeln!(out, "{:<8} {}: {:?} ({})", f.kind, f.rule, f.text, f.detail)?;
        }
        for e in &set.errors {
            writeln!(out, "error    {e}")?;
        }
        let args = [
            ("rules", tr::s(set.rules.len())),
            ("examples", tr::s(count)),
            ("failed", tr::s(failures.len())),
        ];
        let mut line = msg("rules-test-summary", &args);
        if !set.errors.is_empty() {
            line.push_str(&msg(
                "rules-test-not-loaded",
                &[("count", tr::s(set.errors.len()))],
            ));
        }
        writeln!(out, "{line}")?;
    }
    Ok(if !set.errors.is_empty() {
        Exit::Error
    } else if failures.is_empty() {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

fn lint(out: &mut impl Write, ctx: &Ctx, as_json: bool) -> anyhow::Result<Exit> {
    let set = load_quiet(ctx);
    // A text without its zh-TW is a lint problem (the rule still loads and
    // shows English); so is the flowchart's, and a chart that does not load.
    let mut untranslated: Vec<RuleError> = set
        .rules
        .iter()
        .flat_map(|r| r.untranslated.iter().cloned())
        .collect();
    let mut errors = set.errors.clone();
    // Rules that each compile may still not compile together.
    errors.extend(
        Engine::new(&set.rules)?
            .scanner()?
            .dropped()
            .iter()
            .cloned(),
    );
    errors.extend(outranked_examples(&set)?);
    let dirs = ruleset::user_dirs(ctx.rules_dir.as_deref());
    match clawdoc::flow::Flowchart::load(&dirs, &set) {
        Ok(chart) => untranslated.extend(chart.untranslated),
        Err(errs) => errors.extend(errs),
    }
    if as_json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(
                &Versioned::new(report::RulesLint {
                    rules: set.rules.len(),
                    errors: errors.clone(),
                    untranslated: untranslated.clone(),
                })
                .in_lang(ctx.lang)
            )?
        )?;
    } else {
        for e in &errors {
            writeln!(
                out,
                "{} {e}",
                "error:".if_supports_color(Stream::Stdout, |t| t.red().to_string())
            )?;
        }
        for e in &untranslated {
            writeln!(
                out,
                "{} {e}",
                "untranslated:".if_supports_color(Stream::Stdout, |t| t.yellow().to_string())
            )?;
        }
        writeln!(
            out,
            "{}",
            super::tr::msg(
                "lint-summary",
                &[
                    ("rules", super::tr::s(set.rules.len())),
                    ("problems", super::tr::s(errors.len())),
                    ("untranslated", super::tr::s(untranslated.len())),
                ]
            )
        )?;
    }
    Ok(if errors.is_empty() && untranslated.is_empty() {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

/// A rule's own positive example must rank that rule first (the one
/// ranking, `ruleset::rank`): otherwise a user pasting exactly that text is
/// sent to another rule.
fn outranked_examples(set: &ruleset::RuleSet) -> anyhow::Result<Vec<ruleset::RuleError>> {
    let engine = Engine::new(&set.rules)?;
    let mut errors = Vec::new();
    for rule in &set.rules {
        for ex in rule.examples.iter().filter(|e| e.matches) {
            let matches = engine.lookup(ex.text.as_bytes());
            let Some(top) = matches.first() else {
                continue; // `rules test` reports a positive example that misses.
            };
            if top.rule.id != rule.id {
                errors.push(ruleset::RuleError {
                    path: format!("rule {}", rule.id),
                    pos: None,
                    message: format!(
                        "its example {:?} ranks rule `{}` first",
                        ex.text, top.rule.id
                    ),
                    hint: Some(
                        "raise this rule's `priority`, make its pattern match more of the text, \
                         or narrow the other rule (see rules/README.md, Ranking)"
                            .into(),
                    ),
                });
            }
        }
    }
    Ok(errors)
}

fn new(
    out: &mut impl Write,
    ctx: &Ctx,
    id: &str,
    from_paste: bool,
    dir: Option<PathBuf>,
    text: &[String],
) -> anyhow::Result<Exit> {
    let dir = dir
        .or_else(|| ctx.rules_dir.clone())
        .or_else(|| ruleset::user_dirs(None).into_iter().map(|(d, _)| d).next())
        .with_context(|| t("rules-new-no-dir"))?;
    let paste = if !from_paste {
        String::new()
    } else if text.is_empty() {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .take(1 << 20)
            .read_to_end(&mut buf)
            .with_context(|| t("err-reading-stdin"))?;
        String::from_utf8_lossy(&buf).into_owned()
    } else {
        text.join(" ")
    };
    let first = normalize::text(paste.as_bytes())
        .into_iter()
        .map(|l| l.trim().to_string())
        .find(|l| !l.is_empty());
    if from_paste && first.is_none() {
        anyhow::bail!(t("rules-new-empty-paste"));
    }
    let set = load_quiet(ctx);
    let engine = Engine::new(&set.rules)?;
    let closest = first
        .as_deref()
        .and_then(|f| engine.closest(f, 1).into_iter().next())
        .map(|(r, _)| r);
    let category = closest.map_or("not_connected", |r| r.category.as_str());
    let section = closest.map_or("nothing-works", |r| r.section);
    let example = first
        .clone()
        .unwrap_or_else(|| "the message this rule explains".into());
    let pattern = first.as_deref().map_or_else(
        || "the message this rule explains".to_string(),
        pattern_from_paste,
    );
    let body = format!(
        r#"# Scaffolded by `clawdoc rules new`. Edit the title, meaning, category and
# fixes; then check it with `clawdoc rules lint` and `clawdoc rules test`.
# Each text has its zh-TW (Traditional Chinese, Taiwan) on the next line;
# zh-CN is derived from it. `rules lint` fails while one is empty.
title = {title}
title_zh_tw = ""
category = "{category}"   # guessed from the closest rule; one of: {categories}
severity = "error"
section = "{section}"
meaning = "Describe what this message means and why it happens."
meaning_zh_tw = ""
causes = []
causes_zh_tw = []
patterns = [{pattern}]
probes = []

[[fix]]
action = "advice"
applicability = "display-only"
title = "What to do"
title_zh_tw = ""
commands = ["clawdoc doctor"]

[[example]]
text = {example}

[[example]]
text = "[gateway] listening on :3001"
matches = false
"#,
        title = toml_string(&clawdoc::engine::clip(&example, 80)),
        categories = clawdoc::vocab::Category::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        pattern = toml_literal(&pattern),
        example = toml_string(&example),
    );
    // Validate before writing: a scaffold that does not load helps nobody.
    let display = dir.join(format!("{id}.toml"));
    if let Err(errors) = ruleset::compile::compile(
        id,
        &display.display().to_string(),
        Origin::User(display.clone()),
        &body,
    ) {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow::bail!(msg(
            "rules-new-invalid",
            &[("id", s(id)), ("errors", s(list.join("\n")))]
        ));
    }
    if display.exists() {
        anyhow::bail!(msg("rules-new-exists", &[("path", s(display.display()))]));
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| msg("err-creating", &[("path", s(dir.display()))]))?;
    std::fs::write(&display, body)
        .with_context(|| msg("err-writing", &[("path", s(display.display()))]))?;
    writeln!(
        out,
        "{}",
        msg("rules-new-wrote", &[("path", s(display.display()))])
    )?;
    writeln!(
        out,
        "{}",
        msg("rules-new-next", &[("dir", s(dir.display()))])
    )?;
    Ok(Exit::Ok)
}

/// A regex for the pasted line: literal text, with the masked parts
/// (numbers, ports, pids, paths, ids) made variable.
fn pattern_from_paste(line: &str) -> String {
    let masked = normalize::mask(line);
    let masked = masked.trim_start_matches("<time>").trim();
    let mut out = String::new();
    let mut rest = masked;
    let holes = [
        ("<port>", r"(?P<port>\d+)"),
        ("<pid>", r"(?P<pid>\d+)"),
        ("<n>", r"\d+(?:\.\d+)*"),
        ("<path>", r"\S+"),
        ("<hex>", r"[0-9a-f]+"),
        ("<uuid>", r"[0-9a-f-]+"),
        ("<time>", r"\S+"),
    ];
    let mut used = std::collections::BTreeSet::new();
    'outer: while !rest.is_empty() {
        for (hole, re) in holes {
            if let Some(after) = rest.strip_prefix(hole) {
                // A named group may appear once per pattern.
                if re.contains("?P<") && !used.insert(hole) {
                    out.push_str(r"\d+");
                } else {
                    out.push_str(re);
                }
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("rest is not empty");
        out.push_str(&regex::escape(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML literal string (no backslash doubling in regexes) when the text
/// allows one: literal strings cannot hold `'` or control characters.
fn toml_literal(s: &str) -> String {
    if !s.contains('\'') && !s.chars().any(|c| c.is_control() && c != '\t') {
        format!("'{s}'")
    } else {
        toml_string(s)
    }
}
