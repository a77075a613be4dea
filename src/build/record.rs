//! The provenance record in a container's description (SPEC §6).
//!
//! A human part (shown as Markdown in the Proxmox UI) and one machine line:
//! `git-lxc: name=<name> commit=<40 hex> state=<building|built|failed> [dirty]`.
//! Only the machine line is read back, so edits to the human part are harmless.

use std::fmt;

/// The tag every container git-lxc builds carries.
pub const TAG: &str = "git-lxc";

/// Descriptions longer than this are refused by pct.
pub const MAX_DESCRIPTION: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Building,
    Built,
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Building => "building",
            State::Built => "built",
            State::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<State> {
        match s {
            "building" => Some(State::Building),
            "built" => Some(State::Built),
            "failed" => Some(State::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The machine-readable part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub commit: String,
    pub state: State,
    pub dirty: bool,
}

impl Record {
    /// Find and parse the machine line anywhere in a description.
    pub fn parse(description: &str) -> Option<Record> {
        description.lines().rev().find_map(Record::parse_line)
    }

    fn parse_line(line: &str) -> Option<Record> {
        // The UI's Markdown editor may add list markers, quotes or emphasis.
        let line = line
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '`' | '*' | '_' | '-' | '>'));
        let rest = line.strip_prefix("git-lxc:")?;
        let (mut name, mut commit, mut state, mut dirty) = (None, None, None, false);
        for token in rest.split_whitespace() {
            match token.split_once('=') {
                Some(("name", v)) => name = Some(v.to_string()),
                Some(("commit", v)) => commit = Some(v.to_string()),
                Some(("state", v)) => state = State::parse(v),
                None if token == "dirty" => dirty = true,
                _ => {}
            }
        }
        let commit =
            commit.filter(|c| c.len() == 40 && c.chars().all(|x| x.is_ascii_hexdigit()))?;
        Some(Record {
            name: name.filter(|n| !n.is_empty())?,
            commit,
            state: state?,
            dirty,
        })
    }

    pub fn line(&self) -> String {
        format!(
            "git-lxc: name={} commit={} state={}{}",
            self.name,
            self.commit,
            self.state,
            if self.dirty { " dirty" } else { "" }
        )
    }
}

/// What the human part says.
#[derive(Debug, Clone, Default)]
pub struct Human {
    pub app: String,
    /// The container folder, relative to the work tree.
    pub folder: String,
    pub subject: String,
    pub date: String,
    pub user_host: String,
    /// The step that failed, for a failed build.
    pub failed_step: Option<String>,
}

/// The whole description: human part, then the machine line.
pub fn description(record: &Record, human: &Human) -> String {
    let title = if human.app.is_empty() {
        &record.name
    } else {
        &human.app
    };
    let short = &record.commit[..12.min(record.commit.len())];
    let mut text = format!(
        "## {title}\nBuilt by git-lxc from `{}` at {short} ({}), {}, by {}.\n",
        human.folder,
        one_line(&human.subject),
        human.date,
        human.user_host,
    );
    match record.state {
        State::Building => text.push_str("\nBuild in progress.\n"),
        State::Failed => text.push_str(&format!(
            "\n**Build failed** at step: {}.\n",
            one_line(human.failed_step.as_deref().unwrap_or("unknown"))
        )),
        State::Built => {}
    }
    if record.dirty {
        text.push_str("\nBuilt from uncommitted changes (--allow-dirty).\n");
    }
    text.push('\n');
    text.push_str(&record.line());
    // pct refuses more than 8 KiB; the subject is the only long free text.
    if text.len() > MAX_DESCRIPTION {
        let mut cut = Human {
            subject: one_line(&human.subject).chars().take(200).collect(),
            ..human.clone()
        };
        cut.app = cut.app.chars().take(200).collect();
        return description(record, &cut);
    }
    text
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(state: State, dirty: bool) -> Record {
        Record {
            name: "pihole".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            state,
            dirty,
        }
    }

    #[test]
    fn round_trip_through_description() {
        for (state, dirty) in [
            (State::Building, false),
            (State::Built, true),
            (State::Failed, false),
        ] {
            let r = rec(state, dirty);
            let d = description(
                &r,
                &Human {
                    app: "Pi-hole".into(),
                    folder: "lxcs/pihole".into(),
                    subject: "tune dns".into(),
                    date: "2026-11-29 06:00 UTC".into(),
                    user_host: "admin@pve".into(),
                    failed_step: Some("provision".into()),
                },
            );
            assert_eq!(Record::parse(&d), Some(r));
            assert!(d.ends_with(&rec(state, dirty).line()));
        }
    }

    #[test]
    fn tolerates_ui_edits() {
        let d = "My notes about this box\n\n* git-lxc: state=built  name=web commit=0123456789abcdef0123456789abcdef01234567 *\nmore notes\n";
        let r = Record::parse(d).unwrap();
        assert_eq!(r.name, "web");
        assert_eq!(r.state, State::Built);
    }

    #[test]
    fn rejects_broken_lines() {
        assert_eq!(
            Record::parse("git-lxc: name=web commit=abc state=built"),
            None
        );
        assert_eq!(
            Record::parse("git-lxc: commit=0123456789abcdef0123456789abcdef01234567 state=built"),
            None
        );
        assert_eq!(Record::parse("nothing here"), None);
    }

    #[test]
    fn mentions_failed_step() {
        let d = description(
            &rec(State::Failed, false),
            &Human {
                failed_step: Some("start".into()),
                ..Default::default()
            },
        );
        assert!(d.contains("failed** at step: start"));
    }
}
