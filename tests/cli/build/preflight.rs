//! Preflight: what would make a rebuild fail is found before the old
//! container is shut down, backed up or destroyed.

use super::{code, ok, with_web};
use crate::fakes;
use crate::support::write_container;

/// Build `web`, change its settings to `settings`, and rebuild: it must
/// fail with `says` and no host-changing call at all.
fn refused_before_any_change(settings: &str, want: i32, says: &[&str]) {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    write_container(&env, "web", settings);
    env.commit("change");
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], want);
    for s in says {
        assert!(err.contains(s), "`{s}` not in:\n{err}");
    }
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new(), "{err}");
    assert!(fakes::running(&env, 100));
}

#[test]
fn an_unknown_disk_storage_is_found_before_the_destroy() {
    refused_before_any_change(
        "APP=Web\nOPT_DISKSTORE=fast-ssd\n",
        1,
        &[
            "web/configSettings:2",
            "DISKSTORE 'fast-ssd'",
            "nothing was changed",
        ],
    );
}

#[test]
fn an_unknown_bridge_is_found_before_the_destroy() {
    refused_before_any_change(
        "APP=Web\nOPT_BRIDGE=vmbr9\n",
        1,
        &[
            "web/configSettings:2",
            "BRIDGE 'vmbr9' does not exist",
            "vmbr0",
        ],
    );
}

#[test]
fn a_missing_template_is_found_before_the_destroy() {
    refused_before_any_change(
        "APP=Web\nOPT_OSVERSION=3.99\n",
        1,
        &["no alpine-3.99 template"],
    );
}

#[test]
fn a_backup_storage_that_holds_no_backups_is_found_before_the_destroy() {
    refused_before_any_change(
        "APP=Web\nOPT_BACKUPSTORE=local-lvm\n",
        1,
        &["web/configSettings:2", "BACKUPSTORE", "local-lvm"],
    );
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
fn an_env_missing_a_key_of_env_example_is_refused_before_the_destroy() {
    let env = with_web("APP=Web\n");
    ok(&env, &["build", "web"]);
    env.write("web/.env.example", "# keys\nADMIN_PASSWORD=\nAPI_TOKEN=\n");
    env.commit("example");
    env.write("web/.env", "ADMIN_PASSWORD=s3cret-admin\n");
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], 3);
    assert!(
        err.contains("web/.env lacks API_TOKEN (web/.env.example:3)"),
        "{err}"
    );
    assert!(!err.contains("s3cret-admin"), "{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
}

#[test]
fn a_crlf_env_is_refused_naming_the_line() {
    let env = with_web("APP=Web\n");
    env.write("web/.env", "A_PASSWORD=s3cret-crlf\r\n");
    let err = code(&env, &["build", "web"], 3);
    assert!(err.contains("web/.env:1: the file has CRLF"), "{err}");
    assert!(!err.contains("s3cret-crlf"), "{err}");
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());
}
