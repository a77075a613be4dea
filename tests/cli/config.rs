//! `config`: what a container's files resolve to, offline.

use serde_json::Value;

use crate::support::{Env, GITIGNORE, stderr_of, stdout_of};

const SECRET: &str = "hunter2-pihole";

/// A pihole folder with a setting on line 5, a secret in its `.env`, a hook,
/// and a site-wide setting on line 3 of `defaults`. No host tools at all.
fn pihole() -> Env {
    let env = Env::new();
    env.write(".gitignore", GITIGNORE);
    env.write("defaults", "# site\n\nOPT_DOMAIN=lan\nTIMEZONE=UTC\n");
    env.write(
        "pihole/configSettings",
        "# Pi-hole\nOPT_APP='Pi-hole'\nOPT_CTID=120\n\nOPT_RAM=256\nPIHOLE_USER=pihole\n\
         HOOK_customMounts() {\n  local -n m=$1\n  m+=(\"/srv/dns,mp=/srv/dns\")\n}\n",
    );
    env.write(
        "pihole/.env",
        &format!("WEBPASSWORD={SECRET}\nOPT_MACADDR=BC:24:11:00:00:01\n"),
    );
    env.write("pihole/build-target.sh", "#!/bin/bash\necho ok\n");
    env.write("pihole/conf/pihole.toml", "x\n");
    env.commit("pihole");
    env
}

/// The line of `name` in a section printed as `  NAME  VALUE  ORIGIN`.
fn row(text: &str, name: &str) -> Vec<String> {
    text.lines()
        .map(str::split_whitespace)
        .map(|w| w.map(str::to_string).collect::<Vec<_>>())
        .find(|w| w.first().is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[test]
fn config_shows_values_and_where_they_were_set_without_a_host_or_a_secret() {
    let env = pihole();
    let out = env.lxc().args(["config", "pihole"]).output().unwrap();
    let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        row(&stdout, "RAM"),
        ["RAM", "256", "pihole/configSettings:5"]
    );
    assert_eq!(row(&stdout, "DOMAIN"), ["DOMAIN", "lan", "defaults:3"]);
    assert_eq!(row(&stdout, "MACADDR")[2], "pihole/.env:2");
    assert_eq!(row(&stdout, "SWAP"), ["SWAP", "512", "default"]);
    assert_eq!(row(&stdout, "HOST"), ["HOST", "pihole", "default"]);
    assert_eq!(
        row(&stdout, "WEBPASSWORD"),
        ["WEBPASSWORD", "********", "pihole/.env:1"]
    );
    assert_eq!(
        row(&stdout, "PIHOLE_USER"),
        ["PIHOLE_USER", "pihole", "pihole/configSettings:6"]
    );
    assert_eq!(row(&stdout, "TIMEZONE")[2], "defaults:4");
    assert!(
        stdout.contains("HOOK_customMounts  pihole/configSettings:7"),
        "{stdout}"
    );
    assert!(
        stdout.contains("/usr/local/conf  ro  pihole/conf"),
        "{stdout}"
    );
    assert!(stdout.contains("pihole/build-target.sh"), "{stdout}");
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "{stdout}{stderr}"
    );
    assert_eq!(stderr, "");

    let set = env
        .lxc()
        .args(["config", "pihole", "--set", "RAM=512"])
        .output()
        .unwrap();
    assert_eq!(row(&stdout_of(&set), "RAM"), ["RAM", "512", "--set"]);
}

#[test]
fn config_json_has_every_section_and_masks_secrets() {
    let env = pihole();
    let out = env
        .lxc()
        .args(["-q", "config", "pihole", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(!text.contains(SECRET), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["name"], "pihole");
    let ram = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "RAM")
        .unwrap();
    assert_eq!(ram["value"], "256");
    assert_eq!(ram["origin"], "pihole/configSettings:5");
    let secret = v["context"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "WEBPASSWORD")
        .unwrap();
    assert_eq!(
        (&secret["value"], &secret["secret"]),
        (&Value::from("********"), &Value::Bool(true))
    );
    assert_eq!(v["hooks"][0]["name"], "customMounts");
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "pihole/.env")
    );
    assert_eq!(v["mounts"][0]["target"], "/usr/local/conf");
    assert_eq!(v["mounts"][0]["read_only"], true);
}

/// What `.env` values every other command keeps readable, `config` keeps
/// readable too, saying why; a real secret stays masked in both formats.
#[test]
fn config_masks_what_every_command_masks_and_says_why_a_value_is_shown() {
    const PASSWORD: &str = "Xq7-vR2mP9wLk4tZ";
    let env = pihole();
    // `pihole` stands in the tree as the container's name only.
    env.write("pihole/configSettings", "# Pi-hole\nOPT_CTID=120\n");
    env.commit("no user in the settings");
    env.write(
        "pihole/.env",
        &format!(
            "WEBPASSWORD={SECRET}\nPIHOLE_USER=pihole\nPIHOLE_UID=1000\nPIHOLE_PASSWORD={PASSWORD}\n"
        ),
    );
    let out = env.lxc().args(["config", "pihole"]).output().unwrap();
    let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        row(&stdout, "PIHOLE_USER"),
        ["PIHOLE_USER", "pihole", "pihole/.env:2"]
    );
    assert_eq!(
        row(&stdout, "PIHOLE_UID"),
        ["PIHOLE_UID", "1000", "pihole/.env:3"]
    );
    assert_eq!(
        row(&stdout, "PIHOLE_PASSWORD"),
        ["PIHOLE_PASSWORD", "********", "pihole/.env:4"]
    );
    for line in [
        "    PIHOLE_USER: it also stands in the tracked tree",
        "    PIHOLE_UID: a whole number (an id or a port)",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line}\n{stdout}");
    }
    assert!(!stdout.contains("PIHOLE_PASSWORD:"), "{stdout}");

    let json = env
        .lxc()
        .args(["-q", "config", "pihole", "--json"])
        .output()
        .unwrap();
    let text = stdout_of(&json);
    let v: Value = serde_json::from_str(&text).unwrap();
    let var = |name: &str| {
        v["context"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(var("PIHOLE_USER")["value"], "pihole");
    assert_eq!(var("PIHOLE_USER")["secret"], true);
    assert_eq!(
        var("PIHOLE_USER")["not_masked"],
        "it also stands in the tracked tree"
    );
    assert_eq!(var("PIHOLE_UID")["value"], "1000");
    assert_eq!(var("PIHOLE_PASSWORD")["value"], "********");
    assert_eq!(var("PIHOLE_PASSWORD")["not_masked"], Value::Null);
    for shown in [&stdout, &stderr, &text, &stderr_of(&json)] {
        assert!(
            !shown.contains(PASSWORD) && !shown.contains(SECRET),
            "{shown}"
        );
    }
}

/// An invalid value is not what a setting holds: `config` shows the
/// default as the value and where the rejected one was assigned.
#[test]
fn config_shows_the_default_of_an_invalid_value_and_flags_the_assignment() {
    let env = pihole();
    env.write(
        "pihole/configSettings",
        "# Pi-hole\nOPT_RAM=lots\nOPT_SWAP=\"$WEBPASSWORD\"\n",
    );
    env.commit("invalid values");
    let out = env.lxc().args(["config", "pihole"]).output().unwrap();
    let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(row(&stdout, "RAM")[..3], ["RAM", "128", "default"]);
    assert!(
        stdout.lines().any(|l| l.starts_with("  RAM ") && l.ends_with(
            " default (pihole/configSettings:2 sets 'lots', which is invalid: must be a whole number; see `git lxc verify`)"
        )),
        "{stdout}"
    );
    assert_eq!(row(&stdout, "SWAP")[..3], ["SWAP", "512", "default"]);
    assert!(
        stdout.contains("(pihole/configSettings:3 sets '********', which is invalid"),
        "{stdout}"
    );
    assert!(
        stderr.contains("pihole/configSettings:2: OPT_RAM='lots'"),
        "{stderr}"
    );

    let json = env
        .lxc()
        .args(["-q", "config", "pihole", "--json"])
        .output()
        .unwrap();
    let text = stdout_of(&json);
    let v: Value = serde_json::from_str(&text).unwrap();
    let setting = |name: &str| {
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    let ram = setting("RAM");
    assert_eq!(
        (&ram["value"], &ram["origin"]),
        (&"128".into(), &"default".into())
    );
    assert_eq!(ram["invalid"]["value"], "lots");
    assert_eq!(ram["invalid"]["origin"], "pihole/configSettings:2");
    assert_eq!(ram["invalid"]["rule"], "must be a whole number");
    assert_eq!(setting("CORES")["invalid"], Value::Null);
    assert_eq!(setting("SWAP")["invalid"]["value"], "********");
    for shown in [&stdout, &stderr, &text, &stderr_of(&json)] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
}
