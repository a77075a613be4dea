//! `build`, `rebuild`, `plan`, `destroy` against the fake host: the exact
//! host calls, the guards, hooks, failures, secrets and the record.

use serde_json::json;

use crate::fakes::{self, ALPINE, DEBIAN};
use crate::support::{Env, GITIGNORE, stderr_of, stdout_of, write_container};

mod breaks;
mod failures;
mod interrupt;
mod lock;
mod os;
mod plan_is_build;
mod preflight;
mod restore;
mod secrets;
mod symlinks;
mod trees;

const CANARY: &str = "canary-7f3a9";

/// A repository with the fakes installed and a committed `.gitignore`.
fn setup() -> Env {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    env
}

/// `setup` plus one committed Alpine container `web`.
fn with_web(settings: &str) -> Env {
    let env = setup();
    write_container(&env, "web", settings);
    env.commit("web");
    env
}

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    fakes::lxc(env).args(args).output().unwrap()
}

#[track_caller]
fn ok(env: &Env, args: &[&str]) -> std::process::Output {
    let out = run(env, args);
    assert!(
        out.status.success(),
        "git lxc {args:?} failed ({:?}):\n{}",
        out.status.code(),
        stderr_of(&out)
    );
    out
}

#[track_caller]
fn code(env: &Env, args: &[&str], want: i32) -> String {
    let out = run(env, args);
    let err = stderr_of(&out);
    assert_eq!(
        out.status.code(),
        Some(want),
        "git lxc {args:?}: stdout {}\nstderr {err}",
        stdout_of(&out)
    );
    err
}

/// The calls one build of `web` as CT 100 makes after `pct list` and the
/// template lookup, with `head` the pct create line's template.
fn build_calls(env: &Env, template: &str, ostype: &str, alpine: bool) -> Vec<String> {
    let data = env.path("web/data");
    let mut calls = vec![
        format!(
            "pct create 100 local:vztmpl/{template} --hostname web --ostype {ostype} --cores 1 --memory 128 --swap 512 --rootfs local-lvm:0.5 --net0 name=eth0,bridge=vmbr0,ip=dhcp --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc --mp0 {},mp=/usr/local/data --description <state=building>",
            data.display()
        ),
        "pct start 100".to_string(),
        "lxc-info -n 100 -iH".to_string(),
    ];
    if alpine {
        calls.push("pct exec 100 --keep-env 0 -- apk add --no-cache bash".to_string());
    }
    calls.extend(
        [
            "pct exec 100 --keep-env 0 -- bash -s",
            "pct reboot 100",
            "lxc-info -n 100 -iH",
            "pct set 100 --description <state=built> --protection 1",
        ]
        .map(str::to_string),
    );
    calls
}

/// The two reads of the preflight (storages and network, made at once, so
/// in either order), as they appear in `calls`.
fn preflight_reads(calls: &[String]) -> Vec<String> {
    let reads: Vec<String> = calls
        .iter()
        .filter(|c| {
            *c == "pvesh get /nodes/localhost/storage --output-format json"
                || *c == "pvesh get /nodes/localhost/network --output-format json"
        })
        .cloned()
        .collect();
    assert_eq!(reads.len(), 2, "{calls:#?}");
    reads
}

/// The calls a rebuild of CT `id` makes before its first change: the
/// container list, the templates, the backups of the container, and the
/// preflight's two reads (in either order).
fn rebuild_reads(env: &Env, id: u32) -> Vec<String> {
    let mut want = strs(&["pct list", "pveam list local"]);
    want.push(format!(
        "pvesh get /nodes/localhost/storage/local/content --content backup --vmid {id} --output-format json"
    ));
    want.extend(preflight_reads(&fakes::call_lines(env)));
    want
}

/// `web` built as CT 100, then its files changed by `change` and
/// committed; the calls so far forgotten.
fn built_then(change: impl Fn(&Env)) -> (Env, String) {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    let record = fakes::record_line(&env, 100).unwrap();
    change(&env);
    env.commit("change");
    fakes::clear_calls(&env);
    (env, record)
}

/// The old container is as it was: running, its record unchanged.
#[track_caller]
fn untouched(env: &Env, record: &str) {
    assert!(fakes::running(env, 100));
    assert_eq!(fakes::record_line(env, 100).unwrap(), record);
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn build_and_rebuild_make_exactly_these_host_calls_on_alpine() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    let mut want = strs(&["pct list", "pvesh get /cluster/nextid", "pveam list local"]);
    want.extend(preflight_reads(&fakes::call_lines(&env)));
    want.extend(build_calls(&env, ALPINE, "alpine", true));
    assert_eq!(fakes::call_lines(&env), want);
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "built")
    );
    assert!(fakes::running(&env, 100));

    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "web", "--yes"]);
    let notes = format!("git-lxc web {}", &env.head()[..12]);
    let mut want = strs(&[
        "pct list",
        "pveam list local",
        "pvesh get /nodes/localhost/storage/local/content --content backup --vmid 100 --output-format json",
    ]);
    want.extend(preflight_reads(&fakes::call_lines(&env)));
    want.extend(strs(&[
        "pct shutdown 100 --timeout 60",
        &format!("vzdump 100 --storage local --mode stop --compress zstd --notes-template {notes}"),
        "pct set 100 --protection 0",
        "pct destroy 100",
    ]));
    want.extend(build_calls(&env, ALPINE, "alpine", true));
    assert_eq!(fakes::call_lines(&env), want);
}

#[test]
fn debian_build_skips_the_bash_install() {
    let env = with_web("OPT_OSTYPE=debian\n");
    ok(&env, &["build", "web"]);
    let mut want = strs(&["pct list", "pvesh get /cluster/nextid", "pveam list local"]);
    want.extend(preflight_reads(&fakes::call_lines(&env)));
    want.extend(build_calls(&env, DEBIAN, "debian", false));
    assert_eq!(fakes::call_lines(&env), want);
}

#[test]
fn plan_and_dry_run_only_read_the_host() {
    let env = with_web("APP=Web\n");
    let reads = |env: &Env| {
        for c in fakes::calls(env) {
            let line = c.line();
            assert!(
                line == "pct list"
                    || line.starts_with("pveam list ")
                    || line == "pvesh get /cluster/nextid"
                    || line.starts_with("pvesh get /nodes/localhost/storage")
                    || line.starts_with("pvesh get /nodes/localhost/network")
                    || line.starts_with("lxc-info "),
                "not a read: {line}"
            );
        }
    };
    let out = ok(&env, &["plan", "web"]);
    assert!(
        stdout_of(&out).contains("pct create 100"),
        "{}",
        stdout_of(&out)
    );
    reads(&env);
    ok(&env, &["build", "web"]);
    fakes::clear_calls(&env);
    let out = ok(&env, &["rebuild", "web", "--dry-run"]);
    assert!(stdout_of(&out).contains("pct destroy 100"));
    reads(&env);
    ok(&env, &["plan", "web"]);
    reads(&env);
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "built")
    );
}

// ---------------------------------------------------------------- guards

/// Run `args`, expect exit 3 and no host-changing call.
#[track_caller]
fn refused(env: &Env, args: &[&str], says: &str) {
    fakes::clear_calls(env);
    let err = code(env, args, 3);
    assert!(err.contains(says), "expected '{says}' in:\n{err}");
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(fakes::changing_calls(env), Vec::<String>::new());
}

#[test]
fn uncommitted_or_untracked_files_are_refused() {
    let env = with_web("APP=Web\n");
    env.write("web/configSettings", "APP=Changed\n");
    refused(&env, &["build", "web"], "uncommitted");
    // Offline guards refuse before even a read-only host call.
    assert_eq!(fakes::call_lines(&env), Vec::<String>::new());
    env.git(&["checkout", "--", "web/configSettings"]);

    env.write("web/notes.txt", "todo\n");
    refused(&env, &["build", "web"], "web/notes.txt");
    env.remove("web/notes.txt");

    env.write("defaults", "OPT_RAM=256\n");
    env.commit("defaults");
    env.write("defaults", "OPT_RAM=512\n");
    refused(&env, &["build", "web"], "defaults");
    refused(&env, &["rebuild", "web", "--yes"], "defaults");

    let out = ok(&env, &["build", "web", "--allow-dirty"]);
    assert!(stderr_of(&out).contains("dirty"));
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        format!("{} dirty", env.record("web", "alpine-3.22", "built"))
    );
    assert_eq!(
        fakes::conf_value(&env, 100, "memory").as_deref(),
        Some("512")
    );
}

#[test]
fn unsafe_env_files_are_refused() {
    let env = setup();
    env.write(".gitignore", "data/\n");
    write_container(&env, "web", "APP=Web\n");
    env.commit("web");
    env.write("web/.env", "DB_PASSWORD=x1234\n");
    refused(&env, &["build", "web"], "not ignored");
    assert_eq!(fakes::call_lines(&env), Vec::<String>::new());

    env.write(".gitignore", GITIGNORE);
    env.git(&["add", "-f", "web/.env"]);
    env.commit("oops");
    refused(&env, &["build", "web"], "tracked");
    refused(
        &env,
        &["rebuild", "web", "--yes", "--allow-dirty"],
        "tracked",
    );
}

fn record_of(name: &str) -> String {
    format!(
        "## {name}\n\ngit-lxc: name={name} commit={} state=built",
        "a".repeat(40)
    )
}

#[test]
fn a_ctid_that_is_not_ours_is_refused_unless_forced() {
    let env = with_web("OPT_CTID=150\n");
    fakes::put_container(&env, 150, "other", &record_of("other"), true);
    refused(&env, &["build", "web"], "its record names 'other'");
    refused(
        &env,
        &["rebuild", "web", "--yes"],
        "its record names 'other'",
    );
    fakes::put_container(&env, 151, "manual", "set up by hand", false);
    env.write("web/configSettings", "OPT_CTID=151\n");
    env.commit("151");
    refused(&env, &["rebuild", "web", "--yes"], "no git-lxc record");
    assert!(fakes::exists(&env, 150) && fakes::exists(&env, 151));

    ok(&env, &["rebuild", "web", "--yes", "--force"]);
    assert_eq!(
        fakes::record_line(&env, 151).unwrap(),
        env.record("web", "alpine-3.22", "built")
    );
    assert!(fakes::exists(&env, 150), "CT 150 must stay");
}

#[test]
fn a_running_build_of_the_same_container_is_refused() {
    use std::os::fd::AsRawFd;
    let env = with_web("OPT_CTID=100\n");
    let path = env.state.join("locks/git-lxc-ct100.lock");
    let held = std::fs::File::create(&path).unwrap();
    // SAFETY: the test's own descriptor: it holds the lock another build would.
    assert_eq!(
        unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    refused(&env, &["build", "web"], "another git-lxc build of CT 100");
    refused(&env, &["rebuild", "web", "--yes"], "another git-lxc build");
    // The lock goes with the process that held it: nothing stale is left.
    drop(held);
    ok(&env, &["build", "web"]);
}

// ----------------------------------------------------------------- hooks

const HOOKS: &str = r#"APP="Media box"
GREETING=hello
OPT_RAM=256
HOOK_preBuild() { echo "preBuild CTID=$CTID ROOT_DIR=$ROOT_DIR ROOT_PATH=$ROOT_PATH CTCONF=$CTCONF RAM=$RAM GREETING=$GREETING"; }
HOOK_postBuild() { echo "postBuild CTID=$CTID"; }
HOOK_customMounts() {
    local -n m=$1
    m+=("--mp3 $MEDIA_DIR,mp=/media")
    m+=(--mp4 "$ROOT_PATH/extra,mp=/extra")
}
HOOK_customMapping() {
    echo "lxc.cgroup2.devices.allow: c 189:* rwm" >> "$CTCONF"
    echo "lxc.mount.entry: /dev/bus/usb dev/bus/usb none bind,optional,create=dir" >> "$CTCONF"
}
"#;

#[test]
fn every_hook_kind_runs_where_it_should() {
    let env = setup();
    let media = env.tmp.path().canonicalize().unwrap().join("media");
    std::fs::create_dir_all(&media).unwrap();
    write_container(&env, "web", HOOKS);
    env.write("web/extra/README", "extra\n");
    env.commit("hooks");
    env.write("web/.env", &format!("MEDIA_DIR={}\n", media.display()));
    let out = ok(&env, &["build", "web"]);
    let err = stderr_of(&out);
    let root = env.path("web");
    let conf = env.state.join("pve/lxc/100.conf");
    assert!(
        err.contains(&format!(
            "preBuild CTID=100 ROOT_DIR=web ROOT_PATH={} CTCONF={} RAM=256 GREETING=hello",
            root.display(),
            conf.display()
        )),
        "{err}"
    );
    assert!(err.contains("postBuild CTID=100"), "{err}");
    let create = fakes::calls(&env)
        .into_iter()
        .find(|c| c.argv.first().map(String::as_str) == Some("create"))
        .unwrap();
    let argv = create.argv.join(" ");
    assert!(
        argv.contains(&format!("--mp3 {},mp=/media", media.display())),
        "{argv}"
    );
    assert!(
        argv.contains(&format!("--mp4 {}/extra,mp=/extra", root.display())),
        "{argv}"
    );
    assert!(
        argv.contains(&format!("--mp0 {}/data,mp=/usr/local/data", root.display())),
        "{argv}"
    );
    let text = fakes::conf(&env, 100).unwrap();
    assert!(
        text.contains("lxc.cgroup2.devices.allow: c 189:* rwm"),
        "{text}"
    );
    assert!(text.contains("lxc.mount.entry: /dev/bus/usb"), "{text}");
    assert!(text.contains(&format!("mp3: {},mp=/media", media.display())));
    // The hooks ran in order: preBuild first, postBuild before the record.
    let pre = err.find("preBuild CTID").unwrap();
    let post = err.find("postBuild CTID").unwrap();
    assert!(pre < post);
}

#[test]
fn map_1_maps_the_id_and_allows_it_once() {
    let env = with_web("OPT_OSTYPE=debian\nOPT_MAP=1\n");
    let etc = fakes::subid_dir(&env);
    std::fs::write(etc.join("subuid"), "root:100000:65536\n").unwrap();
    std::fs::write(etc.join("subgid"), "root:100000:65536\n").unwrap();
    ok(&env, &["build", "web"]);
    let text = fakes::conf(&env, 100).unwrap();
    for line in [
        "lxc.idmap: u 0 100000 1000",
        "lxc.idmap: u 1000 1000 1",
        "lxc.idmap: u 1001 101001 64535",
        "lxc.idmap: g 0 100000 1000",
        "lxc.idmap: g 1000 1000 1",
        "lxc.idmap: g 1001 101001 64535",
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    ok(&env, &["rebuild", "web", "--yes"]);
    for f in ["subuid", "subgid"] {
        let t = std::fs::read_to_string(etc.join(f)).unwrap();
        assert_eq!(t, "root:100000:65536\nroot:1000:1\n", "{f}");
    }
    let text = fakes::conf(&env, 100).unwrap();
    assert_eq!(
        text.matches("lxc.idmap: u 1000 1000 1").count(),
        1,
        "{text}"
    );
}

// ----------------------------------------------------------- CTID reuse

#[test]
fn the_ctid_is_found_again_by_the_record() {
    let env = with_web("APP=Web\n");
    env.write("web/.env", "OPT_CTID=321\n");
    ok(&env, &["build", "web"]);
    assert!(fakes::exists(&env, 321));
    std::fs::remove_file(env.path("web/.env")).unwrap();
    fakes::clear_calls(&env);
    let out = ok(&env, &["rebuild", "web", "--yes"]);
    assert!(stderr_of(&out).contains("CT 321"));
    let lines = fakes::call_lines(&env);
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("pvesh get /cluster/nextid")),
        "{lines:?}"
    );
    assert!(lines.contains(&"pct destroy 321".to_string()), "{lines:?}");
    assert!(
        fakes::record_line(&env, 321)
            .unwrap()
            .contains(" state=built ")
    );
    assert!(!fakes::exists(&env, 100));
}

// ------------------------------------------------------------------- logs

#[test]
fn build_logs_are_kept_under_the_git_dir_twenty_at_most() {
    let env = with_web("APP=Web\n");
    let dir = env.path(".git/lxc/logs/web");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..25 {
        std::fs::write(
            dir.join(format!("20200101T0000{i:02}Z-000000000000.log")),
            "old\n",
        )
        .unwrap();
    }
    ok(&env, &["build", "web"]);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 20, "{files:?}");
    let newest = files.last().unwrap();
    let short = &env.head()[..12];
    assert!(newest.ends_with(&format!("Z-{short}.log")), "{newest}");
    // YYYYMMDDTHHMMSS.mmmZ
    let stamp = &newest[..20];
    assert!(
        stamp.as_bytes()[8] == b'T' && stamp.as_bytes()[15] == b'.' && stamp.ends_with('Z'),
        "{stamp}"
    );
    let text = std::fs::read_to_string(dir.join(newest)).unwrap();
    assert!(text.contains("pct create 100"), "{text}");
    assert!(text.contains("result: built"), "{text}");
    // Nothing in the work tree.
    assert_eq!(env.git(&["status", "--porcelain", "--ignored"]), "");
}

// ---------------------------------------------------------------- destroy

#[test]
fn destroy_stops_and_destroys_but_keeps_data() {
    let env = with_web("APP=Web\n");
    env.write("web/data/keep.txt", "precious\n");
    ok(&env, &["build", "web"]);
    fakes::clear_calls(&env);
    let err = code(&env, &["destroy", "web"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
    ok(&env, &["destroy", "web", "--yes"]);
    assert_eq!(
        fakes::changing_calls(&env),
        strs(&[
            "pct shutdown 100 --timeout 60",
            "pct set 100 --protection 0",
            "pct destroy 100 --purge 1"
        ])
    );
    assert!(!fakes::exists(&env, 100));
    assert_eq!(env.read("web/data/keep.txt"), "precious\n");
}

#[test]
fn destroy_refuses_a_container_not_built_from_the_folder() {
    let env = with_web("OPT_CTID=150\n");
    fakes::put_container(&env, 150, "other", &record_of("other"), true);
    refused(
        &env,
        &["destroy", "web", "--yes"],
        "was not built from 'web'",
    );
    assert!(fakes::exists(&env, 150));
}

// ------------------------------------------------------- rebuild details

#[test]
fn rebuild_asks_before_replacing_a_ctid_it_did_not_build() {
    let env = with_web("OPT_CTID=151\n");
    fakes::put_container(&env, 151, "manual", "set up by hand", true);
    let err = code(&env, &["rebuild", "web", "--force"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
    assert!(fakes::running(&env, 151));
}

#[test]
fn a_container_that_will_not_shut_down_is_stopped() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    fakes::rules(
        &env,
        json!([{"match": ["pct", "shutdown"], "exit": 255, "stderr": "container did not stop"}]),
    );
    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "web", "--yes"]);
    let changing = fakes::changing_calls(&env);
    assert_eq!(
        changing[..2],
        strs(&["pct shutdown 100 --timeout 60", "pct stop 100"])
    );
    assert!(changing.contains(&"pct destroy 100".to_string()));
}

#[test]
fn a_new_container_does_not_take_a_ctid_another_folder_reserved() {
    let env = setup();
    write_container(&env, "alpha", "APP=A\n");
    write_container(&env, "beta", "OPT_CTID=100\n");
    env.commit("two");
    ok(&env, &["rebuild", "--all", "--yes"]);
    assert!(fakes::record_line(&env, 100).unwrap().contains("name=beta"));
    assert!(
        fakes::record_line(&env, 101)
            .unwrap()
            .contains("name=alpha")
    );
}

#[test]
fn two_builds_within_a_second_keep_two_logs() {
    let env = with_web("HOOK_preBuild() { echo stopping here; false; }\n");
    code(&env, &["build", "web"], 1);
    code(&env, &["build", "web"], 1);
    let logs = std::fs::read_dir(env.path(".git/lxc/logs/web"))
        .unwrap()
        .count();
    assert_eq!(logs, 2);
}

// ------------------------------------------------------ tree identity

/// A second, unrelated repository driving the same (fake) host as `host`.
fn second_repo_on(host: &Env) -> Env {
    let env = Env::new();
    fakes::install(&env);
    let cfg = json!({ "state": host.state });
    std::fs::write(env.bin.join("fakehost.json"), cfg.to_string()).unwrap();
    env.write(".gitignore", GITIGNORE);
    write_container(&env, "web", "APP='Other web'\n");
    env.commit("another tree's web");
    env
}

fn on(host: &Env, env: &Env, args: &[&str]) -> std::process::Output {
    fakes::lxc(env)
        .env("GIT_LXC_PVE_DIR", host.state.join("pve"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn another_repository_never_touches_this_trees_container() {
    let host = with_web("APP=Web\n");
    ok(&host, &["build", "web"]);
    let ours = fakes::record_line(&host, 100).unwrap();
    let other = second_repo_on(&host);
    assert_ne!(other.tree_id(), host.tree_id());

    fakes::clear_calls(&host);
    let out = on(&host, &other, &["destroy", "web", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("no container on this host was built from 'web'"));
    let out = on(&host, &other, &["rebuild", "--changed", "--yes"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("Never built"),
        "{}",
        stderr_of(&out)
    );
    let out = on(&host, &other, &["status", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["state"], "absent");
    assert!(fakes::changing_calls(&host).is_empty());

    // Its own rebuild makes its own container and leaves ours alone.
    let out = on(&host, &other, &["rebuild", "web", "--yes"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let changing = fakes::changing_calls(&host);
    assert!(!changing.iter().any(|c| c.contains(" 100")), "{changing:?}");
    assert_eq!(fakes::record_line(&host, 100).unwrap(), ours);
    assert!(fakes::running(&host, 100));
    assert!(
        fakes::record_line(&host, 101)
            .unwrap()
            .contains(&other.tree_id())
    );

    // A CTID taken by the other tree is refused, naming that tree.
    env_set_ctid(&other, 100);
    let out = on(&host, &other, &["rebuild", "web", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains(&format!("another tree ({})", host.tree_id())),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(fakes::record_line(&host, 100).unwrap(), ours);
}

fn env_set_ctid(env: &Env, id: u32) {
    env.write(
        "web/configSettings",
        &format!("APP='Other web'\nOPT_CTID={id}\n"),
    );
    env.commit("take a CTID");
}

#[test]
fn a_folder_name_that_is_no_container_name_is_refused_naming_it() {
    let env = setup();
    write_container(&env, "my box", "OPT_HOST=mybox\n");
    write_container(&env, "my", "APP=My\n");
    env.commit("two folders");
    fakes::clear_calls(&env);
    let err = code(&env, &["build", "my box"], 2);
    assert!(
        err.contains("the folder 'my box' cannot be a container: a container name holds only letters, digits, '.', '_' and '-', not ' '"),
        "{err}"
    );
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
    // The other folder builds; the bad one is named, never cut to `my`.
    let out = ok(&env, &["build", "my"]);
    assert!(
        stderr_of(&out).contains("the folder 'my box' holds a configSettings but is skipped"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("my", "alpine-3.22", "built")
    );
}

#[test]
fn set_overrides_go_into_the_record_and_count_as_dirty() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    ok(&env, &["rebuild", "web", "--yes", "--set", "RAM=256"]);
    let record = fakes::record_line(&env, 100).unwrap();
    assert!(record.ends_with(" dirty set=RAM=256"), "{record}");
    let out = ok(&env, &["status", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["dirty"], true, "{rows}");
    // --changed rebuilds it: a build with overrides is not what the commit says.
    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "--changed", "--yes"]);
    assert!(fakes::changing_calls(&env).contains(&"pct destroy 100".to_string()));
}
