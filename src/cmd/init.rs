use anyhow::Result;

use crate::cli::{GlobalArgs, InitArgs};

pub fn exec(_args: &InitArgs, _global: &GlobalArgs) -> Result<()> {
    anyhow::bail!("not implemented yet")
}
