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

/// The fact catalogue: every fact a probe may report, as `probe.fact`, with
/// its JSON type. Rule conditions may only name facts listed here (the rule
/// linter checks), and each probe reports only facts listed here (a test
/// checks), so the two sides cannot drift apart.
pub const FACTS: &[(&str, &str)] = &[
    // config
    ("config.exists", "bool"),
    ("config.parses", "bool"),
    ("config.mode_set", "bool"),
    ("config.mode", "string"),
    ("config.port", "int"),
    ("config.token_pinned", "bool"),
    ("config.unknown_keys", "list"),
    ("config.deprecated_keys", "list"),
    ("config.bad_values", "list"),
    ("config.problem_count", "int"),
    // pid
    ("pid.file_present", "bool"),
    ("pid.file_valid", "bool"),
    ("pid.pid", "int"),
    ("pid.alive", "bool"),
    ("pid.identity", "string"), // gateway | dead | stranger | unknown | none
    ("pid.state", "string"),    // running | sleeping | disk_sleep | stopped | zombie | …
    ("pid.hung", "bool"),
    ("pid.stranger_cmdline", "string"),
    // lock
    ("lock.present", "bool"),
    ("lock.held", "bool"),
    ("lock.stale", "bool"),
    ("lock.owner_pid", "int"),
    // port
    ("port.port", "int"),
    ("port.listening", "bool"),
    ("port.holder_pid", "int"),
    ("port.holder_name", "string"),
    ("port.holder_cmdline", "string"),
    ("port.holder_is_gateway", "bool"),
    // health
    ("health.reachable", "bool"),
    ("health.ready", "bool"),
    ("health.status_code", "int"),
    ("health.latency_ms", "float"),
    // handshake: ok | token_mismatch | pairing_required | invalid_config | refused | error | skipped
    ("health.handshake", "string"),
    // oom
    ("oom.killed", "bool"),
    ("oom.victim_pid", "int"),
    ("oom.victim_name", "string"),
    ("oom.cgroup_oom_kills", "int"),
    ("oom.low_memory", "bool"),
    // disk
    ("disk.free_bytes", "int"),
    ("disk.free_inodes", "int"),
    ("disk.writable", "bool"),
    ("disk.full", "bool"),
    ("disk.low", "bool"),
    // token
    ("token.pinned", "bool"),
    ("token.identity_present", "bool"),
    ("token.device_matches", "bool"),
    // display
    ("display.headless", "bool"),
    // resources
    ("resources.load1", "float"),
    ("resources.mem_available_bytes", "int"),
    ("resources.mem_total_bytes", "int"),
    ("resources.swap_total_bytes", "int"),
    ("resources.swap_free_bytes", "int"),
    ("resources.low_memory", "bool"),
];

/// Is `name` (`probe.fact`) in the catalogue?
pub fn is_known_fact(name: &str) -> bool {
    FACTS.iter().any(|(n, _)| *n == name)
}
