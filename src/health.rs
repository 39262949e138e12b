//! The one HTTP/1.1 client for the gateway's loopback endpoints: `GET
//! /health` for the daemon's readiness wait, `status`, the `health` probe and
//! the tests. One request on a plain loopback `TcpStream` within a deadline:
//! no proxy variable can reroute it and no HTTP client is built (a reqwest
//! blocking client cost about 4 ms per doctor run here: a runtime thread plus
//! the system's TLS roots for a plain `http://` URL).
//!
//! Reads `Content-Length` and chunked bodies; an unframed body runs to the
//! close. Does not know what a healthy answer means beyond the gateway's
//! `/health` JSON ([`Health`]); what to conclude is the caller's.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::protocol::HEALTH_PATH;

/// Longest response read; the gateway's is about 100 bytes.
const MAX_RESPONSE: usize = 64 * 1024;

/// One HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    /// The response head (status line and headers), lower-cased.
    pub head: String,
    pub body: String,
    /// Until the response head was in (as an HTTP client's `send()`
    /// returns), in milliseconds.
    pub latency_ms: f64,
}

/// Why a request got no HTTP answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("connect 127.0.0.1:{port}: {source}")]
    Connect {
        port: u16,
        #[source]
        source: io::Error,
    },
    #[error("no answer from 127.0.0.1:{port} within {} ms", timeout.as_millis())]
    Timeout {
        port: u16,
        timeout: Duration,
        latency_ms: f64,
    },
    #[error("127.0.0.1:{port}: {source}")]
    Io {
        port: u16,
        #[source]
        source: io::Error,
    },
    #[error("127.0.0.1:{port}: {what}")]
    NotHttp { port: u16, what: &'static str },
}

impl HttpError {
    /// `ECONNREFUSED`: nothing listens on the port.
    pub fn is_refused(&self) -> bool {
        matches!(self, HttpError::Connect { source, .. } if source.kind() == io::ErrorKind::ConnectionRefused)
    }
}

/// `GET /health` on `127.0.0.1:port`.
pub fn get_health(port: u16, timeout: Duration) -> Result<Reply, HttpError> {
    request(port, "GET", HEALTH_PATH, timeout)
}

/// `method path` on `127.0.0.1:port`, connect and answer within `timeout`.
pub fn request(port: u16, method: &str, path: &str, timeout: Duration) -> Result<Reply, HttpError> {
    let started = Instant::now();
    let deadline = started + timeout;
    let elapsed_ms = || started.elapsed().as_secs_f64() * 1000.0;
    let timed_out = || HttpError::Timeout {
        port,
        timeout,
        latency_ms: elapsed_ms(),
    };
    let is_timeout = |e: &io::Error| {
        matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        )
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|source| {
        if is_timeout(&source) {
            timed_out()
        } else {
            HttpError::Connect { port, source }
        }
    })?;
    let _ = stream.set_nodelay(true);
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    };
    let io_err = |source: io::Error| {
        if is_timeout(&source) {
            timed_out()
        } else {
            HttpError::Io { port, source }
        }
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .set_write_timeout(Some(left().ok_or_else(timed_out)?))
        .map_err(io_err)?;
    stream.write_all(request.as_bytes()).map_err(io_err)?;
    let mut response = Vec::with_capacity(512);
    let mut buf = [0u8; 4096];
    let mut latency_ms = None;
    loop {
        let d = left().ok_or_else(timed_out)?;
        stream.set_read_timeout(Some(d)).map_err(io_err)?;
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
            // The head is in; the body is informational.
            Err(e) if latency_ms.is_some() && !is_timeout(&e) => break,
            Err(e) => return Err(io_err(e)),
        }
    }
    reply_from(port, &response, latency_ms.unwrap_or_else(elapsed_ms))
}

/// The [`Reply`] in the raw bytes of a response (as read until complete,
/// the size cap or the close).
pub(crate) fn reply_from(port: u16, response: &[u8], latency_ms: f64) -> Result<Reply, HttpError> {
    match parse_response(response) {
        Some((status, head, body)) => Ok(Reply {
            status,
            head,
            body,
            latency_ms,
        }),
        None if response.is_empty() => Err(HttpError::NotHttp {
            port,
            what: "the connection closed without an answer",
        }),
        None => Err(HttpError::NotHttp {
            port,
            what: "the answer is not an HTTP/1.x response",
        }),
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
pub(crate) fn is_complete(response: &[u8]) -> bool {
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

/// Status code, lower-cased head and body text of a raw HTTP/1.x response.
pub(crate) fn parse_response(response: &[u8]) -> Option<(u16, String, String)> {
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
    Some((
        status,
        head.to_ascii_lowercase(),
        String::from_utf8_lossy(&body).into_owned(),
    ))
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

/// The gateway's `/health` answer, read as the gateway's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// HTTP status: 200 when ready, 503 while starting.
    pub code: u16,
    pub ready: bool,
    pub pid: Option<i32>,
    pub mode: Option<String>,
    pub port: Option<u16>,
    /// Round trip, in milliseconds.
    pub ms: f64,
}

/// Why `/health` gave no gateway answer.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("127.0.0.1:{port} answered, but not like the gateway: {what}")]
    NotGateway { port: u16, what: String },
}

/// `GET /health` on `127.0.0.1:port` within `timeout`, read as the gateway's
/// answer (a JSON object with a `status` field).
pub fn check_health(port: u16, timeout: Duration) -> Result<Health, HealthError> {
    health_from_reply(port, &get_health(port, timeout)?)
}

/// A `/health` [`Reply`] read as the gateway's answer.
pub(crate) fn health_from_reply(port: u16, reply: &Reply) -> Result<Health, HealthError> {
    let code = reply.status;
    let not_gateway = |what: String| HealthError::NotGateway { port, what };
    let v: serde_json::Value = serde_json::from_str(reply.body.trim())
        .map_err(|_| not_gateway(format!("HTTP {code} with a body that is not JSON")))?;
    if v.get("status").is_none() {
        return Err(not_gateway(format!(
            "HTTP {code} JSON without a status field"
        )));
    }
    Ok(Health {
        code,
        ready: code == 200 && v.get("ready").and_then(|r| r.as_bool()).unwrap_or(false),
        pid: v.get("pid").and_then(|p| p.as_i64()).map(|p| p as i32),
        mode: v.get("mode").and_then(|m| m.as_str()).map(String::from),
        port: v.get("port").and_then(|p| p.as_u64()).map(|p| p as u16),
        ms: reply.latency_ms,
    })
}

/// Test helper: serves `raw` bytes verbatim to every connection on a fresh
/// loopback port, then closes it.
#[cfg(test)]
pub(crate) fn serve_raw(raw: &'static [u8]) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn chunked_and_unframed_bodies_are_read() {
        let port = serve_raw(
            b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{\"status\"\r\nC\r\n:\"starting\"}\r\n0\r\n\r\n",
        );
        let reply = get_health(port, Duration::from_secs(2)).unwrap();
        assert_eq!(reply.status, 503);
        assert_eq!(reply.body, r#"{"status":"starting"}"#);
        // No length, no chunking: the body runs to the close.
        let port = serve_raw(b"HTTP/1.0 200 OK\r\n\r\nfine");
        let reply = get_health(port, Duration::from_secs(2)).unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "fine"));
    }

    #[test]
    fn health_against_real_sockets() {
        // Nothing listening: refused.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = check_health(port, Duration::from_millis(200)).unwrap_err();
        assert!(matches!(&e, HealthError::Http(h) if h.is_refused()), "{e}");
        // Listening but silent: a timeout, not a hang.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let t = Instant::now();
        let e = check_health(port, Duration::from_millis(150)).unwrap_err();
        assert!(
            matches!(e, HealthError::Http(HttpError::Timeout { .. })),
            "{e}"
        );
        assert!(t.elapsed() < Duration::from_secs(2));
        // A tiny fake gateway.
        let fake = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = fake.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = fake.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let body = "{\"status\":\"ok\",\"ready\":true,\"pid\":7}";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            // Keep the socket open: completion must come from content-length.
            std::thread::sleep(Duration::from_millis(500));
        });
        let h = check_health(port, Duration::from_secs(2)).unwrap();
        assert_eq!((h.ready, h.pid), (true, Some(7)));
        assert!(h.ms < 400.0, "{h:?}");
        server.join().unwrap();
    }

    #[test]
    fn reads_health_answers_as_the_gateway_s() {
        let check = |raw: &'static [u8]| check_health(serve_raw(raw), Duration::from_secs(2));
        let h = check(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n{\"status\":\"ok\",\"ready\":true,\"pid\":42,\"port\":3001,\"mode\":\"local\"}").unwrap();
        assert!(h.ready);
        assert_eq!((h.code, h.pid, h.port), (200, Some(42), Some(3001)));
        assert_eq!(h.mode.as_deref(), Some("local"));
        let starting = check(
            b"HTTP/1.1 503 Service Unavailable\r\n\r\n{\"status\":\"starting\",\"ready\":false}",
        );
        assert!(!starting.unwrap().ready);
        let chunked = check(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1c\r\n{\"status\":\"ok\",\"ready\":true}\r\n0\r\n\r\n");
        assert!(chunked.unwrap().ready);
        assert!(matches!(
            check(b"SSH-2.0-OpenSSH\r\n"),
            Err(HealthError::Http(HttpError::NotHttp { .. }))
        ));
        assert!(matches!(
            check(b"HTTP/1.1 200 OK\r\n\r\n<html>"),
            Err(HealthError::NotGateway { .. })
        ));
    }
}
