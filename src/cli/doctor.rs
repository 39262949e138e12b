//! `clawdoc doctor` and `clawdoc undo`: render the doctor's report
//! (flutter-doctor style) and ask before unsafe fixes.

use std::io::{IsTerminal, Write};

use owo_colors::{OwoColorize, Stream};

use super::{Ctx, Exit};
use clawdoc::doctor::{self, Confirm, Diagnosis, DoctorReport, Finding, FixPolicy};
use clawdoc::fix::{self, Preview};
use clawdoc::probe::Status;
use clawdoc::report::{self, Versioned};
use clawdoc::ruleset;
use clawdoc::vocab::Applicability;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Apply safe fixes.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (each is asked on a terminal unless --yes).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Answer yes to every confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the plan (with config diffs) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the whole diagnosis as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show per-probe timings and facts.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct UndoArgs {
    /// Print what was restored as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Confirms unsafe fixes: `--yes`, a TTY prompt, or no (never guesses).
struct Prompter {
    yes: bool,
    interactive: bool,
}

impl Confirm for Prompter {
    fn confirm(
        &mut self,
        finding: &Finding,
        fix: &clawdoc::ruleset::Fix,
        preview: &Preview,
    ) -> bool {
        if self.yes {
            return true;
        }
        if !self.interactive {
            return false;
        }
        let mut err = std::io::stderr();
        let _ = writeln!(
            err,
            "\n{} [{}] {}",
            "unsafe fix".if_supports_color(Stream::Stderr, |t| t.yellow().to_string()),
            finding.rule_id,
            fix.title
        );
        if let Some(why) = &fix.why {
            let _ = writeln!(err, "  why unsafe: {why}");
        }
        if let Some(diff) = &preview.diff {
            for line in diff.lines() {
                let _ = writeln!(err, "  {line}");
            }
        }
        dialoguer::Confirm::new()
            .with_prompt(format!("Apply: {}?", preview.description))
            .default(false)
            .interact()
            .unwrap_or(false)
    }
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let rules = ruleset::load_from(&ruleset::user_dirs(ctx.rules_dir.as_deref()));
    for e in &rules.errors {
        eprintln!("warning: {e}");
    }
    let env = ctx.probe_env();
    let threshold = if args.unsafe_fixes {
        Some(Applicability::Unsafe)
    } else if args.fix || args.dry_run {
        Some(Applicability::Safe)
    } else {
        None
    };
    let policy = FixPolicy {
        threshold,
        dry_run: args.dry_run,
    };
    let mut prompter = Prompter {
        yes: args.yes,
        interactive: std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
            && !args.json,
    };
    let report = doctor::run(&env, &rules, policy, &mut prompter);
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &Versioned::new(&report))?;
        writeln!(out)?;
    } else {
        render(&report, &args, ctx)?;
    }
    Ok(if report.healthy {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

fn mark(status: Status) -> String {
    let s = Stream::Stdout;
    match status {
        Status::Ok => "[✓]"
            .if_supports_color(s, |t| t.green().to_string())
            .to_string(),
        Status::Warn => "[!]"
            .if_supports_color(s, |t| t.yellow().to_string())
            .to_string(),
        Status::Fail => "[✗]"
            .if_supports_color(s, |t| t.red().to_string())
            .to_string(),
        Status::Inconclusive => "[?]"
            .if_supports_color(s, |t| t.dimmed().to_string())
            .to_string(),
    }
}

fn render(report: &DoctorReport, args: &Args, ctx: &Ctx) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let fixing = report.final_diagnosis.is_some();
    writeln!(out, "clawdoc doctor ({})", ctx.home.root().display())?;
    render_areas(&mut out, &report.initial, args.verbose)?;
    if let Some(why) = &report.initial.log.error {
        writeln!(out, "{} {why}", mark(Status::Inconclusive))?;
    }
    if !report.initial.unexplained_failures().is_empty() {
        render_unexplained(&mut out, &report.initial)?;
    } else if report.initial.findings.is_empty() && report.initial.log.error.is_none() {
        writeln!(out, "\nNo problems found.")?;
    } else {
        writeln!(out)?;
        for f in &report.initial.findings {
            render_finding(&mut out, f)?;
        }
    }
    for h in &report.initial.history {
        writeln!(
            out,
            "  (log line {} matched `{}` but it is not current: {})",
            h.line,
            h.rule_id,
            h.why.join("; ")
        )?;
    }
    if args.dry_run {
        writeln!(
            out,
            "\nDry run: nothing was changed. These fixes would run:"
        )?;
        if report.plan.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for p in &report.plan {
            writeln!(
                out,
                "  - {} [{}] ({})",
                p.preview.description, p.rule_id, p.applicability
            )?;
            if let Some(diff) = &p.preview.diff {
                for line in diff.lines() {
                    writeln!(out, "      {line}")?;
                }
            }
        }
    }
    if fixing {
        writeln!(out, "\nApplied:")?;
        if report.applied.is_empty() {
            writeln!(out, "  (nothing)")?;
        }
        for a in &report.applied {
            let m = if a.ok {
                mark(Status::Ok)
            } else {
                mark(Status::Fail)
            };
            writeln!(out, "  {m} {} [{}]", a.summary, a.rule_id)?;
        }
        if let Some(d) = &report.final_diagnosis {
            writeln!(out, "\nAfter fixing:")?;
            render_areas(&mut out, d, false)?;
        }
        if let Some(v) = &report.verification {
            let m = if v.health_ready && v.handshake == "ok" {
                mark(Status::Ok)
            } else {
                mark(Status::Fail)
            };
            writeln!(out, "\nVerified: {m} {}", v.summary)?;
        }
        if let Some(j) = &report.journal {
            writeln!(out, "Undo with `clawdoc undo` (journal: {j})")?;
        }
    }
    let left: Vec<_> = report.left.iter().collect();
    if !left.is_empty() {
        writeln!(out, "\nLeft for you:")?;
        for l in left {
            writeln!(out, "  - [{}] {} ({})", l.rule_id, l.title, l.reason)?;
            if let Some(t) = &l.text {
                for line in t.lines() {
                    writeln!(out, "      {line}")?;
                }
            }
            for c in &l.commands {
                writeln!(out, "      $ {c}")?;
            }
        }
    }
    let fixed = report.applied.iter().filter(|a| a.changed).count();
    let remaining = report
        .final_diagnosis
        .as_ref()
        .unwrap_or(&report.initial)
        .findings
        .len();
    if fixing {
        writeln!(out, "\nFixed {fixed}, left {remaining}.")?;
        if !report.healthy && remaining == 0 {
            writeln!(
                out,
                "The gateway is still not healthy and no rule explains why: see the areas marked [✗] / [?] above and `clawdoc logs --tail 50`."
            )?;
        }
    } else if remaining > 0 && !args.dry_run {
        writeln!(out, "\n{remaining} problem(s). Run `clawdoc doctor --fix` to apply the safe fixes (`--unsafe-fixes` for the rest).")?;
    }
    if args.verbose {
        writeln!(
            out,
            "\nFinished in {:.1} ms",
            report.elapsed.as_secs_f64() * 1000.0
        )?;
    }
    Ok(())
}

/// The gateway fails but no rule explains why: never "no problems".
fn render_unexplained(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{} The gateway is not healthy and no rule explains why. Look at:",
        mark(Status::Fail)
    )?;
    for e in d
        .evidence
        .iter()
        .filter(|e| matches!(e.status, Status::Fail | Status::Inconclusive))
    {
        writeln!(out, "    {}: {}", e.probe.as_str(), e.summary)?;
    }
    writeln!(out, "    $ clawdoc logs --tail 50")?;
    Ok(())
}

fn render_areas(out: &mut impl Write, d: &Diagnosis, verbose: bool) -> std::io::Result<()> {
    for e in &d.evidence {
        write!(
            out,
            "{} {:<10} {}",
            mark(e.status),
            e.probe.as_str(),
            e.summary
        )?;
        if verbose {
            write!(out, "  ({:.1} ms)", e.elapsed.as_secs_f64() * 1000.0)?;
        }
        writeln!(out)?;
        if verbose {
            for (k, v) in &e.facts {
                writeln!(out, "        {k} = {v}")?;
            }
        }
    }
    Ok(())
}

fn render_finding(out: &mut impl Write, f: &Finding) -> std::io::Result<()> {
    let sev = match f.severity {
        clawdoc::vocab::Severity::Info | clawdoc::vocab::Severity::Warning => mark(Status::Warn),
        _ => mark(Status::Fail),
    };
    writeln!(out, "{sev} {} [{} · {}]", f.title, f.rule_id, f.category)?;
    if !f.meaning.is_empty() {
        writeln!(out, "    {}", f.meaning.trim())?;
    }
    if let Some(l) = &f.log_line {
        writeln!(out, "    log line {}: {}", l.line, l.text)?;
    }
    if let clawdoc::finding::Verdict::Confirmed { held } = &f.verdict {
        for h in held {
            writeln!(out, "    confirmed: {h}")?;
        }
    }
    for e in &f.evidence {
        writeln!(out, "    evidence: {e}")?;
    }
    for x in &f.fixes {
        writeln!(out, "    fix ({}): {}", x.applicability, x.title)?;
        if let Some(why) = &x.why {
            writeln!(out, "      why unsafe: {why}")?;
        }
        for c in &x.commands {
            writeln!(out, "      $ {c}")?;
        }
    }
    if !f.section.is_empty() {
        writeln!(out, "    see: {}", f.section)?;
    }
    Ok(())
}

pub(crate) fn undo(args: UndoArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    match fix::undo(&ctx.home) {
        Ok(report) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&Versioned::new(&report))?
                );
            } else {
                outln!("Undid doctor run {}:", report.run_id);
                for p in &report.restored {
                    outln!("  restored {}", p.display());
                }
                for p in &report.removed {
                    outln!("  removed {} (it did not exist before)", p.display());
                }
                for s in &report.not_reverted {
                    outln!("  not reverted (process change): {s}");
                }
                if report.restored.is_empty() && report.removed.is_empty() {
                    outln!("  no file had changed");
                }
            }
            Ok(Exit::Ok)
        }
        Err(fix::UndoError::NothingToUndo(dir)) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string(&Versioned::new(report::NothingToUndo {
                        nothing_to_undo: true
                    }))?
                );
            }
            eprintln!(
                "nothing to undo: no doctor run with applied fixes in {}",
                dir.display()
            );
            Ok(Exit::Problems)
        }
        Err(e) => Err(e.into()),
    }
}
