//! The published JSON Schemas (`clawdoc schema NAME`, `docs/schemas/`) match
//! what the binary prints: each file equals the generated schema, and real
//! `--json` output of the real binary validates against it.

use serde_json::Value;

use crate::harness::{repo, TestEnv};

fn schema(env: &TestEnv, name: &str) -> Value {
    let run = env.run(&["schema", name]);
    assert_eq!(run.code, 0, "{run:?}");
    run.json()
}

#[test]
fn published_schemas_are_the_generated_ones() {
    let env = TestEnv::new();
    for &name in clawdoc::report::SCHEMAS {
        let file = repo().join(format!("docs/schemas/{name}.json"));
        let published: Value = serde_json::from_str(
            &std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
        )
        .unwrap();
        assert_eq!(
            published,
            schema(&env, name),
            "{} is stale: regenerate with `clawdoc schema {name}`",
            file.display()
        );
    }
    let unknown = env.run(&["schema", "nope"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("one of: lookup"), "{unknown:?}");
}

#[test]
fn real_output_validates_against_its_schema() {
    let env = TestEnv::new();
    for text in [
        "Error: listen EADDRINUSE: address already in use 127.0.0.1:3001",
        "everything is fine today",
    ] {
        env.run(&["lookup", "--json", text]).doc("lookup");
    }
    let log = env.write(
        "gateway.log",
        "[gateway] listening on :3001\nError: listen EADDRINUSE: address already in use 127.0.0.1:3001\n",
    );
    let scan = env.run(&["scan", "--json", log.to_str().unwrap()]);
    assert_eq!(scan.json()["rules"][0]["rule_id"], "port-in-use");
    scan.doc("scan");
    env.run(&["rules", "list", "--json"]).doc("rules-list");
    let show = env.run(&["rules", "show", "port-in-use", "--json"]);
    assert_eq!(show.doc("rules-show")["id"], "port-in-use");
    let test = env.run(&["rules", "test", "--json"]);
    assert_eq!(test.code, 0, "{test:?}");
    test.doc("rules-test");
    env.run(&["rules", "lint", "--json"]).doc("rules-lint");
    let answers = env.write("answers.txt", "");
    let walk = env.run(&[
        "walk",
        "--json",
        "--answers",
        answers.to_str().unwrap(),
        "--message",
        "GatewayRequestError: Web Login Provider is not available",
    ]);
    assert_eq!(walk.doc("walk")["outcome"]["value"], "web-login-provider");
}

/// The documents of the machine-facing commands, on a home with no gateway
/// (the doctor matrix, the daemon and pairing tests validate them again
/// with a gateway running, fixes applied and devices paired).
#[test]
fn machine_documents_validate_against_their_schemas() {
    let env = TestEnv::new();
    let port = crate::harness::free_port();
    env.write(
        "config.toml",
        format!("model = \"gpt\"\n[gateway]\nport = {port}\n"),
    );
    let status = env.run(&["status", "--json"]);
    assert_eq!(status.doc("status")["state"], "stopped", "{status:?}");
    let doctor = env.run(&["doctor", "--json"]);
    assert_eq!(doctor.code, 1, "{doctor:?}");
    assert_eq!(doctor.doc("doctor")["healthy"], false);
    let validate = env.run(&["config", "validate", "--json"]);
    let kinds: Vec<Value> = validate.doc("config-validate")["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].clone())
        .collect();
    assert_eq!(kinds, ["deprecated_key", "missing_key"], "{validate:?}");
    assert_eq!(
        env.run(&["undo", "--json"]).doc("undo")["nothing_to_undo"],
        true
    );
    env.write(
        "devices.json",
        r#"{"paired":[{"id":"cli-1","client":"cli","paired_at":"2026-01-01T00:00:00Z"}],"pending":[{"id":"phone-1","client":"mobile","requested_at":"2026-01-01T00:00:00Z","peer":"127.0.0.1"}]}"#,
    );
    let devices = env.run(&["devices", "list", "--json"]).doc("devices");
    assert_eq!(devices["paired"][0]["id"], "cli-1");
    assert_eq!(devices["pending"][0]["peer"], "127.0.0.1");
    let chart = env.run(&["flowchart", "--format", "json"]).doc("flowchart");
    assert_eq!(chart["start"], "symptom");
    let msg = format!("Error: listen EADDRINUSE: address already in use 127.0.0.1:{port}");
    let probed = env.run(&["lookup", "--probe", "--json", &msg]);
    assert_eq!(
        probed.doc("lookup-probe")["matches"][0]["verdict"],
        "refuted",
        "{probed:?}"
    );
}

#[test]
fn the_validation_can_fail() {
    let env = TestEnv::new();
    let validator = jsonschema::validator_for(&schema(&env, "lookup")).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({"schema_version": 1})));
    assert!(!validator.is_valid(&serde_json::json!({
        "schema_version": 1,
        "matches": [{"rule_id": 7}]
    })));
    // Every document requires its own fields: a bare header is none of them.
    for &name in clawdoc::report::SCHEMAS {
        let validator = jsonschema::validator_for(&clawdoc::report::schema(name).unwrap()).unwrap();
        let bare = serde_json::json!({"schema_version": 1, "lang": "en"});
        assert!(!validator.is_valid(&bare), "{name} accepts a bare header");
    }
    let doctor = jsonschema::validator_for(&clawdoc::report::schema("doctor").unwrap()).unwrap();
    let mut report = env.run(&["doctor", "--json"]).doc("doctor");
    report["healthy"] = "maybe".into();
    assert!(!doctor.is_valid(&report), "healthy must be a boolean");
}

/// `docs/schemas/rule-file.json` (for editors) accepts every built-in rule
/// file and rejects a rule with an unknown field or a severity not in the
/// vocabulary.
#[test]
fn every_builtin_rule_validates_against_the_rule_file_schema() {
    let text = std::fs::read_to_string(repo().join("docs/schemas/rule-file.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(repo().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") || path.ends_with("flowchart.toml") {
            continue;
        }
        let doc: Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        seen += 1;
        let mut bad = doc.clone();
        bad["severity"] = "catastrophic".into();
        assert!(!validator.is_valid(&bad), "{}", path.display());
        let mut bad = doc;
        bad["pattern"] = "typo for patterns".into();
        assert!(!validator.is_valid(&bad), "{}", path.display());
    }
    assert!(seen >= 20, "{seen}");
}
