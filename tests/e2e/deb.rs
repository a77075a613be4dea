//! The Debian package in a real Debian 12 container on the stand-in: the
//! README's install lines for a Proxmox VE host, run as written (as root, in
//! the folder the package was copied to), then `git lxc --help` showing the
//! man page, `git lxc reb<TAB>` completed through git's bash completion and
//! `git lxc verify` on a small tree, all from the package's paths.
//!
//! The package is `target/debian/git-lxc_<version>_amd64.deb` (`cargo deb`;
//! `.ci/run` builds it before this tier); without it the test runs
//! `cargo deb` itself. The container (CT 9103) reaches Debian's mirrors
//! through the stand-in's NAT bridge.

use super::*;

const DEB_ID: u32 = 9103;

/// The `.deb` to test: `cargo deb`'s output, built first when missing.
fn package() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = format!("git-lxc_{}_amd64.deb", env!("CARGO_PKG_VERSION"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let deb = target.join("debian").join(&name);
    if !deb.is_file() {
        say(format!("e2e: {name} missing; running cargo deb"));
        let out = Command::new(env!("CARGO"))
            .arg("deb")
            .current_dir(root)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success() && deb.is_file(),
            "cargo deb failed (install it: cargo install cargo-deb):\n{}",
            text(&out.stderr)
        );
    }
    deb
}

/// The commands of the README's host install block (the fenced block
/// after the line naming this file), one per line, comments dropped.
fn readme_install_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let marker = readme
        .find("tests/e2e/deb.rs")
        .expect("README.md marks its host install block");
    let block = readme[marker..]
        .split("```")
        .nth(1)
        .expect("a fenced block after the marker");
    block
        .lines()
        .skip(1) // the info string
        .map(|l| l.split(" #").next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// `pct exec` in the container, a login shell as root in /root; stdin from
/// `input` (or nothing).
fn in_ct(script: &str, input: Option<&Path>) -> Output {
    let s = standin();
    let stdin = match input {
        Some(p) => Stdio::from(std::fs::File::open(p).expect("the package")),
        None => Stdio::null(),
    };
    Command::new(s.bin.join("pct"))
        .args(["exec", &DEB_ID.to_string(), "--keep-env", "0", "--"])
        .args(["bash", "-lc", &format!("cd /root && {script}")])
        .env_clear()
        .env("PATH", s.path_var())
        .env("LANG", "C.UTF-8")
        .stdin(stdin)
        .output()
        .expect("pct exec runs")
}

#[track_caller]
fn in_ct_ok(script: &str) -> String {
    in_ct_answering(script, None)
}

/// [`in_ct_ok`] with `answers` on stdin (what a person types at apt's
/// "Do you want to continue? [Y/n]").
#[track_caller]
fn in_ct_answering(script: &str, answers: Option<&Path>) -> String {
    let t = Instant::now();
    let out = in_ct(script, answers);
    eprintln!(
        "# {script} → {:?} in {}\n{}{}",
        out.status.code(),
        secs(t.elapsed()),
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        out.status.success(),
        "`{script}` failed in CT {DEB_ID}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// What bash offers for `line` on TAB, loaded as on an installed system:
/// bash-completion's loader, then git's completion, which loads ours.
const COMPLETE: &str = r#"
source /usr/share/bash-completion/bash_completion
COMP_LINE=$LINE; COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_completion_loader git
__git_wrap__git_main git "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

#[test]
#[ignore = "needs root and LXC; run with --ignored (CI does)"]
fn debian_package_installs_and_works_in_a_debian_container() {
    let _serial = e2e();
    let deb = package();
    let _ct = CtGuard::claim(DEB_ID);
    let id = DEB_ID.to_string();
    let s = standin();
    let t = Instant::now();
    for args in [
        vec![
            "create",
            &id,
            "local:vztmpl/debian-12-standard_12.0-1_amd64.tar.gz",
            "--hostname",
            "pkgtest",
            "--rootfs",
            "local-lvm:2",
            "--net0",
            "name=eth0,bridge=vmbr0,ip=dhcp",
            "--memory",
            "512",
        ],
        vec!["start", &id],
    ] {
        let out = s.tool("pct", &args);
        assert!(out.status.success(), "pct {args:?}: {}", text(&out.stderr));
    }
    in_ct_ok("systemctl is-system-running --wait >/dev/null || true");
    // as `scp … root@pve:` leaves it: in root's home, owned by root
    let file = deb.file_name().unwrap().to_string_lossy().into_owned();
    let out = in_ct(&format!("cat > {file}"), Some(&deb));
    assert!(out.status.success(), "copy: {}", text(&out.stderr));
    say(format!(
        "e2e: CT {DEB_ID} up with {file} in /root after {}",
        secs(t.elapsed())
    ));

    // the README's lines, word for word
    let lines = readme_install_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("apt install ./git-lxc_")),
        "{lines:?}"
    );
    let yes = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(yes.path(), "y\n").unwrap();
    let t = Instant::now();
    let mut outputs = Vec::new();
    for line in &lines {
        outputs.push(in_ct_answering(line, Some(yes.path())));
    }
    say(format!(
        "e2e: the README's install lines took {}",
        secs(t.elapsed())
    ));
    let help = outputs.last().unwrap();
    assert!(
        lines.last().unwrap() == "git lxc --help" && help.contains("git-lxc - Build and rebuild"),
        "`git lxc --help` shows no man page:\n{help}"
    );

    // the package's files and what the binary links
    let listed = in_ct_ok("dpkg -L git-lxc");
    for path in [
        "/usr/bin/git-lxc",
        "/usr/share/man/man1/git-lxc.1.gz",
        "/usr/share/man/man1/git-lxc-doctor.1.gz",
        "/usr/share/bash-completion/completions/git-lxc",
        "/usr/share/zsh/vendor-completions/_git-lxc",
        "/usr/share/fish/vendor_completions.d/git-lxc.fish",
        "/usr/share/doc/git-lxc/copyright",
        "/usr/share/doc/git-lxc/changelog.gz",
    ] {
        assert!(
            listed.lines().any(|l| l == path),
            "{path} not in:\n{listed}"
        );
    }
    let version = in_ct_ok("git lxc --version");
    assert!(
        version.starts_with(&format!("git-lxc {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let man = in_ct_ok("man git-lxc-rebuild | head -5");
    assert!(man.contains("git-lxc-rebuild"), "{man}");

    // git lxc reb<TAB>, through git's own completion
    let completed = in_ct_ok(&format!(
        "LINE='git lxc reb' bash --norc --noprofile -c {}",
        shell_quote(COMPLETE)
    ));
    assert_eq!(
        completed.split_whitespace().collect::<Vec<_>>(),
        ["rebuild"]
    );

    // git lxc verify on a small tree
    let verify = in_ct_ok(
        "set -e; rm -rf tree; git init -q -b main tree; cd tree
         git config user.name t; git config user.email t@example.com
         git lxc init >/dev/null 2>&1
         git lxc new web --os debian >/dev/null 2>&1
         git add -A; git commit -qm web
         git lxc verify 2>&1",
    );
    assert!(verify.contains("verify: 1 container OK"), "{verify}");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
