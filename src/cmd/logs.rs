use clap::Args;
use std::path::Path;

use anyhow::{Context, Result};

use crate::build::log;
use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::term;
use crate::workspace::session::Session;

/// Print a container's saved build log (the latest, or the Nth newest).
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The container folder.
    pub name: String,

    /// Which log: 1 is the latest, 2 the one before, ...
    #[arg(default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub n: u32,

    /// List the saved logs with date, commit, result and duration.
    #[arg(long)]
    pub list: bool,
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
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    term::stdout_text(&text);
    Ok(())
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
            let result = match rest
                .split_whitespace()
                .find_map(|t| t.strip_prefix("step="))
            {
                Some(step) => format!("{word} at {step}"),
                None => word.to_string(),
            };
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
