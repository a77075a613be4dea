//! Build script: the commit the binary is built from, for `--version`, and
//! the committed man pages and completions, embedded for `install-docs`.
//!
//! The commit comes from `.cargo_vcs_info.json` in a crate packaged by
//! `cargo package` (crates.io, a release tarball), else from git when the
//! crate is the top of a git checkout, else it is "unknown".

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    let commit = packaged_commit(&manifest)
        .or_else(|| git_commit(&manifest))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=GIT_LXC_VERSION={version} (commit {commit})");
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    embed_docs(&manifest);
}

/// The commit `cargo package` recorded.
fn packaged_commit(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest.join(".cargo_vcs_info.json")).ok()?;
    let at = text.find("\"sha1\"")?;
    let rest = &text[at + 6..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    short(&rest[start..start + len])
}

/// HEAD of the git checkout whose top is this crate; the files HEAD depends
/// on are watched, so a new commit rebuilds the version string.
fn git_commit(manifest: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(manifest)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    // A crate unpacked inside some other repository is not that repository.
    if Path::new(&top).canonicalize().ok()? != manifest.canonicalize().ok()? {
        return None;
    }
    let head = git(&["rev-parse", "HEAD"])?;
    let git_dir = PathBuf::from(git(&["rev-parse", "--absolute-git-dir"])?);
    let common = git(&["rev-parse", "--git-common-dir"])
        .map(|d| manifest.join(d))
        .unwrap_or_else(|| git_dir.clone());
    println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
    println!(
        "cargo:rerun-if-changed={}",
        common.join("packed-refs").display()
    );
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        println!("cargo:rerun-if-changed={}", common.join(branch).display());
    }
    short(&head)
}

/// The first 12 hex digits of a commit id.
fn short(sha: &str) -> Option<String> {
    (sha.len() >= 12 && sha.bytes().all(|b| b.is_ascii_hexdigit())).then(|| sha[..12].to_string())
}

/// `$OUT_DIR/docs.rs`: every file of `man/` and `completions/` as
/// `(name, bytes)`, so a new man page is embedded without a code change.
fn embed_docs(manifest: &Path) {
    let mut code = String::new();
    for (konst, folder) in [("MAN_PAGES", "man"), ("COMPLETIONS", "completions")] {
        let dir = manifest.join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.is_file());
        files.sort();
        code.push_str(&format!("pub const {konst}: &[(&str, &[u8])] = &[\n"));
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            code.push_str(&format!(
                "    ({name:?}, include_bytes!({:?})),\n",
                path.display().to_string()
            ));
        }
        code.push_str("];\n");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("docs.rs"), code).expect("write docs.rs");
}
