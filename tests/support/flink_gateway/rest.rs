//! The REST endpoints (docs/flink-sql-gateway-rest.md §2): routing by version, request bodies and
//! path parameters, the response bodies written key by key, and the three
//! error shapes (docs/flink-sql-gateway-rest.md §6).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use serde_json::Value as Json;

use super::engine::{self, Execution, ResultKind, SessionContext};
use super::errors::{
    JSON_MAPPING, JavaError, REST_HANDLER, SQL_EXECUTION, SQL_GATEWAY, Site, UNSUPPORTED,
    json_string, plain_errors, shape1, shape2,
};
use super::query::Row;
use super::state::{Operation, Page, Produced, Session, operation_missing, touch};
use super::values::{ltz_json_in_session_zone, zone};
use super::{DoubleOptions, Shared, new_uuid};

/// An HTTP answer: status and JSON body.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The compact JSON body.
    pub body: String,
}

impl Reply {
    fn ok(body: String) -> Reply {
        Reply { status: 200, body }
    }

    /// 500, shape 1: a `RestHandlerException` wrapping the service's failure.
    fn handler_error(action: &str, cause: JavaError, handler: &'static str) -> Reply {
        let error = cause
            .wrap(
                SQL_GATEWAY,
                format!("Failed to {action}."),
                Site::Service(service_method(action)),
            )
            .wrap(
                REST_HANDLER,
                format!("Failed to {action}."),
                Site::Handler(handler),
            );
        Reply {
            status: 500,
            body: shape1(&error),
        }
    }

    /// 500, shape 2: an unhandled `SqlGatewayException`.
    fn service_error(message: &str, method: &'static str, cause: JavaError) -> Reply {
        let error = cause.wrap(SQL_GATEWAY, message, Site::Service(method));
        Reply {
            status: 500,
            body: shape2(&error),
        }
    }

    /// 400, shape 1.
    fn bad_request(message: String, cause: Option<JavaError>) -> Reply {
        let error = match cause {
            Some(cause) => cause.wrap(REST_HANDLER, message, Site::Request),
            None => JavaError::new(REST_HANDLER, message, Site::Request),
        };
        Reply {
            status: 400,
            body: shape1(&error),
        }
    }
}

/// The service method behind an action's message.
fn service_method(action: &str) -> &'static str {
    match action {
        "getSessionConfig" => "getSessionConfig",
        "closeSession" => "closeSession",
        "cancelOperation" => "cancelOperation",
        "closeOperation" => "closeOperation",
        _ => "getOperationInfo",
    }
}

/// A request as the router sees it.
pub struct Request<'a> {
    /// `GET`, `POST`...
    pub method: &'a str,
    /// The path, percent-encoded as received.
    pub path: &'a str,
    /// The query string, if any.
    pub query: Option<&'a str>,
    /// The body bytes.
    pub body: &'a [u8],
}

/// The version number of `V3`.
fn version_number(name: &str) -> Option<u32> {
    name.strip_prefix('V')?.parse().ok()
}

/// Answers one request.
pub fn handle(shared: &Shared, request: &Request) -> Reply {
    let uri = match request.query {
        Some(q) => format!("{}?{q}", request.path),
        None => request.path.to_string(),
    };
    let not_found = || Reply {
        status: 404,
        body: plain_errors(&format!("Not found: {uri}")),
    };
    let options = shared.options();
    let listed: Vec<u32> = options
        .versions
        .iter()
        .filter_map(|v| version_number(v))
        .collect();
    let Some(&highest) = listed.iter().max() else {
        return not_found();
    };
    let segments: Vec<String> = request
        .path
        .trim_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let (version, route) = match segments
        .first()
        .and_then(|s| s.strip_prefix('v'))
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n) if listed.contains(&n) => (n, &segments[1..]),
        _ => (highest, &segments[..]),
    };
    let route: Vec<&str> = route.iter().map(String::as_str).collect();
    let ctx = Ctx {
        shared,
        version,
        query: request.query,
        options: options.clone(),
    };
    let body = request.body;
    match (request.method, route.as_slice()) {
        ("GET", ["api_versions"]) => {
            let versions: Vec<String> = options.versions.iter().map(|v| json_string(v)).collect();
            Reply::ok(format!("{{\"versions\":[{}]}}", versions.join(",")))
        }
        ("GET", ["info"]) => Reply::ok(format!(
            "{{\"productName\":\"Apache Flink\",\"version\":{}}}",
            json_string(options.flink_version)
        )),
        ("POST", ["sessions"]) => ctx.open_session(body),
        ("GET", ["sessions", s]) => ctx.get_session(body, s),
        ("DELETE", ["sessions", s]) => ctx.close_session(body, s),
        ("POST", ["sessions", s, "heartbeat"]) => ctx.heartbeat(body, s),
        ("POST", ["sessions", s, "configure-session"]) if version >= 2 => {
            ctx.configure_session(body, s)
        }
        ("GET", ["sessions", s, "complete-statement"]) if version >= 2 => {
            ctx.complete_statement(body, s)
        }
        ("POST", ["sessions", s, "statements"]) => ctx.execute_statement(body, s),
        ("GET", ["sessions", s, "operations", o, "status"]) => ctx.operation_status(body, s, o),
        ("POST", ["sessions", s, "operations", o, "cancel"]) => ctx.cancel_operation(body, s, o),
        ("DELETE", ["sessions", s, "operations", o, "close"]) => ctx.close_operation(body, s, o),
        ("GET", ["sessions", s, "operations", o, "result", t]) => ctx.fetch_results(s, o, t),
        _ => not_found(),
    }
}

/// `%xx` decoding of one path segment.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A lowercase UUID from a path parameter, or the 400 for it.
fn uuid_param(name: &str, value: &str) -> Result<String, Reply> {
    let valid = value.len() == 36
        && value.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if valid {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(bad_parameter("path", name, value))
    }
}

fn bad_parameter(kind: &str, name: &str, value: &str) -> Reply {
    Reply::bad_request(
        format!(
            "Bad request, could not parse parameters: Cannot resolve {kind} parameter ({name}) from value \"{value}\"."
        ),
        None,
    )
}

/// A JSON request body: empty is `{}`; anything else must be an object.
fn body_object(body: &[u8], class: &str) -> Result<serde_json::Map<String, Json>, Reply> {
    let mismatch = |detail: String| {
        Reply::bad_request(
            format!("Request did not match expected format {class}."),
            Some(JavaError::new(JSON_MAPPING, detail, Site::Request)),
        )
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(mismatch(format!(
            "Cannot deserialize value of type `{class}` from {}",
            json_kind(&other)
        ))),
        Err(e) => Err(mismatch(format!(
            "Unexpected character or end-of-input: {e}"
        ))),
    }
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "Null value",
        Json::Bool(_) => "Boolean value",
        Json::Number(_) => "Integer value",
        Json::String(_) => "String value",
        Json::Array(_) => "Array value",
        Json::Object(_) => "Object value",
    }
}

/// A string field (scalars are coerced as Jackson does); `None` when absent or null.
fn string_field(
    map: &serde_json::Map<String, Json>,
    key: &str,
    class: &str,
) -> Result<Option<String>, Reply> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(v @ (Json::Number(_) | Json::Bool(_))) => Ok(Some(v.to_string())),
        Some(other) => Err(type_mismatch(class, key, other)),
    }
}

/// An integer field; `None` when absent or null.
fn long_field(
    map: &serde_json::Map<String, Json>,
    key: &str,
    class: &str,
) -> Result<Option<i64>, Reply> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
        Some(Json::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
        Some(other) => Err(type_mismatch(class, key, other)),
    }
}

/// A `Map<String, String>` field; empty when absent or null.
fn map_field(
    map: &serde_json::Map<String, Json>,
    key: &str,
    class: &str,
) -> Result<BTreeMap<String, String>, Reply> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(BTreeMap::new()),
        Some(Json::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let v = match v {
                    Json::String(s) => s.clone(),
                    Json::Number(_) | Json::Bool(_) => v.to_string(),
                    other => return Err(type_mismatch(class, key, other)),
                };
                out.insert(k.clone(), v);
            }
            Ok(out)
        }
        Some(other) => Err(type_mismatch(class, key, other)),
    }
}

fn type_mismatch(class: &str, key: &str, value: &Json) -> Reply {
    Reply::bad_request(
        format!("Request did not match expected format {class}."),
        Some(JavaError::new(
            JSON_MAPPING,
            format!(
                "Cannot deserialize value of type for field \"{key}\" from {}",
                json_kind(value)
            ),
            Site::Request,
        )),
    )
}

/// What every handler needs.
struct Ctx<'a> {
    shared: &'a Shared,
    version: u32,
    query: Option<&'a str>,
    /// The options in force when the request came.
    options: DoubleOptions,
}

impl Ctx<'_> {
    fn options(&self) -> &DoubleOptions {
        &self.options
    }

    /// Runs `f` on the touched session, or answers shape 1 for `action`.
    fn with_session_shape1(
        &self,
        handle: &str,
        action: &str,
        handler: &'static str,
        f: impl FnOnce(&mut super::state::State, String) -> Reply,
    ) -> Reply {
        let handle = match uuid_param("session_handle", handle) {
            Ok(h) => h,
            Err(reply) => return reply,
        };
        let mut state = self.shared.lock();
        if let Err(e) = state.session(&handle) {
            return Reply::handler_error(action, e, handler);
        }
        f(&mut state, handle)
    }

    fn open_session(&self, body: &[u8]) -> Reply {
        const CLASS: &str = "OpenSessionRequestBody";
        let parsed = body_object(body, CLASS).and_then(|map| {
            string_field(&map, "sessionName", CLASS).and(map_field(&map, "properties", CLASS))
        });
        let properties = match parsed {
            Ok(p) => p,
            Err(reply) => return reply,
        };
        let handle = new_uuid();
        let session = Session {
            context: SessionContext::new(properties),
            operations: Default::default(),
            next_seq: 0,
            last_access: Instant::now(),
        };
        self.shared.lock().sessions.insert(handle.clone(), session);
        Reply::ok(format!("{{\"sessionHandle\":\"{handle}\"}}"))
    }

    fn get_session(&self, body: &[u8], handle: &str) -> Reply {
        if let Err(reply) = body_object(body, "EmptyRequestBody") {
            return reply;
        }
        self.with_session_shape1(
            handle,
            "getSessionConfig",
            "session.GetSessionConfigHandler",
            |state, handle| {
                let session = &state.sessions[&handle];
                let entries: Vec<String> = session
                    .context
                    .config
                    .iter()
                    .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
                    .collect();
                Reply::ok(format!("{{\"properties\":{{{}}}}}", entries.join(",")))
            },
        )
    }

    fn close_session(&self, body: &[u8], handle: &str) -> Reply {
        if let Err(reply) = body_object(body, "EmptyRequestBody") {
            return reply;
        }
        self.with_session_shape1(
            handle,
            "closeSession",
            "session.CloseSessionHandler",
            |state, handle| {
                state.close_session(&handle);
                Reply::ok("{\"status\":\"CLOSED\"}".into())
            },
        )
    }

    fn heartbeat(&self, body: &[u8], handle: &str) -> Reply {
        if let Err(reply) = body_object(body, "EmptyRequestBody") {
            return reply;
        }
        self.with_session_shape1(
            handle,
            "getSessionConfig",
            "session.TriggerSessionHeartbeatHandler",
            |_, _| Reply::ok("{}".into()),
        )
    }

    fn configure_session(&self, body: &[u8], handle: &str) -> Reply {
        const CLASS: &str = "ConfigureSessionRequestBody";
        let parsed = body_object(body, CLASS).and_then(|map| {
            long_field(&map, "executionTimeout", CLASS)?;
            string_field(&map, "statement", CLASS)
        });
        let statement = match parsed {
            Ok(s) => s.unwrap_or_default(),
            Err(reply) => return reply,
        };
        let handle = match uuid_param("session_handle", handle) {
            Ok(h) => h,
            Err(reply) => return reply,
        };
        let failed = |cause: JavaError| {
            Reply::service_error("Failed to configure session.", "configureSession", cause)
        };
        let mut guard = self.shared.lock();
        let state = &mut *guard;
        let session = match touch(&mut state.sessions, &handle) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let config = session.context.config.clone();
        let mut exec = Execution {
            session: &mut session.context,
            jobs: &mut state.jobs,
            stores: &mut state.stores,
            config,
            release: self.options().release(),
        };
        match engine::configure(&mut exec, &statement) {
            Ok(()) => Reply::ok("{}".into()),
            Err(root) => failed(root.wrap(
                SQL_EXECUTION,
                format!("Failed to execute the operation {}.", new_uuid()),
                Site::Operation,
            )),
        }
    }

    fn complete_statement(&self, body: &[u8], handle: &str) -> Reply {
        const CLASS: &str = "CompleteStatementRequestBody";
        let map = match body_object(body, CLASS) {
            Ok(m) => m,
            Err(reply) => return reply,
        };
        if map.get("position").is_some_and(Json::is_null) {
            return type_mismatch(CLASS, "position", &Json::Null);
        }
        let parsed = string_field(&map, "statement", CLASS)
            .and_then(|s| Ok((s, long_field(&map, "position", CLASS)?)));
        let (statement, position) = match parsed {
            Ok((s, p)) => (s.unwrap_or_default(), p.unwrap_or(0)),
            Err(reply) => return reply,
        };
        let handle = match uuid_param("session_handle", handle) {
            Ok(h) => h,
            Err(reply) => return reply,
        };
        if let Err(e) = self.shared.lock().session(&handle) {
            return Reply::service_error("Failed to complete statement.", "completeStatement", e);
        }
        let candidates: Vec<String> = complete(&statement, position)
            .iter()
            .map(|c| json_string(c))
            .collect();
        Reply::ok(format!("{{\"candidates\":[{}]}}", candidates.join(",")))
    }

    fn execute_statement(&self, body: &[u8], handle: &str) -> Reply {
        const CLASS: &str = "ExecuteStatementRequestBody";
        let parsed = body_object(body, CLASS).and_then(|map| {
            Ok((
                string_field(&map, "statement", CLASS)?,
                long_field(&map, "executionTimeout", CLASS)?,
                map_field(&map, "executionConfig", CLASS)?,
            ))
        });
        let (statement, timeout, execution_config) = match parsed {
            Ok(p) => p,
            Err(reply) => return reply,
        };
        let handle = match uuid_param("session_handle", handle) {
            Ok(h) => h,
            Err(reply) => return reply,
        };
        let failed = |cause: JavaError| {
            Reply::service_error("Failed to execute statement.", "executeStatement", cause)
        };
        if timeout.unwrap_or(0) > 0 {
            return failed(JavaError::new(
                UNSUPPORTED,
                "SqlGatewayService doesn't support timeout mechanism now.",
                Site::Service("executeStatement"),
            ));
        }
        let mut guard = self.shared.lock();
        let state = &mut *guard;
        let session = match touch(&mut state.sessions, &handle) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let mut config = session.context.config.clone();
        config.extend(execution_config);
        let options = self.options();
        let zone = zone(
            config.get("table.local-time-zone").map(String::as_str),
            options.jvm_zone,
        );
        let json_zone = if ltz_json_in_session_zone(options.flink_version) {
            zone
        } else {
            chrono_tz::Tz::UTC
        };
        let outcome = match statement {
            Some(text) => {
                let mut exec = Execution {
                    session: &mut session.context,
                    jobs: &mut state.jobs,
                    stores: &mut state.stores,
                    config,
                    release: options.release(),
                };
                engine::execute(&mut exec, &text)
            }
            None => engine::Outcome::Failed(JavaError::new(
                "java.lang.NullPointerException",
                "Cannot invoke \"String.trim()\" because \"statement\" is null",
                Site::Parser,
            )),
        };
        let operation = new_uuid();
        let seq = session.next_seq;
        session.next_seq += 1;
        session.operations.insert(
            operation.clone(),
            Operation::new(outcome, self.options().not_ready_fetches, zone)
                .with_json_zone(json_zone)
                .with_seq(seq),
        );
        Reply::ok(format!("{{\"operationHandle\":\"{operation}\"}}"))
    }

    /// Resolves session and operation handles for status / cancel / close.
    fn operation_call(
        &self,
        body: &[u8],
        session: &str,
        operation: &str,
        action: &str,
        handler: &'static str,
        f: impl FnOnce(&mut super::state::State, &str, &str) -> Reply,
    ) -> Reply {
        if let Err(reply) = body_object(body, "EmptyRequestBody") {
            return reply;
        }
        let operation = match uuid_param("session_handle", session)
            .and_then(|_| uuid_param("operation_handle", operation))
        {
            Ok(o) => o,
            Err(reply) => return reply,
        };
        self.with_session_shape1(session, action, handler, |state, session| {
            f(state, &session, &operation)
        })
    }

    fn operation_status(&self, body: &[u8], session: &str, operation: &str) -> Reply {
        self.operation_call(
            body,
            session,
            operation,
            "getOperationInfo",
            "operation.GetOperationStatusHandler",
            |state, s, o| match state.sessions[s].operations.get(o) {
                Some(op) if op.running() && state.sessions[s].blocks(op.seq) => {
                    Reply::ok("{\"status\":\"PENDING\"}".into())
                }
                Some(op) => Reply::ok(format!("{{\"status\":\"{}\"}}", op.status())),
                None => Reply::handler_error(
                    "getOperationInfo",
                    operation_missing(o),
                    "operation.GetOperationStatusHandler",
                ),
            },
        )
    }

    fn cancel_operation(&self, body: &[u8], session: &str, operation: &str) -> Reply {
        const HANDLER: &str = "operation.CancelOperationHandler";
        self.operation_call(
            body,
            session,
            operation,
            "cancelOperation",
            HANDLER,
            |state, s, o| {
                let Some(op) = state
                    .sessions
                    .get_mut(s)
                    .and_then(|session| session.operations.get_mut(o))
                else {
                    return Reply::handler_error("cancelOperation", operation_missing(o), HANDLER);
                };
                if let Err(e) = op.cancel(o) {
                    return Reply::handler_error("cancelOperation", e, HANDLER);
                }
                if let Some(job) = op.job_id().map(str::to_string) {
                    state.cancel_job(&job);
                }
                Reply::ok("{\"status\":\"CANCELED\"}".into())
            },
        )
    }

    fn close_operation(&self, body: &[u8], session: &str, operation: &str) -> Reply {
        self.operation_call(
            body,
            session,
            operation,
            "closeOperation",
            "operation.CloseOperationHandler",
            |state, s, o| {
                if let Some(op) = state
                    .sessions
                    .get_mut(s)
                    .and_then(|session| session.operations.remove(o))
                {
                    state.release(&op);
                }
                Reply::ok("{\"status\":\"CLOSED\"}".into())
            },
        )
    }

    fn fetch_results(&self, session: &str, operation: &str, token: &str) -> Reply {
        let params = uuid_param("session_handle", session)
            .and_then(|s| Ok((s, uuid_param("operation_handle", operation)?)))
            .and_then(|(s, o)| {
                let t = token
                    .parse::<i64>()
                    .map_err(|_| bad_parameter("path", "token", token))?;
                Ok((s, o, t))
            });
        let (session, operation, token) = match params {
            Ok(p) => p,
            Err(reply) => return reply,
        };
        let plain = if self.version >= 2 {
            match query_param(self.query, "rowFormat") {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("JSON") => false,
                Some(v) if v.eq_ignore_ascii_case("PLAIN_TEXT") => true,
                Some(v) => return bad_parameter("query", "rowFormat", &v),
            }
        } else {
            false
        };
        let failed = |cause: JavaError| {
            let error = cause
                .wrap(
                    SQL_GATEWAY,
                    "Failed to fetchResults.",
                    Site::Service("fetchResults"),
                )
                .wrap_plain(SQL_GATEWAY, Site::Handler("statement.FetchResultsHandler"));
            Reply {
                status: 500,
                body: shape2(&error),
            }
        };
        let page_rows = self.options().page_rows;
        let mut state = self.shared.lock();
        let session_state = match state.session(&session) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let Some(seq) = session_state.operations.get(&operation).map(|op| op.seq) else {
            return failed(operation_missing(&operation));
        };
        let pending = session_state.blocks(seq);
        let Some(op) = session_state.operations.get_mut(&operation) else {
            return failed(operation_missing(&operation));
        };
        let pending = pending && op.running();
        if pending {
            self.shared
                .pending_fetches
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        let page = match op.fetch(&operation, token, page_rows, pending) {
            Ok(p) => p,
            Err(e) => return failed(e),
        };
        let uri = |token: i64| {
            let base = format!(
                "/v{}/sessions/{session}/operations/{operation}/result/{token}",
                self.version
            );
            if self.version >= 2 {
                format!(
                    "{base}?rowFormat={}",
                    if plain { "PLAIN_TEXT" } else { "JSON" }
                )
            } else {
                base
            }
        };
        // Flink 1.16 wrote `results` first, without isQueryResult, jobID
        // and resultKind (docs/flink-sql-gateway-rest.md §0).
        let old_body = self.options().release() < (1, 17);
        let next = match page {
            Page::NotReady if old_body => {
                return Reply::ok(format!(
                    "{{\"results\":{{\"columns\":[],\"data\":[]}},\"resultType\":\"NOT_READY\",\"nextResultUri\":\"{}\"}}",
                    uri(0)
                ));
            }
            Page::NotReady => {
                return Reply::ok(format!(
                    "{{\"resultType\":\"NOT_READY\",\"nextResultUri\":\"{}\"}}",
                    uri(0)
                ));
            }
            Page::Payload(next) => Some(uri(next)),
            Page::Eos => None,
        };
        match render_page(op, next, plain, old_body) {
            Some(body) => Reply::ok(body),
            None => Reply {
                status: 500,
                body: plain_errors("Internal server error. Could not map response to JSON."),
            },
        }
    }
}

/// A `PAYLOAD` (with the operation's last page) or, without a next URI, an
/// `EOS` body — Flink 1.16's when `old_body`; `None` when JSON cannot
/// represent a column or value.
fn render_page(
    op: &Operation,
    next_uri: Option<String>,
    plain: bool,
    old_body: bool,
) -> Option<String> {
    let (columns, is_query, job_id, kind) = match &op.produced {
        Produced::Static { result, .. } => (
            &result.columns,
            false,
            result.job_id.as_deref(),
            result.kind,
        ),
        Produced::Query { run, job_id } => (
            &run.plan.columns,
            true,
            Some(job_id.as_str()),
            ResultKind::SuccessWithContent,
        ),
        Produced::Failed(_) => return None,
    };
    if !plain && columns.iter().any(|c| c.ty.json_unsupported()) {
        return None;
    }
    let rows: &[Row] = if next_uri.is_some() { op.page() } else { &[] };
    let result_type = if next_uri.is_some() { "PAYLOAD" } else { "EOS" };
    let mut out = String::with_capacity(256 + rows.len() * 64);
    if old_body {
        out.push_str("{\"results\":{\"columns\":[");
    } else {
        let _ = write!(
            out,
            "{{\"resultType\":\"{result_type}\",\"isQueryResult\":{is_query}"
        );
        if let Some(id) = job_id {
            let _ = write!(out, ",\"jobID\":\"{id}\"");
        }
        let _ = write!(
            out,
            ",\"resultKind\":\"{}\",\"results\":{{\"columns\":[",
            kind.name()
        );
    }
    for (n, column) in columns.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&column.json());
    }
    if old_body {
        out.push_str("],\"data\":[");
    } else {
        let _ = write!(
            out,
            "],\"rowFormat\":\"{}\",\"data\":[",
            if plain { "PLAIN_TEXT" } else { "JSON" }
        );
    }
    for (n, (row_kind, values)) in rows.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"kind\":\"{}\",\"fields\":[", row_kind.name());
        for (m, value) in values.iter().enumerate() {
            if m > 0 {
                out.push(',');
            }
            if plain {
                value.write_plain_json(&mut out, op.zone);
            } else {
                value.write_json(&mut out, op.json_zone).ok()?;
            }
        }
        out.push_str("]}");
    }
    out.push_str("]}");
    if old_body {
        let _ = write!(out, ",\"resultType\":\"{result_type}\"");
    }
    match next_uri {
        Some(uri) => {
            let _ = write!(out, ",\"nextResultUri\":\"{uri}\"");
        }
        // 1.16 wrote the null; 1.17's serializer leaves the key out.
        None if old_body => out.push_str(",\"nextResultUri\":null"),
        None => {}
    }
    out.push('}');
    Some(out)
}

/// The value of query parameter `key`.
fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode(v))
    })
}

/// Completion candidates: keywords that may follow the previous word and
/// start with the word under the cursor.
fn complete(statement: &str, position: i64) -> Vec<String> {
    let chars: Vec<char> = statement.chars().collect();
    let end = (position.max(0) as usize).min(chars.len());
    let is_word = |c: &char| c.is_alphanumeric() || *c == '_';
    let word_start = chars[..end]
        .iter()
        .rposition(|c| !is_word(c))
        .map(|i| i + 1)
        .unwrap_or(0);
    let word: String = chars[word_start..end]
        .iter()
        .collect::<String>()
        .to_uppercase();
    let head: String = chars[..word_start].iter().collect();
    let previous = head.split_whitespace().last().unwrap_or("").to_uppercase();
    let following: &[&str] = match previous.as_str() {
        "CREATE" | "DROP" => &[
            "CATALOG",
            "DATABASE",
            "FUNCTION",
            "TABLE",
            "TEMPORARY",
            "VIEW",
        ],
        "TEMPORARY" => &["FUNCTION", "SYSTEM", "TABLE", "VIEW"],
        "SHOW" => &[
            "CATALOGS",
            "COLUMNS",
            "CREATE",
            "CURRENT",
            "DATABASES",
            "FULL",
            "FUNCTIONS",
            "JARS",
            "JOBS",
            "MODULES",
            "TABLES",
            "USER",
            "VIEWS",
        ],
        "INSERT" => &["INTO", "OVERWRITE"],
        "USE" => &["CATALOG", "MODULES"],
        "" => &[
            "ADD", "ALTER", "BEGIN", "CREATE", "DESCRIBE", "DROP", "END", "EXECUTE", "EXPLAIN",
            "INSERT", "LOAD", "REMOVE", "RESET", "SELECT", "SET", "SHOW", "STOP", "UNLOAD", "USE",
            "VALUES",
        ],
        _ => &[
            "AND", "AS", "BY", "CATALOG", "DATABASE", "DISTINCT", "FROM", "FUNCTION", "GROUP",
            "INTO", "JOB", "LIKE", "LIMIT", "NOT", "NULL", "OR", "ORDER", "SELECT", "SET", "TABLE",
            "VALUES", "VIEW", "WHERE", "WITH",
        ],
    };
    if word.is_empty() {
        return Vec::new();
    }
    following
        .iter()
        .filter(|k| k.starts_with(&word))
        .map(|k| k.to_string())
        .collect()
}
