//! `clawdoc gateway run|start|stop|restart|status`, and the `restart` and
//! `status` shortcuts.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the gateway in the foreground.
    Run,
    /// Start the gateway in the background and wait until it is ready.
    Start,
    /// Stop the gateway.
    Stop,
    /// Restart the gateway.
    Restart(RestartArgs),
    /// Show the gateway state.
    Status(StatusArgs),
}

#[derive(Debug, clap::Args)]
pub struct RestartArgs {}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(_cmd: Command, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("gateway")
}

pub fn restart(_args: RestartArgs, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("restart")
}

pub fn status(_args: StatusArgs, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("status")
}
