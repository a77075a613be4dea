//! Issue 9's "What breaks today" that no other file of tests/cli/build
//! holds: another tree's container and a name with a space, builds that
//! `--changed` must take up again, content git does not show, hints that
//! are pasted. Each refusal comes with the fake's exact call log. (The
//! preflight, symlink, secret, interrupt and lock cases are in their own
//! files.)

use super::{code, ok, on, second_repo_on, setup, strs, with_web};
use crate::fakes;
use crate::support::{pasted, quoted_command, stderr_of, stdout_of, streams_of, write_container};

// ------------------------------------------------ another tree, a space

#[test]
fn another_trees_container_named_by_ctid_is_refused_naming_its_tree() {
    let host = with_web("APP=Web\n");
    ok(&host, &["build", "web"]);
    let ours = fakes::record_line(&host, 100).unwrap();
    let other = second_repo_on(&host);
    other.write("web/configSettings", "APP='Other web'\nOPT_CTID=100\n");
    other.commit("take CT 100");
    let tree = format!(
        "its record names 'web' of another tree ({})",
        host.tree_id()
    );
    for args in [
        &["rebuild", "web", "--yes"][..],
        &["build", "web"],
        &["rebuild", "--all", "--yes"],
        &["destroy", "web", "--yes"],
    ] {
        fakes::clear_calls(&host);
        let out = on(&host, &other, args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains(&tree), "{args:?}: {err}");
        assert!(err.contains("--force"), "{args:?}: {err}");
        assert!(!err.contains("warning"), "{args:?}: {err}");
        assert_eq!(fakes::call_lines(&host), strs(&["pct list"]), "{args:?}");
        assert_eq!(fakes::record_line(&host, 100).unwrap(), ours);
    }
    fakes::clear_calls(&host);
    let out = on(&host, &other, &["rebuild", "--changed", "--yes"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("Never built"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(fakes::call_lines(&host), strs(&["pct list"]));
    assert!(fakes::running(&host, 100));
}

#[test]
fn a_folder_name_with_a_space_is_refused_before_any_host_call() {
    let env = setup();
    write_container(&env, "my box", "OPT_HOST=mybox\n");
    write_container(&env, "my", "APP=My\n");
    env.commit("two folders");
    ok(&env, &["build", "my"]);
    let record = fakes::record_line(&env, 100).unwrap();
    for args in [
        &["build", "my box"][..],
        &["rebuild", "my box", "--yes"],
        &["destroy", "my box", "--yes"],
    ] {
        fakes::clear_calls(&env);
        let err = code(&env, args, 2);
        assert!(
            err.contains("the folder 'my box' cannot be a container"),
            "{err}"
        );
        assert_eq!(fakes::call_lines(&env), Vec::<String>::new(), "{args:?}");
    }
    // `my` is its own container, never confused with the other folder.
    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "my", "--yes"]);
    assert!(
        fakes::changing_calls(&env)
            .iter()
            .all(|c| !c.contains(" 101")),
        "{:?}",
        fakes::changing_calls(&env)
    );
    assert_eq!(
        fakes::record_line(&env, 100)
            .unwrap()
            .replace(&env.head(), "HEAD"),
        record.replace(&env.head(), "HEAD")
    );
    assert!(!fakes::exists(&env, 101));
}

// ------------------------------------------------------ records, --changed

#[test]
fn a_build_left_building_by_a_crash_is_rebuilt_by_changed() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    // git-lxc killed (SIGKILL) between create and the last record.
    let record = fakes::record_line(&env, 100).unwrap();
    let building = record.replace(" state=built ", " state=building ");
    assert_ne!(record, building);
    fakes::fake_pct(
        &env,
        &[
            "set",
            "100",
            "--description",
            &format!("## Web\n\n{building}"),
        ],
    );
    let out = ok(&env, &["status", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["state"], "building", "{rows}");
    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "--changed", "--yes"]);
    let changing = fakes::changing_calls(&env);
    assert!(
        changing.contains(&"pct destroy 100".to_string()),
        "{changing:?}"
    );
    assert!(
        changing.iter().any(|c| c.starts_with("pct create 100 ")),
        "{changing:?}"
    );
    assert_eq!(fakes::record_line(&env, 100).unwrap(), record);
}

#[test]
fn a_failed_build_is_rebuilt_by_changed() {
    let env = with_web("APP=Web\nOPT_BACKUP=0\n");
    ok(&env, &["build", "web"]);
    fakes::rules(
        &env,
        serde_json::json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
                            "exit": 1, "times": 1}]),
    );
    code(&env, &["rebuild", "web", "--yes"], 1);
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "failed")
    );
    fakes::clear_calls(&env);
    let out = ok(&env, &["rebuild", "--changed", "--yes"]);
    assert!(
        !stderr_of(&out).contains("Nothing to rebuild"),
        "{}",
        streams_of(&out)
    );
    assert!(fakes::changing_calls(&env).contains(&"pct destroy 100".to_string()));
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "built")
    );
}

#[test]
fn a_build_with_set_overrides_is_not_up_to_date() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    ok(&env, &["rebuild", "web", "--yes", "--set", "RAM=256"]);
    let out = ok(&env, &["status"]);
    let table = stdout_of(&out);
    let row = table.lines().find(|l| l.starts_with("web ")).unwrap();
    assert!(row.contains("dirty build"), "{table}");
}

// ------------------------------------------ what the build reads from git

#[test]
fn an_edit_hidden_from_git_status_is_refused_as_uncommitted() {
    for flag in ["--assume-unchanged", "--skip-worktree"] {
        let env = with_web("APP=Web\nOPT_RAM=256\n");
        env.git(&["update-index", flag, "web/configSettings"]);
        env.write("web/configSettings", "APP=Web\nOPT_RAM=512\n");
        assert_eq!(
            env.git(&["status", "--porcelain"]),
            "",
            "git status sees no change"
        );
        let err = code(&env, &["build", "web"], 3);
        assert!(
            err.contains("'web' has uncommitted changes: web/configSettings"),
            "{flag}: {err}"
        );
        assert_eq!(fakes::call_lines(&env), Vec::<String>::new(), "{flag}");
        // Built anyway, it is recorded as what it is.
        ok(&env, &["build", "web", "--allow-dirty"]);
        assert_eq!(
            fakes::conf_value(&env, 100, "memory").as_deref(),
            Some("512")
        );
        assert_eq!(
            fakes::record_line(&env, 100).unwrap(),
            format!("{} dirty", env.record("web", "alpine-3.22", "built"))
        );
    }
}

#[test]
fn files_a_nested_gitignore_hides_stay_out_of_a_clean_build() {
    let env = setup();
    write_container(&env, "web", "APP=Web\n");
    env.write("web/conf/.gitignore", "*\n!.gitignore\n!app.conf\n");
    env.write("web/conf/app.conf", "v1\n");
    env.write("lib/.gitignore", "*\n!.gitignore\n!base.sh\n");
    env.write("lib/base.sh", "BASE_HELPER=1\n");
    env.commit("web");
    env.write("web/conf/extra.conf", "uncommitted\n");
    env.write("lib/zz.sh", "SNEAKED_IN=1\n");
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "git sees no change"
    );
    ok(&env, &["build", "web"]);
    assert_eq!(
        fakes::record_line(&env, 100).unwrap(),
        env.record("web", "alpine-3.22", "built")
    );
    let conf = fakes::conf(&env, 100).unwrap();
    let mounted = conf
        .lines()
        .find(|l| l.contains("mp=/usr/local/conf"))
        .and_then(|l| l.split_once(": "))
        .and_then(|(_, v)| v.split(',').next())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| panic!("no conf mount in\n{conf}"));
    assert!(mounted.join("app.conf").is_file(), "{}", mounted.display());
    assert!(
        !mounted.join("extra.conf").exists(),
        "{}",
        mounted.display()
    );
    let script = fakes::calls(&env)
        .iter()
        .find_map(fakes::Call::stdin)
        .expect("the provisioning script");
    assert!(
        script.contains("BASE_HELPER=1"),
        "lib/base.sh is in the script"
    );
    assert!(!script.contains("SNEAKED_IN"), "{script}");
}

// ---------------------------------------------------------------- hints

#[test]
fn hints_quote_what_they_print() {
    let hostile = "odd $(touch pwned) dir";
    let env = setup();
    env.commit("empty");
    let err = code(&env, &["build", hostile], 2);
    assert_eq!(
        pasted(quoted_command(&err, "git lxc new")),
        strs(&["git", "lxc", "new", hostile])
    );

    write_container(&env, &format!("{hostile}/web"), "APP=Web\n");
    env.write(&format!("{hostile}/web/.env"), "A_PASSWORD=s3cret-one\n");
    env.commit("a tree in an odd folder");
    let env_file = format!("{hostile}/web/.env");
    env.git(&["add", "-f", &env_file]);
    env.commit("oops");
    let in_tree = |args: &[&str], want: i32| {
        let out = fakes::lxc(&env)
            .current_dir(env.path(hostile))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(want), "{}", streams_of(&out));
        stderr_of(&out)
    };
    let err = in_tree(&["build", "web"], 3);
    assert!(err.contains("is tracked by git"), "{err}");
    assert_eq!(
        pasted(quoted_command(&err, "git rm --cached")),
        strs(&["git", "rm", "--cached", &env_file])
    );
    env.git(&["rm", "-q", "--cached", &env_file]);
    env.write(".gitignore", ".env\ndata/\n");
    env.commit("untrack");
    env.write(&env_file, "A_PASSWORD=s3cret-one\r\n");
    let err = in_tree(&["build", "web"], 3);
    let sed = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: convert it: "))
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(pasted(sed), strs(&["sed", "-i", r"s/\r$//", &env_file]));
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
}
