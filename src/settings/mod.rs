//! Build settings: the known names, their defaults, validation, and the
//! split of evaluated variables into settings and context variables (SPEC §2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bash::{Evaluated, Value};

/// What values a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ctid,
    Int {
        min: i64,
        max: i64,
    },
    /// GiB, fractions allowed, greater than zero.
    Size,
    Bool,
    Hostname,
    Mac,
    Net,
    Ipv4,
    Vlan,
    Mtu,
    OsType,
    /// Storage id or bridge name: `[A-Za-z][A-Za-z0-9_.-]*`.
    Ident,
    Features,
    Tags,
    /// A list of IP addresses (nameservers).
    IpList,
    /// A list of DNS names (search domains).
    DomainList,
    Text,
}

/// One known build setting.
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    pub default: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

macro_rules! spec {
    ($name:literal, $default:literal, $kind:expr, $help:literal) => {
        Spec {
            name: $name,
            default: $default,
            kind: $kind,
            help: $help,
        }
    };
}

/// Every build setting, in the order the man page lists them.
pub const SETTINGS: &[Spec] = &[
    spec!(
        "CTID",
        "",
        Kind::Ctid,
        "container id; default: the id this tree built before, else the next free id"
    ),
    spec!(
        "HOST",
        "",
        Kind::Hostname,
        "hostname; default: the container name"
    ),
    spec!(
        "APP",
        "",
        Kind::Text,
        "free text, the title of the description"
    ),
    spec!(
        "OSTYPE",
        "alpine",
        Kind::OsType,
        "template family and --ostype"
    ),
    spec!(
        "OSVERSION",
        "",
        Kind::Text,
        "template version (e.g. 3.22, 12); default: newest local"
    ),
    spec!(
        "TEMPLATESTORE",
        "local",
        Kind::Ident,
        "storage holding templates"
    ),
    spec!(
        "DISKSTORE",
        "local-lvm",
        Kind::Ident,
        "storage for the root disk"
    ),
    spec!(
        "CHECKTEMPLATE",
        "0",
        Kind::Bool,
        "1: pveam update and download the newest template if missing"
    ),
    spec!("DISK", "0.5", Kind::Size, "root disk size in GiB"),
    spec!("CORES", "1", Kind::Int { min: 1, max: 8192 }, "CPU cores"),
    spec!(
        "RAM",
        "128",
        Kind::Int {
            min: 16,
            max: 268_435_456
        },
        "memory in MiB"
    ),
    spec!(
        "SWAP",
        "512",
        Kind::Int {
            min: 0,
            max: 268_435_456
        },
        "swap in MiB"
    ),
    spec!("PRIVTYPE", "1", Kind::Bool, "1: unprivileged container"),
    spec!(
        "FEATURES",
        "nesting=1",
        Kind::Features,
        "--features; keyctl=1 is added when unprivileged"
    ),
    spec!(
        "ONBOOT",
        "1",
        Kind::Bool,
        "start the container when the host boots"
    ),
    spec!("BRIDGE", "vmbr0", Kind::Ident, "network bridge"),
    spec!(
        "NET",
        "dhcp",
        Kind::Net,
        "dhcp, manual or an IPv4 CIDR address"
    ),
    spec!("GATEWAY", "", Kind::Ipv4, "IPv4 gateway"),
    spec!("MACADDR", "", Kind::Mac, "MAC address (unicast)"),
    spec!("VLAN", "", Kind::Vlan, "VLAN tag 1-4094"),
    spec!("MTU", "", Kind::Mtu, "interface MTU 64-65535"),
    spec!("DNS", "", Kind::IpList, "nameservers; default: the host's"),
    spec!(
        "DOMAIN",
        "",
        Kind::DomainList,
        "search domains; default: the host's"
    ),
    spec!(
        "SSHKEYS",
        "",
        Kind::Text,
        "authorized keys file; default: ~/.ssh/authorized_keys if present"
    ),
    spec!(
        "TAGS",
        "",
        Kind::Tags,
        "extra tags (git-lxc is always added)"
    ),
    spec!(
        "MAP",
        "0",
        Kind::Bool,
        "1: container uid/gid MAPID is the same id on the host"
    ),
    spec!(
        "MAPID",
        "1000",
        Kind::Int { min: 1, max: 65535 },
        "the uid/gid MAP=1 maps"
    ),
    spec!("REBOOT", "1", Kind::Bool, "reboot after provisioning"),
    spec!(
        "VERBOSE",
        "0",
        Kind::Bool,
        "1: trace the provisioning script"
    ),
    spec!("DISABLEIP6", "1", Kind::Bool, "accepted for compatibility"),
];

/// The known setting called `name`.
pub fn spec(name: &str) -> Option<&'static Spec> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The OS types pct accepts for `--ostype` (reference/pct.md §3.2).
pub const OSTYPES: &[&str] = &[
    "debian",
    "devuan",
    "ubuntu",
    "centos",
    "fedora",
    "opensuse",
    "archlinux",
    "alpine",
    "gentoo",
    "nixos",
    "unmanaged",
];

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: Option<usize>,
}

/// A problem with one container's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: &'static str,
    pub origin: Option<Origin>,
    pub message: String,
    pub hint: String,
}

/// One container's settings, resolved: defaults, files, `--set`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    values: BTreeMap<&'static str, String>,
    origins: BTreeMap<&'static str, Origin>,
    /// Every variable the files defined that is not an `OPT_` override.
    pub context: BTreeMap<String, Value>,
}

impl Settings {
    /// The effective value (empty when unset and without default).
    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn is_set(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    pub fn flag(&self, name: &str) -> bool {
        parse_bool(self.get(name)).unwrap_or(false)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).parse().ok()
    }

    pub fn ctid(&self) -> Option<u32> {
        self.get("CTID").parse().ok()
    }

    /// The hostname: HOST, else the container name.
    pub fn hostname(&self) -> &str {
        if self.is_set("HOST") {
            self.get("HOST")
        } else {
            &self.name
        }
    }

    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.origins.get(name)
    }

    /// Every setting with its effective value, in table order.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &str)> {
        SETTINGS.iter().map(|s| (s.name, self.get(s.name)))
    }
}

/// The files sourced for a container, in order (later wins).
pub fn sourced_files(root: &Path, dir: &Path) -> Vec<PathBuf> {
    vec![
        root.join("defaults"),
        root.join(".env"),
        dir.join(".env"),
        dir.join("configSettings"),
    ]
}

/// Split evaluated variables into settings and context variables, apply
/// `overrides` (`--set KEY=VALUE`), and validate every value.
pub fn resolve(
    root: &Path,
    dir: &Path,
    ev: &Evaluated,
    overrides: &[(String, String)],
) -> (Settings, Vec<Problem>) {
    let files = sourced_files(root, dir);
    let mut problems = Vec::new();
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut origins = BTreeMap::new();
    let mut context = BTreeMap::new();
    for s in SETTINGS {
        values.insert(s.name, s.default.to_string());
    }
    for (name, value) in &ev.vars {
        let Some(key) = name.strip_prefix("OPT_") else {
            context.insert(name.clone(), value.clone());
            continue;
        };
        let origin = locate(&files, name);
        let Some(spec) = spec(key) else {
            problems.push(Problem {
                rule: "unknown-opt",
                origin,
                message: format!("{name} is not a known setting"),
                hint: unknown_hint(key),
            });
            continue;
        };
        match value {
            Value::Scalar(v) => {
                values.insert(spec.name, v.clone());
                if let Some(o) = origin {
                    origins.insert(spec.name, o);
                }
            }
            Value::Array(_) => problems.push(Problem {
                rule: "invalid-value",
                origin,
                message: format!("{name} is an array; settings are plain values"),
                hint: format!("assign a single value: {name}=..."),
            }),
        }
    }
    for (key, value) in overrides {
        let key = key.strip_prefix("OPT_").unwrap_or(key);
        match spec(key) {
            Some(spec) => {
                values.insert(spec.name, value.clone());
                origins.insert(
                    spec.name,
                    Origin {
                        file: PathBuf::from("--set"),
                        line: None,
                    },
                );
            }
            None => problems.push(Problem {
                rule: "unknown-opt",
                origin: Some(Origin {
                    file: PathBuf::from("--set"),
                    line: None,
                }),
                message: format!("--set {key}: not a known setting"),
                hint: unknown_hint(key),
            }),
        }
    }
    for s in SETTINGS {
        let value = &values[s.name];
        if value.is_empty() {
            continue;
        }
        if let Err(rule) = check(s.kind, value) {
            problems.push(Problem {
                rule: "invalid-value",
                origin: origins.get(s.name).cloned(),
                message: format!("OPT_{}='{}': {rule}", s.name, value),
                hint: format!("{}: {}", s.name, s.help),
            });
        }
    }
    let settings = Settings {
        name: ev.name.clone(),
        values,
        origins,
        context,
    };
    (settings, problems)
}

fn unknown_hint(key: &str) -> String {
    let close: Vec<&str> = SETTINGS
        .iter()
        .map(|s| s.name)
        .filter(|n| similar(n, key))
        .collect();
    match close.as_slice() {
        [one, ..] => format!("did you mean OPT_{one}? See `man git-lxc` for the known settings"),
        [] => "known settings are listed in `man git-lxc`; drop the OPT_ prefix to make it a context variable for build-target.sh".to_string(),
    }
}

/// Small edit distance, or one name contains the other.
fn similar(a: &str, b: &str) -> bool {
    let b = b.to_ascii_uppercase();
    if a.len() > 2 && (b.contains(a) || a.contains(b.as_str())) {
        return true;
    }
    edit_distance(a, &b) <= 2
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

/// The file and line of the last assignment to `var` among `files`.
pub fn locate(files: &[PathBuf], var: &str) -> Option<Origin> {
    files.iter().rev().find_map(|file| {
        let text = std::fs::read_to_string(file).ok()?;
        let line = text
            .lines()
            .enumerate()
            // A commented-out example (`#OPT_RAM=256`) assigns nothing.
            .filter(|(_, l)| !l.trim_start().starts_with('#') && assigns(l, var))
            .map(|(i, _)| i + 1)
            .last()?;
        Some(Origin {
            file: file.clone(),
            line: Some(line),
        })
    })
}

/// Whether a line assigns `var` (`var=`, `var+=`, `export var=`, `declare … var=`).
fn assigns(line: &str, var: &str) -> bool {
    let mut rest = line;
    while let Some(pos) = rest.find(var) {
        let before = rest[..pos].chars().next_back();
        let after = &rest[pos + var.len()..];
        let boundary = before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'));
        if boundary && (after.starts_with('=') || after.starts_with("+=") || after.starts_with('['))
        {
            return true;
        }
        rest = &rest[pos + var.len()..];
    }
    false
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" | "" => Some(false),
        _ => None,
    }
}

/// Check one value; the error is the rule it breaks.
pub fn check(kind: Kind, v: &str) -> Result<(), String> {
    match kind {
        Kind::Ctid => {
            let ok = v.len() <= 9
                && v.starts_with(|c: char| ('1'..='9').contains(&c))
                && v.chars().all(|c| c.is_ascii_digit())
                && v.parse::<u32>().is_ok_and(|n| n >= 100);
            ok.then_some(())
                .ok_or_else(|| "must be a whole number from 100 to 999999999".into())
        }
        Kind::Int { min, max } => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            Ok(_) => Err(format!("must be from {min} to {max}")),
            Err(_) => Err("must be a whole number".into()),
        },
        Kind::Size => {
            let ok = v.split_once('.').map_or_else(
                || !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()),
                |(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
                },
            ) && v.parse::<f64>().is_ok_and(|f| f > 0.0);
            ok.then_some(())
                .ok_or_else(|| "must be a size in GiB such as 0.5 or 8 (no unit)".into())
        }
        Kind::Bool => parse_bool(v)
            .map(|_| ())
            .ok_or_else(|| "must be 0 or 1".into()),
        Kind::Hostname => is_hostname(v).then_some(()).ok_or_else(|| {
            "must be a DNS name: letters, digits and '-' in dot-separated labels, no '_'".into()
        }),
        Kind::Mac => is_unicast_mac(v).then_some(()).ok_or_else(|| {
            "must be a unicast MAC address XX:XX:XX:XX:XX:XX (second hex digit even)".into()
        }),
        Kind::Net => {
            if v == "dhcp" || v == "manual" || is_ipv4_cidr(v) {
                Ok(())
            } else {
                Err(
                    "must be dhcp, manual or an IPv4 address with prefix length 8-32 (10.0.0.5/24)"
                        .into(),
                )
            }
        }
        Kind::Ipv4 => is_ipv4(v)
            .then_some(())
            .ok_or_else(|| "must be an IPv4 address".into()),
        Kind::Vlan => check(Kind::Int { min: 1, max: 4094 }, v)
            .map_err(|_| "must be a VLAN tag from 1 to 4094".into()),
        Kind::Mtu => check(
            Kind::Int {
                min: 64,
                max: 65535,
            },
            v,
        )
        .map_err(|_| "must be an MTU from 64 to 65535".into()),
        Kind::OsType => OSTYPES
            .contains(&v)
            .then_some(())
            .ok_or_else(|| format!("must be one of: {}", OSTYPES.join(", "))),
        Kind::Ident => {
            let ok = v.starts_with(|c: char| c.is_ascii_alphabetic())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            ok.then_some(())
                .ok_or_else(|| "must be a name of letters, digits, '-', '_' and '.'".into())
        }
        Kind::Features => check_features(v),
        Kind::Tags => {
            let bad = split_list(v).find(|t| {
                !t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    || !t
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+.-".contains(c))
            });
            match bad {
                Some(t) => Err(format!(
                    "tag '{t}' may only hold letters, digits and _+.- (not first)"
                )),
                None => Ok(()),
            }
        }
        Kind::IpList => match split_list(v).find(|a| a.parse::<std::net::IpAddr>().is_err()) {
            Some(a) => Err(format!("'{a}' is not an IP address")),
            None => Ok(()),
        },
        Kind::DomainList => match split_list(v).find(|d| !is_hostname(d)) {
            Some(d) => Err(format!("'{d}' is not a DNS name")),
            None => Ok(()),
        },
        Kind::Text => Ok(()),
    }
}

/// Items of a `,`, `;` or space separated list.
pub fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split([',', ';', ' ', '\t']).filter(|s| !s.is_empty())
}

pub fn is_hostname(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 255
        && v.split('.').all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

pub fn is_unicast_mac(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
        && u8::from_str_radix(parts[0], 16).is_ok_and(|b| b & 1 == 0)
}

pub fn is_ipv4(v: &str) -> bool {
    v.parse::<std::net::Ipv4Addr>().is_ok()
}

pub fn is_ipv4_cidr(v: &str) -> bool {
    v.split_once('/').is_some_and(|(ip, len)| {
        is_ipv4(ip)
            && len.parse::<u8>().is_ok_and(|n| (8..=32).contains(&n))
            && !len.starts_with('+')
    })
}

fn check_features(v: &str) -> Result<(), String> {
    const BOOLS: &[&str] = &["nesting", "keyctl", "fuse", "mknod", "force_rw_sys"];
    for item in v.split(',') {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!("'{item}' must be key=value, e.g. nesting=1"));
        };
        if BOOLS.contains(&key) {
            if parse_bool(value).is_none() || value.is_empty() {
                return Err(format!("{key} must be 0 or 1"));
            }
        } else if key == "mount" {
            if value.is_empty()
                || !value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_; ".contains(c))
            {
                return Err("mount must list filesystem types separated by ';'".into());
            }
        } else {
            return Err(format!(
                "unknown feature '{key}' (known: nesting, keyctl, fuse, mknod, force_rw_sys, mount)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(vars: &[(&str, &str)]) -> Evaluated {
        Evaluated {
            name: "web".into(),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), Value::Scalar(v.to_string())))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_overrides_and_context() {
        let e = ev(&[("OPT_RAM", "256"), ("APP_PORT", "8080")]);
        let (s, problems) = resolve(
            Path::new("/nonexistent"),
            Path::new("/nonexistent/web"),
            &e,
            &[],
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.get("RAM"), "256");
        assert_eq!(s.get("SWAP"), "512");
        assert_eq!(s.get("OSTYPE"), "alpine");
        assert_eq!(s.hostname(), "web");
        assert!(s.context.contains_key("APP_PORT"));
        assert!(!s.context.contains_key("OPT_RAM"));
    }

    #[test]
    fn set_overrides_win_and_unknown_opt_is_reported() {
        let e = ev(&[("OPT_RAM", "256"), ("OPT_RAMM", "1")]);
        let (s, problems) = resolve(
            Path::new("/x"),
            Path::new("/x/web"),
            &e,
            &[("RAM".into(), "512".into())],
        );
        assert_eq!(s.get("RAM"), "512");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rule, "unknown-opt");
        assert!(problems[0].hint.contains("OPT_RAM"), "{}", problems[0].hint);
    }

    #[test]
    fn value_rules() {
        assert!(check(Kind::Ctid, "100").is_ok());
        assert!(check(Kind::Ctid, "99").is_err());
        assert!(check(Kind::Ctid, "0100").is_err());
        assert!(check(Kind::Ctid, "1000000000").is_err());
        assert!(check(Kind::Hostname, "pi-hole.lan").is_ok());
        assert!(check(Kind::Hostname, "pi_hole").is_err());
        assert!(check(Kind::Mac, "BC:24:11:12:34:56").is_ok());
        assert!(check(Kind::Mac, "01:24:11:12:34:56").is_err());
        assert!(check(Kind::Mac, "BC:24:11:12:34").is_err());
        assert!(check(Kind::Net, "dhcp").is_ok());
        assert!(check(Kind::Net, "10.0.0.5/24").is_ok());
        assert!(check(Kind::Net, "10.0.0.5").is_err());
        assert!(check(Kind::Net, "10.0.0.5/33").is_err());
        assert!(check(Kind::Vlan, "4094").is_ok());
        assert!(check(Kind::Vlan, "4095").is_err());
        assert!(check(Kind::Mtu, "63").is_err());
        assert!(check(Kind::OsType, "debian").is_ok());
        assert!(check(Kind::OsType, "windows").is_err());
        assert!(check(Kind::Size, "0.5").is_ok());
        assert!(check(Kind::Size, "8G").is_err());
        assert!(check(Kind::Features, "nesting=1,keyctl=1").is_ok());
        assert!(check(Kind::Features, "nesting").is_err());
        assert!(check(Kind::Tags, "web;prod").is_ok());
        assert!(check(Kind::Tags, "-web").is_err());
        assert!(check(Kind::Int { min: 1, max: 8192 }, "two").is_err());
    }

    #[test]
    fn locates_assignment_lines() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("configSettings");
        std::fs::write(&f, "# OPT_RAM=1 in a comment still counts as text\nX=1\nexport OPT_RAM=64\nNOT_OPT_RAM=3\n").unwrap();
        let o = locate(std::slice::from_ref(&f), "OPT_RAM").unwrap();
        assert_eq!(o.line, Some(3));
        assert_eq!(o.file, f);
    }
}
