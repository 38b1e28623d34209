//! The local engine: DataFusion answering what needs no Flink — expressions,
//! `version()`, `current_schema()`, and the gateway's own tables in schema
//! `scaleph` (later `pg_catalog` and `information_schema`).

use std::sync::Arc;

use datafusion::scalar::ScalarValue;

use crate::error::Result;
use crate::result::QueryResult;
use crate::session::{Description, SessionInfo};
use crate::store::Store;

/// A session's local engine.
pub struct LocalEngine {}

impl LocalEngine {
    /// An engine for the session `info`, reading system tables from `store`.
    pub fn new(store: Arc<dyn Store>, info: &SessionInfo) -> LocalEngine {
        let _ = (store, info);
        todo!("engine helper")
    }

    /// Whether this engine answers `query`: it reads no table, or only
    /// tables in `scaleph`, `pg_catalog` or `information_schema`.
    pub fn answers(&self, query: &sqlparser::ast::Statement) -> bool {
        let _ = query;
        todo!("engine helper")
    }

    /// Parameter types and row schema of `query`.
    pub async fn describe(&self, query: &sqlparser::ast::Statement) -> Result<Description> {
        let _ = query;
        todo!("engine helper")
    }

    /// Runs `query` with `params` bound to `$1...`.
    pub async fn execute(
        &self,
        query: &sqlparser::ast::Statement,
        params: Vec<ScalarValue>,
    ) -> Result<QueryResult> {
        let _ = (query, params);
        todo!("engine helper")
    }

    /// [`LocalEngine::describe`] for SQL text scaleph wrote itself.
    pub async fn describe_sql(&self, sql: &str) -> Result<Description> {
        let _ = sql;
        todo!("engine helper")
    }

    /// Runs SQL text scaleph wrote itself (e.g. `SHOW DATASOURCES` as a query on `scaleph.datasources`).
    pub async fn execute_sql(&self, sql: &str) -> Result<QueryResult> {
        let _ = sql;
        todo!("engine helper")
    }
}
