//! `clawdoc devices list|approve|remove`.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List paired and pending devices.
    List,
}

pub fn run(_cmd: Command, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("devices")
}
