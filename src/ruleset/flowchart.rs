//! The seed's troubleshooting flowchart as data (`rules/flowchart.toml`):
//! questions, rule nodes (whose fixes come from the rule files), actions
//! (commands to run) and ends. Owns the schema, validation (every `goto`
//! resolves, every rule exists, every fact is in the probe catalogue, every
//! node is reachable from `start`) with file:line:col errors, and lookup by
//! id. Drawing it is `cli::flowchart`; walking it is the walkthrough's job.
//!
//! ```toml
//! start = "first-aid"
//! [[node]]
//! id = "healthy"
//! kind = "question"
//! title = "Does the gateway answer now?"
//! [[node.answer]]
//! label = "yes"
//! goto = "done"
//! when = [{ fact = "health.ready", eq = true }]   # probes can answer it
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::compile::{did_you_mean, line_col, Condition, Op};
use super::schema::RawCondition;
use super::{RuleError, RuleSet};
use crate::probe;
use crate::vocab::ProbeName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Asks something; each answer leads somewhere.
    Question,
    /// A rule: its meaning and fixes come from the rule file.
    Rule,
    /// Something to do (commands to run), then `next`.
    Action,
    /// The walk ends here.
    End,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlowchart {
    start: Spanned<String>,
    #[serde(rename = "node")]
    nodes: Vec<Spanned<RawNode>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Spanned<String>,
    kind: Kind,
    title: Option<String>,
    text: Option<String>,
    section: Option<Spanned<String>>,
    rule: Option<Spanned<String>>,
    #[serde(default)]
    commands: Vec<String>,
    next: Option<Spanned<String>>,
    #[serde(default, rename = "answer")]
    answers: Vec<Spanned<RawAnswer>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    label: String,
    goto: Spanned<String>,
    #[serde(default)]
    when: Vec<Spanned<RawCondition>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub label: String,
    pub goto: String,
    /// Probe facts that pick this answer without asking (all must hold;
    /// judge them with [`crate::finding::holds`]).
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: Kind,
    /// For rule nodes, the rule's title when the node has none.
    pub title: String,
    pub text: Option<String>,
    /// Flowchart section slug (rule nodes take the rule's).
    pub section: Option<String>,
    pub rule: Option<String>,
    pub commands: Vec<String>,
    pub next: Option<String>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flowchart {
    pub start: String,
    pub nodes: Vec<Node>,
}

impl Flowchart {
    pub fn get(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
    /// Every (from, to, label) edge, in node order.
    pub fn edges(&self) -> Vec<(&str, &str, Option<&str>)> {
        let mut out = Vec::new();
        for n in &self.nodes {
            for a in &n.answers {
                out.push((n.id.as_str(), a.goto.as_str(), Some(a.label.as_str())));
            }
            if let Some(next) = &n.next {
                out.push((n.id.as_str(), next.as_str(), None));
            }
        }
        out
    }
}

/// Parses and validates a flowchart against the loaded rules.
pub fn parse(path: &str, text: &str, rules: &RuleSet) -> Result<Flowchart, Vec<RuleError>> {
    let errors = std::cell::RefCell::new(Vec::new());
    let err = |span: std::ops::Range<usize>, message: String, hint: Option<String>| {
        errors.borrow_mut().push(RuleError {
            path: path.to_string(),
            pos: Some(line_col(text, span.start)),
            message,
            hint,
        })
    };
    let raw: RawFlowchart = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            err(
                e.span().unwrap_or(0..0),
                e.message().trim().to_string(),
                None,
            );
            return Err(errors.into_inner());
        }
    };
    let ids: Vec<&str> = raw
        .nodes
        .iter()
        .map(|n| n.get_ref().id.get_ref().as_str())
        .collect();
    let mut seen = BTreeSet::new();
    for n in &raw.nodes {
        let id = n.get_ref().id.get_ref();
        if !seen.insert(id.as_str()) {
            err(
                n.get_ref().id.span(),
                format!("duplicate node id `{id}`"),
                None,
            );
        }
    }
    let check_target = |target: &Spanned<String>| {
        if !ids.contains(&target.get_ref().as_str()) {
            let hint = did_you_mean(target.get_ref(), &ids).map(|s| format!("did you mean `{s}`?"));
            err(
                target.span(),
                format!("no node `{}`", target.get_ref()),
                hint,
            );
        }
    };
    check_target(&raw.start);
    let mut nodes = Vec::new();
    for spanned in &raw.nodes {
        let n = spanned.get_ref();
        let id = n.id.get_ref().clone();
        let mut rule_title = None;
        let mut section = n.section.as_ref().map(|s| s.get_ref().clone());
        if let Some(s) = &n.section {
            if super::section_title(s.get_ref()).is_none() {
                err(
                    s.span(),
                    format!("unknown flowchart section `{}`", s.get_ref()),
                    None,
                );
            }
        }
        match (n.kind, &n.rule) {
            (Kind::Rule, Some(r)) => match rules.get(r.get_ref()) {
                Some(rule) => {
                    rule_title = Some(rule.title.clone());
                    section.get_or_insert_with(|| rule.section.to_string());
                }
                None => {
                    let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
                    let hint =
                        did_you_mean(r.get_ref(), &known).map(|s| format!("did you mean `{s}`?"));
                    err(r.span(), format!("no rule `{}`", r.get_ref()), hint);
                }
            },
            (Kind::Rule, None) => err(n.id.span(), format!("rule node `{id}` needs `rule`"), None),
            (_, Some(r)) => err(
                r.span(),
                "only `kind = \"rule\"` nodes name a rule".into(),
                None,
            ),
            _ => {}
        }
        match n.kind {
            Kind::Question if n.answers.is_empty() => err(
                n.id.span(),
                format!("question `{id}` has no [[node.answer]]"),
                None,
            ),
            Kind::End if n.next.is_some() || !n.answers.is_empty() => err(
                n.id.span(),
                format!("end node `{id}` cannot lead anywhere"),
                None,
            ),
            Kind::Action | Kind::Rule if n.next.is_none() && n.answers.is_empty() => err(
                n.id.span(),
                format!("`{id}` leads nowhere"),
                Some("add `next = \"…\"` (or make it `kind = \"end\"`)".into()),
            ),
            _ => {}
        }
        if let Some(next) = &n.next {
            check_target(next);
        }
        let mut answers = Vec::new();
        for a in &n.answers {
            let a = a.get_ref();
            check_target(&a.goto);
            let mut when = Vec::new();
            for c in &a.when {
                let cond = c.get_ref();
                let fact = cond.fact.get_ref();
                if !probe::is_known_fact(fact) {
                    let names: Vec<&str> = probe::FACTS.iter().map(|(n, _)| *n).collect();
                    let hint = did_you_mean(fact, &names).map(|s| format!("did you mean `{s}`?"));
                    err(cond.fact.span(), format!("unknown fact `{fact}`"), hint);
                }
                let json = |v: &toml::Value| serde_json::to_value(v).unwrap_or_default();
                let number = |v: &toml::Value| json(v).as_f64();
                let mut ops: Vec<Option<Op>> = Vec::new();
                ops.extend(cond.eq.as_ref().map(|v| Some(Op::Eq(json(v)))));
                ops.extend(cond.ne.as_ref().map(|v| Some(Op::Ne(json(v)))));
                ops.extend(cond.gt.as_ref().map(|v| number(v).map(Op::Gt)));
                ops.extend(cond.lt.as_ref().map(|v| number(v).map(Op::Lt)));
                ops.extend(cond.exists.map(|e| Some(Op::Exists(e))));
                ops.extend(cond.contains.as_ref().map(|v| Some(Op::Contains(json(v)))));
                let probe = fact
                    .split('.')
                    .next()
                    .and_then(|p| p.parse::<ProbeName>().ok());
                match (ops.as_slice(), probe) {
                    ([Some(op)], Some(probe)) => when.push(Condition {
                        fact: fact.clone(),
                        probe,
                        op: op.clone(),
                    }),
                    ([None], _) => err(c.span(), "`gt` and `lt` need a number".into(), None),
                    ([_], None) => {}
                    _ => err(
                        c.span(),
                        format!(
                            "a condition needs exactly one operator, found {}",
                            ops.len()
                        ),
                        None,
                    ),
                }
            }
            answers.push(Answer {
                label: a.label.clone(),
                goto: a.goto.get_ref().clone(),
                when,
            });
        }
        nodes.push(Node {
            id,
            kind: n.kind,
            title: n
                .title
                .clone()
                .or(rule_title)
                .unwrap_or_else(|| n.id.get_ref().clone()),
            text: n.text.clone(),
            section,
            rule: n.rule.as_ref().map(|r| r.get_ref().clone()),
            commands: n.commands.clone(),
            next: n.next.as_ref().map(|s| s.get_ref().clone()),
            answers,
        });
    }
    let chart = Flowchart {
        start: raw.start.get_ref().clone(),
        nodes,
    };
    if errors.borrow().is_empty() {
        // Every node must be reachable from the start.
        let mut reached = BTreeSet::new();
        let mut todo = vec![chart.start.as_str()];
        let edges = chart.edges();
        let by_from: BTreeMap<&str, Vec<&str>> =
            edges.iter().fold(BTreeMap::new(), |mut m, (f, t, _)| {
                m.entry(*f).or_insert_with(Vec::new).push(*t);
                m
            });
        while let Some(id) = todo.pop() {
            if reached.insert(id) {
                todo.extend(by_from.get(id).into_iter().flatten());
            }
        }
        for spanned in &raw.nodes {
            let id = spanned.get_ref().id.get_ref();
            if !reached.contains(id.as_str()) {
                err(
                    spanned.get_ref().id.span(),
                    format!("node `{id}` cannot be reached from `{}`", chart.start),
                    None,
                );
            }
        }
    }
    let errors = errors.into_inner();
    if errors.is_empty() {
        Ok(chart)
    } else {
        Err(errors)
    }
}

/// The flowchart in effect: the last user rule directory that has a
/// `flowchart.toml`, else the built-in one.
pub fn load(
    user_dirs: &[(std::path::PathBuf, bool)],
    rules: &RuleSet,
) -> Result<Flowchart, Vec<RuleError>> {
    for (dir, _) in user_dirs.iter().rev() {
        let path = dir.join("flowchart.toml");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return parse(&path.display().to_string(), &text, rules);
        }
    }
    match super::source::builtin_flowchart() {
        Some(text) => parse("builtin:rules/flowchart.toml", text, rules),
        None => Err(vec![RuleError {
            path: "builtin:rules/flowchart.toml".into(),
            pos: None,
            message: "this build has no flowchart".into(),
            hint: None,
        }]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_flowchart_is_valid_and_covers_every_rule_and_section() {
        let rules = RuleSet::builtin();
        let chart = load(&[], &rules).unwrap_or_else(|e| panic!("{e:?}"));
        for rule in &rules.rules {
            assert!(
                chart
                    .nodes
                    .iter()
                    .any(|n| n.rule.as_deref() == Some(rule.id.as_str())),
                "rule {} has no node",
                rule.id
            );
        }
        for (slug, _) in super::super::SECTIONS {
            assert!(
                chart
                    .nodes
                    .iter()
                    .any(|n| n.section.as_deref() == Some(*slug)),
                "section {slug} has no node"
            );
        }
    }

    #[test]
    fn broken_flowchart_errors_point_at_the_place() {
        let rules = RuleSet::builtin();
        let text = r#"start = "a"
[[node]]
id = "a"
kind = "question"
title = "?"
[[node.answer]]
label = "x"
goto = "nowhere"
when = [{ fact = "port.listenin", eq = true }]
[[node]]
id = "b"
kind = "rule"
rule = "port-in-us"
next = "a"
"#;
        let errors = parse("f.toml", text, &rules).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("f.toml:8:8: no node `nowhere`")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("f.toml:9:18: unknown fact `port.listenin`")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.contains("no rule `port-in-us`")
                    && e.contains("did you mean `port-in-use`")),
            "{shown:#?}"
        );
    }
}
