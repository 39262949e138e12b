//! `stop` and `restart`: signal only a provably-ours gateway, wait for it to go.

use super::*;

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
pub(super) fn remove_pid_file_if(home: &Home, record: &PidRecord) -> Result<bool, DaemonError> {
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
