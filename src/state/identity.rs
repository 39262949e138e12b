//! `identity.json`: this CLI's device identity as a gateway device (device
//! id and the device token the gateway issued), mode 0600. The format and its
//! reader and writer; connecting with it is `client`'s, judging it the token
//! probe's.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::home::Home;

/// This CLI's device identity. `Debug` never shows the token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Identity {
    pub device_id: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::config::opt_secret"
    )]
    pub device_token: Option<Secret>,
    /// The one-time secret this CLI presents when asking for its device
    /// token (pairing); the gateway keeps only its hash.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::config::opt_secret"
    )]
    pub claim: Option<Secret>,
}

/// An identity file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[error("device identity {}: {message}", path.display())]
pub struct IdentityError {
    pub path: PathBuf,
    pub message: String,
}

/// Reads the identity, creating one with `new_id` (and a claim) on first
/// use; an identity without a claim gets one.
pub(crate) fn load_or_create(
    home: &Home,
    new_id: impl FnOnce() -> String,
) -> Result<Identity, IdentityError> {
    let path = home.identity_path();
    if let Some(mut identity) = read(&path)? {
        if identity.claim.is_none() {
            identity.claim = Some(Secret::generate());
            save(home, &identity)?;
        }
        return Ok(identity);
    }
    let fresh = Identity {
        device_id: new_id(),
        device_token: None,
        claim: Some(Secret::generate()),
    };
    save(home, &fresh)?;
    // Two first runs at once: whoever wrote last wins, and both use it.
    Ok(read(&path)?.unwrap_or(fresh))
}

/// The identity at `path`; `None` when there is no file.
pub(crate) fn read(path: &Path) -> Result<Option<Identity>, IdentityError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(IdentityError {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        }
    };
    let identity: Identity = serde_json::from_slice(&bytes).map_err(|e| IdentityError {
        path: path.to_path_buf(),
        message: format!(
            "malformed at {path}:{}:{}: {e} (run `clawdoc doctor --fix` or delete it to re-pair)",
            e.line(),
            e.column(),
            path = path.display()
        ),
    })?;
    if !crate::protocol::valid_device_id(&identity.device_id) {
        return Err(IdentityError {
            path: path.to_path_buf(),
            message: "device_id must be 1-128 characters of [A-Za-z0-9._-]".into(),
        });
    }
    Ok(Some(identity))
}

pub(crate) fn save(home: &Home, identity: &Identity) -> Result<(), IdentityError> {
    let path = home.identity_path();
    let mut json = serde_json::to_vec_pretty(identity).expect("identity serialises");
    json.push(b'\n');
    crate::fsutil::write_atomic(&path, &json, 0o600).map_err(|e| IdentityError {
        path,
        message: format!("cannot write: {e}"),
    })
}
