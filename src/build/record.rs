//! The provenance record in a container's description (SPEC §6).
//!
//! A human part (shown as Markdown in the Proxmox UI) and one machine line:
//! `git-lxc: name=<name> tree=<tree id> commit=<40 hex> state=<building|built|failed>
//! os=<ostype>-<release> [dirty] [adopted] [set=<K=V,…>]`, its values
//! percent-encoded where they could cut the line.
//! Only the machine line is read back, so edits to the human part are harmless.

use std::fmt;

/// The tag every container git-lxc builds carries.
pub const TAG: &str = "git-lxc";

/// Descriptions longer than this are refused by pct.
pub const MAX_DESCRIPTION: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    #[default]
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub name: String,
    /// The tree that built it ([`crate::workspace::Workspace::tree_id`]);
    /// `None` in a record written before trees were recorded.
    pub tree: Option<String>,
    pub commit: String,
    pub state: State,
    /// `<ostype>-<release>` of the template it was built from.
    pub os: Option<String>,
    pub dirty: bool,
    /// Taken over by `adopt`, not built by git-lxc.
    pub adopted: bool,
    /// `--set` overrides of the build (masked where secret).
    pub sets: Vec<(String, String)>,
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
        let mut r = Record::default();
        let mut state = None;
        for token in rest.split_whitespace() {
            match token.split_once('=') {
                Some(("name", v)) => r.name = decode(v),
                Some(("tree", v)) => r.tree = Some(v.to_string()),
                Some(("commit", v)) => r.commit = v.to_string(),
                Some(("state", v)) => state = State::parse(v),
                Some(("os", v)) => r.os = Some(decode(v)),
                Some(("set", v)) => {
                    r.sets = v
                        .split(',')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (decode(k), decode(v)))
                        .collect();
                }
                None if token == "dirty" => r.dirty = true,
                None if token == "adopted" => r.adopted = true,
                _ => {}
            }
        }
        let hex = r.commit.len() == 40 && r.commit.chars().all(|x| x.is_ascii_hexdigit());
        r.state = state?;
        (hex && !r.name.is_empty()).then_some(r)
    }

    pub fn line(&self) -> String {
        let mut line = format!("git-lxc: name={}", encode(&self.name));
        if let Some(tree) = &self.tree {
            line.push_str(&format!(" tree={tree}"));
        }
        line.push_str(&format!(" commit={} state={}", self.commit, self.state));
        if let Some(os) = &self.os {
            line.push_str(&format!(" os={}", encode(os)));
        }
        if self.dirty {
            line.push_str(" dirty");
        }
        if self.adopted {
            line.push_str(" adopted");
        }
        if !self.sets.is_empty() {
            let sets: Vec<String> = self
                .sets
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            line.push_str(&format!(" set={}", sets.join(",")));
        }
        line
    }

    /// Whether this record names container `name` of tree `tree` (a record
    /// without a tree is taken as this tree's when the name matches).
    pub fn belongs_to(&self, tree: &str, name: &str) -> bool {
        self.name == name && self.tree.as_deref().is_none_or(|t| t == tree)
    }

    /// Whether a tree other than `tree` built it.
    pub fn other_tree(&self, tree: &str) -> bool {
        self.tree.as_deref().is_some_and(|t| t != tree)
    }
}

/// Percent-encode what could cut or confuse a record field: space, `%`,
/// `=`, `,`, control characters and non-ASCII bytes.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'%' | b'=' | b',' | b'`' | b'*') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode`]; malformed escapes are kept as written.
pub fn decode(value: &str) -> String {
    crate::host::pveconf::decode(value)
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

/// Whose a container is, for a refusal to touch it as `tree`'s: the folder
/// its record names, and the tree when that is another one.
pub fn owner(record: Option<&Record>, tree: &str) -> String {
    match record {
        Some(r) if r.other_tree(tree) => format!(
            "its record names '{}' of another tree ({})",
            r.name,
            r.tree.as_deref().unwrap_or("")
        ),
        Some(r) => format!("its record names '{}'", r.name),
        None => "it has no git-lxc record (git-lxc did not build it)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(state: State, dirty: bool) -> Record {
        Record {
            name: "pi hole".into(),
            tree: Some("0123456789ab:lxcs".into()),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            state,
            os: Some("alpine-3.22".into()),
            dirty,
            adopted: dirty,
            sets: vec![
                ("RAM".into(), "512".into()),
                ("NOTE".into(), "a=b, c".into()),
            ],
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
    fn names_with_spaces_survive_and_trees_are_told_apart() {
        let r = rec(State::Built, false);
        assert!(r.line().contains("name=pi%20hole "), "{}", r.line());
        let back = Record::parse(&r.line()).unwrap();
        assert_eq!(back, r);
        assert!(back.belongs_to("0123456789ab:lxcs", "pi hole"));
        assert!(!back.belongs_to("fedcba987654:.", "pi hole"));
        assert!(!back.belongs_to("0123456789ab:lxcs", "pi"));
        let legacy = Record::parse(
            "git-lxc: name=web commit=0123456789abcdef0123456789abcdef01234567 state=built",
        )
        .unwrap();
        assert!(legacy.belongs_to("anything:.", "web"));
        assert!(!legacy.other_tree("anything:."));
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
