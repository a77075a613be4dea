//! The symlink policy (SPEC §1), as `verify` findings: a tracked symlink
//! that leads out of what a build of its container reads, and a `data/`
//! symlink to the host's own folders or into the tree. The decisions are
//! the build's own ([`crate::workspace::symlinks`]), so `verify` fails
//! exactly the trees a build refuses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{Oid, Repository};

use super::facts::{ContainerFacts, Facts};
use super::{Finding, Paths};
use crate::workspace::symlinks::{
    DATA_HINT, Stray, forbidden_data, is_input, join, stray, stray_report,
};

/// A symlink in the git index, under the tree root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedLink {
    /// Relative to the tree root, `/`-separated.
    pub path: String,
    /// What the link holds, as committed.
    pub target: String,
}

impl TrackedLink {
    /// The link at `path` (root-relative) whose target is blob `id`.
    pub fn read(repo: &Repository, id: Oid, path: &str) -> Result<TrackedLink> {
        let blob = repo
            .find_blob(id)
            .with_context(|| format!("cannot read the symlink {path} from git"))?;
        Ok(TrackedLink {
            path: path.to_string(),
            target: String::from_utf8_lossy(blob.content()).into_owned(),
        })
    }
}

/// A container's `data/` that is a symlink a build refuses to mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForbiddenData {
    /// The `data` link itself.
    pub link: PathBuf,
    /// What the link holds.
    pub target: PathBuf,
    /// Where it resolves to.
    pub real: PathBuf,
    /// Why a build refuses it ([`forbidden_data`]).
    pub why: String,
}

/// `dir/data`, when it is a symlink that resolves to a place a build
/// refuses. Only a symlink is resolved: a plain folder costs one `lstat`,
/// and a link to nowhere is the build's "does not exist", not a refusal.
pub fn forbidden_data_link(tree_root: &Path, dir: &Path) -> Option<ForbiddenData> {
    let link = dir.join("data");
    let meta = std::fs::symlink_metadata(&link).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let real = std::fs::canonicalize(&link).ok()?;
    let why = forbidden_data(&real, tree_root, dir)?;
    Some(ForbiddenData {
        target: std::fs::read_link(&link).unwrap_or_else(|_| real.clone()),
        link,
        real,
        why,
    })
}

/// The symlink findings for container `c`.
pub fn check(facts: &Facts, c: &ContainerFacts, paths: &Paths) -> Vec<Finding> {
    let root_rel = paths.rel(&facts.root);
    let mut findings = tracked(&facts.git.links, &c.name, &root_rel);
    if let Some(data) = &c.forbidden_data {
        findings.push(data_finding(data, paths));
    }
    findings
}

/// Every tracked symlink among `name`'s inputs that leads elsewhere, as
/// the build's release export would refuse it.
fn tracked(all: &[TrackedLink], name: &str, root_rel: &str) -> Vec<Finding> {
    let links: HashMap<&str, &str> = all
        .iter()
        .filter(|l| is_input(&l.path.split('/').collect::<Vec<_>>(), name))
        .map(|l| (l.path.as_str(), l.target.as_str()))
        .collect();
    let mut findings = Vec::new();
    for link in all.iter().filter(|l| links.contains_key(l.path.as_str())) {
        let Some(why) = stray(&links, &link.path, name) else {
            continue;
        };
        let rule = match why {
            Stray::LeavesTree => "symlink-outside",
            Stray::NotExported(_) => "symlink-not-input",
            Stray::Loop => "symlink-loop",
        };
        let file = join(root_rel, &link.path);
        let (message, hint) = stray_report(&why, &file, &link.target, root_rel, name);
        findings.push(Finding::new(rule, file, None, message, hint));
    }
    findings
}

fn data_finding(data: &ForbiddenData, paths: &Paths) -> Finding {
    let file = paths.rel(&data.link);
    let resolved = if data.real == data.target {
        String::new()
    } else {
        format!(" ({})", data.real.display())
    };
    Finding::new(
        "data-forbidden",
        &file,
        None,
        format!(
            "{file} is a symlink to {}{resolved}, {}: a build refuses to mount it read-write",
            data.target.display(),
            data.why
        ),
        DATA_HINT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(pairs: &[(&str, &str)]) -> Vec<TrackedLink> {
        pairs
            .iter()
            .map(|(path, target)| TrackedLink {
                path: path.to_string(),
                target: target.to_string(),
            })
            .collect()
    }

    fn rules(all: &[TrackedLink], name: &str) -> Vec<(&'static str, String)> {
        tracked(all, name, "lxcs")
            .into_iter()
            .map(|f| (f.rule, f.file))
            .collect()
    }

    #[test]
    fn only_the_container_s_inputs_are_checked_and_each_stray_is_named() {
        let all = links(&[
            ("db/conf", "/etc"),
            ("lib/zz.sh", "/etc/shadow"),
            ("web/a", "b"),
            ("web/b", "a"),
            ("web/bin/x", "../../../outside"),
            ("web/conf/a.conf", "b.conf"),
            ("web/conf/db", "../../db/configSettings"),
            ("web/data", "/"),
        ]);
        assert_eq!(
            rules(&all, "web"),
            [
                ("symlink-outside", "lxcs/lib/zz.sh".to_string()),
                ("symlink-loop", "lxcs/web/a".to_string()),
                ("symlink-loop", "lxcs/web/b".to_string()),
                ("symlink-outside", "lxcs/web/bin/x".to_string()),
                ("symlink-not-input", "lxcs/web/conf/db".to_string()),
            ]
        );
        assert_eq!(
            rules(&all, "db"),
            [
                ("symlink-outside", "lxcs/db/conf".to_string()),
                ("symlink-outside", "lxcs/lib/zz.sh".to_string()),
            ]
        );
    }

    #[test]
    fn a_data_finding_names_the_link_its_target_and_the_reason() {
        let paths = Paths {
            workdir: Path::new("/w"),
        };
        let data = ForbiddenData {
            link: PathBuf::from("/w/web/data"),
            target: PathBuf::from("../db/data"),
            real: PathBuf::from("/w/db/data"),
            why: "the tree itself, or another container's folder".into(),
        };
        let f = data_finding(&data, &paths);
        assert_eq!(
            (f.rule, f.file.as_str(), f.line),
            ("data-forbidden", "web/data", None)
        );
        assert_eq!(
            f.message,
            "web/data is a symlink to ../db/data (/w/db/data), the tree itself, or another \
             container's folder: a build refuses to mount it read-write"
        );
        assert!(f.is_error());
    }
}
