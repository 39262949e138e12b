//! This CLI as a gateway device: its identity (`identity.json`: device id
//! and the device token the gateway issued, mode 0600), the blocking
//! WebSocket client (tungstenite over a std `TcpStream`, no runtime: a CLI
//! call connects, asks, closes) and the calls others use: [`handshake`] and
//! [`repair`] for the doctor, [`send`] and [`login`] for the commands.
//!
//! Errors carry the seed's wording: `gateway not connected` with the cause
//! `connect ECONNREFUSED 127.0.0.1:PORT`, `disconnected (4008): connect
//! failed — device token mismatch`, `GatewayRequestError: …`. Nothing here
//! prints; `cli::client` renders.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};

use std::time::Duration;

use serde::Serialize;
use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::WebSocket;
use tungstenite::{Error as WsError, HandshakeError, Message};

use crate::config;
use crate::home::Home;
use crate::protocol::{
    ClientFrame, Connect, LoginParams, Request, SendParams, ServerFrame, CLIENT_CLI,
    MAX_FRAME_BYTES, WS_PATH,
};
use crate::state::devices::{self, DeviceStoreError};
use crate::state::identity::{self, Identity, IdentityError};

/// How long the commands wait for the gateway by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answered on the port (the seed's `send failed` cause).
    #[error("gateway not connected")]
    NotConnected {
        addr: SocketAddr,
        /// `ECONNREFUSED`, `ETIMEDOUT`, …
        code: String,
        desc: String,
    },
    /// The gateway closed the connection with a close frame.
    #[error("disconnected ({code}): {reason}")]
    Disconnected { code: u16, reason: String },
    /// The gateway answered the request with an error.
    #[error("{message}")]
    Request { code: String, message: String },
    #[error("no answer from the gateway within {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error("gateway protocol error: {0}")]
    Protocol(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    DeviceStore(#[from] DeviceStoreError),
}

impl ClientError {
    /// The low-level cause in Node's wording, e.g.
    /// `connect ECONNREFUSED 127.0.0.1:3001`.
    pub fn cause_line(&self) -> Option<String> {
        match self {
            ClientError::NotConnected { addr, code, .. } => Some(format!("connect {code} {addr}")),
            _ => None,
        }
    }
}

/// What a handshake probe found (the doctor's token and pairing probes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeOutcome {
    Ok {
        config_valid: bool,
    },
    /// Close 4008: the stored device token no longer matches the gateway's.
    TokenMismatch,
    /// Close 1008 `pairing required`.
    PairingRequired,
    /// Nothing listens on the port.
    Refused,
    Error(String),
}

/// What `hello-ok` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hello {
    pub device_id: String,
    pub config_valid: bool,
    pub config_problems: Vec<String>,
    pub mode: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendReceipt {
    pub channel: String,
    pub chars: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginReply {
    pub provider: String,
    pub url: Option<String>,
    pub message: Option<String>,
}

/// The port the CLI should talk to: the config's (env overrides included),
/// else `CLAWDOC_GATEWAY_PORT`, else 3001. A broken config does not stop
/// a client from trying.
pub fn client_port(home: &Home) -> u16 {
    config::effective_port(home)
}

/// Reads the identity, creating one (new random device id) on first use.
pub(crate) fn load_identity(home: &Home) -> Result<Identity, ClientError> {
    Ok(identity::load_or_create(home, new_device_id)?)
}

fn new_device_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    format!("cli-{}", hex::encode(bytes))
}

/// A connected, admitted session (after `hello-ok`).
pub(crate) struct Session {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    pub hello: Hello,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("hello", &self.hello)
            .finish_non_exhaustive()
    }
}

/// Connects to the gateway on loopback as this CLI's device. A device token
/// issued in `hello-ok` is stored in the identity file.
pub(crate) fn connect(home: &Home, port: u16, timeout: Duration) -> Result<Session, ClientError> {
    let mut identity = load_identity(home)?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| {
        let (code, desc) = crate::text::errno_words(&e);
        ClientError::NotConnected { addr, code, desc }
    })?;
    let _ = stream.set_nodelay(true);
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
    let request = format!("ws://{addr}{WS_PATH}")
        .into_client_request()
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
    let (mut ws, _response) = tungstenite::client::client_with_config(
        request,
        stream,
        Some(crate::protocol::ws_config()),
    )
    .map_err(|e| match e {
        HandshakeError::Interrupted(_) => ClientError::Timeout(timeout),
        HandshakeError::Failure(e) => ws_error(e, timeout),
    })?;

    let connect = ClientFrame::Connect(Connect {
        device_id: identity.device_id.clone(),
        client: CLIENT_CLI.to_string(),
        name: Some("clawdoc cli".to_string()),
        token: identity.device_token.clone(),
        // Always sent: if this device was removed from the store, the
        // gateway can pair it again (this home's CLI) or record its request.
        claim: identity.claim.clone(),
    });
    send_json(&mut ws, &connect, timeout)?;
    let hello = match read_frame(&mut ws, timeout)? {
        ServerFrame::HelloOk(hello) => hello,
        ServerFrame::Res(_) => {
            return Err(ClientError::Protocol(
                "expected hello-ok, got a response".into(),
            ))
        }
    };
    if let Some(token) = hello.device_token {
        identity.device_token = Some(token);
        identity::save(home, &identity)?;
    }
    Ok(Session {
        ws,
        next_id: 1,
        hello: Hello {
            device_id: hello.device_id,
            config_valid: hello.config_valid,
            config_problems: hello.config_problems,
            mode: hello.mode,
            version: hello.version,
        },
    })
}

impl Session {
    /// Sends one request and waits for its response payload.
    pub(crate) fn request(
        &mut self,
        method: &str,
        params: serde_json::Value,
        timeout: Duration,
    ) -> Result<serde_json::Value, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let frame = ClientFrame::Req(Request {
            id,
            method: method.to_string(),
            params,
        });
        send_json(&mut self.ws, &frame, timeout)?;
        loop {
            match read_frame(&mut self.ws, timeout)? {
                ServerFrame::Res(res) if res.id == id => {
                    if res.ok {
                        return Ok(res.payload.unwrap_or(serde_json::Value::Null));
                    }
                    let err = res.error.unwrap_or_else(|| crate::protocol::RequestError {
                        code: "UNKNOWN".into(),
                        message: "GatewayRequestError: request failed".into(),
                    });
                    return Err(ClientError::Request {
                        code: err.code,
                        message: err.message,
                    });
                }
                _ => continue,
            }
        }
    }

    /// Closes politely (close frame, wait briefly for the gateway's reply).
    pub(crate) fn close(mut self) {
        let _ = self
            .ws
            .get_mut()
            .set_read_timeout(Some(Duration::from_millis(500)));
        let _ = self.ws.close(None);
        while self.ws.read().is_ok() {}
    }
}

fn ws_error(e: WsError, timeout: Duration) -> ClientError {
    match e {
        WsError::Io(io)
            if matches!(
                io.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            ClientError::Timeout(timeout)
        }
        WsError::ConnectionClosed | WsError::AlreadyClosed => ClientError::Disconnected {
            code: 1006,
            reason: "connection closed".into(),
        },
        WsError::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => {
            ClientError::Disconnected {
                code: 1006,
                reason: "connection reset by the gateway".into(),
            }
        }
        other => ClientError::Protocol(other.to_string()),
    }
}

fn send_json(
    ws: &mut WebSocket<TcpStream>,
    frame: &ClientFrame,
    timeout: Duration,
) -> Result<(), ClientError> {
    let text = serde_json::to_string(frame).expect("frames serialise");
    if text.len() > MAX_FRAME_BYTES {
        return Err(ClientError::Protocol(format!(
            "request too large ({} bytes; the limit is {MAX_FRAME_BYTES})",
            text.len()
        )));
    }
    ws.send(Message::text(text))
        .map_err(|e| ws_error(e, timeout))
}

/// Reads the next data frame; a close frame becomes `Disconnected`.
fn read_frame(
    ws: &mut WebSocket<TcpStream>,
    timeout: Duration,
) -> Result<ServerFrame, ClientError> {
    loop {
        match ws.read().map_err(|e| ws_error(e, timeout))? {
            Message::Text(text) => {
                return serde_json::from_str(&text)
                    .map_err(|e| ClientError::Protocol(format!("bad frame from gateway: {e}")))
            }
            Message::Close(frame) => {
                // Finish the closing handshake; errors here change nothing.
                let _ = ws.flush();
                let (code, reason) = match frame {
                    Some(f) => (u16::from(f.code), f.reason.to_string()),
                    None => (1005, String::new()),
                };
                return Err(ClientError::Disconnected { code, reason });
            }
            Message::Binary(_) => {
                return Err(ClientError::Protocol("unexpected binary frame".into()))
            }
            _ => continue,
        }
    }
}

/// Connects as the CLI device and reports how admission went. A newly
/// issued device token is stored.
pub fn handshake(home: &Home, port: u16, timeout: Duration) -> HandshakeOutcome {
    match connect(home, port, timeout) {
        Ok(session) => {
            let config_valid = session.hello.config_valid;
            session.close();
            HandshakeOutcome::Ok { config_valid }
        }
        Err(e) => outcome_of(&e),
    }
}

fn outcome_of(e: &ClientError) -> HandshakeOutcome {
    match e {
        ClientError::Disconnected { code, .. }
            if *code == crate::protocol::close::TOKEN_MISMATCH =>
        {
            HandshakeOutcome::TokenMismatch
        }
        ClientError::Disconnected { code, reason }
            if *code == crate::protocol::close::POLICY
                && reason == crate::protocol::close::REASON_PAIRING_REQUIRED =>
        {
            HandshakeOutcome::PairingRequired
        }
        ClientError::NotConnected { .. } => HandshakeOutcome::Refused,
        other => HandshakeOutcome::Error(other.to_string()),
    }
}

/// Re-pairs this CLI's device: drops the stored device token, takes a
/// fresh claim, and (as the gateway's owner, in its home: exactly what
/// `clawdoc devices approve` would do) replaces the device in the store by
/// one approved for that claim, then connects so the gateway issues a fresh
/// token. A malformed identity file is replaced by a new identity.
pub fn repair(home: &Home, port: u16, timeout: Duration) -> Result<(), ClientError> {
    let id = match load_identity(home) {
        Ok(identity) => identity.device_id,
        Err(ClientError::Identity(_)) => new_device_id(),
        Err(e) => return Err(e),
    };
    let claim = crate::config::Secret::generate();
    let hash = devices::claim_hash(&claim);
    devices::update(&home.devices_path(), |store| {
        let _ = store.remove(&id);
        store.pair(
            &id,
            CLIENT_CLI,
            Some("clawdoc cli".to_string()),
            &crate::text::now_rfc3339_millis(),
            Some(hash),
        );
    })?;
    identity::save(
        home,
        &Identity {
            device_id: id,
            device_token: None,
            claim: Some(claim),
        },
    )?;
    connect(home, port, timeout)?.close();
    Ok(())
}

/// `send {channel, text}`.
pub fn send(
    home: &Home,
    port: u16,
    channel: &str,
    text: &str,
    timeout: Duration,
) -> Result<SendReceipt, ClientError> {
    let mut session = connect(home, port, timeout)?;
    let params = serde_json::to_value(SendParams {
        channel: channel.to_string(),
        text: text.to_string(),
    })
    .expect("params serialise");
    let payload = session.request("send", params, timeout)?;
    session.close();
    Ok(SendReceipt {
        channel: payload
            .get("channel")
            .and_then(|c| c.as_str())
            .unwrap_or(channel)
            .to_string(),
        chars: payload.get("chars").and_then(|c| c.as_u64()).unwrap_or(0),
    })
}

/// `login {provider}`.
pub fn login(
    home: &Home,
    port: u16,
    provider: &str,
    timeout: Duration,
) -> Result<LoginReply, ClientError> {
    let mut session = connect(home, port, timeout)?;
    let params = serde_json::to_value(LoginParams {
        provider: provider.to_string(),
    })
    .expect("params serialise");
    let payload = session.request("login", params, timeout)?;
    session.close();
    let field = |k: &str| payload.get(k).and_then(|v| v.as_str()).map(str::to_string);
    Ok(LoginReply {
        provider: field("provider").unwrap_or_else(|| provider.to_string()),
        url: field("url"),
        message: field("message"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_created_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let a = load_identity(&home).unwrap();
        assert!(a.device_id.starts_with("cli-") && a.device_id.len() == 28);
        let b = load_identity(&home).unwrap();
        assert_eq!(a.device_id, b.device_id);
        let mode = std::fs::metadata(home.identity_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        identity::save(
            &home,
            &Identity {
                device_id: a.device_id.clone(),
                device_token: Some(crate::config::Secret::new("tok-123")),
                claim: a.claim.clone(),
            },
        )
        .unwrap();
        let c = load_identity(&home).unwrap();
        assert!(c.device_token.as_ref().unwrap().ct_eq("tok-123"));
        assert!(!format!("{c:?}").contains("tok-123"));
    }

    #[test]
    fn refused_connection_reads_like_node() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = send(&home, port, "telegram", "hi", Duration::from_secs(2)).unwrap_err();
        assert_eq!(err.to_string(), "gateway not connected");
        assert_eq!(
            err.cause_line().unwrap(),
            format!("connect ECONNREFUSED 127.0.0.1:{port}")
        );
        assert_eq!(outcome_of(&err), HandshakeOutcome::Refused);
    }

    #[test]
    fn malformed_identity_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        std::fs::write(home.identity_path(), "{\"device_id\": 5}").unwrap();
        let e = load_identity(&home).unwrap_err().to_string();
        assert!(
            e.contains("malformed at ") && e.contains("identity.json:1:"),
            "{e}"
        );
    }
}
