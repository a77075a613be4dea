//! git-lxc: build and rebuild Proxmox VE LXC containers from a git-tracked
//! folder tree.
//!
//! `main.rs` only calls [`main_entry`]; each subcommand lives in `cmd/`, and
//! the logic they share (tree, settings, checks, plan, record, host) is plain
//! data in and out.

mod bash;
mod build;
mod cmd;
mod error;
mod host;
mod settings;
mod term;
mod verify;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

use crate::cmd::Cli;

/// What the man page and completion generator reads: the command line and
/// the tables it documents.
pub mod docs {
    pub use crate::error::{EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE};
    pub use crate::settings::SETTINGS;
    pub use crate::verify::rules::RULES;

    /// The clap definition of the whole command line.
    pub fn command() -> clap::Command {
        <crate::cmd::Cli as clap::CommandFactory>::command()
    }
}

/// Parse the command line, run the command, report errors, pick the exit code.
pub fn main_entry() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => error::EXIT_USAGE,
            });
        }
    };
    term::init(cli.global.color, cli.global.quiet, cli.global.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report_error(&err);
            ExitCode::from(error::classify(&err).0)
        }
    }
}

/// Print an error with its causes and hint, as the final report does.
pub fn report_error(err: &anyhow::Error) {
    let (_, hint) = error::classify(err);
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        let text = top.to_string();
        if text.is_empty() && hint.is_none() {
            return;
        }
        term::error(text);
    }
    for cause in chain {
        term::error(format!("  caused by: {cause}"));
    }
    if let Some(hint) = hint {
        term::hint(hint);
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(dir) = &cli.global.chdir {
        std::env::set_current_dir(dir).map_err(|e| {
            error::Failure::usage(
                format!("cannot change to '{}': {e}", dir.display()),
                "-C takes an existing folder, as in git",
            )
        })?;
    }
    cmd::dispatch(&cli)
}
