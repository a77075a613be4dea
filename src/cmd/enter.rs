use anyhow::Result;
use clap::Args;

use crate::cmd::GlobalArgs;
use crate::cmd::destroy::resolve_ctid;
use crate::error::Failure;
use crate::host::facts::HostFacts;
use crate::host::process::{Proc, Stdin, status_text};
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
    let host = session.host();
    let facts = HostFacts::read(&host)?;
    let id = resolve_ctid(&session, &container.name, &facts, true)?;
    if !facts.listed(id).is_some_and(|l| l.running) {
        return Err(Failure::failed(
            format!("CT {id} ({}) is not running", container.name),
            format!("start it with `pct start {id}`"),
        ));
    }
    let enter = Proc::pct(&["enter", &id.to_string()]).stdin(Stdin::Inherit);
    let status = host.runner.interactive(&enter)?;
    if !status.success() {
        return Err(Failure::failed(
            format!("`pct enter {id}` ended with {}", status_text(status)),
            "",
        ));
    }
    Ok(())
}
