//! One integration-test binary: the real `clawdoc` binary, real processes,
//! real files in a temporary `CLAWDOC_HOME`.

mod harness;

mod config_cmd;
mod doctor;
mod engine_lookup;
mod engine_rules;
mod engine_scan;
mod epipe;
mod gateway_daemon;
mod gateway_server;
mod layers;
mod probes;
mod qa;
mod schemas;
mod security;
mod walk;
