//! The local engine: DataFusion answering what needs no Flink — expressions,
//! `version()`, `current_schema()`, the gateway's own tables in schema
//! `scaleph` ([`system_tables`]) — and the catalog queries clients send:
//! `pg_catalog` and `information_schema` over those tables and the
//! session's Flink catalog (`pg_catalog`, the PostgreSQL emulation).
//!
//! What is the engine's own, whatever the query: which queries it answers
//! (`routing`), output column names and parameter types as PostgreSQL
//! gives them (`naming`, `placeholders`), DataFusion errors as scaleph's
//! (`errors`), and results kept per session (`cache`).
//!
//! Each session gets its own DataFusion context, built on first use so that
//! an idle connection costs no planner state.

mod cache;
mod errors;
mod naming;
mod pg_catalog;
mod placeholders;
mod routing;
pub mod system_tables;

use std::sync::{Arc, OnceLock};

use datafusion::catalog::CatalogProvider;
use datafusion::execution::context::SessionConfig;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use datafusion::sql::parser::Statement as DfStatement;
use futures::StreamExt;

use crate::catalog::Registry;
use crate::context::SessionInfo;
use crate::error::{Error, Result};
use crate::result::Description;
use crate::result::QueryResult;
use crate::store::Store;

pub use errors::map_error;
pub use pg_catalog::{parse_catalog_query, version_string};
pub use system_tables::{SYSTEM_SCHEMA, SystemTable};

/// Whether SQL text (lower-cased) looks like a catalog query: it names
/// pg_catalog, information_schema or a function only they use.
pub fn looks_like_catalog_query(text: &str) -> bool {
    pg_catalog::looks_like_catalog_query(text)
}

/// Whether the local engine answers `query` (it reads only local schemas).
pub fn is_local(query: &sqlparser::ast::Statement) -> bool {
    routing::is_local(query)
}

/// The pg database of Flink's built-in catalog, and the only one when no
/// Flink SQL Gateway is configured.
pub const LOCAL_DATABASE: &str = "scaleph";

/// Whether `query` reads the PostgreSQL catalogs or calls their functions.
pub fn is_catalog_query(query: &sqlparser::ast::Statement) -> bool {
    pg_catalog::is_catalog_query(query)
}

/// A session's local engine.
pub struct LocalEngine {
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    info: SessionInfo,
    context: OnceLock<SessionContext>,
    /// Whether pg_catalog has been set up in `context` (on the first
    /// catalog query: it costs tens of milliseconds, and most sessions
    /// never ask).
    pg_catalog: tokio::sync::OnceCell<()>,
    cache: cache::SessionCache,
    flink_catalog: pg_catalog::ShownFlinkCatalog,
}

impl LocalEngine {
    /// An engine for the session `info`, reading system tables from
    /// `store` and the type registry.
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>, info: &SessionInfo) -> LocalEngine {
        LocalEngine {
            store,
            registry,
            info: info.clone(),
            context: OnceLock::new(),
            pg_catalog: tokio::sync::OnceCell::new(),
            cache: cache::SessionCache::default(),
            flink_catalog: pg_catalog::ShownFlinkCatalog::default(),
        }
    }

    fn context(&self) -> &SessionContext {
        self.context.get_or_init(|| {
            let config = SessionConfig::new()
                // Unqualified names resolve in scaleph's own schema (the
                // only one of the search path: there is no `public`).
                .with_default_catalog_and_schema(&self.info.database, SYSTEM_SCHEMA)
                .with_create_default_catalog_and_schema(false)
                .with_information_schema(false);
            let state = datafusion::execution::SessionStateBuilder::new()
                .with_config(config)
                .with_default_features()
                .with_catalog_list(Arc::new(pg_catalog::OrderedCatalogList::default()))
                .build();
            let context = SessionContext::new_with_state(state);
            let catalog = pg_catalog::OrderedCatalog::default();
            let system =
                system_tables::SystemSchema::new(self.store.clone(), self.registry.clone());
            let _ = catalog.register_schema(SYSTEM_SCHEMA, Arc::new(system));
            let information_schema = pg_catalog::information_schema(&context);
            let _ = catalog
                .register_schema(pg_catalog::INFORMATION_SCHEMA, Arc::new(information_schema));
            context.register_catalog(&self.info.database, Arc::new(catalog));
            pg_catalog::register_functions(&context, &self.info);
            context
        })
    }

    /// Shows a Flink catalog's databases, tables and views (the pg
    /// database this session connected to) in pg_catalog and
    /// information_schema, in place of the previous listing.
    pub fn show_flink_catalog(&self, listing: &crate::flink::metadata::CatalogListing) {
        self.flink_catalog
            .show(self.context(), &self.info.database, listing);
        self.forget_catalog_results();
    }

    /// Forgets the catalog queries' results kept so far: the session's
    /// catalog changed (its DDL, a new listing).
    pub fn forget_catalog_results(&self) {
        self.cache.forget_catalog_results();
    }

    /// Whether this engine answers `query`: it reads no table, or only
    /// tables in `scaleph`, `pg_catalog` or `information_schema`, or
    /// DataFusion's table functions.
    pub fn answers(&self, query: &sqlparser::ast::Statement) -> bool {
        routing::is_local(query)
    }

    /// Sets up pg_catalog in the session's context, once
    /// ([`pg_catalog::prepare`]).
    async fn prepare_catalog(&self) {
        self.pg_catalog
            .get_or_init(|| pg_catalog::prepare(self.context(), &self.info))
            .await;
    }

    async fn plan(&self, query: &sqlparser::ast::Statement) -> Result<LogicalPlan> {
        let mut query = query.clone();
        naming::name_columns_like_postgres(&mut query);
        // Only catalog queries pay for pg_catalog and the PostgreSQL rewrites.
        if !pg_catalog::is_catalog_query(&query) {
            return self.plan_sql(query).await;
        }
        self.prepare_catalog().await;
        if let Some(nulled) = pg_catalog::select_subqueries_nulled(&query) {
            match self
                .plan_sql(pg_catalog::rewrite_catalog_query(query))
                .await
            {
                Ok(plan) if self.decorrelates(&plan) => return Ok(plan),
                _ => query = nulled,
            }
        }
        self.plan_sql(pg_catalog::rewrite_catalog_query(query))
            .await
    }

    async fn plan_sql(&self, query: sqlparser::ast::Statement) -> Result<LogicalPlan> {
        self.context()
            .state()
            .statement_to_plan(DfStatement::Statement(Box::new(query)))
            .await
            .map_err(map_error)
    }

    /// Whether DataFusion's optimizer turns every subquery of `plan` into
    /// a join (one it cannot is refused when the plan runs).
    fn decorrelates(&self, plan: &LogicalPlan) -> bool {
        use datafusion::common::tree_node::TreeNode;
        let Ok(optimized) = self.context().state().optimize(plan) else {
            return false;
        };
        let subquery_left = optimized.exists(|node| {
            Ok(node.expressions().iter().any(|expr| {
                expr.exists(|e| {
                    Ok(matches!(
                        e,
                        datafusion::logical_expr::Expr::ScalarSubquery(_)
                            | datafusion::logical_expr::Expr::Exists(_)
                            | datafusion::logical_expr::Expr::InSubquery(_)
                    ))
                })
                .unwrap_or(true)
            }))
        });
        !subquery_left.unwrap_or(true)
    }

    /// Parameter types and row schema of `query`.
    pub async fn describe(&self, query: &sqlparser::ast::Statement) -> Result<Description> {
        if let Some(description) = self.cache.description(query) {
            return Ok(description);
        }
        let plan = match self.plan(query).await {
            Err(_) if let Some(schema) = pg_catalog::empty_catalog_answer(query) => {
                return Ok(Description {
                    param_types: Vec::new(),
                    schema: Some(schema),
                });
            }
            plan => plan?,
        };
        let mut description = describe_plan(&plan)?;
        let casts = placeholders::cast_types(query);
        for (i, param_type) in description.param_types.iter_mut().enumerate() {
            if param_type.is_none() {
                *param_type = casts.get(&format!("${}", i + 1)).cloned();
            }
        }
        self.cache.insert_description(query, description.clone());
        Ok(description)
    }

    /// Runs `query` with `params` bound to `$1...`; rows stream as they are
    /// computed. Constant queries are answered from the session's cache.
    pub async fn execute(
        &self,
        query: &sqlparser::ast::Statement,
        params: Vec<ScalarValue>,
    ) -> Result<QueryResult> {
        match self.run(query, params).await {
            Err(_) if let Some(schema) = pg_catalog::empty_catalog_answer(query) => {
                Ok(QueryResult::from_batches(schema, Vec::new()))
            }
            result => result,
        }
    }

    async fn run(
        &self,
        query: &sqlparser::ast::Statement,
        params: Vec<ScalarValue>,
    ) -> Result<QueryResult> {
        if params.is_empty()
            && let Some((schema, batches)) = self.cache.result(query)
        {
            return Ok(QueryResult::from_batches(schema, batches));
        }
        let mut plan = self.plan(query).await?;
        let constant = params.is_empty() && cache::is_constant(&plan);
        let snapshot = params.is_empty() && !constant && cache::is_catalog_snapshot(query);
        if !params.is_empty() {
            plan = plan.with_param_values(params).map_err(map_error)?;
        }
        let frame = self
            .context()
            .execute_logical_plan(plan)
            .await
            .map_err(map_error)?;
        let schema = Arc::new(frame.schema().as_arrow().clone());
        if constant || snapshot {
            let batches = frame.collect().await.map_err(map_error)?;
            if constant {
                self.cache
                    .insert_result(query, schema.clone(), batches.clone());
            } else {
                self.cache
                    .insert_catalog_result(query, schema.clone(), batches.clone());
            }
            return Ok(QueryResult::from_batches(schema, batches));
        }
        let stream = frame.execute_stream().await.map_err(map_error)?;
        Ok(QueryResult::Rows {
            schema,
            batches: Box::pin(stream.map(|batch| batch.map_err(map_error))),
        })
    }

    /// [`LocalEngine::describe`] for SQL text scaleph wrote itself.
    pub async fn describe_sql(&self, sql: &str) -> Result<Description> {
        self.describe(&parse_own(sql)?).await
    }

    /// Runs SQL text scaleph wrote itself (e.g. `SHOW DATASOURCES` as a query on `scaleph.datasources`).
    pub async fn execute_sql(&self, sql: &str) -> Result<QueryResult> {
        self.execute(&parse_own(sql)?, Vec::new()).await
    }
}

fn describe_plan(plan: &LogicalPlan) -> Result<Description> {
    let types = plan.get_parameter_types().map_err(map_error)?;
    let count = types
        .keys()
        .filter_map(|k| k.strip_prefix('$')?.parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    let param_types = (1..=count)
        .map(|i| types.get(&format!("${i}")).cloned().flatten())
        .collect();
    Ok(Description {
        param_types,
        schema: Some(Arc::new(plan.schema().as_arrow().clone())),
    })
}

/// Parses SQL that scaleph generated; a failure is a bug in scaleph.
fn parse_own(sql: &str) -> Result<sqlparser::ast::Statement> {
    let mut statements =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql).map_err(
            |e| Error::internal(format!("generated SQL does not parse: {e}: {sql}")).with_source(e),
        )?;
    match statements.len() {
        1 => Ok(statements.remove(0)),
        _ => Err(Error::internal(format!(
            "generated SQL is not one statement: {sql}"
        ))),
    }
}

#[cfg(test)]
mod tests;
