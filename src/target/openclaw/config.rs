//! Reading `openclaw.json` (JSON5) the way the gateway would: parse errors at
//! line:col, the settings clawdoc needs, keys the strict schema would refuse,
//! and the file mode. Read-only.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Top-level keys of the 2026.9.6 schema (`OpenClawConfig`); the schema is
/// strict, so any other key refuses start ("Unrecognized key").
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "$schema",
    "audit",
    "meta",
    "auth",
    "accessGroups",
    "acp",
    "env",
    "wizard",
    "diagnostics",
    "logging",
    "security",
    "update",
    "telemetry",
    "browser",
    "ui",
    "secrets",
    "skills",
    "plugins",
    "surfaces",
    "models",
    "nodeHost",
    "agents",
    "worktreeRoot",
    "worktreeAcceleration",
    "tools",
    "bindings",
    "broadcast",
    "attachments",
    "messages",
    "tts",
    "commands",
    "approvals",
    "session",
    "channels",
    "cron",
    "transcripts",
    "hooks",
    "discovery",
    "talk",
    "gateway",
    "cloudWorkers",
    "desktop",
    "memory",
    "mcp",
    "proxy",
];

/// Keys of `gateway` in the same schema.
pub(crate) const GATEWAY_KEYS: &[&str] = &[
    "port",
    "mode",
    "bind",
    "customBindHost",
    "publicOrigin",
    "portals",
    "controlUi",
    "cliAgents",
    "terminal",
    "auth",
    "roles",
    "trustedProxies",
    "allowRealIpFallback",
    "tools",
    "tailscale",
    "remote",
    "reload",
    "tls",
    "http",
    "push",
    "nodes",
];

const MODES: &[&str] = &["local", "remote"];
const BINDS: &[&str] = &["loopback", "lan", "tailnet", "auto", "custom"];
const AUTH_MODES: &[&str] = &["none", "token", "password", "trusted-proxy"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LoadError {
    Missing(PathBuf),
    Unreadable(PathBuf, String),
    /// Not JSON5: the message and the 1-based line:col.
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(p) => write!(f, "no config file at {}", p.display()),
            Self::Unreadable(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            Self::Syntax {
                path,
                line,
                col,
                message,
            } => write!(
                f,
                "{}:{line}:{col}: JSON5 parse failed: {message}",
                path.display()
            ),
        }
    }
}

/// A problem with a parsed config, at its line:col.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub key: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub unknown: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub path: PathBuf,
    pub mode: Option<String>,
    pub port: Option<u16>,
    pub auth_mode: Option<String>,
    pub token_set: bool,
    /// `gateway.auth.token` when it is a plain string (never printed).
    pub token: Option<crate::config::Secret>,
    pub log_file: Option<PathBuf>,
    /// Permission bits of the file (0600 expected).
    pub file_mode: u32,
    pub problems: Vec<Problem>,
}

impl Loaded {
    /// Does the gateway start with a token it did not make up itself? Auth
    /// `none`/`password`/`trusted-proxy` need no token.
    pub(crate) fn token_pinned(&self) -> bool {
        self.token_set || matches!(self.auth_mode.as_deref(), Some(m) if m != "token")
    }
}

pub(crate) fn load(path: &Path) -> Result<Loaded, LoadError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::Missing(path.to_path_buf()))
        }
        Err(e) => return Err(LoadError::Unreadable(path.to_path_buf(), e.to_string())),
    };
    let file_mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&bytes);
    parse(path, &text, file_mode)
}

/// Parses config text; pure.
pub(crate) fn parse(path: &Path, text: &str, file_mode: u32) -> Result<Loaded, LoadError> {
    let value: Value = json5::from_str(text).map_err(|e| {
        let (line, col) = e
            .position()
            .map(|p| (p.line + 1, p.column + 1))
            .unwrap_or((1, 1));
        let message = e.to_string();
        // The crate appends " at line L column C"; keep the message short.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        LoadError::Syntax {
            path: path.to_path_buf(),
            line,
            col,
            message,
        }
    })?;
    let mut problems = Vec::new();
    let Some(root) = value.as_object() else {
        problems.push(Problem {
            key: "<root>".into(),
            line: 1,
            col: 1,
            message: "the config is not an object".into(),
            unknown: false,
        });
        return Ok(Loaded {
            path: path.to_path_buf(),
            mode: None,
            port: None,
            auth_mode: None,
            token_set: false,
            token: None,
            log_file: None,
            file_mode,
            problems,
        });
    };
    for key in root.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            problems.push(unknown(text, key, key));
        }
    }
    let gateway = root.get("gateway").and_then(Value::as_object);
    if let Some(g) = gateway {
        for key in g.keys() {
            if !GATEWAY_KEYS.contains(&key.as_str()) {
                problems.push(unknown(text, &format!("gateway.{key}"), key));
            }
        }
    }
    let get = |key: &str| gateway.and_then(|g| g.get(key));
    let mut bad = |key: &str, value: &Value, allowed: &str| {
        let (line, col) = locate(text, key.rsplit('.').next().unwrap_or(key));
        problems.push(Problem {
            key: key.to_string(),
            line,
            col,
            message: format!("{key}: {value} is not one of {allowed}"),
            unknown: false,
        });
    };
    let string_in = |v: Option<&Value>, allowed: &[&str]| -> Result<Option<String>, Value> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
            Some(other) => Err(other.clone()),
        }
    };
    let mode = match string_in(get("mode"), MODES) {
        Ok(m) => m,
        Err(v) => {
            bad("gateway.mode", &v, &MODES.join("|"));
            None
        }
    };
    if let Err(v) = string_in(get("bind"), BINDS) {
        bad("gateway.bind", &v, &BINDS.join("|"));
    }
    let port = match get("port") {
        None => None,
        Some(v) => match v
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
        {
            Some(p) => Some(p),
            None => {
                bad("gateway.port", v, "1..65535");
                None
            }
        },
    };
    let auth = get("auth").and_then(Value::as_object);
    let auth_mode = match string_in(auth.and_then(|a| a.get("mode")), AUTH_MODES) {
        Ok(m) => m,
        Err(v) => {
            bad("gateway.auth.mode", &v, &AUTH_MODES.join("|"));
            None
        }
    };
    let token_set = auth
        .and_then(|a| a.get("token"))
        .is_some_and(|t| t.as_str().is_some_and(|s| !s.is_empty()) || t.is_object());
    let token = auth
        .and_then(|a| a.get("token"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(crate::config::Secret::new);
    let log_file = root
        .get("logging")
        .and_then(|l| l.get("file"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    Ok(Loaded {
        path: path.to_path_buf(),
        mode,
        port,
        auth_mode,
        token_set,
        token,
        log_file,
        file_mode,
        problems,
    })
}

fn unknown(text: &str, dotted: &str, key: &str) -> Problem {
    let (line, col) = locate(text, key);
    Problem {
        key: dotted.to_string(),
        line,
        col,
        message: format!("Unrecognized key: \"{dotted}\""),
        unknown: true,
    }
}

/// 1-based line:col of the first member named `key` (`key:`, `"key":` or
/// `'key':`), else 1:1. JSON5 values carry no positions once parsed.
fn locate(text: &str, key: &str) -> (usize, usize) {
    let escaped = regex::escape(key);
    let re = regex::Regex::new(&format!(r#"(?m)(?:^|[{{,\s])(["']?){escaped}(["']?)\s*:"#));
    let Ok(re) = re else { return (1, 1) };
    let Some(m) = re.captures(text).and_then(|c| c.get(1)) else {
        return (1, 1);
    };
    crate::text::line_col(text, m.start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::fixture;

    fn case(name: &str) -> Result<Loaded, LoadError> {
        let path = fixture(&format!("openclaw/{name}/openclaw.json"));
        parse(&path, &std::fs::read_to_string(&path).unwrap(), 0o600)
    }

    #[test]
    fn the_healthy_config_parses_with_its_settings() {
        let l = case("healthy-run").unwrap();
        assert_eq!(l.mode.as_deref(), Some("local"));
        assert_eq!(l.port, Some(18789));
        assert_eq!(l.auth_mode.as_deref(), Some("token"));
        assert!(l.token_set && l.token_pinned());
        assert_eq!(l.log_file, Some(PathBuf::from("{STATE}/logs/openclaw.log")));
        assert!(l.problems.is_empty(), "{:?}", l.problems);
    }

    #[test]
    fn the_real_json5_error_is_at_the_line_col_openclaw_names() {
        // `openclaw config validate`: "invalid character 'b' at 6:5".
        match case("json5-error") {
            Err(LoadError::Syntax { line, col, .. }) => assert_eq!((line, col), (6, 5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mode_unset_and_unknown_key() {
        let l = case("mode-unset").unwrap();
        assert_eq!(l.mode, None);
        let l = case("unknown-key").unwrap();
        let p = &l.problems[0];
        assert_eq!(p.key, "foo");
        assert!(p.unknown);
        assert_eq!((p.line, p.col), (12, 5));
    }

    #[test]
    fn bad_values_and_runtime_token() {
        let p = Path::new("x.json");
        let l = parse(
            p,
            "{gateway: {mode: 'lan', port: 70000, auth: {mode: 'token'}, bogus: 1}}",
            0o644,
        )
        .unwrap();
        let keys: Vec<&str> = l.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["gateway.bogus", "gateway.mode", "gateway.port"]);
        assert!(!l.token_pinned());
        let l = parse(p, "{gateway: {mode: 'local', auth: {mode: 'none'}}}", 0o600).unwrap();
        assert!(l.token_pinned());
        assert!(matches!(
            load(Path::new("/nonexistent/openclaw.json")),
            Err(LoadError::Missing(_))
        ));
    }
}
