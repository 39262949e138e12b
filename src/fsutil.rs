//! Safe writes to user files: atomic replace (temp file in the same directory,
//! fsync, rename) and a backup ring (`NAME.bak.1` newest … `NAME.bak.N`).
//!
//! Every write clawdoc makes to a user-visible file goes through here, so no
//! crash or full disk can leave a half-written config behind.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many backups `backup_ring` keeps.
pub const BACKUPS: usize = 5;

/// Writes `bytes` to `path` atomically with the given permission bits.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".clawdoc-tmp")
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Opens `path` with `options`, never through a symbolic link
/// (`O_NOFOLLOW`): a state file replaced by a link to some other file must
/// not make us truncate or append to that file. The error names the path.
pub fn open_no_follow(options: &mut fs::OpenOptions, path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    options
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                io::Error::other(format!(
                    "{} is a symbolic link; refusing to write through it (remove the link)",
                    path.display()
                ))
            } else {
                e
            }
        })
}

/// The path of backup number `n` (1 = newest) of `path`.
pub fn backup_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".bak.{n}"));
    path.with_file_name(name)
}

/// Copies the current `path` (if it exists) to `.bak.1`, shifting older
/// backups down and dropping the oldest. Returns the backup written.
pub fn backup_ring(path: &Path) -> io::Result<Option<PathBuf>> {
    use std::os::unix::fs::PermissionsExt;
    let current = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    for n in (1..BACKUPS).rev() {
        let from = backup_path(path, n);
        if from.exists() {
            fs::rename(&from, backup_path(path, n + 1))?;
        }
    }
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    let first = backup_path(path, 1);
    write_atomic(&first, &current, mode & 0o600 | 0o600)?;
    Ok(Some(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_sets_mode_and_ring_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        for i in 0..8 {
            backup_ring(&p).unwrap();
            write_atomic(&p, format!("v{i}").as_bytes(), 0o600).unwrap();
        }
        assert_eq!(fs::read_to_string(&p).unwrap(), "v7");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_to_string(backup_path(&p, 1)).unwrap(), "v6");
        assert_eq!(fs::read_to_string(backup_path(&p, 5)).unwrap(), "v2");
        assert!(!backup_path(&p, 6).exists());
    }
}
