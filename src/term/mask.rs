//! Masking of secret values (everything a `.env` file defines).

/// What a secret is replaced with in every output.
pub const MASK: &str = "********";

/// Values shorter than this are not masked: replacing every `1` or `yes` in
/// the output would hide more than it protects. `verify` warns about them.
pub const MIN_SECRET_LEN: usize = 4;

/// Replaces known secret values with [`MASK`].
#[derive(Debug, Clone, Default)]
pub struct Masker {
    // Longest first, so a secret containing another is masked whole.
    values: Vec<String>,
}

/// Why a `.env` value is not masked, if it is not (SPEC §7): masking it
/// would garble the output and give nothing away.
pub fn exempt(value: &str, public: &[&str]) -> Option<&'static str> {
    let value = value.trim_end_matches(['\r', '\n']);
    if value.chars().count() < MIN_SECRET_LEN {
        return Some("shorter than 4 characters");
    }
    if value.chars().all(|c| c.is_ascii_digit()) {
        return Some("a whole number (an id or a port)");
    }
    if public.contains(&value) {
        return Some("it also stands in the tracked tree");
    }
    None
}

/// The forms a value takes in the output of shells and formats: bash's
/// `'…'\''…'` quoting (xtrace), `printf %q`, JSON string escapes, and the
/// percent-encoding of GitHub annotations.
fn forms(value: &str) -> Vec<String> {
    let quoted = value.replace('\'', r"'\''");
    let printf_q: String = value
        .chars()
        .flat_map(|c| {
            let special = !(c.is_ascii_alphanumeric() || "_-./:,+@%=".contains(c));
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect();
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    let percent = value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    let property = percent.replace(':', "%3A").replace(',', "%2C");
    vec![quoted, printf_q, json, percent, property]
}

impl Masker {
    pub fn add(&mut self, value: &str) {
        let value = value.trim_end_matches(['\r', '\n']);
        if exempt(value, &[]).is_some() || self.values.iter().any(|v| v == value) {
            return;
        }
        self.values.push(value.to_string());
        for form in forms(value) {
            if form != value && !self.values.contains(&form) {
                self.values.push(form);
            }
        }
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        // A multi-line secret may also leak one line at a time.
        if value.contains('\n') {
            for line in value.lines() {
                self.add(line);
            }
        }
    }

    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_longest_first_and_skips_short_values() {
        let mut m = Masker::default();
        m.add("hunter2");
        m.add("hunter2-extended");
        m.add("yes");
        assert_eq!(
            m.mask("a hunter2-extended b hunter2 c yes"),
            "a ******** b ******** c yes"
        );
    }

    #[test]
    fn the_forms_shells_and_formats_write_are_masked_too() {
        let mut m = Masker::default();
        m.add("it's \"50%\" $ecret\r\n");
        for form in [
            r#"it'\''s "50%" $ecret"#,
            r#"it\'s\ \"50%\"\ \$ecret"#,
            r#"it's \"50%\" $ecret"#,
            r#"it's "50%25" $ecret"#,
        ] {
            assert_eq!(m.mask(&format!("<{form}>")), "<********>", "{form}");
        }
        // bash's own quoting, as `set -x` and `printf %q` print it
        let out = std::process::Command::new("bash")
            .args([
                "-c",
                "v=$1; printf '%q\\n' \"$v\"; set -x; : \"$v\"",
                "-",
                "it's \"50%\" $ecret",
            ])
            .output()
            .unwrap();
        let both = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!m.mask(&both).contains("ecret"), "{both}");
        assert_eq!(
            exempt("1000", &[]),
            Some("a whole number (an id or a port)")
        );
        assert_eq!(
            exempt("pihole", &["pihole"]),
            Some("it also stands in the tracked tree")
        );
        assert_eq!(exempt("hunter22", &["pihole"]), None);
    }

    #[test]
    fn multi_line_secret_is_masked_per_line_too() {
        let mut m = Masker::default();
        m.add("line-one\nline-two");
        assert_eq!(m.mask("got line-two here"), "got ******** here");
    }
}
