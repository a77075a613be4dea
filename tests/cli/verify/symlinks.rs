//! The symlink policy (SPEC §1) in `verify`: a committed symlink that
//! leads out of what a build reads, and a `data/` symlink to the host's
//! own folders or into the tree, are errors in every format; and each tree
//! `verify` fails, the build refuses (exit 3), and the other way round.

use std::os::unix::fs::symlink;

use snapbox::str;

use super::verify_json;
use crate::fakes;
use crate::support::{Env, GITIGNORE, write_container};

/// `.gitignore` that ignores a symlinked `data` too (`data/` matches
/// folders only), so a data link brings no `data-not-ignored` finding.
const IGNORE_LINKS: &str = ".env\ndata/\ndata\n";

fn link(env: &Env, rel: &str, target: &str) {
    let path = env.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    symlink(target, path).unwrap();
}

/// `web` and `db`, committed, with the fakes installed for a build.
fn two_containers() -> Env {
    let env = Env::new();
    fakes::install(&env);
    env.write(".gitignore", IGNORE_LINKS);
    write_container(&env, "web", "OPT_CTID=120\n");
    write_container(&env, "db", "OPT_CTID=121\n");
    env
}

/// A tree as `prepare` leaves it (then committed): `verify web` exits 1
/// with findings of `rule` only, one at `file` (or 0 with none for
/// `None`); `build web` exits `build`.
#[track_caller]
fn verdicts(prepare: impl Fn(&Env), rule: Option<(&str, &str)>, build: i32) {
    let env = two_containers();
    prepare(&env);
    env.commit("tree");
    let run = verify_json(&env, &["web"]);
    match rule {
        Some((rule, file)) => {
            assert_eq!(run.code, 1, "{:#?}\n{}", run.findings, run.stderr);
            assert!(
                run.rules().iter().all(|r| *r == rule),
                "{:#?}",
                run.findings
            );
            let f = run.expect(rule, file, None);
            assert_eq!(f["severity"], "error");
        }
        None => assert_eq!(
            (run.code, run.findings.len()),
            (0, 0),
            "{:#?}",
            run.findings
        ),
    }
    let out = fakes::lxc(&env).args(["build", "web"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(build),
        "build web:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn data_linked_to_the_host_root_fails_verify_and_the_build() {
    verdicts(
        |env| link(env, "web/data", "/"),
        Some(("data-forbidden", "web/data")),
        3,
    );
}

#[test]
fn data_linked_to_a_system_folder_fails_verify_and_the_build() {
    for target in ["/etc", "/var/lib", "/usr/local"] {
        verdicts(
            |env| link(env, "web/data", target),
            Some(("data-forbidden", "web/data")),
            3,
        );
    }
}

#[test]
fn data_linked_to_another_container_s_data_fails_verify_and_the_build() {
    verdicts(
        |env| {
            std::fs::create_dir_all(env.path("db/data")).unwrap();
            link(env, "web/data", "../db/data");
        },
        Some(("data-forbidden", "web/data")),
        3,
    );
}

#[test]
fn data_shared_with_another_container_outside_the_tree_fails_verify_and_the_build() {
    verdicts(
        |env| {
            let theirs = env.tmp.path().join("srv/db");
            std::fs::create_dir_all(&theirs).unwrap();
            std::fs::create_dir_all(env.path("db")).unwrap();
            link(env, "db/data", theirs.to_str().unwrap());
            link(env, "web/data", "../db/data");
        },
        Some(("data-forbidden", "web/data")),
        3,
    );
}

#[test]
fn data_linked_to_a_folder_of_its_own_passes() {
    verdicts(
        |env| {
            let own = env.tmp.path().join("srv/web");
            std::fs::create_dir_all(&own).unwrap();
            link(env, "web/data", own.to_str().unwrap());
        },
        None,
        0,
    );
}

#[test]
fn committed_links_out_of_the_tree_fail_verify_and_the_build() {
    verdicts(
        |env| link(env, "web/conf", "/etc"),
        Some(("symlink-outside", "web/conf")),
        3,
    );
    verdicts(
        |env| link(env, "lib/zz.sh", "/etc/shadow"),
        Some(("symlink-outside", "lib/zz.sh")),
        3,
    );
    verdicts(
        |env| link(env, "web/bin/x", "../../../outside"),
        Some(("symlink-outside", "web/bin/x")),
        3,
    );
}

#[test]
fn committed_links_to_what_a_build_does_not_read_fail_verify_and_the_build() {
    // The tree root is the work tree: `../../outside` stays in it, but
    // outside the container's inputs.
    verdicts(
        |env| link(env, "web/bin/x", "../../outside"),
        Some(("symlink-not-input", "web/bin/x")),
        3,
    );
    verdicts(
        |env| link(env, "web/conf/db", "../../db/configSettings"),
        Some(("symlink-not-input", "web/conf/db")),
        3,
    );
    verdicts(
        |env| {
            link(env, "web/conf/a", "b");
            link(env, "web/conf/b", "a");
        },
        Some(("symlink-loop", "web/conf/a")),
        3,
    );
}

#[test]
fn a_link_that_stays_inside_the_container_passes() {
    verdicts(
        |env| {
            env.write("web/conf/b.conf", "x=1\n");
            link(env, "web/conf/a.conf", "b.conf");
            env.write("lib/helpers.sh", "helper() { :; }\n");
            link(env, "web/bin/helpers", "../../lib/helpers.sh");
        },
        None,
        0,
    );
}

#[test]
fn an_uncommitted_link_is_not_checked_until_it_is_added() {
    let env = two_containers();
    env.commit("tree");
    link(&env, "web/conf", "/etc");
    assert_eq!(verify_json(&env, &[]).code, 0);
    env.git(&["add", "web/conf"]);
    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 1);
    run.expect("symlink-outside", "web/conf", None);
}

/// `data -> /etc`, a committed `conf -> /etc` and `lib/zz.sh ->
/// /etc/shadow`, under a root in a sub-folder.
fn bad_links() -> Env {
    let env = Env::new();
    env.write(".gitignore", IGNORE_LINKS);
    write_container(&env, "lxcs/web", "OPT_CTID=120\n");
    link(&env, "lxcs/web/conf", "/etc");
    link(&env, "lxcs/lib/zz.sh", "/etc/shadow");
    env.commit("links");
    link(&env, "lxcs/web/data", "/etc");
    env
}

#[test]
fn link_findings_in_the_human_report() {
    let env = bad_links();
    env.run(env.lxc().arg("verify"))
        .code(1)
        .stdout(str![[r#"
error[symlink-outside]: lxcs/lib/zz.sh: lxcs/lib/zz.sh is a symlink to /etc/shadow, which leaves the tree
  hint: a build reads only web/, defaults and lib/ of the commit: replace the link with the file it points to
error[symlink-outside]: lxcs/web/conf: lxcs/web/conf is a symlink to /etc, which leaves the tree
  hint: a build reads only web/, defaults and lib/ of the commit: replace the link with the file it points to
error[data-forbidden]: lxcs/web/data: lxcs/web/data is a symlink to /etc, a system folder (/etc) or one above it: a build refuses to mount it read-write
  hint: point data/ at a folder of its own (e.g. /srv/NAME), or make it a plain folder

"#]])
        .stderr(str![[r#"
3 errors, 0 warnings in 1 container

"#]]);
}

#[test]
fn link_findings_in_json() {
    let env = bad_links();
    env.run(env.lxc().args(["verify", "--format", "json"]))
        .code(1)
        .stdout_json(str![[r#"
[
  {
    "rule": "symlink-outside",
    "severity": "error",
    "file": "lxcs/lib/zz.sh",
    "line": null,
    "message": "lxcs/lib/zz.sh is a symlink to /etc/shadow, which leaves the tree",
    "hint": "a build reads only web/, defaults and lib/ of the commit: replace the link with the file it points to"
  },
  {
    "rule": "symlink-outside",
    "severity": "error",
    "file": "lxcs/web/conf",
    "line": null,
    "message": "lxcs/web/conf is a symlink to /etc, which leaves the tree",
    "hint": "a build reads only web/, defaults and lib/ of the commit: replace the link with the file it points to"
  },
  {
    "rule": "data-forbidden",
    "severity": "error",
    "file": "lxcs/web/data",
    "line": null,
    "message": "lxcs/web/data is a symlink to /etc, a system folder (/etc) or one above it: a build refuses to mount it read-write",
    "hint": "point data/ at a folder of its own (e.g. /srv/NAME), or make it a plain folder"
  }
]

"#]]);
}

#[test]
fn link_findings_as_github_annotations() {
    let env = bad_links();
    env.run(env.lxc().args(["verify", "--format", "github"]))
        .code(1)
        .stdout(str![[r#"
::error file=lxcs/lib/zz.sh,title=git-lxc symlink-outside::lxcs/lib/zz.sh is a symlink to /etc/shadow, which leaves the tree%0Ahint: a build reads only web/, defaults and lib/ of the commit: replace the link with the file it points to
::error file=lxcs/web/conf,title=git-lxc symlink-outside::lxcs/web/conf is a symlink to /etc, which leaves the tree%0Ahint: a build reads only web/, defaults and lib/ of the commit: replace the link with the file it points to
::error file=lxcs/web/data,title=git-lxc data-forbidden::lxcs/web/data is a symlink to /etc, a system folder (/etc) or one above it: a build refuses to mount it read-write%0Ahint: point data/ at a folder of its own (e.g. /srv/NAME), or make it a plain folder

"#]]);
}

#[test]
fn another_container_s_data_is_named_with_its_real_path() {
    let env = Env::new();
    env.write(".gitignore", IGNORE_LINKS);
    write_container(&env, "web", "OPT_CTID=120\n");
    write_container(&env, "db", "OPT_CTID=121\n");
    env.write("db/data/db.sqlite", "");
    env.commit("two");
    link(&env, "web/data", "../db/data");
    env.run(env.lxc().args(["verify", "--format", "json", "web"]))
        .code(1)
        .stdout_json(str![[r#"
[
  {
    "rule": "data-forbidden",
    "severity": "error",
    "file": "web/data",
    "line": null,
    "message": "web/data is a symlink to ../db/data ([ROOT]/repo/db/data), the tree itself, or another container's folder: a build refuses to mount it read-write",
    "hint": "point data/ at a folder of its own (e.g. /srv/NAME), or make it a plain folder"
  }
]

"#]]);
    // `--strict` changes nothing for errors; a plain data/ folder passes.
    assert_eq!(verify_json(&env, &["--strict"]).code, 1);
    env.remove("web/data");
    env.write(".gitignore", GITIGNORE);
    env.commit("plain data");
    std::fs::create_dir_all(env.path("web/data")).unwrap();
    assert_eq!(verify_json(&env, &["--strict"]).code, 0);
}
