//! `start`, `stop`, `restart` and `exec` by name, against the fakes.

use snapbox::str;

use crate::fakes;
use crate::support::{Env, GITIGNORE, stdout_of};

/// `blog` built as CT 230 (running); `other` names CT 231, made by hand.
fn blog() -> Env {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    env.write("blog/configSettings", "OPT_CTID=230\nOPT_NET=manual\n");
    env.write("blog/build-target.sh", "#!/bin/bash\necho ok\n");
    env.write("other/configSettings", "OPT_CTID=231\n");
    env.write("other/build-target.sh", "#!/bin/bash\necho ok\n");
    env.commit("blog");
    fakes::lxc(&env).args(["build", "blog"]).assert().success();
    fakes::put_container(&env, 231, "other", "", true);
    fakes::clear_calls(&env);
    env
}

fn changing(env: &Env) -> Vec<String> {
    let calls = fakes::changing_calls(env);
    fakes::clear_calls(env);
    calls
}

#[test]
fn stop_start_and_restart_drive_the_container_built_from_the_folder() {
    let env = blog();
    env.run(fakes::lxc(&env).args(["stop", "blog"]))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
✔ shut down CT 230 (blog)

"#]]);
    assert_eq!(changing(&env), ["pct shutdown 230 --timeout 60"]);
    assert!(!fakes::running(&env, 230));
    env.run(fakes::lxc(&env).args(["stop", "blog"]))
        .code(0)
        .stderr(str![[r#"
CT 230 (blog) is already stopped

"#]]);
    assert!(changing(&env).is_empty());
    env.run(fakes::lxc(&env).args(["start", "blog"]))
        .code(0)
        .stderr(str![[r#"
✔ started CT 230 (blog)

"#]]);
    assert_eq!(changing(&env), ["pct start 230"]);
    fakes::lxc(&env)
        .args(["restart", "blog"])
        .assert()
        .success();
    assert_eq!(changing(&env), ["pct reboot 230"]);
    fakes::lxc(&env)
        .args(["stop", "--force", "blog"])
        .assert()
        .success();
    assert_eq!(changing(&env), ["pct stop 230"]);
    fakes::lxc(&env)
        .args(["restart", "blog"])
        .assert()
        .success();
    assert_eq!(changing(&env), ["pct start 230"]);
}

#[test]
fn exec_prints_the_commands_output_and_returns_its_status() {
    let env = blog();
    fakes::rules(
        &env,
        serde_json::json!([
            {"match": ["pct", "exec", "230", "--keep-env", "0", "--", "uname", "-m"], "exit": 0, "stdout": "x86_64"},
            {"match": ["pct", "exec", "230", "--keep-env", "0", "--", "false"], "exit": 7, "stderr": "it failed"},
        ]),
    );
    env.run(fakes::lxc(&env).args(["exec", "blog", "--", "uname", "-m"]))
        .code(0)
        .stdout(str![[r#"
x86_64

"#]])
        .stderr(str![""]);
    env.run(fakes::lxc(&env).args(["exec", "blog", "--", "false"]))
        .code(7)
        .stdout(str![""])
        .stderr(str![[r#"
it failed

"#]]);
    // Without `--` the command is a usage error.
    env.run(fakes::lxc(&env).args(["exec", "blog"])).code(2);
}

#[test]
fn containers_this_tree_did_not_build_are_not_driven_by_name() {
    let env = blog();
    for args in [
        &["stop", "other"][..],
        &["start", "other"],
        &["restart", "other"],
        &["exec", "other", "--", "id"],
    ] {
        let ran = env.run(fakes::lxc(&env).args(args)).code(1);
        assert!(stdout_of(&ran.out).is_empty());
        assert!(changing(&env).is_empty(), "{args:?}");
    }
    env.run(fakes::lxc(&env).args(["stop", "other"]))
        .code(1)
        .stderr(str![[r#"
error: no container on this host was built from 'other'
hint: `git lxc status` lists what exists; `git lxc build other` creates it, `git lxc adopt other` takes over one git-lxc did not build

"#]]);
    fakes::lxc(&env).args(["stop", "blog"]).assert().success();
    env.run(fakes::lxc(&env).args(["exec", "blog", "--", "id"]))
        .code(1)
        .stderr(str![[r#"
error: CT 230 (blog) is not running
hint: start it with `git lxc start blog`

"#]]);
}
