//! The one place git-lxc starts processes: the Proxmox tools, the few other
//! host commands, bash for settings and hooks, and git's pager.
//!
//! One environment policy: every child starts from a cleared environment
//! holding only [`BASE_ENV`] (and [`USER_ENV`] when it runs as the invoking
//! user) plus what its [`Proc`] adds. One privileged
//! path: a [`Proc::host`] command goes through `sudo -n --` when the
//! [`Runner`] was made with `sudo` (decided once, in [`Runner::new`]); every
//! other command runs as the invoking user.

use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{Context, Result};

use super::spawn::{keep_to_cpu, on_path};
use crate::error::Failure;
use crate::term::mask::Masker;

/// The variables a child inherits from git-lxc's environment; nothing else.
pub const BASE_ENV: &[&str] = &["PATH", "LANG", "TERM"];

/// Added for a process of the invoking user (bash, git): who they are. A
/// host command runs as root and gets none of them.
pub const USER_ENV: &[&str] = &["HOME", "USER", "LOGNAME"];

/// PATH for a child when git-lxc itself has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What a process reads on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stdin {
    /// `/dev/null`.
    Null,
    /// The terminal git-lxc was started on (`pct enter`, the pager).
    Inherit,
    /// Text written to a pipe. `secret` text (the provisioning script, which
    /// holds `.env` values) is never shown, only named.
    Text { text: String, secret: bool },
}

/// A process to start: program, arguments, stdin, and who runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proc {
    pub program: String,
    pub args: Vec<String>,
    pub stdin: Stdin,
    /// Variables added to [`BASE_ENV`].
    pub env: Vec<(String, OsString)>,
    pub dir: Option<PathBuf>,
    /// A host command (through sudo when the runner uses it).
    pub privileged: bool,
    /// The one CPU it (and whatever it starts) runs on, as an index into
    /// [`super::spawn::allowed_cpus`]; `None`: wherever the scheduler puts it.
    pub cpu: Option<usize>,
}

impl Proc {
    /// A host command: a Proxmox tool or another command that needs root.
    pub fn host(program: &str, args: &[&str]) -> Proc {
        Proc {
            privileged: true,
            ..Proc::local(program, args)
        }
    }

    /// `pct ARGS…`.
    pub fn pct(args: &[&str]) -> Proc {
        Proc::host("pct", args)
    }

    /// A command run as the invoking user (bash, git).
    pub fn local(program: &str, args: &[&str]) -> Proc {
        Proc {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            stdin: Stdin::Null,
            env: Vec::new(),
            dir: None,
            privileged: false,
            cpu: None,
        }
    }

    pub fn arg(mut self, a: impl Into<String>) -> Proc {
        self.args.push(a.into());
        self
    }

    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Proc {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Proc {
        self.env.push((key.to_string(), value.into()));
        self
    }

    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Proc {
        self.dir = Some(dir.into());
        self
    }

    /// Keep it to the `cpu`-th of [`super::spawn::allowed_cpus`] (modulo
    /// their number).
    pub fn on_cpu(mut self, cpu: usize) -> Proc {
        self.cpu = Some(cpu);
        self
    }

    pub fn stdin(mut self, stdin: Stdin) -> Proc {
        self.stdin = stdin;
        self
    }

    /// Pipe `text` in; `secret` keeps it out of every display.
    pub fn input(self, text: String, secret: bool) -> Proc {
        self.stdin(Stdin::Text { text, secret })
    }

    /// The command as a person would type it, shell-quoted; piped text is
    /// shown as `< (script)` when secret and `<<<` its first line otherwise.
    pub fn display(&self) -> String {
        let mut parts = vec![shell_quote(&self.program)];
        parts.extend(self.args.iter().map(|a| shell_quote(a)));
        let mut s = parts.join(" ");
        match &self.stdin {
            Stdin::Text { secret: true, .. } => s.push_str(" < (script)"),
            Stdin::Text { text, .. } => {
                s.push_str(" <<< ");
                s.push_str(&shell_quote(text.trim_end_matches('\n')));
            }
            Stdin::Null | Stdin::Inherit => {}
        }
        s
    }
}

/// Quote for a POSIX shell when needed.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The captured result of a process.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// A process that ran and failed: the command as shown (masked), how it
/// ended, and its stderr (masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessError {
    pub command: String,
    pub status: String,
    pub stderr: String,
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` failed ({})", self.command, self.status)?;
        for line in self.stderr.trim().lines() {
            write!(f, "\n    {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProcessError {}

/// How a process ended, in words.
pub fn status_text(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "killed by a signal".to_string(),
    }
}

/// Starts processes, with the privileged path and the secrets decided once.
#[derive(Debug, Clone)]
pub struct Runner {
    sudo: bool,
    masker: Arc<Masker>,
}

impl Runner {
    /// `sudo`: host commands go through `sudo -n --`.
    pub fn new(sudo: bool, masker: Arc<Masker>) -> Runner {
        Runner { sudo, masker }
    }

    pub fn uses_sudo(&self) -> bool {
        self.sudo
    }

    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    /// The secrets, shared (for the build log).
    pub fn secrets(&self) -> Arc<Masker> {
        self.masker.clone()
    }

    /// The command line as logged and shown: `sudo` when it applies, masked.
    pub fn shown(&self, proc: &Proc) -> String {
        let prefix = if self.via_sudo(proc) { "sudo " } else { "" };
        self.masker.mask(&format!("{prefix}{}", proc.display()))
    }

    /// The typed error for a process that ended badly.
    pub fn failure(&self, proc: &Proc, status: ExitStatus, stderr: &str) -> ProcessError {
        ProcessError {
            command: self.shown(proc),
            status: status_text(status),
            stderr: self.masker.mask(stderr.trim()),
        }
    }

    /// The `std` command for `proc`: environment, privilege, folder, stdin.
    fn command(&self, proc: &Proc) -> Command {
        let mut env: Vec<(OsString, OsString)> = Vec::new();
        let user: &[&str] = if proc.privileged { &[] } else { USER_ENV };
        for key in BASE_ENV.iter().chain(user) {
            match std::env::var_os(key) {
                Some(v) => env.push((key.into(), v)),
                None if *key == "PATH" => env.push((key.into(), DEFAULT_PATH.into())),
                None => {}
            }
        }
        env.extend(proc.env.iter().map(|(k, v)| (k.into(), v.clone())));
        let path = env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_os_str());
        let program = self.program(proc);
        // Found by full path, still called by its name (its argv[0]).
        let mut c = Command::new(on_path(program, path));
        c.arg0(program);
        if self.via_sudo(proc) {
            c.arg("-n").arg("--").arg(&proc.program);
        }
        c.args(&proc.args).env_clear().envs(env);
        if let Some(dir) = &proc.dir {
            c.current_dir(dir);
        }
        c.stdin(match proc.stdin {
            Stdin::Null => Stdio::null(),
            Stdin::Inherit => Stdio::inherit(),
            Stdin::Text { .. } => Stdio::piped(),
        });
        c
    }

    /// Whether `proc` runs through sudo (decided in [`Runner::new`]).
    fn via_sudo(&self, proc: &Proc) -> bool {
        self.sudo && proc.privileged
    }

    /// The program started for `proc`: sudo, or its own.
    fn program<'a>(&self, proc: &'a Proc) -> &'a str {
        if self.via_sudo(proc) {
            "sudo"
        } else {
            &proc.program
        }
    }

    /// Why a process could not start, with what to do about it.
    fn spawn_error(&self, proc: &Proc, e: std::io::Error) -> anyhow::Error {
        let program = self.program(proc);
        if e.kind() == std::io::ErrorKind::NotFound {
            let hint = if proc.privileged {
                "git-lxc drives a Proxmox VE host: run it there, where pct, pveam and pvesh are installed"
            } else {
                "install it, or put it on PATH"
            };
            return Failure::failed(
                format!(
                    "`{program}` was not found on PATH (needed for `{}`)",
                    self.shown(proc)
                ),
                hint,
            );
        }
        anyhow::anyhow!("cannot run `{}`: {e}", self.shown(proc))
    }

    /// Start `proc` with stdout and stderr piped, in a process group of its
    /// own (so [`kill_group`] ends everything it started); its piped stdin
    /// is fed from a thread.
    pub fn spawn(&self, proc: &Proc) -> Result<Running> {
        crate::term::detail(format!("$ {}", abbreviate(&self.shown(proc))));
        // Its own group keeps Ctrl-C from it; git-lxc's signal handler
        // ends the group instead.
        super::interrupt::install();
        let mut child = self
            .command(proc)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| self.spawn_error(proc, e))?;
        let feeder = match (&proc.stdin, child.stdin.take()) {
            (Stdin::Text { text, .. }, Some(mut pipe)) => {
                let text = text.clone();
                Some(std::thread::spawn(move || {
                    let _ = pipe.write_all(text.as_bytes());
                }))
            }
            _ => None,
        };
        if let Some(cpu) = proc.cpu {
            keep_to_cpu(child.id() as libc::pid_t, cpu);
        }
        let slot = super::interrupt::register(child.id() as i32);
        Ok(Running {
            child,
            feeder,
            slot,
        })
    }

    /// Run to completion, capturing output, whatever the exit status.
    pub fn output(&self, proc: &Proc) -> Result<Output> {
        let mut running = self.spawn(proc)?;
        let mut stderr = running.child.stderr.take().expect("piped");
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let mut stdout = String::new();
        if let Some(mut out) = running.child.stdout.take() {
            let _ = out.read_to_string(&mut stdout);
        }
        let status = running.wait()?;
        let stderr = err_thread.join().unwrap_or_default();
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Run to completion; a non-zero exit is a [`ProcessError`].
    pub fn checked(&self, proc: &Proc) -> Result<Output> {
        let out = self.output(proc)?;
        if !out.status.success() {
            return Err(self.failure(proc, out.status, &out.stderr).into());
        }
        Ok(out)
    }

    /// Run with stdout and stderr handed line by line (masked) to `on_line`
    /// as they come; returns the exit status.
    pub fn stream(&self, proc: &Proc, on_line: &mut dyn FnMut(&str)) -> Result<ExitStatus> {
        let mut running = self.spawn(proc)?;
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let out: Box<dyn Read + Send> = Box::new(running.child.stdout.take().expect("piped"));
        let err: Box<dyn Read + Send> = Box::new(running.child.stderr.take().expect("piped"));
        let readers: Vec<JoinHandle<()>> = [out, err]
            .into_iter()
            .map(|pipe| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for line in lines(pipe) {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        for line in rx {
            on_line(&self.masker.mask(&line));
        }
        for r in readers {
            let _ = r.join();
        }
        running.wait()
    }

    /// Run with the terminal attached (`pct enter`, git's pager).
    pub fn interactive(&self, proc: &Proc) -> Result<ExitStatus> {
        crate::term::detail(format!("$ {}", abbreviate(&self.shown(proc))));
        self.command(proc)
            .status()
            .map_err(|e| self.spawn_error(proc, e))
    }
}

/// A started process.
pub struct Running {
    pub child: Child,
    feeder: Option<JoinHandle<()>>,
    /// Its place among the process groups an interrupt ends.
    slot: Option<usize>,
}

impl Running {
    /// Wait for the process (and the thread feeding its stdin).
    pub fn wait(&mut self) -> Result<ExitStatus> {
        let status = self.child.wait().context("waiting for a child process")?;
        super::interrupt::unregister(self.slot.take());
        if let Some(f) = self.feeder.take() {
            let _ = f.join();
        }
        Ok(status)
    }

    /// End the process and everything it started (its process group).
    pub fn kill_group(&mut self) {
        let pgid = self.child.id() as i32;
        // SAFETY: killpg only sends a signal; the group is the child's own
        // (spawned with process_group(0)), so nothing else is hit.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
        let _ = self.child.kill();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        super::interrupt::unregister(self.slot.take());
    }
}

/// The lines of a pipe, without their line ends, lossily decoded.
pub fn lines(pipe: impl Read) -> impl Iterator<Item = String> {
    let mut reader = BufReader::new(pipe);
    let mut buf = Vec::new();
    std::iter::from_fn(move || {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(
                String::from_utf8_lossy(&buf)
                    .trim_end_matches(['\n', '\r'])
                    .to_string(),
            ),
        }
    })
}

/// A command line for the terminal: a multi-line argument (the description)
/// shown by its first and last line only.
pub fn abbreviate(line: &str) -> String {
    match line.split_once('\n') {
        Some((first, rest)) => {
            let last = rest.lines().last().unwrap_or("");
            format!("{first}…{last}")
        }
        None => line.to_string(),
    }
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
