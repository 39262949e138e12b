//! `status`: pid file, process identity and `/health` as one `GatewayStatus`.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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
