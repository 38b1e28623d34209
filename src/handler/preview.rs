//! Preview: `PREVIEW <statement>`, `EXPLAIN PREVIEW <statement>`, and
//! every write while `scaleph.preview` is on. A write becomes one query per
//! sink ([`crate::sql::preview`]), run on Flink with the preview's limit
//! and timeout; its rows come back named after the sink's columns, which
//! scaleph asks Flink for (`DESCRIBE <sink>`). Nothing that writes a sink,
//! creates a table from a query or submits a job reaches Flink.

use std::time::Duration;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use futures::TryStreamExt;

use super::flink::run;
use crate::error::{Error, Result, SqlState};
use crate::flink::FlinkSession;
use crate::flink::fetch::{ChangelogMode, ReadOptions};
use crate::flink::state::may_update;
use crate::result::{LabeledResult, Notice, QueryResult, StatementOutput};
use crate::session::SessionVars;
use crate::session::vars::{CHANGELOG, PREVIEW, PREVIEW_LIMIT, PREVIEW_TIMEOUT};
use crate::sql::preview::{
    Insert, SinkColumn, Writing, parse_write, preview_insert, preview_query,
};

/// Whether preview mode is on in this session.
pub fn preview_mode(vars: &SessionVars) -> bool {
    vars.get(PREVIEW)
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "on" | "true" | "1"))
}

/// The rows per sink and the time limit of a preview.
fn limits(vars: &SessionVars) -> (usize, Option<Duration>) {
    let limit = vars
        .get(PREVIEW_LIMIT)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(100);
    let timeout = vars
        .get(PREVIEW_TIMEOUT)
        .and_then(|v| crate::duration::parse_duration(&v).ok())
        .filter(|t| !t.is_zero());
    (limit, timeout)
}

/// One query of a preview: the sink it stands for and its SQL.
struct PlannedQuery {
    sink: String,
    sql: String,
}

/// The columns of `sink`, from Flink's `DESCRIBE`.
async fn sink_columns(flink: &mut FlinkSession, sink: &str) -> Result<Vec<SinkColumn>> {
    let (result, _) = run(flink, &format!("DESCRIBE {sink}"), ReadOptions::plain()).await?;
    let QueryResult::Rows { batches, .. } = result else {
        return Err(Error::new(
            SqlState::SYSTEM_ERROR,
            format!("Flink's DESCRIBE {sink} returned no columns"),
        ));
    };
    let batches: Vec<RecordBatch> = batches.try_collect().await?;
    let text = |batch: &RecordBatch, column: usize, row: usize| -> Option<String> {
        let array = batch.column(column);
        (array.data_type() == &DataType::Utf8 && !array.is_null(row))
            .then(|| array.as_string::<i32>().value(row).to_string())
    };
    let mut columns = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            if let (Some(name), Some(data_type)) = (text(batch, 0, row), text(batch, 1, row)) {
                columns.push(SinkColumn { name, data_type });
            }
        }
    }
    if columns.is_empty() {
        return Err(Error::new(
            SqlState::SYSTEM_ERROR,
            format!("Flink's DESCRIBE {sink} listed no columns"),
        ));
    }
    Ok(columns)
}

async fn plan_insert(
    flink: &mut FlinkSession,
    insert: &Insert,
    limit: usize,
) -> Result<PlannedQuery> {
    let columns = sink_columns(flink, &insert.sink).await?;
    Ok(PlannedQuery {
        sink: insert.sink.clone(),
        sql: preview_insert(insert, &columns, limit)?,
    })
}

/// The queries that preview the write statement `text`.
async fn plan(flink: &mut FlinkSession, text: &str, limit: usize) -> Result<Vec<PlannedQuery>> {
    match parse_write(text)? {
        Writing::Insert(insert) => Ok(vec![plan_insert(flink, &insert, limit).await?]),
        Writing::StatementSet(inserts) => {
            let mut planned = Vec::with_capacity(inserts.len());
            for insert in &inserts {
                planned.push(plan_insert(flink, insert, limit).await?);
            }
            Ok(planned)
        }
        Writing::TableAs { table, query } => Ok(vec![PlannedQuery {
            sink: table,
            sql: preview_query(&query, limit),
        }]),
    }
}

/// `[EXPLAIN] PREVIEW <statement>`, or a write (INSERT, statement set,
/// CREATE TABLE AS) in preview mode.
pub async fn handle_preview(
    flink: &mut FlinkSession,
    vars: &SessionVars,
    text: &str,
    explain: bool,
) -> Result<StatementOutput> {
    let (limit, timeout) = limits(vars);
    let planned = plan(flink, text, limit).await?;
    if explain {
        let rows: Vec<Vec<String>> = planned.into_iter().map(|p| vec![p.sink, p.sql]).collect();
        return Ok(QueryResult::text_rows(&["sink", "query"], &rows)?.into());
    }
    let changelog = vars
        .get(CHANGELOG)
        .and_then(|v| ChangelogMode::parse(&v))
        .unwrap_or(ChangelogMode::Auto);
    let mut results = Vec::with_capacity(planned.len());
    let mut notices = Vec::new();
    for query in planned {
        let options = ReadOptions {
            max_rows: Some(limit),
            timeout,
            changelog,
            may_update: may_update(&query.sql),
            statement: None,
        };
        let (result, more_notices) = run(flink, &query.sql, options).await.map_err(|err| {
            let hint = format!("the preview ran: {}", query.sql);
            err.with_hint(hint)
        })?;
        notices.extend(more_notices);
        results.push(LabeledResult {
            label: format!("preview of {}", query.sink),
            result,
        });
    }
    let mut results = results.into_iter();
    let Some(first) = results.next() else {
        return Err(Error::internal("a preview without queries"));
    };
    notices.push(Notice::new(first.label));
    Ok(StatementOutput {
        result: first.result,
        notices,
        more: results.collect(),
    })
}
