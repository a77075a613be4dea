use anyhow::Result;
use clap::Args;

use crate::build::HostFacts;
use crate::cmd::GlobalArgs;
use crate::cmd::destroy::resolve_ctid;
use crate::error::Failure;
use crate::host::{HostCmd, status_text};
use crate::workspace::session::Session;

/// Open a shell in the container built from NAME (`pct enter`).
#[derive(Debug, Args)]
pub struct EnterArgs {
    /// The container folder.
    pub name: String,
}

pub fn exec(args: &EnterArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let mut host = session.host();
    let facts = HostFacts::read(&mut host)?;
    let id = resolve_ctid(&session, &container.name, &facts, true)?;
    if !facts.listed(id).is_some_and(|l| l.running) {
        return Err(Failure::failed(
            format!("CT {id} ({}) is not running", container.name),
            format!("start it with `pct start {id}`"),
        ));
    }
    let status = host.interactive(&HostCmd::pct(&["enter", &id.to_string()]))?;
    if !status.success() {
        return Err(Failure::failed(
            format!("`pct enter {id}` ended with {}", status_text(status)),
            "",
        ));
    }
    Ok(())
}
