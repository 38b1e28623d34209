//! Datasources against the real PostgreSQL and MariaDB of this machine:
//! connectivity tests, metadata browsing, previews, clear failures, and
//! secrets that never show.

use crate::support::query_rows as rows;
use crate::support::{Gateway, services};
use mysql_async::prelude::Queryable;

fn cell(rows: &[Vec<Option<String>>], row: usize, column: usize) -> &str {
    rows[row][column].as_deref().unwrap_or("NULL")
}

/// Everything the gateway shows about `name` (SHOW CREATE, DESCRIBE, the
/// system table) must hide `secret`.
async fn assert_secret_hidden(client: &tokio_postgres::Client, name: &str, secret: &str) {
    for sql in [
        format!("SHOW CREATE DATASOURCE {name}"),
        format!("DESCRIBE DATASOURCE {name}"),
        "SELECT * FROM scaleph.datasources".to_string(),
        "SHOW DATASOURCES".to_string(),
    ] {
        let shown = format!("{:?}", rows(client, &sql).await);
        assert!(!shown.contains(secret), "{sql} shows the secret: {shown}");
        assert!(
            shown.contains("******") || sql.contains("DESCRIBE"),
            "{sql}: {shown}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgresql_datasource_tests_browses_and_previews_real_tables() {
    if !services::postgres() {
        return;
    }
    let schema = format!("scaleph_it_{}", std::process::id());
    let (pg, connection) = tokio_postgres::connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test",
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    pg.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, amount numeric(10, 2) NOT NULL,
           note varchar(40), created timestamptz, tags int[]);
         INSERT INTO {schema}.orders VALUES (1, 9.50, 'first', '2026-11-01 10:00:00+00', '{{1,2}}'),
           (2, 20.00, NULL, '2026-11-02 11:00:00+00', NULL), (3, 1.25, 'third', NULL, NULL);"
    ))
    .await
    .unwrap();

    let mut gateway = Gateway::start();
    let client = gateway.client().await;
    let secret = "Pg-Sekr1t-771";
    client
        .batch_execute(&format!(
            "CREATE DATASOURCE pg TYPE postgresql WITH (host = '127.0.0.1', port = 5432, \
             username = 'postgres', password = '{secret}', database = 'test')"
        ))
        .await
        .unwrap();

    let test = rows(&client, "TEST DATASOURCE pg").await;
    assert_eq!(cell(&test, 0, 0), "true", "{test:?}");
    assert!(cell(&test, 0, 2).starts_with("PostgreSQL 1"), "{test:?}");
    let databases = rows(&client, "SHOW DATABASES FROM DATASOURCE pg").await;
    assert!(
        databases.iter().any(|r| r[0].as_deref() == Some("test")),
        "{databases:?}"
    );
    let tables = rows(
        &client,
        "SHOW TABLES FROM DATASOURCE pg DATABASE test LIKE 'ord%'",
    )
    .await;
    assert!(
        tables
            .iter()
            .any(|r| r[0].as_deref() == Some(schema.as_str()) && r[1].as_deref() == Some("orders")),
        "{tables:?}"
    );
    let columns = rows(
        &client,
        &format!("DESCRIBE DATASOURCE pg TABLE test.{schema}.orders"),
    )
    .await;
    let described: Vec<(String, String, String, String)> = columns
        .iter()
        .map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[2].clone().unwrap_or_default(),
                r[3].clone().unwrap_or_default(),
                r[4].clone().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("id", "false", "true", "BIGINT NOT NULL"),
        ("amount", "false", "false", "DECIMAL(10, 2) NOT NULL"),
        ("note", "true", "false", "VARCHAR(40)"),
        ("created", "true", "false", "TIMESTAMP_LTZ(6)"),
        ("tags", "true", "false", "ARRAY<INT>"),
    ];
    assert_eq!(described.len(), expected.len(), "{columns:?}");
    for (got, want) in described.iter().zip(expected) {
        assert_eq!(
            (
                got.0.as_str(),
                got.1.as_str(),
                got.2.as_str(),
                got.3.as_str()
            ),
            want
        );
    }
    let preview = rows(
        &client,
        &format!("PREVIEW DATASOURCE pg TABLE test.{schema}.orders LIMIT 2"),
    )
    .await;
    assert_eq!(preview.len(), 2, "{preview:?}");
    assert_eq!(cell(&preview, 0, 1), "9.50");
    assert_eq!(preview[1][2], None);

    // Failures are rows with a reason, not crashes.
    let closed = services::closed_port();
    let refused = rows(
        &client,
        &format!(
            "TEST DATASOURCE TYPE postgresql WITH (host = '127.0.0.1', port = {closed}, username = 'postgres')"
        ),
    )
    .await;
    assert_eq!(cell(&refused, 0, 0), "false");
    assert!(cell(&refused, 0, 3).contains("refused"), "{refused:?}");
    let no_role = rows(
        &client,
        "TEST DATASOURCE TYPE postgresql WITH (host = '127.0.0.1', username = 'no_such_role_x')",
    )
    .await;
    assert_eq!(cell(&no_role, 0, 0), "false");
    assert!(
        cell(&no_role, 0, 3).contains("no_such_role_x"),
        "{no_role:?}"
    );
    let err = client
        .simple_query("DESCRIBE DATASOURCE pg TABLE test.public.no_such_table")
        .await
        .unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "08006");

    // ALTER rotates the secret and survives kill -9.
    client
        .batch_execute(
            "ALTER DATASOURCE pg SET (password = 'Rotated-Sekr1t-2', connect_timeout = '5 s')",
        )
        .await
        .unwrap();
    assert_secret_hidden(&client, "pg", secret).await;
    assert_secret_hidden(&client, "pg", "Rotated-Sekr1t-2").await;
    drop(client);
    gateway.kill9();
    let restarted =
        Gateway::start_with(gateway.data_dir().to_path_buf(), gateway.dir_handle(), &[]);
    let client = restarted.client().await;
    let described = format!("{:?}", rows(&client, "DESCRIBE DATASOURCE pg").await);
    assert!(described.contains("\"5 s\""), "{described}");
    assert_eq!(
        cell(&rows(&client, "TEST DATASOURCE pg").await, 0, 0),
        "true"
    );
    assert_secret_hidden(&client, "pg", "Rotated-Sekr1t-2").await;
    for log in [gateway.log(), restarted.log()] {
        assert!(
            !log.contains(secret) && !log.contains("Rotated-Sekr1t-2"),
            "the log holds a secret"
        );
    }
    pg.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_datasource_on_mariadb_tests_browses_and_previews_real_tables() {
    if !services::mariadb() {
        return;
    }
    let table = format!("scaleph_it_orders_{}", std::process::id());
    let opts = mysql_async::OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(3306)
        .user(Some("root"))
        .db_name(Some("test"))
        .prefer_socket(false);
    let mut my = mysql_async::Conn::new(opts).await.unwrap();
    my.query_drop(format!("DROP TABLE IF EXISTS {table}"))
        .await
        .unwrap();
    my.query_drop(format!(
        "CREATE TABLE {table} (id INT UNSIGNED PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, \
         flag TINYINT(1), note VARCHAR(64), created DATETIME(3))"
    ))
    .await
    .unwrap();
    my.query_drop(format!(
        "INSERT INTO {table} VALUES (1, 9.50, 1, 'first', '2026-11-01 10:00:00.123'), (2, 20.00, 0, NULL, NULL)"
    ))
    .await
    .unwrap();

    let gateway = Gateway::start();
    let client = gateway.client().await;
    client
        .batch_execute(
            "CREATE DATASOURCE maria TYPE mysql WITH (host = '127.0.0.1', port = 3306, username = 'root', password = '')",
        )
        .await
        .unwrap();
    let test = rows(&client, "TEST DATASOURCE maria").await;
    assert_eq!(cell(&test, 0, 0), "true", "{test:?}");
    assert!(cell(&test, 0, 2).contains("MariaDB"), "{test:?}");
    let databases = rows(&client, "SHOW DATABASES FROM DATASOURCE maria").await;
    assert!(
        databases.iter().any(|r| r[0].as_deref() == Some("test")),
        "{databases:?}"
    );
    let tables = rows(
        &client,
        &format!("SHOW TABLES FROM DATASOURCE maria DATABASE test LIKE '{table}'"),
    )
    .await;
    assert_eq!(tables.len(), 1, "{tables:?}");
    let columns = rows(
        &client,
        &format!("DESCRIBE DATASOURCE maria TABLE test.{table}"),
    )
    .await;
    let flink: Vec<(&str, &str, &str)> = columns
        .iter()
        .map(|r| {
            (
                r[0].as_deref().unwrap(),
                r[3].as_deref().unwrap(),
                r[4].as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flink,
        vec![
            ("id", "true", "BIGINT NOT NULL"),
            ("amount", "false", "DECIMAL(10, 2) NOT NULL"),
            ("flag", "false", "BOOLEAN"),
            ("note", "false", "VARCHAR(64)"),
            ("created", "false", "TIMESTAMP(3)"),
        ]
    );
    let preview = rows(
        &client,
        &format!("PREVIEW DATASOURCE maria TABLE test.{table}"),
    )
    .await;
    assert_eq!(preview.len(), 2, "{preview:?}");
    assert_eq!(cell(&preview, 0, 1), "9.50");
    assert_eq!(preview[1][3], None);

    let denied = rows(
        &client,
        "TEST DATASOURCE TYPE mysql WITH (host = '127.0.0.1', username = 'root', password = 'Wrong-Pw-9')",
    )
    .await;
    assert_eq!(cell(&denied, 0, 0), "false");
    assert!(cell(&denied, 0, 3).contains("Access denied"), "{denied:?}");
    assert!(
        !gateway.log().contains("Wrong-Pw-9"),
        "the log holds a password"
    );
    my.query_drop(format!("DROP TABLE {table}")).await.unwrap();
    let _ = my.disconnect().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_statements_describe_types_and_validate_options() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let types = rows(&client, "SHOW DATASOURCE TYPES").await;
    assert!(types.len() >= 16, "{types:?}");
    let options = rows(&client, "DESCRIBE DATASOURCE TYPE mysql").await;
    let groups: Vec<&str> = options.iter().map(|r| r[0].as_deref().unwrap()).collect();
    let mut sorted = groups.clone();
    sorted.sort_by_key(|g| {
        ["basic", "timeouts", "advanced"]
            .iter()
            .position(|x| x == g)
    });
    assert_eq!(groups, sorted, "grouped basic, timeouts, advanced");
    assert!(
        options
            .iter()
            .any(|r| r[1].as_deref() == Some("password") && r[5].as_deref() == Some("true"))
    );
    let count = rows(
        &client,
        "SELECT count(*) FROM scaleph.datasource_options WHERE datasource_type = 'kafka' AND secret = 'true'",
    )
    .await;
    assert!(cell(&count, 0, 0) != "0");
    for (sql, code, message) in [
        (
            "CREATE DATASOURCE a TYPE mysqll",
            "42704",
            "did you mean mysql?",
        ),
        (
            "CREATE DATASOURCE a TYPE mysql WITH (hots = 'h')",
            "22023",
            "did you mean host?",
        ),
        (
            "CREATE DATASOURCE a TYPE mysql",
            "22023",
            "missing required options: host, username",
        ),
        (
            "CREATE DATASOURCE a TYPE mysql WITH (host = 'h', username = 'u', port = 70000)",
            "22023",
            "out of range",
        ),
        (
            "CREATE DATASOURCE a TYPE mysql WITH (host = 'h', username = 'u', connect_timeout = 'soon')",
            "22023",
            "not a duration",
        ),
        (
            "CREATE DATASOURCE a TYPE kafka WITH (bootstrap_servers = 'k:1', security_protocol = 'TLS')",
            "22023",
            "not one of PLAINTEXT",
        ),
        ("DESCRIBE DATASOURCE TYPE nosuch", "42704", "does not exist"),
    ] {
        let err = client.simple_query(sql).await.unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{sql}: {err}"));
        assert_eq!(db.code().code(), code, "{sql}");
        assert!(db.message().contains(message), "{sql}: {}", db.message());
    }
    // Errors about an option point at it: psql draws the caret there.
    let err = client
        .simple_query(
            "SELECT 1;\nCREATE DATASOURCE a TYPE mysql WITH (host = 'h', username = 'u', port = 0)",
        )
        .await
        .unwrap_err();
    let sql =
        "SELECT 1;\nCREATE DATASOURCE a TYPE mysql WITH (host = 'h', username = 'u', port = 0)";
    assert_eq!(
        err.as_db_error().unwrap().position(),
        Some(&tokio_postgres::error::ErrorPosition::Original(
            sql.find("port").unwrap() as u32 + 1
        ))
    );
    client
        .batch_execute("CREATE DATASOURCE a TYPE mysql WITH (host = 'h', username = 'u')")
        .await
        .unwrap();
    let err = client
        .simple_query("ALTER DATASOURCE a RESET (host)")
        .await
        .unwrap_err();
    assert!(err.as_db_error().unwrap().message().contains("required"));
    client
        .batch_execute("ALTER DATASOURCE a RENAME TO b; COMMENT ON DATASOURCE b IS 'the shop'")
        .await
        .unwrap();
    let shown = rows(&client, "SHOW CREATE DATASOURCE b").await;
    assert!(
        cell(&shown, 0, 0).contains("COMMENT ON DATASOURCE b IS 'the shop'"),
        "{shown:?}"
    );
    let tls = rows(
        &client,
        "TEST DATASOURCE TYPE postgresql WITH (host = '127.0.0.1', username = 'u', sslmode = 'verify-full')",
    )
    .await;
    assert_eq!(cell(&tls, 0, 0), "false");
    assert!(cell(&tls, 0, 3).contains("TLS"), "{tls:?}");
    let err = client.simple_query("TEST DATASOURCE b").await;
    assert!(
        err.is_ok(),
        "a failing test is a row, not an error: {err:?}"
    );
}
