//! Job jars served over HTTP by the real `scaleph serve --http-listen`
//! (issue 15): what the Flink Kubernetes Operator downloads a
//! FlinkSessionJob's `jarURI` from. An artifact is put through the library
//! on the gateway's data dir (the server reads files per request), fetched
//! with reqwest, and served again after a restart.

use std::time::Duration;

use scaleph::store::artifacts::{Artifact, Artifacts};
use sha2::{Digest, Sha256};

use crate::support::gateway::Gateway;

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A jar-like payload of some size (so Content-Length means something).
fn jar_bytes() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0..70_000u32).map(|i| (i * 31 % 251) as u8));
    bytes
}

async fn put(gateway: &Gateway, bytes: &[u8]) -> Artifact {
    Artifacts::open(&gateway.data_dir)
        .unwrap()
        .put("scaleph-job-ab12.jar", bytes)
        .await
        .unwrap()
}

async fn assert_served(http: &reqwest::Client, base: &str, artifact: &Artifact, bytes: &[u8]) {
    let url = format!("{base}{}", artifact.path());
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/java-archive")
    );
    assert_eq!(header("content-length"), Some(bytes.len().to_string()));
    let sha256: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header("etag"), Some(format!("\"{sha256}\"")));
    assert_eq!(artifact.sha256, sha256);
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes);
}

#[tokio::test]
async fn serves_a_put_artifact_and_nothing_else() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let gateway = Gateway::start_with_http(dir.path().to_path_buf(), Some(dir));
    let http = client();
    let base = gateway.http_url();
    let bytes = jar_bytes();
    let artifact = put(&gateway, &bytes).await;
    assert_served(&http, &base, &artifact, &bytes).await;

    let head = http
        .head(format!("{base}{}", artifact.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"].to_str().unwrap(),
        bytes.len().to_string()
    );
    assert_eq!(
        head.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", artifact.sha256)
    );
    assert!(head.bytes().await.unwrap().is_empty());

    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let token = &artifact.token;
    let wrong_token = format!("{:032x}", u128::from_str_radix(token, 16).unwrap() ^ 1);
    let misses = [
        format!("/artifacts/{wrong_token}/scaleph-job-ab12.jar"),
        format!("/artifacts/{}/scaleph-job-ab12.jar", token.to_uppercase()),
        format!("/artifacts/{token}/other.jar"),
        format!("/artifacts/{token}/..%2fscaleph-job-ab12.jar"),
        format!("/artifacts/{token}/..%2f..%2fscaleph.db"),
        format!("/artifacts/..%2f{token}/scaleph-job-ab12.jar"),
        format!("/artifacts/{token}/..%2f..%2fsecret.key"),
        format!("/artifacts/{token}/%2e%2e"),
        format!("/artifacts/{token}/%ff.jar"),
        format!("/artifacts/{token}"),
        format!("/artifacts/{token}/scaleph-job-ab12.jar/x"),
        "/artifacts/".to_string(),
        "/scaleph.db".to_string(),
        "/".to_string(),
    ];
    let mut bodies = std::collections::BTreeSet::new();
    for path in &misses {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        bodies.insert(response.text().await.unwrap());
    }
    assert_eq!(bodies.len(), 1, "every miss answers alike: {bodies:?}");
    let post = http
        .post(format!("{base}{}", artifact.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);

    let log = gateway.log();
    assert!(
        log.contains("/artifacts/<redacted>/scaleph-job-ab12.jar"),
        "requests are logged:\n{log}"
    );
    assert!(
        !log.contains(token.as_str()),
        "the token is never logged:\n{log}"
    );
    assert!(
        log.contains("kubernetes.operator.user.artifacts.allowed-schemes")
            && log.contains("kubernetes.operator.user.artifacts.disallow-restricted-hosts"),
        "a loopback http URL is warned about:\n{log}"
    );

    assert!(
        Artifacts::open(&gateway.data_dir)
            .unwrap()
            .remove(token)
            .await
            .unwrap()
    );
    let gone = http
        .get(format!("{base}{}", artifact.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn a_restarted_gateway_serves_the_same_artifact() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let mut first = Gateway::start_with_http(dir.path().to_path_buf(), Some(dir.clone()));
    let bytes = jar_bytes();
    let artifact = put(&first, &bytes).await;
    let http = client();
    assert_served(&http, &first.http_url(), &artifact, &bytes).await;
    assert!(
        first.terminate(Duration::from_secs(10)).is_some(),
        "{}",
        first.log()
    );

    let second = Gateway::start_with_http(dir.path().to_path_buf(), Some(dir));
    assert_served(&http, &second.http_url(), &artifact, &bytes).await;
}

#[test]
fn an_http_address_in_use_is_a_startup_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::support::gateway::BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--http-listen", &addr])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains(&addr), "{stderr}");
    assert!(stderr.contains("HTTP"), "{stderr}");
}

#[test]
fn a_remote_http_listen_needs_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::support::gateway::BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--http-listen",
            "0.0.0.0:0",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("0.0.0.0:0") && stderr.contains("--allow-remote"),
        "{stderr}"
    );
}
