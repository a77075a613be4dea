//! Secrets in the formats `conf/` holds (SPEC §4): `key: value` and
//! `key = value` pairs of YAML, INI, TOML, JSON and JS files whose key names
//! a password, secret, token or key; password-hash lines (mosquitto
//! `passwd`, htpasswd); and any value in a file named `*secret*`. A value
//! that refers to something else (`${VAR}`, `$VAR`, `{{ var }}`,
//! `!secret name`, `%(var)s`, `<placeholder>`) is no literal.

use super::Finding;

/// Key names (upper-cased) that mark their value as a secret.
const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY"];

/// Values that are switches or empty, not secrets.
const NOT_VALUES: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "null", "none", "~", "[]", "{}", "\"\"", "''",
];

/// Files read as shell, where `content` looks for assignments instead.
pub fn is_shell(rel: &str, text: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let dirs: Vec<&str> = rel.split('/').rev().skip(1).collect();
    let shebang = text
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("#!") && l.contains("sh"));
    matches!(
        name,
        "configSettings" | "defaults" | ".env.example" | "build-target.sh" | "target-bootstrap.sh"
    ) || name.ends_with(".sh")
        || name.ends_with(".bash")
        || shebang
        || dirs.first().is_some_and(|d| *d == "bin" || *d == "lib")
}

/// Findings for one tracked file in a configuration format.
pub fn scan(rel: &str, text: &str) -> Vec<Finding> {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let secret_file = name.contains("secret");
    let mut findings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim();
        if code.is_empty() || code.starts_with(['#', ';', '[']) || code.starts_with("//") {
            continue;
        }
        if let Some(user) = password_hash_user(code) {
            findings.push(Finding::new(
                "password-hash",
                rel,
                Some(i + 1),
                format!("{rel} holds the password hash of '{user}' (a passwd or htpasswd line)"),
                "a hash can be cracked offline: create the file inside the container from a .env value (e.g. `mosquitto_passwd -b`), or keep it under data/",
            ));
            continue;
        }
        let Some((key, value)) = pair(code) else {
            continue;
        };
        if !(secret_file || is_secret_key(key)) || !is_literal(value) {
            continue;
        }
        findings.push(Finding::new(
            "secret-literal",
            rel,
            Some(i + 1),
            format!("`{key}` has a literal value in a tracked file"),
            "keep the value in the container's .env and write it into the file from build-target.sh (or refer to it, e.g. ${VAR}); if this was pushed, change the secret",
        ));
    }
    findings
}

fn is_secret_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase().replace('-', "_");
    SECRET_WORDS.iter().any(|w| upper.contains(w))
        || upper == "KEY"
        || upper == "PSK"
        || (upper.ends_with("_KEY") && !upper.ends_with("PUBLIC_KEY"))
}

/// `key: value`, `key = value`, `"key": "value",`: the key without quotes
/// and the value without its trailing comma or comment.
fn pair(line: &str) -> Option<(&str, &str)> {
    let line = line.strip_prefix("- ").unwrap_or(line);
    let at = line.find([':', '='])?;
    let key = line[..at].trim().trim_matches(['"', '\'']);
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        return None;
    }
    let mut value = line[at + 1..].trim();
    if let Some(cut) = value.find(" #") {
        value = value[..cut].trim_end();
    }
    Some((key, value.trim_end_matches([',', ';']).trim_end()))
}

/// Whether `value` is a literal worth calling a secret.
fn is_literal(value: &str) -> bool {
    let unquoted = value.trim_matches(['"', '\'', '`']);
    let refers = [
        "$",
        "{{",
        "!secret",
        "!env",
        "%(",
        "<",
        "process.env",
        "env(",
    ];
    !(unquoted.chars().count() < 3
        || NOT_VALUES.contains(&value.to_ascii_lowercase().as_str())
        || refers.iter().any(|r| unquoted.contains(r))
        || unquoted.starts_with(['/', '{', '[', '&', '*', '|', '>'])
        || unquoted.parse::<f64>().is_ok())
}

/// The user of a `user:HASH` line: mosquitto's `$6$`/`$7$`, htpasswd's
/// `$apr1$`, `$2y$` (bcrypt), `{SHA}`, or a crypt `$1$`/`$5$`/`$y$` hash.
fn password_hash_user(line: &str) -> Option<&str> {
    let (user, rest) = line.split_once(':')?;
    let ok_user =
        !user.is_empty() && !user.contains(char::is_whitespace) && !user.contains(['"', '\'']);
    let hashed = [
        "$1$", "$2a$", "$2b$", "$2y$", "$5$", "$6$", "$7$", "$apr1$", "$y$", "$argon2",
    ]
    .iter()
    .any(|p| rest.starts_with(p))
        || rest.starts_with("{SHA}");
    (ok_user && hashed && rest.len() > 12).then_some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(rel: &str, text: &str) -> Vec<(&'static str, Option<usize>)> {
        scan(rel, text).iter().map(|f| (f.rule, f.line)).collect()
    }

    #[test]
    fn secrets_in_yaml_ini_json_and_js() {
        let yaml = "mqtt:\n  server: mqtt://localhost\n  user: z2m\n  password: Pa55w0rd-z2m\n  token: ${TOKEN}\nfrontend:\n  port: 8080\n";
        assert_eq!(
            rules("iot/conf/configuration.yaml", yaml),
            [("secret-literal", Some(4))]
        );
        let ini = "[db]\nuser = wp\npassword = hunter22\n; secret = commented\napi_key=\ntoken_ttl = 3600\n";
        assert_eq!(
            rules("blog/conf/app.ini", ini),
            [("secret-literal", Some(3))]
        );
        let json = "{\n  \"name\": \"x\",\n  \"api_key\": \"k-0123456789\",\n  \"secret\": \"{{ vault }}\"\n}\n";
        assert_eq!(
            rules("web/conf/app.json", json),
            [("secret-literal", Some(3))]
        );
        let js = "module.exports = {\n  password: 'abc12345',\n  key: process.env.KEY,\n};\n";
        assert_eq!(
            rules("web/conf/config.js", js),
            [("secret-literal", Some(2))]
        );
        let ha = "db_password: !secret db_password\nssh_public_key: ssh-ed25519 AAAA\n";
        assert!(rules("ha/conf/configuration.yaml", ha).is_empty());
    }

    #[test]
    fn password_hash_lines_and_secret_files() {
        let passwd = "z2m:$7$101$q1xS0dPc9gQ9G0yq$3o8mbN5kLrJ0gEWcVt2MPm4lZQw==\n";
        assert_eq!(
            rules("iot/conf/mosquitto/passwd", passwd),
            [("password-hash", Some(1))]
        );
        let htpasswd = "admin:$apr1$Nq2Zm3Xx$7pYbB9v0d1QX1w2e3r4t5.\n";
        assert_eq!(
            rules("web/conf/.htpasswd", htpasswd),
            [("password-hash", Some(1))]
        );
        let secrets = "mqtt_user: z2m\nmqtt_pw: abcdef123\nempty:\n";
        assert_eq!(
            rules("ha/conf/secrets.yaml", secrets),
            [("secret-literal", Some(1)), ("secret-literal", Some(2))]
        );
        assert!(rules("web/conf/hosts", "127.0.0.1 localhost\nlog: /var/log/x\n").is_empty());
    }

    #[test]
    fn shell_files_are_told_apart() {
        assert!(is_shell("web/configSettings", ""));
        assert!(is_shell("web/bin/backup", "echo\n"));
        assert!(is_shell("web/conf/start", "#!/bin/sh\n"));
        assert!(!is_shell("web/conf/mosquitto/passwd", "u:$7$x\n"));
        assert!(!is_shell("web/conf/app.ini", "a=b\n"));
    }
}
