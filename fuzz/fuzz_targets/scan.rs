//! `clawdoc scan` on an arbitrary log. Blocks are 1 MiB (not configurable),
//! so the reader hands the bytes over in small, input-chosen pieces to drive
//! the refill loop; the summary must be consistent with the input.
#![no_main]

use std::io::Read;
use std::sync::OnceLock;

use clawdoc::engine::{Engine, Scanner};
use clawdoc::ruleset::RuleSet;
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner<'static> {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    static SCANNER: OnceLock<Scanner<'static>> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let rules = RULES.get_or_init(RuleSet::builtin);
        let engine = Engine::new(&rules.rules).expect("built-in rules compile");
        engine.scanner().expect("scanner builds").with_threads(1)
    })
}

/// Returns at most `step` bytes per read.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.len().min(self.step).min(out.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&step, data)) = input.split_first() else {
        return;
    };
    let reader = Trickle {
        data,
        step: usize::from(step % 16) + 1,
    };
    let summary = scanner()
        .scan(reader)
        .expect("reading from memory cannot fail");
    let newlines = data.iter().filter(|b| **b == b'\n').count() as u64;
    let expected_lines = newlines + u64::from(data.last().is_some_and(|b| *b != b'\n'));
    assert_eq!(summary.lines, expected_lines);
    assert!(summary.matched_lines <= summary.lines);
    for rc in &summary.rules {
        assert!(rc.count >= 1 && rc.count <= summary.matched_lines);
        assert!(1 <= rc.first_line && rc.first_line <= rc.last_line);
        assert!(rc.last_line <= summary.lines);
    }
});
