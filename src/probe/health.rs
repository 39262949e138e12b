//! The `health` probe: does the gateway answer `GET /health` on its port, is
//! it ready, and how fast?
//!
//! `200` means ready; `503` is the gateway's "still starting" answer. The
//! request goes to `127.0.0.1:<configured port>` within `env.net_timeout`, as
//! one HTTP/1.1 exchange through [`crate::health`], the one loopback client
//! the daemon and the tests use too: no proxy can intercept it.
//!
//! Facts: `health.reachable` (a TCP connection was accepted),
//! `health.timed_out` (connected, no answer in time: a hung gateway),
//! `health.ready`, `health.status_code`, `health.latency_ms`,
//! `health.handshake` (`skipped` until the WebSocket handshake is wired in at
//! the `HANDSHAKE:` hook below).

use super::{configured_port, Evidence, ProbeEnv, Status};
use crate::health::{self, HttpError, Reply};
use crate::i18n::msg;
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Health;

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let port = configured_port(env);
    let url = format!("http://127.0.0.1:{port}/health");
    let timeout = env.net_timeout;
    let evidence = match health::get_health(port, timeout) {
        Ok(Reply {
            status,
            body,
            latency_ms,
            ..
        }) => {
            let ready = status == 200;
            let (verdict, summary) = if ready {
                (
                    Status::Ok,
                    msg!(
                        "health-ready",
                        url = &url,
                        status = status,
                        ms = format!("{latency_ms:.1}")
                    ),
                )
            } else {
                let detail = body.trim();
                let summary = if detail.is_empty() || detail.len() > 200 {
                    msg!("health-not-ready", url = &url, status = status)
                } else {
                    msg!(
                        "health-not-ready-detail",
                        url = &url,
                        status = status,
                        detail = detail
                    )
                };
                (Status::Fail, summary)
            };
            let (ours, answering_pid) = answered_by_ours(env, &body);
            let (verdict, summary) = if ready && !ours {
                let who = match answering_pid {
                    Some(p) => msg!("pid-n", pid = p),
                    None => msg!("health-not-clawdoc"),
                };
                (Status::Fail, msg!("health-not-ours", url = &url, who = who))
            } else {
                (verdict, summary)
            };
            Evidence::new(NAME, verdict, summary)
                .fact("health.ours", ours)
                .fact("health.reachable", true)
                .fact("health.timed_out", false)
                .fact("health.ready", ready)
                .fact("health.status_code", status)
                .fact("health.latency_ms", latency_ms)
        }
        Err(HttpError::Connect { source: why, .. }) => Evidence::new(
            NAME,
            Status::Fail,
            msg!("health-nothing-answers", url = &url, error = why),
        )
        .fact("health.reachable", false)
        .fact("health.timed_out", false)
        .fact("health.ready", false),
        Err(HttpError::Timeout { latency_ms, .. }) => Evidence::new(
            NAME,
            Status::Fail,
            msg!("health-hung", url = &url, ms = timeout.as_millis()),
        )
        .fact("health.reachable", true)
        .fact("health.timed_out", true)
        .fact("health.ready", false)
        .fact("health.latency_ms", latency_ms),
        Err(why @ (HttpError::Io { .. } | HttpError::NotHttp { .. })) => {
            let why = match why {
                HttpError::NotHttp { what, .. } => what.to_string(),
                HttpError::Io { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            return Evidence::inconclusive(
                NAME,
                msg!("health-cannot-check", url = &url, error = why),
            )
            .fact("health.handshake", "skipped");
        }
    };
    if evidence.get("health.ready") != Some(&serde_json::Value::Bool(true)) {
        return evidence.fact("health.handshake", "skipped");
    }
    if evidence.get("health.ours") == Some(&serde_json::Value::Bool(false)) {
        return evidence.fact("health.handshake", "skipped");
    }
    handshake(env, port, evidence)
}

/// Is the process answering `/health` (its `pid` field) this home's gateway,
/// the one `gateway.pid` records and that passes the identity check? Another
/// home's gateway, or any other server, on our port is not.
fn answered_by_ours(env: &ProbeEnv, body: &str) -> (bool, Option<i64>) {
    let pid = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("pid").and_then(serde_json::Value::as_i64));
    let ours = match (pid, super::recorded_gateway(env)) {
        (Some(pid), Some(record)) => {
            i64::from(record.pid) == pid
                && matches!(
                    record.identify(&env.proc_root, &env.home),
                    crate::procinfo::Identity::Gateway { .. }
                )
        }
        _ => false,
    };
    (ours, pid)
}

/// Connects as this CLI's device, but only when it already holds a device
/// token: a device without one would be paired (or issued a token) by the
/// gateway, and probes change nothing. That case reports `unpaired`.
fn handshake(env: &ProbeEnv, port: u16, evidence: Evidence) -> Evidence {
    use crate::client::{self, HandshakeOutcome};
    let paired = matches!(
        crate::state::identity::read(&env.home.identity_path()),
        Ok(Some(identity)) if identity.device_token.is_some()
    );
    if !paired {
        return evidence.fact("health.handshake", "unpaired");
    }
    let (value, fail) = match client::handshake(&env.home, port, env.net_timeout) {
        HandshakeOutcome::Ok { config_valid: true } => ("ok", None),
        HandshakeOutcome::Ok {
            config_valid: false,
        } => ("invalid_config", Some(msg!("handshake-invalid-config"))),
        HandshakeOutcome::TokenMismatch => {
            ("token_mismatch", Some(msg!("handshake-token-mismatch")))
        }
        HandshakeOutcome::PairingRequired => {
            ("pairing_required", Some(msg!("handshake-pairing-required")))
        }
        HandshakeOutcome::Refused => ("refused", Some(msg!("handshake-refused"))),
        HandshakeOutcome::Error(_) => ("error", Some(msg!("handshake-failed"))),
    };
    let mut evidence = evidence.fact("health.handshake", value);
    if let Some(why) = fail {
        evidence.status = Status::Fail;
        let first = crate::i18n::Message::clone(&evidence.message);
        evidence = evidence.say(msg!("joined", first = first, second = why));
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::serve_raw;
    use crate::probe::testutil::Staged;
    use std::net::TcpListener;
    use std::time::Duration;

    /// Serves one canned HTTP response to every connection until the test ends.
    fn serve(status_line: &'static str, body: &'static str) -> u16 {
        let reply = format!(
            "HTTP/1.1 {status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        serve_raw(reply.leak().as_bytes())
    }

    fn env_for(port: u16) -> Staged {
        let mut s = Staged::new(None, &[]);
        s.set_var("CLAWDOC_GATEWAY_PORT", port.to_string());
        // A proxy in the environment must not matter (no_proxy).
        s.set_var("HTTP_PROXY", "http://127.0.0.1:9");
        s
    }

    #[test]
    fn ready_server_that_is_not_our_gateway_fails() {
        // 200 from something that is not the gateway gateway.pid records
        // (here: no pid file at all). Our own gateway answering is covered
        // end to end by the doctor's integration tests.
        let port = serve("200 OK", r#"{"status":"ok","ready":true,"pid":4242}"#);
        let staged = env_for(port);
        let e = probe(&staged.env);
        assert_eq!(e.status, Status::Fail, "{}", e.summary);
        assert!(e.summary.contains("pid 4242"), "{}", e.summary);
        assert_eq!(e.get("health.reachable"), Some(&true.into()));
        assert_eq!(e.get("health.ready"), Some(&true.into()));
        assert_eq!(e.get("health.ours"), Some(&false.into()));
        assert_eq!(e.get("health.status_code"), Some(&200.into()));
        assert!(e.get("health.latency_ms").unwrap().as_f64().unwrap() >= 0.0);
        // Not ours: no handshake, and nothing paired or written.
        assert_eq!(e.get("health.handshake"), Some(&"skipped".into()));
        assert!(!staged.home().join("identity.json").exists());
    }

    #[test]
    fn starting_gateway_is_not_ready() {
        let port = serve(
            "503 Service Unavailable",
            r#"{"status":"starting","ready":false}"#,
        );
        let e = probe(&env_for(port).env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("health.reachable"), Some(&true.into()));
        assert_eq!(e.get("health.ready"), Some(&false.into()));
        assert_eq!(e.get("health.status_code"), Some(&503.into()));
        assert!(e.summary.contains("503"), "{}", e.summary);
    }

    #[test]
    fn refused_connection_is_unreachable() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = probe(&env_for(port).env);
        assert_eq!(e.status, Status::Fail, "{}", e.summary);
        assert_eq!(e.get("health.reachable"), Some(&false.into()));
        assert_eq!(e.get("health.timed_out"), Some(&false.into()));
    }

    #[test]
    fn a_non_http_answer_is_inconclusive() {
        let port = serve_raw(b"SSH-2.0-OpenSSH_9.6\r\n");
        let e = probe(&env_for(port).env);
        assert_eq!(e.status, Status::Inconclusive, "{}", e.summary);
        assert_eq!(e.get("health.handshake"), Some(&"skipped".into()));
        let port = serve_raw(b"");
        let e = probe(&env_for(port).env);
        assert_eq!(e.status, Status::Inconclusive, "{}", e.summary);
        assert!(
            e.summary.contains("closed without an answer"),
            "{}",
            e.summary
        );
    }

    #[test]
    fn silent_listener_times_out() {
        // Accepted by the kernel (backlog) but never answered, like a
        // SIGSTOPped gateway.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut s = env_for(port);
        s.env.net_timeout = Duration::from_millis(300);
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail, "{}", e.summary);
        assert_eq!(e.get("health.reachable"), Some(&true.into()));
        assert_eq!(e.get("health.timed_out"), Some(&true.into()));
        drop(listener);
    }
}
