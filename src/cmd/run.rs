//! What `build` and `rebuild` share: prepare, log, execute, summarise.

use anyhow::Result;

use crate::build::log::{self, BuildLog};
use crate::build::{self, Checked, HostFacts, Mode, Options, Summary};
use crate::cmd::build::BuildOpts;
use crate::host::Host;
use crate::term;
use crate::term::progress::secs;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

pub fn options(mode: Mode, opts: &BuildOpts, dry_run: bool) -> Options {
    Options {
        mode,
        allow_dirty: opts.allow_dirty,
        force: opts.force,
        dry_run,
        sets: opts.sets.clone(),
    }
}

/// Prepare and run one container's build, with its log.
pub fn build_one(
    session: &Session,
    container: &Container,
    checked: Checked,
    opts: &Options,
    host: &mut Host,
    facts: &HostFacts,
) -> Result<Summary> {
    let prepared = build::prepare(
        &session.ws,
        &session.tree,
        container,
        checked,
        opts,
        host,
        facts,
    )?;
    let (stamp, _) = log::timestamps();
    let mut log = BuildLog::create(
        &session.ws.git_dir(),
        &prepared.name,
        &stamp,
        &prepared.commit[..12],
        term::masker(),
    )?;
    term::info(format!(
        "{} '{}' as CT {} from {}{}",
        if prepared.plan.steps.iter().any(|s| s.id == "destroy") {
            "Rebuilding"
        } else {
            "Building"
        },
        prepared.name,
        prepared.plan.ctid,
        &prepared.commit[..12],
        if prepared.dirty { " (dirty)" } else { "" }
    ));
    build::execute(&prepared, host, &mut log)
}

pub fn print_summary(s: &Summary) {
    term::info(format!(
        "{} {} built as CT {} from {}, IP {}, in {}",
        term::green("✔"),
        term::bold(&s.name),
        s.ctid,
        &s.commit[..12],
        s.ip.as_deref().unwrap_or("unknown"),
        secs(s.elapsed)
    ));
}

/// Ask before a destructive action: on a terminal with a prompt, otherwise
/// only with `--yes`.
pub fn confirm(question: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !term::interactive() {
        return Err(crate::error::Failure::usage(
            format!("{question} — not confirmed"),
            "pass --yes to confirm when not running on a terminal",
        ));
    }
    let ok = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(crate::error::Failure::usage(
            "cancelled",
            "nothing was changed",
        ))
    }
}
