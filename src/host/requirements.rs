//! What a host needs besides storages and bridges: the tools git-lxc runs
//! and the right to run them, the subordinate ids of `MAP=1`, and git.
//! Each check returns its problems with their fixes (`doctor` prints them).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::is_root;
use super::process::{Proc, Runner};
use super::storage::HostProblem;

/// The tools git-lxc runs as root (or through sudo).
pub const HOST_TOOLS: &[&str] = &[
    "pct", "pveam", "pvesh", "pvesm", "vzdump", "lxc-info", "lxc-ls", "tail", "cat", "tee", "chown",
];

/// The oldest git known to work (Debian 11, Proxmox VE 7).
pub const MIN_GIT: (u32, u32) = (2, 30);

fn problem(message: impl Into<String>, fix: impl Into<String>) -> HostProblem {
    HostProblem {
        message: message.into(),
        fix: fix.into(),
    }
}

/// What a problem of [`tools_and_privileges`] is about.
pub type Check = &'static str;

/// The tools on PATH and the right to run them: as root directly, else
/// through `sudo -n` (each tool asked with `sudo -n -l`). The problems, each
/// `tools` or `privileges`, with `true` when the host tools can run at all.
pub fn tools_and_privileges(runner: &Runner) -> (Vec<(Check, HostProblem)>, bool) {
    let mut found = Vec::new();
    for tool in ["bash", "git"] {
        if !on_path(tool) {
            found.push((
                "tools",
                problem(
                    format!("`{tool}` is not on PATH"),
                    format!("install it (apt install {tool})"),
                ),
            ));
        }
    }
    if !runner.uses_sudo() {
        if !is_root() {
            found.push(("privileges", problem(
                "git-lxc runs the host tools without sudo (git config lxc.sudo false), but not as root",
                "run it as root, or let it use sudo: git config --unset lxc.sudo",
            )));
            return (found, false);
        }
        let missing: Vec<&str> = HOST_TOOLS.iter().copied().filter(|t| !on_path(t)).collect();
        found.extend(missing_tools(&missing).map(|p| ("tools", p)));
        return (found, missing.is_empty());
    }
    if !on_path("sudo") {
        found.push((
            "privileges",
            problem(
                "not root, and `sudo` is not on PATH",
                "run git-lxc as root, or install sudo (apt install sudo) and allow the host tools",
            ),
        ));
        return (found, false);
    }
    let sudo = |args: &[&str]| {
        runner
            .output(&Proc::local("sudo", args))
            .is_ok_and(|o| o.status.success())
    };
    if !sudo(&["-n", "true"]) {
        found.push(("privileges", problem(
            "`sudo -n` does not work without a password",
            "run `sudo -v` first, or allow the host tools without a password in sudoers (see README: Install)",
        )));
        return (found, false);
    }
    let denied: Vec<&str> = HOST_TOOLS
        .iter()
        .copied()
        .filter(|t| !sudo(&["-n", "-l", t]))
        .collect();
    found.extend(missing_tools(&denied).map(|p| ("tools", p)));
    (found, denied.is_empty())
}

/// Where sudo looks for a command: Debian's (so Proxmox VE's) `secure_path`.
const SUDO_SECURE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Whether host tool `tool` would be found, without starting anything: on
/// PATH, and through sudo also in the folders of its `secure_path`, where
/// Proxmox VE keeps its tools.
pub fn host_tool_found(tool: &str, sudo: bool) -> bool {
    on_path(tool) || (sudo && found_on(OsStr::new(SUDO_SECURE_PATH), tool))
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| found_on(&p, tool))
}

/// Whether `tool` is an executable file in a folder of `path` (PATH-style).
fn found_on(path: &OsStr, tool: &str) -> bool {
    std::env::split_paths(path).any(|d| is_executable(&d.join(tool)))
}

fn missing_tools(tools: &[&str]) -> Option<HostProblem> {
    if tools.is_empty() {
        return None;
    }
    let pve = tools.iter().any(|t| t.starts_with("pv") || *t == "pct");
    Some(problem(
        format!(
            "not found{}: {}",
            if is_root() {
                ""
            } else {
                " or not allowed by sudo"
            },
            tools.join(", ")
        ),
        if pve {
            "run git-lxc on the Proxmox VE host itself (pct, pveam, pvesh, pvesm and vzdump come with it)"
        } else {
            "install them (lxc-info and lxc-ls: apt install lxc; the others: coreutils)"
        },
    ))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Where MAP=1 needs its subordinate ids (`GIT_LXC_SUBID_DIR` overrides `/etc`).
pub fn subid_dir() -> PathBuf {
    std::env::var_os("GIT_LXC_SUBID_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc"))
}

/// Whether a subuid/subgid text gives root the id `id`.
pub fn maps_root(text: &str, id: u32) -> bool {
    text.lines().any(|l| {
        let mut f = l.trim().split(':');
        let (Some("root"), Some(start), Some(count)) = (f.next(), f.next(), f.next()) else {
            return false;
        };
        match (start.parse::<u64>(), count.parse::<u64>()) {
            (Ok(s), Ok(n)) => s <= id as u64 && (id as u64) < s + n,
            _ => false,
        }
    })
}

/// `root:ID:1` (or a range holding ID) in `dir`'s subuid and subgid, as
/// MAP=1 with MAPID=ID needs.
pub fn subid_problems(dir: &Path, id: u32) -> Vec<HostProblem> {
    let mut found = Vec::new();
    for file in ["subuid", "subgid"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if !maps_root(&text, id) {
            let p = path.display();
            found.push(problem(
                format!("{p} has no entry root:{id}:1 for MAP=1 (MAPID={id})"),
                format!(
                    "echo root:{id}:1 >> {p} (as root; a build adds it too, through sudo when not root)"
                ),
            ));
        }
    }
    found
}

/// `git --version` at least [`MIN_GIT`].
pub fn git_problem(runner: &Runner) -> Option<HostProblem> {
    let out = runner.output(&Proc::local("git", &["--version"]));
    let text = out.map(|o| o.stdout).unwrap_or_default();
    let (min_major, min_minor) = MIN_GIT;
    let fix = format!("install git {min_major}.{min_minor} or newer (apt install git)");
    match parse_git_version(&text) {
        Some(v) if v >= MIN_GIT => None,
        Some((major, minor)) => Some(problem(
            format!("git {major}.{minor} is older than {min_major}.{min_minor}"),
            fix,
        )),
        None => Some(problem("cannot run `git --version`", fix)),
    }
}

/// `git version 2.39.5` → (2, 39).
fn parse_git_version(text: &str) -> Option<(u32, u32)> {
    let version = text.trim().strip_prefix("git version ")?;
    let mut parts = version.split(['.', ' ']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subuid_ranges_cover_the_id() {
        let text = "root:100000:65536\nalice:165536:65536\nroot:1000:1\n";
        assert!(maps_root(text, 1000));
        assert!(maps_root(text, 100500));
        assert!(!maps_root(text, 1001));
        assert!(!maps_root("alice:1000:1\n", 1000));
        assert!(!maps_root("root:x:1\n", 1000));
    }

    #[test]
    fn missing_subid_entries_are_named_per_file() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("subuid"), "root:1000:1\n").unwrap();
        let found = subid_problems(tmp.path(), 1000);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .ends_with("subgid has no entry root:1000:1 for MAP=1 (MAPID=1000)")
        );
    }

    #[test]
    fn git_versions() {
        assert_eq!(parse_git_version("git version 2.39.5\n"), Some((2, 39)));
        assert_eq!(
            parse_git_version("git version 2.47.3.windows.1"),
            Some((2, 47))
        );
        assert_eq!(parse_git_version("nonsense"), None);
    }

    #[test]
    fn finds_only_executable_files_on_a_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (bin, other) = (dir.path().join("bin"), dir.path().join("other"));
        for d in [&bin, &other] {
            std::fs::create_dir(d).unwrap();
        }
        std::fs::write(bin.join("pct"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(bin.join("pct"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(bin.join("pveam"), "not executable\n").unwrap();
        std::fs::create_dir(bin.join("pvesh")).unwrap();
        let path = std::env::join_paths([&other, &bin]).unwrap();
        assert!(found_on(&path, "pct"));
        assert!(!found_on(&path, "pveam"));
        assert!(!found_on(&path, "pvesh"));
        assert!(!found_on(&other.into_os_string(), "pct"));
    }
}
