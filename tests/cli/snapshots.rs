//! Whole-output snapshots of what a user reads: `plan` before and after the
//! first build (human and JSON), the host calls of a build and a rebuild,
//! and `history` after real builds.

use snapbox::str;

use crate::fakes;
use crate::support::{Env, GITIGNORE, write_container};

/// A secret in `.env`; no snapshot may show it.
const SECRET: &str = "s3cret-db-pw";

/// A repository with the fakes installed and a committed `.gitignore`.
fn setup() -> Env {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    env
}

/// One committed Alpine container `web`.
fn alpine() -> Env {
    let env = setup();
    write_container(&env, "web", "APP=Web\n");
    env.commit("web");
    env
}

/// One committed Debian container `web` with MAP=1, a mount hook and a
/// mapping hook, a host folder to mount and a secret in `.env`.
fn debian() -> Env {
    let env = setup();
    for f in ["subuid", "subgid"] {
        std::fs::write(fakes::subid_dir(&env).join(f), "root:100000:65536\n").unwrap();
    }
    let media = env.tmp.path().canonicalize().unwrap().join("media");
    std::fs::create_dir_all(&media).unwrap();
    write_container(
        &env,
        "web",
        r#"APP=Media
OPT_OSTYPE=debian
OPT_MAP=1
HOOK_customMounts() {
    local -n m=$1
    m+=("--mp3 $MEDIA_DIR,mp=/media")
}
HOOK_customMapping() {
    echo "lxc.cgroup2.devices.allow: c 189:* rwm" >> "$CTCONF"
}
"#,
    );
    env.commit("media web");
    env.write(
        "web/.env",
        &format!("MEDIA_DIR={}\nDB_PASSWORD={SECRET}\n", media.display()),
    );
    env
}

#[track_caller]
fn build(env: &Env, args: &[&str]) {
    let out = fakes::lxc(env).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git lxc {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[track_caller]
fn no_secret(env: &Env, args: &[&str]) {
    let out = fakes::lxc(env).args(args).output().unwrap();
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(text).contains(SECRET),
            "{args:?} shows the secret"
        );
    }
}

/// The evaluation script hooks run in, as `bash -c` gets it.
const SETTINGS_BASH: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/bash/settings.bash"
));

/// `text` as it stands inside a JSON string.
fn json_text(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

/// The call log, one call a line.
fn call_log(env: &Env) -> String {
    fakes::call_lines(env).join("\n") + "\n"
}

#[test]
fn plan_of_an_alpine_container_before_and_after_its_first_build() {
    let env = alpine();
    env.run(fakes::lxc(&env).args(["plan", "web"]))
        .code(0)
        .stdout(str![[r#"
Plan for web → CT 100 (the next free id), commit [HASH]
  1. create [ROOT]/repo/web/data
       mkdir -p -- [ROOT]/repo/web/data
  2. give data/ to the container's root (host uid 100000)
       chown 100000:100000 -- [ROOT]/repo/web/data
  3. create CT 100
       pct create 100 local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz --hostname web --ostype alpine --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/web/data,mp=/usr/local/data --description '## Web…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=building os=alpine-3.22'
  4. start CT 100
       pct start 100
  5. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
  6. install bash (Alpine)
       pct exec 100 --keep-env 0 -- apk add --no-cache bash
  7. run the provisioning script
       pct exec 100 --keep-env 0 -- bash -s < (script)
  8. reboot CT 100
       pct reboot 100
  9. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
 10. record state built and protect it
       pct set 100 --description '## Web…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=built os=alpine-3.22' --protection 1
Provisioning script (piped to bash inside the container, never written to disk):
       context variables: (none)
       settings: 37 values
       helper functions: package, persist, addAccount, enableService (isdebian set)
       build script: build-target.sh (4 lines)

"#]])
        .stderr(str![]);
    build(&env, &["build", "web"]);
    env.run(fakes::lxc(&env).args(["plan", "web"]))
        .code(0)
        .stdout(str![[r#"
Plan for web → CT 100 (the container this folder built before), commit [HASH]
  1. shut down CT 100
       pct shutdown 100 --timeout 60
       pct stop 100   (only if it does not shut down)
  2. back up CT 100 to local
       vzdump 100 --storage local --mode stop --compress zstd --notes-template 'git-lxc web [HASH]'
       (if a later step fails, this backup is restored)
  3. lift the protection of CT 100
       pct set 100 --protection 0
  4. destroy CT 100 (bind-mounted folders are kept)
       pct destroy 100
  5. create CT 100
       pct create 100 local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz --hostname web --ostype alpine --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/web/data,mp=/usr/local/data --description '## Web…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=building os=alpine-3.22'
  6. start CT 100
       pct start 100
  7. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
  8. install bash (Alpine)
       pct exec 100 --keep-env 0 -- apk add --no-cache bash
  9. run the provisioning script
       pct exec 100 --keep-env 0 -- bash -s < (script)
 10. reboot CT 100
       pct reboot 100
 11. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
 12. record state built and protect it
       pct set 100 --description '## Web…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=built os=alpine-3.22' --protection 1
Provisioning script (piped to bash inside the container, never written to disk):
       context variables: (none)
       settings: 37 values
       helper functions: package, persist, addAccount, enableService (isdebian set)
       build script: build-target.sh (4 lines)

"#]])
        .stderr(str![]);
}

#[test]
fn plan_of_a_debian_container_with_map_and_hooks_before_and_after_its_first_build() {
    let env = debian();
    no_secret(&env, &["plan", "web"]);
    env.run(fakes::lxc(&env).args(["plan", "web"]))
        .code(0)
        .stdout(str![[r#"
Plan for web → CT 100 (the next free id), commit [HASH]
HOOK_customMounts (run now, on this host, as you) adds: --mp3 ********,mp=/media
  1. create [ROOT]/repo/web/data
       mkdir -p -- [ROOT]/repo/web/data
  2. give data/ to the container's root (host uid 100000)
       chown 100000:100000 -- [ROOT]/repo/web/data
  3. create CT 100
       pct create 100 local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst --hostname web --ostype debian --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/web/data,mp=/usr/local/data --mp3 ********,mp=/media --description '## Media…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=building os=debian-12'
  4. map container uid/gid 1000 to host 1000
       tee -a [ROOT]/state/pve/lxc/100.conf <<< 'lxc.idmap: u 0 100000 1000…lxc.idmap: g 1001 101001 64535'
  5. allow root to map id 1000 in [ROOT]/etc/subuid
       tee -a [ROOT]/etc/subuid <<< root:1000:1
  6. allow root to map id 1000 in [ROOT]/etc/subgid
       tee -a [ROOT]/etc/subgid <<< root:1000:1
  7. run HOOK_customMapping
       cat -- [ROOT]/state/pve/lxc/100.conf   (into a private copy)
       HOOK_customMapping on the copy (bash, on this host, as you)
       tee -a [ROOT]/state/pve/lxc/100.conf <<< (the lines it appends)
  8. start CT 100
       pct start 100
  9. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
 10. run the provisioning script
       pct exec 100 --keep-env 0 -- bash -s < (script)
 11. reboot CT 100
       pct reboot 100
 12. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
 13. record state built and protect it
       pct set 100 --description '## Media…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=built os=debian-12' --protection 1
Provisioning script (piped to bash inside the container, never written to disk):
       context variables: DB_PASSWORD MEDIA_DIR
       settings: 37 values
       helper functions: package, persist, addAccount, enableService (isdebian set)
       build script: build-target.sh (4 lines)

"#]])
        .stderr(str![]);
    build(&env, &["build", "web"]);
    no_secret(&env, &["plan", "web"]);
    env.run(fakes::lxc(&env).args(["plan", "web"]))
        .code(0)
        .stdout(str![[r#"
Plan for web → CT 100 (the container this folder built before), commit [HASH]
HOOK_customMounts (run now, on this host, as you) adds: --mp3 ********,mp=/media
  1. shut down CT 100
       pct shutdown 100 --timeout 60
       pct stop 100   (only if it does not shut down)
  2. back up CT 100 to local
       vzdump 100 --storage local --mode stop --compress zstd --notes-template 'git-lxc web [HASH]'
       (if a later step fails, this backup is restored)
  3. lift the protection of CT 100
       pct set 100 --protection 0
  4. destroy CT 100 (bind-mounted folders are kept)
       pct destroy 100
  5. create CT 100
       pct create 100 local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst --hostname web --ostype debian --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/web/data,mp=/usr/local/data --mp3 ********,mp=/media --description '## Media…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=building os=debian-12'
  6. map container uid/gid 1000 to host 1000
       tee -a [ROOT]/state/pve/lxc/100.conf <<< 'lxc.idmap: u 0 100000 1000…lxc.idmap: g 1001 101001 64535'
  7. run HOOK_customMapping
       cat -- [ROOT]/state/pve/lxc/100.conf   (into a private copy)
       HOOK_customMapping on the copy (bash, on this host, as you)
       tee -a [ROOT]/state/pve/lxc/100.conf <<< (the lines it appends)
  8. start CT 100
       pct start 100
  9. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
 10. run the provisioning script
       pct exec 100 --keep-env 0 -- bash -s < (script)
 11. reboot CT 100
       pct reboot 100
 12. wait for the network
       lxc-info -n 100 -iH   (every 0.5 s until an IPv4 address shows, at most 1 s)
 13. record state built and protect it
       pct set 100 --description '## Media…git-lxc: name=web tree=[HASH]:. commit=[HASH] state=built os=debian-12' --protection 1
Provisioning script (piped to bash inside the container, never written to disk):
       context variables: DB_PASSWORD MEDIA_DIR
       settings: 37 values
       helper functions: package, persist, addAccount, enableService (isdebian set)
       build script: build-target.sh (4 lines)

"#]])
        .stderr(str![]);
}

#[test]
fn plan_json_of_a_debian_container_with_map_and_hooks() {
    let env = debian();
    no_secret(&env, &["plan", "web", "--json"]);
    env.run(fakes::lxc(&env).args(["plan", "web", "--json"]))
        .redact("[SETTINGS_BASH]", json_text(SETTINGS_BASH))
        .code(0)
        .stdout_json(str![[r###"
{
  "name": "web",
  "ctid": 100,
  "commit": "[HASH]",
  "dirty": false,
  "custom_mounts": [
    "--mp3 ********,mp=/media"
  ],
  "steps": [
    {
      "title": "create [ROOT]/repo/web/data",
      "commands": [
        {
          "argv": [
            "mkdir",
            "-p",
            "--",
            "[ROOT]/repo/web/data"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": false
        }
      ]
    },
    {
      "title": "give data/ to the container's root (host uid 100000)",
      "commands": [
        {
          "argv": [
            "chown",
            "100000:100000",
            "--",
            "[ROOT]/repo/web/data"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "create CT 100",
      "commands": [
        {
          "argv": [
            "pct",
            "create",
            "100",
            "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
            "--hostname",
            "web",
            "--ostype",
            "debian",
            "--cores",
            "1",
            "--memory",
            "128",
            "--swap",
            "512",
            "--rootfs",
            "local-lvm:0.5",
            "--net0",
            "name=eth0,bridge=vmbr0,ip=dhcp",
            "--onboot",
            "1",
            "--unprivileged",
            "1",
            "--features",
            "nesting=1,keyctl=1",
            "--tags",
            "git-lxc",
            "--mp0",
            "[ROOT]/repo/web/data,mp=/usr/local/data",
            "--mp3",
            "********,mp=/media",
            "--description",
            "## Media\nBuilt by git-lxc from `web` at [HASH] (media web), [..] UTC, by [..].\n\nBuild in progress.\n\ngit-lxc: name=web tree=[HASH]:. commit=[HASH] state=building os=debian-12"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "map container uid/gid 1000 to host 1000",
      "commands": [
        {
          "argv": [
            "tee",
            "-a",
            "[ROOT]/state/pve/lxc/100.conf"
          ],
          "stdin": "lxc.idmap: u 0 100000 1000\nlxc.idmap: u 1000 1000 1\nlxc.idmap: u 1001 101001 64535\nlxc.idmap: g 0 100000 1000\nlxc.idmap: g 1000 1000 1\nlxc.idmap: g 1001 101001 64535\n",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "allow root to map id 1000 in [ROOT]/etc/subuid",
      "commands": [
        {
          "argv": [
            "tee",
            "-a",
            "[ROOT]/etc/subuid"
          ],
          "stdin": "root:1000:1\n",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "allow root to map id 1000 in [ROOT]/etc/subgid",
      "commands": [
        {
          "argv": [
            "tee",
            "-a",
            "[ROOT]/etc/subgid"
          ],
          "stdin": "root:1000:1\n",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "run HOOK_customMapping",
      "commands": [
        {
          "argv": [
            "cat",
            "--",
            "[ROOT]/state/pve/lxc/100.conf"
          ],
          "stdin": "none",
          "changes_host": false,
          "fallback": false,
          "privileged": true
        },
        {
          "argv": [
            "bash",
            "-c",
            "[SETTINGS_BASH]",
            "git-lxc-hook",
            "hook:customMapping",
            "[ROOT]/repo",
            "web",
            "[ROOT]/repo/web"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": false
        },
        {
          "argv": [
            "tee",
            "-a",
            "[ROOT]/state/pve/lxc/100.conf"
          ],
          "stdin": "hook output",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "start CT 100",
      "commands": [
        {
          "argv": [
            "pct",
            "start",
            "100"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "wait for the network",
      "commands": [
        {
          "argv": [
            "lxc-info",
            "-n",
            "100",
            "-iH"
          ],
          "stdin": "none",
          "changes_host": false,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "run the provisioning script",
      "commands": [
        {
          "argv": [
            "pct",
            "exec",
            "100",
            "--keep-env",
            "0",
            "--",
            "bash",
            "-s"
          ],
          "stdin": "script",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "reboot CT 100",
      "commands": [
        {
          "argv": [
            "pct",
            "reboot",
            "100"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "wait for the network",
      "commands": [
        {
          "argv": [
            "lxc-info",
            "-n",
            "100",
            "-iH"
          ],
          "stdin": "none",
          "changes_host": false,
          "fallback": false,
          "privileged": true
        }
      ]
    },
    {
      "title": "record state built and protect it",
      "commands": [
        {
          "argv": [
            "pct",
            "set",
            "100",
            "--description",
            "## Media\nBuilt by git-lxc from `web` at [HASH] (media web), [..] UTC, by [..].\n\ngit-lxc: name=web tree=[HASH]:. commit=[HASH] state=built os=debian-12",
            "--protection",
            "1"
          ],
          "stdin": "none",
          "changes_host": true,
          "fallback": false,
          "privileged": true
        }
      ]
    }
  ],
  "script": [
    "context variables: DB_PASSWORD MEDIA_DIR",
    "settings: 37 values",
    "helper functions: package, persist, addAccount, enableService (isdebian set)",
    "build script: build-target.sh (4 lines)"
  ]
}

"###]])
        .stderr(str![]);
}

#[test]
fn the_host_calls_of_a_build_and_a_rebuild() {
    let env = debian();
    build(&env, &["build", "web"]);
    env.snapshot(call_log(&env), str![[r#"
pct list
pvesh get /cluster/nextid
pveam list local
pvesh get /nodes/localhost/[..] --output-format json
pvesh get /nodes/localhost/[..] --output-format json
pct create 100 local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst --hostname web --ostype debian --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/web/data,mp=/usr/local/data --mp3 [ROOT]/media,mp=/media --description <state=building>
pct start 100
lxc-info -n 100 -iH
pct exec 100 --keep-env 0 -- bash -s
pct reboot 100
lxc-info -n 100 -iH
pct set 100 --description <state=built> --protection 1

"#]]);
    fakes::clear_calls(&env);
    build(&env, &["rebuild", "web", "--yes"]);
    env.snapshot(call_log(&env), str![[r#"
pct list
pveam list local
pvesh get /nodes/localhost/storage/local/content --content backup --vmid 100 --output-format json
pvesh get /nodes/localhost/[..] --output-format json
pvesh get /nodes/localhost/[..] --output-format json
pct shutdown 100 --timeout 60
vzdump 100 --storage local --mode stop --compress zstd --notes-template git-lxc web [HASH]
pct set 100 --protection 0
pct destroy 100
pct create 100 local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst --hostname web --ostype debian --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 [ROOT]/repo/web/data,mp=/usr/local/data --mp3 [ROOT]/media,mp=/media --description <state=building>
pct start 100
lxc-info -n 100 -iH
pct exec 100 --keep-env 0 -- bash -s
pct reboot 100
lxc-info -n 100 -iH
pct set 100 --description <state=built> --protection 1

"#]]);
}

#[test]
fn history_after_a_build_and_a_rebuild() {
    let env = alpine();
    let first = env.head();
    build(&env, &["build", "web"]);
    env.write("web/conf/app.conf", "v2\n");
    let second = env.commit("tune web");
    build(&env, &["rebuild", "web", "--yes"]);
    env.run(fakes::lxc(&env).args(["history", "web"]))
        .redact("[FIRST]", &first)
        .redact("[SECOND]", &second)
        .code(0)
        .stdout(str![[r#"
TIME                  COMMIT        CT   NODE[..]RESULT  BACKUP                                                   SUBJECT
[TIME]  [SECOND]  100  [..]built   local:backup/vzdump-lxc-100-[..].tar.zst  tune web
[TIME]  [FIRST]  100  [..]built   -                                                        web

"#]])
        .stderr(str![]);
}
