//! Running `HOOK_*` functions on the host, in bash, as the invoking user
//! (SPEC §3).
//!
//! The hook's bash reads the same files in the same order as the settings
//! evaluation (the same script, in its hook mode), with the settings,
//! `CTID`, `ROOT_PATH`, `ROOT_DIR` and `CTCONF` in its environment. What
//! the files print while they are read again is dropped (the evaluation
//! already reported it); the hook's own output is streamed, masked.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};

use crate::host::process::{Proc, Runner, lines, status_text};
use crate::workspace::rel_to;

/// Where the hook runs, and what it sees.
#[derive(Debug, Clone, Copy)]
pub struct HookEnv<'a> {
    pub root: &'a Path,
    pub dir: &'a Path,
    pub name: &'a str,
    pub ctid: u32,
    pub ctconf: &'a Path,
    /// The settings by plain name (`HOST` included), as environment.
    pub vars: &'a [(String, String)],
}

/// The position of the container's name and root in a hook command's
/// arguments: `-c SCRIPT $0 MODE ROOT NAME DIR`.
const ROOT_ARG: usize = 4;
const NAME_ARG: usize = 5;

/// The command that runs `HOOK_<hook>` (pure: runs nothing).
pub fn hook_proc(env: &HookEnv, hook: &str) -> Proc {
    let mut proc = Proc::local("bash", &["-c", super::SCRIPT, "git-lxc-hook"])
        .arg(format!("hook:{hook}"))
        .arg(env.root.to_string_lossy())
        .arg(env.name)
        .arg(env.dir.to_string_lossy())
        .dir(env.dir);
    for (name, value) in env.vars {
        proc = proc.env(name, value);
    }
    proc.env("CTID", env.ctid.to_string())
        .env("ROOT_PATH", env.dir)
        .env("ROOT_DIR", env.name)
        .env("CTCONF", env.ctconf)
}

/// Run a hook command from [`hook_proc`], handing its output to `on_line`
/// line by line, masked.
pub fn run_hook(
    runner: &Runner,
    proc: &Proc,
    hook: &str,
    on_line: &mut dyn FnMut(&str),
) -> Result<()> {
    run(runner, proc, hook, on_line).map(drop)
}

/// Run `HOOK_customMounts` with `mps` holding `standard` (the folder's own
/// mounts, `--mpN SPEC`) and return every entry of `mps` after it ran.
/// Its output is shown with `--verbose`, and in the error when it fails.
pub fn custom_mounts(runner: &Runner, env: &HookEnv, standard: &[String]) -> Result<Vec<String>> {
    let proc = hook_proc(env, "customMounts").env("__gl_mps", standard.join("\n"));
    let mut said = Vec::new();
    let entries = run(runner, &proc, "customMounts", &mut |line| {
        crate::term::detail(format!("HOOK_customMounts: {line}"));
        said.push(line.to_string());
    })
    .map_err(|e| {
        let mut msg = e.to_string();
        for line in &said {
            msg.push_str("\n    ");
            msg.push_str(line);
        }
        anyhow::anyhow!(msg)
    })?;
    Ok(entries)
}

/// Run the hook; the `M` records it sent back on the results descriptor.
fn run(
    runner: &Runner,
    proc: &Proc,
    hook: &str,
    on_line: &mut dyn FnMut(&str),
) -> Result<Vec<String>> {
    let mut running = runner.spawn(proc)?;
    let mut stdout = running.child.stdout.take().expect("piped");
    let results = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let stderr = running.child.stderr.take().expect("piped");
    for line in lines(stderr) {
        on_line(&crate::term::mask(&runner.masker().mask(&line)));
    }
    let status = running.wait().context("waiting for the hook")?;
    let results = results.join().unwrap_or_default();
    let (defined, entries) = parse_results(&results);
    if !status.success() {
        let arg = |i: usize| proc.args.get(i).map_or("", String::as_str);
        let place = match defined {
            Some((line, file)) => {
                format!(
                    "{} line {line}",
                    rel_to(Path::new(arg(ROOT_ARG)), Path::new(&file))
                )
            }
            None => format!("the settings of {}", arg(NAME_ARG)),
        };
        anyhow::bail!("HOOK_{hook} ({place}) failed ({})", status_text(status));
    }
    Ok(entries)
}

/// Where the hook is defined (`D`: `declare -F` with extdebug prints
/// `NAME LINE FILE`) and the `M` entries.
fn parse_results(out: &[u8]) -> (Option<(usize, String)>, Vec<String>) {
    let text = String::from_utf8_lossy(out);
    let mut fields = text.split('\0');
    let mut defined = None;
    let mut entries = Vec::new();
    while let Some(tag) = fields.next() {
        match tag {
            "D" => {
                let decl = fields.next().unwrap_or("").trim_end();
                let mut parts = decl.splitn(3, ' ');
                let (_, line, file) = (parts.next(), parts.next(), parts.next());
                defined = line
                    .and_then(|l| l.parse().ok())
                    .zip(file.map(str::to_string));
            }
            "M" => entries.extend(fields.next().map(str::to_string)),
            _ => {}
        }
    }
    (defined, entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::mask::Masker;
    use std::sync::Arc;

    fn runner(secret: &str) -> Runner {
        let mut m = Masker::default();
        m.add(secret);
        Runner::new(false, Arc::new(m))
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn hooks_see_settings_and_context_and_fail_by_name() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "defaults", "ZONE=lan\necho noise\n");
        write(
            root,
            "web/configSettings",
            "APP_PORT=8080\n\nHOOK_preBuild() {\n  echo \"$CTID $ROOT_DIR $HOST $APP_PORT $ZONE $CTCONF $PASS\"\n  echo err >&2\n}\nHOOK_postBuild() { false; }\n",
        );
        let dir = root.join("web");
        let vars = vec![
            ("HOST".to_string(), "web.lan".to_string()),
            ("PASS".to_string(), "hunter22".to_string()),
        ];
        let env = HookEnv {
            root,
            dir: &dir,
            name: "web",
            ctid: 120,
            ctconf: Path::new("/etc/pve/lxc/120.conf"),
            vars: &vars,
        };
        let r = runner("hunter22");
        let mut got = Vec::new();
        run_hook(&r, &hook_proc(&env, "preBuild"), "preBuild", &mut |l| {
            got.push(l.to_string())
        })
        .unwrap();
        assert_eq!(
            got,
            [
                "120 web web.lan 8080 lan /etc/pve/lxc/120.conf ********",
                "err"
            ]
        );
        let err =
            run_hook(&r, &hook_proc(&env, "postBuild"), "postBuild", &mut |_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HOOK_postBuild (web/configSettings line 7) failed (exit 1)"
        );
    }

    #[test]
    fn custom_mounts_by_name_or_nameref_on_the_results_descriptor() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "web/configSettings",
            "mps=(stale)\nHOOK_customMounts() {\n  local -n m=$1\n  m+=(\"--mp0 /srv/a,mp=/a\")\n  mps+=(\"--mp1 /srv/b,mp=/b\")\n  echo \"not an entry\"\n}\n",
        );
        let dir = root.join("web");
        let env = HookEnv {
            root,
            dir: &dir,
            name: "web",
            ctid: 120,
            ctconf: Path::new("/tmp/120.conf"),
            vars: &[],
        };
        let entries = custom_mounts(&runner("unused-secret"), &env, &[]).unwrap();
        assert_eq!(entries, ["--mp0 /srv/a,mp=/a", "--mp1 /srv/b,mp=/b"]);
        // The original's way: mps already holds the folder's mounts, and
        // the hook numbers its own by the array's length.
        write(
            root,
            "web/configSettings",
            "HOOK_customMounts() {\n  mps+=(\"--mp${#mps[@]} /srv/m,mp=/m\")\n}\n",
        );
        let standard = [
            "--mp0 /t/bin,mp=/usr/local/sbin,ro=1",
            "--mp1 /t/data,mp=/usr/local/data",
        ]
        .map(String::from);
        let entries = custom_mounts(&runner("unused-secret"), &env, &standard).unwrap();
        assert_eq!(entries[..2], standard);
        assert_eq!(entries[2], "--mp2 /srv/m,mp=/m");
        write(
            root,
            "web/configSettings",
            "HOOK_customMounts() { echo why; return 3; }\n",
        );
        let err = custom_mounts(&runner("unused-secret"), &env, &[]).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("HOOK_customMounts (web/configSettings line 1) failed (exit 3)"),
            "{text}"
        );
        assert!(text.ends_with("\n    why"), "{text}");
    }

    #[test]
    fn custom_mapping_edits_the_copy_through_sudo_and_the_original_path() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "web/configSettings",
            "HOOK_customMapping() {\n  sudo sed -i '$a lxc.cgroup2.devices.allow: c 188:* rwm' /etc/pve/lxc/$CTID.conf\n  sudo -n bash -c \"echo lxc.apparmor.profile: unconfined >> /etc/pve/lxc/$CTID.conf\"\n}\n",
        );
        let dir = root.join("web");
        let copy = root.join("120.conf");
        std::fs::write(&copy, "arch: amd64\n").unwrap();
        let env = HookEnv {
            root,
            dir: &dir,
            name: "web",
            ctid: 120,
            ctconf: &copy,
            vars: &[],
        };
        let proc = hook_proc(&env, "customMapping");
        run_hook(
            &runner("unused-secret"),
            &proc,
            "customMapping",
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&copy).unwrap(),
            "arch: amd64\nlxc.cgroup2.devices.allow: c 188:* rwm\nlxc.apparmor.profile: unconfined\n"
        );
    }

    #[test]
    fn hooks_see_a_sudo_function_that_can_run_without_sudo() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "web/configSettings",
            "HOOK_preBuild() {\n  [ \"$(type -t sudo)\" = function ]\n  __gl_unsudo -n -E -u root -- touch \"$ROOT_PATH/unsudo\"\n  if [ \"$EUID\" = 0 ] && ! type -P sudo >/dev/null; then sudo -n touch \"$ROOT_PATH/sudo\"; else touch \"$ROOT_PATH/sudo\"; fi\n}\n",
        );
        let dir = root.join("web");
        let env = HookEnv {
            root,
            dir: &dir,
            name: "web",
            ctid: 120,
            ctconf: Path::new("/etc/pve/lxc/120.conf"),
            vars: &[],
        };
        let proc = hook_proc(&env, "preBuild");
        run_hook(&runner("unused-secret"), &proc, "preBuild", &mut |_| {}).unwrap();
        assert!(dir.join("unsudo").exists() && dir.join("sudo").exists());
    }
}
