use anyhow::Result;
use clap::Args;

use crate::build::log::{self, BuildLog};
use crate::build::{self, Mode, Options, Prepared, Summary};
use crate::cmd::GlobalArgs;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::term;
use crate::term::progress::secs;
use crate::workspace::session::Session;

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

    /// Move to the newest local release of the OS type; without it a
    /// rebuild keeps the release the container was built on.
    #[arg(long)]
    pub upgrade: bool,
}

pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not KEY=VALUE"))?;
    if k.is_empty() {
        return Err(format!("'{s}' has no KEY"));
    }
    Ok((k.to_string(), v.to_string()))
}

/// Create a container that does not exist yet from its folder.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The container folder.
    pub name: String,

    #[command(flatten)]
    pub opts: BuildOpts,
}

impl BuildOpts {
    /// The pipeline's options for `mode`.
    pub fn options(&self, mode: Mode, dry_run: bool) -> Options {
        Options {
            mode,
            allow_dirty: self.allow_dirty,
            force: self.force,
            dry_run,
            offline: false,
            upgrade: self.upgrade,
            sets: self.sets.clone(),
        }
    }
}

pub fn exec(args: &BuildArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let opts = args.opts.options(Mode::Build, false);
    let (host, prepared) = prepare_one(&session, &args.name, &opts)?;
    let summary = run_prepared(&session, &prepared, &host)?;
    print_summary(&summary);
    Ok(())
}

/// One container's checks and complete plan, as `build` runs it and `plan`
/// prints it: every offline check before the host is read.
pub fn prepare_one(session: &Session, name: &str, opts: &Options) -> Result<(Host, Prepared)> {
    let container = session.tree.find(name)?.clone();
    let evaluated = session.evaluate(&[&container])?.remove(0);
    let checked = build::preflight(&session.ws, &session.tree, &container, evaluated, opts)?;
    let host = session.host();
    let (facts, opts) = read_host(&host, opts)?;
    let prepared = build::prepare(&session.scope(&host, &facts, &opts), &container, checked)?;
    Ok((host, prepared))
}

/// What the host holds, read once. A plan (`dry_run`) where `pct` is not
/// found reads nothing and says so: it is made from the tree alone, with
/// the options marking it `offline`. A build then fails at its first host
/// call, as it always did.
pub fn read_host(host: &Host, opts: &Options) -> Result<(HostFacts, Options)> {
    if !opts.dry_run || host.has_pct() {
        return Ok((HostFacts::read(host)?, opts.clone()));
    }
    term::info(build::offline::NOTE);
    let offline = Options {
        offline: true,
        ..opts.clone()
    };
    Ok((HostFacts::default(), offline))
}

/// Run a prepared build with its log.
pub fn run_prepared(session: &Session, prepared: &Prepared, host: &Host) -> Result<Summary> {
    let (stamp, _) = log::timestamps();
    let mut log = BuildLog::create(
        &session.ws.git_dir(),
        &prepared.name,
        &stamp,
        &prepared.commit[..12],
        host.runner.secrets(),
    )?;
    term::info(format!(
        "{} '{}' as CT {} from {}{}",
        if prepared.replaces.is_some() {
            "Rebuilding"
        } else {
            "Building"
        },
        prepared.name,
        prepared.ctid,
        &prepared.commit[..12],
        if prepared.dirty { " (dirty)" } else { "" }
    ));
    build::execute(prepared, host, &mut log)
}

pub fn print_summary(s: &Summary) {
    term::info(format!(
        "{} {} built as CT {} from {}, IP {}, in {}",
        term::green("✔"),
        term::bold(&s.name),
        s.ctid,
        &s.commit[..12],
        s.ip.as_deref().unwrap_or("unknown"),
        secs(s.elapsed)
    ));
}
