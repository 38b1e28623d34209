//! Flink's catalogs in the pg catalogs. The pg database a client connected
//! to is a Flink catalog: its Flink databases are schemas beside
//! `scaleph`, their tables and views are tables and views with their
//! columns, and every other Flink catalog is a database (Flink's built-in
//! catalog is `scaleph`). Only their shapes live here: a query reading a
//! Flink table goes to Flink, never to these providers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow::datatypes::{Field, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use pgwire::api::Type;

use super::ordered_catalog::{OrderedCatalog, OrderedCatalogList, OrderedSchema};
use super::tables::{TYPE_OID_KEY, TYPMOD_KEY};
use crate::flink::metadata::{CatalogListing, RelationListing};
use crate::flink::result::FlinkType;

/// The Flink schemas and databases an engine shows now.
#[derive(Default)]
pub struct ShownFlinkCatalog {
    schemas: Mutex<Vec<String>>,
}

impl ShownFlinkCatalog {
    /// Shows `listing` in `context`, whose catalog `database` is the pg
    /// database the session connected to, in place of what was shown
    /// before. Flink databases named like scaleph's own schemas stay
    /// hidden behind them. Flink's built-in catalog is shown as `scaleph`.
    pub fn show(&self, context: &SessionContext, database: &str, listing: &CatalogListing) {
        let Some(catalog) = context.catalog(database) else {
            return;
        };
        let mut shown = self.schemas.lock().unwrap_or_else(|e| e.into_inner());
        for schema in shown.drain(..) {
            let _ = catalog.deregister_schema(&schema, true);
        }
        for flink_database in &listing.databases {
            if crate::engine::routing::is_local_schema(&flink_database.name) {
                continue;
            }
            let schema = OrderedSchema::default();
            for relation in &flink_database.relations {
                let _ = schema.register_table(
                    relation.name.clone(),
                    Arc::new(FlinkRelation::new(relation)),
                );
            }
            if catalog
                .register_schema(&flink_database.name, Arc::new(schema))
                .is_ok()
            {
                shown.push(flink_database.name.clone());
            }
        }
        let names: Vec<&str> = listing
            .catalogs
            .iter()
            .map(|flink_catalog| {
                if *flink_catalog == listing.builtin_catalog {
                    crate::engine::LOCAL_DATABASE
                } else {
                    flink_catalog.as_str()
                }
            })
            .collect();
        // Every other catalog was registered by an earlier listing: those
        // Flink no longer lists (dropped) are no longer databases.
        let catalogs = context.state_ref().read().catalog_list().clone();
        if let Some(catalogs) = catalogs.downcast_ref::<OrderedCatalogList>() {
            for gone in context.catalog_names() {
                if gone != database && !names.contains(&gone.as_str()) {
                    catalogs.deregister_catalog(&gone);
                }
            }
        }
        for name in names {
            if context.catalog(name).is_none() {
                context.register_catalog(name, Arc::new(OrderedCatalog::default()));
            }
        }
    }
}

/// What a Flink type declares that its Arrow type cannot say, as the
/// field metadata pg_attribute reads: the declared fractional digits of
/// `TIME(p)`, `TIMESTAMP(p)` and `TIMESTAMP_LTZ(p)` (none for 6,
/// PostgreSQL's default), and the length of `CHAR(n)` and `VARCHAR(n)`,
/// which are PostgreSQL's `character(n)` and `character varying(n)`.
fn declared(flink_type: &FlinkType) -> HashMap<String, String> {
    let length = |n: u32| i32::try_from(n).ok()?.checked_add(4);
    let (type_oid, typmod) = match flink_type {
        FlinkType::Time(digits)
        | FlinkType::Timestamp(digits)
        | FlinkType::TimestampLtz(digits)
            if *digits != 6 =>
        {
            (None, Some(i32::from(*digits)))
        }
        FlinkType::Char(n) => (Some(Type::BPCHAR.oid()), length(*n)),
        FlinkType::Varchar(n) => (Some(Type::VARCHAR.oid()), length(*n)),
        _ => (None, None),
    };
    let mut metadata = HashMap::new();
    if let Some(oid) = type_oid {
        metadata.insert(TYPE_OID_KEY.to_string(), oid.to_string());
    }
    if let Some(typmod) = typmod {
        metadata.insert(TYPMOD_KEY.to_string(), typmod.to_string());
    }
    metadata
}

/// A Flink table or view: its columns, no rows.
#[derive(Debug)]
struct FlinkRelation {
    schema: SchemaRef,
    view: bool,
}

impl FlinkRelation {
    fn new(relation: &RelationListing) -> FlinkRelation {
        let fields: Vec<Field> = relation
            .columns
            .iter()
            .map(|column| {
                Field::new(&column.name, column.flink_type.arrow(), column.nullable)
                    .with_metadata(declared(&column.flink_type))
            })
            .collect();
        FlinkRelation {
            schema: Arc::new(Schema::new(fields)),
            view: relation.view,
        }
    }
}

#[async_trait]
impl TableProvider for FlinkRelation {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        if self.view {
            TableType::View
        } else {
            TableType::Base
        }
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        _projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Err(DataFusionError::Plan(
            "a Flink table's rows are Flink's: query it on its own, not joined with scaleph's or pg_catalog's tables".to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flink::metadata::DatabaseListing;
    use crate::flink::result::{FlinkColumn, FlinkType};

    fn listing(tables: &[&str]) -> CatalogListing {
        CatalogListing {
            catalog: "default_catalog".into(),
            builtin_catalog: "default_catalog".into(),
            catalogs: vec!["default_catalog".into(), "lake".into()],
            databases: vec![
                DatabaseListing {
                    name: "default_database".into(),
                    relations: tables
                        .iter()
                        .map(|name| RelationListing {
                            name: name.to_string(),
                            view: name.starts_with('v'),
                            columns: vec![FlinkColumn {
                                name: "id".into(),
                                flink_type: FlinkType::BigInt,
                                nullable: false,
                            }],
                        })
                        .collect(),
                },
                DatabaseListing {
                    name: "scaleph".into(),
                    relations: Vec::new(),
                },
            ],
        }
    }

    #[tokio::test]
    async fn databases_become_schemas_and_are_replaced_on_refresh() {
        let config = datafusion::execution::context::SessionConfig::new()
            .with_default_catalog_and_schema("scaleph", "public")
            .with_information_schema(true);
        let context = SessionContext::new_with_config(config);
        let shown = ShownFlinkCatalog::default();
        shown.show(&context, "scaleph", &listing(&["orders", "v_orders"]));
        let catalog = context.catalog("scaleph").unwrap();
        let schema = catalog.schema("default_database").unwrap();
        assert_eq!(schema.table_names().len(), 2);
        let view = schema.table("v_orders").await.unwrap().unwrap();
        assert_eq!(view.table_type(), TableType::View);
        assert!(context.catalog("lake").is_some());
        assert!(context.catalog("default_catalog").is_none());
        // A Flink database named like scaleph's schema does not replace it.
        assert!(catalog.schema("scaleph").is_none());

        shown.show(&context, "scaleph", &listing(&["items"]));
        let schema = catalog.schema("default_database").unwrap();
        assert_eq!(schema.table_names(), vec!["items".to_string()]);
    }
}
