//! Tests of the local engine against a real embedded store.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int64Type};
use futures::TryStreamExt;
use secrecy::SecretString;

use super::*;
use crate::error::SqlState;
use crate::store::{Datasource, OptionEntry, SqliteStore};

async fn engine() -> (tempfile::TempDir, LocalEngine) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let now = chrono::Utc::now();
    store
        .create_datasource(Datasource {
            name: "pg".into(),
            datasource_type: "postgresql".into(),
            options: BTreeMap::from([
                ("host".to_string(), OptionEntry::Plain("h".into())),
                (
                    "password".to_string(),
                    OptionEntry::Secret(SecretString::from("hunter2")),
                ),
            ]),
            files: BTreeMap::new(),
            comment: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    let info = SessionInfo::new("alice", "scaleph", "test");
    (
        dir,
        LocalEngine::new(store, Arc::new(Registry::embedded()), &info),
    )
}

fn parse(sql: &str) -> sqlparser::ast::Statement {
    sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql)
        .unwrap()
        .remove(0)
}

async fn rows(
    engine: &LocalEngine,
    sql: &str,
    params: Vec<ScalarValue>,
) -> Result<(Vec<String>, Vec<RecordBatch>)> {
    match engine.execute(&parse(sql), params).await? {
        QueryResult::Rows { schema, batches } => {
            let names = schema.fields().iter().map(|f| f.name().clone()).collect();
            Ok((names, batches.try_collect().await?))
        }
        QueryResult::Command(tag) => panic!("unexpected tag {tag}"),
    }
}

fn text(batches: &[RecordBatch], column: usize) -> Vec<String> {
    let options = arrow::util::display::FormatOptions::default();
    batches
        .iter()
        .flat_map(|b| {
            let f =
                arrow::util::display::ArrayFormatter::try_new(b.column(column).as_ref(), &options)
                    .unwrap();
            (0..b.num_rows())
                .map(move |i| f.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn expressions_and_session_functions_answer_like_postgres() {
    let (_dir, engine) = engine().await;
    let (names, batches) = rows(
        &engine,
        "SELECT 40 + 2, upper('ab'), version(), current_schema(), current_user, current_database()",
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(
        names,
        vec![
            "?column?",
            "upper",
            "version",
            "current_schema",
            "current_user",
            "current_database"
        ]
    );
    assert_eq!(text(&batches, 0), vec!["42"]);
    assert_eq!(text(&batches, 1), vec!["AB"]);
    assert!(text(&batches, 2)[0].starts_with("PostgreSQL 15.0 (scaleph "));
    assert_eq!(text(&batches, 3), vec!["scaleph"]);
    assert_eq!(text(&batches, 4), vec!["alice"]);
    assert_eq!(text(&batches, 5), vec!["scaleph"]);
}

#[tokio::test]
async fn datasources_table_masks_secrets() {
    let (_dir, engine) = engine().await;
    let (_, batches) = rows(
        &engine,
        "SELECT name, type, options FROM scaleph.datasources",
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(text(&batches, 0), vec!["pg"]);
    let options = &text(&batches, 2)[0];
    assert!(
        options.contains("******") && !options.contains("hunter2"),
        "{options}"
    );
}

#[tokio::test]
async fn parameters_are_typed_and_bound() {
    let (_dir, engine) = engine().await;
    let description = engine.describe(&parse("SELECT $1 + 1 AS n")).await.unwrap();
    assert_eq!(description.param_types, vec![Some(DataType::Int64)]);
    let (_, batches) = rows(
        &engine,
        "SELECT $1 + 1 AS n",
        vec![ScalarValue::Int64(Some(41))],
    )
    .await
    .unwrap();
    assert_eq!(
        batches[0].column(0).as_primitive::<Int64Type>().value(0),
        42
    );
}

#[tokio::test]
async fn errors_carry_postgres_sqlstates() {
    let (_dir, engine) = engine().await;
    let code = |sql: &'static str| {
        let engine = &engine;
        async move {
            match rows(engine, sql, vec![]).await {
                Err(e) => e.sqlstate,
                Ok(_) => panic!("{sql} should fail"),
            }
        }
    };
    assert_eq!(
        code("SELECT * FROM scaleph.nosuch").await,
        SqlState::UNDEFINED_TABLE
    );
    assert_eq!(
        code("SELECT nosuch FROM scaleph.datasources").await,
        SqlState::UNDEFINED_COLUMN
    );
    assert_eq!(
        code("SELECT nosuchfunction(1)").await,
        SqlState::UNDEFINED_FUNCTION
    );
    assert_eq!(code("SELECT 1 / 0").await, SqlState::DIVISION_BY_ZERO);
}

#[tokio::test]
async fn long_queries_stream_and_stop_when_dropped() {
    let (_dir, engine) = engine().await;
    let result = engine
        .execute(
            &parse("SELECT count(*) FROM generate_series(1, 50000000000)"),
            vec![],
        )
        .await
        .unwrap();
    let QueryResult::Rows { mut batches, .. } = result else {
        panic!("rows expected")
    };
    let poll =
        tokio::time::timeout(std::time::Duration::from_millis(200), batches.try_next()).await;
    assert!(
        poll.is_err(),
        "a count over 5e10 rows cannot finish in 200 ms"
    );
    drop(batches);
    let (_, many) = rows(&engine, "SELECT * FROM generate_series(1, 100000)", vec![])
        .await
        .unwrap();
    assert!(many.len() > 1, "results arrive in several batches");
    assert_eq!(many.iter().map(|b| b.num_rows()).sum::<usize>(), 100000);
    assert!(many[0].column(0).len() < 100000);
}

#[tokio::test]
async fn constant_queries_are_cached_and_others_are_not() {
    let (_dir, engine) = engine().await;
    let check = |sql: &str| {
        let statement = parse(sql);
        let engine = &engine;
        async move {
            engine
                .plan(&statement)
                .await
                .map(|p| cache::is_constant(&p))
                .unwrap()
        }
    };
    assert!(check("SELECT 1").await);
    assert!(check("SELECT upper('a'), 1 + 2 AS x").await);
    assert!(!check("SELECT now()").await);
    assert!(!check("SELECT random()").await);
    assert!(!check("SELECT current_user").await);
    assert!(!check("SELECT name FROM scaleph.datasources").await);
    assert!(!check("SELECT count(*) FROM generate_series(1, 3)").await);
    let (_, first) = rows(&engine, "SELECT 1 AS one", vec![]).await.unwrap();
    assert!(engine.cache.result(&parse("SELECT 1 AS one")).is_some());
    let (_, second) = rows(&engine, "SELECT 1 AS one", vec![]).await.unwrap();
    assert_eq!(first, second);
}

#[tokio::test]
async fn catalog_queries_are_kept_until_the_catalog_changes() {
    let (_dir, engine) = engine().await;
    let kept = |sql: &str| cache::is_catalog_snapshot(&parse(sql));
    assert!(kept(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    ));
    assert!(!kept("SELECT relname, now() FROM pg_catalog.pg_class"));
    assert!(!kept("SELECT name FROM pg_catalog.pg_settings"));
    assert!(!kept(
        "SELECT c.relname, d.name FROM pg_catalog.pg_class c, scaleph.datasources d"
    ));
    assert!(!kept("SELECT 1"));
    let sql = "SELECT relname FROM pg_catalog.pg_class WHERE relname = 'datasources'";
    let (_, first) = rows(&engine, sql, vec![]).await.unwrap();
    assert!(engine.cache.result(&parse(sql)).is_some());
    let (_, again) = rows(&engine, sql, vec![]).await.unwrap();
    assert_eq!(first, again);
    engine.forget_catalog_results();
    assert!(engine.cache.result(&parse(sql)).is_none());
    // With parameters, never kept.
    let with_parameter = "SELECT relname FROM pg_catalog.pg_class WHERE relname = $1";
    rows(
        &engine,
        with_parameter,
        vec![ScalarValue::Utf8(Some("datasources".into()))],
    )
    .await
    .unwrap();
    assert!(engine.cache.result(&parse(with_parameter)).is_none());
}
