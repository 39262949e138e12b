//! The real OpenClaw gateway (npm `openclaw`, pinned by
//! `tests/openclaw/install.sh`, on Node 24 from npm) against the real
//! `clawdoc` binary: a fault per test, each in its own state dir and port
//! (18901+), on loopback, one at a time (a global lock: each gateway takes
//! ~800 MB and 6–40 s to become ready on 2 cores). Gateway launches are the
//! matrix's whole cost (CI budget): a case whose fix leaves a ready gateway
//! hands it to the read-only cases (healthy, status, logs) instead of
//! starting another. Every gateway a test or a fix started is stopped by
//! the pid in its state dir's lock file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{bin, pid_alive, port_holder, repo, Run};

/// How long a gateway may take from launch to `/readyz` 200 here.
const READY: Duration = Duration::from_secs(150);
const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

/// The PATH entries holding `openclaw` and node 24, installed once.
fn installed() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| install(&[]))
}

/// The same for an older release, in a cache of its own.
const OLDER_RELEASE: &str = "2026.5.28";
fn installed_older() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
        let cache = format!("{home}/.cache/clawdoc-openclaw-{OLDER_RELEASE}");
        install(&[
            ("OPENCLAW_VERSION", OLDER_RELEASE),
            ("CLAWDOC_OPENCLAW_CACHE", &cache),
        ])
    })
}

/// `tests/openclaw/install.sh --env` with `vars`: the PATH it prints.
fn install(vars: &[(&str, &str)]) -> String {
    {
        let out = Command::new("bash")
            .arg(repo().join("tests/openclaw/install.sh"))
            .arg("--env")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run tests/openclaw/install.sh");
        assert!(
            out.status.success(),
            "tests/openclaw/install.sh failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        // `export PATH="A:B:$PATH"`
        let line = text
            .lines()
            .find(|l| l.starts_with("export PATH="))
            .expect("install.sh prints the PATH line");
        let value = line["export PATH=\"".len()..].trim_end_matches('"');
        let prefix = value.trim_end_matches("$PATH").trim_end_matches(':');
        format!("{prefix}:{}", std::env::var("PATH").unwrap_or_default())
    }
}

/// One test at a time owns the machine's gateways.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A port in 18901.. nobody listens on.
fn free_port() -> u16 {
    static NEXT: Mutex<u16> = Mutex::new(18901);
    let mut next = NEXT.lock().unwrap();
    loop {
        let p = *next;
        *next = if p >= 18990 { 18901 } else { p + 1 };
        if std::net::TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
}

/// A throwaway OpenClaw state dir with its own HOME, TMPDIR and port.
struct Oc {
    dir: tempfile::TempDir,
    port: u16,
    path: &'static str,
    children: Vec<Child>,
    /// Extra environment for clawdoc and the gateways (e.g. the port when
    /// the config openclaw writes has none: 18789 is not ours to take).
    extra: Vec<(String, String)>,
    /// `models.catalogRefresh` in the config (2026.5.28 rejects the key).
    models_key: bool,
    _turn: MutexGuard<'static, ()>,
}

impl Oc {
    fn new() -> Self {
        Self::with(installed())
    }
    /// A state dir for the older release.
    fn older() -> Self {
        let mut oc = Self::with(installed_older());
        oc.models_key = false;
        oc
    }
    fn with(path: &'static str) -> Self {
        let turn = serial();
        let dir = tempfile::Builder::new()
            .prefix("clawdoc-oc-")
            .tempdir()
            .unwrap();
        for sub in ["home", "ostmp", "logs"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Self {
            dir,
            port: free_port(),
            path,
            children: Vec::new(),
            extra: Vec::new(),
            models_key: true,
            _turn: turn,
        }
    }
    /// Pins the port through `OPENCLAW_GATEWAY_PORT` (above `gateway.port`).
    fn pin_port_by_env(&mut self) {
        self.extra.push((
            "OPENCLAW_GATEWAY_PORT".into(),
            format!("127.0.0.1:{}", self.port),
        ));
    }
    fn state(&self) -> &Path {
        self.dir.path()
    }
    fn config(&self) -> PathBuf {
        self.state().join("openclaw.json")
    }
    /// Writes a quiet loopback config (0600). `auth`: `Some(token)` or
    /// `None` (the gateway then makes a runtime token); `gateway_extra` and
    /// `extra` are spliced in as JSON5 members.
    fn write_config(
        &self,
        mode: Option<&str>,
        auth: Option<&str>,
        gateway_extra: &str,
        extra: &str,
    ) {
        let mode = mode.map(|m| format!("mode: \"{m}\",")).unwrap_or_default();
        let auth = auth
            .map(|t| format!("auth: {{ mode: \"token\", token: \"{t}\" }},"))
            .unwrap_or_default();
        let text = format!(
            "// clawdoc test gateway: quiet, loopback only\n{{\n  gateway: {{\n    {mode}\n    port: {port},\n    bind: \"loopback\",\n    {auth}\n    {gateway_extra}\n  }},\n  logging: {{ file: \"{log}\" }},\n  {models}\n  update: {{ checkOnStart: false }},\n  {extra}\n}}\n",
            port = self.port,
            log = self.state().join("logs/openclaw.log").display(),
            models = if self.models_key {
                "models: { catalogRefresh: { enabled: false } },"
            } else {
                ""
            },
        );
        self.write_private(&self.config(), &text);
    }
    fn write_private(&self, path: &Path, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    fn envs(&self) -> Vec<(String, String)> {
        let s = self.state().display().to_string();
        vec![
            ("PATH".into(), self.path.to_string()),
            ("HOME".into(), format!("{s}/home")),
            ("TMPDIR".into(), format!("{s}/ostmp")),
            ("OPENCLAW_STATE_DIR".into(), s.clone()),
            (
                "OPENCLAW_CONFIG_PATH".into(),
                self.config().display().to_string(),
            ),
            ("CLAWDOC_HOME".into(), format!("{s}/clawdoc")),
            ("OPENCLAW_NO_AUTO_UPDATE".into(), "1".into()),
            ("DO_NOT_TRACK".into(), "1".into()),
            ("OPENCLAW_DISABLE_BONJOUR".into(), "1".into()),
            ("NO_COLOR".into(), "1".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ]
        .into_iter()
        .chain(self.extra.iter().cloned())
        .collect()
    }
    /// The real `clawdoc` with this state dir's environment (no
    /// CLAWDOC_TARGET: auto detection picks OpenClaw from the env).
    fn clawdoc(&self, args: &[&str]) -> Run {
        self.run(bin(), args)
    }
    /// The real `openclaw` CLI with this state dir's environment.
    fn openclaw(&self, args: &[&str]) -> Run {
        self.run("openclaw", args)
    }
    fn run(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Run {
        Run::from(
            Command::new(program)
                .args(args)
                .env_clear()
                .envs(self.envs())
                .stdin(Stdio::null())
                .output()
                .unwrap(),
        )
    }
    fn doctor_json(&self, extra: &[&str]) -> (Run, Value) {
        let mut args = vec!["doctor", "--json"];
        args.extend_from_slice(extra);
        let run = self.clawdoc(&args);
        let json = run.json();
        assert_eq!(json["target"]["name"], "openclaw", "{run:?}");
        (run, json)
    }
    /// `openclaw gateway run` detached, console to `gateway.out`.
    fn start(&mut self, extra_env: &[(&str, &str)]) -> u32 {
        let out = std::fs::File::create(self.state().join("gateway.out")).unwrap();
        let err = out.try_clone().unwrap();
        use std::os::unix::process::CommandExt;
        let child = Command::new("openclaw")
            .args(["gateway", "run"])
            .env_clear()
            .envs(self.envs())
            .envs(
                extra_env
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            )
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .expect("spawn openclaw gateway run");
        let pid = child.id();
        self.children.push(child);
        pid
    }
    fn http(&self, path: &str) -> Option<(u16, String)> {
        http_get(self.port, path)
    }
    fn ready(&self) -> bool {
        self.http("/readyz").is_some_and(|(code, _)| code == 200)
    }
    /// Waits for `/readyz` 200; panics with the console if the gateway
    /// started by [`Oc::start`] exits first.
    fn wait_ready(&mut self) {
        let end = Instant::now() + READY;
        while Instant::now() < end {
            if self.ready() {
                return;
            }
            if let Some(c) = self.children.last_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    panic!("gateway exited with {status}:\n{}", self.console());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("not ready after {READY:?}:\n{}", self.console());
    }
    /// Waits for the gateway started by [`Oc::start`] to exit; its code.
    fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let end = Instant::now() + within;
        let child = self.children.last_mut()?;
        while Instant::now() < end {
            if let Ok(Some(status)) = child.try_wait() {
                use std::os::unix::process::ExitStatusExt;
                return status.code().or(status.signal().map(|s| 128 + s));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
    fn console(&self) -> String {
        std::fs::read_to_string(self.state().join("gateway.out")).unwrap_or_default()
    }
    /// Pids named by this state dir's gateway lock files (in its `tmp/`,
    /// and in its TMPDIR for the older release) that are still an
    /// `openclaw-gateway` (2026.9) or `openclaw` (older) process.
    fn gateway_pids(&self) -> Vec<i32> {
        let uid = nix_uid();
        let dirs = [
            self.state().join(format!("tmp/openclaw-{uid}")),
            self.state().join(format!("ostmp/openclaw-{uid}")),
        ];
        let mut pids = Vec::new();
        for e in (dirs.iter())
            .flat_map(std::fs::read_dir)
            .flatten()
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if !(name.starts_with("gateway.") && name.ends_with(".lock")) {
                continue;
            }
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            let Some(v) = serde_json::Deserializer::from_str(&text)
                .into_iter::<Value>()
                .next()
                .and_then(Result::ok)
            else {
                continue;
            };
            if let Some(pid) = v["pid"].as_i64() {
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                let comm = comm.trim();
                if (comm == "openclaw-gatewa" || comm == "openclaw")
                    && !pids.contains(&(pid as i32))
                {
                    pids.push(pid as i32);
                }
            }
        }
        pids
    }
}

fn nix_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
}

/// `kill -SIG pid`, quietly (the process may be gone already).
fn kill(signal: &str, pid: impl std::fmt::Display) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

impl Drop for Oc {
    fn drop(&mut self) {
        // Gateways started by a fix are not our children: stop them by the
        // pid their lock file records (checked to be openclaw-gateway).
        let pids = self.gateway_pids();
        for pid in &pids {
            kill("-TERM", pid);
        }
        // Our own children, only while they run (a reaped pid may be reused).
        for c in &mut self.children {
            if matches!(c.try_wait(), Ok(None)) {
                kill("-TERM", c.id());
            }
        }
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end
            && (pids.iter().any(|p| pid_alive(*p as u32))
                || self
                    .children
                    .iter_mut()
                    .any(|c| matches!(c.try_wait(), Ok(None))))
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        for pid in &pids {
            if pid_alive(*pid as u32) {
                kill("-KILL", pid);
            }
        }
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// One `GET` on loopback: (status, body).
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).to_string();
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    Some((code, body))
}

/// Rule ids of the findings in a doctor report section.
fn findings(d: &Value) -> Vec<String> {
    d["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["rule_id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn evidence<'a>(d: &'a Value, probe: &str) -> &'a Value {
    d["evidence"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["probe"] == probe))
        .unwrap_or(&Value::Null)
}

/// `doctor --fix …` ended with the gateway ready, by its own report and by
/// a `GET /readyz` of ours.
#[track_caller]
fn assert_fixed_and_ready(oc: &Oc, run: &Run, report: &Value) {
    assert_eq!(report["verification"]["health_ready"], true, "{run:?}");
    assert_eq!(report["verification"]["verified"], true, "{run:?}");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(oc.ready(), "/readyz is not 200 after the fix:\n{run:?}");
}

/// Gateway down with dead-owner locks left behind; `doctor --fix` removes
/// the locks and starts it; the gateway it started is then the healthy case
/// (one launch serves the three cases: launches are the matrix's cost).
#[test]
fn openclaw_down_with_dead_locks_is_started_by_doctor_fix_and_then_healthy() {
    let oc = Oc::new();
    oc.write_config(Some("local"), Some(TOKEN), "", "");
    let (gateway_lock, session_lock, dead) = plant_dead_locks(&oc);

    // Down, with the dead owners' locks.
    let (run, d) = oc.doctor_json(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    let ids = findings(&d["initial"]);
    assert!(ids.contains(&"not-connected".to_string()), "{run:?}");
    assert!(ids.contains(&"stale-lock".to_string()), "{run:?}");
    let down = d["initial"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "not-connected")
        .unwrap();
    let fix = &down["fixes"][0];
    assert!(
        fix["commands"][0]
            .as_str()
            .unwrap()
            .starts_with("openclaw gateway run"),
        "{fix}"
    );
    let lock = evidence(&d["initial"], "lock");
    assert_eq!(lock["facts"]["lock.stale"], true);
    assert_eq!(
        lock["facts"]["lock.stale_sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Fixed: locks gone, gateway started and ready, nothing left.
    let (run, d) = oc.doctor_json(&["--fix"]);
    assert_fixed_and_ready(&oc, &run, &d);
    assert_eq!(findings(&d["final"]), Vec::<String>::new(), "{run:?}");
    assert!(!session_lock.exists());
    assert!(
        !gateway_lock.exists()
            || !std::fs::read_to_string(&gateway_lock)
                .unwrap()
                .contains(&format!("\"pid\":{dead}"))
    );

    assert_healthy(&oc);

    // `status` and `logs` on the real gateway.
    let pid = oc.gateway_pids()[0];
    let run = oc.clawdoc(&["status"]);
    assert_eq!(run.code, 0, "{run:?}");
    let second = run.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with(&format!(
            "gateway running (pid {pid}, port {}; ready)",
            oc.port
        )),
        "{run:?}"
    );
    let j = oc.clawdoc(&["status", "--json"]).json();
    assert_eq!(j["state"], "running", "{j}");
    assert_eq!(j["pid"], pid);
    assert_eq!(j["ready"], true);
    let log = oc.state().join("logs/openclaw.log");
    assert_eq!(j["log_file"], log.display().to_string());
    // Every record so far is shown (the gateway keeps appending).
    let before = std::fs::read_to_string(&log).unwrap().lines().count();
    let run = oc.clawdoc(&["logs", "-n", "100000"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.lines().count() >= before, "{run:?}");
    assert!(
        run.stdout.contains(" INFO  [gateway] gateway ready\n"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("_meta"), "{run:?}");
    assert!(!run.stdout.contains(TOKEN), "{run:?}");
}

/// An older release (2026.5.28, npm, its own cache): its gateway is titled
/// `openclaw`, not `openclaw-gateway`, and keeps its lock in
/// `os.tmpdir()/openclaw-<uid>` (`{pid, createdAt, configPath, startTime}`,
/// no port), not in the state dir. With `gateway.mode` unset, `doctor
/// --fix` sets it and starts the gateway through that release's own CLI;
/// running, it is healthy (before clawdoc read that lock, its port looked
/// held by "another process"); killed with SIGKILL it leaves that lock
/// behind, and `doctor --fix` removes it and starts the gateway again.
#[test]
fn openclaw_older_release_is_fixed_healthy_and_restarted_after_a_kill() {
    let oc = Oc::older();
    let version = oc.openclaw(&["--version"]);
    assert!(version.stdout.contains(OLDER_RELEASE), "{version:?}");
    oc.write_config(None, Some(TOKEN), "", "");
    let (run, d) = oc.doctor_json(&["--fix"]);
    assert!(
        findings(&d["initial"]).contains(&"mode-unset".to_string()),
        "{run:?}"
    );
    assert_fixed_and_ready(&oc, &run, &d);
    let config = std::fs::read_to_string(oc.config()).unwrap();
    assert!(config.contains("\"mode\": \"local\""), "{config}");
    let pids = oc.gateway_pids();
    assert_eq!(pids.len(), 1, "{pids:?}");
    let first = pids[0] as u32;
    assert_healthy(&oc);
    let (_, d) = oc.doctor_json(&[]);
    let lock = evidence(&d["initial"], "lock");
    assert_eq!(lock["facts"]["lock.held"], true, "{lock}");
    let shared = oc.state().join(format!("ostmp/openclaw-{}", nix_uid()));
    assert!(
        lock["summary"]
            .as_str()
            .unwrap()
            .contains(&shared.display().to_string()),
        "{lock}"
    );

    // SIGKILL: no cleanup, the lock stays and names a dead pid.
    kill("-KILL", first);
    let end = Instant::now() + Duration::from_secs(20);
    // Gone, and its socket with it (the kernel closes it a moment later).
    let listening = || std::net::TcpStream::connect(("127.0.0.1", oc.port)).is_ok();
    while (pid_alive(first) || listening()) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!pid_alive(first));
    let locks: Vec<PathBuf> = (std::fs::read_dir(&shared).unwrap().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "lock"))
        .collect();
    assert_eq!(locks.len(), 1, "{locks:?}");
    let (run, d) = oc.doctor_json(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    let ids = findings(&d["initial"]);
    assert!(ids.contains(&"not-connected".to_string()), "{run:?}");
    assert!(ids.contains(&"stale-lock".to_string()), "{run:?}");

    let (run, d) = oc.doctor_json(&["--fix"]);
    assert_fixed_and_ready(&oc, &run, &d);
    assert_eq!(findings(&d["final"]), Vec::<String>::new(), "{run:?}");
    let now = std::fs::read_to_string(&locks[0]).unwrap_or_default();
    assert!(!now.contains(&format!("\"pid\":{first},")), "{now}");
    let pids = oc.gateway_pids();
    assert_eq!(pids.len(), 1, "{pids:?}");
    assert_ne!(pids[0] as u32, first);
}

/// Dead-owner lock files in `oc`'s state dir: (gateway lock, session
/// lock, the dead pid).
fn plant_dead_locks(oc: &Oc) -> (PathBuf, PathBuf, u32) {
    // A pid that existed and is gone.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let lock_dir = oc.state().join(format!("tmp/openclaw-{}", nix_uid()));
    std::fs::create_dir_all(&lock_dir).unwrap();
    let gateway_lock = lock_dir.join("gateway.b5202d8b.lock");
    std::fs::write(
        &gateway_lock,
        format!("{{\"pid\":{dead},\"ownerId\":\"x\",\"configPath\":\"{}\",\"port\":{},\"startTime\":12345}}\n", oc.config().display(), oc.port),
    )
    .unwrap();
    let sessions = oc.state().join("agents/main/sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let session_lock = sessions.join("0c0ffee0.jsonl.lock");
    std::fs::write(
        &session_lock,
        format!(
            "{{\"pid\":{dead},\"createdAt\":\"2026-11-29T00:00:00.000Z\",\"starttime\":12345}}"
        ),
    )
    .unwrap();
    (gateway_lock, session_lock, dead)
}

/// The healthy-gateway assertions, on `oc`'s running, ready gateway.
#[track_caller]
fn assert_healthy(oc: &Oc) {
    let run = oc.clawdoc(&["doctor"]);
    assert_eq!(run.code, 0, "{run:?}");
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(first.contains("target openclaw"), "{first}");
    assert!(run.stdout.contains("No problems found."), "{run:?}");

    let (_, d) = oc.doctor_json(&["--target", "openclaw"]);
    assert_eq!(d["healthy"], true);
    let initial = &d["initial"];
    for f in initial["findings"].as_array().unwrap() {
        assert!(
            !["error", "fatal"].contains(&f["severity"].as_str().unwrap()),
            "error finding on a healthy gateway: {f}"
        );
    }
    let port = evidence(initial, "port");
    assert_eq!(port["facts"]["port.port"], oc.port);
    assert_eq!(port["facts"]["port.holder_is_gateway"], true, "{port}");
    assert_eq!(evidence(initial, "health")["facts"]["health.ready"], true);
    assert_eq!(evidence(initial, "pid")["facts"]["pid.identity"], "gateway");

    // A pasted EADDRINUSE on this port: the holder is the gateway itself.
    let msg = format!(
        "Gateway failed to start: another gateway instance is already listening on ws://127.0.0.1:{p} | listen EADDRINUSE: address already in use 127.0.0.1:{p}",
        p = oc.port
    );
    let run = oc.clawdoc(&["lookup", "--probe", "--json", &msg]);
    let j = run.json();
    assert_eq!(j["target"]["name"], "openclaw");
    let m = j["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["rule_id"] == "port-in-use")
        .unwrap_or_else(|| panic!("{run:?}"));
    assert_eq!(m["verdict"], "refuted", "{m}");
}

#[test]
fn openclaw_no_config_gets_one_from_its_cli_and_starts() {
    let mut oc = Oc::new();
    oc.pin_port_by_env();
    let (run, d) = oc.doctor_json(&[]);
    assert!(
        findings(&d["initial"]).contains(&"missing-config".to_string()),
        "{run:?}"
    );
    let (run, d) = oc.doctor_json(&["--fix"]);
    assert_fixed_and_ready(&oc, &run, &d);
    let applied = d["applied"].to_string();
    assert!(
        applied.contains("openclaw config set --batch-file"),
        "{applied}"
    );
    // Written by openclaw itself: 0600, local mode, a persisted token that
    // never shows in clawdoc's output.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(oc.config()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(oc.config()).unwrap();
    let cfg: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(cfg["gateway"]["mode"], "local");
    let token = cfg["gateway"]["auth"]["token"].as_str().unwrap();
    assert!(token.len() >= 32);
    assert!(!run.stdout.contains(token));
}

#[test]
fn openclaw_mode_unset_is_set_through_its_cli() {
    let mut oc = Oc::new();
    oc.write_config(None, Some(TOKEN), "", "");
    // The real gateway refuses to start (exit 78) with its own message.
    oc.start(&[]);
    assert_eq!(oc.wait_exit(READY), Some(78), "{}", oc.console());
    let (run, d) = oc.doctor_json(&[]);
    let ids = findings(&d["initial"]);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("mode-unset"),
        "{run:?}"
    );
    let f = &d["initial"]["findings"][0];
    assert_eq!(
        f["fixes"][0]["commands"][0],
        "openclaw config set gateway.mode local"
    );
    let original = std::fs::read_to_string(oc.config()).unwrap();
    let (run, d) = oc.doctor_json(&["--fix"]);
    assert_fixed_and_ready(&oc, &run, &d);
    assert!(d["applied"]
        .to_string()
        .contains("$ openclaw config set gateway.mode local"));

    // `undo` puts back the file openclaw's CLI rewrote (comments and all),
    // keeping the fixed one in the backup ring.
    let fixed = std::fs::read_to_string(oc.config()).unwrap();
    assert_ne!(fixed, original);
    let run = oc.clawdoc(&["undo", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let j = run.json();
    assert_eq!(
        j["restored"],
        serde_json::json!([oc.config().display().to_string()]),
        "{run:?}"
    );
    assert_eq!(std::fs::read_to_string(oc.config()).unwrap(), original);
    let ring = oc.state().join("openclaw.json.bak.1");
    assert_eq!(std::fs::read_to_string(ring).unwrap(), fixed);
}

#[test]
fn openclaw_json5_syntax_error_is_a_config_that_does_not_parse() {
    let mut oc = Oc::new();
    // An unparseable config has no port for anyone: pin it by the environment.
    oc.pin_port_by_env();
    oc.write_config(Some("local"), Some(TOKEN), "", "");
    // Drop the comma after the port: line 5 is `port: N` and line 6 starts
    // with `bind`, where JSON5 fails.
    let text = std::fs::read_to_string(oc.config()).unwrap();
    let broken = text.replacen(
        &format!("port: {},", oc.port),
        &format!("port: {}", oc.port),
        1,
    );
    oc.write_private(&oc.config(), &broken);
    // OpenClaw itself says "missing gateway.mode" (misleading).
    oc.start(&[]);
    assert_eq!(oc.wait_exit(READY), Some(78), "{}", oc.console());
    assert!(
        oc.console().contains("missing gateway.mode"),
        "{}",
        oc.console()
    );

    let (run, d) = oc.doctor_json(&[]);
    let ids = findings(&d["initial"]);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("corrupt-config"),
        "{run:?}"
    );
    assert!(!ids.contains(&"mode-unset".to_string()), "{ids:?}");
    let config = evidence(&d["initial"], "config");
    assert_eq!(config["facts"]["config.parses"], false);
    let at = format!("{}:6:5", oc.config().display());
    assert!(
        config["summary"].as_str().unwrap().contains(&at),
        "{config}"
    );

    // The unsafe fix keeps the broken file aside and writes a fresh one
    // (without gateway.port: the port comes from the environment).
    let (run, d) = oc.doctor_json(&["--fix", "--unsafe-fixes", "--yes"]);
    assert_fixed_and_ready(&oc, &run, &d);
    let aside: Vec<_> = std::fs::read_dir(oc.state())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(".clawdoc-corrupt.")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read_to_string(aside[0].path()).unwrap(), broken);
}

#[test]
fn openclaw_unknown_key_is_named_at_its_line() {
    let oc = Oc::new();
    oc.write_config(Some("local"), Some(TOKEN), "", "foo: 1,");
    let (run, d) = oc.doctor_json(&[]);
    assert!(
        findings(&d["initial"]).contains(&"unknown-config-key".to_string()),
        "{run:?}"
    );
    let config = evidence(&d["initial"], "config");
    assert_eq!(
        config["facts"]["config.unknown_keys"],
        serde_json::json!(["foo"])
    );
    assert!(
        config["summary"]
            .as_str()
            .unwrap()
            .contains(":13:3: Unrecognized key: \"foo\""),
        "{config}"
    );
    let left = d["left"].to_string();
    assert!(left.contains("openclaw config validate"), "{left}");
}

#[test]
fn openclaw_port_held_by_a_stranger_is_named_and_left_alive() {
    let mut oc = Oc::new();
    oc.write_config(Some("local"), Some(TOKEN), "", "");
    let stranger = port_holder(oc.port);
    let spid = stranger.id();
    oc.children.push(stranger);

    let (run, d) = oc.doctor_json(&[]);
    assert!(
        findings(&d["initial"]).contains(&"port-in-use".to_string()),
        "{run:?}"
    );
    let port = evidence(&d["initial"], "port");
    assert_eq!(port["facts"]["port.holder_pid"], spid);
    assert_eq!(port["facts"]["port.holder_is_gateway"], false);
    assert!(
        port["summary"].as_str().unwrap().contains("python3"),
        "{port}"
    );

    let (run, d) = oc.doctor_json(&["--fix", "--unsafe-fixes", "--yes"]);
    assert!(pid_alive(spid), "the stranger was touched");
    let cfg = std::fs::read_to_string(oc.config()).unwrap();
    let cfg: Value = serde_json::from_str(&cfg).unwrap_or_default();
    let moved = cfg["gateway"]["port"].as_u64().unwrap() as u16;
    assert_ne!(moved, oc.port, "{run:?}");
    assert_eq!(d["verification"]["health_ready"], true, "{run:?}");
    assert!(http_get(moved, "/readyz").is_some_and(|(c, _)| c == 200));
    assert!(pid_alive(spid));
}

#[test]
fn openclaw_runtime_token_is_pinned_and_the_gateway_restarted() {
    let mut oc = Oc::new();
    oc.write_config(Some("local"), None, "", "");
    let first = oc.start(&[]);
    oc.wait_ready();
    let (run, d) = oc.doctor_json(&[]);
    assert!(
        findings(&d["initial"]).contains(&"token-not-pinned".to_string()),
        "{run:?}"
    );
    assert_eq!(
        evidence(&d["initial"], "token")["facts"]["token.runtime_only"],
        true
    );
    // Unsafe: needs --unsafe-fixes; --fix alone leaves it.
    let (_, d) = oc.doctor_json(&["--fix"]);
    assert!(d["left"].to_string().contains("needs --unsafe-fixes"));
    let (run, d) = oc.doctor_json(&["--fix", "--unsafe-fixes", "--yes"]);
    assert_fixed_and_ready(&oc, &run, &d);
    assert!(
        run.stdout
            .contains(&format!("kill -TERM {first} (openclaw-gateway, verified)")),
        "{run:?}"
    );
    let cfg: Value = serde_json::from_str(&std::fs::read_to_string(oc.config()).unwrap()).unwrap();
    let token = cfg["gateway"]["auth"]["token"].as_str().unwrap();
    assert!(!run.stdout.contains(token));
    assert_eq!(
        evidence(&d["final"], "token")["facts"]["token.pinned"],
        true
    );
    assert_ne!(oc.gateway_pids(), vec![first as i32]);

    // The restarted gateway takes the pinned token and refuses any other,
    // through the real client (`openclaw gateway call`, WebSocket auth).
    // The old runtime token itself cannot be tried: it lives only in the
    // old gateway's memory (never written to a file, env or log).
    let url = format!("ws://127.0.0.1:{}", oc.port);
    let call = oc.openclaw(&["gateway", "call", "health", "--url", &url, "--token", token]);
    assert_eq!(call.code, 0, "{call:?}");
    let other = "not-the-pinned-token-0123456789abcdef";
    let call = oc.openclaw(&["gateway", "call", "health", "--url", &url, "--token", other]);
    assert_ne!(call.code, 0, "{call:?}");
    assert!(
        format!("{}{}", call.stdout, call.stderr).contains("gateway token mismatch"),
        "{call:?}"
    );
}

#[test]
fn openclaw_v8_heap_oom_is_diagnosed_and_the_gateway_restarted() {
    let mut oc = Oc::new();
    oc.write_config(Some("local"), Some(TOKEN), "", "");
    oc.start(&[("NODE_OPTIONS", "--max-old-space-size=48")]);
    let code = oc.wait_exit(READY);
    let console = oc.console();
    assert_eq!(code, Some(134), "{console}");
    let run = oc.clawdoc(&["lookup", "--probe", "--json", &console]);
    let j = run.json();
    let m = j["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["rule_id"] == "v8-heap-oom")
        .unwrap_or_else(|| panic!("{run:?}"));
    assert_eq!(m["verdict"], "confirmed", "{m}");
    let (run, d) = oc.doctor_json(&["--fix"]);
    assert_fixed_and_ready(&oc, &run, &d);
}

/// A small tmpfs at `dir` (root only), unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: PathBuf, size: &str) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "mount -t tmpfs failed (the matrix runs as root, as CI does)"
        );
        Self(dir)
    }
    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount ro failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[ignore = "mounts a tmpfs (needs root); CI runs it with `cargo test -- --ignored`"]
fn openclaw_full_or_read_only_state_dir_is_diagnosed() {
    let oc = Oc::new();
    oc.write_config(Some("local"), Some(TOKEN), "", "");
    let doctor_on = |state: &Path| -> Value {
        let out = Command::new(bin())
            .args(["doctor", "--json"])
            .env_clear()
            .envs(oc.envs())
            .env("OPENCLAW_STATE_DIR", state)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };

    // Full: a 1 MiB tmpfs filled to the last block.
    let full = Tmpfs::mount(oc.state().join("full"), "1m");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=64k"])
        .arg(format!("of={}", full.0.join("fill").display()))
        .stderr(Stdio::null())
        .status();
    let d = doctor_on(&full.0);
    let disk = evidence(&d["initial"], "disk");
    assert_eq!(disk["facts"]["disk.full"], true, "{disk}");
    assert!(
        findings(&d["initial"]).contains(&"disk-full".to_string()),
        "{d}"
    );
    let left = d["left"].to_string();
    assert!(
        left.contains(&format!("df -h {}", full.0.display())),
        "{left}"
    );

    // Read-only: writes fail even for root.
    let ro = Tmpfs::mount(oc.state().join("ro"), "4m");
    ro.remount_read_only();
    let d = doctor_on(&ro.0);
    let disk = evidence(&d["initial"], "disk");
    assert_eq!(disk["facts"]["disk.writable"], false, "{disk}");
    assert!(
        findings(&d["initial"]).contains(&"permissions".to_string()),
        "{d}"
    );
}

/// An OpenClaw state dir for the fixture tests (no gateway, no install):
/// a config whose `logging.file` is `log`, and clawdoc's env pointing at it.
fn fixture_state(log: &Path, token: &str) -> (crate::harness::TestEnv, Vec<(String, String)>) {
    let env = crate::harness::TestEnv::new();
    let state = env.path("oc");
    std::fs::create_dir_all(&state).unwrap();
    let port = crate::harness::free_port();
    std::fs::write(
        state.join("openclaw.json"),
        format!(
            "{{ gateway: {{ mode: \"local\", port: {port}, auth: {{ mode: \"token\", token: \"{token}\" }} }}, logging: {{ file: \"{}\" }} }}\n",
            log.display()
        ),
    )
    .unwrap();
    let vars = vec![
        ("CLAWDOC_TARGET".to_string(), "openclaw".to_string()),
        (
            "OPENCLAW_STATE_DIR".to_string(),
            state.display().to_string(),
        ),
    ];
    (env, vars)
}

fn run_with(env: &crate::harness::TestEnv, args: &[&str], vars: &[(String, String)]) -> Run {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.run_env(args, &vars)
}

#[test]
fn openclaw_logs_show_the_captured_tslog_readably_with_the_token_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("openclaw.log");
    let mut text =
        std::fs::read_to_string(repo().join("fixtures/openclaw/healthy-run/file-log.jsonl"))
            .unwrap();
    // A record quoting the pinned token (it must never be shown).
    text.push_str(&format!(
        "{{\"0\":\"{{\\\"subsystem\\\":\\\"gateway\\\"}}\",\"1\":\"token {TOKEN} leaked\",\"_meta\":{{\"logLevelName\":\"WARN\"}},\"time\":\"2026-11-29T18:30:00.000+00:00\"}}\n"
    ));
    std::fs::write(&log, &text).unwrap();
    let (env, vars) = fixture_state(&log, TOKEN);

    let run = run_with(&env, &["logs", "--tail", "200"], &vars);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("_meta"), "{}", run.stdout);
    assert!(!run.stdout.contains(TOKEN), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("2026-11-29T18:19:49.678+00:00 INFO  [gateway] loading configuration…\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("INFO  [gateway] gateway ready\n"),
        "{}",
        run.stdout
    );
    let shown = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("2026-11-29T"))
        .count();
    assert_eq!(shown, text.lines().count());

    let run = run_with(&env, &["logs", "-n", "1"], &vars);
    assert_eq!(
        run.stdout,
        "2026-11-29T18:30:00.000+00:00 WARN  [gateway] token <redacted> leaked\n"
    );

    // No log file yet: exit 1, naming the path the target logs to.
    std::fs::remove_file(&log).unwrap();
    let run = run_with(&env, &["logs"], &vars);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(&log.display().to_string()), "{run:?}");
}

#[test]
fn openclaw_status_without_a_gateway_is_stopped_and_a_dead_lock_stale() {
    let dir = tempfile::tempdir().unwrap();
    let (env, vars) = fixture_state(&dir.path().join("openclaw.log"), TOKEN);
    let run = run_with(&env, &["status"], &vars);
    assert_eq!(run.code, 1, "{run:?}");
    let mut lines = run.stdout.lines();
    assert!(
        lines
            .next()
            .unwrap_or_default()
            .starts_with("target: openclaw"),
        "{run:?}"
    );
    assert!(
        lines
            .next()
            .unwrap_or_default()
            .starts_with("gateway stopped (port "),
        "{run:?}"
    );
    assert!(run.stdout.contains("  health: "), "{run:?}");
    // The same in zh-TW: the state line and the probe summaries translated.
    let zh = run_with(&env, &["--lang", "zh-TW", "status"], &vars);
    assert_eq!(zh.code, 1, "{zh:?}");
    assert!(zh.stdout.contains("閘道已停止(連接埠 "), "{zh:?}");
    assert!(!zh.stdout.contains("gateway stopped"), "{zh:?}");

    // A lock naming a pid that is gone.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let lock_dir = env.path(&format!("oc/tmp/openclaw-{}", nix_uid()));
    std::fs::create_dir_all(&lock_dir).unwrap();
    std::fs::write(
        lock_dir.join("gateway.0badc0de.lock"),
        format!("{{\"pid\":{dead},\"configPath\":\"x\",\"startTime\":1}}\n"),
    )
    .unwrap();
    let run = run_with(&env, &["status", "--json"], &vars);
    assert_eq!(run.code, 1, "{run:?}");
    let j = run.doc("target-status");
    assert_eq!(j["state"], "stale", "{j}");
    assert_eq!(j["pid"], dead);
    assert_eq!(j["ready"], false);
    assert_eq!(j["target"]["name"], "openclaw");
    assert_eq!(
        j["log_file"],
        dir.path().join("openclaw.log").display().to_string()
    );
    assert!(!run.stdout.contains(TOKEN));
    let human = run_with(&env, &["status"], &vars);
    assert!(
        human
            .stdout
            .contains(&format!("gateway stale (pid {dead}, port ")),
        "{human:?}"
    );
}

#[test]
fn openclaw_profile_flag_moves_state_dir_and_port_like_the_real_cli() {
    let env = crate::harness::TestEnv::new();
    let home = env.home().display().to_string();
    let vars = [("CLAWDOC_TARGET", "auto")];
    let run = env.run_env(&["doctor", "--json", "--profile", "work"], &vars);
    let j = run.json();
    let target = &j["target"];
    assert_eq!(target["name"], "openclaw", "{run:?}");
    assert_eq!(target["chosen_by"], "auto: --profile work");
    assert_eq!(
        target["config"],
        format!("{home}/.openclaw-work/openclaw.json")
    );
    assert_eq!(target["port"], 41984);
    // OPENCLAW_PROFILE alone keeps ~/.openclaw but takes the profile's port.
    let run = env.run_env(
        &["doctor", "--json", "--target", "openclaw"],
        &[("OPENCLAW_PROFILE", "work")],
    );
    let j = run.json();
    assert_eq!(
        j["target"]["config"],
        format!("{home}/.openclaw/openclaw.json")
    );
    assert_eq!(j["target"]["port"], 41984);
    // Not a name the real CLI takes: usage error.
    let run = env.run_env(&["doctor", "--profile", "../x"], &vars);
    assert_eq!(run.code, 2, "{run:?}");

    // The real CLI resolves the same path (`openclaw config file`, ~2 s).
    let out = Command::new("openclaw")
        .args(["--profile", "work", "config", "file"])
        .env_clear()
        .env("PATH", installed())
        .env("HOME", env.home())
        .env("NO_COLOR", "1")
        .env("OPENCLAW_NO_AUTO_UPDATE", "1")
        .env("DO_NOT_TRACK", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed
            .lines()
            .any(|l| l.trim() == format!("{home}/.openclaw-work/openclaw.json")),
        "{printed}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn openclaw_walk_texts_name_openclaw_commands_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let (env, vars) = fixture_state(&dir.path().join("openclaw.log"), TOKEN);
    let answers = env.path("answers.txt");
    // Decline whatever fix is offered: only the texts matter here.
    std::fs::write(&answers, "no\nno\nno\n").unwrap();
    let answers = answers.display().to_string();

    // A desktop host asking for the WhatsApp web login: the end names
    // openclaw's own commands.
    let mut with_display = vars.clone();
    with_display.push(("DISPLAY".into(), ":0".into()));
    let run = run_with(
        &env,
        &[
            "walk",
            "--answers",
            &answers,
            "--message",
            "GatewayRequestError: Web Login Provider is not available",
        ],
        &with_display,
    );
    assert!(run.stdout.starts_with("target: openclaw"), "{run:?}");
    assert!(
        run.stdout
            .contains("`openclaw channels login --channel whatsapp`"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("`clawdoc login"), "{run:?}");
    assert!(!run.stdout.contains("`clawdoc restart`"), "{run:?}");

    // Gateway down: the checks name OpenClaw's endpoints and lock files.
    let down = [
        "walk",
        "--json",
        "--answers",
        &answers,
        "--message",
        "send failed: gateway not connected",
    ];
    let run = run_with(&env, &down, &vars);
    let doc = run.json();
    let asked: Vec<&str> = doc["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert!(
        asked.contains(&"Does the gateway answer on its port (GET /healthz)?"),
        "{asked:?}"
    );
    assert!(
        !asked.iter().any(|t| t.contains("gateway.pid")),
        "{asked:?}"
    );

    // The same walk on the embedded gateway keeps its own texts.
    let doc = env.run(&down).json();
    assert!(
        doc["trail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["text"] == "Does the gateway answer on its port (GET /health)?"),
        "{doc:#}"
    );
}
