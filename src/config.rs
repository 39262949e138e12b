//! The gateway configuration: `$CLAWDOC_HOME/config.toml`.
//!
//! Owns the schema (known keys, deprecated keys and their replacements),
//! loading with file:line:col positions for every problem, and the
//! environment overrides. Editing that keeps comments (`config set`) lives in
//! [`edit`]. Nothing here talks to the terminal.
//!
//! ```toml
//! [gateway]
//! mode = "local"          # local | remote | hybrid
//! port = 3001
//! token = "…"             # pinned: paired devices survive restarts
//! startupTimeout = 60     # seconds
//! [ai]
//! model = "…"
//! ```

use crate::text::line_col;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::home::Home;

pub mod edit;

pub const DEFAULT_PORT: u16 = 3001;
pub(crate) const DEFAULT_STARTUP_TIMEOUT_SECS: u64 = 60;
pub(crate) const ENV_MODE: &str = "CLAWDOC_GATEWAY_MODE";
pub(crate) const ENV_PORT: &str = "CLAWDOC_GATEWAY_PORT";
pub(crate) const ENV_TOKEN: &str = "CLAWDOC_GATEWAY_TOKEN";

/// Every key the gateway understands, dotted.
pub const KNOWN_KEYS: &[&str] = &[
    "gateway.mode",
    "gateway.port",
    "gateway.token",
    "gateway.startupTimeout",
    "gateway.allowedOrigins",
    "ai.model",
];

/// Keys older guides use, and where they moved.
pub(crate) const DEPRECATED_KEYS: &[(&str, &str)] = &[
    ("model", "ai.model"),
    ("port", "gateway.port"),
    ("mode", "gateway.mode"),
    ("token", "gateway.token"),
    ("startupTimeout", "gateway.startupTimeout"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Bind 127.0.0.1 only.
    Local,
    /// Bind all interfaces.
    Remote,
    /// Bind all interfaces; the local CLI is still trusted over loopback.
    Hybrid,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Local => "local",
            Mode::Remote => "remote",
            Mode::Hybrid => "hybrid",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "local" => Some(Mode::Local),
            "remote" => Some(Mode::Remote),
            "hybrid" => Some(Mode::Hybrid),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret string (a token). `Debug` and `Display` never show it; compare
/// with [`Secret::ct_eq`], which takes the same time wherever they differ.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The raw value: only for deriving keys and writing the config file.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub(crate) fn ct_eq(&self, other: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }
    /// A fresh random token (32 bytes, hex).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        Self(hex::encode(bytes))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}
impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Serde for `Option<Secret>` (`#[serde(with = "crate::config::opt_secret")]`):
/// the raw value on the wire or on disk, redacted in `Debug`/`Display`.
pub(crate) mod opt_secret {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Secret;

    pub(crate) fn serialize<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secret) => s.serialize_some(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Secret::new))
    }
}

/// The effective configuration (file, then environment overrides).
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayConfig {
    pub mode: Option<Mode>,
    pub port: u16,
    pub token: Option<Secret>,
    pub startup_timeout: Duration,
    /// Browser origins (`scheme://host[:port]`) whose pages may open the
    /// gateway's WebSocket; any other `Origin` is refused.
    pub allowed_origins: Vec<String>,
    pub ai_model: Option<String>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            mode: None,
            port: DEFAULT_PORT,
            token: None,
            startup_timeout: Duration::from_secs(DEFAULT_STARTUP_TIMEOUT_SECS),
            allowed_origins: Vec::new(),
            ai_model: None,
        }
    }
}

/// One thing wrong in a config file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    #[serde(flatten)]
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    UnknownKey { key: String },
    DeprecatedKey { key: String, replacement: String },
    BadValue { key: String },
}

impl Problem {
    pub fn key(&self) -> &str {
        match &self.kind {
            ProblemKind::UnknownKey { key }
            | ProblemKind::DeprecatedKey { key, .. }
            | ProblemKind::BadValue { key } => key,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("Missing config. Run `clawdoc setup` or set gateway.mode=local ({} does not exist)", path.display())]
    Missing { path: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{col}: invalid TOML: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
}

/// A loaded config file: the effective values and every problem found.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub config: GatewayConfig,
    pub problems: Vec<Problem>,
}

impl Loaded {}

/// Loads `$CLAWDOC_HOME/config.toml` with the process environment's overrides.
pub fn load(home: &Home) -> Result<Loaded, LoadError> {
    load_with_env(&home.config_path(), &|k| std::env::var(k).ok())
}

/// Loads a config file, applying overrides from `env` (injectable for tests).
pub fn load_with_env(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, LoadError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::Missing {
                path: path.to_path_buf(),
            })
        }
        Err(source) => {
            return Err(LoadError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let (line, col) = line_col(&lossy, offset);
            return Err(LoadError::Syntax {
                path: path.to_path_buf(),
                line,
                col,
                message: "the file is not valid UTF-8 (corrupt or binary)".into(),
            });
        }
    };
    let mut loaded = parse(path, &text)?;
    apply_env(&mut loaded, env);
    Ok(loaded)
}

/// Parses config text (no environment). Syntax errors are fatal; unknown,
/// deprecated and bad values are collected as [`Problem`]s.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Loaded, LoadError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        LoadError::Syntax {
            path: path.to_path_buf(),
            line,
            col,
            message: e.message().trim().to_string(),
        }
    })?;
    let mut config = GatewayConfig::default();
    let mut problems = Vec::new();
    let mut leaves = Vec::new();
    collect_leaves(doc.as_table(), "", &mut leaves);
    for (key, item) in leaves {
        let (line, col) = item
            .span()
            .map(|s| line_col(text, s.start))
            .unwrap_or((1, 1));
        let mut problem = |kind: ProblemKind, message: String| {
            problems.push(Problem {
                line,
                col,
                kind,
                message,
            })
        };
        if let Some((_, to)) = DEPRECATED_KEYS.iter().find(|(from, _)| *from == key) {
            problem(
                ProblemKind::DeprecatedKey {
                    key: key.clone(),
                    replacement: (*to).to_string(),
                },
                format!("deprecated config key \"{key}\": use \"{to}\""),
            );
            continue;
        }
        if !KNOWN_KEYS.contains(&key.as_str()) {
            problem(
                ProblemKind::UnknownKey { key: key.clone() },
                format!("unknown config key: \"{key}\""),
            );
            continue;
        }
        if let Err(why) = apply_value(&mut config, &key, item) {
            problem(ProblemKind::BadValue { key: key.clone() }, why.to_string());
        }
    }
    Ok(Loaded {
        path: path.to_path_buf(),
        config,
        problems,
    })
}

/// Every leaf value with its dotted key. Standard, dotted and inline tables
/// all count as tables (`gateway = { mode = "local" }` sets `gateway.mode`).
fn collect_leaves<'a>(
    table: &'a dyn toml_edit::TableLike,
    prefix: &str,
    out: &mut Vec<(String, &'a toml_edit::Item)>,
) {
    for (k, item) in table.iter() {
        let key = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        match item.as_table_like() {
            Some(t) => collect_leaves(t, &key, out),
            None => out.push((key, item)),
        }
    }
}

/// Why a value cannot be used for a config key (or its environment
/// override). The message is the user-facing reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("gateway.mode must be local, remote or hybrid, found \"{0}\"")]
    Mode(String),
    #[error("gateway.port must be an integer from 1 to 65535, found {0}")]
    Port(String),
    #[error("gateway.startupTimeout must be seconds from 1 to 3600, found {0}")]
    Timeout(String),
    #[error(
        "gateway.allowedOrigins entries must look like http://host:port or https://host, found \"{0}\""
    )]
    Origin(String),
    #[error("gateway.token must be at least 16 characters without spaces")]
    Token,
    /// Never echoes the value: it may be a secret.
    #[error("gateway.token must be a string")]
    TokenType,
    #[error("{key} must be {expected}, found {found}")]
    WrongType {
        key: &'static str,
        expected: &'static str,
        found: String,
    },
}

/// Checks and stores one known key (the caller has checked it is known).
fn apply_value(
    config: &mut GatewayConfig,
    key: &str,
    item: &toml_edit::Item,
) -> Result<(), ValueError> {
    let as_text = |item: &toml_edit::Item| -> String {
        item.as_value()
            .map(|v| v.to_string().trim().to_string())
            .unwrap_or_else(|| "a table".into())
    };
    let wrong = |key: &'static str, expected: &'static str| ValueError::WrongType {
        key,
        expected,
        found: as_text(item),
    };
    match key {
        "gateway.mode" => {
            let s = item
                .as_str()
                .ok_or_else(|| wrong("gateway.mode", "a string"))?;
            config.mode = Some(check_mode(s)?);
        }
        "gateway.port" => {
            let n = item
                .as_integer()
                .ok_or_else(|| wrong("gateway.port", "an integer"))?;
            config.port = check_port(&n.to_string())?;
        }
        "gateway.token" => {
            let s = item.as_str().ok_or(ValueError::TokenType)?;
            config.token = Some(check_token(s)?);
        }
        "gateway.startupTimeout" => {
            let n = item
                .as_integer()
                .ok_or_else(|| wrong("gateway.startupTimeout", "an integer (seconds)"))?;
            config.startup_timeout = check_timeout(&n.to_string())?;
        }
        "gateway.allowedOrigins" => {
            let s = item.as_str().ok_or_else(|| {
                wrong(
                    "gateway.allowedOrigins",
                    "a string (comma-separated origins)",
                )
            })?;
            config.allowed_origins = check_origins(s)?;
        }
        "ai.model" => {
            let s = item.as_str().ok_or_else(|| wrong("ai.model", "a string"))?;
            config.ai_model = Some(s.to_string());
        }
        // Unknown keys are reported before a value is applied.
        _ => {}
    }
    Ok(())
}

/// The port a loaded config (or its failure) means: the file's port with
/// the environment applied, or, when the file cannot be loaded, the
/// `CLAWDOC_GATEWAY_PORT` override, else the default. Every caller that must
/// find the gateway without a usable config agrees through this.
pub(crate) fn port_of(
    loaded: Result<&Loaded, &LoadError>,
    env: &dyn Fn(&str) -> Option<String>,
) -> u16 {
    match loaded {
        Ok(l) => l.config.port,
        Err(_) => env(ENV_PORT)
            .and_then(|v| check_port(&v).ok())
            .unwrap_or(DEFAULT_PORT),
    }
}

/// [`port_of`] for `$CLAWDOC_HOME/config.toml` and the process environment.
pub(crate) fn effective_port(home: &Home) -> u16 {
    port_of(load(home).as_ref(), &|k| std::env::var(k).ok())
}

pub fn check_mode(s: &str) -> Result<Mode, ValueError> {
    Mode::parse(s).ok_or_else(|| ValueError::Mode(s.to_string()))
}

pub fn check_port(s: &str) -> Result<u16, ValueError> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(ValueError::Port(s.to_string())),
    }
}

pub(crate) fn check_timeout(s: &str) -> Result<Duration, ValueError> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=3600).contains(&n) => Ok(Duration::from_secs(n)),
        _ => Err(ValueError::Timeout(s.to_string())),
    }
}

/// `gateway.allowedOrigins`: comma-separated `http(s)://host[:port]`
/// origins, exactly as a browser sends them (no path, no trailing slash).
pub(crate) fn check_origins(s: &str) -> Result<Vec<String>, ValueError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let rest = part
            .strip_prefix("http://")
            .or_else(|| part.strip_prefix("https://"));
        let ok = rest.is_some_and(|host| {
            !host.is_empty()
                && host.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        });
        if !ok {
            return Err(ValueError::Origin(part.to_string()));
        }
        out.push(part.to_ascii_lowercase());
    }
    Ok(out)
}

pub(crate) fn check_token(s: &str) -> Result<Secret, ValueError> {
    if s.len() < 16 || s.chars().any(char::is_whitespace) {
        return Err(ValueError::Token);
    }
    Ok(Secret::new(s))
}

fn apply_env(loaded: &mut Loaded, env: &dyn Fn(&str) -> Option<String>) {
    let c = &mut loaded.config;
    if let Some(m) = env(ENV_MODE)
        .filter(|v| !v.is_empty())
        .and_then(|v| Mode::parse(&v))
    {
        c.mode = Some(m);
    }
    if let Some(p) = env(ENV_PORT).and_then(|v| check_port(&v).ok()) {
        c.port = p;
    }
    if let Some(t) = env(ENV_TOKEN).and_then(|v| check_token(&v).ok()) {
        c.token = Some(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Loaded {
        parse(Path::new("config.toml"), text).unwrap()
    }

    #[test]
    fn known_unknown_deprecated() {
        let l = p("# mine\nmodel = \"x\"\n[gateway]\nmode = \"local\"\nport = 4000\nfoo = 1\n");
        assert_eq!(l.config.mode, Some(Mode::Local));
        assert_eq!(l.config.port, 4000);
        assert_eq!(l.problems.len(), 2);
        assert_eq!(l.problems[0].line, 2);
        assert!(
            matches!(&l.problems[0].kind, ProblemKind::DeprecatedKey { replacement, .. } if replacement == "ai.model")
        );
        assert_eq!((l.problems[1].line, l.problems[1].col), (6, 7));
        assert_eq!(l.problems[1].key(), "gateway.foo");
    }

    #[test]
    fn inline_tables_are_tables() {
        let l = p("gateway = { mode = \"local\", port = 4001 }\n");
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.config.mode, Some(Mode::Local));
        assert_eq!(l.config.port, 4001);
    }

    #[test]
    fn bad_values_and_syntax() {
        let l = p("[gateway]\nport = 70000\nmode = \"lan\"\n");
        assert_eq!(l.problems.len(), 2);
        assert_eq!(l.config.port, DEFAULT_PORT);
        let e = parse(Path::new("c.toml"), "[gateway\nmode=1")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:1:"), "{e}");
    }

    #[test]
    fn env_overrides_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[gateway]\nmode = \"remote\"\nport = 4000\n").unwrap();
        let env = |k: &str| match k {
            ENV_MODE => Some("local".to_string()),
            ENV_PORT => Some("4100".to_string()),
            _ => None,
        };
        let l = load_with_env(&path, &env).unwrap();
        assert_eq!(l.config.mode, Some(Mode::Local));
        assert_eq!(l.config.port, 4100);
    }

    #[test]
    fn secret_never_displays() {
        let s = Secret::generate();
        assert!(!format!("{s} {s:?}").contains(s.expose()));
        assert!(s.ct_eq(s.expose()));
        assert!(!s.ct_eq("nope"));
    }
}
