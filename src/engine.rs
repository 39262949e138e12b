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

mod levenshtein;
mod literals;
pub mod paraphrase;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::bytes::{Regex, RegexBuilder};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::{meta, Input, MatchKind, PatternSet};
use serde::Serialize;

use crate::normalize;
use crate::ruleset::pattern::Pattern;
use crate::ruleset::{Role, Rule, RuleError};
#[cfg(test)]
use literals::plain_prefix;
use literals::{required_literals, LITERAL_BYTES};

/// Lines are read in blocks of about this size.
pub(crate) const BLOCK: usize = 1 << 20;
/// A line longer than this is matched in windows of this size.
pub(crate) const MAX_LINE: usize = 8 << 20;
/// Bytes each window shares with the previous one, so a match that
/// straddles a window edge is still found (patterns are far shorter).
pub(crate) const OVERLAP: usize = 4096;
/// Longest line text kept in a match or a scan sample.
pub(crate) const SAMPLE_CHARS: usize = 240;

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
    /// Literal prefilter: every literal some pattern's matches must start
    /// (or end) with. A line's hits name the only patterns that can match.
    literals: Vec<Vec<u8>>,
    /// For each literal of `literals`: the pattern it stands for.
    literal_owner: Vec<u32>,
    /// The literals packed into integers ([`literal_key`]) with their
    /// pattern, sorted: a short input looks each of its 3–5 byte windows up
    /// here instead of paying for an automaton.
    keyed: Vec<(u64, u32)>,
    /// Aho-corasick over `literals`, built on the first long input (`None`
    /// if it does not build: the sorted keys then serve every input).
    prefilter: OnceLock<Option<AhoCorasick>>,
    /// Patterns with no usable required literal: tried on every line.
    always: Vec<u32>,
    /// For each pattern: (rule index, pattern index in the rule).
    owners: Vec<(usize, usize)>,
}

/// Inputs up to this many bytes find their candidate patterns through the
/// sorted literal keys (and run prefilter-less regexes); longer ones build
/// the aho-corasick automaton (and use the regular regexes). Conservative:
/// at 2 KiB the window lookups cost well under a tenth of the automaton's
/// ~4 M instructions of construction; the crossover was not measured.
const SHORT_INPUT: usize = 2048;

include!(concat!(env!("OUT_DIR"), "/builtin-literals.rs"));
use crate::ruleset::pattern::BUILTIN_RULE_PATTERNS;

/// The literals build.rs derived for a built-in pattern (`Some(None)`: it
/// has none, it is tried on every line); `None` for any other pattern.
fn builtin_literals(folded: &str) -> Option<Option<&'static [&'static [u8]]>> {
    let i = BUILTIN_LITERALS
        .binary_search_by(|(p, _)| (*p).cmp(folded))
        .ok()?;
    Some(BUILTIN_LITERALS[i].1)
}

/// Every built-in rule's positive examples, masked (build.rs): `id`, unit
/// separator, text, record separator; by id.
const BUILTIN_MASKED: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin-masked-examples.txt"));

/// The build's masked examples (see [`BUILTIN_MASKED`]): (rule id, text).
fn builtin_masked() -> Vec<(&'static str, &'static str)> {
    (BUILTIN_MASKED.split('\u{1e}'))
        .filter_map(|r| r.split_once('\u{1f}'))
        .collect()
}

/// `rule`'s positive examples, masked ([`normalize::mask`]): a built-in
/// rule's as the build masked them (`built`: [`builtin_masked`]), another's
/// now.
fn masked_examples<'a>(
    rule: &'a Rule,
    built: &[(&'static str, &'static str)],
) -> Vec<std::borrow::Cow<'a, str>> {
    if rule.origin == crate::ruleset::Origin::Builtin {
        // By id: the rule's own are one run.
        let from = built.partition_point(|(id, _)| *id < rule.id.as_str());
        return (built[from..].iter())
            .take_while(|(id, _)| *id == rule.id)
            .map(|(_, text)| std::borrow::Cow::Borrowed(*text))
            .collect();
    }
    (rule.examples.iter())
        .filter(|e| e.matches)
        .map(|e| std::borrow::Cow::Owned(normalize::mask(&e.text)))
        .collect()
}

/// Which built-in rules (by id) can match anything in `input`: those with a
/// pattern that has no prefilter literal, or whose literal occurs in one of
/// its lines (normalised and lowercased, as [`Engine::lookup`] sees them).
/// A rule build.rs did not list (it could not read the file) is kept. A
/// lookup loads only these (and every user rule): the others cannot match,
/// so the result is the same as with all of them, for a fraction of the
/// TOML parsing.
pub fn builtin_rules_for(input: &[u8]) -> impl Fn(&str) -> bool {
    let mut lower: Vec<u8> = Vec::with_capacity(input.len() + 16);
    for line in normalize::split_lines(input) {
        lower.extend_from_slice(normalize::line(line).as_bytes());
        lower.push(b'\n');
    }
    lower.make_ascii_lowercase();
    let may_match = |folded: &&str| match builtin_literals(folded) {
        Some(Some(lits)) => lits
            .iter()
            .any(|l| memchr::memmem::find(&lower, l).is_some()),
        // No literal (or not derived): tried on every line.
        _ => true,
    };
    let ids: Vec<&'static str> = (BUILTIN_RULE_PATTERNS.iter())
        .filter(|(_, patterns)| !patterns.iter().any(may_match))
        .map(|(id, _)| *id)
        .collect();
    move |id: &str| ids.binary_search(&id).is_err()
}

/// A literal of at most 7 bytes as one integer: its length, then its bytes
/// (so no two literals share a key).
fn literal_key(lit: &[u8]) -> u64 {
    lit.iter()
        .fold(lit.len() as u64, |k, &b| (k << 8) | u64::from(b))
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
    /// How many of the rule's `[[context]]` blocks found their line near a
    /// hit (a cause with its trace nearby ranks above the bare symptom).
    pub context: usize,
}

impl<'r> Engine<'r> {
    /// Gathers the literal prefilter only: a pattern's regex is compiled
    /// the first time a line holds one of its literals (a one-line lookup
    /// pays for a handful of regexes, not for a set of all of them). The
    /// built-in patterns' literals were derived at build time.
    pub fn new(rules: &'r [Rule]) -> Result<Self, EngineError> {
        let mut owners = Vec::new();
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_owner = Vec::new();
        let mut always = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for (pi, p) in rule.patterns.iter().enumerate() {
                let id = owners.len() as u32;
                owners.push((ri, pi));
                let found = match builtin_literals(&p.folded) {
                    Some(known) => known.map(|lits| lits.iter().map(|l| l.to_vec()).collect()),
                    None => required_literals(&p.folded),
                };
                match found {
                    Some(lits) => {
                        literal_owner.extend(std::iter::repeat_n(id, lits.len()));
                        literals.extend(lits);
                    }
                    None => always.push(id),
                }
            }
        }
        // A required literal's start is required too: keys hold at most
        // LITERAL_BYTES, whatever a literal's length.
        let mut keyed: Vec<(u64, u32)> = (literals.iter().zip(&literal_owner))
            .map(|(l, &id)| (literal_key(&l[..l.len().min(LITERAL_BYTES)]), id))
            .collect();
        keyed.sort_unstable();
        keyed.dedup();
        Ok(Self {
            rules,
            literals,
            literal_owner,
            keyed,
            prefilter: OnceLock::new(),
            always,
            owners,
        })
    }

    /// The aho-corasick prefilter, built on first use; `None` when there
    /// are no literals or it does not build.
    fn prefilter(&self) -> Option<&AhoCorasick> {
        self.prefilter
            .get_or_init(|| {
                if self.literals.is_empty() {
                    return None;
                }
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                    .build(&self.literals)
                    .ok()
            })
            .as_ref()
    }

    /// The patterns that can match `lower` (a lowercased line), in pattern
    /// order: those with a literal in it, and those without a literal.
    /// `long`: the input is long enough to be worth the automaton.
    fn candidates(&self, lower: &[u8], long: bool) -> Vec<u32> {
        let mut ids = Vec::with_capacity(self.always.len() + 8);
        ids.extend_from_slice(&self.always);
        match long.then(|| self.prefilter()).flatten() {
            Some(ac) => {
                for m in ac.find_overlapping_iter(lower) {
                    ids.push(self.literal_owner[m.pattern().as_usize()]);
                }
            }
            None => {
                for start in 0..lower.len() {
                    for len in 3..=LITERAL_BYTES.min(lower.len() - start) {
                        let key = literal_key(&lower[start..start + len]);
                        let from = self.keyed.partition_point(|&(k, _)| k < key);
                        for &(_, id) in self.keyed[from..].iter().take_while(|(k, _)| *k == key) {
                            ids.push(id);
                        }
                    }
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Every rule hit by one (already normalised) line, with the captures and
    /// the longest match length. Pattern order decides capture precedence.
    /// Routine lines are not claimed yet ([`claim_routine`] runs once the
    /// hits' `[[context]]` is known). `long`: see [`Self::candidates`].
    pub(crate) fn match_line(&self, line: &str, long: bool) -> Vec<LineHit> {
        let original = line.as_bytes();
        let lower = original.to_ascii_lowercase();
        let mut hits: Vec<LineHit> = Vec::new();
        for pattern_id in self.candidates(&lower, long) {
            let (ri, pi) = self.owners[pattern_id as usize];
            let pattern = &self.rules[ri].patterns[pi];
            let Some((len, groups)) = pattern_captures(pattern, &lower, long) else {
                continue;
            };
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
            for (name, range) in groups {
                // Same offsets in the original: ASCII folding keeps lengths.
                hit.captures
                    .entry(name.to_string())
                    .or_insert_with(|| String::from_utf8_lossy(&original[range]).into_owned());
            }
        }
        hits
    }

    /// Explains a pasted message or excerpt: every rule that matched, best
    /// first (see [`rank`]).
    pub fn lookup(&self, input: &[u8]) -> Vec<Match<'r>> {
        let mut by_rule: BTreeMap<usize, Match<'r>> = BTreeMap::new();
        // Kept for `[[context]]` windows: a rule may need a nearby line.
        let lines: Vec<std::borrow::Cow<'_, str>> =
            normalize::split_lines(input).map(normalize::line).collect();
        let long = input.len() > SHORT_INPUT;
        for (index, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            // A hit whose required context is not near does not count, and
            // only a counted routine hit may claim the line.
            let mut hits: Vec<(LineHit, usize)> = (self.match_line(line, long).into_iter())
                .filter_map(|h| {
                    let context = context_support(&self.rules[h.rule], &lines, index)?;
                    Some((h, context))
                })
                .collect();
            let mut counted: Vec<LineHit> = hits.iter().map(|(h, _)| h.clone()).collect();
            claim_routine(self.rules, &mut counted);
            hits.retain(|(h, _)| counted.iter().any(|c| c.rule == h.rule));
            for (hit, context) in hits {
                let rule = &self.rules[hit.rule];
                let m = by_rule.entry(hit.rule).or_insert_with(|| Match {
                    rule,
                    line: index + 1,
                    text: clip_printable(&normalize::redact(line.trim()), SAMPLE_CHARS),
                    captures: BTreeMap::new(),
                    hits: 0,
                    specificity: 0,
                    context: 0,
                });
                m.hits += 1;
                m.specificity = m.specificity.max(hit.specificity);
                m.context = m.context.max(context);
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
    ///
    /// The edit distance of two texts is at least the difference of their
    /// lengths, so a text whose length alone keeps it under what the rule
    /// already has, or under the `n`th best rule so far, is not compared:
    /// the same answer as comparing all, for a fraction of the work.
    pub fn closest(&self, text: &str, n: usize) -> Vec<(&'r Rule, f64)> {
        let probe = normalize::mask(&clip(text.trim(), 300));
        let probe_len = probe.chars().count();
        // The most `strsim::normalized_levenshtein` can be against a text
        // of `len` characters.
        let at_most = |len: usize| match probe_len.max(len) {
            0 => 1.0,
            longer => probe_len.min(len) as f64 / longer as f64,
        };
        // `strsim::normalized_levenshtein` (what this used to call), with
        // the probe prepared once for bit-parallel distances.
        let prepared = levenshtein::Pattern::new(&probe);
        let similarity = |t: &str, len: usize| match probe_len.max(len) {
            0 => 1.0,
            longer => 1.0 - prepared.distance(t) as f64 / longer as f64,
        };
        let mut scored: Vec<(&'r Rule, f64)> = Vec::with_capacity(self.rules.len());
        // The `n`th best score so far: a rule can only enter above it.
        let mut floor = f64::NEG_INFINITY;
        let built = builtin_masked();
        for rule in self.rules {
            let mut best: f64 = 0.0;
            let examples = masked_examples(rule, &built);
            let texts = (examples.iter().map(|t| t.as_ref())).chain([rule.title.as_str()]);
            for t in texts {
                let len = t.chars().count();
                if at_most(len) < best.max(floor) {
                    continue;
                }
                best = best.max(similarity(t, len));
            }
            scored.push((rule, best));
            if n > 0 && scored.len() >= n {
                let mut scores: Vec<f64> = scored.iter().map(|s| s.1).collect();
                scores.sort_by(|a, b| b.total_cmp(a));
                floor = scores[n - 1];
            }
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
        scored.truncate(n);
        scored
    }

    /// A scanner for whole logs: builds the combined regex and a set tuned
    /// for throughput (prefilter on, full-size lazy-DFA cache).
    pub fn scanner(&self) -> Result<Scanner<'r>, EngineError> {
        let owners: Vec<(usize, usize)> = (self.owners.iter().copied())
            .filter(|&(ri, pi)| self.rules[ri].patterns[pi].regex().is_some())
            .collect();
        let sources = sources_of(self.rules, &owners);
        // Each pattern compiles alone (checked at load), not necessarily all
        // together: the rules that do not fit are left out of the scan, by
        // name, and the others still scan.
        let (set, owners, dropped) = match build_scan_set(&sources) {
            Ok(set) => (set, owners, Vec::new()),
            Err(first) => fit_rules(self.rules, &owners, &sources).ok_or(first)?,
        };
        let combined = RegexBuilder::new(&combined_of(self.rules, &owners))
            .unicode(false)
            .multi_line(true)
            .crlf(true)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        Ok(Scanner {
            rules: self.rules,
            combined,
            set,
            owners,
            threads,
            dropped,
        })
    }
}

/// Named groups that took part in a match: name and byte range.
type Groups<'p> = Vec<(&'p str, std::ops::Range<usize>)>;

/// Where `pattern` matches `lower` (one lowercased line): the match's
/// length and its named groups that took part, in group order. A short
/// input uses the pattern's prefilter-less regex (cheaper to build, same
/// matches), a long one its regular regex.
fn pattern_captures<'p>(
    pattern: &'p Pattern,
    lower: &[u8],
    long: bool,
) -> Option<(usize, Groups<'p>)> {
    if long {
        let regex = pattern.regex()?;
        let caps = regex.captures(lower)?;
        let len = caps.get(0).map_or(0, |m| m.len());
        let groups = (regex.capture_names().flatten())
            .filter_map(|name| Some((name, caps.name(name)?.range())))
            .collect();
        return Some((len, groups));
    }
    let regex = pattern.line_regex()?;
    let mut caps = regex.create_captures();
    regex.captures(lower, &mut caps);
    let len = caps.get_match()?.len();
    let names = regex
        .group_info()
        .pattern_names(regex_automata::PatternID::ZERO);
    let groups = (names.enumerate())
        .filter_map(|(i, name)| Some((name?, caps.get_group(i)?.range())))
        .collect();
    Some((len, groups))
}

/// One rule's hit on one line.
#[derive(Debug, Clone)]
pub(crate) struct LineHit {
    pub rule: usize,
    pub captures: BTreeMap<String, String>,
    pub specificity: usize,
}

/// A line an informational rule explains at least as fully as any other
/// rule (specificity) is routine: the other rules' hits on it are dropped,
/// so a status probe's `missing scope: operator.read` is not reported as an
/// auth problem. A problem rule that matched more of the line keeps it.
fn claim_routine(rules: &[Rule], hits: &mut Vec<LineHit>) {
    let informational = |h: &LineHit| rules[h.rule].role == Role::Informational;
    let best = |routine: bool| {
        hits.iter()
            .filter(|h| informational(h) == routine)
            .map(|h| h.specificity)
            .max()
    };
    if let (Some(routine), Some(problem)) = (best(true), best(false)) {
        if routine >= problem {
            hits.retain(informational);
        }
    }
}

/// For a hit of `rule` on `lines[index]`: `None` when a required
/// `[[context]]` block has no matching line within its reach (the hit does
/// not count), else how many blocks found one.
fn context_support(
    rule: &Rule,
    lines: &[std::borrow::Cow<'_, str>],
    index: usize,
) -> Option<usize> {
    let mut found = 0;
    for block in &rule.context {
        let from = index.saturating_sub(block.within);
        let to = (index + block.within + 1).min(lines.len());
        let near = lines[from..to]
            .iter()
            .any(|l| block.matches(l.to_ascii_lowercase().as_bytes()));
        if near {
            found += 1;
        } else if block.required {
            return None;
        }
    }
    Some(found)
}

/// Whether every required `[[context]]` block of `rule` matches within its
/// reach of the line `lower[start..end]` (`lower`: whole lowercased lines;
/// a window ends where `lower` does).
fn required_context_in(rule: &Rule, lower: &[u8], start: usize, end: usize) -> bool {
    rule.context.iter().filter(|b| b.required).all(|block| {
        let mut from = start;
        for _ in 0..block.within {
            match memchr::memrchr(b'\n', &lower[..from.saturating_sub(1)]) {
                Some(i) => from = i + 1,
                None => {
                    from = 0;
                    break;
                }
            }
        }
        let mut to = end;
        for _ in 0..block.within {
            match memchr::memchr(b'\n', &lower[(to + 1).min(lower.len())..]) {
                Some(i) => to = to + 1 + i,
                None => {
                    to = lower.len();
                    break;
                }
            }
        }
        let window = &lower[from..to.min(lower.len())];
        (block.patterns.iter()).any(|p| p.regex().is_some_and(|r| r.is_match(window)))
    })
}

/// Length of the longest text one of `rule`'s patterns matches in `lower`.
fn specificity(rule: &Rule, lower: &[u8]) -> usize {
    (rule.patterns.iter())
        .filter_map(|p| p.regex()?.find(lower).map(|m| m.len()))
        .max()
        .unwrap_or(0)
}

/// Orders matches best first: [`crate::ruleset::rank`], the one ranking.
pub(crate) fn rank(matches: &mut [Match<'_>]) {
    fn standing<'a>(m: &'a Match<'_>) -> crate::ruleset::rank::Standing<'a> {
        crate::ruleset::rank::Standing {
            rule: m.rule,
            context: m.context,
            specificity: m.specificity,
            line: m.line,
        }
    }
    matches.sort_by(|a, b| crate::ruleset::rank::compare(&standing(a), &standing(b)));
}

/// Truncates to `max` characters (on a char boundary), marking the cut.
/// How every rule-pattern set is parsed: bytes (input may be any bytes),
/// ASCII classes, `^`/`$` at line ends, CRLF-aware.
fn pattern_syntax() -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
}

/// [`clip`] of [`normalize::printable`] text: for anything shown to a person.
pub fn clip_printable(s: &str, max: usize) -> String {
    clip(&normalize::printable(s), max)
}

pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The patterns `owners` names (case-folded) as one alternation, with named
/// groups made non-capturing (the same name in two patterns would not
/// compile together).
fn combined_of(rules: &[Rule], owners: &[(usize, usize)]) -> String {
    owners
        .iter()
        .map(|&(ri, pi)| &rules[ri].patterns[pi])
        .filter(|p| p.regex().is_some())
        .map(|p| format!("(?:{})", strip_capture_names(&p.folded)))
        .collect::<Vec<_>>()
        .join("|")
}

/// All patterns in one set, all-matches semantics, tuned for whole logs
/// (literal prefilter on, full-size lazy-DFA cache).
fn build_scan_set(folded: &[&str]) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::All)
                .which_captures(WhichCaptures::None),
        )
        .syntax(pattern_syntax())
        .build_many(folded)
        .map_err(Box::new)
}

fn sources_of<'a>(rules: &'a [Rule], owners: &[(usize, usize)]) -> Vec<&'a str> {
    owners
        .iter()
        .map(|&(ri, pi)| rules[ri].patterns[pi].folded.as_str())
        .collect()
}

/// The rules (in order) whose patterns fit in one set with those before
/// them: groups of rules are tried whole and halved on failure, so only a
/// few builds are needed when few rules are too big. Returns the set, its
/// owners and one named error per dropped rule; `None` if nothing fits.
#[allow(clippy::type_complexity)]
fn fit_rules(
    rules: &[Rule],
    owners: &[(usize, usize)],
    sources: &[&str],
) -> Option<(meta::Regex, Vec<(usize, usize)>, Vec<RuleError>)> {
    // Pattern indexes grouped by rule, in order.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, &(ri, _)) in owners.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if owners[g[0]].0 == ri => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    let mut kept: Vec<usize> = Vec::new();
    let mut dropped: Vec<(usize, String)> = Vec::new();
    let mut work: Vec<&[Vec<usize>]> = vec![&groups[..]];
    while let Some(chunk) = work.pop() {
        let trial: Vec<&str> = kept
            .iter()
            .chain(chunk.iter().flatten())
            .map(|&i| sources[i])
            .collect();
        match build_scan_set(&trial) {
            Ok(_) => kept.extend(chunk.iter().flatten()),
            Err(e) if chunk.len() == 1 => {
                let mut why = e.to_string();
                let mut cause = std::error::Error::source(&*e);
                while let Some(c) = cause {
                    why.push_str(": ");
                    why.push_str(&c.to_string());
                    cause = c.source();
                }
                dropped.push((owners[chunk[0][0]].0, why));
            }
            Err(_) => {
                let (a, b) = chunk.split_at(chunk.len() / 2);
                // Stack: `a` first.
                work.push(b);
                work.push(a);
            }
        }
    }
    let set = build_scan_set(&kept.iter().map(|&i| sources[i]).collect::<Vec<_>>()).ok()?;
    let errors = dropped
        .into_iter()
        .map(|(ri, why)| {
            let rule = &rules[ri];
            RuleError {
                path: rule.origin.to_string(),
                pos: None,
                message: format!(
                    "rule `{}` dropped from scans: its patterns and the other rules' together exceed the regex size limit of a whole-log scan ({why}); `scan` runs with the others, `lookup` and `doctor` still use it",
                    rule.id
                ),
                hint: Some(
                    "make its patterns smaller: nested or large bounded repetitions (`{1,200}`) multiply the automaton's size".into(),
                ),
            }
        })
        .collect();
    Some((set, kept.iter().map(|&i| owners[i]).collect(), errors))
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
    /// Lines that match at least one rule that is not informational: the
    /// problems.
    pub matched_lines: u64,
    /// Lines only informational rules matched: routine in a healthy
    /// gateway, not counted as problems.
    pub routine_lines: u64,
    /// Rules that matched, by count (highest first), then id.
    pub rules: Vec<RuleCount<'r>>,
}

/// A log scanner. Blocks of whole lines are matched on worker threads (one
/// per core, at most four) and merged in order, so line numbers are exact.
/// Each block is lowercased once (patterns are case-folded), so the combined
/// regex is case-sensitive and as fast as it gets for this many patterns.
pub struct Scanner<'r> {
    rules: &'r [Rule],
    combined: Regex,
    set: meta::Regex,
    owners: Vec<(usize, usize)>,
    threads: usize,
    dropped: Vec<RuleError>,
}

/// Totals for one block, line numbers relative to the block (1-based).
#[derive(Debug, Default)]
struct BlockResult {
    lines: u64,
    matched_lines: u64,
    routine_lines: u64,
    /// (rule, count, first, last, sample)
    rules: Vec<(usize, u64, u64, u64, String)>,
}

impl BlockResult {
    fn record(
        &mut self,
        rules: &[Rule],
        line_no: u64,
        hits: &[usize],
        sample: impl Fn() -> String,
    ) {
        if hits.is_empty() {
            return;
        }
        if hits.iter().all(|&r| rules[r].role == Role::Informational) {
            self.routine_lines += 1;
        } else {
            self.matched_lines += 1;
        }
        let mut text: Option<String> = None;
        for &rule in hits {
            match self.rules.iter_mut().find(|r| r.0 == rule) {
                Some(r) => {
                    r.1 += 1;
                    r.2 = r.2.min(line_no);
                    r.3 = r.3.max(line_no);
                }
                None => {
                    let sample = text.get_or_insert_with(&sample).clone();
                    self.rules.push((rule, 1, line_no, line_no, sample));
                }
            }
        }
    }
}

/// Running totals across blocks, merged in input order.
struct Totals {
    lines: u64,
    matched_lines: u64,
    routine_lines: u64,
    counts: Vec<Option<(u64, u64, u64, String)>>,
}

impl Totals {
    fn merge(&mut self, block: BlockResult) {
        let offset = self.lines;
        for (rule, count, first, last, sample) in block.rules {
            match &mut self.counts[rule] {
                Some((c, _, l, _)) => {
                    *c += count;
                    *l = offset + last;
                }
                slot @ None => *slot = Some((count, offset + first, offset + last, sample)),
            }
        }
        self.lines += block.lines;
        self.matched_lines += block.matched_lines;
        self.routine_lines += block.routine_lines;
    }
}

/// Per-thread buffers, reused from block to block.
struct Scratch {
    set_buf: PatternSet,
    lower: Vec<u8>,
    plain_block: Vec<u8>,
    plain_lower: Vec<u8>,
}

/// An overlong line being read in windows (on the reading thread).
#[derive(Default)]
struct LongLine {
    hits: Vec<usize>,
    sample: Option<String>,
}

/// The next line needing normalisation at or after `from` (colour codes are
/// already gone): one holding a backslash (JSON escapes) or a non-ASCII byte.
fn next_special(block: &[u8], from: usize, ascii: bool) -> Option<usize> {
    let rest = block.get(from..)?;
    let escape = memchr::memchr(b'\\', rest);
    if ascii {
        return escape.map(|i| from + i);
    }
    let limit = escape.unwrap_or(rest.len());
    let high = first_non_ascii(&rest[..limit]);
    high.or(escape).map(|i| from + i)
}

fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    for chunk in bytes.chunks(64) {
        if !chunk.is_ascii() {
            return chunk.iter().position(|b| *b >= 0x80).map(|i| at + i);
        }
        at += chunk.len();
    }
    None
}

/// A block for a worker: sequence number, buffer, the range of whole lines
/// in it, and whether the last line ends with `\n`. Buffers go back to the
/// reader with the result, so steady state neither allocates nor zeroes.
type Job = (u64, Vec<u8>, std::ops::Range<usize>, bool);
type Done = (u64, BlockResult, Vec<u8>);

impl<'r> Scanner<'r> {
    /// Rules left out of this scanner because their patterns did not build
    /// together with the others (each names its file).
    pub fn dropped(&self) -> &[RuleError] {
        &self.dropped
    }

    /// Uses `threads` worker threads (at least one).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            set_buf: PatternSet::new(self.set.pattern_len()),
            lower: Vec::new(),
            plain_block: Vec::new(),
            plain_lower: Vec::new(),
        }
    }

    /// Reads `reader` to the end. Memory stays bounded whatever the input:
    /// a few blocks in flight per worker plus at most one [`MAX_LINE`]
    /// window for an overlong line.
    pub fn scan<R: Read>(&self, mut reader: R) -> io::Result<ScanSummary<'r>> {
        let mut totals = Totals {
            lines: 0,
            matched_lines: 0,
            routine_lines: 0,
            counts: vec![None; self.rules.len()],
        };
        std::thread::scope(|scope| -> io::Result<()> {
            let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Job>(self.threads);
            let job_rx = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
            let (done_tx, done_rx) = std::sync::mpsc::channel::<Done>();
            for _ in 0..self.threads {
                let job_rx = job_rx.clone();
                let done_tx = done_tx.clone();
                scope.spawn(move || {
                    let mut scratch = self.scratch();
                    loop {
                        let job = match job_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok((seq, data, range, terminated)) = job else {
                            return;
                        };
                        let result = self.block(&data[range], terminated, &mut scratch);
                        if done_tx.send((seq, result, data)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut pending: BTreeMap<u64, BlockResult> = BTreeMap::new();
            let mut pool: Vec<Vec<u8>> = Vec::new();
            let mut next_merge = 0u64;
            let mut collect = |done: Done,
                               pending: &mut BTreeMap<u64, BlockResult>,
                               pool: &mut Vec<Vec<u8>>,
                               totals: &mut Totals| {
                pending.insert(done.0, done.1);
                if pool.len() < 2 * self.threads + 2 {
                    pool.push(done.2);
                }
                while let Some(r) = pending.remove(&next_merge) {
                    totals.merge(r);
                    next_merge += 1;
                }
            };
            let mut seq = 0u64;
            let mut scratch = self.scratch();
            let mut long_line: Option<LongLine> = None;
            let mut buf: Vec<u8> = vec![0; BLOCK + OVERLAP];
            let mut filled = 0usize;
            let mut target = BLOCK;
            let mut eof = false;
            let send = |job: Job| {
                job_tx
                    .send(job)
                    .map_err(|_| io::Error::other("a scan worker stopped"))
            };
            let read_result = (|| -> io::Result<()> {
                loop {
                    while filled < target && !eof {
                        if buf.len() < target {
                            buf.resize(target, 0);
                        }
                        let n = loop {
                            match reader.read(&mut buf[filled..target]) {
                                Ok(n) => break n,
                                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                                Err(e) => return Err(e),
                            }
                        };
                        filled += n;
                        eof = n == 0;
                    }
                    while let Ok(done) = done_rx.try_recv() {
                        collect(done, &mut pending, &mut pool, &mut totals);
                    }
                    if filled == 0 {
                        return Ok(());
                    }
                    match memchr::memrchr(b'\n', &buf[..filled]) {
                        Some(last) => {
                            let mut from = 0;
                            if let Some(mut long) = long_line.take() {
                                // The first line of this block ends the overlong line.
                                let end = memchr::memchr(b'\n', &buf[..filled]).unwrap_or(last);
                                self.window(&buf[..end], &mut long, &mut scratch);
                                pending.insert(seq, finish_long_line(self.rules, long));
                                seq += 1;
                                from = end + 1;
                            }
                            // Hand the whole lines over; keep the partial last line.
                            let tail = filled - (last + 1);
                            let mut next = pool.pop().unwrap_or_else(|| vec![0; BLOCK + OVERLAP]);
                            if next.len() < tail.max(BLOCK) {
                                next.resize(tail.max(BLOCK), 0);
                            }
                            next[..tail].copy_from_slice(&buf[last + 1..filled]);
                            let block = std::mem::replace(&mut buf, next);
                            filled = tail;
                            if from <= last {
                                send((seq, block, from..last + 1, true))?;
                                seq += 1;
                            }
                            target = BLOCK;
                        }
                        None if eof => {
                            match long_line.take() {
                                Some(mut long) => {
                                    self.window(&buf[..filled], &mut long, &mut scratch);
                                    pending.insert(seq, finish_long_line(self.rules, long));
                                }
                                None => {
                                    let block = std::mem::take(&mut buf);
                                    send((seq, block, 0..filled, false))?;
                                }
                            }
                            seq += 1;
                            filled = 0;
                        }
                        None if filled >= MAX_LINE => {
                            // An overlong line: match what we have, keep an overlap.
                            let long = long_line.get_or_insert_with(LongLine::default);
                            self.window(&buf[..filled], long, &mut scratch);
                            buf.copy_within(filled - OVERLAP..filled, 0);
                            filled = OVERLAP;
                            target = MAX_LINE;
                        }
                        None => target = (filled + BLOCK).min(MAX_LINE),
                    }
                }
            })();
            drop(job_tx);
            for done in done_rx.iter() {
                collect(done, &mut pending, &mut pool, &mut totals);
            }
            // Long-line results inserted by the reader may be the last ones.
            while let Some(r) = pending.remove(&next_merge) {
                totals.merge(r);
                next_merge += 1;
            }
            read_result
        })?;
        let mut rules_out: Vec<RuleCount<'r>> = totals
            .counts
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.map(|(count, first_line, last_line, sample)| RuleCount {
                    rule: &self.rules[i],
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
            lines: totals.lines,
            matched_lines: totals.matched_lines,
            routine_lines: totals.routine_lines,
            rules: rules_out,
        })
    }

    /// Whole lines: `terminated` when the block ends with `\n`. Colour codes
    /// are stripped from the whole block at once (newlines are kept, so line
    /// numbers hold), then the block is lowercased for the combined regex.
    fn block(&self, raw: &[u8], terminated: bool, sc: &mut Scratch) -> BlockResult {
        let mut result = BlockResult::default();
        if raw.is_empty() {
            return result;
        }
        let mut stripped = std::mem::take(&mut sc.plain_block);
        let has_escapes = memchr::memchr(0x1b, raw).is_some();
        if has_escapes {
            stripped.clear();
            normalize::strip_ansi_bytes(raw, &mut stripped);
        }
        let block: &[u8] = if has_escapes { &stripped } else { raw };
        let mut lower = std::mem::take(&mut sc.lower);
        lower.clear();
        lower.extend_from_slice(block);
        lower.make_ascii_lowercase();
        let ascii = block.is_ascii();
        let mut cursor = 0usize; // newlines before `cursor` are counted in `line_no`
        let mut line_no = 0u64;
        let mut next_hit = self.combined.find_at(&lower, 0).map(|m| m.start());
        let mut special_at = next_special(block, 0, ascii);
        while let Some(p) = min_some(next_hit, special_at) {
            let start = memchr::memrchr(b'\n', &block[..p]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &block[p..]).map_or(block.len(), |i| p + i);
            line_no += memchr::memchr_iter(b'\n', &block[cursor..start]).count() as u64;
            cursor = start;
            let line = &block[start..end];
            if special_at.is_some_and(|s| s < end) {
                let text = normalize::line(line);
                let mut folded = std::mem::take(&mut sc.plain_lower);
                folded.clear();
                folded.extend_from_slice(text.as_bytes());
                folded.make_ascii_lowercase();
                if self.combined.is_match(&folded) {
                    let mut hits = self.rules_hit(&folded, &mut sc.set_buf);
                    self.keep_in_context(&mut hits, &lower, start, end);
                    self.claim(&mut hits, &folded);
                    result.record(self.rules, line_no + 1, &hits, || {
                        clip_printable(&normalize::redact(text.trim()), SAMPLE_CHARS)
                    });
                }
                sc.plain_lower = folded;
            } else {
                let mut hits = self.rules_hit(&lower[start..end], &mut sc.set_buf);
                self.keep_in_context(&mut hits, &lower, start, end);
                self.claim(&mut hits, &lower[start..end]);
                result.record(self.rules, line_no + 1, &hits, || {
                    let text = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
                    clip_printable(&normalize::redact(text.trim()), SAMPLE_CHARS)
                });
            }
            let after = end + 1;
            if after >= block.len() {
                break;
            }
            if next_hit.is_some_and(|h| h < after) {
                next_hit = self.combined.find_at(&lower, after).map(|m| m.start());
            }
            if special_at.is_some_and(|s| s < after) {
                special_at = next_special(block, after, ascii);
            }
        }
        result.lines = memchr::memchr_iter(b'\n', block).count() as u64 + u64::from(!terminated);
        sc.lower = lower;
        sc.plain_block = stripped;
        result
    }

    /// The rules a lowercased line hits (each once, in rule order).
    fn rules_hit(&self, lower: &[u8], set_buf: &mut PatternSet) -> Vec<usize> {
        set_buf.clear();
        self.set
            .which_overlapping_matches(&Input::new(lower), set_buf);
        let mut hits: Vec<usize> = Vec::new();
        for pattern_id in set_buf.iter() {
            let rule = self.owners[pattern_id.as_usize()].0;
            if !hits.contains(&rule) {
                hits.push(rule);
            }
        }
        hits
    }

    /// A routine line's claim on `hits` (after their context is checked),
    /// as lookup does: see [`claim_routine`].
    fn claim(&self, hits: &mut Vec<usize>, lower: &[u8]) {
        let informational = |&r: &usize| self.rules[r].role == Role::Informational;
        if hits.iter().any(informational) && !hits.iter().all(informational) {
            // Rare (a routine line some problem rule also matches): measure
            // how much of the line each rule explains, as lookup does.
            let mut line_hits: Vec<LineHit> = hits
                .iter()
                .map(|&rule| LineHit {
                    rule,
                    captures: BTreeMap::new(),
                    specificity: specificity(&self.rules[rule], lower),
                })
                .collect();
            claim_routine(self.rules, &mut line_hits);
            *hits = line_hits.into_iter().map(|h| h.rule).collect();
        }
    }

    /// Drops the hits of rules whose required `[[context]]` has no line
    /// within reach in this block (a window does not reach into the block
    /// before or after: blocks are ~1 MiB of whole lines, matched apart).
    fn keep_in_context(&self, hits: &mut Vec<usize>, lower: &[u8], start: usize, end: usize) {
        hits.retain(|&r| {
            let rule = &self.rules[r];
            rule.context.is_empty() || required_context_in(rule, lower, start, end)
        });
    }

    /// One window of an overlong line (matched raw, lowercased).
    fn window(&self, window: &[u8], long: &mut LongLine, sc: &mut Scratch) {
        let mut lower = std::mem::take(&mut sc.lower);
        lower.clear();
        lower.extend_from_slice(window);
        lower.make_ascii_lowercase();
        if let Some(m) = self.combined.find(&lower) {
            let mut hits = self.rules_hit(&lower, &mut sc.set_buf);
            self.keep_in_context(&mut hits, &lower, 0, lower.len());
            self.claim(&mut hits, &lower);
            for rule in hits {
                if !long.hits.contains(&rule) {
                    long.hits.push(rule);
                }
            }
            if long.sample.is_none() {
                let from = m.start().saturating_sub(60);
                let to = (m.end() + 120).min(window.len());
                let text = String::from_utf8_lossy(&window[from..to]);
                long.sample = Some(clip_printable(
                    &normalize::redact(text.trim()),
                    SAMPLE_CHARS,
                ));
            }
        }
        sc.lower = lower;
    }
}

fn finish_long_line(rules: &[Rule], long: LongLine) -> BlockResult {
    let mut result = BlockResult {
        lines: 1,
        ..BlockResult::default()
    };
    let sample = long.sample.unwrap_or_default();
    result.record(rules, 1, &long.hits, || sample.clone());
    result
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
    fn a_plain_prefix_is_read_only_where_every_match_starts_with_it() {
        let p = |s: &str| plain_prefix(s).map(|b| String::from_utf8_lossy(b).into_owned());
        assert_eq!(
            p(r"disconnected \(4008\)").as_deref(),
            Some("disconnected ")
        );
        assert_eq!(p(r"eaddrinuse").as_deref(), Some("eaddrinuse"));
        // A quantifier takes the run's last character.
        assert_eq!(p(r"gateways? down").as_deref(), Some("gateway"));
        assert_eq!(p(r"abcd{2}").as_deref(), Some("abc"));
        // Too short, not at the start, or optional through a top-level `|`.
        assert_eq!(p(r"ab\d"), None);
        assert_eq!(p(r"^gateway"), None);
        assert_eq!(p(r"(?:gateway) down"), None);
        assert_eq!(p(r"gateway down|port busy"), None);
        assert_eq!(p(r"gateway [a|b]"), None);
        // A `|` inside a group leaves the prefix required.
        assert_eq!(p(r"gateway (?:down|dead)").as_deref(), Some("gateway "));
        assert_eq!(p(r"gateway \| x").as_deref(), Some("gateway "));
    }

    /// Every built-in pattern's literals hold for its rule's own positive
    /// examples: a prefilter literal that a real match lacks would hide it.
    #[test]
    fn the_prefilter_literals_of_builtin_patterns_occur_in_their_matches() {
        let set = RuleSet::builtin();
        for rule in &set.rules {
            for ex in rule.examples.iter().filter(|e| e.matches) {
                let line = crate::normalize::line(ex.text.as_bytes()).to_ascii_lowercase();
                for p in &rule.patterns {
                    let Some(regex) = p.regex() else { continue };
                    if !regex.is_match(line.as_bytes()) {
                        continue;
                    }
                    if let Some(lits) = required_literals(&p.folded) {
                        assert!(
                            lits.iter()
                                .any(|l| line.as_bytes().windows(l.len()).any(|w| w == l)),
                            "{}: {:?} matches {line:?} without its literals {lits:?}",
                            rule.id,
                            p.folded
                        );
                    }
                }
            }
        }
    }

    /// build.rs derives the built-in patterns' literals with the engine's
    /// own code: what it embedded equals the run-time derivation for every
    /// built-in pattern, and a pattern it does not know (a user rule's)
    /// takes the run-time path.
    #[test]
    fn builtin_literals_from_the_build_equal_the_runtime_derivation() {
        let set = RuleSet::builtin();
        let mut seen = std::collections::BTreeSet::new();
        for rule in &set.rules {
            for p in &rule.patterns {
                let built = builtin_literals(&p.folded).unwrap_or_else(|| {
                    panic!("{}: {:?} was not derived at build time", rule.id, p.folded)
                });
                let built: Option<Vec<Vec<u8>>> =
                    built.map(|lits| lits.iter().map(|l| l.to_vec()).collect());
                assert_eq!(built, required_literals(&p.folded), "{}", rule.id);
                seen.insert(p.folded.as_str());
            }
        }
        assert_eq!(seen.len(), BUILTIN_LITERALS.len());
        // The folded texts the loader took from the build are the run
        // time's.
        for rule in &set.rules {
            for p in &rule.patterns {
                assert_eq!(
                    p.folded,
                    crate::ruleset::fold::folded(&p.source),
                    "{}",
                    rule.id
                );
            }
        }
        assert!(BUILTIN_LITERALS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            builtin_literals("gateway (?P<x>\\d+) is not a built-in"),
            None
        );
    }

    /// A lookup that loads only the built-in rules `builtin_rules_for`
    /// keeps finds exactly what one with every rule finds (same rules, order,
    /// lines, captures, specificity), on every example of every built-in
    /// rule, every row of the dev corpus, and pastes of several lines; and
    /// it keeps few rules for one line on average.
    #[test]
    fn a_lookup_over_the_rules_its_input_can_match_finds_what_all_rules_find() {
        let set = RuleSet::builtin();
        let all = Engine::new(&set.rules).unwrap();
        let listed: Vec<&str> = BUILTIN_RULE_PATTERNS.iter().map(|(id, _)| *id).collect();
        let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(listed, ids, "build.rs lists every built-in rule, by id");
        let corpus = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/dev.tsv"),
        )
        .unwrap();
        let rows: Vec<String> = (corpus.lines().skip(1))
            .filter_map(|l| Some(l.split('\t').nth(2)?.replace("\\n", "\n")))
            .collect();
        let examples: Vec<String> = (set.rules.iter())
            .flat_map(|r| r.examples.iter().map(|e| e.text.clone()))
            .collect();
        let pastes: Vec<String> = (examples.chunks(7).chain(rows.chunks(5)))
            .map(|c| c.join("\r\n"))
            .collect();
        let summary = |ms: Vec<Match<'_>>| -> Vec<String> {
            ms.iter()
                .map(|m| {
                    format!(
                        "{} {} {} {} {} {:?}",
                        m.rule.id, m.line, m.hits, m.specificity, m.context, m.captures
                    )
                })
                .collect()
        };
        let mut kept_for_one_line = 0;
        let mut lines = 0;
        let inputs = examples.iter().chain(&rows).chain(&pastes);
        for (n, input) in inputs.enumerate() {
            let keep = builtin_rules_for(input.as_bytes());
            let some: Vec<Rule> = set.rules.iter().filter(|r| keep(&r.id)).cloned().collect();
            if n < examples.len() + rows.len() {
                kept_for_one_line += some.len();
                lines += 1;
            }
            let engine = Engine::new(&some).unwrap();
            assert_eq!(
                summary(engine.lookup(input.as_bytes())),
                summary(all.lookup(input.as_bytes())),
                "{input:?}"
            );
        }
        // On average a line needs a few rules of the many.
        let mean = kept_for_one_line as f64 / lines as f64;
        assert!(mean < set.rules.len() as f64 / 4.0, "{mean}");
        // The loader takes the same choice: only the kept built-ins parse.
        let line = "disconnected (4008): connect failed — device token mismatch";
        let keep = builtin_rules_for(line.as_bytes());
        let loaded = crate::ruleset::load_from_only(&[], &keep);
        assert!(loaded.errors.is_empty());
        let loaded: Vec<&str> = loaded.rules.iter().map(|r| r.id.as_str()).collect();
        let wanted: Vec<&str> = ids.iter().copied().filter(|id| keep(id)).collect();
        assert_eq!(loaded, wanted);
        assert!(loaded.len() < ids.len() / 2, "{loaded:?}");
        // A rule the build did not list is kept.
        assert!(keep("a-user-rule"));
    }

    /// `closest` skips texts by length only where they cannot count: the
    /// same rules and scores, in the same order, as comparing every text.
    #[test]
    fn closest_skips_only_texts_that_cannot_count() {
        let set = RuleSet::builtin();
        let engine = Engine::new(&set.rules).unwrap();
        let every = |text: &str, n: usize| {
            let probe = normalize::mask(&clip(text.trim(), 300));
            let mut scored: Vec<(&str, f64)> = (set.rules.iter())
                .map(|rule| {
                    let best = (rule.examples.iter().filter(|e| e.matches))
                        .map(|e| normalize::mask(&e.text))
                        .chain([rule.title.clone()])
                        .map(|t| strsim::normalized_levenshtein(&probe, &t))
                        .fold(0.0, f64::max);
                    (rule.id.as_str(), best)
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            scored.truncate(n);
            scored
        };
        // The build masked the built-in examples as `mask` does now.
        let built = builtin_masked();
        assert!(built.windows(2).all(|w| w[0].0 <= w[1].0), "sorted by id");
        for rule in &set.rules {
            let now: Vec<String> = (rule.examples.iter().filter(|e| e.matches))
                .map(|e| normalize::mask(&e.text))
                .collect();
            assert_eq!(masked_examples(rule, &built), now, "{}", rule.id);
        }
        let mut texts: Vec<String> = (set.rules.iter().step_by(5))
            .map(|r| r.examples[0].text.clone())
            .collect();
        texts.extend(
            [
                "the weather service returned an unexpected reply while syncing calendars",
                "",
                "x",
                "gateway",
                "網關未就緒,請稍後再試",
            ]
            .map(String::from),
        );
        texts.push("a long line that goes on ".repeat(20));
        for text in &texts {
            for n in [1, 3, 40] {
                let got: Vec<(&str, f64)> = (engine.closest(text, n).into_iter())
                    .map(|(r, s)| (r.id.as_str(), s))
                    .collect();
                assert_eq!(got, every(text, n), "{text:?} n={n}");
            }
        }
    }

    /// A lookup that matched nothing shows the same guesses and closest
    /// rules (ids, titles, categories, scores, lines) with the built-ins it
    /// did not parse as outlines (`ruleset::builtin_outlines`) as with every
    /// rule parsed, in English and zh-TW: on every dev-corpus row and every
    /// rule's negative example nothing matches, and the bench's line. Each
    /// outline carries its parsed rule's fields.
    #[test]
    fn a_lookup_that_matched_nothing_answers_the_same_from_outlines() {
        use crate::engine::paraphrase::Index;
        use crate::i18n::Lang;
        use crate::ruleset::{builtin_outlines, load_from_only};
        let full = RuleSet::builtin();
        let outlines = builtin_outlines(&|_| true);
        assert_eq!(outlines.rules.len(), full.rules.len());
        for (o, r) in outlines.rules.iter().zip(&full.rules) {
            let fields = |r: &Rule| {
                format!(
                    "{} {:?} {:?} {:?} {:?} {:?} {} {} {} {:?}",
                    r.id,
                    r.title,
                    r.zh_tw.title,
                    r.category,
                    r.role,
                    r.severity,
                    r.section,
                    r.priority,
                    r.context.iter().any(|c| c.required),
                    r.origin,
                )
            };
            assert_eq!(fields(o), fields(r));
        }
        let corpus = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/dev.tsv"),
        )
        .unwrap();
        let mut inputs: Vec<String> = (corpus.lines().skip(1))
            .filter_map(|l| Some(l.split('\t').nth(2)?.replace("\\n", "\n")))
            .collect();
        inputs.extend(
            (full.rules.iter())
                .flat_map(|r| r.examples.iter().filter(|e| !e.matches))
                .map(|e| e.text.clone()),
        );
        inputs.push(
            "the weather service returned an unexpected reply while syncing calendars".into(),
        );
        let all_engine = Engine::new(&full.rules).unwrap();
        inputs.retain(|i| all_engine.lookup(i.as_bytes()).is_empty());
        assert!(inputs.len() > 1000, "{}", inputs.len());
        for lang in [Lang::En, Lang::ZhTw] {
            let all = RuleSet::builtin().localized(lang);
            let all_index = Index::new(&all.rules);
            let all_engine = Engine::new(&all.rules).unwrap();
            // zh-TW: every 8th input (the titles are what differs).
            let step = if lang == Lang::En { 1 } else { 8 };
            // Inputs grouped by the built-ins they keep: one rule set each.
            let mut groups: BTreeMap<Vec<&str>, Vec<&String>> = BTreeMap::new();
            for input in inputs.iter().step_by(step) {
                let keep = builtin_rules_for(input.as_bytes());
                let ids = (full.rules.iter())
                    .map(|r| r.id.as_str())
                    .filter(|id| keep(id));
                groups.entry(ids.collect()).or_default().push(input);
            }
            for (kept, group) in groups {
                let keep = |id: &str| kept.contains(&id);
                let set = load_from_only(&[], &keep).localized(lang);
                let set = set.or(builtin_outlines(&|id| !keep(id)).localized(lang));
                let engine = Engine::new(&set.rules).unwrap();
                let index = Index::new(&set.rules);
                for input in group {
                    assert!(engine.lookup(input.as_bytes()).is_empty(), "{input:?}");
                    let shown = |index: &Index<'_>, engine: &Engine<'_>| {
                        let guesses = index.guesses(input.as_bytes(), 3);
                        let mut out: Vec<String> = (guesses.iter())
                            .map(|g| {
                                let r = g.rule;
                                format!(
                                    "{} {} {:?} {} {} {}",
                                    r.id, r.title, r.category, g.score, g.line, g.text
                                )
                            })
                            .collect();
                        // As `lookup` renders "nothing matched".
                        let lines: Vec<String> = (normalize::text(input.as_bytes()).into_iter())
                            .map(|l| l.trim().to_string())
                            .filter(|l| !l.is_empty())
                            .collect();
                        if guesses.is_empty() && !lines.is_empty() {
                            let closest = engine.closest(&lines.join(" "), 3);
                            out.extend(
                                closest
                                    .iter()
                                    .map(|(r, s)| format!("{} {} {s}", r.id, r.title)),
                            );
                        }
                        out
                    };
                    assert_eq!(
                        shown(&index, &engine),
                        shown(&all_index, &all_engine),
                        "{lang:?} {input:?}"
                    );
                }
            }
        }
    }

    /// The sorted-key lookup of short inputs and the aho-corasick automaton
    /// of long ones name the same candidate patterns, on every example of
    /// every built-in rule (either way) and on odd input.
    #[test]
    fn short_and_long_input_find_the_same_candidates() {
        let set = RuleSet::builtin();
        let engine = Engine::new(&set.rules).unwrap();
        let mut lines: Vec<String> = (set.rules.iter())
            .flat_map(|r| r.examples.iter().map(|e| e.text.clone()))
            .collect();
        lines.extend(["", "ab", "eaddrinuse", "x EADDRINUSE", "埠"].map(String::from));
        let mut found = 0;
        for text in &lines {
            for line in normalize::split_lines(text.as_bytes()) {
                let lower = normalize::line(line).to_ascii_lowercase();
                let short = engine.candidates(lower.as_bytes(), false);
                assert_eq!(short, engine.candidates(lower.as_bytes(), true), "{text:?}");
                found += short.len();
            }
        }
        assert!(found > lines.len(), "{found}");
        // A whole lookup agrees past the threshold too.
        let line = "disconnected (4008): connect failed — device token mismatch\n";
        let long = format!("{}{line}", "ok\n".repeat(SHORT_INPUT));
        let ids = |input: &str| {
            (engine.lookup(input.as_bytes()).iter())
                .map(|m| (m.rule.id.clone(), m.captures.clone(), m.specificity))
                .collect::<Vec<_>>()
        };
        assert!(long.len() > SHORT_INPUT);
        assert!(!ids(line).is_empty());
        assert_eq!(ids(line), ids(&long));
    }

    /// The prefilter-less regex a short input uses finds the same match
    /// and the same groups as the regular one, for every built-in pattern
    /// on every example of every built-in rule.
    #[test]
    fn line_regexes_capture_what_the_regular_regexes_do() {
        let set = RuleSet::builtin();
        let lines: Vec<String> = (set.rules.iter())
            .flat_map(|r| r.examples.iter())
            .flat_map(|e| {
                e.text
                    .lines()
                    .map(|l| normalize::line(l.as_bytes()).to_ascii_lowercase())
            })
            .collect();
        let mut matched = 0;
        for rule in &set.rules {
            for p in &rule.patterns {
                for line in &lines {
                    let short = pattern_captures(p, line.as_bytes(), false);
                    assert_eq!(
                        short,
                        pattern_captures(p, line.as_bytes(), true),
                        "{} on {line:?}",
                        rule.id
                    );
                    matched += usize::from(short.is_some_and(|(_, g)| !g.is_empty()));
                }
            }
        }
        assert!(matched > 20, "{matched}");
    }

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

    #[test]
    fn threads_do_not_change_results() {
        let set = RuleSet::builtin();
        let engine = Engine::new(&set.rules).unwrap();
        let mut log = Vec::new();
        let mut want_lines = Vec::new();
        for i in 1..=60_000u64 {
            if i % 997 == 0 {
                log.extend_from_slice(
                    format!("line {i} Error: listen EADDRINUSE: address already in use :::3001\n")
                        .as_bytes(),
                );
                want_lines.push(i);
            } else if i % 1499 == 0 {
                log.extend_from_slice(
                    format!("\x1b[31mline {i}\x1b[0m gateway not connected\n").as_bytes(),
                );
            } else {
                log.extend_from_slice(
                    format!("line {i} [gateway] GET /health 200 3ms padding padding padding\n")
                        .as_bytes(),
                );
            }
        }
        let one = engine
            .scanner()
            .unwrap()
            .with_threads(1)
            .scan(&log[..])
            .unwrap();
        let four = engine
            .scanner()
            .unwrap()
            .with_threads(4)
            .scan(&log[..])
            .unwrap();
        assert!(log.len() > 3 * BLOCK, "spans several blocks");
        assert_eq!(one.lines, 60_000);
        assert_eq!(format!("{:?}", one.rules), format!("{:?}", four.rules));
        assert_eq!(
            (one.lines, one.matched_lines),
            (four.lines, four.matched_lines)
        );
        let port = one
            .rules
            .iter()
            .find(|r| r.rule.id == "port-in-use")
            .unwrap();
        assert_eq!(port.count, want_lines.len() as u64);
        assert_eq!(
            (port.first_line, port.last_line),
            (want_lines[0], *want_lines.last().unwrap())
        );
        let nc = one
            .rules
            .iter()
            .find(|r| r.rule.id == "not-connected")
            .unwrap();
        assert_eq!(nc.first_line, 1499);
        assert!(
            nc.sample.starts_with("line 1499 gateway not connected"),
            "{}",
            nc.sample
        );
    }
}
