//! Text → rule matches with captures and line numbers. No I/O beyond the
//! reader a caller hands to [`Scanner::scan`]; knows nothing of probes.
//!
//! * [`Engine::lookup`]: a pasted message or excerpt. Each line is
//!   normalised ([`crate::normalize`]) and ASCII-lowercased (patterns are
//!   case-folded at load), one `RegexSet` pass (a multi-pattern regex with
//!   all-matches semantics) finds which patterns hit, then only those
//!   patterns run again for captures, taken from the line with its case
//!   intact. Results are ranked (see [`rank`]).
//! * [`Scanner::scan`]: a whole log with bounded memory. One combined regex
//!   (every pattern, capture names removed) runs over ~1 MiB blocks of whole
//!   lines; each hit is mapped back to its line, which the `RegexSet` then
//!   attributes to rules. Lines holding non-ASCII bytes, ESC or backslashes
//!   (full-width text, colour codes, JSON escapes) are normalised first.
//!   A line longer than [`MAX_LINE`] is matched in overlapping windows and
//!   still counts once.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read};

use regex::bytes::{Regex, RegexBuilder};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::{meta, Input, MatchKind, PatternSet};
use serde::Serialize;

use crate::normalize;
use crate::ruleset::{Role, Rule};

/// Lines are read in blocks of about this size.
pub const BLOCK: usize = 1 << 20;
/// A line longer than this is matched in windows of this size.
pub const MAX_LINE: usize = 8 << 20;
/// Bytes each window shares with the previous one, so a match that
/// straddles a window edge is still found (patterns are far shorter).
pub const OVERLAP: usize = 4096;
/// Longest line text kept in a match or a scan sample.
pub const SAMPLE_CHARS: usize = 240;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the rule patterns do not compile together: {0}")]
    Compile(#[from] regex::Error),
    #[error("the rule patterns do not compile together: {0}")]
    Set(#[from] Box<meta::BuildError>),
}

/// The rules, compiled for matching.
pub struct Engine<'r> {
    rules: &'r [Rule],
    /// All patterns, all-matches semantics: the `RegexSet`. Built without a
    /// literal prefilter: that halves its construction, which dominates a
    /// one-line lookup, and the inputs it sees are single lines.
    set: meta::Regex,
    /// For each pattern of `set`: (rule index, pattern index in the rule).
    owners: Vec<(usize, usize)>,
}

/// One rule that matched the input.
#[derive(Debug, Clone, Serialize)]
pub struct Match<'r> {
    #[serde(skip)]
    pub rule: &'r Rule,
    /// 1-based line of the first hit.
    pub line: usize,
    /// That line, normalised and trimmed.
    pub text: String,
    /// Named captures, first seen wins.
    pub captures: BTreeMap<String, String>,
    /// How many lines this rule hit.
    pub hits: usize,
    /// Length of the longest text any of its patterns matched: the more of
    /// the message a rule explains, the more specific it is.
    pub specificity: usize,
}

impl<'r> Engine<'r> {
    pub fn new(rules: &'r [Rule]) -> Result<Self, EngineError> {
        let mut sources = Vec::new();
        let mut owners = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for (pi, p) in rule.patterns.iter().enumerate() {
                sources.push(p.folded.as_str());
                owners.push((ri, pi));
            }
        }
        let set = match build_set(&sources) {
            Ok(set) => set,
            Err(first) => {
                // A pattern that does not compile (only possible for a rule
                // loaded without validation) must not take the others down.
                let keep: Vec<usize> = (0..sources.len())
                    .filter(|&i| crate::ruleset::compile::build_regex(sources[i]).is_ok())
                    .collect();
                if keep.len() == sources.len() {
                    return Err(first.into());
                }
                owners = keep.iter().map(|&i| owners[i]).collect();
                let kept: Vec<&str> = keep.iter().map(|&i| sources[i]).collect();
                build_set(&kept)?
            }
        };
        Ok(Self { rules, set, owners })
    }

    pub fn rules(&self) -> &'r [Rule] {
        self.rules
    }

    /// Every rule hit by one (already normalised) line, with the captures and
    /// the longest match length. Pattern order decides capture precedence.
    pub fn match_line(&self, line: &str) -> Vec<LineHit> {
        let original = line.as_bytes();
        let lower = original.to_ascii_lowercase();
        let mut set = PatternSet::new(self.set.pattern_len());
        self.set
            .which_overlapping_matches(&Input::new(&lower), &mut set);
        let mut hits: Vec<LineHit> = Vec::new();
        for pattern_id in set.iter() {
            let (ri, pi) = self.owners[pattern_id.as_usize()];
            let Some(regex) = self.rules[ri].patterns[pi].regex() else {
                continue;
            };
            let Some(caps) = regex.captures(&lower) else {
                continue;
            };
            let len = caps.get(0).map_or(0, |m| m.len());
            let hit = match hits.iter_mut().find(|h| h.rule == ri) {
                Some(h) => h,
                None => {
                    hits.push(LineHit {
                        rule: ri,
                        captures: BTreeMap::new(),
                        specificity: 0,
                    });
                    hits.last_mut().expect("just pushed")
                }
            };
            hit.specificity = hit.specificity.max(len);
            for name in regex.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    // Same offsets in the original: ASCII folding keeps lengths.
                    hit.captures.entry(name.to_string()).or_insert_with(|| {
                        String::from_utf8_lossy(&original[m.range()]).into_owned()
                    });
                }
            }
        }
        hits
    }

    /// Explains a pasted message or excerpt: every rule that matched, best
    /// first (see [`rank`]).
    pub fn lookup(&self, input: &[u8]) -> Vec<Match<'r>> {
        let mut by_rule: BTreeMap<usize, Match<'r>> = BTreeMap::new();
        for (index, raw) in normalize::split_lines(input).enumerate() {
            let line = normalize::line(raw);
            if line.trim().is_empty() {
                continue;
            }
            for hit in self.match_line(&line) {
                let m = by_rule.entry(hit.rule).or_insert_with(|| Match {
                    rule: &self.rules[hit.rule],
                    line: index + 1,
                    text: clip(line.trim(), SAMPLE_CHARS),
                    captures: BTreeMap::new(),
                    hits: 0,
                    specificity: 0,
                });
                m.hits += 1;
                m.specificity = m.specificity.max(hit.specificity);
                for (k, v) in hit.captures {
                    m.captures.entry(k).or_insert(v);
                }
            }
        }
        let mut matches: Vec<Match<'r>> = by_rule.into_values().collect();
        rank(&mut matches);
        matches
    }

    /// The rules whose examples look most like `text` (for "nothing
    /// matched"): similarity of the masked templates, best first.
    pub fn closest(&self, text: &str, n: usize) -> Vec<(&'r Rule, f64)> {
        let probe = normalize::mask(&clip(text.trim(), 300));
        let mut scored: Vec<(&'r Rule, f64)> = self
            .rules
            .iter()
            .map(|rule| {
                let best = rule
                    .examples
                    .iter()
                    .filter(|e| e.matches)
                    .map(|e| strsim::normalized_levenshtein(&probe, &normalize::mask(&e.text)))
                    .chain(std::iter::once(strsim::normalized_levenshtein(
                        &probe,
                        &rule.title,
                    )))
                    .fold(0.0, f64::max);
                (rule, best)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
        scored.truncate(n);
        scored
    }

    /// A scanner for whole logs (builds the combined regex).
    pub fn scanner(&self) -> Result<Scanner<'_, 'r>, EngineError> {
        let combined = combined_pattern(self.rules);
        let combined = RegexBuilder::new(&combined)
            .case_insensitive(true)
            .unicode(false)
            .multi_line(true)
            .crlf(true)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()?;
        let special = RegexBuilder::new(r"(?-u)[\x80-\xFF\x1B\\]")
            .unicode(false)
            .build()?;
        Ok(Scanner {
            engine: self,
            combined,
            special,
        })
    }
}

/// One rule's hit on one line.
#[derive(Debug, Clone)]
pub struct LineHit {
    pub rule: usize,
    pub captures: BTreeMap<String, String>,
    pub specificity: usize,
}

/// Orders matches best first. The ranking, in order of precedence:
///
/// 1. **Root cause before symptom** ([`Role`]): when an excerpt shows both
///    `did not become ready` and `EADDRINUSE`, the port conflict is the
///    thing to fix; "not connected / not ready / restart timed out" are what
///    a root cause looks like from outside.
/// 2. **Rule priority** (the rule file's `priority`, default 0): an explicit
///    statement that one rule refines another that matches the same words
///    (a deprecated key is a special case of an unknown key).
/// 3. **Specificity**: the longest text a pattern matched. A rule that
///    explains more of the message wins: `disconnected (4008): connect
///    failed — device token mismatch` matches the token-mismatch pattern
///    across the whole line, the generic 4008 pattern only its start.
/// 4. **Earliest line**, then **rule id**: deterministic ties.
pub fn rank(matches: &mut [Match<'_>]) {
    matches.sort_by(|a, b| {
        let role = |m: &Match<'_>| m.rule.role == Role::RootCause;
        role(b)
            .cmp(&role(a))
            .then(b.rule.priority.cmp(&a.rule.priority))
            .then(b.specificity.cmp(&a.specificity))
            .then(a.line.cmp(&b.line))
            .then(a.rule.id.cmp(&b.rule.id))
    });
}

/// Truncates to `max` characters (on a char boundary), marking the cut.
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Every (case-folded) pattern as one alternation, with named groups made
/// non-capturing (the same name in two patterns would not compile together).
pub fn combined_pattern(rules: &[Rule]) -> String {
    let mut parts = Vec::new();
    for rule in rules {
        for p in &rule.patterns {
            if p.regex().is_some() {
                parts.push(format!("(?:{})", strip_capture_names(&p.folded)));
            }
        }
    }
    parts.join("|")
}

fn build_set(folded: &[&str]) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::All)
                .which_captures(WhichCaptures::None)
                .auto_prefilter(false)
                // Lines are short; a small lazy-DFA cache saves page faults
                // that showed in a one-line lookup's system time.
                .hybrid_cache_capacity(256 << 10),
        )
        .syntax(
            syntax::Config::new()
                .unicode(false)
                .utf8(false)
                .multi_line(true)
                .crlf(true),
        )
        .build_many(folded)
        .map_err(Box::new)
}

/// `(?P<port>\d+)` → `(?:\d+)`, using the regex parser for exact spans.
pub fn strip_capture_names(pattern: &str) -> String {
    use regex_syntax::ast::{parse::Parser, Ast, GroupKind};
    fn collect(ast: &Ast, out: &mut Vec<(usize, usize)>) {
        match ast {
            Ast::Group(g) => {
                if let GroupKind::CaptureName { name, .. } = &g.kind {
                    out.push((g.span.start.offset, name.span.end.offset + 1));
                }
                collect(&g.ast, out);
            }
            Ast::Repetition(r) => collect(&r.ast, out),
            Ast::Alternation(a) => a.asts.iter().for_each(|x| collect(x, out)),
            Ast::Concat(c) => c.asts.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    let Ok(ast) = Parser::new().parse(pattern) else {
        return pattern.to_string();
    };
    let mut spans = Vec::new();
    collect(&ast, &mut spans);
    spans.sort();
    let mut out = String::with_capacity(pattern.len());
    let mut at = 0;
    for (start, end) in spans {
        out.push_str(&pattern[at..start]);
        out.push_str("(?:");
        at = end;
    }
    out.push_str(&pattern[at..]);
    out
}

/// Per-rule totals of a scan.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount<'r> {
    #[serde(skip)]
    pub rule: &'r Rule,
    pub count: u64,
    pub first_line: u64,
    pub last_line: u64,
    pub sample: String,
}

/// What [`Scanner::scan`] found in one input.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary<'r> {
    pub lines: u64,
    /// Lines that match at least one rule.
    pub matched_lines: u64,
    /// Rules that matched, by count (highest first), then id.
    pub rules: Vec<RuleCount<'r>>,
}

/// A log scanner: the combined regex plus the engine's `RegexSet`.
pub struct Scanner<'e, 'r> {
    engine: &'e Engine<'r>,
    combined: Regex,
    special: Regex,
}

struct ScanState {
    lines: u64,
    matched_lines: u64,
    counts: Vec<Option<(u64, u64, u64, String)>>, // count, first, last, sample
    last_seen: Vec<u64>,
    set_buf: PatternSet,
    /// The line being attributed, lowercased.
    lower: Vec<u8>,
    /// Reused buffer for lines with colour codes.
    scratch: Vec<u8>,
    /// Rules hit so far by an overlong line still being read.
    long_line: Option<Vec<(usize, String)>>,
}

impl ScanState {
    fn record(&mut self, line_no: u64, hits: &[(usize, String)]) {
        if hits.is_empty() {
            return;
        }
        self.matched_lines += 1;
        for (rule, sample) in hits {
            if self.last_seen[*rule] == line_no {
                continue;
            }
            self.last_seen[*rule] = line_no;
            match &mut self.counts[*rule] {
                Some((count, _, last, _)) => {
                    *count += 1;
                    *last = line_no;
                }
                slot @ None => *slot = Some((1, line_no, line_no, sample.clone())),
            }
        }
    }
}

impl<'e, 'r> Scanner<'e, 'r> {
    /// Reads `reader` to the end in blocks; memory stays under
    /// [`BLOCK`] + [`MAX_LINE`] whatever the input.
    pub fn scan<R: Read>(&self, mut reader: R) -> io::Result<ScanSummary<'r>> {
        let rules = self.engine.rules;
        let mut st = ScanState {
            lines: 0,
            matched_lines: 0,
            counts: vec![None; rules.len()],
            last_seen: vec![0; rules.len()],
            set_buf: PatternSet::new(self.engine.set.pattern_len()),
            lower: Vec::new(),
            scratch: Vec::new(),
            long_line: None,
        };
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + OVERLAP);
        let mut target = BLOCK;
        let mut eof = false;
        loop {
            while buf.len() < target && !eof {
                let start = buf.len();
                buf.resize(target, 0);
                let n = loop {
                    match reader.read(&mut buf[start..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                buf.truncate(start + n);
                eof = n == 0;
            }
            if buf.is_empty() {
                break;
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(last) => {
                    let mut block = &buf[..=last];
                    if st.long_line.is_some() {
                        // The first line of this block ends the overlong line.
                        let end = memchr::memchr(b'\n', block).unwrap_or(last);
                        self.window(&block[..end], &mut st);
                        self.finish_long_line(&mut st);
                        block = &block[end + 1..];
                    }
                    self.block(block, true, &mut st);
                    buf.drain(..=last);
                    target = BLOCK;
                }
                None if eof => {
                    if st.long_line.is_some() {
                        self.window(&buf, &mut st);
                        self.finish_long_line(&mut st);
                    } else {
                        self.block(&buf, false, &mut st);
                    }
                    buf.clear();
                }
                None if buf.len() >= MAX_LINE => {
                    // An overlong line: match what we have, keep an overlap.
                    st.long_line.get_or_insert_with(Vec::new);
                    self.window(&buf, &mut st);
                    buf.drain(..buf.len() - OVERLAP);
                    target = MAX_LINE;
                }
                None => target = (buf.len() + BLOCK).min(MAX_LINE),
            }
        }
        let mut rules_out: Vec<RuleCount<'r>> = st
            .counts
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.map(|(count, first_line, last_line, sample)| RuleCount {
                    rule: &rules[i],
                    count,
                    first_line,
                    last_line,
                    sample,
                })
            })
            .collect();
        rules_out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.rule.id.cmp(&b.rule.id))
        });
        Ok(ScanSummary {
            lines: st.lines,
            matched_lines: st.matched_lines,
            rules: rules_out,
        })
    }

    /// Whole lines: `terminated` when the block ends with `\n`.
    fn block(&self, block: &[u8], terminated: bool, st: &mut ScanState) {
        if block.is_empty() {
            return;
        }
        let base = st.lines;
        let mut cursor = 0usize; // newlines before `cursor` are counted in `line_no`
        let mut line_no = base;
        let mut next_hit = self.combined.find_at(block, 0).map(|m| m.start());
        let mut next_special = self.special.find_at(block, 0).map(|m| m.start());
        while let Some(p) = min_some(next_hit, next_special) {
            let start = memchr::memrchr(b'\n', &block[..p]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &block[p..]).map_or(block.len(), |i| p + i);
            line_no += memchr::memchr_iter(b'\n', &block[cursor..start]).count() as u64;
            cursor = start;
            let special = next_special.is_some_and(|s| s < end);
            let hits = self.verify(&block[start..end], special, st);
            st.record(line_no + 1, &hits);
            let after = end + 1;
            if after >= block.len() {
                break;
            }
            if next_hit.is_some_and(|h| h < after) {
                next_hit = self.combined.find_at(block, after).map(|m| m.start());
            }
            if next_special.is_some_and(|s| s < after) {
                next_special = self.special.find_at(block, after).map(|m| m.start());
            }
        }
        st.lines = base + memchr::memchr_iter(b'\n', block).count() as u64 + u64::from(!terminated);
    }

    /// Which rules one line hits, with the sample to keep for each.
    fn verify(&self, raw: &[u8], special: bool, st: &mut ScanState) -> Vec<(usize, String)> {
        if special && !raw.iter().any(|&b| b >= 0x80 || b == b'\\') {
            // Colour codes only: strip them byte-wise and let the combined
            // regex say whether the line is worth the RegexSet.
            let mut plain = std::mem::take(&mut st.scratch);
            plain.clear();
            normalize::strip_ansi_bytes(raw.strip_suffix(b"\r").unwrap_or(raw), &mut plain);
            let hits = if self.combined.is_match(&plain) {
                self.rules_hit(&plain, st, || {
                    clip(String::from_utf8_lossy(&plain).trim(), SAMPLE_CHARS)
                })
            } else {
                Vec::new()
            };
            st.scratch = plain;
            return hits;
        }
        let text: Cow<'_, str> = if special {
            normalize::line(raw)
        } else {
            String::from_utf8_lossy(raw.strip_suffix(b"\r").unwrap_or(raw))
        };
        self.rules_hit(text.as_bytes(), st, || clip(text.trim(), SAMPLE_CHARS))
    }

    fn rules_hit(
        &self,
        text: &[u8],
        st: &mut ScanState,
        sample: impl Fn() -> String,
    ) -> Vec<(usize, String)> {
        st.set_buf.clear();
        st.lower.clear();
        st.lower.extend(text.iter().map(u8::to_ascii_lowercase));
        self.engine
            .set
            .which_overlapping_matches(&Input::new(&st.lower), &mut st.set_buf);
        if st.set_buf.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(usize, String)> = Vec::new();
        for pattern_id in st.set_buf.iter() {
            let rule = self.engine.owners[pattern_id.as_usize()].0;
            if !hits.iter().any(|(r, _)| *r == rule) {
                let sample = if st.counts[rule].is_none() {
                    sample()
                } else {
                    String::new()
                };
                hits.push((rule, sample));
            }
        }
        hits
    }

    /// One window of an overlong line: remember the rules it hits.
    fn window(&self, window: &[u8], st: &mut ScanState) {
        let Some(m) = self.combined.find(window) else {
            return;
        };
        let from = m.start().saturating_sub(60);
        let to = (m.end() + 120).min(window.len());
        let around = String::from_utf8_lossy(&window[from..to]).into_owned();
        let hits = self.rules_hit(window, st, || clip(around.trim(), SAMPLE_CHARS));
        let pending = st.long_line.get_or_insert_with(Vec::new);
        for (rule, sample) in hits {
            if !pending.iter().any(|(r, _)| *r == rule) {
                pending.push((rule, sample));
            }
        }
    }

    fn finish_long_line(&self, st: &mut ScanState) {
        let hits = st.long_line.take().unwrap_or_default();
        st.lines += 1;
        let line_no = st.lines;
        st.record(line_no, &hits);
    }
}

fn min_some(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::RuleSet;

    #[test]
    fn capture_names_are_stripped_exactly() {
        assert_eq!(
            strip_capture_names(r"port (?P<port>\d+) and (?<pid>\d+)"),
            r"port (?:\d+) and (?:\d+)"
        );
        assert_eq!(
            strip_capture_names(r"(a(?P<x>b|(?P<y>c)))"),
            r"(a(?:b|(?:c)))"
        );
        assert_eq!(strip_capture_names(r"plain"), "plain");
    }

    fn top(set: &RuleSet, text: &str) -> String {
        let engine = Engine::new(&set.rules).unwrap();
        engine
            .lookup(text.as_bytes())
            .first()
            .map(|m| m.rule.id.clone())
            .unwrap_or_default()
    }

    #[test]
    fn ranking_prefers_root_cause_and_specific_rules() {
        let set = RuleSet::builtin();
        assert_eq!(
            top(&set, "gateway did not become ready within 60s\nError: listen EADDRINUSE: address already in use :::3001"),
            "port-in-use"
        );
        let engine = Engine::new(&set.rules).unwrap();
        let m =
            engine.lookup("disconnected (4008): connect failed — device token mismatch".as_bytes());
        assert_eq!(
            m[0].rule.category,
            crate::vocab::Category::TokenMismatch,
            "{m:?}"
        );
    }

    #[test]
    fn scan_counts_lines_and_rules() {
        let set = RuleSet::builtin();
        let engine = Engine::new(&set.rules).unwrap();
        let scanner = engine.scanner().unwrap();
        let log = "ok\nError: listen EADDRINUSE: address already in use :::3001\nok\r\n\x1b[31mgateway not connected\x1b[0m\nlast EADDRINUSE";
        let s = scanner.scan(log.as_bytes()).unwrap();
        assert_eq!(s.lines, 5);
        assert_eq!(s.matched_lines, 3);
        let port = s.rules.iter().find(|r| r.rule.id == "port-in-use").unwrap();
        assert_eq!((port.count, port.first_line, port.last_line), (2, 2, 5));
    }

    #[test]
    fn scan_overlong_line_counts_once() {
        let set = RuleSet::builtin();
        let engine = Engine::new(&set.rules).unwrap();
        let scanner = engine.scanner().unwrap();
        let mut log = vec![b'x'; MAX_LINE * 2 + 17];
        let at = MAX_LINE + 5;
        log[at..at + 10].copy_from_slice(b"EADDRINUSE");
        log.extend_from_slice(b"\nEADDRINUSE\n");
        let s = scanner.scan(&log[..]).unwrap();
        assert_eq!((s.lines, s.matched_lines), (2, 2));
        assert_eq!(s.rules[0].count, 2);
    }
}
