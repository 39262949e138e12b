//! `TestEnv`: a temporary `CLAWDOC_HOME`, a pinned environment, and helpers
//! to run the real binary and find free ports. Processes started through it
//! are killed on drop.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};

use clawdoc::health::{self, Reply};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

pub(crate) struct TestEnv {
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
}

/// What a run of the binary produced.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(crate) fn from(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
    pub(crate) fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Run {
    /// Stdout as the `--json` document `name` (`clawdoc schema NAME`),
    /// asserted valid against its published JSON Schema.
    #[track_caller]
    pub(crate) fn doc(&self, name: &str) -> serde_json::Value {
        let doc = self.json();
        assert_valid(name, &doc);
        doc
    }
}

/// Asserts `doc` validates against the JSON Schema of the document `name`
/// and carries `schema_version` 1.
#[track_caller]
pub(crate) fn assert_valid(name: &str, doc: &serde_json::Value) {
    let schema = clawdoc::report::schema(name).unwrap_or_else(|| panic!("no schema {name}"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid {name} document: {errors:#?}\n{doc:#}"
    );
    assert_eq!(doc["schema_version"], 1, "{doc:#}");
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub(crate) fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_clawdoc"))
}

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A rule directory under `fixtures/rules/`, as a `--rules-dir` argument.
pub(crate) fn fixtures(dir: &str) -> String {
    repo()
        .join("fixtures/rules")
        .join(dir)
        .display()
        .to_string()
}

/// A file of a captured OpenClaw run, `fixtures/openclaw/<rel>`, as an
/// argument.
pub(crate) fn openclaw_fixture(rel: &str) -> String {
    repo()
        .join("fixtures/openclaw")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// A port nobody listens on right now (bound then released).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl TestEnv {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            children: Vec::new(),
        }
    }

    pub(crate) fn home(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.home().join(rel)
    }

    /// A `clawdoc` command with the environment pinned to this test.
    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("CLAWDOC_HOME", self.home())
            // Auto detection would pick a real OpenClaw gateway running on
            // this machine (the OpenClaw matrix starts some); these tests
            // are about the embedded gateway unless they say otherwise.
            .env("CLAWDOC_TARGET", "embedded")
            .env("NO_COLOR", "1")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null());
        c
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().unwrap())
    }

    /// Runs with extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut c = self.cmd(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        Run::from(c.output().unwrap())
    }

    pub(crate) fn run_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        use std::io::Write;
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        Run::from(out)
    }

    pub(crate) fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    /// The pid recorded in this home's `gateway.pid`.
    #[track_caller]
    pub(crate) fn gateway_pid(&self) -> u32 {
        let text = self.read("gateway.pid");
        text.lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no pid in gateway.pid: {text:?}"))
    }

    /// Stops this home's gateway (forced), if one runs.
    pub(crate) fn stop_gateway(&self) {
        let _ = self.run(&["gateway", "stop", "--force"]);
    }

    /// Keeps a child to be killed when the test ends.
    pub(crate) fn adopt(&mut self, child: Child) -> u32 {
        let pid = child.id();
        self.children.push(child);
        pid
    }

    /// Starts an unrelated process that holds a TCP port (a "stranger").
    pub(crate) fn spawn_port_holder(&mut self, port: u16) -> u32 {
        let child = port_holder(port);
        self.adopt(child)
    }

    /// Starts a long-lived unrelated process (e.g. to stand in for pid reuse).
    pub(crate) fn spawn_sleeper(&mut self) -> u32 {
        let child = Command::new("sleep").arg("600").spawn().unwrap();
        self.adopt(child)
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // A gateway started by the test through `gateway start` is detached:
        // stop it by its pid file so no process outlives the test.
        if let Ok(text) = std::fs::read_to_string(self.path("gateway.pid")) {
            if let Some(pid) = text
                .lines()
                .next()
                .and_then(|l| l.trim().parse::<i32>().ok())
            {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&*self.home().to_string_lossy())
                    || is_our_gateway(pid, self.home())
                {
                    unsafe_kill(pid);
                }
            }
        }
    }
}

/// Our gateway child carries CLAWDOC_HOME in its environment.
fn is_our_gateway(pid: i32, home: &Path) -> bool {
    let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    let needle = format!("CLAWDOC_HOME={}", home.display());
    env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes())
}

fn unsafe_kill(pid: i32) {
    let _ = Command::new("kill")
        .args(["-CONT", &pid.to_string()])
        .status();
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

/// A python3 process listening on 127.0.0.1:`port` (a "stranger"), once it
/// listens; the caller owns (and kills) it.
pub(crate) fn port_holder(port: u16) -> Child {
    let mut child = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',{port}))\ns.listen(8)\nprint('ready',flush=True)\ntime.sleep(900)"
            ),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    assert_eq!(first_line(&mut child).trim(), "ready");
    child
}

/// The first line a piped child prints (its readiness handshake).
pub(crate) fn first_line(child: &mut Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

/// Polls `check` until it returns true or `deadline` passes.
pub(crate) fn wait_until(deadline: Duration, mut check: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// The keys of a JSON object, sorted (for checking `--json` shapes).
#[track_caller]
pub(crate) fn sorted_keys(v: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {v}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

pub(crate) fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// One HTTP/1.1 request to `127.0.0.1:port` through the library's loopback
/// client (the one the daemon and the health probe use), or None when
/// nothing answers within five seconds.
pub(crate) fn http(port: u16, method: &str, path: &str) -> Option<Reply> {
    health::request(port, method, path, Duration::from_secs(5)).ok()
}

/// `GET /health` status code, or None when nothing answers.
pub(crate) fn health_status(port: u16) -> Option<u16> {
    http(port, "GET", "/health").map(|r| r.status)
}

/// `<placeholder>` → a plausible value, as the real gateway would print it
/// (the table in `fixtures/corpus/placeholders.tsv`, shared with
/// `fixtures/corpus/evalset.py`); any other `<...>` becomes the word `value`.
/// A literal `\n` in a corpus row is a line break.
pub(crate) fn fill(message: &str) -> String {
    static TABLE: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        std::fs::read_to_string(repo().join("fixtures/corpus/placeholders.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let (k, v) = l.split_once('\t').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect()
    });
    let mut s = message.replace("\\n", "\n");
    for (k, v) in table {
        s = s.replace(k.as_str(), v);
    }
    let re = regex::Regex::new(r"<[^<>\n]+>").unwrap();
    re.replace_all(&s, "value").into_owned()
}

/// The `message<TAB>category` rows of a fixture file under the repo
/// (`#` comments and blank lines skipped).
pub(crate) fn labelled_lines(rel: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(repo().join(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (m, c) = l.split_once('\t').unwrap();
            (m.to_string(), c.to_string())
        })
        .collect()
}

// ------------------------------------------- the gateway, run by a test

pub(crate) const PINNED: &str = "pinned-token-0123456789abcdef";
/// How long a gateway may take to start or stop in a test.
pub(crate) const GATEWAY_DEADLINE: Duration = Duration::from_secs(10);

/// A `gateway run` child, killed on drop unless it was stopped.
pub(crate) struct Gateway {
    child: Child,
    pub port: u16,
}

impl Gateway {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then the exit status (within the deadline).
    pub(crate) fn terminate(&mut self) -> ExitStatus {
        signal(self.pid(), nix::sys::signal::Signal::SIGTERM);
        let end = Instant::now() + GATEWAY_DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < end, "gateway did not exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `sig` to `pid` (which must exist).
pub(crate) fn signal(pid: u32, sig: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig).unwrap();
}

/// `[gateway] mode = "local"`, a free port, and `extra` lines in `[gateway]`.
pub(crate) fn local_config(env: &TestEnv, extra: &str) -> u16 {
    let port = free_port();
    env.write(
        "config.toml",
        format!("[gateway]\nmode = \"local\"\nport = {port}\n{extra}"),
    );
    port
}

/// Starts `clawdoc gateway run` and waits until `/health` answers 200.
pub(crate) fn run_gateway(env: &TestEnv, port: u16, vars: &[(&str, &str)]) -> Gateway {
    let mut cmd = env.cmd(&["gateway", "run"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut gw = Gateway {
        child: cmd.spawn().unwrap(),
        port,
    };
    let ready = wait_until(GATEWAY_DEADLINE, || {
        if let Ok(Some(status)) = gw.child.try_wait() {
            panic!(
                "gateway exited early ({status}); log:\n{}",
                env.read("logs/gateway.log")
            );
        }
        http(port, "GET", "/health").is_some_and(|r| r.status == 200)
    });
    assert!(
        ready,
        "gateway not ready; log:\n{}",
        env.read("logs/gateway.log")
    );
    gw
}

/// A raw WebSocket to `/ws` without frame limits on our side.
pub(crate) fn ws(port: u16) -> WebSocket<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(GATEWAY_DEADLINE)).unwrap();
    let config = WebSocketConfig::default()
        .max_frame_size(None)
        .max_message_size(None);
    let url = format!("ws://127.0.0.1:{port}/ws");
    tungstenite::client::client_with_config(url, stream, Some(config))
        .unwrap()
        .0
}

/// Reads until a close frame; returns its code and reason.
pub(crate) fn close_of(ws: &mut WebSocket<TcpStream>) -> (u16, String) {
    loop {
        match ws.read() {
            Ok(Message::Close(Some(f))) => return (u16::from(f.code), f.reason.to_string()),
            Ok(Message::Close(None)) => return (1005, String::new()),
            Ok(_) => continue,
            Err(e) => panic!("no close frame: {e}"),
        }
    }
}

pub(crate) fn text_of(ws: &mut WebSocket<TcpStream>) -> serde_json::Value {
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Close(f) => panic!("closed: {f:?}"),
            _ => continue,
        }
    }
}

pub(crate) fn connect_frame(device: &str, client: &str, token: Option<&str>) -> Message {
    claim_frame(device, client, token, None)
}

/// A connect frame that may carry a pairing claim.
pub(crate) fn claim_frame(
    device: &str,
    client: &str,
    token: Option<&str>,
    claim: Option<&str>,
) -> Message {
    let mut v = serde_json::json!({"type": "connect", "device_id": device, "client": client});
    if let Some(t) = token {
        v["token"] = t.into();
    }
    if let Some(c) = claim {
        v["claim"] = c.into();
    }
    Message::text(v.to_string())
}

/// No output of `runs` contains `secret` (a token never leaks).
#[track_caller]
pub(crate) fn assert_no_secret(secret: &str, runs: &[&Run]) {
    for r in runs {
        assert!(!r.all().contains(secret), "secret leaked: {r:?}");
    }
}
