//! QA regressions: odd states and bad input a user hits at 2 a.m. that the
//! feature suites did not cover. Each test reproduces one bug found in QA.

use std::process::Stdio;

use serde_json::Value;

use crate::harness::{free_port, TestEnv};

/// A config path that cannot be read (here: a directory) leaves the gateway
/// unable to start. The doctor must not call that healthy.
#[test]
fn doctor_is_not_healthy_when_the_config_cannot_be_read() {
    let env = TestEnv::new();
    let port = free_port().to_string();
    std::fs::create_dir(env.path("config.toml")).unwrap();
    let envs = [("CLAWDOC_GATEWAY_PORT", port.as_str())];

    let r = env.run_env(&["doctor"], &envs);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(!r.stdout.contains("No problems found"), "{r:?}");
    assert!(r.stdout.contains("config.toml"), "{r:?}");

    let r = env.run_env(&["doctor", "--json"], &envs);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json()["healthy"], false, "{r:?}");

    let r = env.run_env(&["doctor", "--fix"], &envs);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        env.path("config.toml").is_dir(),
        "the directory was left alone"
    );
    env.stop_gateway();
}

/// Two `doctor --fix` on one fresh home at once: one config, one token, one
/// gateway; the CLI device still works after a restart (a second default
/// config written over the first would change the token under the running
/// gateway: 4008 after the next restart).
#[test]
fn two_doctor_fix_runs_at_once_write_one_config() {
    for _ in 0..5 {
        let env = TestEnv::new();
        let port = free_port().to_string();
        let spawn = || {
            env.cmd(&["doctor", "--fix"])
                .env("CLAWDOC_GATEWAY_PORT", &port)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let a = a.wait_with_output().unwrap();
        let b = b.wait_with_output().unwrap();
        let codes = (a.status.code(), b.status.code());
        let text = format!(
            "{}{}{}{}",
            String::from_utf8_lossy(&a.stdout),
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stdout),
            String::from_utf8_lossy(&b.stderr)
        );
        assert_eq!(codes, (Some(0), Some(0)), "{text}");
        assert!(
            !env.path("config.toml.bak.1").exists(),
            "a second default config overwrote the first:\n{text}"
        );
        let envs = [("CLAWDOC_GATEWAY_PORT", port.as_str())];
        let r = env.run_env(&["restart"], &envs);
        assert_eq!(r.code, 0, "{r:?}");
        let r = env.run_env(&["send", "--channel", "telegram", "hi"], &envs);
        assert_eq!(r.code, 0, "{r:?}\n{text}");
        env.stop_gateway();
    }
}

/// In remote mode the gateway does not auto-approve the CLI's device, but
/// the doctor runs on the gateway's own machine and home: pairing this CLI
/// must still work end to end.
#[test]
fn doctor_fix_pairs_the_cli_in_remote_mode() {
    let env = TestEnv::new();
    let port = free_port().to_string();
    let r = env.run(&[
        "setup",
        "--non-interactive",
        "--mode",
        "remote",
        "--port",
        &port,
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["doctor", "--fix", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let report = r.doc("doctor");
    let actions: Vec<&Value> = report["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["action"])
        .collect();
    assert!(
        actions.contains(&&Value::from("approve_cli_device")),
        "{report:#}"
    );
    assert_eq!(report["healthy"], true, "{report:#}");
    let r = env.run(&["send", "--channel", "telegram", "hi"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("[telegram] sent 2 chars"), "{r:?}");
    let r = env.run(&["doctor"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("No problems found"), "{r:?}");
    env.stop_gateway();
}

/// `config get` prints the effective value; when the file holds a bad value
/// for the key, the user must be told (with file:line:col) that the default
/// is used instead, not silently handed the default.
#[test]
fn config_get_warns_about_a_bad_value_in_the_file() {
    let env = TestEnv::new();
    env.write(
        "config.toml",
        "[gateway]\nmode = \"local\"\nport = \"abc\"\n",
    );
    let r = env.run(&["config", "get", "gateway.port"]);
    assert_eq!(r.stdout.trim(), "3001", "{r:?}");
    assert!(r.stderr.contains("config.toml:3:8"), "{r:?}");
    assert!(r.stderr.contains("gateway.port"), "{r:?}");
    // Other keys are not affected.
    let r = env.run(&["config", "get", "gateway.mode"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "local"), "{r:?}");
    assert!(r.stderr.is_empty(), "{r:?}");
}

/// A paste with a control character (a stray escape byte from a terminal)
/// must still scaffold a rule that loads: TOML literal strings cannot hold
/// control characters.
#[test]
fn rules_new_from_a_paste_with_control_characters() {
    let env = TestEnv::new();
    let r = env.run(&[
        "rules",
        "new",
        "ctl-paste",
        "--from-paste",
        "gateway \u{1} exploded on port 4242",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["rules", "test"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.all().contains("skipped"), "{r:?}");
}

/// `lookup` reads invalid UTF-8 lossily on stdin; an argument with the same
/// bytes (a paste from a mis-encoded log) must work the same way.
#[test]
fn lookup_argument_with_invalid_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let arg = std::ffi::OsStr::from_bytes(b"\xff\xfe listen EADDRINUSE \xc3");
    let out = env.cmd(&["lookup", "--json"]).arg(arg).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{:?}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["matches"][0]["category"], "port_in_use", "{json:#}");
}

#[test]
fn status_and_undo_json_follow_the_environment_and_say_nothing_to_undo() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path("config.toml")).unwrap(); // unreadable as a config
    let port = free_port().to_string();
    let st = env.run_env(
        &["status", "--json"],
        &[("CLAWDOC_GATEWAY_PORT", port.as_str())],
    );
    assert_eq!(st.code, 1, "{st:?}");
    assert_eq!(st.doc("status")["port"].to_string(), port, "{st:?}");
    let undo = env.run(&["undo", "--json"]);
    assert_eq!(undo.code, 1, "{undo:?}");
    assert_eq!(undo.doc("undo")["nothing_to_undo"], true);
}

#[test]
fn control_characters_in_input_are_not_echoed_to_the_terminal() {
    let env = TestEnv::new();
    let r = env.run_stdin(&["lookup"], b"weird \x07\x08\x0b\x7f thing\n");
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("weird"), "{r:?}");
    assert!(
        !r.stdout
            .bytes()
            .any(|b| b < 0x20 && b != b'\n' && b != b'\t' || b == 0x7f),
        "{:?}",
        r.stdout
    );
    let m = env.run_stdin(
        &["lookup"],
        b"send failed: gateway not connected \x07\x08\n",
    );
    assert_eq!(m.code, 1, "{m:?}");
    assert!(
        !m.stdout
            .bytes()
            .any(|b| b < 0x20 && b != b'\n' && b != b'\t'),
        "{:?}",
        m.stdout
    );
}

/// `--json` field names are a contract: scripts parse them. This pins the
/// doctor's and status's documents (lookup's and scan's are pinned in the
/// engine tests).
#[test]
fn json_field_names_are_stable() {
    let keys = crate::harness::sorted_keys;
    let env = TestEnv::new();
    let port = free_port().to_string();
    let envs = [("CLAWDOC_GATEWAY_PORT", port.as_str())];
    let doctor = env.run_env(&["doctor", "--json"], &envs).json();
    assert_eq!(
        keys(&doctor),
        [
            "applied",
            "elapsed",
            "final",
            "healthy",
            "initial",
            "lang",
            "left",
            "plan",
            "rounds",
            "schema_version",
            "target",
            "verification"
        ]
    );
    assert_eq!(
        keys(&doctor["target"]),
        ["chosen_by", "config", "name", "port", "state_dir"]
    );
    assert_eq!(doctor["target"]["name"], "embedded");
    assert_eq!(
        keys(&doctor["initial"]),
        ["evidence", "findings", "history", "log"]
    );
    let f = &doctor["initial"]["findings"][0];
    for k in [
        "rule_id", "category", "title", "severity", "meaning", "section", "verdict", "evidence",
        "fixes",
    ] {
        assert!(f.get(k).is_some(), "finding lacks {k}: {f:#}");
    }
    let e = &doctor["initial"]["evidence"][0];
    assert_eq!(keys(e), ["elapsed", "facts", "probe", "status", "summary"]);
    let status = env.run_env(&["status", "--json"], &envs).json();
    for k in [
        "schema_version",
        "state",
        "pid",
        "port",
        "mode",
        "ready",
        "health_ms",
    ] {
        assert!(status.get(k).is_some(), "status lacks {k}: {status:#}");
    }
}
