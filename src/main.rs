use std::process::ExitCode;

fn main() -> ExitCode {
    git_lxc::main_entry()
}
