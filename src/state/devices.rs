//! The gateway's device store (`devices.json`): paired devices and pending
//! pairing requests, and the device tokens derived from the gateway token.
//!
//! No token is stored: a device token is `hex(HMAC-SHA256(gateway token,
//! device id))`, so it changes exactly when the gateway token does (the
//! seed's cause of 4008) and the store holds nothing secret. The file is
//! JSON, mode 0600, written atomically; every read-modify-write holds an
//! flock on the sidecar `devices.lock` because the running gateway and the
//! `devices` commands edit it concurrently.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::Secret;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceStore {
    #[serde(default)]
    pub paired: Vec<PairedDevice>,
    #[serde(default)]
    pub pending: Vec<PendingRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairedDevice {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Client kind (`cli`, …).
    pub client: String,
    /// RFC 3339, UTC.
    pub paired_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub(crate) fn pair(
        &mut self,
        id: &str,
        client: &str,
        name: Option<String>,
        now: &str,
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
        });
        Approved::Newly
    }

    /// Records (or refreshes) a pending pairing request.
    pub(crate) fn request(
        &mut self,
        id: &str,
        client: &str,
        name: Option<String>,
        peer: Option<String>,
        now: &str,
    ) {
        let entry = PendingRequest {
            id: id.to_string(),
            name,
            client: client.to_string(),
            requested_at: now.to_string(),
            peer,
        };
        match self.pending.iter_mut().find(|p| p.id == id) {
            Some(existing) => *existing = entry,
            None => self.pending.push(entry),
        }
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
        Ok(self.pair(&req.id, &req.client, req.name, now))
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
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_file)
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
            )
        })
        .unwrap();
        update(&path, |s| s.request("phone-1", "mobile", None, None, "t1")).unwrap();
        let store = load(&path).unwrap();
        assert_eq!(store.pending.len(), 1);
        assert_eq!(store.pending[0].requested_at, "t1");

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
    fn malformed_store_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.json");
        std::fs::write(&path, "{\n  \"paired\": [,]\n}").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("devices.json:2:"), "{e}");
    }
}
