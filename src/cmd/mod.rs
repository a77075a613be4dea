//! One file per subcommand; each exposes `exec`.

pub mod init;
pub mod new;
pub mod verify;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn dispatch(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(args) => init::exec(args, g),
        Command::New(args) => new::exec(args, g),
        Command::Verify(args) => verify::exec(args, g),
    }
}
