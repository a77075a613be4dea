//! The man pages: `git-lxc.1` and one page per subcommand, rendered by
//! clap_mangen, with sections of our own for the verify rules, the settings,
//! the exit status and the environment.

use clap_mangen::Man;
use git_lxc::docs::command as cli_command;
use git_lxc::docs::{EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE, RULES, SETTINGS};

use crate::BIN;

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
