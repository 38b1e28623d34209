//! The Flink SQL Gateway REST client (the contract is
//! `docs/flink-sql-gateway-rest.md`): API version negotiation,
//! sessions, statements, result pages and operation close. One client —
//! one HTTP connection pool — serves every scaleph session of a process.
//!
//! The API version and the Flink release are asked once and kept, but not
//! for the life of the process: the gateway behind a URL can be replaced
//! by one of another Flink version. A route the gateway does not know (a
//! 404: the version is gone) makes the client negotiate again and retry
//! the call once on the new version; a session the gateway lost (a
//! restart, maybe into another version) makes it ask both again before
//! the next call. Flink 1.16 (V1 only, the old result body without
//! `isQueryResult`/`resultKind`) is supported: [`super::fetch`] takes what
//! that body lacks from the statement's classification.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::errors::{FlinkFailure, classify};
use crate::error::{Error, Position, SqlState};

/// A REST API version of the Flink SQL Gateway: V1 came with Flink 1.16,
/// V2 with 1.17 (configure-session, rowFormat), V3 with 1.20, V4 with 2.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(u8);

impl ApiVersion {
    /// The newest version scaleph speaks.
    pub const NEWEST: ApiVersion = ApiVersion(4);

    /// `V3` -> version 3; `None` for names scaleph does not know.
    fn from_name(name: &str) -> Option<ApiVersion> {
        let number: u8 = name.strip_prefix('V')?.parse().ok()?;
        (1..=ApiVersion::NEWEST.0)
            .contains(&number)
            .then_some(ApiVersion(number))
    }

    /// The version number.
    pub fn number(self) -> u8 {
        self.0
    }

    /// Whether `configure-session` and `?rowFormat=` exist (V2 and later).
    pub fn has_configure_session(self) -> bool {
        self.0 >= 2
    }
}

/// How a fetch asks for values (`?rowFormat=`, V2 and later): JSON
/// values, or PLAIN_TEXT — every value as the string SQL `CAST` gives,
/// the fallback when JSON cannot represent a column (docs/flink-sql-gateway-rest.md §3.2, §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFormat {
    /// `rowFormat=JSON`.
    Json,
    /// `rowFormat=PLAIN_TEXT`.
    PlainText,
}

impl RowFormat {
    /// The query parameter's value.
    pub fn name(self) -> &'static str {
        match self {
            RowFormat::Json => "JSON",
            RowFormat::PlainText => "PLAIN_TEXT",
        }
    }
}

/// The Flink release behind a gateway, as `GET /info` reports it
/// (`"version":"1.20.0"`): what decides how values are written
/// (docs/flink-sql-gateway-rest.md §0) and which statements exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlinkRelease {
    /// `1` of `1.20.0`.
    pub major: u32,
    /// `20` of `1.20.0`.
    pub minor: u32,
}

impl FlinkRelease {
    /// The first release whose JSON rows carry TIMESTAMP_LTZ values as the
    /// session zone's wall clock (FLINK-32396).
    const LTZ_IN_SESSION_ZONE: FlinkRelease = FlinkRelease {
        major: 1,
        minor: 19,
    };

    /// The first release with `SHOW VIEWS FROM` (FLINK-36007); before it
    /// views are listed with `USE` and `SHOW VIEWS`.
    const SHOW_VIEWS_FROM: FlinkRelease = FlinkRelease { major: 2, minor: 0 };

    /// `1.20.0`, `1.18.1`, `2.0-SNAPSHOT` -> the release; `None` when
    /// there is no `major.minor`.
    pub fn parse(version: &str) -> Option<FlinkRelease> {
        let mut parts = version.trim().split(|c: char| !c.is_ascii_digit());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(FlinkRelease { major, minor })
    }

    /// Whether TIMESTAMP_LTZ values in JSON rows are the session zone's
    /// wall clock with a literal `Z` (1.19 and later) rather than the UTC
    /// instant (before).
    pub fn ltz_in_session_zone(self) -> bool {
        self >= FlinkRelease::LTZ_IN_SESSION_ZONE
    }

    /// Whether `SHOW DATABASES FROM c`, `SHOW TABLES FROM c.d` and `SHOW
    /// VIEWS FROM c.d` all exist (2.0 and later); before, a catalog is
    /// listed from inside it (`USE CATALOG`, `USE`).
    pub fn lists_by_qualified_name(self) -> bool {
        self >= FlinkRelease::SHOW_VIEWS_FROM
    }
}

/// Why a call to the Flink SQL Gateway failed.
#[derive(Debug)]
pub enum GatewayError {
    /// It could not be reached, timed out, or answered something that is
    /// not its protocol: a connection exception (08xxx).
    Transport {
        /// 08001 when no connection could be made, 08006 when one broke,
        /// 08P01 for an answer that is not the protocol.
        sqlstate: SqlState,
        /// What happened, naming the gateway.
        message: String,
        /// The HTTP or JSON error behind it (its URL removed: a gateway
        /// URL may carry user info).
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// It answered with an error: what Flink says failed.
    Failed(Box<FlinkFailure>),
    /// It has no such route (404): on a gateway replaced by an older one,
    /// the API version is gone.
    NotFound {
        /// The path asked.
        path: String,
    },
}

impl GatewayError {
    /// Whether Flink no longer knows the session (restart, idle expiry).
    pub fn session_missing(&self) -> bool {
        matches!(self, GatewayError::Failed(failure) if failure.session_missing)
    }

    /// Whether JSON could not represent the result (a MAP with a
    /// non-string key, MULTISET, RAW): PLAIN_TEXT can.
    pub fn json_unmappable(&self) -> bool {
        matches!(self, GatewayError::Failed(failure) if failure.json_unmappable)
    }

    /// Whether the call failed in the network (no connection, a broken
    /// one, no answer in time), not in what the gateway answered.
    pub fn is_network(&self) -> bool {
        matches!(self, GatewayError::Transport { sqlstate, .. } if *sqlstate != SqlState::PROTOCOL_VIOLATION)
    }

    /// The error a client sees when no statement text applies.
    pub fn into_error(self) -> Error {
        self.into_error_in(None)
    }

    /// The error a client sees for the statement `text` starting at
    /// `start`: Flink's parse positions point into it.
    pub fn into_statement_error(self, start: Position, text: &str) -> Error {
        self.into_error_in(Some((start, text)))
    }

    fn into_error_in(self, statement: Option<(Position, &str)>) -> Error {
        match self {
            GatewayError::Transport {
                sqlstate,
                message,
                source,
            } => {
                let err = Error::new(sqlstate, message);
                match source {
                    Some(source) => err.with_source(source),
                    None => err,
                }
            }
            GatewayError::Failed(failure) => failure.into_error(statement),
            GatewayError::NotFound { path } => Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!("the Flink SQL Gateway has no route {path}"),
            )
            .with_hint(
                "the gateway may run a Flink version scaleph does not support; Flink 1.16 is the oldest",
            ),
        }
    }
}

impl From<GatewayError> for Error {
    fn from(err: GatewayError) -> Error {
        err.into_error()
    }
}

/// The HTTP client of one Flink SQL Gateway.
pub struct GatewayClient {
    http: reqwest::Client,
    /// The base URL, without a trailing `/`.
    base: String,
    /// The base URL as shown in messages: without user info.
    shown: String,
    /// Negotiated on first use, forgotten when the gateway may have been
    /// replaced (a 404, a lost session). The lock is held while asking, so
    /// sessions starting together ask once.
    version: tokio::sync::Mutex<Option<ApiVersion>>,
    /// Asked on first use and forgotten with the version; `Some(None)`:
    /// asked, and the gateway did not tell a release scaleph can read.
    release: tokio::sync::Mutex<Option<Option<FlinkRelease>>>,
    timeout: Duration,
}

/// `{"productName":"Apache Flink","version":"1.20.0"}`.
#[derive(Deserialize)]
struct Info {
    version: String,
}

/// `{"versions":["V1","V2","V3"]}`.
#[derive(Deserialize)]
struct ApiVersions {
    versions: Vec<String>,
}

/// `{"sessionHandle":"..."}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenedSession {
    session_handle: String,
}

/// `{"operationHandle":"..."}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubmittedOperation {
    operation_handle: String,
}

/// `{"properties":{...}}`.
#[derive(Deserialize)]
struct SessionConfig {
    properties: BTreeMap<String, String>,
}

/// `{"errors":[...]}`.
#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<String>,
}

/// `http://user:secret@host:8083` -> `http://host:8083`.
pub(crate) fn without_user_info(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        }
        None => url.to_string(),
    }
}

/// The HTTP client of one Flink peer (the SQL Gateway, a cluster's REST
/// API): its timeouts, its default headers (marked sensitive by the
/// caller), a pool kept a little under the servers' idle timeout. `what`
/// names it in the error.
pub(crate) fn http_client(
    connect_timeout: Duration,
    timeout: Duration,
    headers: reqwest::header::HeaderMap,
    what: &str,
) -> Result<reqwest::Client, Error> {
    // The one TLS provider of the process (docs/design.md, stack
    // choices): installing it again is a harmless no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .default_headers(headers)
        .pool_idle_timeout(Duration::from_secs(50))
        .build()
        .map_err(|e| {
            let e = e.without_url();
            Error::new(
                SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                format!("cannot create {what}: {e}"),
            )
            .with_source(e)
        })
}

impl GatewayClient {
    /// A client of the gateway at `base_url` whose calls time out after
    /// `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<GatewayClient, Error> {
        let http = http_client(
            Duration::from_secs(5).min(timeout),
            timeout,
            reqwest::header::HeaderMap::new(),
            "the Flink SQL Gateway client",
        )?;
        let base = base_url.trim_end_matches('/').to_string();
        Ok(GatewayClient {
            http,
            shown: without_user_info(&base),
            base,
            version: Default::default(),
            release: Default::default(),
            timeout,
        })
    }

    /// The gateway's URL, as shown to users.
    pub fn url(&self) -> &str {
        &self.shown
    }

    fn transport(&self, err: reqwest::Error) -> GatewayError {
        let err = err.without_url();
        let (sqlstate, message) =
            super::errors::transport("the Flink SQL Gateway", &self.shown, self.timeout, &err);
        GatewayError::Transport {
            sqlstate,
            message,
            source: Some(err.into()),
        }
    }

    /// An answer that is not the protocol; `source` is the JSON error, if
    /// it did not decode.
    fn protocol(
        &self,
        what: impl std::fmt::Display,
        source: Option<serde_json::Error>,
    ) -> GatewayError {
        GatewayError::Transport {
            sqlstate: SqlState::PROTOCOL_VIOLATION,
            message: format!(
                "the Flink SQL Gateway at {} answered something unexpected: {what}",
                self.shown
            ),
            source: source.map(Into::into),
        }
    }

    /// One call: `path` is absolute on the gateway (`/v3/sessions`); a
    /// non-2xx answer becomes [`GatewayError::Failed`].
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Bytes, GatewayError> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return Ok(bytes);
        }
        if status == StatusCode::NOT_FOUND {
            return Err(GatewayError::NotFound {
                path: path.split('?').next().unwrap_or(path).to_string(),
            });
        }
        let err = self.rejected(status, &bytes);
        if err.session_missing() {
            // The gateway restarted, maybe as another Flink version.
            self.forget_negotiation();
        }
        Err(err)
    }

    /// Forgets the API version and release: asked again on next use. One
    /// being asked right now is left alone: its answer is fresh.
    pub fn forget_negotiation(&self) {
        if let Ok(mut version) = self.version.try_lock() {
            *version = None;
        }
        if let Ok(mut release) = self.release.try_lock() {
            *release = None;
        }
    }

    /// One call on the negotiated API version: `path` gives the path for
    /// a version (`/v3/sessions`). A 404 — the gateway no longer serves
    /// that version — negotiates again and, on another version, retries.
    async fn versioned(
        &self,
        method: Method,
        path: impl Fn(ApiVersion) -> String,
        body: Option<serde_json::Value>,
    ) -> Result<Bytes, GatewayError> {
        let version = self.version().await?;
        match self
            .call(method.clone(), &path(version), body.clone())
            .await
        {
            Err(GatewayError::NotFound { .. }) => {
                self.forget_negotiation();
                let renegotiated = self.version().await?;
                if renegotiated == version {
                    return Err(GatewayError::NotFound {
                        path: path(version),
                    });
                }
                tracing::info!(
                    gateway = %self.shown,
                    from = version.number(),
                    to = renegotiated.number(),
                    "the Flink SQL Gateway changed its API version"
                );
                self.call(method, &path(renegotiated), body).await
            }
            other => other,
        }
    }

    async fn versioned_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: impl Fn(ApiVersion) -> String,
        body: Option<serde_json::Value>,
    ) -> Result<T, GatewayError> {
        let bytes = self.versioned(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| self.protocol(e.to_string(), Some(e)))
    }

    /// The failure an error answer describes (docs/flink-sql-gateway-rest.md §6).
    fn rejected(&self, status: StatusCode, body: &[u8]) -> GatewayError {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(ErrorBody { errors }) => GatewayError::Failed(Box::new(classify(&errors))),
            Err(_) => self.protocol(
                format_args!(
                    "HTTP {status} with body {:?}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ),
                None,
            ),
        }
    }

    async fn call_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, GatewayError> {
        let bytes = self.call(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| self.protocol(e.to_string(), Some(e)))
    }

    /// The API version both sides know, asked on first use (on V1, which
    /// every gateway serves, as Flink's own SQL client does).
    pub async fn version(&self) -> Result<ApiVersion, GatewayError> {
        let mut known = self.version.lock().await;
        if let Some(version) = *known {
            return Ok(version);
        }
        let listed: ApiVersions = self
            .call_json(Method::GET, "/v1/api_versions", None)
            .await?;
        let version = listed
            .versions
            .iter()
            .filter_map(|name| ApiVersion::from_name(name))
            .max()
            .ok_or_else(|| {
                self.protocol(
                    format_args!("no API version scaleph speaks among {:?}", listed.versions),
                    None,
                )
            })?;
        *known = Some(version);
        Ok(version)
    }

    /// The Flink release of the gateway, asked on first use (`GET
    /// /v1/info`); `None` when its version is not `major.minor...` or the
    /// gateway does not answer `/info`.
    pub async fn release(&self) -> Result<Option<FlinkRelease>, GatewayError> {
        let mut known = self.release.lock().await;
        if let Some(release) = *known {
            return Ok(release);
        }
        let release = match self.call_json::<Info>(Method::GET, "/v1/info", None).await {
            Ok(info) => FlinkRelease::parse(&info.version),
            Err(GatewayError::Failed(failure)) => {
                tracing::debug!(error = ?failure, "the Flink SQL Gateway does not tell its version");
                None
            }
            Err(GatewayError::NotFound { .. }) => None,
            Err(err) => return Err(err),
        };
        *known = Some(release);
        Ok(release)
    }

    /// Whether TIMESTAMP_LTZ values in JSON rows are the session zone's
    /// wall clock (Flink 1.19 and later, and a release scaleph cannot
    /// read) rather than the UTC instant.
    pub async fn ltz_in_session_zone(&self) -> Result<bool, GatewayError> {
        Ok(self
            .release()
            .await?
            .is_none_or(FlinkRelease::ltz_in_session_zone))
    }

    /// Whether a catalog's databases, tables and views can be listed by
    /// qualified name (Flink 2.0 and later, and a release scaleph cannot
    /// read), rather than from inside the catalog.
    pub async fn lists_by_qualified_name(&self) -> Result<bool, GatewayError> {
        Ok(self
            .release()
            .await?
            .is_none_or(FlinkRelease::lists_by_qualified_name))
    }

    /// Opens a session named `name` with `properties`; its handle.
    pub async fn open_session(
        &self,
        name: &str,
        properties: &BTreeMap<String, String>,
    ) -> Result<String, GatewayError> {
        let opened: OpenedSession = self
            .versioned_json(
                Method::POST,
                |v| format!("/v{}/sessions", v.number()),
                Some(json!({"sessionName": name, "properties": properties})),
            )
            .await?;
        Ok(opened.session_handle)
    }

    /// The session's effective configuration.
    pub async fn session_config(
        &self,
        session: &str,
    ) -> Result<BTreeMap<String, String>, GatewayError> {
        let config: SessionConfig = self
            .versioned_json(
                Method::GET,
                |v| format!("/v{}/sessions/{session}", v.number()),
                None,
            )
            .await?;
        Ok(config.properties)
    }

    /// Closes the session (and with it every operation of it).
    pub async fn close_session(&self, session: &str) -> Result<(), GatewayError> {
        self.versioned(
            Method::DELETE,
            |v| format!("/v{}/sessions/{session}", v.number()),
            None,
        )
        .await
        .map(drop)
    }

    /// Keeps the session alive.
    pub async fn heartbeat(&self, session: &str) -> Result<(), GatewayError> {
        self.versioned(
            Method::POST,
            |v| format!("/v{}/sessions/{session}/heartbeat", v.number()),
            None,
        )
        .await
        .map(drop)
    }

    /// Runs a session-configuring statement (SET, USE, CREATE, ADD JAR, ...)
    /// synchronously (V2 and later).
    pub async fn configure_session(
        &self,
        session: &str,
        statement: &str,
    ) -> Result<(), GatewayError> {
        self.versioned(
            Method::POST,
            |v| format!("/v{}/sessions/{session}/configure-session", v.number()),
            Some(json!({"statement": statement})),
        )
        .await
        .map(drop)
    }

    /// Submits a statement; the handle of its operation. Flink parses and
    /// runs it asynchronously: its errors come with the first fetch.
    pub async fn execute(&self, session: &str, statement: &str) -> Result<String, GatewayError> {
        let submitted: SubmittedOperation = self
            .versioned_json(
                Method::POST,
                |v| format!("/v{}/sessions/{session}/statements", v.number()),
                Some(json!({"statement": statement})),
            )
            .await?;
        Ok(submitted.operation_handle)
    }

    /// The result page `token` of an operation in `format` (V1 has no
    /// `rowFormat`: always JSON), as the raw JSON body (decoded by
    /// [`super::fetch`], borrowing from it).
    pub async fn fetch(
        &self,
        session: &str,
        operation: &str,
        token: u64,
        format: RowFormat,
    ) -> Result<Bytes, GatewayError> {
        self.versioned(
            Method::GET,
            |v| {
                let format = if v.has_configure_session() {
                    format!("?rowFormat={}", format.name())
                } else {
                    String::new()
                };
                format!(
                    "/v{}/sessions/{session}/operations/{operation}/result/{token}{format}",
                    v.number()
                )
            },
            None,
        )
        .await
    }

    /// Closes an operation: frees it and cancels its query's job. Closing
    /// an operation Flink no longer knows is not an error.
    pub async fn close_operation(
        &self,
        session: &str,
        operation: &str,
    ) -> Result<(), GatewayError> {
        self.versioned(
            Method::DELETE,
            |v| {
                format!(
                    "/v{}/sessions/{session}/operations/{operation}/close",
                    v.number()
                )
            },
            None,
        )
        .await
        .map(drop)
    }

    /// Decodes a fetched page, naming the gateway in errors.
    pub(super) fn page<'a>(&self, body: &'a [u8]) -> Result<super::fetch::Page<'a>, GatewayError> {
        serde_json::from_slice(body).map_err(|e| self.protocol(e.to_string(), Some(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_urls() {
        assert_eq!(ApiVersion::from_name("V3"), Some(ApiVersion(3)));
        assert_eq!(ApiVersion::from_name("V9"), None);
        assert_eq!(ApiVersion::from_name("V0"), None);
        assert!(!ApiVersion(1).has_configure_session());
        assert_eq!(
            without_user_info("https://u:p@flink:8083"),
            "https://flink:8083"
        );
        assert_eq!(without_user_info("http://flink"), "http://flink");
    }

    #[test]
    fn releases_parse_and_decide_the_ltz_rule() {
        let release = |v| FlinkRelease::parse(v);
        assert_eq!(
            release("1.20.0"),
            Some(FlinkRelease {
                major: 1,
                minor: 20
            })
        );
        assert_eq!(
            release("2.0-SNAPSHOT"),
            Some(FlinkRelease { major: 2, minor: 0 })
        );
        assert_eq!(release("unknown"), None);
        assert_eq!(release("1"), None);
        assert!(!release("1.18.1").unwrap().ltz_in_session_zone());
        assert!(release("1.19.0").unwrap().ltz_in_session_zone());
        assert!(release("2.0.0").unwrap().ltz_in_session_zone());
        assert!(!release("1.20.1").unwrap().lists_by_qualified_name());
        assert!(release("2.1.0").unwrap().lists_by_qualified_name());
        assert_eq!(RowFormat::PlainText.name(), "PLAIN_TEXT");
    }

    #[tokio::test]
    async fn an_unreachable_gateway_is_08001_naming_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client =
            GatewayClient::new(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(2))
                .unwrap();
        let err = client.version().await.unwrap_err().into_error();
        assert_eq!(
            err.sqlstate,
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION
        );
        assert!(
            err.message.contains(&format!("127.0.0.1:{port}")),
            "{}",
            err.message
        );
    }
}
