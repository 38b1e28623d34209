//! Flink SQL forwarded to a Flink SQL Gateway: the real `scaleph serve`
//! against the REST double of `support::flink_gateway`, driven by
//! tokio-postgres and psql.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use tokio_postgres::SimpleQueryMessage;

use crate::support::flink_gateway::{DoubleOptions, FlinkDouble};
use crate::support::{Gateway, eventually, services, text_rows};

/// A scaleph gateway forwarding to `double`, with `config` as its
/// scaleph.toml (if not empty).
pub fn gateway_for(double: &FlinkDouble, config: &str) -> Gateway {
    Gateway::start_for_flink(&double.url(), config)
}

pub const ORDERS: &str = "CREATE TABLE orders (id INT NOT NULL, big BIGINT, amount DECIMAL(10, 2), \
     price DOUBLE, note STRING, at_ltz TIMESTAMP_LTZ(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '3')";

const CLICKS: &str = "CREATE TABLE clicks (id INT NOT NULL, flag BOOLEAN NOT NULL, url STRING) \
     WITH ('connector' = 'datagen')";

fn rows(messages: &[SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    text_rows(messages)
}

fn columns(messages: &[SimpleQueryMessage]) -> Vec<String> {
    messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::RowDescription(columns) => {
                Some(columns.iter().map(|c| c.name().to_string()).collect())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The statements the double was given to set a session up
/// (`configure-session` bodies): what scaleph replayed.
fn configured(double: &FlinkDouble) -> Vec<String> {
    double
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/configure-session"))
        .map(|r| r.body)
        .collect()
}

fn db_error(err: &tokio_postgres::Error) -> &tokio_postgres::error::DbError {
    err.as_db_error().expect("a server error")
}

#[tokio::test(flavor = "multi_thread")]
async fn ddl_and_bounded_queries_return_exact_values_and_close_operations() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    let messages = client.simple_query(ORDERS).await.unwrap();
    assert!(matches!(
        messages.last(),
        Some(SimpleQueryMessage::CommandComplete(0))
    ));
    let messages = client
        .simple_query("SELECT id, big, amount, price, note FROM orders")
        .await
        .unwrap();
    assert_eq!(columns(&messages), ["id", "big", "amount", "price", "note"]);
    let expected: Vec<Vec<Option<String>>> = vec![
        vec!["0", "9007199254740993", "10.00", "0.5", "row-0"],
        vec!["1", "9007199254740994", "20.00", "1.5", "row-1"],
        vec!["2", "9007199254740995", "30.00", "2.5", "row-2"],
    ]
    .into_iter()
    .map(|row| row.into_iter().map(|v| Some(v.to_string())).collect())
    .collect();
    assert_eq!(rows(&messages), expected);
    // Typed through the extended protocol: the Describe runs the query
    // early and the Execute reads the same result.
    let typed = client
        .query("SELECT id, big, amount, at_ltz FROM orders", &[])
        .await
        .unwrap();
    assert_eq!(typed.len(), 3);
    assert_eq!(typed[2].get::<_, i32>(0), 2);
    assert_eq!(typed[2].get::<_, i64>(1), 9_007_199_254_740_995);
    let at: std::time::SystemTime = typed[1].get(3);
    let expected_at = std::time::UNIX_EPOCH + Duration::from_millis(1_704_067_201_001);
    assert_eq!(at, expected_at);
    // COPY of a Flink query: the same rows as CSV lines.
    let copied: Vec<bytes::Bytes> = client
        .copy_out("COPY (SELECT id, note FROM orders) TO STDOUT WITH (FORMAT csv, HEADER)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let copied: String = copied
        .iter()
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    assert_eq!(copied, "id,note\n0,row-0\n1,row-1\n2,row-2\n");
    eventually("every operation closed", || double.open_operations() == 0).await;
    let paths: Vec<String> = double.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.iter().any(|p| p == "/v1/api_versions"), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("/v4/sessions/")),
        "the newest common version is used: {paths:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unbounded_queries_end_at_max_rows_and_cancel_their_job() {
    let double = FlinkDouble::start_with(DoubleOptions {
        page_rows: 400,
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client.simple_query(CLICKS).await.unwrap();
    let messages = client
        .simple_query("SELECT id, url FROM clicks")
        .await
        .unwrap();
    assert_eq!(
        rows(&messages).len(),
        1000,
        "scaleph.result.max-rows defaults to 1000"
    );
    client
        .simple_query("SET 'scaleph.result.max-rows' = '7'")
        .await
        .unwrap();
    let messages = client.simple_query("SELECT id FROM clicks").await.unwrap();
    assert_eq!(rows(&messages).len(), 7);
    assert_eq!(rows(&messages)[6], vec![Some("6".to_string())]);
    eventually("the queries' jobs are cancelled", || {
        let jobs = double.jobs();
        jobs.len() == 2 && jobs.iter().all(|(_, status)| status == "CANCELED")
    })
    .await;
    let err = client
        .simple_query("SET 'scaleph.result.max-rows' = 'many'")
        .await
        .unwrap_err();
    assert_eq!(db_error(&err).code().code(), "22023");
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_reach_the_client_while_the_query_runs() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(
            "CREATE TABLE slow (id INT NOT NULL) WITH ('connector' = 'datagen', 'rows-per-second' = '4'); \
             SET 'scaleph.result.max-rows' = '4'",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let stream = client
        .simple_query_raw("SELECT id FROM slow")
        .await
        .unwrap();
    futures::pin_mut!(stream);
    let mut arrivals = Vec::new();
    while let Some(message) = stream.try_next().await.unwrap() {
        if let SimpleQueryMessage::Row(row) = message {
            arrivals.push((row.get(0).unwrap().to_string(), started.elapsed()));
        }
    }
    let ids: Vec<&str> = arrivals.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["0", "1", "2", "3"]);
    // Row 3 exists only 0.75 s after the start: row 0 was already shown.
    assert!(
        arrivals[3].1 - arrivals[0].1 >= Duration::from_millis(500),
        "rows were buffered: {arrivals:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changelog_rows_get_an_op_column_or_are_applied() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(
            "CREATE TABLE flags (id INT NOT NULL, flag BOOLEAN NOT NULL) \
             WITH ('connector' = 'datagen', 'number-of-rows' = '4')",
        )
        .await
        .unwrap();
    let query = "SELECT flag, COUNT(*) AS n FROM flags GROUP BY flag";
    let messages = client.simple_query(query).await.unwrap();
    assert_eq!(columns(&messages), ["op", "flag", "n"]);
    let ops: Vec<String> = rows(&messages)
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(Option::unwrap)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        ops,
        ["+I t 1", "+I f 1", "-U t 1", "+U t 2", "-U f 1", "+U f 2"]
    );
    client
        .simple_query("SET 'scaleph.result.changelog' = 'apply'")
        .await
        .unwrap();
    let messages = client.simple_query(query).await.unwrap();
    assert_eq!(columns(&messages), ["flag", "n"]);
    let mut applied = rows(&messages);
    applied.sort();
    assert_eq!(
        applied,
        vec![
            vec![Some("f".to_string()), Some("2".to_string())],
            vec![Some("t".to_string()), Some("2".to_string())],
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn flink_errors_are_readable_with_sqlstate_position_and_trace() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    let err = client
        .simple_query("SELECT 1;\nSELECT * FROM nowhere")
        .await
        .unwrap_err();
    let db = db_error(&err);
    assert_eq!(db.code().code(), "42P01", "{db:?}");
    assert!(db.message().contains("nowhere"), "{}", db.message());
    assert!(!db.message().contains("\tat "), "{}", db.message());
    assert!(db.detail().unwrap_or_default().contains("Caused by:"));
    let script = "SELECT 1;\nSELECT id FROM orders WHERE";
    let err = client.simple_query(script).await.unwrap_err();
    let db = db_error(&err);
    assert_eq!(db.code().code(), "42601", "{db:?}");
    let err = client.simple_query("SELEC 1").await.unwrap_err();
    let db = db_error(&err);
    assert_eq!(db.code().code(), "42601", "{db:?}");
    assert!(matches!(
        db.position(),
        Some(tokio_postgres::error::ErrorPosition::Original(1))
    ));
    // The connection stays usable and the failed operations are closed.
    assert_eq!(
        rows(&client.simple_query("SELECT 40 + 2").await.unwrap()),
        vec![vec![Some("42".to_string())]]
    );
    eventually("failed operations closed", || double.open_operations() == 0).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_gateway_flink_sql_is_08001_and_scaleph_sql_works() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let err = client
        .simple_query("SELECT * FROM orders")
        .await
        .unwrap_err();
    let db = db_error(&err);
    assert_eq!(db.code().code(), "08001");
    assert!(db.hint().unwrap_or_default().contains("--flink-gateway"));
    client
        .simple_query("SET 'execution.runtime-mode' = 'batch'")
        .await
        .unwrap();
    assert_eq!(
        rows(
            &client
                .simple_query("SELECT count(*) FROM scaleph.catalogs")
                .await
                .unwrap()
        ),
        vec![vec![Some("0".to_string())]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_gateway_is_a_connection_error() {
    let url = format!("http://127.0.0.1:{}", services::closed_port());
    let gateway = Gateway::start_with(
        tempfile::tempdir().unwrap().keep(),
        None,
        &["--flink-gateway", &url],
    );
    let client = gateway.client().await;
    let err = client.simple_query("SELECT * FROM t").await.unwrap_err();
    let db = db_error(&err);
    assert_eq!(db.code().code(), "08001", "{db:?}");
    assert!(db.message().contains(&url), "{}", db.message());
    assert_eq!(
        rows(&client.simple_query("SELECT 1").await.unwrap()),
        vec![vec![Some("1".to_string())]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_closes_the_flink_operation_and_keeps_the_connection() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(
            "CREATE TABLE slow (id INT NOT NULL) WITH ('connector' = 'datagen', 'rows-per-second' = '2'); \
             SET 'scaleph.result.max-rows' = '0'",
        )
        .await
        .unwrap();
    let cancel = client.cancel_token();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        cancel.cancel_query(tokio_postgres::NoTls).await.unwrap();
    });
    let err = client
        .simple_query("SELECT id FROM slow")
        .await
        .unwrap_err();
    canceller.await.unwrap();
    assert_eq!(db_error(&err).code().code(), "57014");
    eventually("the query's operation closed and job cancelled", || {
        double.open_operations() == 0
            && double.jobs().iter().all(|(_, status)| status == "CANCELED")
    })
    .await;
    assert_eq!(
        rows(&client.simple_query("SELECT 7").await.unwrap()),
        vec![vec![Some("7".to_string())]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_gateway_is_invisible_state_is_replayed() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(&format!(
            "SET 'table.local-time-zone' = 'Asia/Shanghai'; {ORDERS}; CREATE DATABASE shop; \
             CREATE CATALOG pg WITH ('type' = 'jdbc', 'password' = 'catalog-secret-1'); \
             ADD JAR '/jars/udf.jar'"
        ))
        .await
        .unwrap();
    double.restart();
    assert_eq!(double.live_sessions(), 0);
    // The next statement opens a new Flink session, replays, and runs.
    let messages = client.simple_query("SELECT id FROM orders").await.unwrap();
    assert_eq!(rows(&messages).len(), 3);
    assert_eq!(double.live_sessions(), 1);
    let replayed = configured(&double).join("\n");
    for expected in [
        "Asia/Shanghai",
        "CREATE TABLE orders",
        "CREATE DATABASE shop",
        "CREATE CATALOG pg",
        "ADD JAR",
    ] {
        assert!(
            replayed.contains(expected),
            "{expected} not replayed: {replayed}"
        );
    }
    // Expiry looks the same as a restart to scaleph.
    double.expire_sessions();
    let messages = client.simple_query("SELECT id FROM orders").await.unwrap();
    assert_eq!(rows(&messages).len(), 3);
    // Catalogs and jars are gateway objects: shown masked, given to every new session.
    let messages = client
        .simple_query("SELECT name, type, definition FROM scaleph.catalogs")
        .await
        .unwrap();
    let catalog = &rows(&messages)[0];
    assert_eq!(catalog[0].as_deref(), Some("pg"));
    assert_eq!(catalog[1].as_deref(), Some("jdbc"));
    assert!(catalog[2].as_deref().unwrap().contains("'******'"));
    assert!(!gateway.log().contains("catalog-secret-1"));
    let messages = client
        .simple_query("SELECT name, source FROM scaleph.connectors WHERE kind = 'jar'")
        .await
        .unwrap();
    assert_eq!(
        rows(&messages),
        vec![vec![
            Some("udf.jar".to_string()),
            Some("/jars/udf.jar".to_string())
        ]]
    );
    double.clear_requests();
    let other = gateway.client().await;
    other.simple_query("SHOW TABLES").await.unwrap();
    let replayed = configured(&double);
    assert_eq!(
        replayed.len(),
        4,
        "a new session gets the catalog, the jar and the shared catalog's table and database, not the other session's SET: {replayed:?}"
    );
    other.simple_query("DROP CATALOG pg").await.unwrap();
    other
        .simple_query("REMOVE JAR '/jars/udf.jar'")
        .await
        .unwrap();
    let messages = other
        .simple_query("SELECT (SELECT count(*) FROM scaleph.catalogs) + (SELECT count(*) FROM scaleph.connectors WHERE kind = 'jar')")
        .await
        .unwrap();
    assert_eq!(rows(&messages), vec![vec![Some("0".to_string())]]);
}

/// Issue 18: replay never undoes other people's work in a persistent
/// catalog. A drops and re-creates nothing after B re-created the table,
/// yet before the fix A's replay after a restart ran `DROP TABLE
/// lake.db.t`, destroying B's table.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_replay_never_drops_tables_of_persistent_catalogs() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let a = gateway.client().await;
    a.simple_query(
        "CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 's3://lake'); \
         CREATE DATABASE lake.db; \
         CREATE TABLE lake.db.t (a INT) WITH ('connector' = 'datagen'); \
         DROP TABLE lake.db.t; \
         CREATE TABLE mine (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2')",
    )
    .await
    .unwrap();
    let b = gateway.client().await;
    b.simple_query("CREATE TABLE lake.db.t (b STRING) WITH ('connector' = 'datagen')")
        .await
        .unwrap();
    double.restart();
    double.clear_requests();
    // A's next statement opens a new Flink session and replays A's state.
    let messages = a.simple_query("SELECT a FROM mine").await.unwrap();
    assert_eq!(rows(&messages).len(), 2, "the in-memory table is replayed");
    let replayed = configured(&double).join("\n");
    assert!(replayed.contains("CREATE CATALOG lake"), "{replayed}");
    assert!(replayed.contains("CREATE TABLE mine"), "{replayed}");
    for never in [
        "DROP TABLE lake.db.t",
        "CREATE DATABASE lake.db",
        "CREATE TABLE lake.db.t",
    ] {
        assert!(!replayed.contains(never), "{never} replayed: {replayed}");
    }
    // B's table is intact, seen from A and from B.
    for client in [&a, &b] {
        let messages = client.simple_query("DESCRIBE lake.db.t").await.unwrap();
        assert_eq!(rows(&messages)[0][0].as_deref(), Some("b"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_keep_an_idle_session_and_disconnect_closes_it() {
    let double = FlinkDouble::start_with(DoubleOptions {
        idle_timeout: Duration::from_millis(600),
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(
        &double,
        "[flink.gateway]\nheartbeat = \"150 ms\"\n[flink.session.properties]\n\"execution.runtime-mode\" = \"streaming\"\n",
    );
    let client = gateway.client().await;
    client.simple_query(ORDERS).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = client.simple_query("SELECT id FROM orders").await.unwrap();
    assert_eq!(rows(&messages).len(), 3);
    let requests = double.requests();
    assert!(requests.iter().any(|r| r.path.ends_with("/heartbeat")));
    let opened: Vec<_> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/sessions"))
        .collect();
    assert_eq!(opened.len(), 1, "the session never expired");
    assert!(opened[0].body.contains("execution.runtime-mode"));
    assert!(
        opened[0].body.contains("scaleph@127.0.0.1"),
        "{}",
        opened[0].body
    );
    drop(client);
    eventually("the Flink session closed on disconnect", || {
        double.live_sessions() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_gateways_get_replay_through_statements() {
    let double = FlinkDouble::start_with(DoubleOptions {
        versions: vec!["V1"],
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client.simple_query(ORDERS).await.unwrap();
    double.restart();
    let messages = client.simple_query("SELECT id FROM orders").await.unwrap();
    assert_eq!(rows(&messages).len(), 3);
    let paths: Vec<String> = double.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths
            .iter()
            .all(|p| !p.contains("rowFormat") && !p.contains("configure-session"))
    );
    assert!(paths.iter().any(|p| p.starts_with("/v1/sessions/")));
}

#[tokio::test(flavor = "multi_thread")]
async fn inserts_return_their_job_and_flink_job_statements_are_forwarded() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(&format!(
            "{ORDERS}; CREATE TABLE sink (id INT) WITH ('connector' = 'blackhole')"
        ))
        .await
        .unwrap();
    let messages = client
        .simple_query("INSERT INTO sink SELECT id FROM orders")
        .await
        .unwrap();
    assert_eq!(columns(&messages), ["job id"]);
    let job = rows(&messages)[0][0].clone().unwrap();
    assert_eq!(job.len(), 32);
    // scaleph's SHOW JOBS lists the SQL Gateway's jobs too, unmanaged.
    let messages = client.simple_query("SHOW JOBS").await.unwrap();
    assert!(
        rows(&messages)
            .iter()
            .any(|r| r[3].as_deref() == Some(job.as_str())
                && r[1].as_deref() == Some("(sql gateway)")
                && r[4].as_deref() == Some("false")),
        "{:?}",
        rows(&messages)
    );
    // Typed: INSERT's result shape is known without running it twice.
    let typed = client
        .query("INSERT INTO sink SELECT id FROM orders", &[])
        .await
        .unwrap();
    assert_eq!(typed.len(), 1);
    assert_eq!(double.jobs().len(), 2);
}

#[test]
fn psql_runs_flink_sql_in_one_session() {
    if !services::psql() {
        return;
    }
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let output = gateway.psql(&["-c", &format!("{ORDERS}; SELECT id, note FROM orders")]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("row-2"), "{stdout}");
    assert!(stdout.contains("(3 rows)"), "{stdout}");
}

/// Row 1's `at_ltz` of [`ORDERS`] as the client receives it: an instant.
async fn ltz_of_row_1(client: &tokio_postgres::Client) -> std::time::SystemTime {
    let rows = client
        .query("SELECT id, at_ltz FROM orders", &[])
        .await
        .unwrap();
    assert_eq!(rows[1].get::<_, i32>(0), 1);
    rows[1].get(1)
}

/// 2024-01-01T00:00:01.001Z, row 1's `at_ltz` of [`ORDERS`].
fn row_1_instant() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + Duration::from_millis(1_704_067_201_001)
}

/// The `table.local-time-zone` of every session opened and every SET
/// sent to the double, in order.
fn zones_sent(double: &FlinkDouble) -> Vec<String> {
    double
        .requests()
        .into_iter()
        .filter_map(|r| {
            let body: serde_json::Value = serde_json::from_str(&r.body).ok()?;
            if let Some(zone) = body["properties"]["table.local-time-zone"].as_str() {
                return Some(format!("open {zone}"));
            }
            let statement = body["statement"].as_str()?;
            statement
                .starts_with("SET 'table.local-time-zone'")
                .then(|| statement.to_string())
        })
        .collect()
}

/// Issue 18: Flink's `default` zone is the gateway JVM's; scaleph pins
/// the session zone to the client's TimeZone, so a gateway host in
/// another zone changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_the_session_zone_is_the_clients_whatever_the_gateway_jvms() {
    for jvm_zone in [None, Some("Asia/Shanghai")] {
        let double = FlinkDouble::start_with(DoubleOptions {
            jvm_zone,
            ..DoubleOptions::default()
        });
        let gateway = gateway_for(&double, "");
        let client = gateway.client().await;
        client.simple_query(ORDERS).await.unwrap();
        assert_eq!(ltz_of_row_1(&client).await, row_1_instant(), "{jvm_zone:?}");
        assert_eq!(zones_sent(&double), ["open UTC"]);
        for sql in [
            // SET TIME ZONE and SET TimeZone follow into Flink, and the values with them.
            "SET TIME ZONE 'Asia/Tokyo'",
            "SET TimeZone = 'america/new_york'",
            // The user's own table.local-time-zone wins over TimeZone ...
            "SET 'table.local-time-zone' = 'Europe/Paris'; SET TIME ZONE 'Asia/Kolkata'",
            // ... until it is reset or set to default: then TimeZone again.
            "RESET 'table.local-time-zone'",
            "SET 'table.local-time-zone' = 'Europe/Paris'; SET 'table.local-time-zone' = 'default'",
        ] {
            client.simple_query(sql).await.unwrap();
            assert_eq!(ltz_of_row_1(&client).await, row_1_instant(), "{sql}");
        }
        assert_eq!(
            zones_sent(&double),
            [
                "open UTC",
                "SET 'table.local-time-zone' = 'Asia/Tokyo'",
                "SET 'table.local-time-zone' = 'America/New_York'",
                "SET 'table.local-time-zone' = 'Europe/Paris'",
                "SET 'table.local-time-zone' = 'Asia/Kolkata'",
                "SET 'table.local-time-zone' = 'Europe/Paris'",
                "SET 'table.local-time-zone' = 'Asia/Kolkata'",
            ]
        );
        // A new Flink session (a restart) replays and ends in the same zone.
        double.restart();
        double.clear_requests();
        client
            .simple_query("SET TIME ZONE 'Australia/Sydney'")
            .await
            .unwrap();
        assert_eq!(ltz_of_row_1(&client).await, row_1_instant());
        let sent = zones_sent(&double);
        assert!(
            sent.iter().any(|z| z == "open Australia/Sydney"),
            "{sent:?}"
        );
        assert_eq!(
            sent.last().map(String::as_str),
            Some("SET 'table.local-time-zone' = 'Australia/Sydney'"),
            "{sent:?}"
        );
    }
}

/// The startup parameter TimeZone (libpq sends PGTZ) is the zone the
/// Flink session opens with.
#[test]
fn issue_18_the_startup_time_zone_opens_the_flink_session() {
    if !services::psql() {
        return;
    }
    let double = FlinkDouble::start_with(DoubleOptions {
        jvm_zone: Some("Asia/Shanghai"),
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let port = gateway
        .conn_str()
        .split_whitespace()
        .find_map(|part| part.strip_prefix("port=").map(str::to_string))
        .unwrap();
    let output = std::process::Command::new("psql")
        .args(["-h", "127.0.0.1", "-p", &port, "-U", "scaleph", "-X"])
        .args(["-v", "ON_ERROR_STOP=1", "-c", ORDERS, "scaleph"])
        .env("PGTZ", "Asia/Tokyo")
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(zones_sent(&double), ["open Asia/Tokyo"]);
}

/// Issue 18: before Flink 1.19 a TIMESTAMP_LTZ in JSON is the UTC instant,
/// from 1.19 the session zone's wall clock; scaleph asks `/info` once and
/// reads both as the same instant.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_ltz_values_are_the_same_instant_on_flink_1_18_and_1_20() {
    for (flink_version, versions) in [
        ("1.18.1", vec!["V1", "V2"]),
        ("1.20.0", vec!["V1", "V2", "V3"]),
    ] {
        let double = FlinkDouble::start_with(DoubleOptions {
            flink_version,
            versions,
            ..DoubleOptions::default()
        });
        let gateway = gateway_for(&double, "");
        let client = gateway.client().await;
        client
            .simple_query(&format!("SET TIME ZONE 'Asia/Shanghai'; {ORDERS}"))
            .await
            .unwrap();
        assert_eq!(
            ltz_of_row_1(&client).await,
            row_1_instant(),
            "{flink_version}"
        );
        // The shared default catalog gives `other` the table.
        let other = gateway.client().await;
        assert_eq!(ltz_of_row_1(&other).await, row_1_instant());
        let infos = double
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/info")
            .count();
        assert_eq!(infos, 1, "asked once per client: {flink_version}");
    }
}

/// Issue 18: a statement that never starts (NOT_READY: PENDING behind
/// another, or a slow cluster) ends at `scaleph.result.timeout`, and its
/// operation is closed.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_not_ready_ends_at_the_result_timeout() {
    let double = FlinkDouble::start_with(DoubleOptions {
        not_ready_fetches: u32::MAX,
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query("SET 'scaleph.result.timeout' = '1 s'")
        .await
        .unwrap();
    let started = Instant::now();
    let err = client.simple_query(ORDERS).await.unwrap_err();
    let waited = started.elapsed();
    assert_eq!(db_error(&err).code().code(), "57014", "{err}");
    assert!(
        db_error(&err).message().contains("scaleph.result.timeout"),
        "{err}"
    );
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    eventually("the operation is closed", || double.open_operations() == 0).await;
    // The connection goes on.
    let messages = client.simple_query("SHOW TIME ZONE").await.unwrap();
    assert_eq!(rows(&messages), vec![vec![Some("UTC".to_string())]]);
}

/// Issue 18: a fetch whose answer is lost in the network is fetched again
/// (the same token: the gateway serves it again), once.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_fetch_lost_in_the_network_is_fetched_again() {
    let double = FlinkDouble::start_with(DoubleOptions {
        break_fetch: Some(1),
        ..DoubleOptions::default()
    });
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client.simple_query(ORDERS).await.unwrap();
    let messages = client
        .simple_query("SELECT id, note FROM orders")
        .await
        .unwrap();
    assert_eq!(rows(&messages).len(), 3);
    assert_eq!(rows(&messages)[2][1].as_deref(), Some("row-2"));
    let token_1: Vec<String> = double
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/result/1"))
        .collect();
    assert_eq!(token_1.len(), 2, "{token_1:?}");
}

/// The Flink releases of the double's matrix (docs/flink-sql-gateway-rest.md §0):
/// 1.16 serves V1 with the old result body, 1.17–1.19 V1–V2, 1.20 V1–V3,
/// 2.0 V1–V4; LTZ values change meaning at 1.19, the catalog-listing
/// statements at 1.19 and 2.0.
const RELEASES: [&str; 6] = ["1.16.3", "1.17.2", "1.18.1", "1.19.1", "1.20.0", "2.0.0"];

/// The text of column `column` of every row of `sql`.
async fn column_texts(client: &tokio_postgres::Client, sql: &str, column: usize) -> Vec<String> {
    let messages = client.simple_query(sql).await.expect(sql);
    rows(&messages)
        .into_iter()
        .filter_map(|mut row| {
            (column < row.len())
                .then(|| row.swap_remove(column))
                .flatten()
        })
        .collect()
}

/// scaleph's core scenario against a gateway of Flink `release`: DDL
/// answers its command tag, TIMESTAMP_LTZ is the same instant shown in the
/// client's zone, max-rows stops a streaming query, changelog rows come
/// with their op, the catalog is listed with statements the release has
/// (and the session left in the database it was in), and every operation
/// is closed.
async fn core_scenario(release: &'static str) {
    let double = FlinkDouble::start_with(DoubleOptions {
        page_rows: 400,
        ..DoubleOptions::flink(release)
    });
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    let messages = client
        .simple_query(&format!(
            "SET TIME ZONE 'Asia/Shanghai'; {ORDERS}; {CLICKS}"
        ))
        .await
        .unwrap();
    assert!(rows(&messages).is_empty(), "{release}: DDL shows no rows");
    assert!(
        matches!(
            messages.last(),
            Some(SimpleQueryMessage::CommandComplete(0))
        ),
        "{release}"
    );
    assert_eq!(ltz_of_row_1(&client).await, row_1_instant(), "{release}");
    assert_eq!(
        column_texts(&client, "SELECT id, at_ltz FROM orders", 1).await[1],
        "2024-01-01 08:00:01.001+08",
        "{release}: a timestamptz in the client's TimeZone"
    );
    client
        .simple_query("SET 'scaleph.result.max-rows' = '5'")
        .await
        .unwrap();
    assert_eq!(
        column_texts(&client, "SELECT id FROM clicks", 0).await,
        ["0", "1", "2", "3", "4"],
        "{release}: max-rows stops a streaming query"
    );
    client
        .batch_execute(
            "SET 'scaleph.result.max-rows' = '0'; SET 'scaleph.result.timeout' = '300 ms'; \
             CREATE TABLE slow (id INT) WITH ('connector' = 'datagen', 'rows-per-second' = '10')",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let slow = column_texts(&client, "SELECT id FROM slow", 0).await;
    assert!(
        slow.len() < 10 && started.elapsed() < Duration::from_secs(5),
        "{release}: the result timeout stops a streaming query: {} rows in {:?}",
        slow.len(),
        started.elapsed()
    );
    client
        .batch_execute("SET 'scaleph.result.timeout' = '0'; SET 'scaleph.result.max-rows' = '5'")
        .await
        .unwrap();
    let changes = client
        .simple_query("SELECT flag, COUNT(*) FROM clicks GROUP BY flag")
        .await
        .unwrap();
    assert_eq!(columns(&changes)[0], "op", "{release}");
    assert_eq!(rows(&changes).len(), 5, "{release}");
    assert!(
        rows(&changes).iter().any(|r| r[0].as_deref() == Some("-U")),
        "{release}: changelog rows keep their kind"
    );
    client
        .batch_execute(
            "CREATE VIEW small AS SELECT id FROM orders; CREATE DATABASE sales; USE sales",
        )
        .await
        .unwrap();
    double.clear_requests();
    let listed = column_texts(
        &client,
        "SELECT table_name || ':' || table_type FROM information_schema.tables \
         WHERE table_schema = 'default_database' ORDER BY 1",
        0,
    )
    .await;
    assert_eq!(
        listed,
        [
            "clicks:BASE TABLE",
            "orders:BASE TABLE",
            "slow:BASE TABLE",
            "small:VIEW"
        ],
        "{release}"
    );
    let statements = double.statements();
    let newer = |prefix: &str| statements.iter().any(|s| s.starts_with(prefix));
    assert_eq!(
        newer("SHOW VIEWS FROM"),
        release.starts_with('2'),
        "{release}: {statements:?}"
    );
    assert_eq!(
        newer("SHOW DATABASES FROM"),
        release.starts_with('2'),
        "{release}: {statements:?}"
    );
    assert_eq!(
        double.pending_fetches(),
        0,
        "{release}: the listing's statements never wait behind each other"
    );
    assert_eq!(
        column_texts(&client, "SHOW CURRENT DATABASE", 0).await,
        ["sales"],
        "{release}: the listing leaves the session where it was"
    );
    eventually("every operation closed", || double.open_operations() == 0).await;
}

/// Issue 18: the core scenario on a gateway of every Flink release of the
/// matrix, 1.16 (the old result body, taken from the statement's
/// classification) to 2.0.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_the_core_scenario_runs_on_every_flink_release() {
    for release in RELEASES {
        core_scenario(release).await;
    }
}

/// Issue 18: a MAP with a non-string key, a MULTISET and RAW values make
/// a JSON fetch fail; scaleph fetches the page again as PLAIN_TEXT (at
/// the first page, and in the middle of a result) and shows those columns
/// as text, the others typed. Flink 1.16 has no PLAIN_TEXT: its error is
/// Flink's.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_columns_json_cannot_carry_are_fetched_as_plain_text() {
    const ODD: &str = "CREATE TABLE odd (id INT NOT NULL, m MAP<INT, STRING>, s MULTISET<INT>, \
         r RAW('java.lang.String', 'AAA'), at_ltz TIMESTAMP_LTZ(3)) \
         WITH ('connector' = 'datagen', 'number-of-rows' = '2')";
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(&format!("SET TIME ZONE 'Asia/Shanghai'; {ODD}"))
        .await
        .unwrap();
    let messages = client
        .simple_query("SELECT id, m, s, r, at_ltz FROM odd")
        .await
        .unwrap();
    let text = |row: &[&str]| row.iter().map(|v| Some(v.to_string())).collect::<Vec<_>>();
    assert_eq!(
        rows(&messages),
        [
            text(&["0", "{0=row-0}", "{0=1}", "raw-0", "2024-01-01 08:00:00+08"]),
            text(&[
                "1",
                "{1=row-1}",
                "{1=1}",
                "raw-1",
                "2024-01-01 08:00:01.001+08"
            ]),
        ]
    );
    // Only RAW: the first (empty) page is JSON, the next one is not.
    double.clear_requests();
    let typed = client
        .query("SELECT id, r, at_ltz FROM odd", &[])
        .await
        .unwrap();
    assert_eq!(typed[1].get::<_, i32>(0), 1);
    assert_eq!(typed[1].get::<_, &str>(1), "raw-1");
    assert_eq!(typed[1].get::<_, std::time::SystemTime>(2), row_1_instant());
    let fetches: Vec<String> = double
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/result/"))
        .collect();
    assert!(
        fetches.iter().any(|p| p.ends_with("rowFormat=JSON"))
            && fetches.iter().any(|p| p.ends_with("rowFormat=PLAIN_TEXT")),
        "{fetches:?}"
    );
    eventually("every operation closed", || double.open_operations() == 0).await;

    let old = FlinkDouble::start_with(DoubleOptions::flink("1.16.3"));
    let gateway = gateway_for(&old, "");
    let client = gateway.client().await;
    client.simple_query(ODD).await.unwrap();
    let err = client
        .simple_query("SELECT id, m FROM odd")
        .await
        .unwrap_err();
    assert!(
        db_error(&err)
            .message()
            .contains("Could not map response to JSON"),
        "{err}"
    );
}

/// Issue 18: the API version and release are not kept for the life of the
/// process. A gateway that stops serving the negotiated version (404s) is
/// asked again and the call retried; a gateway restarted as another
/// release (its sessions lost) is asked again before the session is
/// reopened — and its TIMESTAMP_LTZ values read by its own rule.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_gateway_of_another_release_is_negotiated_again() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double, "");
    let client = gateway.client().await;
    client
        .simple_query(&format!("SET TIME ZONE 'Asia/Shanghai'; {ORDERS}"))
        .await
        .unwrap();
    assert_eq!(ltz_of_row_1(&client).await, row_1_instant());
    let statement_paths = |double: &FlinkDouble| -> Vec<String> {
        double
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/statements"))
            .map(|r| r.path)
            .collect()
    };
    // The same process, now Flink 1.18: /v4 is gone.
    double.replace_with(DoubleOptions::flink("1.18.1"));
    double.clear_requests();
    assert_eq!(ltz_of_row_1(&client).await, row_1_instant());
    let paths = statement_paths(&double);
    assert!(
        paths.first().is_some_and(|p| p.starts_with("/v4/")),
        "{paths:?}"
    );
    assert!(
        paths.last().is_some_and(|p| p.starts_with("/v2/")),
        "{paths:?}"
    );
    assert_eq!(double.live_sessions(), 1, "the session went on");
    // A new process, Flink 2.0 again: the session is lost and reopened on V4.
    double.replace_with(DoubleOptions::flink("2.0.0"));
    double.restart();
    double.clear_requests();
    assert_eq!(ltz_of_row_1(&client).await, row_1_instant());
    let paths = statement_paths(&double);
    assert!(
        paths.last().is_some_and(|p| p.starts_with("/v4/")),
        "{paths:?}"
    );
    let asked: Vec<String> = double
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p == "/v1/api_versions" || p == "/v1/info")
        .collect();
    assert_eq!(asked, ["/v1/api_versions", "/v1/info"], "asked once more");
}
