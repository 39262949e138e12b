//! The embedded gateway: a minimal but real server (HTTP health, WebSocket
//! with device tokens), the daemon control around it (start, stop, restart,
//! status, pid and lock files) and the client side (`send`, `login`).

mod authlimit;
pub mod client;
pub mod daemon;
pub mod devices;
mod http;
pub mod lock;
pub mod logfile;
pub mod pidfile;
mod preauth;
pub mod protocol;
pub mod server;
mod ws;
