//! `status`, `diff`, `logs` and `rebuild --changed` against the fakes.

use serde_json::Value;
use snapbox::str;

use crate::fakes;
use crate::support::{Env, GITIGNORE, stderr_of, stdout_of};

/// Three containers (a, b, c), a and b built, then one commit changing a
/// built container's conf/ and one changing the unbuilt one.
fn two_of_three_built() -> (Env, String) {
    let env = Env::new();
    fakes::install(&env);
    name_the_node(&env, "pve1");
    env.write(".gitignore", GITIGNORE);
    for (name, id) in [("a", 201), ("b", 202), ("c", 203)] {
        env.write(
            &format!("{name}/configSettings"),
            &format!("OPT_CTID={id}\nOPT_NET=manual\n"),
        );
        env.write(
            &format!("{name}/build-target.sh"),
            "#!/bin/bash\necho provisioning\n",
        );
        env.write(&format!("{name}/conf/app.conf"), "v1\n");
    }
    let built_at = env.commit("three containers");
    for name in ["a", "b"] {
        fakes::lxc(&env).args(["build", name]).assert().success();
    }
    env.write("b/conf/app.conf", "v2\n");
    env.commit("tune b");
    env.write("c/conf/app.conf", "v2\n");
    env.commit("tune c");
    (env, built_at)
}

/// The node's name as Proxmox shows it: `/etc/pve/local` links to
/// `nodes/NODE`.
fn name_the_node(env: &Env, node: &str) {
    let pve = env.state.join("pve");
    std::fs::create_dir_all(pve.join("nodes").join(node)).unwrap();
    std::os::unix::fs::symlink(format!("nodes/{node}"), pve.join("local")).unwrap();
}

fn status_json(env: &Env, cwd: &std::path::Path) -> Vec<Value> {
    let out = fakes::lxc(env)
        .current_dir(cwd)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_str::<Value>(&stdout_of(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn row<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter().find(|r| r["name"] == name).unwrap()
}

#[test]
fn status_reports_drift_and_rebuild_changed_recreates_only_the_changed_one() {
    let (env, built_at) = two_of_three_built();
    // a and b record the commit they were built from ([BUILT]); c was never
    // built. The JSON is on stdout alone.
    env.run(fakes::lxc(&env).args(["status", "--json"]))
        .redact("[BUILT]", &built_at)
        .code(0)
        .stdout(str![[r#"
[
  {
    "name": "a",
    "ctid": 201,
    "state": "running",
    "commit": "[BUILT]",
    "behind": 0,
    "dirty": false,
    "ip": null,
    "managed": true,
    "os": "alpine-3.22",
    "newer_os": null,
    "built_at": "[TIME]",
    "subject": "three containers",
    "node": "pve1"
  },
  {
    "name": "b",
    "ctid": 202,
    "state": "running",
    "commit": "[BUILT]",
    "behind": 1,
    "dirty": false,
    "ip": null,
    "managed": true,
    "os": "alpine-3.22",
    "newer_os": null,
    "built_at": "[TIME]",
    "subject": "three containers",
    "node": "pve1"
  },
  {
    "name": "c",
    "ctid": 203,
    "state": "absent",
    "commit": null,
    "behind": null,
    "dirty": false,
    "ip": null,
    "managed": true,
    "os": null,
    "newer_os": null,
    "built_at": null,
    "subject": null,
    "node": "pve1"
  }
]

"#]])
        .stderr(str![""]);
    env.run(fakes::lxc(&env).arg("status"))
        .redact("[BUILT]", &built_at)
        .code(0)
        .stdout(str![[r#"
NAME  CTID  STATE    COMMIT        AGE  DRIFT       IP  SUBJECT
a     201   running  [BUILT]  [..]m   up to date  -   three containers
b     202   running  [BUILT]  [..]m   1 behind    -   three containers
c     203   absent   -             -    -           -   -

"#]])
        .stderr(str![""]);

    fakes::clear_calls(&env);
    let out = fakes::lxc(&env)
        .args(["rebuild", "--changed", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("Never built"),
        "{}",
        stderr_of(&out)
    );
    let changing = fakes::changing_calls(&env);
    assert!(
        changing.iter().any(|c| c.starts_with("pct destroy 202")),
        "{changing:?}"
    );
    assert!(
        changing.iter().any(|c| c.starts_with("pct create 202")),
        "{changing:?}"
    );
    assert!(
        !changing
            .iter()
            .any(|c| c.contains(" 201") || c.contains(" 203")),
        "{changing:?}"
    );

    env.run(fakes::lxc(&env).arg("status"))
        .redact("[BUILT]", &built_at)
        .redact("[HEAD]", env.head())
        .code(0)
        .stdout(str![[r#"
NAME  CTID  STATE    COMMIT        AGE  DRIFT       IP  SUBJECT
a     201   running  [BUILT]  [..]m   up to date  -   three containers
b     202   running  [HEAD]  [..]m   up to date  -   tune c
c     203   absent   -             -    -           -   -

"#]])
        .stderr(str![""]);
    let rows = status_json(&env, &env.repo);
    assert_eq!(row(&rows, "b")["behind"], 0);
    assert_eq!(row(&rows, "b")["commit"], env.head().as_str());
    assert_eq!(row(&rows, "c")["state"], "absent");
}

#[test]
fn status_works_from_a_sub_folder_without_env_and_in_few_host_calls() {
    let (env, _) = two_of_three_built();
    fakes::clear_calls(&env);
    let rows = status_json(&env, &env.path("b/conf"));
    assert_eq!(rows.len(), 3);
    let calls = fakes::calls(&env);
    assert!(
        calls.len() <= 4,
        "status made {} host calls: {:?}",
        calls.len(),
        fakes::call_lines(&env)
    );
    assert!(fakes::changing_calls(&env).is_empty());
}

#[test]
fn status_marks_uncommitted_folders_and_orphans() {
    let (env, built_at) = two_of_three_built();
    env.write("a/conf/app.conf", "local edit\n");
    env.remove("b");
    env.commit("drop b");
    env.write("a/conf/app.conf", "local edit 2\n");
    env.run(fakes::lxc(&env).args(["status", "--json"]))
        .redact("[BUILT]", &built_at)
        .code(0)
        .stdout(str![[r#"
[
  {
    "name": "a",
    "ctid": 201,
    "state": "running",
    "commit": "[BUILT]",
    "behind": 1,
    "dirty": true,
    "ip": null,
    "managed": true,
    "os": "alpine-3.22",
    "newer_os": null,
    "built_at": "[TIME]",
    "subject": "three containers",
    "node": "pve1"
  },
  {
    "name": "c",
    "ctid": 203,
    "state": "absent",
    "commit": null,
    "behind": null,
    "dirty": false,
    "ip": null,
    "managed": true,
    "os": null,
    "newer_os": null,
    "built_at": null,
    "subject": null,
    "node": "pve1"
  },
  {
    "name": "b",
    "ctid": 202,
    "state": "running",
    "commit": "[BUILT]",
    "behind": null,
    "dirty": false,
    "ip": null,
    "managed": true,
    "os": "alpine-3.22",
    "newer_os": null,
    "built_at": "[TIME]",
    "subject": "three containers",
    "node": "pve1",
    "orphan": true
  }
]

"#]])
        .stderr(str![""]);
    env.run(fakes::lxc(&env).arg("status"))
        .redact("[BUILT]", &built_at)
        .code(0)
        .stdout(str![[r#"
NAME  CTID  STATE             COMMIT        AGE  DRIFT                  IP  SUBJECT
a     201   running           [BUILT]  [..]m   1 behind, uncommitted  -   three containers
c     203   absent            -             -    -                      -   -
b     202   running (orphan)  [BUILT]  [..]m   orphan: folder gone    -   three containers

"#]])
        .stderr(str![""]);
}

#[test]
fn diff_shows_changes_since_the_recorded_commit() {
    let (env, _) = two_of_three_built();
    let out = fakes::lxc(&env)
        .current_dir(env.path("a"))
        .args(["diff", "b", "--", "--stat"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("b/conf/app.conf"), "{text}");
    assert!(!text.contains("c/conf"), "{text}");
    let never = fakes::lxc(&env).args(["diff", "c"]).output().unwrap();
    assert_eq!(never.status.code(), Some(1));
}

#[test]
fn logs_list_and_print_saved_build_logs() {
    let (env, built_at) = two_of_three_built();
    fakes::rules(
        &env,
        serde_json::json!([{"match": ["pct", "exec", "201", "--keep-env", "0", "--", "bash"], "exit": 1, "stdout": "boom"}]),
    );
    let failed = fakes::lxc(&env)
        .args(["rebuild", "a", "--yes"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    let out = fakes::lxc(&env)
        .args(["logs", "a", "--list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let list = stdout_of(&out);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[1].contains("failed at provision"), "{list}");
    assert!(
        lines[2].contains(&built_at[..12]) && lines[2].contains("built"),
        "{list}"
    );
    let latest = fakes::lxc(&env).args(["logs", "a"]).output().unwrap();
    assert!(
        stdout_of(&latest).contains("| boom"),
        "{}",
        stdout_of(&latest)
    );
    let older = fakes::lxc(&env).args(["logs", "a", "2"]).output().unwrap();
    assert!(
        stdout_of(&older).contains("result: built"),
        "{}",
        stdout_of(&older)
    );
    let missing = fakes::lxc(&env).args(["logs", "a", "3"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// `web` built; `legacy` names CT 300 by OPT_CTID and `byname` is CT 301
/// by hostname, both made by hand, without a record.
fn tree_with_hand_made_containers() -> Env {
    let env = Env::new();
    fakes::install(&env);
    name_the_node(&env, "pve1");
    env.write(".gitignore", GITIGNORE);
    for (name, settings) in [
        ("web", "OPT_CTID=210\nOPT_NET=manual\n"),
        ("legacy", "OPT_CTID=300\n"),
        ("byname", "OPT_HOST=byname\n"),
    ] {
        env.write(&format!("{name}/configSettings"), settings);
        env.write(&format!("{name}/build-target.sh"), "#!/bin/bash\necho ok\n");
    }
    env.commit("web, legacy and byname");
    fakes::lxc(&env).args(["build", "web"]).assert().success();
    fakes::put_container(&env, 300, "legacy-ct", "made by hand", true);
    fakes::put_container(&env, 301, "byname", "", false);
    env
}

#[test]
fn status_shows_hand_made_containers_as_not_managed_and_newer_os_releases() {
    let env = tree_with_hand_made_containers();
    let newer = "alpine-3.23-default_20251201_amd64.tar.xz";
    std::fs::write(env.state.join("templates/local").join(newer), "").unwrap();
    let rows = status_json(&env, &env.repo);
    let web = row(&rows, "web");
    assert_eq!(web["managed"], true);
    assert_eq!(web["os"], "alpine-3.22");
    assert_eq!(web["newer_os"], "alpine-3.23");
    assert_eq!(web["subject"], "web, legacy and byname");
    assert_eq!(web["node"], "pve1");
    let built_at = web["built_at"].as_str().unwrap();
    assert!(
        regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
            .unwrap()
            .is_match(built_at),
        "{built_at}"
    );
    for (name, ctid, state) in [("legacy", 300, "running"), ("byname", 301, "stopped")] {
        let r = row(&rows, name);
        assert_eq!(
            (&r["managed"], &r["ctid"], &r["state"], &r["commit"]),
            (
                &Value::Bool(false),
                &Value::from(ctid),
                &Value::from(state),
                &Value::Null
            ),
            "{r}"
        );
    }
    env.run(fakes::lxc(&env).arg("status"))
        .code(0)
        .stdout(str![[r#"
NAME    CTID  STATE                  COMMIT        AGE  DRIFT                              IP  SUBJECT
byname  301   stopped (not managed)  -             -    not built by git-lxc               -   -
legacy  300   running (not managed)  -             -    not built by git-lxc               -   -
web     210   running                [HASH]  [..]m   up to date, alpine-3.23 available  -   web, legacy and byname

"#]])
        .stderr(str![[r#"
hint: git-lxc did not build CT 301 (byname); `git lxc adopt byname` takes it over

"#]]);
}

#[test]
fn status_exit_code_fails_for_cron_when_anything_needs_a_build() {
    let env = tree_with_hand_made_containers();
    // Not managed, so not up to date.
    env.run(fakes::lxc(&env).args(["status", "--exit-code", "-q", "legacy"]))
        .code(1)
        .stderr(str![[r#"
hint: git-lxc did not build CT 300 (legacy); `git lxc adopt legacy` takes it over

"#]]);
    // Built from the newest commit: fine; -q leaves the table on stdout.
    let up = env
        .run(fakes::lxc(&env).args(["status", "--exit-code", "-q", "web"]))
        .code(0)
        .stderr(str![""]);
    assert!(
        stdout_of(&up.out).starts_with("NAME "),
        "{}",
        stdout_of(&up.out)
    );
    // A commit touching the folder makes it out of date.
    env.write("web/conf/app.conf", "v2\n");
    env.commit("tune web");
    env.run(fakes::lxc(&env).args(["status", "--exit-code", "--json", "web"]))
        .code(1)
        .stderr(str![""]);
    // Absent counts too.
    env.remove("legacy");
    env.write("new/configSettings", "OPT_NET=manual\n");
    env.write("new/build-target.sh", "#!/bin/bash\necho ok\n");
    env.commit("new");
    env.run(fakes::lxc(&env).args(["status", "--exit-code", "new"]))
        .code(1);
}

#[test]
fn git_lxc_status_1_lists_every_json_key_with_its_type() {
    let (env, _) = two_of_three_built();
    env.remove("b");
    env.commit("drop b");
    let rows = status_json(&env, &env.repo);
    let (_, _, documented) = xtask::man_text::JSON
        .iter()
        .find(|(name, ..)| *name == "status")
        .unwrap();
    let page = &xtask::man::pages()
        .into_iter()
        .find(|(rel, _)| rel == "man/git-lxc-status.1")
        .unwrap()
        .1;
    let mut seen = std::collections::BTreeSet::new();
    for row in &rows {
        for key in row.as_object().unwrap().keys() {
            seen.insert(key.clone());
        }
    }
    assert!(seen.contains("orphan"), "{seen:?}");
    let listed: std::collections::BTreeSet<String> =
        documented.iter().map(|(k, ..)| k.to_string()).collect();
    assert_eq!(seen, listed);
    for (key, kind, _) in *documented {
        let tag = format!("{} ({})", xtask::man::bold(key), xtask::man::roff(kind));
        assert!(page.contains(&tag), "{tag}");
    }
}
