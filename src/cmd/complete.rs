//! `git-lxc __complete`: the words shell completion offers that only the
//! tree knows, printed one a line for the completion scripts. Fast: it
//! lists folders and never evaluates a settings file.

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::cmd::GlobalArgs;
use crate::settings::SETTINGS;
use crate::term;
use crate::workspace::Workspace;
use crate::workspace::tree::Tree;

/// Print completion candidates (for the shell completion scripts).
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// What to list.
    #[arg(value_enum)]
    pub what: Words,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Words {
    /// The tree's container names.
    Names,
    /// `KEY=` for every setting (what `--set` takes).
    Settings,
}

pub fn exec(args: &CompleteArgs, global: &GlobalArgs) -> Result<()> {
    match args.what {
        Words::Names => {
            // Outside a repository or tree there is nothing to offer, and a
            // completion must never print an error into the command line.
            let Ok(ws) = Workspace::discover(global.root.as_deref()) else {
                return Ok(());
            };
            let Ok(tree) = Tree::load(&ws.root) else {
                return Ok(());
            };
            for c in &tree.containers {
                term::stdout_line(&c.name);
            }
        }
        Words::Settings => {
            for s in SETTINGS {
                term::stdout_line(format!("{}=", s.name));
            }
        }
    }
    Ok(())
}
