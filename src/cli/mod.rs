//! The command line: the only place that knows clap, the terminal, colour,
//! prompts and spinners. Each command lives in its own file with its own
//! `Args` and a `run` that returns an [`Exit`]; the library does the work.
//!
//! Exit contract, the same for every command (the table is in `--help` and
//! the README): 0 healthy / nothing found / done, 1 a problem found (doctor
//! findings, an error `lookup` or `scan` recognised, failing rule tests, a
//! gateway that is not running), 2 usage or runtime error. A broken pipe
//! exits 0.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use clawdoc::home::Home;
use clawdoc::probe::ProbeEnv;
use clawdoc::target::{Target, TargetKind};

#[macro_use]
pub(crate) mod out;

pub(crate) mod client;
pub(crate) mod config_cmd;
pub(crate) mod devices;
pub(crate) mod doctor;
pub(crate) mod flowchart;
pub(crate) mod gateway;
pub(crate) mod help;
pub(crate) mod logs;
pub(crate) mod lookup;
pub(crate) mod render;
pub(crate) mod rules;
pub(crate) mod rules_eval;
pub(crate) mod scan;
pub(crate) mod setup;
pub(crate) mod tr;
pub(crate) mod walk;

/// Loads built-ins plus the user directories for this invocation; broken
/// rule files are reported on stderr and skipped, never fatal.
pub(crate) fn load_rules(ctx: &Ctx) -> clawdoc::ruleset::RuleSet {
    let set = load_rules_quietly(ctx, &|_| true);
    warn_skipped(&set.errors);
    set
}

/// [`load_rules`] with only the built-in rules `keep` accepts, and without
/// warning about the rule files it skipped (`set.errors`).
pub(crate) fn load_rules_quietly(
    ctx: &Ctx,
    keep: &dyn Fn(&str) -> bool,
) -> clawdoc::ruleset::RuleSet {
    let dirs = clawdoc::ruleset::user_dirs(ctx.rules_dir.as_deref());
    clawdoc::ruleset::load_from_only(&dirs, keep).localized(ctx.lang)
}

/// Reports rules a scanner had to leave out (their patterns do not
/// compile together with the others), like skipped rule files.
pub(crate) fn warn_dropped(scanner: &clawdoc::engine::Scanner) {
    warn_skipped(scanner.dropped());
}

pub(crate) fn warn_skipped(errors: &[clawdoc::ruleset::RuleError]) {
    let label = tr::t("warning-rule-skipped");
    for e in errors {
        eprintln!(
            "{} {e}",
            owo_colors::OwoColorize::if_supports_color(&label, owo_colors::Stream::Stderr, |t| {
                owo_colors::OwoColorize::yellow(t).to_string()
            })
        );
    }
}

/// The process exit status, as a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Healthy, nothing found, or the command did what it was asked.
    Ok = 0,
    /// A problem found: a finding, a recognised error, a failing rule test.
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

/// `--version`: the crate version and the git revision it was built from
/// (`build.rs`; "unknown" outside a git checkout).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CLAWDOC_GIT_REV"),
    ")"
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TargetChoice {
    Auto,
    Embedded,
    #[value(name = "openclaw")]
    OpenClaw,
}

#[derive(Debug, Parser)]
#[command(
    name = "clawdoc",
    version = VERSION,
    about = "Diagnose and fix an OpenClaw-style AI gateway: paste an error, run the doctor, or walk the flowchart",
    propagate_version = true
)]
pub(crate) struct Cli {
    /// When to colour output (NO_COLOR is honoured under `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Output language: en, zh-TW or zh-CN (else CLAWDOC_LANG, else the
    /// locale: LC_ALL, LC_MESSAGES, LANG; else English).
    #[arg(long, global = true, value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<clawdoc::i18n::Lang>,

    /// Extra rule directory (rules with the same id replace the built-ins).
    #[arg(long, global = true, env = "CLAWDOC_RULES_DIR", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,

    /// Which gateway to diagnose and fix: clawdoc's embedded gateway, a real
    /// OpenClaw install, or `auto` (OpenClaw when OPENCLAW_CONFIG_PATH or
    /// OPENCLAW_STATE_DIR is set, ~/.openclaw/openclaw.json exists, or an
    /// openclaw-gateway process runs; else embedded).
    #[arg(long, global = true, env = "CLAWDOC_TARGET", value_enum, default_value_t = TargetChoice::Auto)]
    pub target: TargetChoice,

    /// OpenClaw profile, as `openclaw --profile NAME`: state dir
    /// ~/.openclaw-NAME (unless OPENCLAW_STATE_DIR is set), its own default
    /// port and log file; implies the OpenClaw target.
    #[arg(long, global = true, value_name = "NAME", value_parser = parse_profile)]
    pub profile: Option<String>,

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
    /// List, show, test, lint and score the rules; print their patterns; scaffold one.
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
        /// lookup, lookup-probe, scan, rules-list, rules-show, rules-test,
        /// rules-lint, rules-eval, walk, doctor, status, target-status, undo, flowchart,
        /// devices, config-validate
        name: String,
    },
    /// Run and control the embedded gateway.
    #[command(subcommand)]
    Gateway(gateway::Command),
    /// Restart the gateway (same as `gateway restart`).
    Restart(gateway::RestartArgs),
    /// Show whether the gateway runs and answers (the embedded one: same as
    /// `gateway status`; OpenClaw: its lock, port and /readyz).
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    Man,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// What every command gets: where state lives and how to render.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub home: Home,
    /// The output language (texts only: JSON keys and rule ids never change).
    pub lang: clawdoc::i18n::Lang,
    pub rules_dir: Option<PathBuf>,
    pub style: render::Style,
    pub target: TargetChoice,
    pub profile: Option<String>,
    test_kmsg: Option<PathBuf>,
    test_disk_fixture: Option<PathBuf>,
}

impl Ctx {
    /// The gateway to probe and fix (auto detection runs here, only for
    /// the commands that probe).
    pub(crate) fn target(&self) -> Target {
        Target::choose_with_profile(
            match self.target {
                TargetChoice::Auto => None,
                TargetChoice::Embedded => Some(TargetKind::Embedded),
                TargetChoice::OpenClaw => Some(TargetKind::OpenClaw),
            },
            self.profile.as_deref(),
        )
    }
    /// The target whose words a command that does not probe uses
    /// (`lookup`): as [`Ctx::target`], but `auto` does not scan processes.
    pub(crate) fn text_target(&self) -> Target {
        Target::choose_for_text(
            match self.target {
                TargetChoice::Auto => None,
                TargetChoice::Embedded => Some(TargetKind::Embedded),
                TargetChoice::OpenClaw => Some(TargetKind::OpenClaw),
            },
            self.profile.as_deref(),
        )
    }
    /// The probes' view of this machine, looking at the chosen target, with
    /// any test hook applied and announced (so a hooked run can never pass
    /// for a real one).
    pub(crate) fn probe_env(&self) -> ProbeEnv {
        let mut env = ProbeEnv::live(self.home.clone()).with_target(self.target());
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

/// The first line of a probing or fixing command: which gateway it looked at.
pub(crate) fn target_line(env: &ProbeEnv) -> String {
    tr::msg("target-line", &target_args(&env.target_info()))
}

/// The arguments of `target-desc` (the catalogue's one description of a
/// target, used by `target-line` and `doctor-header`).
pub(crate) fn target_args(
    info: &clawdoc::target::TargetInfo,
) -> [(&'static str, fluent_bundle::FluentValue<'static>); 4] {
    [
        ("name", tr::s(info.name)),
        ("chosen", tr::s(tr::render(&info.chosen_said))),
        ("config", tr::s(&info.config)),
        ("port", tr::s(info.port)),
    ]
}

pub(crate) fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The catalogue is needed before clap parses (help and usage errors).
    tr::init(help::early_lang(&argv));
    // The exit-code table is only shown by --help: read from the catalogue
    // only then (or for any command in another language, which needs it).
    let wants_help = argv
        .iter()
        .any(|a| a == "-h" || a == "--help" || a == "help");
    let cmd = if wants_help || !tr::is_english() {
        command()
    } else {
        Cli::command()
    };
    let parsed = help::localize(cmd)
        .try_get_matches_from(&argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Ok
            };
            help::print_error(&e);
            return code.into();
        }
    };
    let lang = match clawdoc::i18n::Lang::choose(cli.lang, |k| std::env::var(k).ok()) {
        Ok(lang) => lang,
        Err(clawdoc::i18n::UnknownLang(bad)) => {
            // The language is unknown: say so in the locale's, if any.
            tr::init(
                clawdoc::i18n::Lang::choose(None, |k| {
                    (k != "CLAWDOC_LANG")
                        .then(|| std::env::var(k).ok())
                        .flatten()
                })
                .unwrap_or_default(),
            );
            render::error(
                &render::Style::new(cli.color),
                &anyhow::anyhow!(tr::msg(
                    "lang-bad-env",
                    &[("value", tr::s(format!("{bad:?}")))]
                )),
            );
            return Exit::Error.into();
        }
    };
    tr::init(lang);
    let ctx = Ctx {
        home: Home::from_env(),
        lang,
        rules_dir: cli.rules_dir.clone(),
        style: render::Style::new(cli.color),
        target: cli.target,
        profile: cli.profile.clone(),
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
                anyhow::bail!(tr::msg(
                    "err-no-schema",
                    &[
                        ("name", tr::s(&name)),
                        ("names", tr::s(clawdoc::report::SCHEMAS.join(", ")))
                    ]
                ));
            };
            outln!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(Exit::Ok)
        }
        Command::Gateway(cmd) => gateway::run(cmd, ctx),
        Command::Restart(args) => gateway::restart(args, ctx),
        Command::Status(args) => gateway::target_status(args, ctx),
        Command::Logs(args) => logs::run(args, ctx),
        Command::Setup(args) => setup::run(args, ctx),
        Command::Config(cmd) => config_cmd::run(cmd, ctx),
        Command::Devices(cmd) => devices::run(cmd, ctx),
        Command::Send(args) => client::send(args, ctx),
        Command::Login(args) => client::login(args, ctx),
        Command::Completions(args) => completions(args.shell),
        Command::Man => man(),
    }
}

/// The command line as clap sees it, with the exit-code table (the
/// catalogue's `help-exit-codes`, copied into the README: a test keeps the
/// two equal) after `--help`.
fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().after_long_help(tr::t("help-exit-codes"))
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    // Into a buffer first: clap_complete panics on a write error, and a
    // closed pipe (`| head`) must exit 0 like every other command.
    let mut script = Vec::new();
    // Descriptions in the reader's language, as `--help` gives them.
    clap_complete::generate(
        shell,
        &mut help::localize(command()),
        "clawdoc",
        &mut script,
    );
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, &script)?;
    std::io::Write::flush(&mut out)?;
    Ok(Exit::Ok)
}

fn man() -> anyhow::Result<Exit> {
    let mut page = Vec::new();
    clap_mangen::Man::new(help::localize(command())).render(&mut page)?;
    let page = help::man_headings(&String::from_utf8_lossy(&page));
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, page.as_bytes())?;
    std::io::Write::flush(&mut out)?;
    Ok(Exit::Ok)
}

/// An OpenClaw profile name as its CLI accepts it: `[a-z0-9][a-z0-9_-]{0,63}`
/// (any case).
fn parse_profile(s: &str) -> Result<String, String> {
    let ok = s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a profile name (letters, digits, \"_\", \"-\"; up to 64; starting with a letter or digit)"
        ))
    }
}

fn parse_lang(s: &str) -> Result<clawdoc::i18n::Lang, String> {
    clawdoc::i18n::Lang::parse(s).ok_or_else(|| format!("`{s}` is not one of en, zh-TW, zh-CN"))
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
