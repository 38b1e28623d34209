//! DataFusion errors as scaleph errors: the right SQLSTATE and a message
//! without DataFusion's internal prefixes or backtraces.

use datafusion::common::SchemaError;
use datafusion::error::DataFusionError;

use crate::error::{Error, SqlState};

/// Maps a DataFusion error to an [`Error`] with a SQLSTATE.
pub fn map_error(err: DataFusionError) -> Error {
    let root = err.find_root();
    if let DataFusionError::External(inner) = root
        && let Some(ours) = inner.downcast_ref::<Error>()
    {
        return ours.clone();
    }
    let message = postgres_message(root.message().trim());
    let sqlstate = match root {
        DataFusionError::SQL(..) => SqlState::SYNTAX_ERROR,
        DataFusionError::SchemaError(schema_error, _) => match schema_error.as_ref() {
            SchemaError::FieldNotFound { .. } => SqlState::UNDEFINED_COLUMN,
            _ => SqlState::SYNTAX_ERROR,
        },
        DataFusionError::Plan(m) => plan_sqlstate(m),
        DataFusionError::NotImplemented(_) => SqlState::FEATURE_NOT_SUPPORTED,
        DataFusionError::ResourcesExhausted(_) => SqlState::INSUFFICIENT_RESOURCES,
        DataFusionError::ArrowError(arrow, _)
            if matches!(arrow.as_ref(), arrow::error::ArrowError::DivideByZero) =>
        {
            SqlState::DIVISION_BY_ZERO
        }
        DataFusionError::ArrowError(..) | DataFusionError::Execution(_) => {
            if message.to_lowercase().contains("divide by zero") {
                SqlState::DIVISION_BY_ZERO
            } else {
                SqlState::DATA_EXCEPTION
            }
        }
        _ => SqlState::INTERNAL_ERROR,
    };
    Error::new(sqlstate, message).with_source(err)
}

fn plan_sqlstate(message: &str) -> SqlState {
    let lower = message.to_lowercase();
    if lower.contains("table") && lower.contains("not found") {
        SqlState::UNDEFINED_TABLE
    } else if lower.contains("no field named")
        || lower.contains("column") && lower.contains("not found")
    {
        SqlState::UNDEFINED_COLUMN
    } else if lower.contains("invalid function")
        || lower.contains("function") && lower.contains("not found")
    {
        SqlState::UNDEFINED_FUNCTION
    } else if lower.contains("cannot be cast") || lower.contains("coerc") || lower.contains("type")
    {
        SqlState::DATATYPE_MISMATCH
    } else {
        SqlState::SYNTAX_ERROR
    }
}

/// DataFusion's wording where PostgreSQL's differs and clients or users
/// know PostgreSQL's: `table 'db.s.t' not found` -> `relation "s.t" does
/// not exist`.
fn postgres_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("table '")
        && let Some(name) = rest.strip_suffix("' not found")
    {
        let parts: Vec<&str> = name.split('.').collect();
        let shown = parts[parts.len().saturating_sub(2)..].join(".");
        return format!("relation \"{shown}\" does not exist");
    }
    message.to_string()
}
