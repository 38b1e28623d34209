//! The SeaTunnel double itself, checked over HTTP against its contract
//! (`docs/seatunnel-rest.md`): the reference examples are accepted and
//! run as §4 and §9 say; each one broken one way is refused with the
//! engine's wording; the lifecycle (BATCH ends FINISHED, STREAMING runs
//! until stopped, savepoint and restore, failure) holds. The client's
//! tests (`tests/seatunnel.rs`) rely on all of this.

use std::time::Duration;

use serde_json::{Value as Json, json};

use crate::support::seatunnel::{FIRST_JOB_ID, PluginType, SeatunnelDouble, SeatunnelOptions};

/// The reference examples, as the repository carries them.
fn example(name: &str) -> Json {
    let path = format!(
        "{}/tests/support/seatunnel/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn jdbc_copy() -> Json {
    example("jdbc-batch-copy")
}

fn cdc_fanout() -> Json {
    example("mysql-cdc-fanout-kafka-doris")
}

/// One call: the HTTP status and the JSON answer.
async fn call(
    double: &SeatunnelDouble,
    method: &str,
    path: &str,
    body: Option<&Json>,
) -> (u16, Json) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", double.url());
    let request = match method {
        "GET" => client.get(url),
        _ => client.post(url),
    };
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

async fn submit(double: &SeatunnelDouble, query: &str, config: &Json) -> (u16, Json) {
    call(double, "POST", &format!("/submit-job{query}"), Some(config)).await
}

/// The `message` of a refusal, checking its shape and status.
async fn refused(double: &SeatunnelDouble, config: &Json, status: u16) -> String {
    let (code, body) = submit(double, "", config).await;
    assert_eq!(code, status, "{body}");
    assert_eq!(body["status"], "fail", "{body}");
    body["message"].as_str().unwrap().to_string()
}

async fn job_status(double: &SeatunnelDouble, id: &str) -> Json {
    call(double, "GET", &format!("/job-info/{id}"), None)
        .await
        .1
}

/// Polls `/job-info/:id` until its jobStatus is `status`.
async fn until_status(double: &SeatunnelDouble, id: &str, status: &str) -> Json {
    let started = std::time::Instant::now();
    loop {
        let info = job_status(double, id).await;
        if info["jobStatus"] == status {
            return info;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never {status}: {info}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn without(mut config: Json, block: &str, index: usize, key: &str) -> Json {
    config[block][index].as_object_mut().unwrap().remove(key);
    config
}

fn with(mut config: Json, block: &str, index: usize, key: &str, value: Json) -> Json {
    config[block][index][key] = value;
    config
}

#[tokio::test]
async fn seatunnel_double_runs_the_jdbc_example_to_finished_as_section_9_2_says() {
    let double = SeatunnelDouble::start();
    let (status, answer) = submit(&double, "?jobName=copy-shop-orders", &jdbc_copy()).await;
    assert_eq!(status, 200, "{answer}");
    // §2: the id is a long above 2^53, written as a string.
    assert_eq!(answer["jobId"], json!(FIRST_JOB_ID.to_string()));
    assert_eq!(answer["jobName"], "copy-shop-orders");
    let id = answer["jobId"].as_str().unwrap();
    let running = job_status(&double, id).await;
    assert_eq!(running["jobStatus"], "RUNNING", "{running}");
    assert_eq!(running["envOptions"]["job.mode"], "BATCH");
    assert_eq!(running["isStartWithSavePoint"], false);
    let finished = until_status(&double, id, "FINISHED").await;
    assert!(
        finished["finishedTime"]
            .as_str()
            .is_some_and(|t| t.len() == 19),
        "{finished}"
    );
    assert_eq!(finished["errorMsg"], Json::Null);
    let rows: u64 = finished["metrics"]["SourceReceivedCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rows > 0, "{finished}");
    let (_, listed) = call(&double, "GET", "/finished-jobs/FINISHED", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        call(&double, "GET", "/finished-jobs/FAILED", None).await.1,
        json!([])
    );
    // Without ?jobName the config's env.job.name names it.
    let (_, second) = submit(&double, "", &jdbc_copy()).await;
    assert_eq!(second["jobName"], "copy-shop-orders");
    assert_ne!(second["jobId"], answer["jobId"]);
}

#[tokio::test]
async fn seatunnel_double_runs_the_cdc_fanout_until_stopped_and_restores_it_from_its_savepoint() {
    let double = SeatunnelDouble::start_with(SeatunnelOptions {
        batch_duration: Duration::from_millis(50),
        ..SeatunnelOptions::default()
    });
    let (status, answer) = submit(&double, "?jobName=shop-cdc", &cdc_fanout()).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["jobId"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(job_status(&double, &id).await["jobStatus"], "RUNNING");
    let (_, running) = call(&double, "GET", "/running-jobs", None).await;
    assert_eq!(running[0]["jobId"], json!(id));
    // §4: a stop with a savepoint ends SAVEPOINT_DONE, the id sent as the integer.
    let stop = format!("{{\"jobId\": {id}, \"isStopWithSavePoint\": true}}");
    let (status, stopped) = call(
        &double,
        "POST",
        "/stop-job",
        Some(&serde_json::from_str(&stop).unwrap()),
    )
    .await;
    assert_eq!((status, stopped), (200, json!({ "jobId": id })));
    until_status(&double, &id, "SAVEPOINT_DONE").await;
    assert!(double.has_savepoint(id.parse().unwrap()));
    // Restoring needs the id (§4).
    let (status, refusal) = submit(&double, "?isStartWithSavePoint=true", &cdc_fanout()).await;
    assert_eq!(status, 400);
    assert_eq!(
        refusal["message"],
        "IllegalArgumentException: Please provide jobId when start with save point."
    );
    // The same id without a savepoint: the engine refuses to reuse it.
    let (status, refusal) = submit(&double, &format!("?jobId={id}"), &cdc_fanout()).await;
    assert_eq!(status, 500, "{refusal}");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("is not starting with a savepoint")
    );
    let (status, restored) = submit(
        &double,
        &format!("?jobId={id}&isStartWithSavePoint=true&jobName=shop-cdc"),
        &cdc_fanout(),
    )
    .await;
    assert_eq!((status, &restored["jobId"]), (200, &json!(id)));
    let info = job_status(&double, &id).await;
    assert_eq!(
        (
            info["jobStatus"].as_str(),
            info["isStartWithSavePoint"].as_bool()
        ),
        (Some("RUNNING"), Some(true))
    );
    let submissions = double.submissions();
    assert_eq!(submissions.len(), 2);
    assert!(
        !submissions[0].restored && submissions[1].restored && submissions[1].start_with_savepoint
    );
    // A stop without a savepoint cancels; a second stop changes nothing.
    let body = json!({ "jobId": id, "isStopWithSavePoint": false });
    assert_eq!(call(&double, "POST", "/stop-job", Some(&body)).await.0, 200);
    until_status(&double, &id, "CANCELED").await;
    assert_eq!(call(&double, "POST", "/stop-job", Some(&body)).await.0, 200);
    assert_eq!(job_status(&double, &id).await["jobStatus"], "CANCELED");
    assert!(!double.has_savepoint(id.parse().unwrap()));
}

#[tokio::test]
async fn seatunnel_double_answers_unknown_jobs_failures_and_bad_requests_as_zeta_does() {
    let double = SeatunnelDouble::start();
    // §4: an unknown (or expired) job is only its id.
    assert_eq!(job_status(&double, "42").await, json!({ "jobId": "42" }));
    let (status, body) = call(&double, "GET", "/job-info/abc", None).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "NumberFormatException: For input string: \"abc\""
    );
    // A stop of a job that does not run is taken, and changes nothing.
    let (status, body) = call(&double, "POST", "/stop-job", Some(&json!({"jobId": 42}))).await;
    assert_eq!((status, body), (200, json!({ "jobId": "42" })));
    let (status, body) = call(
        &double,
        "POST",
        "/stop-job",
        Some(&json!({"isStopWithSavePoint": true})),
    )
    .await;
    assert_eq!(
        (status, &body["message"]),
        (
            400,
            &json!("IllegalArgumentException: jobId cannot be empty.")
        )
    );
    // A float id is what Jackson cannot read back as a long.
    let (status, body) = call(
        &double,
        "POST",
        "/stop-job",
        Some(&json!({"jobId": FIRST_JOB_ID as f64})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (_, answer) = submit(&double, "", &cdc_fanout()).await;
    let id = answer["jobId"].as_str().unwrap();
    assert!(double.fail(
        id.parse().unwrap(),
        "java.sql.SQLException: Access denied for user 'st_user'"
    ));
    let failed = job_status(&double, id).await;
    assert_eq!(failed["jobStatus"], "FAILED");
    assert_eq!(
        failed["errorMsg"],
        "java.sql.SQLException: Access denied for user 'st_user'"
    );
    assert!(!double.fail(id.parse().unwrap(), "again"));
    let (_, overview) = call(&double, "GET", "/overview", None).await;
    assert_eq!(overview["projectVersion"], "2.3.12");
    assert_eq!(
        (overview["works"].as_str(), overview["totalSlot"].as_str()),
        (Some("2"), Some("8"))
    );
    assert_eq!(overview["failedJobs"], "1");
    // Every request was recorded, the stop body as sent.
    assert!(
        double
            .requests()
            .iter()
            .any(|r| r.path == "/stop-job" && r.body == "{\"jobId\":42}")
    );
}

#[tokio::test]
async fn seatunnel_double_refuses_configs_the_engine_refuses_with_its_wording() {
    let double = SeatunnelDouble::start();
    let required = "OptionValidationException: ErrorCode:[API-02], ErrorDescription:[Option item validate failed] - There are unconfigured options, the options";
    // Blocks (§6).
    let mut no_env = jdbc_copy();
    no_env.as_object_mut().unwrap().remove("env");
    assert_eq!(
        refused(&double, &no_env, 500).await,
        "ConfigException.Missing: No configuration setting found for key 'env'"
    );
    let mut no_sink = jdbc_copy();
    no_sink["sink"] = json!([]);
    assert_eq!(
        refused(&double, &no_sink, 500).await,
        "JobDefineCheckException: Source And Sink can not be null"
    );
    let mut bad_mode = jdbc_copy();
    bad_mode["env"]["job.mode"] = json!("MICRO_BATCH");
    assert!(
        refused(&double, &bad_mode, 400)
            .await
            .contains("JobMode.MICRO_BATCH")
    );
    // §1, §7: a CDC source never ends, so a BATCH job cannot have it.
    let mut batch_cdc = cdc_fanout();
    batch_cdc["env"]["job.mode"] = json!("BATCH");
    assert_eq!(
        refused(&double, &batch_cdc, 500).await,
        "UnsupportedOperationException: 'MySQL-CDC' source don't support off-line job."
    );
    // A plugin the cluster has no connector for.
    let hudi = with(jdbc_copy(), "sink", 0, "plugin_name", json!("Hudi"));
    assert_eq!(
        refused(&double, &hudi, 500).await,
        "RuntimeException: Plugin PluginIdentifier{engineType='seatunnel', pluginType='sink', pluginName='Hudi'} not found."
    );
    // §3/§7: every required key of every known plugin of the examples.
    for (config, block, index, key) in [
        (jdbc_copy(), "source", 0, "url"),
        (jdbc_copy(), "source", 0, "driver"),
        (jdbc_copy(), "sink", 0, "url"),
        (jdbc_copy(), "sink", 0, "driver"),
        (cdc_fanout(), "source", 0, "base-url"),
        (cdc_fanout(), "source", 0, "username"),
        (cdc_fanout(), "source", 0, "password"),
        (cdc_fanout(), "sink", 0, "topic"),
        (cdc_fanout(), "sink", 0, "bootstrap.servers"),
        (cdc_fanout(), "sink", 1, "fenodes"),
        (cdc_fanout(), "sink", 1, "username"),
        (cdc_fanout(), "sink", 1, "password"),
        (cdc_fanout(), "sink", 1, "sink.label-prefix"),
        (cdc_fanout(), "sink", 1, "doris.config"),
    ] {
        let message = refused(&double, &without(config, block, index, key), 500).await;
        assert_eq!(
            message,
            format!("{required}('{key}') are required."),
            "{key}"
        );
    }
    // Conditional and exclusive rules.
    let message = refused(&double, &without(jdbc_copy(), "sink", 0, "table"), 500).await;
    assert!(
        message.ends_with(
            "the options('table') are required because ['generate_sink_sql' == true] is true."
        ),
        "{message}"
    );
    let message = refused(
        &double,
        &without(jdbc_copy(), "sink", 0, "generate_sink_sql"),
        500,
    )
    .await;
    assert!(
        message.contains("the options('query') are required"),
        "{message}"
    );
    let message = refused(
        &double,
        &without(cdc_fanout(), "source", 0, "table-names"),
        500,
    )
    .await;
    assert!(
        message.contains("these options('table-names', 'table-pattern') are mutually exclusive"),
        "{message}"
    );
    let both = with(
        cdc_fanout(),
        "source",
        0,
        "table-pattern",
        json!("shop\\.order_.*"),
    );
    assert!(
        refused(&double, &both, 500)
            .await
            .contains("These options('table-names', 'table-pattern') are mutually exclusive")
    );
    let no_db = with(cdc_fanout(), "source", 0, "table-names", json!(["orders"]));
    assert!(
        refused(&double, &no_db, 400)
            .await
            .contains("must be database.table")
    );
    let flink_mode = with(
        cdc_fanout(),
        "source",
        0,
        "startup.mode",
        json!("earliest-offset"),
    );
    assert!(refused(&double, &flink_mode, 500).await.contains(
        "These options('startup.mode') are SingleChoiceOption, the value(earliest-offset)"
    ));
    let plain = with(cdc_fanout(), "sink", 0, "semantics", json!("ONCE"));
    assert!(refused(&double, &plain, 500).await.contains("'semantics'"));
    let save = with(
        jdbc_copy(),
        "sink",
        0,
        "data_save_mode",
        json!("CUSTOM_PROCESSING"),
    );
    assert!(
        refused(&double, &save, 500)
            .await
            .contains("the options('custom_sql') are required")
    );
    // A key no option of the plugin reads: the double is stricter (§8).
    let typo = with(cdc_fanout(), "sink", 1, "sink.label-prefx", json!("x"));
    let message = refused(&double, &typo, 500).await;
    assert!(
        message.contains("The options('sink.label-prefx') are not options of the Doris sink"),
        "{message}"
    );
    let newer = with(
        cdc_fanout(),
        "source",
        0,
        "url",
        json!("jdbc:mysql://h/shop"),
    );
    assert!(
        refused(&double, &newer, 500)
            .await
            .contains("('url') are not options of the MySQL-CDC source")
    );
}

#[tokio::test]
async fn seatunnel_double_checks_the_wiring_as_section_6_says() {
    let double = SeatunnelDouble::start();
    // Fan-out: both sinks must name the source's output.
    let message = refused(
        &double,
        &without(cdc_fanout(), "sink", 1, "plugin_input"),
        500,
    )
    .await;
    assert_eq!(
        message,
        "JobDefineCheckException: The transform/sink(Doris) is not configured with 'plugin_input' option"
    );
    let message = refused(
        &double,
        &without(cdc_fanout(), "source", 0, "plugin_output"),
        500,
    )
    .await;
    assert_eq!(
        message,
        "JobDefineCheckException: The source/transform(MySQL-CDC) is not configured with 'plugin_output' option"
    );
    let wrong = with(cdc_fanout(), "sink", 0, "plugin_input", json!("cdc2"));
    assert_eq!(
        refused(&double, &wrong, 500).await,
        "JobDefineCheckException: The 'plugin_input' option configured in [Kafka] is incorrect, and the source/transform[cdc2] is not found."
    );
    // Two sources: each sink says which it reads, and every output is read.
    let mut two = jdbc_copy();
    let second = with(
        jdbc_copy(),
        "source",
        0,
        "plugin_output",
        json!("items_src"),
    )["source"][0]
        .clone();
    two["source"].as_array_mut().unwrap().push(second);
    let message = refused(&double, &two, 500).await;
    assert_eq!(
        message,
        "JobDefineCheckException: The 'plugin_input' option configured is incorrect, this table(items_src) belonging to source/transform(Jdbc) is not used."
    );
    let sink = with(jdbc_copy(), "sink", 0, "plugin_input", json!("items_src"))["sink"][0].clone();
    two["sink"].as_array_mut().unwrap().push(sink);
    assert_eq!(submit(&double, "", &two).await.0, 200);
    let duplicate = with(
        two.clone(),
        "source",
        1,
        "plugin_output",
        json!("orders_src"),
    );
    assert!(
        refused(&double, &duplicate, 500)
            .await
            .contains("is both 'orders_src', and they must be different.")
    );
    // A one-source one-sink job: a mismatched name (the engine logs it,
    // the double refuses it); no names at all is fine.
    let mismatched = with(jdbc_copy(), "sink", 0, "plugin_input", json!(["other"]));
    assert!(
        refused(&double, &mismatched, 500)
            .await
            .contains("source/transform[other] is not found")
    );
    let unnamed = without(
        without(jdbc_copy(), "sink", 0, "plugin_input"),
        "source",
        0,
        "plugin_output",
    );
    assert_eq!(submit(&double, "", &unnamed).await.0, 200);
    // 2.3.8's names are the fallbacks of the new ones.
    let mut legacy = without(
        without(cdc_fanout(), "sink", 0, "plugin_input"),
        "sink",
        1,
        "plugin_input",
    );
    legacy["sink"][0]["source_table_name"] = json!("cdc");
    legacy["sink"][1]["source_table_name"] = json!(["cdc"]);
    assert_eq!(submit(&double, "", &legacy).await.0, 200);
}

#[tokio::test]
async fn seatunnel_double_reads_plugin_names_and_keys_as_seatunnel_resolves_them() {
    let double = SeatunnelDouble::start();
    // Plugin names are case-insensitive (FactoryUtil).
    let lower = with(jdbc_copy(), "source", 0, "plugin_name", json!("jdbc"));
    assert_eq!(submit(&double, "", &lower).await.0, 200);
    // Flat and nested dotted keys are one key; a map option takes either.
    let mut doris = cdc_fanout();
    let sink = doris["sink"][1].as_object_mut().unwrap();
    sink.remove("doris.config");
    sink.remove("sink.label-prefix");
    sink.insert("doris.config.format".into(), json!("json"));
    sink.insert("sink".into(), json!({"label-prefix": "shop_cdc"}));
    assert_eq!(submit(&double, "", &doris).await.0, 200, "{doris}");
    let kafka = with(
        cdc_fanout(),
        "sink",
        0,
        "kafka.config.linger.ms",
        json!("5"),
    );
    assert_eq!(submit(&double, "", &kafka).await.0, 200);
    // A plugin the double does not know can be allowed, unchecked.
    let hudi = with(jdbc_copy(), "sink", 0, "plugin_name", json!("Hudi"));
    double.allow_plugin(PluginType::Sink, "Hudi");
    assert_eq!(submit(&double, "", &hudi).await.0, 200);
    // Test plugins every SeaTunnel ships.
    let fake = json!({
        "env": {"job.mode": "STREAMING"},
        "source": [{"plugin_name": "FakeSource", "row.num": 10, "schema": {"fields": {"id": "bigint"}}}],
        "sink": [{"plugin_name": "Console"}]
    });
    assert_eq!(submit(&double, "", &fake).await.0, 200);
}

#[tokio::test]
async fn seatunnel_double_serves_under_its_context_path_only_and_writes_numeric_ids_when_asked() {
    let double = SeatunnelDouble::start_with(SeatunnelOptions {
        context_path: "/seatunnel".into(),
        numeric_job_ids: true,
        ..SeatunnelOptions::default()
    });
    assert!(double.url().ends_with("/seatunnel"));
    assert_eq!(call(&double, "GET", "/overview", None).await.0, 200);
    let root = double.url().trim_end_matches("/seatunnel").to_string();
    let status = reqwest::get(format!("{root}/overview"))
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 404);
    let (_, answer) = submit(&double, "", &jdbc_copy()).await;
    assert_eq!(answer["jobId"].as_u64(), Some(FIRST_JOB_ID));
    let info = job_status(&double, &FIRST_JOB_ID.to_string()).await;
    assert_eq!(info["jobId"].as_u64(), Some(FIRST_JOB_ID));
}
