//! `.env` and `data/` hygiene, tree-wide: tracked, not ignored, in history,
//! and the root `.env` against the root `.env.example`.

use std::path::Path;

use super::facts::{EnvFile, Facts, HistoryHit, assigned_key};
use super::{Finding, Paths};
use crate::host::process::shell_quote;
use crate::workspace::dotenv;

pub fn check(facts: &Facts, paths: &Paths) -> Vec<Finding> {
    let gitignore = paths.rel(&facts.root.join(".gitignore"));
    let mut findings = Vec::new();
    for path in &facts.git.tracked_env {
        findings.push(Finding::new(
            "env-tracked",
            path,
            None,
            format!("{path} is tracked by git: its secrets go to every clone"),
            format!(
                "run `git rm --cached {}`, make sure {gitignore} lists .env (`git lxc init` adds it), and change the secrets it held",
                shell_quote(path)
            ),
        ));
    }
    for (path, ignored) in &facts.git.ignored {
        if *ignored {
            continue;
        }
        if Path::new(path).file_name().is_some_and(|n| n == ".env") {
            findings.push(Finding::new(
                "env-not-ignored",
                path,
                None,
                format!("{path} is not ignored by git: `git add` would commit its secrets"),
                format!("add `.env` to {gitignore} (`git lxc init` does it)"),
            ));
        } else {
            findings.push(Finding::new(
                "data-not-ignored",
                path,
                None,
                format!("{path} is not ignored by git: `git add` would commit the container's persistent data"),
                format!(
                    "add `data/` to {gitignore} (`git lxc init` does it); a symlinked data is a file to git and needs `data`, without the slash"
                ),
            ));
        }
    }
    findings.extend(facts.git.env_history.iter().map(in_history));
    for (path, rule) in &facts.git.ignored_examples {
        findings.push(Finding::new(
            "env-example-ignored",
            path,
            None,
            format!("{path} is ignored by git ({rule}): it is never committed, so clones and CI lack the keys .env must define"),
            format!(
                "add `!.env.example` after that rule, then `git add {}`",
                shell_quote(path)
            ),
        ));
    }
    if let (Some(env), Some(example)) = (&facts.root_env, &facts.root_env_example) {
        findings.extend(missing_keys(env, &[], example, paths));
    }
    let selected = facts.containers.iter().filter(|c| c.selected);
    let envs = facts
        .root_env
        .iter()
        .chain(selected.filter_map(|c| c.env.as_ref()));
    findings.extend(envs.filter_map(|env| crlf(env, paths)));
    findings
}

/// A `.env` that commits of the history hold.
fn in_history(hit: &HistoryHit) -> Finding {
    let (more, verb) = match hit.commits {
        0 | 1 => (String::new(), "holds"),
        2 => (" and 1 later commit".to_string(), "hold"),
        n => (format!(" and {} later commits", n - 1), "hold"),
    };
    Finding::new(
        "env-in-history",
        &hit.path,
        None,
        format!(
            "{} is in the history: commit {} \"{}\"{more} {verb} it",
            hit.path, hit.commit, hit.subject
        ),
        format!(
            "anyone with a clone can read it: change the secrets it held, then drop it from the history (e.g. `git filter-repo --invert-paths --path {}`) and force-push",
            shell_quote(&hit.path)
        ),
    )
}

/// A `.env` with CRLF line ends, which a build refuses: each value keeps
/// the `\r`, so no mask matches what a program prints of it.
fn crlf(env: &EnvFile, paths: &Paths) -> Option<Finding> {
    let line = dotenv::first_crlf_line(&env.text)?;
    let rel = paths.rel(&env.path);
    Some(Finding::new(
        "env-crlf",
        &rel,
        Some(line),
        format!(
            "{rel} has CRLF (Windows) line ends: every value ends in a carriage return that no mask matches, and a build refuses it"
        ),
        dotenv::crlf_fix(&rel),
    ))
}

/// Keys `example` lists that neither `env` nor `also` (the root `.env`,
/// sourced before a container's own) define.
pub fn missing_keys(
    env: &EnvFile,
    also: &[&EnvFile],
    example: &EnvFile,
    paths: &Paths,
) -> Vec<Finding> {
    let env_rel = paths.rel(&env.path);
    let example_rel = paths.rel(&example.path);
    example
        .keys
        .iter()
        .filter(|k| !env.keys.contains(k) && !also.iter().any(|e| e.keys.contains(k)))
        .map(|key| {
            let at = key_line(&example.text, key).map_or(String::new(), |n| format!(":{n}"));
            Finding::new(
                "env-missing-key",
                &env_rel,
                None,
                format!("{env_rel} does not define {key}, which {example_rel}{at} lists"),
                format!("add {key}=… to {env_rel}"),
            )
        })
        .collect()
}

/// The line where `text` assigns `key` first.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| assigned_key(l).is_some_and(|(k, _)| k == key))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::facts::{GitFacts, HistoryHit};
    use super::*;

    fn facts(git: GitFacts) -> Facts {
        Facts {
            workdir: PathBuf::from("/w"),
            root: PathBuf::from("/w/lxcs"),
            defaults: None,
            root_env: None,
            root_env_example: None,
            containers: Vec::new(),
            git,
            files: Vec::new(),
        }
    }

    fn env_file(path: &str, text: &str) -> EnvFile {
        EnvFile {
            path: PathBuf::from(path),
            keys: text
                .lines()
                .filter_map(assigned_key)
                .map(|(k, _)| k.to_string())
                .collect(),
            text: text.to_string(),
        }
    }

    #[test]
    fn git_facts_become_findings() {
        let mut git = GitFacts {
            tracked_env: vec!["lxcs/web/.env".into()],
            env_history: vec![HistoryHit {
                path: "lxcs/db/.env".into(),
                commit: "abc1234".into(),
                subject: "add db".into(),
                commits: 3,
            }],
            ..Default::default()
        };
        git.ignored.insert("lxcs/.env".into(), true);
        git.ignored.insert("lxcs/web/.env".into(), false);
        git.ignored.insert("lxcs/web/data".into(), false);
        let f = check(
            &facts(git),
            &Paths {
                workdir: Path::new("/w"),
            },
        );
        let rules: Vec<(&str, &str)> = f.iter().map(|f| (f.rule, f.file.as_str())).collect();
        assert_eq!(
            rules,
            [
                ("env-tracked", "lxcs/web/.env"),
                ("env-not-ignored", "lxcs/web/.env"),
                ("data-not-ignored", "lxcs/web/data"),
                ("env-in-history", "lxcs/db/.env"),
            ]
        );
        assert!(
            f[3].message
                .contains("abc1234 \"add db\" and 2 later commits"),
            "{}",
            f[3].message
        );
        assert!(f[0].hint.contains("lxcs/.gitignore"));
    }

    #[test]
    fn missing_keys_consider_the_root_env() {
        let paths = Paths {
            workdir: Path::new("/w"),
        };
        let env = env_file("/w/web/.env", "A=1\n");
        let root = env_file("/w/.env", "B=1\n");
        let example = env_file("/w/web/.env.example", "# keys\nA=\nB=\nC=\n");
        let f = missing_keys(&env, &[&root], &example, &paths);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].file, "web/.env");
        assert!(
            f[0].message.contains("C, which web/.env.example:4"),
            "{}",
            f[0].message
        );
    }
}
