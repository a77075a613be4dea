//! Test environment: a temp git repository, a private bin folder with the
//! fake host tools, and the real git-lxc binary run with a cleared
//! environment (nothing is set in the test process itself).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use assert_cmd::Command;
use snapbox::{Assert, IntoData, Redactions};
use tempfile::TempDir;

pub struct Env {
    pub tmp: TempDir,
    /// The work tree of the test repository.
    pub repo: PathBuf,
    pub home: PathBuf,
    /// Private bin folder put first on git-lxc's PATH.
    pub bin: PathBuf,
    /// State folder of the fake host tools.
    pub state: PathBuf,
}

impl Env {
    /// An empty repository with one empty commit-less main branch.
    pub fn new() -> Env {
        let tmp = tempfile::Builder::new()
            .prefix("git-lxc-test")
            .tempdir()
            .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let repo = root.join("repo");
        let home = root.join("home");
        let bin = root.join("bin");
        let state = root.join("state");
        for d in [&repo, &home, &bin, &state] {
            std::fs::create_dir_all(d).unwrap();
        }
        let env = Env {
            tmp,
            repo,
            home,
            bin,
            state,
        };
        env.git(&["init", "-q", "-b", "main"]);
        env
    }

    /// The base environment every child gets.
    fn apply_env(&self, cmd: &mut StdCommand) {
        cmd.env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                    self.bin.display()
                ),
            )
            .env("HOME", &self.home)
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test User")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test User")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_LXC_PVE_DIR", self.state.join("pve"))
            .current_dir(&self.repo);
    }

    /// git-lxc, run in the repository's work tree.
    pub fn lxc(&self) -> Command {
        Command::from_std(self.lxc_std())
    }

    /// [`Env::lxc`] as a plain `std` command (to spawn and signal it).
    pub fn lxc_std(&self) -> StdCommand {
        let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin!("git-lxc"));
        self.apply_env(&mut cmd);
        cmd
    }

    /// Run git in the repository; panics on failure; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let mut cmd = StdCommand::new("git");
        self.apply_env(&mut cmd);
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.repo.join(rel)
    }

    /// Write a file in the work tree (creating folders).
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) -> &Self {
        let p = self.path(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
        self
    }

    /// `git add -A && git commit`.
    pub fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.head()
    }

    /// The tree id git-lxc records for a tree at the top of this repository.
    pub fn tree_id(&self) -> String {
        let roots = self.git(&["rev-list", "--max-parents=0", "HEAD"]);
        let root = roots.lines().last().unwrap();
        format!("{}:.", &root[..12])
    }

    /// The record line of `name` built from HEAD on template `os`.
    pub fn record(&self, name: &str, os: &str, state: &str) -> String {
        format!(
            "git-lxc: name={name} tree={} commit={} state={state} os={os}",
            self.tree_id(),
            self.head()
        )
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// A healthy container folder: settings, build script, `.env.example`.
pub fn write_container(env: &Env, name: &str, settings: &str) {
    env.write(&format!("{name}/configSettings"), settings);
    env.write(
        &format!("{name}/build-target.sh"),
        "#!/bin/bash\nset -e\npackage add curl\necho built > /usr/local/data/built\n",
    );
}

/// `.gitignore` entries a healthy tree has.
pub const GITIGNORE: &str = ".env\ndata/\n";

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Both streams of a run, stdout first: everything it showed.
pub fn streams_of(out: &std::process::Output) -> String {
    format!("{}{}", stdout_of(out), stderr_of(out))
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

// -------------------------------------------------------------- pasted hints

/// The words bash makes of `command` pasted into it, in an empty folder:
/// panics if pasting ran anything.
pub fn pasted(command: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = StdCommand::new("bash")
        .args([
            "-c",
            "eval \"set -- $1\"; printf '%s\\0' \"$@\"",
            "_",
            command,
        ])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(out.status.success(), "{command}: {}", stderr_of(&out));
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert!(made.is_empty(), "pasting `{command}` ran a command");
    stdout_of(&out)
        .split('\0')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The command between backticks that starts with `start` in `text`. A
/// backtick inside single quotes (a quoted folder name) is part of it.
pub fn quoted_command<'t>(text: &'t str, start: &str) -> &'t str {
    let at = text
        .find(&format!("`{start}"))
        .unwrap_or_else(|| panic!("no `{start}…` in:\n{text}"));
    let rest = &text[at + 1..];
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if !quoted => escaped = true,
            '\'' => quoted = !quoted,
            '`' if !quoted => return &rest[..i],
            _ => {}
        }
    }
    panic!("no closing ` in:\n{text}")
}

// ---------------------------------------------------------------- snapshots
//
// Whole-output checks with snapbox, as git-stack and cargo write them:
//
//     env.run(env.lxc().arg("verify"))
//         .code(1)
//         .stdout(str![""])
//         .stderr(str![[r#"
//     error[unknown-opt]: web/configSettings:2: [..]
//     ...
//     "#]]);
//
// Before comparing, what changes from run to run is redacted in the output:
//
//     [ROOT]   the test's temp folder (the repository is [ROOT]/repo)
//     [HASH]   any commit of the test repository, in full or as the 12-digit
//              abbreviation git-lxc prints
//     [TIME]   a date and time (2025-01-31T12:00:00Z, 2025-01-31 12:00:00.123)
//
// `.redact("[BUILT]", &commit)` gives one value a name of its own, so a
// snapshot can tell which commit is which. In a snapshot, `[..]` matches the
// rest of a line up to what follows it, and `...` alone on a line any number
// of lines. `env.snapshot(text, str![…])` checks any other text (a call log
// of the fakes, a file) the same way. To write or refresh the snapshots in
// place, run
//
//     SNAPSHOTS=overwrite cargo test --test cli
//
// and review the diff before committing it.

impl Env {
    /// The redactions of every snapshot, plus `named` (placeholder, value).
    pub fn redactions(&self, named: &[(&'static str, String)]) -> Redactions {
        let mut redactions = Redactions::new();
        redactions
            .insert("[ROOT]", self.tmp.path().canonicalize().unwrap())
            .unwrap();
        for (placeholder, value) in named {
            redactions.insert(placeholder, value.clone()).unwrap();
        }
        // Every commit of the repository, unless named above; longer values
        // are replaced first, so a full id never leaves its tail behind.
        let commits = self.git(&["rev-list", "--all", "--reflog"]);
        for id in commits.lines().filter(|id| !id.is_empty()) {
            if named.iter().any(|(_, v)| v == id) {
                continue;
            }
            redactions.insert("[HASH]", id.to_string()).unwrap();
            redactions.insert("[HASH]", id[..12].to_string()).unwrap();
        }
        for (placeholder, value) in named {
            if value.len() == 40 {
                redactions
                    .insert(placeholder, value[..12].to_string())
                    .unwrap();
            }
        }
        let time = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?";
        redactions
            .insert("[TIME]", regex::Regex::new(time).unwrap())
            .unwrap();
        redactions
    }

    fn assert(&self, named: &[(&'static str, String)]) -> Assert {
        Assert::new()
            .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
            .redact_with(self.redactions(named))
    }

    /// Run `cmd` (`env.lxc()…`, `fakes::lxc(&env)…`) for snapshot checks.
    pub fn run<'e>(&'e self, cmd: &mut Command) -> Ran<'e> {
        Ran {
            env: self,
            out: cmd.output().unwrap(),
            named: Vec::new(),
        }
    }

    /// Check `actual` against the snapshot `expected`, redacted as above.
    #[track_caller]
    pub fn snapshot(&self, actual: impl IntoData, expected: impl IntoData) {
        self.assert(&[]).eq(actual, expected);
    }
}

/// One finished run of a command, checked piece by piece.
pub struct Ran<'e> {
    env: &'e Env,
    pub out: Output,
    named: Vec<(&'static str, String)>,
}

impl Ran<'_> {
    /// Show `value` as `placeholder` (`[A-Z_]` in brackets) in the snapshots.
    pub fn redact(mut self, placeholder: &'static str, value: impl Into<String>) -> Self {
        self.named.push((placeholder, value.into()));
        self
    }

    /// The exit code must be `code`; on failure shows both streams.
    #[track_caller]
    pub fn code(self, code: i32) -> Self {
        assert_eq!(
            self.out.status.code(),
            Some(code),
            "exit code\n--- stdout\n{}--- stderr\n{}",
            stdout_of(&self.out),
            stderr_of(&self.out)
        );
        self
    }

    #[track_caller]
    pub fn stdout(self, expected: impl IntoData) -> Self {
        self.env
            .assert(&self.named)
            .eq(self.out.stdout.clone(), expected);
        self
    }

    /// [`Ran::stdout`] for JSON: a backslash stays one (`\n` in a string),
    /// where the other checks read it as a path separator and show `/`.
    #[track_caller]
    pub fn stdout_json(self, expected: impl IntoData) -> Self {
        self.env
            .assert(&self.named)
            .normalize_paths(false)
            .eq(self.out.stdout.clone(), expected);
        self
    }

    #[track_caller]
    pub fn stderr(self, expected: impl IntoData) -> Self {
        self.env
            .assert(&self.named)
            .eq(self.out.stderr.clone(), expected);
        self
    }
}
