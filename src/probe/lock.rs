//! The `lock` probe: is `gateway.lock` present, is it held, and by whom?
//!
//! The gateway holds an exclusive `flock` on the lock file for its lifetime
//! and writes its pid into it. Whether the lock is held is read from
//! `<proc_root>/locks` (never by trying to take the lock, which would be a
//! change): an entry whose `MAJ:MIN:INODE` names the lock file is a holder.
//! Present but not held is a stale lock file.
//!
//! Facts: `lock.present`, `lock.held`, `lock.stale`, `lock.owner_pid` (from
//! `/proc/locks`), `lock.recorded_pid` (the pid written in the file).

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::{Evidence, ProbeEnv, Status};
use crate::procinfo::{self, ProcRoot};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Lock;

/// One line of `/proc/locks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEntry {
    /// `FLOCK`, `POSIX`, `OFDLCK`, …
    pub class: String,
    /// `WRITE` or `READ`.
    pub access: String,
    /// The owner's pid; `-1` for open-file-description locks.
    pub pid: i32,
    pub major: u64,
    pub minor: u64,
    pub inode: u64,
}

/// Parses `/proc/locks`, skipping waiters (`->` lines) and anything malformed.
pub fn parse_locks(text: &str) -> Vec<LockEntry> {
    text.lines().filter_map(parse_lock_line).collect()
}

fn parse_lock_line(line: &str) -> Option<LockEntry> {
    // "1: FLOCK  ADVISORY  WRITE 11673 fe:00:10010797 0 EOF"
    let mut fields = line.split_whitespace();
    fields.next()?; // "1:"
    let class = fields.next()?;
    if class == "->" {
        return None;
    }
    let _mandatory = fields.next()?;
    let access = fields.next()?;
    let pid = fields.next()?.parse().ok()?;
    let mut id = fields.next()?.split(':');
    let major = u64::from_str_radix(id.next()?, 16).ok()?;
    let minor = u64::from_str_radix(id.next()?, 16).ok()?;
    let inode = id.next()?.parse().ok()?;
    Some(LockEntry {
        class: class.to_string(),
        access: access.to_string(),
        pid,
        major,
        minor,
        inode,
    })
}

/// What is known about the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    Absent,
    Held { owner_pid: i32 },
    NotHeld,
}

/// Decides whether `path` is locked by any process, from `<root>/locks`.
/// An entry matches on device and inode; on an inode-only match (overlay
/// filesystems report a different device to `stat`) the owner must also
/// have the file open, so an unrelated file with the same inode number on
/// another filesystem does not count.
pub fn lock_state(root: &ProcRoot, path: &Path) -> io::Result<LockState> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LockState::Absent),
        Err(e) => return Err(e),
    };
    let text = std::fs::read_to_string(root.path().join("locks"))?;
    let entries = parse_locks(&text);
    let (major, minor) = (
        nix::sys::stat::major(meta.dev()),
        nix::sys::stat::minor(meta.dev()),
    );
    let same_inode = || entries.iter().filter(|e| e.inode == meta.ino());
    if let Some(entry) = same_inode().find(|e| e.major == major && e.minor == minor) {
        return Ok(LockState::Held {
            owner_pid: entry.pid,
        });
    }
    if let Some(entry) = same_inode().find(|e| e.pid > 0 && has_open(root, e.pid, path)) {
        return Ok(LockState::Held {
            owner_pid: entry.pid,
        });
    }
    Ok(LockState::NotHeld)
}

fn has_open(root: &ProcRoot, pid: i32, path: &Path) -> bool {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(fds) = std::fs::read_dir(root.pid_dir(pid).join("fd")) else {
        return false;
    };
    fds.flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .any(|target| target == canonical || target == path)
}

/// The pid the gateway wrote into the lock file, if the file holds one.
fn recorded_pid(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok().filter(|p| *p > 0)
}

pub fn probe(env: &ProbeEnv) -> Evidence {
    let path = env.home.lock_path();
    let shown = path.display();
    let state = match lock_state(&env.proc_root, &path) {
        Ok(state) => state,
        Err(e) => {
            let present = path.exists();
            let mut evidence =
                Evidence::inconclusive(NAME, format!("cannot tell whether {shown} is held: {e}"))
                    .fact("lock.present", present);
            if let Some(pid) = recorded_pid(&path) {
                evidence = evidence.fact("lock.recorded_pid", pid);
            }
            return evidence;
        }
    };
    let recorded = recorded_pid(&path);
    let mut evidence = match state {
        LockState::Absent => Evidence::new(NAME, Status::Ok, format!("no lock file at {shown}"))
            .fact("lock.present", false)
            .fact("lock.held", false)
            .fact("lock.stale", false),
        LockState::Held { owner_pid } => {
            let who = procinfo::stat(&env.proc_root, owner_pid)
                .map(|s| format!("pid {owner_pid} ({})", s.comm))
                .unwrap_or_else(|_| format!("pid {owner_pid}"));
            Evidence::new(NAME, Status::Ok, format!("{shown} is held by {who}"))
                .fact("lock.present", true)
                .fact("lock.held", true)
                .fact("lock.stale", false)
                .fact("lock.owner_pid", owner_pid)
        }
        LockState::NotHeld => {
            let left_by = recorded
                .map(|p| format!(" (left by pid {p})"))
                .unwrap_or_default();
            Evidence::new(
                NAME,
                Status::Warn,
                format!("stale lock file {shown}: no process holds it{left_by}"),
            )
            .fact("lock.present", true)
            .fact("lock.held", false)
            .fact("lock.stale", true)
        }
    };
    if let Some(pid) = recorded {
        evidence = evidence.fact("lock.recorded_pid", pid);
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::{fixture, substitute, Staged};

    fn dev_vars(path: &Path) -> Vec<(&'static str, String)> {
        let meta = std::fs::metadata(path).unwrap();
        vec![
            (
                "LOCK_MAJOR",
                format!("{:02x}", nix::sys::stat::major(meta.dev())),
            ),
            (
                "LOCK_MINOR",
                format!("{:02x}", nix::sys::stat::minor(meta.dev())),
            ),
            ("LOCK_INODE", meta.ino().to_string()),
        ]
    }

    #[test]
    fn parses_proc_locks_lines() {
        let raw = std::fs::read_to_string(fixture("proc/basic/locks")).unwrap();
        let vars = [
            ("LOCK_MAJOR", "fe".to_string()),
            ("LOCK_MINOR", "00".to_string()),
            ("LOCK_INODE", "123".to_string()),
        ];
        let entries = parse_locks(&substitute(&raw, &vars));
        // The waiter (`->`) line and the garbage line are skipped.
        assert_eq!(entries.len(), 3, "{entries:?}");
        assert_eq!(entries[0].class, "FLOCK");
        assert_eq!(entries[0].access, "WRITE");
        assert_eq!(entries[0].pid, 100);
        assert_eq!(
            (entries[0].major, entries[0].minor, entries[0].inode),
            (0xfe, 0, 123)
        );
        assert_eq!(entries[2].class, "OFDLCK");
        assert_eq!(entries[2].pid, -1);
    }

    #[test]
    fn absent_lock_is_ok() {
        let s = Staged::new(Some("basic"), &[]);
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok);
        assert_eq!(e.get("lock.present"), Some(&false.into()));
        assert_eq!(e.get("lock.stale"), Some(&false.into()));
    }

    #[test]
    fn fixture_entry_with_the_files_inode_means_held() {
        // Stage the home first so the lock file's real inode goes into the fixture.
        let scratch = Staged::new(None, &[]);
        let lock = scratch.write_home("gateway.lock", "100\n");
        let mut s = Staged::new(Some("basic"), &dev_vars(&lock));
        s.env.home = scratch.env.home.clone();
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("lock.held"), Some(&true.into()));
        assert_eq!(e.get("lock.owner_pid"), Some(&100.into()));
        assert_eq!(e.get("lock.recorded_pid"), Some(&100.into()));
        assert!(e.summary.contains("pid 100 (clawdoc)"), "{}", e.summary);
    }

    #[test]
    fn present_but_unheld_is_stale() {
        let s = Staged::new(Some("basic"), &[]);
        s.write_home("gateway.lock", "4242\n");
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Warn, "{}", e.summary);
        assert_eq!(e.get("lock.stale"), Some(&true.into()));
        assert_eq!(e.get("lock.held"), Some(&false.into()));
        assert_eq!(e.get("lock.recorded_pid"), Some(&4242.into()));
        assert!(e.get("lock.owner_pid").is_none());
    }

    #[test]
    fn unreadable_proc_locks_is_inconclusive() {
        let mut s = Staged::new(Some("basic"), &[]);
        s.write_home("gateway.lock", "1\n");
        s.env.proc_root = ProcRoot::new(s.dir.path().join("missing-proc"));
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Inconclusive);
        assert_eq!(e.get("lock.present"), Some(&true.into()));
    }

    #[test]
    fn live_flock_is_seen_as_held_and_released() {
        let s = Staged::new(None, &[]);
        let path = s.write_home("gateway.lock", &format!("{}\n", std::process::id()));
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.try_lock()
            .expect("nobody else holds a fresh temp file");
        let e = probe(&s.env);
        assert_eq!(e.get("lock.held"), Some(&true.into()), "{}", e.summary);
        assert_eq!(
            e.get("lock.owner_pid"),
            Some(&(std::process::id() as i32).into())
        );
        assert_eq!(e.status, Status::Ok);
        file.unlock().unwrap();
        drop(file);
        let e = probe(&s.env);
        assert_eq!(e.get("lock.stale"), Some(&true.into()), "{}", e.summary);
    }
}
