//! Secrets in tracked files: literal values assigned to secret-looking names
//! in shell (other formats: [`super::formats`]), and private keys. Findings
//! never quote the value.

use super::Finding;

/// Parts of a variable name that mark its value as a secret.
const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "TOKEN", "SECRET", "API_KEY", "APIKEY"];

/// Names that hold where a secret is, not the secret (`TOKEN_FILE=/run/…`).
const LOCATION_SUFFIXES: &[&str] = &["_FILE", "_PATH", "_DIR"];

/// Values that are switches, not secrets (`API_TOKEN_ENABLED=yes`).
const SWITCHES: &[&str] = &["true", "false", "yes", "no", "on", "off"];

/// Findings for one tracked file (`rel` is work-tree relative).
pub fn scan(rel: &str, text: &str) -> Vec<Finding> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    // `.env.example` holds blank or dummy values by design.
    let example = name == ".env.example";
    let shell = super::formats::is_shell(rel, text);
    let mut findings = Vec::new();
    if !shell {
        findings.extend(super::formats::scan(rel, text));
    }
    for (i, line) in text.lines().enumerate() {
        if is_private_key_header(line) {
            findings.push(Finding::new(
                "private-key",
                rel,
                Some(i + 1),
                format!("{rel} holds a private key"),
                "keep keys out of git: put it under data/ or in .env (both ignored), then remove it from the history and replace the key",
            ));
            continue;
        }
        if !shell || example || line.trim_start().starts_with('#') {
            continue;
        }
        for var in literal_secret_assignments(line) {
            findings.push(Finding::new(
                "secret-literal",
                rel,
                Some(i + 1),
                format!("{var} is assigned a literal value in a tracked file"),
                format!(
                    "move {var}=… to the container's .env (never committed) and list {var} in .env.example; if this was pushed, change the secret"
                ),
            ));
        }
    }
    findings
}

fn is_private_key_header(line: &str) -> bool {
    line.find("-----BEGIN ")
        .is_some_and(|at| line[at..].contains("PRIVATE KEY"))
}

fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
        && !LOCATION_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// The secret-looking names `line` assigns a literal, non-empty value to.
/// `$VAR`, `${…}`, `$(…)` and backquotes are references, not literals.
fn literal_secret_assignments(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    for (eq, _) in line.match_indices('=') {
        if bytes.get(eq + 1) == Some(&b'=') {
            continue;
        }
        let end = if eq > 0 && bytes[eq - 1] == b'+' {
            eq - 1
        } else {
            eq
        };
        let start = line[..end]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &line[start..end];
        let boundary = start == 0 || b" \t;&|(\"'`".contains(&bytes[start - 1]);
        if name.is_empty()
            || name.starts_with(|c: char| c.is_ascii_digit())
            || !boundary
            || !is_secret_name(name)
        {
            continue;
        }
        if is_literal(&line[eq + 1..]) {
            found.push(name);
        }
    }
    found
}

/// Whether the value at the start of `rest` is a non-empty literal.
fn is_literal(rest: &str) -> bool {
    // A `$` even between single quotes is a reference when those quotes
    // stand inside a double-quoted string (`echo "PW='$PW'" >> f`), or in a
    // file written for a later shell: never a literal secret.
    let value = if let Some(quoted) = rest.strip_prefix('\'') {
        let inner = quoted.split('\'').next().unwrap_or("");
        if inner.contains(['$', '`']) {
            return false;
        }
        inner
    } else if let Some(quoted) = rest.strip_prefix('"') {
        let inner = quoted.split('"').next().unwrap_or("");
        if inner.contains(['$', '`']) {
            return false;
        }
        inner
    } else {
        let word = rest
            .split(|c: char| c.is_whitespace() || ";&|()<>\"'`".contains(c))
            .next()
            .unwrap_or("");
        if word.contains('$') || rest.starts_with(['(', '`']) {
            return false;
        }
        word
    };
    value.chars().count() > 2 && !SWITCHES.contains(&value.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<&str> {
        literal_secret_assignments(line)
    }

    #[test]
    fn literal_assignments_are_secrets() {
        assert_eq!(names("DB_PASSWORD=hunter22"), ["DB_PASSWORD"]);
        assert_eq!(names("export API_TOKEN='abc123'"), ["API_TOKEN"]);
        assert_eq!(names("local secret=\"s3cr3t\""), ["secret"]);
        assert_eq!(
            names("echo \"ADMIN_PASSWD=topsecret\" >> /etc/app.env"),
            ["ADMIN_PASSWD"]
        );
        assert_eq!(names("X=1; MY_API_KEY=k-123 cmd"), ["MY_API_KEY"]);
        assert_eq!(names("TOKEN+=more"), ["TOKEN"]);
    }

    #[test]
    fn references_and_empty_values_are_not() {
        for line in [
            "DB_PASSWORD=$DB_PASSWORD",
            "DB_PASSWORD=\"${DB_PASSWORD:-}\"",
            "TOKEN=$(cat /usr/local/data/token)",
            "TOKEN=`cat token`",
            "TOKEN=\"pre-$SUFFIX\"",
            "PASSWORD=",
            "PASSWORD=\"\"",
            "PASSWORD=''",
            "TOKEN_FILE=/usr/local/data/token",
            "API_TOKEN_ENABLED=yes",
            "[ \"$TOKEN\" == \"x\" ]",
            "sed -i \"s/^password=.*/password=$PW/\" f",
            "echo ${SECRET:=default}",
            "TOKENS=(a b)",
            "mysql --password=hunter22",
            "echo \"DB_PASSWORD='$DB_PASSWORD'\" >> /etc/app.env",
            "echo \"ADMIN_TOKEN=\\\"${ADMIN_TOKEN}\\\"\" > /usr/local/data/env",
            "printf '%s\\n' \"SECRET='${SECRET}'\" >f",
        ] {
            assert!(names(line).is_empty(), "{line}: {:?}", names(line));
        }
    }

    #[test]
    fn scan_reports_lines_skips_comments_and_examples() {
        let f = scan(
            "web/configSettings",
            "# PASSWORD=in-a-comment\nOPT_RAM=1\nADMIN_TOKEN=abcdef\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].rule, f[0].line), ("secret-literal", Some(3)));
        assert!(!f[0].message.contains("abcdef"));
        assert!(scan("web/.env.example", "ADMIN_TOKEN=dummy-value\n").is_empty());
    }

    #[test]
    fn private_keys_are_found_in_any_file() {
        let text =
            "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n";
        let f = scan("web/conf/id_ed25519", text);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].rule, f[0].line), ("private-key", Some(2)));
        assert!(scan("web/.env.example", "-----BEGIN RSA PRIVATE KEY-----\n").len() == 1);
        assert!(scan("web/conf/cert.pem", "-----BEGIN CERTIFICATE-----\n").is_empty());
    }
}
