//! The job half of the operator, shared by application FlinkDeployments and
//! FlinkSessionJobs (`AbstractJobReconciler`, `ApplicationReconciler`,
//! `SessionJobReconciler`, `JobStatusObserver`; docs/flink-kubernetes-operator.md §6–8): first
//! deployment, observation of the JobManager and the job, suspend with the
//! upgrade mode's cancel, restore, savepoint redeploy, manual savepoints,
//! and the cleanup on deletion.

use serde_json::{Value as Json, json};

use super::super::meta;
use super::status::{
    self, Diff, RECONCILIATION_EXCEPTION, SAVEPOINT_DIR, flag, flat_config, option, reconciled,
    recorded_spec, set_reconciled,
};
use super::{Ctx, Fate, Fetch, FetchJob, FlinkJob, Submission, name_of, namespace_of};

/// Which kind of job resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// A FlinkDeployment with `spec.job`: the job is its own cluster's.
    Application,
    /// A FlinkSessionJob on a session FlinkDeployment.
    Session,
}

impl Flavor {
    fn kind(self) -> &'static str {
        match self {
            Flavor::Application => "FlinkDeployment",
            Flavor::Session => "FlinkSessionJob",
        }
    }
}

/// The job resource being reconciled.
pub struct Target<'a> {
    /// Application or session job.
    pub flavor: Flavor,
    /// The session FlinkDeployment of a session job.
    pub session: Option<&'a Json>,
}

impl Target<'_> {
    /// The effective Flink configuration: the session cluster's, overridden by the job's.
    fn config(&self, object: &Json) -> std::collections::BTreeMap<String, String> {
        let mut config = self
            .session
            .map(|s| flat_config(&s["spec"]))
            .unwrap_or_default();
        config.extend(flat_config(&object["spec"]));
        config
    }
}

/// The desired job state (`running` unless set).
fn desired(spec: &Json) -> &str {
    spec["job"]["state"].as_str().unwrap_or("running")
}

/// The status to work on: the stored one, or the initial one.
pub fn current_status(object: &Json, deployment: bool) -> Json {
    match object.get("status") {
        Some(s) if s.is_object() => s.clone(),
        _ => status::initial(deployment),
    }
}

/// Writes the initial status if the object has none yet (the first
/// reconcile always patches one: `lifecycleState: CREATED`).
pub fn ensure_status(ctx: &mut Ctx, object: &Json, deployment: bool) {
    if object.get("status").is_none_or(|s| !s.is_object()) {
        ctx.put_status(object, status::initial(deployment));
    }
}

/// One step of a valid job resource whose cluster is ready.
pub fn step(ctx: &mut Ctx, object: Json, target: &Target) {
    let status = current_status(&object, target.flavor == Flavor::Application);
    let Some((last, _)) = reconciled(&status) else {
        if desired(&object["spec"]) == "suspended" {
            ensure_status(ctx, &object, target.flavor == Flavor::Application);
        } else {
            first_deploy(ctx, object, status, target);
        }
        return;
    };
    if observe(ctx, &object, &status, &last, target) {
        return;
    }
    reconcile(ctx, object, status, last, target);
}

/// `updateStatusBeforeFirstDeployment`, then deploy and record.
fn first_deploy(ctx: &mut Ctx, object: Json, mut status: Json, target: &Target) {
    let spec = &object["spec"];
    let initial = spec["job"]["initialSavepointPath"]
        .as_str()
        .map(str::to_string);
    let mode = if initial.is_some() {
        "savepoint"
    } else {
        "stateless"
    };
    if let Some(path) = &initial {
        status["jobStatus"]["upgradeSavepointPath"] = json!(path);
    }
    let Some(object) = before_deployment(ctx, &object, status, None, mode) else {
        return;
    };
    deploy_and_record(ctx, object, target, mode, initial);
}

/// `updateStatusBeforeDeploymentAttempt`: UPGRADING, the spec recorded with
/// `job.state: suspended`; written only when that changes something.
fn before_deployment(
    ctx: &mut Ctx,
    object: &Json,
    mut status: Json,
    last: Option<&Json>,
    mode: &str,
) -> Option<Json> {
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    let mut record = recorded_spec(&object["spec"]);
    record["job"]["state"] = json!("suspended");
    record["job"]["upgradeMode"] = json!(mode);
    keep_trigger_nonces(&mut record, last);
    let before = status.clone();
    let first = last.is_none() || continues_first_deployment(&status);
    if let Some(map) = status.as_object_mut() {
        map.remove("error");
    }
    status["reconciliationStatus"]["state"] = json!("UPGRADING");
    set_reconciled(
        &mut status,
        &record,
        first,
        generation,
        &api_version(object),
    );
    if status == before {
        return Some(object.clone());
    }
    status["reconciliationStatus"]["reconciliationTimestamp"] = json!(meta::epoch_millis());
    ctx.put_status(object, status)
}

/// Whether the status is the first deployment still under way (a session
/// job's jar download spans steps here, not in the real operator), rather
/// than a retry after a failure (`status.error` set).
fn continues_first_deployment(status: &Json) -> bool {
    status["reconciliationStatus"]["state"] == "UPGRADING"
        && status["error"].is_null()
        && reconciled(status).is_some_and(|(_, first)| first)
}

/// "We preserve the last snapshot triggers to not lose new triggers during upgrade."
fn keep_trigger_nonces(record: &mut Json, last: Option<&Json>) {
    if let Some(last) = last {
        for nonce in ["savepointTriggerNonce", "checkpointTriggerNonce"] {
            record["job"][nonce] = last["job"][nonce].clone();
        }
    }
}

fn api_version(object: &Json) -> String {
    object["apiVersion"]
        .as_str()
        .unwrap_or("flink.apache.org/v1beta1")
        .to_string()
}

/// Deploys (restoring from `savepoint`), then `updateStatusForDeployedSpec`:
/// DEPLOYED, the spec recorded with its desired state.
fn deploy_and_record(
    ctx: &mut Ctx,
    object: Json,
    target: &Target,
    mode: &str,
    savepoint: Option<String>,
) {
    let Some((object, mut status)) = deploy(ctx, object, target, savepoint, mode == "last-state")
    else {
        return;
    };
    let spec = &object["spec"];
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    let last = reconciled(&status).map(|(s, _)| s);
    let first = reconciled(&status).is_some_and(|(_, first)| first);
    let mut record = recorded_spec(spec);
    record["job"]["upgradeMode"] = json!(mode);
    keep_trigger_nonces(&mut record, last.as_ref());
    if let Some(map) = status.as_object_mut() {
        map.remove("error");
    }
    status["reconciliationStatus"]["state"] = json!("DEPLOYED");
    status["reconciliationStatus"]["reconciliationTimestamp"] = json!(meta::epoch_millis());
    set_reconciled(
        &mut status,
        &record,
        first,
        generation,
        &api_version(&object),
    );
    if target.flavor == Flavor::Application {
        status["taskManager"] = task_manager_info(&object, desired(spec) == "running");
    }
    if desired(spec) == "suspended" {
        status::mark_stable(&mut status);
    }
    ctx.put_status(&object, status);
}

/// `status.taskManager` of an application (`getTaskManagerInfo`).
fn task_manager_info(object: &Json, running: bool) -> Json {
    if !running {
        return json!({"labelSelector": "", "replicas": 0});
    }
    let spec = &object["spec"];
    let config = flat_config(spec);
    let replicas = spec["taskManager"]["replicas"].as_i64().unwrap_or_else(|| {
        let slots: i64 = config
            .get("taskmanager.numberOfTaskSlots")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1)
            .max(1);
        let parallelism = spec["job"]["parallelism"].as_i64().unwrap_or(1).max(1);
        (parallelism + slots - 1) / slots
    });
    json!({
        "labelSelector": format!("component=taskmanager,app={}", name_of(object)),
        "replicas": replicas,
    })
}

/// Starts the job (`ApplicationReconciler#deploy` / `SessionJobReconciler#deploy`).
/// Returns the object and its status to record, or `None` while a session
/// job's jar download is pending or after it failed.
fn deploy(
    ctx: &mut Ctx,
    object: Json,
    target: &Target,
    savepoint: Option<String>,
    keep_job_id: bool,
) -> Option<(Json, Json)> {
    let mut status = current_status(&object, target.flavor == Flavor::Application);
    match target.flavor {
        Flavor::Application => {
            let mut object = object;
            if status["jobManagerDeploymentStatus"] != "MISSING" {
                status["jobManagerDeploymentStatus"] = json!("MISSING");
                object = ctx.put_status(&object, status.clone())?;
            }
            let job_id = match status["jobStatus"]["jobId"].as_str() {
                Some(id) if keep_job_id => id.to_string(),
                _ => meta::random_hex(32),
            };
            status["jobStatus"]["jobId"] = json!(job_id);
            ctx.event(
                &object,
                "Normal",
                "Submit",
                "JobManagerDeployment",
                "Starting deployment",
                None,
                false,
            );
            submit(ctx, &object, &job_id, savepoint, Flavor::Application);
            status["jobStatus"]["state"] = json!("RECONCILING");
            status["jobManagerDeploymentStatus"] = json!("DEPLOYING");
            Some((object, status))
        }
        Flavor::Session => deploy_session_job(ctx, object, status, target, savepoint),
    }
}

/// A session job's deploy: the operator downloads the jar (in the
/// background), then uploads and runs it on the session cluster.
fn deploy_session_job(
    ctx: &mut Ctx,
    mut object: Json,
    mut status: Json,
    target: &Target,
    savepoint: Option<String>,
) -> Option<(Json, Json)> {
    let now = ctx.now;
    let retry = ctx.options.retry_interval;
    let memory = ctx.memory(&object);
    match memory.fetch.take() {
        None => {
            if memory.retry_at.is_some_and(|at| at > now) {
                return None;
            }
            memory.retry_at = None;
            memory.fetch = Some(Fetch::Pending);
            ctx.event(
                &object,
                "Normal",
                "Submit",
                "Job",
                "Starting deployment",
                None,
                false,
            );
            let reuse = status["jobStatus"]["state"] == "RECONCILING"
                && status["jobStatus"]["jobId"].is_string();
            if !reuse {
                status["jobStatus"]["jobId"] = json!(meta::random_hex(32));
                status["jobStatus"]["state"] = json!("RECONCILING");
                object = ctx.put_status(&object, status)?;
            }
            let config = target.config(&object);
            ctx.fetches.push(FetchJob {
                uid: super::uid_of(&object),
                session_job: name_of(&object).to_string(),
                uri: object["spec"]["job"]["jarURI"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                headers: headers(&config),
            });
            None
        }
        Some(Fetch::Pending) => {
            memory.fetch = Some(Fetch::Pending);
            None
        }
        Some(Fetch::Done(Ok(_))) => {
            let job_id = status["jobStatus"]["jobId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            submit(ctx, &object, &job_id, savepoint, Flavor::Session);
            Some((object, status))
        }
        Some(Fetch::Done(Err((type_, message)))) => {
            memory.retry_at = Some(now + retry);
            ctx.event(&object, "Warning", "Error", "Job", &message, None, false);
            let error = status::error_json(
                RECONCILIATION_EXCEPTION,
                &format!("{type_}: {message}"),
                &[(&type_, &message)],
            );
            status["error"] = json!(error);
            ctx.put_status(&object, status);
            None
        }
    }
}

/// `kubernetes.operator.user.artifacts.http.header`: `k1:v1,k2:v2`.
fn headers(config: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    config
        .get("kubernetes.operator.user.artifacts.http.header")
        .map(|h| {
            h.split(',')
                .filter_map(|pair| pair.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts a job on the simulated cluster.
fn submit(ctx: &mut Ctx, object: &Json, job_id: &str, savepoint: Option<String>, flavor: Flavor) {
    let name = name_of(object).to_string();
    ctx.sim.jobs.insert(
        job_id.to_string(),
        FlinkJob {
            name: name.clone(),
            state: "CREATED",
            start_time: meta::epoch_millis(),
            running_since: None,
            failure: None,
        },
    );
    ctx.sim.submissions.push(Submission {
        name,
        kind: flavor.kind().to_string(),
        job_id: job_id.to_string(),
        savepoint,
    });
}

/// The observer: the JobManager deployment (application), the job's state
/// (`JobStatusObserver`), a legacy savepoint in progress. Returns whether
/// it wrote, which ends the step.
fn observe(ctx: &mut Ctx, object: &Json, status: &Json, last: &Json, target: &Target) -> bool {
    if last["job"]["state"] == "suspended" {
        return false;
    }
    if target.flavor == Flavor::Application {
        let mut next = status.clone();
        match status["jobManagerDeploymentStatus"].as_str() {
            Some("DEPLOYING") => next["jobManagerDeploymentStatus"] = json!("DEPLOYED_NOT_READY"),
            Some("DEPLOYED_NOT_READY") => {
                next["jobManagerDeploymentStatus"] = json!("READY");
                next["clusterInfo"] = super::deployment::cluster_info(object);
            }
            Some("READY") => return observe_job(ctx, object, status, target),
            _ => return false,
        }
        ctx.put_status(object, next);
        return true;
    }
    observe_job(ctx, object, status, target)
}

fn observe_job(ctx: &mut Ctx, object: &Json, status: &Json, target: &Target) -> bool {
    let Some(job_id) = status["jobStatus"]["jobId"].as_str() else {
        return false;
    };
    let Some(job) = ctx.sim.jobs.get(job_id).cloned() else {
        return false;
    };
    let seen = status["jobStatus"]["state"].as_str().unwrap_or_default();
    if seen != job.state {
        let mut next = status.clone();
        let js = &mut next["jobStatus"];
        js["state"] = json!(job.state);
        js["jobName"] = json!(job.name);
        js["startTime"] = json!(job.start_time.to_string());
        js["updateTime"] = json!(meta::epoch_millis().to_string());
        if job.state == "FAILED" {
            let cause = job.failure.clone().unwrap_or_default();
            let message = "org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy";
            next["error"] = json!(status::error_json(
                "org.apache.flink.util.SerializedThrowable",
                message,
                &[("org.apache.flink.util.SerializedThrowable", &cause)],
            ));
            ctx.event(object, "Warning", "Error", "Job", message, None, false);
        }
        let message = if seen.is_empty() {
            format!("Job status changed to {}", job.state)
        } else {
            format!("Job status changed from {seen} to {}", job.state)
        };
        ctx.event(
            object,
            "Normal",
            "JobStatusChanged",
            "Job",
            &message,
            None,
            false,
        );
        check_stable(&mut next);
        ctx.put_status(object, next);
        return true;
    }
    if complete_legacy_savepoint(ctx, object, status, target) {
        return true;
    }
    advance(ctx, job_id, &job);
    false
}

/// `checkAndUpdateStableSpec`: a RUNNING job, or one that FINISHED on its
/// own, marks the reconciled spec stable.
fn check_stable(status: &mut Json) {
    if status["reconciliationStatus"]["state"] != "DEPLOYED" {
        return;
    }
    let state = status["jobStatus"]["state"].as_str().unwrap_or_default();
    let reconciled_running =
        reconciled(status).is_some_and(|(s, _)| s["job"]["state"] == "running");
    if state == "RUNNING" || (state == "FINISHED" && reconciled_running) {
        status::mark_stable(status);
    }
}

/// Moves a job on the simulated cluster once the operator has seen its
/// current state: CREATED → RUNNING, then the test's fate.
fn advance(ctx: &mut Ctx, job_id: &str, job: &FlinkJob) {
    let fate = ctx.fate(&job.name);
    let now = ctx.now;
    let Some(stored) = ctx.sim.jobs.get_mut(job_id) else {
        return;
    };
    match (job.state, fate) {
        ("CREATED", _) => {
            stored.state = "RUNNING";
            stored.running_since = Some(now);
        }
        ("RUNNING", Some(Fate::Finish(after)))
            if job.running_since.is_some_and(|s| now >= s + after) =>
        {
            stored.state = "FINISHED";
        }
        ("RUNNING", Some(Fate::Fail(after, cause)))
            if job.running_since.is_some_and(|s| now >= s + after) =>
        {
            stored.state = "FAILED";
            stored.failure = Some(cause);
        }
        _ => {}
    }
}

/// A legacy (`savepointInfo`) manual savepoint completes: `lastSavepoint`,
/// history, the trigger cleared, the nonce recorded.
fn complete_legacy_savepoint(ctx: &mut Ctx, object: &Json, status: &Json, target: &Target) -> bool {
    let info = &status["jobStatus"]["savepointInfo"];
    if info["triggerId"].as_str().is_none_or(str::is_empty)
        || status["jobStatus"]["state"] != "RUNNING"
    {
        return false;
    }
    let config = target.config(object);
    let Some(path) = savepoint_path(&config, status) else {
        return false;
    };
    let mut next = status.clone();
    let nonce = object["spec"]["job"]["savepointTriggerNonce"].clone();
    let savepoint = json!({
        "timeStamp": meta::epoch_millis(),
        "location": path,
        "triggerType": info["triggerType"].as_str().unwrap_or("MANUAL"),
        "formatType": info["formatType"].as_str().unwrap_or("CANONICAL"),
        "triggerNonce": nonce,
    });
    let info = &mut next["jobStatus"]["savepointInfo"];
    if let Some(map) = info.as_object_mut() {
        for key in ["triggerId", "triggerTimestamp", "triggerType", "formatType"] {
            map.remove(key);
        }
    }
    info["lastSavepoint"] = savepoint.clone();
    let mut history = info["savepointHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    history.push(savepoint);
    info["savepointHistory"] = json!(history);
    record_nonce(&mut next, object, "savepointTriggerNonce");
    ctx.put_status(object, next);
    true
}

/// `updateLastReconciledSnapshotTriggerNonce`.
fn record_nonce(status: &mut Json, object: &Json, nonce: &str) {
    let Some((mut last, first)) = reconciled(status) else {
        return;
    };
    last["job"][nonce] = object["spec"]["job"][nonce].clone();
    let generation = status["observedGeneration"].as_i64().unwrap_or(1);
    set_reconciled(status, &last, first, generation, &api_version(object));
    status["reconciliationStatus"]["reconciliationTimestamp"] = json!(meta::epoch_millis());
}

/// Where a savepoint of the job goes: `<savepoint dir>/savepoint-<6 of the job id>-<12 hex>`.
fn savepoint_path(
    config: &std::collections::BTreeMap<String, String>,
    status: &Json,
) -> Option<String> {
    let dir = option(config, SAVEPOINT_DIR)?;
    let job_id = status["jobStatus"]["jobId"].as_str().unwrap_or("000000");
    Some(format!(
        "{}/savepoint-{}-{}",
        dir.trim_end_matches('/'),
        &job_id[..job_id.len().min(6)],
        meta::random_hex(12)
    ))
}

/// The reconciler: spec changes (suspend, restore, upgrade, redeploy) and,
/// without one, manual snapshots.
fn reconcile(ctx: &mut Ctx, object: Json, status: Json, last: Json, target: &Target) {
    let spec = object["spec"].clone();
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    let diff = status::diff(&last, &spec);
    let upgrading = status["reconciliationStatus"]["state"] == "UPGRADING";
    if diff == Diff::Ignore && !upgrading {
        if status["observedGeneration"].as_i64() != Some(generation) {
            // `updateReconciliationMetadata`
            let mut next = status.clone();
            let first = reconciled(&status).is_some_and(|(_, f)| f)
                && status["reconciliationStatus"]["state"] == "DEPLOYED";
            set_reconciled(&mut next, &last, first, generation, &api_version(&object));
            ctx.put_status(&object, next);
            return;
        }
        trigger_snapshots(ctx, &object, &status, &last, target);
        return;
    }
    if diff != Diff::Ignore && !continues_first_deployment(&status) {
        let message = format!(
            "{} change(s) detected ({}), starting reconciliation.",
            if diff == Diff::SavepointRedeploy {
                "SAVEPOINT_REDEPLOY"
            } else {
                "UPGRADE"
            },
            describe_diff(&last, &spec, target.flavor)
        );
        let key = format!("SpecChange: {generation}");
        ctx.event(
            &object,
            "Normal",
            "SpecChanged",
            "JobManagerDeployment",
            &message,
            Some(&key),
            true,
        );
    }
    if diff == Diff::SavepointRedeploy {
        redeploy_with_savepoint(ctx, object, status, target);
        return;
    }
    match (last["job"]["state"].as_str(), desired(&spec)) {
        (Some("running"), _) => suspend(ctx, object, status, &last, target),
        (Some("suspended"), "running") => restore(ctx, object, status, &last, target),
        _ => {}
    }
}

/// `FlinkDeploymentSpec[job.state : running -> suspended]`, the diff as the event prints it.
fn describe_diff(last: &Json, current: &Json, flavor: Flavor) -> String {
    let mut changes = Vec::new();
    let (last, current) = (recorded_spec(last), recorded_spec(current));
    collect_changes("", &last, &current, &mut changes);
    let class = match flavor {
        Flavor::Application => "FlinkDeploymentSpec",
        Flavor::Session => "FlinkSessionJobSpec",
    };
    format!("Diff: {class}[{}]", changes.join(", "))
}

fn collect_changes(path: &str, old: &Json, new: &Json, out: &mut Vec<String>) {
    match (old, new) {
        (Json::Object(a), Json::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                collect_changes(
                    &here,
                    a.get(key).unwrap_or(&Json::Null),
                    b.get(key).unwrap_or(&Json::Null),
                    out,
                );
            }
        }
        _ if old != new => out.push(format!("{path} : {} -> {}", plain(old), plain(new))),
        _ => {}
    }
}

fn plain(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a running job is stopped for an upgrade or a suspend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SuspendMode {
    Noop,
    Stateless,
    Savepoint,
    LastState,
}

/// A running job meets a spec change: cancel it by its upgrade mode
/// (`getJobUpgrade`, `cancelJob`), then record UPGRADING (to restore next)
/// or, for a suspend, DEPLOYED with `job.state: suspended`.
fn suspend(ctx: &mut Ctx, object: Json, mut status: Json, last: &Json, target: &Target) {
    let spec = object["spec"].clone();
    let mode = spec["job"]["upgradeMode"].as_str().unwrap_or("stateless");
    let state = status["jobStatus"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let terminal = matches!(state.as_str(), "FINISHED" | "FAILED" | "CANCELED");
    let (how, restore_mode) = match mode {
        "stateless" if terminal => (SuspendMode::Noop, "stateless"),
        "stateless" => (SuspendMode::Stateless, "stateless"),
        _ if terminal => {
            let known = status["jobStatus"]["upgradeSavepointPath"].is_string()
                || status["jobStatus"]["savepointInfo"]["lastSavepoint"].is_object();
            if !known {
                let message = "Job is in terminal state but last checkpoint is unknown, possibly due to an unrecoverable restore error. Manual restore required.";
                fail_reconcile(
                    ctx,
                    &object,
                    status,
                    "org.apache.flink.kubernetes.operator.exception.UpgradeFailureException",
                    message,
                );
                return;
            }
            (SuspendMode::Noop, "savepoint")
        }
        "savepoint" if state == "RUNNING" => (SuspendMode::Savepoint, "savepoint"),
        "last-state" if state == "RUNNING" => (SuspendMode::LastState, "last-state"),
        // Not running yet: wait for an upgradable state.
        _ => return,
    };
    if how != SuspendMode::Noop {
        ctx.event(
            &object,
            "Normal",
            "Suspended",
            "JobManagerDeployment",
            "Suspending existing deployment.",
            None,
            false,
        );
    }
    let config = target.config(&object);
    cancel(ctx, &object, &mut status, how, target, &config);
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
    let running = desired(&spec) == "running";
    let mut record = recorded_spec(&spec);
    record["job"]["state"] = json!("suspended");
    record["job"]["upgradeMode"] = json!(restore_mode);
    keep_trigger_nonces(&mut record, Some(last));
    if let Some(map) = status.as_object_mut() {
        map.remove("error");
    }
    status["reconciliationStatus"]["state"] = json!(if running { "UPGRADING" } else { "DEPLOYED" });
    status["reconciliationStatus"]["reconciliationTimestamp"] = json!(meta::epoch_millis());
    set_reconciled(
        &mut status,
        &record,
        false,
        generation,
        &api_version(&object),
    );
    if !running {
        status::mark_stable(&mut status);
        if target.flavor == Flavor::Application {
            status["taskManager"] = task_manager_info(&object, false);
        }
    }
    let Some(object) = ctx.put_status(&object, status.clone()) else {
        return;
    };
    if how == SuspendMode::Noop && running {
        restore(ctx, object, status, &record, target);
    }
}

/// Stops the job (`cancelJob` / `cancelSessionJob`): the job is recorded
/// FINISHED, a session job loses its jobId; stateless and last-state delete
/// an application's cluster; savepoint records the path it took.
fn cancel(
    ctx: &mut Ctx,
    object: &Json,
    status: &mut Json,
    how: SuspendMode,
    target: &Target,
    config: &std::collections::BTreeMap<String, String>,
) {
    if how == SuspendMode::Noop {
        return;
    }
    if how == SuspendMode::Savepoint
        && let Some(path) = savepoint_path(config, status)
    {
        set_upgrade_savepoint(ctx, object, status, &path, target, config);
    }
    if let Some(id) = status["jobStatus"]["jobId"].as_str() {
        ctx.sim.jobs.remove(id);
    }
    status["jobStatus"]["state"] = json!("FINISHED");
    match target.flavor {
        Flavor::Application => {
            if matches!(how, SuspendMode::Stateless | SuspendMode::LastState) {
                status["jobManagerDeploymentStatus"] = json!("MISSING");
            }
        }
        Flavor::Session => {
            if let Some(js) = status["jobStatus"].as_object_mut() {
                js.remove("jobId");
            }
        }
    }
}

/// `setUpgradeSavepointPath`: `jobStatus.upgradeSavepointPath`, plus an
/// UPGRADE FlinkStateSnapshot when snapshot resources are on, else
/// `savepointInfo.lastSavepoint`.
fn set_upgrade_savepoint(
    ctx: &mut Ctx,
    object: &Json,
    status: &mut Json,
    path: &str,
    target: &Target,
    config: &std::collections::BTreeMap<String, String>,
) {
    status["jobStatus"]["upgradeSavepointPath"] = json!(path);
    let format = config
        .get("kubernetes.operator.savepoint.format.type")
        .cloned()
        .unwrap_or_else(|| "CANONICAL".to_string());
    if snapshot_resources(ctx, config) {
        let dispose = flag(
            config,
            "kubernetes.operator.savepoint.dispose-on-delete",
            false,
        );
        create_snapshot(
            ctx,
            object,
            target,
            "upgrade",
            json!({
                "path": path,
                "formatType": format,
                "disposeOnDelete": dispose,
                "alreadyExists": true,
            }),
        );
    } else {
        let savepoint = json!({
            "timeStamp": meta::epoch_millis(),
            "location": path,
            "triggerType": "UPGRADE",
            "formatType": format,
        });
        let info = &mut status["jobStatus"]["savepointInfo"];
        info["lastSavepoint"] = savepoint.clone();
        let mut history = info["savepointHistory"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        history.push(savepoint);
        info["savepointHistory"] = json!(history);
    }
}

/// Whether savepoints are FlinkStateSnapshot resources (the operator's
/// setting and the CR's `kubernetes.operator.snapshot.resource.enabled`).
fn snapshot_resources(ctx: &Ctx, config: &std::collections::BTreeMap<String, String>) -> bool {
    ctx.options.snapshot_resources
        && flag(
            config,
            "kubernetes.operator.snapshot.resource.enabled",
            true,
        )
}

/// Creates `<name>-<savepoint|checkpoint>-<trigger>-<epoch ms>`
/// (`FlinkStateSnapshotUtils#createFlinkStateSnapshot`).
fn create_snapshot(ctx: &mut Ctx, object: &Json, target: &Target, trigger: &str, savepoint: Json) {
    let kind = if savepoint.is_null() {
        "checkpoint"
    } else {
        "savepoint"
    };
    let name = format!(
        "{}-{kind}-{trigger}-{}",
        name_of(object),
        meta::epoch_millis()
    );
    let mut spec = json!({
        "jobReference": {"kind": target.flavor.kind(), "name": name_of(object)},
        "backoffLimit": -1,
    });
    if savepoint.is_null() {
        spec["checkpoint"] = json!({});
    } else {
        spec["savepoint"] = savepoint;
    }
    let body = json!({
        "apiVersion": api_version(object),
        "kind": "FlinkStateSnapshot",
        "metadata": {
            "name": name,
            "namespace": namespace_of(object),
            "labels": {"snapshot.trigger-type": trigger.to_uppercase()},
        },
        "spec": spec,
    });
    ctx.create("FlinkStateSnapshot", namespace_of(object), body);
}

/// A suspended job is resumed (`restoreJob`): the upgrade mode it was
/// suspended with is inherited unless stateless is asked; savepoint mode
/// restores from `upgradeSavepointPath` (or the legacy last savepoint).
fn restore(ctx: &mut Ctx, object: Json, status: Json, last: &Json, target: &Target) {
    let asked = object["spec"]["job"]["upgradeMode"]
        .as_str()
        .unwrap_or("stateless");
    let mode = if asked == "stateless" {
        "stateless".to_string()
    } else {
        last["job"]["upgradeMode"]
            .as_str()
            .unwrap_or("stateless")
            .to_string()
    };
    let Some(object) = before_deployment(ctx, &object, status, Some(last), &mode) else {
        return;
    };
    let status = current_status(&object, target.flavor == Flavor::Application);
    let savepoint = (mode == "savepoint")
        .then(|| {
            status["jobStatus"]["upgradeSavepointPath"]
                .as_str()
                .or(status["jobStatus"]["savepointInfo"]["lastSavepoint"]["location"].as_str())
                .map(str::to_string)
        })
        .flatten();
    deploy_and_record(ctx, object, target, &mode, savepoint);
}

/// `savepointRedeployNonce` changed: cancel statelessly and deploy from
/// `initialSavepointPath` (`redeployWithSavepoint`).
fn redeploy_with_savepoint(ctx: &mut Ctx, object: Json, mut status: Json, target: &Target) {
    let config = target.config(&object);
    cancel(
        ctx,
        &object,
        &mut status,
        SuspendMode::Stateless,
        target,
        &config,
    );
    let path = object["spec"]["job"]["initialSavepointPath"]
        .as_str()
        .map(str::to_string);
    status["jobStatus"]["upgradeSavepointPath"] = json!(path);
    let Some(object) = ctx.put_status(&object, status) else {
        return;
    };
    if desired(&object["spec"]) == "running" {
        deploy_and_record(ctx, object.clone(), target, "savepoint", path);
    }
    if let Some(object) = ctx.store_get(&target.flavor, &object) {
        let mut status = current_status(&object, target.flavor == Flavor::Application);
        status::mark_stable(&mut status);
        ctx.put_status(&object, status);
    }
}

/// A reconcile that threw: `status.error` as ReconciliationException JSON
/// and a Warning `Error` event, retried later.
fn fail_reconcile(ctx: &mut Ctx, object: &Json, mut status: Json, type_: &str, message: &str) {
    let error = status::error_json(
        RECONCILIATION_EXCEPTION,
        &format!("{type_}: {message}"),
        &[(type_, message)],
    );
    if status["error"].as_str() == Some(error.as_str()) {
        return;
    }
    ctx.event(object, "Warning", "Error", "Job", message, None, false);
    status["error"] = json!(error);
    ctx.put_status(object, status);
}

/// `reconcileOtherChanges`: a new `savepointTriggerNonce` or
/// `checkpointTriggerNonce` on a running job takes a manual snapshot.
fn trigger_snapshots(ctx: &mut Ctx, object: &Json, status: &Json, last: &Json, target: &Target) {
    if status["jobStatus"]["state"] != "RUNNING" {
        return;
    }
    let config = target.config(object);
    let job = &object["spec"]["job"];
    let legacy_pending = status["jobStatus"]["savepointInfo"]["triggerId"]
        .as_str()
        .is_some_and(|t| !t.is_empty());
    let savepoint_nonce = &job["savepointTriggerNonce"];
    if !savepoint_nonce.is_null()
        && *savepoint_nonce != last["job"]["savepointTriggerNonce"]
        && !legacy_pending
    {
        let Some(dir) = option(&config, SAVEPOINT_DIR).map(str::to_string) else {
            return;
        };
        let format = config
            .get("kubernetes.operator.savepoint.format.type")
            .cloned()
            .unwrap_or_else(|| "CANONICAL".to_string());
        let mut next = status.clone();
        if snapshot_resources(ctx, &config) {
            let dispose = flag(
                &config,
                "kubernetes.operator.savepoint.dispose-on-delete",
                false,
            );
            create_snapshot(
                ctx,
                object,
                target,
                "manual",
                json!({
                    "path": dir,
                    "formatType": format,
                    "disposeOnDelete": dispose,
                    "alreadyExists": false,
                }),
            );
            record_nonce(&mut next, object, "savepointTriggerNonce");
        } else {
            let info = &mut next["jobStatus"]["savepointInfo"];
            info["triggerId"] = json!(meta::random_hex(32));
            info["triggerTimestamp"] = json!(meta::epoch_millis());
            info["triggerType"] = json!("MANUAL");
            info["formatType"] = json!(format);
        }
        ctx.put_status(object, next);
        return;
    }
    let checkpoint_nonce = &job["checkpointTriggerNonce"];
    if !checkpoint_nonce.is_null()
        && *checkpoint_nonce != last["job"]["checkpointTriggerNonce"]
        && snapshot_resources(ctx, &config)
    {
        create_snapshot(ctx, object, target, "manual", Json::Null);
        let mut next = status.clone();
        record_nonce(&mut next, object, "checkpointTriggerNonce");
        ctx.put_status(object, next);
    }
}

/// The deletion of a job resource: a job still running is cancelled
/// (stateless), then the finalizer goes (`cleanupInternal`).
pub fn cleanup(ctx: &mut Ctx, object: &Json, flavor: Flavor) {
    let message = format!("Cleaning up {}", flavor.kind());
    ctx.event(
        object, "Normal", "Cleanup", "Operator", &message, None, false,
    );
    if let Some(id) = object["status"]["jobStatus"]["jobId"].as_str() {
        ctx.sim.jobs.remove(id);
    }
    ctx.remove_finalizer(object);
}

impl Ctx<'_> {
    /// The stored version of `object` (after this step's writes).
    fn store_get(&self, flavor: &Flavor, object: &Json) -> Option<Json> {
        let rt = self.rt(flavor.kind());
        super::super::registry::get(self.store, rt, namespace_of(object), name_of(object)).ok()
    }
}
