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

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/ruleset/fold.rs");
    println!("cargo:rerun-if-changed=src/engine/literals.rs");
    paraphrase_corpus();
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
fn paraphrase_corpus() {
    // Every version's messages (`<product>-<version>-messages.tsv`: openclaw
    // 2026.9.6 and 2026.1.29, clawdbot 2026.1.24; the docs' signatures are
    // all held out), tune rows only.
    const DIR: &str = "fixtures/corpus";
    println!("cargo:rerun-if-changed={DIR}");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(DIR)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.to_string_lossy().ends_with("-messages.tsv"));
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
    std::fs::write(format!("{dir}/paraphrase-corpus.tsv"), out).expect("OUT_DIR is writable");
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
    out.push_str(
        "/// Each built-in rule file's stem and its patterns (folded), sorted by stem (build.rs).\n\
         static BUILTIN_RULE_PATTERNS: &[(&str, &[&str])] = &[\n",
    );
    for (id, patterns) in &by_rule {
        out.push_str(&format!("    ({id:?}, &{patterns:?}),\n"));
    }
    out.push_str("];\n");
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{dir}/builtin-literals.rs"), out).expect("OUT_DIR is writable");
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}
