//! The second stage of `lookup`: when no pattern matched, guess from wording.
//!
//! Each input line is masked ([`normalize::mask`]) and scored with BM25 over
//! word tokens against a small index of known wordings: every rule's
//! positive examples (labelled with the rule) and the labelled rows of the
//! dev corpus's `tune` split of every version and the Chinese wrappers
//! (`fixtures/corpus/`, embedded at build time:
//! a category, or `other` for messages of no family). A label is guessed
//! when its best score is at least [`THRESHOLD`] and [`MARGIN`] times the
//! best score of an `other` row (the input must read clearly more like the
//! family than like something routine or unrelated); a line needs
//! [`MIN_WORDS`] distinct words.
//! Scores are normalised by the score a document holding every query word
//! once would get, so they read as 0–1 whatever the line's length.
//!
//! Guesses are never matches: the caller only asks for them when no
//! pattern matched, and shows them as guesses. The index is built on that
//! path only, so a matched lookup never pays for it.
//!
//! Written here rather than taken from a crate: the BM25 crates on
//! crates.io bring their own tokenisers (stemming, language detection) and
//! embedding machinery; this needs sixty lines over tokens we mask first.

use std::collections::HashMap;

use crate::normalize;
use crate::ruleset::{Origin, Role, Rule};
use crate::vocab::Category;

mod tokens;
use tokens::tokens;

/// Labelled rows of the dev corpus's `tune` split: `message\tcategory`
/// (the binary carries them tokenised: [`TERMS`], [`LABELS`], [`DOCS`]).
#[cfg(test)]
const CORPUS: &str = include_str!(concat!(env!("OUT_DIR"), "/paraphrase-corpus.tsv"));
/// The guess index's terms as build.rs tokenised them, sorted, one a line.
const TERMS: &str = include_str!(concat!(env!("OUT_DIR"), "/paraphrase-terms.txt"));
/// The labels of the build's documents, one a line (see [`embedded`]).
const LABELS: &str = include_str!(concat!(env!("OUT_DIR"), "/paraphrase-labels.txt"));
/// The build's documents (see [`embedded`]).
static DOCS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/paraphrase-docs.bin"));

/// Lowest normalised score that is reported. Chosen with [`MARGIN`] on the
/// negatives: the held-out `other` rows of the corpus and every line of the
/// healthy real runs (see `fixtures/corpus/README.md`, Paraphrases). Was
/// 0.45 until the mid versions' rows (about 2,900 more, mostly `other`)
/// joined the index and the same paraphrase scored about 8 % lower; with
/// that index 0.44 flags exactly the rows of every negative set 0.45 does.
pub const THRESHOLD: f64 = 0.44;
/// How much more alike than the closest message of no family a guess must
/// be (chosen with [`THRESHOLD`]).
pub const MARGIN: f64 = 1.2;
/// Input lines scored at most (the rest of a long paste is not guessed at).
const MAX_LINES: usize = 200;
/// Fewest distinct words a line needs to be guessed at.
pub const MIN_WORDS: usize = 3;
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// What a known wording is evidence of.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Label {
    Rule(usize),
    Category(Category),
    Other,
}

struct Doc {
    label: Label,
    len: usize,
}

/// One possible cause: a rule the input's wording resembles.
#[derive(Debug, Clone)]
pub struct Guess<'r> {
    pub rule: &'r Rule,
    /// Normalised BM25 score (about 0–1; at least [`THRESHOLD`]).
    pub score: f64,
    /// 1-based input line the guess comes from.
    pub line: usize,
    /// That line, normalised, trimmed and redacted.
    pub text: String,
}

/// The BM25 index over rule examples and corpus rows. Terms are numbered
/// (the build's sorted [`TERMS`], then any met at run time); each term lists
/// the documents holding it with their count (postings), so a line is
/// scored over the documents sharing a word with it only.
pub struct Index<'r> {
    rules: &'r [Rule],
    docs: Vec<Doc>,
    /// The build's terms, sorted: a term's id is its position.
    terms: Vec<&'static str>,
    /// Terms the build did not see (a user rule's examples, `rules eval`'s
    /// rows), numbered after [`Self::terms`].
    extra: HashMap<String, u32>,
    /// Term `t`'s postings are `postings[starts[t]..starts[t + 1]]`:
    /// (document, how often the term occurs in it), by document.
    starts: Vec<u32>,
    postings: Vec<(u32, u32)>,
    avg_len: f64,
}

/// The documents an index is built from, as term ids, before postings.
struct Builder {
    terms: Vec<&'static str>,
    extra: HashMap<String, u32>,
    docs: Vec<Doc>,
    /// Every document's term ids, one after the other (`Doc::len` each).
    flat: Vec<u32>,
}

impl Builder {
    fn new() -> Self {
        Self {
            terms: TERMS.split('\n').filter(|t| !t.is_empty()).collect(),
            extra: HashMap::new(),
            docs: Vec::new(),
            flat: Vec::new(),
        }
    }

    fn id(&mut self, term: &str) -> u32 {
        if let Ok(i) = self.terms.binary_search(&term) {
            return i as u32;
        }
        let next = (self.terms.len() + self.extra.len()) as u32;
        *self.extra.entry(term.to_owned()).or_insert(next)
    }

    /// A known wording, tokenised now (no tokens: no document).
    fn add(&mut self, text: &str, label: Label) {
        let toks = tokens(text);
        if toks.is_empty() {
            return;
        }
        for t in &toks {
            let id = self.id(t);
            self.flat.push(id);
        }
        self.docs.push(Doc {
            label,
            len: toks.len(),
        });
    }

    /// Documents the build tokenised (see [`embedded`]), with `label`.
    fn add_built<'d>(&mut self, docs: impl Iterator<Item = &'d [u16]>, label: Label) {
        for ids in docs {
            self.flat.extend(ids.iter().map(|&i| u32::from(i)));
            self.docs.push(Doc {
                label,
                len: ids.len(),
            });
        }
    }

    fn finish(self, rules: &[Rule]) -> Index<'_> {
        let n_terms = self.terms.len() + self.extra.len();
        // Each document's (term, count), in document order: counted first,
        // then laid out term by term.
        let mut pairs: Vec<(u32, u32, u32)> = Vec::with_capacity(self.flat.len());
        let mut at = 0;
        for (doc, d) in self.docs.iter().enumerate() {
            let mut ids = self.flat[at..at + d.len].to_vec();
            at += d.len;
            ids.sort_unstable();
            for run in ids.chunk_by(|a, b| a == b) {
                pairs.push((run[0], doc as u32, run.len() as u32));
            }
        }
        let mut starts = vec![0u32; n_terms + 1];
        for &(t, _, _) in &pairs {
            starts[t as usize + 1] += 1;
        }
        for t in 0..n_terms {
            starts[t + 1] += starts[t];
        }
        let mut fill = starts.clone();
        let mut postings = vec![(0u32, 0u32); pairs.len()];
        for (t, doc, tf) in pairs {
            postings[fill[t as usize] as usize] = (doc, tf);
            fill[t as usize] += 1;
        }
        let avg_len =
            self.docs.iter().map(|d| d.len).sum::<usize>() as f64 / self.docs.len().max(1) as f64;
        Index {
            rules,
            docs: self.docs,
            terms: self.terms,
            extra: self.extra,
            starts,
            postings,
            avg_len,
        }
    }
}

/// How `rule`'s positive examples count in the index: informational rules
/// are routine (their wording counts as `other`); `None` for rules that
/// need `[[context]]` lines (left out).
fn rule_label(rule: &Rule, i: usize) -> Option<Label> {
    if rule.role == Role::Informational {
        Some(Label::Other)
    } else if rule.context.iter().any(|c| c.required) {
        // Its pattern counts only with other lines near it (a status
        // block, a shell job after an install): one line worded like its
        // examples is no evidence of it.
        None
    } else {
        Some(Label::Rule(i))
    }
}

/// The build's tokenised documents: each built-in rule's positive examples
/// (label `rule:<id>`) then the corpus rows (label: a category, or `other`
/// for no family), as (label, term ids) in build order. Layout (build.rs):
/// per document a label byte (its line in [`LABELS`]), a u16 count, then
/// that many u16 term ids (ids into [`TERMS`]), little-endian.
fn embedded() -> Vec<(&'static str, Vec<u16>)> {
    let labels: Vec<&str> = LABELS.split('\n').collect();
    let u16_at = |i: usize| u16::from_le_bytes([DOCS[i], DOCS[i + 1]]);
    let mut out = Vec::new();
    let mut at = 0;
    while at + 3 <= DOCS.len() {
        let label = labels
            .get(usize::from(DOCS[at]))
            .copied()
            .unwrap_or("other");
        let len = usize::from(u16_at(at + 1));
        at += 3;
        out.push((label, (0..len).map(|k| u16_at(at + 2 * k)).collect()));
        at += 2 * len;
    }
    out
}

/// The build's documents of built-in rule `id` (`rule:<id>`; one run, as
/// build.rs writes each rule's examples together).
fn built_of<'b>(built: &'b [(&'static str, Vec<u16>)], id: &str) -> &'b [(&'static str, Vec<u16>)] {
    let own = |l: &str| l.strip_prefix("rule:") == Some(id);
    let Some(from) = built.iter().position(|(l, _)| own(l)) else {
        return &[];
    };
    let len = built[from..].iter().take_while(|(l, _)| own(l)).count();
    &built[from..from + len]
}

impl<'r> Index<'r> {
    /// Indexes `rules`' positive examples (informational rules are routine:
    /// their wording counts as `other`; rules that need `[[context]]` lines
    /// are left out) and the embedded corpus rows. The built-in rules'
    /// examples and the corpus were tokenised at build time.
    pub fn new(rules: &'r [Rule]) -> Self {
        let built = embedded();
        let mut b = Builder::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(label) = rule_label(rule, i) else {
                continue;
            };
            // A built-in rule's examples are the build's; a user rule's
            // (or a user rule overriding a built-in's id) are read now.
            if rule.origin == Origin::Builtin {
                let own = built_of(&built, &rule.id).iter();
                b.add_built(own.map(|(_, ids)| ids.as_slice()), label);
            } else {
                for ex in rule.examples.iter().filter(|e| e.matches) {
                    b.add(&ex.text, label);
                }
            }
        }
        let corpus = built.iter().filter(|(l, _)| !l.starts_with("rule:"));
        for (category, ids) in corpus {
            let label = category
                .parse::<Category>()
                .map_or(Label::Other, Label::Category);
            b.add_built(std::iter::once(ids.as_slice()), label);
        }
        b.finish(rules)
    }

    /// Indexes `rules`' positive examples and the given known wordings
    /// instead of the embedded corpus: `(text, Some(category))` for a
    /// family's, `(text, None)` for a message of no family (`other`). A
    /// literal `\n` in a text is a line break. (`rules eval
    /// --leave-one-source-out` scores a source with an index built without
    /// it.)
    pub fn with_corpus<'t>(
        rules: &'r [Rule],
        corpus: impl IntoIterator<Item = (&'t str, Option<Category>)>,
    ) -> Self {
        let mut b = Builder::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(label) = rule_label(rule, i) else {
                continue;
            };
            for ex in rule.examples.iter().filter(|e| e.matches) {
                b.add(&ex.text, label);
            }
        }
        for (message, category) in corpus {
            let label = category.map_or(Label::Other, Label::Category);
            b.add(&message.replace("\\n", " "), label);
        }
        b.finish(rules)
    }

    /// Term `t`'s id, if any document holds it.
    fn term(&self, t: &str) -> Option<u32> {
        match self.terms.binary_search(&t) {
            Ok(i) => Some(i as u32),
            Err(_) => self.extra.get(t).copied(),
        }
    }

    /// The documents holding term `id`, with its count in each.
    fn postings(&self, id: u32) -> &[(u32, u32)] {
        let (from, to) = (self.starts[id as usize], self.starts[id as usize + 1]);
        &self.postings[from as usize..to as usize]
    }

    /// How many documents hold `term`.
    fn df(&self, term: &str) -> usize {
        self.term(term).map_or(0, |id| self.postings(id).len())
    }

    fn idf(&self, term: &str) -> f64 {
        let n = self.docs.len() as f64;
        let df = self.df(term) as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Best normalised score per label for one line, best first.
    fn score_line(&self, line: &str) -> Vec<(Label, f64)> {
        let mut query = tokens(line);
        query.sort();
        query.dedup();
        // One or two words ("Listening: 127.0.0.1:18789", a JSON key) say
        // too little to guess from: they matched anything sharing a word.
        if query.len() < MIN_WORDS {
            return Vec::new();
        }
        // A document of average length holding every query word once.
        let ideal: f64 = query.iter().map(|t| self.idf(t)).sum();
        if ideal <= 0.0 {
            return Vec::new();
        }
        // Each document's sum over the query words it holds, added in
        // query order (the order a per-document sum would take).
        let mut sums: Vec<Option<f64>> = vec![None; self.docs.len()];
        for t in &query {
            let Some(id) = self.term(t) else {
                continue;
            };
            let idf = self.idf(t);
            for &(doc, tf) in self.postings(id) {
                let d = &self.docs[doc as usize];
                let norm = K1 * (1.0 - B + B * d.len as f64 / self.avg_len);
                let tf = f64::from(tf);
                let part = idf * tf * (K1 + 1.0) / (tf + norm);
                let sum = &mut sums[doc as usize];
                *sum = Some(sum.map_or(part, |s| s + part));
            }
        }
        let mut best: Vec<(Label, f64)> = Vec::new();
        for (d, sum) in self.docs.iter().zip(sums) {
            let score = sum.unwrap_or(0.0) / ideal;
            if score <= 0.0 {
                continue;
            }
            match best.iter_mut().find(|(l, _)| *l == d.label) {
                Some((_, s)) => *s = s.max(score),
                None => best.push((d.label, score)),
            }
        }
        best.sort_by(|a, b| b.1.total_cmp(&a.1));
        best
    }

    /// The rule a label stands for: a rule's own label, or for a corpus
    /// category the rule of that category whose examples score best on the
    /// line (else the first of that category by id).
    fn rule_for(&self, label: Label, scores: &[(Label, f64)]) -> Option<usize> {
        match label {
            Label::Rule(i) => Some(i),
            Label::Other => None,
            Label::Category(c) => scores
                .iter()
                .find_map(|(l, _)| match l {
                    Label::Rule(i) if self.rules[*i].category == c => Some(*i),
                    _ => None,
                })
                .or_else(|| {
                    (0..self.rules.len())
                        .filter(|&i| {
                            self.rules[i].category == c && self.rules[i].role != Role::Informational
                        })
                        .min_by(|&a, &b| self.rules[a].id.cmp(&self.rules[b].id))
                }),
        }
    }

    /// Up to `n` possible causes for `input` (no pattern matched it), best
    /// first, one per rule. Empty when the best wording on every line is
    /// `other` or under [`THRESHOLD`].
    pub fn guesses(&self, input: &[u8], n: usize) -> Vec<Guess<'r>> {
        let mut found: Vec<Guess<'r>> = Vec::new();
        let lines = normalize::split_lines(input).enumerate();
        for (index, raw) in lines.take(MAX_LINES) {
            let line = normalize::line(raw);
            if line.trim().is_empty() {
                continue;
            }
            let scores = self.score_line(&line);
            // A guess must read clearly more like its family than like any
            // message of no family (`other`), and be alike enough at all.
            let other = (scores.iter())
                .find(|(l, _)| *l == Label::Other)
                .map_or(0.0, |(_, s)| *s);
            for &(label, score) in &scores {
                if score < THRESHOLD || score < MARGIN * other {
                    break;
                }
                if label == Label::Other {
                    continue;
                }
                let Some(rule) = self.rule_for(label, &scores) else {
                    continue;
                };
                match found
                    .iter_mut()
                    .find(|g| std::ptr::eq(g.rule, &self.rules[rule]))
                {
                    Some(g) if g.score >= score => {}
                    Some(g) => {
                        g.score = score;
                        g.line = index + 1;
                        g.text = super::clip_printable(
                            &normalize::redact(line.trim()),
                            super::SAMPLE_CHARS,
                        );
                    }
                    None => found.push(Guess {
                        rule: &self.rules[rule],
                        score,
                        line: index + 1,
                        text: super::clip_printable(
                            &normalize::redact(line.trim()),
                            super::SAMPLE_CHARS,
                        ),
                    }),
                }
            }
        }
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.rule.id.cmp(&b.rule.id))
        });
        found.truncate(n);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::RuleSet;

    #[test]
    fn tokens_drop_placeholders_numbers_and_stop_words() {
        assert_eq!(
            tokens("Error: the port 18789 is <busy> at /tmp/x, 埠"),
            ["error", "port", "埠"]
        );
        // Chinese runs as overlapping pairs.
        assert_eq!(
            tokens("网关已就绪 ok"),
            ["网关", "关已", "已就", "就绪", "ok"]
        );
        // A Windows path is a path too, not words.
        assert_eq!(
            tokens(r"cannot read C:\Users\ann\.openclaw\openclaw.json"),
            ["cannot", "read"]
        );
    }

    #[test]
    fn the_corpus_is_embedded_without_the_held_out_split() {
        assert!(CORPUS.lines().count() > 800, "{}", CORPUS.lines().count());
        assert!(CORPUS.lines().all(|l| l.split('\t').count() == 2));
    }

    /// The corpus rows as `Index::new` read them before the build
    /// tokenised them: (message, category or `None` for `other`).
    fn corpus_rows() -> Vec<(&'static str, Option<Category>)> {
        (CORPUS.lines())
            .filter_map(|row| {
                let (message, category) = row.split_once('\t')?;
                Some((message, category.parse::<Category>().ok()))
            })
            .collect()
    }

    /// Documents (label, length), postings by term name, average length.
    type Contents = (Vec<(Label, usize)>, Vec<(String, Vec<(u32, u32)>)>, f64);

    /// Everything scoring reads, with terms by name (not id).
    fn contents(index: &Index<'_>) -> Contents {
        let docs = index.docs.iter().map(|d| (d.label, d.len)).collect();
        let mut names: Vec<(String, u32)> = (index.terms.iter())
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .chain(index.extra.iter().map(|(t, &i)| (t.clone(), i)))
            .collect();
        names.sort();
        let postings = (names.into_iter())
            .map(|(t, id)| (t, index.postings(id).to_vec()))
            .filter(|(_, p)| !p.is_empty())
            .collect();
        (docs, postings, index.avg_len)
    }

    /// The index the build tokenised equals the one tokenised at run time
    /// from the same rules and rows: for the built-in rules, and with a user
    /// rule (its examples, with a word the build never saw, read at run
    /// time) in place of a built-in one.
    #[test]
    fn the_built_index_equals_the_one_built_at_run_time() {
        let set = RuleSet::builtin();
        let built = Index::new(&set.rules);
        let runtime = Index::with_corpus(&set.rules, corpus_rows());
        assert!(built.docs.len() > 1500, "{}", built.docs.len());
        assert!(built.extra.is_empty() && runtime.extra.is_empty());
        assert_eq!(built.terms, runtime.terms);
        assert_eq!(built.starts, runtime.starts);
        assert_eq!(built.postings, runtime.postings);
        assert_eq!(contents(&built), contents(&runtime));

        let mut rules = set.rules.clone();
        let user = rules.iter_mut().find(|r| r.id == "disk-full").unwrap();
        user.origin = Origin::User("/tmp/rules/disk-full.toml".into());
        user.examples[0].text = "zorblatt quota exhausted for the volume".into();
        let built = Index::new(&rules);
        let runtime = Index::with_corpus(&rules, corpus_rows());
        assert!(built.term("zorblatt").is_some());
        assert_eq!(contents(&built), contents(&runtime));
        let g = built.guesses(b"zorblatt quota exhausted on volume", 1);
        assert_eq!(g.first().map(|g| g.rule.id.as_str()), Some("disk-full"));
    }

    #[test]
    fn a_paraphrase_is_guessed_and_unrelated_text_is_not() {
        let set = RuleSet::builtin();
        let index = Index::new(&set.rules);
        let g = index.guesses(
            b"ok\nthe disk is full: no space left to write the state database\n",
            3,
        );
        assert_eq!(
            g.first().map(|g| g.rule.id.as_str()),
            Some("disk-full"),
            "{g:?}"
        );
        assert_eq!(g[0].line, 2);
        assert!(g.iter().all(|g| g.score >= THRESHOLD));
        assert!(index.guesses(b"the weather is lovely today", 3).is_empty());
        // Too few words to go on.
        assert!(index.guesses(b"Listening: 127.0.0.1:18789", 3).is_empty());
        assert!(index.guesses(b"", 3).is_empty());
    }
}
