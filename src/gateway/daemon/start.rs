//! `start`: spawn the gateway detached and wait for `/health` (or its exit).

use super::*;

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
pub(crate) fn start_program(
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
pub(crate) fn log_lines_since(path: &Path, offset: u64, max: usize) -> Vec<String> {
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
