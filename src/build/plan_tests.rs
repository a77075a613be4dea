//! The plan's commands for typical settings.

use super::*;

fn settings(files: &str) -> Settings {
    let ev = crate::bash::Evaluated {
        name: "web".into(),
        vars: files
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), crate::bash::Value::Scalar(v.to_string())))
            .collect(),
        ..Default::default()
    };
    let (s, problems) = crate::settings::resolve(
        std::path::Path::new("/t"),
        std::path::Path::new("/t/web"),
        &ev,
        &[],
    );
    assert!(problems.is_empty(), "{problems:?}");
    s
}

fn lines(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .flat_map(|s| s.action.commands())
        .filter(|c| c.changes_host)
        .map(|c| c.proc.display())
        .collect()
}

fn input<'a>(s: &'a Settings, t: &'a Template, hooks: &'a Hooks) -> Input<'a> {
    Input {
        settings: s,
        ctid: CtidArg::Id(100),
        existing: Some(Existing {
            running: true,
            protected: true,
        }),
        backups: &[],
        notes: "git-lxc web 0123456789ab".into(),
        template: t,
        mount_args: &[],
        make_data: None,
        ssh_keys: None,
        building: "building".into(),
        built: "built".into(),
        script: "echo secret".into(),
        hooks,
        conf_path: "/etc/pve/lxc/100.conf".into(),
        mapping_copy: "/g/lxc/tmp/100.conf".into(),
        subid_missing: vec![("/etc/subuid".into(), "root:1000:1".into())],
        ip_timeout: Duration::from_secs(60),
    }
}

#[test]
fn a_rebuild_with_map_runs_these_commands() {
    let s = settings("OPT_MAP=1\nOPT_REBOOT=0\nOPT_OSTYPE=debian\nOPT_BACKUP=0\nOPT_PROTECT=0");
    let t = Template {
        volid: "local:vztmpl/debian-12.tar.zst".into(),
        os: "debian-12".into(),
        update: true,
        download: None,
    };
    let hooks = Hooks::default();
    let got = lines(&steps(&input(&s, &t, &hooks)));
    assert_eq!(got[0], "pveam update");
    assert_eq!(got[1], "pct shutdown 100 --timeout 60");
    assert_eq!(got[2], "pct stop 100");
    assert_eq!(got[3], "pct set 100 --protection 0");
    assert_eq!(got[4], "pct destroy 100");
    assert!(got[5].starts_with(
        "pct create 100 local:vztmpl/debian-12.tar.zst --hostname web --ostype debian"
    ));
    assert!(
        got[5].ends_with("--tags git-lxc --description building"),
        "{}",
        got[5]
    );
    assert!(got[6].starts_with("tee -a /etc/pve/lxc/100.conf <<< 'lxc.idmap: u 0 100000 1000"));
    assert_eq!(got[7], "tee -a /etc/subuid <<< root:1000:1");
    assert_eq!(got[8], "pct start 100");
    assert_eq!(got[9], "pct exec 100 --keep-env 0 -- bash -s < (script)");
    assert_eq!(got[10], "pct set 100 --description built");
    assert_eq!(got.len(), 11);
}

#[test]
fn idmap_for_1000_covers_the_whole_range() {
    let l = idmap_lines(1000);
    assert_eq!(l[0], "lxc.idmap: u 0 100000 1000");
    assert_eq!(l[1], "lxc.idmap: u 1000 1000 1");
    assert_eq!(l[2], "lxc.idmap: u 1001 101001 64535");
    assert_eq!(l.len(), 6);
}
