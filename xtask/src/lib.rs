//! The files generated from git-lxc's command line and committed beside its
//! source: man pages (`man/`) and shell completions (`completions/`), all
//! from `git_lxc::docs` (the clap definition, the verify rules, the settings
//! and the exit codes).
//!
//! `cargo xtask docs` ([`main_entry`]) writes them; the `docs` test of the cli test binary
//! calls [`changes`] and fails unless it is empty (the way cargo checks its
//! committed man pages). The output is deterministic: no date, no version.

use std::fmt;
use std::io;
use std::path::Path;
use std::process::ExitCode;

pub mod completions;
pub mod man;
pub mod man_text;

/// The program the pages and completions are for.
pub const BIN: &str = "git-lxc";

/// The command that regenerates the files, as the files and errors quote it.
pub const REGENERATE: &str = "cargo xtask docs";

/// Every generated file: its path relative to the repository root, and its
/// text.
pub fn generated() -> Vec<(String, String)> {
    let mut files = man::pages();
    files.push(("completions/git-lxc.bash".into(), completions::bash()));
    files.push(("completions/_git-lxc".into(), completions::zsh()));
    files.push(("completions/git-lxc.fish".into(), completions::fish()));
    files
}

/// One step that brings the committed files in line with [`generated`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file that is missing or differs, with the text it must have.
    Write { path: String, text: String },
    /// A man page of a subcommand that was removed or renamed.
    Remove { path: String },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Write { path, .. } => f.write_str(path),
            Change::Remove { path } => write!(f, "{path} (no longer generated)"),
        }
    }
}

/// What differs between the files under `root` and [`generated`]; empty when
/// the committed files are up to date.
pub fn changes(root: &Path) -> io::Result<Vec<Change>> {
    let files = generated();
    let mut changes = Vec::new();
    for (rel, text) in &files {
        // Unreadable counts as stale: writing it is the way out.
        let old = std::fs::read_to_string(root.join(rel)).ok();
        if old.as_deref() != Some(text.as_str()) {
            changes.push(Change::Write {
                path: rel.clone(),
                text: text.clone(),
            });
        }
    }
    let man = root.join("man");
    if man.is_dir() {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&man)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        for name in names {
            let rel = format!("man/{name}");
            if name.starts_with(BIN)
                && name.ends_with(".1")
                && !files.iter().any(|(r, _)| *r == rel)
            {
                changes.push(Change::Remove { path: rel });
            }
        }
    }
    Ok(changes)
}

/// Carry out `changes` under `root`.
pub fn apply(root: &Path, changes: &[Change]) -> io::Result<()> {
    for change in changes {
        match change {
            Change::Write { path, text } => {
                let path = root.join(path);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(path, text)?;
            }
            Change::Remove { path } => std::fs::remove_file(root.join(path))?,
        }
    }
    Ok(())
}

const USAGE: &str = "usage: cargo xtask docs [--check]";

/// `cargo xtask ARGS…`, given ARGS.
pub fn main_entry(args: &[String]) -> ExitCode {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["docs"] => docs(false),
        ["docs", "--check"] => docs(true),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

fn docs(check: bool) -> std::io::Result<ExitCode> {
    // The repository root: xtask/ sits in it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let changes = changes(root)?;
    if check {
        for change in &changes {
            eprintln!("stale: {change}");
        }
        return Ok(if changes.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    apply(root, &changes)?;
    for change in &changes {
        match change {
            Change::Write { path, .. } => eprintln!("wrote {path}"),
            Change::Remove { path } => eprintln!("removed {path}"),
        }
    }
    if changes.is_empty() {
        eprintln!("man pages and completions are up to date");
    }
    Ok(ExitCode::SUCCESS)
}
