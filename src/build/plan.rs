//! The build as data (SPEC §5): the ordered steps a build or rebuild runs.
//!
//! Computed from the settings, the tree and facts read from the host, before
//! anything changes; `plan` prints it, `build`/`rebuild` execute it, tests
//! compare it.

use std::path::PathBuf;

use crate::build::record::State;
use crate::host::HostCmd;
use crate::settings::Settings;

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run `HOOK_<name>` on the host.
    Hook(&'static str),
    /// Create `data/` if missing.
    MakeDataDir(PathBuf),
    /// A host command that must succeed.
    Run(HostCmd),
    /// `pveam download`, checked afterwards (pveam exits 0 on failure).
    Download { cmd: HostCmd, volid: String },
    /// Shut down (then stop if it will not), when running.
    Shutdown(u32),
    /// Run `HOOK_customMounts` and check every bind-mount source it names,
    /// before anything is destroyed.
    CustomMounts,
    /// `pct create` with the folder's mounts and those of `HOOK_customMounts`.
    Create {
        cmd: HostCmd,
        mounts: Vec<Mount>,
        custom_mounts: bool,
    },
    /// Append raw `lxc.*` lines to the container's config.
    AppendConfig(Vec<String>),
    /// Add lines to `/etc/subuid` / `/etc/subgid` when missing.
    SubIds(Vec<(PathBuf, String)>),
    /// Wait for an IPv4 address (bounded).
    WaitIp,
    /// Run the provisioning script inside, streaming its output.
    Provision(HostCmd),
    /// Write the provenance record with this state.
    Record(State),
}

/// One step: a short id used in messages and the record, and a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: &'static str,
    pub title: String,
    pub action: Action,
    /// Whether it changes the host (dry runs and guards rely on this).
    pub changes_host: bool,
}

/// Where the CTID came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtidSource {
    Setting,
    Record,
    NextId,
}

/// The chosen template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub volid: String,
    /// File name to download first (CHECKTEMPLATE=1 and not yet local).
    pub download: Option<String>,
}

/// A bind mount of the container folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub source: PathBuf,
    pub target: &'static str,
    pub read_only: bool,
}

/// An existing container with the chosen CTID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub running: bool,
}

/// Everything the plan is computed from.
pub struct Input<'a> {
    pub settings: &'a Settings,
    pub hooks: &'a [&'a str],
    pub ctid: u32,
    pub existing: Option<Existing>,
    pub template: Template,
    pub update_index: bool,
    pub mounts: Vec<Mount>,
    pub data_dir: PathBuf,
    pub ssh_keys: Option<PathBuf>,
    /// The description recording state `building`.
    pub description: String,
    pub provision: HostCmd,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub ctid: u32,
    pub steps: Vec<Step>,
}

fn step(id: &'static str, title: impl Into<String>, action: Action, changes_host: bool) -> Step {
    Step {
        id,
        title: title.into(),
        action,
        changes_host,
    }
}

/// A step running `HOOK_<name>` on the host.
fn hook_step(name: &'static str) -> Step {
    step(name, format!("run HOOK_{name}"), Action::Hook(name), true)
}

/// The `pct create` command with every option (mounts from the hook are added
/// when it runs).
pub fn create_command(input: &Input) -> HostCmd {
    let s = input.settings;
    let id = input.ctid.to_string();
    let unprivileged = s.flag("PRIVTYPE");
    let mut features = s.get("FEATURES").to_string();
    if unprivileged && !features.split(',').any(|f| f.starts_with("keyctl=")) {
        if !features.is_empty() {
            features.push(',');
        }
        features.push_str("keyctl=1");
    }
    let mut net = format!("name=eth0,bridge={},ip={}", s.get("BRIDGE"), s.get("NET"));
    for (key, setting) in [
        ("gw", "GATEWAY"),
        ("hwaddr", "MACADDR"),
        ("tag", "VLAN"),
        ("mtu", "MTU"),
    ] {
        if s.is_set(setting) {
            net.push_str(&format!(",{key}={}", s.get(setting)));
        }
    }
    let mut tags = vec![crate::build::record::TAG.to_string()];
    for t in crate::settings::split_list(s.get("TAGS")) {
        let t = t.to_ascii_lowercase();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let bool_arg = |b: bool| if b { "1" } else { "0" };
    let mut cmd = HostCmd::pct(&["create", &id, &input.template.volid])
        .arg("--hostname")
        .arg(s.hostname())
        .arg("--ostype")
        .arg(s.get("OSTYPE"))
        .arg("--cores")
        .arg(s.get("CORES"))
        .arg("--memory")
        .arg(s.get("RAM"))
        .arg("--swap")
        .arg(s.get("SWAP"))
        .arg("--rootfs")
        .arg(format!("{}:{}", s.get("DISKSTORE"), s.get("DISK")))
        .arg("--net0")
        .arg(net)
        .arg("--onboot")
        .arg(bool_arg(s.flag("ONBOOT")))
        .arg("--unprivileged")
        .arg(bool_arg(unprivileged))
        .arg("--features")
        .arg(features)
        .arg("--tags")
        .arg(tags.join(";"));
    if s.is_set("DNS") {
        cmd = cmd.arg("--nameserver").arg(s.get("DNS"));
    }
    if s.is_set("DOMAIN") {
        cmd = cmd.arg("--searchdomain").arg(s.get("DOMAIN"));
    }
    if let Some(keys) = &input.ssh_keys {
        cmd = cmd.arg("--ssh-public-keys").arg(keys.to_string_lossy());
    }
    cmd.arg("--description").arg(input.description.clone())
}

/// A mount `HOOK_customMounts` asked for: `--mpN SPEC` or a bare `SPEC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMount {
    pub index: Option<u32>,
    pub spec: String,
}

/// Parse the entries a `HOOK_customMounts` appended to its array: `--mpN`
/// and `SPEC` as two entries, `--mpN SPEC` as one, or a bare `SPEC`.
pub fn parse_custom_mounts(entries: &[String]) -> Result<Vec<CustomMount>, String> {
    let mut out = Vec::new();
    let mut iter = entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty());
    while let Some(entry) = iter.next() {
        let Some(flag) = entry
            .strip_prefix("--mp")
            .or_else(|| entry.strip_prefix("-mp"))
        else {
            out.push(CustomMount {
                index: None,
                spec: entry.to_string(),
            });
            continue;
        };
        let (num, spec) = match flag.split_once([' ', '=']) {
            Some((n, spec)) => (n, spec.trim().to_string()),
            None => (
                flag,
                iter.next()
                    .ok_or_else(|| format!("'{entry}' is not followed by a mount spec"))?
                    .to_string(),
            ),
        };
        let index: u32 = num
            .parse()
            .ok()
            .filter(|n| *n <= 255)
            .ok_or_else(|| format!("'{entry}': mount point numbers run from mp0 to mp255"))?;
        out.push(CustomMount {
            index: Some(index),
            spec,
        });
    }
    for m in &out {
        if !m.spec.contains("mp=") {
            return Err(format!(
                "mount '{}' lacks mp=<path inside the container>",
                m.spec
            ));
        }
    }
    Ok(out)
}

/// Check a bind-mount source the way pct will, before anything changes:
/// it must exist and its path must hold no symlink.
pub fn check_bind_source(spec: &str) -> Result<(), String> {
    let source = spec
        .split(',')
        .next()
        .unwrap_or("")
        .trim_start_matches("volume=");
    if !source.starts_with('/') || source.starts_with("/dev/") {
        return Ok(()); // storage volume or device: pct checks those
    }
    let path = std::path::Path::new(source);
    if !path.exists() {
        return Err(format!(
            "mount source {source} does not exist; create it first"
        ));
    }
    match std::fs::canonicalize(path) {
        Ok(real) if real == path => Ok(()),
        Ok(real) => Err(format!(
            "mount source {source} goes through a symlink (pct refuses those); use its real path {}",
            real.display()
        )),
        Err(e) => Err(format!("cannot resolve mount source {source}: {e}")),
    }
}

/// `--mpN SPEC` arguments: the hook's numbered mounts keep their numbers; the
/// folder's own mounts and the hook's unnumbered ones take the free numbers.
pub fn mount_args(ours: &[Mount], custom: &[CustomMount]) -> Result<Vec<String>, String> {
    let mut used: Vec<u32> = Vec::new();
    for m in custom.iter().filter_map(|m| m.index) {
        if used.contains(&m) {
            return Err(format!("HOOK_customMounts uses --mp{m} twice"));
        }
        used.push(m);
    }
    let mut next = 0u32;
    let mut free = |used: &mut Vec<u32>| -> Result<u32, String> {
        while used.contains(&next) {
            next += 1;
        }
        if next > 255 {
            return Err("more than 256 mount points".to_string());
        }
        used.push(next);
        Ok(next)
    };
    let mut args = Vec::new();
    for m in ours {
        let i = free(&mut used)?;
        let mut spec = format!("{},mp={}", m.source.display(), m.target);
        if m.read_only {
            spec.push_str(",ro=1");
        }
        args.push(format!("--mp{i}"));
        args.push(spec);
    }
    for m in custom {
        let i = match m.index {
            Some(i) => i,
            None => free(&mut used)?,
        };
        args.push(format!("--mp{i}"));
        args.push(m.spec.clone());
    }
    Ok(args)
}

/// The idmap lines for MAP=1: container id MAPID is host id MAPID.
pub fn idmap_lines(mapid: u32) -> Vec<String> {
    let mut lines = Vec::new();
    for kind in ["u", "g"] {
        lines.push(format!("lxc.idmap: {kind} 0 100000 {mapid}"));
        lines.push(format!("lxc.idmap: {kind} {mapid} {mapid} 1"));
        let after = mapid + 1;
        lines.push(format!(
            "lxc.idmap: {kind} {after} {} {}",
            100000 + after,
            65536 - after
        ));
    }
    lines
}

/// The steps, in order.
pub fn plan(input: &Input) -> Plan {
    let s = input.settings;
    let id = input.ctid.to_string();
    let has = |h: &str| input.hooks.contains(&h);
    let mut steps = Vec::new();
    if has("preBuild") {
        steps.push(hook_step("preBuild"));
    }
    if input.update_index {
        steps.push(step(
            "template",
            "update the template index",
            Action::Run(HostCmd::new("pveam", &["update"])),
            true,
        ));
    }
    if let Some(file) = &input.template.download {
        steps.push(step(
            "template",
            format!("download template {file}"),
            Action::Download {
                cmd: HostCmd::new("pveam", &["download", s.get("TEMPLATESTORE"), file]),
                volid: input.template.volid.clone(),
            },
            true,
        ));
    }
    if has("customMounts") {
        steps.push(step(
            "customMounts",
            "run HOOK_customMounts and check the mount sources",
            Action::CustomMounts,
            false,
        ));
    }
    if let Some(existing) = &input.existing {
        if existing.running {
            steps.push(step(
                "shutdown",
                format!("shut down CT {id}"),
                Action::Shutdown(input.ctid),
                true,
            ));
        }
        // No --purge: the same CTID comes back, so its backup and
        // replication jobs must keep naming it.
        steps.push(step(
            "destroy",
            format!("destroy CT {id} (bind-mounted folders are kept)"),
            Action::Run(HostCmd::pct(&["destroy", &id])),
            true,
        ));
    }
    steps.push(step(
        "data",
        format!("create {} if missing", input.data_dir.display()),
        Action::MakeDataDir(input.data_dir.clone()),
        true,
    ));
    let custom_mounts = has("customMounts");
    steps.push(step(
        "create",
        if custom_mounts {
            format!("create CT {id} (with the mounts of HOOK_customMounts)")
        } else {
            format!("create CT {id}")
        },
        Action::Create {
            cmd: create_command(input),
            mounts: input.mounts.clone(),
            custom_mounts,
        },
        true,
    ));
    if s.flag("MAP") {
        let mapid = s.int("MAPID").unwrap_or(1000) as u32;
        steps.push(step(
            "idmap",
            format!("map container uid/gid {mapid} to host {mapid}"),
            Action::AppendConfig(idmap_lines(mapid)),
            true,
        ));
        let subid_dir = std::env::var_os("GIT_LXC_SUBID_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/etc"));
        steps.push(step(
            "subid",
            format!("allow root to map id {mapid} (/etc/subuid, /etc/subgid)"),
            Action::SubIds(vec![
                (subid_dir.join("subuid"), format!("root:{mapid}:1")),
                (subid_dir.join("subgid"), format!("root:{mapid}:1")),
            ]),
            true,
        ));
    }
    if has("customMapping") {
        steps.push(hook_step("customMapping"));
    }
    steps.push(step(
        "start",
        format!("start CT {id}"),
        Action::Run(HostCmd::pct(&["start", &id])),
        true,
    ));
    let wait = s.get("NET") != "manual";
    if wait {
        steps.push(step(
            "network",
            "wait for the network",
            Action::WaitIp,
            false,
        ));
    }
    if s.get("OSTYPE") == "alpine" {
        steps.push(step(
            "bash",
            "install bash (Alpine)",
            Action::Run(HostCmd::pct(&[
                "exec",
                &id,
                "--keep-env",
                "0",
                "--",
                "apk",
                "add",
                "--no-cache",
                "bash",
            ])),
            true,
        ));
    }
    steps.push(step(
        "provision",
        "run the provisioning script",
        Action::Provision(input.provision.clone()),
        true,
    ));
    if s.flag("REBOOT") {
        steps.push(step(
            "reboot",
            format!("reboot CT {id}"),
            Action::Run(HostCmd::pct(&["reboot", &id])),
            true,
        ));
        if wait {
            steps.push(step(
                "network",
                "wait for the network",
                Action::WaitIp,
                false,
            ));
        }
    }
    if has("postBuild") {
        steps.push(hook_step("postBuild"));
    }
    steps.push(step(
        "record",
        "record state built",
        Action::Record(State::Built),
        true,
    ));
    Plan {
        ctid: input.ctid,
        steps,
    }
}

/// Natural ordering key for template names (so 3.10 sorts after 3.9).
pub fn natural_key(s: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                key.push((0, std::mem::take(&mut text)));
            }
            num.push(c);
        } else {
            if !num.is_empty() {
                key.push((num.parse().unwrap_or(u64::MAX), String::new()));
                num.clear();
            }
            text.push(c);
        }
    }
    if !num.is_empty() {
        key.push((num.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        key.push((0, text));
    }
    key
}

/// The version part of a template file name: `alpine-3.22-default_…` → `3.22`.
fn template_version(file: &str, ostype: &str) -> Option<String> {
    let rest = file.strip_prefix(ostype)?.strip_prefix('-')?;
    let end = rest.find(['-', '_']).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// The newest template file among `files` for OSTYPE (and OSVERSION if set).
pub fn pick_template<'a>(files: &[&'a str], ostype: &str, version: &str) -> Option<&'a str> {
    files
        .iter()
        .copied()
        .filter(|f| {
            let Some(v) = template_version(f, ostype) else {
                return false;
            };
            version.is_empty() || v == version || v.starts_with(&format!("{version}."))
        })
        .max_by_key(|f| natural_key(f))
}

/// Template file names in `pveam list` output (`STORE:vztmpl/<file>`).
pub fn parse_pveam_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|v| v.split_once(":vztmpl/").map(|(_, f)| f.to_string()))
        .collect()
}

/// Template file names in `pveam available` output (section, name, arch).
pub fn parse_pveam_available(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_newest_matching_template() {
        let files = [
            "alpine-3.9-default_20190101_amd64.tar.xz",
            "alpine-3.22-default_20250617_amd64.tar.xz",
            "alpine-3.21-default_20241217_amd64.tar.xz",
            "debian-12-standard_12.7-1_amd64.tar.zst",
            "debian-12-standard_12.2-1_amd64.tar.zst",
            "debian-13-standard_13.1-1_amd64.tar.zst",
        ];
        assert_eq!(pick_template(&files, "alpine", ""), Some(files[1]));
        assert_eq!(pick_template(&files, "alpine", "3.21"), Some(files[2]));
        assert_eq!(pick_template(&files, "debian", "12"), Some(files[3]));
        assert_eq!(pick_template(&files, "debian", ""), Some(files[5]));
        assert_eq!(pick_template(&files, "ubuntu", ""), None);
        assert_eq!(pick_template(&files, "alpine", "3.2"), None);
    }

    #[test]
    fn custom_mounts_in_every_form() {
        let entries: Vec<String> = [
            "--mp3 /srv/media,mp=/media",
            "--mp0",
            "/a,mp=/a",
            "/b,mp=/b,ro=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let custom = parse_custom_mounts(&entries).unwrap();
        assert_eq!(
            custom[0],
            CustomMount {
                index: Some(3),
                spec: "/srv/media,mp=/media".into()
            }
        );
        assert_eq!(custom[1].index, Some(0));
        assert_eq!(custom[2].index, None);
        let ours = vec![
            Mount {
                source: "/t/conf".into(),
                target: "/usr/local/conf",
                read_only: true,
            },
            Mount {
                source: "/t/data".into(),
                target: "/usr/local/data",
                read_only: false,
            },
        ];
        let args = mount_args(&ours, &custom).unwrap();
        assert_eq!(
            args,
            vec![
                "--mp1",
                "/t/conf,mp=/usr/local/conf,ro=1",
                "--mp2",
                "/t/data,mp=/usr/local/data",
                "--mp3",
                "/srv/media,mp=/media",
                "--mp0",
                "/a,mp=/a",
                "--mp4",
                "/b,mp=/b,ro=1",
            ]
        );
        assert!(parse_custom_mounts(&["--mp3".to_string()]).is_err());
        assert!(parse_custom_mounts(&["/x".to_string()]).is_err());
    }

    #[test]
    fn idmap_for_1000_covers_the_whole_range() {
        let l = idmap_lines(1000);
        assert_eq!(l[0], "lxc.idmap: u 0 100000 1000");
        assert_eq!(l[1], "lxc.idmap: u 1000 1000 1");
        assert_eq!(l[2], "lxc.idmap: u 1001 101001 64535");
        assert_eq!(l.len(), 6);
    }

    #[test]
    fn parses_pveam_list() {
        let text = format!(
            "{:<60} SIZE\n{:<60} {:<4.2}MB\n",
            "NAME", "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz", 3.1
        );
        assert_eq!(
            parse_pveam_list(&text),
            vec!["alpine-3.22-default_20250617_amd64.tar.xz"]
        );
    }
}
