//! The gateway's device store (`devices.json`): paired devices and pending
//! pairing requests, and the device tokens derived from the gateway token.
//!
//! No token is stored: a device token is `hex(HMAC-SHA256(gateway token,
//! device id))`, so it changes exactly when the gateway token does (the
//! seed's cause of 4008) and the store holds nothing secret. The file is
//! JSON, mode 0600, written atomically; every read-modify-write holds an
//! flock on the sidecar `devices.lock` because the running gateway and the
//! `devices` commands edit it concurrently.
//!
//! Token delivery: a device asking to pair sends a one-time secret of its
//! own choosing (the *claim*); only its SHA-256 is kept, with the pending
//! request and, after approval, with the paired device until the token is
//! picked up. The token goes only to a connect presenting that claim, once.
//! Pending requests are capped ([`MAX_PENDING`]) and expire
//! ([`PENDING_TTL_SECS`]); the first requester of an id keeps it.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::Secret;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceStore {
    #[serde(default)]
    pub paired: Vec<PairedDevice>,
    #[serde(default)]
    pub pending: Vec<PendingRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairedDevice {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Client kind (`cli`, …).
    pub client: String,
    /// RFC 3339, UTC.
    pub paired_at: String,
    /// SHA-256 (hex) of the claim that may pick up the device token once;
    /// absent after pickup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingRequest {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub client: String,
    pub requested_at: String,
    /// Address the request came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// SHA-256 (hex) of the requester's claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_hash: Option<String>,
}

/// Pending requests kept at once; more are refused until some expire or
/// are approved or removed.
pub const MAX_PENDING: usize = 64;
/// A pending request older than this is dropped.
pub const PENDING_TTL_SECS: i64 = 15 * 60;

/// What [`DeviceStore::request`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// A new pending request was recorded.
    Recorded,
    /// A request for this id is already pending; it was left as it is
    /// (the first requester keeps its peer, name and claim).
    AlreadyPending,
    /// [`MAX_PENDING`] requests are pending; this one was not recorded.
    Full,
}

/// How a connect without a token may get the device token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pickup {
    /// The claim matched: the token may be issued (the claim is used up).
    Issue,
    /// No pending pickup, or the claim does not match.
    Refused,
    /// Not a paired device.
    NotPaired,
}

/// `hex(SHA-256(claim))`.
pub fn claim_hash(claim: &Secret) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(claim.expose().as_bytes()))
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceStoreError {
    #[error("{}:{line}:{col}: malformed device store: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("cannot access {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("no paired device or pending request with id {id:?} (see `clawdoc devices list`)")]
    UnknownDevice { id: String },
}

/// What `approve` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approved {
    Newly,
    AlreadyPaired,
}

/// What `remove` removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    Paired,
    Pending,
}

impl DeviceStore {
    pub(crate) fn paired(&self, id: &str) -> Option<&PairedDevice> {
        self.paired.iter().find(|d| d.id == id)
    }

    /// Adds (or keeps) a paired device and drops its pending request.
    /// `claim_hash` lets the holder of that claim pick up the token once.
    pub fn pair(
        &mut self,
        id: &str,
        client: &str,
        name: Option<String>,
        now: &str,
        claim_hash: Option<String>,
    ) -> Approved {
        self.pending.retain(|p| p.id != id);
        if self.paired(id).is_some() {
            return Approved::AlreadyPaired;
        }
        self.paired.push(PairedDevice {
            id: id.to_string(),
            name,
            client: client.to_string(),
            paired_at: now.to_string(),
            claim_hash,
        });
        Approved::Newly
    }

    /// May a connect presenting `claim_hash` (and no token) pick up the
    /// token of paired device `id`? A match uses the claim up.
    pub fn pick_up(&mut self, id: &str, claim_hash: Option<&str>) -> Pickup {
        let Some(device) = self.paired.iter_mut().find(|d| d.id == id) else {
            return Pickup::NotPaired;
        };
        match (&device.claim_hash, claim_hash) {
            (Some(want), Some(got))
                if subtle::ConstantTimeEq::ct_eq(want.as_bytes(), got.as_bytes()).into() =>
            {
                device.claim_hash = None;
                Pickup::Issue
            }
            _ => Pickup::Refused,
        }
    }

    /// Drops pending requests made before `cutoff` (an RFC 3339 UTC
    /// timestamp in the store's own format, so they compare as text).
    pub fn expire_pending(&mut self, cutoff: &str) {
        self.pending.retain(|p| p.requested_at.as_str() >= cutoff);
    }

    /// Records a pending pairing request, unless one for this id is already
    /// pending (the first requester keeps it) or the store is full.
    pub fn request(
        &mut self,
        id: &str,
        client: &str,
        name: Option<String>,
        peer: Option<String>,
        now: &str,
        claim_hash: Option<String>,
    ) -> Requested {
        if self.pending.iter().any(|p| p.id == id) {
            return Requested::AlreadyPending;
        }
        if self.pending.len() >= MAX_PENDING {
            return Requested::Full;
        }
        self.pending.push(PendingRequest {
            id: id.to_string(),
            name,
            client: client.to_string(),
            requested_at: now.to_string(),
            peer,
            claim_hash,
        });
        Requested::Recorded
    }

    /// Approves a pending request (or confirms an already paired device).
    pub fn approve(&mut self, id: &str, now: &str) -> Result<Approved, DeviceStoreError> {
        if self.paired(id).is_some() {
            return Ok(Approved::AlreadyPaired);
        }
        let Some(pos) = self.pending.iter().position(|p| p.id == id) else {
            return Err(DeviceStoreError::UnknownDevice { id: id.to_string() });
        };
        let req = self.pending.remove(pos);
        Ok(self.pair(&req.id, &req.client, req.name, now, req.claim_hash))
    }

    /// Removes a paired device, or else a pending request.
    pub fn remove(&mut self, id: &str) -> Result<Removed, DeviceStoreError> {
        if let Some(pos) = self.paired.iter().position(|d| d.id == id) {
            self.paired.remove(pos);
            self.pending.retain(|p| p.id != id);
            return Ok(Removed::Paired);
        }
        if let Some(pos) = self.pending.iter().position(|p| p.id == id) {
            self.pending.remove(pos);
            return Ok(Removed::Pending);
        }
        Err(DeviceStoreError::UnknownDevice { id: id.to_string() })
    }
}

/// The [`DeviceStore::expire_pending`] cutoff for now.
pub fn pending_cutoff() -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::seconds(PENDING_TTL_SECS);
    crate::text::rfc3339_millis(t)
}

/// Reads the store; a missing file is an empty store.
pub fn load(path: &Path) -> Result<DeviceStore, DeviceStoreError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DeviceStore::default()),
        Err(source) => {
            return Err(DeviceStoreError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(DeviceStore::default());
    }
    serde_json::from_slice(&text).map_err(|e| DeviceStoreError::Malformed {
        path: path.to_path_buf(),
        line: e.line().max(1),
        col: e.column().max(1),
        message: e.to_string(),
    })
}

/// Writes the store atomically, mode 0600.
pub(crate) fn save(path: &Path, store: &DeviceStore) -> Result<(), DeviceStoreError> {
    let mut json = serde_json::to_vec_pretty(store).expect("the device store serialises");
    json.push(b'\n');
    crate::fsutil::write_atomic(path, &json, 0o600).map_err(|source| DeviceStoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn lock_path(path: &Path) -> PathBuf {
    path.with_extension("lock")
}

/// Read-modify-write under the store's lock. The file is written only when
/// `edit` changed the store.
pub fn update<R>(
    path: &Path,
    edit: impl FnOnce(&mut DeviceStore) -> R,
) -> Result<R, DeviceStoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    let lock_file = lock_path(path);
    let io_err = |source| DeviceStoreError::Io {
        path: lock_file.clone(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err)?;
    }
    let lock = crate::fsutil::open_no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600),
        &lock_file,
    )
    .map_err(io_err)?;
    fs4::fs_std::FileExt::lock_exclusive(&lock).map_err(io_err)?;
    let mut store = load(path)?;
    let before = store.clone();
    let result = edit(&mut store);
    if store != before {
        save(path, &store)?;
    }
    let _ = fs4::fs_std::FileExt::unlock(&lock);
    Ok(result)
}

/// `hex(HMAC-SHA256(gateway token, device id))`.
pub(crate) fn device_token(gateway_token: &Secret, device_id: &str) -> Secret {
    let mut mac = Hmac::<Sha256>::new_from_slice(gateway_token.expose().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(device_id.as_bytes());
    Secret::new(hex::encode(mac.finalize().into_bytes()))
}

/// Does `presented` equal the device's token? Constant time in the content.
pub(crate) fn verify_device_token(
    gateway_token: &Secret,
    device_id: &str,
    presented: &Secret,
) -> bool {
    device_token(gateway_token, device_id).ct_eq(presented.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_the_gateway_token() {
        let a = Secret::new("gateway-token-aaaaaaaa");
        let b = Secret::new("gateway-token-bbbbbbbb");
        let t = device_token(&a, "cli-1");
        assert_eq!(t.expose().len(), 64);
        assert!(verify_device_token(&a, "cli-1", &t));
        assert!(!verify_device_token(&b, "cli-1", &t));
        assert!(!verify_device_token(&a, "cli-2", &t));
        // RFC 4231 test case 2 shape: key "Jefe".
        let jefe = device_token(&Secret::new("Jefe"), "what do ya want for nothing?");
        assert_eq!(
            jefe.expose(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn pairing_lifecycle_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.json");
        assert_eq!(load(&path).unwrap(), DeviceStore::default());
        update(&path, |s| {
            s.request(
                "phone-1",
                "mobile",
                None,
                Some("10.0.0.2:5000".into()),
                "t0",
                Some("h1".into()),
            )
        })
        .unwrap();
        // A later requester of the same id takes nothing over.
        let again = update(&path, |s| {
            s.request(
                "phone-1",
                "evil",
                Some("x".into()),
                None,
                "t1",
                Some("h2".into()),
            )
        })
        .unwrap();
        assert_eq!(again, Requested::AlreadyPending);
        let store = load(&path).unwrap();
        assert_eq!(store.pending.len(), 1);
        assert_eq!(store.pending[0].requested_at, "t0");
        assert_eq!(store.pending[0].client, "mobile");
        assert_eq!(store.pending[0].peer.as_deref(), Some("10.0.0.2:5000"));
        assert_eq!(store.pending[0].claim_hash.as_deref(), Some("h1"));

        assert_eq!(
            update(&path, |s| s.approve("phone-1", "t2"))
                .unwrap()
                .unwrap(),
            Approved::Newly
        );
        assert_eq!(
            update(&path, |s| s.approve("phone-1", "t3"))
                .unwrap()
                .unwrap(),
            Approved::AlreadyPaired
        );
        let store = load(&path).unwrap();
        assert!(store.pending.is_empty());
        assert_eq!(store.paired("phone-1").unwrap().paired_at, "t2");
        // The approved claim picks up the token once; nothing else does.
        let mut s = store.clone();
        assert_eq!(s.pick_up("phone-1", Some("h2")), Pickup::Refused);
        assert_eq!(s.pick_up("phone-1", None), Pickup::Refused);
        assert_eq!(s.pick_up("phone-1", Some("h1")), Pickup::Issue);
        assert_eq!(s.pick_up("phone-1", Some("h1")), Pickup::Refused);
        assert_eq!(s.pick_up("nobody", Some("h1")), Pickup::NotPaired);
        assert!(matches!(
            update(&path, |s| s.approve("nope", "t")).unwrap(),
            Err(DeviceStoreError::UnknownDevice { .. })
        ));
        assert_eq!(
            update(&path, |s| s.remove("phone-1")).unwrap().unwrap(),
            Removed::Paired
        );
        assert!(update(&path, |s| s.remove("phone-1")).unwrap().is_err());

        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn pending_requests_are_capped_and_expire() {
        let mut s = DeviceStore::default();
        let mut ask = |id: &str, at: &str| s.request(id, "mobile", None, None, at, None);
        for i in 0..MAX_PENDING {
            assert_eq!(
                ask(&format!("d{i}"), "2026-01-01T00:00:00.000Z"),
                Requested::Recorded
            );
        }
        assert_eq!(ask("late", "2026-01-01T00:00:01.000Z"), Requested::Full);
        s.expire_pending("2026-01-01T00:00:00.500Z");
        assert!(s.pending.is_empty());
        assert_eq!(
            s.request(
                "late",
                "mobile",
                None,
                None,
                "2026-01-01T00:00:01.000Z",
                None
            ),
            Requested::Recorded
        );
        assert!(pending_cutoff() < crate::text::now_rfc3339_millis());
    }

    #[test]
    fn malformed_store_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.json");
        std::fs::write(&path, "{\n  \"paired\": [,]\n}").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("devices.json:2:"), "{e}");
    }
}
