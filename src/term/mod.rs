//! Terminal output: colours, verbosity and secret masking.
//!
//! Every human-readable line git-lxc prints goes through here, so a secret
//! registered with [`set_secrets`] can never reach the terminal unmasked.
//! Machine output (`--json`) goes to stdout; everything else to stderr.

pub mod mask;
pub mod progress;
pub mod prompt;

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
    color: bool,
    masker: Arc<Masker>,
}

fn state() -> &'static Mutex<State> {
    static STATE: OnceLock<Mutex<State>> = OnceLock::new();
    STATE.get_or_init(|| {
        Mutex::new(State {
            level: Level::Normal,
            color: false,
            masker: Arc::default(),
        })
    })
}

/// Set the output level and colour choice; call once at start-up.
pub fn init(choice: ColorChoice, quiet: bool, verbose: bool) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
    };
    console::set_colors_enabled(color);
    console::set_colors_enabled_stderr(color);
    let mut s = state().lock().unwrap();
    s.color = color;
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

fn emit(min: Level, text: &str) {
    let s = state().lock().unwrap();
    if s.level < min {
        return;
    }
    let masked = s.masker.mask(text);
    drop(s);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{masked}");
}

/// A normal progress or result line.
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

/// Machine output on stdout, masked like everything else.
pub fn stdout_line(text: impl AsRef<str>) {
    let masked = mask(text.as_ref());
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{masked}");
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
