//! Syncs in the store (`CREATE SYNC`): the definition (statement, options,
//! the plan as JSON) and the run state.
//!
//! State changes go through [`change`], a compare-and-set on the states
//! the caller saw, like jobs': START and STOP of the same sync from two
//! sessions cannot both win. Options whose key names a secret are sealed
//! like job options.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite::{decode_options, encode_options, from_micros, micros};
use super::{ClusterDrop, OptionEntry, SecretBox, StoreError};

/// A sync as stored.
#[derive(Clone, Debug)]
pub struct StoredSync {
    /// Unique name.
    pub name: String,
    /// `ON CLUSTER`, when given.
    pub cluster: Option<String>,
    /// The source datasource.
    pub source: String,
    /// The sink datasources, in the order written.
    pub sinks: Vec<String>,
    /// `CDC` or `SNAPSHOT`.
    pub mode: String,
    /// `FLINK_CDC`, `SEATUNNEL` or `FLINK_SQL`.
    pub engine: String,
    /// The CREATE statement as written (secrets masked).
    pub statement: String,
    /// The WITH options, by key.
    pub options: BTreeMap<String, OptionEntry>,
    /// The plan, as JSON ([`crate::sync::SyncPlan`] reads it; the store
    /// does not).
    pub plan: String,
    /// `CREATED`, `STARTING`, `RUNNING`, `STOPPING`, `STOPPED`,
    /// `FINISHED` or `FAILED`.
    pub state: String,
    /// Why it is in that state, if said.
    pub reason: Option<String>,
    /// The engine's id of the current or last run (a SeaTunnel job id).
    pub run_id: Option<String>,
    /// What the next start restores from, if anything.
    pub savepoint: Option<String>,
    /// `COMMENT ON SYNC`.
    pub comment: Option<String>,
    /// When it was created (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When its current run started (UTC).
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the row last changed (UTC).
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A state change of a sync ([`super::Store::change_sync`]).
#[derive(Clone, Debug, Default)]
pub struct SyncChange {
    /// The new state.
    pub state: String,
    /// Why; `None` clears the row's.
    pub reason: Option<String>,
    /// A new run id; `None` keeps the one there.
    pub run_id: Option<String>,
    /// `Some(Some(x))` sets what the next start restores from,
    /// `Some(None)` clears it, `None` keeps it.
    pub savepoint: Option<Option<String>>,
    /// When a new run started; `None` keeps the one there.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The states in which a sync runs (or may be running): it cannot be
/// dropped, altered, or have a datasource it uses dropped.
pub const ACTIVE: &[&str] = &["STARTING", "RUNNING", "STOPPING"];

fn option_aad(sync: &str, key: &str) -> String {
    format!("sync:{sync}:option:{key}")
}

const SELECT: &str = "SELECT name, cluster, source, sinks, mode, engine, statement, options, plan, \
     state, reason, run_id, savepoint, comment, created_at, started_at, updated_at FROM syncs";

fn decode(secrets: &SecretBox, row: &rusqlite::Row) -> Result<StoredSync, StoreError> {
    let name: String = row.get(0)?;
    let sinks: String = row.get(3)?;
    let sinks: Vec<String> = serde_json::from_str(&sinks).map_err(|e| StoreError::Migration {
        message: format!("sync {name}: sinks are not a JSON array"),
        source: Box::new(e),
    })?;
    let options = decode_options(
        secrets,
        &format!("sync {name}"),
        &row.get::<_, String>(7)?,
        |key| option_aad(&name, key),
    )?;
    Ok(StoredSync {
        cluster: row.get(1)?,
        source: row.get(2)?,
        sinks,
        mode: row.get(4)?,
        engine: row.get(5)?,
        statement: row.get(6)?,
        options,
        plan: row.get(8)?,
        state: row.get(9)?,
        reason: row.get(10)?,
        run_id: row.get(11)?,
        savepoint: row.get(12)?,
        comment: row.get(13)?,
        created_at: from_micros(row.get(14)?),
        started_at: row.get::<_, Option<i64>>(15)?.map(from_micros),
        updated_at: from_micros(row.get(16)?),
        name,
    })
}

/// Adds `sync`; [`StoreError::Duplicate`] when the name is taken.
pub fn create(
    connection: &Connection,
    secrets: &SecretBox,
    sync: StoredSync,
) -> Result<(), StoreError> {
    let options = encode_options(secrets, &sync.options, |key| option_aad(&sync.name, key))?;
    let sinks = serde_json::to_string(&sync.sinks).map_err(|e| StoreError::Migration {
        message: "sinks".into(),
        source: Box::new(e),
    })?;
    let inserted = connection.execute(
        "INSERT INTO syncs (name, cluster, source, sinks, mode, engine, statement, options, plan, \
         state, reason, run_id, savepoint, comment, created_at, started_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) \
         ON CONFLICT (name) DO NOTHING",
        params![
            sync.name,
            sync.cluster,
            sync.source,
            sinks,
            sync.mode,
            sync.engine,
            sync.statement,
            options,
            sync.plan,
            sync.state,
            sync.reason,
            sync.run_id,
            sync.savepoint,
            sync.comment,
            micros(sync.created_at),
            sync.started_at.map(micros),
            micros(sync.updated_at),
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            kind: "sync",
            name: sync.name,
        });
    }
    Ok(())
}

/// The sync called `name`, if any.
pub fn get(
    connection: &Connection,
    secrets: &SecretBox,
    name: &str,
) -> Result<Option<StoredSync>, StoreError> {
    connection
        .query_row(&format!("{SELECT} WHERE name = ?1"), [name], |row| {
            Ok(decode(secrets, row))
        })
        .optional()?
        .transpose()
}

/// Every sync, by name.
pub fn list(connection: &Connection, secrets: &SecretBox) -> Result<Vec<StoredSync>, StoreError> {
    let mut statement = connection.prepare(&format!("{SELECT} ORDER BY name"))?;
    let rows = statement.query_map([], |row| Ok(decode(secrets, row)))?;
    rows.map(|row| row?).collect()
}

/// Replaces the definition of sync `name` (ALTER: options, plan, comment,
/// a new name) if it is in one of `expected`; false when it is not.
pub fn update(
    connection: &mut Connection,
    secrets: &SecretBox,
    name: &str,
    expected: &[&str],
    sync: StoredSync,
) -> Result<bool, StoreError> {
    let transaction = connection.transaction()?;
    let state: Option<String> = transaction
        .query_row("SELECT state FROM syncs WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    match state {
        Some(state) if expected.is_empty() || expected.contains(&state.as_str()) => {}
        _ => return Ok(false),
    }
    transaction.execute("DELETE FROM syncs WHERE name = ?1", [name])?;
    create(&transaction, secrets, sync)?;
    transaction.commit()?;
    Ok(true)
}

/// Moves sync `name` to `change.state` if it is in one of `expected`.
pub fn change(
    connection: &Connection,
    name: &str,
    expected: &[&str],
    change: SyncChange,
) -> Result<bool, StoreError> {
    let expected = serde_json::to_string(expected).unwrap_or_else(|_| "[]".into());
    let (set_savepoint, savepoint) = match change.savepoint {
        Some(value) => (true, value),
        None => (false, None),
    };
    let changed = connection.execute(
        "UPDATE syncs SET state = ?1, reason = ?2, run_id = COALESCE(?3, run_id), \
         savepoint = CASE WHEN ?4 THEN ?5 ELSE savepoint END, \
         started_at = COALESCE(?6, started_at), updated_at = ?7 \
         WHERE name = ?8 AND (json_array_length(?9) = 0 \
                              OR state IN (SELECT value FROM json_each(?9)))",
        params![
            change.state,
            change.reason,
            change.run_id,
            set_savepoint,
            savepoint,
            change.started_at.map(micros),
            micros(chrono::Utc::now()),
            name,
            expected,
        ],
    )?;
    Ok(changed > 0)
}

/// Removes sync `name` unless it is active.
pub fn drop(connection: &Connection, name: &str) -> Result<ClusterDrop, StoreError> {
    let state: Option<String> = connection
        .query_row("SELECT state FROM syncs WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    match state {
        None => Ok(ClusterDrop::Missing),
        Some(state) if ACTIVE.contains(&state.as_str()) => {
            Ok(ClusterDrop::InUse(vec![name.to_string()]))
        }
        Some(_) => {
            connection.execute("DELETE FROM syncs WHERE name = ?1", [name])?;
            Ok(ClusterDrop::Dropped)
        }
    }
}

/// The syncs that read from or write to datasource `datasource`, by name.
pub fn using(connection: &Connection, datasource: &str) -> Result<Vec<String>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT name FROM syncs WHERE source = ?1 \
         OR EXISTS (SELECT 1 FROM json_each(syncs.sinks) WHERE value = ?1) ORDER BY name",
    )?;
    let rows = statement.query_map([datasource], |row| row.get(0))?;
    Ok(rows.collect::<Result<Vec<String>, _>>()?)
}

/// Drops datasource `name`: refused (`InUse`, the syncs by name) while a
/// sync uses it, unless `cascade`, which drops those syncs too — and is
/// refused while any of them is active. One transaction: a sync created
/// meanwhile is seen.
pub fn drop_datasource(
    connection: &mut Connection,
    name: &str,
    cascade: bool,
) -> Result<ClusterDrop, StoreError> {
    let transaction = connection.transaction()?;
    let exists: bool = transaction.query_row(
        "SELECT EXISTS (SELECT 1 FROM datasources WHERE name = ?1)",
        [name],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(ClusterDrop::Missing);
    }
    let users = using(&transaction, name)?;
    if !users.is_empty() {
        if !cascade {
            return Ok(ClusterDrop::InUse(users));
        }
        let mut active = Vec::new();
        for sync in &users {
            if let ClusterDrop::InUse(_) = drop(&transaction, sync)? {
                active.push(sync.clone());
            }
        }
        if !active.is_empty() {
            // Nothing is dropped: the transaction is rolled back.
            return Ok(ClusterDrop::InUse(active));
        }
    }
    transaction.execute("DELETE FROM datasources WHERE name = ?1", [name])?;
    transaction.commit()?;
    Ok(ClusterDrop::Dropped)
}
