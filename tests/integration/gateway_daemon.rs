//! `clawdoc gateway start|stop|restart|status`, `status`, `restart`, `logs`
//! against the real gateway: real processes, temp homes, free ports.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{assert_no_secret, free_port, http, pid_alive, wait_until, TestEnv};

/// A configured home on a free port; returns (port, token).
fn configured(env: &TestEnv) -> (u16, String) {
    let port = free_port();
    let r = env.run(&["setup", "--non-interactive", "--port", &port.to_string()]);
    assert_eq!(r.code, 0, "{r:?}");
    let token = env
        .read("config.toml")
        .lines()
        .find_map(|l| {
            l.strip_prefix("token = \"")
                .and_then(|t| t.strip_suffix('"'))
                .map(String::from)
        })
        .unwrap();
    (port, token)
}

fn start_time(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 1..];
    after
        .split_whitespace()
        .nth(22 - 3)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn start_status_stop() {
    let env = TestEnv::new();
    let (port, token) = configured(&env);

    let started = env.run(&["gateway", "start"]);
    assert_eq!(started.code, 0, "{started:?}");
    assert!(started.stdout.contains("gateway started"), "{started:?}");
    let pid = env.gateway_pid();
    assert!(pid_alive(pid));
    assert!(env
        .read("logs/gateway.log")
        .contains(&format!("[gateway] listening on :{port}")));

    let status = env.run(&["status", "--json"]);
    assert_eq!(status.code, 0, "{status:?}");
    let v = status.doc("status");
    assert_eq!(v["state"], "running");
    assert_eq!(v["pid"], pid);
    assert_eq!(v["port"], port);
    assert_eq!(v["mode"], "local");
    assert_eq!(v["ready"], true);
    assert!(v["health_ms"].as_f64().unwrap() >= 0.0);
    let human = env.run(&["gateway", "status"]);
    assert_eq!(human.code, 0, "{human:?}");
    assert!(human.stdout.contains("gateway running"), "{human:?}");

    let again = env.run(&["gateway", "start"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("already running"), "{again:?}");
    assert_eq!(env.gateway_pid(), pid, "no second gateway");

    let health = http(port, "GET", "/health").unwrap();
    assert_eq!(health.status, 200, "{health:?}");
    assert!(
        !health.head.contains(&token) && !health.body.contains(&token),
        "token in /health"
    );

    let stopped = env.run(&["gateway", "stop"]);
    assert_eq!(stopped.code, 0, "{stopped:?}");
    assert!(stopped.stdout.contains("gateway stopped"), "{stopped:?}");
    assert!(wait_until(Duration::from_secs(5), || !pid_alive(pid)));
    assert!(!env.path("gateway.pid").exists());

    let after = env.run(&["status", "--json"]);
    assert_eq!(after.code, 1, "{after:?}");
    assert_eq!(after.doc("status")["state"], "stopped");
    let nothing = env.run(&["gateway", "stop"]);
    assert_eq!(nothing.code, 0, "{nothing:?}");
    assert!(nothing.stdout.contains("not running"), "{nothing:?}");

    let logs = env.run(&["logs", "--tail", "2"]);
    assert_eq!(logs.code, 0, "{logs:?}");
    assert_eq!(logs.stdout.lines().count(), 2, "{logs:?}");
    assert!(logs.stdout.contains("stopped"), "{logs:?}");

    assert_no_secret(
        &token,
        &[
            &started, &status, &human, &again, &stopped, &after, &nothing, &logs,
        ],
    );
    assert!(
        !env.read("logs/gateway.log").contains(&token),
        "token in the log"
    );
}

#[test]
fn restart_replaces_the_process() {
    let env = TestEnv::new();
    let (_port, token) = configured(&env);
    assert_eq!(env.run(&["gateway", "start"]).code, 0);
    let old = env.gateway_pid();
    let r = env.run(&["restart"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("gateway stopped"), "{r:?}");
    assert!(r.stdout.contains("gateway started"), "{r:?}");
    let new = env.gateway_pid();
    assert_ne!(old, new);
    assert!(!pid_alive(old));
    assert_no_secret(&token, &[&r]);
    assert_eq!(env.run(&["gateway", "stop", "--force"]).code, 0);
}

#[test]
fn busy_port_reports_eaddrinuse_at_once() {
    let mut env = TestEnv::new();
    let (port, _) = configured(&env);
    env.spawn_port_holder(port);
    let t = Instant::now();
    let r = env.run(&["gateway", "start", "--timeout", "60"]);
    let took = t.elapsed();
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("gateway exited during startup (exit status 1)"),
        "{r:?}"
    );
    assert!(
        r.stderr.contains(&format!(
            "Error: listen EADDRINUSE: address already in use 127.0.0.1:{port}"
        )),
        "{r:?}"
    );
    // The dead child is reported as soon as it exits, never after the timeout.
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(!env.path("gateway.pid").exists());
}

#[test]
fn missing_config_and_unset_mode_fail_with_the_seed_messages() {
    let env = TestEnv::new();
    let r = env.run(&["gateway", "start"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("Missing config. Run `clawdoc setup` or set gateway.mode=local"),
        "{r:?}"
    );

    env.write(
        "config.toml",
        format!("[gateway]\nport = {}\n", free_port()),
    );
    let r = env.run(&["gateway", "start"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("gateway start blocked: set gateway.mode=local (current: unset)"),
        "{r:?}"
    );
    let st = env.run(&["status", "--json"]);
    assert_eq!(st.code, 1);
    assert_eq!(st.json()["state"], "stopped");
}

#[test]
fn sigstopped_gateway_restart_times_out_then_force_stop_recovers() {
    let env = TestEnv::new();
    let (_port, token) = configured(&env);
    assert_eq!(env.run(&["gateway", "start"]).code, 0);
    let pid = env.gateway_pid();
    let stop = std::process::Command::new("kill")
        .args(["-STOP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(stop.success());

    let st = env.run(&["status", "--json"]);
    assert_eq!(st.code, 1, "{st:?}");
    assert_eq!(st.json()["state"], "hung");
    assert_eq!(st.json()["process_state"], "stopped");

    let t = Instant::now();
    let r = env.run(&["restart", "--timeout", "2"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(t.elapsed() >= Duration::from_secs(2));
    assert!(
        r.stderr
            .contains("gateway restart timed out — gateway did not stop within 2s"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("restart failed: old gateway process still running"),
        "{r:?}"
    );
    assert!(r.stderr.contains("clawdoc gateway stop --force"), "{r:?}");
    assert!(pid_alive(pid), "a non-forced restart must not kill it");

    // `start` refuses to stack a second gateway on the hung one.
    let s = env.run(&["gateway", "start"]);
    assert_eq!(s.code, 1, "{s:?}");
    assert!(s.stderr.contains("stop --force"), "{s:?}");

    let k = env.run(&["gateway", "stop", "--force"]);
    assert_eq!(k.code, 0, "{k:?}");
    assert!(wait_until(Duration::from_secs(5), || !pid_alive(pid)));
    assert!(!env.path("gateway.pid").exists());

    let again = env.run(&["gateway", "start"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_ne!(env.gateway_pid(), pid);
    assert_no_secret(&token, &[&st, &r, &s, &k, &again]);
    assert_eq!(env.run(&["gateway", "stop"]).code, 0);
}

#[test]
fn pid_reuse_never_signals_the_stranger() {
    let mut env = TestEnv::new();
    configured(&env);
    let sleeper = env.spawn_sleeper();
    let real = start_time(sleeper);
    for recorded in [real, real + 1] {
        env.write("gateway.pid", format!("{sleeper}\nstarttime={recorded}\n"));
        let st = env.run(&["status", "--json"]);
        assert_eq!(st.code, 1, "{st:?}");
        assert_eq!(st.json()["state"], "stale");

        for args in [
            &["gateway", "stop"][..],
            &["gateway", "stop", "--force"][..],
        ] {
            env.write("gateway.pid", format!("{sleeper}\nstarttime={recorded}\n"));
            let r = env.run(args);
            assert_eq!(r.code, 0, "{args:?} {r:?}");
            assert!(r.stdout.contains("NOT signalled"), "{r:?}");
            assert!(r.stdout.contains("Removed the stale pid file"), "{r:?}");
            assert!(pid_alive(sleeper), "{args:?} killed a stranger");
            assert!(!env.path("gateway.pid").exists());
        }
    }
    // `start` over a stranger's pid file says so, starts, leaves it alone.
    env.write("gateway.pid", format!("{sleeper}\nstarttime={real}\n"));
    let r = env.run(&["gateway", "start"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("stale pid file"), "{r:?}");
    assert!(pid_alive(sleeper));
    assert_ne!(env.gateway_pid(), sleeper);
    assert_eq!(env.run(&["gateway", "stop"]).code, 0);
    assert!(pid_alive(sleeper));
}

#[test]
fn stale_pid_file_of_a_dead_process() {
    let env = TestEnv::new();
    configured(&env);
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    env.write("gateway.pid", format!("{dead}\nstarttime=12345\n"));
    let st = env.run(&["status", "--json"]);
    assert_eq!(st.json()["state"], "stale", "{st:?}");
    let r = env.run(&["gateway", "start"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("stale pid file"), "{r:?}");
    assert_ne!(env.gateway_pid(), dead);
    assert_eq!(env.run(&["gateway", "stop"]).code, 0);

    env.write("gateway.pid", "garbage\n");
    let r = env.run(&["gateway", "stop"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("malformed pid file"), "{r:?}");
}

#[test]
fn logs_tail_and_follow_across_rotation() {
    let env = TestEnv::new();
    let r = env.run(&["logs"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("no gateway log yet"), "{r:?}");

    let log = env.write("logs/gateway.log", "one\ntwo\nthree\n");
    let r = env.run(&["logs", "--tail", "2"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "two\nthree\n"), "{r:?}");

    let mut child = env
        .cmd(&["logs", "--follow", "--tail", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || lines.next().unwrap().unwrap();
    assert_eq!(next(), "three");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .unwrap()
        .write_all(b"four\n")
        .unwrap();
    assert_eq!(next(), "four");
    // Rotation: the old file moves away, a new one takes its name.
    std::fs::rename(&log, env.path("logs/gateway.log.1")).unwrap();
    std::fs::write(&log, "fresh\n").unwrap();
    assert_eq!(next(), "fresh");
    child.kill().unwrap();
    child.wait().unwrap();
}
