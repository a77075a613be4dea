//! What `build` and `rebuild` share: prepare, log, execute, summarise.

use anyhow::Result;

use crate::buildlog::{self, BuildLog};
use crate::cli::BuildOpts;
use crate::host::Host;
use crate::pipeline::{self, Checked, HostFacts, Mode, Options, Summary};
use crate::progress::secs;
use crate::session::Session;
use crate::tree::Container;
use crate::ui;

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
    let prepared = pipeline::prepare(
        &session.ws,
        &session.tree,
        container,
        checked,
        opts,
        host,
        facts,
    )?;
    let (stamp, _) = buildlog::timestamps();
    let mut log = BuildLog::create(
        &session.ws.git_dir(),
        &prepared.name,
        &stamp,
        &prepared.commit[..12],
        ui::masker(),
    )?;
    ui::info(format!(
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
    pipeline::execute(&prepared, host, &mut log)
}

pub fn print_summary(s: &Summary) {
    ui::info(format!(
        "{} {} built as CT {} from {}, IP {}, in {}",
        ui::green("✔"),
        ui::bold(&s.name),
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
    if !ui::interactive() {
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
