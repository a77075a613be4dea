//! `doctor` against the fake host: a good host and tree pass; a missing
//! template, a DISKSTORE or BRIDGE that does not exist, a tree below a 0700
//! folder and a missing subuid entry for MAP=1 are each named with their
//! fix; only read-only host calls are made.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;
use snapbox::str;

use crate::fakes::{self, DEBIAN_NEXT};
use crate::support::{Env, GITIGNORE, stdout_of, write_container};

fn chmod(p: &std::path::Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A fake host and a tree that a first build would find in order: two
/// containers (one with MAP=1 and its subuid/subgid entries), conf/ and the
/// folders above readable by an unprivileged container's root.
fn good() -> Env {
    let env = Env::new();
    fakes::install(&env);
    chmod(env.tmp.path(), 0o755);
    env.write(".gitignore", GITIGNORE);
    write_container(&env, "web", "OPT_OSTYPE=debian\nOPT_DISK=2\n");
    env.write("web/conf/site.conf", "listen 80\n");
    write_container(&env, "dns", "OPT_MAP=1\nOPT_MAPID=1000\n");
    for file in ["subuid", "subgid"] {
        std::fs::write(
            fakes::subid_dir(&env).join(file),
            "root:100000:65536\nroot:1000:1\n",
        )
        .unwrap();
    }
    env.commit("two containers");
    env
}

#[test]
fn a_good_host_and_tree_pass_with_read_only_calls() {
    let env = good();
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
doctor: no problems found for 2 containers on this host

"#]]);
    let calls = fakes::calls(&env);
    assert!(!calls.is_empty());
    let changing: Vec<String> = calls
        .iter()
        .filter(|c| c.changes_host())
        .map(|c| c.line())
        .collect();
    assert!(changing.is_empty(), "doctor changed the host: {changing:?}");
    let lines = fakes::call_lines(&env);
    for read in [
        "pvesh get /nodes/localhost/storage --output-format json",
        "pvesh get /nodes/localhost/network --output-format json",
        "pveam list local",
        "pct list",
    ] {
        assert!(lines.iter().any(|l| l == read), "{read} in {lines:#?}");
    }
    env.run(fakes::lxc(&env).args(["doctor", "--json"]))
        .code(0)
        .stdout(str![[r#"
[]

"#]]);
}

#[test]
fn through_sudo_when_not_root() {
    let env = good();
    let cfg = serde_json::json!({ "state": env.state, "root": false });
    std::fs::write(env.bin.join("fakehost.json"), cfg.to_string()).unwrap();
    env.git(&["config", "lxc.sudo", "true"]);
    env.run(fakes::lxc(&env).arg("doctor")).code(0);
    let lines = fakes::call_lines(&env);
    assert!(lines.iter().any(|l| l == "sudo -n true"), "{lines:#?}");
    assert!(lines.iter().any(|l| l == "sudo -n -l pct"), "{lines:#?}");
    assert!(
        fakes::calls(&env)
            .iter()
            .filter(|c| c.prog == "pvesh")
            .all(|c| c.via_sudo)
    );
}

#[test]
fn a_missing_template_names_the_containers_and_the_download() {
    let env = good();
    write_container(&env, "wiki", "OPT_OSTYPE=debian\nOPT_OSVERSION=13\n");
    write_container(&env, "git", "OPT_OSTYPE=debian\nOPT_OSVERSION=13\n");
    write_container(&env, "old", "OPT_OSTYPE=debian\nOPT_OSVERSION=11\n");
    env.commit("debian 13 and 11");
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(1)
        .stdout(str![[r#"
problem[template]: no debian-11 template in storage 'local' (old); fix: run `pveam update`, then `pveam download local <name>` with a name from `pveam available --section system`
problem[template]: no debian-13 template in storage 'local' (git, wiki); fix: pveam download local debian-13-standard_13.1-1_amd64.tar.zst

"#]])
        .stderr(str![[r#"
doctor: 2 problems

"#]]);
    assert!(!fakes::calls(&env).iter().any(|c| c.changes_host()));
    assert!(DEBIAN_NEXT.starts_with("debian-13-standard_13.1-1"));
}

#[test]
fn a_diskstore_or_bridge_that_does_not_exist() {
    let env = good();
    write_container(
        &env,
        "db",
        "OPT_DISKSTORE=fast\nOPT_BRIDGE=vmbr9\nOPT_BACKUPSTORE=nfs\n",
    );
    env.commit("db");
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(1)
        .stdout(str![[r#"
problem[storage]: DISKSTORE 'fast' does not exist on this host (db); fix: set OPT_DISKSTORE to one that does: local-lvm
problem[storage]: BACKUPSTORE 'nfs' does not exist on this host (db); fix: set OPT_BACKUPSTORE to one that does: local
problem[bridge]: BRIDGE 'vmbr9' does not exist on this host (db); fix: set OPT_BRIDGE to one of: vmbr0

"#]]);
}

#[test]
fn a_full_disabled_or_wrong_storage() {
    let env = good();
    let cfg = serde_json::json!({
        "state": env.state,
        "storages": {
            "local-lvm": {"total": 1073741824u64, "used": 536870912u64},
            "iso": {"type": "dir", "content": "iso", "enabled": 0},
        },
    });
    std::fs::write(env.bin.join("fakehost.json"), cfg.to_string()).unwrap();
    write_container(&env, "db", "OPT_TEMPLATESTORE=iso\n");
    env.commit("db");
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(1)
        .stdout(str![[r#"
problem[storage]: DISKSTORE 'local-lvm' has 0.5 GiB free, 2 GiB needed (db, dns, web); fix: free space on 'local-lvm', or lower OPT_DISK
problem[storage]: TEMPLATESTORE 'iso' is disabled (db); fix: enable it (`pvesm set iso --disable 0`), or set OPT_TEMPLATESTORE to one that does: local

"#]]);
}

#[test]
fn a_tree_below_a_0700_folder_is_named_once() {
    let env = good();
    let top = env.tmp.path().canonicalize().unwrap();
    chmod(&top, 0o700);
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(1)
        .stdout(str![[r#"
problem[mount]: [ROOT] is mode 0700 (owner uid [..]): an unprivileged container's root (host uid 100000) cannot pass through it to the mount sources below (dns, web); fix: chmod o+x [ROOT], or keep the tree outside it (e.g. in /srv)

"#]]);
    // a privileged container's root is the host's root
    chmod(&top, 0o755);
    chmod(&env.path("web/conf"), 0o700);
    env.write("dns/configSettings", "OPT_PRIVTYPE=0\n");
    env.commit("dns privileged");
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(1)
        .stdout(str![[r#"
problem[mount]: [ROOT]/repo/web/conf is mode 0700 (owner uid [..]): an unprivileged container's root (host uid 100000) cannot read this mount source (web); fix: chmod o+rx [ROOT]/repo/web/conf

"#]]);
}

#[test]
fn data_that_the_container_root_cannot_write() {
    let env = good();
    std::fs::create_dir(env.path("web/data")).unwrap();
    chmod(&env.path("web/data"), 0o755);
    let out = fakes::lxc(&env).arg("doctor").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout_of(&out);
    assert!(
        text.contains("web/data is mode 0755") && text.contains("cannot write to it (web)"),
        "{text}"
    );
    assert!(text.contains("fix: chown 100000:100000 "), "{text}");
}

#[test]
fn a_missing_subuid_entry_for_map() {
    let env = good();
    std::fs::write(fakes::subid_dir(&env).join("subuid"), "root:100000:65536\n").unwrap();
    env.run(fakes::lxc(&env).arg("doctor"))
        .code(1)
        .stdout(str![[r#"
problem[subid]: [ROOT]/etc/subuid has no entry root:1000:1 for MAP=1 (MAPID=1000) (dns); fix: echo root:1000:1 >> [ROOT]/etc/subuid (as root; a build adds it too, through sudo when not root)

"#]]);
    let out = fakes::lxc(&env)
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let f = &v.as_array().unwrap()[0];
    assert_eq!(f["check"], "subid");
    assert_eq!(f["containers"], serde_json::json!(["dns"]));
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .starts_with("echo root:1000:1 >> ")
    );
}

#[test]
fn missing_host_tools_are_named() {
    let env = good();
    for tool in ["pct", "pvesm"] {
        std::fs::remove_file(env.bin.join(tool)).unwrap();
    }
    let out = fakes::lxc(&env).arg("doctor").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout_of(&out);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("[tools]: not found: pct, pvesm; fix: run git-lxc on the Proxmox VE host"),
        "{text}"
    );
    assert!(
        !text.contains("[storage]"),
        "no host reads without pct: {text}"
    );
}
