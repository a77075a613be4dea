use anyhow::Result;
use clap::Args;

use crate::build::{self, HostFacts, Mode};
use crate::cmd::GlobalArgs;
use crate::cmd::run;
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

/// Create a container that does not exist yet from its folder.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The container folder.
    pub name: String,

    #[command(flatten)]
    pub opts: BuildOpts,
}

pub fn exec(args: &BuildArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let opts = run::options(Mode::Build, &args.opts, false);
    let evaluated = session.evaluate(&[&container])?.remove(0);
    let checked = build::preflight(&session.ws, &session.tree, &container, evaluated, &opts)?;
    let mut host = session.host();
    let facts = HostFacts::read(&mut host)?;
    let summary = run::build_one(&session, &container, checked, &opts, &mut host, &facts)?;
    run::print_summary(&summary);
    Ok(())
}
