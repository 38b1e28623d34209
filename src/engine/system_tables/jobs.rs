//! `scaleph.jobs`, `scaleph.savepoints` and `scaleph.job_events`: the jobs
//! `CREATE JOB` made, the savepoints they took and every state change
//! they went through (kept current by the job tracker).

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{
    SystemTable, nullable_text_array, nullable_utc_array, record_batch, text_array, timestamp_utc,
    utc_array,
};
use crate::store::{Store, masked_options_json};

/// `scaleph.jobs`: every job, its options with secrets masked (its script
/// is not a column: `SHOW CREATE JOB` shows it masked).
#[derive(Debug)]
pub struct Jobs;

#[async_trait]
impl SystemTable for Jobs {
    fn name(&self) -> &'static str {
        "jobs"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("cluster", DataType::Utf8, false),
            Field::new("state", DataType::Utf8, false),
            Field::new("flink_job_id", DataType::Utf8, true),
            Field::new("reason", DataType::Utf8, true),
            Field::new("options", DataType::Utf8, false),
            Field::new("comment", DataType::Utf8, true),
            Field::new("created_at", timestamp_utc(), false),
            Field::new("started_at", timestamp_utc(), true),
            Field::new("updated_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_jobs().await?;
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|j| j.name.as_str())),
                text_array(rows.iter().map(|j| j.cluster.as_str())),
                text_array(rows.iter().map(|j| j.state.as_str())),
                nullable_text_array(rows.iter().map(|j| j.flink_job_id.as_deref())),
                nullable_text_array(rows.iter().map(|j| j.reason.as_deref())),
                text_array(rows.iter().map(|j| masked_options_json(&j.options))),
                nullable_text_array(rows.iter().map(|j| j.comment.as_deref())),
                utc_array(rows.iter().map(|j| j.created_at)),
                nullable_utc_array(rows.iter().map(|j| j.started_at)),
                utc_array(rows.iter().map(|j| j.updated_at)),
            ],
        )
    }
}

/// `scaleph.savepoints`: every savepoint of every job, oldest first.
#[derive(Debug)]
pub struct Savepoints;

#[async_trait]
impl SystemTable for Savepoints {
    fn name(&self) -> &'static str {
        "savepoints"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("job", DataType::Utf8, false),
            Field::new("flink_job_id", DataType::Utf8, false),
            Field::new("path", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("created_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_savepoints(None).await?;
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|s| s.job.as_str())),
                text_array(rows.iter().map(|s| s.flink_job_id.as_str())),
                text_array(rows.iter().map(|s| s.path.as_str())),
                text_array(rows.iter().map(|s| s.kind.as_str())),
                utc_array(rows.iter().map(|s| s.created_at)),
            ],
        )
    }
}

/// `scaleph.job_events`: every state change of every job, in order.
#[derive(Debug)]
pub struct JobEvents;

#[async_trait]
impl SystemTable for JobEvents {
    fn name(&self) -> &'static str {
        "job_events"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("job", DataType::Utf8, false),
            Field::new("at", timestamp_utc(), false),
            Field::new("state", DataType::Utf8, false),
            Field::new("flink_job_id", DataType::Utf8, true),
            Field::new("reason", DataType::Utf8, true),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_job_events(None).await?;
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|e| e.job.as_str())),
                utc_array(rows.iter().map(|e| e.at)),
                text_array(rows.iter().map(|e| e.state.as_str())),
                nullable_text_array(rows.iter().map(|e| e.flink_job_id.as_deref())),
                nullable_text_array(rows.iter().map(|e| e.reason.as_deref())),
            ],
        )
    }
}
