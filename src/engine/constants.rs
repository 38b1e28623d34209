//! Results of constant queries, computed once per session.
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

/// At most this many distinct constant queries are kept per session.
const CAPACITY: usize = 64;

/// A session's cache of constant query results.
#[derive(Default)]
pub struct ConstantResults {
    results: Mutex<HashMap<sqlparser::ast::Statement, (SchemaRef, Vec<RecordBatch>)>>,
}

impl ConstantResults {
    /// The cached result of `query`, if it is constant and was run before.
    pub fn get(&self, query: &sqlparser::ast::Statement) -> Option<(SchemaRef, Vec<RecordBatch>)> {
        self.results.lock().ok()?.get(query).cloned()
    }

    /// Keeps the result of a constant `query`.
    pub fn insert(
        &self,
        query: &sqlparser::ast::Statement,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) {
        if let Ok(mut results) = self.results.lock() {
            if results.len() >= CAPACITY {
                results.clear();
            }
            results.insert(query.clone(), (schema, batches));
        }
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
