//! The foreground gateway (`clawdoc gateway run`): startup checks, lock,
//! bind, pid file, the accept loop and the graceful shutdown.
//!
//! Startup order, each step logged, each failure a non-zero exit with the
//! seed's wording: config (missing / syntax / mode unset / bad values;
//! unknown keys only warn and make every request fail with `Invalid
//! Config`) → token (pinned or random, with a warning) → `gateway.lock` →
//! bind (`Error: listen EADDRINUSE: …`) → `gateway.pid` → `[gateway]
//! listening on :PORT`. HTTP routes live in [`super::http`], the WebSocket
//! session in [`super::ws`].
//!
//! On SIGTERM/SIGINT/SIGHUP: stop accepting, close WebSockets with 1012 `service
//! restart`, let HTTP connections finish (bounded), remove the pid file if
//! it is still ours, release the lock, exit 0.

use crate::text::errno_words;
use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::lock::GatewayLock;
use super::logfile::Logger;
use super::shared::Shared;
use crate::config::{self, LoadError, Mode, ProblemKind, Secret};
use crate::home::Home;
use crate::state::pid::{self as pidfile, PidRecord};

/// How long a starting gateway waits for a stopping one to release the lock.
const LOCK_WAIT: Duration = Duration::from_secs(1);
/// How long shutdown waits for open connections to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// What startup decided, before anything is bound.
struct Settings {
    mode: Mode,
    port: u16,
    token: Secret,
    token_pinned: bool,
    config_problems: Vec<String>,
    allowed_origins: Vec<String>,
}

/// Runs the gateway in the foreground until SIGTERM/SIGINT/SIGHUP. Returns the
/// process exit code: 0 after a clean shutdown, 1 when it could not start
/// (the reason is in the log and on stderr).
pub fn run(home: &Home) -> anyhow::Result<i32> {
    let started = Instant::now();
    let log = Arc::new(Logger::open_or_stderr(&home.log_path()));
    log.info(format_args!(
        "[gateway] starting clawdoc gateway {} (pid {}, home {})",
        env!("CARGO_PKG_VERSION"),
        std::process::id(),
        home.root().display()
    ));
    let env = |k: &str| std::env::var(k).ok();
    let Some(settings) = prepare(home, &log, &env) else {
        return Ok(1);
    };

    // Held by a live gateway: `gateway already running (pid N); lock timeout`.
    let _lock = match GatewayLock::acquire(&home.lock_path(), LOCK_WAIT) {
        Ok(lock) => lock,
        Err(e) => {
            log.error(format_args!("[gateway] {e}"));
            return Ok(1);
        }
    };

    let ip = match settings.mode {
        Mode::Local => Ipv4Addr::LOCALHOST,
        Mode::Remote | Mode::Hybrid => Ipv4Addr::UNSPECIFIED,
    };
    let addr = SocketAddr::from((ip, settings.port));
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            log.error(listen_error(&e, addr));
            return Ok(1);
        }
    };
    listener.set_nonblocking(true)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("gateway")
        .enable_all()
        .build()?;
    let code = runtime.block_on(serve(home, log.clone(), settings, listener, started));
    // Connections still open after the drain are dropped here, not waited on.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(code)
}

/// Loads and checks the config and picks the token. `None`: cannot start
/// (already logged).
fn prepare(home: &Home, log: &Logger, env: &dyn Fn(&str) -> Option<String>) -> Option<Settings> {
    log_env_overrides(log, env);
    let loaded = match config::load_with_env(&home.config_path(), env) {
        Ok(loaded) => loaded,
        Err(e @ LoadError::Missing { .. }) => {
            // An explicit mode in the environment is enough to run.
            let env_mode = env(config::ENV_MODE).and_then(|m| Mode::parse(&m));
            if env_mode.is_none() {
                log.error(e);
                return None;
            }
            log.warn(format_args!(
                "[gateway] no config file at {}; running from defaults and environment overrides",
                home.config_path().display()
            ));
            let mut loaded = config::Loaded {
                path: home.config_path(),
                config: config::GatewayConfig::default(),
                problems: Vec::new(),
            };
            loaded.config.mode = env_mode;
            if let Some(p) = env(config::ENV_PORT).and_then(|p| config::check_port(&p).ok()) {
                loaded.config.port = p;
            }
            if let Some(t) = env(config::ENV_TOKEN).and_then(|t| config::check_token(&t).ok()) {
                loaded.config.token = Some(t);
            }
            loaded
        }
        Err(e) => {
            log.error(format_args!("[gateway] cannot start: {e}"));
            return None;
        }
    };

    let path = loaded.path.display().to_string();
    let mut config_problems = Vec::new();
    let mut bad_values = 0;
    for p in &loaded.problems {
        match &p.kind {
            ProblemKind::UnknownKey { key } => {
                log.warn(format_args!(
                    "unknown config key: \"{key}\" ({path}:{}:{})",
                    p.line, p.col
                ));
                config_problems.push(key.clone());
            }
            ProblemKind::DeprecatedKey { key, replacement } => {
                log.warn(format_args!(
                    "unknown config key: \"{key}\" (deprecated: use \"{replacement}\"; {path}:{}:{})",
                    p.line, p.col
                ));
                config_problems.push(key.clone());
            }
            ProblemKind::BadValue { .. } => {
                log.error(format_args!(
                    "[gateway] {path}:{}:{}: {}",
                    p.line, p.col, p.message
                ));
                bad_values += 1;
            }
        }
    }
    let config = loaded.config;
    let bad_mode = loaded
        .problems
        .iter()
        .any(|p| matches!(&p.kind, ProblemKind::BadValue { key } if key == "gateway.mode"));
    let Some(mode) = config.mode else {
        let current = if bad_mode { "invalid" } else { "unset" };
        log.error(format_args!(
            "gateway start blocked: set gateway.mode=local (current: {current})"
        ));
        return None;
    };
    if bad_values > 0 {
        log.error(format_args!(
            "[gateway] cannot start: {bad_values} invalid value(s) in {path} (run `clawdoc config validate`)"
        ));
        return None;
    }
    if !config_problems.is_empty() {
        log.warn(format_args!(
            "[gateway] config is invalid: requests will fail with \"{}\" until {path} is fixed and the gateway restarted",
            crate::protocol::MSG_INVALID_CONFIG
        ));
    }

    let (token, token_pinned) = match config.token {
        Some(t) => (t, true),
        None => {
            log.warn("gateway.token is not pinned; a random token was generated — paired devices will need re-pairing after a restart");
            (Secret::generate(), false)
        }
    };
    Some(Settings {
        mode,
        port: config.port,
        token,
        token_pinned,
        config_problems,
        allowed_origins: config.allowed_origins,
    })
}

/// Logs which environment overrides are in effect (never a token's value).
fn log_env_overrides(log: &Logger, env: &dyn Fn(&str) -> Option<String>) {
    if let Some(v) = env(config::ENV_MODE) {
        match config::check_mode(&v) {
            Ok(m) => log.info(format_args!(
                "[gateway] env override {}={m}",
                config::ENV_MODE
            )),
            Err(why) => log.warn(format_args!(
                "[gateway] ignoring {}: {why}",
                config::ENV_MODE
            )),
        }
    }
    if let Some(v) = env(config::ENV_PORT) {
        match config::check_port(&v) {
            Ok(p) => log.info(format_args!(
                "[gateway] env override {}={p}",
                config::ENV_PORT
            )),
            Err(why) => log.warn(format_args!(
                "[gateway] ignoring {}: {why}",
                config::ENV_PORT
            )),
        }
    }
    if let Some(v) = env(config::ENV_TOKEN) {
        match config::check_token(&v) {
            Ok(_) => log.info(format_args!(
                "[gateway] env override {} (value hidden)",
                config::ENV_TOKEN
            )),
            Err(why) => log.warn(format_args!(
                "[gateway] ignoring {}: {why}",
                config::ENV_TOKEN
            )),
        }
    }
}

/// `Error: listen EADDRINUSE: address already in use 127.0.0.1:3001`
/// (the wording of the Node gateway, so the same rules match both).
pub(crate) fn listen_error(e: &io::Error, addr: SocketAddr) -> String {
    let (code, desc) = errno_words(e);
    format!("Error: listen {code}: {desc} {addr}")
}

async fn serve(
    home: &Home,
    log: Arc<Logger>,
    settings: Settings,
    listener: std::net::TcpListener,
    started: Instant,
) -> i32 {
    use tokio::signal::unix::{signal, SignalKind};

    // SIGHUP too: a terminal closing under a foreground gateway should not
    // leave a stale pid file behind.
    let (mut term, mut int, mut hup) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) {
        (Ok(t), Ok(i), Ok(h)) => (t, i, h),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            log.error(format_args!(
                "[gateway] cannot install signal handlers: {e}"
            ));
            return 1;
        }
    };
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            log.error(format_args!("[gateway] cannot register listener: {e}"));
            return 1;
        }
    };
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        home: home.clone(),
        log: log.clone(),
        mode: settings.mode,
        port: settings.port,
        token: settings.token,
        token_pinned: settings.token_pinned,
        config_problems: settings.config_problems,
        has_display: ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty())),
        started,
        ready: AtomicBool::new(false),
        stopping: AtomicBool::new(false),
        shutdown: shutdown_rx,
        login_sessions: Mutex::new(HashMap::new()),
        allowed_origins: settings.allowed_origins,
        preauth: super::preauth::PreAuth::new(super::preauth::PER_PEER, super::preauth::GLOBAL),
        auth_limit: super::authlimit::AuthLimiter::new(
            super::authlimit::BURST,
            super::authlimit::REFILL,
        ),
    });

    let _pid_guard = match PidRecord::current().and_then(|record| {
        pidfile::write(&home.pid_path(), &record)?;
        Ok(PidFileGuard {
            path: home.pid_path(),
            record,
        })
    }) {
        Ok(guard) => guard,
        Err(e) => {
            log.error(format_args!(
                "[gateway] cannot write {}: {e}",
                home.pid_path().display()
            ));
            return 1;
        }
    };

    // Every connection task holds a clone; shutdown waits until all are gone.
    let (drain_tx, mut drain_rx) = mpsc::channel::<()>(1);
    shared.ready.store(true, Ordering::SeqCst);
    log.info(format_args!(
        "[gateway] listening on :{} ({} mode, bound {}, ready in {} ms)",
        shared.port,
        shared.mode,
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        started.elapsed().as_millis()
    ));

    let signal_name = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(super::http::serve_connection(stream, peer, shared.clone(), drain_tx.clone()));
                }
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    log.warn(format_args!("[gateway] accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            _ = hup.recv() => break "SIGHUP",
        }
    };

    log.info(format_args!(
        "[gateway] received {signal_name}; shutting down"
    ));
    drop(listener);
    shared.ready.store(false, Ordering::SeqCst);
    shared.stopping.store(true, Ordering::SeqCst);
    let _ = shutdown_tx.send(true);
    drop(drain_tx);
    if tokio::time::timeout(DRAIN_TIMEOUT, drain_rx.recv())
        .await
        .is_err()
    {
        log.warn(format_args!(
            "[gateway] connections still open after {} ms; closing them",
            DRAIN_TIMEOUT.as_millis()
        ));
    }
    log.info("[gateway] stopped");
    0
}

/// Resolves once shutdown has begun (the watch guard is not held across
/// later awaits, which would make connection futures `!Send`).
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Removes `gateway.pid` on the way out, but only while it still names us
/// (a newer gateway may have replaced it).
struct PidFileGuard {
    path: std::path::PathBuf,
    record: PidRecord,
}

impl Drop for PidFileGuard {
    fn drop(&mut self) {
        if let Ok(Some(current)) = pidfile::read(&self.path) {
            if current == self.record {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_error_reads_like_node() {
        let e = io::Error::from_raw_os_error(libc::EADDRINUSE);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 3001));
        assert_eq!(
            listen_error(&e, addr),
            "Error: listen EADDRINUSE: address already in use 127.0.0.1:3001"
        );
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(
            errno_words(&e),
            ("ECONNREFUSED".into(), "connection refused".into())
        );
    }
}
