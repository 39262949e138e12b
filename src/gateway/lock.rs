//! `gateway.lock`: an OS file lock (flock, through fs4 since std's file
//! locks are newer than our MSRV) held by the running gateway for its whole
//! life, with its pid written inside for humans and the doctor.
//!
//! The lock, not the file, is the truth: a lock file nobody holds is stale
//! (left by a crash) and is simply taken over. A clean shutdown removes it.
//! [`probe`] lets the daemon and the doctor ask who holds it without
//! disturbing a running gateway for more than an instant.

use std::fs::{File, OpenOptions};

use fs4::fs_std::FileExt;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock held by this process; released (and the file removed) on drop.
#[derive(Debug)]
pub(crate) struct GatewayLock {
    file: File,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum LockError {
    #[error("gateway already running ({}); lock timeout", match .pid { Some(p) => format!("pid {p}"), None => "pid unknown".to_string() })]
    Held { pid: Option<i32> },
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    crate::fsutil::open_no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644),
        path,
    )
}

fn read_pid(file: &mut File) -> Option<i32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(64).read_to_string(&mut text).ok()?;
    text.trim().parse().ok().filter(|p| *p > 0)
}

/// Is the open file still the one at `path`? (Another gateway may have
/// removed the file between our open and our lock.)
fn still_linked(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

impl GatewayLock {
    /// Takes the lock, retrying for up to `wait` while another process holds
    /// it (a gateway that is shutting down releases it shortly).
    pub(crate) fn acquire(path: &Path, wait: Duration) -> Result<Self, LockError> {
        let io_err = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io_err)?;
        }
        let deadline = Instant::now() + wait;
        loop {
            let mut file = open_lock_file(path).map_err(io_err)?;
            match FileExt::try_lock_exclusive(&file) {
                Ok(true) => {
                    if !still_linked(&file, path) {
                        continue;
                    }
                    file.set_len(0).map_err(io_err)?;
                    file.rewind().map_err(io_err)?;
                    writeln!(file, "{}", std::process::id()).map_err(io_err)?;
                    file.flush().map_err(io_err)?;
                    return Ok(Self {
                        file,
                        path: path.to_path_buf(),
                    });
                }
                Ok(false) => {
                    if Instant::now() >= deadline {
                        return Err(LockError::Held {
                            pid: read_pid(&mut file),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(e) => return Err(io_err(e)),
            }
        }
    }
}

impl Drop for GatewayLock {
    fn drop(&mut self) {
        // Remove while still holding the lock, so no other gateway can have
        // locked this inode in between.
        if still_linked(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procinfo::ProcRoot;
    use crate::state::lock::{lock_state, LockState};

    fn probe(path: &Path) -> LockState {
        lock_state(&ProcRoot::default(), path).unwrap()
    }

    #[test]
    fn acquire_hold_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.lock");
        assert_eq!(probe(&path), LockState::Absent);
        std::fs::write(&path, "999999\n").unwrap();
        assert_eq!(probe(&path), LockState::NotHeld);

        let lock = GatewayLock::acquire(&path, Duration::ZERO).unwrap();
        let me = std::process::id() as i32;
        assert_eq!(probe(&path), LockState::Held { owner_pid: me });
        // flock locks belong to the open file description: a second open in
        // the same process conflicts just like another process would.
        let err = GatewayLock::acquire(&path, Duration::from_millis(60)).unwrap_err();
        assert!(matches!(err, LockError::Held { pid } if pid == Some(me)));
        assert!(
            err.to_string().contains("gateway already running (pid"),
            "{err}"
        );
        assert!(err.to_string().ends_with("; lock timeout"));

        drop(lock);
        assert_eq!(probe(&path), LockState::Absent);
        GatewayLock::acquire(&path, Duration::ZERO).unwrap();
    }
}
