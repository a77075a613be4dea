//! What the host holds, read with read-only calls only: its containers,
//! their configs and records, and (for `status`) their addresses.

use std::collections::BTreeMap;

use anyhow::Result;

use super::process::Proc;
use super::pveconf::ConfFile;
use super::{Host, Listed};
use crate::build::record::Record;
use crate::term;

/// The host's containers and their configs.
#[derive(Debug, Clone, Default)]
pub struct HostFacts {
    pub listed: Vec<Listed>,
    pub confs: BTreeMap<u32, ConfFile>,
}

impl HostFacts {
    /// `pct list` and every container's config (one more call).
    pub fn read(host: &Host) -> Result<HostFacts> {
        let listed = host.list()?;
        let ids: Vec<u32> = listed.iter().map(|l| l.vmid).collect();
        let confs = host.read_configs(&ids)?;
        Ok(HostFacts { listed, confs })
    }

    /// [`HostFacts::read`] and, at the same time, every container's IPv4
    /// address (`lxc-ls`), so the wall time is about one call's.
    pub fn read_with_ips(host: &Host) -> Result<(HostFacts, BTreeMap<u32, String>)> {
        std::thread::scope(|scope| {
            let ips = scope.spawn(|| read_ips(host));
            let facts = HostFacts::read(host)?;
            let ips = ips.join().expect("the lxc-ls thread panicked")?;
            Ok((facts, ips))
        })
    }

    pub fn listed(&self, vmid: u32) -> Option<&Listed> {
        self.listed.iter().find(|l| l.vmid == vmid)
    }

    pub fn record(&self, vmid: u32) -> Option<Record> {
        self.confs
            .get(&vmid)
            .and_then(|c| Record::parse(&c.description))
    }

    /// Containers whose record names `name` of tree `tree`, lowest id first.
    pub fn built_from(&self, tree: &str, name: &str) -> Vec<u32> {
        self.listed
            .iter()
            .filter(|l| {
                self.record(l.vmid)
                    .is_some_and(|r| r.belongs_to(tree, name))
            })
            .map(|l| l.vmid)
            .collect()
    }
}

/// The template files in storage `store` (`pveam list STORE`); none when
/// the call fails (the caller then knows of no newer release).
pub fn local_templates(host: &Host, store: &str) -> Result<Vec<String>> {
    let out = host.runner.output(&Proc::host("pveam", &["list", store]))?;
    if !out.status.success() {
        term::detail(format!(
            "pveam list {store} failed; newer OS releases not shown: {}",
            out.stderr.trim()
        ));
        return Ok(Vec::new());
    }
    Ok(crate::build::template::parse_pveam_list(&out.stdout))
}

/// The Proxmox node this runs on: where the cluster file system's `local`
/// link points (`/etc/pve/local` -> `nodes/NODE`), else the host name up to
/// its first dot, as Proxmox names its nodes.
pub fn node_name(host: &Host) -> String {
    let linked = std::fs::read_link(host.pve_dir.join("local"))
        .ok()
        .and_then(|t| Some(t.file_name()?.to_string_lossy().into_owned()));
    let name = linked.unwrap_or_else(|| {
        let name = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        name.trim().split('.').next().unwrap_or("").to_string()
    });
    if name.is_empty() {
        "localhost".to_string()
    } else {
        name
    }
}

/// IPv4 addresses of all running containers in one call; none when
/// `lxc-ls` fails (the table then shows no IPs).
fn read_ips(host: &Host) -> Result<BTreeMap<u32, String>> {
    let out = host.runner.output(&Proc::host(
        "lxc-ls",
        &["--fancy", "--fancy-format", "NAME,STATE,IPV4"],
    ))?;
    if !out.status.success() {
        term::detail(format!(
            "lxc-ls failed; IPs not shown: {}",
            out.stderr.trim()
        ));
        return Ok(BTreeMap::new());
    }
    Ok(parse_lxc_ls(&out.stdout))
}

/// Parse `lxc-ls --fancy` output by the header's column offsets.
pub fn parse_lxc_ls(text: &str) -> BTreeMap<u32, String> {
    let mut lines = text.lines();
    let Some(ip_col) = lines.next().and_then(|header| header.find("IPV4")) else {
        return BTreeMap::new();
    };
    lines
        .filter_map(|l| {
            let id: u32 = l.split_whitespace().next()?.parse().ok()?;
            let ips = l.get(ip_col..)?.trim();
            let first = ips.split(',').next()?.trim();
            (first != "-" && !first.is_empty()).then(|| (id, first.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lxc_ls_fancy() {
        let text = "NAME STATE   IPV4\n101  RUNNING 10.0.3.5, 10.0.4.5\n102  STOPPED -\n";
        assert_eq!(
            parse_lxc_ls(text),
            BTreeMap::from([(101, "10.0.3.5".to_string())])
        );
    }
}
