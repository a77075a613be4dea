//! `git lxc adopt NAME… | --all`: take over a container this tree describes
//! but git-lxc did not build (SPEC §4), without rebuilding it.

use anyhow::{Context, Result};
use clap::Args;

use crate::bash::hooks::{self, HookEnv};
use crate::build::lock::BuildLock;
use crate::build::mounts::{self, folder_mounts, standard_entries};
use crate::build::notes::{self, Entry, Outcome};
use crate::build::record::{MAX_DESCRIPTION, Record, State, TAG};
use crate::build::unrecorded;
use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::host::process::Proc;
use crate::host::pveconf::ConfFile;
use crate::settings::{self, Settings};
use crate::term;
use crate::term::prompt;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

/// Take over a container that the tree describes but git-lxc did not build
/// (the original build script built it, or a person did), without
/// rebuilding it.
///
/// The container is found by the folder's OPT_CTID, else by its hostname.
/// adopt shows what it found: the CTID, the hostname, the OS release read
/// from inside it (from the original script's description when it is
/// stopped), and the mounts it has against those the tree would give. Once
/// confirmed (on a terminal; `--yes` otherwise), it writes the record
/// (`adopted`, the OS release, the commit) below the description's text,
/// which is kept, adds the tag `git-lxc` and a note. From then on `status`,
/// `rebuild` and `--changed` treat it as built from that commit, and a
/// rebuild keeps its CTID, MAC address and OS release.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  git lxc status                  containers shown `not managed` are the ones to adopt
  git lxc adopt --all             show each, ask once, record them
  git lxc adopt pihole --commit v1 --yes")]
pub struct AdoptArgs {
    /// The container folders whose containers to adopt.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub names: Vec<String>,

    /// Every container folder that names a container git-lxc did not build.
    #[arg(long)]
    pub all: bool,

    /// The commit the containers were built from, for their record
    /// (default: HEAD).
    #[arg(long, value_name = "REV")]
    pub commit: Option<String>,

    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,
}

/// A container to adopt, and what adopt found out about it.
struct Found<'a> {
    container: &'a Container,
    ctid: u32,
    hostname: String,
    running: bool,
    by: &'static str,
    conf: ConfFile,
    os: Option<String>,
    /// Its mounts and the tree's, as `mpN SOURCE -> TARGET` lines.
    has: Vec<String>,
    gives: Vec<String>,
}

pub fn exec(args: &AdoptArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let selected = session.tree.select(&args.names)?;
    let (commit, subject) = commit_of(&session.ws.repo, args.commit.as_deref())?;
    let host = session.host();
    let facts = HostFacts::read(&host)?;
    let evaluated = session.evaluate(&selected)?;
    let mut found = Vec::new();
    for (c, ev) in selected.iter().zip(&evaluated) {
        let (s, _) = settings::resolve(&session.tree.root, &c.dir, ev, &[]);
        if let Some(&id) = facts.built_from(&session.tree_id, &c.name).first() {
            term::info(format!("{}: CT {id} is managed already", c.name));
            continue;
        }
        let Some(listed) = unrecorded(&facts, &s) else {
            if !args.all {
                return Err(Failure::failed(
                    format!(
                        "no container on this host is '{}' by OPT_CTID or hostname ({})",
                        c.name, s.hostname
                    ),
                    format!(
                        "`git lxc status` lists the containers; `git lxc build {}` creates it",
                        c.name
                    ),
                ));
            }
            continue;
        };
        let has_hook = ev.hooks().any(|h| h == "customMounts");
        let mut f = Found {
            container: c,
            ctid: listed.vmid,
            hostname: listed.name.clone(),
            running: listed.running,
            by: if Some(listed.vmid) == s.ctid {
                "OPT_CTID"
            } else {
                "hostname"
            },
            conf: facts.confs.get(&listed.vmid).cloned().unwrap_or_default(),
            os: None,
            has: Vec::new(),
            gives: tree_mounts(&session, &host, c, &s, listed.vmid, has_hook)?,
        };
        f.os = os_inside(&host, f.ctid, f.running)?.or_else(|| original_os(&f.conf.description));
        f.has = conf_mounts(&f.conf);
        found.push(f);
    }
    if found.is_empty() {
        term::info("nothing to adopt: every container this tree names is managed, or absent");
        return Ok(());
    }
    for f in &found {
        show(f);
    }
    let names: Vec<&str> = found.iter().map(|f| f.container.name.as_str()).collect();
    prompt::confirm(
        &format!(
            "Adopt {} as built from {} without rebuilding?",
            names.join(", "),
            &commit[..12]
        ),
        args.yes,
    )?;
    for f in &found {
        adopt(&session, &host, f, &commit, &subject)?;
    }
    Ok(())
}

/// The commit `rev` names (default HEAD) and its subject.
fn commit_of(repo: &git2::Repository, rev: Option<&str>) -> Result<(String, String)> {
    let rev = rev.unwrap_or("HEAD");
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            Failure::usage(
                format!("'{rev}' names no commit: {}", e.message()),
                "pass --commit with a commit of this repository (default: HEAD)",
            )
        })?;
    let subject = commit.summary().ok().flatten().unwrap_or("").to_string();
    Ok((commit.id().to_string(), subject))
}

/// The mounts the tree would give (the folder's own and HOOK_customMounts's).
fn tree_mounts(
    session: &Session,
    host: &Host,
    c: &Container,
    s: &Settings,
    ctid: u32,
    has_hook: bool,
) -> Result<Vec<String>> {
    let ours = folder_mounts(c, &c.dir)?;
    let mut entries = standard_entries(&ours);
    if has_hook {
        let vars = s.hook_vars();
        let env = HookEnv {
            root: &session.tree.root,
            dir: &c.dir,
            name: &c.name,
            ctid,
            ctconf: &host.conf_path(ctid),
            vars: &vars,
        };
        entries = hooks::custom_mounts(&host.runner, &env, &entries)?;
    }
    let resolved =
        mounts::resolve(&ours, &entries).map_err(|e| anyhow::anyhow!("HOOK_customMounts: {e}"))?;
    Ok(resolved
        .args
        .chunks(2)
        .map(|p| mount_line(p[0].trim_start_matches("--"), &p[1]))
        .collect())
}

/// Its own mounts, from its config.
fn conf_mounts(conf: &ConfFile) -> Vec<String> {
    let mut keys: Vec<(u32, &String, &String)> = conf
        .options
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("mp")?.parse().ok()?, k, v)))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k, v)| mount_line(k, v)).collect()
}

/// `mp0 /srv/x -> /usr/local/sbin (ro)`.
fn mount_line(key: &str, spec: &str) -> String {
    let mut parts = spec.split(',');
    let source = parts.next().unwrap_or("");
    let mut target = "";
    let mut ro = false;
    for p in parts {
        match p.split_once('=') {
            Some(("mp", t)) => target = t,
            Some(("ro", v)) => ro = v == "1",
            _ => {}
        }
    }
    format!(
        "{key} {source} -> {target}{}",
        if ro { " (ro)" } else { "" }
    )
}

fn show(f: &Found) {
    let state = if f.running { "running" } else { "stopped" };
    term::stdout_line(format!(
        "{}: CT {} ({}, hostname {}), found by {}; OS {}",
        f.container.name,
        f.ctid,
        state,
        f.hostname,
        f.by,
        f.os.as_deref().unwrap_or("unknown")
    ));
    let same = |a: &[String], b: &[String]| {
        let key = |l: &String| l.split_once(' ').map(|(_, r)| r.to_string());
        let mut a: Vec<_> = a.iter().filter_map(key).collect();
        let mut b: Vec<_> = b.iter().filter_map(key).collect();
        a.sort();
        b.sort();
        a == b
    };
    for (what, lines) in [("has", &f.has), ("tree gives", &f.gives)] {
        term::stdout_line(format!("  mounts it {what}:"));
        for l in lines.iter() {
            term::stdout_line(format!("    {l}"));
        }
    }
    if !same(&f.has, &f.gives) {
        term::stdout_line("  the mounts differ: a rebuild gives it the tree's");
    }
}

/// The OS release of a running container, from its `/etc/os-release`.
fn os_inside(host: &Host, ctid: u32, running: bool) -> Result<Option<String>> {
    if !running {
        return Ok(None);
    }
    let id = ctid.to_string();
    let cat = Proc::pct(&["exec", &id, "--", "cat", "/etc/os-release"]);
    let out = host.runner.output(&cat)?;
    Ok(out
        .status
        .success()
        .then(|| os_release(&out.stdout))
        .flatten())
}

/// `<ostype>-<release>` from an os-release file (`alpine-3.19`, `debian-12`).
pub fn os_release(text: &str) -> Option<String> {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    let id = match field("ID")?.as_str() {
        "arch" => "archlinux".to_string(),
        id if id.starts_with("opensuse") => "opensuse".to_string(),
        id => id.to_string(),
    };
    let version = field("VERSION_ID")?;
    // Alpine's templates name the minor release (3.19), os-release the patch.
    let release = match id.as_str() {
        "alpine" => version.split('.').take(2).collect::<Vec<_>>().join("."),
        _ => version,
    };
    Some(format!("{id}-{release}"))
}

/// The release in the original script's description, `# OSTYPE OSVERSION APP LXC`.
pub fn original_os(description: &str) -> Option<String> {
    let first = description.lines().next()?.strip_prefix("# ")?;
    let mut words = first.split_whitespace();
    let (ostype, version) = (words.next()?, words.next()?);
    let known = settings::check(settings::spec("OSTYPE")?.kind, ostype).is_ok();
    let numeric = version.starts_with(|c: char| c.is_ascii_digit());
    (known && numeric).then(|| format!("{ostype}-{version}"))
}

/// The description with the record below its kept text.
pub fn adopted_description(kept: &str, about: &str, record: &Record) -> String {
    let tail = format!("\n\n{about}\n\n{}", record.line());
    let room = MAX_DESCRIPTION.saturating_sub(tail.len());
    let mut kept = kept.trim_end().to_string();
    while kept.len() > room {
        kept.pop();
    }
    format!("{kept}{tail}").trim_start().to_string()
}

/// Write the record, tag and note of one container.
fn adopt(session: &Session, host: &Host, f: &Found, commit: &str, subject: &str) -> Result<()> {
    let name = &f.container.name;
    let _lock = BuildLock::acquire(f.ctid, name, &session.ws.workdir)?;
    let record = Record {
        name: name.clone(),
        tree: Some(session.tree_id.clone()),
        commit: commit.to_string(),
        state: State::Built,
        os: f.os.clone(),
        adopted: true,
        ..Record::default()
    };
    let about = format!(
        "Adopted by git-lxc from `{}` at {} ({}), {}, by {}.",
        session.ws.rel(&f.container.dir),
        &commit[..12],
        subject,
        crate::build::log::timestamps().1,
        crate::build::user_host()
    );
    let description = adopted_description(&f.conf.description, &about, &record);
    let mut tags: Vec<&str> = f
        .conf
        .options
        .get("tags")
        .map(|t| t.split([';', ',', ' ']).filter(|t| !t.is_empty()).collect())
        .unwrap_or_default();
    if !tags.contains(&TAG) {
        tags.push(TAG);
    }
    let id = f.ctid.to_string();
    let set = Proc::pct(&[
        "set",
        &id,
        "--description",
        &description,
        "--tags",
        &tags.join(";"),
    ]);
    host.runner
        .checked(&set)
        .with_context(|| format!("could not record CT {id} as '{name}'"))?;
    let entry = Entry {
        time: notes::now(),
        name: name.clone(),
        ctid: f.ctid,
        node: crate::host::facts::node_name(host),
        result: Outcome::Adopted,
        backup: None,
        user_host: crate::build::user_host(),
    };
    if let Err(e) = notes::append(&session.ws.repo, commit, &entry) {
        term::warn(format!("could not add the adoption to the notes: {e:#}"));
    }
    term::info(format!(
        "{} adopted CT {} as '{name}' (commit {}); `git lxc rebuild {name}` rebuilds it",
        term::green("✔"),
        f.ctid,
        &commit[..12]
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_os_release() {
        let alpine = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";
        assert_eq!(os_release(alpine).as_deref(), Some("alpine-3.19"));
        let debian =
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n";
        assert_eq!(os_release(debian).as_deref(), Some("debian-12"));
        assert_eq!(os_release("ID=arch\n"), None);
        assert_eq!(
            original_os("# alpine 3.19 Samba Server LXC\n").as_deref(),
            Some("alpine-3.19")
        );
        assert_eq!(original_os("# My notes\n"), None);
    }

    #[test]
    fn the_description_text_is_kept_above_the_record() {
        let record = Record {
            name: "samba".into(),
            commit: "0".repeat(40),
            state: State::Built,
            adopted: true,
            ..Record::default()
        };
        let d = adopted_description("# alpine 3.19 Samba Server LXC\n", "Adopted.", &record);
        assert!(d.starts_with("# alpine 3.19 Samba Server LXC\n\nAdopted.\n\ngit-lxc: name=samba"));
        assert_eq!(Record::parse(&d), Some(record.clone()));
        let long = "x".repeat(9000);
        assert!(adopted_description(&long, "Adopted.", &record).len() <= MAX_DESCRIPTION);
    }
}
