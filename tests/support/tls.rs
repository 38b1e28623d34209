//! The committed test certificates (`tests/fixtures/tls`, how they were
//! made is in the README there) and an HTTPS client that trusts their CA.

use std::path::PathBuf;
use std::time::Duration;

/// A file of `tests/fixtures/tls`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// The test CA's certificate, PEM.
pub fn ca_pem() -> Vec<u8> {
    std::fs::read(fixture("ca.pem")).expect("tests/fixtures/tls/ca.pem")
}

/// The flags of a `scaleph serve` serving job jars over HTTPS on a free
/// port with the fixture's server certificate (for `localhost` and
/// `127.0.0.1`).
pub fn https_flags() -> Vec<String> {
    vec![
        "--http-listen".into(),
        "127.0.0.1:0".into(),
        "--http-tls-cert".into(),
        fixture("server.pem").display().to_string(),
        "--http-tls-key".into(),
        fixture("server.key").display().to_string(),
    ]
}

/// A client that trusts the test CA and nothing else, opens a new
/// connection per request (so each one sees the certificate served now),
/// and keeps the server's certificate in each response
/// (`reqwest::tls::TlsInfo`).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = reqwest::Certificate::from_pem(&ca_pem()).expect("the test CA");
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .tls_info(true)
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTPS client")
}
