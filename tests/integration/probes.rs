//! Probes against real processes on this machine: a fake gateway (a process
//! whose command line is `clawdoc … gateway run`, holding the lock and a
//! port and answering `/health`), a stranger holding the port, a SIGSTOPped
//! gateway, an OOM-killed one, and a hostile home. There is no CLI for
//! probes yet, so these drive the library (`clawdoc::probe`) directly.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use clawdoc::home::Home;
use clawdoc::probe::{self, Evidence, ProbeEnv, Status};
use clawdoc::procinfo::{self, ProcRoot};
use clawdoc::state::pid::{self as pidfile, PidRecord};
use clawdoc::vocab::ProbeName;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::json;

use crate::harness::{wait_until, TestEnv};

/// A probe environment that looks at `t`'s home and the live `/proc`, with
/// a pinned, empty environment (no DISPLAY, no proxy, no overrides).
fn probe_env(t: &TestEnv) -> ProbeEnv {
    ProbeEnv {
        home: Home::new(t.home()),
        proc_root: ProcRoot::default(),
        kmsg_path: None,
        disk_fixture: None,
        cgroup_root: t.path("no-cgroup"),
        env: BTreeMap::new(),
        net_timeout: Duration::from_millis(800),
        target: clawdoc::target::Target::embedded(),
        port_override: None,
    }
}

fn by_name(all: &[Evidence], name: ProbeName) -> &Evidence {
    all.iter().find(|e| e.probe == name).unwrap()
}

fn fact<'a>(e: &'a Evidence, name: &str) -> &'a serde_json::Value {
    e.get(name)
        .unwrap_or_else(|| panic!("{name} missing; {} said: {}", e.probe, e.summary))
}

/// The real interpreter behind a `python3` shim (pyenv's shim would exec
/// and lose the argv[0] we set).
fn real_python() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 is installed (the harness needs it too)");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

const FAKE_GATEWAY: &str = r#"
import fcntl, os, socket, sys
lock = open(sys.argv[3], "w")
fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
lock.write("%d\n" % os.getpid()); lock.flush()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("ready %d" % s.getsockname()[1], flush=True)
body = b'{"status":"ok","ready":true,"pid":%d}' % os.getpid()
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body) + body)
    c.close()
"#;

/// Starts a fake gateway (`clawdoc -c … gateway run <lock>`), records it in
/// `gateway.pid` like the real one, and returns its pid and port.
fn spawn_fake_gateway(t: &mut TestEnv) -> (i32, u16) {
    let mut child = Command::new(real_python())
        .arg0("clawdoc")
        .args(["-c", FAKE_GATEWAY, "gateway", "run"])
        .arg(t.path("gateway.lock"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let line = crate::harness::first_line(&mut child);
    let port: u16 = line.trim().strip_prefix("ready ").unwrap().parse().unwrap();
    let pid = t.adopt(child) as i32;
    record_pid(t, pid);
    (pid, port)
}

/// A process whose command line is `clawdoc -c 'read -r _' gateway run`: a
/// gateway by identity that blocks on its stdin and starts no children.
/// A process that looks like `clawdoc gateway run` serving `t`'s home: the
/// command line, and this home's `gateway.lock` held open.
fn spawn_idle_gateway(t: &TestEnv) -> Child {
    let child = Command::new("bash")
        .arg0("clawdoc")
        .args(["-c", "exec 9>>\"$FAKE_LOCK\"; read -r _", "gateway", "run"])
        .env("FAKE_LOCK", t.path("gateway.lock"))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    // The lock file appears when the shell has opened it.
    assert!(wait_until(Duration::from_secs(5), || t
        .path("gateway.lock")
        .exists()));
    child
}

fn record_pid(t: &TestEnv, pid: i32) {
    let start_time = procinfo::stat(&ProcRoot::default(), pid)
        .unwrap()
        .start_time;
    pidfile::write(&t.path("gateway.pid"), &PidRecord { pid, start_time }).unwrap();
}

fn write_config(t: &TestEnv, port: u16) {
    t.write(
        "config.toml",
        format!("[gateway]\nmode = \"local\"\nport = {port}\ntoken = \"0123456789abcdef0123\"\n"),
    );
}

#[test]
fn healthy_fake_gateway_is_ok_everywhere() {
    let mut t = TestEnv::new();
    let (pid, port) = spawn_fake_gateway(&mut t);
    write_config(&t, port);
    t.write("identity.json", r#"{"device_id":"cli"}"#);
    let env = probe_env(&t);
    let all = probe::run_all(&env, ProbeName::ALL);

    let pid_ev = by_name(&all, ProbeName::Pid);
    assert_eq!(pid_ev.status, Status::Ok, "{}", pid_ev.summary);
    assert_eq!(fact(pid_ev, "pid.identity"), &json!("gateway"));

    let port_ev = by_name(&all, ProbeName::Port);
    assert_eq!(port_ev.status, Status::Ok, "{}", port_ev.summary);
    assert_eq!(fact(port_ev, "port.holder_pid"), &json!(pid));
    assert_eq!(fact(port_ev, "port.holder_is_gateway"), &json!(true));

    let health = by_name(&all, ProbeName::Health);
    assert_eq!(health.status, Status::Ok, "{}", health.summary);
    assert_eq!(fact(health, "health.status_code"), &json!(200));

    let lock = by_name(&all, ProbeName::Lock);
    assert_eq!(fact(lock, "lock.held"), &json!(true), "{}", lock.summary);
    assert_eq!(fact(lock, "lock.owner_pid"), &json!(pid));
    assert_eq!(fact(lock, "lock.recorded_pid"), &json!(pid));

    for name in [
        ProbeName::Config,
        ProbeName::Token,
        ProbeName::Disk,
        ProbeName::Display,
    ] {
        let e = by_name(&all, name);
        assert_eq!(e.status, Status::Ok, "{name}: {}", e.summary);
    }
    // Every probe was timed.
    assert!(all.iter().all(|e| e.elapsed > Duration::ZERO));
}

#[test]
fn stranger_holding_the_port_is_named_and_health_is_not_ready() {
    let mut t = TestEnv::new();
    let port = crate::harness::free_port();
    let stranger = t.spawn_port_holder(port) as i32;
    write_config(&t, port);
    let env = probe_env(&t);
    let all = probe::run_all(&env, &[ProbeName::Port, ProbeName::Health]);

    let port_ev = &all[0];
    assert_eq!(port_ev.status, Status::Fail, "{}", port_ev.summary);
    assert_eq!(fact(port_ev, "port.holder_pid"), &json!(stranger));
    assert_eq!(fact(port_ev, "port.holder_is_gateway"), &json!(false));
    let cmdline = fact(port_ev, "port.holder_cmdline").as_str().unwrap();
    assert!(
        cmdline.contains("python3") && cmdline.contains("socket"),
        "{cmdline}"
    );
    assert!(
        port_ev.summary.contains(&format!("pid {stranger}")),
        "{}",
        port_ev.summary
    );

    // The stranger listens but never answers: connected, timed out, not ready.
    let health = &all[1];
    assert_eq!(health.status, Status::Fail, "{}", health.summary);
    assert_eq!(fact(health, "health.ready"), &json!(false));
    assert_eq!(fact(health, "health.timed_out"), &json!(true));
}

#[test]
fn sigstopped_gateway_is_hung_until_continued() {
    let mut t = TestEnv::new();
    let child = spawn_idle_gateway(&t);
    let pid = t.adopt(child) as i32;
    record_pid(&t, pid);
    let env = probe_env(&t);
    let e = probe::run(ProbeName::Pid, &env);
    assert_eq!(e.status, Status::Ok, "{}", e.summary);
    assert_eq!(fact(&e, "pid.identity"), &json!("gateway"));

    kill(Pid::from_raw(pid), Signal::SIGSTOP).unwrap();
    assert!(wait_until(Duration::from_secs(5), || {
        probe::run(ProbeName::Pid, &env).get("pid.state") == Some(&json!("stopped"))
    }));
    let e = probe::run(ProbeName::Pid, &env);
    assert_eq!(e.status, Status::Fail, "{}", e.summary);
    assert_eq!(fact(&e, "pid.hung"), &json!(true));

    kill(Pid::from_raw(pid), Signal::SIGCONT).unwrap();
    assert!(wait_until(Duration::from_secs(5), || {
        probe::run(ProbeName::Pid, &env).get("pid.hung") == Some(&json!(false))
    }));
}

#[test]
fn oom_killed_gateway_is_dead_and_named_in_the_kernel_log() {
    let t = TestEnv::new();
    let mut child = spawn_idle_gateway(&t);
    let pid = child.id() as i32;
    record_pid(&t, pid);
    // What the OOM killer does: SIGKILL. Then the kernel log says so.
    child.kill().unwrap();
    child.wait().unwrap();
    let template =
        std::fs::read_to_string(crate::harness::repo().join("fixtures/kmsg/oom-gateway.log"))
            .unwrap();
    let log = template
        .replace("{PID}", &pid.to_string())
        .replace("{OTHER_PID}", "1");
    let kmsg = t.write("kmsg.log", log);
    let mut env = probe_env(&t);
    env.kmsg_path = Some(kmsg);

    let all = probe::run_all(&env, &[ProbeName::Pid, ProbeName::Oom]);
    assert_eq!(
        fact(&all[0], "pid.identity"),
        &json!("dead"),
        "{}",
        all[0].summary
    );
    let oom = &all[1];
    assert_eq!(oom.status, Status::Fail, "{}", oom.summary);
    assert_eq!(fact(oom, "oom.killed"), &json!(true));
    assert_eq!(fact(oom, "oom.victim_pid"), &json!(pid));
    assert!(oom.summary.contains(&pid.to_string()), "{}", oom.summary);

    // The same log without the gateway's pid or name: not an OOM kill of ours.
    let clean = t.write(
        "clean.log",
        std::fs::read_to_string(crate::harness::repo().join("fixtures/kmsg/clean.log")).unwrap(),
    );
    env.kmsg_path = Some(clean);
    let oom = probe::run(ProbeName::Oom, &env);
    assert_eq!(fact(&oom, "oom.killed"), &json!(false), "{}", oom.summary);
}

#[test]
fn reused_pid_is_a_stranger_and_never_the_gateway() {
    let mut t = TestEnv::new();
    let sleeper = t.spawn_sleeper() as i32;
    record_pid(&t, sleeper);
    let e = probe::run(ProbeName::Pid, &probe_env(&t));
    assert_eq!(e.status, Status::Fail, "{}", e.summary);
    assert_eq!(fact(&e, "pid.identity"), &json!("stranger"));
    assert_eq!(fact(&e, "pid.stranger_cmdline"), &json!("sleep 600"));
}

#[test]
fn hostile_home_never_crashes_any_probe() {
    let t = TestEnv::new();
    t.write("config.toml", [0xff, 0x00, 0xfe, b'[', 0x80]);
    t.write("gateway.pid", [0xde, 0xad, 0xbe, 0xef]);
    t.write("identity.json", "{{{{");
    std::fs::create_dir_all(t.path("gateway.lock")).unwrap();
    let mut env = probe_env(&t);
    env.proc_root = ProcRoot::new(t.path("no-proc"));
    env.kmsg_path = Some(t.path("no-kmsg"));
    env.disk_fixture = Some(t.path("no-fixture.toml"));
    let all = probe::run_all(&env, ProbeName::ALL);
    assert_eq!(all.len(), ProbeName::ALL.len());
    let status = |n| by_name(&all, n).status;
    assert_eq!(status(ProbeName::Config), Status::Fail);
    assert_eq!(status(ProbeName::Pid), Status::Fail);
    for n in [
        ProbeName::Port,
        ProbeName::Oom,
        ProbeName::Disk,
        ProbeName::Resources,
        ProbeName::Lock,
    ] {
        assert_eq!(
            status(n),
            Status::Inconclusive,
            "{n}: {}",
            by_name(&all, n).summary
        );
    }
    // The whole diagnosis serializes (the doctor's --json).
    serde_json::to_string(&all).unwrap();
}
