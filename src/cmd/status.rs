//! `git lxc status`: what runs, from which commit, and what is out of date
//! (SPEC §4).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::build::record::State;
use crate::build::template::{natural_key, os_of, pick_template};
use crate::build::{unrecorded, watched_paths};
use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::host::facts::{HostFacts, local_templates, node_name};
use crate::settings::{self, Settings};
use crate::term;
use crate::workspace::gitstate;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

/// Show each container: CTID, state, the commit it was built from and its
/// subject, how long ago, whether its folder changed since, and its IP.
///
/// One row per container folder, plus a row for every container on the host
/// whose record names a folder of this tree that no longer exists
/// (`orphan`). A host container that a folder names (by `OPT_CTID`, or by
/// its hostname) but git-lxc did not build shows as `not managed`: `git lxc
/// adopt` takes it over. Needs no `.env`. Makes four host calls whatever
/// the number of containers (`pct list`, the configs, `lxc-ls` for the
/// addresses and `pveam list` for newer OS releases), all at once.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  git lxc status                   the table
  git lxc status --json | jq -r '.[] | select(.behind > 0) | .name'
  git lxc status --exit-code -q    in cron or CI: exit 1 when something is out of date")]
pub struct StatusArgs {
    /// Containers to show (default: all).
    pub names: Vec<String>,

    /// Print a JSON array on stdout instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when any container is out of date, uncommitted, failed,
    /// absent, orphaned or not managed (for cron and CI).
    #[arg(long)]
    pub exit_code: bool,
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
    /// False for a container this tree names that git-lxc did not build.
    pub managed: bool,
    pub os: Option<String>,
    pub newer_os: Option<String>,
    pub built_at: Option<String>,
    pub subject: Option<String>,
    pub node: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub orphan: bool,
    /// The folder has uncommitted changes (shown as `uncommitted`).
    #[serde(skip)]
    pub uncommitted: bool,
    /// The record says the build used uncommitted changes.
    #[serde(skip)]
    pub dirty_build: bool,
}

impl Row {
    /// The row of a container that does not exist.
    fn absent(name: &str, node: &str) -> Row {
        Row {
            name: name.to_string(),
            ctid: None,
            state: "absent",
            commit: None,
            behind: None,
            dirty: false,
            ip: None,
            managed: true,
            os: None,
            newer_os: None,
            built_at: None,
            subject: None,
            node: node.to_string(),
            orphan: false,
            uncommitted: false,
            dirty_build: false,
        }
    }

    /// Whether `--exit-code` fails for it: anything but a container built
    /// from the newest commit of its clean folder.
    fn needs_attention(&self) -> bool {
        matches!(self.state, "absent" | "failed" | "building")
            || !self.managed
            || self.orphan
            || self.uncommitted
            || self.dirty_build
            || self.behind != Some(0)
    }
}

pub fn exec(args: &StatusArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let selected = session.tree.select(&args.names)?;
    let view = View::read(&session, &selected)?;
    let mut rows = Vec::new();
    for c in &selected {
        rows.push(view.container_row(&session, c)?);
    }
    if args.names.is_empty() {
        rows.extend(view.orphan_rows(&session));
    }
    if args.json {
        term::stdout_line(serde_json::to_string_pretty(&rows)?);
    } else {
        print_table(&rows);
    }
    if args.exit_code && rows.iter().any(Row::needs_attention) {
        return Err(Failure::silent());
    }
    Ok(())
}

/// What status reads: the host (its containers, their addresses, the local
/// templates) and each selected container's settings.
struct View {
    facts: HostFacts,
    ips: BTreeMap<u32, String>,
    settings: BTreeMap<String, Settings>,
    /// Template files by storage.
    templates: BTreeMap<String, Vec<String>>,
    node: String,
}

impl View {
    /// Read it all at once: the host calls run while bash evaluates the
    /// settings, and `pveam list` (which needs TEMPLATESTORE) while `pct`
    /// is still answering, so the wall time is about one call's.
    fn read(session: &Session, selected: &[&Container]) -> Result<View> {
        let host = session.host();
        let host = &host;
        // Most trees keep templates in the default storage: it is asked
        // at once, the others when the settings name them.
        let default = settings::spec("TEMPLATESTORE").map_or("local", |s| s.default);
        std::thread::scope(|scope| {
            let from_host = scope.spawn(|| HostFacts::read_with_ips(host));
            let first = scope.spawn(move || (local_templates(host, default), default.to_string()));
            let settings = settings_of(session, selected)?;
            let stores: BTreeSet<String> = settings
                .values()
                .map(|s| s.templatestore.clone())
                .filter(|s| s != default)
                .collect();
            let mut lists = vec![first];
            lists.extend(
                stores
                    .into_iter()
                    .map(|store| scope.spawn(move || (local_templates(host, &store), store))),
            );
            let (facts, ips) = from_host
                .join()
                .expect("the host-reading thread panicked")?;
            let mut templates = BTreeMap::new();
            for list in lists {
                let (files, store) = list.join().expect("the pveam thread panicked");
                templates.insert(store, files?);
            }
            Ok(View {
                facts,
                ips,
                settings,
                templates,
                node: node_name(host),
            })
        })
    }

    fn container_row(&self, session: &Session, c: &Container) -> Result<Row> {
        let repo = &session.ws.repo;
        let paths = watched_paths(&session.ws, &session.tree, c);
        let uncommitted = !gitstate::changed_paths(repo, &paths)?.is_empty();
        let settings = self.settings.get(&c.name);
        let mut row = match self.facts.built_from(&session.tree_id, &c.name).first() {
            Some(&id) => {
                let mut row = self.built_row(id, false);
                let commit = row.commit.clone().unwrap_or_default();
                row.behind = gitstate::commits_touching(repo, &commit, &paths)?;
                row.subject = subject(repo, &commit);
                row.newer_os = settings.and_then(|s| self.newer_os(row.os.as_deref()?, s));
                row
            }
            None => self.unbuilt_row(&c.name, settings),
        };
        row.dirty |= uncommitted;
        row.uncommitted = uncommitted;
        Ok(row)
    }

    /// Containers of this tree whose folder is gone (another tree's
    /// containers are not rows here).
    fn orphan_rows(&self, session: &Session) -> Vec<Row> {
        self.facts
            .listed
            .iter()
            .filter(|l| {
                self.facts.record(l.vmid).is_some_and(|r| {
                    !r.other_tree(&session.tree_id) && session.tree.get(&r.name).is_none()
                })
            })
            .map(|l| {
                let mut row = self.built_row(l.vmid, true);
                row.subject = subject(&session.ws.repo, row.commit.as_deref().unwrap_or(""));
                row
            })
            .collect()
    }

    /// The row of a container with a record, as the record says.
    fn built_row(&self, id: u32, orphan: bool) -> Row {
        let record = self.facts.record(id).expect("a container with a record");
        let running = self.facts.listed(id).is_some_and(|l| l.running);
        let description = self.facts.confs.get(&id).map(|c| c.description.as_str());
        Row {
            ctid: Some(id),
            state: state_of(record.state, running),
            commit: Some(record.commit.clone()),
            dirty: record.dirty,
            ip: running.then(|| self.ips.get(&id).cloned()).flatten(),
            os: record.os.clone(),
            built_at: description.and_then(built_at),
            orphan,
            dirty_build: record.dirty,
            ..Row::absent(&record.name, &self.node)
        }
    }

    /// A folder without a container of its own: absent, or a host container
    /// it names that git-lxc did not build.
    fn unbuilt_row(&self, name: &str, settings: Option<&Settings>) -> Row {
        let mut row = Row::absent(name, &self.node);
        let Some(s) = settings else {
            return row;
        };
        row.ctid = s.ctid;
        if let Some(l) = unrecorded(&self.facts, s) {
            row.ctid = Some(l.vmid);
            row.state = if l.running { "running" } else { "stopped" };
            row.ip = l.running.then(|| self.ips.get(&l.vmid).cloned()).flatten();
            row.managed = false;
        }
        row
    }

    /// A newer local release of `os` (`alpine-3.22`) in the container's
    /// template storage.
    fn newer_os(&self, os: &str, s: &Settings) -> Option<String> {
        let (ostype, release) = os.split_once('-')?;
        let files: Vec<&str> = self
            .templates
            .get(&s.templatestore)?
            .iter()
            .map(String::as_str)
            .collect();
        let newest = os_of(pick_template(&files, ostype, "")?, ostype);
        let newest_release = newest.strip_prefix(ostype)?.strip_prefix('-')?;
        (natural_key(newest_release) > natural_key(release)).then_some(newest)
    }
}

/// Each container's settings, from one bash for all of them.
fn settings_of(session: &Session, selected: &[&Container]) -> Result<BTreeMap<String, Settings>> {
    if selected.is_empty() {
        return Ok(BTreeMap::new());
    }
    let evaluated = session.evaluate(selected)?;
    Ok(selected
        .iter()
        .zip(&evaluated)
        .map(|(c, ev)| {
            let (settings, _) = settings::resolve(&session.tree.root, &c.dir, ev, &[]);
            (c.name.clone(), settings)
        })
        .collect())
}

/// The subject of `commit`, when the repository has it.
fn subject(repo: &git2::Repository, commit: &str) -> Option<String> {
    let id = git2::Oid::from_str(commit).ok()?;
    let commit = repo.find_commit(id).ok()?;
    commit.summary().ok().flatten().map(str::to_string)
}

/// When the recorded build ran, as RFC 3339, from the description's human
/// part: `Built by git-lxc from … (subject), 2025-01-31 12:00 UTC, by u@h.`
fn built_at(description: &str) -> Option<String> {
    let line = description
        .lines()
        .find(|l| l.starts_with("Built by git-lxc from "))?;
    let (before, _user) = line.trim_end_matches('.').rsplit_once(", by ")?;
    let (_, date) = before.rsplit_once(", ")?;
    let (day, time) = date.strip_suffix(" UTC")?.split_once(' ')?;
    let digits = |s: &str, seps: &[usize]| {
        s.char_indices()
            .all(|(i, c)| c.is_ascii_digit() != seps.contains(&i))
    };
    let ok = day.len() == 10 && time.len() == 5 && digits(day, &[4, 7]) && digits(time, &[2]);
    ok.then(|| format!("{day}T{time}:00Z"))
}

/// How long ago an RFC 3339 UTC time was: `5m`, `3h`, `12d`.
fn age(rfc3339: &str) -> Option<String> {
    let n = |range: std::ops::Range<usize>| rfc3339.get(range)?.parse::<i64>().ok();
    let (y, mo, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (h, mi) = (n(11..13)?, n(14..16)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let then = days * 86_400 + h * 3600 + mi * 60;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    let mins = (now - then).max(0) / 60;
    Some(match mins {
        m if m < 120 => format!("{m}m"),
        m if m < 48 * 60 => format!("{}h", m / 60),
        m => format!("{}d", m / 1440),
    })
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
    } else if !r.managed {
        parts.push("not built by git-lxc".to_string());
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
    if let Some(os) = &r.newer_os {
        parts.push(format!("{os} available"));
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}

fn cells(r: &Row) -> Vec<String> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let state = match (r.orphan, r.managed) {
        (true, _) => format!("{} (orphan)", r.state),
        (false, false) => format!("{} (not managed)", r.state),
        _ => r.state.to_string(),
    };
    vec![
        r.name.clone(),
        or_dash(r.ctid.map(|c| c.to_string())),
        state,
        or_dash(
            r.commit
                .as_deref()
                .map(|c| c[..12.min(c.len())].to_string()),
        ),
        or_dash(r.built_at.as_deref().and_then(age)),
        drift(r),
        or_dash(r.ip.clone()),
        or_dash(r.subject.as_deref().map(|s| term::table::clip(s, 50))),
    ]
}

fn print_table(rows: &[Row]) {
    if rows.is_empty() {
        term::info("No container folders in this tree (create one with `git lxc new NAME`).");
        return;
    }
    let header = [
        "NAME", "CTID", "STATE", "COMMIT", "AGE", "DRIFT", "IP", "SUBJECT",
    ];
    let cells: Vec<Vec<String>> = rows.iter().map(cells).collect();
    let paint = |i: usize, col: usize, text: &str| {
        let r = &rows[i];
        match col {
            2 if !r.managed => term::yellow(text),
            2 => match r.state {
                "running" => term::green(text),
                "failed" => term::red(text),
                "building" => term::yellow(text),
                "absent" => term::dim(text),
                _ => text.to_string(),
            },
            5 if !r.needs_attention() => term::green(text),
            5 if r.commit.is_some() || !r.managed => term::yellow(text),
            _ => text.to_string(),
        }
    };
    for line in term::table::lines(&header, &cells, paint) {
        term::stdout_line(line);
    }
    if let Some(r) = rows.iter().find(|r| !r.managed) {
        term::hint(format!(
            "git-lxc did not build CT {} ({}); `git lxc adopt {}` takes it over",
            r.ctid.unwrap_or_default(),
            r.name,
            r.name
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_build_time_from_the_description() {
        let d = "## pihole\nBuilt by git-lxc from `lxcs/pihole` at 0123456789ab (Tune, a bit), 2025-01-31 12:05 UTC, by admin@pve.\n\ngit-lxc: name=pihole";
        assert_eq!(built_at(d).as_deref(), Some("2025-01-31T12:05:00Z"));
        assert_eq!(built_at("Built by git-lxc from x, yesterday, by me."), None);
        assert_eq!(
            age("1970-01-01T00:00:00Z").map(|a| a.ends_with('d')),
            Some(true)
        );
    }
}
