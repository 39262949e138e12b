//! Input normalisation before matching, one line at a time.
//!
//! Owns turning whatever a user pastes or a log holds into the text the rule
//! patterns are written against: lossy UTF-8 (invalid bytes never fail),
//! CRLF, ANSI colour/cursor escapes, NFKC (full-width punctuation and digits
//! become ASCII), typographic dashes and quotes folded to ASCII, the
//! prefix a log shipper puts before each line (journald/syslog, docker
//! compose, pm2, PowerShell's `openclaw : ` for a native command's stderr)
//! dropped, and JSON-lines records reduced to their string fields (message
//! first) so the patterns match inside them. Line structure is preserved: one input line
//! gives one output line, so line numbers stay true. No I/O here.

mod mask;
#[cfg(test)]
use mask::MASKS;
pub use mask::{mask, may_mask};

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Keys whose string values are the message of a JSON log record; they come
/// first in the flattened text, every other string field follows.
const MESSAGE_KEYS: &[&str] = &[
    "msg", "message", "error", "err", "reason", "text", "detail", "details", "cause", "0", "1",
];

/// Normalises one line (without its `\n`). Borrowed when nothing changes,
/// which is the common case for plain ASCII logs.
pub(crate) fn line(raw: &[u8]) -> Cow<'_, str> {
    let mut text: Cow<'_, str> = String::from_utf8_lossy(raw);
    if let Some(stripped) = text.strip_suffix('\r') {
        text = match text {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..b.len() - 1]),
            Cow::Owned(_) => Cow::Owned(stripped.to_string()),
        };
    }
    if text.contains('\x1b') || text.contains('\u{9b}') {
        text = Cow::Owned(strip_ansi(&text));
    }
    if !text.is_ascii() {
        text = Cow::Owned(fold_unicode(&text));
    }
    if let Some(at) = shipper_prefix_len(&text) {
        text = match text {
            Cow::Borrowed(b) => Cow::Borrowed(&b[at..]),
            Cow::Owned(o) => Cow::Owned(o[at..].to_string()),
        };
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        if let Some(flat) = flatten_json(trimmed) {
            return Cow::Owned(flat);
        }
    }
    text
}

/// Bytes of the prefixes a log shipper or shell put before the message,
/// when the line starts with any (at most three, e.g. docker compose in
/// front of journald): `Nov 30 01:02:03 host node[1234]: ` (journald's
/// and syslog's short format, or its ISO timestamp), `gateway-1  | `
/// (docker compose v2; v1's `proj_gateway_1  | `), `0|openclaw | ` (pm2),
/// `openclaw : ` (PowerShell wrapping a native command's stderr). The
/// product's own prefixes (`Error: `, `[openclaw] `, its timestamps) are
/// part of what it printed and stay.
fn shipper_prefix_len(text: &str) -> Option<usize> {
    if !may_have_shipper_prefix(text.as_bytes()) {
        return None;
    }
    static PREFIX: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = PREFIX.get_or_init(|| {
        regex::Regex::new(concat!(
            r"(?-u)\A(?:",
            // journald / syslog: timestamp, host, identifier[pid]:
            r"(?:[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}",
            r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)",
            r" [\w.-]+ [\w.@/()-]+?(?:\[\d+\])?: ",
            // docker compose: service-N (v2) or project_service_N (v1), padded
            r"|[\w.-]*[\w.][-_]\d+ +\| ?",
            // pm2: id|name |
            r"|\d+\|[\w.@-]+ *\| ?",
            // PowerShell: `openclaw : <first stderr line>`
            r"|(?:openclaw|clawdbot|clawdoc|node|npm|npx|pnpm|bun)(?:\.(?:cmd|ps1|exe))? : ",
            r")"
        ))
        .expect("the shipper prefix pattern is valid")
    });
    let mut at = 0;
    for _ in 0..3 {
        match re.find(&text[at..]) {
            Some(m) if m.end() > 0 => at += m.end(),
            _ => break,
        }
    }
    (at > 0).then_some(at)
}

/// A cheap screen before [`shipper_prefix_len`]'s regex, which is not even
/// compiled (about half a millisecond) for the usual line: a `|` early on
/// (docker compose, pm2), a month name or an ISO date and a host first
/// (journald), or ` : ` early on (PowerShell).
fn may_have_shipper_prefix(b: &[u8]) -> bool {
    const MONTHS: &[&[u8]] = &[
        b"Jan ", b"Feb ", b"Mar ", b"Apr ", b"May ", b"Jun ", b"Jul ", b"Aug ", b"Sep ", b"Oct ",
        b"Nov ", b"Dec ",
    ];
    let head = &b[..b.len().min(64)];
    memchr::memchr(b'|', head).is_some()
        || MONTHS.iter().any(|m| b.starts_with(m))
        || (b.len() > 11
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[10] == b'T'
            // not the product's own `2026-…Z [gateway] …`
            && memchr::memchr(b' ', b).is_some_and(|sp| b.get(sp + 1) != Some(&b'[')))
        || memchr::memmem::find(&head[..head.len().min(20)], b" : ").is_some()
}

/// Normalises a whole text, keeping one output line per input line.
pub fn text(raw: &[u8]) -> Vec<Cow<'_, str>> {
    split_lines(raw).map(line).collect()
}

/// Splits on `\n` only (a trailing `\r` is handled by [`line`]); a final
/// newline does not start an extra empty line.
pub(crate) fn split_lines(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = raw.strip_suffix(b"\n").unwrap_or(raw);
    let empty = raw.is_empty();
    body.split(|b| *b == b'\n').filter(move |_| !empty)
}

/// Removes ANSI escape sequences from text: [`strip_ansi_bytes`], the one
/// stripper.
pub(crate) fn strip_ansi(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    strip_ansi_bytes(s.as_bytes(), &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Removes ANSI escape sequences (CSI `ESC [` … final byte, OSC `ESC ]` …
/// BEL or `ESC \\`, two-byte `ESC x`), appending to a reused buffer: the scan strips
/// colour codes from whole blocks with it. Runs between escapes are copied
/// in bulk; a sequence never swallows a newline, so line numbers hold.
pub(crate) fn strip_ansi_bytes(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(at) = memchr::memchr(0x1b, &raw[i..]) {
        out.extend_from_slice(&raw[i..i + at]);
        i += at + 1;
        match raw.get(i) {
            Some(b'[') => {
                i += 1;
                while let Some(&c) = raw.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    i += 1;
                    if (0x40..=0x7e).contains(&c) {
                        break;
                    }
                }
            }
            Some(b']') => {
                i += 1;
                while let Some(&c) = raw.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    i += 1;
                    if c == 0x07 {
                        break;
                    }
                    if c == 0x1b {
                        if raw.get(i) == Some(&b'\\') {
                            i += 1;
                        }
                        break;
                    }
                }
            }
            Some(b'\n') | None => {}
            Some(_) => i += 1,
        }
    }
    out.extend_from_slice(&raw[i..]);
}

/// NFKC plus the folds NFKC leaves alone: dashes, curly quotes, odd spaces.
fn fold_unicode(s: &str) -> String {
    s.nfkc()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{300c}'
            | '\u{300d}' => '"',
            '\u{3001}' => ',',
            '\u{3002}' => '.',
            c if c != '\t' && c.is_whitespace() => ' ',
            c => c,
        })
        .collect()
}

/// A JSON object on one line → its string fields, message fields first,
/// separated by two spaces. `None` when the line is not a JSON object.
fn flatten_json(s: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(s.trim_end()).ok()?;
    let object = value.as_object()?;
    let mut parts: Vec<String> = Vec::new();
    for key in MESSAGE_KEYS {
        if let Some(v) = object.get(*key) {
            collect_strings(v, &mut parts);
        }
    }
    for (key, v) in object {
        if !MESSAGE_KEYS.contains(&key.as_str()) {
            collect_strings(v, &mut parts);
        }
    }
    let joined = parts.join("  ");
    // Escaped newlines inside a message must not create lines of their own.
    let joined = joined.replace(['\n', '\r'], " ");
    Some(if joined.is_ascii() {
        joined
    } else {
        fold_unicode(&joined)
    })
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        serde_json::Value::Object(map) => {
            for key in MESSAGE_KEYS {
                if let Some(inner) = map.get(*key) {
                    collect_strings(inner, out);
                }
            }
            for (key, inner) in map {
                if !MESSAGE_KEYS.contains(&key.as_str()) {
                    collect_strings(inner, out);
                }
            }
        }
        serde_json::Value::Number(n) => out.push(n.to_string()),
        _ => {}
    }
}

/// The input as a template: the parts that differ between two occurrences of
/// one message (numbers, ports, pids, hex ids, paths, quoted values, times)
/// replaced by placeholders, so similar messages compare equal.
/// Text safe to print on a terminal: control characters (C0 but tab, DEL,
/// C1) become `\u{FFFD}`, so a pasted or logged escape sequence cannot move
/// the cursor, retitle the window or hide text.
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c);
    if s.chars().any(bad) {
        Cow::Owned(
            s.chars()
                .map(|c| if bad(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Hides secret values a log line may carry (`token=…`, `password: …`,
/// `Bearer …`), so no output of clawdoc repeats them. A value is treated as
/// a secret when it follows such a key and looks random: at least 12
/// characters with a digit, or 24 without.
pub fn redact(s: &str) -> Cow<'_, str> {
    // Without a key followed by a value-sized run there is nothing to hide,
    // and the regex (costly to build, a fifth of a one-line lookup) is not
    // needed.
    let lower = s.as_bytes().to_ascii_lowercase();
    if !SECRET_KEYS.iter().any(|k| may_hold_secret(&lower, k)) {
        return Cow::Borrowed(s);
    }
    static SECRET: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = SECRET
        .get_or_init(|| regex::Regex::new(SECRET_PATTERN).expect("the secret pattern is valid"));
    if !re.is_match(s) {
        return Cow::Borrowed(s);
    }
    re.replace_all(s, |caps: &regex::Captures<'_>| {
        let value = &caps[2];
        let random = value.len() >= 24 || value.bytes().any(|b| b.is_ascii_digit());
        if random {
            format!("{}<redacted>", &caps[1])
        } else {
            caps[0].to_string()
        }
    })
}

/// A secret: a key, a separator, and a value of 12 or more characters.
const SECRET_PATTERN: &str = r#"(?i-u)((?:token|password|passwd|secret|api[_-]?key|authorization|bearer)(?:["']?\s*[:=]\s*["']?|\s+))([A-Za-z0-9._~+/=-]{12,})"#;

/// Every key [`SECRET_PATTERN`] knows holds one of these (ASCII
/// case-folded, as the pattern is).
const SECRET_KEYS: &[&[u8]] = &[
    b"token",
    b"passw",
    b"secret",
    b"api",
    b"authorization",
    b"bearer",
];

/// Whether some `key` in `lower` (ASCII-lowercased) is followed, past the
/// rest of its word and the separators the secret pattern allows (quotes,
/// blanks, `:`, `=`), by a run of at least 12 value characters (the `=`s
/// right before it counted in, as the pattern may take them as the value's):
/// a necessary condition for [`redact`]'s pattern (a key's word always ends
/// where its separator starts), checked without building it. `device token
/// mismatch` has no such run.
fn may_hold_secret(lower: &[u8], key: &[u8]) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let value = |b: u8| b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b);
    memchr::memmem::find_iter(lower, key).any(|at| {
        let mut i = at;
        while i < lower.len() && word(lower[i]) {
            i += 1;
        }
        while i < lower.len() && (lower[i].is_ascii_whitespace() || b"\"':=".contains(&lower[i])) {
            i += 1;
        }
        // `=`s just skipped may be the value's own first characters.
        let equals = lower[..i].iter().rev().take_while(|&&b| b == b'=').count();
        equals + lower[i..].iter().take_while(|&&b| value(b)).count() >= 12
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheap check never skips a line the secret pattern would change.
    #[test]
    fn the_secret_precheck_never_misses_a_secret() {
        let re = regex::Regex::new(SECRET_PATTERN).unwrap();
        let keys = SECRET_KEYS;
        let mut lines: Vec<String> = vec![
            "device token mismatch".into(),
            "token=abcdefabcdefabcdef".into(),
            "TOKEN: \"abcdef0123456789\"".into(),
            "token:==abcdefabcd".into(),
            "api-key = 'sk-0123456789abcdef'".into(),
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload".into(),
            "password\t\thunter2hunter2x".into(),
            "secret's value abcdefghijklmnop".into(),
            "tokens: abcdefghijklmnopqrstuvwxyz".into(),
        ];
        for key in ["token", "password", "secret", "api_key", "bearer"] {
            for sep in [" ", "=", ": ", "\"=\"", "' : '", ":=", "  \t"] {
                for v in [
                    "abc",
                    "abcdefghijk",
                    "abcdefghijkl",
                    "0123456789ab",
                    "==abcdefghij",
                ] {
                    lines.push(format!("x {key}{sep}{v} y"));
                }
            }
        }
        for line in &lines {
            let lower = line.as_bytes().to_ascii_lowercase();
            let cheap = keys.iter().any(|k| may_hold_secret(&lower, k));
            assert!(cheap || !re.is_match(line), "{line:?}");
        }
        assert!(!keys
            .iter()
            .any(|k| may_hold_secret(b"connect failed - device token mismatch", k)));
    }

    #[test]
    fn plain_ascii_is_borrowed() {
        assert!(matches!(line(b"gateway not connected"), Cow::Borrowed(_)));
    }

    #[test]
    fn crlf_ansi_and_fullwidth() {
        assert_eq!(
            line(b"\x1b[31mError:\x1b[0m EADDRINUSE\r"),
            "Error: EADDRINUSE"
        );
        assert_eq!(
            line("ＥＡＤＤＲＩＮＵＳＥ：：：３００１".as_bytes()),
            "EADDRINUSE:::3001"
        );
        assert_eq!(
            line("connect failed — device token mismatch".as_bytes()),
            "connect failed - device token mismatch"
        );
        assert_eq!(line("「錯誤」“model”".as_bytes()), "\"錯誤\"\"model\"");
    }

    #[test]
    fn ansi_bytes_match_ansi_text() {
        for s in [
            "\x1b[31mred\x1b[0m plain",
            "\x1b]0;title\x07after",
            "\x1b]8;;x\x1b\\link",
            "trailing \x1b",
            "\x1b(Bok",
        ] {
            let mut out = Vec::new();
            strip_ansi_bytes(s.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), strip_ansi(s), "{s:?}");
        }
    }

    #[test]
    fn ansi_never_swallows_a_newline() {
        let mut out = Vec::new();
        strip_ansi_bytes(b"a\x1b[12\nb\x1b]0;t\nc\x1b\nd", &mut out);
        assert_eq!(out, b"a\nb\nc\nd");
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        assert_eq!(line(b"bad \xff\xfe bytes"), "bad \u{fffd}\u{fffd} bytes");
    }

    #[test]
    fn json_lines_message_first() {
        let l = line(br#"{"ts":"2026-01-01","level":"warn","msg":"unknown config key: \"model\"","code":4008}"#);
        assert!(l.starts_with("unknown config key: \"model\""), "{l}");
        assert!(l.contains("4008"));
        // Not JSON: untouched.
        assert_eq!(line(b"{not json"), "{not json");
    }

    #[test]
    fn mask_hides_variable_parts() {
        assert_eq!(
            mask("2026-03-01T10:00:00Z pid 4242 listen on 127.0.0.1:3001 at /home/u/.clawdoc/x.db id deadbeef1234"),
            "<time> pid <pid> listen on <n>:<port> at <path> id <hex>"
        );
        assert_eq!(
            mask(r"Failed to read config at C:\Users\ann\.openclaw\openclaw.json: EPERM"),
            "Failed to read config at <path>: EPERM"
        );
    }

    /// Skipping the masks that cannot match changes nothing: the same text
    /// as every mask applied in order, on text with and without digits,
    /// slashes and dashes (an all-letter uuid, non-ASCII digits).
    #[test]
    fn mask_skips_only_masks_that_cannot_match() {
        let every = |s: &str| {
            MASKS.iter().fold(s.to_string(), |out, (re, with)| {
                regex::Regex::new(re)
                    .unwrap()
                    .replace_all(&out, *with)
                    .into_owned()
            })
        };
        for s in [
            "2026-03-01T10:00:00Z pid 4242 listen on 127.0.0.1:3001 at /home/u/x.db id deadbeef1234",
            "id deadbeef-dead-beef-dead-beefdeadbeef done",
            "port ٣٠٠١ busy, PID=٤٢",
            "open ~/.openclaw/openclaw.json failed",
            "gateway not connected",
            "token mismatch: 未授權 :18789",
            "",
        ] {
            assert_eq!(mask(s), every(s), "{s:?}");
        }
    }

    #[test]
    fn redact_skips_lines_without_a_secret_key() {
        assert!(matches!(redact("gateway not connected"), Cow::Borrowed(_)));
        let t = "9f86d081884c7d659a2feaa0c55ad015";
        assert_eq!(redact(&format!("API_KEY: {t}")), "API_KEY: <redacted>");
    }

    #[test]
    fn secrets_are_redacted() {
        let t = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(
            redact(&format!("connect token={t} failed")),
            "connect token=<redacted> failed"
        );
        assert_eq!(
            redact(&format!("gateway.token = \"{t}\"")),
            "gateway.token = \"<redacted>\""
        );
        assert_eq!(
            redact("Authorization: Bearer abcdefghijklmnopqrstuvwxyzABCD"),
            "Authorization: Bearer <redacted>"
        );
        // Words are not secrets.
        assert_eq!(
            redact("unauthorized: gateway token mismatch (rotate/reissue device token)"),
            "unauthorized: gateway token mismatch (rotate/reissue device token)"
        );
        assert_eq!(
            redact("token is not pinned; paired devices will need re-pairing"),
            "token is not pinned; paired devices will need re-pairing"
        );
    }

    #[test]
    fn log_shipper_prefixes_are_dropped() {
        let msg = "Startup failed: Error: unexpected failure";
        for prefixed in [
            "Nov 30 01:02:03 host node[1234]: ",
            "Nov  3 01:02:03 gw-host openclaw-gateway[77]: ",
            "2026-11-30T01:02:03+0000 host node[1234]: ",
            "gateway-1  | ",
            "openclaw-gateway-1  | ",
            "proj_gateway_1 | ",
            "0|openclaw | ",
            "12|openclaw-gateway  | ",
            "openclaw : ",
            "openclaw.cmd : ",
            "gateway-1  | Nov 30 01:02:03 host node[1234]: ",
        ] {
            let raw = format!("{prefixed}{msg}");
            assert_eq!(line(raw.as_bytes()), msg, "{raw:?}");
        }
        // Behind a prefix, a JSON record is still flattened, and colour codes
        // around the prefix do not hide it.
        assert_eq!(
            line(br#"gateway-1  | {"msg":"gateway closed (1006)","level":"error"}"#),
            "gateway closed (1006)  error"
        );
        assert_eq!(
            line(b"\x1b[36mgateway-1  |\x1b[0m EADDRINUSE"),
            "EADDRINUSE"
        );
        // The product's own prefixes, tables and ordinary text stay.
        for kept in [
            "Error: Startup failed: x",
            "[openclaw] Gateway daemon failed:",
            "2026-11-29T10:00:00.123Z [gateway] listening",
            "Gateway  | running",
            "a | b",
            "openclaw: not found",
            "Nov 30 is the day",
        ] {
            assert_eq!(line(kept.as_bytes()), kept);
        }
    }

    #[test]
    fn the_screen_passes_every_prefix_and_skips_the_usual_line() {
        for prefixed in [
            "Nov 30 01:02:03 host node[1234]: x",
            "2026-11-30T01:02:03+0000 host node[1234]: x",
            "gateway-1  | x",
            "0|openclaw | x",
            "openclaw : x",
        ] {
            assert!(may_have_shipper_prefix(prefixed.as_bytes()), "{prefixed}");
        }
        for usual in [
            "2026-11-29T10:00:00.123Z [gateway] listening on ws://127.0.0.1:18789",
            "Error: listen EADDRINUSE: address already in use 127.0.0.1:18789",
            "[openclaw] Gateway daemon failed:",
        ] {
            assert!(!may_have_shipper_prefix(usual.as_bytes()), "{usual}");
        }
    }

    #[test]
    fn lines_keep_numbering() {
        let lines = text(b"a\r\nb\n\nc\n");
        assert_eq!(lines, vec!["a", "b", "", "c"]);
        assert!(text(b"").is_empty());
        assert_eq!(text(b"\n"), vec![""]);
    }
}
