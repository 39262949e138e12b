//! `clawdoc send` and `clawdoc login`: this CLI as a gateway device.
//!
//! Renders [`clawdoc::client`] outcomes in the seed's wording:
//! ```text
//! [telegram] send failed: gateway not connected
//! Error: connect ECONNREFUSED 127.0.0.1:3001
//! ```
//! Exit: 0 done; 1 the gateway refused or is unreachable (not connected,
//! disconnected with a close code, request error, timeout); 2 local error
//! (unreadable identity or device store).

use super::tr::{msg, s, t};
use super::{Ctx, Exit};
use clawdoc::client::{self, ClientError, DEFAULT_TIMEOUT};
use clawdoc::protocol::{close, error_code};

#[derive(Debug, clap::Args)]
pub(crate) struct SendArgs {
    /// Channel to send on (e.g. telegram).
    #[arg(long, default_value = "telegram")]
    pub channel: String,
    pub text: String,
}

#[derive(Debug, clap::Args)]
pub(crate) struct LoginArgs {
    /// Provider to log in with (e.g. whatsapp).
    pub provider: String,
}

pub(crate) fn send(args: SendArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    let port = client::client_port(&ctx.home);
    match client::send(&ctx.home, port, &args.channel, &args.text, DEFAULT_TIMEOUT) {
        Ok(receipt) => {
            let args = [
                ("channel", s(&receipt.channel)),
                ("chars", s(receipt.chars)),
            ];
            outln!("{}", msg("send-sent", &args));
            Ok(Exit::Ok)
        }
        Err(e) => Ok(report(
            &msg("send-failed", &[("channel", s(&args.channel))]),
            &e,
        )),
    }
}

pub(crate) fn login(args: LoginArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    let port = client::client_port(&ctx.home);
    match client::login(&ctx.home, port, &args.provider, DEFAULT_TIMEOUT) {
        Ok(reply) => {
            match (&reply.url, &reply.message) {
                (Some(url), _) => outln!(
                    "{}",
                    msg(
                        "login-open-url",
                        &[("provider", s(&reply.provider)), ("url", s(url))]
                    )
                ),
                (None, Some(message)) => outln!("[{}] {message}", reply.provider),
                (None, None) => {
                    outln!("{}", msg("login-done", &[("provider", s(&reply.provider))]))
                }
            }
            Ok(Exit::Ok)
        }
        Err(e) => Ok(report(
            &msg("login-failed", &[("provider", s(&args.provider))]),
            &e,
        )),
    }
}

/// Prints the failure, its low-level cause and a hint; returns the exit code.
fn report(prefix: &str, e: &ClientError) -> Exit {
    eprintln!("{prefix}: {e}");
    if let Some(cause) = e.cause_line() {
        eprintln!("Error: {cause}");
    }
    if let Some(hint) = hint(e) {
        eprintln!("{}", msg("gw-hint", &[("hint", s(hint))]));
    }
    match e {
        ClientError::Identity { .. } | ClientError::DeviceStore(_) => Exit::Error,
        _ => Exit::Problems,
    }
}

fn hint(e: &ClientError) -> Option<String> {
    let id = match e {
        ClientError::NotConnected { .. } => "client-hint-not-connected",
        ClientError::Disconnected { code, .. } if *code == close::TOKEN_MISMATCH => {
            "client-hint-token-mismatch"
        }
        ClientError::Disconnected { code, reason }
            if *code == close::POLICY && reason == close::REASON_PAIRING_REQUIRED =>
        {
            "client-hint-pairing-required"
        }
        ClientError::Request { code, .. } if code == error_code::INVALID_CONFIG => {
            "client-hint-invalid-config"
        }
        ClientError::Request { code, .. } if code == error_code::PROVIDER_UNAVAILABLE => {
            "client-hint-no-display"
        }
        _ => return None,
    };
    Some(t(id))
}
