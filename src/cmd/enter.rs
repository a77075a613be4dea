use anyhow::Result;

use crate::cli::{EnterArgs, GlobalArgs};
use crate::cmd::destroy::resolve_ctid;
use crate::error::Failure;
use crate::host::{HostCmd, status_text};
use crate::pipeline::HostFacts;
use crate::session::Session;

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
