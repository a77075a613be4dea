//! What every command that works on the tree starts from.

use anyhow::Result;

use crate::bash::{self, Evaluated};
use crate::cmd::GlobalArgs;
use crate::host::Host;
use crate::term;
use crate::workspace::Workspace;
use crate::workspace::tree::{Container, Tree};

pub struct Session {
    pub ws: Workspace,
    pub tree: Tree,
}

impl Session {
    pub fn open(global: &GlobalArgs) -> Result<Session> {
        let ws = Workspace::discover(global.root.as_deref())?;
        let tree = Tree::load(&ws.root)?;
        Ok(Session { ws, tree })
    }

    /// The host tools, through sudo unless root or `lxc.sudo=false`.
    pub fn host(&self) -> Host {
        Host::new(self.ws.config_bool("lxc.sudo"), term::masker())
    }

    /// Evaluate containers' settings files in one bash process.
    pub fn evaluate(&self, containers: &[&Container]) -> Result<Vec<Evaluated>> {
        bash::evaluate(&self.tree, containers)
    }
}
