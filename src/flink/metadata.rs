//! What a Flink catalog holds, asked from the Flink SQL Gateway: its
//! databases, their tables and views, and each one's columns — what
//! psql's `\dt`, JDBC's `getTables` and BI tools browse, shown through
//! the local engine's pg_catalog as schemas and tables.
//!
//! A listing costs `1 + 2 × databases + relations` statements (SHOW
//! CATALOGS, SHOW DATABASES FROM, per database SHOW TABLES FROM and SHOW
//! VIEWS FROM, per relation DESCRIBE). The session keeps the listing
//! until DDL changes the catalog.
//!
//! `SHOW DATABASES FROM` came with Flink 1.19 and `SHOW VIEWS FROM` with
//! 2.0: on older gateways the catalog is listed from inside — `USE
//! CATALOG`, `SHOW DATABASES`, per database `USE` and `SHOW TABLES` /
//! `SHOW VIEWS` — in the user's own Flink session (a separate one would
//! not see the catalogs and temporary objects this one created), and the
//! current catalog and database are restored afterwards, whether the
//! listing succeeded or not.
//!
//! The statements run one after the other: Flink runs one operation per
//! session at a time (the others wait in PENDING and are polled), so
//! concurrent DESCRIBEs would only add polling.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use futures::TryStreamExt;

use super::fetch::{ReadOptions, read_result};
use super::result::{FlinkColumn, FlinkType};
use super::session::{FlinkSession, quote_identifier};
use super::{GatewayClient, GatewayError};
use crate::error::{Error, Result};
use crate::result::{Notice, QueryResult};

/// One Flink catalog, as the pg catalogs show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogListing {
    /// The catalog listed.
    pub catalog: String,
    /// The name of Flink's built-in catalog (pg database `scaleph`).
    pub builtin_catalog: String,
    /// Every catalog the Flink session knows (the pg databases).
    pub catalogs: Vec<String>,
    /// The catalog's databases (the pg schemas).
    pub databases: Vec<DatabaseListing>,
}

/// One Flink database.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatabaseListing {
    /// Its name.
    pub name: String,
    /// Its tables and views, by name.
    pub relations: Vec<RelationListing>,
}

/// One Flink table or view.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationListing {
    /// Its name.
    pub name: String,
    /// Whether it is a view.
    pub view: bool,
    /// Its columns, in order.
    pub columns: Vec<FlinkColumn>,
}

/// The rows of Flink's own `SHOW JOBS` in the session (job id, job name,
/// status, start time): the jobs of the SQL Gateway's cluster, as text.
pub async fn show_jobs(
    flink: &mut FlinkSession,
    notices: &mut Vec<Notice>,
) -> Result<Vec<Vec<Option<String>>>> {
    let session = flink.handle(notices).await?;
    let asker = Asker {
        client: flink.client().clone(),
        session,
    };
    asker.rows("SHOW JOBS").await
}

/// Lists the catalog the session started in (the pg database).
pub async fn list_catalog(
    flink: &mut FlinkSession,
    notices: &mut Vec<Notice>,
) -> Result<CatalogListing> {
    let session = flink.handle(notices).await?;
    let catalog = flink.start_catalog().to_string();
    let asker = Asker {
        client: flink.client().clone(),
        session,
    };
    let catalogs = asker.strings("SHOW CATALOGS", 0).await?;
    let qualified = asker
        .client
        .lists_by_qualified_name()
        .await
        .map_err(GatewayError::into_error)?;
    let databases = if qualified {
        asker.databases_by_name(&catalog).await?
    } else {
        let current_catalog = asker.strings("SHOW CURRENT CATALOG", 0).await?;
        let current_database = asker.strings("SHOW CURRENT DATABASE", 0).await?;
        let listed = asker.databases_from_inside(&catalog).await;
        // Back where the user was, even when the listing failed.
        if let (Some(catalog), Some(database)) = (current_catalog.first(), current_database.first())
        {
            let back = format!(
                "USE {}.{}",
                quote_identifier(catalog),
                quote_identifier(database)
            );
            asker.rows(&back).await?;
        }
        listed?
    };
    Ok(CatalogListing {
        catalog,
        builtin_catalog: flink.builtin_catalog().to_string(),
        catalogs,
        databases,
    })
}

/// Runs scaleph's own metadata statements in one Flink session.
struct Asker {
    client: Arc<GatewayClient>,
    session: Arc<str>,
}

impl Asker {
    /// The databases of `catalog` by qualified names (Flink 2.0 and later).
    async fn databases_by_name(&self, catalog: &str) -> Result<Vec<DatabaseListing>> {
        let catalog = quote_identifier(catalog);
        let names = self
            .strings(&format!("SHOW DATABASES FROM {catalog}"), 0)
            .await?;
        let mut databases = Vec::with_capacity(names.len());
        for name in names {
            let qualified = format!("{catalog}.{}", quote_identifier(&name));
            let tables = self
                .strings(&format!("SHOW TABLES FROM {qualified}"), 0)
                .await?;
            let views = self
                .strings(&format!("SHOW VIEWS FROM {qualified}"), 0)
                .await?;
            databases.push(self.database(name, &qualified, tables, &views).await?);
        }
        Ok(databases)
    }

    /// The databases of `catalog` listed from inside it (before Flink
    /// 2.0): changes the session's current catalog and database.
    async fn databases_from_inside(&self, catalog: &str) -> Result<Vec<DatabaseListing>> {
        let catalog = quote_identifier(catalog);
        self.rows(&format!("USE CATALOG {catalog}")).await?;
        let names = self.strings("SHOW DATABASES", 0).await?;
        let mut databases = Vec::with_capacity(names.len());
        for name in names {
            let qualified = format!("{catalog}.{}", quote_identifier(&name));
            self.rows(&format!("USE {qualified}")).await?;
            let tables = self.strings("SHOW TABLES", 0).await?;
            let views = self.strings("SHOW VIEWS", 0).await?;
            databases.push(self.database(name, &qualified, tables, &views).await?);
        }
        Ok(databases)
    }

    /// Database `name` (`qualified`) with its `tables` (views among them,
    /// as Flink's SHOW TABLES lists them) described one by one.
    async fn database(
        &self,
        name: String,
        qualified: &str,
        tables: Vec<String>,
        views: &[String],
    ) -> Result<DatabaseListing> {
        let mut relations = Vec::with_capacity(tables.len());
        for table in tables {
            let columns = self
                .describe(&format!("{qualified}.{}", quote_identifier(&table)))
                .await?;
            relations.push(RelationListing {
                view: views.contains(&table),
                name: table,
                columns,
            });
        }
        Ok(DatabaseListing { name, relations })
    }

    /// The rows of `statement`, every column as text.
    async fn rows(&self, statement: &str) -> Result<Vec<Vec<Option<String>>>> {
        let operation = self
            .client
            .execute(&self.session, statement)
            .await
            .map_err(GatewayError::into_error)?;
        let result = read_result(
            self.client.clone(),
            (self.session.clone(), operation),
            chrono_tz::Tz::UTC,
            ReadOptions::plain(),
            String::new(),
        )
        .await?;
        let QueryResult::Rows { batches, .. } = result else {
            return Ok(Vec::new());
        };
        let batches: Vec<RecordBatch> = batches.try_collect().await?;
        let mut rows = Vec::new();
        for batch in &batches {
            let columns = batch
                .columns()
                .iter()
                .map(|column| arrow::compute::cast(column, &DataType::Utf8))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| {
                    Error::internal(format!("a Flink metadata column: {e}")).with_source(e)
                })?;
            for row in 0..batch.num_rows() {
                rows.push(
                    columns
                        .iter()
                        .map(|column| {
                            let text = column.as_string::<i32>();
                            (!text.is_null(row)).then(|| text.value(row).to_string())
                        })
                        .collect(),
                );
            }
        }
        Ok(rows)
    }

    /// Column `index` of the rows of `statement`, NULLs left out.
    async fn strings(&self, statement: &str, index: usize) -> Result<Vec<String>> {
        Ok(self
            .rows(statement)
            .await?
            .into_iter()
            .filter_map(|mut row| {
                (index < row.len())
                    .then(|| row.swap_remove(index))
                    .flatten()
            })
            .collect())
    }

    /// The columns `DESCRIBE` shows for `relation`: name, type, nullability.
    async fn describe(&self, relation: &str) -> Result<Vec<FlinkColumn>> {
        Ok(self
            .rows(&format!("DESCRIBE {relation}"))
            .await?
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let name = row.next()??;
                let (flink_type, nullable_in_type) = FlinkType::from_summary(&row.next()??);
                let nullable = match row.next().flatten().as_deref() {
                    Some("false") => false,
                    Some(_) => true,
                    None => nullable_in_type,
                };
                Some(FlinkColumn {
                    name,
                    flink_type,
                    nullable,
                })
            })
            .collect())
    }
}
