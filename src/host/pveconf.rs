//! The Proxmox container config file format (reference/pct.md §4): the
//! description's percent-encoded `#` lines, `key: value` options and raw
//! `lxc.*` lines.

use std::collections::BTreeMap;

/// The parts of a container config git-lxc reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfFile {
    pub description: String,
    pub options: BTreeMap<String, String>,
    pub lxc: Vec<(String, String)>,
}

impl ConfFile {
    /// Parse the current (top) section; pending and snapshot sections are skipped.
    pub fn parse(text: &str) -> ConfFile {
        let mut conf = ConfFile::default();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            if trimmed.starts_with('[') {
                break;
            }
            if let Some(encoded) = line.strip_prefix('#') {
                conf.description.push_str(&decode(encoded));
                conf.description.push('\n');
            } else if let Some((key, value)) = split_entry(trimmed) {
                if key.starts_with("lxc.") {
                    conf.lxc.push((key.to_string(), value.to_string()));
                } else if key == "description" {
                    conf.description.push_str(&decode(value));
                } else {
                    conf.options.insert(key.to_string(), value.to_string());
                }
            }
        }
        conf
    }
}

impl ConfFile {
    /// Storage-backed mount points (`mpN: local-lvm:vm-…`): lost on destroy.
    pub fn storage_mounts(&self) -> Vec<(String, String)> {
        self.options
            .iter()
            .filter(|(k, _)| k.starts_with("mp") && k[2..].chars().all(|c| c.is_ascii_digit()))
            .filter_map(|(_, v)| {
                let source = v.split(',').next()?.trim_start_matches("volume=");
                let target = v.split(',').find_map(|p| p.strip_prefix("mp="))?;
                (!source.starts_with('/')).then(|| (source.to_string(), target.to_string()))
            })
            .collect()
    }
}

fn split_entry(line: &str) -> Option<(&str, &str)> {
    if line.starts_with("lxc.")
        && let Some((k, v)) = line.split_once('=')
        && !k.contains(':')
    {
        return Some((k.trim(), v.trim()));
    }
    let (k, v) = line.split_once(':')?;
    Some((k.trim(), v.trim()))
}

#[cfg(test)]
/// Whether pct writes `b` literally in a description line.
fn literal(b: u8) -> bool {
    matches!(b, 0x20..=0x24 | 0x26..=0x39 | 0x3B..=0x7E)
}

#[cfg(test)]
/// Encode one description line as pct stores it.
pub fn encode(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for b in line.bytes() {
        if literal(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_round_trip() {
        let text = "web server: 100% ready\nsecond\tline é";
        let file: String = text.lines().map(|l| format!("#{}\n", encode(l))).collect();
        assert!(file.contains("#web server%3A 100%25 ready"));
        let conf = ConfFile::parse(&file);
        assert_eq!(conf.description, format!("{text}\n"));
    }

    #[test]
    fn parses_pct_example() {
        let text = "#web server%3A production\n#second line\narch: amd64\ncores: 2\nmp0: /srv/data,mp=/data\nnet0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:12:34:56,ip=10.0.0.5/24,type=veth\ntags: prod;web\nlxc.cgroup2.devices.allow: c 10:200 rwm\nlxc.idmap = u 0 100000 1000\n\n[pve:pending]\ncores: 4\n";
        let c = ConfFile::parse(text);
        assert_eq!(c.description, "web server: production\nsecond line\n");
        assert_eq!(c.options.get("cores").map(String::as_str), Some("2"));
        assert_eq!(c.lxc.len(), 2);
        assert_eq!(
            c.lxc[1],
            ("lxc.idmap".to_string(), "u 0 100000 1000".to_string())
        );
    }
}
