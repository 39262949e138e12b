//! One integration-test binary: the real `clawdoc` binary, real processes,
//! real files in a temporary `CLAWDOC_HOME`.

mod harness;
mod engine_lookup;
mod engine_rules;
mod engine_scan;
