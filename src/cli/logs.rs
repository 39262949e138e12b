//! `clawdoc logs`: the gateway log.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("logs")
}
