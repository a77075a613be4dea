//! Every build setting: its name, default, kind of value and help (SPEC §2).

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
    spec!(
        "BACKUP",
        "1",
        Kind::Bool,
        "1: back the old container up with vzdump before a rebuild destroys it"
    ),
    spec!(
        "BACKUPSTORE",
        "local",
        Kind::Ident,
        "storage for those backups (content backup)"
    ),
    spec!(
        "KEEPBACKUPS",
        "2",
        Kind::Int { min: 1, max: 100 },
        "backups kept per container"
    ),
    spec!(
        "HEALTHCHECK",
        "",
        Kind::Text,
        "a command run inside the new container after provisioning; non-zero fails the build"
    ),
    spec!(
        "PROTECT",
        "1",
        Kind::Bool,
        "1: --protection 1 on built containers"
    ),
    spec!(
        "LIVECONF",
        "0",
        Kind::Bool,
        "1: mount conf/ and bin/ from the work tree instead of the release folder"
    ),
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
