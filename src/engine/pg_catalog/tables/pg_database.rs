//! `pg_database` listing only the databases a client can connect to: the
//! session's catalogs. datafusion-pg-catalog always adds a `postgres`
//! database, which scaleph refuses at connect (3D000) unless a Flink
//! catalog has that name; `\l` and DBeaver's database list would offer it.

use arrow::array::{AsArray, BooleanArray, RecordBatch};
use arrow::compute::{cast, filter_record_batch};
use arrow::datatypes::DataType;
use async_trait::async_trait;
use datafusion::catalog::Session;
use datafusion::error::Result as DfResult;
use datafusion::execution::context::SessionState;

use super::RowAmendment;

/// `pg_database`'s rows without those naming no catalog of the session.
#[derive(Debug)]
pub struct ConnectableDatabases;

/// The rows of `batch` whose `datname` is in `catalogs`.
fn connectable(batch: &RecordBatch, catalogs: &[String]) -> DfResult<RecordBatch> {
    let Some(names) = batch.column_by_name("datname") else {
        return Ok(batch.clone());
    };
    let names = cast(names, &DataType::Utf8)?;
    let keep: BooleanArray = names
        .as_string::<i32>()
        .iter()
        .map(|name| Some(name.is_some_and(|name| catalogs.iter().any(|c| c == name))))
        .collect();
    Ok(filter_record_batch(batch, &keep)?)
}

#[async_trait]
impl RowAmendment for ConnectableDatabases {
    async fn amend(
        &self,
        batches: Vec<RecordBatch>,
        state: &dyn Session,
    ) -> DfResult<Vec<RecordBatch>> {
        let Some(session) = state.as_any().downcast_ref::<SessionState>() else {
            return Ok(batches);
        };
        let catalogs = session.catalog_list().catalog_names();
        batches
            .iter()
            .map(|batch| connectable(batch, &catalogs))
            .collect()
    }
}
