//! `clawdoc flowchart`: draw the flowchart data (`rules/flowchart.toml`) as
//! Mermaid, Graphviz dot (the renderers live here; `flow` gives the
//! drawing as data), JSON or an indented tree for a terminal, with rule
//! titles at the ends.

use std::io::Write;

use super::{Ctx, Exit};
use std::collections::BTreeSet;

use clawdoc::flow::{Drawing, Flowchart, NodeKind, Shape, Target};
use clawdoc::ruleset::{self, RuleSet};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    Mermaid,
    Dot,
    Json,
    /// An indented tree for a terminal.
    Text,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
}

/// The rules and the flowchart as this invocation sees them (user rule
/// directories included), or every problem with file:line:col.
pub(crate) fn load_chart(ctx: &Ctx) -> anyhow::Result<(RuleSet, Flowchart)> {
    let dirs = ruleset::user_dirs(ctx.rules_dir.as_deref());
    let rules = ruleset::load_from(&dirs);
    let chart = Flowchart::load(&dirs, &rules).map_err(|errs| {
        anyhow::anyhow!(errs
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"))
    })?;
    let chart = chart.for_target(ctx.target().kind());
    Ok((rules.localized(ctx.lang), chart.localized(ctx.lang)))
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let (rules, chart) = load_chart(ctx)?;
    let text = match args.format {
        Format::Mermaid => to_mermaid(&chart.drawing(&rules)),
        Format::Dot => to_dot(&chart.drawing(&rules)),
        Format::Json => {
            serde_json::to_string_pretty(
                &clawdoc::report::Versioned::new(&chart).in_lang(ctx.lang),
            )? + "\n"
        }
        Format::Text => text_tree(&chart, &rules),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Ok)
}

/// The chart as an indented tree from its start: questions `?`, checks `◇`,
/// ends `■`, rules `→`. A node reached a second time is named, not redrawn,
/// so the tree stays as long as the chart.
fn text_tree(chart: &Flowchart, rules: &RuleSet) -> String {
    fn node(
        chart: &Flowchart,
        rules: &RuleSet,
        id: &str,
        depth: usize,
        seen: &mut BTreeSet<String>,
        out: &mut String,
    ) {
        let pad = "  ".repeat(depth);
        let Some(n) = chart.nodes.iter().find(|n| n.id == id) else {
            out.push_str(&format!("{pad}? {id} (missing)\n"));
            return;
        };
        if !seen.insert(id.to_owned()) {
            out.push_str(&format!("{pad}↑ see [{id}]\n"));
            return;
        }
        let section = n
            .section
            .as_deref()
            .map(|s| format!("  ({s})"))
            .unwrap_or_default();
        let edges: Vec<(String, &Target)> = match &n.kind {
            NodeKind::Question { text, choices } => {
                out.push_str(&format!("{pad}? {text} [{id}]{section}\n"));
                choices.iter().map(|c| (c.label.clone(), &c.next)).collect()
            }
            NodeKind::Check { text, yes, no, .. } => {
                out.push_str(&format!("{pad}◇ {text} [{id}]{section}\n"));
                vec![("yes".to_owned(), yes), ("no".to_owned(), no)]
            }
            NodeKind::End { text } => {
                out.push_str(&format!("{pad}■ {text}\n"));
                Vec::new()
            }
        };
        // Leaves (rules) first; a single way on continues the chain at this
        // depth, several ways on are indented under their labels.
        let onward: Vec<(&String, &String)> = edges
            .iter()
            .filter_map(|(label, next)| match next {
                Target::Node(next) => Some((label, next)),
                Target::Rule(_) => None,
            })
            .collect();
        for (label, next) in &edges {
            if let Target::Rule(rule) = next {
                let title = rules.get(rule).map_or(rule.as_str(), |r| r.title.as_str());
                out.push_str(&format!("{pad}  {label} → {title} ({rule})\n"));
            }
        }
        match onward.as_slice() {
            [(label, next)] => {
                out.push_str(&format!("{pad}  {label} ↓\n"));
                node(chart, rules, next, depth, seen, out);
            }
            several => {
                for (label, next) in several {
                    out.push_str(&format!("{pad}  {label}:\n"));
                    node(chart, rules, next, depth + 2, seen, out);
                }
            }
        }
    }
    let mut out = String::new();
    node(
        chart,
        rules,
        &chart.start,
        0,
        &mut BTreeSet::new(),
        &mut out,
    );
    out
}

/// Mermaid `flowchart TD` source.
fn to_mermaid(d: &Drawing) -> String {
    let ident = |k: &str| k.replace([':', '-', '.'], "_");
    let quote = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart TD\n");
    for (id, shape, text) in &d.nodes {
        let (open, close) = match shape {
            Shape::Question => ("[/", "/]"),
            Shape::Check => ("{", "}"),
            Shape::End => ("([", "])"),
        };
        out.push_str(&format!(
            "    {}{open}\"{}\"{close}\n",
            ident(id),
            quote(text)
        ));
    }
    for (from, label, to) in &d.edges {
        out.push_str(&format!(
            "    {} -->|\"{}\"| {}\n",
            ident(from),
            quote(label),
            ident(to)
        ));
    }
    for (key, title) in &d.rules {
        out.push_str(&format!("    {}[[\"{}\"]]\n", ident(key), quote(title)));
    }
    out
}

/// Graphviz `digraph` source.
fn to_dot(d: &Drawing) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out =
        String::from("digraph clawdoc {\n    rankdir=TB;\n    node [fontname=\"Helvetica\"];\n");
    for (id, shape, text) in &d.nodes {
        let shape = match shape {
            Shape::Question => "parallelogram",
            Shape::Check => "diamond",
            Shape::End => "oval",
        };
        out.push_str(&format!(
            "    \"{}\" [shape={shape}, label=\"{}\"];\n",
            esc(id),
            esc(text)
        ));
    }
    for (from, label, to) in &d.edges {
        out.push_str(&format!(
            "    \"{}\" -> \"{}\" [label=\"{}\"];\n",
            esc(from),
            esc(to),
            esc(label)
        ));
    }
    for (key, title) in &d.rules {
        out.push_str(&format!(
            "    \"{}\" [shape=box, style=bold, label=\"{}\"];\n",
            esc(key),
            esc(title)
        ));
    }
    out.push_str("}\n");
    out
}
