//! Running jobs on a cluster reached by its REST API, and moving them
//! through their lifecycle: submit (CREATE JOB, RESUME JOB), suspend,
//! savepoint, stop. Every operation is synchronous — it returns when the
//! job runs, the savepoint is complete, the job has stopped — or fails
//! with Flink's root cause, reporting progress as it goes; the wait is
//! bounded by `scaleph.job.submit-timeout`.
//!
//! **What a failed submission leaves.** Nothing: CREATE JOB claims the
//! name with a `SUBMITTING` row (so of two racing CREATE JOBs one gets
//! 42710), and when the submission fails — the cluster refuses the jar,
//! the script does not plan, the job fails before it runs, the wait times
//! out — the Flink job is cancelled if it exists and the row is removed:
//! a statement that failed created nothing, as in PostgreSQL, and the
//! error carries the cause. A failed RESUME leaves the job as it was
//! (SUSPENDED, say) with the cause as its reason. Once a job ran, its
//! later failures are the tracker's to record (`FAILED` with the cause).
//!
//! **A scaleph that dies mid-statement.** The Flink job id is chosen and
//! stored before the jar runs, so the tracker of the next scaleph finds
//! the job by it: a submission that reached Flink is adopted, one that
//! did not is marked FAILED (see [`super::tracker`]).

use std::time::Duration;

use secrecy::ExposeSecret;

use super::artifacts::job_jar;
use super::options::JobOptions;
use super::{
    LOST, STOPPED, STOPPING, SUBMITTING, SUSPENDED, SUSPENDING, UPGRADING, cluster_option, is_live,
    new_flink_job_id, on_cluster, rest_client, state_of,
};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::flink::rest::{FlinkRest, JarRun, JobDetails};
use crate::flink::runner::{RUNNER_ENTRY_CLASS, runner_args};
use crate::flink::session::quote;
use crate::result::Progress;
use crate::store::{Cluster, Job, JobChange, Savepoint};

/// What an operation needs besides the job: where it reports, how long it
/// may wait.
pub struct Operation<'a> {
    /// The process's context (store, registries).
    pub context: &'a Context,
    /// Where progress goes.
    pub progress: &'a Progress,
    /// How long to wait for the cluster.
    pub timeout: Duration,
}

/// The Flink setting that names a job in Flink's UI and REST API.
const PIPELINE_NAME: &str = "pipeline.name";

/// `script` with `settings` as `SET`s after its leading ones (the
/// runner's environment is built from the leading `SET`s, and later
/// values of a key win).
pub fn with_settings(script: &str, settings: &[(String, String)]) -> String {
    let lines: Vec<&str> = script.split_inclusive('\n').collect();
    let leading = lines
        .iter()
        .take_while(|line| line.starts_with("SET '"))
        .count();
    let mut out: String = lines[..leading].concat();
    for (key, value) in settings {
        out.push_str(&format!("SET {} = {};\n", quote(key), quote(value)));
    }
    out.push_str(&lines[leading..].concat());
    out
}

/// The Flink settings of a cluster's `flink.*` options, prefix removed.
pub fn cluster_settings(cluster: &Cluster) -> Vec<(String, String)> {
    cluster
        .options
        .keys()
        .filter_map(|key| {
            let flink = key.strip_prefix("flink.")?;
            Some((flink.to_string(), cluster_option(cluster, key)?))
        })
        .collect()
}

/// Where savepoints of a job go: its `savepoint.dir`, else the cluster's
/// configured directory, else Flink's default (`None`).
fn savepoint_target(job: &Job, cluster: &Cluster) -> Option<String> {
    let options = JobOptions::from_entries(job.options.clone());
    if let Some(dir) = options.savepoint_dir() {
        return Some(dir.to_string());
    }
    [
        super::options::SAVEPOINT_DIR_KEY,
        super::options::LEGACY_SAVEPOINT_DIR_KEY,
    ]
    .iter()
    .find_map(|key| cluster_option(cluster, &format!("flink.{key}")))
}

/// A savepoint failure, with the remedy when no directory was configured.
fn savepoint_failed(err: Error, target: &Option<String>) -> Error {
    if target.is_none() {
        err.with_hint(
            "no savepoint directory is configured: ALTER JOB ... SET ('savepoint.dir' = 'file:///...') or set flink.execution.checkpointing.savepoint-dir on the cluster",
        )
    } else {
        err
    }
}

/// How a job's cluster is reached.
pub enum Backend {
    /// Its Flink REST API.
    Rest(FlinkRest),
    /// The Flink Kubernetes Operator ([`super::kubernetes`]).
    Kubernetes,
}

/// How `cluster` is reached; 42809 for a cluster that runs no Flink jobs
/// (SEATUNNEL), whatever statement asks.
pub fn backend(context: &Context, cluster: &Cluster) -> Result<Backend> {
    super::runs_flink_jobs(&context.registry, cluster)?;
    if super::kubernetes::is_kubernetes(&context.registry, cluster) {
        Ok(Backend::Kubernetes)
    } else {
        Ok(Backend::Rest(rest_client(&context.registry, cluster)?))
    }
}

/// A job's cluster and how it is reached; 42704 when the cluster is gone.
pub async fn cluster_of(context: &Context, job: &Job) -> Result<(Cluster, Backend)> {
    let cluster = context
        .store
        .get_cluster(&job.cluster)
        .await?
        .ok_or_else(|| {
            Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!(
                    "cluster \"{}\" of job \"{}\" does not exist",
                    job.cluster, job.name
                ),
            )
        })?;
    let backend = backend(context, &cluster)?;
    Ok((cluster, backend))
}

/// The REST client of a backend, or 0A000 for a statement REST clusters
/// alone have.
fn rest_of<'a>(backend: &'a Backend, what: &str) -> Result<&'a FlinkRest> {
    match backend {
        Backend::Rest(rest) => Ok(rest),
        Backend::Kubernetes => Err(Error::not_supported(format!(
            "{what} on a Kubernetes cluster"
        ))),
    }
}

impl Operation<'_> {
    fn kube(&self) -> super::kubernetes::KubeSubmission<'_> {
        super::kubernetes::KubeSubmission {
            context: self.context,
            progress: self.progress,
            timeout: self.timeout,
        }
    }
}

/// The jar and runner arguments of a submission, checked before anything
/// reaches the cluster (its Flink version, the connectors the script
/// needs).
pub struct Prepared {
    jar: super::artifacts::JobJar,
    script: String,
    options: JobOptions,
}

/// Checks that `cluster` answers and that the script has every connector
/// it needs, and builds the job's jar.
pub async fn prepare(
    op: &Operation<'_>,
    cluster: &Cluster,
    backend: &Backend,
    job: &Job,
) -> Result<Prepared> {
    let version = match backend {
        Backend::Rest(rest) => {
            rest.cluster_overview()
                .await
                .map_err(|e| on_cluster(&cluster.name, e))?
                .flink_version
        }
        // `v2_0` → `2.0`: the connector registry's jar for that version.
        Backend::Kubernetes => match cluster.options.get("flink.version") {
            Some(crate::store::OptionEntry::Plain(v)) => {
                v.trim_start_matches('v').replace('_', ".")
            }
            _ => "2.0".to_string(),
        },
    };
    let options = JobOptions::from_entries(job.options.clone());
    let mut settings = options.flink_settings();
    settings.push((PIPELINE_NAME.to_string(), job.name.clone()));
    let script = with_settings(job.script.expose_secret(), &settings);
    let jar = job_jar(
        op.context.store.as_ref(),
        &op.context.connectors,
        &script,
        Some(&version),
    )
    .await?;
    Ok(Prepared {
        jar,
        script,
        options,
    })
}

/// Uploads the job's jar (once per content) and runs it as Flink job
/// `flink_job_id`, restored from `restore` when given; the Flink job id
/// Flink gave it (the one asked for, on Flink versions that honour it).
pub async fn start(
    op: &Operation<'_>,
    cluster: &Cluster,
    rest: &FlinkRest,
    job_name: &str,
    prepared: &Prepared,
    restore: Option<&str>,
    flink_job_id: &str,
) -> Result<String> {
    let jar = &prepared.jar;
    let carried = if jar.libs.is_empty() {
        String::new()
    } else {
        format!(" with {}", jar.libs.join(", "))
    };
    let uploaded = rest
        .ensure_jar(jar.stem, &jar.bytes)
        .await
        .map_err(|e| on_cluster(&cluster.name, e))?;
    op.progress.notice(format!(
        "job \"{job_name}\": {} {}{carried} on cluster \"{}\"",
        if uploaded.uploaded {
            "uploaded"
        } else {
            "reusing"
        },
        uploaded.name,
        cluster.name
    ));
    let run = JarRun {
        entry_class: Some(RUNNER_ENTRY_CLASS.to_string()),
        program_args_list: runner_args(&prepared.script),
        parallelism: prepared.options.parallelism(),
        savepoint_path: restore.map(str::to_string),
        allow_non_restored_state: prepared.options.allow_non_restored_state(),
        job_id: Some(flink_job_id.to_string()),
    };
    let started = rest.run_jar(&uploaded.id, &run).await?;
    op.progress.notice(match restore {
        Some(path) => {
            format!("job \"{job_name}\": Flink job {started} submitted, restoring {path}")
        }
        None => format!("job \"{job_name}\": Flink job {started} submitted"),
    });
    Ok(started)
}

/// How long a job must keep running after its tasks started before a
/// submission counts as done: a job that fails on its first rows (a
/// division by zero, a sink it cannot open) fails the statement with its
/// cause rather than succeeding a moment before it fails.
pub const STARTUP_GRACE: Duration = Duration::from_millis(500);

/// Waits until Flink job `id` runs every task (or finished already) and
/// is still running [`STARTUP_GRACE`] later: its details; Flink's root
/// cause when it fails first.
async fn wait_running(
    op: &Operation<'_>,
    rest: &FlinkRest,
    job_name: &str,
    id: &str,
) -> Result<JobDetails> {
    op.progress.notice(format!(
        "job \"{job_name}\": waiting until its tasks run (up to {:?}: scaleph.job.submit-timeout)",
        op.timeout
    ));
    let details = rest.wait_running(id, op.timeout).await?;
    if details.job.state.is_terminal() {
        return Ok(details);
    }
    tokio::time::sleep(STARTUP_GRACE).await;
    let details = rest.job(id).await?;
    match details.job.state {
        crate::flink::rest::JobState::Failed => Err(rest.job_failure(id).await?),
        crate::flink::rest::JobState::Failing | crate::flink::rest::JobState::Restarting => {
            let cause = rest.job_failure(id).await?;
            op.progress.notice(format!(
                "job \"{job_name}\" failed right after it started and is restarting: {}",
                cause.message
            ));
            Ok(details)
        }
        _ => Ok(details),
    }
}

/// Cancels Flink job `id` if it is still alive: best effort, after a
/// submission that failed (its error is what the user needs).
async fn cancel_quietly(rest: &FlinkRest, id: &str) {
    let alive = match rest.job(id).await {
        Ok(job) => !job.job.state.is_terminal(),
        Err(err) => err.sqlstate != SqlState::UNDEFINED_OBJECT,
    };
    if alive && let Err(err) = rest.cancel(id).await {
        tracing::warn!(flink_job = id, error = %err, "a failed submission's job could not be cancelled");
    }
}

/// How a submission ended: the Flink job id, its state when the
/// statement returned, and when it started (when known).
struct Started {
    id: String,
    state: String,
    started_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Started {
    /// A REST submission: as `details` says when it waited, INITIALIZING
    /// (the tracker follows) when it did not.
    fn from_rest(details: Option<&JobDetails>, id: String) -> Started {
        Started {
            state: details
                .map_or("INITIALIZING", |d| state_of(&d.job.state))
                .to_string(),
            started_at: details
                .and_then(|d| chrono::DateTime::from_timestamp_millis(d.job.start_time)),
            id,
        }
    }

    /// A Kubernetes submission, waited for until it ran.
    fn running(id: String) -> Started {
        Started {
            id,
            state: "RUNNING".into(),
            started_at: Some(chrono::Utc::now()),
        }
    }
}

/// Records that job `name` (SUBMITTING) runs as `started` says.
async fn submitted(op: &Operation<'_>, name: &str, started: Started) -> Result<Submitted> {
    let change = JobChange {
        state: started.state.clone(),
        reason: None,
        flink_job_id: Some(started.id.clone()),
        started_at: started.started_at,
    };
    op.context
        .store
        .change_job(name, &[SUBMITTING], change)
        .await?;
    Ok(Submitted {
        flink_job_id: started.id,
        state: started.state,
    })
}

/// The outcome of a submission.
pub struct Submitted {
    /// The Flink job id.
    pub flink_job_id: String,
    /// Its state when the statement returned.
    pub state: String,
}

/// CREATE JOB after the handler built `job` (state SUBMITTING): claims the
/// name, submits, waits (unless `wait = false`); on failure nothing is
/// left (see the module doc). `Duplicate` when the name is taken.
pub async fn create(op: &Operation<'_>, cluster: &Cluster, job: Job) -> Result<Submitted> {
    let backend = backend(op.context, cluster)?;
    let prepared = prepare(op, cluster, &backend, &job).await?;
    let name = job.name.clone();
    let flink_job_id = job.flink_job_id.clone().unwrap_or_else(new_flink_job_id);
    op.context.store.create_job(job.clone()).await?;
    let outcome = match &backend {
        Backend::Rest(rest) => {
            submit_and_wait(op, cluster, rest, &name, &prepared, None, &flink_job_id)
                .await
                .map(|(details, id)| Started::from_rest(details.as_ref(), id))
        }
        Backend::Kubernetes => super::kubernetes::submit(
            &op.kube(),
            cluster,
            &job,
            &prepared.jar,
            &prepared.script,
            None,
        )
        .await
        .map(Started::running),
    };
    match outcome {
        Ok(started) => submitted(op, &name, started).await,
        Err(err) => {
            if let Err(store_err) = op.context.store.drop_job(&name, &[SUBMITTING]).await {
                tracing::warn!(job = %name, error = %store_err, "a failed CREATE JOB's row could not be removed");
            }
            Err(err)
        }
    }
}

/// Submits and (when the job's `wait` says so) waits; cancels what it
/// started when it fails. The details when it waited, and the Flink job
/// id.
async fn submit_and_wait(
    op: &Operation<'_>,
    cluster: &Cluster,
    rest: &FlinkRest,
    name: &str,
    prepared: &Prepared,
    restore: Option<&str>,
    flink_job_id: &str,
) -> Result<(Option<JobDetails>, String)> {
    let id = start(op, cluster, rest, name, prepared, restore, flink_job_id).await?;
    if id != flink_job_id {
        // A Flink that chose its own id: follow it.
        op.context
            .store
            .change_job(
                name,
                &[SUBMITTING],
                JobChange {
                    state: SUBMITTING.into(),
                    flink_job_id: Some(id.clone()),
                    ..JobChange::default()
                },
            )
            .await?;
    }
    if !prepared.options.wait() {
        return Ok((None, id));
    }
    match wait_running(op, rest, name, &id).await {
        Ok(details) => Ok((Some(details), id)),
        Err(err) => {
            cancel_quietly(rest, &id).await;
            Err(err)
        }
    }
}

/// The states RESUME JOB starts from: nothing of the job runs.
const RESUMABLE: &[&str] = &[SUSPENDED, STOPPED, "FAILED", "CANCELED", "FINISHED", LOST];

/// RESUME JOB: a new Flink job from the latest savepoint (or from scratch,
/// said in a notice, when there is none), with the job's options as they
/// are now. What it restored from, if anything.
pub async fn resume(op: &Operation<'_>, job: &Job) -> Result<(Submitted, Option<String>)> {
    if !RESUMABLE.contains(&job.state.as_str()) {
        return Err(wrong_state(job, "RESUME", "it is not suspended or stopped"));
    }
    let (cluster, backend) = cluster_of(op.context, job).await?;
    let prepared = prepare(op, &cluster, &backend, job).await?;
    let restore = op
        .context
        .store
        .list_savepoints(Some(&job.name))
        .await?
        .pop()
        .map(|s| s.path);
    if restore.is_none() {
        op.progress.notice(format!(
            "job \"{}\" has no savepoint: it starts from scratch",
            job.name
        ));
    }
    let flink_job_id = new_flink_job_id();
    take(
        op,
        job,
        JobChange {
            state: SUBMITTING.into(),
            reason: Some("RESUME JOB".into()),
            flink_job_id: Some(flink_job_id.clone()),
            started_at: None,
        },
    )
    .await?;
    let outcome = match &backend {
        Backend::Rest(rest) => submit_and_wait(
            op,
            &cluster,
            rest,
            &job.name,
            &prepared,
            restore.as_deref(),
            &flink_job_id,
        )
        .await
        .map(|(details, id)| Started::from_rest(details.as_ref(), id)),
        Backend::Kubernetes => super::kubernetes::resume(
            &op.kube(),
            &cluster,
            job,
            &prepared.jar,
            &prepared.script,
            restore.as_deref(),
        )
        .await
        .map(Started::running),
    };
    match outcome {
        Ok(started) => Ok((submitted(op, &job.name, started).await?, restore)),
        Err(err) => {
            // Back to where it was, with the cause.
            op.context
                .store
                .change_job(
                    &job.name,
                    &[SUBMITTING],
                    JobChange {
                        state: job.state.clone(),
                        reason: Some(format!("RESUME JOB failed: {}", err.message)),
                        flink_job_id: job.flink_job_id.clone(),
                        started_at: None,
                    },
                )
                .await?;
            Err(err)
        }
    }
}

/// 55000 for a statement a job's state does not allow.
pub fn wrong_state(job: &Job, statement: &str, why: &str) -> Error {
    let hint = match job.state.as_str() {
        SUSPENDED => "RESUME JOB runs it again from its savepoint; DROP JOB removes it",
        s if is_live(s) => "SUSPEND JOB or STOP JOB first",
        SUBMITTING | SUSPENDING | STOPPING => "another statement is changing it; wait for it",
        _ => "RESUME JOB runs it again; DROP JOB removes it",
    };
    Error::new(
        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
        format!(
            "cannot {statement} job \"{}\": {why} (it is {})",
            job.name, job.state
        ),
    )
    .with_hint(hint)
}

/// 40001 for a job whose state changed between reading and changing it.
fn changed_meanwhile(job: &Job) -> Error {
    Error::new(
        SqlState::T_R_SERIALIZATION_FAILURE,
        format!(
            "job \"{}\" changed state while this statement started; run it again",
            job.name
        ),
    )
}

/// The job's Flink job id, or 55000.
fn flink_id<'a>(job: &'a Job, statement: &str) -> Result<&'a str> {
    job.flink_job_id
        .as_deref()
        .ok_or_else(|| wrong_state(job, statement, "it has no Flink job"))
}

/// Moves `job` from the state it was read in to `change`'s: the
/// statement owns it now. 40001 when it changed meanwhile.
async fn take(op: &Operation<'_>, job: &Job, change: JobChange) -> Result<()> {
    let taken = op
        .context
        .store
        .change_job(&job.name, &[job.state.as_str()], change)
        .await?;
    if taken {
        Ok(())
    } else {
        Err(changed_meanwhile(job))
    }
}

/// Moves a live job to the transitional `state` (its statement owns it now).
async fn claim(op: &Operation<'_>, job: &Job, state: &str, statement: &str) -> Result<()> {
    if !is_live(&job.state) {
        return Err(wrong_state(job, statement, "it is not running"));
    }
    take(
        op,
        job,
        JobChange {
            state: state.into(),
            reason: Some(statement.into()),
            ..JobChange::default()
        },
    )
    .await
}

/// Gives a job back the state it had (with the failure as its reason)
/// after a statement that claimed it failed.
async fn release(op: &Operation<'_>, job: &Job, from: &str, err: &Error) -> Result<()> {
    op.context
        .store
        .change_job(
            &job.name,
            &[from],
            JobChange {
                state: job.state.clone(),
                reason: Some(err.message.clone()),
                ..JobChange::default()
            },
        )
        .await?;
    Ok(())
}

/// Ends a statement's hold on `job` (in transitional state `from`): on
/// success the job moves as `done` says, on failure it gets back the
/// state it had, with the cause as its reason.
async fn conclude<T>(
    op: &Operation<'_>,
    job: &Job,
    from: &str,
    outcome: Result<T>,
    done: impl FnOnce(&T) -> JobChange,
) -> Result<T> {
    match outcome {
        Ok(value) => {
            op.context
                .store
                .change_job(&job.name, &[from], done(&value))
                .await?;
            Ok(value)
        }
        Err(err) => {
            release(op, job, from, &err).await?;
            Err(err)
        }
    }
}

async fn record_savepoint(
    op: &Operation<'_>,
    job: &Job,
    flink_job_id: &str,
    path: &str,
    kind: &str,
) -> Result<()> {
    op.context
        .store
        .add_savepoint(Savepoint {
            job: job.name.clone(),
            flink_job_id: flink_job_id.to_string(),
            path: path.to_string(),
            kind: kind.to_string(),
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(())
}

/// SUSPEND JOB: stop with a savepoint; SUSPENDED, the savepoint recorded.
/// Its path.
pub async fn suspend(op: &Operation<'_>, job: &Job) -> Result<String> {
    let id = flink_id(job, "SUSPEND")?;
    let (cluster, backend) = cluster_of(op.context, job).await?;
    claim(op, job, SUSPENDING, "SUSPEND JOB").await?;
    let target = savepoint_target(job, &cluster);
    op.progress.notice(format!(
        "job \"{}\": stopping Flink job {id} with a savepoint{}",
        job.name,
        target
            .as_deref()
            .map(|t| format!(" in {t}"))
            .unwrap_or_default()
    ));
    let outcome = match &backend {
        Backend::Rest(rest) => rest
            .stop_with_savepoint(id, target.as_deref(), false, op.timeout)
            .await
            .map_err(|err| savepoint_failed(on_cluster(&cluster.name, err), &target)),
        Backend::Kubernetes => super::kubernetes::suspend(&op.kube(), &cluster, job).await,
    };
    let outcome = match outcome {
        Ok(path) => record_savepoint(op, job, id, &path, "SUSPEND")
            .await
            .map(|()| path),
        Err(err) => Err(err),
    };
    conclude(op, job, SUSPENDING, outcome, |path| JobChange {
        state: SUSPENDED.into(),
        reason: Some(format!("suspended with savepoint {path}")),
        ..JobChange::default()
    })
    .await
}

/// ALTER JOB on a running Kubernetes job: the operator upgrades it with
/// its options as they are now (`UPGRADING` while it does); its new
/// Flink job id. `None` for a job on a REST cluster (its options apply
/// at the next RESUME).
pub async fn upgrade(op: &Operation<'_>, job: &Job) -> Result<Option<String>> {
    let (cluster, backend) = cluster_of(op.context, job).await?;
    if !matches!(backend, Backend::Kubernetes) || !is_live(&job.state) {
        return Ok(None);
    }
    claim(op, job, UPGRADING, "ALTER JOB").await?;
    let outcome = super::kubernetes::upgrade(&op.kube(), &cluster, job).await;
    let id = conclude(op, job, UPGRADING, outcome, |id| JobChange {
        state: "RUNNING".into(),
        reason: Some("upgraded by ALTER JOB".into()),
        flink_job_id: Some(id.clone()),
        started_at: Some(chrono::Utc::now()),
    })
    .await?;
    Ok(Some(id))
}

/// SAVEPOINT JOB: a savepoint while the job keeps running; its path.
pub async fn savepoint(op: &Operation<'_>, job: &Job) -> Result<String> {
    if !is_live(&job.state) {
        return Err(wrong_state(job, "SAVEPOINT", "it is not running"));
    }
    let id = flink_id(job, "SAVEPOINT")?;
    let (cluster, backend) = cluster_of(op.context, job).await?;
    let target = savepoint_target(job, &cluster);
    op.progress.notice(format!(
        "job \"{}\": taking a savepoint of Flink job {id}",
        job.name
    ));
    let path = match &backend {
        Backend::Rest(rest) => rest
            .savepoint(id, target.as_deref(), op.timeout)
            .await
            .map_err(|err| savepoint_failed(on_cluster(&cluster.name, err), &target))?,
        Backend::Kubernetes => super::kubernetes::savepoint(&op.kube(), &cluster, job).await?,
    };
    record_savepoint(op, job, id, &path, "SAVEPOINT").await?;
    Ok(path)
}

/// STOP JOB [WITH SAVEPOINT] [DRAIN]: STOPPED; the savepoint's path when
/// one was taken. DRAIN is Flink's stop-with-savepoint `--drain`, so it
/// takes a savepoint too. A SUSPENDED job is only marked STOPPED (nothing
/// of it runs).
pub async fn stop(
    op: &Operation<'_>,
    job: &Job,
    with_savepoint: bool,
    drain: bool,
) -> Result<Option<String>> {
    if job.state == SUSPENDED {
        take(
            op,
            job,
            JobChange {
                state: STOPPED.into(),
                reason: Some("stopped while suspended".into()),
                ..JobChange::default()
            },
        )
        .await?;
        return Ok(None);
    }
    let id = flink_id(job, "STOP")?;
    let (cluster, backend) = cluster_of(op.context, job).await?;
    claim(op, job, STOPPING, "STOP JOB").await?;
    let outcome = if let Backend::Kubernetes = backend {
        super::kubernetes::stop(&op.kube(), &cluster, job, with_savepoint, drain).await
    } else if with_savepoint || drain {
        let rest = rest_of(&backend, "STOP JOB")?;
        let target = savepoint_target(job, &cluster);
        op.progress.notice(format!(
            "job \"{}\": stopping Flink job {id} with a savepoint{}",
            job.name,
            if drain { ", draining its sources" } else { "" }
        ));
        match rest
            .stop_with_savepoint(id, target.as_deref(), drain, op.timeout)
            .await
        {
            Ok(path) => record_savepoint(op, job, id, &path, "STOP")
                .await
                .map(|()| Some(path)),
            Err(err) => Err(savepoint_failed(on_cluster(&cluster.name, err), &target)),
        }
    } else {
        let rest = rest_of(&backend, "STOP JOB")?;
        op.progress
            .notice(format!("job \"{}\": cancelling Flink job {id}", job.name));
        match rest.cancel(id).await {
            Ok(()) => rest
                .wait_terminal(id, op.timeout)
                .await
                .map(|_| None)
                .map_err(|e| on_cluster(&cluster.name, e)),
            Err(err) if err.sqlstate == SqlState::UNDEFINED_OBJECT => Ok(None),
            Err(err) => Err(on_cluster(&cluster.name, err)),
        }
    };
    conclude(op, job, STOPPING, outcome, |path| JobChange {
        state: STOPPED.into(),
        reason: Some(match path {
            Some(path) => format!("stopped with savepoint {path}"),
            None => "cancelled by STOP JOB".to_string(),
        }),
        ..JobChange::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_settings_go_after_the_leading_sets() {
        let script =
            "SET 'a' = '1';\nSET 'b' = '2';\nCREATE TABLE t (x INT);\nINSERT INTO t SELECT 1;\n";
        let out = with_settings(
            script,
            &[
                ("b".into(), "3".into()),
                ("pipeline.name".into(), "j".into()),
            ],
        );
        assert_eq!(
            out,
            "SET 'a' = '1';\nSET 'b' = '2';\nSET 'b' = '3';\nSET 'pipeline.name' = 'j';\nCREATE TABLE t (x INT);\nINSERT INTO t SELECT 1;\n"
        );
    }
}
