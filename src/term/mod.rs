//! Terminal output: colours, verbosity and secret masking.
//!
//! Every line git-lxc prints goes through here, so a secret registered with
//! [`set_secrets`] can never reach the terminal unmasked. A command's result
//! (a table, a plan, a report, `--json`) goes to stdout with [`stdout_line`],
//! and `-q` never silences it; progress, warnings, errors and hints go to
//! stderr. Each stream is coloured only when it is a terminal (or with
//! `--color always`), so `git lxc status | grep` reads plain text.

pub mod mask;
pub mod progress;
pub mod prompt;
pub mod table;

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, OnceLock};

use console::Style;

use crate::cmd::ColorChoice;
use crate::term::mask::Masker;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Quiet,
    Normal,
    Verbose,
}

struct State {
    level: Level,
    /// Whether stdout and stderr get colours.
    color_out: bool,
    color_err: bool,
    masker: Arc<Masker>,
}

fn state() -> &'static Mutex<State> {
    static STATE: OnceLock<Mutex<State>> = OnceLock::new();
    STATE.get_or_init(|| {
        Mutex::new(State {
            level: Level::Normal,
            color_out: false,
            color_err: false,
            masker: Arc::default(),
        })
    })
}

/// Set the output level and colour choice; call once at start-up.
pub fn init(choice: ColorChoice, quiet: bool, verbose: bool) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = |terminal: bool| match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && terminal,
    };
    let (color_out, color_err) = (
        color(std::io::stdout().is_terminal()),
        color(std::io::stderr().is_terminal()),
    );
    // Styled text is built without knowing where it goes: styles are on
    // when either stream is coloured, and each stream strips them when it
    // is not.
    console::set_colors_enabled(color_out || color_err);
    console::set_colors_enabled_stderr(color_out || color_err);
    let mut s = state().lock().unwrap();
    s.color_out = color_out;
    s.color_err = color_err;
    s.level = if quiet {
        Level::Quiet
    } else if verbose {
        Level::Verbose
    } else {
        Level::Normal
    };
}

pub fn level() -> Level {
    state().lock().unwrap().level
}

/// Whether stderr is a terminal a person watches (progress, prompts).
pub fn interactive() -> bool {
    std::io::stderr().is_terminal() && std::io::stdin().is_terminal()
}

/// The command's secrets: masked in every line printed from now on. The
/// same value is handed to the process runner and the build log.
pub fn set_secrets(masker: Arc<Masker>) {
    state().lock().unwrap().masker = masker;
}

/// The command's secrets (the one value [`set_secrets`] installed).
pub fn masker() -> Arc<Masker> {
    state().lock().unwrap().masker.clone()
}

/// Mask every registered secret in `text`.
pub fn mask(text: &str) -> String {
    state().lock().unwrap().masker.mask(text)
}

/// `text` masked, and without styles unless the stream is coloured.
fn prepared(text: &str, color: bool, masker: &Masker) -> String {
    let masked = masker.mask(text);
    if color {
        masked
    } else {
        console::strip_ansi_codes(&masked).into_owned()
    }
}

fn emit(min: Level, text: &str) {
    let s = state().lock().unwrap();
    if s.level < min {
        return;
    }
    let line = prepared(text, s.color_err, &s.masker);
    drop(s);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// A normal progress line (silenced by `-q`).
pub fn info(text: impl AsRef<str>) {
    emit(Level::Normal, text.as_ref());
}

/// Detail shown with `--verbose`.
pub fn detail(text: impl AsRef<str>) {
    emit(Level::Verbose, text.as_ref());
}

pub fn warn(text: impl AsRef<str>) {
    emit(
        Level::Quiet,
        &format!(
            "{} {}",
            Style::new().yellow().bold().apply_to("warning:"),
            text.as_ref()
        ),
    );
}

pub fn error(text: impl AsRef<str>) {
    emit(
        Level::Quiet,
        &format!(
            "{} {}",
            Style::new().red().bold().apply_to("error:"),
            text.as_ref()
        ),
    );
}

pub fn hint(text: impl AsRef<str>) {
    emit(
        Level::Quiet,
        &format!(
            "{} {}",
            Style::new().cyan().bold().apply_to("hint:"),
            text.as_ref()
        ),
    );
}

/// A line of the command's result on stdout, masked like everything else;
/// printed whatever the level.
pub fn stdout_line(text: impl AsRef<str>) {
    stdout_text(&format!("{}\n", text.as_ref()));
}

/// Text of the command's result on stdout, as it is (no line end added).
/// A closed pipe (`| head`) is no error: the rest is dropped quietly.
pub fn stdout_text(text: &str) {
    let s = state().lock().unwrap();
    let text = prepared(text, s.color_out, &s.masker);
    drop(s);
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a write to stdout failed (the reader went away).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

pub fn bold(text: &str) -> String {
    Style::new().bold().apply_to(text).to_string()
}

pub fn dim(text: &str) -> String {
    Style::new().dim().apply_to(text).to_string()
}

pub fn green(text: &str) -> String {
    Style::new().green().apply_to(text).to_string()
}

pub fn red(text: &str) -> String {
    Style::new().red().apply_to(text).to_string()
}

pub fn yellow(text: &str) -> String {
    Style::new().yellow().apply_to(text).to_string()
}
