//! Preflight: what would make a rebuild fail is found before the old
//! container is shut down, backed up or destroyed. Each case shows the
//! fake's exact call log: reads only.

use super::{CANARY, built_then, code, ok, rebuild_reads, run, strs, untouched, with_web};
use crate::fakes;
use crate::support::{Env, stderr_of, streams_of, write_container};

/// Build `web`, change its settings to `settings`, and rebuild: it must
/// fail with `want` and `says`; the host is as it was. Returns the test
/// repository, its calls those of the failed rebuild.
fn refused_before_any_change(settings: &str, want: i32, says: &[&str]) -> Env {
    let (env, record) = built_then(|env| write_container(env, "web", settings));
    let err = code(&env, &["rebuild", "web", "--yes"], want);
    for s in says {
        assert!(err.contains(s), "`{s}` not in:\n{err}");
    }
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new(), "{err}");
    untouched(&env, &record);
    env
}

#[test]
fn an_unknown_disk_storage_is_found_before_the_destroy() {
    let env = refused_before_any_change(
        "APP=Web\nOPT_DISKSTORE=fast-ssd\n",
        1,
        &[
            "web/configSettings:2: DISKSTORE 'fast-ssd' does not exist",
            "nothing was changed",
        ],
    );
    assert_eq!(fakes::call_lines(&env), rebuild_reads(&env, 100));
}

#[test]
fn an_unknown_bridge_is_found_before_the_destroy() {
    let env = refused_before_any_change(
        "APP=Web\nOPT_BRIDGE=vmbr9\n",
        1,
        &[
            "web/configSettings:2: BRIDGE 'vmbr9' does not exist",
            "vmbr0",
        ],
    );
    assert_eq!(fakes::call_lines(&env), rebuild_reads(&env, 100));
}

#[test]
fn a_missing_template_is_found_before_the_destroy() {
    let env = refused_before_any_change(
        "APP=Web\nOPT_OSVERSION=3.99\n",
        1,
        &["no alpine-3.99 template"],
    );
    assert_eq!(
        fakes::call_lines(&env),
        strs(&["pct list", "pveam list local"])
    );
}

#[test]
fn a_missing_template_names_the_setting_and_its_line() {
    refused_before_any_change(
        "APP=Web\nOPT_OSVERSION=3.99\n",
        1,
        &[
            "web/configSettings:2",
            "OSVERSION",
            "no alpine-3.99 template in storage 'local': OSTYPE 'alpine' (default), OSVERSION '3.99' (web/configSettings:2), TEMPLATESTORE 'local' (default)",
            "set OPT_CHECKTEMPLATE=1, or change OSVERSION (web/configSettings:2)",
        ],
    );
}

#[test]
fn a_backup_storage_that_holds_no_backups_is_found_before_the_destroy() {
    let env = refused_before_any_change(
        "APP=Web\nOPT_BACKUPSTORE=local-lvm\n",
        1,
        &["web/configSettings:2", "BACKUPSTORE", "local-lvm"],
    );
    let mut want = strs(&[
        "pct list",
        "pveam list local",
        "pvesh get /nodes/localhost/storage/local-lvm/content --content backup --vmid 100 --output-format json",
    ]);
    want.extend(super::preflight_reads(&fakes::call_lines(&env)));
    assert_eq!(fakes::call_lines(&env), want);
}

#[test]
fn a_folder_name_that_is_no_hostname_needs_host() {
    let env = with_web("APP=Web\n");
    write_container(&env, "my_box", "APP=Box\n");
    env.commit("my_box");
    fakes::clear_calls(&env);
    let err = code(&env, &["build", "my_box"], 1);
    assert!(err.contains("the hostname 'my_box'"), "{err}");
    assert!(
        err.contains("set OPT_HOST in my_box/configSettings"),
        "{err}"
    );
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
}

#[test]
fn a_hostname_from_the_folder_name_is_found_before_the_destroy() {
    let env = setup_my_box();
    let record = fakes::record_line(&env, 100).unwrap();
    write_container(&env, "my_box", "APP=Box\n");
    env.commit("no HOST");
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "my_box", "--yes"], 1);
    assert!(
        err.contains("the hostname 'my_box' taken from the folder name"),
        "{err}"
    );
    assert!(
        err.contains("set OPT_HOST in my_box/configSettings"),
        "{err}"
    );
    assert_eq!(fakes::call_lines(&env), rebuild_reads(&env, 100), "{err}");
    untouched(&env, &record);
}

/// `my_box` built as CT 100 with a HOST of its own.
fn setup_my_box() -> Env {
    let env = super::setup();
    write_container(&env, "my_box", "APP=Box\nOPT_HOST=mybox\n");
    env.commit("my_box");
    ok(&env, &["build", "my_box"]);
    env
}

#[test]
fn an_env_missing_a_key_of_env_example_is_refused_before_any_host_call() {
    let (env, record) = built_then(|env| {
        env.write("web/.env.example", "# keys\nADMIN_PASSWORD=\nAPI_TOKEN=\n");
    });
    env.write("web/.env", &format!("ADMIN_PASSWORD={CANARY}\n"));
    let out = run(&env, &["rebuild", "web", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", streams_of(&out));
    assert!(
        stderr_of(&out).contains("web/.env lacks API_TOKEN (web/.env.example:3)"),
        "{}",
        streams_of(&out)
    );
    assert_eq!(fakes::call_lines(&env), Vec::<String>::new());
    untouched(&env, &record);
    fakes::assert_nowhere(&env, CANARY, &streams_of(&out));
}

#[test]
fn a_crlf_env_is_refused_naming_the_line_before_any_host_call() {
    for file in [".env", "web/.env"] {
        let (env, record) = built_then(|_| {});
        env.write(file, &format!("A_PASSWORD={CANARY}\r\nB=1\r\n"));
        let mut printed = String::new();
        for args in [
            &["build", "web"][..],
            &["rebuild", "web", "--yes"],
            &["plan", "web"],
        ] {
            let out = run(&env, args);
            assert_eq!(out.status.code(), Some(3), "{args:?}: {}", streams_of(&out));
            assert!(
                stderr_of(&out).contains(&format!("{file}:1: the file has CRLF")),
                "{args:?}: {}",
                streams_of(&out)
            );
            assert_eq!(fakes::call_lines(&env), Vec::<String>::new(), "{args:?}");
            printed.push_str(&streams_of(&out));
        }
        untouched(&env, &record);
        fakes::assert_nowhere(&env, CANARY, &printed);
    }
}
