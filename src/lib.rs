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
//! * [`ruleset`] loads the TOML rules (embedded + user dir) and compiles them;
//!   [`engine`] matches text against them (no I/O).
//! * [`probe`] reads this machine (read-only, injectable roots).
//! * [`finding`] joins matches and evidence; [`fix`] plans, applies, verifies
//!   and journals fixes; [`report`] is the diagnosis as data.
//! * [`gateway`] is the embedded gateway (server, daemon control, client);
//!   [`config`] its configuration.
//! * [`cli`] is the only module that touches the terminal.

pub mod config;
pub mod doctor;
pub mod engine;
pub mod finding;
pub mod fix;
pub mod flow;
pub mod fsutil;
pub mod gateway;
pub mod home;
pub mod normalize;
pub mod probe;
pub mod procinfo;
pub mod report;
pub mod ruleset;
pub mod target;
pub mod vocab;
