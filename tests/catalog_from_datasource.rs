//! `CREATE CATALOG name FROM DATASOURCE ds` (issue 16): the Flink catalog
//! written from a datasource, run in the Flink session, kept sealed and
//! replayed into every new one, listed masked with the datasource it came
//! from — and the datasource's secrets in no answer, notice, error or log.
//! Against the real `scaleph serve` and the Flink SQL Gateway double, which
//! echoes a failed CREATE CATALOG's options as Flink 2.x does.

use crate::flink::gateway_for;
use crate::support::flink_gateway::FlinkDouble;
use crate::support::query_rows as rows;

/// The datasources' secrets: none may reach a client or a log.
const SECRETS: [&str; 3] = ["paimon-S3cret-42", "AKIA-TEST-7", "pg-S3cret-77"];

/// Fails naming the secret when `text` holds one.
fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} holds {secret}: {text}");
    }
}

/// Everything a client sees of an error.
fn error_text(err: &tokio_postgres::Error) -> String {
    let db = err.as_db_error().expect("a server error");
    format!(
        "{} | {} | {} | {}",
        db.code().code(),
        db.message(),
        db.detail().unwrap_or_default(),
        db.hint().unwrap_or_default()
    )
}

/// The statements the double was given to set a session up: what scaleph
/// replayed into it.
fn configured(double: &FlinkDouble) -> Vec<String> {
    double
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/configure-session"))
        .map(|r| r.body)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_16_a_catalog_from_a_datasource_is_created_replayed_and_shown_masked() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let (client, notices) = gateway.client_with_notices().await;
    client
        .batch_execute(
            "CREATE DATASOURCE lake_src TYPE paimon WITH (warehouse = 's3://lake/wh', \
               s3_endpoint = 'http://minio:9000', s3_access_key = 'AKIA-TEST-7', \
               s3_secret_key = 'paimon-S3cret-42'); \
             CREATE DATASOURCE pg_src TYPE postgresql WITH (host = '127.0.0.1', \
               username = 'postgres', password = 'pg-S3cret-77', database = 'shop'); \
             CREATE DATASOURCE events TYPE kafka WITH (bootstrap_servers = 'k:9092')",
        )
        .await
        .unwrap();

    // Created in this session: Flink got the real options, once.
    client
        .batch_execute("CREATE CATALOG lake FROM DATASOURCE lake_src")
        .await
        .unwrap();
    let sent: Vec<String> = double
        .statements()
        .into_iter()
        .filter(|s| s.starts_with("CREATE CATALOG"))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with("CREATE CATALOG `lake` WITH ('type' = 'paimon', ")
            && sent[0].contains("'s3.secret-key' = 'paimon-S3cret-42'")
            && sent[0].contains("'warehouse' = 's3://lake/wh'"),
        "{}",
        sent[0]
    );
    client
        .batch_execute("USE CATALOG lake; CREATE DATABASE db")
        .await
        .unwrap();
    let databases = rows(&client, "SHOW DATABASES").await;
    assert!(
        databases.iter().any(|r| r[0].as_deref() == Some("db")),
        "{databases:?}"
    );

    // Listed with its datasource and masked.
    let listed = rows(
        &client,
        "SELECT name, type, datasource, definition FROM scaleph.catalogs",
    )
    .await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let [name, catalog_type, datasource, definition] = &listed[0][..] else {
        panic!("{listed:?}")
    };
    assert_eq!(
        (
            name.as_deref(),
            catalog_type.as_deref(),
            datasource.as_deref()
        ),
        (Some("lake"), Some("paimon"), Some("lake_src"))
    );
    let definition = definition.as_deref().unwrap();
    assert!(
        definition.contains("'s3.secret-key' = '******'")
            && definition.contains("'s3.access-key' = '******'"),
        "{definition}"
    );
    assert_no_secret("scaleph.catalogs", definition);

    // Another connection: a new Flink session, the catalog replayed into
    // it (with its real options) and its database there — a persistent
    // catalog's objects live in its store.
    double.clear_requests();
    let other = gateway.client().await;
    let catalogs = rows(&other, "SHOW CATALOGS").await;
    assert!(
        catalogs.iter().any(|r| r[0].as_deref() == Some("lake")),
        "{catalogs:?}"
    );
    let replayed = configured(&double).join("\n");
    assert!(
        replayed.contains("CREATE CATALOG `lake` WITH ('type' = 'paimon'"),
        "{replayed}"
    );
    let in_lake = gateway.client_in("lake").await.expect("connect to lake");
    let databases = rows(&in_lake, "SHOW DATABASES").await;
    assert!(
        databases.iter().any(|r| r[0].as_deref() == Some("db")),
        "{databases:?}"
    );
    // And after a restarted Flink SQL Gateway, for the first connection too.
    double.restart();
    let catalogs = rows(&client, "SHOW CATALOGS").await;
    assert!(
        catalogs.iter().any(|r| r[0].as_deref() == Some("lake")),
        "{catalogs:?}"
    );

    // The answers that do not reach Flink.
    let mut errors = Vec::new();
    for (sql, code, says) in [
        (
            "CREATE CATALOG lake FROM DATASOURCE pg_src",
            "42710",
            "catalog \"lake\" already exists",
        ),
        (
            "CREATE CATALOG shop FROM DATASOURCE pg_scr",
            "42704",
            "datasource \"pg_scr\" does not exist: did you mean pg_src?",
        ),
        (
            "CREATE CATALOG stream FROM DATASOURCE events",
            "0A000",
            "datasource \"events\" is of type kafka, which has no Flink catalog",
        ),
        (
            "CREATE CATALOG shop FROM DATASOURCE pg_src WITH ('type' = 'hive')",
            "22023",
            "WITH cannot change it",
        ),
    ] {
        let err = client.batch_execute(sql).await.unwrap_err();
        let text = error_text(&err);
        assert!(
            text.starts_with(code) && text.contains(says),
            "{sql}: {text}"
        );
        errors.push(text);
    }
    assert!(
        errors[2].contains("hive, mysql, paimon, postgresql"),
        "{}",
        errors[2]
    );
    client
        .batch_execute("CREATE CATALOG IF NOT EXISTS lake FROM DATASOURCE pg_src")
        .await
        .unwrap();

    // Flink refuses this one, and its refusal echoes every option (the
    // password too): what the client and the logs get is scrubbed.
    let err = client
        .batch_execute("CREATE CATALOG default_catalog FROM DATASOURCE pg_src")
        .await
        .unwrap_err();
    let text = error_text(&err);
    assert!(
        text.contains("A catalog with name [default_catalog] already exists")
            && text.contains("password=******")
            && text.contains(
                "the Flink statement: CREATE CATALOG `default_catalog` WITH ('type' = 'jdbc'"
            ),
        "{text}"
    );
    errors.push(text);

    // A JDBC catalog, WITH replacing the datasource's database.
    client
        .batch_execute(
            "CREATE CATALOG shop FROM DATASOURCE pg_src WITH ('default-database' = 'crm')",
        )
        .await
        .unwrap();
    let shown = rows(
        &client,
        "SELECT definition FROM scaleph.catalogs WHERE name = 'shop'",
    )
    .await;
    assert_eq!(
        shown[0][0].as_deref(),
        Some(
            "CREATE CATALOG `shop` WITH ('type' = 'jdbc', 'base-url' = 'jdbc:postgresql://127.0.0.1:5432', \
             'default-database' = 'crm', 'password' = '******', 'username' = 'postgres')"
        )
    );

    // DROP CATALOG forgets it like any other.
    client.batch_execute("DROP CATALOG shop").await.unwrap();
    assert_eq!(
        rows(&client, "SELECT name FROM scaleph.catalogs").await,
        [[Some("lake".to_string())]]
    );

    for text in &errors {
        assert_no_secret("an error", text);
    }
    assert_no_secret("a notice", &notices.lock().unwrap().join("\n"));
    assert!(
        notices
            .lock()
            .unwrap()
            .iter()
            .any(|n| n == "catalog \"lake\" already exists, skipping"),
        "{:?}",
        notices.lock().unwrap()
    );
    assert_no_secret("scaleph's log", &gateway.log());
}
