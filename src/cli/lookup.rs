//! `clawdoc lookup`: paste an error, get the cause and the fix.
//!
//! Renders what [`clawdoc::engine::Engine::lookup`] returns: the top cause in
//! full (meaning, likely causes, fixes with their exact commands, flowchart
//! section), then the other candidates; or, when nothing matched, the input
//! as a masked template, the closest rules and how to teach clawdoc the
//! message. `--probe` runs the matched rules' probes and marks each
//! candidate confirmed, refuted or inconclusive on this machine.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use owo_colors::{OwoColorize, Stream};

use super::render::{pad, tier_name};
use super::tr::{msg, s, t};
use super::{Ctx, Exit};
use anyhow::Context;
use clawdoc::engine::paraphrase::{Guess, Index};
use clawdoc::engine::{Engine, Match};
use clawdoc::finding::{explain, Explained, Verdict};
use clawdoc::normalize;
use clawdoc::report::{self, Versioned};
use clawdoc::ruleset::{Role, Rule};
use clawdoc::vocab::{Applicability, ProbeName};

/// Stdin beyond this is not read (use `clawdoc scan` for whole logs).
pub(crate) const MAX_INPUT: u64 = 64 << 20;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The error text; read from stdin when absent. Any bytes (invalid
    /// UTF-8 is read lossily, like stdin).
    pub text: Vec<std::ffi::OsString>,
    /// Print the matches as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also run the matched rules' probes to confirm or refute them on this
    /// machine (read-only).
    #[arg(long, conflicts_with = "batch")]
    pub probe: bool,
    /// Many pastes in one run: stdin is JSON lines, each a JSON string (one
    /// paste, `\n` for its line breaks); prints one `--json` document per
    /// input line, in order. Exit 1 when any paste shows a problem.
    #[arg(long, conflicts_with = "text")]
    pub batch: bool,
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let input = read_input(&args.text)?;
    // Fixes in the words of the gateway the user runs (`--target`, or what
    // `auto` sees without scanning processes): `openclaw …` for OpenClaw.
    let target = ctx.text_target();
    if args.batch {
        let set = super::load_rules(ctx).on_target(target.kind());
        return batch(&Engine::new(&set.rules)?, &set.rules, &input, ctx);
    }
    // Only the built-in rules that can match the input are parsed (the
    // others cannot change the answer); when none matched, the guesses and
    // the closest rules need them all: as outlines (what is shown of them;
    // they score the build's examples by id), or parsed when user rules
    // are loaded.
    let keep = clawdoc::engine::builtin_rules_for(&input);
    let set = super::load_rules_quietly(ctx, &keep).on_target(target.kind());
    super::warn_skipped(&set.errors);
    let engine = Engine::new(&set.rules)?;
    let all = engine.lookup(&input);
    if !all.is_empty() {
        return answer(&args, ctx, &target, &set, &engine, all, &input);
    }
    drop((all, engine));
    let rest = |id: &str| !keep(id);
    let user = (set.rules.iter()).any(|r| r.origin != clawdoc::ruleset::Origin::Builtin);
    let rest = if user {
        clawdoc::ruleset::load_from_only(&[], &rest)
    } else {
        clawdoc::ruleset::builtin_outlines(&rest)
    };
    let set = set.or(rest.localized(ctx.lang).on_target(target.kind()));
    let engine = Engine::new(&set.rules)?;
    let all = engine.lookup(&input);
    answer(&args, ctx, &target, &set, &engine, all, &input)
}

/// What `lookup` prints and exits with, once `all` holds the matches of
/// `engine` (built on `set`) in `input`.
fn answer(
    args: &Args,
    ctx: &Ctx,
    target: &clawdoc::target::Target,
    set: &clawdoc::ruleset::RuleSet,
    engine: &Engine<'_>,
    all: Vec<Match<'_>>,
    input: &[u8],
) -> anyhow::Result<Exit> {
    // Informational rules rank last: the problems are a prefix.
    let problems = all
        .iter()
        .position(|m| m.rule.role == Role::Informational)
        .unwrap_or(all.len());
    let (matches, routine) = all.split_at(problems);
    if args.probe {
        return confirm_with_probes(matches, args.json, ctx);
    }
    // Nothing matched at all: guess from the wording (the index is built on
    // this path only).
    let guesses = if all.is_empty() {
        Index::new(&set.rules).guesses(input, 3)
    } else {
        Vec::new()
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    if args.json {
        let doc = report::Lookup::from_matches(&all).with_guesses(&guesses);
        let doc = Versioned::new(doc).in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else if !matches.is_empty() {
        render_matches(&mut out, matches, target)?;
        render_routine(&mut out, routine, true)?;
    } else if !routine.is_empty() {
        render_routine(&mut out, routine, false)?;
    } else {
        render_no_match(&mut out, engine, input, &guesses)?;
    }
    // A recognised error is a problem found (1); nothing recognised, only
    // routine lines, or only guesses (possible causes, not matches) is 0.
    Ok(if matches.is_empty() {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

/// `lookup --batch`: one lookup per JSON-string line of `input`.
fn batch(engine: &Engine<'_>, rules: &[Rule], input: &[u8], ctx: &Ctx) -> anyhow::Result<Exit> {
    let mut index: Option<Index<'_>> = None;
    let mut any = false;
    let mut out = std::io::stdout().lock();
    for (n, line) in input.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let paste: String = serde_json::from_slice(line).map_err(|e| {
            anyhow::anyhow!(msg(
                "lookup-batch-not-json",
                &[("line", s(n + 1)), ("col", s(e.column())), ("error", s(e))]
            ))
        })?;
        let all = engine.lookup(paste.as_bytes());
        let guesses = if all.is_empty() {
            index
                .get_or_insert_with(|| Index::new(rules))
                .guesses(paste.as_bytes(), 3)
        } else {
            Vec::new()
        };
        let doc = report::Lookup::from_matches(&all).with_guesses(&guesses);
        any |= !doc.matches.is_empty();
        let doc = Versioned::new(doc).in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string(&doc)?)?;
    }
    Ok(if any { Exit::Problems } else { Exit::Ok })
}

/// Lines informational rules recognised: said plainly to be routine.
fn render_routine(
    out: &mut impl Write,
    routine: &[Match<'_>],
    after_problems: bool,
) -> std::io::Result<()> {
    if routine.is_empty() {
        return Ok(());
    }
    if after_problems {
        writeln!(out)?;
    } else {
        writeln!(out, "{}", bold(&t("lookup-routine-only")))?;
    }
    writeln!(out, "{}", bold(&t("lookup-routine")))?;
    for m in routine {
        writeln!(
            out,
            "  {}  {}  {}",
            m.rule.title,
            dim(&format!("({}, {})", m.rule.id, m.rule.category)),
            dim(&msg("lookup-line-no", &[("line", s(m.line))]))
        )?;
        writeln!(out, "      {}", dim(&m.rule.meaning))?;
    }
    Ok(())
}

/// `lookup --probe`: runs the probes the matched rules name, here and now,
/// and marks each candidate confirmed, refuted or inconclusive
/// ([`clawdoc::finding::assess`]). Probes only read; nothing is changed.
fn confirm_with_probes(matches: &[Match<'_>], json: bool, ctx: &Ctx) -> anyhow::Result<Exit> {
    let mut wanted: Vec<ProbeName> = matches
        .iter()
        .flat_map(|m| m.rule.probes.iter().copied())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut env = ctx.probe_env();
    // What the message names feeds the probes: `EADDRINUSE … :18789` is
    // about port 18789, whatever the config says.
    env.port_override = matches
        .iter()
        .find_map(|m| m.captures.get("port").and_then(|p| p.parse().ok()));
    let evidence = clawdoc::probe::run_all(&env, &wanted);
    let explained: Vec<Explained> = matches.iter().map(|m| explain(m.rule, &evidence)).collect();
    let verdicts: Vec<Verdict> = explained.iter().map(|e| e.verdict.clone()).collect();
    let mut out = std::io::stdout().lock();
    if json {
        let mut lookup = report::Lookup::from_matches(matches);
        for (entry, verdict) in lookup.matches.iter_mut().zip(&verdicts) {
            entry.verdict = Some(verdict.clone());
        }
        let doc = Versioned::new(report::ProbedLookup {
            lookup,
            evidence: evidence.clone(),
            target: env.target_info(),
        })
        .in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else if matches.is_empty() {
        writeln!(out, "{}", super::target_line(&env))?;
        writeln!(out, "{}", t("lookup-nothing-to-probe"))?;
    } else {
        writeln!(out, "{}", super::target_line(&env))?;
        writeln!(out, "{}", bold(&t("lookup-checked")))?;
        for (m, e) in matches.iter().zip(&explained) {
            let (mark, label) = match e.verdict {
                Verdict::Confirmed { .. } => ("✓", "verdict-confirmed"),
                Verdict::Refuted { .. } => ("✗", "verdict-refuted"),
                Verdict::Inconclusive { .. } => ("?", "verdict-inconclusive"),
            };
            writeln!(
                out,
                "{mark} {} {} {}",
                pad(&t(label), 12),
                m.rule.title,
                dim(&format!("({})", m.rule.id))
            )?;
            for r in &e.reasons {
                writeln!(out, "      {}", dim(&super::tr::render(r)))?;
            }
        }
        writeln!(out)?;
        for e in &evidence {
            let area = t(&format!("area-{}", e.probe.as_str()));
            writeln!(
                out,
                "  {} {}",
                pad(&area, 10),
                super::tr::render(&e.message)
            )?;
        }
        if verdicts.iter().any(Verdict::is_confirmed) {
            writeln!(out, "\n{}", t("lookup-run-fix"))?;
        }
    }
    // 1 while a candidate still stands here (confirmed or not ruled out);
    // 0 when nothing matched or the probes refuted every candidate.
    let stands = verdicts
        .iter()
        .any(|v| !matches!(v, Verdict::Refuted { .. }));
    Ok(if stands { Exit::Problems } else { Exit::Ok })
}

fn read_input(text: &[std::ffi::OsString]) -> anyhow::Result<Vec<u8>> {
    if !text.is_empty() {
        use std::os::unix::ffi::OsStrExt;
        let parts: Vec<&[u8]> = text.iter().map(|t| t.as_bytes()).collect();
        return Ok(parts.join(&b' '));
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("{}", t("lookup-paste"));
    }
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .with_context(|| t("err-reading-stdin"))?;
    if buf.len() as u64 > MAX_INPUT {
        buf.truncate(MAX_INPUT as usize);
        eprintln!(
            "note: only the first {} MiB were read; `clawdoc scan -` reads logs of any size",
            MAX_INPUT >> 20
        );
    }
    Ok(buf)
}

fn bold(s: &str) -> String {
    s.if_supports_color(Stream::Stdout, |t| t.bold().to_string())
        .to_string()
}

fn dim(s: &str) -> String {
    s.if_supports_color(Stream::Stdout, |t| t.dimmed().to_string())
        .to_string()
}

fn tier(a: Applicability) -> String {
    let label = format!("[{}]", tier_name(a));
    match a {
        Applicability::Safe => label
            .if_supports_color(Stream::Stdout, |t| t.green().to_string())
            .to_string(),
        Applicability::Unsafe => label
            .if_supports_color(Stream::Stdout, |t| t.yellow().to_string())
            .to_string(),
        Applicability::DisplayOnly => label
            .if_supports_color(Stream::Stdout, |t| t.cyan().to_string())
            .to_string(),
    }
}

fn render_matches(
    out: &mut impl Write,
    matches: &[Match<'_>],
    target: &clawdoc::target::Target,
) -> std::io::Result<()> {
    let top = &matches[0];
    writeln!(
        out,
        "{} {}  {}",
        bold(&top.rule.title),
        dim(&format!("({})", top.rule.id)),
        dim(&format!("[{} · {}]", top.rule.category, top.rule.severity))
    )?;
    let line = [("line", s(top.line)), ("text", s(&top.text))];
    writeln!(out, "  {}", msg("lookup-line", &line))?;
    if !top.captures.is_empty() {
        let caps: Vec<String> = top
            .captures
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        writeln!(
            out,
            "  {}",
            msg("lookup-captured", &[("captures", s(caps.join(", ")))])
        )?;
    }
    writeln!(out)?;
    render_rule_body(out, &top.rule.on(target), &top.captures)?;
    if matches.len() > 1 {
        writeln!(out)?;
        writeln!(out, "{}", bold(&t("lookup-other")))?;
        for (i, m) in matches.iter().enumerate().skip(1) {
            writeln!(
                out,
                "  {}. {}  {}  {}",
                i + 1,
                m.rule.title,
                dim(&format!("({}, {})", m.rule.id, m.rule.category)),
                dim(&msg("lookup-line-no", &[("line", s(m.line))]))
            )?;
        }
    }
    Ok(())
}

/// Meaning, causes, fixes with commands, section: shared with `rules show`.
pub(crate) fn render_rule_body(
    out: &mut impl Write,
    rule: &Rule,
    captures: &BTreeMap<String, String>,
) -> std::io::Result<()> {
    writeln!(out, "{}", bold(&t("lookup-what-it-means")))?;
    writeln!(out, "  {}", rule.meaning)?;
    if !rule.causes.is_empty() {
        writeln!(out, "{}", bold(&t("lookup-why")))?;
        for c in &rule.causes {
            writeln!(out, "  - {c}")?;
        }
    }
    if !rule.fixes.is_empty() {
        writeln!(out, "{}", bold(&t("lookup-fixes")))?;
        for f in &rule.fixes {
            writeln!(
                out,
                "  {} {}",
                tier(f.applicability),
                f.title_with(captures)
            )?;
            if let Some(why) = &f.why {
                writeln!(
                    out,
                    "      {}",
                    msg("lookup-unsafe-because", &[("why", s(why))])
                )?;
            }
            if let Some(text) = f.text_with(captures) {
                writeln!(out, "      {text}")?;
            }
            for c in f.commands_with(captures) {
                writeln!(out, "      $ {c}")?;
            }
        }
        let has_auto = rule
            .fixes
            .iter()
            .any(|f| f.applicability != Applicability::DisplayOnly);
        if has_auto {
            writeln!(out, "  {}", dim(&t("lookup-fix-hint")))?;
        }
    }
    writeln!(
        out,
        "{} {}",
        bold(&t("lookup-flowchart")),
        rule.section_title()
    )?;
    if !rule.probes.is_empty() {
        let probes: Vec<&str> = rule.probes.iter().map(|p| p.as_str()).collect();
        writeln!(
            out,
            "{} {}",
            bold(&t("lookup-confirm")),
            dim(&msg(
                "lookup-confirm-how",
                &[("probes", s(probes.join(", ")))]
            ))
        )?;
    }
    Ok(())
}

fn render_no_match(
    out: &mut impl Write,
    engine: &Engine<'_>,
    input: &[u8],
    guesses: &[Guess<'_>],
) -> std::io::Result<()> {
    let lines: Vec<String> = normalize::text(input)
        .into_iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        writeln!(out, "{}", t("lookup-empty"))?;
        writeln!(out, "{}", t("lookup-empty-hint"))?;
        return Ok(());
    }
    writeln!(out, "{}", bold(&t("lookup-no-match")))?;
    writeln!(out, "{}", t("lookup-template"))?;
    for l in lines.iter().take(5) {
        writeln!(
            out,
            "  {}",
            clawdoc::engine::clip_printable(&normalize::mask(&normalize::redact(l)), 200)
        )?;
    }
    if lines.len() > 5 {
        writeln!(
            out,
            "  {}",
            msg("lookup-more-lines", &[("count", s(lines.len() - 5))])
        )?;
    }
    if !guesses.is_empty() {
        writeln!(out, "{}", bold(&t("lookup-possible")))?;
        for g in guesses {
            writeln!(
                out,
                "  {}  {}  {}",
                g.rule.id,
                g.rule.title,
                dim(&msg(
                    "lookup-possible-score",
                    &[("score", s(format!("{:.2}", g.score))), ("line", s(g.line))]
                ))
            )?;
        }
        writeln!(out, "  {}", dim(&t("lookup-possible-hint")))?;
    }
    let closest = if guesses.is_empty() {
        engine.closest(&lines.join(" "), 3)
    } else {
        Vec::new()
    };
    if !closest.is_empty() {
        writeln!(out, "{}", bold(&t("lookup-closest")))?;
        for (rule, score) in closest {
            writeln!(
                out,
                "  {}  {}  {}",
                rule.id,
                rule.title,
                dim(&msg(
                    "lookup-similarity",
                    &[("score", s(format!("{score:.2}")))]
                ))
            )?;
        }
    }
    writeln!(out, "{}", bold(&t("lookup-teach")))?;
    writeln!(
        out,
        "  clawdoc rules new my-error --from-paste '{}'",
        clawdoc::engine::clip_printable(&normalize::redact(&lines[0]), 120).replace('\'', "'\\''")
    )?;
    writeln!(out, "  {}", dim(&t("lookup-teach-hint")))?;
    Ok(())
}
