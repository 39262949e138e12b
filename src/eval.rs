//! A rule pack scored on a labelled file of pastes (`clawdoc rules eval`):
//! parsing the file, looking each row up as `lookup` would, and the
//! figures (top-1 accuracy, false positives, per category, per source, per
//! split, the confusion matrix, the misses, floors). Pure: the caller reads
//! the files and renders; nothing here touches the terminal.
//!
//! # Input
//!
//! TSV with a header naming at least `id`, `category` and `text` (also
//! `source` and `split`; other columns are ignored), or JSON lines
//! `{"id", "category", "text", "source"?, "split"?}`: the first non-blank
//! character decides (`{` is JSON lines). In TSV, `\n` in a text is a line
//! break, `\t` a tab and `\\` a backslash (a backslash before anything else
//! is kept); lines starting with `#` and blank lines are skipped. `category`
//! is a rule category ([`Category`]) or `other` (no family applies). A row
//! without a `source` gets its file's name; `split = "test"` marks a
//! held-out row, whose misses are only listed on request.
//!
//! # Scoring
//!
//! Each row's text goes through [`Engine::lookup`], as a paste would. The
//! prediction is the category of the first match that is not
//! informational (routine lines are never the cause), or `none`. With
//! guesses, a row nothing matched at all (as in `lookup`, which only then
//! asks) takes the paraphrase stage's best guess. Top-1 accuracy counts
//! in-category rows predicted as their label; the false-positive rate
//! counts `other` rows with any prediction.
//!
//! Leave-one-source-out: for each source S, the guess stage's index is
//! rebuilt from the rules' positive examples and the file's rows of every
//! other source ([`Index::with_corpus`]), and S's rows are guessed with it.
//! Patterns are the same for every source (rules are static), so it shows
//! how much the guess stage owes to having seen a source, not whether the
//! patterns were written looking at it.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::paraphrase::Index;
use crate::engine::{Engine, EngineError};
use crate::ruleset::{Role, Rule};
use crate::vocab::Category;

/// The split whose rows are held out from tuning.
pub const HELD_OUT: &str = "test";
/// Longest text shown for a miss (characters).
const MISS_CHARS: usize = 100;

/// What a row is labelled with: a rule category, or `other` (no family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    Category(Category),
    Other,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Category(c) => c.as_str(),
            Label::Other => "other",
        }
    }
}

/// One labelled paste of an eval file.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub label: Label,
    /// The paste, escapes resolved.
    pub text: String,
    /// The `source` column, else the file's name.
    pub source: String,
    /// The `split` column, when the file has one and the row fills it.
    pub split: Option<String>,
    /// Where the row is: file name and 1-based line.
    pub file: String,
    pub line: usize,
}

impl Row {
    fn held_out(&self) -> bool {
        self.split.as_deref() == Some(HELD_OUT)
    }
}

/// Bad input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct InputError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// The rows of one eval file (`name` is how errors and default sources
/// call it).
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Row>, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let (line, col) = crate::text::line_col(valid, valid.len());
        InputError {
            file: name.to_string(),
            line,
            col,
            message: "not UTF-8".into(),
        }
    })?;
    let json = text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('{');
    let rows = if json {
        parse_json_lines(name, text)?
    } else {
        parse_tsv(name, text)?
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        if let Some(first) = seen.insert(&row.id, row.line) {
            return Err(InputError {
                file: name.to_string(),
                line: row.line,
                col: 1,
                message: format!("id `{}` is already on line {first}", row.id),
            });
        }
    }
    Ok(rows)
}

/// `(1-based line, line)` of `text`, `\r\n` taken as one break, a BOM dropped.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.trim_start_matches('\u{feff}')
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

fn parse_label(s: &str) -> Result<Label, String> {
    if s == "other" {
        return Ok(Label::Other);
    }
    s.parse::<Category>().map(Label::Category).map_err(|_| {
        let mut names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        names.push("other");
        let hint = crate::text::did_you_mean(s, &names)
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        format!(
            "unknown category `{s}`{hint}; expected a rule category or `other`: {}",
            names.join(", ")
        )
    })
}

/// A TSV field's escapes: `\n`, `\t`, `\\`; any other backslash is kept.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    out
}

fn parse_tsv(name: &str, text: &str) -> Result<Vec<Row>, InputError> {
    let err = |line: usize, col: usize, message: String| InputError {
        file: name.to_string(),
        line,
        col,
        message,
    };
    let mut lines =
        numbered_lines(text).filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((header_line, header)) = lines.next() else {
        return Err(err(
            1,
            1,
            "no header row: a TSV eval file starts with `id, category, text[, source, split]` (tab-separated), a JSON-lines one with `{`".into(),
        ));
    };
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let col = |want: &str| names.iter().position(|n| *n == want);
    let mut required = [0usize; 3];
    for (slot, want) in required.iter_mut().zip(["id", "category", "text"]) {
        *slot = col(want).ok_or_else(|| {
            err(
                header_line,
                1,
                format!(
                    "the header has no `{want}` column (it needs id, category, text; source and split are optional)"
                ),
            )
        })?;
    }
    let [id_col, category_col, text_col] = required;
    let (source_col, split_col) = (col("source"), col("split"));
    let mut rows = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        // Where field `i` starts, in characters (1-based), for errors.
        let start = |i: usize| -> usize {
            fields[..i.min(fields.len())]
                .iter()
                .map(|f| f.chars().count() + 1)
                .sum::<usize>()
                + 1
        };
        let need = id_col.max(category_col).max(text_col);
        if fields.len() <= need {
            let missing = ["id", "category", "text"]
                .into_iter()
                .zip([id_col, category_col, text_col])
                .filter(|(_, i)| *i >= fields.len())
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(err(
                n,
                line.chars().count() + 1,
                format!(
                    "missing column {missing}: {} tab-separated fields, the header names {}",
                    fields.len(),
                    names.len()
                ),
            ));
        }
        let id = fields[id_col].trim();
        if id.is_empty() {
            return Err(err(n, start(id_col), "empty id".into()));
        }
        let label =
            parse_label(fields[category_col].trim()).map_err(|m| err(n, start(category_col), m))?;
        let text = unescape(fields[text_col]);
        if text.trim().is_empty() {
            return Err(err(n, start(text_col), "empty text".into()));
        }
        let optional = |c: Option<usize>| {
            c.and_then(|i| fields.get(i))
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
                .map(str::to_string)
        };
        rows.push(Row {
            id: id.to_string(),
            label,
            text,
            source: optional(source_col).unwrap_or_else(|| name.to_string()),
            split: optional(split_col),
            file: name.to_string(),
            line: n,
        });
    }
    Ok(rows)
}

/// One line of a JSON-lines eval file (other keys are ignored).
#[derive(serde::Deserialize)]
struct JsonRow {
    id: String,
    category: String,
    text: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    split: Option<String>,
}

fn parse_json_lines(name: &str, text: &str) -> Result<Vec<Row>, InputError> {
    let mut rows = Vec::new();
    for (n, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        let err = |col: usize, message: String| InputError {
            file: name.to_string(),
            line: n,
            col,
            message,
        };
        let row: JsonRow = serde_json::from_str(line).map_err(|e| {
            // serde_json says "… at line 1 column N": the position is ours.
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            err(e.column().max(1), format!("bad JSON: {message}"))
        })?;
        let label = parse_label(row.category.trim()).map_err(|m| {
            // The column of the category's value: after its key.
            let col = line
                .find("\"category\"")
                .and_then(|k| line[k + 10..].find('"').map(|v| k + 10 + v))
                .map_or(1, |at| line[..at].chars().count() + 1);
            err(col, m)
        })?;
        if row.id.trim().is_empty() {
            return Err(err(1, "empty id".into()));
        }
        if row.text.trim().is_empty() {
            return Err(err(1, "empty text".into()));
        }
        let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        rows.push(Row {
            id: row.id.trim().to_string(),
            label,
            text: row.text,
            source: nonempty(row.source).unwrap_or_else(|| name.to_string()),
            split: nonempty(row.split),
            file: name.to_string(),
            line: n,
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------- scoring

/// What to measure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also take the paraphrase stage's guess when nothing matched.
    pub guesses: bool,
    /// Score each source with a guess index built without it.
    pub leave_one_source_out: bool,
    /// List the misses of held-out (`split = test`) rows too.
    pub show_test_misses: bool,
    /// Lowest acceptable top-1 accuracy, percent.
    pub min_top1: Option<f64>,
    /// Highest acceptable false-positive rate, percent.
    pub max_fp: Option<f64>,
}

/// Top-1 accuracy and false positives over a group of rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Figures {
    pub rows: usize,
    /// Rows labelled with a category.
    pub in_category: usize,
    /// In-category rows whose prediction is their label.
    pub top1: usize,
    /// `top1` of `in_category`, percent (`null` without such rows).
    pub top1_pct: Option<f64>,
    /// Rows labelled `other`.
    pub other: usize,
    /// `other` rows with a prediction (a problem rule matched, or a guess
    /// when guesses count).
    pub false_positives: usize,
    /// `false_positives` of `other`, percent (`null` without such rows).
    pub fp_pct: Option<f64>,
    /// Rows whose prediction is a guess (only with guesses).
    pub guessed: usize,
}

impl Figures {
    fn add(&mut self, label: Label, predicted: Option<Category>, guessed: bool) {
        self.rows += 1;
        self.guessed += usize::from(guessed && predicted.is_some());
        match label {
            Label::Category(c) => {
                self.in_category += 1;
                self.top1 += usize::from(predicted == Some(c));
            }
            Label::Other => {
                self.other += 1;
                self.false_positives += usize::from(predicted.is_some());
            }
        }
        self.top1_pct = pct(self.top1, self.in_category);
        self.fp_pct = pct(self.false_positives, self.other);
    }
}

fn pct(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 * 100.0 / of as f64)
}

/// The figures of one split or one source.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GroupFigures {
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Precision and recall of one category.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CategoryFigures {
    pub category: Category,
    /// Rows labelled with it.
    pub rows: usize,
    /// Rows predicted as it (any label).
    pub predicted: usize,
    /// Rows labelled and predicted as it.
    pub correct: usize,
    /// `correct` of `predicted`, percent (`null` when never predicted).
    pub precision_pct: Option<f64>,
    /// `correct` of `rows`, percent (`null` without such rows).
    pub recall_pct: Option<f64>,
}

/// One cell of the confusion matrix (only non-zero cells are listed).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConfusionCell {
    /// A category or `other`.
    pub label: String,
    /// A category or `none`.
    pub predicted: String,
    pub count: usize,
}

/// A row predicted wrong: an in-category row predicted as another category
/// or nothing, or an `other` row predicted as a category (a false positive).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Miss {
    pub id: String,
    /// A category or `other`.
    pub label: String,
    /// A category or `none`.
    pub got: String,
    /// The prediction is a guess of the paraphrase stage.
    pub guessed: bool,
    pub source: String,
    pub split: Option<String>,
    /// The eval file and 1-based line of the row.
    pub file: String,
    pub line: usize,
    /// The text, on one line (`⏎` for a line break), shortened, redacted.
    pub text: String,
}

/// One source scored with a guess index built without it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HeldOutSource {
    pub source: String,
    /// Rows of the other sources in the index (besides the rules' examples).
    pub index_rows: usize,
    /// Patterns only (the same as this source's line of `sources`).
    pub patterns: Figures,
    /// Patterns, then a guess from the index without this source.
    pub with_guesses: Figures,
}

/// A floor asked for and whether it holds.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FloorCheck {
    /// `min_top1` or `max_fp`.
    pub name: &'static str,
    /// Percent.
    pub floor: f64,
    /// The overall figure, percent (`null` when there are no rows to
    /// measure it on: the floor is then missed).
    pub value: Option<f64>,
    pub met: bool,
}

/// Everything `rules eval` measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub guesses: bool,
    pub overall: Figures,
    pub splits: Vec<GroupFigures>,
    pub sources: Vec<GroupFigures>,
    pub categories: Vec<CategoryFigures>,
    pub confusion: Vec<ConfusionCell>,
    pub misses: Vec<Miss>,
    /// Misses of held-out rows not listed (without `show_test_misses`).
    pub hidden_test_misses: usize,
    pub leave_one_source_out: Vec<HeldOutSource>,
    pub floors: Vec<FloorCheck>,
}

impl Evaluation {
    /// Every floor asked for holds.
    pub fn passed(&self) -> bool {
        self.floors.iter().all(|f| f.met)
    }
}

/// What the rules make of one row.
#[derive(Debug, Clone, Copy)]
struct Prediction {
    /// The first problem match's category.
    matched: Option<Category>,
    /// Nothing matched at all (not even a routine line): a guess may be asked.
    bare: bool,
}

/// Scores `rows` with `rules` (see the module docs).
pub fn evaluate(rules: &[Rule], rows: &[Row], opts: &Options) -> Result<Evaluation, EngineError> {
    let engine = Engine::new(rules)?;
    let predictions: Vec<Prediction> = rows
        .iter()
        .map(|row| {
            let matches = engine.lookup(row.text.as_bytes());
            Prediction {
                matched: matches
                    .iter()
                    .find(|m| m.rule.role != Role::Informational)
                    .map(|m| m.rule.category),
                bare: matches.is_empty(),
            }
        })
        .collect();
    // (prediction, from a guess) of each row.
    let outcomes: Vec<(Option<Category>, bool)> = if opts.guesses {
        let index = predictions
            .iter()
            .any(|p| p.bare)
            .then(|| Index::new(rules));
        rows.iter()
            .zip(&predictions)
            .map(|(row, p)| match (&index, p.bare) {
                (Some(index), true) => (guess(index, row), true),
                _ => (p.matched, false),
            })
            .collect()
    } else {
        predictions.iter().map(|p| (p.matched, false)).collect()
    };

    let mut overall = Figures::default();
    let mut splits: BTreeMap<String, Figures> = BTreeMap::new();
    let mut sources: Vec<GroupFigures> = Vec::new();
    let mut confusion: BTreeMap<(Label, Option<Category>), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut hidden_test_misses = 0;
    for (row, &(predicted, guessed)) in rows.iter().zip(&outcomes) {
        overall.add(row.label, predicted, guessed);
        if let Some(split) = &row.split {
            (splits.entry(split.clone()).or_default()).add(row.label, predicted, guessed);
        }
        group(&mut sources, &row.source).add(row.label, predicted, guessed);
        *confusion.entry((row.label, predicted)).or_default() += 1;
        let right = match row.label {
            Label::Category(c) => predicted == Some(c),
            Label::Other => predicted.is_none(),
        };
        if right {
            continue;
        }
        if row.held_out() && !opts.show_test_misses {
            hidden_test_misses += 1;
            continue;
        }
        misses.push(Miss {
            id: row.id.clone(),
            label: row.label.as_str().to_string(),
            got: predicted.map_or("none", |c| c.as_str()).to_string(),
            guessed: guessed && predicted.is_some(),
            source: row.source.clone(),
            split: row.split.clone(),
            file: row.file.clone(),
            line: row.line,
            text: one_line(&row.text),
        });
    }

    let categories = Category::ALL
        .iter()
        .filter_map(|&c| {
            let labelled = |l: &Label| *l == Label::Category(c);
            let rows = (confusion.iter())
                .filter(|((l, _), _)| labelled(l))
                .map(|(_, n)| n)
                .sum();
            let predicted = (confusion.iter())
                .filter(|((_, p), _)| *p == Some(c))
                .map(|(_, n)| n)
                .sum();
            let correct = confusion
                .get(&(Label::Category(c), Some(c)))
                .copied()
                .unwrap_or(0);
            (rows > 0 || predicted > 0).then(|| CategoryFigures {
                category: c,
                rows,
                predicted,
                correct,
                precision_pct: pct(correct, predicted),
                recall_pct: pct(correct, rows),
            })
        })
        .collect();
    // Label, then prediction in vocabulary order with `none` last.
    let mut confusion: Vec<_> = confusion.into_iter().collect();
    confusion.sort_by_key(|&((label, predicted), _)| (label, predicted.is_none(), predicted));
    let confusion = confusion
        .into_iter()
        .map(|((label, predicted), count)| ConfusionCell {
            label: label.as_str().to_string(),
            predicted: predicted.map_or("none", |c| c.as_str()).to_string(),
            count,
        })
        .collect();

    let leave_one_source_out = if opts.leave_one_source_out {
        (sources.iter())
            .map(|s| held_out_source(rules, rows, &predictions, &s.name))
            .collect()
    } else {
        Vec::new()
    };

    let floors = [
        ("min_top1", opts.min_top1, overall.top1_pct, true),
        ("max_fp", opts.max_fp, overall.fp_pct, false),
    ]
    .into_iter()
    .filter_map(|(name, floor, value, at_least)| {
        let floor = floor?;
        let met = value.is_some_and(|v| if at_least { v >= floor } else { v <= floor });
        Some(FloorCheck {
            name,
            floor,
            value,
            met,
        })
    })
    .collect();
    Ok(Evaluation {
        guesses: opts.guesses,
        overall,
        splits: (splits.into_iter())
            .map(|(name, figures)| GroupFigures { name, figures })
            .collect(),
        sources,
        categories,
        confusion,
        misses,
        hidden_test_misses,
        leave_one_source_out,
        floors,
    })
}

/// The paraphrase stage's best guess for a row (`None`: no guess).
fn guess(index: &Index<'_>, row: &Row) -> Option<Category> {
    (index.guesses(row.text.as_bytes(), 1).first()).map(|g| g.rule.category)
}

/// The rows of `source`, guessed with an index of the rules' examples and
/// the other sources' rows (see the module docs).
fn held_out_source(
    rules: &[Rule],
    rows: &[Row],
    predictions: &[Prediction],
    source: &str,
) -> HeldOutSource {
    let others = || rows.iter().filter(|r| r.source != source);
    let corpus = others().map(|r| {
        let category = match r.label {
            Label::Category(c) => Some(c),
            Label::Other => None,
        };
        (r.text.as_str(), category)
    });
    let index = Index::with_corpus(rules, corpus);
    let mut patterns = Figures::default();
    let mut with_guesses = Figures::default();
    for (row, p) in rows
        .iter()
        .zip(predictions)
        .filter(|(r, _)| r.source == source)
    {
        patterns.add(row.label, p.matched, false);
        let (predicted, guessed) = if p.bare {
            (guess(&index, row), true)
        } else {
            (p.matched, false)
        };
        with_guesses.add(row.label, predicted, guessed);
    }
    HeldOutSource {
        source: source.to_string(),
        index_rows: others().count(),
        patterns,
        with_guesses,
    }
}

/// The figures of the group `name`, added at the end when new (groups keep
/// the order they first appear in).
fn group<'a>(groups: &'a mut Vec<GroupFigures>, name: &str) -> &'a mut Figures {
    let at = match groups.iter().position(|g| g.name == name) {
        Some(at) => at,
        None => {
            groups.push(GroupFigures {
                name: name.to_string(),
                figures: Figures::default(),
            });
            groups.len() - 1
        }
    };
    &mut groups[at].figures
}

/// A miss's text as one short, redacted line.
fn one_line(text: &str) -> String {
    let flat = text
        .trim()
        .replace("\r\n", "\n")
        .replace('\n', " ⏎ ")
        .replace('\t', " ");
    crate::engine::clip_printable(&crate::normalize::redact(&flat), MISS_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::RuleSet;

    #[test]
    fn tsv_escapes_columns_and_defaults() {
        let tsv = "# a comment\nextra\tid\ttext\tcategory\n\
                   x\t1\tfirst\\nsecond \\\\n \\q\tport_in_use\n\
                   \n\
                   y\t2\tplain\tother\n";
        let rows = parse("f.tsv", tsv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, "1");
        assert_eq!(rows[0].text, "first\nsecond \\n \\q");
        assert_eq!(rows[0].label, Label::Category(Category::PortInUse));
        assert_eq!((rows[0].source.as_str(), rows[0].line), ("f.tsv", 3));
        assert_eq!(rows[1].label, Label::Other);
        assert_eq!(rows[1].split, None);
    }

    #[test]
    fn bad_tsv_names_file_line_and_column() {
        let e = |tsv: &str| parse("f.tsv", tsv.as_bytes()).unwrap_err().to_string();
        assert!(
            e("id\ttext\nx\ty\n").starts_with("f.tsv:1:1: the header has no `category` column"),
            "{}",
            e("id\ttext\n")
        );
        assert!(
            e("id\tcategory\ttext\nok\tother\tfine\nab\tport_in_us\tz\n").starts_with(
                "f.tsv:3:4: unknown category `port_in_us` (did you mean `port_in_use`?)"
            ),
            "{}",
            e("id\tcategory\ttext\nab\tport_in_us\tz\n")
        );
        assert!(
            e("id\tcategory\ttext\nab\tother\n").starts_with("f.tsv:2:9: missing column `text`"),
            "{}",
            e("id\tcategory\ttext\nab\tother\n")
        );
        assert!(e("id\tcategory\ttext\na\tother\tx\na\tother\ty\n")
            .starts_with("f.tsv:3:1: id `a` is already on line 2"));
        assert!(e("id\tcategory\ttext\na\tother\t \n").starts_with("f.tsv:2:9: empty text"));
        assert!(e("\n# only a comment\n").starts_with("f.tsv:1:1: no header row"));
        assert!(parse("f.tsv", b"id\tcategory\ttext\n").unwrap().is_empty());
        let bytes = b"id\tcategory\ttext\na\tother\tx\xff\n";
        assert_eq!(
            parse("f.tsv", bytes).unwrap_err().to_string(),
            "f.tsv:2:10: not UTF-8"
        );
    }

    #[test]
    fn json_lines_and_their_errors() {
        let jsonl =
            "\n{\"id\":\"a\",\"category\":\"disk\",\"text\":\"ENOSPC\",\"source\":\"s\",\"x\":1}\n";
        let rows = parse("f.jsonl", jsonl.as_bytes()).unwrap();
        assert_eq!((rows[0].line, rows[0].source.as_str()), (2, "s"));
        assert_eq!(rows[0].label, Label::Category(Category::Disk));
        let e = |s: &str| parse("f.jsonl", s.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            e("{\"id\":\"a\",\"category\":\"disk\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":1}\n"),
            "f.jsonl:2:18: bad JSON: invalid type: integer `1`, expected a string"
        );
        assert!(e("{\"id\":\"a\",\"text\":\"x\"}")
            .starts_with("f.jsonl:1:21: bad JSON: missing field `category`"));
        assert!(
            e("{\"id\":\"a\", \"category\": \"nope\",\"text\":\"x\"}")
                .starts_with("f.jsonl:1:24: unknown category `nope`"),
            "{}",
            e("{\"id\":\"a\", \"category\": \"nope\",\"text\":\"x\"}")
        );
    }

    /// Garbage made of the characters the parsers treat specially never
    /// panics, and an error points inside the input.
    #[test]
    fn garbage_is_an_error_with_a_position_never_a_panic() {
        let pieces: [&[u8]; 14] = [
            b"\t",
            b"\n",
            b"\r\n",
            b"{",
            b"}",
            b"\"",
            b"\\",
            b":",
            b"id",
            b"category",
            b"text\t",
            "\u{feff}".as_bytes(),
            "埠".as_bytes(),
            b"\xff",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut input = Vec::new();
            let mut prefix: &[u8] = b"";
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            if seed >> 63 == 1 {
                prefix = b"id\tcategory\ttext\n";
            }
            input.extend_from_slice(prefix);
            for _ in 0..(seed >> 58) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                input.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            match parse("g", &input) {
                Ok(rows) => assert!(rows
                    .iter()
                    .all(|r| !r.text.trim().is_empty() && r.line >= 1)),
                Err(e) => {
                    let lines = input.split(|b| *b == b'\n').count();
                    assert!(
                        e.line >= 1 && e.line <= lines && e.col >= 1,
                        "{e} for {input:?}"
                    );
                }
            }
        }
    }

    fn row(id: &str, label: Label, text: &str, source: &str, split: Option<&str>) -> Row {
        Row {
            id: id.into(),
            label,
            text: text.into(),
            source: source.into(),
            split: split.map(str::to_string),
            file: "f".into(),
            line: 1,
        }
    }

    #[test]
    fn figures_confusion_misses_and_floors() {
        let set = RuleSet::builtin();
        let port = Label::Category(Category::PortInUse);
        let rows = [
            row(
                "hit",
                port,
                "Error: listen EADDRINUSE: address already in use :::3001",
                "a",
                Some("tune"),
            ),
            row("miss", port, "something else entirely", "a", Some("tune")),
            row("held", port, "nothing to see here", "b", Some("test")),
            row(
                "fp",
                Label::Other,
                "send failed: gateway not connected",
                "b",
                Some("tune"),
            ),
            row("ok", Label::Other, "all good today", "b", None),
        ];
        let opts = Options {
            min_top1: Some(50.0),
            max_fp: Some(50.0),
            ..Options::default()
        };
        let e = evaluate(&set.rules, &rows, &opts).unwrap();
        assert_eq!((e.overall.in_category, e.overall.top1), (3, 1));
        assert_eq!((e.overall.other, e.overall.false_positives), (2, 1));
        assert_eq!(e.overall.fp_pct, Some(50.0));
        let ids: Vec<&str> = e.misses.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["miss", "fp"]);
        assert_eq!(e.hidden_test_misses, 1);
        assert_eq!(e.misses[1].got, "not_connected");
        let names: Vec<&str> = e.splits.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["test", "tune"]);
        assert_eq!(e.sources[0].figures.top1, 1);
        let cell = |l: &str, p: &str| {
            (e.confusion.iter())
                .find(|c| c.label == l && c.predicted == p)
                .map_or(0, |c| c.count)
        };
        assert_eq!(
            (
                cell("port_in_use", "port_in_use"),
                cell("port_in_use", "none")
            ),
            (1, 2)
        );
        assert_eq!(
            (cell("other", "not_connected"), cell("other", "none")),
            (1, 1)
        );
        let nc = (e.categories.iter())
            .find(|c| c.category == Category::NotConnected)
            .unwrap();
        assert_eq!((nc.rows, nc.predicted, nc.precision_pct), (0, 1, Some(0.0)));
        // 33.3 % top-1 misses its floor; 50 % false positives meets its own.
        assert_eq!(
            e.floors.iter().map(|f| (f.name, f.met)).collect::<Vec<_>>(),
            [("min_top1", false), ("max_fp", true)]
        );
        assert!(!e.passed());
    }

    #[test]
    fn leaving_a_source_out_removes_its_rows_from_the_guess_index() {
        let set = RuleSet::builtin();
        let disk = Label::Category(Category::Disk);
        // A wording no pattern knows, but the guess index learns from the
        // other source: guessed when that source is in, not when it is
        // the one held out.
        let text = "the flux capacitor quantum widget overflowed again";
        let rows = [
            row("a", disk, text, "one", None),
            row(
                "b",
                disk,
                "the flux capacitor quantum widget overflowed twice",
                "two",
                None,
            ),
        ];
        let opts = Options {
            leave_one_source_out: true,
            ..Options::default()
        };
        let e = evaluate(&set.rules, &rows, &opts).unwrap();
        assert_eq!(e.leave_one_source_out.len(), 2);
        for s in &e.leave_one_source_out {
            assert_eq!(s.index_rows, 1);
            assert_eq!(s.patterns.top1, 0);
            assert_eq!(s.with_guesses.top1, 1, "{s:?}");
        }
        // One source alone: nothing of it is in its index.
        let e = evaluate(&set.rules, &rows[..1], &opts).unwrap();
        assert_eq!(e.leave_one_source_out[0].with_guesses.top1, 0);
    }
}
