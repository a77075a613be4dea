//! The one module that runs `pct`, `pveam`, `pvesh` and the few other host
//! commands (SPEC §8).
//!
//! Every child gets a cleared environment (PATH, LANG, TERM), goes through
//! `sudo` unless git-lxc runs as root, and is logged (masked). A failure
//! quotes the command and its stderr.

pub mod pveconf;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result};

use crate::host::pveconf::ConfFile;
use crate::term::mask::Masker;

/// A host command: program, arguments and what it reads on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCmd {
    pub program: String,
    pub args: Vec<String>,
    /// Text piped to the command; may hold secrets, so it is never printed.
    pub stdin: Option<String>,
}

impl HostCmd {
    pub fn new(program: &str, args: &[&str]) -> HostCmd {
        HostCmd {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            stdin: None,
        }
    }

    pub fn pct(args: &[&str]) -> HostCmd {
        HostCmd::new("pct", args)
    }

    pub fn arg(mut self, a: impl Into<String>) -> HostCmd {
        self.args.push(a.into());
        self
    }

    pub fn with_stdin(mut self, text: String) -> HostCmd {
        self.stdin = Some(text);
        self
    }

    /// The command as a person would type it, shell-quoted.
    pub fn display(&self) -> String {
        let mut parts = vec![self.program.clone()];
        parts.extend(self.args.iter().map(|a| shell_quote(a)));
        let mut s = parts.join(" ");
        if self.stdin.is_some() {
            s.push_str(" < (script)");
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

/// The captured result of a host command.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// One line of `pct list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub vmid: u32,
    pub running: bool,
    pub lock: String,
    pub name: String,
}

/// How to reach the host tools.
pub struct Host {
    sudo: bool,
    pve_dir: PathBuf,
    masker: Masker,
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

impl Host {
    /// `sudo` is used unless running as root or `git config lxc.sudo false`.
    pub fn new(sudo_config: Option<bool>, masker: Masker) -> Host {
        let pve_dir = std::env::var_os("GIT_LXC_PVE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/etc/pve"));
        Host {
            sudo: !is_root() && sudo_config.unwrap_or(true),
            pve_dir,
            masker,
        }
    }

    pub fn set_masker(&mut self, masker: Masker) {
        self.masker = masker;
    }

    /// Path of a container's config file (what hooks see as `CTCONF`).
    pub fn conf_path(&self, vmid: u32) -> PathBuf {
        self.pve_dir.join("lxc").join(format!("{vmid}.conf"))
    }

    fn command(&self, cmd: &HostCmd) -> Command {
        let mut c = if self.sudo {
            let mut c = Command::new("sudo");
            c.arg("-n").arg("--").arg(&cmd.program);
            c
        } else {
            Command::new(&cmd.program)
        };
        c.args(&cmd.args);
        c.env_clear();
        for key in ["PATH", "LANG", "TERM"] {
            if let Some(v) = std::env::var_os(key) {
                c.env(key, v);
            }
        }
        c
    }

    /// Show a command (with `--verbose`) before it runs.
    fn note(&self, cmd: &HostCmd) {
        crate::term::detail(format!("$ {}", abbreviate(&self.shown(cmd))));
    }

    /// Why a command could not start, with what to do about it.
    fn spawn_error(&self, cmd: &HostCmd, e: std::io::Error) -> anyhow::Error {
        let program = if self.sudo {
            "sudo"
        } else {
            cmd.program.as_str()
        };
        if e.kind() == std::io::ErrorKind::NotFound {
            return crate::error::Failure::failed(
                format!(
                    "`{program}` was not found on PATH (needed for `{}`)",
                    self.shown(cmd)
                ),
                "git-lxc drives a Proxmox VE host: run it there, where pct, pveam and pvesh are installed",
            );
        }
        anyhow::anyhow!("cannot run `{}`: {e}", self.shown(cmd))
    }

    /// The masked command line, as logged.
    pub fn shown(&self, cmd: &HostCmd) -> String {
        let prefix = if self.sudo { "sudo " } else { "" };
        self.masker.mask(&format!("{prefix}{}", cmd.display()))
    }

    /// The error for a failed command: the command line and its stderr, masked.
    pub fn failure(&self, cmd: &HostCmd, status: &str, stderr: &str) -> anyhow::Error {
        let stderr = self.masker.mask(stderr.trim());
        let mut msg = format!("`{}` failed ({status})", self.shown(cmd));
        if !stderr.is_empty() {
            msg.push_str(":\n");
            for line in stderr.lines() {
                msg.push_str("    ");
                msg.push_str(line);
                msg.push('\n');
            }
            msg.pop();
        }
        anyhow::anyhow!(msg)
    }

    /// Start a command with stdout and stderr piped and its stdin (if any)
    /// fed from a thread.
    fn spawn_piped(
        &mut self,
        cmd: &HostCmd,
    ) -> Result<(std::process::Child, Option<std::thread::JoinHandle<()>>)> {
        self.note(cmd);
        let mut child = self
            .command(cmd)
            .stdin(if cmd.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(cmd, e))?;
        let writer = write_stdin(&mut child, cmd);
        Ok((child, writer))
    }

    /// Run to completion, capturing output; a non-zero exit is an error.
    pub fn run(&mut self, cmd: &HostCmd) -> Result<Output> {
        let out = self.run_unchecked(cmd)?;
        if !out.status.success() {
            return Err(self.failure(cmd, &status_text(out.status), &out.stderr));
        }
        Ok(out)
    }

    /// Run to completion, capturing output, whatever the exit status.
    pub fn run_unchecked(&mut self, cmd: &HostCmd) -> Result<Output> {
        let (mut child, writer) = self.spawn_piped(cmd)?;
        let mut stderr = child.stderr.take().expect("piped");
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .expect("piped")
            .read_to_string(&mut stdout)
            .ok();
        let status = child.wait().context("waiting for a host command")?;
        if let Some(w) = writer {
            let _ = w.join();
        }
        let stderr = err_thread.join().unwrap_or_default();
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Run with stdout and stderr handed line by line (masked) to `on_line`
    /// as they come; returns the exit status.
    pub fn stream(&mut self, cmd: &HostCmd, on_line: &mut dyn FnMut(&str)) -> Result<ExitStatus> {
        let (mut child, writer) = self.spawn_piped(cmd)?;
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let mut readers = Vec::new();
        let out: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let err: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for pipe in [out, err] {
            let tx = tx.clone();
            readers.push(std::thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut buf = Vec::new();
                while reader.read_until(b'\n', &mut buf).unwrap_or(0) > 0 {
                    let line = String::from_utf8_lossy(&buf);
                    let _ = tx.send(line.trim_end_matches(['\n', '\r']).to_string());
                    buf.clear();
                }
            }));
        }
        drop(tx);
        for line in rx {
            on_line(&self.masker.mask(&line));
        }
        let status = child.wait().context("waiting for a host command")?;
        for r in readers {
            let _ = r.join();
        }
        if let Some(w) = writer {
            let _ = w.join();
        }
        Ok(status)
    }

    /// Run with the terminal attached (`pct enter`).
    pub fn interactive(&mut self, cmd: &HostCmd) -> Result<ExitStatus> {
        self.note(cmd);
        self.command(cmd)
            .status()
            .map_err(|e| self.spawn_error(cmd, e))
    }

    /// `pct list`, parsed.
    pub fn list(&mut self) -> Result<Vec<Listed>> {
        let out = self.run(&HostCmd::pct(&["list"]))?;
        Ok(parse_list(&out.stdout))
    }

    /// Read container config files (directly as root, else one `sudo cat`).
    pub fn read_configs(&mut self, vmids: &[u32]) -> Result<BTreeMap<u32, ConfFile>> {
        let mut confs = BTreeMap::new();
        if vmids.is_empty() {
            return Ok(confs);
        }
        if !self.sudo {
            for &id in vmids {
                let path = self.conf_path(id);
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        confs.insert(id, ConfFile::parse(&text));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot read {}", path.display()));
                    }
                }
            }
            return Ok(confs);
        }
        // One call for all files: `tail -v` puts a `==> path <==` header
        // before each (config lines never start with "==> ").
        let mut cmd = HostCmd::new("tail", &["-v", "-n", "+1", "--"]);
        for &id in vmids {
            cmd.args
                .push(self.conf_path(id).to_string_lossy().into_owned());
        }
        let out = self.run_unchecked(&cmd)?;
        // A container destroyed since `pct list` has no file: not an error.
        if !out.status.success() && !out.stderr.lines().all(|l| l.contains("No such file")) {
            return Err(self.failure(&cmd, &status_text(out.status), &out.stderr));
        }
        let mut current: Option<(u32, String)> = None;
        for line in out.stdout.lines() {
            if let Some(path) = line
                .strip_prefix("==> ")
                .and_then(|l| l.strip_suffix(" <=="))
            {
                if let Some((id, text)) = current.take() {
                    confs.insert(id, ConfFile::parse(&text));
                }
                let id = Path::new(path)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(|s| s.parse().ok());
                current = id.map(|id| (id, String::new()));
            } else if let Some((_, text)) = current.as_mut() {
                text.push_str(line);
                text.push('\n');
            }
        }
        if let Some((id, text)) = current
            && !text.trim().is_empty()
        {
            confs.insert(id, ConfFile::parse(&text));
        }
        Ok(confs)
    }

    /// A container's config file as it is on disk.
    pub fn read_config_text(&mut self, vmid: u32) -> Result<String> {
        let path = self.conf_path(vmid);
        if !self.sudo {
            return std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()));
        }
        let out = self.run(&HostCmd::new("cat", &["--", &path.to_string_lossy()]))?;
        Ok(out.stdout)
    }

    /// Append raw lines to a container's config (pct cannot set `lxc.*`).
    pub fn append_config(&mut self, vmid: u32, lines: &[String]) -> Result<()> {
        let path = self.conf_path(vmid);
        append_file(self, &path, lines)
    }

    /// Append lines to a host file (config or `/etc/subuid`), as root or through `sudo tee -a`.
    pub fn append_file(&mut self, path: &Path, lines: &[String]) -> Result<()> {
        append_file(self, path, lines)
    }

    /// Read a host file readable by everyone (e.g. `/etc/subuid`).
    pub fn read_public(&self, path: &Path) -> Result<String> {
        match std::fs::read_to_string(path) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn uses_sudo(&self) -> bool {
        self.sudo
    }
}

fn append_file(host: &mut Host, path: &Path, lines: &[String]) -> Result<()> {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    if host.sudo {
        let cmd = HostCmd::new("tee", &["-a", &path.to_string_lossy()]).with_stdin(text);
        host.run(&cmd)?;
        return Ok(());
    }
    crate::term::detail(host.masker.mask(&format!(
        "$ append to {}: {}",
        path.display(),
        lines.join(" | ")
    )));
    // created when missing, like `tee -a` above (a host may have no /etc/subuid yet)
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| format!("cannot open {} to append", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn write_stdin(
    child: &mut std::process::Child,
    cmd: &HostCmd,
) -> Option<std::thread::JoinHandle<()>> {
    let text = cmd.stdin.clone()?;
    let mut pipe = child.stdin.take()?;
    Some(std::thread::spawn(move || {
        let _ = pipe.write_all(text.as_bytes());
    }))
}

/// A command line for the terminal: a multi-line argument (the description)
/// shown by its first line only.
pub fn abbreviate(line: &str) -> String {
    match line.split_once('\n') {
        Some((first, rest)) => {
            let last = rest.lines().last().unwrap_or("");
            format!("{first}…{last}")
        }
        None => line.to_string(),
    }
}

pub fn status_text(status: ExitStatus) -> String {
    match status.code() {
        Some(c) => format!("exit {c}"),
        None => "killed by a signal".to_string(),
    }
}

/// Parse `pct list` (fixed-width columns VMID, Status, Lock, Name).
pub fn parse_list(text: &str) -> Vec<Listed> {
    text.lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let vmid: u32 = cols.next()?.parse().ok()?;
            let status = cols.next()?;
            // Lock is empty when unset: decide by column offset (22).
            let lock = line.get(22..35).map(str::trim).unwrap_or("").to_string();
            let name = line.get(35..).map(str::trim).unwrap_or("").to_string();
            Some(Listed {
                vmid,
                running: status == "running",
                lock,
                name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pct_list() {
        let text = "VMID       Status     Lock         Name                \n100        running                 web1                \n101        stopped    create       db                  \n";
        let l = parse_list(text);
        assert_eq!(l.len(), 2);
        assert_eq!(
            l[0],
            Listed {
                vmid: 100,
                running: true,
                lock: String::new(),
                name: "web1".into()
            }
        );
        assert_eq!(l[1].lock, "create");
        assert!(!l[1].running);
    }

    #[test]
    fn quotes_for_display() {
        let c = HostCmd::pct(&[
            "create",
            "100",
            "--description",
            "two words",
            "--tags",
            "git-lxc;web",
        ]);
        assert_eq!(
            c.display(),
            "pct create 100 --description 'two words' --tags 'git-lxc;web'"
        );
    }
}
