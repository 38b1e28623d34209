//! What a job takes to its cluster besides its script: the jars of the
//! connectors, formats and catalog types its script names (registered
//! with `CREATE CONNECTOR`) and the session's `ADD JAR`s (functions),
//! inside one job jar — the SQL runner with them under `lib/`
//! ([`crate::flink::jar::with_libs`]), uploaded under a name carrying its
//! content hash. Flink's `PackagedProgram` puts `lib/*.jar` of a job jar
//! on the job's classpath, for REST clusters and for the Kubernetes
//! operator's session jobs alike, so a cluster needs nothing installed.
//!
//! A script that names a connector nothing provides fails here, before
//! anything reaches the cluster (42704 naming it and the `CREATE
//! CONNECTOR` to run).

use std::collections::BTreeSet;

use crate::catalog::connectors::{ConnectorRegistry, Need, jar_factories, requirements};
use crate::error::{Error, Result, SqlState};
use crate::flink::jar::with_libs;
use crate::flink::runner::{RUNNER_JAR, RUNNER_JAR_STEM};
use crate::store::Store;

/// The largest jar scaleph reads (a shaded connector is tens of MB).
pub const MAX_JAR_SIZE: u64 = 512 << 20;

/// The stem of a job jar's name on a cluster when it carries jars
/// (`scaleph-job-<hash>.jar`); a job without any runs the runner jar.
pub const JOB_JAR_STEM: &str = "scaleph-job";

/// The path of a local jar location (an absolute path or `file://`).
pub fn local_path(location: &str) -> Option<&str> {
    location
        .strip_prefix("file://")
        .or_else(|| location.starts_with('/').then_some(location))
}

/// The bytes of the local jar at `path`: 58P01 when it cannot be read,
/// 54000 when it is larger than [`MAX_JAR_SIZE`].
pub async fn read_local_jar(path: &str) -> Result<Vec<u8>> {
    let unreadable = |e: std::io::Error| {
        Error::new(
            SqlState::UNDEFINED_FILE,
            format!("jar '{path}' cannot be read: {e}"),
        )
    };
    let metadata = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if metadata.len() > MAX_JAR_SIZE {
        return Err(Error::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "jar '{path}' is {} MB; scaleph reads jars of up to {} MB",
                metadata.len() >> 20,
                MAX_JAR_SIZE >> 20
            ),
        ));
    }
    tokio::fs::read(path).await.map_err(unreadable)
}

/// The bytes of the jar at `location`: a local file, or `http(s)://`
/// downloaded now (bounded by [`MAX_JAR_SIZE`]). Object stores (`s3://`,
/// `hdfs://`) are 0A000: scaleph has no client for them.
pub async fn read_jar(location: &str) -> Result<Vec<u8>> {
    if let Some(path) = local_path(location) {
        return read_local_jar(path).await;
    }
    if !(location.starts_with("http://") || location.starts_with("https://")) {
        return Err(Error::not_supported(format!(
            "taking the jar '{location}' to a job: scaleph reads local and http(s) jars"
        ))
        .with_hint(
            "CREATE CONNECTOR ... FROM a local copy ('/path/connector.jar') or an https:// URL",
        ));
    }
    let client = crate::flink::client::http_client(
        std::time::Duration::from_secs(10),
        std::time::Duration::from_secs(300),
        reqwest::header::HeaderMap::new(),
        "jar download",
    )?;
    let failed = |e: reqwest::Error| {
        Error::new(
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            format!("jar '{location}' cannot be downloaded: {e}"),
        )
    };
    let mut response = client
        .get(location)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(failed)?;
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if (bytes.len() + chunk.len()) as u64 > MAX_JAR_SIZE {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("jar '{location}' is larger than {} MB", MAX_JAR_SIZE >> 20),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The file name of a jar location
/// (`.../flink-sql-connector-kafka-4.0.jar?x` → `flink-sql-connector-kafka-4.0.jar`).
pub fn file_name(location: &str) -> &str {
    let path = location.split(['?', '#']).next().unwrap_or(location);
    path.rsplit('/').next().unwrap_or(path)
}

/// A job's jar.
#[derive(Debug)]
pub struct JobJar {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The stem of its name on a cluster.
    pub stem: &'static str,
    /// The jars it carries, by file name.
    pub libs: Vec<String>,
}

/// The jar that runs `script` on a cluster of Flink `version` (when known,
/// for the remedy's jar URL): the runner with the registered connectors
/// the script needs and the session's jars. 42704 when the script needs a
/// connector, format or catalog type that is neither built into Flink nor
/// registered.
pub async fn job_jar(
    store: &dyn Store,
    registry: &ConnectorRegistry,
    script: &str,
    version: Option<&str>,
) -> Result<JobJar> {
    let needs = requirements(script);
    let connectors = store.list_connectors().await?;
    let mut provided: Vec<(Need, String)> = Vec::new();
    let mut take = Vec::new();
    for connector in &connectors {
        let offers: Vec<(Need, String)> = connector
            .provides
            .iter()
            .filter_map(|p| p.split_once(':'))
            .filter_map(|(need, id)| Some((Need::from_name(need)?, id.to_string())))
            .collect();
        let needed = offers.iter().any(|(need, id)| {
            needs
                .iter()
                .any(|r| r.need == *need && r.identifier.eq_ignore_ascii_case(id))
        });
        if needed {
            take.push(connector.location.clone());
        }
        provided.extend(offers);
    }
    let mut libs: Vec<(String, Vec<u8>)> = Vec::new();
    for jar in store.list_jars().await? {
        let bytes = read_jar(&jar.source).await?;
        let factories = jar_factories(&bytes).ok();
        provided.extend(registry.provided_by(&jar.name, factories.as_deref()));
        libs.push((file_name(&jar.source).to_string(), bytes));
    }
    if let Some(missing) = registry.missing(&needs, &provided, version).first() {
        return Err(missing.error());
    }
    for location in take {
        let bytes = read_jar(&location).await?;
        libs.push((file_name(&location).to_string(), bytes));
    }
    // The same jar named twice (a connector also added with ADD JAR)
    // travels once.
    let mut seen = BTreeSet::new();
    libs.retain(|(name, _)| seen.insert(name.clone()));
    if libs.is_empty() {
        return Ok(JobJar {
            bytes: RUNNER_JAR.to_vec(),
            stem: RUNNER_JAR_STEM,
            libs: Vec::new(),
        });
    }
    let refs: Vec<(&str, &[u8])> = libs
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    Ok(JobJar {
        bytes: with_libs(RUNNER_JAR, &refs)?,
        stem: JOB_JAR_STEM,
        libs: libs.into_iter().map(|(name, _)| name).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jar_locations_name_their_file() {
        assert_eq!(file_name("https://repo/x/kafka-4.0.jar"), "kafka-4.0.jar");
        assert_eq!(file_name("/opt/udf.jar"), "udf.jar");
        assert_eq!(local_path("file:///opt/udf.jar"), Some("/opt/udf.jar"));
        assert_eq!(local_path("s3://b/udf.jar"), None);
    }

    #[tokio::test]
    async fn object_store_jars_are_0a000_and_missing_files_58p01() {
        let err = read_jar("s3://bucket/x.jar").await.unwrap_err();
        assert_eq!(err.sqlstate, SqlState::FEATURE_NOT_SUPPORTED);
        let err = read_jar("/nonexistent/x.jar").await.unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_FILE);
    }

    #[tokio::test]
    async fn a_script_without_extra_connectors_runs_the_runner_jar_and_a_missing_one_fails() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::SqliteStore::open(dir.path()).await.unwrap();
        let registry = ConnectorRegistry::embedded();
        let jar = job_jar(
            &store,
            &registry,
            "CREATE TABLE s (a INT) WITH ('connector' = 'datagen'); INSERT INTO s SELECT 1;",
            Some("2.3.0"),
        )
        .await
        .unwrap();
        assert_eq!(jar.stem, RUNNER_JAR_STEM);
        assert_eq!(jar.bytes, RUNNER_JAR);
        let err = job_jar(
            &store,
            &registry,
            "CREATE TABLE k (a INT) WITH ('connector' = 'kafka'); INSERT INTO k SELECT 1;",
            Some("2.3.0"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_OBJECT);
        assert!(err.message.contains("'kafka'"), "{}", err.message);
        assert!(
            err.hint
                .as_deref()
                .unwrap_or_default()
                .contains("CREATE CONNECTOR")
        );
    }
}
