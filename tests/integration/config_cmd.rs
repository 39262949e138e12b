//! `clawdoc config …` and `clawdoc setup` through the real binary.

use std::os::unix::fs::PermissionsExt;

use crate::harness::TestEnv;

const COMMENTED: &str = "\
# My gateway. Hands off.

[gateway]
# bind loopback only
mode = \"remote\"   # temporary
port = 4000

# the brain
[ai]
model = \"m1\"
";

fn mode_bits(env: &TestEnv, rel: &str) -> u32 {
    std::fs::metadata(env.path(rel))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn set_keeps_comments_backs_up_and_is_private() {
    let env = TestEnv::new();
    env.write("config.toml", COMMENTED);
    let r = env.run(&["config", "set", "gateway.mode", "local"]);
    assert_eq!(r.code, 0, "{r:?}");
    let after = env.read("config.toml");
    assert_eq!(
        after,
        COMMENTED.replace(
            "mode = \"remote\"   # temporary",
            "mode = \"local\"   # temporary"
        )
    );
    assert_eq!(env.read("config.toml.bak.1"), COMMENTED);
    assert_eq!(mode_bits(&env, "config.toml"), 0o600);
    let r = env.run(&["config", "get", "gateway.mode"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "local"), "{r:?}");

    let r = env.run(&["config", "set", "gateway.port", "4100"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(env.read("config.toml").contains("port = 4100\n"));
    assert_eq!(env.read("config.toml.bak.2"), COMMENTED);
}

#[test]
fn rejected_set_leaves_the_file_byte_identical() {
    let env = TestEnv::new();
    env.write("config.toml", COMMENTED);
    for args in [
        ["config", "set", "gateway.port", "70000"],
        ["config", "set", "gateway.port", "http"],
        ["config", "set", "gateway.mode", "lan"],
        ["config", "set", "gateway.prot", "4000"],
        ["config", "set", "port", "4000"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 2, "{args:?} {r:?}");
        assert!(r.stderr.contains("error:"), "{r:?}");
        assert_eq!(env.read("config.toml"), COMMENTED, "{args:?}");
    }
    assert!(!env.path("config.toml.bak.1").exists());
    let r = env.run(&["config", "set", "gateway.prot", "4000"]);
    assert!(r.stderr.contains("did you mean \"gateway.port\""), "{r:?}");
    let r = env.run(&["config", "set", "port", "4000"]);
    assert!(r.stderr.contains("use \"gateway.port\""), "{r:?}");
}

#[test]
fn set_on_a_broken_file_names_the_position_and_changes_nothing() {
    let env = TestEnv::new();
    let broken = "[gateway]\nmode = \"local\nport = 1\n";
    env.write("config.toml", broken);
    let r = env.run(&["config", "set", "gateway.port", "4000"]);
    assert_eq!(r.code, 2, "{r:?}");
    let want = format!("{}:2:", env.path("config.toml").display());
    assert!(r.stderr.contains(&want), "{r:?}");
    assert_eq!(env.read("config.toml"), broken);
}

#[test]
fn set_creates_a_missing_config() {
    let env = TestEnv::new();
    let r = env.run(&["config", "set", "gateway.mode", "local"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(env.read("config.toml"), "[gateway]\nmode = \"local\"\n");
    assert_eq!(mode_bits(&env, "config.toml"), 0o600);
}

#[test]
fn unset_removes_the_key_and_keeps_the_rest() {
    let env = TestEnv::new();
    env.write("config.toml", COMMENTED);
    let r = env.run(&["config", "unset", "ai.model"]);
    assert_eq!(r.code, 0, "{r:?}");
    let after = env.read("config.toml");
    assert!(!after.contains("model"), "{after}");
    assert!(after.starts_with("# My gateway. Hands off.\n"), "{after}");
    let r = env.run(&["config", "get", "ai.model"]);
    assert_eq!(r.code, 1, "{r:?}");
    // Unsetting again changes nothing and is not an error.
    let r = env.run(&["config", "unset", "ai.model"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("is not set"), "{r:?}");
    assert_eq!(env.read("config.toml"), after);
    // A key that is neither known nor present is refused.
    let nope = env.run(&["config", "unset", "gateway.nope"]);
    assert_eq!(nope.code, 2, "{nope:?}");
    assert!(nope.stderr.contains("gateway.nope"), "{nope:?}");
    assert_eq!(env.read("config.toml"), after);
}

#[test]
fn backup_ring_keeps_five() {
    let env = TestEnv::new();
    env.write("config.toml", "[gateway]\nmode = \"local\"\n");
    for port in 4001..4008 {
        let r = env.run(&["config", "set", "gateway.port", &port.to_string()]);
        assert_eq!(r.code, 0, "{r:?}");
    }
    assert!(env.read("config.toml").contains("port = 4007"));
    assert!(env.read("config.toml.bak.1").contains("port = 4006"));
    assert!(env.read("config.toml.bak.5").contains("port = 4002"));
    assert!(!env.path("config.toml.bak.6").exists());
    for n in 1..=5 {
        assert_eq!(mode_bits(&env, &format!("config.toml.bak.{n}")), 0o600);
    }
}

#[test]
fn validate_lists_every_problem_with_positions() {
    let env = TestEnv::new();
    let file = env.write(
        "config.toml",
        "model = \"gpt\"\n[gateway]\nmode = \"local\"\nport = 70000\nfoo = true\n",
    );
    let r = env.run(&["config", "validate"]);
    assert_eq!(r.code, 1, "{r:?}");
    let f = file.display();
    assert!(
        r.stdout.contains(&format!(
            "{f}:1:9: deprecated config key \"model\": use \"ai.model\""
        )),
        "{r:?}"
    );
    assert!(
        r.stdout.contains(&format!(
            "{f}:4:8: gateway.port must be an integer from 1 to 65535"
        )),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains(&format!("{f}:5:7: unknown config key: \"gateway.foo\"")),
        "{r:?}"
    );

    let r = env.run(&["config", "validate", "--json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let v = r.doc("config-validate");
    assert_eq!(v["valid"], false);
    let kinds: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["deprecated_key", "bad_value", "unknown_key"]);
    assert_eq!(v["problems"][0]["replacement"], "ai.model");
    assert_eq!(v["problems"][0]["line"], 1);

    env.write("config.toml", "[gateway]\nmode = \"local\"\n");
    let r = env.run(&["config", "validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(": ok"), "{r:?}");
}

#[test]
fn validate_corrupt_and_missing() {
    let env = TestEnv::new();
    let file = env.write("config.toml", "[gateway]\nmode = = 1\n");
    let r = env.run(&["config", "validate"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains(&format!("{}:2:", file.display())),
        "{r:?}"
    );
    assert!(r.stdout.contains("invalid TOML"), "{r:?}");

    env.write("config.toml", b"[gateway]\nmode = \"lo\xffcal\"\n");
    let r = env.run(&["config", "validate", "--json"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.doc("config-validate")["problems"][0]["kind"], "syntax");
    assert_eq!(r.json()["problems"][0]["line"], 2);

    std::fs::remove_file(&file).unwrap();
    let r = env.run(&["config", "validate"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("Missing config"), "{r:?}");
    let r = env.run(&["config", "validate", "--json"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.doc("config-validate")["exists"], false);
}

#[test]
fn get_applies_env_overrides_and_defaults() {
    let env = TestEnv::new();
    env.write("config.toml", "[gateway]\nmode = \"local\"\n");
    let r = env.run(&["config", "get", "gateway.port"]);
    assert_eq!(r.stdout.trim(), "3001", "{r:?}");
    let out = env
        .cmd(&["config", "get", "gateway.port"])
        .env("CLAWDOC_GATEWAY_PORT", "4555")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "4555");
    assert_eq!(
        env.run(&["config", "get", "gateway.mode"]).stdout.trim(),
        "local"
    );
    let nonsense = env.run(&["config", "get", "nonsense"]);
    assert_eq!(nonsense.code, 2, "{nonsense:?}");
    assert!(
        nonsense.stderr.contains("unknown config key \"nonsense\""),
        "{nonsense:?}"
    );
    let r = env.run(&["config", "path"]);
    assert_eq!(
        r.stdout.trim(),
        env.path("config.toml").display().to_string()
    );
}

#[test]
fn setup_non_interactive_writes_a_private_pinned_config() {
    let env = TestEnv::new();
    let r = env.run(&["setup", "--non-interactive", "--port", "4444"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(mode_bits(&env, "config.toml"), 0o600);
    let text = env.read("config.toml");
    let token = token_in(&text);
    assert!(token.len() >= 32, "{text}");
    assert!(!r.all().contains(&token), "token leaked: {r:?}");
    let valid = env.run(&["config", "validate"]);
    assert_eq!(valid.code, 0, "{valid:?}");
    assert!(valid.stdout.ends_with(": ok\n"), "{valid:?}");
    assert_eq!(
        env.run(&["config", "get", "gateway.port"]).stdout.trim(),
        "4444"
    );
    let r = env.run(&["config", "get", "gateway.token"]);
    assert_eq!(r.stdout.trim(), "<redacted>");
    assert!(!r.all().contains(&token));

    // A second run refuses without --force and leaves the file alone.
    let r = env.run(&["setup", "--non-interactive", "--mode", "remote"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--force"), "{r:?}");
    assert_eq!(env.read("config.toml"), text);

    // --force keeps a backup and the pinned token (devices stay paired).
    let r = env.run(&["setup", "--non-interactive", "--mode", "remote", "--force"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(env.read("config.toml.bak.1"), text);
    let forced = env.read("config.toml");
    assert_eq!(token_in(&forced), token);
    assert!(forced.contains("mode = \"remote\""));
    assert!(forced.contains("port = 4444"), "port kept: {forced}");

    let r = env.run(&["setup", "--non-interactive", "--force", "--rotate-token"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_ne!(token_in(&env.read("config.toml")), token);
}

#[test]
fn setup_without_a_terminal_asks_for_non_interactive() {
    let env = TestEnv::new();
    let r = env.run(&["setup"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--non-interactive"), "{r:?}");
    assert!(!env.path("config.toml").exists());
    let r = env.run(&["setup", "--non-interactive", "--port", "0"]);
    assert_eq!(r.code, 2, "{r:?}");
}

fn token_in(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("token = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn setup_interactive_in_a_terminal() {
    let env = TestEnv::new();
    let mut cmd = env.cmd(&["setup"]);
    cmd.env("TERM", "xterm")
        .stdin(std::process::Stdio::inherit());
    let mut pty = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    pty.exp_string("Gateway mode").unwrap();
    // Down twice: hybrid.
    pty.send("\x1b[B").unwrap();
    pty.send("\x1b[B").unwrap();
    pty.send("\r").unwrap();
    pty.flush().unwrap();
    pty.exp_string("Gateway port").unwrap();
    pty.send_line("4999").unwrap();
    pty.exp_string("wrote").unwrap();
    pty.exp_eof().unwrap();
    let text = env.read("config.toml");
    assert!(text.contains("mode = \"hybrid\""), "{text}");
    assert!(text.contains("port = 4999"), "{text}");
    assert_eq!(mode_bits(&env, "config.toml"), 0o600);
}

#[test]
fn set_token_is_never_echoed() {
    let env = TestEnv::new();
    let token = "pinned-token-0123456789abcdef";
    let r = env.run(&["config", "set", "gateway.token", token]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("<redacted>"), "{r:?}");
    let g = env.run(&["config", "get", "gateway.token"]);
    let v = env.run(&["config", "validate", "--json"]);
    for run in [&r, &g, &v] {
        assert!(!run.all().contains(token), "{run:?}");
    }
    let bad = env.run(&["config", "set", "gateway.token", "short secret"]);
    assert_eq!(bad.code, 2);
    assert!(!bad.all().contains("short secret"), "{bad:?}");
}
