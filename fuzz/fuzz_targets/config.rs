//! `config.toml` as a user may have left it: parsing, and the edits
//! `clawdoc config set/unset` and the deprecated-key fix make to it. An edit
//! that succeeds must leave a file that still parses.
#![no_main]

use std::path::Path;

use clawdoc::config::edit;
use clawdoc::fuzzing;
use libfuzzer_sys::fuzz_target;

const SETS: &[(&str, &str)] = &[
    ("gateway.port", "18790"),
    ("gateway.mode", "local"),
    ("gateway.token", "fuzz-token-0123456789"),
    ("gateway.startupTimeout", "30"),
    ("ai.model", "gpt-fuzz"),
];
const UNSETS: &[&str] = &["gateway.port", "port", "gateway", "ai.model", "a.b.c"];

fn reparses(what: &str, before: &str, after: &str) {
    if let Err(e) = fuzzing::parse_config(Path::new("f.toml"), after) {
        panic!("{what} produced text that does not parse ({e}):\n--- before\n{before}\n--- after\n{after}");
    }
}

fuzz_target!(|text: &str| {
    let path = Path::new("f.toml");
    let _ = fuzzing::parse_config(path, text);
    let pick = text.len();
    let (key, value) = SETS[pick % SETS.len()];
    if let Ok(out) = edit::set_in_text(text, key, value) {
        reparses(&format!("set {key}={value}"), text, &out);
    }
    let key = UNSETS[pick % UNSETS.len()];
    if let Ok(out) = edit::unset_in_text(text, key) {
        reparses(&format!("unset {key}"), text, &out);
    }
    if let Ok(out) = fuzzing::migrate_config(text) {
        reparses("migrate", text, &out);
    }
});
