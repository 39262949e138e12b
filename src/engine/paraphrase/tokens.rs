//! Word tokens of a line for the guess index: its own file so build.rs can
//! include it (the known wordings are tokenised at build time exactly as a
//! pasted line is at run time); it needs only [`crate::normalize`]'s masks.

use crate::normalize::{mask, may_mask};

/// Word tokens of a masked line: ASCII words of two or more characters
/// (placeholders like `<port>` and pure numbers dropped), and each non-ASCII
/// letter on its own (Chinese has no spaces).
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let masked = if may_mask(text) {
        mask(text).to_ascii_lowercase()
    } else {
        text.to_ascii_lowercase()
    };
    let mut out = Vec::new();
    let mut word = String::new();
    // Chinese is written without spaces: a run of such characters counts
    // as its overlapping character pairs (网关 关已 已就 就绪), so a word's
    // negation or its neighbour changes the terms, where single characters
    // made `网关已就绪` (ready) a near-copy of `网关未就绪` (not ready).
    let mut run: Vec<char> = Vec::new();
    let mut in_placeholder = false;
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => out.push(run[0].to_string()),
            _ => out.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if word.len() >= 2
            && !word.bytes().all(|b| b.is_ascii_digit())
            && !STOP.contains(&word.as_str())
        {
            out.push(std::mem::take(word));
        }
        word.clear();
    };
    for c in masked.chars() {
        if c.is_ascii() || !c.is_alphanumeric() || in_placeholder {
            flush_run(&mut run, &mut out);
        }
        match c {
            '<' => {
                flush(&mut word, &mut out);
                in_placeholder = true;
            }
            '>' if in_placeholder => in_placeholder = false,
            _ if in_placeholder => {}
            c if c.is_ascii_alphanumeric() || c == '_' => word.push(c),
            c if !c.is_ascii() && c.is_alphanumeric() => {
                flush(&mut word, &mut out);
                run.push(c);
            }
            _ => flush(&mut word, &mut out),
        }
    }
    flush_run(&mut run, &mut out);
    flush(&mut word, &mut out);
    out
}

const STOP: &[&str] = &[
    "the", "an", "to", "of", "in", "is", "and", "or", "for", "on", "at", "be", "was", "with", "it",
    "this", "that", "as", "by", "are", "from", "value",
];
