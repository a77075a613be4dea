//! A rebuild never leaves the service without a container: the old one is
//! backed up before it is destroyed and restored when the new build fails.

use serde_json::json;

use super::{code, ok, with_web};
use crate::fakes;

/// Make the next provisioning script fail, as a broken build script does.
fn break_the_build(env: &crate::support::Env, also: serde_json::Value) {
    let mut rules = vec![
        json!({"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
        "exit": 9, "stderr": "build-target.sh: line 2: exit 9", "times": 1}),
    ];
    if !also.is_null() {
        rules.push(also);
    }
    fakes::rules(env, serde_json::Value::Array(rules));
}

/// The volume ids of the backups the fake storage `local` holds.
fn backups(env: &crate::support::Env) -> Vec<String> {
    let dump = env.state.join("dump/local");
    let mut files: Vec<String> = std::fs::read_dir(&dump)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".tar.zst"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_failing_rebuild_restores_the_previous_build() {
    let env = with_web("APP=Web\n");
    env.write("web/data/state.db", "precious\n");
    ok(&env, &["build", "web"]);
    let v1 = fakes::record_line(&env, 100).unwrap();
    assert!(fakes::conf_value(&env, 100, "protection").as_deref() == Some("1"));

    env.write("web/build-target.sh", "#!/bin/bash\nexit 9\n");
    env.commit("v2 breaks");
    break_the_build(&env, serde_json::Value::Null);
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    let changing = fakes::changing_calls(&env);
    let at = |s: &str| {
        changing
            .iter()
            .position(|c| c.starts_with(s))
            .unwrap_or_else(|| panic!("no `{s}` in {changing:#?}"))
    };
    assert!(at("vzdump 100") < at("pct destroy 100"));
    assert!(at("pct destroy 100") < at("pct create 100"));
    assert!(at("pct exec 100 --keep-env 0 -- bash -s") < at("pct restore 100"));
    let restore = at("pct restore 100");
    assert!(
        changing[restore..].iter().any(|c| c == "pct start 100"),
        "{changing:#?}"
    );
    assert!(
        changing[at("pct restore 100")].contains(" --force 1 --storage local-lvm"),
        "{changing:#?}"
    );
    assert!(
        err.contains("the previous build (commit ") && err.contains("is running again as CT 100"),
        "{err}"
    );
    // The previous build runs again with its own record and protection.
    assert_eq!(fakes::record_line(&env, 100).unwrap(), v1);
    assert!(fakes::running(&env, 100));
    assert_eq!(
        fakes::conf_value(&env, 100, "protection").as_deref(),
        Some("1")
    );
    assert_eq!(env.read("web/data/state.db"), "precious\n");
    let log = std::fs::read_dir(env.path(".git/lxc/logs/web"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let log = std::fs::read_to_string(log).unwrap();
    assert!(
        log.contains("result: failed step=provision restored=local:backup/vzdump-lxc-100-"),
        "{log}"
    );

    // The next good rebuild works and keeps two backups at most.
    env.write("web/build-target.sh", "#!/bin/bash\necho fixed\n");
    env.commit("v3");
    // (backup names carry the time to the second, as vzdump's do)
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(&env, &["rebuild", "web", "--yes"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(&env, &["rebuild", "web", "--yes"]);
    assert_eq!(backups(&env).len(), 2, "{:?}", backups(&env));
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" state=built ")
    );

    // Every build is in the notes, newest first, with its result and backup.
    let out = ok(&env, &["history", "web", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), 4, "{entries:#}");
    assert_eq!(results[0], "built");
    assert!(
        results[2].starts_with("failed at provision, restored local:backup/vzdump-lxc-100-"),
        "{results:?}"
    );
    assert_eq!(results[3], "built");
    assert!(
        entries[2]["backup"]
            .as_str()
            .unwrap()
            .starts_with("local:backup/")
    );
    let log = env.git(&["log", "--notes=lxc", "--format=%N", "-1", "HEAD~1"]);
    assert!(log.contains("result=failed%20at%20provision"), "{log}");
}

#[test]
fn a_restore_that_fails_says_what_exists_and_how_to_restore_by_hand() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    env.write("web/build-target.sh", "#!/bin/bash\nexit 9\n");
    env.commit("v2 breaks");
    break_the_build(
        &env,
        json!({"match": ["pct", "restore"], "exit": 255,
               "stderr": "unable to restore CT 100 - no space left", "times": 1}),
    );
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    assert!(
        err.contains("restoring the backup local:backup/vzdump-lxc-100-"),
        "{err}"
    );
    assert!(
        err.contains("unable to restore CT 100 - no space left"),
        "{err}"
    );
    assert!(err.contains("CT 100 holds the failed build"), "{err}");
    assert!(
        err.contains("restore it by hand: pct restore 100 local:backup/vzdump-lxc-100-"),
        "{err}"
    );
    assert!(fakes::exists(&env, 100));
    assert_eq!(backups(&env).len(), 1);
}

#[test]
fn without_backup_a_failed_rebuild_keeps_the_new_container_for_inspection() {
    let env = with_web("APP=Web\nOPT_BACKUP=0\n");
    ok(&env, &["build", "web"]);
    env.write("web/build-target.sh", "#!/bin/bash\nexit 9\n");
    env.commit("v2 breaks");
    break_the_build(&env, serde_json::Value::Null);
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    let changing = fakes::changing_calls(&env);
    assert!(
        !changing.iter().any(|c| c.starts_with("vzdump")),
        "{changing:#?}"
    );
    assert!(
        err.contains("CT 100 is kept for inspection with state failed"),
        "{err}"
    );
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" state=failed ")
    );
}

#[test]
fn a_backup_that_fails_leaves_the_old_container_running_and_protected() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    let before = fakes::record_line(&env, 100).unwrap();
    fakes::rules(
        &env,
        json!([{"match": ["vzdump"], "exit": 255,
                "stderr": "could not get storage information for 'local'", "times": 1}]),
    );
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    assert!(err.contains("failed at step 'back up CT 100"), "{err}");
    assert!(
        err.contains("CT 100 was not destroyed and runs again as it was"),
        "{err}"
    );
    let changing = fakes::changing_calls(&env);
    assert!(
        !changing.iter().any(|c| c.starts_with("pct destroy")),
        "{changing:#?}"
    );
    assert!(fakes::running(&env, 100));
    assert_eq!(fakes::record_line(&env, 100).unwrap(), before);
    assert_eq!(
        fakes::conf_value(&env, 100, "protection").as_deref(),
        Some("1")
    );
}

#[test]
fn rollback_after_a_good_rebuild_brings_back_the_build_before_it() {
    let env = with_web("APP=Web\n");
    env.write("web/data/state.db", "precious\n");
    ok(&env, &["build", "web"]);
    let v1 = fakes::record_line(&env, 100).unwrap();
    env.write("web/build-target.sh", "#!/bin/bash\necho v2\n");
    env.commit("v2");
    ok(&env, &["rebuild", "web", "--yes"]);
    let v2 = fakes::record_line(&env, 100).unwrap();
    assert_ne!(v1, v2);

    // Backup names carry the time to the second (as vzdump's do): one per
    // second at most.
    let next_second = || std::thread::sleep(std::time::Duration::from_millis(1100));
    next_second();
    let err = code(&env, &["rollback", "web"], 2);
    assert!(err.contains("--yes"), "{err}");
    fakes::clear_calls(&env);
    let out = ok(&env, &["rollback", "web", "--yes"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("runs the build of local:backup/vzdump-lxc-100-"),
        "{said}"
    );
    assert_eq!(fakes::record_line(&env, 100).unwrap(), v1);
    assert!(fakes::running(&env, 100));
    assert_eq!(
        fakes::conf_value(&env, 100, "protection").as_deref(),
        Some("1")
    );
    assert_eq!(env.read("web/data/state.db"), "precious\n");
    let changing = fakes::changing_calls(&env);
    let at = |s: &str| changing.iter().position(|c| c.starts_with(s)).unwrap();
    assert!(at("vzdump 100") < at("pct restore 100"), "{changing:#?}");
    let history = ok(&env, &["history", "web", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(entries[0]["result"], "rolled back", "{entries:#}");

    // Rolled back twice, it is v2 again (the rollback backed v2 up).
    next_second();
    ok(&env, &["rollback", "web", "--yes"]);
    assert_eq!(fakes::record_line(&env, 100).unwrap(), v2);
    let err = code(
        &env,
        &["rollback", "web", "--yes", "--to", "deadbeef0000"],
        2,
    );
    assert!(
        err.contains("no backup of 'web' is named deadbeef0000"),
        "{err}"
    );
}

#[test]
fn a_failing_healthcheck_fails_the_rebuild_and_restores_the_previous_build() {
    let env = with_web("APP=Web\nOPT_HEALTHCHECK='wget -q -O- http://localhost/'\n");
    ok(&env, &["build", "web"]);
    let v1 = fakes::record_line(&env, 100).unwrap();
    env.write("web/build-target.sh", "#!/bin/bash\necho v2\n");
    env.commit("v2");
    fakes::rules(
        &env,
        json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "sh", "-c"],
                "exit": 8, "stderr": "wget: server returned error: HTTP/1.1 502"}]),
    );
    fakes::clear_calls(&env);
    let err = fakes::lxc(&env)
        .env("GIT_LXC_HEALTH_TIMEOUT", "3")
        .args(["rebuild", "web", "--yes"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&err.stderr);
    assert_eq!(err.status.code(), Some(1), "{said}");
    assert!(
        said.contains("HEALTHCHECK still failed after 3 s (exit 8)"),
        "{said}"
    );
    assert!(said.contains("HTTP/1.1 502"), "{said}");
    assert!(said.contains("is running again as CT 100"), "{said}");
    let probes = fakes::call_lines(&env)
        .iter()
        .filter(|l| l.contains("-- sh -c wget"))
        .count();
    assert!(probes >= 2, "HEALTHCHECK was not retried: {probes}");
    assert_eq!(fakes::record_line(&env, 100).unwrap(), v1);
}

#[test]
fn a_full_backup_storage_stops_the_rebuild_before_anything_changes() {
    let env = with_web("APP=Web\nOPT_DISK=2\n");
    ok(&env, &["build", "web"]);
    let cfg = json!({
        "state": env.state,
        "storages": {"local": {"total": 1073741824u64, "used": 966367641u64}},
    });
    std::fs::write(env.bin.join("fakehost.json"), cfg.to_string()).unwrap();
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    assert!(
        err.contains("BACKUPSTORE 'local' has 0.1 GiB free, 2 GiB needed"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
    assert!(fakes::running(&env, 100));
}
