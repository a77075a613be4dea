use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;

use crate::build::record::State;
use crate::build::{self, CtidSource, Mode, Options, Prepared};
use crate::cmd::GlobalArgs;
use crate::cmd::build::{self as build_cmd, BuildOpts};
use crate::cmd::plan;
use crate::error::Failure;
use crate::host::facts::HostFacts;
use crate::host::{Host, interrupt};
use crate::term;
use crate::term::progress::secs;
use crate::term::prompt;
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
    let targets = targets(&session, args)?;
    if targets.is_empty() {
        term::info("Nothing to rebuild.");
        return Ok(());
    }
    let refs: Vec<&Container> = targets.iter().collect();
    let opts = args.opts.options(Mode::Rebuild, args.dry_run);
    // Every offline check of every target runs before the first host call.
    let checked = session
        .evaluate(&refs)?
        .into_iter()
        .zip(&targets)
        .map(|(ev, c)| build::preflight(&session.ws, &session.tree, c, ev, &opts))
        .collect::<Result<Vec<_>>>()?;
    let host = session.host();
    let (facts, opts) = build_cmd::read_host(&host, &opts)?;
    // With several containers, the first plans only show what will happen
    // (no locks); each is planned again, locked, just before it runs,
    // against the host as the builds before left it.
    let first_pass = match targets.len() {
        1 => opts.clone(),
        _ => Options {
            dry_run: true,
            ..opts.clone()
        },
    };
    let cx = session.scope(&host, &facts, &first_pass);
    let mut plans = Vec::new();
    for (c, ch) in targets.iter().zip(checked) {
        plans.push(build::prepare(&cx, c, ch)?);
    }
    if args.dry_run {
        for p in &plans {
            plan::print(p, host.runner.uses_sudo());
        }
        return Ok(());
    }
    confirm(&plans, args.yes)?;
    run_all(&session, &host, &opts, plans, args.keep_going)
}

/// The containers to rebuild: named, all, or those changed since their build.
fn targets(session: &Session, args: &RebuildArgs) -> Result<Vec<Container>> {
    if args.changed {
        let facts = HostFacts::read(&session.host())?;
        return changed(session, &facts);
    }
    if args.all {
        return Ok(session.tree.containers.clone());
    }
    Ok(session
        .tree
        .select(&args.names)?
        .into_iter()
        .cloned()
        .collect())
}

/// Ask before destroying, from the plans: which CT each replaces.
fn confirm(plans: &[Prepared], yes: bool) -> Result<()> {
    let replacing = plans.iter().filter(|p| p.replaces.is_some()).count();
    if plans.len() == 1 && replacing == 0 {
        return Ok(());
    }
    let list: Vec<String> = plans
        .iter()
        .map(|p| match p.replaces {
            Some(id) => format!("{} (destroy and re-create CT {id})", p.name),
            None if p.ctid_source == CtidSource::NextId => {
                format!("{} (build, next free CTID)", p.name)
            }
            None => format!("{} (build as CT {})", p.name, p.ctid),
        })
        .collect();
    term::info(format!(
        "Will rebuild, one at a time:\n  {}",
        list.join("\n  ")
    ));
    let question = if replacing == 0 {
        format!("Build {} containers?", plans.len())
    } else {
        format!("Destroy and re-create {replacing} container(s)? data/ folders are kept")
    };
    prompt::confirm(&question, yes)
}

type Outcome = (String, Result<build::Summary, String>, Duration);

/// Run the builds one at a time. Each after the first is planned again
/// against the host as the builds before left it.
fn run_all(
    session: &Session,
    host: &Host,
    opts: &Options,
    plans: Vec<Prepared>,
    keep_going: bool,
) -> Result<()> {
    let total = plans.len();
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let mut results: Vec<Outcome> = Vec::new();
    let mut failed = false;
    for first in plans {
        let t = Instant::now();
        let prepared = if total == 1 {
            first
        } else {
            let (container, checked) = first.into_parts();
            let facts = HostFacts::read(host)?;
            let cx = session.scope(host, &facts, opts);
            build::prepare(&cx, &container, checked)?
        };
        match build_cmd::run_prepared(session, &prepared, host) {
            Ok(s) => {
                build_cmd::print_summary(&s);
                results.push((prepared.name.clone(), Ok(s), t.elapsed()));
            }
            Err(e) if total == 1 || interrupt::caught().is_some() => return Err(e),
            Err(e) => {
                failed = true;
                crate::report_error(&e);
                results.push((prepared.name.clone(), Err(first_line(&e)), t.elapsed()));
                if !keep_going {
                    break;
                }
            }
        }
    }
    if total > 1 {
        summary_table(&names, &results);
    }
    if failed {
        return Err(Failure::silent());
    }
    Ok(())
}

fn first_line(e: &anyhow::Error) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

fn summary_table(names: &[String], results: &[Outcome]) {
    let width = names.iter().map(|n| n.len()).max().unwrap_or(4).max(4);
    term::info(format!(
        "\n{:<width$}  {:<8}  {:>8}",
        "NAME", "RESULT", "TIME"
    ));
    for name in names {
        let (result, time) = match results.iter().find(|(n, _, _)| n == name) {
            Some((_, Ok(_), t)) => (term::green("built"), secs(*t)),
            Some((_, Err(_), t)) => (term::red("failed"), secs(*t)),
            None => ("skipped".to_string(), "-".to_string()),
        };
        term::info(format!("{name:<width$}  {result:<8}  {time:>8}"));
    }
}

/// Built containers whose folder (or root defaults/lib) changed since their
/// recorded commit, or has uncommitted changes.
fn changed(session: &Session, facts: &HostFacts) -> Result<Vec<Container>> {
    let mut out = Vec::new();
    let mut never = Vec::new();
    for c in &session.tree.containers {
        let Some(&id) = facts.built_from(&session.tree_id, &c.name).first() else {
            never.push(c.name.clone());
            continue;
        };
        let record = facts.record(id).expect("built_from found a record");
        let paths = build::watched_paths(&session.ws, &session.tree, c);
        let behind = gitstate::commits_touching(&session.ws.repo, &record.commit, &paths)?;
        let dirty = !gitstate::changed_paths(&session.ws.repo, &paths)?.is_empty();
        // A failed or interrupted build counts as changed.
        // A dirty build (uncommitted changes or --set) is not what the
        // commit says either.
        if behind != Some(0) || dirty || record.dirty || record.state != State::Built {
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
