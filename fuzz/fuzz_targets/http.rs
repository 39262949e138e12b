//! Raw HTTP responses as a stranger on the gateway's port may send them: the
//! health probe's parser (status, Content-Length or chunked body) and
//! completeness check, and the daemon's `/health` response reader.
#![no_main]

use clawdoc::gateway::daemon;
use clawdoc::probe::health;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = health::is_complete(bytes);
    if let Some((status, body)) = health::parse_response(bytes) {
        assert!(status <= 999, "three digits");
        // Lossy UTF-8 turns one bad byte into U+FFFD (3 bytes) at most.
        assert!(body.len() <= bytes.len() * 3, "body cannot outgrow the input");
    }
    // Every prefix, as the readers see the response arrive.
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len()] {
        let part = &bytes[..cut];
        let _ = health::is_complete(part);
        let _ = daemon::complete(part);
    }
    if let Ok(h) = daemon::parse_health(3001, bytes, 1.0) {
        assert!(!h.ready || h.code == 200);
    }
});
