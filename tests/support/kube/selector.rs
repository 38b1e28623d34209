//! `labelSelector` and `fieldSelector` of list, watch and deletecollection,
//! parsed and matched as `k8s.io/apimachinery/pkg/labels` and `.../fields`
//! do: labels take `=`, `==`, `!=`, `in`, `notin`, `k` and `!k`; fields take
//! `=`, `==` and `!=` on the fields the kind declares selectable.

use serde_json::Value as Json;

use super::errors::ApiError;
use super::resources::ResourceType;

/// One label requirement.
#[derive(Clone, Debug, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector (all requirements must hold).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    /// Parses `app=x,tier!=db,env in (a,b),!legacy`.
    pub fn parse(text: &str) -> Result<LabelSelector, ApiError> {
        let mut requirements = Vec::new();
        for part in split_outside_parens(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "unable to parse requirement: found '{part}', expected: key, '=', '==', '!=', 'in', 'notin' or '!'"
                ))
            })?);
        }
        Ok(LabelSelector(requirements))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, object: &Json) -> bool {
        let labels = &object["metadata"]["labels"];
        let get = |k: &str| labels.get(k).and_then(Json::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|l| vs.iter().all(|v| v != l)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// Splits at commas not inside `( )`.
fn split_outside_parens(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Option<Requirement> {
    if let Some(key) = part.strip_prefix('!') {
        return valid_key(key.trim()).then(|| Requirement::DoesNotExist(key.trim().to_string()));
    }
    if let Some((key, value)) = part.split_once("!=") {
        return valid_key(key.trim())
            .then(|| Requirement::NotEquals(key.trim().to_string(), value.trim().to_string()));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return valid_key(key.trim())
            .then(|| Requirement::Equals(key.trim().to_string(), value.trim().to_string()));
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = words.next()?.trim();
    let rest = words.next().map(str::trim).unwrap_or_default();
    if rest.is_empty() {
        return valid_key(key).then(|| Requirement::Exists(key.to_string()));
    }
    let (operator, values) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let values = values.trim().strip_prefix('(')?.strip_suffix(')')?;
    let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
    match operator {
        "in" if valid_key(key) => Some(Requirement::In(key.to_string(), values)),
        "notin" if valid_key(key) => Some(Requirement::NotIn(key.to_string(), values)),
        _ => None,
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

/// A parsed field selector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses `involvedObject.name=x,type!=Normal`, refusing fields `kind`
    /// does not declare selectable, as the server does.
    pub fn parse(text: &str, kind: &ResourceType) -> Result<FieldSelector, ApiError> {
        let mut terms = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                )));
            };
            let field = field.trim();
            let selectable = field == "metadata.name"
                || field == "metadata.namespace"
                || kind.field_labels.contains(&field);
            if !selectable {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    /// Whether the object's fields satisfy every term (a missing field is "").
    pub fn matches(&self, object: &Json) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let path = if field == "source" {
                "source.component"
            } else {
                field
            };
            let actual = path
                .split('.')
                .try_fold(object, |v, k| v.get(k))
                .and_then(Json::as_str)
                .unwrap_or_default();
            (actual == value) == *equal
        })
    }
}
