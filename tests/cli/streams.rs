//! Results on stdout, progress and advice on stderr: the commands work in
//! pipes and redirections, as a shell runs them.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::fakes;
use crate::support::{Env, GITIGNORE, stderr_of, stdout_of};

/// Run `script` in bash with git-lxc's folder first on PATH, the fakes'
/// environment, in the repository.
fn shell(env: &Env, script: &str) -> Output {
    let bin = assert_cmd::cargo::cargo_bin!("git-lxc");
    let path = format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        bin.parent().unwrap().display(),
        env.bin.display()
    );
    Command::new("bash")
        .args(["-o", "pipefail", "-c", script])
        .env_clear()
        .env("PATH", path)
        .env("HOME", &env.home)
        .env("LANG", "C.UTF-8")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_LXC_PVE_DIR", env.state.join("pve"))
        .env("GIT_LXC_IP_TIMEOUT", "1")
        .env("GIT_LXC_SUBID_DIR", fakes::subid_dir(env))
        .current_dir(&env.repo)
        .output()
        .unwrap()
}

/// `web` (built) and `db` (not), with a typo in db's settings.
fn tree() -> Env {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    env.write("web/configSettings", "OPT_CTID=240\nOPT_NET=manual\n");
    env.write(
        "web/build-target.sh",
        "#!/bin/bash\nfor i in $(seq 1 50); do echo line $i; done\n",
    );
    env.write(
        "db/configSettings",
        "OPT_CTID=241\nOPT_NET=manual\nOPT_MEMORY=512\n",
    );
    env.write("db/build-target.sh", "#!/bin/bash\necho ok\n");
    env.commit("web and db");
    fakes::lxc(&env).args(["build", "web"]).assert().success();
    env
}

#[test]
fn status_plan_logs_and_verify_work_in_pipes() {
    let env = tree();
    let out = shell(&env, "git-lxc status | grep '^web '");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains("running"), "{}", stdout_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 1);

    let out = shell(&env, "git-lxc plan web > plan.txt");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let plan = env.read("plan.txt");
    assert!(plan.starts_with("Plan for web → CT 240"), "{plan}");
    assert!(plan.contains("pct create 240"), "{plan}");
    assert!(
        !stderr_of(&out).contains("pct create"),
        "{}",
        stderr_of(&out)
    );
    std::fs::remove_file(env.path("plan.txt")).unwrap();

    // head closes the pipe early: no error, no panic, the first lines.
    let out = shell(&env, "git-lxc logs web | head -n 2");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 2);
    assert_eq!(stderr_of(&out), "");

    let out = shell(&env, "git-lxc verify | grep -c unknown-opt");
    assert_eq!(stdout_of(&out).trim(), "1", "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("1 error"), "{}", stderr_of(&out));

    // -q silences progress, never the result.
    let out = shell(&env, "git-lxc -q status web");
    assert!(stdout_of(&out).starts_with("NAME "), "{}", stdout_of(&out));
}

#[test]
fn logs_follow_a_build_running_in_another_terminal_until_it_ends() {
    let env = tree();
    // The provisioning step takes 3 s, so the log is read while it grows.
    fakes::rules(
        &env,
        serde_json::json!([{"match": ["pct", "exec", "240", "--keep-env", "0", "--", "bash"], "delay_ms": 3000}]),
    );
    let logs = env.repo.join(".git/lxc/logs/web");
    let before = std::fs::read_dir(&logs).unwrap().count();
    let build = {
        let mut cmd = fakes::lxc(&env);
        cmd.args(["rebuild", "web", "--yes"]);
        std::thread::spawn(move || cmd.output().unwrap())
    };
    let start = Instant::now();
    while std::fs::read_dir(&logs).unwrap().count() == before {
        assert!(start.elapsed() < Duration::from_secs(20), "no new log");
        std::thread::sleep(Duration::from_millis(50));
    }
    let followed = fakes::lxc(&env)
        .args(["logs", "-f", "web"])
        .output()
        .unwrap();
    let build = build.join().unwrap();
    assert!(build.status.success(), "{}", stderr_of(&build));
    assert!(followed.status.success(), "{}", stderr_of(&followed));
    let text = stdout_of(&followed);
    assert!(
        text.lines().last().unwrap().starts_with("result: built"),
        "{text}"
    );
    let saved = stdout_of(&fakes::lxc(&env).args(["logs", "web"]).output().unwrap());
    assert_eq!(text, saved);

    // Nothing running: the last log, and a word on stderr.
    let done = fakes::lxc(&env)
        .args(["logs", "-f", "web"])
        .output()
        .unwrap();
    assert!(done.status.success());
    assert_eq!(stdout_of(&done), saved);
}
