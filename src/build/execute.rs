//! Running a plan: exactly its steps, one at a time, logged and shown, with
//! the record kept honest when a step fails. Nothing here builds a command;
//! every command comes from the plan.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use super::Prepared;
use super::log::BuildLog;
use super::notes;
use super::plan::{Action, Kind, Step};
use crate::bash::hooks;
use crate::host::process::{Output, Proc, Stdin, status_text};
use crate::host::{Host, interrupt};
use crate::term;
use crate::term::progress::StepUi;

/// The build was stopped by a signal; exits with `code`.
#[derive(Debug)]
pub struct Interrupted {
    pub signal: &'static str,
    pub code: u8,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by {}", self.signal)
    }
}

impl std::error::Error for Interrupted {}

/// How a finished build went.
#[derive(Debug, Clone)]
pub struct Summary {
    pub name: String,
    pub ctid: u32,
    pub commit: String,
    pub ip: Option<String>,
    pub elapsed: Duration,
}

/// A build in progress: what it has done so far.
pub(super) struct Run<'a> {
    pub prepared: &'a Prepared,
    pub host: &'a Host,
    pub log: &'a mut BuildLog,
    pub ip: Option<String>,
    /// The old container was destroyed.
    pub destroyed: bool,
    /// The new container exists.
    pub created: bool,
    /// The backup of the old container (a volume id).
    pub backup: Option<String>,
    /// The old container was shut down by this build.
    pub stopped_old: bool,
    /// Its protection was lifted by this build.
    pub unprotected: bool,
}

/// Run every step of the plan.
pub fn execute(prepared: &Prepared, host: &Host, log: &mut BuildLog) -> Result<Summary> {
    let started = Instant::now();
    log.line(&format!(
        "git-lxc build of '{}' as CT {} from commit {}{}",
        prepared.name,
        prepared.ctid,
        prepared.commit,
        if prepared.dirty { " (dirty)" } else { "" }
    ));
    let mut run = Run {
        prepared,
        host,
        log,
        ip: None,
        destroyed: false,
        created: false,
        backup: None,
        stopped_old: false,
        unprotected: false,
    };
    let total = prepared.steps.len();
    // From here an interrupt ends the running command and fails the step.
    let _deferred = interrupt::Deferred::start();
    for (i, step) in prepared.steps.iter().enumerate() {
        let ui_step = StepUi::start(i + 1, total, &step.title);
        run.log
            .line(&format!("==> [{}/{}] {}", i + 1, total, step.title));
        let t = Instant::now();
        let result = match interrupt::caught() {
            Some((signal, _)) => Err(anyhow!("interrupted by {signal} before it began")),
            None => run.step(step, &ui_step),
        };
        let result = match (result, interrupt::caught()) {
            (Ok(()), None) => Ok(()),
            (_, Some((signal, code))) => Err(Interrupted { signal, code }.into()),
            (Err(e), None) => Err(e),
        };
        let took = t.elapsed();
        match result {
            Ok(()) => {
                ui_step.done(took);
                run.log
                    .line(&format!("    ok ({:.1}s)", took.as_secs_f64()));
                run.created |= step.kind == Kind::Create;
                run.destroyed |= step.kind == Kind::Destroy;
                run.stopped_old |= step.kind == Kind::Shutdown;
                run.unprotected |= step.kind == Kind::Unprotect;
            }
            Err(err) => {
                ui_step.failed(took);
                run.log.line(&format!("    FAILED: {err:#}"));
                return Err(run.fail(step, err, started.elapsed()));
            }
        }
    }
    let elapsed = started.elapsed();
    run.log.line(&format!(
        "result: built ctid={} commit={} ip={} duration={:.1}s",
        prepared.ctid,
        prepared.commit,
        run.ip.as_deref().unwrap_or("-"),
        elapsed.as_secs_f64()
    ));
    run.note(notes::Outcome::Built);
    run.prune_releases();
    Ok(Summary {
        name: prepared.name.clone(),
        ctid: prepared.ctid,
        commit: prepared.commit.clone(),
        ip: run.ip,
        elapsed,
    })
}

impl Run<'_> {
    fn step(&mut self, step: &Step, ui_step: &StepUi) -> Result<()> {
        match &step.action {
            Action::Run(cmd) => self.checked(cmd).map(|_| ()),
            Action::Shutdown { shutdown, stop } => {
                let out = self.output(shutdown)?;
                if !out.status.success() {
                    ui_step.note(&format!(
                        "clean shutdown failed ({}); stopping",
                        out.stderr.trim()
                    ));
                    self.checked(stop)?;
                }
                Ok(())
            }
            Action::Download {
                download,
                check,
                volid,
            } => {
                let out = self.checked(download)?;
                let list = self.checked(check)?;
                if !list
                    .stdout
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(volid))
                {
                    return Err(anyhow!(
                        "`pveam download` reported success but {volid} is not in the storage: {}",
                        out.stderr.trim()
                    ));
                }
                Ok(())
            }
            Action::WaitIp { probe, timeout } => {
                self.ip = self.wait_ip(probe, *timeout)?;
                if let Some(ip) = &self.ip {
                    ui_step.note(ip);
                }
                Ok(())
            }
            Action::Hook { name, hook } => self.hook(name, hook, ui_step),
            Action::Mapping {
                read,
                copy,
                hook,
                append,
            } => self.mapping(read, copy, hook, append, ui_step),
            Action::Provision(cmd) => self.provision(cmd, ui_step),
            Action::Backup { vzdump, store } => {
                let out = self.checked(vzdump)?;
                let volid = archive_volid(&out.stdout, store).ok_or_else(|| {
                    anyhow!("`vzdump` finished but named no archive; the old container is kept")
                })?;
                ui_step.note(&volid);
                self.backup = Some(volid);
                Ok(())
            }
            Action::Health { probe, timeout } => self.health(probe, *timeout),
        }
    }

    /// Add the build's line to the note of its commit (SPEC §6). A note
    /// that cannot be written is a warning: the container is as built.
    pub(super) fn note(&mut self, result: notes::Outcome) {
        let p = self.prepared;
        let entry = notes::Entry {
            time: notes::now(),
            name: p.name.clone(),
            ctid: p.ctid,
            node: crate::host::facts::node_name(self.host),
            result,
            backup: self.backup.clone(),
            user_host: p.user_host.clone(),
        };
        let written = git2::Repository::open(&p.git_dir)
            .map_err(anyhow::Error::from)
            .and_then(|repo| notes::append(&repo, &p.commit, &entry));
        if let Err(e) = written {
            term::warn(format!(
                "could not add the build to the notes of {}: {e:#}",
                &p.commit[..12]
            ));
        }
    }

    /// Remove the release folders nothing uses any more: keep this build's,
    /// the replaced one's, and those of the builds whose backups are kept
    /// (the last KEEPBACKUPS builds in the notes). A failure is a warning.
    fn prune_releases(&mut self) {
        let p = self.prepared;
        let Ok(repo) = git2::Repository::open(&p.git_dir) else {
            return;
        };
        let mut keep = vec![p.commit.clone()];
        keep.extend(p.previous.iter().map(|r| r.commit.clone()));
        let built = notes::history(&repo, &p.name).unwrap_or_default();
        keep.extend(
            built
                .into_iter()
                .filter(|(_, e)| e.result == notes::Outcome::Built)
                .take(p.keep_backups + 1)
                .map(|(commit, _)| commit),
        );
        let releases = super::release::releases_dir(&repo);
        match super::release::prune(&releases, &p.name, &keep) {
            Ok(removed) => {
                for r in removed {
                    self.log
                        .line(&format!("removed the unused release {}", r.display()));
                }
            }
            Err(e) => term::warn(format!("could not prune old releases: {e:#}")),
        }
    }

    /// Run HEALTHCHECK until it passes, or fail with its last output.
    fn health(&mut self, probe: &Proc, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self.output(probe)?;
            if out.status.success() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(anyhow!(
                    "HEALTHCHECK still failed after {} s ({}): {}",
                    timeout.as_secs(),
                    status_text(out.status),
                    out.stdout
                        .trim()
                        .lines()
                        .chain(out.stderr.trim().lines())
                        .last()
                        .unwrap_or("")
                ));
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    pub(super) fn output(&mut self, cmd: &Proc) -> Result<Output> {
        let runner = &self.host.runner;
        self.log.line(&format!("$ {}", runner.shown(cmd)));
        let out = runner.output(cmd)?;
        for line in out.stdout.lines().chain(out.stderr.lines()) {
            self.log.line(&format!("| {line}"));
        }
        Ok(out)
    }

    pub(super) fn checked(&mut self, cmd: &Proc) -> Result<Output> {
        let out = self.output(cmd)?;
        if !out.status.success() {
            return Err(self
                .host
                .runner
                .failure(cmd, out.status, &out.stderr)
                .into());
        }
        Ok(out)
    }

    fn hook(&mut self, name: &str, hook: &Proc, ui_step: &StepUi) -> Result<()> {
        self.log.line(&format!("running HOOK_{name}"));
        let log = &mut *self.log;
        hooks::run_hook(&self.host.runner, hook, name, &mut |line| {
            log.line(&format!("| {line}"));
            ui_step.output(line);
        })
    }

    /// `HOOK_customMapping` edits a private copy of the config (the real one
    /// is root's); the lines it appends reach the real one through `append`.
    fn mapping(
        &mut self,
        read: &Proc,
        copy: &Path,
        hook: &Proc,
        append: &Proc,
        ui_step: &StepUi,
    ) -> Result<()> {
        let before = self.checked(read)?.stdout;
        write_private(copy, &before)?;
        let edited = self.hook("customMapping", hook, ui_step).and_then(|()| {
            std::fs::read_to_string(copy).with_context(|| format!("cannot read {}", copy.display()))
        });
        let _ = std::fs::remove_file(copy);
        let after = edited?;
        let Some(added) = after.strip_prefix(before.as_str()) else {
            return Err(anyhow!(
                "HOOK_customMapping changed existing lines of $CTCONF; it may only append lines (such as lxc.* entries)"
            ));
        };
        let lines: String = added
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        let append = append.clone().stdin(Stdin::Text {
            text: lines,
            secret: false,
        });
        self.checked(&append).map(|_| ())
    }

    fn provision(&mut self, cmd: &Proc, ui_step: &StepUi) -> Result<()> {
        let runner = &self.host.runner;
        self.log.line(&format!("$ {}", runner.shown(cmd)));
        let log = &mut *self.log;
        let status = runner.stream(cmd, &mut |line| {
            log.line(&format!("| {line}"));
            ui_step.output(line);
        })?;
        if !status.success() {
            let script = self
                .prepared
                .container
                .build_script()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            return Err(anyhow!(
                "the build script {script} failed inside CT {} ({})",
                self.prepared.ctid,
                status_text(status)
            ));
        }
        Ok(())
    }

    pub(super) fn wait_ip(&mut self, probe: &Proc, timeout: Duration) -> Result<Option<String>> {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self.host.runner.output(probe)?;
            if let Some(ip) = out
                .stdout
                .lines()
                .map(str::trim)
                .find(|l| l.parse::<std::net::Ipv4Addr>().is_ok())
            {
                self.log.line(&format!("IPv4 address: {ip}"));
                return Ok(Some(ip.to_string()));
            }
            if Instant::now() >= deadline {
                let msg = format!(
                    "CT {} has no IPv4 address after {}s; going on (check NET/BRIDGE, or set OPT_NET=manual to skip the wait)",
                    self.prepared.ctid,
                    timeout.as_secs()
                );
                term::warn(&msg);
                self.log.line(&msg);
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// The volume id of the archive a `vzdump` log names
/// (`creating vzdump archive '/…/dump/vzdump-lxc-….tar.zst'`).
pub fn archive_volid(log: &str, store: &str) -> Option<String> {
    let line = log
        .lines()
        .find_map(|l| l.split_once("creating vzdump archive '"))?
        .1;
    let path = line.split('\'').next()?;
    let file = Path::new(path).file_name()?.to_string_lossy();
    Some(format!("{store}:backup/{file}"))
}

/// Write `text` to `path`, 0600, in a 0700 folder (it is a copy of a
/// container's config, root's file).
fn write_private(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}
