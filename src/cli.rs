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
#[command(
    name = "git-lxc",
    version,
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
    Plan(PlanArgs),
    Build(BuildArgs),
    Rebuild(RebuildArgs),
    Destroy(DestroyArgs),
    Enter(EnterArgs),
    Status(StatusArgs),
    Diff(DiffArgs),
    Logs(LogsArgs),
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

/// Options shared by the commands that build.
#[derive(Debug, Clone, Args)]
pub struct BuildOpts {
    /// Build from uncommitted changes; the record then says `dirty`.
    #[arg(long)]
    pub allow_dirty: bool,

    /// Replace a container with the chosen CTID even though git-lxc did not
    /// build it (or built it from another folder).
    #[arg(long)]
    pub force: bool,

    /// Override a setting for this build (repeatable), e.g. `--set RAM=512`.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub sets: Vec<(String, String)>,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not KEY=VALUE"))?;
    if k.is_empty() {
        return Err(format!("'{s}' has no KEY"));
    }
    Ok((k.to_string(), v.to_string()))
}

/// Print every step a build of NAME would run, without changing the host.
///
/// Shows the host commands in order (secrets masked), where each hook runs,
/// and the parts of the provisioning script. Only read-only host calls are
/// made (`pct list`, `pveam list`, `pvesh get /cluster/nextid`).
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The container folder.
    pub name: String,

    #[command(flatten)]
    pub opts: BuildOpts,
}

/// Create a container that does not exist yet from its folder.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The container folder.
    pub name: String,

    #[command(flatten)]
    pub opts: BuildOpts,
}

/// Destroy and re-create containers from their folders (build them if absent).
///
/// `data/` and every other bind-mounted host folder are kept. Asks for
/// confirmation on a terminal; needs `--yes` otherwise.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// The container folders.
    #[arg(required_unless_present_any = ["changed", "all"])]
    pub names: Vec<String>,

    /// Rebuild every built container whose folder changed since its recorded commit.
    #[arg(long, conflicts_with_all = ["names", "all"])]
    pub changed: bool,

    /// Rebuild (or build) every container of the tree.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,

    /// Go on with the next container after a failure.
    #[arg(long)]
    pub keep_going: bool,

    /// Print the plan instead of running it.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,

    #[command(flatten)]
    pub opts: BuildOpts,
}

/// Stop and destroy a container built from NAME; `data/` is never touched.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The container folder.
    pub name: String,

    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,

    /// Destroy even if the container's record names another folder or none.
    #[arg(long)]
    pub force: bool,
}

/// Open a shell in the container built from NAME (`pct enter`).
#[derive(Debug, Args)]
pub struct EnterArgs {
    /// The container folder.
    pub name: String,
}

/// Show each container: CTID, state, the commit it was built from, whether its
/// folder changed since, and its IP.
///
/// One row per container folder, plus a row for every container on the host
/// whose record names a folder that no longer exists (`orphan`). Needs no
/// `.env`. Makes at most three host calls whatever the number of containers.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Containers to show (default: all).
    pub names: Vec<String>,

    /// Print a JSON array on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Show what changed in a container's folder (and the root `defaults` and
/// `lib/`) since the commit it was built from, through git's pager.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The container folder.
    pub name: String,

    /// Options passed to `git diff` (after `--`), e.g. `-- --stat`.
    #[arg(last = true, allow_hyphen_values = true)]
    pub git_args: Vec<String>,
}

/// Print a container's saved build log (the latest, or the Nth newest).
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The container folder.
    pub name: String,

    /// Which log: 1 is the latest, 2 the one before, ...
    #[arg(default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub n: u32,

    /// List the saved logs with date, commit, result and duration.
    #[arg(long)]
    pub list: bool,
}
