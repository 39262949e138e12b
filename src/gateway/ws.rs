//! One WebSocket session: the connect handshake (device admission, device
//! tokens) and the requests after `hello-ok` (`send`, `login`, `ping`).
//!
//! Admission (the store is re-read on every connect, since `clawdoc devices`
//! edits it while the gateway runs):
//! * unknown device → pending pairing request (with the hash of its claim),
//!   close 1008 `pairing required`; except this home's own CLI (client `cli`
//!   over loopback in local or hybrid mode, no `Origin` header, presenting
//!   the device id and claim of this home's 0600 identity file), which is
//!   paired at once and gets its token;
//! * paired, no token, the approved claim → `hello-ok` carrying the device
//!   token (issued once: the claim is used up); this home's own CLI gets its
//!   token again the same way as it paired;
//! * paired, no token, no matching claim → close 4008 `connect failed —
//!   device token required`;
//! * paired, wrong token → close 4008 `connect failed — device token mismatch`;
//! * paired, right token → `hello-ok`.
//!
//! Frames over 64 KiB close with 1009; a first frame that is not a connect
//! closes with 1008; no connect within 5 s closes with 1008 `handshake
//! timeout`; shutdown closes with 1012 `service restart`. A peer with too
//! many failed token attempts is refused with 1013 (see `authlimit`).

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use super::shared::Shared;
use crate::config::Mode;
use crate::protocol::{
    close, error_code, valid_device_id, valid_name, ClientFrame, Connect, HelloOk, LoginParams,
    Response, SendParams, ServerFrame, CLIENT_CLI, HANDSHAKE_TIMEOUT, MSG_INVALID_CONFIG,
    MSG_WEB_LOGIN_UNAVAILABLE,
};
use crate::state::devices;
use crate::text::now_rfc3339_millis;

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// Login sessions remembered at once.
const MAX_LOGIN_SESSIONS: usize = 64;

/// How a connect attempt ends.
enum Admission {
    Hello(HelloOk),
    Close(u16, &'static str),
}

pub(crate) async fn session(
    io: TokioIo<Upgraded>,
    peer: SocketAddr,
    shared: Arc<Shared>,
    origin: bool,
) {
    let (slot, _) = shared.preauth.take(peer.ip());
    let mut ws =
        WebSocketStream::from_raw_socket(io, Role::Server, Some(crate::protocol::ws_config()))
            .await;
    let mut shutdown = shared.shutdown.clone();
    let deadline = tokio::time::Instant::now() + HANDSHAKE_TIMEOUT;

    // The first data frame must be a connect; pings may come before it.
    let connect = loop {
        let next = tokio::select! {
            next = tokio::time::timeout_at(deadline, ws.next()) => next,
            // Evicted by newer unauthenticated connections: just drop it.
            _ = slot.evicted() => return,
            _ = super::server::stopped(&mut shutdown) => {
                return close_and_linger(ws, close::SERVICE_RESTART, close::REASON_SERVICE_RESTART).await;
            }
        };
        match next {
            Err(_elapsed) => {
                shared
                    .log
                    .warn(format_args!("[ws] {peer}: handshake timeout"));
                return close_and_linger(ws, close::POLICY, close::REASON_HANDSHAKE_TIMEOUT).await;
            }
            Ok(None) => return,
            Ok(Some(Err(WsError::Capacity(e)))) => {
                shared
                    .log
                    .warn(format_args!("[ws] {peer}: first frame too large ({e})"));
                return close_and_linger(ws, close::TOO_BIG, close::REASON_TOO_BIG).await;
            }
            Ok(Some(Err(_))) => return,
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str::<ClientFrame>(&text) {
                Ok(ClientFrame::Connect(c)) => break c,
                _ => {
                    shared.log.warn(format_args!(
                        "[ws] {peer}: {}",
                        close::REASON_INVALID_HANDSHAKE
                    ));
                    return close_and_linger(ws, close::POLICY, close::REASON_INVALID_HANDSHAKE)
                        .await;
                }
            },
            Ok(Some(Ok(_))) => {
                shared.log.warn(format_args!(
                    "[ws] {peer}: {}",
                    close::REASON_INVALID_HANDSHAKE
                ));
                return close_and_linger(ws, close::POLICY, close::REASON_INVALID_HANDSHAKE).await;
            }
        }
    };

    let device_id = connect.device_id.clone();
    let admit_shared = shared.clone();
    let admission =
        tokio::task::spawn_blocking(move || admit(&admit_shared, connect, peer, origin))
            .await
            .unwrap_or(Admission::Close(close::INTERNAL, "internal error"));
    let hello = match admission {
        Admission::Hello(hello) => hello,
        Admission::Close(code, reason) => return close_and_linger(ws, code, reason).await,
    };
    if send_frame(&mut ws, &ServerFrame::HelloOk(hello))
        .await
        .is_err()
    {
        return;
    }
    drop(slot);

    loop {
        let next = tokio::select! {
            next = ws.next() => next,
            _ = super::server::stopped(&mut shutdown) => {
                return close_and_linger(ws, close::SERVICE_RESTART, close::REASON_SERVICE_RESTART).await;
            }
        };
        match next {
            None => return,
            Some(Err(WsError::Capacity(_))) => {
                return close_and_linger(ws, close::TOO_BIG, close::REASON_TOO_BIG).await
            }
            Some(Err(_)) => return,
            Some(Ok(Message::Text(text))) => {
                let response = handle_request(&shared, &device_id, &text);
                if send_frame(&mut ws, &ServerFrame::Res(response))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Some(Ok(Message::Binary(_))) => {
                return close_and_linger(ws, 1003, "binary frames are not supported").await;
            }
            // Close replies and pongs are handled by tungstenite itself.
            Some(Ok(_)) => continue,
        }
    }
}

/// How the device store answered a connect.
enum Decision {
    /// Paired; the presented token is checked next.
    Paired,
    /// Paired now or its claim matched: issue the device token.
    Issue {
        newly_paired: bool,
    },
    /// Paired, no token, no matching claim.
    TokenRequired,
    Pending(devices::Requested),
    /// Unknown device without a claim: nothing to record.
    NoClaim,
}

/// Is this connect this home's own CLI? It must come over loopback, in
/// local or hybrid mode, from no web page (no `Origin`), and present the
/// device id and claim of this home's identity file (mode 0600: only this
/// home's user can read it).
fn is_this_homes_cli(shared: &Shared, connect: &Connect, peer: SocketAddr, origin: bool) -> bool {
    if connect.client != CLIENT_CLI
        || !peer.ip().is_loopback()
        || origin
        || !matches!(shared.mode, Mode::Local | Mode::Hybrid)
    {
        return false;
    }
    let Some(claim) = &connect.claim else {
        return false;
    };
    match crate::state::identity::read(&shared.home.identity_path()) {
        Ok(Some(identity)) => {
            identity.device_id == connect.device_id
                && identity
                    .claim
                    .as_ref()
                    .is_some_and(|mine| mine.ct_eq(claim.expose()))
        }
        _ => false,
    }
}

/// Decides a connect (blocking: reads and may write the device store).
/// `origin`: the upgrade carried an (allowed) `Origin` header.
fn admit(shared: &Shared, connect: Connect, peer: SocketAddr, origin: bool) -> Admission {
    let log = &shared.log;
    let id = connect.device_id.as_str();
    if !valid_device_id(id) || !valid_name(&connect.client) {
        log.warn(format_args!(
            "[ws] {peer}: invalid handshake: bad device id or client kind"
        ));
        return Admission::Close(close::POLICY, "invalid handshake: bad device_id or client");
    }
    let name = connect
        .name
        .clone()
        .map(|n| n.chars().filter(|c| !c.is_control()).take(64).collect());
    let own_cli = is_this_homes_cli(shared, &connect, peer, origin);
    if !own_cli && shared.auth_limit.locked(peer.ip()) {
        return Admission::Close(close::TRY_AGAIN_LATER, close::REASON_AUTH_RATE_LIMITED);
    }
    let claim = connect.claim.as_ref().map(devices::claim_hash);
    let now = now_rfc3339_millis();
    let cutoff = devices::pending_cutoff();
    let path = shared.home.devices_path();
    let decision = devices::update(&path, |store| {
        store.expire_pending(&cutoff);
        if store.paired(id).is_some() {
            if connect.token.is_some() {
                return Decision::Paired;
            }
            return match store.pick_up(id, claim.as_deref()) {
                devices::Pickup::Issue => Decision::Issue {
                    newly_paired: false,
                },
                _ if own_cli => Decision::Issue {
                    newly_paired: false,
                },
                _ => Decision::TokenRequired,
            };
        }
        if own_cli {
            store.pair(id, &connect.client, name.clone(), &now, None);
            return Decision::Issue { newly_paired: true };
        }
        if claim.is_none() {
            return Decision::NoClaim;
        }
        Decision::Pending(store.request(
            id,
            &connect.client,
            name.clone(),
            Some(peer.to_string()),
            &now,
            claim.clone(),
        ))
    });
    let decision = match decision {
        Ok(d) => d,
        Err(e) => {
            log.error(format_args!("[ws] cannot read the device store: {e}"));
            return Admission::Close(close::INTERNAL, "device store unreadable");
        }
    };
    let pairing_required = |why: &str| {
        log.warn(format_args!(
            "[ws] disconnected (1008): pairing required device={id} client={} peer={peer}{why}",
            connect.client
        ));
        Admission::Close(close::POLICY, close::REASON_PAIRING_REQUIRED)
    };
    let device_token = match decision {
        Decision::Pending(devices::Requested::Recorded | devices::Requested::AlreadyPending) => {
            return pairing_required(&format!("; approve with `clawdoc devices approve {id}`"));
        }
        Decision::Pending(devices::Requested::Full) => {
            return pairing_required(&format!(
                "; request not recorded: {} pairing requests are already pending (they expire after {} min; see `clawdoc devices list`)",
                devices::MAX_PENDING,
                devices::PENDING_TTL_SECS / 60
            ));
        }
        Decision::NoClaim => {
            return pairing_required("; request not recorded: the connect carried no claim");
        }
        Decision::TokenRequired => {
            log.warn(format_args!(
                "[ws] disconnected (4008): {} device={id} peer={peer}",
                close::REASON_TOKEN_REQUIRED
            ));
            auth_failed(shared, peer);
            return Admission::Close(close::TOKEN_MISMATCH, close::REASON_TOKEN_REQUIRED);
        }
        Decision::Issue { newly_paired } => {
            if newly_paired {
                log.info(format_args!(
                    "[ws] paired local CLI device {id} (auto-approved: this home's CLI over loopback)"
                ));
            }
            Some(devices::device_token(&shared.token, id))
        }
        Decision::Paired => {
            let presented = connect.token.as_ref().expect("checked above");
            if !devices::verify_device_token(&shared.token, id, presented) {
                log.warn(format_args!(
                    "[ws] disconnected (4008): {} device={id} peer={peer}",
                    close::REASON_TOKEN_MISMATCH
                ));
                auth_failed(shared, peer);
                return Admission::Close(close::TOKEN_MISMATCH, close::REASON_TOKEN_MISMATCH);
            }
            None
        }
    };
    log.info(format_args!(
        "[ws] device {id} connected (client {}{})",
        connect.client,
        if device_token.is_some() {
            ", device token issued"
        } else {
            ""
        }
    ));
    Admission::Hello(HelloOk {
        device_id: id.to_string(),
        config_valid: shared.config_valid(),
        config_problems: shared.config_problems.clone(),
        device_token,
        version: env!("CARGO_PKG_VERSION").to_string(),
        mode: shared.mode.as_str().to_string(),
    })
}

/// Counts a failed device-token attempt; logs when the peer is locked out.
fn auth_failed(shared: &Shared, peer: SocketAddr) {
    if shared.auth_limit.failed(peer.ip()) {
        shared.log.warn(format_args!(
            "[ws] auth rate limited: peer={} made {} failed auth attempts; further connects are refused (1013) for {} s per attempt",
            peer.ip(),
            super::authlimit::BURST,
            super::authlimit::REFILL.as_secs()
        ));
    }
}

fn handle_request(shared: &Shared, device_id: &str, text: &str) -> Response {
    let request = match serde_json::from_str::<ClientFrame>(text) {
        Ok(ClientFrame::Req(r)) => r,
        Ok(ClientFrame::Connect(_)) => {
            return Response::err(0, error_code::INVALID_REQUEST, "already connected");
        }
        Err(e) => {
            let id = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_u64()))
                .unwrap_or(0);
            return Response::err(
                id,
                error_code::INVALID_REQUEST,
                format!("invalid request: {e}"),
            );
        }
    };
    let id = request.id;
    if !shared.config_valid() {
        let keys: Vec<String> = shared
            .config_problems
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect();
        shared.log.warn(format_args!(
            "[ws] {} request from {device_id} refused: {MSG_INVALID_CONFIG}",
            request.method
        ));
        return Response::err(
            id,
            error_code::INVALID_CONFIG,
            format!(
                "{MSG_INVALID_CONFIG} (unknown config keys: {}; fix the config and restart the gateway)",
                keys.join(", ")
            ),
        );
    }
    match request.method.as_str() {
        "ping" => Response::ok(id, serde_json::json!({ "pong": true })),
        "send" => {
            let params: SendParams = match serde_json::from_value(request.params) {
                Ok(p) => p,
                Err(e) => {
                    return Response::err(id, error_code::INVALID_REQUEST, format!("send: {e}"))
                }
            };
            if !valid_name(&params.channel) {
                return Response::err(
                    id,
                    error_code::INVALID_REQUEST,
                    "send: channel must be 1-32 of [a-z0-9_-]",
                );
            }
            let chars = params.text.chars().count();
            shared
                .log
                .info(format_args!("[{}] sent {chars} chars", params.channel));
            Response::ok(
                id,
                serde_json::json!({ "channel": params.channel, "chars": chars }),
            )
        }
        "login" => login(shared, id, request.params),
        other => Response::err(
            id,
            error_code::UNKNOWN_METHOD,
            format!("GatewayRequestError: unknown method {other:?}"),
        ),
    }
}

fn login(shared: &Shared, id: u64, params: serde_json::Value) -> Response {
    let params: LoginParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => return Response::err(id, error_code::INVALID_REQUEST, format!("login: {e}")),
    };
    match params.provider.as_str() {
        "whatsapp" | "whatsapp-web" => {
            if !shared.has_display {
                shared.log.warn(format_args!(
                    "[{}] login failed: Web Login Provider is not available (no DISPLAY or WAYLAND_DISPLAY on the gateway host)",
                    params.provider
                ));
                return Response::err(
                    id,
                    error_code::PROVIDER_UNAVAILABLE,
                    format!("{MSG_WEB_LOGIN_UNAVAILABLE} (no DISPLAY or WAYLAND_DISPLAY on the gateway host)"),
                );
            }
            let session = crate::config::Secret::generate().expose()[..16].to_string();
            let url = format!(
                "http://127.0.0.1:{}/login/whatsapp?session={session}",
                shared.port
            );
            let mut sessions = shared
                .login_sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            // Bounded: old sessions are simply forgotten.
            if sessions.len() >= MAX_LOGIN_SESSIONS {
                sessions.clear();
            }
            sessions.insert(session, "whatsapp".to_string());
            drop(sessions);
            shared
                .log
                .info(format_args!("[whatsapp] login session started"));
            Response::ok(
                id,
                serde_json::json!({ "provider": "whatsapp", "url": url }),
            )
        }
        "telegram" => Response::ok(
            id,
            serde_json::json!({ "provider": "telegram", "message": "telegram uses a bot token; no interactive login is needed" }),
        ),
        other => Response::err(
            id,
            error_code::UNKNOWN_PROVIDER,
            format!(
                "GatewayRequestError: unknown login provider {other:?} (known: whatsapp, telegram)"
            ),
        ),
    }
}

async fn send_frame(ws: &mut Socket, frame: &ServerFrame) -> Result<(), WsError> {
    let text = serde_json::to_string(frame).expect("frames serialise");
    ws.send(Message::text(text)).await
}

/// Sends a close frame, then waits (bounded in frames, bytes and time) for
/// the peer's close reply and ends the connection at once: the server
/// closes TCP first (RFC 6455 §7.1.1), so a client waiting for that is not
/// kept for the whole linger time. A peer that sends garbage instead is
/// drained until it goes quiet, so our close is not lost to a TCP reset.
async fn close_and_linger(mut ws: Socket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    };
    let linger = std::time::Duration::from_secs(1);
    let _ = tokio::time::timeout(linger, async {
        if ws.close(Some(frame)).await.is_err() {
            return;
        }
        for _ in 0..16 {
            match ws.next().await {
                None | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
                Some(Err(_)) => break,
            }
        }
        drain_until_quiet(ws.get_mut()).await;
    })
    .await;
}

/// Reads and discards up to 1 MiB until EOF or 50 ms without data.
async fn drain_until_quiet(io: &mut TokioIo<Upgraded>) {
    let quiet = std::time::Duration::from_millis(50);
    let mut buf = [0u8; 8192];
    let mut budget: usize = 1 << 20;
    while budget > 0 {
        match tokio::time::timeout(quiet, io.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => budget = budget.saturating_sub(n),
            _ => break,
        }
    }
}
