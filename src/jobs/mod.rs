//! The job model: what a job is made of (its script, [`script`]; its
//! options, [`options`]; its jar, [`artifacts`]), how it runs on a
//! cluster and changes state ([`run`]), and how scaleph keeps its state
//! current while nobody asks ([`tracker`]).
//!
//! A job is one path from preview to production: the statement a session
//! previews, with what it needs from that session (catalogs, tables,
//! views, functions, `SET` options, jars), assembled into one script that
//! scaleph's SQL runner (`runner/`) runs on the cluster. The script is
//! fixed when the job is created; its options are read at every
//! submission, so `ALTER JOB ... SET` takes effect at the next RESUME.
//!
//! **States.** A job's state is Flink's while Flink runs it (`CREATED`,
//! `RUNNING`, `RESTARTING`, ..., `FINISHED`, `FAILED`, `CANCELED`) and
//! scaleph's around that: `SUBMITTING`, `SUSPENDING`, `STOPPING` while a
//! statement moves it (the statement owns the row: the tracker leaves it
//! alone unless the statement's process died, see [`tracker`]),
//! `SUSPENDED` (stopped with a savepoint, to be resumed), `STOPPED`
//! (stopped by STOP JOB) and `LOST` (its cluster no longer knows its
//! Flink job). Every change is a compare-and-set in the store with an
//! event (`scaleph.job_events`), so the tracker and a statement never
//! overwrite each other.
//!
//! Kubernetes clusters (the operator issue) are another way to run the
//! same job: they reuse the script, options, states and statements, and
//! replace the REST calls of [`run`].

pub mod artifacts;
pub mod kubernetes;
pub mod options;
pub mod run;
pub mod script;
pub mod tracker;

use std::time::Duration;

use secrecy::ExposeSecret;

use crate::catalog::{ClusterEngine, ClusterTypeSpec, OptionType, Registry, TypedOptions};
use crate::error::{Error, Result, SqlState};
use crate::flink::rest::{FlinkRest, JobState, RestOptions};
use crate::seatunnel::SeatunnelRest;
use crate::store::{Cluster, OptionEntry};

/// A statement is submitting the job.
pub const SUBMITTING: &str = "SUBMITTING";
/// A statement is stopping the job with a savepoint, to resume it later.
pub const SUSPENDING: &str = "SUSPENDING";
/// Stopped with a savepoint; `RESUME JOB` restores it.
pub const SUSPENDED: &str = "SUSPENDED";
/// A statement is stopping the job.
pub const STOPPING: &str = "STOPPING";
/// A statement is having the operator upgrade the job (ALTER JOB on
/// Kubernetes).
pub const UPGRADING: &str = "UPGRADING";
/// Stopped by `STOP JOB` (with or without a savepoint).
pub const STOPPED: &str = "STOPPED";
/// Its cluster no longer knows its Flink job.
pub const LOST: &str = "LOST";

/// The states a statement owns while it runs: the tracker does not touch
/// a job in them (unless the statement is long gone).
pub const TRANSITIONAL: &[&str] = &[SUBMITTING, SUSPENDING, STOPPING, UPGRADING];

/// The Flink states in which a job is alive on its cluster (the tracker
/// follows them).
pub const LIVE: &[&str] = &[
    "INITIALIZING",
    "CREATED",
    "RUNNING",
    "FAILING",
    "CANCELLING",
    "RESTARTING",
    "SUSPENDED_BY_FLINK",
    "RECONCILING",
];

/// Whether a job in `state` is alive on its cluster (a Flink state that
/// is not terminal, or a state scaleph's tracker does not know, kept by
/// name: a newer Flink's).
pub fn is_live(state: &str) -> bool {
    !crate::store::ENDED_JOB_STATES.contains(&state)
        && !TRANSITIONAL.contains(&state)
        && state != SUSPENDED
}

/// Whether a job in `state` needs nothing more from its cluster: it ended
/// (`SUSPENDED` does not count: it will be resumed there).
pub fn is_ended(state: &str) -> bool {
    crate::store::ENDED_JOB_STATES.contains(&state)
}

/// scaleph's state for a job Flink reports in `state`. Flink's own
/// `SUSPENDED` (its JobManager lost leadership; the job comes back) is
/// not scaleph's `SUSPENDED` (stopped with a savepoint by SUSPEND JOB).
pub fn state_of(state: &JobState) -> &str {
    match state {
        JobState::Suspended => "SUSPENDED_BY_FLINK",
        other => other.name(),
    }
}

/// A new Flink job id: 32 hex digits (Flink's `JobID`). scaleph chooses
/// it and records it before submitting, so a scaleph that dies during a
/// submission finds the job afterwards by this id and never submits it
/// twice.
pub fn new_flink_job_id() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An option of a stored cluster as text (secrets exposed: for the
/// request, never for display).
fn option_text(cluster: &Cluster, key: &str) -> Option<String> {
    match cluster.options.get(key)? {
        OptionEntry::Plain(value) => Some(value.clone()),
        OptionEntry::Secret(secret) => Some(secret.expose_secret().to_string()),
    }
}

/// The registry entry of a stored cluster's type; 0A000 for a type the
/// registry no longer has.
fn type_of<'a>(registry: &'a Registry, cluster: &Cluster) -> Result<&'a ClusterTypeSpec> {
    registry.cluster_type(&cluster.cluster_type).ok_or_else(|| {
        Error::not_supported(format!(
            "cluster \"{}\" of type {}: the registry has no such cluster type",
            cluster.name,
            cluster.cluster_type.to_uppercase()
        ))
    })
}

/// Whether `cluster` runs SeaTunnel, not Flink (a `SEATUNNEL` cluster).
pub fn is_seatunnel(registry: &Registry, cluster: &Cluster) -> bool {
    registry
        .cluster_type(&cluster.cluster_type)
        .is_some_and(|t| t.engine == ClusterEngine::Seatunnel)
}

/// Nothing, when Flink jobs can run on `cluster`; 42809 (wrong object
/// type) for a SeaTunnel cluster, which runs syncs only. Every way a job
/// reaches its cluster ([`rest_client`], so [`run::backend`]) asks this.
pub fn runs_flink_jobs(registry: &Registry, cluster: &Cluster) -> Result<()> {
    if !is_seatunnel(registry, cluster) {
        return Ok(());
    }
    Err(Error::new(
        SqlState::WRONG_OBJECT_TYPE,
        format!(
            "cluster \"{}\" is a SEATUNNEL cluster: it runs syncs (ENGINE SEATUNNEL), not Flink jobs",
            cluster.name
        ),
    )
    .with_hint("run the job ON CLUSTER a REMOTE, KUBERNETES_SESSION or KUBERNETES_APPLICATION cluster (SHOW CLUSTERS lists them)"))
}

/// A duration option of a stored cluster: its value, else its type's
/// default, else `default`.
fn duration_option(
    cluster: &Cluster,
    cluster_type: &ClusterTypeSpec,
    key: &str,
    default: Duration,
) -> Duration {
    option_text(cluster, key)
        .or_else(|| cluster_type.option(key).and_then(|s| s.default.clone()))
        .and_then(|t| crate::duration::parse_duration(&t).ok())
        .unwrap_or(default)
}

/// The Zeta REST client of a `SEATUNNEL` cluster (its `rest.address`
/// and `rest.timeout`); 42809 for any other cluster.
pub fn seatunnel_client(registry: &Registry, cluster: &Cluster) -> Result<SeatunnelRest> {
    let cluster_type = type_of(registry, cluster)?;
    if cluster_type.engine != ClusterEngine::Seatunnel {
        return Err(Error::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!(
                "cluster \"{}\" is a {} cluster: SeaTunnel jobs run on a SEATUNNEL cluster",
                cluster.name,
                cluster.cluster_type.to_uppercase()
            ),
        ));
    }
    let address = cluster_type
        .rest_address
        .as_ref()
        .and_then(|key| option_text(cluster, key))
        .ok_or_else(|| {
            Error::internal(format!(
                "SEATUNNEL cluster \"{}\" has no REST address",
                cluster.name
            ))
        })?;
    let timeout = duration_option(
        cluster,
        cluster_type,
        "rest.timeout",
        Duration::from_secs(30),
    );
    SeatunnelRest::new(&address, timeout)
}

/// The REST client of `cluster`, with its timeouts and auth header; 42809
/// for a SeaTunnel cluster (see [`runs_flink_jobs`]).
pub fn rest_client(registry: &Registry, cluster: &Cluster) -> Result<FlinkRest> {
    let cluster_type = type_of(registry, cluster)?;
    runs_flink_jobs(registry, cluster)?;
    let duration =
        |key: &str, default: Duration| duration_option(cluster, cluster_type, key, default);
    let defaults = RestOptions::default();
    let mut headers = Vec::new();
    for spec in cluster_type
        .options()
        .iter()
        .filter(|s| s.value_type == OptionType::Header)
    {
        if let Some((name, value)) = option_text(cluster, &spec.name)
            .as_deref()
            .and_then(|h| h.split_once(':'))
        {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let address = cluster_type
        .rest_address
        .as_ref()
        .and_then(|key| option_text(cluster, key))
        .ok_or_else(|| {
            Error::not_supported(format!(
                "the Flink REST API of cluster \"{}\" (type {}): scaleph reaches it through the Kubernetes operator",
                cluster.name,
                cluster.cluster_type.to_uppercase()
            ))
        })?;
    FlinkRest::new(
        &address,
        RestOptions {
            connect_timeout: duration("connect.timeout", defaults.connect_timeout),
            request_timeout: duration("request.timeout", defaults.request_timeout),
            headers,
        },
    )
}

/// `err` from cluster `name`'s REST API, with the cluster named first
/// (`cluster "prod": cannot reach ...`).
pub fn on_cluster(name: &str, mut err: Error) -> Error {
    err.message = format!("cluster \"{name}\": {}", err.message);
    err
}

/// A cluster option a job uses (`savepoint.dir`), if set.
pub fn cluster_option(cluster: &Cluster, key: &str) -> Option<String> {
    option_text(cluster, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flink_job_ids_are_32_hex_digits_and_differ() {
        let a = new_flink_job_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, new_flink_job_id());
    }

    fn cluster(cluster_type: &str, address: &str) -> Cluster {
        let now = chrono::Utc::now();
        Cluster {
            name: "c".into(),
            cluster_type: cluster_type.into(),
            options: [(
                "rest.address".to_string(),
                OptionEntry::Plain(address.to_string()),
            )]
            .into_iter()
            .collect(),
            files: Default::default(),
            comment: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn seatunnel_clusters_run_no_flink_jobs_and_flink_clusters_no_seatunnel_jobs() {
        let registry = Registry::embedded();
        let zeta = cluster("seatunnel", "http://zeta:8080/seatunnel");
        let err = runs_flink_jobs(&registry, &zeta).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::WRONG_OBJECT_TYPE);
        assert_eq!(
            rest_client(&registry, &zeta).unwrap_err().sqlstate,
            SqlState::WRONG_OBJECT_TYPE
        );
        let rest = seatunnel_client(&registry, &zeta).unwrap();
        assert_eq!(rest.address(), "http://zeta:8080/seatunnel");
        let remote = cluster("remote", "http://jm:8081");
        assert!(runs_flink_jobs(&registry, &remote).is_ok() && !is_seatunnel(&registry, &remote));
        assert_eq!(
            seatunnel_client(&registry, &remote).unwrap_err().sqlstate,
            SqlState::WRONG_OBJECT_TYPE
        );
    }

    #[test]
    fn states_are_live_ended_or_owned_by_a_statement() {
        assert!(is_live("RUNNING") && is_live("RESTARTING") && is_live("SOME_NEW_STATE"));
        assert!(!is_live(SUSPENDED) && !is_live(SUBMITTING) && !is_live("FINISHED"));
        assert!(is_ended("FAILED") && is_ended(STOPPED) && is_ended(LOST));
        assert!(!is_ended(SUSPENDED));
        assert_eq!(state_of(&JobState::Suspended), "SUSPENDED_BY_FLINK");
        assert!(LIVE.iter().all(|s| is_live(s)));
    }
}
