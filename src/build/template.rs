//! Picking the template a container is created from (`pveam list`,
//! `pveam available`).

use anyhow::Result;

use crate::build::host_check::place;
use crate::build::plan::Template;
use crate::error::Failure;
use crate::host::Host;
use crate::host::process::Proc;
use crate::settings::Settings;
use crate::term;
use crate::workspace::Workspace;

/// Natural ordering key for template names (so 3.10 sorts after 3.9).
pub fn natural_key(s: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                key.push((0, std::mem::take(&mut text)));
            }
            num.push(c);
        } else {
            if !num.is_empty() {
                key.push((num.parse().unwrap_or(u64::MAX), String::new()));
                num.clear();
            }
            text.push(c);
        }
    }
    if !num.is_empty() {
        key.push((num.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        key.push((0, text));
    }
    key
}

/// The version part of a template file name: `alpine-3.22-default_…` → `3.22`.
fn template_version(file: &str, ostype: &str) -> Option<String> {
    let rest = file.strip_prefix(ostype)?.strip_prefix('-')?;
    let end = rest.find(['-', '_']).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// `<ostype>-<release>` of a template file, as records keep it.
pub fn os_of(file: &str, ostype: &str) -> String {
    match template_version(file, ostype) {
        Some(v) => format!("{ostype}-{v}"),
        None => ostype.to_string(),
    }
}

/// The newest template file among `files` for OSTYPE (and OSVERSION if set).
pub fn pick_template<'a>(files: &[&'a str], ostype: &str, version: &str) -> Option<&'a str> {
    files
        .iter()
        .copied()
        .filter(|f| {
            let Some(v) = template_version(f, ostype) else {
                return false;
            };
            version.is_empty() || v == version || v.starts_with(&format!("{version}."))
        })
        .max_by_key(|f| natural_key(f))
}

/// Template file names in `pveam list` output (`STORE:vztmpl/<file>`).
pub fn parse_pveam_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|v| v.split_once(":vztmpl/").map(|(_, f)| f.to_string()))
        .collect()
}

/// Template file names in `pveam available` output (section, name, arch).
pub fn parse_pveam_available(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_string)
        .collect()
}

/// The release a rebuild keeps: the one the previous build recorded
/// (`alpine-3.19` → `3.19`), unless OSVERSION names one, the OS type
/// changed, or `--upgrade` asks for the newest.
pub fn kept_release(settings: &Settings, recorded: Option<&str>, upgrade: bool) -> Option<String> {
    if upgrade || !settings.osversion.is_empty() {
        return None;
    }
    let release = recorded?
        .strip_prefix(&settings.ostype)?
        .strip_prefix('-')?;
    (!release.is_empty()).then(|| release.to_string())
}

/// What a template is looked for by: `debian-12`, or `debian` for any release.
fn wanted(ostype: &str, version: &str) -> String {
    if version.is_empty() {
        ostype.to_string()
    } else {
        format!("{ostype}-{version}")
    }
}

/// The settings that chose the template, each with where it was set
/// (SPEC §5: a preflight failure names the setting and its file:line):
/// `OSTYPE 'alpine' (default), OSVERSION '3.99' (web/configSettings:2)`.
fn chosen_by(ws: &Workspace, s: &Settings, kept: Option<&str>, store: bool) -> String {
    let setting = |name: &str, value: &str| format!("{name} '{value}' ({})", place(ws, s, name));
    let version = match (kept, s.osversion.as_str()) {
        (Some(release), _) => format!("OSVERSION not set (a rebuild keeps the recorded {release})"),
        (None, "") => "OSVERSION not set (the newest release)".to_string(),
        (None, v) => setting("OSVERSION", v),
    };
    let mut parts = vec![setting("OSTYPE", &s.ostype), version];
    if store {
        parts.push(setting("TEMPLATESTORE", &s.templatestore));
    }
    parts.join(", ")
}

/// `, or change OSVERSION (web/configSettings:2)` when a file set it.
fn change_version(ws: &Workspace, s: &Settings) -> String {
    match s.osversion.is_empty() {
        true => String::new(),
        false => format!(", or change OSVERSION ({})", place(ws, s, "OSVERSION")),
    }
}

/// The template of a plan made without a host, which [`choose`] picks
/// there: a stand-in, `local:vztmpl/<newest debian-12 template>`, and what
/// it stands for. With CHECKTEMPLATE=1 the index is still updated first;
/// whether the template is downloaded is the host's to say.
pub fn stand_in(settings: &Settings) -> (Template, String) {
    let store = settings.templatestore.as_str();
    let wanted = wanted(&settings.ostype, &settings.osversion);
    let meaning = match settings.checktemplate {
        true => format!(
            "the newest {wanted} template in `pveam available` (downloaded into {store} if it is not there)"
        ),
        false => format!("the newest {wanted} template in storage {store} (`pveam list {store}`)"),
    };
    let template = Template {
        volid: format!("{store}:vztmpl/<newest {wanted} template>"),
        os: wanted,
        update: settings.checktemplate,
        download: None,
    };
    (template, meaning)
}

/// The template for `settings`, from `pveam list` (and, with CHECKTEMPLATE=1,
/// `pveam available`: the newest matching one, downloaded if not local).
/// `kept` is the release a rebuild stays on ([`kept_release`]).
pub fn choose(
    ws: &Workspace,
    settings: &Settings,
    host: &Host,
    kept: Option<&str>,
) -> Result<Template> {
    let store = settings.templatestore.as_str();
    let ostype = settings.ostype.as_str();
    let version = kept.unwrap_or(settings.osversion.as_str());
    let out = host
        .runner
        .checked(&Proc::host("pveam", &["list", store]))?;
    let local = parse_pveam_list(&out.stdout);
    let local_refs: Vec<&str> = local.iter().map(String::as_str).collect();
    let wanted = wanted(ostype, version);
    if settings.checktemplate {
        let avail = host
            .runner
            .checked(&Proc::host("pveam", &["available", "--section", "system"]))?;
        let names = parse_pveam_available(&avail.stdout);
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        if let Some(newest) = pick_template(&refs, ostype, version) {
            let download = (!local.iter().any(|f| f == newest)).then(|| newest.to_string());
            return Ok(Template {
                volid: format!("{store}:vztmpl/{newest}"),
                os: os_of(newest, ostype),
                update: true,
                download,
            });
        }
        if let Some(file) = pick_template(&local_refs, ostype, version) {
            term::warn(format!(
                "no {wanted} template in `pveam available`; using the local {file}"
            ));
            return Ok(Template {
                volid: format!("{store}:vztmpl/{file}"),
                os: os_of(file, ostype),
                update: true,
                download: None,
            });
        }
        return Err(Failure::failed(
            format!(
                "no {wanted} template is available to download: {}",
                chosen_by(ws, settings, kept, false)
            ),
            "check OPT_OSTYPE/OPT_OSVERSION against `pveam available --section system`",
        ));
    }
    match pick_template(&local_refs, ostype, version) {
        Some(file) => Ok(Template {
            volid: format!("{store}:vztmpl/{file}"),
            os: os_of(file, ostype),
            update: false,
            download: None,
        }),
        None => Err(Failure::failed(
            format!(
                "no {wanted} template in storage '{store}'{}: {}",
                match kept {
                    Some(_) => " (the release this container was built on; a rebuild keeps it)",
                    None => "",
                },
                chosen_by(ws, settings, kept, true)
            ),
            format!(
                "download one (`pveam update && pveam available --section system`, then `pveam download {store} <name>`), set OPT_CHECKTEMPLATE=1{}",
                match kept {
                    Some(_) =>
                        ", or pass --upgrade to move to the newest local release".to_string(),
                    None => change_version(ws, settings),
                }
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_newest_matching_template() {
        let files = [
            "alpine-3.9-default_20190101_amd64.tar.xz",
            "alpine-3.22-default_20250617_amd64.tar.xz",
            "alpine-3.21-default_20241217_amd64.tar.xz",
            "debian-12-standard_12.7-1_amd64.tar.zst",
            "debian-12-standard_12.2-1_amd64.tar.zst",
            "debian-13-standard_13.1-1_amd64.tar.zst",
        ];
        assert_eq!(pick_template(&files, "alpine", ""), Some(files[1]));
        assert_eq!(pick_template(&files, "alpine", "3.21"), Some(files[2]));
        assert_eq!(pick_template(&files, "debian", "12"), Some(files[3]));
        assert_eq!(pick_template(&files, "debian", ""), Some(files[5]));
        assert_eq!(pick_template(&files, "ubuntu", ""), None);
        assert_eq!(pick_template(&files, "alpine", "3.2"), None);
    }

    #[test]
    fn parses_pveam_list() {
        let text = format!(
            "{:<60} SIZE\n{:<60} {:<4.2}MB\n",
            "NAME", "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz", 3.1
        );
        assert_eq!(
            parse_pveam_list(&text),
            vec!["alpine-3.22-default_20250617_amd64.tar.xz"]
        );
    }
}
