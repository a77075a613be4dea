//! Failures that carry their own exit code and advice.
//!
//! Anything else that goes wrong is an `anyhow::Error` and exits 1.

use std::fmt;

/// Exit status of a command (see the `Exit status` section of the man page).
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_REFUSED: u8 = 3;

/// An error the user can act on: a message, an optional hint and an exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    /// A safety guard refused to go on (exit 3).
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
        Failure {
            code: EXIT_REFUSED,
            message: message.into(),
            hint: some_hint(hint.into()),
        }
        .into()
    }

    /// The command line or the named things do not make sense (exit 2).
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
            hint: some_hint(hint.into()),
        }
        .into()
    }

    /// Something failed (exit 1), with advice.
    pub fn failed(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
        Failure {
            code: EXIT_FAILED,
            message: message.into(),
            hint: some_hint(hint.into()),
        }
        .into()
    }

    /// Exit 1 without printing anything more (the command already reported).
    pub fn silent() -> anyhow::Error {
        Failure {
            code: EXIT_FAILED,
            message: String::new(),
            hint: None,
        }
        .into()
    }
}

/// No hint rather than an empty one.
fn some_hint(hint: String) -> Option<String> {
    Some(hint).filter(|h| !h.trim().is_empty())
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The exit code and hint for an error chain.
pub fn classify(err: &anyhow::Error) -> (u8, Option<&str>) {
    for cause in err.chain() {
        if let Some(failure) = cause.downcast_ref::<Failure>() {
            return (failure.code, failure.hint.as_deref());
        }
    }
    (EXIT_FAILED, None)
}
