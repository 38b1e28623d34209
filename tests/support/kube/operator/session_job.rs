//! FlinkSessionJob (`FlinkSessionJobController`, `SessionJobReconciler`;
//! docs/flink-kubernetes-operator.md §4): finalizer, validation (the jarURI allowlist among it),
//! then — only once its session FlinkDeployment exists and is READY
//! (`readyToReconcile`; until then it stays CREATED, with no error, as the
//! real operator only logs "Session cluster deployment is not found") —
//! the job: jar downloaded by the operator, submitted, observed.

use serde_json::Value as Json;

use super::super::registry;
use super::deployment::validation_failed;
use super::job::{self, Flavor, Target};
use super::{Ctx, namespace_of, validation};

/// One step of a FlinkSessionJob.
pub fn step(ctx: &mut Ctx, object: Json) {
    if object["metadata"].get("deletionTimestamp").is_some() {
        if ctx.has_finalizer(&object) {
            job::cleanup(ctx, &object, Flavor::Session);
        }
        return;
    }
    if ctx.ensure_finalizer(&object).is_some() {
        return;
    }
    let rt = ctx.rt("FlinkDeployment");
    let session = object["spec"]["deploymentName"]
        .as_str()
        .and_then(|name| registry::get(ctx.store, rt, namespace_of(&object), name).ok());
    let error = validation::session_job(
        &object,
        session.as_ref(),
        &ctx.options.allowed_schemes,
        ctx.options.disallow_restricted_hosts,
    );
    if let Some(error) = error {
        validation_failed(ctx, &object, &error, false);
        return;
    }
    let ready = session
        .as_ref()
        .is_some_and(|s| s["status"]["jobManagerDeploymentStatus"] == "READY");
    if !ready {
        job::ensure_status(ctx, &object, false);
        return;
    }
    job::step(
        ctx,
        object,
        &Target {
            flavor: Flavor::Session,
            session: session.as_ref(),
        },
    );
}
