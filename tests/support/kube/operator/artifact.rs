//! The operator's jar download for a FlinkSessionJob (`ArtifactManager`,
//! docs/flink-kubernetes-operator.md §4): http(s) through `HttpArtifactFetcher` — a real GET,
//! with the configured headers — and every other scheme through Flink
//! FileSystems, of which the simulated operator image has only the local
//! one (`file://`, read from this machine). Failures carry the Java
//! exception the operator would record (type, message).

use std::time::Duration;

/// Downloads `uri`, or gives the Java exception's class and message.
pub async fn fetch(uri: &str, headers: &[(String, String)]) -> Result<Vec<u8>, (String, String)> {
    let scheme = uri
        .split_once(':')
        .map(|(s, _)| s.to_lowercase())
        .unwrap_or_default();
    match scheme.as_str() {
        "http" | "https" => http(uri, headers).await,
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
async fn http(uri: &str, headers: &[(String, String)]) -> Result<Vec<u8>, (String, String)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ("java.io.IOException".to_string(), e.to_string()))?;
    let mut request = client.get(uri);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| {
        if e.is_connect() {
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
