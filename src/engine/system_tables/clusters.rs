//! `scaleph.clusters`: the clusters `CREATE CLUSTER` made.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;

use super::{SystemTable, nullable_text_array, record_batch, text_array, timestamp_utc, utc_array};
use crate::catalog::Registry;
use crate::store::{Cluster, Store};

/// `scaleph.clusters`: every cluster, secrets masked, with its attached
/// files (name to path, size and SHA-256; never their content). The
/// registry says which option of a cluster's type is its REST address.
#[derive(Debug)]
pub struct Clusters(pub Arc<Registry>);

impl Clusters {
    /// The REST address of `cluster`, if its type has one.
    fn rest_address<'a>(&self, cluster: &'a Cluster) -> Option<&'a str> {
        let key = self
            .0
            .cluster_type(&cluster.cluster_type)?
            .rest_address
            .as_ref()?;
        cluster.options.get(key).map(|entry| entry.masked())
    }
}

#[async_trait]
impl SystemTable for Clusters {
    fn name(&self) -> &'static str {
        "clusters"
    }

    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("type", DataType::Utf8, false),
            Field::new("rest_address", DataType::Utf8, true),
            Field::new("options", DataType::Utf8, false),
            Field::new("files", DataType::Utf8, false),
            Field::new("comment", DataType::Utf8, true),
            Field::new("created_at", timestamp_utc(), false),
            Field::new("updated_at", timestamp_utc(), false),
        ]))
    }

    async fn batch(&self, store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows = store.list_clusters().await?;
        record_batch(
            self.schema(),
            vec![
                text_array(rows.iter().map(|c| c.name.as_str())),
                text_array(rows.iter().map(|c| c.cluster_type.to_uppercase())),
                nullable_text_array(rows.iter().map(|c| self.rest_address(c))),
                text_array(rows.iter().map(|c| c.masked_options_json())),
                text_array(rows.iter().map(|c| c.files_json())),
                nullable_text_array(rows.iter().map(|c| c.comment.as_deref())),
                utc_array(rows.iter().map(|c| c.created_at)),
                utc_array(rows.iter().map(|c| c.updated_at)),
            ],
        )
    }
}
