//! `git lxc doctor`: the host checked against the tree before a first build
//! (SPEC §4), with read-only host calls only.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::bash::hooks::{self, HookEnv};
use crate::build::mounts::{folder_mounts, parse_custom_mounts};
use crate::build::template::{parse_pveam_available, parse_pveam_list, pick_template};
use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::host::process::Proc;
use crate::host::requirements;
use crate::host::storage::{self, Access, Bridges, HostProblem, Storages, Use};
use crate::settings::{self, Settings};
use crate::term;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

/// Check the host before a first build: tools, privileges, storages,
/// bridges, templates, id maps, mount sources and git.
///
/// Checks that the tools git-lxc runs are on PATH (through `sudo -n` when
/// not root), that every DISKSTORE, TEMPLATESTORE and BACKUPSTORE the tree
/// names exists, is enabled and active, holds the right content and has
/// room, that every BRIDGE exists, that each container's OS release has a
/// local template (naming the `pveam download` that fetches it), that
/// `/etc/subuid` and `/etc/subgid` map the ids of `MAP=1`, that an
/// unprivileged container's root (host uid 100000) can reach every mount
/// source and write to `data/`, and git's version. Prints one line per
/// problem with its fix and exits 1 when there is any. Changes nothing:
/// only read-only host calls.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Containers to check (default: all).
    pub names: Vec<String>,

    /// Print a JSON array of the problems on stdout (`check`, `message`,
    /// `fix`, `containers`).
    #[arg(long)]
    pub json: bool,
}

/// One problem, with its fix and the containers it concerns.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub message: String,
    pub fix: String,
    pub containers: Vec<String>,
}

/// A container with its resolved settings.
struct Wanted<'a> {
    container: &'a Container,
    settings: Settings,
    hooks: Vec<String>,
}

/// Findings, collected in order.
#[derive(Default)]
struct Report {
    findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, check: &'static str, problem: HostProblem, containers: Vec<String>) {
        self.findings.push(Finding {
            check,
            message: problem.message,
            fix: problem.fix,
            containers,
        });
    }

    fn say(&mut self, check: &'static str, message: String, fix: impl Into<String>) {
        self.add(
            check,
            HostProblem {
                message,
                fix: fix.into(),
            },
            Vec::new(),
        );
    }
}

pub fn exec(args: &DoctorArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let selected = session.tree.select(&args.names)?;
    let host = session.host();
    let mut report = Report::default();
    let (problems, privileged) = requirements::tools_and_privileges(&host.runner);
    for (check, p) in problems {
        report.add(check, p, Vec::new());
    }
    let evaluated = session.evaluate(&selected)?;
    let wanted: Vec<Wanted> = selected
        .iter()
        .zip(evaluated)
        .map(|(c, ev)| Wanted {
            container: c,
            settings: settings::resolve(&session.tree.root, &c.dir, &ev, &[]).0,
            hooks: ev.hooks().map(str::to_string).collect(),
        })
        .collect();
    let facts = match privileged {
        true => HostFacts::read(&host).unwrap_or_default(),
        false => HostFacts::default(),
    };
    if privileged && !wanted.is_empty() {
        host_checks(&session, &host, &facts, &wanted, &mut report);
    }
    for (id, names) in group(&wanted, |w| w.settings.map.then_some(w.settings.mapid)) {
        for p in requirements::subid_problems(&requirements::subid_dir(), id) {
            report.add("subid", p, names.clone());
        }
    }
    mounts(&session, &host, &facts, &wanted, &mut report);
    if let Some(p) = requirements::git_problem(&host.runner) {
        report.add("git", p, Vec::new());
    }
    let findings = report.findings;
    if args.json {
        term::stdout_line(serde_json::to_string_pretty(&findings)?);
    } else {
        for f in &findings {
            term::stdout_line(human(f));
        }
    }
    match findings.len() {
        0 => term::info(format!(
            "doctor: no problems found for {} on this host",
            plural(wanted.len(), "container")
        )),
        n => term::info(format!("doctor: {}", plural(n, "problem"))),
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(Failure::silent())
    }
}

/// One line: `problem[check]: message (containers); fix: …`.
fn human(f: &Finding) -> String {
    let whom = match f.containers.as_slice() {
        [] => String::new(),
        names => format!(" ({})", names.join(", ")),
    };
    format!(
        "{}{}: {}{whom}; {} {}",
        term::red(&term::bold("problem")),
        term::bold(&format!("[{}]", f.check)),
        f.message,
        term::dim("fix:"),
        f.fix
    )
}

fn plural(n: usize, word: &str) -> String {
    match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    }
}

/// Storages, bridges and templates, each read once.
fn host_checks(
    session: &Session,
    host: &Host,
    facts: &HostFacts,
    wanted: &[Wanted],
    report: &mut Report,
) {
    match Storages::read(host) {
        Ok(storages) => storages_check(&storages, wanted, report),
        Err(e) => report.say(
            "storage",
            format!("cannot read the storages: {e:#}"),
            READ_FIX,
        ),
    }
    match Bridges::read(host) {
        Ok(bridges) => {
            for (bridge, names) in group(wanted, |w| Some(w.settings.bridge.clone())) {
                if let Some(p) = storage::bridge_problem(&bridges, &bridge) {
                    report.add("bridge", p, names);
                }
            }
        }
        Err(e) => report.say(
            "bridge",
            format!("cannot read the network: {e:#}"),
            READ_FIX,
        ),
    }
    templates(session, host, facts, wanted, report);
}

const READ_FIX: &str = "run git-lxc on the Proxmox VE host, as root or with sudo -n";

/// Containers grouped by a key, names in tree order.
fn group<K: Ord>(
    wanted: &[Wanted],
    key: impl Fn(&Wanted) -> Option<K>,
) -> BTreeMap<K, Vec<String>> {
    let mut map: BTreeMap<K, Vec<String>> = BTreeMap::new();
    for w in wanted {
        if let Some(k) = key(w) {
            map.entry(k).or_default().push(w.container.name.clone());
        }
    }
    map
}

/// DISK in GiB (as written: `0.5`).
fn disk_gib(s: &Settings) -> f64 {
    s.disk.parse().unwrap_or(0.0)
}

fn storages_check(storages: &Storages, wanted: &[Wanted], report: &mut Report) {
    let mut uses: BTreeMap<(Use, String), (f64, Vec<String>)> = BTreeMap::new();
    for w in wanted {
        let s = &w.settings;
        let mut add = |usage, store: &str, need: f64| {
            let e = uses.entry((usage, store.to_string())).or_default();
            e.0 = e.0.max(need);
            e.1.push(w.container.name.clone());
        };
        add(Use::Disk, &s.diskstore, disk_gib(s));
        add(Use::Template, &s.templatestore, 0.0);
        // a backup holds the root disk, compressed: DISK is its upper bound
        if s.backup {
            add(Use::Backup, &s.backupstore, disk_gib(s));
        }
    }
    for ((usage, store), (need, names)) in uses {
        if let Some(p) = storage::storage_problem(storages, &store, usage, need) {
            report.add("storage", p, names);
        }
    }
}

/// The OS release a container is built from when OSVERSION is empty: the
/// one its record names.
fn recorded_release(session: &Session, facts: &HostFacts, w: &Wanted) -> String {
    let s = &w.settings;
    if !s.osversion.is_empty() {
        return s.osversion.clone();
    }
    facts
        .built_from(&session.tree_id, &w.container.name)
        .first()
        .and_then(|&id| facts.record(id))
        .and_then(|r| r.os)
        .and_then(|os| {
            os.strip_prefix(&format!("{}-", s.ostype))
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// For each container the template of its OS release in TEMPLATESTORE;
/// a missing one is named with the `pveam download` that fetches it.
fn templates(
    session: &Session,
    host: &Host,
    facts: &HostFacts,
    wanted: &[Wanted],
    report: &mut Report,
) {
    let pveam = |args: &[&str]| host.runner.checked(&Proc::host("pveam", args));
    let mut local: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut available: Option<Vec<String>> = None;
    let needs = group(wanted, |w| {
        let s = &w.settings;
        Some((
            s.templatestore.clone(),
            s.ostype.clone(),
            recorded_release(session, facts, w),
            s.checktemplate,
        ))
    });
    for ((store, ostype, version, check), names) in needs {
        let files = local.entry(store.clone()).or_insert_with(|| {
            pveam(&["list", &store])
                .ok()
                .map(|o| parse_pveam_list(&o.stdout))
        });
        // A storage that cannot list templates is a storage finding.
        let Some(files) = files else { continue };
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        if !check && pick_template(&refs, &ostype, &version).is_some() {
            continue;
        }
        let avail = available.get_or_insert_with(|| {
            pveam(&["available", "--section", "system"])
                .map(|o| parse_pveam_available(&o.stdout))
                .unwrap_or_default()
        });
        let avail_refs: Vec<&str> = avail.iter().map(String::as_str).collect();
        let newest = pick_template(&avail_refs, &ostype, &version);
        let wanted_os = match version.as_str() {
            "" => ostype.clone(),
            v => format!("{ostype}-{v}"),
        };
        let problem = match (check, newest) {
            (true, Some(_)) => continue, // the build downloads it
            (true, None) => HostProblem {
                message: format!("no {wanted_os} template to download (CHECKTEMPLATE=1)"),
                fix: "run `pveam update`, then pick a release from `pveam available --section system` for OPT_OSVERSION".into(),
            },
            (false, Some(file)) => HostProblem {
                message: format!("no {wanted_os} template in storage '{store}'"),
                fix: format!("pveam download {store} {file}"),
            },
            (false, None) => HostProblem {
                message: format!("no {wanted_os} template in storage '{store}'"),
                fix: format!("run `pveam update`, then `pveam download {store} <name>` with a name from `pveam available --section system`"),
            },
        };
        report.add("template", problem, names);
    }
}

/// The host folders an unprivileged container mounts: `conf/` and `bin/`
/// readable (and the release folder they are mounted from reachable),
/// `data/` writable (or, before it exists, its folder passable), the bind
/// sources of `HOOK_customMounts` readable. One finding per folder
/// in the way, naming the containers it blocks.
fn mounts(
    session: &Session,
    host: &Host,
    facts: &HostFacts,
    wanted: &[Wanted],
    report: &mut Report,
) {
    let mut blocked: BTreeMap<String, (HostProblem, Vec<String>)> = BTreeMap::new();
    for w in wanted.iter().filter(|w| w.settings.unprivileged) {
        let name = w.container.name.clone();
        let mut sources = Vec::new();
        match folder_mounts(w.container, &w.container.dir) {
            Ok(list) => {
                for m in list {
                    sources.push(match (m.source.exists(), m.read_only) {
                        (false, _) => (w.container.dir.clone(), Access::Pass),
                        (true, true) => (m.source, Access::Read),
                        (true, false) => (m.source, Access::Write),
                    });
                }
            }
            Err(e) => report.say("mount", format!("{name}: {e:#}"), "fix the folder or link"),
        }
        if !w.settings.liveconf {
            // conf/ and bin/ are mounted from the build's release folder,
            // below the repository's (common) git dir
            sources.push((session.ws.repo.commondir().to_path_buf(), Access::Pass));
        }
        if w.hooks.iter().any(|h| h == "customMounts") {
            sources.extend(hook_sources(session, host, facts, w, report));
        }
        for (path, need) in sources {
            match storage::container_root_blocker(&path, need) {
                Ok(Some(b)) => {
                    let p = b.problem();
                    let e = blocked.entry(p.message.clone()).or_insert((p, Vec::new()));
                    if !e.1.contains(&name) {
                        e.1.push(name.clone());
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    let p = path.display();
                    let (message, fix) = match e.kind() {
                        std::io::ErrorKind::NotFound => (
                            format!("mount source {p} does not exist"),
                            format!("create it before the build: mkdir -p {p}"),
                        ),
                        _ => (
                            format!("cannot read mount source {p}: {e}"),
                            "check the folder and its parents".to_string(),
                        ),
                    };
                    report.add("mount", HostProblem { message, fix }, vec![name.clone()]);
                }
            }
        }
    }
    for (problem, names) in blocked.into_values() {
        report.add("mount", problem, names);
    }
}

/// The host folders `HOOK_customMounts` bind-mounts (run as `plan` runs
/// it: it only computes mounts).
fn hook_sources(
    session: &Session,
    host: &Host,
    facts: &HostFacts,
    w: &Wanted,
    report: &mut Report,
) -> Vec<(PathBuf, Access)> {
    let s = &w.settings;
    let ctid = s
        .ctid
        .or_else(|| {
            facts
                .built_from(&session.tree_id, &w.container.name)
                .first()
                .copied()
        })
        .unwrap_or(0);
    let vars = s.hook_vars();
    let ctconf = host.conf_path(ctid);
    let env = HookEnv {
        root: &session.tree.root,
        dir: &w.container.dir,
        name: &w.container.name,
        ctid,
        ctconf: &ctconf,
        vars: &vars,
    };
    let parsed = hooks::custom_mounts(&host.runner, &env, &[])
        .and_then(|entries| parse_custom_mounts(&entries).map_err(anyhow::Error::msg));
    match parsed {
        Ok(list) => list
            .iter()
            .filter_map(|m| {
                let source = m.spec.split(',').next()?.trim_start_matches("volume=");
                let bind = source.starts_with('/') && !source.starts_with("/dev/");
                bind.then(|| (PathBuf::from(source), Access::Read))
            })
            .collect(),
        Err(e) => {
            report.add(
                "mount",
                HostProblem {
                    message: format!("HOOK_customMounts failed: {e:#}"),
                    fix: "fix the hook (`git lxc plan NAME` runs it too)".into(),
                },
                vec![w.container.name.clone()],
            );
            Vec::new()
        }
    }
}
