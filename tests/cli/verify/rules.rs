//! One test (or a few) per `verify` rule: each exits 1 (errors) and names the
//! right file, and the line where there is one.

use super::{fails_with, healthy, verify_json};
use crate::support::{Env, GITIGNORE, stderr_of, stdout_of, write_container};

#[test]
fn env_tracked_is_an_error() {
    let env = Env::new();
    healthy(&env);
    env.write("web/.env", "DB_PASS=secret-value\n");
    env.git(&["add", "-f", "web/.env"]);
    let f = fails_with(&env, "env-tracked", "web/.env", None);
    assert!(
        f["hint"]
            .as_str()
            .unwrap()
            .contains("git rm --cached web/.env")
    );
    // Its value is masked in every output.
    let out = env.lxc().arg("verify").output().unwrap();
    assert!(!stdout_of(&out).contains("secret-value"));
}

#[test]
fn env_not_ignored_is_checked_even_when_absent() {
    let env = Env::new();
    healthy(&env);
    env.write(".gitignore", "data/\n");
    env.commit("forget .env");
    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 1);
    run.expect("env-not-ignored", ".env", None);
    run.expect("env-not-ignored", "web/.env", None);
    run.expect("env-not-ignored", "db/.env", None);
    assert!(!run.rules().contains(&"data-not-ignored"));
}

#[test]
fn data_not_ignored_is_checked_even_when_absent() {
    let env = Env::new();
    healthy(&env);
    env.write(".gitignore", ".env\n");
    env.commit("forget data");
    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 1);
    run.expect("data-not-ignored", "web/data", None);
    run.expect("data-not-ignored", "db/data", None);
    assert!(!run.rules().contains(&"env-not-ignored"));
}

#[test]
fn symlinked_data_is_a_file_to_git() {
    let env = Env::new();
    healthy(&env);
    let outside = env.tmp.path().join("storage/web");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, env.path("web/data")).unwrap();
    // `data/` matches folders only; git sees the link as a file.
    let f = fails_with(&env, "data-not-ignored", "web/data", None);
    assert!(f["hint"].as_str().unwrap().contains("symlink"), "{f}");
    env.write(".gitignore", ".env\ndata/\ndata\n");
    env.commit("ignore the link too");
    assert_eq!(verify_json(&env, &[]).code, 0);
}

#[test]
fn env_in_history_names_the_commit() {
    let env = Env::new();
    healthy(&env);
    env.write("db/.env", "DB_PASSWORD=s3cr3t-password\n");
    env.git(&["add", "-f", "db/.env"]);
    env.git(&["commit", "-q", "-m", "oops, add db secrets"]);
    let short = env
        .git(&["rev-parse", "--short", "HEAD"])
        .trim()
        .to_string();
    env.git(&["rm", "-q", "--cached", "db/.env"]);
    env.git(&["commit", "-q", "-m", "untrack db secrets"]);
    let f = fails_with(&env, "env-in-history", "db/.env", None);
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains(&short) && message.contains("oops, add db secrets"),
        "{message}"
    );
    let run = verify_json(&env, &[]);
    assert_eq!(
        run.rules(),
        ["env-in-history"],
        "only history, no longer tracked"
    );
}

#[test]
fn secret_literals_in_tracked_files() {
    let env = Env::new();
    healthy(&env);
    env.write("defaults", "OPT_RAM=128\nSMTP_PASSWORD='mail-pass'\n");
    env.write(
        "web/configSettings",
        "OPT_CTID=120\nADMIN_PASSWORD=$ADMIN_PASSWORD\nAPI_TOKEN=\"${API_TOKEN}\"\nEMPTY_SECRET=\nGITHUB_TOKEN=ghp_abcdef123456\n",
    );
    env.write(
        "db/build-target.sh",
        "#!/bin/bash\nset -e\necho \"PG_PASSWD=hunter22\" >>/etc/app.env\n",
    );
    env.commit("secrets");
    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 1);
    run.expect("secret-literal", "defaults", Some(2));
    run.expect("secret-literal", "web/configSettings", Some(5));
    run.expect("secret-literal", "db/build-target.sh", Some(3));
    assert_eq!(
        run.rules()
            .iter()
            .filter(|r| **r == "secret-literal")
            .count(),
        3,
        "{:#?}",
        run.findings
    );
    let all = serde_json::to_string(&run.findings).unwrap();
    assert!(!all.contains("ghp_abcdef123456") && !all.contains("hunter22"));
}

#[test]
fn private_key_anywhere_under_the_root() {
    let env = Env::new();
    healthy(&env);
    env.write(
        "web/conf/ssh/id_ed25519",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    );
    env.commit("key");
    fails_with(&env, "private-key", "web/conf/ssh/id_ed25519", Some(1));
}

#[test]
fn ignored_data_is_never_read() {
    let env = Env::new();
    healthy(&env);
    env.write("web/data/id_rsa", "-----BEGIN RSA PRIVATE KEY-----\n");
    env.write("web/data/app.env", "DB_PASSWORD=hunter22\n");
    env.write("web/data/nested/configSettings", "exit 1\n");
    let run = verify_json(&env, &[]);
    assert_eq!(
        (run.code, run.findings.len()),
        (0, 0),
        "{:#?}",
        run.findings
    );
}

#[test]
fn unknown_opt_names_file_and_line() {
    let env = Env::new();
    healthy(&env);
    env.write("web/configSettings", "OPT_CTID=120\n\nOPT_MEMORY=512\n");
    env.commit("typo");
    let f = fails_with(&env, "unknown-opt", "web/configSettings", Some(3));
    assert!(f["message"].as_str().unwrap().contains("OPT_MEMORY"));
}

#[test]
fn every_invalid_value_kind_names_file_and_line() {
    let cases = [
        ("OPT_CORES=two", "OPT_CORES"),
        ("OPT_RAM=8", "OPT_RAM"),
        ("OPT_CTID=99", "OPT_CTID"),
        ("OPT_HOST=web_server", "OPT_HOST"),
        ("OPT_MACADDR=01:24:11:12:34:56", "OPT_MACADDR"),
        ("OPT_NET=10.0.0.5", "OPT_NET"),
        ("OPT_NET=static", "OPT_NET"),
        ("OPT_VLAN=4095", "OPT_VLAN"),
        ("OPT_MTU=63", "OPT_MTU"),
        ("OPT_OSTYPE=windows", "OPT_OSTYPE"),
    ];
    for (line, setting) in cases {
        let env = Env::new();
        healthy(&env);
        env.write(
            "web/configSettings",
            &format!("# web\nAPP_PORT=1\n{line}\n"),
        );
        env.commit("bad value");
        let f = fails_with(&env, "invalid-value", "web/configSettings", Some(3));
        assert!(f["message"].as_str().unwrap().contains(setting), "{f}");
    }
}

#[test]
fn invalid_value_in_root_defaults_is_reported_once() {
    let env = Env::new();
    healthy(&env);
    env.write("defaults", "# site\nOPT_SWAP=lots\n");
    env.commit("bad default");
    let run = verify_json(&env, &[]);
    run.expect("invalid-value", "defaults", Some(2));
    assert_eq!(run.findings.len(), 1, "{:#?}", run.findings);
}

#[test]
fn folder_name_that_is_no_hostname() {
    let env = Env::new();
    healthy(&env);
    write_container(&env, "my_app", "OPT_CTID=130\n");
    env.commit("underscore");
    fails_with(&env, "invalid-value", "my_app/configSettings", None);
    env.write("my_app/configSettings", "OPT_CTID=130\nOPT_HOST=my-app\n");
    env.commit("host set");
    assert_eq!(verify_json(&env, &[]).code, 0);
}

#[test]
fn duplicates_are_reported_on_the_second_naming_the_first() {
    let cases = [
        ("OPT_CTID=150", "OPT_CTID=150", "duplicate-ctid", Some(2)),
        (
            "OPT_MACADDR=BC:24:11:00:00:01",
            "OPT_MACADDR=bc:24:11:00:00:01",
            "duplicate-mac",
            Some(2),
        ),
        (
            "OPT_NET=10.0.0.5/24",
            "OPT_NET=10.0.0.5/16",
            "duplicate-ip",
            Some(2),
        ),
        (
            "OPT_HOST=alpha",
            "OPT_HOST=ALPHA",
            "duplicate-host",
            Some(2),
        ),
        // The hostname defaults to the folder name.
        ("OPT_HOST=beta", "APP_PORT=1", "duplicate-host", None),
    ];
    for (first, second, rule, line) in cases {
        let env = Env::new();
        env.write(".gitignore", GITIGNORE);
        write_container(&env, "alpha", &format!("OPT_CTID=101\n{first}\n"));
        let ctid = if rule == "duplicate-ctid" {
            ""
        } else {
            "OPT_CTID=102"
        };
        write_container(&env, "beta", &format!("{ctid}\n{second}\n"));
        env.commit("two");
        let f = fails_with(&env, rule, "beta/configSettings", line);
        assert!(f["message"].as_str().unwrap().contains("alpha"), "{f}");
        // Naming only the first still finds the clash.
        let run = verify_json(&env, &["alpha"]);
        assert_eq!(run.code, 1);
        run.expect(rule, "beta/configSettings", line);
    }
}

#[test]
fn dhcp_containers_do_not_clash() {
    let env = Env::new();
    healthy(&env);
    write_container(&env, "cache", "OPT_CTID=122\nOPT_NET=dhcp\n");
    env.commit("dhcp");
    assert_eq!(verify_json(&env, &[]).code, 0);
}

#[test]
fn missing_build_script_and_legacy_name() {
    let env = Env::new();
    healthy(&env);
    env.remove("web/build-target.sh");
    env.commit("no script");
    fails_with(&env, "missing-build-script", "web/build-target.sh", None);
    env.write("web/target-bootstrap.sh", "#!/bin/bash\necho legacy\n");
    env.commit("legacy script");
    assert_eq!(verify_json(&env, &[]).code, 0);
}

#[test]
fn bash_syntax_errors_keep_bashs_message_and_line() {
    let cases = [
        (
            "web/configSettings",
            "OPT_CTID=120\nfoo() {\n  echo (\n}\n",
            Some(3),
        ),
        (
            "web/build-target.sh",
            "#!/bin/bash\nif true; then\n  echo hi\n",
            None,
        ),
        ("defaults", "X=1\nY=\"unterminated\n", None),
        ("lib/common.sh", "helper() {\n  case $1 in\n}\n", Some(3)),
    ];
    for (file, text, line) in cases {
        let env = Env::new();
        healthy(&env);
        env.write(file, text);
        env.commit("broken");
        let run = verify_json(&env, &[]);
        assert_eq!(run.code, 1, "{file}: {:#?}", run.findings);
        let f = run
            .findings
            .iter()
            .find(|f| f["rule"] == "bash-syntax" && f["file"] == file)
            .unwrap_or_else(|| panic!("{file}: {:#?}", run.findings));
        // bash's own words, as `bash -n` prints them.
        let bash = std::process::Command::new("bash")
            .arg("-n")
            .arg(env.path(file))
            .output()
            .unwrap();
        let bash = stderr_of(&bash);
        let message = f["message"].as_str().unwrap();
        assert!(
            message.split("; ").all(|part| bash.contains(part)),
            "{message} / {bash}"
        );
        assert!(
            !f["message"]
                .as_str()
                .unwrap()
                .contains(&env.repo.display().to_string()),
            "{f}"
        );
        if line.is_some() {
            assert_eq!(f["line"].as_u64(), line, "{f}");
        } else {
            assert!(
                f["line"].is_u64(),
                "bash names a line for end-of-file errors too: {f}"
            );
        }
        let syntax: Vec<_> = run
            .findings
            .iter()
            .filter(|f| f["rule"] == "bash-syntax")
            .collect();
        assert_eq!(syntax.len(), 1, "reported once: {syntax:#?}");
        assert!(!run.rules().contains(&"eval-output"), "{:#?}", run.findings);
    }
}

#[test]
fn a_settings_file_that_exits_is_an_error() {
    let env = Env::new();
    healthy(&env);
    env.write(
        "web/configSettings",
        "OPT_CTID=120\n[ -f /nonexistent ] || exit 1\nOPT_RAM=256\n",
    );
    env.commit("exit");
    let f = fails_with(&env, "eval-failed", "web/configSettings", Some(2));
    assert_eq!(f["severity"], "error");
}

#[test]
fn a_settings_file_that_prints_errors_is_a_warning() {
    let env = Env::new();
    healthy(&env);
    env.write("web/configSettings", "OPT_CTID=120\nno-such-command-here\n");
    env.commit("noise");
    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 0, "a warning: {:#?}", run.findings);
    let f = run.expect("eval-output", "web/configSettings", Some(2));
    assert!(
        f["message"].as_str().unwrap().contains("command not found"),
        "{f}"
    );
    assert_eq!(f["severity"], "warning");
    assert_eq!(verify_json(&env, &["--strict"]).code, 1);
}

#[test]
fn env_lacking_a_key_of_env_example() {
    let env = Env::new();
    healthy(&env);
    env.write("web/.env.example", "# keys\nDB_USER=\nDB_PASSWORD=\n");
    env.commit("example");
    // No .env (CI): nothing to compare.
    assert_eq!(verify_json(&env, &[]).code, 0);
    env.write("web/.env", "DB_USER=webapp\n");
    let f = fails_with(&env, "env-missing-key", "web/.env", None);
    assert!(
        f["message"].as_str().unwrap().contains("DB_PASSWORD"),
        "{f}"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("web/.env.example:3"),
        "{f}"
    );
    // A key in the root .env counts: it is sourced too.
    env.write(".env", "DB_PASSWORD=long-enough-secret\n");
    assert_eq!(verify_json(&env, &[]).code, 0);
}

#[test]
fn env_keys_are_read_even_when_dotenvy_cannot_parse_the_bash() {
    let env = Env::new();
    healthy(&env);
    env.write("web/.env.example", "A_KEY=\nB_KEY=\nC_LIST=\n");
    env.write(
        "web/.env",
        "export A_KEY='one two'\nB_KEY=\"$A_KEY three\"\nC_LIST=(alpha bravo)\n",
    );
    env.commit("example");
    let run = verify_json(&env, &[]);
    assert_eq!(
        (run.code, run.findings.len()),
        (0, 0),
        "{:#?}",
        run.findings
    );
}

#[test]
fn warnings_pass_unless_strict() {
    let env = Env::new();
    healthy(&env);
    env.write(
        "web/configSettings",
        "OPT_CTID=120\nRAM=512\nHOOK_postbuild() {\n  :\n}\nOPT_RAM=256\n",
    );
    env.write("web/.env", "PIN=42\n");
    env.commit("warnings");
    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 0, "{:#?}", run.findings);
    run.expect("setting-overridden", "web/configSettings", Some(2));
    run.expect("unknown-hook", "web/configSettings", Some(3));
    run.expect("short-secret", "web/.env", Some(1));
    assert!(run.findings.iter().all(|f| f["severity"] == "warning"));
    assert!(
        run.stderr.contains("0 errors, 3 warnings in 2 containers"),
        "{}",
        run.stderr
    );
    assert_eq!(verify_json(&env, &["--strict"]).code, 1);
}
