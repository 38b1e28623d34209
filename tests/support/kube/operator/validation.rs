//! The operator's own validation (`OP/validation/DefaultValidator.java`,
//! `release-1.15.0`; docs/flink-kubernetes-operator.md §1, §3, §4), checked in its order, first
//! failure wins, with its messages. These run in the operator, not the API
//! server (no validating webhook is simulated): an invalid spec is stored,
//! then answered with a `ValidationError` event and `status.error`.

use std::collections::BTreeMap;
use std::net::{IpAddr, ToSocketAddrs};

use serde_json::Value as Json;

use super::super::resources::CrdVersion;
use super::status::{
    CHECKPOINT_DIR, SAVEPOINT_DIR, flag, flat_config, memory_bytes, option, reconciled,
};

/// `[a-z]([-a-z\d]{0,43}[a-z\d])?` (`DEPLOYMENT_NAME_PATTERN`).
fn valid_deployment_name(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 45
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().last().is_some_and(ok)
        && name.chars().all(|c| ok(c) || c == '-')
}

fn deployment_name(name: &str) -> Option<String> {
    (!valid_deployment_name(name)).then(|| format!(
        "The FlinkDeployment name: {name} is invalid, must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123'), and the length must be no more than 45 characters."
    ))
}

/// Whether high availability is on (`high-availability.type`, legacy `high-availability`).
fn ha(config: &BTreeMap<String, String>) -> bool {
    option(config, &["high-availability.type", "high-availability"])
        .is_some_and(|v| !v.eq_ignore_ascii_case("none"))
}

/// The first failure of `validateDeployment`.
pub fn deployment(object: &Json, version: CrdVersion) -> Option<String> {
    let spec = &object["spec"];
    let config = flat_config(spec);
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    deployment_name(name)
        .or_else(|| flink_version(object))
        .or_else(|| deployment_config(&config))
        .or_else(|| {
            (spec.get("ingress").is_some_and(|i| !i.is_null()) && spec["ingress"]["template"].is_null())
                .then(|| "Ingress template must be defined".to_string())
        })
        .or_else(|| log_config(&spec["logConfiguration"]))
        .or_else(|| job_spec(&spec["job"], Some(&spec["taskManager"]), &config))
        .or_else(|| component(&spec["jobManager"], "JobManager", "jobManager", &config, version))
        .or_else(|| component(&spec["taskManager"], "TaskManager", "taskManager", &config, version))
        .or_else(|| spec_change(object))
        .or_else(|| {
            spec["serviceAccount"].is_null().then(|| "spec.serviceAccount must be defined. If you use helm, its value should be the same with the name of jobServiceAccount.".to_string())
        })
}

fn flink_version(object: &Json) -> Option<String> {
    let spec = &object["spec"];
    let Some(version) = spec["flinkVersion"].as_str() else {
        return Some("Flink Version must be defined.".to_string());
    };
    if matches!(version, "v1_13" | "v1_14") {
        return Some(format!(
            "Flink version {version} is not supported by this operator version"
        ));
    }
    let (last, _) = reconciled(&object["status"])?;
    let suspended_last_state =
        last["job"]["state"] == "suspended" && last["job"]["upgradeMode"] == "last-state";
    let stateful = spec["job"].is_object()
        && spec["job"]["upgradeMode"].as_str().unwrap_or("stateless") != "stateless";
    (stateful && suspended_last_state && last["flinkVersion"] != spec["flinkVersion"]).then(|| {
        "Changing flinkVersion after last-state suspend is not allowed. Restore your cluster with the current flinkVersion and perform the version upgrade afterwards.".to_string()
    })
}

fn deployment_config(config: &BTreeMap<String, String>) -> Option<String> {
    for key in [
        "kubernetes.namespace",
        "kubernetes.cluster-id",
        "high-availability.cluster-id",
    ] {
        if config.contains_key(key) {
            return Some(format!("Forbidden Flink config key: {key}"));
        }
    }
    (flag(
        config,
        "kubernetes.operator.deployment.rollback.enabled",
        false,
    ) && !ha(config))
    .then(|| "HA must be enabled for rollback support.".to_string())
}

fn log_config(log: &Json) -> Option<String> {
    let keys = log.as_object()?;
    keys.keys()
        .find(|k| !matches!(k.as_str(), "log4j-console.properties" | "logback-console.xml"))
        .map(|k| {
            format!(
                "Invalid log config key: {k}. Allowed keys are [log4j-console.properties, logback-console.xml]"
            )
        })
}

/// `validateJobSpec`: state directories and parallelism.
fn job_spec(
    job: &Json,
    task_manager: Option<&Json>,
    config: &BTreeMap<String, String>,
) -> Option<String> {
    if !job.is_object() {
        return None;
    }
    let upgrade_mode = job["upgradeMode"].as_str().unwrap_or("stateless");
    if upgrade_mode != "stateless" && option(config, CHECKPOINT_DIR).is_none() {
        return Some(format!(
            "Checkpoint directory[{}] must be defined for last-state and savepoint upgrade modes",
            CHECKPOINT_DIR[0]
        ));
    }
    if option(config, SAVEPOINT_DIR).is_none() {
        let key = SAVEPOINT_DIR[0];
        if upgrade_mode == "savepoint" {
            return Some(format!(
                "Job could not be upgraded with savepoint while config key[{key}] is not set"
            ));
        }
        if !job["savepointTriggerNonce"].is_null() {
            return Some(format!(
                "Savepoint could not be manually triggered for the running job while config key[{key}] is not set"
            ));
        }
        if config.contains_key("kubernetes.operator.periodic.savepoint.interval") {
            return Some(format!(
                "Periodic savepoints cannot be enabled when config key[{key}] is not set"
            ));
        }
    }
    let replicas = task_manager.and_then(|tm| tm["replicas"].as_i64());
    match replicas {
        Some(r) if r < 1 => Some("TaskManager replicas must be larger than 0".to_string()),
        None if job["parallelism"].as_i64().unwrap_or(0) < 1 => {
            Some("Job parallelism must be larger than 0".to_string())
        }
        _ => None,
    }
}

/// `validateJmSpec` / `validateTmSpec`: memory defined and parseable, replicas.
fn component(
    spec: &Json,
    label: &str,
    field: &str,
    config: &BTreeMap<String, String>,
    version: CrdVersion,
) -> Option<String> {
    let memory = spec["resource"]["memory"]
        .as_str()
        .filter(|m| !m.trim().is_empty());
    let requirements = ["requests", "limits"]
        .iter()
        .any(|k| spec["resources"][k]["memory"].is_string());
    let prefix = if label == "JobManager" {
        "jobmanager"
    } else {
        "taskmanager"
    };
    let configured = ["memory.process.size", "memory.flink.size"]
        .iter()
        .any(|k| config.contains_key(&format!("{prefix}.{k}")));
    if memory.is_none() && !requirements && !configured {
        return Some(match version {
            CrdVersion::Release1_15 => format!(
                "{label} resource memory must be defined using `spec.{field}.resource.memory`"
            ),
            CrdVersion::Main => format!(
                "{label} resource memory must be defined using `spec.{field}.resource.memory` or `spec.{field}.resources.requests.memory`"
            ),
        });
    }
    if let Some(memory) = memory
        && memory_bytes(memory).is_none()
    {
        return Some(format!(
            "{label} resource memory parse error: Could not parse value '{memory}' for key 'memory'."
        ));
    }
    let replicas = spec["replicas"].as_i64();
    if label == "JobManager" {
        let replicas = replicas.unwrap_or(1);
        if replicas < 1 {
            return Some("JobManager replicas should not be configured less than one.".to_string());
        }
        if replicas > 1 && !ha(config) {
            return Some(
                "High availability should be enabled when starting standby JobManagers."
                    .to_string(),
            );
        }
    } else if replicas.is_some_and(|r| r < 1) {
        return Some("TaskManager replicas should not be configured less than one.".to_string());
    }
    None
}

/// `validateSpecChange` of a FlinkDeployment.
fn spec_change(object: &Json) -> Option<String> {
    let (old, _) = reconciled(&object["status"])?;
    let new = &object["spec"];
    let has_job = |s: &Json| s["job"].is_object();
    if has_job(new) && !has_job(&old) {
        return Some("Cannot switch from session to job cluster".to_string());
    }
    if !has_job(new) && has_job(&old) {
        return Some("Cannot switch from job to session cluster".to_string());
    }
    let mode = |s: &Json| s["mode"].as_str().unwrap_or("native").to_string();
    match (mode(&old).as_str(), mode(new).as_str()) {
        ("native", "standalone") => {
            return Some(
                "Cannot switch from native kubernetes to standalone kubernetes cluster".to_string(),
            );
        }
        ("standalone", "native") => {
            return Some(
                "Cannot switch from standalone kubernetes to native kubernetes cluster".to_string(),
            );
        }
        _ => {}
    }
    let nonce = &new["job"]["savepointRedeployNonce"];
    let path = new["job"]["initialSavepointPath"]
        .as_str()
        .unwrap_or_default();
    (!nonce.is_null() && *nonce != old["job"]["savepointRedeployNonce"] && path.trim().is_empty())
        .then(|| "InitialSavepointPath must not be empty for savepoint redeployment".to_string())
}

/// The first failure of `validateSessionJob`: on the job alone, then
/// against its session cluster when that exists.
pub fn session_job(
    object: &Json,
    session: Option<&Json>,
    allowed_schemes: &[String],
    disallow_restricted: bool,
) -> Option<String> {
    let spec = &object["spec"];
    let deployment = spec["deploymentName"].as_str().unwrap_or("null");
    let only = deployment_name(deployment)
        .or_else(|| {
            spec["job"]
                .is_null()
                .then(|| "The job spec should not be empty".to_string())
        })
        .or_else(|| {
            let (last, _) = reconciled(&object["status"])?;
            (last["deploymentName"] != spec["deploymentName"])
                .then(|| "The deploymentName can't be changed".to_string())
        })
        .or_else(|| {
            jar_uri(
                spec["job"]["jarURI"].as_str(),
                allowed_schemes,
                disallow_restricted,
            )
        });
    if only.is_some() {
        return only;
    }
    let session = session?;
    if session["spec"]["job"].is_object() {
        return Some("Can not submit session job to application cluster".to_string());
    }
    let mut config = flat_config(&session["spec"]);
    config.extend(flat_config(spec));
    job_spec(&spec["job"], None, &config)
}

/// `validateJarURI` (new in 1.15.0): the scheme allowlist and, for http(s),
/// hosts that resolve to loopback, link-local, site-local, wildcard or
/// multicast addresses (docs/flink-kubernetes-operator.md §4).
pub fn jar_uri(
    uri: Option<&str>,
    allowed_schemes: &[String],
    disallow_restricted: bool,
) -> Option<String> {
    let uri = uri?;
    if let Some((i, c)) = uri
        .char_indices()
        .find(|(_, c)| " <>\"{}|\\^`".contains(*c))
    {
        let _ = c;
        return Some(format!(
            "jarURI is not a valid URI: Illegal character in path at index {i}: {uri}"
        ));
    }
    let scheme = uri.split_once(':').map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let Some(scheme) = scheme else {
        return Some("jarURI must include a scheme".to_string());
    };
    let allowed: Vec<String> = allowed_schemes.iter().map(|s| s.to_lowercase()).collect();
    if !allowed.contains(&scheme.to_lowercase()) {
        return Some(format!(
            "jarURI scheme '{scheme}' is not in the allowlist [{}]. Configure 'kubernetes.operator.user.artifacts.allowed-schemes' to extend the allowlist.",
            allowed.join(", ")
        ));
    }
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    if !(web && disallow_restricted) {
        return None;
    }
    let host = host_of(uri);
    if host.is_empty() {
        return Some("jarURI must include a host for http/https schemes".to_string());
    }
    let address = match host
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        Ok(ip) => ip,
        Err(_) => match (host.as_str(), 0)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
        {
            Some(a) => a.ip(),
            None => return Some(format!("jarURI host '{host}' cannot be resolved")),
        },
    };
    restricted(address).then(|| format!("jarURI host '{host}' resolves to a restricted address"))
}

/// The host of `scheme://[userinfo@]host[:port]/...`.
pub fn host_of(uri: &str) -> String {
    let Some((_, rest)) = uri.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    if host_port.starts_with('[') {
        return host_port
            .split_once(']')
            .map(|(h, _)| format!("{h}]"))
            .unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default().to_string()
}

/// Java's `isLoopbackAddress || isLinkLocalAddress || isSiteLocalAddress ||
/// isAnyLocalAddress || isMulticastAddress`.
fn restricted(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || (a == 169 && b == 254)
                || a == 10
                || (a == 172 && (16..32).contains(&b))
                || (a == 192 && b == 168)
                || v4.is_unspecified()
                || v4.is_multicast()
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || v6.is_unspecified()
                || v6.is_multicast()
        }
    }
}

/// The first failure of `validateStateSnapshot`.
pub fn snapshot(object: &Json, target: Option<&Json>) -> Option<String> {
    let spec = &object["spec"];
    let savepoint = spec["savepoint"].is_object();
    let checkpoint = spec["checkpoint"].is_object();
    if savepoint == checkpoint {
        return Some(
            "Exactly one of checkpoint or savepoint configurations has to be set.".to_string(),
        );
    }
    if savepoint && spec["savepoint"]["alreadyExists"] == true {
        return None;
    }
    if spec["jobReference"].is_null() {
        return Some("Job reference must be supplied for this snapshot".to_string());
    }
    let pending = object["status"]["state"]
        .as_str()
        .is_none_or(|s| s == "TRIGGER_PENDING");
    (target.is_none() && pending).then(|| {
        format!(
            "Target for snapshot {}/{} was not found",
            object["metadata"]["namespace"].as_str().unwrap_or("null"),
            spec["jobReference"]["name"].as_str().unwrap_or("null")
        )
    })
}
