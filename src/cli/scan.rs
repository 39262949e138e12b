//! `clawdoc scan`: run log files through the rules, fast and in bounded
//! memory ([`clawdoc::engine::Scanner`]). Per rule: count, first and last line,
//! a sample. Exit 1 when any rule matched (problems found), 0 when none did
//! or only informational rules did (routine lines, listed apart).
//! `CLAWDOC_SCAN_THREADS` sets the number of matching threads.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use owo_colors::{OwoColorize, Stream};

use super::{Ctx, Exit};
use clawdoc::engine::{Engine, RuleCount, ScanSummary};
use clawdoc::report::{self, Versioned};
use clawdoc::ruleset::Role;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Log files (`-` for stdin).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the summary as JSON (one object; one per line, with "path", for several files).
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let set = super::load_rules(ctx);
    let engine = Engine::new(&set.rules)?;
    let mut scanner = engine.scanner()?;
    super::warn_dropped(&scanner);
    // Worker threads default to one per core (at most four).
    if let Some(n) = std::env::var("CLAWDOC_SCAN_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        scanner = scanner.with_threads(n);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut any = false;
    let several = args.files.len() > 1;
    for path in &args.files {
        let summary = if path.as_os_str() == "-" {
            scanner
                .scan(std::io::stdin().lock())
                .context("reading stdin")?
        } else {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            scanner
                .scan(file)
                .with_context(|| format!("reading {}", path.display()))?
        };
        any |= summary.matched_lines > 0;
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        if args.json {
            let doc = Versioned::new(report::Scan::from_summary(
                &summary,
                several.then(|| name.clone()),
            ))
            .in_lang(ctx.lang);
            if several {
                writeln!(out, "{}", serde_json::to_string(&doc)?)?;
            } else {
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            }
        } else {
            render(&mut out, &name, &summary)?;
        }
    }
    Ok(if any { Exit::Problems } else { Exit::Ok })
}

fn render(out: &mut impl Write, name: &str, s: &ScanSummary<'_>) -> std::io::Result<()> {
    let mut head = format!("{name}: {} lines, {} matched", s.lines, s.matched_lines);
    if s.routine_lines > 0 {
        head.push_str(&format!(", {} routine", s.routine_lines));
    }
    writeln!(
        out,
        "{}",
        head.if_supports_color(Stream::Stdout, |t| t.bold().to_string())
    )?;
    let (routine, problems): (Vec<&RuleCount<'_>>, Vec<&RuleCount<'_>>) = s
        .rules
        .iter()
        .partition(|r| r.rule.role == Role::Informational);
    if problems.is_empty() {
        writeln!(out, "  no rule matched")?;
    } else {
        table(out, &problems)?;
        writeln!(
            out,
            "  explain one: clawdoc rules show <RULE>, or clawdoc lookup '<line>'"
        )?;
    }
    if !routine.is_empty() {
        writeln!(
            out,
            "  routine lines (a healthy gateway prints them too; not problems):"
        )?;
        table(out, &routine)?;
    }
    Ok(())
}

fn table(out: &mut impl Write, rows: &[&RuleCount<'_>]) -> std::io::Result<()> {
    let width = rows
        .iter()
        .map(|r| r.rule.id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "  {:<width$}  {:<18} {:>8} {:>9} {:>9}  SAMPLE",
        "RULE", "CATEGORY", "COUNT", "FIRST", "LAST"
    )?;
    for r in rows {
        writeln!(
            out,
            "  {:<width$}  {:<18} {:>8} {:>9} {:>9}  {}",
            r.rule.id,
            r.rule.category.as_str(),
            r.count,
            r.first_line,
            r.last_line,
            clawdoc::engine::clip_printable(&r.sample, 100)
        )?;
    }
    Ok(())
}
