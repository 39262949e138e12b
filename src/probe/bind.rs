//! Is a port the gateway's for the taking? No listener is not enough: the
//! local end of another process's outgoing connection (a port from the
//! kernel's ephemeral range) makes the gateway's bind fail with EADDRINUSE
//! too. So the port probe, when nothing listens, binds the port the way the
//! gateway does (`std::net::TcpListener::bind` on the mode's address) and
//! releases it at once (no `listen`: nothing can connect, nothing changes),
//! and names the process whose socket holds the port.

use crate::i18n::{msg, Message};
use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::port::{socket_owner, Owner};
use super::{join_argv, load_config, Evidence, ProbeEnv, Status};
use crate::config::Mode;
use crate::procinfo::{self, ProcRoot};
use crate::vocab::ProbeName;

/// The kernel's ephemeral port range (`sys/net/ipv4/ip_local_port_range`
/// under the proc root): ports outgoing connections take.
pub(crate) fn ephemeral_range(root: &ProcRoot) -> Option<(u16, u16)> {
    let text =
        std::fs::read_to_string(root.path().join("sys/net/ipv4/ip_local_port_range")).ok()?;
    let mut it = text.split_whitespace().map(|p| p.parse::<u16>().ok());
    Some((it.next()??, it.next()??))
}

/// The address the gateway binds in `mode` (as `gateway::server` does).
pub(crate) fn gateway_ip(mode: Option<Mode>) -> IpAddr {
    match mode {
        Some(Mode::Remote | Mode::Hybrid) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

/// Binds `ip:port` exactly as the gateway will and releases it at once.
pub(crate) fn try_bind(ip: IpAddr, port: u16) -> io::Result<()> {
    std::net::TcpListener::bind(SocketAddr::new(ip, port)).map(drop)
}

/// A TCP socket on a port, from a `/proc/net/tcp`-format table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PortSocket {
    pub inode: u64,
    pub state: &'static str,
    pub remote: String,
}

/// Every socket (any state) whose local port is `port`.
pub(crate) fn sockets_on_port(table: &str, port: u16) -> Vec<PortSocket> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let local_port = u16::from_str_radix(f.get(1)?.rsplit(':').next()?, 16).ok()?;
            (local_port == port).then(|| PortSocket {
                inode: f.get(9).and_then(|i| i.parse().ok()).unwrap_or(0),
                state: state_name(f.get(3).copied().unwrap_or("")),
                remote: f.get(2).map(|r| hex_endpoint(r)).unwrap_or_default(),
            })
        })
        .collect()
}

fn state_name(hex: &str) -> &'static str {
    match hex {
        "01" => "ESTABLISHED",
        "02" => "SYN_SENT",
        "03" => "SYN_RECV",
        "04" => "FIN_WAIT1",
        "05" => "FIN_WAIT2",
        "06" => "TIME_WAIT",
        "07" => "CLOSE",
        "08" => "CLOSE_WAIT",
        "09" => "LAST_ACK",
        "0A" => "LISTEN",
        "0B" => "CLOSING",
        _ => "UNKNOWN",
    }
}

/// `0100007F:1F90` → `127.0.0.1:8080` (IPv6 addresses are left in hex).
fn hex_endpoint(s: &str) -> String {
    let Some((addr, port)) = s.split_once(':') else {
        return s.to_string();
    };
    let port = u16::from_str_radix(port, 16).unwrap_or(0);
    match u32::from_str_radix(addr, 16) {
        Ok(v) if addr.len() == 8 => format!("{}:{port}", Ipv4Addr::from(v.swap_bytes())),
        _ => format!("[{addr}]:{port}"),
    }
}

/// `text` plus " (in the kernel's ephemeral range A-B: outgoing
/// connections take such ports; pick one below A)" when `port` is in it.
pub(crate) fn ephemeral_note(text: Message, range: Option<(u16, u16)>, port: u16) -> Message {
    match range {
        Some((lo, hi)) if (lo..=hi).contains(&port) => msg!(
            "port-ephemeral-note",
            text = text,
            port = port,
            lo = lo,
            hi = hi
        ),
        _ => text,
    }
}

/// The port probe's answer when nothing listens on `port`: free only if
/// the gateway's bind would succeed. Live `/proc` only (a fixture root says
/// nothing about this machine's ports).
pub(crate) fn unlistened(env: &ProbeEnv, port: u16, live: bool) -> Evidence {
    let name = ProbeName::Port;
    let range = ephemeral_range(&env.proc_root);
    let in_range = range.is_some_and(|(lo, hi)| (lo..=hi).contains(&port));
    let base = |status, summary| {
        Evidence::new(name, status, summary)
            .fact("port.port", port)
            .fact("port.listening", false)
            .fact("port.ephemeral", in_range)
    };
    if !live {
        return base(Status::Ok, msg!("port-free", port = port));
    }
    let ip = gateway_ip(load_config(env).ok().and_then(|l| l.config.mode));
    let err = match try_bind(ip, port) {
        Ok(()) => {
            return base(
                Status::Ok,
                ephemeral_note(msg!("port-free-bound", port = port, ip = ip), range, port),
            )
            .fact("port.bindable", true)
        }
        Err(e) => e,
    };
    let kind = match err.kind() {
        io::ErrorKind::AddrInUse => "in_use",
        io::ErrorKind::PermissionDenied => "permission",
        _ => "other",
    };
    let failed = |summary: Message| {
        base(Status::Fail, summary)
            .fact("port.bindable", false)
            .fact("port.bind_error", kind)
    };
    if kind != "in_use" {
        return failed(msg!("port-cannot-bind", port = port, ip = ip, error = err));
    }
    let mut sockets = Vec::new();
    for table in ["net/tcp", "net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(env.proc_root.path().join(table)) {
            sockets.extend(sockets_on_port(&text, port));
        }
    }
    let inodes: BTreeSet<u64> = sockets
        .iter()
        .map(|s| s.inode)
        .filter(|i| *i != 0)
        .collect();
    let what = match sockets.first() {
        Some(s) => msg!("port-connection", state = s.state, remote = &s.remote),
        None => msg!("port-socket-not-in-tables"),
    };
    let owner = if inodes.is_empty() {
        Ok(Owner::Nobody)
    } else {
        socket_owner(&env.proc_root, &inodes, None)
    };
    match owner {
        Ok(Owner::Found(pid)) => {
            let comm = procinfo::stat(&env.proc_root, pid)
                .map(|s| s.comm)
                .unwrap_or_default();
            let argv = procinfo::cmdline(&env.proc_root, pid).unwrap_or_default();
            let cmdline = if argv.is_empty() {
                format!("[{comm}]")
            } else {
                join_argv(&argv)
            };
            failed(ephemeral_note(
                msg!(
                    "port-in-use-held",
                    port = port,
                    ip = ip,
                    what = what,
                    pid = pid,
                    name = &comm,
                    command = &cmdline
                ),
                range,
                port,
            ))
            .fact("port.holder_pid", pid)
            .fact("port.holder_name", comm)
            .fact("port.holder_cmdline", cmdline)
            .fact("port.holder_is_gateway", false)
        }
        _ => failed(ephemeral_note(
            msg!("port-in-use-no-owner", port = port, ip = ip, what = what),
            range,
            port,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_on_a_port_in_any_state_with_their_peer() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1\n\
   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7 1\n";
        assert_eq!(
            sockets_on_port(table, 40000),
            vec![PortSocket {
                inode: 4242,
                state: "ESTABLISHED",
                remote: "127.0.0.1:8080".into()
            }]
        );
        assert_eq!(sockets_on_port(table, 8080)[0].state, "LISTEN");
    }

    #[test]
    fn the_ephemeral_note_names_the_range() {
        let free = || msg!("port-free", port = 40000);
        assert!(ephemeral_note(free(), Some((32768, 60999)), 40000)
            .english()
            .contains("32768-60999"));
        assert_eq!(ephemeral_note(free(), Some((32768, 60999)), 3001), free());
    }
}
