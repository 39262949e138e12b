//! `clawdoc rules …` through the real binary: broken rule files reported with
//! file:line:col and a hint (snapshot) while every other rule loads; user
//! rules override built-ins and show their origin; `rules test`, `patterns`,
//! `show`, `new --from-paste`.

use crate::harness::{fixtures, repo, TestEnv};

#[test]
fn broken_rules_are_reported_with_positions_and_hints() {
    let env = TestEnv::new();
    let dir = fixtures("broken");
    let run = env.run(&["--rules-dir", &dir, "rules", "lint"]);
    assert_eq!(run.code, 1, "{run:?}");
    insta::with_settings!({filters => vec![(regex::escape(&dir).as_str(), "[FIXTURES]")]}, {
        insta::assert_snapshot!("broken_rules_lint", run.stdout);
    });
}

#[test]
fn broken_rules_never_stop_the_others() {
    let env = TestEnv::new();
    let dir = fixtures("broken");
    // The good user rule in the broken directory still works, and so do the built-ins.
    let run = env.run(&[
        "--rules-dir",
        &dir,
        "lookup",
        "--json",
        "flux capacitor 88 offline",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["matches"][0]["rule_id"], "custom-ok");
    assert_eq!(run.json()["matches"][0]["captures"]["code"], "88");
    assert!(
        run.stderr.contains("bad-regex.toml:6:33: invalid regex"),
        "{run:?}"
    );
    let run = env.run(&["--rules-dir", &dir, "lookup", "--json", "EADDRINUSE"]);
    assert_eq!(
        run.json()["matches"][0]["rule_id"],
        "port-in-use",
        "{run:?}"
    );
    // The same through the environment variable.
    let mut cmd = env.cmd(&["rules", "list"]);
    cmd.env("CLAWDOC_RULES_DIR", &dir);
    let out = cmd.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("custom-ok"));
    // rules test refuses to call a set with broken files green.
    let run = env.run(&["--rules-dir", &dir, "rules", "test"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn user_rules_override_builtins_and_show_origin() {
    let env = TestEnv::new();
    let dir = fixtures("good");
    let run = env.run(&["--rules-dir", &dir, "rules", "list", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let rules = run.json()["rules"].as_array().unwrap().clone();
    let oom = rules.iter().find(|r| r["id"] == "oom").unwrap();
    assert_eq!(oom["title"], "Local OOM rule (user override)");
    assert!(
        oom["origin"]
            .as_str()
            .unwrap()
            .ends_with("fixtures/rules/good/oom.toml"),
        "{oom}"
    );
    let port = rules.iter().find(|r| r["id"] == "port-in-use").unwrap();
    assert_eq!(port["origin"], "builtin");
    assert!(rules.iter().any(|r| r["id"] == "quota-hit"));
    // The override replaced the built-in patterns.
    let run = env.run(&["--rules-dir", &dir, "lookup", "--json", "Killed"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["matches"], serde_json::json!([]), "{run:?}");
    // XDG_CONFIG_HOME/clawdoc/rules is read too, and --rules-dir wins over it.
    let xdg = env.path("xdg");
    std::fs::create_dir_all(xdg.join("clawdoc/rules")).unwrap();
    let quota = std::fs::read_to_string(repo().join("fixtures/rules/good/quota-hit.toml")).unwrap();
    std::fs::write(
        xdg.join("clawdoc/rules/quota-hit.toml"),
        quota.replace("Upstream model quota hit", "XDG quota"),
    )
    .unwrap();
    let mut cmd = env.cmd(&["rules", "show", "quota-hit", "--json"]);
    cmd.env("XDG_CONFIG_HOME", &xdg);
    let out = cmd.output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["title"], "XDG quota");
    let mut cmd = env.cmd(&["--rules-dir", &dir, "rules", "show", "quota-hit", "--json"]);
    cmd.env("XDG_CONFIG_HOME", &xdg);
    let json: serde_json::Value = serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
    assert_eq!(json["title"], "Upstream model quota hit");
}

#[test]
fn rules_test_passes_for_builtins_and_reports_missing_and_noisy() {
    let env = TestEnv::new();
    let run = env.run(&["rules", "test"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(" 0 failed"), "{run:?}");

    let dir = env.path("myrules");
    env.write(
        "myrules/wobbly.toml",
        r#"title = "Wobbly"
category = "not_ready"
severity = "warning"
section = "not-ready"
meaning = "m"
patterns = ['wobbl(?P<kind>e|y)']
[[example]]
text = "the gateway is wobbly"
captures = { kind = "e" }
[[example]]
text = "a stable gateway"
[[example]]
text = "wobble wobble"
matches = false
"#,
    );
    let run = env.run(&[
        "--rules-dir",
        dir.to_str().unwrap(),
        "rules",
        "test",
        "--json",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let kinds: Vec<(String, String)> = run.json()["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Capture".to_string(), "the gateway is wobbly".to_string()),
            ("Missing".to_string(), "a stable gateway".to_string()),
            ("Noisy".to_string(), "wobble wobble".to_string()),
        ]
    );
}

#[test]
fn patterns_are_one_per_line_and_valid_for_rg() {
    let env = TestEnv::new();
    let run = env.run(&["rules", "patterns"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.len() > 100, "{}", lines.len());
    for l in &lines {
        assert!(l.starts_with("(?i)"), "{l}");
        regex::bytes::Regex::new(l).unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    // Tools like ripgrep join the lines with `|`: that must compile too.
    regex::bytes::Regex::new(&lines.join("|")).unwrap();
}

#[test]
fn show_displays_conditions_and_examples() {
    let env = TestEnv::new();
    let run = env.run(&["rules", "show", "port-in-use"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("confirmed when port.listening == true and port.holder_is_gateway == false"),
        "{run:?}"
    );
    assert!(run.stdout.contains("origin builtin"), "{run:?}");
    let run = env.run(&["rules", "show", "port-in-us"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `port-in-use`"), "{run:?}");
}

#[test]
fn new_from_paste_scaffolds_a_rule_that_loads_and_passes() {
    let env = TestEnv::new();
    let dir = env.path("mine");
    let d = dir.to_str().unwrap();
    let paste = "2026-03-01T10:00:00Z frobnicator jammed on :8080 (pid 4242)";
    let run = env.run(&[
        "--rules-dir",
        d,
        "rules",
        "new",
        "frobnicator-jam",
        "--from-paste",
        paste,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = std::fs::read_to_string(dir.join("frobnicator-jam.toml")).unwrap();
    assert!(text.contains(paste), "{text}");
    let run = env.run(&["--rules-dir", d, "rules", "test"]);
    assert_eq!(run.code, 0, "{run:?}\n{text}");
    // The same message with other numbers is now recognised.
    let run = env.run(&[
        "--rules-dir",
        d,
        "lookup",
        "--json",
        "frobnicator jammed on :9090 (pid 7)",
    ]);
    assert_eq!(
        run.json()["matches"][0]["rule_id"],
        "frobnicator-jam",
        "{run:?}"
    );
    assert_eq!(run.json()["matches"][0]["captures"]["port"], "9090");
    // Never overwrites.
    let run = env.run(&[
        "--rules-dir",
        d,
        "rules",
        "new",
        "frobnicator-jam",
        "--from-paste",
        paste,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("already exists"));
}

#[test]
fn missing_rules_dir_is_reported_not_fatal() {
    let env = TestEnv::new();
    let run = env.run(&[
        "--rules-dir",
        "/nonexistent/clawdoc-rules",
        "lookup",
        "--json",
        "EADDRINUSE",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("/nonexistent/clawdoc-rules: rule directory does not exist"),
        "{run:?}"
    );
}

#[test]
fn flowchart_draws_every_rule_in_mermaid_dot_and_json() {
    let env = TestEnv::new();
    let rules = env.run(&["rules", "list", "--json"]).json();
    // Informational rules (routine lines) are no problem to troubleshoot.
    let ids: Vec<String> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] != "informational")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 20, "{rules}");

    let run = env.run(&["flowchart", "--format", "mermaid"]);
    assert_eq!(run.code, 0, "{run:?}");
    let m = &run.stdout;
    assert!(m.starts_with("flowchart TD\n"), "{m}");
    // Every rule is reachable from the chart: it ends somewhere.
    for id in &ids {
        let node = format!("rule_{}", id.replace('-', "_"));
        assert!(
            m.contains(&format!("{node}[[")),
            "rule {id} not drawn:\n{m}"
        );
    }
    // Every edge joins declared nodes.
    let declared: std::collections::BTreeSet<&str> = m
        .lines()
        .filter(|l| !l.contains("-->"))
        .filter_map(|l| {
            let l = l.trim();
            let end = l.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
            (end > 0).then(|| &l[..end])
        })
        .collect();
    for l in m.lines().filter(|l| l.contains("-->")) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        let (from, to) = (parts[0], parts[parts.len() - 1]);
        assert!(
            declared.contains(from) && declared.contains(to),
            "dangling edge {l}"
        );
    }

    let run = env.run(&["flowchart", "--format", "dot"]);
    assert_eq!(run.code, 0, "{run:?}");
    let d = &run.stdout;
    assert!(d.starts_with("digraph clawdoc {"), "{d}");
    assert_eq!(d.matches('{').count(), d.matches('}').count(), "{d}");
    assert!(
        d.contains("\"has-config\" -> \"rule:missing-config\" [label=\"no\"];"),
        "{d}"
    );

    let run = env.run(&["flowchart", "--format", "json"]);
    let json = run.doc("flowchart");
    assert_eq!(json["start"], "symptom");
    let check = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "has-config")
        .unwrap();
    assert_eq!(check["when"][0]["fact"], "config.exists");
}

#[test]
fn a_broken_user_flowchart_is_reported_with_its_position() {
    let env = TestEnv::new();
    let dir = env.path("rules");
    env.write("rules/flowchart.toml", "start = \"a\"\n[[node]]\nid = \"a\"\ncheck = \"x?\"\nwhen = [{ fact = \"config.exists\", eq = true }]\nyes = \"b\"\nno = \"rule:missing-config\"\n");
    let run = env.run(&["--rules-dir", dir.to_str().unwrap(), "flowchart"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("flowchart.toml:6:7: `b` names no node or rule"),
        "{run:?}"
    );
}

/// Case folding works on the parsed pattern: a letter written as an escape
/// (`\x41` is `A`) matches either case, like a letter written plainly, and
/// the rule's own examples say so through `rules test`.
#[test]
fn escaped_letters_fold_like_plain_ones() {
    let env = TestEnv::new();
    let dir = env.path("rules");
    env.write(
        "rules/zz-escaped.toml",
        r#"title = "Escaped letters"
category = "auth"
severity = "warning"
section = "nothing-works"
meaning = "A pattern with a hex-escaped capital."
patterns = ['zz\x41BC[\x44-\x46]']
[[fix]]
action = "advice"
applicability = "display-only"
title = "Nothing to do"
text = "Nothing to do."
[[example]]
text = "zzABCD"
[[example]]
text = "zzabce"
[[example]]
text = "zzABCG"
matches = false
"#,
    );
    let dir = dir.display().to_string();
    for text in ["zzABCD", "zzabcf", "ZZAbCe"] {
        let run = env.run(&["--rules-dir", &dir, "lookup", "--json", text]);
        // Recognised: exit 1 (the exit-code table).
        assert_eq!(run.code, 1, "{text}: {run:?}");
        assert_eq!(run.json()["matches"][0]["rule_id"], "zz-escaped", "{text}");
    }
    let run = env.run(&["--rules-dir", &dir, "lookup", "--json", "zzABCG"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["matches"], serde_json::json!([]));
    let lint = env.run(&["--rules-dir", &dir, "rules", "test"]);
    assert_eq!(lint.code, 0, "{lint:?}");
}

/// Patterns may hold literal non-ASCII text (CJK): it matches byte for byte,
/// a quantifier after a character applies to the whole character, and the
/// captures come back intact. Non-ASCII inside a `[class]` cannot work and is
/// reported at its column with a hint.
#[test]
fn literal_chinese_in_patterns_matches_and_class_misuse_is_reported() {
    let env = TestEnv::new();
    let dir = env.path("rules");
    let rule = |patterns: &str| {
        format!(
            r#"title = "Chinese wording"
category = "port_in_use"
severity = "error"
section = "nothing-works"
meaning = "A port in use, in Chinese."
patterns = [{patterns}]
[[fix]]
action = "advice"
applicability = "display-only"
title = "Nothing to do"
text = "Nothing to do."
[[example]]
text = "錯誤：埠 3001 已經被佔用"
[[example]]
text = "端口 3001 已占用"
[[example]]
text = "埠 3001 已釋放"
matches = false
"#
        )
    };
    env.write(
        "rules/zz-chinese.toml",
        rule(r"'(?:埠|端口)\s*(?P<port>\d+)\s*(?:已經|已)?被?\s*(?:佔用|占用)'"),
    );
    let d = dir.display().to_string();
    let run = env.run(&[
        "--rules-dir",
        &d,
        "lookup",
        "--json",
        "錯誤：埠 3001 已經被佔用",
    ]);
    assert_eq!(run.code, 1, "{run:?}"); // recognised: a problem found
    let json = run.json();
    let ours = |json: &serde_json::Value| {
        json["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["rule_id"] == "zz-chinese")
            .cloned()
    };
    let m = ours(&json).expect("zz-chinese matched");
    assert_eq!(m["captures"]["port"], "3001");
    // `被?` is optional as a whole character, not its last byte.
    let run = env.run(&["--rules-dir", &d, "lookup", "--json", "端口 3001 已占用"]);
    assert!(ours(&run.json()).is_some(), "{run:?}");
    let test = env.run(&["--rules-dir", &d, "rules", "test"]);
    assert_eq!(test.code, 0, "{test:?}");

    env.write("rules/zz-chinese.toml", rule(r"'埠\s*[佔占]用'"));
    let lint = env.run(&["--rules-dir", &d, "rules", "lint"]);
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(
        lint.stdout.contains("zz-chinese.toml:6:19") && lint.stdout.contains("[class]"),
        "{lint:?}"
    );
}

/// `rules lint` fails when a rule's own positive example ranks another rule
/// first (here a symptom rule under the root-cause port-in-use), and passes
/// once the rule says it is the cause.
#[test]
fn lint_fails_when_an_example_ranks_another_rule_first() {
    let env = TestEnv::new();
    let dir = env.path("rules");
    let rule = |role: &str| {
        format!(
            r#"title = "Shadowed"
title_zh_tw = "被遮蔽"
category = "not_ready"
severity = "error"
{role}
section = "nothing-works"
meaning = "A rule whose example another rule explains better."
meaning_zh_tw = "範例被另一條規則解釋得更好的規則。"
patterns = ['zzsvc: listen eaddrinuse']
[[fix]]
action = "advice"
applicability = "display-only"
title = "Nothing to do"
title_zh_tw = "無事可做"
text = "Nothing to do."
text_zh_tw = "無事可做。"
[[example]]
text = "zzsvc: listen EADDRINUSE: address already in use :::3001"
[[example]]
text = "zzsvc: listening"
matches = false
"#
        )
    };
    env.write("rules/zz-shadowed.toml", rule(""));
    let d = dir.display().to_string();
    let lint = env.run(&["--rules-dir", &d, "rules", "lint"]);
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(
        lint.stdout.contains("rule zz-shadowed: its example")
            && lint.stdout.contains("ranks rule `port-in-use` first"),
        "{lint:?}"
    );
    env.write(
        "rules/zz-shadowed.toml",
        rule("role = \"root_cause\"\npriority = 1"),
    );
    let lint = env.run(&["--rules-dir", &d, "rules", "lint"]);
    assert_eq!(lint.code, 0, "{lint:?}");
}
