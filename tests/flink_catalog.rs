//! Flink's catalogs browsed as PostgreSQL databases: the database a client
//! connects to is a Flink catalog (`scaleph` the built-in one), its Flink
//! databases are schemas and their tables and views are tables and views
//! in pg_catalog and information_schema — asked from the Flink SQL Gateway
//! double, listed once per session and again after DDL.

use crate::flink::{ORDERS, gateway_for};
use crate::support::flink_gateway::FlinkDouble;
use crate::support::{Gateway, services, text_rows};

/// Whether psql's table output has a row whose cells start with `cells`.
fn has_row(output: &str, cells: &[&str]) -> bool {
    output.lines().any(|line| {
        let row: Vec<&str> = line.split('|').map(str::trim).collect();
        row.len() >= cells.len() && row.iter().zip(cells).all(|(cell, want)| cell == want)
    })
}

/// The first column of every row of `sql`.
async fn first_column(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    let messages = client.simple_query(sql).await.expect(sql);
    text_rows(&messages)
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect()
}

/// How many DESCRIBEs the double received.
fn describes(double: &FlinkDouble) -> usize {
    double
        .statements()
        .iter()
        .filter(|s| s.starts_with("DESCRIBE"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn flink_databases_are_schemas_with_their_tables_views_and_columns() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "{ORDERS}; CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 10; \
             CREATE DATABASE sales; \
             CREATE TABLE sales.leads (lead_id BIGINT NOT NULL, email STRING, PRIMARY KEY (lead_id) NOT ENFORCED) \
             WITH ('connector' = 'datagen')"
        ))
        .await
        .unwrap();

    let schemas = first_column(
        &client,
        "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY nspname",
    )
    .await;
    for schema in ["default_database", "sales", "scaleph"] {
        assert!(
            schemas.contains(&schema.to_string()),
            "{schema}: {schemas:?}"
        );
    }
    let columns = client
        .simple_query(
            "SELECT table_name, column_name, is_nullable, data_type FROM information_schema.columns \
             WHERE table_schema = 'sales' ORDER BY ordinal_position",
        )
        .await
        .unwrap();
    assert_eq!(
        text_rows(&columns),
        [
            ["leads", "lead_id", "NO", "bigint"].map(|v| Some(v.to_string())),
            ["leads", "email", "YES", "text"].map(|v| Some(v.to_string())),
        ]
    );
    let views = first_column(
        &client,
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW' AND table_schema = 'default_database'",
    )
    .await;
    assert_eq!(views, ["big_orders"]);

    // Listed once per session: a second catalog query asks Flink nothing.
    let listed = describes(&double);
    assert_eq!(listed, 3, "{:?}", double.statements());
    first_column(&client, "SELECT relname FROM pg_catalog.pg_class").await;
    assert_eq!(describes(&double), listed);
    // The same catalog query before and after DDL: its kept result is
    // forgotten, and the next catalog query lists again.
    let before = first_column(
        &client,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_schema IN ('default_database', 'sales') ORDER BY 1",
    )
    .await;
    assert!(!before.contains(&"sales.deals".to_string()), "{before:?}");
    client
        .batch_execute("CREATE TABLE sales.deals (deal_id INT) WITH ('connector' = 'datagen')")
        .await
        .unwrap();
    let tables = first_column(
        &client,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_schema IN ('default_database', 'sales') ORDER BY 1",
    )
    .await;
    assert_eq!(
        tables,
        [
            "default_database.big_orders",
            "default_database.orders",
            "sales.deals",
            "sales.leads"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn psql_lists_and_describes_flink_tables_and_views() {
    if !services::psql() {
        return;
    }
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    // One psql connection for the DDL and the listing (the shared default
    // catalog would show the tables on any other too).
    let ddl = format!(
        "{ORDERS}; CREATE VIEW big_orders AS SELECT id, amount FROM orders; \
         CREATE DATABASE sales; CREATE TABLE sales.leads (lead_id BIGINT, seen TIMESTAMP(9), called TIME(4), since TIMESTAMP(6), \
         code VARCHAR(20), country CHAR(2), note STRING) \
         WITH ('connector' = 'datagen')"
    );
    let output = gateway.psql(&[
        "-c",
        &ddl,
        "-c",
        "\\dt *.*",
        "-c",
        "\\d default_database.orders",
        "-c",
        "\\d sales.leads",
        "-c",
        "\\dv",
        "-c",
        "\\dn",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for row in [
        // \dt *.*
        &["default_database", "orders", "table"][..],
        &["sales", "leads", "table"],
        &["scaleph", "datasources", "table"],
        // \d default_database.orders
        &["id", "integer", "", "not null"],
        &["big", "bigint"],
        &["amount", "numeric(10,2)"],
        &["price", "double precision"],
        &["note", "text"],
        &["at_ltz", "timestamp(3) with time zone"],
        // \d sales.leads: declared digits other than 6, whatever the unit
        &["seen", "timestamp(9) without time zone"],
        &["called", "time(4) without time zone"],
        &["since", "timestamp without time zone"],
        &["code", "character varying(20)"],
        &["country", "character(2)"],
        // \dv
        &["default_database", "big_orders", "view"],
        // \dn
        &["sales"],
    ] {
        assert!(has_row(&stdout, row), "{row:?}:\n{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_is_the_flink_catalog_of_that_name() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .batch_execute(
            "CREATE CATALOG lake WITH ('type' = 'generic_in_memory'); \
",
        )
        .await
        .unwrap();

    // The catalog is kept by scaleph and created in every new session.
    let lake = gateway.client_in("lake").await.expect("connect to lake");
    lake.batch_execute(
        "CREATE DATABASE analytics; \
         CREATE TABLE analytics.events (event_id BIGINT, kind STRING) WITH ('connector' = 'datagen')",
    )
    .await
    .unwrap();
    let current = first_column(&lake, "SHOW CURRENT CATALOG").await;
    assert_eq!(current, ["lake"]);
    assert_eq!(
        first_column(&lake, "SELECT current_database()").await,
        ["lake"]
    );
    let tables = first_column(
        &lake,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_schema NOT IN ('scaleph', 'information_schema', 'pg_catalog') ORDER BY 1",
    )
    .await;
    assert_eq!(tables, ["analytics.events"]);
    // scaleph's own tables are in every database.
    let own = first_column(&lake, "SELECT count(*) FROM scaleph.datasources").await;
    assert_eq!(own, ["0"]);
    // Every Flink catalog is a database; the built-in one is scaleph.
    let databases = first_column(
        &lake,
        "SELECT datname FROM pg_catalog.pg_database ORDER BY datname",
    )
    .await;
    assert!(
        databases.contains(&"lake".to_string()) && databases.contains(&"scaleph".to_string()),
        "{databases:?}"
    );
    assert!(
        !databases.contains(&"default_catalog".to_string()),
        "{databases:?}"
    );

    // A database Flink has no catalog for is refused at connect.
    let err = gateway
        .client_in("nowhere")
        .await
        .expect_err("an unknown database is refused");
    let db_error = err.as_db_error().expect("a server error");
    assert_eq!(db_error.code().code(), "3D000");
    assert!(
        db_error
            .message()
            .contains("database \"nowhere\" does not exist"),
        "{db_error:?}"
    );

    // A dropped catalog is no longer a database, on the next catalog query.
    let listed = "SELECT datname FROM pg_catalog.pg_database ORDER BY datname";
    assert!(
        first_column(&client, listed)
            .await
            .contains(&"lake".to_string())
    );
    client.batch_execute("DROP CATALOG lake").await.unwrap();
    assert_eq!(first_column(&client, listed).await, ["scaleph"]);
}

#[tokio::test]
async fn without_flink_only_scaleph_exists() {
    let gateway = Gateway::start();
    let err = gateway
        .client_in("lake")
        .await
        .expect_err("no database but scaleph without Flink");
    assert_eq!(
        err.as_db_error().expect("a server error").code().code(),
        "3D000"
    );
    let client = gateway.client().await;
    let schemas = first_column(
        &client,
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY nspname",
    )
    .await;
    assert!(schemas.contains(&"scaleph".to_string()), "{schemas:?}");
    assert!(
        schemas
            .iter()
            .all(|s| ["scaleph", "information_schema"].contains(&s.as_str())),
        "{schemas:?}"
    );
    // Only databases a client can connect to are listed (not `postgres`).
    let databases = first_column(&client, "SELECT datname FROM pg_catalog.pg_database").await;
    assert_eq!(databases, ["scaleph"]);
}

#[tokio::test]
async fn oids_are_the_same_on_every_connection() {
    let gateway = Gateway::start();
    const NAMESPACES: &str =
        "SELECT nspname || '=' || CAST(oid AS TEXT) FROM pg_catalog.pg_namespace ORDER BY nspname";
    const TABLES: &str = "SELECT relname || '=' || CAST(oid AS TEXT) || ' in ' || CAST(relnamespace AS TEXT) \
        FROM pg_catalog.pg_class WHERE relname LIKE 'data%' ORDER BY relname";
    // The first connection asks for schemas first, the second for tables
    // first: the oids must not depend on it.
    let first = gateway.client().await;
    let first_namespaces = first_column(&first, NAMESPACES).await;
    let first_tables = first_column(&first, TABLES).await;
    let second = gateway.client().await;
    let second_tables = first_column(&second, TABLES).await;
    let second_namespaces = first_column(&second, NAMESPACES).await;
    assert_eq!(first_tables.len(), 3, "{first_tables:?}");
    assert_eq!(first_tables, second_tables);
    assert_eq!(first_namespaces, second_namespaces);
}
