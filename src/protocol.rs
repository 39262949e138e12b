//! The gateway's wire protocol: HTTP paths, WebSocket frames (JSON text
//! messages) and close codes, shared by the server and the client.
//!
//! A WebSocket session on [`WS_PATH`] (also accepted on `/`):
//! ```text
//! client → {"type":"connect","device_id":"cli-…","client":"cli","token":"…"?,"claim":"…"?}
//! server → {"type":"hello-ok","device_id":"cli-…","config_valid":true,"device_token":"…"?}
//!          or a close frame: 1008 pairing required / 1008 invalid handshake /
//!          1008 handshake timeout / 1009 frame too large / 4008 token mismatch /
//!          4008 token required
//! client → {"type":"req","id":1,"method":"send","params":{"channel":"telegram","text":"hi"}}
//! server → {"type":"res","id":1,"ok":true,"payload":{…}}
//!          {"type":"res","id":1,"ok":false,"error":{"code":"INVALID_CONFIG","message":"GatewayRequestError: Invalid Config …"}}
//! ```
//! `device_token` is sent once: to the connect (without a token) whose
//! `claim` — a secret the device chose when it asked to pair — matches the
//! approved request. A connect with neither a valid token nor that claim is
//! refused. Tokens and claims are wrapped in [`Secret`] so `Debug` never
//! shows them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::Secret;

/// Where the WebSocket is served (`/` works too).
pub(crate) const WS_PATH: &str = "/ws";
pub(crate) const HEALTH_PATH: &str = "/health";
/// Largest frame or message either side accepts.
pub(crate) const MAX_FRAME_BYTES: usize = 64 * 1024;
/// The first (connect) frame must arrive within this time.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Close codes the gateway sends, with their reasons.
pub mod close {
    /// Policy violation: bad handshake, pairing required, handshake timeout.
    pub const POLICY: u16 = 1008;
    pub(crate) const TOO_BIG: u16 = 1009;
    pub(crate) const INTERNAL: u16 = 1011;
    pub(crate) const SERVICE_RESTART: u16 = 1012;
    pub const TOKEN_MISMATCH: u16 = 4008;
    /// Try again later: too many failed auth attempts from this peer.
    pub const TRY_AGAIN_LATER: u16 = 1013;

    pub const REASON_PAIRING_REQUIRED: &str = "pairing required";
    pub const REASON_INVALID_HANDSHAKE: &str = "invalid handshake: first request must be connect";
    pub const REASON_HANDSHAKE_TIMEOUT: &str = "handshake timeout";
    pub const REASON_TOO_BIG: &str = "frame too large (limit 64 KiB)";
    pub const REASON_TOKEN_MISMATCH: &str = "connect failed — device token mismatch";
    pub const REASON_TOKEN_REQUIRED: &str = "connect failed — device token required";
    pub const REASON_TOO_MANY: &str = "too many unauthenticated connections";
    pub const REASON_SERVICE_RESTART: &str = "service restart";
    pub const REASON_AUTH_RATE_LIMITED: &str = "too many failed auth attempts; try again later";
}

/// Error codes in `res` frames.
pub mod error_code {
    pub const INVALID_CONFIG: &str = "INVALID_CONFIG";
    pub(crate) const INVALID_REQUEST: &str = "INVALID_REQUEST";
    pub(crate) const UNKNOWN_METHOD: &str = "UNKNOWN_METHOD";
    pub const PROVIDER_UNAVAILABLE: &str = "PROVIDER_UNAVAILABLE";
    pub(crate) const UNKNOWN_PROVIDER: &str = "UNKNOWN_PROVIDER";
}

pub(crate) const MSG_INVALID_CONFIG: &str = "GatewayRequestError: Invalid Config";
pub(crate) const MSG_WEB_LOGIN_UNAVAILABLE: &str =
    "GatewayRequestError: Web Login Provider is not available";

/// The client kind of this CLI (trusted over loopback in local mode).
pub(crate) const CLIENT_CLI: &str = "cli";

/// Frames a client sends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(crate) enum ClientFrame {
    Connect(Connect),
    Req(Request),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Connect {
    pub device_id: String,
    pub client: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::config::opt_secret"
    )]
    pub token: Option<Secret>,
    /// The device's one-time pairing secret (sent while it has no token).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::config::opt_secret"
    )]
    pub claim: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Request {
    pub id: u64,
    pub method: String,
    #[serde(default)]
    pub params: serde_json::Value,
}

/// Frames the gateway sends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(crate) enum ServerFrame {
    HelloOk(HelloOk),
    Res(Response),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HelloOk {
    pub device_id: String,
    pub config_valid: bool,
    /// Offending keys when the config is invalid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_problems: Vec<String>,
    /// Issued only when the device connected without a token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::config::opt_secret"
    )]
    pub device_token: Option<Secret>,
    pub version: String,
    pub mode: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Response {
    pub id: u64,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RequestError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RequestError {
    pub code: String,
    pub message: String,
}

impl Response {
    pub(crate) fn ok(id: u64, payload: serde_json::Value) -> Self {
        Self {
            id,
            ok: true,
            payload: Some(payload),
            error: None,
        }
    }
    pub(crate) fn err(id: u64, code: &str, message: impl Into<String>) -> Self {
        Self {
            id,
            ok: false,
            payload: None,
            error: Some(RequestError {
                code: code.to_string(),
                message: message.into(),
            }),
        }
    }
}

/// Params of `send`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SendParams {
    pub channel: String,
    pub text: String,
}

/// Params of `login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LoginParams {
    pub provider: String,
}

/// A device id: 1–128 characters of `[A-Za-z0-9._-]` (it ends up in logs
/// and file names, so nothing else is accepted).
pub(crate) fn valid_device_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A channel or provider name: 1–32 characters of `[a-z0-9_-]`.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'))
}

/// Serde for `Option<Secret>`: the raw value on the wire, redacted in Debug.
/// Frame and message limits shared by server and client.
pub(crate) fn ws_config() -> tungstenite::protocol::WebSocketConfig {
    tungstenite::protocol::WebSocketConfig::default()
        .max_frame_size(Some(MAX_FRAME_BYTES))
        .max_message_size(Some(MAX_FRAME_BYTES))
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1 << 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_redact() {
        let text =
            r#"{"type":"connect","device_id":"cli-1","client":"cli","token":"s3cr3t-value"}"#;
        let frame: ClientFrame = serde_json::from_str(text).unwrap();
        let ClientFrame::Connect(c) = &frame else {
            panic!()
        };
        assert!(c.token.as_ref().unwrap().ct_eq("s3cr3t-value"));
        assert!(!format!("{frame:?}").contains("s3cr3t"));
        let back = serde_json::to_string(&frame).unwrap();
        assert!(back.contains("\"token\":\"s3cr3t-value\""), "{back}");

        let req: ClientFrame =
            serde_json::from_str(r#"{"type":"req","id":3,"method":"ping"}"#).unwrap();
        assert!(matches!(req, ClientFrame::Req(Request { id: 3, .. })));
        let res = serde_json::to_string(&ServerFrame::Res(Response::err(3, "X", "boom"))).unwrap();
        assert_eq!(
            res,
            r#"{"type":"res","id":3,"ok":false,"error":{"code":"X","message":"boom"}}"#
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_device_id("cli-0a1b"));
        assert!(!valid_device_id(""));
        assert!(!valid_device_id("a\nb"));
        assert!(!valid_device_id(&"a".repeat(129)));
        assert!(valid_name("whatsapp-web"));
        assert!(!valid_name("Tele gram"));
        assert!(close::REASON_TOKEN_MISMATCH.len() <= 123);
    }
}
