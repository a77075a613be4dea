//! The backups git-lxc took of a container, as the backup storage lists them.

use anyhow::{Context, Result};

use crate::host::Host;

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
    let id = ctid.to_string();
    let json = host.pvesh_json(&path, &["--content", "backup", "--vmid", &id])?;
    let items: Vec<serde_json::Value> = serde_json::from_str(&json)
        .with_context(|| format!("pvesh's content list of '{store}' is no JSON array"))?;
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
