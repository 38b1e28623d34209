//! `cargo bench --bench sync`: planning a sync of a large database (issue
//! 16), side by side with the baseline in one run.
//!
//! The bench creates schema `scaleph_bench_plan` in the local PostgreSQL's
//! `test` database with 1,000 tables × 20 columns (once; kept for the
//! next run), then measures, interleaved over rounds:
//!
//! - **planning**: what CREATE SYNC does — every column and key of the
//!   database read in two queries ([`scaleph::datasource::schema`]), the
//!   patterns resolved and every table named ([`scaleph::sync::planner`]);
//! - **baseline**: the same facts read the way browsing reads them, one
//!   `DESCRIBE DATASOURCE ... TABLE` call per table (a connection and a
//!   query each, [`scaleph::datasource::metadata::columns`]), timed on the
//!   first 100 tables and scaled to 1,000 (a full pass takes minutes).
//!
//! Memory: the process's peak RSS before and after planning (VmHWM) and
//! the size of the stored plan (its JSON). Nothing here asserts a time.
//! `SCALEPH_BENCH_PLAN_ROUNDS` sets the rounds (default 5).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use scaleph::catalog::Registry;
use scaleph::datasource::ConnectionOptions;
use scaleph::datasource::flink_types::SourceDialect;
use scaleph::datasource::metadata::{SourceTable, columns};
use scaleph::datasource::schema::read_database;
use scaleph::sql::ast::SinkTarget;
use scaleph::store::{Datasource, OptionEntry};
use scaleph::sync::planner::{Request, SinkSpec, resolve};
use scaleph::sync::{Engine, Mode};

const SCHEMA: &str = "scaleph_bench_plan";
const TABLES: usize = 1000;
const COLUMNS: usize = 20;
/// Tables the baseline reads per round (then scaled to [`TABLES`]).
const BASELINE_SAMPLE: usize = 100;

fn datasource(name: &str, kind: &str, options: &[(&str, &str)]) -> Datasource {
    Datasource {
        name: name.into(),
        datasource_type: kind.into(),
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), OptionEntry::Plain(v.to_string())))
            .collect::<BTreeMap<_, _>>(),
        files: BTreeMap::new(),
        comment: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

/// Peak resident set of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

async fn create_tables(client: &tokio_postgres::Client) {
    let count: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
            &[&SCHEMA],
        )
        .await
        .unwrap()
        .get(0);
    if count as usize == TABLES {
        return;
    }
    let mut ddl = format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA};");
    for t in 0..TABLES {
        let mut columns = vec!["id bigint PRIMARY KEY".to_string()];
        let types = [
            "int",
            "numeric(12,2)",
            "varchar(64)",
            "timestamptz",
            "boolean",
            "text",
            "date",
            "double precision",
            "bytea",
            "int[]",
        ];
        for c in 1..COLUMNS {
            columns.push(format!("c{c} {}", types[c % types.len()]));
        }
        ddl.push_str(&format!(
            "CREATE TABLE {SCHEMA}.t{t:04} ({});",
            columns.join(", ")
        ));
    }
    client.batch_execute(&ddl).await.unwrap();
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let (client, connection) = match tokio_postgres::connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test",
        tokio_postgres::NoTls,
    )
    .await
    {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("sync bench skipped: PostgreSQL on 127.0.0.1:5432 is not reachable ({e})");
            return;
        }
    };
    tokio::spawn(connection);
    let setup = Instant::now();
    create_tables(&client).await;
    println!(
        "sync bench: {TABLES} tables x {COLUMNS} columns in {SCHEMA} (ready in {:.1} s)",
        setup.elapsed().as_secs_f64()
    );
    let registry = Registry::embedded();
    let pg = registry.get("postgresql").unwrap();
    let source = datasource(
        "pg",
        "postgresql",
        &[
            ("host", "127.0.0.1"),
            ("port", "5432"),
            ("username", "postgres"),
            ("database", "test"),
        ],
    );
    let sink = datasource(
        "lake",
        "postgresql",
        &[
            ("host", "127.0.0.2"),
            ("username", "postgres"),
            ("database", "ods"),
        ],
    );
    let options = ConnectionOptions::new(pg, &source.options);
    let patterns = vec![format!("{SCHEMA}\\..*")];
    let target = SinkTarget::Default;
    let sinks = [SinkSpec {
        datasource: &sink,
        kind: pg,
        target: &target,
    }];
    let name = |_: &str, _: &str, table: &str| format!("ods_{table}");
    let request = Request {
        source: &source,
        source_kind: pg,
        database: Some("test"),
        patterns: &patterns,
        sinks: &sinks,
        mode: Mode::Cdc,
        engine: Engine::FlinkSql,
        table_name: &name,
    };
    let rounds: usize = std::env::var("SCALEPH_BENCH_PLAN_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let rss_before = peak_rss_kib();
    let (mut planned, mut baseline) = (Vec::new(), Vec::new());
    let mut plan_bytes = 0;
    let mut tables_planned = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let tables = read_database(SourceDialect::Postgresql, &options, Some("test"))
            .await
            .unwrap();
        let plan = resolve(&request, tables).unwrap();
        planned.push(start.elapsed());
        tables_planned = plan.tables.len();
        plan_bytes = serde_json::to_string(&plan).unwrap().len();

        let start = Instant::now();
        for t in 0..BASELINE_SAMPLE {
            let name = format!("t{t:04}");
            columns(
                SourceDialect::Postgresql,
                &options,
                &SourceTable {
                    database: Some("test"),
                    schema: Some(SCHEMA),
                    table: &name,
                },
            )
            .await
            .unwrap();
        }
        baseline.push(start.elapsed() * (TABLES / BASELINE_SAMPLE) as u32);
    }
    let rss_after = peak_rss_kib();
    let (p, b) = (median(planned), median(baseline));
    println!(
        "planning {tables_planned} tables: median {:.0} ms over {rounds} rounds; \
         baseline (one DESCRIBE per table, {BASELINE_SAMPLE} timed, scaled): {:.0} ms; {:.1}x faster",
        p.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        b.as_secs_f64() / p.as_secs_f64()
    );
    println!(
        "memory: stored plan {:.1} MiB of JSON; peak RSS {:.1} MiB before, {:.1} MiB after",
        plan_bytes as f64 / 1048576.0,
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0
    );
}
