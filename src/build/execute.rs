//! Running a plan: one step at a time, logged and shown, with the record
//! kept honest when a step fails.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use super::Prepared;
use crate::bash::hooks::{self, HookEnv};
use crate::build::log::BuildLog;
use crate::build::plan::{self, Action, Step};
use crate::build::record::State;
use crate::error::Failure;
use crate::host::{Host, HostCmd, status_text};
use crate::term;
use crate::term::progress::StepUi;

/// How a finished build went.
#[derive(Debug, Clone)]
pub struct Summary {
    pub name: String,
    pub ctid: u32,
    pub commit: String,
    pub ip: Option<String>,
    pub elapsed: Duration,
}

/// Seconds to wait for an IPv4 address (`GIT_LXC_IP_TIMEOUT` overrides).
fn ip_timeout() -> Duration {
    let secs = std::env::var("GIT_LXC_IP_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

struct Run<'a> {
    prepared: &'a Prepared,
    host: &'a mut Host,
    log: &'a mut BuildLog,
    ip: Option<String>,
    created: bool,
    custom: Vec<plan::CustomMount>,
}

/// Run every step of the plan.
pub fn execute(prepared: &Prepared, host: &mut Host, log: &mut BuildLog) -> Result<Summary> {
    let started = Instant::now();
    let plan = &prepared.plan;
    log.line(&format!(
        "git-lxc build of '{}' as CT {} from commit {}{}",
        prepared.name,
        plan.ctid,
        prepared.commit,
        if prepared.dirty { " (dirty)" } else { "" }
    ));
    let mut run = Run {
        prepared,
        host,
        log,
        ip: None,
        created: false,
        custom: Vec::new(),
    };
    let total = plan.steps.len();
    for (i, step) in plan.steps.iter().enumerate() {
        let ui_step = StepUi::start(i + 1, total, &step.title);
        run.log
            .line(&format!("==> [{}/{}] {}", i + 1, total, step.title));
        let t = Instant::now();
        let result = run.step(step, &ui_step);
        let took = t.elapsed();
        match result {
            Ok(()) => {
                ui_step.done(took);
                run.log
                    .line(&format!("    ok ({:.1}s)", took.as_secs_f64()));
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
        plan.ctid,
        prepared.commit,
        run.ip.as_deref().unwrap_or("-"),
        elapsed.as_secs_f64()
    ));
    Ok(Summary {
        name: prepared.name.clone(),
        ctid: plan.ctid,
        commit: prepared.commit.clone(),
        ip: run.ip,
        elapsed,
    })
}

impl Run<'_> {
    fn step(&mut self, step: &Step, ui_step: &StepUi) -> Result<()> {
        let id = self.prepared.plan.ctid;
        match &step.action {
            Action::Hook(name) => self.hook(name, ui_step).map(|_| ()),
            Action::MakeDataDir(dir) => {
                if !dir.exists() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    self.log.line(&format!("created {}", dir.display()));
                    // An unprivileged container's root is host uid/gid 100000
                    // (PVE's default map); it could not write to a new data/
                    // owned by the host user.
                    if self.prepared.settings.flag("PRIVTYPE") {
                        let path = dir.to_string_lossy();
                        self.run(&HostCmd::new("chown", &["100000:100000", &path]))?;
                        ui_step.note("owned by the container's root (host uid 100000)");
                    }
                }
                Ok(())
            }
            Action::Run(cmd) => self.run(cmd).map(|_| ()),
            Action::Download { cmd, volid } => {
                let out = self.run(cmd)?;
                let store = volid.split(':').next().unwrap_or("local");
                let list = self.run(&HostCmd::new("pveam", &["list", store]))?;
                if !list
                    .stdout
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(volid))
                {
                    return Err(anyhow!(
                        "`pveam download` reported success but {volid} is not in storage '{store}': {}",
                        out.stderr.trim()
                    ));
                }
                Ok(())
            }
            Action::Shutdown(ctid) => {
                let id = ctid.to_string();
                let out =
                    self.run_unchecked(&HostCmd::pct(&["shutdown", &id, "--timeout", "60"]))?;
                if !out.status.success() {
                    ui_step.note(&format!(
                        "clean shutdown failed ({}); stopping",
                        out.stderr.trim()
                    ));
                    self.run(&HostCmd::pct(&["stop", &id]))?;
                }
                Ok(())
            }
            Action::Create {
                cmd,
                mounts,
                custom_mounts,
            } => {
                let custom: &[plan::CustomMount] = if *custom_mounts { &self.custom } else { &[] };
                let mount_args = plan::mount_args(mounts, custom).map_err(|e| anyhow!(e))?;
                let mut full = cmd.clone();
                let at = full.args.len() - 2; // keep --description last
                full.args.splice(at..at, mount_args);
                self.run(&full)?;
                self.created = true;
                Ok(())
            }
            Action::CustomMounts => {
                let entries = self.hook("customMounts", ui_step)?;
                let custom = plan::parse_custom_mounts(&entries)
                    .map_err(|e| anyhow!("HOOK_customMounts: {e}"))?;
                for m in &custom {
                    plan::check_bind_source(&m.spec)
                        .map_err(|e| anyhow!("HOOK_customMounts: {e}"))?;
                    ui_step.note(&m.spec);
                }
                self.custom = custom;
                Ok(())
            }
            Action::AppendConfig(lines) => self.host.append_config(id, lines),
            Action::SubIds(entries) => {
                for (path, line) in entries {
                    let text = self.host.read_public(path)?;
                    if !text.lines().any(|l| l.trim() == line) {
                        self.log
                            .line(&format!("adding '{line}' to {}", path.display()));
                        self.host.append_file(path, std::slice::from_ref(line))?;
                    }
                }
                Ok(())
            }
            Action::WaitIp => {
                self.ip = self.wait_ip(id)?;
                if let Some(ip) = &self.ip {
                    ui_step.note(ip);
                }
                Ok(())
            }
            Action::Provision(cmd) => {
                let shown = self.host.shown(cmd);
                self.log.line(&format!("$ {shown}"));
                let log = &mut *self.log;
                let status = self.host.stream(cmd, &mut |line| {
                    log.line(&format!("| {line}"));
                    ui_step.output(line);
                })?;
                if !status.success() {
                    return Err(anyhow!(
                        "the build script {} failed inside CT {id} ({})",
                        self.prepared
                            .container
                            .build_script()
                            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                            .unwrap_or_default(),
                        status_text(status)
                    ));
                }
                Ok(())
            }
            Action::Record(state) => {
                let text = self.prepared.description(*state, None);
                self.run(&HostCmd::pct(&[
                    "set",
                    &id.to_string(),
                    "--description",
                    &text,
                ]))
                .map(|_| ())
            }
        }
    }

    fn run(&mut self, cmd: &HostCmd) -> Result<crate::host::Output> {
        let out = self.run_unchecked(cmd)?;
        if !out.status.success() {
            return Err(self
                .host
                .failure(cmd, &status_text(out.status), &out.stderr));
        }
        Ok(out)
    }

    fn run_unchecked(&mut self, cmd: &HostCmd) -> Result<crate::host::Output> {
        self.log.line(&format!("$ {}", self.host.shown(cmd)));
        let out = self.host.run_unchecked(cmd)?;
        for line in out.stdout.lines().chain(out.stderr.lines()) {
            self.log.line(&format!("| {line}"));
        }
        Ok(out)
    }

    fn hook(&mut self, name: &str, ui_step: &StepUi) -> Result<Vec<String>> {
        if name == "customMapping" {
            return self.mapping_hook(ui_step).map(|_| Vec::new());
        }
        let ctconf = self.host.conf_path(self.prepared.plan.ctid);
        self.hook_with_conf(name, &ctconf, ui_step)
    }

    /// `HOOK_customMapping` edits a copy of the config that the invoking user
    /// may write (the real one is root's); the lines it appends are then
    /// appended to the real config through the host module.
    fn mapping_hook(&mut self, ui_step: &StepUi) -> Result<()> {
        let id = self.prepared.plan.ctid;
        let before = self.host.read_config_text(id)?;
        let copy = tempfile::Builder::new()
            .prefix(&format!("git-lxc-{id}-"))
            .suffix(".conf")
            .tempfile()
            .context("cannot create a temporary copy of the container config")?;
        std::fs::write(copy.path(), &before)
            .with_context(|| format!("cannot write {}", copy.path().display()))?;
        self.hook_with_conf("customMapping", copy.path(), ui_step)?;
        let after = std::fs::read_to_string(copy.path())
            .with_context(|| format!("cannot read {}", copy.path().display()))?;
        let Some(added) = after.strip_prefix(before.as_str()) else {
            return Err(anyhow!(
                "HOOK_customMapping changed existing lines of $CTCONF; it may only append lines (such as lxc.* entries)"
            ));
        };
        let lines: Vec<String> = added
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if !lines.is_empty() {
            self.log.line(&format!(
                "appending {} line(s) to CT {id}'s config",
                lines.len()
            ));
            self.host.append_config(id, &lines)?;
        }
        Ok(())
    }

    fn hook_with_conf(
        &mut self,
        name: &str,
        ctconf: &std::path::Path,
        ui_step: &StepUi,
    ) -> Result<Vec<String>> {
        let p = self.prepared;
        let env = HookEnv {
            root: &p.root,
            dir: &p.container.dir,
            name: &p.name,
            ctid: p.plan.ctid,
            ctconf,
            settings: &p.settings,
        };
        self.log.line(&format!("running HOOK_{name}"));
        let masker = term::masker();
        let log = &mut *self.log;
        hooks::run(&env, name, &mut |line| {
            let line = masker.mask(line);
            log.line(&format!("| {line}"));
            ui_step.output(&line);
        })
    }

    fn wait_ip(&mut self, id: u32) -> Result<Option<String>> {
        let deadline = Instant::now() + ip_timeout();
        let cmd = HostCmd::new("lxc-info", &["-n", &id.to_string(), "-iH"]);
        loop {
            let out = self.host.run_unchecked(&cmd)?;
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
                    "CT {id} has no IPv4 address after {}s; going on (check NET/BRIDGE, or set OPT_NET=manual to skip the wait)",
                    ip_timeout().as_secs()
                );
                term::warn(&msg);
                self.log.line(&msg);
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Record the failure, explain how to recover, and turn it into the error.
    fn fail(&mut self, step: &Step, err: anyhow::Error, elapsed: Duration) -> anyhow::Error {
        let p = self.prepared;
        let id = p.plan.ctid;
        let mut notes = Vec::new();
        if self.created {
            let text = p.description(State::Failed, Some(&step.title));
            match self.host.run(&HostCmd::pct(&[
                "set",
                &id.to_string(),
                "--description",
                &text,
            ])) {
                Ok(_) => notes.push(format!("CT {id} is kept for inspection with state failed")),
                Err(e) => notes.push(format!("could not record the failure on CT {id}: {e}")),
            }
        }
        self.log.line(&format!(
            "result: failed step={} ctid={id} commit={} duration={:.1}s",
            step.id,
            p.commit,
            elapsed.as_secs_f64()
        ));
        let data = p.container.data_dir();
        let recovery = match step.id {
            "preBuild" | "customMounts" | "template" | "shutdown" | "destroy" | "data" => format!(
                "nothing was created; {} is untouched. Fix the cause and run `git lxc rebuild {}` again",
                data.display(),
                p.name
            ),
            "create" => format!(
                "CT {id} was not created by this build; {} is untouched. Fix the cause and run `git lxc rebuild {}`",
                data.display(),
                p.name
            ),
            _ => format!(
                "{}; look inside with `git lxc enter {}` (start it with `pct start {id}` if stopped), the log is {}. data/ is untouched. Fix and run `git lxc rebuild {}`",
                notes.join("; "),
                p.name,
                self.log.path.display(),
                p.name
            ),
        };
        Failure {
            code: crate::error::EXIT_FAILED,
            message: format!(
                "building '{}' failed at step '{}': {err:#}",
                p.name, step.title
            ),
            hint: Some(recovery),
        }
        .into()
    }
}
