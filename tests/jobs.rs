//! Jobs end to end (issue 14): `scaleph serve` with the Flink SQL Gateway
//! double for the session's DDL, and the real Flink 2.3 cluster of
//! `support::flink_cluster` running the jobs — CREATE JOB, SHOW/DESCRIBE,
//! SAVEPOINT, SUSPEND → RESUME restored from the savepoint, STOP, DROP;
//! a bounded job writing files and ending FINISHED; the errors users meet
//! (a missing connector, a cluster that is down, a job failing at
//! runtime, an unknown cluster, two CREATE JOBs racing); and a scaleph
//! killed with SIGKILL re-attaching to its running job.

use std::path::Path;
use std::time::{Duration, Instant};

use scaleph::flink::rest::{FlinkRest, JobState, RestOptions};

use crate::support::Gateway;
use crate::support::flink_cluster::{FlinkCluster, cluster, visible_files};
use crate::support::flink_gateway::FlinkDouble;
use crate::support::services::closed_port;

/// How long a job may take to run or end on a loaded 2-core machine.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

/// scaleph.toml of these tests: a quick tracker.
const CONFIG: &str = "[jobs]\npoll_interval = \"300 ms\"\n";

fn rest(cluster: &FlinkCluster) -> FlinkRest {
    FlinkRest::new(&cluster.rest_url, RestOptions::default()).expect("the cluster's URL is valid")
}

/// A scaleph with the gateway double and the cluster registered as
/// `local`, and a client that records notices.
async fn setup(
    cluster: &FlinkCluster,
) -> (
    FlinkDouble,
    Gateway,
    tokio_postgres::Client,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let double = FlinkDouble::start();
    let gateway = Gateway::start_for_flink(&double.url(), CONFIG);
    let (client, notices) = gateway.client_with_notices().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER local TYPE REMOTE WITH ('rest.address' = '{}')",
            cluster.rest_url
        ))
        .await
        .unwrap();
    (double, gateway, client, notices)
}

/// A job's row of `scaleph.jobs`: (state, flink job id, reason).
async fn job_row(
    client: &tokio_postgres::Client,
    name: &str,
) -> Option<(String, String, Option<String>)> {
    client
        .query_opt(
            "SELECT state, flink_job_id, reason FROM scaleph.jobs WHERE name = $1",
            &[&name],
        )
        .await
        .unwrap()
        .map(|row| {
            (
                row.get(0),
                row.get::<_, Option<String>>(1).unwrap_or_default(),
                row.get(2),
            )
        })
}

/// Waits until job `name` is in `state` (the tracker moves it).
async fn wait_state(
    client: &tokio_postgres::Client,
    name: &str,
    state: &str,
) -> (String, String, Option<String>) {
    let deadline = Instant::now() + JOB_TIMEOUT;
    loop {
        let row = job_row(client, name).await;
        if let Some(row) = &row
            && row.0 == state
        {
            return row.clone();
        }
        assert!(
            Instant::now() < deadline,
            "job {name} never reached {state}: {row:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn db_error(err: &tokio_postgres::Error) -> (&str, String, Option<String>) {
    let db = err
        .as_db_error()
        .unwrap_or_else(|| panic!("not a database error: {err:?}"));
    (
        db.code().code(),
        db.message().to_string(),
        db.hint().map(str::to_string),
    )
}

fn local_path(uri: &str) -> &Path {
    Path::new(
        uri.trim_start_matches("file://")
            .trim_start_matches("file:"),
    )
}

/// The lifecycle of a streaming job: CREATE → RUNNING (progress as
/// notices, the Flink job id chosen by scaleph), SAVEPOINT, SUSPEND (the
/// savepoint's `_metadata` exists) → RESUME restored from it
/// (`latest.restored`), DROP refused while it runs, STOP, and every state
/// change in `scaleph.job_events`.
#[tokio::test(flavor = "multi_thread")]
async fn a_streaming_job_runs_suspends_resumes_from_its_savepoint_and_stops() {
    let Some(cluster) = cluster() else { return };
    let (_double, _gateway, client, notices) = setup(cluster).await;
    let savepoints = cluster.scratch("job-savepoints");
    client
        .batch_execute(
            "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\
             CREATE TABLE unrelated (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 't');\
             CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');",
        )
        .await
        .unwrap();
    client
        .batch_execute(&format!(
            "CREATE JOB stream ON CLUSTER local WITH (parallelism = 1, 'savepoint.dir' = 'file://{}') \
             AS INSERT INTO sink SELECT id FROM src",
            savepoints.display()
        ))
        .await
        .unwrap();
    let seen = notices.lock().unwrap().clone();
    assert!(seen.iter().any(|n| n.contains("submitted")), "{seen:?}");
    assert!(
        seen.iter()
            .any(|n| n.contains("is RUNNING on cluster \"local\"")),
        "{seen:?}"
    );
    let (state, first_id, _) = job_row(&client, "stream").await.unwrap();
    assert_eq!(state, "RUNNING");
    let rest = rest(cluster);
    assert_eq!(
        rest.job(&first_id).await.unwrap().job.state,
        JobState::Running
    );
    assert_eq!(
        rest.job(&first_id).await.unwrap().job.name,
        "stream",
        "pipeline.name is the job's"
    );

    // The script took what the statement reaches: not the kafka table.
    let create = client
        .query_one("SHOW CREATE JOB stream", &[])
        .await
        .unwrap();
    let script: String = create.get("script");
    assert!(
        script.contains("CREATE TABLE") && script.contains("`src`") || script.contains("src"),
        "{script}"
    );
    assert!(!script.contains("kafka"), "{script}");
    assert!(
        create
            .get::<_, String>("create_statement")
            .contains("INSERT INTO sink")
    );

    let shown = client.query("SHOW JOBS LIKE 'str%'", &[]).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].get::<_, String>("managed"), "true");
    let described: Vec<(String, String)> = client
        .query("DESCRIBE JOB stream", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let value = |key: &str| {
        described
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        value("flink_state").as_deref(),
        Some("RUNNING"),
        "{described:?}"
    );
    // Flink fetches job metrics lazily: 0, or not reported yet.
    assert!(
        matches!(value("restarts").as_deref(), Some("0" | "")),
        "{described:?}"
    );

    let taken: String = client
        .query_one("SAVEPOINT JOB stream", &[])
        .await
        .unwrap()
        .get("savepoint_path");
    assert!(local_path(&taken).join("_metadata").is_file(), "{taken}");
    assert_eq!(
        rest.job(&first_id).await.unwrap().job.state,
        JobState::Running
    );

    let suspended: String = client
        .query_one("SUSPEND JOB stream", &[])
        .await
        .unwrap()
        .get("savepoint_path");
    assert!(
        local_path(&suspended).join("_metadata").is_file(),
        "{suspended}"
    );
    assert_eq!(job_row(&client, "stream").await.unwrap().0, "SUSPENDED");
    let ended = rest.wait_terminal(&first_id, JOB_TIMEOUT).await.unwrap();
    assert_eq!(ended.job.state, JobState::Finished);

    client
        .batch_execute("ALTER JOB stream SET (parallelism = 1)")
        .await
        .unwrap();
    client.batch_execute("RESUME JOB stream").await.unwrap();
    let (state, second_id, _) = job_row(&client, "stream").await.unwrap();
    assert_eq!(state, "RUNNING");
    assert_ne!(second_id, first_id);
    let restored = rest.checkpoints(&second_id).await.unwrap().latest.restored;
    assert_eq!(
        restored
            .and_then(|r| r.external_path)
            .map(|p| p.trim_end_matches('/').to_string()),
        Some(suspended.trim_end_matches('/').to_string())
    );

    let err = client.batch_execute("DROP JOB stream").await.unwrap_err();
    assert_eq!(db_error(&err).0, "55006");
    let err = client.batch_execute("RESUME JOB stream").await.unwrap_err();
    assert_eq!(db_error(&err).0, "55000");

    client.batch_execute("STOP JOB stream").await.unwrap();
    assert_eq!(job_row(&client, "stream").await.unwrap().0, "STOPPED");
    assert_eq!(
        rest.job(&second_id).await.unwrap().job.state,
        JobState::Canceled
    );

    let states: Vec<String> = client
        .query(
            "SELECT state FROM scaleph.job_events WHERE job = 'stream' ORDER BY at",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        states,
        [
            "SUBMITTING",
            "RUNNING",
            "SUSPENDING",
            "SUSPENDED",
            "SUBMITTING",
            "RUNNING",
            "STOPPING",
            "STOPPED"
        ]
    );
    let kinds: Vec<String> = client
        .query("SHOW SAVEPOINTS FOR JOB stream", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("kind"))
        .collect();
    assert_eq!(kinds, ["SUSPEND", "SAVEPOINT"]);
    client.batch_execute("DROP JOB stream").await.unwrap();
    assert!(job_row(&client, "stream").await.is_none());
}

/// A bounded job writes its rows to the files of a filesystem sink and
/// the tracker records it FINISHED.
#[tokio::test(flavor = "multi_thread")]
async fn a_bounded_job_writes_its_files_and_ends_finished() {
    let Some(cluster) = cluster() else { return };
    let (_double, _gateway, client, _) = setup(cluster).await;
    let out = cluster.scratch("job-files");
    client
        .batch_execute(&format!(
            "CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '25');\
             CREATE TABLE files (id BIGINT) WITH ('connector' = 'filesystem', 'path' = 'file://{}', 'format' = 'csv');",
            out.display()
        ))
        .await
        .unwrap();
    client
        .batch_execute(
            "CREATE JOB once ON CLUSTER local WITH ('execution.runtime-mode' = 'batch') \
             AS INSERT INTO files SELECT id FROM numbers",
        )
        .await
        .unwrap();
    let (_, _, reason) = wait_state(&client, "once", "FINISHED").await;
    assert!(reason.is_none(), "{reason:?}");
    let rows: usize = visible_files(&out)
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
        .sum();
    assert_eq!(rows, 25);
    // Ended: DROP is allowed.
    client.batch_execute("DROP JOB once").await.unwrap();
}

/// The errors of CREATE JOB, each leaving nothing in the store.
#[tokio::test(flavor = "multi_thread")]
async fn create_job_errors_are_clear_and_leave_nothing_behind() {
    let Some(cluster) = cluster() else { return };
    let (_double, _gateway, client, _) = setup(cluster).await;
    client
        .batch_execute(
            "CREATE TABLE gen (id INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\
             CREATE TABLE hole (v INT) WITH ('connector' = 'blackhole');\
             CREATE TABLE topic (v INT) WITH ('connector' = 'kafka', 'topic' = 't');",
        )
        .await
        .unwrap();

    // A connector nothing provides: before anything reaches the cluster.
    let err = client
        .batch_execute(
            "CREATE JOB to_kafka ON CLUSTER local AS INSERT INTO topic SELECT id FROM gen",
        )
        .await
        .unwrap_err();
    let (code, message, hint) = db_error(&err);
    assert_eq!(code, "42704");
    assert!(message.contains("'kafka'"), "{message}");
    assert!(
        hint.unwrap_or_default()
            .starts_with("CREATE CONNECTOR kafka FROM")
    );

    // A cluster that is down: 08001 naming the cluster.
    client
        .batch_execute(&format!(
            "CREATE CLUSTER down TYPE REMOTE WITH ('rest.address' = 'http://127.0.0.1:{}')",
            closed_port()
        ))
        .await
        .unwrap();
    let err = client
        .batch_execute("CREATE JOB on_down ON CLUSTER down AS INSERT INTO hole SELECT id FROM gen")
        .await
        .unwrap_err();
    let (code, message, _) = db_error(&err);
    assert_eq!(code, "08001", "{message}");
    assert!(message.starts_with("cluster \"down\": "), "{message}");

    // An unknown cluster: 42704 with the closest name.
    let err = client
        .batch_execute("CREATE JOB x ON CLUSTER locl AS INSERT INTO hole SELECT id FROM gen")
        .await
        .unwrap_err();
    let (code, message, _) = db_error(&err);
    assert_eq!(code, "42704");
    assert!(message.contains("did you mean local?"), "{message}");

    // A job failing at runtime: Flink's root cause is CREATE JOB's error.
    let err = client
        .batch_execute(
            "CREATE JOB divide ON CLUSTER local AS INSERT INTO hole SELECT 10 / (id - id) FROM gen",
        )
        .await
        .unwrap_err();
    let (_, message, _) = db_error(&err);
    assert!(message.contains("/ by zero"), "{message}");

    // Bad options: 22023 with the closest key.
    let err = client
        .batch_execute("CREATE JOB y ON CLUSTER local WITH (paralelism = 2) AS INSERT INTO hole SELECT id FROM gen")
        .await
        .unwrap_err();
    let (code, message, _) = db_error(&err);
    assert_eq!(code, "22023");
    assert!(message.contains("did you mean parallelism?"), "{message}");

    let left: i64 = client
        .query_one("SELECT count(*) FROM scaleph.jobs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "a failed CREATE JOB leaves no job");
    let err = client
        .batch_execute("DESCRIBE JOB divde")
        .await
        .unwrap_err();
    assert_eq!(db_error(&err).0, "42704");
}

/// Two CREATE JOBs of one name at once: one wins, the other gets 42710,
/// and the cluster runs one job.
#[tokio::test(flavor = "multi_thread")]
async fn two_create_jobs_of_one_name_racing_make_one_job() {
    let Some(cluster) = cluster() else { return };
    let (_double, gateway, client, _) = setup(cluster).await;
    client
        .batch_execute(
            "CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');\
             CREATE TABLE b (id BIGINT) WITH ('connector' = 'blackhole');",
        )
        .await
        .unwrap();
    let other = gateway.client().await;
    let statement = "CREATE JOB twin ON CLUSTER local AS INSERT INTO b SELECT id FROM g";
    let (a, b) = tokio::join!(
        client.batch_execute(statement),
        other.batch_execute(statement)
    );
    let outcomes = [a, b];
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let loser = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
    assert_eq!(db_error(loser).0, "42710");
    let (_, id, _) = job_row(&client, "twin").await.unwrap();
    let rest = rest(cluster);
    let running: Vec<_> = rest
        .jobs_overview()
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.name == "twin" && !j.state.is_terminal())
        .collect();
    assert_eq!(running.len(), 1, "{running:?}");
    assert_eq!(running[0].jid, id);
    client
        .batch_execute("STOP JOB twin; DROP JOB twin")
        .await
        .unwrap();
}

/// scaleph killed with SIGKILL while its job runs: after a restart on the
/// same data the job is still the one Flink runs (nothing resubmitted),
/// the tracker follows it again (a cancel behind scaleph's back is seen),
/// and SHOW JOBS lists a job scaleph did not submit as unmanaged.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_scaleph_reattaches_to_its_running_job() {
    let Some(cluster) = cluster() else { return };
    let double = FlinkDouble::start();
    let gateway = Gateway::start_for_flink(&double.url(), CONFIG);
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER local TYPE REMOTE WITH ('rest.address' = '{}');\
             CREATE TABLE s (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');\
             CREATE TABLE k (id BIGINT) WITH ('connector' = 'blackhole');\
             CREATE JOB survivor ON CLUSTER local AS INSERT INTO k SELECT id FROM s",
            cluster.rest_url
        ))
        .await
        .unwrap();
    let (_, id, _) = job_row(&client, "survivor").await.unwrap();
    drop(client);
    let gateway = gateway.kill9_and_restart(&["--flink-gateway", &double.url()]);
    let client = gateway.client().await;
    let (state, same_id, _) = job_row(&client, "survivor").await.unwrap();
    assert_eq!((state.as_str(), same_id.as_str()), ("RUNNING", id.as_str()));
    let rest = rest(cluster);
    let named: Vec<_> = rest
        .jobs_overview()
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.name == "survivor" && !j.state.is_terminal())
        .collect();
    assert_eq!(named.len(), 1, "nothing resubmitted: {named:?}");

    // A job submitted behind scaleph's back is listed, unmanaged.
    let jar = rest
        .ensure_jar(
            scaleph::flink::runner::RUNNER_JAR_STEM,
            scaleph::flink::runner::RUNNER_JAR,
        )
        .await
        .unwrap();
    let foreign = rest
        .run_jar(
            &jar.id,
            &scaleph::flink::rest::JarRun {
                entry_class: Some(scaleph::flink::runner::RUNNER_ENTRY_CLASS.into()),
                program_args_list: scaleph::flink::runner::runner_args(
                    "SET 'pipeline.name' = 'foreign';\
                     CREATE TABLE a (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');\
                     CREATE TABLE z (id BIGINT) WITH ('connector' = 'blackhole');\
                     INSERT INTO z SELECT id FROM a;",
                ),
                parallelism: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let shown = client.query("SHOW JOBS", &[]).await.unwrap();
    let foreign_row = shown
        .iter()
        .find(|r| r.get::<_, String>("flink_job_id") == foreign)
        .expect("the foreign job is listed");
    assert_eq!(foreign_row.get::<_, String>("managed"), "false");
    assert_eq!(foreign_row.get::<_, String>("name"), "foreign");
    rest.cancel(&foreign).await.unwrap();

    // Cancelled behind scaleph's back: the tracker sees it.
    rest.cancel(&id).await.unwrap();
    wait_state(&client, "survivor", "CANCELED").await;
    client.batch_execute("DROP JOB survivor").await.unwrap();
}
