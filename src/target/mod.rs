//! The gateway clawdoc looks at and fixes: its own embedded gateway, or a real
//! OpenClaw install. This is the seam between "what is wrong" (rules, facts,
//! fix actions: the same for every target) and "where to look and how to act"
//! (paths, ports, endpoints, process identity, commands: each target's own).
//!
//! Each target is one type holding its facts ([`Embedded`], [`OpenClaw`]) and
//! implementing [`Facts`]; [`Target`] holds one of them. This module sits low
//! (with `config` and `state`): it knows paths, ports, process identity, log
//! formats and the commands each fix action maps to, and does nothing. The
//! probes (`probe::openclaw`) and the fixes (`fix::openclaw`) that act on a
//! target are chosen once, in `probe::run` and `fix::apply`; the doctor, the
//! rules and the CLI ask the target and never test which one it is.

use crate::i18n::{msg, Message};
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::home::Home;
use crate::procinfo::ProcRoot;
use crate::vocab::{Category, FixAction};

pub(crate) mod embedded;
pub(crate) mod openclaw;

pub use embedded::Embedded;
pub use openclaw::OpenClaw;

/// Which target: `--target auto|embedded|openclaw` (`CLAWDOC_TARGET`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Embedded,
    #[serde(rename = "openclaw")]
    OpenClaw,
}

impl TargetKind {
    pub const ALL: [TargetKind; 2] = [TargetKind::Embedded, TargetKind::OpenClaw];
    /// The target named `name` (`embedded`, `openclaw`).
    pub fn from_name(name: &str) -> Option<TargetKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Embedded => "embedded",
            Self::OpenClaw => "openclaw",
        }
    }
}

impl std::fmt::Display for TargetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How `auto` decided, for the first line of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub kind: TargetKind,
    /// `flag` (--target / CLAWDOC_TARGET) or what `auto` saw, in English.
    pub why: String,
    /// `why` as a catalogue message.
    #[serde(skip)]
    pub said: Message,
}

impl Choice {
    fn new(kind: TargetKind, said: Message) -> Self {
        Self {
            kind,
            why: said.english(),
            said,
        }
    }
}

/// What a report says about the target it looked at (`"target"` in --json).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TargetInfo {
    pub name: TargetKind,
    /// Why this target (the flag, or what auto detection saw).
    pub chosen_by: String,
    /// `chosen_by` as a catalogue message, for the reader's language.
    #[serde(skip)]
    #[schemars(skip)]
    pub chosen_said: Message,
    pub config: String,
    pub port: u16,
    pub state_dir: String,
}

/// Turns raw log bytes into the text lines the rules match.
pub type ToText = fn(&[u8]) -> Vec<u8>;

/// Where a target's gateway log is and how to cut it to the current run.
#[derive(Debug, Clone)]
pub struct LogSource {
    pub path: PathBuf,
    /// A line the gateway writes when a run begins.
    pub start_markers: &'static [&'static str],
    /// Turns the file's lines into the text the rules match (e.g. JSON log
    /// records into console lines); `None`: the file is text already.
    pub to_text: Option<ToText>,
    /// Turns the file's lines into what `clawdoc logs` shows (e.g. JSON log
    /// records into `time LEVEL [subsystem] message`); `None`: as they are.
    pub readable: Option<ToText>,
}

/// Environment lookup (`OPENCLAW_GATEWAY_PORT`, `CLAWDOC_GATEWAY_PORT`, …).
pub type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// One target's facts. Everything that differs between targets, short of
/// running probes and fixes, is a method here.
pub(crate) trait Facts: std::fmt::Debug {
    fn kind(&self) -> TargetKind;
    /// The config file the gateway reads.
    fn config_path(&self, home: &Home) -> PathBuf;
    /// The directory holding the gateway's state.
    fn state_dir(&self, home: &Home) -> PathBuf;
    /// The port the gateway uses, with the target's precedence applied.
    fn port(&self, home: &Home, vars: Vars<'_>) -> u16;
    /// The gateway log the doctor reads.
    fn log_source(&self, home: &Home) -> LogSource;
    /// Is this target's gateway provably running now (pid, start time and
    /// command line agree)?
    fn gateway_running(&self, home: &Home, proc_root: &ProcRoot) -> bool;
    /// The exact commands this target runs (or the user should run) for
    /// `action` in a finding of `category`; `None` keeps the rule's own.
    fn commands(&self, action: FixAction, category: Category) -> Option<Vec<String>>;
    /// The command that shows the gateway log.
    fn logs_command(&self) -> String;
    /// The gateway's pinned token, to redact from what is shown of its log.
    fn token(&self, home: &Home) -> Option<crate::config::Secret>;
    /// Is the gateway verified good after fixing, given the health facts?
    fn verified(&self, ready: bool, handshake: &str) -> bool;
}

/// The target a command works on.
#[derive(Debug, Clone)]
pub struct Target {
    inner: Inner,
    chosen_by: Message,
}

#[derive(Debug, Clone)]
enum Inner {
    Embedded(Embedded),
    OpenClaw(OpenClaw),
}

impl Target {
    pub fn embedded() -> Self {
        Self {
            inner: Inner::Embedded(Embedded),
            chosen_by: msg!("target-default"),
        }
    }
    /// The target for `kind` (`None`: auto), reading the process environment
    /// and the live `/proc`.
    pub fn choose(kind: Option<TargetKind>) -> Self {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Self::choose_in(kind, &env, &ProcRoot::default())
    }
    /// [`Target::choose`] after `--profile NAME` (OpenClaw's profile: its
    /// state dir `~/.openclaw-NAME` unless one is set, its default port and
    /// log); with a profile, `auto` means OpenClaw.
    pub fn choose_with_profile(kind: Option<TargetKind>, profile: Option<&str>) -> Self {
        Self::choose_profile(kind, profile, Some(&ProcRoot::default()))
    }
    /// [`Target::choose_with_profile`] for a command that only words its
    /// output by the target (`lookup`'s fix texts): `auto` reads the
    /// environment and the config file, not the running processes (the
    /// `/proc` scan is most of what detection costs).
    pub fn choose_for_text(kind: Option<TargetKind>, profile: Option<&str>) -> Self {
        Self::choose_profile(kind, profile, None)
    }
    fn choose_profile(
        kind: Option<TargetKind>,
        profile: Option<&str>,
        proc_root: Option<&ProcRoot>,
    ) -> Self {
        let mut env: BTreeMap<String, String> = std::env::vars().collect();
        let Some(name) = profile else {
            return Self::choose_from(kind, &env, proc_root);
        };
        OpenClaw::apply_profile_flag(&mut env, name);
        let mut t = Self::choose_from(Some(kind.unwrap_or(TargetKind::OpenClaw)), &env, proc_root);
        if kind.is_none() {
            t.chosen_by = msg!("target-auto-profile", name = name);
        }
        t
    }
    /// [`Target::choose`] with the environment and proc root given.
    pub fn choose_in(
        kind: Option<TargetKind>,
        env: &BTreeMap<String, String>,
        proc_root: &ProcRoot,
    ) -> Self {
        Self::choose_from(kind, env, Some(proc_root))
    }
    /// `proc_root` `None`: `auto` does not look for a running gateway.
    fn choose_from(
        kind: Option<TargetKind>,
        env: &BTreeMap<String, String>,
        proc_root: Option<&ProcRoot>,
    ) -> Self {
        let choice = match kind {
            Some(kind) => Choice::new(kind, msg!("target-by-flag")),
            None => detect(env, proc_root),
        };
        let inner = match choice.kind {
            TargetKind::Embedded => Inner::Embedded(Embedded),
            TargetKind::OpenClaw => Inner::OpenClaw(OpenClaw::from_env(env)),
        };
        Self {
            inner,
            chosen_by: choice.said,
        }
    }
    pub(crate) fn facts(&self) -> &dyn Facts {
        match &self.inner {
            Inner::Embedded(t) => t,
            Inner::OpenClaw(t) => t,
        }
    }
    /// The OpenClaw install, when that is the target (for the one place
    /// each in `probe` and `fix` that picks the target's probes and fixes).
    pub(crate) fn openclaw(&self) -> Option<&OpenClaw> {
        match &self.inner {
            Inner::OpenClaw(t) => Some(t),
            Inner::Embedded(_) => None,
        }
    }
    pub fn kind(&self) -> TargetKind {
        self.facts().kind()
    }
    pub fn chosen_by(&self) -> String {
        self.chosen_by.english()
    }
    /// What a report says about this target.
    pub fn info(&self, home: &Home, vars: Vars<'_>) -> TargetInfo {
        let facts = self.facts();
        TargetInfo {
            name: facts.kind(),
            chosen_by: self.chosen_by.english(),
            chosen_said: self.chosen_by.clone(),
            config: facts.config_path(home).display().to_string(),
            port: facts.port(home, vars),
            state_dir: facts.state_dir(home).display().to_string(),
        }
    }
    pub fn port(&self, home: &Home, vars: Vars<'_>) -> u16 {
        self.facts().port(home, vars)
    }
    pub fn log_source(&self, home: &Home) -> LogSource {
        self.facts().log_source(home)
    }
    pub fn gateway_running(&self, home: &Home, proc_root: &ProcRoot) -> bool {
        self.facts().gateway_running(home, proc_root)
    }
    /// This target's own commands for `action` (see [`Facts::commands`]).
    pub fn commands(&self, action: FixAction, category: Category) -> Option<Vec<String>> {
        self.facts().commands(action, category)
    }
    pub fn logs_command(&self) -> String {
        self.facts().logs_command()
    }
    /// See [`Facts::token`].
    pub fn token(&self, home: &Home) -> Option<crate::config::Secret> {
        self.facts().token(home)
    }
    pub fn verified(&self, ready: bool, handshake: &str) -> bool {
        self.facts().verified(ready, handshake)
    }
}

/// `auto`: OpenClaw when `OPENCLAW_CONFIG_PATH` or `OPENCLAW_STATE_DIR` is
/// set, `~/.openclaw/openclaw.json` exists, or an `openclaw-gateway` process
/// runs; otherwise the embedded gateway.
pub(crate) fn detect(env: &BTreeMap<String, String>, proc_root: Option<&ProcRoot>) -> Choice {
    let set = |k: &str| env.get(k).is_some_and(|v| !v.is_empty());
    for var in [openclaw::ENV_CONFIG_PATH, openclaw::ENV_STATE_DIR] {
        if set(var) {
            return Choice::new(TargetKind::OpenClaw, msg!("target-auto-var", var = var));
        }
    }
    if let Some(home) = env.get("HOME").filter(|h| !h.is_empty()) {
        let config = PathBuf::from(home).join(".openclaw").join("openclaw.json");
        if config.exists() {
            return Choice::new(
                TargetKind::OpenClaw,
                msg!("target-auto-config", path = config.display()),
            );
        }
    }
    if let Some(pid) = proc_root.and_then(openclaw::find_gateway_process) {
        return Choice::new(TargetKind::OpenClaw, msg!("target-auto-process", pid = pid));
    }
    Choice::new(TargetKind::Embedded, msg!("target-auto-none"))
}

/// `fixtures/REL` of this repository (the target tests' captured files).
#[cfg(test)]
pub(crate) fn fixture(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

#[cfg(test)]
mod tests {
    use super::fixture;
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn auto_picks_embedded_on_a_fresh_machine() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().display().to_string();
        let c = detect(
            &env(&[("HOME", &h)]),
            Some(&ProcRoot::new(fixture("proc/basic"))),
        );
        assert_eq!(c.kind, TargetKind::Embedded, "{}", c.why);
    }

    #[test]
    fn auto_picks_openclaw_from_env_home_file_or_process() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().display().to_string();
        let none = ProcRoot::new(fixture("proc/basic"));
        for var in ["OPENCLAW_CONFIG_PATH", "OPENCLAW_STATE_DIR"] {
            let c = detect(&env(&[("HOME", &h), (var, "/x")]), Some(&none));
            assert_eq!(c.kind, TargetKind::OpenClaw);
            assert!(c.why.contains(var), "{}", c.why);
        }
        // An empty variable is not set.
        let c = detect(
            &env(&[("HOME", &h), ("OPENCLAW_STATE_DIR", "")]),
            Some(&none),
        );
        assert_eq!(c.kind, TargetKind::Embedded);

        let running = ProcRoot::new(fixture("proc/openclaw"));
        let c = detect(&env(&[("HOME", &h)]), Some(&running));
        assert_eq!(c.kind, TargetKind::OpenClaw);
        assert!(c.why.contains("pid 2171"), "{}", c.why);
        // Without looking at processes (`lookup`'s wording), it is not seen.
        let c = detect(&env(&[("HOME", &h)]), None);
        assert_eq!(c.kind, TargetKind::Embedded);

        std::fs::create_dir_all(home.path().join(".openclaw")).unwrap();
        std::fs::write(home.path().join(".openclaw/openclaw.json"), "{}").unwrap();
        let c = detect(&env(&[("HOME", &h)]), Some(&none));
        assert_eq!(c.kind, TargetKind::OpenClaw);
        assert!(c.why.contains("openclaw.json exists"), "{}", c.why);
    }

    #[test]
    fn a_flag_wins_over_detection() {
        let t = Target::choose_in(
            Some(TargetKind::Embedded),
            &env(&[("OPENCLAW_STATE_DIR", "/x")]),
            &ProcRoot::default(),
        );
        assert_eq!(t.kind(), TargetKind::Embedded);
        assert!(t.chosen_by().contains("--target"));
    }
}
