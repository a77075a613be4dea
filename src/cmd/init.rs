//! `git lxc init`: make the current repository ready for a tree (SPEC §4).
//!
//! Idempotent: a file that exists is never rewritten, a `.gitignore` line is
//! only appended when git would not already ignore what it covers.

use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::Repository;

use crate::cmd::GlobalArgs;
use crate::settings::SETTINGS;
use crate::term;
use crate::workspace::Workspace;
use crate::workspace::tree::Tree;

/// Make the current repository ready: root folder, `.gitignore` entries for
/// `.env` and `data/`, and a root `defaults` file with commented settings.
///
/// Fits an existing tree: a `.gitignore` rule is added only where git does
/// not already ignore `.env` and `data/` (asked for the root and every
/// container folder, or for a new one in a tree without any), and init says
/// what it added and what it found covered. Safe to run again: existing
/// files are never overwritten.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  git init homelab && cd homelab && git lxc init && git lxc new pihole"
)]
pub struct InitArgs {}

/// A folder name used to ask git about a container that does not exist yet.
const PROBE_CONTAINER: &str = "new-container";

pub fn exec(_args: &InitArgs, global: &GlobalArgs) -> Result<()> {
    let mut done = Vec::new();
    if let Some(created) = create_configured_root(global)? {
        done.push(format!("created the tree root {}/", created.display()));
    }
    let ws = Workspace::discover(global.root.as_deref())?;
    let root_rel = ws.rel(&ws.root);
    let kept = update_gitignore(&ws, &mut done)?;
    let defaults = ws.root.join("defaults");
    if !defaults.exists() {
        std::fs::write(&defaults, defaults_text())
            .with_context(|| format!("cannot write {}", defaults.display()))?;
        done.push(format!(
            "created {} with every setting, commented out",
            ws.rel(&defaults)
        ));
    }
    let what = |top: &str| {
        if root_rel == "." {
            top.to_string()
        } else {
            format!("{root_rel}/")
        }
    };
    if done.is_empty() {
        term::info(format!(
            "init: {} is ready, nothing to change (.gitignore and defaults in place)",
            what("the work tree")
        ));
        return Ok(());
    }
    if !kept.is_empty() {
        done.push(format!(
            "git already ignores {} here: no rule added for it",
            kept.join(" and ")
        ));
    }
    for line in &done {
        term::info(format!("init: {line}"));
    }
    term::info(format!(
        "next: `git lxc new NAME` to add a container, then commit {}",
        what(".gitignore and defaults")
    ));
    Ok(())
}

/// Append to the root's `.gitignore` the entries git does not honour yet,
/// saying so in `done`; returns the entries it already honours.
fn update_gitignore(ws: &Workspace, done: &mut Vec<String>) -> Result<Vec<&'static str>> {
    let root_rel = ws.rel(&ws.root);
    let gitignore = ws.root.join(".gitignore");
    let gitignore_rel = ws.rel(&gitignore);
    let Ignores { missing, future } = ignores(ws)?;
    let existing = std::fs::read_to_string(&gitignore).unwrap_or_default();
    let (listed, to_add): (Vec<&str>, Vec<&str>) =
        missing.iter().partition(|entry| has_line(&existing, entry));
    if !future.is_empty() {
        term::hint(format!(
            "git ignores {} in every container folder there is, but not in a new one; \
             add a rule before `git lxc new` (`{}` in {gitignore_rel} covers them all)",
            future.join(" and "),
            future.join("` and `"),
        ));
    }
    for entry in listed {
        term::warn(format!(
            "{gitignore_rel} lists `{entry}`, but git does not ignore it everywhere below {root_rel}"
        ));
        term::hint(
            "a later `!` rule, or a .gitignore in a sub-folder, un-ignores it; check with `git check-ignore -v PATH`",
        );
    }
    if !to_add.is_empty() {
        append_lines(&gitignore, &existing, &to_add)?;
        done.push(format!("added {} to {gitignore_rel}", to_add.join(" and ")));
    }
    Ok([".env", "data/"]
        .into_iter()
        .filter(|e| !missing.contains(e))
        .collect())
}

/// `--root` or `git config lxc.root` naming a folder that does not exist
/// yet: create it (init is where a tree starts).
fn create_configured_root(global: &GlobalArgs) -> Result<Option<PathBuf>> {
    let wanted = match &global.root {
        Some(root) => Some(root.clone()),
        None => Repository::open_from_env().ok().and_then(|repo| {
            let configured = repo.config().ok()?.get_string("lxc.root").ok()?;
            Some(repo.workdir()?.join(configured))
        }),
    };
    match wanted {
        Some(dir) if !dir.exists() => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok(Some(dir))
        }
        _ => Ok(None),
    }
}

/// What git's ignore rules already do for the tree.
struct Ignores {
    /// Entries (`.env`, `data/`) git does not honour for the root and the
    /// containers (for a tree without containers: for a new one).
    missing: Vec<&'static str>,
    /// Entries the existing containers are covered for, one by one, but a
    /// new container would not be.
    future: Vec<&'static str>,
}

/// Ask git, for the root, every container and one still to come, whether
/// `.env` and `data/` are ignored. A tree whose containers are all covered
/// (by whatever rules) gets nothing added.
fn ignores(ws: &Workspace) -> Result<Ignores> {
    let tree = Tree::load(&ws.root)?;
    let root_rel = ws.rel(&ws.root);
    let join = |a: &str, b: &str| {
        if a == "." {
            b.to_string()
        } else {
            format!("{a}/{b}")
        }
    };
    let ignored = |path: String| -> Result<bool> {
        ws.repo
            .is_path_ignored(&path)
            .with_context(|| format!("cannot read git's ignore rules for {path}"))
    };
    let covered = |dirs: &[String], root_env: bool| -> Result<Vec<&'static str>> {
        let mut env_ok = !root_env || ignored(join(&root_rel, ".env"))?;
        let mut data_ok = true;
        for dir in dirs {
            env_ok &= ignored(join(dir, ".env"))?;
            data_ok &= ignored(join(dir, "data/"))?;
        }
        Ok([(".env", env_ok), ("data/", data_ok)]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(entry, _)| entry)
            .collect())
    };
    let probe = [join(&root_rel, PROBE_CONTAINER)];
    let existing: Vec<String> = tree.containers.iter().map(|c| ws.rel(&c.dir)).collect();
    if existing.is_empty() {
        return Ok(Ignores {
            missing: covered(&probe, true)?,
            future: Vec::new(),
        });
    }
    let missing = covered(&existing, true)?;
    let future = covered(&probe, false)?
        .into_iter()
        .filter(|e| !missing.contains(e))
        .collect();
    Ok(Ignores { missing, future })
}

fn has_line(text: &str, entry: &str) -> bool {
    text.lines().any(|l| l.trim() == entry)
}

fn append_lines(path: &Path, existing: &str, lines: &[&str]) -> Result<()> {
    let mut text = String::new();
    if !existing.is_empty() && !existing.ends_with('\n') {
        text.push('\n');
    }
    if existing.is_empty() {
        text.push_str("# git lxc: secrets and persistent container data stay out of git\n");
    }
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The root `defaults` file: every setting commented out with its default.
pub fn defaults_text() -> String {
    let mut s = String::from(
        "# Site-wide settings for every container in this tree (bash, sourced by
# git lxc before each container's .env and configSettings, which win).
#
# A build setting X is changed by assigning OPT_X; uncomment a line to change
# it for every container. Any other variable set here is a context variable,
# handed to each build-target.sh. This file is tracked: no secrets here, they
# go in .env (ignored by git).
#
",
    );
    let width = SETTINGS
        .iter()
        .map(|s| s.name.len() + s.default.len())
        .max()
        .unwrap_or(0)
        + "#OPT_=".len()
        + 2;
    for spec in SETTINGS {
        let assignment = format!("#OPT_{}={}", spec.name, shell_word(spec.default));
        s.push_str(&format!("{assignment:width$}# {}\n", spec.help));
    }
    s
}

/// `value` as one bash word.
fn shell_word(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.=/,:".contains(c))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_list_every_setting_commented_out() {
        let text = defaults_text();
        for spec in SETTINGS {
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("#OPT_{}=", spec.name)))
                .unwrap_or_else(|| panic!("{} missing", spec.name));
            assert!(line.contains(spec.help), "{line}");
        }
        assert!(text.lines().all(|l| l.is_empty() || l.starts_with('#')));
        assert!(text.contains("#OPT_FEATURES=nesting=1 "));
    }

    #[test]
    fn has_line_matches_whole_lines() {
        assert!(has_line("foo\n .env \n", ".env"));
        assert!(!has_line(".env.local\n", ".env"));
    }
}
