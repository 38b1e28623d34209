//! The families whose statements parse and are checked today but run in a
//! later issue: syncs, connectors and schedules. Each statement
//! answers 0A000 "not supported yet: CREATE SYNC" by name, never a silent
//! success. When a family lands, its arm in [`super::execute`] moves to a
//! module of its own, as `datasource`, `job` and `cluster` have.

use crate::error::Error;
use crate::sql::Statement;

/// 0A000 naming the statement (`not supported yet: START SYNC`).
pub fn not_supported(statement: &Statement) -> Error {
    super::not_supported_yet(&statement.family())
}
