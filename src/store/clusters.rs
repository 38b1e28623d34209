//! Flink clusters in the store (`CREATE CLUSTER`), and the one question
//! about jobs a cluster's lifecycle asks: which jobs still need it.
//!
//! A cluster's options are kept like a datasource's: a JSON object with
//! each secret sealed under `cluster:<name>:<key>`, so a ciphertext moved
//! to another cluster or option does not open. Its attached files (the
//! pod templates, migration V8) are kept like a datasource's too, a
//! secret one sealed under `cluster:<name>:file:<file>`. A rename seals
//! them again.
//! Dropping a cluster and finding the jobs that hold it happen in one
//! transaction: a job created on the cluster meanwhile cannot be orphaned.

use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite::{
    decode_files, decode_options, encode_files, encode_options, from_micros, micros,
};
use super::{Cluster, ClusterDrop, SecretBox, StoreError};

/// Job states in which a job no longer needs its cluster: it ended, and
/// nothing resumes it there. Every other state (submitting, running,
/// suspended with a savepoint to resume from, ...) holds the cluster.
pub const ENDED_JOB_STATES: &[&str] = &["FINISHED", "FAILED", "CANCELED", "STOPPED", "LOST"];

fn aad(cluster: &str, key: &str) -> String {
    format!("cluster:{cluster}:{key}")
}

fn file_aad(cluster: &str, file: &str) -> String {
    format!("cluster:{cluster}:file:{file}")
}

const SELECT: &str =
    "SELECT name, cluster_type, options, comment, created_at, updated_at, files FROM clusters";

/// The options and files columns of `cluster`, secrets sealed.
fn encode(secrets: &SecretBox, cluster: &Cluster) -> Result<(String, String), StoreError> {
    let options = encode_options(secrets, &cluster.options, |key| aad(&cluster.name, key))?;
    let files = encode_files(secrets, &cluster.files, |file| {
        file_aad(&cluster.name, file)
    })?;
    Ok((options, files))
}

fn decode(secrets: &SecretBox, row: &rusqlite::Row) -> Result<Cluster, StoreError> {
    let name: String = row.get(0)?;
    let owner = format!("cluster {name}");
    let options = decode_options(secrets, &owner, &row.get::<_, String>(2)?, |key| {
        aad(&name, key)
    })?;
    let files = decode_files(secrets, &owner, &row.get::<_, String>(6)?, |file| {
        file_aad(&name, file)
    })?;
    Ok(Cluster {
        cluster_type: row.get(1)?,
        options,
        files,
        comment: row.get(3)?,
        created_at: from_micros(row.get(4)?),
        updated_at: from_micros(row.get(5)?),
        name,
    })
}

/// Adds `cluster`; [`StoreError::Duplicate`] when the name is taken.
pub fn create(
    connection: &mut Connection,
    secrets: &SecretBox,
    cluster: Cluster,
) -> Result<(), StoreError> {
    let (options, files) = encode(secrets, &cluster)?;
    let inserted = connection.execute(
        "INSERT INTO clusters (name, cluster_type, options, comment, created_at, updated_at, files) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO NOTHING",
        params![
            cluster.name,
            cluster.cluster_type,
            options,
            cluster.comment,
            micros(cluster.created_at),
            micros(cluster.updated_at),
            files
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            kind: "cluster",
            name: cluster.name,
        });
    }
    Ok(())
}

/// The cluster called `name`, if any.
pub fn get(
    connection: &Connection,
    secrets: &SecretBox,
    name: &str,
) -> Result<Option<Cluster>, StoreError> {
    connection
        .query_row(&format!("{SELECT} WHERE name = ?1"), [name], |row| {
            Ok(decode(secrets, row))
        })
        .optional()?
        .transpose()
}

/// Every cluster, by name.
pub fn list(connection: &Connection, secrets: &SecretBox) -> Result<Vec<Cluster>, StoreError> {
    let mut statement = connection.prepare(&format!("{SELECT} ORDER BY name"))?;
    let rows = statement.query_map([], |row| Ok(decode(secrets, row)))?;
    rows.map(|row| row?).collect()
}

/// Replaces the cluster `name` with `cluster` (maybe renamed: its jobs
/// follow); `false` when there is none.
pub fn update(
    connection: &mut Connection,
    secrets: &SecretBox,
    name: &str,
    cluster: Cluster,
) -> Result<bool, StoreError> {
    let (options, files) = encode(secrets, &cluster)?;
    let transaction = connection.transaction()?;
    if cluster.name != name {
        let taken: bool = transaction.query_row(
            "SELECT EXISTS (SELECT 1 FROM clusters WHERE name = ?1)",
            [&cluster.name],
            |row| row.get(0),
        )?;
        if taken {
            return Err(StoreError::Duplicate {
                kind: "cluster",
                name: cluster.name,
            });
        }
        transaction.execute(
            "UPDATE jobs SET cluster = ?1 WHERE cluster = ?2",
            params![cluster.name, name],
        )?;
    }
    let updated = transaction.execute(
        "UPDATE clusters SET name = ?1, cluster_type = ?2, options = ?3, comment = ?4, \
         updated_at = ?5, files = ?6 WHERE name = ?7",
        params![
            cluster.name,
            cluster.cluster_type,
            options,
            cluster.comment,
            micros(cluster.updated_at),
            files,
            name
        ],
    )?;
    transaction.commit()?;
    Ok(updated > 0)
}

/// The jobs on cluster `name` that have not ended, by name.
fn holding_jobs(connection: &Connection, name: &str) -> Result<Vec<String>, StoreError> {
    let ended = ENDED_JOB_STATES
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut statement = connection.prepare(&format!(
        "SELECT name FROM jobs WHERE cluster = ?1 AND state NOT IN ({ended}) ORDER BY name"
    ))?;
    let rows = statement.query_map([name], |row| row.get(0))?;
    Ok(rows.collect::<Result<Vec<String>, _>>()?)
}

/// Drops the cluster `name` unless jobs that have not ended are on it.
pub fn remove(connection: &mut Connection, name: &str) -> Result<ClusterDrop, StoreError> {
    let transaction = connection.transaction()?;
    let jobs = holding_jobs(&transaction, name)?;
    if !jobs.is_empty() {
        return Ok(ClusterDrop::InUse(jobs));
    }
    let dropped = transaction.execute("DELETE FROM clusters WHERE name = ?1", [name])? > 0;
    transaction.commit()?;
    Ok(if dropped {
        ClusterDrop::Dropped
    } else {
        ClusterDrop::Missing
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use secrecy::{ExposeSecret, SecretString};

    use super::*;
    use crate::store::{AttachedFile, OptionEntry, SqliteStore, Store};

    fn cluster(name: &str) -> Cluster {
        let now = chrono::Utc::now();
        Cluster {
            name: name.into(),
            cluster_type: "remote".into(),
            options: BTreeMap::from([
                (
                    "rest.address".to_string(),
                    OptionEntry::Plain("http://jm:8081".into()),
                ),
                (
                    "rest.auth.secret-header".to_string(),
                    OptionEntry::Secret(SecretString::from("Authorization: Bearer cl-secret-9")),
                ),
            ]),
            files: BTreeMap::from([
                (
                    "pod.template".to_string(),
                    AttachedFile {
                        path: "/etc/pod.yaml".into(),
                        size: 2,
                        sha256: "ab".into(),
                        content: OptionEntry::Plain("e30=".into()),
                    },
                ),
                (
                    "sealed.file".to_string(),
                    AttachedFile {
                        path: "/etc/s".into(),
                        size: 14,
                        sha256: "cd".into(),
                        content: OptionEntry::Secret(SecretString::from("file-secret-77")),
                    },
                ),
            ]),
            comment: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[tokio::test]
    async fn clusters_round_trip_sealed_and_renames_reseal() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store.create_cluster(cluster("a")).await.unwrap();
        assert!(matches!(
            store.create_cluster(cluster("a")).await,
            Err(StoreError::Duplicate {
                kind: "cluster",
                ..
            })
        ));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(11).any(|w| w == b"cl-secret-9"));
            assert!(!bytes.windows(14).any(|w| w == b"file-secret-77"));
        }
        let mut renamed = store.get_cluster("a").await.unwrap().unwrap();
        renamed.name = "b".into();
        assert!(store.update_cluster("a", renamed).await.unwrap());
        drop(store);
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let names: Vec<String> = store
            .list_clusters()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, vec!["b"]);
        let b = store.get_cluster("b").await.unwrap().unwrap();
        match &b.options["rest.auth.secret-header"] {
            OptionEntry::Secret(s) => {
                assert_eq!(s.expose_secret(), "Authorization: Bearer cl-secret-9")
            }
            OptionEntry::Plain(_) => panic!("the header must stay secret"),
        }
        let pod = &b.files["pod.template"];
        assert_eq!(
            (
                pod.path.as_str(),
                pod.size,
                pod.sha256.as_str(),
                pod.content.masked()
            ),
            ("/etc/pod.yaml", 2, "ab", "e30=")
        );
        match &b.files["sealed.file"].content {
            OptionEntry::Secret(s) => assert_eq!(s.expose_secret(), "file-secret-77"),
            OptionEntry::Plain(_) => panic!("a secret file must stay secret"),
        }
        assert_eq!(
            b.files_json(),
            r#"{"pod.template":{"path":"/etc/pod.yaml","sha256":"ab","size":2},"sealed.file":{"path":"/etc/s","sha256":"cd","size":14}}"#
        );
        assert!(matches!(
            store.drop_cluster("a").await.unwrap(),
            ClusterDrop::Missing
        ));
    }

    #[tokio::test]
    async fn drop_cluster_is_refused_while_a_job_that_has_not_ended_is_on_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store.create_cluster(cluster("c")).await.unwrap();
        // The jobs issue writes these rows; the question DROP asks is this one.
        store
            .with(|connection, _| {
                connection.execute_batch(
                    "INSERT INTO jobs (name, cluster, state, created_at) VALUES \
                     ('etl', 'c', 'RUNNING', 0), ('old', 'c', 'FINISHED', 0), \
                     ('paused', 'c', 'SUSPENDED', 0), ('elsewhere', 'd', 'RUNNING', 0)",
                )?;
                Ok(())
            })
            .await
            .unwrap();
        match store.drop_cluster("c").await.unwrap() {
            ClusterDrop::InUse(jobs) => assert_eq!(jobs, vec!["etl", "paused"]),
            _ => panic!("dropped a cluster jobs run on"),
        }
        assert!(store.get_cluster("c").await.unwrap().is_some());
        // A rename takes its jobs along.
        let mut renamed = store.get_cluster("c").await.unwrap().unwrap();
        renamed.name = "c2".into();
        store.update_cluster("c", renamed).await.unwrap();
        assert!(matches!(
            store.drop_cluster("c2").await.unwrap(),
            ClusterDrop::InUse(_)
        ));
        store
            .with(|connection, _| {
                connection.execute("UPDATE jobs SET state = 'STOPPED'", [])?;
                Ok(())
            })
            .await
            .unwrap();
        assert!(matches!(
            store.drop_cluster("c2").await.unwrap(),
            ClusterDrop::Dropped
        ));
    }
}
