//! From a committed container folder to a running, provisioned container:
//! [`prepare`] checks and computes the plan without changing the host,
//! [`execute`] runs it.

mod execute;
pub mod lock;
pub mod log;
pub mod plan;
mod prepare;
pub mod provision;
pub mod record;

pub use execute::{Summary, execute};
pub use prepare::{Checked, Prepared, preflight, prepare};

use std::collections::BTreeMap;

use anyhow::Result;

use crate::build::record::Record;
use crate::host::pveconf::ConfFile;
use crate::host::{Host, Listed};
use crate::workspace::Workspace;
use crate::workspace::tree::{Container, Tree};

/// What a build reads from the work tree, relative to it: the container
/// folder, the root `defaults` and `lib/`. Changes there make a container
/// dirty or out of date.
pub fn watched_paths(ws: &Workspace, tree: &Tree, c: &Container) -> Vec<String> {
    vec![
        ws.rel(&c.dir),
        ws.rel(&tree.defaults_file()),
        ws.rel(&tree.root.join("lib")),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Create a container that does not exist yet.
    Build,
    /// Destroy and re-create (or create when absent).
    Rebuild,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    pub allow_dirty: bool,
    pub force: bool,
    pub dry_run: bool,
    pub sets: Vec<(String, String)>,
}

/// What the host holds: its containers and their configs (read-only calls).
#[derive(Debug, Clone, Default)]
pub struct HostFacts {
    pub listed: Vec<Listed>,
    pub confs: BTreeMap<u32, ConfFile>,
}

impl HostFacts {
    /// `pct list` and every container's config (one more call at most).
    pub fn read(host: &mut Host) -> Result<HostFacts> {
        let listed = host.list()?;
        let ids: Vec<u32> = listed.iter().map(|l| l.vmid).collect();
        let confs = host.read_configs(&ids)?;
        Ok(HostFacts { listed, confs })
    }

    pub fn listed(&self, vmid: u32) -> Option<&Listed> {
        self.listed.iter().find(|l| l.vmid == vmid)
    }

    pub fn record(&self, vmid: u32) -> Option<Record> {
        self.confs
            .get(&vmid)
            .and_then(|c| Record::parse(&c.description))
    }

    /// Containers whose record names `name`, lowest id first.
    pub fn built_from(&self, name: &str) -> Vec<u32> {
        self.listed
            .iter()
            .filter(|l| self.record(l.vmid).is_some_and(|r| r.name == name))
            .map(|l| l.vmid)
            .collect()
    }
}
