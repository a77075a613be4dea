//! The value rules: what each kind of setting accepts.

use super::table::{Kind, OSTYPES};

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" | "" => Some(false),
        _ => None,
    }
}

/// `Ok` when `ok`, else the rule as the error.
fn rule(ok: bool, rule: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(rule.to_string()) }
}

/// The first item of a list that breaks `valid`, as the error.
fn every(v: &str, valid: impl Fn(&str) -> bool, what: &str) -> Result<(), String> {
    match split_list(v).find(|item| !valid(item)) {
        Some(item) => Err(format!("'{item}' {what}")),
        None => Ok(()),
    }
}

fn is_ctid(v: &str) -> bool {
    v.len() <= 9
        && v.starts_with(|c: char| ('1'..='9').contains(&c))
        && v.chars().all(|c| c.is_ascii_digit())
        && v.parse::<u32>().is_ok_and(|n| n >= 100)
}

/// GiB: digits with an optional fraction, above zero, no unit.
fn is_size(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let shape = match v.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(v),
    };
    shape && v.parse::<f64>().is_ok_and(|f| f > 0.0)
}

fn in_range(v: &str, min: i64, max: i64) -> bool {
    v.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n))
}

fn is_ident(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn is_tag(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+.-".contains(c))
}

/// Check one value; the error is the rule it breaks.
pub fn check(kind: Kind, v: &str) -> Result<(), String> {
    match kind {
        Kind::Ctid => rule(is_ctid(v), "must be a whole number from 100 to 999999999"),
        Kind::Int { min, max } => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            Ok(_) => Err(format!("must be from {min} to {max}")),
            Err(_) => Err("must be a whole number".into()),
        },
        Kind::Size => rule(
            is_size(v),
            "must be a size in GiB such as 0.5 or 8 (no unit)",
        ),
        Kind::Bool => rule(parse_bool(v).is_some(), "must be 0 or 1"),
        Kind::Hostname => rule(
            is_hostname(v),
            "must be a DNS name: letters, digits and '-' in dot-separated labels, no '_'",
        ),
        Kind::Mac => rule(
            is_unicast_mac(v),
            "must be a unicast MAC address XX:XX:XX:XX:XX:XX (second hex digit even)",
        ),
        Kind::Net => rule(
            v == "dhcp" || v == "manual" || is_ipv4_cidr(v),
            "must be dhcp, manual or an IPv4 address with prefix length 8-32 (10.0.0.5/24)",
        ),
        Kind::Ipv4 => rule(is_ipv4(v), "must be an IPv4 address"),
        Kind::Vlan => rule(in_range(v, 1, 4094), "must be a VLAN tag from 1 to 4094"),
        Kind::Mtu => rule(in_range(v, 64, 65535), "must be an MTU from 64 to 65535"),
        Kind::OsType => rule(
            OSTYPES.contains(&v),
            &format!("must be one of: {}", OSTYPES.join(", ")),
        ),
        Kind::Ident => rule(
            is_ident(v),
            "must be a name of letters, digits, '-', '_' and '.'",
        ),
        Kind::Features => check_features(v),
        Kind::Tags => every(
            v,
            is_tag,
            "may only hold letters, digits and _+.- (not first)",
        )
        .map_err(|e| format!("tag {e}")),
        Kind::IpList => every(
            v,
            |a| a.parse::<std::net::IpAddr>().is_ok(),
            "is not an IP address",
        ),
        Kind::DomainList => every(v, is_hostname, "is not a DNS name"),
        Kind::Text => Ok(()),
    }
}

/// Items of a `,`, `;` or space separated list.
pub fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split([',', ';', ' ', '\t']).filter(|s| !s.is_empty())
}

pub fn is_hostname(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 255
        && v.split('.').all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

pub fn is_unicast_mac(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
        && u8::from_str_radix(parts[0], 16).is_ok_and(|b| b & 1 == 0)
}

pub fn is_ipv4(v: &str) -> bool {
    v.parse::<std::net::Ipv4Addr>().is_ok()
}

pub fn is_ipv4_cidr(v: &str) -> bool {
    v.split_once('/').is_some_and(|(ip, len)| {
        is_ipv4(ip)
            && len.parse::<u8>().is_ok_and(|n| (8..=32).contains(&n))
            && !len.starts_with('+')
    })
}

fn check_features(v: &str) -> Result<(), String> {
    const BOOLS: &[&str] = &["nesting", "keyctl", "fuse", "mknod", "force_rw_sys"];
    for item in v.split(',') {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!("'{item}' must be key=value, e.g. nesting=1"));
        };
        if BOOLS.contains(&key) {
            if parse_bool(value).is_none() || value.is_empty() {
                return Err(format!("{key} must be 0 or 1"));
            }
        } else if key == "mount" {
            if value.is_empty()
                || !value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_; ".contains(c))
            {
                return Err("mount must list filesystem types separated by ';'".into());
            }
        } else {
            return Err(format!(
                "unknown feature '{key}' (known: nesting, keyctl, fuse, mknod, force_rw_sys, mount)"
            ));
        }
    }
    Ok(())
}
