//! scaleph's Kubernetes client, for the Flink Kubernetes Operator's
//! resources (`docs/flink-kubernetes-operator.md`): create, read, merge
//! patch and delete FlinkDeployments, FlinkSessionJobs,
//! FlinkStateSnapshots and ConfigMaps in one namespace, wait for the
//! operator to move them, watch them, and read the Events it writes.
//!
//! Jobs on Kubernetes are run by the operator, not by scaleph: scaleph
//! writes a spec and the operator reconciles it, writing `status` back.
//! So the client is a thin, typed-error layer over kube-rs that moves
//! whole objects as `serde_json::Value` — the specs are built with
//! [`crd`]'s structs, and a status is read with [`crd::status`] — and
//! the interesting part is waiting: [`Kube::wait_for`] and [`Kube::watch`]
//! ride kube-rs's watcher (a list, then a watch resumed from the last
//! resourceVersion, re-listing on 410 Gone), so a job that takes ten
//! minutes to deploy costs a handful of requests rather than a poll a
//! second.
//!
//! Writes ask the API server for strict field validation: a field the
//! installed CRD release does not know (main's `jobManager.resources` on
//! a 1.15 operator, §0) is refused with the field's name (22023) instead
//! of being dropped silently, which a real server does by default.
//!
//! Every error names its owner (`cluster "k8s": ...`) and what was asked;
//! how each failure maps to a SQLSTATE is [`errors`]'s concern, where the
//! API server is and who scaleph is to it is [`KubeTarget`]'s.

pub mod crd;
mod errors;
mod target;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, Resource as _};
use serde_json::Value;

use crate::error::{Error, Result, SqlState};
use errors::{Op, Origin};

pub use errors::operator_error;
pub use target::KubeTarget;
pub use watch::Change;

/// The field manager scaleph's writes are recorded under (`metadata.managedFields`).
const FIELD_MANAGER: &str = "scaleph";

/// The resources scaleph manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A Flink cluster: a session cluster, or an application cluster with its job.
    FlinkDeployment,
    /// A job on a session cluster.
    FlinkSessionJob,
    /// A savepoint or checkpoint of a job.
    FlinkStateSnapshot,
    /// A core ConfigMap (a SQL script mounted into the JobManager).
    ConfigMap,
}

impl Kind {
    /// The resource's plural name (`flinkdeployments`), as in its URL.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::FlinkDeployment => "flinkdeployments",
            Kind::FlinkSessionJob => "flinksessionjobs",
            Kind::FlinkStateSnapshot => "flinkstatesnapshots",
            Kind::ConfigMap => "configmaps",
        }
    }

    /// `apiVersion` of the objects: `flink.apache.org/v1beta1` or `v1`.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::ConfigMap => "v1",
            _ => "flink.apache.org/v1beta1",
        }
    }

    /// `kind` of the objects (`FlinkDeployment`).
    pub fn kind(self) -> &'static str {
        match self {
            Kind::FlinkDeployment => "FlinkDeployment",
            Kind::FlinkSessionJob => "FlinkSessionJob",
            Kind::FlinkStateSnapshot => "FlinkStateSnapshot",
            Kind::ConfigMap => "ConfigMap",
        }
    }

    /// The resource as RBAC and error messages name it
    /// (`flinkdeployments.flink.apache.org`, `configmaps`).
    fn resource(self) -> &'static str {
        match self {
            Kind::FlinkDeployment => "flinkdeployments.flink.apache.org",
            Kind::FlinkSessionJob => "flinksessionjobs.flink.apache.org",
            Kind::FlinkStateSnapshot => "flinkstatesnapshots.flink.apache.org",
            Kind::ConfigMap => "configmaps",
        }
    }

    /// kube-rs's description of the resource, for a dynamic `Api`.
    fn api_resource(self) -> ApiResource {
        let (group, version) = match self.api_version().split_once('/') {
            Some((group, version)) => (group, version),
            None => ("", self.api_version()),
        };
        ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            plural: self.plural().to_string(),
        }
    }
}

/// One Event about an object, as the operator (or Kubernetes) wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeEvent {
    /// `Normal` or `Warning`.
    pub event_type: String,
    /// `ValidationError`, `SpecChanged`, `Submit`…
    pub reason: String,
    /// What happened, in words.
    pub message: String,
    /// `lastTimestamp`, else `eventTime`, as the server wrote it.
    pub at: Option<String>,
}

/// A client of one API server, bound to one namespace. Cheap to clone:
/// clones share the connection pool.
#[derive(Clone)]
pub struct Kube {
    client: kube::Client,
    origin: Arc<Origin>,
    request_timeout: Duration,
}

impl std::fmt::Debug for Kube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kube")
            .field("owner", &self.origin.owner)
            .field("server", &self.origin.server)
            .field("namespace", &self.origin.namespace)
            .finish()
    }
}

impl Kube {
    /// Connects to the API server `target` describes and checks, by
    /// listing FlinkDeployments (one at most), that it answers, takes the
    /// credentials, lets them list in the namespace and serves the
    /// operator's CRDs. `owner` names who asks in every error
    /// (`cluster "k8s"`).
    ///
    /// An API server that cannot be reached is 08001; credentials it
    /// refuses or a role that may not list are 28000; a URL, kubeconfig
    /// or context that cannot be used is 22023; CRDs not installed, 42704.
    pub async fn connect(target: &KubeTarget, owner: &str) -> Result<Kube> {
        // kube-rs's rustls configuration takes the process's provider;
        // scaleph's is ring (as the Flink clients install it).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let resolved = target.resolve(owner).await?;
        let server = resolved
            .config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let origin = Origin {
            owner: owner.to_string(),
            server,
            namespace: target.namespace.clone(),
            identity: resolved.identity,
        };
        let client = kube::Client::try_from(resolved.config).map_err(|e| {
            Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "{owner}: cannot configure the Kubernetes client for {}: {}",
                    origin.server,
                    errors::innermost(&e)
                ),
            )
            .with_source(e)
        })?;
        let kube = Kube {
            client,
            origin: Arc::new(origin),
            request_timeout: target.request_timeout,
        };
        let api = kube.api(Kind::FlinkDeployment);
        let probe = ListParams::default().limit(1);
        kube.call(
            kube.op(Kind::FlinkDeployment, "list", None),
            api.list(&probe),
        )
        .await?;
        Ok(kube)
    }

    /// The namespace every call is in.
    pub fn namespace(&self) -> &str {
        &self.origin.namespace
    }

    /// The object `name`, or `None` if there is none.
    pub async fn get(&self, kind: Kind, name: &str) -> Result<Option<Value>> {
        let found = self
            .call(
                self.op(kind, "get", Some(name)),
                self.api(kind).get_opt(name),
            )
            .await?;
        Ok(found.map(|o| object_value(o, kind)))
    }

    /// The objects matching `label_selector` (`""`: all of them).
    pub async fn list(&self, kind: Kind, label_selector: &str) -> Result<Vec<Value>> {
        let mut params = ListParams::default();
        if !label_selector.is_empty() {
            params = params.labels(label_selector);
        }
        let list = self
            .call(self.op(kind, "list", None), self.api(kind).list(&params))
            .await?;
        Ok(list
            .items
            .into_iter()
            .map(|o| object_value(o, kind))
            .collect())
    }

    /// Creates `object` (its `apiVersion` and `kind` are filled in when
    /// missing) and returns it as stored. 42710 when it exists; a spec the
    /// CRD refuses is 22023 naming the fields at fault.
    pub async fn create(&self, kind: Kind, mut object: Value) -> Result<Value> {
        let Some(fields) = object.as_object_mut() else {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "{}: a {} must be a JSON object",
                    self.origin.owner,
                    kind.kind()
                ),
            ));
        };
        fields
            .entry("apiVersion")
            .or_insert_with(|| Value::from(kind.api_version()));
        fields
            .entry("kind")
            .or_insert_with(|| Value::from(kind.kind()));
        let name = object["metadata"]["name"]
            .as_str()
            .or(object["metadata"]["generateName"].as_str())
            .unwrap_or_default()
            .to_string();
        let op = self.op(kind, "create", Some(&name));
        let request = async {
            let url = DynamicObject::url_path(&kind.api_resource(), Some(self.namespace()));
            let params = PostParams {
                field_manager: Some(FIELD_MANAGER.to_string()),
                ..PostParams::default()
            };
            let body = serde_json::to_vec(&object).map_err(kube::Error::SerdeError)?;
            let mut request = kube::core::Request::new(url)
                .create(&params, body)
                .map_err(kube::Error::BuildRequest)?;
            // kube-rs's PostParams cannot ask for strict validation; the
            // query parameter is added by hand.
            let strict = format!("{}&fieldValidation=Strict", request.uri());
            *request.uri_mut() = strict
                .parse()
                .map_err(|e: http::uri::InvalidUri| kube::Error::HttpError(e.into()))?;
            request.extensions_mut().insert("create");
            self.client.request::<DynamicObject>(request).await
        };
        Ok(object_value(self.call(op, request).await?, kind))
    }

    /// Applies `patch` as a JSON merge patch to the main resource (never
    /// `/status`: the operator owns it) and returns the object as stored.
    /// 42704 when it is gone.
    pub async fn merge_patch(&self, kind: Kind, name: &str, patch: Value) -> Result<Value> {
        let params = PatchParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PatchParams::default()
        }
        .validation_strict();
        let patched = self
            .call(
                self.op(kind, "patch", Some(name)),
                self.api(kind).patch(name, &params, &Patch::Merge(&patch)),
            )
            .await?;
        Ok(object_value(patched, kind))
    }

    /// Deletes the object; `false` when it was not there. Returns as soon
    /// as the API server has the request: an object with finalizers (the
    /// operator's) stays, marked for deletion, until the operator has
    /// cleaned up — [`Kube::wait_for`] its `None` to know it is gone.
    pub async fn delete(&self, kind: Kind, name: &str) -> Result<bool> {
        let api = self.api(kind);
        let request = async {
            match api.delete(name, &DeleteParams::default()).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
                Err(e) => Err(e),
            }
        };
        self.call(self.op(kind, "delete", Some(name)), request)
            .await
    }

    /// The Events whose `involvedObject.name` is `name`, oldest first.
    pub async fn events(&self, name: &str) -> Result<Vec<KubeEvent>> {
        let resource = ApiResource {
            group: String::new(),
            version: "v1".to_string(),
            api_version: "v1".to_string(),
            kind: "Event".to_string(),
            plural: "events".to_string(),
        };
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), self.namespace(), &resource);
        let params = ListParams::default().fields(&format!("involvedObject.name={name}"));
        let op = Op {
            verb: "list",
            kind: "Event",
            resource: "events",
            name: None,
        };
        let list = self.call(op, api.list(&params)).await?;
        let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
        let mut events: Vec<KubeEvent> = list
            .items
            .into_iter()
            .map(|e| {
                let e = e.data;
                let at = [&e["lastTimestamp"], &e["eventTime"]]
                    .into_iter()
                    .find_map(|t| t.as_str().filter(|t| !t.is_empty()))
                    .map(str::to_string);
                KubeEvent {
                    event_type: text(&e, "type"),
                    reason: text(&e, "reason"),
                    message: text(&e, "message"),
                    at,
                }
            })
            .collect();
        // Times are RFC 3339 with or without fractions; compared as
        // instants, and an Event without one first (the list's order).
        events.sort_by_key(|e| {
            e.at.as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        });
        Ok(events)
    }

    /// A dynamic `Api` of `kind` in the namespace.
    fn api(&self, kind: Kind) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), self.namespace(), &kind.api_resource())
    }

    /// What a call on `kind` does, for its errors.
    fn op<'a>(&self, kind: Kind, verb: &'static str, name: Option<&'a str>) -> Op<'a> {
        Op {
            verb,
            kind: kind.kind(),
            resource: kind.resource(),
            name,
        }
    }

    /// Runs one request within the request timeout, mapping its failure.
    async fn call<T>(
        &self,
        op: Op<'_>,
        request: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.request_timeout, request).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(self.origin.fail(op, error)),
            Err(_) => Err(self.origin.timed_out(op, self.request_timeout)),
        }
    }
}

/// An object as JSON, with the `apiVersion` and `kind` a list's items
/// may lack.
fn object_value(object: DynamicObject, kind: Kind) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        fields
            .entry("apiVersion")
            .or_insert_with(|| Value::from(kind.api_version()));
        fields
            .entry("kind")
            .or_insert_with(|| Value::from(kind.kind()));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles only if every call can run on a spawned task.
    #[allow(dead_code)]
    fn calls_are_send(kube: &Kube) {
        fn send<T: Send>(_: T) {}
        send(kube.get(Kind::FlinkDeployment, "x"));
        send(kube.list(Kind::FlinkDeployment, ""));
        send(kube.create(Kind::FlinkDeployment, Value::Null));
        send(kube.merge_patch(Kind::FlinkDeployment, "x", Value::Null));
        send(kube.delete(Kind::FlinkDeployment, "x"));
        send(kube.events("x"));
        send(
            kube.wait_for(Kind::FlinkDeployment, "x", Duration::ZERO, "x", |_| {
                Some(Ok(()))
            }),
        );
        send(kube.watch(Kind::FlinkDeployment, ""));
        send(Kube::connect(&KubeTarget::default(), "x"));
    }

    #[test]
    fn kind_coordinates_follow_the_crds() {
        let deployment = Kind::FlinkDeployment.api_resource();
        assert_eq!(
            (deployment.group.as_str(), deployment.version.as_str()),
            ("flink.apache.org", "v1beta1")
        );
        assert_eq!(
            DynamicObject::url_path(&deployment, Some("ns")),
            "/apis/flink.apache.org/v1beta1/namespaces/ns/flinkdeployments"
        );
        assert_eq!(
            DynamicObject::url_path(&Kind::ConfigMap.api_resource(), Some("ns")),
            "/api/v1/namespaces/ns/configmaps"
        );
        assert_eq!(Kind::FlinkStateSnapshot.kind(), "FlinkStateSnapshot");
        assert_eq!(Kind::FlinkSessionJob.plural(), "flinksessionjobs");
    }
}
