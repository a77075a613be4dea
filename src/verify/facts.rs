//! Gathering what the checks look at: the git index, ignore rules, history,
//! the tracked files' text, `.env` keys and bash's evaluation.
//!
//! Nothing here walks the file system below the root: tracked files come from
//! the git index, and "would this be ignored" is asked of git's rules, so a
//! `data/` folder with a million files costs nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::Repository;

pub use super::history::HistoryHit;
use super::history::env_history;
use super::ignore::{ignoring_rule, would_ignore};
use super::links::{ForbiddenData, TrackedLink, forbidden_data_link};
use crate::bash::Evaluated;
use crate::settings::Sources;
use crate::workspace::Workspace;
use crate::workspace::tree::{Container, Tree};

/// Tracked files larger than this are not scanned for secrets (they are
/// databases or archives, not settings).
const MAX_SCAN_BYTES: u64 = 4 << 20;

/// Everything the checks need, read once.
pub struct Facts {
    pub workdir: PathBuf,
    pub root: PathBuf,
    /// The root `defaults` file's text, when it exists.
    pub defaults: Option<String>,
    pub root_env: Option<EnvFile>,
    pub root_env_example: Option<EnvFile>,
    /// Every container of the tree (duplicates are checked across all of
    /// them); only the `selected` ones get per-container findings.
    pub containers: Vec<ContainerFacts>,
    pub git: GitFacts,
    /// Tracked text files under the root, outside unselected containers.
    pub files: Vec<TextFile>,
}

pub struct ContainerFacts {
    pub name: String,
    pub dir: PathBuf,
    pub selected: bool,
    pub eval: Evaluated,
    /// The `configSettings` text.
    pub config: String,
    pub build_script: Option<PathBuf>,
    pub env: Option<EnvFile>,
    pub env_example: Option<EnvFile>,
    /// `data/`, when it is a symlink a build refuses (read only for
    /// selected containers).
    pub forbidden_data: Option<ForbiddenData>,
}

impl Facts {
    /// The files bash sourced for `c`, with the texts gathered (the rules
    /// read nothing from the disk again).
    pub fn sources(&self, c: &ContainerFacts) -> Sources {
        let env = |e: &Option<EnvFile>, p: &Path| {
            e.as_ref().filter(|e| e.path == p).map(|e| e.text.clone())
        };
        Sources::with_texts(&self.root, &c.dir, |p| {
            if p == self.root.join("defaults") {
                self.defaults.clone()
            } else if p == c.dir.join("configSettings") {
                Some(c.config.clone())
            } else {
                env(&self.root_env, p).or_else(|| env(&c.env, p))
            }
        })
    }
}

/// A `.env` or `.env.example` file: its keys, read without running it.
pub struct EnvFile {
    pub path: PathBuf,
    pub keys: Vec<String>,
    pub text: String,
}

#[derive(Default)]
pub struct GitFacts {
    /// Tracked `.env` files under the root (work-tree relative).
    pub tracked_env: Vec<String>,
    /// Probed paths (see [`env_probe`], [`data_probe`]) and whether git
    /// would ignore them.
    pub ignored: BTreeMap<String, bool>,
    /// `.env` files found in commits reachable from HEAD.
    pub env_history: Vec<HistoryHit>,
    /// Untracked `.env.example` files git ignores, each with the rule that
    /// ignores it (`.gitignore:1:.env*`).
    pub ignored_examples: Vec<(String, String)>,
    /// Symlinks in the index under the root, in the index's order.
    pub links: Vec<TrackedLink>,
}

pub struct TextFile {
    pub rel: String,
    pub text: String,
}

/// Join work-tree relative paths (`.` is the work tree itself).
pub fn join_rel(base: &str, name: &str) -> String {
    if base == "." || base.is_empty() {
        name.to_string()
    } else {
        format!("{base}/{name}")
    }
}

/// The probe key for a folder's `.env` (the folder work-tree relative).
pub fn env_probe(dir_rel: &str) -> String {
    join_rel(dir_rel, ".env")
}

/// The probe key for a container's `data` folder.
pub fn data_probe(dir_rel: &str) -> String {
    join_rel(dir_rel, "data")
}

/// Every fact but bash's evaluation: read while bash evaluates the files.
pub struct Unevaluated(Facts);

/// Read what needs no evaluation for `tree`, `selected` the names to
/// check: git's facts and the files' text.
pub fn gather_unevaluated(ws: &Workspace, tree: &Tree, selected: &[&str]) -> Result<Unevaluated> {
    let root_rel = ws.rel(&tree.root);
    let is_selected = |c: &&Container| selected.contains(&c.name.as_str());
    let containers = tree
        .containers
        .iter()
        .map(|c| container_facts(tree, c, is_selected(&c)))
        .collect::<Result<Vec<_>>>()?;
    let mut git = GitFacts::default();
    let mut probes = vec![(env_probe(&root_rel), false)];
    for c in tree.containers.iter().filter(is_selected) {
        let dir_rel = ws.rel(&c.dir);
        probes.push((env_probe(&dir_rel), false));
        probes.push((data_probe(&dir_rel), true));
    }
    for (probe, is_dir) in probes {
        let ignored = would_ignore(&ws.repo, &ws.workdir, &probe, is_dir)?;
        git.ignored.insert(probe, ignored);
    }
    for c in containers
        .iter()
        .filter(|c| c.selected && c.env_example.is_some())
    {
        let rel = join_rel(&ws.rel(&c.dir), ".env.example");
        if let Some(rule) = ignoring_rule(&ws.repo, &ws.workdir, &rel) {
            git.ignored_examples.push((rel, rule));
        }
    }
    let unselected: Vec<&str> = tree
        .containers
        .iter()
        .filter(|c| !is_selected(c))
        .map(|c| c.name.as_str())
        .collect();
    let tracked = tracked_files(&ws.repo, &ws.workdir, &root_rel, &unselected)?;
    git.tracked_env = tracked.env;
    git.links = tracked.links;
    git.env_history = env_history(&ws.repo, &root_rel)?;
    Ok(Unevaluated(Facts {
        workdir: ws.workdir.clone(),
        root: tree.root.clone(),
        defaults: std::fs::read_to_string(tree.defaults_file()).ok(),
        root_env: read_env(&tree.env_file()),
        root_env_example: read_env(&tree.root.join(".env.example")),
        containers,
        git,
        files: tracked.files,
    }))
}

/// The facts: [`gather_unevaluated`]'s, with `evals`
/// ([`crate::bash::evaluate`]'s answer for every container of the tree).
pub fn gather(part: Unevaluated, evals: Vec<Evaluated>) -> Facts {
    let mut facts = part.0;
    let mut evals: HashMap<String, Evaluated> =
        evals.into_iter().map(|e| (e.name.clone(), e)).collect();
    for c in &mut facts.containers {
        c.eval = evals.remove(&c.name).unwrap_or_default();
    }
    facts
}

/// A container's files, read (its evaluation comes later).
fn container_facts(tree: &Tree, c: &Container, selected: bool) -> Result<ContainerFacts> {
    let config = std::fs::read(c.config_file())
        .with_context(|| format!("cannot read {}", c.config_file().display()))?;
    Ok(ContainerFacts {
        name: c.name.clone(),
        dir: c.dir.clone(),
        selected,
        eval: Evaluated::default(),
        config: String::from_utf8_lossy(&config).into_owned(),
        build_script: c.build_script(),
        env: read_env(&c.env_file()),
        env_example: read_env(&c.env_example()),
        forbidden_data: selected
            .then(|| forbidden_data_link(&tree.root, &c.dir))
            .flatten(),
    })
}

/// What the index holds under the root, as [`tracked_files`] reads it.
struct Tracked {
    /// Tracked `.env` files (work-tree relative).
    env: Vec<String>,
    /// Tracked text files to scan.
    files: Vec<TextFile>,
    links: Vec<TrackedLink>,
}

/// The tracked `.env` files under the root, the tracked text files to scan
/// (skipping those in `unselected` containers, `.env`, links, binaries) and
/// the tracked symlinks, read from the index's blobs (what a commit holds).
fn tracked_files(
    repo: &Repository,
    workdir: &Path,
    root_rel: &str,
    unselected: &[&str],
) -> Result<Tracked> {
    let index = repo.index().context("cannot read the git index")?;
    let prefix = if root_rel == "." {
        String::new()
    } else {
        format!("{root_rel}/")
    };
    let mut tracked_env = Vec::new();
    let mut files = Vec::new();
    let mut links = Vec::new();
    let mut last = String::new();
    for entry in index.iter() {
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        // Conflicted paths appear once per stage.
        if path == last {
            continue;
        }
        last.clone_from(&path);
        let Some(under_root) = path.strip_prefix(&prefix) else {
            continue;
        };
        let name = under_root.rsplit('/').next().unwrap_or(under_root);
        if name == ".env" {
            tracked_env.push(path);
            continue;
        }
        let kind = entry.mode & 0o170000;
        if kind == 0o120000 {
            links.push(TrackedLink::read(repo, entry.id, under_root)?);
        }
        if kind == 0o120000 || kind == 0o160000 {
            continue;
        }
        if let Some((first, _)) = under_root.split_once('/')
            && unselected.contains(&first)
        {
            continue;
        }
        if let Some(text) = read_text(&workdir.join(&path)) {
            files.push(TextFile { rel: path, text });
        }
    }
    Ok(Tracked {
        env: tracked_env,
        files,
        links,
    })
}

/// A file's text, unless it is missing, large or binary. (One lookup of
/// the path: opened without blocking, so a FIFO in its place does not
/// hang, then asked what it is.)
fn read_text(path: &Path) -> Option<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_SCAN_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.read_to_end(&mut bytes).ok()?;
    if bytes[..bytes.len().min(8000)].contains(&0) {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The keys of a `.env`-style file, read with dotenvy (never executed); a
/// file dotenvy cannot parse (it is bash after all) is read line by line.
pub fn read_env(path: &Path) -> Option<EnvFile> {
    if !path.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let parsed: Option<Vec<String>> = dotenvy::from_read_iter(bytes.as_slice())
        .map(|kv| kv.ok().map(|(k, _)| k))
        .collect();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let keys = parsed.unwrap_or_else(|| {
        text.lines()
            .filter_map(|l| assigned_key(l).map(|(k, _)| k.to_string()))
            .collect()
    });
    Some(EnvFile {
        path: path.to_path_buf(),
        keys,
        text,
    })
}

/// The variable a `KEY=…` or `export KEY=…` line assigns, and its value.
pub fn assigned_key(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    let (key, value) = line.split_once('=')?;
    let ok = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_files_only_and_never_waits_on_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("app.conf");
        std::fs::write(&text, "port=80\n").unwrap();
        assert_eq!(read_text(&text).as_deref(), Some("port=80\n"));
        let binary = dir.path().join("blob");
        std::fs::write(&binary, b"a\0b").unwrap();
        assert_eq!(read_text(&binary), None);
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(read_text(&fifo), None);
        assert_eq!(read_text(dir.path()), None);
        assert_eq!(read_text(&dir.path().join("absent")), None);
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join_rel(".", ".env"), ".env");
        assert_eq!(join_rel("lxcs/web", ".env"), "lxcs/web/.env");
        assert_eq!(data_probe("web"), "web/data");
    }

    #[test]
    fn reads_assigned_keys() {
        assert_eq!(assigned_key("export DB_PASS=x"), Some(("DB_PASS", "x")));
        assert_eq!(assigned_key("  TOKEN="), Some(("TOKEN", "")));
        assert_eq!(assigned_key("# TOKEN=1"), None);
        assert_eq!(assigned_key("f() { x=1; }"), None);
    }

    #[test]
    fn env_keys_fall_back_to_lines_when_dotenvy_cannot_parse_bash() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        std::fs::write(&p, "A=1\nexport B='two'\nC=(x y)\n").unwrap();
        let env = read_env(&p).unwrap();
        assert_eq!(env.keys, ["A", "B", "C"]);
        std::fs::write(&p, "# comment\nA=1\nB=\"x y\"\n").unwrap();
        assert_eq!(read_env(&p).unwrap().keys, ["A", "B"]);
    }
}
