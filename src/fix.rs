//! The closed set of fix actions ([`crate::vocab::FixAction`]): plan, apply by
//! applicability, verify, and journal for undo.
