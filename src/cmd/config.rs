//! `git lxc config NAME`: what a container's files resolve to, offline
//! (SPEC §4): every setting with the file and line that set it, the context
//! variables, the hooks, the files a build reads and the mounts it makes.

use std::path::Path;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::bash::{Evaluated, Value};
use crate::build::mounts::folder_mounts;
use crate::cmd::GlobalArgs;
use crate::cmd::build::parse_key_value;
use crate::settings::{self, Origin, Settings, Sources};
use crate::term;
use crate::term::mask::exempt;
use crate::workspace::rel_to;
use crate::workspace::session::Session;
use crate::workspace::tree::{Container, Tree};

/// Show what NAME's files resolve to, without a host: every setting's value
/// and where it was set (`FILE:LINE`, `--set` or `default`), the context
/// variables (values from `.env` masked), the hooks and when they run, the
/// files a build reads, and the mounts it makes.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  git lxc config pihole                  the settings and where each was set
  git lxc config pihole --set RAM=512    as a build with that override would see them
  git lxc config pihole --json | jq -r '.settings[] | select(.origin != \"default\") | .name'")]
pub struct ConfigArgs {
    /// The container folder.
    pub name: String,

    /// Print one JSON object on stdout instead of the report.
    #[arg(long)]
    pub json: bool,

    /// Override a setting as a build would (repeatable), e.g. `--set RAM=512`.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub sets: Vec<(String, String)>,
}

/// The report, also its JSON form.
#[derive(Debug, Serialize)]
struct Report {
    name: String,
    settings: Vec<Entry>,
    context: Vec<Entry>,
    hooks: Vec<Hook>,
    files: Vec<File>,
    mounts: Vec<MountEntry>,
}

#[derive(Debug, Serialize)]
struct Entry {
    name: String,
    value: String,
    /// `FILE:LINE` relative to the tree's root, `--set` or `default`.
    origin: String,
    /// Whether a `.env` defined it (context variables only).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<bool>,
    /// Why a value from a `.env` is shown as it is (SPEC §7), as in every
    /// other command's output: `it also stands in the tracked tree`.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_masked: Option<&'static str>,
    /// The value assigned to a setting that breaks its rule; the setting
    /// keeps its default (`value`, `origin` say so).
    #[serde(skip_serializing_if = "Option::is_none")]
    invalid: Option<Invalid>,
}

#[derive(Debug, Serialize)]
struct Invalid {
    value: String,
    /// `FILE:LINE` relative to the tree's root, `--set`, or `unknown`.
    origin: String,
    /// The rule the value breaks.
    rule: String,
}

#[derive(Debug, Serialize)]
struct Hook {
    name: String,
    origin: String,
    runs: &'static str,
}

#[derive(Debug, Serialize)]
struct File {
    path: String,
    role: &'static str,
}

#[derive(Debug, Serialize)]
struct MountEntry {
    source: String,
    target: String,
    read_only: bool,
}

pub fn exec(args: &ConfigArgs, global: &GlobalArgs) -> Result<()> {
    let session = Session::open(global)?;
    let container = session.tree.find(&args.name)?.clone();
    let ev = session.evaluate(&[&container])?.remove(0);
    let files = Sources::read(&session.tree.root, &container.dir);
    let (settings, problems) = settings::resolve_in(&files, &ev, &args.sets);
    for p in &problems {
        let at = p.origin.as_ref().map_or("".to_string(), |o| {
            format!("{}: ", origin_text(&session.tree.root, Some(o)))
        });
        term::warn(format!("{at}{}", p.message));
    }
    let report = Report {
        name: container.name.clone(),
        settings: settings_entries(&session.tree.root, &settings),
        context: context_entries(&session.tree.root, &files, &ev),
        hooks: hooks(&session.tree.root, &files, &ev),
        files: read_files(&session.tree.root, &session.tree, &container),
        mounts: mounts(&session.tree.root, &container)?,
    };
    if args.json {
        term::stdout_line(serde_json::to_string_pretty(&report)?);
    } else {
        print(&report, settings.liveconf);
    }
    Ok(())
}

/// `FILE:LINE` relative to the tree's root, `--set`, or `default`.
fn origin_text(root: &Path, origin: Option<&Origin>) -> String {
    match origin {
        None => "default".to_string(),
        Some(o) if o.file == Path::new("--set") => "--set".to_string(),
        Some(o) => match o.line {
            Some(line) => format!("{}:{line}", rel_to(root, &o.file)),
            None => rel_to(root, &o.file),
        },
    }
}

fn settings_entries(root: &Path, settings: &Settings) -> Vec<Entry> {
    settings
        .values()
        .map(|(name, value)| Entry {
            name: name.to_string(),
            value: if name == "HOST" && value.is_empty() {
                settings.hostname.clone()
            } else {
                value.to_string()
            },
            origin: origin_text(root, settings.origin(name)),
            secret: None,
            not_masked: None,
            invalid: settings.rejected(name).map(|r| Invalid {
                value: r.value.clone(),
                origin: match &r.origin {
                    Some(o) => origin_text(root, Some(o)),
                    None => "unknown".to_string(),
                },
                rule: r.rule.clone(),
            }),
        })
        .collect()
}

/// Every other variable the files define. What a `.env` defines is masked
/// by the command's masker, as in `plan`, `verify` and a build's log, so
/// what they keep readable (a word of the tracked tree, a number, a short
/// value) is readable here too, with the reason.
fn context_entries(root: &Path, files: &Sources, ev: &Evaluated) -> Vec<Entry> {
    ev.vars
        .iter()
        .filter(|(name, _)| !crate::bash::is_setting_name(name))
        .map(|(name, value)| {
            let secret = ev.secrets.iter().any(|(k, _)| k == name);
            let (value, not_masked) = match value {
                Value::Scalar(v) => {
                    let shown = term::mask(v);
                    let kept = secret && shown == *v;
                    (shown, kept.then(|| unmasked_because(v)))
                }
                Value::Array(decl) => (term::table::clip(&term::mask(decl), 60), None),
            };
            Entry {
                name: name.clone(),
                value,
                origin: origin_text(root, files.locate(name).as_ref()),
                secret: Some(secret),
                not_masked,
                invalid: None,
            }
        })
        .collect()
}

/// Why the masker left `.env` value `v` as it is: short or a number, else
/// (the one other reason it has) a word of the tracked tree.
fn unmasked_because(v: &str) -> &'static str {
    exempt(v, &[]).unwrap_or("it also stands in the tracked tree")
}

/// Where a hook runs in a build (SPEC §3).
fn hook_runs(hook: &str) -> &'static str {
    match hook {
        "preBuild" => "on this host, before the build",
        "customMounts" => "on this host, before pct create (plan runs it too)",
        "customMapping" => "on this host, after pct create, before the first start",
        "postBuild" => "on this host, after the build",
        _ => "never: not a hook git-lxc calls",
    }
}

fn hooks(root: &Path, files: &Sources, ev: &Evaluated) -> Vec<Hook> {
    ev.hooks()
        .map(|name| Hook {
            name: name.to_string(),
            origin: origin_text(root, files.defined_at(&format!("HOOK_{name}")).as_ref()),
            runs: hook_runs(name),
        })
        .collect()
}

/// The files a build of `c` reads, in the order it reads them.
fn read_files(root: &Path, tree: &Tree, c: &Container) -> Vec<File> {
    let mut files = vec![
        (tree.defaults_file(), "site-wide settings"),
        (tree.env_file(), "site-wide secrets (from the work tree)"),
        (c.env_file(), "secrets (from the work tree)"),
        (c.config_file(), "settings and hooks"),
        (c.env_example(), "the keys .env must define"),
    ];
    files.extend(
        tree.lib_files()
            .into_iter()
            .map(|f| (f, "helpers in the provisioning script")),
    );
    if let Some(script) = c.build_script() {
        files.push((script, "the provisioning script"));
    }
    files
        .into_iter()
        .filter(|(path, _)| path.is_file())
        .map(|(path, role)| File {
            path: rel_to(root, &path),
            role,
        })
        .collect()
}

fn mounts(root: &Path, c: &Container) -> Result<Vec<MountEntry>> {
    Ok(folder_mounts(c, &c.dir)?
        .into_iter()
        .map(|m| MountEntry {
            source: shown_path(root, &m.source),
            target: m.target.to_string(),
            read_only: m.read_only,
        })
        .collect())
}

/// A path inside the tree relative to its root, any other absolute.
fn shown_path(root: &Path, path: &Path) -> String {
    if path.starts_with(root) {
        rel_to(root, path)
    } else {
        path.display().to_string()
    }
}

fn print(r: &Report, liveconf: bool) {
    let out = |line: String| term::stdout_line(line);
    let section = |title: &str| {
        if title.starts_with(&r.name) {
            term::stdout_line(term::bold(title));
        } else {
            term::stdout_line(format!("\n{}", term::bold(title)));
        }
    };
    let entries = |entries: &[Entry], header: &[&str]| {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| vec![e.name.clone(), shown_value(&e.value), origin_cell(e)])
            .collect();
        for line in term::table::lines(header, &rows, |i, col, text| {
            if col == 2 && entries[i].origin == "default" && entries[i].invalid.is_none() {
                term::dim(text)
            } else {
                text.to_string()
            }
        }) {
            out(format!("  {line}"));
        }
    };
    section(&format!("{}: settings", r.name));
    entries(&r.settings, &["SETTING", "VALUE", "SET IN"]);
    section("Context variables (handed to build-target.sh and the hooks)");
    if r.context.is_empty() {
        out("  none".to_string());
    }
    entries(&r.context, &["VARIABLE", "VALUE", "SET IN"]);
    let kept: Vec<&Entry> = r
        .context
        .iter()
        .filter(|e| e.not_masked.is_some())
        .collect();
    if !kept.is_empty() {
        out("  From a .env but not masked, as in every output (no secret, and masking would garble it):".to_string());
        for e in kept {
            out(format!(
                "    {}: {}",
                e.name,
                e.not_masked.unwrap_or_default()
            ));
        }
    }
    section("Hooks");
    if r.hooks.is_empty() {
        out("  none".to_string());
    }
    for h in &r.hooks {
        out(format!("  HOOK_{}  {}  runs {}", h.name, h.origin, h.runs));
    }
    section("Files a build reads");
    for f in &r.files {
        out(format!("  {}  ({})", f.path, f.role));
    }
    section("Mounts");
    for m in &r.mounts {
        let mode = if m.read_only { "ro" } else { "rw" };
        let from = if m.read_only && !liveconf {
            " (its copy at the built commit; LIVECONF=1 mounts the work tree's)"
        } else {
            ""
        };
        out(format!("  {}  {mode}  {}{from}", m.target, m.source));
    }
    if r.hooks.iter().any(|h| h.name == "customMounts") {
        out(format!(
            "  and those HOOK_customMounts adds: `git lxc plan {}` shows them",
            r.name
        ));
    }
}

/// Where a value came from; for a setting whose assigned value was invalid,
/// also that value and the rule it breaks.
fn origin_cell(e: &Entry) -> String {
    match &e.invalid {
        None => e.origin.clone(),
        Some(i) => format!(
            "{} ({} sets '{}', which is invalid: {}; see `git lxc verify`)",
            e.origin,
            i.origin,
            // Masked before it is cut, so no part of a secret is left.
            term::table::clip(&term::mask(&i.value), 40),
            i.rule
        ),
    }
}

fn shown_value(value: &str) -> String {
    if value.is_empty() {
        "-".to_string()
    } else {
        term::table::clip(value, 60)
    }
}
