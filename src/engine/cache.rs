//! What a session computes once: descriptions of its queries, and results
//! of its constant queries and of its catalog queries.
//!
//! Descriptions (parameter types and row schema) depend only on the
//! statement, since every table the local engine serves has a fixed schema;
//! drivers using the extended protocol describe every statement they run,
//! so this saves a planning pass per execution. (When the local engine
//! serves schemas that change — Flink catalogs seen through pg_catalog —
//! their DDL must clear this cache.)
//!
//! `SELECT 1` is what connection pools, drivers and load balancers send to
//! check a connection, over and over. Planning it with DataFusion costs a
//! few hundred microseconds; PostgreSQL answers in a few. A query that
//! reads no table and calls only immutable functions has one possible
//! result, so the first execution's batches are kept (per session, keyed by
//! the parsed statement) and replayed. Anything reading a table, calling a
//! stable or volatile function (`now()`, `random()`, `current_user`) or
//! taking parameters is never cached.
//!
//! Catalog queries (psql's `\dt`, a driver's getTables, a BI tool's
//! schema sync) are planned and run by DataFusion over pg_catalog tables
//! built for each scan: milliseconds, where PostgreSQL reads its heap.
//! Their rows change only when the session's catalog does, so a catalog
//! query reading no activity, settings or scaleph's own rows, and calling
//! no clock function, is kept until the catalog changes (the session's
//! Flink DDL lists it again, which forgets every catalog result).

use std::collections::HashMap;
use std::sync::Mutex;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNode;
use datafusion::logical_expr::{Expr, LogicalPlan, Volatility};

use crate::result::Description;

/// At most this many distinct statements are kept per session, per map.
const CAPACITY: usize = 64;

/// A bounded map from statements to what was computed for them.
struct Bounded<V>(Mutex<HashMap<sqlparser::ast::Statement, V>>);

impl<V: Clone> Bounded<V> {
    fn get(&self, query: &sqlparser::ast::Statement) -> Option<V> {
        self.0.lock().ok()?.get(query).cloned()
    }

    fn insert(&self, query: &sqlparser::ast::Statement, value: V) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(query.clone(), value);
        }
    }

    fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.clear();
        }
    }
}

impl<V> Default for Bounded<V> {
    fn default() -> Self {
        Bounded(Mutex::new(HashMap::new()))
    }
}

/// A session's cache.
#[derive(Default)]
pub struct SessionCache {
    results: Bounded<(SchemaRef, Vec<RecordBatch>)>,
    catalog_results: Bounded<(SchemaRef, Vec<RecordBatch>)>,
    descriptions: Bounded<Description>,
}

impl SessionCache {
    /// The description of `query`, if it was described before.
    pub fn description(&self, query: &sqlparser::ast::Statement) -> Option<Description> {
        self.descriptions.get(query)
    }

    /// Keeps the description of `query`.
    pub fn insert_description(&self, query: &sqlparser::ast::Statement, description: Description) {
        self.descriptions.insert(query, description);
    }

    /// The cached result of `query`, if it is constant or a catalog
    /// snapshot, and was run before (since the catalog last changed).
    pub fn result(
        &self,
        query: &sqlparser::ast::Statement,
    ) -> Option<(SchemaRef, Vec<RecordBatch>)> {
        self.results
            .get(query)
            .or_else(|| self.catalog_results.get(query))
    }

    /// Keeps the result of a catalog snapshot `query`, until
    /// [`SessionCache::forget_catalog_results`]; a result of more than
    /// [`MAX_CATALOG_ROWS`] rows is not kept.
    pub fn insert_catalog_result(
        &self,
        query: &sqlparser::ast::Statement,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) {
        if batches.iter().map(RecordBatch::num_rows).sum::<usize>() <= MAX_CATALOG_ROWS {
            self.catalog_results.insert(query, (schema, batches));
        }
    }

    /// Drops every catalog result: the catalog changed.
    pub fn forget_catalog_results(&self) {
        self.catalog_results.clear();
    }

    /// Keeps the result of a constant `query`.
    pub fn insert_result(
        &self,
        query: &sqlparser::ast::Statement,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) {
        self.results.insert(query, (schema, batches));
    }
}

/// A catalog result of more rows than this is not kept.
const MAX_CATALOG_ROWS: usize = 100_000;

/// Functions whose answer changes from one statement to the next although
/// DataFusion or PostgreSQL call them stable (the clock, settings).
const CHANGING_FUNCTIONS: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtime",
    "localtimestamp",
    "statement_timestamp",
    "clock_timestamp",
    "transaction_timestamp",
    "timeofday",
    "current_setting",
    "random",
    "uuid",
    "gen_random_uuid",
];

/// Whether `query` is a catalog snapshot: it reads catalog relations, and
/// only those that change with the session's catalog (see
/// [`super::routing::reads_only_catalog_snapshots`]) and calls no function
/// of the clock, settings or chance. Its result stays right until the
/// catalog changes (Flink DDL, a new listing), which forgets it.
pub fn is_catalog_snapshot(query: &sqlparser::ast::Statement) -> bool {
    super::routing::reads_only_catalog_snapshots(query)
        && !super::pg_catalog::calls(query, |function| {
            super::pg_catalog::function_name(function)
                .is_some_and(|name| CHANGING_FUNCTIONS.contains(&name.as_str()))
        })
}

/// Whether `plan` always gives the same rows: it scans no table and every
/// function it calls is immutable.
pub fn is_constant(plan: &LogicalPlan) -> bool {
    let varies = plan.exists(|node| {
        if matches!(
            node,
            LogicalPlan::TableScan(_) | LogicalPlan::Explain(_) | LogicalPlan::Analyze(_)
        ) {
            return Ok(true);
        }
        let mut varies = false;
        for expr in node.expressions() {
            varies |= expr.exists(|e| {
                Ok(match e {
                    Expr::ScalarFunction(f) => {
                        f.func.signature().volatility != Volatility::Immutable
                    }
                    Expr::Placeholder(_)
                    | Expr::ScalarSubquery(_)
                    | Expr::Exists(_)
                    | Expr::InSubquery(_) => true,
                    _ => false,
                })
            })?;
        }
        Ok(varies)
    });
    matches!(varies, Ok(false))
}
