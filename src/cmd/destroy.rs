use anyhow::Result;
use clap::Args;

use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::host::process::Proc;
use crate::term;
use crate::term::prompt;
use crate::workspace::session::Session;

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

pub fn exec(args: &DestroyArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let host = session.host();
    let facts = HostFacts::read(&host)?;
    let id = resolve_ctid(&session, &container.name, &facts, args.force)?;
    let conf = facts.confs.get(&id).cloned().unwrap_or_default();
    for (source, target) in conf.storage_mounts() {
        term::warn(format!(
            "CT {id} has a storage-backed mount point {target} ({source}); its contents are lost with the container"
        ));
    }
    let running = facts.listed(id).is_some_and(|l| l.running);
    prompt::confirm(
        &format!(
            "Destroy CT {id} ({})? {} is kept",
            container.name,
            container.data_dir().display()
        ),
        args.yes,
    )?;
    let _lock = crate::build::lock::BuildLock::acquire(id, &container.name, &session.ws.workdir)?;
    let protected = conf.options.get("protection").is_some_and(|v| v == "1");
    destroy(&host, id, running, protected)?;
    term::info(format!(
        "{} destroyed CT {id} ({}); data/ is untouched",
        term::green("✔"),
        container.name
    ));
    Ok(())
}

/// Shut down (stop if needed), lift git-lxc's protection, and destroy.
pub fn destroy(host: &Host, id: u32, running: bool, protected: bool) -> Result<()> {
    let sid = id.to_string();
    let runner = &host.runner;
    if running {
        let out = runner.output(&Proc::pct(&["shutdown", &sid, "--timeout", "60"]))?;
        if !out.status.success() {
            term::warn(format!("clean shutdown of CT {id} failed; stopping it"));
            runner.checked(&Proc::pct(&["stop", &sid]))?;
        }
    }
    if protected {
        runner.checked(&Proc::pct(&["set", &sid, "--protection", "0"]))?;
    }
    runner.checked(&Proc::pct(&["destroy", &sid, "--purge", "1"]))?;
    Ok(())
}

/// The container built from `name`: found by its record, else by OPT_CTID
/// (which then must be ours unless `force`).
pub fn resolve_ctid(session: &Session, name: &str, facts: &HostFacts, force: bool) -> Result<u32> {
    if let Some(&id) = facts.built_from(&session.tree_id, name).first() {
        return Ok(id);
    }
    let container = session.tree.find(name)?.clone();
    let ev = session.evaluate(&[&container])?.remove(0);
    let (settings, _) = crate::settings::resolve(&session.tree.root, &container.dir, &ev, &[]);
    let Some(id) = settings.ctid.filter(|id| facts.listed(*id).is_some()) else {
        return Err(Failure::failed(
            format!("no container on this host was built from '{name}'"),
            format!("`git lxc status` lists what exists; `git lxc build {name}` creates it"),
        ));
    };
    if !force {
        let owner = crate::build::record::owner(facts.record(id).as_ref(), &session.tree_id);
        return Err(Failure::refused(
            format!("CT {id} (OPT_CTID of '{name}') was not built from '{name}': {owner}"),
            "pass --force if it really is to be destroyed",
        ));
    }
    Ok(id)
}
