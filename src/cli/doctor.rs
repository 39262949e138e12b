//! `clawdoc doctor` and `clawdoc undo`: render the doctor's report
//! (flutter-doctor style) and ask before unsafe fixes.

use std::io::{IsTerminal, Write};

use owo_colors::{OwoColorize, Stream};

use super::render::{left_reason, pad, preview_description, tier_name};
use super::tr::{self, msg, s, t};
use super::{Ctx, Exit};
use clawdoc::doctor::{self, Confirm, Diagnosis, DoctorReport, Finding, FixPolicy};
use clawdoc::fix::{self, Preview};
use clawdoc::probe::Status;
use clawdoc::report::{self, Versioned};
use clawdoc::ruleset;
use clawdoc::vocab::{Applicability, ProbeName};

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
            t("doctor-unsafe-fix").if_supports_color(Stream::Stderr, |t| t.yellow().to_string()),
            finding.rule_id,
            fix.title
        );
        if let Some(why) = &fix.why {
            let _ = writeln!(err, "  {}", msg("why-unsafe", &[("why", s(why))]));
        }
        if let Some(diff) = &preview.diff {
            for line in diff.lines() {
                let _ = writeln!(err, "  {line}");
            }
        }
        dialoguer::Confirm::new()
            .with_prompt(msg(
                "prompt-apply",
                &[("what", s(preview_description(preview)))],
            ))
            .default(false)
            .interact()
            .unwrap_or(false)
    }
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let rules = ruleset::load_from(&ruleset::user_dirs(ctx.rules_dir.as_deref()));
    super::warn_skipped(&rules.errors);
    let rules = rules.localized(ctx.lang);
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
        serde_json::to_writer_pretty(&mut out, &Versioned::new(&report).in_lang(ctx.lang))?;
        writeln!(out)?;
    } else {
        render(&report, &args, &env.target.logs_command())?;
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

fn render(report: &DoctorReport, args: &Args, logs_command: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let fixing = report.final_diagnosis.is_some();
    writeln!(
        out,
        "{}",
        msg("doctor-header", &super::target_args(&report.target))
    )?;
    render_areas(&mut out, &report.initial, args.verbose)?;
    if let Some(why) = &report.initial.log.error {
        writeln!(out, "{} {}", mark(Status::Inconclusive), tr::render(why))?;
    }
    if !report.initial.unexplained_failures().is_empty() {
        render_unexplained(&mut out, &report.initial, logs_command)?;
    } else if report.initial.findings.is_empty() && report.initial.log.error.is_none() {
        writeln!(out, "\n{}", t("doctor-no-problems"))?;
    } else {
        writeln!(out)?;
        for f in &report.initial.findings {
            render_finding(&mut out, f)?;
        }
    }
    for h in &report.initial.history {
        let why = super::tr::render_joined(&h.reasons);
        let args = [
            ("line", s(h.line)),
            ("rule", s(&h.rule_id)),
            ("why", s(why)),
        ];
        writeln!(out, "  {}", msg("doctor-history", &args))?;
    }
    if args.dry_run {
        writeln!(out, "\n{}", t("doctor-dry-run"))?;
        if report.plan.is_empty() {
            writeln!(out, "  {}", t("doctor-none"))?;
        }
        for p in &report.plan {
            writeln!(
                out,
                "  - {} [{}] ({})",
                preview_description(&p.preview),
                p.rule_id,
                tier_name(p.applicability)
            )?;
            if let Some(diff) = &p.preview.diff {
                for line in diff.lines() {
                    writeln!(out, "      {line}")?;
                }
            }
        }
    }
    if fixing {
        writeln!(out, "\n{}", t("doctor-applied"))?;
        if report.applied.is_empty() {
            writeln!(out, "  {}", t("doctor-nothing-applied"))?;
        }
        for a in &report.applied {
            let m = if a.ok {
                mark(Status::Ok)
            } else {
                mark(Status::Fail)
            };
            writeln!(
                out,
                "  {m} {} [{}]",
                super::tr::render(&a.message),
                a.rule_id
            )?;
        }
        if let Some(d) = &report.final_diagnosis {
            writeln!(out, "\n{}", t("doctor-after-fixing"))?;
            render_areas(&mut out, d, false)?;
        }
        if let Some(v) = &report.verification {
            let m = if v.verified {
                mark(Status::Ok)
            } else {
                mark(Status::Fail)
            };
            let args = [
                ("mark", s(m)),
                ("summary", s(super::tr::render(&v.message))),
            ];
            writeln!(out, "\n{}", msg("doctor-verified", &args))?;
        }
        if let Some(j) = &report.journal {
            writeln!(out, "{}", msg("doctor-undo-journal", &[("journal", s(j))]))?;
        }
    }
    let left: Vec<_> = report.left.iter().collect();
    if !left.is_empty() {
        writeln!(out, "\n{}", t("doctor-left"))?;
        for l in left {
            let reason = left_reason(&l.reason);
            writeln!(out, "  - [{}] {} ({reason})", l.rule_id, l.title)?;
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
        let args = [("fixed", s(fixed)), ("left", s(remaining))];
        writeln!(out, "\n{}", msg("doctor-fixed-left", &args))?;
        if !report.healthy && remaining == 0 {
            writeln!(
                out,
                "{}",
                msg("doctor-still-unhealthy", &[("logs", s(logs_command))])
            )?;
        }
    } else if remaining > 0 && !args.dry_run {
        writeln!(
            out,
            "\n{}",
            msg("doctor-problems", &[("count", s(remaining))])
        )?;
    }
    if args.verbose {
        let ms = format!("{:.1}", report.elapsed.as_secs_f64() * 1000.0);
        writeln!(out, "\n{}", msg("doctor-finished", &[("ms", s(ms))]))?;
    }
    Ok(())
}

/// The gateway fails but no rule explains why: never "no problems".
fn render_unexplained(
    out: &mut impl Write,
    d: &Diagnosis,
    logs_command: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{}",
        msg("doctor-unexplained", &[("mark", s(mark(Status::Fail)))])
    )?;
    for e in d
        .evidence
        .iter()
        .filter(|e| matches!(e.status, Status::Fail | Status::Inconclusive))
    {
        writeln!(
            out,
            "    {}: {}",
            area(e.probe),
            super::tr::render(&e.message)
        )?;
    }
    writeln!(out, "    $ {logs_command}")?;
    Ok(())
}

/// The area column is as wide as its longest name in any language (two
/// columns per CJK character), so every language's table lines up.
const AREA_WIDTH: usize = 10;

/// A probe's area name, translated.
fn area(p: ProbeName) -> String {
    t(&format!("area-{}", p.as_str()))
}

fn render_areas(out: &mut impl Write, d: &Diagnosis, verbose: bool) -> std::io::Result<()> {
    for e in &d.evidence {
        write!(
            out,
            "{} {} {}",
            mark(e.status),
            pad(&area(e.probe), AREA_WIDTH),
            super::tr::render(&e.message)
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
        let args = [("line", s(l.line)), ("text", s(&l.text))];
        writeln!(out, "    {}", msg("finding-log-line", &args))?;
    }
    if f.verdict.is_confirmed() {
        for h in &f.reasons {
            let why = super::tr::render(h);
            writeln!(out, "    {}", msg("finding-confirmed", &[("why", s(why))]))?;
        }
    }
    for (probe, m) in &f.evidence_messages {
        let what = msg(
            "evidence-line",
            &[
                ("area", s(area(*probe))),
                ("summary", s(super::tr::render(m))),
            ],
        );
        writeln!(out, "    {}", msg("finding-evidence", &[("what", s(what))]))?;
    }
    for x in &f.fixes {
        let args = [
            ("tier", s(tier_name(x.applicability))),
            ("title", s(&x.title)),
        ];
        writeln!(out, "    {}", msg("finding-fix", &args))?;
        if let Some(why) = &x.why {
            writeln!(out, "      {}", msg("why-unsafe", &[("why", s(why))]))?;
        }
        for c in &x.commands {
            writeln!(out, "      $ {c}")?;
        }
    }
    if !f.section.is_empty() {
        writeln!(
            out,
            "    {}",
            msg("finding-see", &[("section", s(&f.section))])
        )?;
    }
    Ok(())
}

pub(crate) fn undo(args: UndoArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    match fix::undo(&ctx.home, &ctx.target()) {
        Ok(report) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &Versioned::new(report::Undo::Undone(report.clone())).in_lang(ctx.lang)
                    )?
                );
            } else {
                outln!("{}", msg("undo-run", &[("run", s(&report.run_id))]));
                for p in &report.restored {
                    outln!("  {}", msg("undo-restored", &[("path", s(p.display()))]));
                }
                for p in &report.removed {
                    outln!("  {}", msg("undo-removed", &[("path", s(p.display()))]));
                }
                for n in &report.not_reverted {
                    let what = match &n.message {
                        Some(m) => tr::render_stored(m, &n.english),
                        None => n.english.clone(),
                    };
                    outln!("  {}", msg("undo-not-reverted", &[("what", s(what))]));
                }
                if report.restored.is_empty() && report.removed.is_empty() {
                    outln!("  {}", t("undo-no-change"));
                }
            }
            Ok(Exit::Ok)
        }
        Err(fix::UndoError::NothingToUndo(dir)) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string(
                        &Versioned::new(report::Undo::Nothing(report::NothingToUndo {
                            nothing_to_undo: true
                        }))
                        .in_lang(ctx.lang)
                    )?
                );
            }
            eprintln!("{}", msg("undo-nothing", &[("dir", s(dir.display()))]));
            Ok(Exit::Problems)
        }
        Err(e) => Err(e.into()),
    }
}
