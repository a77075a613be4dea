//! Running `HOOK_*` functions on the host, in bash, as the invoking user.
//!
//! The hook's bash sources the same files in the same order as the settings
//! evaluation, with the settings, `CTID`, `ROOT_PATH`, `ROOT_DIR` and `CTCONF`
//! in its environment.

use std::path::Path;

use anyhow::{Result, bail};

use crate::host::process::{Proc, Runner, status_text};

const RUNNER: &str = r#"
exec 9>&1 1>&2
__gl_root=$1 __gl_dir=$2 __gl_hook=$3
cd "$__gl_dir" || exit 1
for __gl_f in "$__gl_root/defaults" "$__gl_root/.env" "$__gl_dir/.env" "$__gl_dir/configSettings"; do
    [ -f "$__gl_f" ] && . "$__gl_f" </dev/null
done
if [ "$__gl_hook" = customMounts ]; then
    declare -ga mps=()
    HOOK_customMounts mps
    __gl_rc=$?
    [ "$__gl_rc" -eq 0 ] && printf '%s\0' "${mps[@]}" >&9
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
    /// The settings by plain name (HOST included).
    pub vars: &'a [(String, String)],
}

/// The command that runs `HOOK_<hook>` (builds it; runs nothing).
pub fn hook_proc(env: &HookEnv, hook: &str) -> Proc {
    let mut proc = Proc::local("bash", &["-c", RUNNER, "git-lxc-hook"])
        .arg(env.root.to_string_lossy())
        .arg(env.dir.to_string_lossy())
        .arg(hook);
    for (name, value) in env.vars {
        proc = proc.env(name, value);
    }
    proc.env("CTID", env.ctid.to_string())
        .env("ROOT_PATH", env.dir)
        .env("ROOT_DIR", env.name)
        .env("CTCONF", env.ctconf)
}

fn failed(hook: &str, proc: &Proc, status: std::process::ExitStatus) -> anyhow::Error {
    let dir = proc
        .env
        .iter()
        .find(|(k, _)| k == "ROOT_DIR")
        .map(|(_, v)| v.to_string_lossy().into_owned())
        .unwrap_or_default();
    anyhow::anyhow!(
        "HOOK_{hook} in {dir}/configSettings failed ({})",
        status_text(status)
    )
}

/// Run a hook, streaming its (masked) output lines to `on_line`.
pub fn run_hook(
    runner: &Runner,
    proc: &Proc,
    hook: &str,
    on_line: &mut dyn FnMut(&str),
) -> Result<()> {
    let status = runner.stream(proc, on_line)?;
    if !status.success() {
        return Err(failed(hook, proc, status));
    }
    Ok(())
}

/// Run `HOOK_customMounts mps` and return the entries it left in `mps`.
pub fn custom_mounts(runner: &Runner, env: &HookEnv) -> Result<Vec<String>> {
    let proc = hook_proc(env, "customMounts");
    let out = runner.output(&proc)?;
    for line in out.stderr.lines() {
        crate::term::info(format!("    {}", runner.masker().mask(line)));
    }
    if !out.status.success() {
        bail!(failed("customMounts", &proc, out.status));
    }
    Ok(out
        .stdout
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}
