//! The command line: the only place that knows clap, the terminal, colour,
//! prompts and spinners. Each command lives in its own file with its own
//! `Args` and a `run` that returns an [`Exit`]; the library does the work.
//!
//! Exit contract: 0 healthy / something found for `lookup`, 1 problems found
//! (or nothing matched), 2 usage or runtime error. A broken pipe exits 0.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use clawdoc::home::Home;

#[macro_use]
pub(crate) mod out;

pub(crate) mod client;
pub(crate) mod config_cmd;
pub(crate) mod devices;
pub(crate) mod doctor;
pub(crate) mod flowchart;
pub(crate) mod gateway;
pub(crate) mod logs;
pub(crate) mod lookup;
pub(crate) mod render;
pub(crate) mod rules;
pub(crate) mod scan;
pub(crate) mod setup;
pub(crate) mod walk;

/// Loads built-ins plus the user directories for this invocation; broken
/// rule files are reported on stderr and skipped, never fatal.
pub(crate) fn load_rules(ctx: &Ctx) -> clawdoc::ruleset::RuleSet {
    let set = clawdoc::ruleset::load_from(&clawdoc::ruleset::user_dirs(ctx.rules_dir.as_deref()));
    warn_skipped(&set.errors);
    set
}

/// Reports rules the engine had to leave out (their patterns do not
/// compile together with the others), like skipped rule files.
pub(crate) fn warn_dropped(engine: &clawdoc::engine::Engine) {
    warn_skipped(engine.dropped());
}

fn warn_skipped(errors: &[clawdoc::ruleset::RuleError]) {
    for e in errors {
        eprintln!(
            "{} {e}",
            owo_colors::OwoColorize::if_supports_color(
                &"warning: rule skipped:",
                owo_colors::Stream::Stderr,
                |t| owo_colors::OwoColorize::yellow(t).to_string()
            )
        );
    }
}

/// The process exit status, as a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Healthy, or (lookup) something matched.
    Ok = 0,
    /// Problems found, or nothing matched.
    Problems = 1,
    /// Usage or runtime error.
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Parser)]
#[command(
    name = "clawdoc",
    version,
    about = "Diagnose and fix an OpenClaw-style AI gateway: paste an error, run the doctor, or walk the flowchart",
    propagate_version = true
)]
pub(crate) struct Cli {
    /// When to colour output (NO_COLOR is honoured under `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Extra rule directory (rules with the same id replace the built-ins).
    #[arg(long, global = true, env = "CLAWDOC_RULES_DIR", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,

    /// Test hook: read this file as the kernel log (hidden; announced on
    /// stderr whenever used). A flag, not an environment variable, so a
    /// stray variable can never make a normal run report an OOM kill.
    #[arg(long, global = true, hide = true, value_name = "FILE")]
    pub test_kmsg: Option<PathBuf>,

    /// Test hook: statvfs numbers for the disk probe from this TOML file
    /// (hidden; announced on stderr whenever used).
    #[arg(long, global = true, hide = true, value_name = "FILE")]
    pub test_disk_fixture: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Explain a pasted error message or log excerpt (stdin when no TEXT).
    Lookup(lookup::Args),
    /// Run log files through the rules: counts, first/last line, a sample.
    Scan(scan::Args),
    /// List, show, test, lint the rules; print their patterns; scaffold one.
    #[command(subcommand)]
    Rules(rules::Command),
    /// Probe this machine, explain every problem found, and fix what the flags allow.
    Doctor(doctor::Args),
    /// Revert the fixes applied by the last `doctor --fix` run.
    Undo(doctor::UndoArgs),
    /// Walk the troubleshooting flowchart interactively (probes answer first).
    Walk(walk::Args),
    /// Draw the flowchart from the rule data.
    Flowchart(flowchart::Args),
    /// Print the JSON Schema of a `--json` document (also in docs/schemas/).
    Schema {
        /// lookup, scan, rules-list, rules-test, rules-lint, walk
        name: String,
    },
    /// Run and control the embedded gateway.
    #[command(subcommand)]
    Gateway(gateway::Command),
    /// Restart the gateway (same as `gateway restart`).
    Restart(gateway::RestartArgs),
    /// Show whether the gateway runs and answers (same as `gateway status`).
    Status(gateway::StatusArgs),
    /// Show the gateway log.
    Logs(logs::Args),
    /// Write a config: mode, port and a pinned token.
    Setup(setup::Args),
    /// Read and change the gateway config (comments are kept).
    #[command(subcommand)]
    Config(config_cmd::Command),
    /// List, approve and remove paired devices.
    #[command(subcommand)]
    Devices(devices::Command),
    /// Send a message through the gateway as this CLI's device.
    Send(client::SendArgs),
    /// Start a channel login through the gateway (e.g. `whatsapp`).
    Login(client::LoginArgs),
}

/// What every command gets: where state lives and how to render.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub home: Home,
    pub rules_dir: Option<PathBuf>,
    pub style: render::Style,
    test_kmsg: Option<PathBuf>,
    test_disk_fixture: Option<PathBuf>,
}

impl Ctx {
    /// The probes' view of this machine, with any test hook applied and
    /// announced (so a hooked run can never pass for a real one).
    pub(crate) fn probe_env(&self) -> clawdoc::probe::ProbeEnv {
        let mut env = clawdoc::probe::ProbeEnv::live(self.home.clone());
        if let Some(path) = &self.test_kmsg {
            eprintln!(
                "note: test hook: kernel log read from {} (--test-kmsg)",
                path.display()
            );
            env.kmsg_path = Some(path.clone());
        }
        if let Some(path) = &self.test_disk_fixture {
            eprintln!(
                "note: test hook: disk numbers read from {} (--test-disk-fixture)",
                path.display()
            );
            env.disk_fixture = Some(path.clone());
        }
        env
    }
}

pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Ok
            };
            let _ = e.print();
            return code.into();
        }
    };
    let ctx = Ctx {
        home: Home::from_env(),
        rules_dir: cli.rules_dir.clone(),
        style: render::Style::new(cli.color),
        test_kmsg: cli.test_kmsg.clone(),
        test_disk_fixture: cli.test_disk_fixture.clone(),
    };
    match run(cli.command, &ctx) {
        Ok(exit) => exit.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return Exit::Ok.into();
            }
            render::error(&ctx.style, &err);
            Exit::Error.into()
        }
    }
}

fn run(command: Command, ctx: &Ctx) -> anyhow::Result<Exit> {
    match command {
        Command::Lookup(args) => lookup::run(args, ctx),
        Command::Scan(args) => scan::run(args, ctx),
        Command::Rules(cmd) => rules::run(cmd, ctx),
        Command::Doctor(args) => doctor::run(args, ctx),
        Command::Undo(args) => doctor::undo(args, ctx),
        Command::Walk(args) => walk::run(args, ctx),
        Command::Flowchart(args) => flowchart::run(args, ctx),
        Command::Schema { name } => {
            let Some(schema) = clawdoc::report::schema(&name) else {
                anyhow::bail!(
                    "no schema `{name}`; one of: {}",
                    clawdoc::report::SCHEMAS.join(", ")
                );
            };
            outln!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(Exit::Ok)
        }
        Command::Gateway(cmd) => gateway::run(cmd, ctx),
        Command::Restart(args) => gateway::restart(args, ctx),
        Command::Status(args) => gateway::status(args, ctx),
        Command::Logs(args) => logs::run(args, ctx),
        Command::Setup(args) => setup::run(args, ctx),
        Command::Config(cmd) => config_cmd::run(cmd, ctx),
        Command::Devices(cmd) => devices::run(cmd, ctx),
        Command::Send(args) => client::send(args, ctx),
        Command::Login(args) => client::login(args, ctx),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
