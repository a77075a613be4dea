use anyhow::Result;
use clap::Args;
use git2::{Oid, Repository};
use serde::Serialize;

use crate::build::notes::{self, Entry, NOTES_REF, Outcome};
use crate::cmd::GlobalArgs;
use crate::term;
use crate::workspace::session::Session;

/// Show a container's builds, rollbacks and adoptions, newest first, from
/// the git notes under `refs/notes/lxc`.
///
/// Every build, rollback and adoption appends a line to the note of the
/// commit it used: the time (UTC), the CT, the node, the result, the backup
/// taken or restored, and who ran it. `git log --notes=lxc` shows the same
/// lines; the history travels with `git push origin refs/notes/lxc` and comes
/// with `git fetch origin refs/notes/lxc:refs/notes/lxc`. Needs no host.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The container folder (or the name of a container whose folder is gone).
    pub name: String,

    /// Print a JSON array on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// One entry as `history` shows it (also its JSON form).
#[derive(Debug, Serialize)]
struct Row {
    time: String,
    /// 40 hex.
    commit: String,
    /// `None` when the commit is not in this clone.
    subject: Option<String>,
    ctid: u32,
    node: String,
    result: String,
    backup: Option<String>,
    user: String,
    #[serde(skip)]
    outcome: Outcome,
}

pub fn exec(args: &HistoryArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let folder = session.tree.find(&args.name);
    let name = match &folder {
        Ok(c) => c.name.clone(),
        Err(_) => args.name.trim_end_matches('/').to_string(),
    };
    let entries = notes::history(&session.ws.repo, &name)?;
    if entries.is_empty() {
        // An unknown name without history is a typo: say which names exist.
        folder?;
    }
    let rows: Vec<Row> = entries
        .into_iter()
        .map(|(commit, entry)| row(&session.ws.repo, commit, entry))
        .collect();
    if args.json {
        term::stdout_line(serde_json::to_string_pretty(&rows)?);
    } else if rows.is_empty() {
        term::info(format!(
            "No builds of '{name}' in {NOTES_REF} (they are written by build, rebuild, rollback and adopt; \
             fetch them from a remote with `git fetch origin {NOTES_REF}:{NOTES_REF}`)."
        ));
    } else {
        print_table(&rows);
    }
    Ok(())
}

fn row(repo: &Repository, commit: String, e: Entry) -> Row {
    let subject = Oid::from_str(&commit)
        .and_then(|id| repo.find_commit(id))
        .ok()
        .map(|c| c.summary().ok().flatten().unwrap_or("").to_string());
    Row {
        time: e.time,
        commit,
        subject,
        ctid: e.ctid,
        node: e.node,
        result: e.result.to_string(),
        backup: e.backup,
        user: e.user_host,
        outcome: e.result,
    }
}

fn print_table(rows: &[Row]) {
    let header = [
        "TIME", "COMMIT", "CT", "NODE", "RESULT", "BACKUP", "SUBJECT",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.time.clone(),
                r.commit[..12.min(r.commit.len())].to_string(),
                r.ctid.to_string(),
                r.node.clone(),
                table_result(r),
                r.backup.clone().unwrap_or_else(|| "-".to_string()),
                r.subject
                    .clone()
                    .unwrap_or_else(|| "(not in this clone)".to_string()),
            ]
        })
        .collect();
    let paint = |row: usize, col: usize, cell: &str| match (col, &rows[row].outcome) {
        (4, Outcome::Built | Outcome::Adopted) => term::green(cell),
        (4, Outcome::Failed { .. }) => term::red(cell),
        (4, _) => term::yellow(cell),
        _ => cell.to_string(),
    };
    for line in term::table::lines(&header, &cells, paint) {
        term::stdout_line(line);
    }
}

/// A restore's backup is in the BACKUP column already.
fn table_result(r: &Row) -> String {
    match &r.outcome {
        Outcome::Failed {
            step,
            restored: Some(backup),
        } if r.backup.as_ref() == Some(backup) => {
            let failed = Outcome::Failed {
                step: step.clone(),
                restored: None,
            };
            format!("{failed}, restored")
        }
        _ => r.result.clone(),
    }
}
