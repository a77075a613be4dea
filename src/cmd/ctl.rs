//! `start`, `stop`, `restart` and `exec`: `pct` by container name, for the
//! containers this tree built (SPEC §4).

use anyhow::Result;
use clap::Args;

use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::host::process::{Proc, Stdin, status_text};
use crate::term;
use crate::workspace::session::Session;

/// Start the container built from NAME (`pct start`).
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  git lxc start pihole")]
pub struct StartArgs {
    /// The container folder.
    pub name: String,
}

/// Shut the container built from NAME down cleanly (`pct shutdown`), or
/// stop it at once with `--force` (`pct stop`).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  git lxc stop pihole\n  git lxc stop --force pihole    when it does not shut down"
)]
pub struct StopArgs {
    /// The container folder.
    pub name: String,

    /// Stop it at once (`pct stop`) instead of asking it to shut down.
    #[arg(long)]
    pub force: bool,

    /// Seconds to wait for a clean shutdown.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u32,
}

/// Reboot the container built from NAME (`pct reboot`), or start it when it
/// is stopped.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  git lxc restart pihole")]
pub struct RestartArgs {
    /// The container folder.
    pub name: String,
}

/// Run a command inside the container built from NAME (`pct exec`).
///
/// The command's output streams to this terminal, its input is this one's,
/// and git-lxc exits with the command's exit status. It runs as root with a
/// clean environment; no shell is involved unless you call one
/// (`-- sh -c '…'`).
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  git lxc exec pihole -- pihole status
  git lxc exec blog -- sh -c 'df -h /usr/local/data'
  git lxc exec db -- psql -U app < dump.sql")]
pub struct ExecArgs {
    /// The container folder.
    pub name: String,

    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// The container this tree built from `name`, and whether it runs. A host
/// container that git-lxc did not build is not driven by name.
fn ours(session: &Session, host: &Host, name: &str) -> Result<(u32, bool)> {
    let facts = HostFacts::read(host)?;
    match facts.built_from(&session.tree_id, name).first() {
        Some(&id) => Ok((id, facts.listed(id).is_some_and(|l| l.running))),
        None => Err(Failure::failed(
            format!("no container on this host was built from '{name}'"),
            format!(
                "`git lxc status` lists what exists; `git lxc build {name}` creates it, `git lxc adopt {name}` takes over one git-lxc did not build"
            ),
        )),
    }
}

/// Open the session and find the named container.
fn target(global: &GlobalArgs, name: &str) -> Result<(Host, String, u32, bool)> {
    let session = Session::open(global)?;
    let name = session.tree.find(name)?.name.clone();
    let host = session.host();
    let (id, running) = ours(&session, &host, &name)?;
    Ok((host, name, id, running))
}

/// Run one pct command, then say what it did.
fn pct(host: &Host, args: &[&str], done: String) -> Result<()> {
    host.runner.checked(&Proc::pct(args))?;
    term::info(format!("{} {done}", term::green("✔")));
    Ok(())
}

pub fn start(args: &StartArgs, global: &GlobalArgs) -> Result<()> {
    let (host, name, id, running) = target(global, &args.name)?;
    if running {
        term::info(format!("CT {id} ({name}) is already running"));
        return Ok(());
    }
    pct(
        &host,
        &["start", &id.to_string()],
        format!("started CT {id} ({name})"),
    )
}

pub fn stop(args: &StopArgs, global: &GlobalArgs) -> Result<()> {
    let (host, name, id, running) = target(global, &args.name)?;
    if !running {
        term::info(format!("CT {id} ({name}) is already stopped"));
        return Ok(());
    }
    let sid = id.to_string();
    if args.force {
        return pct(&host, &["stop", &sid], format!("stopped CT {id} ({name})"));
    }
    let timeout = args.timeout.to_string();
    let shutdown = Proc::pct(&["shutdown", &sid, "--timeout", &timeout]);
    let out = host.runner.output(&shutdown)?;
    if !out.status.success() {
        return Err(Failure::failed(
            format!(
                "CT {id} ({name}) did not shut down within {timeout} s: {}",
                out.stderr.trim()
            ),
            format!("`git lxc stop --force {name}` stops it at once"),
        ));
    }
    term::info(format!("{} shut down CT {id} ({name})", term::green("✔")));
    Ok(())
}

pub fn restart(args: &RestartArgs, global: &GlobalArgs) -> Result<()> {
    let (host, name, id, running) = target(global, &args.name)?;
    let sid = id.to_string();
    if running {
        pct(
            &host,
            &["reboot", &sid],
            format!("restarted CT {id} ({name})"),
        )
    } else {
        pct(
            &host,
            &["start", &sid],
            format!("CT {id} ({name}) was stopped; started it"),
        )
    }
}

pub fn exec(args: &ExecArgs, global: &GlobalArgs) -> Result<()> {
    let (host, name, id, running) = target(global, &args.name)?;
    if !running {
        return Err(Failure::failed(
            format!("CT {id} ({name}) is not running"),
            format!("start it with `git lxc start {name}`"),
        ));
    }
    let sid = id.to_string();
    let mut argv = vec!["exec", &sid, "--keep-env", "0", "--"];
    argv.extend(args.command.iter().map(String::as_str));
    let status = host
        .runner
        .interactive(&Proc::pct(&argv).stdin(Stdin::Inherit))?;
    match status.code() {
        Some(0) => Ok(()),
        // The command's own status, as ssh and `docker exec` hand it on.
        Some(code) => Err(Failure {
            code: u8::try_from(code).unwrap_or(1),
            message: String::new(),
            hint: None,
        }
        .into()),
        None => Err(Failure::failed(
            format!(
                "`{}` ended with {}",
                args.command.join(" "),
                status_text(status)
            ),
            "",
        )),
    }
}
