//! `[[context]]` through the real binary: a rule that needs (or is
//! strengthened by) a neighbouring line, in `lookup` pastes and `scan` logs.
//! Real text: the V8 heap-OOM trace of fixtures/openclaw/oom-late/.

use crate::harness::{repo, TestEnv};

fn ranked(json: &serde_json::Value) -> Vec<(String, u64)> {
    (json["matches"].as_array().unwrap().iter())
        .map(|m| {
            (
                m["rule_id"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn oom_late() -> String {
    std::fs::read_to_string(repo().join("fixtures/openclaw/oom-late/console.txt")).unwrap()
}

#[test]
fn the_heap_oom_ranks_above_its_gc_trace_and_the_trace_needs_its_header() {
    let env = TestEnv::new();
    let console = oom_late();
    let run = env.run_stdin(&["lookup", "--json"], console.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    let got = ranked(&run.json());
    // The cause (the FATAL line) first, the trace (a symptom) after it.
    assert_eq!(got[0], ("v8-heap-oom".to_string(), 14), "{got:?}");
    assert!(
        got.iter().position(|m| m.0 == "v8-gc-trace") > Some(0),
        "{got:?}"
    );
    // The trace alone (a user pasting what scrolled past): recognised.
    let lines: Vec<&str> = console.lines().collect();
    let trace = lines[8..12].join("\n");
    assert!(trace.starts_with("<--- Last few GCs --->"), "{trace}");
    let run = env.run_stdin(&["lookup", "--json"], trace.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["matches"][0]["category"], "oom");
    // GC lines without the header or the FATAL line are `--trace-gc`
    // output of a live process: nothing.
    let gc_only = lines[10..12].join("\n");
    assert!(gc_only.contains("allocation failure"), "{gc_only}");
    let run = env.run_stdin(&["lookup", "--json"], gc_only.as_bytes());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["matches"], serde_json::json!([]));

    // scan: the same window rule, line by line in a log.
    let log = env.write("oom.log", &console);
    let run = env.run(&["scan", "--json", log.to_str().unwrap()]);
    let json = run.json();
    let trace = (json["rules"].as_array().unwrap().iter())
        .find(|r| r["rule_id"] == "v8-gc-trace")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(
        (trace["count"].as_u64(), trace["first_line"].as_u64()),
        (Some(3), Some(9))
    );
    let gc = env.write("gc.log", format!("{gc_only}\n"));
    let run = env.run(&["scan", "--json", gc.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["matched_lines"], 0);
}

#[test]
fn a_shell_killed_job_counts_only_near_an_install_or_a_gateway_start() {
    let env = TestEnv::new();
    let install = "$ npm install -g openclaw\n\nadded 330 packages\n[1]+  Killed                  npm install -g openclaw\n";
    let run = env.run_stdin(&["lookup", "--json"], install.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_eq!(json["matches"][0]["rule_id"], "shell-killed", "{json}");
    assert_eq!(json["matches"][0]["line"], 4);
    assert_eq!(
        json["matches"][0]["captures"]["command"],
        "npm install -g openclaw"
    );
    // The start is on a line above, the killed job is a wrapper script.
    let near = "$ openclaw gateway run --port 18789\n2026-11-29T18:30:00.314+00:00 [gateway] starting...\n[1]+  Killed                  ./run-gateway.sh\n";
    let run = env.run_stdin(&["lookup", "--json"], near.as_bytes());
    assert_eq!(run.json()["matches"][0]["rule_id"], "shell-killed");
    // A job killed by hand, nothing of ours near it.
    let run = env.run(&[
        "lookup",
        "--json",
        "[2]-  Killed                  vim notes.txt",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["matches"], serde_json::json!([]));

    // scan: within 10 lines of the start counts, 30 lines away does not.
    let mut log = String::from("$ openclaw gateway run\n");
    log.push_str(&"[gateway] starting...\n".repeat(3));
    log.push_str("[1]+  Killed                  ./run-gateway.sh\n");
    log.push_str(&"other work\n".repeat(30));
    log.push_str("[2]+  Killed                  ./run-gateway.sh\n");
    let path = env.write("shell.log", &log);
    let run = env.run(&["scan", "--json", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_eq!(json["matched_lines"], 1, "{json}");
    assert_eq!(json["rules"][0]["rule_id"], "shell-killed");
    assert_eq!(json["rules"][0]["first_line"], 5);
}

/// A context block that is not required strengthens: of two rules that
/// explain a line equally, the one whose context is near ranks first. A
/// window wider than 50 lines is a lint error with its position.
#[test]
fn optional_context_ranks_higher_and_windows_are_bounded() {
    let env = TestEnv::new();
    let rule = |ctx: &str| {
        format!(
            r#"title = "t"
title_zh_tw = "t"
category = "oom"
severity = "error"
section = "not-connected"
meaning = "m"
meaning_zh_tw = "m"
patterns = ['widget exploded']
{ctx}
[[fix]]
action = "advice"
applicability = "display-only"
title = "f"
title_zh_tw = "f"
text = "x"
text_zh_tw = "x"

[[example]]
text = "widget exploded"

[[example]]
text = "widget fine"
matches = false
"#
        )
    };
    env.write("rules/a-plain.toml", rule(""));
    env.write(
        "rules/b-context.toml",
        rule("[[context]]\npatterns = ['low on memory']\nwithin = 2\n"),
    );
    let dir = env.path("rules");
    let dir = dir.to_str().unwrap();
    let lookup = |text: &str| {
        let run = env.run_stdin(&["--rules-dir", dir, "lookup", "--json"], text.as_bytes());
        ranked(&run.json())
    };
    // Without the context line: a tie, broken by id.
    assert_eq!(lookup("widget exploded")[0].0, "a-plain");
    // With it two lines above: the rule with context wins.
    assert_eq!(
        lookup("low on memory\nok\nwidget exploded")[0].0,
        "b-context"
    );
    // Three lines above is out of reach.
    assert_eq!(
        lookup("low on memory\nok\nok\nwidget exploded")[0].0,
        "a-plain"
    );

    env.write(
        "rules/c-wide.toml",
        rule("[[context]]\npatterns = ['x']\nwithin = 500\n"),
    );
    let run = env.run(&["--rules-dir", dir, "rules", "lint"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.all().contains("c-wide.toml:11:10") && run.all().contains("more than 50 lines"),
        "{run:?}"
    );
}
