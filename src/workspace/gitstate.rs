//! What git knows about the files a build reads: HEAD, local changes,
//! ignored and tracked paths.

use std::path::Path;

use anyhow::{Context, Result};
use git2::{Repository, Status, StatusOptions};

/// HEAD's commit id and subject, if there is a commit.
pub fn head(repo: &Repository) -> Option<(String, String)> {
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some((
        commit.id().to_string(),
        commit.summary().ok().flatten().unwrap_or("").to_string(),
    ))
}

/// Paths (relative to the work tree) under `pathspecs` with uncommitted
/// changes, staged changes, or untracked files that are not ignored.
pub fn changed_paths(repo: &Repository, pathspecs: &[String]) -> Result<Vec<String>> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true);
    for p in pathspecs {
        opts.pathspec(p);
    }
    let statuses = repo
        .statuses(Some(&mut opts))
        .context("cannot read the work tree's status")?;
    Ok(statuses
        .iter()
        .filter(|e| !e.status().is_empty() && e.status() != Status::IGNORED)
        .filter_map(|e| e.path().ok().map(str::to_string))
        .collect())
}

/// Whether git tracks `rel` (a path relative to the work tree). An index
/// that cannot be read is an error, never a "no".
pub fn is_tracked(repo: &Repository, rel: &str) -> Result<bool> {
    let index = repo.index().context("cannot read the git index")?;
    Ok(index.get_path(Path::new(rel), 0).is_some())
}

/// Whether `rel` is (or would be, if created) ignored. Ignore rules that
/// cannot be read are an error, never a "no".
pub fn is_ignored(repo: &Repository, rel: &str) -> Result<bool> {
    repo.is_path_ignored(rel)
        .with_context(|| format!("cannot read git's ignore rules for {rel}"))
}

/// Commits after `since` up to HEAD that change anything under `paths`
/// (relative to the work tree). `None` when `since` is not in this history.
pub fn commits_touching(repo: &Repository, since: &str, paths: &[String]) -> Result<Option<usize>> {
    let Ok(since) = git2::Oid::from_str(since) else {
        return Ok(None);
    };
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(None);
    };
    if repo.find_commit(since).is_err() {
        return Ok(None);
    }
    if head.id() != since && !repo.graph_descendant_of(head.id(), since).unwrap_or(false) {
        return Ok(None);
    }
    let mut walk = repo.revwalk().context("cannot walk the history")?;
    walk.push(head.id())?;
    walk.hide(since)?;
    let mut count = 0;
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let tree = commit.tree()?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) => None,
        };
        let touched = paths.iter().any(|p| {
            let now = tree.get_path(Path::new(p)).ok().map(|e| e.id());
            let before = parent_tree
                .as_ref()
                .and_then(|t| t.get_path(Path::new(p)).ok())
                .map(|e| e.id());
            now != before
        });
        if touched {
            count += 1;
        }
    }
    Ok(Some(count))
}
