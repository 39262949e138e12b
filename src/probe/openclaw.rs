//! The probes, against an OpenClaw install. They report the same facts as the
//! embedded gateway's (so the same rules judge them) and reuse the same
//! machinery (listener lookup, HTTP client, kernel log, statvfs) with
//! OpenClaw's paths, port, endpoints and process identity. Read-only: files
//! and sockets, never the `openclaw` CLI.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::{configured_port, human_bytes, Evidence, ProbeEnv, Status};
use crate::health::HttpError;
use crate::i18n::{msg, Message};
use crate::procinfo::{self, Identity};
use crate::target::openclaw::config::{LoadError, Loaded};
use crate::target::openclaw::{LockOwner, LockRecord, OpenClaw, COMM, PROCESS_TITLE};
use crate::vocab::ProbeName;

/// The Node versions OpenClaw 2026.9.6 accepts: `>=24.16.0 <25 || >=26.1.0`.
pub(crate) fn node_supported(version: (u64, u64, u64)) -> bool {
    let (major, minor, _) = version;
    (major == 24 && minor >= 16) || (major == 26 && minor >= 1) || major > 26
}

/// A log file larger than this is worth a warning (the gateway does not
/// rotate `logging.file`).
const LARGE_LOG_BYTES: u64 = 512 * 1024 * 1024;

pub(crate) fn probe(t: &OpenClaw, name: ProbeName, env: &ProbeEnv) -> Evidence {
    match name {
        ProbeName::Config => config(t),
        ProbeName::Pid => pid(t, env),
        ProbeName::Lock => lock(t, env),
        ProbeName::Port => port(t, env),
        ProbeName::Health => health(env),
        ProbeName::Oom => {
            let recorded = t.gateway_locks().into_iter().find_map(|(_, r)| r);
            super::oom::probe_for(env, recorded.map(|r| r.pid), &[COMM, PROCESS_TITLE])
        }
        ProbeName::Disk => disk(t, env),
        ProbeName::Token => token(t, env),
        ProbeName::Display => super::display::probe(env),
        ProbeName::Resources => super::resources::probe(env),
        ProbeName::Runtime => runtime(t, env),
    }
}

fn config(t: &OpenClaw) -> Evidence {
    const NAME: ProbeName = ProbeName::Config;
    let loaded = match t.load() {
        Ok(l) => l,
        Err(LoadError::Missing(path)) => {
            let summary = msg!("config-missing", path = path.display());
            return Evidence::new(NAME, Status::Fail, summary).fact("config.exists", false);
        }
        Err(LoadError::Unreadable(path, error)) => {
            let summary = msg!("config-unreadable", path = path.display(), error = error);
            return Evidence::inconclusive(NAME, summary).fact("config.exists", true);
        }
        Err(e @ LoadError::Syntax { .. }) => {
            let LoadError::Syntax { line, col, .. } = &e else {
                unreachable!()
            };
            let at = format!("{}:{line}:{col}", t.config_path.display());
            return Evidence::new(NAME, Status::Fail, msg!("config-corrupt", error = &e))
                .fact("config.exists", true)
                .fact("config.parses", false)
                .fact("config.problem_count", 1)
                .fact("config.problems", vec![format!("{at}: {e}")]);
        }
    };
    config_evidence(&loaded)
}

fn config_evidence(loaded: &Loaded) -> Evidence {
    const NAME: ProbeName = ProbeName::Config;
    let path = loaded.path.display().to_string();
    let keys = |unknown: bool| -> Vec<String> {
        loaded
            .problems
            .iter()
            .filter(|p| p.unknown == unknown)
            .map(|p| p.key.clone())
            .collect()
    };
    let problems: Vec<String> = loaded
        .problems
        .iter()
        .map(|p| format!("{path}:{}:{}: {}", p.line, p.col, p.message))
        .collect();
    let private = loaded.file_mode & 0o077 == 0;
    let (status, summary) = if let Some(first) = loaded.problems.first() {
        let at = format!("{path}:{}:{}", first.line, first.col);
        let first = msg!("config-problem", at = at, problem = &first.message);
        match problems.len() {
            1 => (Status::Fail, first),
            n => (Status::Fail, msg!("and-more", text = first, count = n - 1)),
        }
    } else if loaded.mode.is_none() {
        (Status::Fail, msg!("config-mode-unset", path = &path))
    } else if !private {
        (
            Status::Warn,
            msg!(
                "oc-config-not-private",
                path = &path,
                mode = format!("{:04o}", loaded.file_mode)
            ),
        )
    } else if !loaded.token_pinned() {
        (Status::Warn, msg!("oc-config-token-unset", path = &path))
    } else {
        (
            Status::Ok,
            msg!(
                "oc-config-valid",
                path = &path,
                mode = loaded.mode.as_deref().unwrap_or("unset"),
                port = loaded
                    .port
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "default".into())
            ),
        )
    };
    let mut e = Evidence::new(NAME, status, summary)
        .fact("config.exists", true)
        .fact("config.parses", true)
        .fact("config.mode_set", loaded.mode.is_some())
        .fact("config.token_pinned", loaded.token_pinned())
        .fact("config.private", private)
        .fact("config.unknown_keys", keys(true))
        .fact("config.deprecated_keys", Vec::<String>::new())
        .fact("config.bad_values", keys(false))
        .fact("config.problem_count", problems.len())
        .fact("config.problems", problems);
    if let Some(mode) = &loaded.mode {
        e = e.fact("config.mode", mode.clone());
    }
    if let Some(port) = loaded.port {
        e = e.fact("config.port", port);
    }
    e
}

/// The gateway process, from its lock file (OpenClaw keeps no pid file).
fn pid(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
    const NAME: ProbeName = ProbeName::Pid;
    let records: Vec<LockRecord> = t
        .gateway_locks()
        .into_iter()
        .filter_map(|(_, r)| r)
        .collect();
    let Some(record) = records
        .iter()
        .find(|r| matches!(r.identify(&env.proc_root), Identity::Gateway { .. }))
        .or(records.first())
    else {
        return Evidence::new(
            NAME,
            Status::Ok,
            msg!(
                "oc-no-lock",
                dir = t.lock_dir().display(),
                shared = t.shared_lock_dir().display()
            ),
        )
        .fact("pid.file_present", false)
        .fact("pid.identity", "none");
    };
    let pid = record.pid;
    let base = Evidence::new(NAME, Status::Ok, msg!("pid-n", pid = pid))
        .fact("pid.file_present", true)
        .fact("pid.file_valid", true)
        .fact("pid.pid", pid);
    match record.identify(&env.proc_root) {
        Identity::Gateway { state } => {
            let hung = state.is_hung();
            let state_name = serde_json::to_value(state)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            Evidence {
                status: if hung { Status::Fail } else { Status::Ok },
                ..base.say(msg!(
                    "oc-pid-running",
                    pid = pid,
                    // `openclaw-gateway` (2026.9), `openclaw` (older).
                    title = procinfo::cmdline(&env.proc_root, pid)
                        .ok()
                        .and_then(|a| Some(a.first()?.trim_end().to_string()))
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| PROCESS_TITLE.to_string()),
                    state = &state_name
                ))
            }
            .fact("pid.alive", true)
            .fact("pid.identity", "gateway")
            .fact("pid.state", state_name)
            .fact("pid.hung", hung)
        }
        Identity::Dead => Evidence {
            status: Status::Warn,
            ..base.say(msg!("oc-pid-dead", pid = pid))
        }
        .fact("pid.alive", false)
        .fact("pid.identity", "dead"),
        Identity::Stranger {
            cmdline, reason, ..
        } => Evidence {
            status: Status::Warn,
            ..base.say(msg!("oc-pid-stranger", pid = pid, reason = reason))
        }
        .fact("pid.alive", true)
        .fact("pid.identity", "stranger")
        .fact("pid.stranger_cmdline", super::join_argv(&cmdline)),
        Identity::Unknown { error } => {
            Evidence::inconclusive(NAME, msg!("oc-pid-cannot-look", pid = pid, error = error))
                .fact("pid.file_present", true)
                .fact("pid.identity", "unknown")
        }
    }
}

/// Session write locks under `$STATE/agents/*/sessions/*.jsonl.lock`.
pub(crate) fn session_locks(t: &OpenClaw) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(agents) = std::fs::read_dir(t.state_dir.join("agents")) else {
        return out;
    };
    for agent in agents.flatten() {
        let Ok(files) = std::fs::read_dir(agent.path().join("sessions")) else {
            continue;
        };
        out.extend(
            files
                .flatten()
                .map(|f| f.path())
                .filter(|p| p.to_string_lossy().ends_with(".jsonl.lock")),
        );
    }
    out.sort();
    out
}

/// Is a lock's owner gone: dead, or its pid reused (start time differs)?
fn owner_gone(env: &ProbeEnv, pid: i32, start: Option<u64>) -> bool {
    match start {
        Some(start) => matches!(
            procinfo::identify_as(&env.proc_root, pid, start, |_, _| true),
            Identity::Dead | Identity::Stranger { .. }
        ),
        None => matches!(
            procinfo::stat(&env.proc_root, pid),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound
        ),
    }
}

/// Gateway and session locks whose owner is gone, for the fix.
pub(crate) fn stale_locks(t: &OpenClaw, env: &ProbeEnv) -> Vec<PathBuf> {
    let gateway = t.gateway_locks().into_iter().filter_map(|(p, r)| {
        let r = r?;
        owner_gone(env, r.pid, Some(r.start_time)).then_some(p)
    });
    let sessions = session_locks(t)
        .into_iter()
        .filter(|p| LockOwner::read(p).is_some_and(|o| owner_gone(env, o.pid, o.start_time)));
    gateway.chain(sessions).collect()
}

fn lock(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
    const NAME: ProbeName = ProbeName::Lock;
    let locks = t.gateway_locks();
    let sessions = session_locks(t);
    let stale = stale_locks(t, env);
    // Where the running gateway's lock is: the state dir's `tmp/` (2026.9)
    // or the shared `os.tmpdir()` one (older releases).
    let held = locks
        .iter()
        .find(|(_, r)| {
            r.as_ref()
                .is_some_and(|r| matches!(r.identify(&env.proc_root), Identity::Gateway { .. }))
        })
        .and_then(|(p, _)| p.parent().map(Path::to_path_buf));
    let stale_sessions: Vec<String> = stale
        .iter()
        .filter(|p| sessions.contains(p))
        .map(|p| p.display().to_string())
        .collect();
    let (status, summary) = if let Some(first) = stale.first() {
        let first = msg!("oc-lock-stale", path = first.display());
        match stale.len() {
            1 => (Status::Warn, first),
            n => (Status::Warn, msg!("and-more", text = first, count = n - 1)),
        }
    } else if let Some(dir) = &held {
        (Status::Ok, msg!("oc-lock-held", dir = dir.display()))
    } else if locks.is_empty() {
        (
            Status::Ok,
            msg!(
                "oc-no-lock",
                dir = t.lock_dir().display(),
                shared = t.shared_lock_dir().display()
            ),
        )
    } else {
        (Status::Ok, msg!("oc-locks-fine"))
    };
    let mut e = Evidence::new(NAME, status, summary)
        .fact(
            "lock.present",
            !locks.is_empty() || !stale_sessions.is_empty(),
        )
        .fact("lock.held", held.is_some())
        .fact("lock.stale", !stale.is_empty())
        .fact("lock.stale_sessions", stale_sessions);
    if let Some(pid) = locks.iter().find_map(|(_, r)| r.as_ref().map(|r| r.pid)) {
        e = e.fact("lock.recorded_pid", pid);
    }
    if held.is_some() {
        if let Some(pid) = t.running_gateway(&env.proc_root).map(|r| r.pid) {
            e = e.fact("lock.owner_pid", pid);
        }
    }
    e
}

fn port(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
    let port = configured_port(env);
    let ours = t.running_gateway(&env.proc_root).map(|r| r.pid);
    super::port::probe_holder(env, port, ours, |pid, _| ours == Some(pid))
}

fn health(env: &ProbeEnv) -> Evidence {
    const NAME: ProbeName = ProbeName::Health;
    let port = configured_port(env);
    let url = format!("http://127.0.0.1:{port}");
    let base = |status, summary: Message| {
        Evidence::new(NAME, status, summary).fact("health.handshake", "skipped")
    };
    let live = match crate::health::request(port, "GET", "/healthz", env.net_timeout) {
        Ok(reply) => reply,
        Err(e) if e.is_refused() => {
            return base(
                Status::Fail,
                msg!("oc-health-refused", url = &url, error = e),
            )
            .fact("health.reachable", false)
            .fact("health.ready", false)
            .fact("health.timed_out", false)
        }
        Err(HttpError::Timeout { latency_ms, .. }) => {
            return base(
                Status::Fail,
                msg!(
                    "oc-health-hung",
                    url = &url,
                    ms = format!("{latency_ms:.0}")
                ),
            )
            .fact("health.reachable", true)
            .fact("health.ready", false)
            .fact("health.timed_out", true)
        }
        Err(e @ HttpError::Connect { .. }) => {
            return base(
                Status::Fail,
                msg!("oc-health-cannot-connect", url = &url, error = e),
            )
            .fact("health.reachable", false)
            .fact("health.ready", false)
            .fact("health.timed_out", false)
        }
        Err(e) => {
            return base(Status::Fail, msg!("oc-health-error", url = &url, error = e))
                .fact("health.reachable", true)
                .fact("health.ready", false)
                .fact("health.timed_out", false)
        }
    };
    let ready = crate::health::request(
        port,
        "GET",
        "/readyz",
        env.net_timeout.max(Duration::from_millis(500)),
    );
    let (ready_status, failing) = match &ready {
        Ok(reply) => {
            let failing: Vec<String> = serde_json::from_str::<Value>(&reply.body)
                .ok()
                .and_then(|v| v.get("failing").cloned())
                .and_then(|f| serde_json::from_value(f).ok())
                .unwrap_or_default();
            (Some(reply.status), failing)
        }
        Err(_) => (None, Vec::new()),
    };
    let is_ready = ready_status == Some(200);
    let is_live = live.status == 200;
    let latency = live.latency_ms;
    let summary = if is_ready {
        msg!("oc-health-ready", url = &url, ms = format!("{latency:.1}"))
    } else if let Some(code) = ready_status {
        if failing.is_empty() {
            msg!("oc-health-not-ready", url = &url, code = code)
        } else {
            let failing = failing.join(", ");
            msg!(
                "oc-health-failing",
                url = &url,
                code = code,
                failing = failing
            )
        }
    } else if is_live {
        msg!("oc-health-live-only", url = &url)
    } else {
        msg!("oc-health-answers", url = &url, code = live.status)
    };
    base(if is_ready { Status::Ok } else { Status::Fail }, summary)
        .fact("health.reachable", true)
        .fact("health.timed_out", false)
        .fact("health.ready", is_ready)
        .fact("health.live", is_live)
        .fact("health.status_code", ready_status.unwrap_or(live.status))
        .fact("health.latency_ms", latency)
        .fact("health.failing", failing)
}

fn disk(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
    let state = super::disk::probe_dir(env, &t.state_dir);
    let log_path = t.log_path();
    let log_dir = t.log_dir();
    let logs = if log_dir.starts_with(&t.state_dir) {
        None
    } else {
        Some(super::disk::probe_dir(env, &log_dir))
    };
    // The worse of the two decides; both summaries are kept.
    let mut e = match logs {
        Some(logs) if logs.status > state.status && logs.status != Status::Inconclusive => {
            let both = msg!(
                "oc-disk-logs-state",
                logs = Message::clone(&logs.message),
                state = std::sync::Arc::unwrap_or_clone(state.message)
            );
            logs.say(both)
        }
        Some(logs) => {
            let both = msg!(
                "oc-disk-state-logs",
                state = Message::clone(&state.message),
                logs = std::sync::Arc::unwrap_or_clone(logs.message)
            );
            state.say(both)
        }
        None => state,
    };
    let log_bytes = std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
    let large = log_bytes > LARGE_LOG_BYTES;
    if large {
        e.status = e.status.max(Status::Warn);
        let text = Message::clone(&e.message);
        let size = human_bytes(log_bytes);
        e = e.say(msg!(
            "oc-disk-large-log",
            text = text,
            path = log_path.display(),
            size = size
        ));
    }
    e.fact("disk.log_bytes", log_bytes)
        .fact("disk.log_large", large)
}

fn token(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
    const NAME: ProbeName = ProbeName::Token;
    let from_env = env.var("OPENCLAW_GATEWAY_TOKEN").is_some();
    let loaded = match t.load() {
        Ok(l) => l,
        Err(e) if !from_env => {
            return Evidence::inconclusive(NAME, msg!("oc-token-unreadable", error = e))
        }
        Err(_) => {
            return Evidence::new(NAME, Status::Ok, msg!("oc-token-from-env"))
                .fact("token.pinned", true)
                .fact("token.runtime_only", false)
        }
    };
    let pinned = from_env || loaded.token_pinned();
    let running = t.running_gateway(&env.proc_root).is_some();
    let runtime_only = !pinned && running;
    let (status, summary) = if pinned {
        (Status::Ok, msg!("oc-token-set"))
    } else if runtime_only {
        (Status::Warn, msg!("oc-token-runtime-only"))
    } else {
        (Status::Warn, msg!("oc-token-unset"))
    };
    Evidence::new(NAME, status, summary)
        .fact("token.pinned", pinned)
        .fact("token.runtime_only", runtime_only)
}

/// The Node version the gateway runs on: `_meta.runtimeVersion` of the
/// newest file-log line (what the gateway last ran with), else the version
/// in the `node` package next to the running gateway's executable.
fn runtime(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
    const NAME: ProbeName = ProbeName::Runtime;
    let (version, source) = match log_runtime_version(&t.log_path()) {
        Some(v) => (v, msg!("oc-node-from-log")),
        None => match exe_package_version(t, env) {
            Some(v) => (v, msg!("oc-node-from-package")),
            None => return Evidence::inconclusive(NAME, msg!("oc-node-unseen")),
        },
    };
    let parsed = parse_version(&version);
    let ok = parsed.is_some_and(node_supported);
    let (status, summary) = if ok {
        (
            Status::Ok,
            msg!("oc-node", version = &version, source = source),
        )
    } else {
        (
            Status::Fail,
            msg!("oc-node-unsupported", version = &version, source = source),
        )
    };
    Evidence::new(NAME, status, summary)
        .fact("runtime.node_version", version)
        .fact("runtime.node_ok", ok)
}

fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.trim().trim_start_matches('v').split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next().unwrap_or("0").parse().ok()?;
    let patch = it
        .next()
        .unwrap_or("0")
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .unwrap_or(0);
    Some((major, minor, patch))
}

/// The last `runtimeVersion` in the last 64 KiB of a tslog file.
fn log_runtime_version(path: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)))
        .ok()?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).ok()?;
    crate::target::openclaw::tslog_runtime_version(&buf)
}

/// `…/node_modules/node/bin/node` (npm's `node` package) → its package.json version.
fn exe_package_version(t: &OpenClaw, env: &ProbeEnv) -> Option<String> {
    let pid = t.running_gateway(&env.proc_root)?.pid;
    let exe = std::fs::read_link(env.proc_root.pid_dir(pid).join("exe")).ok()?;
    let pkg = exe.parent()?.parent()?.join("package.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(pkg).ok()?).ok()?;
    v.get("version")?.as_str().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::{fixture, Staged};

    /// A staged OpenClaw state dir from a captured case, `{STATE}` filled in.
    fn staged(case: &str, proc_fixture: Option<&str>) -> (Staged, OpenClaw) {
        let s = Staged::new(proc_fixture, &[]);
        let state = s.dir.path().join("state");
        std::fs::create_dir_all(state.join("logs")).unwrap();
        let src = fixture(&format!("openclaw/{case}/openclaw.json"));
        if src.exists() {
            let text = std::fs::read_to_string(src)
                .unwrap()
                .replace("{STATE}", &state.display().to_string());
            std::fs::write(state.join("openclaw.json"), text).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                state.join("openclaw.json"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        let mut s = s;
        s.set_var("HOME", s.dir.path().display().to_string());
        s.set_var(
            crate::target::openclaw::ENV_STATE_DIR,
            state.display().to_string(),
        );
        s.env.target = crate::target::Target::choose_in(
            Some(crate::target::TargetKind::OpenClaw),
            &s.env.env,
            &s.env.proc_root,
        );
        let t = s.env.target.openclaw().unwrap().clone();
        (s, t)
    }

    #[test]
    fn config_facts_for_each_captured_case() {
        let (_s, t) = staged("healthy-run", None);
        let e = config(&t);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("config.mode_set"), Some(&true.into()));
        assert_eq!(e.get("config.port"), Some(&18789.into()));

        let (_s, t) = staged("no-config", None);
        let e = config(&t);
        assert_eq!(e.get("config.exists"), Some(&false.into()));

        let (_s, t) = staged("mode-unset", None);
        assert_eq!(config(&t).get("config.mode_set"), Some(&false.into()));

        let (_s, t) = staged("json5-error", None);
        let e = config(&t);
        assert_eq!(e.get("config.parses"), Some(&false.into()));
        assert!(e.summary.contains("openclaw.json:6:5"), "{}", e.summary);

        let (_s, t) = staged("unknown-key", None);
        let e = config(&t);
        assert_eq!(
            e.get("config.unknown_keys"),
            Some(&serde_json::json!(["foo"]))
        );
        assert!(
            e.summary.contains(":12:5: Unrecognized key"),
            "{}",
            e.summary
        );
    }

    #[test]
    fn a_config_readable_by_others_is_a_warning() {
        let (_s, t) = staged("healthy-run", None);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&t.config_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = config(&t);
        assert_eq!(e.status, Status::Warn);
        assert_eq!(e.get("config.private"), Some(&false.into()));
    }

    fn write_lock(t: &OpenClaw, name: &str, pid: i32, start: u64) {
        std::fs::create_dir_all(t.lock_dir()).unwrap();
        std::fs::write(
            t.lock_dir().join(name),
            format!("{{\"pid\":{pid},\"startTime\":{start},\"port\":18789}}\n\t \t"),
        )
        .unwrap();
    }

    #[test]
    fn the_captured_gateway_holds_its_port_and_lock() {
        let (mut s, t) = staged("healthy-run", Some("openclaw"));
        s.set_var("OPENCLAW_GATEWAY_PORT", "127.0.0.1:18789");
        write_lock(&t, "gateway.6b2dede3.lock", 2171, 80964);
        let e = held_by_the_captured_gateway(&t, &s.env);
        assert_eq!(e.get("lock.stale"), Some(&false.into()));
    }

    /// The pid, port and lock probes agree that the captured gateway (pid
    /// 2171 of the `openclaw` /proc fixture) runs: the lock probe's evidence.
    #[track_caller]
    fn held_by_the_captured_gateway(t: &OpenClaw, env: &ProbeEnv) -> Evidence {
        let e = pid(t, env);
        let identity = e.get("pid.identity");
        assert_eq!(identity, Some(&"gateway".into()), "{}", e.summary);
        let e = port(t, env);
        let holder = e.get("port.holder_is_gateway");
        assert_eq!(holder, Some(&true.into()), "{}", e.summary);
        let e = lock(t, env);
        assert_eq!(e.get("lock.held"), Some(&true.into()));
        e
    }

    /// Releases before 2026.8.1 (2026.5.28) keep the gateway lock in
    /// `os.tmpdir()/openclaw-<uid>`, shared by every state dir, named by
    /// `sha256(config path)[..8]`, with `{pid, createdAt, configPath,
    /// startTime}` and no port.
    #[test]
    fn an_older_release_lock_in_the_shared_tmp_dir_is_ours_only_for_our_config() {
        let (mut s, t) = staged("healthy-run", Some("openclaw"));
        let tmp = s.dir.path().join("ostmp");
        s.set_var("TMPDIR", tmp.display().to_string());
        s.set_var("OPENCLAW_GATEWAY_PORT", "127.0.0.1:18789");
        s.env.target = crate::target::Target::choose_in(
            Some(crate::target::TargetKind::OpenClaw),
            &s.env.env,
            &s.env.proc_root,
        );
        let t2 = s.env.target.openclaw().unwrap().clone();
        assert_eq!(t2.config_path, t.config_path);
        let shared = t2.shared_lock_dir();
        assert!(shared.starts_with(&tmp), "{}", shared.display());
        std::fs::create_dir_all(&shared).unwrap();
        let config = t2.config_path.display().to_string();
        let hash = {
            use sha2::{Digest, Sha256};
            let d = Sha256::digest(config.as_bytes());
            d[..4]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        // Another install's lock, its owner dead: not ours to call stale.
        std::fs::write(
            shared.join("gateway.0badc0de.lock"),
            r#"{"pid":999999,"createdAt":"2026-11-30T03:16:08.000Z","configPath":"/elsewhere/openclaw.json","startTime":5}"#,
        )
        .unwrap();
        assert!(stale_locks(&t2, &s.env).is_empty());
        assert_eq!(pid(&t2, &s.env).get("pid.identity"), Some(&"none".into()));
        // Ours, held by the running gateway (pid and start time agree).
        std::fs::write(
            shared.join(format!("gateway.{hash}.lock")),
            format!(r#"{{"pid":2171,"createdAt":"2026-11-30T03:16:08.000Z","configPath":"{config}","startTime":80964}}"#),
        )
        .unwrap();
        let e = held_by_the_captured_gateway(&t2, &s.env);
        assert!(
            e.summary.contains(&shared.display().to_string()),
            "{}",
            e.summary
        );
        // Ours and dead (the pid was reused): stale, and only that one.
        std::fs::write(
            shared.join(format!("gateway.{hash}.lock")),
            format!(r#"{{"pid":2171,"createdAt":"x","configPath":"{config}","startTime":1}}"#),
        )
        .unwrap();
        assert_eq!(
            stale_locks(&t2, &s.env),
            [shared.join(format!("gateway.{hash}.lock"))]
        );
    }

    #[test]
    fn a_lock_of_a_dead_or_reused_pid_is_stale_as_is_a_dead_session_lock() {
        let (s, t) = staged("healthy-run", Some("openclaw"));
        write_lock(&t, "gateway.aaaa.lock", 999_999, 5);
        write_lock(&t, "gateway.bbbb.lock", 2171, 1); // pid reused
        let e = lock(&t, &s.env);
        assert_eq!(e.get("lock.stale"), Some(&true.into()), "{}", e.summary);
        assert_eq!(stale_locks(&t, &s.env).len(), 2);
        assert_eq!(pid(&t, &s.env).get("pid.identity"), Some(&"dead".into()));

        let sessions = t.state_dir.join("agents/main/sessions");
        std::fs::create_dir_all(&sessions).unwrap();
        std::fs::write(
            sessions.join("s1.jsonl.lock"),
            r#"{"pid":999999,"createdAt":"x","starttime":5}"#,
        )
        .unwrap();
        std::fs::write(
            sessions.join("s2.jsonl.lock"),
            r#"{"pid":2171,"createdAt":"x","starttime":80964}"#,
        )
        .unwrap();
        let e = lock(&t, &s.env);
        let list = e.get("lock.stale_sessions").unwrap().as_array().unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        assert!(list[0].as_str().unwrap().ends_with("s1.jsonl.lock"));
    }

    #[test]
    fn a_kernel_oom_kill_of_the_gateway_is_its_own() {
        let (mut s, t) = staged("healthy-run", Some("openclaw"));
        write_lock(&t, "gateway.6b2dede3.lock", 777, 1);
        let log = s.dir.path().join("kmsg.log");
        std::fs::write(
            &log,
            "Memory cgroup out of memory: Killed process 777 (openclaw-gatewa) total-vm:4785582kB\n",
        )
        .unwrap();
        s.env.kmsg_path = Some(log.clone());
        let e = probe(&t, ProbeName::Oom, &s.env);
        assert_eq!(e.get("oom.killed"), Some(&true.into()), "{}", e.summary);
        assert_eq!(e.get("oom.victim_name"), Some(&"openclaw-gatewa".into()));
        // Someone else's kill is not the gateway's.
        std::fs::write(&log, "Out of memory: Killed process 4242 (python3)\n").unwrap();
        let e = probe(&t, ProbeName::Oom, &s.env);
        assert_eq!(e.get("oom.killed"), Some(&false.into()), "{}", e.summary);
    }

    #[test]
    fn token_pinned_or_runtime_only() {
        let (s, t) = staged("healthy-run", None);
        assert_eq!(token(&t, &s.env).get("token.pinned"), Some(&true.into()));
        std::fs::write(&t.config_path, "{gateway: {mode: 'local'}}").unwrap();
        let e = token(&t, &s.env);
        assert_eq!(e.get("token.pinned"), Some(&false.into()));
        assert_eq!(e.get("token.runtime_only"), Some(&false.into()));
    }

    #[test]
    fn node_versions() {
        assert!(node_supported(parse_version("24.21.0").unwrap()));
        assert!(node_supported(parse_version("v26.1.0").unwrap()));
        assert!(!node_supported(parse_version("v20.20.2").unwrap()));
        assert!(!node_supported(parse_version("24.15.9").unwrap()));
        assert!(!node_supported(parse_version("25.3.0").unwrap()));
        let (s, t) = staged("healthy-run", None);
        let log = fixture("openclaw/healthy-run/file-log.jsonl");
        std::fs::copy(log, t.state_dir.join("logs/openclaw.log")).unwrap();
        let e = runtime(&t, &s.env);
        assert_eq!(e.get("runtime.node_version"), Some(&"24.21.0".into()));
        assert_eq!(e.get("runtime.node_ok"), Some(&true.into()));
    }

    #[test]
    fn health_reads_readyz_failing_list() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            for _ in 0..2 {
                let (mut c, _) = listener.accept().unwrap();
                let mut buf = [0u8; 1024];
                let n = c.read(&mut buf).unwrap();
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let (code, body) = if req.starts_with("GET /healthz") {
                    ("200 OK", r#"{"ok":true,"status":"live"}"#)
                } else {
                    (
                        "503 Service Unavailable",
                        r#"{"ready":false,"failing":["startup-sidecars"]}"#,
                    )
                };
                let _ = write!(
                    c,
                    "HTTP/1.1 {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        let (mut s, t) = staged("healthy-run", None);
        s.set_var("OPENCLAW_GATEWAY_PORT", port.to_string());
        let _ = &t;
        let e = health(&s.env);
        server.join().unwrap();
        assert_eq!(e.get("health.live"), Some(&true.into()));
        assert_eq!(e.get("health.ready"), Some(&false.into()));
        assert_eq!(
            e.get("health.failing"),
            Some(&serde_json::json!(["startup-sidecars"]))
        );
        assert!(
            e.summary.contains("failing: startup-sidecars"),
            "{}",
            e.summary
        );
    }
}
