//! A compiled rule, as the engine, the doctor and the walkthrough use it:
//! its role, fixes, probe conditions, examples and translations. Built only
//! by [`super::compile`], which validates a rule file into these.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::pattern::Pattern;
use super::Origin;
use super::RuleError;
use crate::i18n::Lang;
use crate::target::TargetKind;
use crate::vocab::{Applicability, Category, FixAction, ProbeName, Severity};

pub use crate::vocab::Role;

impl Role {
    /// The default when a rule does not say: the three "the gateway is not
    /// there" categories are symptoms of something else, the rest are causes.
    pub(crate) fn default_for(category: Category) -> Role {
        match category {
            Category::NotConnected | Category::NotReady | Category::RestartTimeout => Role::Symptom,
            _ => Role::RootCause,
        }
    }
}

/// A fix the rule offers: a closed action implemented in Rust, never a shell
/// string. `commands` are only ever shown (with `{capture}` substituted).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Fix {
    pub id: String,
    pub action: FixAction,
    pub applicability: Applicability,
    pub title: String,
    /// Why an unsafe fix is unsafe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Display-only text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// The zh-TW texts (title, why, text); [`Fix::localized`] swaps them in.
    #[serde(skip)]
    pub zh_tw: FixZhTw,
    /// The texts on one target (`[fix.target.NAME]`); [`Fix::on_target`]
    /// swaps them in.
    #[serde(skip)]
    pub for_target: BTreeMap<TargetKind, FixTexts>,
}

/// A fix's texts on one target (`[fix.target.openclaw]`): each field that
/// is present replaces the fix's own there.
#[derive(Debug, Clone, Default)]
pub struct FixTexts {
    pub title: Option<String>,
    pub why: Option<String>,
    pub text: Option<String>,
    pub commands: Option<Vec<String>>,
    pub zh_tw: FixZhTw,
}

/// A fix's zh-TW texts, beside the English ones in the rule file.
#[derive(Debug, Clone, Default)]
pub struct FixZhTw {
    pub title: Option<String>,
    pub why: Option<String>,
    pub text: Option<String>,
}

impl Fix {
    /// The commands with `{name}` replaced by the capture of that name;
    /// a capture the match did not produce shows as `<name>`.
    pub fn commands_with(&self, captures: &BTreeMap<String, String>) -> Vec<String> {
        self.commands
            .iter()
            .map(|c| substitute(c, captures))
            .collect()
    }
    /// The title with captures substituted.
    pub fn title_with(&self, captures: &BTreeMap<String, String>) -> String {
        substitute(&self.title, captures)
    }
    /// The text with captures substituted, like [`Fix::commands_with`].
    pub fn text_with(&self, captures: &BTreeMap<String, String>) -> Option<String> {
        self.text.as_deref().map(|t| substitute(t, captures))
    }
    /// This fix in `lang` (English stays when a translation is missing),
    /// its texts for each target too.
    pub fn localized(&self, lang: Lang) -> Fix {
        let pick = |en: &Option<String>, tw: &Option<String>| {
            en.as_deref()
                .map(|e| lang.pick(e, tw.as_deref()).into_owned())
        };
        Fix {
            title: lang
                .pick(&self.title, self.zh_tw.title.as_deref())
                .into_owned(),
            why: pick(&self.why, &self.zh_tw.why),
            text: pick(&self.text, &self.zh_tw.text),
            for_target: (self.for_target.iter())
                .map(|(k, t)| {
                    let texts = FixTexts {
                        title: pick(&t.title, &t.zh_tw.title),
                        why: pick(&t.why, &t.zh_tw.why),
                        text: pick(&t.text, &t.zh_tw.text),
                        ..t.clone()
                    };
                    (*k, texts)
                })
                .collect(),
            ..self.clone()
        }
    }
    /// This fix as written for `target` (`[fix.target.NAME]`): its title,
    /// why, text and commands there where the rule gives them, else its
    /// own. Before or after [`Fix::localized`], alike.
    pub fn on_target(&self, target: TargetKind) -> Fix {
        let Some(t) = self.for_target.get(&target) else {
            return self.clone();
        };
        let mut fix = self.clone();
        if let Some(title) = &t.title {
            fix.title = title.clone();
            fix.zh_tw.title = t.zh_tw.title.clone();
        }
        if t.why.is_some() {
            fix.why = t.why.clone();
            fix.zh_tw.why = t.zh_tw.why.clone();
        }
        if t.text.is_some() {
            fix.text = t.text.clone();
            fix.zh_tw.text = t.zh_tw.text.clone();
        }
        if let Some(commands) = &t.commands {
            fix.commands = commands.clone();
        }
        fix
    }
    /// This fix as `target` shows it, for a rule of `category`: its texts
    /// there ([`Fix::on_target`]), and the commands the rule gives for the
    /// target, else the target's own for the action
    /// ([`crate::target::Target::commands`]), else the rule's.
    pub fn on(&self, target: &crate::target::Target, category: Category) -> Fix {
        let kind = target.kind();
        let own = (self.for_target.get(&kind)).is_some_and(|t| t.commands.is_some());
        let mut fix = self.on_target(kind);
        if !own {
            if let Some(commands) = target.commands(fix.action, category) {
                fix.commands = commands;
            }
        }
        fix
    }
    /// This fix as shown for one match or finding: title, text and commands
    /// with `values` (captures, probe facts) substituted.
    pub(crate) fn rendered(&self, values: &BTreeMap<String, String>) -> Fix {
        Fix {
            title: self.title_with(values),
            text: self.text_with(values),
            commands: self.commands_with(values),
            ..self.clone()
        }
    }
}

/// Replaces `{name}` placeholders; `{{` and `}}` are literal braces.
pub(crate) fn substitute(template: &str, captures: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let (true, Some(end)) = (tail.starts_with('{'), tail.find('}')) {
            // `{a|b}`: the first of a, b that is known (a capture, or a
            // probe fact in the doctor), else `<a>` as a placeholder.
            let names = &tail[1..end];
            match names.split('|').find_map(|n| captures.get(n.trim())) {
                Some(v) => out.push_str(v),
                None => {
                    out.push('<');
                    out.push_str(names.split('|').next().unwrap_or(names).trim());
                    out.push('>');
                }
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// A comparison against one probe fact.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq(serde_json::Value),
    Ne(serde_json::Value),
    Gt(f64),
    Lt(f64),
    Exists(bool),
    /// A list fact contains the value, or a string fact contains the substring.
    Contains(serde_json::Value),
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Condition {
    /// Full dotted name, e.g. `port.holder_is_gateway`.
    pub fact: String,
    pub probe: ProbeName,
    pub op: Op,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            Op::Eq(v) => write!(f, "{} == {v}", self.fact),
            Op::Ne(v) => write!(f, "{} != {v}", self.fact),
            Op::Gt(n) => write!(f, "{} > {n}", self.fact),
            Op::Lt(n) => write!(f, "{} < {n}", self.fact),
            Op::Exists(true) => write!(f, "{} is reported", self.fact),
            Op::Exists(false) => write!(f, "{} is not reported", self.fact),
            Op::Contains(v) => write!(f, "{} contains {v}", self.fact),
        }
    }
}

/// All conditions must hold (AND); a rule's blocks are alternatives (OR).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ConditionBlock {
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Example {
    pub text: String,
    pub matches: bool,
    pub captures: BTreeMap<String, String>,
}

/// A `[[context]]` block: some line within `within` lines of a hit (before
/// or after, the hit's own line included) matches one of `patterns`.
#[derive(Debug, Clone)]
pub struct Context {
    pub patterns: Vec<Pattern>,
    pub within: usize,
    /// Without such a line the hit does not count; else it only
    /// strengthens the match (ranking).
    pub required: bool,
}

impl Context {
    /// Whether one of the patterns matches `lower` (a lowercased line).
    pub(crate) fn matches(&self, lower: &[u8]) -> bool {
        (self.patterns.iter()).any(|p| p.regex().is_some_and(|r| r.is_match(lower)))
    }
}

/// A compiled rule, ready for the engine, the doctor and the walkthrough.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub role: Role,
    pub priority: i32,
    /// The flowchart section slug (see [`SECTIONS`]).
    pub section: &'static str,
    pub meaning: String,
    pub causes: Vec<String>,
    pub patterns: Vec<Pattern>,
    /// `[[context]]` blocks: lines near a hit the rule requires or is
    /// strengthened by.
    pub context: Vec<Context>,
    pub probes: Vec<ProbeName>,
    /// The doctor may raise this rule from probe facts alone.
    pub standalone: bool,
    pub confirm: Vec<ConditionBlock>,
    pub refute: Vec<ConditionBlock>,
    pub fixes: Vec<Fix>,
    pub examples: Vec<Example>,
    pub origin: Origin,
    /// The zh-TW texts from the rule file (`*_zh_tw`).
    pub zh_tw: RuleZhTw,
    /// The language the texts above are in ([`Rule::localized`]).
    pub lang: Lang,
    /// User-facing fields without their zh-TW (for `rules lint`).
    pub untranslated: Vec<RuleError>,
}

/// A rule's zh-TW texts, beside the English ones in the rule file.
#[derive(Debug, Clone, Default)]
pub struct RuleZhTw {
    pub title: Option<String>,
    pub meaning: Option<String>,
    pub causes: Option<Vec<String>>,
}

impl Rule {
    /// This rule with its fixes as `target` shows them ([`Fix::on`]):
    /// texts and commands. Reads the target's files (its config, its
    /// service unit) to name paths: call it for a rule being shown.
    pub fn on(&self, target: &crate::target::Target) -> Rule {
        Rule {
            fixes: (self.fixes.iter())
                .map(|f| f.on(target, self.category))
                .collect(),
            ..self.clone()
        }
    }
    /// The human title of the rule's flowchart section, in the rule's language.
    pub fn section_title(&self) -> String {
        crate::vocab::section_title(self.section, self.lang)
            .unwrap_or_else(|| self.section.to_string())
    }

    /// This rule with its texts (title, meaning, causes, fixes) in `lang`;
    /// ids, patterns and conditions unchanged. A missing translation keeps
    /// the English (and `rules lint` reports it).
    pub fn localized(&self, lang: Lang) -> Rule {
        let causes = match (&self.zh_tw.causes, lang) {
            (Some(tw), Lang::ZhTw | Lang::ZhCn) if tw.len() == self.causes.len() => tw
                .iter()
                .map(|c| lang.pick(c, Some(c)).into_owned())
                .collect(),
            _ => self.causes.clone(),
        };
        Rule {
            title: lang
                .pick(&self.title, self.zh_tw.title.as_deref())
                .into_owned(),
            meaning: lang
                .pick(&self.meaning, self.zh_tw.meaning.as_deref())
                .into_owned(),
            causes,
            fixes: self.fixes.iter().map(|f| f.localized(lang)).collect(),
            lang,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_captures() {
        let mut caps = BTreeMap::new();
        caps.insert("port".to_string(), "3001".to_string());
        assert_eq!(substitute("lsof -i :{port}", &caps), "lsof -i :3001");
        assert_eq!(substitute("kill {pid} {{x}}", &caps), "kill <pid> {x}");
        assert_eq!(
            substitute("unbalanced { brace", &caps),
            "unbalanced { brace"
        );
    }
}
