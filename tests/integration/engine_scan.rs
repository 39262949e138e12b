//! `clawdoc scan` through the real binary: per-rule counts, first/last line
//! and sample; JSON shape; stdin; odd input; bounded memory on a huge line.

use crate::harness::{repo, sorted_keys, TestEnv};

#[test]
fn scan_reports_counts_lines_and_samples() {
    let env = TestEnv::new();
    let path = repo().join("fixtures/logs/gateway-incident.log");
    let run = env.run(&["scan", "--json", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let keys = sorted_keys(&json);
    assert_eq!(
        keys,
        [
            "lang",
            "lines",
            "matched_lines",
            "routine",
            "routine_lines",
            "rules",
            "schema_version"
        ]
    );
    assert_eq!(json["lines"], 14);
    assert_eq!(json["matched_lines"], 7);
    let rule = |id: &str| {
        json["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {json}"))
    };
    let port = rule("port-in-use");
    assert_eq!(
        (
            port["count"].as_u64(),
            port["first_line"].as_u64(),
            port["last_line"].as_u64()
        ),
        (Some(2), Some(3), Some(9))
    );
    assert!(port["sample"].as_str().unwrap().contains("EADDRINUSE"));
    assert_eq!(port["category"], "port_in_use");
    assert_eq!(rule("not-ready")["count"], 1);
    assert_eq!(rule("deprecated-config-key")["first_line"], 11);
    assert_eq!(rule("oom")["first_line"], 13);
    let rule_keys = sorted_keys(&port);
    assert_eq!(
        rule_keys,
        [
            "category",
            "count",
            "first_line",
            "last_line",
            "rule_id",
            "sample"
        ]
    );

    let human = env.run(&["scan", path.to_str().unwrap()]);
    assert!(human.stdout.contains("14 lines, 7 matched"), "{human:?}");
    assert!(human.stdout.contains("port-in-use"), "{human:?}");
}

#[test]
fn scan_stdin_clean_log_exits_zero() {
    let env = TestEnv::new();
    let run = env.run_stdin(
        &["scan", "--json", "-"],
        b"[gateway] listening on :3001\n[gateway] request ok\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json(),
        serde_json::json!({"schema_version": 1, "lang": "en", "lines": 2, "matched_lines": 0, "routine_lines": 0, "rules": [], "routine": []})
    );
}

#[test]
fn scan_missing_file_is_an_error() {
    let env = TestEnv::new();
    let run = env.run(&["scan", "/nonexistent/gateway.log"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("cannot open /nonexistent/gateway.log"),
        "{run:?}"
    );
}

#[test]
fn scan_handles_huge_lines_and_garbage_in_bounded_memory() {
    let env = TestEnv::new();
    // 100 MB on one line with a match in the middle, then garbage, then a normal line.
    let mut data = vec![b'z'; 100 << 20];
    data[60 << 20..(60 << 20) + 10].copy_from_slice(b"EADDRINUSE");
    data.push(b'\n');
    data.extend_from_slice(b"\x00\xff\xfe\x1b[31m garbage \x1b[0m\n");
    data.extend_from_slice(b"gateway not connected");
    let path = env.write("big.log", &data);
    let cmd = env.cmd(&["scan", "--json", path.to_str().unwrap()]);
    // Bounded memory: the scan must fit well under the size of the line.
    let out = run_with_rss(cmd);
    let json: serde_json::Value = serde_json::from_slice(&out.0).unwrap();
    assert_eq!(json["lines"], 3, "{json}");
    assert_eq!(json["matched_lines"], 2, "{json}");
    assert!(
        out.1 > 0 && out.1 < 60 << 20,
        "max RSS {} bytes for a 100 MB line",
        out.1
    );
}

/// Runs the command, polling its peak RSS (VmHWM) until it exits; returns
/// (stdout, peak RSS in bytes).
fn run_with_rss(mut cmd: std::process::Command) -> (Vec<u8>, u64) {
    use std::io::Read;
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut pipe = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        pipe.read_to_end(&mut buf).unwrap();
        buf
    });
    let pid = child.id();
    let mut peak = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
            {
                peak = peak.max(kb * 1024);
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    (reader.join().unwrap(), peak)
}
