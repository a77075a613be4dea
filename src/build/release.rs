//! The release folder (SPEC §5): a container's inputs at the commit a build
//! records, exported from git's object database (never from the work tree)
//! into `<git dir>/lxc/releases/<name>/<commit>/`.
//!
//! The folder is laid out as a tree root of its own (`defaults`, `lib/`,
//! `<name>/`), so the evaluation runs against it unchanged, and it is
//! readable by an unprivileged container's root (host uid 100000), which
//! sees `conf/` and `bin/` through bind mounts: folders 0755, files 0644 or
//! 0755 as committed. A release is written beside its place and renamed
//! into it, so one that exists is complete and is reused.
//!
//! The git dir is the repository's common one, so the releases of a
//! worktree's builds outlive `git worktree remove`.

use std::collections::HashMap;
use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use git2::{ObjectType, Oid, Repository};

use crate::error::Failure;
use crate::workspace::Workspace;
use crate::workspace::symlinks::{DEFAULTS, LIB, UNEXPORTED, join, stray, stray_report};
use crate::workspace::tree::{Container, Tree};

/// A temp folder older than this was left by an export that died.
const STALE_TEMP: Duration = Duration::from_secs(3600);
const TEMP_PREFIX: &str = ".tmp-";

/// One exported release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The commit (40 hex).
    pub commit: String,
    /// The release folder, to be used as the tree root.
    pub root: PathBuf,
    /// `<root>/<name>`.
    pub container_dir: PathBuf,
}

impl Release {
    /// The release as a tree holding just its container.
    pub fn tree(&self) -> Tree {
        Tree {
            root: self.root.clone(),
            containers: vec![self.container()],
            invalid: Vec::new(),
        }
    }

    pub fn container(&self) -> Container {
        let name = self.container_dir.file_name().unwrap_or_default();
        Container {
            name: name.to_string_lossy().into_owned(),
            dir: self.container_dir.clone(),
        }
    }
}

/// `<common git dir>/lxc/releases`.
pub fn releases_dir(repo: &Repository) -> PathBuf {
    let dir = repo.commondir();
    std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .join("lxc/releases")
}

/// What a git tree entry becomes on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Dir,
    File { blob: Oid, executable: bool },
    Link { target: String },
}

/// An exported path, relative to the release root with `/` separators.
#[derive(Debug, Clone)]
struct Item {
    path: String,
    kind: Kind,
}

/// Export `container`'s inputs at `commit` (any revision naming a commit),
/// or reuse the release exported before. A tracked symlink that leaves the
/// tree, or points at something the release does not hold, is refused.
pub fn export(ws: &Workspace, tree: &Tree, container: &Container, commit: &str) -> Result<Release> {
    let repo = &ws.repo;
    let commit = repo
        .revparse_single(commit)
        .and_then(|o| o.peel_to_commit())
        .with_context(|| format!("cannot find commit {commit}"))?;
    let id = commit.id().to_string();
    let base = releases_dir(repo).join(&container.name);
    let release = Release {
        root: base.join(&id),
        container_dir: base.join(&id).join(&container.name),
        commit: id,
    };
    if release.root.is_dir() {
        return Ok(release);
    }
    let root_rel = ws.rel(&tree.root);
    let items = collect(repo, &commit, &root_rel, &container.name)?;
    check_links(&items, &container.name, &root_rel)?;
    make_parents(&base)?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", &release.commit[..12]))
        .tempdir_in(&base)
        .with_context(|| format!("cannot create a folder in {}", base.display()))?;
    write(repo, &items, tmp.path())?;
    match std::fs::rename(tmp.path(), &release.root) {
        Ok(()) => {
            let _ = tmp.keep();
        }
        // Another build exported the same release first.
        Err(_) if release.root.is_dir() => {}
        Err(e) => {
            return Err(e).with_context(|| format!("cannot create {}", release.root.display()));
        }
    }
    Ok(release)
}

/// The entries to export: root `defaults` and `lib/` when committed, and the
/// container folder, which must be.
fn collect(
    repo: &Repository,
    commit: &git2::Commit,
    root_rel: &str,
    name: &str,
) -> Result<Vec<Item>> {
    let short = &commit.id().to_string()[..12];
    let missing = |what: String| {
        Failure::failed(
            format!("{what} is not in commit {short}"),
            "commit the container folder first (`git add` and `git commit`), or build with --allow-dirty",
        )
    };
    let top = commit.tree().context("cannot read a commit's tree")?;
    let root = if root_rel == "." {
        top
    } else {
        let entry = top
            .get_path(Path::new(root_rel))
            .map_err(|_| missing(format!("the tree root {root_rel}")))?;
        repo.find_tree(entry.id())
            .map_err(|_| missing(format!("the folder {root_rel}")))?
    };
    let mut items = Vec::new();
    for top_name in [DEFAULTS, LIB, name] {
        match root.get_name(top_name) {
            Some(entry) => walk_entry(repo, &entry, String::new(), top_name == name, &mut items)?,
            None if top_name == name => {
                return Err(missing(format!(
                    "the container folder {}",
                    join(root_rel, name)
                )));
            }
            None => {}
        }
    }
    Ok(items)
}

/// Add `entry` (under `prefix`) and what it holds; `container` skips the
/// container folder's `.env` and `data`. Submodules are not exported.
fn walk_entry(
    repo: &Repository,
    entry: &git2::TreeEntry,
    prefix: String,
    container: bool,
    items: &mut Vec<Item>,
) -> Result<()> {
    let name = entry
        .name()
        .map_err(|_| anyhow::anyhow!("a committed file name under {prefix} is not UTF-8"))?;
    let path = join(&prefix, name);
    let kind = match (entry.kind(), entry.filemode()) {
        (Some(ObjectType::Tree), _) => Kind::Dir,
        (Some(ObjectType::Blob), 0o120000) => {
            let blob = repo
                .find_blob(entry.id())
                .with_context(|| format!("cannot read {path}"))?;
            let target = String::from_utf8_lossy(blob.content()).into_owned();
            Kind::Link { target }
        }
        (Some(ObjectType::Blob), mode) => Kind::File {
            blob: entry.id(),
            executable: mode & 0o111 != 0,
        },
        _ => return Ok(()),
    };
    items.push(Item {
        path: path.clone(),
        kind: kind.clone(),
    });
    if kind == Kind::Dir {
        let tree = repo
            .find_tree(entry.id())
            .with_context(|| format!("cannot read {path}"))?;
        for child in tree.iter() {
            let depth_one = container && prefix.is_empty();
            if depth_one && child.name().is_ok_and(|n| UNEXPORTED.contains(&n)) {
                continue;
            }
            walk_entry(repo, &child, path.clone(), false, items)?;
        }
    }
    Ok(())
}

/// Refuse a symlink that leaves the tree or points at what the release
/// does not hold (another container, `.env`, `data/`), naming it as the
/// work tree does.
fn check_links(items: &[Item], name: &str, root_rel: &str) -> Result<()> {
    let links: HashMap<&str, &str> = items
        .iter()
        .filter_map(|i| match &i.kind {
            Kind::Link { target } => Some((i.path.as_str(), target.as_str())),
            _ => None,
        })
        .collect();
    refuse_strays(&links, name, root_rel)
}

fn refuse_strays(links: &HashMap<&str, &str>, name: &str, root_rel: &str) -> Result<()> {
    let mut sorted: Vec<(&&str, &&str)> = links.iter().collect();
    sorted.sort();
    for (path, target) in sorted {
        if let Some(why) = stray(links, path, name) {
            let (message, hint) = stray_report(&why, &join(root_rel, path), target, root_rel, name);
            return Err(Failure::refused(message, hint));
        }
    }
    Ok(())
}

/// For a build from the work tree (`--allow-dirty`), the refusal
/// [`export`] makes for a commit's symlinks, for the symlinks the work tree
/// holds among the container's inputs (`defaults`, `lib/`, the folder
/// without `.env` and `data`): uncommitted, `conf -> /etc` would still
/// mount the host's files.
pub fn check_work_tree_links(ws: &Workspace, tree: &Tree, container: &Container) -> Result<()> {
    let mut found: Vec<(String, String)> = Vec::new();
    for top in [DEFAULTS, LIB, container.name.as_str()] {
        let walk = walkdir::WalkDir::new(tree.root.join(top))
            .follow_links(false)
            .follow_root_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() != 1 || top != container.name || !unexported(e));
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e)
                    if e.io_error()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) =>
                {
                    continue;
                }
                Err(e) => return Err(e).context("cannot read the container's files"),
            };
            if !entry.path_is_symlink() {
                continue;
            }
            let target = std::fs::read_link(entry.path())
                .with_context(|| format!("cannot read the symlink {}", entry.path().display()))?;
            let rel = entry
                .path()
                .strip_prefix(&tree.root)
                .unwrap_or(entry.path());
            found.push((
                rel.to_string_lossy().into_owned(),
                target.to_string_lossy().into_owned(),
            ));
        }
    }
    let links: HashMap<&str, &str> = found
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    refuse_strays(&links, &container.name, &ws.rel(&tree.root))
}

fn unexported(entry: &walkdir::DirEntry) -> bool {
    entry
        .file_name()
        .to_str()
        .is_some_and(|n| UNEXPORTED.contains(&n))
}

/// Create `<releases>/<name>` and make the chain from the git dir
/// traversable by anyone (listing `lxc/` stays as it was).
fn make_parents(base: &Path) -> Result<()> {
    std::fs::create_dir_all(base).with_context(|| format!("cannot create {}", base.display()))?;
    let releases = base.parent().context("a release folder has a parent")?;
    let lxc = releases
        .parent()
        .context("the releases folder has a parent")?;
    let mode = std::fs::metadata(lxc)
        .with_context(|| format!("cannot read {}", lxc.display()))?
        .permissions()
        .mode();
    set_mode(lxc, mode | 0o111)?;
    set_mode(releases, 0o755)?;
    set_mode(base, 0o755)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the mode of {}", path.display()))
}

/// Write `items` under `dir` from the object database, with the modes an
/// unprivileged container's root can read.
fn write(repo: &Repository, items: &[Item], dir: &Path) -> Result<()> {
    set_mode(dir, 0o755)?;
    for item in items {
        let path = dir.join(&item.path);
        match &item.kind {
            Kind::Dir => {
                std::fs::create_dir(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                set_mode(&path, 0o755)?;
            }
            Kind::File { blob, executable } => {
                let blob = repo
                    .find_blob(*blob)
                    .with_context(|| format!("cannot read {} from git", item.path))?;
                std::fs::write(&path, blob.content())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                set_mode(&path, if *executable { 0o755 } else { 0o644 })?;
            }
            Kind::Link { target } => std::os::unix::fs::symlink(target, &path)
                .with_context(|| format!("cannot create the symlink {}", path.display()))?,
        }
    }
    Ok(())
}

/// Remove the releases of `name` under `releases` (see [`releases_dir`])
/// whose commit is not in `keep` (40 hex: the commits of live containers
/// and kept backups), and temp folders an interrupted export left; returns
/// what it removed. Call it holding the build lock, so no export is under
/// way for a commit not yet kept.
pub fn prune(releases: &Path, name: &str, keep: &[String]) -> Result<Vec<PathBuf>> {
    let base = releases.join(name);
    let entries = match std::fs::read_dir(&base) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", base.display())),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", base.display()))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() > STALE_TEMP);
        let unused = is_commit_id(&file_name) && !keep.contains(&file_name);
        let stale = file_name.starts_with(TEMP_PREFIX) && old;
        if (unused || stale) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let path = entry.path();
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            removed.push(path);
        }
    }
    removed.sort();
    // Only when nothing is left; an error means something still is.
    let _ = std::fs::remove_dir(&base);
    Ok(removed)
}

fn is_commit_id(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
#[path = "release_tests.rs"]
mod tests;
