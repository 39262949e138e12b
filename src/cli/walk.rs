//! `clawdoc walk`: the seed's flowchart, interactively. Probes answer every
//! check they can; the person is asked only the rest (on a terminal through
//! dialoguer, or from `--answers FILE` for scripts and tests). At a rule it
//! shows the cause and offers each fix with a confirmation.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::{Ctx, Exit};
use clawdoc::engine::Engine;
use clawdoc::finding::{assess, Verdict};
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
        let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
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
            anyhow::anyhow!("{}: no answer left for: {text}", self.path.display())
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
            _ => anyhow::bail!(
                "{}:{line}:1: `{answer}` is not a choice for \"{text}\" (1–{})",
                self.path.display(),
                choices.len()
            ),
        }
    }
    fn yes_no(&mut self, text: &str) -> anyhow::Result<bool> {
        let (line, answer) = self.take(text)?;
        match answer.to_ascii_lowercase().as_str() {
            "y" | "yes" => Ok(true),
            "n" | "no" => Ok(false),
            _ => anyhow::bail!(
                "{}:{line}:1: `{answer}` is not yes or no for \"{text}\"",
                self.path.display()
            ),
        }
    }
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let (rules, chart) = super::flowchart::load_chart(ctx)?;
    let mut answers: Box<dyn Answers> = match args.answers.clone() {
        Some(path) => Box::new(Scripted::load(path)?),
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => Box::new(Terminal),
        None => anyhow::bail!(
            "`clawdoc walk` asks questions and stdin is not a terminal: pass --answers FILE, or run `clawdoc doctor` for a non-interactive diagnosis"
        ),
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
        writeln!(
            out,
            "Probed this machine first; only what the probes cannot tell is asked.\n"
        )?;
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
                    writeln!(out, "(the probes could not tell: {why_asked})")?;
                }
                let yes = answers.yes_no(&text)?;
                walk.answer(yes)?;
            }
            end => break end,
        }
    };
    if !args.json {
        writeln!(out, "How we got here:")?;
        for step in &walk.trail {
            let by = match &step.by {
                DecidedBy::Probes(why) => format!("probes: {why}"),
                DecidedBy::Message(cat) if from_log.is_some() => {
                    format!("the gateway log shows {cat}")
                }
                DecidedBy::Message(cat) => format!("your message looks like {cat}"),
                DecidedBy::User => "you".to_string(),
            };
            writeln!(out, "  {} → {}  ({by})", step.text, step.answer)?;
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
                anyhow::anyhow!("the flowchart names rule `{rule_id}`, which is not loaded")
            })?;
            let verdict = assess(rule, &evidence);
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
                render_rule(&mut out, rule, &verdict)?;
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
                    writeln!(out, "\nFix ({}): {}", f.applicability, f.title)?;
                    if let Some(why) = &f.why {
                        writeln!(out, "  why unsafe: {why}")?;
                    }
                    if let Some(diff) = &preview.diff {
                        for line in diff.lines() {
                            writeln!(out, "  {line}")?;
                        }
                    }
                }
                out.flush()?;
                let go = args.yes || answers.yes_no(&format!("Apply: {}?", preview.description))?;
                if !go {
                    continue;
                }
                if journal.is_none() {
                    // Take turns with any `doctor --fix` on this home.
                    _turn = clawdoc::doctor::take_fixing_turn(&ctx.home);
                    journal = Some(Journal::begin(&ctx.home).context("writing the undo journal")?);
                }
                match fix::apply(f.action, &fix_env) {
                    Ok(done) => {
                        if let Some(j) = journal.as_mut() {
                            j.record(&rule.id, &done)?;
                        }
                        if !args.json {
                            writeln!(out, "  ✓ {}", done.summary)?;
                        }
                        applied.push(report::WalkFix {
                            action: f.action,
                            ok: true,
                            summary: done.summary.clone(),
                        });
                    }
                    Err(e) => {
                        if !args.json {
                            writeln!(out, "  ✗ {e}")?;
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
                writeln!(
                    out,
                    "\nAfter fixing: {}",
                    if still {
                        "the problem is still there"
                    } else {
                        "the problem is gone"
                    }
                )?;
                if let Some(h) = after.iter().find(|e| e.probe == ProbeName::Health) {
                    writeln!(out, "  health: {}", h.summary)?;
                }
                writeln!(out, "Undo with `clawdoc undo`.")?;
            }
            if still || (applied.is_empty() && verdict.is_confirmed()) {
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
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(exit)
}

fn category_of(rules: &[Rule], text: &[u8]) -> anyhow::Result<Option<Category>> {
    let engine = Engine::new(rules)?;
    Ok(engine.lookup(text).first().map(|m| m.rule.category))
}

fn render_rule(out: &mut impl Write, rule: &Rule, verdict: &Verdict) -> std::io::Result<()> {
    writeln!(out, "{} [{} · {}]", rule.title, rule.id, rule.category)?;
    writeln!(out, "  {}", rule.meaning.trim())?;
    match verdict {
        Verdict::Confirmed { held } => {
            writeln!(out, "  confirmed on this machine: {}", held.join("; "))?
        }
        Verdict::Refuted { why } => {
            writeln!(out, "  the probes do not see it now: {}", why.join("; "))?
        }
        Verdict::Inconclusive { why } => {
            writeln!(out, "  not confirmed by probes: {}", why.join("; "))?
        }
    }
    for f in rule
        .fixes
        .iter()
        .filter(|f| f.applicability == Applicability::DisplayOnly)
    {
        writeln!(out, "  what to do: {}", f.title)?;
        if let Some(t) = &f.text {
            writeln!(out, "    {t}")?;
        }
        for c in &f.commands {
            writeln!(out, "    $ {c}")?;
        }
    }
    Ok(())
}
