//! What git knows about the files a build reads: HEAD, local changes,
//! ignored and tracked paths.

use std::path::Path;

use anyhow::{Context, Result};
use git2::{
    IndexEntryExtendedFlag, IndexEntryFlag, ObjectType, Oid, Repository, Status, StatusOptions,
};

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
    let mut changed: Vec<String> = statuses
        .iter()
        .filter(|e| !e.status().is_empty() && e.status() != Status::IGNORED)
        .filter_map(|e| e.path().ok().map(str::to_string))
        .collect();
    for path in hidden_changes(repo, pathspecs)? {
        if !changed.contains(&path) {
            changed.push(path);
        }
    }
    Ok(changed)
}

/// Tracked paths under `pathspecs` that status does not look at (`git
/// update-index --assume-unchanged` or `--skip-worktree`) whose work-tree
/// content is not what the index holds: they count as changed, so no
/// index flag lets an edit into a build recorded as clean.
fn hidden_changes(repo: &Repository, pathspecs: &[String]) -> Result<Vec<String>> {
    let Some(workdir) = repo.workdir() else {
        return Ok(Vec::new());
    };
    let index = repo.index().context("cannot read the git index")?;
    let mut hidden = Vec::new();
    for entry in index.iter() {
        let flagged = IndexEntryFlag::from_bits_truncate(entry.flags)
            .contains(IndexEntryFlag::VALID)
            || IndexEntryExtendedFlag::from_bits_truncate(entry.flags_extended)
                .contains(IndexEntryExtendedFlag::SKIP_WORKTREE);
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        if !flagged || !pathspecs.iter().any(|p| under(&path, p)) {
            continue;
        }
        if work_blob(&workdir.join(&path))? != Some(entry.id) {
            hidden.push(path);
        }
    }
    Ok(hidden)
}

/// Whether `path` is `spec` or inside it (both relative, `/`-separated).
fn under(path: &str, spec: &str) -> bool {
    let spec = spec.trim_end_matches('/');
    spec.is_empty() || spec == "." || path == spec || path.starts_with(&format!("{spec}/"))
}

/// The blob id git would give the file at `path` (a symlink: its target),
/// or `None` when there is no such file.
fn work_blob(path: &Path) -> Result<Option<Oid>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let bytes = if meta.file_type().is_symlink() {
        std::fs::read_link(path)
            .with_context(|| format!("cannot read the symlink {}", path.display()))?
            .into_os_string()
            .into_encoded_bytes()
    } else if meta.is_file() {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    } else {
        return Ok(None);
    };
    Ok(Some(Oid::hash_object(ObjectType::Blob, &bytes)?))
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

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{IndexEntry, Signature};

    /// A repository with `pihole/configSettings` committed as `RAM=256`.
    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        std::fs::create_dir(dir.path().join("pihole")).unwrap();
        std::fs::write(dir.path().join("pihole/configSettings"), "RAM=256\n").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("pihole/configSettings")).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])
            .unwrap();
        drop(tree);
        (dir, repo)
    }

    /// Flag the index entry of `path` as `update-index` does.
    fn flag(repo: &Repository, path: &str, set: impl Fn(&mut IndexEntry)) {
        let mut index = repo.index().unwrap();
        let mut entry = index.get_path(Path::new(path), 0).unwrap();
        set(&mut entry);
        index.add(&entry).unwrap();
        index.write().unwrap();
    }

    #[test]
    fn index_flags_do_not_hide_an_edit() {
        let assume = |e: &mut IndexEntry| e.flags |= IndexEntryFlag::VALID.bits();
        let skip = |e: &mut IndexEntry| {
            e.flags |= IndexEntryFlag::EXTENDED.bits();
            e.flags_extended |= IndexEntryExtendedFlag::SKIP_WORKTREE.bits();
        };
        let flags: [&dyn Fn(&mut IndexEntry); 2] = [&assume, &skip];
        for set in flags {
            let (dir, repo) = repo();
            let spec = ["pihole".to_string()];
            flag(&repo, "pihole/configSettings", set);
            assert!(changed_paths(&repo, &spec).unwrap().is_empty());
            std::fs::write(dir.path().join("pihole/configSettings"), "RAM=512\n").unwrap();
            assert_eq!(
                changed_paths(&repo, &spec).unwrap(),
                ["pihole/configSettings"]
            );
            assert!(
                changed_paths(&repo, &["lib".to_string()])
                    .unwrap()
                    .is_empty()
            );
        }
    }
}
