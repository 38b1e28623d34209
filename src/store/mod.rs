//! The metadata store: where every object a user creates lives. The
//! embedded [`SqliteStore`] is the default; the [`Store`] trait lets a
//! shared PostgreSQL store back several gateway replicas later.
//!
//! A `create_*`/`drop_*` call returns only after the change is committed
//! durably, so a client that saw `CREATE DATASOURCE` never loses it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::{Error, SqlState};

pub mod artifacts;
mod clusters;
mod connectors;
mod flink_objects;
mod jobs;
mod secrets;
mod sqlite;
mod syncs;

pub use clusters::ENDED_JOB_STATES;
pub use flink_objects::{
    FlinkCatalogReplay, FlinkCatalogStatement, FlinkChange, FlinkClaim, FlinkContext, FlinkObject,
    FlinkObjectKind, FlinkObjectName,
};
pub use jobs::{Job, JobChange, JobEvent, Savepoint};
pub use secrets::SecretBox;
pub use sqlite::SqliteStore;
pub use syncs::{ACTIVE as ACTIVE_SYNC_STATES, StoredSync, SyncChange};

/// A datasource as stored: name, type and options, secrets decrypted into
/// [`SecretString`]s that redact themselves.
#[derive(Clone, Debug)]
pub struct Datasource {
    /// Unique name.
    pub name: String,
    /// Datasource type (`postgresql`, `mysql`, ...).
    pub datasource_type: String,
    /// Options, by key.
    pub options: BTreeMap<String, OptionEntry>,
    /// Attached files (`FILES (keytab = '/path')`), by name.
    pub files: BTreeMap<String, AttachedFile>,
    /// `COMMENT ON` text.
    pub comment: Option<String>,
    /// When it was created (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was last changed (UTC).
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Datasource {
    /// The options as a JSON object text, keys in order, secrets shown as
    /// [`MASK`]: what system tables and SHOW statements display.
    pub fn masked_options_json(&self) -> String {
        masked_json(&self.options)
    }
}

/// A Flink cluster (`CREATE CLUSTER`): name, type and options, secrets
/// decrypted into [`SecretString`]s that redact themselves.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Unique name.
    pub name: String,
    /// The type keyword, lower case (`remote`).
    pub cluster_type: String,
    /// Options, by key (`rest.address`, `flink.*`, ...).
    pub options: BTreeMap<String, OptionEntry>,
    /// Attached files (`FILES ('pod.template' = '/path')`), by name: their
    /// content as read then, which is what jobs use.
    pub files: BTreeMap<String, AttachedFile>,
    /// `COMMENT ON` text.
    pub comment: Option<String>,
    /// When it was created (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was last changed (UTC).
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Cluster {
    /// The options as a JSON object text, secrets shown as [`MASK`].
    pub fn masked_options_json(&self) -> String {
        masked_json(&self.options)
    }

    /// The attached files as a JSON object text: name to path, size and
    /// SHA-256 (never the content).
    pub fn files_json(&self) -> String {
        let shown: BTreeMap<&str, serde_json::Value> = self
            .files
            .iter()
            .map(|(name, file)| {
                (
                    name.as_str(),
                    serde_json::json!({
                        "path": file.path,
                        "size": file.size,
                        "sha256": file.sha256,
                    }),
                )
            })
            .collect();
        serde_json::to_string(&shown).unwrap_or_default()
    }
}

/// What [`Store::drop_cluster`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterDrop {
    /// It is gone.
    Dropped,
    /// There was no cluster of that name.
    Missing,
    /// Kept: these jobs (by name) are on it and have not ended.
    InUse(Vec<String>),
}

/// Options as a JSON object text, keys in order, secrets shown as [`MASK`].
fn masked_json(options: &BTreeMap<String, OptionEntry>) -> String {
    let masked: BTreeMap<&str, &str> = options
        .iter()
        .map(|(k, v)| (k.as_str(), v.masked()))
        .collect();
    serde_json::to_string(&masked).unwrap_or_default()
}

/// Options as a JSON object text, secrets shown as [`MASK`] (a job's WITH
/// options; see [`Job`]).
pub fn masked_options_json(options: &BTreeMap<String, OptionEntry>) -> String {
    masked_json(options)
}

/// A Flink catalog kept by scaleph (`CREATE CATALOG`), created in every
/// new Flink session.
#[derive(Clone, Debug)]
pub struct FlinkCatalog {
    /// Its name.
    pub name: String,
    /// Its `'type'` option (`paimon`, `jdbc`, `hive`, ...), if given.
    pub catalog_type: Option<String>,
    /// The `CREATE CATALOG` statement as written: its options may hold
    /// secrets, so it is encrypted at rest.
    pub definition: SecretString,
    /// The statement with secret values masked.
    pub shown: String,
    /// The datasource it was made from (`CREATE CATALOG ... FROM
    /// DATASOURCE`); `None` for a catalog written as Flink SQL.
    pub datasource: Option<String>,
    /// When it was created (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A jar kept by scaleph (`ADD JAR`), added to every new Flink session.
#[derive(Clone, Debug)]
pub struct Jar {
    /// Its path or URL, as given to ADD JAR.
    pub source: String,
    /// Its file name.
    pub name: String,
    /// When it was added (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A connector jar registered with `CREATE CONNECTOR`.
#[derive(Clone, Debug, PartialEq)]
pub struct Connector {
    /// Its name.
    pub name: String,
    /// Where the jar is, as given.
    pub location: String,
    /// Its SHA-256 (hex) and size, when scaleph read it.
    pub sha256: Option<String>,
    /// Its size in bytes, when scaleph read it.
    pub size: Option<u64>,
    /// The factory classes its service file lists (empty when unread).
    pub factories: Vec<String>,
    /// What it provides: `connector:kafka`, `format:avro`, `catalog:paimon`.
    pub provides: Vec<String>,
    /// `COMMENT ON CONNECTOR`.
    pub comment: Option<String>,
    /// When it was registered (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A file attached to a datasource or a cluster, read when it was
/// attached: what uses it reads this content, never the path again.
#[derive(Clone, Debug)]
pub struct AttachedFile {
    /// Where it was read from (shown by SHOW CREATE).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Its bytes, base64: a secret (encrypted at rest) when the type says so.
    pub content: OptionEntry,
}

/// One option value: plain text, or a secret encrypted at rest.
#[derive(Clone, Debug)]
pub enum OptionEntry {
    /// Shown as is.
    Plain(String),
    /// Encrypted at rest, shown as `******`.
    Secret(SecretString),
}

/// How a secret is shown anywhere a user or a log can see it.
pub const MASK: &str = "******";

impl OptionEntry {
    /// The value as a user may see it: secrets masked.
    pub fn masked(&self) -> &str {
        match self {
            OptionEntry::Plain(value) => value,
            OptionEntry::Secret(_) => MASK,
        }
    }

    /// The real value, secrets included: only for what a connection or a
    /// submission needs, never for output.
    pub fn expose(&self) -> &str {
        use secrecy::ExposeSecret;
        match self {
            OptionEntry::Plain(value) => value,
            OptionEntry::Secret(secret) => secret.expose_secret(),
        }
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An object with that name exists already.
    #[error("{kind} \"{name}\" already exists")]
    Duplicate {
        /// Object kind (`datasource`).
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// The database failed.
    #[error("metadata store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed, or stored JSON could not be written or read.
    #[error("metadata store migration: {message}")]
    Migration {
        /// What failed.
        message: String,
        /// The error it failed with.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Files of the data dir could not be read or written.
    #[error("metadata store: {0}")]
    Io(#[from] std::io::Error),
    /// A secret could not be encrypted or decrypted (wrong key file, tampering).
    #[error("secret for {0} could not be decrypted: wrong key file or tampered store")]
    Secret(String),
    /// The key file is readable by group or others.
    #[error("key file {0} is readable by group or others; run chmod 600 on it")]
    KeyFilePermissions(String),
    /// A name claimed for a shared Flink object was released before the
    /// statement creating it was kept (the store was reopened meanwhile).
    #[error(
        "the name claimed for a shared Flink object was released before Flink's answer was kept"
    )]
    ClaimLost,
    /// The store's worker stopped.
    #[error("metadata store is shut down")]
    Closed,
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Error {
        let sqlstate = match &err {
            StoreError::Duplicate { .. } => SqlState::DUPLICATE_OBJECT,
            StoreError::Io(_) => SqlState::IO_ERROR,
            _ => SqlState::SYSTEM_ERROR,
        };
        Error::caused_by(sqlstate, err)
    }
}

/// The metadata store.
#[async_trait]
pub trait Store: Send + Sync {
    /// Adds a datasource; [`StoreError::Duplicate`] if the name is taken.
    async fn create_datasource(&self, datasource: Datasource) -> Result<(), StoreError>;
    /// The datasource called `name`, if any.
    async fn get_datasource(&self, name: &str) -> Result<Option<Datasource>, StoreError>;
    /// All datasources, by name.
    async fn list_datasources(&self) -> Result<Vec<Datasource>, StoreError>;
    /// Removes a datasource: `InUse` (the syncs, by name) while a sync
    /// uses it, unless `cascade`, which drops those syncs too — refused
    /// (`InUse`: the active ones) while any of them runs.
    async fn drop_datasource(&self, name: &str, cascade: bool) -> Result<ClusterDrop, StoreError>;
    /// Replaces the datasource called `name` with `datasource` (which may
    /// carry a new name: a rename), atomically; `false` if there was none,
    /// [`StoreError::Duplicate`] if the new name is taken.
    async fn update_datasource(
        &self,
        name: &str,
        datasource: Datasource,
    ) -> Result<bool, StoreError>;
    /// Adds a cluster; [`StoreError::Duplicate`] if the name is taken.
    async fn create_cluster(&self, cluster: Cluster) -> Result<(), StoreError>;
    /// The cluster called `name`, if any.
    async fn get_cluster(&self, name: &str) -> Result<Option<Cluster>, StoreError>;
    /// All clusters, by name.
    async fn list_clusters(&self) -> Result<Vec<Cluster>, StoreError>;
    /// Replaces the cluster called `name` with `cluster` (a new name is a
    /// rename: its jobs follow), atomically; `false` if there was none,
    /// [`StoreError::Duplicate`] if the new name is taken.
    async fn update_cluster(&self, name: &str, cluster: Cluster) -> Result<bool, StoreError>;
    /// Drops a cluster, unless jobs that have not ended (see
    /// [`ENDED_JOB_STATES`]) are on it: checked and dropped atomically.
    async fn drop_cluster(&self, name: &str) -> Result<ClusterDrop, StoreError>;
    /// Adds or replaces the Flink catalog of that name.
    async fn put_flink_catalog(&self, catalog: FlinkCatalog) -> Result<(), StoreError>;
    /// Removes a Flink catalog; `false` if there was none.
    async fn drop_flink_catalog(&self, name: &str) -> Result<bool, StoreError>;
    /// All Flink catalogs, in creation order.
    async fn list_flink_catalogs(&self) -> Result<Vec<FlinkCatalog>, StoreError>;
    /// Adds a jar; adding one that is there already changes nothing.
    async fn add_jar(&self, jar: Jar) -> Result<(), StoreError>;
    /// Removes a jar by its source; `false` if there was none.
    async fn remove_jar(&self, source: &str) -> Result<bool, StoreError>;
    /// All jars, in the order they were added.
    async fn list_jars(&self) -> Result<Vec<Jar>, StoreError>;
    /// Registers a connector; `Duplicate` when the name is taken.
    async fn create_connector(&self, connector: Connector) -> Result<(), StoreError>;
    /// The connector called `name`.
    async fn get_connector(&self, name: &str) -> Result<Option<Connector>, StoreError>;
    /// Every connector, by name.
    async fn list_connectors(&self) -> Result<Vec<Connector>, StoreError>;
    /// Sets a connector's comment; false when it does not exist.
    async fn comment_connector(
        &self,
        name: &str,
        comment: Option<String>,
    ) -> Result<bool, StoreError>;
    /// Drops a connector; false when it did not exist.
    async fn drop_connector(&self, name: &str) -> Result<bool, StoreError>;
    /// Claims `name` in the shared Flink catalog for a CREATE (or RENAME)
    /// that Flink is about to run; [`StoreError::Duplicate`] when an
    /// object or another claim has it.
    async fn claim_flink_name(
        &self,
        name: &FlinkObjectName,
        creator: &str,
    ) -> Result<FlinkClaim, StoreError>;
    /// Releases a claim whose statement Flink refused.
    async fn release_flink_claim(&self, claim: FlinkClaim) -> Result<(), StoreError>;
    /// Keeps a change of the shared Flink catalog that Flink accepted,
    /// made by `creator`: the new catalog version, or `None` when an ALTER
    /// or DROP names no shared object.
    async fn record_flink_change(
        &self,
        change: FlinkChange,
        creator: &str,
    ) -> Result<Option<u64>, StoreError>;
    /// The shared Flink catalog's version (0 before its first change).
    async fn flink_catalog_version(&self) -> Result<u64, StoreError>;
    /// The statements that bring a Flink session to the current version:
    /// every change after `since`, or (`None`) the live objects'
    /// statements, in the order they ran.
    async fn flink_catalog_replay(
        &self,
        since: Option<u64>,
    ) -> Result<FlinkCatalogReplay, StoreError>;
    /// The shared Flink catalog's objects, in creation order.
    async fn list_flink_objects(&self) -> Result<Vec<FlinkObject>, StoreError>;
    /// Adds a job (its first event too); [`StoreError::Duplicate`] when the
    /// name is taken — of two racing CREATE JOBs exactly one gets it.
    async fn create_job(&self, job: Job) -> Result<(), StoreError>;
    /// The job called `name`, if any.
    async fn get_job(&self, name: &str) -> Result<Option<Job>, StoreError>;
    /// Every job, by name.
    async fn list_jobs(&self) -> Result<Vec<Job>, StoreError>;
    /// Moves job `name` to `change.state` — only while it is in one of
    /// `expected` (any state when empty), so the tracker and a statement
    /// never overwrite each other's transition — and records the event.
    /// Whether it applied.
    async fn change_job(
        &self,
        name: &str,
        expected: &[&str],
        change: JobChange,
    ) -> Result<bool, StoreError>;
    /// Replaces job `name`'s definition (name, options, comment; its state
    /// is left to [`Store::change_job`]): `false` if there was none,
    /// [`StoreError::Duplicate`] when a new name is taken.
    async fn update_job(&self, name: &str, job: Job) -> Result<bool, StoreError>;
    /// Drops job `name` with its savepoints and events — only while it is
    /// in one of `expected`; whether it was dropped.
    async fn drop_job(&self, name: &str, expected: &[&str]) -> Result<bool, StoreError>;
    /// Records a savepoint a job took.
    async fn add_savepoint(&self, savepoint: Savepoint) -> Result<(), StoreError>;
    /// Every savepoint (of `job`, when given), oldest first.
    async fn list_savepoints(&self, job: Option<&str>) -> Result<Vec<Savepoint>, StoreError>;
    /// Every job event (of `job`, when given), oldest first.
    async fn list_job_events(&self, job: Option<&str>) -> Result<Vec<JobEvent>, StoreError>;

    /// Adds a sync; [`StoreError::Duplicate`] if the name is taken.
    async fn create_sync(&self, sync: StoredSync) -> Result<(), StoreError>;
    /// The sync called `name`, if any.
    async fn get_sync(&self, name: &str) -> Result<Option<StoredSync>, StoreError>;
    /// Every sync, by name.
    async fn list_syncs(&self) -> Result<Vec<StoredSync>, StoreError>;
    /// Replaces sync `name`'s definition with `sync` (which may carry a
    /// new name) while it is in one of `expected` (any, when empty);
    /// whether it was.
    async fn update_sync(
        &self,
        name: &str,
        expected: &[&str],
        sync: StoredSync,
    ) -> Result<bool, StoreError>;
    /// Moves sync `name` to a new state while it is in one of `expected`
    /// (any, when empty); whether it did.
    async fn change_sync(
        &self,
        name: &str,
        expected: &[&str],
        change: SyncChange,
    ) -> Result<bool, StoreError>;
    /// Drops sync `name` unless it is active (`InUse`).
    async fn drop_sync(&self, name: &str) -> Result<ClusterDrop, StoreError>;
}
