//! `scaleph.connectors`: the connector jars `ADD JAR` registered.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{SystemTable, record_batch, text_array, timestamp_utc, utc_array};
use crate::store::Store;

/// `scaleph.connectors`: the jars scaleph adds to every Flink session.
#[derive(Debug)]
pub struct Connectors;

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
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|j| j.name.as_str())),
                text_array(rows.iter().map(|j| j.source.as_str())),
                text_array(rows.iter().map(|_| "jar")),
                utc_array(rows.iter().map(|j| j.created_at)),
            ],
        )
    }
}
