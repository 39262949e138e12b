//! Masking the variable parts of a message (times, paths, ids, numbers) so
//! wordings compare as templates. Its own file so build.rs can include it
//! (the guess index's known wordings are tokenised at build time with the
//! very masks a pasted line gets at run time); it needs only `regex`.

/// Each mask with what it becomes. The path needs a `/` or a `:\`, the uuid a
/// `-` (it may be all letters), the others a digit (`\d`: every Unicode
/// decimal digit is `char::is_numeric`): a mask that cannot match is
/// neither compiled nor run.
pub(crate) const MASKS: [(&str, &str); 7] = [
    (
        r"\b\d{4}-\d{2}-\d{2}[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?",
        "<time>",
    ),
    // Unix paths, and Windows ones (`C:\Users\…`).
    (
        r"(?:~|\.{1,2})?/[\w.@%+=:,~-]+(?:/[\w.@%+=:,~-]*)*|(?-u:\b[A-Za-z]:\\[\w.@%+=,~\\-]*(?:[\\/][\w.@%+=,~-]*)*)",
        "<path>",
    ),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}\b", "<uuid>"),
    (
        r"\b(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b(?:0x)?[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\d[0-9a-fA-F]*\b",
        "<hex>",
    ),
    (r"(?i)\bpid[ =:]*\d+", "pid <pid>"),
    (r":\d{2,5}\b", ":<port>"),
    (r"\b\d+(?:\.\d+)*", "<n>"),
];

const PATH: usize = 1;
const UUID: usize = 2;

/// Whether mask `i` of [`MASKS`] can match `s` at all.
fn possible(i: usize, s: &str) -> bool {
    match i {
        PATH => s.contains('/') || s.contains(":\\"),
        UUID => s.contains('-'),
        _ => s.chars().any(char::is_numeric),
    }
}

/// Whether any mask can change `s` (else [`mask`] returns it as it is). A
/// mask never adds what another needs, so this is decided on `s` alone.
pub fn may_mask(s: &str) -> bool {
    (0..MASKS.len()).any(|i| possible(i, s))
}

/// `s` with every variable part replaced by its placeholder (`<n>`,
/// `<path>`, `:<port>`, …).
pub fn mask(s: &str) -> String {
    static COMPILED: [std::sync::OnceLock<regex::Regex>; 7] =
        [const { std::sync::OnceLock::new() }; 7];
    let mut out = s.to_string();
    for (i, (re, with)) in MASKS.iter().enumerate() {
        if !possible(i, &out) {
            continue;
        }
        let re = COMPILED[i].get_or_init(|| regex::Regex::new(re).expect("mask regexes are valid"));
        if re.is_match(&out) {
            out = re.replace_all(&out, *with).into_owned();
        }
    }
    out
}
