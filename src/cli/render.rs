//! Shared rendering: colour decided once, error chains, small helpers.

use owo_colors::{OwoColorize, Stream};

use super::ColorChoice;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style;

impl Style {
    /// Decides colour once. `auto` follows the terminal and `NO_COLOR`.
    pub(crate) fn new(color: ColorChoice) -> Self {
        match color {
            ColorChoice::Always => owo_colors::set_override(true),
            ColorChoice::Never => owo_colors::set_override(false),
            ColorChoice::Auto => {
                if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    owo_colors::set_override(false);
                }
            }
        }
        Self
    }
}

/// Prints an error and its causes to stderr.
pub(crate) fn error(_style: &Style, err: &anyhow::Error) {
    eprintln!(
        "{} {err}",
        super::tr::t("error-prefix")
            .if_supports_color(Stream::Stderr, |t| t.red().bold().to_string())
    );
    for cause in err.chain().skip(1) {
        eprintln!(
            "  {}",
            super::tr::msg("error-caused-by", &[("cause", super::tr::s(cause))])
        );
    }
}

/// `s` padded with spaces to `width` terminal columns (CJK characters
/// take two; `format!("{:<w$}")` counts chars and misaligns them).
pub(crate) fn pad(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// `s` right-aligned in `width` terminal columns (CJK counts two).
pub(crate) fn pad_left(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

/// A fix tier as shown: `safe`, `unsafe`, `display-only`, translated.
pub(crate) fn tier_name(a: clawdoc::vocab::Applicability) -> String {
    use clawdoc::vocab::Applicability::*;
    super::tr::t(match a {
        Safe => "tier-safe",
        Unsafe => "tier-unsafe",
        DisplayOnly => "tier-display-only",
    })
}

/// A fix preview's description in the output language: the catalogue's
/// `action-<name>` for the action, followed by whatever the library added to
/// its English description (a precondition error, shown as is).
pub(crate) fn preview_description(p: &clawdoc::fix::Preview) -> String {
    if super::tr::is_english() {
        return p.description.clone();
    }
    let english = clawdoc::fix::describe(p.action);
    let tail = p.description.strip_prefix(&english).unwrap_or_default();
    format!(
        "{}{tail}",
        super::tr::t(&format!("action-{}", p.action.as_str()))
    )
}

/// Why a fix was left for the user (the doctor's closed set of reasons), in
/// the output language.
pub(crate) fn left_reason(reason: &str) -> String {
    let id = match reason {
        "display-only" => "reason-display-only",
        "dry-run" => "reason-dry-run",
        "declined" => "reason-declined",
        "needs --fix" => "reason-needs-fix",
        "needs --unsafe-fixes" => "reason-needs-unsafe-fixes",
        "failed or did not help" => "reason-failed",
        other => return other.to_string(),
    };
    super::tr::t(id)
}
