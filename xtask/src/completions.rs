//! Shell completions from clap_complete, plus what only the tree knows:
//! container names after the subcommands that take them and setting names
//! after `--set`, asked from the hidden `git-lxc __complete` (fast: it lists
//! folders and evaluates nothing). bash is fixed for our hyphenated name and
//! gets the function git's own completion calls for `git lxc <TAB>`; fish
//! gets a `git lxc` path of its own; zsh's `_git` finds `_git-lxc` itself.

use clap_complete::Shell;
use git_lxc::docs::command as cli_command;

use crate::{BIN, REGENERATE};

/// Subcommands whose positional `name`/`names` is a new folder, not one of
/// the tree's.
const NEW_NAMES: &[&str] = &["new"];

/// The subcommands that take one container name, and those that take many.
pub fn name_commands() -> (Vec<String>, Vec<String>) {
    let (mut one, mut many) = (Vec::new(), Vec::new());
    for sub in cli_command().get_subcommands() {
        if sub.is_hide_set() || NEW_NAMES.contains(&sub.get_name()) {
            continue;
        }
        let positional = |id: &str| sub.get_positionals().any(|a| a.get_id() == id);
        if positional("name") {
            one.push(sub.get_name().to_string());
        } else if positional("names") {
            many.push(sub.get_name().to_string());
        }
    }
    (one, many)
}

/// Every option spelling that takes a value, in any subcommand.
fn valued_options() -> Vec<String> {
    let mut cmd = cli_command();
    cmd.build();
    let mut out = Vec::new();
    let mut add = |c: &clap::Command| {
        for a in c.get_arguments() {
            if a.is_positional() || !a.get_action().takes_values() {
                continue;
            }
            out.extend(a.get_short().map(|s| format!("-{s}")));
            out.extend(a.get_long().map(|l| format!("--{l}")));
        }
    };
    add(&cmd);
    for sub in cmd.get_subcommands() {
        add(sub);
    }
    out.sort();
    out.dedup();
    out
}

/// A snippet with the lists filled in.
fn fill(snippet: &str, function: &str) -> String {
    let (one, many) = name_commands();
    snippet
        .replace("@ONE@", &one.join(" "))
        .replace("@MANY@", &many.join(" "))
        .replace("@VALUED@", &valued_options().join(" "))
        .replace("@FUNCTION@", function)
}

/// The hidden subcommand the scripts call; clap_complete offers hidden
/// subcommands as candidates, so they are taken out again.
const HIDDEN: &str = "__complete";

fn completion(shell: Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cli_command(), BIN, &mut buf);
    let script = String::from_utf8(buf).unwrap();
    let offered = |l: &str| match shell {
        Shell::Zsh => l.starts_with(&format!("'{HIDDEN}:")),
        Shell::Fish => l.contains(&format!("-a \"{HIDDEN}\"")),
        _ => false,
    };
    script
        .lines()
        .filter(|l| !offered(l))
        .map(|l| {
            let l = l.replace(&format!(" {HIDDEN} "), " ");
            format!("{l}\n")
        })
        .collect()
}

/// The name of the function the generated bash script registers for git-lxc.
fn bash_function(script: &str) -> String {
    let line = script
        .lines()
        .find(|l| l.trim_start().starts_with("complete -F "))
        .unwrap();
    line.split_whitespace().nth(2).unwrap().to_string()
}

/// clap_complete's bash script, fixed for our hyphenated name, registered
/// through a function that adds the tree's words, plus the `_git_lxc`
/// function git's own completion calls for `git lxc <TAB>`.
pub fn bash() -> String {
    let script = fix_hyphenated_bin_name(&completion(Shell::Bash));
    let function = bash_function(&script);
    let script = script.replace(
        &format!("complete -F {function} "),
        "complete -F __git_lxc_complete ",
    );
    format!(
        "# bash completion for git-lxc: `git-lxc <TAB>` and `git lxc <TAB>`.\n\
         # Generated from the CLI definition; do not edit. Regenerate with\n\
         #     {REGENERATE}\n\
         # Install as /usr/share/bash-completion/completions/git-lxc (git's completion\n\
         # then loads it for `git lxc` too), or source it from ~/.bashrc.\n\n\
         {script}\n{}\n{}",
        fill(include_str!("shell/tree_words.bash"), &function),
        include_str!("shell/git_lxc.bash"),
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

/// The zsh completion: clap_complete's, with the container-name
/// positionals and `--set`'s value completed from the tree.
pub fn zsh() -> String {
    let (one, many) = name_commands();
    let mut block = String::new();
    let mut out = String::new();
    for line in completion(Shell::Zsh).lines() {
        if let Some(name) = line.strip_prefix('(').and_then(|l| l.strip_suffix(')')) {
            block = name.to_string();
        }
        let names = (line.starts_with("':name -- ") && one.contains(&block))
            || (line.starts_with("'*::names -- ") && many.contains(&block));
        let line = if names {
            line.replace(":_default'", ":_git_lxc_names'")
        } else {
            line.replace(":KEY=VALUE:_default'", ":KEY=VALUE:_git_lxc_settings'")
        };
        out.push_str(&line);
        out.push('\n');
        if line.starts_with("#compdef ") {
            out.push_str(include_str!("shell/tree_words.zsh"));
        }
    }
    out
}

/// The fish completion: clap_complete's, `--set`'s value and container
/// names from the tree, and `git lxc <TAB>`.
pub fn fish() -> String {
    let script: String = completion(Shell::Fish)
        .lines()
        .map(|l| {
            if l.contains(" -l set ") {
                format!("{l} -f -a \"(__fish_git_lxc_tree settings)\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    format!(
        "# fish completion for git-lxc.\n\
         # Generated from the CLI definition; do not edit. Regenerate with\n\
         #     {REGENERATE}\n\n{script}{}",
        fill(include_str!("shell/tree_words.fish"), "")
    )
}
