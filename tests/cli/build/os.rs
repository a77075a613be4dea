//! The OS release is part of the record: a rebuild keeps it, `--upgrade`
//! moves to the newest local release.

use super::{code, ok, setup};
use crate::fakes;
use crate::support::write_container;

const OLD: &str = "alpine-3.19-default_20240207_amd64.tar.xz";

#[test]
fn a_rebuild_keeps_the_release_and_upgrade_moves_on() {
    let env = setup();
    let templates = env.state.join("templates/local");
    for f in std::fs::read_dir(&templates).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    std::fs::write(templates.join(OLD), "").unwrap();
    write_container(&env, "web", "APP=Web\n");
    env.commit("web");
    ok(&env, &["build", "web"]);
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" os=alpine-3.19")
    );

    // A newer release arrives on the host: the rebuild stays on 3.19.
    std::fs::write(templates.join(fakes::ALPINE), "").unwrap();
    fakes::clear_calls(&env);
    ok(&env, &["rebuild", "web", "--yes"]);
    let create = fakes::call_lines(&env)
        .into_iter()
        .find(|l| l.starts_with("pct create"))
        .unwrap();
    assert!(create.contains(OLD), "{create}");
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" os=alpine-3.19")
    );

    // Without its template, the rebuild stops before anything changes.
    std::fs::remove_file(templates.join(OLD)).unwrap();
    fakes::clear_calls(&env);
    let err = code(&env, &["rebuild", "web", "--yes"], 1);
    assert!(err.contains("no alpine-3.19 template"), "{err}");
    assert!(err.contains("--upgrade"), "{err}");
    assert!(
        err.contains(
            "OSTYPE 'alpine' (default), OSVERSION not set (a rebuild keeps the recorded 3.19)"
        ),
        "{err}"
    );
    assert_eq!(fakes::changing_calls(&env), Vec::<String>::new());

    ok(&env, &["rebuild", "web", "--yes", "--upgrade"]);
    assert!(
        fakes::record_line(&env, 100)
            .unwrap()
            .contains(" os=alpine-3.22")
    );
}
