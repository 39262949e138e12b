//! clawdoc: a diagnostic-first troubleshooter for an OpenClaw-style gateway,
//! with an embedded gateway so every error can be reproduced for real.
//!
//! Data flows one way; nothing lower names anything higher:
//!
//! ```text
//!  text / log ─▶ engine (rules) ─▶ matches ─┐
//!                                           ├─▶ finding ─▶ fix plan ─▶ report ─▶ cli (render)
//!  machine ───▶ probe ──────────▶ evidence ─┘
//! ```
//!
//! # Layers
//!
//! A module may name modules of its own layer or below, never above. The
//! table is checked: `tests/integration/layers.rs` reads it from this file
//! and fails on any `crate::` path in `src/` that names a higher layer.
//! The command line (`src/cli/`) is the binary's, above everything.
//!
//! | layer | modules | what |
//! |-------|---------|------|
//! | 7 | doctor report fuzzing | orchestration; the diagnosis as data (`--json`); entry points for `fuzz/` |
//! | 6 | fix | fix actions: plan, apply, verify, undo journal |
//! | 5 | finding flow eval | matches + evidence → verdicts; the flowchart walk; a rule pack scored on labelled pastes |
//! | 4 | engine probe | text → rule matches (no I/O); the machine, read-only |
//! | 3 | ruleset gateway | rule files → compiled rules; the embedded gateway (server, daemon) |
//! | 2 | client health | the gateway's WebSocket client; the one `/health` client |
//! | 1 | config state protocol target | gateway config; on-disk state (pid, lock, identity, devices); wire format; the target's facts (embedded or OpenClaw) |
//! | 0 | text fsutil home procinfo vocab normalize i18n | utilities, paths, `/proc`, closed vocabularies, the output language |
//!
//! * [`ruleset`] loads the TOML rules (embedded + user dir) and compiles them;
//!   [`engine`] matches text against them (no I/O).
//! * [`probe`] reads this machine (read-only, injectable roots).
//! * [`finding`] joins matches and evidence; [`fix`] plans, applies, verifies
//!   and journals fixes; [`report`] is the diagnosis as data.
//! * [`eval`] scores the rules on a labelled file of pastes (`rules eval`).
//! * [`gateway`] is the embedded gateway (server, daemon control); [`client`]
//!   talks to it; [`state`] holds the on-disk formats both sides share;
//!   [`config`] its configuration.
//! * The library does no terminal I/O: `cli` (declared by `main.rs`) renders.

pub mod client;
pub mod config;
pub mod doctor;
pub mod engine;
pub mod eval;
pub mod finding;
pub mod fix;
pub mod flow;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod health;
pub mod home;
pub mod i18n;
pub mod normalize;
pub mod probe;
pub mod procinfo;
pub mod protocol;
pub mod report;
pub mod ruleset;
pub mod state;
pub mod target;
pub mod text;
pub mod vocab;
