//! What git's ignore rules say about the paths `verify` probes.

use std::path::Path;

use anyhow::{Context, Result};
use git2::Repository;

use crate::host::process::{Proc, Runner};
use crate::workspace::gitstate;

/// Whether git would ignore `rel`, present or not. A folder is asked about
/// as a folder (`data/` rules match it even before it exists).
pub fn would_ignore(repo: &Repository, workdir: &Path, rel: &str, is_dir: bool) -> Result<bool> {
    let abs = workdir.join(rel);
    let symlink = std::fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_symlink());
    if is_dir
        && symlink
        && let Some(ignored) = git_check_ignore(workdir, rel)
    {
        return Ok(ignored);
    }
    let probe = if is_dir {
        format!("{rel}/")
    } else {
        rel.to_string()
    };
    repo.is_path_ignored(&probe)
        .with_context(|| format!("cannot read git's ignore rules for {rel}"))
}

/// The ignore rule (`source:line:pattern`) that keeps the untracked file
/// `rel` out of git, if one does.
pub fn ignoring_rule(repo: &Repository, workdir: &Path, rel: &str) -> Option<String> {
    // Untracked and ignored, as status would say, without a status run.
    if gitstate::is_tracked(repo, rel).ok()? || !gitstate::is_ignored(repo, rel).ok()? {
        return None;
    }
    let runner = Runner::new(false, Default::default());
    let check = Proc::local("git", &["-C", &workdir.to_string_lossy()]).args([
        "check-ignore",
        "-v",
        "--no-index",
        "--",
        rel,
    ]);
    let out = runner.output(&check).ok()?;
    let rule = out.stdout.split('\t').next().unwrap_or("").trim();
    Some(if rule.is_empty() {
        "an ignore rule".to_string()
    } else {
        rule.to_string()
    })
}

/// git's own answer for a symlinked `data`: git sees the link as a file, so
/// `data/` does not ignore it, while libgit2 follows the link and says it
/// does. `None` when git cannot be asked.
fn git_check_ignore(workdir: &Path, rel: &str) -> Option<bool> {
    let runner = Runner::new(false, Default::default());
    let check = Proc::local("git", &["-C", &workdir.to_string_lossy()]).args([
        "check-ignore",
        "-q",
        "--no-index",
        "--",
        rel,
    ]);
    let status = runner.output(&check).ok()?.status;
    match status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}
