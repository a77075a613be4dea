//! Running `HOOK_*` functions on the host, in bash, as the invoking user.
//!
//! The hook's bash sources the same files in the same order as the settings
//! evaluation, with the settings, `CTID`, `ROOT_PATH`, `ROOT_DIR` and `CTCONF`
//! in its environment.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::bash::clean_env;
use crate::settings::Settings;

const RUNNER: &str = r#"
__gl_root=$1 __gl_dir=$2 __gl_hook=$3 __gl_out=$4
cd "$__gl_dir" || exit 1
for __gl_f in "$__gl_root/defaults" "$__gl_root/.env" "$__gl_dir/.env" "$__gl_dir/configSettings"; do
    [ -f "$__gl_f" ] && . "$__gl_f" </dev/null
done
if [ "$__gl_hook" = customMounts ]; then
    declare -a __gl_mounts=()
    HOOK_customMounts __gl_mounts
    __gl_rc=$?
    [ "$__gl_rc" -eq 0 ] && printf '%s\0' "${__gl_mounts[@]}" > "$__gl_out"
    exit "$__gl_rc"
fi
"HOOK_$__gl_hook"
"#;

/// Where the hook runs.
pub struct HookEnv<'a> {
    pub root: &'a Path,
    pub dir: &'a Path,
    pub name: &'a str,
    pub ctid: u32,
    pub ctconf: &'a Path,
    pub settings: &'a Settings,
}

/// Run `HOOK_<hook>`, streaming its output to `on_line`; for customMounts,
/// return the entries it appended.
pub fn run(env: &HookEnv, hook: &str, on_line: &mut dyn FnMut(&str)) -> Result<Vec<String>> {
    let out_file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let mut cmd = Command::new("bash");
    clean_env(&mut cmd);
    for (name, value) in env.settings.all() {
        cmd.env(name, value);
    }
    cmd.env("HOST", env.settings.hostname())
        .env("CTID", env.ctid.to_string())
        .env("ROOT_PATH", env.dir)
        .env("ROOT_DIR", env.name)
        .env("CTCONF", env.ctconf)
        .arg("-c")
        .arg(RUNNER)
        .arg("git-lxc-hook")
        .arg(env.root)
        .arg(env.dir)
        .arg(hook)
        .arg(out_file.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().context("cannot run bash for the hook")?;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let mut readers = Vec::new();
    let out: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().expect("piped"));
    let err: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().expect("piped"));
    for pipe in [out, err] {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        }));
    }
    drop(tx);
    for line in rx {
        on_line(&line);
    }
    let status = child.wait().context("waiting for the hook")?;
    for r in readers {
        let _ = r.join();
    }
    if !status.success() {
        anyhow::bail!(
            "HOOK_{hook} in {}/configSettings failed ({})",
            env.name,
            crate::host::status_text(status)
        );
    }
    let raw = std::fs::read(out_file.path()).unwrap_or_default();
    Ok(String::from_utf8_lossy(&raw)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}
