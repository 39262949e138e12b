//! The dev corpus through `clawdoc rules eval`, the real binary: every
//! labelled message the openclaw package can print, the Chinese wrappers,
//! the seed's messages, the older shared corpus and every line of a healthy
//! real run (`fixtures/corpus/dev.tsv`, written by `evalset.py`; see
//! fixtures/corpus/README.md). Floors are the measured numbers per split
//! (tuned on `tune`; `test` is held out), as printed and behind a log
//! prefix, so a rule change that loses a family, or starts flagging
//! unrelated messages, fails here. Then `rules eval` itself, on a tiny
//! hand-made file whose every count is known.

use unicode_width::UnicodeWidthStr;

use std::collections::BTreeSet;

use crate::harness::{fill, repo, TestEnv};

const CORPUS: &str = "fixtures/corpus/openclaw-2026.9.6-messages.tsv";
const DEV: &str = "fixtures/corpus/dev.tsv";
const PREFIX: &str = "2026-11-29T10:00:00.123Z [gateway] ";

#[test]
fn corpus_is_big_enough_and_labelled_with_known_categories() {
    let text = std::fs::read_to_string(repo().join(CORPUS)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (m, c, s) = (col("message"), col("category"), col("split"));
    let rows: Vec<Vec<&str>> = lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cols| !cols[c].is_empty())
        .collect();
    let other = rows.iter().filter(|r| r[c] == "other").count();
    assert!(rows.len() >= 400, "only {} labelled rows", rows.len());
    assert!(other >= 150, "only {other} `other` rows");
    for r in &rows {
        assert!(
            r[c] == "other" || r[c].parse::<clawdoc::vocab::Category>().is_ok(),
            "unknown category {:?} for {:?}",
            r[c],
            r[m]
        );
        assert!(r[s] == "tune" || r[s] == "test", "{:?}", r[s]);
    }
}

/// dev.tsv is what `evalset.py` writes from today's fixtures: regenerate it
/// (`python3 fixtures/corpus/evalset.py`) after changing any of them.
#[test]
fn dev_tsv_is_generated_from_the_fixtures() {
    let env = TestEnv::new();
    let out = env.path("dev.tsv");
    let status = std::process::Command::new("python3")
        .arg(repo().join("fixtures/corpus/evalset.py"))
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = std::fs::read_to_string(&out).unwrap();
    let committed = std::fs::read_to_string(repo().join(DEV)).unwrap();
    assert!(
        fresh == committed,
        "{DEV} is stale: run `python3 fixtures/corpus/evalset.py`"
    );
}

/// The figures of group `name` in `list` (`splits` or `sources`).
#[track_caller]
fn group<'a>(doc: &'a serde_json::Value, list: &str, name: &str) -> &'a serde_json::Value {
    (doc[list].as_array().unwrap().iter())
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no {list} entry {name}: {doc:#}"))
}

fn pct(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Each split's top-1 floor and false-positive ceiling, `(split, top-1 %,
/// false positives %)`, in a `rules eval --json` document.
#[track_caller]
fn split_floors(doc: &serde_json::Value, what: &str, floors: &[(&str, f64, f64)]) {
    for &(split, min_top1, max_fp) in floors {
        let g = group(doc, "splits", split);
        let (top1, fp) = (pct(&g["top1_pct"]), pct(&g["fp_pct"]));
        eprintln!("{what} {split}: top-1 {top1:.2} %, false positives {fp:.2} %");
        assert!(
            top1 >= min_top1 && fp <= max_fp,
            "{what} {split}: top-1 {top1:.2} % (floor {min_top1}), false positives {fp:.2} % (ceiling {max_fp})\n{}",
            serde_json::to_string_pretty(&doc["misses"]).unwrap()
        );
    }
}

/// `rules eval --json FILE` with the overall floors, checked against the
/// per-split floors; returns the document.
fn eval_with_floors(env: &TestEnv, file: &str, what: &str) -> serde_json::Value {
    // Measured on dev.tsv without the changelog rows: tune 643/651 top-1
    // (98.8 %), 12/5603 false positives (0.21 %); held-out test 143/169
    // (84.6 %), 5/1420 (0.35 %); overall 786/820 (95.9 %), 17/7023
    // (0.24 %). The same behind a prefix. Before tuning on the mid versions
    // (fixtures/corpus/README.md, "Mid versions"): test 138/169 (81.7 %).
    // (The release-2026.5.28 run's 4 tune misses are lines only their
    // neighbours explain: a row is one line.)
    let run = env.run(&[
        "rules",
        "eval",
        "--json",
        "--min-top1",
        "95.8",
        "--max-fp",
        "0.3",
        file,
    ]);
    let doc = run.doc("rules-eval");
    let misses = || serde_json::to_string_pretty(&doc["misses"]).unwrap();
    assert_eq!(
        run.code,
        0,
        "{what}: floors missed: {:#}\n{}",
        doc["floors"],
        misses()
    );
    assert_eq!(doc["passed"], true);
    split_floors(&doc, what, &[("tune", 98.7, 0.25), ("test", 84.5, 0.6)]);
    doc
}

#[test]
fn dev_corpus_holds_its_floors_as_printed_and_behind_a_prefix() {
    let env = TestEnv::new();
    // The `changelog` source has floors of its own (below): the ones here
    // are those of the product's strings and hand-written sources.
    let (dev, _) = split_off_changelog();
    let file = env.write("dev.tsv", &dev);
    let doc = eval_with_floors(&env, file.to_str().unwrap(), "as printed");
    // The held-out rows' misses stay unseen.
    assert!(doc["hidden_test_misses"].as_u64().unwrap() > 0, "{doc:#}");
    assert!(
        (doc["misses"].as_array().unwrap().iter()).all(|m| m["split"] != "test"),
        "{doc:#}"
    );
    // Every source is there, each at least as good as measured; the
    // seed's, the older corpus's and the Chinese wrappers' messages all look
    // up to their family, and no line of the healthy runs (nor a healthy
    // Chinese line) is a problem. (source, rows, top-1 %, false positives %)
    for (source, min_rows, min_top1, max_fp) in [
        ("openclaw-2026.9.6", 1000, 95.3, 0.6),
        ("openclaw-2026.1.29", 500, 92.6, 0.0),
        ("clawdbot-2026.1.24", 500, 93.8, 0.0),
        // Held out as a whole and never tuned on: 20/24, 1/66.
        ("docs-2026.9.6", 90, 83.3, 1.6),
        ("zh-wrappers", 40, 100.0, 0.0),
        ("seed", 45, 100.0, 0.0),
        ("openclaw-source", 130, 100.0, 0.0),
        ("healthy-run", 250, 100.0, 0.0),
        ("healthy-run-2", 500, 100.0, 0.0),
        // A release the rules were not written against, in a fault of its
        // own (pairing); before the rules were mended on it: 21/40, 3/435.
        ("release-2026.5.28-run", 340, 90.0, 0.4),
        // Mid versions (fixtures/corpus/README.md, "Mid versions"). Before
        // any rule was tuned on them: 78/86 and 5/1860; 105/126 and 4/1950.
        // After (tuned on their tune split): 81/86, 119/126.
        ("openclaw-2026.3.31", 1900, 94.1, 0.3),
        ("openclaw-2026.5.28", 2000, 94.3, 0.3),
    ] {
        let g = group(&doc, "sources", source);
        assert!(g["rows"].as_u64().unwrap() >= min_rows, "{source}: {g}");
        let top1 = g["top1_pct"].as_f64().unwrap_or(100.0);
        let fp = g["fp_pct"].as_f64().unwrap_or(0.0);
        assert!(top1 >= min_top1 && fp <= max_fp, "{source}: {g}");
    }

    // Behind a log timestamp and subsystem tag (before the first line);
    // the healthy run's lines are real log lines already, left as they are.
    let mut lines = dev.lines();
    let mut prefixed = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let cols: Vec<&str> = line.splitn(4, '\t').collect();
        let prefix = if cols[3].starts_with("healthy-run") || cols[3].starts_with("release-") {
            ""
        } else {
            PREFIX
        };
        prefixed += &format!(
            "{}\t{}\t{prefix}{}\t{}\n",
            cols[0], cols[1], cols[2], cols[3]
        );
    }
    let file = env.write("prefixed.tsv", prefixed);
    eval_with_floors(&env, file.to_str().unwrap(), "prefixed");
}

// ---- source `changelog` (issue #9): the error texts users reported, as the
// package's CHANGELOG.md quotes them (fixtures/corpus/README.md).

/// dev.tsv's text without the `changelog` rows, and those rows alone (each
/// with the header).
fn split_off_changelog() -> (String, String) {
    let text = std::fs::read_to_string(repo().join(DEV)).unwrap();
    let mut lines = text.lines();
    let header = format!("{}\n", lines.next().unwrap());
    let (mut rest, mut changelog) = (header.clone(), header);
    for line in lines {
        let source = line.split('\t').nth(3).unwrap_or_default();
        let to = if source == "changelog" {
            &mut changelog
        } else {
            &mut rest
        };
        *to += line;
        to.push('\n');
    }
    (rest, changelog)
}

/// Text nobody here wrote and (the `test` half) nobody tuned on: top-1 and
/// false positives per half, as printed and behind a log prefix.
#[test]
fn changelog_rows_hold_their_floors_as_printed_and_behind_a_prefix() {
    let env = TestEnv::new();
    let (_, changelog) = split_off_changelog();
    let prefixed: String = (changelog.lines().enumerate())
        .map(|(n, line)| {
            let mut cols: Vec<String> = line.split('\t').map(str::to_string).collect();
            if n > 0 {
                cols[2] = format!("{PREFIX}{}", cols[2]);
            }
            cols.join("\t") + "\n"
        })
        .collect();
    for (what, body) in [("as printed", changelog.clone()), ("prefixed", prefixed)] {
        let file = env.write("changelog.tsv", body);
        let doc = env
            .run(&["rules", "eval", "--json", file.to_str().unwrap()])
            .doc("rules-eval");
        assert_eq!(group(&doc, "sources", "changelog")["rows"], 245, "{doc:#}");
        // Measured before tuning on it (rules at eb050ec; with
        // `missing scope: operator.read` relabelled auth): tune 11/18
        // top-1, 2/112 false positives; test 4/7, 2/106. After the tune
        // half's misses were worked on: tune 17/18 (94.4 %), 2/112 (1.8 %);
        // test unchanged, 4/7 (57.1 %), 2/106 (1.9 %).
        split_floors(
            &doc,
            &format!("changelog {what}"),
            &[("tune", 94.0, 1.8), ("test", 57.1, 1.9)],
        );
    }
}
// ---- end of source `changelog`

/// `scan` (the other matching path: one combined regex over blocks) agrees:
/// the dev corpus's `other` rows, one per line, are no more often problems
/// than `rules eval` measured, and the healthy run's are none.
#[test]
fn scan_of_the_other_rows_stays_under_the_ceiling() {
    let env = TestEnv::new();
    let bytes = std::fs::read(repo().join(DEV)).unwrap();
    let rows = clawdoc::eval::parse(DEV, &bytes).unwrap();
    let mut all = String::new();
    let mut healthy = String::new();
    for row in rows
        .iter()
        .filter(|r| r.label == clawdoc::eval::Label::Other)
    {
        // One message per line: a multi-line one is joined with spaces.
        let one = row.text.replace(['\n', '\t'], " ");
        all += &format!("{one}\n");
        if row.source.starts_with("healthy-run") {
            healthy += &format!("{one}\n");
        }
    }
    let scan = |name: &str, body: &str| -> serde_json::Value {
        let log = env.write(name, body);
        env.run(&["scan", "--json", log.to_str().unwrap()])
            .doc("scan")
    };
    let json = scan("other.log", &all);
    let lines = json["lines"].as_u64().unwrap();
    let fp = json["matched_lines"].as_u64().unwrap();
    assert!(lines > 1200, "{json}");
    // `rules eval` counts 16 of 6715 (0.24 %; 7 of 2905 before the mid
    // versions); scan, line by line in one file, also flags 16 lines and
    // stays under the earlier 0.7 % ceiling.
    assert!(
        fp as f64 / lines as f64 <= 0.007,
        "{fp} of {lines}: {json:#}"
    );
    let json = scan("healthy.log", &healthy);
    assert_eq!(json["matched_lines"], 0, "{json:#}");
}

// ------------------------------------------- `rules eval` on a tiny file

/// Six rows whose outcome is known: a hit, a miss, a held-out miss, a hit
/// of another category, a routine line, and a two-line paste that is a
/// false positive.
const TINY: &str = "\
# a comment line
id\tcategory\ttext\tsource\tsplit\tnote
p1\tport_in_use\tError: listen EADDRINUSE: address already in use 127.0.0.1:3001\ta\ttune\tx
p2\tport_in_use\tthe flux capacitor is sad today\ta\ttune
n1\tnot_connected\tsend failed: gateway not connected\tb\ttune
o1\tother\t[gateway] listening on :3001\tb\ttune
o2\tother\tall quiet\\nsend failed: gateway not connected\tb\ttune
t1\tdisk\tsomething held out entirely\tb\ttest
";

fn tiny(env: &TestEnv) -> String {
    env.write("tiny.tsv", TINY).to_str().unwrap().to_string()
}

fn ids(list: &serde_json::Value) -> Vec<&str> {
    (list.as_array().unwrap().iter())
        .map(|m| m["id"].as_str().unwrap())
        .collect()
}

#[test]
fn rules_eval_counts_a_tiny_file_exactly() {
    let env = TestEnv::new();
    let file = tiny(&env);
    let run = env.run(&["rules", "eval", "--json", &file]);
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.doc("rules-eval");
    let o = &doc["overall"];
    assert_eq!(
        (
            &o["rows"],
            &o["in_category"],
            &o["top1"],
            &o["other"],
            &o["false_positives"]
        ),
        (&6.into(), &4.into(), &2.into(), &2.into(), &1.into()),
        "{doc:#}"
    );
    assert_eq!((pct(&o["top1_pct"]), pct(&o["fp_pct"])), (50.0, 50.0));
    // The held-out miss (t1) is counted, not listed.
    assert_eq!(ids(&doc["misses"]), ["p2", "o2"], "{doc:#}");
    assert_eq!(doc["misses"][0]["got"], "none");
    assert_eq!(doc["misses"][1]["got"], "not_connected");
    assert_eq!(doc["misses"][1]["line"], 7);
    assert_eq!(
        doc["misses"][1]["text"],
        "all quiet ⏎ send failed: gateway not connected"
    );
    assert_eq!(doc["hidden_test_misses"], 1);
    let cells: Vec<(String, String, u64)> = (doc["confusion"].as_array().unwrap().iter())
        .map(|c| {
            (
                c["label"].as_str().unwrap().into(),
                c["predicted"].as_str().unwrap().into(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let cell = |l: &str, p: &str, n: u64| (l.to_string(), p.to_string(), n);
    assert_eq!(
        cells,
        [
            cell("not_connected", "not_connected", 1),
            cell("port_in_use", "port_in_use", 1),
            cell("port_in_use", "none", 1),
            cell("disk", "none", 1),
            cell("other", "not_connected", 1),
            cell("other", "none", 1),
        ],
        "{doc:#}"
    );
    let nc = (doc["categories"].as_array().unwrap().iter())
        .find(|c| c["category"] == "not_connected")
        .unwrap();
    assert_eq!(
        (&nc["rows"], &nc["predicted"], &nc["correct"]),
        (&1.into(), &2.into(), &1.into())
    );
    assert_eq!(
        (pct(&nc["precision_pct"]), pct(&nc["recall_pct"])),
        (50.0, 100.0)
    );
    assert_eq!(group(&doc, "sources", "a")["top1"], 1);
    assert_eq!(group(&doc, "splits", "test")["rows"], 1);

    // --show-test-misses lists the held-out one too.
    let run = env.run(&["rules", "eval", "--json", "--show-test-misses", &file]);
    let doc = run.doc("rules-eval");
    assert_eq!(ids(&doc["misses"]), ["p2", "o2", "t1"], "{doc:#}");
    assert_eq!(doc["hidden_test_misses"], 0);

    // The same rows as JSON lines on stdin; the source defaults to the
    // file's name.
    let jsonl = "{\"id\":\"p1\",\"category\":\"port_in_use\",\"text\":\"EADDRINUSE :::3001\"}\n\
                 {\"id\":\"o1\",\"category\":\"other\",\"text\":\"all quiet\\nall good\",\"extra\":1}\n";
    let run = env.run_stdin(&["rules", "eval", "--json", "-"], jsonl.as_bytes());
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.doc("rules-eval");
    assert_eq!(
        (&doc["overall"]["top1"], &doc["overall"]["false_positives"]),
        (&1.into(), &0.into())
    );
    assert_eq!(doc["sources"][0]["name"], "<stdin>");
}

#[test]
fn rules_eval_floors_set_the_exit_code_and_say_which() {
    let env = TestEnv::new();
    let file = tiny(&env);
    let met = env.run(&[
        "rules",
        "eval",
        "--min-top1",
        "50",
        "--max-fp",
        "50%",
        &file,
    ]);
    assert_eq!(met.code, 0, "{met:?}");
    assert!(
        met.stdout
            .contains("floor met: top-1 at least 50% (measured 50.00%)"),
        "{met:?}"
    );
    let missed = env.run(&["rules", "eval", "--min-top1", "60", "--max-fp", "50", &file]);
    assert_eq!(missed.code, 1, "{missed:?}");
    assert!(
        missed
            .stdout
            .contains("floor missed: top-1 at least 60% (measured 50.00%)")
            && missed
                .stdout
                .contains("floor met: false positives at most 50%"),
        "{missed:?}"
    );
    let json = env.run(&["rules", "eval", "--json", "--max-fp", "10", &file]);
    assert_eq!(json.code, 1, "{json:?}");
    let doc = json.doc("rules-eval");
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["floors"][0]["name"], "max_fp");
    assert_eq!(doc["floors"][0]["met"], false);
    assert!(
        json.stderr
            .contains("floor missed: false positives at most 10%"),
        "{json:?}"
    );
    let bad = env.run(&["rules", "eval", "--min-top1", "120", &file]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("not between 0 and 100"), "{bad:?}");
}

#[test]
fn rules_eval_bad_input_is_exit_2_with_file_line_col() {
    let env = TestEnv::new();
    for (name, body, want) in [
        (
            "cat.tsv",
            "id\tcategory\ttext\na\tother\tfine\nb\tport_in_us\tx\n",
            "cat.tsv:3:3: unknown category `port_in_us` (did you mean `port_in_use`?)",
        ),
        (
            "col.tsv",
            "id\tcategory\nb\tother\n",
            "col.tsv:1:1: the header has no `text` column",
        ),
        (
            "short.tsv",
            "id\tcategory\ttext\nb\tother\n",
            "short.tsv:2:8: missing column `text`",
        ),
        (
            "bad.jsonl",
            "{\"id\":\"a\",\"category\":\"other\",\"text\":\"x\"}\n{\"id\":\"b\",\"category\":\"other\",\n",
            "bad.jsonl:2:29: bad JSON: EOF while parsing a value",
        ),
    ] {
        let path = env.write(name, body);
        let run = env.run(&["rules", "eval", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(run.stderr.contains(want), "{name}: want {want:?}\n{run:?}");
        assert!(run.stdout.is_empty(), "{name}: {run:?}");
    }
    let missing = env.run(&["rules", "eval", "/nonexistent/eval.tsv"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("cannot open /nonexistent/eval.tsv"),
        "{missing:?}"
    );
}

/// A user rule pack is what is scored (`--rules-dir`): a rule for the
/// miss's wording turns it into a hit.
#[test]
fn rules_eval_scores_a_user_rule_pack() {
    let env = TestEnv::new();
    let file = tiny(&env);
    let dir = env.path("my-rules");
    env.write(
        "my-rules/flux.toml",
        r#"title = "Flux capacitor"
category = "port_in_use"
severity = "error"
section = "not-ready"
meaning = "The flux capacitor holds the port."
patterns = ['flux capacitor is sad']
[[fix]]
action = "advice"
applicability = "display-only"
title = "Cheer it up"
commands = ["clawdoc doctor"]
[[example]]
text = "the flux capacitor is sad"
[[example]]
text = "flux ok"
matches = false
"#,
    );
    let run = env.run(&[
        "--rules-dir",
        dir.to_str().unwrap(),
        "rules",
        "eval",
        "--json",
        &file,
    ]);
    let doc = run.doc("rules-eval");
    assert_eq!(doc["overall"]["top1"], 3, "{doc:#}");
    assert_eq!(ids(&doc["misses"]), ["o2"], "{doc:#}");
}

#[test]
fn rules_eval_leaves_each_source_out_of_the_guess_index() {
    let env = TestEnv::new();
    // Source `b` teaches the guess stage a wording no pattern matches;
    // scored with its own rows out of the index, `a` is still guessed
    // right from `b`'s row, and `b` alone has nothing to learn from.
    let file = env.write(
        "loso.tsv",
        "id\tcategory\ttext\tsource\n\
         a1\tdisk\tthe flux capacitor quantum widget overflowed again\ta\n\
         b1\tdisk\tthe flux capacitor quantum widget overflowed twice\tb\n\
         b2\tother\tall quiet on the western front\tb\n",
    );
    let run = env.run(&[
        "rules",
        "eval",
        "--json",
        "--leave-one-source-out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.doc("rules-eval");
    let loso = doc["leave_one_source_out"].as_array().unwrap();
    assert_eq!(loso.len(), 2, "{doc:#}");
    assert_eq!(
        (&loso[0]["source"], &loso[0]["index_rows"]),
        (&"a".into(), &2.into())
    );
    assert_eq!(loso[0]["patterns"]["top1"], 0, "{doc:#}");
    assert_eq!(loso[0]["with_guesses"]["top1"], 1, "{doc:#}");
    assert_eq!(loso[0]["with_guesses"]["guessed"], 1, "{doc:#}");
    assert_eq!(loso[1]["index_rows"], 1, "{doc:#}");
    assert_eq!(loso[1]["with_guesses"]["top1"], 1, "{doc:#}");
    assert_eq!(loso[1]["with_guesses"]["false_positives"], 0, "{doc:#}");
    // Without the flag, nothing is left out and the figures are patterns only.
    let plain = env
        .run(&["rules", "eval", "--json", file.to_str().unwrap()])
        .doc("rules-eval");
    assert_eq!(plain["leave_one_source_out"], serde_json::json!([]));
    assert_eq!(plain["overall"]["top1"], 0);
    let human = env.run(&[
        "rules",
        "eval",
        "--leave-one-source-out",
        file.to_str().unwrap(),
    ]);
    assert!(human.stdout.contains("Leave one source out"), "{human:?}");
}

/// The human tables line up by display width, in English and in zh-TW
/// (CJK headings take two columns a character).
#[test]
fn rules_eval_human_output_lines_up_in_both_languages() {
    let env = TestEnv::new();
    let file = tiny(&env);
    for (lang, overall, misses) in [
        (
            "en",
            "Overall: top-1 2/4 = 50.0%, false positives 1/2 = 50.0%",
            "Misses (2)",
        ),
        (
            "zh-TW",
            "整體:第一名正確 2/4 = 50.0%,誤報 1/2 = 50.0%",
            "未命中(2)",
        ),
    ] {
        let run = env.run(&["--lang", lang, "rules", "eval", "--guesses", &file]);
        assert_eq!(run.code, 0, "{run:?}");
        let out = &run.stdout;
        assert!(
            out.contains(overall) && out.contains(misses),
            "{lang}: {run:?}"
        );
        // The by-source table: a heading line, a header and one line per
        // source, right-aligned to the same last column.
        let heading = if lang == "en" {
            "By source"
        } else {
            "依來源"
        };
        let table: Vec<&str> = out
            .lines()
            .skip_while(|l| *l != heading)
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(table.len(), 3, "{lang}: {out}");
        let widths: Vec<usize> = table.iter().map(|l| l.width()).collect();
        assert!(
            widths.iter().all(|w| *w == widths[0]),
            "{lang}: {widths:?}\n{out}"
        );
        assert!(
            out.contains("p2") && out.contains("flux capacitor"),
            "{lang}: {out}"
        );
    }
}

// ------------------------------------------------ pasted the ways users paste
//
// Every version's labelled messages (openclaw 2026.9.6 and 2026.1.29,
// clawdbot 2026.1.24: the wordings users of early versions paste), each
// once, pasted behind journald, docker compose or pm2 prefixes, in colour,
// with CRLF, Windows paths, a PowerShell error record, a stack trace,
// `Error: ` …, must score as the plain message does. (CR and ANSI bytes
// cannot ride in dev.tsv, so this goes through `lookup --batch` JSON.)

const EARLY: &str = "fixtures/corpus/openclaw-2026.1.29-messages.tsv";
const CLAWDBOT: &str = "fixtures/corpus/clawdbot-2026.1.24-messages.tsv";

struct Row {
    message: String,
    category: String,
    split: String,
}

fn labelled_rows_of(corpus: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(repo().join(corpus)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (m, c, s) = (col("message"), col("category"), col("split"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cols| !cols[c].is_empty())
        .map(|cols| Row {
            message: cols[m].to_string(),
            category: cols[c].to_string(),
            split: cols[s].to_string(),
        })
        .collect()
}

/// The first match's category of each paste (`None` when nothing matched),
/// from one `lookup --batch` run.
fn tops(env: &TestEnv, texts: &[String]) -> Vec<Option<String>> {
    let input: String = texts
        .iter()
        .map(|t| serde_json::to_string(t).unwrap() + "\n")
        .collect();
    let run = env.run_stdin(&["lookup", "--batch"], input.as_bytes());
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    let out: Vec<Option<String>> = run
        .stdout
        .lines()
        .map(|l| {
            let doc: serde_json::Value = serde_json::from_str(l).unwrap();
            doc["matches"][0]["category"].as_str().map(str::to_string)
        })
        .collect();
    assert_eq!(out.len(), texts.len(), "{run:?}");
    out
}

/// Top-1 accuracy over the in-category rows (one `lookup --batch`, a
/// lookup per row, each message pasted through `paste`) and the
/// false-positive rate over the `other` rows (one `scan` of them all, one
/// message per line: a multi-line message is joined with spaces), plus what
/// missed, for the failure message.
fn score_pasted(
    env: &TestEnv,
    rows: &[&Row],
    paste: impl Fn(&str) -> String,
) -> (f64, f64, Vec<String>) {
    let mut misses = Vec::new();
    let in_cat: Vec<&&Row> = rows.iter().filter(|r| r.category != "other").collect();
    let texts: Vec<String> = in_cat.iter().map(|r| paste(&fill(&r.message))).collect();
    let mut hit = 0;
    for (row, got) in in_cat.iter().zip(tops(env, &texts)) {
        if got.as_deref() == Some(row.category.as_str()) {
            hit += 1;
        } else {
            misses.push(format!("{} <- {got:?}: {}", row.category, row.message));
        }
    }
    let others: Vec<String> = rows
        .iter()
        .filter(|r| r.category == "other")
        .map(|r| paste(&fill(&r.message).replace('\n', " ")))
        .collect();
    let log = env.dir.path().join("other.log");
    let body = others.join("\n");
    std::fs::write(&log, body.clone() + "\n").unwrap();
    let run = env.run(&["scan", "--json", log.to_str().unwrap()]);
    let json = run.json();
    let lines = body.split('\n').count() as u64;
    assert_eq!(json["lines"].as_u64(), Some(lines), "{run:?}");
    let fp = json["matched_lines"].as_u64().unwrap() as usize;
    for rule in json["rules"].as_array().unwrap() {
        misses.push(format!("FP {}: {}", rule["rule_id"], rule["sample"]));
    }
    (
        hit as f64 / in_cat.len() as f64,
        fp as f64 / others.len() as f64,
        misses,
    )
}

/// A filled message as a user pastes it into a bug report (the same kinds
/// as `fixtures/corpus/evalset.py --variant`).
fn paste(kind: &str, text: &str) -> String {
    let per_line = |prefix: &str| {
        text.split('\n')
            .map(|l| format!("{prefix}{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match kind {
        "as-printed" => text.to_string(),
        "journald" => per_line("Nov 30 01:02:03 host node[1234]: "),
        "docker" => per_line("gateway-1  | "),
        "pm2" => per_line("0|openclaw | "),
        "ansi" => format!(
            "\x1b[31m{}\x1b[39m",
            text.replace('\n', "\x1b[39m\n\x1b[31m")
        ),
        "crlf" => text.replace('\n', "\r\n") + "\r\n",
        "windows" => {
            let re = regex::Regex::new(r"(^|[\s(\x22'=])~?/(?:[\w.-]+/)+[\w.-]+").unwrap();
            re.replace_all(text, |c: &regex::Captures<'_>| {
                let path = &c[0][c[1].len()..];
                let rest = path
                    .trim_start_matches('~')
                    .trim_start_matches("/home/")
                    .trim_start_matches('/');
                format!("{}C:\\Users\\{}", &c[1], rest.replace('/', "\\"))
            })
            .into_owned()
        }
        "powershell" => format!(
            "openclaw : {text}\nAt line:1 char:1\n+ openclaw gateway\n+ ~~~~~~~~~~~~~~~~\n    \
             + CategoryInfo          : NotSpecified: (:String) [], RemoteException\n    \
             + FullyQualifiedErrorId : NativeCommandError"
        ),
        "stack" => format!(
            "{text}\n    at Server.setupListenHandle [as _listen2] (node:net:1817:16)\n    \
             at listenInCluster (node:net:1865:12)"
        ),
        "error-prefix" => format!("Error: {text}"),
        "tag-prefix" => format!("[openclaw] {text}"),
        "lobster-prefix" => format!("\u{1f99e} {text}"),
        other => panic!("unknown paste kind {other}"),
    }
}

const PASTES: &[&str] = &[
    "as-printed",
    "journald",
    "docker",
    "pm2",
    "ansi",
    "crlf",
    "windows",
    "powershell",
    "stack",
    "error-prefix",
    "tag-prefix",
    "lobster-prefix",
];

#[test]
fn paste_wrappers_look_like_their_message() {
    // What the wrappers do to a message (the floors below rest on them).
    let m = "Failed to read config at /home/node/.openclaw/openclaw.json\nnext";
    assert_eq!(
        paste("windows", m),
        "Failed to read config at C:\\Users\\node\\.openclaw\\openclaw.json\nnext"
    );
    assert_eq!(
        paste("journald", m).lines().nth(1),
        Some("Nov 30 01:02:03 host node[1234]: next")
    );
    assert!(paste("powershell", m).starts_with("openclaw : Failed"));
    assert!(paste("crlf", m).ends_with("next\r\n"));
}

/// Records a failure when a scored set is below its floor. Only the tune
/// split's misses are printed, so the held-out rows stay unseen by whoever
/// tunes the rules (as `rules eval` does).
fn check(
    failed: &mut Vec<String>,
    what: String,
    split: &str,
    (acc, fp, misses): (f64, f64, Vec<String>),
    (min_acc, max_fp): (f64, f64),
) {
    eprintln!("{what}: top-1 {acc:.4}, false positives {fp:.4}");
    if acc >= min_acc && fp <= max_fp {
        return;
    }
    let shown = if split == "tune" {
        misses.join("\n  ")
    } else {
        format!("({} held-out misses, not printed)", misses.len())
    };
    failed.push(format!(
        "{what}: top-1 {acc:.4} (floor {min_acc}), false positives {fp:.4} (ceiling {max_fp})\n  {shown}"
    ));
}

/// Rows of every version's file, each message once.
fn all_versions() -> Vec<Row> {
    let mut seen = BTreeSet::new();
    [CORPUS, EARLY, CLAWDBOT]
        .into_iter()
        .flat_map(labelled_rows_of)
        .filter(|r| seen.insert(r.message.clone()))
        .collect()
}

#[test]
fn pasted_the_ways_users_paste_messages_keep_their_category() {
    let env = TestEnv::new();
    let rows = all_versions();
    let tune: Vec<&Row> = rows.iter().filter(|r| r.split == "tune").collect();
    let test: Vec<&Row> = rows.iter().filter(|r| r.split == "test").collect();
    // As printed (every version's messages once): tune 175/178 top-1 and
    // 4/1154 false positives, test 53/62 and 2/376; measured the same for
    // every paste kind, and each must keep it.
    let mut failed = Vec::new();
    for kind in PASTES {
        for (split, part, floor) in [
            ("tune", &tune, (0.983, 0.0035)),
            ("test", &test, (0.854, 0.0054)),
        ] {
            let scored = score_pasted(&env, part, |t| paste(kind, t));
            check(&mut failed, format!("{kind} {split}"), split, scored, floor);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_log_shippers_prefix_is_dropped_before_matching() {
    let env = TestEnv::new();
    // docker compose in front of a JSON log record: the record is still read
    // message first, and the text shown is the message, not the prefix.
    let paste = concat!(
        "gateway-1  | {\"time\":\"2026-11-30T01:02:03Z\",\"level\":\"error\",",
        "\"msg\":\"Startup failed: gateway.auth.token is required\"}\n",
        "gateway-1  | Nov 30 01:02:04 host node[1234]: Startup failed: still\n",
    );
    let run = env.run_stdin(&["lookup", "--json"], paste.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let top = &json["matches"][0];
    assert_eq!(top["rule_id"], "not-ready", "{json}");
    let text = top["text"].as_str().unwrap();
    assert!(
        text.starts_with("Startup failed: gateway.auth.token is required  "),
        "{json}"
    );
    // PowerShell's record around a native command's stderr adds nothing.
    let ps = "openclaw : Startup failed: x\nAt line:1 char:1\n+ openclaw gateway\n+ ~~~~~~~~~~~~~~~~\n    + CategoryInfo          : NotSpecified: (Startup failed: x:String) [], RemoteException\n    + FullyQualifiedErrorId : NativeCommandError\n";
    let json = env.run_stdin(&["lookup", "--json"], ps.as_bytes()).json();
    assert_eq!(json["matches"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json["matches"][0]["rule_id"], "not-ready", "{json}");
    assert_eq!(json["matches"][0]["text"], "Startup failed: x", "{json}");
}
