//! The closed set of fix actions ([`FixAction`]): what each one does, in what
//! order they run, a preview for `--dry-run`, and the undo journal.
//!
//! A rule names an action and an applicability; this module is the only code
//! that changes anything on the machine. Every action re-checks its
//! precondition right before acting (a probe result can be stale by then) and
//! never touches what is not provably the gateway's: process actions go
//! through `gateway::daemon`, which verifies pid + start time + command line.
//! Config writes go through `config::edit::write_config` (backup ring, atomic,
//! 0600); the whole run is journaled so `clawdoc undo` can restore the files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client;
use crate::config::{self, edit, Secret};
use crate::gateway::daemon;
use crate::home::Home;
use crate::i18n::{msg, Message, StoredMessage};
use crate::procinfo::{Identity, ProcRoot};
use crate::state::pid as pidfile;
use crate::target::Target;
use crate::vocab::FixAction;

mod openclaw;

/// How long a graceful stop may take before a restart gives up.
pub(crate) const RESTART_STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a forced stop may take (SIGKILL is immediate; reaping is not).
pub(crate) const FORCE_STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// The startup timeout `raise_startup_timeout` sets.
pub(crate) const RAISED_STARTUP_TIMEOUT_SECS: u64 = 120;

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("{action}: {message}")]
    Failed { action: FixAction, message: String },
    #[error("{action}: not applied: {reason}")]
    Precondition {
        action: FixAction,
        /// In English (`said` rendered).
        reason: String,
        said: Message,
    },
}

impl FixError {
    /// The error as a catalogue message (its English is the `Display`).
    pub fn message(&self) -> Message {
        match self {
            FixError::Failed { action, message } => {
                msg!("fix-failed", action = action, error = message)
            }
            FixError::Precondition { action, said, .. } => {
                msg!("fix-not-applied", action = action, reason = said.clone())
            }
        }
    }
}

fn failed(action: FixAction, message: impl std::fmt::Display) -> FixError {
    FixError::Failed {
        action,
        message: message.to_string(),
    }
}

fn precondition(action: FixAction, said: Message) -> FixError {
    FixError::Precondition {
        action,
        reason: said.english(),
        said,
    }
}

/// Order in which actions run within one round: config first (a started
/// gateway must see the final config), then clearing stale process state,
/// then starting, then what needs a running gateway.
pub(crate) fn phase(action: FixAction) -> u8 {
    use FixAction::*;
    match action {
        QuarantineCorruptConfig | WriteDefaultConfig => 0,
        SetModeLocal | MigrateDeprecatedKeys | RaiseStartupTimeout | MoveToFreePort => 1,
        ForceStopGateway => 2,
        RemoveStalePid | RemoveStaleLock => 3,
        RestartGateway | StartGateway => 4,
        PinTokenAndRepair | ApproveCliDevice | RebuildDeviceStore => 5,
        Advice => 6,
    }
}

/// Does this action change the config file (so a running gateway must restart)?
pub(crate) fn changes_config(action: FixAction) -> bool {
    phase(action) <= 1 || action == FixAction::PinTokenAndRepair
}

/// What an action would do, for `--dry-run` and for the confirmation prompt.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Preview {
    pub action: FixAction,
    pub description: String,
    /// A unified-style diff of the config file (tokens redacted), if it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// What an applied action did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub action: FixAction,
    /// In English (`message` rendered).
    pub summary: String,
    /// What the action did, for the reader's language.
    #[serde(skip)]
    pub message: Message,
}

impl Applied {
    pub(crate) fn new(action: FixAction, message: Message) -> Self {
        Self {
            action,
            summary: message.english(),
            message,
        }
    }
}

/// Where fixes act. Tests and the CLI use the live proc root.
#[derive(Debug, Clone)]
pub struct FixEnv {
    pub home: Home,
    pub proc_root: ProcRoot,
    /// The gateway the fixes act on; it carries each action out.
    pub target: Target,
}

impl FixEnv {
    pub fn new(home: Home) -> Self {
        Self {
            home,
            proc_root: ProcRoot::default(),
            target: Target::embedded(),
        }
    }
    /// The same environment, acting on `target`.
    pub fn with_target(self, target: Target) -> Self {
        Self { target, ..self }
    }
    /// A live probe environment for the same home, proc root and target
    /// (a fix re-checks its precondition right before acting).
    pub(crate) fn probe_env(&self) -> crate::probe::ProbeEnv {
        let mut env =
            crate::probe::ProbeEnv::live(self.home.clone()).with_target(self.target.clone());
        env.proc_root = self.proc_root.clone();
        env
    }
}

fn read_config_text(home: &Home) -> Option<String> {
    std::fs::read(home.config_path())
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The config text an action would write, or `None` if it does not edit it.
fn planned_config(action: FixAction, env: &FixEnv) -> Result<Option<String>, FixError> {
    let home = &env.home;
    let current = read_config_text(home);
    let edit_err = |e: edit::EditError| failed(action, e);
    Ok(match action {
        FixAction::WriteDefaultConfig => {
            if current.is_some() {
                return Err(precondition(action, msg!("fix-config-exists")));
            }
            Some(edit::default_config_text(
                pick_port(preferred_port()),
                &Secret::generate(),
            ))
        }
        FixAction::QuarantineCorruptConfig => Some(edit::default_config_text(
            pick_port(preferred_port()),
            &Secret::generate(),
        )),
        FixAction::SetModeLocal => {
            let text = current.ok_or_else(|| precondition(action, msg!("fix-no-config")))?;
            Some(edit::set_in_text(&text, "gateway.mode", "local").map_err(edit_err)?)
        }
        FixAction::MigrateDeprecatedKeys => {
            let text = current.ok_or_else(|| precondition(action, msg!("fix-no-config")))?;
            let (new, moved) = edit::migrate_deprecated_in_text(&text).map_err(edit_err)?;
            if moved.is_empty() {
                return Err(precondition(action, msg!("fix-no-deprecated-keys")));
            }
            Some(new)
        }
        FixAction::RaiseStartupTimeout => {
            let text = current.ok_or_else(|| precondition(action, msg!("fix-no-config")))?;
            Some(
                edit::set_in_text(
                    &text,
                    "gateway.startupTimeout",
                    &RAISED_STARTUP_TIMEOUT_SECS.to_string(),
                )
                .map_err(edit_err)?,
            )
        }
        FixAction::MoveToFreePort => {
            let text = current.ok_or_else(|| precondition(action, msg!("fix-no-config")))?;
            let port = effective_port(home);
            let free = pick_port(port.checked_add(1).unwrap_or(1024));
            Some(edit::set_in_text(&text, "gateway.port", &free.to_string()).map_err(edit_err)?)
        }
        FixAction::PinTokenAndRepair => {
            let text = current.ok_or_else(|| precondition(action, msg!("fix-no-config")))?;
            if config::load(home).is_ok_and(|l| l.config.token.is_some()) {
                None
            } else {
                Some(
                    edit::set_in_text(&text, "gateway.token", Secret::generate().expose())
                        .map_err(edit_err)?,
                )
            }
        }
        _ => None,
    })
}

/// The port a fresh config should use: `CLAWDOC_GATEWAY_PORT` when set (it
/// would override the file anyway), else the default.
fn preferred_port() -> u16 {
    std::env::var(config::ENV_PORT)
        .ok()
        .and_then(|v| config::check_port(&v).ok())
        .unwrap_or(config::DEFAULT_PORT)
}

fn effective_port(home: &Home) -> u16 {
    config::effective_port(home)
}

/// `preferred` if the gateway could bind it, else the next such port above
/// it, else the first from 1024. Never a port in the kernel's ephemeral
/// range (an outgoing connection may take it at any time), nor one only
/// free because nothing listens (the bind is tried on all interfaces, as a
/// remote-mode gateway binds).
pub(crate) fn pick_port(preferred: u16) -> u16 {
    use crate::probe::bind;
    let range = bind::ephemeral_range(&ProcRoot::default());
    let usable = |p: u16| {
        !range.is_some_and(|(lo, hi)| (lo..=hi).contains(&p))
            && bind::try_bind(std::net::Ipv4Addr::UNSPECIFIED.into(), p).is_ok()
    };
    let start = preferred.max(1024);
    (start..start.saturating_add(200))
        .chain(1024..start)
        .chain(start.saturating_add(200)..=u16::MAX)
        .find(|&p| usable(p))
        .unwrap_or(preferred)
}

/// Describes an action without doing it, as the target would carry it out.
pub fn preview(action: FixAction, env: &FixEnv) -> Preview {
    match env.target.openclaw() {
        Some(oc) => openclaw::preview(oc, action, env),
        None => preview_embedded(action, env),
    }
}

/// Carries out one action the way the target does (the one place the
/// target picks its fixes). Display-only `advice` is never applied.
pub fn apply(action: FixAction, env: &FixEnv) -> Result<Applied, FixError> {
    match env.target.openclaw() {
        Some(oc) => openclaw::apply(oc, action, env),
        None => apply_embedded(action, env),
    }
}

/// [`preview`] for the embedded gateway.
fn preview_embedded(action: FixAction, env: &FixEnv) -> Preview {
    let description = describe(action);
    let diff = match planned_config(action, env) {
        Ok(Some(new)) => {
            let old = read_config_text(&env.home).unwrap_or_default();
            Some(redacted_diff(&old, &new))
        }
        Ok(None) => None,
        Err(e) => {
            return Preview {
                action,
                description: format!("{description} ({e})"),
                diff: None,
            }
        }
    };
    Preview {
        action,
        description,
        diff,
    }
}

/// The catalogue id of what an action does (`action-<name>`; its English is
/// [`describe`]).
pub fn action_id(action: FixAction) -> &'static str {
    use FixAction::*;
    match action {
        WriteDefaultConfig => "action-write_default_config",
        SetModeLocal => "action-set_mode_local",
        MigrateDeprecatedKeys => "action-migrate_deprecated_keys",
        QuarantineCorruptConfig => "action-quarantine_corrupt_config",
        RaiseStartupTimeout => "action-raise_startup_timeout",
        StartGateway => "action-start_gateway",
        RestartGateway => "action-restart_gateway",
        ForceStopGateway => "action-force_stop_gateway",
        RemoveStalePid => "action-remove_stale_pid",
        RemoveStaleLock => "action-remove_stale_lock",
        MoveToFreePort => "action-move_to_free_port",
        PinTokenAndRepair => "action-pin_token_and_repair",
        ApproveCliDevice => "action-approve_cli_device",
        RebuildDeviceStore => "action-rebuild_device_store",
        Advice => "action-advice",
    }
}

/// What an action does, in English: the catalogue's `action-<name>` (the
/// CLI shows it in the reader's language).
pub fn describe(action: FixAction) -> String {
    Message::new(action_id(action)).english()
}

/// [`apply`] for the embedded gateway.
fn apply_embedded(action: FixAction, env: &FixEnv) -> Result<Applied, FixError> {
    let home = &env.home;
    let done = |summary: Message| Ok(Applied::new(action, summary));
    match action {
        FixAction::Advice => Err(precondition(action, msg!("fix-advice-never-applied"))),
        FixAction::QuarantineCorruptConfig => {
            let path = home.config_path();
            let aside = corrupt_aside_path(&path);
            if path.exists() {
                std::fs::rename(&path, &aside).map_err(|e| failed(action, e))?;
            }
            let text = planned_config(action, env)?.unwrap_or_default();
            edit::write_config(&path, &text).map_err(|e| failed(action, e))?;
            done(msg!("fix-quarantined", aside = aside.display()))
        }
        FixAction::WriteDefaultConfig
        | FixAction::SetModeLocal
        | FixAction::MigrateDeprecatedKeys
        | FixAction::RaiseStartupTimeout
        | FixAction::MoveToFreePort => {
            let text = planned_config(action, env)?
                .ok_or_else(|| precondition(action, msg!("fix-nothing-to-change")))?;
            let backup =
                edit::write_config(&home.config_path(), &text).map_err(|e| failed(action, e))?;
            let mut summary = Message::new(action_id(action));
            if action == FixAction::MoveToFreePort || action == FixAction::WriteDefaultConfig {
                summary = msg!("fix-port-now", text = summary, port = effective_port(home));
            }
            if let Some(b) = backup {
                summary = msg!("fix-backup", text = summary, backup = b.display());
            }
            done(summary)
        }
        FixAction::StartGateway => {
            match daemon::start(home, None, &mut |_| {}).map_err(|e| failed(action, e))? {
                daemon::StartOutcome::AlreadyRunning { pid, .. } => {
                    done(msg!("fix-already-running", pid = pid))
                }
                daemon::StartOutcome::Started { pid, port, elapsed } => done(msg!(
                    "fix-started",
                    pid = pid,
                    port = port,
                    ms = elapsed.as_millis()
                )),
            }
        }
        FixAction::RestartGateway => {
            let out = daemon::restart(home, RESTART_STOP_TIMEOUT, &mut |_| {})
                .map_err(|e| failed(action, e))?;
            done(msg!("fix-restarted", how = start_summary(&out.started)))
        }
        FixAction::ForceStopGateway => {
            // daemon::stop signals only a pid whose start time and command
            // line prove it is our gateway.
            match daemon::stop(home, true, FORCE_STOP_TIMEOUT).map_err(|e| failed(action, e))? {
                daemon::StopOutcome::Stopped { pid, .. } => {
                    done(msg!("fix-force-stopped", pid = pid))
                }
                other => done(msg!("fix-nothing-to-stop", why = stop_summary(&other))),
            }
        }
        FixAction::RemoveStalePid => {
            let path = home.pid_path();
            match pidfile::read(&path) {
                Ok(None) => return Err(precondition(action, msg!("fix-no-pid-file"))),
                Ok(Some(rec)) => match rec.identify(&env.proc_root, home) {
                    Identity::Gateway { .. } => {
                        return Err(precondition(action, msg!("fix-pid-is-live", pid = rec.pid)))
                    }
                    Identity::Unknown { error } => {
                        return Err(precondition(
                            action,
                            msg!("fix-pid-unknown", pid = rec.pid, error = error),
                        ))
                    }
                    Identity::Dead | Identity::Stranger { .. } => {}
                },
                Err(_) => {} // malformed: stale by definition
            }
            // A live gateway of this home may still hold the lock (the pid
            // file was clobbered while it ran): point the pid file back at it
            // rather than orphan it. The lock file is this home's, so its
            // holder running `clawdoc gateway run` is provably our gateway.
            if let Some(record) = lock_holding_gateway(env) {
                pidfile::write(&path, &record).map_err(|e| failed(action, e))?;
                return done(msg!(
                    "fix-pid-rewritten",
                    path = path.display(),
                    pid = record.pid
                ));
            }
            std::fs::remove_file(&path).map_err(|e| failed(action, e))?;
            done(msg!("fix-pid-removed", path = path.display()))
        }
        FixAction::RemoveStaleLock => {
            let path = home.lock_path();
            if !path.exists() {
                return Err(precondition(action, msg!("fix-no-lock-file")));
            }
            // Take the lock ourselves while unlinking, so a gateway starting
            // right now cannot lose a lock it just acquired.
            let file = std::fs::File::open(&path).map_err(|e| failed(action, e))?;
            if !fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(|e| failed(action, e))? {
                return Err(precondition(action, msg!("fix-lock-held")));
            }
            std::fs::remove_file(&path).map_err(|e| failed(action, e))?;
            let _ = fs4::fs_std::FileExt::unlock(&file);
            done(msg!("fix-lock-removed", path = path.display()))
        }
        FixAction::PinTokenAndRepair => {
            let mut steps = Vec::new();
            if let Some(text) = planned_config(action, env)? {
                edit::write_config(&home.config_path(), &text).map_err(|e| failed(action, e))?;
                steps.push(msg!("fix-pinned-token"));
                let out = daemon::restart(home, RESTART_STOP_TIMEOUT, &mut |_| {})
                    .map_err(|e| failed(action, e))?;
                steps.push(msg!("fix-restarted", how = start_summary(&out.started)));
            }
            let port = effective_port(home);
            if let Some(aside) =
                set_aside_corrupt_device_store(home).map_err(|e| failed(action, e))?
            {
                steps.push(msg!("fix-store-aside", aside = aside.display()));
            }
            client::repair(home, port, Duration::from_secs(3)).map_err(|e| failed(action, e))?;
            steps.push(msg!("fix-repaired"));
            done(join(steps))
        }
        FixAction::ApproveCliDevice => {
            // Setting an unreadable store aside unpairs every other device:
            // that is `rebuild_device_store` (unsafe), never this safe fix.
            if device_store_corrupt(home) {
                return Err(precondition(action, msg!("fix-store-unreadable")));
            }
            let port = effective_port(home);
            client::repair(home, port, Duration::from_secs(3)).map_err(|e| failed(action, e))?;
            done(msg!("fix-paired"))
        }
        FixAction::RebuildDeviceStore => {
            let Some(aside) =
                set_aside_corrupt_device_store(home).map_err(|e| failed(action, e))?
            else {
                return Err(precondition(action, msg!("fix-store-readable")));
            };
            let port = effective_port(home);
            client::repair(home, port, Duration::from_secs(3)).map_err(|e| failed(action, e))?;
            done(msg!("fix-store-rebuilt", aside = aside.display()))
        }
    }
}

fn device_store_corrupt(home: &Home) -> bool {
    matches!(
        crate::state::devices::load(&home.devices_path()),
        Err(crate::state::devices::DeviceStoreError::Malformed { .. })
    )
}

/// The pid record of the process holding this home's `gateway.lock`, if it
/// is running `clawdoc gateway run`.
fn lock_holding_gateway(env: &FixEnv) -> Option<pidfile::PidRecord> {
    let crate::state::lock::LockState::Held { owner_pid } =
        crate::state::lock::lock_state(&env.proc_root, &env.home.lock_path()).ok()?
    else {
        return None;
    };
    let stat = crate::procinfo::stat(&env.proc_root, owner_pid).ok()?;
    let argv = crate::procinfo::cmdline(&env.proc_root, owner_pid).ok()?;
    crate::procinfo::is_gateway_cmdline(&argv).then_some(pidfile::PidRecord {
        pid: owner_pid,
        start_time: stat.start_time,
    })
}

/// A device store that is not JSON blocks every pairing: keep it aside
/// (never delete it) so a fresh one can be written. Returns where it went.
fn set_aside_corrupt_device_store(home: &Home) -> std::io::Result<Option<PathBuf>> {
    let path = home.devices_path();
    match crate::state::devices::load(&path) {
        Err(crate::state::devices::DeviceStoreError::Malformed { .. }) => {
            let aside = corrupt_aside_path(&path);
            std::fs::rename(&path, &aside)?;
            Ok(Some(aside))
        }
        _ => Ok(None),
    }
}

/// Steps of one fix, in order, as one message (`a; b; c`).
pub(crate) fn join(steps: Vec<Message>) -> Message {
    Message::joined(steps).unwrap_or_else(|| msg!("fix-nothing-to-change"))
}

fn start_summary(s: &daemon::StartOutcome) -> Message {
    match s {
        daemon::StartOutcome::AlreadyRunning { pid, port } => {
            msg!("fix-start-already", pid = pid, port = port)
        }
        daemon::StartOutcome::Started { pid, port, .. } => {
            msg!("fix-start-pid-port", pid = pid, port = port)
        }
    }
}

fn stop_summary(s: &daemon::StopOutcome) -> Message {
    match s {
        daemon::StopOutcome::NotRunning => msg!("fix-stop-not-running"),
        daemon::StopOutcome::Stopped { pid, .. } => msg!("fix-stop-stopped", pid = pid),
        daemon::StopOutcome::StalePidFileRemoved { pid } => {
            msg!("fix-stop-stale-removed", pid = pid)
        }
        daemon::StopOutcome::StaleStranger { pid, comm, .. } => {
            msg!("fix-stop-stranger", pid = pid, name = comm)
        }
        daemon::StopOutcome::MalformedPidFileRemoved { message } => {
            msg!("fix-stop-malformed-removed", error = message)
        }
    }
}

fn corrupt_aside_path(path: &Path) -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".corrupt-{stamp}"));
    path.with_file_name(name)
}

/// Replaces token values in config text, so diffs can be shown.
pub(crate) fn redact_config(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("token") && trimmed.contains('=') {
                let indent = &line[..line.len() - trimmed.len()];
                let key = trimmed.split('=').next().unwrap_or("token").trim_end();
                format!("{indent}{key} = \"<redacted>\"")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A minimal line diff (common head and tail kept as context), tokens redacted.
pub(crate) fn redacted_diff(old: &str, new: &str) -> String {
    let (old, new) = (redact_config(old), redact_config(new));
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::from("--- config.toml\n+++ config.toml\n");
    for line in &a[head..a.len() - tail] {
        out.push_str(&format!("-{line}\n"));
    }
    for line in &b[head..b.len() - tail] {
        out.push_str(&format!("+{line}\n"));
    }
    out
}

// ------------------------------------------------------------------ journal

/// The files a doctor run may change and `undo` restores: clawdoc's own,
/// and the target's config (OpenClaw's `openclaw.json`, changed through its
/// CLI). Pid and lock files are not among them: they are only ever removed
/// when provably stale, and putting a stale pid file back would help no one.
fn journaled_files(home: &Home, target: &Target) -> Vec<PathBuf> {
    let mut files = vec![
        home.config_path(),
        home.devices_path(),
        home.identity_path(),
    ];
    let config = target.facts().config_path(home);
    if !files.contains(&config) {
        files.push(config);
    }
    files
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub run_id: String,
    pub started_at: String,
    pub files: Vec<Snapshot>,
    pub applied: Vec<JournalEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub path: PathBuf,
    /// File name of the copy inside the run's journal directory; `None` when
    /// the file did not exist before the run.
    pub copy: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JournalEntry {
    pub rule_id: String,
    pub action: FixAction,
    /// In English, as JSON says it.
    pub summary: String,
    /// The same as data, so `undo` can say it in the reader's language
    /// (journals written before it was kept have only `summary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<StoredMessage>,
}

/// The undo journal of one doctor run: `journal/<run-id>/` holding copies of
/// the journaled files as they were before the run (mode 0600, dir 0700: the
/// config holds the token) and `manifest.json`.
pub struct Journal {
    dir: PathBuf,
    manifest: Manifest,
}

impl Journal {
    /// Snapshots the journaled files. Called once, before the first fix.
    pub fn begin(home: &Home, target: &Target) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let now = time::OffsetDateTime::now_utc();
        let run_id = format!("{}-{:09}", now.unix_timestamp(), now.nanosecond());
        let root = home.journal_dir();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&root)?;
        let dir = root.join(&run_id);
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        let mut files = Vec::new();
        for path in journaled_files(home, target) {
            let copy = match std::fs::read(&path) {
                Ok(bytes) => {
                    let mut name = path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    // Two journaled files of the same name (both `config…`).
                    if files
                        .iter()
                        .any(|f: &Snapshot| f.copy.as_ref() == Some(&name))
                    {
                        name = format!("target-{name}");
                    }
                    crate::fsutil::write_atomic(&dir.join(&name), &bytes, 0o600)?;
                    Some(name)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            files.push(Snapshot { path, copy });
        }
        let journal = Self {
            dir,
            manifest: Manifest {
                run_id,
                started_at: now
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                files,
                applied: Vec::new(),
            },
        };
        journal.save()?;
        Ok(journal)
    }

    pub fn record(&mut self, rule_id: &str, applied: &Applied) -> std::io::Result<()> {
        self.manifest.applied.push(JournalEntry {
            rule_id: rule_id.to_string(),
            action: applied.action,
            summary: applied.summary.clone(),
            message: Some((&applied.message).into()),
        });
        self.save()
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn save(&self) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(std::io::Error::other)?;
        crate::fsutil::write_atomic(&self.dir.join("manifest.json"), &json, 0o600)
    }
}

/// What `undo` did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UndoReport {
    pub run_id: String,
    pub restored: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    /// Actions of that run that undo does not reverse (process changes),
    /// in English.
    #[serde(serialize_with = "english_only")]
    #[schemars(with = "Vec<String>")]
    pub not_reverted: Vec<NotReverted>,
}

/// A journaled action `undo` does not reverse: its English (what JSON
/// says), and the message the journal kept for the reader's language
/// (`None` from a journal that kept only the English).
#[derive(Debug, Clone)]
pub struct NotReverted {
    pub english: String,
    pub message: Option<StoredMessage>,
}

fn english_only<S: serde::Serializer>(list: &[NotReverted], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list.iter().map(|n| &n.english))
}

#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("nothing to undo: no doctor run with applied fixes is journaled in {0}")]
    NothingToUndo(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: corrupt journal manifest: {message}")]
    Corrupt { path: PathBuf, message: String },
}

/// Restores the files of the most recent journaled run that applied fixes,
/// then marks that run undone (renamed `<run-id>.undone`) so a second undo
/// goes one run further back. `target`: the gateway whose config may be
/// restored besides clawdoc's own files.
pub fn undo(home: &Home, target: &Target) -> Result<UndoReport, UndoError> {
    let root = home.journal_dir();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UndoError::Io { path, source }
    };
    let mut runs: Vec<PathBuf> = match std::fs::read_dir(&root) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir() && p.extension().is_none())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io(&root)(e)),
    };
    runs.sort();
    while let Some(dir) = runs.pop() {
        let manifest_path = dir.join("manifest.json");
        let bytes = std::fs::read(&manifest_path).map_err(io(&manifest_path))?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| UndoError::Corrupt {
                path: manifest_path.clone(),
                message: e.to_string(),
            })?;
        if manifest.applied.is_empty() {
            continue;
        }
        let mut report = UndoReport {
            run_id: manifest.run_id.clone(),
            restored: Vec::new(),
            removed: Vec::new(),
            unchanged: Vec::new(),
            not_reverted: Vec::new(),
        };
        let allowed = journaled_files(home, target);
        for snap in &manifest.files {
            // The manifest is a file on disk: restore only the files a doctor
            // run journals, never a path it was edited to name.
            if !allowed.contains(&snap.path)
                || snap
                    .copy
                    .as_deref()
                    .is_some_and(|c| c.contains('/') || c == ".." || c == ".")
            {
                return Err(UndoError::Corrupt {
                    path: manifest_path.clone(),
                    message: format!(
                        "it names {}, which is not a file clawdoc journals",
                        snap.path.display()
                    ),
                });
            }
            let current = std::fs::read(&snap.path).ok();
            match &snap.copy {
                Some(name) => {
                    let copy_path = dir.join(name);
                    let before = std::fs::read(&copy_path).map_err(io(&copy_path))?;
                    if current.as_deref() == Some(&before[..]) {
                        report.unchanged.push(snap.path.clone());
                    } else {
                        if current.is_some() {
                            crate::fsutil::backup_ring(&snap.path).map_err(io(&snap.path))?;
                        }
                        crate::fsutil::write_atomic(&snap.path, &before, 0o600)
                            .map_err(io(&snap.path))?;
                        report.restored.push(snap.path.clone());
                    }
                }
                None => {
                    if current.is_some() {
                        crate::fsutil::backup_ring(&snap.path).map_err(io(&snap.path))?;
                        std::fs::remove_file(&snap.path).map_err(io(&snap.path))?;
                        report.removed.push(snap.path.clone());
                    } else {
                        report.unchanged.push(snap.path.clone());
                    }
                }
            }
        }
        for entry in &manifest.applied {
            if !changes_config(entry.action) {
                report.not_reverted.push(NotReverted {
                    english: entry.summary.clone(),
                    message: entry.message.clone(),
                });
            }
        }
        let mut done_name = dir.file_name().unwrap_or_default().to_os_string();
        done_name.push(".undone");
        std::fs::rename(&dir, dir.with_file_name(done_name)).map_err(io(&dir))?;
        return Ok(report);
    }
    Err(UndoError::NothingToUndo(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_from_before_messages_were_kept_still_reads() {
        let old = r#"{"run_id":"1-000000001","started_at":"x","files":[],
            "applied":[{"rule_id":"r","action":"start_gateway","summary":"started"}]}"#;
        let m: Manifest = serde_json::from_str(old).unwrap();
        assert_eq!(m.applied[0].summary, "started");
        assert_eq!(m.applied[0].message, None);
    }

    #[test]
    fn diff_redacts_tokens_and_shows_change() {
        let old = "[gateway]\nport = 3001\ntoken = \"abcdefabcdefabcdef\"\n";
        let new = "[gateway]\nmode = \"local\"\nport = 3001\ntoken = \"abcdefabcdefabcdef\"\n";
        let d = redacted_diff(old, new);
        assert!(d.contains("+mode = \"local\""), "{d}");
        assert!(!d.contains("abcdef"), "{d}");
        assert!(!d.lines().any(|l| l.starts_with("-[gateway]")));
    }

    #[test]
    fn phases_put_config_before_start() {
        assert!(phase(FixAction::SetModeLocal) < phase(FixAction::StartGateway));
        assert!(phase(FixAction::RemoveStalePid) < phase(FixAction::StartGateway));
        assert!(phase(FixAction::StartGateway) < phase(FixAction::PinTokenAndRepair));
    }

    #[test]
    fn journal_undo_restores_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        std::fs::write(home.config_path(), "# mine\n[gateway]\n").unwrap();
        let mut j = Journal::begin(&home, &Target::embedded()).unwrap();
        std::fs::write(home.config_path(), "changed").unwrap();
        std::fs::write(home.identity_path(), "{}").unwrap();
        j.record(
            "mode-unset",
            &Applied::new(FixAction::SetModeLocal, msg!("fix-paired")),
        )
        .unwrap();
        let r = undo(&home, &Target::embedded()).unwrap();
        assert_eq!(
            std::fs::read_to_string(home.config_path()).unwrap(),
            "# mine\n[gateway]\n"
        );
        assert!(!home.identity_path().exists());
        assert_eq!(r.restored.len(), 1);
        assert_eq!(r.removed.len(), 1);
        assert!(matches!(
            undo(&home, &Target::embedded()),
            Err(UndoError::NothingToUndo(_))
        ));
    }

    #[test]
    fn journal_undo_restores_the_openclaw_config() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("clawdoc"));
        std::fs::create_dir_all(home.root()).unwrap();
        let state = dir.path().join("oc");
        std::fs::create_dir_all(&state).unwrap();
        let config = state.join("openclaw.json");
        let before = "// mine\n{ gateway: { port: 18999 } }\n";
        std::fs::write(&config, before).unwrap();
        let env: std::collections::BTreeMap<String, String> = [(
            "OPENCLAW_STATE_DIR".to_string(),
            state.display().to_string(),
        )]
        .into();
        let target = Target::choose_in(
            Some(crate::target::TargetKind::OpenClaw),
            &env,
            &ProcRoot::default(),
        );
        let mut j = Journal::begin(&home, &target).unwrap();
        // What `openclaw config set gateway.mode local` leaves.
        let after = "{\n  \"gateway\": {\n    \"port\": 18999,\n    \"mode\": \"local\"\n  }\n}\n";
        std::fs::write(&config, after).unwrap();
        j.record(
            "mode-unset",
            &Applied::new(
                FixAction::SetModeLocal,
                msg!(
                    "fix-oc-command",
                    command = "openclaw config set gateway.mode local"
                ),
            ),
        )
        .unwrap();
        // The embedded target does not restore another target's file.
        assert!(matches!(
            undo(&home, &Target::embedded()),
            Err(UndoError::Corrupt { .. })
        ));
        let r = undo(&home, &target).unwrap();
        assert_eq!(r.restored, vec![config.clone()]);
        assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
        // The fixed version is kept in the backup ring, not lost.
        assert_eq!(
            std::fs::read_to_string(state.join("openclaw.json.bak.1")).unwrap(),
            after
        );
    }

    #[test]
    fn undo_refuses_a_manifest_naming_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("home"));
        std::fs::create_dir_all(home.root()).unwrap();
        std::fs::write(home.config_path(), "[gateway]\n").unwrap();
        let mut j = Journal::begin(&home, &Target::embedded()).unwrap();
        j.record(
            "x",
            &Applied::new(FixAction::SetModeLocal, msg!("fix-paired")),
        )
        .unwrap();
        let manifest = j.dir().join("manifest.json");
        let outside = dir.path().join("victim");
        std::fs::write(&outside, "keep").unwrap();
        let text = std::fs::read_to_string(&manifest).unwrap().replace(
            &home.config_path().display().to_string(),
            &outside.display().to_string(),
        );
        std::fs::write(&manifest, text).unwrap();
        assert!(matches!(
            undo(&home, &Target::embedded()),
            Err(UndoError::Corrupt { .. })
        ));
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    }
}
