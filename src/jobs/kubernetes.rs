//! Jobs and clusters through the Flink Kubernetes Operator: the same job
//! model as REST clusters (script, options, states, statements), run by
//! the operator's own means (`docs/flink-kubernetes-operator.md`, cited as
//! §n below).
//!
//! - **Session clusters** (`TYPE KUBERNETES_SESSION`): CREATE CLUSTER
//!   creates a FlinkDeployment without `job` and returns when the operator
//!   reports it READY and reconciled; ALTER merge-patches its spec and
//!   waits for the new generation to be reconciled; DROP deletes it.
//!   A job on it is a **FlinkSessionJob** whose `jarURI` is the job jar
//!   served by scaleph (`serve --http-listen`; §4: the operator downloads
//!   it in its own pod and runs it on the session JobManager).
//! - **Application clusters** (`TYPE KUBERNETES_APPLICATION`) are a
//!   template: each job is its own FlinkDeployment with `spec.job` running
//!   the SQL runner from the same served jar.
//! - **The script travels as the runner's arguments** (`--script-base64`),
//!   not in a ConfigMap: a session job runs in a JobManager that already
//!   exists, where no ConfigMap can be mounted any more, so arguments are
//!   the one way that works for both kinds; the cost is that the script
//!   (with its secrets) is in the CR's spec, readable by whoever may read
//!   the CR — as it is in the job graph on a REST cluster.
//! - **Lifecycle** (§7): SUSPEND = `job.state: suspended` with
//!   `upgradeMode: savepoint` (the savepoint path from
//!   `jobStatus.upgradeSavepointPath`); RESUME = `state: running`
//!   (restored by the operator), or a new CR from the latest savepoint
//!   when the old one is gone; SAVEPOINT JOB = a FlinkStateSnapshot,
//!   waited for until COMPLETED; STOP = suspend (stateless, or savepoint
//!   WITH SAVEPOINT) then delete the CR.
//! - **Every wait is a watch**, never a poll (`kube::Kube::wait_for`).

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::options::JobOptions;
use crate::catalog::{ClusterTypeSpec, Registry, TypedOptions};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::kube::crd::{self, JOB_LABEL, MANAGED_BY_LABEL};
use crate::kube::{Kind, Kube, KubeTarget, operator_error};
use crate::result::Progress;
use crate::store::{AttachedFile, Cluster, Job, OptionEntry};

/// The label value scaleph puts on the resources it manages.
pub const MANAGED_BY: &str = "scaleph";

/// Flink configuration keys the operator forbids in a CR (§1).
const FORBIDDEN_FLINK_KEYS: &[&str] = &[
    "kubernetes.namespace",
    "kubernetes.cluster-id",
    "high-availability.cluster-id",
];

/// The Flink configuration keys of the state directories (Flink 2.x
/// names, then the names before 1.20: both are written).
const SAVEPOINT_DIR_KEYS: &[&str] = &[
    "execution.checkpointing.savepoint-dir",
    "state.savepoints.dir",
];
const CHECKPOINT_DIR_KEYS: &[&str] = &["execution.checkpointing.dir", "state.checkpoints.dir"];

/// The pod templates a Kubernetes cluster type takes as files (its
/// `[[files]]`) and the field of a FlinkDeployment's spec each fills, as
/// the API server names it in a refusal.
pub const POD_TEMPLATE_FILES: &[(&str, &str)] = &[
    ("pod.template", "spec.podTemplate"),
    ("jobmanager.pod.template", "spec.jobManager.podTemplate"),
    ("taskmanager.pod.template", "spec.taskManager.podTemplate"),
];

/// Options that became files (`FILES (...)`): a cluster stored before
/// migration V8 may still have one, which is refused rather than
/// silently dropped from its FlinkDeployments.
const OPTIONS_NOW_FILES: &[&str] = &["pod.template"];

/// Whether `cluster` is run by the Kubernetes operator.
pub fn is_kubernetes(registry: &Registry, cluster: &Cluster) -> bool {
    registry
        .cluster_type(&cluster.cluster_type)
        .is_some_and(|t| t.kubernetes)
}

/// Whether jobs on `cluster` each get their own FlinkDeployment.
fn is_application(cluster: &Cluster) -> bool {
    cluster.cluster_type == "kubernetes_application"
}

/// The operator's resource name for scaleph object `name`: its rule is
/// `[a-z]([-a-z0-9]{0,43}[a-z0-9])?` (§1), so lower case, `-` for what
/// it does not allow, and a hash suffix for names too long.
pub fn resource_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "s-");
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > 45 || out != name {
        // Two names that map alike must not collide: a short hash of the
        // name as written.
        use sha2::Digest;
        let hash = sha2::Sha256::digest(name.as_bytes());
        let suffix: String = hash[..3].iter().map(|b| format!("{b:02x}")).collect();
        out.truncate(38);
        out = format!("{}-{suffix}", out.trim_end_matches('-'));
    }
    out
}

/// A cluster option's value, or its type's default.
fn option(cluster: &Cluster, spec: &ClusterTypeSpec, key: &str) -> Option<String> {
    match cluster.options.get(key) {
        Some(OptionEntry::Plain(value)) => Some(value.clone()),
        Some(OptionEntry::Secret(secret)) => Some(secret.expose_secret().to_string()),
        None => spec.option(key).and_then(|o| o.default.clone()),
    }
}

fn spec_of<'a>(registry: &'a Registry, cluster: &Cluster) -> Result<&'a ClusterTypeSpec> {
    registry
        .cluster_type(&cluster.cluster_type)
        .filter(|t| t.kubernetes)
        .ok_or_else(|| {
            Error::internal(format!(
                "cluster \"{}\" is not a Kubernetes cluster",
                cluster.name
            ))
        })
}

/// 22023 for option `key` of cluster `cluster`.
fn bad_option(cluster: &str, key: &str, message: String) -> Error {
    Error::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("option \"{key}\" of cluster \"{cluster}\": {message}"),
    )
    .with_subject(key.to_string())
}

/// How to reach the cluster's API server.
pub fn target(registry: &Registry, cluster: &Cluster) -> Result<KubeTarget> {
    let spec = spec_of(registry, cluster)?;
    let text = |key: &str| option(cluster, spec, key);
    let duration = |key: &str, default: Duration| {
        text(key)
            .and_then(|t| crate::duration::parse_duration(&t).ok())
            .unwrap_or(default)
    };
    Ok(KubeTarget {
        api_server: text("kubernetes.api-server"),
        token: text("kubernetes.token").map(SecretString::from),
        insecure_skip_tls_verify: text("kubernetes.insecure-skip-tls-verify").as_deref()
            == Some("true"),
        kubeconfig: text("kubernetes.config").map(Into::into),
        context: text("kubernetes.context"),
        namespace: text("namespace").unwrap_or_else(|| "default".into()),
        request_timeout: duration("request.timeout", Duration::from_secs(30)),
    })
}

/// The cluster's API server.
pub async fn connect(registry: &Registry, cluster: &Cluster) -> Result<Kube> {
    Kube::connect(
        &target(registry, cluster)?,
        &format!("cluster \"{}\"", cluster.name),
    )
    .await
}

/// How long CREATE/ALTER CLUSTER wait for the operator.
pub fn deploy_timeout(registry: &Registry, cluster: &Cluster) -> Duration {
    spec_of(registry, cluster)
        .ok()
        .and_then(|spec| option(cluster, spec, "deploy.timeout"))
        .and_then(|t| crate::duration::parse_duration(&t).ok())
        .unwrap_or(Duration::from_secs(300))
}

/// The cluster's Flink configuration: its `flink.*` options, the task
/// slots and the state directories, checked as the operator checks them
/// (§1, §3) — so a bad option is refused naming it, before Kubernetes.
fn flink_configuration(
    cluster: &Cluster,
    spec: &ClusterTypeSpec,
) -> Result<BTreeMap<String, String>> {
    let mut config = BTreeMap::new();
    for key in cluster.options.keys() {
        if let Some(flink) = key.strip_prefix("flink.") {
            if key == "flink.version" {
                continue;
            }
            if FORBIDDEN_FLINK_KEYS.contains(&flink) {
                return Err(bad_option(
                    &cluster.name,
                    key,
                    "the operator sets this key itself and refuses it in a resource".into(),
                ));
            }
            if let Some(value) = option(cluster, spec, key) {
                config.insert(flink.to_string(), value);
            }
        }
    }
    if let Some(slots) = option(cluster, spec, "taskmanager.slots") {
        config.insert("taskmanager.numberOfTaskSlots".into(), slots);
    }
    for (option_key, flink_keys) in [
        ("savepoint.dir", SAVEPOINT_DIR_KEYS),
        ("checkpoint.dir", CHECKPOINT_DIR_KEYS),
    ] {
        if let Some(dir) = option(cluster, spec, option_key) {
            for key in flink_keys {
                config.insert(key.to_string(), dir.clone());
            }
        }
    }
    Ok(config)
}

/// The upgrade mode of jobs on `cluster`: the job's `upgrade.mode`, else
/// the cluster's; savepoint mode needs both state directories (§3: the
/// operator refuses it otherwise).
fn upgrade_mode(cluster: &Cluster, spec: &ClusterTypeSpec, job: &JobOptions) -> Result<String> {
    let mode = job
        .upgrade_mode()
        .map(str::to_string)
        .or_else(|| option(cluster, spec, "upgrade.mode"))
        .unwrap_or_else(|| "savepoint".into());
    if mode != "stateless" {
        let config = flink_configuration(cluster, spec)?;
        let has = |keys: &[&str]| keys.iter().any(|k| config.contains_key(*k));
        for (keys, option_key) in [
            (SAVEPOINT_DIR_KEYS, "savepoint.dir"),
            (CHECKPOINT_DIR_KEYS, "checkpoint.dir"),
        ] {
            if !has(keys) {
                return Err(bad_option(
                    &cluster.name,
                    option_key,
                    format!(
                        "upgrade mode {mode} needs a durable {option_key} (the operator refuses {mode} mode without it)"
                    ),
                )
                .with_hint(format!(
                    "ALTER CLUSTER {} SET ('{option_key}' = 's3://bucket/path'), or run the job WITH ('upgrade.mode' = 'stateless')",
                    cluster.name
                )));
            }
        }
    }
    Ok(mode)
}

/// The FlinkDeployment of a session cluster, or (with `job`) of an
/// application job, from the cluster's options; checked against the CRD
/// of its `operator.version` before anything reaches Kubernetes.
pub fn deployment(
    registry: &Registry,
    cluster: &Cluster,
    name: &str,
    labels: BTreeMap<String, String>,
    job: Option<crd::JobSpec>,
) -> Result<Value> {
    let spec = spec_of(registry, cluster)?;
    let text = |key: &str| option(cluster, spec, key);
    let flink_version = text("flink.version").unwrap_or_else(|| "v2_0".into());
    let operator = text("operator.version").unwrap_or_else(|| "1.15".into());
    let allowed = if operator == "1.15" {
        crd::FLINK_VERSIONS_1_15
    } else {
        crd::FLINK_VERSIONS_MAIN
    };
    if !allowed.contains(&flink_version.as_str()) {
        return Err(bad_option(
            &cluster.name,
            "flink.version",
            format!(
                "{flink_version} is not in the FlinkDeployment CRD of operator {operator} ({})",
                allowed.join(", ")
            ),
        ));
    }
    let resource = |prefix: &str| -> Result<crd::Resource> {
        let cpu_key = format!("{prefix}.cpu");
        let cpu = text(&cpu_key).unwrap_or_else(|| "1".into());
        let cpu: f64 = cpu
            .trim()
            .parse()
            .ok()
            .filter(|c: &f64| *c > 0.0)
            .ok_or_else(|| {
                bad_option(
                    &cluster.name,
                    &cpu_key,
                    format!("'{cpu}' is not a positive number of CPUs"),
                )
            })?;
        Ok(crd::Resource {
            cpu,
            memory: text(&format!("{prefix}.memory")).unwrap_or_else(|| "1024m".into()),
        })
    };
    let replicas = text("taskmanager.replicas").and_then(|r| r.parse().ok());
    if let Some(key) = OPTIONS_NOW_FILES
        .iter()
        .find(|key| cluster.options.contains_key(**key))
    {
        return Err(bad_option(
            &cluster.name,
            key,
            "is a file now, read once and stored with the cluster; the option is no longer read"
                .into(),
        )
        .with_hint(format!(
            "ALTER CLUSTER {} SET FILES ('{key}' = '/path/to/file') attaches it in place of the option; RESET FILES ('{key}') just drops the option",
            crate::sql::ast::q(&crate::sql::ast::ident_for(&cluster.name))
        )));
    }
    let template = |key: &str| -> Result<Option<Value>> {
        cluster
            .files
            .get(key)
            .map(|file| pod_template(&cluster.name, key, file))
            .transpose()
    };
    let ingress = text("ingress.template").map(|template| {
        let mut ingress = json!({ "template": template });
        if let Some(class) = text("ingress.class") {
            ingress["className"] = json!(class);
        }
        ingress
    });
    let deployment = crd::FlinkDeploymentSpec {
        image: text("image"),
        flink_version: Some(flink_version),
        service_account: text("service.account"),
        flink_configuration: flink_configuration(cluster, spec)?,
        job_manager: Some(crd::JobManagerSpec {
            resource: Some(resource("jobmanager")?),
            replicas: Some(1),
            pod_template: template("jobmanager.pod.template")?,
        }),
        task_manager: Some(crd::TaskManagerSpec {
            resource: Some(resource("taskmanager")?),
            replicas,
            pod_template: template("taskmanager.pod.template")?,
        }),
        mode: Some("native".into()),
        pod_template: template("pod.template")?,
        ingress,
        job,
        ..crd::FlinkDeploymentSpec::default()
    };
    Ok(json!({
        "apiVersion": Kind::FlinkDeployment.api_version(),
        "kind": Kind::FlinkDeployment.kind(),
        "metadata": { "name": name, "labels": labels },
        "spec": deployment,
    }))
}

/// The PodTemplateSpec of file `key` of cluster `cluster`, from the
/// content stored when the file was attached (never its path: a file
/// changed or deleted since does not change the cluster): JSON or YAML,
/// a mapping. 22023 naming the file otherwise. CREATE and ALTER CLUSTER
/// render the FlinkDeployment ([`deployment`]) before they connect, so a
/// bad template is refused before anything reaches Kubernetes.
pub fn pod_template(cluster: &str, key: &str, file: &AttachedFile) -> Result<Value> {
    let bad = |message: String| {
        Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "file \"{key}\" of cluster \"{cluster}\" (read from '{}'): {message}",
                file.path
            ),
        )
        .with_subject(key.to_string())
    };
    let encoded = match &file.content {
        OptionEntry::Plain(text) => text.clone(),
        OptionEntry::Secret(secret) => secret.expose_secret().to_string(),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| bad(format!("its stored content is damaged: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| bad("it is not UTF-8 text".into()))?;
    let value: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(_) => serde_saphyr::from_str(&text)
            .map_err(|e| bad(format!("it is neither JSON nor YAML: {e}")))?,
    };
    if !value.is_object() {
        return Err(bad(
            "it holds no PodTemplateSpec (a mapping with metadata and spec)".into(),
        ));
    }
    Ok(value)
}

/// `err`, an API server's refusal of a FlinkDeployment of `cluster`,
/// naming the attached files whose fields it refused (`unknown field
/// "spec.podTemplate.spec.containerz"` is file `pod.template`): the
/// user fixes a file, not a field path. Other errors pass unchanged.
fn name_refused_files(cluster: &Cluster, mut err: Error) -> Error {
    if err.sqlstate != SqlState::INVALID_PARAMETER_VALUE {
        return err;
    }
    let said = format!("{} {}", err.message, err.detail.as_deref().unwrap_or(""));
    let refused: Vec<(&str, &AttachedFile)> = POD_TEMPLATE_FILES
        .iter()
        .filter(|(_, field)| said.contains(field))
        .filter_map(|(key, _)| cluster.files.get(*key).map(|file| (*key, file)))
        .collect();
    let Some((first, _)) = refused.first().copied() else {
        return err;
    };
    let named: Vec<String> = refused
        .iter()
        .map(|(key, file)| format!("\"{key}\" ('{}')", file.path))
        .collect();
    err.message = format!(
        "{} (from file{} {} of cluster \"{}\")",
        err.message,
        if refused.len() > 1 { "s" } else { "" },
        named.join(", "),
        cluster.name
    );
    err.with_subject(first)
}

/// The labels of what scaleph creates for cluster `cluster` (and job `job`).
fn labels(cluster: &str, job: Option<&str>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([
        (MANAGED_BY_LABEL.to_string(), MANAGED_BY.to_string()),
        (crd::CLUSTER_LABEL.to_string(), resource_name(cluster)),
    ]);
    if let Some(job) = job {
        labels.insert(JOB_LABEL.to_string(), resource_name(job));
    }
    labels
}

/// The operator's error on `object`, as an error of `what`: its message
/// (the innermost cause) and the whole as detail.
fn failed(what: &str, status_error: &str) -> Error {
    let (message, detail) = operator_error(status_error);
    Error::new(SqlState::SYSTEM_ERROR, format!("{what}: {message}")).with_detail(detail)
}

/// Waits until a session cluster's FlinkDeployment is READY with its
/// latest spec reconciled; the operator's error otherwise.
async fn wait_ready(
    kube: &Kube,
    name: &str,
    cluster: &str,
    timeout: Duration,
    progress: &Progress,
) -> Result<()> {
    let what = format!("cluster \"{cluster}\"");
    let mut last = String::new();
    kube.wait_for(Kind::FlinkDeployment, name, timeout, &what, |object| {
        let Some(object) = object else {
            return Some(Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("{what}: its FlinkDeployment {name} was deleted"),
            )));
        };
        let status = crd::status(object);
        let jm = status
            .job_manager_deployment_status
            .clone()
            .unwrap_or_default();
        let lifecycle = status.lifecycle_state.clone().unwrap_or_default();
        let now = format!("{lifecycle}/{jm}");
        if now != last {
            progress.notice(format!(
                "{what}: FlinkDeployment {name} is {lifecycle}, JobManager {jm}"
            ));
            last = now;
        }
        if let Some(error) = status.error.as_deref().filter(|e| !e.is_empty())
            && (lifecycle == "FAILED" || crd::reconciled(object) || jm == "ERROR")
        {
            return Some(Err(failed(&what, error)));
        }
        (jm == "READY" && crd::reconciled(object)).then_some(Ok(()))
    })
    .await
}

/// CREATE CLUSTER ... TYPE KUBERNETES_SESSION: the FlinkDeployment, READY.
/// An application type creates nothing (it is a template) but is checked,
/// and its API server reached.
pub async fn create_cluster(
    registry: &Registry,
    cluster: &Cluster,
    progress: &Progress,
) -> Result<()> {
    let name = resource_name(&cluster.name);
    let object = deployment(registry, cluster, &name, labels(&cluster.name, None), None)?;
    // Reached and allowed now, not at the first job.
    let kube = connect(registry, cluster).await?;
    if is_application(cluster) {
        return Ok(());
    }
    kube.create(Kind::FlinkDeployment, object)
        .await
        .map_err(|err| name_refused_files(cluster, err))?;
    progress.notice(format!(
        "cluster \"{}\": FlinkDeployment {name} created in namespace {}",
        cluster.name,
        kube.namespace()
    ));
    let timeout = deploy_timeout(registry, cluster);
    if let Err(err) = wait_ready(&kube, &name, &cluster.name, timeout, progress).await {
        // Nothing half-created: the statement failed, its resource goes.
        let _ = kube.delete(Kind::FlinkDeployment, &name).await;
        return Err(err);
    }
    Ok(())
}

/// ALTER CLUSTER of a session cluster: its FlinkDeployment's spec patched
/// (a new generation), waited for until the operator reconciled it.
pub async fn alter_cluster(
    registry: &Registry,
    old: &Cluster,
    new: &Cluster,
    progress: &Progress,
) -> Result<()> {
    let name = resource_name(&old.name);
    let object = deployment(registry, new, &name, labels(&old.name, None), None)?;
    if is_application(new) {
        return Ok(());
    }
    // What scaleph wrote before, to remove what the change dropped (a
    // RESET option, a detached pod template). A spec that no longer
    // renders (an option that became a file) removes nothing.
    let before = deployment(registry, old, &name, labels(&old.name, None), None)
        .map(|before| before["spec"].clone())
        .unwrap_or(Value::Null);
    let kube = connect(registry, old).await?;
    kube.merge_patch(
        Kind::FlinkDeployment,
        &name,
        json!({ "spec": merge_patch(&before, &object["spec"]) }),
    )
    .await
    .map_err(|err| name_refused_files(new, err))?;
    wait_ready(
        &kube,
        &name,
        &old.name,
        deploy_timeout(registry, new),
        progress,
    )
    .await
}

/// The JSON merge patch (RFC 7386) that turns `old` into `new`: `new`'s
/// values, and `null` for each key of `old` that `new` no longer has
/// (recursively through objects; arrays are replaced whole).
fn merge_patch(old: &Value, new: &Value) -> Value {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = serde_json::Map::new();
            for (key, value) in new {
                let value = match old.get(key) {
                    Some(before) => merge_patch(before, value),
                    None => value.clone(),
                };
                patch.insert(key.clone(), value);
            }
            for key in old.keys().filter(|key| !new.contains_key(*key)) {
                patch.insert(key.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => new.clone(),
    }
}

/// DROP CLUSTER of a session cluster: its FlinkDeployment deleted (the
/// operator's finalizer stops the cluster).
pub async fn drop_cluster(registry: &Registry, cluster: &Cluster) -> Result<()> {
    if is_application(cluster) {
        return Ok(());
    }
    let kube = connect(registry, cluster).await?;
    kube.delete(Kind::FlinkDeployment, &resource_name(&cluster.name))
        .await?;
    Ok(())
}

/// TEST CLUSTER of a Kubernetes cluster: (Flink version, TaskManagers,
/// jobs running) as the operator reports them.
pub async fn test_cluster(registry: &Registry, cluster: &Cluster) -> Result<(String, u32, u32)> {
    let kube = connect(registry, cluster).await?;
    if is_application(cluster) {
        let jobs = kube
            .list(
                Kind::FlinkDeployment,
                &format!("{}={}", crd::CLUSTER_LABEL, resource_name(&cluster.name)),
            )
            .await?;
        let version =
            option(cluster, spec_of(registry, cluster)?, "flink.version").unwrap_or_default();
        return Ok((version, 0, jobs.len() as u32));
    }
    let name = resource_name(&cluster.name);
    let object = kube
        .get(Kind::FlinkDeployment, &name)
        .await?
        .ok_or_else(|| {
            Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!(
                    "cluster \"{}\": its FlinkDeployment {name} is gone",
                    cluster.name
                ),
            )
        })?;
    let status = crd::status(&object);
    if let Some(error) = status.error.as_deref().filter(|e| !e.is_empty()) {
        return Err(failed(&format!("cluster \"{}\"", cluster.name), error));
    }
    let taskmanagers = object["status"]["taskManager"]["replicas"]
        .as_u64()
        .unwrap_or(0) as u32;
    let version = object["spec"]["flinkVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let jobs = kube
        .list(
            Kind::FlinkSessionJob,
            &format!("{}={}", crd::CLUSTER_LABEL, name),
        )
        .await?
        .iter()
        .filter(|job| {
            crd::status(job).job_status.and_then(|j| j.state).as_deref() == Some("RUNNING")
        })
        .count() as u32;
    Ok((version, taskmanagers, jobs))
}

/// The kind of a job's resource on `cluster`.
fn job_kind(cluster: &Cluster) -> Kind {
    if is_application(cluster) {
        Kind::FlinkDeployment
    } else {
        Kind::FlinkSessionJob
    }
}

/// What a job submission to Kubernetes needs.
pub struct KubeSubmission<'a> {
    /// The process's context (store, registry, artifacts).
    pub context: &'a Context,
    /// Where progress goes.
    pub progress: &'a Progress,
    /// How long to wait.
    pub timeout: Duration,
}

/// Serves the job jar and returns its URL (§4: the operator fetches it).
async fn serve_jar(context: &Context, jar: &super::artifacts::JobJar) -> Result<String> {
    let base = context.artifact_base_url.as_deref().ok_or_else(|| {
        Error::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            "jobs on Kubernetes need scaleph to serve their jars, and no HTTP listener is configured",
        )
        .with_hint("start scaleph with serve --http-listen HOST:PORT (and --http-public-url URL as the operator's pod reaches it)")
    })?;
    let name = crate::flink::rest::content_name(jar.stem, &jar.bytes);
    let artifact = context
        .artifacts
        .put(&name, &jar.bytes)
        .await
        .map_err(Error::from)?;
    Ok(format!("{base}{}", artifact.path()))
}

/// Submits `job` to Kubernetes cluster `cluster` (a FlinkSessionJob or an
/// application FlinkDeployment), restored from `restore`, and waits
/// until it runs: its Flink job id. On failure the resource is deleted.
pub async fn submit(
    sub: &KubeSubmission<'_>,
    cluster: &Cluster,
    job: &Job,
    jar: &super::artifacts::JobJar,
    script: &str,
    restore: Option<&str>,
) -> Result<String> {
    let registry = &sub.context.registry;
    let spec = spec_of(registry, cluster)?;
    let options = JobOptions::from_entries(job.options.clone());
    let mode = upgrade_mode(cluster, spec, &options)?;
    let jar_uri = serve_jar(sub.context, jar).await?;
    let job_spec = crd::JobSpec {
        jar_uri: Some(jar_uri.clone()),
        entry_class: Some(crate::flink::runner::RUNNER_ENTRY_CLASS.to_string()),
        args: crate::flink::runner::runner_args(script),
        parallelism: Some(i64::from(options.parallelism().unwrap_or(1))),
        upgrade_mode: Some(mode),
        state: Some("running".into()),
        initial_savepoint_path: restore.map(str::to_string),
        allow_non_restored_state: options.allow_non_restored_state().then_some(true),
        ..crd::JobSpec::default()
    };
    let name = resource_name(&job.name);
    let kind = job_kind(cluster);
    let object = if is_application(cluster) {
        deployment(
            registry,
            cluster,
            &name,
            labels(&cluster.name, Some(&job.name)),
            Some(job_spec),
        )?
    } else {
        json!({
            "apiVersion": Kind::FlinkSessionJob.api_version(),
            "kind": Kind::FlinkSessionJob.kind(),
            "metadata": { "name": name, "labels": labels(&cluster.name, Some(&job.name)) },
            "spec": crd::FlinkSessionJobSpec {
                deployment_name: resource_name(&cluster.name),
                job: Some(job_spec),
                ..crd::FlinkSessionJobSpec::default()
            },
        })
    };
    let kube = connect(registry, cluster).await?;
    // A CR left by a submission that failed before cleaning up, or by a
    // STOP: the job is scaleph's, so it is replaced.
    if kube.get(kind, &name).await?.is_some() {
        kube.delete(kind, &name).await?;
        wait_gone(&kube, kind, &name, sub.timeout).await?;
    }
    kube.create(kind, object)
        .await
        .map_err(|err| name_refused_files(cluster, err))?;
    sub.progress.notice(format!(
        "job \"{}\": {} {name} created on cluster \"{}\" (jar {jar_uri})",
        job.name,
        kind.kind(),
        cluster.name
    ));
    match wait_running(&kube, kind, &name, &job.name, sub.timeout, sub.progress).await {
        Ok(id) => Ok(id),
        Err(err) => {
            let _ = kube.delete(kind, &name).await;
            Err(err)
        }
    }
}

async fn wait_gone(kube: &Kube, kind: Kind, name: &str, timeout: Duration) -> Result<()> {
    kube.wait_for(
        kind,
        name,
        timeout,
        &format!("the deletion of {name}"),
        |object| object.is_none().then_some(Ok(())),
    )
    .await
}

/// Waits until the job of resource `name` runs (or finished: a bounded
/// job): its Flink job id.
async fn wait_running(
    kube: &Kube,
    kind: Kind,
    name: &str,
    job: &str,
    timeout: Duration,
    progress: &Progress,
) -> Result<String> {
    let what = format!("job \"{job}\"");
    let mut last = String::new();
    kube.wait_for(kind, name, timeout, &what, |object| {
        let Some(object) = object else {
            return Some(Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("{what}: its {} {name} was deleted", kind.kind()),
            )));
        };
        let status = crd::status(object);
        let job_status = status.job_status.clone().unwrap_or_default();
        let state = job_status.state.clone().unwrap_or_default();
        let lifecycle = status.lifecycle_state.clone().unwrap_or_default();
        let now = format!("{lifecycle}/{state}");
        if now != last {
            progress.notice(format!(
                "{what}: {} {name} is {lifecycle}, Flink job {state}",
                kind.kind()
            ));
            last = now;
        }
        if let Some(error) = status.error.as_deref().filter(|e| !e.is_empty()) {
            return Some(Err(failed(&what, error)));
        }
        match (state.as_str(), job_status.job_id) {
            ("RUNNING" | "FINISHED", Some(id)) if lifecycle != "SUSPENDED" => Some(Ok(id)),
            ("FAILED", _) => Some(Err(Error::new(
                SqlState::SYSTEM_ERROR,
                format!("{what}: the Flink job failed"),
            ))),
            _ => None,
        }
    })
    .await
}

/// Suspends the job with upgrade mode `mode` (§7) and waits for
/// SUSPENDED: the savepoint path when one was taken.
async fn suspend_with(
    sub: &KubeSubmission<'_>,
    cluster: &Cluster,
    job: &Job,
    mode: &str,
) -> Result<Option<String>> {
    let kube = connect(&sub.context.registry, cluster).await?;
    let kind = job_kind(cluster);
    let name = resource_name(&job.name);
    kube.merge_patch(
        kind,
        &name,
        json!({"spec": {"job": {"state": "suspended", "upgradeMode": mode}}}),
    )
    .await?;
    let what = format!("job \"{}\"", job.name);
    kube.wait_for(kind, &name, sub.timeout, &what, |object| {
        let object = object?;
        let status = crd::status(object);
        if let Some(error) = status.error.as_deref().filter(|e| !e.is_empty())
            && crd::reconciled(object)
        {
            return Some(Err(failed(&what, error)));
        }
        (status.lifecycle_state.as_deref() == Some("SUSPENDED") && crd::reconciled(object)).then(
            || {
                Ok(status
                    .job_status
                    .and_then(|j| j.upgrade_savepoint_path)
                    .filter(|p| !p.is_empty() && mode == "savepoint"))
            },
        )
    })
    .await
}

/// SUSPEND JOB: suspended with a savepoint; its path.
pub async fn suspend(sub: &KubeSubmission<'_>, cluster: &Cluster, job: &Job) -> Result<String> {
    let spec = spec_of(&sub.context.registry, cluster)?;
    let options = JobOptions::from_entries(job.options.clone());
    let mode = upgrade_mode(cluster, spec, &options)?;
    if mode != "savepoint" {
        return Err(bad_option(
            &cluster.name,
            "upgrade.mode",
            format!(
                "SUSPEND JOB takes a savepoint, and job \"{}\" runs with upgrade mode {mode}",
                job.name
            ),
        ));
    }
    suspend_with(sub, cluster, job, "savepoint")
        .await?
        .ok_or_else(|| {
            Error::new(
                SqlState::SYSTEM_ERROR,
                format!(
                    "job \"{}\" was suspended but the operator recorded no savepoint",
                    job.name
                ),
            )
        })
}

/// RESUME JOB: `state: running` on the suspended resource (the operator
/// restores it), or a new resource from `restore` when there is none; a
/// resource already set running (by hand) is adopted as it runs.
pub async fn resume(
    sub: &KubeSubmission<'_>,
    cluster: &Cluster,
    job: &Job,
    jar: &super::artifacts::JobJar,
    script: &str,
    restore: Option<&str>,
) -> Result<String> {
    let kube = connect(&sub.context.registry, cluster).await?;
    let kind = job_kind(cluster);
    let name = resource_name(&job.name);
    let desired = kube.get(kind, &name).await?.map(|o| {
        o["spec"]["job"]["state"]
            .as_str()
            .unwrap_or("running")
            .to_string()
    });
    match desired.as_deref() {
        None => return submit(sub, cluster, job, jar, script, restore).await,
        // Set running again behind scaleph's back: adopted as it runs.
        Some("running") => {
            return wait_running(&kube, kind, &name, &job.name, sub.timeout, sub.progress).await;
        }
        Some(_) => {}
    }
    let parallelism = JobOptions::from_entries(job.options.clone()).parallelism();
    let mut patch = json!({"spec": {"job": {"state": "running"}}});
    if let Some(p) = parallelism {
        patch["spec"]["job"]["parallelism"] = json!(p);
    }
    kube.merge_patch(kind, &name, patch).await?;
    wait_running(&kube, kind, &name, &job.name, sub.timeout, sub.progress).await
}

/// SAVEPOINT JOB: a FlinkStateSnapshot of the job (§5), waited for until
/// COMPLETED; its path.
pub async fn savepoint(sub: &KubeSubmission<'_>, cluster: &Cluster, job: &Job) -> Result<String> {
    let kube = connect(&sub.context.registry, cluster).await?;
    let kind = job_kind(cluster);
    let target = resource_name(&job.name);
    let millis = chrono::Utc::now().timestamp_millis();
    let name = format!("{}-sp-{millis}", &target[..target.len().min(30)]);
    let snapshot = json!({
        "apiVersion": Kind::FlinkStateSnapshot.api_version(),
        "kind": Kind::FlinkStateSnapshot.kind(),
        "metadata": { "name": name, "labels": labels(&cluster.name, Some(&job.name)) },
        "spec": crd::FlinkStateSnapshotSpec {
            job_reference: crd::JobReference { kind: kind.kind().to_string(), name: target },
            savepoint: Some(crd::SavepointSpec::default()),
            ..crd::FlinkStateSnapshotSpec::default()
        },
    });
    kube.create(Kind::FlinkStateSnapshot, snapshot).await?;
    sub.progress.notice(format!(
        "job \"{}\": FlinkStateSnapshot {name} created",
        job.name
    ));
    let what = format!("the savepoint of job \"{}\"", job.name);
    kube.wait_for(
        Kind::FlinkStateSnapshot,
        &name,
        sub.timeout,
        &what,
        |object| {
            let object = object?;
            let status: crd::FlinkStateSnapshotStatus =
                serde_json::from_value(object["status"].clone()).unwrap_or_default();
            match status.state.as_deref() {
                Some("COMPLETED") => Some(status.path.ok_or_else(|| {
                    Error::new(
                        SqlState::SYSTEM_ERROR,
                        format!("{what}: COMPLETED without a path"),
                    )
                })),
                Some("FAILED" | "ABANDONED") => Some(Err(failed(
                    &what,
                    status
                        .error
                        .as_deref()
                        .unwrap_or("the operator gave no cause"),
                ))),
                _ => None,
            }
        },
    )
    .await
}

/// STOP JOB: suspended (stateless, or with a savepoint) then its resource
/// deleted; the savepoint's path when one was taken.
pub async fn stop(
    sub: &KubeSubmission<'_>,
    cluster: &Cluster,
    job: &Job,
    with_savepoint: bool,
    drain: bool,
) -> Result<Option<String>> {
    if drain {
        return Err(Error::not_supported(
            "STOP JOB ... DRAIN on Kubernetes: the operator suspends without draining",
        )
        .with_hint("STOP JOB ... WITH SAVEPOINT"));
    }
    let mode = if with_savepoint {
        "savepoint"
    } else {
        "stateless"
    };
    let path = suspend_with(sub, cluster, job, mode).await?;
    // Gone (the operator's finalizer ran) before STOP returns.
    let kube = connect(&sub.context.registry, cluster).await?;
    let name = resource_name(&job.name);
    if kube.delete(job_kind(cluster), &name).await? {
        wait_gone(&kube, job_kind(cluster), &name, sub.timeout).await?;
    }
    Ok(path)
}

/// ALTER JOB ... SET on a running Kubernetes job: its parallelism and
/// upgrade mode patched into the resource's spec, so the operator
/// upgrades it by its upgrade mode (§7) — waited for until the new spec
/// is reconciled and the job runs again: its (new) Flink job id.
pub async fn upgrade(sub: &KubeSubmission<'_>, cluster: &Cluster, job: &Job) -> Result<String> {
    let spec = spec_of(&sub.context.registry, cluster)?;
    let options = JobOptions::from_entries(job.options.clone());
    let mut patch =
        json!({"spec": {"job": {"upgradeMode": upgrade_mode(cluster, spec, &options)?}}});
    if let Some(parallelism) = options.parallelism() {
        patch["spec"]["job"]["parallelism"] = json!(parallelism);
    }
    let kube = connect(&sub.context.registry, cluster).await?;
    let kind = job_kind(cluster);
    let name = resource_name(&job.name);
    kube.merge_patch(kind, &name, patch).await?;
    sub.progress.notice(format!(
        "job \"{}\": {} {name} patched; the operator upgrades it",
        job.name,
        kind.kind()
    ));
    let what = format!("the upgrade of job \"{}\"", job.name);
    kube.wait_for(kind, &name, sub.timeout, &what, |object| {
        let object = object?;
        let status = crd::status(object);
        if let Some(error) = status.error.as_deref().filter(|e| !e.is_empty())
            && crd::reconciled(object)
        {
            return Some(Err(failed(&what, error)));
        }
        let job_status = status.job_status.unwrap_or_default();
        match (job_status.state.as_deref(), job_status.job_id) {
            (Some("RUNNING"), Some(id)) if crd::reconciled(object) => Some(Ok(id)),
            _ => None,
        }
    })
    .await
}

/// Deletes a job's resource (DROP JOB, cleanup of a finished job); false
/// when it was not there.
pub async fn remove(context: &Context, cluster: &Cluster, job: &Job) -> Result<bool> {
    let kube = connect(&context.registry, cluster).await?;
    kube.delete(job_kind(cluster), &resource_name(&job.name))
        .await
}

/// The Events of a job's resource, for DESCRIBE JOB: "type reason: message".
pub async fn events(context: &Context, cluster: &Cluster, job: &Job) -> Result<Vec<String>> {
    let kube = connect(&context.registry, cluster).await?;
    Ok(kube
        .events(&resource_name(&job.name))
        .await?
        .into_iter()
        .map(|e| format!("{} {}: {}", e.event_type, e.reason, e.message))
        .collect())
}

/// Whether a finished job's resource is deleted once its end is
/// recorded (§8: the operator never deletes it).
fn cleans_up(registry: &Registry, cluster: &Cluster) -> bool {
    spec_of(registry, cluster)
        .ok()
        .and_then(|spec| option(cluster, spec, "cleanup"))
        .is_none_or(|policy| policy != "never")
}

/// The tracker's watch of one Kubernetes cluster (`tracker`): every
/// change of its jobs' resources, as the operator reports them, moves
/// the job in the store — no polling; a watch that breaks ends, and the
/// tracker's next round starts it again (kube-rs resumes from its
/// resourceVersion and re-lists after 410 Gone).
pub async fn watch_jobs(
    context: std::sync::Arc<Context>,
    cluster: Cluster,
    stats: std::sync::Arc<super::tracker::TrackerStats>,
    started: chrono::DateTime<chrono::Utc>,
) {
    use futures::StreamExt;
    use std::sync::atomic::Ordering;
    stats.watches.fetch_add(1, Ordering::Relaxed);
    let kube = match connect(&context.registry, &cluster).await {
        Ok(kube) => kube,
        Err(err) => {
            tracing::info!(cluster = %cluster.name, error = %err.message, "job tracker: cannot watch the cluster");
            tokio::time::sleep(Duration::from_secs(5)).await;
            return;
        }
    };
    let selector = format!(
        "{MANAGED_BY_LABEL}={MANAGED_BY},{}={}",
        crd::CLUSTER_LABEL,
        resource_name(&cluster.name)
    );
    let mut changes = kube.watch(job_kind(&cluster), &selector);
    while let Some(change) = changes.next().await {
        let outcome = match change {
            Ok(crate::kube::Change::Applied(object)) => {
                follow(&context, &cluster, &object, started).await
            }
            Ok(crate::kube::Change::Deleted(object)) => {
                let name = object["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                lost(&context, &cluster, &name, started).await
            }
            Ok(crate::kube::Change::Restarted(objects)) => {
                let mut outcome = Ok(());
                let present: std::collections::HashSet<String> = objects
                    .iter()
                    .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
                    .collect();
                for object in &objects {
                    outcome = outcome.and(follow(&context, &cluster, object, started).await);
                }
                if let Ok(jobs) = context.store.list_jobs().await {
                    for job in jobs
                        .iter()
                        .filter(|j| j.cluster == cluster.name && followed(j, started))
                    {
                        let name = resource_name(&job.name);
                        if !present.contains(&name) {
                            outcome = outcome.and(lost(&context, &cluster, &name, started).await);
                        }
                    }
                }
                outcome
            }
            // kube-rs retries with backoff: a dropped connection heals; a
            // refused credential or permission does not.
            Err(err)
                if err.sqlstate == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                    || err.sqlstate == SqlState::UNDEFINED_OBJECT =>
            {
                tracing::warn!(cluster = %cluster.name, error = %err.message, "job tracker: the watch cannot go on");
                break;
            }
            Err(err) => {
                tracing::info!(cluster = %cluster.name, error = %err.message, "job tracker: the watch is retrying");
                continue;
            }
        };
        if let Err(err) = outcome {
            tracing::warn!(cluster = %cluster.name, error = %err.message, "job tracker: cannot follow a change");
        }
    }
}

/// The job of cluster `cluster` whose resource is `resource`.
async fn job_of(context: &Context, cluster: &Cluster, resource: &str) -> Result<Option<Job>> {
    Ok(context
        .store
        .list_jobs()
        .await?
        .into_iter()
        .find(|job| job.cluster == cluster.name && resource_name(&job.name) == resource))
}

/// Whether the watch follows `job`: alive, or owned by a statement of a
/// scaleph that is gone (claimed before this tracker `started`: killed
/// mid-statement) — its resource then says how the statement ended.
fn followed(job: &Job, started: chrono::DateTime<chrono::Utc>) -> bool {
    super::is_live(&job.state)
        || (super::TRANSITIONAL.contains(&job.state.as_str()) && job.updated_at < started)
}

/// Brings the job of `object` in line with what the operator reports.
async fn follow(
    context: &Context,
    cluster: &Cluster,
    object: &Value,
    started: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let resource = object["metadata"]["name"].as_str().unwrap_or_default();
    let Some(job) = job_of(context, cluster, resource).await? else {
        return Ok(());
    };
    if !followed(&job, started) {
        // Owned by a statement, or ended: nothing to follow.
        return Ok(());
    }
    // Mid-reconcile (an upgrade suspends and restores: its FINISHED is
    // not an end), the operator has not said yet.
    if !crd::reconciled(object) {
        return Ok(());
    }
    let status = crd::status(object);
    let job_status = status.job_status.clone().unwrap_or_default();
    let lifecycle = status.lifecycle_state.clone().unwrap_or_default();
    let flink_state = job_status.state.clone().unwrap_or_default();
    let error = status
        .error
        .as_deref()
        .filter(|e| !e.is_empty())
        .map(|e| operator_error(e).0);
    let (state, reason) = if lifecycle == "SUSPENDED" {
        (
            super::SUSPENDED.to_string(),
            Some("suspended outside scaleph (its resource says job.state: suspended)".to_string()),
        )
    } else if flink_state.is_empty() {
        return Ok(());
    } else {
        (
            super::state_of(&crate::flink::rest::JobState::from_name(&flink_state)).to_string(),
            error,
        )
    };
    if state != job.state {
        context
            .store
            .change_job(
                &job.name,
                &[job.state.as_str()],
                crate::store::JobChange {
                    state: state.clone(),
                    reason,
                    flink_job_id: job_status.job_id.clone(),
                    started_at: None,
                },
            )
            .await?;
    }
    let finished = matches!(state.as_str(), "FINISHED" | "FAILED" | "CANCELED");
    if finished && cleans_up(&context.registry, cluster) {
        if let Some(path) = job_status.upgrade_savepoint_path.filter(|p| !p.is_empty()) {
            let known = context.store.list_savepoints(Some(&job.name)).await?;
            if !known.iter().any(|s| s.path == path) {
                context
                    .store
                    .add_savepoint(crate::store::Savepoint {
                        job: job.name.clone(),
                        flink_job_id: job_status.job_id.clone().unwrap_or_default(),
                        path,
                        kind: "FINAL".into(),
                        created_at: chrono::Utc::now(),
                    })
                    .await?;
            }
        }
        // Recorded: the resource goes (§8), its history stays in the store.
        remove(context, cluster, &job).await?;
        tracing::info!(job = %job.name, state, "job tracker: finished job's resource deleted");
    }
    Ok(())
}

/// The resource of a live job is gone: LOST, unless scaleph removed it.
/// (A submission of a scaleph that died before it created the resource
/// is FAILED: nothing of it ever ran.)
async fn lost(
    context: &Context,
    cluster: &Cluster,
    resource: &str,
    started: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let Some(job) = job_of(context, cluster, resource).await? else {
        return Ok(());
    };
    if !followed(&job, started) {
        return Ok(());
    }
    if job.state == super::SUBMITTING {
        context
            .store
            .change_job(
                &job.name,
                &[super::SUBMITTING],
                crate::store::JobChange {
                    state: "FAILED".into(),
                    reason: Some(
                        "scaleph stopped while submitting it, before the operator got its resource"
                            .into(),
                    ),
                    ..crate::store::JobChange::default()
                },
            )
            .await?;
        return Ok(());
    }
    context
        .store
        .change_job(
            &job.name,
            &[job.state.as_str()],
            crate::store::JobChange {
                state: super::LOST.into(),
                reason: Some(format!(
                    "its {} {resource} was deleted outside scaleph; RESUME JOB starts it again from its latest savepoint",
                    job_kind(cluster).kind()
                )),
                ..crate::store::JobChange::default()
            },
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attached(path: &str, text: &str) -> AttachedFile {
        AttachedFile {
            path: path.into(),
            size: text.len() as u64,
            sha256: String::new(),
            content: OptionEntry::Plain(base64::engine::general_purpose::STANDARD.encode(text)),
        }
    }

    fn cluster(cluster_type: &str, files: &[(&str, &str)]) -> Cluster {
        let now = chrono::Utc::now();
        Cluster {
            name: "k".into(),
            cluster_type: cluster_type.into(),
            options: BTreeMap::from([
                (
                    "savepoint.dir".into(),
                    OptionEntry::Plain("s3://b/s".into()),
                ),
                (
                    "checkpoint.dir".into(),
                    OptionEntry::Plain("s3://b/c".into()),
                ),
            ]),
            files: files
                .iter()
                .map(|(key, text)| (key.to_string(), attached(&format!("/t/{key}"), text)))
                .collect(),
            comment: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn pod_templates_come_from_the_stored_content_as_json_or_yaml_mappings() {
        let yaml = attached("/p.yaml", "metadata:\n  labels:\n    a: b\n");
        assert_eq!(
            pod_template("k", "pod.template", &yaml).unwrap()["metadata"]["labels"]["a"],
            "b"
        );
        let json = attached("/p.json", r#"{"spec": {"containers": []}}"#);
        assert!(pod_template("k", "pod.template", &json).unwrap()["spec"].is_object());
        for (text, words) in [
            ("- a\n- b\n", "no PodTemplateSpec"),
            ("just words", "no PodTemplateSpec"),
            ("a: [unclosed\n", "neither JSON nor YAML"),
        ] {
            let err = pod_template("k", "taskmanager.pod.template", &attached("/t.yaml", text))
                .unwrap_err();
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
            assert!(
                err.message.starts_with(
                    "file \"taskmanager.pod.template\" of cluster \"k\" (read from '/t.yaml')"
                ) && err.message.contains(words),
                "{text}: {}",
                err.message
            );
            assert_eq!(err.subject.unwrap().0, "taskmanager.pod.template");
        }
        let binary = AttachedFile {
            content: OptionEntry::Plain(
                base64::engine::general_purpose::STANDARD.encode([0xff, 0xfe]),
            ),
            ..attached("/b", "")
        };
        assert!(
            pod_template("k", "pod.template", &binary)
                .unwrap_err()
                .message
                .contains("not UTF-8")
        );
    }

    #[test]
    fn the_pod_template_files_are_the_kubernetes_types_files() {
        let registry = Registry::embedded();
        for name in ["kubernetes_session", "kubernetes_application"] {
            let files: Vec<&str> = registry
                .cluster_type(name)
                .unwrap()
                .files
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            let known: Vec<&str> = POD_TEMPLATE_FILES.iter().map(|(f, _)| *f).collect();
            assert_eq!(files, known, "{name}");
            for key in OPTIONS_NOW_FILES {
                assert!(registry.cluster_type(name).unwrap().option(key).is_none());
            }
        }
    }

    #[test]
    fn deployments_carry_the_stored_templates_where_the_crd_has_them() {
        let registry = Registry::embedded();
        let templates = cluster(
            "kubernetes_application",
            &[
                ("pod.template", "metadata: {labels: {all: x}}"),
                (
                    "jobmanager.pod.template",
                    r#"{"metadata": {"labels": {"jm": "x"}}}"#,
                ),
                ("taskmanager.pod.template", "metadata: {labels: {tm: x}}"),
            ],
        );
        let object = deployment(&registry, &templates, "k", BTreeMap::new(), None).unwrap();
        let spec = &object["spec"];
        assert_eq!(spec["podTemplate"]["metadata"]["labels"]["all"], "x");
        assert_eq!(
            spec["jobManager"]["podTemplate"]["metadata"]["labels"]["jm"],
            "x"
        );
        assert_eq!(
            spec["taskManager"]["podTemplate"]["metadata"]["labels"]["tm"],
            "x"
        );
        let none = deployment(
            &registry,
            &cluster("kubernetes_session", &[]),
            "k",
            BTreeMap::new(),
            None,
        )
        .unwrap();
        assert!(none["spec"].get("podTemplate").is_none());
        assert!(none["spec"]["jobManager"].get("podTemplate").is_none());
        // A cluster stored with the option before files replaced it.
        let mut old = cluster("kubernetes_session", &[]);
        old.options
            .insert("pod.template".into(), OptionEntry::Plain("/p.yaml".into()));
        let err = deployment(&registry, &old, "k", BTreeMap::new(), None).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(err.hint.unwrap().contains("SET FILES ('pod.template'"));
    }

    #[test]
    fn merge_patch_sets_what_changed_and_removes_what_was_dropped() {
        let old = json!({"a": 1, "podTemplate": {"x": 1}, "jobManager": {"podTemplate": {"y": 1}, "replicas": 1}, "list": [1, 2]});
        let new = json!({"a": 2, "jobManager": {"replicas": 1}, "list": [3]});
        assert_eq!(
            merge_patch(&old, &new),
            json!({"a": 2, "podTemplate": null, "jobManager": {"podTemplate": null, "replicas": 1}, "list": [3]})
        );
        assert_eq!(merge_patch(&Value::Null, &new), new);
    }

    #[test]
    fn a_refused_template_field_names_its_file() {
        let with_tm = cluster("kubernetes_session", &[("taskmanager.pod.template", "{}")]);
        let refused = Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "cluster \"k\": invalid FlinkDeployment \"k\" in namespace \"default\": unknown field \"spec.taskManager.podTemplate.spec.containerz\"",
        );
        let named = name_refused_files(&with_tm, refused.clone());
        assert!(
            named
                .message
                .ends_with("(from file \"taskmanager.pod.template\" ('/t/taskmanager.pod.template') of cluster \"k\")"),
            "{}",
            named.message
        );
        assert_eq!(named.subject.unwrap().0, "taskmanager.pod.template");
        // Not a template's field, or not a refusal: unchanged.
        let without = cluster("kubernetes_session", &[("pod.template", "{}")]);
        assert_eq!(
            name_refused_files(&without, refused.clone()).message,
            refused.message
        );
        let other = Error::new(SqlState::SYSTEM_ERROR, "spec.taskManager.podTemplate");
        assert!(name_refused_files(&with_tm, other).subject.is_none());
    }

    #[test]
    fn resource_names_follow_the_operators_rule() {
        let rule = |n: &str| {
            n.len() <= 45
                && n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !n.ends_with('-')
        };
        assert_eq!(resource_name("orders"), "orders");
        for name in [
            "Orders",
            "orders_enrich",
            "1st",
            "x".repeat(80).as_str(),
            "a__b",
            "é",
        ] {
            let r = resource_name(name);
            assert!(rule(&r), "{name} -> {r}");
        }
        assert_ne!(resource_name("a_b"), resource_name("a-b"));
    }
}
