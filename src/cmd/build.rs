use anyhow::Result;

use crate::cli::{BuildArgs, GlobalArgs};
use crate::cmd::run;
use crate::pipeline::{HostFacts, Mode};
use crate::session::Session;

pub fn exec(args: &BuildArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let mut host = session.host();
    let evaluated = session.evaluate(&[&container])?.remove(0);
    let facts = HostFacts::read(&mut host)?;
    let opts = run::options(Mode::Build, &args.opts, false);
    let summary = run::build_one(&session, &container, evaluated, &opts, &mut host, &facts)?;
    run::print_summary(&summary);
    Ok(())
}
