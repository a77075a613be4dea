//! One build of a container at a time: a lock file under the git dir.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;

/// Held while a container builds; removed on drop.
#[derive(Debug)]
pub struct BuildLock {
    path: PathBuf,
}

impl BuildLock {
    pub fn acquire(git_dir: &Path, name: &str) -> Result<BuildLock> {
        let dir = git_dir.join("lxc").join("locks");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("{name}.lock"));
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(BuildLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = pid.trim();
                    let alive = !pid.is_empty() && Path::new("/proc").join(pid).exists();
                    if alive {
                        return Err(Failure::refused(
                            format!("another git-lxc build of '{name}' is running (pid {pid})"),
                            format!(
                                "wait for it to finish; if no build is running, remove {}",
                                path.display()
                            ),
                        ));
                    }
                    // The process that held it is gone: the lock is stale.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        Err(Failure::refused(
            format!("cannot take the build lock {}", path.display()),
            "remove the file if no build is running",
        ))
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
