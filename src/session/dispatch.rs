//! The one place that decides where a statement goes (DESIGN.md, "Where each
//! statement goes"). The `match`es are exhaustive on purpose: a new
//! statement kind does not compile until it is routed.

use std::sync::Arc;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::scalar::ScalarValue;

use super::{Description, Session};
use crate::error::{Error, Result, SqlState};
use crate::handler;
use crate::result::{QueryResult, StatementOutput};
use crate::sql::ParsedStatement;
use crate::sql::ast::{
    ResetVariable, SetValue, SetVariable, ShowVariable, Statement, TransactionCommand,
};

/// Parameter types and row schema of a statement.
pub(super) async fn describe(
    session: &mut Session,
    parsed: &ParsedStatement,
) -> Result<Description> {
    let schema = match &parsed.statement {
        Statement::Query(query) if session.engine.answers(query) => {
            return session.engine.describe(query).await;
        }
        Statement::ShowDatasources(show) => {
            return session
                .engine
                .describe_sql(&handler::datasource::show_datasources_query(show))
                .await;
        }
        Statement::ShowVariable(show) => Some(show_variable_schema(show)),
        Statement::Query(_) | Statement::Flink(_) => return Err(flink_unavailable(session)),
        Statement::CreateDatasource(_)
        | Statement::DropDatasource(_)
        | Statement::SetVariable(_)
        | Statement::ResetVariable(_)
        | Statement::Transaction(_) => None,
    };
    Ok(Description {
        param_types: Vec::new(),
        schema,
    })
}

/// Runs a statement.
pub(super) async fn execute(
    session: &mut Session,
    parsed: &ParsedStatement,
    params: Vec<ScalarValue>,
) -> Result<StatementOutput> {
    let context = session.context.clone();
    match &parsed.statement {
        Statement::CreateDatasource(create) => {
            handler::datasource::handle_create_datasource(&context, create).await
        }
        Statement::DropDatasource(drop) => {
            handler::datasource::handle_drop_datasource(&context, drop).await
        }
        Statement::ShowDatasources(show) => {
            let sql = handler::datasource::show_datasources_query(show);
            Ok(session.engine.execute_sql(&sql).await?.into())
        }
        Statement::SetVariable(set) => set_variable(session, set),
        Statement::ShowVariable(show) => show_variable(session, show),
        Statement::ResetVariable(reset) => reset_variable(session, reset),
        Statement::Transaction(command) => Ok(QueryResult::command(match command {
            TransactionCommand::Begin => "BEGIN",
            TransactionCommand::Commit => "COMMIT",
            TransactionCommand::Rollback => "ROLLBACK",
        })
        .into()),
        Statement::Query(query) if session.engine.answers(query) => {
            Ok(session.engine.execute(query, params).await?.into())
        }
        Statement::Query(_) | Statement::Flink(_) => Err(flink_unavailable(session)),
    }
}

/// The error for Flink SQL when no Flink SQL Gateway is reachable.
fn flink_unavailable(session: &Session) -> Error {
    match &session.context.config.flink_gateway {
        None => Error::new(
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            "this statement is Flink SQL and no Flink SQL Gateway is configured",
        )
        .with_hint(
            "start scaleph with --flink-gateway http://HOST:8083, set flink.gateway.url in scaleph.toml, \
             or set SCALEPH_FLINK_GATEWAY_URL; scaleph's own statements and queries on scaleph.* work without it",
        ),
        Some(url) => Error::not_supported(format!("forwarding Flink SQL to the Flink SQL Gateway at {url}")),
    }
}

fn set_variable(session: &mut Session, set: &SetVariable) -> Result<StatementOutput> {
    match &set.value {
        SetValue::Value(value) => session.vars.set(&set.name, value)?,
        SetValue::Default => session.vars.reset(&set.name),
    }
    Ok(QueryResult::command("SET").into())
}

fn reset_variable(session: &mut Session, reset: &ResetVariable) -> Result<StatementOutput> {
    match &reset.name {
        Some(name) => session.vars.reset(name),
        None => session.vars.reset_all(),
    }
    Ok(QueryResult::command("RESET").into())
}

fn show_variable_schema(show: &ShowVariable) -> Arc<Schema> {
    Arc::new(match &show.name {
        Some(name) => Schema::new(vec![Field::new(name, DataType::Utf8, false)]),
        None => Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("setting", DataType::Utf8, false),
            Field::new("description", DataType::Utf8, false),
        ]),
    })
}

fn show_variable(session: &Session, show: &ShowVariable) -> Result<StatementOutput> {
    let schema = show_variable_schema(show);
    let columns: Vec<Vec<String>> = match &show.name {
        Some(name) => vec![vec![session.vars.require(name)?]],
        None => {
            let all = session.vars.all();
            vec![
                all.iter().map(|r| r.0.clone()).collect(),
                all.iter().map(|r| r.1.clone()).collect(),
                all.iter().map(|r| r.2.clone()).collect(),
            ]
        }
    };
    let arrays = columns
        .into_iter()
        .map(|c| Arc::new(StringArray::from(c)) as arrow::array::ArrayRef)
        .collect();
    let batch =
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| Error::internal(e.to_string()))?;
    Ok(QueryResult::from_batches(schema, vec![batch]).into())
}
