//! `scaleph.datasource_types`: the kinds of datasource scaleph knows,
//! from the type registry (`catalogs/datasources/*.toml`).

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use async_trait::async_trait;

use super::SystemTable;
use crate::catalog::Registry;
use crate::result::{QueryResult, text_batch};
use crate::store::Store;

/// `scaleph.datasource_types`: the type registry.
#[derive(Debug)]
pub struct DatasourceTypes(pub(super) Arc<Registry>);

#[async_trait]
impl SystemTable for DatasourceTypes {
    fn name(&self) -> &'static str {
        "datasource_types"
    }

    fn schema(&self) -> SchemaRef {
        QueryResult::text_schema(&["name", "title", "category", "connectivity", "description"])
    }

    async fn batch(&self, _store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows: Vec<Vec<String>> = self
            .0
            .types()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.title.clone(),
                    format!("{:?}", t.category).to_lowercase(),
                    format!("{:?}", t.connectivity).to_lowercase(),
                    t.description.clone(),
                ]
            })
            .collect();
        text_batch(self.schema(), &rows)
    }
}
