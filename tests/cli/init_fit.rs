//! `git lxc init` on a tree that already has its own ignore rules.

use snapbox::str;

use crate::support::Env;

#[test]
fn init_adds_no_rule_the_trees_gitignore_already_covers() {
    let env = Env::new();
    // One rule per container, and one for the root's .env: every folder
    // there is is covered.
    env.write(".gitignore", "/target\n/.env\nweb/.env\nweb/data/\n");
    env.write("web/configSettings", "OPT_CTID=120\n");
    env.write("defaults", "OPT_RAM=256\n");
    env.run(env.lxc().arg("init"))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
hint: git ignores .env and data/ in every container folder there is, but not in a new one; add a rule before `git lxc new` (`.env` and `data/` in .gitignore covers them all)
init: the work tree is ready, nothing to change (.gitignore and defaults in place)

"#]]);
    assert_eq!(
        env.read(".gitignore"),
        "/target\n/.env\nweb/.env\nweb/data/\n"
    );
}

#[test]
fn init_says_what_it_added_and_what_git_already_ignored() {
    let env = Env::new();
    // The repository ignores every .env; the tree in lxcs/ lacks data/.
    env.write(".gitignore", "*.env\n.env*\n");
    env.write("lxcs/web/configSettings", "OPT_CTID=120\n");
    env.run(env.lxc().arg("init"))
        .code(0)
        .stdout(str![""])
        .stderr(str![[r#"
init: added data/ to lxcs/.gitignore
init: created lxcs/defaults with every setting, commented out
init: git already ignores .env here: no rule added for it
next: `git lxc new NAME` to add a container, then commit lxcs/

"#]]);
    assert_eq!(
        env.read("lxcs/.gitignore"),
        "# git lxc: secrets and persistent container data stay out of git\ndata/\n"
    );
    assert_eq!(env.read(".gitignore"), "*.env\n.env*\n");
}
