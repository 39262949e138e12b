//! `clawdoc config get|set|unset|validate|path`.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the config file path.
    Path,
}

pub fn run(_cmd: Command, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("config")
}
