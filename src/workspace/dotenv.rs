//! What the build and `verify` both decide about a `.env`'s text, so the
//! refusal and the finding name the same line and give the same fix.

use crate::host::process::shell_quote;

/// The first line (1-based) that ends in CRLF. Bash keeps the `\r` in the
/// value, so a program prints what no mask of the value matches.
pub fn first_crlf_line(text: &str) -> Option<usize> {
    text.split('\n')
        .position(|l| l.ends_with('\r'))
        .map(|i| i + 1)
}

/// How to convert a CRLF `.env` at `rel`, quoted to be pasted as it is.
pub fn crlf_fix(rel: &str) -> String {
    format!("convert it: sed -i 's/\\r$//' {}", shell_quote(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_crlf_line_counts_from_one() {
        assert_eq!(first_crlf_line("A=1\nB=2\r\nC=3\r\n"), Some(2));
        assert_eq!(first_crlf_line("A=1\nB=2\n"), None);
        assert_eq!(first_crlf_line("A=1\r"), Some(1));
    }

    #[test]
    fn the_fix_quotes_the_path() {
        assert_eq!(
            crlf_fix("web/.env"),
            r"convert it: sed -i 's/\r$//' web/.env"
        );
        assert_eq!(
            crlf_fix("odd $(x)/.env"),
            r"convert it: sed -i 's/\r$//' 'odd $(x)/.env'"
        );
    }
}
