//! Reading processes from a `/proc` tree, and telling whether a pid is our gateway.
//!
//! Everything takes a [`ProcRoot`] so tests can point it at a fixture tree
//! (`fixtures/proc/…`). A pid is the gateway's only if pid, start time and
//! command line all agree ([`identify`]); nothing here signals anything.

use std::io;
use std::path::{Path, PathBuf};

/// The root of a procfs tree: `/proc` on the live system, a fixture in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcRoot(PathBuf);

impl Default for ProcRoot {
    fn default() -> Self {
        Self(PathBuf::from("/proc"))
    }
}

impl ProcRoot {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self(path.into())
    }
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
    pub(crate) fn pid_dir(&self, pid: i32) -> PathBuf {
        self.0.join(pid.to_string())
    }
}

/// Process state letter from `/proc/PID/stat`, named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcState {
    Running,
    Sleeping,
    /// `D`: uninterruptible sleep, usually stuck on I/O.
    DiskSleep,
    /// `T`/`t`: stopped by a signal (SIGSTOP) or a tracer.
    Stopped,
    Zombie,
    Dead,
    Idle,
    Other,
}

impl ProcState {
    pub(crate) fn from_letter(c: char) -> Self {
        match c {
            'R' => Self::Running,
            'S' => Self::Sleeping,
            'D' => Self::DiskSleep,
            'T' | 't' => Self::Stopped,
            'Z' => Self::Zombie,
            'X' | 'x' => Self::Dead,
            'I' => Self::Idle,
            _ => Self::Other,
        }
    }
    /// A process in this state will not answer requests or signals promptly.
    pub(crate) fn is_hung(self) -> bool {
        matches!(self, Self::Stopped | Self::DiskSleep | Self::Zombie)
    }
}

/// The fields of `/proc/PID/stat` that clawdoc uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: i32,
    /// `comm`, the kernel's short name (at most 15 bytes).
    pub comm: String,
    pub state: ProcState,
    pub ppid: i32,
    /// Field 22: start time in clock ticks after boot. With the pid, it names a
    /// process uniquely: a reused pid has a different start time.
    pub start_time: u64,
}

/// Parses the text of a `/proc/PID/stat` file. `comm` may hold spaces and
/// parentheses, so fields are counted from the last `)`.
pub(crate) fn parse_stat(text: &str) -> Option<ProcStat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let pid = text[..open].trim().parse().ok()?;
    let comm = text.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is field 3 (state); field N is rest[N - 3].
    let state = ProcState::from_letter(rest.first()?.chars().next()?);
    let ppid = rest.get(1)?.parse().ok()?;
    let start_time = rest.get(22 - 3)?.parse().ok()?;
    Some(ProcStat {
        pid,
        comm,
        state,
        ppid,
        start_time,
    })
}

pub fn stat(root: &ProcRoot, pid: i32) -> io::Result<ProcStat> {
    let text = std::fs::read_to_string(root.pid_dir(pid).join("stat"))?;
    parse_stat(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unparsable /proc/{pid}/stat"),
        )
    })
}

/// The command line as argv; empty for kernel threads and zombies.
pub(crate) fn cmdline(root: &ProcRoot, pid: i32) -> io::Result<Vec<String>> {
    let bytes = std::fs::read(root.pid_dir(pid).join("cmdline"))?;
    Ok(bytes
        .split(|b| *b == 0)
        .filter(|part| !part.is_empty())
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect())
}

/// Start time of the calling process, as written into `gateway.pid`.
pub(crate) fn self_start_time() -> io::Result<u64> {
    Ok(stat(&ProcRoot::default(), std::process::id() as i32)?.start_time)
}

/// Does this argv look like `clawdoc gateway run …`?
pub(crate) fn is_gateway_cmdline(argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        return false;
    };
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if !name.starts_with("clawdoc") {
        return false;
    }
    argv.windows(2).any(|w| w[0] == "gateway" && w[1] == "run")
}

/// Who a recorded pid belongs to now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Identity {
    /// pid, start time and command line all agree: our gateway.
    Gateway { state: ProcState },
    /// No process has this pid.
    Dead,
    /// A live process that is provably not the gateway recorded in the pid file.
    Stranger {
        comm: String,
        cmdline: Vec<String>,
        reason: String,
    },
    /// We could not look (permissions, unreadable files).
    Unknown { error: String },
}

/// Decides whether `pid` (recorded with `start_time`) is still our gateway.
pub(crate) fn identify(root: &ProcRoot, pid: i32, start_time: u64) -> Identity {
    identify_as(root, pid, start_time, |_, argv| is_gateway_cmdline(argv))
}

/// [`identify`] for any gateway: `is_gateway(comm, argv)` says whether a live
/// process with the recorded start time is one.
pub(crate) fn identify_as(
    root: &ProcRoot,
    pid: i32,
    start_time: u64,
    is_gateway: impl Fn(&str, &[String]) -> bool,
) -> Identity {
    if pid <= 0 {
        return Identity::Dead;
    }
    let stat = match stat(root, pid) {
        Ok(stat) => stat,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Identity::Dead,
        Err(e) => {
            return Identity::Unknown {
                error: e.to_string(),
            }
        }
    };
    let argv = cmdline(root, pid).unwrap_or_default();
    if stat.state == ProcState::Zombie && argv.is_empty() {
        // A zombie has released everything; it is not serving anything.
        return Identity::Dead;
    }
    if stat.start_time != start_time {
        return Identity::Stranger {
            comm: stat.comm,
            cmdline: argv,
            reason: format!(
                "pid {pid} was reused: start time {} differs from the recorded {start_time}",
                stat.start_time
            ),
        };
    }
    if !is_gateway(&stat.comm, &argv) {
        return Identity::Stranger {
            comm: stat.comm,
            cmdline: argv,
            reason: format!("pid {pid} is not the gateway"),
        };
    }
    Identity::Gateway { state: stat.state }
}

/// Does `pid` hold `path` open? (A file descriptor in `<root>/PID/fd`
/// links to it, by name or by device and inode.) This is how a gateway is
/// tied to its home: it holds that home's `gateway.lock` while it runs, and
/// a copy of the home (`cp -a`) has a lock file of its own.
pub fn holds_file(root: &ProcRoot, pid: i32, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(want) = std::fs::metadata(path) else {
        return false;
    };
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(fds) = std::fs::read_dir(root.pid_dir(pid).join("fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path()).is_ok_and(|t| t == canonical)
            || std::fs::metadata(fd.path())
                .is_ok_and(|m| m.dev() == want.dev() && m.ino() == want.ino())
    })
}

/// [`identify`], and the gateway must also hold `lock` (its home's
/// `gateway.lock`): a gateway serving another home is a stranger here.
pub(crate) fn identify_holding(
    root: &ProcRoot,
    pid: i32,
    start_time: u64,
    lock: &Path,
) -> Identity {
    match identify(root, pid, start_time) {
        Identity::Gateway { .. } if !holds_file(root, pid, lock) => {
            let stat = stat(root, pid).ok();
            Identity::Stranger {
                comm: stat.map(|s| s.comm).unwrap_or_default(),
                cmdline: cmdline(root, pid).unwrap_or_default(),
                reason: format!(
                    "pid {pid} is a clawdoc gateway, but not this home's: it does not hold {}",
                    lock.display()
                ),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_parens_in_comm() {
        let text = "4242 (we ird) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        let s = parse_stat(text).unwrap();
        assert_eq!(s.pid, 4242);
        assert_eq!(s.comm, "we ird) (x)");
        assert_eq!(s.state, ProcState::Sleeping);
        assert_eq!(s.ppid, 1);
        assert_eq!(s.start_time, 987654);
    }

    #[test]
    fn self_is_readable() {
        let me = std::process::id() as i32;
        let st = stat(&ProcRoot::default(), me).unwrap();
        assert_eq!(st.pid, me);
        assert_eq!(self_start_time().unwrap(), st.start_time);
    }

    #[test]
    fn gateway_cmdline_shape() {
        let v = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(is_gateway_cmdline(&v(
            "/x/target/debug/clawdoc gateway run"
        )));
        assert!(is_gateway_cmdline(&v("clawdoc --color never gateway run")));
        assert!(!is_gateway_cmdline(&v("python3 -m http.server")));
        assert!(!is_gateway_cmdline(&v("clawdoc gateway stop")));
        assert!(!is_gateway_cmdline(&[]));
    }

    #[test]
    fn identify_self_is_a_stranger_not_the_gateway() {
        let me = std::process::id() as i32;
        let st = stat(&ProcRoot::default(), me).unwrap();
        match identify(&ProcRoot::default(), me, st.start_time) {
            Identity::Stranger { .. } => {}
            other => panic!("expected stranger, got {other:?}"),
        }
        match identify(&ProcRoot::default(), me, st.start_time + 1) {
            Identity::Stranger { reason, .. } => assert!(reason.contains("reused")),
            other => panic!("expected stranger, got {other:?}"),
        }
    }
}
