use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::term::mask::Masker;

fn runner() -> Runner {
    Runner::new(false, Arc::new(Masker::default()))
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn eval_all(root: &Path) -> Vec<Evaluated> {
    let tree = Tree::load(root).unwrap();
    let all: Vec<&Container> = tree.containers.iter().collect();
    evaluate(&runner(), &tree, &all).unwrap()
}

#[test]
fn output_of_the_files_is_kept_apart_from_the_results_and_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "defaults", "OPT_DOMAIN=lan\necho from defaults\n");
    write(root, ".env", "PASS=hunter22\n");
    write(
        root,
        "web/configSettings",
        "OPT_CTID=120\necho hi\nprintf 'C\\0x\\0\\n'\necho \"pw is $PASS\" >&2\n\
         declare -A MAP=([k]=v)\nLIST=(a \"b c\")\nmissing_command\nHOOK_preBuild() { :; }\n",
    );
    write(root, "db/configSettings", "OPT_CTID=121\n");
    let evals = eval_all(root);
    let names: Vec<_> = evals.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["db", "web"]);
    let web = &evals[1];
    assert!(web.complete);
    assert_eq!(web.scalar("OPT_CTID"), Some("120"));
    assert_eq!(web.scalar("OPT_DOMAIN"), Some("lan"));
    assert!(
        matches!(web.vars.get("MAP"), Some(Value::Array(t)) if t.starts_with("declare -A MAP="))
    );
    assert!(!web.vars.contains_key("ROOT_PATH"));
    assert_eq!(
        web.secrets,
        vec![("PASS".to_string(), "hunter22".to_string())]
    );
    assert_eq!(web.functions, ["HOOK_preBuild"]);
    let config = root.join("web/configSettings");
    let printed: Vec<(String, &str)> = web
        .printed
        .iter()
        .map(|p| (rel_to(root, p.file.as_deref().unwrap()), p.text.as_str()))
        .collect();
    assert_eq!(printed[0], ("defaults".to_string(), "from defaults"));
    assert_eq!(printed[1], ("web/configSettings".to_string(), "hi"));
    assert_eq!(
        printed[3],
        ("web/configSettings".to_string(), "pw is ********")
    );
    assert!(!web.stderr.contains("hunter22"));
    assert_eq!(
        web.printed[4].bash_message(),
        Some((7, "missing_command: command not found"))
    );
    assert_eq!(web.printed[4].file.as_deref(), Some(config.as_path()));
    assert!(evals[0].printed.iter().all(|p| p.text == "from defaults"));
}

#[test]
fn a_file_that_exits_or_breaks_is_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "a/configSettings", "X=1\nexit 3\n");
    write(root, "b/configSettings", "Y=2\n");
    write(root, "b/.env", "S=secret-b\nbreak\n");
    write(root, "c/configSettings", "set -eu\nZ=3\n");
    let evals = eval_all(root);
    assert!(!evals[0].complete && !evals[1].complete);
    assert!(evals[2].complete);
    assert_eq!(evals[2].scalar("Z"), Some("3"));
}

/// The in-process check says what `bash -n` says, line numbers included.
#[test]
fn syntax_errors_are_the_ones_bash_n_reports() {
    let cases = [
        ("unclosed quote", "X=1\nY=\"unterminated\nZ=2\n"),
        ("stray fi", "a=1\nfi\nb=2\n"),
        ("bad paren", "OPT_CTID=120\nfoo() {\n  echo (\n}\n"),
        ("open if", "#!/bin/bash\nif true; then\n  echo hi\n"),
        ("here-doc", "cat <<EOF\nhello\nEOF\nfi\n"),
        ("open here-doc", "cat <<EOF\nhello\nx=$(\n"),
        ("case", "helper() {\n  case $1 in\n}\n"),
        ("comsub", "x=$(echo (\n"),
        ("brace", "{ echo\n"),
        ("no final newline", "a=1\nif"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for (i, (_, text)) in cases.iter().enumerate() {
        write(root, &format!("c{i}/configSettings"), "OPT_RAM=256\n");
        write(root, &format!("c{i}/build-target.sh"), text);
    }
    write(root, "lib/ok.sh", "ok() { :; }\n");
    write(root, "lib/bad.sh", "broken() {\n");
    let evals = eval_all(root);
    // bash -n's words, or None when it accepts the file.
    let bash_n = |file: &Path| {
        let out = std::process::Command::new("bash")
            .arg("-n")
            .arg(file)
            .output()
            .unwrap();
        let said = String::from_utf8(out.stderr).unwrap();
        (!out.status.success()).then(|| said.trim_end().to_string())
    };
    let bad_lib = root.join("lib/bad.sh");
    for (i, (what, _)) in cases.iter().enumerate() {
        let e = evals.iter().find(|e| e.name == format!("c{i}")).unwrap();
        let script = root.join(format!("c{i}/build-target.sh"));
        let mine: Vec<_> = e
            .syntax_errors
            .iter()
            .filter(|(f, _)| *f == script)
            .collect();
        assert_eq!(
            mine.first().map(|(_, m)| m.clone()),
            bash_n(&script),
            "{what}"
        );
        assert!(mine.len() <= 1, "{what}");
        let lib: Vec<_> = e
            .syntax_errors
            .iter()
            .filter(|(f, _)| *f == bad_lib)
            .collect();
        assert_eq!(lib.len(), 1, "{what}");
        assert_eq!(Some(lib[0].1.clone()), bash_n(&bad_lib));
        assert!(e.complete, "{what}: the check runs nothing");
        assert!(
            !e.syntax_errors
                .iter()
                .any(|(f, _)| f.ends_with("configSettings"))
        );
    }
    // The open here-doc is bash's warning, not an error.
    assert!(bash_n(&root.join("c5/build-target.sh")).is_none());
}

/// A tree without errors is checked in one go, and says nothing.
#[test]
fn healthy_files_have_no_syntax_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root, "defaults", "A=1
",
    );
    write(
        root,
        "lib/x.sh",
        "x() { [[ -n $1 ]] && case $1 in a) :;; esac; }
",
    );
    for i in 0..5 {
        write(
            root,
            &format!("c{i}/configSettings"),
            "OPT_RAM=256
HOOK_preBuild() { cat <<-E
	x
	E
}
",
        );
        write(
            root,
            &format!("c{i}/build-target.sh"),
            "#!/bin/bash
set -e
x=$(echo \"$(date)\")
",
        );
    }
    for e in eval_all(root) {
        assert!(e.syntax_errors.is_empty(), "{:?}", e.syntax_errors);
        assert!(e.printed.is_empty(), "{:?}", e.printed);
        assert!(e.complete);
    }
}

#[test]
fn checking_runs_nothing_of_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let marker = root.join("ran");
    let text = format!("}}\ntouch {0}\n{{\necho > {0}\n", marker.display());
    write(root, "web/configSettings", "OPT_RAM=256\n");
    write(root, "web/build-target.sh", &text);
    let evals = eval_all(root);
    assert!(!marker.exists());
    assert_eq!(evals[0].syntax_errors.len(), 1);
}

#[test]
fn an_endless_loop_is_stopped_with_the_file_named() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "web/configSettings", "OPT_RAM=256\n");
    write(root, "zz/configSettings", "while :; do :; done\n");
    let tree = Tree::load(root).unwrap();
    let all: Vec<&Container> = tree.containers.iter().collect();
    let start = Instant::now();
    let err = start_within(&runner(), &tree, &all, Duration::from_millis(500))
        .and_then(Pending::finish)
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        err.to_string(),
        "reading zz/configSettings did not finish within 0.5 s (an endless loop?); bash was stopped"
    );
}

#[test]
fn background_jobs_do_not_hold_the_evaluation() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "web/configSettings", "OPT_RAM=256\nsleep 30 &\n");
    let start = Instant::now();
    let evals = eval_all(root);
    assert!(evals[0].complete);
    assert!(start.elapsed() < Duration::from_secs(5));
}
