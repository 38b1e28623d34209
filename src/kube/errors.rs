//! How the failures of the Kubernetes API server and of the Flink operator
//! become scaleph errors.
//!
//! The API server answers every failure with a `Status` (reason, code,
//! message, `details.causes`); kube-rs hands it over as
//! `kube::Error::Api`. Each becomes one SQLSTATE, with a message that
//! names who asked (the owner, `cluster "k8s"`), what was asked (verb,
//! resource, name, namespace) and — for the failures a user fixes by
//! editing a spec — the fields at fault. Transport failures are "cannot
//! reach" (08001) with the innermost cause, which is the one that says
//! what happened (`Connection refused`, a certificate error).
//!
//! Nothing here holds a credential: kube-rs's errors carry none, and the
//! identity named in an authorization failure is a user or service
//! account name, never a token.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, SqlState};

/// What the client was doing when a request failed, for the message.
#[derive(Clone, Copy, Debug)]
pub(super) struct Op<'a> {
    /// The Kubernetes verb: `get`, `list`, `watch`, `create`, `patch`, `delete`.
    pub verb: &'static str,
    /// The kind (`FlinkDeployment`, `Event`).
    pub kind: &'static str,
    /// The resource as RBAC names it (`flinkdeployments.flink.apache.org`).
    pub resource: &'a str,
    /// The object's name, for calls on one object.
    pub name: Option<&'a str>,
}

/// Who a client is and where it goes: what every error names.
#[derive(Clone, Debug)]
pub(super) struct Origin {
    /// Who asks (`cluster "k8s"`).
    pub owner: String,
    /// The API server's URL.
    pub server: String,
    /// The namespace every call is in.
    pub namespace: String,
    /// Who the requests authenticate as, in words (`as kubeconfig user
    /// "admin"`); never a credential.
    pub identity: String,
}

impl Origin {
    /// The error of `op` failing with `error`.
    pub fn fail(&self, op: Op<'_>, error: kube::Error) -> Error {
        match error {
            kube::Error::Api(status) => self.refused(op, *status),
            error @ (kube::Error::HyperError(_)
            | kube::Error::Service(_)
            | kube::Error::HttpError(_)
            | kube::Error::ReadEvents(_)
            | kube::Error::RustlsTls(_)
            | kube::Error::TlsRequired
            | kube::Error::ProxyProtocolUnsupported { .. }
            | kube::Error::ProxyProtocolDisabled { .. }) => self.unreachable(error),
            error @ kube::Error::Auth(_) => Error::new(
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                format!(
                    "{}: cannot authenticate to the Kubernetes API server at {} {}: {}",
                    self.owner,
                    self.server,
                    self.identity,
                    innermost(&error)
                ),
            )
            .with_source(error),
            error @ (kube::Error::SerdeError(_)
            | kube::Error::FromUtf8(_)
            | kube::Error::LinesCodecMaxLineLengthExceeded) => Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "{}: the Kubernetes API server at {} answered {} {} with something that is not Kubernetes JSON: {}",
                    self.owner,
                    self.server,
                    op.verb,
                    self.subject(op),
                    innermost(&error)
                ),
            )
            .with_source(error),
            error @ kube::Error::BuildRequest(_) => Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "{}: cannot {} {}: {}",
                    self.owner,
                    op.verb,
                    self.subject(op),
                    innermost(&error)
                ),
            )
            .with_source(error),
            error @ (kube::Error::InferConfig(_) | kube::Error::InferKubeconfig(_)) => {
                Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("{}: invalid Kubernetes configuration: {error}", self.owner),
                )
                .with_source(error)
            }
            error => Error::new(
                SqlState::SYSTEM_ERROR,
                format!(
                    "{}: cannot {} {}: {}",
                    self.owner,
                    op.verb,
                    self.subject(op),
                    innermost(&error)
                ),
            )
            .with_source(error),
        }
    }

    /// 08001: the API server could not be reached (refused, unresolvable,
    /// a TLS handshake that failed).
    pub fn unreachable(&self, error: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::new(
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            format!(
                "{}: cannot reach the Kubernetes API server at {}: {}",
                self.owner,
                self.server,
                innermost(&error)
            ),
        )
        .with_source(error)
    }

    /// 08006: a request that got no answer within `timeout`.
    pub fn timed_out(&self, op: Op<'_>, timeout: Duration) -> Error {
        Error::new(
            SqlState::CONNECTION_FAILURE,
            format!(
                "{}: the Kubernetes API server at {} did not answer {} {} within {timeout:?}",
                self.owner,
                self.server,
                op.verb,
                self.subject(op),
            ),
        )
    }

    /// `FlinkDeployment "x" in namespace "ns"`, or `flinkdeployments.flink.apache.org
    /// in namespace "ns"` for a call on a collection.
    fn subject(&self, op: Op<'_>) -> String {
        match op.name {
            Some(name) => format!("{} \"{name}\" in namespace \"{}\"", op.kind, self.namespace),
            None => format!("{} in namespace \"{}\"", op.resource, self.namespace),
        }
    }

    /// The error of a `Status` failure.
    fn refused(&self, op: Op<'_>, status: kube::core::Status) -> Error {
        let owner = &self.owner;
        let subject = self.subject(op);
        let message = status.message.clone();
        let (sqlstate, text, hint) = match (status.code, status.reason.as_str()) {
            (401, _) => (
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                format!(
                    "{owner}: the Kubernetes API server at {} did not accept the credentials {} to {} {subject}: {message}",
                    self.server, self.identity, op.verb
                ),
                Some("check the token or kubeconfig of the cluster"),
            ),
            (403, _) => (
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                format!(
                    "{owner}: not allowed to {} {} in namespace \"{}\" {}: {message}",
                    op.verb, op.resource, self.namespace, self.identity
                ),
                Some("grant the role the verb on the resource (RBAC)"),
            ),
            (404, _) if op.name.is_none() => (
                SqlState::UNDEFINED_OBJECT,
                format!(
                    "{owner}: the Kubernetes API server at {} does not serve {}: {message}",
                    self.server, op.resource
                ),
                Some("is the Flink Kubernetes Operator (its CRDs) installed?"),
            ),
            (404, _) => (
                SqlState::UNDEFINED_OBJECT,
                format!("{owner}: {subject} does not exist"),
                None,
            ),
            (409, "AlreadyExists") => (
                SqlState::DUPLICATE_OBJECT,
                format!("{owner}: {subject} already exists"),
                None,
            ),
            (409, _) | (410, _) => (
                SqlState::T_R_SERIALIZATION_FAILURE,
                format!("{owner}: cannot {} {subject}: {message}", op.verb),
                Some("it changed meanwhile; run the statement again"),
            ),
            (400 | 422, _) => (
                SqlState::INVALID_PARAMETER_VALUE,
                format!("{owner}: invalid {subject}: {}", invalid_fields(&status)),
                None,
            ),
            _ => (
                SqlState::SYSTEM_ERROR,
                format!(
                    "{owner}: the Kubernetes API server at {} failed to {} {subject}: {message} ({} {})",
                    self.server, op.verb, status.code, status.reason
                ),
                None,
            ),
        };
        let mut error = Error::new(sqlstate, text);
        if !message.is_empty() && sqlstate == SqlState::INVALID_PARAMETER_VALUE {
            error = error.with_detail(message);
        }
        if let Some(hint) = hint {
            error = error.with_hint(hint);
        }
        error.with_source(kube::Error::Api(Box::new(status)))
    }
}

/// What a 422 Invalid or 400 BadRequest says is wrong, field by field:
/// the `details.causes` (`spec.job.parallelism: Invalid value: ...`), or
/// the fields of a strict decoding error (`unknown field "spec.foo"`,
/// which has no causes), or else the server's message.
fn invalid_fields(status: &kube::core::Status) -> String {
    let causes: Vec<String> = status
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .map(|c| match (c.field.is_empty(), c.message.is_empty()) {
            (false, false) => format!("{}: {}", c.field, c.message),
            (false, true) => format!("{}: {}", c.field, c.reason),
            (true, _) => c.message.clone(),
        })
        .collect();
    if !causes.is_empty() {
        return causes.join("; ");
    }
    match status.message.find("strict decoding error: ") {
        Some(at) => status.message[at + "strict decoding error: ".len()..].to_string(),
        None => status.message.clone(),
    }
}

/// The innermost cause of `error`: for a transport failure the one that
/// says what happened (`Connection refused (os error 111)`), where the
/// outer ones only say where (`ServiceError: client error (Connect)`).
pub(super) fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(cause) = last.source() {
        last = cause;
    }
    last.to_string()
}

/// The operator's `status.error` (§6) as the one line worth showing and
/// the whole text as a detail.
///
/// The operator writes a FlinkResourceException as a JSON string
/// (`{"type","message","throwableList":[{"type","message"}…]}`): the
/// line is the innermost throwable's message — the root cause, where
/// the outer message is usually a wrapper — and the detail the chain,
/// one exception a line, with the stack trace if one was recorded. Any
/// other text (an older operator's plain validation message, `Job Not
/// Found`) is its first line and itself.
pub fn operator_error(status_error: &str) -> (String, String) {
    let parsed: Option<Value> = serde_json::from_str(status_error.trim()).ok();
    let Some(Value::Object(exception)) = parsed else {
        let line = status_error
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_string();
        return (line, status_error.to_string());
    };
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().trim().to_string();
    let top = Value::Object(exception.clone());
    let throwables: Vec<&Value> = exception
        .get("throwableList")
        .and_then(Value::as_array)
        .map(|list| list.iter().collect())
        .unwrap_or_default();
    let described = |v: &Value| match (text(v, "type"), text(v, "message")) {
        (t, m) if t.is_empty() => m,
        (t, m) if m.is_empty() => t,
        (t, m) => format!("{t}: {m}"),
    };
    let line = std::iter::once(&top)
        .chain(throwables.iter().copied())
        .rev()
        .find_map(|v| {
            let m = text(v, "message");
            (!m.is_empty()).then_some(m)
        })
        .unwrap_or_else(|| text(&top, "type"));
    let mut detail = described(&top);
    for cause in &throwables {
        detail.push_str("\nCaused by: ");
        detail.push_str(&described(cause));
    }
    let trace = text(&top, "stackTrace");
    if !trace.is_empty() {
        detail.push('\n');
        detail.push_str(&trace);
    }
    (line, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            owner: "cluster \"k8s\"".into(),
            server: "https://10.0.0.1:6443".into(),
            namespace: "flink".into(),
            identity: "as kubeconfig user \"admin\"".into(),
        }
    }

    fn op(verb: &'static str, name: Option<&'static str>) -> Op<'static> {
        Op {
            verb,
            kind: "FlinkDeployment",
            resource: "flinkdeployments.flink.apache.org",
            name,
        }
    }

    fn status(json: Value) -> kube::Error {
        kube::Error::Api(Box::new(serde_json::from_value(json).unwrap()))
    }

    #[test]
    fn operator_error_reads_the_innermost_throwable() {
        let error = r#"{"type":"org.apache.flink.kubernetes.operator.exception.ReconciliationException","message":"java.io.FileNotFoundException: http://h/j.jar","additionalMetadata":{},"throwableList":[{"type":"java.io.FileNotFoundException","message":"http://h/j.jar","additionalMetadata":{}}]}"#;
        let (line, detail) = operator_error(error);
        assert_eq!(line, "http://h/j.jar");
        assert_eq!(
            detail,
            "org.apache.flink.kubernetes.operator.exception.ReconciliationException: java.io.FileNotFoundException: http://h/j.jar\nCaused by: java.io.FileNotFoundException: http://h/j.jar"
        );
    }

    #[test]
    fn operator_error_without_causes_is_its_message() {
        let error = r#"{"type":"org.apache.flink.kubernetes.operator.exception.ValidationException","message":"Job parallelism must be larger than 0","additionalMetadata":{},"throwableList":[],"stackTrace":"at X.y(X.java:1)"}"#;
        let (line, detail) = operator_error(error);
        assert_eq!(line, "Job parallelism must be larger than 0");
        assert!(detail.ends_with("\nat X.y(X.java:1)"), "{detail}");
    }

    #[test]
    fn operator_error_of_raw_text_is_the_text() {
        assert_eq!(
            operator_error("Job Not Found"),
            ("Job Not Found".to_string(), "Job Not Found".to_string())
        );
        let (line, detail) = operator_error("\nFirst line\nsecond");
        assert_eq!(line, "First line");
        assert_eq!(detail, "\nFirst line\nsecond");
        assert_eq!(
            operator_error("[1,2]").0,
            "[1,2]",
            "JSON that is not an exception"
        );
    }

    #[test]
    fn status_invalid_names_the_fields_of_its_causes() {
        let error = origin().fail(
            op("create", Some("app")),
            status(serde_json::json!({
                "status": "Failure", "code": 422, "reason": "Invalid",
                "message": "FlinkDeployment.flink.apache.org \"app\" is invalid: [spec.job.parallelism: Invalid value: \"string\": spec.job.parallelism in body must be of type integer: \"string\", spec.flinkVersion: Unsupported value: \"v9\"]",
                "details": {"name": "app", "kind": "FlinkDeployment", "causes": [
                    {"reason": "FieldValueTypeInvalid", "field": "spec.job.parallelism", "message": "Invalid value: \"string\": spec.job.parallelism in body must be of type integer: \"string\""},
                    {"reason": "FieldValueNotSupported", "field": "spec.flinkVersion", "message": "Unsupported value: \"v9\""}
                ]}
            })),
        );
        assert_eq!(error.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(
            error.message.starts_with(
                "cluster \"k8s\": invalid FlinkDeployment \"app\" in namespace \"flink\": spec.job.parallelism: Invalid value"
            ),
            "{}",
            error.message
        );
        assert!(
            error
                .message
                .contains("; spec.flinkVersion: Unsupported value: \"v9\"")
        );
    }

    #[test]
    fn status_strict_decoding_names_the_unknown_field() {
        let error = origin().fail(
            op("create", Some("app")),
            status(serde_json::json!({
                "status": "Failure", "code": 400, "reason": "BadRequest",
                "message": "FlinkDeployment in version \"v1beta1\" cannot be handled as a FlinkDeployment: strict decoding error: unknown field \"spec.foo\""
            })),
        );
        assert_eq!(error.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(
            error.message,
            "cluster \"k8s\": invalid FlinkDeployment \"app\" in namespace \"flink\": unknown field \"spec.foo\""
        );
    }

    #[test]
    fn status_forbidden_names_verb_resource_and_identity() {
        let error = origin().fail(
            op("list", None),
            status(serde_json::json!({
                "status": "Failure", "code": 403, "reason": "Forbidden",
                "message": "flinkdeployments.flink.apache.org is forbidden: User \"system:serviceaccount:flink:scaleph\" cannot list resource \"flinkdeployments\" in API group \"flink.apache.org\" in the namespace \"flink\""
            })),
        );
        assert_eq!(
            error.sqlstate,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        );
        assert!(
            error.message.starts_with(
                "cluster \"k8s\": not allowed to list flinkdeployments.flink.apache.org in namespace \"flink\" as kubeconfig user \"admin\": "
            ),
            "{}",
            error.message
        );
        let unauthorized = origin().fail(
            op("get", Some("app")),
            status(serde_json::json!({"status": "Failure", "code": 401, "reason": "Unauthorized", "message": "Unauthorized"})),
        );
        assert_eq!(
            unauthorized.sqlstate,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        );
        assert!(
            unauthorized
                .message
                .contains("as kubeconfig user \"admin\" to get FlinkDeployment \"app\""),
            "{}",
            unauthorized.message
        );
    }

    #[test]
    fn status_of_a_missing_resource_type_hints_at_the_operator() {
        let error = origin().fail(
            op("list", None),
            status(serde_json::json!({"status": "Failure", "code": 404, "reason": "NotFound", "message": "the server could not find the requested resource"})),
        );
        assert_eq!(error.sqlstate, SqlState::UNDEFINED_OBJECT);
        assert!(error.hint.unwrap().contains("Flink Kubernetes Operator"));
    }
}
