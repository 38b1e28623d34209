//! FlinkDeployment (`FlinkDeploymentController`, `SessionReconciler`,
//! `SessionObserver`; docs/flink-kubernetes-operator.md §1, §2, §4, §6): finalizer, validation,
//! then an application's job (`job`) or a session cluster's JobManager —
//! DEPLOYING → DEPLOYED_NOT_READY → READY, stable once ready — and the
//! deletion, blocked while session jobs use the cluster.

use serde_json::{Value as Json, json};

use super::super::meta;
use super::job::{self, Flavor, Target};
use super::status::{
    self, flag, flat_config, flink_release, memory_bytes, reconciled, set_reconciled,
};
use super::{Ctx, name_of, namespace_of, validation};

/// One step of a FlinkDeployment.
pub fn step(ctx: &mut Ctx, object: Json) {
    if object["metadata"].get("deletionTimestamp").is_some() {
        if ctx.has_finalizer(&object) {
            cleanup(ctx, &object);
        }
        return;
    }
    if ctx.ensure_finalizer(&object).is_some() {
        return;
    }
    if let Some(error) = validation::deployment(&object, ctx.catalog.version) {
        validation_failed(ctx, &object, &error, true);
        return;
    }
    if object["spec"]["job"].is_object() {
        job::step(
            ctx,
            object,
            &Target {
                flavor: Flavor::Application,
                session: None,
            },
        );
    } else {
        session_cluster(ctx, object);
    }
}

/// A validation failure: a `ValidationError` event and `status.error`
/// (ValidationException JSON) when it is new; the last valid spec stays
/// in force (`applyValidationErrorAndResetSpec`). The real operator
/// repeats the event every reconcile; the simulator only on a new error.
pub fn validation_failed(ctx: &mut Ctx, object: &Json, error: &str, deployment: bool) {
    let mut status = job::current_status(object, deployment);
    let json_error = status::error_json(status::VALIDATION_EXCEPTION, error, &[]);
    if status["error"].as_str() == Some(json_error.as_str()) {
        return;
    }
    ctx.event(
        object,
        "Warning",
        "ValidationError",
        "Operator",
        error,
        None,
        false,
    );
    status["error"] = json!(json_error);
    ctx.put_status(object, status);
}

/// `status.clusterInfo` of a ready cluster.
pub fn cluster_info(object: &Json) -> Json {
    let spec = &object["spec"];
    let version = spec["flinkVersion"].as_str().unwrap_or("v1_20");
    let cpu = |c: &Json| c["resource"]["cpu"].as_f64().unwrap_or(1.0);
    let memory = |c: &Json| {
        c["resource"]["memory"]
            .as_str()
            .and_then(memory_bytes)
            .unwrap_or_default()
    };
    let tm_replicas = spec["taskManager"]["replicas"].as_f64().unwrap_or(1.0);
    let jm_replicas = spec["jobManager"]["replicas"].as_f64().unwrap_or(1.0);
    let total_cpu =
        cpu(&spec["jobManager"]) * jm_replicas + cpu(&spec["taskManager"]) * tm_replicas;
    let total_memory = memory(&spec["jobManager"]) as f64 * jm_replicas
        + memory(&spec["taskManager"]) as f64 * tm_replicas;
    json!({
        "flink-version": flink_release(version),
        "flink-revision": "unknown",
        "total-cpu": format!("{total_cpu:.1}"),
        "total-memory": format!("{}", total_memory as u64),
    })
}

/// A session cluster (no `spec.job`).
fn session_cluster(ctx: &mut Ctx, object: Json) {
    let mut status = job::current_status(&object, true);
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    let api_version = object["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some((last, first)) = reconciled(&status) else {
        deploy(ctx, &object, status, true);
        return;
    };
    let mut next = status.clone();
    match status["jobManagerDeploymentStatus"].as_str() {
        Some("DEPLOYING") => {
            next["jobManagerDeploymentStatus"] = json!("DEPLOYED_NOT_READY");
            ctx.put_status(&object, next);
            return;
        }
        Some("DEPLOYED_NOT_READY") => {
            next["jobManagerDeploymentStatus"] = json!("READY");
            next["clusterInfo"] = cluster_info(&object);
            if next["reconciliationStatus"]["state"] == "DEPLOYED" {
                status::mark_stable(&mut next);
            }
            ctx.put_status(&object, next);
            return;
        }
        _ => {}
    }
    let diff = status::diff(&last, &object["spec"]);
    if diff != status::Diff::Ignore || status["reconciliationStatus"]["state"] == "UPGRADING" {
        let key = format!("SpecChange: {generation}");
        let message = "UPGRADE change(s) detected, starting reconciliation.".to_string();
        ctx.event(
            &object,
            "Normal",
            "SpecChanged",
            "JobManagerDeployment",
            &message,
            Some(&key),
            true,
        );
        deploy(ctx, &object, status, false);
    } else if status["observedGeneration"].as_i64() != Some(generation) {
        let first = first && status["reconciliationStatus"]["state"] == "DEPLOYED";
        set_reconciled(&mut status, &last, first, generation, &api_version);
        ctx.put_status(&object, status);
    }
}

/// (Re)deploys a session cluster: UPGRADING, then DEPLOYED with the
/// JobManager DEPLOYING.
fn deploy(ctx: &mut Ctx, object: &Json, mut status: Json, first: bool) {
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    let api_version = object["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let record = status::recorded_spec(&object["spec"]);
    if let Some(map) = status.as_object_mut() {
        map.remove("error");
    }
    status["reconciliationStatus"]["state"] = json!("UPGRADING");
    status["reconciliationStatus"]["reconciliationTimestamp"] = json!(meta::epoch_millis());
    set_reconciled(&mut status, &record, first, generation, &api_version);
    let Some(object) = ctx.put_status(object, status.clone()) else {
        return;
    };
    status["jobManagerDeploymentStatus"] = json!("DEPLOYING");
    status["reconciliationStatus"]["state"] = json!("DEPLOYED");
    status["reconciliationStatus"]["reconciliationTimestamp"] = json!(meta::epoch_millis());
    ctx.put_status(&object, status);
}

/// The deletion of a FlinkDeployment. A session cluster used by
/// FlinkSessionJobs stays (finalizer kept, `CleanupFailed` event) while
/// `kubernetes.operator.session.deletion.block-on-session-jobs` is on
/// (docs/flink-kubernetes-operator.md §4).
fn cleanup(ctx: &mut Ctx, object: &Json) {
    let config = flat_config(&object["spec"]);
    if object["spec"]["job"].is_null()
        && flag(
            &config,
            "kubernetes.operator.session.deletion.block-on-session-jobs",
            true,
        )
    {
        let rt = ctx.rt("FlinkSessionJob");
        let jobs: Vec<String> =
            super::super::registry::list(ctx.store, rt, Some(namespace_of(object)))
                .iter()
                .filter(|j| j["spec"]["deploymentName"].as_str() == Some(name_of(object)))
                .map(|j| name_of(j).to_string())
                .collect();
        if !jobs.is_empty() {
            let message = format!(
                "The session jobs [{}] should be deleted first",
                jobs.join(", ")
            );
            let mut status = job::current_status(object, true);
            if status["lifecycleState"] != "DELETING" {
                ctx.event(
                    object,
                    "Warning",
                    "CleanupFailed",
                    "Operator",
                    &message,
                    None,
                    false,
                );
                status["lifecycleState"] = json!("DELETING");
                ctx.put_status(object, status);
            }
            return;
        }
    }
    job::cleanup(ctx, object, Flavor::Application);
}
