//! Secrets are masked in every form a shell or format writes them, and
//! public words are not (masking them garbles the output). Where a secret
//! must never be, [`fakes::assert_nowhere`] looks: argv and environment of
//! every host call, descriptions, build logs, what was printed.

use std::os::unix::fs::PermissionsExt;

use super::{CANARY, built_then, ok, run, setup, untouched};
use crate::fakes;
use crate::support::{stderr_of, stdout_of, streams_of, write_container};

#[test]
fn plan_masks_the_password_but_not_the_user_name_or_the_uid() {
    let env = setup();
    write_container(
        &env,
        "pihole",
        "APP=Pi-hole\nOPT_OSTYPE=debian\nHOOK_preBuild() { echo \"user $PIHOLE_USER ${PIHOLE_UID} pass $PIHOLE_PASSWORD\"; }\n",
    );
    env.commit("pihole");
    env.write(
        "pihole/.env",
        "PIHOLE_USER=pihole\nPIHOLE_UID=1000\nPIHOLE_PASSWORD='Tr0ub4dor&3'\n",
    );
    let out = ok(&env, &["plan", "pihole"]);
    let plan = stdout_of(&out);
    assert!(plan.contains("Plan for pihole"), "{plan}");
    assert!(plan.contains("--hostname pihole"), "{plan}");
    assert!(plan.contains("chown 100000:100000"), "{plan}");
    assert!(!plan.contains("Tr0ub4dor"), "{plan}");
    let out = ok(&env, &["build", "pihole"]);
    let said = stderr_of(&out);
    assert!(said.contains("user pihole 1000 pass ********"), "{said}");
    assert!(!said.contains("Tr0ub4dor"), "{said}");
    let log = std::fs::read_dir(env.path(".git/lxc/logs/pihole"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("pass ********") && !text.contains("Tr0ub4dor"),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    for c in fakes::calls(&env) {
        assert!(!c.line().contains("Tr0ub4dor"), "{}", c.line());
        assert!(c.env.values().all(|v| !v.contains("Tr0ub4dor")));
    }
}

#[test]
fn xtrace_of_a_quoted_secret_is_masked() {
    let env = setup();
    write_container(
        &env,
        "web",
        "APP=Web\nHOOK_preBuild() { set -x; : \"$TOKEN\"; printf '%q\\n' \"$TOKEN\"; }\n",
    );
    env.commit("web");
    env.write("web/.env", "TOKEN='it'\\''s \"quoted\" \\ and 100%'\n");
    let out = ok(&env, &["build", "web"]);
    let said = stderr_of(&out);
    assert!(said.contains("********"), "{said}");
    assert!(!said.contains("quoted"), "{said}");
}

#[test]
fn export_in_env_reaches_no_child_environment() {
    let env = setup();
    write_container(
        &env,
        "web",
        "APP=Web\n\
         HOOK_preBuild() { env > \"$HOME/preBuild.env\"; echo \"pre ${API_TOKEN:+sees it}\"; }\n\
         HOOK_customMounts() { env > \"$HOME/customMounts.env\"; }\n\
         HOOK_customMapping() { env > \"$HOME/customMapping.env\"; }\n",
    );
    env.commit("web");
    env.write("web/.env", &format!("export API_TOKEN={CANARY}\n"));
    let out = ok(&env, &["build", "web"]);
    assert!(
        stderr_of(&out).contains("pre sees it"),
        "{}",
        streams_of(&out)
    );
    // The build had the value: the provisioning script got it.
    let script = fakes::calls(&env)
        .iter()
        .find_map(fakes::Call::stdin)
        .expect("the provisioning script");
    assert!(script.contains(&format!("API_TOKEN={CANARY}")), "{script}");
    for hook in ["preBuild", "customMounts", "customMapping"] {
        let seen = std::fs::read_to_string(env.home.join(format!("{hook}.env"))).unwrap();
        assert!(seen.contains("CTID=100"), "{hook}: {seen}");
        assert!(!seen.contains(CANARY), "{hook}'s child got it:\n{seen}");
    }
    fakes::assert_nowhere(&env, CANARY, &streams_of(&out));
    // Logs are private, in a private folder.
    let logs = env.path(".git/lxc/logs/web");
    assert_eq!(
        std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for log in std::fs::read_dir(&logs).unwrap() {
        let mode = log.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// A secret with every character a shell or a format writes differently.
fn hostile_secret() -> String {
    format!("it's \"q\" \\ 100% {CANARY}")
}

/// `value` as a single-quoted bash word.
fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// What bash's xtrace and `printf %q` make of `value`.
fn bash_forms(value: &str) -> String {
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            "set -x; : \"$1\"; set +x; printf '%q\\n' \"$1\"",
            "_",
            value,
        ])
        .output()
        .unwrap();
    let forms = format!("{}{}", stderr_of(&out), stdout_of(&out));
    assert!(forms.contains(r"'\''") && forms.contains(r"\ "), "{forms}");
    forms
}

#[test]
fn xtrace_in_defaults_and_verbose_provisioning_show_quoted_secrets_masked() {
    let env = setup();
    env.write("defaults", "set -x\n");
    write_container(&env, "web", "APP=Web\nOPT_VERBOSE=1\nAUTH=\"$TOKEN\"\n");
    env.commit("web");
    let secret = hostile_secret();
    env.write("web/.env", &format!("TOKEN={}\n", single_quoted(&secret)));
    // The provisioning script's trace, as bash -x prints it in the container.
    let forms = bash_forms(&secret);
    assert!(forms.contains(CANARY));
    fakes::rules(
        &env,
        serde_json::json!([{"match": ["pct", "exec", "100", "--keep-env", "0", "--", "bash", "-s"],
                            "exit": 0, "stdout": format!("{forms}provisioned")}]),
    );
    let plan = ok(&env, &["plan", "web"]);
    let build = ok(&env, &["build", "web"]);
    let printed = format!("{}{}", streams_of(&plan), streams_of(&build));
    assert!(printed.contains("provisioned"), "{printed}");
    assert!(
        printed.contains("AUTH='********'"),
        "the trace is shown: {printed}"
    );
    assert!(printed.contains("+ : '********'"), "{printed}");
    fakes::assert_nowhere(&env, CANARY, &printed);
    assert!(!printed.contains("100% "), "{printed}");
}

#[test]
fn a_secret_in_an_invalid_value_is_masked_in_the_error() {
    let (env, record) = built_then(|env| {
        env.write("web/configSettings", "APP=Web\nOPT_RAM=\"$PASS\"\n");
    });
    env.write(
        "web/.env",
        &format!("PASS={}\n", single_quoted(&hostile_secret())),
    );
    let mut printed = String::new();
    for args in [&["build", "web"][..], &["rebuild", "web", "--yes"]] {
        let out = run(&env, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", streams_of(&out));
        assert!(
            stderr_of(&out)
                .contains("web/configSettings:2: OPT_RAM='********': must be a whole number"),
            "{args:?}: {}",
            streams_of(&out)
        );
        assert_eq!(fakes::call_lines(&env), Vec::<String>::new(), "{args:?}");
        printed.push_str(&streams_of(&out));
    }
    for args in [
        &["plan", "web"][..],
        &["config", "web"],
        &["verify"],
        &["verify", "--format", "json"],
        &["verify", "--format", "github"],
    ] {
        let out = run(&env, args);
        assert!(
            streams_of(&out).contains("********"),
            "{args:?}: {}",
            streams_of(&out)
        );
        printed.push_str(&streams_of(&out));
    }
    untouched(&env, &record);
    fakes::assert_nowhere(&env, CANARY, &printed);
}

#[test]
fn a_settings_file_that_prints_a_secret_and_exits_is_refused_masked() {
    let (env, record) = built_then(|env| {
        env.write(
            "web/configSettings",
            "APP=Web\necho \"the password is $PASS\"\nexit 0\n",
        );
    });
    env.write(
        "web/.env",
        &format!("PASS={}\n", single_quoted(&hostile_secret())),
    );
    let mut printed = String::new();
    for args in [&["build", "web"][..], &["rebuild", "web", "--yes"]] {
        let out = run(&env, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", streams_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains("the settings files of 'web' stopped before their end"),
            "{err}"
        );
        assert!(
            err.contains("web/configSettings printed: the password is ********"),
            "{err}"
        );
        assert_eq!(fakes::call_lines(&env), Vec::<String>::new(), "{args:?}");
        printed.push_str(&streams_of(&out));
    }
    for args in [
        &["plan", "web"][..],
        &["verify", "--format", "json"],
        &["verify", "--format", "github"],
    ] {
        printed.push_str(&streams_of(&run(&env, args)));
    }
    assert!(printed.contains("the password is ********"), "{printed}");
    untouched(&env, &record);
    fakes::assert_nowhere(&env, CANARY, &printed);
}

#[test]
fn every_verify_format_masks_a_secret_with_quotes_backslashes_and_percent() {
    let env = setup();
    write_container(
        &env,
        "web",
        "APP=Web\nOPT_RAM=\"$TOKEN\"\necho \"token $TOKEN\"\n",
    );
    env.commit("web");
    env.write(
        "web/.env",
        &format!("TOKEN={}\n", single_quoted(&hostile_secret())),
    );
    let mut printed = String::new();
    for format in ["human", "json", "github"] {
        let out = run(&env, &["verify", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", streams_of(&out));
        let stdout = stdout_of(&out);
        assert!(stdout.contains("token ********"), "{format}: {stdout}");
        assert!(stdout.contains("OPT_RAM='********'"), "{format}: {stdout}");
        printed.push_str(&streams_of(&out));
    }
    let json = run(&env, &["verify", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        findings.as_array().is_some_and(|f| f.len() == 2),
        "{findings}"
    );
    fakes::assert_nowhere(&env, CANARY, &printed);
    for part in ["it's", "\\\"q\\\"", "%25", "100%"] {
        assert!(!printed.contains(part), "`{part}` in:\n{printed}");
    }
}

#[test]
fn public_words_stay_readable_in_every_verify_format_and_the_plan() {
    let env = setup();
    write_container(&env, "pihole", "APP=Pi-hole\nOPT_OSTYPE=debian\n");
    env.write(
        "pihole/.env.example",
        "PIHOLE_USER=\nPIHOLE_UID=\nPIHOLE_PASSWORD=\nPIHOLE_DNS=\n",
    );
    env.commit("pihole");
    env.write(
        "pihole/.env",
        &format!("PIHOLE_USER=pihole\nPIHOLE_UID=1000\nPIHOLE_PASSWORD={CANARY}\n"),
    );
    let mut printed = String::new();
    // The missing key's finding names the file: never `********/.env`.
    for (format, names) in [
        (
            "human",
            "error[env-missing-key]: pihole/.env: pihole/.env does not define PIHOLE_DNS",
        ),
        ("json", "\"file\": \"pihole/.env\""),
        ("github", "::error file=pihole/.env,"),
    ] {
        let out = run(&env, &["verify", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", streams_of(&out));
        assert!(
            stdout_of(&out).contains(names),
            "{format}: {}",
            streams_of(&out)
        );
        assert!(
            !streams_of(&out).contains("****"),
            "{format}: {}",
            streams_of(&out)
        );
        printed.push_str(&streams_of(&out));
    }
    env.write(
        "pihole/.env",
        &format!(
            "PIHOLE_USER=pihole\nPIHOLE_UID=1000\nPIHOLE_PASSWORD={CANARY}\nPIHOLE_DNS=1.1.1.1\n"
        ),
    );
    let out = ok(&env, &["plan", "pihole"]);
    let plan = stdout_of(&out);
    assert!(plan.starts_with("Plan for pihole "), "{plan}");
    assert!(plan.contains("--hostname pihole "), "{plan}");
    assert!(plan.contains("name=pihole "), "{plan}");
    assert!(plan.contains("chown 100000:100000 "), "{plan}");
    assert!(!plan.contains("****"), "{plan}");
    printed.push_str(&streams_of(&out));
    fakes::assert_nowhere(&env, CANARY, &printed);
}

#[test]
fn a_user_line_in_env_is_the_builds_value_masked_and_never_exported() {
    let env = setup();
    write_container(
        &env,
        "web",
        "APP=Web\nHOOK_preBuild() { env > \"$HOME/preBuild.env\"; echo \"hook user $USER\"; }\n",
    );
    env.commit("web");
    env.write("web/.env", &format!("USER=svc-deploy\nPASS={CANARY}\n"));
    let out = fakes::lxc(&env)
        .env("USER", "caller")
        .args(["build", "web"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", streams_of(&out));
    let script = fakes::calls(&env)
        .iter()
        .find_map(fakes::Call::stdin)
        .expect("the provisioning script");
    assert!(
        script.contains(&format!("PASS={CANARY}")),
        "the build read .env"
    );
    assert!(
        script.lines().any(|l| l == "USER=svc-deploy"),
        "USER is a context variable of the build:\n{script}"
    );
    assert!(
        stderr_of(&out).contains("hook user ********"),
        "{}",
        streams_of(&out)
    );
    let seen = std::fs::read_to_string(env.home.join("preBuild.env")).unwrap();
    assert!(seen.contains("CTID=100"), "{seen}");
    assert!(
        !seen.contains("svc-deploy"),
        "the hook's child got it:\n{seen}"
    );
    fakes::assert_nowhere(&env, "svc-deploy", &streams_of(&out));
    fakes::assert_nowhere(&env, CANARY, &streams_of(&out));
}
