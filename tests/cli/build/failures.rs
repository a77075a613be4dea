//! Failing steps and secrets: what is recorded, what is kept, what is shown.

use serde_json::json;

use super::{CANARY, code, ok, record_of, with_web};
use crate::fakes;
use crate::support::{Env, stderr_of, stdout_of};

fn failing_env() -> Env {
    let env = with_web(
        "HOOK_preBuild() { [ -z \"$FAIL_PRE\" ]; }\nHOOK_customMapping() { [ -z \"$FAIL_MAP\" ]; }\n",
    );
    env.write("web/data/keep.txt", "precious\n");
    fakes::put_container(&env, 200, "other", &record_of("other"), true);
    env
}

#[track_caller]
fn fails_at(env: &Env, args: &[&str], step: &str, record: Option<&str>) {
    let err = code(env, args, 1);
    assert!(
        err.contains(&format!("failed at step '{step}")),
        "step {step}:\n{err}"
    );
    match record {
        Some(state) => assert_eq!(
            fakes::record_line(env, 100).unwrap(),
            env.record("web", "alpine-3.22", state)
        ),
        None => assert!(!fakes::exists(env, 100), "CT 100 must not exist"),
    }
    if record == Some("failed") {
        let d = fakes::description(env, 100).unwrap();
        assert!(d.contains(&format!("failed** at step: {step}")), "{d}");
    }
    assert_eq!(env.read("web/data/keep.txt"), "precious\n");
    assert!(fakes::exists(env, 200) && fakes::running(env, 200));
    assert!(
        !fakes::changing_calls(env)
            .iter()
            .any(|c| c.contains(" 200")),
        "CT 200 was touched"
    );
}

#[test]
fn a_failing_create_or_start_is_reported_and_recorded() {
    let env = failing_env();
    fakes::rules(
        &env,
        json!([{"match": ["pct", "create"], "exit": 255,
                "stderr": "unable to create CT 100 - no space left", "times": 1}]),
    );
    fails_at(&env, &["build", "web"], "create CT 100", None);
    fakes::rules(
        &env,
        json!([{"match": ["pct", "start", "100"], "exit": 255,
                "stderr": "startup for container '100' failed", "times": 1}]),
    );
    let err = code(&env, &["build", "web"], 1);
    assert!(err.contains("startup for container '100' failed"), "{err}");
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" state=failed ")
    );
    fakes::rules(
        &env,
        json!([{"match": ["pct", "start", "100"], "exit": 255,
                "stderr": "startup for container '100' failed"}]),
    );
    fails_at(
        &env,
        &["rebuild", "web", "--yes"],
        "start CT 100",
        Some("failed"),
    );
    assert!(!fakes::running(&env, 100));
    // The next rebuild finds the failed CT by its record and replaces it.
    fakes::rules(&env, json!([]));
    ok(&env, &["rebuild", "web", "--yes"]);
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" state=built ")
    );
}

#[test]
fn a_failing_hook_stops_the_build_at_its_step() {
    let env = failing_env();
    env.write("web/.env", "FAIL_PRE=1\n");
    fails_at(&env, &["build", "web"], "run HOOK_preBuild", None);
    env.write("web/.env", "FAIL_MAP=1\n");
    fails_at(
        &env,
        &["build", "web"],
        "run HOOK_customMapping",
        Some("failed"),
    );
    assert!(
        !fakes::calls(&env)
            .iter()
            .any(|c| c.line() == "pct start 100")
    );
}

#[test]
fn a_failing_build_script_is_recorded() {
    let env = failing_env();
    fakes::rules(
        &env,
        json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
                "exit": 1, "stdout": "apk: package not found"}]),
    );
    fails_at(
        &env,
        &["build", "web"],
        "run the provisioning script",
        Some("failed"),
    );
    assert!(fakes::running(&env, 100), "kept running for inspection");
}

// --------------------------------------------------------------- secrets

#[test]
fn secrets_reach_only_the_script_stdin() {
    let env = with_web(
        "OPT_VERBOSE=1\nDB_USER=app\nHOOK_preBuild() { echo \"pre sees $DB_PASSWORD\"; }\n",
    );
    env.write("web/.env", &format!("DB_PASSWORD={CANARY}\n"));
    fakes::rules(
        &env,
        json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
                "exit": 0, "stdout": format!("+ echo {CANARY}\n{CANARY}\nconnected")}]),
    );
    let plan = ok(&env, &["plan", "web"]);
    let build = ok(&env, &["build", "web"]);
    let mut terminal = String::new();
    for out in [&plan, &build] {
        terminal.push_str(&stdout_of(out));
        terminal.push_str(&stderr_of(out));
    }
    assert!(terminal.contains("connected"), "{terminal}");
    assert!(terminal.contains("pre sees ********"), "{terminal}");
    assert!(!terminal.contains(CANARY), "{terminal}");

    let calls = fakes::calls(&env);
    for c in &calls {
        assert!(!c.line().contains(CANARY), "argv leaks: {}", c.line());
        for (k, v) in &c.env {
            assert!(!v.contains(CANARY) && !k.contains(CANARY), "env leaks: {k}");
        }
        let keys: Vec<&str> = c.env.keys().map(String::as_str).collect();
        for k in keys {
            assert!(
                ["PATH", "LANG", "TERM", "LC_CTYPE"].contains(&k),
                "{} got {k}",
                c.line()
            );
        }
    }
    let stdin = calls
        .iter()
        .find_map(|c| c.stdin())
        .expect("bash -s got the script");
    assert!(stdin.contains(&format!("DB_PASSWORD={CANARY}")));
    assert!(!fakes::description(&env, 100).unwrap().contains(CANARY));
    assert!(!fakes::conf(&env, 100).unwrap().contains(CANARY));
    let logs = env.path(".git/lxc/logs/web");
    let mut n = 0;
    for f in std::fs::read_dir(&logs).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        assert!(!text.contains(CANARY), "log leaks:\n{text}");
        assert!(text.contains("connected"));
        n += 1;
    }
    assert_eq!(n, 1);

    // A failure that prints the secret does not show it either.
    fakes::rules(
        &env,
        json!([{"match": ["pct", "destroy"], "exit": 255,
                "stderr": format!("cannot remove {CANARY}")}]),
    );
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    assert!(err.contains("cannot remove ********"), "{err}");
}

#[test]
fn custom_mapping_may_only_append_to_the_config() {
    let env =
        with_web("HOOK_customMapping() { sed -i 's/^memory: .*/memory: 9999/' \"$CTCONF\"; }\n");
    env.write("web/data/keep.txt", "precious\n");
    fakes::put_container(&env, 200, "other", &record_of("other"), true);
    fails_at(
        &env,
        &["build", "web"],
        "run HOOK_customMapping",
        Some("failed"),
    );
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    assert!(err.contains("may only append"), "{err}");
    let conf = fakes::conf(&env, 100).unwrap();
    assert!(!conf.contains("memory: 9999"), "{conf}");
}
