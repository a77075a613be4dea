//! Asking a person before a destructive step.

use anyhow::Result;

/// Ask before a destructive action: on a terminal with a prompt, otherwise
/// only with `--yes`.
pub fn confirm(question: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !super::interactive() {
        return Err(crate::error::Failure::usage(
            format!("{question} — not confirmed"),
            "pass --yes to confirm when not running on a terminal",
        ));
    }
    let ok = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(crate::error::Failure::failed(
            "cancelled; nothing was changed",
            "",
        ))
    }
}
