//! The Proxmox host: its tools (SPEC §8), reached through the process layer.
//!
//! [`Host`] knows where container configs live and reads the host's state
//! with read-only calls; every command goes through [`process::Runner`], so it
//! is logged (masked), cleared of git-lxc's environment and run through
//! `sudo` when that was chosen.

pub mod facts;
pub mod interrupt;
pub mod process;
pub mod pveconf;
pub mod requirements;
pub mod spawn;
pub mod storage;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::host::process::{Proc, Runner};
use crate::host::pveconf::ConfFile;

/// One line of `pct list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub vmid: u32,
    pub running: bool,
    pub lock: String,
    pub name: String,
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The host tools and where their files are.
#[derive(Debug, Clone)]
pub struct Host {
    pub runner: Runner,
    pve_dir: PathBuf,
}

impl Host {
    pub fn new(runner: Runner) -> Host {
        let pve_dir = std::env::var_os("GIT_LXC_PVE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/etc/pve"));
        Host { runner, pve_dir }
    }

    /// Path of a container's config file (what hooks see as `CTCONF`); a
    /// plan made without a host names it by its CTID's stand-in.
    pub fn conf_path(&self, vmid: impl std::fmt::Display) -> PathBuf {
        self.pve_dir.join("lxc").join(format!("{vmid}.conf"))
    }

    /// Whether this machine is a Proxmox VE host: its `pct` would be found.
    /// Nothing is started.
    pub fn has_pct(&self) -> bool {
        requirements::host_tool_found("pct", self.runner.uses_sudo())
    }

    /// `pct list`, parsed.
    pub fn list(&self) -> Result<Vec<Listed>> {
        let out = self.runner.checked(&Proc::pct(&["list"]))?;
        Ok(parse_list(&out.stdout))
    }

    /// The command reading container configs: one `tail -v`, which puts a
    /// `==> path <==` header before each file (config lines never start
    /// with "==> ").
    pub fn read_configs_cmd(&self, vmids: &[u32]) -> Proc {
        let mut cmd = Proc::host("tail", &["-v", "-n", "+1", "--"]);
        for &id in vmids {
            cmd = cmd.arg(self.conf_path(id).to_string_lossy());
        }
        cmd
    }

    /// Read container configs (a container destroyed since `pct list` has
    /// no file: not an error).
    pub fn read_configs(&self, vmids: &[u32]) -> Result<BTreeMap<u32, ConfFile>> {
        if vmids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let cmd = self.read_configs_cmd(vmids);
        let out = self.runner.output(&cmd)?;
        if !out.status.success() && !out.stderr.lines().all(|l| l.contains("No such file")) {
            return Err(self.runner.failure(&cmd, out.status, &out.stderr).into());
        }
        Ok(parse_tail(&out.stdout))
    }

    /// `pvesh get PATH ARGS… --output-format json`: a read-only API call's
    /// JSON text.
    pub fn pvesh_json(&self, path: &str, args: &[&str]) -> Result<String> {
        let cmd = Proc::host("pvesh", &["get", path])
            .args(args.iter().copied())
            .args(["--output-format", "json"]);
        Ok(self.runner.checked(&cmd)?.stdout)
    }

    /// The command appending `lines` to a host file (a container config, or
    /// `/etc/subuid`), created when missing.
    pub fn append(path: &Path, lines: &[String]) -> Proc {
        let mut text = String::new();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        Proc::host("tee", &["-a", &path.to_string_lossy()]).input(text, false)
    }
}

/// Split `tail -v` output into the configs it holds.
fn parse_tail(text: &str) -> BTreeMap<u32, ConfFile> {
    let mut confs = BTreeMap::new();
    let mut current: Option<(u32, String)> = None;
    let mut flush = |current: &mut Option<(u32, String)>| {
        if let Some((id, text)) = current.take() {
            confs.insert(id, ConfFile::parse(&text));
        }
    };
    for line in text.lines() {
        if let Some(path) = line
            .strip_prefix("==> ")
            .and_then(|l| l.strip_suffix(" <=="))
        {
            flush(&mut current);
            current = Path::new(path)
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse().ok())
                .map(|id| (id, String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(&mut current);
    confs
}

/// Parse `pct list` (fixed-width columns VMID, Status, Lock, Name).
pub fn parse_list(text: &str) -> Vec<Listed> {
    text.lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let vmid: u32 = cols.next()?.parse().ok()?;
            let status = cols.next()?;
            // Lock is empty when unset: decide by column offset (22).
            let lock = line.get(22..35).map(str::trim).unwrap_or("").to_string();
            let name = line.get(35..).map(str::trim).unwrap_or("").to_string();
            Some(Listed {
                vmid,
                running: status == "running",
                lock,
                name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_tail_output() {
        let text = "==> /p/lxc/100.conf <==\narch: amd64\n\n==> /p/lxc/101.conf <==\ncores: 2\n";
        let confs = parse_tail(text);
        assert_eq!(confs.len(), 2);
        assert_eq!(confs[&101].options["cores"], "2");
    }

    #[test]
    fn parses_pct_list() {
        let text = "VMID       Status     Lock         Name                \n100        running                 web1                \n101        stopped    create       db                  \n";
        let l = parse_list(text);
        assert_eq!(l.len(), 2);
        assert_eq!(
            l[0],
            Listed {
                vmid: 100,
                running: true,
                lock: String::new(),
                name: "web1".into()
            }
        );
        assert_eq!(l[1].lock, "create");
        assert!(!l[1].running);
    }
}
