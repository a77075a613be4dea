//! The backups git-lxc took of a container, as the backup storage lists them.

use anyhow::{Context, Result};

use crate::host::Host;
use crate::host::process::Proc;

/// A backup git-lxc took: its volume id and the commit (12 hex) of the
/// build it holds, from its notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub volid: String,
    pub commit: String,
}

/// The backups of CT `ctid` that git-lxc took for `name` (by their notes),
/// oldest first: one read-only call. Protected backups are not listed.
pub fn our_backups(host: &Host, store: &str, ctid: u32, name: &str) -> Result<Vec<Backup>> {
    let path = format!("/nodes/localhost/storage/{store}/content");
    let list = Proc::host("pvesh", &["get", &path, "--content", "backup"]).args([
        "--vmid",
        &ctid.to_string(),
        "--output-format",
        "json",
    ]);
    let out = host.runner.checked(&list)?;
    let items: Vec<serde_json::Value> = serde_json::from_str(&out.stdout)
        .with_context(|| format!("`{}` printed no JSON array", host.runner.shown(&list)))?;
    let prefix = format!("git-lxc {name} ");
    let mut ours: Vec<(i64, Backup)> = items
        .iter()
        .filter(|i| i["protected"].as_i64() != Some(1))
        .filter_map(|i| {
            let commit = i["notes"].as_str()?.strip_prefix(&prefix)?;
            let backup = Backup {
                volid: i["volid"].as_str()?.to_string(),
                commit: commit.trim().to_string(),
            };
            Some((i["ctime"].as_i64()?, backup))
        })
        .collect();
    ours.sort_by(|a, b| (a.0, &a.1.volid).cmp(&(b.0, &b.1.volid)));
    Ok(ours.into_iter().map(|(_, b)| b).collect())
}
