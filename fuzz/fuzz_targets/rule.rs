//! A rule file from a user rules directory (compiled the same way for
//! built-ins and user rules).
#![no_main]

use clawdoc::ruleset::compile::compile;
use clawdoc::ruleset::Origin;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(rule) = compile("x", "f.toml", Origin::Builtin, text) {
        // A rule that compiled is used: its patterns, captures and fixes.
        let _ = rule.capture_names();
        let captures = rule
            .capture_names()
            .into_iter()
            .map(|n| (n, "v".to_string()))
            .collect();
        for fix in &rule.fixes {
            let _ = fix.commands_with(&captures);
            let _ = fix.title_with(&captures);
            let _ = fix.text_with(&captures);
        }
    }
});
