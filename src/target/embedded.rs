//! The embedded gateway (`clawdoc gateway run`): its facts are clawdoc's own
//! home (`$CLAWDOC_HOME`: `config.toml`, `gateway.pid`, `gateway.lock`,
//! `logs/gateway.log`, `identity.json`), port 3001 with `CLAWDOC_GATEWAY_PORT`
//! over `gateway.port`, `GET /health` plus the device handshake, and fixes
//! carried out in-process by [`crate::fix`] and [`crate::gateway::daemon`].

use std::path::PathBuf;

use super::{Facts, LogSource, TargetKind};
use crate::fix::{self, Applied, FixEnv, FixError, Preview};
use crate::probe::{self, Evidence, ProbeEnv};
use crate::vocab::{Category, FixAction, ProbeName};

#[derive(Debug, Clone, Copy, Default)]
pub struct Embedded;

impl Facts for Embedded {
    fn kind(&self) -> TargetKind {
        TargetKind::Embedded
    }
    fn config_path(&self, env: &ProbeEnv) -> PathBuf {
        env.home.config_path()
    }
    fn state_dir(&self, env: &ProbeEnv) -> PathBuf {
        env.home.root().to_path_buf()
    }
    fn port(&self, env: &ProbeEnv) -> u16 {
        probe::configured_port(env)
    }
    fn probe(&self, name: ProbeName, env: &ProbeEnv) -> Evidence {
        use probe::*;
        match name {
            ProbeName::Config => config::probe(env),
            ProbeName::Pid => pid::probe(env),
            ProbeName::Lock => lock::probe(env),
            ProbeName::Port => port::probe(env),
            ProbeName::Health => health::probe(env),
            ProbeName::Oom => oom::probe(env),
            ProbeName::Disk => disk::probe(env),
            ProbeName::Token => token::probe(env),
            ProbeName::Display => display::probe(env),
            ProbeName::Resources => resources::probe(env),
            ProbeName::Runtime => Evidence::new(
                name,
                probe::Status::Ok,
                "the embedded gateway is this binary (no runtime to check)",
            ),
        }
    }
    fn log_source(&self, env: &ProbeEnv) -> LogSource {
        LogSource {
            path: env.home.log_path(),
            start_markers: crate::doctor::START_MARKERS,
            to_text: None,
        }
    }
    fn gateway_running(&self, env: &ProbeEnv) -> bool {
        matches!(
            crate::gateway::pidfile::read(&env.home.pid_path()),
            Ok(Some(rec)) if matches!(rec.identify(&env.proc_root), crate::procinfo::Identity::Gateway { .. })
        )
    }
    fn preview(&self, action: FixAction, env: &FixEnv) -> Preview {
        fix::preview_embedded(action, env)
    }
    fn apply(&self, action: FixAction, env: &FixEnv) -> Result<Applied, FixError> {
        fix::apply_embedded(action, env)
    }
    fn commands(&self, _action: FixAction, _category: Category) -> Option<Vec<String>> {
        None
    }
    fn logs_command(&self) -> String {
        "clawdoc logs --tail 50".into()
    }
    fn verified(&self, ready: bool, handshake: &str) -> bool {
        ready && handshake == "ok"
    }
}
