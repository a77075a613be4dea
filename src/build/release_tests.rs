//! Releases exported from temp repositories built with git2.

use std::os::unix::fs::symlink;

use tempfile::TempDir;

use super::*;

struct Fixture {
    _tmp: TempDir,
    ws: Workspace,
}

/// An empty repository whose tree root is `root_rel` (`.` for the top).
fn fixture(root_rel: &str) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let workdir = tmp.path().canonicalize().unwrap().join("repo");
    let root = workdir.join(root_rel.trim_start_matches('.'));
    std::fs::create_dir_all(&root).unwrap();
    let repo = Repository::init(&workdir).unwrap();
    let root = root.canonicalize().unwrap();
    Fixture {
        _tmp: tmp,
        ws: Workspace {
            repo,
            workdir,
            root,
        },
    }
}

impl Fixture {
    fn path(&self, rel: &str) -> PathBuf {
        self.ws.workdir.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn executable(&self, rel: &str, text: &str) {
        self.write(rel, text);
        set_mode(&self.path(rel), 0o755).unwrap();
    }

    fn link(&self, rel: &str, target: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(target, path).unwrap();
    }

    /// Stage `paths` (even ignored ones) and commit; the commit id.
    fn commit(&self, paths: &[&str]) -> String {
        let repo = &self.ws.repo;
        let mut index = repo.index().unwrap();
        for p in paths {
            index.add_path(Path::new(p)).unwrap();
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("Test", "test@example.com").unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = repo.commit(Some("HEAD"), &sig, &sig, "commit", &tree, &parents);
        id.unwrap().to_string()
    }

    fn export(&self, name: &str, commit: &str) -> Result<Release> {
        let tree = Tree::load(&self.ws.root).unwrap();
        let container = tree.find(name).unwrap().clone();
        export(&self.ws, &tree, &container, commit)
    }
}

/// Every path under `dir`, relative, sorted, with `/` after folders and
/// `-> target` after symlinks.
fn listing(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if e.path_is_symlink() {
                let target = std::fs::read_link(e.path()).unwrap();
                format!("{rel} -> {}", target.display())
            } else if e.file_type().is_dir() {
                format!("{rel}/")
            } else {
                rel
            }
        })
        .collect();
    out.sort();
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn exports_the_committed_inputs_with_modes_and_links_not_the_work_tree() {
    let f = fixture(".");
    f.write(".gitignore", ".env\ndata/\n");
    f.write("defaults", "OPT_BRIDGE=vmbr0\n");
    f.write("lib/helpers.sh", "helper() { :; }\n");
    f.write("web/configSettings", "OPT_CTID=101\n");
    f.executable("web/build-target.sh", "#!/bin/bash\n");
    f.write("web/conf/app.conf", "v1\n");
    f.link("web/conf/current", "app.conf");
    f.link("web/bin/helpers", "../../lib/helpers.sh");
    f.write("web/.env", "SECRET=tracked by mistake\n");
    f.write("web/data/state", "tracked by mistake\n");
    f.write("db/configSettings", "OPT_CTID=102\n");
    let commit = f.commit(&[
        ".gitignore",
        "defaults",
        "lib/helpers.sh",
        "web/configSettings",
        "web/build-target.sh",
        "web/conf/app.conf",
        "web/conf/current",
        "web/bin/helpers",
        "web/.env",
        "web/data/state",
        "db/configSettings",
    ]);
    f.write("web/conf/app.conf", "v2, not committed\n");
    f.write("defaults", "OPT_BRIDGE=vmbr9\n");
    f.write("web/untracked.txt", "x\n");
    f.write("lib/new.sh", "x\n");

    let release = f.export("web", &commit).unwrap();
    let base =
        f.ws.repo
            .path()
            .canonicalize()
            .unwrap()
            .join("lxc/releases/web");
    assert_eq!(release.root, base.join(&commit));
    assert_eq!(release.container_dir, release.root.join("web"));
    assert_eq!(
        listing(&release.root),
        [
            "defaults",
            "lib/",
            "lib/helpers.sh",
            "web/",
            "web/bin/",
            "web/bin/helpers -> ../../lib/helpers.sh",
            "web/build-target.sh",
            "web/conf/",
            "web/conf/app.conf",
            "web/conf/current -> app.conf",
            "web/configSettings",
        ]
    );
    let read = |rel: &str| std::fs::read_to_string(release.root.join(rel)).unwrap();
    assert_eq!(read("web/conf/app.conf"), "v1\n");
    assert_eq!(read("defaults"), "OPT_BRIDGE=vmbr0\n");
    assert_eq!(read("web/bin/helpers"), "helper() { :; }\n");
    assert_eq!(mode(&release.root.join("web/build-target.sh")), 0o755);
    assert_eq!(mode(&release.root.join("web/configSettings")), 0o644);
    for dir in ["", "lib", "web", "web/conf", "web/bin"] {
        assert_eq!(mode(&release.root.join(dir)), 0o755, "{dir}");
    }
    assert_eq!(mode(&base), 0o755);
    assert_eq!(mode(base.parent().unwrap()), 0o755);
    assert_eq!(
        mode(base.parent().unwrap().parent().unwrap()) & 0o111,
        0o111
    );
    let tree = release.tree();
    assert_eq!(
        (tree.root.as_path(), tree.containers.len()),
        (release.root.as_path(), 1)
    );
    assert_eq!(tree.containers[0].name, "web");
}

#[test]
fn an_existing_release_is_reused_and_nothing_is_left_beside_it() {
    let f = fixture(".");
    f.write("web/configSettings", "OPT_CTID=101\n");
    let commit = f.commit(&["web/configSettings"]);
    let first = f.export("web", &commit[..12]).unwrap();
    assert_eq!(first.commit, commit);
    std::fs::write(first.root.join("marker"), "").unwrap();
    let again = f.export("web", "HEAD").unwrap();
    assert_eq!(again, first);
    assert!(again.root.join("marker").exists(), "exported again");
    let base = first.root.parent().unwrap();
    assert_eq!(listing(base).len(), listing(&first.root).len() + 1);
}

#[test]
fn the_release_of_a_tree_in_a_sub_folder_is_laid_out_as_its_root() {
    let f = fixture("lxcs");
    f.write("README.md", "top\n");
    f.write("lxcs/defaults", "X=1\n");
    f.write("lxcs/web/configSettings", "OPT_CTID=101\n");
    let commit = f.commit(&["README.md", "lxcs/defaults", "lxcs/web/configSettings"]);
    let release = f.export("web", &commit).unwrap();
    assert_eq!(
        listing(&release.root),
        ["defaults", "web/", "web/configSettings"]
    );
}

#[test]
fn a_symlink_out_of_the_tree_is_refused_by_its_name_and_nothing_is_written() {
    let f = fixture("lxcs");
    f.write("lxcs/web/configSettings", "OPT_CTID=101\n");
    f.link("lxcs/web/conf/etc", "/etc");
    let commit = f.commit(&["lxcs/web/configSettings", "lxcs/web/conf/etc"]);
    let err = f.export("web", &commit).unwrap_err();
    assert_eq!(
        err.to_string(),
        "lxcs/web/conf/etc is a symlink to /etc, which leaves the tree"
    );
    assert_eq!(crate::error::classify(&err).0, crate::error::EXIT_REFUSED);
    assert!(!releases_dir(&f.ws.repo).join("web").exists());
}

#[test]
fn a_symlink_to_another_container_or_a_secret_is_refused() {
    let f = fixture(".");
    f.write("web/configSettings", "OPT_CTID=101\n");
    f.write("db/configSettings", "OPT_CTID=102\n");
    f.link("web/conf/db", "../../db/configSettings");
    let commit = f.commit(&["web/configSettings", "db/configSettings", "web/conf/db"]);
    let err = f.export("web", &commit).unwrap_err();
    assert_eq!(
        err.to_string(),
        "web/conf/db is a symlink to ../../db/configSettings, which leads to \
         db/configSettings, not part of the container's inputs"
    );
}

#[test]
fn a_container_folder_not_in_the_commit_is_an_error() {
    let f = fixture(".");
    f.write("defaults", "X=1\n");
    let commit = f.commit(&["defaults"]);
    f.write("web/configSettings", "OPT_CTID=101\n");
    let err = f.export("web", &commit).unwrap_err();
    let short = &commit[..12];
    assert_eq!(
        err.to_string(),
        format!("the container folder web is not in commit {short}")
    );
}

#[test]
fn prune_keeps_the_named_commits_and_fresh_temp_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("lxc/releases");
    let (kept, unused) = ("a".repeat(40), "b".repeat(40));
    for dir in [&kept, &unused, ".tmp-old", ".tmp-new", "other"] {
        std::fs::create_dir_all(releases.join("web").join(dir).join("web")).unwrap();
    }
    std::fs::create_dir_all(releases.join("db").join(&unused)).unwrap();
    let old = SystemTime::now() - STALE_TEMP * 2;
    let stale = std::fs::File::open(releases.join("web/.tmp-old")).unwrap();
    stale.set_modified(old).unwrap();

    let removed = prune(&releases, "web", std::slice::from_ref(&kept)).unwrap();
    let web = releases.join("web");
    assert_eq!(removed, [web.join(".tmp-old"), web.join(&unused)]);
    let mut left: Vec<String> = std::fs::read_dir(&web)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".tmp-new", kept.as_str(), "other"]);
    assert!(
        releases.join("db").join(&unused).exists(),
        "another container"
    );
    assert!(prune(&releases, "dns", &[]).unwrap().is_empty());
    assert_eq!(
        prune(&releases, "db", &[]).unwrap(),
        [releases.join("db").join(&unused)]
    );
    assert!(!releases.join("db").exists(), "an empty folder is removed");
}
