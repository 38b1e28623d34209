//! The operator's jar download for a FlinkSessionJob (`ArtifactManager`,
//! docs/flink-kubernetes-operator.md §4): http(s) through `HttpArtifactFetcher` — a real GET,
//! with the configured headers — and every other scheme through Flink
//! FileSystems, of which the simulated operator image has only the local
//! one (`file://`, read from this machine). Failures carry the Java
//! exception the operator would record (type, message).
//!
//! An `https` server is trusted as the operator's JVM trusts it: by the
//! machine's roots (the JVM's `cacerts`), plus `KubeOptions::trusted_ca_pem`
//! (a CA added to that truststore). A certificate neither vouches for
//! fails as `HttpsURLConnection` fails, with an `SSLHandshakeException`.

use std::time::Duration;

/// Downloads `uri`, trusting `trusted_ca` (PEM) besides the machine's
/// roots, or gives the Java exception's class and message.
pub async fn fetch(
    uri: &str,
    headers: &[(String, String)],
    trusted_ca: Option<&[u8]>,
) -> Result<Vec<u8>, (String, String)> {
    let scheme = uri
        .split_once(':')
        .map(|(s, _)| s.to_lowercase())
        .unwrap_or_default();
    match scheme.as_str() {
        "http" | "https" => http(uri, headers, trusted_ca).await,
        "file" => {
            let path = uri
                .trim_start_matches("file://")
                .trim_start_matches("file:");
            tokio::fs::read(path).await.map_err(|_| {
                (
                    "java.io.FileNotFoundException".to_string(),
                    format!(
                        "File {path} does not exist or the user running Flink ('flink') has insufficient permissions to access it."
                    ),
                )
            })
        }
        other => Err((
            "org.apache.flink.core.fs.UnsupportedFileSystemSchemeException".to_string(),
            format!(
                "Could not find a file system implementation for scheme '{other}'. The scheme is not directly supported by Flink and no Hadoop file system to support this scheme could be loaded. For a full list of supported file systems, please see https://nightlies.apache.org/flink/flink-docs-stable/ops/filesystems/."
            ),
        )),
    }
}

/// `HttpURLConnection#getInputStream`'s failures: 404 is a
/// FileNotFoundException naming the URL, other statuses an IOException.
async fn http(
    uri: &str,
    headers: &[(String, String)],
    trusted_ca: Option<&[u8]>,
) -> Result<Vec<u8>, (String, String)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let io_error = |e: reqwest::Error| ("java.io.IOException".to_string(), e.to_string());
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(10));
    if let Some(pem) = trusted_ca {
        let ca = reqwest::Certificate::from_pem(pem).map_err(io_error)?;
        builder = builder.tls_certs_merge([ca]);
    }
    let client = builder.build().map_err(io_error)?;
    let mut request = client.get(uri);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| {
        if let Some(why) = untrusted(&e) {
            (
                "javax.net.ssl.SSLHandshakeException".to_string(),
                format!(
                    "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target ({why})"
                ),
            )
        } else if e.is_connect() {
            (
                "java.net.ConnectException".to_string(),
                "Connection refused".to_string(),
            )
        } else {
            ("java.io.IOException".to_string(), e.to_string())
        }
    })?;
    let status = response.status().as_u16();
    if status == 404 || status == 410 {
        return Err(("java.io.FileNotFoundException".to_string(), uri.to_string()));
    }
    if status >= 400 {
        return Err((
            "java.io.IOException".to_string(),
            format!("Server returned HTTP response code: {status} for URL: {uri}"),
        ));
    }
    response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .map_err(|e| ("java.io.IOException".to_string(), e.to_string()))
}

/// Why the server's certificate was not trusted, if that is what failed:
/// rustls's words, found in the error's chain (an `io::Error` hides its
/// inner error from `source()`, so the chain is read as text).
fn untrusted(error: &reqwest::Error) -> Option<String> {
    let mut chain = Vec::new();
    let mut next: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = next {
        chain.push(e.to_string());
        next = e.source();
    }
    chain
        .into_iter()
        .find(|text| text.contains("invalid peer certificate"))
}
