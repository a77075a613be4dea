//! Values that must differ between containers: CTID, hostname, MAC address
//! and static IP. Reported on the second container, naming the first.

use std::collections::HashMap;

use super::facts::ContainerFacts;
use super::{Finding, Paths};
use crate::settings::Settings;

struct Unique {
    rule: &'static str,
    /// The setting the value comes from (for its file and line).
    setting: &'static str,
    what: &'static str,
    /// The value to compare, normalised; `None` when unset or invalid (an
    /// invalid value is reported by its own rule).
    key: fn(&Settings) -> Option<String>,
}

const UNIQUE: &[Unique] = &[
    Unique {
        rule: "duplicate-ctid",
        setting: "CTID",
        what: "CTID",
        key: |s| s.ctid.map(|id| id.to_string()),
    },
    Unique {
        rule: "duplicate-host",
        setting: "HOST",
        what: "hostname",
        key: |s| crate::settings::is_hostname(&s.hostname).then(|| s.hostname.to_ascii_lowercase()),
    },
    Unique {
        rule: "duplicate-mac",
        setting: "MACADDR",
        what: "MAC address",
        key: |s| s.macaddr.as_ref().map(|m| m.to_ascii_uppercase()),
    },
    Unique {
        rule: "duplicate-ip",
        setting: "NET",
        what: "static IP address",
        key: |s| s.net.static_address().map(str::to_string),
    },
];

/// Duplicates among all containers that involve at least one selected one.
pub fn check(resolved: &[(&ContainerFacts, Settings)], paths: &Paths) -> Vec<Finding> {
    let mut findings = Vec::new();
    for u in UNIQUE {
        let mut first: HashMap<String, &ContainerFacts> = HashMap::new();
        for (c, s) in resolved {
            let Some(key) = (u.key)(s) else { continue };
            let Some(earlier) = first.get(&key) else {
                first.insert(key, c);
                continue;
            };
            if !(c.selected || earlier.selected) {
                continue;
            }
            let (file, line) = s.origin(u.setting).map_or_else(
                || (paths.rel(&c.dir.join("configSettings")), None),
                |o| (paths.rel(&o.file), o.line),
            );
            findings.push(Finding::new(
                u.rule,
                file,
                line,
                format!("{} uses {} {key}, as {} does", c.name, u.what, earlier.name),
                format!(
                    "each container needs its own {}: change OPT_{} for {} or {}",
                    u.what, u.setting, earlier.name, c.name
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::bash::{Evaluated, Value};

    fn container(name: &str, vars: &[(&str, &str)]) -> (ContainerFacts, Settings) {
        let eval = Evaluated {
            name: name.into(),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), Value::Scalar(v.to_string())))
                .collect(),
            complete: true,
            ..Default::default()
        };
        let dir = PathBuf::from(format!("/w/{name}"));
        let (settings, _) = crate::settings::resolve(Path::new("/w"), &dir, &eval, &[]);
        let facts = ContainerFacts {
            name: name.into(),
            dir,
            selected: true,
            eval,
            config: String::new(),
            build_script: None,
            env: None,
            env_example: None,
            forbidden_data: None,
        };
        (facts, settings)
    }

    #[test]
    fn reports_the_second_and_names_the_first() {
        let all = [
            container(
                "a",
                &[
                    ("OPT_CTID", "120"),
                    ("OPT_NET", "10.0.0.5/24"),
                    ("OPT_MACADDR", "bc:24:11:00:00:01"),
                ],
            ),
            container(
                "b",
                &[
                    ("OPT_CTID", "121"),
                    ("OPT_HOST", "A"),
                    ("OPT_NET", "10.0.0.5/16"),
                ],
            ),
            container(
                "c",
                &[
                    ("OPT_CTID", "120"),
                    ("OPT_MACADDR", "BC:24:11:00:00:01"),
                    ("OPT_NET", "dhcp"),
                ],
            ),
        ];
        let resolved: Vec<(&ContainerFacts, Settings)> =
            all.iter().map(|(c, s)| (c, s.clone())).collect();
        let f = check(
            &resolved,
            &Paths {
                workdir: Path::new("/w"),
            },
        );
        let got: Vec<(&str, &str)> = f.iter().map(|f| (f.rule, f.file.as_str())).collect();
        assert_eq!(
            got,
            [
                ("duplicate-ctid", "c/configSettings"),
                ("duplicate-host", "b/configSettings"),
                ("duplicate-mac", "c/configSettings"),
                ("duplicate-ip", "b/configSettings"),
            ]
        );
        assert!(
            f[0].message.contains("c uses CTID 120, as a does"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn unselected_pairs_are_skipped() {
        let mut all = [
            container("a", &[("OPT_CTID", "120")]),
            container("b", &[("OPT_CTID", "120")]),
        ];
        for (c, _) in &mut all {
            c.selected = false;
        }
        let resolved: Vec<(&ContainerFacts, Settings)> =
            all.iter().map(|(c, s)| (c, s.clone())).collect();
        assert!(
            check(
                &resolved,
                &Paths {
                    workdir: Path::new("/w")
                }
            )
            .is_empty()
        );
    }
}
