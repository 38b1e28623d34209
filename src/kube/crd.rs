//! Typed views of the Flink Kubernetes Operator's resources: the part of
//! each `spec` scaleph writes and the part of each `status` it reads
//! (`docs/flink-kubernetes-operator.md` §2–§6).
//!
//! The client itself moves `serde_json::Value`s ([`super::Kube`]); these
//! structs are what the layers above build a spec from and read a status
//! with. They cover both operator releases scaleph is tested against
//! (`tests/support/kube/crds`: 1.15.0 and main), which is why they are
//! written by hand rather than generated from one CRD: only fields both
//! releases know are written (`jobManager.resource`, never main's
//! `resources`, §0), and reading is tolerant — unknown fields are
//! ignored, absent ones take their defaults, and `flinkConfiguration`
//! accepts the structured YAML newer operators allow — so that a newer
//! operator's status never breaks a reader.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The label saying who manages a resource; scaleph's objects carry
/// [`MANAGED_BY`] as its value (the Kubernetes recommended label).
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// The value of [`MANAGED_BY_LABEL`] on scaleph's objects.
pub const MANAGED_BY: &str = "scaleph";
/// The label naming the scaleph job a resource runs.
pub const JOB_LABEL: &str = "scaleph.io/job";
/// The label naming the scaleph cluster a resource belongs to.
pub const CLUSTER_LABEL: &str = "scaleph.io/cluster";

/// `spec.flinkVersion` values the 1.15.0 CRD accepts (`v1_13`/`v1_14`
/// pass the schema but the operator refuses them, §2).
pub const FLINK_VERSIONS_1_15: &[&str] = &[
    "v1_13", "v1_14", "v1_15", "v1_16", "v1_17", "v1_18", "v1_19", "v1_20", "v2_0", "v2_1", "v2_2",
];
/// `spec.flinkVersion` values the main CRD accepts: 1.15.0's plus `v2_3`
/// and `v2_4` (§0).
pub const FLINK_VERSIONS_MAIN: &[&str] = &[
    "v1_13", "v1_14", "v1_15", "v1_16", "v1_17", "v1_18", "v1_19", "v1_20", "v2_0", "v2_1", "v2_2",
    "v2_3", "v2_4",
];

/// A FlinkDeployment's `spec` (§2): a session cluster without `job`, an
/// application cluster with one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlinkDeploymentSpec {
    /// The Flink image of the JobManager and TaskManager pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The pods' image pull policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// `v1_20`, `v2_1`…: see [`FLINK_VERSIONS_1_15`] and [`FLINK_VERSIONS_MAIN`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flink_version: Option<String>,
    /// The service account of the Flink pods (required by the operator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// Flink configuration and per-resource `kubernetes.operator.*`
    /// options, always as strings (§0).
    #[serde(
        deserialize_with = "flat_configuration",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub flink_configuration: BTreeMap<String, String>,
    /// The JobManager's resources and replicas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_manager: Option<JobManagerSpec>,
    /// The TaskManagers' resources and replicas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_manager: Option<TaskManagerSpec>,
    /// A PodTemplateSpec for both (its main container is
    /// `flink-main-container`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_template: Option<Value>,
    /// The ingress of the Flink UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Value>,
    /// The job of an application cluster; `None` is a session cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobSpec>,
    /// `native` (the default) or `standalone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Changed to restart the cluster (by the job's upgrade mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_nonce: Option<i64>,
}

/// `spec.jobManager`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobManagerSpec {
    /// CPU and memory (`resource`, which both releases know; not main's
    /// `resources`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// More than one needs HA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// A PodTemplateSpec for the JobManager pod, over the spec's
    /// `podTemplate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_template: Option<Value>,
}

/// `spec.taskManager`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskManagerSpec {
    /// CPU and memory of each TaskManager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// When set, overrides the parallelism the job derives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// A PodTemplateSpec for the TaskManager pods, over the spec's
    /// `podTemplate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_template: Option<Value>,
}

/// A pod's `resource`: CPUs and a memory size (`2048m`, `2g`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resource {
    /// CPUs (a fraction is allowed).
    pub cpu: f64,
    /// Memory, a Flink memory size or a Kubernetes quantity.
    pub memory: String,
}

/// `spec.job` of a FlinkDeployment or a FlinkSessionJob (§3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobSpec {
    /// The job jar: `local://` inside the image for an application, an
    /// `https://` URL (by default) the operator downloads for a session job.
    #[serde(rename = "jarURI", skip_serializing_if = "Option::is_none")]
    pub jar_uri: Option<String>,
    /// The main class; `None` uses the jar manifest's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
    /// The arguments of `main()`.
    pub args: Vec<String>,
    /// The job's parallelism (must be positive unless TaskManager replicas are set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// `stateless`, `savepoint` or `last-state`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_mode: Option<String>,
    /// The desired state: `running` or `suspended`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// A new value triggers a manual savepoint (deprecated for
    /// FlinkStateSnapshot, still honoured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub savepoint_trigger_nonce: Option<i64>,
    /// The savepoint of the first deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_savepoint_path: Option<String>,
    /// Whether state of removed operators may be skipped on restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_non_restored_state: Option<bool>,
}

/// A FlinkSessionJob's `spec` (§4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlinkSessionJobSpec {
    /// The session cluster's FlinkDeployment (immutable).
    pub deployment_name: String,
    /// The job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobSpec>,
    /// Job-level configuration, as strings.
    #[serde(
        deserialize_with = "flat_configuration",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub flink_configuration: BTreeMap<String, String>,
}

/// The `status` fields FlinkDeployment and FlinkSessionJob share (§6;
/// `jobManagerDeploymentStatus` is a FlinkDeployment's only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CommonStatus {
    /// The Flink job, as the operator last observed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_status: Option<JobStatus>,
    /// The last error: a JSON string, read it with [`super::operator_error`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The `metadata.generation` the operator last acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `CREATED SUSPENDED UPGRADING DEPLOYED STABLE ROLLING_BACK
    /// ROLLED_BACK FAILED DELETING DELETED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_state: Option<String>,
    /// `READY DEPLOYED_NOT_READY DEPLOYING MISSING ERROR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_manager_deployment_status: Option<String>,
    /// Where reconciling the spec stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation_status: Option<ReconciliationStatus>,
}

/// `status.jobStatus`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobStatus {
    /// The job's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    /// The Flink JobID (32 hex digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Flink's JobStatus (`RUNNING`, `FINISHED`…; `RECONCILING` while the
    /// operator deploys). A suspend records `FINISHED`: tell them apart
    /// by the lifecycle state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Epoch milliseconds, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Epoch milliseconds, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// The savepoint taken by the last suspend or upgrade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_savepoint_path: Option<String>,
    /// The legacy savepoint record (only without snapshot resources).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub savepoint_info: Option<Value>,
}

/// `status.reconciliationStatus`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReconciliationStatus {
    /// `DEPLOYED UPGRADING ROLLING_BACK ROLLED_BACK`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The spec last acted on, as a JSON string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reconciled_spec: Option<String>,
}

/// A FlinkStateSnapshot's `spec` (§5): a savepoint or checkpoint of one job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlinkStateSnapshotSpec {
    /// The FlinkDeployment or FlinkSessionJob whose job it is.
    pub job_reference: JobReference,
    /// Present for a savepoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub savepoint: Option<SavepointSpec>,
    /// Present (`{}`) for a checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Value>,
    /// Retries: -1 unlimited (the default), 0 none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<i64>,
}

/// `spec.jobReference` of a FlinkStateSnapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobReference {
    /// `FlinkDeployment` or `FlinkSessionJob`.
    pub kind: String,
    /// The resource's name.
    pub name: String,
}

/// `spec.savepoint` of a FlinkStateSnapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavepointSpec {
    /// Where to write it (else `state.savepoints.dir`); with
    /// `already_exists`, where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `CANONICAL` or `NATIVE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_type: Option<String>,
    /// Whether deleting the resource disposes of the savepoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispose_on_delete: Option<bool>,
    /// Records an existing savepoint instead of taking one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_exists: Option<bool>,
}

/// A FlinkStateSnapshot's `status`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlinkStateSnapshotStatus {
    /// `TRIGGER_PENDING IN_PROGRESS COMPLETED FAILED ABANDONED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The savepoint's or checkpoint's location, once COMPLETED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Flink's trigger id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_id: Option<String>,
}

/// Whether the operator has acted on the object's current spec:
/// `status.observedGeneration == metadata.generation` and
/// `reconciliationStatus.state == DEPLOYED` (§6).
pub fn reconciled(obj: &Value) -> bool {
    let status = status(obj);
    let generation = obj["metadata"]["generation"].as_i64();
    generation.is_some()
        && status.observed_generation == generation
        && status
            .reconciliation_status
            .and_then(|r| r.state)
            .is_some_and(|s| s == "DEPLOYED")
}

/// The object's `status`, read tolerantly: a status this client cannot
/// read (none yet, or a field of an unexpected type) is the default.
pub fn status(obj: &Value) -> CommonStatus {
    obj.get("status")
        .and_then(|s| CommonStatus::deserialize(s).ok())
        .unwrap_or_default()
}

/// The object's labels (values that are not strings are left out).
pub fn labels(obj: &Value) -> BTreeMap<String, String> {
    obj["metadata"]["labels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// `flinkConfiguration` as the flat string map Flink reads: operators from
/// 1.13 accept structured YAML (`{"taskmanager": {"numberOfTaskSlots": 4}}`),
/// which is flattened to dotted keys, and scalars become their text, as
/// the operator does; `null` is no configuration.
fn flat_configuration<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    flatten(&key(k), v, out);
                }
            }
            Value::Null => {}
            Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let value = Value::deserialize(deserializer)?;
    let mut out = BTreeMap::new();
    if value.is_object() {
        flatten("", &value, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The example manifests the double's tests send (`tests/support/kube/examples`).
    fn example(file: &str) -> Vec<Value> {
        let path = format!(
            "{}/tests/support/kube/examples/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("the example");
        serde_json::from_str(&text).expect("JSON")
    }

    /// Asserts `spec` survives typed reading: every field the typed struct
    /// knows is written back as it was (numbers compared as numbers).
    fn assert_round_trip<T>(spec: &Value)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let typed: T = serde_json::from_value(spec.clone()).expect("typed");
        let written = serde_json::to_value(&typed).expect("serialize");
        let again: T = serde_json::from_value(written.clone()).expect("typed again");
        assert_eq!(typed, again);
        assert_subset(&written, spec, "spec");
    }

    /// Every leaf of `written` is in `original` with an equal value.
    fn assert_subset(written: &Value, original: &Value, path: &str) {
        match (written, original) {
            (Value::Object(w), Value::Object(o)) => {
                for (k, v) in w {
                    let o = o
                        .get(k)
                        .unwrap_or_else(|| panic!("{path}.{k} was invented"));
                    assert_subset(v, o, &format!("{path}.{k}"));
                }
            }
            (Value::Number(w), Value::Number(o)) => {
                assert_eq!(w.as_f64(), o.as_f64(), "{path}");
            }
            (w, o) => assert_eq!(w, o, "{path}"),
        }
    }

    #[test]
    fn crd_example_specs_round_trip() {
        let session = example("session-cluster-and-sessionjob.json");
        assert_round_trip::<FlinkDeploymentSpec>(&session[0]["spec"]);
        assert_round_trip::<FlinkSessionJobSpec>(&session[1]["spec"]);
        let typed: FlinkSessionJobSpec =
            serde_json::from_value(session[1]["spec"].clone()).unwrap();
        assert_eq!(typed.deployment_name, "shared-session");
        let job = typed.job.unwrap();
        assert_eq!(job.parallelism, Some(2));
        assert!(job.jar_uri.unwrap().starts_with("http://"));

        for document in example("sql-runner-application.json") {
            if document["kind"] == "FlinkDeployment" {
                assert_round_trip::<FlinkDeploymentSpec>(&document["spec"]);
                let typed: FlinkDeploymentSpec =
                    serde_json::from_value(document["spec"].clone()).unwrap();
                let job = typed.job.expect("an application");
                assert_eq!(
                    job.jar_uri.as_deref(),
                    document["spec"]["job"]["jarURI"].as_str()
                );
                assert!(typed.job_manager.unwrap().resource.unwrap().cpu > 0.0);
            }
        }
    }

    #[test]
    fn crd_spec_writes_only_what_is_set_in_camel_case() {
        let spec = FlinkDeploymentSpec {
            flink_version: Some("v1_20".into()),
            service_account: Some("flink".into()),
            job: Some(JobSpec {
                jar_uri: Some("local:///opt/flink/usrlib/sql-runner.jar".into()),
                upgrade_mode: Some("savepoint".into()),
                savepoint_trigger_nonce: Some(3),
                ..JobSpec::default()
            }),
            ..FlinkDeploymentSpec::default()
        };
        assert_eq!(
            serde_json::to_value(&spec).unwrap(),
            json!({
                "flinkVersion": "v1_20",
                "serviceAccount": "flink",
                "job": {
                    "jarURI": "local:///opt/flink/usrlib/sql-runner.jar",
                    "args": [],
                    "upgradeMode": "savepoint",
                    "savepointTriggerNonce": 3,
                }
            })
        );
    }

    #[test]
    fn crd_flink_configuration_accepts_structured_yaml() {
        let spec: FlinkDeploymentSpec = serde_json::from_value(json!({
            "flinkConfiguration": {
                "taskmanager": {"numberOfTaskSlots": 4},
                "state.savepoints.dir": "s3://b/sp",
                "pipeline.object-reuse": true,
                "unset": null,
            },
            "unknownField": {"from": "a newer operator"},
        }))
        .unwrap();
        assert_eq!(
            spec.flink_configuration,
            BTreeMap::from([
                ("pipeline.object-reuse".to_string(), "true".to_string()),
                ("state.savepoints.dir".to_string(), "s3://b/sp".to_string()),
                ("taskmanager.numberOfTaskSlots".to_string(), "4".to_string()),
            ])
        );
    }

    /// The status shapes of §6: an application that runs, its reconcile
    /// state, and an object the operator has not acted on yet.
    #[test]
    fn crd_status_reads_the_operator_shapes() {
        let obj = json!({
            "metadata": {"name": "app", "generation": 2, "labels": {"scaleph.io/job": "j", "n": 1}},
            "status": {
                "jobStatus": {
                    "jobName": "app", "jobId": "0123456789abcdef0123456789abcdef",
                    "state": "RUNNING", "startTime": "1700000000000", "updateTime": "1700000001000",
                    "savepointInfo": {"lastPeriodicSavepointTimestamp": 0, "savepointHistory": []},
                    "checkpointInfo": {"lastPeriodicCheckpointTimestamp": 0},
                },
                "error": null,
                "observedGeneration": 2,
                "lifecycleState": "STABLE",
                "clusterInfo": {"flink-version": "1.20.1"},
                "jobManagerDeploymentStatus": "READY",
                "reconciliationStatus": {
                    "reconciliationTimestamp": 1700000000000_i64,
                    "lastReconciledSpec": "{\"spec\":{}}",
                    "lastStableSpec": "{\"spec\":{}}",
                    "state": "DEPLOYED",
                },
                "taskManager": {"labelSelector": "component=taskmanager", "replicas": 1},
                "conditions": [],
            }
        });
        let s = status(&obj);
        let job = s.job_status.clone().unwrap();
        assert_eq!(job.state.as_deref(), Some("RUNNING"));
        assert_eq!(job.job_id.unwrap().len(), 32);
        assert!(job.savepoint_info.is_some());
        assert_eq!(s.lifecycle_state.as_deref(), Some("STABLE"));
        assert_eq!(s.job_manager_deployment_status.as_deref(), Some("READY"));
        assert!(reconciled(&obj));
        assert_eq!(
            labels(&obj),
            BTreeMap::from([("scaleph.io/job".to_string(), "j".to_string())])
        );

        let mut edited = obj.clone();
        edited["metadata"]["generation"] = json!(3);
        assert!(
            !reconciled(&edited),
            "a newer generation is not acted on yet"
        );
        let mut upgrading = obj.clone();
        upgrading["status"]["reconciliationStatus"]["state"] = json!("UPGRADING");
        assert!(!reconciled(&upgrading));
        let fresh = json!({"metadata": {"name": "x", "generation": 1}});
        assert!(!reconciled(&fresh));
        assert_eq!(status(&fresh), CommonStatus::default());
        let odd = json!({"metadata": {"generation": 1}, "status": {"observedGeneration": "1"}});
        assert_eq!(
            status(&odd),
            CommonStatus::default(),
            "tolerant of odd types"
        );
    }

    #[test]
    fn crd_state_snapshot_round_trips() {
        let spec = json!({
            "jobReference": {"kind": "FlinkDeployment", "name": "app"},
            "savepoint": {"path": "s3://b/sp", "formatType": "CANONICAL", "disposeOnDelete": false, "alreadyExists": false},
            "backoffLimit": 0,
        });
        assert_round_trip::<FlinkStateSnapshotSpec>(&spec);
        let checkpoint =
            json!({"jobReference": {"kind": "FlinkSessionJob", "name": "j"}, "checkpoint": {}});
        assert_round_trip::<FlinkStateSnapshotSpec>(&checkpoint);
        let status: FlinkStateSnapshotStatus = serde_json::from_value(json!({
            "state": "COMPLETED", "path": "s3://b/sp/savepoint-1", "triggerId": "t1",
            "triggerTimestamp": "2026-01-01T00:00:00Z", "failures": 0,
        }))
        .unwrap();
        assert_eq!(status.state.as_deref(), Some("COMPLETED"));
        assert_eq!(status.path.as_deref(), Some("s3://b/sp/savepoint-1"));
        assert_eq!(status.trigger_id.as_deref(), Some("t1"));
    }

    #[test]
    fn crd_flink_versions_follow_the_crds() {
        for (dir, versions) in [
            ("release-1.15.0", FLINK_VERSIONS_1_15),
            ("main-6e9caeb4", FLINK_VERSIONS_MAIN),
        ] {
            let path = format!(
                "{}/tests/support/kube/crds/{dir}/flinkdeployments.flink.apache.org.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let crd: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
            let listed: Vec<&str> =
                schema["properties"]["spec"]["properties"]["flinkVersion"]["enum"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
            assert_eq!(listed, versions, "{dir}");
        }
    }
}
