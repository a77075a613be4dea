//! The fake Proxmox host tools (tests/fakes/fakehost.py, the file backend of
//! the package tests/pve) installed into an [`Env`]: links in its private bin
//! folder, `fakehost.json` naming the state folder, local templates; readers
//! for what the fakes logged; and the fakes' own self-test.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::support::Env;

pub const ALPINE: &str = "alpine-3.22-default_20250617_amd64.tar.xz";
pub const DEBIAN: &str = "debian-12-standard_12.7-1_amd64.tar.zst";
/// Only in `pveam available`, not local.
pub const DEBIAN_NEXT: &str = "debian-13-standard_13.1-1_amd64.tar.zst";

/// Commands that change the host; every guard must stop before any of them.
pub const CHANGING: &[&str] = &[
    "create", "destroy", "start", "stop", "shutdown", "set", "exec", "reboot", "download",
    "update", "restore", "unlock", "resize", "free", "remove",
];

/// The tools the fakes play, each a link to tests/fakes/fakehost.py.
pub const TOOLS: &[&str] = &[
    "pct", "pveam", "pvesh", "pvesm", "vzdump", "sudo", "lxc-info", "lxc-ls",
];

/// Link the fakes into `env.bin`, point them at `env.state`, and put an
/// Alpine and a Debian template into storage `local`.
pub fn install(env: &Env) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes/fakehost.py");
    for tool in TOOLS {
        std::os::unix::fs::symlink(&script, env.bin.join(tool)).unwrap();
    }
    let cfg = serde_json::json!({ "state": env.state });
    std::fs::write(env.bin.join("fakehost.json"), cfg.to_string()).unwrap();
    let templates = env.state.join("templates/local");
    std::fs::create_dir_all(&templates).unwrap();
    for t in [ALPINE, DEBIAN] {
        std::fs::write(templates.join(t), "").unwrap();
    }
    // `pveam available`: what CHECKTEMPLATE=1 may download (Debian 13 is
    // newer than the local Debian 12).
    std::fs::write(
        env.state.join("available.txt"),
        format!("system {ALPINE} amd64\nsystem {DEBIAN} amd64\nsystem {DEBIAN_NEXT} amd64\n"),
    )
    .unwrap();
    std::fs::create_dir_all(subid_dir(env)).unwrap();
    std::fs::create_dir_all(env.state.join("locks")).unwrap();
}

/// Where MAP=1 adds its subuid/subgid lines in tests (never the real /etc).
pub fn subid_dir(env: &Env) -> PathBuf {
    env.tmp.path().join("etc")
}

/// The variables git-lxc gets with the fakes: short IP wait, private
/// subid files and build locks.
fn fake_env(env: &Env) -> [(&'static str, PathBuf); 3] {
    [
        ("GIT_LXC_IP_TIMEOUT", PathBuf::from("1")),
        ("GIT_LXC_LOCK_DIR", env.state.join("locks")),
        ("GIT_LXC_SUBID_DIR", subid_dir(env)),
    ]
}

/// git-lxc with the fakes' environment.
pub fn lxc(env: &Env) -> Command {
    Command::from_std(lxc_std(env))
}

/// [`lxc`] as a plain `std` command (to spawn and signal it).
pub fn lxc_std(env: &Env) -> std::process::Command {
    let mut cmd = env.lxc_std();
    cmd.envs(fake_env(env));
    cmd
}

/// One logged call.
#[derive(Debug, Clone)]
pub struct Call {
    pub prog: String,
    pub argv: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub via_sudo: bool,
    pub stdin_file: Option<PathBuf>,
}

impl Call {
    /// `prog argv…` on one line.
    pub fn line(&self) -> String {
        let mut parts = vec![self.prog.clone()];
        parts.extend(self.argv.iter().cloned());
        parts.join(" ")
    }

    /// Whether the call changes the host (as opposed to a read).
    pub fn changes_host(&self) -> bool {
        match self.prog.as_str() {
            "vzdump" => true,
            "pct" | "pveam" | "pvesh" | "pvesm" => self
                .argv
                .first()
                .is_some_and(|c| CHANGING.contains(&c.as_str())),
            _ => false,
        }
    }

    pub fn stdin(&self) -> Option<String> {
        self.stdin_file
            .as_ref()
            .map(|p| std::fs::read_to_string(p).unwrap())
    }
}

/// Every call the fakes logged, in order.
pub fn calls(env: &Env) -> Vec<Call> {
    let text = std::fs::read_to_string(env.state.join("calls.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Call {
                prog: v["prog"].as_str().unwrap().to_string(),
                argv: v["argv"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect(),
                env: v["env"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
                via_sudo: v["via_sudo"].as_bool().unwrap_or(false),
                stdin_file: v["stdin_file"].as_str().map(PathBuf::from),
            }
        })
        .collect()
}

/// The calls as `prog argv…` lines, with the (long) description value of
/// `pct create`/`pct set` shortened to its machine line's state.
pub fn call_lines(env: &Env) -> Vec<String> {
    calls(env)
        .iter()
        .map(|c| {
            let mut argv = c.argv.clone();
            if let Some(i) = argv.iter().position(|a| a == "--description")
                && let Some(d) = argv.get_mut(i + 1)
            {
                let state = d
                    .split_whitespace()
                    .find_map(|t| t.strip_prefix("state="))
                    .unwrap_or("?")
                    .to_string();
                *d = format!("<state={state}>");
            }
            let mut parts = vec![c.prog.clone()];
            parts.extend(argv);
            parts.join(" ")
        })
        .collect()
}

/// Forget the calls logged so far.
pub fn clear_calls(env: &Env) {
    let _ = std::fs::remove_file(env.state.join("calls.jsonl"));
}

/// The host-changing calls logged so far.
pub fn changing_calls(env: &Env) -> Vec<String> {
    calls(env)
        .iter()
        .filter(|c| c.changes_host())
        .map(Call::line)
        .collect()
}

/// `secret` is nowhere a secret must not go (SPEC §7): on a host call's
/// command line or in its environment, in a container's config or
/// description, in a build log, or in `shown` (what the runs printed).
/// Panics naming the place. (The provisioning script on stdin is where it
/// belongs, so stdin is not looked at.)
#[track_caller]
pub fn assert_nowhere(env: &Env, secret: &str, shown: &str) {
    assert!(!shown.contains(secret), "printed:\n{shown}");
    for c in calls(env) {
        assert!(
            !c.line().contains(secret),
            "on a command line: {}",
            c.line()
        );
        for (k, v) in &c.env {
            assert!(
                !k.contains(secret) && !v.contains(secret),
                "in the environment of `{}`: {k}",
                c.line()
            );
        }
    }
    let confs = std::fs::read_dir(env.state.join("pve/lxc"))
        .into_iter()
        .flatten();
    for conf in confs.flatten() {
        let text = std::fs::read_to_string(conf.path()).unwrap();
        assert!(
            !text.contains(secret) && !percent_decode(&text).contains(secret),
            "in {}:\n{text}",
            conf.path().display()
        );
    }
    let logs = env.repo.join(".git/lxc/logs");
    for file in walkdir::WalkDir::new(logs).into_iter().flatten() {
        if file.file_type().is_file() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            assert!(
                !text.contains(secret),
                "in {}:\n{text}",
                file.path().display()
            );
        }
    }
}

/// Write `rules.json` (failure injection).
pub fn rules(env: &Env, rules: Value) {
    std::fs::write(env.state.join("rules.json"), rules.to_string()).unwrap();
}

/// A container config file as the fake keeps it.
pub fn conf(env: &Env, ctid: u32) -> Option<String> {
    std::fs::read_to_string(env.state.join(format!("pve/lxc/{ctid}.conf"))).ok()
}

/// The decoded description of a container (`#` lines, percent-decoded).
pub fn description(env: &Env, ctid: u32) -> Option<String> {
    let text = conf(env, ctid)?;
    let mut out = String::new();
    for line in text.lines() {
        if let Some(enc) = line.strip_prefix('#') {
            out.push_str(&percent_decode(enc));
            out.push('\n');
        }
    }
    Some(out)
}

/// The `git-lxc:` machine line of a container's description.
pub fn record_line(env: &Env, ctid: u32) -> Option<String> {
    description(env, ctid)?
        .lines()
        .find(|l| l.starts_with("git-lxc:"))
        .map(str::to_string)
}

/// `key: value` of a container config (first section).
pub fn conf_value(env: &Env, ctid: u32, key: &str) -> Option<String> {
    conf(env, ctid)?
        .lines()
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix(&format!("{key}: ")).map(str::to_string))
}

/// Create a container on the fake host with its own `pct` (as an admin
/// would by hand), with `description` (which may carry a record) and
/// running or not. The calls are taken out of the log again.
pub fn put_container(env: &Env, ctid: u32, hostname: &str, description: &str, running: bool) {
    let id = ctid.to_string();
    let volid = format!("local:vztmpl/{ALPINE}");
    let mut create = vec![
        "create",
        &id,
        &volid,
        "--hostname",
        hostname,
        "--rootfs",
        "local-lvm:1",
    ];
    if !description.is_empty() {
        create.extend(["--description", description]);
    }
    let before = std::fs::read_to_string(env.state.join("calls.jsonl")).unwrap_or_default();
    fake_pct(env, &create);
    if running {
        fake_pct(env, &["start", &id]);
    }
    std::fs::write(env.state.join("calls.jsonl"), before).unwrap();
}

/// Run the fake `pct` directly (not through git-lxc).
pub fn fake_pct(env: &Env, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env.bin.join("pct"))
        .args(args)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", env.bin.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fake pct {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a container exists on the fake host.
pub fn exists(env: &Env, ctid: u32) -> bool {
    env.state.join(format!("pve/lxc/{ctid}.conf")).exists()
}

pub fn running(env: &Env, ctid: u32) -> bool {
    env.state.join(format!("running/{ctid}")).exists()
}

/// tests/fakes/selftest.sh: the shared CLI and the file backend behave as
/// reference/pct.md says (pct, pveam, pvesh, pvesm, vzdump, restore, sudo,
/// lxc-info, lxc-ls, rules, call log).
#[test]
fn fakes_selftest_passes() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes/selftest.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "selftest failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let passed: u32 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("selftest: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    assert!(passed > 100, "only {passed} checks ran:\n{stdout}");
}
