//! `verify`'s hints are pasted into a shell: every path they name is quoted,
//! so a folder name with `$(…)`, backticks or `;` runs nothing and names
//! the file it means.

use serde_json::Value;

use crate::support::{Env, pasted, quoted_command, stderr_of, stdout_of, write_container};

const HOSTILE: &str = "odd $(touch pwned) `touch bt`; touch semi";

/// `git lxc verify --format FORMAT` run inside the hostile folder: exit 1.
fn verify(env: &Env, format: &str) -> String {
    let out = env
        .lxc()
        .current_dir(env.path(HOSTILE))
        .args(["verify", "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    stdout_of(&out)
}

#[test]
fn hints_quote_the_paths_they_name() {
    let env = Env::new();
    // `.env*` ignores the .env.example too (env-example-ignored).
    env.write(".gitignore", ".env*\ndata/\n");
    write_container(&env, &format!("{HOSTILE}/web"), "OPT_CTID=120\n");
    write_container(&env, &format!("{HOSTILE}/db"), "OPT_CTID=121\nif then\n");
    env.write(&format!("{HOSTILE}/web/.env.example"), "DB_PASSWORD=\n");
    let db_env = format!("{HOSTILE}/db/.env");
    env.write(&db_env, "DB_PASSWORD=hint-canary-93c1\n");
    env.commit("a tree in an odd folder");
    env.git(&["add", "-f", &db_env]);
    env.commit("oops");
    env.git(&["rm", "-q", "--cached", &db_env]);
    env.commit("untrack");
    let web_env = format!("{HOSTILE}/web/.env");
    env.write(&web_env, "DB_PASSWORD=hint-canary-93c1\r\n");
    env.git(&["add", "-f", &web_env]);

    let findings: Vec<Value> = serde_json::from_str(&verify(&env, "json")).unwrap();
    let hint = |rule: &str| -> String {
        let f = findings
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {findings:#?}"));
        f["hint"].as_str().unwrap().to_string()
    };
    let words = |rule: &str, start: &str| pasted(quoted_command(&hint(rule), start));
    assert_eq!(
        words("env-tracked", "git rm --cached"),
        ["git", "rm", "--cached", &web_env]
    );
    assert_eq!(
        words("env-in-history", "git filter-repo"),
        ["git", "filter-repo", "--invert-paths", "--path", &db_env]
    );
    assert_eq!(
        words("env-example-ignored", "git add"),
        ["git", "add", &format!("{HOSTILE}/web/.env.example")]
    );
    assert_eq!(
        words("bash-syntax", "bash -n"),
        ["bash", "-n", &format!("{HOSTILE}/db/configSettings")]
    );
    let crlf = hint("env-crlf");
    let sed = crlf.strip_prefix("convert it: ").unwrap_or(&crlf);
    assert_eq!(pasted(sed), ["sed", "-i", r"s/\r$//", &web_env]);

    // The other formats carry the same hints, and verify itself ran nothing.
    let human = verify(&env, "human");
    let github = verify(&env, "github");
    for f in &findings {
        let hint = f["hint"].as_str().unwrap();
        assert!(human.contains(&format!("  hint: {hint}\n")), "{human}");
        assert!(github.contains(&format!("%0Ahint: {hint}\n")), "{github}");
    }
    for shown in [&human, &github] {
        assert!(!shown.contains("hint-canary-93c1"), "{shown}");
    }
    for made in ["pwned", "bt", "semi"] {
        for dir in [env.path(""), env.path(HOSTILE)] {
            assert!(!dir.join(made).exists(), "{} ran", dir.join(made).display());
        }
    }
}
