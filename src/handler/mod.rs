//! Statement handlers: one module per statement family, each with its
//! `describe` (the result's shape, known before running) and `execute`
//! side by side, and the one dispatch that routes a parsed statement to
//! its family — an exhaustive `match` with no wildcard, so a new family
//! does not compile until it is routed here (the style of RisingWave's
//! `src/frontend/src/handler/mod.rs`).
//!
//! Handlers know nothing of the frontend that called them: they get the
//! process's [`Context`] and the session's [`SessionState`], and return a
//! [`StatementOutput`]. Families not built yet answer 0A000 from their own
//! module, never a silent success.

pub mod catalog;
pub mod cluster;
pub mod connector;
pub mod copy;
pub mod datasource;
pub mod files;
pub mod flink;
pub mod job;
pub mod later;
pub mod options;
pub mod preview;
pub mod query;
pub mod sync;
pub mod variable;

use datafusion::scalar::ScalarValue;

use crate::context::Context;
use crate::engine::LocalEngine;
use crate::error::{Error, Result, SqlState};
use crate::flink::FlinkSession;
use crate::result::{Description, QueryResult, StatementOutput};
use crate::settings::SessionVars;
use crate::sql::{ParsedStatement, Statement};

pub use crate::sql::ast::object_name;

/// What a session holds that handlers read and change: its variables, its
/// local engine and its Flink session.
pub struct SessionState {
    /// Session variables and scaleph's typed settings.
    pub vars: SessionVars,
    /// The local engine (scaleph's tables and PostgreSQL's catalogs).
    pub engine: LocalEngine,
    /// The Flink session, when a Flink SQL Gateway is configured.
    pub flink: Option<FlinkSession>,
    /// Whether the engine shows the Flink catalog as it is now (listed on
    /// the first catalog query, again after DDL).
    pub flink_catalog_listed: bool,
    /// Where long statements report progress while they run.
    pub progress: crate::result::Progress,
}

impl SessionState {
    /// The Flink session, or 08001 with a hint when no Flink SQL Gateway
    /// is configured.
    pub fn flink(&mut self) -> Result<&mut FlinkSession> {
        self.flink.as_mut().ok_or_else(flink_unavailable)
    }
}

/// A statement's result shape, as far as it is known before running it.
pub enum Shape {
    /// Known: parameter types and the schema of its rows, if any.
    Known(Description),
    /// Only running it tells (a Flink query, SHOW, EXPLAIN, a preview):
    /// the session runs it now and keeps the result for the Execute that
    /// drivers send right after Describe.
    RunToKnow,
}

impl Shape {
    /// A known shape: rows of `schema`, or none.
    pub fn rows(schema: Option<arrow::datatypes::SchemaRef>) -> Shape {
        Shape::Known(Description {
            param_types: Vec::new(),
            schema,
        })
    }
}

/// The one column of `SHOW CREATE <kind> name`, for every object family.
pub const SHOW_CREATE_COLUMN: &str = "create_statement";

/// The shape of `parsed`'s result, without running it.
pub async fn describe(
    context: &Context,
    state: &mut SessionState,
    parsed: &ParsedStatement,
) -> Result<Shape> {
    match &parsed.statement {
        Statement::Datasource(statement) => datasource::describe(state, statement).await,
        Statement::Job(statement) => job::describe(state, statement).await,
        Statement::Connector(statement) => connector::describe(state, statement).await,

        Statement::Cluster(statement) => cluster::describe(context, state, statement).await,
        Statement::Sync(statement) => sync::describe(state, statement).await,
        Statement::Schedule(_) => Err(later::not_supported(&parsed.statement)),
        Statement::Catalog(statement) => Ok(catalog::describe(statement)),
        Statement::Variable(statement) => Ok(variable::describe(statement)),
        Statement::Transaction(_) => Ok(Shape::rows(None)),
        Statement::CopyTo(_) => Ok(copy::describe()),
        Statement::Preview(statement) => Ok(preview::describe(statement)),
        Statement::Query(query) => query::describe(state, query).await,
        Statement::Flink(statement) => Ok(flink::describe(state, statement)),
    }
}

/// Runs `parsed` with `params` bound to `$1...`.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    parsed: &ParsedStatement,
    params: Vec<ScalarValue>,
) -> Result<StatementOutput> {
    match &parsed.statement {
        Statement::Datasource(statement) => datasource::execute(context, state, statement).await,
        Statement::Job(statement) => job::execute(context, state, statement).await,
        Statement::Connector(statement) => connector::execute(context, state, statement).await,

        Statement::Cluster(statement) => cluster::execute(context, state, statement).await,
        Statement::Sync(statement) => sync::execute(context, state, statement).await,
        Statement::Schedule(_) => Err(later::not_supported(&parsed.statement)),
        Statement::Catalog(statement) => catalog::execute(context, state, parsed, statement).await,
        Statement::Variable(statement) => variable::execute(state, statement).await,
        Statement::Transaction(command) => Ok(QueryResult::command(command.to_string()).into()),
        Statement::CopyTo(copy) => {
            Box::pin(execute(context, state, &copy::query(parsed, copy), params)).await
        }
        Statement::Preview(statement) => preview::execute(state, statement).await,
        Statement::Query(query) => query::execute(state, parsed, query, params).await,
        Statement::Flink(statement) => flink::execute(state, parsed, statement).await,
    }
}

/// 42704 for the `kind` (`cluster`) called `name`, suggesting the closest
/// of `names` (the objects of that kind that exist).
pub fn does_not_exist(kind: &str, name: &str, names: &[String]) -> Error {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut err = Error::new(
        SqlState::UNDEFINED_OBJECT,
        format!("{kind} \"{name}\" does not exist"),
    );
    if let Some(close) = crate::sql::parser::suggest::closest(name, &names) {
        err.message.push_str(&format!(": did you mean {close}?"));
    }
    err
}

/// The error for a statement that parses and checks but whose execution
/// comes in a later release: 0A000, never a silent success.
pub fn not_supported_yet(family: &str) -> Error {
    Error::not_supported(family.to_string())
}

/// The error for Flink SQL when no Flink SQL Gateway is configured.
pub fn flink_unavailable() -> Error {
    Error::new(
        SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
        "this statement is Flink SQL and no Flink SQL Gateway is configured",
    )
    .with_hint(
        "start scaleph with --flink-gateway http://HOST:8083, set flink.gateway.url in scaleph.toml, \
         or set SCALEPH_FLINK_GATEWAY_URL; scaleph's own statements and queries on scaleph.* work without it",
    )
}
