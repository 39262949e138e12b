//! Where clawdoc keeps its state: `$CLAWDOC_HOME` (default `~/.clawdoc`).
//!
//! Owns the layout of the state directory and nothing else: every other module
//! asks a [`Home`] for a path instead of joining strings itself, so tests can
//! point the whole program at a temporary directory.

use std::path::{Path, PathBuf};

/// Environment variable that moves the whole state directory.
pub(crate) const HOME_ENV: &str = "CLAWDOC_HOME";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// `$CLAWDOC_HOME`, else `$HOME/.clawdoc`, else `./.clawdoc`.
    pub fn from_env() -> Self {
        if let Some(dir) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Self::new(dir);
        }
        let base = std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::new(base.join(".clawdoc"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The gateway configuration (TOML, mode 0600).
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    /// Pid and process start time of the running gateway.
    pub(crate) fn pid_path(&self) -> PathBuf {
        self.root.join("gateway.pid")
    }
    /// Held with an OS file lock while a gateway runs.
    pub(crate) fn lock_path(&self) -> PathBuf {
        self.root.join("gateway.lock")
    }
    pub(crate) fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn log_path(&self) -> PathBuf {
        self.log_dir().join("gateway.log")
    }
    /// Devices paired with the gateway (gateway side, mode 0600).
    pub fn devices_path(&self) -> PathBuf {
        self.root.join("devices.json")
    }
    /// This CLI's own device identity (client side, mode 0600).
    pub(crate) fn identity_path(&self) -> PathBuf {
        self.root.join("identity.json")
    }
    /// Held (flock) by a `doctor --fix` run so two runs on one home take turns.
    pub(crate) fn doctor_lock_path(&self) -> PathBuf {
        self.root.join("doctor.lock")
    }
    /// Journal of applied fixes, with backups, for `clawdoc undo`.
    pub(crate) fn journal_dir(&self) -> PathBuf {
        self.root.join("journal")
    }
}
