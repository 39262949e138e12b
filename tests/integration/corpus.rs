//! The real product's vocabulary through the real binary: every labelled
//! message the openclaw 2026.9.6 package can print (fixtures/corpus/, see its
//! README) is looked up as a user would paste it, and the rules must keep the
//! accuracy they reached. Floors are the measured numbers (tune and held-out
//! test split each, as printed and behind a log prefix), so a rule change
//! that loses a family, or starts flagging unrelated messages, fails here.
//! Each set of pastes is one `lookup --batch` process (a lookup per row).
//!
//! The older versions' files (openclaw 2026.1.29, clawdbot 2026.1.24: the
//! wordings users of early versions paste) hold their own floors, and every
//! labelled message is also pasted the ways users paste it (behind journald,
//! docker compose or pm2 prefixes, in colour, with CRLF, Windows paths, a
//! PowerShell error record, a stack trace, `Error: ` …; see `paste`).

use std::collections::BTreeSet;

use crate::harness::{fill, labelled_lines, repo, TestEnv};

const CORPUS: &str = "fixtures/corpus/openclaw-2026.9.6-messages.tsv";
const EARLY: &str = "fixtures/corpus/openclaw-2026.1.29-messages.tsv";
const CLAWDBOT: &str = "fixtures/corpus/clawdbot-2026.1.24-messages.tsv";

struct Row {
    message: String,
    category: String,
    split: String,
}

fn labelled_rows() -> Vec<Row> {
    labelled_rows_of(CORPUS)
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
/// lookup per row) and the false-positive rate over the `other` rows (one
/// `scan` of them all, one message per line: a multi-line message is joined
/// with spaces), plus what missed, for the failure message.
fn score(env: &TestEnv, rows: &[&Row], prefix: &str) -> (f64, f64, Vec<String>) {
    score_pasted(env, rows, |text| format!("{prefix}{text}"))
}

/// [`score`] with each message pasted through `paste`.
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

#[test]
fn corpus_is_big_enough_and_labelled_with_known_categories() {
    let rows = labelled_rows();
    let other = rows.iter().filter(|r| r.category == "other").count();
    assert!(rows.len() >= 400, "only {} labelled rows", rows.len());
    assert!(other >= 150, "only {other} `other` rows");
    for r in &rows {
        assert!(
            r.category == "other" || r.category.parse::<clawdoc::vocab::Category>().is_ok(),
            "unknown category {:?} for {:?}",
            r.category,
            r.message
        );
        assert!(r.split == "tune" || r.split == "test", "{:?}", r.split);
    }
}

#[test]
fn corpus_accuracy_and_false_positives_hold_their_floors() {
    let env = TestEnv::new();
    let rows = labelled_rows();
    // (split, prefix, min top-1 accuracy, max false-positive rate): measured
    // 143/146 and 4/756 on tune, 44/50 and 2/270 on the held-out test split,
    // the same behind a timestamp and subsystem tag.
    let floors = [
        ("tune", "", 0.975, 0.0053),
        ("test", "", 0.88, 0.0075),
        ("tune", "2026-11-29T10:00:00.123Z [gateway] ", 0.975, 0.0053),
        ("test", "2026-11-29T10:00:00.123Z [gateway] ", 0.88, 0.0075),
    ];
    let mut failed = Vec::new();
    for (split, prefix, min_acc, max_fp) in floors {
        let part: Vec<&Row> = rows.iter().filter(|r| r.split == split).collect();
        let what = format!("{split} (prefix {prefix:?})");
        let scored = score(&env, &part, prefix);
        check(&mut failed, what, split, scored, (min_acc, max_fp));
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn chinese_wrappers_look_up_to_their_family() {
    let env = TestEnv::new();
    let mut wrong = Vec::new();
    let rows = labelled_lines("fixtures/corpus/zh-wrappers.tsv");
    let n = rows.len();
    let texts: Vec<String> = rows.iter().map(|(m, _)| m.clone()).collect();
    for ((message, want), got) in rows.iter().zip(tops(&env, &texts)) {
        let got = got.unwrap_or_else(|| "other".into());
        if &got != want {
            wrong.push(format!("{message}: want {want}, got {got}"));
        }
    }
    assert!(n >= 40, "only {n} rows");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A filled message as a user pastes it into a bug report (the same kinds
/// as `fixtures/corpus/eval.py --variant`).
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
/// tunes the rules (as with `eval.py --misses`).
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
fn early_versions_hold_their_floors() {
    let env = TestEnv::new();
    // (file, split, min top-1, max false positives): measured on all the
    // file's labelled rows (its wordings 2026.9.6 also prints included),
    // after tuning on the tune rows only. 2026.1.29: 47/47, 0/393 on tune;
    // 17/22, 0/109 on test. clawdbot 2026.1.24: 45/45, 0/393; 17/21, 0/104.
    let floors = [
        (EARLY, "tune", 1.0, 0.0),
        (EARLY, "test", 0.77, 0.0),
        (CLAWDBOT, "tune", 1.0, 0.0),
        (CLAWDBOT, "test", 0.80, 0.0),
    ];
    let mut failed = Vec::new();
    for (file, split, min_acc, max_fp) in floors {
        let floor = (min_acc, max_fp);
        let rows = labelled_rows_of(file);
        assert!(
            rows.len() >= 500,
            "{file}: only {} labelled rows",
            rows.len()
        );
        let part: Vec<&Row> = rows.iter().filter(|r| r.split == split).collect();
        let scored = score(&env, &part, "");
        check(&mut failed, format!("{file} {split}"), split, scored, floor);
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
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
