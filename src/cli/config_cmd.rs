//! `clawdoc config get|set|unset|validate|path`: reading and changing the
//! gateway config from the command line. The edits themselves are
//! `config::edit`; this file only renders and maps outcomes to exit codes.
//!
//! Exit codes:
//! * `get`: 0 the key has a value, 1 the key is not set, 2 bad key or a config
//!   that cannot be read.
//! * `set` / `unset`: 0 written (or nothing to change), 2 refused (unknown key,
//!   bad value, unreadable or syntactically broken file); a refused edit never
//!   touches the file.
//! * `validate`: 0 clean, 1 invalid (including a syntax error or a file that
//!   is not UTF-8, reported with its line:col), 2 no config file at all or an
//!   unreadable one.

use super::tr::{msg, s};
use fluent_bundle::FluentValue;
use std::path::Path;

use super::{Ctx, Exit};
use anyhow::Context;
use clawdoc::config::{self, edit, LoadError};
use clawdoc::report;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Print the effective value of a key (file, then environment overrides).
    Get {
        /// A dotted key, e.g. gateway.port.
        key: String,
    },
    /// Set a key; the value is checked and the file's comments are kept.
    Set {
        /// A dotted key, e.g. gateway.mode.
        key: String,
        value: String,
    },
    /// Remove a key from the file.
    Unset { key: String },
    /// List every problem in the config with file:line:col.
    Validate {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Print the config file path.
    Path,
}

pub(crate) fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<Exit> {
    let path = ctx.home.config_path();
    match cmd {
        Command::Path => {
            outln!("{}", path.display());
            Ok(Exit::Ok)
        }
        Command::Get { key } => get(&path, &key),
        Command::Set { key, value } => {
            // Read-modify-write under the doctor's lock: concurrent `config
            // set`s (and `doctor --fix`) must not lose each other's changes.
            let _turn = clawdoc::doctor::take_fixing_turn(&ctx.home);
            edit_file(&path, true, |text| edit::set_in_text(text, &key, &value))?;
            let shown = if key == "gateway.token" {
                "<redacted>".to_string()
            } else {
                edit::typed_value(&key, &value)?
                    .to_string()
                    .trim()
                    .to_string()
            };
            let args = [
                ("key", s(&key)),
                ("value", s(shown)),
                ("path", s(path.display())),
            ];
            outln!("{}", msg("config-set-done", &args));
            Ok(Exit::Ok)
        }
        Command::Unset { key } => {
            let _turn = clawdoc::doctor::take_fixing_turn(&ctx.home);
            let changed = edit_file(&path, false, |text| edit::unset_in_text(text, &key))?;
            if changed {
                let args = [("key", s(&key)), ("path", s(path.display()))];
                outln!("{}", msg("config-unset-done", &args));
            } else {
                let args = [("key", s(&key)), ("path", s(path.display()))];
                outln!("{}", msg("config-unset-absent", &args));
            }
            Ok(Exit::Ok)
        }
        Command::Validate { json } => validate(&path, json, ctx),
    }
}

/// Reads the file, applies `change`, writes the result (backup, atomic,
/// 0600) if anything changed. Returns whether the file changed.
fn edit_file(
    path: &Path,
    create: bool,
    change: impl FnOnce(&str) -> Result<String, edit::EditError>,
) -> anyhow::Result<bool> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            let (line, col) = clawdoc::text::line_col(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            );
            anyhow::anyhow!(msg(
                "err-not-utf8-not-editing",
                &[
                    ("path", s(path.display())),
                    ("line", s(line)),
                    ("col", s(col))
                ]
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => String::new(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!(
                "{}",
                LoadError::Missing {
                    path: path.to_path_buf()
                }
            )
        }
        Err(e) => {
            return Err(e).with_context(|| msg("err-reading", &[("path", s(path.display()))]))
        }
    };
    let new_text = change(&text).map_err(|e| match e {
        edit::EditError::Syntax { .. } => anyhow::anyhow!(msg(
            "err-not-editing",
            &[("what", s(format!("{}:{e}", path.display())))]
        )),
        other => anyhow::Error::new(other),
    })?;
    if new_text == text && path.exists() {
        return Ok(false);
    }
    edit::write_config(path, &new_text)
        .with_context(|| msg("err-writing", &[("path", s(path.display()))]))?;
    Ok(true)
}

fn get(path: &Path, key: &str) -> anyhow::Result<Exit> {
    if !config::KNOWN_KEYS.contains(&key) {
        // Same error as `set` would give (unknown or deprecated key).
        edit::typed_value(key, "")?;
    }
    let loaded = config::load_with_env(path, &|k| std::env::var(k).ok())?;
    // A bad value in the file is ignored (the default or an override wins):
    // say where it is, so the printed value does not pass for the file's.
    for p in loaded
        .problems
        .iter()
        .filter(|p| matches!(p.kind, config::ProblemKind::BadValue { .. }) && p.key() == key)
    {
        let at = format!("{}:{}:{}", path.display(), p.line, p.col);
        let args = [("at", s(at)), ("problem", s(&p.message))];
        eprintln!("{}", msg("config-get-ignored", &args));
    }
    let c = &loaded.config;
    let value = match key {
        "gateway.mode" => c.mode.map(|m| m.as_str().to_string()),
        "gateway.port" => Some(c.port.to_string()),
        "gateway.token" => c.token.as_ref().map(ToString::to_string),
        "gateway.startupTimeout" => Some(c.startup_timeout.as_secs().to_string()),
        "gateway.allowedOrigins" => Some(c.allowed_origins.join(",")).filter(|v| !v.is_empty()),
        "ai.model" => c.ai_model.clone(),
        _ => None,
    };
    match value {
        Some(v) => {
            outln!("{v}");
            Ok(Exit::Ok)
        }
        None => {
            eprintln!("{}", msg("config-get-unset", &[("key", s(key))]));
            Ok(Exit::Problems)
        }
    }
}

fn validate(path: &Path, json: bool, ctx: &Ctx) -> anyhow::Result<Exit> {
    let shown = path.display().to_string();
    // Validation is about the file: environment overrides do not hide problems.
    let loaded = config::load_with_env(path, &|_| None);
    let report = report::ConfigValidate::new(shown.clone(), &loaded);
    let exit = match loaded {
        Ok(_) if report.valid => Exit::Ok,
        Ok(_) | Err(LoadError::Syntax { .. }) => Exit::Problems,
        Err(e @ LoadError::Missing { .. }) if !json => return Err(e.into()),
        Err(LoadError::Missing { .. }) => Exit::Error,
        Err(e @ LoadError::Unreadable { .. }) => return Err(e.into()),
    };
    if json {
        let doc = report::Versioned::new(&report).in_lang(ctx.lang);
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    } else if report.valid {
        outln!("{}", msg("config-valid-ok", &[("path", s(&shown))]));
    } else {
        for p in &report.problems {
            outln!("{shown}:{}:{}: {}", p.line, p.col, p.message);
        }
        let args = [
            ("count", FluentValue::from(report.problems.len())),
            ("path", s(&shown)),
        ];
        outln!("{}", msg("config-problems", &args));
    }
    Ok(exit)
}
