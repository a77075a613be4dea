//! One file per subcommand; each exposes `exec`.

pub mod build;
pub mod destroy;
pub mod diff;
pub mod enter;
pub mod init;
pub mod logs;
pub mod new;
pub mod plan;
pub mod rebuild;
pub mod run;
pub mod status;
pub mod verify;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn dispatch(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(args) => init::exec(args, g),
        Command::New(args) => new::exec(args, g),
        Command::Verify(args) => verify::exec(args, g),
        Command::Plan(args) => plan::exec(args, g),
        Command::Build(args) => build::exec(args, g),
        Command::Rebuild(args) => rebuild::exec(args, g),
        Command::Destroy(args) => destroy::exec(args, g),
        Command::Enter(args) => enter::exec(args, g),
        Command::Status(args) => status::exec(args, g),
        Command::Diff(args) => diff::exec(args, g),
        Command::Logs(args) => logs::exec(args, g),
    }
}
