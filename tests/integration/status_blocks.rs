//! `openclaw gateway status` prints blocks whose lines only mean something
//! together (issue 9, context across lines). The real output, captured by
//! `tests/openclaw/capture.sh healthy-run-2` (fixtures/openclaw/status-blocks/,
//! fixtures/openclaw/gateway-down/, the port-stranger console), looked up
//! whole: the block's cause ranks above each line's own symptom; each line
//! alone is only its symptom; a healthy block says nothing.

use crate::harness::{repo, TestEnv};
use serde_json::Value;

fn fixture(rel: &str) -> String {
    // Placeholders (fixtures/openclaw/README.md): `STRANGER` stands for the
    // stranger's pid, `{STATE}` for the state dir.
    std::fs::read_to_string(repo().join("fixtures/openclaw").join(rel))
        .unwrap()
        .replace("STRANGER", "31337")
        .replace("{STATE}", "/root/.openclaw-dev")
        .replace("{OPENCLAW_CACHE}", "/root/.cache/clawdoc-openclaw")
}

/// The rule ids of `lookup --json` on `text`, best first, and the document.
fn lookup(env: &TestEnv, text: &str) -> (i32, Vec<String>, Value) {
    let run = env.run_stdin(&["lookup", "--json"], text.as_bytes());
    let doc = run.json();
    let ids = (doc["matches"].as_array().unwrap().iter())
        .map(|m| m["rule_id"].as_str().unwrap().to_string())
        .collect();
    (run.code, ids, doc)
}

/// The output of the first `$ openclaw gateway status` in a CLI transcript.
fn first_status(transcript: &str) -> String {
    let start = transcript.find("$ openclaw gateway status\n").unwrap();
    let rest = &transcript[start + 1..];
    let end = rest.find("\n$ ").map_or(rest.len(), |i| i + 1);
    rest[..end].to_string()
}

#[test]
fn a_down_gateway_status_block_names_the_gateway_not_running() {
    let env = TestEnv::new();
    for (rel, port) in [
        ("status-blocks/gateway-status-down.txt", "18910"),
        ("gateway-down/cli.txt", "18789"),
    ] {
        let text = fixture(rel);
        let (code, ids, doc) = lookup(&env, &text);
        assert_eq!(code, 1, "{rel}: {doc}");
        assert_eq!(ids[0], "gateway-status-down", "{rel}: {ids:?}");
        assert_eq!(doc["matches"][0]["captures"]["port"], port, "{rel}");
        // The line's own symptom is still listed, after the block's cause.
        let symptom = ids.iter().position(|i| i == "not-connected");
        assert!(symptom.is_some_and(|p| p > 0), "{rel}: {ids:?}");
    }
    // The block's refused-connection line alone is only the symptom.
    let text = fixture("status-blocks/gateway-status-down.txt");
    let line = text.lines().find(|l| l.contains("ECONNREFUSED")).unwrap();
    let (code, ids, _) = lookup(&env, line);
    assert_eq!((code, ids), (1, vec!["not-connected".to_string()]));
    // Human output: the block's cause first, the OpenClaw way to start it.
    let run = env.run_stdin(&["--target", "openclaw", "lookup"], text.as_bytes());
    assert!(
        run.stdout
            .starts_with("`openclaw gateway status`: nothing listens"),
        "{run:?}"
    );
    assert!(run.stdout.contains("$ openclaw gateway run"), "{run:?}");
}

#[test]
fn a_port_block_names_the_program_that_holds_the_port() {
    let env = TestEnv::new();
    let status = fixture("status-blocks/gateway-status-port-busy.txt");
    let console = fixture("port-stranger/console.txt");
    for (name, text, pid) in [("status", &status, "31337"), ("console", &console, "18811")] {
        let (code, ids, doc) = lookup(&env, text);
        assert_eq!(code, 1, "{name}: {doc}");
        assert_eq!(ids[0], "port-held-by-stranger", "{name}: {ids:?}");
        let caps = &doc["matches"][0]["captures"];
        assert_eq!(caps["pid"], pid, "{name}: {doc}");
        assert!(
            (caps["command"].as_str().unwrap())
                .ends_with("python3 -m http.server 18910 --bind 127.0.0.1")
                || name == "console",
            "{name}: {caps}"
        );
        // `Port … is already in use` alone is port-in-use's; it ranks after.
        let pos = ids.iter().position(|i| i == "port-in-use");
        assert!(pos.is_some_and(|p| p > 0), "{name}: {ids:?}");
    }
    // The `- pid …` line alone names no cause at all.
    let line = status.lines().find(|l| l.starts_with("- pid ")).unwrap();
    let (code, ids, _) = lookup(&env, line);
    assert_eq!(code, 0, "{ids:?}");
    assert!(ids.is_empty(), "{ids:?}");
    // The fix names the holder's pid, and does not offer to stop it.
    let run = env.run_stdin(&["--target", "openclaw", "lookup"], status.as_bytes());
    assert!(
        run.stdout.contains("$ ps -o pid,user,lstart,args -p 31337"),
        "{run:?}"
    );
}

#[test]
fn a_healthy_status_block_says_nothing() {
    let env = TestEnv::new();
    for rel in ["healthy-run/cli.txt", "healthy-run-2/cli.txt"] {
        let block = first_status(&fixture(rel));
        assert!(block.contains("Connectivity probe: ok"), "{rel}: {block}");
        let (code, ids, doc) = lookup(&env, &block);
        assert_eq!((code, ids.len()), (0, 0), "{rel}: {doc}");
        assert_eq!(doc["possible"], serde_json::json!([]), "{rel}: {doc}");
    }
}
