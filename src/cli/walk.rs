//! `clawdoc walk`: the seed's flowchart, interactively. Probes answer every
//! check they can; the person is asked only the rest (on a terminal through
//! dialoguer, or from `--answers FILE` for scripts and tests). At a rule it
//! shows the cause and offers each fix with a confirmation.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::render::tier_name;
use super::tr::{msg, s, t};
use super::{Ctx, Exit};
use clawdoc::engine::Engine;
use clawdoc::finding::{assess, explain, Explained, Verdict};
use clawdoc::fix::{self, FixEnv, Journal};
use clawdoc::flow::{DecidedBy, Step, Walk};
use clawdoc::probe;
use clawdoc::report::{self, Versioned};
use clawdoc::ruleset::Rule;
use clawdoc::vocab::{Applicability, Category, ProbeName};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The error message you see; picks the first question's answer.
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub message: Option<String>,
    /// Read answers from FILE, one per line (a choice number, or yes/no),
    /// instead of prompting. Needed when stdin is not a terminal.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Apply every offered fix without asking (display-only ones are shown).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the path taken and what was applied as JSON at the end.
    #[arg(long)]
    pub json: bool,
}

/// Where answers come from.
trait Answers {
    fn choose(&mut self, text: &str, choices: &[String]) -> anyhow::Result<usize>;
    fn yes_no(&mut self, text: &str) -> anyhow::Result<bool>;
}

struct Terminal;

impl Answers for Terminal {
    fn choose(&mut self, text: &str, choices: &[String]) -> anyhow::Result<usize> {
        Ok(dialoguer::Select::new()
            .with_prompt(text)
            .items(choices)
            .default(0)
            .interact()?)
    }
    fn yes_no(&mut self, text: &str) -> anyhow::Result<bool> {
        Ok(dialoguer::Confirm::new()
            .with_prompt(text)
            .default(false)
            .interact()?)
    }
}

/// Answers from a file: `3`, `yes`, `n`, … one per line; `#` comments.
struct Scripted {
    path: PathBuf,
    lines: Vec<(usize, String)>,
    next: usize,
}

impl Scripted {
    fn load(path: PathBuf) -> anyhow::Result<Self> {
        let text = std::fs::read(&path)
            .with_context(|| msg("err-reading", &[("path", s(path.display()))]))?;
        let lines = String::from_utf8_lossy(&text)
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim().to_string()))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        Ok(Self {
            path,
            lines,
            next: 0,
        })
    }
    fn take(&mut self, text: &str) -> anyhow::Result<(usize, String)> {
        let line = self.lines.get(self.next).cloned().ok_or_else(|| {
            let args = [("file", s(self.path.display())), ("question", s(text))];
            anyhow::anyhow!(msg("walk-no-answer", &args))
        })?;
        self.next += 1;
        Ok(line)
    }
}

impl Answers for Scripted {
    fn choose(&mut self, text: &str, choices: &[String]) -> anyhow::Result<usize> {
        let (line, answer) = self.take(text)?;
        match answer.parse::<usize>() {
            Ok(n) if (1..=choices.len()).contains(&n) => Ok(n - 1),
            _ => anyhow::bail!(msg(
                "walk-not-a-choice",
                &[
                    ("place", s(format!("{}:{line}:1", self.path.display()))),
                    ("answer", s(&answer)),
                    ("question", s(text)),
                    ("max", s(choices.len())),
                ]
            )),
        }
    }
    fn yes_no(&mut self, text: &str) -> anyhow::Result<bool> {
        let (line, answer) = self.take(text)?;
        // Chinese answers too: 是 / 否 (對 / 不是 read naturally as well).
        match answer.to_lowercase().as_str() {
            "y" | "yes" | "是" | "对" | "對" => Ok(true),
            "n" | "no" | "否" | "不是" => Ok(false),
            _ => anyhow::bail!(msg(
                "walk-not-yes-no",
                &[
                    ("place", s(format!("{}:{line}:1", self.path.display()))),
                    ("answer", s(&answer)),
                    ("question", s(text)),
                ]
            )),
        }
    }
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let (rules, chart) = super::flowchart::load_chart(ctx)?;
    let mut answers: Box<dyn Answers> = match args.answers.clone() {
        Some(path) => Box::new(Scripted::load(path)?),
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            Box::new(Terminal)
        }
        None => anyhow::bail!(t("walk-no-tty")),
    };
    let env = ctx.probe_env();
    // The symptom: the pasted message, else what the gateway's current log
    // says, so the first question is asked only when neither tells.
    let (hint, from_log) = match &args.message {
        Some(text) => (category_of(&rules.rules, text.as_bytes())?, None),
        None => {
            let (_, log) = clawdoc::doctor::read_log_tail(&env);
            let engine = Engine::new(&rules.rules)?;
            match engine.lookup(&log).first() {
                Some(m) => (Some(m.rule.category), Some(m.text.clone())),
                None => (None, None),
            }
        }
    };
    let evidence = probe::run_all(&env, ProbeName::ALL);
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(out, "{}", super::target_line(&env))?;
        writeln!(out, "{}\n", t("walk-probed-first"))?;
    }
    let mut walk = Walk::new(&chart, &evidence, hint);
    let end = loop {
        match walk.advance() {
            Step::Choose { text, choices, .. } => {
                let i = answers.choose(&text, &choices)?;
                walk.choose(i)?;
            }
            Step::YesNo {
                text, why_asked, ..
            } => {
                if !args.json {
                    writeln!(
                        out,
                        "{}",
                        msg(
                            "walk-could-not-tell",
                            &[("why", s(super::tr::render(&why_asked)))]
                        )
                    )?;
                }
                let yes = answers.yes_no(&text)?;
                walk.answer(yes)?;
            }
            end => break end,
        }
    };
    if !args.json {
        writeln!(out, "{}", t("walk-how"))?;
        for step in &walk.trail {
            let by = match &step.by {
                DecidedBy::Probes(why) => {
                    let why = match &step.probes_said {
                        Some(m) => super::tr::render(m),
                        None => why.clone(),
                    };
                    msg("walk-by-probes", &[("why", s(why))])
                }
                DecidedBy::Message(cat) if from_log.is_some() => {
                    msg("walk-by-log", &[("category", s(cat))])
                }
                DecidedBy::Message(cat) => msg("walk-by-message", &[("category", s(cat))]),
                DecidedBy::User => t("walk-by-you"),
            };
            // A check's answer is `yes`/`no`; a question's is the choice.
            let answer = match step.answer.as_str() {
                "yes" => t("answer-yes"),
                "no" => t("answer-no"),
                other => other.to_string(),
            };
            writeln!(out, "  {} → {answer}  ({by})", step.text)?;
        }
        writeln!(out)?;
    }
    let mut applied = Vec::new();
    let exit = match &end {
        Step::End { text } => {
            if !args.json {
                writeln!(out, "{text}")?;
            }
            Exit::Ok
        }
        Step::Rule { rule_id } => {
            let rule = rules.get(rule_id).ok_or_else(|| {
                anyhow::anyhow!(msg("walk-unknown-rule", &[("rule", s(rule_id))]))
            })?;
            let explained = explain(rule, &evidence);
            // The rule's fixes as this target carries them out.
            let vars = clawdoc::doctor::fact_vars(&Default::default(), &evidence);
            let rule = &Rule {
                fixes: rule
                    .fixes
                    .iter()
                    .map(|f| clawdoc::doctor::target_fix(&env.target, f, rule.category, &vars))
                    .collect(),
                ..rule.clone()
            };
            if !args.json {
                render_rule(&mut out, rule, &explained)?;
            }
            let fix_env = FixEnv::new(ctx.home.clone()).with_target(env.target.clone());
            let mut journal: Option<Journal> = None;
            let mut _turn: Option<std::fs::File> = None; // held until the walk ends
            for f in &rule.fixes {
                if f.applicability == Applicability::DisplayOnly {
                    continue;
                }
                let preview = fix::preview(f.action, &fix_env);
                if !args.json {
                    let args = [
                        ("tier", s(tier_name(f.applicability))),
                        ("title", s(&f.title)),
                    ];
                    writeln!(out, "\n{}", msg("walk-fix", &args))?;
                    if let Some(why) = &f.why {
                        writeln!(out, "  {}", msg("why-unsafe", &[("why", s(why))]))?;
                    }
                    if let Some(diff) = &preview.diff {
                        for line in diff.lines() {
                            writeln!(out, "  {line}")?;
                        }
                    }
                }
                out.flush()?;
                let go = args.yes
                    || answers.yes_no(&msg(
                        "prompt-apply",
                        &[("what", s(super::render::preview_description(&preview)))],
                    ))?;
                if !go {
                    continue;
                }
                if journal.is_none() {
                    // Take turns with any `doctor --fix` on this home.
                    _turn = clawdoc::doctor::take_fixing_turn(&ctx.home);
                    journal = Some(
                        Journal::begin(&ctx.home, &fix_env.target)
                            .with_context(|| t("err-writing-journal"))?,
                    );
                }
                match fix::apply(f.action, &fix_env) {
                    Ok(done) => {
                        if let Some(j) = journal.as_mut() {
                            j.record(&rule.id, &done)?;
                        }
                        if !args.json {
                            writeln!(out, "  ✓ {}", super::tr::render(&done.message))?;
                        }
                        applied.push(report::WalkFix {
                            action: f.action,
                            ok: true,
                            summary: done.summary.clone(),
                        });
                    }
                    Err(e) => {
                        if !args.json {
                            writeln!(out, "  ✗ {}", super::tr::render(&e.message()))?;
                        }
                        applied.push(report::WalkFix {
                            action: f.action,
                            ok: false,
                            summary: e.to_string(),
                        });
                    }
                }
            }
            // Verify: is the rule still confirmed on this machine?
            let after = probe::run_all(&env, ProbeName::ALL);
            let still = assess(rule, &after).is_confirmed();
            if !args.json && !applied.is_empty() {
                let after_msg = if still {
                    "walk-after-still"
                } else {
                    "walk-after-gone"
                };
                writeln!(out, "\n{}", t(after_msg))?;
                if let Some(h) = after.iter().find(|e| e.probe == ProbeName::Health) {
                    writeln!(
                        out,
                        "  {}: {}",
                        t("area-health"),
                        super::tr::render(&h.message)
                    )?;
                }
                writeln!(out, "{}", t("walk-undo"))?;
            }
            if still || (applied.is_empty() && explained.verdict.is_confirmed()) {
                Exit::Problems
            } else {
                Exit::Ok
            }
        }
        _ => Exit::Ok,
    };
    if args.json {
        let (kind, value) = match &end {
            Step::Rule { rule_id } => ("rule", rule_id.clone()),
            Step::End { text } => ("end", text.clone()),
            _ => ("end", String::new()),
        };
        let doc = Versioned::new(report::Walk {
            target: env.target_info(),
            trail: walk.trail.clone(),
            outcome: report::WalkOutcome { kind, value },
            applied,
        })
        .in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(exit)
}

fn category_of(rules: &[Rule], text: &[u8]) -> anyhow::Result<Option<Category>> {
    let engine = Engine::new(rules)?;
    Ok(engine.lookup(text).first().map(|m| m.rule.category))
}

fn render_rule(out: &mut impl Write, rule: &Rule, e: &Explained) -> std::io::Result<()> {
    writeln!(out, "{} [{} · {}]", rule.title, rule.id, rule.category)?;
    writeln!(out, "  {}", rule.meaning.trim())?;
    let id = match e.verdict {
        Verdict::Confirmed { .. } => "walk-confirmed",
        Verdict::Refuted { .. } => "walk-refuted",
        Verdict::Inconclusive { .. } => "walk-inconclusive",
    };
    let why = super::tr::render_joined(&e.reasons);
    writeln!(out, "  {}", msg(id, &[("why", s(why))]))?;
    for f in rule
        .fixes
        .iter()
        .filter(|f| f.applicability == Applicability::DisplayOnly)
    {
        writeln!(
            out,
            "  {}",
            msg("walk-what-to-do", &[("title", s(&f.title))])
        )?;
        if let Some(t) = &f.text {
            writeln!(out, "    {t}")?;
        }
        for c in &f.commands {
            writeln!(out, "    $ {c}")?;
        }
    }
    Ok(())
}
