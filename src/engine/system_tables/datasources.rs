//! `scaleph.datasources`: the datasources `CREATE DATASOURCE` made.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{SystemTable, nullable_text_array, record_batch, text_array, timestamp_utc, utc_array};
use crate::store::Store;

/// `scaleph.datasources`: every datasource, secrets masked.
#[derive(Debug)]
pub struct Datasources;

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
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|d| d.name.as_str())),
                text_array(rows.iter().map(|d| d.datasource_type.as_str())),
                text_array(rows.iter().map(|d| d.masked_options_json())),
                nullable_text_array(rows.iter().map(|d| d.comment.as_deref())),
                utc_array(rows.iter().map(|d| d.created_at)),
                utc_array(rows.iter().map(|d| d.updated_at)),
            ],
        )
    }
}
