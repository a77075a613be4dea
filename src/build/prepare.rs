//! Everything before the first host-changing call: the offline checks, the
//! host's state (read once, read-only), `HOOK_customMounts`, and the plan.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::backups::our_backups;
use super::guards::{
    adoption_guard, dirty_guard, env_guard, env_keys_guard, ownership_guard, settings_ok,
};
use super::local::{ssh_keys, subid_missing, user_host};
use super::lock::BuildLock;
use super::mounts::{self, check_bind_source, folder_mounts, standard_entries};
use super::offline::{self, HostDecides};
use super::plan::{self, Existing, Hooks, Step};
use super::provision::Script;
use super::record::{self, Human, Record, State};
use super::{CtidArg, Mode, Options, host_check, release, template};
use crate::bash::Evaluated;
use crate::bash::hooks::{self, HookEnv};
use crate::error::Failure;
use crate::host::Host;
use crate::host::facts::HostFacts;
use crate::host::storage::Access;
use crate::settings::{self, Settings};
use crate::term;
use crate::workspace::Workspace;
use crate::workspace::gitstate;
use crate::workspace::tree::{Container, Tree};

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
    env_keys_guard(ws, tree, container)?;
    let dirty = dirty_guard(ws, tree, container, opts)?;
    Ok(Checked {
        settings,
        evaluated,
        commit,
        subject,
        dirty,
    })
}

/// Where the CTID came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtidSource {
    Setting,
    Record,
    NextId,
    /// Planned without a host: the next free id is its to give, so the
    /// plan's commands name a stand-in ([`super::CtidArg::Host`]).
    Host,
}

/// A checked build with its complete plan, ready to run.
pub struct Prepared {
    pub name: String,
    pub container: Container,
    pub ctid: u32,
    pub ctid_source: CtidSource,
    /// The container this build destroys and re-creates.
    pub replaces: Option<u32>,
    /// That container's record.
    pub previous: Option<Record>,
    /// Where its root disk goes (and a restored backup's).
    pub diskstore: String,
    /// KEEPBACKUPS: the releases of that many builds before are kept too.
    pub keep_backups: usize,
    pub steps: Vec<Step>,
    /// The mounts `HOOK_customMounts` added, as it wrote them.
    pub custom_mounts: Vec<String>,
    pub commit: String,
    pub dirty: bool,
    /// The git dir, where the build's note goes.
    pub git_dir: PathBuf,
    /// Who builds, `user@host`, for the note.
    pub user_host: String,
    /// The parts of the provisioning script, for `plan` (never the values).
    pub outline: Vec<String>,
    /// Planned without a host ([`Options::offline`]): what it decides, as
    /// the stand-ins in the steps; empty on a host.
    pub host_decides: Vec<HostDecides>,
    human: Human,
    /// The record, whatever its state.
    record: Record,
    /// What it was planned from, to plan it again.
    checked: Checked,
    /// Held until the build ends.
    _lock: Option<BuildLock>,
}

impl Prepared {
    /// The container and its checks, to plan the build again (the lock is
    /// released).
    pub fn into_parts(self) -> (Container, Checked) {
        (self.container, self.checked)
    }

    fn record(&self, state: State) -> Record {
        Record {
            state,
            ..self.record.clone()
        }
    }

    /// The description recording `state` (and the step that failed).
    pub fn description(&self, state: State, failed_step: Option<&str>) -> String {
        let human = Human {
            failed_step: failed_step.map(str::to_string),
            ..self.human.clone()
        };
        record::description(&self.record(state), &human)
    }
}

/// What [`prepare`] works with: the tree, the host and what it holds.
pub struct Scope<'a> {
    pub ws: &'a Workspace,
    /// This tree's identity (records name it).
    pub tree_id: &'a str,
    pub tree: &'a Tree,
    pub host: &'a Host,
    pub facts: &'a HostFacts,
    pub opts: &'a Options,
}

/// Seconds to wait for an IPv4 address (`GIT_LXC_IP_TIMEOUT` overrides).
fn ip_timeout() -> Duration {
    let secs = std::env::var("GIT_LXC_IP_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// Guard against the host's state and plan one container's build.
pub fn prepare(cx: &Scope, container: &Container, checked: Checked) -> Result<Prepared> {
    let name = container.name.clone();
    let s = &checked.settings.clone();
    let (ctid, ctid_source) = match adoption_guard(cx.facts, cx.tree_id, s, &name, cx.opts)? {
        Some(id) => (id, CtidSource::Setting),
        None => super::ctid::pick_ctid(s, cx, &name)?,
    };
    let arg = CtidArg::of(ctid, ctid_source);
    let lock = match cx.opts.dry_run {
        true => None,
        false => Some(BuildLock::acquire(ctid, &name, &cx.ws.workdir)?),
    };
    let existing = existing(cx, ctid, &name)?;
    let previous = existing.and_then(|_| cx.facts.record(ctid));
    let recorded = previous.as_ref().and_then(|r| r.os.as_deref());
    let kept = template::kept_release(s, recorded, cx.opts.upgrade);
    let (template, host_decides) = match cx.opts.offline {
        true => offline::template_and_decisions(s, arg),
        false => (
            template::choose(cx.ws, s, cx.host, kept.as_deref())?,
            Vec::new(),
        ),
    };
    let backups = backup_volids(cx, s, ctid, &name, existing.is_some())?;
    let (inputs_tree, inputs) = inputs(cx, container, &checked)?;
    let (planned, mapping_copy) = mounts_and_checks(
        cx,
        container,
        s,
        arg,
        existing.is_some(),
        &checked.evaluated,
        &inputs,
    )?;
    let script = script(&inputs_tree, &inputs, s, arg)?;
    let mut prepared = Prepared {
        name: name.clone(),
        container: container.clone(),
        ctid,
        ctid_source,
        replaces: existing.map(|_| ctid),
        previous,
        diskstore: s.diskstore.clone(),
        keep_backups: s.keepbackups as usize,
        steps: Vec::new(),
        custom_mounts: planned.custom,
        commit: checked.commit.clone(),
        dirty: checked.dirty,
        git_dir: cx.ws.git_dir(),
        user_host: user_host(),
        outline: script.1,
        host_decides,
        human: human_of(cx, container, s, &checked),
        record: record_of(cx, &name, &checked, &template.os),
        checked,
        _lock: lock,
    };
    let data = container.data_dir();
    prepared.steps = plan::steps(&plan::Input {
        settings: s,
        ctid: arg,
        existing,
        backups: &backups,
        notes: plan::backup_notes(&name, &prepared.commit),
        template: &template,
        mount_args: &planned.args,
        make_data: (!data.exists() && !data.is_symlink()).then_some(data),
        ssh_keys: ssh_keys(s)?,
        building: prepared.description(State::Building, None),
        built: prepared.description(State::Built, None),
        script: script.0,
        hooks: &planned.hooks,
        conf_path: cx.host.conf_path(arg),
        mapping_copy,
        subid_missing: subid_missing(s)?,
        ip_timeout: ip_timeout(),
    });
    Ok(prepared)
}

/// The container's earlier backups, when a rebuild with `BACKUP=1` replaces it.
fn backup_volids(
    cx: &Scope,
    s: &Settings,
    ctid: u32,
    name: &str,
    replaces: bool,
) -> Result<Vec<String>> {
    if !(replaces && s.backup) {
        return Ok(Vec::new());
    }
    let backups = our_backups(cx.host, &s.backupstore, ctid, name)?;
    Ok(backups.into_iter().map(|b| b.volid).collect())
}

/// What the description's human part says.
fn human_of(cx: &Scope, container: &Container, s: &Settings, checked: &Checked) -> Human {
    Human {
        app: s.app.clone(),
        folder: cx.ws.rel(&container.dir),
        subject: checked.subject.clone(),
        date: super::log::timestamps().1,
        user_host: user_host(),
        failed_step: None,
    }
}

/// The record a build of `name` writes (its state set at each step).
fn record_of(cx: &Scope, name: &str, checked: &Checked, os: &str) -> Record {
    Record {
        name: name.to_string(),
        tree: Some(cx.tree_id.to_string()),
        commit: checked.commit.clone(),
        os: Some(os.to_string()),
        dirty: checked.dirty || !cx.opts.sets.is_empty(),
        sets: recorded_sets(&cx.opts.sets, &cx.host.runner),
        ..Record::default()
    }
}

/// The commit's inputs, exported from git: conf/, bin/, the build script
/// and lib/ come from there, so no later edit or checkout changes what the
/// container sees. A dirty build reads the work tree.
fn inputs(cx: &Scope, container: &Container, checked: &Checked) -> Result<(Tree, Container)> {
    if checked.dirty {
        release::check_work_tree_links(cx.ws, cx.tree, container)?;
        return Ok((cx.tree.clone(), container.clone()));
    }
    let release = release::export(cx.ws, cx.tree, container, &checked.commit)?;
    Ok((release.tree(), release.container()))
}

/// The hooks as commands and every mount (running `HOOK_customMounts`),
/// then the host checked against what the build needs: all before the
/// first change. Also where `HOOK_customMapping` edits its copy.
fn mounts_and_checks(
    cx: &Scope,
    container: &Container,
    s: &Settings,
    ctid: CtidArg,
    replaces: bool,
    evaluated: &Evaluated,
    inputs: &Container,
) -> Result<(Planned, PathBuf)> {
    let vars = s.hook_vars();
    let env = HookEnv {
        root: &cx.tree.root,
        dir: &container.dir,
        name: &container.name,
        ctid: ctid.number(),
        ctconf: &cx.host.conf_path(ctid),
        vars: &vars,
    };
    let mapping_copy = cx.ws.git_dir().join("lxc/tmp").join(format!("{ctid}.conf"));
    let mounted = match s.liveconf {
        true => &container.dir,
        false => &inputs.dir,
    };
    let defined: Vec<String> = evaluated.hooks().map(str::to_string).collect();
    let planned = hooks_and_mounts(cx, container, mounted, &env, &defined, &mapping_copy)?;
    let needs = host_check::Needs {
        name: &container.name,
        settings: s,
        replaces,
        mounts: planned
            .sources
            .iter()
            .map(|(p, a)| (p.as_path(), *a))
            .collect(),
    };
    host_check::check(cx.ws, (!cx.opts.offline).then_some(cx.host), &needs)?;
    Ok((planned, mapping_copy))
}

/// The container with this CTID, if any: checked to be ours (or forced),
/// refused for `build`.
fn existing(cx: &Scope, ctid: u32, name: &str) -> Result<Option<Existing>> {
    let Some(listed) = cx.facts.listed(ctid) else {
        return Ok(None);
    };
    ownership_guard(cx.facts, cx.tree_id, ctid, name, cx.opts)?;
    let conf = cx.facts.confs.get(&ctid);
    for (source, target) in conf.map(|c| c.storage_mounts()).unwrap_or_default() {
        term::warn(format!(
            "CT {ctid} has a storage-backed mount point {target} ({source}): a rebuild destroys its contents; keep such data in data/ or a bind mount"
        ));
    }
    if cx.opts.mode == Mode::Build {
        return Err(Failure::failed(
            format!("'{name}' already exists as CT {ctid}"),
            format!("use `git lxc rebuild {name}` to destroy and re-create it"),
        ));
    }
    let protected = conf
        .and_then(|c| c.options.get("protection"))
        .is_some_and(|v| v == "1");
    Ok(Some(Existing {
        running: listed.running,
        protected,
    }))
}

/// The hooks as commands, what `HOOK_customMounts` added (run now: it
/// only computes mounts, and its bind sources are checked before anything
/// changes), and every mount as `--mpN SPEC` arguments.
/// The hooks and mounts of a build.
struct Planned {
    hooks: Hooks,
    /// What `HOOK_customMounts` added, as it wrote it.
    custom: Vec<String>,
    /// Every mount as `--mpN SPEC` arguments.
    args: Vec<String>,
    /// Host folders bind-mounted, and what the container does with them.
    sources: Vec<(PathBuf, Access)>,
}

fn hooks_and_mounts(
    cx: &Scope,
    container: &Container,
    mounted: &Path,
    env: &HookEnv,
    defined: &[String],
    mapping_copy: &Path,
) -> Result<Planned> {
    let has = |hook: &str| defined.iter().any(|h| h == hook);
    let in_hook = |e: String| anyhow::anyhow!("HOOK_customMounts: {e}");
    let ours = folder_mounts(container, mounted)?;
    // The hook sees `mps` as the original script filled it.
    let mut entries = standard_entries(&ours);
    if has("customMounts") {
        entries = hooks::custom_mounts(&cx.host.runner, env, &entries)?;
    }
    let resolved = mounts::resolve(&ours, &entries).map_err(in_hook)?;
    // Its sources are the host's folders: not here when planned without it.
    for m in resolved.added_mounts.iter().filter(|_| !cx.opts.offline) {
        check_bind_source(&m.spec).map_err(in_hook)?;
    }
    // Reachable by the container's root; whether it may write to data/ is
    // `doctor`'s to say (a build creates a missing data/ with that owner).
    let mut sources: Vec<(PathBuf, Access)> = ours
        .iter()
        .filter(|m| m.source.exists())
        .map(|m| (m.source.clone(), Access::Read))
        .collect();
    sources.extend(
        resolved
            .added_mounts
            .iter()
            .filter_map(|m| m.spec.split(',').next())
            .filter(|s| s.starts_with('/') && !s.starts_with("/dev/"))
            .map(|s| (PathBuf::from(s), Access::Read)),
    );
    let mapping_env = HookEnv {
        ctconf: mapping_copy,
        ..*env
    };
    let hooks = Hooks {
        pre_build: has("preBuild").then(|| hooks::hook_proc(env, "preBuild")),
        post_build: has("postBuild").then(|| hooks::hook_proc(env, "postBuild")),
        custom_mapping: has("customMapping")
            .then(|| hooks::hook_proc(&mapping_env, "customMapping")),
    };
    Ok(Planned {
        hooks,
        custom: resolved.added,
        args: resolved.args,
        sources,
    })
}

/// `--set` overrides as the record keeps them: secret values masked.
fn recorded_sets(
    sets: &[(String, String)],
    runner: &crate::host::process::Runner,
) -> Vec<(String, String)> {
    sets.iter()
        .map(|(k, v)| {
            (
                k.trim_start_matches("OPT_").to_string(),
                runner.masker().mask(v),
            )
        })
        .collect()
}

/// The provisioning script and its outline.
fn script(
    tree: &Tree,
    container: &Container,
    s: &Settings,
    ctid: CtidArg,
) -> Result<(String, Vec<String>)> {
    let build_script = container.build_script().ok_or_else(|| {
        Failure::failed(
            format!("{} has no build-target.sh", container.name),
            "add a build-target.sh (it runs inside the new container as root)",
        )
    })?;
    let text = std::fs::read_to_string(&build_script)
        .with_context(|| format!("cannot read {}", build_script.display()))?;
    let mut libs = Vec::new();
    for p in tree.lib_files() {
        let lib =
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
        let file = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        libs.push((file, lib));
    }
    let mut values: Vec<(&str, String)> = s
        .values()
        .filter(|(k, _)| *k != "CTID" && *k != "HOST")
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    values.push(("CTID", ctid.to_string()));
    values.push(("HOST", s.hostname.clone()));
    values.push(("ROOT_DIR", container.name.clone()));
    let script = Script {
        context: &s.context,
        settings: values,
        libs,
        build_script_name: build_script
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("build-target.sh"),
        build_script: &text,
        trace: s.verbose,
    };
    Ok((script.render(), script.outline()))
}
