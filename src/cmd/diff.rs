use std::process::Command;

use anyhow::{Context, Result};

use crate::cli::{ColorChoice, DiffArgs, GlobalArgs};
use crate::error::Failure;
use crate::pipeline::HostFacts;
use crate::pipeline::watched_paths;
use crate::session::Session;

pub fn exec(args: &DiffArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let mut host = session.host();
    let facts = HostFacts::read(&mut host)?;
    let Some(&id) = facts.built_from(&container.name).first() else {
        return Err(Failure::failed(
            format!(
                "'{}' has no container on this host, so no recorded commit",
                container.name
            ),
            format!("`git lxc build {}` creates it", container.name),
        ));
    };
    let record = facts.record(id).expect("built_from found a record");
    let mut git = Command::new("git");
    git.arg("-C").arg(&session.ws.workdir).arg("diff");
    match global.color {
        ColorChoice::Always => {
            git.arg("--color=always");
        }
        ColorChoice::Never => {
            git.arg("--no-color");
        }
        ColorChoice::Auto => {}
    }
    git.args(&args.git_args)
        .arg(&record.commit)
        .arg("--")
        .args(watched_paths(&session.ws, &session.tree, &container));
    let status = git.status().context("cannot run git diff")?;
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
