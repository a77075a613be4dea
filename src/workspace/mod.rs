//! The repository, the tree of container folders and git's view of them
//! (SPEC §1).

pub mod dotenv;
pub mod gitstate;
pub mod session;
pub mod symlinks;
pub mod tree;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::Repository;

use crate::error::Failure;
use crate::workspace::tree::is_container_dir;

/// The repository and the folder holding the container folders.
pub struct Workspace {
    pub repo: Repository,
    /// The work tree's top folder (canonical).
    pub workdir: PathBuf,
    /// The tree root (canonical), inside `workdir`.
    pub root: PathBuf,
}

impl Workspace {
    /// Find the repository like git does and pick the root (first match wins):
    /// `--root`, `git config lxc.root`, the nearest folder upwards from the
    /// current one that directly holds container folders, `lxcs/`, the work tree.
    pub fn discover(root_arg: Option<&Path>) -> Result<Workspace> {
        let repo = Repository::open_from_env().map_err(|e| {
            Failure::usage(
                format!("not in a git repository: {}", e.message()),
                "run git lxc inside a git work tree, use `-C <path>`, or create one with `git init && git lxc init`",
            )
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| {
                Failure::usage(
                    "this repository has no work tree (it is bare)",
                    "run git lxc in a clone with a work tree",
                )
            })?
            .to_path_buf();
        let workdir = canonical(&workdir)?;
        let cwd = canonical(&std::env::current_dir().context("cannot read the current folder")?)?;
        let root = pick_root(&repo, &workdir, &cwd, root_arg)?;
        Ok(Workspace {
            repo,
            workdir,
            root,
        })
    }

    /// `path` relative to the work tree, with `/` separators (as git prints it).
    pub fn rel(&self, path: &Path) -> String {
        rel_to(&self.workdir, path)
    }

    /// The git dir (`.git`), canonical.
    pub fn git_dir(&self) -> PathBuf {
        canonical(self.repo.path()).unwrap_or_else(|_| self.repo.path().to_path_buf())
    }

    /// The tree's identity across clones and worktrees (SPEC §6): the first
    /// 12 hex of the repository's oldest root commit, `:`, and the root's
    /// path in the work tree (`.` for the top), percent-encoded. `None`
    /// before the first commit.
    pub fn tree_id(&self) -> Result<Option<String>> {
        let Ok(head) = self.repo.head().and_then(|h| h.peel_to_commit()) else {
            return Ok(None);
        };
        let mut walk = self.repo.revwalk().context("cannot walk the history")?;
        walk.push(head.id()).context("cannot walk the history")?;
        let mut oldest: Option<(i64, git2::Oid)> = None;
        for id in walk {
            let id = id.context("cannot walk the history")?;
            let commit = self.repo.find_commit(id).context("cannot read a commit")?;
            if commit.parent_count() == 0 {
                let key = (commit.time().seconds(), id);
                if oldest.is_none_or(|o| key < o) {
                    oldest = Some(key);
                }
            }
        }
        let Some((_, root)) = oldest else {
            return Ok(None);
        };
        let path = crate::build::record::encode(&self.rel(&self.root));
        Ok(Some(format!("{}:{path}", &root.to_string()[..12])))
    }

    pub fn config_bool(&self, key: &str) -> Option<bool> {
        self.repo.config().ok()?.get_bool(key).ok()
    }
}

pub fn rel_to(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_string() } else { s }
}

fn canonical(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))
}

fn pick_root(
    repo: &Repository,
    workdir: &Path,
    cwd: &Path,
    root_arg: Option<&Path>,
) -> Result<PathBuf> {
    if let Some(arg) = root_arg {
        return existing_root(&cwd.join(arg), "--root");
    }
    if let Some(configured) = repo
        .config()
        .ok()
        .and_then(|c| c.get_string("lxc.root").ok())
    {
        return existing_root(&workdir.join(configured), "git config lxc.root");
    }
    if cwd.starts_with(workdir) {
        let mut dir = cwd;
        loop {
            if holds_containers(dir) {
                return Ok(dir.to_path_buf());
            }
            if dir == workdir {
                break;
            }
            match dir.parent() {
                Some(parent) => dir = parent,
                None => break,
            }
        }
    }
    let lxcs = workdir.join("lxcs");
    if lxcs.is_dir() {
        return canonical(&lxcs);
    }
    Ok(workdir.to_path_buf())
}

fn existing_root(path: &Path, source: &str) -> Result<PathBuf> {
    if !path.is_dir() {
        return Err(Failure::usage(
            format!(
                "the tree root {} (from {source}) is not a folder",
                path.display()
            ),
            "point it at the folder that holds your container folders",
        ));
    }
    canonical(path)
}

/// Whether `dir` directly holds at least one container folder.
fn holds_containers(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries
        .flatten()
        .any(|e| e.file_type().is_ok_and(|t| t.is_dir()) && is_container_dir(&e.path()))
}
