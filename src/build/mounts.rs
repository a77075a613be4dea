//! Bind mounts: the folder's own (`conf/`, `bin/`, `data/`) and those
//! `HOOK_customMounts` asks for, numbered as `--mpN` arguments.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;
use crate::workspace::symlinks::{DATA_HINT, forbidden_data};
use crate::workspace::tree::Container;

/// A bind mount of the container folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub source: PathBuf,
    pub target: &'static str,
    pub read_only: bool,
}

/// A mount `HOOK_customMounts` asked for: `--mpN SPEC` or a bare `SPEC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMount {
    pub index: Option<u32>,
    pub spec: String,
}

/// Parse the entries a `HOOK_customMounts` appended to its array: `--mpN`
/// and `SPEC` as two entries, `--mpN SPEC` as one, or a bare `SPEC`.
pub fn parse_custom_mounts(entries: &[String]) -> Result<Vec<CustomMount>, String> {
    let mut out = Vec::new();
    let mut iter = entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty());
    while let Some(entry) = iter.next() {
        let Some(flag) = entry
            .strip_prefix("--mp")
            .or_else(|| entry.strip_prefix("-mp"))
        else {
            out.push(CustomMount {
                index: None,
                spec: entry.to_string(),
            });
            continue;
        };
        let (num, spec) = match flag.split_once([' ', '=']) {
            Some((n, spec)) => (n, spec.trim().to_string()),
            None => (
                flag,
                iter.next()
                    .ok_or_else(|| format!("'{entry}' is not followed by a mount spec"))?
                    .to_string(),
            ),
        };
        let index: u32 = num
            .parse()
            .ok()
            .filter(|n| *n <= 255)
            .ok_or_else(|| format!("'{entry}': mount point numbers run from mp0 to mp255"))?;
        out.push(CustomMount {
            index: Some(index),
            spec,
        });
    }
    for m in &out {
        if !m.spec.contains("mp=") {
            return Err(format!(
                "mount '{}' lacks mp=<path inside the container>",
                m.spec
            ));
        }
    }
    Ok(out)
}

/// Check a bind-mount source the way pct will, before anything changes:
/// it must exist and its path must hold no symlink.
pub fn check_bind_source(spec: &str) -> Result<(), String> {
    let source = spec
        .split(',')
        .next()
        .unwrap_or("")
        .trim_start_matches("volume=");
    if !source.starts_with('/') || source.starts_with("/dev/") {
        return Ok(()); // storage volume or device: pct checks those
    }
    let path = std::path::Path::new(source);
    if !path.exists() {
        return Err(format!(
            "mount source {source} does not exist; create it first"
        ));
    }
    match std::fs::canonicalize(path) {
        Ok(real) if real == path => Ok(()),
        Ok(real) => Err(format!(
            "mount source {source} goes through a symlink (pct refuses those); use its real path {}",
            real.display()
        )),
        Err(e) => Err(format!("cannot resolve mount source {source}: {e}")),
    }
}

impl Mount {
    /// `SOURCE,mp=TARGET[,ro=1]`.
    pub fn spec(&self) -> String {
        let mut spec = format!("{},mp={}", self.source.display(), self.target);
        if self.read_only {
            spec.push_str(",ro=1");
        }
        spec
    }
}

/// The folder's own mounts as the original script put them in `mps` before
/// `HOOK_customMounts`: `--mpN SPEC`, numbered by position.
pub fn standard_entries(ours: &[Mount]) -> Vec<String> {
    ours.iter()
        .enumerate()
        .map(|(i, m)| format!("--mp{i} {}", m.spec()))
        .collect()
}

/// The mounts of a build: every entry of `mps` after `HOOK_customMounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `--mpN SPEC` arguments, in the array's order.
    pub args: Vec<String>,
    /// The entries the hook added (not the folder's own), as it wrote them.
    pub added: Vec<String>,
    /// Those entries, parsed.
    pub added_mounts: Vec<CustomMount>,
}

/// Number the entries of `mps` (`entries`; [`standard_entries`] of `ours`
/// when no hook ran): the hook's numbered entries keep their numbers, the
/// folder's own keep theirs unless a hook entry claims one, and the rest
/// take the free numbers.
pub fn resolve(ours: &[Mount], entries: &[String]) -> Result<Resolved, String> {
    let standard = standard_entries(ours);
    let parsed = parse_custom_mounts(entries)?;
    let own = parse_custom_mounts(&standard)?;
    let is_own = |m: &CustomMount| own.contains(m);
    let mut used: Vec<u32> = Vec::new();
    for i in parsed.iter().filter(|m| !is_own(m)).filter_map(|m| m.index) {
        if used.contains(&i) {
            return Err(format!("HOOK_customMounts uses --mp{i} twice"));
        }
        used.push(i);
    }
    let mut index: Vec<Option<u32>> = Vec::new();
    for m in &parsed {
        let keep = match m.index {
            Some(i) if is_own(m) && used.contains(&i) => None,
            Some(i) if is_own(m) => {
                used.push(i);
                Some(i)
            }
            other => other,
        };
        index.push(keep);
    }
    let mut next = 0u32;
    let mut args = Vec::new();
    for (m, i) in parsed.iter().zip(index) {
        let i = match i {
            Some(i) => i,
            None => {
                while used.contains(&next) {
                    next += 1;
                }
                if next > 255 {
                    return Err("more than 256 mount points".to_string());
                }
                used.push(next);
                next
            }
        };
        args.push(format!("--mp{i}"));
        args.push(m.spec.clone());
    }
    let added: Vec<String> = entries
        .iter()
        .filter(|e| !e.trim().is_empty() && !standard.contains(e))
        .cloned()
        .collect();
    Ok(Resolved {
        args,
        added_mounts: parsed.into_iter().filter(|m| !is_own(m)).collect(),
        added,
    })
}

/// The folder's own mounts, in the original's order: `bin/` and `conf/`
/// (when present) read-only from
/// `inputs` (the release folder of the build's commit, or the work tree
/// with LIVECONF=1 or `--allow-dirty`), `data/` read-write from the work
/// tree; by real path, as pct refuses symlinks in bind-mount paths.
pub fn folder_mounts(container: &Container, inputs: &Path) -> Result<Vec<Mount>> {
    // A container folder is a direct sub-folder of the tree root.
    let tree_root = container.dir.parent().unwrap_or(&container.dir);
    let mut out = Vec::new();
    for (folder, target, read_only) in [
        ("bin", "/usr/local/sbin", true),
        ("conf", "/usr/local/conf", true),
        ("data", "/usr/local/data", false),
    ] {
        let path = match folder {
            "data" => container.dir.join(folder),
            _ => inputs.join(folder),
        };
        let source = if path.exists() {
            std::fs::canonicalize(&path)
                .with_context(|| format!("cannot resolve {}", path.display()))?
        } else if folder == "data" {
            if path.is_symlink() {
                return Err(Failure::failed(
                    format!(
                        "{} is a symlink to a folder that does not exist",
                        path.display()
                    ),
                    "create the folder it points to, or remove the link",
                ));
            }
            path.clone()
        } else {
            continue;
        };
        if folder == "data"
            && let Some(why) = forbidden_data(&source, tree_root, &container.dir)
        {
            return Err(Failure::refused(
                format!("{} leads to {}: {why}", path.display(), source.display()),
                DATA_HINT,
            ));
        }
        out.push(Mount {
            source,
            target,
            read_only,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_may_not_be_the_host_or_another_container() {
        let root = Path::new("/srv/tree");
        let own = Path::new("/srv/tree/web");
        for bad in [
            "/",
            "/etc",
            "/var/lib",
            "/usr",
            "/srv/tree",
            "/srv/tree/db/data",
            "/srv/tree/web",
        ] {
            assert!(forbidden_data(Path::new(bad), root, own).is_some(), "{bad}");
        }
        for good in [
            "/srv/tree/web/data",
            "/srv/web-data",
            "/mnt/data/web",
            "/home/me/web",
        ] {
            assert_eq!(forbidden_data(Path::new(good), root, own), None, "{good}");
        }
    }

    #[test]
    fn custom_mounts_in_every_form() {
        let entries: Vec<String> = [
            "--mp3 /srv/media,mp=/media",
            "--mp0",
            "/a,mp=/a",
            "/b,mp=/b,ro=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let custom = parse_custom_mounts(&entries).unwrap();
        assert_eq!(
            custom[0],
            CustomMount {
                index: Some(3),
                spec: "/srv/media,mp=/media".into()
            }
        );
        assert_eq!(custom[1].index, Some(0));
        assert_eq!(custom[2].index, None);
        let ours = vec![
            Mount {
                source: "/t/conf".into(),
                target: "/usr/local/conf",
                read_only: true,
            },
            Mount {
                source: "/t/data".into(),
                target: "/usr/local/data",
                read_only: false,
            },
        ];
        // A hook written for an earlier git-lxc numbers its own mounts
        // from 0: a folder mount whose number it took takes a free one.
        let mut mps = standard_entries(&ours);
        assert_eq!(
            mps,
            [
                "--mp0 /t/conf,mp=/usr/local/conf,ro=1",
                "--mp1 /t/data,mp=/usr/local/data"
            ]
        );
        mps.extend(entries);
        let got = resolve(&ours, &mps).unwrap();
        assert_eq!(
            got.args,
            vec![
                "--mp2",
                "/t/conf,mp=/usr/local/conf,ro=1",
                "--mp1",
                "/t/data,mp=/usr/local/data",
                "--mp3",
                "/srv/media,mp=/media",
                "--mp0",
                "/a,mp=/a",
                "--mp4",
                "/b,mp=/b,ro=1",
            ]
        );
        assert_eq!(got.added.len(), 4);
        assert_eq!(got.added_mounts.len(), 3);
        // The original's way: appended by the array's length.
        let mut mps = standard_entries(&ours);
        mps.push(format!("--mp{} /srv/m,mp=/m", mps.len()));
        let got = resolve(&ours, &mps).unwrap();
        assert_eq!(got.args[4..], ["--mp2", "/srv/m,mp=/m"]);
        assert_eq!(got.added, ["--mp2 /srv/m,mp=/m"]);
        assert!(resolve(&ours, &["--mp7 /x,mp=/x".into(), "--mp7 /y,mp=/y".into()]).is_err());
        assert!(parse_custom_mounts(&["--mp3".to_string()]).is_err());
        assert!(parse_custom_mounts(&["/x".to_string()]).is_err());
    }
}
