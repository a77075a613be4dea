//! `history`: the builds of a container from the notes under
//! refs/notes/lxc, written here the way git itself appends to a note.

use serde_json::{Value, json};
use snapbox::str;

use crate::support::{Env, GITIGNORE, stdout_of, write_container};

const BACKUP: &str = "local:backup/vzdump-lxc-101-2025_01_02-10_00_00.tar.zst";

/// Two containers (web, db) over two commits, four notes lines on them;
/// the two commits.
fn noted() -> (Env, String, String) {
    let env = Env::new();
    env.write(".gitignore", GITIGNORE);
    write_container(&env, "web", "OPT_CTID=101\n");
    write_container(&env, "db", "OPT_CTID=102\n");
    let first = env.commit("web and db");
    env.write("web/conf/app.conf", "v2\n");
    let second = env.commit("tune web");
    let restored = format!("failed%20at%20provision%2C%20restored%20{BACKUP}");
    let lines = [
        (
            &first,
            "2025-01-01T10:00:00Z name=web ctid=101 node=pve1 result=built backup=- user=jo@pve1"
                .to_string(),
        ),
        (
            &first,
            "2025-01-01T11:00:00Z name=db ctid=102 node=pve1 result=built backup=- user=jo@pve1"
                .to_string(),
        ),
        (
            &second,
            format!(
                "2025-01-02T10:00:00Z name=web ctid=101 node=pve1 result={restored} backup={BACKUP} user=jo@pve1"
            ),
        ),
        (
            &first,
            format!(
                "2025-01-03T10:00:00Z name=web ctid=101 node=pve2 result=rolled%20back backup={BACKUP} user=ann%20lee@pve2"
            ),
        ),
    ];
    for (commit, line) in lines {
        env.git(&["notes", "--ref=lxc", "append", "-m", &line, commit]);
    }
    (env, first, second)
}

#[test]
fn history_shows_a_containers_builds_newest_first_with_their_commits() {
    let (env, first, second) = noted();
    env.run(env.lxc().args(["history", "web"]))
        .redact("[FIRST]", &first)
        .redact("[SECOND]", &second)
        .code(0)
        .stdout(str![[r#"
TIME                  COMMIT        CT   NODE  RESULT                         BACKUP                                                   SUBJECT
[TIME]  [FIRST]  101  pve2  rolled back                    local:backup/vzdump-lxc-101-2025_01_02-10_00_00.tar.zst  web and db
[TIME]  [SECOND]  101  pve1  failed at provision, restored  local:backup/vzdump-lxc-101-2025_01_02-10_00_00.tar.zst  tune web
[TIME]  [FIRST]  101  pve1  built                          -                                                        web and db

"#]])
        .stderr(str![""]);
}

#[test]
fn history_json_has_one_object_per_entry_and_no_other_containers() {
    let (env, first, second) = noted();
    let out = env
        .lxc()
        .args(["history", "web", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let expected = json!([
        {
            "time": "2025-01-03T10:00:00Z",
            "commit": first,
            "subject": "web and db",
            "ctid": 101,
            "node": "pve2",
            "result": "rolled back",
            "backup": BACKUP,
            "user": "ann lee@pve2",
        },
        {
            "time": "2025-01-02T10:00:00Z",
            "commit": second,
            "subject": "tune web",
            "ctid": 101,
            "node": "pve1",
            "result": format!("failed at provision, restored {BACKUP}"),
            "backup": BACKUP,
            "user": "jo@pve1",
        },
        {
            "time": "2025-01-01T10:00:00Z",
            "commit": first,
            "subject": "web and db",
            "ctid": 101,
            "node": "pve1",
            "result": "built",
            "backup": null,
            "user": "jo@pve1",
        },
    ]);
    assert_eq!(rows, expected);
    let db = env
        .lxc()
        .args(["history", "db", "--json"])
        .output()
        .unwrap();
    let db: Value = serde_json::from_str(&stdout_of(&db)).unwrap();
    assert_eq!(db.as_array().unwrap().len(), 1);
    assert_eq!(db[0]["ctid"], 102);
    // The history outlives the folder.
    env.remove("db");
    env.commit("drop db");
    let gone = env
        .lxc()
        .args(["history", "db", "--json"])
        .output()
        .unwrap();
    let gone: Value = serde_json::from_str(&stdout_of(&gone)).unwrap();
    assert_eq!(gone, db);
}

#[test]
fn history_of_a_container_never_built_is_empty_and_of_an_unknown_name_an_error() {
    let env = Env::new();
    env.write(".gitignore", GITIGNORE);
    write_container(&env, "web", "OPT_CTID=101\n");
    env.commit("web");
    env.run(env.lxc().args(["history", "web"]))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
No builds of 'web' in refs/notes/lxc (they are written by build, rebuild, rollback and adopt; fetch them from a remote with `git fetch origin refs/notes/lxc:refs/notes/lxc`).

"#]]);
    env.run(env.lxc().args(["history", "web", "--json"]))
        .code(0)
        .stdout(str![[r#"
[]

"#]]);
    env.run(env.lxc().args(["history", "wbe"]))
        .code(2)
        .stdout(str![""])
        .stderr(str![[r#"
error: no container folder named 'wbe'
hint: the containers in [ROOT]/repo are: web

"#]]);
}
