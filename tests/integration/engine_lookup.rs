//! `clawdoc lookup` through the real binary: the seed's messages and the real
//! gateway's corpus look up to their category, ranking picks the root cause,
//! odd input (ANSI, CRLF, JSON lines, full-width, invalid UTF-8, garbage)
//! never panics, and the JSON/exit-code contract holds.

use crate::harness::{fill, labelled_lines, repo, sorted_keys, TestEnv};

fn top_category(env: &TestEnv, text: &str) -> (i32, String, serde_json::Value) {
    let run = env.run_stdin(&["lookup", "--json"], text.as_bytes());
    let json = run.json();
    let cat = json["matches"][0]["category"]
        .as_str()
        .unwrap_or("<none>")
        .to_string();
    (run.code, cat, json)
}

#[test]
fn every_seed_message_looks_up_to_its_category() {
    let env = TestEnv::new();
    let mut wrong = Vec::new();
    let rows = labelled_lines("fixtures/logs/seed-messages.tsv");
    let n = rows.len();
    for (message, want) in &rows {
        let (code, got, _) = top_category(&env, message);
        if code != 1 || &got != want {
            wrong.push(format!("{message:?}: want {want}, got {got} (exit {code})"));
        }
    }
    assert!(n >= 45, "only {n} seed messages");
    assert!(
        wrong.is_empty(),
        "{} of {n} seed messages wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_corpus_row_in_a_category_looks_up_to_it() {
    let env = TestEnv::new();
    let categories: Vec<&str> = clawdoc::vocab::Category::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let text =
        std::fs::read_to_string(repo().join("fixtures/logs/openclaw-source-messages.tsv")).unwrap();
    let (mut checked, mut other, mut other_matched) = (0, 0, 0);
    let mut wrong = Vec::new();
    for row in text.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (message, category) = (cols[0], cols[2]);
        let filled = fill(message);
        let (code, got, _) = top_category(&env, &filled);
        if categories.contains(&category) {
            checked += 1;
            if got != category {
                wrong.push(format!(
                    "{filled:?}: want {category}, got {got} (exit {code})"
                ));
            }
        } else {
            other += 1;
            if code == 1 {
                other_matched += 1;
            }
        }
    }
    eprintln!("corpus: {checked} in-category rows checked; {other_matched} of {other} `other` rows match some rule");
    assert!(checked >= 130, "only {checked} rows checked");
    assert!(
        wrong.is_empty(),
        "{} of {checked} corpus rows wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn json_contract_and_exit_codes() {
    let env = TestEnv::new();
    let run = env.run(&[
        "lookup",
        "--json",
        "Error: connect ECONNREFUSED 127.0.0.1:3001",
    ]);
    // A recognised error is a problem found: exit 1; nothing recognised: 0.
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let first = &json["matches"][0];
    let keys = sorted_keys(first);
    assert_eq!(
        keys,
        ["captures", "category", "fixes", "line", "rule_id", "severity", "text", "title"]
    );
    assert_eq!(first["rule_id"], "not-connected");
    assert_eq!(first["captures"]["port"], "3001");
    assert_eq!(first["line"], 1);
    let fix = &first["fixes"][0];
    let fix_keys = sorted_keys(fix);
    assert_eq!(fix_keys, ["applicability", "id", "title"]);
    assert_eq!(fix["id"], "start_gateway");
    assert_eq!(fix["applicability"], "safe");

    let none = env.run(&["lookup", "--json", "everything is fine today"]);
    assert_eq!(none.code, 0, "{none:?}");
    assert_eq!(
        none.json(),
        serde_json::json!({"schema_version": 1, "lang": "en", "matches": [], "routine": [], "possible": []})
    );
}

#[test]
fn ranking_is_explained_by_root_cause_and_specificity() {
    let env = TestEnv::new();
    // A symptom with its root cause further down: the cause comes first.
    let excerpt = "2026-03-01T10:00:00Z [gateway] starting\n\
                   2026-03-01T10:00:01Z Error: listen EADDRINUSE: address already in use 127.0.0.1:3001\n\
                   2026-03-01T10:01:00Z gateway did not become ready within 60s\n";
    let (_, _, json) = top_category(&env, excerpt);
    let ids: Vec<&str> = json["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["port-in-use", "not-ready"]);
    assert_eq!(json["matches"][0]["line"], 2);
    assert_eq!(json["matches"][0]["captures"]["port"], "3001");
    // The more specific token rule beats the generic 4008/auth rules.
    let (_, cat, json) = top_category(
        &env,
        "disconnected (4008): connect failed — device token mismatch",
    );
    assert_eq!(cat, "token_mismatch");
    assert_eq!(json["matches"][1]["category"], "auth");
    // OOM explains "not connected".
    let (_, cat, _) = top_category(
        &env,
        "[telegram] send failed: gateway not connected\nKilled\n",
    );
    assert_eq!(cat, "oom");
}

#[test]
fn human_output_names_cause_fixes_commands_and_section() {
    let env = TestEnv::new();
    let run = env.run(&[
        "lookup",
        "Error: listen EADDRINUSE: address already in use :::3001",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let out = &run.stdout;
    for needle in [
        "Port already in use",
        "What it means",
        "Why, on a typical machine",
        "[display-only] See who holds port 3001",
        "$ lsof -i :3001",
        "[unsafe] Move the gateway to a free port",
        "unsafe because:",
        "Flowchart: 3. Gateway Did Not Become Ready",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    let run = env.run(&[
        "lookup",
        "gateway start blocked: set gateway.mode=local (current: unset)",
    ]);
    assert!(
        run.stdout
            .contains("$ clawdoc config set gateway.mode local"),
        "{run:?}"
    );
    assert!(run.stdout.contains("[safe]"), "{run:?}");
}

#[test]
fn nothing_matched_shows_template_closest_rules_and_scaffold_offer() {
    let env = TestEnv::new();
    let run = env.run(&[
        "lookup",
        "frobnicator 7f3a9c21 jammed at /var/lib/x.db pid 4242 port :8080",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("No rule matched"), "{run:?}");
    assert!(
        run.stdout
            .contains("frobnicator <hex> jammed at <path> pid <pid> port :<port>"),
        "{run:?}"
    );
    assert!(run.stdout.contains("Closest rules"), "{run:?}");
    assert!(
        run.stdout
            .contains("clawdoc rules new my-error --from-paste"),
        "{run:?}"
    );
}

#[test]
fn messy_input_is_normalised() {
    let env = TestEnv::new();
    let cases: &[(&[u8], &str)] = &[
        (b"\x1b[31mERROR\x1b[0m \x1b[1mEADDRINUSE\x1b[0m :::3001\r\n", "port_in_use"),
        ("ＥＲＲＯＲ：ｇａｔｅｗａｙ　ｎｏｔ　ｃｏｎｎｅｃｔｅｄ".as_bytes(), "not_connected"),
        ("錯誤：gateway start blocked: set gateway.mode=local（current: unset）".as_bytes(), "mode_unset"),
        (br#"{"time":"2026-03-01T10:00:00Z","level":"warn","msg":"unknown config key: \"model\""}"#, "invalid_config"),
        (b"Mar 01 10:00:00 host kernel: Out of memory: Killed process 4242 (clawdoc) total-vm:1g\n", "oom"),
        (b"bad \xff\xfe bytes then SQLITE_CANTOPEN: unable to open database file", "permissions"),
        (b"[2026-03-01 10:00:00] [WARN] [gateway] Gateway Restart Timed Out", "restart_timeout"),
    ];
    for (input, want) in cases {
        let (code, got, json) = top_category(&env, &String::from_utf8_lossy(input));
        assert_eq!(
            (code, got.as_str()),
            (1, *want),
            "{:?}: {json}",
            String::from_utf8_lossy(input)
        );
        // Also as raw bytes on stdin (invalid UTF-8 kept).
        let run = env.run_stdin(&["lookup", "--json"], input);
        assert_eq!(run.json()["matches"][0]["category"], *want, "{run:?}");
    }
}

#[test]
fn garbage_input_never_panics() {
    let env = TestEnv::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = vec![0u8; 256 * 1024];
    for b in random.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        *b = seed as u8;
    }
    let mut huge_line = vec![b'a'; 20 << 20];
    huge_line.extend_from_slice(b" EADDRINUSE :3001");
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("nul", vec![0u8; 1000]),
        (
            "invalid utf-8",
            b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc".to_vec(),
        ),
        ("random bytes", random),
        (
            "lone escapes",
            b"\x1b\x1b[\x1b]\x9b\x1b[999999999999m".to_vec(),
        ),
        ("broken json", b"{\"msg\": \"EADDRINUSE\"".to_vec()),
        ("huge line", huge_line),
        ("only newlines", vec![b'\n'; 100_000]),
    ];
    for (name, input) in inputs {
        for args in [&["lookup"][..], &["lookup", "--json"][..]] {
            let run = env.run_stdin(args, &input);
            assert!(run.code == 0 || run.code == 1, "{name} {args:?}: {run:?}");
            assert!(!run.stderr.contains("panicked"), "{name}: {run:?}");
        }
    }
    let run = env.run_stdin(&["lookup", "--json"], &[b'a'; 1 << 20]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut huge = vec![b'x'; 20 << 20];
    huge.extend_from_slice(b" EADDRINUSE :3001");
    let run = env.run_stdin(&["lookup", "--json"], &huge);
    assert_eq!(run.json()["matches"][0]["category"], "port_in_use");
}

#[test]
fn secrets_in_pasted_logs_are_never_repeated() {
    let env = TestEnv::new();
    let token = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let paste = format!("unauthorized: gateway token mismatch token={token}\nsomething odd with password: {token}\n");
    let run = env.run_stdin(&["lookup", "--json"], paste.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        !run.stdout.contains(token) && run.stdout.contains("token=<redacted>"),
        "{run:?}"
    );
    let run = env.run_stdin(&["lookup"], paste.as_bytes());
    assert!(!run.all().contains(token), "{run:?}");
    let run = env.run_stdin(
        &["lookup"],
        format!("frobnicated secret={token}").as_bytes(),
    );
    assert_eq!(run.code, 0);
    assert!(!run.all().contains(token), "{run:?}");
    let log = env.write("g.log", &paste);
    let run = env.run(&["scan", "--json", log.to_str().unwrap()]);
    assert!(!run.all().contains(token), "{run:?}");
}
