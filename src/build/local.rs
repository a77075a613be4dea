//! What a build reads from this machine besides the tree: the SSH keys it
//! installs, who builds, and the subordinate ids MAP=1 needs.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::error::Failure;
use crate::settings::Settings;

/// Where MAP=1 adds its subordinate id lines (`GIT_LXC_SUBID_DIR` overrides `/etc`).
fn subid_files() -> Vec<PathBuf> {
    let dir = std::env::var_os("GIT_LXC_SUBID_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc"));
    vec![dir.join("subuid"), dir.join("subgid")]
}

/// The lines MAP=1 needs that the subordinate id files lack.
pub fn subid_missing(s: &Settings) -> Result<Vec<(PathBuf, String)>> {
    if !s.map {
        return Ok(Vec::new());
    }
    let line = format!("root:{}:1", s.mapid);
    let mut missing = Vec::new();
    for path in subid_files() {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        if !text.lines().any(|l| l.trim() == line) {
            missing.push((path, line.clone()));
        }
    }
    Ok(missing)
}

pub fn ssh_keys(settings: &Settings) -> Result<Option<PathBuf>> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let Some(value) = settings.sshkeys.as_deref() else {
        return Ok(home
            .map(|h| h.join(".ssh/authorized_keys"))
            .filter(|p| p.is_file()));
    };
    let path = match (value.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(value),
    };
    if !path.is_file() {
        return Err(Failure::failed(
            format!("OPT_SSHKEYS names {}, which is not a file", path.display()),
            "point it at an authorized_keys file, or leave it empty",
        ));
    }
    Ok(Some(path))
}

pub fn user_host() -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(passwd_name)
        .unwrap_or_else(|| "unknown".to_string());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".to_string());
    format!("{user}@{host}")
}

/// This process's user name from /etc/passwd.
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid).then(|| name.to_string())
    })
}
