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
    /// The client's PostgreSQL `TimeZone` as a zone Flink knows: the
    /// session zone unless `table.local-time-zone` is set.
    client_zone: String,
    /// Whether `log` holds a statement that sets the session zone (then
    /// later changes of the client's zone are logged too).
    zone_logged: bool,
}

/// Whether a `table.local-time-zone` value is Flink's `default` (the
/// gateway JVM's zone).
fn is_default_zone(zone: &str) -> bool {
    zone.trim().eq_ignore_ascii_case("default")
}

/// A zone by name as Flink and PostgreSQL write them: a tz database name
/// in any case (`Asia/Shanghai`, `utc`), or a whole-hour offset
/// `GMT+08:00` / `UTC-3` (Flink's fixed-offset form).
pub fn parse_zone(name: &str) -> Option<Tz> {
    let name = name.trim();
    if let Some(tz) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(name))
    {
        return Some(*tz);
    }
    let offset = name
        .get(..3)
        .filter(|prefix| prefix.eq_ignore_ascii_case("GMT") || prefix.eq_ignore_ascii_case("UTC"))
        .map(|_| &name[3..])?;
    let (sign, rest) = match offset.as_bytes().first()? {
        b'+' => ('-', &offset[1..]),
        b'-' => ('+', &offset[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "00"));
    let hours: u8 = hours.parse().ok()?;
    if !matches!(minutes, "00" | "0") || hours > 14 {
        return None;
    }
    if hours == 0 {
        return Some(Tz::UTC);
    }
    // The tz database's Etc/GMT zones have POSIX signs: Etc/GMT-8 is UTC+8.
    format!("Etc/GMT{sign}{hours}").parse().ok()
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
            client_zone: "UTC".to_string(),
            zone_logged: false,
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

    /// The session time zone: [`FlinkSession::flink_zone`] read as a
    /// zone; UTC when chrono-tz does not know it.
    pub fn zone(&self) -> Tz {
        parse_zone(self.flink_zone()).unwrap_or(Tz::UTC)
    }

    /// The `table.local-time-zone` the Flink session runs with: the one
    /// SET in this session or given by the configuration, unless that is
    /// `default`; else the client's PostgreSQL `TimeZone`. Flink's
    /// `default` would be the gateway JVM's zone, which scaleph cannot
    /// know, so it is never left to Flink.
    pub fn flink_zone(&self) -> &str {
        self.explicit_zone().unwrap_or(&self.client_zone)
    }

    /// The session zone set in this session or by the configuration (not
    /// `default`): then the client's zone does not apply.
    fn explicit_zone(&self) -> Option<&str> {
        self.set
            .get(LOCAL_TIME_ZONE)
            .or_else(|| self.properties.get(LOCAL_TIME_ZONE))
            .map(String::as_str)
            .filter(|zone| !is_default_zone(zone))
    }

    /// The client's PostgreSQL `TimeZone` changed (a startup parameter,
    /// `SET TIME ZONE`, `SET TimeZone`): the session zone follows it unless
    /// `table.local-time-zone` is set. A zone chrono-tz does not know is
    /// taken as UTC. Sent to the open Flink session, if any.
    pub async fn set_client_zone(&mut self, zone: &str) -> Result<()> {
        let zone = match parse_zone(zone) {
            Some(tz) => tz.name().to_string(),
            None => {
                tracing::warn!(session = %self.name, zone, "a time zone Flink may not know: the Flink session runs in UTC");
                "UTC".to_string()
            }
        };
        if zone == self.client_zone {
            return Ok(());
        }
        if self.explicit_zone().is_none() {
            self.pin_zone(&zone).await?;
        }
        self.client_zone = zone;
        Ok(())
    }

    /// `SET 'table.local-time-zone' = zone` in the open Flink session,
    /// logged for replay only when the log sets the zone already (else the
    /// properties a new session opens with carry it).
    async fn pin_zone(&mut self, zone: &str) -> Result<()> {
        let statement = format!("SET {} = {}", quote(LOCAL_TIME_ZONE), quote(zone));
        self.send_state(&statement).await?;
        if self.zone_logged {
            self.record(&statement);
        }
        Ok(())
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
        properties.insert(LOCAL_TIME_ZONE.to_string(), self.flink_zone().to_string());
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
    /// session is open, recorded either way. `table.local-time-zone` set
    /// to `default` is a [`FlinkSession::reset`] of it.
    pub async fn set(&mut self, key: &str, value: &str) -> Result<()> {
        if key == LOCAL_TIME_ZONE && is_default_zone(value) {
            return self.reset(Some(key)).await;
        }
        let statement = format!("SET {} = {}", quote(key), quote(value));
        self.apply_state(&statement).await?;
        self.set.insert(key.to_string(), value.to_string());
        self.zone_logged |= key == LOCAL_TIME_ZONE;
        Ok(())
    }

    /// `RESET 'key'` (or every key when `None`) of Flink properties. The
    /// session zone is set again rather than reset: Flink would go back to
    /// its own default, the JVM's zone.
    pub async fn reset(&mut self, key: Option<&str>) -> Result<()> {
        match key {
            Some(key) if key == LOCAL_TIME_ZONE => {
                self.set.remove(key);
                self.zone_logged = true;
                let zone = self.flink_zone().to_string();
                return self.pin_zone(&zone).await;
            }
            Some(key) => {
                self.apply_state(&format!("RESET {}", quote(key))).await?;
                self.set.remove(key);
            }
            None => {
                self.apply_state("RESET").await?;
                self.set.clear();
                self.zone_logged = true;
                let zone = self.flink_zone().to_string();
                self.pin_zone(&zone).await?;
            }
        }
        Ok(())
    }

    /// Runs a state statement in the open Flink session (if any) and
    /// records it for replay.
    async fn apply_state(&mut self, statement: &str) -> Result<()> {
        self.send_state(statement).await?;
        self.record(statement);
        Ok(())
    }

    /// Runs a state statement in the open Flink session, if there is one
    /// (a lost session is forgotten: the next one opens with the state).
    async fn send_state(&mut self, statement: &str) -> Result<()> {
        if let Some(open) = &self.open {
            let handle = open.handle.clone();
            match self.configure(&handle, statement).await {
                Err(err) if err.session_missing() => self.forget(),
                other => other?,
            }
        }
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

    #[test]
    fn zones_parse_as_flink_and_postgresql_write_them() {
        assert_eq!(parse_zone("asia/shanghai"), Some(chrono_tz::Asia::Shanghai));
        assert_eq!(parse_zone(" UTC "), Some(Tz::UTC));
        assert_eq!(parse_zone("GMT+08:00"), Some(chrono_tz::Etc::GMTMinus8));
        assert_eq!(parse_zone("UTC-3"), Some(chrono_tz::Etc::GMTPlus3));
        assert_eq!(parse_zone("UTC+00:00"), Some(Tz::UTC));
        assert_eq!(parse_zone("GMT+05:30"), None);
        assert_eq!(parse_zone("Mars/Olympus"), None);
        assert!(is_default_zone(" Default "));
    }

    #[tokio::test]
    async fn issue_18_the_session_zone_is_the_clients_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = session(dir.path()).await;
        assert_eq!(session.flink_zone(), "UTC");
        session.set_client_zone("asia/tokyo").await.unwrap();
        assert_eq!(session.flink_zone(), "Asia/Tokyo");
        assert_eq!(session.zone(), chrono_tz::Asia::Tokyo);
        assert!(
            session.log.is_empty(),
            "a new Flink session opens in the client's zone: nothing to replay"
        );
        session.set(LOCAL_TIME_ZONE, "Europe/Paris").await.unwrap();
        session.set_client_zone("UTC").await.unwrap();
        assert_eq!(session.flink_zone(), "Europe/Paris");
        session.set(LOCAL_TIME_ZONE, "default").await.unwrap();
        assert_eq!(session.flink_zone(), "UTC");
        session.set_client_zone("Mars/Olympus").await.unwrap();
        assert_eq!(session.flink_zone(), "UTC");
        session.set_client_zone("Asia/Kolkata").await.unwrap();
        session.reset(None).await.unwrap();
        assert_eq!(
            session.log,
            vec![
                "SET 'table.local-time-zone' = 'Europe/Paris'",
                "SET 'table.local-time-zone' = 'UTC'",
                "SET 'table.local-time-zone' = 'Asia/Kolkata'",
                "RESET",
                "SET 'table.local-time-zone' = 'Asia/Kolkata'",
            ]
        );
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
