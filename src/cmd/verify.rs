//! `git lxc verify`: offline checks for CI and pre-commit (SPEC §4).

use anyhow::Result;

use crate::cli::{GlobalArgs, VerifyArgs, VerifyFormat};
use crate::error::Failure;
use crate::repo::Workspace;
use crate::tree::{Container, Tree};
use crate::{eval, ui};

use crate::checks::{self, report};

pub fn exec(args: &VerifyArgs, global: &GlobalArgs) -> Result<()> {
    let ws = Workspace::discover(global.root.as_deref())?;
    let tree = Tree::load(&ws.root)?;
    let selected: Vec<&str> = tree
        .select(&args.names)?
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    // Every container is evaluated (one bash process) so duplicates are found
    // even when only some are named.
    let all: Vec<&Container> = tree.containers.iter().collect();
    let evals = eval::evaluate(&tree, &all)?;
    ui::add_secrets(
        evals
            .iter()
            .flat_map(|e| e.secrets.iter().map(|(_, v)| v.as_str())),
    );
    let facts = checks::facts::gather(&ws, &tree, evals, &selected)?;
    let findings = checks::run(&facts);
    let (errors, warnings) = checks::count(&findings);

    match args.format {
        VerifyFormat::Human => {
            for f in &findings {
                eprintln!("{}", ui::mask(&report::human(f)));
            }
        }
        VerifyFormat::Json => ui::stdout_line(report::json(&findings)),
        VerifyFormat::Github => {
            for f in &findings {
                ui::stdout_line(report::github(f));
            }
        }
    }
    if selected.is_empty() && findings.is_empty() {
        ui::info(format!(
            "verify: no container folders in {} (create one with `git lxc new NAME`)",
            ws.rel(&tree.root)
        ));
    } else {
        ui::info(report::summary(errors, warnings, selected.len()));
    }
    if errors > 0 || (args.strict && warnings > 0) {
        return Err(Failure::silent());
    }
    Ok(())
}
