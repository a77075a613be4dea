//! A `.env` with CRLF line ends: the build refuses it, so `verify` reports
//! it (`env-crlf`) at its first CRLF line in every format, with the build's
//! fix, and does not count the `\r` as part of a value.

use super::{healthy, verify_json};
use crate::support::{Env, pasted, streams_of};

const SECRET: &str = "crlf-canary-51d2";

#[test]
fn a_crlf_env_is_an_error_at_its_first_crlf_line_in_every_format() {
    let env = Env::new();
    healthy(&env);
    env.write(".env", "# shared\nROOT_TOKEN=root-canary-51d2\r\n");
    // `PIN=` is empty and `ABC` has 3 characters once the `\r` is gone.
    env.write(
        "web/.env",
        &format!("DB_PASSWORD={SECRET}\r\nPIN=\r\nABC=abc\r\n"),
    );

    let run = verify_json(&env, &[]);
    assert_eq!(run.code, 1, "{:#?}\n{}", run.findings, run.stderr);
    let root = run.expect("env-crlf", ".env", Some(2));
    assert_eq!(root["severity"], "error");
    assert_eq!(root["hint"], r"convert it: sed -i 's/\r$//' .env");
    let web = run.expect("env-crlf", "web/.env", Some(1));
    let fix = web["hint"].as_str().unwrap();
    let sed = fix.strip_prefix("convert it: ").unwrap();
    assert_eq!(pasted(sed), ["sed", "-i", r"s/\r$//", "web/.env"]);
    // Line ends are not counted: only ABC is short, with its 3 characters.
    let short: Vec<(&str, &str)> = run
        .findings
        .iter()
        .filter(|f| f["rule"] == "short-secret")
        .map(|f| (f["file"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        short,
        [(
            "web/.env",
            "ABC from .env has 3 characters: too short to be masked in output"
        )]
    );

    for format in ["human", "json", "github"] {
        let out = env
            .lxc()
            .args(["verify", "--format", format])
            .output()
            .unwrap();
        let shown = streams_of(&out);
        assert_eq!(out.status.code(), Some(1), "{format}: {shown}");
        let at = match format {
            "human" => "error[env-crlf]: web/.env:1: web/.env has CRLF (Windows) line ends",
            "json" => "\"rule\": \"env-crlf\"",
            _ => "::error file=web/.env,line=1,title=git-lxc env-crlf::",
        };
        assert!(shown.contains(at), "{format}: {shown}");
        for secret in [SECRET, "root-canary-51d2"] {
            assert!(!shown.contains(secret), "{format}: {shown}");
        }
    }

    // Converted as the hint says, both are clean.
    for file in [".env", "web/.env"] {
        let text = std::fs::read_to_string(env.path(file)).unwrap();
        env.write(file, &text.replace("\r\n", "\n"));
    }
    let run = verify_json(&env, &[]);
    assert!(!run.rules().contains(&"env-crlf"), "{:#?}", run.findings);
}

#[test]
fn a_crlf_env_of_a_container_not_selected_is_not_reported() {
    let env = Env::new();
    healthy(&env);
    env.write("web/.env", &format!("DB_PASSWORD={SECRET}\r\n"));
    let run = verify_json(&env, &["db"]);
    assert_eq!(run.code, 0, "{:#?}", run.findings);
    assert_eq!(verify_json(&env, &["web"]).code, 1);
}
