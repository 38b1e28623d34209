//! Job jars served over HTTP by the real `scaleph serve --http-listen`
//! (issue 15): what the Flink Kubernetes Operator downloads a
//! FlinkSessionJob's `jarURI` from. An artifact is put through the library
//! on the gateway's data dir (the server reads files per request), fetched
//! with reqwest, and served again after a restart; over HTTPS with the
//! test CA's certificates (`tests/fixtures/tls`), reloaded on SIGHUP.

use std::time::Duration;

use scaleph::store::artifacts::{Artifact, Artifacts};
use sha2::{Digest, Sha256};

use crate::support::gateway::Gateway;
use crate::support::tls;

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

/// A gateway serving job jars over HTTPS with the fixtures' certificate
/// (`https_flags` with `cert` and `key` instead, when given).
fn https_gateway(files: Option<(&std::path::Path, &std::path::Path)>) -> Gateway {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let mut flags = tls::https_flags();
    if let Some((cert, key)) = files {
        flags[3] = cert.display().to_string();
        flags[5] = key.display().to_string();
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    Gateway::start_with(dir.path().to_path_buf(), Some(dir), &flags)
}

/// The DER of the certificate in the fixture `name`.
fn fixture_der(name: &str) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::from_pem_file(tls::fixture(name))
        .unwrap()
        .to_vec()
}

/// The certificate a `GET /healthz` by a new client is served with, after
/// checking the answer. (A client of its own: one that connected before
/// resumes its TLS session, and so keeps the certificate of then.)
async fn served_certificate(base: &str) -> Vec<u8> {
    let response = tls::client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let der = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("the server's certificate")
        .to_vec();
    assert_eq!(response.text().await.unwrap(), "ok");
    der
}

#[tokio::test(flavor = "multi_thread")]
async fn https_serves_artifacts_to_a_client_trusting_the_ca_and_shrugs_off_others() {
    let gateway = https_gateway(None);
    let https = tls::client();
    let base = gateway.https_url();
    assert_eq!(served_certificate(&base).await, fixture_der("server.pem"));
    let bytes = jar_bytes();
    let artifact = put(&gateway, &bytes).await;
    assert_served(&https, &base, &artifact, &bytes).await;
    let by_name = base.replace("127.0.0.1", "localhost");
    assert_served(&https, &by_name, &artifact, &bytes).await;

    // Jar URLs start with https; the operator's defaults object only to
    // the loopback host now, not to the scheme.
    let log = gateway.log();
    assert!(log.contains("tls=true"), "{log}");
    assert!(log.contains(&format!("public_url={base}")), "{log}");
    assert!(
        log.contains("kubernetes.operator.user.artifacts.disallow-restricted-hosts"),
        "{log}"
    );
    assert!(
        !log.contains("kubernetes.operator.user.artifacts.allowed-schemes"),
        "{log}"
    );

    // Clients stuck before their handshake (connected, silent) hold up
    // nobody: handshakes are not on the accept path.
    let port = gateway.http_port.unwrap();
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        );
    }
    let started = std::time::Instant::now();
    served_certificate(&base).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Plain HTTP to the TLS port: no HTTP answer, the connection closed,
    // logged at debug level; the server goes on.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut answer))
        .await
        .expect("the connection is closed")
        .ok();
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");
    assert!(
        client()
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_err()
    );
    // A client that trusts only the machine's roots refuses the certificate.
    assert!(
        client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );
    crate::support::eventually("the failed handshakes are logged", || {
        gateway.log().contains("TLS handshake failed")
    })
    .await;
    assert_served(&https, &base, &artifact, &bytes).await;
    drop(silent);
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_reloads_the_certificate_and_a_bad_one_leaves_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tls.crt");
    let key = dir.path().join("tls.key");
    let install = |name: &str| {
        std::fs::copy(tls::fixture(&format!("{name}.pem")), &cert).unwrap();
        std::fs::copy(tls::fixture(&format!("{name}.key")), &key).unwrap();
    };
    install("server");
    let mut gateway = https_gateway(Some((&cert, &key)));
    let base = gateway.https_url();
    assert_eq!(served_certificate(&base).await, fixture_der("server.pem"));

    install("other");
    gateway.signal("HUP");
    crate::support::eventually("the reload is logged", || {
        gateway.log().contains("TLS certificate reloaded")
    })
    .await;
    assert_eq!(served_certificate(&base).await, fixture_der("other.pem"));

    // A renewal caught half written: the certificate, with the old key.
    std::fs::copy(tls::fixture("server.pem"), &cert).unwrap();
    gateway.signal("HUP");
    crate::support::eventually("the refusal is logged", || {
        gateway.log().contains("TLS certificate not reloaded")
    })
    .await;
    assert!(gateway.is_running());
    assert_eq!(served_certificate(&base).await, fixture_der("other.pem"));
    let log = gateway.log();
    assert!(log.contains("does not match"), "{log}");
    let key_pem = std::fs::read_to_string(&key).unwrap();
    for line in key_pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!log.contains(line), "key material in the log:\n{log}");
    }
}

#[test]
fn https_settings_that_cannot_work_are_startup_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "c2NhbGVwaC1zZWNyZXQta2V5LW1hdGVyaWFs";
    let garbage = dir.path().join("garbage.key");
    std::fs::write(
        &garbage,
        format!("-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----\n"),
    )
    .unwrap();
    let server = tls::fixture("server.pem").display().to_string();
    let garbage = garbage.display().to_string();
    let other_key = tls::fixture("other.key").display().to_string();
    let missing = dir.path().join("missing.pem").display().to_string();
    // The flags, the environment, and what stderr must say.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            vec!["--http-tls-cert", &server],
            vec![],
            vec!["http_tls_cert (--http-tls-cert) is set but http_tls_key (--http-tls-key) is not"],
        ),
        (
            vec!["--http-tls-cert", &missing, "--http-tls-key", &other_key],
            vec![],
            vec!["cannot read the TLS certificate", &missing],
        ),
        (
            vec!["--http-tls-cert", &server, "--http-tls-key", &garbage],
            vec![],
            vec!["the TLS private key", &garbage, "not a key scaleph can use"],
        ),
        (
            vec![],
            vec![
                ("SCALEPH_HTTP_TLS_CERT", server.as_str()),
                ("SCALEPH_HTTP_TLS_KEY", other_key.as_str()),
            ],
            vec!["does not match the certificate", &other_key, &server],
        ),
    ];
    for (flags, env, expected) in cases {
        let out = std::process::Command::new(crate::support::gateway::BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--http-listen",
                "127.0.0.1:0",
            ])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(&flags)
            .envs(env)
            .env("RUST_LOG", "debug")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flags:?}: {stderr}");
        for text in expected {
            assert!(stderr.contains(text), "{flags:?}: {text}: {stderr}");
        }
        assert!(!stderr.contains(secret), "{stderr}");
        assert!(
            !stderr.contains("scaleph is listening"),
            "refused before listening: {stderr}"
        );
    }
}
