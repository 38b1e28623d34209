//! Preview: writes run as queries that show their rows, against the Flink
//! SQL Gateway double, which records every statement it receives — the
//! proof that nothing that writes a sink reaches Flink.

use std::time::{Duration, Instant};

use tokio_postgres::SimpleQueryMessage;

use crate::support::flink_gateway::FlinkDouble;
use crate::support::{Gateway, eventually, text_rows};

fn gateway_for(double: &FlinkDouble) -> Gateway {
    Gateway::start_for_flink(&double.url(), "")
}

const TABLES: &str = "CREATE TABLE orders (id INT NOT NULL, amount DECIMAL(10, 2), note STRING) \
     WITH ('connector' = 'datagen', 'number-of-rows' = '5'); \
     CREATE TABLE clicks (id INT NOT NULL, url STRING) WITH ('connector' = 'datagen'); \
     CREATE TABLE sink (order_id INT, total DECIMAL(10, 2), label STRING) WITH ('connector' = 'blackhole'); \
     CREATE TABLE other_sink (n INT) WITH ('connector' = 'blackhole')";

fn assert_nothing_written(double: &FlinkDouble) {
    for statement in double.statements() {
        let upper = statement.to_ascii_uppercase();
        assert!(
            !upper.contains("INSERT")
                && !upper.contains("STATEMENT SET")
                && !upper.contains("COMPACT"),
            "a write reached Flink: {statement}"
        );
    }
}

/// The column names and rows of each result set of a simple query.
fn result_sets(messages: &[SimpleQueryMessage]) -> Vec<(Vec<String>, usize)> {
    let mut sets = Vec::new();
    for message in messages {
        match message {
            SimpleQueryMessage::RowDescription(columns) => {
                sets.push((columns.iter().map(|c| c.name().to_string()).collect(), 0))
            }
            SimpleQueryMessage::Row(_) => {
                if let Some((_, rows)) = sets.last_mut() {
                    *rows += 1;
                }
            }
            _ => {}
        }
    }
    sets
}

fn code(err: &tokio_postgres::Error) -> String {
    err.as_db_error()
        .expect("a server error")
        .code()
        .code()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn preview_mode_shows_what_inserts_would_write_and_writes_nothing() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double);
    let client = gateway.client().await;
    client
        .simple_query(&format!("SET 'scaleph.preview' = 'on'; {TABLES}"))
        .await
        .unwrap();
    // Sink order, names from the sink, a typed NULL for the missing column.
    let messages = client
        .simple_query(
            "INSERT INTO sink (total, order_id) SELECT amount, id FROM orders WHERE amount > 0",
        )
        .await
        .unwrap();
    assert_eq!(
        result_sets(&messages),
        vec![(vec!["order_id".into(), "total".into(), "label".into()], 5)]
    );
    let rows = text_rows(&messages);
    assert_eq!(rows[1], vec![Some("1".into()), Some("20.00".into()), None]);
    // VALUES, a statement set (one result set per sink), CREATE TABLE AS.
    let messages = client
        .simple_query("INSERT INTO other_sink VALUES (1), (2)")
        .await
        .unwrap();
    assert_eq!(result_sets(&messages), vec![(vec!["n".into()], 2)]);
    let set = "EXECUTE STATEMENT SET BEGIN INSERT INTO sink SELECT id, amount, note FROM orders; \
               INSERT INTO other_sink SELECT id FROM clicks; END";
    let messages = client.simple_query(set).await.unwrap();
    assert_eq!(
        result_sets(&messages),
        vec![
            (vec!["order_id".into(), "total".into(), "label".into()], 5),
            (vec!["n".into()], 100),
        ]
    );
    let messages = client
        .simple_query(
            "CREATE TABLE copy WITH ('connector' = 'print') AS SELECT id, note FROM orders",
        )
        .await
        .unwrap();
    assert_eq!(
        result_sets(&messages),
        vec![(vec!["id".into(), "note".into()], 5)]
    );
    // Over the extended protocol: one result set per Execute.
    let rows = client
        .query("INSERT INTO other_sink SELECT id FROM orders", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    let err = client.query(set, &[]).await.unwrap_err();
    assert_eq!(code(&err), "0A000");
    // Issue 18 (found by the real planner): a leading WITH does not hide
    // the INSERT; it runs as its preview. (The double parses no WITH
    // query, so the preview fails there; tests/planner.rs shows the real
    // planner plans this rewrite.)
    let with_insert = "WITH big AS (SELECT id FROM orders WHERE id > 0) INSERT INTO other_sink SELECT id FROM big";
    let _ = client.simple_query(with_insert).await;
    assert!(
        double.statements().iter().any(|s| s
            == "WITH big AS (SELECT id FROM orders WHERE id > 0) SELECT id AS `n` FROM big LIMIT 100"),
        "{:?}",
        double.statements()
    );
    // What cannot be previewed is refused, never forwarded.
    for refused in ["ALTER TABLE sink COMPACT", "EXECUTE PLAN '/tmp/plan.json'"] {
        let err = client.simple_query(refused).await.unwrap_err();
        assert_eq!(code(&err), "0A000", "{refused}");
    }
    assert_nothing_written(&double);
    assert!(double.jobs().iter().all(|(_, status)| status != "RUNNING"));
    // Definitions still reach Flink, so previews run on the real schemas.
    assert!(
        double
            .statements()
            .iter()
            .any(|s| s.starts_with("CREATE TABLE sink"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn preview_and_explain_preview_work_for_one_statement() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double);
    let client = gateway.client().await;
    client.simple_query(TABLES).await.unwrap();
    let messages = client
        .simple_query("EXPLAIN PREVIEW INSERT INTO sink SELECT id, amount, note FROM orders")
        .await
        .unwrap();
    assert_eq!(
        text_rows(&messages),
        vec![vec![
            Some("sink".into()),
            Some(
                "SELECT id AS `order_id`, amount AS `total`, note AS `label` FROM orders LIMIT 100"
                    .into()
            )
        ]]
    );
    client
        .simple_query("SET 'scaleph.preview.limit' = '3'")
        .await
        .unwrap();
    let messages = client
        .simple_query("PREVIEW INSERT INTO other_sink SELECT id FROM clicks")
        .await
        .unwrap();
    assert_eq!(result_sets(&messages), vec![(vec!["n".into()], 3)]);
    assert_nothing_written(&double);
    // Preview mode is off: the INSERT itself runs.
    let messages = client
        .simple_query("INSERT INTO other_sink SELECT id FROM orders")
        .await
        .unwrap();
    assert_eq!(result_sets(&messages), vec![(vec!["job id".into()], 1)]);
    let err = client
        .simple_query("SET 'scaleph.preview.limit' = '0'")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "22023");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unbounded_preview_ends_at_its_timeout() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double);
    let client = gateway.client().await;
    client
        .simple_query(
            "CREATE TABLE slow (id INT NOT NULL) WITH ('connector' = 'datagen', 'rows-per-second' = '4'); \
             CREATE TABLE out (id INT) WITH ('connector' = 'blackhole'); \
             SET 'scaleph.preview.timeout' = '700 ms'",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let messages = client
        .simple_query("PREVIEW INSERT INTO out SELECT id FROM slow")
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let rows = result_sets(&messages)[0].1;
    assert!((1..100).contains(&rows), "{rows} rows");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    eventually("the preview's operation closed", || {
        double.open_operations() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn begin_statement_set_blocks_are_sent_as_one_statement_set() {
    let double = FlinkDouble::start();
    let gateway = gateway_for(&double);
    let client = gateway.client().await;
    client.simple_query(TABLES).await.unwrap();
    let messages = client
        .simple_query(
            "BEGIN STATEMENT SET;\nINSERT INTO other_sink SELECT id FROM orders;\nINSERT INTO sink SELECT id, amount, note FROM orders;\nEND;",
        )
        .await
        .unwrap();
    assert_eq!(result_sets(&messages), vec![(vec!["job id".into()], 1)]);
    assert!(
        double
            .statements()
            .iter()
            .any(|s| s.starts_with("EXECUTE STATEMENT SET BEGIN INSERT INTO other_sink")),
        "{:?}",
        double.statements()
    );
}

#[test]
fn the_repl_shows_one_table_per_sink() {
    let double = FlinkDouble::start();
    let dir = tempfile::tempdir().unwrap();
    let input = format!(
        "{TABLES};\nSET 'scaleph.preview' = 'on';\n\
         EXECUTE STATEMENT SET BEGIN INSERT INTO sink SELECT id, amount, note FROM orders; \
         INSERT INTO other_sink VALUES (7); END;\n"
    );
    let out = crate::support::gateway::run_binary(
        &[
            "repl",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--flink-gateway",
            &double.url(),
        ],
        &input,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("preview of sink"), "{stderr}");
    assert!(stdout.contains("-- preview of other_sink"), "{stdout}");
    assert!(
        stdout.contains("order_id") && stdout.contains(" 7"),
        "{stdout}"
    );
    assert_nothing_written(&double);
    assert_eq!(
        double.live_sessions(),
        0,
        "the REPL closes its Flink session on exit"
    );
}
