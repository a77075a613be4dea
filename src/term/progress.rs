//! The step list a build shows: a spinner and elapsed time per step on a
//! terminal, plain lines otherwise.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::term::{self, Level};

pub struct StepUi {
    bar: Option<ProgressBar>,
    label: String,
    quiet: bool,
}

impl StepUi {
    pub fn start(n: usize, total: usize, title: &str) -> StepUi {
        let label = format!("[{n}/{total}] {title}");
        let quiet = term::level() == Level::Quiet;
        if quiet {
            return StepUi {
                bar: None,
                label,
                quiet,
            };
        }
        let bar = if term::interactive() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner:.cyan} {msg} {elapsed:.dim}")
                    .expect("static template"),
            );
            bar.set_message(term::mask(&label));
            bar.enable_steady_tick(Duration::from_millis(120));
            Some(bar)
        } else {
            term::info(&label);
            None
        };
        StepUi { bar, label, quiet }
    }

    /// A line of a command's output (already masked).
    pub fn output(&self, line: &str) {
        if self.quiet {
            return;
        }
        let text = format!("    {}", term::mask(line));
        match &self.bar {
            Some(bar) => bar.println(text),
            None => term::info(text),
        }
    }

    /// A short remark about the step.
    pub fn note(&self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(format!("    {}", term::mask(text))),
            None => term::info(format!("    {text}")),
        }
    }

    pub fn done(&self, took: Duration) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            term::info(format!(
                "{} {} {}",
                term::green("✔"),
                self.label,
                term::dim(&secs(took))
            ));
        } else {
            term::detail(format!("    done in {}", secs(took)));
        }
    }

    pub fn failed(&self, took: Duration) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if !self.quiet {
            term::info(format!(
                "{} {} {}",
                term::red("✘"),
                self.label,
                term::dim(&secs(took))
            ));
        }
    }
}

pub fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}
