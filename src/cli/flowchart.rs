//! `clawdoc flowchart`: draw the flowchart data (`rules/flowchart.toml`) as
//! Mermaid or Graphviz dot (the renderers live here; `flow` gives the
//! drawing as data), with rule titles at the ends.

use std::io::Write;

use super::{Ctx, Exit};
use clawdoc::flow::{Drawing, Flowchart, Shape};
use clawdoc::ruleset::{self, RuleSet};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    Mermaid,
    Dot,
    Json,
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
    Ok((rules, chart))
}

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let (rules, chart) = load_chart(ctx)?;
    let text = match args.format {
        Format::Mermaid => to_mermaid(&chart.drawing(&rules)),
        Format::Dot => to_dot(&chart.drawing(&rules)),
        Format::Json => {
            serde_json::to_string_pretty(&clawdoc::report::Versioned::new(&chart))? + "\n"
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Ok)
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
