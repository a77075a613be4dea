//! The deployment history in git notes (SPEC §6): every build, rollback and
//! adoption appends one line to the note of the commit it used, under
//! `refs/notes/lxc`, so `git log --notes=lxc` shows what was deployed where
//! and a push of the notes ref carries the history along.
//!
//! A line: `<UTC time> name=<name> ctid=<ctid> node=<node> result=<result>
//! backup=<volume id or -> user=<user@host>`, values percent-encoded like the
//! record's ([`record::encode`]), so a space in a value never cuts it. Lines
//! that do not parse (a person's own words, the blank lines `git notes
//! append` puts between paragraphs) are skipped when reading.

use std::fmt;

use anyhow::{Context, Result};
use git2::{Config, ErrorCode, Oid, Repository, Signature};

use crate::build::log::civil;
use crate::build::record::{decode, encode};

/// The notes ref the history lives in.
pub const NOTES_REF: &str = "refs/notes/lxc";

const FALLBACK_NAME: &str = "git-lxc";
const FALLBACK_EMAIL: &str = "git-lxc@localhost";

/// What a build, rollback or adoption came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Built,
    /// `failed`, `failed at <step>`, `failed, restored <backup>`.
    Failed {
        step: Option<String>,
        restored: Option<String>,
    },
    RolledBack,
    Adopted,
    /// Anything else a later version writes, kept as written.
    Other(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Built => f.write_str("built"),
            Outcome::Failed { step, restored } => {
                f.write_str("failed")?;
                if let Some(step) = step {
                    write!(f, " at {step}")?;
                }
                if let Some(backup) = restored {
                    write!(f, ", restored {backup}")?;
                }
                Ok(())
            }
            Outcome::RolledBack => f.write_str("rolled back"),
            Outcome::Adopted => f.write_str("adopted"),
            Outcome::Other(text) => f.write_str(text),
        }
    }
}

impl Outcome {
    /// The inverse of `Display`; what it does not know is [`Outcome::Other`].
    pub fn parse(text: &str) -> Outcome {
        match text {
            "built" => return Outcome::Built,
            "rolled back" => return Outcome::RolledBack,
            "adopted" => return Outcome::Adopted,
            _ => {}
        }
        let Some(rest) = text.strip_prefix("failed") else {
            return Outcome::Other(text.to_string());
        };
        let (rest, restored) = match rest.split_once(", restored ") {
            Some((before, backup)) => (before, Some(backup.to_string())),
            None => (rest, None),
        };
        let step = match rest.strip_prefix(" at ") {
            Some(step) => Some(step.to_string()),
            None if rest.is_empty() => None,
            None => return Outcome::Other(text.to_string()),
        };
        Outcome::Failed { step, restored }
    }
}

/// One line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// UTC, RFC 3339 (`2025-01-31T12:00:00Z`).
    pub time: String,
    pub name: String,
    pub ctid: u32,
    /// The Proxmox node it ran on.
    pub node: String,
    pub result: Outcome,
    /// The backup volume taken before the build (or restored by a
    /// rollback), if any.
    pub backup: Option<String>,
    pub user_host: String,
}

impl Entry {
    /// The line as it is stored (without the line end).
    pub fn line(&self) -> String {
        format!(
            "{} name={} ctid={} node={} result={} backup={} user={}",
            self.time,
            encode(&self.name),
            self.ctid,
            encode(&self.node),
            encode(&self.result.to_string()),
            self.backup.as_deref().map_or("-".to_string(), encode),
            encode(&self.user_host),
        )
    }

    /// Read a line written by [`Entry::line`]; `None` for any other line.
    /// Keys it does not know are ignored, so later versions may add some.
    pub fn parse(line: &str) -> Option<Entry> {
        let mut tokens = line.split_whitespace();
        let time = tokens.next().filter(|t| is_utc_time(t))?.to_string();
        let (mut name, mut ctid, mut result) = (None, None, None);
        let (mut node, mut backup, mut user_host) = (String::new(), None, String::new());
        for token in tokens {
            let (key, value) = token.split_once('=')?;
            match key {
                "name" => name = Some(decode(value)),
                "ctid" => ctid = value.parse().ok(),
                "node" => node = decode(value),
                "result" => result = Some(Outcome::parse(&decode(value))),
                "backup" => backup = (value != "-").then(|| decode(value)),
                "user" => user_host = decode(value),
                _ => {}
            }
        }
        Some(Entry {
            time,
            name: name.filter(|n| !n.is_empty())?,
            ctid: ctid?,
            node,
            result: result?,
            backup,
            user_host,
        })
    }
}

/// The current UTC time as RFC 3339, to the second.
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `YYYY-MM-DDTHH:MM:SS…Z`, the shape [`now`] writes.
fn is_utc_time(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && token.ends_with('Z')
        && b[..4].iter().all(u8::is_ascii_digit)
}

/// Append `entry` to the note of `commit`, keeping the lines already there,
/// as a new commit of [`NOTES_REF`].
pub fn append(repo: &Repository, commit: &str, entry: &Entry) -> Result<()> {
    let oid = repo
        .revparse_single(commit)
        .and_then(|o| o.peel_to_commit())
        .with_context(|| format!("cannot find commit {commit} to note the build on"))?
        .id();
    let mut text = match repo.find_note(Some(NOTES_REF), oid) {
        Ok(note) => note.message().unwrap_or("").to_string(),
        Err(e) if e.code() == ErrorCode::NotFound => String::new(),
        Err(e) => return Err(e).context(format!("cannot read the {NOTES_REF} note of {oid}")),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&entry.line());
    text.push('\n');
    let config = repo.config().context("cannot read the git config")?;
    let sig = signature(&config)?;
    repo.note(&sig, &sig, Some(NOTES_REF), oid, &text, true)
        .with_context(|| format!("cannot write the {NOTES_REF} note of {oid}"))?;
    Ok(())
}

/// `user.name` and `user.email` from the git config, else git-lxc's own.
fn signature(config: &Config) -> Result<Signature<'static>> {
    let get = |key: &str, fallback: &str| {
        config
            .get_string(key)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    Signature::now(
        &get("user.name", FALLBACK_NAME),
        &get("user.email", FALLBACK_EMAIL),
    )
    .context("cannot make a signature for the notes commit")
}

/// Every entry for container `name` in [`NOTES_REF`], with the commit it is
/// noted on (40 hex), newest first; later lines of one note are newer.
pub fn history(repo: &Repository, name: &str) -> Result<Vec<(String, Entry)>> {
    let notes = match repo.notes(Some(NOTES_REF)) {
        Ok(notes) => notes,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).context(format!("cannot read {NOTES_REF}")),
    };
    let mut found: Vec<(String, usize, Entry)> = Vec::new();
    for pair in notes {
        let (note_id, commit_id) = pair.with_context(|| format!("cannot read {NOTES_REF}"))?;
        for (seq, entry) in read_note(repo, note_id)?.into_iter().enumerate() {
            if entry.name == name {
                found.push((commit_id.to_string(), seq, entry));
            }
        }
    }
    found.sort_by(|a, b| (&b.2.time, b.1).cmp(&(&a.2.time, a.1)));
    Ok(found.into_iter().map(|(c, _, e)| (c, e)).collect())
}

/// The entries of one note blob, in the order written.
fn read_note(repo: &Repository, note_id: Oid) -> Result<Vec<Entry>> {
    let blob = repo
        .find_blob(note_id)
        .with_context(|| format!("cannot read the note {note_id} in {NOTES_REF}"))?;
    let text = String::from_utf8_lossy(blob.content());
    Ok(text.lines().filter_map(Entry::parse).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(time: &str, name: &str, result: Outcome) -> Entry {
        Entry {
            time: time.to_string(),
            name: name.to_string(),
            ctid: 101,
            node: "pve".to_string(),
            result,
            backup: None,
            user_host: "admin@pve".to_string(),
        }
    }

    /// A repository with one empty commit per subject.
    fn repo_with(subjects: &[&str]) -> (tempfile::TempDir, Repository, Vec<String>) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = Repository::init(tmp.path()).unwrap();
        let sig = Signature::now("Test", "test@example.com").unwrap();
        let mut ids = Vec::new();
        {
            let tree = repo
                .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
                .unwrap();
            let mut parent: Option<git2::Commit> = None;
            for subject in subjects {
                let parents: Vec<&git2::Commit> = parent.iter().collect();
                let id = repo
                    .commit(Some("HEAD"), &sig, &sig, subject, &tree, &parents)
                    .unwrap();
                ids.push(id.to_string());
                parent = Some(repo.find_commit(id).unwrap());
            }
        }
        (tmp, repo, ids)
    }

    #[test]
    fn a_line_reads_back_with_spaces_and_odd_characters_in_values() {
        let mut e = entry(
            "2025-01-31T12:00:00Z",
            "web",
            Outcome::Failed {
                step: Some("health check".into()),
                restored: Some("local:backup/vzdump-lxc-101.tar.zst".into()),
            },
        );
        e.user_host = "jo doe=x%@pve".into();
        e.backup = Some("local:backup/vzdump-lxc-101.tar.zst".into());
        let line = e.line();
        assert_eq!(line.split_whitespace().count(), 7, "{line}");
        assert!(
            line.contains("result=failed%20at%20health%20check%2C%20restored%20local:backup/"),
            "{line}"
        );
        assert_eq!(Entry::parse(&line), Some(e));
        let plain = entry("2025-01-31T12:00:00Z", "web", Outcome::Built);
        assert_eq!(
            plain.line(),
            "2025-01-31T12:00:00Z name=web ctid=101 node=pve result=built backup=- user=admin@pve"
        );
        assert_eq!(Entry::parse(&plain.line()), Some(plain));
    }

    #[test]
    fn every_outcome_reads_back() {
        let some = |s: &str| Some(s.to_string());
        for outcome in [
            Outcome::Built,
            Outcome::Failed {
                step: None,
                restored: None,
            },
            Outcome::Failed {
                step: some("provision"),
                restored: None,
            },
            Outcome::Failed {
                step: None,
                restored: some("local:backup/x"),
            },
            Outcome::Failed {
                step: some("start"),
                restored: some("local:backup/x"),
            },
            Outcome::RolledBack,
            Outcome::Adopted,
            Outcome::Other("adopted from the original script".into()),
        ] {
            assert_eq!(Outcome::parse(&outcome.to_string()), outcome);
        }
        assert_eq!(
            Outcome::parse("failedish"),
            Outcome::Other("failedish".into())
        );
    }

    #[test]
    fn other_lines_are_skipped_and_unknown_keys_ignored() {
        assert_eq!(Entry::parse(""), None);
        assert_eq!(Entry::parse("deployed by hand on Friday"), None);
        assert_eq!(Entry::parse("2025-01-31T12:00:00Z was a good day"), None);
        assert_eq!(
            Entry::parse("2025-01-31T12:00:00Z name=web result=built"),
            None,
            "no ctid"
        );
        let e =
            Entry::parse("2025-01-31T12:00:00Z name=web ctid=7 result=built tree=abc:.").unwrap();
        assert_eq!((e.ctid, e.backup, e.node.as_str()), (7, None, ""));
        assert!(is_utc_time(&now()), "{}", now());
    }

    #[test]
    fn append_keeps_earlier_lines_and_git_log_shows_them() {
        let (tmp, repo, ids) = repo_with(&["first", "second"]);
        let (first, second) = (&ids[0], &ids[1]);
        let old = entry("2025-01-01T10:00:00Z", "web", Outcome::Built);
        let failed = Outcome::Failed {
            step: Some("provision".into()),
            restored: None,
        };
        let new = entry("2025-01-02T10:00:00Z", "web", failed);
        let other = entry("2025-01-03T10:00:00Z", "db", Outcome::Built);
        let newest = entry("2025-01-04T10:00:00Z", "web", Outcome::RolledBack);
        append(&repo, first, &old).unwrap();
        append(&repo, first, &new).unwrap();
        append(&repo, second, &other).unwrap();
        append(&repo, &first[..12], &newest).unwrap();

        let note = repo
            .find_note(Some(NOTES_REF), Oid::from_str(first).unwrap())
            .unwrap();
        let expected = format!("{}\n{}\n{}\n", old.line(), new.line(), newest.line());
        assert_eq!(note.message().ok(), Some(expected.as_str()));

        let web = history(&repo, "web").unwrap();
        let got: Vec<(&str, &Entry)> = web.iter().map(|(c, e)| (c.as_str(), e)).collect();
        assert_eq!(
            got,
            vec![
                (first.as_str(), &newest),
                (first.as_str(), &new),
                (first.as_str(), &old)
            ]
        );
        assert_eq!(
            history(&repo, "db").unwrap(),
            vec![(second.clone(), other.clone())]
        );
        assert!(history(&repo, "dns").unwrap().is_empty());

        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(tmp.path())
            .args(["log", "--notes=lxc", "--format=%H%n%N"])
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = String::from_utf8(out.stdout).unwrap();
        let shown = format!("{first}\n{expected}");
        assert!(log.contains(&shown), "{log}");
        assert!(
            log.contains(&format!("{second}\n{}\n", other.line())),
            "{log}"
        );
    }

    #[test]
    fn no_notes_ref_is_no_history_and_a_missing_commit_an_error() {
        let (_tmp, repo, _) = repo_with(&["only"]);
        assert!(history(&repo, "web").unwrap().is_empty());
        let e = entry("2025-01-01T10:00:00Z", "web", Outcome::Built);
        let err = append(&repo, "0123456789abcdef0123456789abcdef01234567", &e).unwrap_err();
        assert!(err.to_string().contains("cannot find commit"), "{err:#}");
    }

    #[test]
    fn the_notes_commit_is_signed_by_the_configured_user_or_git_lxc() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config");
        std::fs::write(&path, "").unwrap();
        let sig = signature(&Config::open(&path).unwrap()).unwrap();
        assert_eq!(
            (sig.name().ok(), sig.email().ok()),
            (Some("git-lxc"), Some("git-lxc@localhost"))
        );
        std::fs::write(
            &path,
            "[user]\n\tname = Jo Admin\n\temail = jo@example.com\n",
        )
        .unwrap();
        let sig = signature(&Config::open(&path).unwrap()).unwrap();
        assert_eq!(
            (sig.name().ok(), sig.email().ok()),
            (Some("Jo Admin"), Some("jo@example.com"))
        );
    }
}
