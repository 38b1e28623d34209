//! Connector objects end to end (issue 14): a jar registered by name, what
//! it provides read from its service file (local) or its file name
//! (remote), listed beside what Flink has built in; bad locations and
//! unknown names answered with their SQLSTATEs.

use crate::support::Gateway;

/// A jar whose service file lists `factories`, written by Python's
/// zipfile (deflated, as `jar` writes them).
fn jar(dir: &std::path::Path, name: &str, factories: &[&str]) -> String {
    let path = dir.join(name);
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n\
             z.writestr('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\\n')\n\
             z.writestr('META-INF/services/org.apache.flink.table.factories.Factory', sys.argv[2])\n\
             z.close()",
        )
        .arg(&path)
        .arg(factories.join("\n"))
        .status()
        .expect("python3 runs");
    assert!(status.success());
    path.display().to_string()
}

fn code(err: &tokio_postgres::Error) -> String {
    err.as_db_error().unwrap().code().code().to_string()
}

fn row_count(messages: &[tokio_postgres::SimpleQueryMessage]) -> usize {
    messages
        .iter()
        .filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_14_connectors_are_registered_listed_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let kafka = jar(
        dir.path(),
        "my-kafka.jar",
        &[
            "# Kafka",
            "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory",
            "org.apache.flink.streaming.connectors.kafka.table.UpsertKafkaDynamicTableFactory",
        ],
    );
    let udf = jar(dir.path(), "udf.jar", &[]);
    let gateway = Gateway::start();
    let (client, notices_seen) = gateway.client_with_notices().await;

    client
        .batch_execute(&format!("CREATE CONNECTOR kafka FROM '{kafka}'"))
        .await
        .unwrap();
    let seen = notices_seen.lock().unwrap().join("\n");
    assert!(
        seen.contains("provides connector:kafka, connector:upsert-kafka"),
        "{seen}"
    );
    let err = client
        .batch_execute(&format!("CREATE CONNECTOR kafka FROM '{kafka}'"))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "42710");
    client
        .batch_execute(&format!(
            "CREATE CONNECTOR IF NOT EXISTS kafka FROM '{kafka}'"
        ))
        .await
        .unwrap();
    let seen = || notices_seen.lock().unwrap().join("\n");
    assert!(seen().contains("already exists, skipping"));

    // A remote jar: what it provides comes from the registry by file name.
    client
        .batch_execute(
            "CREATE CONNECTOR remote_kafka FROM 'https://repo1.maven.org/maven2/org/apache/flink/flink-sql-connector-kafka/3.3.0-1.20/flink-sql-connector-kafka-3.3.0-1.20.jar'",
        )
        .await
        .unwrap();
    client
        .batch_execute(&format!("CREATE CONNECTOR udf FROM 'file://{udf}'"))
        .await
        .unwrap();
    assert!(seen().contains("lists no table factories"));

    let rows = client
        .query(
            "SELECT name, kind, provides FROM scaleph.connectors WHERE kind <> 'jar' ORDER BY kind, name",
            &[],
        )
        .await
        .unwrap();
    let listed: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert!(listed.contains(&(
        "datagen".into(),
        "built-in".into(),
        "connector:datagen".into()
    )));
    assert!(listed.contains(&(
        "kafka".into(),
        "connector".into(),
        "connector:kafka, connector:upsert-kafka".into()
    )));
    assert!(listed.contains(&(
        "remote_kafka".into(),
        "connector".into(),
        "connector:kafka, connector:upsert-kafka".into()
    )));
    assert!(listed.contains(&("udf".into(), "connector".into(), String::new())));
    let shown = client
        .simple_query("SHOW CONNECTORS LIKE 'k%'")
        .await
        .unwrap();
    assert_eq!(row_count(&shown), 1, "kafka only: {shown:?}");

    let described = client.query("DESCRIBE CONNECTOR kafka", &[]).await.unwrap();
    let property = |name: &str| -> Vec<String> {
        described
            .iter()
            .filter(|r| r.get::<_, String>(0) == name)
            .map(|r| r.get(1))
            .collect()
    };
    assert_eq!(property("sha256")[0].len(), 64);
    assert_eq!(property("factory").len(), 2);
    assert_eq!(property("location"), vec![kafka.clone()]);

    client
        .batch_execute("COMMENT ON CONNECTOR kafka IS 'Kafka for 2.x'")
        .await
        .unwrap();
    let create: String = client
        .query_one("SHOW CREATE CONNECTOR kafka", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        create,
        format!(
            "CREATE CONNECTOR kafka FROM '{kafka}';\nCOMMENT ON CONNECTOR kafka IS 'Kafka for 2.x'"
        )
    );

    let err = client
        .query("DESCRIBE CONNECTOR kafak", &[])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "42704");
    let message = err.as_db_error().unwrap().message();
    assert!(message.contains("did you mean kafka?"), "{message}");
    let err = client
        .batch_execute("DROP CONNECTOR datagen")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "42704");
    assert!(
        err.as_db_error()
            .unwrap()
            .hint()
            .unwrap()
            .contains("built into Flink"),
        "{err:?}"
    );
    let err = client
        .batch_execute("ALTER CONNECTOR kafka RENAME TO k2")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "0A000");

    client.batch_execute("DROP CONNECTOR kafka").await.unwrap();
    client
        .batch_execute("DROP CONNECTOR IF EXISTS kafka")
        .await
        .unwrap();
    let err = client
        .batch_execute("DROP CONNECTOR kafka")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "42704");
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_14_a_connector_location_must_be_a_readable_jar() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_jar = dir.path().join("notes.jar");
    std::fs::write(&not_a_jar, "plain text, not a zip").unwrap();
    let gateway = Gateway::start();
    let client = gateway.client().await;
    for (sql, state) in [
        (
            format!(
                "CREATE CONNECTOR c FROM '{}'",
                dir.path().join("missing.jar").display()
            ),
            "58P01",
        ),
        (
            format!("CREATE CONNECTOR c FROM '{}'", not_a_jar.display()),
            "22023",
        ),
        (
            "CREATE CONNECTOR c FROM 'relative/path.jar'".to_string(),
            "22023",
        ),
    ] {
        let err = client.batch_execute(&sql).await.unwrap_err();
        assert_eq!(code(&err), state, "{sql}: {err}");
    }
    assert!(
        client
            .query(
                "SELECT * FROM scaleph.connectors WHERE kind = 'connector'",
                &[]
            )
            .await
            .unwrap()
            .is_empty(),
        "a refused connector leaves nothing behind"
    );
}
