//! The value rules: what each kind of setting accepts.

use super::table::{Kind, OSTYPES};

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" | "" => Some(false),
        _ => None,
    }
}

/// Check one value; the error is the rule it breaks.
pub fn check(kind: Kind, v: &str) -> Result<(), String> {
    match kind {
        Kind::Ctid => {
            let ok = v.len() <= 9
                && v.starts_with(|c: char| ('1'..='9').contains(&c))
                && v.chars().all(|c| c.is_ascii_digit())
                && v.parse::<u32>().is_ok_and(|n| n >= 100);
            ok.then_some(())
                .ok_or_else(|| "must be a whole number from 100 to 999999999".into())
        }
        Kind::Int { min, max } => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            Ok(_) => Err(format!("must be from {min} to {max}")),
            Err(_) => Err("must be a whole number".into()),
        },
        Kind::Size => {
            let ok = v.split_once('.').map_or_else(
                || !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()),
                |(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
                },
            ) && v.parse::<f64>().is_ok_and(|f| f > 0.0);
            ok.then_some(())
                .ok_or_else(|| "must be a size in GiB such as 0.5 or 8 (no unit)".into())
        }
        Kind::Bool => parse_bool(v)
            .map(|_| ())
            .ok_or_else(|| "must be 0 or 1".into()),
        Kind::Hostname => is_hostname(v).then_some(()).ok_or_else(|| {
            "must be a DNS name: letters, digits and '-' in dot-separated labels, no '_'".into()
        }),
        Kind::Mac => is_unicast_mac(v).then_some(()).ok_or_else(|| {
            "must be a unicast MAC address XX:XX:XX:XX:XX:XX (second hex digit even)".into()
        }),
        Kind::Net => {
            if v == "dhcp" || v == "manual" || is_ipv4_cidr(v) {
                Ok(())
            } else {
                Err(
                    "must be dhcp, manual or an IPv4 address with prefix length 8-32 (10.0.0.5/24)"
                        .into(),
                )
            }
        }
        Kind::Ipv4 => is_ipv4(v)
            .then_some(())
            .ok_or_else(|| "must be an IPv4 address".into()),
        Kind::Vlan => check(Kind::Int { min: 1, max: 4094 }, v)
            .map_err(|_| "must be a VLAN tag from 1 to 4094".into()),
        Kind::Mtu => check(
            Kind::Int {
                min: 64,
                max: 65535,
            },
            v,
        )
        .map_err(|_| "must be an MTU from 64 to 65535".into()),
        Kind::OsType => OSTYPES
            .contains(&v)
            .then_some(())
            .ok_or_else(|| format!("must be one of: {}", OSTYPES.join(", "))),
        Kind::Ident => {
            let ok = v.starts_with(|c: char| c.is_ascii_alphabetic())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            ok.then_some(())
                .ok_or_else(|| "must be a name of letters, digits, '-', '_' and '.'".into())
        }
        Kind::Features => check_features(v),
        Kind::Tags => {
            let bad = split_list(v).find(|t| {
                !t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    || !t
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+.-".contains(c))
            });
            match bad {
                Some(t) => Err(format!(
                    "tag '{t}' may only hold letters, digits and _+.- (not first)"
                )),
                None => Ok(()),
            }
        }
        Kind::IpList => match split_list(v).find(|a| a.parse::<std::net::IpAddr>().is_err()) {
            Some(a) => Err(format!("'{a}' is not an IP address")),
            None => Ok(()),
        },
        Kind::DomainList => match split_list(v).find(|d| !is_hostname(d)) {
            Some(d) => Err(format!("'{d}' is not a DNS name")),
            None => Ok(()),
        },
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
