//! One scaleph session's Flink session: opened on the first Flink
//! statement, kept alive by a heartbeat, closed when the scaleph session
//! ends. scaleph is the source of truth for its state — the catalogs and
//! jars in the store, then this session's SET/RESET, USE and DDL in
//! statement order — and replays it into a new Flink session whenever
//! Flink has lost the old one (a gateway restart, idle expiry), then
//! retries the statement once. A Flink session is a cache.
//!
//! Only what lives in the Flink session is replayed: SET/RESET, USE,
//! modules, TEMPORARY objects and objects of in-memory catalogs (the
//! built-in catalog, `generic_in_memory` catalogs). DDL on a persistent
//! catalog (Paimon, Hive, JDBC, ...) already took effect in that catalog's
//! own store, where other people work too: replaying `DROP TABLE
//! lake.db.t` after someone re-created `lake.db.t` would destroy their
//! table, so it is never recorded. A catalog scaleph does not know the
//! type of counts as persistent.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use secrecy::ExposeSecret;
use tokio::task::JoinHandle;

use super::client::{GatewayClient, GatewayError};
use crate::error::{Result, SqlState};
use crate::result::Notice;
use crate::sql::ast::{Effect, FlinkStatement};
use crate::store::Store;

/// The `'type'` of Flink's in-memory catalog.
pub const IN_MEMORY_CATALOG_TYPE: &str = "generic_in_memory";

/// The Flink session key of the session time zone.
pub const LOCAL_TIME_ZONE: &str = "table.local-time-zone";
/// The Flink session key of the runtime mode.
pub const RUNTIME_MODE: &str = "execution.runtime-mode";
/// The Flink session key of the built-in catalog's name.
pub const BUILTIN_CATALOG: &str = "table.builtin-catalog-name";
/// The built-in catalog's name when the configuration does not set one.
pub const DEFAULT_BUILTIN_CATALOG: &str = "default_catalog";

/// A Flink session that is open.
struct Open {
    handle: Arc<str>,
    heartbeat: JoinHandle<()>,
    /// Its effective configuration when it was opened.
    config: BTreeMap<String, String>,
}

/// A scaleph session's Flink session.
pub struct FlinkSession {
    client: Arc<GatewayClient>,
    store: Arc<dyn Store>,
    /// `user@client`, as Flink shows it.
    name: String,
    /// Properties every Flink session opens with (from the configuration).
    properties: BTreeMap<String, String>,
    heartbeat_every: Duration,
    open: Option<Open>,
    /// SET/RESET and session DDL of this session, in order, for replay.
    log: Vec<String>,
    /// Flink properties SET in this session (over `properties`).
    set: BTreeMap<String, String>,
    /// The catalog the session starts in (the pg database the client
    /// connected to), `None` for the built-in one.
    catalog: Option<String>,
    /// The catalog this session's `USE` made current, `None` while it is
    /// the one it started in.
    current_catalog: Option<String>,
}

/// `'text'` with `'` doubled.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A Flink identifier: `` `name` `` with `` ` `` doubled.
pub fn quote_identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

impl FlinkSession {
    /// A Flink session for the scaleph session of `name`, not opened yet.
    pub fn new(
        client: Arc<GatewayClient>,
        store: Arc<dyn Store>,
        name: String,
        properties: BTreeMap<String, String>,
        heartbeat_every: Duration,
    ) -> FlinkSession {
        FlinkSession {
            client,
            store,
            name,
            properties,
            heartbeat_every,
            open: None,
            log: Vec::new(),
            set: BTreeMap::new(),
            catalog: None,
            current_catalog: None,
        }
    }

    /// The session starts in Flink catalog `catalog` (`USE CATALOG` after
    /// the store's catalogs are created, before this session's log).
    pub fn start_in_catalog(&mut self, catalog: String) {
        self.catalog = Some(catalog);
    }

    /// The catalog the session started in: the one chosen by
    /// [`FlinkSession::start_in_catalog`], else the built-in catalog.
    pub fn start_catalog(&self) -> &str {
        self.catalog
            .as_deref()
            .unwrap_or_else(|| self.builtin_catalog())
    }

    /// The name of Flink's built-in catalog in this session.
    pub fn builtin_catalog(&self) -> &str {
        self.property(BUILTIN_CATALOG)
            .unwrap_or(DEFAULT_BUILTIN_CATALOG)
    }

    /// The client of the gateway.
    pub fn client(&self) -> &Arc<GatewayClient> {
        &self.client
    }

    /// A Flink property's value as this session sees it: SET here, else
    /// the configuration, else what Flink said when the session opened.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.set
            .get(key)
            .or_else(|| self.properties.get(key))
            .or_else(|| self.open.as_ref().and_then(|o| o.config.get(key)))
            .map(String::as_str)
    }

    /// The session time zone (`table.local-time-zone`); UTC when Flink
    /// says `default` or names a zone chrono-tz does not know.
    pub fn zone(&self) -> Tz {
        self.property(LOCAL_TIME_ZONE)
            .and_then(|zone| zone.parse().ok())
            .unwrap_or(Tz::UTC)
    }

    /// Whether queries run in batch mode (bounded, insert-only results).
    pub fn is_batch(&self) -> bool {
        self.property(RUNTIME_MODE)
            .is_some_and(|mode| mode.eq_ignore_ascii_case("batch"))
    }

    /// The open Flink session's handle, opening one (and replaying the
    /// state into it) if there is none; replay failures become warnings.
    pub async fn handle(&mut self, notices: &mut Vec<Notice>) -> Result<Arc<str>> {
        if let Some(open) = &self.open {
            return Ok(open.handle.clone());
        }
        let mut properties = self.properties.clone();
        properties.extend(self.set.clone());
        let handle: Arc<str> = self
            .client
            .open_session(&self.name, &properties)
            .await?
            .into();
        let heartbeat = tokio::spawn(heartbeat(
            self.client.clone(),
            handle.clone(),
            self.heartbeat_every,
        ));
        // Dropping `open` (on an error below) closes the new session.
        self.open = Some(Open {
            handle: handle.clone(),
            heartbeat,
            config: BTreeMap::new(),
        });
        let config = self.client.session_config(&handle).await?;
        if let Some(open) = self.open.as_mut() {
            open.config = config;
        }
        self.replay(&handle, notices).await?;
        tracing::info!(session = %self.name, flink_session = %handle, "opened a Flink session");
        Ok(handle)
    }

    /// Runs the store's catalogs and jars, then `USE CATALOG` of the
    /// session's catalog (which must succeed: 3D000 when Flink has no such
    /// catalog), then this session's log, in a new Flink session.
    async fn replay(&self, handle: &str, notices: &mut Vec<Notice>) -> Result<()> {
        let mut statements: Vec<(String, String)> = Vec::new();
        for catalog in self.store.list_flink_catalogs().await? {
            statements.push((
                catalog.definition.expose_secret().to_string(),
                format!("CREATE CATALOG {}", catalog.name),
            ));
        }
        for jar in self.store.list_jars().await? {
            let statement = format!("ADD JAR {}", quote(&jar.source));
            statements.push((statement.clone(), statement));
        }
        self.restore(handle, statements, notices).await?;
        if let Some(catalog) = &self.catalog {
            let statement = format!("USE CATALOG {}", quote_identifier(catalog));
            match self.configure(handle, &statement).await {
                Err(err @ GatewayError::Failed(_)) if !err.session_missing() => {
                    return Err(crate::error::Error::new(
                        SqlState::INVALID_CATALOG_NAME,
                        format!("database \"{catalog}\" does not exist"),
                    )
                    .with_detail(format!(
                        "it is not a Flink catalog: {}",
                        err.into_error().message
                    ))
                    .with_hint(
                        "database scaleph is Flink's built-in catalog; any other database is the Flink catalog of that name (SHOW CATALOGS lists them)",
                    ));
                }
                other => other?,
            }
        }
        let log = self
            .log
            .iter()
            .map(|statement| (statement.clone(), crate::sql::mask::redact(statement)))
            .collect();
        self.restore(handle, log, notices).await
    }

    /// Runs `(statement, shown)` pairs in order; a failure is a warning
    /// naming `shown`, except that a lost session ends the replay.
    async fn restore(
        &self,
        handle: &str,
        statements: Vec<(String, String)>,
        notices: &mut Vec<Notice>,
    ) -> Result<()> {
        for (statement, shown) in statements {
            match self.configure(handle, &statement).await {
                Ok(()) => {}
                Err(err) if err.session_missing() => return Err(err.into()),
                Err(err) => notices.push(Notice {
                    severity: "WARNING",
                    sqlstate: SqlState::WARNING,
                    message: format!(
                        "the new Flink session could not restore `{shown}`: {}",
                        err.into_error().message
                    ),
                }),
            }
        }
        Ok(())
    }

    /// Runs a state statement to completion: `configure-session` on V2
    /// and later, execute-and-read on V1.
    async fn configure(
        &self,
        handle: &str,
        statement: &str,
    ) -> std::result::Result<(), GatewayError> {
        if self.client.version().await?.has_configure_session() {
            return self.client.configure_session(handle, statement).await;
        }
        let operation = self.client.execute(handle, statement).await?;
        let outcome = super::fetch::drain(&self.client, handle, &operation).await;
        let _ = self.client.close_operation(handle, &operation).await;
        outcome
    }

    /// Submits `text`; if Flink lost the session, opens a new one, replays
    /// the state and submits once more. The session and operation handles.
    pub async fn submit(
        &mut self,
        text: &str,
        notices: &mut Vec<Notice>,
    ) -> Result<(Arc<str>, String)> {
        let handle = self.handle(notices).await?;
        match self.client.execute(&handle, text).await {
            Err(err) if err.session_missing() => {
                tracing::info!(session = %self.name, "the Flink session is gone; reopening it");
                self.forget();
                let handle = self.handle(notices).await?;
                let operation = self.client.execute(&handle, text).await?;
                Ok((handle, operation))
            }
            other => Ok((handle, other?)),
        }
    }

    /// Closes the open Flink session, if there is one.
    pub async fn close(&mut self) {
        if let Some(open) = self.open.take()
            && let Err(err) = self.client.close_session(&open.handle).await
        {
            tracing::debug!(error = ?err, "closing a Flink session failed");
        }
    }

    /// Forgets the open Flink session without closing it (Flink lost it).
    pub fn forget(&mut self) {
        // Dropping it stops its heartbeat.
        self.open = None;
    }

    /// Records a statement that changed the session's state, for replay.
    pub fn record(&mut self, statement: &str) {
        self.log.push(statement.to_string());
    }

    /// The catalog statements without a catalog name act on.
    pub fn current_catalog(&self) -> &str {
        self.current_catalog
            .as_deref()
            .unwrap_or_else(|| self.start_catalog())
    }

    /// After `statement` (written as `text`) succeeded: follows its `USE`,
    /// and records it for replay when what it changed lives in this
    /// session (see the module doc); DDL on a persistent catalog is not
    /// recorded. Whether it was recorded.
    pub async fn remember(&mut self, text: &str, statement: &FlinkStatement) -> Result<bool> {
        if statement.effect != Effect::Session {
            return Ok(false);
        }
        if let Some(catalog) = &statement.uses_catalog {
            self.current_catalog = Some(catalog.clone());
        }
        // A catalog's own definition is the session's (CREATE CATALOG is
        // replayed from the store); its objects are where they live.
        if let Some(ddl) = statement
            .ddl
            .as_ref()
            .filter(|ddl| !ddl.temporary && ddl.object != "CATALOG")
        {
            let catalog = ddl
                .catalog()
                .unwrap_or_else(|| self.current_catalog())
                .to_string();
            if !self.is_in_memory(&catalog).await? {
                tracing::debug!(session = %self.name, catalog, "not replayed: DDL on a persistent catalog");
                return Ok(false);
            }
        }
        self.record(text);
        Ok(true)
    }

    /// Whether `catalog` keeps its objects in the Flink session: the
    /// built-in catalog, or one scaleph created as `generic_in_memory`.
    /// Flink's catalog names are case-sensitive.
    async fn is_in_memory(&self, catalog: &str) -> Result<bool> {
        if catalog == self.builtin_catalog() {
            return Ok(true);
        }
        Ok(self.store.list_flink_catalogs().await?.iter().any(|c| {
            c.name == catalog
                && c.catalog_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(IN_MEMORY_CATALOG_TYPE))
        }))
    }

    /// `SET 'key' = 'value'` of a Flink property: forwarded when a Flink
    /// session is open, recorded either way.
    pub async fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let statement = format!("SET {} = {}", quote(key), quote(value));
        self.apply_state(&statement).await?;
        self.set.insert(key.to_string(), value.to_string());
        Ok(())
    }

    /// `RESET 'key'` (or every key when `None`) of Flink properties.
    pub async fn reset(&mut self, key: Option<&str>) -> Result<()> {
        let statement = match key {
            Some(key) => format!("RESET {}", quote(key)),
            None => "RESET".to_string(),
        };
        self.apply_state(&statement).await?;
        match key {
            Some(key) => {
                self.set.remove(key);
            }
            None => self.set.clear(),
        }
        Ok(())
    }

    async fn apply_state(&mut self, statement: &str) -> Result<()> {
        if let Some(open) = &self.open {
            let handle = open.handle.clone();
            match self.configure(&handle, statement).await {
                Err(err) if err.session_missing() => self.forget(),
                other => other?,
            }
        }
        self.record(statement);
        Ok(())
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

impl Drop for FlinkSession {
    fn drop(&mut self) {
        let Some(open) = self.open.take() else { return };
        let client = self.client.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = client.close_session(&open.handle).await {
                    tracing::debug!(error = ?err, "closing a Flink session failed");
                }
            });
        }
    }
}

/// Touches the session every `every` until it is gone or closed.
async fn heartbeat(client: Arc<GatewayClient>, handle: Arc<str>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match client.heartbeat(&handle).await {
            Ok(()) => {}
            Err(err) if err.session_missing() => return,
            Err(err) => tracing::debug!(error = ?err, "a Flink session heartbeat failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::classify::classify_text;
    use crate::store::{FlinkCatalog, SqliteStore};

    async fn session(dir: &std::path::Path) -> FlinkSession {
        let store = SqliteStore::open(dir).await.unwrap();
        for (name, catalog_type) in [("lake", "paimon"), ("scratch", "GENERIC_IN_MEMORY")] {
            store
                .put_flink_catalog(FlinkCatalog {
                    name: name.into(),
                    catalog_type: Some(catalog_type.into()),
                    definition: "CREATE CATALOG ...".to_string().into(),
                    shown: "CREATE CATALOG ...".into(),
                    created_at: chrono::Utc::now(),
                })
                .await
                .unwrap();
        }
        let client = GatewayClient::new("http://127.0.0.1:9", Duration::from_secs(1)).unwrap();
        FlinkSession::new(
            Arc::new(client),
            Arc::new(store),
            "test".into(),
            BTreeMap::new(),
            Duration::from_secs(60),
        )
    }

    async fn remembered(session: &mut FlinkSession, sql: &str) -> bool {
        session.remember(sql, &classify_text(sql)).await.unwrap()
    }

    #[tokio::test]
    async fn issue_18_ddl_on_persistent_catalogs_is_never_replayed() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = session(dir.path()).await;
        assert!(remembered(&mut session, "CREATE TABLE t (a INT)").await);
        assert!(remembered(&mut session, "CREATE DATABASE default_catalog.db").await);
        assert!(!remembered(&mut session, "DROP TABLE lake.db.t").await);
        assert!(!remembered(&mut session, "CREATE DATABASE lake.db").await);
        assert!(!remembered(&mut session, "CREATE TABLE unknown_catalog.db.t (a INT)").await);
        assert!(remembered(&mut session, "CREATE TABLE scratch.db.t (a INT)").await);
        assert!(remembered(&mut session, "USE CATALOG lake").await);
        assert_eq!(session.current_catalog(), "lake");
        assert!(!remembered(&mut session, "DROP TABLE db.t").await);
        assert!(!remembered(&mut session, "ALTER TABLE t RENAME TO u").await);
        assert!(remembered(&mut session, "CREATE TEMPORARY VIEW v AS SELECT 1").await);
        assert!(remembered(&mut session, "DROP TEMPORARY TABLE IF EXISTS tmp").await);
        assert!(remembered(&mut session, "USE default_catalog.db").await);
        assert!(remembered(&mut session, "DROP TABLE t").await);
        assert!(remembered(&mut session, "LOAD MODULE hive").await);
        assert!(!remembered(&mut session, "SELECT 1").await);
        assert_eq!(
            session.log,
            vec![
                "CREATE TABLE t (a INT)",
                "CREATE DATABASE default_catalog.db",
                "CREATE TABLE scratch.db.t (a INT)",
                "USE CATALOG lake",
                "CREATE TEMPORARY VIEW v AS SELECT 1",
                "DROP TEMPORARY TABLE IF EXISTS tmp",
                "USE default_catalog.db",
                "DROP TABLE t",
                "LOAD MODULE hive",
            ]
        );
    }
}
