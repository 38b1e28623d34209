//! Jobs through the Flink Kubernetes Operator, end to end (issue 15):
//! `scaleph serve --http-listen` against the Kubernetes API-server double
//! and its operator simulator (`support::kube`), through a pgwire client.
//! A session cluster READY → a session job RUNNING from the jar scaleph
//! serves → SAVEPOINT / SUSPEND / RESUME / STOP; the watch (idle jobs
//! cost no GETs); ALTER CLUSTER reconciled; an application job that
//! finishes → its resource deleted, its history kept; a failing job; the
//! operator's 1.15 refusal of an http jarURI explained, and the same
//! defaults fetching the jar over https from a scaleph with a certificate
//! of a CA the operator trusts; DESCRIBE JOB showing the operator's
//! Events; an API server that forbids everything, or is gone; a restart
//! that re-attaches.

use std::time::{Duration, Instant};

use crate::support::kube::{CrdVersion, KubeDouble, KubeOptions};
use crate::support::{Gateway, tls};

/// Both state directories: the operator refuses savepoint mode without.
const STATE_DIRS: &str =
    "'savepoint.dir' = 's3://bucket/savepoints', 'checkpoint.dir' = 's3://bucket/checkpoints'";

/// A double whose operator accepts scaleph's http jar URL on loopback
/// (the two operator options OPERATOR.md §4 names).
fn double(crds: CrdVersion) -> KubeDouble {
    let mut options = KubeOptions::new(crds);
    options.allowed_schemes = vec!["https".into(), "http".into()];
    options.disallow_restricted_hosts = false;
    KubeDouble::start_with(options)
}

/// A double with operator 1.15's default allowlist (https only) that
/// allows loopback hosts (the jar server is on this machine) and trusts
/// the test CA, as an operator whose JVM truststore has scaleph's CA.
fn https_double(trusting: bool) -> KubeDouble {
    let mut options = KubeOptions::new(CrdVersion::Release1_15);
    options.disallow_restricted_hosts = false;
    options.trusted_ca_pem = trusting.then(tls::ca_pem);
    KubeDouble::start_with(options)
}

fn gateway() -> Gateway {
    gateway_serving_on("127.0.0.1:0")
}

/// A gateway serving job jars on `http` (a fixed address, for a restart
/// that must serve the URLs the operator already has).
fn gateway_serving_on(http: &str) -> Gateway {
    gateway_with(&["--http-listen", http])
}

/// A gateway serving job jars over https with the test CA's certificate.
fn https_gateway() -> Gateway {
    let flags = tls::https_flags();
    gateway_with(&flags.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A gateway with `flags` and a fast job tracker.
fn gateway_with(flags: &[&str]) -> Gateway {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
    let config = dir.path().join("scaleph.toml");
    std::fs::write(&config, "[jobs]\npoll_interval = \"200 ms\"\n").unwrap();
    let mut flags = flags.to_vec();
    flags.extend(["--config", config.to_str().unwrap()]);
    Gateway::start_with(dir.path().join("data"), Some(dir.clone()), &flags)
}

async fn state(
    client: &tokio_postgres::Client,
    job: &str,
) -> (String, Option<String>, Option<String>) {
    let row = client
        .query_one(
            "SELECT state, reason, flink_job_id FROM scaleph.jobs WHERE name = $1",
            &[&job],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

async fn wait_state(
    client: &tokio_postgres::Client,
    job: &str,
    want: &str,
) -> (String, Option<String>, Option<String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = state(client, job).await;
        if now.0 == want {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{job} never became {want}: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn code(err: &tokio_postgres::Error) -> (String, String) {
    let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
    (db.code().code().to_string(), db.message().to_string())
}

/// What someone else does to session job `name` with kubectl: a merge
/// patch of its spec (`Some`), or a delete (`None`); asserts it worked.
async fn behind_scalephs_back(kube: &KubeDouble, name: &str, patch: Option<&str>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!(
        "{}/apis/flink.apache.org/v1beta1/namespaces/default/flinksessionjobs/{name}",
        kube.url()
    );
    let http = reqwest::Client::new();
    let request = match patch {
        Some(body) => http
            .patch(url)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string()),
        None => http.delete(url),
    };
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

/// A scaleph serving job jars on a fixed address (a restart must serve the
/// URLs the operator already has), a session cluster `k8s` on `kube`,
/// and a client.
async fn restartable_session(kube: &KubeDouble) -> (String, Gateway, tokio_postgres::Client) {
    let http = format!("127.0.0.1:{}", crate::support::services::closed_port());
    let gateway = gateway_serving_on(&http);
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS})",
            kube.url()
        ))
        .await
        .unwrap();
    (http, gateway, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_job_runs_from_the_jar_scaleph_serves_and_moves_by_the_operators_means() {
    for crds in [CrdVersion::Release1_15, CrdVersion::Main] {
        let kube = double(crds);
        let gateway = gateway();
        let (client, notices) = gateway.client_with_notices().await;
        client
            .batch_execute(&format!(
                "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS})",
                kube.url()
            ))
            .await
            .unwrap();
        let deployment = kube
            .object("flinkdeployments", "default", "k8s")
            .expect("the FlinkDeployment");
        assert_eq!(deployment["status"]["jobManagerDeploymentStatus"], "READY");
        assert_eq!(
            deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "scaleph"
        );
        assert!(notices.lock().unwrap().iter().any(|n| n.contains("READY")));

        client
            .batch_execute(
                "CREATE JOB sj ON CLUSTER k8s WITH (parallelism = 1) AS INSERT INTO sink SELECT 1",
            )
            .await
            .unwrap();
        let (running, _, id) = state(&client, "sj").await;
        assert_eq!(running, "RUNNING");
        let fetched = kube.fetched_jars();
        assert_eq!(
            fetched.len(),
            1,
            "the operator fetched the jar from scaleph"
        );
        assert!(fetched[0].bytes.starts_with(b"PK"));
        assert!(
            fetched[0].uri.starts_with("http://127.0.0.1:"),
            "{}",
            fetched[0].uri
        );
        let session_job = kube.object("flinksessionjobs", "default", "sj").unwrap();
        assert_eq!(session_job["spec"]["deploymentName"], "k8s");
        assert_eq!(
            session_job["status"]["jobStatus"]["jobId"].as_str(),
            id.as_deref()
        );

        // Idle: the tracker watches, it does not poll. Once its watch is
        // open, nothing is asked again.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !kube
            .requests()
            .iter()
            .any(|r| r.verb == "watch" && r.query.contains("labelSelector"))
        {
            assert!(Instant::now() < deadline, "the tracker never watched");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        kube.clear_requests();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let gets = kube
            .requests()
            .iter()
            .filter(|r| r.verb == "get" || r.verb == "list")
            .count();
        assert_eq!(gets, 0, "{:?}", kube.requests());

        let taken: String = client
            .query_one("SAVEPOINT JOB sj", &[])
            .await
            .unwrap()
            .get("savepoint_path");
        assert!(!taken.is_empty());
        let suspended: String = client
            .query_one("SUSPEND JOB sj", &[])
            .await
            .unwrap()
            .get("savepoint_path");
        assert!(!suspended.is_empty());
        assert_eq!(state(&client, "sj").await.0, "SUSPENDED");
        client.batch_execute("RESUME JOB sj").await.unwrap();
        assert_eq!(state(&client, "sj").await.0, "RUNNING");
        let submissions = kube.submissions("sj");
        assert_eq!(
            submissions
                .last()
                .and_then(|s| s.savepoint.clone())
                .as_deref(),
            Some(suspended.as_str())
        );

        // ALTER JOB on a running job: the operator upgrades it now.
        client
            .batch_execute("ALTER JOB sj SET (parallelism = 2)")
            .await
            .unwrap();
        assert_eq!(
            kube.object("flinksessionjobs", "default", "sj").unwrap()["spec"]["job"]["parallelism"],
            2
        );
        assert_eq!(state(&client, "sj").await.0, "RUNNING");

        client
            .batch_execute("ALTER CLUSTER k8s SET ('taskmanager.slots' = '4')")
            .await
            .unwrap();
        let deployment = kube.object("flinkdeployments", "default", "k8s").unwrap();
        assert_eq!(
            deployment["spec"]["flinkConfiguration"]["taskmanager.numberOfTaskSlots"],
            "4"
        );
        assert_eq!(
            deployment["metadata"]["generation"],
            deployment["status"]["observedGeneration"]
        );

        let err = client.batch_execute("DROP CLUSTER k8s").await.unwrap_err();
        assert_eq!(code(&err).0, "2BP01");
        client.batch_execute("STOP JOB sj").await.unwrap();
        assert_eq!(state(&client, "sj").await.0, "STOPPED");
        assert!(
            kube.object("flinksessionjobs", "default", "sj").is_none(),
            "a stopped job's resource is deleted"
        );
        client
            .batch_execute("DROP JOB sj; DROP CLUSTER k8s")
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_application_job_that_finishes_is_cleaned_up_and_a_failing_one_says_why() {
    let kube = double(CrdVersion::Release1_15);
    let gateway = gateway();
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER apps TYPE KUBERNETES_APPLICATION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS})",
            kube.url()
        ))
        .await
        .unwrap();
    kube.finish_after("batch", Duration::from_millis(300));
    client
        .batch_execute("CREATE JOB batch ON CLUSTER apps AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    wait_state(&client, "batch", "FINISHED").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while kube
        .object("flinkdeployments", "default", "batch")
        .is_some()
    {
        assert!(
            Instant::now() < deadline,
            "the finished job's FlinkDeployment stays"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let events: i64 = client
        .query_one(
            "SELECT count(*) FROM scaleph.job_events WHERE job = 'batch'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(events >= 3, "history kept after the resource is gone");

    kube.fail_after(
        "boom",
        Duration::from_millis(300),
        "java.lang.RuntimeException: boom",
    );
    client
        .batch_execute("CREATE JOB boom ON CLUSTER apps AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    let (_, reason, _) = wait_state(&client, "boom", "FAILED").await;
    assert!(reason.unwrap_or_default().contains("boom"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operators_refusal_of_an_http_jar_is_explained_and_nothing_is_left() {
    // Operator 1.15's defaults: https only, no loopback hosts (§4); then
    // loopback hosts allowed, so the scheme alone is refused.
    for restricted in [true, false] {
        let mut options = KubeOptions::new(CrdVersion::Release1_15);
        options.disallow_restricted_hosts = restricted;
        let kube = KubeDouble::start_with(options);
        let gateway = gateway();
        let client = gateway.client().await;
        client
            .batch_execute(&format!(
                "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS})",
                kube.url()
            ))
            .await
            .unwrap();
        let err = client
            .batch_execute("CREATE JOB refused ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
            .await
            .unwrap_err();
        let (_, message) = code(&err);
        assert!(
            message.contains("jarURI scheme 'http' is not in the allowlist [https]"),
            "{message}"
        );
        let left: i64 = client
            .query_one("SELECT count(*) FROM scaleph.jobs", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(left, 0);
        // Deleted (the operator's finalizer goes first).
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Some(object) = kube.object("flinksessionjobs", "default", "refused") {
            assert!(
                Instant::now() < deadline,
                "the refused job's resource stays: {object}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(kube.fetched_jars().is_empty());
    }
}

/// Issue 15: the operator's default allowlist (https only) takes scaleph's
/// jar URL once scaleph serves TLS with a certificate the operator trusts;
/// DESCRIBE JOB shows the operator's Events of the job's resource.
#[tokio::test(flavor = "multi_thread")]
async fn issue_15_a_session_job_fetches_its_jar_over_https_and_describe_shows_its_events() {
    let kube = https_double(true);
    let gateway = https_gateway();
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS})",
            kube.url()
        ))
        .await
        .unwrap();
    client
        .batch_execute("CREATE JOB sj ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    assert_eq!(state(&client, "sj").await.0, "RUNNING");
    let fetched = kube.fetched_jars();
    assert_eq!(fetched.len(), 1);
    let base = gateway.https_url();
    assert!(fetched[0].uri.starts_with(&base), "{}", fetched[0].uri);
    assert!(fetched[0].bytes.starts_with(b"PK"));
    assert_eq!(
        kube.object("flinksessionjobs", "default", "sj").unwrap()["spec"]["job"]["jarURI"],
        fetched[0].uri.as_str()
    );

    let events: Vec<String> = client
        .query("DESCRIBE JOB sj", &[])
        .await
        .unwrap()
        .iter()
        .filter(|row| row.get::<_, String>("property") == "event")
        .map(|row| row.get("value"))
        .collect();
    for expected in [
        "Normal Submit: Starting deployment",
        "Normal JobStatusChanged: Job status changed from CREATED to RUNNING",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} in {events:#?}"
        );
    }
    assert!(
        kube.operator_errors().is_empty(),
        "{:?}",
        kube.operator_errors()
    );
}

/// An operator whose truststore lacks scaleph's CA cannot fetch the jar:
/// CREATE JOB fails with the operator's handshake error, nothing left.
#[tokio::test(flavor = "multi_thread")]
async fn an_operator_that_does_not_trust_scalephs_certificate_fails_the_job_saying_why() {
    let kube = https_double(false);
    let gateway = https_gateway();
    let client = gateway.client().await;
    client
        .batch_execute(&format!(
            "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS})",
            kube.url()
        ))
        .await
        .unwrap();
    let err = client
        .batch_execute("CREATE JOB untrusted ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
        .await
        .unwrap_err();
    let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(
        db.message()
            .starts_with("job \"untrusted\": PKIX path building failed"),
        "{db:?}"
    );
    assert!(
        db.detail()
            .is_some_and(|d| d.contains("javax.net.ssl.SSLHandshakeException")),
        "{db:?}"
    );
    let left: i64 = client
        .query_one("SELECT count(*) FROM scaleph.jobs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    assert!(kube.fetched_jars().is_empty());
}

/// An API server that refuses everything (RBAC grants nothing), then one
/// that is gone: clear errors naming the cluster, through pgwire; the
/// token never in them.
#[tokio::test(flavor = "multi_thread")]
async fn an_api_server_that_forbids_or_is_gone_is_an_error_naming_the_cluster() {
    const TOKEN: &str = "tok-0123456789abcdef";
    let kube = double(CrdVersion::Release1_15);
    let gateway = gateway();
    let client = gateway.client().await;
    let create = format!(
        "CREATE CLUSTER k8s TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', \
         'kubernetes.token' = '{TOKEN}', {STATE_DIRS})",
        kube.url()
    );
    kube.forbid(true);
    let err = client.batch_execute(&create).await.unwrap_err();
    let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(db.code().code(), "28000", "{}", db.message());
    assert!(
        db.message().starts_with(
            "cluster \"k8s\": not allowed to list flinkdeployments.flink.apache.org in namespace \"default\""
        ),
        "{}",
        db.message()
    );
    assert!(
        db.message().contains(
            "User \"system:serviceaccount:default:scaleph\" cannot list resource \"flinkdeployments\""
        ),
        "the API server's own words: {}",
        db.message()
    );
    assert!(db.hint().is_some_and(|h| h.contains("RBAC")), "{db:?}");
    assert!(!db.message().contains(TOKEN));
    let clusters: i64 = client
        .query_one("SELECT count(*) FROM scaleph.clusters", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(clusters, 0, "nothing kept");

    // Access taken away after the cluster was made: its jobs say so.
    kube.forbid(false);
    client.batch_execute(&create).await.unwrap();
    kube.forbid(true);
    let err = client
        .batch_execute("CREATE JOB j ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
        .await
        .unwrap_err();
    let (sqlstate, message) = code(&err);
    assert_eq!(sqlstate, "28000", "{message}");
    assert!(
        message.starts_with("cluster \"k8s\": not allowed to "),
        "{message}"
    );

    // Gone: 08001 naming the cluster and the server.
    let server = kube.url();
    drop(kube);
    let err = client
        .batch_execute("CREATE JOB j ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
        .await
        .unwrap_err();
    let (sqlstate, message) = code(&err);
    assert_eq!(sqlstate, "08001", "{message}");
    assert!(
        message.starts_with(&format!(
            "cluster \"k8s\": cannot reach the Kubernetes API server at {server}"
        )),
        "{message}"
    );
    let jobs: i64 = client
        .query_one("SELECT count(*) FROM scaleph.jobs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(jobs, 0);
    assert!(!gateway.log().contains(TOKEN), "the token is never logged");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_scaleph_reattaches_to_its_kubernetes_job() {
    let kube = double(CrdVersion::Release1_15);
    let (http, gateway, client) = restartable_session(&kube).await;
    client
        .batch_execute("CREATE JOB keep ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    drop(client);
    let gateway = gateway.kill9_and_restart(&["--http-listen", &http]);
    let client = gateway.client().await;
    assert_eq!(state(&client, "keep").await.0, "RUNNING");
    assert_eq!(kube.submissions("keep").len(), 1, "nothing submitted twice");
    // Suspended behind scaleph's back (kubectl patch): reported, not fought.
    behind_scalephs_back(
        &kube,
        "keep",
        Some(r#"{"spec": {"job": {"state": "suspended", "upgradeMode": "stateless"}}}"#),
    )
    .await;
    let (_, reason, _) = wait_state(&client, "keep", "SUSPENDED").await;
    assert!(reason.unwrap_or_default().contains("outside scaleph"));
    assert_eq!(
        kube.object("flinksessionjobs", "default", "keep").unwrap()["spec"]["job"]["state"],
        "suspended",
        "scaleph does not undo it"
    );
    // Back to running by the same means; then deleted behind its back.
    behind_scalephs_back(
        &kube,
        "keep",
        Some(r#"{"spec": {"job": {"state": "running"}}}"#),
    )
    .await;
    client.batch_execute("RESUME JOB keep").await.unwrap();
    assert_eq!(state(&client, "keep").await.0, "RUNNING");
    assert_eq!(
        kube.submissions("keep").len(),
        2,
        "the operator's own restore; nothing recreated"
    );

    // Deleted behind scaleph's back: the watch reports it.
    behind_scalephs_back(&kube, "keep", None).await;
    let (_, reason, _) = wait_state(&client, "keep", "LOST").await;
    assert!(
        reason
            .unwrap_or_default()
            .contains("deleted outside scaleph")
    );
}

/// The spec of FlinkDeployment `name`, as the double keeps it.
fn deployment_spec(kube: &KubeDouble, name: &str) -> serde_json::Value {
    kube.object("flinkdeployments", "default", name)
        .unwrap_or_else(|| panic!("no FlinkDeployment {name}"))["spec"]
        .clone()
}

/// The rows of a text query, each as its columns.
async fn text_rows(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<String>> {
    client
        .simple_query(sql)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or_default().to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Pod templates are files of the cluster: read once at CREATE (or
/// ALTER ... SET FILES), and what every FlinkDeployment carries later —
/// a job created after the file changed or was deleted gets the content
/// as it was attached.
#[tokio::test(flavor = "multi_thread")]
async fn pod_templates_are_read_once_and_every_deployment_carries_what_was_read() {
    let kube = double(CrdVersion::Release1_15);
    let gateway = gateway();
    let client = gateway.client().await;
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pod.yaml");
    let pod_v1 = "metadata:\n  labels:\n    team: data\nspec:\n  containers:\n    - name: flink-main-container\n      env:\n        - name: TZ\n          value: UTC\n";
    std::fs::write(&pod, pod_v1).unwrap();
    let jm = dir.path().join("jm.json");
    std::fs::write(&jm, r#"{"metadata": {"labels": {"role": "jobmanager"}}}"#).unwrap();
    let tm = dir.path().join("tm.yaml");
    std::fs::write(&tm, "metadata:\n  annotations:\n    tm: 'yes'\n").unwrap();
    client
        .batch_execute(&format!(
            "CREATE CLUSTER apps TYPE KUBERNETES_APPLICATION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS}, \
             'ingress.template' = '{{{{name}}}}.flink.example.com') \
             FILES ('pod.template' = '{}', 'JOBMANAGER.POD.TEMPLATE' = '{}', 'taskmanager.pod.template' = '{}')",
            kube.url(),
            pod.display(),
            jm.display(),
            tm.display()
        ))
        .await
        .unwrap();

    // After CREATE: the template changes, the JobManager's is deleted.
    std::fs::write(&pod, "metadata:\n  labels:\n    team: changed-later\n").unwrap();
    std::fs::remove_file(&jm).unwrap();
    client
        .batch_execute("CREATE JOB first ON CLUSTER apps AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    let spec = deployment_spec(&kube, "first");
    assert_eq!(spec["podTemplate"]["metadata"]["labels"]["team"], "data");
    assert_eq!(
        spec["podTemplate"]["spec"]["containers"][0]["env"][0]["value"],
        "UTC"
    );
    assert_eq!(
        spec["jobManager"]["podTemplate"]["metadata"]["labels"]["role"],
        "jobmanager"
    );
    assert_eq!(
        spec["taskManager"]["podTemplate"]["metadata"]["annotations"]["tm"],
        "yes"
    );
    assert_eq!(spec["ingress"]["template"], "{{name}}.flink.example.com");

    // DESCRIBE, SHOW CREATE and scaleph.clusters show what was read, where from.
    let described = text_rows(&client, "DESCRIBE CLUSTER apps").await;
    let files: Vec<&Vec<String>> = described.iter().filter(|r| r[0] == "files").collect();
    assert_eq!(files.len(), 3, "{described:?}");
    assert_eq!(files[1][1], "pod.template");
    assert_eq!(
        files[1][2],
        format!(
            "{} bytes, sha256 {}",
            pod_v1.len(),
            sha256_hex(pod_v1.as_bytes())
        )
    );
    assert_eq!(files[1][3], pod.display().to_string());
    let create = text_rows(&client, "SHOW CREATE CLUSTER apps").await;
    assert!(
        create[0][0].contains(&format!(
            "FILES ('jobmanager.pod.template' = '{}', 'pod.template' = '{}', 'taskmanager.pod.template' = '{}')",
            jm.display(),
            pod.display(),
            tm.display()
        )),
        "{}",
        create[0][0]
    );
    let listed = text_rows(
        &client,
        "SELECT files FROM scaleph.clusters WHERE name = 'apps'",
    )
    .await;
    let listed: serde_json::Value = serde_json::from_str(&listed[0][0]).unwrap();
    assert_eq!(listed["pod.template"]["size"], pod_v1.len());
    assert_eq!(
        listed["pod.template"]["sha256"],
        sha256_hex(pod_v1.as_bytes())
    );
    assert!(listed["pod.template"].get("content").is_none());

    // SET FILES reads the file again; RESET FILES detaches one.
    client
        .batch_execute(&format!(
            "ALTER CLUSTER apps SET FILES ('pod.template' = '{}'); \
             ALTER CLUSTER apps RESET FILES ('taskmanager.pod.template')",
            pod.display()
        ))
        .await
        .unwrap();
    client
        .batch_execute("CREATE JOB second ON CLUSTER apps AS INSERT INTO sink SELECT 1")
        .await
        .unwrap();
    let spec = deployment_spec(&kube, "second");
    assert_eq!(
        spec["podTemplate"]["metadata"]["labels"]["team"],
        "changed-later"
    );
    assert_eq!(
        spec["jobManager"]["podTemplate"]["metadata"]["labels"]["role"], "jobmanager",
        "kept from CREATE though its file is gone"
    );
    assert!(spec["taskManager"].get("podTemplate").is_none(), "{spec}");

    // A session cluster: its FlinkDeployment carries the stored template
    // through an ALTER after the file is gone, and loses it on RESET FILES.
    std::fs::write(&pod, pod_v1).unwrap();
    client
        .batch_execute(&format!(
            "CREATE CLUSTER pods TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS}) \
             FILES ('pod.template' = '{}')",
            kube.url(),
            pod.display()
        ))
        .await
        .unwrap();
    std::fs::remove_file(&pod).unwrap();
    client
        .batch_execute("ALTER CLUSTER pods SET ('taskmanager.slots' = '3')")
        .await
        .unwrap();
    let spec = deployment_spec(&kube, "pods");
    assert_eq!(spec["podTemplate"]["metadata"]["labels"]["team"], "data");
    assert_eq!(
        spec["flinkConfiguration"]["taskmanager.numberOfTaskSlots"],
        "3"
    );
    client
        .batch_execute("ALTER CLUSTER pods RESET FILES ('pod.template')")
        .await
        .unwrap();
    assert!(
        deployment_spec(&kube, "pods").get("podTemplate").is_none(),
        "a detached template leaves the FlinkDeployment"
    );
}

/// Every way a pod template can be wrong is refused naming its file key:
/// too big, missing, not a mapping — before anything reaches Kubernetes —
/// and a field the CRD does not have, by the API server's validation.
#[tokio::test(flavor = "multi_thread")]
async fn a_bad_pod_template_is_refused_naming_its_file() {
    let kube = double(CrdVersion::Main);
    let gateway = gateway();
    let client = gateway.client().await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, format!("metadata: {{}}\n# {}\n", "x".repeat(1 << 20))).unwrap();
    let list = dir.path().join("list.yaml");
    std::fs::write(&list, "- name: flink-main-container\n").unwrap();
    let create = |files: String| {
        format!(
            "CREATE CLUSTER bad TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', {STATE_DIRS}) FILES ({files})",
            kube.url()
        )
    };
    kube.clear_requests();
    for (files, sqlstate, key, words) in [
        (
            format!("'pod.template' = '{}'", big.display()),
            "54000",
            "pod.template",
            "the limit is 1048576",
        ),
        (
            "'jobmanager.pod.template' = '/nonexistent/jm.yaml'".to_string(),
            "58P01",
            "jobmanager.pod.template",
            "/nonexistent/jm.yaml",
        ),
        (
            format!("'taskmanager.pod.template' = '{}'", list.display()),
            "22023",
            "taskmanager.pod.template",
            "no PodTemplateSpec",
        ),
    ] {
        let sql = create(files);
        let err = client.batch_execute(&sql).await.unwrap_err();
        let (code, message) = code(&err);
        assert_eq!(code, sqlstate, "{sql}: {message}");
        assert!(
            message.contains(key) && message.contains(words),
            "{message}"
        );
        let position = err.as_db_error().and_then(|db| db.position()).cloned();
        assert!(
            matches!(position, Some(tokio_postgres::error::ErrorPosition::Original(at))
                if sql[at as usize - 1..].starts_with(&format!("'{key}'"))),
            "{sql}: {position:?}"
        );
    }
    assert!(
        kube.requests().iter().all(|r| r.verb != "create"),
        "nothing reached Kubernetes: {:?}",
        kube.requests()
    );

    // The option of earlier versions points at FILES.
    let err = client
        .batch_execute(&format!(
            "CREATE CLUSTER bad TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = '{}', 'pod.template' = '/p.yaml')",
            kube.url()
        ))
        .await
        .unwrap_err();
    let db = err.as_db_error().unwrap();
    assert_eq!(db.code().code(), "22023");
    assert!(db.message().contains("it is a file"), "{}", db.message());
    assert!(
        db.hint()
            .unwrap_or_default()
            .contains("FILES ('pod.template'")
    );

    // A field the CRD's PodTemplateSpec does not have: refused by the API
    // server's strict validation, naming the field and the file; nothing kept.
    let containerz = dir.path().join("containerz.yaml");
    std::fs::write(&containerz, "spec:\n  containerz: []\n").unwrap();
    let err = client
        .batch_execute(&create(format!(
            "'taskmanager.pod.template' = '{}'",
            containerz.display()
        )))
        .await
        .unwrap_err();
    let (sqlstate, message) = code(&err);
    assert_eq!(sqlstate, "22023", "{message}");
    assert!(
        message.contains("spec.taskManager.podTemplate.spec.containerz"),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "file \"taskmanager.pod.template\" ('{}')",
            containerz.display()
        )),
        "{message}"
    );
    let clusters: i64 = client
        .query_one("SELECT count(*) FROM scaleph.clusters", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(clusters, 0);
}

/// scaleph killed in the middle of a CREATE JOB (the resource created,
/// the operator not done): the restarted tracker adopts the job when the
/// operator reports it running; nothing is submitted twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_scaleph_killed_mid_submit_adopts_the_job_the_operator_runs() {
    let kube = double(CrdVersion::Release1_15);
    let (http, gateway, client) = restartable_session(&kube).await;
    kube.pause_operator(true);
    let submitting = tokio::spawn(async move {
        let _ = client
            .batch_execute("CREATE JOB mid ON CLUSTER k8s AS INSERT INTO sink SELECT 1")
            .await;
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while kube.object("flinksessionjobs", "default", "mid").is_none() {
        assert!(
            Instant::now() < deadline,
            "CREATE JOB never created its resource"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let gateway = gateway.kill9_and_restart(&["--http-listen", &http]);
    let _ = submitting.await;
    let client = gateway.client().await;
    assert_eq!(state(&client, "mid").await.0, "SUBMITTING");
    kube.pause_operator(false);
    let (_, _, id) = wait_state(&client, "mid", "RUNNING").await;
    assert_eq!(kube.submissions("mid").len(), 1, "nothing submitted twice");
    assert_eq!(
        kube.object("flinksessionjobs", "default", "mid").unwrap()["status"]["jobStatus"]["jobId"]
            .as_str(),
        id.as_deref()
    );
}
