//! `clawdoc setup`: write a working config (mode, port, a pinned random
//! token) interactively with dialoguer, or from flags with
//! `--non-interactive`. The text comes from `config::edit`; this file asks
//! the questions and renders. The token is never printed.
//!
//! Exit codes: 0 written; 2 refused (a config exists and `--force` was not
//! given, no terminal for the questions, bad flag values) or an I/O error.

use super::tr::{msg, s, t};
use std::io::IsTerminal;

use anyhow::Context;

use super::{Ctx, Exit};
use clawdoc::config::{self, edit, Mode, Secret};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Take every answer from the flags (defaults: mode local, port 3001);
    /// needed when there is no terminal.
    #[arg(long)]
    pub non_interactive: bool,
    /// local (127.0.0.1 only), remote (all interfaces) or hybrid.
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<Mode>,
    /// The gateway port (1-65535).
    #[arg(long, value_parser = parse_port)]
    pub port: Option<u16>,
    /// Replace an existing config (it is kept as config.toml.bak.1). The
    /// pinned token is kept unless --rotate-token is given.
    #[arg(long)]
    pub force: bool,
    /// With --force: write a new token (every paired device must re-pair).
    #[arg(long, requires = "force")]
    pub rotate_token: bool,
}

fn parse_mode(s: &str) -> Result<Mode, config::ValueError> {
    config::check_mode(s)
}

fn parse_port(s: &str) -> Result<u16, config::ValueError> {
    config::check_port(s)
}

const MODES: [Mode; 3] = [Mode::Local, Mode::Remote, Mode::Hybrid];

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let path = ctx.home.config_path();
    let exists = path.exists();
    if exists && !args.force {
        anyhow::bail!(msg("setup-exists", &[("path", s(path.display()))]));
    }
    // With --force, keep what the old file pinned unless told otherwise:
    // rotating the token silently would break every paired device.
    let previous = exists
        .then(|| config::load_with_env(&path, &|_| None).ok())
        .flatten();
    let default_port = previous
        .as_ref()
        .map_or(config::DEFAULT_PORT, |l| l.config.port);
    let default_mode = previous
        .as_ref()
        .and_then(|l| l.config.mode)
        .unwrap_or(Mode::Local);

    let (mode, port) = if args.non_interactive {
        (
            args.mode.unwrap_or(default_mode),
            args.port.unwrap_or(default_port),
        )
    } else {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            anyhow::bail!(t("setup-no-tty"));
        }
        ask(
            args.mode.unwrap_or(default_mode),
            args.port.unwrap_or(default_port),
        )?
    };

    let kept_token = previous
        .as_ref()
        .and_then(|l| l.config.token.clone())
        .filter(|_| !args.rotate_token);
    let token_note = if kept_token.is_some() {
        t("setup-token-kept")
    } else {
        t("setup-token-new")
    };
    let token = kept_token.unwrap_or_else(Secret::generate);
    let text = edit::default_config_text(port, &token);
    let text = edit::set_in_text(&text, "gateway.mode", mode.as_str())?;
    let backup = edit::write_config(&path, &text)
        .with_context(|| msg("err-writing", &[("path", s(path.display()))]))?;
    let args = [
        ("path", s(path.display())),
        ("mode", s(mode)),
        ("port", s(port)),
        ("token", s(token_note)),
    ];
    outln!("{}", msg("setup-wrote", &args));
    if let Some(b) = backup {
        outln!("{}", msg("setup-backup", &[("path", s(b.display()))]));
    }
    outln!("{}", t("setup-next"));
    Ok(Exit::Ok)
}

/// The interactive questions (dialoguer on stderr).
fn ask(default_mode: Mode, default_port: u16) -> anyhow::Result<(Mode, u16)> {
    let theme = dialoguer::theme::ColorfulTheme::default();
    let labels = [
        t("setup-ask-mode-local"),
        t("setup-ask-mode-remote"),
        t("setup-ask-mode-hybrid"),
    ];
    let default_index = MODES.iter().position(|m| *m == default_mode).unwrap_or(0);
    let choice = dialoguer::Select::with_theme(&theme)
        .with_prompt(t("setup-ask-mode"))
        .items(&labels)
        .default(default_index)
        .interact()
        .with_context(|| t("setup-ask-failed"))?;
    let port: String = dialoguer::Input::with_theme(&theme)
        .with_prompt(t("setup-ask-port"))
        .default(default_port.to_string())
        .validate_with(|s: &String| config::check_port(s).map(|_| ()))
        .interact_text()
        .with_context(|| t("setup-ask-failed"))?;
    Ok((MODES[choice], config::check_port(&port)?))
}
