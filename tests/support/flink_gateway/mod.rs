//! A Flink SQL Gateway test double: an HTTP server on 127.0.0.1 that speaks
//! the gateway's REST API (`docs/flink-sql-gateway-rest.md`)
//! byte for byte in key names, key order and error shapes, and understands
//! enough Flink SQL to answer like a gateway over an in-memory catalog.
//!
//! # Behaviour
//!
//! * **Versions.** Routes are served under `/v1`..`/vN` for the listed
//!   versions and unversioned (as the highest one). `configure-session` and
//!   `complete-statement` exist from v2; `?rowFormat=` is read from v2 (v1's
//!   `nextResultUri` has none). Materialized-table refresh and scripts are not
//!   served (404).
//! * **Releases** ([`DoubleOptions::flink`] makes a double of one Flink
//!   release, the matrix of docs/flink-sql-gateway-rest.md §0): `/info`
//!   reports [`DoubleOptions::flink_version`], which decides
//!   * the API versions a real gateway of that release serves (1.16: V1;
//!     1.17–1.19: V1–V2; 1.20: V1–V3; 2.x: V1–V4);
//!   * the result body: 1.16's has no `isQueryResult`, `jobID` nor
//!     `resultKind` (`{"results":{...},"resultType":...,"nextResultUri":...}`,
//!     `"nextResultUri":null` at EOS, as dbt-flink-adapter's recorded 1.16
//!     answers show), from 1.17 every API version gets the full one;
//!   * TIMESTAMP_LTZ in JSON rows: the session zone's wall clock with a
//!     literal `Z` from 1.19, the UTC instant before. The session zone is
//!     `table.local-time-zone`, or the JVM's ([`DoubleOptions::jvm_zone`])
//!     when that is unset or `default`;
//!   * which statements parse: `SHOW DATABASES FROM` from 1.19, `SHOW
//!     VIEWS FROM` from 2.0 (before, `FROM` is a parse error).
//! * **Operations.** A statement runs when it is posted; the first
//!   [`DoubleOptions::not_ready_fetches`] fetches answer `NOT_READY` (status
//!   `RUNNING`), then the status is `FINISHED` or `ERROR`. A client that only
//!   polls the status never sees it finish; it must fetch. One operation
//!   runs per session at a time: one posted while an earlier one of its
//!   session still runs is `PENDING` and answers `NOT_READY` without
//!   progressing until that one is done (counted by
//!   [`FlinkDouble::pending_fetches`]).
//! * **Pages.** Static results are one `PAYLOAD` then `EOS`. A query's first
//!   page is always empty (its job was just submitted); then rows come up to
//!   [`DoubleOptions::page_rows`] a page, and `EOS` once a bounded query is
//!   drained. Tokens follow `ResultFetcher`: `current` gives the next page,
//!   `current - 1` the previous page again, anything else a 500.
//! * **Datagen.** A `'connector'='datagen'` table yields row `i` = 0, 1, ...
//!   with column `j` NULL when nullable and `(i + j) % 10 == 9`, otherwise:
//!   BOOLEAN `i % 2 == 0`; TINYINT `i % 128`; SMALLINT `i % 32768`; INT `i`;
//!   BIGINT `9007199254740993 + i`; FLOAT/DOUBLE `i + 0.5`; DECIMAL(p,s)
//!   `(i + 1) * 10` (NULL when it does not fit); strings `row-<i>` (cut to
//!   the length); binaries the 4 big-endian bytes of `i`; DATE 1970-01-01 +
//!   `i` days; TIME second `i % 86400`; TIMESTAMP(p) and TIMESTAMP_LTZ(p)
//!   2024-01-01T00:00:00 (UTC) + `i` s + `i % 1000` ms, cut to `p`; ARRAY two
//!   elements, MAP one entry, ROW each field, by the same rule without NULLs.
//!   `'number-of-rows'` bounds it; `'rows-per-second'` makes row `i`
//!   available `i / R` s after the statement. Other connectors read as empty.
//! * **Jobs.** INSERTs, statement sets and queries start jobs: FINISHED once
//!   a bounded input is read, RUNNING otherwise until STOP JOB or (queries
//!   only) closing the operation or session. Jobs outlive [`FlinkDouble::restart`].
//! * **Sessions** expire after [`DoubleOptions::idle_timeout`] without a call
//!   that resolves them (checked on every request and every 100 ms).
//! * **JSON limits.** A MAP column whose key is not a string, or a
//!   MULTISET whose element is not, makes every JSON page of its operation
//!   a 500 (`Could not map response to JSON.`); so does a page holding a
//!   RAW value (datagen gives `raw-<i>`). PLAIN_TEXT works, and the token
//!   has moved on, so retry `current - 1`.
//!
//! # SQL
//!
//! Each session has its own catalogs (`default_catalog`.`default_database`).
//! Those are in memory, like a `'type' = 'generic_in_memory'` catalog; a
//! catalog of any other type (`paimon`, `hive`, `jdbc`...) is persistent:
//! its objects live in a store shared by every session that creates a
//! catalog with the same options, kept by `DROP CATALOG` and by
//! [`FlinkDouble::restart`].
//! Understood: CREATE [TEMPORARY] TABLE (types BOOLEAN to ROW, PRIMARY KEY,
//! WATERMARK, `AS PROCTIME()`, COMMENT, PARTITIONED BY, WITH), CREATE
//! [TEMPORARY] VIEW, CREATE DATABASE / CATALOG / FUNCTION, DROP and ALTER of
//! each, USE [CATALOG], LOAD/UNLOAD/USE MODULE(S), SET, RESET, ADD/REMOVE
//! JAR, SHOW (CATALOGS, DATABASES, TABLES/VIEWS [FROM] [LIKE], [USER] FUNCTIONS,
//! [FULL] MODULES, JARS, JOBS, CURRENT ..., CREATE TABLE/VIEW, COLUMNS),
//! DESCRIBE / DESC, DESCRIBE JOB, EXPLAIN, STOP JOB, INSERT INTO/OVERWRITE,
//! EXECUTE STATEMENT SET, BEGIN STATEMENT SET ... END, VALUES, and `SELECT
//! literals | * | columns | CAST(x AS type) [AS a] [FROM t|(<query>) [[AS]
//! alias [(c1, ...)]] [WHERE <ignored>] [GROUP BY k]] [LIMIT n]` with
//! `COUNT(*)` (a streaming changelog; final rows in batch mode).
//! * **CAST** gives the target type with the operand's nullability and
//!   converts values (see `values::cast`; NULL where Flink's job would fail).
//! * **Derived tables** (and views) read like a table: boundedness, pacing
//!   and row kinds come from the inner query; a column alias list renames
//!   its columns; qualified names must use the alias. An outer LIMIT n over
//!   a GROUP BY keeps the first n rows with their updates.
//!
//! Anything else is a syntax error positioned like Flink's parser; unknown
//! tables, columns and functions, impossible casts and alias lists of the
//! wrong degree are Calcite validation errors.

mod catalog;
mod engine;
mod errors;
mod query;
mod rest;
mod sql;
mod state;
mod types;
mod values;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use rand::Rng as _;

/// Options of a double; `Default` gives the values noted.
#[derive(Clone, Debug)]
pub struct DoubleOptions {
    /// What `/api_versions` lists and which `/vN` prefixes route; unversioned
    /// routes act as the highest listed. Default `["V1","V2","V3","V4"]`
    /// (Flink 2.0's).
    pub versions: Vec<&'static str>,
    /// The version `/info` reports. Default `"2.0.0"`. It decides the
    /// result body (1.16's or the full one), how TIMESTAMP_LTZ values are
    /// written in JSON rows (docs/flink-sql-gateway-rest.md §0, §3.2): the
    /// session zone's wall clock with a literal `Z` from 1.19 on, the UTC
    /// instant before; and which statements parse.
    pub flink_version: &'static str,
    /// The gateway JVM's time zone: the session zone when
    /// `table.local-time-zone` is unset or `default`. Default `None` (UTC).
    pub jvm_zone: Option<&'static str>,
    /// A fetch of this token (of any operation), the first one answered
    /// with a `PAYLOAD`, is served and then its connection broken before
    /// the body is complete: a network failure after the token moved on.
    /// Default `None`.
    pub break_fetch: Option<i64>,
    /// How many fetches of every operation answer `NOT_READY` (status
    /// `RUNNING` meanwhile) before it is `FINISHED` or `ERROR`. Default 1.
    pub not_ready_fetches: u32,
    /// Sessions untouched longer are expired (zero: never). Default 10 min.
    pub idle_timeout: Duration,
    /// Most rows in one `PAYLOAD` page. Default 5000.
    pub page_rows: usize,
}

impl Default for DoubleOptions {
    fn default() -> DoubleOptions {
        DoubleOptions {
            versions: vec!["V1", "V2", "V3", "V4"],
            flink_version: "2.0.0",
            jvm_zone: None,
            break_fetch: None,
            not_ready_fetches: 1,
            idle_timeout: Duration::from_secs(600),
            page_rows: 5000,
        }
    }
}

impl DoubleOptions {
    /// A double of Flink release `flink_version` (`"1.16.3"`, `"2.0.0"`):
    /// the API versions it serves as that release's gateway does.
    pub fn flink(flink_version: &'static str) -> DoubleOptions {
        let options = DoubleOptions {
            flink_version,
            ..DoubleOptions::default()
        };
        let newest = match options.release() {
            (1, minor) if minor <= 16 => 1,
            (1, minor) if minor <= 19 => 2,
            (1, _) => 3,
            _ => 4,
        };
        DoubleOptions {
            versions: ["V1", "V2", "V3", "V4"][..newest].to_vec(),
            ..options
        }
    }

    /// `(major, minor)` of [`DoubleOptions::flink_version`]; the newest
    /// known, 2.0, when it does not read.
    pub fn release(&self) -> (u32, u32) {
        let mut parts = self
            .flink_version
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse::<u32>().ok());
        match (parts.next().flatten(), parts.next().flatten()) {
            (Some(major), Some(minor)) => (major, minor),
            _ => (2, 0),
        }
    }
}

/// One request the double received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, `DELETE`...
    pub method: String,
    /// The path, plus `?query` if any.
    pub path: String,
    /// The body (lossily decoded as UTF-8).
    pub body: String,
}

/// What the server tasks and the test thread share.
struct Shared {
    /// Replaced by [`FlinkDouble::replace_with`].
    options: std::sync::RwLock<DoubleOptions>,
    state: Mutex<state::State>,
    requests: Mutex<Vec<RecordedRequest>>,
    /// Whether [`DoubleOptions::break_fetch`] broke its fetch already.
    broke_fetch: std::sync::atomic::AtomicBool,
    /// Fetches answered NOT_READY because their operation was PENDING.
    pending_fetches: std::sync::atomic::AtomicUsize,
}

impl Shared {
    /// The gateway state, with idle sessions expired first.
    fn lock(&self) -> MutexGuard<'_, state::State> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.expire_idle(self.options().idle_timeout);
        state
    }

    /// The options in force.
    fn options(&self) -> DoubleOptions {
        self.options
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// A new random (version 4) UUID in lowercase text.
fn new_uuid() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A running double: its own tokio runtime (2 workers) on a dedicated OS
/// thread, so it serves sync tests, async tests and benches alike. Dropping
/// it stops the server.
pub struct FlinkDouble {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FlinkDouble {
    /// Starts a double with the default options.
    pub fn start() -> FlinkDouble {
        FlinkDouble::start_with(DoubleOptions::default())
    }

    /// Starts a double on a free port of 127.0.0.1.
    pub fn start_with(options: DoubleOptions) -> FlinkDouble {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            options: std::sync::RwLock::new(options),
            state: Mutex::new(state::State::default()),
            requests: Mutex::new(Vec::new()),
            broke_fetch: Default::default(),
            pending_fetches: Default::default(),
        });
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = shared.clone();
        let thread = std::thread::Builder::new()
            .name("flink-double".into())
            .spawn(move || serve(server, listener, stopped))
            .expect("spawn the double's thread");
        FlinkDouble {
            shared,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A gateway restart: every session and operation is forgotten, with
    /// the in-memory catalogs; jobs, which live on the cluster, and the
    /// objects of persistent catalogs, which live in their stores, are kept;
    /// the port stays.
    pub fn restart(&self) {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .sessions
            .clear();
    }

    /// The gateway behind the port now answers with `options` (another
    /// Flink version, say), keeping its sessions; a replacement by a new
    /// process is this and a [`FlinkDouble::restart`].
    pub fn replace_with(&self, options: DoubleOptions) {
        *self
            .shared
            .options
            .write()
            .unwrap_or_else(|p| p.into_inner()) = options;
    }

    /// Expires every session, as if each had idled past the timeout.
    pub fn expire_sessions(&self) {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        let handles: Vec<String> = state.sessions.keys().cloned().collect();
        for handle in handles {
            state.close_session(&handle);
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every statement received, from execute and configure-session, in order.
    pub fn statements(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter_map(|r| {
                serde_json::from_str::<serde_json::Value>(&r.body)
                    .ok()?
                    .get("statement")?
                    .as_str()
                    .map(str::to_string)
            })
            .collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Fetches answered `NOT_READY` because their operation waited
    /// (PENDING) behind an earlier one of its session.
    pub fn pending_fetches(&self) -> usize {
        self.shared
            .pending_fetches
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Sessions open and not expired.
    pub fn live_sessions(&self) -> usize {
        self.shared.lock().sessions.len()
    }

    /// Operations not yet closed (explicitly or with their session).
    pub fn open_operations(&self) -> usize {
        self.shared
            .lock()
            .sessions
            .values()
            .map(|s| s.operations.len())
            .sum()
    }

    /// The effective configuration of a live session.
    pub fn session_properties(&self, session_handle: &str) -> Option<BTreeMap<String, String>> {
        self.shared
            .lock()
            .sessions
            .get(session_handle)
            .map(|s| s.context.config.clone())
    }

    /// Jobs started by INSERTs, statement sets and queries, oldest first,
    /// with their status: `RUNNING`, `CANCELED` or `FINISHED`.
    pub fn jobs(&self) -> Vec<(String, String)> {
        let state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .jobs
            .iter()
            .map(|j| (j.id.clone(), j.status().to_string()))
            .collect()
    }
}

impl Drop for FlinkDouble {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: accepts until `stopped`, expiring idle sessions every 100 ms.
fn serve(
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
    stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the double's runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        let checker = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                drop(checker.lock());
            }
        });
        // Flink accepts bodies up to `rest.server.max-content-length` (100 MiB);
        // axum's default limit would answer a bigger statement with a non-JSON 413.
        let app = axum::Router::new()
            .fallback(answer)
            .layer(axum::extract::DefaultBodyLimit::max(100 * 1024 * 1024))
            .with_state(shared);
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            _ = stopped => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// The one axum handler: records the request and lets `rest` answer it.
async fn answer(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    shared
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(RecordedRequest {
            method: method.to_string(),
            path: uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_else(|| uri.path().to_string()),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    let reply = rest::handle(
        &shared,
        &rest::Request {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query(),
            body: &body,
        },
    );
    let body = if breaks_fetch(&shared, &method, uri.path(), &reply) {
        // Half the page, then the connection fails.
        let half = Bytes::from(reply.body[..reply.body.len() / 2].to_string());
        Body::from_stream(futures::stream::iter([
            Ok(half),
            Err(std::io::Error::other("the double breaks this fetch")),
        ]))
    } else {
        Body::from(reply.body)
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Whether `reply` answers the fetch [`DoubleOptions::break_fetch`] breaks
/// (once): its token, answered with a `PAYLOAD`.
fn breaks_fetch(shared: &Shared, method: &Method, path: &str, reply: &rest::Reply) -> bool {
    let Some(token) = shared.options().break_fetch else {
        return false;
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let fetched = matches!(segments.as_slice(), [.., "result", t] if t.parse() == Ok(token));
    *method == Method::GET
        && fetched
        && reply.status == 200
        && reply.body.starts_with(r#"{"resultType":"PAYLOAD""#)
        && !shared
            .broke_fetch
            .swap(true, std::sync::atomic::Ordering::SeqCst)
}
