//! Man pages and shell completions: generated from the clap definition in
//! `git_lxc::cli`, committed under `man/` and `completions/`, and checked here
//! (the way cargo checks its committed man pages).
//!
//! Regenerate after changing the CLI, the rules or the settings:
//!
//!     GIT_LXC_BLESS=1 cargo test --test cli docs
//!
//! Generation lives in this test so clap_mangen and clap_complete stay
//! dev-dependencies. It is deterministic: no date, no version.

use std::path::Path;
use std::process::Command;

use clap_complete::Shell;
use clap_mangen::Man;
use git_lxc::docs::command as cli_command;
use git_lxc::docs::{EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE, RULES, SETTINGS};

const BIN: &str = "git-lxc";
const REGENERATE: &str = "GIT_LXC_BLESS=1 cargo test --test cli docs";
const GIT_COMPLETION: &str = "/usr/share/bash-completion/completions/git";
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: its path relative to the crate root, and its text.
fn generated() -> Vec<(String, String)> {
    let mut files = man_pages();
    files.push(("completions/git-lxc.bash".into(), bash_completion()));
    files.push(("completions/_git-lxc".into(), completion(Shell::Zsh)));
    files.push(("completions/git-lxc.fish".into(), fish_completion()));
    files
}

#[test]
fn committed_man_pages_and_completions_are_up_to_date() {
    let bless = std::env::var("GIT_LXC_BLESS").is_ok_and(|v| !v.is_empty() && v != "0");
    let files = generated();
    let mut stale = Vec::new();
    for (rel, text) in &files {
        let path = crate_root().join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            eprintln!("wrote {rel}");
        } else {
            stale.push(rel.clone());
        }
    }
    // A page whose subcommand was removed or renamed.
    for entry in std::fs::read_dir(crate_root().join("man")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let rel = format!("man/{name}");
        if name.starts_with(BIN) && name.ends_with(".1") && !files.iter().any(|(r, _)| *r == rel) {
            if bless {
                std::fs::remove_file(crate_root().join(&rel)).unwrap();
                eprintln!("removed {rel}");
            } else {
                stale.push(format!("{rel} (no longer generated)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "man pages or completions are stale: {}\nregenerate them with:\n    {REGENERATE}",
        stale.join(", ")
    );
}

// ---------------------------------------------------------------- man pages

/// `git-lxc.1` and one page per subcommand (`git-lxc-verify.1`, …), found by
/// walking the clap tree so new subcommands get a page without a change here.
fn man_pages() -> Vec<(String, String)> {
    let mut cmd = cli_command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect_pages(&cmd, true, &mut pages);
    pages
}

fn collect_pages(cmd: &clap::Command, top: bool, pages: &mut Vec<(String, String)>) {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    pages.push((format!("man/{name}.1"), man_page(cmd, top)));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect_pages(sub, false, pages);
    }
}

/// roff's preamble, written by every `Man::render_*` call; kept once per page.
const ROFF_PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

fn man_page(cmd: &clap::Command, top: bool) -> String {
    let man = Man::new(cmd.clone());
    type Render = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;
    let mut parts: Vec<Render> = vec![
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
    ];
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        parts.push(Man::render_options_section);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        parts.push(Man::render_subcommands_section);
    }
    // The top page's after-help is the exit status, given in full below.
    if !top && cmd.get_after_help().is_some() {
        parts.push(Man::render_extra_section);
    }
    // Our own title line: clap_mangen's puts the version in it, and drops an
    // empty date instead of quoting it. No date, no version: the page must
    // not change with every release. Then, as git's pages do: no
    // hyphenation (file and setting names), ragged right.
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    let mut page =
        format!("{ROFF_PREAMBLE}.TH {name} 1 \"\" {BIN} \"git-lxc manual\"\n.nh\n.ad l\n");
    for render in parts {
        let mut buf = Vec::new();
        render(&man, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        page.push_str(text.strip_prefix(ROFF_PREAMBLE).unwrap_or(&text));
    }
    if top || cmd.get_name() == "verify" {
        page.push_str(&verify_rules_section());
    }
    if top {
        page.push_str(&settings_section());
    }
    page.push_str(&exit_status_section());
    if top {
        page.push_str(&environment_section());
    }
    page.push_str(&see_also_section(cmd, top));
    page
}

/// Text for a roff text line: no escapes, no control character at the start.
fn roff(text: &str) -> String {
    let text = text
        .replace('\\', "\\e")
        .replace('-', "\\-")
        .replace('\'', "\\*(Aq");
    if text.starts_with('.') {
        format!("\\&{text}")
    } else {
        text
    }
}

fn bold(text: &str) -> String {
    format!("\\fB{}\\fR", roff(text))
}

/// A `.TP` list item: a tag line and a paragraph.
fn item(tag: &str, body: &str) -> String {
    format!(".TP\n{tag}\n{}\n", roff(body))
}

fn verify_rules_section() -> String {
    let mut s = String::from(".SH \"VERIFY RULES\"\n");
    s += &format!(
        "Every finding of {} names one of these rules. Errors fail the check; warnings fail it only with {}.\n",
        bold("git lxc verify"),
        bold("--strict")
    );
    for rule in RULES {
        s += &item(
            &format!("{} ({})", bold(rule.id), rule.severity.as_str()),
            rule.summary,
        );
    }
    s
}

fn settings_section() -> String {
    let mut s = String::from(".SH SETTINGS\n");
    s += &roff(
        "Build settings. A container sets X by assigning OPT_X=value in its configSettings; the root defaults file sets site-wide values. Files are sourced by bash in this order, later wins: built-in defaults, root defaults, root .env, the container's .env, the container's configSettings. Every other variable they define is a context variable, handed to build-target.sh.",
    );
    s.push('\n');
    for setting in SETTINGS {
        let tag = match setting.default {
            "" => bold(setting.name),
            default => format!("{} (default: {})", bold(setting.name), roff(default)),
        };
        s += &item(&tag, setting.help);
    }
    s
}

fn exit_status_section() -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    s += &item("0", "Success.");
    s += &item(
        &EXIT_FAILED.to_string(),
        "Failed: a host command or a check failed; for verify, errors were found (or warnings, with --strict).",
    );
    s += &item(
        &EXIT_USAGE.to_string(),
        "Usage error: an unknown option, a bad value, a container that does not exist.",
    );
    s += &item(
        &EXIT_REFUSED.to_string(),
        "Refused by a safety guard: a dirty tree, a .env that is not ignored or is tracked, a container git-lxc did not build.",
    );
    s
}

fn environment_section() -> String {
    let mut s = String::from(".SH ENVIRONMENT\n");
    s += &item(
        &bold("NO_COLOR"),
        "When set to a non-empty value, never use colours, as with --color never.",
    );
    s += &item(
        &bold("GIT_LXC_PVE_DIR"),
        "The Proxmox VE cluster file system, where container configs are edited (lxc/CTID.conf) for the raw lxc.* lines pct cannot set. Default: /etc/pve.",
    );
    s += &item(
        &format!("{}, {}", bold("GIT_DIR"), bold("GIT_WORK_TREE")),
        "Locate the repository and its work tree, as for git.",
    );
    s
}

fn see_also_section(cmd: &clap::Command, top: bool) -> String {
    let mut refs: Vec<String> = if top {
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| format!("{}(1)", s.get_display_name().unwrap_or(s.get_name())))
            .collect()
    } else {
        vec![format!("{BIN}(1)")]
    };
    refs.extend(["git(1)".to_string(), "pct(1)".to_string()]);
    format!(".SH \"SEE ALSO\"\n{}\n", roff(&refs.join(", ")))
}

#[test]
fn top_man_page_documents_rules_settings_exit_status_and_environment() {
    let page = &man_pages()[0].1;
    for section in [
        "VERIFY RULES",
        "SETTINGS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "SUBCOMMANDS",
    ] {
        assert!(
            page.contains(&format!(".SH {section}\n"))
                || page.contains(&format!(".SH \"{section}\"\n")),
            "no {section}"
        );
    }
    for rule in RULES {
        assert!(page.contains(&bold(rule.id)), "rule {} missing", rule.id);
    }
    for setting in SETTINGS {
        assert!(
            page.contains(&bold(setting.name)),
            "setting {} missing",
            setting.name
        );
    }
    for var in [
        "NO_COLOR",
        "GIT_LXC_PVE_DIR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "/etc/pve",
    ] {
        assert!(page.contains(&roff(var)), "{var} missing");
    }
    assert!(
        page.starts_with(&format!("{ROFF_PREAMBLE}.TH {BIN} 1 \"\" {BIN} ")),
        "{page}"
    );
}

#[test]
fn every_subcommand_has_a_man_page() {
    let pages: Vec<String> = man_pages().into_iter().map(|(rel, _)| rel).collect();
    for sub in cli_command().get_subcommands() {
        assert!(
            pages.contains(&format!("man/{BIN}-{}.1", sub.get_name())),
            "{pages:?}"
        );
    }
}

#[test]
fn man_pages_render_without_groff_warnings() {
    if !tool_present("/usr/bin/groff") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for (rel, text) in man_pages() {
        let path = tmp.path().join(Path::new(&rel).file_name().unwrap());
        std::fs::write(&path, text).unwrap();
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "{rel}: {stderr}");
    }
}

// -------------------------------------------------------------- completions

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
fn bash_completion() -> String {
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

fn fish_completion() -> String {
    format!(
        "# fish completion for git-lxc.\n\
         # Generated from the CLI definition; do not edit. Regenerate with\n\
         #     {REGENERATE}\n\n{}",
        completion(Shell::Fish)
    )
}

#[test]
fn bash_case_arms_match_the_states_the_word_loop_sets() {
    let script = bash_completion();
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

/// Whether a tool the test needs is there. CI installs them all (`.ci/run`),
/// so there a missing one fails instead of skipping.
fn tool_present(path: &str) -> bool {
    if Path::new(path).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{path} is missing; .ci/run should install it"
    );
    eprintln!("skipped: {path} is not installed");
    false
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
    std::fs::write(&ours, bash_completion()).unwrap();
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
    std::fs::write(&file, completion(Shell::Zsh)).unwrap();
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
    std::fs::write(&file, fish_completion()).unwrap();
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
