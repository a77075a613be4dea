//! `git lxc verify`: the three output formats, exit codes, selection, and
//! trees that must pass (the seed-shaped one, the repository's example).
//! Each rule's own tests are in `verify/rules.rs`.

use serde_json::Value;
use snapbox::str;

use crate::support::{Env, GITIGNORE, stderr_of, stdout_of, write_container};

mod crlf;
mod hints;
mod rules;
mod symlinks;

/// A tree like the one the original `build_lxc.sh` served (seed write-up):
/// Alpine and Debian containers, a legacy `target-bootstrap.sh`, `OPT_MAP=1`,
/// a `HOOK_customMounts` using a variable from the (absent) `.env`, a
/// `HOOK_customMapping` appending raw lxc lines to `$CTCONF`, and `data/`
/// folders with content. Committed.
pub(crate) fn seed_tree(env: &Env) {
    env.write(".gitignore", GITIGNORE);
    env.write(
        "nginx/configSettings",
        "OPT_CTID=110\nOPT_APP='Reverse proxy'\nOPT_RAM=256\nOPT_NET=192.168.1.10/24\nOPT_GATEWAY=192.168.1.1\n\
         SITE_NAME=blog.example.org\n",
    );
    env.write(
        "nginx/build-target.sh",
        "#!/bin/bash\nset -e\npackage common\npackage add nginx\npackage install\n\
         ln -sf /usr/local/conf/nginx.conf /etc/nginx/nginx.conf\nenableService nginx sshd\n",
    );
    env.write(
        "nginx/conf/nginx.conf",
        "events {}\nhttp { server { listen 80; } }\n",
    );
    env.write("nginx/bin/reload", "#!/bin/sh\nnginx -s reload\n");
    env.write(
        "pihole/configSettings",
        r#"# Pi-hole on Debian, as the install docs recommend
OPT_CTID=111
OPT_OSTYPE=debian
OPT_DISK=4
OPT_RAM=512
OPT_MAP=1
OPT_MAPID=1001
OPT_NET=192.168.1.11/24
OPT_GATEWAY=192.168.1.1
PIHOLE_DNS_1=9.9.9.9
WEBTHEME=default-dark

HOOK_customMounts() {
    local -n m=$1
    m+=("--mp3 $MEDIA_DIR,mp=/media")
}

HOOK_customMapping() {
    cat >>"$CTCONF" <<EOF
lxc.cgroup2.devices.allow: c 188:* rwm
lxc.mount.entry: /dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file
EOF
}
"#,
    );
    env.write(
        "pihole/target-bootstrap.sh",
        "#!/bin/bash\nset -e\nmkdir -p /etc/pihole\n\
         curl -sSL https://install.pi-hole.net | PIHOLE_SKIP_OS_CHECK=true bash /dev/stdin --unattended\n\
         pihole -a -p \"$WEBPASSWORD\"\n",
    );
    env.write("pihole/.env.example", "WEBPASSWORD=\nMEDIA_DIR=\n");
    env.write(
        "vpn/configSettings",
        "OPT_CTID=112\nOPT_OSTYPE=debian\nOPT_NET=192.168.1.12/24\nOPT_GATEWAY=192.168.1.1\nOPT_FEATURES=nesting=1,keyctl=1\n",
    );
    env.write(
        "vpn/build-target.sh",
        "#!/bin/bash\nset -e\npackage add curl\npackage install\ncurl -L https://install.pivpn.io | bash -s -- --unattended /usr/local/conf/options.conf\n",
    );
    env.write(
        "vpn/conf/options.conf",
        "IPv4dev=eth0\ninstall_user=pivpn\n",
    );
    env.commit("lxcs as the bash script knew them");
    for (name, file) in [
        ("nginx", "logs/access.log"),
        ("pihole", "pihole-FTL.db"),
        ("vpn", "ssh/ssh_host_ed25519_key"),
    ] {
        env.write(&format!("{name}/data/{file}"), "persistent\n");
    }
}

/// Two healthy containers, committed.
fn healthy(env: &Env) {
    env.write(".gitignore", GITIGNORE);
    write_container(env, "web", "OPT_CTID=120\nOPT_RAM=256\nAPP_PORT=8080\n");
    write_container(env, "db", "OPT_CTID=121\nOPT_OSTYPE=debian\n");
    env.commit("healthy tree");
}

struct Run {
    code: i32,
    findings: Vec<Value>,
    stderr: String,
}

/// `git lxc verify --format json ARGS…`.
fn verify_json(env: &Env, args: &[&str]) -> Run {
    let out = env
        .lxc()
        .args(["verify", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = stdout_of(&out);
    let findings: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON array ({e}): {stdout}\n{}",
            stderr_of(&out)
        )
    });
    Run {
        code: out.status.code().unwrap(),
        findings,
        stderr: stderr_of(&out),
    }
}

impl Run {
    /// The finding of `rule` at `file:line`; panics when there is none.
    fn expect(&self, rule: &str, file: &str, line: Option<u64>) -> &Value {
        self.findings
            .iter()
            .find(|f| f["rule"] == rule && f["file"] == file && f["line"].as_u64() == line)
            .unwrap_or_else(|| panic!("no {rule} at {file}:{line:?} in {:#?}", self.findings))
    }

    fn rules(&self) -> Vec<&str> {
        self.findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect()
    }
}

/// Exit 1 with exactly `rule` (plus, optionally, others) at `file:line`.
fn fails_with(env: &Env, rule: &str, file: &str, line: Option<u64>) -> Value {
    let run = verify_json(env, &[]);
    assert_eq!(run.code, 1, "{:#?}\n{}", run.findings, run.stderr);
    run.expect(rule, file, line).clone()
}

#[test]
fn healthy_tree_passes_silently() {
    let env = Env::new();
    healthy(&env);
    env.run(env.lxc().arg("verify"))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
verify: 2 containers OK

"#]]);
    env.run(env.lxc().args(["verify", "--format", "json"]))
        .code(0)
        .stdout(str![[r#"
[]

"#]])
        .stderr(str![[r#"
verify: 2 containers OK

"#]]);
    env.run(env.lxc().args(["verify", "--format", "github"]))
        .code(0)
        .stdout(str![""]);
}

#[test]
fn seed_shaped_tree_passes_without_findings() {
    let env = Env::new();
    seed_tree(&env);
    env.run(env.lxc().arg("verify"))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
verify: 3 containers OK

"#]]);
    let run = verify_json(&env, &["--strict"]);
    assert_eq!(run.code, 0, "{:#?}", run.findings);
    assert!(run.findings.is_empty());
}

#[test]
fn json_objects_have_exactly_the_documented_keys() {
    let env = Env::new();
    healthy(&env);
    env.write(
        "web/configSettings",
        "OPT_CTID=120\nOPT_RAMM=1\nRAM=1\nOPT_RAM=256\n",
    );
    env.commit("typo");
    env.run(env.lxc().args(["verify", "--format", "json"]))
        .code(1)
        .stdout(str![[r#"
[
  {
    "rule": "unknown-opt",
    "severity": "error",
    "file": "web/configSettings",
    "line": 2,
    "message": "OPT_RAMM is not a known setting",
    "hint": "did you mean OPT_RAM? See `man git-lxc` for the known settings"
  },
  {
    "rule": "setting-overridden",
    "severity": "warning",
    "file": "web/configSettings",
    "line": 3,
    "message": "RAM=… has no effect: OPT_RAM (web/configSettings:4) overrides it",
    "hint": "OPT_RAM wins over RAM, as in the original script; keep one of the two"
  }
]

"#]])
        .stderr(str![[r#"
1 error, 1 warning in 2 containers

"#]]);
    let run = verify_json(&env, &[]);
    assert!(!run.findings.is_empty());
    for f in &run.findings {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            ["file", "hint", "line", "message", "rule", "severity"],
            "{f}"
        );
    }
}

#[test]
fn human_report_on_stdout() {
    let env = Env::new();
    healthy(&env);
    env.write(
        "web/configSettings",
        "OPT_CTID=120\nOPT_RAMM=1\nRAM=1\nOPT_RAM=256\n",
    );
    env.commit("typo");
    // No colours off a terminal: the snapshot has no escape codes.
    env.run(env.lxc().arg("verify"))
        .code(1)
        .stdout(str![[r#"
error[unknown-opt]: web/configSettings:2: OPT_RAMM is not a known setting
  hint: did you mean OPT_RAM? See `man git-lxc` for the known settings
warning[setting-overridden]: web/configSettings:3: RAM=… has no effect: OPT_RAM (web/configSettings:4) overrides it
  hint: OPT_RAM wins over RAM, as in the original script; keep one of the two

"#]])
        .stderr(str![[r#"
1 error, 1 warning in 2 containers

"#]]);
    let out = env
        .lxc()
        .args(["--color", "always", "verify"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains('\x1b'));
}

#[test]
fn github_annotations_on_stdout() {
    let env = Env::new();
    healthy(&env);
    env.write("web/configSettings", "OPT_CTID=120\nOPT_RAMM=1\n");
    env.write(".gitignore", "data/\n");
    env.commit("typo");
    env.run(env.lxc().args(["verify", "--format", "github"]))
        .code(1)
        .stdout(str![[r#"
::error file=.env,title=git-lxc env-not-ignored::.env is not ignored by git: `git add` would commit its secrets%0Ahint: add `.env` to .gitignore (`git lxc init` does it)
::error file=db/.env,title=git-lxc env-not-ignored::db/.env is not ignored by git: `git add` would commit its secrets%0Ahint: add `.env` to .gitignore (`git lxc init` does it)
::error file=web/.env,title=git-lxc env-not-ignored::web/.env is not ignored by git: `git add` would commit its secrets%0Ahint: add `.env` to .gitignore (`git lxc init` does it)
::error file=web/configSettings,line=2,title=git-lxc unknown-opt::OPT_RAMM is not a known setting%0Ahint: did you mean OPT_RAM? See `man git-lxc` for the known settings

"#]])
        .stderr(str![[r#"
4 errors, 0 warnings in 2 containers

"#]]);
}

#[test]
fn names_select_containers_and_unknown_names_are_usage_errors() {
    let env = Env::new();
    healthy(&env);
    env.write("web/configSettings", "OPT_CTID=120\nOPT_RAMM=1\n");
    env.commit("typo");
    let run = verify_json(&env, &["db"]);
    assert_eq!(
        (run.code, run.findings.len()),
        (0, 0),
        "{:#?}",
        run.findings
    );
    assert!(
        run.stderr.contains("verify: 1 container OK"),
        "{}",
        run.stderr
    );
    assert_eq!(verify_json(&env, &["web"]).code, 1);
    env.run(env.lxc().args(["verify", "nope"]))
        .code(2)
        .stdout(str![""])
        .stderr(str![[r#"
error: no container folder named 'nope'
hint: the containers in [ROOT]/repo are: db, web

"#]]);
}

#[test]
fn example_tree_in_this_repository_passes() {
    let env = Env::new();
    let top = env!("CARGO_MANIFEST_DIR");
    let out = env
        .lxc()
        .current_dir(top)
        .args(["-C", "examples/homelab", "verify", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("containers OK"),
        "{}",
        stderr_of(&out)
    );
}
