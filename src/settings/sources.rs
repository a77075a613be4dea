//! The files sourced for a container, read once, and where in them a
//! variable or function was last defined (a value's origin).

use std::path::{Path, PathBuf};

use super::Origin;

/// The files sourced for a container, in order (later wins), each with its
/// text (`None`: absent or unreadable), read once however many values ask.
pub struct Sources {
    files: Vec<(PathBuf, Option<String>)>,
}

impl Sources {
    /// The files bash sources for the container in `dir` (SPEC §2).
    pub fn read(root: &Path, dir: &Path) -> Sources {
        Sources::with_texts(root, dir, |p| std::fs::read_to_string(p).ok())
    }

    /// The same files, their texts given by `text` (already read).
    pub fn with_texts(root: &Path, dir: &Path, text: impl Fn(&Path) -> Option<String>) -> Sources {
        let paths = [
            root.join("defaults"),
            root.join(".env"),
            dir.join(".env"),
            dir.join("configSettings"),
        ];
        let files = paths
            .into_iter()
            .map(|p| {
                let t = text(&p);
                (p, t)
            })
            .collect();
        Sources { files }
    }

    /// The file and line of the last assignment to `var`.
    pub fn locate(&self, var: &str) -> Option<Origin> {
        // A commented-out example (`#OPT_RAM=256`) assigns nothing.
        self.last_line(|l| !l.trim_start().starts_with('#') && assigns(l, var))
    }

    /// The file and line of the last definition of function `name`.
    pub fn defined_at(&self, name: &str) -> Option<Origin> {
        self.last_line(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("function ").unwrap_or(l).trim_start();
            l.strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '(', '{']))
        })
    }

    /// The last line of the last file that has one that `matches`.
    fn last_line(&self, matches: impl Fn(&str) -> bool) -> Option<Origin> {
        self.files.iter().rev().find_map(|(file, text)| {
            let line = text
                .as_deref()?
                .lines()
                .enumerate()
                .filter(|(_, l)| matches(l))
                .map(|(i, _)| i + 1)
                .last()?;
            Some(Origin {
                file: file.clone(),
                line: Some(line),
            })
        })
    }
}

/// Whether a line assigns `var` (`var=`, `var+=`, `export var=`, `declare … var=`).
fn assigns(line: &str, var: &str) -> bool {
    let mut rest = line;
    while let Some(pos) = rest.find(var) {
        let before = rest[..pos].chars().next_back();
        let after = &rest[pos + var.len()..];
        let boundary = before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'));
        if boundary && (after.starts_with('=') || after.starts_with("+=") || after.starts_with('['))
        {
            return true;
        }
        rest = &rest[pos + var.len()..];
    }
    false
}
