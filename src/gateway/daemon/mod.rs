//! Daemon control around the embedded gateway: start it detached and wait
//! for `/health`, stop it (only if the pid is provably ours), restart it, and
//! report its status. Library code: no terminal I/O; `start` reports progress
//! through a callback and every outcome is data the CLI or the doctor renders.
//!
//! Owns the health probe (a raw HTTP/1.1 `GET /health` over loopback, so no
//! proxy variable can reroute it). Does not own the server itself
//! (`gateway::server`) or the pid file format (`state::pid`).
//!
//! Safety rule: a signal is only ever sent to a pid whose pid, start time and
//! command line all match the pid file ([`PidRecord::identify`] says
//! `Gateway`). A pid file naming a dead process or a stranger is reported as
//! stale and removed (it is ours, and provably names no gateway); the
//! stranger is never signalled.

use crate::i18n::{msg, Message};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde::Serialize;

use crate::config;
use crate::health::{check_health, Health};
use crate::home::{Home, HOME_ENV};
use crate::procinfo::{Identity, ProcRoot, ProcState};
use crate::state::pid::{self as pidfile, PidRecord};

/// Set in the environment of a gateway spawned by [`start`]: `gateway run`
/// then calls `setsid` so the gateway leaves the caller's session (no SIGHUP
/// or Ctrl-C from the terminal that started it).
pub const DETACHED_ENV: &str = "CLAWDOC_GATEWAY_DETACHED";

/// How often readiness and process exit are polled.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(10);
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
    pub fn hint(&self) -> Option<Message> {
        match self {
            DaemonError::StopTimedOut { forced: false, .. }
            | DaemonError::RestartTimedOut { .. }
            | DaemonError::Unresponsive { .. } => Some(msg!("gw-hint-force-stop")),
            DaemonError::NotReady { .. } | DaemonError::ChildExited { .. } => {
                Some(msg!("gw-hint-see-logs"))
            }
            _ => None,
        }
    }
}

mod start;
mod status;
mod stop;

pub use start::*;
pub use status::*;
pub use stop::*;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

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
        assert!(e.hint().unwrap().english().contains("gateway stop --force"));
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
