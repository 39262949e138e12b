//! The `resources` probe: load average, memory and swap, read from
//! `<proc_root>/loadavg` and `<proc_root>/meminfo` (so fixtures work; on the
//! live root these are the same numbers sysinfo reports).
//!
//! Memory is low when `MemAvailable` is under 10% of `MemTotal` or under
//! 200 MiB, and there is no free swap to absorb it (`SwapFree` under 64 MiB).
//! The `oom` probe uses the same rule for `oom.low_memory`.
//!
//! Facts: `resources.load1`, `resources.mem_total_bytes`,
//! `resources.mem_available_bytes`, `resources.swap_total_bytes`,
//! `resources.swap_free_bytes`, `resources.low_memory`.

use crate::i18n::msg;
use std::io;

use super::{human_bytes, Evidence, ProbeEnv, Status};
use crate::procinfo::ProcRoot;
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Resources;
const MIB: u64 = 1024 * 1024;
const LOW_AVAILABLE_BYTES: u64 = 200 * MIB;
const SWAP_CUSHION_BYTES: u64 = 64 * MIB;

/// The `/proc/meminfo` figures clawdoc uses, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemInfo {
    pub total: u64,
    pub available: u64,
    pub swap_total: u64,
    pub swap_free: u64,
}

impl MemInfo {
    pub(crate) fn is_low(&self) -> bool {
        let short =
            self.available < LOW_AVAILABLE_BYTES || self.available.saturating_mul(10) < self.total;
        short && self.swap_free < SWAP_CUSHION_BYTES
    }
}

/// Parses `/proc/meminfo` text. `MemTotal` is required; a kernel too old for
/// `MemAvailable` gets `MemFree + Buffers + Cached` instead.
pub(crate) fn parse_meminfo(text: &str) -> Option<MemInfo> {
    let field = |name: &str| -> Option<u64> {
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            let kib: u64 = rest.split_whitespace().next()?.parse().ok()?;
            // More than 16 EiB is not a reading; treat it as malformed.
            kib.checked_mul(1024)
        })
    };
    let total = field("MemTotal")?;
    let available = field("MemAvailable").or_else(|| {
        Some(
            field("MemFree")?
                .saturating_add(field("Buffers").unwrap_or(0))
                .saturating_add(field("Cached").unwrap_or(0)),
        )
    })?;
    Some(MemInfo {
        total,
        available,
        swap_total: field("SwapTotal").unwrap_or(0),
        swap_free: field("SwapFree").unwrap_or(0),
    })
}

pub(crate) fn read_meminfo(root: &ProcRoot) -> io::Result<MemInfo> {
    let text = std::fs::read_to_string(root.path().join("meminfo"))?;
    parse_meminfo(&text)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "meminfo has no MemTotal"))
}

/// The 1-minute load average from `/proc/loadavg`.
pub(crate) fn read_load1(root: &ProcRoot) -> Option<f64> {
    let text = std::fs::read_to_string(root.path().join("loadavg")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let load1 = read_load1(&env.proc_root);
    let mem = match read_meminfo(&env.proc_root) {
        Ok(mem) => mem,
        Err(e) => {
            let evidence = Evidence::inconclusive(
                NAME,
                msg!(
                    "resources-cannot-read",
                    root = env.proc_root.path().display(),
                    error = e
                ),
            );
            return match load1 {
                Some(l) => evidence.fact("resources.load1", l),
                None => evidence,
            };
        }
    };
    let low = mem.is_low();
    let swap = if mem.swap_total == 0 {
        msg!("resources-no-swap")
    } else {
        msg!(
            "resources-swap",
            free = human_bytes(mem.swap_free),
            total = human_bytes(mem.swap_total)
        )
    };
    let available = human_bytes(mem.available);
    let total = human_bytes(mem.total);
    let text = match load1 {
        Some(l) => msg!(
            "resources-memory-load",
            available = available,
            total = total,
            swap = swap,
            load = format!("{l:.2}")
        ),
        None => msg!(
            "resources-memory",
            available = available,
            total = total,
            swap = swap
        ),
    };
    let (status, summary) = if low {
        (Status::Warn, msg!("resources-low", text = text))
    } else {
        (Status::Ok, text)
    };
    let mut evidence = Evidence::new(NAME, status, summary)
        .fact("resources.mem_total_bytes", mem.total)
        .fact("resources.mem_available_bytes", mem.available)
        .fact("resources.swap_total_bytes", mem.swap_total)
        .fact("resources.swap_free_bytes", mem.swap_free)
        .fact("resources.low_memory", low);
    if let Some(l) = load1 {
        evidence = evidence.fact("resources.load1", l);
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;

    #[test]
    fn healthy_fixture() {
        let e = probe(&Staged::new(Some("basic"), &[]).env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("resources.load1"), Some(&0.42.into()));
        assert_eq!(
            e.get("resources.mem_total_bytes"),
            Some(&(8_000_000u64 * 1024).into())
        );
        assert_eq!(
            e.get("resources.mem_available_bytes"),
            Some(&(4_000_000u64 * 1024).into())
        );
        assert_eq!(
            e.get("resources.swap_free_bytes"),
            Some(&(2_000_000u64 * 1024).into())
        );
        assert_eq!(e.get("resources.low_memory"), Some(&false.into()));
    }

    /// Found by `fuzz/` target `procfs`: `kib * 1024` overflowed (a panic in
    /// debug builds, a wrapped, tiny figure in release).
    #[test]
    fn absurd_meminfo_figures_do_not_overflow() {
        // 2^54 KiB is 2^64 bytes.
        assert_eq!(parse_meminfo("MemTotal: 18014398509481984 kB\n"), None);
        let m = parse_meminfo(
            "MemTotal: 8000000 kB\nMemFree: 18014398509481983 kB\n\
             Buffers: 18014398509481983 kB\nCached: 18014398509481983 kB\n",
        )
        .unwrap();
        assert_eq!(m.total, 8_000_000 * 1024);
        assert_eq!(m.available, u64::MAX);
    }

    #[test]
    fn low_memory_without_swap_warns() {
        let e = probe(&Staged::new(Some("stranger6"), &[]).env);
        assert_eq!(e.status, Status::Warn, "{}", e.summary);
        assert_eq!(e.get("resources.low_memory"), Some(&true.into()));
        assert!(e.summary.contains("no swap"), "{}", e.summary);
    }

    #[test]
    fn low_memory_rule() {
        let gib = 1024 * MIB;
        let m = |total, available, swap_free| MemInfo {
            total,
            available,
            swap_total: swap_free,
            swap_free,
        };
        assert!(m(64 * gib, 100 * MIB, 0).is_low());
        assert!(m(64 * gib, 5 * gib, 0).is_low(), "under 10%");
        assert!(!m(64 * gib, 5 * gib, gib).is_low(), "swap absorbs it");
        assert!(!m(gib, 300 * MIB, 0).is_low());
        assert!(parse_meminfo("MemFree: 10 kB\n").is_none());
        let old = parse_meminfo("MemTotal: 100 kB\nMemFree: 10 kB\nCached: 5 kB\n").unwrap();
        assert_eq!(old.available, 15 * 1024);
    }

    #[test]
    fn missing_meminfo_is_inconclusive() {
        let mut s = Staged::new(None, &[]);
        s.env.proc_root = ProcRoot::new(s.dir.path().join("none"));
        assert_eq!(probe(&s.env).status, Status::Inconclusive);
    }

    #[test]
    fn live_proc_has_sane_numbers() {
        let e = probe(&Staged::new(None, &[]).env);
        let total = e
            .get("resources.mem_total_bytes")
            .and_then(|v| v.as_u64())
            .unwrap();
        let available = e
            .get("resources.mem_available_bytes")
            .and_then(|v| v.as_u64())
            .unwrap();
        assert!(total > 0 && available <= total, "{}", e.summary);
        assert!(e.get("resources.load1").is_some());
    }
}
