//! Input normalisation before matching: lossy UTF-8, ANSI escapes, CRLF,
//! NFKC (full-width punctuation), JSON-lines message fields.
