//! A binary installed as `cargo install` leaves it (`<prefix>/bin/git-lxc`):
//! `install-docs` puts the man pages where man finds them for that folder
//! and the completions where bash-completion, fish and zsh look, so `git lxc
//! --help` opens the man page and `git lxc reb<TAB>` completes; `--version`
//! names the commit.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::docs::tool_present;
use crate::support::{stderr_of, stdout_of};

/// A copy of the binary in `<tmp>/cargo/bin` (as `cargo install --root
/// <tmp>/cargo` puts it) and an empty home.
struct Installed {
    _tmp: tempfile::TempDir,
    prefix: PathBuf,
    home: PathBuf,
}

impl Installed {
    fn new() -> Installed {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let prefix = root.join("cargo");
        let home = root.join("home");
        std::fs::create_dir_all(prefix.join("bin")).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        std::fs::copy(
            assert_cmd::cargo::cargo_bin!("git-lxc"),
            prefix.join("bin/git-lxc"),
        )
        .unwrap();
        Installed {
            _tmp: tmp,
            prefix,
            home,
        }
    }

    /// `program args…` with this PATH and HOME only.
    fn run(&self, program: &str, args: &[&str]) -> std::process::Output {
        Command::new(program)
            .args(args)
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.prefix.join("bin").display()
                ),
            )
            .env("HOME", &self.home)
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .current_dir(&self.home)
            .output()
            .unwrap()
    }

    fn install_docs(&self) {
        let exe = self.prefix.join("bin/git-lxc");
        let out = self.run(exe.to_str().unwrap(), &["install-docs"]);
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
}

fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn install_docs_writes_man_pages_beside_the_binary_and_completions_for_the_user() {
    let i = Installed::new();
    i.install_docs();
    let man1 = i.prefix.join("share/man/man1");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    assert_eq!(count(&man1), count(&committed));
    assert_eq!(
        std::fs::read(man1.join("git-lxc.1")).unwrap(),
        std::fs::read(committed.join("git-lxc.1")).unwrap()
    );
    let data = i.home.join(".local/share");
    for file in [
        "bash-completion/completions/git-lxc",
        "fish/vendor_completions.d/git-lxc.fish",
        "zsh/site-functions/_git-lxc",
    ] {
        assert!(data.join(file).is_file(), "{file}");
    }
}

#[test]
fn after_install_docs_git_lxc_help_opens_the_man_page() {
    if !tool_present("/usr/bin/man") {
        return;
    }
    let i = Installed::new();
    let before = i.run("git", &["lxc", "--help"]);
    assert!(
        !stdout_of(&before).contains("git-lxc - Build and rebuild"),
        "a man page was found before install-docs"
    );
    i.install_docs();
    let out = i.run("git", &["lxc", "--help"]);
    let page = stdout_of(&out);
    assert!(
        out.status.success() && page.contains("git-lxc - Build and rebuild"),
        "{page}{}",
        stderr_of(&out)
    );
    let out = i.run("man", &["git-lxc-doctor"]);
    assert!(
        stdout_of(&out).contains("git-lxc-doctor"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn after_install_docs_git_lxc_reb_tab_completes() {
    if !tool_present("/usr/share/bash-completion/bash_completion")
        || !tool_present("/usr/share/bash-completion/completions/git")
    {
        return;
    }
    let i = Installed::new();
    i.install_docs();
    // bash-completion loads git's completion on the first TAB, and git's
    // loads ours (from ~/.local/share) for `git lxc`
    let script = r#"
        source /usr/share/bash-completion/bash_completion
        COMP_LINE='git lxc reb'; COMP_POINT=${#COMP_LINE}
        COMP_WORDS=(git lxc reb); COMP_CWORD=2
        _completion_loader git
        __git_wrap__git_main git reb lxc
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = i.run("bash", &["--norc", "--noprofile", "-c", script]);
    assert_eq!(
        stdout_of(&out).split_whitespace().collect::<Vec<_>>(),
        ["rebuild"],
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn version_names_the_commit() {
    let i = Installed::new();
    let out = i.run("git", &["lxc", "--version"]);
    let text = stdout_of(&out);
    let version = env!("CARGO_PKG_VERSION");
    let rest = text
        .trim()
        .strip_prefix(&format!("git-lxc {version} (commit "))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        rest == "unknown" || (rest.len() == 12 && rest.bytes().all(|b| b.is_ascii_hexdigit())),
        "{text}"
    );
}
