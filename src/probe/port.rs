//! The `port` probe: is the gateway's configured port listening, which
//! process holds it, and is that process our gateway?
//!
//! Listening sockets come from `<proc_root>/net/tcp` and `net/tcp6` (state
//! `0A`); a socket's inode is matched to its owner by scanning
//! `<proc_root>/PID/fd/*` for `socket:[INODE]` links (hand-parsed so any
//! proc root works). The port is the config's (default 3001) with the
//! `CLAWDOC_GATEWAY_PORT` override.
//!
//! The holder is the gateway when it is the pid recorded in `gateway.pid` and
//! passes the identity check, or, without a matching pid file, when its
//! command line is `clawdoc … gateway run` and it holds this home's
//! `gateway.lock` (a gateway of another home is a stranger here).
//!
//! Facts: `port.port`, `port.listening`, `port.holder_pid`,
//! `port.holder_name` (comm), `port.holder_cmdline`, `port.holder_is_gateway`.
//! A listener whose owner cannot be found (other users' fds are unreadable)
//! is reported without holder facts and with status `Inconclusive`.

use std::collections::BTreeSet;
use std::io;

use super::{configured_port, join_argv, recorded_gateway, Evidence, ProbeEnv, Status};
use crate::procinfo::{self, Identity, ProcRoot};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Port;
const TCP_LISTEN: &str = "0A";

/// Socket inodes of listening TCP sockets on `port`, from one
/// `/proc/net/tcp`-format table (IPv4 or IPv6).
pub fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let state = fields.get(3)?;
            let inode: u64 = fields.get(9)?.parse().ok()?;
            let local_port = u16::from_str_radix(local.rsplit(':').next()?, 16).ok()?;
            (*state == TCP_LISTEN && local_port == port && inode != 0).then_some(inode)
        })
        .collect()
}

/// Who owns a socket inode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Found(i32),
    /// Not found, and some processes' fds could not be read.
    Hidden {
        unreadable: usize,
    },
    /// Not found, and every process was readable.
    Nobody,
}

/// Finds the process holding any of `inodes`, looking at `first` (the
/// recorded gateway) before scanning every pid.
pub fn socket_owner(
    root: &ProcRoot,
    inodes: &BTreeSet<u64>,
    first: Option<i32>,
) -> io::Result<Owner> {
    let wanted: BTreeSet<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    if let Some(pid) = first {
        if holds_any(root, pid, &wanted) == Some(true) {
            return Ok(Owner::Found(pid));
        }
    }
    let mut unreadable = 0;
    for entry in std::fs::read_dir(root.path())? {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        match holds_any(root, pid, &wanted) {
            Some(true) => return Ok(Owner::Found(pid)),
            Some(false) => {}
            None => unreadable += 1,
        }
    }
    Ok(if unreadable > 0 {
        Owner::Hidden { unreadable }
    } else {
        Owner::Nobody
    })
}

/// `Some(true)` if one of the pid's fds links to a wanted socket, `None` if
/// its fd directory cannot be read (permission, or it exited meanwhile).
fn holds_any(root: &ProcRoot, pid: i32, wanted: &BTreeSet<String>) -> Option<bool> {
    let fds = std::fs::read_dir(root.pid_dir(pid).join("fd")).ok()?;
    Some(fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .ok()
            .and_then(|target| target.to_str().map(|t| wanted.contains(t)))
            .unwrap_or(false)
    }))
}

pub fn probe(env: &ProbeEnv) -> Evidence {
    let port = configured_port(env);
    let root = &env.proc_root;
    let mut inodes = BTreeSet::new();
    let mut tables_read = 0;
    for table in ["net/tcp", "net/tcp6"] {
        // A host without IPv6 has no tcp6; one readable table is enough.
        if let Ok(text) = std::fs::read_to_string(root.path().join(table)) {
            tables_read += 1;
            inodes.extend(listening_inodes(&text, port));
        }
    }
    if tables_read == 0 {
        return Evidence::inconclusive(
            NAME,
            format!("cannot read {}/net/tcp or tcp6", root.path().display()),
        )
        .fact("port.port", port);
    }
    if inodes.is_empty() {
        return Evidence::new(NAME, Status::Ok, format!("port {port} is free"))
            .fact("port.port", port)
            .fact("port.listening", false);
    }

    let recorded = recorded_gateway(env);
    let owner = socket_owner(root, &inodes, recorded.map(|r| r.pid));
    let listening = Evidence::new(NAME, Status::Inconclusive, String::new())
        .fact("port.port", port)
        .fact("port.listening", true);
    let pid = match owner {
        Ok(Owner::Found(pid)) => pid,
        Ok(Owner::Hidden { unreadable }) => {
            return Evidence {
                summary: format!(
                    "port {port} is listening, but its holder is hidden ({unreadable} processes' file descriptors are unreadable; try as root)"
                ),
                ..listening
            }
        }
        Ok(Owner::Nobody) => {
            return Evidence {
                summary: format!("port {port} is listening, but no process owns the socket (it may have just exited)"),
                ..listening
            }
        }
        Err(e) => {
            return Evidence {
                summary: format!("port {port} is listening; cannot scan processes: {e}"),
                ..listening
            }
        }
    };

    let comm = procinfo::stat(root, pid)
        .map(|s| s.comm)
        .unwrap_or_default();
    let argv = procinfo::cmdline(root, pid).unwrap_or_default();
    let is_gateway = match recorded {
        Some(record) if record.pid == pid => {
            matches!(record.identify(root), Identity::Gateway { .. })
        }
        // No pid file names it: it is *this home's* gateway only if it also
        // holds this home's lock. A gateway of another CLAWDOC_HOME on our
        // port is a stranger to us.
        _ => {
            procinfo::is_gateway_cmdline(&argv)
                && matches!(
                    super::lock::lock_state(root, &env.home.lock_path()),
                    Ok(super::lock::LockState::Held { owner_pid }) if owner_pid == pid
                )
        }
    };
    let cmdline = if argv.is_empty() {
        format!("[{comm}]")
    } else {
        join_argv(&argv)
    };
    let (status, summary) = if is_gateway {
        (
            Status::Ok,
            format!("port {port} is held by the gateway (pid {pid})"),
        )
    } else {
        (
            Status::Fail,
            format!("port {port} is held by another process: pid {pid} ({comm}): {cmdline}"),
        )
    };
    Evidence {
        status,
        summary,
        ..listening
    }
    .fact("port.holder_pid", pid)
    .fact("port.holder_name", comm)
    .fact("port.holder_cmdline", cmdline)
    .fact("port.holder_is_gateway", is_gateway)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::pidfile::PidRecord;
    use crate::probe::testutil::{fixture, Staged};
    use std::net::TcpListener;

    fn staged(fixture_name: &str, port: u16) -> Staged {
        let mut s = Staged::new(Some(fixture_name), &[]);
        s.set_var("CLAWDOC_GATEWAY_PORT", port.to_string());
        s
    }

    #[test]
    fn parses_listeners_only() {
        let tcp = std::fs::read_to_string(fixture("proc/basic/net/tcp")).unwrap();
        // The established connections to 3001 (state 01) do not count.
        assert_eq!(listening_inodes(&tcp, 3001), vec![11111]);
        assert_eq!(listening_inodes(&tcp, 8080), vec![22222]);
        assert!(listening_inodes(&tcp, 9).is_empty());
        let tcp6 = std::fs::read_to_string(fixture("proc/basic/net/tcp6")).unwrap();
        assert_eq!(listening_inodes(&tcp6, 5000), vec![33333]);
        assert!(listening_inodes("garbage\nmore garbage\n", 1).is_empty());
    }

    #[test]
    fn free_port_is_ok() {
        let e = probe(&staged("basic", 4999).env);
        assert_eq!(e.status, Status::Ok);
        assert_eq!(e.get("port.listening"), Some(&false.into()));
        assert_eq!(e.get("port.port"), Some(&4999.into()));
    }

    #[test]
    fn gateway_holder_by_pid_file_identity() {
        let s = staged("basic", 3001);
        s.write_home(
            "gateway.pid",
            &PidRecord {
                pid: 100,
                start_time: 5000,
            }
            .render(),
        );
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("port.holder_pid"), Some(&100.into()));
        assert_eq!(e.get("port.holder_is_gateway"), Some(&true.into()));
        assert_eq!(e.get("port.holder_name"), Some(&"clawdoc".into()));
    }

    /// Makes fixture pid 100 hold this home's `gateway.lock` in the staged
    /// `/proc/locks` (its `{LOCK_*}` placeholders name the lock's inode).
    fn hold_lock(s: &Staged) {
        use std::os::unix::fs::MetadataExt;
        let lock = s.write_home("gateway.lock", "100\n");
        let meta = std::fs::metadata(&lock).unwrap();
        let locks = s.env.proc_root.path().join("locks");
        let text = std::fs::read_to_string(&locks)
            .unwrap()
            .replace(
                "{LOCK_MAJOR}",
                &format!("{:02x}", nix::sys::stat::major(meta.dev())),
            )
            .replace(
                "{LOCK_MINOR}",
                &format!("{:02x}", nix::sys::stat::minor(meta.dev())),
            )
            .replace("{LOCK_INODE}", &meta.ino().to_string());
        std::fs::write(locks, text).unwrap();
    }

    #[test]
    fn gateway_holder_by_cmdline_and_lock_without_pid_file() {
        let s = staged("basic", 3001);
        hold_lock(&s);
        let e = probe(&s.env);
        assert_eq!(e.get("port.holder_is_gateway"), Some(&true.into()));
        assert_eq!(
            e.get("port.holder_cmdline"),
            Some(&"/usr/local/bin/clawdoc gateway run".into())
        );
    }

    #[test]
    fn a_gateway_of_another_home_is_a_stranger() {
        // Same command line, but it does not hold this home's lock.
        let e = probe(&staged("basic", 3001).env);
        assert_eq!(e.get("port.holder_is_gateway"), Some(&false.into()));
        assert_eq!(e.status, Status::Fail);
    }

    #[test]
    fn pid_file_naming_a_different_start_time_is_not_the_gateway() {
        // The holder is pid 100, but the pid file records another start time:
        // the identity check wins over the command line.
        let s = staged("basic", 3001);
        s.write_home(
            "gateway.pid",
            &PidRecord {
                pid: 100,
                start_time: 1,
            }
            .render(),
        );
        let e = probe(&s.env);
        assert_eq!(e.get("port.holder_is_gateway"), Some(&false.into()));
        assert_eq!(e.status, Status::Fail);
    }

    #[test]
    fn default_port_comes_from_config_file() {
        let s = Staged::new(Some("basic"), &[]);
        s.write_home("config.toml", "[gateway]\nmode = \"local\"\nport = 8080\n");
        let e = probe(&s.env);
        assert_eq!(e.get("port.port"), Some(&8080.into()));
        assert_eq!(e.get("port.holder_pid"), Some(&200.into()));
    }

    #[test]
    fn stranger_on_tcp6_is_named() {
        let e = probe(&staged("stranger6", 3001).env);
        assert_eq!(e.status, Status::Fail, "{}", e.summary);
        assert_eq!(e.get("port.listening"), Some(&true.into()));
        assert_eq!(e.get("port.holder_pid"), Some(&4242.into()));
        assert_eq!(e.get("port.holder_name"), Some(&"node".into()));
        assert_eq!(
            e.get("port.holder_cmdline"),
            Some(&"node server.js --port 3001".into())
        );
        assert_eq!(e.get("port.holder_is_gateway"), Some(&false.into()));
        assert!(e.summary.contains("pid 4242"), "{}", e.summary);
    }

    #[test]
    fn listener_without_owner_is_inconclusive() {
        let e = probe(&staged("stranger6", 3002).env);
        assert_eq!(e.status, Status::Inconclusive, "{}", e.summary);
        assert_eq!(e.get("port.listening"), Some(&true.into()));
        assert!(e.get("port.holder_pid").is_none());
        assert!(e.get("port.holder_is_gateway").is_none());
    }

    #[test]
    fn missing_tables_are_inconclusive() {
        let mut s = staged("basic", 3001);
        s.env.proc_root = ProcRoot::new(s.dir.path().join("nothing"));
        assert_eq!(probe(&s.env).status, Status::Inconclusive);
    }

    #[test]
    fn live_listener_in_this_process_is_found() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let s = Staged::new(None, &[]);
        s.write_home(
            "config.toml",
            &format!("[gateway]\nmode = \"local\"\nport = {port}\n"),
        );
        let e = probe(&s.env);
        assert_eq!(e.get("port.listening"), Some(&true.into()), "{}", e.summary);
        assert_eq!(
            e.get("port.holder_pid"),
            Some(&(std::process::id() as i32).into())
        );
        assert_eq!(e.get("port.holder_is_gateway"), Some(&false.into()));
        assert_eq!(e.status, Status::Fail);
        drop(listener);
        let e = probe(&s.env);
        assert_eq!(
            e.get("port.listening"),
            Some(&false.into()),
            "{}",
            e.summary
        );
    }
}
