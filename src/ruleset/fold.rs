//! Case folding and UTF-8 byte escapes: how a rule pattern's text becomes
//! the `folded` text the engine compiles ([`super::pattern::Pattern`]).
//! Self-contained (regex-syntax only): `build.rs` includes this file to fold
//! the built-in patterns exactly as the engine does when it derives their
//! prefilter literals at compile time.

/// The text the engine compiles for a pattern written as `source`: case
/// folded, non-ASCII literals as UTF-8 bytes (as written when that fails;
/// validation reports it).
pub(crate) fn folded(source: &str) -> String {
    utf8_bytes(&fold_case(source)).unwrap_or_else(|_| fold_case(source))
}

/// Lowercases every literal ASCII letter of a regex, however it is written
/// (`A`, `\x41`, `\u{41}`, class members and ranges), leaving classes
/// (`\D`), assertions (`\B`), group names and flags alone. Folds the parsed
/// pattern, not its text, so an escape can never keep an uppercase letter
/// the lowercased input cannot contain. A pattern that does not parse is
/// returned as written (validation reports it).
pub(crate) fn fold_case(pattern: &str) -> String {
    use regex_syntax::ast::{parse::Parser, print::Printer};
    // Only a hex escape (`\x41`, `\u{41}`, `\U…`) can spell a letter the
    // text does not show; without one, folding the text's letters outside
    // escapes, group names and flags is the same and needs no parse (a
    // parse per pattern doubled the rule set's load time).
    if !["\\x", "\\u", "\\U"].iter().any(|e| pattern.contains(e)) {
        return fold_text(pattern);
    }
    let Ok(mut ast) = Parser::new().parse(pattern) else {
        return pattern.to_string();
    };
    fold_ast(&mut ast);
    let mut out = String::with_capacity(pattern.len());
    match Printer::new().print(&ast, &mut out) {
        Ok(()) => out,
        Err(_) => pattern.to_string(),
    }
}

/// A pattern with literal non-ASCII text (`未授權`) made byte-matchable:
/// the engine matches bytes with ASCII classes, so each non-ASCII character
/// outside a class becomes its UTF-8 bytes as one group, `(?:\xE6\x9C\xAA)`
/// (a group so a quantifier after it applies to the whole character). A
/// non-ASCII character inside a `[class]` cannot work (a class matches one
/// byte): the error gives its byte offset and a hint.
pub(crate) fn utf8_bytes(pattern: &str) -> Result<String, (usize, String)> {
    if pattern.is_ascii() {
        return Ok(pattern.to_string());
    }
    let mut out = String::with_capacity(pattern.len() * 3);
    let mut class_depth = 0usize;
    // Right after `[` or `[^`, a `]` is a literal member, not the end.
    let mut class_start = false;
    let mut chars = pattern.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let was_start = std::mem::take(&mut class_start);
        if !c.is_ascii() {
            if class_depth > 0 {
                return Err((
                    at,
                    format!(
                        "non-ASCII `{c}` inside a [class]: a class matches one byte; \
                         write alternatives instead, e.g. (?:{c}|…)"
                    ),
                ));
            }
            let mut buf = [0u8; 4];
            out.push_str("(?:");
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02X}"));
            }
            out.push(')');
            continue;
        }
        match c {
            '\\' => match chars.next() {
                // An escaped non-ASCII character is that character.
                Some((_, next)) if !next.is_ascii() && class_depth == 0 => {
                    let mut buf = [0u8; 4];
                    out.push_str("(?:");
                    for b in next.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02X}"));
                    }
                    out.push(')');
                }
                Some((at, next)) if !next.is_ascii() => {
                    return Err((
                        at,
                        format!("non-ASCII `{next}` inside a [class]: a class matches one byte; write alternatives instead, e.g. (?:{next}|…)"),
                    ));
                }
                Some((_, next)) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            },
            '[' => {
                out.push(c);
                class_depth += 1;
                class_start = true;
                if chars.peek().map(|p| p.1) == Some('^') {
                    out.push('^');
                    chars.next();
                }
            }
            ']' if class_depth > 0 && !was_start => {
                out.push(c);
                class_depth -= 1;
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Lowercases the literal ASCII letters of a pattern's text, leaving
/// escapes, group names and flag groups alone.
fn fold_text(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                out.push(c);
                out.push(chars.next().unwrap_or('?'));
                // Copy a group name or flags verbatim, up to `>`, `:` or `)`.
                let named = matches!(chars.peek(), Some('P') | Some('<'));
                for inner in chars.by_ref() {
                    out.push(inner);
                    let end = if named {
                        inner == '>'
                    } else {
                        inner == ':' || inner == ')'
                    };
                    if end {
                        break;
                    }
                }
            }
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

fn fold_literal(lit: &mut regex_syntax::ast::Literal) {
    if lit.c.is_ascii_uppercase() {
        lit.c = lit.c.to_ascii_lowercase();
        lit.kind = regex_syntax::ast::LiteralKind::Verbatim;
    }
}

fn fold_ast(ast: &mut regex_syntax::ast::Ast) {
    use regex_syntax::ast::Ast;
    match ast {
        Ast::Literal(lit) => fold_literal(lit),
        Ast::ClassBracketed(class) => fold_class_set(&mut class.kind),
        Ast::Repetition(rep) => fold_ast(&mut rep.ast),
        Ast::Group(group) => fold_ast(&mut group.ast),
        Ast::Alternation(alt) => alt.asts.iter_mut().for_each(fold_ast),
        Ast::Concat(concat) => concat.asts.iter_mut().for_each(fold_ast),
        Ast::Empty(_)
        | Ast::Flags(_)
        | Ast::Dot(_)
        | Ast::Assertion(_)
        | Ast::ClassUnicode(_)
        | Ast::ClassPerl(_) => {}
    }
}

fn fold_class_set(set: &mut regex_syntax::ast::ClassSet) {
    use regex_syntax::ast::ClassSet;
    match set {
        ClassSet::Item(item) => fold_class_item(item),
        ClassSet::BinaryOp(op) => {
            fold_class_set(&mut op.lhs);
            fold_class_set(&mut op.rhs);
        }
    }
}

fn fold_class_item(item: &mut regex_syntax::ast::ClassSetItem) {
    use regex_syntax::ast::ClassSetItem;
    match item {
        ClassSetItem::Literal(lit) => fold_literal(lit),
        // `A-Z` becomes `a-z`; a range that is not all uppercase letters
        // (`0-Z`) is left as written rather than widened.
        ClassSetItem::Range(range)
            if range.start.c.is_ascii_uppercase() && range.end.c.is_ascii_uppercase() =>
        {
            fold_literal(&mut range.start);
            fold_literal(&mut range.end);
        }
        ClassSetItem::Bracketed(class) => fold_class_set(&mut class.kind),
        ClassSetItem::Union(union) => union.items.iter_mut().for_each(fold_class_item),
        _ => {}
    }
}
