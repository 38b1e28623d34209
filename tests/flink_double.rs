//! The Flink SQL Gateway test double (`support::flink_gateway`) against the
//! transcripts of `docs/flink-sql-gateway-examples.md`: bodies are
//! compared as text, handles and job ids substituted, so key order, omitted
//! keys and compactness are checked byte for byte.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::flink_gateway::{DoubleOptions, FlinkDouble};

/// The handles docs/flink-sql-gateway-examples.md uses.
const S: &str = "5e6f1c54-0a4e-4b8e-9a47-3c1f2a9d7b10";
const O1: &str = "b7a1d2c3-4e5f-4a6b-8c9d-0e1f2a3b4c5d";
const O2: &str = "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5";
const O4: &str = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7";
const O7: &str = "6b7c8d9e-af01-4c12-93d4-f5a6b7c8d9ea";
const UNKNOWN: &str = "00000000-0000-4000-8000-000000000000";

/// The verbatim root cause of docs/flink-sql-gateway-examples.md (e).
const CATALOG_PARSE_ERROR: &str = "org.apache.flink.sql.parser.impl.ParseException: Encountered \".\" at line 1, column 23.\nWas expecting one of:\n    <EOF> \n    \"WITH\" ...\n    \"COMMENT\" ...\n    \";\" ...";

/// One HTTP answer.
struct Reply {
    status: u16,
    body: String,
    content_type: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `errors` array of an error body.
    fn errors(&self) -> Vec<String> {
        serde_json::from_value(self.json()["errors"].clone()).expect("an errors array")
    }

    /// Flink's own extraction: after the last `Caused by: `, up to the first `\tat `.
    fn root_cause(&self) -> String {
        let trace = self.errors().last().cloned().unwrap_or_default();
        let tail = trace.rsplit("Caused by: ").next().unwrap_or_default();
        tail.split("\tat ")
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_string()
    }
}

/// An HTTP client for one double.
struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    fn new(double: &FlinkDouble) -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            base: double.url(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.expect("the double answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        let body = response.text().await.expect("a body");
        Reply {
            status,
            body,
            content_type,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    async fn post(&self, path: &str, body: &str) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    /// Opens a session on `/v3`.
    async fn open(&self) -> String {
        let reply = self.post("/v3/sessions", "{}").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["sessionHandle"]
            .as_str()
            .expect("a handle")
            .to_string()
    }

    /// Submits `sql`, returning the operation handle.
    async fn submit(&self, session: &str, sql: &str) -> String {
        let body = json!({ "statement": sql }).to_string();
        let reply = self
            .post(&format!("/v3/sessions/{session}/statements"), &body)
            .await;
        assert_eq!(reply.status, 200, "{sql}: {}", reply.body);
        reply.json()["operationHandle"]
            .as_str()
            .expect("a handle")
            .to_string()
    }

    async fn fetch(&self, session: &str, operation: &str, token: i64) -> Reply {
        self.get(&format!(
            "/v3/sessions/{session}/operations/{operation}/result/{token}?rowFormat=JSON"
        ))
        .await
    }

    /// Fetches token 0 until the answer is not NOT_READY.
    async fn ready(&self, session: &str, operation: &str) -> Reply {
        for _ in 0..20 {
            let reply = self.fetch(session, operation, 0).await;
            if reply.status != 200 || reply.json()["resultType"] != "NOT_READY" {
                return reply;
            }
        }
        panic!("operation {operation} never got ready");
    }

    /// Every page of a bounded result, following `nextResultUri` to EOS.
    async fn pages(&self, session: &str, operation: &str) -> Vec<Value> {
        let mut page = self.ready(session, operation).await;
        let mut pages = Vec::new();
        for _ in 0..100 {
            assert_eq!(page.status, 200, "{}", page.body);
            let json = page.json();
            let next = json
                .get("nextResultUri")
                .and_then(Value::as_str)
                .map(str::to_string);
            pages.push(json);
            match next {
                Some(uri) => page = self.get(&uri).await,
                None => return pages,
            }
        }
        panic!("no EOS after 100 pages");
    }

    /// The rows (`fields` arrays) of a bounded result.
    async fn rows(&self, session: &str, sql: &str) -> Vec<Value> {
        let operation = self.submit(session, sql).await;
        let pages = self.pages(session, &operation).await;
        assert_eq!(pages.last().expect("pages")["resultType"], "EOS");
        pages
            .iter()
            .flat_map(|p| p["results"]["data"].as_array().cloned().unwrap_or_default())
            .map(|row| row["fields"].clone())
            .collect()
    }

    /// Runs `sql` expecting a single `OK`.
    async fn ok(&self, session: &str, sql: &str) {
        assert_eq!(self.rows(session, sql).await, vec![json!(["OK"])], "{sql}");
    }

    /// Runs `sql` expecting it to fail; the fetch reply.
    async fn failure(&self, session: &str, sql: &str) -> Reply {
        let operation = self.submit(session, sql).await;
        let reply = self.ready(session, &operation).await;
        assert_eq!(reply.status, 500, "{sql} should fail: {}", reply.body);
        reply
    }
}

/// `text` with each actual id replaced by the transcript's.
fn anonymize(text: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().fold(text.to_string(), |t, (actual, shown)| {
        t.replace(actual, shown)
    })
}

fn options(f: impl FnOnce(&mut DoubleOptions)) -> DoubleOptions {
    let mut options = DoubleOptions::default();
    f(&mut options);
    options
}

#[tokio::test]
async fn handshake_and_session_follow_the_transcript() {
    let double = FlinkDouble::start_with(DoubleOptions::flink("1.20.0"));
    let c = Client::new(&double);
    let versions = c.get("/v1/api_versions").await;
    assert_eq!(
        (versions.status, versions.body.as_str()),
        (200, r#"{"versions":["V1","V2","V3"]}"#)
    );
    assert_eq!(versions.content_type, "application/json; charset=UTF-8");
    assert_eq!(
        c.get("/v3/info").await.body,
        r#"{"productName":"Apache Flink","version":"1.20.0"}"#
    );

    let opened = c
        .post(
            "/v3/sessions",
            r#"{"sessionName":"scaleph-demo","properties":{"execution.runtime-mode":"streaming","table.local-time-zone":"UTC"}}"#,
        )
        .await;
    let s = opened.json()["sessionHandle"].as_str().unwrap().to_string();
    assert_eq!(
        anonymize(&opened.body, &[(&s, S)]),
        format!(r#"{{"sessionHandle":"{S}"}}"#)
    );
    assert_eq!(s.len(), 36);
    assert_eq!(&s[14..15], "4", "a version 4 UUID: {s}");
    assert_eq!(
        c.get(&format!("/v3/sessions/{s}")).await.body,
        r#"{"properties":{"execution.runtime-mode":"streaming","execution.target":"remote","jobmanager.rpc.address":"localhost","rest.port":"8081","table.local-time-zone":"UTC"}}"#
    );
    assert_eq!(
        c.post(&format!("/v3/sessions/{s}/heartbeat"), "")
            .await
            .body,
        "{}"
    );
    let configured = c
        .post(
            &format!("/v3/sessions/{s}/configure-session"),
            r#"{"statement":"SET 'parallelism.default' = '2'"}"#,
        )
        .await;
    assert_eq!((configured.status, configured.body.as_str()), (200, "{}"));
    assert_eq!(
        double.session_properties(&s).unwrap()["parallelism.default"],
        "2"
    );
    let completed = c
        .send(
            "GET",
            &format!("/v3/sessions/{s}/complete-statement"),
            Some(r#"{"statement":"CREATE TA","position":9}"#),
        )
        .await;
    assert_eq!(completed.body, r#"{"candidates":["TABLE"]}"#);
    assert_eq!(double.live_sessions(), 1);

    assert_eq!(
        c.delete(&format!("/v3/sessions/{s}")).await.body,
        r#"{"status":"CLOSED"}"#
    );
    assert_eq!(double.live_sessions(), 0);
    assert_eq!(double.session_properties(&s), None);
}

#[tokio::test]
async fn select_one_follows_the_transcript() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    let o = c.submit(&s, "SELECT 1").await;
    let base = format!("/v3/sessions/{s}/operations/{o}");
    assert_eq!(
        c.get(&format!("{base}/status")).await.body,
        r#"{"status":"RUNNING"}"#
    );

    let not_ready = c.fetch(&s, &o, 0).await;
    let ids = |body: &str, job: &str| {
        anonymize(
            body,
            &[(&s, S), (&o, O1), (job, "8d3f2a1b4c5e6f708192a3b4c5d6e7f8")],
        )
    };
    assert_eq!(
        ids(&not_ready.body, "no job yet"),
        format!(
            r#"{{"resultType":"NOT_READY","nextResultUri":"/v3/sessions/{S}/operations/{O1}/result/0?rowFormat=JSON"}}"#
        )
    );
    assert_eq!(
        c.get(&format!("{base}/status")).await.body,
        r#"{"status":"FINISHED"}"#
    );

    let first = c.fetch(&s, &o, 0).await;
    let job = first.json()["jobID"].as_str().unwrap().to_string();
    assert_eq!(job.len(), 32);
    assert!(
        job.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{job}"
    );
    let columns =
        r#"[{"name":"EXPR$0","logicalType":{"type":"INTEGER","nullable":false},"comment":null}]"#;
    let page = |kind: &str, data: &str, next: Option<u32>| {
        let next = next
            .map(|n| format!(r#","nextResultUri":"/v3/sessions/{S}/operations/{O1}/result/{n}?rowFormat=JSON""#))
            .unwrap_or_default();
        format!(
            r#"{{"resultType":"{kind}","isQueryResult":true,"jobID":"8d3f2a1b4c5e6f708192a3b4c5d6e7f8","resultKind":"SUCCESS_WITH_CONTENT","results":{{"columns":{columns},"rowFormat":"JSON","data":{data}}}{next}}}"#
        )
    };
    assert_eq!(ids(&first.body, &job), page("PAYLOAD", "[]", Some(1)));
    assert_eq!(
        ids(&c.fetch(&s, &o, 1).await.body, &job),
        page("PAYLOAD", r#"[{"kind":"INSERT","fields":[1]}]"#, Some(2))
    );

    let plain = c
        .get(&format!("{base}/result/1?rowFormat=PLAIN_TEXT"))
        .await;
    assert!(
        plain
            .body
            .contains(r#""rowFormat":"PLAIN_TEXT","data":[{"kind":"INSERT","fields":["1"]}]"#),
        "{}",
        plain.body
    );
    assert!(
        plain.body.ends_with(r#"/result/2?rowFormat=PLAIN_TEXT"}"#),
        "{}",
        plain.body
    );

    assert_eq!(
        ids(&c.fetch(&s, &o, 2).await.body, &job),
        page("EOS", "[]", None)
    );
    assert_eq!(
        ids(&c.fetch(&s, &o, 2).await.body, &job),
        page("EOS", "[]", None),
        "EOS repeats"
    );
    assert_eq!(double.jobs(), vec![(job, "FINISHED".to_string())]);
    assert_eq!(double.open_operations(), 1);
    assert_eq!(
        c.delete(&format!("{base}/close")).await.body,
        r#"{"status":"CLOSED"}"#
    );
    assert_eq!(double.open_operations(), 0);
}

#[tokio::test]
async fn create_table_and_set_follow_the_transcript() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    let o = c
        .submit(
            &s,
            "CREATE TABLE datagen_table (id INT, name STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'rows-per-second' = '2', 'fields.id.min' = '1', 'fields.id.max' = '3', 'fields.name.length' = '8')",
        )
        .await;
    let ids = |body: &str, o: &str| anonymize(body, &[(&s, S), (o, O2)]);
    let ok_columns = r#"[{"name":"result","logicalType":{"type":"VARCHAR","nullable":true,"length":2147483647},"comment":null}]"#;
    let payload = format!(
        r#"{{"resultType":"PAYLOAD","isQueryResult":false,"resultKind":"SUCCESS","results":{{"columns":{ok_columns},"rowFormat":"JSON","data":[{{"kind":"INSERT","fields":["OK"]}}]}},"nextResultUri":"/v3/sessions/{S}/operations/{O2}/result/1?rowFormat=JSON"}}"#
    );
    let eos = format!(
        r#"{{"resultType":"EOS","isQueryResult":false,"resultKind":"SUCCESS","results":{{"columns":{ok_columns},"rowFormat":"JSON","data":[]}}}}"#
    );
    assert_eq!(ids(&c.fetch(&s, &o, 0).await.body, &o), payload);
    assert_eq!(ids(&c.fetch(&s, &o, 1).await.body, &o), eos);
    assert_eq!(
        c.delete(&format!("/v3/sessions/{s}/operations/{o}/close"))
            .await
            .body,
        r#"{"status":"CLOSED"}"#
    );

    let set = c.submit(&s, "SET 'table.local-time-zone' = 'UTC'").await;
    assert_eq!(ids(&c.fetch(&s, &set, 0).await.body, &set), payload);
    c.ok(&s, "set 'execution.runtime-mode' = 'streaming';")
        .await;
    let all = c.submit(&s, "SET").await;
    let listed = c.fetch(&s, &all, 0).await.json();
    assert_eq!(listed["resultKind"], "SUCCESS_WITH_CONTENT");
    let names: Vec<&str> = listed["results"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["key", "value"]);
    let rows: Vec<Value> = listed["results"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"].clone())
        .collect();
    assert_eq!(
        rows,
        [
            json!(["execution.runtime-mode", "streaming"]),
            json!(["execution.target", "remote"]),
            json!(["jobmanager.rpc.address", "localhost"]),
            json!(["rest.port", "8081"]),
            json!(["table.local-time-zone", "UTC"]),
        ]
    );
    assert_eq!(
        c.rows(&s, "SHOW TABLES").await,
        vec![json!(["datagen_table"])]
    );
    c.ok(&s, "RESET 'execution.runtime-mode'").await;
    assert!(
        !double
            .session_properties(&s)
            .unwrap()
            .contains_key("execution.runtime-mode")
    );
}

#[tokio::test]
async fn insert_returns_its_job_id() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(
        &s,
        "CREATE TABLE datagen_table (id INT, name STRING) WITH ('connector' = 'datagen')",
    )
    .await;
    c.ok(
        &s,
        "CREATE TABLE sink (id INT, name STRING) WITH ('connector' = 'blackhole')",
    )
    .await;
    let body = r#"{"statement":"INSERT INTO sink SELECT * FROM datagen_table","executionConfig":{"pipeline.name":"scaleph-insert-demo"}}"#;
    let o = c
        .post(&format!("/v3/sessions/{s}/statements"), body)
        .await
        .json()["operationHandle"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(c.fetch(&s, &o, 0).await.json()["resultType"], "NOT_READY");
    let payload = c.fetch(&s, &o, 0).await;
    let job = payload.json()["jobID"].as_str().unwrap().to_string();
    let shown = "e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6";
    let ids = |body: &str| anonymize(body, &[(&s, S), (&o, O4), (&job, shown)]);
    let columns = r#"[{"name":"job id","logicalType":{"type":"VARCHAR","nullable":true,"length":2147483647},"comment":null}]"#;
    assert_eq!(
        ids(&payload.body),
        format!(
            r#"{{"resultType":"PAYLOAD","isQueryResult":false,"jobID":"{shown}","resultKind":"SUCCESS_WITH_CONTENT","results":{{"columns":{columns},"rowFormat":"JSON","data":[{{"kind":"INSERT","fields":["{shown}"]}}]}},"nextResultUri":"/v3/sessions/{S}/operations/{O4}/result/1?rowFormat=JSON"}}"#
        )
    );
    assert_eq!(
        ids(&c.fetch(&s, &o, 1).await.body),
        format!(
            r#"{{"resultType":"EOS","isQueryResult":false,"jobID":"{shown}","resultKind":"SUCCESS_WITH_CONTENT","results":{{"columns":{columns},"rowFormat":"JSON","data":[]}}}}"#
        )
    );
    c.delete(&format!("/v3/sessions/{s}/operations/{o}/close"))
        .await;
    c.delete(&format!("/v3/sessions/{s}")).await;
    assert_eq!(
        double.jobs(),
        vec![(job.clone(), "RUNNING".to_string())],
        "an INSERT job outlives its session"
    );

    let s = c.open().await;
    let jobs = c.rows(&s, "SHOW JOBS").await;
    assert_eq!(
        jobs[0].as_array().unwrap()[0..3],
        [json!(job), json!("scaleph-insert-demo"), json!("RUNNING")]
    );
    assert!(jobs[0][3].as_str().unwrap().ends_with('Z'), "{jobs:?}");
    c.ok(&s, &format!("STOP JOB '{job}'")).await;
    assert_eq!(double.jobs()[0].1, "CANCELED");
    let again = c.failure(&s, &format!("STOP JOB '{job}'")).await;
    assert!(
        again.root_cause().contains("already CANCELED"),
        "{}",
        again.root_cause()
    );
    let unknown = c
        .failure(&s, "STOP JOB 'ffffffffffffffffffffffffffffffff'")
        .await;
    assert!(
        unknown.errors()[1].contains("Could not find Flink job (ffffffffffffffffffffffffffffffff)")
    );

    c.ok(
        &s,
        "CREATE TABLE datagen_table (id INT, name STRING) WITH ('connector' = 'datagen')",
    )
    .await;
    c.ok(
        &s,
        "CREATE TABLE sink (id INT, name STRING) WITH ('connector' = 'blackhole')",
    )
    .await;
    c.ok(
        &s,
        "CREATE TABLE bounded (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')",
    )
    .await;
    let finished = c
        .rows(&s, "INSERT INTO sink SELECT id, 'x' FROM bounded")
        .await;
    assert_eq!(
        double.jobs().last().unwrap(),
        &(
            finished[0][0].as_str().unwrap().to_string(),
            "FINISHED".to_string()
        )
    );
    let set = c.rows(&s, "EXECUTE STATEMENT SET BEGIN INSERT INTO sink VALUES (1, 'a'); INSERT INTO sink SELECT * FROM datagen_table; END").await;
    assert_eq!(
        double.jobs().last().unwrap(),
        &(
            set[0][0].as_str().unwrap().to_string(),
            "RUNNING".to_string()
        )
    );
    c.ok(&s, "BEGIN STATEMENT SET").await;
    c.ok(&s, "INSERT INTO sink VALUES (2, 'b')").await;
    let ended = c.rows(&s, "END").await;
    assert_eq!(ended[0][0].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn datagen_rows_follow_the_rule() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE t (id INT, name STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3)) WITH ('connector'='datagen', 'number-of-rows'='11')").await;
    let o = c.submit(&s, "SELECT * FROM t").await;
    let pages = c.pages(&s, &o).await;
    assert_eq!(pages.len(), 3, "empty first page, the rows, EOS: {pages:?}");
    assert_eq!(pages[0]["results"]["data"], json!([]));
    assert_eq!(
        pages[0]["results"]["columns"][3]["logicalType"],
        json!({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":true,"precision":3})
    );
    let data = pages[1]["results"]["data"].as_array().unwrap();
    assert_eq!(data.len(), 11);
    assert_eq!(
        data[0],
        json!({"kind":"INSERT","fields":[0,"row-0",1E+1,"2024-01-01T00:00:00"]})
    );
    let text = serde_json::to_string(&pages[1]).unwrap();
    let raw = c.fetch(&s, &o, 1).await.body;
    assert!(
        raw.contains(r#"{"kind":"INSERT","fields":[1,"row-1",2E+1,"2024-01-01T00:00:01.001"]}"#),
        "{raw}"
    );
    assert!(
        raw.contains(r#"[10,"row-10",1.1E+2,"2024-01-01T00:00:10.01"]"#),
        "{raw}"
    );
    assert!(!text.is_empty());
    assert_eq!(data[6]["fields"][3], Value::Null, "(6 + 3) % 10 == 9");
    assert_eq!(data[7]["fields"][2], Value::Null);
    assert_eq!(data[8]["fields"][1], Value::Null);
    assert_eq!(data[9]["fields"][0], Value::Null);
    assert_eq!(pages[2]["resultType"], "EOS");
    assert_eq!(double.jobs()[0].1, "FINISHED");

    let limited = c
        .rows(&s, "SELECT name AS n, 7 FROM t WHERE id > 3 LIMIT 2")
        .await;
    assert_eq!(limited, vec![json!(["row-0", 7]), json!(["row-1", 7])]);
    c.ok(&s, "CREATE VIEW v AS SELECT id, name FROM t LIMIT 3")
        .await;
    assert_eq!(
        c.rows(&s, "SELECT name FROM v").await,
        vec![json!(["row-0"]), json!(["row-1"]), json!(["row-2"])]
    );
}

#[tokio::test]
async fn streaming_query_pages_are_paced_and_closing_cancels_the_job() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE paced (id BIGINT NOT NULL) WITH ('connector'='datagen', 'rows-per-second'='20')").await;
    let started = Instant::now();
    let o = c.submit(&s, "SELECT id FROM paced").await;
    assert_eq!(c.ready(&s, &o).await.json()["results"]["data"], json!([]));
    let mut ids = Vec::new();
    let mut token = 1;
    while ids.len() < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "only {} rows",
            ids.len()
        );
        let page = c.fetch(&s, &o, token).await.json();
        let seen = started.elapsed();
        assert_eq!(
            page["resultType"], "PAYLOAD",
            "an unbounded query never ends"
        );
        ids.extend(
            page["results"]["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["fields"][0].as_u64().unwrap()),
        );
        let available = (seen.as_secs_f64() * 20.0) as usize + 1;
        assert!(
            ids.len() <= available,
            "{} rows after {seen:?}: row i is due at i/20 s",
            ids.len()
        );
        token += 1;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "row 4 is due at 200 ms"
    );
    let expected: Vec<u64> = (0..ids.len() as u64)
        .map(|i| 9_007_199_254_740_993 + i)
        .collect();
    assert_eq!(
        ids, expected,
        "BIGINT beyond 2^53, written literally, in order"
    );
    let cancel = c
        .post(&format!("/v3/sessions/{s}/operations/{o}/cancel"), "")
        .await;
    assert_eq!(cancel.status, 500);
    assert!(cancel.errors()[0].contains(&format!(
        "Failed to convert the Operation Status from FINISHED to CANCELED for {o}."
    )));
    assert_eq!(double.jobs()[0].1, "RUNNING");
    c.delete(&format!("/v3/sessions/{s}/operations/{o}/close"))
        .await;
    assert_eq!(double.jobs()[0].1, "CANCELED");
}

#[tokio::test]
async fn group_by_count_is_a_changelog() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE t (flag BOOLEAN NOT NULL, id INT) WITH ('connector'='datagen', 'number-of-rows'='4')").await;
    let o = c
        .submit(&s, "SELECT flag, COUNT(*) AS cnt FROM t GROUP BY flag")
        .await;
    c.ready(&s, &o).await;
    let page = c.fetch(&s, &o, 1).await;
    assert!(
        page.body.contains(r#""columns":[{"name":"flag","logicalType":{"type":"BOOLEAN","nullable":false},"comment":null},{"name":"cnt","logicalType":{"type":"BIGINT","nullable":false},"comment":null}]"#),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#""data":[{"kind":"INSERT","fields":[true,1]},{"kind":"INSERT","fields":[false,1]},{"kind":"UPDATE_BEFORE","fields":[true,1]},{"kind":"UPDATE_AFTER","fields":[true,2]},{"kind":"UPDATE_BEFORE","fields":[false,1]},{"kind":"UPDATE_AFTER","fields":[false,2]}]"#),
        "{}",
        page.body
    );
    let plain = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{o}/result/1?rowFormat=PLAIN_TEXT"
        ))
        .await;
    assert!(
        plain
            .body
            .contains(r#"{"kind":"UPDATE_AFTER","fields":["FALSE","2"]}"#),
        "{}",
        plain.body
    );
    assert_eq!(c.fetch(&s, &o, 2).await.json()["resultType"], "EOS");

    let batch = c.submit(&s, "SET 'execution.runtime-mode' = 'batch'").await;
    c.ready(&s, &batch).await;
    assert_eq!(c.rows(&s, "SELECT COUNT(*) FROM t").await, vec![json!([4])]);
    c.ok(
        &s,
        "CREATE TABLE endless (id INT) WITH ('connector'='datagen')",
    )
    .await;
    let unbounded = c.failure(&s, "SELECT * FROM endless").await;
    assert!(
        unbounded
            .root_cause()
            .contains("in batch mode is not allowed"),
        "{}",
        unbounded.root_cause()
    );
    let ungrouped = c
        .failure(&s, "SELECT id, COUNT(*) FROM t GROUP BY flag")
        .await;
    assert_eq!(
        ungrouped.root_cause(),
        "org.apache.calcite.sql.validate.SqlValidatorException: Expression 'id' is not being grouped"
    );
}

#[tokio::test]
async fn syntax_errors_read_like_the_flink_parser() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    let o = c
        .submit(
            &s,
            "create catalog invalid.cat with ('type'='generic_in_memory')",
        )
        .await;
    let status = format!("/v3/sessions/{s}/operations/{o}/status");
    assert_eq!(c.get(&status).await.body, r#"{"status":"RUNNING"}"#);
    assert_eq!(c.fetch(&s, &o, 0).await.json()["resultType"], "NOT_READY");
    assert_eq!(c.get(&status).await.body, r#"{"status":"ERROR"}"#);
    let reply = c.fetch(&s, &o, 0).await;
    assert_eq!(reply.status, 500);
    let errors = reply.errors();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0], "Internal server error.");
    let trace = anonymize(&errors[1], &[(&o, O7)]);
    assert!(trace.starts_with("<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\n\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest("), "{trace}");
    assert!(
        trace.ends_with("\n\nEnd of exception on server side>"),
        "{trace}"
    );
    for cause in [
        "\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\n\tat ",
        &format!(
            "\nCaused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation {O7}.\n\tat "
        ),
        "\nCaused by: org.apache.flink.table.api.SqlParserException: SQL parse failed. Encountered \".\" at line 1, column 23.\nWas expecting one of:\n    <EOF> \n    \"WITH\" ...\n    \"COMMENT\" ...\n    \";\" ...\n\tat ",
        "\nCaused by: org.apache.calcite.sql.parser.SqlParseException: Encountered \".\" at line 1, column 23.",
    ] {
        assert!(trace.contains(cause), "missing {cause:?} in {trace}");
    }
    assert_eq!(reply.root_cause(), CATALOG_PARSE_ERROR);
    assert_eq!(
        c.delete(&format!("/v3/sessions/{s}/operations/{o}/close"))
            .await
            .body,
        r#"{"status":"CLOSED"}"#
    );

    let misspelt = c.failure(&s, "SELEC 1").await.root_cause();
    assert!(misspelt.starts_with("org.apache.flink.sql.parser.impl.ParseException: Encountered \"SELEC\" at line 1, column 1.\nWas expecting one of:\n"), "{misspelt}");
    let second_line = c.failure(&s, "SELECT 1,\n  2 3").await;
    assert!(
        second_line.errors()[1]
            .contains("SQL parse failed. Encountered \"3\" at line 2, column 5."),
        "{}",
        second_line.errors()[1]
    );
    let incomplete = c.failure(&s, "SELECT * FROM t WHERE").await;
    assert!(incomplete.errors()[1].contains("\nCaused by: org.apache.flink.table.api.SqlParserEOFException: Encountered \"<EOF>\" at line 1, column 21."), "{}", incomplete.errors()[1]);
    assert!(!incomplete.errors()[1].contains("SQL parse failed"));
    let two = c.failure(&s, "SELECT 1; SELECT 2").await.root_cause();
    assert_eq!(
        two,
        "java.lang.UnsupportedOperationException: Unsupported SQL statement! Execute statement only accepts a single SQL statement or multiple 'INSERT INTO' statements wrapped in a 'STATEMENT SET' block."
    );
    let unterminated = c.failure(&s, "SELECT 'abc").await.root_cause();
    assert!(
        unterminated.contains("Lexical error at line 1, column 12."),
        "{unterminated}"
    );
}

#[tokio::test]
async fn other_error_responses_follow_the_transcript() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;

    let execute = c
        .post(
            &format!("/v3/sessions/{UNKNOWN}/statements"),
            r#"{"statement":"SELECT 1"}"#,
        )
        .await;
    assert_eq!(execute.status, 500);
    let errors = execute.errors();
    assert_eq!(errors[0], "Internal server error.");
    assert!(errors[1].starts_with("<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.\n\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.executeStatement("), "{}", errors[1]);
    assert!(errors[1].contains(&format!("\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '{UNKNOWN}' does not exist.\n\tat org.apache.flink.table.gateway.service.session.SessionManagerImpl.getSession(")));

    let status = c
        .get(&format!("/v3/sessions/{UNKNOWN}/operations/{O1}/status"))
        .await;
    assert_eq!(status.status, 500);
    let errors = status.errors();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to getOperationInfo.\n\tat org.apache.flink.table.gateway.rest.handler.operation.GetOperationStatusHandler.handleRequest("), "{}", errors[0]);
    assert!(errors[0].contains("\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to getOperationInfo.\n"));
    assert!(errors[0].contains(&format!("\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '{UNKNOWN}' does not exist.\n")));
    assert!(errors[0].ends_with('\n'));

    let o = c.submit(&s, "SELECT 1").await;
    c.delete(&format!("/v3/sessions/{s}/operations/{o}/close"))
        .await;
    let closed = c
        .get(&format!("/v3/sessions/{s}/operations/{o}/status"))
        .await;
    assert_eq!(closed.status, 500);
    assert_eq!(
        closed.root_cause(),
        format!(
            "org.apache.flink.table.gateway.api.utils.SqlGatewayException: Can not find the submitted operation in the OperationManager with the {o}."
        )
    );
    let fetch_closed = c.fetch(&s, &o, 0).await;
    assert_eq!((fetch_closed.status, fetch_closed.errors().len()), (500, 2));
    assert!(
        fetch_closed.errors()[1]
            .contains("Can not find the submitted operation in the OperationManager")
    );
    assert_eq!(
        c.delete(&format!("/v3/sessions/{s}/operations/{O1}/close"))
            .await
            .body,
        r#"{"status":"CLOSED"}"#
    );

    let v1 = c
        .post(
            &format!("/v1/sessions/{s}/configure-session"),
            r#"{"statement":"SET 'a' = 'b'"}"#,
        )
        .await;
    assert_eq!(
        (v1.status, v1.body),
        (
            404,
            format!(r#"{{"errors":["Not found: /v1/sessions/{s}/configure-session"]}}"#)
        )
    );

    let malformed = c.get("/v3/sessions/not-a-uuid").await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.errors()[0].starts_with("org.apache.flink.runtime.rest.handler.RestHandlerException: Bad request, could not parse parameters: Cannot resolve path parameter (session_handle) from value \"not-a-uuid\".\n\tat org.apache.flink.runtime.rest.handler.AbstractHandler.respondAsLeader("), "{}", malformed.body);

    let timeout = c
        .post(
            &format!("/v3/sessions/{s}/statements"),
            r#"{"statement":"SELECT 1","executionTimeout":30000}"#,
        )
        .await;
    assert_eq!(timeout.status, 500);
    assert!(timeout.errors()[1].starts_with("<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.\n"));
    assert_eq!(
        timeout.root_cause(),
        "java.lang.UnsupportedOperationException: SqlGatewayService doesn't support timeout mechanism now."
    );

    let finished = c.submit(&s, "SELECT 1").await;
    let cancel = c
        .post(
            &format!("/v3/sessions/{s}/operations/{finished}/cancel"),
            "",
        )
        .await;
    assert_eq!(cancel.status, 500);
    assert!(cancel.errors()[0].starts_with(
        "org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to cancelOperation.\n"
    ));
    assert_eq!(
        cancel.root_cause(),
        format!(
            "org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to convert the Operation Status from FINISHED to CANCELED for {finished}."
        )
    );

    c.ok(&s, "CREATE TABLE m (id INT, tags MAP<INT, STRING>) WITH ('connector'='datagen', 'number-of-rows'='2')").await;
    let m = c.submit(&s, "SELECT * FROM m").await;
    let json_page = c.fetch(&s, &m, 0).await;
    assert_eq!(
        (json_page.status, json_page.body.as_str()),
        (
            500,
            r#"{"errors":["Internal server error. Could not map response to JSON."]}"#
        )
    );
    let retried = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{m}/result/0?rowFormat=PLAIN_TEXT"
        ))
        .await;
    assert_eq!(
        retried.status, 200,
        "the retry re-reads token 0: {}",
        retried.body
    );
    let rows = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{m}/result/1?rowFormat=PLAIN_TEXT"
        ))
        .await
        .json();
    assert_eq!(
        rows["results"]["data"][1]["fields"],
        json!(["1", "{1=row-1}"])
    );
}

#[tokio::test]
async fn bad_requests_and_unknown_routes() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    let not_json = c
        .post(&format!("/v3/sessions/{s}/statements"), "{not json")
        .await;
    assert_eq!(not_json.status, 400);
    assert!(not_json.errors()[0].starts_with("org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format ExecuteStatementRequestBody.\n"));
    let wrong_type = c
        .post(
            &format!("/v3/sessions/{s}/statements"),
            r#"{"statement":["SELECT 1"]}"#,
        )
        .await;
    assert_eq!(wrong_type.status, 400);
    let token = c
        .get(&format!("/v3/sessions/{s}/operations/{O1}/result/x"))
        .await;
    assert_eq!(token.status, 400);
    assert!(token.errors()[0].contains("Cannot resolve path parameter (token) from value \"x\"."));
    let format = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{O1}/result/0?rowFormat=XML"
        ))
        .await;
    assert_eq!(format.status, 400);
    assert!(format.errors()[0].contains("Bad request, could not parse parameters:"));
    for (method, path) in [
        ("PUT", format!("/v3/sessions/{s}")),
        ("GET", "/v3/sessions".to_string()),
        ("GET", "/v5/info".to_string()),
        ("POST", "/v3/info".to_string()),
        ("GET", format!("/v1/sessions/{s}/complete-statement")),
        ("GET", "/v3/jobs?x=1".to_string()),
    ] {
        let reply = c.send(method, &path, None).await;
        assert_eq!(
            (reply.status, reply.body),
            (404, format!(r#"{{"errors":["Not found: {path}"]}}"#)),
            "{method} {path}"
        );
    }
    assert_eq!(
        c.get("/info/").await.status,
        200,
        "slashes at both ends are ignored"
    );
    assert_eq!(
        c.get("/api_versions").await.body,
        r#"{"versions":["V1","V2","V3","V4"]}"#
    );
    assert_eq!(
        c.get(&format!("/sessions/{}", s.to_uppercase()))
            .await
            .status,
        200,
        "handles parse as UUIDs"
    );
}

#[tokio::test]
async fn tokens_are_current_or_previous_only() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    let early = c.submit(&s, "SELECT 1").await;
    let wrong = c.fetch(&s, &early, 3).await;
    assert_eq!(wrong.status, 500);
    assert_eq!(
        wrong.root_cause(),
        "java.lang.IllegalArgumentException: Expecting token to be 0, but found 3."
    );

    c.ok(
        &s,
        "CREATE TABLE t (id INT) WITH ('connector'='datagen', 'number-of-rows'='3')",
    )
    .await;
    let o = c.submit(&s, "SELECT * FROM t").await;
    c.fetch(&s, &o, 0).await;
    let first = c.fetch(&s, &o, 1).await;
    assert_eq!(first.json()["results"]["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        c.fetch(&s, &o, 1).await.body,
        first.body,
        "current - 1 again, byte for byte"
    );
    let future = c.fetch(&s, &o, 5).await;
    assert_eq!(
        future.root_cause(),
        "java.lang.IllegalArgumentException: Expecting token to be 2 or 1, but found 5."
    );
    let stale = c.fetch(&s, &o, 0).await;
    assert!(stale.root_cause().ends_with("but found 0."));
    assert_eq!(c.fetch(&s, &o, 2).await.json()["resultType"], "EOS");
    assert_eq!(
        c.fetch(&s, &o, 1).await.body,
        first.body,
        "the last payload survives EOS"
    );
}

#[tokio::test]
async fn cancel_only_before_the_operation_finishes() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 3));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE t (id INT) WITH ('connector'='datagen')")
        .await;
    let o = c.submit(&s, "SELECT * FROM t").await;
    let cancel = format!("/v3/sessions/{s}/operations/{o}/cancel");
    assert_eq!(c.post(&cancel, "").await.body, r#"{"status":"CANCELED"}"#);
    assert_eq!(
        c.get(&format!("/v3/sessions/{s}/operations/{o}/status"))
            .await
            .body,
        r#"{"status":"CANCELED"}"#
    );
    assert_eq!(double.jobs()[0].1, "CANCELED");
    let fetch = c.fetch(&s, &o, 0).await;
    assert_eq!(fetch.status, 500);
    assert_eq!(
        fetch.root_cause(),
        format!(
            "org.apache.flink.table.gateway.api.utils.SqlGatewayException: Can not fetch results from the {o} in CANCELED status."
        )
    );
    let twice = c.post(&cancel, "").await;
    assert!(
        twice
            .root_cause()
            .ends_with(&format!("from CANCELED to CANCELED for {o}."))
    );

    let failed = c.submit(&s, "SELECT nope FROM t").await;
    for _ in 0..3 {
        assert_eq!(
            c.fetch(&s, &failed, 0).await.json()["resultType"],
            "NOT_READY"
        );
    }
    let error = c
        .post(&format!("/v3/sessions/{s}/operations/{failed}/cancel"), "")
        .await;
    assert!(
        error
            .root_cause()
            .ends_with(&format!("from ERROR to CANCELED for {failed}."))
    );
}

#[tokio::test]
async fn closing_is_idempotent_for_operations_not_sessions() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE t (id INT) WITH ('connector'='datagen')")
        .await;
    c.ok(&s, "CREATE TABLE sink (id INT) WITH ('connector'='print')")
        .await;
    let query = c.submit(&s, "SELECT * FROM t").await;
    c.ready(&s, &query).await;
    let insert = c.submit(&s, "INSERT INTO sink SELECT * FROM t").await;
    let closing = format!("/v3/sessions/{s}/operations/{insert}/close");
    assert_eq!(c.delete(&closing).await.body, r#"{"status":"CLOSED"}"#);
    assert_eq!(c.delete(&closing).await.body, r#"{"status":"CLOSED"}"#);
    assert_eq!(double.open_operations(), 3, "the two CREATEs and the query");
    assert_eq!(
        c.delete(&format!("/v3/sessions/{s}")).await.body,
        r#"{"status":"CLOSED"}"#
    );
    assert_eq!(double.open_operations(), 0);
    let statuses: Vec<String> = double
        .jobs()
        .into_iter()
        .map(|(_, status)| status)
        .collect();
    assert_eq!(
        statuses,
        ["CANCELED", "RUNNING"],
        "the query's job is cancelled, the INSERT's is not"
    );
    let again = c.delete(&format!("/v3/sessions/{s}")).await;
    assert_eq!(again.status, 500);
    assert!(again.errors()[0].starts_with(
        "org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to closeSession.\n"
    ));
    assert_eq!(
        again.root_cause(),
        format!(
            "org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '{s}' does not exist."
        )
    );
    let heartbeat = c.post(&format!("/v3/sessions/{s}/heartbeat"), "").await;
    assert_eq!((heartbeat.status, heartbeat.errors().len()), (500, 1));
}

#[tokio::test]
async fn idle_sessions_expire_and_heartbeats_keep_them() {
    let double = FlinkDouble::start_with(options(|o| o.idle_timeout = Duration::from_millis(300)));
    let c = Client::new(&double);
    let idle = c.open().await;
    c.ok(
        &idle,
        "CREATE TABLE t (id INT) WITH ('connector'='datagen')",
    )
    .await;
    let query = c.submit(&idle, "SELECT * FROM t").await;
    c.ready(&idle, &query).await;
    let kept = c.open().await;
    let started = Instant::now();
    // `jobs()` does not expire sessions itself: a cancelled query job shows
    // that the background checker closed the idle session.
    while double.jobs()[0].1 == "RUNNING" {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the idle session was never expired"
        );
        assert_eq!(
            c.post(&format!("/v3/sessions/{kept}/heartbeat"), "")
                .await
                .body,
            "{}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "expired after {:?}",
        started.elapsed()
    );
    assert_eq!(
        double.live_sessions(),
        1,
        "the heartbeats kept the other session"
    );
    let gone = c
        .post(
            &format!("/v3/sessions/{idle}/statements"),
            r#"{"statement":"SELECT 1"}"#,
        )
        .await;
    assert_eq!(gone.status, 500);
    assert!(gone.errors()[1].contains(&format!("Session '{idle}' does not exist.")));
    let config = c.get(&format!("/v3/sessions/{idle}")).await;
    assert!(config.errors()[0].starts_with(
        "org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to getSessionConfig.\n"
    ));

    tokio::time::sleep(Duration::from_millis(400)).await;
    let lazily = c.post(&format!("/v3/sessions/{kept}/heartbeat"), "").await;
    assert_eq!(
        lazily.status, 500,
        "expired on the request itself if the checker has not run yet"
    );
    let fresh = c.open().await;
    double.expire_sessions();
    assert_eq!(double.live_sessions(), 0);
    let fetch = c.fetch(&fresh, O1, 0).await;
    assert!(fetch.errors()[1].contains(&format!("Session '{fresh}' does not exist.")));
}

#[tokio::test]
async fn restart_forgets_sessions_and_keeps_the_port() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let url = double.url();
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE t (id INT) WITH ('connector'='datagen')")
        .await;
    let insert_sink = "CREATE TABLE sink (id INT) WITH ('connector'='blackhole')";
    c.ok(&s, insert_sink).await;
    c.rows(&s, "INSERT INTO sink SELECT * FROM t").await;
    double.restart();
    assert_eq!(double.url(), url);
    assert_eq!((double.live_sessions(), double.open_operations()), (0, 0));
    assert_eq!(double.jobs().len(), 1, "jobs live on the cluster");
    let lost = c
        .post(
            &format!("/v3/sessions/{s}/statements"),
            r#"{"statement":"SELECT 1"}"#,
        )
        .await;
    assert!(lost.errors()[1].contains(&format!("Session '{s}' does not exist.")));
    let s = c.open().await;
    assert_eq!(
        c.rows(&s, "SHOW TABLES").await,
        Vec::<Value>::new(),
        "catalogs are per session"
    );
}

#[tokio::test]
async fn result_uris_carry_the_request_version() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    let o = c.submit(&s, "SELECT 'abc' AS x").await;
    let v1 = c
        .get(&format!(
            "/v1/sessions/{s}/operations/{o}/result/0?rowFormat=PLAIN_TEXT"
        ))
        .await
        .json();
    assert_eq!(
        v1["nextResultUri"],
        format!("/v1/sessions/{s}/operations/{o}/result/1")
    );
    assert_eq!(v1["results"]["rowFormat"], "JSON", "v1 ignores rowFormat");
    let v3 = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{o}/result/1?rowFormat=plain_text"
        ))
        .await
        .json();
    assert_eq!(
        v3["nextResultUri"],
        format!("/v3/sessions/{s}/operations/{o}/result/2?rowFormat=PLAIN_TEXT")
    );
    assert_eq!(
        v3["results"]["data"],
        json!([{"kind":"INSERT","fields":["abc"]}])
    );
    let unversioned = c
        .get(&format!("/sessions/{s}/operations/{o}/result/1"))
        .await
        .json();
    assert_eq!(
        unversioned["nextResultUri"],
        format!("/v4/sessions/{s}/operations/{o}/result/2?rowFormat=JSON")
    );
    assert_eq!(
        unversioned["results"]["columns"][0],
        json!({"name":"x","logicalType":{"type":"CHAR","nullable":false,"length":3},"comment":null})
    );
}

#[tokio::test]
async fn values_render_in_json_and_plain_text() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c
        .post(
            "/v3/sessions",
            r#"{"properties":{"table.local-time-zone":"Asia/Shanghai"}}"#,
        )
        .await
        .json()["sessionHandle"]
        .as_str()
        .unwrap()
        .to_string();
    c.ok(
        &s,
        "CREATE TABLE every (b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(10, 2), \
         c CHAR(3), vc VARCHAR(10), s STRING, bin BINARY(4), vb BYTES, dt DATE, tm TIME, ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), \
         arr ARRAY<INT>, m MAP<STRING, INT>, r ROW<a INT, b STRING>) WITH ('connector'='datagen', 'number-of-rows'='2')",
    )
    .await;
    let o = c.submit(&s, "SELECT * FROM every").await;
    c.fetch(&s, &o, 0).await;
    let json_page = c.fetch(&s, &o, 1).await;
    assert!(
        json_page.body.contains(r#"{"kind":"INSERT","fields":[false,1,1,1,9007199254740994,1.5,1.5,2E+1,null,"row-1","row-1","AAAAAQ==","AAAAAQ==","1970-01-02","00:00:01","2024-01-01T00:00:01.001","2024-01-01T08:00:01.001Z",[1,1],null,{"a":1,"b":"row-1"}]}"#)
            && json_page.body.contains(r#"[0,0],{"row-0":0},null]"#),
        "{}",
        json_page.body
    );
    let columns = json_page.json()["results"]["columns"].clone();
    assert_eq!(
        columns[7]["logicalType"],
        json!({"type":"DECIMAL","nullable":true,"precision":10,"scale":2})
    );
    assert_eq!(
        columns[12]["logicalType"],
        json!({"type":"VARBINARY","nullable":true,"length":2147483647})
    );
    assert_eq!(
        columns[14]["logicalType"],
        json!({"type":"TIME_WITHOUT_TIME_ZONE","nullable":true,"precision":0})
    );
    assert_eq!(
        columns[16]["logicalType"],
        json!({"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","nullable":true,"precision":3})
    );
    assert_eq!(
        columns[17]["logicalType"],
        json!({"type":"ARRAY","nullable":true,"elementType":{"type":"INTEGER","nullable":true}})
    );
    assert_eq!(
        columns[19]["logicalType"],
        json!({"type":"ROW","nullable":true,"fields":[{"name":"a","fieldType":{"type":"INTEGER","nullable":true}},{"name":"b","fieldType":{"type":"VARCHAR","nullable":true,"length":2147483647}}]})
    );
    let plain = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{o}/result/1?rowFormat=PLAIN_TEXT"
        ))
        .await
        .json();
    assert_eq!(plain["results"]["data"][0]["fields"][18], "{row-0=0}");
    assert_eq!(
        plain["results"]["data"][1]["fields"],
        json!([
            "FALSE",
            "1",
            "1",
            "1",
            "9007199254740994",
            "1.5",
            "1.5",
            "20.00",
            null,
            "row-1",
            "row-1",
            "x'00000001'",
            "x'00000001'",
            "1970-01-02",
            "00:00:01",
            "2024-01-01 00:00:01.001",
            "2024-01-01 08:00:01.001",
            "[1, 1]",
            null,
            "(1, row-1)"
        ])
    );
    let literals = c
        .submit(
            &s,
            "SELECT 1, 'abc', 1.50, TRUE, NULL, 9999999999, -2 AS neg",
        )
        .await;
    c.fetch(&s, &literals, 0).await;
    let page = c.fetch(&s, &literals, 1).await;
    assert!(page.body.contains(r#""columns":[{"name":"EXPR$0","logicalType":{"type":"INTEGER","nullable":false},"comment":null},{"name":"EXPR$1","logicalType":{"type":"CHAR","nullable":false,"length":3},"comment":null},{"name":"EXPR$2","logicalType":{"type":"DECIMAL","nullable":false,"precision":3,"scale":2},"comment":null},{"name":"EXPR$3","logicalType":{"type":"BOOLEAN","nullable":false},"comment":null},{"name":"EXPR$4","logicalType":{"type":"NULL"},"comment":null},{"name":"EXPR$5","logicalType":{"type":"BIGINT","nullable":false},"comment":null},{"name":"neg","logicalType":{"type":"INTEGER","nullable":false},"comment":null}]"#), "{}", page.body);
    assert!(
        page.body.contains(
            r#""data":[{"kind":"INSERT","fields":[1,"abc",1.5,true,null,9999999999,-2]}]"#
        ),
        "{}",
        page.body
    );
    assert_eq!(
        c.rows(&s, "VALUES (1, 'a'), (2, 'bb')").await,
        vec![json!([1, "a"]), json!([2, "bb"])]
    );
}

#[tokio::test]
async fn catalog_statements_and_their_errors() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    assert_eq!(
        c.rows(&s, "SHOW CATALOGS").await,
        vec![json!(["default_catalog"])]
    );
    assert_eq!(
        c.rows(&s, "SHOW CURRENT DATABASE").await,
        vec![json!(["default_database"])]
    );
    c.ok(&s, "CREATE TABLE `t` (id INT NOT NULL, name STRING COMMENT 'who', PRIMARY KEY (id) NOT ENFORCED) COMMENT 'people' WITH ('connector'='datagen')").await;
    let duplicate = c
        .failure(&s, "CREATE TABLE t (id INT) WITH ('connector'='datagen')")
        .await;
    assert!(duplicate.errors()[1].contains("Caused by: org.apache.flink.table.api.ValidationException: Could not execute CreateTable in path `default_catalog`.`default_database`.`t`\n"));
    c.ok(&s, "CREATE TABLE IF NOT EXISTS t (id INT)").await;
    assert_eq!(
        c.rows(&s, "DESCRIBE t").await,
        vec![
            json!(["id", "INT", false, "PRI(id)", null, null]),
            json!(["name", "STRING", true, null, null, null])
        ]
    );
    let create = c.rows(&s, "SHOW CREATE TABLE t").await;
    assert_eq!(
        create[0][0],
        "CREATE TABLE `default_catalog`.`default_database`.`t` (\n  `id` INT NOT NULL,\n  `name` VARCHAR(2147483647) COMMENT 'who',\n  CONSTRAINT `PK_id` PRIMARY KEY (`id`) NOT ENFORCED\n)\nCOMMENT 'people'\nWITH (\n  'connector' = 'datagen'\n)\n"
    );
    let missing = c.failure(&s, "DROP TABLE x").await;
    assert_eq!(
        missing.root_cause(),
        "org.apache.flink.table.api.ValidationException: Table with identifier 'default_catalog.default_database.x' does not exist."
    );
    c.ok(&s, "DROP TABLE IF EXISTS x").await;
    let object = c.failure(&s, "SELECT * FROM nope").await;
    assert_eq!(
        object.root_cause(),
        "org.apache.calcite.sql.validate.SqlValidatorException: Object 'nope' not found"
    );
    assert!(object.errors()[1].contains("ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 18: Object 'nope' not found"));
    let column = c.failure(&s, "SELECT x FROM t").await;
    assert_eq!(
        column.root_cause(),
        "org.apache.calcite.sql.validate.SqlValidatorException: Column 'x' not found in any table"
    );
    let function = c.failure(&s, "SELECT invalid_function() FROM t").await;
    assert_eq!(
        function.root_cause(),
        "org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature invalid_function()"
    );

    c.ok(&s, "CREATE DATABASE db").await;
    c.ok(&s, "CREATE CATALOG cat WITH ('type'='generic_in_memory')")
        .await;
    c.ok(&s, "USE CATALOG cat").await;
    assert_eq!(
        c.rows(&s, "SHOW CURRENT CATALOG").await,
        vec![json!(["cat"])]
    );
    c.ok(&s, "USE default_catalog.db").await;
    assert_eq!(
        c.rows(&s, "SHOW DATABASES").await,
        vec![json!(["db"]), json!(["default_database"])]
    );
    let no_catalog = c.failure(&s, "USE CATALOG non_existing_catalog").await;
    assert_eq!(
        no_catalog.root_cause(),
        "org.apache.flink.table.catalog.exceptions.CatalogException: A catalog with name [non_existing_catalog] does not exist."
    );
    c.ok(
        &s,
        "CREATE TEMPORARY VIEW v AS SELECT name FROM default_database.t",
    )
    .await;
    assert_eq!(c.rows(&s, "SHOW VIEWS").await, vec![json!(["v"])]);
    c.ok(&s, "DROP VIEW v").await;
    c.ok(&s, "CREATE FUNCTION f AS 'com.example.F'").await;
    assert_eq!(c.rows(&s, "SHOW USER FUNCTIONS").await, vec![json!(["f"])]);
    c.ok(
        &s,
        "ALTER TABLE default_database.t RENAME TO default_database.people",
    )
    .await;
    c.ok(&s, "USE default_database").await;
    assert_eq!(
        c.rows(&s, "SHOW TABLES LIKE 'peo%'").await,
        vec![json!(["people"])]
    );
    let dialect = c.failure(&s, "set 'table.sql-dialect' = 'unknown'").await;
    assert_eq!(
        dialect.root_cause(),
        "java.lang.IllegalArgumentException: No enum constant org.apache.flink.table.api.SqlDialect.UNKNOWN"
    );

    c.ok(&s, "ADD JAR '/tmp/udf.jar'").await;
    assert_eq!(c.rows(&s, "SHOW JARS").await, vec![json!(["/tmp/udf.jar"])]);
    let remove = c.failure(&s, "REMOVE JAR '/tmp/udf.jar'").await;
    assert!(
        remove
            .root_cause()
            .ends_with("SQL Gateway doesn't support REMOVE JAR syntax now.")
    );
    let explain = c.rows(&s, "EXPLAIN SELECT id FROM people").await;
    assert!(
        explain[0][0]
            .as_str()
            .unwrap()
            .starts_with("== Abstract Syntax Tree =="),
        "{explain:?}"
    );
    assert_eq!(c.rows(&s, "SHOW JOBS").await, Vec::<Value>::new());
}

#[tokio::test]
async fn configure_session_runs_session_statements_only() {
    let double = FlinkDouble::start();
    let c = Client::new(&double);
    let s = c.open().await;
    let configure = |sql: &str| json!({ "statement": sql }).to_string();
    let path = format!("/v3/sessions/{s}/configure-session");
    assert_eq!(
        c.post(
            &path,
            &configure("CREATE TABLE t (id INT) WITH ('connector'='datagen')")
        )
        .await
        .body,
        "{}"
    );
    assert_eq!(
        double.open_operations(),
        0,
        "configure-session leaves no operation"
    );
    let select = c.post(&path, &configure("SELECT 1")).await;
    assert_eq!(select.status, 500);
    assert!(select.errors()[1].starts_with("<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to configure session.\n"));
    assert!(select.root_cause().starts_with("org.apache.flink.table.gateway.service.utils.SqlExecutionException: Unsupported statement for configuring session:SELECT 1\nThe configureSession API only supports "), "{}", select.root_cause());
    let drop = c.post(&path, &configure("DROP TABLE nope")).await;
    assert_eq!(
        drop.root_cause(),
        "org.apache.flink.table.api.ValidationException: Table with identifier 'default_catalog.default_database.nope' does not exist."
    );
    let unknown = c
        .post(
            &format!("/v3/sessions/{UNKNOWN}/configure-session"),
            &configure("SET 'a' = 'b'"),
        )
        .await;
    assert!(unknown.errors()[1].contains(&format!("Session '{UNKNOWN}' does not exist.")));
}

#[tokio::test]
async fn pages_hold_at_most_page_rows_and_requests_are_recorded() {
    let double = FlinkDouble::start_with(options(|o| {
        o.page_rows = 3;
        o.not_ready_fetches = 0;
    }));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(
        &s,
        "CREATE TABLE t (id INT NOT NULL) WITH ('connector'='datagen', 'number-of-rows'='7')",
    )
    .await;
    double.clear_requests();
    let o = c.submit(&s, "SELECT id FROM t").await;
    let pages = c.pages(&s, &o).await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p["results"]["data"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [0, 3, 3, 1, 0]);
    let requests = double.requests();
    assert_eq!(requests.len(), 6);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].body.as_str()),
        ("POST", r#"{"statement":"SELECT id FROM t"}"#)
    );
    assert_eq!(requests[0].path, format!("/v3/sessions/{s}/statements"));
    assert_eq!(
        requests[1].path,
        format!("/v3/sessions/{s}/operations/{o}/result/0?rowFormat=JSON")
    );
}

#[test]
fn the_double_serves_synchronous_tests() {
    let double = FlinkDouble::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reply = runtime.block_on(async { Client::new(&double).get("/v2/info").await });
    assert_eq!(reply.status, 200);
    drop(double);
}

#[tokio::test]
async fn more_statements_answer_like_flink() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE w (id INT, ts TIMESTAMP(3), proc AS PROCTIME(), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector'='datagen')").await;
    assert_eq!(
        c.rows(&s, "DESC w").await,
        vec![
            json!(["id", "INT", true, null, null, null]),
            json!([
                "ts",
                "TIMESTAMP(3) *ROWTIME*",
                true,
                null,
                null,
                "ts - INTERVAL '5' SECOND"
            ]),
            json!([
                "proc",
                "TIMESTAMP_LTZ(3)",
                false,
                null,
                "AS PROCTIME()",
                null
            ]),
        ]
    );
    c.ok(&s, "CREATE VIEW v AS SELECT id FROM w").await;
    assert_eq!(
        c.rows(&s, "SHOW CREATE VIEW v").await,
        vec![json!([
            "CREATE VIEW `default_catalog`.`default_database`.`v`(`id`)\nAS SELECT id FROM w\n"
        ])]
    );
    let no_type = c
        .failure(&s, "CREATE CATALOG c WITH ('default-database'='x')")
        .await;
    assert_eq!(
        no_type.root_cause(),
        "org.apache.flink.table.api.ValidationException: Catalog options do not contain an option key 'type' for discovering a catalog."
    );
    c.ok(&s, "LOAD MODULE hive WITH ('hive-version'='3.1.3')")
        .await;
    c.ok(&s, "USE MODULES hive").await;
    assert_eq!(
        c.rows(&s, "SHOW FULL MODULES").await,
        vec![json!(["hive", true]), json!(["core", false])]
    );
    c.ok(&s, "UNLOAD MODULE hive").await;
    assert_eq!(c.rows(&s, "SHOW MODULES").await, Vec::<Value>::new());

    c.ok(
        &s,
        "CREATE TABLE sink (id INT) WITH ('connector'='blackhole')",
    )
    .await;
    let plan = c
        .rows(&s, "EXPLAIN INSERT INTO sink SELECT id FROM w")
        .await;
    assert!(
        plan[0][0]
            .as_str()
            .unwrap()
            .contains("Sink(table=[default_catalog.default_database.sink], fields=[id])"),
        "{plan:?}"
    );
    let mismatch = c.failure(&s, "INSERT INTO sink SELECT id, ts FROM w").await;
    assert!(mismatch.root_cause().contains("Column types of query result and sink for 'default_catalog.default_database.sink' do not match."));
    c.ok(&s, "BEGIN STATEMENT SET").await;
    let outside = c.failure(&s, "SELECT 1").await;
    assert!(
        outside.root_cause().contains("Only 'INSERT' statements"),
        "{}",
        outside.root_cause()
    );
    let empty = c.failure(&s, "END").await;
    assert!(empty.root_cause().contains("nothing to submit"));
    let stray = c.failure(&s, "END").await;
    assert!(
        stray
            .root_cause()
            .contains("'END' must follow 'BEGIN STATEMENT SET'")
    );
    let job = c.rows(&s, "INSERT INTO sink SELECT id FROM w").await[0][0]
        .as_str()
        .unwrap()
        .to_string();
    let described = c.rows(&s, &format!("DESCRIBE JOB '{job}'")).await;
    assert_eq!(
        described[0].as_array().unwrap()[..3],
        [
            json!(job),
            json!("insert-into_default_catalog.default_database.sink"),
            json!("RUNNING")
        ]
    );
    let path = c
        .rows(&s, &format!("STOP JOB '{job}' WITH SAVEPOINT"))
        .await;
    assert!(
        path[0][0].as_str().unwrap().starts_with("file:/"),
        "{path:?}"
    );
    let big = format!("SELECT '{}'", "x".repeat(3 * 1024 * 1024));
    let reply = c
        .post(
            &format!("/v3/sessions/{s}/statements"),
            &json!({ "statement": big }).to_string(),
        )
        .await;
    assert_eq!(
        reply.status, 200,
        "bodies above axum's 2 MB default are accepted"
    );
}

/// The DDL of the tables the preview queries read.
const PREVIEW_TABLES: [&str; 2] = [
    "CREATE TABLE orders (id INT NOT NULL, amount DECIMAL(10, 2), note STRING) WITH ('connector'='datagen','number-of-rows'='5')",
    "CREATE TABLE clicks (id INT NOT NULL, url STRING) WITH ('connector'='datagen')",
];

/// The `logicalType`s of a result's columns, by name.
async fn column_types(c: &Client, s: &str, sql: &str) -> Vec<(String, Value)> {
    let operation = c.submit(s, sql).await;
    let page = c.ready(s, &operation).await;
    assert_eq!(page.status, 200, "{sql}: {}", page.body);
    page.json()["results"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|column| {
            (
                column["name"].as_str().expect("a name").to_string(),
                column["logicalType"].clone(),
            )
        })
        .collect()
}

/// The (kind, fields) of every row of a bounded result.
async fn changelog(c: &Client, s: &str, sql: &str) -> Vec<(String, Value)> {
    let operation = c.submit(s, sql).await;
    let pages = c.pages(s, &operation).await;
    assert_eq!(pages.last().expect("pages")["resultType"], "EOS", "{sql}");
    pages
        .iter()
        .flat_map(|p| p["results"]["data"].as_array().cloned().unwrap_or_default())
        .map(|row| {
            (
                row["kind"].as_str().expect("a kind").to_string(),
                row["fields"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn preview_queries_read_derived_tables() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    for ddl in PREVIEW_TABLES {
        c.ok(&s, ddl).await;
    }
    let int_not_null = json!({"type":"INTEGER","nullable":false});
    let string = json!({"type":"VARCHAR","nullable":true,"length":2147483647});

    // Sink order, a typed NULL for the missing column.
    let wrapped = "SELECT `c2` AS `order_id`, `c1` AS `total`, CAST(NULL AS STRING) AS `label` FROM (SELECT amount, id FROM orders WHERE amount > 0) AS `preview`(`c1`, `c2`) LIMIT 100";
    assert_eq!(
        column_types(&c, &s, wrapped).await,
        vec![
            ("order_id".to_string(), int_not_null.clone()),
            (
                "total".to_string(),
                json!({"type":"DECIMAL","nullable":true,"precision":10,"scale":2})
            ),
            ("label".to_string(), string.clone()),
        ]
    );
    let rows = c.rows(&s, wrapped).await;
    assert_eq!(rows.len(), 5);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(*row, json!([i, (i + 1) as f64 * 10.0, null]));
    }

    // VALUES, renamed; literal items of the outer select are CHAR(n) NOT NULL.
    let values = "SELECT `c1` AS `n` FROM (VALUES (1), (2)) AS `preview`(`c1`) LIMIT 100";
    assert_eq!(
        column_types(&c, &s, values).await,
        vec![("n".to_string(), int_not_null.clone())]
    );
    assert_eq!(c.rows(&s, values).await, vec![json!([1]), json!([2])]);
    let partition = "SELECT `c1` AS `id`, `c2` AS `name`, '2026-11-01' AS `dt` FROM (VALUES (1, 'a'), (2, 'b')) AS `preview`(`c1`, `c2`) LIMIT 100";
    assert_eq!(
        column_types(&c, &s, partition).await,
        vec![
            ("id".to_string(), int_not_null.clone()),
            (
                "name".to_string(),
                json!({"type":"CHAR","nullable":false,"length":1})
            ),
            (
                "dt".to_string(),
                json!({"type":"CHAR","nullable":false,"length":10})
            ),
        ]
    );
    assert_eq!(
        c.rows(&s, partition).await,
        vec![json!([1, "a", "2026-11-01"]), json!([2, "b", "2026-11-01"])]
    );

    // An unbounded inner query: the outer LIMIT ends it.
    let unbounded = "SELECT `c1` AS `n` FROM (SELECT id FROM clicks) AS `preview`(`c1`) LIMIT 100";
    let rows = c.rows(&s, unbounded).await;
    assert_eq!(rows, (0..100).map(|i| json!([i])).collect::<Vec<_>>());

    // `*`, with and without a column alias list; the inner LIMIT counts too.
    let star = "SELECT * FROM (SELECT id, note FROM orders) AS `preview` LIMIT 7";
    assert_eq!(
        column_types(&c, &s, star).await,
        vec![
            ("id".to_string(), int_not_null.clone()),
            ("note".to_string(), string.clone())
        ]
    );
    assert_eq!(
        c.rows(&s, star).await,
        (0..5)
            .map(|i| json!([i, format!("row-{i}")]))
            .collect::<Vec<_>>()
    );
    let renamed = "SELECT * FROM (SELECT * FROM orders) AS t(a, b, c)";
    let names: Vec<String> = column_types(&c, &s, renamed)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(c.rows(&s, renamed).await.len(), 5);
    assert_eq!(
        c.rows(&s, "SELECT * FROM (SELECT id FROM orders LIMIT 2) AS t")
            .await,
        vec![json!([0]), json!([1])]
    );

    // Qualified references, literals and nesting.
    let qualified = "SELECT preview.c1, `preview`.`c2` AS x, 7 FROM (SELECT id, note FROM orders) AS preview(c1, c2) LIMIT 2";
    let names: Vec<String> = column_types(&c, &s, qualified)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["c1", "x", "EXPR$2"]);
    assert_eq!(
        c.rows(&s, qualified).await,
        vec![json!([0, "row-0", 7]), json!([1, "row-1", 7])]
    );
    let nested = "SELECT `b` FROM (SELECT `c1` AS `b` FROM (SELECT id FROM clicks) AS p(c1) LIMIT 50) AS q LIMIT 3";
    assert_eq!(
        c.rows(&s, nested).await,
        vec![json!([0]), json!([1]), json!([2])]
    );
    assert_eq!(
        c.rows(&s, "SELECT * FROM (SELECT 1 AS one, 'x') AS t(a, b)")
            .await,
        vec![json!([1, "x"])]
    );
}

#[tokio::test]
async fn casts_type_and_convert_values() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, PREVIEW_TABLES[0]).await;
    let casts = "SELECT CAST(NULL AS STRING), CAST(NULL AS DECIMAL(10, 2)) AS d, CAST(NULL AS INT), CAST(1 AS BIGINT), CAST(id AS STRING) AS s FROM orders LIMIT 2";
    assert_eq!(
        column_types(&c, &s, casts).await,
        vec![
            (
                "EXPR$0".to_string(),
                json!({"type":"VARCHAR","nullable":true,"length":2147483647})
            ),
            (
                "d".to_string(),
                json!({"type":"DECIMAL","nullable":true,"precision":10,"scale":2})
            ),
            (
                "EXPR$2".to_string(),
                json!({"type":"INTEGER","nullable":true})
            ),
            (
                "EXPR$3".to_string(),
                json!({"type":"BIGINT","nullable":false})
            ),
            (
                "s".to_string(),
                json!({"type":"VARCHAR","nullable":false,"length":2147483647})
            ),
        ]
    );
    assert_eq!(
        c.rows(&s, casts).await,
        vec![
            json!([null, null, null, 1, "0"]),
            json!([null, null, null, 1, "1"])
        ]
    );
    assert_eq!(
        c.rows(
            &s,
            "SELECT CAST('42' AS INT), CAST(2.5 AS DECIMAL(3, 0)), CAST('ab' AS CHAR(4)), CAST(1 AS DOUBLE), CAST(amount AS INT) FROM orders LIMIT 1"
        )
        .await,
        vec![json!([42, 3, "ab  ", 1.0, 10])]
    );
    // In VALUES rows, inside and outside a derived table.
    let values = "VALUES (CAST(NULL AS INT)), (2)";
    assert_eq!(
        column_types(&c, &s, values).await,
        vec![(
            "EXPR$0".to_string(),
            json!({"type":"INTEGER","nullable":true})
        )]
    );
    assert_eq!(c.rows(&s, values).await, vec![json!([null]), json!([2])]);
    assert_eq!(
        c.rows(
            &s,
            "SELECT c2, CAST(c1 AS STRING) AS t FROM (VALUES (1, CAST(NULL AS STRING)), (2, 'b')) AS p(c1, c2)"
        )
        .await,
        vec![json!([null, "1"]), json!([ "b", "2"])]
    );
    let bad = c.failure(&s, "SELECT CAST(TRUE AS DATE)").await;
    assert_eq!(
        bad.root_cause(),
        "org.apache.calcite.sql.validate.SqlValidatorException: Cast function cannot convert value of type BOOLEAN to type DATE"
    );
    assert!(
        bad.body
            .contains("From line 1, column 8 to line 1, column 25: Cast function"),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn derived_tables_keep_changelogs_and_pacing() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE t (flag BOOLEAN NOT NULL, id INT) WITH ('connector'='datagen', 'number-of-rows'='4')").await;
    let kinds = |rows: &[(&str, Value)]| -> Vec<(String, Value)> {
        rows.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    assert_eq!(
        changelog(
            &c,
            &s,
            "SELECT `c2` AS `n`, `c1` AS `f` FROM (SELECT flag, COUNT(*) FROM t GROUP BY flag) AS `preview`(`c1`, `c2`) LIMIT 100"
        )
        .await,
        kinds(&[
            ("INSERT", json!([1, true])),
            ("INSERT", json!([1, false])),
            ("UPDATE_BEFORE", json!([1, true])),
            ("UPDATE_AFTER", json!([2, true])),
            ("UPDATE_BEFORE", json!([1, false])),
            ("UPDATE_AFTER", json!([2, false])),
        ])
    );
    // LIMIT over a changelog keeps the first rows with their updates.
    assert_eq!(
        changelog(
            &c,
            &s,
            "SELECT * FROM (SELECT flag, COUNT(*) AS n FROM t GROUP BY flag) AS p LIMIT 1"
        )
        .await,
        kinds(&[
            ("INSERT", json!([true, 1])),
            ("UPDATE_BEFORE", json!([true, 1])),
            ("UPDATE_AFTER", json!([true, 2])),
        ])
    );
    // Views over a GROUP BY read the same way.
    c.ok(
        &s,
        "CREATE VIEW counts AS SELECT flag, COUNT(*) AS n FROM t GROUP BY flag",
    )
    .await;
    assert_eq!(
        changelog(&c, &s, "SELECT n FROM counts").await.len(),
        6,
        "a changelog through a view"
    );

    // Pacing comes from the inner query's table.
    c.ok(
        &s,
        "CREATE TABLE paced (id INT NOT NULL) WITH ('connector'='datagen', 'rows-per-second'='20')",
    )
    .await;
    let started = Instant::now();
    let o = c
        .submit(
            &s,
            "SELECT `c1` AS `n` FROM (SELECT id FROM paced) AS `preview`(`c1`) LIMIT 3",
        )
        .await;
    let mut rows = Vec::new();
    let mut token = 0;
    loop {
        assert!(started.elapsed() < Duration::from_secs(10), "{rows:?}");
        let page = c.fetch(&s, &o, token).await.json();
        if page["resultType"] == "EOS" {
            break;
        }
        rows.extend(
            page["results"]["data"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        token += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rows.len(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "row 2 is due at 100 ms"
    );
    assert!(
        double.jobs().iter().any(|(_, status)| status == "FINISHED"),
        "{:?}",
        double.jobs()
    );
}

#[tokio::test]
async fn derived_table_errors_read_like_calcite() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, PREVIEW_TABLES[0]).await;
    let validator = "org.apache.calcite.sql.validate.SqlValidatorException: ";
    let cases = [
        (
            "SELECT x FROM (SELECT id FROM orders) AS p",
            "Column 'x' not found in any table",
            "From line 1, column 8 to line 1, column 8",
        ),
        (
            "SELECT id FROM (SELECT id FROM orders) AS p(c1)",
            "Column 'id' not found in any table",
            "From line 1, column 8 to line 1, column 9",
        ),
        (
            "SELECT p.x FROM (SELECT id FROM orders) AS p",
            "Column 'x' not found in table 'p'",
            "From line 1, column 10 to line 1, column 10",
        ),
        (
            "SELECT q.id FROM (SELECT id FROM orders) AS p",
            "Table 'q' not found",
            "From line 1, column 8 to line 1, column 8",
        ),
        (
            "SELECT * FROM (SELECT * FROM (VALUES (1, 2)) AS v(a, b)) AS t(x, y, z)",
            "List of column aliases must have same degree as table; table has 2 columns ('a', 'b'), whereas alias list has 3 columns",
            "From line 1, column 63 to line 1, column 69",
        ),
        (
            "SELECT * FROM (SELECT id, note FROM orders) t(a, a)",
            "Duplicate name 'a' in column alias list",
            "From line 1, column 50 to line 1, column 50",
        ),
        (
            "SELECT * FROM (SELECT nope FROM orders) AS p",
            "Column 'nope' not found in any table",
            "From line 1, column 23 to line 1, column 26",
        ),
        (
            "SELECT * FROM (SELECT id FROM missing) AS p",
            "Object 'missing' not found",
            "From line 1, column 31 to line 1, column 37",
        ),
    ];
    for (sql, message, position) in cases {
        let failure = c.failure(&s, sql).await;
        assert_eq!(
            failure.root_cause(),
            format!("{validator}{message}"),
            "{sql}"
        );
        assert!(
            failure.body.contains(&format!(
                "org.apache.flink.table.api.ValidationException: SQL validation failed. {position}: {message}"
            )),
            "{sql}: {}",
            failure.body
        );
    }
    let unclosed = c
        .failure(&s, "SELECT * FROM (SELECT id FROM orders AS p")
        .await;
    assert!(
        unclosed.root_cause().contains("Encountered \"<EOF>\""),
        "{}",
        unclosed.root_cause()
    );
}

/// A persistent catalog: a Paimon warehouse every session can reach.
const LAKE: &str = "CREATE CATALOG lake WITH ('type'='paimon', 'warehouse'='s3://w')";

/// A bounded table of 2 rows, to query.
const LAKE_ORDERS: &str = "CREATE TABLE lake.default_database.orders (id INT NOT NULL, note STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector'='datagen', 'number-of-rows'='2')";

/// An in-memory catalog, which is its session's alone.
const SCRATCH: &str = "CREATE CATALOG scratch WITH ('type'='generic_in_memory')";

/// A double that answers every fetch at once, and a client of it.
fn prompt_double() -> (FlinkDouble, Client) {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let client = Client::new(&double);
    (double, client)
}

/// A new session with the `lake` catalog.
async fn lake_session(c: &Client) -> String {
    let s = c.open().await;
    c.ok(&s, LAKE).await;
    s
}

/// Asserts that session `s` sees no table in `catalog`.`default_database`.
async fn assert_no_tables(c: &Client, s: &str, catalog: &str) {
    assert_eq!(
        tables_in(c, s, catalog).await,
        Vec::<Value>::new(),
        "tables of {catalog} in session {s}"
    );
}

/// The tables of `catalog`.`default_database`, as `SHOW TABLES FROM` lists them.
async fn tables_in(c: &Client, s: &str, catalog: &str) -> Vec<Value> {
    c.rows(s, &format!("SHOW TABLES FROM {catalog}.default_database"))
        .await
}

#[tokio::test]
async fn paimon_catalog_in_two_sessions_shares_its_objects() {
    let (_double, c) = prompt_double();
    let (a, b) = (lake_session(&c).await, lake_session(&c).await);
    c.ok(&a, LAKE_ORDERS).await;

    assert_eq!(tables_in(&c, &b, "lake").await, vec![json!(["orders"])]);
    c.ok(&b, "USE CATALOG lake").await;
    assert_eq!(
        c.rows(&b, "DESCRIBE orders").await,
        vec![
            json!(["id", "INT", false, "PRI(id)", null, null]),
            json!(["note", "STRING", true, null, null, null])
        ]
    );
    assert_eq!(
        c.rows(&b, "SELECT id FROM orders").await,
        vec![json!([0]), json!([1])]
    );
    let duplicate = c.failure(&b, LAKE_ORDERS).await;
    assert!(
        duplicate
            .root_cause()
            .ends_with("Table (or view) default_database.orders already exists in Catalog lake."),
        "{}",
        duplicate.root_cause()
    );
    c.ok(&b, "CREATE DATABASE sales").await;
    c.ok(
        &b,
        "CREATE VIEW sales.ids AS SELECT id FROM default_database.orders",
    )
    .await;
    c.ok(&b, "CREATE FUNCTION sales.f AS 'com.example.F'").await;
    assert_eq!(
        c.rows(&a, "SHOW DATABASES FROM lake").await,
        vec![json!(["default_database"]), json!(["sales"])]
    );
    assert_eq!(
        c.rows(&a, "SHOW VIEWS FROM lake.sales").await,
        vec![json!(["ids"])]
    );
    c.ok(&a, "USE lake.sales").await;
    assert_eq!(c.rows(&a, "SHOW USER FUNCTIONS").await, vec![json!(["f"])]);
    assert_eq!(c.rows(&a, "SELECT * FROM ids").await.len(), 2);
    c.ok(
        &a,
        "ALTER TABLE default_database.orders SET ('number-of-rows'='1')",
    )
    .await;
    assert_eq!(c.rows(&b, "SELECT * FROM orders").await.len(), 1);

    c.ok(&a, "DROP TABLE lake.default_database.orders").await;
    assert_no_tables(&c, &b, "lake").await;
    let gone = c.failure(&b, "DESCRIBE orders").await;
    assert_eq!(
        gone.root_cause(),
        "org.apache.flink.table.api.ValidationException: Tables or views with the identifier 'lake.default_database.orders' doesn't exist."
    );
    // default_catalog stays per session.
    assert_no_tables(&c, &b, "default_catalog").await;
}

#[tokio::test]
async fn restart_with_paimon_and_in_memory_catalogs_keeps_only_the_paimon_tables() {
    let (double, c) = prompt_double();
    let s = lake_session(&c).await;
    c.ok(&s, LAKE_ORDERS).await;
    c.ok(&s, SCRATCH).await;
    c.ok(&s, "CREATE TABLE scratch.default_database.notes (id INT)")
        .await;
    c.ok(&s, "CREATE TABLE local_notes (id INT)").await;

    double.restart();
    let s = c.open().await;
    assert_eq!(
        c.rows(&s, "SHOW CATALOGS").await,
        vec![json!(["default_catalog"])],
        "the catalogs are registered per session"
    );
    c.ok(&s, LAKE).await;
    c.ok(&s, SCRATCH).await;
    assert_eq!(tables_in(&c, &s, "lake").await, vec![json!(["orders"])]);
    assert_eq!(
        c.rows(&s, "SELECT id FROM lake.default_database.orders")
            .await
            .len(),
        2
    );
    assert_no_tables(&c, &s, "scratch").await;
    assert_no_tables(&c, &s, "default_catalog").await;
}

#[tokio::test]
async fn paimon_catalog_over_another_warehouse_is_another_store() {
    let (_double, c) = prompt_double();
    let s = lake_session(&c).await;
    c.ok(&s, LAKE_ORDERS).await;
    c.ok(
        &s,
        "CREATE CATALOG other WITH ('type'='paimon', 'warehouse'='s3://other')",
    )
    .await;
    assert_no_tables(&c, &s, "other").await;
    c.ok(
        &s,
        "CREATE CATALOG hive WITH ('type'='hive', 'warehouse'='s3://w')",
    )
    .await;
    assert_no_tables(&c, &s, "hive").await;
    c.ok(
        &s,
        "CREATE CATALOG lake2 WITH ('warehouse'='s3://w', 'type'='paimon')",
    )
    .await;
    assert_eq!(
        tables_in(&c, &s, "lake2").await,
        vec![json!(["orders"])],
        "the name and the order of the options do not make another store"
    );

    let t = c.open().await;
    c.ok(
        &t,
        "CREATE CATALOG lake WITH ('type'='paimon', 'warehouse'='s3://other')",
    )
    .await;
    assert_no_tables(&c, &t, "lake").await;
}

#[tokio::test]
async fn drop_catalog_of_a_paimon_catalog_keeps_its_tables() {
    let (_double, c) = prompt_double();
    let s = lake_session(&c).await;
    c.ok(&s, LAKE_ORDERS).await;
    c.ok(&s, "DROP CATALOG lake").await;
    assert_eq!(
        c.rows(&s, "SHOW CATALOGS").await,
        vec![json!(["default_catalog"])]
    );
    let unregistered = c
        .failure(&s, "SHOW TABLES FROM lake.default_database")
        .await;
    assert_eq!(
        unregistered.root_cause(),
        "org.apache.flink.table.api.ValidationException: Database 'lake'.'default_database' doesn't exist."
    );
    c.ok(&s, LAKE).await;
    assert_eq!(tables_in(&c, &s, "lake").await, vec![json!(["orders"])]);

    c.ok(&s, SCRATCH).await;
    c.ok(&s, "CREATE TABLE scratch.default_database.notes (id INT)")
        .await;
    c.ok(&s, "DROP CATALOG scratch").await;
    c.ok(&s, SCRATCH).await;
    // An in-memory catalog goes with its registration.
    assert_no_tables(&c, &s, "scratch").await;
}

#[tokio::test]
async fn temporary_table_in_a_paimon_catalog_stays_in_its_session() {
    let (double, c) = prompt_double();
    let (a, b) = (lake_session(&c).await, lake_session(&c).await);
    c.ok(&a, "CREATE TEMPORARY TABLE lake.default_database.tmp (id INT) WITH ('connector'='datagen', 'number-of-rows'='2')").await;
    c.ok(
        &a,
        "CREATE TEMPORARY VIEW lake.default_database.tmp_ids AS SELECT id FROM lake.default_database.tmp",
    )
    .await;
    assert_eq!(
        tables_in(&c, &a, "lake").await,
        vec![json!(["tmp"]), json!(["tmp_ids"])]
    );
    assert_eq!(
        c.rows(&a, "SELECT * FROM lake.default_database.tmp_ids")
            .await
            .len(),
        2
    );
    assert_no_tables(&c, &b, "lake").await;

    c.ok(
        &a,
        "ALTER TABLE lake.default_database.tmp RENAME TO lake.default_database.tmp2",
    )
    .await;
    assert_eq!(
        tables_in(&c, &a, "lake").await,
        vec![json!(["tmp2"]), json!(["tmp_ids"])]
    );
    assert_no_tables(&c, &b, "lake").await;
    c.ok(&a, "DROP TEMPORARY VIEW lake.default_database.tmp_ids")
        .await;
    assert_eq!(tables_in(&c, &a, "lake").await, vec![json!(["tmp2"])]);

    double.restart();
    let s = lake_session(&c).await;
    assert_no_tables(&c, &s, "lake").await;
}

/// Creates `t` (`columns`) of two datagen rows and starts `SELECT * FROM
/// t`: its operation, fetched up to its first (empty) page.
async fn two_rows_started(c: &Client, s: &str, columns: &str) -> String {
    let create =
        format!("CREATE TABLE t ({columns}) WITH ('connector'='datagen', 'number-of-rows'='2')");
    c.ok(s, &create).await;
    let o = c.submit(s, "SELECT * FROM t").await;
    c.ready(s, &o).await;
    o
}

/// The LTZ value of row 1 of a datagen table, as JSON and PLAIN_TEXT, in a
/// session opened with `properties`.
async fn ltz_of_row_1(c: &Client, properties: &str) -> (Value, Value) {
    let s = c
        .post("/v3/sessions", &format!(r#"{{"properties":{properties}}}"#))
        .await
        .json()["sessionHandle"]
        .as_str()
        .unwrap()
        .to_string();
    let o = two_rows_started(c, &s, "ltz TIMESTAMP_LTZ(3)").await;
    let json = c.rows(&s, "SELECT * FROM t").await;
    let plain = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{o}/result/1?rowFormat=PLAIN_TEXT"
        ))
        .await
        .json();
    (
        json[1][0].clone(),
        plain["results"]["data"][1]["fields"][0].clone(),
    )
}

#[tokio::test]
async fn issue_18_an_unset_or_default_zone_is_the_jvms() {
    let double = FlinkDouble::start_with(options(|o| o.jvm_zone = Some("Asia/Shanghai")));
    let c = Client::new(&double);
    for properties in ["{}", r#"{"table.local-time-zone":"default"}"#] {
        assert_eq!(
            ltz_of_row_1(&c, properties).await,
            (
                json!("2024-01-01T08:00:01.001Z"),
                json!("2024-01-01 08:00:01.001")
            ),
            "{properties}"
        );
    }
    assert_eq!(
        ltz_of_row_1(&c, r#"{"table.local-time-zone":"UTC"}"#).await,
        (
            json!("2024-01-01T00:00:01.001Z"),
            json!("2024-01-01 00:00:01.001")
        )
    );
    // Without a JVM zone the JVM runs in UTC.
    let utc = FlinkDouble::start();
    assert_eq!(
        ltz_of_row_1(&Client::new(&utc), "{}").await.0,
        json!("2024-01-01T00:00:01.001Z")
    );
}

#[tokio::test]
async fn issue_18_before_flink_1_19_ltz_json_is_the_utc_instant() {
    let zone = r#"{"table.local-time-zone":"Asia/Shanghai"}"#;
    let old = FlinkDouble::start_with(options(|o| o.flink_version = "1.18.1"));
    let c = Client::new(&old);
    assert_eq!(
        c.get("/v1/info").await.body,
        r#"{"productName":"Apache Flink","version":"1.18.1"}"#
    );
    // JSON: the UTC instant with Z; PLAIN_TEXT: still the session zone.
    assert_eq!(
        ltz_of_row_1(&c, zone).await,
        (
            json!("2024-01-01T00:00:01.001Z"),
            json!("2024-01-01 08:00:01.001")
        )
    );
    let new = FlinkDouble::start_with(options(|o| o.flink_version = "1.19.0"));
    assert_eq!(
        ltz_of_row_1(&Client::new(&new), zone).await,
        (
            json!("2024-01-01T08:00:01.001Z"),
            json!("2024-01-01 08:00:01.001")
        )
    );
}

#[tokio::test]
async fn issue_18_a_broken_fetch_moves_the_token_and_serves_the_page_again() {
    let double = FlinkDouble::start_with(options(|o| o.break_fetch = Some(1)));
    let c = Client::new(&double);
    let s = c.open().await;
    let o = two_rows_started(&c, &s, "a INT").await;
    let url = format!(
        "{}/v3/sessions/{s}/operations/{o}/result/1?rowFormat=JSON",
        double.url()
    );
    let broken = match reqwest::get(&url).await {
        Ok(response) => response.bytes().await.map(drop),
        Err(err) => Err(err),
    };
    assert!(broken.is_err(), "the answer is lost");
    // The token moved on: 1 is now `current - 1`, served again, whole.
    let again = c.fetch(&s, &o, 1).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.json()["results"]["data"],
        json!([{"kind":"INSERT","fields":[0]},{"kind":"INSERT","fields":[1]}])
    );
    assert_eq!(
        again.json()["nextResultUri"],
        format!("/v3/sessions/{s}/operations/{o}/result/2?rowFormat=JSON")
    );
    // Only once.
    assert_eq!(c.fetch(&s, &o, 1).await.status, 200);
    assert_eq!(c.fetch(&s, &o, 2).await.json()["resultType"], "EOS");
}

/// The API versions each Flink release's gateway serves (docs/flink-sql-gateway-rest.md §0).
const RELEASE_VERSIONS: [(&str, &str); 6] = [
    ("1.16.3", r#"["V1"]"#),
    ("1.17.2", r#"["V1","V2"]"#),
    ("1.18.1", r#"["V1","V2"]"#),
    ("1.19.1", r#"["V1","V2"]"#),
    ("1.20.0", r#"["V1","V2","V3"]"#),
    ("2.0.0", r#"["V1","V2","V3","V4"]"#),
];

/// Token 0 of an operation on API version `v`, once it is not NOT_READY.
async fn ready_on(c: &Client, v: usize, s: &str, o: &str) -> Reply {
    let format = if v >= 2 { "?rowFormat=JSON" } else { "" };
    for _ in 0..20 {
        let reply = c
            .get(&format!(
                "/v{v}/sessions/{s}/operations/{o}/result/0{format}"
            ))
            .await;
        if reply.status != 200 || reply.json()["resultType"] != "NOT_READY" {
            return reply;
        }
    }
    panic!("operation {o} never got ready");
}

/// Submits `sql` on API version `v`: its first page once ready.
async fn run_on(c: &Client, v: usize, s: &str, sql: &str) -> Reply {
    let submitted = c
        .post(
            &format!("/v{v}/sessions/{s}/statements"),
            &json!({ "statement": sql }).to_string(),
        )
        .await;
    assert_eq!(submitted.status, 200, "{sql}: {}", submitted.body);
    let o = submitted.json()["operationHandle"]
        .as_str()
        .unwrap()
        .to_string();
    ready_on(c, v, s, &o).await
}

/// Issue 18: the double is each Flink release of the matrix: the API
/// versions it lists and routes, `/info`, the result body of 1.16 (no
/// isQueryResult, jobID, resultKind; `results` first) and of 1.17+ on
/// every API version, and the catalog statements each release parses.
#[tokio::test]
async fn issue_18_the_double_is_each_flink_release() {
    for (release, versions) in RELEASE_VERSIONS {
        let double = FlinkDouble::start_with(DoubleOptions::flink(release));
        let c = Client::new(&double);
        assert_eq!(
            c.get("/v1/api_versions").await.body,
            format!(r#"{{"versions":{versions}}}"#)
        );
        assert_eq!(
            c.get("/v1/info").await.body,
            format!(r#"{{"productName":"Apache Flink","version":"{release}"}}"#)
        );
        let newest = versions.matches('V').count();
        let beyond = c.post(&format!("/v{}/sessions", newest + 1), "{}").await;
        assert_eq!(beyond.status, 404, "{release}: {}", beyond.body);
        let opened = c.post(&format!("/v{newest}/sessions"), "{}").await;
        let s = opened.json()["sessionHandle"].as_str().unwrap().to_string();
        let created = run_on(
            &c,
            newest,
            &s,
            "CREATE TABLE t (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')",
        )
        .await;
        assert_eq!(created.status, 200, "{release}: {}", created.body);
        assert_eq!(
            created.json()["results"]["data"],
            json!([{"kind": "INSERT", "fields": ["OK"]}])
        );
        // Every API version of a release gets that release's body.
        let v1 = run_on(&c, 1, &s, "SELECT a FROM t").await;
        assert_eq!(v1.status, 200, "{release}: {}", v1.body);
        if release == "1.16.3" {
            assert!(
                created
                    .body
                    .starts_with(r#"{"results":{"columns":[{"name":"result","#),
                "{}",
                created.body
            );
            assert!(
                created
                    .body
                    .contains(r#"]}]},"resultType":"PAYLOAD","nextResultUri":"/v1/sessions/"#),
                "{}",
                created.body
            );
            for key in ["isQueryResult", "jobID", "resultKind", "rowFormat"] {
                assert!(
                    !created.body.contains(key) && !v1.body.contains(key),
                    "{release}: {key}"
                );
            }
            let next = created.json()["nextResultUri"]
                .as_str()
                .unwrap()
                .to_string();
            let eos = c.get(&next).await;
            assert!(
                eos.body
                    .ends_with(r#""data":[]},"resultType":"EOS","nextResultUri":null}"#),
                "{}",
                eos.body
            );
        } else {
            assert!(
                created.body.starts_with(r#"{"resultType":"PAYLOAD","isQueryResult":false,"resultKind":"SUCCESS","results":"#),
                "{release}: {}",
                created.body
            );
            assert!(
                v1.body
                    .starts_with(r#"{"resultType":"PAYLOAD","isQueryResult":true,"jobID":""#),
                "{release}: {}",
                v1.body
            );
        }
        // SHOW DATABASES FROM parses from 1.19, SHOW VIEWS FROM from 2.0.
        let databases = run_on(&c, newest, &s, "SHOW DATABASES FROM default_catalog").await;
        let views = run_on(
            &c,
            newest,
            &s,
            "SHOW VIEWS FROM default_catalog.default_database",
        )
        .await;
        let minor: u32 = release.split('.').nth(1).unwrap().parse().unwrap();
        let (databases_from, views_from) = if release.starts_with('2') {
            (true, true)
        } else {
            (minor >= 19, false)
        };
        assert_eq!(
            databases.status == 200,
            databases_from,
            "{release}: {}",
            databases.body
        );
        assert_eq!(views.status == 200, views_from, "{release}: {}", views.body);
        if !views_from {
            assert!(
                views
                    .root_cause()
                    .contains(r#"Encountered "FROM" at line 1, column 12."#),
                "{release}: {}",
                views.root_cause()
            );
        }
        let current = run_on(&c, newest, &s, "SHOW VIEWS").await;
        assert_eq!(
            current.status, 200,
            "{release}: the unqualified form parses"
        );
    }
}

/// Issue 18: one operation runs per session; a later one is PENDING (and
/// its fetches NOT_READY, without progress) until the earlier one is done;
/// other sessions are not held up.
#[tokio::test]
async fn issue_18_one_operation_runs_per_session() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 2));
    let c = Client::new(&double);
    let s = c.open().await;
    let first = c.submit(&s, "SHOW CATALOGS").await;
    let second = c.submit(&s, "SHOW DATABASES").await;
    let status = |o: String| {
        let s = s.clone();
        let c = &c;
        async move {
            c.get(&format!("/v3/sessions/{s}/operations/{o}/status"))
                .await
                .json()["status"]
                .clone()
        }
    };
    assert_eq!(status(first.clone()).await, "RUNNING");
    assert_eq!(status(second.clone()).await, "PENDING");
    for _ in 0..3 {
        assert_eq!(
            c.fetch(&s, &second, 0).await.json()["resultType"],
            "NOT_READY"
        );
    }
    assert_eq!(double.pending_fetches(), 3);
    let other = c.open().await;
    let elsewhere = c.submit(&other, "SHOW CATALOGS").await;
    assert_eq!(c.ready(&other, &elsewhere).await.status, 200);
    assert_eq!(double.pending_fetches(), 3, "another session does not wait");
    assert_eq!(c.ready(&s, &first).await.json()["resultType"], "PAYLOAD");
    assert_eq!(status(second.clone()).await, "RUNNING");
    // Its own NOT_READY fetches only start now.
    assert_eq!(
        c.fetch(&s, &second, 0).await.json()["resultType"],
        "NOT_READY"
    );
    assert_eq!(c.ready(&s, &second).await.json()["resultType"], "PAYLOAD");
    assert_eq!(double.pending_fetches(), 3);
}

/// Issue 18: a MULTISET whose element is not a string makes JSON pages
/// fail like a MAP with such a key, and a page holding RAW values fails
/// (a RAW column itself is written); PLAIN_TEXT carries them all, as CAST
/// strings.
#[tokio::test]
async fn issue_18_multisets_and_raw_values_need_plain_text() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(&s, "CREATE TABLE odd (id INT, names MULTISET<STRING>, ids MULTISET<INT>, r RAW('java.lang.String', 'AAA')) WITH ('connector'='datagen', 'number-of-rows'='1')").await;
    assert_eq!(
        c.rows(&s, "SELECT id, names FROM odd").await,
        vec![json!([0, {"row-0": 1}])]
    );
    let ids = c.submit(&s, "SELECT ids FROM odd").await;
    let json_page = c.fetch(&s, &ids, 0).await;
    assert_eq!(
        (json_page.status, json_page.body.as_str()),
        (
            500,
            r#"{"errors":["Internal server error. Could not map response to JSON."]}"#
        )
    );
    let raw = c.submit(&s, "SELECT id, r FROM odd").await;
    let first = c.fetch(&s, &raw, 0).await;
    assert_eq!(first.status, 200, "a RAW column is written: {}", first.body);
    assert!(first.body.contains(r#"{"name":"r","logicalType":{"type":"RAW","nullable":true,"class":"java.lang.String","serializer":"#), "{}", first.body);
    assert_eq!(c.fetch(&s, &raw, 1).await.status, 500, "its values are not");
    let plain = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{raw}/result/1?rowFormat=PLAIN_TEXT"
        ))
        .await;
    assert_eq!(
        plain.json()["results"]["data"],
        json!([{"kind": "INSERT", "fields": ["0", "raw-0"]}])
    );
    let plain = c
        .get(&format!(
            "/v3/sessions/{s}/operations/{ids}/result/0?rowFormat=PLAIN_TEXT"
        ))
        .await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    let described = c.rows(&s, "DESCRIBE odd").await;
    assert_eq!(described[2][1], json!("MULTISET<INT>"));
    assert_eq!(described[3][1], json!("RAW('java.lang.String', '...')"));
}

/// A view's names resolve in the catalog and database it was created in
/// (Flink stores the expanded query), not in the one current when it is
/// read or described.
#[tokio::test]
async fn views_resolve_names_where_they_were_created() {
    let double = FlinkDouble::start_with(options(|o| o.not_ready_fetches = 0));
    let c = Client::new(&double);
    let s = c.open().await;
    c.ok(
        &s,
        "CREATE TABLE t (a INT) WITH ('connector'='datagen', 'number-of-rows'='1')",
    )
    .await;
    c.ok(&s, "CREATE VIEW v AS SELECT a FROM t").await;
    c.ok(&s, "CREATE DATABASE other").await;
    c.ok(&s, "USE other").await;
    assert_eq!(
        c.rows(&s, "SELECT * FROM default_database.v").await,
        vec![json!([0])]
    );
    assert_eq!(
        c.rows(&s, "DESCRIBE default_database.v").await[0][0],
        json!("a")
    );
    assert_eq!(c.failure(&s, "SELECT * FROM t").await.status, 500);
}
