//! One build of a container at a time, host-wide (SPEC §5 step 2): an
//! `flock` on `/run/lock/git-lxc-ct<CTID>.lock`, so any checkout, worktree,
//! clone or user building the same CTID is refused. The kernel drops the
//! lock when the process ends, however it ends: no stale lock, no race.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;

/// Held while a container builds; released when dropped (or the process ends).
#[derive(Debug)]
pub struct BuildLock {
    _file: File,
}

/// Where the lock files live (`GIT_LXC_LOCK_DIR` overrides `/run/lock`).
fn lock_dir() -> PathBuf {
    std::env::var_os("GIT_LXC_LOCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/run/lock"))
}

impl BuildLock {
    /// Take the lock of CT `ctid` for the build of `name` from `checkout`,
    /// or refuse, naming who holds it.
    pub fn acquire(ctid: u32, name: &str, checkout: &Path) -> Result<BuildLock> {
        BuildLock::acquire_in(&lock_dir(), ctid, name, checkout)
    }

    fn acquire_in(dir: &Path, ctid: u32, name: &str, checkout: &Path) -> Result<BuildLock> {
        let path = dir.join(format!("git-lxc-ct{ctid}.lock"));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .open(&path)
            .or_else(|_| File::open(&path))
            .with_context(|| format!("cannot open the build lock {}", path.display()))?;
        // SAFETY: flock on a descriptor this function owns.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !taken {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Failure::refused(
                format!(
                    "another git-lxc build of CT {ctid} is running{}",
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" ({holder})")
                    }
                ),
                "wait for it to end; `git lxc status` shows its state",
            ));
        }
        // Say who holds it; a lock file opened read-only (another user's)
        // still locks.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = writeln!(
            file,
            "'{name}' from {}, pid {}",
            checkout.display(),
            std::process::id()
        );
        Ok(BuildLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_build_of_the_ctid_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let first = BuildLock::acquire_in(dir.path(), 7, "web", Path::new("/a")).unwrap();
        let err = BuildLock::acquire_in(dir.path(), 7, "web", Path::new("/b")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("CT 7 is running ('web' from /a, pid "),
            "{text}"
        );
        assert_eq!(crate::error::classify(&err).0, crate::error::EXIT_REFUSED);
        BuildLock::acquire_in(dir.path(), 8, "db", Path::new("/b")).unwrap();
        drop(first);
        BuildLock::acquire_in(dir.path(), 7, "web", Path::new("/b")).unwrap();
    }
}
