//! Who holds `gateway.lock`, seen from outside: the one lock-holder check
//! (the lock probe, the fixes and the gateway's own tests use it).
//!
//! The gateway holds an exclusive `flock` on the lock file for its lifetime
//! and writes its pid into it. Whether the lock is held is read from
//! `<proc_root>/locks` (never by trying to take the lock, which would be a
//! change): an entry whose `MAJ:MIN:INODE` names the lock file is a holder.
//!
//! Reading `/proc/locks` is slow: the kernel takes its file-lock rwsem for
//! writing (`percpu_down_write`), which waits for an RCU grace period, 9 to
//! 30 ms measured here for the first read in a process (and it stalls every
//! `flock` on the machine meanwhile). So the pid written in the lock file is
//! asked first, through `<proc_root>/PID/fdinfo/FD`, which lists the locks
//! held through that open file in the same format; `/proc/locks` is read
//! only when that does not show the lock held. Taking the lock is
//! `gateway::lock`'s.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::procinfo::ProcRoot;

/// One line of `/proc/locks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LockEntry {
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
pub(crate) fn parse_locks(text: &str) -> Vec<LockEntry> {
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
pub(crate) enum LockState {
    Absent,
    Held { owner_pid: i32 },
    NotHeld,
}

/// Decides whether `path` is locked by any process, from `<root>/locks`.
/// An entry matches on device and inode; on an inode-only match (overlay
/// filesystems report a different device to `stat`) the owner must also
/// have the file open, so an unrelated file with the same inode number on
/// another filesystem does not count.
pub(crate) fn lock_state(root: &ProcRoot, path: &Path) -> io::Result<LockState> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LockState::Absent),
        Err(e) => return Err(e),
    };
    let (major, minor) = (
        nix::sys::stat::major(meta.dev()),
        nix::sys::stat::minor(meta.dev()),
    );
    if let Some(owner_pid) =
        recorded_pid(path).and_then(|pid| held_through_fdinfo(root, pid, path, meta.ino()))
    {
        return Ok(LockState::Held { owner_pid });
    }
    let text = std::fs::read_to_string(root.path().join("locks"))?;
    let entries = parse_locks(&text);
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
    !open_fds(root, pid, path).is_empty()
}

/// The names (`3`, `4`, …) of `pid`'s file descriptors open on `path`.
fn open_fds(root: &ProcRoot, pid: i32, path: &Path) -> Vec<std::ffi::OsString> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(fds) = std::fs::read_dir(root.pid_dir(pid).join("fd")) else {
        return Vec::new();
    };
    fds.flatten()
        .filter(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|target| target == canonical || target == path)
        })
        .map(|fd| fd.file_name())
        .collect()
}

/// The owner of a lock on `path` (inode `inode`) held through one of
/// `pid`'s open files, from the `lock:` lines of `<root>/PID/fdinfo/FD`
/// (the kernel prints them like `/proc/locks` lines).
pub(crate) fn held_through_fdinfo(
    root: &ProcRoot,
    pid: i32,
    path: &Path,
    inode: u64,
) -> Option<i32> {
    let fdinfo = root.pid_dir(pid).join("fdinfo");
    open_fds(root, pid, path).into_iter().find_map(|fd| {
        let text = std::fs::read_to_string(fdinfo.join(fd)).ok()?;
        fdinfo_locks(&text)
            .into_iter()
            .find(|e| e.inode == inode)
            .map(|e| e.pid)
    })
}

/// The locks listed in one `/proc/PID/fdinfo/FD` file
/// (`lock:\t1: FLOCK  ADVISORY  WRITE 11673 fe:00:10010797 0 EOF`).
pub(crate) fn fdinfo_locks(text: &str) -> Vec<LockEntry> {
    text.lines()
        .filter_map(|line| line.strip_prefix("lock:"))
        .filter_map(parse_lock_line)
        .collect()
}

/// The pid the gateway wrote into the lock file, if the file holds one.
pub(crate) fn recorded_pid(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok().filter(|p| *p > 0)
}
