//! The session: one per client connection, and one for a REPL or a script.
//! Every frontend calls the same three methods — [`Session::parse`],
//! [`Session::describe`] and [`Session::execute`] — and never sees what
//! handled a statement: the session hands each to [`crate::handler`]'s one
//! dispatch, and keeps what lives as long as the connection (parsed
//! scripts, a result run early by Describe, the cancel handle).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::scalar::ScalarValue;

use crate::context::{Context, SessionInfo};
use crate::engine::LocalEngine;
use crate::error::Result;
use crate::handler::{SessionState, Shape};
use crate::result::{Description, QueryResult, StatementOutput};
use crate::sql::ParsedStatement;

mod cancel;
mod transaction;

pub use crate::settings::SessionVars;
pub use cancel::{CancelGuard, CancelHandle, cancelled_error};
pub use transaction::TransactionState;

/// One client's session.
pub struct Session {
    context: Arc<Context>,
    info: SessionInfo,
    /// What handlers read and change: variables, engine, Flink session.
    state: SessionState,
    cancel: CancelHandle,
    /// Recently parsed scripts, by text.
    parsed: HashMap<String, Arc<[ParsedStatement]>>,
    /// A Flink statement run early to describe its result (drivers
    /// describe before they execute), waiting for its Execute. (In a
    /// mutex only so that the session is `Sync`; nothing contends for it.)
    prefetched: Option<(String, std::sync::Mutex<StatementOutput>)>,
    /// The transaction block the client is in (scaleph only tracks it).
    transaction: TransactionState,
}

/// How many distinct scripts a session keeps parsed.
const PARSE_CACHE_CAPACITY: usize = 64;
/// Longer scripts (setup files, big DDL) are parsed every time.
const PARSE_CACHE_MAX_SCRIPT: usize = 4096;

impl Session {
    /// A new session of `info` sharing `context`.
    pub fn new(context: Arc<Context>, info: SessionInfo) -> Session {
        let engine = LocalEngine::new(context.store.clone(), context.registry.clone(), &info);
        let flink = context.flink.as_ref().map(|client| {
            let mut flink = crate::flink::FlinkSession::new(
                client.clone(),
                context.store.clone(),
                format!("{}@{}", info.user, info.client),
                context.config.flink.session_properties.clone(),
                context.config.flink.heartbeat,
            );
            if info.database != crate::engine::LOCAL_DATABASE {
                flink.start_in_catalog(info.database.clone());
            }
            flink
        });
        Session {
            state: SessionState {
                vars: SessionVars::new(),
                engine,
                flink,
                flink_catalog_listed: false,
                progress: crate::result::Progress::default(),
            },
            prefetched: None,
            context,
            info,
            cancel: CancelHandle::default(),
            parsed: HashMap::new(),
            transaction: TransactionState::Idle,
        }
    }

    /// Sends the progress of the statements that run from now on to
    /// `progress` (the frontend shows it while they run).
    pub fn report_progress(&mut self, progress: crate::result::Progress) {
        self.state.progress = progress;
    }

    /// Who this session belongs to.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    /// This session's variables.
    pub fn vars(&self) -> &SessionVars {
        &self.state.vars
    }

    /// This session's variables, for a frontend applying startup parameters.
    pub fn vars_mut(&mut self) -> &mut SessionVars {
        &mut self.state.vars
    }

    /// Checks the database the client connected to: `scaleph`, or with a
    /// Flink SQL Gateway the Flink catalog of that name — the Flink
    /// session opens now and starts in it (3D000 when Flink has no such
    /// catalog). The Flink session zone is the client's `TimeZone` from
    /// the startup parameters. The notices of opening it.
    pub async fn connect(&mut self) -> Result<Vec<crate::result::Notice>> {
        if let Some(flink) = self.state.flink.as_mut() {
            flink
                .set_client_zone(&self.state.vars.require("TimeZone")?)
                .await?;
        }
        if self.info.database == crate::engine::LOCAL_DATABASE {
            return Ok(Vec::new());
        }
        let Some(flink) = self.state.flink.as_mut() else {
            return Err(crate::error::Error::new(
                crate::error::SqlState::INVALID_CATALOG_NAME,
                format!("database \"{}\" does not exist", self.info.database),
            )
            .with_hint(format!(
                "without a Flink SQL Gateway the only database is {}; with one, every Flink catalog is a database",
                crate::engine::LOCAL_DATABASE
            )));
        };
        let mut notices = Vec::new();
        flink.handle(&mut notices).await?;
        Ok(notices)
    }

    /// Ends the session: its Flink session is closed now (a dropped
    /// session closes it in the background, which a process about to exit
    /// would not wait for).
    pub async fn close(&mut self) {
        self.prefetched = None;
        if let Some(flink) = self.state.flink.as_mut() {
            flink.close().await;
        }
    }

    /// The transaction block the session is in.
    pub fn transaction_status(&self) -> TransactionState {
        self.transaction
    }

    /// Records an error a frontend met outside [`Session::execute`] (a
    /// script that did not parse, a row stream that broke, a protocol
    /// message it refused): like any error, it fails an open block.
    pub fn fail_transaction(&mut self) {
        self.transaction = self.transaction.failed();
    }

    /// A handle that cancels the statement this session is running.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Splits and parses a script into statements; errors point into
    /// `script`. A catalog query in PostgreSQL's dialect becomes a local
    /// query here, once. Clients send the same statements again and again
    /// (pools' health checks, dashboards), so the last few parses are kept.
    pub fn parse(&mut self, script: &str) -> Result<Arc<[ParsedStatement]>> {
        if let Some(statements) = self.parsed.get(script) {
            return Ok(statements.clone());
        }
        let mut statements = crate::sql::parse_script(script)?;
        for parsed in &mut statements {
            crate::handler::query::resolve_catalog_query(&mut parsed.statement, &parsed.text);
        }
        let statements: Arc<[ParsedStatement]> = statements.into();
        if script.len() > PARSE_CACHE_MAX_SCRIPT {
            return Ok(statements);
        }
        if self.parsed.len() >= PARSE_CACHE_CAPACITY {
            self.parsed.clear();
        }
        self.parsed.insert(script.to_string(), statements.clone());
        Ok(statements)
    }

    /// Parameter types and row schema of `statement`, without running it
    /// where that is known; otherwise the statement runs now and its result
    /// waits for the Execute that drivers send right after Describe.
    pub async fn describe(&mut self, statement: &ParsedStatement) -> Result<Description> {
        match crate::handler::describe(&self.context, &mut self.state, statement).await? {
            Shape::Known(description) => Ok(description),
            Shape::RunToKnow => Box::pin(self.describe_by_running(statement)).await,
        }
    }

    /// Runs the statement now and keeps its result for the Execute that
    /// follows; the schema of its rows.
    async fn describe_by_running(&mut self, parsed: &ParsedStatement) -> Result<Description> {
        let output = match self.prefetched.take() {
            Some((text, output)) if text == parsed.text => into_output(output),
            _ => self.run(parsed, Vec::new()).await?,
        };
        let schema = match &output.result {
            QueryResult::Rows { schema, .. } => Some(schema.clone()),
            QueryResult::Command(_) => None,
        };
        self.prefetched = Some((parsed.text.clone(), std::sync::Mutex::new(output)));
        Ok(Description {
            param_types: Vec::new(),
            schema,
        })
    }

    /// Runs a statement: the result Describe ran early, or a new run.
    async fn run(
        &mut self,
        parsed: &ParsedStatement,
        params: Vec<ScalarValue>,
    ) -> Result<StatementOutput> {
        // A result run early by Describe is this statement's, or nobody's.
        if let Some((text, output)) = self.prefetched.take()
            && text == parsed.text
        {
            return Ok(into_output(output));
        }
        crate::handler::execute(&self.context, &mut self.state, parsed, params).await
    }

    /// Runs `statement` with `params` bound to `$1...`. A row result streams:
    /// the caller reads the batches, and a cancel ends the stream. In a
    /// failed transaction block, only the statements ending it run (25P02).
    pub async fn execute(
        &mut self,
        statement: &ParsedStatement,
        params: Vec<ScalarValue>,
    ) -> Result<StatementOutput> {
        self.transaction.admit(&statement.statement)?;
        let guard = self.cancel.begin();
        tracing::debug!(session = self.info.id, statement = %statement.redacted(), "execute");
        let output = guard
            .run(self.run(statement, params))
            .await
            .map_err(|err| statement.locate(err))
            .inspect_err(
                |err| tracing::debug!(session = self.info.id, error = %err.chain(), "failed"),
            );
        let output = self.transaction.finish(&statement.statement, output)?;
        let guarded = |result| match result {
            QueryResult::Rows { schema, batches } => QueryResult::Rows {
                schema,
                batches: guard.guard_stream(batches),
            },
            command => command,
        };
        Ok(StatementOutput {
            result: guarded(output.result),
            notices: output.notices,
            more: output
                .more
                .into_iter()
                .map(|more| crate::result::LabeledResult {
                    label: more.label,
                    result: guarded(more.result),
                })
                .collect(),
        })
    }
}

fn into_output(prefetched: std::sync::Mutex<StatementOutput>) -> StatementOutput {
    prefetched.into_inner().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parse_keeps_short_scripts_and_reparses_long_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = Session::new(
            Arc::new(Context::for_tests(dir.path()).await),
            SessionInfo::new("u", "scaleph", "test"),
        );
        let first = session.parse("SELECT 1").unwrap();
        assert!(Arc::ptr_eq(&first, &session.parse("SELECT 1").unwrap()));
        let long = format!("SELECT 1 -- {}", "x".repeat(PARSE_CACHE_MAX_SCRIPT));
        let first = session.parse(&long).unwrap();
        assert!(!Arc::ptr_eq(&first, &session.parse(&long).unwrap()));
        assert!(session.parse("SELECT 'open").is_err());
    }
}
