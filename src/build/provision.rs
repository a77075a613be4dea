//! The provisioning script run inside the container (SPEC §5 step 7).
//!
//! One bash script: context variables, settings, helper functions, the tree's
//! `lib/*.sh`, then the container's build script. It reaches the container on
//! `pct exec … bash -s`'s stdin only, so secrets touch neither a host command
//! line nor a disk. Everything is one `{ … } </dev/null` group, which bash
//! reads whole before running it, so no command can eat the script itself.

use std::collections::BTreeMap;

use crate::bash::Value;
use crate::host::process::shell_quote;

/// The helper functions build scripts may call (OS-neutral: apk or apt).
pub const HELPERS: &str = include_str!("helpers.bash");

/// The parts of a provisioning script.
pub struct Script<'a> {
    pub context: &'a BTreeMap<String, Value>,
    /// Effective settings, available by their plain names (HOST, RAM, …).
    pub settings: Vec<(&'a str, String)>,
    pub libs: Vec<(String, String)>,
    pub build_script_name: &'a str,
    pub build_script: &'a str,
    pub trace: bool,
}

impl Script<'_> {
    /// Section headers and sizes, for `plan` (never the values).
    pub fn outline(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "context variables: {}",
                if self.context.is_empty() {
                    "(none)".to_string()
                } else {
                    self.context.keys().cloned().collect::<Vec<_>>().join(" ")
                }
            ),
            format!("settings: {} values", self.settings.len()),
            "helper functions: package, persist, addAccount, enableService (isdebian set)"
                .to_string(),
        ];
        for (name, _) in &self.libs {
            out.push(format!("library: {name}"));
        }
        out.push(format!(
            "build script: {} ({} lines){}",
            self.build_script_name,
            self.build_script.lines().count(),
            if self.trace {
                ", traced (VERBOSE=1)"
            } else {
                ""
            }
        ));
        out
    }

    pub fn render(&self) -> String {
        let mut s = String::from("{\n");
        s.push_str("export DEBIAN_FRONTEND=noninteractive\n");
        s.push_str("export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        // The working folder of the original script's provisioning.
        s.push_str("cd /usr/local 2>/dev/null || cd /\n");
        s.push_str("# settings\n");
        for (name, value) in &self.settings {
            s.push_str(&format!("{name}={}\n", shell_quote(value)));
        }
        s.push_str("# context variables\n");
        for (name, value) in self.context {
            match value {
                Value::Scalar(v) => s.push_str(&format!("{name}={}\n", shell_quote(v))),
                Value::Array(decl) => {
                    s.push_str(decl);
                    s.push('\n');
                }
            }
        }
        s.push_str("# helper functions\n");
        s.push_str(HELPERS);
        for (name, text) in &self.libs {
            s.push_str(&format!("# lib/{name}\n"));
            s.push_str(text);
            if !text.ends_with('\n') {
                s.push('\n');
            }
        }
        // not before the container has booted: on a fast start the script
        // would race systemd's early boot (e.g. /tmp being cleaned under apt)
        s.push_str("__git_lxc_wait_boot\n__git_lxc_root_bash\n");
        s.push_str(&format!("# {}\n", self.build_script_name));
        if self.trace {
            s.push_str("set -x\n");
        }
        s.push_str("__git_lxc_build() {\n");
        s.push_str(self.build_script);
        if !self.build_script.ends_with('\n') {
            s.push('\n');
        }
        s.push_str("}\n__git_lxc_build\n__git_lxc_status=$?\n");
        s.push_str("__git_lxc_finish\nexit $__git_lxc_status\n");
        s.push_str("} </dev/null\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_parses_and_carries_values() {
        let mut ctx = BTreeMap::new();
        ctx.insert(
            "GREETING".to_string(),
            Value::Scalar("it's \"quoted\" $HOME".into()),
        );
        ctx.insert(
            "LIST".to_string(),
            Value::Array("declare -a LIST=([0]=\"a\" [1]=\"b c\")".into()),
        );
        let script = Script {
            context: &ctx,
            settings: vec![("HOST", "web".into())],
            libs: vec![("extra.sh".into(), "extra() { :; }".into())],
            build_script_name: "build-target.sh",
            build_script: "#!/bin/bash\necho \"$GREETING|${LIST[1]}|$HOST|$PWD\"\nread -r x && echo \"read: $x\"\necho done",
            trace: false,
        };
        let text = script.render();
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "package() {{ :; }}\n{}",
                text.replace("__git_lxc_finish\n", "")
                    .replace("__git_lxc_root_bash\n", "")
            ))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("it's \"quoted\" $HOME|b c|web|/usr/local"),
            "{stdout}"
        );
        assert!(
            !stdout.contains("read:"),
            "stdin must be /dev/null: {stdout}"
        );
        assert!(stdout.contains("done"));
    }

    /// The helpers' package lists, with apk and apt-get played by functions.
    fn installs(isdebian: &str, calls: &str) -> String {
        let stubs = "apk() { if [ \"$1\" = search ]; then [ \"$5\" = php83 ] && echo php83; return 0; fi; echo \"apk $*\"; }\n\
            apt-get() { echo \"apt-get $*\"; }\nln() { echo \"ln $*\"; }\n";
        let text = format!("{HELPERS}\n{stubs}isdebian={isdebian}\n{calls}");
        let out = std::process::Command::new("bash")
            .args(["-c", &text])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // (`ln -sfT vim vi` follows when this machine has vim)
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("ln "))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    #[test]
    fn package_lists_are_the_originals() {
        let calls = "package common\npackage php gd curl\npackage add git\npackage install\n";
        assert_eq!(
            installs("", calls),
            "apk add --no-cache iputils logrotate nmap procps openssh-server rsync sudo tar tree util-linux vim xz php83-gd php83-curl git\n"
        );
        assert_eq!(
            installs("1", calls),
            "apt-get update -q\napt-get install -y -q nmap rsync tree sudo xz-utils php-gd php-curl git\n"
        );
    }
}
