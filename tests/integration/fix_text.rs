//! Fix texts per target (`[fix.target.openclaw]` in a rule): on the OpenClaw
//! target `lookup` and `doctor` show OpenClaw's own words and commands, never
//! clawdoc's knobs (`CLAWDOC_GATEWAY_MODE`, `clawdoc config set`, …); the
//! embedded target keeps the rule's own. Driven with the real OpenClaw's
//! captured text and config (fixtures/openclaw/mode-unset/).

use crate::harness::{repo, Run, TestEnv};

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(repo().join("fixtures/openclaw").join(rel)).unwrap()
}

/// The "Fixes" part of a human lookup (up to the flowchart line), without
/// the hint that names `clawdoc doctor --fix` (true on every target).
fn fixes_part(run: &Run) -> String {
    (run.stdout.lines())
        .skip_while(|l| !(l.starts_with("Fixes") || l.starts_with("修復方式")))
        .take_while(|l| !(l.starts_with("Flowchart") || l.starts_with("流程圖")))
        .filter(|l| !l.contains("clawdoc doctor --fix`"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// clawdoc's own knobs and files, wrong advice on an OpenClaw install.
const CLAWDOC_ONLY: &[&str] = &[
    "CLAWDOC_",
    "~/.clawdoc",
    "clawdoc config",
    "clawdoc gateway",
    "clawdoc restart",
    "clawdoc devices",
    "clawdoc send",
    "clawdoc setup",
    "clawdoc logs",
    "clawdoc scan",
    "clawdoc login",
    "gateway.token",
    "gateway.startupTimeout",
    "config.toml",
    "keeping your comments",
];

#[test]
fn lookup_names_openclaw_knobs_on_the_openclaw_target_only() {
    let env = TestEnv::new();
    let console = fixture("mode-unset/console.txt");
    let line = console.lines().next().unwrap();
    let oc = env.run(&["--target", "openclaw", "lookup", line]);
    assert_eq!(oc.code, 1, "{oc:?}");
    let fixes = fixes_part(&oc);
    assert!(
        fixes.contains("Set gateway.mode = local with `openclaw config set`")
            && fixes.contains("gateway.bind")
            && fixes.contains("$ openclaw config set gateway.mode local")
            && fixes.contains("$ openclaw gateway run --allow-unconfigured"),
        "{fixes}"
    );
    for knob in CLAWDOC_ONLY {
        assert!(!fixes.contains(knob), "{knob}: {fixes}");
    }
    // In zh-TW: the OpenClaw wording's translation.
    let zh = env.run(&["--lang", "zh-TW", "--target", "openclaw", "lookup", line]);
    let fixes = fixes_part(&zh);
    assert!(
        fixes.contains("以 `openclaw config set` 設定 gateway.mode = local")
            && fixes.contains("gateway.bind 決定"),
        "{zh:?}"
    );
    assert!(!fixes.contains("CLAWDOC_GATEWAY_MODE"), "{fixes}");
    // `auto` with an OpenClaw state dir in the environment: OpenClaw's words.
    let state = env.path("oc");
    let auto = env.run_env(
        &["lookup", line],
        &[
            ("CLAWDOC_TARGET", "auto"),
            ("OPENCLAW_STATE_DIR", state.to_str().unwrap()),
        ],
    );
    assert!(
        fixes_part(&auto).contains("Set gateway.mode = local with `openclaw config set`"),
        "{auto:?}"
    );
    // The embedded target keeps the rule's own words.
    let embedded = env.run(&["--target", "embedded", "lookup", line]);
    let fixes = fixes_part(&embedded);
    assert!(
        fixes.contains("keeping your comments")
            && fixes.contains("CLAWDOC_GATEWAY_MODE overrides the file")
            && fixes.contains("$ clawdoc config set gateway.mode local"),
        "{fixes}"
    );
    assert!(!fixes.contains("openclaw"), "{fixes}");
}

#[test]
fn doctor_on_openclaw_shows_openclaw_fix_texts() {
    let env = TestEnv::new();
    let state = env.path("oc");
    std::fs::create_dir_all(state.join("logs")).unwrap();
    let config = fixture("mode-unset/openclaw.json")
        .replace("{STATE}", &state.display().to_string())
        .replace("18789", &crate::harness::free_port().to_string());
    std::fs::write(state.join("openclaw.json"), config).unwrap();
    let vars = [
        ("CLAWDOC_TARGET", "openclaw"),
        ("OPENCLAW_STATE_DIR", state.to_str().unwrap()),
    ];
    let run = env.run_env(&["doctor", "--json"], &vars);
    assert_eq!(run.code, 1, "{run:?}");
    let d = run.json();
    let f = (d["initial"]["findings"].as_array().unwrap().iter())
        .find(|f| f["rule_id"] == "mode-unset")
        .unwrap_or_else(|| panic!("{d:#}"));
    assert!(
        (f["fixes"][0]["title"].as_str().unwrap())
            .starts_with("Set gateway.mode = local with `openclaw config set`"),
        "{f:#}"
    );
    assert!(
        (f["fixes"][1]["text"].as_str().unwrap()).contains("gateway.bind"),
        "{f:#}"
    );
    let human = env.run_env(&["doctor"], &vars);
    assert!(
        human.stdout.starts_with("clawdoc doctor: target openclaw"),
        "{human:?}"
    );
    assert!(
        human
            .stdout
            .contains("Set gateway.mode = local with `openclaw config set`"),
        "{human:?}"
    );
    // The findings and what is left (the header names CLAWDOC_TARGET).
    let (_, findings) = human.stdout.split_once("\n\n").unwrap();
    for knob in CLAWDOC_ONLY {
        assert!(!findings.contains(knob), "{knob}: {human:?}");
    }
}

/// Audit: every rule's fixes, as `lookup --target openclaw` shows them for
/// the rule's own first example, name none of clawdoc's own knobs.
#[test]
fn no_rule_fix_names_a_clawdoc_knob_on_openclaw() {
    let env = TestEnv::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(repo().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") || path.ends_with("flowchart.toml") {
            continue;
        }
        let rule: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if rule.get("fix").is_none() {
            continue; // informational
        }
        let example = (rule["example"].as_array().unwrap().iter())
            .find(|e| e.get("matches").and_then(|m| m.as_bool()) != Some(false))
            .and_then(|e| e["text"].as_str())
            .unwrap();
        let run = env.run(&["--target", "openclaw", "lookup", example]);
        let fixes = fixes_part(&run);
        assert!(!fixes.is_empty(), "{}: {run:?}", path.display());
        for knob in CLAWDOC_ONLY {
            assert!(
                !fixes.contains(knob),
                "{}: `{knob}` in\n{fixes}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 25, "{seen}");
}
