//! Text → rule matches with captures and line numbers. No I/O.
