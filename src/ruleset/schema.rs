//! The serde mirror of a rule file: exactly what the TOML may say, nothing
//! checked beyond shape. `deny_unknown_fields` everywhere (a typo is an error
//! at its key, not a silently ignored field) and no `flatten` (it loses
//! spans). Values that are validated later carry their [`Spanned`] position
//! so the error can point at file:line:col. [`super::compile`] turns this
//! into the [`super::Rule`] the engine uses.
//!
//! ```toml
//! title = "Port already in use"
//! title_zh_tw = "連接埠已被占用"      # each user-facing text has its zh-TW
//!                                     # right after it (`rules lint` wants one)
//! category = "port_in_use"            # vocab::Category
//! severity = "error"                  # vocab::Severity
//! role = "root_cause"                 # or "symptom"; default from the category
//! priority = 0                        # ranking tie-break among equals (higher first)
//! section = "not-ready"               # the flowchart section (ruleset::SECTIONS)
//! meaning = "…"
//! meaning_zh_tw = "…"
//! causes = ["…"]
//! causes_zh_tw = ["…"]               # same length and order as `causes`
//! patterns = ['EADDRINUSE[^\n]*?:(?P<port>\d+)']
//! probes = ["port"]                   # vocab::ProbeName
//! standalone = true                   # the doctor may raise it from facts alone
//!
//! [[confirm]]                         # each block is an AND; any block confirms
//! when = [{ fact = "port.listening", eq = true }]
//! [[refute]]
//! when = [{ fact = "port.listening", eq = false }]
//!
//! [[fix]]
//! action = "move_to_free_port"        # vocab::FixAction (closed set, Rust code)
//! applicability = "unsafe"            # safe | unsafe | display-only
//! title = "…"
//! title_zh_tw = "…"
//! why = "…"                           # required when unsafe
//! why_zh_tw = "…"
//! text = "…"                          # display-only text
//! text_zh_tw = "…"
//! commands = ["clawdoc config set gateway.port {port}"]  # shown, never run
//! [fix.target.openclaw]               # the same fix's words on one target
//! title = "…"                         # (title, why, text, commands; each
//! title_zh_tw = "…"                   # replaces the fix's own there)
//! commands = ["openclaw config set gateway.port {port}"]
//!
//! [[example]]
//! text = "Error: listen EADDRINUSE: address already in use :::3001"
//! captures = { port = "3001" }
//! [[example]]
//! text = "[gateway] listening on :3001"
//! matches = false
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// Every top-level key a rule file may have (for "did you mean" hints).
pub(crate) const RULE_FIELDS: &[&str] = &[
    "id",
    "title",
    "title_zh_tw",
    "category",
    "severity",
    "role",
    "priority",
    "section",
    "meaning",
    "meaning_zh_tw",
    "causes",
    "causes_zh_tw",
    "patterns",
    "probes",
    "standalone",
    "confirm",
    "refute",
    "fix",
    "example",
    "context",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    /// Optional; when present it must equal the file stem.
    pub id: Option<Spanned<String>>,
    pub title: Spanned<String>,
    /// The zh-TW text of each user-facing field sits beside it (`*_zh_tw`);
    /// zh-CN is derived ([`crate::i18n::to_zh_cn`]).
    pub title_zh_tw: Option<Spanned<String>>,
    pub category: Spanned<String>,
    pub severity: Spanned<String>,
    pub role: Option<Spanned<String>>,
    #[serde(default)]
    pub priority: i32,
    pub section: Spanned<String>,
    pub meaning: Spanned<String>,
    pub meaning_zh_tw: Option<Spanned<String>>,
    #[serde(default)]
    pub causes: Vec<String>,
    pub causes_zh_tw: Option<Spanned<Vec<String>>>,
    pub patterns: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub probes: Vec<Spanned<String>>,
    #[serde(default)]
    pub standalone: Option<Spanned<bool>>,
    #[serde(default)]
    pub confirm: Vec<Spanned<RawBlock>>,
    #[serde(default)]
    pub refute: Vec<Spanned<RawBlock>>,
    #[serde(default, rename = "fix")]
    pub fixes: Vec<Spanned<RawFix>>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<RawExample>>,
    #[serde(default)]
    pub context: Vec<Spanned<RawContext>>,
}

/// One `[[context]]` block: lines near a hit that the rule requires or is
/// strengthened by.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawContext {
    pub patterns: Spanned<Vec<Spanned<String>>>,
    /// Lines before or after the hit searched (the hit's own line too).
    pub within: Spanned<u32>,
    /// `true`: a hit without such a line does not count.
    #[serde(default)]
    pub required: bool,
}

/// One `[[confirm]]` / `[[refute]]` block: all conditions must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlock {
    pub when: Vec<Spanned<RawCondition>>,
}

/// `{ fact = "port.listening", eq = true }`: exactly one operator.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    pub fact: Spanned<String>,
    pub eq: Option<toml::Value>,
    pub ne: Option<toml::Value>,
    pub gt: Option<toml::Value>,
    pub lt: Option<toml::Value>,
    pub exists: Option<bool>,
    pub contains: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFix {
    /// Defaults to the action name; must be unique within the rule.
    pub id: Option<String>,
    pub action: Spanned<String>,
    pub applicability: Spanned<String>,
    pub title: String,
    pub title_zh_tw: Option<String>,
    pub why: Option<String>,
    pub why_zh_tw: Option<String>,
    pub text: Option<String>,
    pub text_zh_tw: Option<String>,
    #[serde(default)]
    pub commands: Vec<Spanned<String>>,
    /// `[fix.target.NAME]`: the fix's texts on one target (its own
    /// commands, file names and knobs); each field present replaces the
    /// fix's own there.
    #[serde(default)]
    pub target: BTreeMap<String, Spanned<RawFixTexts>>,
}

/// `[fix.target.NAME]`: a fix's texts for one target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFixTexts {
    pub title: Option<String>,
    pub title_zh_tw: Option<String>,
    pub why: Option<String>,
    pub why_zh_tw: Option<String>,
    pub text: Option<String>,
    pub text_zh_tw: Option<String>,
    pub commands: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExample {
    pub text: String,
    #[serde(default = "yes")]
    pub matches: bool,
    /// Captures the match must produce (checked by `rules test`).
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}
