//! Jobs in the store (`CREATE JOB`), their savepoints and their events.
//!
//! A job's row is its definition (the statement as written, the script
//! the runner runs, its WITH options) and its state. The script is sealed
//! under `job:<name>:script` — its CREATE statements carry datasource
//! passwords — and options whose key names a secret are sealed like
//! datasource options. A rename seals them again.
//!
//! State changes go through [`change`]: a compare-and-set on the state
//! the caller saw, with the event appended in the same transaction, so
//! the tracker (which polls clusters) and a statement (SUSPEND, STOP)
//! never overwrite each other's transition and `scaleph.job_events`
//! holds every change that happened, in order.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use secrecy::SecretString;

use super::sqlite::{decode_options, encode_options, from_micros, micros};
use super::{OptionEntry, SecretBox, StoreError};

/// A job as stored.
#[derive(Clone, Debug)]
pub struct Job {
    /// Unique name.
    pub name: String,
    /// The cluster it runs on.
    pub cluster: String,
    /// scaleph's state: `SUBMITTING`, a Flink job state (`RUNNING`,
    /// `RESTARTING`, `FINISHED`, ...), `SUSPENDING`, `SUSPENDED`,
    /// `STOPPING`, `STOPPED` or `LOST`.
    pub state: String,
    /// Why it is in that state (a failure's root cause), if said.
    pub reason: Option<String>,
    /// The Flink job id of its current (or last) run.
    pub flink_job_id: Option<String>,
    /// The statement as written after `AS` (an INSERT, a statement set).
    pub body: String,
    /// The whole script the SQL runner runs, secrets included.
    pub script: SecretString,
    /// Its WITH options (`parallelism`, Flink keys), by key.
    pub options: BTreeMap<String, OptionEntry>,
    /// `COMMENT ON JOB`.
    pub comment: Option<String>,
    /// When it was created (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When its current Flink job started (UTC).
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the row last changed (UTC).
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A state change of a job ([`super::Store::change_job`]).
#[derive(Clone, Debug, Default)]
pub struct JobChange {
    /// The new state.
    pub state: String,
    /// Why (kept in the row and the event); `None` clears the row's.
    pub reason: Option<String>,
    /// A new Flink job id (a new run); `None` keeps the one there.
    pub flink_job_id: Option<String>,
    /// When the new run started; `None` keeps the one there.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A savepoint of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct Savepoint {
    /// The job's name.
    pub job: String,
    /// The Flink job it was taken of.
    pub flink_job_id: String,
    /// Where it is (`file:/...`, `s3://...`).
    pub path: String,
    /// The statement that took it: `SAVEPOINT`, `SUSPEND` or `STOP`.
    pub kind: String,
    /// When it completed (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A state change a job went through.
#[derive(Clone, Debug, PartialEq)]
pub struct JobEvent {
    /// The job's name.
    pub job: String,
    /// When (UTC).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The state it entered.
    pub state: String,
    /// The Flink job id at the time.
    pub flink_job_id: Option<String>,
    /// Why, if said.
    pub reason: Option<String>,
}

fn script_aad(job: &str) -> String {
    format!("job:{job}:script")
}

fn option_aad(job: &str, key: &str) -> String {
    format!("job:{job}:option:{key}")
}

const SELECT: &str = "SELECT name, cluster, state, reason, flink_job_id, body, script, options, \
     comment, created_at, started_at, updated_at FROM jobs";

fn decode(secrets: &SecretBox, row: &rusqlite::Row) -> Result<Job, StoreError> {
    let name: String = row.get(0)?;
    let script = secrets.open_value(&script_aad(&name), &row.get::<_, String>(6)?)?;
    let options = decode_options(
        secrets,
        &format!("job {name}"),
        &row.get::<_, String>(7)?,
        |key| option_aad(&name, key),
    )?;
    Ok(Job {
        cluster: row.get(1)?,
        state: row.get(2)?,
        reason: row.get(3)?,
        flink_job_id: row.get(4)?,
        body: row.get(5)?,
        script,
        options,
        comment: row.get(8)?,
        created_at: from_micros(row.get(9)?),
        started_at: row.get::<_, Option<i64>>(10)?.map(from_micros),
        updated_at: from_micros(row.get(11)?),
        name,
    })
}

fn append_event(
    transaction: &Transaction,
    job: &str,
    state: &str,
    flink_job_id: Option<&str>,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO job_events (job, at, state, flink_job_id, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![job, micros(chrono::Utc::now()), state, flink_job_id, reason],
    )?;
    Ok(())
}

/// Adds `job` and its first event; [`StoreError::Duplicate`] when the
/// name is taken.
pub fn create(
    connection: &mut Connection,
    secrets: &SecretBox,
    job: Job,
) -> Result<(), StoreError> {
    let script = secrets.seal(&script_aad(&job.name), &job.script)?;
    let options = encode_options(secrets, &job.options, |key| option_aad(&job.name, key))?;
    let transaction = connection.transaction()?;
    let inserted = transaction.execute(
        "INSERT INTO jobs (name, cluster, state, reason, flink_job_id, body, script, options, \
         comment, created_at, started_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (name) DO NOTHING",
        params![
            job.name,
            job.cluster,
            job.state,
            job.reason,
            job.flink_job_id,
            job.body,
            script,
            options,
            job.comment,
            micros(job.created_at),
            job.started_at.map(micros),
            micros(job.updated_at),
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            kind: "job",
            name: job.name,
        });
    }
    append_event(
        &transaction,
        &job.name,
        &job.state,
        job.flink_job_id.as_deref(),
        job.reason.as_deref(),
    )?;
    transaction.commit()?;
    Ok(())
}

/// The job called `name`, if any.
pub fn get(
    connection: &Connection,
    secrets: &SecretBox,
    name: &str,
) -> Result<Option<Job>, StoreError> {
    connection
        .query_row(&format!("{SELECT} WHERE name = ?1"), [name], |row| {
            Ok(decode(secrets, row))
        })
        .optional()?
        .transpose()
}

/// Every job, by name.
pub fn list(connection: &Connection, secrets: &SecretBox) -> Result<Vec<Job>, StoreError> {
    let mut statement = connection.prepare(&format!("{SELECT} ORDER BY name"))?;
    let rows = statement.query_map([], |row| Ok(decode(secrets, row)))?;
    rows.map(|row| row?).collect()
}

/// Whether job `name` is in one of `expected` (any, when empty); `None`
/// when there is no such job.
fn state_is(
    transaction: &Transaction,
    name: &str,
    expected: &[&str],
) -> Result<Option<bool>, StoreError> {
    let state: Option<String> = transaction
        .query_row("SELECT state FROM jobs WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(state.map(|state| expected.is_empty() || expected.contains(&state.as_str())))
}

/// Moves job `name` to `change.state` if it is in one of `expected`.
pub fn change(
    connection: &mut Connection,
    name: &str,
    expected: &[&str],
    change: JobChange,
) -> Result<bool, StoreError> {
    let transaction = connection.transaction()?;
    if state_is(&transaction, name, expected)? != Some(true) {
        return Ok(false);
    }
    transaction.execute(
        "UPDATE jobs SET state = ?1, reason = ?2, flink_job_id = COALESCE(?3, flink_job_id), \
         started_at = COALESCE(?4, started_at), updated_at = ?5 WHERE name = ?6",
        params![
            change.state,
            change.reason,
            change.flink_job_id,
            change.started_at.map(micros),
            micros(chrono::Utc::now()),
            name
        ],
    )?;
    let flink_job_id: Option<String> = transaction.query_row(
        "SELECT flink_job_id FROM jobs WHERE name = ?1",
        [name],
        |row| row.get(0),
    )?;
    append_event(
        &transaction,
        name,
        &change.state,
        flink_job_id.as_deref(),
        change.reason.as_deref(),
    )?;
    transaction.commit()?;
    Ok(true)
}

/// Replaces job `name`'s name, options and comment.
pub fn update(
    connection: &mut Connection,
    secrets: &SecretBox,
    name: &str,
    job: Job,
) -> Result<bool, StoreError> {
    let script = secrets.seal(&script_aad(&job.name), &job.script)?;
    let options = encode_options(secrets, &job.options, |key| option_aad(&job.name, key))?;
    let transaction = connection.transaction()?;
    if job.name != name {
        let taken: bool = transaction.query_row(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE name = ?1)",
            [&job.name],
            |row| row.get(0),
        )?;
        if taken {
            return Err(StoreError::Duplicate {
                kind: "job",
                name: job.name,
            });
        }
        for table in ["savepoints", "job_events"] {
            transaction.execute(
                &format!("UPDATE {table} SET job = ?1 WHERE job = ?2"),
                params![job.name, name],
            )?;
        }
    }
    let updated = transaction.execute(
        "UPDATE jobs SET name = ?1, script = ?2, options = ?3, comment = ?4, updated_at = ?5 \
         WHERE name = ?6",
        params![
            job.name,
            script,
            options,
            job.comment,
            micros(chrono::Utc::now()),
            name
        ],
    )?;
    transaction.commit()?;
    Ok(updated > 0)
}

/// Drops job `name` with its savepoints and events, if it is in one of
/// `expected`.
pub fn remove(
    connection: &mut Connection,
    name: &str,
    expected: &[&str],
) -> Result<bool, StoreError> {
    let transaction = connection.transaction()?;
    if state_is(&transaction, name, expected)? != Some(true) {
        return Ok(false);
    }
    for table in ["savepoints", "job_events"] {
        transaction.execute(&format!("DELETE FROM {table} WHERE job = ?1"), [name])?;
    }
    transaction.execute("DELETE FROM jobs WHERE name = ?1", [name])?;
    transaction.commit()?;
    Ok(true)
}

/// Records `savepoint`.
pub fn add_savepoint(connection: &Connection, savepoint: Savepoint) -> Result<(), StoreError> {
    connection.execute(
        "INSERT INTO savepoints (job, flink_job_id, path, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            savepoint.job,
            savepoint.flink_job_id,
            savepoint.path,
            savepoint.kind,
            micros(savepoint.created_at)
        ],
    )?;
    Ok(())
}

/// Every savepoint (of `job`), oldest first.
pub fn savepoints(
    connection: &Connection,
    job: Option<&str>,
) -> Result<Vec<Savepoint>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT job, flink_job_id, path, kind, created_at FROM savepoints \
         WHERE ?1 IS NULL OR job = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([job], |row| {
        Ok(Savepoint {
            job: row.get(0)?,
            flink_job_id: row.get(1)?,
            path: row.get(2)?,
            kind: row.get(3)?,
            created_at: from_micros(row.get(4)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every event (of `job`), oldest first.
pub fn events(connection: &Connection, job: Option<&str>) -> Result<Vec<JobEvent>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT job, at, state, flink_job_id, reason FROM job_events \
         WHERE ?1 IS NULL OR job = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([job], |row| {
        Ok(JobEvent {
            job: row.get(0)?,
            at: from_micros(row.get(1)?),
            state: row.get(2)?,
            flink_job_id: row.get(3)?,
            reason: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    use crate::store::{SqliteStore, Store};

    fn job(name: &str) -> Job {
        let now = chrono::Utc::now();
        Job {
            name: name.into(),
            cluster: "c".into(),
            state: "SUBMITTING".into(),
            reason: None,
            flink_job_id: Some("0123456789abcdef0123456789abcdef".into()),
            body: "INSERT INTO s SELECT * FROM t".into(),
            script: SecretString::from(
                "CREATE TABLE t (a INT) WITH ('connector' = 'jdbc', 'password' = 'job-secret-7');\nINSERT INTO s SELECT * FROM t;",
            ),
            options: BTreeMap::from([
                ("parallelism".to_string(), OptionEntry::Plain("2".into())),
                (
                    "s3.secret-key".to_string(),
                    OptionEntry::Secret(SecretString::from("job-secret-8")),
                ),
            ]),
            comment: None,
            created_at: now,
            started_at: None,
            updated_at: now,
        }
    }

    #[tokio::test]
    async fn jobs_are_sealed_at_rest_and_states_change_by_compare_and_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store.create_job(job("j")).await.unwrap();
        assert!(matches!(
            store.create_job(job("j")).await,
            Err(StoreError::Duplicate { .. })
        ));
        let raw = std::fs::read(dir.path().join("scaleph.db")).unwrap();
        for secret in ["job-secret-7", "job-secret-8"] {
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is in the store file in clear"
            );
        }
        let got = store.get_job("j").await.unwrap().unwrap();
        assert!(got.script.expose_secret().contains("job-secret-7"));

        let running = JobChange {
            state: "RUNNING".into(),
            started_at: Some(chrono::Utc::now()),
            ..JobChange::default()
        };
        assert!(
            !store
                .change_job("j", &["SUSPENDED"], running.clone())
                .await
                .unwrap()
        );
        assert!(
            store
                .change_job("j", &["SUBMITTING"], running)
                .await
                .unwrap()
        );
        assert!(
            !store
                .change_job("nope", &[], JobChange::default())
                .await
                .unwrap()
        );
        let events = store.list_job_events(Some("j")).await.unwrap();
        let states: Vec<_> = events.iter().map(|e| e.state.as_str()).collect();
        assert_eq!(states, ["SUBMITTING", "RUNNING"]);
        assert_eq!(
            events[1].flink_job_id.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );

        store
            .add_savepoint(Savepoint {
                job: "j".into(),
                flink_job_id: "0123456789abcdef0123456789abcdef".into(),
                path: "file:/tmp/sp-1".into(),
                kind: "SAVEPOINT".into(),
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        let mut renamed = store.get_job("j").await.unwrap().unwrap();
        renamed.name = "k".into();
        assert!(store.update_job("j", renamed).await.unwrap());
        let k = store.get_job("k").await.unwrap().unwrap();
        assert!(
            k.script.expose_secret().contains("job-secret-7"),
            "resealed under the new name"
        );
        assert_eq!(k.state, "RUNNING");
        assert_eq!(store.list_savepoints(Some("k")).await.unwrap().len(), 1);
        assert_eq!(store.list_job_events(Some("k")).await.unwrap().len(), 2);

        assert!(!store.drop_job("k", &["FINISHED"]).await.unwrap());
        assert!(store.drop_job("k", &["RUNNING"]).await.unwrap());
        assert!(store.list_jobs().await.unwrap().is_empty());
        assert!(store.list_savepoints(None).await.unwrap().is_empty());
        assert!(store.list_job_events(None).await.unwrap().is_empty());
    }
}
