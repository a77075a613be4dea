use std::collections::BTreeMap;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::build::record::State;
use crate::build::watched_paths;
use crate::cmd::GlobalArgs;
use crate::host::facts::HostFacts;
use crate::settings;
use crate::term;
use crate::workspace::gitstate;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

/// Show each container: CTID, state, the commit it was built from, whether its
/// folder changed since, and its IP.
///
/// One row per container folder, plus a row for every container on the host
/// whose record names a folder that no longer exists (`orphan`). Needs no
/// `.env`. Makes at most three host calls whatever the number of containers.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Containers to show (default: all).
    pub names: Vec<String>,

    /// Print a JSON array on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// One row of `status` (also its JSON form).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    pub ctid: Option<u32>,
    pub state: &'static str,
    pub commit: Option<String>,
    pub behind: Option<usize>,
    pub dirty: bool,
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub orphan: bool,
    /// The folder has uncommitted changes (shown as `uncommitted`).
    #[serde(skip)]
    pub uncommitted: bool,
    /// The record says the build used uncommitted changes.
    #[serde(skip)]
    pub dirty_build: bool,
}

pub fn exec(args: &StatusArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let selected = session.tree.select(&args.names)?;
    let host = session.host();
    let (facts, ips) = HostFacts::read_with_ips(&host)?;
    let unbuilt = unbuilt_ctids(&session, &selected, &facts)?;
    let mut rows = Vec::new();
    for c in &selected {
        let paths = watched_paths(&session.ws, &session.tree, c);
        let uncommitted = !gitstate::changed_paths(&session.ws.repo, &paths)?.is_empty();
        let row = match facts.built_from(&session.tree_id, &c.name).first() {
            Some(&id) => {
                let mut row = built_row(&facts, &ips, id, false);
                let commit = row.commit.as_deref().unwrap_or("");
                row.behind = gitstate::commits_touching(&session.ws.repo, commit, &paths)?;
                row.dirty |= uncommitted;
                row.uncommitted = uncommitted;
                row
            }
            None => Row {
                name: c.name.clone(),
                ctid: unbuilt.get(&c.name).copied(),
                state: "absent",
                commit: None,
                behind: None,
                dirty: uncommitted,
                ip: None,
                orphan: false,
                uncommitted,
                dirty_build: false,
            },
        };
        rows.push(row);
    }
    if args.names.is_empty() {
        // Containers of this tree whose folder is gone (another tree's
        // containers are not rows here).
        for l in &facts.listed {
            if facts.record(l.vmid).is_some_and(|r| {
                !r.other_tree(&session.tree_id) && session.tree.get(&r.name).is_none()
            }) {
                rows.push(built_row(&facts, &ips, l.vmid, true));
            }
        }
    }
    if args.json {
        term::stdout_line(serde_json::to_string_pretty(&rows)?);
    } else {
        print_table(&rows);
    }
    Ok(())
}

/// The CTIDs (OPT_CTID) of the selected containers never built: one bash
/// for all of them.
fn unbuilt_ctids(
    session: &Session,
    selected: &[&Container],
    facts: &HostFacts,
) -> Result<BTreeMap<String, u32>> {
    let unbuilt: Vec<&Container> = selected
        .iter()
        .copied()
        .filter(|c| facts.built_from(&session.tree_id, &c.name).is_empty())
        .collect();
    if unbuilt.is_empty() {
        return Ok(BTreeMap::new());
    }
    let evaluated = session.evaluate(&unbuilt)?;
    Ok(unbuilt
        .iter()
        .zip(&evaluated)
        .filter_map(|(c, ev)| {
            let (settings, _) = settings::resolve(&session.tree.root, &c.dir, ev, &[]);
            Some((c.name.clone(), settings.ctid?))
        })
        .collect())
}

/// The row of a container with a record, as the record says.
fn built_row(facts: &HostFacts, ips: &BTreeMap<u32, String>, id: u32, orphan: bool) -> Row {
    let record = facts.record(id).expect("a container with a record");
    let running = facts.listed(id).is_some_and(|l| l.running);
    Row {
        name: record.name.clone(),
        ctid: Some(id),
        state: state_of(record.state, running),
        commit: Some(record.commit.clone()),
        behind: None,
        dirty: record.dirty,
        ip: running.then(|| ips.get(&id).cloned()).flatten(),
        orphan,
        uncommitted: false,
        dirty_build: record.dirty,
    }
}

fn state_of(state: State, running: bool) -> &'static str {
    match state {
        State::Building => "building",
        State::Failed => "failed",
        State::Built if running => "running",
        State::Built => "stopped",
    }
}

fn drift(r: &Row) -> String {
    let mut parts = Vec::new();
    if r.orphan {
        parts.push("orphan: folder gone".to_string());
    } else if r.commit.is_some() {
        parts.push(match r.behind {
            Some(0) => "up to date".to_string(),
            Some(n) => format!("{n} behind"),
            None => "commit not in history".to_string(),
        });
    }
    if r.uncommitted {
        parts.push("uncommitted".to_string());
    }
    if r.dirty_build {
        parts.push("dirty build".to_string());
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}

fn print_table(rows: &[Row]) {
    if rows.is_empty() {
        term::info("No container folders in this tree (create one with `git lxc new NAME`).");
        return;
    }
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.ctid.map_or("-".to_string(), |c| c.to_string()),
                if r.orphan {
                    format!("{} (orphan)", r.state)
                } else {
                    r.state.to_string()
                },
                r.commit
                    .as_deref()
                    .map_or("-".to_string(), |c| c[..12].to_string()),
                drift(r),
                r.ip.clone().unwrap_or_else(|| "-".to_string()),
            ]
        })
        .collect();
    let header = ["NAME", "CTID", "STATE", "COMMIT", "DRIFT", "IP"];
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: Vec<String>| {
        cols.iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    term::info(term::bold(&line(
        header.iter().map(|s| s.to_string()).collect(),
    )));
    for (row, r) in cells.iter().zip(rows) {
        let mut cols: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        cols[2] = match r.state {
            "running" => term::green(&cols[2]),
            "failed" => term::red(&cols[2]),
            "building" => term::yellow(&cols[2]),
            "absent" => term::dim(&cols[2]),
            _ => cols[2].clone(),
        };
        cols[4] = match r.behind {
            Some(0) if !r.uncommitted && !r.orphan => term::green(&cols[4]),
            _ if r.commit.is_some() => term::yellow(&cols[4]),
            _ => cols[4].clone(),
        };
        term::info(cols.join("  ").trim_end());
    }
}
