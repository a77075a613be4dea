//! Secrets are masked in every form a shell or format writes them, and
//! public words are not (masking them garbles the output).

use super::{ok, setup};
use crate::fakes;
use crate::support::{stderr_of, stdout_of, write_container};

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
fn export_in_env_does_not_reach_the_commands_a_hook_runs() {
    let env = setup();
    write_container(
        &env,
        "web",
        "APP=Web\nHOOK_preBuild() { echo \"shell sees ${API_TOKEN:+it}\"; env | grep -c API_TOKEN || true; }\n",
    );
    env.commit("web");
    env.write("web/.env", "export API_TOKEN=s3cret-exported\n");
    let out = ok(&env, &["build", "web"]);
    let said = stderr_of(&out);
    assert!(said.contains("shell sees it"), "{said}");
    assert!(
        said.contains("\n    0\n"),
        "a child saw the variable:\n{said}"
    );
}
