//! One scaleph session's Flink session: opened on the first Flink
//! statement, kept alive by a heartbeat, closed when the scaleph session
//! ends. scaleph is the source of truth for its state — the catalogs and
//! jars in the store, then this session's SET/RESET, USE and DDL in
//! statement order — and replays it into a new Flink session whenever
//! Flink has lost the old one (a gateway restart, idle expiry), then
//! retries the statement once. A Flink session is a cache.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use secrecy::ExposeSecret;
use tokio::task::JoinHandle;

use super::client::{GatewayClient, GatewayError};
use crate::error::{Result, SqlState};
use crate::result::Notice;
use crate::store::Store;

/// The Flink session key of the session time zone.
pub const LOCAL_TIME_ZONE: &str = "table.local-time-zone";
/// The Flink session key of the runtime mode.
pub const RUNTIME_MODE: &str = "execution.runtime-mode";

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
}

/// `'text'` with `'` doubled.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
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
        }
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

    /// Runs the store's catalogs and jars, then this session's log, in a
    /// new Flink session.
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
        for statement in &self.log {
            statements.push((statement.clone(), crate::sql::mask::redact(statement)));
        }
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
