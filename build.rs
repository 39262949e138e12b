//! Rebuilds the binary when a built-in rule file changes (they are embedded
//! with `include_dir!`, which stable Rust cannot track by itself), and stamps
//! `--version` with the git revision (`CLAWDOC_GIT_REV`, "unknown" when not
//! built from a git checkout, e.g. from a crates.io tarball).

use std::process::Command;

// The engine's own folding and literal extraction, so the built-in
// patterns' prefilter literals are derived here exactly as at run time.
#[allow(dead_code)]
#[path = "src/ruleset/fold.rs"]
mod fold;
#[allow(dead_code)]
#[path = "src/engine/literals.rs"]
mod literals;
// The guess index's masks and tokeniser, so the known wordings are
// tokenised here exactly as a pasted line is at run time.
#[allow(dead_code, unreachable_pub)]
#[path = "src/normalize/mask.rs"]
mod mask;
mod normalize {
    pub(crate) use super::mask::{mask, may_mask};
}
#[allow(dead_code)]
#[path = "src/engine/paraphrase/tokens.rs"]
mod tokens;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/ruleset/fold.rs");
    println!("cargo:rerun-if-changed=src/engine/literals.rs");
    println!("cargo:rerun-if-changed=src/normalize/mask.rs");
    println!("cargo:rerun-if-changed=src/engine/paraphrase/tokens.rs");
    let corpus = paraphrase_corpus();
    paraphrase_index(&corpus);
    builtin_literals();
    println!("cargo:rerun-if-env-changed=CLAWDOC_GIT_REV");
    let rev = std::env::var("CLAWDOC_GIT_REV")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Rebuild when HEAD moves: HEAD itself and the branch ref it points at.
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={head}");
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(&["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rustc-env=CLAWDOC_GIT_REV={rev}");
}

/// The labelled rows of the dev corpus's `tune` split (message, category),
/// and the Chinese wrappers, for the paraphrase stage's index
/// (`src/engine/paraphrase.rs`). The held-out
/// `test` split stays out of the binary, so it measures unseen text.
fn paraphrase_corpus() -> String {
    // Every version's messages (`<product>-<version>-messages.tsv`: openclaw
    // 2026.9.6 and 2026.1.29, clawdbot 2026.1.24; the docs' signatures are
    // all held out), tune rows only.
    const DIR: &str = "fixtures/corpus";
    println!("cargo:rerun-if-changed={DIR}");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(DIR)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    // Not the CHANGELOG's quotes (`changelog-messages.tsv`): their
    // `plugins.slots.memory: plugin not found: memory-core` made a healthy
    // `│ Memory │ enabled (plugin memory-core)` status row a guess.
    files.retain(|p| {
        p.to_string_lossy().ends_with("-messages.tsv") && !p.ends_with("changelog-messages.tsv")
    });
    files.sort();
    let mut out = String::new();
    let mut seen = std::collections::HashSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let col = |name: &str| header.iter().position(|h| *h == name);
        let (Some(m), Some(c), Some(s)) = (col("message"), col("category"), col("split")) else {
            continue;
        };
        for cols in lines.map(|l| l.split('\t').collect::<Vec<_>>()) {
            let get = |i: usize| cols.get(i).copied().unwrap_or_default();
            if !get(c).is_empty() && get(s) == "tune" && seen.insert(get(m).to_string()) {
                out.push_str(&format!("{}\t{}\n", get(m), get(c)));
            }
        }
    }
    // The Chinese wrappers (hand-written, all tuned on): the families'
    // Chinese wording, and healthy Chinese lines as `other`, so a healthy
    // `网关已就绪` has its own near copy to lose to.
    const ZH: &str = "fixtures/corpus/zh-wrappers.tsv";
    println!("cargo:rerun-if-changed={ZH}");
    let zh = std::fs::read_to_string(ZH).unwrap_or_default();
    for line in zh
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        if let Some((message, category)) = line.split_once('\t') {
            out.push_str(&format!("{message}\t{category}\n"));
        }
    }
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{dir}/paraphrase-corpus.tsv"), &out).expect("OUT_DIR is writable");
    out
}

/// The guess index's documents, tokenised (`src/engine/paraphrase.rs`,
/// `Index::new`): every built-in rule's positive examples (the index
/// decides at run time how a rule's examples count) then the corpus rows;
/// and the built-in examples masked (`builtin-masked-examples.txt`).
/// Written as the sorted terms (`paraphrase-terms.txt`, one a line), the
/// labels (`paraphrase-labels.txt`: `rule:<id>` or a category, one a line)
/// and per document a label byte, a u16 count and that many u16 term ids,
/// little-endian (`paraphrase-docs.bin`): smaller than the rows' text.
fn paraphrase_index(corpus: &str) {
    let mut docs: Vec<(String, Vec<String>)> = Vec::new();
    // Each built-in rule's positive examples masked, for `Engine::closest`:
    // `id US text RS` (ASCII unit and record separators), by id.
    let mut masked = String::new();
    let mut paths: Vec<_> = std::fs::read_dir("rules")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort_by_key(|p| p.file_stem().map(|s| s.to_owned()));
    for path in paths {
        if path.extension().is_none_or(|e| e != "toml") || path.ends_with("flowchart.toml") {
            continue;
        }
        let (Some(id), Ok(table)) = (
            path.file_stem().and_then(|s| s.to_str()),
            std::fs::read_to_string(&path)
                .unwrap_or_default()
                .parse::<toml::Table>(),
        ) else {
            continue; // the rule's own load reports it
        };
        let examples = table.get("example").and_then(|e| e.as_array());
        for ex in examples.into_iter().flatten() {
            let matches = ex.get("matches").and_then(|m| m.as_bool()).unwrap_or(true);
            if let (true, Some(text)) = (matches, ex.get("text").and_then(|t| t.as_str())) {
                docs.push((format!("rule:{id}"), tokens::tokens(text)));
                masked.push_str(&format!("{id}\u{1f}{}\u{1e}", mask::mask(text)));
            }
        }
    }
    for row in corpus.lines() {
        if let Some((message, category)) = row.split_once('\t') {
            docs.push((
                category.to_owned(),
                tokens::tokens(&message.replace("\\n", " ")),
            ));
        }
    }
    docs.retain(|(_, toks)| !toks.is_empty());
    let mut terms: Vec<&str> = docs
        .iter()
        .flat_map(|(_, t)| t.iter().map(String::as_str))
        .collect();
    terms.sort_unstable();
    terms.dedup();
    let mut labels: Vec<&str> = Vec::new();
    let mut bin: Vec<u8> = Vec::new();
    for (label, toks) in &docs {
        let l = labels.iter().position(|x| x == label).unwrap_or_else(|| {
            labels.push(label);
            labels.len() - 1
        });
        bin.push(u8::try_from(l).expect("at most 256 labels"));
        bin.extend(
            u16::try_from(toks.len())
                .expect("short documents")
                .to_le_bytes(),
        );
        for t in toks {
            let id = terms
                .binary_search(&t.as_str())
                .expect("every term is listed");
            bin.extend(
                u16::try_from(id)
                    .expect("at most 65536 terms")
                    .to_le_bytes(),
            );
        }
    }
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(format!("{dir}/{name}"), bytes).expect("OUT_DIR is writable")
    };
    write("paraphrase-terms.txt", terms.join("\n").as_bytes());
    write("paraphrase-labels.txt", labels.join("\n").as_bytes());
    write("paraphrase-docs.bin", &bin);
    write("builtin-masked-examples.txt", masked.as_bytes());
}

/// For every pattern of the built-in rules (`rules/*.toml`): its folded text
/// and the prefilter literals `Engine::new` would derive from it, sorted by
/// pattern, as Rust source (`src/engine.rs` includes it). A start-up then
/// looks them up instead of parsing each pattern; user patterns (and any
/// pattern not found here) still take the run-time path.
fn builtin_literals() {
    let mut folded: Vec<String> = Vec::new();
    // Each rule's (file stem's) patterns, folded: which rules a lookup
    // needs to load at all (`engine::builtin_rules_for`).
    let mut by_rule: Vec<(String, Vec<String>)> = Vec::new();
    // What the no-match path of a lookup shows of each rule (see
    // `ruleset::builtin_outlines`).
    let mut meta: Vec<String> = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("rules")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    for path in paths {
        // `flowchart.toml` is data of its own, not a rule.
        if path.extension().is_none_or(|e| e != "toml") || path.ends_with("flowchart.toml") {
            continue;
        }
        let Ok(table) = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .parse::<toml::Table>()
        else {
            continue; // the rule's own load reports it
        };
        let patterns = table.get("patterns").and_then(|p| p.as_array());
        let own: Vec<String> = (patterns.into_iter().flatten())
            .filter_map(|p| p.as_str())
            .map(fold::folded)
            .collect();
        folded.extend(own.iter().cloned());
        if let Some(id) = path.file_stem().and_then(|s| s.to_str()) {
            by_rule.push((id.to_owned(), own));
            meta.push(rule_meta(id, &table));
        }
    }
    folded.sort();
    folded.dedup();
    by_rule.sort();
    let mut out = String::from(
        "/// Built-in patterns (folded) and their prefilter literals, sorted by pattern (build.rs).\n\
         static BUILTIN_LITERALS: &[(&str, Option<&[&[u8]]>)] = &[\n",
    );
    for f in &folded {
        let lits = match literals::required_literals(f) {
            Some(lits) => format!(
                "Some(&[{}])",
                lits.iter()
                    .map(|l| format!("&{l:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "None".to_owned(),
        };
        out.push_str(&format!("    ({f:?}, {lits}),\n"));
    }
    out.push_str("];\n");
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{dir}/builtin-literals.rs"), out).expect("OUT_DIR is writable");
    // `src/ruleset/pattern.rs` includes this one: the loader takes a
    // built-in pattern's folded text from it, the engine its rule's list.
    let mut out = String::from(
        "/// Each built-in rule file's stem and its patterns (folded), sorted by stem (build.rs).\n\
         pub(crate) static BUILTIN_RULE_PATTERNS: &[(&str, &[&str])] = &[\n",
    );
    for (id, patterns) in &by_rule {
        out.push_str(&format!("    ({id:?}, &{patterns:?}),\n"));
    }
    out.push_str("];\n");
    std::fs::write(format!("{dir}/builtin-rule-patterns.rs"), out).expect("OUT_DIR is writable");
    meta.sort();
    std::fs::write(format!("{dir}/builtin-rule-outlines.txt"), meta.concat())
        .expect("OUT_DIR is writable");
}

/// One record of `builtin-rule-outlines.txt` for rule `id`: id, title,
/// title_zh_tw, category, role, severity, section, priority, `required`
/// when a `[[context]]` block is (unit separators; empty: not given), then
/// a record separator. One string, not a table of `&str`s: each pointer
/// of a static table costs a relocation in the binary.
fn rule_meta(id: &str, table: &toml::Table) -> String {
    let text = |key: &str| table.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let required = (table.get("context").and_then(|c| c.as_array()))
        .into_iter()
        .flatten()
        .any(|c| c.get("required").and_then(|r| r.as_bool()) == Some(true));
    let priority = table.get("priority").and_then(|p| p.as_integer());
    let fields = [
        id,
        text("title"),
        text("title_zh_tw"),
        text("category"),
        text("role"),
        text("severity"),
        text("section"),
        &priority.unwrap_or_default().to_string(),
        if required { "required" } else { "" },
    ];
    format!("{}\u{1e}", fields.join("\u{1f}"))
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}
