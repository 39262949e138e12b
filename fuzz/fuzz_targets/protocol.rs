//! A WebSocket text frame from any client: the frame, its params, the name
//! checks, and the error reply the gateway serialises for a bad frame.
#![no_main]

use clawdoc::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(reply) = fuzzing::client_frame_reply(text) {
        // The reply is one JSON frame a client can read back.
        let v: serde_json::Value = serde_json::from_str(&reply).expect("the reply is JSON");
        assert!(v.is_object(), "{reply}");
    }
});
