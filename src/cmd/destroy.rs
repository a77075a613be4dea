use anyhow::Result;

use crate::cli::{DestroyArgs, GlobalArgs};
use crate::cmd::run;
use crate::error::Failure;
use crate::host::{Host, HostCmd};
use crate::pipeline::HostFacts;
use crate::session::Session;
use crate::ui;

pub fn exec(args: &DestroyArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let mut host = session.host();
    let facts = HostFacts::read(&mut host)?;
    let id = resolve_ctid(&session, &container.name, &facts, args.force)?;
    let conf = facts.confs.get(&id).cloned().unwrap_or_default();
    for (source, target) in conf.storage_mounts() {
        ui::warn(format!(
            "CT {id} has a storage-backed mount point {target} ({source}); its contents are lost with the container"
        ));
    }
    let running = facts.listed(id).is_some_and(|l| l.running);
    run::confirm(
        &format!(
            "Destroy CT {id} ({})? {} is kept",
            container.name,
            container.data_dir().display()
        ),
        args.yes,
    )?;
    let _lock = crate::lock::BuildLock::acquire(&session.ws.git_dir(), &container.name)?;
    destroy(&mut host, id, running)?;
    ui::info(format!(
        "{} destroyed CT {id} ({}); data/ is untouched",
        ui::green("✔"),
        container.name
    ));
    Ok(())
}

/// Shut down (stop if needed) and destroy.
pub fn destroy(host: &mut Host, id: u32, running: bool) -> Result<()> {
    let sid = id.to_string();
    if running {
        let out = host.run_unchecked(&HostCmd::pct(&["shutdown", &sid, "--timeout", "60"]))?;
        if !out.status.success() {
            ui::warn(format!("clean shutdown of CT {id} failed; stopping it"));
            host.run(&HostCmd::pct(&["stop", &sid]))?;
        }
    }
    host.run(&HostCmd::pct(&["destroy", &sid, "--purge", "1"]))?;
    Ok(())
}

/// The container built from `name`: found by its record, else by OPT_CTID
/// (which then must be ours unless `force`).
pub fn resolve_ctid(session: &Session, name: &str, facts: &HostFacts, force: bool) -> Result<u32> {
    if let Some(&id) = facts.built_from(name).first() {
        return Ok(id);
    }
    let container = session.tree.find(name)?;
    let ev = session.evaluate(&[container])?.remove(0);
    let (settings, _) = crate::settings::resolve(&session.tree.root, &container.dir, &ev, &[]);
    let Some(id) = settings.ctid().filter(|id| facts.listed(*id).is_some()) else {
        return Err(Failure::failed(
            format!("no container on this host was built from '{name}'"),
            format!("`git lxc status` lists what exists; `git lxc build {name}` creates it"),
        ));
    };
    if !force {
        let owner = match facts.record(id) {
            Some(r) => format!("its record names '{}'", r.name),
            None => "it has no git-lxc record".to_string(),
        };
        return Err(Failure::refused(
            format!("CT {id} (OPT_CTID of '{name}') was not built from '{name}': {owner}"),
            "pass --force if it really is to be destroyed",
        ));
    }
    Ok(id)
}
