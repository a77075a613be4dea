//! One build of a CTID at a time on the host, whatever the checkout.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{ok, with_web};
use crate::fakes;

#[test]
fn a_worktree_and_the_main_checkout_cannot_rebuild_the_same_container_at_once() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    let worktree = env.tmp.path().join("wt");
    env.git(&[
        "worktree",
        "add",
        "-q",
        &worktree.to_string_lossy(),
        "-b",
        "other",
    ]);
    fakes::rules(
        &env,
        json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
                "delay_ms": 4000, "times": 1}]),
    );
    fakes::clear_calls(&env);
    let first = fakes::lxc_std(&env)
        .args(["rebuild", "web", "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first one holds the lock (it has started to build).
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fakes::call_lines(&env)
        .iter()
        .any(|l| l.starts_with("pct shutdown 100"))
    {
        assert!(Instant::now() < deadline, "the first rebuild never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = fakes::lxc(&env)
        .current_dir(&worktree)
        .args(["rebuild", "web", "--yes"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(3), "{err}");
    assert!(
        err.contains("another git-lxc build of CT 100 is running ('web' from "),
        "{err}"
    );
    let first = first.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // The refused one changed nothing: the log holds one rebuild's changes.
    let changing = fakes::changing_calls(&env);
    for call in [
        "pct shutdown 100",
        "pct destroy 100",
        "pct create 100 ",
        "pct start 100",
    ] {
        assert_eq!(
            changing.iter().filter(|c| c.starts_with(call)).count(),
            1,
            "{call}: {changing:#?}"
        );
    }
    // Once it is done the worktree may build.
    let again = fakes::lxc(&env)
        .current_dir(&worktree)
        .args(["rebuild", "web", "--yes"])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
