//! scaleph's shared default catalog in the store: the databases, tables,
//! views and functions created without TEMPORARY in Flink's built-in
//! catalog, kept as the statements Flink accepted, in the order they ran.
//!
//! Flink's built-in catalog lives in one Flink session's memory; scaleph
//! replays these statements into every Flink session instead (a Flink
//! `Catalog` plugin would need a jar on every gateway; replay works with
//! any gateway). Three rules keep every session's copy the same:
//!
//! * **Names are claimed before Flink runs a CREATE** (or a RENAME): a
//!   pending row under the unique key `(namespace, database, name)`. Two
//!   connections creating one name at once: the second claim fails, so the
//!   loser's statement never reaches Flink. A claim becomes the object when
//!   Flink accepts the statement and is released when it refuses it; claims
//!   left by a process that died are cleared when the store opens (the
//!   embedded store has one process).
//! * **Every accepted change bumps the catalog version** and is kept under
//!   it: an object's CREATE and ALTERs until it is dropped, then a DROP
//!   (`IF EXISTS`) that a session which never saw the object applies
//!   harmlessly. A session that applied version `v` catches up with the
//!   changes after `v`; a new session replays the live objects' statements.
//! * **Statements are sealed** like every secret at rest: a JDBC table's
//!   `'password'` is in its DDL. The masked text is kept beside it for
//!   display.

use super::sqlite::micros;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use secrecy::SecretString;

use super::{SecretBox, StoreError};

/// What a shared object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlinkObjectKind {
    /// `CREATE DATABASE`.
    Database,
    /// `CREATE TABLE`.
    Table,
    /// `CREATE VIEW`.
    View,
    /// `CREATE FUNCTION`.
    Function,
}

impl FlinkObjectKind {
    /// The kind of a DDL statement's object word (`TABLE`, `VIEW`, ...);
    /// `None` for objects that are not shared (catalogs, models,
    /// materialized tables).
    pub fn from_object(word: &str) -> Option<FlinkObjectKind> {
        match word {
            "DATABASE" => Some(FlinkObjectKind::Database),
            "TABLE" => Some(FlinkObjectKind::Table),
            "VIEW" => Some(FlinkObjectKind::View),
            "FUNCTION" => Some(FlinkObjectKind::Function),
            _ => None,
        }
    }

    /// Its SQL word: `DATABASE`, `TABLE`, `VIEW`, `FUNCTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlinkObjectKind::Database => "DATABASE",
            FlinkObjectKind::Table => "TABLE",
            FlinkObjectKind::View => "VIEW",
            FlinkObjectKind::Function => "FUNCTION",
        }
    }

    /// The namespace its name is unique in: tables and views share one in
    /// Flink's catalogs.
    fn namespace(self) -> &'static str {
        match self {
            FlinkObjectKind::Database => "database",
            FlinkObjectKind::Table | FlinkObjectKind::View => "relation",
            FlinkObjectKind::Function => "function",
        }
    }

    /// Its name in messages: `table`, `view`, `function`, `database`.
    pub fn noun(self) -> &'static str {
        match self {
            FlinkObjectKind::Database => "database",
            FlinkObjectKind::Table => "table",
            FlinkObjectKind::View => "view",
            FlinkObjectKind::Function => "function",
        }
    }

    fn parse(text: &str) -> FlinkObjectKind {
        match text {
            "DATABASE" => FlinkObjectKind::Database,
            "VIEW" => FlinkObjectKind::View,
            "FUNCTION" => FlinkObjectKind::Function,
            _ => FlinkObjectKind::Table,
        }
    }
}

/// A shared object's name: its kind, the database it is in (empty for a
/// database) and its own name, quotes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkObjectName {
    /// What it is.
    pub kind: FlinkObjectKind,
    /// The database it is in; empty for a database.
    pub database: String,
    /// Its name.
    pub name: String,
}

impl FlinkObjectName {
    /// `database.name`, or the name of a database.
    pub fn dotted(&self) -> String {
        if self.database.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.database, self.name)
        }
    }
}

/// A shared object as stored.
#[derive(Clone, Debug)]
pub struct FlinkObject {
    /// Its name.
    pub name: FlinkObjectName,
    /// The statement that created it, secrets masked.
    pub shown: String,
    /// The catalog version of its last change.
    pub version: u64,
    /// Who created it (`user@client`).
    pub creator: String,
    /// When it was created (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A name claimed for a statement Flink is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlinkClaim(i64);

/// Where a statement ran: the catalog and database its relative names
/// resolve in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlinkContext {
    /// The catalog; `None` for Flink's built-in one.
    pub catalog: Option<String>,
    /// The database; `None` for the catalog's default one.
    pub database: Option<String>,
}

/// A statement of the shared catalog: one to keep, or one to replay.
#[derive(Clone, Debug)]
pub struct FlinkCatalogStatement {
    /// The catalog version it made.
    pub version: u64,
    /// Where it runs.
    pub context: FlinkContext,
    /// The statement as Flink accepted it.
    pub statement: SecretString,
    /// The statement with secret values masked.
    pub shown: String,
}

/// A change Flink accepted, to keep.
#[derive(Debug)]
pub enum FlinkChange {
    /// The claimed object was created by `statement`.
    Create {
        /// The claim its CREATE made.
        claim: FlinkClaim,
        /// The CREATE statement (its `version` is ignored).
        statement: FlinkCatalogStatement,
    },
    /// The object was altered; when renamed, the new name's claim.
    Alter {
        /// The object.
        object: FlinkObjectName,
        /// The claim of its new name, for `RENAME TO`.
        renamed: Option<FlinkClaim>,
        /// The ALTER statement (its `version` is ignored).
        statement: FlinkCatalogStatement,
    },
    /// The object was dropped (a database with everything in it);
    /// `statement` drops it `IF EXISTS` in a session that has it.
    Drop {
        /// The object.
        object: FlinkObjectName,
        /// The statement replayed into sessions behind (its `version` is
        /// ignored).
        statement: FlinkCatalogStatement,
    },
}

/// The shared catalog at a version: its statements to replay.
#[derive(Clone, Debug, Default)]
pub struct FlinkCatalogReplay {
    /// The version the statements bring a session to.
    pub version: u64,
    /// The statements, in the order they ran.
    pub statements: Vec<FlinkCatalogStatement>,
}

fn statement_aad(version: u64) -> String {
    format!("flink_catalog_change:{version}")
}

/// Claims `name` for a statement Flink is about to run;
/// [`StoreError::Duplicate`] when an object or another claim has it.
pub(super) fn claim(
    connection: &mut Connection,
    name: &FlinkObjectName,
    creator: &str,
) -> Result<FlinkClaim, StoreError> {
    let inserted = connection.execute(
        "INSERT INTO flink_objects (namespace, database_name, name, kind, pending, creator, created_at, version) \
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, 0) ON CONFLICT (namespace, database_name, name) DO NOTHING",
        params![
            name.kind.namespace(),
            name.database,
            name.name,
            name.kind.as_str(),
            creator,
            micros(chrono::Utc::now())
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            kind: name.kind.noun(),
            name: name.dotted(),
        });
    }
    Ok(FlinkClaim(connection.last_insert_rowid()))
}

/// Releases a claim that did not become an object.
pub(super) fn release(connection: &mut Connection, claim: FlinkClaim) -> Result<(), StoreError> {
    connection.execute(
        "DELETE FROM flink_objects WHERE id = ?1 AND pending = 1",
        [claim.0],
    )?;
    Ok(())
}

/// Forgets every claim: a new process has no statement running.
pub(super) fn clear_claims(connection: &mut Connection) -> Result<(), StoreError> {
    connection.execute("DELETE FROM flink_objects WHERE pending = 1", [])?;
    Ok(())
}

/// The catalog's version.
pub(super) fn version(connection: &mut Connection) -> Result<u64, StoreError> {
    let version: i64 =
        connection.query_row("SELECT version FROM flink_catalog WHERE id = 1", [], |r| {
            r.get(0)
        })?;
    Ok(u64::try_from(version).unwrap_or_default())
}

/// The next version, taken inside `tx`.
fn next_version(tx: &Transaction) -> Result<u64, StoreError> {
    let version: i64 = tx.query_row(
        "UPDATE flink_catalog SET version = version + 1 WHERE id = 1 RETURNING version",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(version).unwrap_or_default())
}

/// The id of the live object called `name`, if any.
fn object_id(tx: &Transaction, name: &FlinkObjectName) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT id FROM flink_objects WHERE namespace = ?1 AND database_name = ?2 AND name = ?3 AND pending = 0",
            params![name.kind.namespace(), name.database, name.name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Keeps `statement` under `version` for `object` (`None`: a drop).
fn keep(
    tx: &Transaction,
    secrets: &SecretBox,
    version: u64,
    object: Option<i64>,
    statement: &FlinkCatalogStatement,
    creator: &str,
) -> Result<(), StoreError> {
    let sealed = secrets.seal(&statement_aad(version), &statement.statement)?;
    tx.execute(
        "INSERT INTO flink_catalog_changes (version, object_id, context_catalog, context_database, statement, shown, creator, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            i64::try_from(version).unwrap_or(i64::MAX),
            object,
            statement.context.catalog,
            statement.context.database,
            sealed,
            statement.shown,
            creator,
            micros(chrono::Utc::now())
        ],
    )?;
    Ok(())
}

/// Keeps a change Flink accepted, atomically: the new catalog version, or
/// `None` when an ALTER or DROP names no shared object (its claim, if any,
/// released).
pub(super) fn record(
    connection: &mut Connection,
    secrets: &SecretBox,
    change: FlinkChange,
    creator: &str,
) -> Result<Option<u64>, StoreError> {
    let tx = connection.transaction()?;
    let version = match change {
        FlinkChange::Create { claim, statement } => {
            let version = next_version(&tx)?;
            let claimed = tx.execute(
                "UPDATE flink_objects SET pending = 0, version = ?2, created_at = ?3 WHERE id = ?1 AND pending = 1",
                params![claim.0, version as i64, micros(chrono::Utc::now())],
            )?;
            if claimed == 0 {
                return Err(StoreError::ClaimLost);
            }
            keep(&tx, secrets, version, Some(claim.0), &statement, creator)?;
            Some(version)
        }
        FlinkChange::Alter {
            object,
            renamed,
            statement,
        } => match object_id(&tx, &object)? {
            None => {
                if let Some(claim) = renamed {
                    tx.execute("DELETE FROM flink_objects WHERE id = ?1", [claim.0])?;
                }
                None
            }
            Some(id) => {
                let version = next_version(&tx)?;
                if let Some(claim) = renamed {
                    let new_name: String = tx.query_row(
                        "DELETE FROM flink_objects WHERE id = ?1 AND pending = 1 RETURNING name",
                        [claim.0],
                        |r| r.get(0),
                    )?;
                    tx.execute(
                        "UPDATE flink_objects SET name = ?2 WHERE id = ?1",
                        params![id, new_name],
                    )?;
                }
                tx.execute(
                    "UPDATE flink_objects SET version = ?2 WHERE id = ?1",
                    params![id, version as i64],
                )?;
                keep(&tx, secrets, version, Some(id), &statement, creator)?;
                Some(version)
            }
        },
        FlinkChange::Drop { object, statement } => {
            let mut dropped = tx.execute(
                "DELETE FROM flink_objects WHERE namespace = ?1 AND database_name = ?2 AND name = ?3 AND pending = 0",
                params![object.kind.namespace(), object.database, object.name],
            )?;
            if object.kind == FlinkObjectKind::Database {
                dropped += tx.execute(
                    "DELETE FROM flink_objects WHERE database_name = ?1 AND namespace <> 'database' AND pending = 0",
                    [&object.name],
                )?;
            }
            if dropped == 0 {
                None
            } else {
                let version = next_version(&tx)?;
                keep(&tx, secrets, version, None, &statement, creator)?;
                Some(version)
            }
        }
    };
    tx.commit()?;
    Ok(version)
}

/// A kept statement as read: version, context catalog and database,
/// sealed statement, shown statement.
type StatementRow = (i64, Option<String>, Option<String>, String, String);

/// The statements that bring a session to the current version: after
/// `since` every change (DROPs too), or without it the live objects'
/// statements, in the order they ran.
pub(super) fn replay(
    connection: &mut Connection,
    secrets: &SecretBox,
    since: Option<u64>,
) -> Result<FlinkCatalogReplay, StoreError> {
    let tx = connection.transaction()?;
    let version: i64 = tx.query_row("SELECT version FROM flink_catalog WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    let sql = match since {
        Some(_) => {
            "SELECT version, context_catalog, context_database, statement, shown FROM flink_catalog_changes \
             WHERE version > ?1 ORDER BY version"
        }
        None => {
            "SELECT version, context_catalog, context_database, statement, shown FROM flink_catalog_changes \
             WHERE object_id IS NOT NULL AND version > ?1 ORDER BY version"
        }
    };
    let since = i64::try_from(since.unwrap_or(0)).unwrap_or(i64::MAX);
    let rows: Vec<StatementRow> = tx
        .prepare(sql)?
        .query_map([since], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut statements = Vec::with_capacity(rows.len());
    for (version, catalog, database, sealed, shown) in rows {
        let version = u64::try_from(version).unwrap_or_default();
        statements.push(FlinkCatalogStatement {
            version,
            context: FlinkContext { catalog, database },
            statement: secrets.open_value(&statement_aad(version), &sealed)?,
            shown,
        });
    }
    Ok(FlinkCatalogReplay {
        version: u64::try_from(version).unwrap_or_default(),
        statements,
    })
}

/// Every shared object, in creation order, with the statement that
/// created it (masked).
pub(super) fn list(connection: &mut Connection) -> Result<Vec<FlinkObject>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT o.kind, o.database_name, o.name, o.version, o.creator, o.created_at, \
         (SELECT c.shown FROM flink_catalog_changes c WHERE c.object_id = o.id ORDER BY c.version LIMIT 1) \
         FROM flink_objects o WHERE o.pending = 0 ORDER BY o.id",
    )?;
    let rows = statement.query_map([], |r| {
        let kind: String = r.get(0)?;
        let version: i64 = r.get(3)?;
        Ok(FlinkObject {
            name: FlinkObjectName {
                kind: FlinkObjectKind::parse(&kind),
                database: r.get(1)?,
                name: r.get(2)?,
            },
            version: u64::try_from(version).unwrap_or_default(),
            creator: r.get(4)?,
            created_at: chrono::DateTime::from_timestamp_micros(r.get(5)?).unwrap_or_default(),
            shown: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    use crate::store::{SqliteStore, Store};

    fn table(database: &str, name: &str) -> FlinkObjectName {
        FlinkObjectName {
            kind: FlinkObjectKind::Table,
            database: database.into(),
            name: name.into(),
        }
    }

    fn statement(text: &str) -> FlinkCatalogStatement {
        FlinkCatalogStatement {
            version: 0,
            context: FlinkContext::default(),
            statement: SecretString::from(text.to_string()),
            shown: crate::sql::mask::redact(text),
        }
    }

    async fn create(store: &SqliteStore, name: FlinkObjectName, text: &str) -> u64 {
        let claim = store.claim_flink_name(&name, "u@a").await.unwrap();
        let change = FlinkChange::Create {
            claim,
            statement: statement(text),
        };
        store
            .record_flink_change(change, "u@a")
            .await
            .unwrap()
            .unwrap()
    }

    fn texts(replay: &FlinkCatalogReplay) -> Vec<String> {
        replay
            .statements
            .iter()
            .map(|s| s.statement.expose_secret().to_string())
            .collect()
    }

    #[tokio::test]
    async fn names_are_unique_per_namespace_and_claims_die_with_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let claim = store
            .claim_flink_name(&table("db", "t"), "a")
            .await
            .unwrap();
        // A view is in the tables' namespace; a function is not.
        let view = FlinkObjectName {
            kind: FlinkObjectKind::View,
            ..table("db", "t")
        };
        assert!(matches!(
            store.claim_flink_name(&view, "b").await,
            Err(StoreError::Duplicate { kind: "view", .. })
        ));
        let function = FlinkObjectName {
            kind: FlinkObjectKind::Function,
            ..table("db", "t")
        };
        store.claim_flink_name(&function, "b").await.unwrap();
        store
            .claim_flink_name(&table("other", "t"), "b")
            .await
            .unwrap();
        store.release_flink_claim(claim).await.unwrap();
        let again = store
            .claim_flink_name(&table("db", "t"), "b")
            .await
            .unwrap();
        assert_eq!(store.flink_catalog_version().await.unwrap(), 0);
        assert!(store.list_flink_objects().await.unwrap().is_empty());
        drop(store);
        // A claim left by a process that died: free again on open.
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .claim_flink_name(&table("db", "t"), "c")
            .await
            .unwrap();
        assert!(matches!(
            store
                .record_flink_change(
                    FlinkChange::Create {
                        claim: again,
                        statement: statement("CREATE TABLE t (a INT)"),
                    },
                    "b",
                )
                .await,
            Err(StoreError::ClaimLost)
        ));
    }

    #[tokio::test]
    async fn changes_are_versioned_and_replayed_whole_or_as_a_delta() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let database = FlinkObjectName {
            kind: FlinkObjectKind::Database,
            database: String::new(),
            name: "sales".into(),
        };
        assert_eq!(
            create(&store, database.clone(), "CREATE DATABASE sales").await,
            1
        );
        assert_eq!(
            create(&store, table("sales", "t"), "CREATE TABLE sales.t (a INT)").await,
            2
        );
        let view = FlinkObjectName {
            kind: FlinkObjectKind::View,
            ..table("default_database", "v")
        };
        assert_eq!(
            create(&store, view, "CREATE VIEW v AS SELECT * FROM sales.t").await,
            3
        );
        // A rename claims the new name and moves the object.
        let renamed = store
            .claim_flink_name(&table("sales", "u"), "u@b")
            .await
            .unwrap();
        let altered = store
            .record_flink_change(
                FlinkChange::Alter {
                    object: table("sales", "t"),
                    renamed: Some(renamed),
                    statement: statement("ALTER TABLE sales.t RENAME TO u"),
                },
                "u@b",
            )
            .await
            .unwrap();
        assert_eq!(altered, Some(4));
        // An ALTER or DROP of nothing shared keeps nothing.
        let nothing = store
            .record_flink_change(
                FlinkChange::Drop {
                    object: table("sales", "t"),
                    statement: statement("DROP TABLE IF EXISTS `t`"),
                },
                "u@b",
            )
            .await
            .unwrap();
        assert_eq!(nothing, None);
        let names: Vec<(String, u64)> = store
            .list_flink_objects()
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.name.dotted(), o.version))
            .collect();
        assert_eq!(
            names,
            [
                ("sales".to_string(), 1),
                ("sales.u".to_string(), 4),
                ("default_database.v".to_string(), 3)
            ]
        );
        let whole = store.flink_catalog_replay(None).await.unwrap();
        assert_eq!(whole.version, 4);
        assert_eq!(
            texts(&whole),
            [
                "CREATE DATABASE sales",
                "CREATE TABLE sales.t (a INT)",
                "CREATE VIEW v AS SELECT * FROM sales.t",
                "ALTER TABLE sales.t RENAME TO u"
            ]
        );
        // A session that saw version 3 gets the rename.
        let delta = store.flink_catalog_replay(Some(3)).await.unwrap();
        assert_eq!(
            (delta.version, texts(&delta)),
            (4, vec!["ALTER TABLE sales.t RENAME TO u".to_string()])
        );
        // Dropping the database drops what is in it, with its statements:
        // a session behind gets only the drop.
        let dropped = store
            .record_flink_change(
                FlinkChange::Drop {
                    object: database,
                    statement: statement("DROP DATABASE IF EXISTS `sales` CASCADE"),
                },
                "u@c",
            )
            .await
            .unwrap();
        assert_eq!(dropped, Some(5));
        let delta = store.flink_catalog_replay(Some(3)).await.unwrap();
        assert_eq!(
            (delta.version, texts(&delta)),
            (
                5,
                vec!["DROP DATABASE IF EXISTS `sales` CASCADE".to_string()]
            )
        );
        assert_eq!(
            texts(&store.flink_catalog_replay(None).await.unwrap()),
            ["CREATE VIEW v AS SELECT * FROM sales.t"]
        );
        assert_eq!(store.flink_catalog_version().await.unwrap(), 5);
    }

    #[tokio::test]
    async fn statements_are_sealed_and_shown_masked() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let text =
            "CREATE TABLE pg (id INT) WITH ('connector' = 'jdbc', 'password' = 'table-pw-4321')";
        create(&store, table("default_database", "pg"), text).await;
        drop(store);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(13).any(|w| w == b"table-pw-4321"));
        }
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let objects = store.list_flink_objects().await.unwrap();
        assert!(
            objects[0].shown.contains("'******'"),
            "{}",
            objects[0].shown
        );
        assert!(!objects[0].shown.contains("table-pw-4321"));
        assert_eq!(objects[0].creator, "u@a");
        assert_eq!(
            texts(&store.flink_catalog_replay(None).await.unwrap()),
            [text]
        );
    }
}
