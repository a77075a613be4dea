//! Reading the settings files with bash: what they print never breaks a
//! command, is said on stderr by file and masked; an endless loop is stopped
//! in time with the file named; nothing is left in the temp folder.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fakes;
use crate::support::{Env, GITIGNORE, stderr_of, stdout_of, write_container};

const SECRET: &str = "hunter2-very-secret";

/// A tree whose `web/configSettings` prints on stdout and stderr, one line
/// holding a `.env` secret; `db` is quiet.
fn noisy_tree() -> Env {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    env.write("defaults", "OPT_DOMAIN=lan\n");
    write_container(
        &env,
        "web",
        "OPT_CTID=120\nOPT_NET=manual\necho hi\nprintf 'V\\0OPT_RAM\\07777777\\0'\necho\necho \"password is $ADMIN_PASSWORD\" >&2\n",
    );
    env.write("web/.env.example", "ADMIN_PASSWORD=\n");
    env.write("web/.env", &format!("ADMIN_PASSWORD={SECRET}\n"));
    write_container(&env, "db", "OPT_CTID=121\nOPT_NET=manual\n");
    env.commit("noisy settings");
    env
}

/// A private temp folder for git-lxc, to check it is left empty.
fn private_tmp(env: &Env) -> std::path::PathBuf {
    let tmp = env.tmp.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    tmp
}

fn assert_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn settings_that_print_break_neither_verify_nor_plan_nor_status() {
    let env = noisy_tree();
    let tmp = private_tmp(&env);

    let out = env
        .lxc()
        .env("TMPDIR", &tmp)
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    let stdout = stdout_of(&out);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let findings: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let printed: Vec<&str> = findings
        .iter()
        .filter(|f| f["rule"] == "eval-output")
        .inspect(|f| assert_eq!(f["file"], "web/configSettings", "{f}"))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        printed.iter().any(|m| m.ends_with("printed: hi")),
        "{printed:?}"
    );
    assert!(
        printed.iter().any(|m| m.ends_with("password is ********")),
        "{printed:?}"
    );

    for args in [&["plan", "web"][..], &["status"][..]] {
        let out = fakes::lxc(&env)
            .env("TMPDIR", &tmp)
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
        assert!(out.status.success(), "{args:?}: {stdout}\n{stderr}");
        assert!(
            stderr.contains("warning: web/configSettings printed: hi\n"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("warning: web/configSettings printed: password is ********\n"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{args:?}"
        );
        assert!(!stderr.contains("unexpected record"), "{args:?}: {stderr}");
    }
    // What the file printed is not taken for a result.
    let out = fakes::lxc(&env)
        .args(["plan", "web", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!stdout_of(&out).contains("7777777"), "{}", stdout_of(&out));
    assert_empty(&tmp);
}

#[test]
fn an_endless_loop_is_stopped_in_time_naming_the_file() {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    write_container(&env, "web", "OPT_CTID=120\nwhile :; do sleep 0.1; done\n");
    env.commit("loops");
    let tmp = private_tmp(&env);
    for args in [&["verify"][..], &["plan", "web"][..]] {
        let start = Instant::now();
        let out = fakes::lxc(&env)
            .env("GIT_LXC_EVAL_TIMEOUT", "2")
            .env("TMPDIR", &tmp)
            .args(args)
            .output()
            .unwrap();
        let took = start.elapsed();
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(
                "error: reading web/configSettings did not finish within 2 s (an endless loop?)"
            ),
            "{args:?}: {stderr}"
        );
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
    }
    assert_empty(&tmp);
}

#[test]
fn each_line_is_attributed_to_its_file_and_a_root_secret_is_masked() {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", GITIGNORE);
    env.write("defaults", "echo from defaults\n");
    env.write(".env", &format!("TOKEN={SECRET}\n"));
    write_container(
        &env,
        "web",
        "OPT_CTID=120\nOPT_NET=manual\nundefined_command\necho \"token: $TOKEN\"\n",
    );
    env.commit("defaults that print");
    let out = fakes::lxc(&env).args(["plan", "web"]).output().unwrap();
    let stderr = stderr_of(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
    assert!(
        stderr.contains("warning: web/configSettings printed: token: ********\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: defaults printed: from defaults\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: web/configSettings: line 3: undefined_command: command not found\n"
        ),
        "{stderr}"
    );
    let out = env
        .lxc()
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_str(&stdout_of(&out)).unwrap();
    let placed: Vec<String> = findings
        .iter()
        .filter(|f| f["rule"] == "eval-output")
        .map(|f| format!("{}:{} {}", f["file"], f["line"], f["message"]))
        .collect();
    assert_eq!(
        placed,
        [
            r#""defaults":null "reading the settings of web printed: from defaults""#,
            r#""web/configSettings":null "reading the settings of web printed: token: ********""#,
            r#""web/configSettings":3 "reading the settings of web printed: undefined_command: command not found""#,
        ],
        "{findings:#?}"
    );
}
