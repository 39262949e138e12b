//! The `pid` probe: is `gateway.pid` present and well formed, is its process
//! alive, is it provably our gateway (pid + start time + command line), and
//! what state is it in?
//!
//! Facts: `pid.file_present`, `pid.file_valid`, `pid.pid`, `pid.alive`,
//! `pid.identity` (`gateway` | `dead` | `stranger` | `unknown` | `none`),
//! `pid.state` (`running`, `sleeping`, `disk_sleep`, `stopped`, `zombie`, …;
//! for any live pid), `pid.hung` (the gateway is stopped `T`, in `D` or a
//! zombie), `pid.stranger_cmdline` (the live process that reused the pid).

use super::{join_argv, Evidence, ProbeEnv, Status};
use crate::i18n::{msg, Message};
use crate::procinfo::{self, Identity, ProcState};
use crate::state::lock::{lock_state, LockState};
use crate::state::pid::{self as pidfile, PidFileError};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Pid;

fn state_name(state: ProcState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| "other".into())
}

/// The state's name for the reader (`sleeping`, 睡眠中, …); the fact
/// keeps [`state_name`].
fn state_message(state: ProcState) -> Message {
    match state {
        ProcState::Running => msg!("proc-state-running"),
        ProcState::Sleeping => msg!("proc-state-sleeping"),
        ProcState::DiskSleep => msg!("proc-state-disk-sleep"),
        ProcState::Stopped => msg!("proc-state-stopped"),
        ProcState::Zombie => msg!("proc-state-zombie"),
        ProcState::Dead => msg!("proc-state-dead"),
        ProcState::Idle => msg!("proc-state-idle"),
        ProcState::Other => msg!("proc-state-other"),
    }
}

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let path = env.home.pid_path();
    let shown = path.display();
    let record = match pidfile::read(&path) {
        Ok(Some(record)) => record,
        Ok(None) => return no_pid_file(env),
        Err(e @ PidFileError::Malformed { .. }) => {
            return Evidence::new(NAME, Status::Fail, msg!("pid-file-malformed", error = e))
                .fact("pid.file_present", true)
                .fact("pid.file_valid", false)
                .fact("pid.identity", "none")
        }
        Err(e @ PidFileError::Io { .. }) => {
            return Evidence::inconclusive(NAME, msg!("pid-file-unreadable", error = e))
                .fact("pid.file_present", true)
        }
    };
    let pid = record.pid;
    let base = |status: Status, summary: Message| {
        Evidence::new(NAME, status, summary)
            .fact("pid.file_present", true)
            .fact("pid.file_valid", true)
            .fact("pid.pid", pid)
    };
    match record.identify(&env.proc_root, &env.home) {
        Identity::Gateway { state } => {
            let hung = state.is_hung();
            let name = state_name(state);
            let (status, summary) = if hung {
                (
                    Status::Fail,
                    msg!("pid-gateway-hung", pid = pid, state = state_message(state)),
                )
            } else {
                (
                    Status::Ok,
                    msg!("pid-gateway-alive", pid = pid, state = state_message(state)),
                )
            };
            base(status, summary)
                .fact("pid.alive", true)
                .fact("pid.identity", "gateway")
                .fact("pid.state", name)
                .fact("pid.hung", hung)
        }
        Identity::Dead => base(
            Status::Fail,
            msg!("pid-stale-dead", path = &shown, pid = pid),
        )
        .fact("pid.alive", false)
        .fact("pid.identity", "dead"),
        Identity::Stranger {
            comm,
            cmdline,
            reason,
        } => {
            let state = procinfo::stat(&env.proc_root, pid)
                .map(|s| state_name(s.state))
                .ok();
            let shown_cmd = if cmdline.is_empty() {
                format!("[{comm}]")
            } else {
                join_argv(&cmdline)
            };
            let mut evidence = base(
                Status::Fail,
                msg!(
                    "pid-stale-stranger",
                    path = &shown,
                    reason = reason,
                    command = &shown_cmd
                ),
            )
            .fact("pid.alive", true)
            .fact("pid.identity", "stranger")
            .fact("pid.stranger_cmdline", shown_cmd);
            if let Some(state) = state {
                evidence = evidence.fact("pid.state", state);
            }
            evidence
        }
        Identity::Unknown { error } => Evidence::inconclusive(
            NAME,
            msg!(
                "pid-cannot-inspect",
                pid = pid,
                path = &shown,
                error = error
            ),
        )
        .fact("pid.file_present", true)
        .fact("pid.file_valid", true)
        .fact("pid.pid", pid)
        .fact("pid.identity", "unknown"),
    }
}

/// No pid file: fine when no gateway runs, suspicious when the gateway's lock
/// is held (a gateway running without its pid file cannot be stopped safely).
fn no_pid_file(env: &ProbeEnv) -> Evidence {
    let (status, summary) = match lock_state(&env.proc_root, &env.home.lock_path()) {
        Ok(LockState::Held { owner_pid }) => {
            (Status::Warn, msg!("pid-none-lock-held", pid = owner_pid))
        }
        _ => (Status::Ok, msg!("pid-none")),
    };
    Evidence::new(NAME, status, summary)
        .fact("pid.file_present", false)
        .fact("pid.identity", "none")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;
    use crate::state::pid::PidRecord;

    fn with_pid(pid: i32, start_time: u64) -> Staged {
        let s = Staged::new(Some("basic"), &[]);
        s.write_pid(pid, start_time);
        s
    }

    #[test]
    fn no_pid_file_is_ok() {
        let s = Staged::new(Some("basic"), &[]);
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok);
        assert_eq!(e.get("pid.file_present"), Some(&false.into()));
        assert_eq!(e.get("pid.identity"), Some(&"none".into()));
    }

    #[test]
    fn malformed_pid_file_names_the_line() {
        let s = Staged::new(Some("basic"), &[]);
        s.write_home("gateway.pid", "not a pid\n");
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("pid.file_valid"), Some(&false.into()));
        assert!(e.summary.contains("gateway.pid:1"), "{}", e.summary);
    }

    #[test]
    fn live_gateway_is_ok() {
        let e = probe(&with_pid(100, 5000).env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("pid.identity"), Some(&"gateway".into()));
        assert_eq!(e.get("pid.state"), Some(&"sleeping".into()));
        assert_eq!(e.get("pid.hung"), Some(&false.into()));
        assert_eq!(e.get("pid.alive"), Some(&true.into()));
        assert_eq!(e.get("pid.pid"), Some(&100.into()));
    }

    #[test]
    fn stopped_and_disk_sleep_gateways_are_hung() {
        for (pid, start, state) in [(300, 7000, "stopped"), (301, 7100, "disk_sleep")] {
            let e = probe(&with_pid(pid, start).env);
            assert_eq!(e.status, Status::Fail, "{}", e.summary);
            assert_eq!(e.get("pid.state"), Some(&state.into()));
            assert_eq!(e.get("pid.hung"), Some(&true.into()));
            assert_eq!(e.get("pid.identity"), Some(&"gateway".into()));
        }
    }

    #[test]
    fn dead_pid_is_stale() {
        let e = probe(&with_pid(999_999, 1).env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("pid.identity"), Some(&"dead".into()));
        assert_eq!(e.get("pid.alive"), Some(&false.into()));
    }

    #[test]
    fn reused_pid_is_a_stranger_with_its_cmdline() {
        let e = probe(&with_pid(200, 6000).env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("pid.identity"), Some(&"stranger".into()));
        assert_eq!(
            e.get("pid.stranger_cmdline"),
            Some(&"python3 -m http.server 8080".into())
        );
        assert!(e.get("pid.hung").is_none());
        // Same pid as the gateway but a different start time: also a stranger.
        let e = probe(&with_pid(100, 4999).env);
        assert_eq!(e.get("pid.identity"), Some(&"stranger".into()));
        assert!(e.summary.contains("reused"), "{}", e.summary);
    }

    #[test]
    fn live_test_process_is_a_stranger_not_the_gateway() {
        let s = Staged::new(None, &[]);
        s.write_home("gateway.pid", &PidRecord::current().unwrap().render());
        let e = probe(&s.env);
        assert_eq!(
            e.get("pid.identity"),
            Some(&"stranger".into()),
            "{}",
            e.summary
        );
        assert_eq!(e.get("pid.alive"), Some(&true.into()));
        let state = e.get("pid.state").and_then(|v| v.as_str()).unwrap();
        assert!(state == "running" || state == "sleeping", "{state}");
    }
}
