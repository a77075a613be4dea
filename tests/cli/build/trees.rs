//! Whole trees against the fake host: one shaped like the original bash
//! script's, the one `verify` tests, and the repository's example.

use std::path::Path;

use super::{CANARY, ok, run, setup};
use crate::fakes;
use crate::support::{Env, stderr_of};

/// The release each container of these trees is built on: Debian for the
/// two that ask for it, else Alpine.
fn os_of(name: &str) -> &'static str {
    match name {
        "pihole" | "vpn" => "debian-12",
        _ => "alpine-3.22",
    }
}

/// A tree shaped like the original bash script's (seed/): six containers.
fn seed_tree(env: &Env) -> std::path::PathBuf {
    let host = env.tmp.path().canonicalize().unwrap().join("srv");
    std::fs::create_dir_all(host.join("media")).unwrap();
    env.write("defaults", "OPT_DNS=192.168.1.1\nOPT_DOMAIN=home.lan\n");
    env.write(".env", "OPT_GATEWAY=192.168.1.254\n");
    // Debian, MAP=1, legacy build script name.
    env.write(
        "pihole/configSettings",
        "OPT_OSTYPE=debian\nOPT_MAP=1\nOPT_NET=192.168.1.53/24\nOPT_RAM=512\nAPP=Pi-hole\nPIHOLE_DNS=1.1.1.1\n",
    );
    env.write(
        "pihole/target-bootstrap.sh",
        "#!/bin/bash\ncurl -sSL https://install.pi-hole.net | bash /dev/stdin --unattended\n",
    );
    env.write("pihole/.env", &format!("WEBPASSWORD={CANARY}\n"));
    env.write("vpn/configSettings", "OPT_OSTYPE=debian\nAPP=PiVPN\n");
    env.write(
        "vpn/target-bootstrap.sh",
        "#!/bin/bash\npackage common\npackage install\n",
    );
    for name in ["web", "mqtt", "media", "zigbee"] {
        env.write(
            &format!("{name}/build-target.sh"),
            "#!/bin/bash\nset -e\npackage common\npackage install\nln -sf /usr/local/conf/app.conf /etc/app.conf\npersist ssh /etc/ssh\n",
        );
        env.write(&format!("{name}/conf/app.conf"), "setting=1\n");
        env.write(&format!("{name}/bin/tool"), "#!/bin/sh\necho tool\n");
        env.write(&format!("{name}/data/state.db"), &format!("{name} data\n"));
    }
    env.write("web/configSettings", "APP=Blog\nOPT_CORES=2\nOPT_RAM=512\n");
    env.write(
        "mqtt/configSettings",
        "APP=Mosquitto\nHOOK_customMounts() {\n    local -n m=$1\n    m+=(--mp5 \"$ROOT_PATH/logs,mp=/var/log/mosquitto\")\n}\n",
    );
    env.write("mqtt/logs/.keep", "");
    env.write(
        "media/configSettings",
        "APP=Jellyfin\nHOOK_customMounts() {\n    local -n m=$1\n    m+=(\"--mp3 $MEDIA_DIR,mp=/media\")\n}\n",
    );
    env.write(
        "media/.env",
        &format!("MEDIA_DIR={}\n", host.join("media").display()),
    );
    env.write(
        "zigbee/configSettings",
        "APP=Zigbee2MQTT\nOPT_PRIVTYPE=0\nHOOK_customMapping() {\n    cat >> \"$CTCONF\" <<EOF\nlxc.cgroup2.devices.allow: c 188:* rwm\nlxc.mount.entry: /dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file\nEOF\n}\n",
    );
    env.commit("seed tree");
    host
}

#[test]
fn a_seed_shaped_tree_builds_and_rebuilds_keeping_data() {
    let env = setup();
    seed_tree(&env);
    std::fs::write(fakes::subid_dir(&env).join("subuid"), "").unwrap();
    std::fs::write(fakes::subid_dir(&env).join("subgid"), "").unwrap();
    let out = ok(&env, &["rebuild", "--all", "--yes"]);
    let err = stderr_of(&out);
    assert!(!err.contains(CANARY), "{err}");
    let names = ["media", "mqtt", "pihole", "vpn", "web", "zigbee"];
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let id = 100 + i as u32;
        assert_eq!(
            fakes::record_line(&env, id).as_deref(),
            Some(env.record(name, os_of(name), "built").as_str()),
            "{name}: {err}"
        );
        ids.push(id);
    }
    let pihole = fakes::conf(&env, 102).unwrap();
    assert!(pihole.contains("lxc.idmap: u 1000 1000 1"));
    assert!(pihole.contains("ostype: debian"));
    assert!(pihole.contains("ip=192.168.1.53/24"));
    assert!(pihole.contains("gw=192.168.1.254"), "{pihole}");
    assert!(
        fakes::conf(&env, 105)
            .unwrap()
            .contains("lxc.cgroup2.devices.allow: c 188:* rwm")
    );
    let zigbee = fakes::conf(&env, 105).unwrap();
    assert!(
        !zigbee.contains("unprivileged: 1") && !zigbee.contains("keyctl"),
        "{zigbee}"
    );
    assert!(fakes::conf(&env, 101).unwrap().contains("mp5: "));
    assert!(fakes::conf(&env, 100).unwrap().contains("mp3: "));
    let web = fakes::conf(&env, 104).unwrap();
    for target in [
        "/usr/local/conf,ro=1",
        "/usr/local/sbin,ro=1",
        "/usr/local/data",
    ] {
        assert!(
            web.contains(&format!("mp=/{}", &target[1..])),
            "{target}: {web}"
        );
    }
    for l in fakes::call_lines(&env) {
        assert!(!l.contains(CANARY));
    }

    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "web", "--yes"]);
    let lines = fakes::call_lines(&env);
    let at = |s: &str| lines.iter().position(|l| l.starts_with(s)).unwrap();
    assert!(at("pct shutdown 104") < at("pct destroy 104"));
    assert!(at("pct destroy 104") < at("pct create 104"));
    assert_eq!(env.read("web/data/state.db"), "web data\n");
    assert!(fakes::running(&env, 104));
    for id in ids {
        assert!(fakes::exists(&env, id));
    }
}

#[test]
fn the_verify_seed_tree_builds_too() {
    let env = setup();
    crate::verify::seed_tree(&env);
    let media = env.tmp.path().canonicalize().unwrap().join("media");
    std::fs::create_dir_all(&media).unwrap();
    env.write(
        "pihole/.env",
        &format!("WEBPASSWORD={CANARY}\nMEDIA_DIR={}\n", media.display()),
    );
    let out = ok(&env, &["rebuild", "--all", "--yes"]);
    assert!(!stderr_of(&out).contains(CANARY));
    let containers = ["nginx", "pihole", "vpn"];
    for (name, id) in containers.iter().zip(110..) {
        assert_eq!(
            fakes::record_line(&env, id).unwrap(),
            env.record(name, os_of(name), "built")
        );
    }
    let pihole = fakes::conf(&env, 111).unwrap();
    for line in [
        "lxc.idmap: u 1001 1001 1",
        "lxc.cgroup2.devices.allow: c 188:* rwm",
        &format!("mp3: {},mp=/media", media.display()),
    ] {
        assert!(pihole.contains(line), "{line} missing in\n{pihole}");
    }
    let subuid = std::fs::read_to_string(fakes::subid_dir(&env).join("subuid")).unwrap();
    assert!(subuid.contains("root:1001:1"), "{subuid}");
    assert_eq!(env.read("pihole/data/pihole-FTL.db"), "persistent\n");
}

#[test]
fn the_homelab_example_builds_end_to_end() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/homelab");
    if !example.is_dir() {
        eprintln!("examples/homelab is not in the repository yet; nothing to build");
        return;
    }
    let env = setup();
    let tree = env.path("examples/homelab");
    copy_dir(&example, &tree);
    // Host folders the example's hooks mount must exist; point them into
    // the test's temp folder instead of the real /srv.
    let host = env.tmp.path().canonicalize().unwrap().join("srv");
    for entry in walkdir::WalkDir::new(&tree) {
        let entry = entry.unwrap();
        if entry.file_name() != "configSettings" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = text.replace("/srv/", &format!("{}/", host.display()));
        std::fs::write(entry.path(), text).unwrap();
        let example_env = entry.path().with_file_name(".env.example");
        if example_env.exists() {
            let text = std::fs::read_to_string(&example_env).unwrap();
            let filled: String = text
                .lines()
                .map(|l| match l.strip_suffix('=') {
                    Some(key) if !l.starts_with('#') => format!("{key}={CANARY}\n"),
                    _ => format!("{l}\n"),
                })
                .collect();
            std::fs::write(example_env.with_file_name(".env"), filled).unwrap();
        }
    }
    for entry in walkdir::WalkDir::new(&tree) {
        let entry = entry.unwrap();
        if entry.file_name() != "configSettings" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let prefix = host.display().to_string();
        for (at, _) in text.match_indices(&prefix) {
            let dir: String = text[at..]
                .chars()
                .take_while(|c| !matches!(c, '}' | '"' | '\'' | ',' | ' ' | '\n'))
                .collect();
            std::fs::create_dir_all(dir).unwrap();
        }
    }
    env.commit("example");
    let out = run(
        &env,
        &["-C", "examples/homelab", "rebuild", "--all", "--yes"],
    );
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains(CANARY), "{err}");
    let head = env.head();
    let containers: Vec<_> = std::fs::read_dir(&tree)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("configSettings").is_file())
        .collect();
    assert!(!containers.is_empty());
    let created: Vec<u32> = fakes::calls(&env)
        .iter()
        .filter(|c| c.argv.first().map(String::as_str) == Some("create"))
        .map(|c| c.argv[1].parse().unwrap())
        .collect();
    assert_eq!(created.len(), containers.len());
    for id in created {
        let line = fakes::record_line(&env, id).unwrap();
        assert!(
            line.contains(&format!("commit={head} state=built os=")),
            "{line}"
        );
        assert!(!fakes::conf(&env, id).unwrap().contains(CANARY));
    }
    for c in fakes::calls(&env) {
        assert!(!c.line().contains(CANARY), "{}", c.line());
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}
