//! `scaleph.flink_objects`: scaleph's shared default catalog, the
//! databases, tables, views and functions every Flink session gets.

use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{SystemTable, record_batch, text_array, timestamp_utc, utc_array};
use crate::store::Store;

/// `scaleph.flink_objects`: the objects of the shared default catalog,
/// in creation order (the order they are replayed in), each with the
/// statement that created it (secrets masked), the catalog version of its
/// last change, who created it and when.
#[derive(Debug)]
pub struct FlinkObjects;

#[async_trait]
impl SystemTable for FlinkObjects {
    fn name(&self) -> &'static str {
        "flink_objects"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("database", DataType::Utf8, false),
            Field::new("name", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("definition", DataType::Utf8, false),
            Field::new("version", DataType::Int64, false),
            Field::new("creator", DataType::Utf8, false),
            Field::new("created_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_flink_objects().await?;
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|o| o.name.database.as_str())),
                text_array(rows.iter().map(|o| o.name.name.as_str())),
                text_array(rows.iter().map(|o| o.name.kind.as_str())),
                text_array(rows.iter().map(|o| o.shown.as_str())),
                Arc::new(Int64Array::from_iter_values(
                    rows.iter()
                        .map(|o| i64::try_from(o.version).unwrap_or(i64::MAX)),
                )),
                text_array(rows.iter().map(|o| o.creator.as_str())),
                utc_array(rows.iter().map(|o| o.created_at)),
            ],
        )
    }
}
