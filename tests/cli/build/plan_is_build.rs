//! The plan is the build: for every container of the example tree and of a
//! tree covering Alpine and Debian, MAP=1, both mount and mapping hooks,
//! CHECKTEMPLATE=1 and REBOOT=0/1, the host-changing commands `plan --json`
//! lists are exactly, in order and with the same arguments, the ones
//! `build` and then `rebuild` run. Checked as root and through sudo.

use std::path::Path;

use serde_json::Value;

use super::setup;
use crate::fakes;
use crate::support::{Env, stderr_of, stdout_of};

/// How git-lxc reaches the host tools in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Root,
    /// `lxc.sudo=true` with fake tools that refuse to run unless started by
    /// the fake `sudo`, as for an admin who is not root.
    Sudo,
}

fn use_sudo(env: &Env) {
    env.git(&["config", "lxc.sudo", "true"]);
    let cfg = serde_json::json!({ "state": env.state, "root": false });
    std::fs::write(env.bin.join("fakehost.json"), cfg.to_string()).unwrap();
}

/// A description argument, reduced to the state its record line names.
fn normalise(argv: &[String]) -> Vec<String> {
    let mut argv = argv.to_vec();
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
    argv
}

/// Every command of `plan --json` but fallbacks: (argv, changes the host).
fn planned(env: &Env, name: &str) -> Vec<(Vec<String>, bool)> {
    let out = fakes::lxc(env)
        .args(["plan", name, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "plan {name}: {}", stderr_of(&out));
    let plan: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let mut commands = Vec::new();
    for step in plan["steps"].as_array().unwrap() {
        for c in step["commands"].as_array().unwrap() {
            let argv: Vec<String> = c["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            // A fallback (`pct stop` after a failed shutdown) runs only
            // when the command before it failed.
            if c["fallback"].as_bool().unwrap() {
                continue;
            }
            commands.push((normalise(&argv), c["changes_host"].as_bool().unwrap()));
        }
    }
    assert!(!commands.is_empty(), "plan {name} has no commands");
    commands
}

/// Whether `actual` is what `planned` shows, a masked secret (`********`,
/// as plan prints `.env` values) standing for any text.
fn unmasked(planned: &str, actual: &str) -> bool {
    const MASK: &str = "********";
    if !planned.contains(MASK) {
        return planned == actual;
    }
    let parts: Vec<&str> = planned.split(MASK).collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if actual.len() < first.len() + last.len()
        || !actual.starts_with(first)
        || !actual.ends_with(last)
    {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The host-changing calls of the Proxmox tools, as the fakes logged them.
fn changing_calls(env: &Env) -> Vec<Vec<String>> {
    fakes::calls(env)
        .into_iter()
        .filter(|c| c.changes_host())
        .map(|c| {
            let mut argv = vec![c.prog.clone()];
            argv.extend(c.argv);
            normalise(&argv)
        })
        .collect()
}

/// The commands the last build log says were run (`$ …` lines).
fn logged_commands(env: &Env, name: &str) -> Vec<String> {
    let dir = env.path(".git/lxc/logs").join(name);
    let mut logs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    logs.sort();
    let text = std::fs::read_to_string(logs.last().unwrap()).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .map(|l| l.strip_prefix("sudo ").unwrap_or(l).to_string())
        .collect()
}

/// Plan, then run `args`; the planned host changes are the ones made.
fn plan_then_run(env: &Env, name: &str, args: &[&str], via: Via, expect: &[&str]) {
    let plan = planned(env, name);
    // The tree really has what this test is about.
    let all: Vec<String> = plan.iter().map(|(a, _)| a.join(" ")).collect();
    for want in expect {
        let (absent, want) = match want.strip_prefix('!') {
            Some(w) => (true, w),
            None => (false, *want),
        };
        assert_eq!(
            all.iter().any(|c| c.contains(want)),
            !absent,
            "{name}: `{want}` in the plan: {all:#?}"
        );
    }
    let tools: Vec<Vec<String>> = plan
        .iter()
        .filter(|(argv, changes)| {
            *changes && ["pct", "pveam", "pvesh", "vzdump", "pvesm"].contains(&argv[0].as_str())
        })
        .map(|(argv, _)| argv.clone())
        .collect();
    assert!(
        tools.iter().any(|a| a[1] == "create"),
        "{name}: no pct create in {tools:?}"
    );
    fakes::clear_calls(env);
    let out = fakes::lxc(env).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    let made = changing_calls(env);
    assert!(
        made.len() == tools.len()
            && made
                .iter()
                .zip(&tools)
                .all(|(m, t)| m.len() == t.len() && m.iter().zip(t).all(|(a, p)| unmasked(p, a))),
        "{name} ({via:?}): {args:?}\nplanned: {tools:#?}\nmade: {made:#?}"
    );
    if via == Via::Sudo {
        let calls = fakes::calls(env);
        assert!(
            calls
                .iter()
                .filter(|c| c.prog != "sudo")
                .all(|c| c.via_sudo),
            "a host call bypassed sudo"
        );
    }
    // Every planned command other than a hook ran, in order, by the log
    // (this covers tee, chown and mkdir, which the fakes do not log).
    let log = logged_commands(env, name);
    let mut at = 0;
    for (argv, changes) in plan.iter().filter(|(a, c)| *c && a[0] != "bash") {
        let first = argv[..argv.len().min(4)].join(" ");
        let found = log[at..].iter().position(|l| l.starts_with(&first));
        assert!(
            found.is_some(),
            "{name}: planned `{first}` (changes: {changes}) not run after {at}:\n{log:#?}"
        );
        at += found.unwrap() + 1;
    }
}

/// Alpine with MAP=1, both hooks and the default reboot; Debian with
/// CHECKTEMPLATE=1 (a newer template is downloaded) and REBOOT=0.
fn hook_tree(env: &Env) {
    let media = env.tmp.path().canonicalize().unwrap().join("media");
    std::fs::create_dir_all(&media).unwrap();
    for (f, line) in [
        ("subuid", "root:100000:65536\n"),
        ("subgid", "root:100000:65536\n"),
    ] {
        std::fs::write(fakes::subid_dir(env).join(f), line).unwrap();
    }
    env.write(
        "alp/configSettings",
        &format!(
            "OPT_MAP=1\nOPT_CTID=120\nHOOK_customMounts() {{\n    mps+=(\"--mp4 {},mp=/media\")\n}}\nHOOK_customMapping() {{\n    echo 'lxc.cgroup2.devices.allow: c 189:* rwm' >> \"$CTCONF\"\n}}\n",
            media.display()
        ),
    );
    env.write("alp/build-target.sh", "#!/bin/bash\necho alp\n");
    env.write("alp/conf/app.conf", "x=1\n");
    env.write(
        "deb/configSettings",
        "OPT_OSTYPE=debian\nOPT_CHECKTEMPLATE=1\nOPT_REBOOT=0\nOPT_NET=10.1.2.3/24\nOPT_CTID=121\n",
    );
    env.write("deb/build-target.sh", "#!/bin/bash\necho deb\n");
    env.commit("hook tree");
}

/// The repository's example tree, with the host folder its wiki mounts.
fn example_tree(env: &Env) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/homelab");
    copy_dir(&example, &env.repo);
    let backup = env.tmp.path().canonicalize().unwrap().join("backup");
    std::fs::create_dir_all(&backup).unwrap();
    env.write(
        "wiki/.env",
        &format!(
            "BACKUP_DIR={}\nWIKI_ADMIN_PASSWORD=s3cret-wiki\n",
            backup.display()
        ),
    );
    env.commit("example tree");
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Each container with the commands its first plan must (or, with `!`,
/// must not) hold.
type Expect<'a> = &'a [(&'a str, &'a [&'a str])];

fn check_tree(make: fn(&Env), containers: Expect, via: Via) {
    let env = setup();
    if via == Via::Sudo {
        use_sudo(&env);
    }
    make(&env);
    for (name, expect) in containers {
        plan_then_run(&env, name, &["build", name], via, expect);
        plan_then_run(
            &env,
            name,
            &["rebuild", name, "--yes"],
            via,
            &["pct destroy"],
        );
    }
}

const HOOK_TREE: Expect = &[
    (
        "alp",
        &[
            "--ostype alpine",
            "apk add --no-cache bash",
            "tee -a",
            "lxc/120.conf",
            ",mp=/media",
            "git-lxc-hook",
            "pct reboot 120",
        ],
    ),
    (
        "deb",
        &[
            "--ostype debian",
            "pveam update",
            "pveam download local debian-13",
            "!pct reboot",
            "!apk add",
        ],
    ),
];

const EXAMPLE_TREE: Expect = &[
    (
        "dns",
        &["pveam update", "ip=192.168.1.53/24", "git-lxc-hook"],
    ),
    ("wiki", &["--ostype debian", "mp=/backup", "pct reboot 160"]),
];

#[test]
fn plan_is_build_for_alpine_debian_map_hooks_checktemplate_reboot() {
    check_tree(hook_tree, HOOK_TREE, Via::Root);
}

#[test]
fn plan_is_build_through_sudo() {
    check_tree(hook_tree, HOOK_TREE, Via::Sudo);
}

#[test]
fn plan_is_build_for_the_example_tree() {
    check_tree(example_tree, EXAMPLE_TREE, Via::Root);
}

#[test]
fn plan_is_build_for_the_example_tree_through_sudo() {
    check_tree(example_tree, EXAMPLE_TREE, Via::Sudo);
}
