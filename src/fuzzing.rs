//! Entry points for `fuzz/` only; not a stable API.
//!
//! The parsers that see untrusted input are `pub(crate)`; the cargo-fuzz
//! targets (a separate crate) reach them through these thin wrappers, which
//! call the same functions production does. Results are reduced to what a
//! target checks, so no crate-private type leaks out. Anything already
//! public (`Engine`, `RuleSet`, `ruleset::compile`, `config::edit`) the
//! targets use directly.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use crate::flow::Flowchart;
use crate::health::{self, Health, HealthError};
use crate::probe::{oom, port, resources};
use crate::procinfo::{self, ProcStat};
use crate::protocol::{
    error_code, valid_device_id, valid_name, ClientFrame, LoginParams, Response, SendParams,
    ServerFrame,
};
use crate::ruleset::RuleSet;
use crate::state::lock;
use crate::state::pid::{PidFileError, PidRecord};
use crate::{config, config::edit};

/// `config.toml` text as `clawdoc` loads it (no environment).
pub fn parse_config(path: &Path, text: &str) -> Result<(), config::LoadError> {
    config::parse(path, text).map(drop)
}

/// The deprecated-key fix's edit: the new text.
pub fn migrate_config(text: &str) -> Result<String, edit::EditError> {
    edit::migrate_deprecated_in_text(text).map(|(out, _)| out)
}

/// A user flowchart file, validated against `rules`.
pub fn parse_flowchart(path: &str, text: &str, rules: &RuleSet) -> Option<Flowchart> {
    Flowchart::parse(path, text, rules).ok()
}

/// Whether the bytes read so far hold a whole HTTP response.
pub fn http_is_complete(response: &[u8]) -> bool {
    health::is_complete(response)
}

/// Status code and body of a raw HTTP/1.x response.
pub fn http_parse_response(response: &[u8]) -> Option<(u16, String)> {
    health::parse_response(response).map(|(status, _, body)| (status, body))
}

/// A raw `/health` response read as the gateway's answer, as
/// [`health::check_health`] reads what it received.
pub fn read_health(port: u16, response: &[u8]) -> Result<Health, HealthError> {
    let reply = health::reply_from(port, response, 1.0)?;
    health::health_from_reply(port, &reply)
}

/// One `SOCK_DIAG_BY_FAMILY` reply datagram into `inodes`; `Ok(true)` once
/// the dump is done.
pub fn parse_diag_reply(data: &[u8], port: u16, inodes: &mut BTreeSet<u64>) -> io::Result<bool> {
    port::parse_diag_reply(data, port, inodes)
}

/// The gateway's pid file.
pub fn parse_pid_record(path: &Path, text: &str) -> Result<PidRecord, PidFileError> {
    PidRecord::parse(path, text)
}

/// The pid file text for `record`.
pub fn render_pid_record(record: &PidRecord) -> String {
    record.render()
}

/// `/proc/PID/stat`.
pub fn parse_stat(text: &str) -> Option<ProcStat> {
    procinfo::parse_stat(text)
}

/// How many locks `/proc/locks` text lists.
pub fn parse_locks(text: &str) -> usize {
    lock::parse_locks(text).len()
}

/// How many locks an fdinfo file lists.
pub fn fdinfo_locks(text: &str) -> usize {
    lock::fdinfo_locks(text).len()
}

/// Inodes of the sockets listening on `port` in `/proc/net/tcp*` text.
pub fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    port::listening_inodes(table, port)
}

/// OOM kills in kernel-log text: how many, and how many of them are the
/// gateway's (by `recorded_pid`, else by the gateway's process names).
pub fn oom_kills(log: &str, recorded_pid: Option<i32>) -> (usize, usize) {
    let kills = oom::find_kills(log);
    let ours = kills
        .iter()
        .filter(|k| oom::is_gateway_kill(k, recorded_pid, oom::GATEWAY_NAMES))
        .count();
    (kills.len(), ours)
}

/// Whether `/proc/meminfo` text gives the memory figures.
pub fn parse_meminfo(text: &str) -> bool {
    resources::parse_meminfo(text).is_some()
}

/// A WebSocket text frame from a client, read as the gateway reads it: the
/// frame, its names and params. `None` for a frame the gateway accepts, else
/// the serialised error reply it sends back.
pub fn client_frame_reply(text: &str) -> Option<String> {
    match serde_json::from_str::<ClientFrame>(text) {
        Ok(ClientFrame::Connect(c)) => {
            let _ = valid_device_id(&c.device_id);
            let _ = valid_name(&c.client);
            None
        }
        Ok(ClientFrame::Req(r)) => {
            if let Ok(p) = serde_json::from_value::<SendParams>(r.params.clone()) {
                let _ = valid_name(&p.channel);
            }
            let _ = serde_json::from_value::<LoginParams>(r.params);
            None
        }
        Err(e) => {
            let id = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_u64()))
                .unwrap_or(0);
            let reply = Response::err(
                id,
                error_code::INVALID_REQUEST,
                format!("invalid request: {e}"),
            );
            Some(serde_json::to_string(&ServerFrame::Res(reply)).expect("frames serialise"))
        }
    }
}
