//! The embedded gateway: a minimal but real server (HTTP health, WebSocket
//! with device tokens), the daemon control around it (start, stop, restart,
//! status, pid and lock files) and the client side (`send`, `login`).

mod authlimit;
pub mod daemon;
mod http;
pub(crate) mod lock;
pub mod logfile;
mod preauth;
pub mod server;
mod shared;
pub(crate) mod ws;
