//! OpenClaw names its default log by the LOCAL date
//! (`/tmp/openclaw/openclaw[-PROFILE]-YYYY-MM-DD.log`, `formatLocalDate` in
//! its dist/logger-*.mjs: JS `Date`, so `TZ` or /etc/localtime); `clawdoc
//! logs` on the OpenClaw target looks for the same file. Two zones 26 hours
//! apart always name different days.

use crate::harness::TestEnv;

/// The date at UTC offset `hours` now, as OpenClaw writes it.
fn date_at(hours: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

#[test]
fn openclaw_default_log_is_named_by_the_local_date() {
    let env = TestEnv::new();
    let state = env.path("oc");
    std::fs::create_dir_all(&state).unwrap();
    // No config (so no logging.file); a profile no one uses, so the file
    // does not exist and `logs` names the path it looked for.
    let profile = format!("clawdoctz{}", std::process::id());
    let mut seen = Vec::new();
    for (tz, hours) in [("Etc/GMT-14", 14), ("Etc/GMT+12", -12), ("UTC", 0)] {
        let before = date_at(hours);
        let run = env.run_env(
            &["--target", "openclaw", "--profile", &profile, "logs"],
            &[("TZ", tz), ("OPENCLAW_STATE_DIR", state.to_str().unwrap())],
        );
        let after = date_at(hours);
        assert_eq!(run.code, 1, "{tz}: {run:?}");
        let named = |d: &str| {
            run.stderr
                .contains(&format!("/tmp/openclaw/openclaw-{profile}-{d}.log"))
        };
        assert!(named(&before) || named(&after), "{tz} ({before}): {run:?}");
        seen.push(before);
    }
    assert_ne!(seen[0], seen[1], "{seen:?}");
}
