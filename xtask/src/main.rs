//! Project chores, run as `cargo xtask TASK` (an alias in .cargo/config.toml).
//!
//!     cargo xtask docs           write man/ and completions/
//!     cargo xtask docs --check   only say which are stale (exit 1 if any)

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    xtask::main_entry(&args)
}
