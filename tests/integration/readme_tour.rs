//! The README's tour is the binary's real output: `scripts/readme-tour.sh
//! --print` regenerates it (temporary home, normalised paths, pids, ports and
//! timings) and this test fails when README.md's copy differs.

use crate::harness::{bin, repo};

#[test]
fn readme_tour_is_current() {
    let out = std::process::Command::new("bash")
        .arg(repo().join("scripts/readme-tour.sh"))
        .arg("--print")
        .env("CLAWDOC_BIN", bin())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    // The tour really ran: a doctor that fixed and verified, a walk, zh-TW.
    for must in [
        "$ clawdoc doctor --fix",
        "Verified: [✓] gateway ready",
        "How we got here:",
        "連接埠已被占用(EADDRINUSE)",
    ] {
        assert!(generated.contains(must), "{must}:\n{generated}");
    }
    if generated != readme {
        let diff: Vec<String> = generated
            .lines()
            .zip(readme.lines())
            .enumerate()
            .filter(|(_, (g, r))| g != r)
            .take(5)
            .map(|(i, (g, r))| format!("line {}:\n  now:    {g}\n  README: {r}", i + 1))
            .collect();
        panic!(
            "README.md's tour is stale: run scripts/readme-tour.sh\n{}",
            diff.join("\n")
        );
    }
}
