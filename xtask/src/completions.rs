//! Shell completions from clap_complete: bash (fixed for our hyphenated
//! name, plus the function git's own completion calls for `git lxc <TAB>`),
//! zsh and fish.

use clap_complete::Shell;
use git_lxc::docs::command as cli_command;

use crate::{BIN, REGENERATE};

/// The zsh completion, as clap_complete writes it.
pub fn zsh() -> String {
    completion(Shell::Zsh)
}

fn completion(shell: Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cli_command(), BIN, &mut buf);
    String::from_utf8(buf).unwrap()
}

/// The name of the function the generated bash script registers for git-lxc.
fn bash_function(script: &str) -> String {
    let line = script
        .lines()
        .find(|l| l.trim_start().starts_with("complete -F "))
        .unwrap();
    line.split_whitespace().nth(2).unwrap().to_string()
}

/// clap_complete's bash script, fixed for our hyphenated name, plus the
/// `_git_lxc` function git's own completion calls for `git lxc <TAB>`.
pub fn bash() -> String {
    let script = fix_hyphenated_bin_name(&completion(Shell::Bash));
    let function = bash_function(&script);
    format!(
        r#"# bash completion for git-lxc: `git-lxc <TAB>` and `git lxc <TAB>`.
# Generated from the CLI definition; do not edit. Regenerate with
#     {REGENERATE}
# Install as /usr/share/bash-completion/completions/git-lxc (git's completion
# then loads it for `git lxc` too), or source it from ~/.bashrc.

{script}
# `git lxc <TAB>`: git's completion calls _git_lxc with its own `words` and
# `cword`, and `__git_cmd_idx` the index of "lxc" in `words` (older git
# has no __git_cmd_idx: then look for "lxc").
# Show the generated function the same line as if `git-lxc` had been typed.
_git_lxc() {{
    local i idx=${{__git_cmd_idx-}}
    if [[ -z $idx ]]; then
        for ((i = 1; i < cword; i++)); do
            if [[ ${{words[i]}} == lxc ]]; then idx=$i; break; fi
        done
    fi
    [[ -n $idx ]] || return 0
    local -a COMP_WORDS=({BIN} "${{words[@]:idx+1}}")
    local COMP_CWORD=$((cword - idx))
    # git completes with -o nospace and adds its own spaces; we add none.
    compopt +o nospace 2>/dev/null
    {function} {BIN} "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD - 1]}}"
}}
"#
    )
}

/// clap issue 6421: the word loop sets `cmd=git__lxc__subcmd__verify` (the
/// `-` of the name becomes `__`), but the `case "${cmd}"` arm for each
/// subcommand is spelled `git__subcmd__lxc__subcmd__verify` (every `-`
/// became the subcommand separator), so no arm matches and subcommand
/// options never complete. Spell the arms the way the loop does.
fn fix_hyphenated_bin_name(script: &str) -> String {
    let broken = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let fixed = format!("{}__subcmd__", BIN.replace('-', "__"));
    script.replace(&broken, &fixed)
}

pub fn fish() -> String {
    format!(
        "# fish completion for git-lxc.\n\
         # Generated from the CLI definition; do not edit. Regenerate with\n\
         #     {REGENERATE}\n\n{}",
        completion(Shell::Fish)
    )
}
