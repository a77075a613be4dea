use std::os::unix::fs::PermissionsExt;

use super::*;

/// What `pvesh get /nodes/<node>/storage --output-format json` prints on a
/// fresh install (pct.md §11.3), plus a disabled and an offline storage.
const STORAGES: &str = r#"[
  {"active":1,"avail":98784247808,"content":"images,rootdir","enabled":1,"shared":0,"storage":"local-lvm","total":107374182400,"type":"lvmthin","used":8589934592,"used_fraction":0.08},
  {"active":1,"avail":1073741824,"content":"backup,iso,vztmpl","enabled":1,"shared":0,"storage":"local","total":107374182400,"type":"dir","used":0},
  {"active":0,"avail":0,"content":"backup","enabled":1,"shared":1,"storage":"nfs1","total":0,"type":"nfs","used":0},
  {"active":0,"avail":0,"content":"rootdir","enabled":0,"shared":0,"storage":"old","total":0,"type":"dir","used":0}
]"#;

fn storages() -> Storages {
    Storages::parse(STORAGES).unwrap()
}

#[test]
fn parses_the_storage_list() {
    let s = storages();
    assert_eq!(s.0.len(), 4);
    let lvm = s.get("local-lvm").unwrap();
    assert_eq!(lvm.kind, "lvmthin");
    assert!(lvm.enabled && lvm.active && lvm.holds("rootdir") && !lvm.holds("vztmpl"));
    assert_eq!(lvm.avail, 98784247808);
    assert!(!s.get("old").unwrap().enabled);
    assert!(Storages::parse("not json").is_err());
}

#[test]
fn flags_and_sizes_may_be_strings() {
    let s = Storages::parse(
        r#"[{"storage":"x","type":"dir","content":"rootdir","enabled":"1","active":true,"avail":"2048"}]"#,
    )
    .unwrap();
    let x = s.get("x").unwrap();
    assert!(x.enabled && x.active);
    assert_eq!(x.avail, 2048);
}

#[test]
fn a_good_storage_has_no_problem() {
    assert_eq!(
        storage_problem(&storages(), "local-lvm", Use::Disk, 8.0),
        None
    );
    assert_eq!(
        storage_problem(&storages(), "local", Use::Template, 0.0),
        None
    );
    assert_eq!(
        storage_problem(&storages(), "local", Use::Backup, 0.5),
        None
    );
}

#[test]
fn a_missing_storage_names_the_ones_that_would_do() {
    let p = storage_problem(&storages(), "fast", Use::Disk, 1.0).unwrap();
    assert_eq!(p.message, "DISKSTORE 'fast' does not exist on this host");
    assert_eq!(p.fix, "set OPT_DISKSTORE to one that does: local-lvm");
}

#[test]
fn disabled_offline_wrong_content_and_full_storages() {
    let s = storages();
    let p = storage_problem(&s, "old", Use::Disk, 1.0).unwrap();
    assert_eq!(p.message, "DISKSTORE 'old' is disabled");
    assert!(p.fix.contains("pvesm set old --disable 0"), "{}", p.fix);
    let p = storage_problem(&s, "nfs1", Use::Backup, 1.0).unwrap();
    assert!(p.message.contains("not active"), "{}", p.message);
    let p = storage_problem(&s, "local", Use::Disk, 1.0).unwrap();
    assert_eq!(
        p.message,
        "DISKSTORE 'local' does not hold rootdir (it holds backup,iso,vztmpl)"
    );
    assert!(
        p.fix.starts_with(
            "add rootdir to its content (`pvesm set local --content backup,iso,vztmpl,rootdir`)"
        ),
        "{}",
        p.fix
    );
    let p = storage_problem(&s, "local", Use::Backup, 2.0).unwrap();
    assert_eq!(
        p.message,
        "BACKUPSTORE 'local' has 1 GiB free, 2 GiB needed"
    );
}

#[test]
fn no_storage_holding_the_content_at_all() {
    let s = Storages::parse(
        r#"[{"storage":"local","type":"dir","content":"iso","enabled":1,"active":1}]"#,
    )
    .unwrap();
    let p = storage_problem(&s, "local", Use::Template, 0.0).unwrap();
    assert!(
        p.fix.contains("no storage of this host holds vztmpl"),
        "{}",
        p.fix
    );
}

/// `pvesh get /nodes/<node>/network --output-format json` (pct.md §11.4).
const NETWORK: &str = r#"[
  {"active":1,"exists":1,"families":["inet"],"iface":"eno1","method":"manual","priority":3,"type":"eth"},
  {"active":1,"autostart":1,"bridge_fd":"0","bridge_ports":"eno1","bridge_stp":"off","cidr":"192.168.1.2/24","families":["inet"],"iface":"vmbr0","method":"static","priority":4,"type":"bridge"},
  {"autostart":1,"families":["inet"],"iface":"vmbr1","method":"manual","priority":5,"type":"OVSBridge"}
]"#;

#[test]
fn bridges_exist_or_are_named_with_the_alternatives() {
    let b = Bridges::parse(NETWORK).unwrap();
    assert_eq!(b.names(), ["vmbr0", "vmbr1"]);
    assert_eq!(bridge_problem(&b, "vmbr0"), None);
    assert_eq!(bridge_problem(&b, "vmbr1"), None);
    let p = bridge_problem(&b, "vmbr9").unwrap();
    assert_eq!(p.message, "BRIDGE 'vmbr9' does not exist on this host");
    assert_eq!(p.fix, "set OPT_BRIDGE to one of: vmbr0, vmbr1");
    let p = bridge_problem(&b, "eno1").unwrap();
    assert_eq!(p.message, "BRIDGE 'eno1' is a eth interface, not a bridge");
    let none = Bridges::parse("[]").unwrap();
    assert!(
        bridge_problem(&none, "vmbr0")
            .unwrap()
            .fix
            .contains("add a Linux bridge")
    );
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_0700_folder_on_the_way_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    chmod(&top, 0o755);
    let home = top.join("home");
    let conf = home.join("lxcs/web/conf");
    std::fs::create_dir_all(&conf).unwrap();
    for d in [&home, &home.join("lxcs"), &home.join("lxcs/web"), &conf] {
        chmod(d, 0o755);
    }
    let reachable = |p: &Path| match container_root_blocker(p, Access::Read) {
        Ok(None) => Ok(()),
        Ok(Some(b)) => Err(b.problem().message),
        Err(e) => Err(format!("cannot read {}: {e}", p.display())),
    };
    assert_eq!(reachable(&conf), Ok(()));
    chmod(&home, 0o700);
    let err = reachable(&conf).unwrap_err();
    assert!(
        err.starts_with(&format!("{} is mode 0700 (owner uid ", home.display())),
        "{err}"
    );
    assert!(
        err.ends_with("cannot pass through it to the mount sources below"),
        "{err}"
    );
    let b = container_root_blocker(&conf, Access::Read)
        .unwrap()
        .unwrap();
    assert_eq!(
        (b.dir.as_path(), b.mode, b.need),
        (home.as_path(), 0o700, Access::Pass)
    );
    assert_eq!(
        b.problem().fix,
        format!(
            "chmod o+x {}, or keep the tree outside it (e.g. in /srv)",
            home.display()
        )
    );
    chmod(&home, 0o711);
    assert_eq!(reachable(&conf), Ok(()));
    chmod(&conf, 0o711);
    assert!(
        reachable(&conf)
            .unwrap_err()
            .ends_with("cannot read this mount source")
    );
    assert!(
        reachable(&top.join("nosuch"))
            .unwrap_err()
            .starts_with("cannot read")
    );
}

#[test]
fn data_must_be_writable_by_the_container_root() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().canonicalize().unwrap().join("data");
    std::fs::create_dir(&data).unwrap();
    chmod(&data, 0o755);
    let b = container_root_blocker(&data, Access::Write)
        .unwrap()
        .unwrap();
    assert_eq!(b.need, Access::Write);
    assert!(
        b.problem().message.contains("cannot write to it"),
        "{:?}",
        b
    );
    assert!(b.problem().fix.starts_with("chown 100000:100000 "));
    chmod(&data, 0o777);
    assert_eq!(container_root_blocker(&data, Access::Write).unwrap(), None);
}

#[test]
fn gib_reads_well() {
    assert_eq!(gib(0.5), "0.5");
    assert_eq!(gib(8.0), "8");
    assert_eq!(gib(91.99999), "92");
    assert_eq!(gib(0.256), "0.26");
}
