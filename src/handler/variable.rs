//! `SET`, `SHOW` and `RESET` of session variables. A Flink property (a
//! dotted key that is neither PostgreSQL's nor scaleph's) also goes to the
//! Flink session, so that what a user sets is what Flink runs with.

use arrow::datatypes::SchemaRef;

use super::{SessionState, Shape};
use crate::error::Result;
use crate::result::{QueryResult, StatementOutput};
use crate::settings::is_flink_key;
use crate::sql::ast::{ResetVariable, SetValue, SetVariable, ShowVariable, VariableStatement};

/// The shape of a variable statement's result: `SHOW` gives rows.
pub fn describe(statement: &VariableStatement) -> Shape {
    match statement {
        VariableStatement::Show(show) => Shape::rows(Some(show_schema(show))),
        VariableStatement::Set(_) | VariableStatement::Reset(_) => Shape::rows(None),
    }
}

/// Runs a variable statement.
pub async fn execute(
    state: &mut SessionState,
    statement: &VariableStatement,
) -> Result<StatementOutput> {
    match statement {
        VariableStatement::Set(set) => set_variable(state, set).await,
        VariableStatement::Show(show) => show_variable(state, show),
        VariableStatement::Reset(reset) => reset_variable(state, reset).await,
    }
}

/// `SET`: a Flink property also goes to the Flink session.
async fn set_variable(state: &mut SessionState, set: &SetVariable) -> Result<StatementOutput> {
    let flink = state.flink.as_mut().filter(|_| is_flink_key(&set.name));
    match &set.value {
        SetValue::Value(value) => {
            if let Some(flink) = flink {
                flink.set(&set.name, value).await?;
            }
            state.vars.set(&set.name, value)?;
        }
        SetValue::Default => {
            if let Some(flink) = flink {
                flink.reset(Some(&set.name)).await?;
            }
            state.vars.reset(&set.name);
        }
    }
    follow_time_zone(state).await?;
    Ok(QueryResult::command("SET").into())
}

/// The Flink session zone follows the client's `TimeZone` (a no-op when it
/// did not change).
async fn follow_time_zone(state: &mut SessionState) -> Result<()> {
    if let Some(flink) = state.flink.as_mut() {
        flink
            .set_client_zone(&state.vars.require("TimeZone")?)
            .await?;
    }
    Ok(())
}

/// `RESET`: Flink properties are reset in the Flink session too.
async fn reset_variable(
    state: &mut SessionState,
    reset: &ResetVariable,
) -> Result<StatementOutput> {
    match &reset.name {
        Some(name) => {
            if let Some(flink) = state.flink.as_mut().filter(|_| is_flink_key(name)) {
                flink.reset(Some(name)).await?;
            }
            state.vars.reset(name);
        }
        None => {
            if let Some(flink) = state.flink.as_mut() {
                flink.reset(None).await?;
            }
            state.vars.reset_all();
        }
    }
    follow_time_zone(state).await?;
    Ok(QueryResult::command("RESET").into())
}

fn show_columns(show: &ShowVariable) -> Vec<&str> {
    match &show.name {
        Some(name) => vec![name],
        None => vec!["name", "setting", "description"],
    }
}

fn show_schema(show: &ShowVariable) -> SchemaRef {
    QueryResult::text_schema(&show_columns(show))
}

fn show_variable(state: &SessionState, show: &ShowVariable) -> Result<StatementOutput> {
    let rows: Vec<Vec<String>> = match &show.name {
        Some(name) => vec![vec![state.vars.require(name)?]],
        None => state
            .vars
            .all()
            .into_iter()
            .map(|(name, setting, description)| vec![name, setting, description])
            .collect(),
    };
    Ok(QueryResult::text_rows(&show_columns(show), &rows)?.into())
}
