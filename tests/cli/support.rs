//! Test environment: a temp git repository, a private bin folder with the
//! fake host tools, and the real git-lxc binary run with a cleared
//! environment (nothing is set in the test process itself).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
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
        let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin!("git-lxc"));
        self.apply_env(&mut cmd);
        Command::from_std(cmd)
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

pub fn exists(p: &Path) -> bool {
    p.exists()
}
