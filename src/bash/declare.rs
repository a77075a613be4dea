//! Reading `declare -p` output: bash's own description of every variable,
//! one `declare -FLAGS NAME[=WORD]` a variable, WORD quoted the way bash
//! quotes it (`"…"`, `$'…'`, `'…'`, or `(…)` for arrays).

use anyhow::{Result, bail};

/// One variable as `declare -p` printed it, borrowed from the dump; its
/// value is decoded only when asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl<'a> {
    pub name: &'a str,
    /// The attribute letters (`a`, `A`, `x`, `i`, …); empty for `--`.
    pub flags: &'a str,
    /// The whole declaration, as bash printed it.
    pub text: &'a str,
    /// The value as bash quoted it (after `=`); empty when there is none.
    quoted: &'a str,
}

impl Decl<'_> {
    pub fn is_array(&self) -> bool {
        self.flags.contains(['a', 'A'])
    }

    /// The value of a scalar (empty when declared without one); the
    /// element values of an array, in bash's order.
    pub fn values(&self) -> Vec<String> {
        if self.quoted.is_empty() {
            return Vec::new();
        }
        let mut p = Cursor::new(self.quoted);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        // The text was read once already, so it decodes.
        if p.peek() == Some(b'(') {
            let _ = p.array(&mut buf, &mut |v| out.push(v));
        } else if p.word(&mut buf).is_ok() {
            out.push(String::from_utf8_lossy(&buf).into_owned());
        }
        out
    }

    pub fn scalar(&self) -> String {
        self.values().into_iter().next().unwrap_or_default()
    }
}

/// Every declaration in `dump`.
pub fn parse(dump: &str) -> Result<Vec<Decl<'_>>> {
    let mut p = Cursor::new(dump);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        while p.peek() == Some(b'\n') {
            p.at += 1;
        }
        if p.peek().is_none() {
            return Ok(out);
        }
        out.push(p.decl(dump, &mut buf)?);
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn new(s: &str) -> Cursor<'_> {
        Cursor {
            s: s.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        let found = self.s[self.at..].starts_with(lit);
        if found {
            self.at += lit.len();
        }
        found
    }

    fn until(&mut self, stop: impl Fn(u8) -> bool) -> &str {
        let start = self.at;
        while self.peek().is_some_and(|c| !stop(c)) {
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at]).unwrap_or("")
    }

    fn error(&self, what: &str) -> anyhow::Error {
        let line = self.s[..self.at].iter().filter(|&&c| c == b'\n').count() + 1;
        anyhow::anyhow!("cannot read bash's `declare -p` output: {what} (line {line})")
    }

    fn decl<'a>(&mut self, dump: &'a str, buf: &mut Vec<u8>) -> Result<Decl<'a>> {
        let start = self.at;
        if !self.eat(b"declare -") {
            return Err(self.error("expected `declare -`"));
        }
        let flags_at = self.at;
        self.until(|c| c == b' ');
        let flags = dump[flags_at..self.at].trim_start_matches('-');
        self.eat(b" ");
        let name_at = self.at;
        self.until(|c| c == b'=' || c == b'\n');
        let name = &dump[name_at..self.at];
        if name.is_empty() {
            return Err(self.error("a declaration without a name"));
        }
        let mut quoted = "";
        if self.eat(b"=") {
            let value_at = self.at;
            if self.peek() == Some(b'(') {
                self.array(buf, &mut drop)?;
            } else {
                self.word(buf)?;
            }
            quoted = &dump[value_at..self.at];
        }
        let end = self.at;
        if !(self.eat(b"\n") || self.peek().is_none()) {
            return Err(self.error(&format!("unexpected text after {name}")));
        }
        Ok(Decl {
            name,
            flags,
            text: &dump[start..end],
            quoted,
        })
    }

    /// `([k]=v [k2]=v2 )`: each value handed to `value`.
    fn array(&mut self, buf: &mut Vec<u8>, value: &mut dyn FnMut(String)) -> Result<()> {
        self.eat(b"(");
        loop {
            while self.peek() == Some(b' ') {
                self.at += 1;
            }
            match self.peek() {
                Some(b')') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'[') => {
                    self.at += 1;
                    self.key(buf)?;
                    if !self.eat(b"]=") {
                        return Err(self.error("expected `]=` in an array"));
                    }
                    self.word(buf)?;
                    value(String::from_utf8_lossy(buf).into_owned());
                }
                _ => return Err(self.error("unexpected text in an array")),
            }
        }
    }

    /// An array key up to its `]`: bare, or quoted like a word.
    fn key(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        match self.peek() {
            Some(b'"' | b'\'') => self.word(buf),
            Some(b'$') if self.s.get(self.at + 1) == Some(&b'\'') => self.word(buf),
            _ => {
                self.until(|c| c == b']');
                Ok(())
            }
        }
    }

    /// One word, decoded into `out`: quoted pieces and bare text up to a
    /// blank, `)`, `]` or newline.
    fn word(&mut self, out: &mut Vec<u8>) -> Result<()> {
        out.clear();
        loop {
            match self.peek() {
                None | Some(b' ' | b'\n' | b')' | b']') => break,
                Some(b'"') => {
                    self.at += 1;
                    self.double_quoted(out)?;
                }
                Some(b'\'') => {
                    self.at += 1;
                    let start = self.at;
                    self.until(|c| c == b'\'');
                    out.extend_from_slice(&self.s[start..self.at]);
                    if !self.eat(b"'") {
                        return Err(self.error("unterminated '…'"));
                    }
                }
                Some(b'$') if self.s.get(self.at + 1) == Some(&b'\'') => {
                    self.at += 2;
                    self.ansi_c(out)?;
                }
                Some(b'\\') if self.at + 1 < self.s.len() => {
                    out.push(self.s[self.at + 1]);
                    self.at += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
        Ok(())
    }

    fn double_quoted(&mut self, out: &mut Vec<u8>) -> Result<()> {
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated \"…\"")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let next = self.s.get(self.at + 1).copied();
                    match next {
                        Some(b'"' | b'\\' | b'$' | b'`') => out.push(next.unwrap_or_default()),
                        Some(b'\n') => {}
                        _ => {
                            out.push(b'\\');
                            self.at += 1;
                            continue;
                        }
                    }
                    self.at += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// The body of `$'…'`, after its opening quote.
    fn ansi_c(&mut self, out: &mut Vec<u8>) -> Result<()> {
        loop {
            let c = self.peek().ok_or_else(|| self.error("unterminated $'…'"))?;
            self.at += 1;
            if c == b'\'' {
                return Ok(());
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            let e = self.peek().ok_or_else(|| self.error("unterminated $'…'"))?;
            self.at += 1;
            match e {
                b'a' => out.push(7),
                b'b' => out.push(8),
                b'e' | b'E' => out.push(0x1b),
                b'f' => out.push(0x0c),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'v' => out.push(0x0b),
                b'c' => {
                    let x = self.peek().unwrap_or(b'@');
                    self.at += 1;
                    out.push(x & 0x1f);
                }
                b'0'..=b'7' => {
                    self.at -= 1;
                    let n = self.number(8, 3);
                    out.push(n as u8);
                }
                b'x' => {
                    let n = self.number(16, 2);
                    out.push(n as u8);
                }
                b'u' | b'U' => {
                    let n = self.number(16, if e == b'u' { 4 } else { 8 });
                    let ch = char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER);
                    out.extend_from_slice(ch.to_string().as_bytes());
                }
                other => {
                    if !b"\\'\"?".contains(&other) {
                        out.push(b'\\');
                    }
                    out.push(other);
                }
            }
        }
    }

    fn number(&mut self, radix: u32, max: usize) -> u32 {
        let mut n = 0;
        for _ in 0..max {
            match self.peek().and_then(|c| (c as char).to_digit(radix)) {
                Some(d) => {
                    n = n * radix + d;
                    self.at += 1;
                }
                None => break,
            }
        }
        n
    }
}

/// Fail on a dump that is not `declare -p` output at all.
pub fn expect_dump(dump: &str) -> Result<Vec<Decl<'_>>> {
    if !dump.is_empty() && !dump.starts_with("declare -") {
        bail!("cannot read bash's `declare -p` output: it starts with {dump:.20?}");
    }
    parse(dump)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What bash itself prints, read back to the values it was given.
    #[test]
    fn reads_back_what_bash_prints() {
        let script = r#"
            s='plain'; q='a "quoted" $x `y` \z'; nl=$'two\nlines\ttab\x01'
            u=$'caf\u00e9'; declare -i n=42; declare -n ref=s; declare empty
            a=(one "two words" $'three\nlines'); declare -A m=([k]='v 1' ["a b"]=$'\n')
            e=()
            declare -p s q nl u n ref empty a m e
        "#;
        let out = std::process::Command::new("bash")
            .args(["-c", script])
            .output()
            .unwrap();
        let dump = String::from_utf8(out.stdout).unwrap();
        let decls = expect_dump(&dump).unwrap();
        let get = |n: &str| decls.iter().find(|d| d.name == n).unwrap();
        let one = |n: &str| get(n).scalar();
        assert_eq!(one("s"), "plain");
        assert_eq!(one("q"), "a \"quoted\" $x `y` \\z");
        assert_eq!(one("nl"), "two\nlines\ttab\x01");
        assert_eq!(one("u"), "café");
        assert_eq!(one("n"), "42");
        assert_eq!(get("n").flags, "i");
        assert_eq!(one("ref"), "s");
        assert_eq!(one("empty"), "");
        assert!(get("a").is_array());
        assert_eq!(get("a").values(), vec!["one", "two words", "three\nlines"]);
        assert_eq!(
            get("a").text,
            r#"declare -a a=([0]="one" [1]="two words" [2]=$'three\nlines')"#
        );
        let mut m = get("m").values();
        m.sort();
        assert_eq!(m, vec!["\n", "v 1"]);
        assert!(get("e").values().is_empty());
        assert_eq!(decls.len(), 10);
    }

    #[test]
    fn multi_line_double_quotes_and_errors() {
        let d = parse("declare -- x=\"one\ntwo\"\ndeclare -x Y=\"1\"\n").unwrap();
        assert_eq!(d[0].scalar(), "one\ntwo");
        assert_eq!(d[1].flags, "x");
        assert!(expect_dump("hi\ndeclare -- x=1\n").is_err());
        assert!(parse("declare -- x=\"open\n").is_err());
    }
}
