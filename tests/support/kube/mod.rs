//! A Kubernetes API server double for the Flink Kubernetes Operator's
//! custom resources, with a simulated operator moving their status: what
//! scaleph's Kubernetes client is tested against, since no API server can
//! run on the test machines. What it enforces and what it does not, with
//! sources, is `docs/kubernetes-double.md`; the operator's contract is
//! `docs/flink-kubernetes-operator.md`.
//!
//! # Layout
//!
//! * `resources`: the kinds served — the three CRDs of one operator release
//!   (`crds/<release>/*.json`, picked by [`CrdVersion`]) and ConfigMap,
//!   Event, Secret.
//! * `schema`, `meta`: what a write must look like (structural schema,
//!   ObjectMeta), with the API server's wording of each refusal.
//! * `store`: objects, resourceVersions and the history watches read.
//! * `registry`: what happens on each write (status subresource,
//!   `generation`, finalizers, managed fields); `patch`: merge, JSON and
//!   server-side apply patches.
//! * `api`, `watch`: the HTTP surface; `selector`: label and field selectors.
//! * `operator`: the simulated Flink Kubernetes Operator.
//!
//! A double runs its own tokio runtime on an OS thread (like
//! `support::flink_gateway`), so sync and async tests use it alike; it
//! stops when dropped.

mod api;
mod errors;
mod meta;
mod operator;
mod patch;
mod registry;
mod resources;
mod schema;
mod selector;
mod store;
mod watch;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::Value as Json;

pub use operator::{FetchedJar, Submission};
pub use registry::FieldValidation;
pub use resources::{Catalog, CrdVersion};
pub use schema::Schema;

/// How a double behaves; `KubeOptions::new` gives the defaults noted.
#[derive(Clone, Debug)]
pub struct KubeOptions {
    /// Which operator release's CRDs are served and validated against.
    pub crds: CrdVersion,
    /// Whether the operator simulator runs. Default `true`.
    pub operator: bool,
    /// The simulator's pace: one reconcile step per resource this often
    /// (the real operator reacts within a second). Default 50 ms.
    pub reconcile_delay: Duration,
    /// How long the simulator waits before retrying a failed reconcile
    /// (JOSDK's retry; a failed jar download, say). Default 500 ms.
    pub retry_interval: Duration,
    /// The field validation of a write that names none. A real server's
    /// default is `Warn` (drop unknown fields, answer a `Warning` header);
    /// the double's is `Strict`, so a client that sends a field the CRD
    /// does not know fails its test instead of losing the field silently.
    pub field_validation: FieldValidation,
    /// How many changes the store keeps for watches and consistent lists;
    /// older resourceVersions are `410 Expired`. Default 10 000.
    pub history_window: usize,
    /// The interval of BOOKMARK events on watches that allow them.
    /// Default 1 s (a real server's is about a minute).
    pub bookmark_interval: Duration,
    /// The operator's `kubernetes.operator.user.artifacts.allowed-schemes`
    /// (operator-level, not per CR). Default `["https"]`, as in 1.15.0 and main.
    pub allowed_schemes: Vec<String>,
    /// The operator's `kubernetes.operator.user.artifacts.disallow-restricted-hosts`.
    /// Default `true`: a jarURI on a loopback, link-local or private address
    /// is refused.
    pub disallow_restricted_hosts: bool,
    /// The operator's `kubernetes.operator.snapshot.resource.enabled`
    /// (a CR may turn it off in its `flinkConfiguration`). Default `true`:
    /// savepoints are FlinkStateSnapshot resources, not `savepointInfo`.
    pub snapshot_resources: bool,
    /// A CA certificate (PEM) the operator trusts besides the machine's:
    /// what adding scaleph's CA to the operator's JVM truststore does, so
    /// it fetches jars from an `https` URL whose certificate that CA
    /// signed. Default `None`: the machine's roots only.
    pub trusted_ca_pem: Option<Vec<u8>>,
}

impl KubeOptions {
    /// The defaults, serving `crds`.
    pub fn new(crds: CrdVersion) -> KubeOptions {
        KubeOptions {
            crds,
            operator: true,
            reconcile_delay: Duration::from_millis(50),
            retry_interval: Duration::from_millis(500),
            field_validation: FieldValidation::Strict,
            history_window: 10_000,
            bookmark_interval: Duration::from_secs(1),
            allowed_schemes: vec!["https".to_string()],
            disallow_restricted_hosts: true,
            snapshot_resources: true,
            trusted_ca_pem: None,
        }
    }
}

/// One request the double received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The Kubernetes verb: `get`, `list`, `watch`, `create`, `update`,
    /// `patch`, `delete`, `deletecollection` (discovery is `get`;
    /// a path nothing serves is `unknown`).
    pub verb: String,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string (empty if none).
    pub query: String,
}

/// What the server tasks, the simulator and the test thread share.
struct Shared {
    catalog: &'static Catalog,
    options: KubeOptions,
    addr: SocketAddr,
    store: Mutex<store::Store>,
    /// The store's resourceVersion, announced on every change (watches wait on it).
    changes: tokio::sync::watch::Receiver<u64>,
    requests: Mutex<Vec<RecordedRequest>>,
    operator: Mutex<operator::Simulator>,
    /// Every request is answered 403 (`KubeDouble::forbid`).
    forbidden: AtomicBool,
}

impl Shared {
    fn store(&self) -> MutexGuard<'_, store::Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn operator(&self) -> MutexGuard<'_, operator::Simulator> {
        self.operator.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running double. Dropping it stops the server and the simulator.
pub struct KubeDouble {
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl KubeDouble {
    /// A double serving `crds`, with the default options.
    pub fn start(crds: CrdVersion) -> KubeDouble {
        KubeDouble::start_with(KubeOptions::new(crds))
    }

    /// A double on a free port of 127.0.0.1.
    pub fn start_with(options: KubeOptions) -> KubeDouble {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let (sender, changes) = tokio::sync::watch::channel(0);
        let shared = Arc::new(Shared {
            catalog: Catalog::of(options.crds),
            store: Mutex::new(store::Store::new(options.history_window, sender)),
            options,
            addr,
            changes,
            requests: Mutex::new(Vec::new()),
            operator: Mutex::new(operator::Simulator::default()),
            forbidden: AtomicBool::new(false),
        });
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kube-double".into())
            .spawn(move || serve(server, listener, stopped))
            .expect("spawn the double's thread");
        KubeDouble {
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The CRD release served.
    pub fn crds(&self) -> CrdVersion {
        self.shared.options.crds
    }

    /// Every request received so far, in order (the simulator's own reads
    /// and writes are not requests).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many requests had this verb and exactly this path.
    pub fn count(&self, verb: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.verb == verb && r.path == path)
            .count()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Drops the store's whole change history, as an etcd compaction: a
    /// watch or exact list from any earlier resourceVersion is then `410`.
    pub fn compact(&self) {
        self.shared.store().compact();
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store().rv()
    }

    /// An object as stored (`plural` of the CRD group or core), read
    /// without a request.
    pub fn object(&self, plural: &str, namespace: &str, name: &str) -> Option<Json> {
        let rt = self
            .shared
            .catalog
            .types
            .iter()
            .find(|t| t.plural == plural)?;
        registry::get(&self.shared.store(), rt, namespace, name).ok()
    }

    /// The objects of a kind in a namespace, read without a request.
    pub fn objects(&self, plural: &str, namespace: &str) -> Vec<Json> {
        let Some(rt) = self
            .shared
            .catalog
            .types
            .iter()
            .find(|t| t.plural == plural)
        else {
            return Vec::new();
        };
        registry::list(&self.shared.store(), rt, Some(namespace))
    }

    /// The Flink job of the FlinkDeployment or FlinkSessionJob `name` (any
    /// namespace) finishes on its own `after` it was first seen RUNNING: a
    /// bounded job (docs/flink-kubernetes-operator.md §8).
    pub fn finish_after(&self, name: &str, after: Duration) {
        self.shared
            .operator()
            .fates
            .insert(name.to_string(), operator::Fate::Finish(after));
    }

    /// The Flink job of `name` fails `after` it was first seen RUNNING,
    /// its root cause `cause` (`java.lang.RuntimeException: boom`).
    pub fn fail_after(&self, name: &str, after: Duration, cause: &str) {
        self.shared.operator().fates.insert(
            name.to_string(),
            operator::Fate::Fail(after, cause.to_string()),
        );
    }

    /// From now on every request is answered `403 Forbidden` (or, with
    /// `false`, again as usual), as a real server answers a user RBAC
    /// grants nothing: the user is `system:anonymous` without a bearer
    /// token, `system:serviceaccount:default:scaleph` with one. The
    /// simulator is not a client, so it goes on.
    pub fn forbid(&self, forbidden: bool) {
        self.shared.forbidden.store(forbidden, Ordering::SeqCst);
    }

    /// Pauses (or resumes) the simulator: nothing moves while paused.
    pub fn pause_operator(&self, paused: bool) {
        self.shared.operator().paused = paused;
    }

    /// The jars the simulator downloaded for FlinkSessionJobs, in order.
    pub fn fetched_jars(&self) -> Vec<FetchedJar> {
        self.shared.operator().fetched.clone()
    }

    /// The jobs the simulator started for `name`, oldest first, with the
    /// savepoint each was restored from.
    pub fn submissions(&self, name: &str) -> Vec<Submission> {
        self.shared
            .operator()
            .submissions
            .iter()
            .filter(|s| s.name == name)
            .cloned()
            .collect()
    }

    /// Writes of the simulator the API refused (a status the CRD schema
    /// does not allow, say): a bug of the double, which tests assert empty.
    pub fn operator_errors(&self) -> Vec<String> {
        self.shared.operator().errors.clone()
    }
}

impl Drop for KubeDouble {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: serves until `stopped`, the simulator beside it.
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
        if shared.options.operator {
            tokio::spawn(operator::run(shared.clone()));
        }
        let app = axum::Router::new()
            .fallback(answer)
            .layer(axum::extract::DefaultBodyLimit::max(3 * 1024 * 1024))
            .with_state(shared);
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            _ = stopped => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// The one axum handler: records the request and lets `api` answer it.
async fn answer(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let content_type = header_text(header::CONTENT_TYPE)
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let request = api::Request {
        method: method.as_str(),
        path: uri.path(),
        query: api::parse_query(uri.query()),
        content_type,
        user_agent: header_text(header::USER_AGENT),
        body: &body,
    };
    let verb = api::classify(&shared, &request);
    shared
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(RecordedRequest {
            verb: verb.to_string(),
            method: method.to_string(),
            path: uri.path().to_string(),
            query: uri.query().unwrap_or_default().to_string(),
        });
    let reply = if shared.forbidden.load(Ordering::SeqCst) {
        let user = if headers.contains_key(header::AUTHORIZATION) {
            "system:serviceaccount:default:scaleph"
        } else {
            "system:anonymous"
        };
        api::forbidden(&shared, &request, user)
    } else {
        api::handle(&shared, &request)
    };
    let (status, body, warnings) = match reply {
        api::Reply::Json {
            status,
            body,
            warnings,
        } => (status, Body::from(body.to_string()), warnings),
        api::Reply::Watch(watch) => (200, watch::stream(shared.clone(), watch), Vec::new()),
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for warning in warnings {
        let text = format!("299 - {}", Json::String(warning));
        if let Ok(value) = HeaderValue::from_str(&text) {
            headers.append(header::WARNING, value);
        }
    }
    response
}
