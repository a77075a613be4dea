//! `git lxc verify`: offline checks for CI and pre-commit (SPEC §4).

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::term;
use crate::workspace::session::Session;
use crate::workspace::tree::Container;

use crate::verify::{self, report};

/// Check the tree offline: settings, secrets hygiene, symlinks, duplicates, bash syntax.
///
/// Needs no Proxmox host and no `.env` file, so it runs in CI and as a
/// pre-commit hook. Every finding names a rule id, the file and line, and a
/// hint. Exits 1 when there are errors (or warnings, with `--strict`).
/// Which `.env` files the history holds is kept in `.git/lxc/cache/`, so
/// the next run searches only the commits made since.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Containers to check (default: all); tree-wide rules always run.
    pub names: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// Readable report on stdout (the summary on stderr).
    Human,
    /// JSON array of findings on stdout.
    Json,
    /// GitHub Actions annotations on stdout.
    Github,
}

pub fn exec(args: &VerifyArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let selected: Vec<&str> = session
        .tree
        .select(&args.names)?
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    // Every container is evaluated (one bash process) so duplicates are found
    // even when only some are named.
    let tree = &session.tree;
    let ws = &session.ws;
    let all: Vec<&Container> = tree.containers.iter().collect();
    let (evals, part) = session.evaluate_alongside(&all, || {
        verify::facts::gather_unevaluated(ws, tree, &selected)
    })?;
    let facts = verify::facts::gather(part, evals);
    let findings = verify::run(&facts);
    let (errors, warnings) = verify::count(&findings);

    match args.format {
        VerifyFormat::Human => {
            for f in &findings {
                term::stdout_line(report::human(f));
            }
        }
        VerifyFormat::Json => term::stdout_line(report::json(&findings)),
        VerifyFormat::Github => {
            for f in &findings {
                term::stdout_line(report::github(f));
            }
        }
    }
    if selected.is_empty() && findings.is_empty() {
        term::info(format!(
            "verify: no container folders in {} (create one with `git lxc new NAME`)",
            ws.rel(&tree.root)
        ));
    } else {
        term::info(report::summary(errors, warnings, selected.len()));
    }
    if errors > 0 || (args.strict && warnings > 0) {
        return Err(Failure::silent());
    }
    Ok(())
}
