//! Jobs. Until scaleph runs jobs itself (the jobs issue), `SHOW JOBS` is
//! Flink's own statement, forwarded to the Flink session; every other job
//! statement answers 0A000 "not supported yet" by name.

use super::{SessionState, Shape, not_supported_yet};
use crate::error::{Error, Result};
use crate::result::StatementOutput;
use crate::sql::ParsedStatement;
use crate::sql::ast::{FlinkStatement, JobStatement, ObjectStatement, ShowObjects};
use crate::sql::classify::classify_text;

/// Flink's `SHOW JOBS`, when `statement` is it.
fn flink_show_jobs(statement: &JobStatement) -> Option<FlinkStatement> {
    match statement {
        JobStatement::Object(ObjectStatement::Show(ShowObjects { like: None, .. })) => {
            Some(classify_text("SHOW JOBS"))
        }
        _ => None,
    }
}

/// The shape of a job statement's result.
pub fn describe(statement: &JobStatement) -> Result<Shape> {
    match flink_show_jobs(statement) {
        Some(_) => Ok(Shape::RunToKnow),
        None => Err(unsupported(statement)),
    }
}

/// Runs a job statement.
pub async fn execute(
    state: &mut SessionState,
    parsed: &ParsedStatement,
    statement: &JobStatement,
) -> Result<StatementOutput> {
    match flink_show_jobs(statement) {
        Some(show) => super::flink::execute(state, parsed, &show).await,
        None => Err(unsupported(statement)),
    }
}

fn unsupported(statement: &JobStatement) -> Error {
    match statement {
        JobStatement::Object(object) => not_supported_yet(&object.family()),
        JobStatement::Create(_) => not_supported_yet("CREATE JOB"),
        JobStatement::ShowSavepoints(_) => not_supported_yet("SHOW SAVEPOINTS"),
    }
}
