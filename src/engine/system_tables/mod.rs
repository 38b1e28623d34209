//! The gateway's own objects as tables in schema `scaleph`. Each kind is a
//! [`SystemTable`]: a name, an Arrow schema and a way to read its rows from
//! the store at scan time, so queries always see the current state.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use crate::catalog::{OptionSpec, OptionType, Registry};
use crate::result::{QueryResult, text_batch};
use crate::store::Store;

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

/// `scaleph.datasources`: every datasource, secrets masked.
#[derive(Debug)]
struct Datasources;

fn timestamp_utc() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

#[async_trait]
impl SystemTable for Datasources {
    fn name(&self) -> &'static str {
        "datasources"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("type", DataType::Utf8, false),
            Field::new("options", DataType::Utf8, false),
            Field::new("comment", DataType::Utf8, true),
            Field::new("created_at", timestamp_utc(), false),
            Field::new("updated_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_datasources().await?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|d| d.name.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|d| d.datasource_type.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|d| d.masked_options_json()),
            )),
            Arc::new(StringArray::from_iter(
                rows.iter().map(|d| d.comment.as_deref()),
            )),
            utc_array(rows.iter().map(|d| d.created_at)),
            utc_array(rows.iter().map(|d| d.updated_at)),
        ];
        RecordBatch::try_new(self.schema(), columns)
            .map_err(|e| crate::error::Error::internal(e.to_string()))
    }
}

/// A column of UTC timestamps.
fn utc_array(at: impl Iterator<Item = chrono::DateTime<chrono::Utc>>) -> ArrayRef {
    Arc::new(
        TimestampMicrosecondArray::from_iter_values(at.map(|t| t.timestamp_micros()))
            .with_timezone("UTC"),
    )
}

/// `scaleph.catalogs`: the Flink catalogs scaleph creates in every Flink
/// session, their definitions with secrets masked.
#[derive(Debug)]
struct Catalogs;

#[async_trait]
impl SystemTable for Catalogs {
    fn name(&self) -> &'static str {
        "catalogs"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("type", DataType::Utf8, true),
            Field::new("definition", DataType::Utf8, false),
            Field::new("created_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_flink_catalogs().await?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|c| c.name.as_str()),
            )),
            Arc::new(StringArray::from_iter(
                rows.iter().map(|c| c.catalog_type.as_deref()),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|c| c.shown.as_str()),
            )),
            utc_array(rows.iter().map(|c| c.created_at)),
        ];
        RecordBatch::try_new(self.schema(), columns)
            .map_err(|e| crate::error::Error::internal(e.to_string()))
    }
}

/// `scaleph.connectors`: the jars scaleph adds to every Flink session.
#[derive(Debug)]
struct Connectors;

#[async_trait]
impl SystemTable for Connectors {
    fn name(&self) -> &'static str {
        "connectors"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("created_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_jars().await?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|j| j.name.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|j| j.source.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|_| "jar"))),
            utc_array(rows.iter().map(|j| j.created_at)),
        ];
        RecordBatch::try_new(self.schema(), columns)
            .map_err(|e| crate::error::Error::internal(e.to_string()))
    }
}

/// `scaleph.datasource_types`: the type registry.
#[derive(Debug)]
struct DatasourceTypes(Arc<Registry>);

#[async_trait]
impl SystemTable for DatasourceTypes {
    fn name(&self) -> &'static str {
        "datasource_types"
    }

    fn schema(&self) -> SchemaRef {
        QueryResult::text_schema(&["name", "title", "category", "connectivity", "description"])
    }

    async fn batch(&self, _store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows: Vec<Vec<String>> = self
            .0
            .types()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.title.clone(),
                    format!("{:?}", t.category).to_lowercase(),
                    format!("{:?}", t.connectivity).to_lowercase(),
                    t.description.clone(),
                ]
            })
            .collect();
        text_batch(self.schema(), &rows)
    }
}

/// `scaleph.datasource_options`: every option of every type.
#[derive(Debug)]
struct DatasourceOptions(Arc<Registry>);

#[async_trait]
impl SystemTable for DatasourceOptions {
    fn name(&self) -> &'static str {
        "datasource_options"
    }

    fn schema(&self) -> SchemaRef {
        let mut columns = vec!["datasource_type"];
        columns.extend(OPTION_COLUMNS);
        QueryResult::text_schema(&columns)
    }

    async fn batch(&self, _store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows: Vec<Vec<String>> = self
            .0
            .types()
            .flat_map(|t| {
                t.options.iter().map(|o| {
                    let mut row = vec![t.name.clone()];
                    row.extend(option_row(o));
                    row
                })
            })
            .collect();
        text_batch(self.schema(), &rows)
    }
}

/// The columns describing one option (`DESCRIBE DATASOURCE TYPE` shows
/// these; `scaleph.datasource_options` adds the type first).
pub const OPTION_COLUMNS: [&str; 7] = [
    "group",
    "option",
    "type",
    "required",
    "default",
    "secret",
    "description",
];

/// One option as the text of [`OPTION_COLUMNS`]; enum values and int
/// ranges are part of the type column.
pub fn option_row(o: &OptionSpec) -> Vec<String> {
    let value_type = match o.value_type {
        OptionType::Enum => format!("enum({})", o.values.join("|")),
        OptionType::Int if o.min.is_some() || o.max.is_some() => format!(
            "int({}..{})",
            o.min.map(|m| m.to_string()).unwrap_or_default(),
            o.max.map(|m| m.to_string()).unwrap_or_default()
        ),
        other => other.as_str().to_string(),
    };
    vec![
        o.group.as_str().to_string(),
        o.name.clone(),
        value_type,
        o.required.to_string(),
        o.default.clone().unwrap_or_default(),
        o.secret.to_string(),
        o.description.clone(),
    ]
}

/// Every system table.
fn system_tables(registry: Arc<Registry>) -> Vec<Arc<dyn SystemTable>> {
    vec![
        Arc::new(Datasources),
        Arc::new(Catalogs),
        Arc::new(Connectors),
        Arc::new(DatasourceTypes(registry.clone())),
        Arc::new(DatasourceOptions(registry)),
    ]
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
