//! Build settings (SPEC §2): the evaluated variables split into settings
//! and context variables, validated once, and turned into one typed
//! [`Settings`] with each value's origin.

mod check;
mod sources;
mod suggest;
mod table;

pub use check::{check, is_hostname, is_ipv4_cidr, is_unicast_mac, parse_bool, split_list};
pub use sources::Sources;
pub use table::{SETTINGS, spec};

use suggest::unknown_hint;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use crate::bash::{Evaluated, Value};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: Option<usize>,
}

impl Origin {
    fn set() -> Origin {
        Origin {
            file: PathBuf::from("--set"),
            line: None,
        }
    }
}

/// A value that broke its setting's rule, and where it was assigned: the
/// setting keeps its default (see [`Settings::rejected`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub value: String,
    /// `None`: the evaluation set it, but no file line assigns it.
    pub origin: Option<Origin>,
    /// The rule it breaks: `must be a whole number`.
    pub rule: String,
}

/// A problem with one container's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: &'static str,
    pub origin: Option<Origin>,
    pub message: String,
    pub hint: String,
}

/// `NET`: how eth0 gets its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Net {
    Dhcp,
    Manual,
    /// An IPv4 address with prefix length, `10.0.0.5/24`.
    Static(String),
}

impl Net {
    /// The value of pct's `ip=`.
    pub fn as_str(&self) -> &str {
        match self {
            Net::Dhcp => "dhcp",
            Net::Manual => "manual",
            Net::Static(cidr) => cidr,
        }
    }

    /// The address of a static NET, without its prefix length.
    pub fn static_address(&self) -> Option<&str> {
        match self {
            Net::Static(cidr) => cidr.split('/').next(),
            _ => None,
        }
    }
}

/// One container's settings, resolved (defaults, files, `--set`) and typed.
/// A value that broke its rule is reported as a [`Problem`] and left at its
/// default here, so a build (which refuses on any problem) never sees it.
#[derive(Debug, Clone)]
pub struct Settings {
    pub ctid: Option<u32>,
    /// HOST, else the container name.
    pub hostname: String,
    /// Whether HOST was set (the name is used otherwise).
    pub host_set: bool,
    pub app: String,
    pub ostype: String,
    /// Empty: the newest local template.
    pub osversion: String,
    pub templatestore: String,
    pub diskstore: String,
    pub checktemplate: bool,
    /// GiB, as written (`0.5`).
    pub disk: String,
    pub cores: u32,
    pub ram: u32,
    pub swap: u32,
    pub unprivileged: bool,
    pub features: String,
    pub onboot: bool,
    pub bridge: String,
    pub net: Net,
    pub gateway: Option<Ipv4Addr>,
    pub macaddr: Option<String>,
    pub vlan: Option<u16>,
    pub mtu: Option<u16>,
    pub dns: Vec<String>,
    pub domain: Vec<String>,
    pub sshkeys: Option<String>,
    pub tags: Vec<String>,
    pub map: bool,
    pub mapid: u32,
    pub reboot: bool,
    pub verbose: bool,
    pub backup: bool,
    pub backupstore: String,
    pub keepbackups: u32,
    /// Run inside the new container after provisioning.
    pub healthcheck: Option<String>,
    pub protect: bool,
    pub liveconf: bool,
    /// Every variable the files defined that is not an `OPT_` override.
    pub context: BTreeMap<String, Value>,
    /// Each setting's effective value as written, in table order.
    values: Vec<(&'static str, String)>,
    origins: BTreeMap<&'static str, Origin>,
    rejected: BTreeMap<&'static str, Rejected>,
}

impl Settings {
    /// Every setting with its effective value as written, in table order
    /// (the names the build script and hooks see).
    pub fn values(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// Every setting by its plain name with HOST the hostname: what hooks
    /// see in their environment.
    pub fn hook_vars(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = self
            .values()
            .filter(|(k, _)| *k != "HOST")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.push(("HOST".to_string(), self.hostname.clone()));
        vars
    }

    /// Where setting `name` was set (`None`: its default, also when the
    /// value assigned to it was [`rejected`](Settings::rejected)).
    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.origins.get(name)
    }

    /// The invalid value assigned to setting `name`, which it does not hold.
    pub fn rejected(&self, name: &str) -> Option<&Rejected> {
        self.rejected.get(name)
    }

    /// Type the validated raw values.
    fn typed(name: &str, raw: Raw) -> Settings {
        let Raw {
            values: raw,
            origins,
            rejected,
            context,
            ..
        } = raw;
        let v = |k: &str| raw.get(k).map(String::as_str).unwrap_or("");
        let opt = |k: &str| Some(v(k).to_string()).filter(|s| !s.is_empty());
        let flag = |k: &str| parse_bool(v(k)).unwrap_or(false);
        let num = |k: &str| v(k).parse::<u32>().ok();
        let list = |k: &str| split_list(v(k)).map(str::to_string).collect::<Vec<_>>();
        let net = match v("NET") {
            "manual" => Net::Manual,
            cidr if is_ipv4_cidr(cidr) => Net::Static(cidr.to_string()),
            _ => Net::Dhcp,
        };
        Settings {
            ctid: num("CTID"),
            hostname: opt("HOST").unwrap_or_else(|| name.to_string()),
            host_set: opt("HOST").is_some(),
            app: v("APP").to_string(),
            ostype: v("OSTYPE").to_string(),
            osversion: v("OSVERSION").to_string(),
            templatestore: v("TEMPLATESTORE").to_string(),
            diskstore: v("DISKSTORE").to_string(),
            checktemplate: flag("CHECKTEMPLATE"),
            disk: v("DISK").to_string(),
            cores: num("CORES").unwrap_or(1),
            ram: num("RAM").unwrap_or(128),
            swap: num("SWAP").unwrap_or(512),
            unprivileged: flag("PRIVTYPE"),
            features: v("FEATURES").to_string(),
            onboot: flag("ONBOOT"),
            bridge: v("BRIDGE").to_string(),
            net,
            gateway: v("GATEWAY").parse().ok(),
            macaddr: opt("MACADDR").filter(|m| is_unicast_mac(m)),
            vlan: v("VLAN").parse().ok(),
            mtu: v("MTU").parse().ok(),
            dns: list("DNS"),
            domain: list("DOMAIN"),
            sshkeys: opt("SSHKEYS"),
            tags: list("TAGS"),
            map: flag("MAP"),
            mapid: num("MAPID").unwrap_or(1000),
            reboot: flag("REBOOT"),
            verbose: flag("VERBOSE"),
            backup: flag("BACKUP"),
            backupstore: v("BACKUPSTORE").to_string(),
            keepbackups: num("KEEPBACKUPS").unwrap_or(2),
            healthcheck: opt("HEALTHCHECK"),
            protect: flag("PROTECT"),
            liveconf: flag("LIVECONF"),
            context,
            values: SETTINGS
                .iter()
                .map(|s| (s.name, v(s.name).to_string()))
                .collect(),
            origins,
            rejected,
        }
    }
}

/// Settings as the files and `--set` wrote them, before typing.
struct Raw {
    values: BTreeMap<&'static str, String>,
    origins: BTreeMap<&'static str, Origin>,
    rejected: BTreeMap<&'static str, Rejected>,
    context: BTreeMap<String, Value>,
    problems: Vec<Problem>,
}

impl Raw {
    /// Defaults, then every setting the files assign by its plain name
    /// (`RAM=384`), then every `OPT_` override (`OPT_RAM=512`), which wins
    /// as in the original script; the other variables are context variables.
    fn from_files(files: &Sources, ev: &Evaluated) -> Raw {
        let mut raw = Raw {
            values: SETTINGS
                .iter()
                .map(|s| (s.name, s.default.to_string()))
                .collect(),
            origins: BTreeMap::new(),
            rejected: BTreeMap::new(),
            context: BTreeMap::new(),
            problems: Vec::new(),
        };
        for (name, value) in &ev.vars {
            match spec(name) {
                Some(spec) => raw.assign(spec, name, value, files),
                None if name.starts_with("OPT_") => {}
                None => {
                    raw.context.insert(name.clone(), value.clone());
                }
            }
        }
        for (name, value) in &ev.vars {
            let Some(key) = name.strip_prefix("OPT_") else {
                continue;
            };
            match spec(key) {
                Some(spec) => raw.assign(spec, name, value, files),
                None => raw.problems.push(Problem {
                    rule: "unknown-opt",
                    origin: files.locate(name),
                    message: format!("{name} is not a known setting"),
                    hint: unknown_hint(key),
                }),
            }
        }
        raw
    }

    /// Setting `spec` assigned as variable `name` (`RAM` or `OPT_RAM`).
    fn assign(&mut self, spec: &'static table::Spec, name: &str, value: &Value, files: &Sources) {
        let origin = files.locate(name);
        match value {
            Value::Scalar(v) => {
                self.values.insert(spec.name, v.clone());
                match origin {
                    Some(o) => self.origins.insert(spec.name, o),
                    None => self.origins.remove(spec.name),
                };
            }
            Value::Array(_) => self.problems.push(Problem {
                rule: "invalid-value",
                origin,
                message: format!("{name} is an array; settings are plain values"),
                hint: format!("assign a single value: {name}=..."),
            }),
        }
    }

    /// `--set KEY=VALUE` overrides win.
    fn apply(&mut self, overrides: &[(String, String)]) {
        for (key, value) in overrides {
            let key = key.strip_prefix("OPT_").unwrap_or(key);
            match spec(key) {
                Some(spec) => {
                    self.values.insert(spec.name, value.clone());
                    self.origins.insert(spec.name, Origin::set());
                }
                None => self.problems.push(Problem {
                    rule: "unknown-opt",
                    origin: Some(Origin::set()),
                    message: format!("--set {key}: not a known setting"),
                    hint: unknown_hint(key),
                }),
            }
        }
    }

    /// Check every value; a bad one is a problem and goes back to its
    /// default, which is then where the value comes from.
    fn validate(&mut self) {
        for s in SETTINGS {
            let value = &self.values[s.name];
            if value.is_empty() {
                continue;
            }
            if let Err(rule) = check(s.kind, value) {
                let origin = self.origins.remove(s.name);
                self.problems.push(Problem {
                    rule: "invalid-value",
                    origin: origin.clone(),
                    message: format!("OPT_{}='{}': {rule}", s.name, value),
                    hint: format!("{}: {}", s.name, s.help),
                });
                let value = std::mem::replace(
                    self.values
                        .get_mut(s.name)
                        .expect("every setting has a value"),
                    s.default.to_string(),
                );
                self.rejected.insert(
                    s.name,
                    Rejected {
                        value,
                        origin,
                        rule,
                    },
                );
            }
        }
    }
}

/// Split evaluated variables into settings and context variables, apply
/// `overrides` (`--set KEY=VALUE`), validate every value, and type them;
/// origins come from the files bash sourced for the container in `dir`.
pub fn resolve(
    root: &Path,
    dir: &Path,
    ev: &Evaluated,
    overrides: &[(String, String)],
) -> (Settings, Vec<Problem>) {
    resolve_in(&Sources::read(root, dir), ev, overrides)
}

/// [`resolve`], with the sourced files already read.
pub fn resolve_in(
    files: &Sources,
    ev: &Evaluated,
    overrides: &[(String, String)],
) -> (Settings, Vec<Problem>) {
    let mut raw = Raw::from_files(files, ev);
    raw.apply(overrides);
    raw.validate();
    let problems = std::mem::take(&mut raw.problems);
    (Settings::typed(&ev.name, raw), problems)
}

#[cfg(test)]
mod tests;
