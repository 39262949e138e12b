//! A rule plus probe evidence → Confirmed | Refuted | Inconclusive.
//!
//! Pure: no probing, no I/O. A rule's `[[confirm]]` and `[[refute]]` blocks
//! are alternatives (OR) of conditions that must all hold (AND). Each
//! condition is three-valued: it holds, it fails, or it cannot be decided
//! (the probe did not run, could not look, or did not report the fact).
//!
//! Precedence, conservative first: a refuting block that holds wins (we do
//! not fix what the machine says is not broken), then a confirming block
//! that holds, else Inconclusive with every reason a block was undecided.

use serde::Serialize;

use crate::i18n::{msg, Message};
use crate::probe::{Evidence, Status};
use crate::ruleset::{Condition, ConditionBlock, Op, Rule};

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// A confirming block held: `held` shows each of its conditions with the
    /// observed value, e.g. `port.holder_is_gateway == false (observed false)`.
    Confirmed { held: Vec<String> },
    /// A refuting block held.
    Refuted { why: Vec<String> },
    /// Neither side could be decided, or no confirming block held.
    Inconclusive { why: Vec<String> },
}

impl Verdict {
    pub fn is_confirmed(&self) -> bool {
        matches!(self, Verdict::Confirmed { .. })
    }
    #[cfg(test)]
    pub(crate) fn is_refuted(&self) -> bool {
        matches!(self, Verdict::Refuted { .. })
    }
}

/// The outcome of one condition, or of a block (its conditions' reasons
/// joined with `; `).
#[derive(Debug, Clone, PartialEq)]
enum Truth {
    Holds(Message),
    Fails(Message),
    Unknown(Message),
}

/// A verdict with its reasons as catalogue messages, in the order of the
/// verdict's `held`/`why` strings (which are their English).
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub verdict: Verdict,
    pub reasons: Vec<Message>,
}

/// Judges `rule` against the evidence the probes gathered.
pub fn assess(rule: &Rule, evidence: &[Evidence]) -> Verdict {
    explain(rule, evidence).verdict
}

/// [`assess`], with the reasons as messages for the reader's language.
pub fn explain(rule: &Rule, evidence: &[Evidence]) -> Explained {
    let english = |m: &[Message]| m.iter().map(Message::english).collect();
    if rule.confirm.is_empty() && rule.refute.is_empty() {
        let reasons = vec![msg!("verdict-no-conditions", rule = &rule.id)];
        return Explained {
            verdict: Verdict::Inconclusive {
                why: english(&reasons),
            },
            reasons,
        };
    }
    let mut undecided = Vec::new();
    for block in &rule.refute {
        match eval_block(block, evidence) {
            (Truth::Holds(_), parts) => {
                return Explained {
                    verdict: Verdict::Refuted {
                        why: english(&parts),
                    },
                    reasons: parts,
                }
            }
            (Truth::Unknown(s), _) => undecided.push(s),
            (Truth::Fails(_), _) => {}
        }
    }
    let mut failed = Vec::new();
    for block in &rule.confirm {
        match eval_block(block, evidence) {
            (Truth::Holds(_), parts) => {
                return Explained {
                    verdict: Verdict::Confirmed {
                        held: english(&parts),
                    },
                    reasons: parts,
                }
            }
            (Truth::Unknown(s), _) => undecided.push(s),
            (Truth::Fails(s), _) => failed.push(s),
        }
    }
    let mut why: Vec<Message> = undecided;
    if rule.confirm.is_empty() {
        why.push(msg!("verdict-no-confirm"));
    }
    why.extend(
        failed
            .into_iter()
            .map(|s| msg!("verdict-not-confirmed", why = s)),
    );
    why.dedup();
    Explained {
        verdict: Verdict::Inconclusive { why: english(&why) },
        reasons: why,
    }
}

/// Evaluates conditions that must all hold (a flowchart check): `Some(true)`
/// holds, `Some(false)` fails, `None` cannot be decided from the evidence.
/// The message explains the outcome.
pub(crate) fn eval_all(conditions: &[Condition], evidence: &[Evidence]) -> (Option<bool>, Message) {
    let block = ConditionBlock {
        when: conditions.to_vec(),
    };
    match eval_block(&block, evidence).0 {
        Truth::Holds(s) => (Some(true), s),
        Truth::Fails(s) => (Some(false), s),
        Truth::Unknown(s) => (None, s),
    }
}

/// Messages joined with `; ` (one message).
fn joined(parts: Vec<Message>) -> Message {
    Message::joined(parts).unwrap_or_else(|| msg!("verdict-no-confirm"))
}

/// AND of a block: any failing condition fails it; else any unknown makes
/// it unknown; else it holds. Also returns the holding conditions' reasons
/// one by one.
fn eval_block(block: &ConditionBlock, evidence: &[Evidence]) -> (Truth, Vec<Message>) {
    let results: Vec<Truth> = block.when.iter().map(|c| eval(c, evidence)).collect();
    if let Some(Truth::Fails(s)) = results.iter().find(|t| matches!(t, Truth::Fails(_))) {
        return (Truth::Fails(s.clone()), Vec::new());
    }
    let unknown: Vec<Message> = results
        .iter()
        .filter_map(|t| match t {
            Truth::Unknown(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    if !unknown.is_empty() {
        return (Truth::Unknown(joined(unknown)), Vec::new());
    }
    let held: Vec<Message> = results
        .into_iter()
        .filter_map(|t| match t {
            Truth::Holds(s) => Some(s),
            _ => None,
        })
        .collect();
    (Truth::Holds(joined(held.clone())), held)
}

fn eval(cond: &Condition, evidence: &[Evidence]) -> Truth {
    let shown = cond.to_string();
    let Some(ev) = evidence.iter().find(|e| e.probe == cond.probe) else {
        return Truth::Unknown(msg!("cond-not-run", probe = cond.probe, cond = shown));
    };
    let inconclusive = || {
        Truth::Unknown(msg!(
            "cond-inconclusive",
            probe = cond.probe,
            why = crate::i18n::Message::clone(&ev.message)
        ))
    };
    let value = ev.get(&cond.fact);
    if let Op::Exists(want) = cond.op {
        // Existence is decidable even from an inconclusive probe only when
        // the fact is there; absence from a probe that could not look says nothing.
        // The condition as its Display words it: `F is (not) reported`.
        let said = match want {
            true => msg!("cond-is-reported", fact = &cond.fact),
            false => msg!("cond-is-not-reported", fact = &cond.fact),
        };
        return match (value.is_some(), want, ev.status) {
            (true, true, _) | (false, false, _) => Truth::Holds(said),
            (true, false, _) => Truth::Fails(msg!("cond-reported", cond = said)),
            (false, _, Status::Inconclusive) => inconclusive(),
            (false, true, _) => Truth::Fails(msg!("cond-not-reported", cond = said)),
        };
    }
    let Some(value) = value else {
        return if ev.status == Status::Inconclusive {
            inconclusive()
        } else {
            Truth::Unknown(msg!("cond-no-fact", probe = cond.probe, fact = &cond.fact))
        };
    };
    let holds = match &cond.op {
        Op::Eq(want) => json_eq(value, want),
        Op::Ne(want) => !json_eq(value, want),
        Op::Gt(n) => value.as_f64().is_some_and(|v| v > *n),
        Op::Lt(n) => value.as_f64().is_some_and(|v| v < *n),
        Op::Contains(want) => match (value, want) {
            (serde_json::Value::Array(items), w) => items.iter().any(|i| json_eq(i, w)),
            (serde_json::Value::String(s), serde_json::Value::String(w)) => s.contains(w.as_str()),
            _ => false,
        },
        Op::Exists(_) => unreachable!("handled above"),
    };
    let observed = msg!("cond-observed", cond = shown, value = value);
    if holds {
        Truth::Holds(observed)
    } else {
        Truth::Fails(observed)
    }
}

/// Equality that treats `3001` and `3001.0` alike.
fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::msg;
    use crate::probe::Evidence;
    use crate::ruleset::{compile::compile, Origin};
    use crate::vocab::{ProbeName, Role};

    fn rule(conditions: &str) -> Rule {
        rule_with(r#"["port"]"#, conditions)
    }

    fn rule_with(probes: &str, conditions: &str) -> Rule {
        let text = format!(
            r#"
title = "t"
category = "port_in_use"
severity = "error"
section = "not-ready"
meaning = "m"
patterns = ['EADDRINUSE']
probes = {probes}
{conditions}
[[example]]
text = "EADDRINUSE"
[[example]]
text = "fine"
matches = false
"#
        );
        compile("t", "t.toml", Origin::Builtin, &text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    const PORT: &str = r#"
[[confirm]]
when = [{ fact = "port.listening", eq = true }, { fact = "port.holder_is_gateway", eq = false }]
[[refute]]
when = [{ fact = "port.listening", eq = false }]
"#;

    fn port(listening: bool, gateway: Option<bool>) -> Evidence {
        let e = Evidence::new(ProbeName::Port, Status::Ok, msg!("port-free", port = 1))
            .fact("port.listening", listening);
        match gateway {
            Some(g) => e.fact("port.holder_is_gateway", g),
            None => e,
        }
    }

    #[test]
    fn confirmed_when_every_condition_of_a_block_holds() {
        let v = assess(&rule(PORT), &[port(true, Some(false))]);
        assert_eq!(
            v,
            Verdict::Confirmed {
                held: vec![
                    "port.listening == true (observed true)".into(),
                    "port.holder_is_gateway == false (observed false)".into()
                ]
            }
        );
    }

    #[test]
    fn refuted_wins_and_failed_confirm_is_inconclusive() {
        assert!(assess(&rule(PORT), &[port(false, None)]).is_refuted());
        // Gateway itself holds the port: not confirmed, not refuted.
        let v = assess(&rule(PORT), &[port(true, Some(true))]);
        assert!(
            matches!(&v, Verdict::Inconclusive { why } if why[0].starts_with("not confirmed: port.holder_is_gateway")),
            "{v:?}"
        );
    }

    #[test]
    fn missing_probe_inconclusive_probe_and_absent_fact() {
        let v = assess(&rule(PORT), &[]);
        assert!(
            matches!(&v, Verdict::Inconclusive { why } if why.iter().any(|w| w.contains("did not run"))),
            "{v:?}"
        );
        let v = assess(
            &rule(PORT),
            &[Evidence::inconclusive(
                ProbeName::Port,
                msg!("port-cannot-read-tables", root = "/proc"),
            )],
        );
        assert!(
            matches!(&v, Verdict::Inconclusive { why } if why.iter().any(|w| w.contains("inconclusive: cannot read /proc/net/tcp"))),
            "{v:?}"
        );
        let v = assess(&rule(PORT), &[port(true, None)]);
        assert!(
            matches!(&v, Verdict::Inconclusive { why } if why.iter().any(|w| w.contains("did not report `port.holder_is_gateway`"))),
            "{v:?}"
        );
    }

    #[test]
    fn every_operator() {
        let r = rule_with(
            r#"["port", "config"]"#,
            r#"
[[confirm]]
when = [
  { fact = "port.port", gt = 1024 },
  { fact = "port.port", lt = 65536 },
  { fact = "port.holder_name", contains = "pyth" },
  { fact = "config.unknown_keys", contains = "foo" },
  { fact = "config.deprecated_keys", ne = [] },
  { fact = "port.holder_pid", exists = true },
  { fact = "port.holder_cmdline", exists = false },
]"#,
        );
        let port = Evidence::new(
            ProbeName::Port,
            Status::Fail,
            msg!("port-listening", port = 1),
        )
        .fact("port.port", 3001)
        .fact("port.holder_name", "python3")
        .fact("port.holder_pid", 77);
        let config = Evidence::new(
            ProbeName::Config,
            Status::Warn,
            msg!("config-missing", path = "x"),
        )
        .fact("config.unknown_keys", serde_json::json!(["foo"]))
        .fact("config.deprecated_keys", serde_json::json!(["model"]));
        let explained = explain(&r, &[port.clone(), config.clone()]);
        // The reasons' English is each condition as written, then what was
        // observed (JSON keeps these strings).
        let Verdict::Confirmed { held } = &explained.verdict else {
            panic!("{explained:?}")
        };
        assert_eq!(held[5], "port.holder_pid is reported");
        assert_eq!(held[6], "port.holder_cmdline is not reported");
        assert_eq!(held[0], "port.port > 1024 (observed 3001)");
        let english: Vec<String> = explained.reasons.iter().map(Message::english).collect();
        assert_eq!(&english, held);
        let no_deprecated = config
            .clone()
            .fact("config.deprecated_keys", serde_json::json!([]));
        assert!(!assess(&r, &[port.clone(), no_deprecated]).is_confirmed());
        let low_port = port.clone().fact("port.port", 80);
        assert!(!assess(&r, &[low_port, config.clone()]).is_confirmed());
        let with_cmdline = port.fact("port.holder_cmdline", "python3 -c x");
        assert!(!assess(&r, &[with_cmdline, config]).is_confirmed());
    }

    /// The built-in rules judged on the facts the doctor's probes report:
    /// each standalone problem is confirmed by facts alone, and healthy
    /// facts refute it.
    #[test]
    fn builtin_rules_confirm_and_refute_on_probe_facts() {
        use serde_json::json;
        let set = crate::ruleset::RuleSet::builtin();
        let ev = |probe: ProbeName, facts: &[(&str, serde_json::Value)]| {
            facts.iter().fold(
                Evidence::new(probe, Status::Ok, msg!("pid-none")),
                |e, (k, v)| e.fact(k, v.clone()),
            )
        };
        let config = |exists: bool, parses: bool, mode: bool| {
            ev(
                ProbeName::Config,
                &[
                    ("config.exists", json!(exists)),
                    ("config.parses", json!(parses)),
                    ("config.mode_set", json!(mode)),
                    ("config.unknown_keys", json!([])),
                    ("config.deprecated_keys", json!([])),
                    ("config.bad_values", json!([])),
                    ("config.problem_count", json!(0)),
                ],
            )
        };
        let healthy = vec![
            config(true, true, true),
            ev(
                ProbeName::Pid,
                &[
                    ("pid.file_present", json!(true)),
                    ("pid.identity", json!("gateway")),
                    ("pid.hung", json!(false)),
                ],
            ),
            ev(
                ProbeName::Lock,
                &[
                    ("lock.present", json!(true)),
                    ("lock.held", json!(true)),
                    ("lock.stale", json!(false)),
                ],
            ),
            ev(
                ProbeName::Port,
                &[
                    ("port.listening", json!(true)),
                    ("port.holder_is_gateway", json!(true)),
                ],
            ),
            ev(
                ProbeName::Health,
                &[
                    ("health.reachable", json!(true)),
                    ("health.ready", json!(true)),
                    ("health.handshake", json!("ok")),
                ],
            ),
            ev(
                ProbeName::Oom,
                &[
                    ("oom.killed", json!(false)),
                    ("oom.cgroup_oom_kills", json!(0)),
                ],
            ),
            ev(
                ProbeName::Disk,
                &[
                    ("disk.full", json!(false)),
                    ("disk.low", json!(false)),
                    ("disk.writable", json!(true)),
                ],
            ),
            ev(
                ProbeName::Token,
                &[
                    ("token.pinned", json!(true)),
                    ("token.identity_present", json!(true)),
                    ("token.device_store_corrupt", json!(false)),
                ],
            ),
            ev(ProbeName::Display, &[("display.headless", json!(false))]),
            ev(ProbeName::Runtime, &[("runtime.node_ok", json!(true))]),
        ];
        // On a healthy machine nothing is confirmed, and every rule is refuted.
        // (Informational rules are routine lines: never assessed as findings.)
        for rule in set.rules.iter().filter(|r| r.role != Role::Informational) {
            let v = assess(rule, &healthy);
            assert!(v.is_refuted(), "{} on a healthy machine: {v:?}", rule.id);
        }
        let with = |replace: Evidence| -> Vec<Evidence> {
            let mut e: Vec<Evidence> = healthy
                .iter()
                .filter(|h| h.probe != replace.probe)
                .cloned()
                .collect();
            e.push(replace);
            e
        };
        let cases: Vec<(&str, Vec<Evidence>)> = vec![
            ("missing-config", with(config(false, false, false))),
            ("mode-unset", with(config(true, true, false))),
            ("corrupt-config", with(config(true, false, false))),
            (
                "unknown-config-key",
                with(config(true, true, true).fact("config.unknown_keys", json!(["gatway.port"]))),
            ),
            (
                "deprecated-config-key",
                with(config(true, true, true).fact("config.deprecated_keys", json!(["model"]))),
            ),
            (
                "invalid-config",
                with(config(true, true, true).fact("config.bad_values", json!(["gateway.port"]))),
            ),
            (
                "port-in-use",
                with(ev(
                    ProbeName::Port,
                    &[
                        ("port.listening", json!(true)),
                        ("port.holder_is_gateway", json!(false)),
                    ],
                )),
            ),
            (
                "stale-pid",
                with(ev(
                    ProbeName::Pid,
                    &[
                        ("pid.file_present", json!(true)),
                        ("pid.identity", json!("dead")),
                    ],
                )),
            ),
            (
                "pid-reused",
                with(ev(
                    ProbeName::Pid,
                    &[
                        ("pid.file_present", json!(true)),
                        ("pid.identity", json!("stranger")),
                    ],
                )),
            ),
            (
                "stale-lock",
                with(ev(
                    ProbeName::Lock,
                    &[
                        ("lock.present", json!(true)),
                        ("lock.held", json!(false)),
                        ("lock.stale", json!(true)),
                    ],
                )),
            ),
            (
                "restart-timeout",
                with(ev(
                    ProbeName::Pid,
                    &[
                        ("pid.file_present", json!(true)),
                        ("pid.identity", json!("gateway")),
                        ("pid.hung", json!(true)),
                    ],
                )),
            ),
            (
                "token-mismatch",
                with(ev(
                    ProbeName::Health,
                    &[
                        ("health.reachable", json!(true)),
                        ("health.ready", json!(true)),
                        ("health.handshake", json!("token_mismatch")),
                    ],
                )),
            ),
            (
                "pairing-required",
                with(ev(
                    ProbeName::Health,
                    &[
                        ("health.reachable", json!(true)),
                        ("health.ready", json!(true)),
                        ("health.handshake", json!("pairing_required")),
                    ],
                )),
            ),
            // An OOM kill is current while the killed gateway is down.
            ("oom", {
                let mut e = with(ev(
                    ProbeName::Oom,
                    &[
                        ("oom.killed", json!(true)),
                        ("oom.cgroup_oom_kills", json!(1)),
                    ],
                ));
                e.retain(|x| x.probe != ProbeName::Pid && x.probe != ProbeName::Health);
                e.push(ev(
                    ProbeName::Pid,
                    &[
                        ("pid.identity", json!("dead")),
                        ("pid.file_present", json!(true)),
                    ],
                ));
                e.push(ev(
                    ProbeName::Health,
                    &[
                        ("health.reachable", json!(false)),
                        ("health.ready", json!(false)),
                    ],
                ));
                e
            }),
            (
                "disk-full",
                with(ev(
                    ProbeName::Disk,
                    &[
                        ("disk.full", json!(true)),
                        ("disk.low", json!(true)),
                        ("disk.writable", json!(true)),
                    ],
                )),
            ),
            (
                "permissions",
                with(ev(
                    ProbeName::Disk,
                    &[
                        ("disk.full", json!(false)),
                        ("disk.low", json!(false)),
                        ("disk.writable", json!(false)),
                    ],
                )),
            ),
            (
                "web-login-provider",
                with(ev(ProbeName::Display, &[("display.headless", json!(true))])),
            ),
        ];
        for (id, evidence) in cases {
            let rule = set.get(id).unwrap();
            let v = assess(rule, &evidence);
            assert!(v.is_confirmed(), "{id}: {v:?}");
        }
        // Gateway not running: config fine, nothing answers, no live gateway pid.
        let mut down = with(ev(
            ProbeName::Health,
            &[
                ("health.reachable", json!(false)),
                ("health.handshake", json!("refused")),
            ],
        ));
        down.retain(|e| e.probe != ProbeName::Pid);
        down.push(ev(
            ProbeName::Pid,
            &[
                ("pid.file_present", json!(false)),
                ("pid.identity", json!("none")),
            ],
        ));
        assert!(assess(set.get("not-connected").unwrap(), &down).is_confirmed());
    }

    /// Standalone means "a real problem by facts alone"; rules that need the
    /// text (a headless host is not a problem by itself) are not standalone.
    #[test]
    fn standalone_rules_are_the_fact_only_problems() {
        let set = crate::ruleset::RuleSet::builtin();
        let standalone: Vec<&str> = set
            .rules
            .iter()
            .filter(|r| r.standalone)
            .map(|r| r.id.as_str())
            .collect();
        for id in [
            "missing-config",
            "mode-unset",
            "port-in-use",
            "stale-pid",
            "pid-reused",
            "stale-lock",
            "deprecated-config-key",
            "unknown-config-key",
            "restart-timeout",
            "not-connected",
            "token-mismatch",
            "oom",
            "disk-full",
            "permissions",
            "device-store-corrupt",
        ] {
            assert!(standalone.contains(&id), "{id} should be standalone");
        }
        for id in ["web-login-provider", "not-ready", "auth-missing"] {
            assert!(!standalone.contains(&id), "{id} needs the text");
        }
        assert!(
            (set.rules.iter())
                .filter(|r| r.role != Role::Informational)
                .all(|r| !r.confirm.is_empty()),
            "every rule says which facts confirm it"
        );
    }
}
