//! A user flowchart file, validated against the built-in rules, then laid
//! out the way `clawdoc flowchart` draws it.
#![no_main]

use std::sync::OnceLock;

use clawdoc::fuzzing;
use clawdoc::ruleset::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(RuleSet::builtin);
    if let Some(chart) = fuzzing::parse_flowchart("f.toml", text, rules) {
        let _ = chart.drawing(rules);
    }
});
