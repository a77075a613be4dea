//! The process layer against real child processes.

use super::*;
use crate::host::spawn::allowed_cpus;

fn runner(sudo: bool) -> Runner {
    let mut m = Masker::default();
    m.add("s3cret-value");
    Runner::new(sudo, Arc::new(m))
}

#[test]
fn quotes_for_display() {
    let c = Proc::pct(&[
        "create",
        "100",
        "--description",
        "two words",
        "--tags",
        "git-lxc;web",
    ]);
    assert_eq!(
        c.display(),
        "pct create 100 --description 'two words' --tags 'git-lxc;web'"
    );
    let piped = Proc::host("tee", &["-a", "/etc/subuid"]).input("root:1000:1\n".into(), false);
    assert_eq!(piped.display(), "tee -a /etc/subuid <<< root:1000:1");
    let secret = Proc::pct(&["exec", "1"]).input("x".into(), true);
    assert_eq!(secret.display(), "pct exec 1 < (script)");
}

#[test]
fn sudo_only_for_host_commands_and_masked() {
    let r = runner(true);
    assert_eq!(
        r.shown(&Proc::pct(&["set", "1", "--x", "s3cret-value"])),
        "sudo pct set 1 --x ********"
    );
    assert_eq!(
        r.shown(&Proc::local("bash", &["-c", "true"])),
        "bash -c true"
    );
    assert_eq!(runner(false).shown(&Proc::pct(&["list"])), "pct list");
}

#[test]
fn clears_the_environment_and_reports_failures() {
    let r = runner(false);
    let out = r
        .output(&Proc::local("bash", &["-c", "env | cut -d= -f1 | sort"]).env("EXTRA", "1"))
        .unwrap();
    for name in out.stdout.lines() {
        assert!(
            BASE_ENV.contains(&name)
                || USER_ENV.contains(&name)
                || ["EXTRA", "PWD", "SHLVL", "_"].contains(&name),
            "{name} leaked into the child"
        );
    }
    let err = r
        .checked(&Proc::local(
            "bash",
            &["-c", "echo 's3cret-value broke' >&2; exit 3"],
        ))
        .unwrap_err();
    let e = err.downcast_ref::<ProcessError>().unwrap();
    assert_eq!(e.status, "exit 3");
    assert_eq!(e.stderr, "******** broke");
}

#[test]
fn streams_lines_and_feeds_stdin() {
    let r = runner(false);
    let mut got = Vec::new();
    let status = r
        .stream(
            &Proc::local("bash", &["-s"]).input("echo one; echo two >&2\n".into(), true),
            &mut |l| got.push(l.to_string()),
        )
        .unwrap();
    assert!(status.success());
    got.sort();
    assert_eq!(got, vec!["one", "two"]);
}

#[test]
fn a_program_found_on_path_is_still_called_by_its_name() {
    let out = runner(false)
        .checked(&Proc::local("cat", &["/proc/self/cmdline"]))
        .unwrap();
    assert_eq!(out.stdout.split('\0').next(), Some("cat"));
}

#[test]
fn finds_programs_on_the_childs_path_only_in_absolute_folders() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let tool = bin.join("tool");
    std::fs::write(&tool, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    let plain = bin.join("plain");
    std::fs::write(&plain, "").unwrap();
    let path =
        std::env::join_paths(["relative/bin", "/nonexistent", bin.to_str().unwrap()]).unwrap();
    assert_eq!(on_path("tool", Some(&path)), tool);
    // Not executable, or not there: the name, which then fails to spawn as "not found".
    assert_eq!(on_path("plain", Some(&path)), PathBuf::from("plain"));
    assert_eq!(on_path("absent", Some(&path)), PathBuf::from("absent"));
    assert_eq!(on_path("./x", Some(&path)), PathBuf::from("./x"));
    // The same folder, relative (`..` stops at /): skipped.
    let relative = format!("{}{}", "../".repeat(64), bin.display());
    assert!(std::path::Path::new(&relative).join("tool").is_file());
    assert_eq!(
        on_path("tool", Some(relative.as_ref())),
        PathBuf::from("tool")
    );
}

#[test]
fn a_process_kept_to_a_cpu_starts_its_children_there() {
    let cpus = allowed_cpus();
    assert!(!cpus.is_empty());
    let last = cpus.len() - 1;
    // The child asks after a pause, once git-lxc has set its affinity; the
    // grep it starts inherits it.
    let proc = Proc::local(
        "sh",
        &["-c", "sleep 0.2; grep Cpus_allowed_list /proc/self/status"],
    )
    .on_cpu(last);
    let out = runner(false).checked(&proc).unwrap();
    let listed = out.stdout.split_whitespace().last().unwrap().to_string();
    assert_eq!(listed, cpus[last].to_string());
    // Free, it may run on any of them.
    let out = runner(false)
        .checked(&Proc::local(
            "grep",
            &["Cpus_allowed_list", "/proc/self/status"],
        ))
        .unwrap();
    let free = out.stdout.split_whitespace().last().unwrap().to_string();
    assert_eq!(free == listed, cpus.len() == 1, "{free} against {listed}");
}
