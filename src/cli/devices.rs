//! `clawdoc devices list|approve|remove`: the gateway's device store.
//!
//! Edits `devices.json` directly (under its lock); a running gateway re-reads
//! it on every connect, so no restart is needed. Tokens are never shown: they
//! are derived, not stored. Exit: 0 done; 2 unknown id or unreadable store.

use super::tr::{msg, s, t};
use super::{Ctx, Exit};
use clawdoc::report::{self, Versioned};
use clawdoc::state::devices::{self, Approved, Removed};
use clawdoc::text::now_rfc3339_millis;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// List paired devices and pending pairing requests.
    List(ListArgs),
    /// Approve a pending pairing request.
    Approve(IdArg),
    /// Remove a paired device (it must pair again) or drop a pending request.
    Remove(IdArg),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Print JSON: `{"schema_version":1,…,"paired":[…],"pending":[…]}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct IdArg {
    /// Device id (see `clawdoc devices list`).
    pub id: String,
}

pub(crate) fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<Exit> {
    let path = ctx.home.devices_path();
    match cmd {
        Command::List(args) => {
            let store = devices::load(&path)?;
            if args.json {
                let doc = Versioned::new(report::Devices::new(&store)).in_lang(ctx.lang);
                outln!("{}", serde_json::to_string_pretty(&doc)?);
                return Ok(Exit::Ok);
            }
            outln!(
                "{}",
                msg("devices-paired", &[("count", s(store.paired.len()))])
            );
            for d in &store.paired {
                let name = d.name.as_deref().unwrap_or("-");
                let when = msg("devices-paired-at", &[("when", s(&d.paired_at))]);
                outln!("  {}  {}  {name}  {when}", d.id, d.client);
            }
            outln!(
                "{}",
                msg("devices-pending", &[("count", s(store.pending.len()))])
            );
            for p in &store.pending {
                let name = p.name.as_deref().unwrap_or("-");
                let peer = p.peer.as_deref().unwrap_or("-");
                let from = msg(
                    "devices-requested",
                    &[("peer", s(peer)), ("when", s(&p.requested_at))],
                );
                outln!("  {}  {}  {name}  {from}", p.id, p.client);
            }
            if !store.pending.is_empty() {
                outln!("{}", t("devices-approve-hint"));
            }
            Ok(Exit::Ok)
        }
        Command::Approve(IdArg { id }) => {
            match devices::update(&path, |s| s.approve(&id, &now_rfc3339_millis()))?? {
                Approved::Newly => outln!("{}", msg("devices-approved", &[("id", s(&id))])),
                Approved::AlreadyPaired => {
                    outln!("{}", msg("devices-already-paired", &[("id", s(&id))]))
                }
            }
            Ok(Exit::Ok)
        }
        Command::Remove(IdArg { id }) => {
            match devices::update(&path, |s| s.remove(&id))?? {
                Removed::Paired => outln!("{}", msg("devices-removed", &[("id", s(&id))])),
                Removed::Pending => outln!("{}", msg("devices-dropped", &[("id", s(&id))])),
            }
            Ok(Exit::Ok)
        }
    }
}
