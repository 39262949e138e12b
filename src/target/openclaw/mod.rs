//! A real OpenClaw install (the `openclaw` npm package, checked on 2026.9.6):
//! where its files are, which port it uses, how to tell its gateway process,
//! and how each fix action is carried out through its own CLI.
//!
//! Facts relied on (see `fixtures/openclaw/README.md` and the README):
//! * config `$OPENCLAW_CONFIG_PATH`, else `$OPENCLAW_STATE_DIR/openclaw.json`,
//!   else `~/.openclaw/openclaw.json`; JSON5, mode 0600, a strict schema;
//! * port `OPENCLAW_GATEWAY_PORT` (`port` or `host:port`) > `gateway.port` >
//!   18789 (`--port` on the gateway's own command line wins over all, and is
//!   recorded in its lock file);
//! * `GET /healthz` → `{"ok":true,"status":"live"}`, `GET /readyz` → 200
//!   `{"ready":true,…}` or 503 `{"ready":false,"failing":[…]}`;
//! * the gateway's process title is `openclaw-gateway` (comm `openclaw-gatewa`);
//!   no pid file: `$STATE/tmp/openclaw-<uid>/gateway.<hash>.lock` holds JSON with
//!   `pid`, `startTime` (clock ticks after boot, as `/proc/PID/stat` field 22),
//!   `configPath`, `stateDir`, `port`; releases before 2026.8.1 keep
//!   `gateway.<sha256(config path)[..8]>.lock` (`pid`, `createdAt`,
//!   `configPath`, `startTime`) in `os.tmpdir()/openclaw-<uid>`, shared by every
//!   state dir, and 2026.5.28 (tested live) titles the gateway `openclaw`;
//! * logs: tslog JSON lines at `logging.file`, else
//!   `/tmp/openclaw/openclaw-YYYY-MM-DD.log` (also when the config does not parse).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Facts, LogSource, TargetKind, Vars};
use crate::home::Home;
use crate::procinfo::{self, Identity, ProcRoot};
use crate::vocab::{Category, FixAction};

mod commands;
pub(crate) mod config;

pub(crate) use commands::{
    batch_command, commands, run_log, service_unit, start_command, DEFAULT_SETTINGS, TOKEN_SETTINGS,
};

pub(crate) const ENV_CONFIG_PATH: &str = "OPENCLAW_CONFIG_PATH";
pub(crate) const ENV_STATE_DIR: &str = "OPENCLAW_STATE_DIR";
pub(crate) const ENV_PORT: &str = "OPENCLAW_GATEWAY_PORT";
pub(crate) const ENV_PROFILE: &str = "OPENCLAW_PROFILE";
pub(crate) const DEFAULT_PORT: u16 = 18789;
/// The gateway's process title, and its kernel `comm` (15 bytes).
pub(crate) const PROCESS_TITLE: &str = "openclaw-gateway";
pub(crate) const COMM: &str = "openclaw-gatewa";
/// The first line the gateway logs for a run.
const START_MARKERS: &[&str] = &["loading configuration"];

/// One OpenClaw install: its config and state directory, and the `openclaw`
/// CLI that carries out fixes (when it is on PATH).
#[derive(Debug, Clone)]
pub struct OpenClaw {
    pub(crate) config_path: PathBuf,
    pub(crate) state_dir: PathBuf,
    /// `$HOME` (systemd user units live under it).
    pub(crate) home: PathBuf,
    /// `openclaw` on PATH, if any; without it fixes are display-only.
    pub(crate) cli: Option<PathBuf>,
    /// `OPENCLAW_PROFILE` (also set by `--profile`): it moves the default
    /// port and the default log file, not the config path.
    pub(crate) profile: Option<String>,
    /// `OPENCLAW_GATEWAY_PORT` as seen when the target was chosen (after
    /// `--profile`, which may set it).
    pub(crate) port_env: Option<String>,
    /// `$TMPDIR`, else `/tmp`: Node's `os.tmpdir()`, where releases before
    /// 2026.8.1 (2026.8.1-beta.1 and older) keep the gateway lock.
    pub(crate) tmp_dir: PathBuf,
}

impl OpenClaw {
    pub(crate) fn from_env(env: &BTreeMap<String, String>) -> Self {
        let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = var("HOME").unwrap_or_else(|| PathBuf::from("."));
        let state_dir = var(ENV_STATE_DIR).unwrap_or_else(|| home.join(".openclaw"));
        let config_path = var(ENV_CONFIG_PATH).unwrap_or_else(|| state_dir.join("openclaw.json"));
        let cli = env
            .get("PATH")
            .and_then(|path| find_in_path(path, "openclaw"));
        let profile = env
            .get(ENV_PROFILE)
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("default"));
        let port_env = env.get(ENV_PORT).filter(|v| !v.is_empty()).cloned();
        let tmp_dir = var("TMPDIR").unwrap_or_else(|| PathBuf::from("/tmp"));
        Self {
            config_path,
            state_dir,
            home,
            cli,
            profile,
            port_env,
            tmp_dir,
        }
    }

    /// What `openclaw --profile NAME` does to its environment before
    /// anything else (`applyCliProfileEnv`, 2026.9.6; `cli-facts/`): sets
    /// `OPENCLAW_PROFILE`; the state dir becomes `~/.openclaw-NAME` (`default`:
    /// `~/.openclaw`) unless one is set (kept, except when it is the
    /// inherited profile's own dir), and the config path
    /// `$STATE/openclaw.json` unless one is set; `dev` pins port 19001.
    /// The service-manager selectors it also rewrites are not modelled.
    pub(crate) fn apply_profile_flag(env: &mut BTreeMap<String, String>, name: &str) {
        let get = |env: &BTreeMap<String, String>, k: &str| {
            env.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let home = PathBuf::from(get(env, "HOME").unwrap_or_else(|| ".".into()));
        let dir_of = |p: &str| {
            if p.eq_ignore_ascii_case("default") {
                home.join(".openclaw")
            } else {
                home.join(format!(".openclaw-{p}"))
            }
        };
        let inherited = dir_of(&get(env, ENV_PROFILE).unwrap_or_else(|| "default".into()));
        let selected = dir_of(name);
        let switches = inherited != selected;
        let state = get(env, ENV_STATE_DIR);
        let switches_state =
            switches && state.as_deref().is_some_and(|s| Path::new(s) == inherited);
        let config = get(env, ENV_CONFIG_PATH);
        let replaces_config = switches
            && (state.is_none() || switches_state)
            && config
                .as_deref()
                .is_some_and(|c| Path::new(c) == inherited.join("openclaw.json"));
        env.insert(ENV_PROFILE.into(), name.into());
        let state_dir = match &state {
            Some(s) if !switches_state => PathBuf::from(s),
            _ => selected,
        };
        if state.is_none() || switches_state {
            env.insert(ENV_STATE_DIR.into(), state_dir.display().to_string());
        }
        if config.is_none() || replaces_config {
            let path = state_dir.join("openclaw.json");
            env.insert(ENV_CONFIG_PATH.into(), path.display().to_string());
        }
        if name == "dev" && get(env, ENV_PORT).is_none() {
            env.insert(ENV_PORT.into(), "19001".into());
        }
    }

    /// The port with no `gateway.port` and no `OPENCLAW_GATEWAY_PORT`:
    /// 18789, or with a profile `20000 + fnv1a32(profile) % 40000`.
    pub(crate) fn default_port(&self) -> u16 {
        match &self.profile {
            None => DEFAULT_PORT,
            Some(p) => (20_000 + fnv1a32(p.as_bytes()) % 40_000) as u16,
        }
    }

    /// `$STATE/tmp/openclaw-<uid>`: where the gateway keeps its lock files.
    pub(crate) fn lock_dir(&self) -> PathBuf {
        self.state_dir
            .join("tmp")
            .join(format!("openclaw-{}", nix::unistd::getuid()))
    }

    /// `os.tmpdir()/openclaw-<uid>`: the lock directory of releases before
    /// 2026.8.1 (`resolveGatewayLockDir(tmpdir = os.tmpdir)` up to
    /// 2026.8.1-beta.1), shared by every state dir of the user.
    pub(crate) fn shared_lock_dir(&self) -> PathBuf {
        (self.tmp_dir).join(format!("openclaw-{}", nix::unistd::getuid()))
    }

    /// The gateway lock files (`gateway.<hash>.lock`, `gateway.state.lock`)
    /// of this install: every one in the state dir's lock directory, and in
    /// the shared one of older releases only this config's
    /// (`gateway.<sha256(config path)[..8]>.lock`, or a record naming this
    /// config), so no other install's lock is ever read as ours.
    pub(crate) fn gateway_locks(&self) -> Vec<(PathBuf, Option<LockRecord>)> {
        let is_lock = |n: &str| n.starts_with("gateway.") && n.ends_with(".lock");
        let ours = format!("gateway.{}.lock", self.config_hash());
        let mut out = Vec::new();
        for (dir, shared) in [(self.lock_dir(), false), (self.shared_lock_dir(), true)] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.flatten().map(|e| e.path()) {
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                if !is_lock(name) {
                    continue;
                }
                let record = LockRecord::read(&path);
                let this_config = name == ours
                    || (record.as_ref())
                        .and_then(|r| r.config_path.as_deref())
                        .is_some_and(|c| Path::new(c) == self.config_path);
                if !shared || this_config {
                    out.push((path, record));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// `sha256(config path)[..8]`, as OpenClaw names a config's gateway lock.
    fn config_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.config_path.as_os_str().as_encoded_bytes());
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The live gateway of this state dir: a lock record whose pid, start
    /// time and process title agree.
    pub(crate) fn running_gateway(&self, root: &ProcRoot) -> Option<LockRecord> {
        self.gateway_locks()
            .into_iter()
            .filter_map(|(_, r)| r)
            .find(|r| matches!(r.identify(root), Identity::Gateway { .. }))
    }

    /// The config as the gateway reads it, or why not.
    pub(crate) fn load(&self) -> Result<config::Loaded, config::LoadError> {
        config::load(&self.config_path)
    }

    /// The effective port: `OPENCLAW_GATEWAY_PORT`, else `gateway.port`,
    /// else 18789.
    pub(crate) fn port_from(&self, vars: Vars<'_>) -> u16 {
        vars(ENV_PORT)
            .or_else(|| self.port_env.clone())
            .as_deref()
            .and_then(parse_port_env)
            .or_else(|| self.load().ok().and_then(|l| l.port))
            .unwrap_or_else(|| self.default_port())
    }

    /// The file log: `logging.file`, else today's
    /// `/tmp/openclaw/openclaw[-PROFILE]-DATE.log`.
    pub(crate) fn log_path(&self) -> PathBuf {
        self.load()
            .ok()
            .and_then(|l| l.log_file)
            .unwrap_or_else(|| default_log_path(self.profile.as_deref()))
    }

    /// The directory logs go to.
    pub(crate) fn log_dir(&self) -> PathBuf {
        self.log_path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/tmp/openclaw"))
    }
}

/// `OPENCLAW_GATEWAY_PORT`: `18789` or `host:18789`.
pub(crate) fn parse_port_env(value: &str) -> Option<u16> {
    let port = value.rsplit(':').next()?.trim();
    port.parse().ok().filter(|p| *p > 0)
}

/// `/tmp/openclaw/openclaw[-PROFILE]-YYYY-MM-DD.log` for today, dated as
/// OpenClaw dates it: the *local* date (`formatLocalDate` in
/// dist/logger-*.mjs, 2026.9.6: JS `Date`'s getFullYear/getMonth/getDate,
/// so the `TZ` variable, else /etc/localtime), not the UTC one.
pub(crate) fn default_log_path(profile: Option<&str>) -> PathBuf {
    default_log_path_on(jiff::ZonedDateTime::now().date(), profile)
}

fn default_log_path_on(date: jiff::civil::Date, profile: Option<&str>) -> PathBuf {
    let profile = profile
        .map(|p| format!("-{}", log_profile_segment(p)))
        .unwrap_or_default();
    PathBuf::from("/tmp/openclaw").join(format!(
        "openclaw{profile}-{:04}-{:02}-{:02}.log",
        date.year(),
        date.month(),
        date.day()
    ))
}

/// The profile as OpenClaw writes it into a log file name
/// (`encodeLogProfileSegment`, 2026.9.6): `[a-z0-9]` kept, `-` → `--`,
/// `_` → `-0`, `A` → `-1a`, anything else `-2<hex code point>-`; over 220
/// bytes, `-3<sha256 hex>`.
fn log_profile_segment(profile: &str) -> String {
    let mut out = String::new();
    for c in profile.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            '-' => out.push_str("--"),
            '_' => out.push_str("-0"),
            'A'..='Z' => {
                out.push_str("-1");
                out.push(c.to_ascii_lowercase());
            }
            other => out.push_str(&format!("-2{:x}-", u32::from(other))),
        }
    }
    if out.len() > 220 {
        use sha2::Digest;
        return format!(
            "-3{}",
            hex::encode(sha2::Sha256::digest(profile.as_bytes()))
        );
    }
    out
}

/// 32-bit FNV-1a.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2_166_136_261u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(16_777_619)
    })
}

fn find_in_path(path: &str, program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A gateway lock file's JSON (`gateway.<hash>.lock`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LockRecord {
    pub pid: i32,
    /// Clock ticks after boot, as `/proc/PID/stat` field 22.
    pub start_time: u64,
    #[serde(default)]
    pub config_path: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
}

/// The JSON object at the start of a lock file (the gateway pads the file
/// with whitespace after it): the one reader of OpenClaw's lock files.
fn first_json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<T>();
    stream.next()?.ok()
}

/// The owner any OpenClaw lock file names: the gateway lock's
/// `{pid, startTime}` or the generic file lock's `{pid, starttime}` (a
/// session write lock); the start time may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) struct LockOwner {
    pub pid: i32,
    #[serde(default, rename = "startTime", alias = "starttime")]
    pub start_time: Option<u64>,
}

impl LockOwner {
    pub(crate) fn read(path: &Path) -> Option<Self> {
        first_json(&std::fs::read_to_string(path).ok()?)
    }
}

impl LockRecord {
    /// Parses a gateway lock file.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        first_json(text)
    }
    fn read(path: &Path) -> Option<Self> {
        Self::parse(&std::fs::read_to_string(path).ok()?)
    }
    /// Is the recorded pid still this gateway (pid, start time, title)?
    pub(crate) fn identify(&self, root: &ProcRoot) -> Identity {
        procinfo::identify_as(root, self.pid, self.start_time, is_gateway_process)
    }
}

/// Is this process an OpenClaw gateway: comm `openclaw-gatewa` or a command
/// line starting with the `openclaw-gateway` title (2026.9), or, as older
/// releases' own `isGatewayArgv` says, the `openclaw` title or an `openclaw`
/// entry point run with `gateway` (2026.5.28's gateway is titled just
/// `openclaw`). Only ever asked of the pid a gateway lock records, with its
/// start time agreeing: a lock file's writer, not any `openclaw` command.
pub(crate) fn is_gateway_process(comm: &str, argv: &[String]) -> bool {
    let title = argv.first().map(|a| a.trim_end()).unwrap_or_default();
    let entry = |a: &String| {
        let a = a.replace('\\', "/");
        a == "openclaw"
            || a.ends_with("/openclaw")
            || ["openclaw.mjs", "dist/entry.js", "dist/index.js"]
                .iter()
                .any(|e| a.ends_with(e))
    };
    comm == COMM
        || title == PROCESS_TITLE
        || title.starts_with("openclaw-gateway ")
        || title == "openclaw"
        || (argv.iter().any(|a| a == "gateway") && argv.iter().take(2).any(entry))
}

/// The first `openclaw-gateway` process under `root`, if any (auto detection).
pub(crate) fn find_gateway_process(root: &ProcRoot) -> Option<i32> {
    let entries = std::fs::read_dir(root.path()).ok()?;
    let mut pids: Vec<i32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    pids.into_iter().find(|pid| {
        std::fs::read_to_string(root.pid_dir(*pid).join("comm"))
            .is_ok_and(|c| c.trim_end_matches('\n') == COMM)
    })
}

/// tslog JSON lines → `[subsystem] message` text lines (other lines as they
/// are), so the rules see what the console shows.
pub(crate) fn tslog_to_text(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() / 3);
    for line in text.lines() {
        out.push_str(&tslog_line(line).unwrap_or_else(|| line.to_string()));
        out.push('\n');
    }
    out.into_bytes()
}

/// tslog JSON lines → `time LEVEL [subsystem] message`, for `clawdoc logs`
/// (other lines as they are). A multi-line message keeps its lines.
pub(crate) fn tslog_readable(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() / 3);
    for line in text.lines() {
        let shown = serde_json::from_str::<serde_json::Value>(line.trim())
            .ok()
            .and_then(|v| {
                let message = tslog_message(&v)?;
                let meta = v.get("_meta");
                let time = v
                    .get("time")
                    .or_else(|| meta.and_then(|m| m.get("date")))
                    .and_then(|t| t.as_str())
                    .unwrap_or("-");
                let level = meta
                    .and_then(|m| m.get("logLevelName"))
                    .and_then(|l| l.as_str())
                    .unwrap_or("-");
                Some(format!("{time} {level:<5} {message}"))
            });
        out.push_str(&shown.unwrap_or_else(|| line.to_string()));
        out.push('\n');
    }
    out.into_bytes()
}

/// `_meta.runtimeVersion` (the Node version) of the newest tslog record
/// that has one.
pub(crate) fn tslog_runtime_version(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find_map(|line| {
            let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
            v.get("_meta")?
                .get("runtimeVersion")?
                .as_str()
                .map(String::from)
        })
}

fn tslog_line(line: &str) -> Option<String> {
    tslog_message(&serde_json::from_str(line.trim()).ok()?)
}

/// `[subsystem] message` of one tslog record.
fn tslog_message(value: &serde_json::Value) -> Option<String> {
    let obj = value.as_object()?;
    let mut parts: Vec<String> = Vec::new();
    let mut subsystem = None;
    for i in 0.. {
        let Some(v) = obj.get(&i.to_string()) else {
            break;
        };
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Argument 0 is often the logger's name: {"subsystem":"gateway"}.
        if i == 0 {
            if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(&s)
            {
                subsystem = m
                    .get("subsystem")
                    .and_then(|v| v.as_str())
                    .map(String::from);
                continue;
            }
        }
        parts.push(s);
    }
    if parts.is_empty() {
        parts.push(obj.get("message")?.as_str()?.to_string());
    }
    let message = parts.join(" ");
    Some(match subsystem {
        Some(s) => format!("[{s}] {message}"),
        None => message,
    })
}

impl Facts for OpenClaw {
    fn kind(&self) -> TargetKind {
        TargetKind::OpenClaw
    }
    fn config_path(&self, _home: &Home) -> PathBuf {
        self.config_path.clone()
    }
    fn state_dir(&self, _home: &Home) -> PathBuf {
        self.state_dir.clone()
    }
    fn port(&self, _home: &Home, vars: Vars<'_>) -> u16 {
        self.port_from(vars)
    }
    fn log_source(&self, _home: &Home) -> LogSource {
        LogSource {
            path: self.log_path(),
            start_markers: START_MARKERS,
            to_text: Some(tslog_to_text),
            readable: Some(tslog_readable),
        }
    }
    fn gateway_running(&self, _home: &Home, proc_root: &ProcRoot) -> bool {
        self.running_gateway(proc_root).is_some()
    }
    fn commands(&self, action: FixAction, category: Category) -> Option<Vec<String>> {
        Some(commands(self, action, category))
    }
    fn logs_command(&self) -> String {
        format!("tail -n 50 {}", self.log_path().display())
    }
    fn token(&self, _home: &Home) -> Option<crate::config::Secret> {
        self.load().ok()?.token
    }
    fn verified(&self, ready: bool, _handshake: &str) -> bool {
        ready
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_gateway_process_is_told_by_its_title_or_its_entry_and_gateway_argument() {
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // 2026.9: its own title; 2026.5.28: `openclaw`, padded.
        assert!(is_gateway_process(
            "openclaw-gatewa",
            &argv(&["openclaw-gateway"])
        ));
        assert!(is_gateway_process(
            "openclaw",
            &argv(&["openclaw                    "])
        ));
        // No title: the entry point run with `gateway` (its isGatewayArgv).
        assert!(is_gateway_process(
            "node",
            &argv(&[
                "node",
                "/usr/lib/node_modules/openclaw/openclaw.mjs",
                "gateway",
                "run"
            ])
        ));
        assert!(is_gateway_process(
            "node",
            &argv(&["/usr/local/bin/openclaw", "gateway"])
        ));
        assert!(!is_gateway_process(
            "node",
            &argv(&[
                "node",
                "/usr/lib/node_modules/openclaw/openclaw.mjs",
                "status"
            ])
        ));
        assert!(!is_gateway_process(
            "node",
            &argv(&["node", "server.js", "gateway"])
        ));
        assert!(!is_gateway_process(
            "python3",
            &argv(&["python3", "-m", "http.server"])
        ));
    }

    use super::*;
    use crate::target::fixture;

    #[test]
    fn port_env_takes_a_port_or_host_port() {
        assert_eq!(parse_port_env("18801"), Some(18801));
        assert_eq!(parse_port_env("127.0.0.1:18801"), Some(18801));
        assert_eq!(parse_port_env("[::1]:18801"), Some(18801));
        assert_eq!(parse_port_env("nope"), None);
        assert_eq!(parse_port_env("0"), None);
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn paths_follow_the_precedence() {
        let t = OpenClaw::from_env(&env(&[("HOME", "/h")]));
        assert_eq!(t.config_path, PathBuf::from("/h/.openclaw/openclaw.json"));
        assert_eq!(t.state_dir, PathBuf::from("/h/.openclaw"));
        let t = OpenClaw::from_env(&env(&[("HOME", "/h"), (ENV_STATE_DIR, "/s")]));
        assert_eq!(t.config_path, PathBuf::from("/s/openclaw.json"));
        let t = OpenClaw::from_env(&env(&[
            ("HOME", "/h"),
            (ENV_STATE_DIR, "/s"),
            (ENV_CONFIG_PATH, "/c.json"),
        ]));
        assert_eq!(t.config_path, PathBuf::from("/c.json"));
        assert_eq!(t.state_dir, PathBuf::from("/s"));
        assert!(t.cli.is_none());
    }

    #[test]
    fn a_profile_moves_the_state_dir_default_port_and_log_as_openclaw_does() {
        let none = |_: &str| None;
        // `openclaw --profile work config file` → ~/.openclaw-work/openclaw.json,
        // `gateway status` → port 41984 (fixtures/openclaw/cli-facts).
        let mut e = env(&[("HOME", "/h")]);
        OpenClaw::apply_profile_flag(&mut e, "work");
        let t = OpenClaw::from_env(&e);
        assert_eq!(
            t.config_path,
            PathBuf::from("/h/.openclaw-work/openclaw.json")
        );
        assert_eq!(t.port_from(&none), 41984);
        let log = t.log_path().display().to_string();
        assert!(log.starts_with("/tmp/openclaw/openclaw-work-20"), "{log}");
        // An explicit state dir wins over --profile.
        let mut e = env(&[("HOME", "/h"), (ENV_STATE_DIR, "/alt")]);
        OpenClaw::apply_profile_flag(&mut e, "work");
        assert_eq!(
            OpenClaw::from_env(&e).config_path,
            PathBuf::from("/alt/openclaw.json")
        );
        // OPENCLAW_PROFILE alone: same config path, the profile's port.
        let t = OpenClaw::from_env(&env(&[("HOME", "/h"), (ENV_PROFILE, "work")]));
        assert_eq!(t.config_path, PathBuf::from("/h/.openclaw/openclaw.json"));
        assert_eq!(t.port_from(&none), 41984);
        // `default` is no profile.
        let t = OpenClaw::from_env(&env(&[("HOME", "/h"), (ENV_PROFILE, "default")]));
        assert_eq!(t.port_from(&none), DEFAULT_PORT);
        assert_eq!(log_profile_segment("My_w-1.x"), "-1my-0w--1-22e-x");
        assert_eq!(
            default_log_path_on(jiff::civil::date(2026, 3, 9), Some("work")),
            PathBuf::from("/tmp/openclaw/openclaw-work-2026-03-09.log")
        );
        // `dev` pins port 19001 unless one is set.
        let mut e = env(&[("HOME", "/h")]);
        OpenClaw::apply_profile_flag(&mut e, "dev");
        assert_eq!(OpenClaw::from_env(&e).port_from(&none), 19001);
        // A state dir that is the inherited profile's own dir is switched.
        let mut e = env(&[("HOME", "/h"), (ENV_STATE_DIR, "/h/.openclaw")]);
        OpenClaw::apply_profile_flag(&mut e, "work");
        assert_eq!(
            OpenClaw::from_env(&e).state_dir,
            PathBuf::from("/h/.openclaw-work")
        );
    }

    #[test]
    fn lock_record_from_the_real_padded_file() {
        let text = std::fs::read_to_string(fixture("openclaw/healthy-run/locks.txt")).unwrap();
        // The capture lists files as "== path (N bytes)" then the content.
        let body = text
            .split("== ")
            .find(|s| s.contains("gateway.6b2dede3.lock (457"))
            .unwrap();
        let json = &body[body.find("\n{").unwrap()..];
        let r = LockRecord::parse(json).unwrap();
        assert_eq!(r.pid, 2171);
        assert_eq!(r.start_time, 80964);
        assert_eq!(r.port, Some(18789));
        assert!(LockRecord::parse("garbage").is_none());
    }

    #[test]
    fn lock_owner_of_a_gateway_lock_and_a_session_lock() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let cases = [
            (
                "{\"pid\":7,\"startTime\":9,\"port\":1}\n\t  \n",
                Some((7, Some(9))),
            ),
            (
                "{\"pid\":7,\"createdAt\":\"t\",\"starttime\":9}",
                Some((7, Some(9))),
            ),
            ("{\"pid\":7}", Some((7, None))),
            ("{\"createdAt\":\"t\"}", None),
            ("not json", None),
        ];
        for (text, want) in cases {
            std::fs::write(&p, text).unwrap();
            let got = LockOwner::read(&p).map(|o| (o.pid, o.start_time));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn the_captured_gateway_is_identified_by_lock_record() {
        let root = ProcRoot::new(fixture("proc/openclaw"));
        let record = LockRecord {
            pid: 2171,
            start_time: 80964,
            config_path: None,
            port: Some(18789),
        };
        assert!(matches!(record.identify(&root), Identity::Gateway { .. }));
        let reused = LockRecord {
            start_time: 1,
            ..record.clone()
        };
        assert!(matches!(reused.identify(&root), Identity::Stranger { .. }));
        // A worker child is not the gateway.
        let child = LockRecord {
            pid: 4759,
            start_time: procinfo::stat(&root, 4759).unwrap().start_time,
            ..record.clone()
        };
        assert!(matches!(child.identify(&root), Identity::Stranger { .. }));
        let dead = LockRecord {
            pid: 999_999,
            ..record
        };
        assert_eq!(dead.identify(&root), Identity::Dead);
        assert_eq!(find_gateway_process(&root), Some(2171));
    }

    #[test]
    fn tslog_lines_become_console_text() {
        let log = std::fs::read(fixture("openclaw/mode-unset/file-log.jsonl")).unwrap();
        let text = String::from_utf8(tslog_to_text(&log)).unwrap();
        assert!(
            text.starts_with("Gateway start blocked: existing config is missing gateway.mode"),
            "{text}"
        );
        let log = std::fs::read(fixture("openclaw/healthy-run/file-log.jsonl")).unwrap();
        let text = String::from_utf8(tslog_to_text(&log)).unwrap();
        assert!(
            text.starts_with("[gateway] loading configuration"),
            "{text}"
        );
        assert!(text.contains("\n[gateway] gateway ready\n"), "{text}");
        assert!(!text.contains("_meta"), "{text}");
    }

    #[test]
    fn tslog_lines_become_readable_with_time_and_level() {
        let log = std::fs::read(fixture("openclaw/healthy-run/file-log.jsonl")).unwrap();
        let text = String::from_utf8(tslog_readable(&log)).unwrap();
        assert!(
            text.starts_with(
                "2026-11-29T18:19:49.678+00:00 INFO  [gateway] loading configuration…\n"
            ),
            "{text}"
        );
        // One shown record per JSON line (a multi-line message keeps its lines).
        let records = log.split(|b| *b == b'\n').count() - 1;
        let shown = text
            .lines()
            .filter(|l| l.starts_with("2026-11-29T"))
            .count();
        assert_eq!(shown, records);
        // Not JSON: shown as it is.
        assert_eq!(tslog_readable(b"plain line\n"), b"plain line\n");
    }
}
