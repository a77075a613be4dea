use clap::Args;

use anyhow::{Context, Result};

use crate::build::watched_paths;
use crate::cmd::{ColorChoice, GlobalArgs};
use crate::error::Failure;
use crate::host::facts::HostFacts;
use crate::host::process::{Proc, Stdin};
use crate::workspace::session::Session;

/// Show what changed in a container's folder (and the root `defaults` and
/// `lib/`) since the commit it was built from, through git's pager.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The container folder.
    pub name: String,

    /// Options passed to `git diff` (after `--`), e.g. `-- --stat`.
    #[arg(last = true, allow_hyphen_values = true)]
    pub git_args: Vec<String>,
}

pub fn exec(args: &DiffArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let host = session.host();
    let facts = HostFacts::read(&host)?;
    let Some(&id) = facts.built_from(&session.tree_id, &container.name).first() else {
        return Err(Failure::failed(
            format!(
                "'{}' has no container on this host, so no recorded commit",
                container.name
            ),
            format!("`git lxc build {}` creates it", container.name),
        ));
    };
    let record = facts.record(id).expect("built_from found a record");
    let color = match global.color {
        ColorChoice::Always => Some("--color=always"),
        ColorChoice::Never => Some("--no-color"),
        ColorChoice::Auto => None,
    };
    let git = Proc::local(
        "git",
        &["-C", &session.ws.workdir.to_string_lossy(), "diff"],
    )
    .args(color)
    .args(args.git_args.iter().cloned())
    .arg(&record.commit)
    .arg("--")
    .args(watched_paths(&session.ws, &session.tree, &container))
    .stdin(Stdin::Inherit);
    let status = host
        .runner
        .interactive(&git)
        .context("cannot run git diff")?;
    if !status.success() {
        return Err(Failure::failed(
            format!(
                "git diff from the recorded commit {} failed",
                &record.commit[..12]
            ),
            "the commit may be missing from this clone: `git fetch` it, or rebuild the container",
        ));
    }
    Ok(())
}
