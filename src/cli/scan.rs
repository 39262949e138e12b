//! `clawdoc scan`: run log files through the rules.

use std::path::PathBuf;

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Log files (`-` for stdin).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("scan")
}
