//! Text read from the machine: the pid file, `/proc/PID/stat`, `/proc/locks`,
//! fdinfo, `/proc/net/tcp*`, `/proc/meminfo` and the kernel log.
#![no_main]

use std::path::Path;

use clawdoc::gateway::pidfile::PidRecord;
use clawdoc::probe::{lock, oom, port, resources};
use clawdoc::procinfo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(record) = PidRecord::parse(Path::new("gateway.pid"), text) {
        assert!(record.pid > 0);
        let again = PidRecord::parse(Path::new("gateway.pid"), &record.render())
            .expect("a rendered record parses");
        assert_eq!(again, record);
    }
    let _ = procinfo::parse_stat(text);
    let _ = lock::parse_locks(text);
    let _ = lock::fdinfo_locks(text);
    let port_no = (text.len() % 65536) as u16;
    let _ = port::listening_inodes(text, port_no);
    let _ = port::listening_inodes(text, 18789);
    for kill in oom::find_kills(text) {
        let _ = oom::is_gateway_kill(&kill, Some(1), oom::GATEWAY_NAMES);
        let _ = oom::is_gateway_kill(&kill, None, oom::GATEWAY_NAMES);
    }
    let _ = resources::parse_meminfo(text);
});
