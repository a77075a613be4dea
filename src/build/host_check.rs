//! Preflight (SPEC §5 step 3): what would make the build fail, found
//! before anything changes (before the old container is shut down, backed
//! up or destroyed), through read-only host calls. Each finding names the
//! setting and where it was set.

use std::path::Path;

use anyhow::Result;

use crate::error::Failure;
use crate::host::Host;
use crate::host::storage::{
    Access, Bridges, HostProblem, Storages, Use, bridge_problem, container_root_blocker,
    storage_problem,
};
use crate::settings::{Settings, is_hostname};
use crate::term;
use crate::workspace::Workspace;

/// Where setting `name` was set, for messages: `web/configSettings:3`,
/// `--set` or `default`.
pub fn place(ws: &Workspace, s: &Settings, name: &str) -> String {
    match s.origin(name) {
        Some(o) => match o.line {
            Some(l) => format!("{}:{l}", ws.rel(&o.file)),
            None => ws.rel(&o.file),
        },
        None => "default".to_string(),
    }
}

/// What a build needs of the host and the tree.
pub struct Needs<'a> {
    pub name: &'a str,
    pub settings: &'a Settings,
    /// A container is replaced (so BACKUPSTORE is used when BACKUP=1).
    pub replaces: bool,
    /// Bind-mount sources and what the container does with them.
    pub mounts: Vec<(&'a Path, Access)>,
}

/// Every problem, or none: refuse before the first change. Without a host
/// (a plan made without one) only what the tree alone tells is checked.
pub fn check(ws: &Workspace, host: Option<&Host>, needs: &Needs) -> Result<()> {
    let s = needs.settings;
    let mut problems: Vec<(String, HostProblem)> = Vec::new();
    if !s.host_set && !is_hostname(&s.hostname) {
        problems.push((
            format!("{}/ (the folder name)", needs.name),
            HostProblem {
                message: format!(
                    "the hostname '{}' taken from the folder name is not a valid DNS name",
                    s.hostname
                ),
                fix: format!(
                    "set OPT_HOST in {}/configSettings (letters, digits and '-')",
                    needs.name
                ),
            },
        ));
    }
    if let Some(host) = host {
        problems.extend(host_problems(ws, host, needs)?);
    }
    if problems.is_empty() {
        return Ok(());
    }
    for (at, p) in &problems {
        term::error(format!("{at}: {}", p.message));
        term::hint(&p.fix);
    }
    Err(Failure::failed(
        format!(
            "'{}' cannot be built on this host ({} problem{}); nothing was changed",
            needs.name,
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
        "fix the problems above; `git lxc doctor` checks the host and the whole tree",
    ))
}

/// The storages, the bridge and the mount sources, against the host.
fn host_problems(ws: &Workspace, host: &Host, needs: &Needs) -> Result<Vec<(String, HostProblem)>> {
    let s = needs.settings;
    let mut problems = Vec::new();
    let (storages, bridges) = std::thread::scope(|scope| {
        let bridges = scope.spawn(|| Bridges::read(host));
        let storages = Storages::read(host);
        (storages, bridges.join().expect("the network read panicked"))
    });
    let (storages, bridges) = (storages?, bridges?);
    let disk: f64 = s.disk.parse().unwrap_or(0.0);
    let mut uses = vec![
        (Use::Disk, &s.diskstore, disk),
        (Use::Template, &s.templatestore, 0.0),
    ];
    if s.backup && needs.replaces {
        uses.push((Use::Backup, &s.backupstore, disk));
    }
    for (usage, store, need) in uses {
        if let Some(p) = storage_problem(&storages, store, usage, need) {
            problems.push((place(ws, s, usage.setting()), p));
        }
    }
    if let Some(p) = bridge_problem(&bridges, &s.bridge) {
        problems.push((place(ws, s, "BRIDGE"), p));
    }
    if s.unprivileged {
        for (path, access) in &needs.mounts {
            match container_root_blocker(path, *access) {
                Ok(Some(blocked)) => problems.push((path.display().to_string(), blocked.problem())),
                Ok(None) => {}
                Err(e) => problems.push((
                    path.display().to_string(),
                    HostProblem {
                        message: format!("cannot check {}: {e}", path.display()),
                        fix: "make sure the mount source exists".to_string(),
                    },
                )),
            }
        }
    }
    Ok(problems)
}
