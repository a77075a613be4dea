//! Which `.env` files the history holds: a secret once committed stays
//! readable in every clone, whatever the work tree says now.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
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
/// and no commit is diffed. The answer is kept for the next run, keyed by
/// HEAD ([`Cache`]): then only the commits made since are searched.
pub(super) fn env_history(repo: &Repository, root_rel: &str) -> Result<Vec<HistoryHit>> {
    let Some(head) = repo.head().ok().and_then(|h| h.target()) else {
        return Ok(Vec::new());
    };
    let file = Cache::file(repo);
    let shallow = repo.is_shallow();
    let hits = match Cache::read(&file, root_rel, shallow) {
        Some(c) if c.head == head => c.hits,
        cached => {
            let mut hits = Hits::new();
            let mut since = None;
            if let Some(c) = cached
                && repo.graph_descendant_of(head, c.head).unwrap_or(false)
            {
                (hits, since) = (c.hits, Some(c.head));
            }
            // What the kept answer counted is older than what the commits
            // since hold: on a tie, it stays the oldest.
            for (path, new) in search(repo, head, since, root_rel)? {
                add(&mut hits, path, new, false);
            }
            Cache::write(&file, head, root_rel, shallow, &hits);
            hits
        }
    };
    hits.into_iter()
        .map(|(path, hit)| {
            let commit = repo
                .find_commit(hit.oldest)
                .context("cannot read a commit")?;
            let short = commit
                .as_object()
                .short_id()
                .ok()
                .and_then(|b| b.as_str().ok().map(str::to_string))
                .unwrap_or_else(|| hit.oldest.to_string()[..7].to_string());
            Ok(HistoryHit {
                path: join_rel(root_rel, &path),
                commit: short,
                subject: commit.summary().ok().flatten().unwrap_or("").to_string(),
                commits: hit.commits,
            })
        })
        .collect()
}

/// A `.env` path's commits: the oldest that holds it and how many do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    oldest: Oid,
    /// `oldest`'s commit time.
    time: i64,
    commits: usize,
}

/// Root-relative `.env` path → its commits.
type Hits = BTreeMap<String, Hit>;

/// Add what commits not counted in `hits` hold for `path`. The oldest is the
/// one with the earliest commit time; on a tie, `new`'s when `new_on_tie`.
fn add(hits: &mut Hits, path: String, new: Hit, new_on_tie: bool) {
    let hit = hits.entry(path).or_insert(Hit { commits: 0, ..new });
    if new.time < hit.time || (new_on_tie && new.time == hit.time) {
        hit.oldest = new.oldest;
        hit.time = new.time;
    }
    hit.commits += new.commits;
}

/// The `.env` paths of the commits reachable from `head` and not from
/// `since`.
fn search(repo: &Repository, head: Oid, since: Option<Oid>, root_rel: &str) -> Result<Hits> {
    let mut walk = repo.revwalk().context("cannot walk the history")?;
    walk.push(head)
        .context("cannot walk the history from HEAD")?;
    if let Some(since) = since {
        walk.hide(since).context("cannot walk the history")?;
    }
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .context("cannot walk the history")?;
    let mut memo: HashMap<Oid, Rc<Vec<String>>> = HashMap::new();
    let mut hits = Hits::new();
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
        let one = Hit {
            oldest: oid,
            time: commit.time().seconds(),
            commits: 1,
        };
        for path in env_paths(repo, sub, &mut memo)?.iter() {
            // Parents come after children: on equal times, the later one
            // is older.
            add(&mut hits, path.clone(), one, true);
        }
    }
    Ok(hits)
}

/// The last answer, in `lxc/cache/env-history` under the git dir: a line
/// `git-lxc env-history 1`, then `head OID`, `root PATH`, `shallow 0|1`,
/// then one line per path: `OID TIME COMMITS PATH`. What a commit holds
/// never changes, so the answer for a HEAD stays true; a file that does not
/// read as one is ignored (and rewritten).
struct Cache {
    head: Oid,
    hits: Hits,
}

const CACHE_MAGIC: &str = "git-lxc env-history 1";

impl Cache {
    fn file(repo: &Repository) -> PathBuf {
        repo.path().join("lxc").join("cache").join("env-history")
    }

    fn read(file: &Path, root_rel: &str, shallow: bool) -> Option<Cache> {
        let text = std::fs::read_to_string(file).ok()?;
        let mut lines = text.lines();
        if lines.next()? != CACHE_MAGIC {
            return None;
        }
        let head = Oid::from_str(lines.next()?.strip_prefix("head ")?).ok()?;
        if lines.next()?.strip_prefix("root ")? != root_rel {
            return None;
        }
        if lines.next()?.strip_prefix("shallow ")? != if shallow { "1" } else { "0" } {
            return None;
        }
        let mut hits = Hits::new();
        for line in lines {
            let mut f = line.splitn(4, ' ');
            let oldest = Oid::from_str(f.next()?).ok()?;
            let time = f.next()?.parse().ok()?;
            let commits = f.next()?.parse().ok()?;
            hits.insert(
                f.next()?.to_string(),
                Hit {
                    oldest,
                    time,
                    commits,
                },
            );
        }
        Some(Cache { head, hits })
    }

    /// Best effort (a read-only repository just searches again), written
    /// whole or not at all.
    fn write(file: &Path, head: Oid, root_rel: &str, shallow: bool, hits: &Hits) {
        if root_rel.contains('\n') || hits.keys().any(|p| p.contains('\n')) {
            return;
        }
        let mut text = format!(
            "{CACHE_MAGIC}\nhead {head}\nroot {root_rel}\nshallow {}\n",
            u8::from(shallow)
        );
        for (path, h) in hits {
            text.push_str(&format!("{} {} {} {path}\n", h.oldest, h.time, h.commits));
        }
        let Some(dir) = file.parent() else { return };
        let Ok(()) = std::fs::create_dir_all(dir) else {
            return;
        };
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) else {
            return;
        };
        if std::io::Write::write_all(&mut tmp, text.as_bytes()).is_ok() {
            let _ = tmp.persist(file);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn commit_tree(repo: &Repository, files: &[(&str, &str)], msg: &str) -> git2::Oid {
        let mut index = repo.index().unwrap();
        index.clear().unwrap();
        for (path, content) in files {
            let blob = repo.blob(content.as_bytes()).unwrap();
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: content.len() as u32,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.com").unwrap();
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .unwrap()
    }

    #[test]
    fn finds_env_files_anywhere_in_history_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        commit_tree(&repo, &[("lxcs/web/configSettings", "")], "first");
        commit_tree(
            &repo,
            &[
                ("lxcs/web/configSettings", ""),
                ("lxcs/web/.env", "P=1"),
                ("other/.env", ""),
            ],
            "add env",
        );
        commit_tree(
            &repo,
            &[("lxcs/web/configSettings", ""), ("lxcs/web/.env", "P=2")],
            "change env",
        );
        commit_tree(&repo, &[("lxcs/web/configSettings", "X=1")], "drop env");
        let hits = env_history(&repo, "lxcs").unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].path, "lxcs/web/.env");
        assert_eq!(hits[0].subject, "add env");
        assert_eq!(hits[0].commits, 2);
        let all = env_history(&repo, ".").unwrap();
        assert_eq!(
            all.iter().map(|h| h.path.as_str()).collect::<Vec<_>>(),
            ["lxcs/web/.env", "other/.env"]
        );
    }

    /// The search done again from scratch, without the cache.
    fn fresh(repo: &Repository, root_rel: &str) -> Vec<HistoryHit> {
        let _ = std::fs::remove_file(Cache::file(repo));
        env_history(repo, root_rel).unwrap()
    }

    #[test]
    fn the_next_search_starts_where_the_last_one_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        commit_tree(&repo, &[("web/.env", "P=1")], "add env");
        commit_tree(&repo, &[("web/configSettings", "")], "drop env");
        let first = env_history(&repo, ".").unwrap();
        assert_eq!(first.len(), 1);
        assert!(Cache::file(&repo).is_file());
        // Two more commits: only they are searched, and the answer is the
        // one a full search gives.
        commit_tree(&repo, &[("web/.env", "P=2"), ("db/.env", "")], "both");
        commit_tree(&repo, &[("db/.env", "")], "db only");
        let next = env_history(&repo, ".").unwrap();
        assert_eq!(next, fresh(&repo, "."));
        let web = next.iter().find(|h| h.path == "web/.env").unwrap();
        assert_eq!((web.subject.as_str(), web.commits), ("add env", 2));
        let db = next.iter().find(|h| h.path == "db/.env").unwrap();
        assert_eq!((db.subject.as_str(), db.commits), ("both", 2));
        // The same HEAD again: the kept answer is what is read (a doctored
        // one shows).
        assert_eq!(env_history(&repo, ".").unwrap(), next);
        let kept = std::fs::read_to_string(Cache::file(&repo)).unwrap();
        std::fs::write(Cache::file(&repo), kept.replace(" db/.env", " lab/.env")).unwrap();
        let read = env_history(&repo, ".").unwrap();
        assert!(read.iter().any(|h| h.path == "lab/.env"), "{read:?}");
    }

    #[test]
    fn a_rewritten_history_or_a_bad_cache_is_searched_again() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        commit_tree(&repo, &[("web/configSettings", "")], "first");
        commit_tree(&repo, &[("web/.env", "P=1")], "oops");
        assert_eq!(env_history(&repo, ".").unwrap().len(), 1);
        // Undo the commit (`git reset --hard HEAD~1`) and make another: the
        // kept HEAD is not an ancestor, the old hit must not survive.
        let first = repo
            .head()
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .parent(0)
            .unwrap();
        repo.reset(first.as_object(), git2::ResetType::Soft, None)
            .unwrap();
        commit_tree(&repo, &[("web/configSettings", "X=1")], "second");
        assert_eq!(env_history(&repo, ".").unwrap(), []);
        // Another root: not this answer.
        assert_eq!(env_history(&repo, "web").unwrap(), []);
        for bad in ["", "git-lxc env-history 1\nhead zz\n", "garbage\n"] {
            std::fs::write(Cache::file(&repo), bad).unwrap();
            assert_eq!(env_history(&repo, ".").unwrap(), []);
        }
    }
}
