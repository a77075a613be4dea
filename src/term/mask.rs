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

impl Masker {
    pub fn add(&mut self, value: &str) {
        let value = value.trim_end_matches('\n');
        if value.chars().count() < MIN_SECRET_LEN || self.values.iter().any(|v| v == value) {
            return;
        }
        self.values.push(value.to_string());
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
    fn multi_line_secret_is_masked_per_line_too() {
        let mut m = Masker::default();
        m.add("line-one\nline-two");
        assert_eq!(m.mask("got line-two here"), "got ******** here");
    }
}
