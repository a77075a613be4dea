//! The safety guards a build passes before its first host change (SPEC §5
//! step 2): valid settings, `.env` safe, nothing uncommitted, the CTID ours.
//! Each refuses (exit 3) with a hint; an I/O error refuses too.

use anyhow::Result;

use super::record;
use super::{Options, watched_paths};
use crate::bash::Evaluated;
use crate::error::Failure;
use crate::host::Listed;
use crate::host::facts::HostFacts;
use crate::host::process::shell_quote;
use crate::settings::{self, Settings};
use crate::term;
use crate::verify::facts::assigned_key;
use crate::workspace::Workspace;
use crate::workspace::dotenv;
use crate::workspace::gitstate;
use crate::workspace::tree::{Container, Tree};

pub fn settings_ok(
    ws: &Workspace,
    name: &str,
    ev: &Evaluated,
    problems: &[settings::Problem],
) -> Result<()> {
    let mut errors: Vec<String> = problems
        .iter()
        .map(|p| {
            let place = match &p.origin {
                Some(o) => match o.line {
                    Some(l) => format!("{}:{l}: ", ws.rel(&o.file)),
                    None => format!("{}: ", ws.rel(&o.file)),
                },
                None => String::new(),
            };
            format!("{place}{} [{}]", p.message, p.rule)
        })
        .collect();
    for (file, msg) in &ev.syntax_errors {
        errors.push(format!(
            "{}: {} [bash-syntax]",
            ws.rel(file),
            msg.lines().next().unwrap_or("")
        ));
    }
    if !ev.complete {
        errors.push(format!(
            "the settings files of '{name}' stopped before their end (an `exit`?): {}",
            ev.stderr.trim()
        ));
    }
    if errors.is_empty() {
        return Ok(());
    }
    for e in &errors {
        term::error(e);
    }
    Err(Failure::failed(
        format!("the settings of '{name}' are not valid; nothing was done"),
        format!("fix the files named above; `git lxc verify {name}` checks them offline"),
    ))
}

pub fn env_guard(ws: &Workspace, tree: &Tree, container: &Container) -> Result<()> {
    for env in [tree.env_file(), container.env_file()] {
        let rel = ws.rel(&env);
        if gitstate::is_tracked(&ws.repo, &rel)? {
            return Err(Failure::refused(
                format!("{rel} is tracked by git: its secrets are in the repository"),
                format!(
                    "run `git rm --cached {}`, commit, add `.env` to .gitignore, and change every secret it held",
                    shell_quote(&rel)
                ),
            ));
        }
        if env.exists() && !gitstate::is_ignored(&ws.repo, &rel)? {
            return Err(Failure::refused(
                format!("{rel} is not ignored by git: one `git add -A` would commit its secrets"),
                "add `.env` to the tree's .gitignore (`git lxc init` does it)",
            ));
        }
    }
    Ok(())
}

/// A `.env` (when it exists) must define every key its `.env.example`
/// lists; the root `.env` counts too. CRLF line ends are refused: the
/// values would carry a `\r` that no mask matches.
pub fn env_keys_guard(ws: &Workspace, tree: &Tree, container: &Container) -> Result<()> {
    let env = container.env_file();
    let read = |p: &std::path::Path| std::fs::read_to_string(p).ok();
    for file in [tree.env_file(), env.clone()] {
        if let Some(text) = read(&file)
            && let Some(n) = dotenv::first_crlf_line(&text)
        {
            let rel = ws.rel(&file);
            return Err(Failure::refused(
                format!("{rel}:{n}: the file has CRLF (Windows) line ends"),
                dotenv::crlf_fix(&rel),
            ));
        }
    }
    let example = container.dir.join(".env.example");
    let (Some(text), Some(_)) = (read(&example), read(&env)) else {
        return Ok(());
    };
    let defined: Vec<String> = [read(&env), read(&tree.env_file())]
        .into_iter()
        .flatten()
        .flat_map(|t| {
            t.lines()
                .filter_map(|l| assigned_key(l).map(|(k, _)| k.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let missing: Vec<String> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| assigned_key(l).map(|(k, _)| (i + 1, k)))
        .filter(|(_, k)| !defined.iter().any(|d| d == k))
        .map(|(line, k)| format!("{k} ({}:{line})", ws.rel(&example)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::refused(
        format!("{} lacks {}", ws.rel(&env), missing.join(", ")),
        format!(
            "add the missing keys to {} (values stay there, never committed)",
            ws.rel(&env)
        ),
    ))
}

pub fn dirty_guard(
    ws: &Workspace,
    tree: &Tree,
    container: &Container,
    opts: &Options,
) -> Result<bool> {
    let mut changed = gitstate::changed_paths(&ws.repo, &watched_paths(ws, tree, container))?;
    // The settings are read from the work tree: one that git ignores (a
    // `*` in a nested .gitignore) is as uncommitted as an edit.
    for file in [tree.defaults_file(), container.config_file()] {
        let rel = ws.rel(&file);
        if file.is_file() && !changed.contains(&rel) && !gitstate::is_tracked(&ws.repo, &rel)? {
            changed.push(format!("{rel} (ignored by git, never committed)"));
        }
    }
    if changed.is_empty() {
        return Ok(false);
    }
    if opts.allow_dirty || opts.dry_run {
        if opts.allow_dirty {
            term::warn(format!(
                "building from uncommitted changes ({}); the record will say dirty",
                changed.join(", ")
            ));
        }
        return Ok(opts.allow_dirty);
    }
    let shown: Vec<&str> = changed.iter().take(8).map(String::as_str).collect();
    let more = if changed.len() > 8 {
        format!(" and {} more", changed.len() - 8)
    } else {
        String::new()
    };
    Err(Failure::refused(
        format!(
            "'{}' has uncommitted changes: {}{more}",
            container.name,
            shown.join(", ")
        ),
        "commit them (the container records the commit it was built from), or pass --allow-dirty",
    ))
}

pub fn ownership_guard(
    facts: &HostFacts,
    tree: &str,
    ctid: u32,
    name: &str,
    opts: &Options,
) -> Result<()> {
    let record = facts.record(ctid);
    if record.as_ref().is_some_and(|r| r.belongs_to(tree, name)) {
        return Ok(());
    }
    let owner = record::owner(record.as_ref(), tree);
    if opts.force {
        term::warn(format!(
            "CT {ctid} is not '{name}' ({owner}); --force replaces it"
        ));
        return Ok(());
    }
    let listed = facts
        .listed(ctid)
        .map(|l| l.name.clone())
        .unwrap_or_default();
    Err(Failure::refused(
        format!("CT {ctid} ({listed}) exists and {owner}; refusing to destroy it"),
        format!(
            "pick a free CTID in {name}/configSettings or .env (OPT_CTID), or pass --force if CT {ctid} really is to be replaced"
        ),
    ))
}

/// The host container without a record that the settings `s` name: by
/// OPT_CTID, else by hostname (built by the original script, or by hand).
pub fn unrecorded<'a>(facts: &'a HostFacts, s: &Settings) -> Option<&'a Listed> {
    let unrecorded = || {
        facts
            .listed
            .iter()
            .filter(|l| facts.record(l.vmid).is_none())
    };
    unrecorded()
        .find(|l| Some(l.vmid) == s.ctid)
        .or_else(|| unrecorded().find(|l| l.name == s.hostname))
}

/// A container `name` has no build of its own but names (by OPT_CTID or
/// hostname) one git-lxc did not build: refused, `adopt` is the way in;
/// with `--force`, its CTID (the build replaces it).
pub fn adoption_guard(
    facts: &HostFacts,
    tree: &str,
    s: &Settings,
    name: &str,
    opts: &Options,
) -> Result<Option<u32>> {
    if !facts.built_from(tree, name).is_empty() {
        return Ok(None);
    }
    let Some(found) = unrecorded(facts, s) else {
        return Ok(None);
    };
    if opts.force {
        return Ok(Some(found.vmid));
    }
    let by = match Some(found.vmid) == s.ctid {
        true => "its OPT_CTID",
        false => "its hostname",
    };
    Err(Failure::refused(
        format!(
            "CT {} ({}) is '{name}' by {by}, but it has no git-lxc record (git-lxc did not build it); refusing to touch it",
            found.vmid, found.name
        ),
        format!(
            "`git lxc adopt {name}` takes it over without rebuilding (then `git lxc rebuild {name}` works); --force replaces it as it is"
        ),
    ))
}
