//! Limits on connections that have not authenticated yet: HTTP connections
//! (until they upgrade or close) and WebSocket sessions (until `hello-ok`).
//!
//! At most [`PER_PEER`] such connections per IP address and [`GLOBAL`] in
//! all. A new one over a limit evicts the *oldest* unauthenticated
//! connection (of that peer, else of anyone): a flood of idle connections
//! cannot lock out `/health` or a client that authenticates at once, and the
//! gateway's file descriptors and buffers stay bounded.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Unauthenticated connections kept per peer address.
pub(super) const PER_PEER: usize = 64;
/// Unauthenticated connections kept in all.
pub(super) const GLOBAL: usize = 256;

#[derive(Debug)]
pub(crate) struct PreAuth {
    per_peer_cap: usize,
    global_cap: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    /// Oldest first.
    live: BTreeMap<u64, (IpAddr, Arc<Notify>)>,
    per_peer: HashMap<IpAddr, usize>,
    evicted: u64,
}

impl Inner {
    fn remove(&mut self, id: u64) -> Option<Arc<Notify>> {
        let (ip, notify) = self.live.remove(&id)?;
        if let Some(n) = self.per_peer.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                self.per_peer.remove(&ip);
            }
        }
        Some(notify)
    }
}

/// What taking a slot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Taken {
    /// A connection was evicted to make room; the running total.
    pub evictions: Option<u64>,
}

/// One unauthenticated connection's place; released on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    owner: Arc<PreAuth>,
    id: u64,
    notify: Arc<Notify>,
}

impl PreAuth {
    pub(crate) fn new(per_peer_cap: usize, global_cap: usize) -> Arc<Self> {
        Arc::new(Self {
            per_peer_cap: per_peer_cap.max(1),
            global_cap: global_cap.max(1),
            inner: Mutex::new(Inner::default()),
        })
    }

    /// Takes a slot for a connection from `ip`, evicting the oldest one
    /// over a limit.
    pub(crate) fn take(self: &Arc<Self>, ip: IpAddr) -> (Slot, Taken) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let victim = if inner.per_peer.get(&ip).copied().unwrap_or(0) >= self.per_peer_cap {
            inner
                .live
                .iter()
                .find(|(_, (peer, _))| *peer == ip)
                .map(|(id, _)| *id)
        } else if inner.live.len() >= self.global_cap {
            inner.live.keys().next().copied()
        } else {
            None
        };
        let mut taken = Taken { evictions: None };
        if let Some(notify) = victim.and_then(|id| inner.remove(id)) {
            notify.notify_one();
            inner.evicted += 1;
            taken.evictions = Some(inner.evicted);
        }
        let id = inner.next;
        inner.next += 1;
        let notify = Arc::new(Notify::new());
        inner.live.insert(id, (ip, notify.clone()));
        *inner.per_peer.entry(ip).or_insert(0) += 1;
        (
            Slot {
                owner: self.clone(),
                id,
                notify,
            },
            taken,
        )
    }

    /// Unauthenticated connections open now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .live
            .len()
    }
}

impl Slot {
    /// Resolves when this connection was evicted to make room for a newer one.
    pub(crate) async fn evicted(&self) {
        self.notify.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut inner = self.owner.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.remove(self.id);
    }
}

/// Logs the first eviction and every thousandth (a flood must not flood the log).
pub(crate) fn worth_logging(taken: Taken) -> Option<u64> {
    taken.evictions.filter(|n| *n == 1 || n % 1000 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn oldest_of_the_peer_is_evicted_first() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let limits = PreAuth::new(2, 3);
        let (a1, t) = limits.take(a);
        assert_eq!(t.evictions, None);
        let (b1, _) = limits.take(b);
        let (_a2, _) = limits.take(a);
        // Third from `a`: a1 (its oldest) goes, b1 stays.
        let (_a3, t) = limits.take(a);
        assert_eq!(t.evictions, Some(1));
        tokio::time::timeout(std::time::Duration::from_secs(1), a1.evicted())
            .await
            .unwrap();
        assert_eq!(limits.len(), 3);
        // Global cap: a new peer evicts the oldest overall (b1).
        let (_c1, t) = limits.take("10.0.0.3".parse().unwrap());
        assert_eq!(t.evictions, Some(2));
        tokio::time::timeout(std::time::Duration::from_secs(1), b1.evicted())
            .await
            .unwrap();
        drop(_c1);
        assert_eq!(limits.len(), 2);
    }
}
