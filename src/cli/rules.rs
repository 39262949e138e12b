//! `clawdoc rules …`: the rule set as a user-facing object.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List every rule with its origin.
    List,
}

pub fn run(_cmd: Command, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("rules")
}
