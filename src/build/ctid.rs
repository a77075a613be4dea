//! Choosing the CTID of a build (SPEC §2): OPT_CTID, else the container
//! this folder built before, else the next free id no other folder reserves.

use std::fmt;

use anyhow::{Context, Result};

use super::Scope;
use super::prepare::CtidSource;
use crate::error::Failure;
use crate::host::Host;
use crate::host::process::Proc;
use crate::settings::{self, Settings};
use crate::term;
use crate::workspace::tree::{Container, Tree};

/// The CTID as a plan's commands name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtidArg {
    Id(u32),
    /// Planned without a host and without OPT_CTID: the id the host would
    /// give, shown as [`super::offline::CTID`].
    Host,
}

impl CtidArg {
    pub fn of(ctid: u32, source: CtidSource) -> CtidArg {
        match source {
            CtidSource::Host => CtidArg::Host,
            _ => CtidArg::Id(ctid),
        }
    }

    /// The id, or 0 (no container's) when the host gives it: what the hooks
    /// see as `CTID` then, as `doctor` runs them.
    pub fn number(self) -> u32 {
        match self {
            CtidArg::Id(id) => id,
            CtidArg::Host => 0,
        }
    }
}

impl fmt::Display for CtidArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CtidArg::Id(id) => write!(f, "{id}"),
            CtidArg::Host => f.write_str(super::offline::CTID),
        }
    }
}

/// The CTID: OPT_CTID, else the one this folder built before, else the next
/// free id that no other folder of the tree reserves. Planned without a
/// host, that last one is the host's to give: 0, no container's id
/// ([`CtidSource::Host`]).
pub fn pick_ctid(settings: &Settings, cx: &Scope, name: &str) -> Result<(u32, CtidSource)> {
    let (facts, tree, host) = (cx.facts, cx.tree, cx.host);
    let built = facts.built_from(cx.tree_id, name);
    if let Some(id) = settings.ctid {
        if let Some(old) = built.iter().find(|&&b| b != id) {
            term::warn(format!(
                "'{name}' was built as CT {old} before; OPT_CTID now says {id}, so CT {old} is left alone (destroy it with `pct destroy {old}` when done)"
            ));
        }
        return Ok((id, CtidSource::Setting));
    }
    if let Some(&id) = built.first() {
        if built.len() > 1 {
            term::warn(format!(
                "several containers record '{name}': {:?}; using CT {id}",
                built
            ));
        }
        return Ok((id, CtidSource::Record));
    }
    if cx.opts.offline {
        return Ok((0, CtidSource::Host));
    }
    let out = host
        .runner
        .checked(&Proc::host("pvesh", &["get", "/cluster/nextid"]))?;
    let mut id = parse_id(&out.stdout)?;
    // The host does not know which ids other folders of the tree reserve
    // with OPT_CTID (they may not be built yet): skip those, and let pvesh
    // confirm that the id found instead is free.
    let reserved = reserved_ctids(tree, name, host)?;
    if !reserved.contains(&id) {
        return Ok((id, CtidSource::NextId));
    }
    for _ in 0..1000 {
        id += 1;
        if reserved.contains(&id) || facts.listed(id).is_some() {
            continue;
        }
        let check = Proc::host(
            "pvesh",
            &["get", "/cluster/nextid", "--vmid", &id.to_string()],
        );
        if host.runner.output(&check)?.status.success() {
            return Ok((id, CtidSource::NextId));
        }
    }
    Err(Failure::failed(
        "found no free CTID that no folder of the tree reserves",
        format!("set OPT_CTID in {name}/configSettings"),
    ))
}

fn parse_id(text: &str) -> Result<u32> {
    let text = text.trim().trim_matches('"');
    text.parse()
        .with_context(|| format!("`pvesh get /cluster/nextid` printed '{text}', not an id"))
}

/// The CTIDs the tree's other container folders set.
fn reserved_ctids(tree: &Tree, name: &str, host: &Host) -> Result<Vec<u32>> {
    let others: Vec<&Container> = tree.containers.iter().filter(|c| c.name != name).collect();
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let evaluated = crate::bash::evaluate(&host.runner, tree, &others)?;
    Ok(others
        .iter()
        .zip(&evaluated)
        .filter_map(|(c, ev)| settings::resolve(&tree.root, &c.dir, ev, &[]).0.ctid)
        .collect())
}
