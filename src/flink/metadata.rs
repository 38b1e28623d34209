//! What a Flink catalog holds, asked from the Flink SQL Gateway: its
//! databases, their tables and views, and each one's columns — what
//! psql's `\dt`, JDBC's `getTables` and BI tools browse, shown through
//! the local engine's pg_catalog as schemas and tables.
//!
//! A listing costs `1 + 2 × databases + relations` statements (SHOW
//! CATALOGS, SHOW DATABASES FROM, per database SHOW TABLES FROM and SHOW
//! VIEWS FROM, per relation DESCRIBE); the DESCRIBEs run a few at a time.
//! The session keeps the listing until DDL changes the catalog.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use futures::{StreamExt, TryStreamExt};

use super::fetch::{ReadOptions, read_result};
use super::result::{FlinkColumn, FlinkType};
use super::session::{FlinkSession, quote_identifier};
use super::{GatewayClient, GatewayError};
use crate::error::{Error, Result};
use crate::result::{Notice, QueryResult};

/// How many DESCRIBEs run at once.
const CONCURRENT_DESCRIBES: usize = 8;

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
    let quoted_catalog = quote_identifier(&catalog);
    let database_names = asker
        .strings(&format!("SHOW DATABASES FROM {quoted_catalog}"), 0)
        .await?;
    let mut databases = Vec::with_capacity(database_names.len());
    for database in database_names {
        let qualified = format!("{quoted_catalog}.{}", quote_identifier(&database));
        let tables = asker
            .strings(&format!("SHOW TABLES FROM {qualified}"), 0)
            .await?;
        let views = asker
            .strings(&format!("SHOW VIEWS FROM {qualified}"), 0)
            .await?;
        let relations = futures::stream::iter(tables)
            .map(|name| {
                let view = views.contains(&name);
                let described = format!("{qualified}.{}", quote_identifier(&name));
                let asker = &asker;
                async move {
                    let columns = asker.describe(&described).await?;
                    Ok::<_, Error>(RelationListing {
                        name,
                        view,
                        columns,
                    })
                }
            })
            .buffered(CONCURRENT_DESCRIBES)
            .try_collect()
            .await?;
        databases.push(DatabaseListing {
            name: database,
            relations,
        });
    }
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
