//! The CLI's string catalogue: `locales/en.ftl` and `locales/zh-TW.ftl`
//! (Fluent), zh-CN derived from zh-TW at start-up ([`clawdoc::i18n::to_zh_cn`]).
//!
//! Why Fluent through `fluent-bundle` (not `fluent-templates`, not
//! `rust-i18n`): the catalogue is two small files embedded with
//! `include_str!`, so the loader machinery of `fluent-templates` buys
//! nothing, and `rust-i18n`'s proc macros and YAML format would be a second
//! syntax next to the rule TOML for translators. Fluent keeps each message a
//! readable sentence with named arguments (word order differs between
//! English and Chinese), and `fluent-bundle` is the reference
//! implementation, maintained by Mozilla's Project Fluent.
//!
//! A new string: add `id = English` to `en.ftl` and `id = 正體中文` to
//! `zh-TW.ftl`, call [`msg`]/[`t`] with the id. Tests fail when an id is in
//! one file and not the other, or when the code names an id that neither has.
//!
//! The library speaks the same catalogue without choosing a language: a
//! probe summary, a fix outcome or a verdict reason is a
//! [`clawdoc::i18n::Message`] (`msg!(ID, name = value)`), whose English
//! rendering is what JSON carries; [`render`] shows it in the reader's
//! language. A test fails when a `msg!` id is missing from either file or
//! the two take different arguments. clap's abouts, headings and common
//! usage errors come from here too (`about-<command path>`, `help-*`,
//! `clap-*`; see `help.rs`).

use std::sync::OnceLock;

use clawdoc::i18n::{fluent_bundle as bundle, format_in, Lang, Message, StoredMessage, ZH_TW_FTL};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

struct Catalogue {
    /// This language's catalogue; `None` in English, which shares the
    /// library's (parsed once per process).
    own: Option<FluentBundle<FluentResource>>,
}

impl Catalogue {
    fn bundle(&self) -> &FluentBundle<FluentResource> {
        self.own
            .as_ref()
            .unwrap_or_else(|| clawdoc::i18n::english_bundle())
    }
    /// The fallback for an id without a translation.
    fn english(&self) -> &FluentBundle<FluentResource> {
        clawdoc::i18n::english_bundle()
    }
}

static LANG: OnceLock<Lang> = OnceLock::new();
static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();

/// Sets the language for this process (once, in `main`). The catalogue is
/// parsed when the first message is needed: a command that prints nothing
/// before its work (`config set`) does that work as fast as without one.
pub(crate) fn init(lang: Lang) {
    let _ = LANG.set(lang);
}

fn catalogue() -> &'static Catalogue {
    CATALOGUE.get_or_init(|| build(LANG.get().copied().unwrap_or_default()))
}

fn build(lang: Lang) -> Catalogue {
    let own = match lang {
        Lang::En => None,
        Lang::ZhTw => Some(bundle(lang.tag(), ZH_TW_FTL.to_string())),
        Lang::ZhCn => Some(bundle(lang.tag(), clawdoc::i18n::to_zh_cn(ZH_TW_FTL))),
    };
    Catalogue { own }
}

/// Whether this process speaks English (texts from the library are shown
/// as they are).
pub(crate) fn is_english() -> bool {
    LANG.get().is_none_or(|l| *l == Lang::En)
}

/// The message `id` with named arguments, in this process's language
/// (English when the id has no translation; the id itself if unknown).
pub(crate) fn msg(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let cat = catalogue();
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    let format = |b: &FluentBundle<FluentResource>| {
        let pattern = b.get_message(id).and_then(|m| m.value())?;
        let mut errors = Vec::new();
        Some(
            b.format_pattern(pattern, Some(&fargs), &mut errors)
                .into_owned(),
        )
    };
    format(cat.bundle())
        .or_else(|| format(cat.english()))
        .unwrap_or_else(|| id.to_string())
}

/// A message from the library (a probe's summary, a fix's outcome), in this
/// process's language.
pub(crate) fn render(m: &Message) -> String {
    m.render_with(&lookup)
}

/// One catalogue id with rendered arguments, in this process's language
/// (English when it has no translation; the id itself if unknown).
fn lookup(id: &str, args: &[(&str, String)]) -> String {
    let cat = catalogue();
    format_in(cat.bundle(), id, args)
        .or_else(|| format_in(cat.english(), id, args))
        .unwrap_or_else(|| id.to_string())
}

/// A message kept on disk (the undo journal), in this process's language;
/// `english` when the catalogue no longer has its id.
pub(crate) fn render_stored(m: &StoredMessage, english: &str) -> String {
    let cat = catalogue();
    if m.ids()
        .iter()
        .any(|id| cat.english().get_message(id).is_none())
    {
        return english.to_string();
    }
    m.render_with(&lookup)
}

/// Messages joined with `; ` (the catalogue's `joined`), in this process's
/// language.
pub(crate) fn render_joined(parts: &[Message]) -> String {
    Message::joined(parts.to_vec())
        .map(|m| render(&m))
        .unwrap_or_default()
}

/// The message `id` in this process's language, only when the catalogue
/// has it (no English fallback, no id).
pub(crate) fn translated(id: &str) -> Option<String> {
    let cat = catalogue();
    format_in(cat.bundle(), id, &[])
}

/// A message without arguments.
pub(crate) fn t(id: &str) -> String {
    msg(id, &[])
}

/// A string argument (numbers are passed as text too, so no locale
/// formatting ever changes a port or a line number).
pub(crate) fn s(v: impl std::fmt::Display) -> FluentValue<'static> {
    FluentValue::from(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawdoc::i18n::EN_FTL;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        if let Err((_, e)) = FluentResource::try_new(source.to_string()) {
            panic!("the catalogue does not parse: {e:?}");
        }
        let re = regex::Regex::new(r"(?m)^([a-z][a-z0-9-]*) =").unwrap();
        re.captures_iter(source).map(|c| c[1].to_string()).collect()
    }

    #[test]
    fn every_english_id_has_its_zh_tw_and_back() {
        let en = ids(EN_FTL);
        let tw = ids(ZH_TW_FTL);
        let missing: Vec<_> = en.difference(&tw).collect();
        let extra: Vec<_> = tw.difference(&en).collect();
        assert!(missing.is_empty(), "no zh-TW for {missing:?}");
        assert!(extra.is_empty(), "zh-TW only: {extra:?}");
        assert!(en.len() > 50, "{}", en.len());
    }

    #[test]
    fn every_id_the_code_names_exists() {
        let en = ids(EN_FTL);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
        let re = regex::Regex::new(r#"\b(?:msg|t)\(\s*"([a-z0-9-]+)""#).unwrap();
        let mut named = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for cap in re.captures_iter(&text) {
                named += 1;
                assert!(
                    en.contains(&cap[1]),
                    "{}: unknown id `{}`",
                    path.display(),
                    &cap[1]
                );
            }
        }
        assert!(named > 50, "{named}");
    }

    /// Every message the library says (`msg!(ID, …)`: probe summaries,
    /// fix outcomes) has its text in both catalogues, with the same
    /// arguments, so no summary is shown in English to a zh-TW reader.
    #[test]
    fn every_library_message_is_in_both_catalogues() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let en = ids(EN_FTL);
        let tw = ids(ZH_TW_FTL);
        let vars = |source: &str, id: &str| -> BTreeSet<String> {
            let line = source
                .lines()
                .find(|l| l.starts_with(&format!("{id} =")))
                .unwrap_or_default();
            let re = regex::Regex::new(r"\{ *\$([a-z_]+) *\}").unwrap();
            re.captures_iter(line).map(|c| c[1].to_string()).collect()
        };
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let re = regex::Regex::new(r#"msg!\(\s*"([a-z0-9_-]+)""#).unwrap();
        let mut named = BTreeSet::new();
        for path in files.iter().filter(|p| !p.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(path).unwrap();
            for cap in re.captures_iter(&text) {
                let id = cap[1].to_string();
                assert!(en.contains(&id), "{}: `{id}` not in en.ftl", path.display());
                assert!(
                    tw.contains(&id),
                    "{}: `{id}` not in zh-TW.ftl",
                    path.display()
                );
                assert_eq!(
                    vars(EN_FTL, &id),
                    vars(ZH_TW_FTL, &id),
                    "arguments of `{id}`"
                );
                named.insert(id);
            }
        }
        assert!(named.len() > 150, "{}", named.len());
        for a in clawdoc::vocab::FixAction::ALL {
            assert_eq!(
                clawdoc::fix::action_id(*a),
                format!("action-{}", a.as_str())
            );
        }
    }

    /// Ids built at run time: one area per probe, one description per fix
    /// action (whose English is the library's `fix::describe`).
    #[test]
    fn every_probe_area_and_fix_action_has_its_message() {
        let en = ids(EN_FTL);
        for p in clawdoc::vocab::ProbeName::ALL {
            assert!(en.contains(&format!("area-{}", p.as_str())), "{p:?}");
        }
        let english = build(Lang::En);
        let mut errs = Vec::new();
        for a in clawdoc::vocab::FixAction::ALL {
            let id = format!("action-{}", a.as_str());
            let m = english.bundle().get_message(&id).and_then(|m| m.value());
            let m = m.unwrap_or_else(|| panic!("no {id}"));
            let text = english.bundle().format_pattern(m, None, &mut errs);
            assert!(!text.trim().is_empty() && text != id, "{id}: {text}");
            assert_eq!(text, clawdoc::fix::describe(*a), "{id}");
        }
    }

    #[test]
    fn arguments_and_languages() {
        let tw = build(Lang::ZhTw);
        let mut args = FluentArgs::new();
        args.set("line", "3");
        args.set("text", "EADDRINUSE");
        let p = tw
            .bundle()
            .get_message("lookup-line")
            .unwrap()
            .value()
            .unwrap();
        let mut errs = Vec::new();
        assert_eq!(
            tw.bundle().format_pattern(p, Some(&args), &mut errs),
            "第 3 行:EADDRINUSE"
        );
        let cn = build(Lang::ZhCn);
        let p = cn
            .bundle()
            .get_message("area-config")
            .unwrap()
            .value()
            .unwrap();
        assert_eq!(cn.bundle().format_pattern(p, None, &mut errs), "配置文件");
        assert!(errs.is_empty(), "{errs:?}");
    }
}
