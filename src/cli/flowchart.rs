//! `clawdoc flowchart`: draws the flowchart data (`rules/flowchart.toml`)
//! as Mermaid, Graphviz DOT or JSON. Rule nodes show their rule's title and
//! its fixes (with applicability) from the rule files; nodes are grouped by
//! the seed's sections.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use clap::ValueEnum;

use super::{Ctx, Exit};
use crate::ruleset::flowchart::{self, Flowchart, Kind, Node};
use crate::ruleset::{self, RuleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Mermaid,
    Dot,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
    /// Leave out the fix nodes under each rule.
    #[arg(long)]
    pub no_fixes: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let dirs = ruleset::user_dirs(ctx.rules_dir.as_deref());
    let rules = super::rules::load_rules(ctx);
    let chart = match flowchart::load(&dirs, &rules) {
        Ok(chart) => chart,
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            anyhow::bail!("the flowchart does not load:\n{}", list.join("\n"));
        }
    };
    let text = match args.format {
        Format::Mermaid => mermaid(&chart, &rules, !args.no_fixes),
        Format::Dot => dot(&chart, &rules, !args.no_fixes),
        Format::Json => serde_json::to_string_pretty(&chart)? + "\n",
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Ok)
}

/// Node label: title, then commands for actions.
fn label(node: &Node, sep: &str) -> String {
    let mut parts = vec![match node.kind {
        Kind::Rule => format!("{}: {}", node.rule.as_deref().unwrap_or(""), node.title),
        _ => node.title.clone(),
    }];
    parts.extend(node.commands.iter().map(|c| format!("$ {c}")));
    parts.join(sep)
}

/// The fixes drawn under a rule node: (node id, label).
fn fixes(node: &Node, rules: &RuleSet) -> Vec<(String, String)> {
    let Some(rule) = node.rule.as_deref().and_then(|id| rules.get(id)) else {
        return Vec::new();
    };
    rule.fixes
        .iter()
        .map(|f| {
            let title = f.title_with(&BTreeMap::new());
            (
                format!("{}__{}", node.id, f.id),
                format!("[{}] {title}", f.applicability),
            )
        })
        .collect()
}

/// A section (slug, title) and its nodes.
type Section<'a> = (&'static str, &'static str, Vec<&'a Node>);

/// Nodes grouped by section slug (in the seed's order), then the rest.
fn by_section(chart: &Flowchart) -> (Vec<Section<'_>>, Vec<&Node>) {
    let mut grouped: BTreeMap<usize, Vec<&Node>> = BTreeMap::new();
    let mut loose = Vec::new();
    for node in &chart.nodes {
        match node
            .section
            .as_deref()
            .and_then(|s| ruleset::SECTIONS.iter().position(|(slug, _)| *slug == s))
        {
            Some(i) => grouped.entry(i).or_default().push(node),
            None => loose.push(node),
        }
    }
    let sections = grouped
        .into_iter()
        .map(|(i, nodes)| (ruleset::SECTIONS[i].0, ruleset::SECTIONS[i].1, nodes))
        .collect();
    (sections, loose)
}

fn mermaid_id(id: &str) -> String {
    format!("n_{}", id.replace(['-', '.'], "_"))
}

fn mermaid_text(s: &str) -> String {
    s.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

pub fn mermaid(chart: &Flowchart, rules: &RuleSet, with_fixes: bool) -> String {
    let mut out = String::from("flowchart TD\n");
    let declare = |out: &mut String, node: &Node, indent: &str| {
        let text = mermaid_text(&label(node, "<br/>"));
        let id = mermaid_id(&node.id);
        let _ = match node.kind {
            Kind::Question => writeln!(out, "{indent}{id}{{\"{text}\"}}"),
            Kind::Rule => writeln!(out, "{indent}{id}[[\"{text}\"]]"),
            Kind::Action => writeln!(out, "{indent}{id}[\"{text}\"]"),
            Kind::End => writeln!(out, "{indent}{id}([\"{text}\"])"),
        };
        if with_fixes {
            for (fix_id, fix_label) in fixes(node, rules) {
                let _ = writeln!(
                    out,
                    "{indent}{}>\"{}\"]",
                    mermaid_id(&fix_id),
                    mermaid_text(&fix_label)
                );
            }
        }
    };
    let (sections, loose) = by_section(chart);
    for (slug, title, nodes) in &sections {
        let _ = writeln!(
            out,
            "  subgraph s_{}[\"{}\"]",
            slug.replace('-', "_"),
            mermaid_text(title)
        );
        for node in nodes {
            declare(&mut out, node, "    ");
        }
        out.push_str("  end\n");
    }
    for node in &loose {
        declare(&mut out, node, "  ");
    }
    for (from, to, text) in chart.edges() {
        let _ = match text {
            Some(t) => writeln!(
                out,
                "  {} -->|\"{}\"| {}",
                mermaid_id(from),
                mermaid_text(t),
                mermaid_id(to)
            ),
            None => writeln!(out, "  {} --> {}", mermaid_id(from), mermaid_id(to)),
        };
    }
    if with_fixes {
        for node in &chart.nodes {
            for (fix_id, _) in fixes(node, rules) {
                let _ = writeln!(
                    out,
                    "  {} -.-> {}",
                    mermaid_id(&node.id),
                    mermaid_id(&fix_id)
                );
            }
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn dot(chart: &Flowchart, rules: &RuleSet, with_fixes: bool) -> String {
    let mut out = String::from("digraph clawdoc {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let declare = |out: &mut String, node: &Node, indent: &str| {
        let shape = match node.kind {
            Kind::Question => "diamond",
            Kind::Rule => "box, style=\"rounded,bold\"",
            Kind::Action => "box",
            Kind::End => "oval",
        };
        let _ = writeln!(
            out,
            "{indent}\"{}\" [shape={shape}, label=\"{}\"];",
            dot_text(&node.id),
            dot_text(&label(node, "\\n"))
        );
        if with_fixes {
            for (fix_id, fix_label) in fixes(node, rules) {
                let _ = writeln!(
                    out,
                    "{indent}\"{}\" [shape=note, label=\"{}\"];",
                    dot_text(&fix_id),
                    dot_text(&fix_label)
                );
            }
        }
    };
    let (sections, loose) = by_section(chart);
    for (slug, title, nodes) in &sections {
        let _ = writeln!(
            out,
            "  subgraph \"cluster_{slug}\" {{\n    label=\"{}\";",
            dot_text(title)
        );
        for node in nodes {
            declare(&mut out, node, "    ");
        }
        out.push_str("  }\n");
    }
    for node in &loose {
        declare(&mut out, node, "  ");
    }
    for (from, to, text) in chart.edges() {
        let _ = match text {
            Some(t) => writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                dot_text(from),
                dot_text(to),
                dot_text(t)
            ),
            None => writeln!(out, "  \"{}\" -> \"{}\";", dot_text(from), dot_text(to)),
        };
    }
    if with_fixes {
        for node in &chart.nodes {
            for (fix_id, _) in fixes(node, rules) {
                let _ = writeln!(
                    out,
                    "  \"{}\" -> \"{}\" [style=dashed];",
                    dot_text(&node.id),
                    dot_text(&fix_id)
                );
            }
        }
    }
    out.push_str("}\n");
    out
}
