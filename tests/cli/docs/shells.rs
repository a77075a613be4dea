//! The generated completions, run in real shells: bash (directly and through
//! git's own `git lxc <TAB>` completion, with and without bash-completion),
//! zsh and fish.

use std::process::Command;

use xtask::completions;

use super::tool_present;

const GIT_COMPLETION: &str = "/usr/share/bash-completion/completions/git";
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

#[test]
fn bash_case_arms_match_the_states_the_word_loop_sets() {
    let script = completions::bash();
    let states: Vec<&str> = script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cmd=\"")?.strip_suffix('"'))
        .filter(|state| !state.is_empty())
        .collect();
    assert!(states.len() > 3, "{script}");
    for state in states {
        assert!(
            script.lines().any(|l| l.trim() == format!("{state})")),
            "no case arm for {state}"
        );
    }
}

/// How bash gets the completion scripts.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// git's script alone (it works without bash-completion), then ours.
    Sourced,
    /// bash-completion's helpers first, then git's script and ours.
    SourcedWithBashCompletion,
    /// Only bash-completion, ours installed as `completions/git-lxc` in its
    /// user folder: both scripts are loaded on demand, as on a real system.
    Installed,
}

/// Complete `line` (cursor at its end) the way bash does on TAB: set the
/// COMP_* variables, call the function registered with `complete -F` for the
/// line's command (git's `__git_wrap__git_main` for `git`) and print COMPREPLY.
fn complete_bash(line: &str, setup: Setup) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("completions")).unwrap();
    let ours = tmp.path().join("completions/git-lxc");
    std::fs::write(&ours, completions::bash()).unwrap();
    let load = match setup {
        Setup::Sourced => r#"source "$GIT_COMPLETION_FILE"; source "$OURS""#,
        Setup::SourcedWithBashCompletion => {
            r#"source "$BASH_COMPLETION_FILE"; source "$GIT_COMPLETION_FILE"; source "$OURS""#
        }
        // What `complete -D -F _completion_loader` does on the first TAB.
        Setup::Installed => {
            r#"source "$BASH_COMPLETION_FILE"; _completion_loader "${COMP_WORDS[0]}""#
        }
    };
    let script = format!(
        r#"
        COMP_LINE=$LINE
        COMP_POINT=${{#COMP_LINE}}
        read -ra COMP_WORDS <<< "$COMP_LINE"
        if [[ $COMP_LINE == *' ' ]]; then COMP_WORDS+=(''); fi
        COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
        {load}
        spec=($(complete -p "${{COMP_WORDS[0]}}"))
        for i in "${{!spec[@]}}"; do
            if [[ ${{spec[i]}} == -F ]]; then fn=${{spec[i + 1]}}; fi
        done
        "$fn" "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD - 1]}}"
        printf '%s\n' "${{COMPREPLY[@]}}"
        "#
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", tmp.path())
        .env("BASH_COMPLETION_USER_DIR", tmp.path())
        .env("LINE", line)
        .env("OURS", &ours)
        .env("GIT_COMPLETION_FILE", GIT_COMPLETION)
        .env("BASH_COMPLETION_FILE", BASH_COMPLETION)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bash ({setup:?}) failed for {line:?}: {stderr}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Each line to complete, the candidates it must offer, and ones it must not.
const BASH_CASES: &[(&str, &[&str], &[&str])] = &[
    ("git-lxc ", &["init", "new", "verify"], &[]),
    (
        "git-lxc verify --",
        &["--format", "--strict", "--root"],
        &["--os"],
    ),
    (
        "git-lxc verify --format ",
        &["human", "json", "github"],
        &["--strict"],
    ),
    ("git-lxc new --", &["--os"], &["--strict"]),
    ("git lxc ", &["init", "new", "verify"], &[]),
    ("git lxc ver", &["verify"], &["init"]),
    (
        "git lxc verify --",
        &["--format", "--strict", "--root"],
        &["--os"],
    ),
    (
        "git lxc verify --format ",
        &["human", "json", "github"],
        &[],
    ),
    ("git lxc new --os ", &["alpine", "debian"], &[]),
    (
        "git -C /tmp lxc verify --",
        &["--format", "--strict"],
        &["--os"],
    ),
];

fn check_bash_cases(setup: Setup) {
    for (line, wanted, unwanted) in BASH_CASES {
        let got = complete_bash(line, setup);
        for w in *wanted {
            assert!(
                got.iter().any(|g| g == w),
                "{setup:?}: {line:?} should offer {w}, got {got:?}"
            );
        }
        for u in *unwanted {
            assert!(
                !got.iter().any(|g| g == u),
                "{setup:?}: {line:?} should not offer {u}, got {got:?}"
            );
        }
    }
}

#[test]
fn bash_completes_through_git_and_directly() {
    if tool_present(GIT_COMPLETION) {
        check_bash_cases(Setup::Sourced);
    }
}

#[test]
fn bash_completes_with_bash_completion_loaded() {
    if tool_present(GIT_COMPLETION) && tool_present(BASH_COMPLETION) {
        check_bash_cases(Setup::SourcedWithBashCompletion);
    }
}

#[test]
fn bash_completes_when_installed_for_bash_completion_to_load() {
    if tool_present(GIT_COMPLETION) && tool_present(BASH_COMPLETION) {
        check_bash_cases(Setup::Installed);
    }
}

#[test]
fn zsh_completion_parses_and_loads() {
    if !tool_present("/usr/bin/zsh") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("_git-lxc");
    std::fs::write(&file, completions::zsh()).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("zsh")
            .args(args)
            .env("HOME", tmp.path())
            .env("FILE", &file)
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "zsh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["-n", file.to_str().unwrap()]);
    run(&[
        "-f",
        "-c",
        "autoload -Uz compinit && compinit -u -d $HOME/.zcompdump && source $FILE && (( $+functions[_git-lxc] ))",
    ]);
}

#[test]
fn fish_completes_subcommands_and_their_options() {
    if !tool_present("/usr/bin/fish") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("git-lxc.fish");
    std::fs::write(&file, completions::fish()).unwrap();
    let fish = |args: &[&str]| -> String {
        let out = Command::new("fish")
            .args(["--no-config"])
            .args(args)
            .env("HOME", tmp.path())
            .env("XDG_CONFIG_HOME", tmp.path())
            .env("XDG_DATA_HOME", tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fish {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    fish(&["--no-execute", file.to_str().unwrap()]);
    let candidates = |line: &str| -> Vec<String> {
        let script = format!("source {}; complete -C '{line}'", file.display());
        fish(&["-c", &script])
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    let subcommands = candidates("git-lxc ");
    assert!(
        ["init", "new", "verify"]
            .iter()
            .all(|s| subcommands.iter().any(|c| c == s)),
        "{subcommands:?}"
    );
    let options = candidates("git-lxc verify --");
    assert!(
        ["--format", "--strict"]
            .iter()
            .all(|s| options.iter().any(|c| c == s)),
        "{options:?}"
    );
}
