//! The `clawdoc` binary: parse, run, exit code. Everything else is in
//! `cli` (rendering) and the library (logic).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
