//! From a committed container folder to a running, provisioned container:
//! [`preflight`] checks what needs no host, [`prepare`] reads the host and
//! computes the whole plan without changing anything, [`execute`] runs it.

mod backups;
mod ctid;
mod execute;
mod guards;
mod host_check;
mod local;
pub mod lock;
pub mod log;
pub mod mounts;
pub mod notes;
pub mod offline;
pub mod plan;
mod prepare;
pub mod provision;
pub mod record;
mod recover;
pub mod release;
pub mod step;
pub mod template;

pub use backups::{Backup, our_backups};
pub use ctid::CtidArg;
pub use execute::archive_volid;
pub use execute::{Summary, execute};
pub use guards::unrecorded;
pub use local::user_host;
pub use prepare::{CtidSource, Prepared, Scope, preflight, prepare};

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
    /// A plan made without a Proxmox VE host (`pct` absent): nothing is read
    /// from one, and what it would decide is shown by a marked stand-in
    /// ([`offline`]). Such a plan is only printed.
    pub offline: bool,
    /// Move to the newest release instead of keeping the recorded one.
    pub upgrade: bool,
    pub sets: Vec<(String, String)>,
}
