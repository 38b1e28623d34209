//! `pg_database` listing only the databases a client can connect to: the
//! session's catalogs. datafusion-pg-catalog always adds a `postgres`
//! database, which scaleph refuses at connect (3D000) unless a Flink
//! catalog has that name; `\l` and DBeaver's database list would offer it.

use std::sync::Arc;

use arrow::array::{AsArray, BooleanArray, RecordBatch};
use arrow::compute::{cast, filter_record_batch};
use arrow::datatypes::{DataType, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::Result as DfResult;
use datafusion::execution::context::SessionState;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;

/// `pg_database` read from `inner`, without rows naming no catalog.
#[derive(Debug)]
pub struct ConnectableDatabases {
    inner: Arc<dyn TableProvider>,
}

impl ConnectableDatabases {
    /// `inner` without the databases the session has no catalog for.
    pub fn new(inner: Arc<dyn TableProvider>) -> ConnectableDatabases {
        ConnectableDatabases { inner }
    }
}

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
impl TableProvider for ConnectableDatabases {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let plan = self.inner.scan(state, None, &[], None).await?;
        let batches = datafusion::physical_plan::collect(plan, state.task_ctx()).await?;
        let batches = match state.as_any().downcast_ref::<SessionState>() {
            Some(session) => {
                let catalogs = session.catalog_list().catalog_names();
                batches
                    .iter()
                    .map(|batch| connectable(batch, &catalogs))
                    .collect::<DfResult<Vec<_>>>()?
            }
            None => batches,
        };
        MemTable::try_new(self.schema(), vec![batches])?
            .scan(state, projection, filters, limit)
            .await
    }
}
