//! Raw rule (serde mirror) → validated, compiled [`Rule`].
//!
//! Owns every check a rule file must pass and the position each error points
//! at: names from the closed vocabularies (category, severity, probe, fix
//! action, applicability), regexes (with the regex error's own column mapped
//! into the file), probe conditions (fact names from `vocab::FACTS`, each
//! fact's probe listed in `probes`, exactly one operator, operand types),
//! fix applicability rules, command placeholders, examples both ways. All
//! errors of a file are collected; a file with any error yields no rule.

use crate::text::{did_you_mean, line_col};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use serde::Serialize;
use toml::Spanned;

use super::schema::{RawBlock, RawCondition, RawFix, RawRule, RULE_FIELDS};
use super::{Origin, RuleError};
use crate::i18n::Lang;
use crate::vocab::{fact_type, SECTIONS};
use crate::vocab::{Applicability, Category, FixAction, ProbeName, Severity, UnknownName};

/// Where a rule sits in a causal chain. Ranking puts root causes before the
/// symptoms they produce (`EADDRINUSE` before `did not become ready`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Symptom,
    RootCause,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Symptom => "symptom",
            Role::RootCause => "root_cause",
        }
    }
    /// The default when a rule does not say: the three "the gateway is not
    /// there" categories are symptoms of something else, the rest are causes.
    pub(crate) fn default_for(category: Category) -> Role {
        match category {
            Category::NotConnected | Category::NotReady | Category::RestartTimeout => Role::Symptom,
            _ => Role::RootCause,
        }
    }
}

/// One pattern. Matching is always case-insensitive and ASCII-only: the
/// pattern is case-folded once ([`fold_case`]) and matched against
/// lowercased, NFKC-normalised input, so captures keep the input's case (same
/// byte offsets). `^`/`$` work at line boundaries. The regex for captures is
/// compiled on first use: a lookup only pays for the patterns that hit.
#[derive(Debug)]
pub struct Pattern {
    pub source: String,
    /// `source` with its literal letters lowercased.
    pub folded: String,
    regex: OnceLock<Option<Regex>>,
}

impl Clone for Pattern {
    fn clone(&self) -> Self {
        Self {
            source: self.source.clone(),
            folded: self.folded.clone(),
            regex: self.regex.clone(),
        }
    }
}

impl Pattern {
    pub(crate) fn new(source: &str) -> Self {
        Self {
            source: source.to_string(),
            folded: utf8_bytes(&fold_case(source)).unwrap_or_else(|_| fold_case(source)),
            regex: OnceLock::new(),
        }
    }
    /// The compiled regex (matches lowercased text); `None` only if the
    /// pattern does not compile, which validation reports at load.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| build_regex(&self.folded).ok())
            .as_ref()
    }
}

/// Builds a folded pattern exactly as the engine uses it.
pub(crate) fn build_regex(folded: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(folded)
        .unicode(false)
        .multi_line(true)
        .crlf(true)
        .build()
}

/// Lowercases every literal ASCII letter of a regex, however it is written
/// (`A`, `\x41`, `\u{41}`, class members and ranges), leaving classes
/// (`\D`), assertions (`\B`), group names and flags alone. Folds the parsed
/// pattern, not its text, so an escape can never keep an uppercase letter
/// the lowercased input cannot contain. A pattern that does not parse is
/// returned as written (validation reports it).
pub(crate) fn fold_case(pattern: &str) -> String {
    use regex_syntax::ast::{parse::Parser, print::Printer};
    // Only a hex escape (`\x41`, `\u{41}`, `\U…`) can spell a letter the
    // text does not show; without one, folding the text's letters outside
    // escapes, group names and flags is the same and needs no parse (a
    // parse per pattern doubled the rule set's load time).
    if !["\\x", "\\u", "\\U"].iter().any(|e| pattern.contains(e)) {
        return fold_text(pattern);
    }
    let Ok(mut ast) = Parser::new().parse(pattern) else {
        return pattern.to_string();
    };
    fold_ast(&mut ast);
    let mut out = String::with_capacity(pattern.len());
    match Printer::new().print(&ast, &mut out) {
        Ok(()) => out,
        Err(_) => pattern.to_string(),
    }
}

/// A pattern with literal non-ASCII text (`未授權`) made byte-matchable:
/// the engine matches bytes with ASCII classes, so each non-ASCII character
/// outside a class becomes its UTF-8 bytes as one group, `(?:\xE6\x9C\xAA)`
/// (a group so a quantifier after it applies to the whole character). A
/// non-ASCII character inside a `[class]` cannot work (a class matches one
/// byte): the error gives its byte offset and a hint.
pub(crate) fn utf8_bytes(pattern: &str) -> Result<String, (usize, String)> {
    if pattern.is_ascii() {
        return Ok(pattern.to_string());
    }
    let mut out = String::with_capacity(pattern.len() * 3);
    let mut class_depth = 0usize;
    // Right after `[` or `[^`, a `]` is a literal member, not the end.
    let mut class_start = false;
    let mut chars = pattern.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let was_start = std::mem::take(&mut class_start);
        if !c.is_ascii() {
            if class_depth > 0 {
                return Err((
                    at,
                    format!(
                        "non-ASCII `{c}` inside a [class]: a class matches one byte; \
                         write alternatives instead, e.g. (?:{c}|…)"
                    ),
                ));
            }
            let mut buf = [0u8; 4];
            out.push_str("(?:");
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02X}"));
            }
            out.push(')');
            continue;
        }
        match c {
            '\\' => match chars.next() {
                // An escaped non-ASCII character is that character.
                Some((_, next)) if !next.is_ascii() && class_depth == 0 => {
                    let mut buf = [0u8; 4];
                    out.push_str("(?:");
                    for b in next.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02X}"));
                    }
                    out.push(')');
                }
                Some((at, next)) if !next.is_ascii() => {
                    return Err((
                        at,
                        format!("non-ASCII `{next}` inside a [class]: a class matches one byte; write alternatives instead, e.g. (?:{next}|…)"),
                    ));
                }
                Some((_, next)) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            },
            '[' => {
                out.push(c);
                class_depth += 1;
                class_start = true;
                if chars.peek().map(|p| p.1) == Some('^') {
                    out.push('^');
                    chars.next();
                }
            }
            ']' if class_depth > 0 && !was_start => {
                out.push(c);
                class_depth -= 1;
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Lowercases the literal ASCII letters of a pattern's text, leaving
/// escapes, group names and flag groups alone.
fn fold_text(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                out.push(c);
                out.push(chars.next().unwrap_or('?'));
                // Copy a group name or flags verbatim, up to `>`, `:` or `)`.
                let named = matches!(chars.peek(), Some('P') | Some('<'));
                for inner in chars.by_ref() {
                    out.push(inner);
                    let end = if named {
                        inner == '>'
                    } else {
                        inner == ':' || inner == ')'
                    };
                    if end {
                        break;
                    }
                }
            }
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

fn fold_literal(lit: &mut regex_syntax::ast::Literal) {
    if lit.c.is_ascii_uppercase() {
        lit.c = lit.c.to_ascii_lowercase();
        lit.kind = regex_syntax::ast::LiteralKind::Verbatim;
    }
}

fn fold_ast(ast: &mut regex_syntax::ast::Ast) {
    use regex_syntax::ast::Ast;
    match ast {
        Ast::Literal(lit) => fold_literal(lit),
        Ast::ClassBracketed(class) => fold_class_set(&mut class.kind),
        Ast::Repetition(rep) => fold_ast(&mut rep.ast),
        Ast::Group(group) => fold_ast(&mut group.ast),
        Ast::Alternation(alt) => alt.asts.iter_mut().for_each(fold_ast),
        Ast::Concat(concat) => concat.asts.iter_mut().for_each(fold_ast),
        Ast::Empty(_)
        | Ast::Flags(_)
        | Ast::Dot(_)
        | Ast::Assertion(_)
        | Ast::ClassUnicode(_)
        | Ast::ClassPerl(_) => {}
    }
}

fn fold_class_set(set: &mut regex_syntax::ast::ClassSet) {
    use regex_syntax::ast::ClassSet;
    match set {
        ClassSet::Item(item) => fold_class_item(item),
        ClassSet::BinaryOp(op) => {
            fold_class_set(&mut op.lhs);
            fold_class_set(&mut op.rhs);
        }
    }
}

fn fold_class_item(item: &mut regex_syntax::ast::ClassSetItem) {
    use regex_syntax::ast::ClassSetItem;
    match item {
        ClassSetItem::Literal(lit) => fold_literal(lit),
        // `A-Z` becomes `a-z`; a range that is not all uppercase letters
        // (`0-Z`) is left as written rather than widened.
        ClassSetItem::Range(range)
            if range.start.c.is_ascii_uppercase() && range.end.c.is_ascii_uppercase() =>
        {
            fold_literal(&mut range.start);
            fold_literal(&mut range.end);
        }
        ClassSetItem::Bracketed(class) => fold_class_set(&mut class.kind),
        ClassSetItem::Union(union) => union.items.iter_mut().for_each(fold_class_item),
        _ => {}
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
    /// This fix in `lang` (English stays when a translation is missing).
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
            ..self.clone()
        }
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

fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        if let Some(stripped) = tail.strip_prefix("{{") {
            rest = stripped;
            continue;
        }
        match tail.find('}') {
            Some(end) => {
                names.push(&tail[1..end]);
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    names
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

/// The most an action may be declared as. An action that changes what other
/// parties rely on (a port, a token, a running process, a config the user
/// wrote) can never be `safe`; only `advice` may be (and must be) display-only.
pub(crate) fn max_applicability(action: FixAction) -> Applicability {
    match action {
        FixAction::Advice => Applicability::DisplayOnly,
        FixAction::MoveToFreePort
        | FixAction::ForceStopGateway
        | FixAction::PinTokenAndRepair
        | FixAction::QuarantineCorruptConfig
        | FixAction::RebuildDeviceStore => Applicability::Unsafe,
        _ => Applicability::Safe,
    }
}

/// The text and its positions, for turning byte spans into line:col.
struct Ctx<'a> {
    text: &'a str,
    path: &'a str,
    errors: Vec<RuleError>,
    validate_regexes: bool,
}

impl Ctx<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        let (line, col) = line_col(self.text, span.start);
        self.errors.push(RuleError {
            path: self.path.to_string(),
            pos: Some((line, col)),
            message: message.into(),
            hint,
        });
    }
    fn vocab<T: FromStr<Err = UnknownName>>(
        &mut self,
        value: &Spanned<String>,
        what: &str,
    ) -> Option<T> {
        match value.get_ref().parse::<T>() {
            Ok(v) => Some(v),
            Err(e) => {
                let hint = did_you_mean(&e.name, &e.expected)
                    .map(|s| {
                        format!(
                            "did you mean `{s}`? {what} is one of: {}",
                            e.expected.join(", ")
                        )
                    })
                    .unwrap_or_else(|| format!("{what} is one of: {}", e.expected.join(", ")));
                self.err(
                    value.span(),
                    format!("unknown {what} `{}`", e.name),
                    Some(hint),
                );
                None
            }
        }
    }
}

/// Parses and validates one rule file. `id` is the file stem; `path` is what
/// errors print (`builtin:rules/<id>.toml` for built-ins).
pub fn compile(id: &str, path: &str, origin: Origin, text: &str) -> Result<Rule, Vec<RuleError>> {
    compile_with(id, path, origin, text, true)
}

/// [`compile`], optionally without compiling the regexes. Built-in rules
/// skip that at run time (it is most of the start-up cost of a lookup):
/// `ruleset::tests::every_builtin_compiles` validates them fully instead.
pub(crate) fn compile_with(
    id: &str,
    path: &str,
    origin: Origin,
    text: &str,
    validate_regexes: bool,
) -> Result<Rule, Vec<RuleError>> {
    let mut cx = Ctx {
        text,
        path,
        errors: Vec::new(),
        validate_regexes,
    };
    if !is_valid_id(id) {
        cx.err(
            0..0,
            format!("rule id `{id}` (the file name) is not valid"),
            Some("rename the file: ids are lowercase letters, digits and dashes, e.g. `port-in-use.toml`".into()),
        );
    }
    let raw: RawRule = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            let hint = toml_hint(&message);
            cx.err(span, message, hint);
            return Err(cx.errors);
        }
    };
    let rule = check(&mut cx, id, origin, raw);
    match rule {
        Some(rule) if cx.errors.is_empty() => Ok(rule),
        _ => Err(cx.errors),
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

fn toml_hint(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let all = [
            RULE_FIELDS,
            &["when", "fact", "eq", "ne", "gt", "lt", "exists", "contains"],
            &[
                "action",
                "applicability",
                "why",
                "text",
                "title_zh_tw",
                "why_zh_tw",
                "text_zh_tw",
                "commands",
                "matches",
                "captures",
            ],
        ]
        .concat();
        return Some(match did_you_mean(field, &all) {
            Some(s) => format!(
                "did you mean `{s}`? (rule files reject unknown fields so typos are not ignored)"
            ),
            None => "remove it: rule files reject unknown fields so typos are not ignored".into(),
        });
    }
    if message.starts_with("missing field") {
        return Some("see `clawdoc rules show port-in-use` for a complete rule".into());
    }
    None
}

fn check(cx: &mut Ctx<'_>, id: &str, origin: Origin, raw: RawRule) -> Option<Rule> {
    if let Some(declared) = &raw.id {
        if declared.get_ref() != id {
            cx.err(
                declared.span(),
                format!(
                    "id `{}` does not match the file name `{id}.toml`",
                    declared.get_ref()
                ),
                Some(format!(
                    "the id is the file stem: remove `id` or rename the file to `{}.toml`",
                    declared.get_ref()
                )),
            );
        }
    }
    if raw.title.get_ref().trim().is_empty() {
        cx.err(raw.title.span(), "title is empty", None);
    }
    let (zh_tw, untranslated) = rule_zh_tw(cx, &raw);
    let category = cx.vocab::<Category>(&raw.category, "category");
    let severity = cx.vocab::<Severity>(&raw.severity, "severity");
    let role = match &raw.role {
        None => category.map(Role::default_for),
        Some(r) => match r.get_ref().as_str() {
            "root_cause" => Some(Role::RootCause),
            "symptom" => Some(Role::Symptom),
            other => {
                cx.err(
                    r.span(),
                    format!("unknown role `{other}`"),
                    Some("role is `root_cause` or `symptom`".into()),
                );
                None
            }
        },
    };
    let section = SECTIONS
        .iter()
        .find(|(slug, _, _)| *slug == raw.section.get_ref())
        .map(|(slug, _, _)| *slug);
    if section.is_none() {
        let slugs: Vec<&str> = SECTIONS.iter().map(|(s, _, _)| *s).collect();
        let hint = match did_you_mean(raw.section.get_ref(), &slugs) {
            Some(s) => format!("did you mean `{s}`? sections are: {}", slugs.join(", ")),
            None => format!("sections are: {}", slugs.join(", ")),
        };
        cx.err(
            raw.section.span(),
            format!("unknown flowchart section `{}`", raw.section.get_ref()),
            Some(hint),
        );
    }

    let patterns = check_patterns(cx, &raw);
    let probes: Vec<ProbeName> = raw
        .probes
        .iter()
        .filter_map(|p| cx.vocab::<ProbeName>(p, "probe"))
        .collect();
    let confirm = check_blocks(cx, &raw.confirm, &probes, &raw.probes);
    let refute = check_blocks(cx, &raw.refute, &probes, &raw.probes);
    let standalone = raw
        .standalone
        .as_ref()
        .map(|s| *s.get_ref())
        .unwrap_or(false);
    if let Some(s) = &raw.standalone {
        if *s.get_ref() && raw.confirm.is_empty() {
            cx.err(
                s.span(),
                "a standalone rule needs at least one [[confirm]] block",
                Some(
                    "standalone means the doctor raises it from probe facts alone; say which facts"
                        .into(),
                ),
            );
        }
    }

    let validate = cx.validate_regexes;
    let capture_names: BTreeSet<String> = if validate {
        patterns
            .iter()
            .filter_map(Pattern::regex)
            .flat_map(|r| r.capture_names().flatten().map(str::to_string))
            .collect()
    } else {
        BTreeSet::new()
    };
    let fixes = check_fixes(cx, &raw.fixes, validate.then_some(&capture_names));

    let mut examples = Vec::new();
    for ex in &raw.examples {
        for name in ex.get_ref().captures.keys() {
            if validate && !capture_names.contains(name) {
                cx.err(
                    ex.span(),
                    format!("example expects capture `{name}` that no pattern defines"),
                    Some(format!("patterns define: {}", join_or_none(&capture_names))),
                );
            }
        }
        let ex = ex.get_ref();
        examples.push(Example {
            text: ex.text.clone(),
            matches: ex.matches,
            captures: ex.captures.clone(),
        });
    }
    let end = cx.text.len();
    if !examples.iter().any(|e| e.matches) {
        cx.err(
            end..end,
            "no [[example]] that must match",
            Some(
                "add `[[example]]` with `text = \"…\"` (a real message this rule explains)".into(),
            ),
        );
    }
    if !examples.iter().any(|e| !e.matches) {
        cx.err(end..end, "no [[example]] that must not match", Some("add `[[example]]` with `matches = false` (a similar message this rule must not claim)".into()));
    }

    Some(Rule {
        id: id.to_string(),
        title: raw.title.into_inner(),
        category: category?,
        severity: severity?,
        role: role?,
        priority: raw.priority,
        section: section?,
        meaning: raw.meaning.into_inner(),
        causes: raw.causes,
        patterns,
        probes,
        standalone,
        confirm,
        refute,
        fixes,
        examples,
        origin,
        zh_tw,
        lang: Lang::En,
        untranslated,
    })
}

/// The zh-TW texts of a rule, and an error (at the English field's place)
/// for each user-facing text that has none. A translation of an empty
/// field, or a `causes_zh_tw` of another length than `causes`, is an error.
fn rule_zh_tw(cx: &mut Ctx<'_>, raw: &RawRule) -> (RuleZhTw, Vec<RuleError>) {
    let mut gaps = Ctx {
        path: cx.path,
        text: cx.text,
        errors: Vec::new(),
        validate_regexes: false,
    };
    let gap = |gaps: &mut Ctx<'_>, span: std::ops::Range<usize>, field: &str| {
        // `[[fix]] title` names the block; the key to add is `title_zh_tw`.
        let key = field.rsplit(' ').next().unwrap_or(field);
        gaps.err(
            span,
            format!("`{field}` has no zh-TW translation"),
            Some(format!(
                "add `{key}_zh_tw = \"…\"` on the line after `{key}` (zh-CN is derived from it)"
            )),
        );
    };
    let text = |t: &Option<Spanned<String>>| {
        t.as_ref()
            .map(|t| t.get_ref().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let title = text(&raw.title_zh_tw);
    if title.is_none() {
        gap(&mut gaps, raw.title.span(), "title");
    }
    let meaning = text(&raw.meaning_zh_tw);
    if meaning.is_none() {
        gap(&mut gaps, raw.meaning.span(), "meaning");
    }
    let causes = match &raw.causes_zh_tw {
        Some(tw) if tw.get_ref().len() != raw.causes.len() => {
            cx.err(
                tw.span(),
                format!(
                    "`causes_zh_tw` has {} entries but `causes` has {}",
                    tw.get_ref().len(),
                    raw.causes.len()
                ),
                Some("translate each cause once, in the same order".into()),
            );
            None
        }
        Some(tw) => Some(tw.get_ref().clone()),
        None => {
            if !raw.causes.is_empty() {
                gap(&mut gaps, raw.meaning.span(), "causes");
            }
            None
        }
    };
    for f in &raw.fixes {
        let r = f.get_ref();
        let missing = [
            ("title", Some(&r.title), &r.title_zh_tw),
            ("why", r.why.as_ref(), &r.why_zh_tw),
            ("text", r.text.as_ref(), &r.text_zh_tw),
        ];
        for (field, en, tw) in missing {
            if en.is_some() && tw.as_deref().is_none_or(|t| t.trim().is_empty()) {
                gap(&mut gaps, f.span(), &format!("[[fix]] {field}"));
            }
        }
    }
    let zh = RuleZhTw {
        title,
        meaning,
        causes,
    };
    (zh, gaps.errors)
}

fn join_or_none(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn check_patterns(cx: &mut Ctx<'_>, raw: &RawRule) -> Vec<Pattern> {
    if raw.patterns.get_ref().is_empty() {
        cx.err(
            raw.patterns.span(),
            "`patterns` is empty",
            Some("a rule needs at least one regex".into()),
        );
    }
    let mut out = Vec::new();
    for p in raw.patterns.get_ref() {
        let source = p.get_ref();
        if source.trim().is_empty() {
            cx.err(
                p.span(),
                "empty pattern",
                Some("an empty pattern matches every line".into()),
            );
            continue;
        }
        if source.contains('\n') {
            cx.err(
                p.span(),
                "pattern contains a line break",
                Some("rules match one line at a time; match each line with its own pattern".into()),
            );
            continue;
        }
        let pattern = Pattern::new(source);
        if !cx.validate_regexes {
            out.push(pattern);
            continue;
        }
        let span = p.span();
        let literal = cx.text.get(span.clone()).unwrap_or_default();
        // Exact columns only when the TOML literal holds the pattern verbatim.
        let verbatim =
            literal.len() == source.len() + 2 && &literal[1..literal.len() - 1] == source;
        let translated = match utf8_bytes(source) {
            Ok(t) => t,
            Err((offset, message)) => {
                let at = if verbatim {
                    span.start + 1 + offset
                } else {
                    span.start
                };
                cx.err(at..at, message, Some("non-ASCII text is matched byte for byte, so it can be written literally outside a class".into()));
                continue;
            }
        };
        // Parse the source with regex-syntax first: its error carries a span
        // inside the pattern as written, which maps to a column in the file
        // (for ASCII patterns; a translated one reports the pattern's start).
        let mut parser = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .multi_line(true)
            .build();
        if let Err(e) = parser.parse(&translated) {
            let (offset, kind) = match &e {
                regex_syntax::Error::Parse(a) => (a.span().start.offset, a.kind().to_string()),
                regex_syntax::Error::Translate(t) => (t.span().start.offset, t.kind().to_string()),
                other => (0, other.to_string()),
            };
            let at = if verbatim && source.is_ascii() {
                span.start + 1 + offset
            } else {
                span.start
            };
            cx.err(
                at..at,
                format!("invalid regex: {kind}"),
                Some(regex_hint(&kind)),
            );
            continue;
        }
        match build_regex(&pattern.folded) {
            Ok(regex) => {
                let _ = pattern.regex.set(Some(regex));
                out.push(pattern);
            }
            Err(e) => cx.err(
                p.span(),
                format!("invalid regex: {e}"),
                Some("simplify the pattern".into()),
            ),
        }
    }
    out
}

fn regex_hint(kind: &str) -> String {
    if kind.contains("Unicode") || kind.contains("invalid UTF-8") {
        "patterns are ASCII-only (`(?i-u)`): input is NFKC-normalised first, so write the ASCII form".into()
    } else {
        "patterns use Rust regex syntax; write them as '…' literal strings so backslashes need no doubling".into()
    }
}

/// Compiles conditions written outside a rule (the flowchart's checks):
/// every probe counts as listed. Errors carry `path:line:col` like a rule's.
pub(crate) fn compile_conditions(
    path: &str,
    text: &str,
    raw: &[Spanned<RawCondition>],
) -> Result<Vec<Condition>, Vec<RuleError>> {
    let mut cx = Ctx {
        text,
        path,
        errors: Vec::new(),
        validate_regexes: false,
    };
    let conditions: Vec<Condition> = raw
        .iter()
        .filter_map(|c| check_condition(&mut cx, c, ProbeName::ALL, &[]))
        .collect();
    if cx.errors.is_empty() {
        Ok(conditions)
    } else {
        Err(cx.errors)
    }
}

fn check_blocks(
    cx: &mut Ctx<'_>,
    blocks: &[Spanned<RawBlock>],
    probes: &[ProbeName],
    raw_probes: &[Spanned<String>],
) -> Vec<ConditionBlock> {
    let mut out = Vec::new();
    for block in blocks {
        if block.get_ref().when.is_empty() {
            cx.err(
                block.span(),
                "empty `when`: a block with no conditions would always hold",
                None,
            );
            continue;
        }
        let mut when = Vec::new();
        for cond in &block.get_ref().when {
            if let Some(c) = check_condition(cx, cond, probes, raw_probes) {
                when.push(c);
            }
        }
        out.push(ConditionBlock { when });
    }
    out
}

fn check_condition(
    cx: &mut Ctx<'_>,
    cond: &Spanned<RawCondition>,
    probes: &[ProbeName],
    raw_probes: &[Spanned<String>],
) -> Option<Condition> {
    let c = cond.get_ref();
    let fact = c.fact.get_ref();
    let Some(ty) = fact_type(fact) else {
        let names: Vec<&str> = crate::vocab::FACTS.iter().map(|(n, _)| *n).collect();
        let hint = match did_you_mean(fact, &names) {
            Some(s) => format!("did you mean `{s}`? facts are `probe.fact` names from the probe catalogue (`clawdoc rules facts` lists them)"),
            None => "facts are `probe.fact` names from the probe catalogue (`clawdoc rules facts` lists them)".into(),
        };
        cx.err(c.fact.span(), format!("unknown fact `{fact}`"), Some(hint));
        return None;
    };
    let probe_name = fact.split('.').next().unwrap_or_default();
    let probe = ProbeName::from_str(probe_name).ok()?;
    if !probes.contains(&probe) && !raw_probes.iter().any(|p| p.get_ref() == probe_name) {
        cx.err(
            c.fact.span(),
            format!("fact `{fact}` comes from probe `{probe_name}`, which this rule does not list in `probes`"),
            Some(format!("add \"{probe_name}\" to `probes`")),
        );
    }
    let mut ops: Vec<Op> = Vec::new();
    let bad = |cx: &mut Ctx<'_>, msg: String| cx.err(cond.span(), msg, None);
    let json = |v: &toml::Value| serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
    let number = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    };
    if let Some(v) = &c.eq {
        ops.push(Op::Eq(json(v)));
    }
    if let Some(v) = &c.ne {
        ops.push(Op::Ne(json(v)));
    }
    for (name, value, make) in [
        ("gt", &c.gt, Op::Gt as fn(f64) -> Op),
        ("lt", &c.lt, Op::Lt as fn(f64) -> Op),
    ] {
        if let Some(v) = value {
            match number(v) {
                Some(n) if matches!(ty, "int" | "float") => ops.push(make(n)),
                Some(_) => bad(
                    cx,
                    format!("`{name}` compares numbers, but `{fact}` is a {ty}"),
                ),
                None => bad(cx, format!("`{name}` needs a number, found {v}")),
            }
        }
    }
    if let Some(e) = c.exists {
        ops.push(Op::Exists(e));
    }
    if let Some(v) = &c.contains {
        if matches!(ty, "list" | "string") {
            ops.push(Op::Contains(json(v)));
        } else {
            bad(
                cx,
                format!("`contains` applies to lists and strings, but `{fact}` is a {ty}"),
            );
        }
    }
    for op in &ops {
        if let Op::Eq(v) | Op::Ne(v) = op {
            if !value_fits(v, ty) {
                bad(cx, format!("`{fact}` is a {ty}; it can never equal {v}"));
            }
        }
    }
    let provided = [
        c.eq.is_some(),
        c.ne.is_some(),
        c.gt.is_some(),
        c.lt.is_some(),
        c.exists.is_some(),
        c.contains.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if provided != 1 {
        cx.err(
            cond.span(),
            format!("a condition needs exactly one operator, found {provided}"),
            Some(
                "operators: eq, ne, gt, lt, exists, contains; write two conditions to combine them"
                    .into(),
            ),
        );
        return None;
    }
    let op = ops.pop()?;
    Some(Condition {
        fact: fact.clone(),
        probe,
        op,
    })
}

fn value_fits(v: &serde_json::Value, ty: &str) -> bool {
    match ty {
        "bool" => v.is_boolean(),
        "int" | "float" => v.is_number(),
        "string" => v.is_string(),
        "list" => v.is_array(),
        _ => true,
    }
}

/// `captures` is `None` when regexes are not compiled (trusted built-ins).
fn check_fixes(
    cx: &mut Ctx<'_>,
    fixes: &[Spanned<RawFix>],
    captures: Option<&BTreeSet<String>>,
) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    for spanned in fixes {
        let raw = spanned.get_ref();
        let action = cx.vocab::<FixAction>(&raw.action, "fix action");
        let applicability = cx.vocab::<Applicability>(&raw.applicability, "applicability");
        let (Some(action), Some(applicability)) = (action, applicability) else {
            continue;
        };
        let max = max_applicability(action);
        if action == FixAction::Advice && applicability != Applicability::DisplayOnly {
            cx.err(
                raw.applicability.span(),
                "`advice` only shows text: its applicability is `display-only`",
                None,
            );
        } else if action != FixAction::Advice && applicability == Applicability::DisplayOnly {
            cx.err(
                raw.applicability.span(),
                format!("`{action}` changes the machine, so it cannot be `display-only`"),
                Some(
                    "use `action = \"advice\"` for a fix that only shows text and commands".into(),
                ),
            );
        } else if applicability > max {
            cx.err(
                raw.applicability.span(),
                format!("`{action}` can never be `{applicability}`; at most `{max}`"),
                Some(
                    "it changes something other parties rely on; declare it `unsafe` and say `why`"
                        .into(),
                ),
            );
        }
        if applicability == Applicability::Unsafe
            && raw.why.as_deref().is_none_or(|w| w.trim().is_empty())
        {
            cx.err(
                spanned.span(),
                format!("unsafe fix `{action}` needs `why` (what can go wrong)"),
                None,
            );
        }
        if applicability == Applicability::DisplayOnly
            && raw.text.is_none()
            && raw.commands.is_empty()
        {
            cx.err(
                spanned.span(),
                "a display-only fix needs `text` or `commands`",
                None,
            );
        }
        for cmd in &raw.commands {
            let Some(captures) = captures else { continue };
            for name in placeholders(cmd.get_ref()) {
                // `{a|b}`: fine when any alternative is a capture or a probe fact.
                let known = name
                    .split('|')
                    .map(str::trim)
                    .any(|n| captures.contains(n) || crate::vocab::is_known_fact(n));
                if !known {
                    cx.err(
                        cmd.span(),
                        format!("command uses `{{{name}}}` but no pattern captures `{name}`"),
                        Some(format!(
                            "name a capture group `(?P<{name}>…)` or write the value; captures: {}",
                            join_or_none(captures)
                        )),
                    );
                }
            }
        }
        let id = raw
            .id
            .clone()
            .unwrap_or_else(|| action.as_str().to_string());
        if out.iter().any(|f| f.id == id) {
            cx.err(
                spanned.span(),
                format!("duplicate fix id `{id}` in this rule"),
                Some("give one of them an `id`".into()),
            );
        }
        out.push(Fix {
            id,
            action,
            applicability,
            title: raw.title.clone(),
            why: raw.why.clone(),
            text: raw.text.clone(),
            commands: raw.commands.iter().map(|c| c.get_ref().clone()).collect(),
            zh_tw: FixZhTw {
                title: raw.title_zh_tw.clone(),
                why: raw.why_zh_tw.clone(),
                text: raw.text_zh_tw.clone(),
            },
        });
    }
    out
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
        assert_eq!(placeholders("a {port} b {{x}} {pid}"), vec!["port", "pid"]);
    }

    #[test]
    fn fold_case_lowercases_literals_only() {
        assert_eq!(fold_case(r"EADDRINUSE\D\B\x4F"), r"eaddrinuse\D\Bo");
        assert_eq!(
            fold_case(r"(?P<Port>\d+) (?U)X (?i:Y) [A-Z\x42]"),
            r"(?P<Port>\d+) (?U)x (?i:y) [a-zb]"
        );
        assert_eq!(fold_case(r"[0-Z]\u{41}"), r"[0-Z]a");
        // Does not parse: returned as written for validation to report.
        assert_eq!(fold_case("caf\u{e9} \\"), "caf\u{e9} \\");
    }

    #[test]
    fn non_ascii_literals_become_bytes() {
        assert_eq!(utf8_bytes("a+").unwrap(), "a+");
        assert_eq!(
            utf8_bytes("未(?:經)?+").unwrap(),
            r"(?:\xE6\x9C\xAA)(?:(?:\xE7\xB6\x93))?+"
        );
        assert_eq!(utf8_bytes(r"[]中]").unwrap_err().0, 2);
        assert_eq!(utf8_bytes(r"[^a]中\[").unwrap(), r"[^a](?:\xE4\xB8\xAD)\[");
        assert!(utf8_bytes("[a-z]*文[x]").is_ok());
        assert!(utf8_bytes("[[:alpha:]文]")
            .unwrap_err()
            .1
            .contains("[class]"));
        let p = Pattern::new("埠\\s*(?P<port>\\d+)\\s*已被佔用");
        let caps = p
            .regex()
            .unwrap()
            .captures("埠 3001 已被佔用".as_bytes())
            .unwrap();
        assert_eq!(&caps["port"], b"3001");
    }

    #[test]
    fn applicability_ceiling() {
        assert_eq!(
            max_applicability(FixAction::MoveToFreePort),
            Applicability::Unsafe
        );
        assert_eq!(
            max_applicability(FixAction::SetModeLocal),
            Applicability::Safe
        );
        assert_eq!(
            max_applicability(FixAction::Advice),
            Applicability::DisplayOnly
        );
    }
}
