//! A rule file from a user rules directory (compiled the same way for
//! built-ins and user rules).
#![no_main]

use std::collections::BTreeMap;

use clawdoc::engine::Engine;
use clawdoc::ruleset::compile::compile;
use clawdoc::ruleset::Origin;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(rule) = compile("x", "f.toml", Origin::Builtin, text) {
        // A rule that compiled is used: its patterns on its own examples,
        // their captures, and its fixes with those captures substituted.
        let rules = [rule];
        let rule = &rules[0];
        let mut captures = vec![BTreeMap::new()];
        if let Ok(engine) = Engine::new(&rules) {
            for example in &rule.examples {
                for m in engine.lookup(example.text.as_bytes()) {
                    captures.push(m.captures);
                }
            }
        }
        for fix in &rule.fixes {
            for c in &captures {
                let _ = fix.commands_with(c);
                let _ = fix.title_with(c);
                let _ = fix.text_with(c);
            }
        }
    }
});
