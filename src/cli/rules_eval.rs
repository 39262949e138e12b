//! `clawdoc rules eval FILE…`: the rules scored on labelled pastes. Reads
//! the files, hands them to [`clawdoc::eval`] (which parses and scores),
//! and renders the figures: tables aligned by display width, texts from
//! the catalogue. Exit 1 when a floor (`--min-top1`, `--max-fp`) is
//! missed, 2 on bad input (file:line:col), else 0.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use owo_colors::{OwoColorize, Stream};
use unicode_width::UnicodeWidthStr;

use super::render::{pad, pad_left};
use super::tr::{self, msg, t};
use super::{Ctx, Exit};
use clawdoc::eval::{self, Evaluation, Figures, GroupFigures};
use clawdoc::report::{self, Versioned};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Eval files: TSV with a header `id, category, text[, source, split]`
    /// or JSON lines (`-` for stdin).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also count the paraphrase stage's guess when no pattern matched.
    #[arg(long)]
    pub guesses: bool,
    /// Also score each source with a guess index built from the rules'
    /// examples and the other sources' rows only.
    #[arg(long)]
    pub leave_one_source_out: bool,
    /// Exit 1 when top-1 accuracy is below PCT percent.
    #[arg(long, value_name = "PCT", value_parser = percent)]
    pub min_top1: Option<f64>,
    /// Exit 1 when the false-positive rate is above PCT percent.
    #[arg(long, value_name = "PCT", value_parser = percent)]
    pub max_fp: Option<f64>,
    /// Also list the misses of held-out rows (split = test).
    #[arg(long)]
    pub show_test_misses: bool,
}

fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = (s.trim().trim_end_matches('%').trim().parse())
        .map_err(|_| format!("`{s}` is not a percentage (e.g. 90 or 2.5)"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is not between 0 and 100"))
    }
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let mut rows = Vec::new();
    let mut names = Vec::new();
    for path in &args.files {
        let (name, bytes) = if path.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("reading stdin")?;
            ("<stdin>".to_string(), buf)
        } else {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot open {}", path.display()))?;
            (path.display().to_string(), bytes)
        };
        rows.extend(eval::parse(&name, &bytes)?);
        names.push(name);
    }
    let set = super::load_rules(ctx);
    let opts = eval::Options {
        guesses: args.guesses,
        leave_one_source_out: args.leave_one_source_out,
        show_test_misses: args.show_test_misses,
        min_top1: args.min_top1,
        max_fp: args.max_fp,
    };
    let evaluation = eval::evaluate(&set.rules, &rows, &opts)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = report::RulesEval::new(names, set.rules.len(), &evaluation);
        let doc = Versioned::new(doc).in_lang(ctx.lang);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        for f in evaluation.floors.iter().filter(|f| !f.met) {
            eprintln!("{}", floor_line(f));
        }
    } else {
        render(&mut out, &names, set.rules.len(), &evaluation)?;
    }
    Ok(if evaluation.passed() {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

fn bold(s: &str) -> String {
    s.if_supports_color(Stream::Stdout, |t| t.bold().to_string())
        .to_string()
}

/// `n/of = p%`, or `-` when there is nothing to measure.
fn ratio(n: usize, of: usize) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{n}/{of} = {:.1}%", n as f64 * 100.0 / of as f64)
    }
}

fn percent_or_dash(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}%"))
}

fn render(
    out: &mut impl Write,
    files: &[String],
    rules: usize,
    e: &Evaluation,
) -> std::io::Result<()> {
    let o = &e.overall;
    let mode = t(if e.guesses {
        "eval-mode-guesses"
    } else {
        "eval-mode-patterns"
    });
    let head = msg(
        "eval-head",
        &[
            ("files", tr::s(files.join(", "))),
            ("rows", tr::s(o.rows)),
            ("in_category", tr::s(o.in_category)),
            ("other", tr::s(o.other)),
            ("rules", tr::s(rules)),
            ("mode", tr::s(mode)),
        ],
    );
    writeln!(out, "{}", bold(&head))?;
    writeln!(
        out,
        "{}",
        msg(
            "eval-overall",
            &[
                ("top1", tr::s(ratio(o.top1, o.in_category))),
                ("fp", tr::s(ratio(o.false_positives, o.other))),
            ]
        )
    )?;
    if !e.splits.is_empty() {
        writeln!(out, "\n{}", bold(&t("eval-by-split")))?;
        groups(out, &t("eval-col-split"), &e.splits, e.guesses)?;
    }
    writeln!(out, "\n{}", bold(&t("eval-by-source")))?;
    groups(out, &t("eval-col-source"), &e.sources, e.guesses)?;
    if !e.categories.is_empty() {
        writeln!(out, "\n{}", bold(&t("eval-by-category")))?;
        categories(out, e)?;
        writeln!(out, "\n{}", bold(&t("eval-confusion")))?;
        confusion(out, e)?;
    }
    writeln!(
        out,
        "\n{}",
        bold(&msg("eval-misses", &[("count", tr::s(e.misses.len()))]))
    )?;
    misses(out, e)?;
    if e.hidden_test_misses > 0 {
        writeln!(
            out,
            "  {}",
            msg(
                "eval-misses-hidden",
                &[("count", tr::s(e.hidden_test_misses))]
            )
        )?;
    }
    if !e.leave_one_source_out.is_empty() {
        writeln!(out, "\n{}", bold(&t("eval-loso")))?;
        leave_one_source_out(out, e)?;
    }
    if !e.floors.is_empty() {
        writeln!(out)?;
        for f in &e.floors {
            writeln!(out, "{}", floor_line(f))?;
        }
    }
    Ok(())
}

/// A table: a header row and rows of cells, each column as wide as its
/// widest cell (by display width: headings may be CJK), columns from
/// `right_from` on right-aligned.
fn table(
    out: &mut impl Write,
    header: &[String],
    rows: &[Vec<String>],
    right_from: usize,
) -> std::io::Result<()> {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            std::iter::once(&header[i])
                .chain(rows.iter().map(|r| &r[i]))
                .map(|c| UnicodeWidthStr::width(c.as_str()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < right_from {
                    pad(c, widths[i])
                } else {
                    pad_left(c, widths[i])
                }
            })
            .collect();
        writeln!(out, "  {}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

fn figure_cells(f: &Figures, guesses: bool) -> Vec<String> {
    let mut cells = vec![
        f.rows.to_string(),
        ratio(f.top1, f.in_category),
        ratio(f.false_positives, f.other),
    ];
    if guesses {
        cells.push(f.guessed.to_string());
    }
    cells
}

fn groups(
    out: &mut impl Write,
    first: &str,
    groups: &[GroupFigures],
    guesses: bool,
) -> std::io::Result<()> {
    let mut header = vec![
        first.to_string(),
        t("eval-col-rows"),
        t("eval-col-top1"),
        t("eval-col-fp"),
    ];
    if guesses {
        header.push(t("eval-col-guessed"));
    }
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            let mut row = vec![g.name.clone()];
            row.extend(figure_cells(&g.figures, guesses));
            row
        })
        .collect();
    table(out, &header, &rows, 1)
}

fn categories(out: &mut impl Write, e: &Evaluation) -> std::io::Result<()> {
    let header = [
        "eval-col-category",
        "eval-col-rows",
        "eval-col-predicted",
        "eval-col-correct",
        "eval-col-precision",
        "eval-col-recall",
    ]
    .map(t);
    let rows: Vec<Vec<String>> = e
        .categories
        .iter()
        .map(|c| {
            vec![
                c.category.to_string(),
                c.rows.to_string(),
                c.predicted.to_string(),
                c.correct.to_string(),
                percent_or_dash(c.precision_pct),
                percent_or_dash(c.recall_pct),
            ]
        })
        .collect();
    table(out, &header, &rows, 1)
}

/// Label × prediction. Columns are numbered (category names are too wide
/// for a row of them): column N is the category on row N.
fn confusion(out: &mut impl Write, e: &Evaluation) -> std::io::Result<()> {
    // Every category that is a label or a prediction, in vocabulary order.
    let names: Vec<&str> = e.categories.iter().map(|c| c.category.as_str()).collect();
    let mut labels: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| e.confusion.iter().any(|c| c.label == *n))
        .collect();
    if e.confusion.iter().any(|c| c.label == "other") {
        labels.push("other");
    }
    let mut columns: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| e.confusion.iter().any(|c| c.predicted == *n))
        .collect();
    columns.push("none");
    let number = |name: &str| names.iter().position(|n| *n == name).map(|i| i + 1);
    let count = |label: &str, predicted: &str| {
        (e.confusion.iter())
            .find(|c| c.label == label && c.predicted == predicted)
            .map_or(0, |c| c.count)
    };
    let mut header = vec![String::new()];
    header.extend(columns.iter().map(|c| match number(c) {
        Some(n) => n.to_string(),
        None => t("eval-none"),
    }));
    let rows: Vec<Vec<String>> = labels
        .iter()
        .map(|label| {
            let name = match number(label) {
                Some(n) => format!("{n:>2} {label}"),
                None => format!("   {}", t("eval-other")),
            };
            let mut row = vec![name];
            row.extend(columns.iter().map(|p| match count(label, p) {
                0 => ".".to_string(),
                n => n.to_string(),
            }));
            row
        })
        .collect();
    table(out, &header, &rows, 1)
}

fn misses(out: &mut impl Write, e: &Evaluation) -> std::io::Result<()> {
    if e.misses.is_empty() {
        return writeln!(out, "  {}", t("eval-no-misses"));
    }
    let header = [
        "eval-col-id",
        "eval-col-label",
        "eval-col-got",
        "eval-col-text",
    ]
    .map(t);
    let guess = t("eval-guess-mark");
    let rows: Vec<Vec<String>> = e
        .misses
        .iter()
        .map(|m| {
            let got = if m.got == "none" {
                t("eval-none")
            } else {
                m.got.clone()
            };
            let got = if m.guessed {
                format!("{got} {guess}")
            } else {
                got
            };
            vec![m.id.clone(), m.label.clone(), got, m.text.clone()]
        })
        .collect();
    // Left-aligned throughout: ids, names and text.
    table(out, &header, &rows, usize::MAX)
}

fn leave_one_source_out(out: &mut impl Write, e: &Evaluation) -> std::io::Result<()> {
    let header = [
        "eval-col-source",
        "eval-col-index-rows",
        "eval-col-top1-patterns",
        "eval-col-top1-guesses",
        "eval-col-fp-patterns",
        "eval-col-fp-guesses",
    ]
    .map(t);
    let rows: Vec<Vec<String>> = e
        .leave_one_source_out
        .iter()
        .map(|s| {
            vec![
                s.source.clone(),
                s.index_rows.to_string(),
                ratio(s.patterns.top1, s.patterns.in_category),
                ratio(s.with_guesses.top1, s.with_guesses.in_category),
                ratio(s.patterns.false_positives, s.patterns.other),
                ratio(s.with_guesses.false_positives, s.with_guesses.other),
            ]
        })
        .collect();
    table(out, &header, &rows, 1)
}

fn floor_line(f: &eval::FloorCheck) -> String {
    let what = msg(
        if f.name == "min_top1" {
            "eval-floor-min-top1"
        } else {
            "eval-floor-max-fp"
        },
        &[("floor", tr::s(format!("{}%", f.floor)))],
    );
    let value = f
        .value
        .map_or_else(|| t("eval-floor-nothing"), |v| format!("{v:.2}%"));
    msg(
        if f.met {
            "eval-floor-met"
        } else {
            "eval-floor-missed"
        },
        &[("floor", tr::s(what)), ("value", tr::s(value))],
    )
}
