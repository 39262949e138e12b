//! Rules as data: the serde mirror of a rule file ([`schema`]), where rules
//! come from ([`source`]: embedded `rules/*.toml` and user directories), the
//! checks that turn a file into a rule ([`compile`]), the compiled rule
//! ([`model`]) and its patterns ([`pattern`]).
//!
//! Loading never stops at a broken file: each error is kept with its
//! file:line:col and a hint, and every other rule still loads. Later sources
//! override earlier ones by id: built-ins, then `$XDG_CONFIG_HOME/clawdoc/rules`,
//! then `--rules-dir` / `CLAWDOC_RULES_DIR`. Two files with one id inside
//! the same source are an error (the second is reported).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub mod compile;
pub(crate) mod fold;
pub mod model;
pub mod pattern;
pub mod rank;
pub(crate) mod schema;
pub(crate) mod source;

pub use model::{Condition, ConditionBlock, Context, Example, Fix, Op, Role, Rule};

/// Where a rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    User(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("builtin"),
            Origin::User(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A problem with one rule file. `pos` is 1-based (line, column) when the
/// problem has a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RuleError {
    pub path: String,
    pub pos: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.path, self.message)?,
            None => write!(f, "{}: {}", self.path, self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The loaded rules (sorted by id) and every error met on the way.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub errors: Vec<RuleError>,
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
    /// The rules with their texts in `lang` (see [`Rule::localized`]).
    pub fn localized(self, lang: crate::i18n::Lang) -> RuleSet {
        if lang == crate::i18n::Lang::En {
            return self;
        }
        RuleSet {
            rules: self.rules.iter().map(|r| r.localized(lang)).collect(),
            errors: self.errors,
        }
    }
    /// The rules with their fixes' texts for `target` (see
    /// [`Fix::on_target`]; no I/O). The commands the target itself maps an
    /// action to are [`Rule::on`]'s, for a rule about to be shown.
    pub fn on_target(self, target: crate::target::TargetKind) -> RuleSet {
        let rules = (self.rules.into_iter())
            .map(|mut r| {
                r.fixes = r.fixes.iter().map(|f| f.on_target(target)).collect();
                r
            })
            .collect();
        RuleSet {
            rules,
            errors: self.errors,
        }
    }
    /// These rules, and those of `more` whose id is not among them (sorted
    /// by id; both sets' errors).
    pub fn or(mut self, more: RuleSet) -> RuleSet {
        let have: std::collections::BTreeSet<String> =
            self.rules.iter().map(|r| r.id.clone()).collect();
        (self.rules).extend(more.rules.into_iter().filter(|r| !have.contains(&r.id)));
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        self.errors.extend(more.errors);
        self
    }
    /// The built-in rules only.
    pub fn builtin() -> RuleSet {
        load(&[])
    }
}

/// Each built-in rule's outline (build.rs, `rule_meta`), by id.
const BUILTIN_OUTLINES: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin-rule-outlines.txt"));

/// The built-in rules `keep` accepts as outlines, without parsing their
/// files: id, titles, category, role, severity, section, priority and (as
/// one required `[[context]]` block without patterns) whether a context
/// line is required, from the build's table; no patterns, fixes or
/// examples. Enough for what a lookup that matched nothing shows of a rule
/// (its guesses and closest rules score the build's tokenised and masked
/// examples, by id); a test checks each outline against the parsed rule.
pub fn builtin_outlines(keep: &dyn Fn(&str) -> bool) -> RuleSet {
    use crate::vocab::{Category, Severity};
    let given = |f: &'static str| (!f.is_empty()).then_some(f);
    let rules = (BUILTIN_OUTLINES.split('\u{1e}'))
        .map(|r| r.split('\u{1f}').collect::<Vec<&'static str>>())
        .filter(|f| f.len() == 9 && keep(f[0]))
        .filter_map(|f| {
            let [id, title, title_zh_tw, category, role, severity, section, priority, context] =
                f[..]
            else {
                return None;
            };
            let title_zh_tw = given(title_zh_tw);
            let role = given(role);
            let priority: i64 = priority.parse().ok()?;
            let context = context == "required";
            let category: Category = category.parse().ok()?;
            let role = match role {
                None => Role::default_for(category),
                Some(r) => r.parse().ok()?,
            };
            let context = (context.then(|| Context {
                patterns: Vec::new(),
                within: 0,
                required: true,
            }))
            .into_iter()
            .collect();
            Some(Rule {
                id: id.to_owned(),
                title: title.to_owned(),
                category,
                severity: severity.parse::<Severity>().ok()?,
                role,
                priority: i32::try_from(priority).ok()?,
                section,
                meaning: String::new(),
                causes: Vec::new(),
                patterns: Vec::new(),
                context,
                probes: Vec::new(),
                standalone: false,
                confirm: Vec::new(),
                refute: Vec::new(),
                fixes: Vec::new(),
                examples: Vec::new(),
                origin: Origin::Builtin,
                zh_tw: model::RuleZhTw {
                    title: title_zh_tw.map(str::to_owned),
                    meaning: None,
                    causes: None,
                },
                lang: crate::i18n::Lang::En,
                untranslated: Vec::new(),
            })
        })
        .collect();
    RuleSet {
        rules,
        errors: Vec::new(),
    }
}

/// The user rule directories in override order: `$XDG_CONFIG_HOME/clawdoc/rules`
/// (or `$HOME/.config/clawdoc/rules`), then the explicit one
/// (`--rules-dir` / `CLAWDOC_RULES_DIR`). The boolean says whether the
/// directory must exist (it was named explicitly).
pub fn user_dirs(explicit: Option<&Path>) -> Vec<(PathBuf, bool)> {
    let mut dirs = Vec::new();
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        });
    if let Some(base) = xdg {
        dirs.push((base.join("clawdoc").join("rules"), false));
    }
    if let Some(dir) = explicit {
        dirs.push((dir.to_path_buf(), true));
    }
    dirs
}

/// Loads built-ins then each user directory (later ones override by id).
/// User directories named here must exist.
pub(crate) fn load(user_dirs: &[PathBuf]) -> RuleSet {
    let dirs: Vec<(PathBuf, bool)> = user_dirs.iter().map(|d| (d.clone(), true)).collect();
    load_from(&dirs)
}

/// Like [`load`], with a per-directory "must exist" flag (see [`user_dirs`]).
pub fn load_from(user_dirs: &[(PathBuf, bool)]) -> RuleSet {
    load_from_only(user_dirs, &|_| true)
}

/// [`load_from`] with only the built-in rules whose id `keep` accepts (every
/// user rule still loads): a lookup parses only the built-ins that can
/// match its input (`engine::builtin_rules_for`).
pub fn load_from_only(user_dirs: &[(PathBuf, bool)], keep: &dyn Fn(&str) -> bool) -> RuleSet {
    let mut by_id: BTreeMap<String, Rule> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut layers = vec![source::builtin_only(keep)];
    for (dir, required) in user_dirs {
        let (files, errs) = source::user_dir(dir, *required);
        errors.extend(errs);
        layers.push(files);
    }
    for files in layers {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for file in files {
            if let Some(first) = seen.get(&file.id) {
                errors.push(RuleError {
                    path: file.display_path.clone(),
                    pos: Some((1, 1)),
                    message: format!("duplicate rule id `{}`: already defined in {first}", file.id),
                    hint: Some("rule ids are file stems and must be unique in a directory tree; rename one".into()),
                });
                continue;
            }
            seen.insert(file.id.clone(), file.display_path.clone());
            // Built-ins are validated in full by the test suite; at run time
            // their regexes compile on first use (fast start-up).
            let validate = file.origin != Origin::Builtin;
            match compile::compile_with(
                &file.id,
                &file.display_path,
                file.origin,
                &file.text,
                validate,
            ) {
                Ok(rule) => {
                    by_id.insert(rule.id.clone(), rule);
                }
                Err(errs) => errors.extend(errs),
            }
        }
    }
    RuleSet {
        rules: by_id.into_values().collect(),
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_compiles() {
        for file in source::builtin() {
            if let Err(errors) =
                compile::compile(&file.id, &file.display_path, Origin::Builtin, &file.text)
            {
                panic!(
                    "{}",
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
        let set = RuleSet::builtin();
        assert!(
            set.errors.is_empty(),
            "{}",
            set.errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(set.rules.len(), source::builtin().len());
        assert!(set.rules.iter().all(|r| r.origin == Origin::Builtin));
    }

    #[test]
    fn embedded_list_equals_rules_dir() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                (name.ends_with(".toml") && !source::RESERVED.contains(&name.as_str()))
                    .then(|| name.trim_end_matches(".toml").to_string())
            })
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = source::builtin().into_iter().map(|f| f.id).collect();
        assert_eq!(embedded, on_disk);
        for file in source::builtin() {
            let disk = std::fs::read_to_string(dir.join(format!("{}.toml", file.id))).unwrap();
            assert_eq!(disk, file.text, "{} is stale in the binary", file.id);
        }
    }

    #[test]
    fn every_builtin_text_has_its_zh_tw() {
        let set = RuleSet::builtin();
        let gaps: Vec<String> = set
            .rules
            .iter()
            .flat_map(|r| r.untranslated.iter().map(|e| e.to_string()))
            .collect();
        assert!(gaps.is_empty(), "{}", gaps.join("\n"));
        // And the translations are used: no zh-TW text equals its English.
        for r in &set.rules {
            let tw = r.localized(crate::i18n::Lang::ZhTw);
            assert_ne!(tw.title, r.title, "{}", r.id);
            assert_ne!(tw.meaning, r.meaning, "{}", r.id);
        }
    }

    #[test]
    fn every_category_has_a_rule() {
        let set = RuleSet::builtin();
        for c in crate::vocab::Category::ALL {
            assert!(
                set.rules.iter().any(|r| r.category == *c),
                "no rule for {c}"
            );
        }
    }
}
