//! The `lock` probe: is `gateway.lock` present, is it held, and by whom?
//!
//! Who holds it is [`crate::state::lock`]'s one check (read-only: from
//! `/proc`, never by taking the lock). Present but not held is a stale lock
//! file.
//!
//! Facts: `lock.present`, `lock.held`, `lock.stale`, `lock.owner_pid` (from
//! `/proc/locks`), `lock.recorded_pid` (the pid written in the file).

use super::{Evidence, ProbeEnv, Status};
use crate::i18n::msg;
use crate::procinfo;
use crate::state::lock::{lock_state, recorded_pid, LockState};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Lock;

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let path = env.home.lock_path();
    let shown = path.display();
    let state = match lock_state(&env.proc_root, &path) {
        Ok(state) => state,
        Err(e) => {
            let present = path.exists();
            let mut evidence =
                Evidence::inconclusive(NAME, msg!("lock-cannot-tell", path = &shown, error = e))
                    .fact("lock.present", present);
            if let Some(pid) = recorded_pid(&path) {
                evidence = evidence.fact("lock.recorded_pid", pid);
            }
            return evidence;
        }
    };
    let recorded = recorded_pid(&path);
    let mut evidence = match state {
        LockState::Absent => Evidence::new(NAME, Status::Ok, msg!("lock-absent", path = &shown))
            .fact("lock.present", false)
            .fact("lock.held", false)
            .fact("lock.stale", false),
        LockState::Held { owner_pid } => {
            let who = procinfo::stat(&env.proc_root, owner_pid)
                .map(|s| format!("pid {owner_pid} ({})", s.comm))
                .unwrap_or_else(|_| format!("pid {owner_pid}"));
            Evidence::new(
                NAME,
                Status::Ok,
                msg!("lock-held", path = &shown, who = who),
            )
            .fact("lock.present", true)
            .fact("lock.held", true)
            .fact("lock.stale", false)
            .fact("lock.owner_pid", owner_pid)
        }
        LockState::NotHeld => {
            let summary = match recorded {
                Some(pid) => msg!("lock-stale-left-by", path = &shown, pid = pid),
                None => msg!("lock-stale", path = &shown),
            };
            Evidence::new(NAME, Status::Warn, summary)
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
    use crate::procinfo::ProcRoot;
    use crate::state::lock::{fdinfo_locks, held_through_fdinfo, parse_locks};
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

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
    fn parses_fdinfo_lock_lines() {
        let text = "pos:\t6\nflags:\t02100002\nmnt_id:\t27\nino:\t10028003\nlock:\t1: FLOCK  ADVISORY  WRITE 25753 fe:00:10028003 0 EOF\n";
        let entries = fdinfo_locks(text);
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0].pid, 25753);
        assert_eq!(entries[0].inode, 10028003);
        assert!(fdinfo_locks("pos:\t0\nflags:\t0100000\n").is_empty());
    }

    #[test]
    fn holder_found_through_fdinfo_without_proc_locks() {
        // A proc root with the recorded pid's fd and fdinfo but no `locks`
        // file: the answer must come from fdinfo alone.
        let s = Staged::new(None, &[]);
        let lock = s.write_home("gateway.lock", "100\n");
        let ino = std::fs::metadata(&lock).unwrap().ino();
        let root = s.dir.path().join("proc");
        std::fs::create_dir_all(root.join("100/fd")).unwrap();
        std::fs::create_dir_all(root.join("100/fdinfo")).unwrap();
        std::os::unix::fs::symlink(&lock, root.join("100/fd/4")).unwrap();
        std::fs::write(
            root.join("100/fdinfo/4"),
            format!("pos:\t4\nlock:\t1: FLOCK  ADVISORY  WRITE 100 fe:00:{ino} 0 EOF\n"),
        )
        .unwrap();
        let root = ProcRoot::new(root);
        assert_eq!(
            lock_state(&root, &lock).unwrap(),
            LockState::Held { owner_pid: 100 }
        );
        // Without a lock line in fdinfo it falls back to `locks`, which is
        // missing here: an error, never a guess.
        std::fs::write(s.dir.path().join("proc/100/fdinfo/4"), "pos:\t4\n").unwrap();
        assert!(lock_state(&root, &lock).is_err());
    }

    #[test]
    fn fdinfo_and_proc_locks_agree_on_a_live_flock() {
        let s = Staged::new(None, &[]);
        let path = s.write_home("gateway.lock", &format!("{}\n", std::process::id()));
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.try_lock()
            .expect("nobody else holds a fresh temp file");
        let me = std::process::id() as i32;
        let root = ProcRoot::default();
        let ino = std::fs::metadata(&path).unwrap().ino();
        assert_eq!(held_through_fdinfo(&root, me, &path, ino), Some(me));
        let text = std::fs::read_to_string("/proc/locks").unwrap();
        assert!(
            parse_locks(&text)
                .iter()
                .any(|e| e.inode == ino && e.pid == me),
            "{text}"
        );
        file.unlock().unwrap();
        assert_eq!(held_through_fdinfo(&root, me, &path, ino), None);
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
