//! On-disk state formats shared by the gateway, the probes and the fixes:
//! the pid file, the lock file, this CLI's device identity, the device store. Formats and their readers and writers
//! only; who acts on them lives above.

pub mod devices;
pub mod identity;
pub(crate) mod lock;
pub mod pid;
