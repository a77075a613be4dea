//! Per-container checks: files, bash syntax and evaluation, settings, hooks
//! and `.env` values.

use std::path::{Path, PathBuf};

use super::env::{key_line, missing_keys};
use super::facts::{ContainerFacts, EnvFile, Facts, assigned_key};
use super::{Finding, Paths};
use crate::bash::{Printed, is_setting_name};
use crate::host::process::shell_quote;
use crate::settings::{self, Problem, Settings};
use crate::term::mask::MIN_SECRET_LEN;
use crate::workspace::tree::BUILD_SCRIPT;

/// The hooks git-lxc calls (SPEC §3).
pub const HOOKS: &[&str] = &["customMounts", "customMapping", "preBuild", "postBuild"];

/// Lines of bash's stderr reported per container; the rest is noise.
const MAX_STDERR_LINES: usize = 5;

pub fn check(
    facts: &Facts,
    c: &ContainerFacts,
    settings: &Settings,
    problems: &[Problem],
    paths: &Paths,
) -> Vec<Finding> {
    let config = paths.rel(&c.dir.join("configSettings"));
    let mut findings = Vec::new();
    if c.build_script.is_none() {
        let script = paths.rel(&c.dir.join(BUILD_SCRIPT));
        findings.push(Finding::new(
            "missing-build-script",
            &script,
            None,
            format!("{} has no {BUILD_SCRIPT}, the script that provisions it", c.name),
            format!("create {script} (`git lxc new` writes a starter; the legacy name target-bootstrap.sh works too)"),
        ));
    }
    for (file, text) in &c.eval.syntax_errors {
        let (line, message) = bash_message(file, text);
        let rel = paths.rel(file);
        let hint = format!(
            "fix the bash syntax; `bash -n {}` shows the same error",
            shell_quote(&rel)
        );
        findings.push(Finding::new("bash-syntax", rel, line, message, hint));
    }
    let sources = sources(facts, c);
    findings.extend(evaluation(c, &sources, &config, paths));
    for p in problems {
        let (file, line) = p
            .origin
            .as_ref()
            .map_or((config.clone(), None), |o| (paths.rel(&o.file), o.line));
        findings.push(Finding::new(p.rule, file, line, &p.message, &p.hint));
    }
    if !settings.host_set && !settings::is_hostname(&c.name) {
        findings.push(Finding::new(
            "invalid-value",
            &config,
            None,
            format!(
                "the folder name '{}' is the hostname, but it is not a valid DNS name",
                c.name
            ),
            "set OPT_HOST=… in configSettings, or rename the folder (letters, digits and '-')",
        ));
    }
    findings.extend(overridden_settings(&sources, paths));
    findings.extend(unknown_hooks(c, &sources, paths));
    findings.extend(short_secrets(c, &sources, paths));
    if let (Some(env), Some(example)) = (&c.env, &c.env_example) {
        let root_env: Vec<&EnvFile> = facts.root_env.iter().collect();
        findings.extend(missing_keys(env, &root_env, example, paths));
    }
    findings
}

/// The files sourced for `c`, in order, with their text (absent ones left out).
fn sources<'a>(facts: &'a Facts, c: &'a ContainerFacts) -> Vec<(PathBuf, &'a str)> {
    let mut out = Vec::new();
    if let Some(text) = &facts.defaults {
        out.push((facts.root.join("defaults"), text.as_str()));
    }
    for env in [&facts.root_env, &c.env].into_iter().flatten() {
        out.push((env.path.clone(), env.text.as_str()));
    }
    out.push((c.dir.join("configSettings"), c.config.as_str()));
    out
}

/// Bash's own `FILE: line N: message` lines, without the path prefix; the
/// first line number found.
fn bash_message(file: &Path, text: &str) -> (Option<usize>, String) {
    let prefix = format!("{}: ", file.display());
    let mut line = None;
    let mut parts = Vec::new();
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let rest = l.strip_prefix(&prefix).unwrap_or(l);
        let rest = match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
            Some((n, msg)) if n.parse::<usize>().is_ok() => {
                line = line.or(n.parse().ok());
                msg
            }
            _ => rest,
        };
        parts.push(rest.trim());
    }
    (line, parts.join("; "))
}

/// Sourcing that stopped early (error) or printed on stderr (warning).
fn evaluation(
    c: &ContainerFacts,
    sources: &[(PathBuf, &str)],
    config: &str,
    paths: &Paths,
) -> Vec<Finding> {
    let broken: Vec<&PathBuf> = c.eval.syntax_errors.iter().map(|(f, _)| f).collect();
    // Bash's own complaints about a file that does not parse are reported
    // as its syntax error already.
    let printed: Vec<&Printed> = c
        .eval
        .printed
        .iter()
        .filter(|p| {
            !p.file.as_ref().is_some_and(|f| {
                broken.contains(&f) && p.text.starts_with(&format!("{}: ", f.display()))
            })
        })
        .collect();
    if !c.eval.complete {
        let said = printed.first().map_or(String::new(), |p| {
            format!(
                " ({})",
                p.bash_message().map_or(p.text.as_str(), |(_, m)| m)
            )
        });
        let (file, line) =
            exit_line(sources).map_or((config.to_string(), None), |(f, n)| (paths.rel(f), Some(n)));
        return vec![Finding::new(
            "eval-failed",
            file,
            line,
            format!(
                "reading the settings of {} stopped before the end{said}",
                c.name
            ),
            "settings files are sourced: they should only assign variables and define functions; use `return`, not `exit`, and no `set -e` with failing commands",
        )];
    }
    printed
        .iter()
        .take(MAX_STDERR_LINES)
        .map(|p| {
            let file = p.file.as_deref().map_or(config.to_string(), |f| paths.rel(f));
            let (line, message) = match p.bash_message() {
                Some((n, m)) => (Some(n), m),
                None => (None, p.text.as_str()),
            };
            Finding::new(
                "eval-output",
                file,
                line,
                format!("reading the settings of {} printed: {message}", c.name),
                "a healthy settings file prints nothing when sourced; a command here runs on every git-lxc call",
            )
        })
        .collect()
}

/// The first top-level `exit` among the sourced files.
fn exit_line<'a>(sources: &'a [(PathBuf, &str)]) -> Option<(&'a PathBuf, usize)> {
    sources.iter().find_map(|(file, text)| {
        text.lines()
            .position(|l| {
                let code = l.split('#').next().unwrap_or("").trim();
                code.split([';', '&', '|'])
                    .any(|part| part.trim() == "exit" || part.trim().starts_with("exit "))
            })
            .map(|i| (file, i + 1))
    })
}

/// `RAM=512` that an `OPT_RAM=…` elsewhere overrides: `OPT_` wins, as in
/// the original script, so the plain assignment has no effect.
fn overridden_settings(sources: &[(PathBuf, &str)], paths: &Paths) -> Vec<Finding> {
    // The last `OPT_X=` among the sources: the one that counts.
    let opt_line = |name: &str| {
        sources.iter().rev().find_map(|(file, text)| {
            let (n, _) = text
                .lines()
                .enumerate()
                .filter(|(_, l)| assigned_key(l).is_some_and(|(k, _)| k == name))
                .last()?;
            Some(format!("{}:{}", paths.rel(file), n + 1))
        })
    };
    let mut findings = Vec::new();
    for (file, text) in sources {
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            let Some((name, _)) = assigned_key(line) else {
                continue;
            };
            if settings::spec(name).is_none() {
                continue;
            }
            let Some(at) = opt_line(&format!("OPT_{name}")) else {
                continue;
            };
            findings.push(Finding::new(
                "setting-overridden",
                paths.rel(file),
                Some(i + 1),
                format!("{name}=… has no effect: OPT_{name} ({at}) overrides it"),
                format!(
                    "OPT_{name} wins over {name}, as in the original script; keep one of the two"
                ),
            ));
        }
    }
    findings
}

fn unknown_hooks(c: &ContainerFacts, sources: &[(PathBuf, &str)], paths: &Paths) -> Vec<Finding> {
    let known = HOOKS
        .iter()
        .map(|h| format!("HOOK_{h}"))
        .collect::<Vec<_>>()
        .join(", ");
    c.eval
        .hooks()
        .filter(|h| !HOOKS.contains(h))
        .map(|hook| {
            let function = format!("HOOK_{hook}");
            let (file, line) = sources
                .iter()
                .rev()
                .find_map(|(f, text)| {
                    function_line(text, &function).map(|n| (paths.rel(f), Some(n)))
                })
                .unwrap_or_else(|| (paths.rel(&c.dir.join("configSettings")), None));
            Finding::new(
                "unknown-hook",
                file,
                line,
                format!("{function} is not a hook git-lxc runs"),
                format!("the hooks are {known}; drop the HOOK_ prefix for a helper function"),
            )
        })
        .collect()
}

/// The line defining function `name` (`name() {` or `function name`).
fn function_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("function ").map_or(l, str::trim_start);
            l.strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['(', ' ', '\t', '{']))
        })
        .map(|i| i + 1)
}

fn short_secrets(c: &ContainerFacts, sources: &[(PathBuf, &str)], paths: &Paths) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Settings (`OPT_CTID`, `MACADDR`) are no secrets: never masked.
    let secrets = c.eval.secrets.iter().filter(|(k, _)| !is_setting_name(k));
    for (name, value) in secrets {
        // Measured as the mask measures it: a CRLF line end is no part of
        // the value (`env-crlf` reports the file).
        let len = value.trim_end_matches(['\r', '\n']).chars().count();
        if len == 0 || len >= MIN_SECRET_LEN {
            continue;
        }
        let located = sources
            .iter()
            .rev()
            .filter(|(f, _)| f.file_name().is_some_and(|n| n == ".env"))
            .find_map(|(f, text)| key_line(text, name).map(|n| (paths.rel(f), Some(n))));
        let (file, line) = located.unwrap_or_else(|| (paths.rel(&c.dir.join(".env")), None));
        findings.push(Finding::new(
            "short-secret",
            file,
            line,
            format!("{name} from .env has {len} characters: too short to be masked in output"),
            format!(
                "values from .env shorter than {MIN_SECRET_LEN} characters are printed as they are; use a longer secret, or move a value that is no secret to configSettings"
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_messages_lose_the_path_and_keep_the_line() {
        let f = Path::new("/t/web/configSettings");
        let (line, msg) = bash_message(
            f,
            "/t/web/configSettings: line 3: syntax error near unexpected token `('\n/t/web/configSettings: line 3: `foo ( bar'\n",
        );
        assert_eq!(line, Some(3));
        assert_eq!(msg, "syntax error near unexpected token `('; `foo ( bar'");
    }

    #[test]
    fn finds_exit_lines() {
        let sources = vec![
            (
                PathBuf::from("/r/defaults"),
                "X=1\n# exit here is a comment\n",
            ),
            (
                PathBuf::from("/r/web/configSettings"),
                "A=1\n[ -n \"$B\" ] || exit 1\n",
            ),
        ];
        assert_eq!(exit_line(&sources), Some((&sources[1].0, 2)));
        let none = vec![(PathBuf::from("/r/web/configSettings"), "exits=1\nnoexit\n")];
        assert_eq!(exit_line(&none), None);
    }

    #[test]
    fn plain_setting_names_are_flagged_only_when_overridden() {
        let paths = Paths {
            workdir: Path::new("/t"),
        };
        let sources = vec![
            (PathBuf::from("/t/defaults"), "OPT_RAM=256\n"),
            (
                PathBuf::from("/t/web/configSettings"),
                "APP=Samba\nRAM=512\n# CORES=2\nexport CORES=2\nAPP_PORT=1\n",
            ),
        ];
        let f = overridden_settings(&sources, &paths);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].rule, f[0].line), ("setting-overridden", Some(2)));
        assert_eq!(f[0].file, "web/configSettings");
        assert!(f[0].message.contains("defaults:1"), "{}", f[0].message);
    }

    #[test]
    fn function_lines() {
        let text =
            "X=1\nHOOK_preBuild() { :; }\nfunction HOOK_other {\n:\n}\nHOOK_preBuildX() { :; }\n";
        assert_eq!(function_line(text, "HOOK_preBuild"), Some(2));
        assert_eq!(function_line(text, "HOOK_other"), Some(3));
        assert_eq!(function_line(text, "HOOK_none"), None);
    }
}
