//! The Flink cluster REST client (the JobManager's REST API, not the SQL
//! Gateway's: `docs/flink-rest.md` lists the endpoints and their upstream
//! source). Jobs run on clusters reached this way — standalone, YARN
//! session, a Kubernetes session cluster's REST service — so this is the
//! one place that knows them: the cluster's overview, jars (uploaded once
//! by content hash, reused), running a jar, a job's state, its root cause,
//! its checkpoints, savepoints, stop-with-savepoint and cancel.
//!
//! Errors follow the SQL Gateway client's conventions ([`super::client`]):
//! a cluster that cannot be reached is 08001, one that does not answer in
//! time 08006, an answer that is not the protocol 08P01, and Flink's own
//! `{"errors": [...]}` become its root cause through [`super::errors`]
//! (the trace as the detail). A job or jar Flink does not know is 42704.
//!
//! The options may carry secrets (an `Authorization` header): header
//! values are marked sensitive, never formatted (`RestOptions`' `Debug`
//! masks them) and never part of an error; URLs are shown without user
//! info.
//!
//! Responses are typed but tolerant: unknown fields are ignored, and a
//! job state or savepoint status this client does not know is kept by
//! name ([`JobState::Other`]) rather than failing the call, so a newer
//! Flink does not break it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::client::{http_client, without_user_info};
use super::errors::{FlinkFailure, classify};
use crate::error::{Error, Result, SqlState};

/// How to reach a cluster's REST API.
#[derive(Clone)]
pub struct RestOptions {
    /// How long making a connection may take.
    pub connect_timeout: Duration,
    /// How long one request may take, answer included.
    pub request_timeout: Duration,
    /// Headers sent with every request (e.g. `Authorization` of a cluster
    /// behind a proxy); their values are secrets.
    pub headers: Vec<(String, String)>,
}

impl Default for RestOptions {
    fn default() -> RestOptions {
        RestOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            headers: Vec::new(),
        }
    }
}

impl std::fmt::Debug for RestOptions {
    /// Header names only: their values are secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| format!("{name}: ******"))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The client of one Flink cluster's REST API.
pub struct FlinkRest {
    http: reqwest::Client,
    /// The base URL, without a trailing `/`.
    base: String,
    /// The base URL as shown in messages: without user info.
    shown: String,
    timeout: Duration,
}

impl std::fmt::Debug for FlinkRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlinkRest")
            .field("address", &self.shown)
            .finish_non_exhaustive()
    }
}

/// What `GET /overview` says of a cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterOverview {
    /// `2.3.0`.
    pub flink_version: String,
    /// Registered TaskManagers.
    pub taskmanagers: u32,
    /// Task slots in all.
    pub slots_total: u32,
    /// Task slots free.
    pub slots_available: u32,
    /// Jobs running now.
    pub jobs_running: u32,
}

/// `GET /overview`.
#[derive(Deserialize)]
struct OverviewBody {
    #[serde(rename = "flink-version")]
    flink_version: Option<String>,
    taskmanagers: u32,
    #[serde(rename = "slots-total")]
    slots_total: u32,
    #[serde(rename = "slots-available")]
    slots_available: u32,
    #[serde(rename = "jobs-running", default)]
    jobs_running: u32,
}

/// `GET /config`: the web UI's configuration, with the version.
#[derive(Deserialize)]
struct ConfigBody {
    #[serde(rename = "flink-version")]
    flink_version: Option<String>,
}

/// `{"errors": [...]}`.
#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<String>,
}

/// A jar uploaded to a cluster, as `GET /jars` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JarFile {
    /// The id `POST /jars/:id/run` takes: `<uuid>_<name>`.
    pub id: String,
    /// The file name it was uploaded with.
    pub name: String,
    /// When, in milliseconds since the epoch.
    #[serde(default)]
    pub uploaded: i64,
}

/// `GET /jars`.
#[derive(Deserialize)]
struct JarsBody {
    #[serde(default)]
    files: Vec<JarFile>,
}

/// `POST /jars/upload`: `{"filename": "/dir/<uuid>_name.jar", "status": "success"}`.
#[derive(Deserialize)]
struct UploadBody {
    filename: String,
}

/// A jar on a cluster after [`FlinkRest::ensure_jar`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedJar {
    /// Its id for `POST /jars/:id/run`.
    pub id: String,
    /// The content-hash name it has on the cluster.
    pub name: String,
    /// Whether this call uploaded it (`false`: it was there already).
    pub uploaded: bool,
}

/// How to run a jar (`POST /jars/:id/run`); `None` fields are left to the
/// jar's manifest and the cluster's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JarRun {
    /// The class with `main`, if not the manifest's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
    /// The program's arguments, one element each (never split).
    pub program_args_list: Vec<String>,
    /// The job's parallelism.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u32>,
    /// The savepoint to start from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub savepoint_path: Option<String>,
    /// Whether state of operators the job no longer has may be skipped.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_non_restored_state: bool,
    /// The Flink job id to give the job (32 hex digits), chosen by the
    /// caller so it knows the job before the answer arrives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

/// `POST /jars/:id/run`: `{"jobid": "..."}`.
#[derive(Deserialize)]
struct RunBody {
    jobid: String,
}

/// A Flink job's state (`JobStatus`); one this client does not know is
/// kept by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Submitted, not yet scheduled.
    Initializing,
    /// Scheduled, tasks not yet deployed.
    Created,
    /// Running (some tasks may still be deploying).
    Running,
    /// Failing, about to restart or fail.
    Failing,
    /// Failed for good.
    Failed,
    /// Being cancelled.
    Cancelling,
    /// Cancelled (also: stopped with a savepoint).
    Canceled,
    /// Ran to the end (a bounded job).
    Finished,
    /// Restarting after a failure.
    Restarting,
    /// Suspended (its JobManager lost leadership).
    Suspended,
    /// Being reconciled after a JobManager failover.
    Reconciling,
    /// A state this client does not know, by name.
    Other(String),
}

impl JobState {
    /// The state Flink names `name` (`RUNNING`).
    pub fn from_name(name: &str) -> JobState {
        match name {
            "INITIALIZING" => JobState::Initializing,
            "CREATED" => JobState::Created,
            "RUNNING" => JobState::Running,
            "FAILING" => JobState::Failing,
            "FAILED" => JobState::Failed,
            "CANCELLING" => JobState::Cancelling,
            "CANCELED" => JobState::Canceled,
            "FINISHED" => JobState::Finished,
            "RESTARTING" => JobState::Restarting,
            "SUSPENDED" => JobState::Suspended,
            "RECONCILING" => JobState::Reconciling,
            other => JobState::Other(other.to_string()),
        }
    }

    /// Flink's name of the state.
    pub fn name(&self) -> &str {
        match self {
            JobState::Initializing => "INITIALIZING",
            JobState::Created => "CREATED",
            JobState::Running => "RUNNING",
            JobState::Failing => "FAILING",
            JobState::Failed => "FAILED",
            JobState::Cancelling => "CANCELLING",
            JobState::Canceled => "CANCELED",
            JobState::Finished => "FINISHED",
            JobState::Restarting => "RESTARTING",
            JobState::Suspended => "SUSPENDED",
            JobState::Reconciling => "RECONCILING",
            JobState::Other(name) => name,
        }
    }

    /// Whether the job has ended for good (FAILED, CANCELED, FINISHED).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobState::Failed | JobState::Canceled | JobState::Finished
        )
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for JobState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<JobState, D::Error> {
        Ok(JobState::from_name(&String::deserialize(d)?))
    }
}

/// A job as `GET /jobs/overview` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JobOverview {
    /// The Flink job id.
    pub jid: String,
    /// The job's name.
    #[serde(default)]
    pub name: String,
    /// Its state.
    pub state: JobState,
    /// Start, milliseconds since the epoch.
    #[serde(rename = "start-time", default)]
    pub start_time: i64,
    /// End, milliseconds since the epoch; -1 while it runs.
    #[serde(rename = "end-time", default)]
    pub end_time: i64,
    /// How long it ran, in milliseconds.
    #[serde(default)]
    pub duration: i64,
}

/// `GET /jobs/overview`.
#[derive(Deserialize)]
struct JobsBody {
    #[serde(default)]
    jobs: Vec<JobOverview>,
}

/// One vertex (operator chain) of a job.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JobVertex {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its state (an `ExecutionState`: DEPLOYING, INITIALIZING, RUNNING, ...).
    pub status: String,
    /// Its parallelism.
    #[serde(default)]
    pub parallelism: u32,
}

/// A job in detail (`GET /jobs/:id`): what the overview lists of it, and
/// its vertices.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JobDetails {
    /// Id, name, state and times, as `GET /jobs/overview` has them.
    #[serde(flatten)]
    pub job: JobOverview,
    /// Its vertices.
    #[serde(default)]
    pub vertices: Vec<JobVertex>,
}

impl JobDetails {
    /// Whether the job runs and every vertex does (or has finished): what
    /// a savepoint needs, and what "running" means to a user. A job is
    /// RUNNING while its tasks still deploy.
    pub fn all_tasks_running(&self) -> bool {
        self.job.state == JobState::Running
            && !self.vertices.is_empty()
            && self
                .vertices
                .iter()
                .all(|v| v.status == "RUNNING" || v.status == "FINISHED")
    }
}

/// A failure of a job, from `GET /jobs/:id/exceptions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobException {
    /// The exception's class.
    pub name: String,
    /// The whole trace.
    pub stacktrace: String,
    /// When, milliseconds since the epoch.
    pub timestamp: i64,
    /// The task it happened in, if one.
    pub task: Option<String>,
}

impl JobException {
    /// The failure as a user reads it: the root cause of the trace.
    pub fn failure(&self) -> FlinkFailure {
        classify(std::slice::from_ref(&self.stacktrace))
    }
}

/// `GET /jobs/:id/exceptions` (Flink 1.x also had the deprecated
/// `root-exception`, removed in 2.0).
#[derive(Deserialize)]
struct ExceptionsBody {
    #[serde(rename = "exceptionHistory")]
    history: Option<ExceptionHistory>,
    #[serde(rename = "root-exception")]
    root_exception: Option<String>,
    timestamp: Option<i64>,
}

#[derive(Deserialize)]
struct ExceptionHistory {
    #[serde(default)]
    entries: Vec<ExceptionEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExceptionEntry {
    #[serde(default)]
    exception_name: String,
    #[serde(default)]
    stacktrace: String,
    #[serde(default)]
    timestamp: i64,
    task_name: Option<String>,
}

/// A checkpoint or savepoint as `GET /jobs/:id/checkpoints` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CheckpointInfo {
    /// Its id.
    pub id: i64,
    /// Whether it is a savepoint.
    #[serde(default)]
    pub is_savepoint: bool,
    /// Where it is (`file:/...`), when it was persisted externally.
    pub external_path: Option<String>,
    /// When it was triggered (a completed one) or restored (`restore_timestamp`).
    #[serde(default, alias = "restore_timestamp")]
    pub trigger_timestamp: i64,
}

/// The latest checkpoints of a job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct LatestCheckpoints {
    /// The latest completed checkpoint.
    pub completed: Option<CheckpointInfo>,
    /// The latest savepoint.
    pub savepoint: Option<CheckpointInfo>,
    /// The checkpoint or savepoint the job was restored from.
    pub restored: Option<CheckpointInfo>,
}

/// `GET /jobs/:id/checkpoints`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Checkpoints {
    /// How many there were, by kind.
    #[serde(default)]
    pub counts: CheckpointCounts,
    /// The latest of each kind.
    #[serde(default)]
    pub latest: LatestCheckpoints,
}

/// Checkpoint counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CheckpointCounts {
    /// Restores.
    #[serde(default)]
    pub restored: u64,
    /// Completed.
    #[serde(default)]
    pub completed: u64,
    /// Failed.
    #[serde(default)]
    pub failed: u64,
    /// In progress.
    #[serde(default)]
    pub in_progress: u64,
}

/// `{"request-id": "..."}`: a triggered asynchronous operation.
#[derive(Deserialize)]
struct TriggerBody {
    #[serde(rename = "request-id")]
    request_id: String,
}

/// How a savepoint operation stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SavepointStatus {
    /// Still running.
    InProgress,
    /// Done, at this location (`file:/.../savepoint-...`).
    Completed(String),
    /// Failed: Flink's failure.
    Failed(Box<FlinkFailure>),
}

/// `GET /jobs/:id/savepoints/:request-id`.
#[derive(Deserialize)]
struct SavepointBody {
    status: StatusId,
    operation: Option<SavepointOperation>,
}

#[derive(Deserialize)]
struct StatusId {
    id: String,
}

#[derive(Deserialize)]
struct SavepointOperation {
    location: Option<String>,
    #[serde(rename = "failure-cause")]
    failure_cause: Option<FailureCause>,
}

#[derive(Deserialize)]
struct FailureCause {
    #[serde(rename = "stack-trace")]
    stack_trace: Option<String>,
    class: Option<String>,
}

/// Uploads within this process, one at a time: two sessions creating jobs
/// at once on one cluster would otherwise both see the jar missing and
/// upload it twice (harmless, but untidy). Uploads are rare; one lock for
/// every cluster is enough.
static UPLOADS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How often a waiting call asks again.
const POLL: Duration = Duration::from_millis(250);

impl FlinkRest {
    /// `address` like `http://host:8081` (trailing slash tolerated); a bad
    /// URL is 22023 (invalid parameter value), and so is a header that is
    /// not a valid HTTP header.
    pub fn new(address: &str, options: RestOptions) -> Result<FlinkRest> {
        let trimmed = address.trim().trim_end_matches('/');
        let invalid = |why: &str| {
            Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "invalid Flink REST address {:?}: {why}",
                    without_user_info(trimmed)
                ),
            )
            .with_hint("an address looks like 'http://host:8081'")
        };
        let url = reqwest::Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it names no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it may not have a query or fragment"));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("invalid HTTP header name {name:?}"),
                )
            })?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                // The value is a secret: only the header's name is named.
                Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("the value of HTTP header {name:?} is not a valid header value"),
                )
            })?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        let http = http_client(
            options.connect_timeout,
            options.request_timeout,
            headers,
            "the Flink REST client",
        )?;
        Ok(FlinkRest {
            http,
            shown: without_user_info(trimmed),
            base: trimmed.to_string(),
            timeout: options.request_timeout,
        })
    }

    /// The cluster's address, as shown to users (no user info).
    pub fn address(&self) -> &str {
        &self.shown
    }

    /// GET /overview (+ GET /config for the version if /overview lacks
    /// it). Unreachable → 08001 "cannot reach the Flink cluster at
    /// <address>: <cause>".
    pub async fn cluster_overview(&self) -> Result<ClusterOverview> {
        let body: OverviewBody = self.get("/overview").await?;
        let flink_version = match body.flink_version.filter(|v| !v.is_empty()) {
            Some(version) => version,
            None => self
                .get::<ConfigBody>("/config")
                .await?
                .flink_version
                .unwrap_or_default(),
        };
        Ok(ClusterOverview {
            flink_version,
            taskmanagers: body.taskmanagers,
            slots_total: body.slots_total,
            slots_available: body.slots_available,
            jobs_running: body.jobs_running,
        })
    }

    /// The jars uploaded to the cluster (`GET /jars`), newest first.
    pub async fn jars(&self) -> Result<Vec<JarFile>> {
        Ok(self.get::<JarsBody>("/jars").await?.files)
    }

    /// Uploads `bytes` as the jar `file_name` (`POST /jars/upload`, the
    /// multipart field `jarfile`); its id.
    pub async fn upload_jar(&self, file_name: &str, bytes: &[u8]) -> Result<String> {
        let (content_type, body) = multipart_jar(file_name, bytes);
        let bytes = self
            .send(
                self.http
                    .post(format!("{}/jars/upload", self.base))
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(body),
                "/jars/upload",
            )
            .await?;
        let body: UploadBody = self.decode(&bytes)?;
        // The id is the stored file's name: `/tmp/flink-web-.../<uuid>_name.jar`.
        let id = body
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&body.filename);
        Ok(id.to_string())
    }

    /// The jar `bytes` on the cluster, named `<stem>-<content hash>.jar`:
    /// the one uploaded before if `GET /jars` lists that name, else
    /// uploaded now. A changed jar has another name, so a stale one is
    /// never run.
    pub async fn ensure_jar(&self, stem: &str, bytes: &[u8]) -> Result<UploadedJar> {
        let name = content_name(stem, bytes);
        let _one_at_a_time = UPLOADS.lock().await;
        if let Some(jar) = self.jars().await?.into_iter().find(|jar| jar.name == name) {
            return Ok(UploadedJar {
                id: jar.id,
                name,
                uploaded: false,
            });
        }
        let id = self.upload_jar(&name, bytes).await?;
        Ok(UploadedJar {
            id,
            name,
            uploaded: true,
        })
    }

    /// Runs the uploaded jar `jar_id` (`POST /jars/:id/run`); the id of
    /// the job it submitted. A program that fails before submitting (a
    /// script Flink rejects) fails here with Flink's root cause.
    pub async fn run_jar(&self, jar_id: &str, run: &JarRun) -> Result<String> {
        let path = format!("/jars/{}/run", segment(jar_id));
        let body = serde_json::to_value(run)
            .map_err(|e| Error::internal(format!("a jar run does not serialize: {e}")))?;
        let bytes = self.call(Method::POST, &path, Some(body)).await?;
        Ok(self.decode::<RunBody>(&bytes)?.jobid)
    }

    /// Every job the cluster knows (`GET /jobs/overview`).
    pub async fn jobs_overview(&self) -> Result<Vec<JobOverview>> {
        Ok(self.get::<JobsBody>("/jobs/overview").await?.jobs)
    }

    /// A job in detail (`GET /jobs/:id`); 42704 when the cluster does not
    /// know it.
    pub async fn job(&self, job_id: &str) -> Result<JobDetails> {
        self.get(&format!("/jobs/{}", segment(job_id))).await
    }

    /// The job's failures, newest first (`GET /jobs/:id/exceptions`).
    pub async fn job_exceptions(&self, job_id: &str) -> Result<Vec<JobException>> {
        let body: ExceptionsBody = self
            .get(&format!("/jobs/{}/exceptions", segment(job_id)))
            .await?;
        let mut exceptions: Vec<JobException> = body
            .history
            .map(|h| h.entries)
            .unwrap_or_default()
            .into_iter()
            .map(|e| JobException {
                name: e.exception_name,
                stacktrace: e.stacktrace,
                timestamp: e.timestamp,
                task: e.task_name,
            })
            .collect();
        if exceptions.is_empty()
            && let Some(trace) = body.root_exception.filter(|t| !t.is_empty())
        {
            exceptions.push(JobException {
                name: trace
                    .split([':', '\n'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                stacktrace: trace,
                timestamp: body.timestamp.unwrap_or_default(),
                task: None,
            });
        }
        Ok(exceptions)
    }

    /// The error a failed job stands for: its latest failure's root cause
    /// (the trace as the detail), or a plain one when Flink kept none.
    pub async fn job_failure(&self, job_id: &str) -> Result<Error> {
        let exceptions = self.job_exceptions(job_id).await?;
        Ok(match exceptions.first() {
            Some(exception) => exception.failure().into_error(None),
            None => Error::new(
                SqlState::SYSTEM_ERROR,
                format!("Flink job {job_id} failed without a recorded cause"),
            ),
        })
    }

    /// How often the job restarted (its `numRestarts` metric, `GET
    /// /jobs/:id/metrics?get=numRestarts`).
    pub async fn job_restarts(&self, job_id: &str) -> Result<u64> {
        #[derive(Deserialize)]
        struct Metric {
            id: String,
            value: String,
        }
        let metrics: Vec<Metric> = self
            .get(&format!(
                "/jobs/{}/metrics?get=numRestarts",
                segment(job_id)
            ))
            .await?;
        metrics
            .iter()
            .find(|m| m.id == "numRestarts")
            .and_then(|m| m.value.parse().ok())
            .ok_or_else(|| {
                Error::new(
                    SqlState::PROTOCOL_VIOLATION,
                    format!("Flink job {job_id} reports no numRestarts metric"),
                )
            })
    }

    /// The job's checkpoints (`GET /jobs/:id/checkpoints`).
    pub async fn checkpoints(&self, job_id: &str) -> Result<Checkpoints> {
        self.get(&format!("/jobs/{}/checkpoints", segment(job_id)))
            .await
    }

    /// Triggers a savepoint; the job keeps running (`POST
    /// /jobs/:id/savepoints`). `target` is the directory, `None` for the
    /// cluster's `execution.checkpointing.savepoint-dir`. The request id to
    /// follow with [`FlinkRest::savepoint_status`].
    pub async fn trigger_savepoint(&self, job_id: &str, target: Option<&str>) -> Result<String> {
        let mut body = serde_json::json!({ "cancel-job": false });
        if let Some(target) = target {
            body["target-directory"] = target.into();
        }
        let path = format!("/jobs/{}/savepoints", segment(job_id));
        let bytes = self.call(Method::POST, &path, Some(body)).await?;
        Ok(self.decode::<TriggerBody>(&bytes)?.request_id)
    }

    /// Stops the job with a savepoint (`POST /jobs/:id/stop`); `drain`
    /// first ends its sources (event time to the end: windows fire). The
    /// request id to follow with [`FlinkRest::savepoint_status`].
    pub async fn trigger_stop(
        &self,
        job_id: &str,
        target: Option<&str>,
        drain: bool,
    ) -> Result<String> {
        let mut body = serde_json::json!({ "drain": drain });
        if let Some(target) = target {
            body["targetDirectory"] = target.into();
        }
        let path = format!("/jobs/{}/stop", segment(job_id));
        let bytes = self.call(Method::POST, &path, Some(body)).await?;
        Ok(self.decode::<TriggerBody>(&bytes)?.request_id)
    }

    /// How a savepoint (or stop) operation stands (`GET
    /// /jobs/:id/savepoints/:request-id`).
    pub async fn savepoint_status(
        &self,
        job_id: &str,
        request_id: &str,
    ) -> Result<SavepointStatus> {
        let body: SavepointBody = self
            .get(&format!(
                "/jobs/{}/savepoints/{}",
                segment(job_id),
                segment(request_id)
            ))
            .await?;
        Ok(savepoint_status(body))
    }

    /// Waits until the savepoint operation `request_id` completes: its
    /// location, or Flink's failure; 57014 (query canceled) after
    /// `timeout`.
    pub async fn wait_savepoint(
        &self,
        job_id: &str,
        request_id: &str,
        timeout: Duration,
    ) -> Result<String> {
        let started = Instant::now();
        loop {
            match self.savepoint_status(job_id, request_id).await? {
                SavepointStatus::Completed(location) => return Ok(location),
                SavepointStatus::Failed(failure) => {
                    let mut error = failure.into_error(None);
                    error.message =
                        format!("the savepoint of job {job_id} failed: {}", error.message);
                    return Err(error);
                }
                SavepointStatus::InProgress if started.elapsed() >= timeout => {
                    return Err(Error::new(
                        SqlState::QUERY_CANCELED,
                        format!(
                            "the savepoint of job {job_id} did not complete within {timeout:?}"
                        ),
                    )
                    .with_hint("it may still complete; Flink keeps going"));
                }
                SavepointStatus::InProgress => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Triggers a savepoint and waits for it (the job keeps running): its
    /// location.
    pub async fn savepoint(
        &self,
        job_id: &str,
        target: Option<&str>,
        timeout: Duration,
    ) -> Result<String> {
        let request = self.trigger_savepoint(job_id, target).await?;
        self.wait_savepoint(job_id, &request, timeout).await
    }

    /// Stops the job with a savepoint and waits for it: the savepoint's
    /// location.
    pub async fn stop_with_savepoint(
        &self,
        job_id: &str,
        target: Option<&str>,
        drain: bool,
        timeout: Duration,
    ) -> Result<String> {
        let request = self.trigger_stop(job_id, target, drain).await?;
        self.wait_savepoint(job_id, &request, timeout).await
    }

    /// Cancels the job, without a savepoint (`PATCH /jobs/:id?mode=cancel`).
    pub async fn cancel(&self, job_id: &str) -> Result<()> {
        let path = format!("/jobs/{}?mode=cancel", segment(job_id));
        self.call(Method::PATCH, &path, None).await?;
        Ok(())
    }

    /// Waits until the job runs with every task running (or has
    /// FINISHED, a bounded job being quick): its details. A job that
    /// fails or is cancelled meanwhile is an error with Flink's root
    /// cause; 57014 after `timeout`.
    pub async fn wait_running(&self, job_id: &str, timeout: Duration) -> Result<JobDetails> {
        self.wait_job(job_id, timeout, |job| {
            job.all_tasks_running() || job.job.state == JobState::Finished
        })
        .await
    }

    /// Waits until the job has ended (FINISHED, CANCELED or FAILED — all
    /// returned, not errors): its details; 57014 after `timeout`.
    pub async fn wait_terminal(&self, job_id: &str, timeout: Duration) -> Result<JobDetails> {
        let started = Instant::now();
        loop {
            let job = self.job(job_id).await?;
            if job.job.state.is_terminal() {
                return Ok(job);
            }
            if started.elapsed() >= timeout {
                return Err(not_in_time(job_id, &job.job.state, timeout));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_job(
        &self,
        job_id: &str,
        timeout: Duration,
        done: impl Fn(&JobDetails) -> bool,
    ) -> Result<JobDetails> {
        let started = Instant::now();
        loop {
            let job = self.job(job_id).await?;
            if done(&job) {
                return Ok(job);
            }
            if job.job.state.is_terminal() {
                if job.job.state == JobState::Failed {
                    return Err(self.job_failure(job_id).await?);
                }
                return Err(Error::new(
                    SqlState::SYSTEM_ERROR,
                    format!("Flink job {job_id} ended {}", job.job.state),
                ));
            }
            if started.elapsed() >= timeout {
                return Err(not_in_time(job_id, &job.job.state, timeout));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let bytes = self.call(Method::GET, path, None).await?;
        self.decode(&bytes)
    }

    /// One call: `path` is absolute on the cluster; a non-2xx answer is
    /// Flink's failure.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Bytes> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request, path).await
    }

    async fn send(&self, request: reqwest::RequestBuilder, path: &str) -> Result<Bytes> {
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return Ok(bytes);
        }
        Err(self.rejected(status, path, &bytes))
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        serde_json::from_slice(bytes).map_err(|e| {
            Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "the Flink cluster at {} answered something unexpected: {e}",
                    self.shown
                ),
            )
            .with_source(e)
        })
    }

    /// The error of a non-2xx answer: Flink's root cause when the body is
    /// `{"errors": [...]}`; 42704 for a 404 (no such job, jar or request).
    fn rejected(&self, status: StatusCode, path: &str, body: &[u8]) -> Error {
        let path = path.split('?').next().unwrap_or(path);
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(ErrorBody { errors }) => {
                let mut failure = classify(&errors);
                if status == StatusCode::NOT_FOUND {
                    failure.sqlstate = SqlState::UNDEFINED_OBJECT;
                }
                failure.into_error(None)
            }
            Err(_) if status == StatusCode::NOT_FOUND => Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("the Flink cluster at {} has no {path}", self.shown),
            ),
            Err(_) => Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "the Flink cluster at {} answered HTTP {status} to {path} with {:?}",
                    self.shown,
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ),
            ),
        }
    }

    fn transport(&self, err: reqwest::Error) -> Error {
        let err = err.without_url();
        let (sqlstate, message) =
            super::errors::transport("the Flink cluster", &self.shown, self.timeout, &err);
        Error::new(sqlstate, message).with_source(err)
    }
}

/// A 57014 for a job that did not reach a state in time.
fn not_in_time(job_id: &str, state: &JobState, timeout: Duration) -> Error {
    Error::new(
        SqlState::QUERY_CANCELED,
        format!("Flink job {job_id} is still {state} after {timeout:?}"),
    )
}

/// The status a savepoint body reports.
fn savepoint_status(body: SavepointBody) -> SavepointStatus {
    if body.status.id != "COMPLETED" {
        return SavepointStatus::InProgress;
    }
    let operation = body.operation;
    if let Some(location) = operation.as_ref().and_then(|o| o.location.clone()) {
        return SavepointStatus::Completed(location);
    }
    let cause = operation.and_then(|o| o.failure_cause);
    let trace = cause
        .map(|c| {
            c.stack_trace
                .or(c.class)
                .unwrap_or_else(|| "the savepoint failed".to_string())
        })
        .unwrap_or_else(|| "the savepoint completed without a location".to_string());
    SavepointStatus::Failed(Box::new(classify(&[trace])))
}

/// `<stem>-<first 16 hex digits of the SHA-256 of bytes>.jar`: the name a
/// jar has on a cluster, the same for the same bytes.
pub fn content_name(stem: &str, bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{stem}-{hex}.jar")
}

/// A path segment: ids are hex and UUIDs, but a caller's string must not
/// reach another route.
fn segment(id: &str) -> String {
    if id.is_empty() || id.bytes().all(|b| b == b'.') {
        // `.` and `..` would be resolved as paths, not ids.
        return id.bytes().map(|b| format!("%{b:02X}")).collect();
    }
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `multipart/form-data` body with the one file field `jarfile` Flink's
/// upload handler takes: the content type (with its boundary) and the
/// body. Written here rather than with reqwest's `multipart` feature: one
/// field does not need the dependency.
fn multipart_jar(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("scaleph-{}", &content_name("b", bytes)[2..18]);
    let name: String = file_name
        .chars()
        .filter(|c| !matches!(c, '"' | '\r' | '\n' | '/' | '\\'))
        .collect();
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"{name}\"\r\n\
             Content-Type: application/x-java-archive\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_addresses_that_are_not_http_urls() {
        for bad in [
            "",
            "localhost:8081",
            "ftp://host:21",
            "http://",
            "http://h:8081/?x=1",
        ] {
            let err = FlinkRest::new(bad, RestOptions::default()).unwrap_err();
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE, "{bad}");
        }
        let rest = FlinkRest::new("http://user:pw@host:8081/", RestOptions::default()).unwrap();
        assert_eq!(rest.address(), "http://host:8081");
        assert_eq!(rest.base, "http://user:pw@host:8081");
    }

    #[test]
    fn header_values_are_secrets() {
        let options = RestOptions {
            headers: vec![("Authorization".into(), "Bearer s3cret\n".into())],
            ..RestOptions::default()
        };
        let err = FlinkRest::new("http://h:1", options.clone()).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(!format!("{err:?}").contains("s3cret"));
        assert!(!format!("{options:?}").contains("s3cret"));
        let ok = RestOptions {
            headers: vec![("Authorization".into(), "Bearer s3cret".into())],
            ..RestOptions::default()
        };
        let rest = FlinkRest::new("http://h:1", ok).unwrap();
        assert!(!format!("{rest:?}").contains("s3cret"));
        let bad_name = RestOptions {
            headers: vec![("Bad Header".into(), "v".into())],
            ..RestOptions::default()
        };
        assert!(FlinkRest::new("http://h:1", bad_name).is_err());
    }

    #[test]
    fn overview_and_jobs_parse_with_unknown_fields_and_states() {
        let overview: OverviewBody = serde_json::from_str(
            r#"{"taskmanagers":1,"slots-total":4,"slots-available":3,"jobs-running":1,"jobs-finished":0,"flink-version":"2.3.0","flink-commit":"abc","new-field":[]}"#,
        )
        .unwrap();
        assert_eq!(overview.flink_version.as_deref(), Some("2.3.0"));
        assert_eq!((overview.slots_total, overview.slots_available), (4, 3));
        let jobs: JobsBody = serde_json::from_str(
            r#"{"jobs":[{"jid":"a1","name":"insert-into_x","start-time":1,"end-time":-1,"duration":5,"state":"RUNNING","last-modification":1,"tasks":{}},{"jid":"b2","state":"SOMETHING_NEW"}]}"#,
        )
        .unwrap();
        assert_eq!(jobs.jobs[0].state, JobState::Running);
        assert_eq!(jobs.jobs[1].state, JobState::Other("SOMETHING_NEW".into()));
        assert_eq!(jobs.jobs[1].state.name(), "SOMETHING_NEW");
        assert!(!jobs.jobs[1].state.is_terminal());
        assert!(JobState::from_name("FINISHED").is_terminal());
    }

    #[test]
    fn job_details_know_when_every_task_runs() {
        let mut job: JobDetails = serde_json::from_str(
            r#"{"jid":"j","name":"n","isStoppable":false,"state":"RUNNING","start-time":1,"end-time":-1,"duration":9,"vertices":[{"id":"v","name":"Source","parallelism":1,"status":"DEPLOYING"},{"id":"w","name":"Sink","parallelism":1,"status":"RUNNING"}],"plan":{}}"#,
        )
        .unwrap();
        assert!(!job.all_tasks_running());
        job.vertices[0].status = "RUNNING".into();
        assert!(job.all_tasks_running());
        job.job.state = JobState::Restarting;
        assert!(!job.all_tasks_running());
    }

    #[test]
    fn exceptions_take_the_history_or_the_old_root_exception() {
        let v2: ExceptionsBody = serde_json::from_str(
            r#"{"exceptionHistory":{"entries":[{"exceptionName":"java.lang.RuntimeException","stacktrace":"java.lang.RuntimeException: wrapped\n\tat x.Y(Y.java:1)\nCaused by: java.lang.ArithmeticException: / by zero\n\tat a.B(B.java:2)","timestamp":7,"taskName":"Source","failureLabels":{},"concurrentExceptions":[]}],"truncated":false}}"#,
        )
        .unwrap();
        let entry = &v2.history.unwrap().entries[0];
        let exception = JobException {
            name: entry.exception_name.clone(),
            stacktrace: entry.stacktrace.clone(),
            timestamp: entry.timestamp,
            task: entry.task_name.clone(),
        };
        assert_eq!(exception.failure().message, "/ by zero");
        let v1: ExceptionsBody = serde_json::from_str(
            r#"{"root-exception":"java.lang.Exception: boom\n\tat x","timestamp":3,"all-exceptions":[],"truncated":false}"#,
        )
        .unwrap();
        assert!(v1.history.is_none());
        assert_eq!(
            v1.root_exception.as_deref(),
            Some("java.lang.Exception: boom\n\tat x")
        );
    }

    #[test]
    fn checkpoints_report_the_restored_savepoint() {
        let body: Checkpoints = serde_json::from_str(
            r#"{"counts":{"restored":1,"total":0,"in_progress":0,"completed":0,"failed":0},"summary":{},"latest":{"completed":null,"savepoint":{"id":3,"status":"COMPLETED","is_savepoint":true,"trigger_timestamp":5,"external_path":"file:/sp/savepoint-1"},"failed":null,"restored":{"id":2,"restore_timestamp":9,"is_savepoint":true,"external_path":"file:/sp/savepoint-0"}},"history":[]}"#,
        )
        .unwrap();
        let restored = body.latest.restored.unwrap();
        assert!(restored.is_savepoint);
        assert_eq!(
            restored.external_path.as_deref(),
            Some("file:/sp/savepoint-0")
        );
        assert_eq!(restored.trigger_timestamp, 9);
        assert_eq!(body.counts.restored, 1);
        assert!(body.latest.completed.is_none());
        let empty: Checkpoints = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Checkpoints::default());
    }

    #[test]
    fn savepoint_status_reads_progress_location_and_failure() {
        let parse = |s: &str| savepoint_status(serde_json::from_str(s).unwrap());
        assert_eq!(
            parse(r#"{"status":{"id":"IN_PROGRESS"}}"#),
            SavepointStatus::InProgress
        );
        assert_eq!(
            parse(
                r#"{"status":{"id":"COMPLETED"},"operation":{"location":"file:/sp/savepoint-ab"}}"#
            ),
            SavepointStatus::Completed("file:/sp/savepoint-ab".into())
        );
        let failed = parse(
            r#"{"status":{"id":"COMPLETED"},"operation":{"failure-cause":{"class":"java.util.concurrent.CompletionException","stack-trace":"java.util.concurrent.CompletionException: x\nCaused by: org.apache.flink.runtime.checkpoint.CheckpointException: Task not running\n\tat a.b(C.java:1)","serialized-throwable":"rO0"}}}"#,
        );
        let SavepointStatus::Failed(failure) = failed else {
            panic!("{failed:?}")
        };
        assert_eq!(failure.message, "Task not running");
    }

    #[test]
    fn jar_runs_serialize_as_flink_expects() {
        let run = JarRun {
            entry_class: Some("a.B".into()),
            program_args_list: vec!["--x".into(), "a b".into()],
            parallelism: Some(2),
            savepoint_path: None,
            allow_non_restored_state: false,
            job_id: Some("0123456789abcdef0123456789abcdef".into()),
        };
        assert_eq!(
            serde_json::to_value(&run).unwrap(),
            serde_json::json!({"entryClass":"a.B","programArgsList":["--x","a b"],"parallelism":2,"jobId":"0123456789abcdef0123456789abcdef"})
        );
        let upload: UploadBody = serde_json::from_str(
            r#"{"filename":"/tmp/flink-web/flink-web-upload/1f2e_runner.jar","status":"success"}"#,
        )
        .unwrap();
        assert!(upload.filename.ends_with("1f2e_runner.jar"));
    }

    #[test]
    fn jars_are_named_by_content_and_uploaded_as_one_field() {
        assert_eq!(content_name("r", b"x"), content_name("r", b"x"));
        assert_ne!(content_name("r", b"x"), content_name("r", b"y"));
        assert!(
            content_name("r", b"x").starts_with("r-") && content_name("r", b"x").ends_with(".jar")
        );
        let (content_type, body) = multipart_jar("a\"b.jar", b"PK\x03\x04");
        let boundary = content_type.split_once("boundary=").unwrap().1;
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"jarfile\"; filename=\"ab.jar\""));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        assert_eq!(segment("ab-12_x.jar"), "ab-12_x.jar");
        assert_eq!(segment("../x?y"), "..%2Fx%3Fy");
        assert_eq!(segment(".."), "%2E%2E");
    }
}
