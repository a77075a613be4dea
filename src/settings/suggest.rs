//! The suggestion for an unknown `OPT_` name (SPEC §2): Proxmox's and
//! pct's own words for a setting first (`OPT_MEMORY` is `RAM` here), then
//! the closest setting name.

use super::SETTINGS;

/// Words people carry over from pct, the Proxmox UI and other scripts, the
/// setting they mean here, and where the word comes from.
const PROXMOX_WORDS: &[(&str, &str, &str)] = &[
    ("MEMORY", "RAM", "pct's --memory"),
    ("MEM", "RAM", "pct's --memory"),
    ("SWAPSIZE", "SWAP", "pct's --swap"),
    ("IP", "NET", "net0's ip="),
    ("IPADDR", "NET", "net0's ip="),
    ("IPADDRESS", "NET", "net0's ip="),
    ("ADDRESS", "NET", "net0's ip="),
    ("NET0", "NET", "pct's --net0"),
    ("GW", "GATEWAY", "net0's gw="),
    ("MAC", "MACADDR", "net0's hwaddr="),
    ("HWADDR", "MACADDR", "net0's hwaddr="),
    ("TAG", "VLAN", "net0's tag= (OPT_TAGS sets pct's --tags)"),
    ("VLANID", "VLAN", "net0's tag="),
    ("HOSTNAME", "HOST", "pct's --hostname"),
    ("NAME", "HOST", "pct's --hostname"),
    (
        "STORAGE",
        "DISKSTORE",
        "the storage of pct's --rootfs STORAGE:SIZE",
    ),
    (
        "ROOTFS",
        "DISK",
        "--rootfs STORAGE:SIZE (the storage is OPT_DISKSTORE)",
    ),
    ("DISKSIZE", "DISK", "the size in --rootfs STORAGE:SIZE"),
    ("SIZE", "DISK", "the size in --rootfs STORAGE:SIZE"),
    ("CPU", "CORES", "pct's --cores"),
    ("CPUS", "CORES", "pct's --cores"),
    ("VMID", "CTID", "pct's vmid"),
    ("ID", "CTID", "pct's vmid"),
    ("UNPRIVILEGED", "PRIVTYPE", "pct's --unprivileged"),
    (
        "PRIVILEGED",
        "PRIVTYPE",
        "pct's --unprivileged (PRIVTYPE=0 is privileged)",
    ),
    ("NAMESERVER", "DNS", "pct's --nameserver"),
    ("SEARCHDOMAIN", "DOMAIN", "pct's --searchdomain"),
    (
        "TEMPLATE",
        "OSVERSION",
        "pct's ostemplate (with OPT_OSTYPE)",
    ),
    (
        "OSTEMPLATE",
        "OSVERSION",
        "pct's ostemplate (with OPT_OSTYPE)",
    ),
    ("OS", "OSTYPE", "pct's --ostype"),
    ("START", "ONBOOT", "pct's --onboot"),
    ("PROTECTION", "PROTECT", "pct's --protection"),
    ("SSHKEY", "SSHKEYS", "pct's --ssh-public-keys"),
    ("SSH_PUBLIC_KEYS", "SSHKEYS", "pct's --ssh-public-keys"),
    ("NESTING", "FEATURES", "--features nesting=1"),
    ("KEYCTL", "FEATURES", "--features keyctl=1"),
    ("DESCRIPTION", "APP", "the title of pct's --description"),
    ("BACKUPSTORAGE", "BACKUPSTORE", "vzdump's --storage"),
];

/// The hint for `OPT_<key>`, which is not a known setting.
pub fn unknown_hint(key: &str) -> String {
    let upper = key.to_ascii_uppercase();
    if let Some((_, name, word)) = PROXMOX_WORDS.iter().find(|(w, ..)| *w == upper) {
        return format!(
            "did you mean OPT_{name}? {word} is OPT_{name} here; see `man git-lxc` for the known settings"
        );
    }
    match closest(&upper) {
        Some(name) => {
            format!("did you mean OPT_{name}? See `man git-lxc` for the known settings")
        }
        None => "known settings are listed in `man git-lxc`; drop the OPT_ prefix to make it a context variable for build-target.sh".to_string(),
    }
}

/// The setting name closest to `key`: a small edit distance (one edit for
/// short names), or one name holding the other.
fn closest(key: &str) -> Option<&'static str> {
    let limit = if key.len() <= 3 { 1 } else { 2 };
    SETTINGS
        .iter()
        .map(|s| s.name)
        .filter_map(|name| {
            let d = edit_distance(name, key);
            let holds =
                name.len() > 2 && key.len() > 2 && (key.contains(name) || name.contains(key));
            (d <= limit || holds).then_some((d, name))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxmox_words_then_the_closest_name() {
        for (key, want) in [
            ("MEMORY", "OPT_RAM?"),
            ("IP", "OPT_NET?"),
            ("MAC", "OPT_MACADDR?"),
            ("HOSTNAME", "OPT_HOST?"),
            ("STORAGE", "OPT_DISKSTORE?"),
            ("memory", "OPT_RAM?"),
            ("RAMM", "OPT_RAM?"),
            ("CORE", "OPT_CORES?"),
            ("TEMPLATESTOR", "OPT_TEMPLATESTORE?"),
        ] {
            let hint = unknown_hint(key);
            assert!(
                hint.starts_with(&format!("did you mean {want}")),
                "{key}: {hint}"
            );
        }
        assert!(unknown_hint("MEMORY").contains("pct's --memory"));
        assert!(unknown_hint("XYZZY").starts_with("known settings are listed"));
        // Every word names a real setting.
        for (_, name, _) in PROXMOX_WORDS {
            assert!(SETTINGS.iter().any(|s| s.name == *name), "{name}");
        }
    }
}
