//! Starting and stopping a sync, per engine.
//!
//! - **FLINK_SQL** runs as a scaleph job named `sync:<name>` (see
//!   [`job_name`]) on the sync's cluster, through the job model of
//!   [`crate::jobs`]: submitted synchronously, tracked, visible in
//!   `SHOW JOBS`, its savepoints in `scaleph.savepoints`. `STOP SYNC WITH
//!   SAVEPOINT` stops the job with a savepoint and the next `START SYNC`
//!   resumes from it; a plain `STOP SYNC` stops it and the next start
//!   begins afresh (a new job run, the old one's history kept).
//! - **SEATUNNEL** runs as one SeaTunnel job on a `TYPE SEATUNNEL`
//!   cluster through the Zeta REST API v2: `STOP SYNC WITH SAVEPOINT`
//!   ends it in `SAVEPOINT_DONE` and the next start resubmits the same
//!   config with that job id and `isStartWithSavePoint=true`.
//! - **FLINK_CDC** pipelines need the Flink CDC distribution on the
//!   cluster's classpath and a runner that hands the YAML to its
//!   `CliFrontend`; until scaleph ships that runner mode, starting one is
//!   0A000 and `EXPLAIN SYNC` gives the YAML to run with `flink-cdc.sh`.
//!
//! The artifacts are generated at every start from the stored plan and
//! the options as they are then (ALTER SYNC SET applies at the next
//! start), with the datasources' real secrets; nothing of them is logged.

use std::time::{Duration, Instant};

use secrecy::SecretString;

use super::Engine;
use super::artifacts::Artifacts;
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::flink::session::JobPrelude;
use crate::jobs::run::{self, Operation};
use crate::jobs::{SUBMITTING, new_flink_job_id, script};
use crate::store::{Cluster, Job, StoredSync, SyncChange};

/// The name of the job that runs FLINK_SQL sync `sync`.
pub fn job_name(sync: &str) -> String {
    format!("sync:{sync}")
}

/// Whether job `name` belongs to a sync (users cannot create or drop it
/// by hand).
pub fn is_sync_job(name: &str) -> bool {
    name.starts_with("sync:")
}

/// What the store shows as a sync's state, and the job's or SeaTunnel
/// job's view when it differs.
pub const CREATED: &str = "CREATED";
/// Being started.
pub const STARTING: &str = "STARTING";
/// Running (or, for SNAPSHOT, copying).
pub const RUNNING: &str = "RUNNING";
/// Being stopped.
pub const STOPPING: &str = "STOPPING";
/// Stopped by STOP SYNC.
pub const STOPPED: &str = "STOPPED";
/// A SNAPSHOT sync that copied everything.
pub const FINISHED: &str = "FINISHED";
/// Failed; the reason says why.
pub const FAILED: &str = "FAILED";

/// The states START SYNC starts from.
pub const STARTABLE: &[&str] = &[CREATED, STOPPED, FINISHED, FAILED];

/// Starts `sync` with `artifacts` on `cluster`: its state RUNNING (or
/// FINISHED for a snapshot that ended meanwhile) and the engine's run id.
pub async fn start(
    op: &Operation<'_>,
    sync: &StoredSync,
    cluster: &Cluster,
    artifacts: Artifacts,
) -> Result<(String, String)> {
    match artifacts {
        Artifacts::FlinkSql(script) => start_flink_sql(op, sync, cluster, script).await,
        Artifacts::Seatunnel(config) => start_seatunnel(op, sync, cluster, &config).await,
        Artifacts::FlinkCdc(_) => Err(Error::not_supported(
            "starting a FLINK_CDC sync (scaleph generates its pipelines — EXPLAIN SYNC shows them for \
             flink-cdc.sh — but does not submit them yet); use ENGINE FLINK_SQL or SEATUNNEL to run it from scaleph"
                .to_string(),
        )),
    }
}

async fn start_flink_sql(
    op: &Operation<'_>,
    sync: &StoredSync,
    cluster: &Cluster,
    body: String,
) -> Result<(String, String)> {
    let name = job_name(&sync.name);
    let script = script::assemble(
        &JobPrelude::default(),
        &run::cluster_settings(cluster),
        &[],
        &body,
    );
    let existing = op.context.store.get_job(&name).await?;
    let now = chrono::Utc::now();
    match existing {
        // Resumed from the savepoint STOP ... WITH SAVEPOINT took, with
        // the script as the plan and options are now.
        Some(mut job) if sync.savepoint.is_some() => {
            job.script = SecretString::from(script);
            job.cluster = cluster.name.clone();
            op.context.store.update_job(&name, job.clone()).await?;
            let (submitted, _) = run::resume(op, &job).await?;
            Ok((submitted.state, submitted.flink_job_id))
        }
        previous => {
            if previous.is_some() {
                // A fresh start: the last run's job row goes (its
                // history in job_events stays).
                let mut ended = crate::store::ENDED_JOB_STATES.to_vec();
                ended.push(crate::jobs::SUSPENDED);
                if !op.context.store.drop_job(&name, &ended).await? {
                    return Err(Error::new(
                        SqlState::OBJECT_IN_USE,
                        format!("job \"{name}\" of sync \"{}\" still runs", sync.name),
                    )
                    .with_hint(format!("STOP JOB \"{name}\" first")));
                }
            }
            let job = Job {
                name: name.clone(),
                cluster: cluster.name.clone(),
                state: SUBMITTING.into(),
                reason: Some(format!("START SYNC {}", sync.name)),
                flink_job_id: Some(new_flink_job_id()),
                body: format!("-- the Flink SQL of sync {}", sync.name),
                script: SecretString::from(script),
                options: Default::default(),
                comment: Some(format!("runs sync \"{}\"", sync.name)),
                created_at: now,
                started_at: None,
                updated_at: now,
            };
            let submitted = run::create(op, cluster, job).await?;
            Ok((submitted.state, submitted.flink_job_id))
        }
    }
}

async fn start_seatunnel(
    op: &Operation<'_>,
    sync: &StoredSync,
    cluster: &Cluster,
    config: &serde_json::Value,
) -> Result<(String, String)> {
    let client = crate::jobs::seatunnel_client(&op.context.registry, cluster)?;
    let restore = sync.savepoint.as_deref();
    op.progress.notice(match restore {
        Some(id) => format!(
            "sync \"{}\": resubmitting SeaTunnel job {id} from its savepoint on cluster \"{}\"",
            sync.name, cluster.name
        ),
        None => format!(
            "sync \"{}\": submitting to SeaTunnel cluster \"{}\"",
            sync.name, cluster.name
        ),
    });
    let id = client
        .submit(config, &sync.name, restore, restore.is_some())
        .await
        .map_err(|e| crate::jobs::on_cluster(&cluster.name, e))?;
    let state = wait_seatunnel(op, &client, &id, &["RUNNING", "FINISHED"]).await?;
    Ok((state, id))
}

/// Waits until SeaTunnel job `id` is in one of `wanted`: that state; a
/// terminal state not wanted is an error with the engine's message.
pub async fn wait_seatunnel(
    op: &Operation<'_>,
    client: &crate::seatunnel::SeatunnelRest,
    id: &str,
    wanted: &[&str],
) -> Result<String> {
    let deadline = Instant::now() + op.timeout;
    let mut delay = Duration::from_millis(50);
    loop {
        if let Some(info) = client.job_info(id).await? {
            if wanted.contains(&info.status.as_str()) {
                return Ok(info.status);
            }
            if crate::seatunnel::is_terminal(&info.status) {
                return Err(Error::new(
                    SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    format!(
                        "SeaTunnel job {id} is {}{}",
                        info.status,
                        info.error
                            .map(|e| format!(": {}", first_line(e.as_str())))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        if Instant::now() >= deadline {
            return Err(Error::new(
                SqlState::QUERY_CANCELED,
                format!(
                    "SeaTunnel job {id} did not reach {} within {} s",
                    wanted.join(" or "),
                    op.timeout.as_secs()
                ),
            )
            .with_hint("raise scaleph.job.submit-timeout, or look at the SeaTunnel cluster"));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(1));
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Stops `sync` (RUNNING): what the next start restores from, if a
/// savepoint was asked for.
pub async fn stop(
    op: &Operation<'_>,
    sync: &StoredSync,
    cluster: &Cluster,
    with_savepoint: bool,
) -> Result<Option<String>> {
    match Engine::from_keyword(&sync.engine) {
        Some(Engine::FlinkSql) => {
            let name = job_name(&sync.name);
            let Some(job) = op.context.store.get_job(&name).await? else {
                return Ok(None);
            };
            if crate::jobs::is_ended(&job.state) || job.state == crate::jobs::STOPPED {
                return Ok(None);
            }
            let path = run::stop(op, &job, with_savepoint, false).await?;
            Ok(path.filter(|_| with_savepoint))
        }
        Some(Engine::Seatunnel) => {
            let Some(id) = sync.run_id.as_deref() else {
                return Ok(None);
            };
            let client = crate::jobs::seatunnel_client(&op.context.registry, cluster)?;
            if let Some(info) = client.job_info(id).await?
                && crate::seatunnel::is_terminal(&info.status)
            {
                return Ok(None);
            }
            client
                .stop(id, with_savepoint)
                .await
                .map_err(|e| crate::jobs::on_cluster(&cluster.name, e))?;
            let wanted: &[&str] = if with_savepoint {
                &["SAVEPOINT_DONE"]
            } else {
                &["CANCELED", "FINISHED"]
            };
            wait_seatunnel(op, &client, id, wanted).await?;
            Ok(with_savepoint.then(|| id.to_string()))
        }
        Some(Engine::FlinkCdc) | None => Ok(None),
    }
}

/// The state of `sync` as its engine says now: the job's state for
/// FLINK_SQL, SeaTunnel's for SEATUNNEL (`None` when nothing runs or the
/// engine does not answer), mapped to a sync state, with the reason.
pub async fn observe(context: &Context, sync: &StoredSync) -> Option<(String, Option<String>)> {
    match Engine::from_keyword(&sync.engine)? {
        Engine::FlinkSql => {
            let job = context.store.get_job(&job_name(&sync.name)).await.ok()??;
            let state = match job.state.as_str() {
                "RUNNING" | "CREATED" | "INITIALIZING" | "RESTARTING" | "RECONCILING" => RUNNING,
                "FINISHED" => FINISHED,
                "FAILED" | "LOST" => FAILED,
                "SUSPENDED" | "STOPPED" | "CANCELED" => STOPPED,
                _ => return None,
            };
            Some((state.to_string(), job.reason))
        }
        Engine::Seatunnel => {
            let id = sync.run_id.as_deref()?;
            let cluster = context
                .store
                .get_cluster(sync.cluster.as_deref()?)
                .await
                .ok()??;
            let client = crate::jobs::seatunnel_client(&context.registry, &cluster).ok()?;
            let info = client.job_info(id).await.ok()??;
            let state = match info.status.as_str() {
                "FINISHED" => FINISHED,
                "FAILED" | "UNKNOWABLE" => FAILED,
                "CANCELED" | "SAVEPOINT_DONE" => STOPPED,
                _ => RUNNING,
            };
            Some((
                state.to_string(),
                info.error.map(|e| first_line(e.as_str()).to_string()),
            ))
        }
        Engine::FlinkCdc => None,
    }
}

/// Records what the engine says of a RUNNING sync when it has moved on
/// (finished, failed): the row follows, once.
pub async fn refresh(context: &Context, sync: &mut StoredSync) {
    if sync.state != RUNNING {
        return;
    }
    if let Some((state, reason)) = observe(context, sync).await
        && state != sync.state
    {
        let change = SyncChange {
            state: state.clone(),
            reason: reason.clone(),
            ..SyncChange::default()
        };
        if let Ok(true) = context
            .store
            .change_sync(&sync.name, &[RUNNING], change)
            .await
        {
            sync.state = state;
            sync.reason = reason;
        }
    }
}
