//! End-to-end tier (SPEC §9.3): the real git-lxc binary builds real LXC
//! containers through the `pct`/`pveam`/`pvesh` stand-in of `tests/lxc-host`.
//!
//! Every test is `#[ignore]`d: it needs root and a host with `lxc` and
//! `debootstrap` (see tests/lxc-host/README.md), so `cargo test` lists it as
//! ignored. Run it (as CI does) with
//!
//! ```sh
//! cargo test --test e2e -- --ignored --nocapture
//! ```
//!
//! Run so on a machine without root or LXC, a test fails and says which.
//!
//! The tests hold one lock (also a file lock, `/run/lock/git-lxc-e2e.lock`),
//! so they run one at a time whatever `--test-threads` says, also when two
//! checkouts test on one host. Each uses its own CTID (91xx) and destroys its
//! container when it ends, also when it fails. Timings of the real builds
//! are printed on stderr.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The Debian package installed into a Debian container.
#[path = "e2e/deb.rs"]
mod deb;

/// A Debian container written for the original build script.
#[path = "e2e/compat.rs"]
mod compat;

/// A failed rebuild restores the previous build.
#[path = "e2e/restore.rs"]
mod restore;

const SYSTEM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Written straight to the process's stderr, so it shows with and without
/// `--nocapture` (the harness captures only `eprintln!`).
fn say(msg: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr(), "{}", msg.as_ref());
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Held while a test runs: the tests share the host's LXC, its bridge and
/// `/etc/subuid`, so they run one at a time — also across test processes
/// (two checkouts testing at once) through a file lock.
struct Serial {
    _thread: MutexGuard<'static, ()>,
    _process: std::fs::File,
}

/// What the tier needs from the host, checked before anything runs there.
const HOST_TOOLS: &[&str] = &["lxc-start", "lxc-attach", "lxc-stop", "debootstrap"];

/// The e2e lock. Panics, saying what is missing, on a host that cannot run
/// the tier: these tests are ignored by default, so one that runs was asked
/// for and must not pass without having tested anything.
fn e2e() -> Serial {
    static SERIAL: Mutex<()> = Mutex::new(());
    assert!(
        is_root(),
        "the end-to-end tests need root (they run real LXC containers)"
    );
    let missing: Vec<&str> = HOST_TOOLS
        .iter()
        .copied()
        .filter(|tool| {
            !SYSTEM_PATH
                .split(':')
                .any(|dir| Path::new(dir).join(tool).is_file())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "the end-to-end tests need lxc and debootstrap (apt-get install -y lxc debootstrap); not found: {}",
        missing.join(", ")
    );
    let thread = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new("/run/lock");
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("git-lxc-e2e.lock"))
        .expect("e2e lock file");
    if file.try_lock().is_err() {
        say("e2e: waiting for another e2e run on this host to finish");
        file.lock().expect("e2e lock");
    }
    standin().ensure_template();
    Serial {
        _thread: thread,
        _process: file,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------- stand-in

/// Where the stand-in keeps its state (from its own configuration).
struct Standin {
    bin: PathBuf,
    state_dir: PathBuf,
    pve_dir: PathBuf,
    images_dir: PathBuf,
    lxcpath: PathBuf,
}

fn standin() -> &'static Standin {
    static S: OnceLock<Standin> = OnceLock::new();
    S.get_or_init(|| {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lxc-host");
        let out = Command::new("python3")
            .args([
                "-B",
                "-c",
                "import sys, json; sys.path.insert(0, sys.argv[1]); import standin; print(json.dumps(standin.CONF))",
            ])
            .arg(&bin)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "cannot read the stand-in's configuration: {}",
            text(&out.stderr)
        );
        let conf: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let dir = |k: &str| PathBuf::from(conf[k].as_str().unwrap_or_else(|| panic!("{k}")));
        Standin {
            state_dir: dir("state_dir"),
            pve_dir: dir("pve_dir"),
            images_dir: dir("images_dir"),
            lxcpath: dir("lxcpath"),
            bin,
        }
    })
}

impl Standin {
    fn path_var(&self) -> String {
        format!("{}:{SYSTEM_PATH}", self.bin.display())
    }

    /// Run one of the stand-in's tools.
    fn tool(&self, tool: &str, args: &[&str]) -> Output {
        Command::new(self.bin.join(tool))
            .args(args)
            .env_clear()
            .env("PATH", self.path_var())
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"))
    }

    /// Debootstrap the Debian template once; later calls reuse it.
    fn ensure_template(&self) {
        static DONE: OnceLock<()> = OnceLock::new();
        DONE.get_or_init(|| {
            let t = Instant::now();
            let out = self.tool("make-template", &[]);
            assert!(
                out.status.success(),
                "make-template failed:\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
            say(format!(
                "e2e: template ready in {} ({})",
                secs(t.elapsed()),
                text(&out.stdout).lines().last().unwrap_or("")
            ));
        });
    }

    fn conf_path(&self, id: u32) -> PathBuf {
        self.pve_dir.join("lxc").join(format!("{id}.conf"))
    }

    fn conf(&self, id: u32) -> String {
        std::fs::read_to_string(self.conf_path(id))
            .unwrap_or_else(|e| panic!("CT {id} has no config: {e}"))
    }

    fn rootfs(&self, id: u32) -> PathBuf {
        let conf = self.conf(id);
        let volume = conf
            .lines()
            .find_map(|l| l.strip_prefix("rootfs: "))
            .and_then(|v| v.split(',').next())
            .expect("rootfs line");
        let (store, vol) = volume.split_once(':').expect("STORE:VOLUME");
        self.images_dir.join(store).join(vol)
    }

    fn exists(&self, id: u32) -> bool {
        self.conf_path(id).exists()
    }

    /// The backups of CT `id` in the `local` storage.
    fn backups(&self, id: u32) -> Vec<String> {
        let out = self.tool("pvesm", &["list", "local"]);
        let prefix = format!("local:backup/vzdump-lxc-{id}-");
        text(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|v| v.starts_with(&prefix))
            .map(str::to_string)
            .collect()
    }

    /// Remove the backups of CT `id` (rebuilds take them); for cleaning up.
    fn free_backups(&self, id: u32) {
        for volid in self.backups(id) {
            let out = self.tool("pvesm", &["free", &volid]);
            if !out.status.success() {
                say(format!(
                    "e2e: removing {volid} failed: {}",
                    text(&out.stderr).trim()
                ));
            }
        }
    }

    /// Stop (if needed) and destroy; quiet, for cleaning up.
    fn destroy(&self, id: u32) {
        if !self.exists(id) {
            return;
        }
        let _ = self.tool("pct", &["unlock", &id.to_string()]);
        // git-lxc protects what it builds
        let _ = self.tool("pct", &["set", &id.to_string(), "--protection", "0"]);
        let out = self.tool(
            "pct",
            &["destroy", &id.to_string(), "--force", "1", "--purge", "1"],
        );
        if !out.status.success() {
            say(format!(
                "e2e: cleaning up CT {id} failed: {}",
                text(&out.stderr).trim()
            ));
        }
    }
}

/// Destroys its container and its backups when dropped (also while a failed
/// test unwinds).
struct CtGuard(u32);

impl CtGuard {
    /// Claim a CTID reserved for these tests; a leftover from an earlier,
    /// killed run is destroyed first.
    fn claim(id: u32) -> CtGuard {
        if standin().exists(id) {
            say(format!(
                "e2e: destroying CT {id} left over from an earlier run"
            ));
            standin().destroy(id);
        }
        standin().free_backups(id);
        CtGuard(id)
    }
}

impl Drop for CtGuard {
    fn drop(&mut self) {
        standin().destroy(self.0);
        standin().free_backups(self.0);
    }
}

// ---------------------------------------------------------------- provenance record

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The description of a PVE config: its `#` lines, decoded.
fn description(conf: &str) -> String {
    conf.lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(percent_decode)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `key → value` of the `git-lxc:` machine line (`dirty` maps to "").
fn record(conf: &str) -> std::collections::BTreeMap<String, String> {
    let desc = description(conf);
    let line = desc
        .lines()
        .find_map(|l| l.trim().strip_prefix("git-lxc: "))
        .unwrap_or_else(|| panic!("no git-lxc record in the description:\n{desc}"));
    line.split_whitespace()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (w.to_string(), String::new()),
        })
        .collect()
}

// ---------------------------------------------------------------- fixture repository

struct Fixture {
    /// Removed last: containers are destroyed before (see `CtGuard`).
    tmp: TempDir,
    repo: PathBuf,
    home: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("git-lxc-e2e-")
            .tempdir()
            .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let repo = root.join("repo");
        let home = root.join("home");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        // An unprivileged container's root (host uid 100000) must be able to
        // reach the bind-mount sources: every folder on the way needs o+x.
        for d in [&root, &repo, &home] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let f = Fixture { tmp, repo, home };
        f.git(&["init", "-q", "-b", "main"]);
        f.git(&["config", "user.name", "E2E Test"]);
        f.git(&["config", "user.email", "e2e@example.com"]);
        f.git(&["config", "lxc.sudo", "false"]);
        f
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", standin().path_var())
            .env("HOME", &self.home)
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_LXC_PVE_DIR", &standin().pve_dir)
            // real LXC checks real entries (MAP=1)
            .env("GIT_LXC_SUBID_DIR", "/etc")
            .current_dir(&self.repo)
            .stdin(Stdio::null());
    }

    fn git(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.repo.join(rel)
    }

    /// Write a file readable by everyone (the container reads conf/ as host
    /// uid 100000), its folders searchable.
    fn write(&self, rel: &str, content: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut dir = p.parent().unwrap();
        while dir != self.repo {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            dir = dir.parent().unwrap();
        }
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Run `git lxc ARGS`; prints its output (shown by the harness when the
    /// test fails) and returns it with the wall time.
    fn lxc(&self, args: &[&str]) -> (Output, Duration) {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("git-lxc"));
        self.env(&mut cmd);
        let t = Instant::now();
        let out = cmd.args(args).output().unwrap();
        let took = t.elapsed();
        eprintln!(
            "$ git lxc {} → {:?} in {}\n{}{}",
            args.join(" "),
            out.status.code(),
            secs(took),
            text(&out.stdout),
            text(&out.stderr)
        );
        (out, took)
    }

    /// `git lxc ARGS` must succeed.
    fn lxc_ok(&self, args: &[&str]) -> Duration {
        let (out, took) = self.lxc(args);
        assert!(
            out.status.success(),
            "git lxc {args:?} failed ({:?}):\n{}",
            out.status.code(),
            text(&out.stderr)
        );
        took
    }
}

/// sha256 hex of `s`, by the host's sha256sum (what the build script uses).
fn sha256(s: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// A value found nowhere on this machine before the test made it up.
fn fresh_secret(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{:x}-{:x}-s3cr3t", std::process::id(), nanos)
}

/// Files under `roots` that contain `needle`, except `allowed`.
fn files_containing(needle: &str, roots: &[&Path], allowed: &[PathBuf]) -> Vec<String> {
    let roots: Vec<&Path> = roots.iter().copied().filter(|r| r.exists()).collect();
    if roots.is_empty() {
        return Vec::new();
    }
    let out = Command::new("grep")
        .args(["-rlsF", "--devices=skip", "-e", needle, "--"])
        .args(&roots)
        .stdin(Stdio::null())
        .output()
        .expect("grep runs");
    text(&out.stdout)
        .lines()
        .filter(|l| !allowed.iter().any(|a| Path::new(l) == a))
        .map(str::to_string)
        .collect()
}

/// SPEC §7: a `.env` value is on no host disk outside the repo's `.env` files
/// (stand-in state, LXC's folder, /tmp, the repo and its .git) nor in the
/// container's root file system.
fn assert_secret_nowhere(f: &Fixture, id: u32, secret: &str, env_files: &[PathBuf]) {
    let t = Instant::now();
    let s = standin();
    let rootfs = s.rootfs(id);
    let lxc_dir = s.lxcpath.join(id.to_string());
    let mut roots: Vec<PathBuf> = vec![
        s.state_dir.clone(),
        lxc_dir,
        PathBuf::from("/tmp"),
        std::env::temp_dir(),
        f.tmp.path().to_path_buf(),
        f.repo.join(".git"),
    ];
    // each folder once: drop those inside another one
    roots.sort();
    roots.dedup();
    let all = roots.clone();
    roots.retain(|r| !all.iter().any(|o| o != r && r.starts_with(o)));
    let refs: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let found = files_containing(secret, &refs, env_files);
    assert!(
        found.is_empty(),
        "a .env value was left on the host disk in: {found:?}"
    );
    // the state dir holds the rootfs, but say so explicitly
    let inside = files_containing(secret, &[&rootfs], &[]);
    assert!(
        inside.is_empty(),
        "a .env value was left inside CT {id}: {inside:?}"
    );
    eprintln!("secret scan for CT {id}: clean ({})", secs(t.elapsed()));
}

// ---------------------------------------------------------------- the tests

const APP_ID: u32 = 9101;
const MAP_ID: u32 = 9102;

/// One container through its life: build, rebuild after a conf/ change, a
/// failing rebuild, destroy. Checks provisioning, the read-only conf/, the
/// context and `.env` values, data/ surviving, the record, and secrets.
#[test]
#[ignore = "needs root and LXC; run with --ignored (CI does)"]
fn build_rebuild_fail_destroy() {
    let _serial = e2e();
    let f = Fixture::new();
    let _ct = CtGuard::claim(APP_ID);
    let secret = fresh_secret("token");
    let greeting = "Hello from configSettings";

    f.write(".gitignore", ".env\ndata/\n");
    f.write(
        "app/configSettings",
        &format!(
            "OPT_OSTYPE=debian\nOPT_CTID={APP_ID}\nOPT_RAM=256\nOPT_APP='e2e app'\nGREETING='{greeting}'\n"
        ),
    );
    f.write("app/.env.example", "API_TOKEN=\n");
    f.write("app/.env", &format!("API_TOKEN='{secret}'\n"));
    f.write("app/conf/message.txt", "v1\n");
    f.write(
        "app/build-target.sh",
        r#"#!/bin/bash
D=/usr/local/data
echo "run $(date +%s.%N)" >> "$D/runs"
# 1: this really runs inside the container
{ echo "host=$(hostname)"; echo "ctid=$CTID"; echo "pid1=$(cat /proc/1/comm)"; echo "uid=$(id -u)"; } > "$D/inside"
# git-lxc waits for the boot to finish first (no race with early boot)
systemctl is-system-running > "$D/boot" 2>&1
# 2: conf/ is read-only
if touch /usr/local/conf/probe 2> "$D/conf-write.err"; then echo writable; else echo refused; fi > "$D/conf-write"
grep ' /usr/local/conf ' /proc/self/mounts > "$D/conf-mount"
# 3: a context variable and a .env value (hashed: the value itself must not land on disk)
printf '%s' "$GREETING" | tr '[:lower:]' '[:upper:]' > "$D/greeting"
printf '%s' "$API_TOKEN" | sha256sum | cut -d' ' -f1 > "$D/token.sha256"
# stdin is /dev/null
if read -r line; then echo "stdin: $line" > "$D/stdin"; fi
# 4: the commit's conf/
cp /usr/local/conf/message.txt "$D/message.txt"
echo "provisioned $HOST"
"#,
    );
    let c1 = f.commit("app v1");

    // ---- build
    let build_time = f.lxc_ok(&["build", "app"]);
    say(format!(
        "e2e: build of 'app' (CT {APP_ID}, REBOOT=1) took {}",
        secs(build_time)
    ));
    let rec = record(&standin().conf(APP_ID));
    assert_eq!(rec["name"], "app");
    assert_eq!(rec["commit"], c1);
    assert_eq!(rec["state"], "built");
    assert!(!rec.contains_key("dirty"));
    assert!(standin().conf(APP_ID).contains("git-lxc"), "tag");
    // 1. provisioning ran inside, as root of the container
    let inside = f.read("app/data/inside");
    for want in [
        "host=app".to_string(),
        format!("ctid={APP_ID}"),
        "pid1=systemd".into(),
        "uid=0".into(),
    ] {
        assert!(inside.lines().any(|l| l == want), "{want} in:\n{inside}");
    }
    let boot = f.read("app/data/boot");
    assert!(
        ["running", "degraded"].contains(&boot.trim()),
        "the build script ran before the container finished booting: {boot}"
    );
    assert_eq!(f.read("app/data/runs").lines().count(), 1);
    let data = std::fs::metadata(f.path("app/data")).unwrap();
    assert_eq!(
        (data.uid(), data.gid()),
        (100000, 100000),
        "data/ created for the container's root"
    );
    // 2. conf/ read-only inside
    assert_eq!(f.read("app/data/conf-write").trim(), "refused");
    assert!(
        f.read("app/data/conf-write.err")
            .contains("Read-only file system"),
        "{}",
        f.read("app/data/conf-write.err")
    );
    assert!(
        f.read("app/data/conf-mount").contains(" ro,")
            || f.read("app/data/conf-mount").contains(" ro ")
    );
    assert!(!f.path("app/conf/probe").exists());
    // 3. context variable and .env value reached the script
    assert_eq!(f.read("app/data/greeting"), greeting.to_uppercase());
    assert_eq!(f.read("app/data/token.sha256").trim(), sha256(&secret));
    assert!(
        !f.path("app/data/stdin").exists(),
        "stdin was not /dev/null"
    );
    assert_eq!(f.read("app/data/message.txt"), "v1\n");
    // 7. secrets nowhere
    let logs = f.repo.join(".git/lxc/logs/app");
    assert!(
        std::fs::read_dir(&logs).is_ok_and(|d| d.count() == 1),
        "one build log in {}",
        logs.display()
    );
    let env_files = vec![f.path("app/.env")];
    assert_secret_nowhere(&f, APP_ID, &secret, &env_files);

    // ---- rebuild after a conf/ change
    f.write("app/conf/message.txt", "v2\n");
    let c2 = f.commit("app: message v2");
    let rebuild_time = f.lxc_ok(&["rebuild", "app", "--yes"]);
    say(format!(
        "e2e: rebuild of 'app' (CT {APP_ID}: shutdown, destroy, build, REBOOT=1) took {}",
        secs(rebuild_time)
    ));
    // 4. data/ kept, the new conf/ seen, the new commit recorded
    assert_eq!(f.read("app/data/runs").lines().count(), 2, "data/ kept");
    assert_eq!(f.read("app/data/message.txt"), "v2\n");
    let rec = record(&standin().conf(APP_ID));
    assert_eq!(
        (rec["commit"].as_str(), rec["state"].as_str()),
        (c2.as_str(), "built")
    );

    // ---- 5. a failing build script
    // without a backup the failed container is kept for inspection (the
    // restore from a backup is restore::failed_rebuild_restores_previous_build)
    let settings = f.read("app/configSettings");
    f.write("app/configSettings", &format!("{settings}OPT_BACKUP=0\n"));
    let script = f.read("app/build-target.sh");
    f.write(
        "app/build-target.sh",
        &format!("{script}echo 'deliberate failure' >&2\nexit 3\n"),
    );
    let c3 = f.commit("app: failing build");
    let (out, _) = f.lxc(&["rebuild", "app", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "a failed build exits 1");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("deliberate failure"), "{stderr}");
    let rec = record(&standin().conf(APP_ID));
    assert_eq!(
        (rec["commit"].as_str(), rec["state"].as_str()),
        (c3.as_str(), "failed")
    );
    assert_eq!(f.read("app/data/runs").lines().count(), 3, "data/ intact");
    assert_eq!(f.read("app/data/message.txt"), "v2\n");
    assert_eq!(f.read("app/data/token.sha256").trim(), sha256(&secret));
    assert_secret_nowhere(&f, APP_ID, &secret, &env_files);

    // ---- 8. destroy keeps data/
    f.lxc_ok(&["destroy", "app", "--yes"]);
    assert!(!standin().exists(APP_ID), "CT {APP_ID} is gone");
    assert!(!standin().lxcpath.join(APP_ID.to_string()).exists());
    assert_eq!(
        f.read("app/data/runs").lines().count(),
        3,
        "destroy kept data/"
    );
    assert_eq!(f.read("app/data/message.txt"), "v2\n");
}

/// MAP=1: container uid 1000 is host uid 1000, so a file the container's
/// user writes in data/ belongs to the host's uid 1000.
#[test]
#[ignore = "needs root and LXC; run with --ignored (CI does)"]
fn unprivileged_map_writes_as_host_uid() {
    let _serial = e2e();
    let f = Fixture::new();
    let _ct = CtGuard::claim(MAP_ID);
    f.write(".gitignore", ".env\ndata/\n");
    f.write(
        "mapped/configSettings",
        &format!(
            "OPT_OSTYPE=debian\nOPT_CTID={MAP_ID}\nOPT_PRIVTYPE=1\nOPT_MAP=1\nOPT_REBOOT=0\nOPT_RAM=256\n"
        ),
    );
    f.write(
        "mapped/build-target.sh",
        r#"#!/bin/bash
set -e
D=/usr/local/data
install -d -o 1000 -g 1000 "$D/u"
setpriv --reuid 1000 --regid 1000 --clear-groups sh -c 'echo mine > /usr/local/data/u/by1000; id -u > /usr/local/data/u/uid'
echo root > "$D/byroot"
grep . /proc/self/uid_map > "$D/uid_map"
"#,
    );
    f.commit("mapped");
    let took = f.lxc_ok(&["build", "mapped"]);
    say(format!(
        "e2e: build of 'mapped' (CT {MAP_ID}, MAP=1, REBOOT=0) took {}",
        secs(took)
    ));
    let conf = standin().conf(MAP_ID);
    assert!(conf.contains("lxc.idmap: u 1000 1000 1"), "{conf}");
    assert!(conf.contains("lxc.idmap: g 1000 1000 1"), "{conf}");
    assert!(conf.contains("unprivileged: 1"), "{conf}");
    for file in ["/etc/subuid", "/etc/subgid"] {
        let t = std::fs::read_to_string(file).unwrap();
        assert!(t.lines().any(|l| l.trim() == "root:1000:1"), "{file}: {t}");
    }
    let uid_map = f.read("mapped/data/uid_map");
    assert!(
        uid_map
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["1000", "1000", "1"]),
        "{uid_map}"
    );
    assert_eq!(f.read("mapped/data/u/uid").trim(), "1000");
    let by1000 = std::fs::metadata(f.path("mapped/data/u/by1000")).unwrap();
    assert_eq!(
        (by1000.uid(), by1000.gid()),
        (1000, 1000),
        "host owner of by1000"
    );
    let byroot = std::fs::metadata(f.path("mapped/data/byroot")).unwrap();
    assert_eq!(byroot.uid(), 100000, "container root is still host 100000");
    assert_eq!(record(&conf)["state"], "built");
}
