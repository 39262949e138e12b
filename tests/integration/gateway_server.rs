//! `clawdoc gateway run` (the foreground gateway), its HTTP and WebSocket
//! sides, and the client commands (`send`, `login`, `devices`) against it:
//! the real binary, temp homes, free ports, every wait polled with a deadline.

use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clawdoc::client::{self, HandshakeOutcome};
use clawdoc::home::Home;
use tungstenite::Message;

use crate::harness::{
    assert_no_secret, claim_frame, close_of, connect_frame, free_port, http, local_config,
    run_gateway, signal, text_of, wait_until, ws, TestEnv, GATEWAY_DEADLINE as DEADLINE, PINNED,
};

fn device_token_of(env: &TestEnv) -> String {
    let id: serde_json::Value = serde_json::from_str(&env.read("identity.json")).unwrap();
    id["device_token"].as_str().unwrap().to_string()
}

#[test]
fn no_config_exits_with_the_seed_message() {
    let env = TestEnv::new();
    let r = env.run(&["gateway", "run"]);
    assert_ne!(r.code, 0, "{r:?}");
    let msg = "Missing config. Run `clawdoc setup` or set gateway.mode=local";
    assert!(r.stderr.contains(msg), "{r:?}");
    assert!(env.read("logs/gateway.log").contains(msg));
    assert!(!env.path("gateway.pid").exists());
}

#[test]
fn mode_unset_blocks_start() {
    let env = TestEnv::new();
    env.write(
        "config.toml",
        format!("[gateway]\nport = {}\n", free_port()),
    );
    let r = env.run(&["gateway", "run"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("gateway start blocked: set gateway.mode=local (current: unset)"),
        "{r:?}"
    );
}

#[test]
fn corrupt_config_names_file_line_col() {
    let env = TestEnv::new();
    env.write("config.toml", "[gateway]\nmode = \"local\"\nport = = 3\n");
    let r = env.run(&["gateway", "run"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("config.toml:3:"), "{r:?}");
    assert!(!env.path("gateway.pid").exists());
}

#[test]
fn port_in_use_reports_eaddrinuse_and_leaves_no_pid_file() {
    let mut env = TestEnv::new();
    let port = local_config(&env, "");
    env.spawn_port_holder(port);
    let r = env.run(&["gateway", "run"]);
    assert_ne!(r.code, 0, "{r:?}");
    let msg = format!("Error: listen EADDRINUSE: address already in use 127.0.0.1:{port}");
    assert!(r.stderr.contains(&msg), "{r:?}");
    assert!(env.read("logs/gateway.log").contains(&msg));
    assert!(!env.path("gateway.pid").exists());
    assert!(!env.path("gateway.lock").exists());
}

#[test]
fn health_json_methods_and_paths() {
    let env = TestEnv::new();
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let gw = run_gateway(&env, port, &[]);

    let r = http(port, "GET", "/health").unwrap();
    assert_eq!(r.status, 200);
    assert!(r.head.contains("content-type: application/json"));
    let j: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["ready"], true);
    assert_eq!(j["pid"], gw.pid());
    assert_eq!(j["port"], port);
    assert_eq!(j["mode"], "local");
    assert_eq!(j["version"], env!("CARGO_PKG_VERSION"));
    assert!(j["uptime_secs"].is_u64());
    assert_eq!(j["config_valid"], true);
    assert_eq!(j["token_pinned"], true);
    assert!(!r.body.contains(PINNED));

    let head = http(port, "HEAD", "/health").unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(head
        .head
        .contains(&format!("content-length: {}", r.body.len())));
    let post = http(port, "POST", "/health").unwrap();
    assert_eq!(post.status, 405);
    assert!(post.head.contains("allow: get, head"));
    assert_eq!(http(port, "DELETE", "/health").unwrap().status, 405);
    assert_eq!(http(port, "GET", "/nope").unwrap().status, 404);
    assert_eq!(http(port, "GET", "/ws").unwrap().status, 426);

    // Pid file (pid and start time), lock held with our pid, the ready line.
    let pid_file = env.read("gateway.pid");
    assert!(
        pid_file.starts_with(&format!("{}\nstarttime=", gw.pid())),
        "{pid_file}"
    );
    assert_eq!(env.read("gateway.lock").trim(), gw.pid().to_string());
    let log = env.read("logs/gateway.log");
    assert!(
        log.contains(&format!("[gateway] listening on :{port}")),
        "{log}"
    );
    let line = log.lines().find(|l| l.contains("listening on")).unwrap();
    assert!(
        line.as_bytes()[4] == b'-' && line.contains("Z INFO [gateway]"),
        "{line}"
    );
    assert!(!log.contains(PINNED));
}

#[test]
fn a_second_gateway_is_refused_by_the_lock() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let gw = run_gateway(&env, port, &[]);
    // Another port, so only the lock can stop it.
    let other = free_port().to_string();
    let mut cmd = env.cmd(&["gateway", "run"]);
    cmd.env("CLAWDOC_GATEWAY_PORT", &other);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "gateway already running (pid {}); lock timeout",
            gw.pid()
        )),
        "{stderr}"
    );
    // The refused gateway did not touch the running one's files.
    assert!(env.read("gateway.pid").starts_with(&gw.pid().to_string()));
    assert_eq!(http(port, "GET", "/health").unwrap().status, 200);
}

#[test]
fn oversize_first_frame_closes_1009() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let _gw = run_gateway(&env, port, &[]);
    let mut ws = ws(port);
    ws.send(Message::text("x".repeat(70 * 1024))).unwrap();
    assert_eq!(close_of(&mut ws).0, 1009);
}

#[test]
fn first_frame_must_be_connect() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let _gw = run_gateway(&env, port, &[]);
    let mut ws = ws(port);
    ws.send(Message::text(r#"{"type":"req","id":1,"method":"ping"}"#))
        .unwrap();
    assert_eq!(
        close_of(&mut ws),
        (
            1008,
            "invalid handshake: first request must be connect".to_string()
        )
    );
    let mut ws2 = self::ws(port);
    ws2.send(Message::text("not json")).unwrap();
    assert_eq!(close_of(&mut ws2).0, 1008);
}

#[test]
fn pairing_approve_tokens_and_remove() {
    let env = TestEnv::new();
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let _gw = run_gateway(&env, port, &[]);

    // An unknown device (not this CLI) must be approved first.
    let claim = "phone-1-claim-0123456789";
    let mut w = ws(port);
    w.send(claim_frame("phone-1", "mobile", None, Some(claim)))
        .unwrap();
    assert_eq!(close_of(&mut w), (1008, "pairing required".to_string()));
    let list = env.run(&["devices", "list", "--json"]);
    assert_eq!(list.code, 0, "{list:?}");
    assert_eq!(list.doc("devices")["pending"][0]["id"], "phone-1");
    assert_eq!(list.json()["paired"].as_array().unwrap().len(), 0);
    assert!(env.read("logs/gateway.log").contains("pairing required"));

    let approve = env.run(&["devices", "approve", "phone-1"]);
    assert_eq!(approve.code, 0, "{approve:?}");

    // First connect without a token, with the claim: hello-ok issues the
    // device token.
    let mut w = ws(port);
    w.send(claim_frame("phone-1", "mobile", None, Some(claim)))
        .unwrap();
    let hello = text_of(&mut w);
    assert_eq!(hello["type"], "hello-ok");
    assert_eq!(hello["config_valid"], true);
    let token = hello["device_token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    w.send(Message::text(r#"{"type":"req","id":7,"method":"ping"}"#))
        .unwrap();
    let pong = text_of(&mut w);
    assert_eq!(
        (pong["id"].as_u64(), pong["ok"].as_bool()),
        (Some(7), Some(true))
    );

    // The right token is accepted without re-issuing; a wrong one is 4008.
    let mut w = ws(port);
    w.send(connect_frame("phone-1", "mobile", Some(&token)))
        .unwrap();
    let hello = text_of(&mut w);
    assert_eq!(hello["type"], "hello-ok");
    assert!(hello.get("device_token").is_none());
    let mut w = ws(port);
    w.send(connect_frame("phone-1", "mobile", Some(&"0".repeat(64))))
        .unwrap();
    assert_eq!(
        close_of(&mut w),
        (4008, "connect failed — device token mismatch".to_string())
    );

    let list = env.run(&["devices", "list"]);
    assert!(list.stdout.contains("phone-1"), "{list:?}");
    assert_no_secret(&token, &[&list]);
    assert!(!env.read("devices.json").contains(&token));
    assert!(!env.read("logs/gateway.log").contains(&token));

    let removed = env.run(&["devices", "remove", "phone-1"]);
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(
        removed.stdout.contains("removed paired device phone-1"),
        "{removed:?}"
    );
    let again = env.run(&["devices", "remove", "phone-1"]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("phone-1"), "{again:?}");
    let nobody = env.run(&["devices", "approve", "nobody"]);
    assert_eq!(nobody.code, 2, "{nobody:?}");
    assert!(
        nobody
            .stderr
            .contains("no paired device or pending request with id \"nobody\""),
        "{nobody:?}"
    );
    let mut w = ws(port);
    w.send(connect_frame("phone-1", "mobile", Some(&token)))
        .unwrap();
    assert_eq!(close_of(&mut w).1, "pairing required");
}

#[test]
fn send_works_and_is_logged() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let _gw = run_gateway(&env, port, &[]);
    let r = env.run(&["send", "--channel", "telegram", "hello"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("[telegram] sent 5 chars"), "{r:?}");
    assert!(env
        .read("logs/gateway.log")
        .contains("[telegram] sent 5 chars"));
    for file in ["identity.json", "devices.json"] {
        let mode = std::fs::metadata(env.path(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    // The token issued on first connect is stored and reused.
    let token = device_token_of(&env);
    let r2 = env.run(&["send", "--channel", "telegram", "again"]);
    assert_eq!(r2.code, 0, "{r2:?}");
    assert_eq!(device_token_of(&env), token);
    assert_no_secret(&token, &[&r, &r2]);
    assert!(!env.read("logs/gateway.log").contains(&token));
}

#[test]
fn gateway_down_send_fails_with_econnrefused() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let r = env.run(&["send", "--channel", "telegram", "hi"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("[telegram] send failed: gateway not connected"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains(&format!("Error: connect ECONNREFUSED 127.0.0.1:{port}")),
        "{r:?}"
    );
}

#[test]
fn restart_without_pinned_token_breaks_devices_with_4008_and_repair_fixes_it() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let mut gw = run_gateway(&env, port, &[]);
    assert_eq!(env.run(&["send", "hi"]).code, 0);
    assert!(gw.terminate().success());
    let log = env.read("logs/gateway.log");
    assert!(
        log.contains("gateway.token is not pinned; a random token was generated"),
        "{log}"
    );

    let _gw = run_gateway(&env, port, &[]);
    let r = env.run(&["send", "--channel", "telegram", "hi"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("disconnected (4008): connect failed — device token mismatch"),
        "{r:?}"
    );

    // What the doctor's probe and fix see and do.
    let home = Home::new(env.home());
    let timeout = Duration::from_secs(5);
    assert_eq!(
        client::handshake(&home, port, timeout),
        HandshakeOutcome::TokenMismatch
    );
    client::repair(&home, port, timeout).unwrap();
    assert_eq!(
        client::handshake(&home, port, timeout),
        HandshakeOutcome::Ok { config_valid: true }
    );
    assert_eq!(env.run(&["send", "hi"]).code, 0);
}

#[test]
fn restart_with_pinned_token_keeps_devices_and_never_leaks_it() {
    let env = TestEnv::new();
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let mut gw = run_gateway(&env, port, &[]);
    let first = env.run(&["send", "one"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(gw.terminate().success());
    let gw2 = run_gateway(&env, port, &[]);
    let second = env.run(&["send", "two"]);
    assert_eq!(second.code, 0, "{second:?}");
    let health = http(port, "GET", "/health").unwrap();
    let list = env.run(&["devices", "list", "--json"]);
    assert_no_secret(PINNED, &[&first, &second, &list]);
    assert!(!health.body.contains(PINNED));
    let log = env.read("logs/gateway.log");
    assert!(!log.contains(PINNED));
    assert!(!log.contains("token is not pinned"));
    drop(gw2);

    // The same token from the environment: logged as an override, never shown.
    let mut cmd = env.cmd(&["gateway", "run"]);
    let env_token = "env-token-abcdef0123456789";
    cmd.env("CLAWDOC_GATEWAY_TOKEN", env_token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    assert!(wait_until(DEADLINE, || http(port, "GET", "/health").is_some()));
    signal(child.id(), nix::sys::signal::Signal::SIGTERM);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("env override CLAWDOC_GATEWAY_TOKEN (value hidden)"),
        "{stderr}"
    );
    assert!(!stderr.contains(env_token) && !env.read("logs/gateway.log").contains(env_token));
}

#[test]
fn whatsapp_login_needs_a_display() {
    let env = TestEnv::new();
    // Pinned, so the device survives the restart with DISPLAY set.
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let mut gw = run_gateway(&env, port, &[]);
    let r = env.run(&["login", "whatsapp"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("GatewayRequestError: Web Login Provider is not available"),
        "{r:?}"
    );
    assert!(gw.terminate().success());

    let _gw = run_gateway(&env, port, &[("DISPLAY", ":99")]);
    let r = env.run(&["login", "whatsapp"]);
    assert_eq!(r.code, 0, "{r:?}");
    let prefix = format!("http://127.0.0.1:{port}");
    let url = r
        .stdout
        .split_whitespace()
        .find(|w| w.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{r:?}"));
    let page = http(port, "GET", &url[prefix.len()..]).unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(
        http(port, "GET", "/login/whatsapp?session=forged")
            .unwrap()
            .status,
        404
    );
}

#[test]
fn unknown_and_deprecated_keys_warn_and_fail_requests() {
    let env = TestEnv::new();
    let port = free_port();
    env.write(
        "config.toml",
        format!("model = \"gpt-x\"\n[gateway]\nmode = \"local\"\nport = {port}\nfoo = 1\n"),
    );
    let _gw = run_gateway(&env, port, &[]);
    let log = env.read("logs/gateway.log");
    assert!(log.contains("WARN unknown config key: \"model\""), "{log}");
    assert!(
        log.contains("WARN unknown config key: \"gateway.foo\""),
        "{log}"
    );
    let health: serde_json::Value =
        serde_json::from_str(&http(port, "GET", "/health").unwrap().body).unwrap();
    assert_eq!(health["config_valid"], false);

    let r = env.run(&["send", "hi"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("GatewayRequestError: Invalid Config"),
        "{r:?}"
    );
    assert!(r.stderr.contains("\"model\""), "{r:?}");
    let home = Home::new(env.home());
    assert_eq!(
        client::handshake(&home, port, Duration::from_secs(5)),
        HandshakeOutcome::Ok {
            config_valid: false
        }
    );
}

#[test]
fn sigterm_closes_sockets_with_1012_removes_pid_file_and_exits_zero() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let mut gw = run_gateway(&env, port, &[]);
    assert_eq!(env.run(&["send", "pair me"]).code, 0);
    let identity: serde_json::Value = serde_json::from_str(&env.read("identity.json")).unwrap();
    let mut w = ws(port);
    w.send(connect_frame(
        identity["device_id"].as_str().unwrap(),
        "cli",
        Some(&device_token_of(&env)),
    ))
    .unwrap();
    assert_eq!(text_of(&mut w)["type"], "hello-ok");

    let status = gw.terminate();
    assert_eq!(status.code(), Some(0));
    assert_eq!(close_of(&mut w), (1012, "service restart".to_string()));
    assert!(!env.path("gateway.pid").exists());
    assert!(!env.path("gateway.lock").exists());
    let log = env.read("logs/gateway.log");
    assert!(
        log.contains("received SIGTERM") && log.contains("[gateway] stopped"),
        "{log}"
    );
    assert!(TcpStream::connect(("127.0.0.1", gw.port)).is_err());
}

#[test]
fn remote_mode_binds_all_interfaces_and_the_cli_must_be_approved() {
    let env = TestEnv::new();
    let port = free_port();
    env.write(
        "config.toml",
        format!("[gateway]\nmode = \"remote\"\nport = {port}\ntoken = \"{PINNED}\"\n"),
    );
    let _gw = run_gateway(&env, port, &[]);
    let log = env.read("logs/gateway.log");
    assert!(log.contains(&format!("bound 0.0.0.0:{port}")), "{log}");
    let health: serde_json::Value =
        serde_json::from_str(&http(port, "GET", "/health").unwrap().body).unwrap();
    assert_eq!(health["mode"], "remote");

    // Not auto-approved outside local mode: pairing is required first.
    let r = env.run(&["send", "hi"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("disconnected (1008): pairing required"),
        "{r:?}"
    );
    let list = env.run(&["devices", "list", "--json"]);
    let id = list.json()["pending"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("cli-"), "{list:?}");
    assert_eq!(env.run(&["devices", "approve", &id]).code, 0);
    let r = env.run(&["send", "hi"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn a_silent_client_is_closed_after_the_handshake_timeout() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let _gw = run_gateway(&env, port, &[]);
    let mut w = ws(port);
    let started = Instant::now();
    assert_eq!(close_of(&mut w), (1008, "handshake timeout".to_string()));
    // The timeout is 5 s; allow for a loaded machine on the upper side.
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn without_a_config_file_the_environment_can_supply_the_mode() {
    let env = TestEnv::new();
    let port = free_port();
    let port_text = port.to_string();
    let gw = run_gateway(
        &env,
        port,
        &[
            ("CLAWDOC_GATEWAY_MODE", "local"),
            ("CLAWDOC_GATEWAY_PORT", port_text.as_str()),
        ],
    );
    let log = env.read("logs/gateway.log");
    assert!(
        log.contains("env override CLAWDOC_GATEWAY_MODE=local"),
        "{log}"
    );
    assert!(
        log.contains(&format!("env override CLAWDOC_GATEWAY_PORT={port}")),
        "{log}"
    );
    assert!(log.contains("no config file"), "{log}");
    drop(gw);
}
