//! `clawdoc gateway run|start|stop|restart|status`, and the `restart` and
//! `status` shortcuts: argument parsing and rendering around
//! `gateway::daemon` (the work) and `gateway::server` (the foreground gateway).
//!
//! Exit codes: 0 done (started, already running, stopped, nothing to stop;
//! `status`: running and ready); 1 the gateway failed (did not become ready,
//! exited during startup, will not stop, hung; `status`: anything but running
//! and ready); 2 usage, I/O or environment errors (cannot spawn, cannot read
//! /proc, cannot signal).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::tr::{msg, s, t};
use super::{Ctx, Exit};
use clawdoc::gateway::daemon::{
    self, DaemonError, GatewayStatus, RunState, StartOutcome, StartProgress, StopOutcome,
    DEFAULT_STOP_TIMEOUT,
};
use clawdoc::probe::status::State as TargetState;
use clawdoc::target::TargetKind;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Run the gateway in the foreground (Ctrl-C or SIGTERM stops it).
    Run,
    /// Start the gateway in the background and wait until /health is ready.
    Start(StartArgs),
    /// Stop the gateway (only the verified gateway pid is ever signalled).
    Stop(StopArgs),
    /// Restart the gateway.
    Restart(RestartArgs),
    /// Show the gateway state.
    Status(StatusArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct StartArgs {
    /// Seconds to wait for readiness (default: gateway.startupTimeout, 60).
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StopArgs {
    /// SIGKILL instead of SIGTERM, and remove the pid file (for a hung gateway).
    #[arg(long)]
    pub force: bool,
    /// Seconds to wait for the gateway to exit.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_STOP_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RestartArgs {
    /// Seconds to wait for the old gateway to stop.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_STOP_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// Machine-readable output (stable field names; never a token).
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<Exit> {
    match cmd {
        Command::Run => {
            if std::env::var_os(daemon::DETACHED_ENV).is_some() {
                // Spawned by `gateway start`: leave the caller's session so
                // closing its terminal does not hang us up. Not done for a
                // foreground run, where Ctrl-C must still reach us.
                let _ = nix::unistd::setsid();
            }
            let code = clawdoc::gateway::server::run(&ctx.home)?;
            Ok(match code {
                0 => Exit::Ok,
                1 => Exit::Problems,
                _ => Exit::Error,
            })
        }
        Command::Start(args) => start(args, ctx),
        Command::Stop(args) => stop(args, ctx),
        Command::Restart(args) => restart(args, ctx),
        Command::Status(args) => status(args, ctx),
    }
}

fn start(args: StartArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    let mut ui = Progress::new();
    let result = daemon::start(&ctx.home, args.timeout.map(Duration::from_secs), &mut |p| {
        ui.on(p)
    });
    ui.finish();
    match result {
        Ok(outcome) => {
            outln!("{}", describe_start(&outcome));
            Ok(Exit::Ok)
        }
        Err(e) => Ok(render_error(ctx, &e)),
    }
}

fn stop(args: StopArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    match daemon::stop(&ctx.home, args.force, Duration::from_secs(args.timeout)) {
        Ok(outcome) => {
            outln!("{}", describe_stop(&outcome));
            Ok(Exit::Ok)
        }
        Err(e) => Ok(render_error(ctx, &e)),
    }
}

pub(crate) fn restart(args: RestartArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    let mut ui = Progress::new();
    let result = daemon::restart(&ctx.home, Duration::from_secs(args.timeout), &mut |p| {
        ui.on(p)
    });
    ui.finish();
    match result {
        Ok(outcome) => {
            if outcome.stopped != StopOutcome::NotRunning {
                outln!("{}", describe_stop(&outcome.stopped));
            }
            outln!("{}", describe_start(&outcome.started));
            Ok(Exit::Ok)
        }
        Err(e) => Ok(render_error(ctx, &e)),
    }
}

pub(crate) fn status(args: StatusArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    let st = daemon::status(&ctx.home);
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&clawdoc::report::Versioned::new(&st).in_lang(ctx.lang))?
        );
    } else {
        outln!("{}", describe_status(&st));
    }
    Ok(if st.state == RunState::Running && st.ready {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

/// `clawdoc status`: the chosen target's gateway. The embedded one is
/// clawdoc's own daemon (`gateway status`); another target's is what the
/// probes see (its lock, port holder and `/readyz`).
pub(crate) fn target_status(args: StatusArgs, ctx: &Ctx) -> anyhow::Result<Exit> {
    if ctx.target().kind() == TargetKind::Embedded {
        return status(args, ctx);
    }
    let env = ctx.probe_env();
    let st = clawdoc::probe::status::status(&env);
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&clawdoc::report::Versioned::new(&st).in_lang(ctx.lang))?
        );
    } else {
        outln!("{}", super::target_line(&env));
        let pid = st
            .pid
            .map(|p| msg("tstatus-pid", &[("pid", s(p))]))
            .unwrap_or_default();
        let failing = if st.failing.is_empty() {
            String::new()
        } else {
            msg("tstatus-failing", &[("failing", s(st.failing.join(", ")))])
        };
        let ready = t(if st.ready {
            "tstatus-ready"
        } else {
            "tstatus-not-ready"
        });
        outln!(
            "{}",
            msg(
                "tstatus-line",
                &[
                    (
                        "state",
                        s(t(&format!("tstatus-state-{}", st.state.as_str())))
                    ),
                    ("pid", s(pid)),
                    ("port", s(st.port)),
                    ("ready", s(ready)),
                    ("failing", s(failing)),
                ]
            )
        );
        for check in &st.checks {
            outln!("  {}: {}", check.probe, super::tr::render(&check.message));
        }
        outln!("  {}", msg("tstatus-log", &[("path", s(&st.log_file))]));
    }
    Ok(if st.state == TargetState::Running {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

fn describe_start(outcome: &StartOutcome) -> String {
    match outcome {
        StartOutcome::AlreadyRunning { pid, port } => {
            msg("gw-already-running", &[("pid", s(pid)), ("port", s(port))])
        }
        StartOutcome::Started { pid, port, elapsed } => msg(
            "gw-started",
            &[
                ("pid", s(pid)),
                ("port", s(port)),
                ("ms", s(elapsed.as_millis())),
            ],
        ),
    }
}

fn describe_stop(outcome: &StopOutcome) -> String {
    match outcome {
        StopOutcome::NotRunning => t("gw-not-running"),
        StopOutcome::Stopped {
            pid,
            forced: false,
            elapsed,
        } => msg(
            "gw-stopped",
            &[("pid", s(pid)), ("ms", s(elapsed.as_millis()))],
        ),
        StopOutcome::Stopped {
            pid, forced: true, ..
        } => msg("gw-killed", &[("pid", s(pid))]),
        StopOutcome::StalePidFileRemoved { pid } => msg("gw-stale-removed", &[("pid", s(pid))]),
        StopOutcome::StaleStranger {
            pid,
            comm,
            cmdline,
            reason,
            pid_file_removed,
        } => {
            let shown = if cmdline.is_empty() {
                comm.clone()
            } else {
                cmdline.join(" ")
            };
            let mut text = msg(
                "gw-stale-stranger",
                &[
                    ("reason", s(reason)),
                    ("pid", s(pid)),
                    ("command", s(shown)),
                ],
            );
            if *pid_file_removed {
                text.push(' ');
                text.push_str(&t("gw-stale-stranger-removed"));
            }
            text
        }
        StopOutcome::MalformedPidFileRemoved { message } => {
            msg("gw-malformed-removed", &[("error", s(message))])
        }
    }
}

fn describe_status(st: &GatewayStatus) -> String {
    let mode = st.mode.as_deref().unwrap_or("unset");
    let at = match st.pid {
        Some(pid) => msg(
            "gw-at-pid",
            &[("pid", s(pid)), ("port", s(st.port)), ("mode", s(mode))],
        ),
        None => msg("gw-at", &[("port", s(st.port)), ("mode", s(mode))]),
    };
    let mut out = match st.state {
        RunState::Running => msg(
            "gw-status-running",
            &[
                ("at", s(&at)),
                ("ms", s(format!("{:.1}", st.health_ms.unwrap_or_default()))),
            ],
        ),
        RunState::Starting => msg(
            "gw-status-starting",
            &[
                ("at", s(&at)),
                ("status", s(st.health_status.unwrap_or_default())),
            ],
        ),
        RunState::Stopped => msg(
            "gw-status-stopped",
            &[(
                "at",
                s(msg("gw-at", &[("port", s(st.port)), ("mode", s(mode))])),
            )],
        ),
        other => msg(
            "gw-status-other",
            &[("state", s(other.as_str())), ("at", s(&at))],
        ),
    };
    if let Some(d) = &st.detail {
        out.push_str(&format!("\n  {d}"));
    }
    if let Some(e) = &st.config_error {
        out.push_str(&format!(
            "\n  {}",
            msg("gw-config-error", &[("error", s(e))])
        ));
    }
    out
}

/// Prints a daemon error with its log lines and hint; returns the exit code.
fn render_error(ctx: &Ctx, e: &DaemonError) -> Exit {
    super::render::error(&ctx.style, &anyhow::anyhow!("{e}"));
    let lines = e.last_log_lines();
    if !lines.is_empty() {
        eprintln!("{}", t("gw-last-log-lines"));
        for l in lines {
            eprintln!("  {l}");
        }
    }
    if let Some(h) = e.hint() {
        let hint = super::tr::render(&h);
        eprintln!("{}", msg("gw-hint", &[("hint", s(hint))]));
    }
    if e.is_gateway_fault() {
        Exit::Problems
    } else {
        Exit::Error
    }
}

/// A spinner on a terminal; plain notes otherwise.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(80));
            bar
        });
        Self { bar }
    }

    fn note(&self, msg: String) {
        match &self.bar {
            Some(bar) => bar.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    fn on(&mut self, p: StartProgress) {
        match p {
            StartProgress::RemovedStalePidFile { pid } => {
                self.note(msg("gw-note-stale-removed", &[("pid", s(pid))]))
            }
            StartProgress::RemovedStrangerPidFile { pid, comm, reason } => self.note(msg(
                "gw-note-stranger-removed",
                &[("reason", s(reason)), ("pid", s(pid)), ("name", s(comm))],
            )),
            StartProgress::RemovedMalformedPidFile { message } => {
                self.note(msg("gw-note-malformed-removed", &[("error", s(message))]))
            }
            StartProgress::WaitingForExisting { pid } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(msg("gw-progress-existing", &[("pid", s(pid))]));
                }
            }
            StartProgress::Spawned { pid, port } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(msg(
                        "gw-progress-spawned",
                        &[("pid", s(pid)), ("port", s(port))],
                    ));
                }
            }
            StartProgress::Waiting { elapsed, health } => {
                if let Some(bar) = &self.bar {
                    let secs = s(format!("{:.1}", elapsed.as_secs_f64()));
                    bar.set_message(match health {
                        Some(c) => msg(
                            "gw-progress-waiting-seen",
                            &[("secs", secs), ("status", s(c))],
                        ),
                        None => msg("gw-progress-waiting", &[("secs", secs)]),
                    });
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
