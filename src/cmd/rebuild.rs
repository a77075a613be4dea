use clap::Args;
use std::time::Instant;

use anyhow::Result;

use crate::build::{self, HostFacts, Mode};
use crate::cmd::GlobalArgs;
use crate::cmd::build::BuildOpts;
use crate::cmd::{plan, run};
use crate::error::Failure;
use crate::term;
use crate::term::progress::secs;
use crate::workspace::gitstate;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

/// Destroy and re-create containers from their folders (build them if absent).
///
/// `data/` and every other bind-mounted host folder are kept. Asks for
/// confirmation on a terminal; needs `--yes` otherwise.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// The container folders.
    #[arg(required_unless_present_any = ["changed", "all"])]
    pub names: Vec<String>,

    /// Rebuild every built container whose folder changed since its recorded commit.
    #[arg(long, conflicts_with_all = ["names", "all"])]
    pub changed: bool,

    /// Rebuild (or build) every container of the tree.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,

    /// Go on with the next container after a failure.
    #[arg(long)]
    pub keep_going: bool,

    /// Print the plan instead of running it.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,

    #[command(flatten)]
    pub opts: BuildOpts,
}

pub fn exec(args: &RebuildArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let mut host = session.host();
    // --changed needs the host's records to pick; otherwise every offline
    // check runs before the first host call.
    let mut facts = if args.changed {
        Some(HostFacts::read(&mut host)?)
    } else {
        None
    };
    let targets: Vec<Container> = if let Some(f) = &facts {
        changed(&session, f)?
    } else if args.all {
        session.tree.containers.clone()
    } else {
        session
            .tree
            .select(&args.names)?
            .into_iter()
            .cloned()
            .collect()
    };
    if targets.is_empty() {
        term::info("Nothing to rebuild.");
        return Ok(());
    }
    let refs: Vec<&Container> = targets.iter().collect();
    let opts = run::options(Mode::Rebuild, &args.opts, args.dry_run);
    let checked = session
        .evaluate(&refs)?
        .into_iter()
        .zip(&targets)
        .map(|(ev, c)| build::preflight(&session.ws, &session.tree, c, ev, &opts))
        .collect::<Result<Vec<_>>>()?;
    let mut facts = match facts.take() {
        Some(f) => f,
        None => HostFacts::read(&mut host)?,
    };

    if args.dry_run {
        for (c, ch) in targets.iter().zip(checked) {
            let p = build::prepare(&session.ws, &session.tree, c, ch, &opts, &mut host, &facts)?;
            plan::print(&p, host.uses_sudo());
        }
        return Ok(());
    }

    // The CT each build replaces: OPT_CTID's (whoever built it) or the one
    // its record names, as `prepare` picks it.
    let existing: Vec<(String, u32)> = targets
        .iter()
        .zip(&checked)
        .filter_map(|(c, ch)| {
            let id = ch
                .settings
                .ctid()
                .or_else(|| facts.built_from(&c.name).first().copied())?;
            facts.listed(id).map(|_| (c.name.clone(), id))
        })
        .collect();
    if targets.len() > 1 || !existing.is_empty() {
        let list: Vec<String> = targets
            .iter()
            .map(|c| match existing.iter().find(|(n, _)| n == &c.name) {
                Some((_, id)) => format!("{} (destroy and re-create CT {id})", c.name),
                None => format!("{} (build)", c.name),
            })
            .collect();
        term::info(format!(
            "Will rebuild, one at a time:\n  {}",
            list.join("\n  ")
        ));
        let question = if existing.is_empty() {
            format!("Build {} containers?", targets.len())
        } else {
            format!(
                "Destroy and re-create {} container(s)? data/ folders are kept",
                existing.len()
            )
        };
        run::confirm(&question, args.yes)?;
    }

    let mut results: Vec<(String, Result<build::Summary, String>, std::time::Duration)> =
        Vec::new();
    let mut failed = false;
    for (i, (c, ch)) in targets.iter().zip(checked).enumerate() {
        let t = Instant::now();
        if i > 0 {
            // The builds before changed the host.
            facts = HostFacts::read(&mut host)?;
        }
        match run::build_one(&session, c, ch, &opts, &mut host, &facts) {
            Ok(s) => {
                run::print_summary(&s);
                results.push((c.name.clone(), Ok(s), t.elapsed()));
            }
            Err(e) => {
                failed = true;
                if targets.len() == 1 {
                    return Err(e);
                }
                crate::report_error(&e);
                results.push((c.name.clone(), Err(first_line(&e)), t.elapsed()));
                if !args.keep_going {
                    break;
                }
            }
        }
    }
    if targets.len() > 1 {
        summary_table(&targets, &results);
    }
    if failed {
        return Err(Failure::silent());
    }
    Ok(())
}

fn first_line(e: &anyhow::Error) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

fn summary_table(
    targets: &[Container],
    results: &[(String, Result<build::Summary, String>, std::time::Duration)],
) {
    let width = targets
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    term::info(format!(
        "\n{:<width$}  {:<8}  {:>8}",
        "NAME", "RESULT", "TIME"
    ));
    for c in targets {
        match results.iter().find(|(n, _, _)| n == &c.name) {
            Some((_, Ok(_), t)) => term::info(format!(
                "{:<width$}  {:<8}  {:>8}",
                c.name,
                term::green("built"),
                secs(*t)
            )),
            Some((_, Err(_), t)) => term::info(format!(
                "{:<width$}  {:<8}  {:>8}",
                c.name,
                term::red("failed"),
                secs(*t)
            )),
            None => term::info(format!("{:<width$}  {:<8}  {:>8}", c.name, "skipped", "-")),
        }
    }
}

/// Built containers whose folder (or root defaults/lib) changed since their
/// recorded commit, or has uncommitted changes.
fn changed(session: &Session, facts: &HostFacts) -> Result<Vec<Container>> {
    let mut out = Vec::new();
    let mut never = Vec::new();
    for c in &session.tree.containers {
        let Some(&id) = facts.built_from(&c.name).first() else {
            never.push(c.name.clone());
            continue;
        };
        let record = facts.record(id).expect("built_from found a record");
        let paths = build::watched_paths(&session.ws, &session.tree, c);
        let behind = gitstate::commits_touching(&session.ws.repo, &record.commit, &paths)?;
        let dirty = !gitstate::changed_paths(&session.ws.repo, &paths)?.is_empty();
        if behind != Some(0) || dirty {
            out.push(c.clone());
        }
    }
    if !never.is_empty() {
        term::info(format!(
            "Never built, so not created by --changed: {} (use `git lxc build NAME` or `rebuild --all`)",
            never.join(", ")
        ));
    }
    Ok(out)
}
