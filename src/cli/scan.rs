//! `clawdoc scan`: run log files through the rules, fast and in bounded
//! memory ([`clawdoc::engine::Scanner`]). Per rule: count, first and last line,
//! a sample. Exit 1 when any rule matched (problems found), 0 when none did
//! or only informational rules did (routine lines, listed apart).
//! `CLAWDOC_SCAN_THREADS` sets the number of matching threads.

use super::render::{pad, pad_left};
use super::tr::{self, msg, s, t};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use unicode_width::UnicodeWidthStr;

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
                .with_context(|| t("err-reading-stdin"))?
        } else {
            let file = File::open(path)
                .with_context(|| msg("err-opening", &[("path", s(path.display()))]))?;
            scanner
                .scan(file)
                .with_context(|| msg("err-reading", &[("path", s(path.display()))]))?
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
    let mut head = msg(
        "scan-head",
        &[
            ("name", tr::s(name)),
            ("lines", tr::s(s.lines)),
            ("matched", tr::s(s.matched_lines)),
        ],
    );
    if s.routine_lines > 0 {
        head.push_str(&msg(
            "scan-head-routine",
            &[("routine", tr::s(s.routine_lines))],
        ));
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
        writeln!(out, "  {}", t("scan-no-match"))?;
    } else {
        table(out, &problems)?;
        writeln!(out, "  {}", t("scan-explain-one"))?;
    }
    if !routine.is_empty() {
        writeln!(out, "  {}", t("scan-routine"))?;
        table(out, &routine)?;
    }
    Ok(())
}

fn table(out: &mut impl Write, rows: &[&RuleCount<'_>]) -> std::io::Result<()> {
    // Headings may be CJK (two columns per character): pad by display
    // width, never by chars or bytes.
    let [rule, category, count, first, last, sample] = [
        "scan-col-rule",
        "scan-col-category",
        "scan-col-count",
        "scan-col-first",
        "scan-col-last",
        "scan-col-sample",
    ]
    .map(t);
    let width = rows
        .iter()
        .map(|r| r.rule.id.len())
        .chain([UnicodeWidthStr::width(rule.as_str())])
        .max()
        .unwrap_or(4)
        .max(4);
    let category_width = 18.max(UnicodeWidthStr::width(category.as_str()));
    writeln!(
        out,
        "  {}  {} {} {} {}  {sample}",
        pad(&rule, width),
        pad(&category, category_width),
        pad_left(&count, 8),
        pad_left(&first, 9),
        pad_left(&last, 9),
    )?;
    for r in rows {
        writeln!(
            out,
            "  {}  {} {:>8} {:>9} {:>9}  {}",
            pad(&r.rule.id, width),
            pad(r.rule.category.as_str(), category_width),
            r.count,
            r.first_line,
            r.last_line,
            clawdoc::engine::clip_printable(&r.sample, 100)
        )?;
    }
    Ok(())
}
