//! The catalogue of `verify` rules: stable ids, severities and what they check.
//!
//! The man page lists this table; `verify` findings use these ids.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One rule: its id, severity and a one-line description.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> Rule {
    Rule {
        id,
        severity,
        summary,
    }
}

use Severity::{Error, Warning};

pub const RULES: &[Rule] = &[
    rule(
        "env-not-ignored",
        Error,
        "a .env file (existing or future) is not ignored by git",
    ),
    rule("env-tracked", Error, "a .env file is tracked by git"),
    rule(
        "env-in-history",
        Error,
        "a commit reachable from HEAD contains a .env file",
    ),
    rule(
        "env-example-ignored",
        Warning,
        "a .env.example is ignored by git (the rule is named), so it is never committed",
    ),
    rule(
        "env-missing-key",
        Error,
        ".env lacks a key that .env.example lists",
    ),
    rule(
        "env-crlf",
        Error,
        "a .env file has CRLF (Windows) line ends: every value would end in a carriage return that no mask matches, so a build refuses it",
    ),
    rule(
        "secret-literal",
        Error,
        "a tracked file assigns a literal to a *PASSWORD*, *PASSWD*, *TOKEN*, *SECRET* or *API_KEY* variable, or a YAML/INI/JSON/JS password, secret, token or key (any value in a *secret* file)",
    ),
    rule("private-key", Error, "a tracked file holds a private key"),
    rule(
        "password-hash",
        Error,
        "a tracked file holds a password hash line (mosquitto passwd, htpasswd)",
    ),
    rule(
        "data-not-ignored",
        Error,
        "a container's data/ folder is not ignored by git",
    ),
    rule(
        "data-forbidden",
        Error,
        "a container's data/ is a symlink to /, a system folder (/etc, /usr, /var, /boot, /root, /dev, /proc, /sys, /run, /bin, /sbin, /lib*, /etc/pve) or a folder above one, the tree, or another container's folder or data/: a build refuses to mount it read-write",
    ),
    rule(
        "symlink-outside",
        Error,
        "a tracked symlink in a container folder, lib/ or defaults leads out of the tree (conf -> /etc, lib/x.sh -> /etc/shadow): a build refuses it",
    ),
    rule(
        "symlink-not-input",
        Error,
        "a tracked symlink leads to what a build of its container does not read (another container's folder, a .env, data/): a build refuses it",
    ),
    rule(
        "symlink-loop",
        Error,
        "tracked symlinks point at each other in a loop: a build refuses them",
    ),
    rule(
        "unknown-opt",
        Error,
        "an OPT_ override names no known setting",
    ),
    rule(
        "invalid-value",
        Error,
        "a setting's value breaks its rule (integer, range, hostname, MAC, NET, VLAN, MTU, OSTYPE, ...)",
    ),
    rule(
        "missing-build-script",
        Error,
        "a container folder has no build-target.sh (or legacy target-bootstrap.sh)",
    ),
    rule("bash-syntax", Error, "a bash file does not parse (bash -n)"),
    rule(
        "eval-failed",
        Error,
        "sourcing the settings files stopped early (exit, or set -e and a failing command)",
    ),
    rule(
        "eval-output",
        Warning,
        "sourcing the settings files printed on stderr",
    ),
    rule("duplicate-ctid", Error, "two containers set the same CTID"),
    rule(
        "duplicate-host",
        Error,
        "two containers have the same hostname",
    ),
    rule(
        "duplicate-mac",
        Error,
        "two containers set the same MAC address",
    ),
    rule(
        "duplicate-ip",
        Error,
        "two containers set the same static IP address",
    ),
    rule(
        "setting-overridden",
        Warning,
        "a file assigns a setting's plain name (RAM=...) that an OPT_RAM=... overrides",
    ),
    rule(
        "short-secret",
        Warning,
        "a .env value is too short to be masked in output",
    ),
    rule(
        "unknown-hook",
        Warning,
        "a HOOK_ function has a name git-lxc never calls",
    ),
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(ids.iter().all(|id| {
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
        }));
    }
}
