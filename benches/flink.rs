//! `cargo bench --bench flink`: Flink SQL forwarded through scaleph,
//! measured side by side with its baselines in one run.
//!
//! - per-statement overhead: a one-row `SELECT` sent through scaleph (a
//!   pgwire client, `scaleph serve`, the Flink SQL Gateway double) against
//!   the same REST calls (execute, fetch 0, fetch 1, close) made directly
//!   to the double; p50 and p99 of each and the difference;
//! - streaming: 1,000,000 rows of 6 mixed columns from the double through
//!   scaleph to a pgwire client, against PostgreSQL at 127.0.0.1:5432
//!   sending a table of the same shape to the same client; rows/s, the
//!   ratio, and scaleph's peak RSS growth while streaming (flat memory:
//!   nothing is buffered whole). The double alone (pages fetched, not
//!   decoded) is printed as the ceiling.
//!
//! - catalog listing: psql's `\dt` after creating N Flink tables of 5
//!   columns in the session — the first lists the catalog from the
//!   gateway (SHOW ... and one DESCRIBE per table), the second answers
//!   from the session's listing; PostgreSQL's `\dt` over as many tables
//!   beside it.
//!
//! `SCALEPH_BENCH_ROWS` sets the streamed row count (default 1,000,000);
//! `SCALEPH_BENCH_TABLES` the listed table count (default 100);
//! `SCALEPH_BENCH_STATEMENTS` the overhead sample size (default 500).
//! Nothing here asserts a time: figures are printed for the issue notes.

#[path = "../tests/support/flink_gateway/mod.rs"]
#[allow(dead_code)]
mod flink_gateway;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use flink_gateway::{DoubleOptions, FlinkDouble};
use futures::TryStreamExt;
use serde_json::{Value, json};
use tokio_postgres::{NoTls, SimpleQueryMessage};

mod support;

use support::{PSQL_LIST_TABLES, start_server};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn connect(conn: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(conn, NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

/// Submits `sql`; its operation handle.
async fn submit(http: &reqwest::Client, base: &str, session: &str, sql: &str) -> String {
    let submitted: Value = http
        .post(format!("{base}/sessions/{session}/statements"))
        .json(&json!({ "statement": sql }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    submitted["operationHandle"].as_str().unwrap().to_string()
}

/// The result page `token` of an operation, as its raw body.
async fn fetch(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    operation: &str,
    token: u64,
) -> bytes::Bytes {
    http.get(format!(
        "{base}/sessions/{session}/operations/{operation}/result/{token}?rowFormat=JSON"
    ))
    .send()
    .await
    .unwrap()
    .bytes()
    .await
    .unwrap()
}

/// Closes an operation.
async fn close(http: &reqwest::Client, base: &str, session: &str, operation: &str) {
    http.delete(format!(
        "{base}/sessions/{session}/operations/{operation}/close"
    ))
    .send()
    .await
    .unwrap();
}

/// The REST calls of one forwarded statement, made directly.
async fn direct_statement(http: &reqwest::Client, base: &str, session: &str, sql: &str) -> usize {
    let operation = submit(http, base, session, sql).await;
    let mut token = 0;
    let mut rows = 0;
    loop {
        let page: Value =
            serde_json::from_slice(&fetch(http, base, session, &operation, token).await).unwrap();
        match page["resultType"].as_str() {
            Some("EOS") => break,
            Some("PAYLOAD") => {
                rows += page["results"]["data"].as_array().map_or(0, Vec::len);
                token += 1;
            }
            _ => tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
    close(http, base, session, &operation).await;
    rows
}

/// The REST calls of one streamed result, pages fetched but not decoded.
async fn direct_stream(http: &reqwest::Client, base: &str, session: &str, sql: &str) -> usize {
    let operation = submit(http, base, session, sql).await;
    let mut token = 0;
    let mut bytes = 0;
    loop {
        let body = fetch(http, base, session, &operation, token).await;
        bytes += body.len();
        if body.starts_with(br#"{"resultType":"EOS""#) {
            break;
        }
        if body.starts_with(br#"{"resultType":"PAYLOAD""#) {
            token += 1;
        }
    }
    close(http, base, session, &operation).await;
    bytes
}

async fn open_direct_session(http: &reqwest::Client, base: &str, setup: &str) -> String {
    let opened: Value = http
        .post(format!("{base}/sessions"))
        .json(&json!({ "sessionName": "bench" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = opened["sessionHandle"].as_str().unwrap().to_string();
    direct_statement(http, base, &session, setup).await;
    session
}

/// Streams `sql` to a pgwire client, counting rows; rows and seconds.
async fn stream_rows(client: &tokio_postgres::Client, sql: &str) -> (usize, f64) {
    let started = Instant::now();
    let stream = client.simple_query_raw(sql).await.unwrap();
    futures::pin_mut!(stream);
    let mut rows = 0;
    while let Some(message) = stream.try_next().await.unwrap() {
        if let SimpleQueryMessage::Row(_) = message {
            rows += 1;
        }
    }
    (rows, started.elapsed().as_secs_f64())
}

/// CPU seconds (user + system) the process has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which ends with the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat: 11 and 12 after the state field (3); 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

const ONE_ROW: &str =
    "CREATE TABLE one (id INT NOT NULL) WITH ('connector' = 'datagen', 'number-of-rows' = '1')";

fn big_table(rows: usize) -> String {
    format!(
        "CREATE TABLE big (id INT NOT NULL, big BIGINT NOT NULL, price DOUBLE NOT NULL, note STRING NOT NULL, \
         flag BOOLEAN NOT NULL, at TIMESTAMP(3) NOT NULL) WITH ('connector' = 'datagen', 'number-of-rows' = '{rows}')"
    )
}

fn main() {
    // The process's one TLS provider, as scaleph installs it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let statements = env_number("SCALEPH_BENCH_STATEMENTS", 500);
    let rows = env_number("SCALEPH_BENCH_ROWS", 1_000_000);
    let double = FlinkDouble::start_with(DoubleOptions {
        not_ready_fetches: 0,
        ..DoubleOptions::default()
    });
    let (server, _) = start_server(&["--flink-gateway", &double.url()]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let base = format!("{}/v4", double.url());
        let scaleph = connect(&format!(
            "host=127.0.0.1 port={} user=bench dbname=scaleph",
            server.port
        ))
        .await;
        scaleph
            .simple_query(&format!("{ONE_ROW}; {}; SET 'scaleph.result.max-rows' = '0'", big_table(rows)))
            .await
            .unwrap();
        let session = open_direct_session(&http, &base, ONE_ROW).await;
        direct_statement(&http, &base, &session, &big_table(rows)).await;

        // Per-statement overhead, interleaved so both see the same machine.
        let (mut direct, mut through) = (Vec::new(), Vec::new());
        for _ in 0..statements {
            let started = Instant::now();
            assert_eq!(direct_statement(&http, &base, &session, "SELECT id FROM one").await, 1);
            direct.push(started.elapsed());
            let started = Instant::now();
            let messages = scaleph.simple_query("SELECT id FROM one").await.unwrap();
            assert_eq!(messages.len(), 3);
            through.push(started.elapsed());
        }
        let (d50, d99) = (percentile(&mut direct, 0.5), percentile(&mut direct, 0.99));
        let (t50, t99) = (percentile(&mut through, 0.5), percentile(&mut through, 0.99));
        println!("per-statement ({statements} one-row SELECTs)");
        println!("  direct REST to the double  p50 {d50:>10.3?}  p99 {d99:>10.3?}");
        println!("  through scaleph (pgwire)   p50 {t50:>10.3?}  p99 {t99:>10.3?}");
        println!(
            "  added by scaleph           p50 {:>10.3?}",
            t50.saturating_sub(d50)
        );

        // Streaming.
        let started = Instant::now();
        let bytes = direct_stream(&http, &base, &session, "SELECT * FROM big").await;
        let ceiling = rows as f64 / started.elapsed().as_secs_f64();
        let pid = server.child.id();
        let baseline = rss_kib(pid);
        let peak = Arc::new(AtomicU64::new(baseline));
        let sampling = Arc::new(AtomicBool::new(true));
        let sampler = {
            let (peak, sampling) = (peak.clone(), sampling.clone());
            std::thread::spawn(move || {
                while sampling.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        let cpu_before = cpu_seconds(pid);
        let (streamed, secs) = stream_rows(&scaleph, "SELECT * FROM big").await;
        let cpu = cpu_seconds(pid) - cpu_before;
        sampling.store(false, Ordering::Relaxed);
        sampler.join().unwrap();
        assert_eq!(streamed, rows);
        let through_rate = rows as f64 / secs;
        println!("streaming {rows} rows x 6 columns (INT, BIGINT, DOUBLE, STRING, BOOLEAN, TIMESTAMP)");
        println!(
            "  the double alone (JSON pages, {:.0} MB, not decoded) {ceiling:>12.0} rows/s",
            bytes as f64 / 1e6
        );
        println!("  through scaleph to a pgwire client       {through_rate:>12.0} rows/s  ({secs:.2} s)");
        println!(
            "  scaleph's own CPU: {cpu:.2} s for {rows} rows ({:.0} rows per CPU-second; the double and the client share the 2 cores)",
            rows as f64 / cpu.max(0.01)
        );
        println!(
            "  scaleph RSS: {baseline} KiB before, peak {} KiB while streaming (+{} KiB)",
            peak.load(Ordering::Relaxed),
            peak.load(Ordering::Relaxed).saturating_sub(baseline)
        );
        match tokio_postgres::connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", NoTls).await {
            Ok((postgres, connection)) => {
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                postgres
                    .batch_execute(&format!(
                        "CREATE TEMP TABLE big AS SELECT i AS id, i::bigint + 9007199254740993 AS big, \
                         i + 0.5::float8 AS price, 'row-' || i AS note, i % 2 = 0 AS flag, \
                         timestamp '2024-01-01' + i * interval '1 second' AS at \
                         FROM generate_series(0, {}) AS i",
                        rows - 1
                    ))
                    .await
                    .unwrap();
                let (sent, pg_secs) = stream_rows(&postgres, "SELECT * FROM big").await;
                assert_eq!(sent, rows);
                let pg_rate = rows as f64 / pg_secs;
                println!("  PostgreSQL to the same client            {pg_rate:>12.0} rows/s  ({pg_secs:.2} s)");
                println!("  scaleph / PostgreSQL                     {:>12.2}x", through_rate / pg_rate);
            }
            Err(err) => println!("  PostgreSQL at 127.0.0.1:5432 is not reachable ({err}); no baseline"),
        }

        let tables = env_number("SCALEPH_BENCH_TABLES", 100);
        // The same five columns in each dialect: Flink's STRING is
        // PostgreSQL's TEXT.
        let create = |text: &str, with: &str| {
            (0..tables)
                .map(|i| {
                    format!("CREATE TABLE listed_{i} (id INT, a {text}, b DOUBLE PRECISION, c TIMESTAMP(3), d BIGINT){with}")
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        scaleph
            .batch_execute(&create("STRING", " WITH ('connector' = 'datagen')"))
            .await
            .unwrap();
        println!("catalog listing: psql's \\dt with {tables} Flink tables of 5 columns");
        let (listed, first) = list_tables(&scaleph).await;
        let (_, cached) = list_tables(&scaleph).await;
        println!("  scaleph, listed from the gateway          {first:>10.3?}  ({listed} rows)");
        println!("  scaleph, from the session's listing       {cached:>10.3?}");
        if let Ok((postgres, connection)) =
            tokio_postgres::connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", NoTls).await
        {
            tokio::spawn(async move {
                let _ = connection.await;
            });
            postgres
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS scaleph_bench CASCADE; CREATE SCHEMA scaleph_bench; \
                     SET search_path = scaleph_bench; {}",
                    create("TEXT", "")
                ))
                .await
                .unwrap();
            let (listed, elapsed) = list_tables(&postgres).await;
            println!("  PostgreSQL                                {elapsed:>10.3?}  ({listed} rows)");
            postgres
                .batch_execute("DROP SCHEMA scaleph_bench CASCADE")
                .await
                .unwrap();
        }
    });
}

/// psql's `\dt` on `client`: the rows and how long it took.
async fn list_tables(client: &tokio_postgres::Client) -> (usize, Duration) {
    let started = Instant::now();
    let rows = client
        .simple_query(PSQL_LIST_TABLES)
        .await
        .unwrap()
        .iter()
        .filter(|m| matches!(m, SimpleQueryMessage::Row(_)))
        .count();
    (rows, started.elapsed())
}
