//! The `token` probe: is the gateway token pinned (so paired devices survive
//! a restart), and does this CLI have a device identity?
//!
//! Pinned means `gateway.token` in the config or `CLAWDOC_GATEWAY_TOKEN` in
//! the environment. The identity is `$CLAWDOC_HOME/identity.json`, a JSON
//! object with a `device_id`. Whether the CLI's device token matches the
//! running gateway needs the WebSocket handshake, so the health probe
//! answers it (`health.handshake`). No token value is ever read into facts or
//! the summary.
//!
//! Facts: `token.pinned`, `token.identity_present`,
//! `token.device_store_corrupt` (`devices.json` exists but cannot be read as
//! a device store: the gateway then refuses every connect with 1011).

use super::{load_config, Evidence, ProbeEnv, Status};
use crate::i18n::{msg, Message};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Token;

/// Why the CLI's device identity is not usable.
#[derive(Debug, thiserror::Error)]
enum IdentityProblem {
    #[error("this CLI has no device identity yet (not paired)")]
    Missing,
    #[error(transparent)]
    Unusable(#[from] crate::state::identity::IdentityError),
}

impl IdentityProblem {
    fn message(&self) -> Message {
        match self {
            IdentityProblem::Missing => msg!("token-no-identity"),
            IdentityProblem::Unusable(e) => msg!("token-identity-unusable", error = e),
        }
    }
}

/// Does `identity.json` exist and name a device? `Err` explains why not.
fn identity_state(env: &ProbeEnv) -> Result<(), IdentityProblem> {
    match crate::state::identity::read(&env.home.identity_path())? {
        Some(_) => Ok(()),
        None => Err(IdentityProblem::Missing),
    }
}

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let pinned = match load_config(env) {
        Ok(loaded) => loaded.config.token.is_some(),
        // Without a readable config only the environment can pin it.
        Err(_) => env
            .var(crate::config::ENV_TOKEN)
            .is_some_and(|t| crate::config::check_token(t).is_ok()),
    };
    let identity = identity_state(env);
    let identity_present = identity.is_ok();
    let (status, summary) = match (pinned, identity) {
        (true, Ok(())) => (Status::Ok, msg!("token-ok")),
        (false, identity) => {
            let unpinned = msg!("token-unpinned");
            let summary = match identity {
                Ok(()) => unpinned,
                Err(why) => msg!("joined", first = unpinned, second = why.message()),
            };
            (Status::Warn, summary)
        }
        (true, Err(why)) => (Status::Warn, msg!("token-pinned-but", why = why.message())),
    };
    let (status, summary, corrupt) = match device_store_problem(env) {
        Some(why) => (
            Status::Fail,
            msg!("token-but-store", text = summary, why = why),
            true,
        ),
        None => (status, summary, false),
    };
    // Whether the device token still matches is the health probe's
    // `health.handshake`: it needs the gateway, this probe only reads files.
    Evidence::new(NAME, status, summary)
        .fact("token.pinned", pinned)
        .fact("token.identity_present", identity_present)
        .fact("token.device_store_corrupt", corrupt)
}

/// Why `devices.json` cannot be read as a device store (file:line:col), if
/// it exists and cannot. A missing store is fine (the gateway creates it).
fn device_store_problem(env: &ProbeEnv) -> Option<Message> {
    use crate::state::devices::{load, DeviceStoreError};
    match load(&env.home.devices_path()) {
        Err(e @ DeviceStoreError::Malformed { .. }) => {
            Some(msg!("token-device-store-unreadable", error = e))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;

    const TOKEN: &str = "s3cr3t-s3cr3t-s3cr3t-s3cr3t";

    #[test]
    fn pinned_with_identity_is_ok_and_secret_free() {
        let s = Staged::new(None, &[]);
        s.write_home(
            "config.toml",
            &format!("[gateway]\nmode = \"local\"\ntoken = \"{TOKEN}\"\n"),
        );
        s.write_home(
            "identity.json",
            r#"{"device_id":"cli-1","device_token":"dev-secret-value"}"#,
        );
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("token.pinned"), Some(&true.into()));
        assert_eq!(e.get("token.identity_present"), Some(&true.into()));
        let json = serde_json::to_string(&e).unwrap();
        assert!(
            !json.contains(TOKEN) && !json.contains("dev-secret-value"),
            "{json}"
        );
    }

    #[test]
    fn unpinned_warns() {
        let s = Staged::new(None, &[]);
        s.write_home("config.toml", "[gateway]\nmode = \"local\"\n");
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Warn);
        assert_eq!(e.get("token.pinned"), Some(&false.into()));
        assert_eq!(e.get("token.identity_present"), Some(&false.into()));
    }

    #[test]
    fn env_token_pins_even_without_config() {
        let mut s = Staged::new(None, &[]);
        s.set_var("CLAWDOC_GATEWAY_TOKEN", TOKEN);
        let e = probe(&s.env);
        assert_eq!(e.get("token.pinned"), Some(&true.into()));
        assert!(!e.summary.contains(TOKEN));
    }

    #[test]
    fn corrupt_identity_is_not_present() {
        let s = Staged::new(None, &[]);
        s.write_home("config.toml", &format!("[gateway]\ntoken = \"{TOKEN}\"\n"));
        s.write_home("identity.json", "{\"device_id\": ");
        let e = probe(&s.env);
        assert_eq!(e.get("token.identity_present"), Some(&false.into()));
        assert_eq!(e.status, Status::Warn);
        assert!(e.summary.contains("identity.json:1:"), "{}", e.summary);
        s.write_home("identity.json", "{\"name\": \"x\"}");
        assert_eq!(
            probe(&s.env).get("token.identity_present"),
            Some(&false.into())
        );
    }
}
