//! The embedded store: one SQLite file, `<data_dir>/scaleph.db`, in WAL
//! mode with `synchronous=FULL`, so a committed change survives a crash or
//! power loss. rusqlite is synchronous: each call runs on tokio's blocking
//! pool holding the one connection's mutex, which serialises writers (as
//! SQLite does anyway) without tying up the async workers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{
    AttachedFile, Cluster, ClusterDrop, Connector, Datasource, FlinkCatalog, FlinkCatalogReplay,
    FlinkChange, FlinkClaim, FlinkObject, FlinkObjectName, Jar, Job, JobChange, JobEvent,
    OptionEntry, Savepoint, SecretBox, Store, StoreError, StoredSync, SyncChange,
};
use super::{clusters, connectors, flink_objects, jobs, syncs};

mod embedded {
    refinery::embed_migrations!("src/store/migrations");
}

/// The file name of the database in the data dir.
pub const DB_FILE: &str = "scaleph.db";

/// The embedded SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    secrets: Arc<SecretBox>,
}

/// An option as stored: plain text, or sealed by [`SecretBox`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum StoredOption {
    Plain(String),
    Sealed(String),
}

/// An attached file as stored.
#[derive(Serialize, Deserialize)]
struct StoredFile {
    path: String,
    size: u64,
    sha256: String,
    content: StoredOption,
}

/// `entry` as stored, sealed under `aad` when secret.
pub(super) fn store_entry(
    secrets: &SecretBox,
    aad: &str,
    entry: &OptionEntry,
) -> Result<StoredOption, StoreError> {
    Ok(match entry {
        OptionEntry::Plain(value) => StoredOption::Plain(value.clone()),
        OptionEntry::Secret(secret) => StoredOption::Sealed(secrets.seal(aad, secret)?),
    })
}

/// A stored value back, opened under `aad` when sealed.
pub(super) fn load_entry(
    secrets: &SecretBox,
    aad: &str,
    stored: StoredOption,
) -> Result<OptionEntry, StoreError> {
    Ok(match stored {
        StoredOption::Plain(value) => OptionEntry::Plain(value),
        StoredOption::Sealed(sealed) => OptionEntry::Secret(secrets.open_value(aad, &sealed)?),
    })
}

fn file_aad(datasource: &str, file: &str) -> String {
    format!("datasource:{datasource}:file:{file}")
}

/// A time as stored: microseconds since the epoch.
pub(super) fn micros(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_micros()
}

/// A stored time back.
pub(super) fn from_micros(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

fn aad(datasource: &str, key: &str) -> String {
    format!("datasource:{datasource}:{key}")
}

impl SqliteStore {
    /// Opens the store in `data_dir`, creating the directory, the key file
    /// and the database, and running pending migrations.
    pub async fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        let data_dir = data_dir.to_path_buf();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&data_dir)?;
            let secrets = SecretBox::open(&data_dir)?;
            let mut connection = Connection::open(data_dir.join(DB_FILE))?;
            connection.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            )?;
            embedded::migrations::runner()
                .run(&mut connection)
                .map_err(|e| StoreError::Migration {
                    message: e.to_string(),
                    source: e.into(),
                })?;
            flink_objects::clear_claims(&mut connection)?;
            Ok(SqliteStore {
                connection: Arc::new(Mutex::new(connection)),
                secrets: Arc::new(secrets),
            })
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }

    /// Runs `work` with the connection on the blocking pool.
    pub(super) async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection, &SecretBox) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = self.connection.clone();
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().map_err(|_| StoreError::Closed)?;
            work(&mut connection, &secrets)
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }
}

pub(super) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Migration {
        message: e.to_string(),
        source: e.into(),
    })
}

/// An options column: the JSON object of `options`, each secret sealed
/// under `aad(key)`.
pub(super) fn encode_options(
    secrets: &SecretBox,
    options: &BTreeMap<String, OptionEntry>,
    aad: impl Fn(&str) -> String,
) -> Result<String, StoreError> {
    let mut stored = BTreeMap::new();
    for (key, entry) in options {
        stored.insert(key.clone(), store_entry(secrets, &aad(key), entry)?);
    }
    to_json(&stored)
}

/// An options column of `owner` (`datasource pg`, for messages) back,
/// secrets opened under `aad(key)`.
pub(super) fn decode_options(
    secrets: &SecretBox,
    owner: &str,
    text: &str,
    aad: impl Fn(&str) -> String,
) -> Result<BTreeMap<String, OptionEntry>, StoreError> {
    let stored: BTreeMap<String, StoredOption> = from_json(owner, "options", text)?;
    let mut options = BTreeMap::new();
    for (key, value) in stored {
        let entry = load_entry(secrets, &aad(&key), value)?;
        options.insert(key, entry);
    }
    Ok(options)
}

/// A files column: the JSON object of `files`, each secret content sealed
/// under `aad(name)`. Datasources and clusters keep their files alike.
pub(super) fn encode_files(
    secrets: &SecretBox,
    files: &BTreeMap<String, AttachedFile>,
    aad: impl Fn(&str) -> String,
) -> Result<String, StoreError> {
    let mut stored = BTreeMap::new();
    for (name, file) in files {
        let content = store_entry(secrets, &aad(name), &file.content)?;
        stored.insert(
            name.clone(),
            StoredFile {
                path: file.path.clone(),
                size: file.size,
                sha256: file.sha256.clone(),
                content,
            },
        );
    }
    to_json(&stored)
}

/// A files column of `owner` (for messages) back, secret contents opened
/// under `aad(name)`.
pub(super) fn decode_files(
    secrets: &SecretBox,
    owner: &str,
    text: &str,
    aad: impl Fn(&str) -> String,
) -> Result<BTreeMap<String, AttachedFile>, StoreError> {
    let stored: BTreeMap<String, StoredFile> = from_json(owner, "files", text)?;
    let mut files = BTreeMap::new();
    for (name, file) in stored {
        let content = load_entry(secrets, &aad(&name), file.content)?;
        files.insert(
            name,
            AttachedFile {
                path: file.path,
                size: file.size,
                sha256: file.sha256,
                content,
            },
        );
    }
    Ok(files)
}

/// The options and files columns of `datasource`, secrets sealed.
fn encode(secrets: &SecretBox, datasource: &Datasource) -> Result<(String, String), StoreError> {
    let options = encode_options(secrets, &datasource.options, |key| {
        aad(&datasource.name, key)
    })?;
    let files = encode_files(secrets, &datasource.files, |file| {
        file_aad(&datasource.name, file)
    })?;
    Ok((options, files))
}

fn from_json<T: for<'de> Deserialize<'de>>(
    name: &str,
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Migration {
        message: format!("{name}: {column} are not valid JSON: {e}"),
        source: e.into(),
    })
}

fn decode_row(secrets: &SecretBox, row: &rusqlite::Row) -> Result<Datasource, StoreError> {
    let name: String = row.get(0)?;
    let owner = format!("datasource {name}");
    let options = decode_options(secrets, &owner, &row.get::<_, String>(2)?, |key| {
        aad(&name, key)
    })?;
    let files = decode_files(secrets, &owner, &row.get::<_, String>(6)?, |file| {
        file_aad(&name, file)
    })?;
    Ok(Datasource {
        name,
        datasource_type: row.get(1)?,
        options,
        files,
        comment: row.get(3)?,
        created_at: from_micros(row.get(4)?),
        updated_at: from_micros(row.get(5)?),
    })
}

const SELECT_DATASOURCES: &str = "SELECT name, datasource_type, options, comment, created_at, updated_at, files FROM datasources";

#[async_trait]
impl Store for SqliteStore {
    async fn create_datasource(&self, datasource: Datasource) -> Result<(), StoreError> {
        self.with(move |connection, secrets| {
            let (options, files) = encode(secrets, &datasource)?;
            let inserted = connection.execute(
                "INSERT INTO datasources (name, datasource_type, options, comment, created_at, updated_at, files) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO NOTHING",
                params![
                    datasource.name,
                    datasource.datasource_type,
                    options,
                    datasource.comment,
                    micros(datasource.created_at),
                    micros(datasource.updated_at),
                    files
                ],
            )?;
            if inserted == 0 {
                return Err(StoreError::Duplicate { kind: "datasource", name: datasource.name });
            }
            Ok(())
        })
        .await
    }

    async fn get_datasource(&self, name: &str) -> Result<Option<Datasource>, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| {
            connection
                .query_row(
                    &format!("{SELECT_DATASOURCES} WHERE name = ?1"),
                    [name],
                    |row| Ok(decode_row(secrets, row)),
                )
                .optional()?
                .transpose()
        })
        .await
    }

    async fn list_datasources(&self) -> Result<Vec<Datasource>, StoreError> {
        self.with(|connection, secrets| {
            let mut statement =
                connection.prepare(&format!("{SELECT_DATASOURCES} ORDER BY name"))?;
            let rows = statement.query_map([], |row| Ok(decode_row(secrets, row)))?;
            rows.map(|row| row?).collect()
        })
        .await
    }

    async fn update_datasource(
        &self,
        name: &str,
        datasource: Datasource,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| {
            // Secrets are sealed with the name as associated data: a rename
            // seals them again under the new name.
            let (options, files) = encode(secrets, &datasource)?;
            let transaction = connection.transaction()?;
            if datasource.name != name {
                let taken: bool = transaction.query_row(
                    "SELECT EXISTS (SELECT 1 FROM datasources WHERE name = ?1)",
                    [&datasource.name],
                    |row| row.get(0),
                )?;
                if taken {
                    return Err(StoreError::Duplicate { kind: "datasource", name: datasource.name });
                }
            }
            let updated = transaction.execute(
                "UPDATE datasources SET name = ?1, datasource_type = ?2, options = ?3, comment = ?4, \
                 updated_at = ?5, files = ?6 WHERE name = ?7",
                params![
                    datasource.name,
                    datasource.datasource_type,
                    options,
                    datasource.comment,
                    micros(datasource.updated_at),
                    files,
                    name
                ],
            )?;
            // The catalogs made from it follow it to its new name.
            if updated > 0 && datasource.name != name {
                transaction.execute(
                    "UPDATE flink_catalogs SET datasource = ?1 WHERE datasource = ?2",
                    params![datasource.name, name],
                )?;
            }
            transaction.commit()?;
            Ok(updated > 0)
        })
        .await
    }

    async fn drop_datasource(&self, name: &str, cascade: bool) -> Result<ClusterDrop, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| syncs::drop_datasource(connection, &name, cascade))
            .await
    }

    async fn create_cluster(&self, cluster: Cluster) -> Result<(), StoreError> {
        self.with(move |connection, secrets| clusters::create(connection, secrets, cluster))
            .await
    }

    async fn get_cluster(&self, name: &str) -> Result<Option<Cluster>, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| clusters::get(connection, secrets, &name))
            .await
    }

    async fn list_clusters(&self) -> Result<Vec<Cluster>, StoreError> {
        self.with(|connection, secrets| clusters::list(connection, secrets))
            .await
    }

    async fn update_cluster(&self, name: &str, cluster: Cluster) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| clusters::update(connection, secrets, &name, cluster))
            .await
    }

    async fn drop_cluster(&self, name: &str) -> Result<ClusterDrop, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| clusters::remove(connection, &name))
            .await
    }

    async fn put_flink_catalog(&self, catalog: FlinkCatalog) -> Result<(), StoreError> {
        self.with(move |connection, secrets| {
            let sealed = secrets.seal(&catalog_aad(&catalog.name), &catalog.definition)?;
            connection.execute(
                "INSERT INTO flink_catalogs (name, catalog_type, definition, shown, created_at, datasource) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET \
                 catalog_type = excluded.catalog_type, definition = excluded.definition, \
                 shown = excluded.shown, datasource = excluded.datasource",
                params![
                    catalog.name,
                    catalog.catalog_type,
                    sealed,
                    catalog.shown,
                    micros(catalog.created_at),
                    catalog.datasource
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn drop_flink_catalog(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| {
            Ok(connection.execute("DELETE FROM flink_catalogs WHERE name = ?1", [name])? > 0)
        })
        .await
    }

    async fn list_flink_catalogs(&self) -> Result<Vec<FlinkCatalog>, StoreError> {
        self.with(|connection, secrets| {
            let mut statement = connection.prepare(
                "SELECT name, catalog_type, definition, shown, created_at, datasource FROM flink_catalogs \
                 ORDER BY created_at, name",
            )?;
            let rows = statement.query_map([], |row| {
                let name: String = row.get(0)?;
                let sealed: String = row.get(2)?;
                Ok((name, row.get(1)?, sealed, row.get(3)?, row.get(4)?, row.get(5)?))
            })?;
            rows.map(|row| {
                let (name, catalog_type, sealed, shown, created_at, datasource) = row?;
                Ok(FlinkCatalog {
                    definition: secrets.open_value(&catalog_aad(&name), &sealed)?,
                    name,
                    catalog_type,
                    shown,
                    datasource,
                    created_at: from_micros(created_at),
                })
            })
            .collect()
        })
        .await
    }

    async fn add_jar(&self, jar: Jar) -> Result<(), StoreError> {
        self.with(move |connection, _| {
            connection.execute(
                "INSERT INTO jars (source, name, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (source) DO NOTHING",
                params![jar.source, jar.name, micros(jar.created_at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn remove_jar(&self, source: &str) -> Result<bool, StoreError> {
        let source = source.to_string();
        self.with(move |connection, _| {
            Ok(connection.execute("DELETE FROM jars WHERE source = ?1", [source])? > 0)
        })
        .await
    }

    async fn list_jars(&self) -> Result<Vec<Jar>, StoreError> {
        self.with(|connection, _| {
            let mut statement = connection
                .prepare("SELECT source, name, created_at FROM jars ORDER BY created_at, source")?;
            let rows = statement.query_map([], |row| {
                Ok(Jar {
                    source: row.get(0)?,
                    name: row.get(1)?,
                    created_at: from_micros(row.get(2)?),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn create_connector(&self, connector: Connector) -> Result<(), StoreError> {
        self.with(move |connection, _| connectors::create(connection, &connector))
            .await
    }

    async fn get_connector(&self, name: &str) -> Result<Option<Connector>, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| connectors::get(connection, &name))
            .await
    }

    async fn list_connectors(&self) -> Result<Vec<Connector>, StoreError> {
        self.with(|connection, _| connectors::list(connection))
            .await
    }

    async fn comment_connector(
        &self,
        name: &str,
        comment: Option<String>,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| {
            Ok(connection.execute(
                "UPDATE connectors SET comment = ?2 WHERE name = ?1",
                params![name, comment],
            )? > 0)
        })
        .await
    }

    async fn drop_connector(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| {
            Ok(connection.execute("DELETE FROM connectors WHERE name = ?1", [name])? > 0)
        })
        .await
    }

    async fn claim_flink_name(
        &self,
        name: &FlinkObjectName,
        creator: &str,
    ) -> Result<FlinkClaim, StoreError> {
        let (name, creator) = (name.clone(), creator.to_string());
        self.with(move |connection, _| flink_objects::claim(connection, &name, &creator))
            .await
    }

    async fn release_flink_claim(&self, claim: FlinkClaim) -> Result<(), StoreError> {
        self.with(move |connection, _| flink_objects::release(connection, claim))
            .await
    }

    async fn record_flink_change(
        &self,
        change: FlinkChange,
        creator: &str,
    ) -> Result<Option<u64>, StoreError> {
        let creator = creator.to_string();
        self.with(move |connection, secrets| {
            flink_objects::record(connection, secrets, change, &creator)
        })
        .await
    }

    async fn flink_catalog_version(&self) -> Result<u64, StoreError> {
        self.with(|connection, _| flink_objects::version(connection))
            .await
    }

    async fn flink_catalog_replay(
        &self,
        since: Option<u64>,
    ) -> Result<FlinkCatalogReplay, StoreError> {
        self.with(move |connection, secrets| flink_objects::replay(connection, secrets, since))
            .await
    }

    async fn list_flink_objects(&self) -> Result<Vec<FlinkObject>, StoreError> {
        self.with(|connection, _| flink_objects::list(connection))
            .await
    }

    async fn create_sync(&self, sync: StoredSync) -> Result<(), StoreError> {
        self.with(move |connection, secrets| syncs::create(connection, secrets, sync))
            .await
    }

    async fn get_sync(&self, name: &str) -> Result<Option<StoredSync>, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| syncs::get(connection, secrets, &name))
            .await
    }

    async fn list_syncs(&self) -> Result<Vec<StoredSync>, StoreError> {
        self.with(|connection, secrets| syncs::list(connection, secrets))
            .await
    }

    async fn update_sync(
        &self,
        name: &str,
        expected: &[&str],
        sync: StoredSync,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        self.with(move |connection, secrets| {
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            syncs::update(connection, secrets, &name, &expected, sync)
        })
        .await
    }

    async fn change_sync(
        &self,
        name: &str,
        expected: &[&str],
        change: SyncChange,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        self.with(move |connection, _| {
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            syncs::change(connection, &name, &expected, change)
        })
        .await
    }

    async fn drop_sync(&self, name: &str) -> Result<ClusterDrop, StoreError> {
        let name = name.to_string();
        self.with(move |connection, _| syncs::drop(connection, &name))
            .await
    }

    async fn create_job(&self, job: Job) -> Result<(), StoreError> {
        self.with(move |connection, secrets| jobs::create(connection, secrets, job))
            .await
    }

    async fn get_job(&self, name: &str) -> Result<Option<Job>, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| jobs::get(connection, secrets, &name))
            .await
    }

    async fn list_jobs(&self) -> Result<Vec<Job>, StoreError> {
        self.with(|connection, secrets| jobs::list(connection, secrets))
            .await
    }

    async fn change_job(
        &self,
        name: &str,
        expected: &[&str],
        change: JobChange,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        self.with(move |connection, _| {
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            jobs::change(connection, &name, &expected, change)
        })
        .await
    }

    async fn update_job(&self, name: &str, job: Job) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection, secrets| jobs::update(connection, secrets, &name, job))
            .await
    }

    async fn drop_job(&self, name: &str, expected: &[&str]) -> Result<bool, StoreError> {
        let name = name.to_string();
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        self.with(move |connection, _| {
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            jobs::remove(connection, &name, &expected)
        })
        .await
    }

    async fn add_savepoint(&self, savepoint: Savepoint) -> Result<(), StoreError> {
        self.with(move |connection, _| jobs::add_savepoint(connection, savepoint))
            .await
    }

    async fn list_savepoints(&self, job: Option<&str>) -> Result<Vec<Savepoint>, StoreError> {
        let job = job.map(str::to_string);
        self.with(move |connection, _| jobs::savepoints(connection, job.as_deref()))
            .await
    }

    async fn list_job_events(&self, job: Option<&str>) -> Result<Vec<JobEvent>, StoreError> {
        let job = job.map(str::to_string);
        self.with(move |connection, _| jobs::events(connection, job.as_deref()))
            .await
    }
}

fn catalog_aad(name: &str) -> String {
    format!("flink_catalog:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::{ExposeSecret, SecretString};

    fn secret(value: &str) -> SecretString {
        SecretString::from(value.to_string())
    }

    fn datasource(name: &str, password: &str) -> Datasource {
        let now = chrono::Utc::now();
        Datasource {
            name: name.into(),
            datasource_type: "postgresql".into(),
            options: BTreeMap::from([
                ("host".to_string(), OptionEntry::Plain("127.0.0.1".into())),
                (
                    "password".to_string(),
                    OptionEntry::Secret(secret(password)),
                ),
            ]),
            files: BTreeMap::new(),
            comment: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[tokio::test]
    async fn datasources_round_trip_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .create_datasource(datasource("b", "pw-b"))
            .await
            .unwrap();
        store
            .create_datasource(datasource("a", "pw-a"))
            .await
            .unwrap();
        assert!(matches!(
            store.create_datasource(datasource("a", "x")).await,
            Err(StoreError::Duplicate { .. })
        ));
        drop(store);
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let names: Vec<String> = store
            .list_datasources()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, vec!["a", "b"]);
        let a = store.get_datasource("a").await.unwrap().unwrap();
        match &a.options["password"] {
            OptionEntry::Secret(s) => assert_eq!(s.expose_secret(), "pw-a"),
            OptionEntry::Plain(_) => panic!("password must stay secret"),
        }
        assert_eq!(
            store.drop_datasource("a", false).await.unwrap(),
            ClusterDrop::Dropped
        );
        assert_eq!(
            store.drop_datasource("a", false).await.unwrap(),
            ClusterDrop::Missing
        );
        assert!(store.get_datasource("a").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn flink_catalogs_are_sealed_and_jars_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let definition = "CREATE CATALOG pg WITH ('type' = 'jdbc', 'password' = 'catalog-pw-987')";
        let now = chrono::Utc::now();
        store
            .put_flink_catalog(FlinkCatalog {
                name: "pg".into(),
                catalog_type: Some("jdbc".into()),
                definition: secret(definition),
                shown: crate::sql::mask::redact(definition),
                datasource: Some("pg_main".into()),
                created_at: now,
            })
            .await
            .unwrap();
        for _ in 0..2 {
            store
                .add_jar(Jar {
                    source: "/jars/udf.jar".into(),
                    name: "udf.jar".into(),
                    created_at: now,
                })
                .await
                .unwrap();
        }
        drop(store);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(14).any(|w| w == b"catalog-pw-987"));
        }
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let catalogs = store.list_flink_catalogs().await.unwrap();
        assert_eq!(catalogs[0].definition.expose_secret(), definition);
        assert!(catalogs[0].shown.contains("'******'"));
        assert_eq!(catalogs[0].datasource.as_deref(), Some("pg_main"));
        assert_eq!(store.list_jars().await.unwrap().len(), 1);
        assert!(store.remove_jar("/jars/udf.jar").await.unwrap());
        assert!(!store.remove_jar("/jars/udf.jar").await.unwrap());
        assert!(store.drop_flink_catalog("pg").await.unwrap());
        assert!(store.list_flink_catalogs().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_renamed_datasource_keeps_its_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .create_datasource(datasource("a", "pw"))
            .await
            .unwrap();
        let catalog = |name: &str, from: Option<&str>| FlinkCatalog {
            name: name.into(),
            catalog_type: Some("jdbc".into()),
            definition: secret("CREATE CATALOG x WITH ('type' = 'jdbc')"),
            shown: "CREATE CATALOG x WITH ('type' = 'jdbc')".into(),
            datasource: from.map(String::from),
            created_at: chrono::Utc::now(),
        };
        store
            .put_flink_catalog(catalog("from_a", Some("a")))
            .await
            .unwrap();
        store
            .put_flink_catalog(catalog("written", None))
            .await
            .unwrap();
        let mut renamed = store.get_datasource("a").await.unwrap().unwrap();
        renamed.name = "b".into();
        assert!(store.update_datasource("a", renamed).await.unwrap());
        let sources: Vec<Option<String>> = store
            .list_flink_catalogs()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.datasource)
            .collect();
        assert_eq!(sources, [Some("b".to_string()), None]);
    }

    #[tokio::test]
    async fn secrets_are_not_in_the_database_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .create_datasource(datasource("a", "plaintext-pw-123"))
            .await
            .unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(16).any(|w| w == b"plaintext-pw-123"));
        }
    }

    #[tokio::test]
    async fn swapped_ciphertexts_fail_to_decrypt() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .create_datasource(datasource("a", "pw-a"))
            .await
            .unwrap();
        store
            .create_datasource(datasource("b", "pw-b"))
            .await
            .unwrap();
        store
            .with(|c, _| {
                let a: String = c.query_row(
                    "SELECT options FROM datasources WHERE name = 'a'",
                    [],
                    |r| r.get(0),
                )?;
                c.execute("UPDATE datasources SET options = ?1 WHERE name = 'b'", [a])?;
                Ok(())
            })
            .await
            .unwrap();
        assert!(matches!(
            store.get_datasource("b").await,
            Err(StoreError::Secret(_))
        ));
    }
}
