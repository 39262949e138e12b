//! A healthy real OpenClaw run (fixtures/openclaw/healthy-run/: start,
//! `gateway status`, `health`, `status`, `devices list`, `gateway call
//! health`, a refused `gateway stop`, an in-process restart, SIGTERM) is a
//! negative: `scan` and `lookup` tell the user to fix nothing in any of its
//! console, file-log or CLI lines. The routine lines that look like problems
//! (a status probe's `missing scope: operator.read`, the CLI probe's 1008
//! `device-required`) are recognised by informational rules and listed as
//! routine, with exit 0.

use crate::harness::{openclaw_fixture, TestEnv};

const FILES: &[&str] = &["console.txt", "file-log.jsonl", "cli.txt"];

fn fixture(name: &str) -> String {
    openclaw_fixture(&format!("healthy-run/{name}"))
}

fn ids(list: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = (list.as_array().unwrap().iter())
        .map(|r| r["rule_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn scan_finds_no_problem_in_a_healthy_run() {
    let env = TestEnv::new();
    let mut routine = Vec::new();
    for name in FILES {
        let run = env.run(&["scan", "--json", &fixture(name)]);
        assert_eq!(run.code, 0, "{name}: {run:?}");
        let json = run.json();
        assert!(json["lines"].as_u64().unwrap() > 30, "{name}: {json}");
        assert_eq!(json["matched_lines"], 0, "{name}: {json}");
        assert_eq!(json["rules"], serde_json::json!([]), "{name}: {json}");
        routine.extend(ids(&json["routine"]));
    }
    routine.sort();
    // Both routine lines are in the console and in the file log; the CLI
    // transcript echoes a `Gateway call: health`.
    assert_eq!(
        routine,
        [
            "cli-gateway-call",
            "probe-before-pairing",
            "probe-before-pairing",
            "status-probe-scope",
            "status-probe-scope"
        ]
    );
    let human = env.run(&["scan", &fixture("console.txt")]);
    assert_eq!(human.code, 0, "{human:?}");
    assert!(
        human.stdout.contains("0 matched, 2 routine") && human.stdout.contains("no rule matched"),
        "{human:?}"
    );
}

#[test]
fn lookup_of_a_healthy_run_pasted_whole_says_nothing_to_fix() {
    let env = TestEnv::new();
    for name in FILES {
        let text = std::fs::read(fixture(name)).unwrap();
        let run = env.run_stdin(&["lookup", "--json"], &text);
        assert_eq!(run.code, 0, "{name}: {run:?}");
        let json = run.json();
        assert_eq!(json["matches"], serde_json::json!([]), "{name}: {json}");
        let human = env.run_stdin(&["lookup"], &text);
        assert_eq!(human.code, 0, "{name}: {human:?}");
        assert!(!human.stdout.contains("Fixes"), "{name}: {human:?}");
    }
}

/// Each routine line alone, as a user would paste it: recognised, ranked as
/// routine (not a cause), exit 0; the same words from a real client that
/// is not the CLI's probe stay a problem.
#[test]
fn a_routine_line_is_never_the_cause() {
    let env = TestEnv::new();
    let console = std::fs::read_to_string(fixture("console.txt")).unwrap();
    for (needle, rule) in [
        ("missing scope: operator.read", "status-probe-scope"),
        ("cause=device-required", "probe-before-pairing"),
    ] {
        let line = console.lines().find(|l| l.contains(needle)).unwrap();
        let run = env.run(&["lookup", "--json", line]);
        assert_eq!(run.code, 0, "{run:?}");
        let json = run.json();
        assert_eq!(json["matches"], serde_json::json!([]), "{json}");
        assert_eq!(ids(&json["routine"]), [rule], "{json}");
        let human = env.run(&["lookup", line]);
        assert!(
            human
                .stdout
                .contains("Nothing to fix: only routine lines matched."),
            "{human:?}"
        );
    }
    // A routine line next to a real error: the error is the cause (exit 1),
    // the routine line is listed apart.
    let scope = console
        .lines()
        .find(|l| l.contains("operator.read"))
        .unwrap();
    let paste =
        format!("{scope}\nError: listen EADDRINUSE: address already in use 127.0.0.1:18789\n");
    let run = env.run_stdin(&["lookup", "--json"], paste.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_eq!(json["matches"][0]["rule_id"], "port-in-use", "{json}");
    assert_eq!(ids(&json["routine"]), ["status-probe-scope"], "{json}");
    // Not the CLI's probe: a control UI turned away is a problem.
    let ui = "[ws] closed before connect conn=1 code=1008 reason=connect failed cause=device-required client=control-ui mode=webchat";
    let run = env.run(&["lookup", "--json", ui]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["routine"], serde_json::json!([]));
    let write =
        "⇄ res ✗ chat.send 3ms errorCode=FORBIDDEN errorMessage=missing scope: operator.write";
    let run = env.run(&["lookup", "--json", write]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["matches"][0]["category"], "auth");
}

/// Every line of the healthy console and file log looked up on its own (one
/// `lookup --batch`): no problem, and no guess either (the paraphrase stage
/// runs on each line no pattern matched). The CLI transcript's lines are
/// not problems; its guesses are counted, not forbidden (see
/// fixtures/corpus/README.md, Paraphrases: 2 of its 164 non-empty lines).
#[test]
fn every_healthy_line_alone_is_no_problem_and_no_guess() {
    let env = TestEnv::new();
    for name in FILES {
        let docs = each_line_alone(&env, &fixture(name));
        let guessed: Vec<&serde_json::Value> = (docs.iter())
            .filter(|d| d["possible"] != serde_json::json!([]))
            .collect();
        if *name == "cli.txt" {
            assert!(guessed.len() <= 2, "{name}: {guessed:?}");
        } else {
            assert!(guessed.is_empty(), "{name}: {guessed:?}");
        }
    }
}

/// `lookup --batch` of each non-empty line of the file at `path` alone
/// (`{STATE}` filled in): one document a line, none with a match (exit 0).
fn each_line_alone(env: &TestEnv, path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("{STATE}", "/root/.openclaw-dev");
    let pastes: String = (text.lines())
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::to_string(l).unwrap() + "\n")
        .collect();
    let run = env.run_stdin(&["lookup", "--batch"], pastes.as_bytes());
    assert_eq!(run.code, 0, "{path}: {run:?}");
    let docs: Vec<serde_json::Value> = (run.stdout.lines())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), pastes.lines().count(), "{path}");
    for d in &docs {
        assert_eq!(d["matches"], serde_json::json!([]), "{path}: {d}");
    }
    docs
}

/// No pattern matches a paraphrase; the paraphrase stage says what it may
/// be, plainly as a guess, with exit 0.
#[test]
fn a_paraphrase_gets_a_guess_never_a_match() {
    let env = TestEnv::new();
    let text = "the disk is full: no space left to write the state database";
    let run = env.run(&["lookup", "--json", text]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_eq!(json["matches"], serde_json::json!([]), "{json}");
    assert_eq!(json["possible"][0]["rule_id"], "disk-full", "{json}");
    let score = json["possible"][0]["score"].as_f64().unwrap();
    assert!((0.44..=1.5).contains(&score), "{json}");
    let human = env.run(&["lookup", text]);
    assert_eq!(human.code, 0, "{human:?}");
    assert!(
        human.stdout.contains("No rule matched.")
            && human
                .stdout
                .contains("Possible causes (guesses from similar wording, not a match)")
            && human.stdout.contains("disk-full"),
        "{human:?}"
    );
    // A pattern match is never joined by guesses.
    let run = env.run(&["lookup", "--json", "ENOSPC: no space left on device, write"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["possible"], serde_json::json!([]));
}

/// The second healthy capture (fixtures/openclaw/healthy-run-2/, from
/// `tests/openclaw/capture.sh healthy-run-2`): start, `gateway status`,
/// `health`, `status`, a second CLI identity, a NEW device (a node host,
/// paired by the gateway and its capabilities approved with `openclaw
/// nodes approve`), an in-process `gateway restart`, a stop + start while
/// the node host retries, SIGTERM. Every console, file-log and CLI line,
/// and the node host's own console.
const RUN2: &[&str] = &[
    "console-run1.txt",
    "console-run2.txt",
    "file-log.jsonl",
    "cli.txt",
    "cli-device2.txt",
    "node-console.txt",
];

fn fixture2(name: &str) -> String {
    openclaw_fixture(&format!("healthy-run-2/{name}"))
}

#[test]
fn scan_finds_no_problem_in_the_second_healthy_run() {
    let env = TestEnv::new();
    let mut routine = Vec::new();
    for name in RUN2 {
        let run = env.run(&["scan", "--json", &fixture2(name)]);
        assert_eq!(run.code, 0, "{name}: {run:?}");
        let json = run.json();
        assert!(json["lines"].as_u64().unwrap() > 20, "{name}: {json}");
        assert_eq!(json["matched_lines"], 0, "{name}: {json}");
        assert_eq!(json["rules"], serde_json::json!([]), "{name}: {json}");
        for id in ids(&json["routine"]) {
            if !routine.contains(&id) {
                routine.push(id);
            }
        }
        // Pasted whole: nothing to fix either.
        let text = std::fs::read(fixture2(name)).unwrap();
        let run = env.run_stdin(&["lookup", "--json"], &text);
        assert_eq!(run.code, 0, "{name}: {run:?}");
        assert_eq!(run.json()["matches"], serde_json::json!([]), "{name}");
    }
    routine.sort();
    // The CLI's probe turned away before pairing, the status probe's
    // limited scope, the node host reconnecting after each restart, and
    // the second CLI's `Gateway call: health` echo.
    assert_eq!(
        routine,
        [
            "cli-gateway-call",
            "node-host-reconnect",
            "probe-before-pairing",
            "status-probe-scope"
        ]
    );
    // The node host's reconnects are routine only with the reconnect near
    // them: the refused attempts alone are a gateway that is not there.
    let node = std::fs::read_to_string(fixture2("node-console.txt")).unwrap();
    let refused: String = (node.lines())
        .filter(|l| l.contains("connect failed: connect ECONNREFUSED"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!refused.is_empty());
    let run = env.run_stdin(&["lookup", "--json"], refused.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["matches"][0]["rule_id"], "not-connected");
    let file = env.path("refused.log");
    std::fs::write(&file, &refused).unwrap();
    let run = env.run(&["scan", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_eq!(ids(&json["rules"]), ["not-connected"], "{json}");
    assert_eq!(json["routine"], serde_json::json!([]), "{json}");
}

/// Each gateway console and file-log line of the second run alone: no
/// problem, no guess. The CLI transcripts' lines are no problem; their
/// guesses are counted (the `$ openclaw devices list` and `$ openclaw
/// nodes approve <id>` lines the capture echoes, and `openclaw status`'s
/// gateway row; the `nodes approve` echo since the mid versions' rows
/// joined the guess index).
#[test]
fn every_line_of_the_second_healthy_run_alone_is_no_problem() {
    let env = TestEnv::new();
    for name in &RUN2[..5] {
        let docs = each_line_alone(&env, &fixture2(name));
        let guessed = (docs.iter())
            .filter(|d| d["possible"] != serde_json::json!([]))
            .count();
        let most = if *name == "cli.txt" { 6 } else { 0 };
        assert!(guessed <= most, "{name}: {guessed} guesses");
    }
}
