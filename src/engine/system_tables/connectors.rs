//! `scaleph.connectors`: what jobs can use beyond their SQL — the
//! connectors, formats and catalog types built into Flink, the connector
//! jars registered with `CREATE CONNECTOR`, and the jars `ADD JAR` keeps
//! for every Flink session.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{
    SystemTable, nullable_text_array, nullable_utc_array, record_batch, text_array, timestamp_utc,
};
use crate::catalog::connectors::{BUILT_IN, Need};
use crate::store::Store;

/// `scaleph.connectors`: one row per built-in identifier, registered
/// connector and added jar (`kind`: `built-in`, `connector`, `jar`).
#[derive(Debug)]
pub struct Connectors;

/// One row, before it becomes columns.
struct Row {
    name: String,
    kind: &'static str,
    provides: String,
    source: String,
    comment: Option<String>,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[async_trait]
impl SystemTable for Connectors {
    fn name(&self) -> &'static str {
        "connectors"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("provides", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
            Field::new("comment", DataType::Utf8, true),
            Field::new("created_at", timestamp_utc(), true),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let mut rows: Vec<Row> = BUILT_IN
            .iter()
            .map(|(need, id)| Row {
                name: id.to_string(),
                kind: "built-in",
                provides: format!(
                    "{}:{id}",
                    match need {
                        Need::Connector => "connector",
                        Need::Format => "format",
                        Need::Catalog => "catalog",
                    }
                ),
                source: "Flink's distribution".into(),
                comment: None,
                created_at: None,
            })
            .collect();
        rows.extend(store.list_connectors().await?.into_iter().map(|c| Row {
            name: c.name,
            kind: "connector",
            provides: c.provides.join(", "),
            source: c.location,
            comment: c.comment,
            created_at: Some(c.created_at),
        }));
        rows.extend(store.list_jars().await?.into_iter().map(|j| Row {
            name: j.name,
            kind: "jar",
            provides: String::new(),
            source: j.source,
            comment: None,
            created_at: Some(j.created_at),
        }));
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|r| r.name.as_str())),
                text_array(rows.iter().map(|r| r.kind)),
                text_array(rows.iter().map(|r| r.provides.as_str())),
                text_array(rows.iter().map(|r| r.source.as_str())),
                nullable_text_array(rows.iter().map(|r| r.comment.as_deref())),
                nullable_utc_array(rows.iter().map(|r| r.created_at)),
            ],
        )
    }
}
