//! The command-line interface: every subcommand, argument and option.
//!
//! Man pages and shell completions are generated from these definitions, so
//! the doc comments here are the user-facing documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Build and rebuild Proxmox VE LXC containers from a git-tracked folder tree.
///
/// Each sub-folder of the tree that holds a `configSettings` file describes one
/// container. git-lxc refuses to build from a dirty tree, never leaks a `.env`
/// secret, never destroys a container it did not build, and records in each
/// container the exact commit it was built from.
#[derive(Debug, Parser)]
#[command(name = "git-lxc", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit status: 0 ok, 1 failed, 2 usage error, 3 refused by a safety guard.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
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
    Init(InitArgs),
    New(NewArgs),
    Verify(VerifyArgs),
}

/// Make the current repository ready: root folder, `.gitignore` entries for
/// `.env` and `data/`, and a root `defaults` file with commented settings.
///
/// Safe to run again: existing files are never overwritten, missing lines are
/// added.
#[derive(Debug, Args)]
pub struct InitArgs {}

/// Scaffold a new container folder that passes `git lxc verify` as created.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Name of the container folder (also the default hostname).
    pub name: String,

    /// Operating system template family.
    #[arg(long, value_enum, default_value_t = Os::Alpine)]
    pub os: Os,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Os {
    Alpine,
    Debian,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Alpine => "alpine",
            Os::Debian => "debian",
        }
    }
}

/// Check the tree offline: settings, secrets hygiene, duplicates, bash syntax.
///
/// Needs no Proxmox host and no `.env` file, so it runs in CI and as a
/// pre-commit hook. Every finding names a rule id, the file and line, and a
/// hint. Exits 1 when there are errors (or warnings, with `--strict`).
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Containers to check (default: all); tree-wide rules always run.
    pub names: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// Readable report on stderr.
    Human,
    /// JSON array of findings on stdout.
    Json,
    /// GitHub Actions annotations on stdout.
    Github,
}
