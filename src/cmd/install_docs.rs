//! `git lxc install-docs`: the man pages and shell completions embedded in
//! the binary (from `man/` and `completions/`), written where `man` and the
//! shells look for them, for a binary installed with `cargo install`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use crate::cmd::GlobalArgs;
use crate::error::Failure;
use crate::term;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/docs.rs"));
}

/// Install the man pages and shell completions for this user.
///
/// For a binary installed with `cargo install`, so that `git lxc --help`
/// opens the man page and `git lxc <TAB>` completes. The man pages go beside
/// the binary, into `<bin>/../share/man/man1` (`~/.cargo/share/man` for
/// `~/.cargo/bin/git-lxc`), which man searches for every folder on PATH.
/// The completions go under `$XDG_DATA_HOME` (default `~/.local/share`):
/// `bash-completion/completions/git-lxc` (loaded by bash-completion, also
/// for `git lxc <TAB>`), `fish/vendor_completions.d/git-lxc.fish` and
/// `zsh/site-functions/_git-lxc` (add that folder to `fpath`). With
/// `--prefix DIR` everything goes under `DIR/share` instead (e.g.
/// `/usr/local`, for every user). The Debian package needs none of this.
#[derive(Debug, Args)]
pub struct InstallDocsArgs {
    /// Install under DIR/share/{man,bash-completion,fish,zsh} instead.
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,
}

/// Where each kind of file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub man1: PathBuf,
    pub bash: PathBuf,
    pub fish: PathBuf,
    pub zsh: PathBuf,
}

impl Targets {
    /// Man pages under `man`, completions under `data` (a `share` folder).
    fn new(man: &Path, data: &Path) -> Targets {
        Targets {
            man1: man.join("man1"),
            bash: data.join("bash-completion/completions/git-lxc"),
            fish: data.join("fish/vendor_completions.d/git-lxc.fish"),
            zsh: data.join("zsh/site-functions/_git-lxc"),
        }
    }

    /// Everything under `prefix/share`.
    pub fn under_prefix(prefix: &Path) -> Targets {
        let share = prefix.join("share");
        Targets::new(&share.join("man"), &share)
    }

    /// Man pages beside the binary in `bin`, completions in the user's
    /// data folder.
    pub fn for_user(bin: &Path, data_home: &Path) -> Targets {
        let prefix = bin.parent().unwrap_or(bin);
        Targets::new(&prefix.join("share/man"), data_home)
    }
}

pub fn exec(args: &InstallDocsArgs, _global: &GlobalArgs) -> Result<()> {
    let targets = match &args.prefix {
        Some(prefix) => Targets::under_prefix(prefix),
        None => {
            let exe = std::env::current_exe().context("cannot find this program's path")?;
            let bin = exe.parent().unwrap_or(Path::new("/"));
            if bin == Path::new("/usr/bin") || bin == Path::new("/bin") {
                term::info(
                    "git-lxc was installed by a package: its man pages and completions are in place already",
                );
                return Ok(());
            }
            Targets::for_user(bin, &data_home()?)
        }
    };
    for (name, bytes) in embedded::MAN_PAGES {
        write(&targets.man1.join(name), bytes)?;
    }
    for (name, bytes) in embedded::COMPLETIONS {
        let target = match *name {
            "git-lxc.bash" => &targets.bash,
            "git-lxc.fish" => &targets.fish,
            "_git-lxc" => &targets.zsh,
            _ => continue,
        };
        write(target, bytes)?;
    }
    term::info(format!(
        "installed {} man pages in {}",
        embedded::MAN_PAGES.len(),
        targets.man1.display()
    ));
    for (shell, path) in [("bash", &targets.bash), ("fish", &targets.fish)] {
        term::info(format!("{shell} completion: {}", path.display()));
    }
    let zsh_dir = targets.zsh.parent().unwrap_or(Path::new("."));
    term::info(format!(
        "zsh completion: {} (zsh: put `fpath=({} $fpath)` before `compinit` in ~/.zshrc)",
        targets.zsh.display(),
        zsh_dir.display()
    ));
    term::info("`git lxc --help` opens git-lxc(1); a new shell completes `git lxc <TAB>`");
    Ok(())
}

/// `$XDG_DATA_HOME`, else `~/.local/share`.
fn data_home() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| Path::new(d).is_absolute()) {
        return Ok(PathBuf::from(dir));
    }
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join(".local/share")),
        _ => Err(Failure::failed(
            "HOME is not set, so there is no folder for the completions",
            "set HOME, or give a folder with --prefix",
        )),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_man_page_and_completion_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let count = |dir: &str| std::fs::read_dir(root.join(dir)).unwrap().count();
        assert_eq!(embedded::MAN_PAGES.len(), count("man"));
        assert!(embedded::MAN_PAGES.iter().any(|(n, _)| *n == "git-lxc.1"));
        let names: Vec<&str> = embedded::COMPLETIONS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["_git-lxc", "git-lxc.bash", "git-lxc.fish"]);
    }

    #[test]
    fn man_pages_go_beside_the_binary() {
        let t = Targets::for_user(
            Path::new("/home/a/.cargo/bin"),
            Path::new("/home/a/.local/share"),
        );
        assert_eq!(t.man1, Path::new("/home/a/.cargo/share/man/man1"));
        assert_eq!(
            t.bash,
            Path::new("/home/a/.local/share/bash-completion/completions/git-lxc")
        );
        let t = Targets::under_prefix(Path::new("/usr/local"));
        assert_eq!(t.man1, Path::new("/usr/local/share/man/man1"));
        assert_eq!(
            t.zsh,
            Path::new("/usr/local/share/zsh/site-functions/_git-lxc")
        );
    }
}
