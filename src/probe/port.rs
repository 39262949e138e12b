//! The `port` probe: is the gateway's configured port listening, which
//! process holds it, and is that process our gateway?
//!
//! Listening sockets come from `<proc_root>/net/tcp` and `net/tcp6` (state
//! `0A`); on the live `/proc` the same inodes are asked of the kernel's
//! socket diagnostics over netlink (`NETLINK_SOCK_DIAG`, listeners only, as
//! `ss -ltn` does), falling back to the tables if that fails. Reading the
//! tables walks every bucket of the established-connection hash twice (once
//! per table) whatever the port: about 1.1 ms per table here, and far more
//! on a host with many connections; the listener-only dump took 0.03 ms.
//! A socket's inode is matched to its owner by scanning
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
//! `port.holder_name` (comm), `port.holder_cmdline`, `port.holder_is_gateway`;
//! when nothing listens, `port.ephemeral`, `port.bindable` and
//! `port.bind_error` from a real bind (see [`super::bind`]).
//! A listener whose owner cannot be found (other users' fds are unreadable)
//! is reported without holder facts and with status `Inconclusive`.

use crate::i18n::msg;
use std::collections::BTreeSet;
use std::io;

use super::{configured_port, join_argv, recorded_gateway, Evidence, ProbeEnv, Status};
use crate::procinfo::{self, Identity, ProcRoot};
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Port;
const TCP_LISTEN: &str = "0A";

/// Socket inodes of listening TCP sockets on `port`, from one
/// `/proc/net/tcp`-format table (IPv4 or IPv6).
pub(crate) fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
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

/// `sock_diag` constants (linux/netlink.h, sock_diag.h, inet_diag.h).
mod diag {
    pub(super) const NETLINK_SOCK_DIAG: i32 = 4;
    pub(super) const SOCK_DIAG_BY_FAMILY: u16 = 20;
    pub(super) const NLM_F_REQUEST: u16 = 0x1;
    pub(super) const NLM_F_DUMP: u16 = 0x300;
    pub(super) const NLMSG_ERROR: u16 = 2;
    pub(super) const NLMSG_DONE: u16 = 3;
    pub(super) const TCP_LISTEN: u8 = 10;
    pub(super) const NLMSG_HDR_LEN: usize = 16;
    /// `struct inet_diag_msg`: the local port (big-endian) at 4, the
    /// state at 1, the inode at 68.
    pub(super) const MSG_LEN: usize = 72;
}

/// The `SOCK_DIAG_BY_FAMILY` dump request for TCP listeners of `family`:
/// an `nlmsghdr` and an `inet_diag_req_v2` whose state mask is LISTEN only,
/// so the kernel walks only its listening hash.
fn diag_request(family: u8) -> Vec<u8> {
    let mut req = Vec::with_capacity(72);
    req.extend_from_slice(&72u32.to_ne_bytes()); // nlmsg_len
    req.extend_from_slice(&diag::SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    req.extend_from_slice(&(diag::NLM_F_REQUEST | diag::NLM_F_DUMP).to_ne_bytes());
    req.extend_from_slice(&1u32.to_ne_bytes()); // seq
    req.extend_from_slice(&0u32.to_ne_bytes()); // pid: the kernel fills it
    req.extend_from_slice(&[family, 6 /* IPPROTO_TCP */, 0, 0]);
    req.extend_from_slice(&(1u32 << diag::TCP_LISTEN).to_ne_bytes()); // idiag_states
    req.resize(72, 0); // inet_diag_sockid: zero, not used by a dump
    req
}

/// Feeds one datagram of the dump's answer into `inodes`; `Ok(true)` once
/// the dump is done.
pub(crate) fn parse_diag_reply(
    mut data: &[u8],
    port: u16,
    inodes: &mut BTreeSet<u64>,
) -> io::Result<bool> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("sock_diag: {what}"));
    let ne_u32 = |b: &[u8], at: usize| u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    while data.len() >= diag::NLMSG_HDR_LEN {
        let len = ne_u32(data, 0) as usize;
        let kind = u16::from_ne_bytes([data[4], data[5]]);
        if len < diag::NLMSG_HDR_LEN || len > data.len() {
            return Err(bad("truncated message"));
        }
        let payload = &data[diag::NLMSG_HDR_LEN..len];
        match kind {
            diag::NLMSG_DONE => return Ok(true),
            diag::NLMSG_ERROR => {
                // A negative errno; zero would be an acknowledgement.
                let errno = payload.get(..4).map(|b| ne_u32(b, 0) as i32).unwrap_or(0);
                if errno != 0 {
                    return Err(io::Error::from_raw_os_error(errno.saturating_neg()));
                }
            }
            diag::SOCK_DIAG_BY_FAMILY if payload.len() >= diag::MSG_LEN => {
                let state = payload[1];
                let local_port = u16::from_be_bytes([payload[4], payload[5]]);
                let inode = u64::from(ne_u32(payload, 68));
                if state == diag::TCP_LISTEN && local_port == port && inode != 0 {
                    inodes.insert(inode);
                }
            }
            _ => {}
        }
        // Messages are 4-byte aligned.
        data = data.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    Ok(false)
}

/// Inodes of the TCP sockets (IPv4 and IPv6) listening on `port`, from the
/// kernel's socket diagnostics. Reads nothing of `/proc`.
pub(crate) fn listening_inodes_netlink(port: u16) -> io::Result<BTreeSet<u64>> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::io::Read;
    let mut inodes = BTreeSet::new();
    for family in [libc::AF_INET as u8, libc::AF_INET6 as u8] {
        let mut socket = Socket::new(
            Domain::from(libc::AF_NETLINK),
            Type::DGRAM,
            Some(Protocol::from(diag::NETLINK_SOCK_DIAG)),
        )?;
        socket.set_read_timeout(Some(std::time::Duration::from_secs(1)))?;
        // Unconnected, a netlink datagram goes to the kernel.
        socket.send(&diag_request(family))?;
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = socket.read(&mut buf)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "sock_diag: no answer",
                ));
            }
            if parse_diag_reply(&buf[..n], port, &mut inodes)? {
                break;
            }
        }
    }
    Ok(inodes)
}

/// Who owns a socket inode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Owner {
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
pub(crate) fn socket_owner(
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

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let port = configured_port(env);
    let recorded = recorded_gateway(env);
    probe_holder(
        env,
        port,
        recorded.map(|r| r.pid),
        |pid, argv| match recorded {
            Some(record) if record.pid == pid => {
                matches!(
                    record.identify(&env.proc_root, &env.home),
                    Identity::Gateway { .. }
                )
            }
            // No pid file names it: it is *this home's* gateway only if it also
            // holds this home's lock. A gateway of another CLAWDOC_HOME on our
            // port is a stranger to us.
            _ => {
                procinfo::is_gateway_cmdline(argv)
                    && matches!(
                        crate::state::lock::lock_state(&env.proc_root, &env.home.lock_path()),
                        Ok(crate::state::lock::LockState::Held { owner_pid }) if owner_pid == pid
                    )
            }
        },
    )
}

/// Who listens on `port`, and is it the target's gateway (`is_ours(pid,
/// argv)`)? `first` is the pid to look at before scanning every process.
pub(crate) fn probe_holder(
    env: &ProbeEnv,
    port: u16,
    first: Option<i32>,
    is_ours: impl Fn(i32, &[String]) -> bool,
) -> Evidence {
    let root = &env.proc_root;
    // Netlink answers for this process's network namespace, which is what
    // the live `/proc/net` shows; a fixture root is read as files.
    let live = root.path() == ProcRoot::default().path();
    let mut inodes = BTreeSet::new();
    let mut tables_read = 0;
    match live.then(|| listening_inodes_netlink(port)) {
        Some(Ok(found)) => {
            inodes = found;
            tables_read = 2;
        }
        _ => {
            for table in ["net/tcp", "net/tcp6"] {
                // A host without IPv6 has no tcp6; one readable table is enough.
                if let Ok(text) = std::fs::read_to_string(root.path().join(table)) {
                    tables_read += 1;
                    inodes.extend(listening_inodes(&text, port));
                }
            }
        }
    }
    if tables_read == 0 {
        return Evidence::inconclusive(
            NAME,
            msg!("port-cannot-read-tables", root = root.path().display()),
        )
        .fact("port.port", port);
    }
    if inodes.is_empty() {
        return super::bind::unlistened(env, port, live);
    }

    let owner = socket_owner(root, &inodes, first);
    let listening = Evidence::new(
        NAME,
        Status::Inconclusive,
        msg!("port-listening", port = port),
    )
    .fact("port.port", port)
    .fact("port.listening", true);
    let pid = match owner {
        Ok(Owner::Found(pid)) => pid,
        Ok(Owner::Hidden { unreadable }) => {
            return listening.say(msg!(
                "port-holder-hidden",
                port = port,
                unreadable = unreadable
            ))
        }
        Ok(Owner::Nobody) => return listening.say(msg!("port-holder-none", port = port)),
        Err(e) => return listening.say(msg!("port-cannot-scan", port = port, error = e)),
    };

    let comm = procinfo::stat(root, pid)
        .map(|s| s.comm)
        .unwrap_or_default();
    let argv = procinfo::cmdline(root, pid).unwrap_or_default();
    let is_gateway = is_ours(pid, &argv);
    let cmdline = if argv.is_empty() {
        format!("[{comm}]")
    } else {
        join_argv(&argv)
    };
    let (status, summary) = if is_gateway {
        (
            Status::Ok,
            msg!("port-held-by-gateway", port = port, pid = pid),
        )
    } else {
        (
            Status::Fail,
            msg!(
                "port-held-by-other",
                port = port,
                pid = pid,
                name = &comm,
                command = &cmdline
            ),
        )
    };
    Evidence {
        status,
        ..listening.say(summary)
    }
    .fact("port.holder_pid", pid)
    .fact("port.holder_name", comm)
    .fact("port.holder_cmdline", cmdline)
    .fact("port.holder_is_gateway", is_gateway)
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn netlink_and_proc_tables_agree_on_live_listeners() {
        let v4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = v4.local_addr().unwrap().port();
        let v6 = TcpListener::bind(("::1", port)).ok(); // no IPv6 here is fine
        let from_tables: BTreeSet<u64> = ["/proc/net/tcp", "/proc/net/tcp6"]
            .iter()
            .filter_map(|t| std::fs::read_to_string(t).ok())
            .flat_map(|text| listening_inodes(&text, port))
            .collect();
        let from_netlink = listening_inodes_netlink(port).unwrap();
        assert_eq!(from_netlink, from_tables);
        assert_eq!(from_netlink.len(), 1 + usize::from(v6.is_some()));
        drop((v4, v6));
        assert!(listening_inodes_netlink(port).unwrap().is_empty());
    }

    #[test]
    fn diag_reply_parsing() {
        fn msg(kind: u16, payload: &[u8]) -> Vec<u8> {
            let mut m = Vec::new();
            m.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
            m.extend_from_slice(&kind.to_ne_bytes());
            m.extend_from_slice(&[0; 10]);
            m.extend_from_slice(payload);
            m.resize(m.len().next_multiple_of(4), 0);
            m
        }
        fn socket(state: u8, port: u16, inode: u32) -> Vec<u8> {
            let mut p = vec![0u8; 72];
            p[0] = libc::AF_INET as u8;
            p[1] = state;
            p[4..6].copy_from_slice(&port.to_be_bytes());
            p[68..72].copy_from_slice(&inode.to_ne_bytes());
            p
        }
        let mut data = msg(20, &socket(10, 3001, 111));
        data.extend(msg(20, &socket(10, 3002, 222))); // another port
        data.extend(msg(20, &socket(1, 3001, 333))); // not listening
        let mut inodes = BTreeSet::new();
        assert!(!parse_diag_reply(&data, 3001, &mut inodes).unwrap());
        assert_eq!(inodes, BTreeSet::from([111]));
        assert!(parse_diag_reply(&msg(3, &[0; 4]), 3001, &mut inodes).unwrap());
        let err = parse_diag_reply(&msg(2, &(-13i32).to_ne_bytes()), 3001, &mut inodes);
        assert_eq!(err.unwrap_err().raw_os_error(), Some(13));
        assert!(parse_diag_reply(&data[..20], 3001, &mut inodes).is_err());
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
        s.write_pid(100, 5000);
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
        s.write_pid(100, 1);
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
