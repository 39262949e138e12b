//! The closed vocabularies shared by rules, probes, fixes and reports.
//!
//! Rule files name categories, probes and fix actions by string; this module is
//! the single place those strings are defined, so a rule cannot name a probe or
//! an action that does not exist in Rust, nor a fact no probe reports, nor a
//! flowchart section. It holds names only: no behaviour.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! closed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
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

/// The fact catalogue: every fact a probe may report, as `probe.fact`, with
/// its JSON type. Rule conditions may only name facts listed here (the rule
/// linter checks), and each probe reports only facts listed here (a test
/// checks), so the two sides cannot drift apart.
pub const FACTS: &[(&str, &str)] = &[
    // config
    ("config.exists", "bool"),
    ("config.parses", "bool"),
    ("config.mode_set", "bool"),
    ("config.mode", "string"),
    ("config.port", "int"),
    ("config.token_pinned", "bool"),
    ("config.unknown_keys", "list"),
    ("config.deprecated_keys", "list"),
    ("config.bad_values", "list"),
    ("config.problem_count", "int"),
    // every problem as "path:line:col: message" (keys only in the lists above)
    ("config.problems", "list"),
    // the file is not readable by group or others (OpenClaw: mode 0600)
    ("config.private", "bool"),
    // pid
    ("pid.file_present", "bool"),
    ("pid.file_valid", "bool"),
    ("pid.pid", "int"),
    ("pid.alive", "bool"),
    ("pid.identity", "string"), // gateway | dead | stranger | unknown | none
    ("pid.state", "string"),    // running | sleeping | disk_sleep | stopped | zombie | …
    ("pid.hung", "bool"),
    ("pid.stranger_cmdline", "string"),
    // lock
    ("lock.present", "bool"),
    ("lock.held", "bool"),
    ("lock.stale", "bool"),
    ("lock.owner_pid", "int"),
    // the pid the gateway wrote into the lock file, if any
    ("lock.recorded_pid", "int"),
    // OpenClaw session write locks (agents/*/sessions/*.jsonl.lock) whose owner is gone
    ("lock.stale_sessions", "list"),
    // port
    ("port.port", "int"),
    ("port.listening", "bool"),
    ("port.holder_pid", "int"),
    ("port.holder_name", "string"),
    ("port.holder_cmdline", "string"),
    ("port.holder_is_gateway", "bool"),
    // nothing listens: did binding it as the gateway does work (live only)?
    ("port.bindable", "bool"),
    // why the bind failed: in_use, permission or other
    ("port.bind_error", "string"),
    // the port is in the kernel's ephemeral range (ip_local_port_range)
    ("port.ephemeral", "bool"),
    // health
    ("health.reachable", "bool"),
    ("health.ready", "bool"),
    ("health.status_code", "int"),
    ("health.latency_ms", "float"),
    // connected but no answer within the timeout (a hung gateway)
    ("health.timed_out", "bool"),
    // ok | invalid_config | token_mismatch | pairing_required | refused | error
    // | unpaired (this CLI holds no device token yet) | skipped (not ready)
    ("health.handshake", "string"),
    // the process answering /health is the gateway gateway.pid records
    ("health.ours", "bool"),
    // OpenClaw: /healthz answers 200 (live), and /readyz's failing checks
    ("health.live", "bool"),
    ("health.failing", "list"),
    // oom
    ("oom.killed", "bool"),
    ("oom.victim_pid", "int"),
    ("oom.victim_name", "string"),
    ("oom.cgroup_oom_kills", "int"),
    ("oom.low_memory", "bool"),
    // where the kernel log came from: file | kmsg | journalctl | dmesg | none
    ("oom.log_source", "string"),
    // disk
    ("disk.free_bytes", "int"),
    ("disk.free_inodes", "int"),
    ("disk.writable", "bool"),
    ("disk.full", "bool"),
    ("disk.low", "bool"),
    // the directory checked: $CLAWDOC_HOME or its nearest existing ancestor
    ("disk.path", "string"),
    // size of the gateway's file log, and whether it is past 512 MiB
    ("disk.log_bytes", "int"),
    ("disk.log_large", "bool"),
    // token
    ("token.pinned", "bool"),
    ("token.identity_present", "bool"),
    // OpenClaw: the running gateway uses a token it generated at start (not persisted)
    ("token.runtime_only", "bool"),
    // devices.json exists but is not a device store (every connect gets 1011)
    ("token.device_store_corrupt", "bool"),
    // display
    ("display.headless", "bool"),
    // resources
    ("resources.load1", "float"),
    ("resources.mem_available_bytes", "int"),
    ("resources.mem_total_bytes", "int"),
    ("resources.swap_total_bytes", "int"),
    ("resources.swap_free_bytes", "int"),
    ("resources.low_memory", "bool"),
    // runtime (OpenClaw: the Node version the gateway runs on)
    ("runtime.node_version", "string"),
    ("runtime.node_ok", "bool"),
];

/// Is `name` (`probe.fact`) in the catalogue?
pub(crate) fn is_known_fact(name: &str) -> bool {
    FACTS.iter().any(|(n, _)| *n == name)
}

/// The catalogued type of a fact (`"bool"`, `"int"`, …), or `None` for a
/// fact not in the catalogue.
pub(crate) fn fact_type(name: &str) -> Option<&'static str> {
    FACTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The seed flowchart's sections (slug, title, zh-TW title). The zh-TW
/// titles are the seed's own headings (`../shared/seed/…zh-TW.txt` keeps the
/// English error names as headings) followed by the seed's own gloss from its
/// "代表什麼" column, so a zh-TW reader finds the same section in the guide. A rule
/// names the section whose advice it belongs to.
pub(crate) const SECTIONS: &[(&str, &str, &str)] = &[
    (
        "start-blocked",
        "1. Gateway Start Blocked",
        "1. Gateway Start Blocked — Gateway 模式未設定",
    ),
    (
        "not-connected",
        "2. Gateway Not Connected / Send Failed",
        "2. Gateway Not Connected / Send Failed — 客戶端無法連上 gateway",
    ),
    (
        "not-ready",
        "3. Gateway Did Not Become Ready",
        "3. Gateway Did Not Become Ready — Gateway 已啟動但未完成初始化",
    ),
    (
        "restart-timeout",
        "4. Gateway Restart Timed Out",
        "4. Gateway Restart Timed Out — 重啟指令超過逾時時間",
    ),
    (
        "missing-config",
        "5. Missing Config",
        "5. Missing Config — 缺少必要的設定值",
    ),
    (
        "disconnected-4008",
        "6. Gateway Disconnected (4008)",
        "6. Gateway Disconnected (4008) — 裝置 token 被 gateway 拒絕",
    ),
    (
        "web-login-provider",
        "7. GatewayRequestError: Web Login Provider",
        "7. GatewayRequestError: Web Login Provider — WhatsApp 網頁登入不可用",
    ),
    (
        "invalid-config",
        "8. GatewayRequestError: Invalid Config",
        "8. GatewayRequestError: Invalid Config — 設定檔包含無法辨識或格式錯誤的鍵值",
    ),
    (
        "nothing-works",
        "When nothing works",
        "當什麼方法都沒用的時候",
    ),
];

/// A section's title in `lang` (zh-CN converted from zh-TW).
pub(crate) fn section_title(slug: &str, lang: crate::i18n::Lang) -> Option<String> {
    SECTIONS
        .iter()
        .find(|(s, _, _)| *s == slug)
        .map(|(_, en, tw)| lang.pick(en, Some(tw)).into_owned())
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
    /// Where a rule sits in a causal chain, worst last so `Ord` ranks:
    /// a root cause before the symptoms it produces (`EADDRINUSE` before
    /// `did not become ready`), and both before an informational line, one
    /// a healthy gateway prints too (a status probe's limited scope): it is
    /// never ranked as the cause, scan does not count it as a problem and
    /// doctor makes no finding of it.
    Role {
        Informational => "informational",
        Symptom => "symptom",
        RootCause => "root_cause",
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
        Runtime => "runtime",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/schemas/rule-file.json` is written by hand for editors: its
    /// enums must be the vocabularies' names, or an editor flags a valid rule.
    #[test]
    fn the_rule_file_schema_names_every_vocabulary_word() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schemas/rule-file.json");
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let p = &schema["properties"];
        let names = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap_or_else(|| panic!("no enum: {v}"))
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        };
        fn all<T: fmt::Display>(xs: &[T]) -> Vec<String> {
            xs.iter().map(ToString::to_string).collect()
        }
        let fix = &p["fix"]["items"]["properties"];
        assert_eq!(names(&p["category"]["enum"]), all(Category::ALL));
        assert_eq!(names(&p["severity"]["enum"]), all(Severity::ALL));
        let mut roles = names(&p["role"]["enum"]);
        roles.sort();
        let mut want_roles = all(Role::ALL);
        want_roles.sort();
        assert_eq!(roles, want_roles);
        assert_eq!(names(&p["probes"]["items"]["enum"]), all(ProbeName::ALL));
        assert_eq!(names(&fix["action"]["enum"]), all(FixAction::ALL));
        let mut tiers = names(&fix["applicability"]["enum"]);
        tiers.sort();
        let mut want = all(Applicability::ALL);
        want.sort();
        assert_eq!(tiers, want);
        let sections: Vec<String> = SECTIONS.iter().map(|s| s.0.to_string()).collect();
        assert_eq!(names(&p["section"]["enum"]), sections);
    }
}
