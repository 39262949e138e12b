//! `clawdoc lookup`: paste an error, get the cause and the fix.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The error text; read from stdin when absent.
    pub text: Vec<String>,
    /// Print the matches as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("lookup")
}
