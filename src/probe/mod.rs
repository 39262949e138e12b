//! Probes: read-only checks of this machine that confirm or refute a rule.
//!
//! Each probe returns [`Evidence`]: a status, structured facts (the names rule
//! conditions refer to, e.g. `port.holder_is_gateway`), and a one-line
//! summary. A probe that cannot look is `Inconclusive`, never a crash and
//! never a pass. Probes change nothing; they know nothing of rules or fixes.
//! Every input root (`/proc`, the kernel log, the cgroup tree) is injectable
//! through [`ProbeEnv`] so tests can use fixtures.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::home::Home;
use crate::procinfo::ProcRoot;
use crate::vocab::ProbeName;

/// Outcome of one probe, ordered from best to worst for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Inconclusive,
}

/// A fact value. Kept to JSON scalars and string lists so rule conditions
/// can compare them declaratively.
pub type Facts = BTreeMap<String, serde_json::Value>;

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub probe: ProbeName,
    pub status: Status,
    /// One line for humans; never contains a secret.
    pub summary: String,
    pub facts: Facts,
    /// Wall time the probe took.
    #[serde(serialize_with = "ser_millis")]
    pub elapsed: Duration,
}

fn ser_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl Evidence {
    pub fn new(probe: ProbeName, status: Status, summary: impl Into<String>) -> Self {
        Self {
            probe,
            status,
            summary: summary.into(),
            facts: Facts::new(),
            elapsed: Duration::ZERO,
        }
    }
    /// An inconclusive result: the probe could not look.
    pub fn inconclusive(probe: ProbeName, why: impl Into<String>) -> Self {
        Self::new(probe, Status::Inconclusive, why)
    }
    pub fn fact(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.facts.insert(name.to_string(), value.into());
        self
    }
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.facts.get(name)
    }
}

/// Where probes look. `ProbeEnv::live(home)` is the real machine; tests
/// replace any root with a fixture.
#[derive(Debug, Clone)]
pub struct ProbeEnv {
    pub home: Home,
    pub proc_root: ProcRoot,
    /// A kernel log file to read instead of `/dev/kmsg` / `journalctl -k` / `dmesg`.
    pub kmsg_path: Option<PathBuf>,
    /// Root of the cgroup v2 hierarchy (default `/sys/fs/cgroup`).
    pub cgroup_root: PathBuf,
    /// Environment variables the probes consult (DISPLAY, WAYLAND_DISPLAY,
    /// CLAWDOC_GATEWAY_*), captured once so tests can pin them.
    pub env: BTreeMap<String, String>,
    /// Timeout for network probes (health, handshake).
    pub net_timeout: Duration,
}

impl ProbeEnv {
    pub fn live(home: Home) -> Self {
        Self {
            home,
            proc_root: ProcRoot::default(),
            kmsg_path: std::env::var_os("CLAWDOC_KMSG").map(PathBuf::from),
            cgroup_root: PathBuf::from("/sys/fs/cgroup"),
            env: std::env::vars().collect(),
            net_timeout: Duration::from_millis(1500),
        }
    }
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}
