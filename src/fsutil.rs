//! Safe writes to user files: atomic replace (temp file in the same directory,
//! fsync, rename) and a backup ring (`NAME.bak.1` newest … `NAME.bak.N`).
//!
//! Every write clawdoc makes to a user-visible file goes through here, so no
//! crash or full disk can leave a half-written config behind.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many backups `backup_ring` keeps.
pub(crate) const BACKUPS: usize = 5;

/// Writes `bytes` to `path` atomically with the given permission bits.
/// Stale temp files a killed writer left in the directory are removed first
/// (see [`remove_stale_temps`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir)?;
    remove_stale_temps(dir);
    let tmp = write_temp(dir, bytes, mode)?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The name prefix of our temp files: `.clawdoc-tmp-PID-`, so a later run
/// can tell whether the writer is gone.
const TEMP_PREFIX: &str = ".clawdoc-tmp";

/// A temp file age after which it is stale whoever made it.
const TEMP_STALE: std::time::Duration = std::time::Duration::from_secs(60);

/// A fully written, synced temp file in `dir` with mode `mode`.
fn write_temp(dir: &Path, bytes: &[u8], mode: u32) -> io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}-{}-", std::process::id()))
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Removes our temp files (`.clawdoc-tmp*`) in `dir` that a killed writer
/// left behind (they may hold a token): those whose creating process is
/// gone, and any older than a minute. Best effort; other files are never
/// touched. Returns how many were removed.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > TEMP_STALE);
        if (old || temp_writer_gone(rest)) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether the pid in a temp name's rest (`-PID-…`) names no live process.
fn temp_writer_gone(rest: &str) -> bool {
    let pid = rest
        .strip_prefix('-')
        .and_then(|r| r.split('-').next())
        .and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) => pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists(),
        None => false,
    }
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
pub(crate) fn backup_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".bak.{n}"));
    path.with_file_name(name)
}

/// Copies the current `path` (if it exists) to `.bak.1`, shifting older
/// backups down and dropping the oldest. Returns the backup written.
///
/// Safe against a kill at any point: the new backup is written to a temp
/// file first; each shift makes `.bak.N+1` a hard link to `.bak.N` (link to
/// a temp name, then rename over), so every step leaves all backups in
/// place (at worst one twice); the temp file is renamed to `.bak.1` last.
/// A rotation that was interrupted (two neighbours are the same file) is
/// resumed where it stopped instead of shifting again.
pub(crate) fn backup_ring(path: &Path) -> io::Result<Option<PathBuf>> {
    use std::os::unix::fs::PermissionsExt;
    let current = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let dir = parent_dir(path);
    remove_stale_temps(dir);
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    let fresh = write_temp(dir, &current, mode & 0o600 | 0o600)?;
    let start = interrupted_shift(path).unwrap_or(BACKUPS);
    for n in (1..start).rev() {
        let from = backup_path(path, n);
        if from.exists() {
            let link = dir.join(format!("{TEMP_PREFIX}-{}-ring", std::process::id()));
            let _ = fs::remove_file(&link);
            fs::hard_link(&from, &link)?;
            fs::rename(&link, backup_path(path, n + 1))?;
        }
    }
    let first = backup_path(path, 1);
    fresh.persist(&first).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(Some(first))
}

/// The `n` where a killed rotation stopped: `.bak.n` and `.bak.n+1` are the
/// same file (the shift into `n+1` was done, the one into `n` was not).
fn interrupted_shift(path: &Path) -> Option<usize> {
    use std::os::unix::fs::MetadataExt;
    let id = |n| {
        fs::symlink_metadata(backup_path(path, n))
            .ok()
            .map(|m| (m.dev(), m.ino()))
    };
    (1..BACKUPS).find(|&n| id(n).is_some() && id(n) == id(n + 1))
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

    #[test]
    fn an_interrupted_rotation_is_resumed_not_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        for i in 1..=5 {
            fs::write(backup_path(&p, i), format!("b{i}")).unwrap();
        }
        fs::write(&p, "cur").unwrap();
        // Killed after shifting 4→5 and 3→4 (by link): 3 and 4 are one file.
        fs::remove_file(backup_path(&p, 5)).unwrap();
        fs::hard_link(backup_path(&p, 4), backup_path(&p, 5)).unwrap();
        fs::remove_file(backup_path(&p, 4)).unwrap();
        fs::hard_link(backup_path(&p, 3), backup_path(&p, 4)).unwrap();
        backup_ring(&p).unwrap();
        let ring: Vec<String> = (1..=5)
            .map(|n| fs::read_to_string(backup_path(&p, n)).unwrap())
            .collect();
        assert_eq!(ring, ["cur", "b1", "b2", "b3", "b4"]);
    }

    #[test]
    fn stale_temps_are_removed_live_ones_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = d.join(".clawdoc-tmp-999999999-abc");
        let mine = d.join(format!(".clawdoc-tmp-{}-abc", std::process::id()));
        let other = d.join("notes.txt");
        for f in [&dead, &mine, &other] {
            fs::write(f, "x").unwrap();
        }
        assert_eq!(remove_stale_temps(d), 1);
        assert!(!dead.exists() && mine.exists() && other.exists());
    }
}
