//! Evaluating the settings files with bash (SPEC §2).
//!
//! The files are bash, so bash reads them: one process for the whole tree,
//! each container in its own subshell, as the invoking user, with a cleared
//! environment. Nothing here runs through sudo.

pub mod hooks;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::host::process::{Proc, Runner};
use crate::workspace::tree::{Container, Tree};

const SCRIPT: &str = include_str!("eval.bash");

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
    /// `bash -n` failures: file and bash's own message.
    pub syntax_errors: Vec<(PathBuf, String)>,
    /// What bash printed on stderr while sourcing the files.
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

    /// Values from `.env` files that are not `OPT_` settings: the secrets.
    pub fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.secrets
            .iter()
            .filter(|(k, _)| !k.starts_with("OPT_"))
            .map(|(_, v)| v.as_str())
    }

    pub fn scalar(&self, name: &str) -> Option<&str> {
        match self.vars.get(name) {
            Some(Value::Scalar(s)) => Some(s),
            _ => None,
        }
    }
}

/// Evaluate the given containers of `tree` in one bash process.
pub fn evaluate(runner: &Runner, tree: &Tree, containers: &[&Container]) -> Result<Vec<Evaluated>> {
    let errdir = tempfile::Builder::new()
        .prefix("git-lxc-eval")
        .tempdir()
        .context("cannot create a temporary folder for bash's messages")?;
    let mut proc = Proc::local("bash", &["-c", SCRIPT, "git-lxc-eval"])
        .arg(errdir.path().to_string_lossy())
        .arg(tree.root.to_string_lossy());
    for c in containers {
        proc = proc.arg(&c.name).arg(c.dir.to_string_lossy());
    }
    let output = runner
        .output(&proc)
        .context("cannot run bash to read the settings files (is bash installed?)")?;
    if !output.status.success() {
        bail!(
            "bash failed while reading the settings files: {}",
            output.stderr.trim()
        );
    }
    let mut results = parse(output.stdout.as_bytes())?;
    for r in &mut results {
        r.stderr = std::fs::read_to_string(errdir.path().join(format!("{}.err", r.name)))
            .unwrap_or_default();
    }
    Ok(results)
}

/// Tree-wide `bash -n` failures (root `defaults`, `lib/*.sh`) come before the
/// first container record; they are attached to every container's result by
/// [`evaluate`]'s caller through [`tree_syntax_errors`].
fn parse(out: &[u8]) -> Result<Vec<Evaluated>> {
    let text = String::from_utf8_lossy(out);
    let mut fields = text.split('\0');
    let mut results: Vec<Evaluated> = Vec::new();
    let mut tree_errors: Vec<(PathBuf, String)> = Vec::new();
    let mut next = |what: &str| -> Result<String> {
        fields
            .next()
            .map(str::to_string)
            .with_context(|| format!("bash evaluation output ended inside a {what} record"))
    };
    loop {
        let tag = match next("tag") {
            Ok(t) if t.is_empty() => break,
            Ok(t) => t,
            Err(_) => break,
        };
        match tag.as_str() {
            "C" => results.push(Evaluated {
                name: next("container")?,
                ..Default::default()
            }),
            "N" => {
                let file = PathBuf::from(next("syntax")?);
                let msg = next("syntax")?;
                match results.last_mut() {
                    Some(r) => r.syntax_errors.push((file, msg)),
                    None => tree_errors.push((file, msg)),
                }
            }
            "E" => current(&mut results)?.complete = true,
            "V" | "A" => {
                let name = next("variable")?;
                let value = next("variable")?;
                let value = if tag == "V" {
                    Value::Scalar(value)
                } else {
                    Value::Array(value)
                };
                current(&mut results)?.vars.insert(name, value);
            }
            "S" => {
                let name = next("secret")?;
                let value = next("secret")?;
                current(&mut results)?.secrets.push((name, value));
            }
            "F" => {
                let name = next("function")?;
                current(&mut results)?.functions.push(name);
            }
            "X" => {
                // A sourced file returned status 2 or more (bash's status for a
                // parse error); bash's message is in stderr, nothing to add.
                next("status")?;
                next("status")?;
            }
            other => bail!("unexpected record '{other}' in bash evaluation output"),
        }
    }
    for r in &mut results {
        r.syntax_errors.extend(tree_errors.iter().cloned());
    }
    Ok(results)
}

fn current(results: &mut [Evaluated]) -> Result<&mut Evaluated> {
    results
        .last_mut()
        .context("bash evaluation output has a record before any container")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let out = b"N\0/r/defaults\0/r/defaults: line 2: oops\0C\0a\0S\0PASS\0pw12\0V\0OPT_RAM\0\x32\x35\x36\0A\0L\0declare -a L=([0]=\"x\")\0F\0HOOK_preBuild\0E\0C\0b\0";
        let r = parse(out).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].scalar("OPT_RAM"), Some("256"));
        assert!(matches!(r[0].vars.get("L"), Some(Value::Array(_))));
        assert_eq!(r[0].secrets, vec![("PASS".to_string(), "pw12".to_string())]);
        assert!(r[0].hooks().any(|h| h == "preBuild"));
        assert!(r[0].complete);
        assert!(!r[1].complete);
        assert_eq!(r[1].syntax_errors.len(), 1);
    }
}
