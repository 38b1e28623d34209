//! SeaTunnel end to end: scaleph's Zeta REST client (`src/seatunnel`)
//! against the SeaTunnel double — ids above 2^53 kept exact both ways,
//! Zeta's refusals, an unreachable or slow cluster, a context path, a
//! stop with a savepoint and the restore — and `TYPE SEATUNNEL` clusters
//! through pgwire: created, listed, described, tested, altered, dropped,
//! and refused as the cluster of a Flink job.

use std::time::Duration;

use scaleph::error::SqlState;
use scaleph::seatunnel::{JobInfo, SeatunnelRest, is_terminal};
use serde_json::{Value as Json, json};

use crate::support::seatunnel::{FIRST_JOB_ID, SeatunnelDouble, SeatunnelOptions};
use crate::support::{Gateway, services};

fn example(name: &str) -> Json {
    let path = format!(
        "{}/tests/support/seatunnel/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn client(url: &str) -> SeatunnelRest {
    SeatunnelRest::new(url, Duration::from_secs(5)).unwrap()
}

/// Follows the job until its state is terminal.
async fn until_terminal(rest: &SeatunnelRest, id: &str) -> JobInfo {
    let started = std::time::Instant::now();
    loop {
        let job = rest.job_info(id).await.unwrap().expect("a known job");
        if is_terminal(&job.status) {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never ended: {job:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn seatunnel_client_keeps_ids_above_2_53_exact_both_ways() {
    for numeric in [false, true] {
        let double = SeatunnelDouble::start_with(SeatunnelOptions {
            numeric_job_ids: numeric,
            ..SeatunnelOptions::default()
        });
        let rest = client(&double.url());
        let config = example("mysql-cdc-fanout-kafka-doris");
        let id = rest.submit(&config, "shop-cdc", None, false).await.unwrap();
        assert_eq!(id, FIRST_JOB_ID.to_string(), "numeric ids: {numeric}");
        // f64 would have made it ...688 or ...696: it is not representable.
        assert_ne!((FIRST_JOB_ID as f64) as u64, FIRST_JOB_ID);
        let job = rest.job_info(&id).await.unwrap().unwrap();
        assert_eq!(
            (job.job_id.as_str(), job.status.as_str()),
            (id.as_str(), "RUNNING")
        );
        assert_eq!(job.job_name.as_deref(), Some("shop-cdc"));
        assert!(job.create_time.is_some());
        let running = rest.running_jobs().await.unwrap();
        assert_eq!(
            running
                .iter()
                .map(|j| j.job_id.as_str())
                .collect::<Vec<_>>(),
            [id.as_str()]
        );
        rest.stop(&id, false).await.unwrap();
        // The id reached /stop-job as the JSON integer it is.
        let stop = double
            .requests()
            .into_iter()
            .find(|r| r.path == "/stop-job")
            .unwrap();
        let body: Json = serde_json::from_str(&stop.body).unwrap();
        assert_eq!(body["jobId"].as_u64(), Some(FIRST_JOB_ID), "{}", stop.body);
        assert!(
            stop.body.contains(&format!("\"jobId\":{FIRST_JOB_ID}")),
            "{}",
            stop.body
        );
        assert_eq!(body["isStopWithSavePoint"], false);
        let ended = until_terminal(&rest, &id).await;
        assert_eq!(ended.status, "CANCELED");
        assert!(ended.finished_time.is_some());
        let canceled = rest.finished_jobs(Some("CANCELED")).await.unwrap();
        assert_eq!(canceled[0].job_id, id);
        assert!(
            rest.finished_jobs(Some("FINISHED"))
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn seatunnel_client_stops_with_a_savepoint_and_restores_the_job_under_its_id() {
    let double = SeatunnelDouble::start();
    let rest = client(&double.url());
    let config = example("mysql-cdc-fanout-kafka-doris");
    let id = rest.submit(&config, "shop-cdc", None, false).await.unwrap();
    rest.stop(&id, true).await.unwrap();
    let stopped = until_terminal(&rest, &id).await;
    assert_eq!(stopped.status, "SAVEPOINT_DONE");
    let again = rest
        .submit(&config, "shop-cdc", Some(&id), true)
        .await
        .unwrap();
    assert_eq!(again, id);
    let submissions = double.submissions();
    assert_eq!(submissions.len(), 2);
    assert!(
        submissions[1].start_with_savepoint && submissions[1].restored,
        "{submissions:?}"
    );
    assert!(double.requests().iter().any(|r| r.path == "/submit-job"
        && r.query.contains(&format!("jobId={id}"))
        && r.query.contains("isStartWithSavePoint=true")
        && r.query.contains("jobName=shop-cdc")));
    assert_eq!(rest.job_info(&id).await.unwrap().unwrap().status, "RUNNING");
    // A restore names the job it restores, checked before any request.
    let requests = double.requests().len();
    let err = rest.submit(&config, "x", None, true).await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
    assert_eq!(double.requests().len(), requests);
}

#[tokio::test]
async fn seatunnel_client_reports_batch_ends_failures_and_unknown_jobs() {
    let double = SeatunnelDouble::start_with(SeatunnelOptions {
        batch_duration: Duration::from_millis(100),
        ..SeatunnelOptions::default()
    });
    let rest = client(&double.url());
    let id = rest
        .submit(&example("jdbc-batch-copy"), "copy", None, false)
        .await
        .unwrap();
    let done = until_terminal(&rest, &id).await;
    assert_eq!(done.status, "FINISHED");
    assert!(done.source_received.is_some_and(|n| n > 0), "{done:?}");
    assert_eq!(done.sink_written, done.source_received);
    assert_eq!(done.error, None);
    let id = rest
        .submit(&example("mysql-cdc-fanout-kafka-doris"), "cdc", None, false)
        .await
        .unwrap();
    assert!(double.fail(
        id.parse().unwrap(),
        "org.apache.kafka.common.errors.TimeoutException: Topic cdc.shop.orders not present"
    ));
    let failed = rest.job_info(&id).await.unwrap().unwrap();
    assert_eq!(failed.status, "FAILED");
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("TimeoutException")),
        "{failed:?}"
    );
    // A job Zeta never had, or whose history expired: only its id comes back.
    assert_eq!(rest.job_info("733584788375666690").await.unwrap(), None);
    // Not a long: refused before a request.
    let err = rest.job_info("12; DROP").await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
    let err = rest.stop("7.3e17", false).await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
    let err = rest.finished_jobs(Some("RUNNING")).await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
}

#[tokio::test]
async fn seatunnel_client_errors_carry_zetas_message_a_sqlstate_and_the_address() {
    let double = SeatunnelDouble::start();
    let rest = client(&double.url());
    // A config the engine refuses: a 500 with Zeta's message.
    let mut config = example("jdbc-batch-copy");
    config["sink"][0].as_object_mut().unwrap().remove("driver");
    let err = rest.submit(&config, "copy", None, false).await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::SYSTEM_ERROR);
    assert_eq!(
        err.message,
        "SeaTunnel: OptionValidationException: ErrorCode:[API-02], ErrorDescription:[Option item validate failed] - There are unconfigured options, the options('driver') are required."
    );
    let detail = err.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("POST /submit-job at http://127.0.0.1:")
            && detail.ends_with("HTTP 500 Internal Server Error"),
        "{detail}"
    );
    // A request Zeta finds invalid: a 400.
    config = example("jdbc-batch-copy");
    config["env"]["job.mode"] = json!("SOMETIMES");
    let err = rest.submit(&config, "copy", None, false).await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
    assert!(
        err.message
            .starts_with("SeaTunnel: IllegalArgumentException: "),
        "{}",
        err.message
    );
    // Nothing listens: 08001 naming the address.
    let port = services::closed_port();
    let down = client(&format!("http://127.0.0.1:{port}"));
    let err = down.overview().await.unwrap_err();
    assert_eq!(
        err.sqlstate,
        SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION
    );
    assert!(
        err.message.starts_with(&format!(
            "cannot reach the SeaTunnel cluster at http://127.0.0.1:{port}: "
        )),
        "{}",
        err.message
    );
    // Too slow: 08006 saying how long it waited.
    let slow = SeatunnelDouble::start_with(SeatunnelOptions {
        answer_delay: Duration::from_millis(800),
        ..SeatunnelOptions::default()
    });
    let impatient = SeatunnelRest::new(&slow.url(), Duration::from_millis(200)).unwrap();
    let err = impatient.overview().await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::CONNECTION_FAILURE);
    assert!(
        err.message.contains("did not answer within 200ms"),
        "{}",
        err.message
    );
    // Not a SeaTunnel REST API at all.
    let err = SeatunnelRest::new("http://127.0.0.1:1/x?y", Duration::from_secs(1)).unwrap_err();
    assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
}

#[tokio::test]
async fn seatunnel_client_keeps_the_context_path() {
    let double = SeatunnelDouble::start_with(SeatunnelOptions {
        context_path: "/seatunnel".into(),
        ..SeatunnelOptions::default()
    });
    let rest = client(&format!("{}/", double.url()));
    let overview = rest.overview().await.unwrap();
    assert_eq!(overview["projectVersion"], "2.3.12");
    let id = rest
        .submit(&example("jdbc-batch-copy"), "copy", None, false)
        .await
        .unwrap();
    assert_eq!(rest.job_info(&id).await.unwrap().unwrap().job_id, id);
    rest.stop(&id, false).await.unwrap();
    assert!(
        double
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/seatunnel"))
    );
    // Without the context path, Jetty's 404: said plainly, with the remedy.
    let root = client(double.url().trim_end_matches("/seatunnel"));
    let err = root.overview().await.unwrap_err();
    assert_eq!(err.sqlstate, SqlState::PROTOCOL_VIOLATION);
    assert!(
        err.message.ends_with("has no /overview (HTTP 404)"),
        "{}",
        err.message
    );
    assert!(
        err.hint
            .as_deref()
            .is_some_and(|h| h.contains("context-path"))
    );
}

/// The SQLSTATE and message of a failed statement.
async fn failure(client: &tokio_postgres::Client, sql: &str) -> (String, String) {
    let err = client.simple_query(sql).await.unwrap_err();
    let db = err.as_db_error().unwrap_or_else(|| panic!("{sql}: {err}"));
    (db.code().code().to_string(), db.message().to_string())
}

/// Every row of `sql`, as text (`NULL` for null).
async fn texts(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<String>> {
    crate::support::text_rows(&client.simple_query(sql).await.unwrap())
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|v| v.unwrap_or_else(|| "NULL".into()))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn seatunnel_clusters_are_created_listed_described_tested_and_dropped_over_pgwire() {
    let double = SeatunnelDouble::start_with(SeatunnelOptions {
        context_path: "/seatunnel".into(),
        ..SeatunnelOptions::default()
    });
    let gateway = Gateway::start();
    let (client, notices) = gateway.client_with_notices().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER zeta TYPE SEATUNNEL WITH ('rest.address' = '{}/')",
            double.url()
        ))
        .await
        .unwrap();
    // Like REMOTE, CREATE does not ask the cluster.
    assert!(double.requests().is_empty());
    let shown = texts(&client, "SHOW CLUSTERS").await;
    assert_eq!(
        &shown[0][..4],
        ["zeta", "SEATUNNEL", double.url().as_str(), "f"]
    );
    let described = texts(&client, "DESCRIBE CLUSTER zeta").await;
    let find = |option: &str| {
        described
            .iter()
            .find(|r| r[1] == option)
            .cloned()
            .unwrap_or_else(|| panic!("{option}: {described:?}"))
    };
    assert_eq!(find("type")[2], "SEATUNNEL");
    assert_eq!(
        find("rest.address"),
        ["basic", "rest.address", double.url().as_str(), "set"]
    );
    assert_eq!(
        find("rest.timeout"),
        ["timeouts", "rest.timeout", "30 s", "default"]
    );

    let row = &client.query("TEST CLUSTER zeta", &[]).await.unwrap()[0];
    assert!(
        row.get::<_, bool>("reachable"),
        "{:?}",
        row.get::<_, Option<String>>("error")
    );
    assert_eq!(
        row.get::<_, Option<String>>("seatunnel_version").as_deref(),
        Some("2.3.12")
    );
    assert_eq!(row.get::<_, Option<String>>("flink_version"), None);
    assert_eq!(row.get::<_, i32>("taskmanagers"), 2);
    assert_eq!(
        (
            row.get::<_, i32>("slots_total"),
            row.get::<_, i32>("slots_free")
        ),
        (8, 8)
    );
    assert_eq!(row.get::<_, i32>("jobs_running"), 0);
    assert_eq!(double.requests().last().unwrap().path, "/overview");

    // Options are checked against catalogs/clusters/seatunnel.toml.
    let (code, message) = failure(
        &client,
        "CREATE CLUSTER z2 TYPE SEATUNNEL WITH ('rest.adress' = 'http://h:8080')",
    )
    .await;
    assert_eq!(code, "22023");
    assert_eq!(
        message,
        "\"rest.adress\" is not an option of cluster type SEATUNNEL: did you mean rest.address?"
    );
    let (code, message) = failure(&client, "CREATE CLUSTER z2 TYPE SEATUNNEL").await;
    assert_eq!(code, "22023");
    assert!(
        message.contains("missing required option: rest.address"),
        "{message}"
    );
    let (code, _) = failure(&client, "CREATE CLUSTER z2 TYPE SEATUNNEL WITH ('rest.address' = 'http://h:8080', 'flink.parallelism.default' = '2')").await;
    assert_eq!(code, "22023");

    // SeaTunnel clusters run syncs: a Flink job is refused, whichever way it names the cluster.
    let (code, message) = failure(
        &client,
        "CREATE JOB copy ON CLUSTER zeta AS INSERT INTO sink SELECT 1",
    )
    .await;
    assert_eq!(code, "42809");
    assert_eq!(
        message,
        "cluster \"zeta\" is a SEATUNNEL cluster: it runs syncs (ENGINE SEATUNNEL), not Flink jobs"
    );
    // SHOW JOBS does not ask a SeaTunnel cluster for Flink jobs.
    let asked = double.requests().len();
    assert!(texts(&client, "SHOW JOBS").await.is_empty());
    assert_eq!(double.requests().len(), asked);
    assert!(
        notices
            .lock()
            .unwrap()
            .iter()
            .all(|n| !n.contains("did not list")),
        "{:?}",
        notices.lock().unwrap()
    );

    // ALTER, SHOW CREATE (which runs again), an unreachable cluster, DROP.
    client
        .batch_execute("ALTER CLUSTER zeta SET ('rest.timeout' = '2 s')")
        .await
        .unwrap();
    let sql: String = client.query("SHOW CREATE CLUSTER zeta", &[]).await.unwrap()[0].get(0);
    assert_eq!(
        sql,
        format!(
            "CREATE CLUSTER zeta TYPE SEATUNNEL WITH ('rest.address' = '{}', 'rest.timeout' = '2 s')",
            double.url()
        )
    );
    client.batch_execute("DROP CLUSTER zeta").await.unwrap();
    client.batch_execute(&sql).await.unwrap();
    let port = services::closed_port();
    client
        .batch_execute(&format!(
            "ALTER CLUSTER zeta SET ('rest.address' = 'http://127.0.0.1:{port}')"
        ))
        .await
        .unwrap();
    let row = &client.query("TEST CLUSTER zeta", &[]).await.unwrap()[0];
    assert!(!row.get::<_, bool>("reachable"));
    let error: String = row.get("error");
    assert!(
        error.starts_with(&format!(
            "cannot reach the SeaTunnel cluster at http://127.0.0.1:{port}: "
        )),
        "{error}"
    );
    client.batch_execute("DROP CLUSTER zeta").await.unwrap();
    assert!(texts(&client, "SHOW CLUSTERS").await.is_empty());
}

#[test]
fn seatunnel_cluster_is_refused_as_the_default_cluster_of_a_job() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scaleph.toml");
    std::fs::write(&config, "[jobs]\ndefault_cluster = \"zeta\"\n").unwrap();
    let config = config.display().to_string();
    let gateway = Gateway::start_with(dir.path().join("data"), None, &["--config", &config]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = gateway.client().await;
        client
            .batch_execute("CREATE CLUSTER zeta TYPE SEATUNNEL WITH ('rest.address' = 'http://127.0.0.1:8080')")
            .await
            .unwrap();
        let (code, message) = failure(&client, "CREATE JOB copy AS INSERT INTO sink SELECT 1").await;
        assert_eq!(code, "42809", "{message}");
        assert!(message.contains("not Flink jobs"), "{message}");
    });
}
