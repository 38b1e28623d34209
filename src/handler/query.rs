//! Queries: answered by the local engine when every table they read is
//! scaleph's own (`scaleph.*`, `pg_catalog`, `information_schema`) or they
//! read none, otherwise forwarded to Flink as the Flink query they were
//! classified as. The route is decided here, after parsing: the parser
//! knows nothing of the engine.
//!
//! Before a catalog query the Flink catalog of the session's database is
//! listed into the engine, the first time, after DDL, and after another
//! connection changed the shared default catalog, so that psql's `\dt` and
//! every BI tool's browsing see Flink's tables, whoever created them.

use datafusion::scalar::ScalarValue;

use super::{SessionState, Shape};
use crate::error::{Result, SqlState};
use crate::result::{Notice, StatementOutput};
use crate::sql::ParsedStatement;
use crate::sql::ast::{FlinkStatementKind, Query, Statement};
use crate::sql::parser::is_query;

/// The shape of a query's result: the local engine's plan, or Flink's.
pub async fn describe(state: &mut SessionState, query: &Query) -> Result<Shape> {
    if !state.engine.answers(&query.ast) {
        return Ok(super::flink::describe(state, &query.flink));
    }
    list_flink_catalog(state, &query.ast).await;
    Ok(Shape::Known(state.engine.describe(&query.ast).await?))
}

/// Runs a query, locally or on Flink.
pub async fn execute(
    state: &mut SessionState,
    parsed: &ParsedStatement,
    query: &Query,
    params: Vec<ScalarValue>,
) -> Result<StatementOutput> {
    if !state.engine.answers(&query.ast) {
        return super::flink::execute(state, parsed, &query.flink).await;
    }
    let notices = list_flink_catalog(state, &query.ast).await;
    let mut output: StatementOutput = state.engine.execute(&query.ast, params).await?.into();
    output.notices.extend(notices);
    Ok(output)
}

/// A query in PostgreSQL's own dialect on the catalog schemas, as psql and
/// JDBC send them (`OPERATOR(pg_catalog.~)`, `COLLATE`, `::regclass`),
/// which sqlparser's generic dialect cannot read and so was classified as
/// Flink SQL: parsed and rewritten by the engine's compatibility parser
/// into a [`Statement::Query`] the local engine answers. Anything else —
/// including a COPY's query — is left as it is. Done once per parse (the
/// session keeps parsed scripts), not per execution.
pub fn resolve_catalog_query(statement: &mut Statement, text: &str) {
    match statement {
        Statement::Flink(flink)
            if matches!(
                flink.kind,
                FlinkStatementKind::Query | FlinkStatementKind::Show
            ) =>
        {
            // Flink SQL that sqlparser cannot read is common; parse it a
            // second time only when it names the catalogs.
            if !crate::engine::looks_like_catalog_query(&text.to_ascii_lowercase()) {
                return;
            }
            let Some(mut parsed) = crate::engine::parse_catalog_query(text) else {
                return;
            };
            if parsed.len() == 1 && is_query(&parsed[0]) && crate::engine::is_local(&parsed[0]) {
                *statement = Statement::Query(Query {
                    ast: Box::new(parsed.remove(0)),
                    flink: flink.clone(),
                });
            }
        }
        Statement::CopyTo(copy) => resolve_catalog_query(&mut copy.query, &copy.text),
        _ => {}
    }
}

/// Before a catalog query: the Flink catalog of the session's database
/// listed into the engine, the first time and after DDL. When Flink
/// cannot list it, the query still answers, from what scaleph has, with
/// a warning.
async fn list_flink_catalog(
    state: &mut SessionState,
    query: &sqlparser::ast::Statement,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    if !crate::engine::is_catalog_query(query) {
        return notices;
    }
    let Some(flink) = state.flink.as_mut() else {
        return notices;
    };
    if state.flink_catalog_listed {
        match flink.catch_up(&mut notices).await {
            Ok(false) => return notices,
            Ok(true) => {
                state.flink_catalog_listed = false;
                state.engine.forget_catalog_results();
            }
            // The listing kept is shown; listing again would fail the same way.
            Err(err) => {
                notices.push(unlisted(&err));
                return notices;
            }
        }
    }
    match crate::flink::metadata::list_catalog(flink, &mut notices).await {
        Ok(listing) => {
            state.engine.show_flink_catalog(&listing);
            state.flink_catalog_listed = true;
            flink.take_catalog_changed();
        }
        Err(err) => notices.push(unlisted(&err)),
    }
    notices
}

/// The warning for a Flink catalog that could not be listed.
fn unlisted(err: &crate::error::Error) -> Notice {
    Notice {
        severity: "WARNING",
        sqlstate: SqlState::WARNING,
        message: format!(
            "Flink's tables are not shown: the Flink catalog could not be listed: {}",
            err.message
        ),
    }
}
