//! `git lxc rollback NAME [--to BUILD]`: put back the container a rebuild
//! replaced, from the backup taken before it (SPEC §4, §5).

use anyhow::{Result, anyhow};
use clap::Args;

use crate::build::notes::{self, Entry, Outcome};
use crate::build::plan::{backup_notes, restore_commands};
use crate::build::{Backup, lock::BuildLock, our_backups};
use crate::cmd::GlobalArgs;
use crate::cmd::destroy::resolve_ctid;
use crate::error::Failure;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::host::process::Proc;
use crate::settings::{self, Settings};
use crate::term;
use crate::term::prompt;
use crate::workspace::session::Session;

/// Restore the container built from NAME from the backup taken before its
/// last rebuild (or the one `--to` names), replacing the current one.
///
/// With BACKUP=1 the current container is backed up first, so a rollback
/// can itself be rolled back. Asks on a terminal; needs `--yes` otherwise.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The container folder.
    pub name: String,

    /// The backup to restore: its volume id, or the commit (12 hex or more)
    /// its build came from, as `git lxc history` lists them.
    #[arg(long, value_name = "BUILD")]
    pub to: Option<String>,

    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,
}

pub fn exec(args: &RollbackArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let evaluated = session.evaluate(&[&container])?.remove(0);
    let (s, _) = settings::resolve(&session.tree.root, &container.dir, &evaluated, &[]);
    let host = session.host();
    let facts = HostFacts::read(&host)?;
    let id = resolve_ctid(&session, &container.name, &facts, false)?;
    let backups = our_backups(&host, &s.backupstore, id, &container.name)?;
    let volid = pick(&backups, args.to.as_deref(), &container.name)?;
    prompt::confirm(
        &format!(
            "Replace CT {id} ({}) with the backup {volid}? data/ is kept",
            container.name
        ),
        args.yes,
    )?;
    let _lock = BuildLock::acquire(id, &container.name, &session.ws.workdir)?;
    let running = facts.listed(id).is_some_and(|l| l.running);
    let protected = facts
        .confs
        .get(&id)
        .and_then(|c| c.options.get("protection"))
        .is_some_and(|v| v == "1");
    let commit = facts.record(id).map(|r| r.commit).unwrap_or_default();
    let safety = if s.backup {
        Some(back_up(&host, id, &s, &container.name, &commit)?)
    } else {
        None
    };
    replace(&host, id, running, protected, &volid, &s)?;
    term::info(format!(
        "{} CT {id} ({}) runs the build of {volid} again{}",
        term::green("✔"),
        container.name,
        safety
            .as_deref()
            .map(|b| format!("; the one it replaced is in {b}"))
            .unwrap_or_default()
    ));
    note(&session, id, &container.name, &volid);
    Ok(())
}

/// The backup to restore: `--to` (a volume id or a commit), else the newest.
fn pick(backups: &[Backup], to: Option<&str>, name: &str) -> Result<String> {
    let found = match to {
        None => backups.last(),
        Some(to) => backups.iter().rev().find(|b| {
            b.volid == to
                || (to.len() >= 7 && (b.commit.starts_with(to) || to.starts_with(&b.commit)))
        }),
    };
    if let Some(b) = found {
        return Ok(b.volid.clone());
    }
    let listed: Vec<String> = backups
        .iter()
        .map(|b| format!("{} ({})", b.volid, b.commit))
        .collect();
    Err(match to {
        None => Failure::failed(
            format!("there is no backup of '{name}' to roll back to"),
            "git-lxc backs a container up before each rebuild (BACKUP=1)",
        ),
        Some(to) => Failure::usage(
            format!("no backup of '{name}' is named {to}"),
            format!("the backups are: {}", listed.join(", ")),
        ),
    })
}

/// Back the current container up, so the rollback can be undone.
fn back_up(host: &Host, id: u32, s: &Settings, name: &str, commit: &str) -> Result<String> {
    let vzdump = Proc::host("vzdump", &[&id.to_string()])
        .args(["--storage", &s.backupstore, "--mode", "snapshot"])
        .args([
            "--compress",
            "zstd",
            "--notes-template",
            &backup_notes(name, commit),
        ]);
    term::info(format!("backing CT {id} up first"));
    let out = host.runner.checked(&vzdump)?;
    crate::build::archive_volid(&out.stdout, &s.backupstore)
        .ok_or_else(|| anyhow!("`vzdump` finished but named no archive"))
}

/// Stop, lift protection, restore in place, start.
fn replace(
    host: &Host,
    id: u32,
    running: bool,
    protected: bool,
    volid: &str,
    s: &Settings,
) -> Result<()> {
    let sid = id.to_string();
    let [_, restore, start] = restore_commands(id, volid, &s.diskstore)
        .try_into()
        .expect("stop, restore, start");
    if running {
        let shutdown = Proc::pct(&["shutdown", &sid, "--timeout", "60"]);
        if !host.runner.output(&shutdown)?.status.success() {
            host.runner.checked(&Proc::pct(&["stop", &sid]))?;
        }
    }
    if protected {
        host.runner
            .checked(&Proc::pct(&["set", &sid, "--protection", "0"]))?;
    }
    host.runner.checked(&restore).map_err(|e| {
        Failure::failed(
            format!("restoring CT {id} from {volid} failed: {e:#}"),
            format!(
                "CT {id} is stopped and unchanged; restore by hand: {}",
                host.runner.shown(&restore)
            ),
        )
    })?;
    host.runner.checked(&start)?;
    Ok(())
}

fn note(session: &Session, id: u32, name: &str, volid: &str) {
    let host = session.host();
    let facts = HostFacts::read(&host).ok();
    let Some(record) = facts.as_ref().and_then(|f| f.record(id)) else {
        return;
    };
    let entry = Entry {
        time: notes::now(),
        name: name.to_string(),
        ctid: id,
        node: crate::host::facts::node_name(&host),
        result: Outcome::RolledBack,
        backup: Some(volid.to_string()),
        user_host: crate::build::user_host(),
    };
    if let Err(e) = notes::append(&session.ws.repo, &record.commit, &entry) {
        term::warn(format!("could not add the rollback to the notes: {e:#}"));
    }
}
