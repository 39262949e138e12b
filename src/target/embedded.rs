//! The embedded gateway (`clawdoc gateway run`): its facts are clawdoc's own
//! home (`$CLAWDOC_HOME`: `config.toml`, `gateway.pid`, `gateway.lock`,
//! `logs/gateway.log`, `identity.json`), port 3001 with `CLAWDOC_GATEWAY_PORT`
//! over `gateway.port`, `GET /health` plus the device handshake, and fixes
//! carried out in-process (`fix`, `gateway::daemon`) with the rules' own
//! `clawdoc …` commands.

use std::path::PathBuf;

use super::{Facts, LogSource, TargetKind, Vars};
use crate::home::Home;
use crate::procinfo::ProcRoot;
use crate::vocab::{Category, FixAction};

/// A line the embedded gateway writes when a run begins; log lines before
/// the last one belong to earlier runs.
pub(crate) const START_MARKERS: &[&str] = &["[gateway] starting", "[gateway] start "];

#[derive(Debug, Clone, Copy, Default)]
pub struct Embedded;

impl Facts for Embedded {
    fn kind(&self) -> TargetKind {
        TargetKind::Embedded
    }
    fn config_path(&self, home: &Home) -> PathBuf {
        home.config_path()
    }
    fn state_dir(&self, home: &Home) -> PathBuf {
        home.root().to_path_buf()
    }
    fn port(&self, home: &Home, vars: Vars<'_>) -> u16 {
        crate::config::port_of(
            crate::config::load_with_env(&home.config_path(), vars).as_ref(),
            vars,
        )
    }
    fn log_source(&self, home: &Home) -> LogSource {
        LogSource {
            path: home.log_path(),
            start_markers: START_MARKERS,
            to_text: None,
            readable: None,
        }
    }
    fn gateway_running(&self, home: &Home, proc_root: &ProcRoot) -> bool {
        matches!(
            crate::state::pid::read(&home.pid_path()),
            Ok(Some(rec)) if matches!(rec.identify(proc_root, home), crate::procinfo::Identity::Gateway { .. })
        )
    }
    fn commands(&self, _action: FixAction, _category: Category) -> Option<Vec<String>> {
        None
    }
    fn logs_command(&self) -> String {
        "clawdoc logs --tail 50".into()
    }
    fn token(&self, home: &Home) -> Option<crate::config::Secret> {
        crate::config::load(home).ok()?.config.token
    }
    fn verified(&self, ready: bool, handshake: &str) -> bool {
        ready && handshake == "ok"
    }
}
