//! `metadata` (ObjectMeta) as the API server decodes and validates it for
//! every kind: its fields are a Go struct, so an undeclared one is a strict
//! decoding error and a wrong type a decoding error (400); names, label and
//! annotation keys and values follow `k8s.io/apimachinery/pkg/util/validation`
//! (422). Also the server's clock and uids.

use serde_json::Value as Json;

use super::errors::Cause;

/// The fields of ObjectMeta.
const FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Fields of one `ownerReferences` entry.
const OWNER_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "uid",
    "controller",
    "blockOwnerDeletion",
];

/// Server-maintained fields: whatever a client sends for them is replaced.
pub const SERVER_FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

/// Undeclared fields of `metadata` (`metadata.foo`, `metadata.ownerReferences[0].bar`),
/// removed from the object.
pub fn prune_unknown(object: &mut Json, unknown: &mut Vec<String>) {
    let Some(meta) = object.get_mut("metadata").and_then(Json::as_object_mut) else {
        return;
    };
    let keys: Vec<String> = meta.keys().cloned().collect();
    for key in keys {
        if !FIELDS.contains(&key.as_str()) {
            unknown.push(format!("metadata.{key}"));
            meta.remove(&key);
        } else if meta.get(&key).is_some_and(Json::is_null) {
            meta.remove(&key);
        }
    }
    if let Some(owners) = meta.get_mut("ownerReferences").and_then(Json::as_array_mut) {
        for (i, owner) in owners.iter_mut().enumerate() {
            if let Some(owner) = owner.as_object_mut() {
                let keys: Vec<String> = owner.keys().cloned().collect();
                for key in keys {
                    if !OWNER_FIELDS.contains(&key.as_str()) {
                        unknown.push(format!("metadata.ownerReferences[{i}].{key}"));
                        owner.remove(&key);
                    }
                }
            }
        }
    }
}

/// The decoding error of a `metadata` of the wrong shape, worded as Go's
/// `encoding/json` words it (`json: cannot unmarshal number into Go struct
/// field ObjectMeta.metadata.labels of type string`).
pub fn decode_error(object: &Json) -> Option<String> {
    let meta = object.get("metadata")?;
    let Some(meta) = meta.as_object() else {
        return Some(format!(
            "json: cannot unmarshal {} into Go struct field .metadata of type v1.ObjectMeta",
            go_type(meta)
        ));
    };
    let wrong = |field: &str, value: &Json, want: &str| {
        format!(
            "json: cannot unmarshal {} into Go struct field ObjectMeta.metadata.{field} of type {want}",
            go_type(value)
        )
    };
    // Undeclared fields are the strict decoder's to report.
    for (field, value) in meta.iter().filter(|(k, _)| FIELDS.contains(&k.as_str())) {
        let ok = match field.as_str() {
            "labels" | "annotations" => match value.as_object() {
                Some(map) => {
                    if let Some((_, v)) = map.iter().find(|(_, v)| !v.is_string()) {
                        return Some(wrong(field, v, "string"));
                    }
                    true
                }
                None => false,
            },
            "finalizers" => match value.as_array() {
                Some(items) => {
                    if let Some(v) = items.iter().find(|v| !v.is_string()) {
                        return Some(wrong(field, v, "string"));
                    }
                    true
                }
                None => false,
            },
            "ownerReferences" | "managedFields" => value.is_array(),
            "generation" | "deletionGracePeriodSeconds" => value.is_i64(),
            _ => value.is_string(),
        };
        if !ok {
            let want = match field.as_str() {
                "labels" | "annotations" => "map[string]string",
                "finalizers" => "[]string",
                "ownerReferences" => "[]v1.OwnerReference",
                "managedFields" => "[]v1.ManagedFieldsEntry",
                "generation" | "deletionGracePeriodSeconds" => "int64",
                _ => "string",
            };
            return Some(wrong(field, value, want));
        }
    }
    None
}

/// Go's name for a JSON value's type in `encoding/json` errors.
fn go_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/// Whether `name` is an RFC 1123 subdomain (object names of every kind served).
pub fn is_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, the body of label values and key names.
fn is_label_word(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    s.chars().all(|c| alnum(c) || "-_.".contains(c))
        && s.chars().next().is_some_and(alnum)
        && s.chars().last().is_some_and(alnum)
}

/// The causes of an invalid name, labels or annotations. Names must be
/// RFC 1123 subdomains, except Events' (`subdomain_names` off), which need
/// only be a path segment: the operator names them `Operator.<hash>`.
pub fn validate(object: &Json, subdomain_names: bool, causes: &mut Vec<Cause>) {
    let meta = &object["metadata"];
    if let Some(name) = meta["name"].as_str() {
        if !subdomain_names {
            if name == "." || name == ".." {
                causes.push(Cause::invalid(
                    "metadata.name",
                    &meta["name"],
                    &format!("may not be '{name}'"),
                ));
            } else if let Some(c) = name.chars().find(|c| *c == '/' || *c == '%') {
                causes.push(Cause::invalid(
                    "metadata.name",
                    &meta["name"],
                    &format!("may not contain '{c}'"),
                ));
            }
        } else if name.len() > 253 {
            causes.push(Cause::invalid(
                "metadata.name",
                &meta["name"],
                "must be no more than 253 characters",
            ));
        } else if !is_subdomain(name) {
            causes.push(Cause::invalid(
                "metadata.name",
                &meta["name"],
                DNS1123_SUBDOMAIN,
            ));
        }
    }
    if let Some(labels) = meta["labels"].as_object() {
        for (key, value) in labels {
            check_qualified_name(key, "metadata.labels", causes);
            let text = value.as_str().unwrap_or_default();
            if text.len() > 63 {
                causes.push(Cause::invalid(
                    "metadata.labels",
                    value,
                    "must be no more than 63 characters",
                ));
            } else if !text.is_empty() && !is_label_word(text) {
                causes.push(Cause::invalid("metadata.labels", value, LABEL_VALUE));
            }
        }
    }
    if let Some(annotations) = meta["annotations"].as_object() {
        let mut size = 0;
        for (key, value) in annotations {
            check_qualified_name(key, "metadata.annotations", causes);
            size += key.len() + value.as_str().map(str::len).unwrap_or_default();
        }
        if size > 256 * 1024 {
            causes.push(Cause {
                reason: "FieldValueTooLong",
                message: "Too long: must have at most 262144 bytes".to_string(),
                field: "metadata.annotations".to_string(),
            });
        }
    }
}

/// A label or annotation key: `[prefix/]name`.
fn check_qualified_name(key: &str, field: &str, causes: &mut Vec<Cause>) {
    let value = Json::String(key.to_string());
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && !is_subdomain(prefix)
    {
        causes.push(Cause::invalid(
            field,
            &value,
            &format!("prefix part {DNS1123_SUBDOMAIN}"),
        ));
    }
    if name.is_empty() {
        causes.push(Cause::invalid(field, &value, "name part must be non-empty"));
    } else if name.len() > 63 {
        causes.push(Cause::invalid(
            field,
            &value,
            "name part must be no more than 63 characters",
        ));
    } else if !is_label_word(name) {
        causes.push(Cause::invalid(field, &value, NAME_PART));
    }
}

/// Now, as metav1.Time writes it (RFC 3339, seconds, UTC).
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Now with milliseconds (`2026-12-07T22:52:41.123Z`), as Java's
/// `Instant.toString()` of the operator writes times into CR statuses.
pub fn now_millis() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Milliseconds since the epoch.
pub fn epoch_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A random version 4 UUID in lowercase text.
pub fn uuid() -> String {
    let hex = random_hex(32);
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16]) % 4],
        &hex[17..20],
        &hex[20..32]
    )
}

/// `n` random lowercase hex digits (Flink JobIDs are 32, trigger ids too).
pub fn random_hex(n: usize) -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// `n` random characters of the alphabet `generateName` suffixes use.
pub fn random_suffix(n: usize) -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
