//! `scaleph.datasource_options`: the options each datasource type takes,
//! from the type registry; `DESCRIBE DATASOURCE TYPE` shows the same
//! columns for one type ([`OPTION_COLUMNS`], [`option_row`]).

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use async_trait::async_trait;

use super::SystemTable;
use crate::catalog::{OptionSpec, OptionType, Registry};
use crate::result::{QueryResult, text_batch};
use crate::store::Store;

/// `scaleph.datasource_options`: every option of every type.
#[derive(Debug)]
pub struct DatasourceOptions(pub(super) Arc<Registry>);

#[async_trait]
impl SystemTable for DatasourceOptions {
    fn name(&self) -> &'static str {
        "datasource_options"
    }

    fn schema(&self) -> SchemaRef {
        let mut columns = vec!["datasource_type"];
        columns.extend(OPTION_COLUMNS);
        QueryResult::text_schema(&columns)
    }

    async fn batch(&self, _store: &dyn Store) -> crate::error::Result<RecordBatch> {
        let rows: Vec<Vec<String>> = self
            .0
            .types()
            .flat_map(|t| {
                t.options.iter().map(|o| {
                    let mut row = vec![t.name.clone()];
                    row.extend(option_row(o));
                    row
                })
            })
            .collect();
        text_batch(self.schema(), &rows)
    }
}

/// The columns describing one option (`DESCRIBE DATASOURCE TYPE` shows
/// these; `scaleph.datasource_options` adds the type first).
pub const OPTION_COLUMNS: [&str; 7] = [
    "group",
    "option",
    "type",
    "required",
    "default",
    "secret",
    "description",
];

/// One option as the text of [`OPTION_COLUMNS`]; enum values and int
/// ranges are part of the type column.
pub fn option_row(o: &OptionSpec) -> Vec<String> {
    let value_type = match o.value_type {
        OptionType::Enum => format!("enum({})", o.values.join("|")),
        OptionType::Int if o.min.is_some() || o.max.is_some() => format!(
            "int({}..{})",
            o.min.map(|m| m.to_string()).unwrap_or_default(),
            o.max.map(|m| m.to_string()).unwrap_or_default()
        ),
        other => other.as_str().to_string(),
    };
    vec![
        o.group.as_str().to_string(),
        o.name.clone(),
        value_type,
        o.required.to_string(),
        o.default.clone().unwrap_or_default(),
        o.secret.to_string(),
        o.description.clone(),
    ]
}
