//! zh-TW / zh-CN through the real binary: the language choice (flag, then
//! CLAWDOC_LANG, then the locale), snapshots of `lookup`, `doctor` and
//! `walk` in zh-TW (and `lookup` in zh-CN), JSON that keeps its keys and
//! ids and says its `lang`, the doctor's ✓/!/✗ table lined up with CJK, a
//! real-terminal walk in zh-TW, and `rules lint` failing on untranslated
//! texts.

use unicode_width::UnicodeWidthStr;

use crate::harness::{fixtures, free_port, TestEnv};

const PASTE: &str = "Error: listen EADDRINUSE: address already in use :::3001";

#[test]
fn lookup_in_zh_tw_snapshot() {
    let env = TestEnv::new();
    let r = env.run(&["--lang", "zh-TW", "lookup", PASTE]);
    assert_eq!(r.code, 1, "{r:?}");
    insta::assert_snapshot!("lookup_zh_tw", r.stdout);
}

#[test]
fn lookup_in_zh_cn_snapshot() {
    let env = TestEnv::new();
    let r = env.run(&[
        "--lang",
        "zh-CN",
        "lookup",
        "disconnected (4008): device token mismatch",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    // Mainland terms, not character-converted Taiwanese ones.
    for word in ["令牌", "设备", "网关"] {
        assert!(r.stdout.contains(word), "{word}: {r:?}");
    }
    for word in ["權杖", "裝置", "权杖", "装置", "闸道"] {
        assert!(!r.stdout.contains(word), "{word}: {r:?}");
    }
    insta::assert_snapshot!("lookup_zh_cn", r.stdout);
}

/// The doctor on a machine with no config: stable except the home path and
/// the machine's own numbers (disk, memory, load), which are masked.
fn doctor_zh_tw(env: &TestEnv) -> String {
    let r = env.run(&["--lang", "zh-TW", "doctor"]);
    assert_eq!(r.code, 1, "{r:?}");
    r.stdout
}

#[test]
fn doctor_in_zh_tw_snapshot() {
    let env = TestEnv::new();
    let out = doctor_zh_tw(&env);
    let home = env.home().display().to_string();
    insta::with_settings!({filters => vec![
        (regex::escape(&home).as_str(), "[HOME]"),
        (r"(?m)^(\[.\] 磁碟 +).*$", "$1[DISK]"),
        (r"(?m)^(\[.\] 系統資源 +).*$", "$1[RESOURCES]"),
        (r"(?m)^(\[.\] 記憶體 +).*$", "$1[OOM]"),
        (r"(?m)^(\[.\] 顯示器 +).*$", "$1[DISPLAY]"),
    ]}, {
        insta::assert_snapshot!("doctor_zh_tw", out);
    });
}

/// Every area line of the table puts its summary at the same terminal
/// column in English and in zh-TW (CJK characters are two columns wide).
#[test]
fn doctor_table_lines_up_with_wide_characters() {
    let env = TestEnv::new();
    let column = |out: &str| -> Vec<(String, usize)> {
        out.lines()
            .filter(|l| l.starts_with("[✓]") || l.starts_with("[!]") || l.starts_with("[✗]"))
            // The table: one line per probe (findings follow, marked too).
            .take(10)
            .map(|l| {
                // The area ("pid 檔" has a space) ends at the first run of
                // two spaces (the longest area is 9 columns, padded to 10,
                // plus one separating space); the summary starts after it.
                let rest = &l[l.find(']').unwrap() + 2..];
                let area_end = rest.find("  ").unwrap();
                let gap = rest[area_end..].len() - rest[area_end..].trim_start().len();
                let prefix = &l[..l.len() - rest.len() + area_end + gap];
                (l.to_string(), UnicodeWidthStr::width(prefix))
            })
            .collect()
    };
    let en = env.run(&["doctor"]);
    let tw = doctor_zh_tw(&env);
    let en_cols = column(&en.stdout);
    let tw_cols = column(&tw);
    assert_eq!(en_cols.len(), 10, "{en:?}");
    assert_eq!(tw_cols.len(), 10, "{tw}");
    let want = en_cols[0].1;
    assert_eq!(want, 15, "{en:?}");
    for (line, col) in en_cols.iter().chain(tw_cols.iter()) {
        assert_eq!(*col, want, "misaligned: {line:?}");
    }
    assert!(
        tw.contains("設定檔") && tw.contains("連接埠"),
        "the zh-TW table has CJK areas: {tw}"
    );
}

#[test]
fn walk_in_zh_tw_snapshot() {
    let env = TestEnv::new();
    let answers = env.write("answers.txt", "13\n否\n");
    let r = env.run(&[
        "--lang",
        "zh-TW",
        "walk",
        "--answers",
        &answers.display().to_string(),
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let home = env.home().display().to_string();
    insta::with_settings!({filters => vec![(regex::escape(&home).as_str(), "[HOME]")]}, {
        insta::assert_snapshot!("walk_zh_tw", r.stdout);
    });
}

#[test]
fn language_precedence_flag_then_env_then_locale() {
    let env = TestEnv::new();
    let title_tw = "連接埠已被占用";
    let title_cn = "端口已被占用";
    let title_en = "Port already in use";
    // (flags, environment, the title that must show)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (&[], &[], title_en),
        (&[], &[("LANG", "zh_TW.UTF-8")], title_tw),
        (&[], &[("LANG", "zh_HK.UTF-8")], title_tw),
        (&[], &[("LANG", "zh_SG.UTF-8")], title_cn),
        (
            &[],
            &[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "zh_CN.UTF-8")],
            title_cn,
        ),
        (
            &[],
            &[("LC_MESSAGES", "zh_CN.UTF-8"), ("LC_ALL", "zh_TW.UTF-8")],
            title_tw,
        ),
        (
            &[],
            &[("LANG", "zh_TW.UTF-8"), ("CLAWDOC_LANG", "en")],
            title_en,
        ),
        (
            &[],
            &[("LANG", "en_US.UTF-8"), ("CLAWDOC_LANG", "zh-CN")],
            title_cn,
        ),
        (
            &["--lang", "zh-TW"],
            &[("CLAWDOC_LANG", "zh-CN"), ("LC_ALL", "en_US.UTF-8")],
            title_tw,
        ),
        (&["--lang", "en"], &[("LC_ALL", "zh_TW.UTF-8")], title_en),
    ];
    for (flags, envs, want) in cases {
        let mut args: Vec<&str> = flags.to_vec();
        args.extend(["lookup", PASTE]);
        let r = env.run_env(&args, envs);
        assert_eq!(r.code, 1, "{flags:?} {envs:?}: {r:?}");
        assert!(
            r.stdout.contains(want),
            "{flags:?} {envs:?} wants {want}: {r:?}"
        );
    }
    let bad = env.run_env(&["lookup", PASTE], &[("CLAWDOC_LANG", "klingon")]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("CLAWDOC_LANG=\"klingon\""), "{bad:?}");
    let bad_flag = env.run(&["--lang", "fr", "lookup", PASTE]);
    assert_eq!(bad_flag.code, 2, "{bad_flag:?}");
    assert!(bad_flag.stderr.contains("en, zh-TW, zh-CN"), "{bad_flag:?}");
}

#[test]
fn json_keeps_keys_and_ids_and_says_its_language() {
    let env = TestEnv::new();
    let en = env.run(&["lookup", "--json", PASTE]).json();
    let tw = env
        .run(&["--lang", "zh-TW", "lookup", "--json", PASTE])
        .json();
    assert_eq!(en["lang"], "en");
    assert_eq!(tw["lang"], "zh-TW");
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&en), keys(&tw));
    assert_eq!(keys(&en["matches"][0]), keys(&tw["matches"][0]));
    assert_eq!(tw["matches"][0]["rule_id"], "port-in-use");
    assert_eq!(tw["matches"][0]["category"], "port_in_use");
    assert_eq!(tw["matches"][0]["title"], "連接埠已被占用(EADDRINUSE)");
    assert_eq!(
        tw["matches"][0]["fixes"][0]["id"],
        en["matches"][0]["fixes"][0]["id"]
    );
    let doctor = env
        .run(&["--lang", "zh-CN", "doctor", "--json"])
        .doc("doctor");
    assert_eq!(doctor["lang"], "zh-CN");
    let walk_answers = env.write("a.txt", "13\nno\n");
    let walk = env
        .run(&[
            "--lang",
            "zh-TW",
            "walk",
            "--json",
            "--answers",
            &walk_answers.display().to_string(),
        ])
        .json();
    assert_eq!(walk["lang"], "zh-TW");
    assert_eq!(walk["outcome"]["value"], "missing-config");
    let chart = env
        .run(&["--lang", "zh-TW", "flowchart", "--format", "json"])
        .doc("flowchart");
    assert_eq!(chart["lang"], "zh-TW");
    assert_eq!(chart["nodes"][0]["id"], "symptom");
    assert_eq!(chart["nodes"][0]["text"], "你看到哪一則訊息?");
}

#[test]
fn a_real_terminal_walk_in_zh_tw() {
    let env = TestEnv::new();
    let port = free_port();
    env.write(
        "config.toml",
        format!("[gateway]\nport = {port}\ntoken = \"0123456789abcdef0123456789abcdef\"\n"),
    );
    let mut cmd = env.cmd(&["walk"]);
    cmd.env("TERM", "xterm")
        .env("LANG", "zh_TW.UTF-8")
        .stdin(std::process::Stdio::inherit());
    let mut pty = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    // rexpect reads the terminal byte by byte as Latin-1: look for the
    // UTF-8 bytes of the Chinese text.
    let bytes = |s: &str| s.bytes().map(char::from).collect::<String>();
    pty.exp_string(&bytes("你看到哪一則訊息?")).unwrap();
    pty.exp_string(&bytes("Gateway 模式未設定")).unwrap();
    pty.send("\r").unwrap(); // the first choice: gateway start blocked
    pty.flush().unwrap();
    pty.exp_string(&bytes("要套用")).unwrap();
    pty.send("y").unwrap();
    pty.flush().unwrap();
    pty.exp_string(&bytes("修復之後:問題已解決")).unwrap();
    pty.exp_eof().unwrap();
    assert!(env.read("config.toml").contains("mode = \"local\""));
}

#[test]
fn lint_fails_on_an_untranslated_rule_and_passes_once_translated() {
    let env = TestEnv::new();
    let dir = fixtures("untranslated");
    let r = env.run(&["--rules-dir", &dir, "rules", "lint"]);
    assert_eq!(r.code, 1, "{r:?}");
    let file = format!("{dir}/quota-hit.toml");
    for (what, line) in [
        ("`title` has no zh-TW translation", 3),
        ("`meaning` has no zh-TW translation", 7),
        ("`causes` has no zh-TW translation", 7),
        ("`[[fix]] title` has no zh-TW translation", 11),
        ("`[[fix]] text` has no zh-TW translation", 11),
    ] {
        assert!(
            r.stdout.contains(&format!("{file}:{line}:")) && r.stdout.contains(what),
            "{what} at line {line}: {r:?}"
        );
    }
    assert!(r.stdout.contains("0 problems, 5 untranslated"), "{r:?}");
    // The rule still loads and speaks English where it has no zh-TW.
    let shown = env.run(&["--rules-dir", &dir, "--lang", "zh-TW", "lookup", "EDQUOT"]);
    assert!(shown.stdout.contains("Disk quota exceeded"), "{shown:?}");
    assert!(shown.stdout.contains("這代表什麼"), "{shown:?}");

    let ok = env.run(&["--rules-dir", &fixtures("translated"), "rules", "lint"]);
    assert_eq!(ok.code, 0, "{ok:?}");
    let tw = env.run(&[
        "--rules-dir",
        &fixtures("translated"),
        "--lang",
        "zh-TW",
        "lookup",
        "EDQUOT",
    ]);
    assert!(tw.stdout.contains("超過磁碟配額"), "{tw:?}");

    let chart = env.run(&[
        "--rules-dir",
        &fixtures("untranslated-chart"),
        "rules",
        "lint",
    ]);
    assert_eq!(chart.code, 1, "{chart:?}");
    assert!(
        chart
            .stdout
            .contains("node `done`: `end` has no zh-TW translation"),
        "{chart:?}"
    );
    assert!(chart.stdout.contains("flowchart.toml:12:"), "{chart:?}");
}

#[test]
fn builtin_rules_and_chart_lint_clean_including_translations() {
    let env = TestEnv::new();
    let r = env.run(&["rules", "lint", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.json()["untranslated"], serde_json::json!([]));
}

#[test]
fn undo_with_nothing_to_undo_says_so_in_zh_tw() {
    let env = TestEnv::new();
    let r = env.run(&["--lang", "zh-TW", "undo"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("沒有可復原的項目"), "{r:?}");
    let cn = env.run(&["--lang", "zh-CN", "undo"]);
    assert!(cn.stderr.contains("没有可复原的项目"), "{cn:?}");
}
