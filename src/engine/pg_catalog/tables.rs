//! Catalog relations clients read that neither DataFusion nor
//! datafusion-pg-catalog provide, or provide in a shape queries cannot
//! use: `information_schema`'s constraint tables and PostgreSQL's columns
//! of `information_schema.columns` ([`information_schema`]), and
//! `pg_catalog` views and tables scaleph keeps empty ([`pg_catalog`]),
//! `pg_attribute` with type modifiers ([`pg_attribute`]), and
//! `pg_database` with only the databases a client can connect to
//! ([`pg_database`]).
//! Each is an [`ExtendedSchema`]: a schema provider answering from the one
//! it wraps, with tables added or amended.

mod information_schema;
mod pg_attribute;
mod pg_catalog;
mod pg_database;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider, Session, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::datasource::empty::EmptyTable;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;

pub use information_schema::information_schema;
pub use pg_attribute::{TYPE_OID_KEY, TYPMOD_KEY};

/// The name of PostgreSQL's `information_schema`.
pub const INFORMATION_SCHEMA: &str = "information_schema";

/// A table of `schema` built from another: the wrapped schema's table of
/// the same name, and the wrapped schema (for the tables it reads too).
type Amendment =
    fn(Arc<dyn TableProvider>, Arc<dyn SchemaProvider>) -> DfResult<Arc<dyn TableProvider>>;

/// A schema answering from `inner`, with tables of its own added and some
/// of `inner`'s amended.
#[derive(Debug)]
pub struct ExtendedSchema {
    inner: Arc<dyn SchemaProvider>,
    added: BTreeMap<&'static str, Arc<dyn TableProvider>>,
    amended: BTreeMap<&'static str, Amendment>,
}

impl ExtendedSchema {
    /// `inner` with the tables `added` (names in lower case) and the
    /// tables named in `amended` replaced by what their amendment makes of
    /// them.
    fn new(
        inner: Arc<dyn SchemaProvider>,
        added: impl IntoIterator<Item = (&'static str, Arc<dyn TableProvider>)>,
        amended: impl IntoIterator<Item = (&'static str, Amendment)>,
    ) -> ExtendedSchema {
        ExtendedSchema {
            inner,
            added: added.into_iter().collect(),
            amended: amended.into_iter().collect(),
        }
    }
}

#[async_trait]
impl SchemaProvider for ExtendedSchema {
    fn table_names(&self) -> Vec<String> {
        let mut names = self.inner.table_names();
        names.extend(self.added.keys().map(|name| name.to_string()));
        names
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        let lower = name.to_ascii_lowercase();
        if let Some(table) = self.added.get(lower.as_str()) {
            return Ok(Some(table.clone()));
        }
        let Some(table) = self.inner.table(name).await? else {
            return Ok(None);
        };
        match self.amended.get(lower.as_str()) {
            Some(amend) => amend(table, self.inner.clone()).map(Some),
            None => Ok(Some(table)),
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.added.contains_key(name.to_ascii_lowercase().as_str()) || self.inner.table_exist(name)
    }
}

/// How a catalog table read whole changes its rows, at each scan (with the
/// scanning session, for what they depend on).
#[async_trait]
trait RowAmendment: std::fmt::Debug + Send + Sync + 'static {
    /// `batches` (every row of the wrapped table) amended.
    async fn amend(
        &self,
        batches: Vec<RecordBatch>,
        state: &dyn Session,
    ) -> DfResult<Vec<RecordBatch>>;
}

/// A table whose rows are `inner`'s after `amendment`.
#[derive(Debug)]
struct AmendedRows<A> {
    inner: Arc<dyn TableProvider>,
    amendment: A,
}

/// `inner` with its rows changed by `amendment` at each scan.
fn amended_rows(
    inner: Arc<dyn TableProvider>,
    amendment: impl RowAmendment,
) -> Arc<dyn TableProvider> {
    Arc::new(AmendedRows { inner, amendment })
}

/// Every row of `table`.
async fn rows(table: &Arc<dyn TableProvider>, state: &dyn Session) -> DfResult<Vec<RecordBatch>> {
    let plan = table.scan(state, None, &[], None).await?;
    datafusion::physical_plan::collect(plan, state.task_ctx()).await
}

#[async_trait]
impl<A: RowAmendment> TableProvider for AmendedRows<A> {
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
        let batches = rows(&self.inner, state).await?;
        let batches = self.amendment.amend(batches, state).await?;
        MemTable::try_new(self.schema(), vec![batches])?
            .scan(state, projection, filters, limit)
            .await
    }
}

/// An always-empty table of `columns` (all nullable).
fn empty_table(columns: &[(&str, DataType)]) -> Arc<dyn TableProvider> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, data_type)| Field::new(*name, data_type.clone(), true))
        .collect();
    Arc::new(EmptyTable::new(Arc::new(Schema::new(fields))))
}

/// The type of a PostgreSQL array of `element`s.
fn array_of(element: DataType) -> DataType {
    DataType::new_list(element, true)
}

/// Wraps the `pg_catalog` schema datafusion-pg-catalog registered in the
/// catalog `database` of `context` with scaleph's additions; does nothing
/// when there is none.
pub fn extend_pg_catalog(context: &SessionContext, database: &str) -> DfResult<()> {
    let Some(catalog) = context.catalog(database) else {
        return Ok(());
    };
    extend_pg_catalog_of(catalog.as_ref())
}

fn extend_pg_catalog_of(catalog: &dyn CatalogProvider) -> DfResult<()> {
    if let Some(inner) = catalog.schema(pg_catalog::PG_CATALOG) {
        catalog.register_schema(
            pg_catalog::PG_CATALOG,
            Arc::new(pg_catalog::extended(inner)),
        )?;
    }
    Ok(())
}

/// What the tests of the catalog tables and functions share.
#[cfg(test)]
pub(super) mod test_support {
    use datafusion::prelude::SessionContext;

    /// `context` with datafusion-pg-catalog's `pg_catalog` in its
    /// catalog `datafusion`, extended by scaleph.
    pub fn with_pg_catalog(context: SessionContext) -> SessionContext {
        datafusion_pg_catalog::setup_pg_catalog(
            &context,
            "datafusion",
            datafusion_pg_catalog::pg_catalog::context::EmptyContextProvider,
        )
        .unwrap();
        super::extend_pg_catalog(&context, "datafusion").unwrap();
        context
    }

    /// The answer to `sql`, as a text table.
    pub async fn answer(context: &SessionContext, sql: &str) -> String {
        let batches = context.sql(sql).await.unwrap().collect().await.unwrap();
        arrow::util::pretty::pretty_format_batches(&batches)
            .unwrap()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use datafusion::catalog::MemorySchemaProvider;

    use super::*;

    #[tokio::test]
    async fn added_tables_come_first_and_amendments_apply() {
        let inner = MemorySchemaProvider::new();
        inner
            .register_table("kept".into(), empty_table(&[("a", DataType::Int32)]))
            .unwrap();
        inner
            .register_table("changed".into(), empty_table(&[("a", DataType::Utf8)]))
            .unwrap();
        fn retype(
            _: Arc<dyn TableProvider>,
            _: Arc<dyn SchemaProvider>,
        ) -> DfResult<Arc<dyn TableProvider>> {
            Ok(empty_table(&[("a", DataType::Int64)]))
        }
        let schema = ExtendedSchema::new(
            Arc::new(inner),
            [("extra", empty_table(&[("b", DataType::Boolean)]))],
            [("changed", retype as Amendment)],
        );
        let mut names = schema.table_names();
        names.sort();
        assert_eq!(names, ["changed", "extra", "kept"]);
        assert!(schema.table_exist("EXTRA") && schema.table_exist("kept"));
        assert!(!schema.table_exist("missing"));
        let type_of = |table: Arc<dyn TableProvider>| table.schema().field(0).data_type().clone();
        assert_eq!(
            type_of(schema.table("extra").await.unwrap().unwrap()),
            DataType::Boolean
        );
        assert_eq!(
            type_of(schema.table("kept").await.unwrap().unwrap()),
            DataType::Int32
        );
        assert_eq!(
            type_of(schema.table("changed").await.unwrap().unwrap()),
            DataType::Int64
        );
        assert!(schema.table("missing").await.unwrap().is_none());
    }
}
