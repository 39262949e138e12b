//! `clawdoc doctor` and `clawdoc undo`.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {
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
pub struct UndoArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("doctor")
}

pub fn undo(_args: UndoArgs, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("undo")
}
