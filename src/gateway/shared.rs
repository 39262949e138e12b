//! What a running gateway's connections share: the settings startup decided
//! and the live flags. `server` builds it; `http` and `ws` read it, so
//! neither names the server.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::watch;

use super::logfile::Logger;
use crate::config::{Mode, Secret};
use crate::home::Home;

/// Everything a running gateway's connections share.
pub(crate) struct Shared {
    pub home: Home,
    pub log: Arc<Logger>,
    pub mode: Mode,
    pub port: u16,
    pub token: Secret,
    pub token_pinned: bool,
    /// Unknown or deprecated keys found at start; non-empty = invalid config.
    pub config_problems: Vec<String>,
    /// `DISPLAY` or `WAYLAND_DISPLAY` set in the gateway's environment.
    pub has_display: bool,
    pub started: Instant,
    pub ready: AtomicBool,
    pub stopping: AtomicBool,
    pub shutdown: watch::Receiver<bool>,
    /// Login sessions handed out by `login` (session id → provider).
    pub login_sessions: Mutex<HashMap<String, String>>,
    /// `gateway.allowedOrigins`: browser origins allowed to open the WebSocket.
    pub allowed_origins: Vec<String>,
    /// Connections not authenticated yet (bounded, oldest evicted).
    pub preauth: Arc<super::preauth::PreAuth>,
    /// Failed device-token attempts per peer (token bucket).
    pub auth_limit: super::authlimit::AuthLimiter,
}

impl Shared {
    pub(crate) fn config_valid(&self) -> bool {
        self.config_problems.is_empty()
    }
}
