//! The host's storages and bridges, read with read-only calls, and the
//! checks a tree's settings make against them (`doctor` prints them; a
//! build refuses on them before anything is destroyed).
//!
//! Storages come from `pvesh get /nodes/localhost/storage` (pct.md §11.3),
//! bridges from `pvesh get /nodes/localhost/network` (§11.4), both as JSON.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use super::Host;

const GIB: f64 = (1u64 << 30) as f64;

/// A problem found on the host, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostProblem {
    pub message: String,
    pub fix: String,
}

impl HostProblem {
    fn new(message: impl Into<String>, fix: impl Into<String>) -> HostProblem {
        HostProblem {
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// One storage as `GET /nodes/<node>/storage` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Storage {
    pub storage: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Comma list: `images,rootdir`.
    #[serde(default)]
    pub content: String,
    #[serde(default, deserialize_with = "flag")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "flag")]
    pub active: bool,
    /// Bytes.
    #[serde(default, deserialize_with = "bytes")]
    pub avail: u64,
    #[serde(default, deserialize_with = "bytes")]
    pub total: u64,
}

impl Storage {
    pub fn holds(&self, content: &str) -> bool {
        self.content.split(',').any(|c| c.trim() == content)
    }
}

/// The host's storages.
#[derive(Debug, Clone, Default)]
pub struct Storages(pub Vec<Storage>);

impl Storages {
    pub fn read(host: &Host) -> Result<Storages> {
        let json = host.pvesh_json("/nodes/localhost/storage", &[])?;
        Storages::parse(&json)
    }

    pub fn parse(json: &str) -> Result<Storages> {
        let list: Vec<Storage> =
            serde_json::from_str(json).context("cannot parse pvesh's storage list")?;
        Ok(Storages(list))
    }

    pub fn get(&self, name: &str) -> Option<&Storage> {
        self.0.iter().find(|s| s.storage == name)
    }

    /// The enabled storages holding `content`, by name.
    fn holding(&self, content: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|s| s.enabled && s.holds(content))
            .map(|s| s.storage.as_str())
            .collect()
    }
}

/// What a storage is used for: the setting naming it and the content it
/// must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Use {
    /// DISKSTORE: container root disks.
    Disk,
    /// TEMPLATESTORE: container templates.
    Template,
    /// BACKUPSTORE: `vzdump` backups.
    Backup,
}

impl Use {
    pub fn setting(self) -> &'static str {
        match self {
            Use::Disk => "DISKSTORE",
            Use::Template => "TEMPLATESTORE",
            Use::Backup => "BACKUPSTORE",
        }
    }

    /// The content type, as pvesm names it.
    pub fn content(self) -> &'static str {
        match self {
            Use::Disk => "rootdir",
            Use::Template => "vztmpl",
            Use::Backup => "backup",
        }
    }
}

/// Why storage `name` cannot serve `usage` with `need_gib` GiB free: it
/// does not exist, is disabled or offline, lacks the content type, or is
/// too full.
pub fn storage_problem(
    storages: &Storages,
    name: &str,
    usage: Use,
    need_gib: f64,
) -> Option<HostProblem> {
    let (setting, content) = (usage.setting(), usage.content());
    let others = || match storages.holding(content).as_slice() {
        [] => format!("no storage of this host holds {content}: add one (`pvesm add …`)"),
        names => format!("set OPT_{setting} to one that does: {}", names.join(", ")),
    };
    let Some(s) = storages.get(name) else {
        return Some(HostProblem::new(
            format!("{setting} '{name}' does not exist on this host"),
            others(),
        ));
    };
    if !s.enabled {
        return Some(HostProblem::new(
            format!("{setting} '{name}' is disabled"),
            format!(
                "enable it (`pvesm set {name} --disable 0`), or {}",
                others()
            ),
        ));
    }
    if !s.active {
        return Some(HostProblem::new(
            format!("{setting} '{name}' is not active (offline or unreachable)"),
            format!("bring it online (see `pvesm status --storage {name}`)"),
        ));
    }
    if !s.holds(content) {
        let now = if s.content.is_empty() {
            "nothing"
        } else {
            &s.content
        };
        return Some(HostProblem::new(
            format!("{setting} '{name}' does not hold {content} (it holds {now})"),
            format!(
                "add {content} to its content (`pvesm set {name} --content {}{content}`), or {}",
                if s.content.is_empty() {
                    String::new()
                } else {
                    format!("{},", s.content)
                },
                others()
            ),
        ));
    }
    let avail = s.avail as f64 / GIB;
    if need_gib > 0.0 && avail < need_gib {
        return Some(HostProblem::new(
            format!(
                "{setting} '{name}' has {} GiB free, {} GiB needed",
                gib(avail),
                gib(need_gib)
            ),
            format!("free space on '{name}', or lower OPT_DISK"),
        ));
    }
    None
}

/// `1.5`, `0.25`, `12`: GiB with at most two decimals.
fn gib(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One interface of `GET /nodes/<node>/network`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Interface {
    pub iface: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "flag")]
    pub active: bool,
}

/// The host's network interfaces.
#[derive(Debug, Clone, Default)]
pub struct Bridges(pub Vec<Interface>);

impl Bridges {
    pub fn read(host: &Host) -> Result<Bridges> {
        let json = host.pvesh_json("/nodes/localhost/network", &[])?;
        Bridges::parse(&json)
    }

    pub fn parse(json: &str) -> Result<Bridges> {
        let list: Vec<Interface> =
            serde_json::from_str(json).context("cannot parse pvesh's network list")?;
        Ok(Bridges(list))
    }

    /// The names of the interfaces a container can attach to.
    pub fn names(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|i| is_bridge(&i.kind))
            .map(|i| i.iface.as_str())
            .collect()
    }
}

fn is_bridge(kind: &str) -> bool {
    matches!(kind, "bridge" | "OVSBridge" | "vnet")
}

/// Why BRIDGE `name` cannot carry a container's `net0`.
pub fn bridge_problem(bridges: &Bridges, name: &str) -> Option<HostProblem> {
    let names = bridges.names();
    let fix = || match names.as_slice() {
        [] => "add a Linux bridge (Datacenter > node > Network, or /etc/network/interfaces)"
            .to_string(),
        names => format!("set OPT_BRIDGE to one of: {}", names.join(", ")),
    };
    match bridges.0.iter().find(|i| i.iface == name) {
        None => Some(HostProblem::new(
            format!("BRIDGE '{name}' does not exist on this host"),
            fix(),
        )),
        Some(i) if !is_bridge(&i.kind) => Some(HostProblem::new(
            format!("BRIDGE '{name}' is a {} interface, not a bridge", i.kind),
            fix(),
        )),
        Some(_) => None,
    }
}

/// The host uid an unprivileged container's root has (PVE's default map).
pub const CONTAINER_ROOT: u32 = 100_000;

/// Whether host uid `uid` (no supplementary groups) may do `bits` (`r`=4,
/// `w`=2, `x`=1) on a file of this mode and owner.
fn allowed(meta: &std::fs::Metadata, uid: u32, bits: u32) -> bool {
    let mode = meta.mode();
    let granted = if meta.uid() == uid {
        mode >> 6
    } else if meta.gid() == uid {
        mode >> 3
    } else {
        mode
    };
    granted & bits == bits
}

/// What an unprivileged container's root must be able to do with a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Pass through it (`x`), to a mount source below.
    Pass,
    /// Read it (`r-x`): a read-only mount source.
    Read,
    /// Write into it (`rwx`): `data/`.
    Write,
}

/// A folder that keeps an unprivileged container's root out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub dir: PathBuf,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub need: Access,
}

impl Blocked {
    pub fn problem(&self) -> HostProblem {
        let (dir, mode) = (self.dir.display(), self.mode);
        let who = format!("an unprivileged container's root (host uid {CONTAINER_ROOT})");
        match self.need {
            Access::Pass => HostProblem::new(
                format!(
                    "{dir} is mode {mode:04o} (owner uid {}): {who} cannot pass through it to the mount sources below",
                    self.uid
                ),
                format!("chmod o+x {dir}, or keep the tree outside it (e.g. in /srv)"),
            ),
            Access::Read => HostProblem::new(
                format!(
                    "{dir} is mode {mode:04o} (owner uid {}): {who} cannot read this mount source",
                    self.uid
                ),
                format!("chmod o+rx {dir}"),
            ),
            Access::Write => HostProblem::new(
                format!(
                    "{dir} is mode {mode:04o} (owner {}:{}): {who} cannot write to it",
                    self.uid, self.gid
                ),
                format!(
                    "chown {CONTAINER_ROOT}:{CONTAINER_ROOT} {dir} (as git-lxc does when it creates data/)"
                ),
            ),
        }
    }
}

/// The first folder, from `/` down to `path`, that keeps an unprivileged
/// container's root from doing `need` with `path`.
pub fn container_root_blocker(path: &Path, need: Access) -> std::io::Result<Option<Blocked>> {
    let mut ancestors: Vec<&Path> = path.ancestors().collect();
    ancestors.reverse();
    for dir in ancestors {
        let meta = std::fs::metadata(dir)?;
        let (bits, what) = match (dir == path, need) {
            (false, _) | (true, Access::Pass) => (1, Access::Pass),
            (true, Access::Read) => (5, Access::Read),
            (true, Access::Write) => (7, Access::Write),
        };
        if !allowed(&meta, CONTAINER_ROOT, bits) {
            return Ok(Some(Blocked {
                dir: dir.to_path_buf(),
                mode: meta.mode() & 0o7777,
                uid: meta.uid(),
                gid: meta.gid(),
                need: what,
            }));
        }
    }
    Ok(None)
}

/// 0/1 as PVE writes flags (a number, sometimes a string or a bool).
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|v| v != 0.0),
        serde_json::Value::String(s) => !matches!(s.as_str(), "" | "0"),
        _ => false,
    })
}

/// A byte count (a number, or a string of one).
fn bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64().map_or(0, |v| v.max(0.0) as u64),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

#[cfg(test)]
#[path = "storage_tests.rs"]
mod tests;
