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
        Format::Mermaid => draw(&chart.drawing(&rules), &Mermaid),
        Format::Dot => draw(&chart.drawing(&rules), &Dot),
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

/// How one drawing language writes each part of a chart. [`draw`] walks the
/// chart once (nodes in file order, then edges, then the rules at the ends)
/// for every language.
trait Dialect {
    fn header(&self) -> &'static str;
    fn footer(&self) -> &'static str {
        ""
    }
    fn node(&self, id: &str, shape: Shape, text: &str) -> String;
    fn edge(&self, from: &str, label: &str, to: &str) -> String;
    fn rule(&self, key: &str, title: &str) -> String;
}

fn draw(d: &Drawing, dialect: &dyn Dialect) -> String {
    let mut out = String::from(dialect.header());
    for (id, shape, text) in &d.nodes {
        out.push_str(&dialect.node(id, *shape, text));
    }
    for (from, label, to) in &d.edges {
        out.push_str(&dialect.edge(from, label, to));
    }
    for (key, title) in &d.rules {
        out.push_str(&dialect.rule(key, title));
    }
    out.push_str(dialect.footer());
    out
}

/// Mermaid `flowchart TD` source.
struct Mermaid;

impl Mermaid {
    fn ident(k: &str) -> String {
        k.replace([':', '-', '.'], "_")
    }
    fn quote(s: &str) -> String {
        s.replace('"', "#quot;")
    }
}

impl Dialect for Mermaid {
    fn header(&self) -> &'static str {
        "flowchart TD\n"
    }
    fn node(&self, id: &str, shape: Shape, text: &str) -> String {
        let (open, close) = match shape {
            Shape::Question => ("[/", "/]"),
            Shape::Check => ("{", "}"),
            Shape::End => ("([", "])"),
        };
        format!(
            "    {}{open}\"{}\"{close}\n",
            Self::ident(id),
            Self::quote(text)
        )
    }
    fn edge(&self, from: &str, label: &str, to: &str) -> String {
        format!(
            "    {} -->|\"{}\"| {}\n",
            Self::ident(from),
            Self::quote(label),
            Self::ident(to)
        )
    }
    fn rule(&self, key: &str, title: &str) -> String {
        format!("    {}[[\"{}\"]]\n", Self::ident(key), Self::quote(title))
    }
}

/// Graphviz `digraph` source.
struct Dot;

impl Dot {
    fn esc(s: &str) -> String {
        s.replace('\\', "\\\\").replace('"', "\\\"")
    }
}

impl Dialect for Dot {
    fn header(&self) -> &'static str {
        "digraph clawdoc {\n    rankdir=TB;\n    node [fontname=\"Helvetica\"];\n"
    }
    fn footer(&self) -> &'static str {
        "}\n"
    }
    fn node(&self, id: &str, shape: Shape, text: &str) -> String {
        let shape = match shape {
            Shape::Question => "parallelogram",
            Shape::Check => "diamond",
            Shape::End => "oval",
        };
        format!(
            "    \"{}\" [shape={shape}, label=\"{}\"];\n",
            Self::esc(id),
            Self::esc(text)
        )
    }
    fn edge(&self, from: &str, label: &str, to: &str) -> String {
        format!(
            "    \"{}\" -> \"{}\" [label=\"{}\"];\n",
            Self::esc(from),
            Self::esc(to),
            Self::esc(label)
        )
    }
    fn rule(&self, key: &str, title: &str) -> String {
        format!(
            "    \"{}\" [shape=box, style=bold, label=\"{}\"];\n",
            Self::esc(key),
            Self::esc(title)
        )
    }
}
