use anyhow::Result;

use crate::cli::{BuildArgs, GlobalArgs};
use crate::cmd::run;
use crate::pipeline::{self, HostFacts, Mode};
use crate::session::Session;

pub fn exec(args: &BuildArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let opts = run::options(Mode::Build, &args.opts, false);
    let evaluated = session.evaluate(&[&container])?.remove(0);
    let checked = pipeline::preflight(&session.ws, &session.tree, &container, evaluated, &opts)?;
    let mut host = session.host();
    let facts = HostFacts::read(&mut host)?;
    let summary = run::build_one(&session, &container, checked, &opts, &mut host, &facts)?;
    run::print_summary(&summary);
    Ok(())
}
