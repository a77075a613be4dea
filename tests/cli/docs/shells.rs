//! The generated completions, run in real shells: bash (directly and through
//! git's own `git lxc <TAB>` completion, with and without bash-completion),
//! zsh and fish.

use std::path::Path;
use std::process::Command;

use xtask::completions;

use crate::support::Env;

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
    complete_bash_in(line, setup, tmp.path())
}

/// [`complete_bash`] in folder `cwd`, with git-lxc itself on PATH (for the
/// names only the tree knows).
fn complete_bash_in(line: &str, setup: Setup, cwd: &Path) -> Vec<String> {
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
        .env("PATH", search_path())
        .env("HOME", tmp.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("BASH_COMPLETION_USER_DIR", tmp.path())
        .env("LINE", line)
        .env("OURS", &ours)
        .env("GIT_COMPLETION_FILE", GIT_COMPLETION)
        .env("BASH_COMPLETION_FILE", BASH_COMPLETION)
        .current_dir(cwd)
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

/// PATH for the shells: git-lxc's own folder first.
fn search_path() -> String {
    let bin = assert_cmd::cargo::cargo_bin!("git-lxc");
    format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        bin.parent().unwrap().display()
    )
}

/// A repository whose tree holds `db` and `web`, and `lib/` (no container).
fn tree() -> Env {
    let env = Env::new();
    for name in ["db", "web"] {
        env.write(&format!("{name}/configSettings"), "OPT_NET=manual\n");
    }
    env.write("lib/helpers.sh", "\n");
    env
}

const NAMES: &[&str] = &["db", "web"];

/// Lines that complete the tree's names, through git and directly.
const NAME_LINES: &[&str] = &[
    "git lxc rebuild ",
    "git-lxc rebuild ",
    "git lxc build ",
    "git lxc plan ",
    "git lxc status web ",
    "git lxc diff ",
    "git lxc logs ",
    "git lxc destroy ",
    "git lxc enter ",
    "git lxc config ",
    "git lxc start ",
    "git lxc stop ",
    "git lxc restart ",
    "git lxc exec ",
    "git lxc -q rebuild --allow-dirty ",
    "git-lxc --color never stop ",
];

/// Names of the commands of others still to come, when they are there.
const NAME_LINES_IF_PRESENT: &[&str] = &["git lxc adopt ", "git lxc rollback ", "git lxc history "];

/// Lines that must offer no name.
const NO_NAME_LINES: &[&str] = &[
    "git lxc new ",
    "git lxc exec web ",
    "git lxc exec web -- ",
    "git lxc logs web ",
    "git lxc verify --format ",
];

fn check_names(complete: impl Fn(&str) -> Vec<String>, shell: &str) {
    let subcommands: Vec<String> = git_lxc::docs::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let present = NAME_LINES_IF_PRESENT
        .iter()
        .filter(|l| subcommands.iter().any(|s| l.split(' ').nth(2) == Some(s)));
    for line in NAME_LINES.iter().chain(present) {
        let got = complete(line);
        assert_eq!(got, NAMES, "{shell}: {line:?}");
    }
    for line in NO_NAME_LINES {
        let got = complete(line);
        // Files may be offered there (`lib/` shows them apart), names not.
        assert!(got != NAMES, "{shell}: {line:?} offered {got:?}");
    }
    let sets = complete("git lxc build --set R");
    assert_eq!(sets, ["RAM=", "REBOOT="], "{shell}");
}

#[test]
fn bash_completes_container_and_setting_names_through_git_and_directly() {
    if !tool_present(GIT_COMPLETION) {
        return;
    }
    let env = tree();
    check_names(|l| complete_bash_in(l, Setup::Sourced, &env.repo), "bash");
    // git's -C is handed on.
    let elsewhere = tempfile::tempdir().unwrap();
    let line = format!("git -C {} lxc stop ", env.repo.display());
    assert_eq!(
        complete_bash_in(&line, Setup::Sourced, elsewhere.path()),
        NAMES
    );
    if tool_present(BASH_COMPLETION) {
        check_names(
            |l| complete_bash_in(l, Setup::Installed, &env.repo),
            "bash (installed)",
        );
    }
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

/// What an interactive zsh reads first: compinit, and a compadd that
/// prints what it is handed, then exits when the completion is done.
const ZSH_INIT: &str = include_str!("zsh_init.zsh");

/// Type `$LINE` and TAB into an interactive zsh in a pseudo-terminal, and
/// print the candidates.
const ZSH_CAPTURE: &str = include_str!("zsh_capture.zsh");

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

/// The candidates an interactive zsh offers for `line` in folder `cwd`,
/// with our `_git-lxc` first on fpath and git's `_git` from zsh itself.
fn complete_zsh(line: &str, cwd: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("_git-lxc"), completions::zsh()).unwrap();
    let init = tmp.path().join("init.zsh");
    std::fs::write(&init, ZSH_INIT).unwrap();
    let out = Command::new("zsh")
        .args(["-f", "-c", ZSH_CAPTURE])
        .env_clear()
        .env("PATH", search_path())
        .env("HOME", tmp.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("TERM", "dumb")
        .env("FPATH_DIR", tmp.path())
        .env("INIT", &init)
        .env("LINE", line)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zsh {line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    got.sort();
    got.dedup();
    got
}

#[test]
fn zsh_completes_container_and_setting_names_through_git_and_directly() {
    if !tool_present("/usr/bin/zsh") {
        return;
    }
    let env = tree();
    check_names(|l| complete_zsh(l, &env.repo), "zsh");
    let subcommands = complete_zsh("git-lxc ", &env.repo);
    assert!(
        subcommands.iter().any(|s| s == "rebuild"),
        "{subcommands:?}"
    );
    assert!(
        !subcommands.iter().any(|s| s == "__complete"),
        "{subcommands:?}"
    );
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

/// The candidates fish offers for `line` in folder `cwd`, with git's own
/// fish completion and ours loaded, as `git lxc <TAB>` and `git-lxc <TAB>`
/// find them.
fn complete_fish(line: &str, cwd: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("git-lxc.fish");
    std::fs::write(&file, completions::fish()).unwrap();
    let script = format!(
        "source {FISH_GIT}; source {}; complete -C '{line}'",
        file.display()
    );
    let out = Command::new("fish")
        .args(["--no-config", "-c", &script])
        .env_clear()
        .env("PATH", search_path())
        .env("HOME", tmp.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("XDG_CONFIG_HOME", tmp.path())
        .env("XDG_DATA_HOME", tmp.path())
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fish {line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    got.sort();
    got.dedup();
    got
}

const FISH_GIT: &str = "/usr/share/fish/completions/git.fish";

#[test]
fn fish_completes_container_and_setting_names_through_git_and_directly() {
    if !tool_present("/usr/bin/fish") || !tool_present(FISH_GIT) {
        return;
    }
    let env = tree();
    check_names(|l| complete_fish(l, &env.repo), "fish");
    let subcommands = complete_fish("git lxc ", &env.repo);
    assert!(
        subcommands.iter().any(|s| s == "rebuild"),
        "{subcommands:?}"
    );
    assert!(
        !subcommands.iter().any(|s| s == "__complete"),
        "{subcommands:?}"
    );
}
