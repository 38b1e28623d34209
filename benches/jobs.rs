//! `cargo bench --bench jobs`: jobs, measured side by side with their
//! baselines in one run (issue 14).
//!
//! - **CREATE JOB → RUNNING**: a datagen → blackhole job created through
//!   scaleph (psql wire, `scaleph serve` with the Flink SQL Gateway double
//!   for the DDL, the real Flink 2.3 cluster of `tests/support` running
//!   the job), against the same runner jar uploaded (once, by content
//!   hash) and run with direct REST calls, waiting for the same "every
//!   task running"; rounds interleaved, medians and the ratio. scaleph's
//!   figure includes its startup grace (`jobs::run::STARTUP_GRACE`, 0.5 s:
//!   a job failing on its first rows fails CREATE JOB) — printed apart.
//! - **Tracker cost**: 100 jobs on one cluster (a REST cluster stand-in
//!   answering the calls a submission and the tracker make, counting
//!   them), `scaleph serve` left idle for a minute: REST calls per minute
//!   and scaleph's CPU time, against one poll per job per interval (what
//!   a per-job tracker would cost, computed).
//!
//! - **Kubernetes** (issue 15), against the API-server double and its
//!   operator simulator (`tests/support/kube`, reconcile step 10 ms):
//!   CREATE JOB → RUNNING of a FlinkSessionJob through scaleph against
//!   the double's own operator delay (the same resource created directly
//!   and its status read every 5 ms); and the watch cost — API requests
//!   per minute with 100 idle session jobs (goal: only the watch stream).
//!
//! `SCALEPH_BENCH_JOB_ROUNDS` sets the latency rounds (default 5);
//! `SCALEPH_BENCH_TRACKER_SECS` the idle window (default 60).
//! Nothing here asserts a time: figures are printed for the issue notes.

#[path = "../tests/support/flink_cluster.rs"]
#[allow(dead_code)]
mod flink_cluster;
#[path = "../tests/support/flink_gateway/mod.rs"]
#[allow(dead_code)]
mod flink_gateway;
#[path = "../tests/support/flink_planner/mod.rs"]
#[allow(dead_code)]
mod flink_planner;
#[path = "../tests/support/kube/mod.rs"]
#[allow(dead_code, unused_imports)]
mod kube;
#[path = "../tests/support/services.rs"]
#[allow(dead_code)]
mod services;

#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use scaleph::flink::rest::{FlinkRest, JarRun, RestOptions};
use scaleph::flink::runner::{RUNNER_ENTRY_CLASS, RUNNER_JAR, RUNNER_JAR_STEM, runner_args};
use serde_json::{Value, json};
use tokio_postgres::NoTls;

const JOB_TIMEOUT: Duration = Duration::from_secs(120);

fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn connect(port: u16) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(
        &format!("host=127.0.0.1 port={port} user=scaleph dbname=scaleph"),
        NoTls,
    )
    .await
    .expect("connect to scaleph");
    tokio::spawn(connection);
    client
}

/// The time `CREATE JOB <name> ON CLUSTER <cluster> <rest>` takes to
/// return (the job running); the job is stopped and dropped after.
async fn timed_create_job(
    client: &tokio_postgres::Client,
    name: &str,
    cluster: &str,
    rest: &str,
) -> Duration {
    let started = Instant::now();
    client
        .batch_execute(&format!("CREATE JOB {name} ON CLUSTER {cluster} {rest}"))
        .await
        .unwrap();
    let took = started.elapsed();
    client
        .batch_execute(&format!("STOP JOB {name}; DROP JOB {name}"))
        .await
        .unwrap();
    took
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

const SCRIPT: &str = "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\n\
    CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');\n\
    INSERT INTO sink SELECT id FROM src;\n";

async fn latency() {
    let Some(cluster) = flink_cluster::cluster() else {
        println!("jobs: no Flink cluster (Java and the wheel are needed); latency skipped");
        return;
    };
    let double = flink_gateway::FlinkDouble::start();
    let (server, _) = support::start_server(&["--flink-gateway", &double.url()]);
    let client = connect(server.port).await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER local TYPE REMOTE WITH ('rest.address' = '{}');\
             CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\
             CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');",
            cluster.rest_url
        ))
        .await
        .unwrap();
    let rest = FlinkRest::new(&cluster.rest_url, RestOptions::default()).unwrap();
    // Both paths find the runner uploaded: the first upload is not the
    // figure of either.
    rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await.unwrap();
    let rounds = env_number("SCALEPH_BENCH_JOB_ROUNDS", 5);
    let (mut direct, mut through) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let started = Instant::now();
        let jar = rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await.unwrap();
        let id = rest
            .run_jar(
                &jar.id,
                &JarRun {
                    entry_class: Some(RUNNER_ENTRY_CLASS.into()),
                    program_args_list: runner_args(SCRIPT),
                    parallelism: Some(1),
                    ..JarRun::default()
                },
            )
            .await
            .unwrap();
        rest.wait_running(&id, JOB_TIMEOUT).await.unwrap();
        direct.push(started.elapsed());
        rest.cancel(&id).await.unwrap();
        rest.wait_terminal(&id, JOB_TIMEOUT).await.unwrap();

        through.push(
            timed_create_job(
                &client,
                &format!("bench_{round}"),
                "local",
                "WITH (parallelism = 1) AS INSERT INTO sink SELECT id FROM src",
            )
            .await,
        );
    }
    let (direct, through) = (median(direct), median(through));
    let grace = scaleph::jobs::run::STARTUP_GRACE;
    println!(
        "CREATE JOB -> RUNNING ({rounds} rounds, medians): direct REST {:.2} s, through scaleph {:.2} s = {:.2}x \
         (of which startup grace {:.2} s; without it {:.2}x)",
        direct.as_secs_f64(),
        through.as_secs_f64(),
        through.as_secs_f64() / direct.as_secs_f64(),
        grace.as_secs_f64(),
        (through.as_secs_f64() - grace.as_secs_f64()) / direct.as_secs_f64(),
    );
}

/// A stand-in for a Flink cluster's REST API: what a submission with
/// `wait = false` and the tracker call, every call counted by route.
#[derive(Default)]
struct FakeCluster {
    jobs: Mutex<BTreeMap<String, String>>,
    calls: Mutex<BTreeMap<String, u64>>,
    next: AtomicU64,
}

impl FakeCluster {
    fn count(&self, route: &str) {
        *self.calls.lock().unwrap().entry(route.into()).or_default() += 1;
    }
}

async fn fake_cluster() -> (String, Arc<FakeCluster>) {
    let state = Arc::new(FakeCluster::default());
    let app = Router::new()
        .route(
            "/overview",
            get(|State(s): State<Arc<FakeCluster>>| async move {
                s.count("overview");
                Json(json!({"flink-version": "2.3.0", "taskmanagers": 1, "slots-total": 1000, "slots-available": 1000, "jobs-running": 0}))
            }),
        )
        .route(
            "/jars",
            get(|State(s): State<Arc<FakeCluster>>| async move {
                s.count("jars");
                let name = scaleph::flink::rest::content_name(RUNNER_JAR_STEM, RUNNER_JAR);
                Json(json!({"files": [{"id": format!("x_{name}"), "name": name, "uploaded": 0}]}))
            }),
        )
        .route(
            "/jars/{id}/run",
            post(|State(s): State<Arc<FakeCluster>>, Json(body): Json<Value>| async move {
                s.count("run");
                let id = body["jobId"].as_str().map(str::to_string).unwrap_or_else(|| {
                    format!("{:032x}", s.next.fetch_add(1, Ordering::Relaxed))
                });
                s.jobs.lock().unwrap().insert(id.clone(), "RUNNING".into());
                Json(json!({"jobid": id}))
            }),
        )
        .route(
            "/jobs/overview",
            get(|State(s): State<Arc<FakeCluster>>| async move {
                s.count("jobs/overview");
                let jobs: Vec<Value> = s
                    .jobs
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(id, state)| json!({"jid": id, "name": id, "state": state, "start-time": 1, "end-time": -1, "duration": 1}))
                    .collect();
                Json(json!({"jobs": jobs}))
            }),
        )
        .route(
            "/jobs/{id}",
            get(|State(s): State<Arc<FakeCluster>>, Path(id): Path<String>| async move {
                s.count("jobs/:id");
                Json(json!({"jid": id, "name": id, "state": "RUNNING", "start-time": 1, "end-time": -1, "duration": 1, "vertices": []}))
            }),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

/// The CPU time (user + system) of process `pid`, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

async fn tracker() {
    let (url, fake) = fake_cluster().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scaleph.toml");
    std::fs::write(&config, "").unwrap();
    let (server, _) = support::start_server(&["--config", config.to_str().unwrap()]);
    let client = connect(server.port).await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER fake TYPE REMOTE WITH ('rest.address' = '{url}')"
        ))
        .await
        .unwrap();
    for n in 0..100 {
        client
            .batch_execute(&format!(
                "CREATE JOB idle_{n} ON CLUSTER fake WITH (wait = false) AS INSERT INTO s SELECT 1"
            ))
            .await
            .unwrap_or_else(|e| panic!("job {n}: {e:?}"));
    }
    // Let the tracker take every job from INITIALIZING to RUNNING first.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let running: i64 = client
        .query_one(
            "SELECT count(*) FROM scaleph.jobs WHERE state = 'RUNNING'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let window = Duration::from_secs(env_number("SCALEPH_BENCH_TRACKER_SECS", 60));
    let before_calls = fake.calls.lock().unwrap().clone();
    let before_cpu = cpu_time(server.child.id());
    tokio::time::sleep(window).await;
    let cpu = cpu_time(server.child.id()) - before_cpu;
    let after = fake.calls.lock().unwrap().clone();
    let per_minute = |route: &str| {
        let n =
            after.get(route).copied().unwrap_or(0) - before_calls.get(route).copied().unwrap_or(0);
        n as f64 * 60.0 / window.as_secs_f64()
    };
    let total: u64 = after.values().sum::<u64>() - before_calls.values().sum::<u64>();
    let polls_per_minute = 60.0 / scaleph::config::DEFAULT_JOB_POLL_INTERVAL.as_secs_f64();
    println!(
        "tracker, {running} running jobs on one cluster, idle {} s: {:.1} REST calls/min ({:.1} GET /jobs/overview/min, {} other) \
         vs {:.0}/min for one poll per job; scaleph CPU {:.2} s = {:.3}% of one core",
        window.as_secs(),
        total as f64 * 60.0 / window.as_secs_f64(),
        per_minute("jobs/overview"),
        total
            - (after.get("jobs/overview").copied().unwrap_or(0)
                - before_calls.get("jobs/overview").copied().unwrap_or(0)),
        100.0 * polls_per_minute,
        cpu.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / window.as_secs_f64(),
    );
}

async fn kubernetes() {
    let mut options = kube::KubeOptions::new(kube::CrdVersion::Release1_15);
    options.allowed_schemes = vec!["https".into(), "http".into()];
    options.disallow_restricted_hosts = false;
    options.reconcile_delay = Duration::from_millis(10);
    let double = kube::KubeDouble::start_with(options);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scaleph.toml");
    std::fs::write(&config, "").unwrap();
    let (server, _) = support::start_server(&[
        "--http-listen",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
    ]);
    let client = connect(server.port).await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', \
             'savepoint.dir' = 's3://b/sp', 'checkpoint.dir' = 's3://b/cp')",
            double.url()
        ))
        .await
        .unwrap();
    let rounds = env_number("SCALEPH_BENCH_JOB_ROUNDS", 5);
    let http = reqwest::Client::new();
    let jobs_url = format!(
        "{}/apis/flink.apache.org/v1beta1/namespaces/default/flinksessionjobs",
        double.url()
    );
    // A jar the simulator can fetch for the direct baseline: the one
    // scaleph serves for its first job.
    client
        .batch_execute("CREATE JOB warm ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    let jar_uri = double.fetched_jars()[0].uri.clone();
    let (mut direct, mut through) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let name = format!("direct-{round}");
        let started = Instant::now();
        let created = http
            .post(&jobs_url)
            .json(&json!({
                "apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkSessionJob",
                "metadata": {"name": name},
                "spec": {"deploymentName": "k8s", "job": {"jarURI": jar_uri, "parallelism": 1, "upgradeMode": "stateless", "state": "running"}}
            }))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success(), "{:?}", created.text().await);
        loop {
            let object: Value = http
                .get(format!("{jobs_url}/{name}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if object["status"]["jobStatus"]["state"] == "RUNNING" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        direct.push(started.elapsed());
        http.delete(format!("{jobs_url}/{name}"))
            .send()
            .await
            .unwrap();

        through.push(
            timed_create_job(
                &client,
                &format!("through_{round}"),
                "k8s",
                "AS INSERT INTO sink SELECT 1",
            )
            .await,
        );
    }
    let (direct, through) = (median(direct), median(through));
    println!(
        "Kubernetes CREATE JOB -> RUNNING ({rounds} rounds, medians, operator step 10 ms): the double's own delay {:.3} s, through scaleph {:.3} s (+{:.3} s: the jar built and served, the resource written, the watch)",
        direct.as_secs_f64(),
        through.as_secs_f64(),
        through.as_secs_f64() - direct.as_secs_f64(),
    );

    for n in 0..100 {
        client
            .batch_execute(&format!(
                "CREATE JOB idle_{n} ON CLUSTER k8s AS INSERT INTO sink SELECT 1"
            ))
            .await
            .unwrap_or_else(|e| panic!("job {n}: {e:?}"));
    }
    // The tracker's watch is open once it has listed the jobs.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let window = Duration::from_secs(env_number("SCALEPH_BENCH_TRACKER_SECS", 60));
    double.clear_requests();
    tokio::time::sleep(window).await;
    let requests = double.requests();
    let mut by_verb: BTreeMap<String, usize> = BTreeMap::new();
    for request in &requests {
        *by_verb.entry(request.verb.clone()).or_default() += 1;
    }
    let running: i64 = client
        .query_one(
            "SELECT count(*) FROM scaleph.jobs WHERE state = 'RUNNING'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    println!(
        "Kubernetes watch, {running} idle session jobs, {} s: {:.1} API requests/min ({by_verb:?}); polling each job every 5 s would be {}/min",
        window.as_secs(),
        requests.len() as f64 * 60.0 / window.as_secs_f64(),
        running * 12,
    );
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let only = std::env::var("SCALEPH_BENCH_ONLY").unwrap_or_default();
        if only.is_empty() || only == "rest" {
            latency().await;
            tracker().await;
        }
        if only.is_empty() || only == "kubernetes" {
            kubernetes().await;
        }
    });
}
