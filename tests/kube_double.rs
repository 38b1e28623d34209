//! The Kubernetes API server double (`support::kube`) checked over HTTP
//! against what it claims: the API server's behaviour for the Flink
//! operator's CRDs (`docs/kubernetes-double.md`) and the operator's
//! contract (`docs/flink-kubernetes-operator.md`, cited by section).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::kube::{Catalog, CrdVersion, FieldValidation, KubeDouble, KubeOptions, Schema};

/// The namespaced API of the operator's group.
const FLINK: &str = "/apis/flink.apache.org/v1beta1/namespaces/default";
/// The namespaced core API.
const CORE: &str = "/api/v1/namespaces/default";

/// A double whose simulator moves fast (10 ms a step).
fn fast(crds: CrdVersion) -> KubeOptions {
    KubeOptions {
        reconcile_delay: Duration::from_millis(10),
        retry_interval: Duration::from_millis(100),
        ..KubeOptions::new(crds)
    }
}

/// One HTTP answer.
struct Reply {
    status: u16,
    body: String,
    warnings: Vec<String>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a `Status` failure with this code and reason; returns its message.
    fn failure(&self, code: u16, reason: &str) -> String {
        assert_eq!(self.status, code, "{}", self.body);
        let status = self.json();
        assert_eq!(status["kind"], "Status", "{}", self.body);
        assert_eq!(status["status"], "Failure", "{}", self.body);
        assert_eq!(status["code"], code, "{}", self.body);
        assert_eq!(
            status["reason"].as_str().unwrap_or_default(),
            reason,
            "{}",
            self.body
        );
        status["message"].as_str().unwrap_or_default().to_string()
    }
}

/// An HTTP client of one double.
struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    fn new(double: &KubeDouble) -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            base: double.url(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Option<&Value>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", content_type)
                .body(body.to_string());
        }
        let response = request.send().await.expect("the double answers");
        let status = response.status().as_u16();
        let warnings = response
            .headers()
            .get_all("warning")
            .iter()
            .map(|v| v.to_str().unwrap_or_default().to_string())
            .collect();
        let body = response.text().await.expect("a body");
        Reply {
            status,
            body,
            warnings,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, "", None).await
    }

    async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, "application/json", Some(body))
            .await
    }

    async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, "application/json", Some(body)).await
    }

    async fn merge(&self, path: &str, body: &Value) -> Reply {
        self.send("PATCH", path, "application/merge-patch+json", Some(body))
            .await
    }

    async fn apply(&self, path: &str, body: &Value) -> Reply {
        self.send("PATCH", path, "application/apply-patch+yaml", Some(body))
            .await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, "", None).await
    }

    /// Creates `object` in the collection `path`, asserting 201.
    async fn create(&self, path: &str, object: &Value) -> Value {
        let reply = self.post(path, object).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()
    }

    /// Opens a watch; `query` without the leading `?`.
    async fn watch(&self, path: &str, query: &str) -> Watch {
        let response = self
            .http
            .get(format!("{}{path}?watch=true&{query}", self.base))
            .send()
            .await
            .expect("the double answers");
        assert_eq!(response.status().as_u16(), 200);
        Watch {
            response,
            buffer: Vec::new(),
        }
    }
}

/// A watch stream read event by event.
struct Watch {
    response: reqwest::Response,
    buffer: Vec<u8>,
}

impl Watch {
    /// The next event, or `None` when the stream ends or 5 s pass.
    async fn next(&mut self) -> Option<Value> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                return Some(serde_json::from_slice(&line).expect("a JSON event"));
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.extend_from_slice(&chunk),
                _ => return None,
            }
        }
    }

    /// Events until one satisfies `done` (included), failing after 5 s.
    async fn until(&mut self, what: &str, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let Some(event) = self.next().await else {
                panic!("never: {what}; saw {seen:#?}");
            };
            let stop = done(&event);
            seen.push(event);
            if stop {
                return seen;
            }
        }
    }
}

/// Waits until the stored object satisfies `done` (no request is made),
/// checking the simulator never had a write refused.
async fn until(
    double: &KubeDouble,
    plural: &str,
    name: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let errors = double.operator_errors();
        assert!(
            errors.is_empty(),
            "the simulator's writes were refused: {errors:#?}"
        );
        if let Some(object) = double.object(plural, "default", name)
            && done(&object)
        {
            return object;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "never: {what}; last {:#}",
            double.object(plural, "default", name).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn lifecycle(object: &Value) -> &str {
    object["status"]["lifecycleState"]
        .as_str()
        .unwrap_or_default()
}

fn job_state(object: &Value) -> &str {
    object["status"]["jobStatus"]["state"]
        .as_str()
        .unwrap_or_default()
}

/// A session cluster (`examples/session-cluster-and-sessionjob.yaml`'s first document).
fn session_cluster(name: &str) -> Value {
    json!({
        "apiVersion": "flink.apache.org/v1beta1",
        "kind": "FlinkDeployment",
        "metadata": {"name": name},
        "spec": {
            "image": "flink:1.20",
            "flinkVersion": "v1_20",
            "serviceAccount": "flink",
            "flinkConfiguration": {"taskmanager.numberOfTaskSlots": "4"},
            "jobManager": {"resource": {"memory": "2048m", "cpu": 1}},
            "taskManager": {"resource": {"memory": "2048m", "cpu": 1}},
        },
    })
}

/// An application deployment running the SQL runner jar.
fn application(name: &str, upgrade_mode: &str) -> Value {
    let mut object = session_cluster(name);
    object["spec"]["flinkConfiguration"] = json!({
        "taskmanager.numberOfTaskSlots": "2",
        "state.checkpoints.dir": "s3://bucket/ckpt",
        "state.savepoints.dir": "s3://bucket/sp",
    });
    object["spec"]["job"] = json!({
        "jarURI": "local:///opt/flink/usrlib/sql-runner.jar",
        "args": ["/opt/flink/sql/job.sql"],
        "parallelism": 2,
        "upgradeMode": upgrade_mode,
        "state": "running",
    });
    object
}

/// A FlinkSessionJob on `deployment`.
fn session_job(name: &str, deployment: &str, jar: &str) -> Value {
    json!({
        "apiVersion": "flink.apache.org/v1beta1",
        "kind": "FlinkSessionJob",
        "metadata": {"name": name},
        "spec": {
            "deploymentName": deployment,
            "job": {"jarURI": jar, "parallelism": 2, "upgradeMode": "stateless", "state": "running"},
        },
    })
}

/// The example manifests (`tests/support/kube/examples/`).
fn examples() -> Vec<(&'static str, Vec<Value>)> {
    [
        (
            "session-cluster-and-sessionjob",
            include_str!("support/kube/examples/session-cluster-and-sessionjob.json"),
        ),
        (
            "sql-runner-application",
            include_str!("support/kube/examples/sql-runner-application.json"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| (name, serde_json::from_str(text).expect("an example")))
    .collect()
}

/// The collection path of a manifest's kind.
fn collection(object: &Value) -> String {
    match object["kind"].as_str() {
        Some("ConfigMap") => format!("{CORE}/configmaps"),
        Some("FlinkDeployment") => format!("{FLINK}/flinkdeployments"),
        Some("FlinkSessionJob") => format!("{FLINK}/flinksessionjobs"),
        other => panic!("no collection for {other:?}"),
    }
}

/// The events about `name`, by `fieldSelector`.
async fn events(client: &Client, name: &str) -> Vec<Value> {
    let reply = client
        .get(&format!(
            "{CORE}/events?fieldSelector=involvedObject.name%3D{name}"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn reasons(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["reason"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The parsed `status.error` JSON.
fn error_of(object: &Value) -> Value {
    let text = object["status"]["error"].as_str().expect("a status.error");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("status.error is not JSON ({e}): {text}"))
}

// ---------------------------------------------------------------- discovery

/// docs/flink-kubernetes-operator.md §1: the coordinates (group, version,
/// plurals, short names, status subresources) as discovery serves them.
#[tokio::test]
async fn discovery_lists_the_group_version_and_resources() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    assert_eq!(client.get("/version").await.json()["gitVersion"], "v1.33.0");
    assert_eq!(client.get("/api").await.json()["versions"], json!(["v1"]));
    let groups = client.get("/apis").await.json();
    assert_eq!(groups["kind"], "APIGroupList");
    assert_eq!(
        groups["groups"][0]["preferredVersion"]["groupVersion"],
        "flink.apache.org/v1beta1"
    );
    let group = client.get("/apis/flink.apache.org").await.json();
    assert_eq!(group["kind"], "APIGroup");
    let list = client.get("/apis/flink.apache.org/v1beta1").await.json();
    assert_eq!(list["kind"], "APIResourceList");
    let resources = list["resources"].as_array().unwrap();
    let names: Vec<&str> = resources
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "flinkdeployments",
            "flinkdeployments/status",
            "flinksessionjobs",
            "flinksessionjobs/status",
            "flinkstatesnapshots",
            "flinkstatesnapshots/status"
        ]
    );
    let short: Vec<&Value> = resources
        .iter()
        .filter_map(|r| r.get("shortNames"))
        .collect();
    assert_eq!(
        short,
        [
            &json!(["flinkdep"]),
            &json!(["sessionjob"]),
            &json!(["flinksnp"])
        ]
    );
    let core = client.get("/api/v1").await.json();
    let core_names: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(core_names, ["configmaps", "events", "secrets"]);
}

/// docs/flink-kubernetes-operator.md §1: "`v1beta1` is the only version
/// that is served" — `v1` (the CRD files' `-v1` is apiextensions') is a 404.
#[tokio::test]
async fn only_v1beta1_is_served() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Main)
    });
    let client = Client::new(&double);
    let reply = client
        .get("/apis/flink.apache.org/v1/namespaces/default/flinkdeployments")
        .await;
    assert_eq!(
        reply.failure(404, "NotFound"),
        "the server could not find the requested resource"
    );
    assert_eq!(
        client
            .get(&format!("{FLINK}/flinkdeployments"))
            .await
            .status,
        200
    );
}

// ---------------------------------------------------------------- CRDs

/// docs/kubernetes-double.md (CRDs): both releases load, every schema
/// keyword is one the validator implements, and main's additions are
/// where the contract says (§0).
#[test]
fn both_crd_versions_load_with_supported_keywords_only() {
    for version in [CrdVersion::Release1_15, CrdVersion::Main] {
        let catalog = Catalog::load(version).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        let kinds: Vec<&str> = catalog.types.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "FlinkDeployment",
                "FlinkSessionJob",
                "FlinkStateSnapshot",
                "ConfigMap",
                "Event",
                "Secret"
            ]
        );
        let deployment = &catalog.types[0];
        let spec = deployment.schema.child("spec").unwrap();
        let resources = spec
            .child("jobManager")
            .unwrap()
            .child("resources")
            .is_some();
        assert_eq!(resources, version == CrdVersion::Main, "{version:?}");
        assert!(spec.child("flinkConfiguration").unwrap().preserve_unknown);
    }
}

/// docs/flink-kubernetes-operator.md §11: both example manifests are
/// accepted, unchanged, by both CRD versions.
#[tokio::test]
async fn examples_are_accepted_by_both_crd_versions() {
    for version in [CrdVersion::Release1_15, CrdVersion::Main] {
        let double = KubeDouble::start_with(KubeOptions {
            operator: false,
            ..fast(version)
        });
        let client = Client::new(&double);
        for (example, documents) in examples() {
            for document in documents {
                let reply = client.post(&collection(&document), &document).await;
                assert_eq!(reply.status, 201, "{version:?} {example}: {}", reply.body);
            }
        }
    }
}

/// docs/flink-kubernetes-operator.md §0: `jobManager.resources` exists only
/// on main; a 1.15 API server refuses it under strict field validation.
#[tokio::test]
async fn resources_field_is_refused_by_release_1_15_and_accepted_by_main() {
    let mut object = session_cluster("with-resources");
    object["spec"]["jobManager"]["resources"] = json!({"requests": {"memory": "2Gi", "cpu": "1"}});
    for (version, accepted) in [(CrdVersion::Release1_15, false), (CrdVersion::Main, true)] {
        let double = KubeDouble::start_with(KubeOptions {
            operator: false,
            ..fast(version)
        });
        let client = Client::new(&double);
        let reply = client
            .post(&format!("{FLINK}/flinkdeployments"), &object)
            .await;
        if accepted {
            assert_eq!(reply.status, 201, "{}", reply.body);
        } else {
            assert_eq!(
                reply.failure(400, "BadRequest"),
                "FlinkDeployment in version \"v1beta1\" cannot be handled as a FlinkDeployment: strict decoding error: unknown field \"spec.jobManager.resources\""
            );
        }
    }
}

/// docs/flink-kubernetes-operator.md §0: `flinkVersion` `v2_3` is only in
/// main's enum; 1.15 answers 422 listing its values.
#[tokio::test]
async fn flink_version_v2_3_is_only_in_main() {
    let mut object = session_cluster("newer");
    object["spec"]["flinkVersion"] = json!("v2_3");
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let reply = Client::new(&double)
        .post(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    let message = reply.failure(422, "Invalid");
    assert_eq!(
        message,
        "FlinkDeployment.flink.apache.org \"newer\" is invalid: spec.flinkVersion: Unsupported value: \"v2_3\": supported values: \"v1_13\", \"v1_14\", \"v1_15\", \"v1_16\", \"v1_17\", \"v1_18\", \"v1_19\", \"v1_20\", \"v2_0\", \"v2_1\", \"v2_2\""
    );
    let cause = &reply.json()["details"]["causes"][0];
    assert_eq!(cause["reason"], "FieldValueNotSupported");
    assert_eq!(cause["field"], "spec.flinkVersion");
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Main)
    });
    let reply = Client::new(&double)
        .post(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

// ---------------------------------------------------------------- strict validation

/// docs/kubernetes-double.md (validation): an undeclared field is a strict
/// decoding error on create, update and merge patch, each worded as the
/// API server words it; inside lists the path has the index.
#[tokio::test]
async fn unknown_fields_fail_strict_decoding_on_create_update_and_merge_patch() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut object = session_cluster("strict");
    object["spec"]["foo"] = json!(1);
    object["spec"]["podTemplate"] =
        json!({"spec": {"containers": [{"name": "flink-main-container", "bogus": true}]}});
    let message = client.post(&path, &object).await.failure(400, "BadRequest");
    assert_eq!(
        message,
        "FlinkDeployment in version \"v1beta1\" cannot be handled as a FlinkDeployment: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.podTemplate.spec.containers[0].bogus\""
    );
    let created = client.create(&path, &session_cluster("strict")).await;
    let mut replaced = created.clone();
    replaced["spec"]["foo"] = json!("x");
    let message = client
        .put(&format!("{path}/strict"), &replaced)
        .await
        .failure(400, "BadRequest");
    assert!(
        message.ends_with("strict decoding error: unknown field \"spec.foo\""),
        "{message}"
    );
    let message = client
        .merge(
            &format!("{path}/strict"),
            &json!({"spec": {"job2": {}}, "metadata": {"bogus": 1}}),
        )
        .await
        .failure(400, "BadRequest");
    assert_eq!(
        message,
        "strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec.job2\""
    );
}

/// docs/kubernetes-double.md (validation): server-side apply of an
/// undeclared field fails in the typed conversion — a 500 without a
/// reason, as kubernetes/kubernetes#139253 reports.
#[tokio::test]
async fn server_side_apply_of_an_undeclared_field_is_not_declared_in_schema() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let mut object = session_cluster("ssa");
    object["spec"]["foo"] = json!(1);
    let reply = client
        .apply(
            &format!("{FLINK}/flinkdeployments/ssa?fieldManager=scaleph"),
            &object,
        )
        .await;
    assert_eq!(
        reply.failure(500, ""),
        "failed to create typed patch object (default/ssa; flink.apache.org/v1beta1, Kind=FlinkDeployment): .spec.foo: field not declared in schema"
    );
}

/// docs/kubernetes-double.md (validation): wrong types, enum values and
/// several violations at once are one 422 naming each field path.
#[tokio::test]
async fn wrong_types_and_enum_values_are_422_with_field_paths() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Main)
    });
    let client = Client::new(&double);
    let mut object = application("typed", "stateless");
    object["spec"]["job"]["parallelism"] = json!("two");
    object["spec"]["job"]["upgradeMode"] = json!("sometimes");
    object["spec"]["jobManager"]["resource"]["cpu"] = json!("1");
    let reply = client
        .post(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    let message = reply.failure(422, "Invalid");
    assert_eq!(
        message,
        "FlinkDeployment.flink.apache.org \"typed\" is invalid: [spec.job.parallelism: Invalid value: \"string\": spec.job.parallelism in body must be of type integer: \"string\", spec.job.upgradeMode: Unsupported value: \"sometimes\": supported values: \"last-state\", \"savepoint\", \"stateless\", spec.jobManager.resource.cpu: Invalid value: \"string\": spec.jobManager.resource.cpu in body must be of type number: \"string\"]"
    );
    let causes = reply.json()["details"]["causes"].clone();
    let fields: Vec<&str> = causes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "spec.job.parallelism",
            "spec.job.upgradeMode",
            "spec.jobManager.resource.cpu"
        ]
    );
    assert_eq!(causes[0]["reason"], "FieldValueTypeInvalid");
    assert_eq!(reply.json()["details"]["kind"], "FlinkDeployment");
}

/// docs/flink-kubernetes-operator.md §0, §2: `flinkConfiguration` preserves
/// unknown fields (structured YAML from 1.13), `logConfiguration` is a map
/// of strings, int-or-string quantities take both, `null`s are dropped.
#[tokio::test]
async fn preserve_unknown_fields_maps_int_or_string_and_nulls() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut object = session_cluster("structured");
    object["spec"]["flinkConfiguration"] =
        json!({"taskmanager": {"numberOfTaskSlots": 2}, "a.b": true});
    object["spec"]["image"] = Value::Null;
    object["spec"]["podTemplate"] = json!({"spec": {"containers": [{
        "name": "flink-main-container",
        "resources": {"limits": {"cpu": 1, "memory": "1Gi"}, "requests": {"cpu": "500m"}},
    }]}});
    let created = client.create(&path, &object).await;
    assert_eq!(
        created["spec"]["flinkConfiguration"]["taskmanager"]["numberOfTaskSlots"],
        2
    );
    assert!(
        created["spec"].get("image").is_none(),
        "null dropped: {created:#}"
    );
    let mut bad = session_cluster("bad-maps");
    bad["spec"]["logConfiguration"] = json!({"log4j-console.properties": 1});
    bad["spec"]["podTemplate"] =
        json!({"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": true}}}]}});
    let message = client.post(&path, &bad).await.failure(422, "Invalid");
    assert!(
        message
            .contains("spec.logConfiguration.log4j-console.properties: Invalid value: \"integer\""),
        "{message}"
    );
    assert!(message.contains("spec.podTemplate.spec.containers[0].resources.limits.cpu: Invalid value: \"boolean\": spec.podTemplate.spec.containers[0].resources.limits.cpu in body must be of type integer,string: \"boolean\""), "{message}");
}

/// docs/kubernetes-double.md (validation): `fieldValidation=Warn` (a real
/// server's default) and `Ignore` drop unknown fields instead of failing.
#[tokio::test]
async fn warn_and_ignore_field_validation_drop_unknown_fields() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let mut object = session_cluster("lenient");
    object["spec"]["foo"] = json!(1);
    let reply = client
        .post(
            &format!("{FLINK}/flinkdeployments?fieldValidation=Warn"),
            &object,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.warnings, ["299 - \"unknown field \\\"spec.foo\\\"\""]);
    assert!(reply.json()["spec"].get("foo").is_none());
    object["metadata"]["name"] = json!("silent");
    let reply = client
        .post(
            &format!("{FLINK}/flinkdeployments?fieldValidation=Ignore"),
            &object,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(reply.warnings.is_empty());
    let lenient = KubeDouble::start_with(KubeOptions {
        operator: false,
        field_validation: FieldValidation::Warn,
        ..fast(CrdVersion::Release1_15)
    });
    object["metadata"]["name"] = json!("defaulted");
    let reply = Client::new(&lenient)
        .post(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    assert_eq!(
        (reply.status, reply.warnings.len()),
        (201, 1),
        "{}",
        reply.body
    );
}

/// docs/kubernetes-double.md (metadata): names are RFC 1123 subdomains,
/// label values 63 alphanumeric-bounded characters; `metadata` is strict.
#[tokio::test]
async fn names_labels_and_metadata_fields_are_validated() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut object = session_cluster("Bad_Name");
    object["metadata"]["labels"] = json!({"app": "a b"});
    let reply = client.post(&path, &object).await;
    let message = reply.failure(422, "Invalid");
    assert!(message.starts_with("FlinkDeployment.flink.apache.org \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"), "{message}");
    assert!(
        message.contains(
            "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string"
        ),
        "{message}"
    );
    let mut object = session_cluster("meta");
    object["metadata"]["labels"] = json!({"replicas": 2});
    let message = client.post(&path, &object).await.failure(400, "BadRequest");
    assert!(message.ends_with("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"), "{message}");
    let message = client.post(&path, &json!({"apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkDeployment", "metadata": {}})).await.failure(422, "Invalid");
    assert!(
        message.ends_with("metadata.name: Required value: name or generateName is required"),
        "{message}"
    );
}

/// docs/kubernetes-double.md (validation): `required`, bounds and lengths
/// are enforced when a schema has them (the operator's CRDs have none).
#[test]
fn required_and_bounds_are_enforced_when_a_schema_has_them() {
    let schema = Schema::parse(
        &json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "maxLength": 3},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "maxItems": 1, "items": {"type": "string"}},
        }}),
        "test",
    )
    .unwrap();
    let mut causes = Vec::new();
    schema.validate(
        &json!({"replicas": 0, "tags": ["a", "b"]}),
        "spec",
        &mut causes,
    );
    let lines: Vec<String> = causes
        .iter()
        .map(|c| format!("{}: {}", c.field, c.message))
        .collect();
    assert_eq!(
        lines,
        [
            "spec.name: Required value",
            "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
            "spec.tags: Too many: 2: must have at most 1 items",
        ]
    );
    causes.clear();
    schema.validate(&json!({"name": "long", "replicas": 9}), "spec", &mut causes);
    assert_eq!(causes.len(), 2, "{causes:?}");
    assert!(Schema::parse(&json!({"type": "string", "pattern": "^a$"}), "p").is_err());
}

// ---------------------------------------------------------------- CRUD

/// docs/kubernetes-double.md (writes): create sets the server's metadata
/// and drops `status`; get, list; 409 AlreadyExists; 404 NotFound; delete.
#[tokio::test]
async fn create_get_list_and_delete() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut object = session_cluster("crud");
    object["status"] = json!({"lifecycleState": "STABLE"});
    let created = client.create(&path, &object).await;
    let meta = &created["metadata"];
    assert_eq!(meta["generation"], 1);
    assert_eq!(meta["namespace"], "default");
    assert_eq!(meta["uid"].as_str().unwrap().len(), 36);
    assert!(meta["creationTimestamp"].as_str().unwrap().ends_with('Z'));
    assert!(
        created.get("status").is_none(),
        "status is the subresource's"
    );
    assert_eq!(meta["managedFields"][0]["operation"], "Update");
    let message = client
        .post(&path, &session_cluster("crud"))
        .await
        .failure(409, "AlreadyExists");
    assert_eq!(
        message,
        "flinkdeployments.flink.apache.org \"crud\" already exists"
    );
    let got = client.get(&format!("{path}/crud")).await.json();
    assert_eq!(got, created);
    let list = client.get(&path).await.json();
    assert_eq!(list["kind"], "FlinkDeploymentList");
    assert_eq!(list["apiVersion"], "flink.apache.org/v1beta1");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(
        list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    let all = client
        .get("/apis/flink.apache.org/v1beta1/flinkdeployments")
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let gone = client.delete(&format!("{path}/crud")).await.json();
    assert_eq!(gone["status"], "Success");
    assert_eq!(gone["details"]["name"], "crud");
    let reply = client.get(&format!("{path}/crud")).await;
    assert_eq!(
        reply.failure(404, "NotFound"),
        "flinkdeployments.flink.apache.org \"crud\" not found"
    );
    assert_eq!(
        reply.json()["details"],
        json!({"name": "crud", "group": "flink.apache.org", "kind": "flinkdeployments"})
    );
}

/// docs/kubernetes-double.md (list): `labelSelector` with `=`, `!=`, `in`,
/// `!key`, and `fieldSelector` on `metadata.name`.
#[tokio::test]
async fn list_selects_by_labels_and_name() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    for (name, labels) in [
        ("a", json!({"app": "x", "tier": "1"})),
        ("b", json!({"app": "x", "tier": "2"})),
        ("c", json!({"app": "y"})),
    ] {
        let mut object = session_cluster(name);
        object["metadata"]["labels"] = labels;
        client.create(&path, &object).await;
    }
    let names = |list: Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(
            client
                .get(&format!("{path}?labelSelector=app%3Dx,tier%3D2"))
                .await
                .json()
        ),
        ["b"]
    );
    assert_eq!(
        names(
            client
                .get(&format!("{path}?labelSelector=app!%3Dx"))
                .await
                .json()
        ),
        ["c"]
    );
    assert_eq!(
        names(
            client
                .get(&format!("{path}?labelSelector=tier+in+(1,2)"))
                .await
                .json()
        ),
        ["a", "b"]
    );
    assert_eq!(
        names(
            client
                .get(&format!("{path}?labelSelector=!tier"))
                .await
                .json()
        ),
        ["c"]
    );
    assert_eq!(
        names(
            client
                .get(&format!("{path}?fieldSelector=metadata.name%3Da"))
                .await
                .json()
        ),
        ["a"]
    );
    let message = client
        .get(&format!("{path}?fieldSelector=spec.image%3Dx"))
        .await
        .failure(400, "BadRequest");
    assert_eq!(message, "field label not supported: spec.image");
}

/// docs/kubernetes-double.md (writes): a PUT carrying a stale
/// `metadata.resourceVersion` is 409 Conflict; without one it is unconditional.
#[tokio::test]
async fn replace_with_a_stale_resource_version_is_a_conflict() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/occ");
    let created = client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("occ"),
        )
        .await;
    let mut first = created.clone();
    first["spec"]["image"] = json!("flink:2.0");
    assert_eq!(client.put(&path, &first).await.status, 200);
    let mut stale = created.clone();
    stale["spec"]["image"] = json!("flink:1.19");
    let message = client.put(&path, &stale).await.failure(409, "Conflict");
    assert_eq!(
        message,
        "Operation cannot be fulfilled on flinkdeployments.flink.apache.org \"occ\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let mut unconditional = stale.clone();
    unconditional["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    let replaced = client.put(&path, &unconditional).await.json();
    assert_eq!(replaced["spec"]["image"], "flink:1.19");
    assert_eq!(
        client
            .put(&format!("{FLINK}/flinkdeployments/other"), &unconditional)
            .await
            .status,
        400
    );
}

/// docs/flink-kubernetes-operator.md §6 ("observedGeneration ==
/// metadata.generation"): spec changes bump `generation`, metadata and
/// status changes do not; the main resource ignores `status`, `/status`
/// ignores everything else.
#[tokio::test]
async fn spec_changes_bump_generation_and_status_is_a_subresource() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/gen");
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("gen"),
        )
        .await;
    let labelled = client
        .merge(&path, &json!({"metadata": {"labels": {"a": "b"}}}))
        .await
        .json();
    assert_eq!(labelled["metadata"]["generation"], 1);
    let ignored = client
        .merge(&path, &json!({"status": {"lifecycleState": "STABLE"}}))
        .await
        .json();
    assert!(ignored.get("status").is_none());
    assert_eq!(
        ignored["metadata"]["resourceVersion"], labelled["metadata"]["resourceVersion"],
        "a no-op write is not a write"
    );
    let status = client
        .merge(
            &format!("{path}/status"),
            &json!({"status": {"lifecycleState": "STABLE"}, "spec": {"image": "ignored"}}),
        )
        .await
        .json();
    assert_eq!(status["status"]["lifecycleState"], "STABLE");
    assert_eq!(status["spec"]["image"], "flink:1.20");
    assert_eq!(status["metadata"]["generation"], 1);
    let changed = client
        .merge(&path, &json!({"spec": {"image": "flink:2.0"}}))
        .await
        .json();
    assert_eq!(changed["metadata"]["generation"], 2);
    assert_eq!(changed["status"]["lifecycleState"], "STABLE");
    let mut put = client.get(&format!("{path}/status")).await.json();
    put["status"]["lifecycleState"] = json!("DEPLOYED");
    let put = client.put(&format!("{path}/status"), &put).await.json();
    assert_eq!(
        (
            put["status"]["lifecycleState"].as_str(),
            put["metadata"]["generation"].as_i64()
        ),
        (Some("DEPLOYED"), Some(2))
    );
    let message = client
        .merge(
            &format!("{path}/status"),
            &json!({"status": {"lifecycleState": "HAPPY"}}),
        )
        .await
        .failure(422, "Invalid");
    assert!(
        message.contains("status.lifecycleState: Unsupported value: \"HAPPY\""),
        "{message}"
    );
}

/// docs/kubernetes-double.md (server-side apply): apply creates, merges,
/// removes what its manager stopped applying, refuses to take another
/// manager's changed field without `force`, and needs a `fieldManager`.
#[tokio::test]
async fn server_side_apply_owns_fields_and_reports_conflicts() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/owned");
    let mut config = application("owned", "stateless");
    config["metadata"]["labels"] = json!({"app.kubernetes.io/managed-by": "scaleph"});
    let reply = client
        .apply(&format!("{path}?fieldManager=scaleph"), &config)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let created = reply.json();
    assert_eq!(
        created["metadata"]["managedFields"][0]["manager"],
        "scaleph"
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["operation"],
        "Apply"
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:job"]["f:parallelism"],
        json!({})
    );
    let again = client
        .apply(&format!("{path}?fieldManager=scaleph"), &config)
        .await
        .json();
    assert_eq!(
        again["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"],
        "same apply, no write"
    );
    let edited = client
        .send(
            "PATCH",
            &format!("{path}?fieldManager=kubectl-edit"),
            "application/merge-patch+json",
            Some(&json!({"spec": {"job": {"parallelism": 4}}})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let mut changed = config.clone();
    changed["spec"]["job"]["parallelism"] = json!(3);
    let reply = client
        .apply(&format!("{path}?fieldManager=scaleph"), &changed)
        .await;
    let message = reply.failure(409, "Conflict");
    assert!(message.starts_with("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using flink.apache.org/v1beta1 at "), "{message}");
    assert!(message.ends_with(": .spec.job.parallelism"), "{message}");
    assert_eq!(
        reply.json()["details"]["causes"][0]["field"],
        ".spec.job.parallelism"
    );
    let forced = client
        .apply(&format!("{path}?fieldManager=scaleph&force=true"), &changed)
        .await
        .json();
    assert_eq!(forced["spec"]["job"]["parallelism"], 3);
    assert_eq!(forced["metadata"]["generation"], 3);
    let mut fewer = changed.clone();
    fewer["spec"]["job"].as_object_mut().unwrap().remove("args");
    fewer["metadata"].as_object_mut().unwrap().remove("labels");
    let pruned = client
        .apply(&format!("{path}?fieldManager=scaleph"), &fewer)
        .await
        .json();
    assert!(pruned["spec"]["job"].get("args").is_none(), "{pruned:#}");
    assert!(pruned["metadata"].get("labels").is_none(), "{pruned:#}");
    let message = client.apply(&path, &config).await.failure(422, "Invalid");
    assert!(
        message.contains("fieldManager: Required value"),
        "{message}"
    );
}

/// docs/kubernetes-double.md (patches): RFC 6902 JSON patch, with `test`;
/// strategic merge patch is not for custom resources (415).
#[tokio::test]
async fn json_patch_applies_and_strategic_merge_is_unsupported() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/jp");
    let mut object = session_cluster("jp");
    object["metadata"]["finalizers"] = json!(["a.example/x"]);
    client
        .create(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    let ops = json!([
        {"op": "test", "path": "/metadata/finalizers/0", "value": "a.example/x"},
        {"op": "remove", "path": "/metadata/finalizers/0"},
        {"op": "replace", "path": "/spec/image", "value": "flink:2.0"},
    ]);
    let reply = client
        .send("PATCH", &path, "application/json-patch+json", Some(&ops))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["spec"]["image"], "flink:2.0");
    let reply = client
        .send("PATCH", &path, "application/json-patch+json", Some(&ops))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let reply = client
        .send(
            "PATCH",
            &path,
            "application/strategic-merge-patch+json",
            Some(&json!({})),
        )
        .await;
    reply.failure(415, "UnsupportedMediaType");
}

/// docs/flink-kubernetes-operator.md §1 (finalizers: "A DELETE therefore
/// blocks"): an object with finalizers is only marked for deletion
/// (`deletionTimestamp`, generation+1), accepts no new finalizer, and goes
/// when its last finalizer is removed.
#[tokio::test]
async fn delete_waits_for_finalizers() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/fin");
    let mut object = session_cluster("fin");
    object["metadata"]["finalizers"] = json!(["scaleph.io/keep"]);
    let created = client
        .create(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    let mut watch = client
        .watch(
            &format!("{FLINK}/flinkdeployments"),
            &format!(
                "resourceVersion={}",
                created["metadata"]["resourceVersion"].as_str().unwrap()
            ),
        )
        .await;
    let marked = client.delete(&path).await.json();
    assert!(
        marked["metadata"]["deletionTimestamp"].is_string(),
        "{marked:#}"
    );
    assert_eq!(marked["metadata"]["generation"], 2);
    assert_eq!(client.get(&path).await.status, 200);
    let message = client
        .merge(
            &path,
            &json!({"metadata": {"finalizers": ["scaleph.io/keep", "b.io/c"]}}),
        )
        .await
        .failure(422, "Invalid");
    assert!(message.contains("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted"), "{message}");
    let last = client
        .merge(&path, &json!({"metadata": {"finalizers": null}}))
        .await;
    assert_eq!(last.status, 200, "{}", last.body);
    assert_eq!(client.get(&path).await.status, 404);
    let seen = watch.until("DELETED", |e| e["type"] == "DELETED").await;
    let types: Vec<&str> = seen.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["MODIFIED", "MODIFIED", "DELETED"]);
}

/// docs/kubernetes-double.md (list): `limit` pages with `continue` tokens
/// over one consistent snapshot; an exact list at an old resourceVersion;
/// both 410 Expired once that history is compacted.
#[tokio::test]
async fn list_pages_and_exact_resource_versions() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{CORE}/configmaps");
    let mut first_rv = String::new();
    for i in 0..5 {
        let created = client.create(&path, &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i}")}})).await;
        if i == 0 {
            first_rv = created["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .to_string();
        }
    }
    let page = client.get(&format!("{path}?limit=2")).await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["metadata"]["remainingItemCount"], 3);
    let token = page["metadata"]["continue"].as_str().unwrap().to_string();
    client
        .create(
            &path,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-9"}}),
        )
        .await;
    let rest = client
        .get(&format!("{path}?limit=10&continue={token}"))
        .await
        .json();
    let names: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["cm-2", "cm-3", "cm-4"],
        "the snapshot of the first page"
    );
    let exact = client
        .get(&format!(
            "{path}?resourceVersion={first_rv}&resourceVersionMatch=Exact"
        ))
        .await
        .json();
    assert_eq!(exact["items"].as_array().unwrap().len(), 1);
    double.compact();
    let message = client
        .get(&format!("{path}?limit=10&continue={token}"))
        .await
        .failure(410, "Expired");
    assert!(
        message.starts_with("The provided continue parameter is too old"),
        "{message}"
    );
    let message = client
        .get(&format!(
            "{path}?resourceVersion={first_rv}&resourceVersionMatch=Exact"
        ))
        .await
        .failure(410, "Expired");
    assert_eq!(
        message,
        "The resourceVersion for the provided list is too old."
    );
}

/// docs/kubernetes-double.md (writes): `generateName`, `dryRun=All` (the
/// answer without the write), deletecollection by label, and the
/// cross-namespace list and watch.
#[tokio::test]
async fn generate_name_dry_run_delete_collection_and_all_namespaces() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{CORE}/configmaps");
    let generated = client
        .create(&path, &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "job-", "labels": {"batch": "1"}}}))
        .await;
    let name = generated["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("job-") && name.len() == 9, "{name}");
    let rv = double.resource_version();
    let dry = client
        .post(
            &format!("{path}?dryRun=All"),
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}}),
        )
        .await;
    assert_eq!(dry.status, 201, "{}", dry.body);
    assert_eq!(double.resource_version(), rv);
    assert_eq!(client.get(&format!("{path}/dry")).await.status, 404);
    let mut all = client.watch("/api/v1/configmaps", "").await;
    client
        .create("/api/v1/namespaces/other/configmaps", &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "elsewhere", "labels": {"batch": "1"}}}))
        .await;
    let seen = all
        .until("the other namespace", |e| {
            e["object"]["metadata"]["namespace"] == "other"
        })
        .await;
    assert_eq!(seen.len(), 2, "the existing one, then the new one");
    let list = client
        .get("/api/v1/configmaps?labelSelector=batch%3D1")
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let deleted = client
        .delete(&format!("{path}?labelSelector=batch%3D1"))
        .await
        .json();
    assert_eq!(deleted["kind"], "ConfigMapList");
    assert_eq!(
        deleted["items"].as_array().unwrap().len(),
        1,
        "only this namespace's"
    );
    assert_eq!(client.get(&format!("{path}/{name}")).await.status, 404);
    assert_eq!(double.count("deletecollection", &path), 1);
    assert_eq!(double.count("watch", "/api/v1/configmaps"), 1);
}

// ---------------------------------------------------------------- watch

/// docs/kubernetes-double.md (watch): from a resourceVersion, every change
/// after it as ADDED, MODIFIED, DELETED, newline-delimited.
#[tokio::test]
async fn watch_streams_changes_after_a_resource_version() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{CORE}/configmaps");
    let before = client
        .create(
            &path,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "before"}}),
        )
        .await;
    let rv = before["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    client.create(&path, &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w"}, "data": {"a": "1"}})).await;
    client
        .merge(&format!("{path}/w"), &json!({"data": {"a": "2"}}))
        .await;
    client.delete(&format!("{path}/w")).await;
    let mut watch = client.watch(&path, &format!("resourceVersion={rv}")).await;
    let seen = watch.until("DELETED", |e| e["type"] == "DELETED").await;
    let summary: Vec<(String, String)> = seen
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_string(),
                e["object"]["data"]["a"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ADDED".into(), "1".into()),
            ("MODIFIED".into(), "2".into()),
            ("DELETED".into(), "2".into())
        ]
    );
    let mut from_now = client.watch(&path, "").await;
    let first = from_now.next().await.unwrap();
    assert_eq!(
        (
            first["type"].as_str(),
            first["object"]["metadata"]["name"].as_str()
        ),
        (Some("ADDED"), Some("before"))
    );
}

/// docs/kubernetes-double.md (watch): a resourceVersion older than the
/// kept history is a 200 whose only event is an ERROR with a 410 Expired
/// Status, as the watch cache answers.
#[tokio::test]
async fn watch_from_a_compacted_resource_version_is_an_error_event() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{CORE}/configmaps");
    let old = client
        .create(
            &path,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old"}}),
        )
        .await;
    client
        .create(
            &path,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}}),
        )
        .await;
    double.compact();
    let rv = old["metadata"]["resourceVersion"].as_str().unwrap();
    let mut watch = client.watch(&path, &format!("resourceVersion={rv}")).await;
    let event = watch.next().await.unwrap();
    assert_eq!(event["type"], "ERROR");
    assert_eq!(event["object"]["code"], 410);
    assert_eq!(event["object"]["reason"], "Expired");
    assert!(
        event["object"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("too old resource version: {rv} ("))
    );
    assert!(watch.next().await.is_none(), "the stream ends");
    let small = KubeDouble::start_with(KubeOptions {
        operator: false,
        history_window: 2,
        ..fast(CrdVersion::Release1_15)
    });
    let small_client = Client::new(&small);
    let first = small_client
        .create(
            &path,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
        )
        .await;
    for name in ["b", "c", "d"] {
        small_client
            .create(
                &path,
                &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}),
            )
            .await;
    }
    let rv = first["metadata"]["resourceVersion"].as_str().unwrap();
    let event = small_client
        .watch(&path, &format!("resourceVersion={rv}"))
        .await
        .next()
        .await
        .unwrap();
    assert_eq!(event["object"]["code"], 410, "beyond the history window");
}

/// docs/kubernetes-double.md (watch): BOOKMARKs with `allowWatchBookmarks`;
/// `sendInitialEvents` ends the initial ADDEDs with the
/// `k8s.io/initial-events-end` bookmark.
#[tokio::test]
async fn watch_bookmarks_and_initial_events() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        bookmark_interval: Duration::from_millis(30),
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    client.create(&path, &session_cluster("bm")).await;
    let rv = double.resource_version();
    let mut watch = client
        .watch(
            &path,
            &format!("resourceVersion={rv}&allowWatchBookmarks=true"),
        )
        .await;
    let bookmark = watch.next().await.unwrap();
    assert_eq!(bookmark["type"], "BOOKMARK");
    assert_eq!(bookmark["object"]["kind"], "FlinkDeployment");
    assert_eq!(
        bookmark["object"]["metadata"]["resourceVersion"],
        rv.to_string()
    );
    let mut initial = client
        .watch(
            &path,
            "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
        )
        .await;
    assert_eq!(initial.next().await.unwrap()["type"], "ADDED");
    let end = initial.next().await.unwrap();
    assert_eq!(end["type"], "BOOKMARK");
    assert_eq!(
        end["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    let refused = client
        .get(&format!("{path}?watch=true&sendInitialEvents=true"))
        .await;
    assert_eq!(refused.status, 422);
}

/// docs/kubernetes-double.md (watch): with a selector, an object that
/// stops matching is DELETED for the watcher, one that starts is ADDED;
/// `timeoutSeconds` ends the stream.
#[tokio::test]
async fn watch_selectors_follow_objects_in_and_out() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    let path = format!("{CORE}/configmaps");
    let mut watch = client
        .watch(&path, "labelSelector=app%3Dx&timeoutSeconds=1")
        .await;
    client
        .create(
            &path,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}}),
        )
        .await;
    client
        .merge(
            &format!("{path}/s"),
            &json!({"metadata": {"labels": {"app": "x"}}}),
        )
        .await;
    client
        .merge(
            &format!("{path}/s"),
            &json!({"metadata": {"labels": {"app": "y"}}}),
        )
        .await;
    let seen = watch.until("DELETED", |e| e["type"] == "DELETED").await;
    let types: Vec<&str> = seen.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ADDED", "DELETED"]);
    let started = Instant::now();
    assert!(watch.next().await.is_none());
    assert!(started.elapsed() < Duration::from_secs(3));
}

// ---------------------------------------------------------------- core kinds

/// docs/kubernetes-double.md (core kinds): ConfigMaps (data is strings: a
/// number is a decoding error), Secrets (`stringData` folded into base64
/// `data`).
#[tokio::test]
async fn config_maps_and_secrets() {
    let double = KubeDouble::start_with(KubeOptions {
        operator: false,
        ..fast(CrdVersion::Release1_15)
    });
    let client = Client::new(&double);
    for (_, documents) in examples() {
        for document in documents.iter().filter(|d| d["kind"] == "ConfigMap") {
            let created = client.create(&collection(document), document).await;
            assert!(
                created["data"]["job.sql"]
                    .as_str()
                    .unwrap()
                    .contains("INSERT INTO snk")
            );
        }
    }
    let bad = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad"}, "data": {"n": 1}});
    let message = client
        .post(&format!("{CORE}/configmaps"), &bad)
        .await
        .failure(400, "BadRequest");
    assert!(
        message.starts_with("ConfigMap in version \"v1\" cannot be handled as a ConfigMap"),
        "{message}"
    );
    let secret = client
        .create(&format!("{CORE}/secrets"), &json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "pw"}}))
        .await;
    assert_eq!(secret["data"]["password"], "cHc=");
    assert!(secret.get("stringData").is_none());
}

/// docs/kubernetes-double.md (requests): requests are counted by verb and
/// path; the simulator's own work is not a request, so a stable job
/// costs a client nothing.
#[tokio::test]
async fn requests_are_counted_and_idle_jobs_cost_none() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    client
        .create(&path, &application("idle", "stateless"))
        .await;
    client.get(&format!("{path}/idle")).await;
    client.get(&path).await;
    assert_eq!(double.count("create", &path), 1);
    assert_eq!(double.count("get", &format!("{path}/idle")), 1);
    assert_eq!(double.count("list", &path), 1);
    until(&double, "flinkdeployments", "idle", "STABLE", |o| {
        lifecycle(o) == "STABLE"
    })
    .await;
    double.clear_requests();
    let rv = double.resource_version();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(double.requests().is_empty());
    assert_eq!(
        double.resource_version(),
        rv,
        "a stable job is not rewritten"
    );
}

/// `forbid`: every request is RBAC's 403, worded as
/// `responsewriters.forbiddenMessage` inside `errors.NewForbidden`, for a
/// collection, an object's subresource and a discovery path alike; the
/// user is the token's or anonymous. The simulator goes on.
#[tokio::test]
async fn forbid_answers_every_request_403_in_rbacs_words() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    client.create(&path, &session_cluster("kept")).await;
    double.forbid(true);
    let anonymous = client.get(&path).await.failure(403, "Forbidden");
    assert_eq!(
        anonymous,
        "flinkdeployments.flink.apache.org is forbidden: User \"system:anonymous\" cannot list \
         resource \"flinkdeployments\" in API group \"flink.apache.org\" in the namespace \"default\""
    );
    let reply = client
        .merge(&format!("{path}/kept/status"), &json!({"status": {}}))
        .await;
    assert_eq!(
        reply.failure(403, "Forbidden"),
        "flinkdeployments.flink.apache.org \"kept\" is forbidden: User \"system:anonymous\" cannot \
         patch resource \"flinkdeployments/status\" in API group \"flink.apache.org\" in the namespace \"default\""
    );
    assert_eq!(
        reply.json()["details"],
        json!({"name": "kept", "group": "flink.apache.org", "kind": "flinkdeployments"})
    );
    let token = client
        .http
        .get(format!("{}{CORE}/configmaps", client.base))
        .bearer_auth("t0k3n")
        .send()
        .await
        .unwrap();
    assert_eq!(token.status().as_u16(), 403);
    assert_eq!(
        token.json::<Value>().await.unwrap()["message"],
        "configmaps is forbidden: User \"system:serviceaccount:default:scaleph\" cannot list resource \
         \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    assert_eq!(
        client.get("/version").await.failure(403, "Forbidden"),
        "forbidden: User \"system:anonymous\" cannot get path \"/version\""
    );
    assert_eq!(
        double.count("list", &path),
        1,
        "refused requests are recorded"
    );
    until(&double, "flinkdeployments", "kept", "READY", |o| {
        o["status"]["jobManagerDeploymentStatus"] == "READY"
    })
    .await;
    double.forbid(false);
    assert_eq!(client.get(&path).await.status, 200);
}

// ---------------------------------------------------------------- the operator

/// docs/flink-kubernetes-operator.md §1, §6: a session cluster gets the
/// operator's finalizer, then jobManagerDeploymentStatus DEPLOYING →
/// DEPLOYED_NOT_READY → READY and lifecycleState CREATED → UPGRADING →
/// DEPLOYED → STABLE, with observedGeneration and lastReconciledSpec.
#[tokio::test]
async fn session_cluster_becomes_ready_and_stable() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut watch = client.watch(&path, "resourceVersion=1").await;
    client.create(&path, &session_cluster("session")).await;
    let seen = watch
        .until("STABLE", |e| lifecycle(&e["object"]) == "STABLE")
        .await;
    let steps: Vec<(String, String)> = seen
        .iter()
        .map(|e| {
            let status = &e["object"]["status"];
            (
                status["lifecycleState"].as_str().unwrap_or("-").to_string(),
                status["jobManagerDeploymentStatus"]
                    .as_str()
                    .unwrap_or("-")
                    .to_string(),
            )
        })
        .collect();
    let expected = [
        ("-", "-"),
        ("-", "-"),
        ("UPGRADING", "MISSING"),
        ("DEPLOYED", "DEPLOYING"),
        ("DEPLOYED", "DEPLOYED_NOT_READY"),
        ("STABLE", "READY"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(steps, expected, "ADDED, finalizer, then the status");
    let stable = &seen.last().unwrap()["object"];
    assert_eq!(
        stable["metadata"]["finalizers"],
        json!(["flinkdeployments.flink.apache.org/finalizer"])
    );
    let status = &stable["status"];
    assert_eq!(
        status["observedGeneration"],
        stable["metadata"]["generation"]
    );
    assert_eq!(status["reconciliationStatus"]["state"], "DEPLOYED");
    let last: Value = serde_json::from_str(
        status["reconciliationStatus"]["lastReconciledSpec"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["spec"], stable["spec"]);
    assert_eq!(
        last["resource_metadata"],
        json!({"apiVersion": "flink.apache.org/v1beta1", "firstDeployment": true})
    );
    assert_eq!(status["clusterInfo"]["flink-version"], "1.20.0");
    assert!(status.get("error").is_none());
}

/// docs/flink-kubernetes-operator.md §3, §6: an application's job goes
/// RECONCILING → CREATED → RUNNING with a 32-hex jobId, the deployment
/// STABLE, with the operator's Events.
#[tokio::test]
async fn application_job_runs() {
    let double = KubeDouble::start_with(fast(CrdVersion::Main));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut watch = client.watch(&path, "resourceVersion=1").await;
    client.create(&path, &application("app", "stateless")).await;
    let seen = watch
        .until("RUNNING", |e| job_state(&e["object"]) == "RUNNING")
        .await;
    let mut states: Vec<&str> = seen
        .iter()
        .map(|e| job_state(&e["object"]))
        .filter(|s| !s.is_empty())
        .collect();
    states.dedup();
    assert_eq!(states, ["RECONCILING", "CREATED", "RUNNING"]);
    let running = until(&double, "flinkdeployments", "app", "STABLE", |o| {
        lifecycle(o) == "STABLE"
    })
    .await;
    let job = &running["status"]["jobStatus"];
    let id = job["jobId"].as_str().unwrap();
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(job["jobName"], "app");
    assert!(job["startTime"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(
        running["status"]["taskManager"],
        json!({"labelSelector": "component=taskmanager,app=app", "replicas": 1})
    );
    let reasons = reasons(&events(&client, "app").await);
    assert!(
        reasons.contains(&"Submit".to_string())
            && reasons.contains(&"JobStatusChanged".to_string()),
        "{reasons:?}"
    );
    assert_eq!(double.submissions("app").len(), 1);
}

/// A jar server for session jobs: serves `/jar` once `ready`, counting requests.
struct JarServer {
    url: String,
    hits: Arc<AtomicUsize>,
    ready: Arc<AtomicBool>,
    auth: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn jar_server(ready: bool) -> JarServer {
    let hits = Arc::new(AtomicUsize::new(0));
    let ready = Arc::new(AtomicBool::new(ready));
    let auth = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (h, r, a) = (hits.clone(), ready.clone(), auth.clone());
    let app = axum::Router::new().route(
        "/artifacts/job.jar",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let (h, r, a) = (h.clone(), r.clone(), a.clone());
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                if let Some(v) = headers.get("authorization") {
                    a.lock().unwrap().push(v.to_str().unwrap().to_string());
                }
                if r.load(Ordering::SeqCst) {
                    (axum::http::StatusCode::OK, b"PK jar bytes".to_vec())
                } else {
                    (axum::http::StatusCode::NOT_FOUND, Vec::new())
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/artifacts/job.jar",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    JarServer {
        url,
        hits,
        ready,
        auth,
    }
}

/// Options that let the operator fetch jars from an in-cluster http server
/// (docs/flink-kubernetes-operator.md §4: both operator options).
fn http_jars(crds: CrdVersion) -> KubeOptions {
    KubeOptions {
        allowed_schemes: vec!["https".into(), "http".into()],
        disallow_restricted_hosts: false,
        ..fast(crds)
    }
}

/// docs/flink-kubernetes-operator.md §4: a FlinkSessionJob waits (CREATED,
/// no error) until its session cluster exists and is READY; then the
/// operator downloads the jar over http — with the configured headers —
/// and the job runs.
#[tokio::test]
async fn session_job_waits_for_its_cluster_then_downloads_its_jar() {
    let jars = jar_server(true).await;
    let double = KubeDouble::start_with(http_jars(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let mut job = session_job("topspeed", "shared", &jars.url);
    job["spec"]["flinkConfiguration"] =
        json!({"kubernetes.operator.user.artifacts.http.header": "Authorization:Bearer xyz"});
    client
        .create(&format!("{FLINK}/flinksessionjobs"), &job)
        .await;
    let waiting = until(&double, "flinksessionjobs", "topspeed", "CREATED", |o| {
        lifecycle(o) == "CREATED"
    })
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let waiting_now = double
        .object("flinksessionjobs", "default", "topspeed")
        .unwrap();
    assert_eq!(lifecycle(&waiting_now), "CREATED");
    assert!(waiting["status"].get("error").is_none());
    assert_eq!(jars.hits.load(Ordering::SeqCst), 0);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("shared"),
        )
        .await;
    let running = until(&double, "flinksessionjobs", "topspeed", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    assert_eq!(jars.hits.load(Ordering::SeqCst), 1);
    assert_eq!(*jars.auth.lock().unwrap(), ["Bearer xyz"]);
    let fetched = double.fetched_jars();
    assert_eq!(
        (fetched[0].session_job.as_str(), fetched[0].bytes.as_slice()),
        ("topspeed", b"PK jar bytes".as_slice())
    );
    assert_eq!(
        running["metadata"]["finalizers"],
        json!(["flinksessionjobs.flink.apache.org/finalizer"])
    );
    let stable = until(&double, "flinksessionjobs", "topspeed", "STABLE", |o| {
        lifecycle(o) == "STABLE"
    })
    .await;
    assert!(
        stable["status"].get("clusterInfo").is_none(),
        "session jobs have no clusterInfo"
    );
}

/// docs/flink-kubernetes-operator.md §4: with the default operator options
/// an `http://` jarURI is refused by the scheme allowlist, an `https://` one
/// on a loopback host by the restricted-host check, a path without a
/// scheme too — each a ValidationError event and `status.error`.
#[tokio::test]
async fn jar_uri_allowlist_and_restricted_hosts() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("shared"),
        )
        .await;
    let cases = [
        (
            "plain",
            "http://sql-gateway.flink-jobs.svc.cluster.local:8080/artifacts/a.jar",
            "jarURI scheme 'http' is not in the allowlist [https]. Configure 'kubernetes.operator.user.artifacts.allowed-schemes' to extend the allowlist.",
        ),
        (
            "loopback",
            "https://127.0.0.1:8443/a.jar",
            "jarURI host '127.0.0.1' resolves to a restricted address",
        ),
        (
            "private",
            "https://10.1.2.3/a.jar",
            "jarURI host '10.1.2.3' resolves to a restricted address",
        ),
        (
            "schemeless",
            "/opt/flink/a.jar",
            "jarURI must include a scheme",
        ),
    ];
    for (name, uri, _) in cases {
        client
            .create(
                &format!("{FLINK}/flinksessionjobs"),
                &session_job(name, "shared", uri),
            )
            .await;
    }
    for (name, _, message) in cases {
        let failed = until(&double, "flinksessionjobs", name, "FAILED", |o| {
            lifecycle(o) == "FAILED"
        })
        .await;
        let error = error_of(&failed);
        assert_eq!(
            error["type"],
            "org.apache.flink.kubernetes.operator.exception.ValidationException"
        );
        assert_eq!(error["message"], message);
        let events = events(&client, name).await;
        assert_eq!(reasons(&events), ["ValidationError"]);
        assert_eq!(events[0]["type"], "Warning");
        assert_eq!(events[0]["message"], message);
    }
    assert!(double.fetched_jars().is_empty());
}

/// docs/flink-kubernetes-operator.md §4: a jar the operator cannot download
/// fails the deploy (status.error, a Warning Error event, lifecycle
/// UPGRADING) and is retried until it succeeds.
#[tokio::test]
async fn jar_download_failure_is_recorded_and_retried() {
    let jars = jar_server(false).await;
    let double = KubeDouble::start_with(http_jars(CrdVersion::Main));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("shared"),
        )
        .await;
    client
        .create(
            &format!("{FLINK}/flinksessionjobs"),
            &session_job("missing-jar", "shared", &jars.url),
        )
        .await;
    let failed = until(
        &double,
        "flinksessionjobs",
        "missing-jar",
        "an error",
        |o| o["status"]["error"].is_string(),
    )
    .await;
    let error = error_of(&failed);
    assert_eq!(
        error["type"],
        "org.apache.flink.kubernetes.operator.exception.ReconciliationException"
    );
    assert_eq!(
        error["message"],
        format!("java.io.FileNotFoundException: {}", jars.url)
    );
    assert_eq!(
        error["throwableList"][0]["type"],
        "java.io.FileNotFoundException"
    );
    assert_eq!(lifecycle(&failed), "UPGRADING");
    assert_eq!(job_state(&failed), "RECONCILING");
    assert!(reasons(&events(&client, "missing-jar").await).contains(&"Error".to_string()));
    jars.ready.store(true, Ordering::SeqCst);
    let running = until(&double, "flinksessionjobs", "missing-jar", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    assert!(
        running["status"].get("error").is_none(),
        "a successful deploy clears the error"
    );
    assert!(jars.hits.load(Ordering::SeqCst) >= 2);
}

/// docs/flink-kubernetes-operator.md §4 ("deploymentName: the name of the
/// session FlinkDeployment (one that has no `job`)"): a session job on an
/// application cluster is a validation error.
#[tokio::test]
async fn session_job_on_an_application_cluster_is_refused() {
    let double = KubeDouble::start_with(http_jars(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("app", "stateless"),
        )
        .await;
    client
        .create(
            &format!("{FLINK}/flinksessionjobs"),
            &session_job("lost", "app", "https://example.com/a.jar"),
        )
        .await;
    let failed = until(&double, "flinksessionjobs", "lost", "FAILED", |o| {
        lifecycle(o) == "FAILED"
    })
    .await;
    assert_eq!(
        error_of(&failed)["message"],
        "Can not submit session job to application cluster"
    );
}

/// docs/flink-kubernetes-operator.md §1, §2, §3: the operator's own
/// validation (no webhook): a missing flinkVersion, a forbidden config
/// key, savepoint mode without the state directories — each status.error
/// and lifecycle FAILED before the first deployment.
#[tokio::test]
async fn operator_validation_errors() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments");
    let mut no_version = session_cluster("no-version");
    no_version["spec"]
        .as_object_mut()
        .unwrap()
        .remove("flinkVersion");
    let mut forbidden = session_cluster("forbidden");
    forbidden["spec"]["flinkConfiguration"]["kubernetes.namespace"] = json!("other");
    let mut no_savepoint_dir = application("no-savepoint-dir", "savepoint");
    no_savepoint_dir["spec"]["flinkConfiguration"]
        .as_object_mut()
        .unwrap()
        .remove("state.savepoints.dir");
    let mut no_checkpoint_dir = application("no-checkpoint-dir", "last-state");
    no_checkpoint_dir["spec"]["flinkConfiguration"]
        .as_object_mut()
        .unwrap()
        .remove("state.checkpoints.dir");
    let mut no_memory = session_cluster("no-memory");
    no_memory["spec"]["taskManager"]["resource"]
        .as_object_mut()
        .unwrap()
        .remove("memory");
    let cases = [
        (no_version, "Flink Version must be defined."),
        (
            forbidden,
            "Forbidden Flink config key: kubernetes.namespace",
        ),
        (
            no_savepoint_dir,
            "Job could not be upgraded with savepoint while config key[execution.checkpointing.savepoint-dir] is not set",
        ),
        (
            no_checkpoint_dir,
            "Checkpoint directory[execution.checkpointing.dir] must be defined for last-state and savepoint upgrade modes",
        ),
        (
            no_memory,
            "TaskManager resource memory must be defined using `spec.taskManager.resource.memory`",
        ),
    ];
    for (object, _) in &cases {
        client.create(&path, object).await;
    }
    for (object, message) in &cases {
        let name = object["metadata"]["name"].as_str().unwrap();
        let failed = until(&double, "flinkdeployments", name, "FAILED", |o| {
            lifecycle(o) == "FAILED"
        })
        .await;
        assert_eq!(error_of(&failed)["message"], *message, "{name}");
        assert!(
            failed["status"]["reconciliationStatus"]
                .get("lastReconciledSpec")
                .is_none()
        );
    }
}

/// docs/flink-kubernetes-operator.md §7 (Suspend, Resume) and §6: suspend
/// with upgradeMode savepoint stops the job with a savepoint recorded in
/// `upgradeSavepointPath` and an UPGRADE FlinkStateSnapshot; the job shows
/// FINISHED and the lifecycle SUSPENDED; resume restores from that path.
#[tokio::test]
async fn suspend_with_savepoint_then_resume_restores_from_it() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/sp");
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("sp", "savepoint"),
        )
        .await;
    until(&double, "flinkdeployments", "sp", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(&path, &json!({"spec": {"job": {"state": "suspended"}}}))
        .await;
    let suspended = until(&double, "flinkdeployments", "sp", "SUSPENDED", |o| {
        lifecycle(o) == "SUSPENDED"
    })
    .await;
    let status = &suspended["status"];
    assert_eq!(
        job_state(&suspended),
        "FINISHED",
        "§6: a suspend is recorded as FINISHED"
    );
    assert_eq!(
        status["jobManagerDeploymentStatus"], "READY",
        "§7: savepoint mode keeps the cluster"
    );
    let savepoint = status["jobStatus"]["upgradeSavepointPath"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        savepoint.starts_with("s3://bucket/sp/savepoint-"),
        "{savepoint}"
    );
    assert_eq!(status["observedGeneration"], 2);
    let snapshots = double.objects("flinkstatesnapshots", "default");
    assert_eq!(snapshots.len(), 1);
    let name = snapshots[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(name.starts_with("sp-savepoint-upgrade-"), "{name}");
    let snapshot = until(&double, "flinkstatesnapshots", &name, "COMPLETED", |o| {
        o["status"]["state"] == "COMPLETED"
    })
    .await;
    assert_eq!(snapshot["status"]["path"], savepoint.as_str());
    assert_eq!(snapshot["spec"]["savepoint"]["alreadyExists"], true);
    assert_eq!(
        snapshot["metadata"]["labels"]["snapshot.trigger-type"],
        "UPGRADE"
    );
    assert_eq!(snapshot["metadata"]["labels"]["job-reference.name"], "sp");
    client
        .merge(&path, &json!({"spec": {"job": {"state": "running"}}}))
        .await;
    until(
        &double,
        "flinkdeployments",
        "sp",
        "STABLE and RUNNING",
        |o| lifecycle(o) == "STABLE" && job_state(o) == "RUNNING",
    )
    .await;
    let submissions = double.submissions("sp");
    assert_eq!(submissions.len(), 2);
    assert_eq!(submissions[0].savepoint, None);
    assert_eq!(
        submissions[1].savepoint.as_deref(),
        Some(savepoint.as_str())
    );
    assert_ne!(submissions[0].job_id, submissions[1].job_id);
}

/// docs/flink-kubernetes-operator.md §5, §6 (savepointInfo is legacy,
/// "populated only when snapshot CRs are disabled"): with
/// `kubernetes.operator.snapshot.resource.enabled: "false"` a suspend
/// records `savepointInfo.lastSavepoint`, and a savepointTriggerNonce
/// completes through `triggerId` into a MANUAL lastSavepoint.
#[tokio::test]
async fn legacy_savepoint_info_without_snapshot_resources() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/legacy");
    let mut object = application("legacy", "savepoint");
    object["spec"]["flinkConfiguration"]["kubernetes.operator.snapshot.resource.enabled"] =
        json!("false");
    client
        .create(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    until(&double, "flinkdeployments", "legacy", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(
            &path,
            &json!({"spec": {"job": {"savepointTriggerNonce": 7}}}),
        )
        .await;
    let done = until(
        &double,
        "flinkdeployments",
        "legacy",
        "a manual savepoint",
        |o| o["status"]["jobStatus"]["savepointInfo"]["lastSavepoint"]["triggerType"] == "MANUAL",
    )
    .await;
    let info = &done["status"]["jobStatus"]["savepointInfo"];
    assert_eq!(info["lastSavepoint"]["triggerNonce"], 7);
    assert!(info.get("triggerId").is_none());
    assert_eq!(info["savepointHistory"].as_array().unwrap().len(), 1);
    client
        .merge(&path, &json!({"spec": {"job": {"state": "suspended"}}}))
        .await;
    let suspended = until(&double, "flinkdeployments", "legacy", "SUSPENDED", |o| {
        lifecycle(o) == "SUSPENDED"
    })
    .await;
    let job = &suspended["status"]["jobStatus"];
    assert_eq!(
        job["savepointInfo"]["lastSavepoint"]["triggerType"],
        "UPGRADE"
    );
    assert_eq!(
        job["savepointInfo"]["lastSavepoint"]["location"],
        job["upgradeSavepointPath"]
    );
    assert!(double.objects("flinkstatesnapshots", "default").is_empty());
}

/// docs/flink-kubernetes-operator.md §7 (Manual savepoint): a new
/// savepointTriggerNonce makes the operator create
/// `<name>-savepoint-manual-<epochMs>`, findable by
/// `job-reference.name=<name>,snapshot.type=SAVEPOINT`, COMPLETED with a path.
#[tokio::test]
async fn savepoint_trigger_nonce_creates_a_manual_snapshot() {
    let double = KubeDouble::start_with(fast(CrdVersion::Main));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("nonce", "stateless"),
        )
        .await;
    until(&double, "flinkdeployments", "nonce", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(
            &format!("{FLINK}/flinkdeployments/nonce"),
            &json!({"spec": {"job": {"savepointTriggerNonce": 1}}}),
        )
        .await;
    let start = Instant::now();
    let snapshot = loop {
        let reply = client
            .get(&format!("{FLINK}/flinkstatesnapshots?labelSelector=job-reference.name%3Dnonce,snapshot.type%3DSAVEPOINT"))
            .await
            .json();
        if let Some(s) = reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["status"]["state"] == "COMPLETED")
        {
            break s.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no completed snapshot: {reply:#}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        snapshot["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("nonce-savepoint-manual-")
    );
    assert!(
        snapshot["status"]["path"]
            .as_str()
            .unwrap()
            .starts_with("s3://bucket/sp/savepoint-")
    );
    assert_eq!(
        snapshot["metadata"]["labels"]["snapshot.trigger-type"],
        "MANUAL"
    );
    assert_eq!(
        snapshot["metadata"]["labels"]["snapshot.state"],
        "COMPLETED"
    );
    let deployment = until(
        &double,
        "flinkdeployments",
        "nonce",
        "nonce recorded",
        |o| o["status"]["observedGeneration"] == 2,
    )
    .await;
    let last: Value = serde_json::from_str(
        deployment["status"]["reconciliationStatus"]["lastReconciledSpec"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["spec"]["job"]["savepointTriggerNonce"], 1);
    assert_eq!(
        job_state(&deployment),
        "RUNNING",
        "a manual savepoint does not stop the job"
    );
}

/// docs/flink-kubernetes-operator.md §5: a FlinkStateSnapshot for a running
/// job completes with a path; one for a missing job is a ValidationError
/// ("Target for snapshot ... was not found"); `alreadyExists` completes at once.
#[tokio::test]
async fn flink_state_snapshots_complete_or_are_refused() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("target", "stateless"),
        )
        .await;
    until(&double, "flinkdeployments", "target", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    let path = format!("{FLINK}/flinkstatesnapshots");
    let snapshot = |name: &str, job: &str, savepoint: Value| {
        json!({
            "apiVersion": "flink.apache.org/v1beta1",
            "kind": "FlinkStateSnapshot",
            "metadata": {"name": name},
            "spec": {"jobReference": {"kind": "FlinkDeployment", "name": job}, "savepoint": savepoint},
        })
    };
    client
        .create(&path, &snapshot("mine", "target", json!({})))
        .await;
    client
        .create(&path, &snapshot("orphan", "nope", json!({})))
        .await;
    client
        .create(
            &path,
            &snapshot(
                "imported",
                "nope",
                json!({"path": "s3://old/sp-1", "alreadyExists": true}),
            ),
        )
        .await;
    let mine = until(&double, "flinkstatesnapshots", "mine", "COMPLETED", |o| {
        o["status"]["state"] == "COMPLETED"
    })
    .await;
    assert!(
        mine["status"]["path"]
            .as_str()
            .unwrap()
            .starts_with("s3://bucket/sp/savepoint-")
    );
    assert!(
        mine["status"]["triggerId"].is_string() && mine["status"]["resultTimestamp"].is_string()
    );
    assert_eq!(
        mine["metadata"]["labels"]["job-reference.kind"],
        "FlinkDeployment"
    );
    let imported = until(
        &double,
        "flinkstatesnapshots",
        "imported",
        "COMPLETED",
        |o| o["status"]["state"] == "COMPLETED",
    )
    .await;
    assert_eq!(imported["status"]["path"], "s3://old/sp-1");
    let start = Instant::now();
    let refused = loop {
        let found = events(&client, "orphan").await;
        if !found.is_empty() {
            break found;
        }
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(refused[0]["reason"], "ValidationError");
    assert_eq!(
        refused[0]["message"],
        "Target for snapshot default/nope was not found"
    );
    assert_eq!(
        double
            .object("flinkstatesnapshots", "default", "orphan")
            .unwrap()["status"]["state"],
        "TRIGGER_PENDING"
    );
}

/// docs/flink-kubernetes-operator.md §8: a bounded job FINISHES on its own;
/// the lifecycle stays STABLE (there is no FINISHED lifecycle state) and
/// the CR is never deleted by the operator; a spec change re-runs it.
#[tokio::test]
async fn bounded_job_finishes_and_reruns_on_a_spec_change() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    double.finish_after("batch", Duration::from_millis(50));
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("batch", "stateless"),
        )
        .await;
    let finished = until(&double, "flinkdeployments", "batch", "FINISHED", |o| {
        job_state(o) == "FINISHED"
    })
    .await;
    assert_eq!(lifecycle(&finished), "STABLE");
    assert_eq!(
        finished["status"]["jobManagerDeploymentStatus"], "READY",
        "§8.1: the cluster is kept"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(
        double
            .object("flinkdeployments", "default", "batch")
            .is_some(),
        "§8.4: the CR stays"
    );
    let first_job = finished["status"]["jobStatus"]["jobId"].clone();
    client
        .merge(
            &format!("{FLINK}/flinkdeployments/batch"),
            &json!({"spec": {"image": "flink:1.20.1"}}),
        )
        .await;
    let rerun = until(
        &double,
        "flinkdeployments",
        "batch",
        "a second run finished",
        |o| job_state(o) == "FINISHED" && o["status"]["jobStatus"]["jobId"] != first_job,
    )
    .await;
    assert_eq!(rerun["status"]["observedGeneration"], 2);
    assert_eq!(double.submissions("batch").len(), 2);
}

/// docs/flink-kubernetes-operator.md §6 (`error` is a JSON string;
/// lifecycle FAILED when the job FAILED): a failing job.
#[tokio::test]
async fn failing_job_records_the_error() {
    let double = KubeDouble::start_with(fast(CrdVersion::Main));
    let client = Client::new(&double);
    double.fail_after("doomed", Duration::ZERO, "java.lang.RuntimeException: boom");
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("doomed", "stateless"),
        )
        .await;
    let failed = until(&double, "flinkdeployments", "doomed", "FAILED", |o| {
        job_state(o) == "FAILED"
    })
    .await;
    assert_eq!(lifecycle(&failed), "FAILED");
    let error = error_of(&failed);
    assert_eq!(error["type"], "org.apache.flink.util.SerializedThrowable");
    assert_eq!(
        error["throwableList"][0]["message"],
        "java.lang.RuntimeException: boom"
    );
    assert!(reasons(&events(&client, "doomed").await).contains(&"Error".to_string()));
}

/// docs/flink-kubernetes-operator.md §6 ("The operator has acted on my
/// edit" means observedGeneration == generation and DEPLOYED) and §7
/// (Upgrade): a spec change suspends and redeploys, a SpecChanged event.
#[tokio::test]
async fn spec_change_upgrades_and_observed_generation_follows() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("upgrade", "stateless"),
        )
        .await;
    let first = until(&double, "flinkdeployments", "upgrade", "STABLE", |o| {
        lifecycle(o) == "STABLE"
    })
    .await;
    let changed = client
        .merge(
            &format!("{FLINK}/flinkdeployments/upgrade"),
            &json!({"spec": {"job": {"parallelism": 4}}}),
        )
        .await
        .json();
    assert_eq!(changed["metadata"]["generation"], 2);
    let done = until(
        &double,
        "flinkdeployments",
        "upgrade",
        "acted on generation 2",
        |o| {
            o["status"]["observedGeneration"] == 2
                && o["status"]["reconciliationStatus"]["state"] == "DEPLOYED"
                && job_state(o) == "RUNNING"
        },
    )
    .await;
    assert_ne!(
        done["status"]["jobStatus"]["jobId"],
        first["status"]["jobStatus"]["jobId"]
    );
    assert_eq!(done["status"]["taskManager"]["replicas"], 2);
    let events = events(&client, "upgrade").await;
    let spec_changed = events
        .iter()
        .find(|e| e["reason"] == "SpecChanged")
        .expect("a SpecChanged event");
    assert!(
        spec_changed["message"]
            .as_str()
            .unwrap()
            .contains("job.parallelism : 2 -> 4"),
        "{spec_changed:#}"
    );
    assert!(reasons(&events).contains(&"Suspended".to_string()));
}

/// docs/flink-kubernetes-operator.md §7 (Cancel, keep the CR): stateless +
/// suspended cancels without a savepoint and deletes the cluster; resuming
/// starts a fresh job.
#[tokio::test]
async fn stateless_suspend_cancels_and_resume_starts_fresh() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/cancel");
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("cancel", "stateless"),
        )
        .await;
    until(&double, "flinkdeployments", "cancel", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(&path, &json!({"spec": {"job": {"state": "suspended"}}}))
        .await;
    let suspended = until(&double, "flinkdeployments", "cancel", "SUSPENDED", |o| {
        lifecycle(o) == "SUSPENDED"
    })
    .await;
    assert_eq!(suspended["status"]["jobManagerDeploymentStatus"], "MISSING");
    assert!(
        suspended["status"]["jobStatus"]
            .get("upgradeSavepointPath")
            .is_none()
    );
    assert_eq!(
        suspended["status"]["taskManager"],
        json!({"labelSelector": "", "replicas": 0})
    );
    client
        .merge(&path, &json!({"spec": {"job": {"state": "running"}}}))
        .await;
    until(
        &double,
        "flinkdeployments",
        "cancel",
        "RUNNING again",
        |o| job_state(o) == "RUNNING" && lifecycle(o) == "STABLE",
    )
    .await;
    let submissions = double.submissions("cancel");
    assert_eq!(
        submissions
            .iter()
            .map(|s| s.savepoint.clone())
            .collect::<Vec<_>>(),
        [None, None]
    );
}

/// docs/flink-kubernetes-operator.md §4 (deleting a session FlinkDeployment
/// is blocked while FlinkSessionJobs run) and §7 (Cancel and remove): the
/// finalizer stays with a CleanupFailed event until the jobs are deleted;
/// then both go.
#[tokio::test]
async fn deleting_a_session_cluster_waits_for_its_session_jobs() {
    let jars = jar_server(true).await;
    let double = KubeDouble::start_with(http_jars(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("shared"),
        )
        .await;
    client
        .create(
            &format!("{FLINK}/flinksessionjobs"),
            &session_job("job-a", "shared", &jars.url),
        )
        .await;
    until(&double, "flinksessionjobs", "job-a", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .delete(&format!("{FLINK}/flinkdeployments/shared"))
        .await;
    let blocked = until(&double, "flinkdeployments", "shared", "DELETING", |o| {
        lifecycle(o) == "DELETING"
    })
    .await;
    assert!(blocked["metadata"]["deletionTimestamp"].is_string());
    let events = events(&client, "shared").await;
    let failed = events
        .iter()
        .find(|e| e["reason"] == "CleanupFailed")
        .expect("CleanupFailed");
    assert_eq!(
        failed["message"],
        "The session jobs [job-a] should be deleted first"
    );
    client
        .delete(&format!("{FLINK}/flinksessionjobs/job-a"))
        .await;
    let start = Instant::now();
    while double
        .object("flinkdeployments", "default", "shared")
        .is_some()
        || double
            .object("flinksessionjobs", "default", "job-a")
            .is_some()
    {
        assert!(start.elapsed() < Duration::from_secs(5), "never deleted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        client
            .get(&format!("{FLINK}/flinkdeployments/shared"))
            .await
            .status,
        404
    );
}

/// docs/flink-kubernetes-operator.md §3, §7 (Suspend with `last-state`):
/// the cluster is deleted keeping HA metadata, and the resumed job keeps
/// its JobID (restored from HA, not a savepoint).
#[tokio::test]
async fn last_state_suspend_keeps_the_job_id() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/ha");
    let mut object = application("ha", "last-state");
    object["spec"]["flinkConfiguration"]["high-availability.type"] = json!("kubernetes");
    object["spec"]["flinkConfiguration"]["high-availability.storageDir"] = json!("s3://bucket/ha");
    client
        .create(&format!("{FLINK}/flinkdeployments"), &object)
        .await;
    let running = until(&double, "flinkdeployments", "ha", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(&path, &json!({"spec": {"job": {"state": "suspended"}}}))
        .await;
    let suspended = until(&double, "flinkdeployments", "ha", "SUSPENDED", |o| {
        lifecycle(o) == "SUSPENDED"
    })
    .await;
    assert_eq!(suspended["status"]["jobManagerDeploymentStatus"], "MISSING");
    client
        .merge(&path, &json!({"spec": {"job": {"state": "running"}}}))
        .await;
    let resumed = until(&double, "flinkdeployments", "ha", "RUNNING again", |o| {
        job_state(o) == "RUNNING" && lifecycle(o) == "STABLE"
    })
    .await;
    assert_eq!(
        resumed["status"]["jobStatus"]["jobId"],
        running["status"]["jobStatus"]["jobId"]
    );
    let last: Value = serde_json::from_str(
        resumed["status"]["reconciliationStatus"]["lastReconciledSpec"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["spec"]["job"]["upgradeMode"], "last-state");
    assert_eq!(
        double
            .submissions("ha")
            .iter()
            .map(|s| s.savepoint.clone())
            .collect::<Vec<_>>(),
        [None, None]
    );
}

/// docs/flink-kubernetes-operator.md §3, §7 (Redeploy from a path):
/// `initialSavepointPath` with a new `savepointRedeployNonce` redeploys
/// from that path; without a path it is a validation error.
#[tokio::test]
async fn savepoint_redeploy_nonce_redeploys_from_the_initial_path() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    let path = format!("{FLINK}/flinkdeployments/redeploy");
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("redeploy", "savepoint"),
        )
        .await;
    until(&double, "flinkdeployments", "redeploy", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(
            &path,
            &json!({"spec": {"job": {"savepointRedeployNonce": 1}}}),
        )
        .await;
    let refused = until(&double, "flinkdeployments", "redeploy", "an error", |o| {
        o["status"]["error"].is_string()
    })
    .await;
    assert_eq!(
        error_of(&refused)["message"],
        "InitialSavepointPath must not be empty for savepoint redeployment"
    );
    assert_eq!(
        job_state(&refused),
        "RUNNING",
        "the last valid spec stays in force"
    );
    client
        .merge(&path, &json!({"spec": {"job": {"initialSavepointPath": "s3://bucket/sp/savepoint-abc", "savepointRedeployNonce": 2}}}))
        .await;
    let redeployed = until(&double, "flinkdeployments", "redeploy", "redeployed", |o| {
        o["status"]["observedGeneration"] == 3 && job_state(o) == "RUNNING"
    })
    .await;
    assert_eq!(
        redeployed["status"]["jobStatus"]["upgradeSavepointPath"],
        "s3://bucket/sp/savepoint-abc"
    );
    assert!(redeployed["status"].get("error").is_none());
    let submissions = double.submissions("redeploy");
    assert_eq!(
        submissions.last().unwrap().savepoint.as_deref(),
        Some("s3://bucket/sp/savepoint-abc")
    );
}

/// docs/flink-kubernetes-operator.md §3 (`checkpointTriggerNonce`, "the
/// same mechanism, but for a checkpoint") and §5: a checkpoint snapshot.
#[tokio::test]
async fn checkpoint_trigger_nonce_creates_a_checkpoint_snapshot() {
    let double = KubeDouble::start_with(fast(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &application("chk", "stateless"),
        )
        .await;
    until(&double, "flinkdeployments", "chk", "RUNNING", |o| {
        job_state(o) == "RUNNING"
    })
    .await;
    client
        .merge(
            &format!("{FLINK}/flinkdeployments/chk"),
            &json!({"spec": {"job": {"checkpointTriggerNonce": 5}}}),
        )
        .await;
    let start = Instant::now();
    let snapshot = loop {
        let found = double.objects("flinkstatesnapshots", "default");
        if let Some(s) = found.iter().find(|s| s["status"]["state"] == "COMPLETED") {
            break s.clone();
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{found:#?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        snapshot["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("chk-checkpoint-manual-")
    );
    assert_eq!(snapshot["spec"]["checkpoint"], json!({}));
    assert_eq!(
        snapshot["metadata"]["labels"]["snapshot.type"],
        "CHECKPOINT"
    );
    assert!(
        snapshot["status"]["path"]
            .as_str()
            .unwrap()
            .starts_with("s3://bucket/ckpt/")
    );
}

/// docs/flink-kubernetes-operator.md §1 ("It keeps reconciling the last
/// valid spec") and §4 (`deploymentName` is immutable): a validation error
/// after the first deployment sets status.error and changes nothing else.
#[tokio::test]
async fn validation_errors_after_deployment_keep_the_last_valid_spec() {
    let jars = jar_server(true).await;
    let double = KubeDouble::start_with(http_jars(CrdVersion::Release1_15));
    let client = Client::new(&double);
    client
        .create(
            &format!("{FLINK}/flinkdeployments"),
            &session_cluster("shared"),
        )
        .await;
    client
        .create(
            &format!("{FLINK}/flinksessionjobs"),
            &session_job("pinned", "shared", &jars.url),
        )
        .await;
    until(&double, "flinksessionjobs", "pinned", "STABLE", |o| {
        lifecycle(o) == "STABLE"
    })
    .await;
    client
        .merge(
            &format!("{FLINK}/flinksessionjobs/pinned"),
            &json!({"spec": {"deploymentName": "other"}}),
        )
        .await;
    let refused = until(&double, "flinksessionjobs", "pinned", "an error", |o| {
        o["status"]["error"].is_string()
    })
    .await;
    assert_eq!(
        error_of(&refused)["message"],
        "The deploymentName can't be changed"
    );
    assert_eq!(
        (lifecycle(&refused), job_state(&refused)),
        ("STABLE", "RUNNING")
    );
    assert_eq!(refused["status"]["observedGeneration"], 1);
    client
        .merge(
            &format!("{FLINK}/flinkdeployments/shared"),
            &json!({"spec": {"flinkVersion": "v1_14"}}),
        )
        .await;
    let cluster = until(&double, "flinkdeployments", "shared", "an error", |o| {
        o["status"]["error"].is_string()
    })
    .await;
    assert_eq!(
        error_of(&cluster)["message"],
        "Flink version v1_14 is not supported by this operator version"
    );
    assert_eq!(cluster["status"]["jobManagerDeploymentStatus"], "READY");
}
