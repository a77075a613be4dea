//! `plan` without a Proxmox VE host: where `pct` is not found, the plan is
//! made from the tree alone and marks what the host decides; `build` still
//! fails, before any host call.

use std::path::{Path, PathBuf};

use serde_json::Value;
use snapbox::str;

use crate::fakes;
use crate::support::{Env, GITIGNORE, stderr_of, stdout_of};

/// In `pihole/.env`; nothing may show it.
const SECRET: &str = "hunter2-offline";

/// A committed pihole folder: Debian 12, 256 MB, a secret in `.env`, and a
/// mount hook naming a folder only the host has. Host commands run
/// without sudo (so only PATH decides whether `pct` is found).
fn pihole() -> Env {
    let env = Env::new();
    env.write(".gitignore", GITIGNORE);
    env.write(
        "pihole/configSettings",
        "OPT_APP='Pi-hole'\nOPT_OSTYPE=debian\nOPT_OSVERSION=12\nOPT_RAM=256\n\
         HOOK_customMounts() {\n  local -n m=$1\n  m+=(\"/srv/host-only/dns,mp=/etc/dnsmasq.d\")\n}\n",
    );
    env.write(
        "pihole/build-target.sh",
        "#!/bin/bash\necho \"$WEBPASSWORD\" >/dev/null\n",
    );
    env.commit("pihole");
    env.write("pihole/.env", &format!("WEBPASSWORD={SECRET}\n"));
    env.git(&["config", "lxc.sudo", "false"]);
    assert!(
        !Path::new("/srv/host-only/dns").exists(),
        "the test needs a machine without /srv/host-only/dns"
    );
    env
}

/// A bin folder holding only git and bash, as a laptop with a clone has
/// them (no Proxmox tool at all).
fn git_and_bash(env: &Env) -> String {
    let bin = env.tmp.path().join("tools");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["git", "bash"] {
        std::os::unix::fs::symlink(which(tool), bin.join(tool)).unwrap();
    }
    let path = bin.display().to_string();
    assert_no_pct(&path);
    path
}

/// Where `tool` is on the test's own PATH.
fn which(tool: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no {tool} on PATH"))
}

#[track_caller]
fn assert_no_pct(path: &str) {
    for dir in std::env::split_paths(path) {
        assert!(!dir.join("pct").exists(), "{} has a pct", dir.display());
    }
}

/// The fakes of every host tool but `pct` on PATH: a call to any of them
/// is logged, so a plan or build that reached for the host would show.
fn tripwires(env: &Env) -> String {
    fakes::install(env);
    std::fs::remove_file(env.bin.join("pct")).unwrap();
    let path = format!("{}:/usr/bin:/bin", env.bin.display());
    assert_no_pct(&path);
    // The tripwires log: a call shows in the log.
    let logged = std::process::Command::new(env.bin.join("pveam"))
        .args(["list", "local"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(logged.status.success(), "{}", stderr_of(&logged));
    assert_eq!(fakes::call_lines(env), ["pveam list local"]);
    fakes::clear_calls(env);
    path
}

#[track_caller]
fn no_secret(out: &std::process::Output) {
    for text in [stdout_of(out), stderr_of(out)] {
        assert!(!text.contains(SECRET), "the secret is shown:\n{text}");
    }
}

#[test]
fn plan_without_pct_shows_every_command_and_marks_what_the_host_decides() {
    let env = pihole();
    let path = git_and_bash(&env);
    let ran = env
        .run(env.lxc().args(["plan", "pihole"]).env("PATH", &path))
        .code(0);
    no_secret(&ran.out);
    let stdout = stdout_of(&ran.out);
    let create = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("pct create "))
        .unwrap_or_else(|| panic!("no pct create line:\n{stdout}"));
    for option in [
        "--hostname pihole",
        "--ostype debian",
        "--memory 256",
        "--mp1 /srv/host-only/dns,mp=/etc/dnsmasq.d",
    ] {
        assert!(create.contains(option), "{option} missing: {create}");
    }
    ran.stdout(str![[r#"
Plan for pihole → CT <CTID> (decided by the host), commit [HASH]
Planned without a Proxmox VE host; the host decides:
  <CTID>: the container this folder built before, else the next free id (`pvesh get /cluster/nextid`) that no other folder's OPT_CTID takes
  local:vztmpl/<newest debian-12 template>: the newest debian-12 template in storage local (`pveam list local`)
  whether CT <CTID> exists: if so, a rebuild first shuts it down, backs it up to local and destroys it (`build` refuses, and so does a rebuild if git-lxc did not build it)
  the tree's paths, the SSH keys and /etc/subuid, /etc/subgid: read on this machine here, the host's may differ
Not checked without the host: the storages, the bridge and the mount sources (`git lxc doctor` checks them on the host)
HOOK_customMounts (run now, on this host, as you) adds: /srv/host-only/dns,mp=/etc/dnsmasq.d
  1. create [ROOT]/repo/pihole/data
       mkdir -p -- [ROOT]/repo/pihole/data
  2. give data/ to the container's root (host uid 100000)
       chown 100000:100000 -- [ROOT]/repo/pihole/data
  3. create CT <CTID>
       pct create '<CTID>' 'local:vztmpl/<newest debian-12 template>' --hostname pihole --ostype debian --cores 1 --memory 256 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/pihole/data,mp=/usr/local/data --mp1 /srv/host-only/dns,mp=/etc/dnsmasq.d --description '## Pi-hole…git-lxc: name=pihole tree=[HASH]:. commit=[HASH] state=building os=debian-12'
  4. start CT <CTID>
       pct start '<CTID>'
  5. wait for the network
       lxc-info -n '<CTID>' -iH   (every 0.5 s until an IPv4 address shows, at most 60 s)
  6. run the provisioning script
       pct exec '<CTID>' --keep-env 0 -- bash -s < (script)
  7. reboot CT <CTID>
       pct reboot '<CTID>'
  8. wait for the network
       lxc-info -n '<CTID>' -iH   (every 0.5 s until an IPv4 address shows, at most 60 s)
  9. record state built and protect it
       pct set '<CTID>' --description '## Pi-hole…git-lxc: name=pihole tree=[HASH]:. commit=[HASH] state=built os=debian-12' --protection 1
Provisioning script (piped to bash inside the container, never written to disk):
       context variables: WEBPASSWORD
       settings: 37 values
       helper functions: package, persist, addAccount, enableService (isdebian set)
       build script: build-target.sh (2 lines)

"#]])
        .stderr(str![[r#"
note: no Proxmox VE host here (`pct` was not found): planned from the tree alone; what the host decides is marked in the plan

"#]]);
}

#[test]
fn plan_without_pct_uses_opt_ctid_and_reads_no_host_tool() {
    let env = pihole();
    env.write(
        "pihole/configSettings",
        &format!("{}OPT_CTID=120\n", env.read("pihole/configSettings")),
    );
    env.commit("CT 120");
    let path = tripwires(&env);
    let out = env
        .lxc()
        .args(["plan", "pihole"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    no_secret(&out);
    let stdout = stdout_of(&out);
    assert!(
        stdout.starts_with("Plan for pihole → CT 120 (set by OPT_CTID), commit "),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "pct create 120 'local:vztmpl/<newest debian-12 template>' --hostname pihole"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("  whether CT 120 exists: "), "{stdout}");
    assert!(!stdout.contains("<CTID>"), "{stdout}");
    assert_eq!(fakes::call_lines(&env), Vec::<String>::new());
}

#[test]
fn plan_json_without_pct_marks_what_the_host_decides() {
    let env = pihole();
    let path = git_and_bash(&env);
    let out = env
        .lxc()
        .args(["plan", "pihole", "--json"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    no_secret(&out);
    let plan: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(plan["ctid"], Value::Null);
    assert_eq!(plan["offline"], Value::Bool(true));
    let stand_ins: Vec<Value> = plan["host_decides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["stand_in"].clone())
        .collect();
    assert_eq!(
        stand_ins,
        [
            Value::from("<CTID>"),
            Value::from("local:vztmpl/<newest debian-12 template>"),
            Value::Null,
            Value::Null
        ]
    );
    assert!(plan["not_checked"].as_str().unwrap().contains("storages"));
    let argvs: Vec<Vec<&str>> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["commands"].as_array().unwrap())
        .map(|c| {
            c["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect()
        })
        .collect();
    let create = argvs
        .iter()
        .find(|a| a[..2] == ["pct", "create"])
        .expect("a pct create command");
    assert_eq!(
        create[2..4],
        ["<CTID>", "local:vztmpl/<newest debian-12 template>"]
    );
    assert!(
        create.windows(2).any(|w| w == ["--memory", "256"]),
        "{create:?}"
    );
}

#[test]
fn rebuild_dry_run_without_pct_prints_the_same_plan() {
    let env = pihole();
    let path = git_and_bash(&env);
    let plan = env
        .lxc()
        .args(["plan", "pihole"])
        .env("PATH", &path)
        .output()
        .unwrap();
    let dry_run = env
        .lxc()
        .args(["rebuild", "pihole", "--dry-run"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(dry_run.status.success(), "{}", stderr_of(&dry_run));
    assert!(stdout_of(&dry_run).contains("pct create '<CTID>' "));
    assert_eq!(stdout_of(&dry_run), stdout_of(&plan));
}

#[test]
fn build_without_pct_fails_before_any_host_call() {
    let env = pihole();
    let path = tripwires(&env);
    for args in [&["build", "pihole"][..], &["rebuild", "pihole", "--yes"]] {
        env.run(env.lxc().args(args).env("PATH", &path))
            .code(1)
            .stdout(str![""])
            .stderr(str![[r#"
error: `pct` was not found on PATH (needed for `pct list`)
hint: git-lxc drives a Proxmox VE host: run it there, where pct, pveam and pvesh are installed

"#]]);
        assert_eq!(fakes::call_lines(&env), Vec::<String>::new(), "{args:?}");
    }
}
