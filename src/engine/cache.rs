//! What a session computes once: descriptions of its queries, and results
//! of its constant queries.
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

use std::collections::HashMap;
use std::sync::Mutex;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNode;
use datafusion::logical_expr::{Expr, LogicalPlan, Volatility};

use crate::session::Description;

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

    /// The cached result of `query`, if it is constant and was run before.
    pub fn result(
        &self,
        query: &sqlparser::ast::Statement,
    ) -> Option<(SchemaRef, Vec<RecordBatch>)> {
        self.results.get(query)
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
