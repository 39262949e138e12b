//! The gateway's HTTP side: one hyper connection per TCP stream, the routes,
//! and the WebSocket upgrade (the session itself is in [`super::ws`]).
//!
//! | path | methods | answer |
//! | --- | --- | --- |
//! | `/health` | GET, HEAD | 200 `{"status":"ok","ready":true,…}`; 503 `starting`/`stopping` |
//! | `/ws`, `/` | GET + `Upgrade: websocket` | 101, then the device protocol |
//! | `/` | GET | 200, a one-line pointer to the two above |
//! | `/login/PROVIDER?session=ID` | GET | 200, the login page for a session handed out by `login` |
//!
//! Other methods on a known path: 405 with `Allow`; other paths: 404. No
//! answer ever carries a token.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::shared::Shared;
use crate::protocol::{HEALTH_PATH, WS_PATH};

type Body = Full<Bytes>;

/// Slow clients get this long to send their request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one TCP connection until it closes or the gateway shuts down.
/// `drain` is held so shutdown can wait for this connection.
pub(crate) async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    drain: mpsc::Sender<()>,
) {
    let mut shutdown = shared.shutdown.clone();
    // Unauthenticated until it upgrades (the session takes its own slot).
    let (slot, taken) = shared.preauth.take(peer.ip());
    if let Some(n) = super::preauth::worth_logging(taken) {
        shared.log.warn(format_args!(
            "[gateway] unauthenticated connection limit reached ({} per peer, {} in all): dropped the oldest ({n} so far; latest from {})",
            super::preauth::PER_PEER,
            super::preauth::GLOBAL,
            peer.ip()
        ));
    }
    let svc_shared = shared.clone();
    let svc_drain = drain.clone();
    let service = hyper::service::service_fn(move |req| {
        let response = route(req, peer, &svc_shared, &svc_drain);
        async move { Ok::<_, Infallible>(response) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = slot.evicted() => {}
        _ = super::server::stopped(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.as_mut().await;
        }
    }
    drop(slot);
    drop(drain);
}

fn route(
    mut req: Request<Incoming>,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    drain: &mpsc::Sender<()>,
) -> Response<Body> {
    let path = req.uri().path();
    match path {
        HEALTH_PATH => match *req.method() {
            // hyper keeps the headers (Content-Length too) and drops the body for HEAD.
            Method::GET | Method::HEAD => health(shared),
            _ => not_allowed("GET, HEAD"),
        },
        WS_PATH | "/" if is_websocket_upgrade(&req) => {
            if req.method() != Method::GET {
                return not_allowed("GET");
            }
            upgrade(&mut req, peer, shared, drain)
        }
        WS_PATH => match *req.method() {
            Method::GET => text(
                StatusCode::UPGRADE_REQUIRED,
                "this endpoint speaks WebSocket: connect with Upgrade: websocket\n",
            ),
            _ => not_allowed("GET"),
        },
        "/" => match *req.method() {
            Method::GET | Method::HEAD => text(
                StatusCode::OK,
                "clawdoc gateway: GET /health for status, WebSocket on /ws for devices\n",
            ),
            _ => not_allowed("GET, HEAD"),
        },
        _ if path.starts_with("/login/") => match *req.method() {
            Method::GET => login_page(&req, shared),
            _ => not_allowed("GET"),
        },
        _ => json(StatusCode::NOT_FOUND, br#"{"error":"not found"}"#.to_vec()),
    }
}

#[derive(serde::Serialize)]
struct Health<'a> {
    status: &'a str,
    ready: bool,
    pid: u32,
    port: u16,
    mode: &'a str,
    version: &'a str,
    uptime_secs: u64,
    config_valid: bool,
    /// Offending keys (names only) when the config is invalid.
    config_problems: &'a [String],
    /// Whether `gateway.token` is pinned (paired devices survive restarts).
    token_pinned: bool,
}

fn health(shared: &Shared) -> Response<Body> {
    let ready = shared.ready.load(Ordering::Relaxed);
    let status = if ready {
        "ok"
    } else if shared.stopping.load(Ordering::Relaxed) {
        "stopping"
    } else {
        "starting"
    };
    let body = serde_json::to_vec(&Health {
        status,
        ready,
        pid: std::process::id(),
        port: shared.port,
        mode: shared.mode.as_str(),
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: shared.started.elapsed().as_secs(),
        config_valid: shared.config_valid(),
        config_problems: &shared.config_problems,
        token_pinned: shared.token_pinned,
    })
    .expect("health serialises");
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json(code, body)
}

fn is_websocket_upgrade(req: &Request<Incoming>) -> bool {
    let has = |name: header::HeaderName, token: &str| {
        req.headers().get_all(name).iter().any(|v| {
            v.to_str()
                .unwrap_or("")
                .split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    };
    has(header::UPGRADE, "websocket") && has(header::CONNECTION, "upgrade")
}

fn upgrade(
    req: &mut Request<Incoming>,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    drain: &mpsc::Sender<()>,
) -> Response<Body> {
    let version_ok = req
        .headers()
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v.as_bytes() == b"13");
    let Some(key) = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|_| version_ok)
    else {
        let mut r = text(
            StatusCode::BAD_REQUEST,
            "bad WebSocket upgrade: Sec-WebSocket-Key and Sec-WebSocket-Version: 13 are required\n",
        );
        r.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return r;
    };
    // A web page on this machine can open a WebSocket to 127.0.0.1: refuse
    // every browser `Origin` but the configured ones.
    let origin = match req.headers().get(header::ORIGIN) {
        None => false,
        Some(o) => {
            let o = o.to_str().unwrap_or("").trim().to_ascii_lowercase();
            if !shared.allowed_origins.contains(&o) {
                shared.log.warn(format_args!(
                    "[ws] {peer}: refused WebSocket from origin {o:?} (not in gateway.allowedOrigins)"
                ));
                return text(
                    StatusCode::FORBIDDEN,
                    "origin not allowed: add it to gateway.allowedOrigins\n",
                );
            }
            true
        }
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let on_upgrade = hyper::upgrade::on(req);
    let shared = shared.clone();
    let drain = drain.clone();
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => super::ws::session(TokioIo::new(upgraded), peer, shared, origin).await,
            Err(e) => shared
                .log
                .warn(format_args!("[ws] upgrade from {peer} failed: {e}")),
        }
        drop(drain);
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = response.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    response
}

fn login_page(req: &Request<Incoming>, shared: &Shared) -> Response<Body> {
    let provider = req.uri().path().trim_start_matches("/login/");
    let session = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("session="))
        .unwrap_or("");
    let known = shared
        .login_sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(session)
        .is_some_and(|p| p == provider);
    if !known {
        return json(
            StatusCode::NOT_FOUND,
            br#"{"error":"unknown login session"}"#.to_vec(),
        );
    }
    let page = format!(
        "<!doctype html><title>{provider} login</title>\
         <h1>Link {provider} to the clawdoc gateway</h1>\
         <p>Open {provider} on your phone, choose <em>Linked devices</em>, and link this session ({session}).</p>\n"
    );
    let mut r = Response::new(Full::new(Bytes::from(page)));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn json(code: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = code;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn text(code: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = code;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn not_allowed(allow: &'static str) -> Response<Body> {
    let mut r = json(
        StatusCode::METHOD_NOT_ALLOWED,
        br#"{"error":"method not allowed"}"#.to_vec(),
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}
