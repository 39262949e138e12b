//! A WebSocket text frame from any client: the frame, its params, the name
//! checks, and the error reply the gateway serialises for a bad frame.
#![no_main]

use clawdoc::gateway::protocol::{
    error_code, valid_device_id, valid_name, ClientFrame, LoginParams, Response, SendParams,
    ServerFrame,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match serde_json::from_str::<ClientFrame>(text) {
        Ok(ClientFrame::Connect(c)) => {
            let _ = valid_device_id(&c.device_id);
            let _ = valid_name(&c.client);
        }
        Ok(ClientFrame::Req(r)) => {
            if let Ok(p) = serde_json::from_value::<SendParams>(r.params.clone()) {
                let _ = valid_name(&p.channel);
            }
            let _ = serde_json::from_value::<LoginParams>(r.params);
        }
        Err(e) => {
            let id = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_u64()))
                .unwrap_or(0);
            let reply = Response::err(
                id,
                error_code::INVALID_REQUEST,
                format!("invalid request: {e}"),
            );
            serde_json::to_string(&ServerFrame::Res(reply)).expect("frames serialise");
        }
    }
});
