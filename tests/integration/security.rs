//! The attacks of issue 11, each replayed through the real binary and the
//! real gateway process (loopback only, bounded): a known device id without
//! a token, a forged local CLI or a web page pairing itself, a pre-auth
//! flood, a pending-request flood and takeover, a copied home stopping
//! another home's gateway, racing `config set`s, symlinked state files and
//! rules that only break together.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use tungstenite::Message;

use crate::harness::{
    claim_frame, close_of, http, local_config, run_gateway, text_of, wait_until, ws, Gateway,
    TestEnv, PINNED,
};

fn identity(env: &TestEnv) -> serde_json::Value {
    serde_json::from_str(&env.read("identity.json")).unwrap()
}

/// Writes a WebSocket upgrade request (with `extra` header lines) and
/// returns the socket and the status line's code.
fn raw_upgrade(port: u16, extra: &str) -> (TcpStream, u16) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
    .unwrap();
    // Read the response head byte by byte (nothing after it is ours).
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (s, code)
}

/// A running gateway with a pinned token and this home's CLI paired with
/// it: the gateway, its port, the CLI's device id and device token.
fn paired_gateway(env: &TestEnv) -> (Gateway, u16, String, String) {
    let port = local_config(env, &format!("token = \"{PINNED}\"\n"));
    let gw = run_gateway(env, port, &[]);
    let r = env.run(&["send", "pair me"]);
    assert_eq!(r.code, 0, "{r:?}");
    let id = identity(env)["device_id"].as_str().unwrap().to_string();
    let token = identity(env)["device_token"].as_str().unwrap().to_string();
    (gw, port, id, token)
}

// ---------------------------------------------------------------- item 1

#[test]
fn a_known_device_id_without_a_token_is_refused_and_gets_no_token() {
    let env = TestEnv::new();
    let (_gw, port, id, token) = paired_gateway(&env);

    // The id is public (devices list, the log); alone it gets nothing.
    for claim in [None, Some("guessed-claim-0000000000")] {
        let mut w = ws(port);
        w.send(claim_frame(&id, "cli", None, claim)).unwrap();
        let mut seen = String::new();
        let close = loop {
            match w.read() {
                Ok(Message::Close(Some(f))) => break (u16::from(f.code), f.reason.to_string()),
                Ok(Message::Text(t)) => seen.push_str(&t),
                Ok(_) => continue,
                Err(e) => panic!("no close frame: {e}; got {seen}"),
            }
        };
        assert_eq!(
            close,
            (4008, "connect failed — device token required".to_string())
        );
        assert!(
            !seen.contains(&token) && !seen.contains("hello-ok"),
            "{seen}"
        );
    }
    assert!(env
        .read("logs/gateway.log")
        .contains("device token required"));
    // The CLI itself (token in its identity) still works, as do repeated sends.
    let r = env.run(&["send", "still me"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(identity(&env)["device_token"], token.as_str());
}

// ---------------------------------------------------------------- item 2

#[test]
fn local_auto_pairing_needs_this_homes_identity_and_no_browser_origin() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let _gw = run_gateway(&env, port, &[]);

    // A loopback client calling itself `cli` is not this home's CLI.
    let mut w = ws(port);
    w.send(claim_frame(
        "cli-forged",
        "cli",
        None,
        Some("forged-claim-0123456789"),
    ))
    .unwrap();
    assert_eq!(close_of(&mut w), (1008, "pairing required".to_string()));
    let list = env.run(&["devices", "list", "--json"]);
    assert_eq!(
        list.json()["paired"].as_array().unwrap().len(),
        0,
        "{list:?}"
    );
    assert_eq!(list.json()["pending"][0]["id"], "cli-forged");

    // A web page (any Origin) cannot even open the WebSocket.
    let (_s, code) = raw_upgrade(port, "Origin: http://evil.example\r\n");
    assert_eq!(code, 403);
    let (_s, code) = raw_upgrade(port, "Origin: null\r\n");
    assert_eq!(code, 403);
    assert!(env
        .read("logs/gateway.log")
        .contains("refused WebSocket from origin \"http://evil.example\""));

    // This home's CLI pairs itself and works.
    let r = env.run(&["send", "hi"]);
    assert_eq!(r.code, 0, "{r:?}");
    let list = env.run(&["devices", "list", "--json"]);
    let paired = list.json()["paired"].as_array().unwrap().clone();
    assert_eq!(paired.len(), 1, "{list:?}");
    assert_eq!(paired[0]["id"], identity(&env)["device_id"]);
    // Removed from the store, it pairs itself again on its next command.
    let id = identity(&env)["device_id"].as_str().unwrap().to_string();
    assert_eq!(env.run(&["devices", "remove", &id]).code, 0);
    let r = env.run(&["send", "again"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn an_allowed_origin_may_connect_but_is_never_auto_approved() {
    let env = TestEnv::new();
    let port = local_config(&env, "allowedOrigins = \"http://localhost:5173\"\n");
    let v = env.run(&["config", "validate"]);
    assert_eq!(v.code, 0, "{v:?}");
    let g = env.run(&["config", "get", "gateway.allowedOrigins"]);
    assert_eq!(g.stdout.trim(), "http://localhost:5173", "{g:?}");
    let bad = env.run(&["config", "set", "gateway.allowedOrigins", "evil.example/x"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    let _gw = run_gateway(&env, port, &[]);

    // Even presenting this home's own identity (as the CLI writes it on
    // first use), a page is not the CLI.
    env.write(
        "identity.json",
        r#"{"device_id":"cli-origin-test","claim":"claim-origin-test-0123456789"}"#,
    );
    let me = identity(&env);
    let (s, code) = raw_upgrade(port, "Origin: http://localhost:5173\r\n");
    assert_eq!(code, 101);
    let mut w =
        tungstenite::WebSocket::from_raw_socket(s, tungstenite::protocol::Role::Client, None);
    w.send(claim_frame(
        me["device_id"].as_str().unwrap(),
        "cli",
        None,
        Some(me["claim"].as_str().unwrap()),
    ))
    .unwrap();
    assert_eq!(close_of(&mut w), (1008, "pairing required".to_string()));
    let (_s, code) = raw_upgrade(port, "Origin: http://localhost:5174\r\n");
    assert_eq!(code, 403);
}

// ---------------------------------------------------------------- item 3

fn fd_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn a_preauth_flood_stays_bounded_and_health_and_paired_clients_are_served() {
    let env = TestEnv::new();
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let gw = run_gateway(&env, port, &[]);
    assert_eq!(env.run(&["send", "pair me"]).code, 0);
    let base = fd_count(gw.pid());

    // 1500 WebSocket upgrades that never send a connect frame, all held open.
    let mut flood = Vec::new();
    for _ in 0..1500 {
        let (s, code) = raw_upgrade(port, "");
        assert_eq!(code, 101);
        flood.push(s);
    }
    // Evicted ones are closed at once; the gateway keeps a bounded number.
    let bounded = wait_until(Duration::from_secs(5), || fd_count(gw.pid()) < base + 200);
    let during = fd_count(gw.pid());
    assert!(
        bounded,
        "gateway holds {during} fds (base {base}) during the flood"
    );

    // /health and the paired CLI are served while the flood is held.
    let h = http(port, "GET", "/health").unwrap();
    assert_eq!(h.status, 200);
    let r = env.run(&["send", "during the flood"]);
    assert_eq!(r.code, 0, "{r:?}");
    let log = env.read("logs/gateway.log");
    assert!(
        log.contains("unauthenticated connection limit reached"),
        "{log}"
    );
    drop(flood);
}

// ---------------------------------------------------------------- item 4

#[test]
fn pending_requests_are_capped_and_cannot_be_taken_over() {
    let env = TestEnv::new();
    let port = local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let _gw = run_gateway(&env, port, &[]);
    let ask = |id: &str, name: &str, claim: &str| {
        let mut w = ws(port);
        let v = serde_json::json!({"type":"connect","device_id":id,"client":"mobile","name":name,"claim":claim});
        w.send(Message::text(v.to_string())).unwrap();
        close_of(&mut w)
    };
    let owner = "claim-of-the-owner-0001";
    assert_eq!(ask("phone-1", "my phone", owner).1, "pairing required");
    let first = env.run(&["devices", "list", "--json"]).json()["pending"][0].clone();
    // A later requester with the same id changes nothing.
    assert_eq!(
        ask("phone-1", "evil", "claim-of-the-thief-0002").1,
        "pairing required"
    );
    let after = env.run(&["devices", "list", "--json"]).json()["pending"][0].clone();
    assert_eq!(first, after);
    assert_eq!(after["name"], "my phone");

    // Approved: only the first requester's claim picks the token up, once.
    let approve = env.run(&["devices", "approve", "phone-1"]);
    assert_eq!(approve.code, 0, "{approve:?}");
    assert!(
        approve.stdout.contains("receives its device token (once)"),
        "{approve:?}"
    );
    let mut w = ws(port);
    w.send(claim_frame(
        "phone-1",
        "mobile",
        None,
        Some("claim-of-the-thief-0002"),
    ))
    .unwrap();
    assert_eq!(close_of(&mut w).0, 4008);
    let mut w = ws(port);
    w.send(claim_frame("phone-1", "mobile", None, Some(owner)))
        .unwrap();
    let hello = text_of(&mut w);
    assert_eq!(hello["device_token"].as_str().unwrap().len(), 64);
    // Used up: the same claim again gets nothing.
    let mut w = ws(port);
    w.send(claim_frame("phone-1", "mobile", None, Some(owner)))
        .unwrap();
    assert_eq!(close_of(&mut w).0, 4008);

    // A flood of requests: the store stays capped and small.
    for i in 0..100 {
        ask(&format!("flood-{i}"), "x", "flood-claim-0123456789");
    }
    let list = env.run(&["devices", "list", "--json"]);
    assert_eq!(list.json()["pending"].as_array().unwrap().len(), 64);
    assert!(std::fs::metadata(env.path("devices.json")).unwrap().len() < 32 * 1024);
    assert!(env
        .read("logs/gateway.log")
        .contains("pairing requests are already pending"));
}

// ---------------------------------------------------------------- item 5

/// Kills every `clawdoc gateway run` serving the copied home (its
/// environment names that home: only this test's processes can).
struct CopyGateway(std::path::PathBuf);

impl Drop for CopyGateway {
    fn drop(&mut self) {
        let needle = format!("CLAWDOC_HOME={}", self.0.display());
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return;
        };
        for entry in procs.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|p| p.parse::<i32>().ok())
            else {
                continue;
            };
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|kv| kv == needle.as_bytes())
                && cmdline.ends_with(b"gateway\0run\0")
            {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
}

#[test]
fn a_copied_home_cannot_stop_the_original_gateway() {
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let gw = run_gateway(&env, port, &[]);
    let copy = tempfile::tempdir().unwrap();
    let copy_home = copy.path().join("home");
    // `doctor --fix` in the copy starts the copy's own gateway (on another
    // port): kill it at the end, whatever happens.
    let _copy_gateway = CopyGateway(copy_home.clone());
    let cp = std::process::Command::new("cp")
        .arg("-a")
        .arg(env.home())
        .arg(&copy_home)
        .status()
        .unwrap();
    assert!(cp.success());
    let in_copy = |args: &[&str]| {
        let out = env
            .cmd(args)
            .env("CLAWDOC_HOME", &copy_home)
            .env("HOME", &copy_home)
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };

    let said = in_copy(&["gateway", "stop"]);
    assert!(
        said.contains("not this home's") && said.contains("NOT signalled"),
        "{said}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(crate::harness::pid_alive(gw.pid()), "{said}");
    assert_eq!(http(port, "GET", "/health").unwrap().status, 200);

    // The doctor of the copy, fixing, leaves it alone too.
    let said = in_copy(&["doctor", "--fix", "--unsafe-fixes", "--yes"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(crate::harness::pid_alive(gw.pid()), "{said}");
    assert_eq!(http(port, "GET", "/health").unwrap().status, 200);

    // The original home still stops its own gateway.
    let r = env.run(&["gateway", "stop"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(wait_until(Duration::from_secs(5), || {
        !crate::harness::pid_alive(gw.pid())
    }));
}

// ---------------------------------------------------------------- item 6

#[test]
fn concurrent_config_sets_lose_no_update() {
    let env = TestEnv::new();
    env.write("config.toml", "[gateway]\nmode = \"local\"\n");
    for round in 0..25u16 {
        let port = (20000 + round).to_string();
        let model = format!("model-{round}");
        let mut a = env.cmd(&["config", "set", "gateway.port", &port]);
        let mut b = env.cmd(&["config", "set", "ai.model", &model]);
        a.stdout(std::process::Stdio::null());
        b.stdout(std::process::Stdio::null());
        let (mut a, mut b) = (a.spawn().unwrap(), b.spawn().unwrap());
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
        let text = env.read("config.toml");
        assert!(
            text.contains(&format!("port = {port}")) && text.contains(&format!("\"{model}\"")),
            "round {round}: an update was lost:\n{text}"
        );
    }
}

// ---------------------------------------------------------------- item 7

#[test]
fn state_files_that_are_symlinks_are_never_written_through() {
    use std::os::unix::fs::symlink;
    let env = TestEnv::new();
    let port = local_config(&env, "");
    let victims = tempfile::tempdir().unwrap();
    let victim = |name: &str| {
        let p = victims.path().join(name);
        std::fs::write(&p, "precious\n").unwrap();
        p
    };
    let unchanged = |p: &std::path::Path| std::fs::read_to_string(p).unwrap() == "precious\n";

    // gateway.lock → victim: the gateway refuses to start, victim intact.
    let lock_victim = victim("lock");
    symlink(&lock_victim, env.path("gateway.lock")).unwrap();
    let mut child = env
        .cmd(&["gateway", "run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let exited = wait_until(Duration::from_secs(5), || {
        child.try_wait().unwrap().is_some()
    });
    if !exited {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        exited,
        "the gateway started through a symlinked lock: {stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is a symbolic link; refusing to write through it"),
        "{stderr}"
    );
    assert!(unchanged(&lock_victim));
    std::fs::remove_file(env.path("gateway.lock")).unwrap();

    // logs/gateway.log → victim: `gateway start` refuses; `gateway run`
    // logs to stderr only.
    let _ = std::fs::remove_file(env.path("logs/gateway.log"));
    let log_victim = victim("log");
    symlink(&log_victim, env.path("logs/gateway.log")).unwrap();
    let r = env.run(&["gateway", "start"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(unchanged(&log_victim), "{r:?}");
    assert!(!env.path("gateway.pid").exists(), "{r:?}");

    // devices.lock and gateway.pid → victims.
    let dev_victim = victim("devices-lock");
    symlink(&dev_victim, env.path("devices.lock")).unwrap();
    let pid_victim = victim("pid");
    symlink(&pid_victim, env.path("gateway.pid")).unwrap();
    let mut gw = run_gateway(&env, port, &[]);
    let r = env.run(&["send", "hi"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(gw.terminate().success());
    for v in [&lock_victim, &log_victim, &dev_victim, &pid_victim] {
        assert!(unchanged(v), "{} was written through a link", v.display());
    }
}

// ---------------------------------------------------------------- item 8

#[test]
fn rules_too_big_together_are_linted_and_dropped_by_name() {
    let env = TestEnv::new();
    // Each compiles alone (under the 10 MiB limit); together they do not.
    for n in 1..=2 {
        env.write(
            &format!("rules/big-{n}.toml"),
            format!(
                "title = \"Big {n}\"\ncategory = \"auth\"\nseverity = \"warning\"\nsection = \"nothing-works\"\n\
                 meaning = \"Big pattern {n}.\"\npatterns = ['big{n} (?:[a-z0-9]{{1,220}}x){{1,220}} end']\n\
                 [[example]]\ntext = \"big{n} abcx end\"\n[[example]]\ntext = \"small\"\nmatches = false\n"
            ),
        );
    }
    let dir = env.path("rules").display().to_string();
    let lint = env.run(&["--rules-dir", &dir, "rules", "lint"]);
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(
        lint.stdout.contains("big-2.toml: rule `big-2` dropped")
            && lint.stdout.contains("exceed the regex size limit"),
        "{lint:?}"
    );
    assert!(lint.stdout.contains("1 problems"), "{lint:?}");

    // lookup compiles only the patterns whose literals occur in the line
    // (one at a time): every rule still works, big-2 included, and nothing
    // is said to be dropped.
    let r = env.run(&[
        "--rules-dir",
        &dir,
        "lookup",
        "--json",
        "Error: listen EADDRINUSE: address already in use 127.0.0.1:3001",
    ]);
    assert_eq!(r.code, 1, "{r:?}"); // recognised: a problem found
    assert_eq!(r.json()["matches"][0]["rule_id"], "port-in-use", "{r:?}");
    assert!(!r.stderr.contains("dropped"), "{r:?}");
    let r = env.run(&["--rules-dir", &dir, "lookup", "--json", "big2 abcx end"]);
    assert_eq!(r.json()["matches"][0]["rule_id"], "big-2", "{r:?}");

    // scan: big-1 and the built-ins match; big-2 is left out.
    let log = env.write(
        "app.log",
        "big1 abcx end\nbig2 abcx end\nError: listen EADDRINUSE: address already in use 127.0.0.1:3001\n",
    );
    let r = env.run(&["--rules-dir", &dir, "scan", &log.display().to_string()]);
    assert!(
        r.stdout.contains("big-1") && r.stdout.contains("port-in-use"),
        "{r:?}"
    );
    assert!(!r.stdout.contains("big-2 "), "{r:?}");
    assert!(r.stderr.contains("rule `big-2` dropped"), "{r:?}");
}

// ---------------------------------------------------------------- item 9

/// The `.clawdoc-tmp*` files in `dir`.
fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".clawdoc-tmp"))
        .collect()
}

#[test]
fn sigkilled_config_sets_leave_no_temp_file_and_no_hole_in_the_ring() {
    let env = TestEnv::new();
    local_config(&env, &format!("token = \"{PINNED}\"\n"));
    let mut left_behind = 0;
    let mut finished = 0;
    // 200 `config set`s, each SIGKILLed after a delay spread over the run
    // (0..12 ms, a fixed shuffle so a failure can be replayed).
    for i in 0..200u64 {
        let mut child = env
            .cmd(&["config", "set", "ai.model", &format!("model-{i}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((i * 7919) % 12_000));
        let _ = child.kill();
        if child.wait().is_ok_and(|st| st.success()) {
            finished += 1;
        }
        left_behind = left_behind.max(temp_files(env.home()).len());
    }
    // The next command cleans what the killed ones left (their pids are dead).
    let r = env.run(&["config", "set", "ai.model", "final"]);
    assert_eq!(r.code, 0, "{r:?}");
    // The ring has no hole: .bak.1 .. .bak.K all there, each a config,
    // where K is 5 once five sets got to back up (on a loaded machine most
    // of the 200 may be killed before that: then fewer, but still no hole).
    let highest = (1..=5)
        .filter(|n| env.path(&format!("config.toml.bak.{n}")).exists())
        .max()
        .unwrap_or(0);
    assert!(
        highest >= 5.min(finished + 1),
        "{highest} backups after {finished} finished sets"
    );
    for n in 1..=highest {
        let bak = env.read(&format!("config.toml.bak.{n}"));
        assert!(
            bak.contains(PINNED),
            "config.toml.bak.{n} missing or not a config (killed runs left up to {left_behind} temp files)"
        );
        assert!(
            toml::from_str::<toml::Value>(&bak).is_ok(),
            "bak.{n}: {bak}"
        );
    }
    assert!(!env.path("config.toml.bak.6").exists());
    assert_eq!(temp_files(env.home()), Vec::<String>::new());
    let r = env.run(&["config", "validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        env.run(&["config", "get", "ai.model"]).stdout.trim(),
        "final"
    );
    eprintln!("max temp files between kills: {left_behind}; {finished} sets finished");
}

// ---------------------------------------------------------------- item 11

/// Sends `frames`, then reads to the end: the close code and how long the
/// gateway took, from the last frame sent to the end of the connection.
fn rejected(
    w: &mut tungstenite::WebSocket<TcpStream>,
    frames: Vec<Message>,
) -> (u16, std::time::Duration) {
    for f in frames {
        w.send(f).unwrap();
    }
    let sent = std::time::Instant::now();
    let mut code = 0;
    loop {
        match w.read() {
            Ok(Message::Close(Some(f))) => code = u16::from(f.code),
            Ok(_) => continue,
            Err(_) => return (code, sent.elapsed()),
        }
    }
}

#[test]
fn rejected_websockets_close_promptly_and_failed_auth_is_rate_limited() {
    let env = TestEnv::new();
    let (_gw, port, id, token) = paired_gateway(&env);
    let wrong = || claim_frame(&id, "cli", Some("wrong-token-0000000000000000"), None);

    let prompt = Duration::from_millis(500);
    let cases: Vec<(u16, Vec<Message>)> = vec![
        (1008, vec![Message::text("{\"type\":\"req\"}")]),
        (1009, vec![Message::text("x".repeat(200 * 1024))]),
        (
            1003,
            vec![
                claim_frame(&id, "cli", Some(&token), None),
                Message::binary(vec![1u8, 2, 3]),
            ],
        ),
        (4008, vec![wrong()]),
    ];
    for (want, frames) in cases {
        let mut w = ws(port);
        let (code, took) = rejected(&mut w, frames);
        assert_eq!(code, want);
        eprintln!("close {code}: connection ended {took:?} after the offending frame");
        assert!(took < prompt, "close {code} took {took:?}");
    }

    // Wrong tokens: after the burst (one spent above) the peer is refused
    // at once with 1013, however many more it tries.
    let mut codes = Vec::new();
    for _ in 0..15 {
        let mut w = ws(port);
        codes.push(rejected(&mut w, vec![wrong()]).0);
    }
    let failures = 1 + codes.iter().filter(|c| **c == 4008).count();
    assert_eq!(failures, 10, "{codes:?}");
    assert!(codes[9..].iter().all(|c| *c == 1013), "{codes:?}");
    // Even the right token is refused while locked (no oracle) ...
    let mut w = ws(port);
    let (code, _) = rejected(&mut w, vec![claim_frame(&id, "web", Some(&token), None)]);
    assert_eq!(code, 1013);
    // ... except for this home's own CLI, which proves its identity.
    let r = env.run(&["send", "still me"]);
    assert_eq!(r.code, 0, "{r:?}");

    let log = env.read("logs/gateway.log");
    let line = log
        .lines()
        .find(|l| l.contains("auth rate limited"))
        .unwrap_or_else(|| panic!("no rate-limit line in the log:\n{log}"));
    let r = env.run(&["lookup", "--json", line]);
    assert_eq!(r.code, 1, "{r:?}"); // recognised: a problem found
    assert_eq!(r.json()["matches"][0]["rule_id"], "token-mismatch", "{r:?}");
}

// ---------------------------------------------------------------- item 13

/// The evidence of `probe` in a `doctor --json` report's initial round.
fn evidence_of<'a>(report: &'a serde_json::Value, probe: &str) -> &'a serde_json::Value {
    report["initial"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["probe"] == probe)
        .unwrap_or_else(|| panic!("no {probe} evidence: {report:#}"))
}

#[test]
fn a_port_held_by_an_outgoing_connection_is_not_free_and_never_suggested() {
    let mut env = TestEnv::new();
    // Another process connects out: the kernel gives its end an ephemeral
    // port, which nothing listens on but nobody else can bind.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = server.local_addr().unwrap().port();
    let mut client = std::process::Command::new("python3")
        .args([
            "-c",
            &format!(
                "import socket,time\ns=socket.create_connection(('127.0.0.1',{target}))\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)"
            ),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(client.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let holder = env.adopt(client);
    let port: u16 = line.trim().parse().unwrap();
    let _peer = server.accept().unwrap();
    env.write(
        "config.toml",
        format!("[gateway]\nmode = \"local\"\nport = {port}\ntoken = \"{PINNED}\"\n"),
    );
    let (lo, hi) = {
        let r = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
        let v: Vec<u16> = r.split_whitespace().map(|p| p.parse().unwrap()).collect();
        (v[0], v[1])
    };

    // The gateway really cannot bind it.
    let start = env.run(&["gateway", "start"]);
    assert_ne!(start.code, 0, "{start:?}");
    assert!(env.read("logs/gateway.log").contains("EADDRINUSE"));

    let r = env.run(&["doctor", "--json"]);
    let report = r.json();
    let ev = evidence_of(&report, "port");
    let summary = ev["summary"].as_str().unwrap();
    assert_eq!(ev["facts"]["port.listening"], false, "{ev:#}");
    assert_eq!(ev["facts"]["port.bindable"], false, "{ev:#}");
    assert_eq!(ev["facts"]["port.holder_pid"], holder, "{ev:#}");
    assert!(
        summary.contains("ESTABLISHED connection to 127.0.0.1:"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("ephemeral range {lo}-{hi}")),
        "{summary}"
    );
    let confirmed = report["initial"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == "port-in-use" && f["verdict"] == "confirmed");
    assert!(confirmed, "{:#}", report["initial"]["findings"]);

    // The fix moves the gateway to a port outside the ephemeral range.
    let r = env.run(&["doctor", "--fix", "--unsafe-fixes", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
    let moved: u16 = env
        .run(&["config", "get", "gateway.port"])
        .stdout
        .trim()
        .parse()
        .unwrap();
    assert_ne!(moved, port);
    assert!(
        !(lo..=hi).contains(&moved),
        "suggested {moved}, in {lo}-{hi}"
    );
    assert!(
        crate::harness::pid_alive(holder),
        "the stranger is never touched"
    );
    let _ = env.run(&["gateway", "stop"]);
}

// ---------------------------------------------------------------- item 12

#[test]
fn oom_kills_of_other_processes_are_not_blamed_on_a_healthy_gateway() {
    let env = TestEnv::new();
    local_config(&env, &format!("token = \"{PINNED}\"\n"));
    assert_eq!(env.run(&["gateway", "start"]).code, 0);
    assert_eq!(env.run(&["send", "pair"]).code, 0);
    let pid = i64::from(env.gateway_pid());
    // Another product's gateway and another home's clawdoc gateway died of
    // OOM; this home's gateway (pid `pid`) is alive and well.
    let other = pid + 100_000;
    let kmsg = env.write(
        "kmsg.log",
        format!(
            "3,1,5000000,-;Out of memory: Killed process 4242 (openclaw-gatewa) total-vm:1024000kB, anon-rss:900000kB\n\
             6,2,5000100,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=openclaw-gatewa,pid=4242,uid=0\n\
             3,3,5000200,-;Out of memory: Killed process {other} (clawdoc) total-vm:1024000kB, anon-rss:900000kB\n"
        ),
    );
    let r = env.run(&["doctor", "--json", "--test-kmsg", kmsg.to_str().unwrap()]);
    let report = r.json();
    let oom = evidence_of(&report, "oom");
    assert_eq!(oom["facts"]["oom.killed"], false, "{oom:#}");
    assert_eq!(report["healthy"], true, "{report:#}");
    assert_eq!(r.code, 0, "{r:?}");

    // The same log naming this gateway's pid is blamed on it.
    let kmsg = env.write(
        "kmsg.log",
        format!("3,1,5000000,-;Out of memory: Killed process {pid} (clawdoc) total-vm:1kB\n"),
    );
    let report = env
        .run(&["doctor", "--json", "--test-kmsg", kmsg.to_str().unwrap()])
        .json();
    assert_eq!(evidence_of(&report, "oom")["facts"]["oom.killed"], true);
    let _ = env.run(&["gateway", "stop"]);
}
