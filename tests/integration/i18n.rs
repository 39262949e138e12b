//! zh-TW / zh-CN through the real binary: the language choice (flag, then
//! CLAWDOC_LANG, then the locale), snapshots of `lookup`, `doctor` and
//! `walk` in zh-TW (and `lookup` in zh-CN), JSON that keeps its keys and
//! ids and says its `lang`, the doctor's ✓/!/✗ table lined up with CJK, a
//! real-terminal walk in zh-TW, and `rules lint` failing on untranslated
//! texts.

use unicode_width::UnicodeWidthStr;

use crate::harness::{fixtures, free_port, TestEnv};

/// Every `want` is in `out`, and no `english` is.
#[track_caller]
fn says(out: &str, want: &[&str], english: &[&str]) {
    for w in want {
        assert!(out.contains(w), "no `{w}` in:\n{out}");
    }
    for e in english {
        assert!(!out.contains(e), "English `{e}` in:\n{out}");
    }
}

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
    let answers = env.write("answers.txt", "15\n否\n");
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
    let walk_answers = env.write("a.txt", "15\nno\n");
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

/// `doctor --fix` in zh-TW: probe summaries, applied fixes and the
/// verification line come from the catalogue (no English left in them),
/// while `--json` in zh-TW keeps the English summaries and says `lang`.
#[test]
fn doctor_fix_details_in_zh_tw_and_json_summaries_stay_english() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let port = free_port();
    let cfg = env.write(
        "config.toml",
        format!("[gateway]\nport = {port}\ntoken = \"0123456789abcdef0123456789abcdef\"\n"),
    );
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    let shown = cfg.display().to_string();

    let json = env.run(&["--lang", "zh-TW", "doctor", "--json"]);
    assert_eq!(json.code, 1, "{json:?}");
    let report = json.json();
    assert_eq!(report["lang"], "zh-TW", "{report:#}");
    let config = report["initial"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["probe"] == "config")
        .unwrap();
    assert_eq!(
        config["summary"],
        format!("{shown}: gateway.mode is not set (gateway start is blocked)"),
    );

    let r = env.run(&["--lang", "zh-TW", "doctor", "--fix"]);
    assert_eq!(r.code, 0, "{r:?}");
    says(
        &r.stdout,
        &[
            &format!("{shown}:未設定 gateway.mode(閘道無法啟動)"),
            "已啟動閘道(pid ",
            &format!("連接埠 {port} 由閘道持有(pid "),
            "驗證:[✓] 閘道已就緒;這個 CLI 的裝置已連線",
        ],
        // The English of the same lines (what JSON carries) is not shown.
        &[
            "is not set",
            "started the gateway",
            "gateway ready",
            "is held by",
            "is alive",
            "no OOM kill",
            "free,",
            "memory available",
        ],
    );
    let stop = env.run(&["gateway", "stop"]);
    assert_eq!(stop.code, 0, "{stop:?}");

    // `undo` later says what it cannot reverse in the reader's language
    // too: the journal keeps each fix's message, not only its English.
    let undo = env.run(&["--lang", "zh-TW", "undo"]);
    assert_eq!(undo.code, 0, "{undo:?}");
    says(
        &undo.stdout,
        &[
            &format!("已還原 {shown}"),
            "未復原(行程層面的變更):已啟動閘道(pid ",
        ],
        &["started the gateway", "paired", "not reverted"],
    );
}

/// clap speaks zh-TW too: command abouts, headings, option help and the
/// common usage errors (exit 2), chosen by `--lang` or the environment;
/// English help is clap's own.
#[test]
fn help_and_usage_errors_in_zh_tw() {
    let env = TestEnv::new();
    let help = env.run(&["--lang", "zh-TW", "--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    says(
        &help.stdout,
        &[
            "用法: clawdoc [OPTIONS] <COMMAND>",
            "命令:",
            "選項:",
            "  doctor       探測這台機器,解釋找到的每個問題,並在旗標允許的範圍內修復",
            "  help         印出這份說明,或指定子命令的說明",
            "  -h, --help",
            "結束碼(每個命令都一樣):",
        ],
        &[
            "Usage:",
            "Commands:",
            "Probe this machine",
            "Print help",
            "Exit codes",
        ],
    );
    // Subcommands, through the environment's language.
    let gw = env.run_env(&["gateway", "--help"], &[("CLAWDOC_LANG", "zh-TW")]);
    assert!(
        gw.stdout
            .contains("  stop     停止閘道(只會對驗證過的閘道 pid 送出訊號)"),
        "{gw:?}"
    );
    // A command's own options, and one id that means something else in
    // another command (`--force`).
    let doctor = env.run(&["--lang", "zh-TW", "doctor", "--help"]);
    assert!(
        doctor.stdout.contains("--fix              套用安全的修復"),
        "{doctor:?}"
    );
    assert!(!doctor.stdout.contains("Apply safe fixes"), "{doctor:?}");
    // clap's bracketed notes too.
    assert!(doctor.stdout.contains("[預設:auto]"), "{doctor:?}");
    assert!(
        doctor.stdout.contains("[環境變數:CLAWDOC_TARGET]"),
        "{doctor:?}"
    );
    assert!(!doctor.stdout.contains("[default:"), "{doctor:?}");
    assert!(!doctor.stdout.contains("possible values"), "{doctor:?}");
    let setup = env.run(&["--lang", "zh-TW", "setup", "--help"]);
    assert!(setup.stdout.contains("取代既有的設定檔"), "{setup:?}");
    let stop = env.run(&["--lang", "zh-TW", "gateway", "stop", "--help"]);
    assert!(stop.stdout.contains("用 SIGKILL 取代 SIGTERM"), "{stop:?}");
    let typo = env.run(&["--lang", "zh-TW", "doctr"]);
    assert_eq!(typo.code, 2, "{typo:?}");
    assert!(
        typo.stderr.contains("無法識別的子命令「doctr」"),
        "{typo:?}"
    );
    assert!(typo.stderr.contains("「doctor」"), "{typo:?}");
    let bad = env.run(&["--lang", "zh-TW", "doctor", "--bogus"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("無法識別的參數「--bogus」"), "{bad:?}");
    assert!(bad.stderr.contains("用法: clawdoc doctor"), "{bad:?}");
    // English stays clap's.
    let en = env.run(&["--help"]);
    assert!(
        en.stdout.contains("Usage: clawdoc") && en.stdout.contains("Commands:"),
        "{en:?}"
    );
    let en_typo = env.run(&["doctr"]);
    assert!(
        en_typo.stderr.contains("unrecognized subcommand 'doctr'"),
        "{en_typo:?}"
    );
}

/// The everyday commands speak zh-TW: setup, config set/validate, gateway
/// start/status/stop, devices list, and scan, whose table lines up by
/// terminal columns with CJK headings.
#[test]
fn everyday_commands_in_zh_tw() {
    let env = TestEnv::new();
    let port = free_port().to_string();
    let tw = |args: &[&str]| {
        let mut full = vec!["--lang", "zh-TW"];
        full.extend_from_slice(args);
        env.run(&full)
    };
    let cfg = env.path("config.toml").display().to_string();
    let r = tw(&["setup", "--non-interactive", "--port", &port]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains(&format!(
            "已寫入 {cfg}(模式 local,連接埠 {port},新的釘選權杖;檔案權限 0600)"
        )),
        "{r:?}"
    );
    let r = tw(&["config", "set", "ai.model", "x"]);
    assert!(
        r.stdout
            .contains(&format!("已在 {cfg} 中將 ai.model 設為 \"x\"")),
        "{r:?}"
    );
    let r = tw(&["config", "validate"]);
    assert_eq!(r.stdout.trim(), format!("{cfg}:沒有問題"), "{r:?}");
    let r = tw(&["logs"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.starts_with("還沒有閘道日誌:"), "{r:?}");
    // The failure keeps the gateway's own words (rules recognise them);
    // clawdoc's frame and hint are translated.
    let r = tw(&["send", "--channel", "telegram", "hi"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("[telegram] 送出失敗: gateway not connected"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("提示:閘道沒有在執行:`clawdoc gateway start`"),
        "{r:?}"
    );
    let r = tw(&["gateway", "start"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("閘道已啟動(pid "), "{r:?}");
    let r = tw(&["status"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("連接埠 {port},模式 local);/health 在 ")),
        "{r:?}"
    );
    let r = tw(&["devices", "list"]);
    assert!(
        r.stdout.contains("已配對的裝置(") && r.stdout.contains("等待中的請求(0):"),
        "{r:?}"
    );
    let r = tw(&["gateway", "stop"]);
    assert!(r.stdout.starts_with("閘道已停止(pid "), "{r:?}");
    let r = tw(&["status"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stdout.trim(),
        format!("閘道已停止(連接埠 {port},模式 local)")
    );

    let log = env.write(
        "scan.log",
        "Error: listen EADDRINUSE: address already in use :::3001\nok\n\
         disconnected (4008): device token mismatch\n",
    );
    let r = tw(&["scan", &log.display().to_string()]);
    assert_eq!(r.code, 1, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].ends_with("scan.log:3 行,符合 2 行"), "{r:?}");
    // Each column starts at the same terminal column in the heading and the
    // rows: the heading's words end where the rows' right-aligned numbers do.
    let col = |line: &str, word: &str| UnicodeWidthStr::width(&line[..line.find(word).unwrap()]);
    let (head, row) = (lines[1], lines[2]);
    assert_eq!(col(head, "分類"), col(row, "port_in_use"), "{r:?}");
    let end = |line: &str, word: &str| col(line, word) + UnicodeWidthStr::width(word);
    assert_eq!(end(head, "次數"), end(row, "port_in_use") + 16, "{r:?}");
    assert_eq!(end(head, "最後一行") + 2, col(row, "Error:"), "{r:?}");
    assert_eq!(col(head, "範例"), col(row, "Error:"), "{r:?}");
}

/// `rules show` and `rules test` in zh-TW (the rule's own texts were
/// already translated; now the headings and the summary are too).
#[test]
fn rules_show_and_test_in_zh_tw() {
    let env = TestEnv::new();
    let r = env.run(&["--lang", "zh-TW", "rules", "show", "port-in-use"]);
    assert_eq!(r.code, 0, "{r:?}");
    says(
        &r.stdout,
        &[
            "樣式\n",
            "範例\n",
            "  不符合: [gateway] listening on :3001",
            "  符合:   ",
        ],
        &["Patterns", "Examples", "no match:", "category "],
    );
    let r = env.run(&["--lang", "zh-TW", "rules", "test"]);
    assert_eq!(r.code, 0, "{r:?}");
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(
        regex::Regex::new(r"^\d+ 條規則,\d+ 個範例:0 個失敗$")
            .unwrap()
            .is_match(last),
        "{r:?}"
    );
    let r = env.run(&["--lang", "zh-TW", "rules", "show", "port-in-us"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("沒有規則 `port-in-us`(你是不是要找 `port-in-use`?)"),
        "{r:?}"
    );
}
