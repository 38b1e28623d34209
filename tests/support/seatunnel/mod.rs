//! A SeaTunnel cluster's Zeta engine REST API v2, as a double: what
//! scaleph's SeaTunnel client (`src/seatunnel`) and the syncs it runs are
//! tested against, since no SeaTunnel runs on the test machines. The
//! contract, and what the double enforces beyond it, is
//! `docs/seatunnel-rest.md`; `tests/seatunnel_double.rs` checks the
//! double against that document and its examples.
//!
//! * `config`: the job config check of `POST /submit-job` — blocks,
//!   `job.mode`, plugin names, each known plugin's options, the
//!   `plugin_output`/`plugin_input` wiring — with the engine's wording.
//! * here: the HTTP surface (`/overview`, `/submit-job`, `/job-info/:id`,
//!   `/running-jobs`, `/finished-jobs[/:state]`, `/stop-job`, under an
//!   optional context path) and the jobs' lifecycle: RUNNING at once;
//!   BATCH jobs FINISHED after [`SeatunnelOptions::batch_duration`];
//!   STREAMING until stopped; a stop passes through CANCELING or
//!   DOING_SAVEPOINT to CANCELED or SAVEPOINT_DONE; [`SeatunnelDouble::fail`]
//!   fails a job with an `errorMsg`.
//!
//! Time moves lazily: a job's state is brought up to date whenever it is
//! read, so nothing runs in the background and every answer is
//! consistent with the clock. The server runs its own tokio runtime on
//! an OS thread (like the other doubles), so sync and async tests use it
//! alike; it stops when dropped.

pub mod config;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Value as Json, json};

pub use config::{JobMode, PluginType, Rejection};

/// The first job id the double hands out: 733584788375666689, above 2^53
/// (and odd, so no f64 holds it); later ones follow it.
pub const FIRST_JOB_ID: u64 = 733_584_788_375_666_689;

/// How a double behaves; `SeatunnelOptions::default()` gives the values
/// noted.
#[derive(Clone, Debug)]
pub struct SeatunnelOptions {
    /// Zeta's `seatunnel.engine.http.context-path` (`/seatunnel`): every
    /// path is served under it, and nothing outside it. Default none.
    pub context_path: String,
    /// How long a BATCH job runs before it is FINISHED. Default 300 ms.
    pub batch_duration: Duration,
    /// How long a stop takes: CANCELING or DOING_SAVEPOINT before
    /// CANCELED or SAVEPOINT_DONE. Default 50 ms.
    pub stop_duration: Duration,
    /// Rows a running job's sources read (and sinks write) per second,
    /// for its metrics. Default 1000.
    pub rows_per_second: u64,
    /// Every answer waits this long first (to test timeouts). Default 0.
    pub answer_delay: Duration,
    /// Write job ids as JSON numbers, as the REST docs show them, instead
    /// of the strings the engine's code writes. Default `false`.
    pub numeric_job_ids: bool,
    /// `projectVersion` of `/overview`. Default `2.3.12`.
    pub version: String,
    /// Workers (`works`) and slots per worker of `/overview`. Default 2 × 4.
    pub workers: u32,
    /// Slots of each worker.
    pub slots_per_worker: u32,
}

impl Default for SeatunnelOptions {
    fn default() -> SeatunnelOptions {
        SeatunnelOptions {
            context_path: String::new(),
            batch_duration: Duration::from_millis(300),
            stop_duration: Duration::from_millis(50),
            rows_per_second: 1000,
            answer_delay: Duration::ZERO,
            numeric_job_ids: false,
            version: "2.3.12".to_string(),
            workers: 2,
            slots_per_worker: 4,
        }
    }
}

/// One request the double received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`.
    pub method: String,
    /// The path below the context path (`/stop-job`).
    pub path: String,
    /// The query string (empty if none).
    pub query: String,
    /// The body, as sent.
    pub body: String,
}

/// One accepted submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The job's id.
    pub job_id: u64,
    /// Its name.
    pub job_name: String,
    /// `isStartWithSavePoint=true` was asked.
    pub start_with_savepoint: bool,
    /// A savepoint of that id existed, and the job was restored from it.
    pub restored: bool,
    /// The config submitted.
    pub config: Json,
}

/// What a job is doing.
#[derive(Clone, Debug)]
struct Job {
    id: u64,
    name: String,
    mode: JobMode,
    env: Json,
    status: &'static str,
    error: Option<String>,
    created: chrono::DateTime<chrono::Local>,
    started: Instant,
    /// When a stop was asked, and whether with a savepoint.
    stopping: Option<(Instant, bool)>,
    /// When it ended (Instant for metrics, wall clock for the answer).
    ended: Option<(Instant, chrono::DateTime<chrono::Local>)>,
    start_with_savepoint: bool,
}

/// The double's state, behind one lock.
struct State {
    jobs: BTreeMap<u64, Job>,
    /// Ids whose last stop took a savepoint.
    savepoints: BTreeSet<u64>,
    submissions: Vec<Submission>,
    next_id: u64,
    requests: Vec<RecordedRequest>,
    allowed: BTreeSet<(PluginType, String)>,
}

struct Shared {
    options: SeatunnelOptions,
    addr: SocketAddr,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.advance(&self.options);
        state
    }
}

/// A running double. Dropping it stops the server.
pub struct SeatunnelDouble {
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SeatunnelDouble {
    /// A double with the default options.
    pub fn start() -> SeatunnelDouble {
        SeatunnelDouble::start_with(SeatunnelOptions::default())
    }

    /// A double on a free port of 127.0.0.1.
    pub fn start_with(options: SeatunnelOptions) -> SeatunnelDouble {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            addr,
            state: Mutex::new(State {
                jobs: BTreeMap::new(),
                savepoints: BTreeSet::new(),
                submissions: Vec::new(),
                next_id: FIRST_JOB_ID,
                requests: Vec::new(),
                allowed: BTreeSet::new(),
            }),
            options,
        });
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = shared.clone();
        let thread = std::thread::Builder::new()
            .name("seatunnel-double".into())
            .spawn(move || serve(server, listener, stopped))
            .expect("spawn the double's thread");
        SeatunnelDouble {
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The REST address with the context path: `http://127.0.0.1:<port>`
    /// or `http://127.0.0.1:<port>/seatunnel`.
    pub fn url(&self) -> String {
        format!(
            "http://{}{}",
            self.shared.addr,
            self.shared.options.context_path.trim_end_matches('/')
        )
    }

    /// Lets configs use a plugin the double does not know (its options
    /// unchecked), as a SeaTunnel with that connector installed would.
    pub fn allow_plugin(&self, kind: PluginType, name: &str) {
        self.shared.state().allowed.insert((kind, name.to_string()));
    }

    /// Job `id` fails now with `error_msg` (its `errorMsg`), as a job
    /// whose sink went away would. `false` when it is not running.
    pub fn fail(&self, id: u64, error_msg: &str) -> bool {
        let mut state = self.shared.state();
        let Some(job) = state.jobs.get_mut(&id).filter(|j| !is_ended(j.status)) else {
            return false;
        };
        job.status = "FAILED";
        job.error = Some(error_msg.to_string());
        job.ended = Some((Instant::now(), chrono::Local::now()));
        true
    }

    /// Job `id`'s state now, if the double has it.
    pub fn status(&self, id: u64) -> Option<String> {
        self.shared
            .state()
            .jobs
            .get(&id)
            .map(|j| j.status.to_string())
    }

    /// Every accepted submission, oldest first.
    pub fn submissions(&self) -> Vec<Submission> {
        self.shared.state().submissions.clone()
    }

    /// Whether job `id`'s last stop took a savepoint it can be restored
    /// from.
    pub fn has_savepoint(&self, id: u64) -> bool {
        self.shared.state().savepoints.contains(&id)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().requests.clone()
    }
}

impl Drop for SeatunnelDouble {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The ended states (`JobStatus#isEndState`).
fn is_ended(status: &str) -> bool {
    matches!(
        status,
        "FINISHED" | "CANCELED" | "FAILED" | "SAVEPOINT_DONE" | "UNKNOWABLE"
    )
}

impl State {
    /// Brings every job up to the clock: BATCH jobs finish, stops end.
    fn advance(&mut self, options: &SeatunnelOptions) {
        let now = Instant::now();
        let mut savepoints = Vec::new();
        for job in self.jobs.values_mut() {
            match (job.status, job.stopping) {
                ("CANCELING" | "DOING_SAVEPOINT", Some((asked, savepoint)))
                    if now >= asked + options.stop_duration =>
                {
                    job.status = if savepoint {
                        savepoints.push(job.id);
                        "SAVEPOINT_DONE"
                    } else {
                        "CANCELED"
                    };
                    job.ended = Some((asked + options.stop_duration, chrono::Local::now()));
                }
                ("RUNNING", _)
                    if job.mode == JobMode::Batch
                        && now >= job.started + options.batch_duration =>
                {
                    job.status = "FINISHED";
                    job.ended = Some((job.started + options.batch_duration, chrono::Local::now()));
                }
                _ => {}
            }
        }
        self.savepoints.extend(savepoints);
    }
}

/// The server thread: serves until `stopped`.
fn serve(
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
    stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the double's runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        let app = axum::Router::new().fallback(answer).with_state(shared);
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            _ = stopped => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// The one axum handler: records the request and answers it.
async fn answer(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    if !shared.options.answer_delay.is_zero() {
        tokio::time::sleep(shared.options.answer_delay).await;
    }
    let context = shared.options.context_path.trim_end_matches('/');
    let (status, reply) = match uri.path().strip_prefix(context) {
        Some(path) if path.starts_with('/') => {
            let query: Vec<(String, String)> = uri
                .query()
                .map(|q| {
                    reqwest::Url::parse(&format!("http://q/?{q}"))
                        .map(|u| u.query_pairs().into_owned().collect())
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let mut state = shared.state();
            state.requests.push(RecordedRequest {
                method: method.to_string(),
                path: path.to_string(),
                query: uri.query().unwrap_or_default().to_string(),
                body: String::from_utf8_lossy(&body).to_string(),
            });
            match handle(&shared.options, &mut state, &method, path, &query, &body) {
                Ok(reply) => (200, reply),
                Err(rejection) => (
                    rejection.status,
                    json!({"status": "fail", "message": rejection.message}),
                ),
            }
        }
        // Jetty answers a path outside its context with its own 404 page.
        _ => {
            let mut response = Response::new(Body::from(
                "<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>",
            ));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
    };
    let mut response = Response::new(Body::from(reply.to_string()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// A job id as the double writes it: a string, or a number when asked to.
fn id_json(options: &SeatunnelOptions, id: u64) -> Json {
    if options.numeric_job_ids {
        json!(id)
    } else {
        json!(id.to_string())
    }
}

/// `Long.parseLong`: a NumberFormatException (400) for anything else.
fn parse_long(text: &str) -> Result<u64, Rejection> {
    text.parse::<i64>()
        .ok()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| Rejection {
            status: 400,
            message: format!("NumberFormatException: For input string: \"{text}\""),
        })
}

/// The request body as JSON (`BaseService#requestHandle`).
fn request_json(body: &[u8]) -> Result<Json, Rejection> {
    if body.is_empty() {
        return Err(Rejection::bad_request("Request body is empty."));
    }
    serde_json::from_slice(body)
        .map_err(|_| Rejection::bad_request("Invalid JSON format in request body."))
}

fn handle(
    options: &SeatunnelOptions,
    state: &mut State,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Result<Json, Rejection> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["overview"]) => Ok(overview(options, state)),
        ("POST", ["submit-job"]) => submit(options, state, query, body),
        ("GET", ["job-info", id]) | ("GET", ["running-job", id]) => {
            let id = parse_long(id)?;
            Ok(match state.jobs.get(&id) {
                Some(job) => job_json(options, job),
                None => json!({ "jobId": id.to_string() }),
            })
        }
        ("GET", ["running-jobs"]) => {
            let mut jobs: Vec<&Job> = state
                .jobs
                .values()
                .filter(|j| !is_ended(j.status))
                .collect();
            jobs.sort_by_key(|j| std::cmp::Reverse(j.started));
            Ok(Json::Array(
                jobs.into_iter().map(|j| job_json(options, j)).collect(),
            ))
        }
        ("GET", ["finished-jobs"]) | ("GET", ["finished-jobs", _]) => {
            let wanted = segments.get(1).map(|s| s.to_ascii_uppercase());
            let mut jobs: Vec<&Job> = state
                .jobs
                .values()
                .filter(|j| is_ended(j.status))
                .filter(|j| wanted.as_deref().is_none_or(|w| w == j.status))
                .collect();
            jobs.sort_by_key(|j| std::cmp::Reverse(j.ended.map(|(at, _)| at)));
            Ok(Json::Array(
                jobs.into_iter().map(|j| job_json(options, j)).collect(),
            ))
        }
        ("POST", ["stop-job"]) => stop(state, body),
        _ => Err(Rejection::server(
            "ServletException",
            format!("{method} {path} is not a SeaTunnel REST API v2 endpoint the double serves"),
        )),
    }
}

/// `GET /overview`: every number as a string, as `OverviewInfo` writes it.
fn overview(options: &SeatunnelOptions, state: &State) -> Json {
    let count = |status: &str| state.jobs.values().filter(|j| j.status == status).count();
    let running = state.jobs.values().filter(|j| !is_ended(j.status)).count();
    let total = options.workers * options.slots_per_worker;
    json!({
        "projectVersion": options.version,
        "gitCommitAbbrev": "DeadD0d0",
        "totalSlot": total.to_string(),
        "unassignedSlot": (total as usize).saturating_sub(running).to_string(),
        "works": options.workers.to_string(),
        "runningJobs": running.to_string(),
        "pendingJobs": "0",
        "finishedJobs": count("FINISHED").to_string(),
        "failedJobs": count("FAILED").to_string(),
        "cancelledJobs": count("CANCELED").to_string(),
    })
}

/// `POST /submit-job` (`JobInfoService#submitJob`, `BaseService#submitJobInternal`,
/// `CoordinatorService#submitJob`).
fn submit(
    options: &SeatunnelOptions,
    state: &mut State,
    query: &[(String, String)],
    body: &[u8],
) -> Result<Json, Rejection> {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if param("isDryRun").is_some() {
        return Err(Rejection::bad_request("Dry-run is only supported via CLI"));
    }
    let start_with_savepoint =
        param("isStartWithSavePoint").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let given_id = param("jobId").filter(|id| !id.trim().is_empty());
    let given_id = given_id.as_deref();
    if start_with_savepoint && given_id.is_none() {
        return Err(Rejection::bad_request(
            "Please provide jobId when start with save point.",
        ));
    }
    let config = request_json(body)?;
    let accepted = config::check(&config, &state.allowed)?;
    let name = param("jobName")
        .filter(|n| !n.is_empty())
        .or(accepted.job_name.clone())
        .unwrap_or_else(|| "SeaTunnel_Job".to_string());
    let id = match given_id {
        Some(text) => parse_long(text)?,
        None => {
            while state.jobs.contains_key(&state.next_id) {
                state.next_id += 2;
            }
            let id = state.next_id;
            state.next_id += 2;
            id
        }
    };
    let answer = json!({ "jobId": id_json(options, id), "jobName": name });
    if let Some(job) = state.jobs.get(&id) {
        if !is_ended(job.status) {
            // "The job ... is currently running; no need to submit again."
            return Ok(answer);
        }
        if !start_with_savepoint {
            return Err(Rejection::server(
                "JobException",
                format!(
                    "The job id {id} has already been submitted and is not starting with a savepoint."
                ),
            ));
        }
    }
    let restored = start_with_savepoint && state.savepoints.remove(&id);
    state.jobs.insert(
        id,
        Job {
            id,
            name: name.clone(),
            mode: accepted.mode,
            env: accepted.env,
            status: "RUNNING",
            error: None,
            created: chrono::Local::now(),
            started: Instant::now(),
            stopping: None,
            ended: None,
            start_with_savepoint,
        },
    );
    state.submissions.push(Submission {
        job_id: id,
        job_name: name,
        start_with_savepoint,
        restored,
        config,
    });
    Ok(answer)
}

/// `POST /stop-job` (`BaseService#handleStopJob` on the master): the
/// answer comes at once; a job that is not running is left as it is
/// (`cancelJob` does nothing, `savePoint`'s failure is not waited for).
fn stop(state: &mut State, body: &[u8]) -> Result<Json, Rejection> {
    let request = request_json(body)?;
    let id_text = match request.get("jobId") {
        None | Some(Json::Null) => return Err(Rejection::bad_request("jobId cannot be empty.")),
        Some(Json::String(s)) => s.clone(),
        // Jackson reads a JSON float as a Double, whose toString
        // Long.parseLong refuses; an integer is read exactly.
        Some(Json::Number(n)) if n.is_f64() => format!("{:E}", n.as_f64().unwrap_or_default()),
        Some(other) => other.to_string(),
    };
    let id = parse_long(&id_text)?;
    let savepoint = match request.get("isStopWithSavePoint") {
        Some(Json::Bool(b)) => *b,
        Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    if let Some(job) = state.jobs.get_mut(&id).filter(|j| !is_ended(j.status)) {
        job.status = if savepoint {
            "DOING_SAVEPOINT"
        } else {
            "CANCELING"
        };
        job.stopping = Some((Instant::now(), savepoint));
    }
    Ok(json!({ "jobId": id.to_string() }))
}

/// A job as `GET /job-info/:id` answers it: `convertToJson` while it
/// runs, `getJobInfoJson` (with `errorMsg` and the finish time) once it
/// ended.
fn job_json(options: &SeatunnelOptions, job: &Job) -> Json {
    let until = job.ended.map_or_else(Instant::now, |(at, _)| at);
    let rows =
        until.duration_since(job.started).as_millis() as u64 * options.rows_per_second / 1000;
    let time = |t: &chrono::DateTime<chrono::Local>| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let mut body = json!({
        "jobId": id_json(options, job.id),
        "jobName": job.name,
        "jobStatus": job.status,
        "createTime": time(&job.created),
        "startTime": time(&job.created),
        "jobDag": {"jobId": job.id.to_string(), "envOptions": job.env, "vertexInfoMap": [], "pipelineEdges": {}},
        "pluginJarsUrls": [],
        "metrics": {
            "SourceReceivedCount": rows.to_string(),
            "SinkWriteCount": rows.to_string(),
            "SourceReceivedQPS": options.rows_per_second.to_string(),
            "SinkWriteQPS": options.rows_per_second.to_string(),
        },
    });
    match job.ended {
        Some((_, at)) => {
            body["errorMsg"] = job.error.clone().map_or(Json::Null, Json::String);
            body["finishedTime"] = json!(time(&at));
        }
        None => {
            body["envOptions"] = job.env.clone();
            body["isStartWithSavePoint"] = json!(job.start_with_savepoint);
        }
    }
    body
}
