//! The `clawdoc` binary: parse, run, exit code. Everything else is in
//! `clawdoc::cli` (rendering) and the library (logic).

fn main() -> std::process::ExitCode {
    clawdoc::cli::main()
}
