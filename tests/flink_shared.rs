//! Issue 18: scaleph's default catalog is shared. Tables, views, functions
//! and databases created without TEMPORARY in Flink's built-in catalog are
//! kept in scaleph's store and replayed into every Flink session, so that
//! every connection — DBeaver's navigator, the next psql, a job — sees
//! them, across restarts of scaleph and of the Flink SQL Gateway. Driven
//! through the real `scaleph serve` against the gateway double, whose
//! built-in catalog is per session as Flink's is.

use crate::support::query_rows as rows;
use std::sync::Arc;

use crate::flink::{ORDERS, gateway_for};
use crate::support::flink_gateway::{DoubleOptions, FlinkDouble};
use crate::support::{Gateway, services};

/// The first column of every row of `sql`.
async fn first_column(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    rows(client, sql)
        .await
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect()
}

/// The SQLSTATE `sql` fails with on `client`.
async fn fails_with(client: &tokio_postgres::Client, sql: &str) -> String {
    let err = client.simple_query(sql).await.expect_err(sql);
    err.as_db_error()
        .map(|db| db.code().code().to_string())
        .unwrap_or_else(|| panic!("{sql}: not a server error: {err}"))
}

/// The statements the double was given to set sessions up
/// (`configure-session` bodies), in order.
fn configured(double: &FlinkDouble) -> Vec<String> {
    double
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/configure-session"))
        .filter_map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body).ok()?["statement"]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// The index of the first statement of `statements` starting with `prefix`.
fn position(statements: &[String], prefix: &str) -> usize {
    statements
        .iter()
        .position(|s| s.starts_with(prefix))
        .unwrap_or_else(|| panic!("{prefix} not among {statements:?}"))
}

const TABLES: &str = "SELECT table_schema || '.' || table_name FROM information_schema.tables \
     WHERE table_schema IN ('default_database', 'sales') ORDER BY 1";

#[tokio::test(flavor = "multi_thread")]
async fn issue_18_what_one_connection_creates_every_connection_sees_and_queries() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    let b = gateway.client().await;
    // b's Flink session is open, and its catalog listed, before a creates
    // anything: b catches up before its next statement.
    assert!(first_column(&b, TABLES).await.is_empty());
    a.batch_execute(&format!(
        "{ORDERS}; CREATE DATABASE sales; \
         CREATE TABLE sales.leads (lead_id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '2'); \
         CREATE TABLE sink (id INT) WITH ('connector' = 'blackhole')"
    ))
    .await
    .unwrap();
    assert_eq!(rows(&b, "SELECT id FROM orders").await.len(), 3);
    assert_eq!(rows(&b, "SELECT lead_id FROM sales.leads").await.len(), 2);
    // The listing b made is stale: b's next catalog query lists again.
    assert_eq!(
        first_column(&b, TABLES).await,
        [
            "default_database.orders",
            "default_database.sink",
            "sales.leads"
        ]
    );
    a.batch_execute("CREATE VIEW big AS SELECT id FROM orders WHERE id > 0")
        .await
        .unwrap();
    assert_eq!(
        first_column(&b, TABLES).await,
        [
            "default_database.big",
            "default_database.orders",
            "default_database.sink",
            "sales.leads"
        ]
    );
    // psql's \dt, on a connection of its own, lists them.
    if services::psql() {
        let output = gateway.psql(&["-c", "\\dt *.*"]);
        let listed = String::from_utf8_lossy(&output.stdout);
        for table in [["default_database", "orders"], ["sales", "leads"]] {
            let shown = listed.lines().any(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                cells.len() > 2 && cells[..2] == table
            });
            assert!(shown, "{table:?}:\n{listed}");
        }
    }
    // A connection opened later gets it all when its Flink session opens;
    // its previews and jobs see the shared tables.
    let c = gateway.client().await;
    assert_eq!(rows(&c, "SELECT id FROM big").await.len(), 3);
    assert_eq!(
        rows(&c, "PREVIEW INSERT INTO sink SELECT id FROM orders")
            .await
            .len(),
        3
    );
    let job = rows(&c, "INSERT INTO sink SELECT id FROM orders").await;
    assert_eq!(job[0][0].as_deref().map(str::len), Some(32));
    // scaleph.flink_objects lists them, in creation order.
    let objects = rows(
        &c,
        "SELECT database, name, kind, version, creator FROM scaleph.flink_objects",
    )
    .await;
    let listed: Vec<String> = objects
        .iter()
        .map(|r| {
            r[..4]
                .iter()
                .map(|v| v.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        listed,
        [
            "default_database orders TABLE 1",
            " sales DATABASE 2",
            "sales leads TABLE 3",
            "default_database sink TABLE 4",
            "default_database big VIEW 5",
        ]
    );
    assert!(
        objects.iter().all(|r| r[4]
            .as_deref()
            .is_some_and(|c| c.starts_with("scaleph@127.0.0.1"))),
        "{objects:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_18_the_shared_catalog_survives_restarts_of_scaleph_and_the_gateway() {
    let double = FlinkDouble::start();
    let mut gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    a.batch_execute(&format!("{ORDERS}; CREATE DATABASE sales"))
        .await
        .unwrap();
    drop(a);
    gateway.kill9();
    double.restart();
    let gateway = Gateway::start_with(
        gateway.data_dir.clone(),
        gateway.dir_handle(),
        &["--flink-gateway", &double.url()],
    );
    let b = gateway.client().await;
    assert_eq!(rows(&b, "SELECT id FROM orders").await.len(), 3);
    assert_eq!(
        first_column(&b, "SHOW DATABASES").await,
        ["default_database", "sales"]
    );
}

/// Replay order is creation order, and a statement that fails in it
/// (a view over a table dropped and created again after it) is tried
/// again after the rest; each statement runs in the database it was
/// written in.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_new_flink_session_gets_the_shared_catalog_in_dependency_order() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    a.batch_execute(
        "CREATE DATABASE sales; USE sales; \
         CREATE TABLE t (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2'); \
         CREATE VIEW v AS SELECT id FROM sales.t; \
         DROP TABLE t; \
         CREATE TABLE t (id INT, note STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '4'); \
         USE default_database",
    )
    .await
    .unwrap();
    let b = gateway.client().await;
    assert_eq!(rows(&b, "SELECT id FROM sales.v").await.len(), 4);
    let losses: [fn(&FlinkDouble); 2] = [FlinkDouble::restart, FlinkDouble::expire_sessions];
    for lose in losses {
        lose(&double);
        double.clear_requests();
        for client in [&a, &b] {
            assert_eq!(rows(client, "SELECT id FROM sales.v").await.len(), 4);
        }
        // The first session's replay (the second session's follows).
        let mut replayed = configured(&double);
        let second = replayed
            .iter()
            .rposition(|s| s == "CREATE DATABASE sales")
            .unwrap_or_default();
        replayed.truncate(second.max(1));
        let database = position(&replayed, "CREATE DATABASE sales");
        let table = position(&replayed, "CREATE TABLE t (id INT, note STRING)");
        let view = replayed
            .iter()
            .rposition(|s| s.starts_with("CREATE VIEW v"))
            .unwrap_or_default();
        assert!(database < table && table < view, "{replayed:?}");
        assert!(
            replayed.contains(&"USE `default_catalog`.`sales`".to_string()),
            "{replayed:?}"
        );
        // The dropped table's CREATE is not replayed at all.
        assert!(
            !replayed
                .iter()
                .any(|s| s.contains("'number-of-rows' = '2'")),
            "{replayed:?}"
        );
    }
    // a is back in the database it chose.
    assert_eq!(
        first_column(&a, "SHOW CURRENT DATABASE").await,
        ["default_database"]
    );
}

/// Two connections creating one name at once: one wins, the others get
/// 42P07 and their statements never reach Flink.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_concurrent_creates_of_one_name_have_exactly_one_winner() {
    let double = FlinkDouble::start_with(DoubleOptions {
        not_ready_fetches: 3,
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let mut clients = Vec::new();
    for _ in 0..5 {
        let client = Arc::new(gateway.client().await);
        client.simple_query("SHOW TABLES").await.unwrap();
        clients.push(client);
    }
    let racers = clients.iter().enumerate().map(|(i, client)| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .simple_query(&format!(
                    "CREATE TABLE race (c{i} INT) WITH ('connector' = 'datagen')"
                ))
                .await
        })
    });
    let results: Vec<_> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(|joined| joined.unwrap())
        .collect();
    let winners: Vec<usize> = (0..results.len()).filter(|&i| results[i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(
            err.as_db_error().map(|db| db.code().code()),
            Some("42P07"),
            "{err}"
        );
    }
    let sent = double
        .statements()
        .iter()
        .filter(|s| s.starts_with("CREATE TABLE race"))
        .count();
    assert_eq!(sent, 1, "only the winner's CREATE reaches Flink");
    let column = format!("c{}", winners[0]);
    for client in &clients {
        assert_eq!(
            first_column(client, "DESCRIBE race").await,
            [column.as_str()]
        );
    }
    // IF NOT EXISTS on the shared name is a no-op; without it, 42P07.
    clients[0]
        .batch_execute("CREATE TABLE IF NOT EXISTS race (other INT) WITH ('connector' = 'datagen')")
        .await
        .unwrap();
    assert_eq!(
        fails_with(&clients[1], "CREATE VIEW race AS SELECT 1").await,
        "42P07"
    );
    assert_eq!(
        first_column(
            &clients[2],
            "SELECT max(version) FROM scaleph.flink_objects"
        )
        .await,
        ["1"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_18_drop_and_alter_apply_for_everyone_temporary_objects_stay_private() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    let b = gateway.client().await;
    a.batch_execute(&format!(
        "{ORDERS}; CREATE TABLE t2 (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1'); \
         CREATE TEMPORARY TABLE mine (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2'); \
         CREATE FUNCTION my_upper AS 'com.example.Upper'"
    ))
    .await
    .unwrap();
    assert_eq!(rows(&b, "SELECT id FROM orders").await.len(), 3);
    assert_eq!(first_column(&b, "SHOW USER FUNCTIONS").await, ["my_upper"]);
    assert_eq!(fails_with(&b, "SELECT id FROM mine").await, "42P01");
    a.batch_execute("DROP TABLE orders; ALTER TABLE t2 RENAME TO t3; DROP FUNCTION my_upper")
        .await
        .unwrap();
    assert!(first_column(&b, "SHOW USER FUNCTIONS").await.is_empty());
    assert_eq!(fails_with(&b, "SELECT id FROM orders").await, "42P01");
    assert_eq!(fails_with(&b, "SELECT id FROM t2").await, "42P01");
    assert_eq!(rows(&b, "SELECT id FROM t3").await.len(), 1);
    assert_eq!(
        first_column(&b, "SELECT name FROM scaleph.flink_objects").await,
        ["t3"]
    );
    // The name a dropped is free again, for b.
    b.batch_execute(ORDERS).await.unwrap();
    // a's temporary table is a's, across a restart too.
    double.restart();
    assert_eq!(rows(&a, "SELECT id FROM mine").await.len(), 2);
    assert_eq!(rows(&a, "SELECT id FROM orders").await.len(), 3);
    assert_eq!(fails_with(&b, "SELECT id FROM mine").await, "42P01");
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_create_flink_refuses_keeps_nothing() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    assert_eq!(
        fails_with(&a, "CREATE VIEW v AS SELECT id FROM nowhere").await,
        "42P01"
    );
    fails_with(&a, "CREATE TABLE t (id INT WITH ('connector' = 'datagen')").await;
    assert_eq!(
        first_column(&a, "SELECT count(*) FROM scaleph.flink_objects").await,
        ["0"]
    );
    // The names were released: creating them works.
    a.batch_execute(
        "CREATE TABLE t (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1'); \
         CREATE VIEW v AS SELECT id FROM t",
    )
    .await
    .unwrap();
    let b = gateway.client().await;
    assert_eq!(rows(&b, "SELECT id FROM v").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_18_secrets_in_shared_ddl_are_sealed_and_never_shown() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    a.batch_execute(
        "CREATE TABLE pg_orders (id INT) WITH ('connector' = 'jdbc', \
         'url' = 'jdbc:postgresql://db/shop', 'table-name' = 'orders', 'password' = 'shared-secret-77')",
    )
    .await
    .unwrap();
    let b = gateway.client().await;
    let definition = first_column(&b, "SELECT definition FROM scaleph.flink_objects").await;
    assert!(
        definition[0].contains("'password' = '******'"),
        "{definition:?}"
    );
    assert!(!definition[0].contains("shared-secret-77"));
    // b's Flink session got the real statement.
    b.simple_query("SHOW TABLES").await.unwrap();
    assert!(
        configured(&double)
            .iter()
            .any(|s| s.contains("shared-secret-77"))
    );
    assert!(!gateway.log().contains("shared-secret-77"));
    // Every file of the data dir (the store, its WAL, served jars).
    let mut dirs = vec![gateway.data_dir().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(16).any(|w| w == b"shared-secret-77"),
                "{path:?}"
            );
        }
    }
}

/// A CREATE whose answer never comes (here the result timeout; a cancel
/// or a lost connection alike) may or may not have run in Flink: its name
/// is released, nothing is kept, and the connection's Flink session is
/// rebuilt from the store before its next statement.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_create_without_an_answer_releases_its_name_and_rebuilds_the_session() {
    let double = FlinkDouble::start_with(DoubleOptions {
        not_ready_fetches: u32::MAX,
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let create = "CREATE TABLE t (id INT) WITH ('connector' = 'datagen')";
    let a = gateway.client().await;
    let b = gateway.client().await;
    for client in [&a, &b] {
        client
            .batch_execute("SET 'scaleph.result.timeout' = '1 s'")
            .await
            .unwrap();
    }
    assert_eq!(fails_with(&a, create).await, "57014");
    assert_eq!(
        first_column(&b, "SELECT count(*) FROM scaleph.flink_objects").await,
        ["0"]
    );
    // The name is free: b's CREATE reaches Flink (and times out too).
    assert_eq!(fails_with(&b, create).await, "57014");
    let opened = |double: &FlinkDouble| {
        double
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/sessions"))
            .count()
    };
    let before = opened(&double);
    assert_eq!(fails_with(&a, "SHOW TABLES").await, "57014");
    assert_eq!(opened(&double), before + 1, "a's Flink session is rebuilt");
    assert!(
        double.requests().iter().any(|r| r.method == "DELETE"
            && r.path.contains("/sessions/")
            && !r.path.contains("/operations/")),
        "the old one is closed"
    );
}
