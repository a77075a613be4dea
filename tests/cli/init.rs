//! `git lxc init` and `git lxc new`: what they write, that they never
//! overwrite, and that what they write passes `verify`.

use crate::support::{Env, stderr_of};

fn run(env: &Env, args: &[&str]) -> (i32, String) {
    let out = env.lxc().args(args).output().unwrap();
    (out.status.code().unwrap(), stderr_of(&out))
}

fn count_lines(text: &str, line: &str) -> usize {
    text.lines().filter(|l| l.trim() == line).count()
}

#[test]
fn init_writes_gitignore_and_defaults_once() {
    let env = Env::new();
    let (code, err) = run(&env, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("added .env and data/ to .gitignore"), "{err}");
    assert!(err.contains("created defaults"), "{err}");
    let gitignore = env.read(".gitignore");
    assert_eq!(
        (
            count_lines(&gitignore, ".env"),
            count_lines(&gitignore, "data/")
        ),
        (1, 1)
    );
    let defaults = env.read("defaults");
    for setting in ["CTID", "RAM", "OSTYPE", "NET", "MAPID"] {
        assert!(
            defaults.contains(&format!("\n#OPT_{setting}=")),
            "{setting}: {defaults}"
        );
    }
    assert!(defaults.contains("#OPT_RAM=128 ") && defaults.contains("memory in MiB"));

    let (code, err) = run(&env, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to change"), "{err}");
    assert_eq!(env.read(".gitignore"), gitignore);
    assert_eq!(env.read("defaults"), defaults);
}

#[test]
fn init_appends_only_what_is_missing_and_keeps_user_files() {
    let env = Env::new();
    env.write(".gitignore", "/target\n.env");
    env.write("defaults", "OPT_RAM=256\n");
    let (code, err) = run(&env, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(env.read(".gitignore"), "/target\n.env\ndata/\n");
    assert_eq!(env.read("defaults"), "OPT_RAM=256\n");
    assert!(!err.contains("created defaults"), "{err}");
}

#[test]
fn init_counts_rules_git_already_honours() {
    let env = Env::new();
    // A pattern that covers .env files without being the literal line.
    env.write(".gitignore", "**/.env\n**/data/\n");
    let (code, err) = run(&env, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(env.read(".gitignore"), "**/.env\n**/data/\n");
}

#[test]
fn init_uses_the_discovered_root() {
    let env = Env::new();
    env.write("lxcs/web/configSettings", "OPT_CTID=120\n");
    env.write("README.md", "hello\n");
    let (code, err) = run(&env, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(env.path("lxcs/defaults").is_file());
    assert!(env.read("lxcs/.gitignore").contains("data/"));
    assert!(!env.path("defaults").exists() && !env.path(".gitignore").exists());
}

#[test]
fn init_creates_a_root_named_by_option() {
    let env = Env::new();
    let (code, err) = run(&env, &["--root", "containers", "init"]);
    assert_eq!(code, 0, "{err}");
    assert!(env.path("containers/defaults").is_file());
    assert!(env.path("containers/.gitignore").is_file());
}

#[test]
fn new_scaffolds_a_container_that_passes_verify() {
    let env = Env::new();
    assert_eq!(run(&env, &["init"]).0, 0);
    let (code, err) = run(&env, &["new", "dns"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&env, &["new", "wiki", "--os", "debian"]);
    assert_eq!(code, 0, "{err}");
    for file in [
        "configSettings",
        "build-target.sh",
        ".env.example",
        "conf/.gitkeep",
        "bin/.gitkeep",
    ] {
        assert!(env.path(&format!("dns/{file}")).is_file(), "{file}");
    }
    assert!(
        env.read("wiki/configSettings")
            .lines()
            .any(|l| l == "OPT_OSTYPE=debian")
    );
    assert!(
        !env.read("dns/configSettings")
            .lines()
            .any(|l| l.starts_with("OPT_OSTYPE"))
    );
    let script = env.read("dns/build-target.sh");
    assert!(
        script.contains("package add ") && script.contains("enableService "),
        "{script}"
    );
    // Before and after committing.
    let (code, err) = run(&env, &["verify", "--strict"]);
    assert_eq!(code, 0, "{err}");
    env.commit("two containers");
    let (code, err) = run(&env, &["verify", "--strict"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("verify: 2 containers OK"), "{err}");
}

#[test]
fn new_refuses_an_existing_folder_and_bad_names() {
    let env = Env::new();
    env.write("web/notes.txt", "mine\n");
    let (code, err) = run(&env, &["new", "web"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("web already exists"), "{err}");
    assert_eq!(env.read("web/notes.txt"), "mine\n");
    assert!(!env.path("web/configSettings").exists());
    for bad in ["web_1", "-web", "a.b", "lib"] {
        let (code, err) = run(&env, &["new", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
    }
}

#[test]
fn new_warns_when_gitignore_lacks_env_and_data() {
    let env = Env::new();
    let (code, err) = run(&env, &["new", "web"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning:") && err.contains("git lxc init"),
        "{err}"
    );
    assert_eq!(run(&env, &["init"]).0, 0);
    let (code, err) = run(&env, &["new", "db"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning:"), "{err}");
}
