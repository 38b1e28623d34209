//! The job tracker: keeps `scaleph.jobs` current while nobody asks.
//!
//! REST clusters have no watch, so the tracker polls — but once per
//! cluster, not once per job: one `GET /jobs/overview` lists every job of
//! a cluster with its state, so 100 jobs on one cluster cost one call per
//! interval (`[jobs] poll_interval`, 5 s). A cluster that does not answer
//! is asked again after a back-off that doubles up to a minute; its jobs
//! keep their last known state meanwhile (a network blip is not a lost
//! job).
//!
//! Per job, by its Flink job id:
//! - listed: its state follows Flink's (a failure's root cause, from
//!   `/jobs/:id/exceptions`, becomes its reason);
//! - not listed: `LOST`, with the reason — the JobManager restarted
//!   without HA, or the job aged out of its history;
//! - a job a statement owns (`SUBMITTING`, `SUSPENDING`, `STOPPING`) is
//!   left alone, unless its statement is gone: claimed before this
//!   process started (the scaleph that ran it died), or longer ago than
//!   [`ORPHANED_AFTER`] — then a submission Flink knows is adopted and one
//!   it does not is `FAILED`.
//!
//! Re-attaching after a restart is the same loop: the store holds the
//! Flink job ids, nothing is resubmitted. Every change is a
//! compare-and-set on the state the tracker read, so a statement that
//! moved the job meanwhile wins.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{LOST, SUBMITTING, TRANSITIONAL, is_live, rest_client, state_of};
use crate::context::Context;
use crate::flink::rest::{JobOverview, JobState};
use crate::store::{Job, JobChange};

/// How long a statement may own a job before the tracker takes it back:
/// well past the longest `scaleph.job.submit-timeout` anyone sets.
pub const ORPHANED_AFTER: Duration = Duration::from_secs(3600);

/// The longest back-off for a cluster that does not answer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What the tracker did, for tests and benchmarks.
#[derive(Debug, Default)]
pub struct TrackerStats {
    /// Kubernetes watches started.
    pub watches: AtomicU64,
    /// Rounds run.
    pub rounds: AtomicU64,
    /// `GET /jobs/overview` calls made.
    pub overview_calls: AtomicU64,
    /// Other REST calls (a failure's root cause).
    pub other_calls: AtomicU64,
    /// State changes written.
    pub changes: AtomicU64,
}

/// The tracker of one scaleph process.
pub struct Tracker {
    context: Arc<Context>,
    interval: Duration,
    stats: Arc<TrackerStats>,
    /// Per cluster: when to ask it next, and its current back-off.
    backoff: HashMap<String, (Instant, Duration)>,
    /// When this tracker started: a statement's claim older than that was
    /// made by a process that is gone.
    started: chrono::DateTime<chrono::Utc>,
    /// Per Kubernetes cluster: the task watching its jobs' resources
    /// (restarted by the next round when it ended).
    watches: HashMap<String, tokio::task::JoinHandle<()>>,
}

impl Tracker {
    /// A tracker polling every `interval`.
    pub fn new(context: Arc<Context>, interval: Duration) -> Tracker {
        Tracker {
            context,
            interval,
            stats: Arc::new(TrackerStats::default()),
            backoff: HashMap::new(),
            started: chrono::Utc::now(),
            watches: HashMap::new(),
        }
    }

    /// Its counters.
    pub fn stats(&self) -> Arc<TrackerStats> {
        self.stats.clone()
    }

    /// Runs rounds forever (until the task is dropped).
    pub async fn run(mut self) {
        loop {
            self.round().await;
            tokio::time::sleep(self.interval).await;
        }
    }

    /// Starts the tracker of `context` in the background, polling at the
    /// configured interval.
    pub fn spawn(context: Arc<Context>) -> tokio::task::JoinHandle<()> {
        let interval = context.config.jobs.poll_interval;
        tokio::spawn(Tracker::new(context, interval).run())
    }

    /// One round: every cluster with jobs to follow, asked once.
    pub async fn round(&mut self) {
        self.stats.rounds.fetch_add(1, Ordering::Relaxed);
        let jobs = match self.context.store.list_jobs().await {
            Ok(jobs) => jobs,
            Err(err) => {
                tracing::warn!(error = %err, "job tracker: the store cannot list jobs");
                return;
            }
        };
        let mut by_cluster: BTreeMap<String, Vec<Job>> = BTreeMap::new();
        let started = self.started;
        for job in jobs.into_iter().filter(|job| followed(job, started)) {
            by_cluster.entry(job.cluster.clone()).or_default().push(job);
        }
        let now = Instant::now();
        // Kubernetes clusters are watched, not polled: one watch per
        // cluster, kept while it has jobs to follow.
        let mut polled = BTreeMap::new();
        for (cluster, jobs) in by_cluster {
            match self.context.store.get_cluster(&cluster).await {
                Ok(Some(stored))
                    if super::kubernetes::is_kubernetes(&self.context.registry, &stored) =>
                {
                    let running = self
                        .watches
                        .get(&cluster)
                        .is_some_and(|watch| !watch.is_finished());
                    if !running {
                        let watch = tokio::spawn(super::kubernetes::watch_jobs(
                            self.context.clone(),
                            stored,
                            self.stats.clone(),
                            self.started,
                        ));
                        self.watches.insert(cluster, watch);
                    }
                }
                _ => {
                    polled.insert(cluster, jobs);
                }
            }
        }
        for (cluster, jobs) in polled {
            if self
                .backoff
                .get(&cluster)
                .is_some_and(|(next, _)| *next > now)
            {
                continue;
            }
            match self.cluster_jobs(&cluster).await {
                Ok(listed) => {
                    self.backoff.remove(&cluster);
                    for job in jobs {
                        self.follow(&cluster, job, &listed).await;
                    }
                }
                Err(err) => {
                    let delay = self
                        .backoff
                        .get(&cluster)
                        .map_or(self.interval, |(_, d)| (*d * 2).min(MAX_BACKOFF));
                    tracing::info!(cluster, error = %err.message, retry_in = ?delay, "job tracker: cluster does not answer");
                    self.backoff.insert(cluster, (now + delay, delay));
                }
            }
        }
    }

    /// The jobs cluster `name` lists, by Flink job id.
    async fn cluster_jobs(&self, name: &str) -> crate::error::Result<HashMap<String, JobOverview>> {
        let cluster =
            self.context.store.get_cluster(name).await?.ok_or_else(|| {
                crate::error::Error::internal(format!("cluster \"{name}\" is gone"))
            })?;
        let rest = rest_client(&self.context.registry, &cluster)?;
        self.stats.overview_calls.fetch_add(1, Ordering::Relaxed);
        Ok(rest
            .jobs_overview()
            .await?
            .into_iter()
            .map(|job| (job.jid.clone(), job))
            .collect())
    }

    /// Brings `job` in line with what its cluster lists.
    async fn follow(&self, cluster: &str, job: Job, listed: &HashMap<String, JobOverview>) {
        let Some(id) = job.flink_job_id.clone() else {
            return;
        };
        let change = match listed.get(&id) {
            Some(flink) => {
                let state = state_of(&flink.state);
                if state == job.state {
                    return;
                }
                let reason = if flink.state == JobState::Failed {
                    Some(self.root_cause(cluster, &id).await)
                } else {
                    None
                };
                JobChange {
                    state: state.to_string(),
                    reason,
                    flink_job_id: None,
                    started_at: chrono::DateTime::from_timestamp_millis(flink.start_time),
                }
            }
            None if job.state == SUBMITTING => JobChange {
                state: "FAILED".into(),
                reason: Some(
                    "scaleph stopped while submitting it, and the cluster never got the job".into(),
                ),
                ..JobChange::default()
            },
            None => JobChange {
                state: LOST.into(),
                reason: Some(format!(
                    "cluster \"{cluster}\" no longer lists Flink job {id} (its JobManager restarted without high availability, or the job left its history); RESUME JOB starts it again from its latest savepoint"
                )),
                ..JobChange::default()
            },
        };
        tracing::info!(job = %job.name, from = %job.state, to = %change.state, "job tracker: state changed");
        match self
            .context
            .store
            .change_job(&job.name, &[job.state.as_str()], change)
            .await
        {
            Ok(true) => {
                self.stats.changes.fetch_add(1, Ordering::Relaxed);
            }
            // A statement moved it meanwhile: its change stands.
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(job = %job.name, error = %err, "job tracker: cannot record a state change")
            }
        }
    }

    /// The root cause of failed Flink job `id`, as text.
    async fn root_cause(&self, cluster: &str, id: &str) -> String {
        self.stats.other_calls.fetch_add(1, Ordering::Relaxed);
        let cause = async {
            let cluster = self.context.store.get_cluster(cluster).await.ok()??;
            let rest = rest_client(&self.context.registry, &cluster).ok()?;
            rest.job_failure(id).await.ok()
        };
        match cause.await {
            Some(err) => err.message,
            None => format!("Flink job {id} failed; its cause could not be read"),
        }
    }
}

/// Whether the tracker follows `job`: alive on its cluster, or owned by a
/// statement whose scaleph is gone (claimed before `started`, or longer
/// ago than [`ORPHANED_AFTER`]).
fn followed(job: &Job, started: chrono::DateTime<chrono::Utc>) -> bool {
    if is_live(&job.state) {
        return true;
    }
    TRANSITIONAL.contains(&job.state.as_str())
        && (job.updated_at < started
            || (chrono::Utc::now() - job.updated_at)
                .to_std()
                .is_ok_and(|age| age > ORPHANED_AFTER))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap as Map;
    use std::sync::Mutex;

    use axum::extract::{Path, State};
    use axum::routing::get;
    use axum::{Json, Router};
    use secrecy::SecretString;
    use serde_json::json;

    use super::*;
    use crate::store::{Cluster, OptionEntry};

    /// A cluster's REST API listing `jobs` (id → state), with a root
    /// cause for failed ones; its calls counted.
    #[derive(Default)]
    struct Fake {
        jobs: Mutex<Map<String, String>>,
        overview_calls: AtomicU64,
    }

    async fn fake() -> (String, Arc<Fake>) {
        let fake = Arc::new(Fake::default());
        let app = Router::new()
            .route(
                "/jobs/overview",
                get(|State(f): State<Arc<Fake>>| async move {
                    f.overview_calls.fetch_add(1, Ordering::Relaxed);
                    let jobs: Vec<_> = f
                        .jobs
                        .lock()
                        .unwrap()
                        .iter()
                        .map(|(id, state)| json!({"jid": id, "name": id, "state": state, "start-time": 1_000}))
                        .collect();
                    Json(json!({ "jobs": jobs }))
                }),
            )
            .route(
                "/jobs/{id}/exceptions",
                get(|Path(_id): Path<String>| async move {
                    Json(json!({"exceptionHistory": {"entries": [{
                        "exceptionName": "java.lang.ArithmeticException",
                        "stacktrace": "java.lang.ArithmeticException: / by zero\n\tat X.y(X.java:1)",
                        "timestamp": 1
                    }]}}))
                }),
            )
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, fake)
    }

    async fn cluster(context: &Context, name: &str, url: &str) {
        let now = chrono::Utc::now();
        context
            .store
            .create_cluster(Cluster {
                name: name.into(),
                cluster_type: "remote".into(),
                options: [("rest.address".to_string(), OptionEntry::Plain(url.into()))].into(),
                files: Default::default(),
                comment: None,
                created_at: now,
                updated_at: now,
            })
            .await
            .unwrap();
    }

    async fn job(context: &Context, name: &str, cluster: &str, state: &str, id: &str) {
        let now = chrono::Utc::now();
        context
            .store
            .create_job(Job {
                name: name.into(),
                cluster: cluster.into(),
                state: state.into(),
                reason: None,
                flink_job_id: Some(id.into()),
                body: "INSERT INTO s SELECT 1".into(),
                script: SecretString::from("INSERT INTO s SELECT 1;"),
                options: Default::default(),
                comment: None,
                created_at: now,
                started_at: None,
                updated_at: now,
            })
            .await
            .unwrap();
    }

    async fn state(context: &Context, name: &str) -> (String, Option<String>) {
        let job = context.store.get_job(name).await.unwrap().unwrap();
        (job.state, job.reason)
    }

    #[tokio::test]
    async fn one_poll_per_cluster_follows_fails_loses_and_backs_off() {
        let dir = tempfile::tempdir().unwrap();
        let context = Arc::new(Context::for_tests(dir.path()).await);
        let (url, fake) = fake().await;
        cluster(&context, "up", &url).await;
        // Nothing listens on a port just released.
        let down = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        cluster(&context, "down", &format!("http://{down}")).await;
        fake.jobs.lock().unwrap().extend([
            ("a".repeat(32), "RUNNING".to_string()),
            ("b".repeat(32), "FAILED".to_string()),
        ]);
        job(&context, "steady", "up", "INITIALIZING", &"a".repeat(32)).await;
        job(&context, "broken", "up", "RUNNING", &"b".repeat(32)).await;
        job(&context, "gone", "up", "RUNNING", &"c".repeat(32)).await;
        job(&context, "far", "down", "RUNNING", &"d".repeat(32)).await;
        job(&context, "resting", "up", "SUSPENDED", &"e".repeat(32)).await;

        let mut tracker = Tracker::new(context.clone(), Duration::from_secs(60));
        // Claimed by a statement of this process (after the tracker
        // started): left alone even though Flink does not list it.
        job(&context, "owned", "up", SUBMITTING, &"f".repeat(32)).await;
        tracker.round().await;
        assert_eq!(
            fake.overview_calls.load(Ordering::Relaxed),
            1,
            "one call for five jobs"
        );
        assert_eq!(state(&context, "steady").await.0, "RUNNING");
        let (broken, cause) = state(&context, "broken").await;
        assert_eq!(broken, "FAILED");
        assert!(cause.unwrap().contains("/ by zero"));
        let (gone, why) = state(&context, "gone").await;
        assert_eq!(gone, LOST);
        assert!(why.unwrap().contains("no longer lists"));
        assert_eq!(
            state(&context, "far").await.0,
            "RUNNING",
            "a blip is not a loss"
        );
        assert_eq!(state(&context, "resting").await.0, "SUSPENDED");
        assert_eq!(state(&context, "owned").await.0, SUBMITTING);

        // The down cluster is skipped until its back-off passes; the
        // tracker's own rounds are one call per answering cluster.
        tracker.round().await;
        assert_eq!(fake.overview_calls.load(Ordering::Relaxed), 2);
        assert_eq!(tracker.stats().overview_calls.load(Ordering::Relaxed), 3);
        let events = context.store.list_job_events(Some("broken")).await.unwrap();
        assert_eq!(events.last().unwrap().state, "FAILED");

        // A new tracker (a restarted scaleph): the claim predates it, so
        // the submission is settled — Flink never got it.
        let mut restarted = Tracker::new(context.clone(), Duration::from_secs(60));
        restarted.round().await;
        let (owned, why) = state(&context, "owned").await;
        assert_eq!(owned, "FAILED");
        assert!(why.unwrap().contains("scaleph stopped while submitting"));
    }
}
