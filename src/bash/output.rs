//! Reading what bash printed while it read the files: the files' own output
//! and bash's parse messages, cut into sections by the markers
//! `\0GL:WHAT\0` that `settings.bash` writes on the same stream (so the
//! order is kept and each line belongs to the file that printed it).

use std::path::{Path, PathBuf};

/// A line a settings file printed while it was sourced (or bash printed
/// about it), already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// The file being sourced; `None` for bash's own words outside any file.
    pub file: Option<PathBuf>,
    pub text: String,
}

impl Printed {
    /// Bash's `FILE: line N: message` about this file, as (N, message).
    pub fn bash_message(&self) -> Option<(usize, &str)> {
        let file = self.file.as_ref()?;
        let rest = self
            .text
            .strip_prefix(&format!("{}: line ", file.display()))?;
        let (n, msg) = rest.split_once(": ")?;
        Some((n.parse().ok()?, msg))
    }
}

/// One container's part of the stream.
#[derive(Debug, Default)]
pub struct ContainerOutput {
    pub name: String,
    pub printed: Vec<Printed>,
    /// Parse failures: file and bash's `bash -n` words for it.
    pub syntax_errors: Vec<(PathBuf, String)>,
}

/// The whole stream.
#[derive(Debug, Default)]
pub struct Output {
    /// Parse failures of tree-wide files (root `defaults`, `lib/*.sh`).
    pub tree_errors: Vec<(PathBuf, String)>,
    pub containers: Vec<ContainerOutput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    None,
    Source(PathBuf),
    /// Parsing a file; bash numbers its lines `base` more than the file's.
    Check {
        file: PathBuf,
        base: usize,
    },
}

const MARK: &[u8] = b"\0GL:";

/// The stream as text pieces and markers.
fn pieces(bytes: &[u8]) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(after) = rest.strip_prefix(MARK) {
            let end = after.iter().position(|&c| c == 0).unwrap_or(after.len());
            let mark = String::from_utf8_lossy(&after[..end]).into_owned();
            rest = after.get(end + 1..).unwrap_or(&[]);
            return Some(Piece::Mark(mark));
        }
        let end = find(rest, MARK).unwrap_or(rest.len());
        let text = &rest[..end];
        rest = &rest[end..];
        Some(Piece::Text(text))
    })
}

enum Piece<'a> {
    Text(&'a [u8]),
    Mark(String),
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What a marker opens, if it opens a section.
fn opens(mark: &str) -> Option<Section> {
    if let Some(file) = mark.strip_prefix("src:") {
        return Some(Section::Source(PathBuf::from(file)));
    }
    let (base, file) = mark.strip_prefix("chk:")?.split_once(':')?;
    Some(Section::Check {
        file: PathBuf::from(file),
        base: base.parse().ok()?,
    })
}

/// The section open at the end of `bytes` (what bash was doing when it was
/// stopped).
pub fn open_section(bytes: &[u8]) -> Section {
    let mut open = Section::None;
    for piece in pieces(bytes) {
        if let Piece::Mark(m) = piece {
            if let Some(s) = opens(&m) {
                open = s;
            } else if m.starts_with("end:") || m.starts_with("ctr:") {
                open = Section::None;
            }
        }
    }
    open
}

/// Cut the stream into containers, files and parse failures.
pub fn parse(bytes: &[u8]) -> Output {
    let mut out = Output::default();
    let mut open = Section::None;
    let mut check_text = String::new();
    for piece in pieces(bytes) {
        match piece {
            Piece::Text(t) => {
                let text = String::from_utf8_lossy(t);
                match &open {
                    Section::Check { .. } => check_text.push_str(&text),
                    Section::Source(file) => push_lines(&mut out, Some(file), &text),
                    Section::None => push_lines(&mut out, None, &text),
                }
            }
            Piece::Mark(m) => {
                if let Some(name) = m.strip_prefix("ctr:") {
                    out.containers.push(ContainerOutput {
                        name: name.to_string(),
                        ..Default::default()
                    });
                    open = Section::None;
                } else if let Some(status) = m.strip_prefix("end:") {
                    if let Section::Check { file, base } = &open
                        && status != "0"
                    {
                        let msg = syntax_message(file, *base, &check_text);
                        match out.containers.last_mut() {
                            Some(c) => c.syntax_errors.push((file.clone(), msg)),
                            None => out.tree_errors.push((file.clone(), msg)),
                        }
                    }
                    check_text.clear();
                    open = Section::None;
                } else if let Some(s) = opens(&m) {
                    check_text.clear();
                    open = s;
                }
            }
        }
    }
    out
}

fn push_lines(out: &mut Output, file: Option<&PathBuf>, text: &str) {
    let Some(c) = out.containers.last_mut() else {
        // Before the first container only parse checks run; anything else
        // is bash's own complaint, kept for the first container.
        if text.trim().is_empty() {
            return;
        }
        out.containers.push(ContainerOutput::default());
        return push_lines(out, file, text);
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        c.printed.push(Printed {
            file: file.cloned(),
            text: line.to_string(),
        });
    }
}

/// Bash's parse messages for `file`, reported from inside `eval`, in the
/// words `bash -n FILE` uses: `FILE: line N: message`, N counted in the
/// file.
pub fn syntax_message(file: &Path, base: usize, text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // `NAME: eval: line N: message`, NAME being the shell's.
            let rest = l.split_once(": ").map_or(l, |(_, r)| r);
            let rest = rest.strip_prefix("eval: ").unwrap_or(rest);
            match rest
                .strip_prefix("line ")
                .and_then(|r| r.split_once(": "))
                .and_then(|(n, msg)| Some((n.parse::<usize>().ok()?, msg)))
            {
                Some((n, msg)) => format!(
                    "{}: line {}: {}",
                    file.display(),
                    n.saturating_sub(base),
                    here_doc_line(msg, base)
                ),
                None => format!("{}: {rest}", file.display()),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `here-document at line N delimited by end-of-file`, N counted in the file.
fn here_doc_line(msg: &str, base: usize) -> String {
    const AT: &str = "here-document at line ";
    let Some(i) = msg.find(AT) else {
        return msg.to_string();
    };
    let start = i + AT.len();
    let digits = msg[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .count();
    match msg[start..start + digits].parse::<usize>() {
        Ok(n) => format!(
            "{}{}{}",
            &msg[..start],
            n.saturating_sub(base),
            &msg[start + digits..]
        ),
        Err(_) => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_the_stream_by_file_and_maps_parse_lines() {
        let stream = b"\0GL:chk:40:/r/defaults\0\0GL:end:0\0\
            \0GL:ctr:web\0\0GL:chk:40:/r/web/configSettings\0\
            environment: eval: line 43: syntax error near unexpected token `fi'\n\
            environment: eval: line 43: `fi'\n\0GL:end:2\0\
            \0GL:src:/r/defaults\0hi\nthere\0GL:end:0\0\
            \0GL:src:/r/web/configSettings\0/r/web/configSettings: line 2: x: command not found\n\0GL:end:127\0\
            \0GL:end:0\0\0GL:ctr:db\0";
        let out = parse(stream);
        assert!(out.tree_errors.is_empty());
        assert_eq!(out.containers.len(), 2);
        let web = &out.containers[0];
        assert_eq!(
            web.syntax_errors,
            vec![(
                PathBuf::from("/r/web/configSettings"),
                "/r/web/configSettings: line 3: syntax error near unexpected token `fi'\n\
                 /r/web/configSettings: line 3: `fi'"
                    .to_string()
            )]
        );
        let texts: Vec<_> = web.printed.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts[..2], ["hi", "there"]);
        assert_eq!(web.printed[0].file, Some(PathBuf::from("/r/defaults")));
        assert_eq!(
            web.printed[2].bash_message(),
            Some((2, "x: command not found"))
        );
        assert_eq!(
            open_section(b"\0GL:ctr:web\0\0GL:src:/r/web/configSettings\0looping"),
            Section::Source(PathBuf::from("/r/web/configSettings"))
        );
        assert_eq!(open_section(b"\0GL:src:/r/x\0\0GL:end:0\0"), Section::None);
    }

    #[test]
    fn here_doc_warning_lines_are_the_files() {
        assert_eq!(
            syntax_message(
                Path::new("f"),
                10,
                "environment: line 13: warning: here-document at line 11 delimited by end-of-file (wanted `EOF')"
            ),
            "f: line 3: warning: here-document at line 1 delimited by end-of-file (wanted `EOF')"
        );
    }
}
