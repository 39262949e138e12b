//! The literal prefilter's input: for each (case-folded) pattern, literals
//! one of which every match must contain. Self-contained (regex-syntax
//! only): `build.rs` includes this file to derive the built-in rules'
//! literals at compile time ([`super::builtin_literals`]), so both paths run
//! the same code.

/// Longest literal kept: short literals keep the prefilter small and are
/// still selective enough for single lines. Every literal is 3 to this many
/// bytes long.
pub(crate) const LITERAL_BYTES: usize = 5;

/// Literals one of which every match of `folded` must start with (or, if
/// the start is not finite, end with), each at least 3 bytes so the
/// prefilter stays selective; `None` when there is no such set (the pattern
/// is then tried on every line). Uses regex-syntax's literal extractor on the
/// pattern as the engine parses it.
pub(crate) fn required_literals(folded: &str) -> Option<Vec<Vec<u8>>> {
    if let Some(prefix) = plain_prefix(folded) {
        return Some(vec![prefix[..prefix.len().min(LITERAL_BYTES)].to_vec()]);
    }
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
        .build()
        .parse(folded)
        .ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let prefix = matches!(kind, ExtractKind::Prefix);
        let mut seq = Extractor::new().kind(kind).extract(&hir);
        // Short literals keep the prefilter small to build (it is built at
        // every start) and are still selective enough for single lines.
        if prefix {
            seq.keep_first_bytes(LITERAL_BYTES);
        } else {
            seq.keep_last_bytes(LITERAL_BYTES);
        }
        seq.dedup();
        let Some(lits) = seq.literals() else {
            continue;
        };
        if !lits.is_empty() && lits.len() <= 32 && lits.iter().all(|l| l.as_bytes().len() >= 3) {
            return Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect());
        }
    }
    None
}

/// The literal text every match of `folded` starts with, read straight off
/// the pattern when it begins with at least 3 plain characters and has no
/// top-level alternation: most rule patterns do, and this spares a parse per
/// pattern at every start (the parse was a third of a one-line lookup's
/// instructions). `None` sends the pattern to regex-syntax's extractor.
pub(crate) fn plain_prefix(folded: &str) -> Option<&[u8]> {
    let b = folded.as_bytes();
    // A top-level `|` makes the prefix optional. Classes may hold a literal
    // `|`; such patterns take the parser's way.
    if b.contains(&b'[') && b.contains(&b'|') {
        return None;
    }
    let (mut depth, mut i) = (0usize, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'|' if depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    let plain = |c: u8| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || matches!(
                c,
                b' ' | b'_'
                    | b'-'
                    | b':'
                    | b'='
                    | b','
                    | b';'
                    | b'\''
                    | b'"'
                    | b'/'
                    | b'<'
                    | b'>'
                    | b'@'
                    | b'!'
                    | b'%'
                    | b'&'
                    | b'~'
                    | b'#'
            )
    };
    let mut n = b.iter().take_while(|&&c| plain(c)).count();
    // A quantifier after the run applies to its last character only.
    if matches!(b.get(n), Some(b'?' | b'*' | b'+' | b'{')) {
        n = n.saturating_sub(1);
    }
    (n >= 3).then(|| &b[..n])
}
