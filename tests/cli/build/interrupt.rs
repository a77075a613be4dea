//! An interrupt is a failure like any other: Ctrl-C (SIGINT to the whole
//! process group) or SIGTERM to git-lxc during provisioning ends the host
//! command, leaves the record and lock right, and an immediate rebuild works.

use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{ok, with_web};
use crate::fakes;
use crate::support::Env;

/// Start `rebuild web --yes` in a process group of its own, with the
/// provisioning script held up for 20 s.
fn start_slow_rebuild(env: &Env) -> std::process::Child {
    fakes::rules(
        env,
        json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
                "delay_ms": 20000, "times": 1}]),
    );
    fakes::clear_calls(env);
    fakes::lxc_std(env)
        .args(["rebuild", "web", "--yes"])
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until the fake has started the provisioning script.
fn wait_for_provisioning(env: &Env) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if fakes::calls(env)
            .iter()
            .any(|c| c.prog == "pct" && c.argv.ends_with(&["bash".to_string(), "-s".to_string()]))
        {
            std::thread::sleep(Duration::from_millis(300));
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "the rebuild never reached provisioning: {:?}",
        fakes::call_lines(env)
    );
}

/// Processes still running a fake `pct exec` of this test.
fn leftover_execs(env: &Env) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(&env.bin.display().to_string()) && text.contains(" exec ") {
            found.push(text);
        }
    }
    found
}

fn interrupted(signal: libc::c_int, whole_group: bool, want: i32) {
    let env = with_web("APP=Web\n");
    env.write("web/data/state.db", "precious\n");
    ok(&env, &["build", "web"]);
    let before = fakes::record_line(&env, 100).unwrap();
    let child = start_slow_rebuild(&env);
    wait_for_provisioning(&env);
    let pid = child.id() as i32;
    // SAFETY: signals to the test's own child (or its own process group).
    unsafe {
        if whole_group {
            libc::killpg(pid, signal);
        } else {
            libc::kill(pid, signal);
        }
    }
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(want), "{err}");
    assert!(err.contains("interrupted by SIG"), "{err}");
    assert!(err.contains("is running again as CT 100"), "{err}");
    // The previous build is back, with its record: no state=building.
    assert_eq!(fakes::record_line(&env, 100).unwrap(), before);
    assert!(fakes::running(&env, 100));
    assert_eq!(env.read("web/data/state.db"), "precious\n");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(leftover_execs(&env), Vec::<String>::new());
    // No lock is left: the next rebuild runs at once.
    fakes::rules(&env, json!([]));
    ok(&env, &["rebuild", "web", "--yes"]);
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" state=built ")
    );
}

#[test]
fn ctrl_c_to_the_process_group_during_provisioning_restores_and_exits_130() {
    interrupted(libc::SIGINT, true, 130);
}

#[test]
fn sigterm_to_git_lxc_during_provisioning_restores_and_exits_143() {
    interrupted(libc::SIGTERM, false, 143);
}

#[test]
fn an_interrupt_without_a_backup_records_failed_and_changed_retries_it() {
    let env = with_web("APP=Web\nOPT_BACKUP=0\n");
    ok(&env, &["build", "web"]);
    let child = start_slow_rebuild(&env);
    wait_for_provisioning(&env);
    // SAFETY: a signal to the test's own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    assert!(
        err.contains("CT 100 is kept for inspection with state failed"),
        "{err}"
    );
    // After the provisioning script was ended, only the record was written.
    let lines = fakes::call_lines(&env);
    let exec = lines
        .iter()
        .position(|l| l == "pct exec 100 --keep-env 0 -- bash -s")
        .unwrap();
    assert_eq!(
        lines[exec + 1..],
        ["pct set 100 --description <state=failed>".to_string()],
        "{lines:#?}"
    );
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "failed")
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(leftover_execs(&env), Vec::<String>::new());
    // --changed takes it up again, at once (no lock is left).
    fakes::rules(&env, json!([]));
    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "--changed", "--yes"]);
    assert!(fakes::changing_calls(&env).contains(&"pct destroy 100".to_string()));
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "built")
    );
}

/// Processes whose command line names the test's repository (the settings
/// evaluation's bash) or that run in it (what a settings file started).
fn left_in_repo(env: &Env) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline);
        let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        if text.contains(&env.repo.display().to_string()) || cwd.starts_with(&env.repo) {
            // The program and its last words (bash's script is long).
            let argv: Vec<&str> = text.split('\0').filter(|a| !a.is_empty()).collect();
            if argv.is_empty() {
                continue; // exiting
            }
            let tail = &argv[argv.len().saturating_sub(4).max(1)..];
            found.push(format!(
                "{} {} (in {})",
                argv[0],
                tail.join(" "),
                cwd.display()
            ));
        }
    }
    found
}

/// A signal while the settings are read (a file still running `sleep`,
/// its `.env` secret in the shell) ends git-lxc and everything it started;
/// no file is left behind.
fn interrupted_while_reading(signal: libc::c_int, whole_group: bool) {
    use std::os::unix::process::ExitStatusExt;
    let env = with_web("APP=Web\nsleep 30\n");
    env.write("web/.env", &format!("PASS={}\n", super::CANARY));
    let tmp = env.tmp.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let child = fakes::lxc_std(&env)
        .env("TMPDIR", &tmp)
        .args(["build", "web"])
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !left_in_repo(&env)
        .iter()
        .any(|p| p.starts_with("sleep 30 "))
    {
        assert!(Instant::now() < deadline, "the settings were never read");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id() as i32;
    // SAFETY: signals to the test's own child (or its own process group).
    unsafe {
        if whole_group {
            libc::killpg(pid, signal);
        } else {
            libc::kill(pid, signal);
        }
    }
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.signal(), Some(signal), "{:?}", out.status);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(left_in_repo(&env), Vec::<String>::new());
    assert_eq!(fakes::call_lines(&env), Vec::<String>::new());
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    for file in walkdir::WalkDir::new(env.path(".git/lxc"))
        .into_iter()
        .flatten()
    {
        if file.file_type().is_file() {
            let text = std::fs::read(file.path()).unwrap();
            let text = String::from_utf8_lossy(&text);
            assert!(!text.contains(super::CANARY), "{}", file.path().display());
        }
    }
}

#[test]
fn sigterm_while_the_settings_are_read_leaves_nothing_running() {
    interrupted_while_reading(libc::SIGTERM, false);
}

#[test]
fn ctrl_c_while_the_settings_are_read_leaves_nothing_running() {
    interrupted_while_reading(libc::SIGINT, true);
}
