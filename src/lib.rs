//! git-lxc: build and rebuild Proxmox VE LXC containers from a git-tracked
//! folder tree.
//!
//! `main.rs` only calls [`main_entry`]; each subcommand lives in `cmd/`, and
//! the logic they share (tree, settings, checks, plan, record, host) is plain
//! data in and out.

pub mod buildlog;
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod eval;
pub mod gitstate;
pub mod host;
pub mod lock;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod provision;
pub mod pveconf;
pub mod record;
pub mod repo;
pub mod rules;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod tree;
pub mod ui;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

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
    ui::init(cli.global.color, cli.global.quiet, cli.global.verbose);
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
        ui::error(text);
    }
    for cause in chain {
        ui::error(format!("  caused by: {cause}"));
    }
    if let Some(hint) = hint {
        ui::hint(hint);
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
