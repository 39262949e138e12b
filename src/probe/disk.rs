//! The `disk` probe: is there room, and permission, to write state in
//! `$CLAWDOC_HOME`?
//!
//! Looks at the filesystem holding `$CLAWDOC_HOME` (or its nearest existing
//! ancestor, when the home does not exist yet) with `statvfs`, and creates
//! and removes a temporary file there (`.clawdoc-probe-*`; never a user file).
//! Full: under 1 MiB free or no free inodes. Low: under 100 MiB or under 5%.
//!
//! **Fixture override.** When [`ProbeEnv::disk_fixture`] names a TOML file
//! (tests only: the binary's hidden, announced `--test-disk-fixture`; no
//! environment variable reaches it), its numbers replace the live
//! filesystem's and nothing is created, so tests can stage a full or
//! read-only state directory:
//!
//! ```toml
//! free_bytes = 0          # required
//! total_bytes = 1048576   # optional, default free_bytes
//! free_inodes = 100       # optional, default 1_000_000
//! total_inodes = 1000     # optional, default free_inodes
//! writable = false        # optional, default: not full
//! ```
//!
//! Facts: `disk.path`, `disk.free_bytes`, `disk.free_inodes`,
//! `disk.writable`, `disk.full`, `disk.low`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{human_bytes, Evidence, ProbeEnv, Status};
use crate::i18n::msg;
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Disk;
const MIB: u64 = 1024 * 1024;
const FULL_BYTES: u64 = MIB;
const LOW_BYTES: u64 = 100 * MIB;

/// Space on one filesystem, as seen by an unprivileged writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Space {
    pub free_bytes: u64,
    pub total_bytes: u64,
    pub free_inodes: u64,
    /// 0 when the filesystem does not count inodes (btrfs, some FUSE).
    pub total_inodes: u64,
}

impl Space {
    pub(crate) fn is_full(&self) -> bool {
        self.free_bytes < FULL_BYTES || (self.total_inodes > 0 && self.free_inodes == 0)
    }
    pub(crate) fn is_low(&self) -> bool {
        let bytes_low =
            self.free_bytes < LOW_BYTES || self.free_bytes.saturating_mul(20) < self.total_bytes;
        let inodes_low =
            self.total_inodes > 0 && self.free_inodes.saturating_mul(20) < self.total_inodes;
        bytes_low || inodes_low
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    free_bytes: u64,
    total_bytes: Option<u64>,
    free_inodes: Option<u64>,
    total_inodes: Option<u64>,
    writable: Option<bool>,
}

/// A disk fixture that cannot be used.
#[derive(Debug, thiserror::Error)]
enum FixtureError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}{at}: {message}", path.display())]
    Parse {
        path: std::path::PathBuf,
        /// `:line:col`, when the error has a place.
        at: String,
        message: String,
    },
}

fn read_fixture(path: &Path) -> Result<(Space, bool), FixtureError> {
    let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let f: Fixture = toml::from_str(&text).map_err(|e| FixtureError::Parse {
        path: path.to_path_buf(),
        at: e
            .span()
            .map(|s| {
                let (line, col) = crate::text::line_col(&text, s.start);
                format!(":{line}:{col}")
            })
            .unwrap_or_default(),
        message: e.message().to_string(),
    })?;
    let free_inodes = f.free_inodes.unwrap_or(1_000_000);
    let space = Space {
        free_bytes: f.free_bytes,
        total_bytes: f.total_bytes.unwrap_or(f.free_bytes),
        free_inodes,
        total_inodes: f.total_inodes.unwrap_or(free_inodes),
    };
    Ok((space, f.writable.unwrap_or(!space.is_full())))
}

/// `path` if it exists, else its nearest existing ancestor.
pub(crate) fn nearest_existing(path: &Path) -> Option<PathBuf> {
    path.ancestors().find(|p| p.exists()).map(Path::to_path_buf)
}

pub(crate) fn space_of(path: &Path) -> nix::Result<Space> {
    let v = nix::sys::statvfs::statvfs(path)?;
    let block = v.fragment_size() as u64;
    Ok(Space {
        free_bytes: (v.blocks_available() as u64).saturating_mul(block),
        total_bytes: (v.blocks() as u64).saturating_mul(block),
        free_inodes: v.files_available() as u64,
        total_inodes: v.files() as u64,
    })
}

/// Can a file be created in `dir`? The file is removed when dropped.
pub(crate) fn can_create_in(dir: &Path) -> Result<(), std::io::Error> {
    tempfile::Builder::new()
        .prefix(".clawdoc-probe-")
        .tempfile_in(dir)
        .map(drop)
}

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    probe_dir(env, env.home.root())
}

/// Space and writability of `home` (or its nearest existing ancestor).
pub(crate) fn probe_dir(env: &ProbeEnv, home: &Path) -> Evidence {
    let Some(dir) = nearest_existing(home) else {
        return Evidence::inconclusive(NAME, msg!("disk-no-dir", path = home.display()));
    };
    let shown = dir.display().to_string();
    let (space, writable, write_error) = if let Some(fixture) = &env.disk_fixture {
        match read_fixture(fixture) {
            Ok((space, writable)) => (space, writable, None),
            Err(why) => return Evidence::inconclusive(NAME, msg!("disk-bad-fixture", why = why)),
        }
    } else {
        let space = match space_of(&dir) {
            Ok(s) => s,
            Err(e) => {
                return Evidence::inconclusive(
                    NAME,
                    msg!("disk-cannot-statvfs", path = &shown, error = e.desc()),
                )
                .fact("disk.path", shown)
            }
        };
        match can_create_in(&dir) {
            Ok(()) => (space, true, None),
            Err(e) => (space, false, Some(e.to_string())),
        }
    };
    let full = space.is_full();
    let low = space.is_low();
    let free = msg!(
        "disk-free",
        bytes = human_bytes(space.free_bytes),
        inodes = space.free_inodes
    );
    let (status, summary) = if full {
        (Status::Fail, msg!("disk-full", path = &shown, free = free))
    } else if !writable {
        let path = &shown;
        let summary = match write_error {
            Some(error) => msg!("disk-not-writable-because", path = path, error = error),
            None => msg!("disk-not-writable", path = path),
        };
        (Status::Fail, summary)
    } else if low {
        (Status::Warn, msg!("disk-low", path = &shown, free = free))
    } else {
        (Status::Ok, msg!("disk-ok", path = &shown, free = free))
    };
    Evidence::new(NAME, status, summary)
        .fact("disk.path", shown)
        .fact("disk.free_bytes", space.free_bytes)
        .fact("disk.free_inodes", space.free_inodes)
        .fact("disk.writable", writable)
        .fact("disk.full", full)
        .fact("disk.low", low)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;
    use std::process::Command;

    fn with_fixture(toml: &str) -> Evidence {
        let mut s = Staged::new(None, &[]);
        let path = s.dir.path().join("statvfs.toml");
        std::fs::write(&path, toml).unwrap();
        s.env.disk_fixture = Some(path.clone());
        probe(&s.env)
    }

    #[test]
    fn live_home_is_writable_and_leaves_nothing_behind() {
        let s = Staged::new(None, &[]);
        let e = probe(&s.env);
        assert_eq!(e.get("disk.writable"), Some(&true.into()), "{}", e.summary);
        assert!(e.get("disk.free_bytes").and_then(|v| v.as_u64()).unwrap() > 0);
        assert_eq!(
            e.get("disk.path"),
            Some(&s.home().display().to_string().into())
        );
        assert_eq!(
            std::fs::read_dir(s.home()).unwrap().count(),
            0,
            "probe left a file"
        );
    }

    #[test]
    fn missing_home_checks_the_nearest_ancestor() {
        let mut s = Staged::new(None, &[]);
        s.env.home = crate::home::Home::new(s.dir.path().join("not/yet/there"));
        let e = probe(&s.env);
        assert_eq!(
            e.get("disk.path"),
            Some(&s.dir.path().display().to_string().into())
        );
        assert_eq!(e.get("disk.writable"), Some(&true.into()));
    }

    #[test]
    fn fixture_full_disk_fails() {
        let e = with_fixture("free_bytes = 4096\ntotal_bytes = 10737418240\n");
        assert_eq!(e.status, Status::Fail, "{}", e.summary);
        assert_eq!(e.get("disk.full"), Some(&true.into()));
        assert_eq!(e.get("disk.writable"), Some(&false.into()));
        assert_eq!(e.get("disk.free_bytes"), Some(&4096.into()));
    }

    #[test]
    fn fixture_no_inodes_is_full_and_low_space_warns() {
        let e = with_fixture("free_bytes = 10737418240\nfree_inodes = 0\ntotal_inodes = 1000\n");
        assert_eq!(e.get("disk.full"), Some(&true.into()), "{}", e.summary);
        let e = with_fixture("free_bytes = 52428800\ntotal_bytes = 10737418240\n");
        assert_eq!(e.status, Status::Warn, "{}", e.summary);
        assert_eq!(e.get("disk.low"), Some(&true.into()));
        assert_eq!(e.get("disk.full"), Some(&false.into()));
        let e = with_fixture("free_bytes = 10737418240\nwritable = false\n");
        assert_eq!(e.status, Status::Fail, "{}", e.summary);
        assert_eq!(e.get("disk.writable"), Some(&false.into()));
    }

    #[test]
    fn bad_fixture_is_inconclusive_with_position() {
        let e = with_fixture("free_bytes = \"lots\"\n");
        assert_eq!(e.status, Status::Inconclusive);
        assert!(e.summary.contains("statvfs.toml:1:"), "{}", e.summary);
    }

    /// A tmpfs mounted for one test; unmounted on drop (even on panic).
    struct Mount(PathBuf);
    impl Drop for Mount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    fn mount_tmpfs(dir: &Path, opts: &str) -> Result<Mount, String> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(Mount(dir.to_path_buf()))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
    fn is_root() -> bool {
        // A file we create is owned by our effective uid.
        use std::os::unix::fs::MetadataExt;
        let probe = tempfile::NamedTempFile::new().unwrap();
        probe.as_file().metadata().unwrap().uid() == 0
    }

    #[test]
    #[ignore = "mounts a read-only tmpfs as root (needs CAP_SYS_ADMIN); CI runs it with `cargo test -- --ignored`"]
    fn live_read_only_home_is_not_writable() {
        let mut s = Staged::new(None, &[]);
        let home = s.dir.path().join("ro-home");
        std::fs::create_dir(&home).unwrap();
        s.env.home = crate::home::Home::new(&home);
        // Root ignores mode bits, so as root make the directory truly
        // read-only with a read-only mount; otherwise chmod is enough.
        let _guard = if is_root() {
            Some(
                mount_tmpfs(&home, "ro,size=64k")
                    .unwrap_or_else(|why| panic!("cannot mount a read-only tmpfs: {why}")),
            )
        } else {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o500)).unwrap();
            None
        };
        let e = probe(&s.env);
        assert_eq!(e.get("disk.writable"), Some(&false.into()), "{}", e.summary);
        assert_eq!(e.status, Status::Fail);
        if !is_root() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
    }

    #[test]
    #[ignore = "mounts a tmpfs (needs root); CI runs it with `cargo test -- --ignored`"]
    fn live_tiny_filesystem_is_full() {
        let mut s = Staged::new(None, &[]);
        let home = s.dir.path().join("tiny-home");
        std::fs::create_dir(&home).unwrap();
        let _guard = mount_tmpfs(&home, "size=512k")
            .unwrap_or_else(|why| panic!("cannot mount a tmpfs (root needed): {why}"));
        s.env.home = crate::home::Home::new(&home);
        let e = probe(&s.env);
        // 512 KiB total is under the 1 MiB "full" line, and well under "low".
        assert_eq!(e.get("disk.full"), Some(&true.into()), "{}", e.summary);
        assert_eq!(e.get("disk.low"), Some(&true.into()));
        assert_eq!(e.status, Status::Fail);
    }
}
