//! Rendering findings: a readable report, JSON, GitHub Actions annotations.

use super::Finding;
use crate::term;
use crate::verify::rules::Severity;

/// `error[rule]: file:line: message` and an indented hint, coloured when
/// colours are on.
pub fn human(f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => term::red(&term::bold("error")),
        Severity::Warning => term::yellow(&term::bold("warning")),
    };
    let at = match f.line {
        Some(n) => format!("{}:{n}", f.file),
        None => f.file.clone(),
    };
    format!(
        "{severity}{}: {}: {}\n  {} {}",
        term::bold(&format!("[{}]", f.rule)),
        term::bold(&at),
        f.message,
        term::dim("hint:"),
        f.hint
    )
}

/// The last line of the human report.
pub fn summary(errors: usize, warnings: usize, containers: usize) -> String {
    if errors + warnings == 0 {
        return format!("verify: {} OK", plural(containers, "container"));
    }
    format!(
        "{}, {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(containers, "container")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The JSON array `--format json` prints.
pub fn json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).expect("findings serialise")
}

/// One `::error file=…,line=…,title=…::message` workflow command.
pub fn github(f: &Finding) -> String {
    let mut props = vec![format!("file={}", property(&f.file))];
    if let Some(n) = f.line {
        props.push(format!("line={n}"));
    }
    props.push(format!(
        "title={}",
        property(&format!("git-lxc {}", f.rule))
    ));
    format!(
        "::{} {}::{}",
        f.severity.as_str(),
        props.join(","),
        data(&format!("{}\nhint: {}", f.message, f.hint))
    )
}

/// Escaping for a workflow command's message (GitHub's `escapeData`).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a workflow command's property (GitHub's `escapeProperty`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_annotations_escape_data_and_properties() {
        let f = Finding::new(
            "secret-literal",
            "a,b:c/x%y",
            Some(3),
            "100% bad\r\nreally",
            "fix: it",
        );
        assert_eq!(
            github(&f),
            "::error file=a%2Cb%3Ac/x%25y,line=3,title=git-lxc secret-literal::100%25 bad%0D%0Areally%0Ahint: fix: it"
        );
        let w = Finding::new("unknown-hook", "web/configSettings", None, "m", "h");
        assert_eq!(
            github(&w),
            "::warning file=web/configSettings,title=git-lxc unknown-hook::m%0Ahint: h"
        );
    }

    #[test]
    fn human_lines_and_summary() {
        let f = Finding::new("env-tracked", "web/.env", None, "tracked", "untrack it");
        assert_eq!(
            human(&f),
            "error[env-tracked]: web/.env: tracked\n  hint: untrack it"
        );
        let f = Finding::new("bash-syntax", "web/configSettings", Some(4), "bad", "fix");
        assert!(human(&f).starts_with("error[bash-syntax]: web/configSettings:4: bad"));
        assert_eq!(summary(0, 0, 1), "verify: 1 container OK");
        assert_eq!(summary(1, 2, 3), "1 error, 2 warnings in 3 containers");
    }
}
