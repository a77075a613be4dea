//! Everything before the first host-changing call: settings, guards, the
//! CTID, the template, the mounts, and the plan.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{HostFacts, Mode, Options, watched_paths};
use crate::bash::Evaluated;
use crate::build::lock::BuildLock;
use crate::build::plan::{self, CtidSource, Existing, Mount, Plan, Template};
use crate::build::provision::Script;
use crate::build::record::{self, Human, Record, State};
use crate::error::Failure;
use crate::host::{Host, HostCmd};
use crate::settings::{self, Settings};
use crate::term;
use crate::workspace::Workspace;
use crate::workspace::gitstate;
use crate::workspace::tree::{Container, Tree};

/// A checked build, ready to run.
pub struct Prepared {
    pub name: String,
    pub container: Container,
    pub settings: Settings,
    pub plan: Plan,
    pub ctid_source: CtidSource,
    pub commit: String,
    pub dirty: bool,
    pub human: Human,
    pub outline: Vec<String>,
    pub root: PathBuf,
    /// Held until the build ends.
    pub _lock: Option<BuildLock>,
}

impl Prepared {
    pub fn record(&self, state: State) -> Record {
        Record {
            name: self.name.clone(),
            commit: self.commit.clone(),
            state,
            dirty: self.dirty,
        }
    }

    pub fn description(&self, state: State, failed_step: Option<&str>) -> String {
        let human = Human {
            failed_step: failed_step.map(str::to_string),
            ..self.human.clone()
        };
        record::description(&self.record(state), &human)
    }
}

/// What the offline checks found: valid settings, the commit, the guards passed.
pub struct Checked {
    pub settings: Settings,
    pub evaluated: Evaluated,
    pub commit: String,
    pub subject: String,
    pub dirty: bool,
}

/// The checks that need no host: settings valid, a commit to build from,
/// `.env` safe, nothing uncommitted (unless allowed). Run for every container
/// before the first host call.
pub fn preflight(
    ws: &Workspace,
    tree: &Tree,
    container: &Container,
    evaluated: Evaluated,
    opts: &Options,
) -> Result<Checked> {
    let (settings, problems) =
        settings::resolve(&tree.root, &container.dir, &evaluated, &opts.sets);
    settings_ok(ws, &container.name, &evaluated, &problems)?;
    term::add_secrets(secret_values(&evaluated));
    let Some((commit, subject)) = gitstate::head(&ws.repo) else {
        return Err(Failure::refused(
            "the repository has no commit yet",
            format!(
                "commit the container folder first: git add {} && git commit",
                ws.rel(&container.dir)
            ),
        ));
    };
    env_guard(ws, tree, container)?;
    let dirty = dirty_guard(ws, tree, container, opts)?;
    Ok(Checked {
        settings,
        evaluated,
        commit,
        subject,
        dirty,
    })
}

/// Guard against the host's state and plan one container's build.
pub fn prepare(
    ws: &Workspace,
    tree: &Tree,
    container: &Container,
    checked: Checked,
    opts: &Options,
    host: &mut Host,
    facts: &HostFacts,
) -> Result<Prepared> {
    let name = container.name.clone();
    let Checked {
        settings,
        evaluated,
        commit,
        subject,
        dirty,
    } = checked;
    host.set_masker(term::masker());
    let lock = if opts.dry_run {
        None
    } else {
        Some(BuildLock::acquire(&ws.git_dir(), &name)?)
    };

    let (ctid, ctid_source) = pick_ctid(&settings, facts, tree, &name, host)?;
    let existing = facts.listed(ctid).map(|l| Existing { running: l.running });
    if existing.is_some() {
        ownership_guard(facts, ctid, &name, opts)?;
        if let Some(conf) = facts.confs.get(&ctid) {
            for (source, target) in conf.storage_mounts() {
                term::warn(format!(
                    "CT {ctid} has a storage-backed mount point {target} ({source}): a rebuild destroys its contents; keep such data in data/ or a bind mount"
                ));
            }
        }
        if opts.mode == Mode::Build {
            return Err(Failure::failed(
                format!("'{name}' already exists as CT {ctid}"),
                format!("use `git lxc rebuild {name}` to destroy and re-create it"),
            ));
        }
    }

    let (template, update_index) = pick_template(&settings, host, opts.dry_run)?;
    let mounts = mounts(container)?;
    let ssh_keys = ssh_keys(&settings)?;
    let build_script = container.build_script().ok_or_else(|| {
        Failure::failed(
            format!("{} has no build-target.sh", ws.rel(&container.dir)),
            "add a build-target.sh (it runs inside the new container as root)",
        )
    })?;
    let script_text = std::fs::read_to_string(&build_script)
        .with_context(|| format!("cannot read {}", build_script.display()))?;
    let libs: Vec<(String, String)> = tree
        .lib_files()
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text,
            )
        })
        .collect();
    let mut script_settings: Vec<(&str, String)> =
        settings.all().map(|(k, v)| (k, v.to_string())).collect();
    script_settings.retain(|(k, _)| *k != "CTID" && *k != "HOST");
    script_settings.push(("CTID", ctid.to_string()));
    script_settings.push(("HOST", settings.hostname().to_string()));
    script_settings.push(("ROOT_DIR", name.clone()));
    let script = Script {
        context: &settings.context,
        settings: script_settings,
        libs,
        build_script_name: build_script
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("build-target.sh"),
        build_script: &script_text,
        trace: settings.flag("VERBOSE"),
    };
    let outline = script.outline();
    let provision = HostCmd::pct(&[
        "exec",
        &ctid.to_string(),
        "--keep-env",
        "0",
        "--",
        "bash",
        "-s",
    ])
    .with_stdin(script.render());

    let (_, date) = crate::build::log::timestamps();
    let human = Human {
        app: settings.get("APP").to_string(),
        folder: ws.rel(&container.dir),
        subject,
        date,
        user_host: user_host(),
        failed_step: None,
    };
    let building = record::description(
        &Record {
            name: name.clone(),
            commit: commit.clone(),
            state: State::Building,
            dirty,
        },
        &human,
    );
    let hooks: Vec<&str> = evaluated.hooks().collect();
    let plan = plan::plan(&plan::Input {
        settings: &settings,
        hooks: &hooks,
        ctid,
        existing,
        template,
        update_index,
        mounts,
        data_dir: container.data_dir(),
        ssh_keys,
        description: building,
        provision,
    });
    Ok(Prepared {
        name,
        container: container.clone(),
        settings,
        plan,
        ctid_source,
        commit,
        dirty,
        human,
        outline,
        root: tree.root.clone(),
        _lock: lock,
    })
}

/// Values from `.env` files that are not `OPT_` settings: the secrets.
pub fn secret_values(ev: &Evaluated) -> Vec<&str> {
    ev.secrets
        .iter()
        .filter(|(k, _)| !k.starts_with("OPT_"))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn settings_ok(
    ws: &Workspace,
    name: &str,
    ev: &Evaluated,
    problems: &[settings::Problem],
) -> Result<()> {
    let mut errors: Vec<String> = problems
        .iter()
        .map(|p| {
            let place = match &p.origin {
                Some(o) => match o.line {
                    Some(l) => format!("{}:{l}: ", ws.rel(&o.file)),
                    None => format!("{}: ", ws.rel(&o.file)),
                },
                None => String::new(),
            };
            format!("{place}{} [{}]", p.message, p.rule)
        })
        .collect();
    for (file, msg) in &ev.syntax_errors {
        errors.push(format!(
            "{}: {} [bash-syntax]",
            ws.rel(file),
            msg.lines().next().unwrap_or("")
        ));
    }
    if !ev.complete {
        errors.push(format!(
            "the settings files of '{name}' stopped before their end (an `exit`?): {}",
            ev.stderr.trim()
        ));
    }
    if errors.is_empty() {
        return Ok(());
    }
    for e in &errors {
        term::error(e);
    }
    Err(Failure::failed(
        format!("the settings of '{name}' are not valid; nothing was done"),
        format!("fix the files named above; `git lxc verify {name}` checks them offline"),
    ))
}

fn env_guard(ws: &Workspace, tree: &Tree, container: &Container) -> Result<()> {
    for env in [tree.env_file(), container.env_file()] {
        let rel = ws.rel(&env);
        if gitstate::is_tracked(&ws.repo, &rel) {
            return Err(Failure::refused(
                format!("{rel} is tracked by git: its secrets are in the repository"),
                format!(
                    "run `git rm --cached {rel}`, commit, add `.env` to .gitignore, and change every secret it held"
                ),
            ));
        }
        if env.exists() && !gitstate::is_ignored(&ws.repo, &rel) {
            return Err(Failure::refused(
                format!("{rel} is not ignored by git: one `git add -A` would commit its secrets"),
                "add `.env` to the tree's .gitignore (`git lxc init` does it)",
            ));
        }
    }
    Ok(())
}

fn dirty_guard(ws: &Workspace, tree: &Tree, container: &Container, opts: &Options) -> Result<bool> {
    let changed = gitstate::changed_paths(&ws.repo, &watched_paths(ws, tree, container))?;
    if changed.is_empty() {
        return Ok(false);
    }
    if opts.allow_dirty || opts.dry_run {
        if opts.allow_dirty {
            term::warn(format!(
                "building from uncommitted changes ({}); the record will say dirty",
                changed.join(", ")
            ));
        }
        return Ok(opts.allow_dirty);
    }
    let shown: Vec<&str> = changed.iter().take(8).map(String::as_str).collect();
    let more = if changed.len() > 8 {
        format!(" and {} more", changed.len() - 8)
    } else {
        String::new()
    };
    Err(Failure::refused(
        format!(
            "'{}' has uncommitted changes: {}{more}",
            container.name,
            shown.join(", ")
        ),
        "commit them (the container records the commit it was built from), or pass --allow-dirty",
    ))
}

fn ownership_guard(facts: &HostFacts, ctid: u32, name: &str, opts: &Options) -> Result<()> {
    let record = facts.record(ctid);
    let owner = match &record {
        Some(r) if r.name == name => return Ok(()),
        Some(r) => format!("its record names '{}'", r.name),
        None => "it has no git-lxc record (git-lxc did not build it)".to_string(),
    };
    if opts.force {
        term::warn(format!(
            "CT {ctid} is not '{name}' ({owner}); --force replaces it"
        ));
        return Ok(());
    }
    let listed = facts
        .listed(ctid)
        .map(|l| l.name.clone())
        .unwrap_or_default();
    Err(Failure::refused(
        format!("CT {ctid} ({listed}) exists and {owner}; refusing to destroy it"),
        format!(
            "pick a free CTID in {name}/configSettings or .env (OPT_CTID), or pass --force if CT {ctid} really is to be replaced"
        ),
    ))
}

fn pick_ctid(
    settings: &Settings,
    facts: &HostFacts,
    tree: &Tree,
    name: &str,
    host: &mut Host,
) -> Result<(u32, CtidSource)> {
    let built = facts.built_from(name);
    if let Some(id) = settings.ctid() {
        if let Some(old) = built.iter().find(|&&b| b != id) {
            term::warn(format!(
                "'{name}' was built as CT {old} before; OPT_CTID now says {id}, so CT {old} is left alone (destroy it with `pct destroy {old}` when done)"
            ));
        }
        return Ok((id, CtidSource::Setting));
    }
    if let Some(&id) = built.first() {
        if built.len() > 1 {
            term::warn(format!(
                "several containers record '{name}': {:?}; using CT {id}",
                built
            ));
        }
        return Ok((id, CtidSource::Record));
    }
    let out = host.run(&HostCmd::new("pvesh", &["get", "/cluster/nextid"]))?;
    let mut id = parse_id(&out.stdout)?;
    // The host does not know which ids other folders of the tree reserve
    // with OPT_CTID (they may not be built yet): skip those, and let pvesh
    // confirm that the id found instead is free.
    let reserved = reserved_ctids(tree, name)?;
    if !reserved.contains(&id) {
        return Ok((id, CtidSource::NextId));
    }
    for _ in 0..1000 {
        id += 1;
        if reserved.contains(&id) || facts.listed(id).is_some() {
            continue;
        }
        let check = HostCmd::new(
            "pvesh",
            &["get", "/cluster/nextid", "--vmid", &id.to_string()],
        );
        if host.run_unchecked(&check)?.status.success() {
            return Ok((id, CtidSource::NextId));
        }
    }
    Err(Failure::failed(
        "found no free CTID that no folder of the tree reserves",
        format!("set OPT_CTID in {name}/configSettings"),
    ))
}

fn parse_id(text: &str) -> Result<u32> {
    let text = text.trim().trim_matches('"');
    text.parse()
        .with_context(|| format!("`pvesh get /cluster/nextid` printed '{text}', not an id"))
}

/// The CTIDs the tree's other container folders set.
fn reserved_ctids(tree: &Tree, name: &str) -> Result<Vec<u32>> {
    let others: Vec<&Container> = tree.containers.iter().filter(|c| c.name != name).collect();
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let evaluated = crate::bash::evaluate(tree, &others)?;
    Ok(others
        .iter()
        .zip(&evaluated)
        .filter_map(|(c, ev)| settings::resolve(&tree.root, &c.dir, ev, &[]).0.ctid())
        .collect())
}

fn pick_template(settings: &Settings, host: &mut Host, dry_run: bool) -> Result<(Template, bool)> {
    let store = settings.get("TEMPLATESTORE");
    let ostype = settings.get("OSTYPE");
    let version = settings.get("OSVERSION");
    let out = host.run(&HostCmd::new("pveam", &["list", store]))?;
    let local = plan::parse_pveam_list(&out.stdout);
    let local_refs: Vec<&str> = local.iter().map(String::as_str).collect();
    let wanted = if version.is_empty() {
        ostype.to_string()
    } else {
        format!("{ostype}-{version}")
    };
    if settings.flag("CHECKTEMPLATE") {
        let avail = host.run(&HostCmd::new(
            "pveam",
            &["available", "--section", "system"],
        ))?;
        let names = plan::parse_pveam_available(&avail.stdout);
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        if let Some(newest) = plan::pick_template(&refs, ostype, version) {
            let download = (!local.iter().any(|f| f == newest)).then(|| newest.to_string());
            return Ok((
                Template {
                    volid: format!("{store}:vztmpl/{newest}"),
                    download,
                },
                !dry_run,
            ));
        }
        if let Some(file) = plan::pick_template(&local_refs, ostype, version) {
            term::warn(format!(
                "no {wanted} template in `pveam available`; using the local {file}"
            ));
            return Ok((
                Template {
                    volid: format!("{store}:vztmpl/{file}"),
                    download: None,
                },
                !dry_run,
            ));
        }
        return Err(Failure::failed(
            format!("no {wanted} template is available to download"),
            "check OPT_OSTYPE/OPT_OSVERSION against `pveam available --section system`",
        ));
    }
    match plan::pick_template(&local_refs, ostype, version) {
        Some(file) => Ok((
            Template {
                volid: format!("{store}:vztmpl/{file}"),
                download: None,
            },
            false,
        )),
        None => Err(Failure::failed(
            format!("no {wanted} template in storage '{store}'"),
            format!(
                "download one (`pveam update && pveam available --section system`, then `pveam download {store} <name>`), or set OPT_CHECKTEMPLATE=1"
            ),
        )),
    }
}

/// conf/ and bin/ (when present) read-only, data/ read-write, by real path:
/// pct refuses symlinks in bind-mount paths.
fn mounts(container: &Container) -> Result<Vec<Mount>> {
    let mut out = Vec::new();
    for (folder, target, read_only) in [
        ("conf", "/usr/local/conf", true),
        ("bin", "/usr/local/sbin", true),
        ("data", "/usr/local/data", false),
    ] {
        let path = container.dir.join(folder);
        let source = if path.exists() {
            std::fs::canonicalize(&path)
                .with_context(|| format!("cannot resolve {}", path.display()))?
        } else if folder == "data" {
            if path.is_symlink() {
                return Err(Failure::failed(
                    format!(
                        "{} is a symlink to a folder that does not exist",
                        path.display()
                    ),
                    "create the folder it points to, or remove the link",
                ));
            }
            path
        } else {
            continue;
        };
        out.push(Mount {
            source,
            target,
            read_only,
        });
    }
    Ok(out)
}

fn ssh_keys(settings: &Settings) -> Result<Option<PathBuf>> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let value = settings.get("SSHKEYS");
    if value.is_empty() {
        return Ok(home
            .map(|h| h.join(".ssh/authorized_keys"))
            .filter(|p| p.is_file()));
    }
    let path = match (value.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(value),
    };
    if !path.is_file() {
        return Err(Failure::failed(
            format!("OPT_SSHKEYS names {}, which is not a file", path.display()),
            "point it at an authorized_keys file, or leave it empty",
        ));
    }
    Ok(Some(path))
}

fn user_host() -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(passwd_name)
        .unwrap_or_else(|| "unknown".to_string());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".to_string());
    format!("{user}@{host}")
}

/// This process's user name from /etc/passwd.
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid).then(|| name.to_string())
    })
}
