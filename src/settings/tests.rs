use super::table::Kind;
use super::*;

fn ev(vars: &[(&str, &str)]) -> Evaluated {
    Evaluated {
        name: "web".into(),
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Scalar(v.to_string())))
            .collect(),
        ..Default::default()
    }
}

#[test]
fn defaults_overrides_and_context() {
    let e = ev(&[("OPT_RAM", "256"), ("APP_PORT", "8080")]);
    let (s, problems) = resolve(
        Path::new("/nonexistent"),
        Path::new("/nonexistent/web"),
        &e,
        &[],
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(s.ram, 256);
    assert_eq!(s.swap, 512);
    assert_eq!(s.ostype, "alpine");
    assert_eq!(s.hostname, "web");
    assert!(s.context.contains_key("APP_PORT"));
    assert!(!s.context.contains_key("OPT_RAM"));
}

#[test]
fn an_invalid_value_leaves_the_default_and_says_what_it_was() {
    let (s, problems) = resolve(
        Path::new("/x"),
        Path::new("/x/web"),
        &ev(&[("OPT_RAM", "lots")]),
        &[("SWAP".to_string(), "much".to_string())],
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!((s.ram, s.origin("RAM")), (128, None));
    let ram = s.rejected("RAM").unwrap();
    assert_eq!((ram.value.as_str(), ram.origin.as_ref()), ("lots", None));
    assert_eq!(ram.rule, "must be a whole number");
    assert_eq!(s.origin("SWAP"), None);
    assert_eq!(
        s.rejected("SWAP").unwrap().origin,
        Some(Origin::set()),
        "--set is where the bad SWAP came from"
    );
    assert!(s.rejected("CORES").is_none());
}

#[test]
fn plain_names_set_settings_and_opt_wins() {
    let e = ev(&[
        ("APP", "Samba Server"),
        ("RAM", "384"),
        ("CORES", "2"),
        ("OPT_CORES", "4"),
    ]);
    let (s, problems) = resolve(Path::new("/x"), Path::new("/x/web"), &e, &[]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!((s.app.as_str(), s.ram, s.cores), ("Samba Server", 384, 4));
    assert!(s.context.is_empty(), "{:?}", s.context);
}

#[test]
fn a_plain_ostype_is_the_files_not_bashs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pihole");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("configSettings"), "OSTYPE=debian\nOSVERSION=12\n").unwrap();
    let tree = crate::workspace::tree::Tree::load(tmp.path()).unwrap();
    let runner = crate::host::process::Runner::new(false, Default::default());
    let c = tree.get("pihole").unwrap();
    let ev = crate::bash::evaluate(&runner, &tree, &[c])
        .unwrap()
        .remove(0);
    let (s, problems) = resolve(tmp.path(), &dir, &ev, &[]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!((s.ostype.as_str(), s.osversion.as_str()), ("debian", "12"));
}

#[test]
fn set_overrides_win_and_unknown_opt_is_reported() {
    let e = ev(&[("OPT_RAM", "256"), ("OPT_RAMM", "1")]);
    let (s, problems) = resolve(
        Path::new("/x"),
        Path::new("/x/web"),
        &e,
        &[("RAM".into(), "512".into())],
    );
    assert_eq!(s.ram, 512);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].rule, "unknown-opt");
    assert!(problems[0].hint.contains("OPT_RAM"), "{}", problems[0].hint);
}

#[test]
fn value_rules() {
    assert!(check(Kind::Ctid, "100").is_ok());
    assert!(check(Kind::Ctid, "99").is_err());
    assert!(check(Kind::Ctid, "0100").is_err());
    assert!(check(Kind::Ctid, "1000000000").is_err());
    assert!(check(Kind::Hostname, "pi-hole.lan").is_ok());
    assert!(check(Kind::Hostname, "pi_hole").is_err());
    assert!(check(Kind::Mac, "BC:24:11:12:34:56").is_ok());
    assert!(check(Kind::Mac, "01:24:11:12:34:56").is_err());
    assert!(check(Kind::Mac, "BC:24:11:12:34").is_err());
    assert!(check(Kind::Net, "dhcp").is_ok());
    assert!(check(Kind::Net, "10.0.0.5/24").is_ok());
    assert!(check(Kind::Net, "10.0.0.5").is_err());
    assert!(check(Kind::Net, "10.0.0.5/33").is_err());
    assert!(check(Kind::Vlan, "4094").is_ok());
    assert!(check(Kind::Vlan, "4095").is_err());
    assert!(check(Kind::Mtu, "63").is_err());
    assert!(check(Kind::OsType, "debian").is_ok());
    assert!(check(Kind::OsType, "windows").is_err());
    assert!(check(Kind::Size, "0.5").is_ok());
    assert!(check(Kind::Size, "8G").is_err());
    assert!(check(Kind::Features, "nesting=1,keyctl=1").is_ok());
    assert!(check(Kind::Features, "nesting").is_err());
    assert!(check(Kind::Tags, "web;prod").is_ok());
    assert!(check(Kind::Tags, "-web").is_err());
    assert!(check(Kind::Int { min: 1, max: 8192 }, "two").is_err());
}

#[test]
fn locates_assignment_lines() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("configSettings");
    std::fs::write(
        &f,
        "# OPT_RAM=1 in a comment still counts as text\nX=1\nexport OPT_RAM=64\nNOT_OPT_RAM=3\n",
    )
    .unwrap();
    let o = Sources::read(dir.path(), dir.path())
        .locate("OPT_RAM")
        .unwrap();
    assert_eq!(o.line, Some(3));
    assert_eq!(o.file, f);
}
