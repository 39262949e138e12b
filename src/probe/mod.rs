//! Probes: read-only checks of this machine that confirm or refute a rule.
//!
//! Each probe returns [`Evidence`]: a status, structured facts (the names rule
//! conditions refer to, e.g. `port.holder_is_gateway`), and a one-line
//! summary. A probe that cannot look is `Inconclusive`, never a crash and
//! never a pass. Probes change nothing; they know nothing of rules or fixes.
//! Every input root (`/proc`, the kernel log, the cgroup tree) is injectable
//! through [`ProbeEnv`] so tests can use fixtures.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::home::Home;
use crate::i18n::{msg, Message};
use crate::procinfo::ProcRoot;
use crate::target::Target;
use crate::vocab::ProbeName;

pub(crate) mod bind;
pub(crate) mod config;
pub(crate) mod disk;
pub(crate) mod display;
pub(crate) mod health;
pub(crate) mod lock;
pub(crate) mod oom;
pub(crate) mod openclaw;
pub(crate) mod pid;
pub(crate) mod port;
pub(crate) mod resources;
pub mod status;
pub(crate) mod token;

#[cfg(test)]
pub(crate) mod testutil;

/// Outcome of one probe, ordered from best to worst for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Inconclusive,
}

/// A fact value. Kept to JSON scalars and string lists so rule conditions
/// can compare them declaratively.
pub(crate) type Facts = BTreeMap<String, serde_json::Value>;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    pub probe: ProbeName,
    pub status: Status,
    /// One line for humans, in English (the rendering of `message`);
    /// never contains a secret.
    #[schemars(with = "String")]
    pub summary: Summary,
    /// The summary as a catalogue message, for the reader's language.
    #[serde(skip)]
    pub message: Arc<Message>,
    pub facts: Facts,
    /// Wall time the probe took.
    #[serde(serialize_with = "ser_millis")]
    #[schemars(with = "f64")]
    pub elapsed: Duration,
}

fn ser_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// A probe's summary in English: [`Evidence::message`] rendered through the
/// catalogue the first time it is read (JSON, `{}`, `.contains`), not when
/// the probe runs. Rendering costs about as much as a small probe itself,
/// and a human report in any language renders the message instead.
#[derive(Clone)]
pub struct Summary {
    message: Arc<Message>,
    english: OnceLock<String>,
}

impl Summary {
    fn new(message: Arc<Message>) -> Self {
        Self {
            message,
            english: OnceLock::new(),
        }
    }
    pub fn as_str(&self) -> &str {
        self.english.get_or_init(|| self.message.english())
    }
}

impl std::ops::Deref for Summary {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<String> for Summary {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Summary {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Evidence {
    pub(crate) fn new(probe: ProbeName, status: Status, message: Message) -> Self {
        let message = Arc::new(message);
        Self {
            probe,
            status,
            summary: Summary::new(message.clone()),
            message,
            facts: Facts::new(),
            elapsed: Duration::ZERO,
        }
    }
    /// An inconclusive result: the probe could not look.
    pub(crate) fn inconclusive(probe: ProbeName, why: Message) -> Self {
        Self::new(probe, Status::Inconclusive, why)
    }
    /// Replaces the summary (and its English rendering).
    pub(crate) fn say(mut self, message: Message) -> Self {
        self.message = Arc::new(message);
        self.summary = Summary::new(self.message.clone());
        self
    }
    pub(crate) fn fact(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
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
    /// A kernel log file to read instead of `/dev/kmsg` / `journalctl -k` /
    /// `dmesg`. Only tests set it (the binary's hidden `--test-kmsg`, which
    /// it announces); no environment variable reaches it.
    pub kmsg_path: Option<PathBuf>,
    /// A TOML file whose numbers replace the live filesystem's for the disk
    /// probe (see `probe::disk`). Only tests set it (the hidden
    /// `--test-disk-fixture`, announced).
    pub disk_fixture: Option<PathBuf>,
    /// Root of the cgroup v2 hierarchy (default `/sys/fs/cgroup`).
    pub cgroup_root: PathBuf,
    /// Environment variables the probes consult (DISPLAY, WAYLAND_DISPLAY,
    /// CLAWDOC_GATEWAY_*), captured once so tests can pin them.
    pub env: BTreeMap<String, String>,
    /// Timeout for network probes (health, handshake).
    pub net_timeout: Duration,
    /// The gateway the probes look at.
    pub target: Target,
    /// A port to check instead of the configured one (a pasted
    /// `EADDRINUSE … 18789` makes `lookup --probe` look at 18789).
    pub port_override: Option<u16>,
}

impl ProbeEnv {
    pub fn live(home: Home) -> Self {
        Self {
            home,
            proc_root: ProcRoot::default(),
            kmsg_path: None,
            disk_fixture: None,
            cgroup_root: PathBuf::from("/sys/fs/cgroup"),
            env: std::env::vars().collect(),
            net_timeout: Duration::from_millis(1500),
            target: Target::embedded(),
            port_override: None,
        }
    }
    /// The same environment, looking at `target`.
    pub fn with_target(self, target: Target) -> Self {
        Self { target, ..self }
    }
    /// What a report says about the target these probes look at.
    pub fn target_info(&self) -> crate::target::TargetInfo {
        let mut info = self
            .target
            .info(&self.home, &|k| self.var(k).map(str::to_string));
        if let Some(port) = self.port_override {
            info.port = port;
        }
        info
    }
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// The JSON type name a fact value has, in the catalogue's terms
/// (`bool`, `int`, `float`, `string`, `list`), or `None` for anything else.
#[cfg(test)]
pub(crate) fn fact_type(value: &serde_json::Value) -> Option<&'static str> {
    use serde_json::Value;
    match value {
        Value::Bool(_) => Some("bool"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("int"),
        Value::Number(_) => Some("float"),
        Value::String(_) => Some("string"),
        Value::Array(items) if items.iter().all(Value::is_string) => Some("list"),
        _ => None,
    }
}

/// Runs one probe, timing it. A panic inside the probe becomes an
/// `Inconclusive` result instead of unwinding into the caller.
pub fn run(name: ProbeName, env: &ProbeEnv) -> Evidence {
    guarded(name, || dispatch(name, env))
}

fn guarded(name: ProbeName, probe: impl FnOnce() -> Evidence) -> Evidence {
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(probe));
    let mut evidence = outcome.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Evidence::inconclusive(name, msg!("probe-internal-error", probe = name, why = why))
    });
    evidence.probe = name;
    evidence.elapsed = started.elapsed();
    evidence
}

/// The one place the target picks its probes: OpenClaw's read its files and
/// sockets ([`openclaw`]); the embedded gateway's read clawdoc's home.
fn dispatch(name: ProbeName, env: &ProbeEnv) -> Evidence {
    if let Some(oc) = env.target.openclaw() {
        return openclaw::probe(oc, name, env);
    }
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
        ProbeName::Runtime => Evidence::new(name, Status::Ok, msg!("probe-runtime-embedded")),
    }
}

/// Probes that wait on something outside this process (a socket, a kernel
/// log, a scan of every process's file descriptors, a subprocess). They get
/// their own thread; the rest are cheap file reads and run inline.
fn is_slow(name: ProbeName) -> bool {
    matches!(name, ProbeName::Health | ProbeName::Oom | ProbeName::Port)
}

/// Runs `which` (duplicates run once each time they appear), the slow probes
/// on scoped threads in parallel with the fast ones, and returns the evidence
/// in `which` order. Never panics because a probe did.
pub fn run_all(env: &ProbeEnv, which: &[ProbeName]) -> Vec<Evidence> {
    if which.len() <= 1 || !which.iter().any(|n| is_slow(*n)) {
        return which.iter().map(|n| run(*n, env)).collect();
    }
    let mut results: Vec<Option<Evidence>> = vec![None; which.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = which
            .iter()
            .enumerate()
            .filter(|(_, n)| is_slow(**n))
            .map(|(i, n)| {
                let name = *n;
                (i, name, scope.spawn(move || run(name, env)))
            })
            .collect();
        for (i, name) in which.iter().enumerate() {
            if !is_slow(*name) {
                results[i] = Some(run(*name, env));
            }
        }
        for (i, name, handle) in handles {
            // `run` catches panics, so a join error means something outside
            // the probe itself broke; still report it, never propagate it.
            results[i] = Some(handle.join().unwrap_or_else(|_| {
                Evidence::inconclusive(name, msg!("probe-thread-died", probe = name))
            }));
        }
    });
    results
        .into_iter()
        .map(|e| e.expect("every slot filled"))
        .collect()
}

/// The config as the gateway would load it: the file plus the environment
/// overrides captured in `env.env`.
pub(crate) fn load_config(
    env: &ProbeEnv,
) -> Result<crate::config::Loaded, crate::config::LoadError> {
    crate::config::load_with_env(&env.home.config_path(), &|k| env.var(k).map(String::from))
}

/// The port the target's gateway would use (its own precedence: for the
/// embedded gateway `CLAWDOC_GATEWAY_PORT` > `gateway.port` > 3001), unless
/// a pasted message named one ([`ProbeEnv::port_override`]).
pub(crate) fn configured_port(env: &ProbeEnv) -> u16 {
    env.port_override.unwrap_or_else(|| {
        env.target
            .port(&env.home, &|k| env.var(k).map(str::to_string))
    })
}

/// Reads the pid file, ignoring a missing or malformed one.
pub(crate) fn recorded_gateway(env: &ProbeEnv) -> Option<crate::state::pid::PidRecord> {
    crate::state::pid::read(&env.home.pid_path()).ok().flatten()
}

/// A command line as one string, for facts and summaries.
pub(crate) fn join_argv(argv: &[String]) -> String {
    argv.join(" ")
}

/// Bytes as a short human figure (`1.5 GiB`), for summaries.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{fixture, Staged};
    use super::*;

    /// Environments that between them make every probe report most of its
    /// facts: fixtures (gateway alive, stranger, stale files, OOM log) and
    /// the live machine.
    fn envs() -> Vec<Staged> {
        let mut out = Vec::new();

        let mut s = Staged::new(Some("basic"), &[]);
        s.write_home(
            "config.toml",
            "model = \"x\"\n[gateway]\nmode = \"local\"\nport = 3001\nfoo = 1\n",
        );
        s.write_pid(100, 5000);
        s.write_home("gateway.lock", "100\n");
        s.write_home("identity.json", r#"{"device_id":"d"}"#);
        let log = s.dir.path().join("kmsg.log");
        std::fs::write(&log, "Out of memory: Killed process 100 (clawdoc)\n").unwrap();
        s.env.kmsg_path = Some(log);
        s.env.cgroup_root = fixture("cgroup");
        s.set_var("DISPLAY", ":1");
        out.push(s);

        let mut s = Staged::new(Some("stranger6"), &[]);
        s.write_pid(4242, 1);
        s.set_var("CLAWDOC_GATEWAY_PORT", "3001");
        out.push(s);

        let s = Staged::new(None, &[]);
        s.write_home("config.toml", "[gateway\n");
        s.write_home("gateway.pid", "garbage");
        out.push(s);

        out.push(Staged::new(None, &[]));

        // A real OpenClaw state dir: a config readable by others without a
        // token, the gateway's log, a session lock whose owner is gone.
        let mut s = Staged::new(Some("openclaw"), &[]);
        let state = s.dir.path().join("oc");
        std::fs::create_dir_all(state.join("agents/main/sessions")).unwrap();
        std::fs::create_dir_all(state.join("logs")).unwrap();
        std::fs::write(
            state.join("openclaw.json"),
            format!(
                "{{gateway: {{mode: 'local'}}, logging: {{file: '{}/logs/openclaw.log'}}}}",
                state.display()
            ),
        )
        .unwrap();
        std::fs::copy(
            fixture("openclaw/healthy-run/file-log.jsonl"),
            state.join("logs/openclaw.log"),
        )
        .unwrap();
        std::fs::write(
            state.join("agents/main/sessions/s.jsonl.lock"),
            r#"{"pid":999999,"starttime":1}"#,
        )
        .unwrap();
        s.set_var("OPENCLAW_STATE_DIR", state.display().to_string());
        s.env.target = Target::choose_in(
            Some(crate::target::TargetKind::OpenClaw),
            &s.env.env,
            &s.env.proc_root,
        );
        out.push(s);
        out
    }

    /// Every summary the probes give on the staged machines is a catalogue
    /// message (nested ones too) that formats without a Fluent error in
    /// English and in zh-TW, and the English is the JSON `summary`.
    #[test]
    fn every_summary_is_a_message_of_both_catalogues() {
        use crate::i18n::{fluent_bundle, Arg, Message, EN_FTL, ZH_TW_FTL};
        use fluent_bundle::FluentArgs;
        let bundles = [
            fluent_bundle("en", EN_FTL.to_string()),
            fluent_bundle("zh-TW", ZH_TW_FTL.to_string()),
        ];
        fn check(
            m: &Message,
            bundle: &fluent_bundle::concurrent::FluentBundle<fluent_bundle::FluentResource>,
        ) {
            let pattern = bundle
                .get_message(m.id())
                .and_then(|x| x.value())
                .unwrap_or_else(|| panic!("`{}` is not in the catalogue", m.id()));
            let mut args = FluentArgs::new();
            for (k, a) in m.args() {
                match a {
                    Arg::Text(t) => args.set(*k, t.clone()),
                    Arg::Msg(inner) => {
                        check(inner, bundle);
                        args.set(*k, "x")
                    }
                }
            }
            let mut errors = Vec::new();
            bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "`{}`: {errors:?}", m.id());
        }
        let mut seen = std::collections::BTreeSet::new();
        for staged in envs() {
            for evidence in run_all(&staged.env, ProbeName::ALL) {
                assert_eq!(evidence.summary, evidence.message.english());
                for bundle in &bundles {
                    check(&evidence.message, bundle);
                }
                seen.extend(evidence.message.ids());
            }
        }
        assert!(seen.len() > 20, "{seen:?}");
    }

    #[test]
    fn every_reported_fact_is_catalogued_with_its_type() {
        let mut seen = std::collections::BTreeSet::new();
        for staged in envs() {
            for evidence in run_all(&staged.env, ProbeName::ALL) {
                for (name, value) in &evidence.facts {
                    let prefix = format!("{}.", evidence.probe.as_str());
                    assert!(
                        name.starts_with(&prefix),
                        "{name} reported by {}",
                        evidence.probe
                    );
                    let want = crate::vocab::fact_type(name)
                        .unwrap_or_else(|| panic!("{name} is not in vocab::crate::vocab::FACTS"));
                    assert_eq!(fact_type(value), Some(want), "{name} = {value}");
                    seen.insert(name.clone());
                }
            }
        }
        // The envs above are meant to exercise most of the catalogue; a
        // probe that silently stopped reporting would show up here.
        let missing: Vec<_> = crate::vocab::FACTS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| !seen.contains(*n))
            .collect();
        let allowed_missing = [
            "lock.owner_pid",     // needs a real held lock (lock.rs tests)
            "health.status_code", // needs a listener (health.rs tests)
            "health.latency_ms",
            "health.ours", // needs a real gateway (doctor integration tests)
            "health.live", // OpenClaw: needs a listener (probe::openclaw tests)
            "health.failing",
            "port.bind_error", // needs a port held by a live socket (security integration test)
        ];
        for name in &missing {
            assert!(
                allowed_missing.contains(name),
                "no env reported {name}; all missing: {missing:?}"
            );
        }
    }

    #[test]
    fn catalogue_names_are_probe_dot_snake_case_and_unique() {
        let probes: Vec<&str> = ProbeName::ALL.iter().map(|p| p.as_str()).collect();
        let mut names = std::collections::BTreeSet::new();
        for (name, ty) in crate::vocab::FACTS {
            let (probe, fact) = name.split_once('.').unwrap();
            assert!(probes.contains(&probe), "{name}: unknown probe");
            assert!(
                fact.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}"
            );
            assert!(
                ["bool", "int", "float", "string", "list"].contains(ty),
                "{name}: {ty}"
            );
            assert!(names.insert(*name), "{name} twice");
        }
    }

    #[test]
    fn run_all_keeps_order_and_times_each_probe() {
        let s = Staged::new(Some("basic"), &[]);
        let which = [
            ProbeName::Health,
            ProbeName::Display,
            ProbeName::Port,
            ProbeName::Config,
            ProbeName::Oom,
            ProbeName::Display,
        ];
        let results = run_all(&s.env, &which);
        let got: Vec<ProbeName> = results.iter().map(|e| e.probe).collect();
        assert_eq!(got, which);
        assert!(results.iter().all(|e| e.elapsed > Duration::ZERO));
        assert!(run_all(&s.env, &[]).is_empty());
        assert_eq!(
            run_all(&s.env, &[ProbeName::Disk])[0].probe,
            ProbeName::Disk
        );
    }

    #[test]
    fn a_panicking_probe_is_inconclusive() {
        let e = guarded(ProbeName::Port, || panic!("boom"));
        assert_eq!(e.status, Status::Inconclusive);
        assert_eq!(e.probe, ProbeName::Port);
        assert!(e.summary.contains("boom"), "{}", e.summary);
    }

    #[test]
    fn evidence_serializes_with_millis() {
        let mut e = Evidence::new(
            ProbeName::Display,
            Status::Warn,
            msg!("probe-thread-died", probe = "x"),
        )
        .fact("display.headless", true);
        e.elapsed = Duration::from_micros(1500);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["status"], "warn");
        assert_eq!(json["elapsed"], 1.5);
        assert_eq!(json["facts"]["display.headless"], true);
    }
}
