//! Netlink `SOCK_DIAG_BY_FAMILY` reply datagrams (the port probe's listener
//! dump): any bytes, split at any point, must give an answer or an error,
//! never a panic or an out-of-bounds read.
#![no_main]

use std::collections::BTreeSet;

use clawdoc::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the port asked for; the rest is the reply.
    let (port_no, data) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => (3001, data),
    };
    let mut inodes = BTreeSet::new();
    let _ = fuzzing::parse_diag_reply(data, port_no, &mut inodes);
    // The same bytes as two datagrams.
    let mid = data.len() / 2;
    let mut again = BTreeSet::new();
    if let Ok(false) = fuzzing::parse_diag_reply(&data[..mid], port_no, &mut again) {
        let _ = fuzzing::parse_diag_reply(&data[mid..], port_no, &mut again);
    }
});
