//! Flink SQL: every statement scaleph does not handle itself, forwarded as
//! written to the Flink SQL Gateway in this session's Flink session, its
//! result streamed back. What a statement is and does was decided when it
//! was parsed ([`FlinkStatement`]); statements that change the session are
//! recorded for replay, and DDL of the shared default catalog is kept in
//! the store once Flink accepted it (its new name claimed before, so that
//! of two connections creating one name the loser never reaches Flink).

use std::sync::Arc;

use arrow::datatypes::SchemaRef;

use super::{SessionState, Shape};
use crate::error::{Error, Result, SqlState};
use crate::flink::FlinkSession;
use crate::flink::fetch::{ReadOptions, read_result};
use crate::flink::session::Prepared;
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::settings::Settings;
use crate::sql::ParsedStatement;
use crate::sql::ast::{Effect, FlinkStatement, FlinkStatementKind};

/// What a Flink statement's result looks like, when that is known without
/// running it: `Some(None)` for no rows, `Some(Some(schema))` for rows of
/// `schema`; `None` when only Flink knows (queries, SHOW, EXPLAIN).
pub fn known_schema(flink: &FlinkStatement) -> Option<Option<SchemaRef>> {
    match flink.kind {
        kind if kind.writes_sinks() => Some(Some(QueryResult::text_schema(&["job id"]))),
        FlinkStatementKind::Ddl | FlinkStatementKind::Use => Some(None),
        _ if flink.effect != Effect::None => Some(None),
        _ => None,
    }
}

/// The shape of a Flink statement's result: known for DDL and writes,
/// found by running it for the rest (and for a write previewed).
pub fn describe(state: &SessionState, flink: &FlinkStatement) -> Shape {
    let previewed = state.vars.settings().preview && flink.is_previewable_write();
    match known_schema(flink) {
        Some(schema) if !previewed => Shape::rows(schema),
        _ => Shape::RunToKnow,
    }
}

/// The options of the user's statement, from the session's
/// `scaleph.result.*` settings. In batch mode every query is bounded and
/// insert-only: no limits, no `op` column. A write (INSERT, statement set,
/// CREATE TABLE AS) waits for its job's submission however long it takes.
fn statement_options(
    session: &FlinkSession,
    settings: &Settings,
    parsed: &ParsedStatement,
    flink: &FlinkStatement,
) -> ReadOptions {
    let batch = session.is_batch();
    // A write's submission may take long; the result timeout is a query's.
    let query = !flink.kind.writes_sinks();
    ReadOptions {
        max_rows: settings.max_rows.filter(|_| !batch),
        timeout: settings.result_timeout.filter(|_| !batch && query),
        changelog: settings.changelog,
        may_update: !batch && flink.may_update,
        statement: Some((parsed.position(), Arc::from(parsed.text.as_str()))),
        expect_query: flink.kind == FlinkStatementKind::Query,
        expect_rows: known_schema(flink) != Some(None),
    }
}

/// Runs `text` in the Flink session and reads its result, tagged `tag`
/// when it has no rows: the result and the notices of (re)opening the
/// session.
pub async fn run(
    session: &mut FlinkSession,
    text: &str,
    tag: String,
    options: ReadOptions,
) -> Result<(QueryResult, Vec<Notice>)> {
    let mut notices = Vec::new();
    let handles = session.submit(text, &mut notices).await?;
    let result = read_result(
        session.client().clone(),
        handles,
        session.zone(),
        options,
        tag,
    )
    .await?;
    Ok((result, notices))
}

/// Runs a Flink statement; in preview mode a write runs as its preview,
/// and what cannot be previewed is refused.
pub async fn execute(
    state: &mut SessionState,
    parsed: &ParsedStatement,
    flink: &FlinkStatement,
) -> Result<StatementOutput> {
    if state.vars.settings().preview {
        if flink.is_previewable_write() {
            return super::preview::run_preview(state, flink, false).await;
        }
        if !flink.preview_allows() {
            return Err(Error::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "in preview mode this statement is not sent to Flink: it may write data or submit a job",
            )
            .with_hint("SET 'scaleph.preview' = 'off' to run it"));
        }
    }
    let change = match state.flink()?.prepare(flink).await? {
        Prepared::Run(change) => change,
        Prepared::Skip(notice) => {
            return Ok(
                StatementOutput::from(QueryResult::command(flink.tag.clone())).with_notice(notice),
            );
        }
    };
    let output = match forward(state, parsed, flink).await {
        Ok(output) => output,
        Err(err) => {
            if let Some(change) = change {
                change.refused(&err).await;
            }
            return Err(err);
        }
    };
    state
        .flink()?
        .remember(&parsed.text, &parsed.redacted(), flink, change)
        .await?;
    Ok(output)
}

/// Sends a Flink statement as it is and reads its result; after a
/// statement that changes the catalog, the session's listing of it is
/// stale.
pub async fn forward(
    state: &mut SessionState,
    parsed: &ParsedStatement,
    flink: &FlinkStatement,
) -> Result<StatementOutput> {
    let settings = state.vars.settings().clone();
    let session = state.flink()?;
    let options = statement_options(session, &settings, parsed, flink);
    let text = flink.forwardable(&parsed.text);
    let (result, notices) = run(session, text, flink.tag.clone(), options).await?;
    if flink.changes_catalog() {
        state.flink_catalog_listed = false;
        state.engine.forget_catalog_results();
    }
    Ok(StatementOutput {
        result,
        notices,
        more: Vec::new(),
    })
}
