//! The man pages: `git-lxc.1` and one page per subcommand, rendered by
//! clap_mangen (name, description, options, subcommands), with a synopsis
//! and sections of our own: the tree, the settings, the hooks, the target
//! helpers, the verify rules, examples, the JSON keys, files, the exit
//! status and the environment.

use clap_mangen::Man;
use git_lxc::docs::command as cli_command;
use git_lxc::docs::{EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE, RULES, SETTINGS};

use crate::BIN;
use crate::man_text;

/// `git-lxc.1` and one page per subcommand (`git-lxc-verify.1`, …), found by
/// walking the clap tree so new subcommands get a page without a change here.
pub fn pages() -> Vec<(String, String)> {
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
pub const ROFF_PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

fn man_page(cmd: &clap::Command, top: bool) -> String {
    let man = Man::new(cmd.clone());
    type Render = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;
    let mut parts: Vec<Render> = vec![Man::render_description_section];
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        parts.push(Man::render_options_section);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        parts.push(Man::render_subcommands_section);
    }
    // Our own title line: clap_mangen's puts the version in it, and drops an
    // empty date instead of quoting it. No date, no version: the page must
    // not change with every release. Then, as git's pages do: no
    // hyphenation (file and setting names), ragged right.
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    let mut page =
        format!("{ROFF_PREAMBLE}.TH {name} 1 \"\" {BIN} \"git-lxc manual\"\n.nh\n.ad l\n");
    page.push_str(&render(&man, Man::render_name_section));
    page.push_str(&synopsis_section(cmd, top));
    for part in parts {
        page.push_str(&render(&man, part));
    }
    if top {
        page.push_str(&top_sections());
    } else if cmd.get_name() == "verify" {
        page.push_str(&verify_rules_section());
    }
    page.push_str(&examples_section(cmd, top));
    page.push_str(&json_section(cmd.get_name()));
    page.push_str(&exit_status_section(cmd.get_name()));
    if top {
        page.push_str(&environment_section());
    }
    page.push_str(&see_also_section(cmd, top));
    page
}

/// One clap_mangen section, without the preamble it repeats.
fn render(man: &Man, part: fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    part(man, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    text.strip_prefix(ROFF_PREAMBLE)
        .unwrap_or(&text)
        .to_string()
}

/// The sections only the top page has.
fn top_sections() -> String {
    let mut s = section("THE TREE", "", man_text::TREE);
    s += &settings_section();
    s += &section(
        "HOOKS",
        "Bash functions in configSettings, run on the host, as you, with every setting and context variable in scope (secrets as shell variables, never exported), at fixed points of a build. A hook that fails stops the build at that step. plan shows where each runs.",
        man_text::HOOKS,
    );
    s += &items(
        "Besides the settings and context variables, every hook sees:",
        man_text::HOOK_VARS,
    );
    s += &section(
        "TARGET HELPERS",
        "Functions build-target.sh can call, as the original script's tgt_ functions did, made safe; the tree may add its own in ROOT/lib/*.sh.",
        man_text::HELPERS,
    );
    s += &section(
        "MIGRATING FROM THE ORIGINAL SCRIPT",
        "A tree kept for the original build_lxc.sh works unchanged: the same file names, plain and OPT_ settings (OPT_X wins over X), HOOK_customMounts appending to mps, HOOK_customMapping editing /etc/pve/lxc/$CTID.conf with sudo, MAP=1, target-bootstrap.sh and its helpers. The containers it built have no record; git lxc build and rebuild refuse them (exit 3) until they are adopted. In order:",
        MIGRATION,
    );
    s += &verify_rules_section();
    s += &section(
        "FILES",
        "Everything git-lxc keeps is under the repository's git dir or on the host, never in the work tree.",
        man_text::FILES,
    );
    s
}

/// The steps from the original script to git-lxc.
const MIGRATION: &[(&str, &str)] = &[
    (
        "1. install",
        "Install git-lxc and commit the tree as it is.",
    ),
    (
        "2. git lxc verify",
        "Find what must not be in git (a committed password, a password-hash file); move such values to .env.",
    ),
    (
        "3. git lxc doctor",
        "Check storages, bridges, templates, subuid/subgid and mount sources.",
    ),
    (
        "4. git lxc adopt --all",
        "Each container status shows as not managed is found by OPT_CTID or hostname, shown (CTID, hostname, OS release, its mounts against the tree's) and, once confirmed, recorded as adopted without a rebuild.",
    ),
    (
        "5. git lxc rebuild NAME",
        "Rebuild one container and check it; it keeps its CTID, its OS release, data/ and the hooks' lxc.* lines (and its MAC when MACADDR is set).",
    ),
    ("6. git lxc rebuild --all", "Then the rest."),
];

/// A section: a heading, a paragraph (if any), then tagged items.
fn section(title: &str, intro: &str, entries: &[(&str, &str)]) -> String {
    let mut s = heading(title);
    if !intro.is_empty() {
        s += &format!("{}\n", roff(intro));
    }
    for (tag, body) in entries {
        s += &item(&bold(tag), body);
    }
    s
}

/// A paragraph, then tagged items, inside the current section.
fn items(intro: &str, entries: &[(&str, &str)]) -> String {
    let mut s = format!(".PP\n{}\n", roff(intro));
    for (tag, body) in entries {
        s += &item(&bold(tag), body);
    }
    s
}

fn heading(title: &str) -> String {
    if title.contains(' ') {
        format!(".SH \"{title}\"\n")
    } else {
        format!(".SH {title}\n")
    }
}

/// `git-lxc status [-C PATH] [--json] ... [NAMES...]`, every argument with
/// its value's name; the top page also shows the `git lxc` form.
fn synopsis_section(cmd: &clap::Command, top: bool) -> String {
    let name = if top {
        BIN.to_string()
    } else {
        format!("{BIN} {}", cmd.get_name())
    };
    let mut words = Vec::new();
    for a in cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
    {
        if matches!(a.get_id().as_str(), "help" | "version") {
            continue;
        }
        let flag = match (a.get_short(), a.get_long()) {
            (_, Some(long)) => format!("--{long}"),
            (Some(short), None) => format!("-{short}"),
            (None, None) => continue,
        };
        let value = a
            .get_action()
            .takes_values()
            .then(|| {
                a.get_value_names()
                    .and_then(|v| v.first())
                    .map(|v| v.to_string())
            })
            .flatten()
            .map(|v| format!(" \\fI{}\\fR", roff(&v)))
            .unwrap_or_default();
        words.push(format!("[{}{value}]", bold(&flag)));
    }
    for a in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let value = a
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
        let many = a.get_num_args().is_some_and(|n| n.max_values() > 1);
        let mut word = format!("\\fI{}\\fR{}", roff(&value), if many { "..." } else { "" });
        if a.is_last_set() {
            word = format!("{} {word}", bold("--"));
        }
        if !a.is_required_set() {
            word = format!("[{word}]");
        }
        words.push(word);
    }
    if top {
        words.push("\\fICOMMAND\\fR [\\fIARGS\\fR]".to_string());
    }
    let mut s = format!(".SH SYNOPSIS\n{} {}\n", bold(&name), words.join(" "));
    if top {
        s += &format!(
            ".br\n{} [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n",
            bold("git lxc")
        );
    }
    s
}

/// The examples: the command's own (its after-help: `Examples:` and lines
/// of `COMMAND   COMMENT`), else those kept here.
fn examples_section(cmd: &clap::Command, top: bool) -> String {
    let own: Vec<(String, String)> = cmd
        .get_after_help()
        .map(|h| h.to_string())
        .filter(|h| h.starts_with("Example"))
        .map(|h| {
            h.lines()
                .skip(1)
                .map(|l| {
                    let l = l.trim();
                    match l.split_once("   ") {
                        Some((c, d)) => (c.trim().to_string(), d.trim().to_string()),
                        None => (l.to_string(), String::new()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let kept: &[(&str, &str)] = if top {
        man_text::TOP_EXAMPLES
    } else {
        man_text::EXAMPLES
            .iter()
            .find(|(name, _)| *name == cmd.get_name())
            .map_or(&[], |(_, e)| *e)
    };
    let examples: Vec<(String, String)> = if own.is_empty() {
        kept.iter()
            .map(|(c, d)| (c.to_string(), d.to_string()))
            .collect()
    } else {
        own
    };
    if examples.is_empty() {
        return String::new();
    }
    let mut s = heading("EXAMPLES");
    for (command, comment) in examples {
        s += &format!(".TP\n{}\n{}\n", bold(&command), roff(&comment));
    }
    s
}

/// The keys of the subcommand's JSON, each with its type.
fn json_section(name: &str) -> String {
    let Some((_, intro, keys)) = man_text::JSON.iter().find(|(n, ..)| *n == name) else {
        return String::new();
    };
    let mut s = heading("JSON");
    s += &format!("{}\n", roff(&format!("git lxc {intro}")));
    for &(key, kind, meaning) in keys.iter() {
        s += &item(&format!("{} ({})", bold(key), roff(kind)), meaning);
    }
    s
}

/// Text for a roff text line: no escapes, no control character at the start.
pub fn roff(text: &str) -> String {
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

pub fn bold(text: &str) -> String {
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
        "Build settings. A container sets X by assigning X=value or OPT_X=value (OPT_X wins) in its configSettings; the root defaults file sets site-wide values. Files are sourced by bash in this order, later wins: built-in defaults, root defaults, root .env, the container's .env, the container's configSettings, then --set KEY=VALUE. An OPT_ name that is no setting is an error with a suggestion (OPT_MEMORY is RAM here). Every other variable they define is a context variable, handed to build-target.sh and the hooks. git lxc config NAME shows each value and where it was set.",
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

fn exit_status_section(name: &str) -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    if let Some((_, note)) = man_text::EXIT_NOTES.iter().find(|(n, _)| *n == name) {
        s += &format!("{}\n", roff(note));
    }
    s += &item("0", "Success.");
    s += &item(
        &EXIT_FAILED.to_string(),
        "Failed: a host command or a check failed.",
    );
    s += &item(
        &EXIT_USAGE.to_string(),
        "Usage error: an unknown option, a bad value, a container folder that does not exist, or a destructive command not confirmed (off a terminal it needs --yes).",
    );
    s += &item(
        &EXIT_REFUSED.to_string(),
        "Refused by a safety guard: a dirty tree, a .env that is not ignored or is tracked, a container git-lxc did not build, another build of it running.",
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
