//! A user flowchart file, validated against the built-in rules, then
//! rendered the ways `clawdoc flowchart` does.
#![no_main]

use std::sync::OnceLock;

use clawdoc::flow::Flowchart;
use clawdoc::ruleset::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(RuleSet::builtin);
    if let Ok(chart) = Flowchart::parse("f.toml", text, rules) {
        let _ = chart.to_mermaid(rules);
        let _ = chart.to_dot(rules);
    }
});
