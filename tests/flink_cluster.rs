//! The Flink REST client (`scaleph::flink::rest`) and the SQL runner jar
//! against a real Flink 2.3.0 standalone cluster (`support::flink_cluster`,
//! one per test process, shared): the cluster's overview, the runner
//! uploaded once by content hash, SQL jobs streaming and bounded,
//! savepoints, stop-with-savepoint and a restore from it, and Flink's root
//! cause of a bad script and of a job failing at runtime, and a jar under
//! `lib/` of the job jar on the job's classpath.
//!
//! Jobs are short and cancelled at the end of their test; each runs with
//! parallelism 1, and the cluster has slots for the tests running at once.

use std::path::Path;
use std::time::Duration;

use scaleph::error::SqlState;
use scaleph::flink::jar::with_libs;
use scaleph::flink::rest::{FlinkRest, JarRun, JobState, RestOptions};
use scaleph::flink::runner::{RUNNER_ENTRY_CLASS, RUNNER_JAR, RUNNER_JAR_STEM, runner_args};

use crate::support::flink_cluster::{FlinkCluster, SLOTS, cluster, visible_files};
use crate::support::services::closed_port;

/// How long a job may take to run or end on a loaded 2-core machine.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

fn client(cluster: &FlinkCluster) -> FlinkRest {
    FlinkRest::new(&cluster.rest_url, RestOptions::default()).expect("the cluster's URL is valid")
}

/// Submits `script` with the embedded runner: the Flink job id.
async fn submit(
    rest: &FlinkRest,
    script: &str,
    savepoint: Option<String>,
) -> Result<String, scaleph::error::Error> {
    let jar = rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await?;
    rest.run_jar(
        &jar.id,
        &JarRun {
            entry_class: Some(RUNNER_ENTRY_CLASS.to_string()),
            program_args_list: runner_args(script),
            parallelism: Some(1),
            savepoint_path: savepoint,
            allow_non_restored_state: false,
            job_id: None,
        },
    )
    .await
}

/// An unbounded datagen → blackhole job.
const BLACKHOLE: &str = "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\n\
    CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');\n\
    INSERT INTO sink SELECT id FROM src;\n";

#[tokio::test]
async fn cluster_overview_of_the_real_cluster_reports_version_and_slots() {
    let Some(cluster) = cluster() else { return };
    let overview = client(cluster).cluster_overview().await.unwrap();
    assert_eq!(overview.flink_version, "2.3.0");
    assert_eq!(overview.taskmanagers, 1);
    assert_eq!(overview.slots_total, SLOTS);
    assert!(overview.slots_available <= SLOTS);
    eprintln!(
        "cluster start-up took {:.1} s",
        cluster.startup.as_secs_f64()
    );
}

#[tokio::test]
async fn cluster_overview_of_an_address_nothing_listens_on_is_08001() {
    let address = format!("http://127.0.0.1:{}/", closed_port());
    let options = RestOptions {
        headers: vec![("Authorization".into(), "Bearer not-for-logs".into())],
        ..RestOptions::default()
    };
    let err = FlinkRest::new(&address, options)
        .unwrap()
        .cluster_overview()
        .await
        .unwrap_err();
    assert_eq!(
        err.sqlstate,
        SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION
    );
    let shown = address.trim_end_matches('/');
    assert!(
        err.message
            .starts_with(&format!("cannot reach the Flink cluster at {shown}: ")),
        "{}",
        err.message
    );
    assert!(
        err.message.to_lowercase().contains("refused"),
        "{}",
        err.message
    );
    assert!(!format!("{err:?} {}", err.chain()).contains("not-for-logs"));
}

#[tokio::test]
async fn runner_jar_uploaded_twice_is_stored_once() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let first = rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await.unwrap();
    let second = rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await.unwrap();
    assert_eq!(first.id, second.id);
    assert!(!second.uploaded, "the second call reuses the jar");
    let listed: Vec<_> = rest
        .jars()
        .await
        .unwrap()
        .into_iter()
        .filter(|jar| jar.name == first.name)
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(first.name.starts_with("scaleph-sql-runner-") && first.id.ends_with(&first.name));
}

#[tokio::test]
async fn datagen_to_blackhole_job_runs_until_cancelled() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let job = submit(&rest, BLACKHOLE, None).await.unwrap();
    let details = rest.wait_running(&job, JOB_TIMEOUT).await.unwrap();
    assert!(details.all_tasks_running(), "{details:?}");
    let listed = rest.jobs_overview().await.unwrap();
    assert!(
        listed
            .iter()
            .any(|j| j.jid == job && j.state == JobState::Running),
        "{listed:?}"
    );
    rest.cancel(&job).await.unwrap();
    let ended = rest.wait_terminal(&job, JOB_TIMEOUT).await.unwrap();
    assert_eq!(ended.job.state, JobState::Canceled);
}

#[tokio::test]
async fn bounded_datagen_to_filesystem_finishes_with_rows_in_the_sinks() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let out = cluster.scratch("filesystem");
    let (a, b) = (out.join("a"), out.join("b"));
    // `;` in a string and in comments, two writes in a statement set (one
    // job), SET first.
    let script = format!(
        "-- a bounded source; the runner splits at ';' outside comments\n\
         SET 'execution.runtime-mode' = 'batch';\n\
         CREATE TABLE src (id BIGINT, note STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '20');\n\
         CREATE TABLE a (id BIGINT, note STRING) WITH ('connector' = 'filesystem', 'path' = 'file://{}', 'format' = 'csv');\n\
         CREATE TABLE b (id BIGINT) WITH ('connector' = 'filesystem', 'path' = 'file://{}', 'format' = 'csv');\n\
         /* both writes; one StatementSet */\n\
         EXECUTE STATEMENT SET BEGIN\n\
         INSERT INTO a SELECT id, 'x;y -- kept' FROM src;\n\
         INSERT INTO b SELECT id FROM src;\n\
         END;\n",
        a.display(),
        b.display()
    );
    let job = submit(&rest, &script, None).await.unwrap();
    let ended = rest.wait_terminal(&job, JOB_TIMEOUT).await.unwrap();
    assert_eq!(
        ended.job.state,
        JobState::Finished,
        "{:?}",
        rest.job_failure(&job).await
    );
    let rows = |dir: &Path| -> Vec<String> {
        visible_files(dir)
            .iter()
            .flat_map(|f| {
                std::fs::read_to_string(f)
                    .unwrap()
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let a_rows = rows(&a);
    assert_eq!(a_rows.len(), 20, "{a_rows:?}");
    assert!(
        a_rows
            .iter()
            .all(|r| r.ends_with(",\"x;y -- kept\"") || r.ends_with(",x;y -- kept")),
        "{a_rows:?}"
    );
    assert_eq!(rows(&b).len(), 20);
}

/// Flink takes the job id scaleph chooses (`jobId` of `POST
/// /jars/:id/run`): what lets a scaleph that died mid-submit find its job.
#[tokio::test]
async fn a_job_runs_under_the_id_the_caller_chose() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let jar = rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await.unwrap();
    let chosen = "0123456789abcdef0123456789abcde1";
    let id = rest
        .run_jar(
            &jar.id,
            &JarRun {
                entry_class: Some(RUNNER_ENTRY_CLASS.to_string()),
                program_args_list: runner_args(BLACKHOLE),
                parallelism: Some(1),
                job_id: Some(chosen.to_string()),
                ..JarRun::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(id, chosen);
    rest.cancel(&id).await.unwrap();
    rest.wait_terminal(&id, JOB_TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn savepoint_then_stop_with_savepoint_then_restore_from_it() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let savepoints = cluster.scratch("savepoints");
    let target = format!("file://{}", savepoints.display());
    let job = submit(&rest, BLACKHOLE, None).await.unwrap();
    rest.wait_running(&job, JOB_TIMEOUT).await.unwrap();

    let taken = rest
        .savepoint(&job, Some(&target), JOB_TIMEOUT)
        .await
        .unwrap();
    assert!(taken.contains("savepoint-"), "{taken}");
    assert_eq!(rest.job(&job).await.unwrap().job.state, JobState::Running);
    let latest = rest.checkpoints(&job).await.unwrap().latest.savepoint;
    assert_eq!(latest.and_then(|s| s.external_path), Some(taken.clone()));

    let stopped = rest
        .stop_with_savepoint(&job, Some(&target), false, JOB_TIMEOUT)
        .await
        .unwrap();
    let local = stopped.trim_start_matches("file:");
    assert!(Path::new(local).join("_metadata").is_file(), "{stopped}");
    let ended = rest.wait_terminal(&job, JOB_TIMEOUT).await.unwrap();
    assert!(
        ended.job.state == JobState::Finished || ended.job.state == JobState::Canceled,
        "{ended:?}"
    );

    let resumed = submit(&rest, BLACKHOLE, Some(stopped.clone()))
        .await
        .unwrap();
    rest.wait_running(&resumed, JOB_TIMEOUT).await.unwrap();
    let restored = rest.checkpoints(&resumed).await.unwrap().latest.restored;
    let restored = restored.expect("the job was restored");
    assert!(restored.is_savepoint);
    assert_eq!(
        restored
            .external_path
            .as_deref()
            .map(|p| p.trim_end_matches('/')),
        Some(stopped.trim_end_matches('/'))
    );
    rest.cancel(&resumed).await.unwrap();
    rest.wait_terminal(&resumed, JOB_TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn job_failing_at_runtime_reports_flinks_root_cause() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let script = "CREATE TABLE src (id INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\n\
        CREATE TABLE sink (v INT) WITH ('connector' = 'blackhole');\n\
        INSERT INTO sink SELECT 10 / (id - id) FROM src;\n";
    let job = submit(&rest, script, None).await.unwrap();
    let err = rest.wait_running(&job, JOB_TIMEOUT).await;
    let err = match err {
        // Running for a moment before the first row divides by zero.
        Ok(_) => {
            let ended = rest.wait_terminal(&job, JOB_TIMEOUT).await.unwrap();
            assert_eq!(ended.job.state, JobState::Failed);
            rest.job_failure(&job).await.unwrap()
        }
        Err(err) => err,
    };
    assert!(err.message.contains("/ by zero"), "{err:?}");
    assert!(
        err.detail
            .as_deref()
            .is_some_and(|d| d.contains("ArithmeticException"))
    );
}

#[tokio::test]
async fn bad_script_fails_to_run_with_flinks_root_cause() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let err = submit(&rest, "INSERT INTO nowhere SELECT 1;", None)
        .await
        .unwrap_err();
    assert!(err.message.contains("nowhere"), "{err:?}");
    assert!(err.message.starts_with("Flink: "), "{err:?}");
    let unknown = rest
        .job("00000000000000000000000000000000")
        .await
        .unwrap_err();
    assert_eq!(unknown.sqlstate, SqlState::UNDEFINED_OBJECT, "{unknown:?}");
}

/// A jar holding one scalar function, `scaleph.test.Twice` (`x -> 2x`),
/// compiled now against the wheel's Table API: a stand-in for a
/// connector jar the cluster does not have.
fn function_jar(dir: &Path) -> Vec<u8> {
    let lib = crate::support::flink_planner::flink_lib().expect("the wheel's jars");
    let source = dir.join("Twice.java");
    std::fs::write(
        &source,
        "package scaleph.test;\n\
         public class Twice extends org.apache.flink.table.functions.ScalarFunction {\n\
             public Long eval(Long x) { return x == null ? null : 2 * x; }\n\
         }\n",
    )
    .unwrap();
    let classes = dir.join("classes");
    let run = |command: &mut std::process::Command| {
        let output = command.output().expect("the JDK runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(std::process::Command::new("javac")
        .args(["--release", "11", "-d"])
        .arg(&classes)
        .arg("-cp")
        .arg(lib.join("flink-table-api-java-uber-2.3.0.jar"))
        .arg(&source));
    let jar = dir.join("twice.jar");
    run(std::process::Command::new("jar")
        .arg("--create")
        .arg("--file")
        .arg(&jar)
        .arg("-C")
        .arg(&classes)
        .arg("."));
    std::fs::read(jar).unwrap()
}

#[tokio::test]
async fn jars_under_lib_of_the_job_jar_are_on_the_jobs_classpath() {
    let Some(cluster) = cluster() else { return };
    let rest = client(cluster);
    let out = cluster.scratch("lib");
    let script = format!(
        "SET 'execution.runtime-mode' = 'batch';\n\
         CREATE TEMPORARY FUNCTION twice AS 'scaleph.test.Twice';\n\
         CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5', \
           'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5');\n\
         CREATE TABLE sink (v BIGINT) WITH ('connector' = 'filesystem', 'path' = 'file://{}', 'format' = 'csv');\n\
         INSERT INTO sink SELECT twice(id) FROM src;\n",
        out.join("sink").display()
    );
    let request = JarRun {
        entry_class: Some(RUNNER_ENTRY_CLASS.to_string()),
        program_args_list: runner_args(&script),
        parallelism: Some(1),
        ..JarRun::default()
    };

    // Without the function's jar the script fails: the class is not there.
    let plain = rest.ensure_jar(RUNNER_JAR_STEM, RUNNER_JAR).await.unwrap();
    let err = rest.run_jar(&plain.id, &request).await.unwrap_err();
    assert!(err.message.contains("scaleph.test.Twice"), "{err:?}");

    let job_jar = with_libs(RUNNER_JAR, &[("twice.jar", &function_jar(&out))]).unwrap();
    let uploaded = rest.ensure_jar("scaleph-job", &job_jar).await.unwrap();
    let job = rest.run_jar(&uploaded.id, &request).await.unwrap();
    let ended = rest.wait_terminal(&job, JOB_TIMEOUT).await.unwrap();
    assert_eq!(
        ended.job.state,
        JobState::Finished,
        "{:?}",
        rest.job_failure(&job).await
    );
    let mut values: Vec<i64> = visible_files(&out.join("sink"))
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| l.parse().unwrap())
                .collect::<Vec<i64>>()
        })
        .collect();
    values.sort();
    assert_eq!(values, [2, 4, 6, 8, 10]);
}

/// Issue 14: `TEST CLUSTER` through pgwire against the real cluster — the
/// same overview the REST client reads, as one row.
#[tokio::test(flavor = "multi_thread")]
async fn test_cluster_over_pgwire_reports_the_real_cluster() {
    let Some(cluster) = cluster() else {
        return;
    };
    let gateway = crate::support::Gateway::start();
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER local TYPE REMOTE WITH ('rest.address' = '{}')",
            cluster.rest_url
        ))
        .await
        .unwrap();
    let row = &client.query("TEST CLUSTER local", &[]).await.unwrap()[0];
    assert!(
        row.get::<_, bool>("reachable"),
        "{:?}",
        row.get::<_, Option<String>>("error")
    );
    assert_eq!(row.get::<_, String>("flink_version"), "2.3.0");
    assert_eq!(row.get::<_, i32>("taskmanagers"), 1);
    assert_eq!(row.get::<_, i32>("slots_total"), SLOTS as i32);
    assert!(row.get::<_, i32>("slots_free") <= SLOTS as i32);
    assert!(row.get::<_, i64>("latency_ms") >= 0);
}
