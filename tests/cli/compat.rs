//! A tree written for the original build script works unchanged: six
//! containers in its style (plain and `OPT_` settings, `mps` hooks by name
//! and by nameref, `sudo sed` on /etc/pve/lxc/$CTID.conf, MAP=1,
//! target-bootstrap.sh with the original helpers), first built the way the
//! original builds them, then adopted and rebuilt by git-lxc.

mod tree;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::fakes;
use crate::support::{Env, stderr_of, stdout_of};
use tree::{ALPINE_OLD, CONTAINERS, Original};

/// `mpN` → (source, target, read-only) of a container's config.
fn mounts(env: &Env, ctid: u32) -> BTreeMap<String, (String, String, bool)> {
    let conf = fakes::conf(env, ctid).unwrap();
    conf.lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| {
            let (key, spec) = l.split_once(": ")?;
            key.strip_prefix("mp")?.parse::<u32>().ok()?;
            let mut parts = spec.split(',');
            let source = parts.next()?.to_string();
            let mut target = String::new();
            let mut ro = false;
            for p in parts {
                match p.split_once('=') {
                    Some(("mp", t)) => target = t.to_string(),
                    Some(("ro", v)) => ro = v == "1",
                    _ => {}
                }
            }
            Some((key.to_string(), (source, target, ro)))
        })
        .collect()
}

fn lxc_lines(env: &Env, ctid: u32) -> Vec<String> {
    let conf = fakes::conf(env, ctid).unwrap();
    conf.lines()
        .take_while(|l| !l.starts_with('['))
        .filter(|l| l.starts_with("lxc."))
        .map(str::to_string)
        .collect()
}

fn mac(env: &Env, ctid: u32) -> String {
    let net0 = fakes::conf_value(env, ctid, "net0").unwrap();
    net0.split(',')
        .find_map(|p| p.strip_prefix("hwaddr="))
        .unwrap()
        .to_string()
}

fn status(env: &Env) -> Vec<Value> {
    let out = fakes::lxc(env).args(["status", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_str(&stdout_of(&out)).unwrap()
}

#[test]
fn the_original_trees_containers_are_adopted_and_rebuilt_as_the_original_built_them() {
    let env = Env::new();
    fakes::install(&env);
    let originals = tree::write(&env);
    env.commit("the tree as the original script keeps it");
    for o in &originals {
        o.create(&env);
    }
    let before: Vec<_> = originals
        .iter()
        .map(|o| (mounts(&env, o.ctid), mac(&env, o.ctid)))
        .collect();
    let data_before = tree::data_digest(&env);

    // Not ours yet: status says so, build and rebuild refuse with the hint.
    let rows = status(&env);
    for o in &originals {
        let row = rows.iter().find(|r| r["name"] == o.name).unwrap();
        assert_eq!(row["managed"], false, "{row}");
        assert_eq!(row["ctid"], o.ctid, "{row}");
    }
    let out = fakes::lxc(&env).arg("status").output().unwrap();
    assert!(
        stderr_of(&out).contains("git lxc adopt"),
        "{}",
        stderr_of(&out)
    );
    let out = fakes::lxc(&env)
        .args(["rebuild", "blog", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("git lxc adopt blog"),
        "{}",
        stderr_of(&out)
    );
    assert!(fakes::changing_calls(&env).is_empty());

    // Adopt: shown, recorded, nothing rebuilt.
    let out = fakes::lxc(&env)
        .args(["adopt", "--all", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let shown = stdout_of(&out);
    assert!(
        shown.contains("blog: CT 101 (running, hostname blog), found by hostname; OS alpine-3.19"),
        "{shown}"
    );
    assert!(
        shown.contains("samba: CT 104 (running, hostname samba), found by OPT_CTID"),
        "{shown}"
    );
    assert!(!shown.contains("the mounts differ"), "{shown}");
    let changing = fakes::changing_calls(&env);
    assert!(
        changing
            .iter()
            .all(|c| (c.starts_with("pct set ") && c.contains(" --tags "))
                || (c.starts_with("pct exec ") && c.ends_with(" -- cat /etc/os-release"))),
        "{changing:#?}"
    );
    for o in &originals {
        let d = fakes::description(&env, o.ctid).unwrap();
        assert!(d.starts_with(&o.description()), "{d}");
        let record = fakes::record_line(&env, o.ctid).unwrap();
        assert!(record.contains(" adopted"), "{record}");
        assert!(record.contains(&format!(" os={}", o.os())), "{record}");
    }
    assert!(status(&env).iter().all(|r| r["managed"] == true));

    // Rebuild them all: the original's container again.
    fakes::clear_calls(&env);
    let out = fakes::lxc(&env)
        .args(["rebuild", "--all", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for (o, (mps, mac_before)) in originals.iter().zip(&before) {
        let after = mounts(&env, o.ctid);
        let shape = |m: &BTreeMap<String, (String, String, bool)>| {
            m.iter()
                .map(|(k, (_, target, ro))| (k.clone(), target.clone(), *ro))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&after), shape(mps), "{}", o.name);
        let data = |m: &BTreeMap<String, (String, String, bool)>| {
            m.values()
                .filter(|(_, t, _)| t != "/usr/local/sbin" && t != "/usr/local/conf")
                .map(|(s, t, _)| (s.clone(), t.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            data(&after),
            data(mps),
            "{}: data/ and the hooks' mounts",
            o.name
        );
        assert_eq!(&mac(&env, o.ctid), mac_before, "{}: MAC", o.name);
        let d = fakes::description(&env, o.ctid).unwrap();
        assert!(d.contains(&format!("## {}\n", o.app)), "{d}");
        let record = fakes::record_line(&env, o.ctid).unwrap();
        assert!(record.contains("state=built"), "{record}");
        assert!(
            record.contains(&format!(" os={}", o.os())),
            "{}: {record}",
            o.name
        );
        let lxc = lxc_lines(&env, o.ctid);
        for line in o.mapping {
            assert!(
                lxc.contains(&line.to_string()),
                "{}: {line} in {lxc:#?}",
                o.name
            );
        }
        assert_eq!(fakes::conf_value(&env, o.ctid, "ostype").unwrap(), o.ostype);
    }
    let created: Vec<String> = fakes::call_lines(&env)
        .into_iter()
        .filter(|c| c.starts_with("pct create "))
        .collect();
    assert_eq!(created.len(), CONTAINERS, "{created:#?}");
    assert!(
        created.iter().filter(|c| c.contains(ALPINE_OLD)).count() == 4,
        "the Alpine ones keep 3.19 while 3.22 is there: {created:#?}"
    );
    assert_eq!(
        tree::data_digest(&env),
        data_before,
        "data/ is byte-identical"
    );
}

#[test]
fn verify_reports_exactly_the_true_findings_of_the_original_tree() {
    let env = Env::new();
    fakes::install(&env);
    tree::write(&env);
    env.commit("the tree");
    let out = env
        .lxc()
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let findings: Vec<Value> = serde_json::from_str(&stdout_of(&out)).unwrap();
    let got: Vec<(String, String, Option<u64>)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "password-hash".to_string(),
                "iot/conf/mosquitto/passwd".to_string(),
                Some(1)
            ),
            (
                "secret-literal".to_string(),
                "iot/conf/zigbee2mqtt/configuration.yaml".to_string(),
                Some(6)
            ),
        ],
        "{findings:#?}"
    );
    let all = stdout_of(&out);
    assert!(!all.contains("Zigbee-MQTT-pw1") && !all.contains("$7$101$"));
    // An .env.example the tree's own .gitignore ignores is a warning.
    env.write(".gitignore", ".env*\ndata/\n");
    env.write("vsftp/.env.example", "FTP_PASSWORD=\n");
    env.commit("ignore too much");
    let out = env
        .lxc()
        .args(["verify", "--format", "json", "vsftp"])
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_str(&stdout_of(&out)).unwrap();
    let f = findings
        .iter()
        .find(|f| f["rule"] == "env-example-ignored")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(f["file"], "vsftp/.env.example");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains(".gitignore:1:.env*"),
        "{f}"
    );
}

/// `plan` shows the mounts the hooks add to mps, numbered after the folder's.
#[test]
fn plan_shows_the_mounts_of_mps() {
    let env = Env::new();
    fakes::install(&env);
    let originals = tree::write(&env);
    env.commit("the tree");
    let out = fakes::lxc(&env).args(["plan", "iot"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let plan = stdout_of(&out);
    let iot = originals.iter().find(|o| o.name == "iot").unwrap();
    assert!(
        plan.contains(&format!(
            "--mp3 {},mp=/var/log/mosquitto",
            iot.extra.as_ref().unwrap().0
        )),
        "{plan}"
    );
    assert!(plan.contains("/data,mp=/usr/local/data"), "{plan}");
    let _: &Original = iot;
}
