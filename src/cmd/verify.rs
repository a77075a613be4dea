use anyhow::Result;

use crate::cli::{GlobalArgs, VerifyArgs};

pub fn exec(_args: &VerifyArgs, _global: &GlobalArgs) -> Result<()> {
    anyhow::bail!("not implemented yet")
}
