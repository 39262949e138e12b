//! The one ranking of rules, used by `lookup`, `scan`'s callers and
//! `doctor` alike (documented for rule authors in `rules/README.md`).
//!
//! Best first, in order of precedence:
//!
//! 1. **Root cause before symptom before informational** (`role`): "not
//!    connected / not ready / restart timed out" are what a cause looks like
//!    from outside; an informational line (routine in a healthy gateway) is
//!    never the cause. On one line, an informational rule that matched at
//!    least as much of it as any other rule claims the line: the others'
//!    hits there are dropped ([`crate::engine`]), so a status probe's
//!    `missing scope: operator.read` is not an auth problem.
//! 2. **Priority** (`priority`, default 0): a rule that refines another on
//!    the same words says so (a deprecated key is a special unknown key).
//! 3. **Context**: how many of the rule's `[[context]]` blocks found their
//!    line near the hit (a heap OOM with its GC trace above it outranks a
//!    bare "out of memory" on the same line).
//! 4. **Specificity**: the longest text one of the rule's patterns matched
//!    (0 where there is no text, e.g. a doctor finding): a rule that
//!    explains more of the line wins. Measured: ranking severity above this
//!    cost 2 points of corpus top-1 (`pairing` lines taken by `auth`).
//! 5. **Severity** (`fatal` > `error` > `warning` > `info`): of two rules
//!    equally specific, the worse problem first.
//! 6. **Earliest line**, then **rule id**: deterministic ties.

use std::cmp::Ordering;

use super::Rule;

/// What the ranking looks at for one matched rule.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'r> {
    pub rule: &'r Rule,
    /// `[[context]]` blocks that found their line (0: none, or no text).
    pub context: usize,
    /// Longest matched text (0: none).
    pub specificity: usize,
    /// 1-based line of the first hit (0: none).
    pub line: usize,
}

/// `Less` when `a` ranks before `b`.
pub fn compare(a: &Standing<'_>, b: &Standing<'_>) -> Ordering {
    b.rule
        .role
        .cmp(&a.rule.role)
        .then(b.rule.priority.cmp(&a.rule.priority))
        .then(b.context.cmp(&a.context))
        .then(b.specificity.cmp(&a.specificity))
        .then(b.rule.severity.cmp(&a.rule.severity))
        .then(a.line.cmp(&b.line))
        .then_with(|| a.rule.id.cmp(&b.rule.id))
}
