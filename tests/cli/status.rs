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
    "ip": null
  },
  {
    "name": "b",
    "ctid": 202,
    "state": "running",
    "commit": "[BUILT]",
    "behind": 1,
    "dirty": false,
    "ip": null
  },
  {
    "name": "c",
    "ctid": 203,
    "state": "absent",
    "commit": null,
    "behind": null,
    "dirty": false,
    "ip": null
  }
]

"#]])
        .stderr(str![""]);
    env.run(fakes::lxc(&env).arg("status"))
        .redact("[BUILT]", &built_at)
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
NAME  CTID  STATE    COMMIT        DRIFT       IP
a     201   running  [BUILT]  up to date  -
b     202   running  [BUILT]  1 behind    -
c     203   absent   -             -           -

"#]]);

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
        .stdout(str![""])
        .stderr(str![[r#"
NAME  CTID  STATE    COMMIT        DRIFT       IP
a     201   running  [BUILT]  up to date  -
b     202   running  [HEAD]  up to date  -
c     203   absent   -             -           -

"#]]);
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
        calls.len() <= 3,
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
    "ip": null
  },
  {
    "name": "c",
    "ctid": 203,
    "state": "absent",
    "commit": null,
    "behind": null,
    "dirty": false,
    "ip": null
  },
  {
    "name": "b",
    "ctid": 202,
    "state": "running",
    "commit": "[BUILT]",
    "behind": null,
    "dirty": false,
    "ip": null,
    "orphan": true
  }
]

"#]])
        .stderr(str![""]);
    env.run(fakes::lxc(&env).arg("status"))
        .redact("[BUILT]", &built_at)
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
NAME  CTID  STATE             COMMIT        DRIFT                  IP
a     201   running           [BUILT]  1 behind, uncommitted  -
c     203   absent            -             -                      -
b     202   running (orphan)  [BUILT]  orphan: folder gone    -

"#]]);
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
