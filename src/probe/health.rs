//! The `health` probe: does the gateway answer `GET /health` on its port, is
//! it ready, and how fast?
//!
//! `200` means ready; `503` is the gateway's "still starting" answer. The
//! request goes to `127.0.0.1:<configured port>` within `env.net_timeout`, as
//! one HTTP/1.1 exchange on a plain loopback `TcpStream` (like
//! `gateway::daemon::check_health`): no proxy can intercept it, and no HTTP
//! client is built. A reqwest blocking client cost about 4 ms per doctor run
//! here (a runtime thread plus loading the system's TLS roots for a plain
//! `http://` URL), more than the rest of the probe.
//!
//! Facts: `health.reachable` (a TCP connection was accepted),
//! `health.timed_out` (connected, no answer in time: a hung gateway),
//! `health.ready`, `health.status_code`, `health.latency_ms`,
//! `health.handshake` (`skipped` until the WebSocket handshake is wired in at
//! the `HANDSHAKE:` hook below).

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::{configured_port, Evidence, ProbeEnv, Status};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Health;
/// Longest response read; the gateway's is about 100 bytes.
const MAX_RESPONSE: usize = 64 * 1024;

/// What one `GET /health` produced.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthOutcome {
    Answered {
        status: u16,
        body: String,
        latency_ms: f64,
    },
    Refused(String),
    TimedOut {
        latency_ms: f64,
    },
    Error(String),
}

/// `GET /health` on `127.0.0.1:port`, connect and answer within `timeout`.
pub fn get_health(port: u16, timeout: Duration) -> HealthOutcome {
    let started = Instant::now();
    let deadline = started + timeout;
    let elapsed_ms = || started.elapsed().as_secs_f64() * 1000.0;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(s) => s,
        Err(e) => return HealthOutcome::Refused(e.to_string()),
    };
    let _ = stream.set_nodelay(true);
    let is_timeout = |e: &io::Error| {
        matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        )
    };
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    };
    let request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
    let sent = left()
        .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))
        .and_then(|d| stream.set_write_timeout(Some(d)))
        .and_then(|()| stream.write_all(request));
    match sent {
        Ok(()) => {}
        Err(e) if is_timeout(&e) => {
            return HealthOutcome::TimedOut {
                latency_ms: elapsed_ms(),
            }
        }
        Err(e) => return HealthOutcome::Error(e.to_string()),
    }
    let mut response = Vec::with_capacity(512);
    let mut buf = [0u8; 4096];
    // Latency is taken when the response head is in, as an HTTP client's
    // `send()` returns then; the body is read after.
    let mut latency_ms = None;
    loop {
        let Some(d) = left() else {
            return HealthOutcome::TimedOut {
                latency_ms: elapsed_ms(),
            };
        };
        if let Err(e) = stream.set_read_timeout(Some(d)) {
            return HealthOutcome::Error(e.to_string());
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buf[..n]);
                if latency_ms.is_none() && head_end(&response).is_some() {
                    latency_ms = Some(elapsed_ms());
                }
                if response.len() >= MAX_RESPONSE || is_complete(&response) {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => {
                return HealthOutcome::TimedOut {
                    latency_ms: elapsed_ms(),
                }
            }
            // The head is in; the body is informational.
            Err(_) if latency_ms.is_some() => break,
            Err(e) => return HealthOutcome::Error(e.to_string()),
        }
    }
    let latency_ms = latency_ms.unwrap_or_else(elapsed_ms);
    match parse_response(&response) {
        Some((status, body)) => HealthOutcome::Answered {
            status,
            body,
            latency_ms,
        },
        None if response.is_empty() => {
            HealthOutcome::Error("the connection closed without an answer".into())
        }
        None => HealthOutcome::Error("the answer is not an HTTP/1.x response".into()),
    }
}

/// Offset of the blank line ending the response head.
fn head_end(response: &[u8]) -> Option<usize> {
    memchr::memmem::find(response, b"\r\n\r\n")
}

/// The head's lower-cased header value for `name` (`content-length`).
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_ascii_lowercase())
    })
}

fn is_chunked(head: &str) -> bool {
    header(head, "transfer-encoding").is_some_and(|v| v.contains("chunked"))
}

/// Complete once the `Content-Length` bytes of body, or the last chunk of a
/// chunked body, are in; otherwise the server's close ends it.
#[doc(hidden)] // pub for fuzz/fuzz_targets/http.rs
pub fn is_complete(response: &[u8]) -> bool {
    let Some(end) = head_end(response) else {
        return false;
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let body = &response[end + 4..];
    if let Some(n) = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        return body.len() >= n;
    }
    is_chunked(&head)
        && (body.starts_with(b"0\r\n") || memchr::memmem::find(body, b"\r\n0\r\n").is_some())
}

/// Status code and body text of a raw HTTP/1.x response.
#[doc(hidden)] // pub for fuzz/fuzz_targets/http.rs
pub fn parse_response(response: &[u8]) -> Option<(u16, String)> {
    let end = head_end(response).unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..end]);
    let status = head
        .lines()
        .next()?
        .strip_prefix("HTTP/1.")?
        .get(2..5)?
        .parse()
        .ok()?;
    let raw = response.get(end + 4..).unwrap_or_default();
    let body = if is_chunked(&head) {
        dechunk(raw)
    } else {
        match header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
            Some(n) => raw[..n.min(raw.len())].to_vec(),
            None => raw.to_vec(),
        }
    };
    Some((status, String::from_utf8_lossy(&body).into_owned()))
}

/// The payload of a chunked body (as much of it as is well-formed).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = memchr::memmem::find(raw, b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        let data = &raw[line_end + 2..];
        if size == 0 || data.len() < size {
            out.extend_from_slice(&data[..size.min(data.len())]);
            break;
        }
        out.extend_from_slice(&data[..size]);
        raw = data.get(size + 2..).unwrap_or_default();
    }
    out
}

pub fn probe(env: &ProbeEnv) -> Evidence {
    let port = configured_port(env);
    let url = format!("http://127.0.0.1:{port}/health");
    let timeout = env.net_timeout;
    let evidence = match get_health(port, timeout) {
        HealthOutcome::Answered {
            status,
            body,
            latency_ms,
        } => {
            let ready = status == 200;
            let (verdict, summary) = if ready {
                (
                    Status::Ok,
                    format!("{url} is ready ({status}, {latency_ms:.1} ms)"),
                )
            } else {
                let detail = body.trim();
                let detail = if detail.is_empty() || detail.len() > 200 {
                    String::new()
                } else {
                    format!(": {detail}")
                };
                (
                    Status::Fail,
                    format!("{url} answered {status}, not ready{detail}"),
                )
            };
            let (ours, answering_pid) = answered_by_ours(env, &body);
            let (verdict, summary) = if ready && !ours {
                let who = answering_pid
                    .map(|p| format!("pid {p}"))
                    .unwrap_or_else(|| "a server that is not a clawdoc gateway".into());
                (
                    Status::Fail,
                    format!("{url} answers, but it is {who}, not this home's gateway"),
                )
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
        HealthOutcome::Refused(why) => Evidence::new(
            NAME,
            Status::Fail,
            format!("nothing answers on {url}: {why}"),
        )
        .fact("health.reachable", false)
        .fact("health.timed_out", false)
        .fact("health.ready", false),
        HealthOutcome::TimedOut { latency_ms } => Evidence::new(
            NAME,
            Status::Fail,
            format!(
                "{url} accepted the connection but did not answer within {} ms (hung?)",
                timeout.as_millis()
            ),
        )
        .fact("health.reachable", true)
        .fact("health.timed_out", true)
        .fact("health.ready", false)
        .fact("health.latency_ms", latency_ms),
        HealthOutcome::Error(why) => {
            return Evidence::inconclusive(NAME, format!("cannot check {url}: {why}"))
                .fact("health.handshake", "skipped")
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
    use crate::gateway::client::{self, HandshakeOutcome};
    let paired = matches!(
        client::read_identity(&env.home.identity_path()),
        Ok(Some(identity)) if identity.device_token.is_some()
    );
    if !paired {
        return evidence.fact("health.handshake", "unpaired");
    }
    let (value, fail) = match client::handshake(&env.home, port, env.net_timeout) {
        HandshakeOutcome::Ok { config_valid: true } => ("ok", None),
        HandshakeOutcome::Ok {
            config_valid: false,
        } => (
            "invalid_config",
            Some("the gateway answers requests with `GatewayRequestError: Invalid Config`"),
        ),
        HandshakeOutcome::TokenMismatch => (
            "token_mismatch",
            Some("this CLI's device token was rejected (close 4008, device token mismatch)"),
        ),
        HandshakeOutcome::PairingRequired => (
            "pairing_required",
            Some("this CLI's device is not paired (close 1008, pairing required)"),
        ),
        HandshakeOutcome::Refused => ("refused", Some("the WebSocket connection was refused")),
        HandshakeOutcome::Error(_) => ("error", Some("the WebSocket handshake failed")),
    };
    let mut evidence = evidence.fact("health.handshake", value);
    if let Some(why) = fail {
        evidence.status = Status::Fail;
        evidence.summary = format!("{}; {why}", evidence.summary);
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;
    use std::io::{Read, Write};
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

    /// Serves `raw` bytes verbatim to every connection, then closes it.
    fn serve_raw(raw: &'static [u8]) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(raw);
            }
        });
        port
    }

    #[test]
    fn chunked_and_unframed_bodies_are_read() {
        let port = serve_raw(
            b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{\"status\"\r\nC\r\n:\"starting\"}\r\n0\r\n\r\n",
        );
        match get_health(port, Duration::from_secs(2)) {
            HealthOutcome::Answered { status, body, .. } => {
                assert_eq!(status, 503);
                assert_eq!(body, r#"{"status":"starting"}"#);
            }
            other => panic!("{other:?}"),
        }
        // No length, no chunking: the body runs to the close.
        let port = serve_raw(b"HTTP/1.0 200 OK\r\n\r\nfine");
        match get_health(port, Duration::from_secs(2)) {
            HealthOutcome::Answered { status, body, .. } => {
                assert_eq!((status, body.as_str()), (200, "fine"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_non_http_answer_is_inconclusive() {
        let port = serve_raw(b"SSH-2.0-OpenSSH_9.6\r\n");
        let e = probe(&env_for(port).env);
        assert_eq!(e.status, Status::Inconclusive, "{}", e.summary);
        assert_eq!(e.get("health.handshake"), Some(&"skipped".into()));
        let port = serve_raw(b"");
        assert!(matches!(
            get_health(port, Duration::from_secs(2)),
            HealthOutcome::Error(_)
        ));
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
