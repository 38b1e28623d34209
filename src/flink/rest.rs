//! A Flink cluster's own REST API (the JobManager's, not the SQL
//! Gateway's): what `TEST CLUSTER` asks, and — with the jobs — where jobs
//! are uploaded, run, watched and stopped.
//!
//! One [`FlinkRest`] per cluster address; its headers (an auth header a
//! reverse proxy in front of the JobManager wants) are secrets: they are
//! marked sensitive for the HTTP stack and never written into an error or
//! a log line, and errors name the address without its user info.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::error::{Error, Result, SqlState};

/// How a [`FlinkRest`] talks to its cluster.
#[derive(Clone, Debug)]
pub struct RestOptions {
    /// The longest a TCP (and TLS) connection may take to open.
    pub connect_timeout: Duration,
    /// The longest one call may take, connection included.
    pub request_timeout: Duration,
    /// Headers sent with every call (name, value); the values are secrets.
    pub headers: Vec<(String, String)>,
}

impl Default for RestOptions {
    /// Connect within 5 s, answer within 30 s, no headers.
    fn default() -> RestOptions {
        RestOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            headers: Vec::new(),
        }
    }
}

/// The REST client of one Flink cluster.
pub struct FlinkRest {
    http: reqwest::Client,
    /// The base URL, without a trailing `/`.
    base: String,
    /// The address as shown in messages: without user info.
    shown: String,
}

/// What a cluster says about itself: `GET /overview` (and `/config`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterOverview {
    /// The Flink release (`1.20.0`, `2.3.0`).
    pub flink_version: String,
    /// Registered TaskManagers.
    pub taskmanagers: u32,
    /// Task slots of all TaskManagers.
    pub slots_total: u32,
    /// Task slots free now.
    pub slots_available: u32,
    /// Jobs in state RUNNING.
    pub jobs_running: u32,
}

/// `GET /overview`.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct OverviewBody {
    taskmanagers: u32,
    slots_total: u32,
    slots_available: u32,
    #[serde(default)]
    jobs_running: u32,
    #[serde(default)]
    flink_version: Option<String>,
}

/// `GET /config`.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ConfigBody {
    flink_version: String,
}

fn invalid(message: String) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, message)
}

impl FlinkRest {
    /// `address` like `http://host:8081` (trailing slash tolerated); a bad URL is 22023 (invalid parameter value).
    pub fn new(address: &str, options: RestOptions) -> Result<FlinkRest> {
        let trimmed = address.trim().trim_end_matches('/');
        let mut url = reqwest::Url::parse(trimmed)
            .map_err(|e| invalid(format!("Flink REST address '{trimmed}' is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid(format!(
                "Flink REST address '{trimmed}' is not an http:// or https:// URL with a host"
            )));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| invalid(format!("'{name}' is not an HTTP header name")))?;
            // The value is a secret: the error does not repeat it.
            let mut value = HeaderValue::from_str(value.trim())
                .map_err(|_| invalid(format!("the value of HTTP header {name} is not valid")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        // The one TLS provider of the process (docs/design.md, stack
        // choices): installing it again is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout.min(options.request_timeout))
            .timeout(options.request_timeout)
            .default_headers(headers)
            .build()
            .map_err(|e| {
                let e = e.without_url();
                Error::new(
                    SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                    format!("cannot create the Flink REST client: {e}"),
                )
                .with_source(e)
            })?;
        let base = url.as_str().trim_end_matches('/').to_string();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(FlinkRest {
            http,
            base,
            shown: url.as_str().trim_end_matches('/').to_string(),
        })
    }

    /// The cluster's address as shown to users (no user info).
    pub fn address(&self) -> &str {
        &self.shown
    }

    /// GET /overview (+ GET /config for the version if /overview lacks it). Unreachable → SqlState 08001 with a message "cannot reach the Flink cluster at <address>: <cause>" (the caller prefixes the cluster's name). Header values (secrets) never appear in errors or logs.
    pub async fn cluster_overview(&self) -> Result<ClusterOverview> {
        let overview: OverviewBody = self.get_json("/overview").await?;
        let flink_version = match overview.flink_version {
            Some(version) => version,
            None => self.get_json::<ConfigBody>("/config").await?.flink_version,
        };
        Ok(ClusterOverview {
            flink_version,
            taskmanagers: overview.taskmanagers,
            slots_total: overview.slots_total,
            slots_available: overview.slots_available,
            jobs_running: overview.jobs_running,
        })
    }

    /// One GET of `path`, its JSON answer decoded.
    async fn get_json<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T> {
        let started = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
        tracing::debug!(cluster = %self.shown, path, %status, elapsed = ?started.elapsed(), "Flink REST call");
        if !status.is_success() {
            return Err(Error::new(
                SqlState::CONNECTION_FAILURE,
                format!(
                    "the Flink cluster at {} answered GET {path} with HTTP {status}",
                    self.shown
                ),
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "the Flink cluster at {} answered GET {path} with something that is not Flink's REST API: {e}",
                    self.shown
                ),
            )
            .with_source(e)
        })
    }

    /// A call that got no answer: 08001 naming the address and the cause
    /// (the URL removed from the cause: it is the address again, maybe
    /// with user info).
    fn unreachable(&self, err: reqwest::Error) -> Error {
        let err = err.without_url();
        let mut cause = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(inner) = source {
            cause.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        Error::new(
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            format!("cannot reach the Flink cluster at {}: {cause}", self.shown),
        )
        .with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_refuses_what_is_not_an_http_url_with_22023() {
        for bad in ["localhost:8081", "ftp://h:21", "http://", "not a url"] {
            let err = FlinkRest::new(bad, RestOptions::default())
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE, "{bad}");
        }
        let rest = FlinkRest::new("http://u:pw@h:8081/", RestOptions::default()).unwrap();
        assert_eq!(rest.address(), "http://h:8081");
    }

    #[test]
    fn a_bad_header_value_is_refused_without_repeating_it() {
        let options = RestOptions {
            headers: vec![("Authorization".into(), "Bearer s3cr\nt-77".into())],
            ..RestOptions::default()
        };
        let err = FlinkRest::new("http://h:8081", options).err().unwrap();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(!err.message.contains("s3cr"), "{}", err.message);
    }

    #[tokio::test]
    async fn an_unreachable_cluster_is_08001_naming_the_address() {
        // A port bound and closed again: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let options = RestOptions {
            headers: vec![("Authorization".into(), "Bearer hdr-secret-42".into())],
            ..RestOptions::default()
        };
        let rest = FlinkRest::new(&format!("http://127.0.0.1:{port}"), options).unwrap();
        let err = rest.cluster_overview().await.unwrap_err();
        assert_eq!(
            err.sqlstate,
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION
        );
        let expected = format!("cannot reach the Flink cluster at http://127.0.0.1:{port}: ");
        assert!(err.message.starts_with(&expected), "{}", err.message);
        assert!(!format!("{err:?}").contains("hdr-secret"), "{err:?}");
    }

    #[tokio::test]
    async fn the_version_comes_from_config_when_overview_lacks_it() {
        // Flink's answers as documented for its REST API: /overview
        // without "flink-version" (older releases), /config with it.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}/", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route(
                "/overview",
                axum::routing::get(|| async {
                    r#"{"taskmanagers":1,"slots-total":4,"slots-available":4,"jobs-running":0,"jobs-finished":2,"jobs-cancelled":0,"jobs-failed":0}"#
                }),
            )
            .route(
                "/config",
                axum::routing::get(|| async {
                    r#"{"refresh-interval":3000,"timezone-name":"UTC","timezone-offset":0,"flink-version":"1.17.2","flink-revision":"c0027e5 @ 2023-11-09T13:24:38+01:00"}"#
                }),
            );
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let rest = FlinkRest::new(&address, RestOptions::default()).unwrap();
        assert_eq!(
            rest.cluster_overview().await.unwrap(),
            ClusterOverview {
                flink_version: "1.17.2".into(),
                taskmanagers: 1,
                slots_total: 4,
                slots_available: 4,
                jobs_running: 0,
            }
        );
        server.abort();
    }
}
