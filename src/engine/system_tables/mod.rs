//! The gateway's own objects as tables in schema `scaleph`. Each kind is a
//! [`SystemTable`]: a name, an Arrow schema and a way to read its rows from
//! the store at scan time, so queries always see the current state.
//!
//! One file per table; a new kind of object (jobs, syncs, runs, users)
//! adds its file and one line in `system_tables()`. What PostgreSQL
//! clients read about these tables (`pg_class`, `information_schema`) is
//! the pg_catalog emulation's, not theirs.

mod catalogs;
mod clusters;
mod connectors;
mod datasource_options;
mod datasource_types;
mod datasources;
mod flink_objects;
mod jobs;
mod syncs;

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use crate::catalog::Registry;
use crate::store::Store;

pub use datasource_options::{OPTION_COLUMNS, option_row};

/// The schema holding the system tables.
pub const SYSTEM_SCHEMA: &str = "scaleph";

/// One kind of gateway object exposed as a table.
#[async_trait]
pub trait SystemTable: Send + Sync + std::fmt::Debug {
    /// The table's name in schema `scaleph`.
    fn name(&self) -> &'static str;
    /// Its columns.
    fn schema(&self) -> SchemaRef;
    /// Its rows, read from the store now.
    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch>;
}

/// Every system table.
fn system_tables(registry: Arc<Registry>) -> Vec<Arc<dyn SystemTable>> {
    vec![
        Arc::new(datasources::Datasources),
        Arc::new(clusters::Clusters(registry.clone())),
        Arc::new(catalogs::Catalogs),
        Arc::new(connectors::Connectors),
        Arc::new(flink_objects::FlinkObjects),
        Arc::new(jobs::Jobs),
        Arc::new(jobs::Savepoints),
        Arc::new(jobs::JobEvents),
        Arc::new(syncs::Syncs),
        Arc::new(datasource_types::DatasourceTypes(registry.clone())),
        Arc::new(datasource_options::DatasourceOptions(registry)),
    ]
}

/// The type of a column of UTC timestamps.
fn timestamp_utc() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// A column of UTC timestamps.
fn utc_array(at: impl Iterator<Item = chrono::DateTime<chrono::Utc>>) -> ArrayRef {
    Arc::new(
        TimestampMicrosecondArray::from_iter_values(at.map(|t| t.timestamp_micros()))
            .with_timezone("UTC"),
    )
}

/// A column of UTC timestamps, `None` NULL.
fn nullable_utc_array(at: impl Iterator<Item = Option<chrono::DateTime<chrono::Utc>>>) -> ArrayRef {
    Arc::new(
        TimestampMicrosecondArray::from_iter(at.map(|t| t.map(|t| t.timestamp_micros())))
            .with_timezone("UTC"),
    )
}

/// A column of texts, none NULL.
fn text_array<T: AsRef<str>>(texts: impl Iterator<Item = T>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(texts))
}

/// A column of texts, `None` NULL.
fn nullable_text_array<T: AsRef<str>>(texts: impl Iterator<Item = Option<T>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(texts))
}

/// `columns` as the rows of a table of `schema`.
fn record_batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> crate::error::Result<RecordBatch> {
    RecordBatch::try_new(schema, columns)
        .map_err(|e| crate::error::Error::caused_by(crate::error::SqlState::INTERNAL_ERROR, e))
}

/// Schema `scaleph`, backed by the store.
pub struct SystemSchema {
    store: Arc<dyn Store>,
    tables: Vec<Arc<dyn SystemTable>>,
}

impl std::fmt::Debug for SystemSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemSchema")
            .field("tables", &self.tables)
            .finish()
    }
}

impl SystemSchema {
    /// The system schema reading from `store` and `registry`.
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>) -> SystemSchema {
        SystemSchema {
            store,
            tables: system_tables(registry),
        }
    }
}

#[async_trait]
impl SchemaProvider for SystemSchema {
    fn table_names(&self) -> Vec<String> {
        self.tables.iter().map(|t| t.name().to_string()).collect()
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.tables.iter().find(|t| t.name() == name).map(|table| {
            Arc::new(SystemTableProvider {
                table: table.clone(),
                store: self.store.clone(),
            }) as Arc<dyn TableProvider>
        }))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.tables.iter().any(|t| t.name() == name)
    }
}

/// A system table as DataFusion sees it.
struct SystemTableProvider {
    table: Arc<dyn SystemTable>,
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for SystemTableProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemTableProvider")
            .field("table", &self.table.name())
            .finish()
    }
}

#[async_trait]
impl TableProvider for SystemTableProvider {
    fn schema(&self) -> SchemaRef {
        self.table.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let batch = self
            .table
            .batch(self.store.as_ref())
            .await
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let exec =
            MemorySourceConfig::try_new_exec(&[vec![batch]], self.schema(), projection.cloned())?;
        Ok(exec)
    }
}
