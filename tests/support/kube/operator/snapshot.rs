//! FlinkStateSnapshot (`FlinkStateSnapshotController`,
//! `StateSnapshotReconciler`, `StateSnapshotObserver`; docs/flink-kubernetes-operator.md §5):
//! TRIGGER_PENDING → IN_PROGRESS → COMPLETED with `status.path`, ABANDONED
//! when the job is not running, COMPLETED at once for `alreadyExists`; the
//! labels the operator keeps on each snapshot; the finalizer.

use serde_json::{Value as Json, json};

use super::super::{meta, registry};
use super::status::{CHECKPOINT_DIR, SAVEPOINT_DIR, flat_config, option};
use super::{Ctx, name_of, namespace_of, validation};

/// One step of a FlinkStateSnapshot.
pub fn step(ctx: &mut Ctx, object: Json) {
    if object["metadata"].get("deletionTimestamp").is_some() {
        if ctx.has_finalizer(&object) {
            ctx.remove_finalizer(&object);
        }
        return;
    }
    if ctx.ensure_finalizer(&object).is_some() {
        return;
    }
    let target = target(ctx, &object);
    let status = match object.get("status") {
        Some(s) if s.is_object() => s.clone(),
        _ => json!({"state": "TRIGGER_PENDING", "failures": 0}),
    };
    // A validation error changes nothing, but the first reconcile writes the default status.
    let next = advance(ctx, &object, &status, target.as_ref()).unwrap_or_else(|| status.clone());
    let object = if next != status || object.get("status").is_none() {
        match ctx.put_status(&object, next) {
            Some(o) => o,
            None => return,
        }
    } else {
        object
    };
    update_labels(ctx, &object, target.as_ref());
}

/// The FlinkDeployment or FlinkSessionJob the snapshot references.
fn target(ctx: &Ctx, object: &Json) -> Option<Json> {
    let reference = &object["spec"]["jobReference"];
    let kind = reference["kind"].as_str()?;
    let rt = ctx.catalog.kind(kind)?;
    registry::get(
        ctx.store,
        rt,
        namespace_of(object),
        reference["name"].as_str()?,
    )
    .ok()
}

/// The next status, or `None` when a validation error leaves it as is.
fn advance(ctx: &mut Ctx, object: &Json, status: &Json, target: Option<&Json>) -> Option<Json> {
    let spec = &object["spec"];
    let mut next = status.clone();
    let state = status["state"].as_str().unwrap_or("TRIGGER_PENDING");
    if state == "IN_PROGRESS" {
        let Some(target) = target.filter(|t| t["status"]["jobStatus"]["state"] == "RUNNING") else {
            abandon(ctx, object, &mut next, target.is_some());
            return Some(next);
        };
        return Some(complete(ctx, object, next, target));
    }
    if let Some(error) = validation::snapshot(object, target) {
        ctx.event(
            object,
            "Warning",
            "ValidationError",
            "Operator",
            &error,
            None,
            true,
        );
        return None;
    }
    if state != "TRIGGER_PENDING" {
        return Some(next);
    }
    if spec["savepoint"]["alreadyExists"] == true {
        let now = meta::now_millis();
        next["state"] = json!("COMPLETED");
        next["path"] = spec["savepoint"]["path"].clone();
        next["resultTimestamp"] = json!(now);
        next["triggerTimestamp"] = json!(now);
        return Some(next);
    }
    let Some(target) = target.filter(|t| t["status"]["jobStatus"]["state"] == "RUNNING") else {
        abandon(ctx, object, &mut next, target.is_some());
        return Some(next);
    };
    let _ = target;
    next["state"] = json!("IN_PROGRESS");
    next["triggerId"] = json!(meta::random_hex(32));
    next["triggerTimestamp"] = json!(meta::now_millis());
    Some(next)
}

/// `abandonSnapshotIfJobNotRunning`.
fn abandon(ctx: &mut Ctx, object: &Json, status: &mut Json, found: bool) {
    let reference = &object["spec"]["jobReference"];
    let message = format!(
        "Secondary resource {} ({}) for savepoint {} {}",
        reference["name"].as_str().unwrap_or("null"),
        reference["kind"].as_str().unwrap_or("null"),
        name_of(object),
        if found {
            "is not running"
        } else {
            "was not found"
        }
    );
    ctx.event(
        object,
        "Warning",
        "SnapshotAbandoned",
        "Snapshot",
        &message,
        None,
        false,
    );
    status["state"] = json!("ABANDONED");
    if let Some(map) = status.as_object_mut() {
        map.remove("path");
    }
    status["error"] = json!(message);
    status["resultTimestamp"] = json!(meta::now_millis());
}

/// The savepoint or checkpoint is taken: COMPLETED with its path, or
/// FAILED when there is nowhere to write a savepoint.
fn complete(ctx: &mut Ctx, object: &Json, mut status: Json, target: &Json) -> Json {
    let config = flat_config(&target["spec"]);
    let job_id = target["status"]["jobStatus"]["jobId"]
        .as_str()
        .unwrap_or("0")
        .to_string();
    let path = if object["spec"]["savepoint"].is_object() {
        let dir = object["spec"]["savepoint"]["path"]
            .as_str()
            .map(str::to_string)
            .or_else(|| session_config(ctx, target, SAVEPOINT_DIR))
            .or_else(|| option(&config, SAVEPOINT_DIR).map(str::to_string));
        let Some(dir) = dir else {
            let message = "java.lang.IllegalStateException: No savepoint directory configured. You can either specify a directory while cancelling via -s :targetDirectory or configure a cluster-wide default via key 'execution.checkpointing.savepoint-dir'.";
            status["state"] = json!("FAILED");
            status["failures"] = json!(status["failures"].as_i64().unwrap_or(0) + 1);
            status["resultTimestamp"] = json!(meta::now_millis());
            status["error"] = json!(super::status::error_json(
                super::status::RECONCILIATION_EXCEPTION,
                message,
                &[(
                    "java.lang.IllegalStateException",
                    &message["java.lang.IllegalStateException: ".len()..]
                )],
            ));
            ctx.event(
                object,
                "Warning",
                "SavepointError",
                "Snapshot",
                message,
                None,
                false,
            );
            return status;
        };
        format!(
            "{}/savepoint-{}-{}",
            dir.trim_end_matches('/'),
            &job_id[..job_id.len().min(6)],
            meta::random_hex(12)
        )
    } else {
        match option(&config, CHECKPOINT_DIR) {
            Some(dir) => format!(
                "{}/{job_id}/chk-{}",
                dir.trim_end_matches('/'),
                meta::epoch_millis() % 1000
            ),
            None => String::new(),
        }
    };
    status["state"] = json!("COMPLETED");
    status["path"] = json!(path);
    if let Some(map) = status.as_object_mut() {
        map.remove("error");
    }
    status["resultTimestamp"] = json!(meta::now_millis());
    status
}

/// A session job's savepoint dir may come from its session cluster.
fn session_config(ctx: &Ctx, target: &Json, keys: &[&str]) -> Option<String> {
    let name = target["spec"]["deploymentName"].as_str()?;
    let rt = ctx.catalog.kind("FlinkDeployment")?;
    let session = registry::get(ctx.store, rt, namespace_of(target), name).ok()?;
    let mut config = flat_config(&session["spec"]);
    config.extend(flat_config(&target["spec"]));
    option(&config, keys).map(str::to_string)
}

/// `getSnapshotLabels`: type, trigger type, state, and the job reference.
fn update_labels(ctx: &mut Ctx, object: &Json, target: Option<&Json>) {
    let mut labels = object["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    let type_ = if object["spec"]["savepoint"].is_object() {
        "SAVEPOINT"
    } else {
        "CHECKPOINT"
    };
    labels["snapshot.type"] = json!(type_);
    if labels["snapshot.trigger-type"].is_null() {
        labels["snapshot.trigger-type"] = json!("MANUAL");
    }
    if let Some(state) = object["status"]["state"].as_str() {
        labels["snapshot.state"] = json!(state);
    }
    if let Some(target) = target {
        labels["job-reference.kind"] = target["kind"].clone();
        labels["job-reference.name"] = target["metadata"]["name"].clone();
    }
    if labels != object["metadata"]["labels"] {
        let mut body = object.clone();
        body["metadata"]["labels"] = labels;
        ctx.put_object(object, body);
    }
}
