//! Failed-authentication rate limit per peer address: a token bucket of
//! [`BURST`] failures refilled at one per [`REFILL`]. A peer with an empty
//! bucket is refused at once (close 1013 `try again later`) before any
//! store read or token check, so guessing device tokens is slow; this
//! home's own CLI (proved by its identity file) is never refused.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts a peer may make at once.
pub(super) const BURST: u32 = 10;
/// One more failed attempt is allowed per this much time.
pub(super) const REFILL: Duration = Duration::from_secs(6);
/// Peers tracked at most (full buckets are forgotten first).
const MAX_PEERS: usize = 4096;

#[derive(Debug)]
pub(crate) struct AuthLimiter {
    burst: f64,
    refill: Duration,
    peers: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn refilled(self, now: Instant, burst: f64, refill: Duration) -> Self {
        let gained = now.duration_since(self.at).as_secs_f64() / refill.as_secs_f64();
        Self {
            tokens: (self.tokens + gained).min(burst),
            at: now,
        }
    }
}

impl AuthLimiter {
    pub(crate) fn new(burst: u32, refill: Duration) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            refill: refill.max(Duration::from_millis(1)),
            peers: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `ip` has used up its failed attempts (and must wait).
    pub(crate) fn locked(&self, ip: IpAddr) -> bool {
        let mut peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match peers.get_mut(&ip) {
            Some(b) => {
                *b = b.refilled(now, self.burst, self.refill);
                b.tokens < 1.0
            }
            None => false,
        }
    }

    /// Records a failed attempt by `ip`; true when this one used up its
    /// bucket (the moment to log the lockout).
    pub(crate) fn failed(&self, ip: IpAddr) -> bool {
        let mut peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if peers.len() >= MAX_PEERS && !peers.contains_key(&ip) {
            let (burst, refill) = (self.burst, self.refill);
            peers.retain(|_, b| b.refilled(now, burst, refill).tokens < burst);
            if peers.len() >= MAX_PEERS {
                peers.clear();
            }
        }
        let b = peers.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        *b = b.refilled(now, self.burst, self.refill);
        let before = b.tokens;
        b.tokens = (b.tokens - 1.0).max(0.0);
        before >= 1.0 && b.tokens < 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_failures_locks_the_peer_until_refilled() {
        let l = AuthLimiter::new(3, Duration::from_millis(200));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(!l.failed(a) && !l.failed(a));
        assert!(!l.locked(a));
        assert!(l.failed(a), "the third failure locks");
        assert!(l.locked(a) && !l.locked(b));
        std::thread::sleep(Duration::from_millis(250));
        assert!(!l.locked(a), "one attempt refilled");
    }
}
