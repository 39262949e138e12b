//! Daemon control around the embedded gateway: start it detached and wait
//! for `/health`, stop it (only if the pid is provably ours), restart it, and
//! report its status. Library code: no terminal I/O; `start` reports progress
//! through a callback and every outcome is data the CLI or the doctor renders.
//!
//! Owns the health probe (a raw HTTP/1.1 `GET /health` over loopback, so no
//! proxy variable can reroute it). Does not own the server itself
//! (`gateway::server`) or the pid file format (`gateway::pidfile`).
//!
//! Safety rule: a signal is only ever sent to a pid whose pid, start time and
//! command line all match the pid file ([`PidRecord::identify`] says
//! `Gateway`). A pid file naming a dead process or a stranger is reported as
//! stale and removed (it is ours, and provably names no gateway); the
//! stranger is never signalled.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde::Serialize;

use crate::config;
use crate::gateway::pidfile::{self, PidRecord};
use crate::home::{Home, HOME_ENV};
use crate::procinfo::{Identity, ProcRoot, ProcState};

/// Set in the environment of a gateway spawned by [`start`]: `gateway run`
/// then calls `setsid` so the gateway leaves the caller's session (no SIGHUP
/// or Ctrl-C from the terminal that started it).
pub const DETACHED_ENV: &str = "CLAWDOC_GATEWAY_DETACHED";

/// How often readiness and process exit are polled.
pub const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// Polling interval for the first [`FAST_POLL_FOR`] of a start: a gateway
/// is usually ready within a few milliseconds, and a refused connect costs
/// microseconds, so a 10 ms grid would only add latency.
const FAST_POLL: Duration = Duration::from_millis(2);
const FAST_POLL_FOR: Duration = Duration::from_millis(250);

fn poll_interval(elapsed: Duration) -> Duration {
    if elapsed < FAST_POLL_FOR {
        FAST_POLL
    } else {
        POLL_INTERVAL
    }
}
/// Longest single `/health` request while polling.
const HEALTH_REQUEST_TIMEOUT: Duration = Duration::from_millis(250);
/// `/health` timeout for `status`.
const STATUS_HEALTH_TIMEOUT: Duration = Duration::from_secs(1);
/// Default wait for a gateway to stop (`gateway stop`, `restart`).
pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// Log lines attached to a failed start.
const LAST_LOG_LINES: usize = 12;

// ---------------------------------------------------------------- health

/// One answer from `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// HTTP status: 200 when ready, 503 while starting.
    pub code: u16,
    pub ready: bool,
    pub pid: Option<i32>,
    pub mode: Option<String>,
    pub port: Option<u16>,
    /// Round trip, in milliseconds.
    pub ms: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("connect 127.0.0.1:{port}: {source}")]
    Connect {
        port: u16,
        #[source]
        source: io::Error,
    },
    #[error("no answer from 127.0.0.1:{port} within {} ms", timeout.as_millis())]
    Timeout { port: u16, timeout: Duration },
    #[error("127.0.0.1:{port} answered, but not like the gateway: {what}")]
    NotGateway { port: u16, what: String },
}

impl HealthError {
    /// `ECONNREFUSED`: nothing listens on the port.
    pub fn is_refused(&self) -> bool {
        matches!(self, HealthError::Connect { source, .. } if source.kind() == io::ErrorKind::ConnectionRefused)
    }
}

/// `GET /health` on `127.0.0.1:port`, all within `timeout`.
pub fn check_health(port: u16, timeout: Duration) -> Result<Health, HealthError> {
    let started = Instant::now();
    let deadline = started + timeout;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let timed_out = || HealthError::Timeout { port, timeout };
    let io_err = |source: io::Error| {
        if matches!(
            source.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            HealthError::Timeout { port, timeout }
        } else {
            HealthError::Connect { port, source }
        }
    };
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io_err)?;
    let _ = stream.set_nodelay(true);
    let remaining = |d: Instant| {
        d.checked_duration_since(Instant::now())
            .filter(|r| !r.is_zero())
    };
    stream
        .set_write_timeout(Some(remaining(deadline).ok_or_else(timed_out)?))
        .map_err(io_err)?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
        .map_err(io_err)?;
    let mut response = Vec::with_capacity(512);
    let mut buf = [0u8; 4096];
    loop {
        let left = remaining(deadline).ok_or_else(timed_out)?;
        stream.set_read_timeout(Some(left)).map_err(io_err)?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buf[..n]);
                if response.len() > 64 * 1024 || complete(&response) {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        }
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    parse_health(port, &response, ms)
}

/// A response is complete once its `Content-Length` bytes of body are in.
#[doc(hidden)] // pub for fuzz/fuzz_targets/http.rs
pub fn complete(response: &[u8]) -> bool {
    let Some(head_end) = memchr::memmem::find(response, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&response[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    length.is_some_and(|n| response.len() >= head_end + 4 + n)
}

/// The gateway's `/health` answer from a raw response.
#[doc(hidden)] // pub for fuzz/fuzz_targets/http.rs
pub fn parse_health(port: u16, response: &[u8], ms: f64) -> Result<Health, HealthError> {
    let not_gateway = |what: &str| HealthError::NotGateway {
        port,
        what: what.to_string(),
    };
    let text = String::from_utf8_lossy(response);
    let status_line = text.lines().next().unwrap_or("");
    let code: u16 = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| not_gateway("no HTTP status line"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    // Tolerate chunked framing: the JSON object is one brace-delimited span.
    let json = match (body.find('{'), body.rfind('}')) {
        (Some(a), Some(b)) if a < b => &body[a..=b],
        _ => return Err(not_gateway(&format!("HTTP {code} without a JSON body"))),
    };
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|_| not_gateway(&format!("HTTP {code} with a body that is not JSON")))?;
    if v.get("status").is_none() {
        return Err(not_gateway(&format!(
            "HTTP {code} JSON without a status field"
        )));
    }
    Ok(Health {
        code,
        ready: code == 200 && v.get("ready").and_then(|r| r.as_bool()).unwrap_or(false),
        pid: v.get("pid").and_then(|p| p.as_i64()).map(|p| p as i32),
        mode: v.get("mode").and_then(|m| m.as_str()).map(String::from),
        port: v.get("port").and_then(|p| p.as_u64()).map(|p| p as u16),
        ms,
    })
}

// ---------------------------------------------------------------- errors

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("gateway did not become ready within {secs}s")]
    NotReady {
        secs: u64,
        pid: i32,
        port: u16,
        /// Whether the unready child was stopped again (it always is).
        stopped_child: bool,
        last_log_lines: Vec<String>,
    },
    #[error("gateway exited during startup ({status}) after {:.1}s", elapsed.as_secs_f64())]
    ChildExited {
        pid: i32,
        status: String,
        code: Option<i32>,
        elapsed: Duration,
        last_log_lines: Vec<String>,
    },
    #[error("a gateway is running (pid {pid}) but is {}: it does not answer /health on :{port}", describe_state(*state))]
    Unresponsive {
        pid: i32,
        port: u16,
        state: Option<ProcState>,
    },
    #[error("gateway did not stop within {secs}s (pid {pid}{})", state_suffix(*state))]
    StopTimedOut {
        pid: i32,
        secs: u64,
        state: Option<ProcState>,
        forced: bool,
    },
    #[error("gateway restart timed out — gateway did not stop within {secs}s\nrestart failed: old gateway process still running (pid {pid}{})", state_suffix(*state))]
    RestartTimedOut {
        pid: i32,
        secs: u64,
        state: Option<ProcState>,
    },
    #[error("cannot tell whether pid {pid} is the gateway: {error}")]
    CannotVerify { pid: i32, error: String },
    #[error("cannot start {}: {source}", program.display())]
    Spawn {
        program: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot signal pid {pid}: {source}")]
    Signal {
        pid: i32,
        #[source]
        source: nix::Error,
    },
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn describe_state(state: Option<ProcState>) -> &'static str {
    match state {
        Some(ProcState::Stopped) => "stopped (state T, e.g. SIGSTOP)",
        Some(ProcState::DiskSleep) => "stuck in uninterruptible sleep (state D)",
        Some(ProcState::Zombie) => "a zombie",
        _ => "not answering",
    }
}

fn state_suffix(state: Option<ProcState>) -> String {
    match state {
        Some(s) if s.is_hung() => format!(", {}", describe_state(Some(s))),
        _ => String::new(),
    }
}

impl DaemonError {
    /// True when the gateway itself failed (exit 1); false for usage, I/O
    /// and environment errors (exit 2).
    pub fn is_gateway_fault(&self) -> bool {
        matches!(
            self,
            DaemonError::NotReady { .. }
                | DaemonError::ChildExited { .. }
                | DaemonError::Unresponsive { .. }
                | DaemonError::StopTimedOut { .. }
                | DaemonError::RestartTimedOut { .. }
        )
    }

    /// The gateway log lines that explain the failure, if any.
    pub fn last_log_lines(&self) -> &[String] {
        match self {
            DaemonError::NotReady { last_log_lines, .. }
            | DaemonError::ChildExited { last_log_lines, .. } => last_log_lines,
            _ => &[],
        }
    }

    /// What to do next, for the user.
    pub fn hint(&self) -> Option<String> {
        match self {
            DaemonError::StopTimedOut { forced: false, .. }
            | DaemonError::RestartTimedOut { .. }
            | DaemonError::Unresponsive { .. } => Some(
                "run `clawdoc gateway stop --force` (SIGKILL to the verified gateway pid only), then `clawdoc gateway start`"
                    .into(),
            ),
            DaemonError::NotReady { .. } | DaemonError::ChildExited { .. } => {
                Some("see `clawdoc logs`, or run `clawdoc doctor` for the cause".into())
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- start

/// What `start` is doing, for a spinner or a log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum StartProgress {
    /// The pid file named a dead process; it was removed.
    RemovedStalePidFile {
        pid: i32,
    },
    /// The pid file named a live process that is not the gateway (pid
    /// reuse); the file was removed and the process left alone.
    RemovedStrangerPidFile {
        pid: i32,
        comm: String,
        reason: String,
    },
    /// The pid file could not be read; it was removed.
    RemovedMalformedPidFile {
        message: String,
    },
    /// A gateway is already running and starting up: waiting for it.
    WaitingForExisting {
        pid: i32,
    },
    Spawned {
        pid: i32,
        port: u16,
    },
    /// Still waiting; `health` is the last HTTP status seen, if any.
    Waiting {
        elapsed: Duration,
        health: Option<u16>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StartOutcome {
    AlreadyRunning {
        pid: i32,
        port: u16,
    },
    Started {
        pid: i32,
        port: u16,
        elapsed: Duration,
    },
}

/// Starts the gateway in the background and waits until `/health` says
/// ready, up to `timeout` (default `gateway.startupTimeout`). A child that
/// exits first is reported at once with its exit status and log lines.
pub fn start(
    home: &Home,
    timeout: Option<Duration>,
    progress: &mut dyn FnMut(StartProgress),
) -> Result<StartOutcome, DaemonError> {
    let program = std::env::current_exe().map_err(|source| DaemonError::Io {
        what: "cannot find the running executable",
        path: PathBuf::from("/proc/self/exe"),
        source,
    })?;
    start_program(home, &program, timeout, progress)
}

/// [`start`] with an explicit `clawdoc` executable (for callers that are not
/// the `clawdoc` binary itself, such as tests of the library).
pub fn start_program(
    home: &Home,
    program: &Path,
    timeout: Option<Duration>,
    progress: &mut dyn FnMut(StartProgress),
) -> Result<StartOutcome, DaemonError> {
    let root = ProcRoot::default();
    // The child reads the same config; a broken or missing one makes it exit
    // at once with the reason in the log, which is what we report.
    let settings = config::load(home)
        .ok()
        .map(|l| l.config)
        .unwrap_or_default();
    let port = settings.port;
    let timeout = timeout.unwrap_or(settings.startup_timeout);

    match pidfile::read(&home.pid_path()) {
        Ok(Some(record)) => match record.identify(&root, home) {
            Identity::Gateway { state } => {
                if state.is_hung() {
                    return Err(DaemonError::Unresponsive {
                        pid: record.pid,
                        port,
                        state: Some(state),
                    });
                }
                if matches!(check_health(port, HEALTH_REQUEST_TIMEOUT), Ok(h) if h.ready && h.pid.is_none_or(|p| p == record.pid))
                {
                    return Ok(StartOutcome::AlreadyRunning {
                        pid: record.pid,
                        port,
                    });
                }
                progress(StartProgress::WaitingForExisting { pid: record.pid });
                return wait_for_existing(home, &root, record, port, timeout, progress);
            }
            Identity::Dead => {
                remove_pid_file_if(home, &record)?;
                progress(StartProgress::RemovedStalePidFile { pid: record.pid });
            }
            Identity::Stranger { comm, reason, .. } => {
                remove_pid_file_if(home, &record)?;
                progress(StartProgress::RemovedStrangerPidFile {
                    pid: record.pid,
                    comm,
                    reason,
                });
            }
            Identity::Unknown { error } => {
                return Err(DaemonError::CannotVerify {
                    pid: record.pid,
                    error,
                })
            }
        },
        Ok(None) => {}
        Err(e) => {
            let path = home.pid_path();
            std::fs::remove_file(&path).map_err(|source| DaemonError::Io {
                what: "cannot remove malformed pid file",
                path,
                source,
            })?;
            progress(StartProgress::RemovedMalformedPidFile {
                message: e.to_string(),
            });
        }
    }

    let log_path = home.log_path();
    let log = open_log(&log_path)?;
    let log_offset = log.metadata().map(|m| m.len()).unwrap_or(0);
    let stderr_log = log.try_clone().map_err(|source| DaemonError::Io {
        what: "cannot open log file",
        path: log_path.clone(),
        source,
    })?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(["gateway", "run"])
        .env(HOME_ENV, home.root())
        .env(DETACHED_ENV, "1")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr_log)
        .spawn()
        .map_err(|source| DaemonError::Spawn {
            program: program.to_path_buf(),
            source,
        })?;
    let pid = child.id() as i32;
    progress(StartProgress::Spawned { pid, port });

    let mut last_code = None;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(DaemonError::ChildExited {
                pid,
                status: describe_exit(status),
                code: status.code(),
                elapsed: started.elapsed(),
                last_log_lines: log_lines_since(&log_path, log_offset, LAST_LOG_LINES),
            });
        }
        match check_health(port, HEALTH_REQUEST_TIMEOUT.min(timeout)) {
            // Another gateway (another home) may answer on this port: only
            // our child's answer counts; ours will fail to bind and exit.
            Ok(h) if h.ready && h.pid.is_none_or(|p| p == pid) => {
                return Ok(StartOutcome::Started {
                    pid,
                    port,
                    elapsed: started.elapsed(),
                });
            }
            Ok(h) => last_code = Some(h.code),
            Err(_) => {}
        }
        let elapsed = started.elapsed();
        if elapsed >= timeout {
            // Leave nothing half-started behind: stop the child we spawned
            // (it is our own child, so the pid cannot have been reused).
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            if !wait_child(&mut child, Duration::from_secs(2)) {
                let _ = child.kill();
                let _ = child.wait();
            }
            return Err(DaemonError::NotReady {
                secs: timeout.as_secs(),
                pid,
                port,
                stopped_child: true,
                last_log_lines: log_lines_since(&log_path, log_offset, LAST_LOG_LINES),
            });
        }
        progress(StartProgress::Waiting {
            elapsed,
            health: last_code,
        });
        std::thread::sleep(poll_interval(elapsed));
    }
}

fn wait_for_existing(
    home: &Home,
    root: &ProcRoot,
    record: PidRecord,
    port: u16,
    timeout: Duration,
    progress: &mut dyn FnMut(StartProgress),
) -> Result<StartOutcome, DaemonError> {
    let started = Instant::now();
    let mut last_code = None;
    loop {
        match record.identify(root, home) {
            Identity::Gateway { state } if state.is_hung() => {
                return Err(DaemonError::Unresponsive {
                    pid: record.pid,
                    port,
                    state: Some(state),
                })
            }
            Identity::Gateway { .. } => {}
            _ => {
                return Err(DaemonError::ChildExited {
                    pid: record.pid,
                    status: "exited while starting".into(),
                    code: None,
                    elapsed: started.elapsed(),
                    last_log_lines: Vec::new(),
                })
            }
        }
        match check_health(port, HEALTH_REQUEST_TIMEOUT.min(timeout)) {
            Ok(h) if h.ready && h.pid.is_none_or(|p| p == record.pid) => {
                return Ok(StartOutcome::AlreadyRunning {
                    pid: record.pid,
                    port,
                });
            }
            Ok(h) => last_code = Some(h.code),
            Err(_) => {}
        }
        let elapsed = started.elapsed();
        if elapsed >= timeout {
            return Err(DaemonError::Unresponsive {
                pid: record.pid,
                port,
                state: None,
            });
        }
        progress(StartProgress::Waiting {
            elapsed,
            health: last_code,
        });
        std::thread::sleep(poll_interval(elapsed));
    }
}

fn wait_child(child: &mut std::process::Child, within: Duration) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    false
}

fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => {
            let name = Signal::try_from(sig)
                .map(|s| s.as_str())
                .unwrap_or("unknown signal");
            format!("killed by signal {sig} ({name})")
        }
        _ => status.to_string(),
    }
}

fn open_log(path: &Path) -> Result<File, DaemonError> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |source| DaemonError::Io {
        what: "cannot open log file",
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    crate::fsutil::open_no_follow(
        OpenOptions::new().create(true).append(true).mode(0o600),
        path,
    )
    .map_err(io)
}

/// The last `max` lines written to the log after byte `offset` (from the
/// start if the file was rotated and is now shorter).
pub fn log_lines_since(path: &Path, offset: u64, max: usize) -> Vec<String> {
    let Ok(mut file) = File::open(path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let from = if len < offset { 0 } else { offset };
    // Only the tail matters; cap what we read.
    let from = from.max(len.saturating_sub(256 * 1024));
    if file.seek(SeekFrom::Start(from)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(max)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

// ---------------------------------------------------------------- stop

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StopOutcome {
    /// No pid file: nothing to stop.
    NotRunning,
    Stopped {
        pid: i32,
        forced: bool,
        elapsed: Duration,
    },
    /// The pid file named a dead process; it was removed.
    StalePidFileRemoved { pid: i32 },
    /// The pid file named a live process that is not the gateway (pid
    /// reuse). The process was NOT signalled; the pid file was removed.
    StaleStranger {
        pid: i32,
        comm: String,
        cmdline: Vec<String>,
        reason: String,
        pid_file_removed: bool,
    },
    /// The pid file could not be parsed; it was removed.
    MalformedPidFileRemoved { message: String },
}

/// Stops the gateway named by the pid file, only if it is provably ours.
/// `force` sends SIGKILL (then SIGCONT, harmless, so a stopped process is
/// reaped at once) and removes the pid file; otherwise SIGTERM and wait.
pub fn stop(home: &Home, force: bool, timeout: Duration) -> Result<StopOutcome, DaemonError> {
    let root = ProcRoot::default();
    let pid_path = home.pid_path();
    let record = match pidfile::read(&pid_path) {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(StopOutcome::NotRunning),
        Err(e) => {
            std::fs::remove_file(&pid_path).map_err(|source| DaemonError::Io {
                what: "cannot remove malformed pid file",
                path: pid_path.clone(),
                source,
            })?;
            return Ok(StopOutcome::MalformedPidFileRemoved {
                message: e.to_string(),
            });
        }
    };
    match record.identify(&root, home) {
        Identity::Gateway { .. } => {}
        Identity::Dead => {
            remove_pid_file_if(home, &record)?;
            return Ok(StopOutcome::StalePidFileRemoved { pid: record.pid });
        }
        Identity::Stranger {
            comm,
            cmdline,
            reason,
        } => {
            let pid_file_removed = remove_pid_file_if(home, &record)?;
            return Ok(StopOutcome::StaleStranger {
                pid: record.pid,
                comm,
                cmdline,
                reason,
                pid_file_removed,
            });
        }
        Identity::Unknown { error } => {
            return Err(DaemonError::CannotVerify {
                pid: record.pid,
                error,
            })
        }
    }
    let pid = Pid::from_raw(record.pid);
    let started = Instant::now();
    let send = |sig: Signal| match kill(pid, sig) {
        Ok(()) | Err(nix::Error::ESRCH) => Ok(()),
        Err(source) => Err(DaemonError::Signal {
            pid: record.pid,
            source,
        }),
    };
    if force {
        send(Signal::SIGKILL)?;
        send(Signal::SIGCONT)?;
    } else {
        send(Signal::SIGTERM)?;
    }
    let end = started + timeout;
    // Until the pid is dead or belongs to someone else, ours is still there.
    while let Identity::Gateway { state: state_now } = record.identify(&root, home) {
        if Instant::now() >= end {
            return Err(DaemonError::StopTimedOut {
                pid: record.pid,
                secs: timeout.as_secs(),
                state: Some(state_now),
                forced: force,
            });
        }
        std::thread::sleep(poll_interval(started.elapsed()));
    }
    // A clean exit removes the pid file itself; after SIGKILL we do it.
    remove_pid_file_if(home, &record)?;
    Ok(StopOutcome::Stopped {
        pid: record.pid,
        forced: force,
        elapsed: started.elapsed(),
    })
}

/// Removes the pid file only if it still holds `record` (a new gateway may
/// have replaced it meanwhile). Returns whether it was removed.
fn remove_pid_file_if(home: &Home, record: &PidRecord) -> Result<bool, DaemonError> {
    let path = home.pid_path();
    match pidfile::read(&path) {
        Ok(Some(current)) if current == *record => match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(DaemonError::Io {
                what: "cannot remove stale pid file",
                path,
                source,
            }),
        },
        _ => Ok(false),
    }
}

// ---------------------------------------------------------------- restart

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestartOutcome {
    pub stopped: StopOutcome,
    pub started: StartOutcome,
}

/// Stops (not forced, waiting up to `stop_timeout`) then starts. A gateway
/// that will not stop gives [`DaemonError::RestartTimedOut`].
pub fn restart(
    home: &Home,
    stop_timeout: Duration,
    progress: &mut dyn FnMut(StartProgress),
) -> Result<RestartOutcome, DaemonError> {
    let stopped = match stop(home, false, stop_timeout) {
        Ok(s) => s,
        Err(DaemonError::StopTimedOut {
            pid, secs, state, ..
        }) => return Err(DaemonError::RestartTimedOut { pid, secs, state }),
        Err(e) => return Err(e),
    };
    let started = start(home, None, progress)?;
    Ok(RestartOutcome { stopped, started })
}

// ---------------------------------------------------------------- status

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Verified gateway process, `/health` ready.
    Running,
    /// Verified gateway process, `/health` says starting (503).
    Starting,
    /// No gateway process.
    Stopped,
    /// The pid file names a dead process or a stranger, or is malformed.
    Stale,
    /// Verified gateway process that does not answer, or is stopped (T/D).
    Hung,
    /// The pid could not be checked (permissions).
    Unknown,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Starting => "starting",
            RunState::Stopped => "stopped",
            RunState::Stale => "stale",
            RunState::Hung => "hung",
            RunState::Unknown => "unknown",
        }
    }
}

/// `clawdoc status --json`: stable field names; never holds a token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewayStatus {
    pub state: RunState,
    pub pid: Option<i32>,
    pub port: u16,
    pub mode: Option<String>,
    pub ready: bool,
    /// `/health` round trip in milliseconds, when it answered.
    pub health_ms: Option<f64>,
    /// HTTP status of `/health`, when it answered.
    pub health_status: Option<u16>,
    pub process_state: Option<ProcState>,
    pub pid_file: PathBuf,
    pub pid_file_present: bool,
    pub log_file: PathBuf,
    /// Why the state is what it is, in words.
    pub detail: Option<String>,
    /// The config could not be loaded (the port shown is then the default).
    pub config_error: Option<String>,
}

/// Where the gateway stands now: pid file, process identity, `/health`.
pub fn status(home: &Home) -> GatewayStatus {
    let root = ProcRoot::default();
    let (port, mode, config_error) = match config::load(home) {
        Ok(l) => (
            l.config.port,
            l.config.mode.map(|m| m.as_str().to_string()),
            None,
        ),
        Err(e) => (
            config::port_of(Err(&e), &|k| std::env::var(k).ok()),
            None,
            Some(e.to_string()),
        ),
    };
    let mut st = GatewayStatus {
        state: RunState::Stopped,
        pid: None,
        port,
        mode,
        ready: false,
        health_ms: None,
        health_status: None,
        process_state: None,
        pid_file: home.pid_path(),
        pid_file_present: home.pid_path().exists(),
        log_file: home.log_path(),
        detail: None,
        config_error,
    };
    let health = check_health(port, STATUS_HEALTH_TIMEOUT);
    let apply_health = |st: &mut GatewayStatus, h: &Health| {
        st.ready = h.ready;
        st.health_ms = Some((h.ms * 100.0).round() / 100.0);
        st.health_status = Some(h.code);
        if st.mode.is_none() {
            st.mode = h.mode.clone();
        }
    };
    match pidfile::read(&home.pid_path()) {
        Ok(Some(record)) => {
            st.pid = Some(record.pid);
            match record.identify(&root, home) {
                Identity::Gateway { state } => {
                    st.process_state = Some(state);
                    match &health {
                        _ if state.is_hung() => {
                            st.state = RunState::Hung;
                            st.detail = Some(format!(
                                "process {} is {}",
                                record.pid,
                                describe_state(Some(state))
                            ));
                        }
                        Ok(h) if h.pid.is_none_or(|p| p == record.pid) => {
                            apply_health(&mut st, h);
                            st.state = if h.ready {
                                RunState::Running
                            } else {
                                RunState::Starting
                            };
                        }
                        Ok(h) => {
                            st.state = RunState::Hung;
                            st.detail = Some(format!(
                                "port {port} is answered by another gateway (pid {}), not by pid {}",
                                h.pid.unwrap_or_default(),
                                record.pid
                            ));
                        }
                        Err(e) => {
                            st.state = RunState::Hung;
                            st.detail = Some(format!(
                                "gateway process {} is alive but /health failed: {e}",
                                record.pid
                            ));
                        }
                    }
                }
                Identity::Dead => {
                    st.state = RunState::Stale;
                    st.detail = Some(format!(
                        "pid file names pid {}, which is not running",
                        record.pid
                    ));
                }
                Identity::Stranger { reason, .. } => {
                    st.state = RunState::Stale;
                    st.detail = Some(format!("pid file is stale: {reason}"));
                }
                Identity::Unknown { error } => {
                    st.state = RunState::Unknown;
                    st.detail = Some(format!("cannot check pid {}: {error}", record.pid));
                }
            }
        }
        Ok(None) => {
            if let Ok(h) = &health {
                // Something gateway-like answers without a pid file here.
                apply_health(&mut st, h);
                st.pid = h.pid;
                st.state = if h.ready {
                    RunState::Running
                } else {
                    RunState::Starting
                };
                st.detail = Some(format!(
                    "a gateway answers on :{port} but {} has no pid file",
                    home.root().display()
                ));
            }
        }
        Err(e) => {
            st.state = RunState::Stale;
            st.detail = Some(e.to_string());
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn parses_health_answers() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n{\"status\":\"ok\",\"ready\":true,\"pid\":42,\"port\":3001,\"mode\":\"local\"}";
        let h = parse_health(3001, ok, 1.0).unwrap();
        assert!(h.ready);
        assert_eq!((h.code, h.pid, h.port), (200, Some(42), Some(3001)));
        assert_eq!(h.mode.as_deref(), Some("local"));
        let starting =
            b"HTTP/1.1 503 Service Unavailable\r\n\r\n{\"status\":\"starting\",\"ready\":false}";
        assert!(!parse_health(1, starting, 1.0).unwrap().ready);
        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1f\r\n{\"status\":\"ok\",\"ready\":true}\r\n0\r\n\r\n";
        assert!(parse_health(1, chunked, 1.0).unwrap().ready);
        assert!(parse_health(1, b"SSH-2.0-OpenSSH\r\n", 1.0).is_err());
        assert!(parse_health(1, b"HTTP/1.1 200 OK\r\n\r\n<html>", 1.0).is_err());
    }

    #[test]
    fn health_against_real_sockets() {
        // Nothing listening: refused.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = check_health(port, Duration::from_millis(200)).unwrap_err();
        assert!(e.is_refused(), "{e}");
        // Listening but silent: a timeout, not a hang.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let t = Instant::now();
        let e = check_health(port, Duration::from_millis(150)).unwrap_err();
        assert!(matches!(e, HealthError::Timeout { .. }), "{e}");
        assert!(t.elapsed() < Duration::from_secs(2));
        // A tiny fake gateway.
        let fake = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = fake.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = fake.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let body = "{\"status\":\"ok\",\"ready\":true,\"pid\":7}";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            // Keep the socket open: completion must come from content-length.
            std::thread::sleep(Duration::from_millis(500));
        });
        let h = check_health(port, Duration::from_secs(2)).unwrap();
        assert_eq!((h.ready, h.pid), (true, Some(7)));
        assert!(h.ms < 400.0, "{h:?}");
        server.join().unwrap();
    }

    #[test]
    fn log_tail_since_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gateway.log");
        std::fs::write(&p, "old 1\nold 2\n").unwrap();
        let offset = std::fs::metadata(&p).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        for i in 0..20 {
            writeln!(f, "new {i}").unwrap();
        }
        let lines = log_lines_since(&p, offset, 3);
        assert_eq!(lines, ["new 17", "new 18", "new 19"]);
        // Rotated (shorter than the offset): read from the start.
        std::fs::write(&p, "fresh\n").unwrap();
        assert_eq!(log_lines_since(&p, offset, 3), ["fresh"]);
    }

    #[test]
    fn status_of_an_empty_home_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        std::fs::write(
            home.config_path(),
            format!("[gateway]\nmode = \"local\"\nport = {}\n", {
                TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port()
            }),
        )
        .unwrap();
        let st = status(&home);
        assert_eq!(st.state, RunState::Stopped);
        assert!(!st.ready);
        assert_eq!(st.mode.as_deref(), Some("local"));
    }

    #[test]
    fn stop_never_signals_a_stranger() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = sleeper.id() as i32;
        let start_time = crate::procinfo::stat(&ProcRoot::default(), pid)
            .unwrap()
            .start_time;
        pidfile::write(&home.pid_path(), &PidRecord { pid, start_time }).unwrap();
        match stop(&home, true, Duration::from_secs(1)).unwrap() {
            StopOutcome::StaleStranger {
                pid: p,
                pid_file_removed,
                ..
            } => {
                assert_eq!(p, pid);
                assert!(pid_file_removed);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            sleeper.try_wait().unwrap().is_none(),
            "the stranger must still run"
        );
        assert!(!home.pid_path().exists());
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        // Dead pid: stale, removed.
        pidfile::write(&home.pid_path(), &PidRecord { pid, start_time }).unwrap();
        assert_eq!(
            stop(&home, false, Duration::from_secs(1)).unwrap(),
            StopOutcome::StalePidFileRemoved { pid }
        );
        assert_eq!(
            stop(&home, false, Duration::from_secs(1)).unwrap(),
            StopOutcome::NotRunning
        );
    }

    #[test]
    fn a_child_that_never_gets_ready_times_out_and_is_stopped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("home"));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::create_dir_all(home.root()).unwrap();
        std::fs::write(
            home.config_path(),
            format!("[gateway]\nmode = \"local\"\nport = {port}\n"),
        )
        .unwrap();
        // Stands in for a gateway stuck before it binds (e.g. a slow disk).
        let fake = dir.path().join("clawdoc-fake");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho \"stuck before bind ($1 $2)\" >&2\nexec sleep 30\n",
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut events = Vec::new();
        let err = start_program(&home, &fake, Some(Duration::from_secs(1)), &mut |p| {
            events.push(p)
        })
        .unwrap_err();
        match &err {
            DaemonError::NotReady {
                secs,
                pid,
                stopped_child,
                last_log_lines,
                ..
            } => {
                assert_eq!(*secs, 1);
                assert!(*stopped_child);
                assert_eq!(
                    last_log_lines,
                    &["stuck before bind (gateway run)".to_string()]
                );
                let root = ProcRoot::default();
                assert!(
                    crate::procinfo::stat(&root, *pid).is_err(),
                    "child left running"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.to_string(), "gateway did not become ready within 1s");
        assert!(matches!(
            events.first(),
            Some(StartProgress::Spawned { .. })
        ));
        assert!(events
            .iter()
            .any(|e| matches!(e, StartProgress::Waiting { .. })));
    }

    #[test]
    fn error_messages_match_the_seed() {
        let e = DaemonError::RestartTimedOut {
            pid: 9,
            secs: 30,
            state: Some(ProcState::Stopped),
        };
        let text = e.to_string();
        assert!(
            text.starts_with("gateway restart timed out — gateway did not stop within 30s\n"),
            "{text}"
        );
        assert!(
            text.contains("restart failed: old gateway process still running"),
            "{text}"
        );
        assert!(e.hint().unwrap().contains("gateway stop --force"));
        let e = DaemonError::NotReady {
            secs: 60,
            pid: 1,
            port: 1,
            stopped_child: true,
            last_log_lines: vec![],
        };
        assert_eq!(e.to_string(), "gateway did not become ready within 60s");
        assert!(e.is_gateway_fault());
    }
}
