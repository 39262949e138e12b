//! Small text utilities shared across layers: byte offset to line:col,
//! "did you mean", an errno in words, RFC 3339 timestamps. No I/O.

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// How close (Jaro-Winkler, case-insensitive) a name must be to a candidate
/// to be suggested. One threshold for rule ids, vocabulary names and config
/// keys alike.
const DID_YOU_MEAN: f64 = 0.8;

/// The candidate closest to a misspelt `name`, if any is close enough.
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&name, &c.to_ascii_lowercase()), *c))
        .filter(|(score, _)| *score > DID_YOU_MEAN)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `("EADDRINUSE", "address already in use")` for an OS error.
pub(crate) fn errno_words(e: &std::io::Error) -> (String, String) {
    match e.raw_os_error() {
        Some(raw) => {
            let errno = nix::errno::Errno::from_raw(raw);
            (format!("{errno:?}"), errno.desc().to_lowercase())
        }
        None => ("EUNKNOWN".to_string(), e.to_string()),
    }
}

/// `2026-11-25T23:59:01.123Z` (UTC, milliseconds).
pub fn now_rfc3339_millis() -> String {
    rfc3339_millis(time::OffsetDateTime::now_utc())
}

pub(crate) fn rfc3339_millis(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\ncé\nx";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 6), (2, 3));
        assert_eq!(line_col(t, 99), (3, 2));
    }

    #[test]
    fn rfc3339_with_millis() {
        let t = time::macros::datetime!(2026-11-25 23:59:01.123 UTC);
        assert_eq!(rfc3339_millis(t), "2026-11-25T23:59:01.123Z");
    }

    #[test]
    fn did_you_mean_is_case_insensitive_with_one_threshold() {
        let keys = ["gateway.mode", "gateway.port", "ai.model"];
        assert_eq!(did_you_mean("gateway.Mode", &keys), Some("gateway.mode"));
        assert_eq!(did_you_mean("gatway.port", &keys), Some("gateway.port"));
        assert_eq!(did_you_mean("zzz", &keys), None);
    }
}
