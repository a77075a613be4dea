use clap::Args;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::build::log;
use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::term;
use crate::workspace::session::Session;

/// Print a container's saved build log (the latest, or the Nth newest).
///
/// Logs are kept under the repository's git dir (`.git/lxc/logs/NAME/`),
/// masked, the last 20 per container. With `--follow`, a build running in
/// another terminal is followed as it writes, until it ends.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  git lxc logs pihole                  the last build's log
  git lxc logs pihole --list           every saved log: date, commit, result, duration
  git lxc logs pihole 2 | less         the one before
  git lxc logs -f pihole               follow the build running now, until it ends")]
pub struct LogsArgs {
    /// The container folder.
    pub name: String,

    /// Which log: 1 is the latest, 2 the one before, ...
    #[arg(default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub n: u32,

    /// List the saved logs with date, commit, result and duration.
    #[arg(long, conflicts_with = "follow")]
    pub list: bool,

    /// Follow the latest log while its build runs, until the build ends.
    #[arg(short, long, conflicts_with = "n")]
    pub follow: bool,
}

pub fn exec(args: &LogsArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?;
    let logs = log::list(&session.ws.git_dir(), &container.name);
    if logs.is_empty() {
        return Err(Failure::failed(
            format!("no saved build logs for '{}'", container.name),
            format!(
                "logs are written by `git lxc build {0}` and `git lxc rebuild {0}`",
                container.name
            ),
        ));
    }
    if args.list {
        term::stdout_line(format!(
            "{:>3}  {:<20}  {:<12}  {:<24}  {:>9}",
            "N", "DATE (UTC)", "COMMIT", "RESULT", "DURATION"
        ));
        for (i, path) in logs.iter().rev().enumerate() {
            let e = entry(path);
            term::stdout_line(format!(
                "{:>3}  {:<20}  {:<12}  {:<24}  {:>9}",
                i + 1,
                e.date,
                e.commit,
                e.result,
                e.duration
            ));
        }
        return Ok(());
    }
    let n = args.n as usize;
    let Some(path) = logs.iter().rev().nth(n - 1) else {
        return Err(Failure::usage(
            format!(
                "'{}' has {} saved logs, not {n}",
                container.name,
                logs.len()
            ),
            format!("`git lxc logs {} --list` shows them", container.name),
        ));
    };
    if args.follow {
        return follow(path, &container.name);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    term::stdout_text(&text);
    Ok(())
}

/// How often a followed log is read again.
const POLL: Duration = Duration::from_millis(200);

/// A log nobody has open and that did not grow for this long belongs to a
/// build that ended without saying so (killed).
const QUIET: Duration = Duration::from_secs(5);

/// Print the log and what is appended to it until its build ends: its
/// result line is written, or no process holds it open any more.
fn follow(path: &Path, name: &str) -> Result<()> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut pending = Vec::new();
    let mut grew = Instant::now();
    let mut first = true;
    loop {
        let mut chunk = Vec::new();
        file.read_to_end(&mut chunk)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if !chunk.is_empty() {
            grew = Instant::now();
            pending.extend_from_slice(&chunk);
        }
        // Whole lines only: the writer may be in the middle of one.
        if let Some(end) = pending.iter().rposition(|&b| b == b'\n') {
            let lines: Vec<u8> = pending.drain(..=end).collect();
            let text = String::from_utf8_lossy(&lines);
            term::stdout_text(&text);
            if text.lines().any(|l| l.starts_with("result: ")) {
                return Ok(());
            }
        }
        if term::stdout_closed() {
            return Ok(());
        }
        if first && !held_open(path) {
            term::info(format!(
                "no build of '{name}' is running; this is the log of the last one"
            ));
            return Ok(());
        }
        first = false;
        if grew.elapsed() > QUIET && !held_open(path) {
            term::stdout_text(&String::from_utf8_lossy(&pending));
            return Err(Failure::failed(
                format!("the build of '{name}' ended without a result (it was killed?)"),
                format!("`git lxc status {name}` shows the container's state"),
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// Whether a process has `path` open (a build writing its log). Where
/// that cannot be read (no /proc), assume so.
fn held_open(path: &Path) -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return true;
    };
    procs
        .flatten()
        .filter(|p| {
            p.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .any(|p| {
            std::fs::read_dir(p.path().join("fd"))
                .into_iter()
                .flatten()
                .flatten()
                .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == path))
        })
}

struct Entry {
    date: String,
    commit: String,
    result: String,
    duration: String,
}

/// Date and commit from the file name, result and duration from its last line.
fn entry(path: &Path) -> Entry {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let (stamp, commit) = stem.split_once('-').unwrap_or((stem, ""));
    let date = if stamp.len() >= 15 {
        format!(
            "{}-{}-{} {}:{}:{}",
            &stamp[0..4],
            &stamp[4..6],
            &stamp[6..8],
            &stamp[9..11],
            &stamp[11..13],
            &stamp[13..15]
        )
    } else {
        stamp.to_string()
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let last = text.lines().rev().find(|l| l.starts_with("result: "));
    let (result, duration) = match last {
        Some(l) => {
            let rest = &l["result: ".len()..];
            let word = rest.split_whitespace().next().unwrap_or("?");
            let field = |key: &str| rest.split_whitespace().find_map(|t| t.strip_prefix(key));
            let mut result = match field("step=") {
                Some(step) => format!("{word} at {step}"),
                None => word.to_string(),
            };
            if field("restored=").is_some() {
                result.push_str(", restored");
            }
            let duration = rest
                .split_whitespace()
                .find_map(|t| t.strip_prefix("duration="))
                .unwrap_or("-")
                .to_string();
            (result, duration)
        }
        None => ("incomplete".to_string(), "-".to_string()),
    };
    Entry {
        date,
        commit: commit.to_string(),
        result,
        duration,
    }
}
