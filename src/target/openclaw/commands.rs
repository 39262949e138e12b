//! The commands each fix action maps to on an OpenClaw install: what the
//! doctor shows with a finding, and what `fix::openclaw` runs (through the
//! `openclaw` CLI where it has a command). Text only; nothing runs here.

use std::path::PathBuf;

use super::OpenClaw;
use crate::vocab::{Category, FixAction};

/// The `openclaw.json` settings a fresh config gets: local mode and a
/// persisted token (a runtime token changes at every start).
pub(crate) const DEFAULT_SETTINGS: &[(&str, &str)] = &[
    ("gateway.mode", "local"),
    ("gateway.auth.mode", "token"),
    ("gateway.auth.token", "<new random token>"),
];
pub(crate) const TOKEN_SETTINGS: &[(&str, &str)] = &[
    ("gateway.auth.mode", "token"),
    ("gateway.auth.token", "<new random token>"),
];

pub(crate) fn batch_command(settings: &[(&str, &str)]) -> String {
    let shown: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "openclaw config set --batch-file <0600 file: {}>",
        shown.join(", ")
    )
}

/// Is a service manager set up for the gateway (a systemd user unit)?
pub(crate) fn service_unit(t: &OpenClaw) -> Option<PathBuf> {
    let dir = t.home.join(".config/systemd/user");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("openclaw-gateway") && n.ends_with(".service"))
        })
}

/// Where a gateway clawdoc starts writes its console.
pub(crate) fn run_log(t: &OpenClaw) -> PathBuf {
    t.state_dir.join("logs").join("clawdoc-gateway-run.log")
}

pub(crate) fn start_command(t: &OpenClaw) -> String {
    if service_unit(t).is_some() {
        "openclaw gateway start".into()
    } else {
        format!(
            "openclaw gateway run >> {} 2>&1 &   # no service manager: detached",
            run_log(t).display()
        )
    }
}

/// The exact commands for `action` (shown with findings and in the plan).
pub(crate) fn commands(t: &OpenClaw, action: FixAction, category: Category) -> Vec<String> {
    use FixAction::*;
    let config = t.config_path.display();
    let state = t.state_dir.display();
    match action {
        WriteDefaultConfig => vec![batch_command(DEFAULT_SETTINGS)],
        SetModeLocal => vec!["openclaw config set gateway.mode local".into()],
        QuarantineCorruptConfig => vec![
            format!("mv {config} {config}.clawdoc-corrupt.<time>"),
            batch_command(DEFAULT_SETTINGS),
        ],
        MoveToFreePort => vec!["openclaw config set gateway.port <free-port>".into()],
        PinTokenAndRepair => vec![batch_command(TOKEN_SETTINGS), restart_command(t)],
        StartGateway => vec![start_command(t), "curl -s http://127.0.0.1:{port}/readyz".into()],
        RestartGateway => vec![restart_command(t)],
        ForceStopGateway => vec!["kill -KILL <pid of openclaw-gateway from its lock file>".into()],
        RemoveStaleLock | RemoveStalePid => vec![format!(
            "rm {}/gateway.*.lock {state}/agents/*/sessions/*.jsonl.lock   # only those whose pid is gone",
            t.lock_dir().display()
        )],
        RaiseStartupTimeout | ApproveCliDevice | MigrateDeprecatedKeys | RebuildDeviceStore
        | Advice => advice(t, category),
    }
}

pub(crate) fn restart_command(t: &OpenClaw) -> String {
    if service_unit(t).is_some() {
        "openclaw gateway restart".into()
    } else {
        format!(
            "kill -TERM <gateway pid from its lock file>; {}",
            start_command(t)
        )
    }
}

fn advice(t: &OpenClaw, category: Category) -> Vec<String> {
    use Category::*;
    let log = t.log_path();
    let log = log.display();
    let state = t.state_dir.display();
    match category {
        MissingConfig | ModeUnset => vec![
            "openclaw config set gateway.mode local".into(),
            "openclaw onboard --mode local".into(),
        ],
        InvalidConfig => vec![
            "openclaw config validate".into(),
            "openclaw doctor --fix --non-interactive".into(),
        ],
        PortInUse => vec![
            "ss -ltnp 'sport = :{port}'".into(),
            "openclaw config set gateway.port <free-port>".into(),
        ],
        NotConnected | NotReady | RestartTimeout => vec![
            "openclaw gateway status".into(),
            format!("tail -n 100 {log}"),
        ],
        TokenMismatch | Auth | Pairing => vec![
            "openclaw config set gateway.auth.token <a long random string>".into(),
            "openclaw gateway restart".into(),
            "openclaw devices list".into(),
        ],
        Oom => vec![
            "free -h".into(),
            "NODE_OPTIONS=--max-old-space-size=4096 openclaw gateway run".into(),
        ],
        Disk | Permissions => vec![
            format!("df -h {state} {}", t.log_dir().display()),
            format!("ls -ld {state} {}", t.log_dir().display()),
        ],
        StalePid => vec!["openclaw gateway status --deep".into()],
        WebLoginProvider => vec!["openclaw channels list".into()],
    }
}
