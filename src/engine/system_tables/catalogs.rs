//! `scaleph.catalogs`: the Flink catalogs `CREATE CATALOG` registered,
//! and the datasource each made with `CREATE CATALOG ... FROM DATASOURCE`
//! came from (what `DROP DATASOURCE` must not break silently).

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{SystemTable, nullable_text_array, record_batch, text_array, timestamp_utc, utc_array};
use crate::store::Store;

/// `scaleph.catalogs`: the Flink catalogs scaleph creates in every Flink
/// session, their definitions with secrets masked.
#[derive(Debug)]
pub struct Catalogs;

#[async_trait]
impl SystemTable for Catalogs {
    fn name(&self) -> &'static str {
        "catalogs"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("type", DataType::Utf8, true),
            Field::new("datasource", DataType::Utf8, true),
            Field::new("definition", DataType::Utf8, false),
            Field::new("created_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_flink_catalogs().await?;
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|c| c.name.as_str())),
                nullable_text_array(rows.iter().map(|c| c.catalog_type.as_deref())),
                nullable_text_array(rows.iter().map(|c| c.datasource.as_deref())),
                text_array(rows.iter().map(|c| c.shown.as_str())),
                utc_array(rows.iter().map(|c| c.created_at)),
            ],
        )
    }
}
