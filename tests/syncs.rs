//! Syncs planned from the live metadata of the machine's real PostgreSQL
//! and MariaDB: tables picked by patterns, names, every column's type for
//! the engine, tables without a key, clear errors, secrets masked, and the
//! datasources a sync uses kept from being dropped.

use crate::support::query_rows as rows;
use crate::support::{Gateway, services};
use mysql_async::prelude::Queryable;

async fn error(client: &tokio_postgres::Client, sql: &str) -> (String, String, String) {
    let err = client.simple_query(sql).await.expect_err(sql);
    let db = err
        .as_db_error()
        .unwrap_or_else(|| panic!("{sql}: {err:?}"));
    (
        db.code().code().to_string(),
        db.message().to_string(),
        db.hint().unwrap_or_default().to_string(),
    )
}

/// DESCRIBE SYNC's value for (section, name).
fn described<'a>(rows: &'a [Vec<Option<String>>], section: &str, name: &str) -> &'a str {
    rows.iter()
        .find(|r| r[0].as_deref() == Some(section) && r[1].as_deref() == Some(name))
        .and_then(|r| r[2].as_deref())
        .unwrap_or_else(|| panic!("no {section} {name} in {rows:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn postgresql_sync_is_planned_from_live_metadata() {
    if !services::postgres() {
        return;
    }
    let schema = format!("scaleph_sync_{}", std::process::id());
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
           note varchar(40), created timestamptz(3), tags int[], paid boolean, raw bytea);
         CREATE TABLE {schema}.order_items (order_id bigint, line int, sku char(8),
           PRIMARY KEY (line, order_id));
         CREATE TABLE {schema}.logs (at timestamp, message text);
         CREATE TABLE {schema}.skipped (id int PRIMARY KEY);
         CREATE VIEW {schema}.order_view AS SELECT id FROM {schema}.orders;"
    ))
    .await
    .unwrap();

    let gateway = Gateway::start();
    let client = gateway.client().await;
    let secret = "Pg-Sync-Sekr1t-42";
    client
        .batch_execute(&format!(
            "CREATE DATASOURCE pg_src TYPE postgresql WITH (host = '127.0.0.1', port = 5432, \
             username = 'postgres', password = '{secret}', database = 'test');
             CREATE DATASOURCE pg_dst TYPE postgresql WITH (host = '127.0.0.1', port = 5432, \
             username = 'postgres', password = '{secret}', database = 'ods')"
        ))
        .await
        .unwrap();

    // A pattern that matches nothing names what the database has.
    let (code, message, hint) = error(
        &client,
        &format!(
            "CREATE SYNC nothing FROM pg_src DATABASE test TABLES ('{schema}\\.orders', 'nope_.*') \
             TO pg_dst MODE SNAPSHOT ENGINE FLINK_SQL"
        ),
    )
    .await;
    assert_eq!(code, "42P01", "{message}");
    assert!(message.contains("'nope_.*'"), "{message}");
    assert!(hint.contains(&format!("{schema}.skipped")), "{hint}");

    client
        .batch_execute(&format!(
            "CREATE SYNC pg_copy FROM pg_src DATABASE test \
             TABLES ('{schema}\\.(orders|order_items)', '{schema}\\.logs') \
             TO pg_dst DATABASE ods MODE SNAPSHOT ENGINE FLINK_SQL \
             WITH ('table.name.pattern' = 'ods_{{table}}')"
        ))
        .await
        .unwrap();
    let synced = rows(
        &client,
        "SELECT name, source, sinks, mode, engine, tables, state FROM scaleph.syncs",
    )
    .await;
    assert_eq!(
        synced,
        vec![vec![
            Some("pg_copy".into()),
            Some("pg_src".into()),
            Some("pg_dst".into()),
            Some("SNAPSHOT".into()),
            Some("FLINK_SQL".into()),
            Some("3".into()),
            Some("CREATED".into()),
        ]]
    );

    let described_rows = rows(&client, "DESCRIBE SYNC pg_copy").await;
    let orders = format!("{schema}.orders");
    assert_eq!(
        described(&described_rows, "table", &orders),
        "pg_dst: ods_orders"
    );
    assert_eq!(described(&described_rows, "primary key", &orders), "id");
    assert_eq!(
        described(
            &described_rows,
            "primary key",
            &format!("{schema}.order_items")
        ),
        "line, order_id",
        "key columns in key order"
    );
    assert_eq!(
        described(&described_rows, "primary key", &format!("{schema}.logs")),
        "(none)"
    );
    for (column, expected) in [
        ("id", "bigint NOT NULL → BIGINT"),
        ("amount", "numeric(10,2) NOT NULL → DECIMAL(10, 2)"),
        ("note", "character varying(40) → VARCHAR(40)"),
        ("created", "timestamp(3) with time zone → TIMESTAMP_LTZ(3)"),
        ("tags", "integer[] → ARRAY<INT>"),
        ("paid", "boolean → BOOLEAN"),
        ("raw", "bytea → BYTES"),
    ] {
        assert_eq!(
            described(&described_rows, "column", &format!("{orders}.{column}")),
            expected
        );
    }
    assert!(
        !described_rows.iter().any(|r| r[1]
            .as_deref()
            .is_some_and(|n| n.contains("skipped") || n.contains("order_view"))),
        "only the tables asked for, and never a view: {described_rows:?}"
    );
    let shown = format!("{described_rows:?}");
    assert!(!shown.contains(secret), "{shown}");

    // EXPLAIN gives the Flink SQL, secrets masked.
    let explained = rows(&client, "EXPLAIN SYNC pg_copy").await;
    let text = format!("{explained:?}");
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("******"), "{text}");
    assert!(text.contains("ods_orders"), "{text}");

    let create = rows(&client, "SHOW CREATE SYNC pg_copy").await;
    let create = create[0][0].clone().unwrap();
    assert!(
        create.starts_with("CREATE SYNC pg_copy FROM pg_src DATABASE test"),
        "{create}"
    );
    assert!(
        create.contains("'table.name.pattern' = 'ods_{table}'"),
        "{create}"
    );

    // ALTER SET renames the targets in the plan.
    client
        .batch_execute("ALTER SYNC pg_copy SET ('table.name.pattern' = 'raw_{table}')")
        .await
        .unwrap();
    let described_rows = rows(&client, "DESCRIBE SYNC pg_copy").await;
    assert_eq!(
        described(&described_rows, "table", &orders),
        "pg_dst: raw_orders"
    );

    // A datasource a sync uses is not dropped behind its back.
    let (code, message, hint) = error(&client, "DROP DATASOURCE pg_dst").await;
    assert_eq!(code, "2BP01", "{message}");
    assert!(message.contains("\"pg_copy\""), "{message}");
    assert!(hint.contains("CASCADE"), "{hint}");
    client
        .batch_execute("DROP DATASOURCE pg_dst CASCADE")
        .await
        .unwrap();
    assert!(rows(&client, "SHOW SYNCS").await.is_empty());

    // Without a cluster there is nothing to start on.
    client
        .batch_execute(&format!(
            "CREATE DATASOURCE pg_dst2 TYPE postgresql WITH (host = '127.0.0.1', port = 5432, \
             username = 'postgres', database = 'ods');
             CREATE SYNC again FROM pg_src DATABASE test TABLES ('{schema}\\.orders') TO pg_dst2 \
             MODE SNAPSHOT ENGINE FLINK_SQL"
        ))
        .await
        .unwrap();
    let (code, message, _) = error(&client, "START SYNC again").await;
    assert_eq!(code, "42704", "{message}");
    client.batch_execute("DROP SYNC again").await.unwrap();
    let (code, _, _) = error(&client, "DROP SYNC again").await;
    assert_eq!(code, "42704");

    pg.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_sync_maps_mysql_types_for_each_engine() {
    if !services::mariadb() {
        return;
    }
    let database = format!("scaleph_sync_{}", std::process::id());
    let opts = mysql_async::OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(3306)
        .user(Some("root"))
        .prefer_socket(false);
    let mut my = mysql_async::Conn::new(opts).await.unwrap();
    my.query_drop(format!(
        "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}; USE {database};
         CREATE TABLE orders (id INT UNSIGNED PRIMARY KEY, amount DECIMAL(12,3) NOT NULL,
           flag TINYINT(1), created DATETIME(3), big BIGINT UNSIGNED, doc JSON, data BLOB,
           note VARCHAR(64));
         CREATE TABLE user_a (id INT PRIMARY KEY);
         CREATE TABLE user_b (id INT PRIMARY KEY);
         CREATE TABLE audit (at TIMESTAMP, what TEXT);"
    ))
    .await
    .unwrap();

    let gateway = Gateway::start();
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE DATASOURCE maria TYPE mysql WITH (host = '127.0.0.1', port = 3306, \
             username = 'root', password = '');
             CREATE DATASOURCE events TYPE kafka WITH (bootstrap_servers = 'kafka:9092');
             CREATE DATASOURCE maria_sink TYPE mysql WITH (host = '127.0.0.1', port = 3306, \
             username = 'root', password = '', database = '{database}')"
        ))
        .await
        .unwrap();

    // DATABASE on a message queue, TOPIC on a database: said before planning.
    let (code, message, _) = error(
        &client,
        &format!("CREATE SYNC bad FROM maria DATABASE {database} TO events DATABASE x MODE CDC"),
    )
    .await;
    assert_eq!(code, "22023", "{message}");
    assert!(message.contains("events"), "{message}");

    client
        .batch_execute(&format!(
            "CREATE SYNC to_topics FROM maria DATABASE {database} TABLES ('orders', 'user_.*') \
             TO events TOPIC PATTERN 'shop.{{table}}' MODE CDC ENGINE SEATUNNEL"
        ))
        .await
        .unwrap();
    let described_rows = rows(&client, "DESCRIBE SYNC to_topics").await;
    let orders = format!("{database}.orders");
    assert_eq!(
        described(&described_rows, "table", &orders),
        "events: shop.orders"
    );
    assert_eq!(
        described(&described_rows, "table", &format!("{database}.user_b")),
        "events: shop.user_b"
    );
    assert!(
        !described_rows
            .iter()
            .any(|r| r[1].as_deref() == Some(&*format!("{database}.audit"))),
        "audit is not asked for"
    );
    for (column, source) in [
        ("id", "int(10) unsigned NOT NULL"),
        ("amount", "decimal(12,3) NOT NULL"),
        ("flag", "tinyint(1)"),
        ("created", "datetime(3)"),
        ("big", "bigint(20) unsigned"),
        ("data", "blob"),
    ] {
        let value = described(&described_rows, "column", &format!("{orders}.{column}"));
        assert!(
            value.starts_with(&format!("{source} → ")),
            "{column}: {value}"
        );
    }

    // The same source as FLINK_SQL into a database: Flink SQL's types.
    client
        .batch_execute(&format!(
            "CREATE SYNC copy FROM maria DATABASE {database} TABLES ('orders') TO maria_sink \
             MODE SNAPSHOT ENGINE FLINK_SQL WITH ('table.name.pattern' = 'copy_{{table}}')"
        ))
        .await
        .unwrap();
    let described_rows = rows(&client, "DESCRIBE SYNC copy").await;
    for (column, flink) in [
        ("id", "BIGINT"),
        ("amount", "DECIMAL(12, 3)"),
        ("flag", "BOOLEAN"),
        ("created", "TIMESTAMP(3)"),
        ("big", "DECIMAL(20, 0)"),
        ("data", "BYTES"),
        ("note", "VARCHAR(64)"),
    ] {
        let value = described(&described_rows, "column", &format!("{orders}.{column}"));
        assert!(value.ends_with(&format!("→ {flink}")), "{column}: {value}");
    }
    assert_eq!(
        described(&described_rows, "table", &orders),
        "maria_sink: copy_orders"
    );

    // The sink is the source: a table onto itself is refused.
    let (code, message, _) = error(
        &client,
        &format!(
            "CREATE SYNC loop FROM maria DATABASE {database} TABLES ('orders') TO maria_sink \
             MODE SNAPSHOT ENGINE FLINK_SQL"
        ),
    )
    .await;
    assert_eq!(code, "42P07", "{message}");

    my.query_drop(format!("DROP DATABASE {database}"))
        .await
        .unwrap();
}

/// A MariaDB database with two keyed tables, dropped by the caller.
async fn maria_database(database: &str) -> mysql_async::Conn {
    let opts = mysql_async::OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(3306)
        .user(Some("root"))
        .prefer_socket(false);
    let mut my = mysql_async::Conn::new(opts).await.unwrap();
    my.query_drop(format!(
        "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}; USE {database};
         CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(10,2));
         CREATE TABLE user_a (id INT PRIMARY KEY, name VARCHAR(20));"
    ))
    .await
    .unwrap();
    my
}

/// `(state, run_id, savepoint)` of a sync in `scaleph.syncs` (SHOW SYNCS
/// refreshes states first).
async fn sync_state(client: &tokio_postgres::Client, name: &str) -> (String, String, String) {
    rows(client, "SHOW SYNCS").await;
    let found = rows(
        client,
        &format!(
            "SELECT state, COALESCE(run_id, ''), COALESCE(savepoint, ''), COALESCE(reason, '') \
             FROM scaleph.syncs WHERE name = '{name}'"
        ),
    )
    .await;
    let text = |i: usize| found[0][i].clone().unwrap_or_default();
    (text(0), text(1), format!("{}|{}", text(2), text(3)))
}

#[tokio::test(flavor = "multi_thread")]
async fn seatunnel_sync_starts_stops_with_a_savepoint_and_resumes_from_it() {
    use crate::support::seatunnel::{FIRST_JOB_ID, SeatunnelDouble};
    if !services::mariadb() {
        return;
    }
    let database = format!("scaleph_st_{}", std::process::id());
    let mut my = maria_database(&database).await;
    let double = SeatunnelDouble::start();
    let gateway = Gateway::start();
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER st TYPE SEATUNNEL WITH ('rest.address' = '{}');
             CREATE DATASOURCE maria TYPE mysql WITH (host = '127.0.0.1', port = 3306, \
             username = 'root', password = '');
             CREATE DATASOURCE events TYPE kafka WITH (bootstrap_servers = 'kafka:9092');
             CREATE SYNC cdc ON CLUSTER st FROM maria DATABASE {database} TABLES ('orders', 'user_a') \
             TO events TOPIC PATTERN 'shop.{{table}}' MODE CDC ENGINE SEATUNNEL",
            double.url()
        ))
        .await
        .unwrap();

    // A Flink cluster cannot run it, nor can a SEATUNNEL one run Flink SQL.
    let (code, message, _) = error(
        &client,
        &format!(
            "CREATE SYNC wrong ON CLUSTER st FROM maria DATABASE {database} TABLES ('orders') \
             TO events TOPIC 'all' MODE CDC ENGINE FLINK_SQL"
        ),
    )
    .await;
    assert_eq!(code, "42809", "{message}");

    client.batch_execute("START SYNC cdc").await.unwrap();
    let id = FIRST_JOB_ID.to_string();
    let (state, run_id, _) = sync_state(&client, "cdc").await;
    assert_eq!((state.as_str(), run_id.as_str()), ("RUNNING", id.as_str()));
    let submitted = double.submissions();
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].job_name, "cdc");
    assert!(!submitted[0].start_with_savepoint);
    let config = submitted[0].config.to_string();
    assert!(
        config.contains("MySQL-CDC") && config.contains("Kafka"),
        "{config}"
    );
    assert!(config.contains("STREAMING"), "{config}");

    // Running: not dropped, not started twice.
    let (code, _, _) = error(&client, "DROP SYNC cdc").await;
    assert_eq!(code, "55006");
    let (code, _, _) = error(&client, "START SYNC cdc").await;
    assert_eq!(code, "55000");

    client
        .batch_execute("STOP SYNC cdc WITH SAVEPOINT")
        .await
        .unwrap();
    let (state, _, savepoint) = sync_state(&client, "cdc").await;
    assert_eq!(state, "STOPPED");
    assert!(savepoint.starts_with(&format!("{id}|")), "{savepoint}");
    assert_eq!(
        double.status(FIRST_JOB_ID).as_deref(),
        Some("SAVEPOINT_DONE")
    );
    assert!(double.has_savepoint(FIRST_JOB_ID));

    // START resumes from it: the same config, the old job id, restored.
    client.batch_execute("START SYNC cdc").await.unwrap();
    let submitted = double.submissions();
    assert_eq!(submitted.len(), 2);
    assert_eq!(submitted[1].job_id, FIRST_JOB_ID);
    assert!(submitted[1].start_with_savepoint && submitted[1].restored);
    assert_eq!(submitted[1].config, submitted[0].config);
    let (state, _, savepoint) = sync_state(&client, "cdc").await;
    assert_eq!(state, "RUNNING");
    assert!(
        savepoint.starts_with('|'),
        "the savepoint is used once: {savepoint}"
    );

    // A plain STOP cancels; the next START begins afresh.
    client.batch_execute("STOP SYNC cdc").await.unwrap();
    assert_eq!(double.status(FIRST_JOB_ID).as_deref(), Some("CANCELED"));
    client.batch_execute("START SYNC cdc").await.unwrap();
    let submitted = double.submissions();
    assert_eq!(submitted.len(), 3);
    assert!(!submitted[2].start_with_savepoint);
    let (_, run_id, _) = sync_state(&client, "cdc").await;
    assert_ne!(run_id, id, "a new SeaTunnel job");

    // The engine failing it shows as FAILED with its message.
    let running: u64 = run_id.parse().unwrap();
    assert!(double.fail(running, "java.lang.RuntimeException: broker gone"));
    let (state, _, reason) = sync_state(&client, "cdc").await;
    assert_eq!(state, "FAILED");
    assert!(reason.contains("broker gone"), "{reason}");
    client.batch_execute("DROP SYNC cdc").await.unwrap();

    // A snapshot ends by itself: FINISHED.
    client
        .batch_execute(&format!(
            "CREATE DATASOURCE maria_copy TYPE mysql WITH (host = 'localhost', port = 3306, \
             username = 'root', password = '', database = 'copy_db');
             CREATE SYNC once ON CLUSTER st FROM maria DATABASE {database} TABLES ('orders') \
             TO maria_copy MODE SNAPSHOT ENGINE SEATUNNEL"
        ))
        .await
        .unwrap();
    client.batch_execute("START SYNC once").await.unwrap();
    let batch = double.submissions().last().unwrap().config.to_string();
    assert!(batch.contains("BATCH") && batch.contains("Jdbc"), "{batch}");
    crate::support::eventually("the snapshot finishes", || {
        double
            .submissions()
            .last()
            .and_then(|s| double.status(s.job_id))
            .as_deref()
            == Some("FINISHED")
    })
    .await;
    let (state, _, _) = sync_state(&client, "once").await;
    assert_eq!(state, "FINISHED");

    my.query_drop(format!("DROP DATABASE {database}"))
        .await
        .unwrap();
}
