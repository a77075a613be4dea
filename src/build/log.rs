//! Build logs under `.git/lxc/logs/<name>/<UTC timestamp>-<short commit>.log`,
//! masked, the last [`KEEP`] per container.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::term::mask::Masker;

/// How many logs to keep per container.
pub const KEEP: usize = 20;

pub struct BuildLog {
    pub path: PathBuf,
    file: File,
    masker: Arc<Masker>,
}

/// The folder holding a container's logs.
pub fn dir(git_dir: &Path, name: &str) -> PathBuf {
    git_dir.join("lxc").join("logs").join(name)
}

/// Log files of a container, oldest first.
pub fn list(git_dir: &Path, name: &str) -> Vec<PathBuf> {
    logs_in(&dir(git_dir, name))
}

/// `*.log` files in a folder, sorted by name (which is build order).
fn logs_in(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    files
}

impl BuildLog {
    pub fn create(
        git_dir: &Path,
        name: &str,
        stamp: &str,
        short: &str,
        masker: Arc<Masker>,
    ) -> Result<BuildLog> {
        let folder = dir(git_dir, name);
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let path = folder.join(format!("{stamp}-{short}.log"));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let log = BuildLog { path, file, masker };
        prune(&folder, KEEP);
        Ok(log)
    }

    pub fn line(&mut self, text: &str) {
        let _ = writeln!(self.file, "{}", self.masker.mask(text));
    }
}

fn prune(folder: &Path, keep: usize) {
    let files = logs_in(folder);
    if files.len() > keep {
        for f in &files[..files.len() - keep] {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// UTC time as `YYYYMMDDTHHMMSS.mmmZ` and as `YYYY-MM-DD HH:MM UTC`.
///
/// The first has milliseconds (`YYYYMMDDTHHMMSS.mmmZ`) so that log names sort
/// in build order even for builds within one second.
pub fn timestamps() -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (y, mo, d, h, mi, s) = civil(now.as_secs());
    let ms = now.subsec_millis();
    (
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}.{ms:03}Z"),
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC"),
    )
}

/// Seconds since the epoch to UTC calendar fields.
pub fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_795_932_122), (2026, 11, 29, 6, 2, 2));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }

    #[test]
    fn keeps_the_newest_logs() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..25 {
            std::fs::write(dir.path().join(format!("2026{i:02}-abc.log")), "x").unwrap();
        }
        prune(dir.path(), KEEP);
        let left = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(left, KEEP);
        assert!(!dir.path().join("202600-abc.log").exists());
        assert!(dir.path().join("202624-abc.log").exists());
    }
}
