use anyhow::Result;

use crate::cli::{GlobalArgs, NewArgs};

pub fn exec(_args: &NewArgs, _global: &GlobalArgs) -> Result<()> {
    anyhow::bail!("not implemented yet")
}
