//! One step of a plan: what it is and the commands it runs.

use std::path::PathBuf;
use std::time::Duration;

use crate::host::process::Proc;

/// What a step is, for messages and for saying what state a failure left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PreBuild,
    Template,
    Shutdown,
    Backup,
    Unprotect,
    Destroy,
    Data,
    Create,
    Idmap,
    SubIds,
    Mapping,
    Start,
    Network,
    Bash,
    Provision,
    Reboot,
    Health,
    PostBuild,
    Record,
    Prune,
}

impl Kind {
    /// The step's name in build logs (`result: failed step=provision`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PreBuild => "preBuild",
            Kind::Template => "template",
            Kind::Shutdown => "shutdown",
            Kind::Backup => "backup",
            Kind::Unprotect => "unprotect",
            Kind::Destroy => "destroy",
            Kind::Data => "data",
            Kind::Create => "create",
            Kind::Idmap => "idmap",
            Kind::SubIds => "subid",
            Kind::Mapping => "customMapping",
            Kind::Start => "start",
            Kind::Network => "network",
            Kind::Bash => "bash",
            Kind::Provision => "provision",
            Kind::Reboot => "reboot",
            Kind::Health => "healthcheck",
            Kind::PostBuild => "postBuild",
            Kind::Record => "record",
            Kind::Prune => "prune",
        }
    }
}

/// How a step runs its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A command that must succeed.
    Run(Proc),
    /// Shut down; when that fails, stop.
    Shutdown { shutdown: Proc, stop: Proc },
    /// `pveam download` (which exits 0 on failure), then `pveam list` to
    /// check that `volid` arrived.
    Download {
        download: Proc,
        check: Proc,
        volid: String,
    },
    /// `vzdump` into `store`; the archive it names is the backup a failed
    /// build restores.
    Backup { vzdump: Proc, store: String },
    /// Run `probe` (HEALTHCHECK inside the container) every 2 s until it
    /// exits 0, for at most `timeout` (then the build fails).
    Health { probe: Proc, timeout: Duration },
    /// Run `probe` every half second until it prints an IPv4 address, for
    /// at most `timeout` (then go on with a warning).
    WaitIp { probe: Proc, timeout: Duration },
    /// A `HOOK_*` function on this host, as the invoking user.
    Hook { name: &'static str, hook: Proc },
    /// `HOOK_customMapping`: `read` the config into `copy`, run `hook` on
    /// the copy, and `append` (its stdin: the lines the hook added) to the
    /// real config.
    Mapping {
        read: Proc,
        copy: PathBuf,
        hook: Proc,
        append: Proc,
    },
    /// The provisioning script inside the container, output streamed.
    Provision(Proc),
}

/// One command of a step, as `plan` shows it.
#[derive(Debug, Clone, Copy)]
pub struct Command<'a> {
    pub proc: &'a Proc,
    pub changes_host: bool,
    /// Runs only when the command before it failed (`pct stop` after a
    /// failed shutdown).
    pub fallback: bool,
}

impl Action {
    /// Every command the step may run.
    pub fn commands(&self) -> Vec<Command<'_>> {
        let run = |proc| Command {
            proc,
            changes_host: true,
            fallback: false,
        };
        let read = |proc| Command {
            proc,
            changes_host: false,
            fallback: false,
        };
        match self {
            Action::Run(p) | Action::Provision(p) => vec![run(p)],
            Action::Backup { vzdump, .. } => vec![run(vzdump)],
            Action::Health { probe, .. } => vec![run(probe)],
            Action::Hook { hook, .. } => vec![run(hook)],
            Action::Shutdown { shutdown, stop } => vec![
                run(shutdown),
                Command {
                    fallback: true,
                    ..run(stop)
                },
            ],
            Action::Download {
                download, check, ..
            } => vec![run(download), read(check)],
            Action::WaitIp { probe, .. } => vec![read(probe)],
            Action::Mapping {
                read: cat,
                hook,
                append,
                ..
            } => vec![read(cat), run(hook), run(append)],
        }
    }
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: Kind,
    pub title: String,
    pub action: Action,
}
