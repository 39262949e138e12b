//! A rule pattern and the regex it becomes: case folding on the parsed
//! pattern, non-ASCII literals as UTF-8 bytes, and the one regex builder the
//! engine and validation share.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use regex_automata::{meta, util::syntax, MatchKind};

#[cfg(test)]
use super::fold::fold_case;
pub(crate) use super::fold::utf8_bytes;

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
    /// The same regex for one line of a short input (see [`Self::line_regex`]).
    line_regex: OnceLock<Option<meta::Regex>>,
}

impl Clone for Pattern {
    fn clone(&self) -> Self {
        Self {
            source: self.source.clone(),
            folded: self.folded.clone(),
            regex: self.regex.clone(),
            line_regex: self.line_regex.clone(),
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/builtin-rule-patterns.rs"));

/// The folded patterns build.rs derived for built-in rule `id`, in the
/// file's order (`None` for any other id).
pub(crate) fn builtin_folded(id: &str) -> Option<&'static [&'static str]> {
    let i = (BUILTIN_RULE_PATTERNS.binary_search_by(|(r, _)| (*r).cmp(id))).ok()?;
    Some(BUILTIN_RULE_PATTERNS[i].1)
}

impl Pattern {
    pub(crate) fn new(source: &str) -> Self {
        Self::with_folded(source, super::fold::folded(source))
    }
    /// A pattern whose folded text is known (a built-in's, from the build).
    pub(crate) fn with_folded(source: &str, folded: String) -> Self {
        Self {
            source: source.to_string(),
            folded,
            regex: OnceLock::new(),
            line_regex: OnceLock::new(),
        }
    }
    /// Keeps the regex validation compiled, so the first match need not.
    pub(super) fn set_regex(&self, regex: Regex) {
        let _ = self.regex.set(Some(regex));
    }
    /// The compiled regex (matches lowercased text); `None` only if the
    /// pattern does not compile, which validation reports at load.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| build_regex(&self.folded).ok())
            .as_ref()
    }
}

impl Pattern {
    /// The regex of [`Self::regex`] exactly (same syntax, leftmost-first,
    /// same limits), built without regex's own literal prefilter or lazy
    /// DFA (the PikeVM alone): for
    /// single short lines, which the engine's literal prefilter has already
    /// chosen, building that prefilter costs more than the search it would
    /// speed up (about half of compiling a pattern).
    pub(crate) fn line_regex(&self) -> Option<&meta::Regex> {
        self.line_regex
            .get_or_init(|| build_line_regex(&self.folded))
            .as_ref()
    }
}

fn build_line_regex(folded: &str) -> Option<meta::Regex> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(10 * (1 << 20)))
                .hybrid_cache_capacity(2 * (1 << 20))
                .match_kind(MatchKind::LeftmostFirst)
                .utf8_empty(false)
                .auto_prefilter(false)
                // Nor a lazy DFA: its reverse NFA and cache cost more to
                // build for one short line than the PikeVM spends on it.
                .hybrid(false),
        )
        .syntax(
            syntax::Config::new()
                .unicode(false)
                .utf8(false)
                .multi_line(true)
                .crlf(true),
        )
        .build(folded)
        .ok()
}

/// Builds a folded pattern exactly as the engine uses it.
pub(crate) fn build_regex(folded: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(folded)
        .unicode(false)
        .multi_line(true)
        .crlf(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
