//! The build as data (SPEC §5): every step a build or rebuild runs, each
//! with its exact commands.
//!
//! [`steps`] is pure: typed settings and what `prepare` read from the host
//! and the tree go in, the step list comes out. `plan` prints it,
//! `build`/`rebuild` execute it and nothing else, tests compare it.

use std::path::PathBuf;
use std::time::Duration;

use super::CtidArg;
pub use super::step::{Action, Kind, Step};
use crate::build::record::TAG;
use crate::host::process::Proc;
use crate::settings::Settings;

/// The template to create from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub volid: String,
    /// `<ostype>-<release>`, for the record.
    pub os: String,
    /// `pveam update` first (CHECKTEMPLATE=1).
    pub update: bool,
    /// File name to download first (CHECKTEMPLATE=1 and not yet local).
    pub download: Option<String>,
}

/// The container a rebuild replaces, as the host has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Existing {
    pub running: bool,
    pub protected: bool,
}

/// How long HEALTHCHECK may keep failing before the build fails: 60 s
/// (`GIT_LXC_HEALTH_TIMEOUT` seconds overrides).
pub fn health_timeout() -> Duration {
    let secs = std::env::var("GIT_LXC_HEALTH_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// The notes a backup carries, so `rollback` and pruning know it is ours.
pub fn backup_notes(name: &str, commit: &str) -> String {
    format!("git-lxc {name} {}", &commit[..12.min(commit.len())])
}

/// The commands that put backup `volid` back as CT `ctid` and start it:
/// the failed build's container (if any) is stopped first, and the restore
/// replaces it in place.
pub fn restore_commands(ctid: u32, volid: &str, diskstore: &str) -> Vec<Proc> {
    let id = ctid.to_string();
    vec![
        Proc::pct(&["stop", &id]),
        Proc::pct(&[
            "restore",
            &id,
            volid,
            "--force",
            "1",
            "--storage",
            diskstore,
        ]),
        Proc::pct(&["start", &id]),
    ]
}

/// The `HOOK_*` functions the folder defines, as commands.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    pub pre_build: Option<Proc>,
    pub post_build: Option<Proc>,
    /// With `CTCONF` naming the copy in [`Input::mapping_copy`].
    pub custom_mapping: Option<Proc>,
}

/// Everything the steps are computed from.
pub struct Input<'a> {
    pub settings: &'a Settings,
    pub ctid: CtidArg,
    /// The container this build replaces.
    pub existing: Option<Existing>,
    /// Backups of this container in BACKUPSTORE, oldest first: those
    /// beyond KEEPBACKUPS (with the new one) are freed after a good build.
    pub backups: &'a [String],
    pub template: &'a Template,
    /// `--mpN SPEC` pairs: the folder's mounts and `HOOK_customMounts`'s.
    pub mount_args: &'a [String],
    /// `data/`, when it does not exist yet.
    pub make_data: Option<PathBuf>,
    pub ssh_keys: Option<PathBuf>,
    /// The notes of the backup this build takes.
    pub notes: String,
    /// The description recording state `building`, and `built`.
    pub building: String,
    pub built: String,
    /// The provisioning script (holds secrets).
    pub script: String,
    pub hooks: &'a Hooks,
    /// The container's config file, and where `HOOK_customMapping` edits a copy.
    pub conf_path: PathBuf,
    pub mapping_copy: PathBuf,
    /// `/etc/subuid`-style files and the line each lacks (MAP=1).
    pub subid_missing: Vec<(PathBuf, String)>,
    pub ip_timeout: Duration,
}

fn step(kind: Kind, title: impl Into<String>, action: Action) -> Step {
    Step {
        kind,
        title: title.into(),
        action,
    }
}

/// `--features`: `keyctl=1` is added to an unprivileged container unless set.
fn features(s: &Settings) -> String {
    let mut features = s.features.clone();
    if s.unprivileged && !features.split(',').any(|f| f.starts_with("keyctl=")) {
        if !features.is_empty() {
            features.push(',');
        }
        features.push_str("keyctl=1");
    }
    features
}

/// `--net0 name=eth0,bridge=…,ip=…[,gw=][,hwaddr=][,tag=][,mtu=]`.
fn net0(s: &Settings) -> String {
    let mut net = format!("name=eth0,bridge={},ip={}", s.bridge, s.net.as_str());
    let optional = [
        ("gw", s.gateway.map(|g| g.to_string())),
        ("hwaddr", s.macaddr.clone()),
        ("tag", s.vlan.map(|v| v.to_string())),
        ("mtu", s.mtu.map(|m| m.to_string())),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            net.push_str(&format!(",{key}={v}"));
        }
    }
    net
}

/// `--tags`: `git-lxc` first, then TAGS lower-cased, without repeats.
fn tags(s: &Settings) -> String {
    let mut tags = vec![TAG.to_string()];
    for t in &s.tags {
        let t = t.to_ascii_lowercase();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags.join(";")
}

/// The `pct create` command with every option and mount.
pub fn create_command(input: &Input) -> Proc {
    let s = input.settings;
    let bool_arg = |b: bool| if b { "1" } else { "0" };
    let mut cmd = Proc::pct(&["create", &input.ctid.to_string(), &input.template.volid]).args([
        "--hostname".to_string(),
        s.hostname.clone(),
        "--ostype".into(),
        s.ostype.clone(),
        "--cores".into(),
        s.cores.to_string(),
        "--memory".into(),
        s.ram.to_string(),
        "--swap".into(),
        s.swap.to_string(),
        "--rootfs".into(),
        format!("{}:{}", s.diskstore, s.disk),
        "--net0".into(),
        net0(s),
        "--onboot".into(),
        bool_arg(s.onboot).into(),
        "--unprivileged".into(),
        bool_arg(s.unprivileged).into(),
        "--features".into(),
        features(s),
        "--tags".into(),
        tags(s),
    ]);
    if !s.dns.is_empty() {
        cmd = cmd.arg("--nameserver").arg(s.dns.join(" "));
    }
    if !s.domain.is_empty() {
        cmd = cmd.arg("--searchdomain").arg(s.domain.join(" "));
    }
    if let Some(keys) = &input.ssh_keys {
        cmd = cmd.arg("--ssh-public-keys").arg(keys.to_string_lossy());
    }
    cmd.args(input.mount_args.iter().cloned())
        .arg("--description")
        .arg(input.building.clone())
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

/// A `tee -a PATH` host command appending `lines`.
pub fn append(path: &std::path::Path, lines: &[String]) -> Proc {
    crate::host::Host::append(path, lines)
}

/// Shut the old container down, back it up, lift its protection, destroy it.
fn replace(input: &Input, existing: Existing, steps: &mut Vec<Step>) {
    let s = input.settings;
    let id = input.ctid.to_string();
    if existing.running {
        steps.push(step(
            Kind::Shutdown,
            format!("shut down CT {id}"),
            Action::Shutdown {
                shutdown: Proc::pct(&["shutdown", &id, "--timeout", "60"]),
                stop: Proc::pct(&["stop", &id]),
            },
        ));
    }
    if s.backup {
        // Bind mounts are not in a backup: this is the root disk and config.
        let vzdump = Proc::host("vzdump", &[&id])
            .args(["--storage", &s.backupstore, "--mode", "stop"])
            .args(["--compress", "zstd", "--notes-template", &input.notes]);
        steps.push(step(
            Kind::Backup,
            format!("back up CT {id} to {}", s.backupstore),
            Action::Backup {
                vzdump,
                store: s.backupstore.clone(),
            },
        ));
    }
    if existing.protected {
        steps.push(step(
            Kind::Unprotect,
            format!("lift the protection of CT {id}"),
            Action::Run(Proc::pct(&["set", &id, "--protection", "0"])),
        ));
    }
    // No --purge: the same CTID comes back, so its backup and replication
    // jobs must keep naming it.
    steps.push(step(
        Kind::Destroy,
        format!("destroy CT {id} (bind-mounted folders are kept)"),
        Action::Run(Proc::pct(&["destroy", &id])),
    ));
}

/// The steps before the container is created: hooks, template, the old
/// container, `data/`.
fn before_create(input: &Input, steps: &mut Vec<Step>) {
    let store = &input.settings.templatestore;
    if let Some(hook) = &input.hooks.pre_build {
        steps.push(hook_step(Kind::PreBuild, "preBuild", hook));
    }
    let t = input.template;
    if t.update {
        let update = Proc::host("pveam", &["update"]);
        steps.push(step(
            Kind::Template,
            "update the template index",
            Action::Run(update),
        ));
    }
    if let Some(file) = &t.download {
        steps.push(step(
            Kind::Template,
            format!("download template {file}"),
            Action::Download {
                download: Proc::host("pveam", &["download", store, file]),
                check: Proc::host("pveam", &["list", store]),
                volid: t.volid.clone(),
            },
        ));
    }
    if let Some(existing) = input.existing {
        replace(input, existing, steps);
    }
    if let Some(dir) = &input.make_data {
        let path = dir.to_string_lossy();
        steps.push(step(
            Kind::Data,
            format!("create {path}"),
            Action::Run(Proc::local("mkdir", &["-p", "--", &path])),
        ));
        // An unprivileged container's root is host uid/gid 100000 (PVE's
        // default map); it could not write to a data/ owned by the user.
        if input.settings.unprivileged {
            steps.push(step(
                Kind::Data,
                "give data/ to the container's root (host uid 100000)",
                Action::Run(Proc::host("chown", &["100000:100000", "--", &path])),
            ));
        }
    }
}

fn hook_step(kind: Kind, name: &'static str, hook: &Proc) -> Step {
    step(
        kind,
        format!("run HOOK_{name}"),
        Action::Hook {
            name,
            hook: hook.clone(),
        },
    )
}

fn wait_ip(input: &Input) -> Option<Step> {
    (input.settings.net != crate::settings::Net::Manual).then(|| {
        step(
            Kind::Network,
            "wait for the network",
            Action::WaitIp {
                probe: Proc::host("lxc-info", &["-n", &input.ctid.to_string(), "-iH"]),
                timeout: input.ip_timeout,
            },
        )
    })
}

/// Create, map, configure and start the container.
fn create_and_start(input: &Input, steps: &mut Vec<Step>) {
    let s = input.settings;
    let id = input.ctid.to_string();
    steps.push(step(
        Kind::Create,
        format!("create CT {id}"),
        Action::Run(create_command(input)),
    ));
    if s.map {
        let mapid = s.mapid;
        steps.push(step(
            Kind::Idmap,
            format!("map container uid/gid {mapid} to host {mapid}"),
            Action::Run(append(&input.conf_path, &idmap_lines(mapid))),
        ));
        for (path, line) in &input.subid_missing {
            steps.push(step(
                Kind::SubIds,
                format!("allow root to map id {mapid} in {}", path.display()),
                Action::Run(append(path, std::slice::from_ref(line))),
            ));
        }
    }
    if let Some(hook) = &input.hooks.custom_mapping {
        steps.push(step(
            Kind::Mapping,
            "run HOOK_customMapping",
            Action::Mapping {
                read: Proc::host("cat", &["--", &input.conf_path.to_string_lossy()]),
                copy: input.mapping_copy.clone(),
                hook: hook.clone(),
                append: append(&input.conf_path, &[]),
            },
        ));
    }
    steps.push(step(
        Kind::Start,
        format!("start CT {id}"),
        Action::Run(Proc::pct(&["start", &id])),
    ));
    steps.extend(wait_ip(input));
    if s.ostype == "alpine" {
        steps.push(step(
            Kind::Bash,
            "install bash (Alpine)",
            Action::Run(Proc::pct(&[
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
        ));
    }
}

/// Every step, in order.
pub fn steps(input: &Input) -> Vec<Step> {
    let id = input.ctid.to_string();
    let mut steps = Vec::new();
    before_create(input, &mut steps);
    create_and_start(input, &mut steps);
    let provision = Proc::pct(&["exec", &id, "--keep-env", "0", "--", "bash", "-s"])
        .input(input.script.clone(), true);
    steps.push(step(
        Kind::Provision,
        "run the provisioning script",
        Action::Provision(provision),
    ));
    if input.settings.reboot {
        steps.push(step(
            Kind::Reboot,
            format!("reboot CT {id}"),
            Action::Run(Proc::pct(&["reboot", &id])),
        ));
        steps.extend(wait_ip(input));
    }
    if let Some(check) = &input.settings.healthcheck {
        steps.push(step(
            Kind::Health,
            "run HEALTHCHECK until it passes",
            Action::Health {
                probe: Proc::pct(&["exec", &id, "--keep-env", "0", "--", "sh", "-c", check]),
                timeout: health_timeout(),
            },
        ));
    }
    if let Some(hook) = &input.hooks.post_build {
        steps.push(hook_step(Kind::PostBuild, "postBuild", hook));
    }
    let mut record = Proc::pct(&["set", &id, "--description", &input.built]);
    let mut title = "record state built".to_string();
    if input.settings.protect {
        record = record.args(["--protection", "1"]);
        title.push_str(" and protect it");
    }
    steps.push(step(Kind::Record, title, Action::Run(record)));
    prune(input, &mut steps);
    steps
}

/// Free the backups beyond KEEPBACKUPS, counting the one this build takes.
fn prune(input: &Input, steps: &mut Vec<Step>) {
    let s = input.settings;
    let taken = usize::from(s.backup && input.existing.is_some());
    let total = input.backups.len() + taken;
    let extra = total.saturating_sub(s.keepbackups as usize);
    for volid in input.backups.iter().take(extra) {
        steps.push(step(
            Kind::Prune,
            format!("free the old backup {volid}"),
            Action::Run(Proc::host("pvesm", &["free", volid])),
        ));
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
