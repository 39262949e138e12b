//! How each fix action is carried out on an OpenClaw install: through its own
//! CLI where it has a command (so its validation, backups and write guards
//! apply), by signalling only a process proven to be this state dir's
//! gateway (lock file pid + start time + process title), and by removing
//! only lock files whose owner is gone. Without `openclaw` on PATH every
//! CLI-backed action is display-only: it fails with the command to run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{describe, failed, pick_port, precondition, Applied, FixEnv, FixError, Preview};
use crate::config::Secret;
use crate::i18n::{msg, Message};
use crate::probe::{configured_port, openclaw as probes, ProbeEnv};
use crate::procinfo::Identity;
use crate::target::openclaw::{
    batch_command, commands, run_log, service_unit, start_command, LockRecord, OpenClaw,
    DEFAULT_SETTINGS, ENV_CONFIG_PATH, ENV_STATE_DIR, TOKEN_SETTINGS,
};
use crate::vocab::{Category, FixAction};

/// How long a started gateway may take to answer `/readyz` 200 (6–36 s
/// measured on 2 busy cores).
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a SIGTERM'd gateway may take to exit (0.6–3.4 s measured).
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// One `openclaw config set` takes 2–8 s here.
const CLI_TIMEOUT: Duration = Duration::from_secs(90);

pub(super) fn preview(t: &OpenClaw, action: FixAction, _env: &FixEnv) -> Preview {
    let commands = commands(t, action, Category::NotConnected);
    let cli = if t.cli.is_none() && needs_cli(action) {
        " (display-only: openclaw is not on PATH)"
    } else {
        ""
    };
    Preview {
        action,
        description: format!("{}: $ {}{cli}", describe(action), commands.join(" && ")),
        diff: None,
    }
}

fn needs_cli(action: FixAction) -> bool {
    use FixAction::*;
    matches!(
        action,
        WriteDefaultConfig
            | SetModeLocal
            | QuarantineCorruptConfig
            | MoveToFreePort
            | PinTokenAndRepair
            | StartGateway
            | RestartGateway
    )
}

pub(super) fn apply(t: &OpenClaw, action: FixAction, env: &FixEnv) -> Result<Applied, FixError> {
    use FixAction::*;
    let probe_env = env.probe_env();
    let done = |summary: Message| Ok(Applied::new(action, summary));
    if needs_cli(action) && t.cli.is_none() {
        return Err(precondition(
            action,
            msg!(
                "fix-oc-no-cli-run",
                commands = commands(t, action, Category::NotConnected).join(" && ")
            ),
        ));
    }
    match action {
        Advice
        | RaiseStartupTimeout
        | ApproveCliDevice
        | MigrateDeprecatedKeys
        | RebuildDeviceStore => Err(precondition(action, msg!("fix-oc-no-such-action"))),
        RemoveStalePid => Err(precondition(action, msg!("fix-oc-no-pid-file"))),
        WriteDefaultConfig => {
            if t.config_path.exists() {
                return Err(precondition(action, msg!("fix-config-exists")));
            }
            set_batch(t, action, &with_token(&[("gateway.mode", "local")]))?;
            done(msg!(
                "fix-oc-wrote-config",
                command = batch_command(DEFAULT_SETTINGS),
                path = t.config_path.display()
            ))
        }
        SetModeLocal => {
            let cmd = ["config", "set", "gateway.mode", "local"];
            run_cli(t, action, &cmd)?;
            done(msg!("fix-oc-ran", command = cmd.join(" ")))
        }
        QuarantineCorruptConfig => {
            let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
            let aside = PathBuf::from(format!(
                "{}.clawdoc-corrupt.{stamp}",
                t.config_path.display()
            ));
            if t.config_path.exists() {
                std::fs::rename(&t.config_path, &aside).map_err(|e| failed(action, e))?;
            }
            set_batch(t, action, &with_token(&[("gateway.mode", "local")]))?;
            done(msg!(
                "fix-oc-quarantined",
                aside = aside.display(),
                command = batch_command(DEFAULT_SETTINGS)
            ))
        }
        MoveToFreePort => {
            let port = configured_port(&probe_env);
            let free = pick_port(port.checked_add(1).unwrap_or(1024));
            let value = free.to_string();
            let cmd = ["config", "set", "gateway.port", value.as_str()];
            run_cli(t, action, &cmd)?;
            done(msg!("fix-oc-ran", command = cmd.join(" ")))
        }
        PinTokenAndRepair => {
            set_batch(t, action, &with_token(&[]))?;
            let mut summary = msg!("fix-oc-command", command = batch_command(TOKEN_SETTINGS));
            if t.running_gateway(&probe_env.proc_root).is_some() {
                let restarted = restart(t, action, &probe_env)?;
                summary = msg!("joined", first = summary, second = restarted);
            }
            done(summary)
        }
        StartGateway => {
            if let Some(r) = t.running_gateway(&probe_env.proc_root) {
                return done(msg!("fix-already-running", pid = r.pid));
            }
            done(start(t, action, &probe_env)?)
        }
        RestartGateway => done(restart(t, action, &probe_env)?),
        ForceStopGateway => {
            let Some(record) = t.running_gateway(&probe_env.proc_root) else {
                return Err(precondition(action, msg!("fix-oc-nothing-to-stop")));
            };
            signal_verified(t, action, &probe_env, record.pid, record.start_time, true)?;
            wait_gone(&probe_env, &record, STOP_TIMEOUT);
            done(msg!("fix-oc-killed", signal = "KILL", pid = record.pid))
        }
        RemoveStaleLock => {
            let stale = probes::stale_locks(t, &probe_env);
            if stale.is_empty() {
                return Err(precondition(action, msg!("fix-oc-no-stale-lock")));
            }
            let mut removed = Vec::new();
            for path in stale {
                std::fs::remove_file(&path).map_err(|e| failed(action, e))?;
                removed.push(path.display().to_string());
            }
            done(msg!("fix-oc-locks-removed", paths = removed.join(", ")))
        }
    }
}

/// `settings` plus a new random persisted token.
fn with_token(settings: &[(&str, &str)]) -> Vec<(String, String)> {
    let token = Secret::generate();
    settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([
            ("gateway.auth.mode".to_string(), "token".to_string()),
            ("gateway.auth.token".to_string(), token.expose().to_string()),
        ])
        .collect()
}

/// `openclaw config set --batch-file F`, F a 0600 temp file removed after:
/// the token never appears on a command line.
fn set_batch(
    t: &OpenClaw,
    action: FixAction,
    settings: &[(String, String)],
) -> Result<(), FixError> {
    let ops: Vec<serde_json::Value> = settings
        .iter()
        .map(|(k, v)| serde_json::json!({ "path": k, "value": v }))
        .collect();
    let dir = t
        .config_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir).map_err(|e| failed(action, e))?;
    // tempfile creates it 0600.
    let mut file = tempfile::Builder::new()
        .prefix(".clawdoc-batch-")
        .suffix(".json")
        .tempfile_in(&dir)
        .map_err(|e| failed(action, e))?;
    file.write_all(serde_json::Value::Array(ops).to_string().as_bytes())
        .map_err(|e| failed(action, e))?;
    let path = file.path().display().to_string();
    run_cli(t, action, &["config", "set", "--batch-file", &path])?;
    Ok(())
}

/// Runs `openclaw ARGS` for this state dir; its output only in errors.
fn run_cli(t: &OpenClaw, action: FixAction, args: &[&str]) -> Result<String, FixError> {
    let cli = t
        .cli
        .as_ref()
        .ok_or_else(|| precondition(action, msg!("fix-oc-no-cli")))?;
    let mut child = cli_command(t, cli)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(action, format!("cannot run {}: {e}", cli.display())))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > CLI_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(
                    action,
                    format!(
                        "`openclaw {}` did not finish in {CLI_TIMEOUT:?}",
                        args.join(" ")
                    ),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(failed(action, e)),
        }
    }
    let out = child.wait_with_output().map_err(|e| failed(action, e))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        let tail: Vec<&str> = text.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(failed(
            action,
            format!(
                "`openclaw {}` exited with {}: {}",
                args.first().copied().unwrap_or_default(),
                out.status,
                tail.join(" | ")
            ),
        ));
    }
    Ok(text)
}

fn cli_command(t: &OpenClaw, cli: &Path) -> Command {
    let mut c = Command::new(cli);
    c.env(ENV_STATE_DIR, &t.state_dir)
        .env(ENV_CONFIG_PATH, &t.config_path)
        .env("NO_COLOR", "1");
    // The profile moves the gateway's default port and log: same as ours.
    if let Some(profile) = &t.profile {
        c.env(crate::target::openclaw::ENV_PROFILE, profile);
    }
    if let Some(port) = &t.port_env {
        c.env(crate::target::openclaw::ENV_PORT, port);
    }
    c
}

/// Starts the gateway: `openclaw gateway start` under a service manager,
/// else `openclaw gateway run` detached (own process group, console to
/// [`run_log`]); then waits for `/readyz` 200.
fn start(t: &OpenClaw, action: FixAction, env: &ProbeEnv) -> Result<Message, FixError> {
    let started = Instant::now();
    if service_unit(t).is_some() {
        run_cli(t, action, &["gateway", "start"])?;
    } else {
        let cli = t
            .cli
            .as_ref()
            .ok_or_else(|| precondition(action, msg!("fix-oc-no-cli")))?;
        let log_path = run_log(t);
        if let Some(dir) = log_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| failed(action, e))?;
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| failed(action, format!("{}: {e}", log_path.display())))?;
        let err = log.try_clone().map_err(|e| failed(action, e))?;
        use std::os::unix::process::CommandExt;
        let mut child = cli_command(t, cli)
            .args(["gateway", "run"])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| failed(action, e))?;
        let port = configured_port(env);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(failed(
                    action,
                    format!(
                        "`openclaw gateway run` exited with {status} before it was ready: {}",
                        tail(&log_path, 3)
                    ),
                ));
            }
            // Ready, and it is this state dir's gateway answering (another
            // gateway on the port would answer too).
            if ready(port) && t.running_gateway(&env.proc_root).is_some() {
                break;
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(failed(
                    action,
                    format!(
                        "the gateway (pid {}) was not ready on port {port} after {READY_TIMEOUT:?}",
                        child.id()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        return Ok(msg!(
            "fix-oc-started",
            command = start_command(t),
            pid = child.id(),
            port = port,
            secs = format!("{:.1}", started.elapsed().as_secs_f64())
        ));
    }
    let port = configured_port(env);
    while !ready(port) {
        if started.elapsed() > READY_TIMEOUT {
            return Err(failed(
                action,
                format!("not ready on port {port} after {READY_TIMEOUT:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(msg!(
        "fix-oc-service-started",
        port = port,
        secs = format!("{:.1}", started.elapsed().as_secs_f64())
    ))
}

fn ready(port: u16) -> bool {
    crate::health::request(port, "GET", "/readyz", Duration::from_secs(2))
        .is_ok_and(|r| r.status == 200)
}

fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(n).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

/// Restarts: `openclaw gateway restart` under a service manager; else
/// SIGTERM to the verified gateway, wait for it to exit, start again.
fn restart(t: &OpenClaw, action: FixAction, env: &ProbeEnv) -> Result<Message, FixError> {
    if service_unit(t).is_some() {
        run_cli(t, action, &["gateway", "restart"])?;
        let restarted = msg!("fix-oc-command", command = "openclaw gateway restart");
        return start(t, action, env).map(|s| msg!("joined", first = restarted, second = s));
    }
    let mut steps = Vec::new();
    if let Some(record) = t.running_gateway(&env.proc_root) {
        signal_verified(t, action, env, record.pid, record.start_time, false)?;
        if !wait_gone(env, &record, STOP_TIMEOUT) {
            return Err(failed(
                action,
                format!(
                    "the gateway (pid {}) did not exit within {STOP_TIMEOUT:?} of SIGTERM",
                    record.pid
                ),
            ));
        }
        steps.push(msg!("fix-oc-killed", signal = "TERM", pid = record.pid));
    }
    steps.push(start(t, action, env)?);
    Ok(super::join(steps))
}

/// Signals `pid` only if it is still this state dir's gateway: a lock file
/// of this state dir names it, and its start time and process title agree.
fn signal_verified(
    t: &OpenClaw,
    action: FixAction,
    env: &ProbeEnv,
    pid: i32,
    start_time: u64,
    kill: bool,
) -> Result<(), FixError> {
    let Some(record) = t.running_gateway(&env.proc_root) else {
        return Err(precondition(action, msg!("fix-oc-gone")));
    };
    if record.pid != pid || record.start_time != start_time {
        return Err(precondition(action, msg!("fix-oc-pid-changed", pid = pid)));
    }
    if !matches!(record.identify(&env.proc_root), Identity::Gateway { .. }) {
        return Err(precondition(action, msg!("fix-oc-pid-unproven", pid = pid)));
    }
    let signal = if kill {
        nix::sys::signal::Signal::SIGKILL
    } else {
        nix::sys::signal::Signal::SIGTERM
    };
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal)
        .map_err(|e| failed(action, format!("kill {pid}: {e}")))
}

fn wait_gone(env: &ProbeEnv, record: &LockRecord, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if !matches!(record.identify(&env.proc_root), Identity::Gateway { .. }) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn without_the_cli_fixes_are_display_only_with_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let env: BTreeMap<String, String> = [
            ("HOME".to_string(), dir.path().display().to_string()),
            (ENV_STATE_DIR.to_string(), dir.path().display().to_string()),
            ("PATH".to_string(), "/nonexistent".to_string()),
        ]
        .into();
        let t = OpenClaw::from_env(&env);
        let fix_env = FixEnv::new(crate::home::Home::new(dir.path().join("clawdoc")));
        match apply(&t, FixAction::SetModeLocal, &fix_env) {
            Err(FixError::Precondition { reason, .. }) => {
                assert!(
                    reason.contains("openclaw config set gateway.mode local"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(!dir.path().join("openclaw.json").exists());
        let p = preview(&t, FixAction::StartGateway, &fix_env);
        assert!(
            p.description.contains("openclaw gateway run"),
            "{}",
            p.description
        );
        assert!(p.description.contains("display-only"), "{}", p.description);
    }

    #[test]
    fn commands_never_carry_a_token() {
        let t = OpenClaw::from_env(&BTreeMap::new());
        let pin = commands(&t, FixAction::PinTokenAndRepair, Category::Auth);
        assert!(
            pin[0].starts_with("openclaw config set --batch-file"),
            "{pin:?}"
        );
        assert_eq!(
            commands(&t, FixAction::SetModeLocal, Category::ModeUnset),
            ["openclaw config set gateway.mode local"]
        );
        for action in FixAction::ALL {
            for c in commands(&t, *action, Category::Auth) {
                assert!(!c.contains("0123456789abcdef"), "{c}");
                assert!(!c.contains("clawdoc "), "{c}");
            }
        }
    }
}
