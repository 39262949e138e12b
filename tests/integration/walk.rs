//! `clawdoc walk` and `clawdoc flowchart` through the real binary: probes
//! answer what they can, scripted answers (or a real terminal) the rest, and
//! fixes are applied only when confirmed.

use crate::harness::{free_port, TestEnv};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn answers(env: &TestEnv, lines: &str) -> String {
    env.write("answers.txt", lines)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn walk_refuses_without_a_terminal_or_answers() {
    let env = TestEnv::new();
    let r = env.run(&["walk"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--answers"), "{r:?}");
}

#[test]
fn walk_mode_unset_asks_only_the_symptom_and_applies_the_confirmed_fix() {
    let env = TestEnv::new();
    let port = free_port();
    env.write(
        "config.toml",
        format!("# mine\n[gateway]\nport = {port}\ntoken = \"{TOKEN}\"\n"),
    );
    // 1: "gateway start blocked"; then the fix is confirmed with "yes".
    let file = answers(&env, "1\nyes\n");
    let r = env.run(&["walk", "--answers", &file]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("Is gateway.mode set? → no  (probes:"),
        "probes must answer the check: {r:?}"
    );
    assert!(r.stdout.contains("[mode-unset"), "{r:?}");
    assert!(r.stdout.contains("the problem is gone"), "{r:?}");
    let cfg = env.read("config.toml");
    assert!(
        cfg.contains("# mine") && cfg.contains("mode = \"local\""),
        "{cfg}"
    );
    assert!(!r.all().contains(TOKEN));
}

#[test]
fn walk_declined_fix_changes_nothing() {
    let env = TestEnv::new();
    let original = format!("[gateway]\nport = {}\ntoken = \"{TOKEN}\"\n", free_port());
    env.write("config.toml", &original);
    let file = answers(&env, "2\nno\n");
    let r = env.run(&["walk", "--answers", &file]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(env.read("config.toml"), original);
}

#[test]
fn walk_message_picks_the_branch_and_headless_login_is_advice_only() {
    let env = TestEnv::new();
    let port = free_port();
    let original = format!("[gateway]\nmode = \"local\"\nport = {port}\ntoken = \"{TOKEN}\"\n");
    env.write("config.toml", &original);
    let file = answers(&env, "");
    let r = env.run(&[
        "walk",
        "--json",
        "--answers",
        &file,
        "--message",
        "GatewayRequestError: Web Login Provider is not available",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let doc = r.json();
    assert_eq!(doc["outcome"]["value"], "web-login-provider", "{doc:#}");
    assert_eq!(
        doc["trail"][0]["by"]["message"], "web_login_provider",
        "{doc:#}"
    );
    assert!(doc["applied"].as_array().unwrap().is_empty());
    assert_eq!(env.read("config.toml"), original);
}

#[test]
fn walk_bad_answer_names_the_file_and_line() {
    let env = TestEnv::new();
    let file = answers(&env, "# comment\n42\n");
    let r = env.run(&["walk", "--answers", &file]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("answers.txt:2:1"), "{r:?}");
}

#[test]
fn walk_in_a_real_terminal() {
    let env = TestEnv::new();
    let port = free_port();
    env.write(
        "config.toml",
        format!("[gateway]\nport = {port}\ntoken = \"{TOKEN}\"\n"),
    );
    let mut cmd = env.cmd(&["walk"]);
    // The harness pins stdin to null; rexpect attaches the PTY to it.
    cmd.env("TERM", "xterm")
        .stdin(std::process::Stdio::inherit());
    let mut pty = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    pty.exp_string("Which message do you see?").unwrap();
    pty.send("\r").unwrap(); // the first choice: gateway start blocked
    pty.flush().unwrap();
    pty.exp_string("Apply:").unwrap();
    pty.send("y").unwrap();
    pty.flush().unwrap();
    pty.exp_string("the problem is gone").unwrap();
    pty.exp_eof().unwrap();
    assert!(env.read("config.toml").contains("mode = \"local\""));
}

#[test]
fn flowchart_draws_mermaid_and_dot() {
    let env = TestEnv::new();
    let m = env.run(&["flowchart"]);
    assert_eq!(m.code, 0, "{m:?}");
    assert!(m.stdout.starts_with("flowchart TD"));
    assert!(
        m.stdout.contains("Port already in use"),
        "rule titles at the ends: {m:?}"
    );
    let d = env.run(&["flowchart", "--format", "dot"]);
    assert!(
        d.stdout.starts_with("digraph clawdoc {") && d.stdout.trim_end().ends_with('}'),
        "{d:?}"
    );
    let j = env.run(&["flowchart", "--format", "json"]);
    assert_eq!(j.json()["start"], "symptom");
}

#[test]
fn walk_reads_the_symptom_from_the_gateway_log() {
    let mut env = TestEnv::new();
    let port = free_port();
    env.write(
        "config.toml",
        format!("[gateway]\nmode = \"local\"\nport = {port}\ntoken = \"{TOKEN}\"\n"),
    );
    let stranger = env.spawn_port_holder(port);
    env.write(
        "logs/gateway.log",
        format!(
            "2026-11-25T10:00:00Z INFO [gateway] listening on :{port}\n\
             2026-11-25T11:00:00Z INFO [gateway] starting clawdoc gateway 0.1.0\n\
             2026-11-25T11:00:00Z ERROR Error: listen EADDRINUSE: address already in use 127.0.0.1:{port}\n"
        ),
    );
    let file = answers(&env, "no\n"); // decline the unsafe port move
    let r = env.run(&["walk", "--json", "--answers", &file]);
    let doc = r.json();
    assert_eq!(doc["outcome"]["value"], "port-in-use", "{doc:#}");
    assert_eq!(doc["trail"][0]["by"]["message"], "port_in_use", "{doc:#}");
    assert_eq!(r.code, 1, "{r:?}");
    assert!(crate::harness::pid_alive(stranger));
}
