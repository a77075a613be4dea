//! The command line: the top-level parser and one file per subcommand, each
//! holding its clap arguments beside its `exec`.
//!
//! Man pages and shell completions are generated from these definitions, so
//! the doc comments here are the user-facing documentation.

pub mod adopt;
pub mod build;
pub mod complete;
pub mod config;
pub mod ctl;
pub mod destroy;
pub mod diff;
pub mod doctor;
pub mod enter;
pub mod history;
pub mod init;
pub mod install_docs;
pub mod logs;
pub mod new;
pub mod plan;
pub mod rebuild;
pub mod rollback;
pub mod status;
pub mod verify;

use anyhow::Result;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub fn dispatch(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(args) => init::exec(args, g),
        Command::New(args) => new::exec(args, g),
        Command::Verify(args) => verify::exec(args, g),
        Command::Plan(args) => plan::exec(args, g),
        Command::Build(args) => build::exec(args, g),
        Command::Adopt(args) => adopt::exec(args, g),
        Command::Rebuild(args) => rebuild::exec(args, g),
        Command::Destroy(args) => destroy::exec(args, g),
        Command::Enter(args) => enter::exec(args, g),
        Command::Start(args) => ctl::start(args, g),
        Command::Stop(args) => ctl::stop(args, g),
        Command::Restart(args) => ctl::restart(args, g),
        Command::Exec(args) => ctl::exec(args, g),
        Command::Config(args) => config::exec(args, g),
        Command::Complete(args) => complete::exec(args, g),
        Command::Status(args) => status::exec(args, g),
        Command::Diff(args) => diff::exec(args, g),
        Command::Logs(args) => logs::exec(args, g),
        Command::Doctor(args) => doctor::exec(args, g),
        Command::InstallDocs(args) => install_docs::exec(args, g),
        Command::History(args) => history::exec(args, g),
        Command::Rollback(args) => rollback::exec(args, g),
    }
}

/// Build and rebuild Proxmox VE LXC containers from a git-tracked folder tree.
///
/// Each sub-folder of the tree that holds a `configSettings` file describes one
/// container. git-lxc refuses to build from a dirty tree, never leaks a `.env`
/// secret, never destroys a container it did not build, and records in each
/// container the exact commit it was built from.
#[derive(Debug, Parser)]
#[command(
    name = "git-lxc",
    version = env!("GIT_LXC_VERSION"),
    propagate_version = true,
    max_term_width = 100
)]
#[command(after_help = "Exit status: 0 ok, 1 failed, 2 usage error, 3 refused by a safety guard.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Run as if git-lxc was started in PATH instead of the current folder.
    #[arg(short = 'C', value_name = "PATH", global = true)]
    pub chdir: Option<PathBuf>,

    /// The folder holding the container folders (overrides `git config lxc.root`).
    #[arg(long, value_name = "PATH", global = true)]
    pub root: Option<PathBuf>,

    /// When to use colours; `NO_COLOR` in the environment means never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print only errors and machine output.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print every host command as it runs.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    New(new::NewArgs),
    Verify(verify::VerifyArgs),
    Plan(plan::PlanArgs),
    Build(build::BuildArgs),
    Adopt(adopt::AdoptArgs),
    Rebuild(rebuild::RebuildArgs),
    Destroy(destroy::DestroyArgs),
    Enter(enter::EnterArgs),
    Start(ctl::StartArgs),
    Stop(ctl::StopArgs),
    Restart(ctl::RestartArgs),
    Exec(ctl::ExecArgs),
    Status(status::StatusArgs),
    Diff(diff::DiffArgs),
    Logs(logs::LogsArgs),
    History(history::HistoryArgs),
    Rollback(rollback::RollbackArgs),
    Config(config::ConfigArgs),
    Doctor(doctor::DoctorArgs),
    InstallDocs(install_docs::InstallDocsArgs),
    #[command(name = "__complete", hide = true)]
    Complete(complete::CompleteArgs),
}
