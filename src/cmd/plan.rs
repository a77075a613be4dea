use anyhow::Result;
use clap::Args;

use crate::build::plan::{Action, CtidSource};
use crate::build::{self, HostFacts, Mode, Prepared};
use crate::cmd::GlobalArgs;
use crate::cmd::build::BuildOpts;
use crate::cmd::run;
use crate::term;
use crate::workspace::session::Session;

/// Print every step a build of NAME would run, without changing the host.
///
/// Shows the host commands in order (secrets masked), where each hook runs,
/// and the parts of the provisioning script. Only read-only host calls are
/// made (`pct list`, `pveam list`, `pvesh get /cluster/nextid`).
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The container folder.
    pub name: String,

    #[command(flatten)]
    pub opts: BuildOpts,
}

pub fn exec(args: &PlanArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let opts = run::options(Mode::Rebuild, &args.opts, true);
    let evaluated = session.evaluate(&[&container])?.remove(0);
    let checked = build::preflight(&session.ws, &session.tree, &container, evaluated, &opts)?;
    let mut host = session.host();
    let facts = HostFacts::read(&mut host)?;
    let prepared = build::prepare(
        &session.ws,
        &session.tree,
        &container,
        checked,
        &opts,
        &mut host,
        &facts,
    )?;
    print(&prepared, host.uses_sudo());
    Ok(())
}

/// Print a plan: every step with its command, secrets masked.
pub fn print(p: &Prepared, sudo: bool) {
    let source = match p.ctid_source {
        CtidSource::Setting => "set by OPT_CTID",
        CtidSource::Record => "the container this folder built before",
        CtidSource::NextId => "the next free id",
    };
    term::info(format!(
        "Plan for {} → CT {} ({source}), commit {}{}{}",
        term::bold(&p.name),
        p.plan.ctid,
        &p.commit[..12],
        if p.dirty { " (dirty)" } else { "" },
        if sudo {
            "; host commands run through sudo"
        } else {
            ""
        },
    ));
    for (i, step) in p.plan.steps.iter().enumerate() {
        term::info(format!("{:>3}. {}", i + 1, step.title));
        for line in commands(step) {
            term::info(format!("       {}", term::dim(&line)));
        }
    }
    term::info("Provisioning script (piped to bash inside the container, never written to disk):");
    for line in &p.outline {
        term::info(format!("       {line}"));
    }
}

fn commands(step: &crate::build::plan::Step) -> Vec<String> {
    match &step.action {
        Action::Hook(name) => vec![format!("HOOK_{name} (on this host, as you)")],
        Action::MakeDataDir(dir) => vec![
            format!(
                "mkdir -p {}",
                crate::host::shell_quote(&dir.to_string_lossy())
            ),
            "chown 100000:100000 on it when created for an unprivileged container".to_string(),
        ],
        Action::Run(cmd) | Action::Download { cmd, .. } => vec![cmd.display()],
        Action::Shutdown(id) => vec![
            format!("pct shutdown {id} --timeout 60"),
            format!("pct stop {id}   (only if it does not shut down)"),
        ],
        Action::CustomMounts => vec![
            "HOOK_customMounts (on this host, as you; its mounts are added to pct create)"
                .to_string(),
        ],
        Action::Create {
            cmd,
            mounts,
            custom_mounts,
        } => {
            let mut full = cmd.clone();
            let at = full.args.len() - 2;
            let args = crate::build::plan::mount_args(mounts, &[]).unwrap_or_default();
            full.args.splice(at..at, args);
            let mut out = Vec::new();
            if *custom_mounts {
                out.push("(plus the --mpN mounts of HOOK_customMounts)".to_string());
            }
            out.push(crate::host::abbreviate(&full.display()));
            out
        }
        Action::AppendConfig(lines) => lines.iter().map(|l| format!("append: {l}")).collect(),
        Action::SubIds(entries) => entries
            .iter()
            .map(|(p, l)| format!("ensure {} holds {l}", p.display()))
            .collect(),
        Action::WaitIp => {
            vec!["lxc-info -n <id> -iH, until an IPv4 address shows (bounded)".to_string()]
        }
        Action::Provision(cmd) => vec![cmd.display()],
        Action::Record(state) => vec![format!(
            "pct set <id> --description '…git-lxc: … state={state}'"
        )],
    }
}
