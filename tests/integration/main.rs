//! One integration-test binary: the real `clawdoc` binary, real processes,
//! real files in a temporary `CLAWDOC_HOME`.

mod harness;

mod config_cmd;
mod context;
mod conventions;
mod corpus;
mod doctor;
mod engine_lookup;
mod engine_rules;
mod engine_scan;
mod epipe;
mod fix_text;
mod gateway_daemon;
mod gateway_server;
mod healthy;
mod i18n;
mod layers;
mod log_date;
mod openclaw;
mod probes;
mod qa;
mod readme_tour;
mod release_run;
mod schemas;
mod security;
mod status_blocks;

mod walk;
