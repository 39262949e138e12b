//! `clawdoc flowchart`: draw the flowchart data (`rules/flowchart.toml`) as
//! Mermaid or Graphviz dot, with rule titles at the ends.

use std::io::Write;

use super::{Ctx, Exit};
use clawdoc::flow::Flowchart;
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
        Format::Mermaid => chart.to_mermaid(&rules),
        Format::Dot => chart.to_dot(&rules),
        Format::Json => {
            serde_json::to_string_pretty(&clawdoc::report::Versioned::new(&chart))? + "\n"
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Ok)
}
