//! `TEST DATASOURCE`: a real protocol check with a timeout. PostgreSQL and
//! MySQL log in and ask the server version; Kafka answers a metadata
//! request (broker count); HTTP types answer their health or version
//! endpoint; every other type gets a TCP connect, and the result says so.
//! A failure is a result with a clear message, never an error of the
//! statement.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{ConnectionOptions, host_port};
use crate::catalog::{Connectivity, DatasourceType};

/// What a connectivity test found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestOutcome {
    /// Whether the system answered as expected.
    pub ok: bool,
    /// How long the check took, in milliseconds.
    pub latency_ms: u64,
    /// The server's version, when the protocol tells it.
    pub server_version: Option<String>,
    /// What happened, in words.
    pub message: String,
}

/// Tests `options` of `datasource_type` within their connect timeout.
pub async fn test(datasource_type: &DatasourceType, options: &ConnectionOptions) -> TestOutcome {
    let started = Instant::now();
    let timeout = options.timeout();
    let checked = tokio::time::timeout(timeout, check(datasource_type, options)).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match checked {
        Ok(Ok((server_version, message))) => TestOutcome {
            ok: true,
            latency_ms,
            server_version,
            message,
        },
        Ok(Err(message)) => TestOutcome {
            ok: false,
            latency_ms,
            server_version: None,
            message,
        },
        Err(_) => TestOutcome {
            ok: false,
            latency_ms,
            server_version: None,
            message: format!("timed out after {}", humanize(timeout)),
        },
    }
}

fn humanize(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// The check itself: the server version (if known) and a message.
async fn check(
    datasource_type: &DatasourceType,
    options: &ConnectionOptions,
) -> Result<(Option<String>, String), String> {
    let (host, port) = address(datasource_type, options)?;
    match datasource_type.connectivity {
        Connectivity::Postgresql => {
            let client = super::metadata::postgres_connect(options, None).await?;
            let version = super::metadata::postgres_version(&client).await?;
            Ok((Some(version), "connected and logged in".into()))
        }
        Connectivity::Mysql => {
            let mut conn = super::metadata::mysql_connect(options, None).await?;
            let version = super::metadata::mysql_version(&mut conn).await?;
            let _ = conn.disconnect().await;
            Ok((Some(version), "connected and logged in".into()))
        }
        Connectivity::Kafka => {
            let brokers = kafka_broker_count(&host, port).await?;
            Ok((
                None,
                format!("metadata request answered: {brokers} broker(s)"),
            ))
        }
        Connectivity::Http => {
            let path = datasource_type.health_path.as_deref().unwrap_or("/");
            let (status, body) = http_get(&host, port, path).await?;
            if (200..300).contains(&status) {
                Ok((version_in(&body), format!("GET {path} answered {status}")))
            } else {
                Err(format!(
                    "GET {path} on {host}:{port} answered HTTP {status}"
                ))
            }
        }
        Connectivity::Tcp => {
            connect(&host, port).await?;
            Ok((
                None,
                format!(
                    "TCP connection to {host}:{port} succeeded (a reachability check only: \
                     scaleph has no protocol check for {})",
                    datasource_type.name
                ),
            ))
        }
    }
}

/// Host and port from the type's `address` options.
fn address(
    datasource_type: &DatasourceType,
    options: &ConnectionOptions,
) -> Result<(String, u16), String> {
    let default_port = match datasource_type.connectivity {
        Connectivity::Postgresql => 5432,
        Connectivity::Mysql => 3306,
        Connectivity::Kafka => 9092,
        Connectivity::Http => 80,
        Connectivity::Tcp => 0,
    };
    match datasource_type.address.as_slice() {
        [host, port] => {
            let host = options.require(host)?.to_string();
            Ok((host, options.port(port, default_port)?))
        }
        [single] => {
            let text = options.require(single)?;
            host_port(text, default_port)
                .filter(|(_, port)| *port != 0)
                .ok_or_else(|| format!("option \"{single}\" names no host:port"))
        }
        _ => Err(format!(
            "type {} has no address to test",
            datasource_type.name
        )),
    }
}

/// A TCP connection, with the reason in words when it fails.
async fn connect(host: &str, port: u16) -> Result<TcpStream, String> {
    TcpStream::connect((host, port))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::ConnectionRefused => format!("connection refused by {host}:{port}"),
            _ => format!("cannot connect to {host}:{port}: {e}"),
        })
}

/// An HTTP/1.1 GET of `path`: the status and up to 64 KiB of the body.
async fn http_get(host: &str, port: u16, path: &str) -> Result<(u16, String), String> {
    let mut stream = connect(host, port).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: scaleph\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("HTTP request to {host}:{port} failed: {e}"))?;
    let mut response = Vec::new();
    let _ = stream.take(64 * 1024).read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("{host}:{port} did not answer HTTP"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

/// A `"version"` (or `"number"`) string in a JSON body, if any.
fn version_in(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    let candidates = [
        json.pointer("/version/number"),
        json.pointer("/version/version"),
        json.pointer("/version"),
        json.pointer("/data/version"),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().map(str::to_string))
}

/// Kafka: a Metadata request (API key 3, version 0, all topics) and the
/// number of brokers in the answer.
async fn kafka_broker_count(host: &str, port: u16) -> Result<usize, String> {
    let mut stream = connect(host, port).await?;
    let client_id = b"scaleph";
    let mut request = Vec::new();
    request.extend_from_slice(&3i16.to_be_bytes()); // api key: Metadata
    request.extend_from_slice(&0i16.to_be_bytes()); // api version
    request.extend_from_slice(&1i32.to_be_bytes()); // correlation id
    request.extend_from_slice(&(client_id.len() as i16).to_be_bytes());
    request.extend_from_slice(client_id);
    request.extend_from_slice(&0i32.to_be_bytes()); // topics: none listed = all (v0)
    let mut framed = (request.len() as i32).to_be_bytes().to_vec();
    framed.extend_from_slice(&request);
    let broken =
        |e: std::io::Error| format!("{host}:{port} broke off the Kafka metadata request: {e}");
    stream.write_all(&framed).await.map_err(broken)?;
    let size = stream.read_i32().await.map_err(broken)?;
    if !(8..=16 * 1024 * 1024).contains(&size) {
        return Err(format!("{host}:{port} did not answer like a Kafka broker"));
    }
    let correlation = stream.read_i32().await.map_err(broken)?;
    let brokers = stream.read_i32().await.map_err(broken)?;
    if correlation != 1 || brokers < 0 {
        return Err(format!("{host}:{port} did not answer like a Kafka broker"));
    }
    Ok(brokers as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_in_finds_common_shapes() {
        assert_eq!(
            version_in(r#"{"version":{"number":"8.11.0"}}"#),
            Some("8.11.0".into())
        );
        assert_eq!(version_in(r#"{"version":"0.9.0"}"#), Some("0.9.0".into()));
        assert_eq!(version_in("Ok."), None);
    }

    /// A one-shot TCP server answering `answer` to whatever it is sent.
    async fn answering(answer: &'static [u8]) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(answer).await;
        });
        port
    }

    fn options(
        registry: &crate::catalog::Registry,
        type_name: &str,
        pairs: &[(&str, String)],
    ) -> ConnectionOptions {
        let datasource_type = registry.get(type_name).unwrap();
        let options = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), crate::store::OptionEntry::Plain(v.clone())))
            .collect();
        ConnectionOptions::new(datasource_type, &options)
    }

    #[tokio::test]
    async fn http_and_tcp_types_are_checked_and_say_what_was_checked() {
        let registry = crate::catalog::Registry::embedded();
        let gravitino = registry.get("gravitino").unwrap();
        let at = |port: u16| {
            options(
                &registry,
                "gravitino",
                &[
                    ("url", format!("http://127.0.0.1:{port}")),
                    ("metalake", "m".into()),
                ],
            )
        };
        let port = answering(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"version\":{\"version\":\"0.9.0\"}}").await;
        let outcome = test(gravitino, &at(port)).await;
        assert!(outcome.ok, "{outcome:?}");
        assert_eq!(outcome.server_version.as_deref(), Some("0.9.0"));
        let port = answering(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").await;
        let outcome = test(gravitino, &at(port)).await;
        assert!(
            !outcome.ok && outcome.message.contains("503"),
            "{outcome:?}"
        );
        let port = answering(b"").await;
        let hdfs = registry.get("hdfs").unwrap();
        let namenode = format!("hdfs://127.0.0.1:{port}");
        let outcome = test(hdfs, &options(&registry, "hdfs", &[("namenode", namenode)])).await;
        assert!(
            outcome.ok && outcome.message.contains("reachability check only"),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn a_silent_server_times_out_with_a_clear_message() {
        let registry = crate::catalog::Registry::embedded();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let outcome = test(
            registry.get("kafka").unwrap(),
            &options(
                &registry,
                "kafka",
                &[
                    ("bootstrap_servers", format!("127.0.0.1:{port}")),
                    ("connect_timeout", "300 ms".into()),
                ],
            ),
        )
        .await;
        drop(listener);
        assert!(
            !outcome.ok && outcome.message == "timed out after 300 ms",
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn kafka_metadata_is_read_from_a_broker_shaped_answer() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let size = socket.read_i32().await.unwrap();
            let mut request = vec![0; size as usize];
            socket.read_exact(&mut request).await.unwrap();
            assert_eq!(&request[..2], &3i16.to_be_bytes());
            // correlation id 1, two brokers (the rest of the answer is not read).
            let mut answer = Vec::new();
            answer.extend_from_slice(&1i32.to_be_bytes());
            answer.extend_from_slice(&2i32.to_be_bytes());
            let mut framed = (answer.len() as i32 + 4).to_be_bytes().to_vec();
            framed.extend_from_slice(&answer);
            framed.extend_from_slice(&[0; 4]);
            socket.write_all(&framed).await.unwrap();
        });
        assert_eq!(kafka_broker_count("127.0.0.1", port).await, Ok(2));
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed_port = closed.local_addr().unwrap().port();
        drop(closed);
        let err = kafka_broker_count("127.0.0.1", closed_port)
            .await
            .unwrap_err();
        assert!(err.contains("connection refused"), "{err}");
    }
}
