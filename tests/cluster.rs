//! Clusters end to end over pgwire: created, listed, described, altered,
//! tested and dropped; the auth header never shown, logged or put in an
//! error. A TEST CLUSTER against a real Flink comes with the real-Flink
//! harness; here a cluster nothing listens for, and a REST answer of the
//! shape Flink's `GET /overview` gives (its documented fields).

use tokio_postgres::error::ErrorPosition;

use crate::support::{Gateway, services};

/// The auth header's secret part: it must never be seen.
const SECRET: &str = "hdr-Zq81x";

fn create(name: &str, address: &str) -> String {
    format!(
        "CREATE CLUSTER {name} TYPE REMOTE WITH ('rest.address' = '{address}', \
         'rest.auth.secret-header' = 'Authorization: Bearer {SECRET}', 'request.timeout' = '10 s', \
         'flink.execution.checkpointing.interval' = '30 s')"
    )
}

/// The SQLSTATE, message and position of a failed statement.
async fn failure(client: &tokio_postgres::Client, sql: &str) -> (String, String, Option<u32>) {
    let err = client.simple_query(sql).await.unwrap_err();
    let db = err.as_db_error().unwrap_or_else(|| panic!("{sql}: {err}"));
    let position = match db.position() {
        Some(ErrorPosition::Original(p)) => Some(*p),
        _ => None,
    };
    (
        db.code().code().to_string(),
        db.message().to_string(),
        position,
    )
}

/// The rows of `sql` as text, every column.
async fn texts(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<String>> {
    client
        .simple_query(sql)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL").to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_lifecycle_over_pgwire_never_shows_the_secret_header() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    client
        .batch_execute(&create("local", "http://127.0.0.1:8081/"))
        .await
        .unwrap();
    let (code, message, _) = failure(&client, &create("local", "http://h:1")).await;
    assert_eq!(code, "42710", "{message}");
    client
        .batch_execute(&create("IF NOT EXISTS local", "http://h:1"))
        .await
        .unwrap();
    let rows = client
        .query(
            "SELECT name, type, rest_address, options FROM scaleph.clusters",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "local");
    assert_eq!(rows[0].get::<_, String>(1), "REMOTE");
    assert_eq!(rows[0].get::<_, String>(2), "http://127.0.0.1:8081");
    let options: String = rows[0].get(3);
    assert!(
        options.contains("\"rest.auth.secret-header\":\"******\""),
        "{options}"
    );
    let shown = texts(&client, "SHOW CLUSTERS LIKE 'lo%'").await;
    assert_eq!(shown.len(), 1);
    assert_eq!(
        &shown[0][..4],
        ["local", "REMOTE", "http://127.0.0.1:8081", "f"]
    );
    assert!(texts(&client, "SHOW CLUSTERS LIKE 'x%'").await.is_empty());

    let described = texts(&client, "DESCRIBE CLUSTER local").await;
    let find = |option: &str| {
        described
            .iter()
            .find(|r| r[1] == option)
            .unwrap_or_else(|| panic!("{option} missing: {described:?}"))
            .clone()
    };
    assert_eq!(
        find("rest.address"),
        ["basic", "rest.address", "http://127.0.0.1:8081", "set"]
    );
    assert_eq!(find("rest.auth.secret-header")[2], "******");
    assert_eq!(
        find("connect.timeout"),
        ["timeouts", "connect.timeout", "5 s", "default"]
    );
    assert_eq!(
        find("request.timeout"),
        ["timeouts", "request.timeout", "10 s", "set"]
    );
    assert_eq!(
        find("flink.execution.checkpointing.interval"),
        [
            "advanced",
            "flink.execution.checkpointing.interval",
            "30 s",
            "set"
        ]
    );
    assert_eq!(find("default")[2], "false");

    let sql: String = client
        .query("SHOW CREATE CLUSTER local", &[])
        .await
        .unwrap()[0]
        .get("create_statement");
    assert_eq!(
        sql,
        "CREATE CLUSTER local TYPE REMOTE WITH ('flink.execution.checkpointing.interval' = '30 s', \
         'request.timeout' = '10 s', 'rest.address' = 'http://127.0.0.1:8081', \
         'rest.auth.secret-header' = '******')"
    );

    // ALTER: validated like CREATE; the error points at the key.
    let alter = "ALTER CLUSTER local SET ('request.timeot' = '1 s')";
    let (code, message, position) = failure(&client, alter).await;
    assert_eq!(code, "22023");
    assert!(
        message.ends_with("did you mean request.timeout?"),
        "{message}"
    );
    assert_eq!(
        position,
        Some(alter.find("'request.timeot'").unwrap() as u32 + 1)
    );
    client
        .batch_execute(
            "ALTER CLUSTER local SET ('connect.timeout' = '2 s'); \
             ALTER CLUSTER local RESET ('rest.auth.secret-header'); \
             COMMENT ON CLUSTER local IS 'the dev cluster'; \
             ALTER CLUSTER local RENAME TO dev",
        )
        .await
        .unwrap();
    let sql: String = client.query("SHOW CREATE CLUSTER dev", &[]).await.unwrap()[0].get(0);
    assert!(sql.contains("'connect.timeout' = '2 s'"), "{sql}");
    assert!(!sql.contains("secret-header"), "{sql}");
    assert!(
        sql.ends_with(";\nCOMMENT ON CLUSTER dev IS 'the dev cluster'"),
        "{sql}"
    );
    // What SHOW CREATE prints (without secrets) runs again.
    client.batch_execute("DROP CLUSTER dev").await.unwrap();
    client.batch_execute(&sql).await.unwrap();

    let (code, message, _) = failure(&client, "DROP CLUSTER devv").await;
    assert_eq!(code, "42704");
    assert_eq!(
        message,
        "cluster \"devv\" does not exist: did you mean dev?"
    );
    let (code, message, _) = failure(&client, "TEST CLUSTER deb").await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("42704", "cluster \"deb\" does not exist: did you mean dev?")
    );
    client
        .batch_execute("DROP CLUSTER dev CASCADE; DROP CLUSTER IF EXISTS dev")
        .await
        .unwrap();
    assert!(texts(&client, "SHOW CLUSTERS").await.is_empty());
    assert!(
        !gateway.log().contains(SECRET),
        "the log holds the secret header"
    );
    for entry in std::fs::read_dir(gateway.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "{} holds the header unsealed",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_cluster_rejects_bad_options_with_their_position() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let sql = "CREATE CLUSTER c TYPE REMOTE WITH ('rest.adress' = 'http://h:8081')";
    let (code, message, position) = failure(&client, sql).await;
    assert_eq!(code, "22023");
    assert_eq!(
        message,
        "\"rest.adress\" is not an option of cluster type REMOTE: did you mean rest.address?"
    );
    assert_eq!(
        position,
        Some(sql.find("'rest.adress'").unwrap() as u32 + 1)
    );
    for (sql, expected) in [
        (
            "CREATE CLUSTER c TYPE REMOTE",
            "missing required option: rest.address",
        ),
        (
            "CREATE CLUSTER c TYPE REMOTE WITH ('rest.address' = 'h:8081')",
            "is not an http:// or https:// URL",
        ),
        (
            "CREATE CLUSTER c TYPE REMOTE WITH ('rest.address' = 'http://h:1', 'connect.timeout' = 'soon')",
            "\"connect.timeout\"",
        ),
    ] {
        let (code, message, _) = failure(&client, sql).await;
        assert_eq!(code, "22023", "{sql}");
        assert!(message.contains(expected), "{sql}: {message}");
    }
    // A malformed secret is refused without being repeated, in the error or the log.
    let sql = format!(
        "CREATE CLUSTER c TYPE REMOTE WITH ('rest.address' = 'http://h:1', \
         'rest.auth.secret-header' = 'Bearer-{SECRET}')"
    );
    let (code, message, _) = failure(&client, &sql).await;
    assert_eq!(code, "22023");
    assert!(!message.contains(SECRET), "{message}");
    for keyword in ["KUBERNETES_SESSION", "KUBERNETES_APPLICATION"] {
        // Checked like REMOTE: a misspelled option names the right one.
        let (code, message, _) = failure(
            &client,
            &format!("CREATE CLUSTER k TYPE {keyword} WITH (namespce = 'flink')"),
        )
        .await;
        assert_eq!(code, "22023");
        assert!(message.contains("did you mean namespace?"), "{message}");
        // An API server that is not there: 08001 naming the cluster; its
        // token is in neither the message nor the log.
        let (code, message, _) = failure(
            &client,
            &format!(
                "CREATE CLUSTER k TYPE {keyword} WITH ('kubernetes.api-server' = 'http://127.0.0.1:{}', \
                 'kubernetes.token' = 'tok-{SECRET}')",
                services::closed_port()
            ),
        )
        .await;
        assert_eq!(code, "08001", "{message}");
        assert!(message.contains("cluster \"k\""), "{message}");
        assert!(!message.contains(SECRET), "{message}");
        client
            .batch_execute("DROP CLUSTER IF EXISTS k")
            .await
            .unwrap();
    }
    assert!(texts(&client, "SHOW CLUSTERS").await.is_empty());
    assert!(
        !gateway.log().contains(SECRET),
        "the log holds the secret header"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn test_cluster_on_an_unreachable_address_is_a_row_saying_why() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let port = services::closed_port();
    client
        .batch_execute(&create("down", &format!("http://127.0.0.1:{port}")))
        .await
        .unwrap();
    let rows = client.query("TEST CLUSTER down", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.get::<_, String>("cluster"), "down");
    assert!(!row.get::<_, bool>("reachable"));
    assert_eq!(row.get::<_, Option<String>>("flink_version"), None);
    assert_eq!(row.get::<_, Option<i32>>("slots_free"), None);
    assert!(row.get::<_, i64>("latency_ms") >= 0);
    let error: String = row.get("error");
    assert!(
        error.starts_with(&format!(
            "cannot reach the Flink cluster at http://127.0.0.1:{port}: "
        )),
        "{error}"
    );
    assert!(!error.contains(SECRET) && !gateway.log().contains(SECRET));
}

/// A JobManager REST endpoint answering `GET /overview` as Flink does
/// (the documented fields), behind a proxy that lets through callers
/// sending `Authorization: Bearer <SECRET>` only; others get 401.
async fn fake_jobmanager() -> (String, tokio::task::JoinHandle<()>) {
    use axum::http::{HeaderMap, StatusCode};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/overview",
        axum::routing::get(|headers: HeaderMap| async move {
            let expected = format!("Bearer {SECRET}");
            if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&expected) {
                // What a proxy in front of the JobManager answers: not Flink's JSON.
                return (StatusCode::UNAUTHORIZED, String::from("unauthorized"));
            }
            (
                StatusCode::OK,
                String::from(
                    "{\"taskmanagers\":2,\"slots-total\":8,\"slots-available\":5,\"jobs-running\":1,\
                     \"jobs-finished\":0,\"jobs-cancelled\":0,\"jobs-failed\":0,\
                     \"flink-version\":\"2.3.0\",\"flink-commit\":\"0a1b2c3\"}",
                ),
            )
        }),
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (address, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn test_cluster_reports_the_overview_and_sends_the_auth_header() {
    let (address, server) = fake_jobmanager().await;
    let gateway = Gateway::start();
    let client = gateway.client().await;
    client.batch_execute(&create("jm", &address)).await.unwrap();
    let row = &client.query("TEST CLUSTER jm", &[]).await.unwrap()[0];
    assert!(
        row.get::<_, bool>("reachable"),
        "{:?}",
        row.get::<_, Option<String>>("error")
    );
    assert_eq!(row.get::<_, String>("flink_version"), "2.3.0");
    assert_eq!(row.get::<_, i32>("taskmanagers"), 2);
    assert_eq!(row.get::<_, i32>("slots_free"), 5);
    assert_eq!(row.get::<_, i32>("slots_total"), 8);
    assert_eq!(row.get::<_, i32>("jobs_running"), 1);
    assert_eq!(row.get::<_, Option<String>>("error"), None);
    // Without the header the cluster refuses: a row saying so.
    client
        .batch_execute("ALTER CLUSTER jm RESET ('rest.auth.secret-header')")
        .await
        .unwrap();
    let row = &client.query("TEST CLUSTER jm", &[]).await.unwrap()[0];
    assert!(!row.get::<_, bool>("reachable"));
    let error: String = row.get("error");
    assert!(error.contains("HTTP 401"), "{error}");
    server.abort();
}

#[test]
fn psql_lists_clusters_marks_the_default_and_reports_if_not_exists() {
    if !services::psql() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scaleph.toml");
    std::fs::write(&config, "[jobs]\ndefault_cluster = \"local\"\n").unwrap();
    let config = config.display().to_string();
    let gateway = Gateway::start_with(dir.path().join("data"), None, &["--config", &config]);
    // Checked when used, not at startup: the cluster may come later.
    assert!(
        gateway
            .log()
            .contains("jobs.default_cluster names no cluster yet"),
        "{}",
        gateway.log()
    );
    let out = gateway.psql(&[
        "-c",
        &create("local", "http://127.0.0.1:8081"),
        "-c",
        &create("IF NOT EXISTS local", "http://127.0.0.1:8081"),
        "-c",
        &create("other", "http://127.0.0.1:8082"),
        "-c",
        "SHOW CLUSTERS",
        "-c",
        "\\dt scaleph.*",
        "-c",
        "DESCRIBE CLUSTER local",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("NOTICE:  cluster \"local\" already exists, skipping"),
        "{stderr}"
    );
    assert!(stdout.contains("scaleph | clusters"), "{stdout}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name) && l.contains("REMOTE"))
            .unwrap_or_else(|| panic!("{name} missing: {stdout}"))
            .to_string()
    };
    assert!(line("local").contains("| t "), "{stdout}");
    assert!(line("other").contains("| f "), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("default") && l.contains("true")),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
    assert!(!gateway.log().contains(SECRET));
}
