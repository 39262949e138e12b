//! clap in the reader's language: command abouts, help headings and the
//! common usage errors from the catalogue (`about-<command path>`,
//! `help-*`, `clap-*`). English keeps clap's own texts untouched.
//!
//! The language must be known before clap parses, so [`early_lang`] reads
//! `--lang` from the raw arguments (and the environment, as
//! [`clawdoc::i18n::Lang::choose`] does).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

use super::tr::{self, msg, s, t};
use clawdoc::i18n::Lang;

/// The language of this invocation, from the raw arguments and the
/// environment; a bad `CLAWDOC_LANG` falls back to the locale (`main` then
/// reports it).
pub(crate) fn early_lang(args: &[std::ffi::OsString]) -> Lang {
    let mut flag = None;
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            flag = it.next().and_then(|v| Lang::parse(&v));
        } else if let Some(v) = a.strip_prefix("--lang=") {
            flag = Lang::parse(v);
        }
    }
    let env = |k: &str| std::env::var(k).ok();
    Lang::choose(flag, env).unwrap_or_else(|_| {
        Lang::choose(None, |k| (k != "CLAWDOC_LANG").then(|| env(k)).flatten()).unwrap_or_default()
    })
}

/// `cmd` with its abouts, headings and option help in this process's
/// language (unchanged in English).
pub(crate) fn localize(cmd: Command) -> Command {
    if tr::is_english() {
        return cmd;
    }
    // clap keeps headings as `&'static str` (without its `string`
    // feature): three short strings, made once per process.
    let leak = |id: &str| -> &'static str { Box::leak(t(id).into_boxed_str()) };
    let headings = Headings {
        commands: leak("help-commands"),
        arguments: leak("help-arguments"),
        options: leak("help-options"),
    };
    // Built first, so clap's own `help` subcommand and -h/-V flags exist
    // and are translated with the rest.
    let mut cmd = cmd;
    cmd.build();
    walk(cmd, "", &headings)
}

struct Headings {
    commands: &'static str,
    arguments: &'static str,
    options: &'static str,
}

fn walk(mut cmd: Command, path: &str, h: &Headings) -> Command {
    let id = if path.is_empty() {
        "about".to_string()
    } else if cmd.get_name() == "help" {
        // clap's own, under every command that has subcommands.
        "about-help".to_string()
    } else {
        format!("about-{path}")
    };
    if let Some(text) = tr::translated(&id) {
        cmd = cmd.about(text.clone()).long_about(text);
    }
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        t("help-usage")
    );
    cmd = cmd
        .help_template(template)
        .subcommand_help_heading(h.commands)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                h.arguments
            } else {
                h.options
            };
            // `arg-<command path>-<id>` where one id means different things
            // in different commands, else `arg-<id>`.
            let id = a.get_id().as_str().replace('_', "-");
            let help = tr::translated(&format!("arg-{path}-{id}"))
                .or_else(|| tr::translated(&format!("arg-{id}")));
            let a = a.help_heading(heading);
            match help {
                Some(text) => {
                    // clap's own `[default: …]`, `[possible values: …]` and
                    // `[env: …]` notes are English: hidden, and said here.
                    let text = format!("{text}{}", notes(&a));
                    a.help(text.clone())
                        .long_help(text)
                        .hide_default_value(true)
                        .hide_possible_values(true)
                        .hide_env(true)
                }
                None => a,
            }
        });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    // clap's `help` copies its siblings as its own subcommands (`help
    // doctor`): they say what the siblings say.
    let parent = if cmd.get_name() == "help" {
        path.strip_suffix("help")
            .unwrap_or(path)
            .trim_end_matches('-')
    } else {
        path
    };
    for name in names {
        let child = if parent.is_empty() {
            name.clone()
        } else {
            format!("{parent}-{name}")
        };
        cmd = cmd.mut_subcommand(&name, |c| walk(c, &child, h));
    }
    cmd
}

/// A man page from clap_mangen with its section headings (`.SH NAME`,
/// `.SH OPTIONS`, …) from the catalogue (`man-<heading>`): in the reader's
/// language, and clap_mangen's `EXTRA` (the exit-code table) named for what
/// it is.
pub(crate) fn man_headings(page: &str) -> String {
    page.lines()
        .map(|line| {
            let heading = line
                .strip_prefix(".SH ")
                .and_then(|h| tr::translated(&format!("man-{}", h.to_ascii_lowercase())));
            match heading {
                Some(h) => format!(".SH {h}\n"),
                None => format!("{line}\n"),
            }
        })
        .collect()
}

/// The bracketed notes clap appends to an argument's help (environment
/// variable, default, possible values), from the catalogue.
fn notes(a: &clap::Arg) -> String {
    let mut out = String::new();
    if !a.get_action().takes_values() {
        return out;
    }
    if let Some(var) = a.get_env() {
        out.push_str(&msg("help-note-env", &[("var", s(var.to_string_lossy()))]));
    }
    let defaults: Vec<String> = (a.get_default_values().iter())
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        out.push_str(&msg(
            "help-note-default",
            &[("value", s(defaults.join(", ")))],
        ));
    }
    let possible: Vec<String> = (a.get_possible_values().iter())
        .filter(|p| !p.is_hide_set())
        .map(|p| p.get_name().to_string())
        .collect();
    if !possible.is_empty() {
        out.push_str(&msg(
            "help-note-possible",
            &[("values", s(possible.join(", ")))],
        ));
    }
    out
}

/// A usage error in this process's language: the common kinds from the
/// catalogue, the rest (and English) as clap words it.
pub(crate) fn print_error(e: &clap::Error) {
    if tr::is_english() {
        let _ = e.print();
        return;
    }
    let text = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(v)) => Some(v.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        Some(ContextValue::StyledStr(v)) => Some(v.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let line = match e.kind() {
        ErrorKind::InvalidSubcommand => msg(
            "clap-unknown-command",
            &[(
                "name",
                s(text(ContextKind::InvalidSubcommand).unwrap_or_default()),
            )],
        ),
        ErrorKind::UnknownArgument => msg("clap-unknown-argument", &[("arg", s(&arg))]),
        ErrorKind::MissingRequiredArgument => msg("clap-missing-argument", &[("arg", s(&arg))]),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => match text(ContextKind::ValidValue)
        {
            Some(valid) => msg(
                "clap-invalid-value-one-of",
                &[("arg", s(&arg)), ("value", s(&value)), ("valid", s(valid))],
            ),
            None => msg(
                "clap-invalid-value",
                &[("arg", s(&arg)), ("value", s(&value))],
            ),
        },
        _ => {
            let _ = e.print();
            return;
        }
    };
    eprintln!("{} {line}", t("error-prefix"));
    if let Some(suggested) = text(ContextKind::SuggestedSubcommand)
        .or_else(|| text(ContextKind::SuggestedArg))
        .or_else(|| text(ContextKind::SuggestedValue))
    {
        eprintln!("  {}", msg("clap-did-you-mean", &[("what", s(suggested))]));
    }
    if let Some(usage) = text(ContextKind::Usage) {
        let usage = usage.strip_prefix("Usage:").unwrap_or(&usage).trim();
        eprintln!("\n{} {usage}", t("help-usage"));
    }
    eprintln!("\n{}", t("clap-more-help"));
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every command: (command path as `walk` names it,
    /// id) with its English help.
    fn arguments(
        cmd: &clap::Command,
        path: &str,
        out: &mut std::collections::BTreeMap<(String, String), String>,
    ) {
        // Hidden test hooks and arguments without help show no text.
        for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            let id = a.get_id().as_str().replace('_', "-");
            let help = a.get_help().map(ToString::to_string).unwrap_or_default();
            if !help.is_empty() {
                out.insert((path.to_string(), id), help);
            }
        }
        for sub in cmd.get_subcommands() {
            let child = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path}-{}", sub.get_name())
            };
            arguments(sub, &child, out);
        }
    }

    /// `--help` in zh-TW translates every option and argument, not only the
    /// global ones: each id has an `arg-<id>` entry in locales/zh-TW.ftl
    /// (one text per id, shared by the commands that take it).
    #[test]
    fn every_argument_has_its_zh_tw_help() {
        let mut cmd = super::super::Cli::command();
        cmd.build();
        let mut args = std::collections::BTreeMap::new();
        arguments(&cmd, "", &mut args);
        let zh = clawdoc::i18n::ZH_TW_FTL;
        let has = |id: &str| zh.lines().any(|l| l.starts_with(&format!("{id} =")));
        let missing: Vec<String> = args
            .iter()
            .filter(|((path, id), _)| {
                !has(&format!("arg-{path}-{id}")) && !has(&format!("arg-{id}"))
            })
            .map(|((path, id), help)| format!("arg-{path}-{id} = {help}"))
            .collect();
        assert!(missing.is_empty(), "no zh-TW help:\n{}", missing.join("\n"));
    }
}
