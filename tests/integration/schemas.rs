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

#[track_caller]
fn assert_valid(schema: &Value, doc: &Value) {
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    assert_eq!(doc["schema_version"], 1, "{doc:#}");
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
    let lookup = schema(&env, "lookup");
    for text in [
        "Error: listen EADDRINUSE: address already in use 127.0.0.1:3001",
        "everything is fine today",
    ] {
        assert_valid(&lookup, &env.run(&["lookup", "--json", text]).json());
    }
    let log = env.write(
        "gateway.log",
        "[gateway] listening on :3001\nError: listen EADDRINUSE: address already in use 127.0.0.1:3001\n",
    );
    let scan = env.run(&["scan", "--json", log.to_str().unwrap()]);
    assert_eq!(scan.json()["rules"][0]["rule_id"], "port-in-use");
    assert_valid(&schema(&env, "scan"), &scan.json());
    assert_valid(
        &schema(&env, "rules-list"),
        &env.run(&["rules", "list", "--json"]).json(),
    );
    let test = env.run(&["rules", "test", "--json"]);
    assert_eq!(test.code, 0, "{test:?}");
    assert_valid(&schema(&env, "rules-test"), &test.json());
    assert_valid(
        &schema(&env, "rules-lint"),
        &env.run(&["rules", "lint", "--json"]).json(),
    );
    let answers = env.write("answers.txt", "");
    let walk = env.run(&[
        "walk",
        "--json",
        "--answers",
        answers.to_str().unwrap(),
        "--message",
        "GatewayRequestError: Web Login Provider is not available",
    ]);
    assert_eq!(walk.json()["outcome"]["value"], "web-login-provider");
    assert_valid(&schema(&env, "walk"), &walk.json());
}

#[test]
fn the_validation_can_fail() {
    let env = TestEnv::new();
    let lookup = schema(&env, "lookup");
    let validator = jsonschema::validator_for(&lookup).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({"schema_version": 1})));
    assert!(!validator.is_valid(&serde_json::json!({
        "schema_version": 1,
        "matches": [{"rule_id": 7}]
    })));
}
