//! Which `.env` files the history holds: a secret once committed stays
//! readable in every clone, whatever the work tree says now.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;

use anyhow::{Context, Result};
use git2::{ObjectType, Oid, Repository, Sort};

use super::facts::join_rel;

/// A `.env` path some commit held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryHit {
    /// Work-tree relative path.
    pub path: String,
    /// Short id and subject of the oldest commit that holds it.
    pub commit: String,
    pub subject: String,
    /// How many commits hold it.
    pub commits: usize,
}

/// Every `.env` path under the root in any commit reachable from HEAD.
///
/// Each commit costs one lookup of the root's tree by path; the search below
/// it is memoised by tree id, so a tree shared by many commits is read once
/// and no commit is diffed.
pub(super) fn env_history(repo: &Repository, root_rel: &str) -> Result<Vec<HistoryHit>> {
    if repo.head().ok().and_then(|h| h.target()).is_none() {
        return Ok(Vec::new());
    }
    let mut walk = repo.revwalk().context("cannot walk the history")?;
    walk.push_head()
        .context("cannot walk the history from HEAD")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .context("cannot walk the history")?;
    let mut memo: HashMap<Oid, Rc<Vec<String>>> = HashMap::new();
    // path → (oldest commit seen so far, count); parents come after children.
    let mut hits: BTreeMap<String, (Oid, usize)> = BTreeMap::new();
    for oid in walk {
        let oid = oid.context("cannot walk the history")?;
        let commit = repo.find_commit(oid).context("cannot read a commit")?;
        let tree = commit.tree().context("cannot read a commit's tree")?;
        let sub = if root_rel == "." {
            tree.id()
        } else {
            match tree.get_path(Path::new(root_rel)) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => e.id(),
                _ => continue,
            }
        };
        for path in env_paths(repo, sub, &mut memo)?.iter() {
            let hit = hits.entry(path.clone()).or_insert((oid, 0));
            hit.0 = oid;
            hit.1 += 1;
        }
    }
    hits.into_iter()
        .map(|(path, (oid, commits))| {
            let commit = repo.find_commit(oid).context("cannot read a commit")?;
            let short = commit
                .as_object()
                .short_id()
                .ok()
                .and_then(|b| b.as_str().ok().map(str::to_string))
                .unwrap_or_else(|| oid.to_string()[..7].to_string());
            Ok(HistoryHit {
                path: join_rel(root_rel, &path),
                commit: short,
                subject: commit.summary().ok().flatten().unwrap_or("").to_string(),
                commits,
            })
        })
        .collect()
}

/// The `.env` blobs in tree `id` and below, relative to it.
fn env_paths(
    repo: &Repository,
    id: Oid,
    memo: &mut HashMap<Oid, Rc<Vec<String>>>,
) -> Result<Rc<Vec<String>>> {
    if let Some(found) = memo.get(&id) {
        return Ok(Rc::clone(found));
    }
    let tree = repo
        .find_tree(id)
        .context("cannot read a tree from the history")?;
    let mut found = Vec::new();
    for entry in tree.iter() {
        let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
        match entry.kind() {
            Some(ObjectType::Blob) if name == ".env" => found.push(name),
            Some(ObjectType::Tree) => {
                for below in env_paths(repo, entry.id(), memo)?.iter() {
                    found.push(format!("{name}/{below}"));
                }
            }
            _ => {}
        }
    }
    let found = Rc::new(found);
    memo.insert(id, Rc::clone(&found));
    Ok(found)
}
