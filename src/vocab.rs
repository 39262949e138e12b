//! The closed vocabularies shared by rules, probes, fixes and reports.
//!
//! Rule files name categories, probes and fix actions by string; this module is
//! the single place those strings are defined, so a rule cannot name a probe or
//! an action that does not exist in Rust. It holds names only: no behaviour.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! closed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        kind: stringify!($name),
                        name: s.to_string(),
                        expected: vec![$($text),+],
                    }),
                }
            }
        }
    };
}

/// A name that is not in a closed vocabulary; carries the accepted names for
/// the error message ("did you mean …").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`; expected one of: {}", expected.join(", "))]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
    pub expected: Vec<&'static str>,
}

closed_enum! {
    /// What went wrong, at the level a user acts on. One per rule.
    Category {
        ModeUnset => "mode_unset",
        MissingConfig => "missing_config",
        NotConnected => "not_connected",
        NotReady => "not_ready",
        RestartTimeout => "restart_timeout",
        TokenMismatch => "token_mismatch",
        WebLoginProvider => "web_login_provider",
        InvalidConfig => "invalid_config",
        PortInUse => "port_in_use",
        Oom => "oom",
        Disk => "disk",
        Permissions => "permissions",
        StalePid => "stale_pid",
        Pairing => "pairing",
        Auth => "auth",
    }
}

closed_enum! {
    /// How bad a matched rule is.
    Severity {
        Info => "info",
        Warning => "warning",
        Error => "error",
        Fatal => "fatal",
    }
}

closed_enum! {
    /// The read-only checks a rule may ask for.
    ProbeName {
        Config => "config",
        Pid => "pid",
        Lock => "lock",
        Port => "port",
        Health => "health",
        Oom => "oom",
        Disk => "disk",
        Token => "token",
        Display => "display",
        Resources => "resources",
    }
}

closed_enum! {
    /// How far a fix may be trusted to run without asking. Ordered:
    /// `DisplayOnly < Unsafe < Safe`; a threshold applies everything at or
    /// above it (`--fix` = Safe, `--unsafe-fixes` = Unsafe).
    Applicability {
        DisplayOnly => "display-only",
        Unsafe => "unsafe",
        Safe => "safe",
    }
}

closed_enum! {
    /// The closed set of fix actions, each implemented in Rust (`crate::fix`).
    /// A rule file names one of these; it can never carry a command to execute.
    /// `advice` is the display-only action: it shows the rule's text and
    /// commands and changes nothing.
    FixAction {
        WriteDefaultConfig => "write_default_config",
        SetModeLocal => "set_mode_local",
        MigrateDeprecatedKeys => "migrate_deprecated_keys",
        QuarantineCorruptConfig => "quarantine_corrupt_config",
        RaiseStartupTimeout => "raise_startup_timeout",
        StartGateway => "start_gateway",
        RestartGateway => "restart_gateway",
        ForceStopGateway => "force_stop_gateway",
        RemoveStalePid => "remove_stale_pid",
        RemoveStaleLock => "remove_stale_lock",
        MoveToFreePort => "move_to_free_port",
        PinTokenAndRepair => "pin_token_and_repair",
        ApproveCliDevice => "approve_cli_device",
        RebuildDeviceStore => "rebuild_device_store",
        Advice => "advice",
    }
}
