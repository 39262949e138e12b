//! Standard output for the commands: every line goes through [`outln!`] /
//! [`out!`], which exit quietly (status 0) when the reader has gone away
//! (EPIPE, e.g. `clawdoc status --json | head -4`) instead of panicking the
//! way `println!` does. Writers that return `io::Result` may use `?`
//! instead: `cli::main` maps a broken pipe in the error chain to exit 0.

use std::fmt;
use std::io::{self, Write};

/// Writes `args` to stdout; on a broken pipe the process exits 0 at once
/// (nothing more can be shown), on another write error it exits 2.
pub(crate) fn write_stdout(args: fmt::Arguments<'_>) {
    let result = {
        let mut out = io::stdout().lock();
        out.write_fmt(args).and_then(|()| out.flush())
    };
    if let Err(e) = result {
        std::process::exit(exit_code_for(&e));
    }
}

/// The exit status for a failed write to stdout.
pub(crate) fn exit_code_for(e: &io::Error) -> i32 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        0
    } else {
        let _ = writeln!(io::stderr(), "error: cannot write to stdout: {e}");
        2
    }
}

/// `println!` that exits quietly on a closed stdout.
macro_rules! outln {
    () => { $crate::cli::out::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::cli::out::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that exits quietly on a closed stdout.
#[allow(unused_macros)]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out::write_stdout(format_args!($($arg)*)) };
}
