//! How a PATCH body becomes the new object, and who owns which field.
//!
//! * JSON merge patch (RFC 7386, `application/merge-patch+json`) and JSON
//!   patch (RFC 6902, `application/json-patch+json`) apply to the whole
//!   stored object; the result is then written like a PUT.
//! * Server-side apply (`application/apply-patch+yaml`) merges the applied
//!   configuration into the live object under field ownership
//!   (`metadata.managedFields`, FieldsV1): a field the configuration sets to
//!   a different value while another manager owns it is a conflict (409)
//!   unless `force`; a field the manager applied before and no longer does
//!   is removed, unless another manager still owns it. Objects are
//!   granular and lists atomic, as structured-merge-diff treats a CRD
//!   schema without `x-kubernetes-list-type`s (the operator's has none).
//! * Every other write records the fields it changed for its manager
//!   (operation `Update`), taking them from their previous owners.
//!
//! Ownership is kept per leaf path (scalars, lists, empty objects); the
//! `.` markers structured-merge-diff writes for owned maps are not.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json, json};

/// A field path: object keys from the root.
pub type Path = Vec<String>;

/// Which part of an object a write may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The main resource: all but `status` when the kind has a status
    /// subresource (`true`).
    Main(bool),
    /// The `/status` subresource: `status` only.
    Status,
}

impl Scope {
    /// `status` for the status subresource, empty otherwise.
    pub fn subresource(self) -> &'static str {
        match self {
            Scope::Main(_) => "",
            Scope::Status => "status",
        }
    }

    /// Whether the top-level field `key` belongs to this scope.
    fn includes(self, key: &str) -> bool {
        match self {
            Scope::Main(status_subresource) => {
                !(matches!(key, "apiVersion" | "kind") || (status_subresource && key == "status"))
            }
            Scope::Status => key == "status",
        }
    }
}

/// `metadata` fields a client owns (the rest are identity or server-kept).
const OWNED_METADATA: &[&str] = &["labels", "annotations", "finalizers", "ownerReferences"];

/// One `metadata.managedFields` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Manager {
    /// `manager`.
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    /// `status` or empty.
    pub subresource: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `time`.
    pub time: String,
    /// The owned leaf paths.
    pub fields: BTreeSet<Path>,
}

impl Manager {
    /// The manager as a conflict message prints it (`printManager`):
    /// `"scaleph"`, or `"kubectl-edit" using v1 at <time>` for an updater.
    pub fn display(&self) -> String {
        let mut shown = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            shown = format!("{shown} with subresource {:?}", self.subresource);
        }
        if self.operation == "Update" {
            shown = format!("{shown} using {} at {}", self.api_version, self.time);
        }
        shown
    }

    fn is(&self, manager: &str, operation: &str, scope: Scope) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource == scope.subresource()
    }
}

/// The managers recorded in an object's `metadata.managedFields`.
pub fn managers(object: &Json) -> Vec<Manager> {
    let Some(entries) = object["metadata"]["managedFields"].as_array() else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            let mut fields = BTreeSet::new();
            decode(&e["fieldsV1"], &mut Vec::new(), &mut fields);
            Manager {
                manager: text("manager"),
                operation: text("operation"),
                subresource: text("subresource"),
                api_version: text("apiVersion"),
                time: text("time"),
                fields,
            }
        })
        .collect()
}

/// Writes `managers` into `metadata.managedFields` (dropping any without fields).
pub fn set_managers(object: &mut Json, managers: &[Manager]) {
    let entries: Vec<Json> = managers
        .iter()
        .filter(|m| !m.fields.is_empty())
        .map(|m| {
            let mut entry = json!({
                "manager": m.manager,
                "operation": m.operation,
                "apiVersion": m.api_version,
                "time": m.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": encode(&m.fields),
            });
            if !m.subresource.is_empty() {
                entry["subresource"] = json!(m.subresource);
            }
            entry
        })
        .collect();
    if let Some(meta) = object.get_mut("metadata").and_then(Json::as_object_mut) {
        if entries.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".to_string(), Json::Array(entries));
        }
    }
}

/// FieldsV1: `{"f:spec":{"f:job":{"f:parallelism":{}}}}`.
fn encode(fields: &BTreeSet<Path>) -> Json {
    let mut root = Map::new();
    for path in fields {
        let mut node = &mut root;
        for key in path {
            let child = node
                .entry(format!("f:{key}"))
                .or_insert_with(|| Json::Object(Map::new()));
            if !child.is_object() {
                *child = Json::Object(Map::new());
            }
            let Json::Object(next) = child else {
                break;
            };
            node = next;
        }
    }
    Json::Object(root)
}

/// The leaf paths of a FieldsV1 tree; list-item keys (`k:`, `v:`, `i:`)
/// make their list a leaf.
fn decode(node: &Json, path: &mut Path, out: &mut BTreeSet<Path>) {
    let Some(map) = node.as_object() else {
        return;
    };
    let fields: Vec<(&String, &Json)> = map.iter().filter(|(k, _)| k.starts_with("f:")).collect();
    let item_keys = map
        .keys()
        .any(|k| k.starts_with("k:") || k.starts_with("v:") || k.starts_with("i:"));
    if (fields.is_empty() || item_keys) && !path.is_empty() {
        out.insert(path.clone());
        return;
    }
    for (key, child) in fields {
        path.push(key["f:".len()..].to_string());
        decode(child, path, out);
        path.pop();
    }
}

/// The leaf paths of an object within `scope`.
pub fn leaves(object: &Json, scope: Scope) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    let Some(map) = object.as_object() else {
        return out;
    };
    for (key, value) in map {
        if !scope.includes(key) {
            continue;
        }
        if key == "metadata" {
            for owned in OWNED_METADATA {
                if let Some(v) = value.get(*owned) {
                    collect(
                        v,
                        &mut vec!["metadata".to_string(), owned.to_string()],
                        &mut out,
                    );
                }
            }
        } else {
            collect(value, &mut vec![key.clone()], &mut out);
        }
    }
    out
}

fn collect(value: &Json, path: &mut Path, out: &mut BTreeSet<Path>) {
    match value {
        Json::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                path.push(key.clone());
                collect(child, path, out);
                path.pop();
            }
        }
        _ => {
            out.insert(path.clone());
        }
    }
}

/// The value at `path`.
pub fn value_at<'a>(object: &'a Json, path: &[String]) -> Option<&'a Json> {
    path.iter().try_fold(object, |v, k| v.get(k))
}

/// Whether one path is a prefix of the other (they name overlapping fields).
fn touches(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// A path as structured-merge-diff prints it: `.spec.job.parallelism`.
pub fn show(path: &[String]) -> String {
    path.iter().map(|k| format!(".{k}")).collect()
}

/// Removes the field at `path`, and the objects it leaves empty below the top level.
fn remove_at(object: &mut Json, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    if let Some(parent) = parents
        .iter()
        .try_fold(&mut *object, |v, k| v.get_mut(k))
        .and_then(Json::as_object_mut)
    {
        parent.remove(last);
    }
    for depth in (2..path.len()).rev() {
        let prefix = &path[..depth];
        if value_at(object, prefix).is_some_and(|v| v.as_object().is_some_and(Map::is_empty)) {
            remove_at(object, prefix);
        }
    }
}

/// Merges `config` into `live` within `scope`: objects key by key, lists
/// and scalars replaced.
fn merge_into(live: &mut Json, config: &Json, scope: Scope) {
    let (Some(live), Some(config)) = (live.as_object_mut(), config.as_object()) else {
        return;
    };
    for (key, value) in config {
        if !scope.includes(key) {
            continue;
        }
        if key == "metadata" {
            let meta = live
                .entry("metadata")
                .or_insert_with(|| Json::Object(Map::new()));
            for owned in OWNED_METADATA {
                if let Some(v) = value.get(*owned) {
                    deep_merge(
                        meta.as_object_mut()
                            .map(|m| m.entry(owned.to_string()).or_insert(Json::Null)),
                        v,
                    );
                }
            }
        } else {
            deep_merge(Some(live.entry(key.clone()).or_insert(Json::Null)), value);
        }
    }
}

fn deep_merge(target: Option<&mut Json>, value: &Json) {
    let Some(target) = target else {
        return;
    };
    match (target.as_object_mut(), value.as_object()) {
        (Some(target), Some(value)) => {
            for (key, v) in value {
                deep_merge(Some(target.entry(key.clone()).or_insert(Json::Null)), v);
            }
        }
        _ => *target = value.clone(),
    }
}

/// Server-side apply of `config` by `manager` onto `live` (absent: the
/// object is created from it). Returns the new object with its
/// managedFields, or the conflicts `(manager as printed, path)` when
/// `force` is off.
pub fn apply(
    live: Option<&Json>,
    config: &Json,
    manager: &str,
    force: bool,
    scope: Scope,
    api_version: &str,
) -> Result<Json, Vec<(String, String)>> {
    let mut object = live.cloned().unwrap_or_else(|| json!({}));
    let mut managers = live.map(managers).unwrap_or_default();
    let applied = leaves(config, scope);
    let changed: Vec<Path> = applied
        .iter()
        .filter(|p| live.and_then(|l| value_at(l, p)) != value_at(config, p))
        .cloned()
        .collect();
    let mut conflicts = Vec::new();
    for m in managers.iter().filter(|m| !m.is(manager, "Apply", scope)) {
        for path in &changed {
            if m.fields.iter().any(|p| touches(p, path)) {
                conflicts.push((m.display(), show(path)));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    if let Some(mine) = managers.iter().find(|m| m.is(manager, "Apply", scope)) {
        for path in mine.fields.difference(&applied) {
            let still_applied = applied.iter().any(|a| touches(a, path));
            let owned_elsewhere = managers
                .iter()
                .filter(|m| !m.is(manager, "Apply", scope))
                .any(|m| m.fields.iter().any(|p| touches(p, path)));
            if !still_applied && !owned_elsewhere {
                remove_at(&mut object, path);
            }
        }
    }
    merge_into(&mut object, config, scope);
    for m in managers
        .iter_mut()
        .filter(|m| !m.is(manager, "Apply", scope))
    {
        m.fields.retain(|p| !changed.iter().any(|c| touches(p, c)));
    }
    let entry = Manager {
        manager: manager.to_string(),
        operation: "Apply".to_string(),
        subresource: scope.subresource().to_string(),
        api_version: api_version.to_string(),
        time: super::meta::now(),
        fields: applied,
    };
    match managers.iter_mut().find(|m| m.is(manager, "Apply", scope)) {
        Some(mine) if mine.fields == entry.fields && changed.is_empty() => {}
        Some(mine) => *mine = entry,
        None => managers.push(entry),
    }
    set_managers(&mut object, &managers);
    Ok(object)
}

/// Records a non-apply write by `manager` from `old` to `new` in `new`'s
/// managedFields (taken from `old`: what a client sends there is ignored).
pub fn record_update(
    old: Option<&Json>,
    new: &mut Json,
    manager: &str,
    scope: Scope,
    api_version: &str,
) {
    let mut managers = old.map(managers).unwrap_or_default();
    let before = old.map(|o| leaves(o, scope)).unwrap_or_default();
    let after = leaves(new, scope);
    let changed: Vec<Path> = after
        .iter()
        .filter(|p| old.and_then(|o| value_at(o, p)) != value_at(new, p))
        .cloned()
        .collect();
    let touched: Vec<&Path> = changed.iter().chain(before.difference(&after)).collect();
    for m in managers.iter_mut() {
        m.fields.retain(|p| !touched.iter().any(|c| touches(p, c)));
    }
    if !changed.is_empty() {
        let time = super::meta::now();
        match managers.iter_mut().find(|m| m.is(manager, "Update", scope)) {
            Some(mine) => {
                mine.fields.extend(changed);
                mine.time = time;
                mine.api_version = api_version.to_string();
            }
            None => managers.push(Manager {
                manager: manager.to_string(),
                operation: "Update".to_string(),
                subresource: scope.subresource().to_string(),
                api_version: api_version.to_string(),
                time,
                fields: changed.into_iter().collect(),
            }),
        }
    }
    set_managers(new, &managers);
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Json, patch: &Json) {
    let Json::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Json::Object(Map::new());
    }
    if let Json::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Json::Null), value);
            }
        }
    }
}

/// An RFC 6902 operation that could not be applied.
#[derive(Debug)]
pub enum JsonPatchError {
    /// The document is not a list of operations, or one is malformed (400).
    Malformed(String),
    /// An operation does not apply to the object (422).
    Failed(String),
}

/// RFC 6902 JSON patch.
pub fn json_patch(target: &Json, operations: &Json) -> Result<Json, JsonPatchError> {
    let operations = operations.as_array().ok_or_else(|| {
        JsonPatchError::Malformed(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch".to_string(),
        )
    })?;
    let mut doc = target.clone();
    for op in operations {
        let name = op["op"].as_str().unwrap_or_default();
        let path = pointer(op["path"].as_str().ok_or_else(|| {
            JsonPatchError::Malformed(format!("missing path in operation {op}"))
        })?)?;
        match name {
            "add" => add(&mut doc, &path, op["value"].clone())?,
            "remove" => {
                take(&mut doc, &path)?;
            }
            "replace" => {
                take(&mut doc, &path)?;
                add(&mut doc, &path, op["value"].clone())?;
            }
            "move" | "copy" => {
                let from = pointer(op["from"].as_str().unwrap_or_default())?;
                let value = if name == "move" {
                    take(&mut doc, &from)?
                } else {
                    get(&doc, &from)?.clone()
                };
                add(&mut doc, &path, value)?;
            }
            "test" => {
                if get(&doc, &path)? != &op["value"] {
                    return Err(JsonPatchError::Failed(format!(
                        "testing value {} failed: test failed",
                        op["path"].as_str().unwrap_or_default()
                    )));
                }
            }
            other => {
                return Err(JsonPatchError::Malformed(format!(
                    "Unexpected kind: {other}"
                )));
            }
        }
    }
    Ok(doc)
}

fn pointer(text: &str) -> Result<Vec<String>, JsonPatchError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let rest = text
        .strip_prefix('/')
        .ok_or_else(|| JsonPatchError::Malformed(format!("invalid path {text:?}")))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn missing(path: &[String]) -> JsonPatchError {
    JsonPatchError::Failed(format!(
        "doc is missing path: \"/{}\": missing value",
        path.join("/")
    ))
}

fn get<'a>(doc: &'a Json, path: &[String]) -> Result<&'a Json, JsonPatchError> {
    path.iter()
        .try_fold(doc, |v, k| match v {
            Json::Array(items) => k.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => v.get(k),
        })
        .ok_or_else(|| missing(path))
}

fn parent_of<'a>(
    doc: &'a mut Json,
    path: &[String],
) -> Result<(&'a mut Json, String), JsonPatchError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(JsonPatchError::Failed("cannot change the root".to_string()));
    };
    let mut node = doc;
    for key in parents {
        node = match node {
            Json::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => node.get_mut(key),
        }
        .ok_or_else(|| missing(path))?;
    }
    Ok((node, last.clone()))
}

fn add(doc: &mut Json, path: &[String], value: Json) -> Result<(), JsonPatchError> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = parent_of(doc, path)?;
    match parent {
        Json::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Json::Array(items) => {
            let index = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= items.len())
                    .ok_or_else(|| missing(path))?
            };
            items.insert(index, value);
            Ok(())
        }
        _ => Err(missing(path)),
    }
}

fn take(doc: &mut Json, path: &[String]) -> Result<Json, JsonPatchError> {
    let (parent, last) = parent_of(doc, path)?;
    match parent {
        Json::Object(map) => map.remove(&last).ok_or_else(|| missing(path)),
        Json::Array(items) => last
            .parse::<usize>()
            .ok()
            .filter(|i| *i < items.len())
            .map(|i| items.remove(i))
            .ok_or_else(|| missing(path)),
        _ => Err(missing(path)),
    }
}
