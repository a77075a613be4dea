//! The symlink policy (SPEC §1), as pure decisions the build enforces and
//! `verify` reports: a tracked symlink must resolve inside what a build of
//! its container reads, and `data/` must never lead to the host's own
//! folders or into the tree.
//!
//! Paths here are relative to the tree root, `/`-separated, as a commit's
//! tree and the git index hold them.

use std::collections::HashMap;
use std::path::Path;

/// What a build reads besides the container folder, at the tree root.
pub(crate) const DEFAULTS: &str = "defaults";
pub(crate) const LIB: &str = "lib";
/// Never read by a build from a container folder, even when tracked by mistake.
pub(crate) const UNEXPORTED: [&str; 2] = [".env", "data"];
/// Symlinks followed before a chain counts as a loop (as Linux does).
const MAX_HOPS: usize = 40;

/// Where a symlink leads, if not into what a build of its container reads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stray {
    LeavesTree,
    /// Into the tree, but to this path (root-relative, `.` for the root),
    /// which the build does not read: another container, `.env`, `data/`.
    NotExported(String),
    Loop,
}

/// Whether the root-relative path `parts` is among the inputs of a build
/// of container `name`: root `defaults`, `lib/`, and the container folder
/// without its `.env` and `data`.
pub(crate) fn is_input(parts: &[&str], name: &str) -> bool {
    match parts {
        [DEFAULTS, ..] | [LIB, ..] => true,
        [top, second, ..] if *top == name => !UNEXPORTED.contains(second),
        [top] => *top == name,
        _ => false,
    }
}

/// Follow the symlink at `path` through the other symlinks of `links`
/// (path → target, every link among `name`'s inputs), lexically: folders
/// of a commit are never links, so no folder on the way is one.
pub(crate) fn stray(links: &HashMap<&str, &str>, path: &str, name: &str) -> Option<Stray> {
    let mut at: Vec<&str> = path.split('/').collect();
    at.pop();
    let mut pending: Vec<&str> = Vec::new();
    let mut hops = 0;
    let mut target = links[path];
    loop {
        if target.starts_with('/') {
            return Some(Stray::LeavesTree);
        }
        pending.extend(target.split('/').rev());
        target = loop {
            match pending.pop() {
                None => return outside_inputs(&at, name),
                Some("" | ".") => {}
                Some("..") => {
                    if at.pop().is_none() {
                        return Some(Stray::LeavesTree);
                    }
                }
                Some(part) => {
                    at.push(part);
                    if let Some(next) = links.get(at.join("/").as_str()) {
                        at.pop();
                        break *next;
                    }
                }
            }
        };
        hops += 1;
        if hops > MAX_HOPS {
            return Some(Stray::Loop);
        }
    }
}

/// `Some` when the resolved path `at` is not among the container's inputs.
fn outside_inputs(at: &[&str], name: &str) -> Option<Stray> {
    let to = if at.is_empty() {
        ".".to_string()
    } else {
        at.join("/")
    };
    (!is_input(at, name)).then_some(Stray::NotExported(to))
}

/// What to say about the stray symlink at `link` (work-tree relative) to
/// `target`: the message and the hint. `root_rel` is the tree root,
/// work-tree relative, and `name` the container a build would read it for.
pub(crate) fn stray_report(
    why: &Stray,
    link: &str,
    target: &str,
    root_rel: &str,
    name: &str,
) -> (String, String) {
    let why = match why {
        Stray::LeavesTree => "which leaves the tree".to_string(),
        Stray::NotExported(to) => format!(
            "which leads to {}, not part of the container's inputs",
            join(root_rel, to)
        ),
        Stray::Loop => "which is a loop of symlinks".to_string(),
    };
    (
        format!("{link} is a symlink to {target}, {why}"),
        format!(
            "a build reads only {name}/, defaults and lib/ of the commit: replace the link with the file it points to"
        ),
    )
}

/// Join a tree-relative `path` to the root's work-tree relative `root_rel`.
pub(crate) fn join(root_rel: &str, path: &str) -> String {
    match root_rel {
        "" | "." => path.to_string(),
        _ => format!("{root_rel}/{path}"),
    }
}

/// Host folders a container's read-write `data/` must never be (SPEC §1).
const SYSTEM: &[&str] = &[
    "/etc", "/usr", "/var", "/boot", "/root", "/dev", "/proc", "/sys", "/run", "/bin", "/sbin",
    "/lib", "/lib32", "/lib64", "/libx32", "/etc/pve",
];

/// The fix for a `data/` that [`forbidden_data`] refuses.
pub(crate) const DATA_HINT: &str =
    "point data/ at a folder of its own (e.g. /srv/NAME), or make it a plain folder";

/// Why `real` (the resolved `data/` of the container folder `own` in the
/// tree at `tree_root`) may not be mounted read-write.
pub(crate) fn forbidden_data(real: &Path, tree_root: &Path, own: &Path) -> Option<String> {
    if real == Path::new("/") {
        return Some("the host's root".to_string());
    }
    if let Some(sys) = SYSTEM
        .iter()
        .map(Path::new)
        .find(|sys| real == *sys || sys.starts_with(real) || real.starts_with(sys))
    {
        return Some(format!(
            "a system folder ({}) or one above it",
            sys.display()
        ));
    }
    let root = std::fs::canonicalize(tree_root).unwrap_or_else(|_| tree_root.to_path_buf());
    let own = std::fs::canonicalize(own).unwrap_or_else(|_| own.to_path_buf());
    let own_data = own.join("data");
    if real.starts_with(&root) && !real.starts_with(&own_data) {
        return Some("the tree itself, or another container's folder".to_string());
    }
    shared_with(real, &root, &own).map(|name| format!("where the data/ of '{name}' leads too"))
}

/// The container of the tree at `root`, other than `own`, whose `data/`
/// leads to `real` too (or into it, or above it): two containers writing
/// one folder.
fn shared_with(real: &Path, root: &Path, own: &Path) -> Option<String> {
    std::fs::read_dir(root).ok()?.flatten().find_map(|entry| {
        let folder = entry.path();
        let theirs = std::fs::canonicalize(folder.join("data")).ok()?;
        let overlaps = theirs.starts_with(real) || real.starts_with(&theirs);
        (folder != own && overlaps).then(|| entry.file_name().to_string_lossy().into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_shared_with_another_container_through_links_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let (root, outside) = (base.join("tree"), base.join("srv"));
        for dir in ["tree/web", "tree/db", "tree/blog", "srv/db", "srv/blog"] {
            std::fs::create_dir_all(base.join(dir)).unwrap();
        }
        std::os::unix::fs::symlink(outside.join("db"), root.join("db/data")).unwrap();
        std::os::unix::fs::symlink("../db/data", root.join("web/data")).unwrap();
        std::os::unix::fs::symlink(outside.join("blog"), root.join("blog/data")).unwrap();
        let web = std::fs::canonicalize(root.join("web/data")).unwrap();
        assert_eq!(
            forbidden_data(&web, &root, &root.join("web")).as_deref(),
            Some("where the data/ of 'db' leads too")
        );
        // Above another's: it could write there too.
        assert!(forbidden_data(&outside, &root, &root.join("web")).is_some());
        // A folder of its own is fine.
        let blog = outside.join("blog");
        assert_eq!(forbidden_data(&blog, &root, &root.join("blog")), None);
    }

    #[test]
    fn inputs_are_defaults_lib_and_the_folder_without_env_and_data() {
        let input = |p: &str| is_input(&p.split('/').collect::<Vec<_>>(), "web");
        for yes in [
            "defaults",
            "lib",
            "lib/x.sh",
            "web",
            "web/conf/a",
            "web/.envrc",
        ] {
            assert!(input(yes), "{yes}");
        }
        for no in ["db/conf", "web/.env", "web/data", "web/data/x", ".env", "x"] {
            assert!(!input(no), "{no}");
        }
        assert!(!is_input(&[], "web"));
    }

    #[test]
    fn reports_name_the_link_its_target_and_where_it_leads() {
        let (message, hint) = stray_report(
            &Stray::NotExported("db/configSettings".into()),
            "lxcs/web/conf/db",
            "../../db/configSettings",
            "lxcs",
            "web",
        );
        assert_eq!(
            message,
            "lxcs/web/conf/db is a symlink to ../../db/configSettings, which leads to \
             lxcs/db/configSettings, not part of the container's inputs"
        );
        assert!(hint.starts_with("a build reads only web/,"), "{hint}");
    }

    #[test]
    fn symlinks_are_followed_through_other_symlinks() {
        let links: HashMap<&str, &str> = [
            ("lib/up", ".."),
            ("lib/here", "."),
            ("web/conf/escape", "../../lib/up/.."),
            ("web/conf/fine", "../../lib/up/web/bin"),
            ("web/conf/env", "../.env"),
            ("web/conf/data", "../data/x"),
            ("web/a", "b"),
            ("web/b", "a"),
            ("web/abs", "/usr"),
            ("web/conf/root", "../../lib/here/.."),
        ]
        .into_iter()
        .collect();
        let stray_of = |p| stray(&links, p, "web");
        assert_eq!(stray_of("web/conf/escape"), Some(Stray::LeavesTree));
        assert_eq!(stray_of("web/conf/fine"), None);
        assert_eq!(stray_of("lib/here"), None);
        assert_eq!(
            stray_of("web/conf/env"),
            Some(Stray::NotExported("web/.env".into()))
        );
        assert_eq!(
            stray_of("web/conf/data"),
            Some(Stray::NotExported("web/data/x".into()))
        );
        assert_eq!(stray_of("web/a"), Some(Stray::Loop));
        assert_eq!(stray_of("web/abs"), Some(Stray::LeavesTree));
        assert_eq!(
            stray_of("web/conf/root"),
            Some(Stray::NotExported(".".into()))
        );
    }
}
