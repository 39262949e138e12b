//! `clawdoc status` for a target that is not clawdoc's own daemon (OpenClaw):
//! where its gateway stands, from the same probes the doctor runs — its
//! process (lock file: pid, start time, title agree), the port holder, and
//! `/healthz` + `/readyz` with the failing list. Read-only; one value the CLI
//! renders or prints as JSON.

use serde::Serialize;

use super::{run_all, Evidence, ProbeEnv};
use crate::target::TargetInfo;
use crate::vocab::ProbeName;

/// Where the gateway stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Its process runs and `/readyz` is 200.
    Running,
    /// Its process runs; not ready yet (or not listening yet).
    Starting,
    /// No gateway process.
    Stopped,
    /// The lock names a process that is gone, or now another program.
    Stale,
    /// Its process is stopped or in uninterruptible sleep.
    Hung,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Starting => "starting",
            Self::Stopped => "stopped",
            Self::Stale => "stale",
            Self::Hung => "hung",
        }
    }
}

/// `clawdoc status --json` for such a target; never holds a token.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TargetStatus {
    pub target: TargetInfo,
    pub state: State,
    pub pid: Option<i64>,
    pub port: u16,
    pub ready: bool,
    /// `/readyz`'s failing checks while not ready.
    pub failing: Vec<String>,
    pub log_file: String,
    /// The probes behind it: pid, lock, port, health.
    pub checks: Vec<Evidence>,
}

const CHECKS: &[ProbeName] = &[
    ProbeName::Pid,
    ProbeName::Lock,
    ProbeName::Port,
    ProbeName::Health,
];

pub fn status(env: &ProbeEnv) -> TargetStatus {
    let checks = run_all(env, CHECKS);
    let fact = |probe: ProbeName, name: &str| {
        checks
            .iter()
            .find(|e| e.probe == probe)
            .and_then(|e| e.get(name))
            .cloned()
            .unwrap_or_default()
    };
    let identity = fact(ProbeName::Pid, "pid.identity");
    let ready = fact(ProbeName::Health, "health.ready") == true;
    let state = match identity.as_str().unwrap_or("none") {
        "gateway" if fact(ProbeName::Pid, "pid.hung") == true => State::Hung,
        "gateway" if ready => State::Running,
        "gateway" => State::Starting,
        "dead" | "stranger" => State::Stale,
        _ => State::Stopped,
    };
    let failing = fact(ProbeName::Health, "health.failing")
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let target = env.target_info();
    TargetStatus {
        state,
        pid: fact(ProbeName::Pid, "pid.pid").as_i64(),
        port: target.port,
        ready,
        failing,
        log_file: env.target.log_source(&env.home).path.display().to_string(),
        target,
        checks,
    }
}
