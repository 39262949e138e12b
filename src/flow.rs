//! The troubleshooting flowchart as data (`rules/flowchart.toml`) and the
//! walk through it as a pure state machine.
//!
//! The chart has three kinds of node: a `question` only a person can answer
//! (which message do you see?), a `check` that probe facts answer (asked as
//! a yes/no question only when the probes cannot tell), and an `end`. A
//! target `rule:<id>` ends the walk at a rule, whose fixes the caller offers.
//! [`Walk`] resolves every check it can from the evidence and stops only for
//! what it must ask; it does no I/O, so the CLI and tests drive it alike.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::finding::eval_all;
use crate::i18n::Lang;
use crate::i18n::Message;
use crate::probe::Evidence;
use crate::ruleset::compile::compile_conditions;
use crate::ruleset::schema::RawCondition;
use crate::ruleset::{Condition, RuleError, RuleSet};
use crate::text::line_col;
use crate::vocab::Category;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChart {
    start: Spanned<String>,
    #[serde(rename = "node")]
    nodes: Vec<Spanned<RawNode>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Spanned<String>,
    /// The flowchart section of the seed this node belongs to.
    section: Option<String>,
    question: Option<String>,
    /// Each text has its zh-TW right after it (`rules lint` wants one).
    question_zh_tw: Option<String>,
    #[serde(default)]
    choices: Vec<Spanned<RawChoice>>,
    check: Option<String>,
    check_zh_tw: Option<String>,
    #[serde(default)]
    when: Vec<Spanned<RawCondition>>,
    yes: Option<Spanned<String>>,
    no: Option<Spanned<String>>,
    end: Option<String>,
    end_zh_tw: Option<String>,
    /// The node's text for one target (`[node.target.openclaw]`), e.g. its
    /// own commands and file names; the same field as the node's own.
    #[serde(default)]
    target: BTreeMap<String, Spanned<RawTexts>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTexts {
    question: Option<String>,
    question_zh_tw: Option<String>,
    check: Option<String>,
    check_zh_tw: Option<String>,
    end: Option<String>,
    end_zh_tw: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    label: String,
    label_zh_tw: Option<String>,
    next: Spanned<String>,
    /// Categories of a pasted message that pick this choice without asking.
    #[serde(default)]
    categories: Vec<Spanned<String>>,
}

/// Where an edge goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    Node(String),
    Rule(String),
}

impl Target {
    fn parse(s: &str) -> Target {
        match s.strip_prefix("rule:") {
            Some(id) => Target::Rule(id.trim().to_string()),
            None => Target::Node(s.trim().to_string()),
        }
    }
    /// Stable name for drawings.
    pub(crate) fn key(&self) -> String {
        match self {
            Target::Node(id) => id.clone(),
            Target::Rule(id) => format!("rule:{id}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Choice {
    pub label: String,
    pub next: Target,
    pub categories: Vec<Category>,
    #[serde(skip)]
    pub label_zh_tw: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeKind {
    Question {
        text: String,
        choices: Vec<Choice>,
    },
    Check {
        text: String,
        when: Vec<Condition>,
        yes: Target,
        no: Target,
    },
    End {
        text: String,
    },
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Node {
    pub id: String,
    pub section: Option<String>,
    #[serde(flatten)]
    pub kind: NodeKind,
    /// The zh-TW of the node's text (question, check or end).
    #[serde(skip)]
    pub text_zh_tw: Option<String>,
    /// The text (and its zh-TW) for a target, by target name.
    #[serde(skip)]
    pub for_target: BTreeMap<String, (String, Option<String>)>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Flowchart {
    pub start: String,
    /// In file order (drawings follow it).
    pub nodes: Vec<Node>,
    /// The language of the texts ([`Flowchart::localized`]). Not serialised:
    /// the `--json` document says it once, beside `schema_version`.
    #[serde(skip)]
    pub lang: Lang,
    /// Texts without their zh-TW, with file:line:col (for `rules lint`).
    #[serde(skip)]
    pub untranslated: Vec<RuleError>,
}

impl Flowchart {
    /// The chart with the texts written for `target` where a node has
    /// them (`[node.target.NAME]`); ids and edges unchanged.
    pub fn for_target(&self, target: crate::target::TargetKind) -> Flowchart {
        let mut chart = self.clone();
        for n in &mut chart.nodes {
            let Some((text, tw)) = n.for_target.get(target.as_str()).cloned() else {
                continue;
            };
            match &mut n.kind {
                NodeKind::Question { text: t, .. }
                | NodeKind::Check { text: t, .. }
                | NodeKind::End { text: t } => *t = text,
            }
            n.text_zh_tw = tw;
        }
        chart
    }

    /// The chart with its texts in `lang` (ids and edges unchanged); a
    /// missing translation keeps the English.
    pub fn localized(&self, lang: Lang) -> Flowchart {
        let mut chart = self.clone();
        chart.lang = lang;
        for n in &mut chart.nodes {
            let tw = n.text_zh_tw.clone();
            match &mut n.kind {
                NodeKind::Question { text, choices } => {
                    *text = lang.pick(text, tw.as_deref()).into_owned();
                    for c in choices {
                        c.label = lang.pick(&c.label, c.label_zh_tw.as_deref()).into_owned();
                    }
                }
                NodeKind::Check { text, .. } | NodeKind::End { text } => {
                    *text = lang.pick(text, tw.as_deref()).into_owned();
                }
            }
        }
        chart
    }

    pub(crate) fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The built-in chart, checked against `rules`.
    pub(crate) fn builtin(rules: &RuleSet) -> Result<Flowchart, Vec<RuleError>> {
        let text = crate::ruleset::source::builtin_flowchart().ok_or_else(|| {
            vec![RuleError {
                path: "builtin:rules/flowchart.toml".into(),
                pos: None,
                message: "the build has no flowchart".into(),
                hint: None,
            }]
        })?;
        Flowchart::parse("builtin:rules/flowchart.toml", text, rules)
    }

    /// The chart from the last user rule directory that has a
    /// `flowchart.toml`, else the built-in one; checked against `rules`.
    pub fn load(
        user_dirs: &[(std::path::PathBuf, bool)],
        rules: &RuleSet,
    ) -> Result<Flowchart, Vec<RuleError>> {
        for (dir, _) in user_dirs.iter().rev() {
            let path = dir.join("flowchart.toml");
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    return Flowchart::parse(&path.display().to_string(), &text, rules);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(vec![RuleError {
                        path: path.display().to_string(),
                        pos: None,
                        message: format!("cannot read: {e}"),
                        hint: None,
                    }])
                }
            }
        }
        Flowchart::builtin(rules)
    }

    /// Parses and validates a chart: every target exists, checks have both
    /// branches, conditions name known facts, and no path loops.
    pub(crate) fn parse(
        path: &str,
        text: &str,
        rules: &RuleSet,
    ) -> Result<Flowchart, Vec<RuleError>> {
        let chart_text = text;
        let err = |span: Option<std::ops::Range<usize>>, message: String, hint: Option<String>| {
            RuleError {
                path: path.to_string(),
                pos: span.map(|s| line_col(text, s.start)),
                message,
                hint,
            }
        };
        let raw: RawChart = toml::from_str(text).map_err(|e| {
            vec![err(
                e.span(),
                e.message().to_string(),
                Some("see rules/flowchart.toml for the shape".into()),
            )]
        })?;
        let mut errors = Vec::new();
        let mut untranslated = Vec::new();
        let ids: BTreeSet<String> = raw
            .nodes
            .iter()
            .map(|n| n.get_ref().id.get_ref().clone())
            .collect();
        let check_target = |t: &Spanned<String>, errors: &mut Vec<RuleError>| -> Target {
            let target = Target::parse(t.get_ref());
            let known = match &target {
                Target::Node(id) => ids.contains(id),
                Target::Rule(id) => rules.get(id).is_some(),
            };
            if !known {
                errors.push(err(
                    Some(t.span()),
                    format!("`{}` names no node or rule", t.get_ref()),
                    Some("targets are node ids or `rule:<rule-id>`".into()),
                ));
            }
            target
        };
        let mut nodes = Vec::new();
        let mut seen = BTreeSet::new();
        for spanned in &raw.nodes {
            let n = spanned.get_ref();
            let id = n.id.get_ref().clone();
            if !seen.insert(id.clone()) {
                errors.push(err(
                    Some(n.id.span()),
                    format!("duplicate node id `{id}`"),
                    None,
                ));
            }
            let kinds = [n.question.is_some(), n.check.is_some(), n.end.is_some()];
            if kinds.iter().filter(|k| **k).count() != 1 {
                errors.push(err(
                    Some(spanned.span()),
                    format!("node `{id}` must have exactly one of `question`, `check`, `end`"),
                    None,
                ));
                continue;
            }
            let kind = if let Some(text) = &n.question {
                if n.choices.is_empty() {
                    errors.push(err(
                        Some(spanned.span()),
                        format!("question `{id}` has no choices"),
                        None,
                    ));
                }
                let choices = n
                    .choices
                    .iter()
                    .map(|c| {
                        let c_ref = c.get_ref();
                        let categories = c_ref
                            .categories
                            .iter()
                            .filter_map(|cat| match cat.get_ref().parse::<Category>() {
                                Ok(c) => Some(c),
                                Err(e) => {
                                    errors.push(err(Some(cat.span()), e.to_string(), None));
                                    None
                                }
                            })
                            .collect();
                        if c_ref
                            .label_zh_tw
                            .as_deref()
                            .is_none_or(|t| t.trim().is_empty())
                        {
                            untranslated.push(err(
                                Some(c.span()),
                                format!("a choice of `{id}` has no `label_zh_tw`"),
                                Some(
                                    "add `label_zh_tw = \"…\"` after `label` in the choice".into(),
                                ),
                            ));
                        }
                        Choice {
                            label: c_ref.label.clone(),
                            next: check_target(&c_ref.next, &mut errors),
                            categories,
                            label_zh_tw: c_ref.label_zh_tw.clone(),
                        }
                    })
                    .collect();
                NodeKind::Question {
                    text: text.clone(),
                    choices,
                }
            } else if let Some(text) = &n.check {
                let (Some(yes), Some(no)) = (&n.yes, &n.no) else {
                    errors.push(err(
                        Some(spanned.span()),
                        format!("check `{id}` needs both `yes` and `no`"),
                        None,
                    ));
                    continue;
                };
                if n.when.is_empty() {
                    errors.push(err(
                        Some(spanned.span()),
                        format!("check `{id}` has no `when` conditions"),
                        None,
                    ));
                }
                // Condition spans are offsets into the whole chart text.
                let when = compile_conditions(path, chart_text, &n.when).unwrap_or_else(|es| {
                    errors.extend(es);
                    Vec::new()
                });
                NodeKind::Check {
                    text: text.clone(),
                    when,
                    yes: check_target(yes, &mut errors),
                    no: check_target(no, &mut errors),
                }
            } else {
                NodeKind::End {
                    text: n.end.clone().unwrap_or_default(),
                }
            };
            let (field, text_zh_tw) = match &kind {
                NodeKind::Question { .. } => ("question", &n.question_zh_tw),
                NodeKind::Check { .. } => ("check", &n.check_zh_tw),
                NodeKind::End { .. } => ("end", &n.end_zh_tw),
            };
            if text_zh_tw.as_deref().is_none_or(|t| t.trim().is_empty()) {
                untranslated.push(err(
                    Some(spanned.span()),
                    format!("node `{id}`: `{field}` has no zh-TW translation"),
                    Some(format!(
                        "add `{field}_zh_tw = \"…\"` on the line after `{field}` (zh-CN is derived from it)"
                    )),
                ));
            }
            let mut for_target = BTreeMap::new();
            for (name, texts) in &n.target {
                let t = texts.get_ref();
                let (text, tw) = match field {
                    "question" => (&t.question, &t.question_zh_tw),
                    "check" => (&t.check, &t.check_zh_tw),
                    _ => (&t.end, &t.end_zh_tw),
                };
                let known = crate::target::TargetKind::from_name(name).is_some();
                let fields = [&t.question, &t.check, &t.end]
                    .iter()
                    .filter(|f| f.is_some())
                    .count();
                match text {
                    Some(text) if known && fields == 1 => {
                        if tw.as_deref().is_none_or(|t| t.trim().is_empty()) {
                            untranslated.push(err(
                                Some(texts.span()),
                                format!("node `{id}`: `{field}` for target `{name}` has no zh-TW translation"),
                                Some(format!("add `{field}_zh_tw = \"…\"` after `{field}`")),
                            ));
                        }
                        for_target.insert(name.clone(), (text.clone(), tw.clone()));
                    }
                    _ => errors.push(err(
                        Some(texts.span()),
                        format!("node `{id}`: `[node.target.{name}]` must name a target (embedded, openclaw) and give only `{field}` (the node's own kind of text)"),
                        None,
                    )),
                }
            }
            nodes.push(Node {
                id,
                section: n.section.clone(),
                kind,
                text_zh_tw: text_zh_tw.clone(),
                for_target,
            });
        }
        if !ids.contains(raw.start.get_ref()) {
            errors.push(err(
                Some(raw.start.span()),
                format!("start node `{}` does not exist", raw.start.get_ref()),
                None,
            ));
        }
        let chart = Flowchart {
            start: raw.start.get_ref().clone(),
            nodes,
            lang: Lang::En,
            untranslated,
        };
        if errors.is_empty() {
            if let Some(cycle) = chart.find_cycle() {
                errors.push(err(
                    None,
                    format!("the chart loops: {}", cycle.join(" → ")),
                    Some("a walk must always end".into()),
                ));
            }
        }
        if errors.is_empty() {
            Ok(chart)
        } else {
            Err(errors)
        }
    }

    fn edges(&self, node: &Node) -> Vec<(String, Target)> {
        match &node.kind {
            NodeKind::Question { choices, .. } => choices
                .iter()
                .map(|c| (c.label.clone(), c.next.clone()))
                .collect(),
            NodeKind::Check { yes, no, .. } => {
                vec![("yes".into(), yes.clone()), ("no".into(), no.clone())]
            }
            NodeKind::End { .. } => Vec::new(),
        }
    }

    fn find_cycle(&self) -> Option<Vec<String>> {
        fn visit(
            chart: &Flowchart,
            id: &str,
            stack: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(pos) = stack.iter().position(|s| s == id) {
                let mut cycle = stack[pos..].to_vec();
                cycle.push(id.to_string());
                return Some(cycle);
            }
            if done.contains(id) {
                return None;
            }
            let node = chart.node(id)?;
            stack.push(id.to_string());
            for (_, t) in chart.edges(node) {
                if let Target::Node(next) = t {
                    if let Some(c) = visit(chart, &next, stack, done) {
                        return Some(c);
                    }
                }
            }
            stack.pop();
            done.insert(id.to_string());
            None
        }
        let mut done = BTreeSet::new();
        self.nodes
            .iter()
            .find_map(|n| visit(self, &n.id, &mut Vec::new(), &mut done))
    }

    /// The drawing as plain data: every node with its shape and text, every
    /// edge with its label, and the rule ends with their titles. The
    /// renderers (`cli::flowchart`: Mermaid, Graphviz dot) draw this.
    pub fn drawing(&self, rules: &RuleSet) -> Drawing {
        let mut d = Drawing::default();
        for n in &self.nodes {
            let (shape, text) = match &n.kind {
                NodeKind::Question { text, .. } => (Shape::Question, text),
                NodeKind::Check { text, .. } => (Shape::Check, text),
                NodeKind::End { text } => (Shape::End, text),
            };
            d.nodes.push((n.id.clone(), shape, text.clone()));
            for (label, t) in self.edges(n) {
                if let Target::Rule(id) = &t {
                    let title = rules
                        .get(id)
                        .map(|r| r.title.clone())
                        .unwrap_or_else(|| id.clone());
                    d.rules.insert(t.key(), title);
                }
                d.edges.push((n.id.clone(), label, t.key()));
            }
        }
        d
    }
}

/// How a node is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Question,
    Check,
    End,
}

/// A flowchart as something to draw: no format of its own.
#[derive(Debug, Default)]
pub struct Drawing {
    /// (node id, shape, text), in file order.
    pub nodes: Vec<(String, Shape, String)>,
    /// (from, label, to); `to` is a node id or a `rule:<id>` key.
    pub edges: Vec<(String, String, String)>,
    /// `rule:<id>` key → the rule's title.
    pub rules: BTreeMap<String, String>,
}

/// How a step of the walk was decided.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The probes answered (with the facts that did).
    Probes(String),
    /// The pasted message's category picked the choice.
    Message(Category),
    /// The person answered.
    User,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TrailStep {
    pub node: String,
    pub text: String,
    pub answer: String,
    pub by: DecidedBy,
    /// What the probes said ([`DecidedBy::Probes`] in English), for the
    /// reader's language.
    #[serde(skip)]
    #[schemars(skip)]
    pub probes_said: Option<Message>,
}

/// What the walk needs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Pick one of `choices` (a question only a person can answer).
    Choose {
        node: String,
        text: String,
        choices: Vec<String>,
    },
    /// Yes or no: a check the probes could not decide.
    YesNo {
        node: String,
        text: String,
        why_asked: Message,
    },
    /// The walk ends at this rule.
    Rule { rule_id: String },
    /// The walk ends here.
    End { text: String },
}

/// A walk through the chart, deciding checks from evidence.
pub struct Walk<'c> {
    chart: &'c Flowchart,
    evidence: &'c [Evidence],
    hint: Option<Category>,
    at: Target,
    pub trail: Vec<TrailStep>,
}

impl<'c> Walk<'c> {
    /// `hint`: the category of a pasted message, which answers the first
    /// question whose choices name it.
    pub fn new(chart: &'c Flowchart, evidence: &'c [Evidence], hint: Option<Category>) -> Self {
        Self {
            chart,
            evidence,
            hint,
            at: Target::Node(chart.start.clone()),
            trail: Vec::new(),
        }
    }

    /// Advances through every step the evidence decides; returns the first
    /// that needs a person, or the end.
    pub fn advance(&mut self) -> Step {
        // The chart is acyclic (checked at parse), so this terminates.
        loop {
            let id = match &self.at {
                Target::Rule(rule_id) => {
                    return Step::Rule {
                        rule_id: rule_id.clone(),
                    }
                }
                Target::Node(id) => id.clone(),
            };
            let Some(node) = self.chart.node(&id) else {
                return Step::End {
                    text: format!("the flowchart has no node `{id}`"),
                };
            };
            match &node.kind {
                NodeKind::End { text } => return Step::End { text: text.clone() },
                NodeKind::Question { text, choices } => {
                    if let Some(cat) = self.hint {
                        if let Some(choice) = choices.iter().find(|c| c.categories.contains(&cat)) {
                            self.trail.push(TrailStep {
                                node: id.clone(),
                                text: text.clone(),
                                answer: choice.label.clone(),
                                by: DecidedBy::Message(cat),
                                probes_said: None,
                            });
                            self.at = choice.next.clone();
                            continue;
                        }
                    }
                    return Step::Choose {
                        node: id,
                        text: text.clone(),
                        choices: choices.iter().map(|c| c.label.clone()).collect(),
                    };
                }
                NodeKind::Check {
                    text,
                    when,
                    yes,
                    no,
                } => match eval_all(when, self.evidence) {
                    (Some(holds), why) => {
                        self.trail.push(TrailStep {
                            node: id.clone(),
                            text: text.clone(),
                            answer: if holds { "yes" } else { "no" }.into(),
                            by: DecidedBy::Probes(why.english()),
                            probes_said: Some(why),
                        });
                        self.at = if holds { yes.clone() } else { no.clone() };
                    }
                    (None, why) => {
                        return Step::YesNo {
                            node: id,
                            text: text.clone(),
                            why_asked: why,
                        }
                    }
                },
            }
        }
    }

    /// Answers the current question with choice `index`.
    pub fn choose(&mut self, index: usize) -> Result<(), WalkError> {
        let Target::Node(id) = &self.at else {
            return Err(WalkError::Ended);
        };
        let node = self
            .chart
            .node(id)
            .ok_or_else(|| WalkError::NoSuchNode(id.clone()))?;
        let NodeKind::Question { text, choices } = &node.kind else {
            return Err(WalkError::NotAQuestion(id.clone()));
        };
        let choice = choices.get(index).ok_or(WalkError::OutOfRange {
            choice: index + 1,
            count: choices.len(),
        })?;
        self.trail.push(TrailStep {
            node: id.clone(),
            text: text.clone(),
            answer: choice.label.clone(),
            by: DecidedBy::User,
            probes_said: None,
        });
        self.at = choice.next.clone();
        Ok(())
    }

    /// Answers the current check the probes could not decide.
    pub fn answer(&mut self, yes_answer: bool) -> Result<(), WalkError> {
        let Target::Node(id) = &self.at else {
            return Err(WalkError::Ended);
        };
        let node = self
            .chart
            .node(id)
            .ok_or_else(|| WalkError::NoSuchNode(id.clone()))?;
        let NodeKind::Check { text, yes, no, .. } = &node.kind else {
            return Err(WalkError::NotACheck(id.clone()));
        };
        self.trail.push(TrailStep {
            node: id.clone(),
            text: text.clone(),
            answer: if yes_answer { "yes" } else { "no" }.into(),
            by: DecidedBy::User,
            probes_said: None,
        });
        self.at = if yes_answer { yes.clone() } else { no.clone() };
        Ok(())
    }
}

/// An answer the walk cannot take where it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    #[error("the walk has ended")]
    Ended,
    #[error("no such node `{0}`")]
    NoSuchNode(String),
    #[error("`{0}` is not a question")]
    NotAQuestion(String),
    #[error("`{0}` is not a check")]
    NotACheck(String),
    #[error("choice {choice} is out of range (1–{count})")]
    OutOfRange { choice: usize, count: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Evidence, Status};
    use crate::vocab::ProbeName;

    fn chart() -> (RuleSet, Flowchart) {
        let rules = RuleSet::builtin();
        let chart = Flowchart::builtin(&rules).unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        (rules, chart)
    }

    fn ev(probe: ProbeName, facts: &[(&str, serde_json::Value)]) -> Evidence {
        let mut e = Evidence::new(probe, Status::Ok, crate::i18n::msg!("pid-none"));
        for (k, v) in facts {
            e = e.fact(k, v.clone());
        }
        e
    }

    #[test]
    fn builtin_chart_loads_and_every_rule_it_names_exists() {
        let (_, chart) = chart();
        assert_eq!(chart.start, "symptom");
    }

    #[test]
    fn every_builtin_node_and_choice_has_its_zh_tw() {
        let chart = Flowchart::builtin(&RuleSet::builtin()).unwrap();
        let gaps: Vec<String> = chart.untranslated.iter().map(|e| e.to_string()).collect();
        assert!(gaps.is_empty(), "{}", gaps.join("\n"));
        let tw = chart.localized(Lang::ZhTw);
        for (en, tw) in chart.nodes.iter().zip(&tw.nodes) {
            let text = |n: &Node| match &n.kind {
                NodeKind::Question { text, .. }
                | NodeKind::Check { text, .. }
                | NodeKind::End { text } => text.clone(),
            };
            assert_ne!(text(en), text(tw), "{}", en.id);
        }
    }

    #[test]
    fn probes_answer_checks_and_only_the_symptom_is_asked() {
        let (_, chart) = chart();
        let evidence = vec![ev(ProbeName::Config, &[("config.exists", false.into())])];
        let mut walk = Walk::new(&chart, &evidence, None);
        let Step::Choose { choices, .. } = walk.advance() else {
            panic!("expected the symptom question")
        };
        let i = choices
            .iter()
            .position(|c| c.starts_with("Missing config"))
            .unwrap();
        walk.choose(i).unwrap();
        assert_eq!(
            walk.advance(),
            Step::Rule {
                rule_id: "missing-config".into()
            }
        );
        assert!(matches!(walk.trail[1].by, DecidedBy::Probes(_)));
    }

    #[test]
    fn a_message_category_skips_the_question_and_unknown_facts_are_asked() {
        let (_, chart) = chart();
        let mut walk = Walk::new(&chart, &[], Some(Category::WebLoginProvider));
        match walk.advance() {
            Step::YesNo { node, .. } => assert_eq!(node, "headless"),
            other => panic!("expected a yes/no question, got {other:?}"),
        }
        walk.answer(false).unwrap();
        assert!(matches!(walk.advance(), Step::End { .. }));
    }

    #[test]
    fn loops_and_dangling_targets_are_rejected_with_positions() {
        let rules = RuleSet::builtin();
        let looped = "start = \"a\"\n[[node]]\nid = \"a\"\ncheck = \"x\"\nwhen = [{ fact = \"config.exists\", eq = true }]\nyes = \"b\"\nno = \"rule:missing-config\"\n[[node]]\nid = \"b\"\ncheck = \"y\"\nwhen = [{ fact = \"config.exists\", eq = true }]\nyes = \"a\"\nno = \"nowhere\"\n";
        let errs = Flowchart::parse("f.toml", looped, &rules).unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            text.iter()
                .any(|e| e.starts_with("f.toml:13:") && e.contains("nowhere")),
            "{text:?}"
        );
        let fixed = looped.replace("\"nowhere\"", "\"rule:mode-unset\"");
        let errs = Flowchart::parse("f.toml", &fixed, &rules).unwrap_err();
        assert!(errs[0].message.contains("loops"), "{errs:?}");
        let bad_fact = fixed.replace("config.exists", "config.exist");
        let errs = Flowchart::parse("f.toml", &bad_fact, &rules).unwrap_err();
        assert!(errs[0].to_string().starts_with("f.toml:5:"), "{errs:?}");
    }

    #[test]
    fn target_texts_replace_the_node_text_and_are_checked() {
        let rules = RuleSet::builtin();
        let chart = "start = \"a\"\n[[node]]\nid = \"a\"\nend = \"run `clawdoc logs`\"\nend_zh_tw = \"x\"\n[node.target.openclaw]\nend = \"run `openclaw logs`\"\nend_zh_tw = \"y\"\n";
        let c = Flowchart::parse("f.toml", chart, &rules).unwrap();
        assert!(c.untranslated.is_empty());
        let text = |c: &Flowchart| match &c.nodes[0].kind {
            NodeKind::End { text } => text.clone(),
            _ => unreachable!(),
        };
        use crate::target::TargetKind;
        assert_eq!(
            text(&c.for_target(TargetKind::OpenClaw)),
            "run `openclaw logs`"
        );
        assert_eq!(
            text(&c.for_target(TargetKind::Embedded)),
            "run `clawdoc logs`"
        );
        let tw = c.for_target(TargetKind::OpenClaw).localized(Lang::ZhTw);
        assert_eq!(text(&tw), "y");
        // No zh-TW: untranslated, at the table.
        let c =
            Flowchart::parse("f.toml", &chart.replace("end_zh_tw = \"y\"\n", ""), &rules).unwrap();
        assert!(
            c.untranslated[0].to_string().starts_with("f.toml:6:"),
            "{:?}",
            c.untranslated
        );
        // Not a target, or another kind of text than the node's: an error.
        for bad in [
            chart.replace("target.openclaw", "target.nope"),
            chart.replace("\nend = \"run `openclaw", "\ncheck = \"run `openclaw"),
        ] {
            let errs = Flowchart::parse("f.toml", &bad, &rules).unwrap_err();
            assert!(errs[0].message.contains("[node.target."), "{errs:?}");
        }
    }

    #[test]
    fn the_drawing_names_every_node_and_rule_end() {
        let (rules, chart) = chart();
        let d = chart.drawing(&rules);
        for n in &chart.nodes {
            assert!(d.nodes.iter().any(|(id, _, _)| id == &n.id), "{}", n.id);
        }
        assert_eq!(
            d.rules.get("rule:port-in-use").map(String::as_str),
            rules.get("port-in-use").map(|r| r.title.as_str())
        );
    }
}
