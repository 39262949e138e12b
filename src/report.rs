//! The diagnosis as data: every `--json` document the binary prints is one
//! of these `Serialize` types, each with a `schema_version`. `cli` builds
//! them from library results and serialises them; it never assembles JSON
//! by hand. The documents that have a published JSON Schema
//! ([`schema`], `clawdoc schema NAME`, `docs/schemas/`) derive it here.
//!
//! Field names are a contract (the integration tests pin them): add fields,
//! never rename one; a breaking change bumps [`SCHEMA_VERSION`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::config::{LoadError, Loaded, Problem, ProblemKind};
use crate::doctor::DoctorReport;
use crate::engine::{Match, ScanSummary};
use crate::fix::UndoReport;
use crate::flow::{Flowchart, TrailStep};
use crate::gateway::daemon::GatewayStatus;
use crate::ruleset::{Rule, RuleError};
use crate::state::devices::{DeviceStore, PairedDevice, PendingRequest};
use crate::vocab::{Applicability, Category, FixAction, Severity};

/// The version of every `--json` document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// A document with its `schema_version` first, then the document's own
/// fields (serialisation only: nothing reads these back).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Versioned<T> {
    pub schema_version: u32,
    /// The language of the document's texts (titles, meanings, …): `en`,
    /// `zh-TW` or `zh-CN`. Keys and ids never change with it.
    pub lang: crate::i18n::Lang,
    #[serde(flatten)]
    pub doc: T,
}

impl<T> Versioned<T> {
    pub fn new(doc: T) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            lang: crate::i18n::Lang::En,
            doc,
        }
    }
    /// The same document, saying its texts are in `lang`.
    pub fn in_lang(mut self, lang: crate::i18n::Lang) -> Self {
        self.lang = lang;
        self
    }
}

// ------------------------------------------------------------------ lookup

/// `clawdoc lookup --json` (without `--probe`): best match first.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Lookup {
    /// Problems the input shows (a pattern matched), best first.
    pub matches: Vec<LookupMatch>,
    /// Lines an informational rule recognised as routine (a healthy gateway
    /// prints them too): nothing to fix, never the cause.
    pub routine: Vec<LookupMatch>,
    /// Only when nothing matched: guesses from wording alone (the input
    /// resembles these rules' examples or known messages of their family),
    /// best first. Not matches: never ranked with them, exit code 0.
    pub possible: Vec<PossibleCause>,
}

/// A guess of the paraphrase stage ([`crate::engine::paraphrase`]).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PossibleCause {
    pub rule_id: String,
    pub category: Category,
    pub title: String,
    /// How alike the wording is, about 0–1 (reported from 0.44 up).
    pub score: f64,
    /// 1-based line of the pasted text the guess comes from.
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LookupMatch {
    pub rule_id: String,
    pub category: Category,
    pub title: String,
    pub severity: Severity,
    /// 1-based line of the first hit in the pasted text.
    pub line: usize,
    pub text: String,
    pub captures: BTreeMap<String, String>,
    pub fixes: Vec<FixRef>,
    /// With `--probe`: what this machine says about the match (`verdict`
    /// and its reasons, merged into the match).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<crate::finding::Verdict>,
}

/// A fix named by a match, its title with captures filled in.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FixRef {
    pub id: String,
    pub title: String,
    pub applicability: Applicability,
}

impl Lookup {
    pub fn from_matches(matches: &[Match<'_>]) -> Self {
        let (routine, problems): (Vec<&Match<'_>>, Vec<&Match<'_>>) = matches
            .iter()
            .partition(|m| m.rule.role == crate::ruleset::Role::Informational);
        Self {
            matches: problems.into_iter().map(LookupMatch::new).collect(),
            routine: routine.into_iter().map(LookupMatch::new).collect(),
            possible: Vec::new(),
        }
    }

    /// The same, with the paraphrase stage's guesses.
    pub fn with_guesses(mut self, guesses: &[crate::engine::paraphrase::Guess<'_>]) -> Self {
        self.possible = guesses
            .iter()
            .map(|g| PossibleCause {
                rule_id: g.rule.id.clone(),
                category: g.rule.category,
                title: g.rule.title.clone(),
                score: (g.score * 1000.0).round() / 1000.0,
                line: g.line,
                text: g.text.clone(),
            })
            .collect();
        self
    }
}

impl LookupMatch {
    fn new(m: &Match<'_>) -> Self {
        LookupMatch {
            rule_id: m.rule.id.clone(),
            category: m.rule.category,
            title: m.rule.title.clone(),
            severity: m.rule.severity,
            line: m.line,
            text: m.text.clone(),
            captures: m.captures.clone(),
            fixes: m
                .rule
                .fixes
                .iter()
                .map(|f| FixRef {
                    id: f.id.clone(),
                    title: f.title_with(&m.captures),
                    applicability: f.applicability,
                })
                .collect(),
            verdict: None,
        }
    }
}

/// `clawdoc lookup --probe --json`: the matches, each with its verdict, and
/// the evidence the probes gathered.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProbedLookup {
    #[serde(flatten)]
    pub lookup: Lookup,
    pub evidence: Vec<crate::probe::Evidence>,
    /// The gateway the probes looked at.
    pub target: crate::target::TargetInfo,
}

// -------------------------------------------------------------------- scan

/// `clawdoc scan --json`, one per file (with `path` when several).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Scan {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub lines: u64,
    /// Lines with a problem (a rule that is not informational matched).
    pub matched_lines: u64,
    /// Lines only informational rules matched: routine, not problems.
    pub routine_lines: u64,
    /// Problem rules that matched, by count.
    pub rules: Vec<ScanRule>,
    /// Informational rules that matched (routine lines), by count.
    pub routine: Vec<ScanRule>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScanRule {
    pub rule_id: String,
    pub category: Category,
    pub count: u64,
    pub first_line: u64,
    pub last_line: u64,
    pub sample: String,
}

impl Scan {
    pub fn from_summary(s: &ScanSummary<'_>, path: Option<String>) -> Self {
        let entries = |routine: bool| {
            (s.rules.iter())
                .filter(|r| (r.rule.role == crate::ruleset::Role::Informational) == routine)
                .map(|r| ScanRule {
                    rule_id: r.rule.id.clone(),
                    category: r.rule.category,
                    count: r.count,
                    first_line: r.first_line,
                    last_line: r.last_line,
                    sample: r.sample.clone(),
                })
                .collect()
        };
        Self {
            path,
            lines: s.lines,
            matched_lines: s.matched_lines,
            routine_lines: s.routine_lines,
            rules: entries(false),
            routine: entries(true),
        }
    }
}

// ------------------------------------------------------------------- rules

/// `clawdoc rules list --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleList {
    pub rules: Vec<RuleEntry>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleEntry {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// `root_cause`, `symptom` or `informational` (a routine line).
    pub role: crate::vocab::Role,
    /// `builtin` or the rule file's path.
    pub origin: String,
}

impl RuleList {
    pub fn new(rules: &[Rule]) -> Self {
        Self {
            rules: rules
                .iter()
                .map(|r| RuleEntry {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    category: r.category,
                    severity: r.severity,
                    role: r.role,
                    origin: r.origin.to_string(),
                })
                .collect(),
        }
    }
}

/// `clawdoc rules show ID --json`: the rule as loaded.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleShow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub category: Category,
    pub severity: Severity,
    pub role: crate::ruleset::Role,
    pub priority: i32,
    pub section: &'a str,
    pub meaning: &'a str,
    pub causes: &'a [String],
    pub patterns: Vec<&'a str>,
    pub probes: &'a [crate::vocab::ProbeName],
    pub standalone: bool,
    pub confirm: &'a [crate::ruleset::ConditionBlock],
    pub refute: &'a [crate::ruleset::ConditionBlock],
    pub fixes: &'a [crate::ruleset::Fix],
    pub examples: &'a [crate::ruleset::Example],
    pub origin: String,
}

impl<'a> RuleShow<'a> {
    pub fn new(r: &'a Rule) -> Self {
        Self {
            id: &r.id,
            title: &r.title,
            category: r.category,
            severity: r.severity,
            role: r.role,
            priority: r.priority,
            section: r.section,
            meaning: &r.meaning,
            causes: &r.causes,
            patterns: r.patterns.iter().map(|p| p.source.as_str()).collect(),
            probes: &r.probes,
            standalone: r.standalone,
            confirm: &r.confirm,
            refute: &r.refute,
            fixes: &r.fixes,
            examples: &r.examples,
            origin: r.origin.to_string(),
        }
    }
}

/// `clawdoc rules test --json`: every rule's examples run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RulesTest {
    pub rules: usize,
    pub examples: usize,
    pub failures: Vec<ExampleFailure>,
    pub errors: Vec<String>,
}

/// One example that did not behave: `missing` (should match, did not),
/// `noisy` (should not match, did), `capture` or `ranking`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExampleFailure {
    pub rule_id: String,
    pub kind: &'static str,
    pub text: String,
    pub detail: String,
}

/// `clawdoc rules lint --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RulesLint {
    pub rules: usize,
    pub errors: Vec<RuleError>,
    /// Rule and flowchart texts without their zh-TW (lint fails on them).
    pub untranslated: Vec<RuleError>,
}

/// `clawdoc rules eval --json`: the rules scored on labelled pastes (see
/// [`crate::eval`]). Percentages are 0–100.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RulesEval {
    /// The eval files, as named on the command line (`-` is `<stdin>`).
    pub files: Vec<String>,
    /// Rules loaded (built-in and user).
    pub rules: usize,
    /// Whether a guess counts when no pattern matched (`--guesses`).
    pub guesses: bool,
    pub overall: crate::eval::Figures,
    /// By the rows' `split` (rows without one are only in the totals).
    pub splits: Vec<crate::eval::GroupFigures>,
    /// By the rows' `source`, in the order they first appear.
    pub sources: Vec<crate::eval::GroupFigures>,
    /// Every category that is a label or a prediction.
    pub categories: Vec<crate::eval::CategoryFigures>,
    /// Label × prediction (`none`: nothing), non-zero cells only.
    pub confusion: Vec<crate::eval::ConfusionCell>,
    /// Rows predicted wrong, in file order; held-out ones only with
    /// `--show-test-misses`.
    pub misses: Vec<crate::eval::Miss>,
    /// Misses of held-out (`split = test`) rows not listed.
    pub hidden_test_misses: usize,
    /// With `--leave-one-source-out`: each source guessed with an index
    /// built without it.
    pub leave_one_source_out: Vec<crate::eval::HeldOutSource>,
    /// The floors asked for (`--min-top1`, `--max-fp`).
    pub floors: Vec<crate::eval::FloorCheck>,
    /// Every floor holds (the exit code is 1 when not).
    pub passed: bool,
}

impl RulesEval {
    pub fn new(files: Vec<String>, rules: usize, e: &crate::eval::Evaluation) -> Self {
        Self {
            files,
            rules,
            guesses: e.guesses,
            overall: e.overall.clone(),
            splits: e.splits.clone(),
            sources: e.sources.clone(),
            categories: e.categories.clone(),
            confusion: e.confusion.clone(),
            misses: e.misses.clone(),
            hidden_test_misses: e.hidden_test_misses,
            leave_one_source_out: e.leave_one_source_out.clone(),
            floors: e.floors.clone(),
            passed: e.passed(),
        }
    }
}

// -------------------------------------------------------------------- walk

/// `clawdoc walk --json`: the steps taken, where the walk ended, and the
/// fixes applied there.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Walk {
    /// The gateway the probes looked at and the fixes acted on.
    pub target: crate::target::TargetInfo,
    pub trail: Vec<TrailStep>,
    pub outcome: WalkOutcome,
    pub applied: Vec<WalkFix>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WalkOutcome {
    /// `rule` (a rule's advice) or `end` (a leaf text).
    pub kind: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WalkFix {
    pub action: FixAction,
    pub ok: bool,
    pub summary: String,
}

// ---------------------------------------------------- doctor, status, undo

/// `clawdoc doctor --json`.
pub type Doctor = DoctorReport;
/// `clawdoc status --json`.
pub type Status = GatewayStatus;
/// `clawdoc flowchart --format json`.
pub type FlowchartDoc = Flowchart;

/// `clawdoc undo --json`: what an undo restored, or that there was nothing
/// to undo.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Undo {
    Undone(UndoReport),
    Nothing(NothingToUndo),
}

/// `clawdoc undo --json` when there is nothing to undo.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NothingToUndo {
    /// Always `true`.
    pub nothing_to_undo: bool,
}

// ----------------------------------------------------------------- devices

/// `clawdoc devices list --json`: the device store as the gateway keeps it
/// (tokens are derived, never stored, so none is here).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Devices<'a> {
    pub paired: &'a [PairedDevice],
    pub pending: &'a [PendingRequest],
}

impl<'a> Devices<'a> {
    pub fn new(store: &'a DeviceStore) -> Self {
        Self {
            paired: &store.paired,
            pending: &store.pending,
        }
    }
}

// ---------------------------------------------------------- config validate

/// `clawdoc config validate --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConfigValidate {
    pub path: String,
    pub exists: bool,
    pub valid: bool,
    pub problems: Vec<ConfigProblem>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConfigProblem {
    pub line: usize,
    pub col: usize,
    /// `syntax`, `unknown_key`, `deprecated_key`, `bad_value` or
    /// `missing_key`.
    pub kind: String,
    pub key: Option<String>,
    pub replacement: Option<String>,
    pub message: String,
}

impl ConfigValidate {
    /// The report on a config file from its load result. An unreadable file
    /// reports as existing, invalid, with no problem (the caller reports the
    /// error itself).
    pub fn new(path: String, loaded: &Result<Loaded, LoadError>) -> Self {
        let mut report = Self {
            path,
            exists: true,
            valid: false,
            problems: Vec::new(),
        };
        match loaded {
            Ok(loaded) => {
                report.problems = loaded.problems.iter().map(ConfigProblem::from).collect();
                if loaded.config.mode.is_none()
                    && !report
                        .problems
                        .iter()
                        .any(|p| p.key.as_deref() == Some("gateway.mode"))
                {
                    // Not a schema error, but the gateway will refuse to start.
                    report.problems.push(ConfigProblem {
                        line: 1,
                        col: 1,
                        kind: "missing_key".into(),
                        key: Some("gateway.mode".into()),
                        replacement: None,
                        message: "gateway.mode is not set: the gateway will not start (set gateway.mode=local)".into(),
                    });
                }
                report.valid = report.problems.is_empty();
            }
            Err(LoadError::Syntax {
                line, col, message, ..
            }) => report.problems.push(ConfigProblem {
                line: *line,
                col: *col,
                kind: "syntax".into(),
                key: None,
                replacement: None,
                message: format!("invalid TOML: {message}"),
            }),
            Err(LoadError::Missing { .. }) => report.exists = false,
            Err(LoadError::Unreadable { .. }) => {}
        }
        report
    }
}

impl From<&Problem> for ConfigProblem {
    fn from(p: &Problem) -> Self {
        let (kind, replacement) = match &p.kind {
            ProblemKind::UnknownKey { .. } => ("unknown_key", None),
            ProblemKind::DeprecatedKey { replacement, .. } => {
                ("deprecated_key", Some(replacement.clone()))
            }
            ProblemKind::BadValue { .. } => ("bad_value", None),
        };
        Self {
            line: p.line,
            col: p.col,
            kind: kind.into(),
            key: Some(p.key().to_string()),
            replacement,
            message: p.message.clone(),
        }
    }
}

// ----------------------------------------------------------------- schemas

/// The documents with a published JSON Schema, by the name `clawdoc schema`
/// takes.
pub const SCHEMAS: &[&str] = &[
    "lookup",
    "lookup-probe",
    "scan",
    "rules-list",
    "rules-show",
    "rules-test",
    "rules-lint",
    "rules-eval",
    "walk",
    "doctor",
    "status",
    "target-status",
    "undo",
    "flowchart",
    "devices",
    "config-validate",
];

/// The JSON Schema of the document `name` (see [`SCHEMAS`]).
pub fn schema(name: &str) -> Option<serde_json::Value> {
    let schema = match name {
        "lookup" => schemars::schema_for!(Versioned<Lookup>),
        "lookup-probe" => schemars::schema_for!(Versioned<ProbedLookup>),
        "scan" => schemars::schema_for!(Versioned<Scan>),
        "rules-list" => schemars::schema_for!(Versioned<RuleList>),
        "rules-show" => schemars::schema_for!(Versioned<RuleShow<'static>>),
        "rules-test" => schemars::schema_for!(Versioned<RulesTest>),
        "rules-lint" => schemars::schema_for!(Versioned<RulesLint>),
        "rules-eval" => schemars::schema_for!(Versioned<RulesEval>),
        "walk" => schemars::schema_for!(Versioned<Walk>),
        "doctor" => schemars::schema_for!(Versioned<Doctor>),
        "status" => schemars::schema_for!(Versioned<Status>),
        // `clawdoc status --json` on a target other than the embedded one.
        "target-status" => schemars::schema_for!(Versioned<crate::probe::status::TargetStatus>),
        "undo" => schemars::schema_for!(Versioned<Undo>),
        "flowchart" => schemars::schema_for!(Versioned<FlowchartDoc>),
        "devices" => schemars::schema_for!(Versioned<Devices<'static>>),
        "config-validate" => schemars::schema_for!(Versioned<ConfigValidate>),
        _ => return None,
    };
    serde_json::to_value(schema).ok()
}
