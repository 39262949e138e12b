//! The gateway's log: timestamped lines appended to `logs/gateway.log`,
//! rotated by size (`gateway.log.1` newest … `gateway.log.N`), echoed to
//! stderr.
//!
//! Line format (one entry per line; newlines inside a message are escaped so
//! a hostile value cannot forge an entry):
//! ```text
//! 2026-11-25T23:59:01.123Z INFO [gateway] listening on :3001
//! 2026-11-25T23:59:01.124Z WARN unknown config key: "model" …
//! ```
//! The subsystem tag (`[gateway]`, `[ws]`, `[telegram]`) is part of the
//! message, so seed wordings such as `WARN unknown config key: "model"`
//! appear verbatim. Callers never pass a token here.
//!
//! When stderr already *is* the log file (the daemon redirects the detached
//! gateway's output there), the echo is skipped so no line appears twice.

use crate::text::now_rfc3339_millis;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Rotate once the file would grow past this many bytes.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Rotated files kept (`gateway.log.1` … `gateway.log.3`).
pub(crate) const DEFAULT_KEEP: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// A size-rotated, append-only log file.
#[derive(Debug)]
pub(crate) struct LogFile {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    state: Mutex<FileState>,
}

#[derive(Debug)]
struct FileState {
    file: File,
    size: u64,
}

fn open_append(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    crate::fsutil::open_no_follow(
        OpenOptions::new().create(true).append(true).mode(0o600),
        path,
    )
}

/// `gateway.log` → `gateway.log.N`.
pub(crate) fn rotated_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{n}"));
    path.with_file_name(name)
}

impl LogFile {
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        Self::with_limits(path, DEFAULT_MAX_BYTES, DEFAULT_KEEP)
    }

    pub(crate) fn with_limits(path: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let file = open_append(path)?;
        let size = file.metadata()?.len();
        Ok(Self {
            path: path.to_path_buf(),
            max_bytes: max_bytes.max(1),
            keep,
            state: Mutex::new(FileState { file, size }),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one complete line (the caller adds the newline).
    pub(crate) fn append(&self, line: &str) -> io::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let len = line.len() as u64;
        if state.size > 0 && state.size + len > self.max_bytes {
            self.rotate(&mut state)?;
        }
        state.file.write_all(line.as_bytes())?;
        state.size += len;
        Ok(())
    }

    fn rotate(&self, state: &mut FileState) -> io::Result<()> {
        if self.keep == 0 {
            state.file.set_len(0)?;
        } else {
            let _ = fs::remove_file(rotated_path(&self.path, self.keep));
            for n in (1..self.keep).rev() {
                let from = rotated_path(&self.path, n);
                if from.exists() {
                    fs::rename(&from, rotated_path(&self.path, n + 1))?;
                }
            }
            fs::rename(&self.path, rotated_path(&self.path, 1))?;
            state.file = open_append(&self.path)?;
        }
        state.size = 0;
        Ok(())
    }

    /// Device and inode of the file now open, to recognise it behind stderr.
    fn identity(&self) -> Option<(u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.file.metadata().ok().map(|m| (m.dev(), m.ino()))
    }
}

/// The gateway's logger: the log file (if it could be opened) and stderr.
#[derive(Debug)]
pub(crate) struct Logger {
    file: Option<LogFile>,
    echo_stderr: bool,
}

impl Logger {
    /// Logs to `path` and stderr (stderr is skipped when it is that file).
    pub(crate) fn new(file: LogFile) -> Self {
        let echo_stderr = !stderr_is(&file);
        Self {
            file: Some(file),
            echo_stderr,
        }
    }

    /// Logs to stderr only (the log file could not be opened).
    pub(crate) fn stderr_only() -> Self {
        Self {
            file: None,
            echo_stderr: true,
        }
    }

    /// Opens `path`; on failure logs to stderr only and says why there.
    pub(crate) fn open_or_stderr(path: &Path) -> Self {
        match LogFile::open(path) {
            Ok(file) => Self::new(file),
            Err(e) => {
                let logger = Self::stderr_only();
                logger.warn(format_args!(
                    "[gateway] cannot open log file {}: {e}; logging to stderr only",
                    path.display()
                ));
                logger
            }
        }
    }

    pub(crate) fn info(&self, msg: impl fmt::Display) {
        self.log(Level::Info, msg)
    }
    pub(crate) fn warn(&self, msg: impl fmt::Display) {
        self.log(Level::Warn, msg)
    }
    pub(crate) fn error(&self, msg: impl fmt::Display) {
        self.log(Level::Error, msg)
    }

    pub(crate) fn log(&self, level: Level, msg: impl fmt::Display) {
        let line = format_line(&now_rfc3339_millis(), level, &msg.to_string());
        if let Some(file) = &self.file {
            if let Err(e) = file.append(&line) {
                // The disk may be full (ENOSPC): say so once per line on
                // stderr rather than losing the entry silently.
                let _ = writeln!(io::stderr(), "cannot write {}: {e}", file.path().display());
            }
        }
        if self.echo_stderr {
            let _ = io::stderr().write_all(line.as_bytes());
        }
    }
}

/// One log line, newline-terminated, with newlines in `msg` escaped.
pub(crate) fn format_line(timestamp: &str, level: Level, msg: &str) -> String {
    let mut line = String::with_capacity(timestamp.len() + msg.len() + 8);
    line.push_str(timestamp);
    line.push(' ');
    line.push_str(level.as_str());
    line.push(' ');
    for c in msg.chars() {
        match c {
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
    line.push('\n');
    line
}

fn stderr_is(file: &LogFile) -> bool {
    let Some((dev, ino)) = file.identity() else {
        return false;
    };
    match nix::sys::stat::fstat(io::stderr()) {
        #[allow(clippy::unnecessary_cast)] // the field types differ between targets
        Ok(st) => st.st_dev as u64 == dev && st.st_ino as u64 == ino,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_escapes_newlines() {
        let line = format_line("2026-11-25T23:59:01.123Z", Level::Warn, "a\nINFO forged");
        assert_eq!(line, "2026-11-25T23:59:01.123Z WARN a\\nINFO forged\n");
    }

    #[test]
    fn rotates_by_size_keeping_n() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/gateway.log");
        let log = LogFile::with_limits(&path, 100, 2).unwrap();
        for i in 0..10 {
            log.append(&format!("{i:02} {}\n", "x".repeat(46))).unwrap();
        }
        // 50-byte lines, 100-byte files: each file holds two lines.
        let current = fs::read_to_string(&path).unwrap();
        assert!(
            current.starts_with("08 ") && current.contains("\n09 "),
            "{current}"
        );
        assert!(fs::read_to_string(rotated_path(&path, 1))
            .unwrap()
            .starts_with("06 "));
        assert!(fs::read_to_string(rotated_path(&path, 2))
            .unwrap()
            .starts_with("04 "));
        assert!(!rotated_path(&path, 3).exists());
    }

    #[test]
    fn reopening_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.log");
        LogFile::open(&path).unwrap().append("one\n").unwrap();
        LogFile::open(&path).unwrap().append("two\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\ntwo\n");
    }
}
