//! Kubernetes `Status` objects. Every error the double answers is one, in
//! the shape, reason and wording of `k8s.io/apimachinery/pkg/api/errors`,
//! so a client decodes it as it decodes a real API server's (kube-rs's
//! `ErrorResponse`: `status`, `message`, `reason`, `code`).

use serde_json::{Value as Json, json};

use super::resources::ResourceType;

/// One `details.causes[]` entry of a 422 Invalid.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    /// `FieldValueInvalid`, `FieldValueTypeInvalid`,
    /// `FieldValueNotSupported`, `FieldValueRequired`, `FieldValueForbidden`,
    /// `FieldValueTooLong`, `FieldValueTooMany`.
    pub reason: &'static str,
    /// The message after the field path (`Required value`, `Unsupported value: ...`).
    pub message: String,
    /// The field path (`spec.job.parallelism`, `metadata.name`).
    pub field: String,
}

impl Cause {
    /// `field.Invalid`: `Invalid value: <value>: <detail>`.
    pub fn invalid(field: &str, value: &Json, detail: &str) -> Cause {
        Cause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {}: {detail}", render(value)),
            field: field.to_string(),
        }
    }

    /// `field.Forbidden`: `Forbidden: <detail>`.
    pub fn forbidden(field: &str, detail: &str) -> Cause {
        Cause {
            reason: "FieldValueForbidden",
            message: format!("Forbidden: {detail}"),
            field: field.to_string(),
        }
    }

    /// `field.Required`: `Required value` (plus `: <detail>` when given).
    pub fn required(field: &str, detail: &str) -> Cause {
        let message = if detail.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {detail}")
        };
        Cause {
            reason: "FieldValueRequired",
            message,
            field: field.to_string(),
        }
    }

    /// `field: message`, as the aggregate message lists it.
    fn line(&self) -> String {
        format!("{}: {}", self.field, self.message)
    }
}

/// A value as `field.Error` prints it: strings quoted, the rest as JSON.
pub fn render(value: &Json) -> String {
    value.to_string()
}

/// An error answer: the HTTP status and the `Status` object's fields.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// HTTP status, also `Status.code`.
    pub code: u16,
    /// `Status.reason`; empty for an error the server did not classify
    /// (it answers 500 with no reason, as `ErrorToAPIStatus` does).
    pub reason: &'static str,
    /// `Status.message`.
    pub message: String,
    /// `Status.details`, if any.
    pub details: Option<Json>,
}

/// The name of a resource in messages: `flinkdeployments.flink.apache.org`,
/// or `configmaps` in the core group.
fn qualified(resource: &ResourceType) -> String {
    if resource.group.is_empty() {
        resource.plural.clone()
    } else {
        format!("{}.{}", resource.plural, resource.group)
    }
}

/// `details` naming one object by plural (`kind` is the plural there, as in
/// the real server's `NewNotFound`).
fn object_details(resource: &ResourceType, name: &str) -> Json {
    let mut details = json!({ "name": name, "kind": resource.plural });
    if !resource.group.is_empty() {
        details["group"] = json!(resource.group);
    }
    details
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: String, details: Option<Json>) -> ApiError {
        ApiError {
            code,
            reason,
            message,
            details,
        }
    }

    /// 404 NotFound: `flinkdeployments.flink.apache.org "x" not found`.
    pub fn not_found(resource: &ResourceType, name: &str) -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", qualified(resource)),
            Some(object_details(resource, name)),
        )
    }

    /// 404 for a path no resource serves.
    pub fn no_route() -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource".to_string(),
            Some(json!({})),
        )
    }

    /// 409 AlreadyExists.
    pub fn already_exists(resource: &ResourceType, name: &str) -> ApiError {
        ApiError::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", qualified(resource)),
            Some(object_details(resource, name)),
        )
    }

    /// 409 Conflict: `Operation cannot be fulfilled on <resource> "<name>": <why>`.
    pub fn conflict(resource: &ResourceType, name: &str, why: &str) -> ApiError {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                qualified(resource)
            ),
            Some(object_details(resource, name)),
        )
    }

    /// 409 Conflict for a stale `metadata.resourceVersion`.
    pub fn stale(resource: &ResourceType, name: &str) -> ApiError {
        ApiError::conflict(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 409 Conflict of a server-side apply, worded as `getConflictMessage`
    /// (structured-merge-diff's field manager) words it. Each conflict is
    /// `(manager as printed, field path)`; see `patch::Manager::display`.
    pub fn apply_conflicts(conflicts: &[(String, String)]) -> ApiError {
        let message = match conflicts {
            [(manager, path)] => {
                format!("Apply failed with 1 conflict: conflict with {manager}: {path}")
            }
            _ => {
                let mut by_manager: std::collections::BTreeMap<&str, Vec<&str>> =
                    std::collections::BTreeMap::new();
                for (manager, path) in conflicts {
                    by_manager.entry(manager).or_default().push(path);
                }
                let mut lines = Vec::new();
                for (manager, paths) in by_manager {
                    lines.push(format!("conflicts with {manager}:"));
                    lines.extend(paths.iter().map(|p| format!("- {p}")));
                }
                format!(
                    "Apply failed with {} conflicts: {}",
                    conflicts.len(),
                    lines.join("\n")
                )
            }
        };
        let causes: Vec<Json> = conflicts
            .iter()
            .map(|(manager, field)| {
                json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with {manager}"),
                    "field": field,
                })
            })
            .collect();
        ApiError::new(409, "Conflict", message, Some(json!({ "causes": causes })))
    }

    /// 422 Invalid: `FlinkDeployment.flink.apache.org "x" is invalid: <causes>`.
    pub fn invalid(resource: &ResourceType, name: &str, causes: Vec<Cause>) -> ApiError {
        let kind = if resource.group.is_empty() {
            resource.kind.clone()
        } else {
            format!("{}.{}", resource.kind, resource.group)
        };
        let listed = match causes.as_slice() {
            [one] => one.line(),
            many => format!(
                "[{}]",
                many.iter().map(Cause::line).collect::<Vec<_>>().join(", ")
            ),
        };
        let mut details = json!({
            "name": name,
            "kind": resource.kind,
            "causes": causes.iter().map(|c| json!({
                "reason": c.reason,
                "message": c.message,
                "field": c.field,
            })).collect::<Vec<_>>(),
        });
        if !resource.group.is_empty() {
            details["group"] = json!(resource.group);
        }
        ApiError::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {listed}"),
            Some(details),
        )
    }

    /// 403 Forbidden, as `errors.NewForbidden` words what RBAC refused:
    /// `flinkdeployments.flink.apache.org "x" is forbidden: <why>` for an
    /// object (`resource` and `name`), `... is forbidden: <why>` for a
    /// collection, `forbidden: <why>` for a path that is no resource.
    pub fn forbidden(resource: Option<&ResourceType>, name: Option<&str>, why: &str) -> ApiError {
        let (message, details) = match (resource, name) {
            (Some(rt), Some(name)) => (
                format!("{} \"{name}\" is forbidden: {why}", qualified(rt)),
                object_details(rt, name),
            ),
            (Some(rt), None) => (
                format!("{} is forbidden: {why}", qualified(rt)),
                object_details(rt, ""),
            ),
            (None, _) => (format!("forbidden: {why}"), json!({})),
        };
        ApiError::new(403, "Forbidden", message, Some(details))
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message.into(), None)
    }

    /// 410 Expired: a resourceVersion or continue token older than the
    /// history the server keeps.
    pub fn expired(message: impl Into<String>) -> ApiError {
        ApiError::new(410, "Expired", message.into(), None)
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".to_string(),
            Some(json!({})),
        )
    }

    /// 415 UnsupportedMediaType for a PATCH content type custom resources
    /// do not take (strategic merge patch among them).
    pub fn unsupported_patch(content_type: &str) -> ApiError {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {content_type:?})"
            ),
            None,
        )
    }

    /// 504 Timeout for a list or watch from a resourceVersion the server has
    /// not reached (`Too large resource version`).
    pub fn too_large_resource_version(asked: u64, current: u64) -> ApiError {
        ApiError::new(
            504,
            "Timeout",
            format!("Too large resource version: {asked}, current: {current}"),
            Some(json!({
                "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                "retryAfterSeconds": 1,
            })),
        )
    }

    /// 500 with no reason: an error the real server does not turn into a
    /// `Status` (server-side apply's typed-conversion failure is one,
    /// kubernetes/kubernetes#139253).
    pub fn unclassified(message: impl Into<String>) -> ApiError {
        ApiError::new(500, "", message.into(), None)
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Json {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "code": self.code,
        });
        if !self.reason.is_empty() {
            status["reason"] = json!(self.reason);
        }
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}
