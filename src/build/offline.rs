//! A plan made without a Proxmox VE host (`plan` where `pct` is absent),
//! from the tree alone. What the host would decide is shown by a marked
//! stand-in (`<CTID>`, `<newest debian-12 template>`), and the plan says
//! what each one stands for.

use serde::Serialize;

use super::CtidArg;
use super::plan::Template;
use super::template;
use crate::settings::Settings;

/// Stands for the CTID the host gives.
pub const CTID: &str = "<CTID>";

/// Said on stderr when a plan is made without a host.
pub const NOTE: &str = "note: no Proxmox VE host here (`pct` was not found): planned from the tree alone; what the host decides is marked in the plan";

/// What a plan made without a host does not check.
pub const NOT_CHECKED: &str =
    "the storages, the bridge and the mount sources (`git lxc doctor` checks them on the host)";

/// One thing the host decides: the stand-in the commands show for it, if
/// any, and what the host puts there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostDecides {
    pub stand_in: Option<String>,
    pub what: String,
}

/// The template of a plan made without a host (a stand-in) and what that
/// plan leaves to the host: the CTID (unless known without it), the
/// template, whether a container with that CTID is replaced, and the files
/// of this machine it read in the host's place.
pub fn template_and_decisions(s: &Settings, ctid: CtidArg) -> (Template, Vec<HostDecides>) {
    let (template, meaning) = template::stand_in(s);
    let mut decides = Vec::new();
    if ctid == CtidArg::Host {
        decides.push(HostDecides {
            stand_in: Some(CTID.to_string()),
            what: "the container this folder built before, else the next free id (`pvesh get /cluster/nextid`) that no other folder's OPT_CTID takes".to_string(),
        });
    }
    decides.push(HostDecides {
        stand_in: Some(template.volid.clone()),
        what: meaning,
    });
    let backup = match s.backup {
        true => format!(", backs it up to {}", s.backupstore),
        false => String::new(),
    };
    decides.push(HostDecides {
        stand_in: None,
        what: format!(
            "whether CT {ctid} exists: if so, a rebuild first shuts it down{backup} and destroys it (`build` refuses, and so does a rebuild if git-lxc did not build it)"
        ),
    });
    decides.push(HostDecides {
        stand_in: None,
        what: "the tree's paths, the SSH keys and /etc/subuid, /etc/subgid: read on this machine here, the host's may differ".to_string(),
    });
    (template, decides)
}
