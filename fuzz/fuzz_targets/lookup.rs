//! `clawdoc lookup` on arbitrary pasted bytes: the built-in rules, every
//! normaliser on the way, and the "closest rule" fallback.
#![no_main]

use std::sync::OnceLock;

use clawdoc::engine::Engine;
use clawdoc::ruleset::RuleSet;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine<'static> {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    static ENGINE: OnceLock<Engine<'static>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let rules = RULES.get_or_init(RuleSet::builtin);
        Engine::new(&rules.rules).expect("built-in rules compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let engine = engine();
    let matches = engine.lookup(data);
    for m in &matches {
        assert!(m.hits >= 1);
        assert!(m.line >= 1);
    }
    // The fallback `lookup` shows when nothing matched.
    let text = String::from_utf8_lossy(data);
    let closest = engine.closest(&text, 3);
    assert!(closest.len() <= 3);
    for (_, score) in closest {
        assert!((0.0..=1.0).contains(&score), "score {score}");
    }
});
