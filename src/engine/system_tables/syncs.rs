//! `scaleph.syncs`: the syncs `CREATE SYNC` made, with their state.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{
    SystemTable, nullable_text_array, nullable_utc_array, record_batch, text_array, timestamp_utc,
    utc_array,
};
use crate::store::Store;

/// `scaleph.syncs`: every sync — source, sinks, mode, engine, state, the
/// number of tables its plan copies — with options masked.
#[derive(Debug)]
pub struct Syncs;

/// The number of tables in a stored plan (0 when it cannot be read).
fn table_count(plan: &str) -> i64 {
    serde_json::from_str::<crate::sync::SyncPlan>(plan)
        .map(|p| p.tables.len() as i64)
        .unwrap_or(0)
}

#[async_trait]
impl SystemTable for Syncs {
    fn name(&self) -> &'static str {
        "syncs"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("cluster", DataType::Utf8, true),
            Field::new("source", DataType::Utf8, false),
            Field::new("sinks", DataType::Utf8, false),
            Field::new("mode", DataType::Utf8, false),
            Field::new("engine", DataType::Utf8, false),
            Field::new("tables", DataType::Int64, false),
            Field::new("state", DataType::Utf8, false),
            Field::new("reason", DataType::Utf8, true),
            Field::new("run_id", DataType::Utf8, true),
            Field::new("savepoint", DataType::Utf8, true),
            Field::new("options", DataType::Utf8, false),
            Field::new("comment", DataType::Utf8, true),
            Field::new("created_at", timestamp_utc(), false),
            Field::new("started_at", timestamp_utc(), true),
            Field::new("updated_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_syncs().await?;
        let tables: ArrayRef = Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|s| table_count(&s.plan)),
        ));
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|s| s.name.as_str())),
                nullable_text_array(rows.iter().map(|s| s.cluster.as_deref())),
                text_array(rows.iter().map(|s| s.source.as_str())),
                text_array(rows.iter().map(|s| s.sinks.join(", "))),
                text_array(rows.iter().map(|s| s.mode.as_str())),
                text_array(rows.iter().map(|s| s.engine.as_str())),
                tables,
                text_array(rows.iter().map(|s| s.state.as_str())),
                nullable_text_array(rows.iter().map(|s| s.reason.as_deref())),
                nullable_text_array(rows.iter().map(|s| s.run_id.as_deref())),
                nullable_text_array(rows.iter().map(|s| s.savepoint.as_deref())),
                text_array(
                    rows.iter()
                        .map(|s| crate::store::masked_options_json(&s.options)),
                ),
                nullable_text_array(rows.iter().map(|s| s.comment.as_deref())),
                utc_array(rows.iter().map(|s| s.created_at)),
                nullable_utc_array(rows.iter().map(|s| s.started_at)),
                utc_array(rows.iter().map(|s| s.updated_at)),
            ],
        )
    }
}
