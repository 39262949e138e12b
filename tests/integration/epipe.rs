//! Issue 11 item 14: every command and output path exits quietly (status 0,
//! no panic) when stdout is a pipe whose reader has already gone away
//! (`clawdoc status --json | head -0`).

use std::os::fd::OwnedFd;
use std::process::Stdio;

use crate::harness::{local_config, run_gateway, Run, TestEnv, PINNED};

/// Runs `args` with stdout a pipe whose read end is closed before the
/// command starts, so its first write to stdout fails with EPIPE.
fn run_closed_stdout(env: &TestEnv, args: &[&str]) -> Run {
    let (read, write): (OwnedFd, OwnedFd) = nix::unistd::pipe().unwrap();
    drop(read);
    let out = env
        .cmd(args)
        .stdout(Stdio::from(write))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A command that prints exits 0 once its reader is gone; one that prints
/// nothing on stdout (e.g. `undo` with nothing to undo) keeps its own status.
/// Neither panics nor reports the broken pipe.
fn check(env: &TestEnv, args: &[&str], failures: &mut Vec<String>) {
    let normal = env.run(args);
    let r = run_closed_stdout(env, args);
    let want = if normal.stdout.is_empty() {
        normal.code
    } else {
        0
    };
    if r.code != want || r.stderr.contains("panicked") || r.stderr.contains("Broken pipe") {
        failures.push(format!(
            "clawdoc {} (wanted exit {want}): {r:?}",
            args.join(" ")
        ));
    }
}

#[test]
fn every_command_exits_quietly_on_a_closed_stdout() {
    let env = TestEnv::new();
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let log = env.write(
        "scan.log",
        "gateway not connected\nError: listen EADDRINUSE: address already in use 127.0.0.1:3001\n",
    );
    let log = log.to_str().unwrap().to_string();
    let answers = env.write("answers.txt", "1\nyes\nyes\nyes\nyes\nyes\n");
    let answers = answers.to_str().unwrap().to_string();
    let mut table: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["--version"],
        vec!["lookup", "gateway not connected"],
        vec!["lookup", "--json", "gateway not connected"],
        vec!["lookup", "no rule knows this text zzzz"],
        vec!["scan", &log],
        vec!["scan", "--json", &log],
        vec!["rules", "list"],
        vec!["rules", "show", "oom"],
        vec!["rules", "test"],
        vec!["rules", "lint"],
        vec!["rules", "patterns"],
        vec!["rules", "facts"],
        vec!["doctor"],
        vec!["doctor", "--json"],
        vec!["undo"],
        vec!["undo", "--json"],
        vec!["walk", "--answers", &answers],
        vec!["flowchart"],
        vec!["schema", "lookup"],
        vec!["status"],
        vec!["status", "--json"],
        vec!["gateway", "status", "--json"],
        vec!["logs"],
        vec!["config", "path"],
        vec!["config", "get", "gateway.port"],
        vec!["config", "set", "ai.model", "gpt-x"],
        vec!["config", "unset", "ai.model"],
        vec!["config", "unset", "ai.model"],
        vec!["config", "validate"],
        vec!["config", "validate", "--json"],
        vec!["devices", "list"],
        vec!["devices", "list", "--json"],
    ];
    // Commands that talk to a running gateway.
    let gw = run_gateway(&env, port, &[]);
    let with_gateway: Vec<Vec<&str>> = vec![
        vec!["send", "hello"],
        vec!["login", "whatsapp"],
        vec!["status"],
        vec!["status", "--json"],
        vec!["logs", "--tail", "5"],
        vec!["devices", "list"],
    ];
    table.extend(with_gateway);
    let mut failures = Vec::new();
    for args in &table {
        check(&env, args, &mut failures);
    }
    drop(gw);
    // Lifecycle commands (each prints a line) and setup, last.
    for args in [
        vec!["gateway", "start"],
        vec!["gateway", "restart"],
        vec!["restart"],
        vec!["gateway", "stop"],
        vec![
            "setup",
            "--non-interactive",
            "--force",
            "--port",
            &port.to_string(),
        ],
    ] {
        check(&env, &args, &mut failures);
    }
    // `rules new` writes once: closed stdout first, then the file is there.
    let r = run_closed_stdout(
        &env,
        &[
            "rules",
            "new",
            "my-rule",
            "--from-paste",
            "no rule knows this",
        ],
    );
    if r.code != 0 || r.stderr.contains("panicked") {
        failures.push(format!("clawdoc rules new: {r:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(env.path(".config/clawdoc/rules/my-rule.toml").exists());
}
