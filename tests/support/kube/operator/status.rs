//! The operator's status vocabulary on JSON: the effective Flink
//! configuration of a spec, JobSpec defaults, `lastReconciledSpec` and its
//! metadata, the lifecycle state (`CommonStatus#getLifecycleState`), spec
//! diffs (`@SpecDiff` annotations), and `status.error` as
//! `FlinkResourceException` JSON. Sources: docs/flink-kubernetes-operator.md §2, §3, §6 and the
//! classes named on each item (`release-1.15.0`).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

/// The JOSDK finalizer of a kind (`<plural>.<group>/finalizer`).
pub fn finalizer(plural: &str) -> String {
    format!("{plural}.flink.apache.org/finalizer")
}

/// A `flinkConfiguration` flattened to `key -> value` (nested YAML joined
/// with dots, scalars as strings), as `ConfigObjectNode#asFlatMap` does.
pub fn flat_config(spec: &Json) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &Json, out: &mut BTreeMap<String, String>) {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            Json::Null => {}
            Json::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", &spec["flinkConfiguration"], &mut out);
    out
}

/// A Flink option with its deprecated fallback keys (first set wins).
pub fn option<'a>(config: &'a BTreeMap<String, String>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| config.get(*k).map(String::as_str))
        .filter(|v| !v.trim().is_empty())
}

/// `execution.checkpointing.savepoint-dir` (`state.savepoints.dir`).
pub const SAVEPOINT_DIR: &[&str] = &[
    "execution.checkpointing.savepoint-dir",
    "state.savepoints.dir",
];
/// `execution.checkpointing.dir` (`state.checkpoints.dir`).
pub const CHECKPOINT_DIR: &[&str] = &["execution.checkpointing.dir", "state.checkpoints.dir"];

/// Whether an operator boolean option is on (`default` when unset).
pub fn flag(config: &BTreeMap<String, String>, key: &str, default: bool) -> bool {
    config
        .get(key)
        .map(|v| v.eq_ignore_ascii_case("true"))
        .unwrap_or(default)
}

/// The JobSpec with the Java defaults filled in (`state: running`,
/// `upgradeMode: stateless`, `args: []`, `parallelism: 0`), as the operator
/// sees and records it.
pub fn job_with_defaults(job: &Json) -> Json {
    let mut job = job.clone();
    let defaults = [
        ("state", json!("running")),
        ("upgradeMode", json!("stateless")),
        ("args", json!([])),
        ("parallelism", json!(0)),
    ];
    if let Some(map) = job.as_object_mut() {
        for (key, value) in defaults {
            if map.get(key).is_none_or(Json::is_null) {
                map.insert(key.to_string(), value);
            }
        }
    }
    job
}

/// The spec as the operator records it: job defaults filled in.
pub fn recorded_spec(spec: &Json) -> Json {
    let mut spec = spec.clone();
    if spec.get("job").is_some_and(|j| !j.is_null()) {
        spec["job"] = job_with_defaults(&spec["job"]);
    }
    spec
}

/// `status.reconciliationStatus.lastReconciledSpec`, written as
/// `SpecUtils#writeSpecWithMeta` writes it (`spec` first, then
/// `resource_metadata`), and `observedGeneration` with it
/// (`ReconciliationStatus#serializeAndSetLastReconciledSpec`).
pub fn set_reconciled(
    status: &mut Json,
    spec: &Json,
    first_deployment: bool,
    generation: i64,
    api_version: &str,
) {
    let meta = json!({"apiVersion": api_version, "firstDeployment": first_deployment});
    status["reconciliationStatus"]["lastReconciledSpec"] =
        json!(format!("{{\"spec\":{spec},\"resource_metadata\":{meta}}}"));
    status["observedGeneration"] = json!(generation);
}

/// The last reconciled spec and its `firstDeployment` flag, if any.
pub fn reconciled(status: &Json) -> Option<(Json, bool)> {
    let text = status["reconciliationStatus"]["lastReconciledSpec"].as_str()?;
    let wrapper: Json = serde_json::from_str(text).ok()?;
    let first = wrapper["resource_metadata"]["firstDeployment"]
        .as_bool()
        .unwrap_or(false);
    Some((wrapper["spec"].clone(), first))
}

/// `lastStableSpec = lastReconciledSpec` (`markReconciledSpecAsStable`).
pub fn mark_stable(status: &mut Json) {
    let last = status["reconciliationStatus"]["lastReconciledSpec"].clone();
    status["reconciliationStatus"]["lastStableSpec"] = last;
}

/// The lifecycle state, by `CommonStatus#getLifecycleState`'s rules in
/// order (docs/flink-kubernetes-operator.md §6).
pub fn lifecycle(status: &Json, deployment: bool) -> &'static str {
    match status["lifecycleState"].as_str() {
        Some("DELETING") => return "DELETING",
        Some("DELETED") => return "DELETED",
        _ => {}
    }
    let rs = &status["reconciliationStatus"];
    let error = status["error"].as_str().unwrap_or_default();
    let Some((spec, _)) = reconciled(status) else {
        return if error.is_empty() {
            "CREATED"
        } else {
            "FAILED"
        };
    };
    match rs["state"].as_str() {
        Some("UPGRADING") => return "UPGRADING",
        Some("ROLLING_BACK") => return "ROLLING_BACK",
        _ => {}
    }
    if spec["job"]["state"] == "suspended" {
        return "SUSPENDED";
    }
    if status["jobStatus"]["state"] == "FAILED" {
        return "FAILED";
    }
    let jm = status["jobManagerDeploymentStatus"]
        .as_str()
        .unwrap_or_default();
    if deployment
        && matches!(jm, "MISSING" | "ERROR")
        && [
            "Manual restore required.",
            "It is possible that the job has finished or terminally failed, or the configmaps have been deleted.",
            "HA metadata is not available",
        ]
        .iter()
        .any(|m| error.contains(m))
    {
        return "FAILED";
    }
    if rs["state"] == "ROLLED_BACK" {
        return "ROLLED_BACK";
    }
    if rs["lastReconciledSpec"].is_string() && rs["lastReconciledSpec"] == rs["lastStableSpec"] {
        return "STABLE";
    }
    "DEPLOYED"
}

/// How two specs differ (`ReflectiveDiffBuilder` over the `@SpecDiff`
/// annotations of JobSpec and AbstractFlinkSpec, native mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diff {
    /// Only ignored fields changed (trigger nonces, upgradeMode,
    /// initialSavepointPath, `kubernetes.operator.*` options...).
    Ignore,
    /// `savepointRedeployNonce` changed.
    SavepointRedeploy,
    /// Anything else.
    Upgrade,
}

/// Prefixes of `flinkConfiguration` keys a change of which is ignored.
const IGNORED_CONFIG: &[&str] = &[
    "job.autoscaler",
    "parallelism.default",
    "kubernetes.operator",
];

/// JobSpec fields whose change is ignored.
const IGNORED_JOB: &[&str] = &[
    "savepointTriggerNonce",
    "initialSavepointPath",
    "checkpointTriggerNonce",
    "upgradeMode",
    "allowNonRestoredState",
    "autoscalerResetNonce",
    "savepointRedeployNonce",
];

/// The diff between the last reconciled spec and the current one.
pub fn diff(last: &Json, current: &Json) -> Diff {
    let redeploy = &current["job"]["savepointRedeployNonce"];
    if !redeploy.is_null() && *redeploy != last["job"]["savepointRedeployNonce"] {
        return Diff::SavepointRedeploy;
    }
    let comparable = |spec: &Json| {
        let mut spec = recorded_spec(spec);
        if let Some(job) = spec.get_mut("job").and_then(Json::as_object_mut) {
            for field in IGNORED_JOB {
                job.remove(*field);
            }
        }
        let config: BTreeMap<String, String> = flat_config(&spec)
            .into_iter()
            .filter(|(k, _)| !IGNORED_CONFIG.iter().any(|p| k.starts_with(p)))
            .collect();
        if let Some(map) = spec.as_object_mut() {
            map.insert("flinkConfiguration".to_string(), json!(config));
            // `restartNonce` is `onNullIgnore`: unset in the new spec, it is no change.
            if current["restartNonce"].is_null() {
                map.remove("restartNonce");
            }
        }
        spec
    };
    if comparable(last) == comparable(current) {
        Diff::Ignore
    } else {
        Diff::Upgrade
    }
}

/// `status.error` as `FlinkResourceExceptionUtils` writes it: a JSON string
/// of the exception's type and message, an empty `additionalMetadata`, and
/// its causes (at most two, `exception.throwable.list.max.count`).
pub fn error_json(type_: &str, message: &str, causes: &[(&str, &str)]) -> String {
    let entry = |t: &str, m: &str| {
        format!(
            "{{\"type\":{},\"message\":{},\"additionalMetadata\":{{}}}}",
            json!(t),
            json!(m)
        )
    };
    let list: Vec<String> = causes.iter().take(2).map(|(t, m)| entry(t, m)).collect();
    format!(
        "{{\"type\":{},\"message\":{},\"additionalMetadata\":{{}},\"throwableList\":[{}]}}",
        json!(type_),
        json!(message),
        list.join(",")
    )
}

/// The operator's `ValidationException`.
pub const VALIDATION_EXCEPTION: &str =
    "org.apache.flink.kubernetes.operator.exception.ValidationException";
/// The operator's `ReconciliationException` (a reconcile that threw).
pub const RECONCILIATION_EXCEPTION: &str =
    "org.apache.flink.kubernetes.operator.exception.ReconciliationException";

/// The status of a Flink resource before anything happened to it.
pub fn initial(deployment: bool) -> Json {
    let mut status = json!({
        "jobStatus": {
            "checkpointInfo": {"lastPeriodicCheckpointTimestamp": 0},
            "savepointInfo": {"lastPeriodicSavepointTimestamp": 0, "savepointHistory": []},
        },
        "reconciliationStatus": {"reconciliationTimestamp": 0, "state": "UPGRADING"},
        "lifecycleState": "CREATED",
    });
    if deployment {
        status["clusterInfo"] = json!({});
        status["jobManagerDeploymentStatus"] = json!("MISSING");
        status["conditions"] = json!([]);
    }
    status
}

/// A Flink memory size (`2048m`, `2g`, `1024`) or a Kubernetes quantity
/// (`2Gi`, `500M`) in bytes, as `FlinkConfigBuilder#parseResourceMemoryString`
/// and `MemorySize.parse` read them.
pub fn memory_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: f64 = match unit.trim() {
        "" | "b" | "bytes" => 1.0,
        "k" | "kb" | "kibibytes" | "Ki" => 1024.0,
        "m" | "mb" | "mebibytes" | "Mi" => 1024.0 * 1024.0,
        "g" | "gb" | "gibibytes" | "Gi" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tebibytes" | "Ti" => 1024.0_f64.powi(4),
        "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        _ => return None,
    };
    Some((number * factor) as u64)
}

/// The Flink release a `flinkVersion` enum value stands for (`v1_20` → `1.20.0`).
pub fn flink_release(version: &str) -> String {
    version.trim_start_matches('v').replace('_', ".") + ".0"
}
