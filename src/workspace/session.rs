//! What every command that works on the tree starts from: the workspace, the
//! tree, and the secrets its `.env` files hold (found once, by the
//! evaluation, and handed to everything that prints).

use std::cell::OnceCell;
use std::sync::Arc;

use anyhow::Result;

use crate::bash::{self, Evaluated};
use crate::build::{Options, Scope};
use crate::cmd::GlobalArgs;
use crate::host::facts::HostFacts;
use crate::host::process::Runner;
use crate::host::{Host, is_root};
use crate::term;
use crate::term::mask::{Masker, exempt};
use crate::workspace::Workspace;
use crate::workspace::tree::{Container, Tree};

pub struct Session {
    pub ws: Workspace,
    pub tree: Tree,
    /// The tree's identity in records (empty before the first commit).
    pub tree_id: String,
    /// Fixed by the first evaluation.
    secrets: OnceCell<Arc<Masker>>,
}

impl Session {
    pub fn open(global: &GlobalArgs) -> Result<Session> {
        let ws = Workspace::discover(global.root.as_deref())?;
        let tree = Tree::load(&ws.root)?;
        let tree_id = ws.tree_id()?.unwrap_or_default();
        Ok(Session {
            ws,
            tree,
            tree_id,
            secrets: OnceCell::new(),
        })
    }

    /// Whether host commands go through sudo: `git config lxc.sudo` true
    /// (always, even as root) or false (never); unset, unless root.
    pub fn sudo(&self) -> bool {
        self.ws
            .config_bool("lxc.sudo")
            .unwrap_or_else(|| !is_root())
    }

    /// The process runner, with this command's secrets.
    pub fn runner(&self) -> Runner {
        Runner::new(self.sudo(), self.secrets.get().cloned().unwrap_or_default())
    }

    /// The host tools.
    pub fn host(&self) -> Host {
        Host::new(self.runner())
    }

    /// What planning a build works with.
    pub fn scope<'a>(
        &'a self,
        host: &'a Host,
        facts: &'a HostFacts,
        opts: &'a Options,
    ) -> Scope<'a> {
        Scope {
            ws: &self.ws,
            tree_id: &self.tree_id,
            tree: &self.tree,
            host,
            facts,
            opts,
        }
    }

    /// Evaluate containers' settings files in one bash process; what the
    /// files printed is said on stderr, by file. The first evaluation of a
    /// command fixes its secrets: every `.env` value they define is masked
    /// from then on, in all output.
    pub fn evaluate(&self, containers: &[&Container]) -> Result<Vec<Evaluated>> {
        let evaluated = self.evaluate_unreported(containers)?;
        for e in &evaluated {
            e.warn_printed(&|p| self.ws.rel(p));
        }
        Ok(evaluated)
    }

    /// Words that stand in the tracked tree: container names and the words
    /// of the root `defaults` and every `configSettings`. A `.env` value
    /// equal to one (`PIHOLE_USER=pihole`) is no secret, and masking it
    /// would garble the output (SPEC §7).
    fn public_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .tree
            .containers
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let files = std::iter::once(self.tree.defaults_file()).chain(
            self.tree
                .containers
                .iter()
                .map(|c| c.dir.join("configSettings")),
        );
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            words.extend(
                text.split(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            );
        }
        words.sort();
        words.dedup();
        words
    }

    /// [`Session::evaluate`], leaving what the files printed to the caller
    /// (`verify` makes findings of it).
    pub fn evaluate_unreported(&self, containers: &[&Container]) -> Result<Vec<Evaluated>> {
        Ok(self.evaluate_alongside(containers, || Ok(()))?.0)
    }

    /// As [`Session::evaluate_unreported`], with `work` done meanwhile:
    /// bash reads the files on other CPUs while this process does what
    /// needs no evaluation (verify's git checks and file reads).
    pub fn evaluate_alongside<T>(
        &self,
        containers: &[&Container],
        work: impl FnOnce() -> Result<T>,
    ) -> Result<(Vec<Evaluated>, T)> {
        let runner = self.runner();
        let pending = bash::start(&runner, &self.tree, containers)?;
        let done = work()?;
        let evaluated = pending.finish()?;
        if self.secrets.get().is_none() {
            let public = self.public_words();
            let public: Vec<&str> = public.iter().map(String::as_str).collect();
            let mut masker = Masker::default();
            for value in evaluated.iter().flat_map(Evaluated::secret_values) {
                if exempt(value, &public).is_none() {
                    masker.add(value);
                }
            }
            let masker = Arc::new(masker);
            term::set_secrets(masker.clone());
            let _ = self.secrets.set(masker);
        }
        Ok((evaluated, done))
    }
}
