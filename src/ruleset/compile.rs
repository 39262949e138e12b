//! Raw rule (serde mirror) → validated, compiled [`Rule`]: the checks.
//!
//! Owns every check a rule file must pass and the position each error points
//! at: names from the closed vocabularies (category, severity, probe, fix
//! action, applicability), regexes (with the regex error's own column mapped
//! into the file), probe conditions (fact names from `vocab::FACTS`, each
//! fact's probe listed in `probes`, exactly one operator, operand types),
//! fix applicability rules, command placeholders, examples both ways. All
//! errors of a file are collected; a file with any error yields no rule.
//! What a compiled rule is lives in [`super::model`]; how a pattern becomes
//! a regex in [`super::pattern`].

use crate::text::{did_you_mean, line_col};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::str::FromStr;

use toml::Spanned;

use super::model::{
    Condition, ConditionBlock, Context, Example, Fix, FixTexts, FixZhTw, Op, Role, Rule, RuleZhTw,
};
use super::pattern::{build_regex, utf8_bytes, Pattern};
use super::schema::{RawBlock, RawCondition, RawContext, RawFix, RawRule, RULE_FIELDS};
use super::{Origin, RuleError};
use crate::i18n::Lang;
use crate::target::TargetKind;
use crate::vocab::{fact_type, SECTIONS};
use crate::vocab::{Applicability, Category, FixAction, ProbeName, Severity, UnknownName};

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
        Some(r) => cx.vocab::<Role>(r, "role"),
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

    // A built-in rule's patterns were folded by the build (in file order).
    let folded = (origin == Origin::Builtin)
        .then(|| super::pattern::builtin_folded(id))
        .flatten()
        .filter(|f| f.len() == raw.patterns.get_ref().len());
    let patterns = check_patterns(cx, &raw.patterns, folded);
    let context = check_context(cx, &raw.context);
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

    // Informational means routine: nothing to fix, never raised alone.
    if let (Some(Role::Informational), Some(r)) = (role, &raw.role) {
        if let Some(fix) = raw.fixes.first() {
            cx.err(
                fix.span(),
                "an informational rule has a [[fix]]",
                Some("informational lines are routine: remove the fix, or make the rule a `root_cause`/`symptom`".into()),
            );
        }
        if standalone {
            cx.err(
                r.span(),
                "an informational rule cannot be standalone",
                Some("the doctor never makes a finding of a routine line".into()),
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
        context,
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
        for (name, t) in &r.target {
            let texts = t.get_ref();
            let missing = [
                ("title", &texts.title, &texts.title_zh_tw),
                ("why", &texts.why, &texts.why_zh_tw),
                ("text", &texts.text, &texts.text_zh_tw),
            ];
            for (field, en, tw) in missing {
                if en.is_some() && tw.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    gap(&mut gaps, t.span(), &format!("[fix.target.{name}] {field}"));
                }
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

/// `folded`: the patterns' folded texts when known (a built-in's).
fn check_patterns(
    cx: &mut Ctx<'_>,
    patterns: &Spanned<Vec<Spanned<String>>>,
    folded: Option<&[&str]>,
) -> Vec<Pattern> {
    if patterns.get_ref().is_empty() {
        cx.err(
            patterns.span(),
            "`patterns` is empty",
            Some("a rule needs at least one regex".into()),
        );
    }
    let mut out = Vec::new();
    for (i, p) in patterns.get_ref().iter().enumerate() {
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
        let pattern = match folded {
            Some(f) => Pattern::with_folded(source, f[i].to_owned()),
            None => Pattern::new(source),
        };
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
                pattern.set_regex(regex);
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

/// The most lines a context block may reach (each way).
pub(crate) const MAX_WITHIN: u32 = 50;

fn check_context(cx: &mut Ctx<'_>, raw: &[Spanned<RawContext>]) -> Vec<Context> {
    let mut out = Vec::new();
    for block in raw {
        let b = block.get_ref();
        let patterns = check_patterns(cx, &b.patterns, None);
        let within = *b.within.get_ref();
        if within > MAX_WITHIN {
            cx.err(
                b.within.span(),
                format!("`within = {within}` is more than {MAX_WITHIN} lines"),
                Some("context is about neighbouring lines: a few lines, at most 50".into()),
            );
            continue;
        }
        out.push(Context {
            patterns,
            within: within as usize,
            required: b.required,
        });
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
        let for_target = fix_targets(cx, raw);
        let target_commands = (raw.target.values())
            .filter_map(|t| t.get_ref().commands.as_ref())
            .flatten();
        for cmd in raw.commands.iter().chain(target_commands) {
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
            for_target,
        });
    }
    out
}

/// A fix's `[fix.target.NAME]` tables, by target; an unknown target name or
/// an empty table is an error at the table.
fn fix_targets(cx: &mut Ctx<'_>, raw: &RawFix) -> BTreeMap<TargetKind, FixTexts> {
    let mut out = BTreeMap::new();
    for (name, spanned) in &raw.target {
        let t = spanned.get_ref();
        // The table's span is its body: point at its header.
        let span = spanned.span();
        let at = (cx.text.get(..span.start))
            .and_then(|t| t.rfind("[fix.target"))
            .map_or(span.clone(), |i| i..span.end);
        let Some(kind) = TargetKind::from_name(name) else {
            let names: Vec<&str> = TargetKind::ALL.iter().map(|k| k.as_str()).collect();
            cx.err(
                at,
                format!("`[fix.target.{name}]`: no target is called `{name}`"),
                Some(format!("targets: {}", names.join(", "))),
            );
            continue;
        };
        if t.title.is_none() && t.why.is_none() && t.text.is_none() && t.commands.is_none() {
            cx.err(
                at,
                format!("`[fix.target.{name}]` says nothing"),
                Some("give the fix's `title`, `why`, `text` or `commands` on this target".into()),
            );
        }
        let texts = FixTexts {
            title: t.title.clone(),
            why: t.why.clone(),
            text: t.text.clone(),
            commands: (t.commands.as_ref())
                .map(|c| c.iter().map(|c| c.get_ref().clone()).collect()),
            zh_tw: FixZhTw {
                title: t.title_zh_tw.clone(),
                why: t.why_zh_tw.clone(),
                text: t.text_zh_tw.clone(),
            },
        };
        out.insert(kind, texts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_skip_escaped_braces() {
        assert_eq!(placeholders("a {port} b {{x}} {pid}"), vec!["port", "pid"]);
    }

    const FIX_TARGET: &str = r#"
title = "t"
title_zh_tw = "t"
category = "mode_unset"
severity = "error"
section = "start-blocked"
meaning = "m"
meaning_zh_tw = "m"
patterns = ['mode (?P<mode>\w+) unset']

[[fix]]
action = "advice"
applicability = "display-only"
title = "Set it"
title_zh_tw = "設定它"
text = "CLAWDOC_GATEWAY_MODE overrides the file"
text_zh_tw = "CLAWDOC_GATEWAY_MODE 會覆蓋設定檔"
commands = ["clawdoc config set gateway.mode {mode}"]

[fix.target.openclaw]
text = "gateway.bind says which interfaces"
text_zh_tw = "gateway.bind 決定介面"
commands = ["openclaw config set gateway.mode {mode}"]

[[example]]
text = "mode x unset"
[[example]]
text = "fine"
matches = false
"#;

    #[test]
    fn fix_texts_per_target_replace_only_what_they_give() {
        let rule = compile("t", "t.toml", Origin::User("t".into()), FIX_TARGET).unwrap();
        assert!(rule.untranslated.is_empty(), "{:?}", rule.untranslated);
        let fix = &rule.fixes[0];
        let oc = fix.on_target(TargetKind::OpenClaw);
        assert_eq!(oc.title, "Set it");
        assert_eq!(
            oc.text.as_deref(),
            Some("gateway.bind says which interfaces")
        );
        assert_eq!(oc.commands, ["openclaw config set gateway.mode {mode}"]);
        let embedded = fix.on_target(TargetKind::Embedded);
        assert_eq!(embedded.text, fix.text);
        assert_eq!(embedded.commands, fix.commands);
        // zh-TW, whichever comes first.
        let a = fix.localized(Lang::ZhTw).on_target(TargetKind::OpenClaw);
        let b = fix.on_target(TargetKind::OpenClaw).localized(Lang::ZhTw);
        for f in [a, b] {
            assert_eq!(f.title, "設定它");
            assert_eq!(f.text.as_deref(), Some("gateway.bind 決定介面"));
        }
    }

    #[test]
    fn fix_texts_per_target_are_checked() {
        let bad = |from: &str, to: &str| {
            let text = FIX_TARGET.replacen(from, to, 1);
            compile("t", "t.toml", Origin::User("t".into()), &text).unwrap_err()
        };
        let errs = bad("[fix.target.openclaw]", "[fix.target.nope]");
        assert!(
            errs[0].message.contains("no target is called `nope`"),
            "{errs:?}"
        );
        assert_eq!(errs[0].pos, Some((20, 1)), "{errs:?}");
        let errs = bad(
            "set gateway.mode {mode}\"]\n\n[[ex",
            "set gateway.mode {port}\"]\n\n[[ex",
        );
        assert!(errs[0].message.contains("`{port}`"), "{errs:?}");
        let errs = bad("text = \"gateway.bind", "titel = \"gateway.bind");
        assert!(errs[0].message.contains("titel"), "{errs:?}");
        // A text without its zh-TW is untranslated (lint), not an error.
        let text = FIX_TARGET.replace("text_zh_tw = \"gateway.bind 決定介面\"\n", "");
        let rule = compile("t", "t.toml", Origin::User("t".into()), &text).unwrap();
        let gaps: Vec<String> = rule.untranslated.iter().map(|e| e.to_string()).collect();
        assert!(
            gaps.len() == 1 && gaps[0].contains("`[fix.target.openclaw] text` has no zh-TW"),
            "{gaps:?}"
        );
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
