//! A simulated Flink Kubernetes Operator (`docs/flink-kubernetes-operator.md`,
//! read from `release-1.15.0`'s controllers, reconcilers and observers):
//! it reconciles FlinkDeployments, FlinkSessionJobs and FlinkStateSnapshots
//! one step per resource every `KubeOptions::reconcile_delay`, writing
//! finalizers, statuses, Events and snapshot resources through the same
//! registry as API clients (so the CRD schema holds it too, and watches
//! see every write), and keeps a simulated Flink side: session and
//! application clusters' jobs, their savepoints, the jars it downloaded.
//!
//! Its steps follow the real ones in order and wording — status fields,
//! lifecycle states, events' reasons and messages, error JSON — but a step
//! here is a tick, not a JOSDK event: timing is the simulator's.

mod artifact;
mod deployment;
mod job;
mod session_job;
mod snapshot;
mod status;
mod validation;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value as Json, json};
use tokio::time::Instant;

use super::Shared;
use super::patch::Scope;
use super::registry::{self, FieldValidation, WriteOptions};
use super::resources::{Catalog, ResourceType};
use super::store::Store;
use super::{KubeOptions, meta};

/// What a test decided a job does once running (`KubeDouble::finish_after`, `fail_after`).
#[derive(Clone, Debug)]
pub enum Fate {
    /// Finishes on its own after this long (a bounded job).
    Finish(Duration),
    /// Fails after this long with this root cause.
    Fail(Duration, String),
}

/// A jar the simulator downloaded for a FlinkSessionJob.
#[derive(Clone, Debug)]
pub struct FetchedJar {
    /// The FlinkSessionJob's name.
    pub session_job: String,
    /// Its `jarURI`.
    pub uri: String,
    /// The request headers sent (`kubernetes.operator.user.artifacts.http.header`).
    pub headers: Vec<(String, String)>,
    /// The bytes received.
    pub bytes: Vec<u8>,
}

/// A Flink job the simulator started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The FlinkDeployment or FlinkSessionJob.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// The Flink JobID (32 hex digits).
    pub job_id: String,
    /// The savepoint it was restored from (`execution.savepoint.path`).
    pub savepoint: Option<String>,
}

/// A job on a simulated Flink cluster.
#[derive(Clone, Debug)]
struct FlinkJob {
    /// The owning resource's name.
    name: String,
    /// Flink's job status.
    state: &'static str,
    /// Epoch milliseconds of the submission (`jobStatus.startTime`).
    start_time: i64,
    /// When it was seen RUNNING.
    running_since: Option<Instant>,
    /// The root cause of a FAILED job.
    failure: Option<String>,
}

/// A jar download in flight or done.
#[derive(Clone, Debug)]
enum Fetch {
    Pending,
    Done(Result<Vec<u8>, (String, String)>),
}

/// What the simulator remembers about one resource (by uid).
#[derive(Clone, Debug, Default)]
struct Memory {
    fetch: Option<Fetch>,
    retry_at: Option<Instant>,
}

/// The simulator's state, shared with the knobs of `KubeDouble`.
#[derive(Default)]
pub struct Simulator {
    /// Job fates by resource name.
    pub fates: BTreeMap<String, Fate>,
    /// Nothing moves while set.
    pub paused: bool,
    /// Downloaded jars, in order.
    pub fetched: Vec<FetchedJar>,
    /// Started jobs, in order.
    pub submissions: Vec<Submission>,
    /// Writes the API refused.
    pub errors: Vec<String>,
    jobs: BTreeMap<String, FlinkJob>,
    memory: BTreeMap<String, Memory>,
}

/// A download to start once the locks are released.
struct FetchJob {
    uid: String,
    session_job: String,
    uri: String,
    headers: Vec<(String, String)>,
}

/// The simulator loop: a tick every `reconcile_delay` until the runtime stops.
pub async fn run(shared: Arc<Shared>) {
    let mut tick =
        tokio::time::interval(shared.options.reconcile_delay.max(Duration::from_millis(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for job in step_all(&shared) {
            let shared = shared.clone();
            tokio::spawn(async move {
                let trusted = shared.options.trusted_ca_pem.as_deref();
                let result = artifact::fetch(&job.uri, &job.headers, trusted).await;
                let mut sim = shared.operator();
                if let Ok(bytes) = &result {
                    sim.fetched.push(FetchedJar {
                        session_job: job.session_job.clone(),
                        uri: job.uri.clone(),
                        headers: job.headers.clone(),
                        bytes: bytes.clone(),
                    });
                }
                sim.memory.entry(job.uid).or_default().fetch = Some(Fetch::Done(result));
            });
        }
    }
}

/// One step for every Flink resource; returns the downloads to start.
fn step_all(shared: &Shared) -> Vec<FetchJob> {
    let mut sim = shared.operator();
    if sim.paused {
        return Vec::new();
    }
    let mut store = shared.store();
    let mut ctx = Ctx {
        store: &mut store,
        sim: &mut sim,
        catalog: shared.catalog,
        options: &shared.options,
        fetches: Vec::new(),
        now: Instant::now(),
    };
    let mut seen = Vec::new();
    for kind in ["FlinkDeployment", "FlinkSessionJob", "FlinkStateSnapshot"] {
        let rt = ctx.rt(kind);
        for object in registry::list(ctx.store, rt, None) {
            seen.push(
                object["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
            match kind {
                "FlinkDeployment" => deployment::step(&mut ctx, object),
                "FlinkSessionJob" => session_job::step(&mut ctx, object),
                _ => snapshot::step(&mut ctx, object),
            }
        }
    }
    ctx.sim.memory.retain(|uid, _| seen.contains(uid));
    ctx.fetches
}

/// What a step works with.
struct Ctx<'a> {
    store: &'a mut Store,
    sim: &'a mut Simulator,
    catalog: &'static Catalog,
    options: &'a KubeOptions,
    fetches: Vec<FetchJob>,
    now: Instant,
}

/// The operator's writes come from the Fabric8 client.
const MANAGER: &str = "fabric8-kubernetes-client";

fn name_of(object: &Json) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

fn namespace_of(object: &Json) -> &str {
    object["metadata"]["namespace"].as_str().unwrap_or_default()
}

fn uid_of(object: &Json) -> String {
    object["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

impl Ctx<'_> {
    fn rt(&self, kind: &str) -> &'static ResourceType {
        self.catalog
            .kind(kind)
            .unwrap_or_else(|| panic!("the catalog has no {kind}"))
    }

    fn write_options() -> WriteOptions {
        WriteOptions {
            validation: FieldValidation::Strict,
            manager: MANAGER.to_string(),
            dry_run: false,
        }
    }

    fn memory(&mut self, object: &Json) -> &mut Memory {
        self.sim.memory.entry(uid_of(object)).or_default()
    }

    /// Replaces the status of `object` (a PUT of `/status` carrying its
    /// resourceVersion), the lifecycle state recomputed as the operator's
    /// getter does on serialization; returns the object as stored.
    fn put_status(&mut self, object: &Json, mut status: Json) -> Option<Json> {
        let rt = self.rt(object["kind"].as_str().unwrap_or_default());
        if rt.kind != "FlinkStateSnapshot" {
            let state = status::lifecycle(&status, rt.kind == "FlinkDeployment");
            status["lifecycleState"] = json!(state);
        }
        let mut body = object.clone();
        body["status"] = status;
        self.write(rt, object, body, Scope::Status)
    }

    /// Replaces the main resource (finalizers, labels).
    fn put_object(&mut self, object: &Json, body: Json) -> Option<Json> {
        let rt = self.rt(object["kind"].as_str().unwrap_or_default());
        self.write(rt, object, body, Scope::Main(rt.status_subresource))
    }

    fn write(
        &mut self,
        rt: &ResourceType,
        object: &Json,
        body: Json,
        scope: Scope,
    ) -> Option<Json> {
        let result = registry::update(
            self.store,
            rt,
            namespace_of(object),
            name_of(object),
            body,
            scope,
            &Self::write_options(),
        );
        match result {
            Ok(written) => Some(written.object),
            Err(e) => {
                self.sim.errors.push(format!(
                    "{} {}: {} {}",
                    rt.kind,
                    name_of(object),
                    e.code,
                    e.message
                ));
                None
            }
        }
    }

    /// Creates an object (a FlinkStateSnapshot).
    fn create(&mut self, kind: &str, namespace: &str, body: Json) -> Option<Json> {
        let rt = self.rt(kind);
        let result = registry::decode(rt, body, FieldValidation::Strict, registry::Verb::Write)
            .and_then(|(body, _)| {
                registry::create(
                    self.store,
                    rt,
                    namespace,
                    body,
                    &Self::write_options(),
                    None,
                )
            });
        match result {
            Ok(written) => Some(written.object),
            Err(e) => {
                self.sim
                    .errors
                    .push(format!("create {kind}: {} {}", e.code, e.message));
                None
            }
        }
    }

    /// Records an Event about `target` as `EventUtils` does: named
    /// `<component>.<hash>` after its reason, message (or `key`), type and
    /// target; an existing one is counted up (`triggerEvent`), unless `once`
    /// (`triggerEventOnce`), which leaves it.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        target: &Json,
        type_: &str,
        reason: &str,
        component: &str,
        message: &str,
        key: Option<&str>,
        once: bool,
    ) {
        let rt = self.rt("Event");
        let namespace = namespace_of(target).to_string();
        let hashed = format!(
            "{reason}{}{type_}{}{}{}",
            key.unwrap_or(message),
            target["kind"].as_str().unwrap_or_default(),
            name_of(target),
            target["metadata"]["uid"].as_str().unwrap_or_default()
        );
        let name = format!("{component}.{}", java_hash(&hashed) & 0x7FFF_FFFF);
        let now = meta::now();
        let existing = registry::get(self.store, rt, &namespace, &name).ok();
        let result = match existing {
            Some(_) if once => return,
            Some(mut event) => {
                event["lastTimestamp"] = json!(now);
                event["count"] = json!(event["count"].as_i64().unwrap_or(1) + 1);
                event["message"] = json!(message);
                registry::update(
                    self.store,
                    rt,
                    &namespace,
                    &name,
                    event,
                    Scope::Main(false),
                    &Self::write_options(),
                )
            }
            None => {
                let event = json!({
                    "apiVersion": "v1",
                    "kind": "Event",
                    "metadata": {"name": name, "namespace": namespace},
                    "involvedObject": {
                        "apiVersion": target["apiVersion"],
                        "kind": target["kind"],
                        "name": target["metadata"]["name"],
                        "namespace": target["metadata"]["namespace"],
                        "resourceVersion": target["metadata"]["resourceVersion"],
                        "uid": target["metadata"]["uid"],
                    },
                    "type": type_,
                    "reason": reason,
                    "firstTimestamp": now,
                    "lastTimestamp": now,
                    "source": {"component": component},
                    "count": 1,
                    "message": message,
                });
                registry::create(
                    self.store,
                    rt,
                    &namespace,
                    event,
                    &Self::write_options(),
                    None,
                )
            }
        };
        if let Err(e) = result {
            self.sim
                .errors
                .push(format!("event {name}: {} {}", e.code, e.message));
        }
    }

    /// Adds the JOSDK finalizer if missing; returns the object if it wrote.
    fn ensure_finalizer(&mut self, object: &Json) -> Option<Json> {
        let plural = &self.rt(object["kind"].as_str().unwrap_or_default()).plural;
        let finalizer = status::finalizer(plural);
        let finalizers = object["metadata"]["finalizers"].as_array();
        if finalizers.is_some_and(|f| f.iter().any(|v| v == &json!(finalizer))) {
            return None;
        }
        let mut body = object.clone();
        let mut list = finalizers.cloned().unwrap_or_default();
        list.push(json!(finalizer));
        body["metadata"]["finalizers"] = json!(list);
        self.put_object(object, body)
    }

    /// Removes the JOSDK finalizer (the object goes if it was the last).
    fn remove_finalizer(&mut self, object: &Json) {
        let plural = &self.rt(object["kind"].as_str().unwrap_or_default()).plural;
        let finalizer = json!(status::finalizer(plural));
        let mut body = object.clone();
        if let Some(list) = body["metadata"]["finalizers"].as_array_mut() {
            list.retain(|f| *f != finalizer);
        }
        self.put_object(object, body);
    }

    /// Whether the JOSDK finalizer is on the object.
    fn has_finalizer(&self, object: &Json) -> bool {
        let plural = &self.rt(object["kind"].as_str().unwrap_or_default()).plural;
        let finalizer = json!(status::finalizer(plural));
        object["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| f.contains(&finalizer))
    }

    /// The job fate a test set for `name`.
    fn fate(&self, name: &str) -> Option<Fate> {
        self.sim.fates.get(name).cloned()
    }
}

/// Java's `String#hashCode` (over UTF-16 code units), for Event names.
fn java_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}
