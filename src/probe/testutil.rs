//! Test helpers for probes: staging fixture trees (fake `/proc`, kernel logs)
//! into a temporary directory with placeholders filled in, and building a
//! [`ProbeEnv`] that looks only at them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ProbeEnv;
use crate::home::Home;
use crate::procinfo::ProcRoot;

pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Copies `from` to `to` recursively, keeping symlinks as symlinks (a fake
/// `/proc/PID/fd/N -> socket:[INODE]` must stay a link), and replacing each
/// `{KEY}` of `vars` in regular files.
pub(crate) fn copy_tree(from: &Path, to: &Path, vars: &[(&str, String)]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target, vars);
        } else {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(&target, substitute(&text, vars)).unwrap();
        }
    }
}

pub(crate) fn substitute(text: &str, vars: &[(&str, String)]) -> String {
    vars.iter().fold(text.to_string(), |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), v)
    })
}

/// A temp home, a staged copy of `fixtures/proc/<name>` as the proc root, an
/// empty environment and no kernel log.
pub(crate) struct Staged {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) env: ProbeEnv,
}

impl Staged {
    pub(crate) fn new(proc_fixture: Option<&str>, vars: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let proc_root = match proc_fixture {
            Some(name) => {
                let staged = dir.path().join("proc");
                copy_tree(&fixture(&format!("proc/{name}")), &staged, vars);
                ProcRoot::new(staged)
            }
            None => ProcRoot::default(),
        };
        let env = ProbeEnv {
            home: Home::new(home),
            proc_root,
            kmsg_path: None,
            disk_fixture: None,
            cgroup_root: dir.path().join("no-cgroup"),
            env: BTreeMap::new(),
            net_timeout: Duration::from_millis(1500),
            target: crate::target::Target::embedded(),
            port_override: None,
        };
        Self { dir, env }
    }
    pub(crate) fn home(&self) -> &Path {
        self.env.home.root()
    }
    pub(crate) fn write_home(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
    /// Writes `gateway.pid` naming `pid` with `start_time`. In a staged
    /// proc tree, a process with that pid also holds this home's
    /// `gateway.lock` (as a live gateway does).
    pub(crate) fn write_pid(&self, pid: i32, start_time: u64) -> PathBuf {
        let record = crate::state::pid::PidRecord { pid, start_time };
        let fd_dir = self.env.proc_root.pid_dir(pid).join("fd");
        let staged = self.env.proc_root.path().starts_with(self.dir.path());
        if staged && fd_dir.parent().is_some_and(Path::is_dir) {
            std::fs::create_dir_all(&fd_dir).unwrap();
            let lock = self.env.home.lock_path();
            if !lock.exists() {
                self.write_home("gateway.lock", &format!("{pid}\n"));
            }
            let link = fd_dir.join("90");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&lock, &link).unwrap();
        }
        self.write_home("gateway.pid", &record.render())
    }
    pub(crate) fn set_var(&mut self, key: &str, value: impl Into<String>) {
        self.env.env.insert(key.to_string(), value.into());
    }
}
