//! The session: one per client connection, and one for a REPL or a script.
//! Every frontend calls the same three methods — [`Session::parse`],
//! [`Session::describe`] and [`Session::execute`] — and never sees what
//! handled a statement.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::datatypes::{DataType, SchemaRef};
use datafusion::scalar::ScalarValue;

use crate::config::Config;
use crate::engine::LocalEngine;
use crate::error::Result;
use crate::result::{QueryResult, StatementOutput};
use crate::sql::ParsedStatement;
use crate::store::Store;

mod cancel;
mod dispatch;
mod transaction;
pub mod vars;

pub use cancel::{CancelGuard, CancelHandle, cancelled_error};
pub use transaction::TransactionState;
pub use vars::{EMULATED_SERVER_VERSION, SessionVars};

/// What every session of one gateway process shares: the store and the
/// configuration.
pub struct Context {
    /// The metadata store.
    pub store: Arc<dyn Store>,
    /// The resolved configuration.
    pub config: Config,
    /// The datasource type registry.
    pub registry: Arc<crate::catalog::Registry>,
    /// The Flink SQL Gateway's client, when one is configured.
    pub flink: Option<Arc<crate::flink::GatewayClient>>,
}

impl Context {
    /// Opens the store in the configured data directory and loads the type
    /// registry (with the configured overrides).
    pub async fn open(config: Config) -> crate::error::Result<Context> {
        let store = crate::store::SqliteStore::open(&config.data_dir).await?;
        let registry = crate::catalog::Registry::load(config.catalogs.as_deref()).map_err(|e| {
            crate::error::Error::new(
                crate::error::SqlState::INVALID_PARAMETER_VALUE,
                e.to_string(),
            )
        })?;
        let flink = match &config.flink_gateway {
            Some(url) => Some(Arc::new(crate::flink::GatewayClient::new(
                url,
                config.flink.request_timeout,
            )?)),
            None => None,
        };
        Ok(Context {
            store: Arc::new(store),
            config,
            registry: Arc::new(registry),
            flink,
        })
    }

    /// A context over a fresh data directory `dir`, with default settings.
    #[cfg(test)]
    pub async fn for_tests(dir: &std::path::Path) -> Context {
        let mut config = Config::merge(Default::default(), Default::default()).unwrap();
        config.data_dir = dir.to_path_buf();
        Context::open(config).await.unwrap()
    }
}

/// Who a session belongs to.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// Unique in this process; also the pgwire backend process id.
    pub id: u32,
    /// The user name the client gave.
    pub user: String,
    /// The database the client connected to.
    pub database: String,
    /// Where the client is: `127.0.0.1:51234`, `repl`, or a script path.
    pub client: String,
}

impl SessionInfo {
    /// Session info with a fresh id.
    pub fn new(
        user: impl Into<String>,
        database: impl Into<String>,
        client: impl Into<String>,
    ) -> SessionInfo {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        SessionInfo {
            id: (NEXT_ID.fetch_add(1, Ordering::Relaxed) % u64::from(u32::MAX)) as u32,
            user: user.into(),
            database: database.into(),
            client: client.into(),
        }
    }
}

/// What a statement needs and returns, known before it runs: the types of
/// its `$n` parameters (`None` where they cannot be inferred) and the
/// schema of its rows (`None` for statements that return no rows).
#[derive(Clone, Debug, Default)]
pub struct Description {
    /// Parameter types, `$1` first.
    pub param_types: Vec<Option<DataType>>,
    /// Row schema, if the statement returns rows.
    pub schema: Option<SchemaRef>,
}

/// One client's session.
pub struct Session {
    context: Arc<Context>,
    info: SessionInfo,
    vars: SessionVars,
    engine: LocalEngine,
    cancel: CancelHandle,
    /// Recently parsed scripts, by text.
    parsed: HashMap<String, Arc<[ParsedStatement]>>,
    /// The Flink session, when a Flink SQL Gateway is configured.
    flink: Option<crate::flink::FlinkSession>,
    /// A Flink statement run early to describe its result (drivers
    /// describe before they execute), waiting for its Execute. (In a
    /// mutex only so that the session is `Sync`; nothing contends for it.)
    prefetched: Option<(String, std::sync::Mutex<StatementOutput>)>,
    /// Whether the engine shows the Flink catalog as it is now (listed on
    /// the first catalog query, again after DDL).
    flink_catalog_listed: bool,
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
            flink,
            prefetched: None,
            flink_catalog_listed: false,
            context,
            info,
            vars: SessionVars::new(),
            engine,
            cancel: CancelHandle::default(),
            parsed: HashMap::new(),
            transaction: TransactionState::Idle,
        }
    }

    /// Who this session belongs to.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    /// This session's variables.
    pub fn vars(&self) -> &SessionVars {
        &self.vars
    }

    /// This session's variables, for a frontend applying startup parameters.
    pub fn vars_mut(&mut self) -> &mut SessionVars {
        &mut self.vars
    }

    /// Checks the database the client connected to: `scaleph`, or with a
    /// Flink SQL Gateway the Flink catalog of that name — the Flink
    /// session opens now and starts in it (3D000 when Flink has no such
    /// catalog). The notices of opening it.
    pub async fn connect(&mut self) -> Result<Vec<crate::result::Notice>> {
        if self.info.database == crate::engine::LOCAL_DATABASE {
            return Ok(Vec::new());
        }
        let Some(flink) = self.flink.as_mut() else {
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
        if let Some(flink) = self.flink.as_mut() {
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
    /// `script`. Clients send the same statements again and again (pools'
    /// health checks, dashboards), so the last few parses are kept.
    pub fn parse(&mut self, script: &str) -> Result<Arc<[ParsedStatement]>> {
        if let Some(statements) = self.parsed.get(script) {
            return Ok(statements.clone());
        }
        let statements: Arc<[ParsedStatement]> = crate::sql::parse_script(script)?.into();
        if script.len() > PARSE_CACHE_MAX_SCRIPT {
            return Ok(statements);
        }
        if self.parsed.len() >= PARSE_CACHE_CAPACITY {
            self.parsed.clear();
        }
        self.parsed.insert(script.to_string(), statements.clone());
        Ok(statements)
    }

    /// Parameter types and row schema of `statement`, without running it.
    pub async fn describe(&mut self, statement: &ParsedStatement) -> Result<Description> {
        dispatch::describe(self, statement).await
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
            .run(dispatch::execute(self, statement, params))
            .await
            .map_err(|err| statement.locate(err));
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
