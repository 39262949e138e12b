//! `gateway.pid`: the running gateway's pid and process start time.
//!
//! Format (text, two lines, so `cat gateway.pid` still shows the pid first):
//! ```text
//! 12345
//! starttime=987654
//! ```
//! The start time (clock ticks after boot, `/proc/PID/stat` field 22) lets
//! [`crate::procinfo::identify`] tell our gateway from a process that reused
//! the pid. Reading never trusts the file: a malformed one is an error that
//! names the file and line.

use std::io;
use std::path::{Path, PathBuf};

use crate::procinfo::{self, Identity, ProcRoot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PidRecord {
    pub pid: i32,
    pub start_time: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PidFileError {
    #[error("{path}:{line}: malformed pid file ({what}); it is stale or was edited by hand")]
    Malformed {
        path: PathBuf,
        line: usize,
        what: String,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl PidRecord {
    /// The record for the calling process.
    pub(crate) fn current() -> io::Result<Self> {
        Ok(Self {
            pid: std::process::id() as i32,
            start_time: procinfo::self_start_time()?,
        })
    }

    pub(crate) fn render(&self) -> String {
        format!("{}\nstarttime={}\n", self.pid, self.start_time)
    }

    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self, PidFileError> {
        let bad = |line: usize, what: &str| PidFileError::Malformed {
            path: path.to_path_buf(),
            line,
            what: what.to_string(),
        };
        let mut lines = text.lines();
        let pid: i32 = lines
            .next()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| bad(1, "empty"))?
            .parse()
            .map_err(|_| bad(1, "first line is not a pid"))?;
        if pid <= 0 {
            return Err(bad(1, "pid must be positive"));
        }
        let start_time = lines
            .next()
            .and_then(|l| l.trim().strip_prefix("starttime="))
            .ok_or_else(|| bad(2, "missing `starttime=`"))?
            .parse()
            .map_err(|_| bad(2, "start time is not a number"))?;
        Ok(Self { pid, start_time })
    }

    /// Who holds this pid now (see [`procinfo::identify`]); our gateway
    /// only if it also holds `home`'s `gateway.lock`
    /// ([`procinfo::identify_holding`]).
    pub(crate) fn identify(&self, root: &ProcRoot, home: &crate::home::Home) -> Identity {
        procinfo::identify_holding(root, self.pid, self.start_time, &home.lock_path())
    }
}

/// Reads the pid file; `Ok(None)` when there is none.
pub(crate) fn read(path: &Path) -> Result<Option<PidRecord>, PidFileError> {
    match std::fs::read(path) {
        Ok(bytes) => PidRecord::parse(path, &String::from_utf8_lossy(&bytes)).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PidFileError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes the pid file atomically (mode 0644: it holds no secret).
pub fn write(path: &Path, record: &PidRecord) -> io::Result<()> {
    crate::fsutil::write_atomic(path, record.render().as_bytes(), 0o644)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let p = Path::new("gateway.pid");
        let r = PidRecord {
            pid: 42,
            start_time: 7,
        };
        assert_eq!(PidRecord::parse(p, &r.render()).unwrap(), r);
        let e = PidRecord::parse(p, "abc\n").unwrap_err().to_string();
        assert!(e.contains("gateway.pid:1"), "{e}");
        let e = PidRecord::parse(p, "42\n").unwrap_err().to_string();
        assert!(e.contains("gateway.pid:2"), "{e}");
        assert!(PidRecord::parse(p, "").is_err());
        assert!(PidRecord::parse(p, "-5\nstarttime=1\n").is_err());
    }
}
