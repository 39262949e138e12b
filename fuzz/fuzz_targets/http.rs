//! Raw HTTP responses as a stranger on the gateway's port may send them: the
//! `/health` client's parser (status, Content-Length or chunked body) and
//! completeness check, and the reading of a response as the gateway's
//! `/health` answer.
#![no_main]

use clawdoc::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = fuzzing::http_is_complete(bytes);
    if let Some((status, body)) = fuzzing::http_parse_response(bytes) {
        assert!(status <= 999, "three digits");
        // Lossy UTF-8 turns one bad byte into U+FFFD (3 bytes) at most.
        assert!(
            body.len() <= bytes.len() * 3,
            "body cannot outgrow the input"
        );
    }
    // Every prefix, as the reader sees the response arrive.
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len()] {
        let _ = fuzzing::http_is_complete(&bytes[..cut]);
    }
    if let Ok(h) = fuzzing::read_health(3001, bytes) {
        assert!(!h.ready || h.code == 200);
    }
});
