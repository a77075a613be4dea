//! The offline checks behind `git lxc verify` (SPEC §4).
//!
//! [`facts::gather_unevaluated`] reads what the checks need (the git index,
//! ignore rules, history, file contents) while bash evaluates the files, and
//! [`facts::gather`] adds the evaluation; [`run`] turns those facts into
//! findings without touching the disk or git again, so each rule is
//! unit-tested on plain data.

mod containers;
mod content;
mod duplicates;
mod env;
pub mod facts;
mod formats;
mod history;
mod ignore;
mod links;
pub mod report;

use std::path::Path;

use serde::Serialize;

use crate::workspace::rel_to;
pub mod rules;

use crate::settings;
use rules::Severity;

pub use facts::Facts;

/// One problem `verify` reports. Serialised as the `--format json` object,
/// so the field order here is the key order users see.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// Relative to the work tree, `/`-separated.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    pub hint: String,
}

impl Finding {
    /// A finding for rule `id`, with the severity the catalogue gives it.
    pub fn new(
        id: &'static str,
        file: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        let severity = rules::find(id).map_or_else(
            || {
                debug_assert!(false, "rule '{id}' is not in rules::RULES");
                Severity::Error
            },
            |r| r.severity,
        );
        Finding {
            rule: id,
            severity,
            file: file.into(),
            line,
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Paths in findings: relative to the work tree.
pub(crate) struct Paths<'a> {
    pub workdir: &'a Path,
}

impl Paths<'_> {
    pub fn rel(&self, path: &Path) -> String {
        rel_to(self.workdir, path)
    }
}

/// Every finding for the gathered facts, sorted by file and line, without
/// repeats (a root `defaults` problem shows up once, not once per container).
pub fn run(facts: &Facts) -> Vec<Finding> {
    let paths = Paths {
        workdir: &facts.workdir,
    };
    let mut findings = env::check(facts, &paths);
    for file in &facts.files {
        findings.extend(content::scan(&file.rel, &file.text));
    }
    let mut resolved = Vec::new();
    for c in &facts.containers {
        let (settings, problems) = settings::resolve_in(&facts.sources(c), &c.eval, &[]);
        if c.selected {
            findings.extend(containers::check(facts, c, &settings, &problems, &paths));
            findings.extend(links::check(facts, c, &paths));
        }
        resolved.push((c, settings));
    }
    findings.extend(duplicates::check(&resolved, &paths));
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.rule, &a.message).cmp(&(&b.file, b.line, b.rule, &b.message))
    });
    findings.dedup_by(|a, b| {
        a.rule == b.rule && a.file == b.file && a.line == b.line && a.message == b.message
    });
    findings
}

/// `(errors, warnings)` among `findings`.
pub fn count(findings: &[Finding]) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.is_error()).count();
    (errors, findings.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_takes_its_severity_from_the_catalogue() {
        let f = Finding::new("short-secret", "a/.env", Some(1), "m", "h");
        assert_eq!(f.severity, Severity::Warning);
        let f = Finding::new("env-tracked", "a/.env", None, "m", "h");
        assert!(f.is_error());
    }

    #[test]
    fn json_keys_are_exactly_the_documented_ones_in_order() {
        let f = Finding::new("env-tracked", "a/.env", None, "m", "h");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"rule":"env-tracked","severity":"error","file":"a/.env","line":null,"message":"m","hint":"h"}"#
        );
    }
}
