//! The lxcs tree: container folders and the files in them (SPEC §1).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;
use crate::host::process::shell_quote;

/// The settings file every container folder holds.
pub const CONFIG_FILE: &str = "configSettings";
/// The provisioning script, and the name the original bash script used.
pub const BUILD_SCRIPT: &str = "build-target.sh";
pub const LEGACY_BUILD_SCRIPT: &str = "target-bootstrap.sh";

/// One container folder.
#[derive(Debug, Clone)]
pub struct Container {
    /// Folder name, which is the container's name.
    pub name: String,
    /// Absolute path of the folder.
    pub dir: PathBuf,
}

impl Container {
    pub fn config_file(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }

    pub fn env_file(&self) -> PathBuf {
        self.dir.join(".env")
    }

    pub fn env_example(&self) -> PathBuf {
        self.dir.join(".env.example")
    }

    /// `build-target.sh`, else the legacy `target-bootstrap.sh`, if either exists.
    pub fn build_script(&self) -> Option<PathBuf> {
        [BUILD_SCRIPT, LEGACY_BUILD_SCRIPT]
            .iter()
            .map(|n| self.dir.join(n))
            .find(|p| p.is_file())
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
}

/// The root folder and its container folders, sorted by name.
#[derive(Debug, Clone)]
pub struct Tree {
    pub root: PathBuf,
    pub containers: Vec<Container>,
    /// Folders holding a `configSettings` whose name is no container name:
    /// the folder name and why.
    pub invalid: Vec<(String, String)>,
}

/// Why `name` cannot name a container (SPEC §1): letters, digits, `.`,
/// `_`, `-`, starting with a letter or digit, at most 63 characters.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 63 {
        return Some("a container name has 1 to 63 characters".to_string());
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some("a container name starts with a letter or digit".to_string());
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
        .map(|c| {
            format!("a container name holds only letters, digits, '.', '_' and '-', not {c:?}")
        })
}

/// Whether `dir` is a container folder (holds a `configSettings` file).
pub fn is_container_dir(dir: &Path) -> bool {
    let hidden = dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    !hidden && dir.join(CONFIG_FILE).is_file()
}

impl Tree {
    pub fn load(root: &Path) -> Result<Tree> {
        let mut containers = Vec::new();
        let mut invalid = Vec::new();
        let entries =
            std::fs::read_dir(root).with_context(|| format!("cannot read {}", root.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", root.display()))?;
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) && is_container_dir(&path) {
                let name = entry.file_name().to_string_lossy().into_owned();
                match name_problem(&name) {
                    Some(why) => invalid.push((name, why)),
                    None => containers.push(Container { name, dir: path }),
                }
            }
        }
        containers.sort_by(|a, b| a.name.cmp(&b.name));
        invalid.sort();
        for (name, why) in &invalid {
            crate::term::warn(format!(
                "the folder '{name}' holds a configSettings but is skipped: {why}; rename it"
            ));
        }
        Ok(Tree {
            root: root.to_path_buf(),
            containers,
            invalid,
        })
    }

    pub fn defaults_file(&self) -> PathBuf {
        self.root.join("defaults")
    }

    pub fn env_file(&self) -> PathBuf {
        self.root.join(".env")
    }

    /// Helper scripts the tree adds to the provisioning script (`lib/*.sh`).
    pub fn lib_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root.join("lib"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sh"))
            .collect();
        files.sort();
        files
    }

    pub fn get(&self, name: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.name == name)
    }

    /// The named containers (all when `names` is empty), or a usage error
    /// naming the unknown one.
    pub fn select(&self, names: &[String]) -> Result<Vec<&Container>> {
        if names.is_empty() {
            return Ok(self.containers.iter().collect());
        }
        names.iter().map(|n| self.find(n)).collect()
    }

    /// One container by name, or a usage error with the known names.
    pub fn find(&self, name: &str) -> Result<&Container> {
        let name = name.trim_end_matches('/');
        // Accept a path to the folder too (`git lxc build ./pihole`).
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.to_string());
        if let Some((_, why)) = self.invalid.iter().find(|(n, _)| *n == name) {
            return Err(Failure::usage(
                format!("the folder '{name}' cannot be a container: {why}"),
                "rename the folder (the name is also the default hostname and is kept in the record)",
            ));
        }
        self.get(&name).ok_or_else(|| {
            let known: Vec<&str> = self.containers.iter().map(|c| c.name.as_str()).collect();
            let hint = if known.is_empty() {
                format!(
                    "{} holds no container folders; create one with `git lxc new {}`",
                    self.root.display(),
                    shell_quote(&name)
                )
            } else {
                format!(
                    "the containers in {} are: {}",
                    self.root.display(),
                    known.join(", ")
                )
            };
            Failure::usage(format!("no container folder named '{name}'"), hint)
        })
    }
}
