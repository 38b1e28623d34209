//! One scaleph session's Flink session: opened on the first Flink
//! statement, kept alive by a heartbeat, closed when the scaleph session
//! ends. scaleph is the source of truth for its state — the catalogs,
//! jars and shared default catalog in the store, then this session's
//! SET/RESET, USE and DDL in statement order — and replays it into a new
//! Flink session whenever
//! Flink has lost the old one (a gateway restart, idle expiry), then
//! retries the statement once. A Flink session is a cache.
//!
//! Only what lives in the Flink session is logged for replay: SET/RESET,
//! USE, modules, TEMPORARY objects and objects of `generic_in_memory`
//! catalogs (and of the built-in catalog what is not shared, such as
//! models). DDL on a persistent
//! catalog (Paimon, Hive, JDBC, ...) already took effect in that catalog's
//! own store, where other people work too: replaying `DROP TABLE
//! lake.db.t` after someone re-created `lake.db.t` would destroy their
//! table, so it is never recorded. A catalog scaleph does not know the
//! type of counts as persistent.
//!
//! The built-in catalog is scaleph's shared default catalog
//! ([`super::shared`]): its databases, tables, views and functions (not
//! TEMPORARY) are kept in the store, not in this session's log, replayed
//! after the catalogs and jars when a Flink session opens, and caught up
//! with before each statement when another connection changed them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono_tz::Tz;
use secrecy::ExposeSecret;
use tokio::task::JoinHandle;

use super::client::{GatewayClient, GatewayError};
use super::shared::{self, ClaimRefused, SharedChange, Whereabouts};
use crate::error::{Result, SqlState};
use crate::result::Notice;
use crate::sql::ast::{Effect, FlinkStatement, FlinkStatementKind};
use crate::store::{FlinkCatalogStatement, FlinkContext, Store};

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
/// The Flink session key of the built-in catalog's default database.
pub const BUILTIN_DATABASE: &str = "table.builtin-database-name";
/// The built-in catalog's default database when the configuration does
/// not name one.
pub const DEFAULT_BUILTIN_DATABASE: &str = "default_database";

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
    /// The database this session's `USE` made current, `None` while it is
    /// the current catalog's default one.
    current_database: Option<String>,
    /// The shared catalog's version the open Flink session has applied.
    applied: u64,
    /// Versions above `applied` that this session made itself (its Flink
    /// session has them already).
    own: BTreeSet<u64>,
    /// Set when a shared-catalog statement ended without an answer to
    /// keep: the Flink session is rebuilt before the next statement.
    stale: Arc<AtomicBool>,
    /// Whether the Flink session's catalog changed other than by this
    /// session's own statements (another connection's changes caught up
    /// with, a new Flink session) since [`FlinkSession::catch_up`] last
    /// said.
    catalog_changed: bool,
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
pub use crate::sql::ast::quote_flink_identifier as quote_identifier;

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
            current_database: None,
            applied: 0,
            own: BTreeSet::new(),
            stale: Arc::new(AtomicBool::new(false)),
            catalog_changed: false,
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

    /// The open Flink session's handle, caught up with the shared
    /// catalog; or a new Flink session with the state replayed into it
    /// when there is none (or Flink lost it, or it is stale). Replay
    /// failures become warnings.
    pub async fn handle(&mut self, notices: &mut Vec<Notice>) -> Result<Arc<str>> {
        if self.stale.swap(false, Ordering::SeqCst) {
            tracing::info!(session = %self.name, "rebuilding the Flink session from the store");
            self.close().await;
        }
        if let Some(open) = &self.open {
            let handle = open.handle.clone();
            match self.catch_up_open(&handle, notices).await? {
                CatchUp::Lost => self.forget(),
                CatchUp::Current | CatchUp::Changed => return Ok(handle),
            }
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
        self.catalog_changed = true;
        self.replay(&handle, notices).await?;
        tracing::info!(session = %self.name, flink_session = %handle, "opened a Flink session");
        Ok(handle)
    }

    /// Runs the store's catalogs and jars, then the shared catalog's
    /// statements, then `USE CATALOG` of the session's catalog (which must succeed: 3D000 when Flink has no such
    /// catalog), then this session's log, in a new Flink session.
    async fn replay(&mut self, handle: &str, notices: &mut Vec<Notice>) -> Result<()> {
        let mut statements: Vec<(String, String)> = Vec::new();
        for catalog in self.store.list_flink_catalogs().await? {
            statements.push((
                catalog.definition.expose_secret().to_string(),
                catalog.shown,
            ));
        }
        for jar in self.store.list_jars().await? {
            let statement = format!("ADD JAR {}", quote(&jar.source));
            statements.push((statement.clone(), statement));
        }
        self.restore(handle, statements, notices).await?;
        let shared = self.store.flink_catalog_replay(None).await?;
        self.apply_shared(handle, shared.statements, &FlinkContext::default(), notices)
            .await?;
        self.applied = shared.version;
        self.own.clear();
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

    /// What gives a fresh `TableEnvironment` this session's state — what
    /// a job's script runs before its own statement: see [`job_prelude`].
    pub async fn job_prelude(&self) -> Result<JobPrelude> {
        let mut properties = self.properties.clone();
        properties.extend(self.set.clone());
        properties.insert(LOCAL_TIME_ZONE.to_string(), self.flink_zone().to_string());
        job_prelude(
            self.store.as_ref(),
            properties,
            self.builtin_catalog(),
            self.catalog.as_deref(),
            &self.log,
        )
        .await
    }

    /// Runs `(statement, shown)` pairs in order; a failure is a warning
    /// naming `shown`, except that a lost session ends the replay. The
    /// warning never holds what `shown` masks, even when Flink's message
    /// echoes the statement (it reaches the client and the logs).
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
                Err(err) => {
                    let secrets = crate::sql::mask::masked_values(&statement, &shown);
                    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
                    let cause = crate::error::scrub_secrets(&err.into_error().message, &secrets);
                    notices.push(Notice {
                        severity: "WARNING",
                        sqlstate: SqlState::WARNING,
                        message: format!(
                            "the new Flink session could not restore `{shown}`: {cause}"
                        ),
                    })
                }
            }
        }
        Ok(())
    }

    /// Runs statements of the shared catalog in order, each in its context
    /// (a `USE` before it when that differs from the last one's), then
    /// puts the session back into `back`, where it was. A statement that
    /// fails is tried once more after the rest (a view over a table that
    /// was dropped and created again comes before the table), then is a
    /// warning; a statement whose `USE` fails is not run. A lost session
    /// is the error.
    async fn apply_shared(
        &self,
        handle: &str,
        statements: Vec<FlinkCatalogStatement>,
        back: &FlinkContext,
        notices: &mut Vec<Notice>,
    ) -> std::result::Result<(), GatewayError> {
        let mut here = Some(back.clone());
        let mut todo = statements;
        for last_pass in [false, true] {
            let mut failed = Vec::new();
            for statement in todo {
                let outcome = match self.enter(handle, &mut here, &statement.context).await? {
                    Ok(()) => {
                        self.configure(handle, statement.statement.expose_secret())
                            .await
                    }
                    Err(err) => Err(err),
                };
                match outcome {
                    Ok(()) => {}
                    Err(err) if err.session_missing() => return Err(err),
                    Err(_) if !last_pass => failed.push(statement),
                    Err(err) => notices.push(shared_warning(&statement.shown, err)),
                }
            }
            todo = failed;
        }
        if let Err(err) = self.enter(handle, &mut here, back).await? {
            notices.push(shared_warning(
                &shared::use_statement(back, self.builtin_catalog()),
                err,
            ));
        }
        Ok(())
    }

    /// Puts the session into `context` from `here` (`None`: unknown), with
    /// a `USE` when they differ. The outer error is a lost session, the
    /// inner one a `USE` Flink refused.
    async fn enter(
        &self,
        handle: &str,
        here: &mut Option<FlinkContext>,
        context: &FlinkContext,
    ) -> std::result::Result<std::result::Result<(), GatewayError>, GatewayError> {
        if here.as_ref() == Some(context) {
            return Ok(Ok(()));
        }
        match self
            .configure(
                handle,
                &shared::use_statement(context, self.builtin_catalog()),
            )
            .await
        {
            Ok(()) => {
                *here = Some(context.clone());
                Ok(Ok(()))
            }
            Err(err) if err.session_missing() => Err(err),
            Err(err) => {
                *here = None;
                Ok(Err(err))
            }
        }
    }

    /// Where this session's statements run, for the shared catalog.
    fn whereabouts(&self) -> Whereabouts<'_> {
        Whereabouts {
            builtin: self.builtin_catalog(),
            builtin_database: self
                .property(BUILTIN_DATABASE)
                .unwrap_or(DEFAULT_BUILTIN_DATABASE),
            catalog: self.current_catalog(),
            database: self.current_database.as_deref(),
        }
    }

    /// Applies to the open Flink session what other connections changed
    /// in the shared catalog since it last caught up.
    async fn catch_up_open(&mut self, handle: &str, notices: &mut Vec<Notice>) -> Result<CatchUp> {
        if self.store.flink_catalog_version().await? <= self.applied {
            return Ok(CatchUp::Current);
        }
        let delta = self.store.flink_catalog_replay(Some(self.applied)).await?;
        let missed: Vec<FlinkCatalogStatement> = delta
            .statements
            .into_iter()
            .filter(|s| !self.own.contains(&s.version))
            .collect();
        let changed = !missed.is_empty();
        let back = self.whereabouts().context();
        match self.apply_shared(handle, missed, &back, notices).await {
            Err(err) if err.session_missing() => return Ok(CatchUp::Lost),
            other => other?,
        }
        tracing::debug!(session = %self.name, from = self.applied, to = delta.version, "caught up with the shared catalog");
        self.applied = delta.version;
        self.own.retain(|v| *v > delta.version);
        self.catalog_changed |= changed;
        Ok(if changed {
            CatchUp::Changed
        } else {
            CatchUp::Current
        })
    }

    /// Catches the open Flink session up with the shared catalog (see
    /// [`FlinkSession::handle`]): whether its catalog changed other than by
    /// this session's statements since the last call (or
    /// [`FlinkSession::take_catalog_changed`]), so that a listing of it is
    /// stale. Without an open Flink session, whether the next one will
    /// differ from the last.
    pub async fn catch_up(&mut self, notices: &mut Vec<Notice>) -> Result<bool> {
        match self.open.as_ref().map(|open| open.handle.clone()) {
            None => {
                self.catalog_changed |= self.store.flink_catalog_version().await? != self.applied;
            }
            Some(_) if self.stale.load(Ordering::SeqCst) => self.catalog_changed = true,
            Some(handle) => {
                if let CatchUp::Lost = self.catch_up_open(&handle, notices).await? {
                    self.forget();
                    self.catalog_changed = true;
                }
            }
        }
        Ok(self.take_catalog_changed())
    }

    /// Whether the Flink session's catalog changed other than by this
    /// session's statements since the last [`FlinkSession::catch_up`] or
    /// call of this; a listing of the catalog made now is current.
    pub fn take_catalog_changed(&mut self) -> bool {
        std::mem::take(&mut self.catalog_changed)
    }

    /// Before `statement` runs: what it does to the shared catalog, its new name claimed — or, for a
    /// CREATE IF NOT EXISTS of a name the catalog has, the notice to answer
    /// with instead of running it. 42P07 (42723, 42P06) when another
    /// connection has the name or is creating it: the statement never
    /// reaches Flink.
    pub async fn prepare(&mut self, statement: &FlinkStatement) -> Result<Prepared> {
        let ddl = match &statement.ddl {
            // A DDL statement that writes data or submits a job
            // (`ALTER TABLE t COMPACT`) is never replayed.
            Some(ddl)
                if statement.kind == FlinkStatementKind::Ddl
                    && statement.effect == Effect::Session
                    && statement.preview_allows() =>
            {
                ddl
            }
            _ => return Ok(Prepared::Run(None)),
        };
        let Some(shared) = shared::resolve(ddl, &self.whereabouts()) else {
            return Ok(Prepared::Run(None));
        };
        let create_if_absent = shared.if_exists && shared.verb == crate::sql::ast::DdlVerb::Create;
        match SharedChange::claim(shared, self.store.clone(), self.stale.clone(), &self.name).await
        {
            Ok(change) => Ok(Prepared::Run(Some(change))),
            Err(ClaimRefused::Taken(name)) if create_if_absent => {
                Ok(Prepared::Skip(shared::exists_notice(&name)))
            }
            Err(ClaimRefused::Taken(name)) => Err(shared::duplicate(&name)),
            Err(ClaimRefused::Store(err)) => Err(err),
        }
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

    /// After `statement` (written as `text`, shown as `shown`) succeeded:
    /// keeps its change of the shared catalog in the store, when
    /// [`FlinkSession::prepare`] gave one; else follows its `USE`, and
    /// records it for replay when what it changed lives in this session
    /// (see the module doc); DDL on a persistent catalog is not recorded.
    /// Whether it was kept or recorded.
    pub async fn remember(
        &mut self,
        text: &str,
        shown: &str,
        statement: &FlinkStatement,
        change: Option<SharedChange>,
    ) -> Result<bool> {
        if let Some(change) = change {
            let Some(version) = change.keep(text, shown, &self.name).await? else {
                return Ok(false);
            };
            self.own.insert(version);
            while self.own.remove(&(self.applied + 1)) {
                self.applied += 1;
            }
            return Ok(true);
        }
        if statement.effect != Effect::Session {
            return Ok(false);
        }
        if let Some(catalog) = &statement.uses_catalog {
            self.current_catalog = Some(catalog.clone());
            self.current_database = statement.uses_database.clone();
        } else if let Some(database) = &statement.uses_database {
            self.current_database = Some(database.clone());
        }
        // A catalog's own definition is the session's (CREATE CATALOG is
        // replayed from the store); its objects are where they live.
        if let Some(ddl) = statement
            .ddl
            .as_ref()
            .filter(|ddl| !ddl.temporary && ddl.object != "CATALOG")
        {
            if shared::resolve(ddl, &self.whereabouts()).is_some() {
                // The shared catalog's objects are the store's (what
                // `prepare` did not take writes data: never replayed).
                return Ok(false);
            }
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

/// What catching up with the shared catalog found.
enum CatchUp {
    /// Nothing from another connection.
    Current,
    /// Another connection's changes, now applied.
    Changed,
    /// Flink lost the session.
    Lost,
}

/// What a statement does to the shared catalog, decided before it runs.
pub enum Prepared {
    /// Run it; keep the change (if any) once Flink accepts it.
    Run(Option<SharedChange>),
    /// Do not run it (`CREATE ... IF NOT EXISTS` of a name the catalog
    /// has): answer with the notice.
    Skip(Notice),
}

/// The warning for a shared-catalog statement (shown as `shown`) a Flink
/// session could not apply; Flink's message masked too, since it may
/// quote the statement.
fn shared_warning(shown: &str, err: GatewayError) -> Notice {
    Notice {
        severity: "WARNING",
        sqlstate: SqlState::WARNING,
        message: format!(
            "the Flink session could not apply `{shown}` of scaleph's shared catalog: {}",
            crate::sql::mask::redact(&err.into_error().message)
        ),
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
                    datasource: None,
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

    /// What the Flink handler does around a statement Flink accepted.
    async fn remembered(session: &mut FlinkSession, sql: &str) -> bool {
        let statement = classify_text(sql);
        let Prepared::Run(change) = session.prepare(&statement).await.unwrap() else {
            panic!("{sql} was skipped");
        };
        session
            .remember(sql, sql, &statement, change)
            .await
            .unwrap()
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
        // The built-in catalog's objects are the shared catalog's: kept in
        // the store, not in the session's log.
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
        assert_eq!(session.current_database.as_deref(), Some("db"));
        // `t` is in default_database, not in db: nothing shared to drop.
        assert!(!remembered(&mut session, "DROP TABLE t").await);
        assert!(remembered(&mut session, "DROP TABLE default_database.t").await);
        assert!(remembered(&mut session, "LOAD MODULE hive").await);
        assert!(!remembered(&mut session, "SELECT 1").await);
        // Statements that write data are never replayed, wherever they are.
        assert!(!remembered(&mut session, "TRUNCATE TABLE scratch.db.t").await);
        assert!(
            !remembered(
                &mut session,
                "ANALYZE TABLE scratch.db.t COMPUTE STATISTICS"
            )
            .await
        );
        assert!(!remembered(&mut session, "ALTER TABLE scratch.db.t COMPACT").await);
        assert_eq!(
            session.log,
            vec![
                "CREATE TABLE scratch.db.t (a INT)",
                "USE CATALOG lake",
                "CREATE TEMPORARY VIEW v AS SELECT 1",
                "DROP TEMPORARY TABLE IF EXISTS tmp",
                "USE default_catalog.db",
                "LOAD MODULE hive",
            ]
        );
        let objects = session.store.list_flink_objects().await.unwrap();
        let names: Vec<String> = objects.iter().map(|o| o.name.dotted()).collect();
        assert_eq!(names, ["db"]);
        // Its own changes need no catching up.
        assert_eq!(session.applied, 3);
        assert!(session.own.is_empty());
    }

    #[tokio::test]
    async fn issue_18_a_shared_name_is_claimed_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = session(dir.path()).await;
        assert!(remembered(&mut session, "CREATE TABLE t (a INT)").await);
        let again = classify_text("CREATE TABLE t (b INT)");
        let Err(err) = session.prepare(&again).await else {
            panic!("a second t was allowed");
        };
        assert_eq!(err.sqlstate, SqlState::DUPLICATE_TABLE);
        let Ok(Prepared::Skip(notice)) = session
            .prepare(&classify_text("CREATE VIEW IF NOT EXISTS t AS SELECT 1"))
            .await
        else {
            panic!("IF NOT EXISTS of a taken name must be a no-op");
        };
        assert!(
            notice.message.contains("already exists, skipping"),
            "{}",
            notice.message
        );
        // A claim whose statement never finished (a cancel) is released,
        // and the Flink session is rebuilt before the next statement.
        let Ok(Prepared::Run(Some(change))) = session
            .prepare(&classify_text("CREATE TABLE u (a INT)"))
            .await
        else {
            panic!("u is free");
        };
        drop(change);
        assert!(session.stale.load(Ordering::SeqCst));
        let mut released = false;
        for _ in 0..100 {
            if let Ok(Prepared::Run(Some(change))) = session
                .prepare(&classify_text("CREATE TABLE u (a INT)"))
                .await
            {
                change
                    .refused(&crate::error::Error::new(SqlState::SYNTAX_ERROR, "no"))
                    .await;
                released = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(released, "the dropped claim on u was never released");
    }
}

/// A session's state as a job takes it: its Flink properties, and the
/// statements that rebuild the rest in a fresh `TableEnvironment`.
#[derive(Clone, Debug, Default)]
pub struct JobPrelude {
    /// The session's Flink properties as they are now (configured, SET,
    /// its time zone).
    pub settings: BTreeMap<String, String>,
    /// The statements, in order.
    pub statements: Vec<String>,
}

/// The state of a session (or of none: `log` empty) for a job, in the
/// order a new Flink session gets it ([`FlinkSession::handle`]'s replay):
/// the store's catalogs, the shared catalog's statements (each after the
/// `USE` of where it ran), `USE CATALOG` of the catalog the session
/// started in, then the session's `log` — without its `SET`s and `RESET`s
/// (`properties` holds their outcome, and a job's own options must come
/// after them) and without jars (a job carries them in its jar: `ADD JAR`
/// of a path on the gateway's machine means nothing on a cluster).
pub async fn job_prelude(
    store: &dyn Store,
    properties: BTreeMap<String, String>,
    builtin: &str,
    start_catalog: Option<&str>,
    log: &[String],
) -> Result<JobPrelude> {
    let mut statements = Vec::new();
    for catalog in store.list_flink_catalogs().await? {
        statements.push(catalog.definition.expose_secret().to_string());
    }
    let shared = store.flink_catalog_replay(None).await?;
    let home = FlinkContext::default();
    let mut here = home.clone();
    for statement in shared.statements {
        if statement.context != here {
            statements.push(shared::use_statement(&statement.context, builtin));
            here = statement.context.clone();
        }
        statements.push(statement.statement.expose_secret().to_string());
    }
    if here != home {
        statements.push(shared::use_statement(&home, builtin));
    }
    if let Some(catalog) = start_catalog {
        statements.push(format!("USE CATALOG {}", quote_identifier(catalog)));
    }
    statements.extend(
        log.iter()
            .filter(|statement| {
                let first = statement
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                !matches!(first.as_str(), "SET" | "RESET" | "ADD" | "REMOVE")
            })
            .cloned(),
    );
    Ok(JobPrelude {
        settings: properties,
        statements,
    })
}
