//! Evaluating the settings files with bash (SPEC §2).
//!
//! The files are bash, so bash reads them: a few processes for the whole
//! tree (one per CPU, each taking a share of the containers), each container
//! in its own subshell, as the invoking user, with a cleared environment,
//! through the process layer. Nothing here runs through sudo. Syntax is
//! checked inside those processes too, with no process per file.
//! `settings.bash` holds the one sourcing order, for the evaluation and for
//! the hooks ([`hooks`]). Results travel on a descriptor of their own; what
//! the files print comes back on stderr, cut by file, and is only ever
//! shown masked.

mod declare;
pub mod hooks;
mod output;
mod records;
mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

pub use output::Printed;

use crate::error::Failure;
use crate::host::process::{Proc, Runner, status_text};
use crate::workspace::rel_to;
use crate::workspace::tree::{Container, Tree};
use run::Started;

/// The script that reads the files (and runs hooks).
pub(crate) const SCRIPT: &str = include_str!("settings.bash");

/// How long an evaluation may take before it is stopped.
const EVAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Seconds, overriding [`EVAL_TIMEOUT`] (for tests).
const TIMEOUT_VAR: &str = "GIT_LXC_EVAL_TIMEOUT";

/// A variable the files defined, as bash holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    /// An indexed or associative array, as `declare -p` prints it.
    Array(String),
}

/// What bash made of one container's files.
#[derive(Debug, Clone, Default)]
pub struct Evaluated {
    pub name: String,
    /// Every variable the files defined, by name.
    pub vars: BTreeMap<String, Value>,
    /// Every function the files defined (hooks and their helpers).
    pub functions: Vec<String>,
    /// Values defined by the root or container `.env`: never shown anywhere.
    pub secrets: Vec<(String, String)>,
    /// Files that do not parse: the file and bash's words, as `bash -n`
    /// prints them (`FILE: line N: message`).
    pub syntax_errors: Vec<(PathBuf, String)>,
    /// What the files printed while they were sourced, line by line, each
    /// with its file, masked.
    pub printed: Vec<Printed>,
    /// The same lines as one text.
    pub stderr: String,
    /// Whether the files ran to the end (a file may `exit`).
    pub complete: bool,
}

impl Evaluated {
    pub fn hooks(&self) -> impl Iterator<Item = &str> {
        self.functions
            .iter()
            .filter_map(|f| f.strip_prefix("HOOK_"))
    }

    /// Values from `.env` files that are not settings (`OPT_X` or `X`):
    /// the secrets.
    pub fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.secrets
            .iter()
            .filter(|(k, _)| !is_setting_name(k))
            .map(|(_, v)| v.as_str())
    }

    #[cfg(test)]
    pub fn scalar(&self, name: &str) -> Option<&str> {
        match self.vars.get(name) {
            Some(Value::Scalar(s)) => Some(s),
            _ => None,
        }
    }

    /// Say on stderr what the files printed, each line attributed to its
    /// file (`rel` renders a path for the reader).
    pub fn warn_printed(&self, rel: &dyn Fn(&Path) -> String) {
        for p in &self.printed {
            let file = p.file.as_deref().map_or("bash".to_string(), rel);
            match p.bash_message() {
                Some((line, msg)) => crate::term::warn(format!("{file}: line {line}: {msg}")),
                None => crate::term::warn(format!("{file} printed: {}", p.text)),
            }
        }
    }
}

/// Whether variable `name` is meant as a build setting (`OPT_…`, or a
/// setting's plain name such as `RAM`): such values go on pct's command
/// line and are not secrets.
pub fn is_setting_name(name: &str) -> bool {
    name.starts_with("OPT_") || crate::settings::spec(name).is_some()
}

/// The evaluation of `containers`, as a command (pure: runs nothing).
fn eval_proc(tree: &Tree, containers: &[&Container]) -> Proc {
    let mut proc = Proc::local("bash", &["-c", SCRIPT, "git-lxc", "eval"])
        .arg(tree.root.to_string_lossy())
        .dir(&tree.root);
    for c in containers {
        proc = proc.arg(&c.name).arg(c.dir.to_string_lossy());
    }
    proc
}

/// Evaluate the given containers of `tree` (a few bash processes at once).
pub fn evaluate(runner: &Runner, tree: &Tree, containers: &[&Container]) -> Result<Vec<Evaluated>> {
    start(runner, tree, containers)?.finish()
}

/// Start evaluating the given containers of `tree`: bash works on them
/// while the caller does something else, until [`Pending::finish`].
pub fn start<'a>(
    runner: &'a Runner,
    tree: &'a Tree,
    containers: &[&Container],
) -> Result<Pending<'a>> {
    start_within(runner, tree, containers, eval_timeout())
}

/// How many bash processes share the containers: one per CPU (at most
/// four), each with eight containers or more.
fn parts(containers: usize) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    cpus.min(4).min(containers.div_ceil(8)).max(1)
}

/// An evaluation under way.
pub struct Pending<'a> {
    runner: &'a Runner,
    tree: &'a Tree,
    started: Vec<Started>,
    deadline: Instant,
    limit: Duration,
}

fn start_within<'a>(
    runner: &'a Runner,
    tree: &'a Tree,
    containers: &[&Container],
    limit: Duration,
) -> Result<Pending<'a>> {
    let parts = parts(containers.len());
    let chunk = containers.len().div_ceil(parts).max(1);
    // When the parts take every CPU there is, each keeps to one: left free,
    // the scheduler starts a part's subshell on the CPU another part is
    // using, while the CPU of the parent, which only waits for it, idles.
    let pin = parts > 1 && parts >= crate::host::spawn::allowed_cpus().len();
    let started = containers
        .chunks(chunk)
        .enumerate()
        .map(|(i, part)| {
            let proc = eval_proc(tree, part);
            Started::start(runner, &if pin { proc.on_cpu(i) } else { proc })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Pending {
        runner,
        tree,
        started,
        deadline: Instant::now() + limit,
        limit,
    })
}

impl Pending<'_> {
    /// Wait for every bash and read what each container's files made.
    pub fn finish(self) -> Result<Vec<Evaluated>> {
        let mut evaluated = Vec::new();
        let mut tree_errors = None;
        for s in self.started {
            let done = match s.finish(self.deadline)? {
                Ok(done) => done,
                Err(open) => return Err(timed_out(open, self.limit, &self.tree.root)),
            };
            // Every part checks the tree-wide files; the first one tells.
            let (part, errors) = read_part(self.runner, self.tree, done)?;
            tree_errors.get_or_insert(errors);
            evaluated.extend(part);
        }
        for e in &mut evaluated {
            e.syntax_errors
                .extend(tree_errors.iter().flatten().cloned());
        }
        Ok(evaluated)
    }
}

/// Files that do not parse: the file and bash's words.
type SyntaxErrors = Vec<(PathBuf, String)>;

/// One bash's containers, and its tree-wide parse failures.
fn read_part(
    runner: &Runner,
    tree: &Tree,
    done: run::Finished,
) -> Result<(Vec<Evaluated>, SyntaxErrors)> {
    if !done.status.success() {
        let said = String::from_utf8_lossy(&done.stream).replace('\0', " ");
        bail!(
            "bash failed while reading the settings files ({}): {}",
            status_text(done.status),
            runner.masker().mask(said.trim())
        );
    }
    let mut evaluated = records::parse(&done.results)?;
    let output = output::parse(&done.stream);
    let mut masker = runner.masker().clone();
    // A value that is a container's name is no secret (SPEC §7): masking
    // it would garble every path of that folder.
    for v in evaluated.iter().flat_map(Evaluated::secret_values) {
        if tree.get(v).is_none() {
            masker.add(v);
        }
    }
    let global = crate::term::masker();
    let mask = |s: &str| global.mask(&masker.mask(s));
    for (e, mut out) in evaluated.iter_mut().zip(output.containers) {
        debug_assert!(out.name.is_empty() || out.name == e.name);
        for p in &mut out.printed {
            p.text = mask(&p.text);
        }
        e.stderr = out
            .printed
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        e.printed = out.printed;
        e.syntax_errors = out.syntax_errors;
    }
    Ok((evaluated, output.tree_errors))
}

/// [`EVAL_TIMEOUT`], or the seconds git-lxc's environment asks for.
fn eval_timeout() -> Duration {
    std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(EVAL_TIMEOUT, Duration::from_secs_f64)
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

fn timed_out(open: output::Section, limit: Duration, root: &Path) -> anyhow::Error {
    let what = match open {
        output::Section::Source(file) => format!("reading {}", rel_to(root, &file)),
        output::Section::Check { file, .. } => {
            format!("checking the syntax of {}", rel_to(root, &file))
        }
        output::Section::None => "reading the settings files".to_string(),
    };
    Failure::failed(
        format!(
            "{what} did not finish within {} (an endless loop?); bash was stopped",
            seconds(limit)
        ),
        "settings files are read by every git-lxc command: they should only assign variables and define functions, nothing that waits or loops",
    )
}

#[cfg(test)]
mod tests;
