//! `clawdoc send` and `clawdoc login`: this CLI as a gateway client.

use super::{not_yet, Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// Channel to send on (e.g. telegram).
    #[arg(long, default_value = "telegram")]
    pub channel: String,
    pub text: String,
}

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Provider to log in with (e.g. whatsapp).
    pub provider: String,
}

pub fn send(_args: SendArgs, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("send")
}

pub fn login(_args: LoginArgs, _ctx: &Ctx) -> anyhow::Result<Exit> {
    not_yet("login")
}
