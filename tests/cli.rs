//! The `scaleph` command line: `repl` from a pipe, `run`, `check`, and
//! `serve`'s refusal to listen remotely without `--allow-remote`.

use std::process::Command;

use crate::support::gateway::{BIN, run_binary};

#[test]
fn repl_reads_statements_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let input = "SELECT 40 + 2 AS answer;\n\\x\nSELECT 'multi'\n  AS line;\nCREATE DATASOURCE d TYPE mysql WITH (host = 'h', username = 'u', password = 'pw-123');\nSHOW DATASOURCES;\nSELECT nosuch FROM scaleph.datasources;\n\\q\n";
    let out = run_binary(&["repl", "--data-dir", data], input);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("42"), "{stdout}");
    assert!(stdout.contains("Expanded display is on."), "{stdout}");
    assert!(
        stdout.contains("-[ RECORD 1 ]") && stdout.contains("multi"),
        "{stdout}"
    );
    assert!(stdout.contains("CREATE DATASOURCE"), "{stdout}");
    assert!(!stdout.contains("pw-123") && !stderr.contains("pw-123"));
    assert!(
        stderr.contains("ERROR:") && stderr.contains('^'),
        "{stderr}"
    );
    assert!(
        dir.path().join("history").exists(),
        "history is kept in the data dir"
    );
}

#[test]
fn run_executes_scripts_and_stops_at_the_first_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = dir.path().join("setup.sql");
    std::fs::write(
        &good,
        "-- setup\nCREATE DATASOURCE pg TYPE postgresql WITH (host = 'h', username = 'u');\nSHOW DATASOURCES;\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("run")
        .arg("--data-dir")
        .arg(&data)
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("pg"));

    let bad = dir.path().join("bad.sql");
    std::fs::write(
        &bad,
        "SELECT 1;\nDROP DATASOURCE nosuch;\nCREATE DATASOURCE never TYPE mysql;\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("run")
        .arg("--data-dir")
        .arg(&data)
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:2:1:", bad.display())),
        "{stderr}"
    );
    let out = run_binary(
        &["repl", "--data-dir", data.to_str().unwrap()],
        "SHOW DATASOURCES;\n",
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("never"),
        "run stopped at the error"
    );
}

/// Runs `scaleph check` with `flags` on `files`.
fn check<P: AsRef<std::ffi::OsStr>>(
    flags: &[&str],
    files: impl IntoIterator<Item = P>,
) -> std::process::Output {
    Command::new(BIN)
        .arg("check")
        .args(flags)
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn check_reports_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("s.sql");
    std::fs::write(
        &script,
        "SELECT 1;\nCREATE DATASOURCE x TYP mysql;\nDROP DATASOURCE;\n",
    )
    .unwrap();
    let out = check(&[], [&script]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let prefix = format!("{}:2:21: error: expected TYPE", script.display());
    assert!(lines[0].starts_with(&prefix), "{stdout}");
    assert!(
        lines[1].starts_with(&format!("{}:3:", script.display())),
        "{stdout}"
    );
    let out = check(&["--format", "json"], [&script]);
    let problems: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(problems[0]["line"], 2);
    assert_eq!(problems[0]["code"], "42601");
    let flink =
        "SELECT 1;\nCREATE TABLE t (id INT, WATERMARK FOR ts AS ts) WITH ('connector' = 'x');\n";
    std::fs::write(&script, flink).unwrap();
    let out = check(&[], [&script]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_accepts_every_grammar_example_and_reports_semantic_errors() {
    let examples: Vec<std::path::PathBuf> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/examples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    let out = check(&[], &examples);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("etl.sql");
    std::fs::write(
        &script,
        "CREATE SCHEDULE nightly CRON '0 2 * * *' TIMEZONE 'Asia/Shangai'\n  AS (a RUN SYNC s);\n\
         CREATE SCHEDULE loop CRON '0 2 * * *' AS (\n  a RUN SYNC s AFTER b,\n  b RUN SYNC t AFTER a\n);\n\
         CREATE SYNC s FROM src TO dst MODE CDX;\n",
    )
    .unwrap();
    let out = check(&[], [&script]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let file = script.display();
    let expected = [
        format!("{file}:1:51: error: unknown time zone 'Asia/Shangai'"),
        format!("{file}:4:3: error: tasks form a cycle: a -> b -> a"),
        format!(
            "{file}:7:36: error: expected CDC or SNAPSHOT after MODE, found \"CDX\": did you mean CDC?"
        ),
    ];
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for (line, expected) in lines.iter().zip(&expected) {
        assert!(
            line.starts_with(expected.as_str()),
            "{line}\n  expected {expected}"
        );
    }
}

#[test]
fn check_validates_datasource_options_against_the_embedded_registry() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sources.sql");
    std::fs::write(
        &script,
        "CREATE DATASOURCE ok TYPE mysql WITH (host = 'h', username = 'u');\n\
         CREATE DATASOURCE a TYPE mysql WITH (host = 'h',\n  username = 'u', prot = 3306);\n\
         CREATE DATASOURCE b TYPE mysqll;\n\
         CREATE DATASOURCE c TYPE postgresql WITH (host = 'h');\n",
    )
    .unwrap();
    let out = check(&[], [&script]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let file = script.display();
    let expected = [
        format!(
            "{file}:3:19: error: \"prot\" is not an option of datasource type mysql: did you mean port?"
        ),
        format!(
            "{file}:4:1: error: datasource type \"mysqll\" does not exist: did you mean mysql?"
        ),
        format!("{file}:5:1: error: postgresql datasource is missing required option: username"),
    ];
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, expected, "{stdout}");
}

#[test]
fn check_validates_cluster_options_against_the_embedded_registry() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("clusters.sql");
    std::fs::write(
        &script,
        "CREATE CLUSTER ok TYPE REMOTE WITH ('rest.address' = 'http://jm:8081');\n\
         CREATE CLUSTER a TYPE REMOTE WITH ('rest.address' = 'http://jm:8081', 'conect.timeout' = '1 s');\n\
         CREATE CLUSTER k TYPE KUBERNETES_SESSION WITH (namespace = 'flink');\n",
    )
    .unwrap();
    let out = check(&[], [&script]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let file = script.display();
    // A Kubernetes type is not built yet: nothing to check, as for CREATE SYNC.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [format!(
            "{file}:2:71: error: \"conect.timeout\" is not an option of cluster type REMOTE: did you mean connect.timeout?"
        )],
        "{stdout}"
    );
}

#[test]
fn serve_refuses_a_remote_address_without_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

#[test]
fn version_flag_prints_the_version() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}
