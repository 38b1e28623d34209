//! scaleph's Kubernetes client (`scaleph::kube`) against the API server
//! double and its simulated Flink operator (`support::kube`), for both CRD
//! releases: waiting is watching (no polling GETs), writes are strictly
//! validated, errors carry their SQLSTATE, and a watch survives a 410.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use scaleph::error::SqlState;
use scaleph::kube::crd::{
    self, CLUSTER_LABEL, FlinkDeploymentSpec, JobManagerSpec, MANAGED_BY, MANAGED_BY_LABEL,
    Resource, TaskManagerSpec,
};
use scaleph::kube::{Change, Kind, Kube, KubeTarget, operator_error};
use serde_json::{Value, json};

use crate::support::kube::{CrdVersion, KubeDouble, KubeOptions};

/// The namespaced path of the operator's resources in the double.
const FLINK: &str = "/apis/flink.apache.org/v1beta1/namespaces/default";

/// Both CRD releases the client must work with.
const RELEASES: [CrdVersion; 2] = [CrdVersion::Release1_15, CrdVersion::Main];

/// A double whose simulator moves fast (10 ms a step).
fn double(crds: CrdVersion) -> KubeDouble {
    KubeDouble::start_with(KubeOptions {
        reconcile_delay: Duration::from_millis(10),
        retry_interval: Duration::from_millis(100),
        ..KubeOptions::new(crds)
    })
}

/// The client of `double`, namespace `default`, as `cluster "k8s"`.
async fn connect(double: &KubeDouble) -> Kube {
    let target = KubeTarget {
        api_server: Some(double.url()),
        request_timeout: Duration::from_secs(5),
        ..KubeTarget::default()
    };
    Kube::connect(&target, "cluster \"k8s\"")
        .await
        .expect("the double answers")
}

/// A session cluster, its spec built with the typed structs (which both
/// releases must accept).
fn session_cluster(name: &str) -> Value {
    let resource = Resource {
        cpu: 1.0,
        memory: "2048m".into(),
    };
    let spec = FlinkDeploymentSpec {
        image: Some("flink:1.20".into()),
        flink_version: Some("v1_20".into()),
        service_account: Some("flink".into()),
        flink_configuration: BTreeMap::from([(
            "taskmanager.numberOfTaskSlots".to_string(),
            "4".to_string(),
        )]),
        job_manager: Some(JobManagerSpec {
            resource: Some(resource.clone()),
            replicas: None,
            pod_template: None,
        }),
        task_manager: Some(TaskManagerSpec {
            resource: Some(resource),
            replicas: None,
            pod_template: None,
        }),
        ..FlinkDeploymentSpec::default()
    };
    json!({
        "metadata": {"name": name, "labels": {MANAGED_BY_LABEL: MANAGED_BY, CLUSTER_LABEL: name}},
        "spec": spec,
    })
}

/// `check` for `wait_for`: the JobManager deployment is READY.
fn ready(object: Option<&Value>) -> Option<scaleph::error::Result<Value>> {
    let object = object?;
    (crd::status(object).job_manager_deployment_status.as_deref() == Some("READY"))
        .then(|| Ok(object.clone()))
}

#[tokio::test]
async fn kube_wait_for_watches_instead_of_polling() {
    for crds in RELEASES {
        let double = double(crds);
        let kube = connect(&double).await;
        let created = kube
            .create(Kind::FlinkDeployment, session_cluster("session"))
            .await
            .unwrap();
        assert_eq!(created["kind"], "FlinkDeployment");
        assert_eq!(created["metadata"]["generation"], 1);
        double.clear_requests();

        let object = kube
            .wait_for(
                Kind::FlinkDeployment,
                "session",
                Duration::from_secs(10),
                "the session cluster to be READY",
                ready,
            )
            .await
            .unwrap();
        assert_eq!(object["status"]["jobManagerDeploymentStatus"], "READY");

        let requests = double.requests();
        let path = format!("{FLINK}/flinkdeployments");
        assert_eq!(
            double.count("get", &format!("{path}/session")),
            0,
            "{crds:?}: {requests:#?}"
        );
        let watches: Vec<_> = requests.iter().filter(|r| r.verb == "watch").collect();
        assert!(!watches.is_empty(), "{crds:?}: {requests:#?}");
        assert!(
            watches.iter().all(
                |w| w.path == path && w.query.contains("fieldSelector=metadata.name%3Dsession")
            ),
            "{requests:#?}"
        );
        // DEPLOYING → DEPLOYED_NOT_READY → READY took several status
        // writes; the wait took one list and one watch for all of them.
        assert!(requests.len() <= 3, "{crds:?}: {requests:#?}");
        assert!(double.operator_errors().is_empty());
    }
}

#[tokio::test]
async fn kube_merge_patch_bumps_generation_and_waits_until_reconciled() {
    for crds in RELEASES {
        let double = double(crds);
        let kube = connect(&double).await;
        kube.create(Kind::FlinkDeployment, session_cluster("session"))
            .await
            .unwrap();
        let patched = kube
            .merge_patch(
                Kind::FlinkDeployment,
                "session",
                json!({"spec": {"flinkConfiguration": {"taskmanager.numberOfTaskSlots": "8"}}}),
            )
            .await
            .unwrap();
        assert_eq!(patched["metadata"]["generation"], 2, "{crds:?}");
        assert!(!crd::reconciled(&patched));
        let reconciled = kube
            .wait_for(
                Kind::FlinkDeployment,
                "session",
                Duration::from_secs(10),
                "the operator to act on the change",
                |o| o.filter(|o| crd::reconciled(o)).map(|o| Ok(o.clone())),
            )
            .await
            .unwrap();
        assert_eq!(reconciled["status"]["observedGeneration"], 2);
        assert_eq!(
            reconciled["spec"]["flinkConfiguration"]["taskmanager.numberOfTaskSlots"],
            "8"
        );
        // Never the status subresource.
        assert!(
            double
                .requests()
                .iter()
                .all(|r| !r.path.ends_with("/status"))
        );

        let gone = kube
            .merge_patch(Kind::FlinkDeployment, "absent", json!({"spec": {}}))
            .await
            .unwrap_err();
        assert_eq!(gone.sqlstate, SqlState::UNDEFINED_OBJECT, "{gone:?}");
        assert!(gone.message.contains("\"absent\""), "{}", gone.message);
    }
}

#[tokio::test]
async fn kube_create_refused_by_the_schema_is_22023_naming_the_field() {
    for crds in RELEASES {
        let double = double(crds);
        let kube = connect(&double).await;
        let mut unknown = session_cluster("typo");
        unknown["spec"]["foo"] = json!(1);
        let error = kube
            .create(Kind::FlinkDeployment, unknown)
            .await
            .unwrap_err();
        assert_eq!(
            error.sqlstate,
            SqlState::INVALID_PARAMETER_VALUE,
            "{error:?}"
        );
        assert!(
            error
                .message
                .starts_with("cluster \"k8s\": invalid FlinkDeployment \"typo\""),
            "{}",
            error.message
        );
        assert!(error.message.contains("spec.foo"), "{}", error.message);

        let mut wrong_type = session_cluster("wrong");
        wrong_type["spec"]["job"] = json!({"parallelism": "two"});
        let error = kube
            .create(Kind::FlinkDeployment, wrong_type)
            .await
            .unwrap_err();
        assert_eq!(
            error.sqlstate,
            SqlState::INVALID_PARAMETER_VALUE,
            "{error:?}"
        );
        assert!(
            error
                .message
                .contains("spec.job.parallelism: Invalid value"),
            "{}",
            error.message
        );

        // main's `resources` (§0): unknown to 1.15, refused rather than dropped.
        let mut resources = session_cluster("resources");
        resources["spec"]["jobManager"]["resources"] = json!({"limits": {"cpu": "1"}});
        let created = kube.create(Kind::FlinkDeployment, resources).await;
        match crds {
            CrdVersion::Release1_15 => {
                let error = created.unwrap_err();
                assert_eq!(error.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
                assert!(
                    error.message.contains("spec.jobManager.resources"),
                    "{}",
                    error.message
                );
            }
            CrdVersion::Main => {
                created.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn kube_create_twice_is_42710_and_delete_twice_is_false() {
    for crds in RELEASES {
        let double = double(crds);
        let kube = connect(&double).await;
        kube.create(Kind::FlinkDeployment, session_cluster("twice"))
            .await
            .unwrap();
        let error = kube
            .create(Kind::FlinkDeployment, session_cluster("twice"))
            .await
            .unwrap_err();
        assert_eq!(error.sqlstate, SqlState::DUPLICATE_OBJECT, "{error:?}");
        assert_eq!(
            error.message,
            "cluster \"k8s\": FlinkDeployment \"twice\" in namespace \"default\" already exists"
        );

        // The operator's finalizer keeps it until its cleanup is done.
        assert!(kube.delete(Kind::FlinkDeployment, "twice").await.unwrap());
        kube.wait_for(
            Kind::FlinkDeployment,
            "twice",
            Duration::from_secs(10),
            "the cluster to be deleted",
            |o| o.is_none().then_some(Ok(())),
        )
        .await
        .unwrap();
        assert!(!kube.delete(Kind::FlinkDeployment, "twice").await.unwrap());
        assert_eq!(
            kube.get(Kind::FlinkDeployment, "twice").await.unwrap(),
            None
        );

        let script = json!({"metadata": {"name": "script"}, "data": {"job.sql": "SELECT 1;"}});
        let created = kube.create(Kind::ConfigMap, script).await.unwrap();
        assert_eq!(created["apiVersion"], "v1");
        let read = kube.get(Kind::ConfigMap, "script").await.unwrap().unwrap();
        assert_eq!(read["data"]["job.sql"], "SELECT 1;");
        assert!(kube.delete(Kind::ConfigMap, "script").await.unwrap());
        assert!(!kube.delete(Kind::ConfigMap, "script").await.unwrap());
    }
}

#[tokio::test]
async fn kube_list_selects_by_label() {
    let double = double(CrdVersion::Main);
    let kube = connect(&double).await;
    for name in ["a", "b"] {
        kube.create(Kind::FlinkDeployment, session_cluster(name))
            .await
            .unwrap();
    }
    let all = kube.list(Kind::FlinkDeployment, "").await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|o| o["kind"] == "FlinkDeployment"));
    let one = kube
        .list(Kind::FlinkDeployment, &format!("{CLUSTER_LABEL}=b"))
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(crd::labels(&one[0])[CLUSTER_LABEL], "b");
}

/// A watch stream of the client.
type Changes = futures::stream::BoxStream<'static, scaleph::error::Result<Change>>;

/// The next change of `stream` within 10 s; an error fails the test.
async fn next_change(stream: &mut Changes) -> Change {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("a change within 10 s")
        .expect("the stream goes on")
        .expect("no error")
}

/// The next change of `stream` within 10 s, past the errors of a
/// connection that was cut (which the stream reports and retries).
async fn next_change_past_errors(stream: &mut Changes) -> Change {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let item = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("a change within 10 s")
            .expect("the stream goes on");
        match item {
            Ok(change) => return change,
            Err(error) => eprintln!("while reconnecting: {error:?}"),
        }
    }
}

fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

fn config_map(name: &str, job: &str) -> Value {
    json!({"metadata": {"name": name, "labels": {"scaleph.io/job": job}}, "data": {"k": "v"}})
}

/// A TCP proxy in front of the double that can cut every connection and
/// hold new ones: how a test makes a watch reconnect at a moment of its
/// choosing (the double never ends a watch early on its own).
struct Proxy {
    url: String,
    open: tokio::sync::watch::Sender<bool>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(double: &KubeDouble) -> Proxy {
        let upstream = double.url().trim_start_matches("http://").to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (open, gate) = tokio::sync::watch::channel(true);
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let tracked = connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut gate = gate.clone();
                let upstream = upstream.clone();
                let connection = tokio::spawn(async move {
                    if gate.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tracked.lock().unwrap().push(connection.abort_handle());
            }
        });
        Proxy {
            url,
            open,
            connections,
            accept,
        }
    }

    /// Cuts every connection and holds new ones until [`Proxy::resume`].
    fn cut(&self) {
        self.open.send_replace(false);
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn resume(&self) {
        self.open.send_replace(true);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

#[tokio::test]
async fn kube_watch_sees_changes_and_survives_410() {
    for crds in RELEASES {
        let double = double(crds);
        let kube = connect(&double).await;
        let proxy = Proxy::start(&double).await;
        let watching = Kube::connect(
            &KubeTarget {
                api_server: Some(proxy.url.clone()),
                request_timeout: Duration::from_secs(5),
                ..KubeTarget::default()
            },
            "cluster \"k8s\"",
        )
        .await
        .unwrap();
        kube.create(Kind::ConfigMap, config_map("first", "j1"))
            .await
            .unwrap();
        kube.create(Kind::ConfigMap, config_map("other", "j2"))
            .await
            .unwrap();
        let mut changes = watching.watch(Kind::ConfigMap, "scaleph.io/job=j1");
        match next_change(&mut changes).await {
            Change::Restarted(objects) => {
                assert_eq!(objects.iter().map(name).collect::<Vec<_>>(), ["first"]);
                assert_eq!(objects[0]["kind"], "ConfigMap");
            }
            other => panic!("{other:?}"),
        }

        kube.create(Kind::ConfigMap, config_map("second", "j1"))
            .await
            .unwrap();
        match next_change(&mut changes).await {
            Change::Applied(object) => assert_eq!(name(&object), "second"),
            other => panic!("{other:?}"),
        }
        kube.delete(Kind::ConfigMap, "first").await.unwrap();
        match next_change(&mut changes).await {
            Change::Deleted(object) => assert_eq!(name(&object), "first"),
            other => panic!("{other:?}"),
        }

        // The watch is cut; while it is away a change is made and the
        // history expired, so it resumes from a resourceVersion the
        // server has forgotten: 410, and the watcher lists again — the
        // change arrives in that list.
        proxy.cut();
        kube.create(Kind::ConfigMap, config_map("third", "j1"))
            .await
            .unwrap();
        double.compact();
        proxy.resume();
        match next_change_past_errors(&mut changes).await {
            Change::Restarted(objects) => {
                let mut names: Vec<_> = objects.iter().map(name).collect();
                names.sort();
                assert_eq!(names, ["second", "third"], "{crds:?}");
            }
            other => panic!("{crds:?}: {other:?}"),
        }
        // And it carries on watching.
        kube.merge_patch(Kind::ConfigMap, "third", json!({"data": {"k": "w"}}))
            .await
            .unwrap();
        match next_change(&mut changes).await {
            Change::Applied(object) => assert_eq!(object["data"]["k"], "w"),
            other => panic!("{other:?}"),
        }
        let requests = double.requests();
        let lists = requests
            .iter()
            .filter(|r| r.verb == "list" && r.path.ends_with("/configmaps"))
            .count();
        assert_eq!(
            lists, 2,
            "one list, one re-list after the 410: {requests:#?}"
        );
        assert!(
            requests.iter().all(|r| r.verb != "get"),
            "no polling: {requests:#?}"
        );
    }
}

#[tokio::test]
async fn kube_unreachable_api_server_is_08001_naming_the_owner() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let target = KubeTarget {
        api_server: Some(format!("http://127.0.0.1:{port}")),
        request_timeout: Duration::from_secs(5),
        ..KubeTarget::default()
    };
    let error = Kube::connect(&target, "cluster \"k8s\"").await.unwrap_err();
    assert_eq!(
        error.sqlstate,
        SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
        "{error:?}"
    );
    let prefix = format!(
        "cluster \"k8s\": cannot reach the Kubernetes API server at http://127.0.0.1:{port}: "
    );
    assert!(error.message.starts_with(&prefix), "{}", error.message);
    assert!(
        error.message.len() > prefix.len(),
        "a cause: {}",
        error.message
    );
}

#[tokio::test]
async fn kube_wait_for_gives_up_with_57014_naming_what() {
    let double = double(CrdVersion::Release1_15);
    double.pause_operator(true);
    let kube = connect(&double).await;
    kube.create(Kind::FlinkDeployment, session_cluster("stuck"))
        .await
        .unwrap();
    let error = kube
        .wait_for(
            Kind::FlinkDeployment,
            "stuck",
            Duration::from_millis(300),
            "the session cluster to be READY",
            ready,
        )
        .await
        .unwrap_err();
    assert_eq!(error.sqlstate, SqlState::QUERY_CANCELED);
    assert!(
        error.message.starts_with(
            "cluster \"k8s\": gave up waiting for the session cluster to be READY (FlinkDeployment \"stuck\" in namespace \"default\")"
        ),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn kube_events_of_an_invalid_resource_are_the_operators() {
    for crds in RELEASES {
        let double = double(crds);
        let kube = connect(&double).await;
        let mut invalid = session_cluster("invalid");
        invalid["spec"]["flinkConfiguration"]["kubernetes.cluster-id"] = json!("x");
        kube.create(Kind::FlinkDeployment, invalid).await.unwrap();
        let error = kube
            .wait_for(
                Kind::FlinkDeployment,
                "invalid",
                Duration::from_secs(10),
                "the operator to refuse the spec",
                |o| crd::status(o?).error.map(Ok),
            )
            .await
            .unwrap();
        let (line, detail) = operator_error(&error);
        assert!(line.contains("kubernetes.cluster-id"), "{line}");
        assert!(detail.contains("ValidationException"), "{detail}");

        let events = kube.events("invalid").await.unwrap();
        let refused: Vec<_> = events
            .iter()
            .filter(|e| e.reason == "ValidationError")
            .collect();
        assert_eq!(refused.len(), 1, "{crds:?}: {events:#?}");
        assert_eq!(refused[0].event_type, "Warning");
        assert_eq!(refused[0].message, line);
        assert!(refused[0].at.is_some());
        assert!(kube.events("nothing-happened").await.unwrap().is_empty());
    }
}
