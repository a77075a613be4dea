//! `git lxc new NAME`: scaffold a container folder that passes `verify` as
//! created (SPEC §4).

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::term;
use crate::workspace::Workspace;
use crate::workspace::gitstate;

/// Scaffold a new container folder that passes `git lxc verify` as created.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Name of the container folder (also the default hostname).
    pub name: String,

    /// Operating system template family.
    #[arg(long, value_enum, default_value_t = Os::Alpine)]
    pub os: Os,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Os {
    Alpine,
    Debian,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Alpine => "alpine",
            Os::Debian => "debian",
        }
    }
}

/// Root-level folder names that mean something else (`lib/*.sh` helpers).
const RESERVED: &[&str] = &["lib"];

pub fn exec(args: &NewArgs, global: &GlobalArgs) -> Result<()> {
    let name = args.name.trim_end_matches('/');
    check_name(name)?;
    let ws = Workspace::discover(global.root.as_deref())?;
    let dir = ws.root.join(name);
    let dir_rel = ws.rel(&dir);
    if dir.exists() || dir.is_symlink() {
        return Err(Failure::refused(
            format!("{dir_rel} already exists"),
            "git lxc new never overwrites; pick another name, or edit the folder that is there",
        ));
    }
    let files = scaffold(name, args.os);
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    set_executable(&dir.join("build-target.sh"))?;

    term::info(format!(
        "new: created {dir_rel}/ ({} container)",
        args.os.as_str()
    ));
    for (rel, _) in &files {
        term::detail(format!("  {dir_rel}/{rel}"));
    }
    let mut unignored = Vec::new();
    for entry in [".env", "data/"] {
        if !gitstate::is_ignored(&ws.repo, &format!("{dir_rel}/{entry}"))? {
            unignored.push(entry);
        }
    }
    if !unignored.is_empty() {
        term::warn(format!(
            "git does not ignore {} in {dir_rel}/",
            unignored.join(" or ")
        ));
        term::hint("run `git lxc init` to add them to the tree's .gitignore");
    }
    term::info(format!(
        "next: edit {dir_rel}/configSettings and {dir_rel}/build-target.sh, `git lxc verify {name}`, commit, then `git lxc build {name}`"
    ));
    Ok(())
}

/// A container name is its default hostname: one DNS label.
fn check_name(name: &str) -> Result<()> {
    let label = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !label {
        return Err(Failure::usage(
            format!("'{name}' is not a valid container name"),
            "the name is the container's hostname: letters, digits and '-', at most 63, not starting or ending with '-'",
        ));
    }
    if RESERVED.contains(&name) {
        return Err(Failure::usage(
            format!("'{name}' is reserved"),
            "the root's lib/ folder holds helper scripts for build-target.sh; pick another name",
        ));
    }
    Ok(())
}

#[cfg(unix)]
fn set_executable(path: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_path: &std::path::Path) -> Result<()> {
    Ok(())
}

/// The files of a new container folder, relative to it.
fn scaffold(name: &str, os: Os) -> Vec<(&'static str, String)> {
    vec![
        ("configSettings", config_settings(name, os)),
        ("build-target.sh", build_script(name, os)),
        (".env.example", ENV_EXAMPLE.to_string()),
        ("conf/.gitkeep", String::new()),
        ("bin/.gitkeep", String::new()),
    ]
}

fn config_settings(name: &str, os: Os) -> String {
    let ostype = match os {
        Os::Alpine => "#OPT_OSTYPE=alpine          # the default".to_string(),
        Os::Debian => "OPT_OSTYPE=debian".to_string(),
    };
    format!(
        r#"# Settings for the {name} container (bash, sourced by git lxc after the
# root defaults and .env files). Tracked by git: no secrets here; they go in
# .env (ignored), with their names listed in .env.example.
#
# Build settings are OPT_<SETTING>; `man git-lxc` lists them all.
{ostype}
#OPT_APP="{name}"
#OPT_CTID=200
#OPT_CORES=1
#OPT_RAM=256
#OPT_DISK=2
#OPT_NET=192.168.1.20/24    # default: dhcp
#OPT_GATEWAY=192.168.1.1

# Every other variable is a context variable, set for build-target.sh.
WELCOME="Welcome to {name}, built by git lxc"

# Hooks run on the host; for example, an extra read-only mount:
#HOOK_customMounts() {{
#    local -n mounts=$1
#    mounts+=("--mp1 /srv/media,mp=/media,ro=1")
#}}
"#
    )
}

fn build_script(name: &str, os: Os) -> String {
    let (packages, service) = match os {
        Os::Alpine => ("curl ca-certificates", "crond"),
        Os::Debian => ("curl ca-certificates cron", "cron"),
    };
    format!(
        r#"#!/bin/bash
# Provisions the {name} container: runs inside it as root, once per build.
# Context variables from configSettings (and .env) are set. conf/ is mounted
# read-only at /usr/local/conf, bin/ at /usr/local/sbin, and data/ read-write
# at /usr/local/data, which survives rebuilds.
set -euo pipefail

package add {packages}
package install
enableService {service}

echo "$WELCOME" >/etc/motd

# Keep state across rebuilds, e.g. the SSH host keys:
#persist ssh /etc/ssh
"#
    )
}

const ENV_EXAMPLE: &str = "# The keys this container's .env must define (values stay blank here).
# .env is never committed; git lxc sources it before configSettings and masks
# its values in every output. `git lxc verify` checks .env against this list.
#ADMIN_PASSWORD=
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_single_dns_labels() {
        assert!(check_name("pihole").is_ok());
        assert!(check_name("web-2").is_ok());
        for bad in ["", "-web", "web_1", "a.b", "lib", &"x".repeat(64)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debian_sets_ostype_and_alpine_keeps_the_default() {
        let d = config_settings("wiki", Os::Debian);
        assert!(d.lines().any(|l| l == "OPT_OSTYPE=debian"));
        let a = config_settings("dns", Os::Alpine);
        assert!(!a.lines().any(|l| l.starts_with("OPT_OSTYPE")));
        assert!(build_script("dns", Os::Alpine).contains("enableService crond"));
    }
}
