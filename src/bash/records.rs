//! Reading the results `settings.bash` writes on its own descriptor: NUL
//! separated records (see the script's header), each variable dump being
//! `declare -p` output.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result, bail};

use super::declare::{self, Decl};
use super::{Evaluated, Value};

/// Names bash sets on its own while the files run; never the files'.
const BASH_OWN: &[&str] = &[
    "_",
    "BASH_REMATCH",
    "PIPESTATUS",
    "FUNCNAME",
    "OPTARG",
    "OPTIND",
    "REPLY",
    "COLUMNS",
    "LINES",
    // Exported by bash itself.
    "PWD",
    "OLDPWD",
    "SHLVL",
    // Set by the script for the files to read.
    "ROOT_PATH",
    "ROOT_DIR",
];

/// The containers' results, in order (without their output and parse
/// failures, which travel on the other stream).
pub fn parse(out: &[u8]) -> Result<Vec<Evaluated>> {
    let text = String::from_utf8_lossy(out);
    let mut fields = text.split('\0');
    let mut results: Vec<Evaluated> = Vec::new();
    // Every variable before the files ran: bash's own by name, and what
    // git-lxc's environment gave (exported) with its declaration.
    let mut base: HashMap<&str, Option<&str>> = HashMap::new();
    // The dump before the first .env of the current container.
    let mut before_env: HashMap<&str, &str> = HashMap::new();
    while let Some(tag) = fields.next() {
        if tag.is_empty() {
            continue;
        }
        let mut next = || {
            fields
                .next()
                .with_context(|| format!("bash's results ended inside a '{tag}' record"))
        };
        match tag {
            "B" => {
                base = declare::expect_dump(next()?)?
                    .into_iter()
                    .map(|d| (d.name, d.flags.contains('x').then_some(d.text)))
                    .collect()
            }
            "C" => results.push(Evaluated {
                name: next()?.to_string(),
                ..Default::default()
            }),
            "P1" => {
                before_env = files_own(&base, next()?)?
                    .into_iter()
                    .map(|d| (d.name, d.text))
                    .collect();
            }
            "P3" => {
                let after = files_own(&base, next()?)?;
                current(&mut results)?.secrets = secrets(&before_env, after);
            }
            "V" => {
                let vars = files_own(&base, next()?)?;
                current(&mut results)?.vars = values(vars);
            }
            "L" => {
                current(&mut results)?.functions = next()?
                    .lines()
                    .filter(|f| !f.is_empty() && !f.starts_with("__gl_"))
                    .map(str::to_string)
                    .collect();
            }
            "E" => current(&mut results)?.complete = true,
            other => bail!("unexpected record {other:.20?} in bash's results"),
        }
    }
    Ok(results)
}

fn current(results: &mut [Evaluated]) -> Result<&mut Evaluated> {
    results
        .last_mut()
        .context("bash's results hold a record before any container")
}

/// The declarations in `dump` of variables the files defined, or gave an
/// environment variable another value (`USER=` in a `.env`).
fn files_own<'a>(base: &HashMap<&str, Option<&str>>, dump: &'a str) -> Result<Vec<Decl<'a>>> {
    Ok(declare::expect_dump(dump)?
        .into_iter()
        .filter(|d| {
            let own = match base.get(d.name) {
                None => true,
                Some(given) => given.is_some_and(|text| text != d.text),
            };
            own && !d.name.starts_with("__gl_") && !BASH_OWN.contains(&d.name)
        })
        .collect())
}

/// What the `.env` files defined or changed: every value of each.
fn secrets(before: &HashMap<&str, &str>, after: Vec<Decl>) -> Vec<(String, String)> {
    after
        .into_iter()
        .filter(|d| !d.name.starts_with("BASH_") && before.get(d.name) != Some(&d.text))
        .flat_map(|d| {
            let name = d.name.to_string();
            d.values().into_iter().map(move |v| (name.clone(), v))
        })
        .collect()
}

fn values(vars: Vec<Decl>) -> BTreeMap<String, Value> {
    vars.into_iter()
        .map(|d| {
            let value = if d.is_array() {
                Value::Array(d.text.to_string())
            } else {
                Value::Scalar(d.scalar())
            };
            (d.name.to_string(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variables_secrets_and_functions() {
        let out = "B\0declare -x PATH=\"/bin\"\ndeclare -- _=\"x\"\n\0\
            C\0web\0\
            P1\0declare -x PATH=\"/bin\"\ndeclare -- OPT_RAM=\"256\"\ndeclare -- __gl_i=\"1\"\n\0\
            P3\0declare -x PATH=\"/bin\"\ndeclare -- OPT_RAM=\"256\"\ndeclare -- PASS=\"pw12\"\ndeclare -a KEYS=([0]=\"k1\" [1]=\"k2\")\n\0\
            V\0declare -- OPT_RAM=\"512\"\ndeclare -- PASS=\"pw12\"\ndeclare -- ROOT_DIR=\"web\"\ndeclare -a L=([0]=\"x\")\ndeclare -- _=\"V\"\n\0\
            L\0HOOK_preBuild\n__gl_mark\nhelper\n\0E\0\
            C\0db\0";
        let r = parse(out.as_bytes()).unwrap();
        assert_eq!(r.len(), 2);
        let web = &r[0];
        assert_eq!(web.scalar("OPT_RAM"), Some("512"));
        assert_eq!(web.scalar("PASS"), Some("pw12"));
        assert!(!web.vars.contains_key("ROOT_DIR") && !web.vars.contains_key("_"));
        assert!(
            matches!(web.vars.get("L"), Some(Value::Array(t)) if t == "declare -a L=([0]=\"x\")")
        );
        let secrets: Vec<_> = web
            .secrets
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(secrets, ["PASS=pw12", "KEYS=k1", "KEYS=k2"]);
        assert_eq!(web.functions, ["HOOK_preBuild", "helper"]);
        assert!(web.complete && !r[1].complete);
        assert!(parse(b"hi\0").is_err());
    }

    #[test]
    fn an_environment_variable_the_files_change_is_theirs() {
        let out = "B\0declare -x USER=\"caller\"\ndeclare -x HOME=\"/root\"\ndeclare -- BASHPID=\"7\"\n\0\
            C\0web\0\
            P1\0declare -x USER=\"caller\"\ndeclare -x HOME=\"/root\"\n\0\
            P3\0declare -x USER=\"svc\"\ndeclare -x HOME=\"/root\"\n\0\
            V\0declare -x USER=\"svc\"\ndeclare -x HOME=\"/root\"\ndeclare -- BASHPID=\"8\"\n\0E\0";
        let web = &parse(out.as_bytes()).unwrap()[0];
        assert_eq!(web.vars.keys().collect::<Vec<_>>(), ["USER"]);
        assert_eq!(web.secrets, [("USER".to_string(), "svc".to_string())]);
    }
}
