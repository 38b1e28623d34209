//! The client of a SeaTunnel cluster's Zeta engine REST API v2
//! (`docs/seatunnel-rest.md`): what a `SEATUNNEL` cluster is reached by.
//! A sync with `ENGINE SEATUNNEL` runs there as one SeaTunnel job; this
//! module submits it, reads its state and stops it, and knows nothing of
//! syncs or of how the job's config is made.
//!
//! **Job ids are 64-bit longs** above 2^53 (`733584788375666689`), which
//! JSON numbers read as `f64` would round: an id is kept as text, read
//! from a string or from a number through serde_json's integer
//! representation (never a float), and sent to `POST /stop-job` as the
//! integer it is. Zeta answers ids as strings in some places and numbers
//! in others (`docs/seatunnel-rest.md` §2), so both are accepted
//! everywhere.
//!
//! **Errors** follow the other REST clients' conventions
//! ([`crate::flink::rest`]): a cluster that cannot be reached is 08001
//! naming its address, one that does not answer in time 08006, an answer
//! that is not the protocol 08P01, and Zeta's own refusals
//! (`{"status":"fail","message":...}`, HTTP 400 or 500) keep Zeta's
//! message, after `SeaTunnel: `: 22023 for a 400 (a request Zeta found
//! invalid), 58000 for a 500 (everything else, a config the engine
//! rejects included).
//!
//! **Stopping is asynchronous in Zeta**: `POST /stop-job` answers before
//! the job has stopped (and answers the same for a job that is not
//! running), so [`SeatunnelRest::stop`] returns once the request was
//! taken, and the caller follows [`SeatunnelRest::job_info`] until
//! [`is_terminal`].

use std::time::Duration;

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::error::{Error, Result, SqlState};
use crate::flink::client::{http_client, without_user_info};

/// The job states after which a SeaTunnel job never runs again by itself
/// (`JobStatus` in `seatunnel-engine-core`; `docs/seatunnel-rest.md` §3).
pub const TERMINAL_STATES: &[&str] = &[
    "FINISHED",
    "CANCELED",
    "FAILED",
    "SAVEPOINT_DONE",
    "UNKNOWABLE",
];

/// Whether a SeaTunnel job in `status` has ended (FINISHED, CANCELED,
/// FAILED, SAVEPOINT_DONE, UNKNOWABLE). A state this client does not know
/// is not terminal: a newer Zeta's state is followed, not given up on.
pub fn is_terminal(status: &str) -> bool {
    TERMINAL_STATES.contains(&status)
}

/// A SeaTunnel job as `GET /job-info/:jobId` or `GET /running-jobs`
/// describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobInfo {
    /// The job id: a decimal 64-bit integer, as text.
    pub job_id: String,
    /// Its name (`jobName`: the `?jobName=` of the submission, else the
    /// config's `env.job.name`).
    pub job_name: Option<String>,
    /// Its state (`jobStatus`: `RUNNING`, `FINISHED`, ...), by name.
    pub status: String,
    /// Why it failed (`errorMsg`), when it did.
    pub error: Option<String>,
    /// When it was submitted, as Zeta writes it (`2026-01-01 10:00:00`).
    pub create_time: Option<String>,
    /// When it ended, as Zeta writes it.
    pub finished_time: Option<String>,
    /// Rows its sources read (`metrics.SourceReceivedCount`).
    pub source_received: Option<u64>,
    /// Rows its sinks wrote (`metrics.SinkWriteCount`).
    pub sink_written: Option<u64>,
}

/// What `GET /overview` says of a cluster, the fields scaleph shows
/// (`docs/seatunnel-rest.md` §4); Zeta writes these numbers as strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overview {
    /// The SeaTunnel release (`projectVersion`: `2.3.10`).
    pub version: Option<String>,
    /// Worker nodes (`works`).
    pub workers: Option<u64>,
    /// Slots in all (`totalSlot`; 0 with dynamic slots).
    pub total_slots: Option<u64>,
    /// Slots not assigned (`unassignedSlot`).
    pub free_slots: Option<u64>,
    /// Jobs running now (`runningJobs`).
    pub running_jobs: Option<u64>,
}

impl Overview {
    /// The fields of a `GET /overview` answer; a missing or unreadable
    /// field is `None` (the answer is informative, never refused).
    pub fn from_json(body: &Value) -> Overview {
        let count = |key: &str| body.get(key).and_then(unsigned);
        Overview {
            version: body
                .get("projectVersion")
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            workers: count("works"),
            total_slots: count("totalSlot"),
            free_slots: count("unassignedSlot"),
            running_jobs: count("runningJobs"),
        }
    }
}

/// The client of one SeaTunnel cluster's REST API v2.
pub struct SeatunnelRest {
    http: reqwest::Client,
    /// The base URL with its context path, without a trailing `/`.
    base: String,
    /// The base URL as shown in messages: without user info.
    shown: String,
    timeout: Duration,
}

impl std::fmt::Debug for SeatunnelRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeatunnelRest")
            .field("address", &self.shown)
            .finish_non_exhaustive()
    }
}

/// The peer's name in messages.
const PEER: &str = "the SeaTunnel cluster";

impl SeatunnelRest {
    /// A client of the cluster at `base_url` (`http://host:8080`, or with
    /// Zeta's `context-path`: `http://host:8080/seatunnel`; a trailing
    /// slash is tolerated), each call bounded by `timeout`. A URL that is
    /// not `http(s)://host[:port][/path]` is 22023.
    pub fn new(base_url: &str, timeout: Duration) -> Result<SeatunnelRest> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let invalid = |why: &str| {
            Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "invalid SeaTunnel REST address {:?}: {why}",
                    without_user_info(trimmed)
                ),
            )
            .with_hint("an address looks like 'http://host:8080' or, with a context path, 'http://host:8080/seatunnel'")
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
        let http = http_client(
            Duration::from_secs(5).min(timeout),
            timeout,
            reqwest::header::HeaderMap::new(),
            "the SeaTunnel REST client",
        )?;
        Ok(SeatunnelRest {
            http,
            shown: without_user_info(trimmed),
            base: trimmed.to_string(),
            timeout,
        })
    }

    /// The cluster's address, as shown to users (no user info).
    pub fn address(&self) -> &str {
        &self.shown
    }

    /// `GET /overview`: the cluster's version, workers, slots and job
    /// counts, as Zeta answers them ([`Overview::from_json`] reads them).
    pub async fn overview(&self) -> Result<Value> {
        let body = self.json(Method::GET, "/overview", &[], None).await?;
        if !body.is_object() {
            return Err(self.unexpected("/overview", "not a JSON object"));
        }
        Ok(body)
    }

    /// `POST /submit-job?jobName=..[&jobId=..&isStartWithSavePoint=true]`
    /// with `config` (the job config as JSON) as the body: the id of the
    /// job Zeta accepted. `job_id` chooses the id (a decimal long); with
    /// `start_with_savepoint` the job is restored from the savepoint of
    /// the job that had that id, which Zeta cannot do without it (22023
    /// here, before any request).
    pub async fn submit(
        &self,
        config: &Value,
        job_name: &str,
        job_id: Option<&str>,
        start_with_savepoint: bool,
    ) -> Result<String> {
        let mut query = vec![("jobName", job_name.to_string())];
        match job_id {
            Some(id) => query.push(("jobId", parse_job_id(id)?.to_string())),
            None if start_with_savepoint => {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "a SeaTunnel job restored from a savepoint needs the id of the job that took it",
                ));
            }
            None => {}
        }
        if start_with_savepoint {
            query.push(("isStartWithSavePoint", "true".to_string()));
        }
        let body = self
            .json(Method::POST, "/submit-job", &query, Some(config))
            .await?;
        body.get("jobId")
            .and_then(job_id_text)
            .ok_or_else(|| self.unexpected("/submit-job", "no jobId in the answer"))
    }

    /// `GET /job-info/:jobId`: the job, or `None` when Zeta answers only
    /// `{"jobId": ...}` — a job it never had, or one whose history expired
    /// (`history-job-expire-minutes`).
    pub async fn job_info(&self, job_id: &str) -> Result<Option<JobInfo>> {
        let id = parse_job_id(job_id)?;
        let path = format!("/job-info/{id}");
        let body = self.json(Method::GET, &path, &[], None).await?;
        if body.get("jobStatus").is_none_or(Value::is_null) {
            return Ok(None);
        }
        self.job(&path, &body).map(Some)
    }

    /// `GET /running-jobs`: the jobs the cluster runs now (Zeta lists
    /// jobs not yet ended, newest first).
    pub async fn running_jobs(&self) -> Result<Vec<JobInfo>> {
        self.jobs("/running-jobs").await
    }

    /// `GET /finished-jobs/:state` (every ended job the cluster still
    /// remembers when `state` is `None`), newest first.
    pub async fn finished_jobs(&self, state: Option<&str>) -> Result<Vec<JobInfo>> {
        match state {
            Some(state) if is_terminal(state) => {
                self.jobs(&format!("/finished-jobs/{state}")).await
            }
            Some(state) => Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "{state:?} is not a state a SeaTunnel job ends in: {}",
                    TERMINAL_STATES.join(", ")
                ),
            )),
            None => self.jobs("/finished-jobs").await,
        }
    }

    /// `POST /stop-job {"jobId": <the id as a JSON integer>,
    /// "isStopWithSavePoint": savepoint}`: with a savepoint the job ends
    /// SAVEPOINT_DONE (resubmit it with its id and
    /// `start_with_savepoint` to restore it), without one CANCELED. Zeta
    /// answers before the job has stopped: follow [`Self::job_info`].
    pub async fn stop(&self, job_id: &str, savepoint: bool) -> Result<()> {
        let id = parse_job_id(job_id)?;
        let body = json!({ "jobId": id, "isStopWithSavePoint": savepoint });
        self.json(Method::POST, "/stop-job", &[], Some(&body))
            .await?;
        Ok(())
    }

    async fn jobs(&self, path: &str) -> Result<Vec<JobInfo>> {
        match self.json(Method::GET, path, &[], None).await? {
            Value::Array(items) => items.iter().map(|item| self.job(path, item)).collect(),
            _ => Err(self.unexpected(path, "not a JSON array")),
        }
    }

    /// A job of an answer to `path`.
    fn job(&self, path: &str, body: &Value) -> Result<JobInfo> {
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let metric = |keys: [&str; 2]| {
            let metrics = body.get("metrics")?;
            keys.iter().find_map(|k| metrics.get(*k).and_then(unsigned))
        };
        let job_id = body
            .get("jobId")
            .and_then(job_id_text)
            .ok_or_else(|| self.unexpected(path, "a job without a jobId"))?;
        let status =
            text("jobStatus").ok_or_else(|| self.unexpected(path, "a job without a jobStatus"))?;
        Ok(JobInfo {
            job_id,
            job_name: text("jobName"),
            status,
            error: text("errorMsg"),
            create_time: text("createTime"),
            finished_time: text("finishedTime").or_else(|| text("finishTime")),
            source_received: metric(["SourceReceivedCount", "sourceReceivedCount"]),
            sink_written: metric(["SinkWriteCount", "sinkWriteCount"]),
        })
    }

    /// One call: `path` under the base URL (its context path kept), the
    /// query pairs encoded, `body` as JSON; the answer as JSON.
    async fn json(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| Error::internal(format!("a SeaTunnel URL does not parse: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut request = self.http.request(method.clone(), url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let bytes = self.send(request, &method, path).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "{PEER} at {} answered {method} {path} with something that is not JSON: {e}",
                    self.shown
                ),
            )
            .with_source(e)
        })
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        method: &Method,
        path: &str,
    ) -> Result<Bytes> {
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return Ok(bytes);
        }
        Err(self.rejected(status, method, path, &bytes))
    }

    /// The error of a non-2xx answer: Zeta's message when the body is its
    /// `{"status":"fail","message":...}`.
    fn rejected(&self, status: StatusCode, method: &Method, path: &str, body: &[u8]) -> Error {
        let fail = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
            if v.get("status")?.as_str()? != "fail" {
                return None;
            }
            v.get("message")?.as_str().map(str::to_string)
        });
        let detail = format!("{method} {path} at {}: HTTP {status}", self.shown);
        match fail {
            Some(message) => {
                let sqlstate = if status == StatusCode::BAD_REQUEST {
                    SqlState::INVALID_PARAMETER_VALUE
                } else {
                    SqlState::SYSTEM_ERROR
                };
                Error::new(sqlstate, format!("SeaTunnel: {message}")).with_detail(detail)
            }
            None if status == StatusCode::NOT_FOUND => Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!("{PEER} at {} has no {path} (HTTP 404)", self.shown),
            )
            .with_hint(
                "the address must be the Zeta engine's REST API v2 (seatunnel.engine.http, port 8080 by default), with its context-path if one is set",
            ),
            None => Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "{PEER} at {} answered HTTP {status} to {method} {path} with {:?}",
                    self.shown,
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ),
            ),
        }
    }

    fn unexpected(&self, path: &str, what: &str) -> Error {
        Error::new(
            SqlState::PROTOCOL_VIOLATION,
            format!(
                "{PEER} at {} answered {path} with something unexpected: {what}",
                self.shown
            ),
        )
    }

    fn transport(&self, err: reqwest::Error) -> Error {
        let err = err.without_url();
        let (sqlstate, message) =
            crate::flink::errors::transport(PEER, &self.shown, self.timeout, &err);
        Error::new(sqlstate, message).with_source(err)
    }
}

/// A job id as Zeta takes it: a decimal Java `long`. Anything else is
/// 22023, before a request is made.
fn parse_job_id(id: &str) -> Result<i64> {
    id.trim().parse::<i64>().map_err(|_| {
        Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("{id:?} is not a SeaTunnel job id (a decimal 64-bit integer)"),
        )
    })
}

/// A job id from a JSON string or integer, as text; a float (or anything
/// else) is no id: its digits may already be rounded.
fn job_id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => s.trim().parse::<i64>().ok().map(|id| id.to_string()),
        Value::Number(n) => n
            .as_i64()
            .map(|id| id.to_string())
            .or_else(|| n.as_u64().map(|id| id.to_string())),
        _ => None,
    }
}

/// A count from a JSON string or non-negative integer.
fn unsigned(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An id above 2^53: f64 cannot hold it (its neighbours are 128 apart).
    const ID: &str = "733584788375666689";

    #[test]
    fn job_ids_are_read_from_strings_and_integers_never_floats() {
        let from_number: Value = serde_json::from_str(&format!("{{\"jobId\":{ID}}}")).unwrap();
        assert_eq!(job_id_text(&from_number["jobId"]).as_deref(), Some(ID));
        assert_eq!(job_id_text(&json!(ID)).as_deref(), Some(ID));
        assert_ne!(
            ID.parse::<f64>().unwrap() as i64,
            ID.parse::<i64>().unwrap()
        );
        assert_eq!(job_id_text(&json!(ID.parse::<f64>().unwrap())), None);
        assert_eq!(job_id_text(&json!("12abc")), None);
        assert_eq!(job_id_text(&Value::Null), None);
    }

    #[test]
    fn stop_bodies_carry_the_id_as_the_exact_integer() {
        let body = json!({ "jobId": parse_job_id(ID).unwrap(), "isStopWithSavePoint": true });
        assert_eq!(
            body.to_string(),
            format!("{{\"isStopWithSavePoint\":true,\"jobId\":{ID}}}")
        );
        let err = parse_job_id("7.3e17").unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
    }

    #[test]
    fn terminal_states_are_zetas() {
        for state in TERMINAL_STATES {
            assert!(is_terminal(state));
        }
        for state in [
            "INITIALIZING",
            "CREATED",
            "PENDING",
            "SCHEDULED",
            "RUNNING",
            "FAILING",
            "DOING_SAVEPOINT",
            "CANCELING",
            "SOMETHING_NEW",
        ] {
            assert!(!is_terminal(state), "{state}");
        }
    }

    #[test]
    fn overview_reads_numbers_written_as_strings() {
        let overview = Overview::from_json(&json!({
            "projectVersion": "2.3.10", "gitCommitAbbrev": "DeadD0d0", "totalSlot": "8",
            "unassignedSlot": "5", "works": "2", "runningJobs": 1, "finishedJobs": "0"
        }));
        assert_eq!(
            overview,
            Overview {
                version: Some("2.3.10".into()),
                workers: Some(2),
                total_slots: Some(8),
                free_slots: Some(5),
                running_jobs: Some(1),
            }
        );
        assert_eq!(Overview::from_json(&json!({})), Overview::default());
    }

    #[test]
    fn jobs_are_read_with_either_metrics_spelling_and_either_end_time() {
        let rest = SeatunnelRest::new("http://h:8080", Duration::from_secs(1)).unwrap();
        let job = rest
            .job(
                "/job-info/1",
                &json!({
                    "jobId": ID, "jobName": "copy", "jobStatus": "FAILED", "errorMsg": "boom",
                    "createTime": "2026-01-01 10:00:00", "finishTime": "2026-01-01 10:01:00",
                    "metrics": {"SourceReceivedCount": "100", "SinkWriteCount": "99"}
                }),
            )
            .unwrap();
        assert_eq!(job.job_id, ID);
        assert_eq!(job.error.as_deref(), Some("boom"));
        assert_eq!(job.finished_time.as_deref(), Some("2026-01-01 10:01:00"));
        assert_eq!(
            (job.source_received, job.sink_written),
            (Some(100), Some(99))
        );
        let running = rest
            .job(
                "/running-jobs",
                &json!({"jobId": 5, "jobStatus": "RUNNING", "errorMsg": null,
                        "metrics": {"sourceReceivedCount": 3, "sinkWriteCount": "2"}}),
            )
            .unwrap();
        assert_eq!(running.error, None);
        assert_eq!(
            (running.source_received, running.sink_written),
            (Some(3), Some(2))
        );
        let err = rest
            .job("/running-jobs", &json!({"jobId": "1"}))
            .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::PROTOCOL_VIOLATION);
    }

    #[test]
    fn new_rejects_addresses_that_are_not_http_urls_and_keeps_the_context_path() {
        for bad in ["", "host:8080", "ftp://h", "http://", "http://h:8080/?x=1"] {
            let err = SeatunnelRest::new(bad, Duration::from_secs(1)).unwrap_err();
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE, "{bad}");
        }
        let rest =
            SeatunnelRest::new("http://u:pw@h:8080/seatunnel/", Duration::from_secs(1)).unwrap();
        assert_eq!(rest.address(), "http://h:8080/seatunnel");
        assert_eq!(rest.base, "http://u:pw@h:8080/seatunnel");
    }
}
