//! What every command that works on the tree starts from.

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::eval::{self, Evaluated};
use crate::host::Host;
use crate::repo::Workspace;
use crate::tree::{Container, Tree};
use crate::ui;

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
        Host::new(self.ws.config_bool("lxc.sudo"), ui::masker())
    }

    /// Evaluate containers' settings files in one bash process.
    pub fn evaluate(&self, containers: &[&Container]) -> Result<Vec<Evaluated>> {
        eval::evaluate(&self.tree, containers)
    }
}
