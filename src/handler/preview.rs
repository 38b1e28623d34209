//! Preview: `PREVIEW <statement>`, `EXPLAIN PREVIEW <statement>`, and
//! every write while `scaleph.preview` is on. A write becomes one query per
//! sink ([`crate::sql::preview`]), run on Flink with the preview's limit
//! and timeout; its rows come back named after the sink's columns, which
//! scaleph asks Flink for (`DESCRIBE <sink>`). Nothing that writes a sink,
//! creates a table from a query or submits a job reaches Flink.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use futures::TryStreamExt;

use super::flink::run;
use super::{SessionState, Shape};
use crate::error::{Error, Result, SqlState};
use crate::flink::FlinkSession;
use crate::flink::fetch::ReadOptions;
use crate::result::{LabeledResult, Notice, QueryResult, StatementOutput};
use crate::sql::ast::{FlinkStatement, Insert, Preview, SinkColumn, Writing};
use crate::sql::classify::may_update_text;
use crate::sql::preview::{preview_insert, preview_query, sink_column};

/// The shape of a preview's result: `EXPLAIN PREVIEW` shows a sink and a
/// query per row; a preview's rows are known once it runs.
pub fn describe(preview: &Preview) -> Shape {
    if preview.explain {
        Shape::rows(Some(QueryResult::text_schema(&["sink", "query"])))
    } else {
        Shape::RunToKnow
    }
}

/// `[EXPLAIN] PREVIEW <statement>`.
pub async fn execute(state: &mut SessionState, preview: &Preview) -> Result<StatementOutput> {
    run_preview(state, &preview.body.flink, preview.explain).await
}

/// One query of a preview: the sink it stands for and its SQL.
struct PlannedQuery {
    sink: String,
    sql: String,
}

/// The columns of `sink`, from Flink's `DESCRIBE`.
async fn sink_columns(flink: &mut FlinkSession, sink: &str) -> Result<Vec<SinkColumn>> {
    let (result, _) = run(
        flink,
        &format!("DESCRIBE {sink}"),
        "DESCRIBE".into(),
        ReadOptions::plain(),
    )
    .await?;
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
    // DESCRIBE's columns: name, type, null, key, extras, watermark.
    let mut columns = Vec::new();
    for batch in &batches {
        let extras = (batch.num_columns() > 4).then_some(4);
        for row in 0..batch.num_rows() {
            if let (Some(name), Some(data_type)) = (text(batch, 0, row), text(batch, 1, row)) {
                let extras = extras.and_then(|column| text(batch, column, row));
                columns.extend(sink_column(&name, &data_type, extras.as_deref()));
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

/// The queries that preview the write `writing`.
async fn plan(
    flink: &mut FlinkSession,
    writing: &Writing,
    limit: usize,
) -> Result<Vec<PlannedQuery>> {
    match writing {
        Writing::Insert(insert) => Ok(vec![plan_insert(flink, insert, limit).await?]),
        Writing::StatementSet(inserts) => {
            let mut planned = Vec::with_capacity(inserts.len());
            for insert in inserts {
                planned.push(plan_insert(flink, insert, limit).await?);
            }
            Ok(planned)
        }
        Writing::TableAs { table, query } => Ok(vec![PlannedQuery {
            sink: table.clone(),
            sql: preview_query(query, limit),
        }]),
    }
}

/// The preview of the write `write` (INSERT, statement set, CREATE TABLE
/// AS), from `PREVIEW` or in preview mode; with `explain`, its queries
/// instead of their rows.
pub async fn run_preview(
    state: &mut SessionState,
    write: &FlinkStatement,
    explain: bool,
) -> Result<StatementOutput> {
    let settings = state.vars.settings().clone();
    let (limit, timeout) = (settings.preview_limit, settings.preview_timeout);
    let flink = state.flink()?;
    let writing = match &write.write {
        Some(Ok(writing)) => writing,
        Some(Err(err)) => return Err(err.clone()),
        None => {
            return Err(Error::internal(
                "a preview of a statement that writes nothing",
            ));
        }
    };
    let planned = plan(flink, writing, limit).await?;
    if explain {
        let rows: Vec<Vec<String>> = planned.into_iter().map(|p| vec![p.sink, p.sql]).collect();
        return Ok(QueryResult::text_rows(&["sink", "query"], &rows)?.into());
    }
    let changelog = settings.changelog;
    let mut results = Vec::with_capacity(planned.len());
    let mut notices = Vec::new();
    for query in planned {
        let options = ReadOptions {
            max_rows: Some(limit),
            timeout,
            changelog,
            may_update: may_update_text(&query.sql),
            statement: None,
            expect_query: true,
            expect_rows: true,
        };
        let tag = "SELECT".to_string();
        let (result, more_notices) = run(flink, &query.sql, tag, options).await.map_err(|err| {
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
