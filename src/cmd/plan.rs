use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::build::offline::{HostDecides, NOT_CHECKED};
use crate::build::plan::{Action, Step};
use crate::build::{CtidArg, CtidSource, Mode, Prepared};
use crate::cmd::GlobalArgs;
use crate::cmd::build::BuildOpts;
use crate::host::process::{Proc, Stdin, abbreviate};
use crate::term;
use crate::workspace::session::Session;

/// Print every step a build of NAME would run, without changing the host.
///
/// Shows the host commands in order (secrets masked), where each hook runs,
/// and the parts of the provisioning script. Only read-only host calls are
/// made (`pct list`, the configs, `pveam list`, `pvesh get /cluster/nextid`),
/// and `HOOK_customMounts` runs, since it only computes mounts. `build` and
/// `rebuild` run exactly these commands.
///
/// Where `pct` is not found (no Proxmox VE host, e.g. a laptop with a clone
/// of the tree), the plan is made from the tree alone: no host is read, and
/// what the host decides is marked. The CTID (unless OPT_CTID sets it) is
/// `<CTID>`, the template `<newest … template>`, and whether a container is
/// replaced is left open; storages, the bridge and mount sources are not
/// checked. The checks that need no host (settings, `.env`) run as there.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The container folder.
    pub name: String,

    /// Print the plan as JSON on stdout: every step with the argv of each command.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub opts: BuildOpts,
}

pub fn exec(args: &PlanArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let opts = args.opts.options(Mode::Rebuild, true);
    let (host, prepared) = crate::cmd::build::prepare_one(&session, &args.name, &opts)?;
    if args.json {
        term::stdout_line(serde_json::to_string_pretty(&json(&prepared))?);
    } else {
        print(&prepared, host.runner.uses_sudo());
    }
    Ok(())
}

/// Print a plan: every step with its commands, secrets masked.
pub fn print(p: &Prepared, sudo: bool) {
    let source = match p.ctid_source {
        CtidSource::Setting => "set by OPT_CTID",
        CtidSource::Record => "the container this folder built before",
        CtidSource::NextId => "the next free id",
        CtidSource::Host => "decided by the host",
    };
    let offline = !p.host_decides.is_empty();
    term::stdout_line(format!(
        "Plan for {} → CT {} ({source}), commit {}{}{}",
        term::bold(&p.name),
        CtidArg::of(p.ctid, p.ctid_source),
        &p.commit[..12],
        if p.dirty { " (dirty)" } else { "" },
        if sudo && !offline {
            "; host commands run through sudo"
        } else {
            ""
        },
    ));
    if offline {
        print_host_decides(&p.host_decides);
    }
    if !p.custom_mounts.is_empty() {
        term::stdout_line(format!(
            "HOOK_customMounts (run now, on this host, as you) adds: {}",
            p.custom_mounts.join(", ")
        ));
    }
    for (i, step) in p.steps.iter().enumerate() {
        term::stdout_line(format!("{:>3}. {}", i + 1, step.title));
        for line in commands(step) {
            term::stdout_line(format!("       {}", term::dim(&line)));
        }
    }
    term::stdout_line(
        "Provisioning script (piped to bash inside the container, never written to disk):",
    );
    for line in &p.outline {
        term::stdout_line(format!("       {line}"));
    }
}

/// What a plan made without a host leaves to it.
fn print_host_decides(decides: &[HostDecides]) {
    term::stdout_line("Planned without a Proxmox VE host; the host decides:");
    for d in decides {
        match &d.stand_in {
            Some(stand_in) => term::stdout_line(format!("  {stand_in}: {}", d.what)),
            None => term::stdout_line(format!("  {}", d.what)),
        }
    }
    term::stdout_line(format!("Not checked without the host: {NOT_CHECKED}"));
}

fn shown(p: &Proc) -> String {
    abbreviate(&p.display())
}

/// The lines under a step: its commands as a person would type them.
fn commands(step: &Step) -> Vec<String> {
    match &step.action {
        Action::Run(p) | Action::Provision(p) => vec![shown(p)],
        Action::Backup { vzdump, .. } => vec![
            shown(vzdump),
            "(if a later step fails, this backup is restored)".to_string(),
        ],
        Action::Health { probe, timeout } => vec![format!(
            "{}   (every 2 s until it exits 0, at most {} s)",
            shown(probe),
            timeout.as_secs()
        )],
        Action::Hook { name, .. } => vec![format!("HOOK_{name} (bash, on this host, as you)")],
        Action::Shutdown { shutdown, stop } => vec![
            shown(shutdown),
            format!("{}   (only if it does not shut down)", shown(stop)),
        ],
        Action::Download {
            download, check, ..
        } => vec![
            shown(download),
            format!("{}   (to check the template arrived)", shown(check)),
        ],
        Action::WaitIp { probe, timeout } => vec![format!(
            "{}   (every 0.5 s until an IPv4 address shows, at most {} s)",
            shown(probe),
            timeout.as_secs()
        )],
        Action::Mapping { read, append, .. } => vec![
            format!("{}   (into a private copy)", shown(read)),
            "HOOK_customMapping on the copy (bash, on this host, as you)".to_string(),
            format!(
                "{} <<< (the lines it appends)",
                shown(&append.clone().stdin(Stdin::Null))
            ),
        ],
    }
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    name: &'a str,
    /// null when the host gives it (planned without one).
    ctid: Option<u32>,
    /// Only in a plan made without a host: `true`, with what the host
    /// decides (the stand-ins in the commands) and what was not checked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    offline: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    host_decides: &'a [HostDecides],
    #[serde(skip_serializing_if = "Option::is_none")]
    not_checked: Option<&'static str>,
    commit: &'a str,
    dirty: bool,
    custom_mounts: &'a [String],
    steps: Vec<JsonStep>,
    script: &'a [String],
}

#[derive(Serialize)]
struct JsonStep {
    title: String,
    commands: Vec<JsonCommand>,
}

#[derive(Serialize)]
struct JsonCommand {
    argv: Vec<String>,
    /// `none`, `terminal`, `script` (secret, never shown) or the piped text.
    stdin: String,
    changes_host: bool,
    /// Runs only when the command before it failed.
    fallback: bool,
    privileged: bool,
}

fn json(p: &Prepared) -> JsonPlan<'_> {
    let steps = p
        .steps
        .iter()
        .map(|s| JsonStep {
            title: s.title.clone(),
            commands: s
                .action
                .commands()
                .into_iter()
                .map(|cmd| JsonCommand {
                    argv: std::iter::once(cmd.proc.program.clone())
                        .chain(cmd.proc.args.iter().cloned())
                        .collect(),
                    stdin: match &cmd.proc.stdin {
                        Stdin::Null => "none".into(),
                        Stdin::Inherit => "terminal".into(),
                        Stdin::Text { secret: true, .. } => "script".into(),
                        // HOOK_customMapping's append: its lines come from the hook.
                        Stdin::Text { text, .. } if text.is_empty() => "hook output".into(),
                        Stdin::Text { text, .. } => text.clone(),
                    },
                    changes_host: cmd.changes_host,
                    fallback: cmd.fallback,
                    privileged: cmd.proc.privileged,
                })
                .collect(),
        })
        .collect();
    let offline = !p.host_decides.is_empty();
    JsonPlan {
        name: &p.name,
        ctid: match CtidArg::of(p.ctid, p.ctid_source) {
            CtidArg::Id(id) => Some(id),
            CtidArg::Host => None,
        },
        offline,
        host_decides: &p.host_decides,
        not_checked: offline.then_some(NOT_CHECKED),
        commit: &p.commit,
        dirty: p.dirty,
        custom_mounts: &p.custom_mounts,
        steps,
        script: &p.outline,
    }
}
