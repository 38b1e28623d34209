//! Datasource objects end to end: created, listed, queried, dropped,
//! durable across kill -9, secrets never shown or logged.

use crate::support::{Gateway, services};

const CREATE: &str = "CREATE DATASOURCE pg_main TYPE postgresql WITH (host = '127.0.0.1', port = 5432, \
                      username = 'postgres', password = 's3cret-Xq9')";

#[tokio::test(flavor = "multi_thread")]
async fn datasource_lifecycle_over_pgwire() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    client.batch_execute(CREATE).await.unwrap();
    let err = client.batch_execute(CREATE).await.unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "42710");
    client
        .batch_execute(&CREATE.replace("DATASOURCE pg_main", "DATASOURCE IF NOT EXISTS pg_main"))
        .await
        .unwrap();
    let rows = client
        .query("SELECT name, type, options FROM scaleph.datasources", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "pg_main");
    assert_eq!(rows[0].get::<_, String>(1), "postgresql");
    let options: String = rows[0].get(2);
    assert!(
        options.contains("******") && !options.contains("s3cret"),
        "{options}"
    );
    let shown = client.simple_query("SHOW DATASOURCES").await.unwrap();
    assert!(format!("{shown:?}").contains("pg_main"));
    client
        .batch_execute("DROP DATASOURCE pg_main")
        .await
        .unwrap();
    let err = client
        .batch_execute("DROP DATASOURCE pg_main")
        .await
        .unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "42704");
    client
        .batch_execute("DROP DATASOURCE IF EXISTS pg_main")
        .await
        .unwrap();
    assert!(
        client
            .query("SELECT * FROM scaleph.datasources", &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!gateway.log().contains("s3cret"), "the log holds a secret");
}

#[tokio::test(flavor = "multi_thread")]
async fn show_create_datasource_prints_canonical_sql_with_secrets_masked() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    client.batch_execute(CREATE).await.unwrap();
    client
        .batch_execute(
            "CREATE DATASOURCE \"Odd \"\"Name\" TYPE kafka WITH (bootstrap_servers = 'k:9092')",
        )
        .await
        .unwrap();
    let rows = client
        .query("SHOW CREATE DATASOURCE pg_main", &[])
        .await
        .unwrap();
    let sql: String = rows[0].get("create_statement");
    assert_eq!(
        sql,
        "CREATE DATASOURCE pg_main TYPE postgresql WITH (host = '127.0.0.1', password = '******', \
         port = '5432', username = 'postgres')"
    );
    let rows = client
        .query("SHOW CREATE DATASOURCE \"Odd \"\"Name\"", &[])
        .await
        .unwrap();
    let sql: String = rows[0].get(0);
    assert!(
        sql.starts_with("CREATE DATASOURCE \"Odd \"\"Name\" TYPE kafka"),
        "{sql}"
    );
    // What SHOW CREATE prints runs again (under another name).
    client
        .batch_execute("DROP DATASOURCE \"Odd \"\"Name\"")
        .await
        .unwrap();
    client.batch_execute(&sql).await.unwrap();
    let err = client
        .query("SHOW CREATE DATASOURCE missing", &[])
        .await
        .unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "42704");
    assert!(!gateway.log().contains("s3cret"), "the log holds a secret");
}

#[tokio::test(flavor = "multi_thread")]
async fn statements_not_executed_yet_answer_0a000_and_change_nothing() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    for (sql, family) in [
        (
            "CREATE SCHEDULE n CRON '0 2 * * *' AS (a RUN SQL 'SELECT 1')",
            "CREATE SCHEDULE",
        ),
        ("SHOW SCHEDULES", "SHOW SCHEDULES"),
    ] {
        let err = client.simple_query(sql).await.unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{sql}: {err}"));
        assert_eq!(db.code().code(), "0A000", "{sql}");
        assert!(
            db.message()
                .starts_with(&format!("not supported yet: {family}")),
            "{sql}: {}",
            db.message()
        );
        // The extended protocol refuses it the same way.
        let err = client.prepare(sql).await.unwrap_err();
        assert_eq!(err.as_db_error().unwrap().code().code(), "0A000", "{sql}");
    }
    assert!(
        client
            .query("SELECT * FROM scaleph.datasources", &[])
            .await
            .unwrap()
            .is_empty()
    );
    // A mistake is a syntax error with its position, before anything runs.
    let err = client
        .simple_query("CREATE SCHEDULE n CRON '0 2 * *' AS (a RUN SQL 'SELECT 1')")
        .await
        .unwrap_err();
    let db = err.as_db_error().unwrap();
    assert_eq!(db.code().code(), "22023");
    assert!(db.message().contains("it has 4 fields"), "{}", db.message());
    assert!(matches!(
        db.position(),
        Some(tokio_postgres::error::ErrorPosition::Original(24))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn attached_files_are_stored_checked_and_secret_ones_sealed() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let dir = tempfile::tempdir().unwrap();
    let keytab = dir.path().join("hive.keytab");
    let keytab_bytes = b"KEYTAB-SECRET-BYTES-0123456789".repeat(20);
    std::fs::write(&keytab, &keytab_bytes).unwrap();
    let krb5 = dir.path().join("krb5.conf");
    std::fs::write(&krb5, "[libdefaults]\n default_realm = EXAMPLE.COM\n").unwrap();
    client
        .batch_execute(&format!(
            "CREATE DATASOURCE h TYPE hive WITH (metastore_uris = 'thrift://hms:9083') \
             FILES (keytab = '{}', krb5_conf = '{}')",
            keytab.display(),
            krb5.display()
        ))
        .await
        .unwrap();
    let rows = client.simple_query("DESCRIBE DATASOURCE h").await.unwrap();
    let shown = format!("{rows:?}");
    assert!(shown.contains("600 bytes, sha256 "), "{shown}");
    assert!(shown.contains(&keytab.display().to_string()), "{shown}");
    let create = client.query("SHOW CREATE DATASOURCE h", &[]).await.unwrap();
    let sql: String = create[0].get(0);
    assert!(
        sql.contains(&format!("FILES (keytab = '{}'", keytab.display())),
        "{sql}"
    );
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&keytab_bytes);
    for entry in std::fs::read_dir(gateway.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(40).any(|w| w == &encoded.as_bytes()[..40]),
                "{} holds the keytab unsealed",
                path.display()
            );
        }
    }
    let big = dir.path().join("big.xml");
    std::fs::write(&big, vec![b'x'; (1 << 20) + 1]).unwrap();
    for (files, code, message) in [
        (
            format!("hdfs_site = '{}'", big.display()),
            "54000",
            "the limit is 1048576",
        ),
        (
            "keytab = '/no/such/keytab'".to_string(),
            "58P01",
            "cannot read file keytab",
        ),
        (
            format!("keytabb = '{}'", keytab.display()),
            "22023",
            "did you mean keytab?",
        ),
    ] {
        let sql = format!(
            "CREATE DATASOURCE h2 TYPE hive WITH (metastore_uris = 'thrift://hms:9083') FILES ({files})"
        );
        let err = client.simple_query(&sql).await.unwrap_err();
        let db = err.as_db_error().unwrap();
        assert_eq!(db.code().code(), code, "{sql}");
        assert!(db.message().contains(message), "{sql}: {}", db.message());
    }
    let err = client
        .simple_query("CREATE DATASOURCE g TYPE gravitino WITH (url = 'http://g:8090', metalake = 'm') FILES (x = '/x')")
        .await
        .unwrap_err();
    assert!(
        err.as_db_error()
            .unwrap()
            .hint()
            .unwrap()
            .contains("takes no files")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_after_create_loses_nothing() {
    let mut gateway = Gateway::start();
    {
        let client = gateway.client().await;
        client.batch_execute(CREATE).await.unwrap();
        client
            .batch_execute(
                "CREATE DATASOURCE kafka_events TYPE kafka WITH (bootstrap_servers = 'k:9092')",
            )
            .await
            .unwrap();
        client
            .batch_execute("DROP DATASOURCE kafka_events")
            .await
            .unwrap();
    }
    gateway.kill9();
    let data_dir = gateway.data_dir.clone();
    let restarted = Gateway::start_with(data_dir, gateway.dir_handle(), &[]);
    let client = restarted.client().await;
    let rows = client
        .query("SELECT name FROM scaleph.datasources ORDER BY name", &[])
        .await
        .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(names, vec!["pg_main".to_string()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_are_not_stored_in_plaintext() {
    let gateway = Gateway::start();
    gateway.client().await.batch_execute(CREATE).await.unwrap();
    for entry in std::fs::read_dir(gateway.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(10).any(|w| w == b"s3cret-Xq9"),
                "{} holds the plaintext password",
                path.display()
            );
        }
    }
}

#[test]
fn psql_shows_datasources_with_secrets_masked() {
    if !services::psql() {
        return;
    }
    let gateway = Gateway::start();
    let out = gateway.psql(&[
        "-c",
        CREATE,
        "-c",
        "SHOW DATASOURCES",
        "-c",
        "SELECT name, type, created_at FROM scaleph.datasources",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("CREATE DATASOURCE"), "{stdout}");
    assert!(stdout.contains("pg_main"), "{stdout}");
    assert!(!stdout.contains("s3cret"), "{stdout}");
}
