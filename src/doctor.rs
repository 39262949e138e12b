//! The one-shot doctor: probes + log tail → findings → fixes by safety tier
//! → re-probe → verify. Pure orchestration over the other modules; the CLI
//! renders what this returns and supplies the confirmation prompt.
//!
//! A pattern match is a hypothesis; a probe confirms or refutes it. A rule
//! becomes a finding when its probe conditions are confirmed on this
//! machine, whether it was raised by a log line or (for `standalone` rules)
//! by the probe facts alone. A log line whose rule the probes refute is
//! history, not a current problem, and is reported as such.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::engine::Engine;
use crate::finding::{explain, Explained, Verdict};
use crate::fix::{self, Applied, FixEnv, Journal, Preview};
use crate::i18n::{msg, Message};
use crate::probe::{self, Evidence, ProbeEnv, Status};
use crate::ruleset::{Fix, Rule, RuleSet};
use crate::target::TargetInfo;
use crate::vocab::{Applicability, Category, FixAction, ProbeName, Severity};

/// How much of the gateway log the doctor reads (from the end).
pub(crate) const LOG_TAIL_BYTES: u64 = 256 * 1024;
/// Fix rounds before the doctor stops (each round re-probes).
pub(crate) const MAX_ROUNDS: usize = 5;

/// A rule confirmed (or seen) on this machine.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Finding {
    pub rule_id: String,
    pub category: Category,
    pub title: String,
    pub severity: Severity,
    pub meaning: String,
    pub section: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The log line that raised it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_line: Option<LogLine>,
    /// Why the verdict (`held`/`why`) as catalogue messages.
    #[serde(skip)]
    pub reasons: Vec<Message>,
    /// Summaries of the probes the rule relies on.
    pub evidence: Vec<String>,
    /// The same summaries as catalogue messages, for the reader's language.
    #[serde(skip)]
    pub evidence_messages: Vec<(ProbeName, crate::i18n::Message)>,
    pub fixes: Vec<Fix>,
    /// Captures and facts that fill `{placeholders}` in fix texts.
    #[serde(skip)]
    pub(crate) vars: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LogLine {
    pub line: usize,
    pub text: String,
}

/// A log line whose rule the probes refute: it happened, it is not current.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct History {
    pub rule_id: String,
    pub line: usize,
    pub text: String,
    pub why: Vec<String>,
    /// `why` as catalogue messages, for the reader's language.
    #[serde(skip)]
    pub reasons: Vec<Message>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    pub evidence: Vec<Evidence>,
    pub findings: Vec<Finding>,
    pub history: Vec<History>,
    pub log: LogScan,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LogScan {
    pub path: String,
    pub present: bool,
    /// Lines of the current run that were matched against the rules.
    pub lines: usize,
    /// Why the log could not be analysed (the rules did not build into an
    /// engine). A diagnosis with this set is never called healthy.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "english")]
    #[schemars(with = "Option<String>")]
    pub error: Option<Message>,
}

/// A message as JSON says it: its English.
fn english<S: serde::Serializer>(m: &Option<Message>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_str(&m.english()),
        None => s.serialize_none(),
    }
}

impl Diagnosis {
    /// No finding, and the gateway answers. A failing health probe that no
    /// rule explains (e.g. a config path that cannot be read) is still not
    /// healthy: the doctor must never say "all good" next to a red health.
    pub(crate) fn healthy(&self) -> bool {
        self.findings.is_empty()
            && self.unexplained_failures().is_empty()
            && self.log.error.is_none()
    }
    /// Failing areas no finding accounts for: the health probe failing with
    /// no finding at all. Shown so the user is not told "no problems".
    pub fn unexplained_failures(&self) -> Vec<&Evidence> {
        if !self.findings.is_empty() {
            return Vec::new();
        }
        self.evidence
            .iter()
            .filter(|e| e.probe == ProbeName::Health && e.status == Status::Fail)
            .collect()
    }
    pub(crate) fn evidence(&self, probe: ProbeName) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.probe == probe)
    }
}

/// Runs every probe and the log tail through the rules.
pub(crate) fn diagnose(env: &ProbeEnv, rules: &RuleSet) -> Diagnosis {
    let evidence = probe::run_all(env, ProbeName::ALL);
    let (log, log_text) = read_log_tail(env);
    let mut d = judge(rules, evidence, log, &log_text);
    for f in &mut d.findings {
        f.fixes = f
            .fixes
            .iter()
            .map(|x| target_fix(&env.target, x, f.category, &f.vars))
            .collect();
    }
    d
}

/// The gateway log of the current run (from the last start marker), at most
/// [`LOG_TAIL_BYTES`] from the end.
pub fn read_log_tail(env: &ProbeEnv) -> (LogScan, Vec<u8>) {
    let source = env.target.log_source(&env.home);
    let path = source.path;
    let mut scan = LogScan {
        error: None,
        path: path.display().to_string(),
        present: false,
        lines: 0,
    };
    let Ok(mut file) = std::fs::File::open(&path) else {
        return (scan, Vec::new());
    };
    scan.present = true;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(LOG_TAIL_BYTES);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return (scan, Vec::new());
    }
    if start > 0 {
        // Drop the partial first line.
        let cut = memchr::memchr(b'\n', &bytes)
            .map(|i| i + 1)
            .unwrap_or(bytes.len());
        bytes.drain(..cut);
    }
    if let Some(to_text) = source.to_text {
        bytes = to_text(&bytes);
    }
    // Keep only the current run: from the last start marker on.
    let text = String::from_utf8_lossy(&bytes);
    let mut from = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if source.start_markers.iter().any(|m| line.contains(m)) {
            from = offset;
        }
        offset += line.len();
    }
    let current = text[from..].as_bytes().to_vec();
    scan.lines = current
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    (scan, current)
}

/// Turns evidence and log text into findings. Pure.
pub(crate) fn judge(
    rules: &RuleSet,
    evidence: Vec<Evidence>,
    mut log: LogScan,
    log_text: &[u8],
) -> Diagnosis {
    let mut findings = Vec::new();
    let mut history = Vec::new();
    let mut seen = BTreeSet::new();
    let engine = Engine::new(&rules.rules)
        .map_err(|e| {
            log.error = Some(msg!("doctor-log-not-analysed", error = e));
        })
        .ok();
    if let Some(engine) = engine {
        // An informational line is routine: never a finding.
        let lookup = engine.lookup(log_text);
        for m in lookup
            .into_iter()
            .filter(|m| m.rule.role != crate::ruleset::Role::Informational)
        {
            let explained = explain(m.rule, &evidence);
            match &explained.verdict {
                Verdict::Refuted { why } => history.push(History {
                    rule_id: m.rule.id.clone(),
                    line: m.line,
                    text: m.text.clone(),
                    why: why.clone(),
                    reasons: explained.reasons,
                }),
                Verdict::Inconclusive { why } if !m.rule.confirm.is_empty() => {
                    // Declared conditions did not hold: not current.
                    history.push(History {
                        rule_id: m.rule.id.clone(),
                        line: m.line,
                        text: m.text.clone(),
                        why: why.clone(),
                        reasons: explained.reasons,
                    })
                }
                _ => {
                    seen.insert(m.rule.id.clone());
                    findings.push(finding(
                        m.rule,
                        explained,
                        Some(LogLine {
                            line: m.line,
                            text: m.text.clone(),
                        }),
                        &m.captures,
                        &evidence,
                    ));
                }
            }
        }
    }
    for rule in rules
        .rules
        .iter()
        .filter(|r| r.standalone && !seen.contains(&r.id))
    {
        let explained = explain(rule, &evidence);
        if explained.verdict.is_confirmed() {
            findings.push(finding(
                rule,
                explained,
                None,
                &Default::default(),
                &evidence,
            ));
        }
    }
    // A finding about the same thing from the log and the probes: keep one.
    // The one ranking (`ruleset::rank`), as lookup orders the same rules.
    findings.sort_by(
        |a, b| match (rules.get(&a.rule_id), rules.get(&b.rule_id)) {
            (Some(ra), Some(rb)) => {
                let standing = |rule| crate::ruleset::rank::Standing {
                    rule,
                    context: 0,
                    specificity: 0,
                    line: 0,
                };
                crate::ruleset::rank::compare(&standing(ra), &standing(rb))
            }
            _ => b
                .severity
                .cmp(&a.severity)
                .then_with(|| a.rule_id.cmp(&b.rule_id)),
        },
    );
    Diagnosis {
        evidence,
        findings,
        history,
        log,
    }
}

/// A rule's fix as `target` shows it ([`Fix::on`]), placeholders filled
/// from `vars`.
pub fn target_fix(
    target: &crate::target::Target,
    fix: &Fix,
    category: Category,
    vars: &std::collections::BTreeMap<String, String>,
) -> Fix {
    fix.on(target, category).rendered(vars)
}

/// Captures plus probe facts, by name, to fill `{placeholders}` in fix
/// texts; `config.*` and `port.*` facts also by their short name (`{port}`).
pub fn fact_vars(
    captures: &std::collections::BTreeMap<String, String>,
    evidence: &[Evidence],
) -> std::collections::BTreeMap<String, String> {
    let mut vars = captures.clone();
    for e in evidence {
        for (k, v) in &e.facts {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            vars.entry(k.clone()).or_insert(text.clone());
            if let Some(short) = k.split('.').nth(1) {
                if k.starts_with("config.") || k.starts_with("port.") {
                    vars.entry(short.to_string()).or_insert(text);
                }
            }
        }
    }
    vars
}

fn finding(
    rule: &Rule,
    Explained { verdict, reasons }: Explained,
    log_line: Option<LogLine>,
    captures: &std::collections::BTreeMap<String, String>,
    evidence: &[Evidence],
) -> Finding {
    let vars = fact_vars(captures, evidence);
    Finding {
        rule_id: rule.id.clone(),
        category: rule.category,
        title: rule.title.clone(),
        severity: rule.severity,
        meaning: rule.meaning.clone(),
        section: rule.section_title().to_string(),
        verdict,
        reasons,
        log_line,
        evidence: evidence
            .iter()
            .filter(|e| rule.probes.contains(&e.probe))
            .map(|e| format!("{}: {}", e.probe, e.summary))
            .collect(),
        evidence_messages: evidence
            .iter()
            .filter(|e| rule.probes.contains(&e.probe))
            .map(|e| (e.probe, Message::clone(&e.message)))
            .collect(),
        fixes: rule.fixes.iter().map(|f| f.rendered(&vars)).collect(),
        vars,
    }
}

// ------------------------------------------------------------------ fixing

/// What the user allowed.
#[derive(Debug, Clone, Copy)]
pub struct FixPolicy {
    /// Lowest applicability applied automatically: `Safe` for `--fix`,
    /// `Unsafe` for `--unsafe-fixes`. `None`: diagnose only.
    pub threshold: Option<Applicability>,
    /// Print the plan, change nothing.
    pub dry_run: bool,
}

/// Asks whether an unsafe fix may run (a TTY prompt, `--yes`, or a script).
pub trait Confirm {
    fn confirm(&mut self, finding: &Finding, fix: &Fix, preview: &Preview) -> bool;
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlannedFix {
    pub rule_id: String,
    #[serde(flatten)]
    pub preview: Preview,
    pub applicability: Applicability,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AppliedFix {
    pub rule_id: String,
    pub action: FixAction,
    /// The action did not fail.
    pub ok: bool,
    /// The action changed something (false for "nothing to do").
    pub changed: bool,
    /// In English (`message` rendered).
    pub summary: String,
    #[serde(skip)]
    pub message: Message,
}

impl AppliedFix {
    fn new(rule_id: &str, action: FixAction, ok: bool, changed: bool, message: Message) -> Self {
        Self {
            rule_id: rule_id.to_string(),
            action,
            ok,
            changed,
            summary: message.english(),
            message,
        }
    }
}

/// Why a finding's fix was not applied.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LeftFix {
    pub rule_id: String,
    pub action: FixAction,
    pub title: String,
    pub applicability: Applicability,
    /// display-only | needs --fix | needs --unsafe-fixes | declined | failed | dry-run
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Verification {
    pub health_ready: bool,
    pub handshake: String,
    /// Good by the target's own measure (embedded: ready and the device
    /// handshake ok; OpenClaw: `/readyz` 200).
    pub verified: bool,
    /// In English (`message` rendered).
    pub summary: String,
    #[serde(skip)]
    pub message: Message,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DoctorReport {
    /// The gateway this report is about.
    pub target: TargetInfo,
    pub healthy: bool,
    pub initial: Diagnosis,
    pub plan: Vec<PlannedFix>,
    pub applied: Vec<AppliedFix>,
    pub left: Vec<LeftFix>,
    #[serde(rename = "final")]
    pub final_diagnosis: Option<Diagnosis>,
    pub verification: Option<Verification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    pub rounds: usize,
    /// Wall time of the whole run, in milliseconds.
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "f64")]
    pub elapsed: Duration,
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Diagnoses, then (as far as `policy` allows) fixes, re-probes and verifies.
pub fn run(
    env: &ProbeEnv,
    rules: &RuleSet,
    policy: FixPolicy,
    confirm: &mut dyn Confirm,
) -> DoctorReport {
    let started = Instant::now();
    // Two fixing runs on one home would both see the same fault and both
    // fix it (e.g. each write a default config with its own token under the
    // gateway the other started): the second waits, then diagnoses afresh.
    let _turn = (policy.threshold.is_some() && !policy.dry_run)
        .then(|| take_fixing_turn(&env.home))
        .flatten();
    let initial = diagnose(env, rules);
    let fix_env = FixEnv {
        home: env.home.clone(),
        proc_root: env.proc_root.clone(),
        target: env.target.clone(),
    };
    let mut report = DoctorReport {
        target: env.target_info(),
        healthy: initial.healthy(),
        initial: initial.clone(),
        plan: Vec::new(),
        applied: Vec::new(),
        left: Vec::new(),
        final_diagnosis: None,
        verification: None,
        journal: None,
        rounds: 0,
        elapsed: Duration::ZERO,
    };
    let Some(threshold) = policy.threshold.filter(|_| !policy.dry_run) else {
        // Diagnose only, or a dry run: say what would happen, change nothing.
        report.plan = plan(&initial, policy.threshold, &fix_env);
        report.left = leftovers(&initial, policy.threshold, &[], policy.dry_run);
        report.elapsed = started.elapsed();
        return report;
    };
    let mut journal: Option<Journal> = None;
    let mut attempted: BTreeSet<(String, FixAction)> = BTreeSet::new();
    let mut declined: Vec<(String, FixAction)> = Vec::new();
    let mut current = initial;
    for round in 0..MAX_ROUNDS {
        let mut steps = eligible(&current, &attempted, threshold);
        steps.sort_by_key(|(_, x)| fix::phase(x.action));
        let mut done_actions = BTreeSet::new();
        let mut changed_config = false;
        let mut progressed = false;
        for (finding, view) in steps {
            // Starting, restarting and pairing depend on the config: once
            // it changed this round, re-probe before going further.
            if changed_config && fix::phase(view.action) >= fix::phase(FixAction::StartGateway) {
                break;
            }
            attempted.insert((finding.rule_id.clone(), view.action));
            if !done_actions.insert(view.action) {
                continue; // the same action already ran this round for another finding
            }
            if view.applicability == Applicability::Unsafe {
                let preview = fix::preview(view.action, &fix_env);
                if !confirm.confirm(finding, view, &preview) {
                    declined.push((finding.rule_id.clone(), view.action));
                    continue;
                }
            }
            if journal.is_none() {
                match Journal::begin(&env.home, &env.target) {
                    Ok(j) => {
                        report.journal = Some(j.dir().display().to_string());
                        journal = Some(j);
                    }
                    Err(e) => {
                        report.applied.push(AppliedFix::new(
                            &finding.rule_id,
                            view.action,
                            false,
                            false,
                            msg!("fix-no-journal", error = e),
                        ));
                        continue;
                    }
                }
            }
            let outcome = fix::apply(view.action, &fix_env);
            progressed = true;
            match outcome {
                Ok(applied) => {
                    // Only edits the gateway has not seen yet; pin_token_and_repair
                    // restarts the gateway itself.
                    changed_config |= fix::phase(view.action) <= 1;
                    if let Some(j) = journal.as_mut() {
                        let _ = j.record(&finding.rule_id, &applied);
                    }
                    report.applied.push(ok_fix(&finding.rule_id, applied));
                }
                Err(fix::FixError::Precondition { said, .. }) => {
                    report.applied.push(AppliedFix::new(
                        &finding.rule_id,
                        view.action,
                        true,
                        false,
                        msg!("fix-nothing-to-do", reason = said),
                    ))
                }
                Err(e) => report.applied.push(AppliedFix::new(
                    &finding.rule_id,
                    view.action,
                    false,
                    false,
                    e.message(),
                )),
            }
        }
        // A running gateway does not reread its config: restart it (safe).
        if changed_config
            && !done_actions.contains(&FixAction::RestartGateway)
            && gateway_running(env)
        {
            let outcome = fix::apply(FixAction::RestartGateway, &fix_env);
            report.applied.push(match outcome {
                Ok(applied) => ok_fix("config-changed", applied),
                Err(e) => AppliedFix::new(
                    "config-changed",
                    FixAction::RestartGateway,
                    false,
                    false,
                    e.message(),
                ),
            });
        }
        report.rounds = round + 1;
        current = diagnose(env, rules);
        // Stop when this round changed nothing and the fresh diagnosis
        // offers no fix not tried yet. (A finding may show only on a later
        // probe: a gateway still settling after a config edit, a loaded
        // machine's slow answer; its fix is then tried, not reported as
        // "failed or did not help" without ever running.)
        if !progressed && eligible(&current, &attempted, threshold).is_empty() {
            break;
        }
    }
    report.left = leftovers(&current, Some(threshold), &declined, false);
    report.verification = Some(verify(env, &current));
    report.healthy = current.healthy();
    report.final_diagnosis = Some(current);
    report.elapsed = started.elapsed();
    report
}

/// The fixes of `d` this run may still apply: not display-only, allowed by
/// the user's flags, not tried yet.
fn eligible<'a>(
    d: &'a Diagnosis,
    attempted: &BTreeSet<(String, FixAction)>,
    threshold: Applicability,
) -> Vec<(&'a Finding, &'a Fix)> {
    (d.findings.iter())
        .flat_map(|f| f.fixes.iter().map(move |x| (f, x)))
        .filter(|(f, x)| {
            x.applicability != Applicability::DisplayOnly
                && x.applicability >= threshold
                && !attempted.contains(&(f.rule_id.clone(), x.action))
        })
        .collect()
}

/// Blocks until no other `doctor --fix` (or `walk` applying a fix) runs on
/// this home; the returned
/// file holds the lock until dropped (close-on-exec: a gateway started by
/// the fixes does not inherit it). Best effort: a home that cannot hold the
/// lock file (not writable, not a directory) runs unserialised, and the
/// fixes report why they fail.
pub fn take_fixing_turn(home: &crate::home::Home) -> Option<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(home.root())
        .ok()?;
    let file = crate::fsutil::open_no_follow(
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600),
        &home.doctor_lock_path(),
    )
    .ok()?;
    fs4::fs_std::FileExt::lock_exclusive(&file).ok()?;
    Some(file)
}

fn ok_fix(rule_id: &str, applied: Applied) -> AppliedFix {
    AppliedFix::new(rule_id, applied.action, true, true, applied.message)
}

fn gateway_running(env: &ProbeEnv) -> bool {
    env.target.gateway_running(&env.home, &env.proc_root)
}

/// The fixes that would run under `threshold`, with previews (dry run).
fn plan(d: &Diagnosis, threshold: Option<Applicability>, env: &FixEnv) -> Vec<PlannedFix> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<PlannedFix> = d
        .findings
        .iter()
        .flat_map(|f| f.fixes.iter().map(move |x| (f, x)))
        .filter(|(_, x)| x.applicability != Applicability::DisplayOnly)
        .filter(|(_, x)| threshold.is_none_or(|t| x.applicability >= t))
        .filter(|(_, x)| seen.insert(x.action))
        .map(|(f, x)| PlannedFix {
            rule_id: f.rule_id.clone(),
            preview: fix::preview(x.action, env),
            applicability: x.applicability,
        })
        .collect();
    out.sort_by_key(|p| fix::phase(p.preview.action));
    out
}

/// Every fix of a remaining finding that was not applied, and why.
fn leftovers(
    d: &Diagnosis,
    threshold: Option<Applicability>,
    declined: &[(String, FixAction)],
    dry_run: bool,
) -> Vec<LeftFix> {
    d.findings
        .iter()
        .flat_map(|f| f.fixes.iter().map(move |x| (f, x)))
        .map(|(f, x)| {
            let reason = if x.applicability == Applicability::DisplayOnly {
                "display-only"
            } else if dry_run {
                "dry-run"
            } else if declined
                .iter()
                .any(|(r, a)| *r == f.rule_id && *a == x.action)
            {
                "declined"
            } else if threshold.is_none() {
                if x.applicability == Applicability::Safe {
                    "needs --fix"
                } else {
                    "needs --unsafe-fixes"
                }
            } else if threshold.is_some_and(|t| x.applicability < t) {
                "needs --unsafe-fixes"
            } else {
                "failed or did not help"
            };
            LeftFix {
                rule_id: f.rule_id.clone(),
                action: x.action,
                title: x.title.clone(),
                applicability: x.applicability,
                reason: reason.to_string(),
                text: x.text.clone(),
                commands: x.commands.clone(),
            }
        })
        .collect()
}

fn verify(env: &ProbeEnv, d: &Diagnosis) -> Verification {
    let health = d.evidence(ProbeName::Health);
    let ready = health
        .and_then(|e| e.get("health.ready"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let handshake = health
        .and_then(|e| e.get("health.handshake"))
        .and_then(|v| v.as_str())
        .unwrap_or("skipped")
        .to_string();
    let verified = env.target.verified(ready, &handshake);
    let message = match (ready, handshake.as_str()) {
        (true, "ok") => msg!("verify-connected"),
        (true, _) if verified => msg!("verify-ready"),
        (true, other) => msg!("verify-handshake", handshake = other),
        (false, _) => health
            .map(|e| Message::clone(&e.message))
            .unwrap_or_else(|| msg!("verify-not-probed")),
    };
    Verification {
        health_ready: ready,
        handshake,
        verified,
        summary: message.english(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::pattern::Pattern;

    /// Patterns that each compile alone but not together (over a combined
    /// regex's size limit) no longer stop log analysis: lookup compiles
    /// only the patterns whose literals occur in the log.
    #[test]
    fn patterns_too_big_together_do_not_stop_log_analysis() {
        let set = RuleSet::builtin();
        let mut rules = set.rules.clone();
        let big = r"(?:[a-z0-9]{100}){500}";
        assert!(crate::ruleset::pattern::build_regex(big).is_ok());
        for rule in rules.iter_mut().filter(|r| r.id != "port-in-use").take(2) {
            rule.patterns = (0..3).map(|_| Pattern::new(big)).collect();
        }
        let broken = RuleSet {
            rules,
            ..set.clone()
        };
        let log = LogScan {
            path: "gateway.log".into(),
            present: true,
            lines: 1,
            error: None,
        };
        let d = judge(
            &broken,
            Vec::new(),
            log,
            b"listen EADDRINUSE: address already in use :::3001\n",
        );
        assert_eq!(d.log.error, None);
        let text = format!("{:?} {:?}", d.findings, d.history);
        assert!(text.contains("port-in-use"), "{text}");
    }
}
