//! When a build fails: record it, and once the old container is gone, put
//! its backup back (SPEC §5 step 9), so a failed rebuild never leaves the
//! service without a container. The message says what state the container
//! is in and how to go on.

use std::time::Duration;

use super::execute::Run;
use super::notes;
use super::plan::{Action, Kind, Step, restore_commands};
use super::record::State;
use crate::error::Failure;
use crate::host::process::{Proc, shell_quote};

/// What a failure left behind, in words, and what to do.
struct Aftermath {
    /// The container's state, in words.
    state: String,
    hint: String,
    /// For the build log's result line: ` restored=<backup>`,
    /// ` restore=failed` or nothing.
    result: String,
    /// For the note.
    note: notes::Outcome,
}

impl Run<'_> {
    /// Record the failure, restore the backup when the old container is
    /// gone, and turn it all into the error.
    pub(super) fn fail(
        &mut self,
        step: &Step,
        err: anyhow::Error,
        elapsed: Duration,
    ) -> anyhow::Error {
        let p = self.prepared;
        let outcome = match (&self.backup, self.destroyed) {
            (Some(volid), true) => {
                let volid = volid.clone();
                self.restore(step, &volid)
            }
            _ => self.keep(step),
        };
        self.log.line(&format!(
            "result: failed step={}{} ctid={} commit={} duration={:.1}s",
            step.kind.as_str(),
            outcome.result,
            p.ctid,
            p.commit,
            elapsed.as_secs_f64()
        ));
        self.note(outcome.note.clone());
        let code = err
            .downcast_ref::<super::execute::Interrupted>()
            .map_or(crate::error::EXIT_FAILED, |i| i.code);
        let mut failure = Failure::failed(
            format!(
                "building '{}' failed at step '{}': {err:#}\n{}",
                p.name, step.title, outcome.state
            ),
            outcome.hint,
        );
        if let Some(f) = failure.downcast_mut::<Failure>() {
            f.code = code;
        }
        failure
    }

    /// No backup to go back to: the new container (if any) stays for
    /// inspection, recorded as failed.
    fn keep(&mut self, step: &Step) -> Aftermath {
        let p = self.prepared;
        let id = p.ctid;
        let name = shell_quote(&p.name);
        let data = p.container.data_dir();
        let rebuild = format!("Fix the cause and run `git lxc rebuild {name}`");
        if !self.created {
            let state = if self.destroyed {
                format!("CT {id} was destroyed and not created again (no backup: BACKUP=0)")
            } else if p.replaces.is_some() {
                self.undo_shutdown()
            } else {
                format!("no container was created as CT {id}")
            };
            return Aftermath {
                state,
                hint: format!("{} is untouched. {rebuild}", data.display()),
                result: String::new(),
                note: failed_at(step, None),
            };
        }
        let text = p.description(State::Failed, Some(&step.title));
        let record = Proc::pct(&["set", &id.to_string(), "--description", &text]);
        let state = match self.checked(&record) {
            Ok(_) => format!("CT {id} is kept for inspection with state failed"),
            Err(e) => format!("CT {id} exists; recording the failure on it failed too: {e:#}"),
        };
        Aftermath {
            state,
            hint: format!(
                "look inside with `git lxc enter {name}` (start it with `pct start {id}` if stopped); the log is {}. data/ is untouched. {rebuild}",
                self.log.path.display()
            ),
            result: String::new(),
            note: failed_at(step, None),
        }
    }

    /// The old container is still there: give back its protection and
    /// start it again if this build stopped it.
    fn undo_shutdown(&mut self) -> String {
        let id = self.prepared.ctid.to_string();
        let mut undo = Vec::new();
        if self.unprotected {
            undo.push(Proc::pct(&["set", &id, "--protection", "1"]));
        }
        if self.stopped_old {
            undo.push(Proc::pct(&["start", &id]));
        }
        for cmd in &undo {
            if let Err(e) = self.checked(cmd) {
                return format!(
                    "CT {id} was not destroyed, but `{}` failed: {e:#}",
                    self.host.runner.shown(cmd)
                );
            }
        }
        match self.stopped_old {
            true => format!("CT {id} was not destroyed and runs again as it was"),
            false => format!("CT {id} was not touched"),
        }
    }

    /// Put backup `volid` back as the CT and start it.
    fn restore(&mut self, step: &Step, volid: &str) -> Aftermath {
        let p = self.prepared;
        let id = p.ctid;
        let [stop, restore, start] = restore_commands(id, volid, &p.diskstore)
            .try_into()
            .expect("stop, restore, start");
        term_note(&format!("restoring CT {id} from {volid}"));
        self.log.line(&format!("restoring CT {id} from {volid}"));
        if self.created {
            // The failed build's container may still run; a restore needs it stopped.
            let _ = self.output(&stop);
        }
        let by_hand = format!(
            "{} && {}",
            self.host.runner.shown(&restore),
            self.host.runner.shown(&start)
        );
        if let Err(e) = self.checked(&restore) {
            return Aftermath {
                state: format!(
                    "restoring the backup {volid} failed: {e:#}\nCT {id} {}",
                    if self.created {
                        "holds the failed build"
                    } else {
                        "does not exist"
                    }
                ),
                hint: format!("restore it by hand: {by_hand}"),
                result: " restore=failed".to_string(),
                note: notes::Outcome::Failed {
                    step: None,
                    restored: None,
                },
            };
        }
        if let Err(e) = self.checked(&start) {
            return Aftermath {
                state: format!("CT {id} was restored from {volid} but does not start: {e:#}"),
                hint: format!("see `pct start {id}`; the backup is {volid}"),
                result: format!(" restored={volid}"),
                note: failed_at(step, Some(volid)),
            };
        }
        let ip = self
            .wait_probe()
            .and_then(|probe| self.wait_ip(&probe.0, probe.1).ok().flatten());
        let previous = p
            .previous
            .as_ref()
            .map(|r| format!(" (commit {})", &r.commit[..12.min(r.commit.len())]))
            .unwrap_or_default();
        Aftermath {
            state: format!(
                "the previous build{previous} is running again as CT {id}{}, restored from {volid}",
                ip.map(|ip| format!(" at {ip}")).unwrap_or_default()
            ),
            hint: format!(
                "data/ is untouched. Fix the cause and run `git lxc rebuild {}` again; the log is {}",
                shell_quote(&p.name),
                self.log.path.display()
            ),
            result: format!(" restored={volid}"),
            note: failed_at(step, Some(volid)),
        }
    }

    /// The plan's IP wait, to wait the same way for the restored container.
    fn wait_probe(&self) -> Option<(Proc, Duration)> {
        self.prepared.steps.iter().find_map(|s| match &s.action {
            Action::WaitIp { probe, timeout } if s.kind == Kind::Network => {
                Some((probe.clone(), *timeout))
            }
            _ => None,
        })
    }
}

fn failed_at(step: &Step, restored: Option<&str>) -> notes::Outcome {
    notes::Outcome::Failed {
        step: Some(step.kind.as_str().to_string()),
        restored: restored.map(str::to_string),
    }
}

fn term_note(text: &str) {
    crate::term::info(format!("  {text}"));
}
