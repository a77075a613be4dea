//! Symlinks never mount or pipe host files into a container, and `conf/`
//! comes from the commit a build records, not from the work tree.

use super::{built_then, code, ok, setup, strs, untouched, with_web};
use crate::fakes;
use crate::support::{Env, write_container};

#[test]
fn conf_is_mounted_from_the_release_of_the_recorded_commit() {
    let env = with_web("APP=Web\n");
    env.write("web/conf/app.conf", "v1\n");
    let v1 = env.commit("v1 conf");
    ok(&env, &["build", "web"]);
    let mp = fakes::conf(&env, 100)
        .unwrap()
        .lines()
        .find(|l| l.contains("mp=/usr/local/conf"))
        .unwrap()
        .to_string();
    let source = mp
        .split_once(": ")
        .unwrap()
        .1
        .split(',')
        .next()
        .unwrap()
        .to_string();
    assert!(
        source.ends_with(&format!("lxc/releases/web/{v1}/web/conf")),
        "{mp}"
    );
    // A later edit, committed or not, does not change what the container sees.
    env.write("web/conf/app.conf", "v2\n");
    env.commit("v2 conf");
    assert_eq!(
        std::fs::read_to_string(format!("{source}/app.conf")).unwrap(),
        "v1\n"
    );
    let mode = std::fs::metadata(&source).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o755, 0o755);
}

/// `build web` with the tree as `prepare` left it must be refused (exit 3)
/// before any host change, saying `says`.
fn refused(prepare: impl Fn(&Env), says: &str) {
    let env = setup();
    write_container(&env, "web", "APP=Web\n");
    prepare(&env);
    env.commit("web");
    fakes::clear_calls(&env);
    let err = code(&env, &["build", "web"], 3);
    assert!(err.contains(says), "`{says}` not in:\n{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new(), "{err}");
}

#[test]
fn data_linked_to_the_host_root_is_refused() {
    refused(
        |env| std::os::unix::fs::symlink("/", env.path("web/data")).unwrap(),
        "the host's root",
    );
}

#[test]
fn data_linked_to_a_system_folder_is_refused() {
    refused(
        |env| std::os::unix::fs::symlink("/var/lib", env.path("web/data")).unwrap(),
        "a system folder",
    );
}

#[test]
fn a_committed_conf_link_to_etc_is_refused() {
    refused(
        |env| std::os::unix::fs::symlink("/etc", env.path("web/conf")).unwrap(),
        "web/conf is a symlink to /etc, which leaves the tree",
    );
}

#[test]
fn a_committed_lib_link_to_the_shadow_file_is_refused() {
    refused(
        |env| {
            std::fs::create_dir_all(env.path("lib")).unwrap();
            std::os::unix::fs::symlink("/etc/shadow", env.path("lib/zz.sh")).unwrap();
        },
        "lib/zz.sh is a symlink to /etc/shadow, which leaves the tree",
    );
}

// ---------------------------------------------------------- on a rebuild

/// A rebuild with the tree as `change` left it is refused (exit 3) naming
/// `says`, after reading only the container list, templates and backups.
fn symlink_refused(change: impl Fn(&Env), says: &str) {
    let (env, record) = built_then(change);
    let err = code(&env, &["rebuild", "web", "--yes"], 3);
    assert!(err.contains(says), "`{says}` not in:\n{err}");
    assert_eq!(
        fakes::call_lines(&env),
        strs(&[
            "pct list",
            "pveam list local",
            "pvesh get /nodes/localhost/storage/local/content --content backup --vmid 100 --output-format json",
        ]),
        "{err}"
    );
    untouched(&env, &record);
}

#[test]
fn data_linked_to_the_host_root_refuses_the_rebuild() {
    symlink_refused(
        |env| {
            std::fs::remove_dir_all(env.path("web/data")).unwrap();
            std::os::unix::fs::symlink("/", env.path("web/data")).unwrap();
        },
        "web/data leads to /: the host's root",
    );
}

#[test]
fn a_committed_conf_link_to_etc_refuses_the_rebuild() {
    symlink_refused(
        |env| std::os::unix::fs::symlink("/etc", env.path("web/conf")).unwrap(),
        "web/conf is a symlink to /etc, which leaves the tree",
    );
}

#[test]
fn a_committed_lib_link_to_the_shadow_file_refuses_the_rebuild() {
    symlink_refused(
        |env| {
            std::fs::create_dir_all(env.path("lib")).unwrap();
            std::os::unix::fs::symlink("/etc/shadow", env.path("lib/zz.sh")).unwrap();
        },
        "lib/zz.sh is a symlink to /etc/shadow, which leaves the tree",
    );
}

// ------------------------------------------------- from the work tree

/// `build web --allow-dirty` reads the work tree, so its symlinks are held
/// to the same rule: refused (exit 3) before any host change.
fn refused_uncommitted(change: impl Fn(&Env), says: &str) {
    let env = with_web("APP=Web\n");
    change(&env);
    assert_ne!(
        env.git(&["status", "--porcelain"]),
        "",
        "the link is uncommitted"
    );
    fakes::clear_calls(&env);
    let err = code(&env, &["build", "web", "--allow-dirty"], 3);
    assert!(err.contains(says), "`{says}` not in:\n{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new(), "{err}");
}

#[test]
fn an_uncommitted_conf_link_to_etc_is_refused_with_allow_dirty() {
    refused_uncommitted(
        |env| std::os::unix::fs::symlink("/etc", env.path("web/conf")).unwrap(),
        "web/conf is a symlink to /etc, which leaves the tree",
    );
}

#[test]
fn an_uncommitted_lib_link_to_the_shadow_file_is_refused_with_allow_dirty() {
    refused_uncommitted(
        |env| {
            std::fs::create_dir_all(env.path("lib")).unwrap();
            std::os::unix::fs::symlink("/etc/shadow", env.path("lib/zz.sh")).unwrap();
        },
        "lib/zz.sh is a symlink to /etc/shadow, which leaves the tree",
    );
}

#[test]
fn an_uncommitted_link_inside_the_folder_builds_with_allow_dirty() {
    let env = with_web("APP=Web\n");
    env.write("web/conf/b.conf", "b\n");
    std::os::unix::fs::symlink("b.conf", env.path("web/conf/a.conf")).unwrap();
    ok(&env, &["build", "web", "--allow-dirty"]);
    assert!(
        fakes::record_line(&env, 100).unwrap().ends_with(" dirty"),
        "built from the work tree"
    );
}
