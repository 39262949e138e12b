//! Text read from the machine: the pid file, `/proc/PID/stat`, `/proc/locks`,
//! fdinfo, `/proc/net/tcp*`, `/proc/meminfo` and the kernel log.
#![no_main]

use std::path::Path;

use clawdoc::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let path = Path::new("gateway.pid");
    if let Ok(record) = fuzzing::parse_pid_record(path, text) {
        assert!(record.pid > 0);
        let again = fuzzing::parse_pid_record(path, &fuzzing::render_pid_record(&record))
            .expect("a rendered record parses");
        assert_eq!(again, record);
    }
    let _ = fuzzing::parse_stat(text);
    let _ = fuzzing::parse_locks(text);
    let _ = fuzzing::fdinfo_locks(text);
    let port_no = (text.len() % 65536) as u16;
    let _ = fuzzing::listening_inodes(text, port_no);
    let _ = fuzzing::listening_inodes(text, 18789);
    let (kills, ours) = fuzzing::oom_kills(text, Some(1));
    assert!(ours <= kills);
    let (again, ours) = fuzzing::oom_kills(text, None);
    assert!(again == kills && ours <= kills);
    let _ = fuzzing::parse_meminfo(text);
});
