//! What the API server does to an object on each write, between the HTTP
//! layer and the store (`k8s.io/apiserver/pkg/registry/generic` plus the
//! custom-resource strategy): decoding with field validation, server-kept
//! metadata, the status subresource split, `generation`, validation,
//! finalizers and graceful deletion, managed fields, no-op writes.
//!
//! The operator simulator writes through these same functions, so its
//! statuses are held to the CRD schema like any client's.

use serde_json::{Value as Json, json};

use super::errors::{ApiError, Cause};
use super::meta;
use super::patch::{self, JsonPatchError, Scope};
use super::resources::ResourceType;
use super::store::{Key, Store};

/// The `fieldValidation` query parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    /// Unknown fields fail the request (400).
    Strict,
    /// Unknown fields are dropped, each reported in a `Warning` header.
    Warn,
    /// Unknown fields are dropped silently.
    Ignore,
}

impl FieldValidation {
    /// Reads the query value (`Strict`, `Warn`, `Ignore`).
    pub fn parse(text: &str) -> Result<FieldValidation, ApiError> {
        match text {
            "Strict" => Ok(FieldValidation::Strict),
            "Warn" => Ok(FieldValidation::Warn),
            "Ignore" => Ok(FieldValidation::Ignore),
            other => Err(ApiError::bad_request(format!(
                "fieldValidation parameter unsupported: {other}"
            ))),
        }
    }
}

/// How one write is made.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// What to do with undeclared fields.
    pub validation: FieldValidation,
    /// The field manager (`fieldManager`, else the User-Agent's product).
    pub manager: String,
    /// `dryRun=All`: everything but the write.
    pub dry_run: bool,
}

/// A successful write.
#[derive(Debug)]
pub struct Written {
    /// The object as stored (or as it would be, for a dry run).
    pub object: Json,
    /// Whether it was created (201) rather than changed (200).
    pub created: bool,
    /// `Warning` header texts (dropped unknown fields).
    pub warnings: Vec<String>,
}

/// The answer to a DELETE.
#[derive(Debug)]
pub enum Deleted {
    /// Removed: the success `Status`.
    Gone(Json),
    /// Marked for deletion, waiting for finalizers: the object.
    Pending(Json),
}

/// Where the message of a strict decoding error starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    /// POST and PUT: `<Kind> in version "<v>" cannot be handled as a <Kind>: ...`.
    Write,
    /// Merge and JSON patch: the decoding error alone.
    Patch,
}

fn key(rt: &ResourceType, namespace: &str, name: &str) -> Key {
    Key {
        resource: format!("{}/{}", rt.group, rt.plural),
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

/// The stored object, or 404.
pub fn get(
    store: &Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
) -> Result<Json, ApiError> {
    store
        .get(&key(rt, namespace, name))
        .cloned()
        .ok_or_else(|| ApiError::not_found(rt, name))
}

/// The objects of a kind (in a namespace, or all), in storage order.
pub fn list(store: &Store, rt: &ResourceType, namespace: Option<&str>) -> Vec<Json> {
    store
        .list(&format!("{}/{}", rt.group, rt.plural), namespace)
        .into_iter()
        .map(|(_, v)| v)
        .collect()
}

/// The store key prefix of a kind (for history filtering).
pub fn resource_key(rt: &ResourceType) -> String {
    format!("{}/{}", rt.group, rt.plural)
}

fn cannot_handle(rt: &ResourceType, detail: &str) -> ApiError {
    ApiError::bad_request(format!(
        "{} in version \"{}\" cannot be handled as a {}: {detail}",
        rt.kind, rt.version, rt.kind
    ))
}

/// Decodes a request body into an object of `rt`: its kind and version,
/// `metadata`'s shape, and undeclared fields (refused, or dropped with
/// warnings, per `validation`).
pub fn decode(
    rt: &ResourceType,
    mut object: Json,
    validation: FieldValidation,
    verb: Verb,
) -> Result<(Json, Vec<String>), ApiError> {
    if !object.is_object() {
        return Err(ApiError::bad_request(format!(
            "couldn't get version/kind; json parse error: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            super::schema::type_name(&object)
        )));
    }
    let kind = object["kind"].as_str().unwrap_or_default().to_string();
    let api_version = object["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if kind.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Object 'Kind' is missing in '{}'",
            summarize(&object)
        )));
    }
    if api_version != rt.api_version() {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            rt.api_version()
        )));
    }
    if kind != rt.kind {
        return Err(ApiError::bad_request(format!(
            "{kind} in version \"{}\" cannot be handled as a {}: the kind in the data ({kind}) does not match the expected kind ({})",
            rt.version, rt.kind, rt.kind
        )));
    }
    if let Some(detail) = meta::decode_error(&object) {
        return Err(cannot_handle(rt, &detail));
    }
    let mut unknown = Vec::new();
    meta::prune_unknown(&mut object, &mut unknown);
    rt.schema.prune(&mut object, "", true, &mut unknown);
    let listed: Vec<String> = unknown
        .iter()
        .map(|u| format!("unknown field \"{u}\""))
        .collect();
    match validation {
        FieldValidation::Strict if !unknown.is_empty() => {
            let detail = format!("strict decoding error: {}", listed.join(", "));
            Err(match verb {
                Verb::Write => cannot_handle(rt, &detail),
                Verb::Patch => ApiError::bad_request(detail),
            })
        }
        FieldValidation::Ignore => Ok((object, Vec::new())),
        _ => Ok((object, listed)),
    }
}

/// The first bytes of a body, for messages.
fn summarize(object: &Json) -> String {
    let text = object.to_string();
    text.chars().take(30).collect()
}

/// Validation of a whole object (name, labels, annotations, schema).
fn validate(rt: &ResourceType, object: &Json) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    meta::validate(object, rt.kind != "Event", &mut causes);
    let mut schema_causes = Vec::new();
    if let Some(fields) = object.as_object() {
        for (key, value) in fields {
            if matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            if let Some(schema) = rt.schema.child(key) {
                schema.validate(value, key, &mut schema_causes);
            }
        }
    }
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if !rt.custom
        && let Some(first) = schema_causes.first()
    {
        // Built-in kinds decode into Go structs: a wrong type never reaches validation.
        return Err(cannot_handle(
            rt,
            &format!(
                "json: cannot unmarshal into Go struct field {}.{} ({})",
                rt.kind, first.field, first.message
            ),
        ));
    }
    causes.extend(schema_causes);
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(rt, name, causes))
    }
}

/// Folds a Secret's `stringData` into `data` (base64), as the server does.
fn fold_string_data(rt: &ResourceType, object: &mut Json) {
    if rt.kind != "Secret" {
        return;
    }
    use base64::Engine as _;
    if let Some(Json::Object(strings)) = object.as_object_mut().and_then(|o| o.remove("stringData"))
    {
        for (k, v) in strings {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(v.as_str().unwrap_or_default());
            object["data"][k] = json!(encoded);
        }
    }
}

/// Creates a decoded object in `namespace` (POST, or an apply to a missing
/// name, which brings the `managedFields` it computed).
pub fn create(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    mut object: Json,
    opts: &WriteOptions,
    managed: Option<Json>,
) -> Result<Written, ApiError> {
    let meta = &object["metadata"];
    if let Some(ns) = meta["namespace"].as_str()
        && !ns.is_empty()
        && ns != namespace
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if meta["resourceVersion"]
        .as_str()
        .is_some_and(|rv| !rv.is_empty())
    {
        return Err(ApiError::bad_request(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    let name = match (meta["name"].as_str(), meta["generateName"].as_str()) {
        (Some(name), _) if !name.is_empty() => name.to_string(),
        (_, Some(prefix)) if !prefix.is_empty() => format!("{prefix}{}", meta::random_suffix(5)),
        _ => {
            return Err(ApiError::invalid(
                rt,
                "",
                vec![Cause::required(
                    "metadata.name",
                    "name or generateName is required",
                )],
            ));
        }
    };
    let key = key(rt, namespace, &name);
    if store.get(&key).is_some() {
        return Err(ApiError::already_exists(rt, &name));
    }
    if let Some(meta) = object["metadata"].as_object_mut() {
        for field in meta::SERVER_FIELDS {
            meta.remove(*field);
        }
        meta.insert("name".into(), json!(name));
        meta.insert("namespace".into(), json!(namespace));
        meta.insert("uid".into(), json!(meta::uuid()));
        meta.insert("creationTimestamp".into(), json!(meta::now()));
        if rt.custom {
            meta.insert("generation".into(), json!(1));
        }
    }
    if rt.status_subresource
        && let Some(fields) = object.as_object_mut()
    {
        fields.remove("status");
    }
    fold_string_data(rt, &mut object);
    validate(rt, &object)?;
    match managed {
        Some(fields) if !fields.is_null() => object["metadata"]["managedFields"] = fields,
        Some(_) => {}
        None => patch::record_update(
            None,
            &mut object,
            &opts.manager,
            Scope::Main(rt.status_subresource),
            &rt.api_version(),
        ),
    }
    let object = if opts.dry_run {
        object
    } else {
        store.put(key, object)
    };
    Ok(Written {
        object,
        created: true,
        warnings: Vec::new(),
    })
}

/// Checks a body's name and namespace against the URL's.
fn check_identity(object: &Json, namespace: &str, name: &str) -> Result<(), ApiError> {
    let meta = &object["metadata"];
    let body_name = meta["name"].as_str().unwrap_or_default();
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    if let Some(ns) = meta["namespace"].as_str()
        && !ns.is_empty()
        && ns != namespace
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    Ok(())
}

/// Checks the preconditions a body carries (`metadata.resourceVersion`, `metadata.uid`).
fn check_preconditions(rt: &ResourceType, object: &Json, existing: &Json) -> Result<(), ApiError> {
    let name = existing["metadata"]["name"].as_str().unwrap_or_default();
    if let Some(rv) = object["metadata"]["resourceVersion"].as_str()
        && !rv.is_empty()
        && Some(rv) != existing["metadata"]["resourceVersion"].as_str()
    {
        return Err(ApiError::stale(rt, name));
    }
    if let Some(uid) = object["metadata"]["uid"].as_str()
        && !uid.is_empty()
        && Some(uid) != existing["metadata"]["uid"].as_str()
    {
        return Err(ApiError::conflict(
            rt,
            name,
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                existing["metadata"]["uid"].as_str().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// Everything but `metadata` (what `generation` counts changes of).
fn content(object: &Json) -> Json {
    let mut copy = object.clone();
    if let Some(fields) = copy.as_object_mut() {
        fields.remove("metadata");
    }
    copy
}

/// Finishes an update of `existing` to `new` (decoded, preconditions
/// checked): the status split, server-kept metadata, finalizer rules,
/// `generation`, validation, managed fields; then writes it, unless nothing
/// changed, or deletes it when its last finalizer went.
fn finish_update(
    store: &mut Store,
    rt: &ResourceType,
    existing: &Json,
    mut new: Json,
    scope: Scope,
    opts: &WriteOptions,
    managed: bool,
) -> Result<Written, ApiError> {
    let name = existing["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let namespace = existing["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match scope {
        Scope::Main(true) => match existing.get("status") {
            Some(status) => new["status"] = status.clone(),
            None => {
                if let Some(fields) = new.as_object_mut() {
                    fields.remove("status");
                }
            }
        },
        Scope::Main(false) => {}
        Scope::Status => {
            let status = new.get("status").cloned();
            let managed_fields = new["metadata"].get("managedFields").cloned();
            new = existing.clone();
            match status {
                Some(status) => new["status"] = status,
                None => {
                    if let Some(fields) = new.as_object_mut() {
                        fields.remove("status");
                    }
                }
            }
            if managed && let Some(m) = managed_fields {
                new["metadata"]["managedFields"] = m;
            }
        }
    }
    if let (Some(meta), Some(old)) = (
        new["metadata"].as_object_mut(),
        existing["metadata"].as_object(),
    ) {
        for field in meta::SERVER_FIELDS.iter().chain(&["name", "namespace"]) {
            if *field == "managedFields" && managed {
                continue;
            }
            match old.get(*field) {
                Some(v) => meta.insert(field.to_string(), v.clone()),
                None => meta.remove(*field),
            };
        }
    }
    let deleting = existing["metadata"].get("deletionTimestamp").is_some();
    if deleting {
        let old: Vec<&Json> = existing["metadata"]["finalizers"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let added: Vec<String> = new["metadata"]["finalizers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| !old.contains(f))
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if !added.is_empty() {
            return Err(ApiError::invalid(
                rt,
                &name,
                vec![Cause::forbidden(
                    "metadata.finalizers",
                    &format!(
                        "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                        added
                            .iter()
                            .map(|f| format!("{f:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )],
            ));
        }
    }
    if rt.custom && matches!(scope, Scope::Main(_)) && content(&new) != content(existing) {
        let generation = existing["metadata"]["generation"].as_i64().unwrap_or(1);
        new["metadata"]["generation"] = json!(generation + 1);
    }
    fold_string_data(rt, &mut new);
    validate(rt, &new)?;
    if !managed {
        patch::record_update(
            Some(existing),
            &mut new,
            &opts.manager,
            scope,
            &rt.api_version(),
        );
    }
    let unchanged = new == *existing;
    let finalized = deleting
        && new["metadata"]["finalizers"]
            .as_array()
            .is_none_or(Vec::is_empty);
    let object = if unchanged || opts.dry_run {
        new
    } else if finalized {
        if let Some(meta) = new["metadata"].as_object_mut() {
            meta.remove("finalizers");
        }
        let key = key(rt, &namespace, &name);
        store.put(key.clone(), new);
        store.remove(&key).unwrap_or_default()
    } else {
        store.put(key(rt, &namespace, &name), new)
    };
    Ok(Written {
        object,
        created: false,
        warnings: Vec::new(),
    })
}

/// PUT of the object or its status.
pub fn update(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    object: Json,
    scope: Scope,
    opts: &WriteOptions,
) -> Result<Written, ApiError> {
    let (object, warnings) = decode(rt, object, opts.validation, Verb::Write)?;
    check_identity(&object, namespace, name)?;
    let existing = get(store, rt, namespace, name)?;
    check_preconditions(rt, &object, &existing)?;
    let mut written = finish_update(store, rt, &existing, object, scope, opts, false)?;
    written.warnings = warnings;
    Ok(written)
}

/// A JSON merge patch of the object or its status.
pub fn merge_patch(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    patch: &Json,
    scope: Scope,
    opts: &WriteOptions,
) -> Result<Written, ApiError> {
    let existing = get(store, rt, namespace, name)?;
    let mut candidate = existing.clone();
    patch::merge_patch(&mut candidate, patch);
    patched(
        store, rt, namespace, name, &existing, candidate, scope, opts,
    )
}

/// A JSON patch of the object or its status.
pub fn json_patch(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    operations: &Json,
    scope: Scope,
    opts: &WriteOptions,
) -> Result<Written, ApiError> {
    let existing = get(store, rt, namespace, name)?;
    let candidate = patch::json_patch(&existing, operations).map_err(|e| match e {
        JsonPatchError::Malformed(message) => ApiError::bad_request(message),
        JsonPatchError::Failed(message) => ApiError {
            code: 422,
            reason: "Invalid",
            message,
            details: None,
        },
    })?;
    patched(
        store, rt, namespace, name, &existing, candidate, scope, opts,
    )
}

#[allow(clippy::too_many_arguments)]
fn patched(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    existing: &Json,
    candidate: Json,
    scope: Scope,
    opts: &WriteOptions,
) -> Result<Written, ApiError> {
    let (candidate, warnings) = decode(rt, candidate, opts.validation, Verb::Patch)?;
    check_identity(&candidate, namespace, name)?;
    check_preconditions(rt, &candidate, existing)?;
    let mut written = finish_update(store, rt, existing, candidate, scope, opts, false)?;
    written.warnings = warnings;
    Ok(written)
}

/// Server-side apply (`application/apply-patch+yaml`) of `config` to the
/// object or its status; creates the object if it does not exist.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    config: Json,
    scope: Scope,
    force: bool,
    opts: &WriteOptions,
) -> Result<Written, ApiError> {
    if opts.manager.is_empty() {
        return Err(ApiError {
            code: 422,
            reason: "Invalid",
            message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch".to_string(),
            details: Some(json!({"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
                {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}
            ]})),
        });
    }
    if !config.is_object() {
        return Err(ApiError::bad_request(format!(
            "error decoding YAML: error converting YAML to JSON: cannot apply a {}",
            super::schema::type_name(&config)
        )));
    }
    if config["apiVersion"].as_str() != Some(&rt.api_version())
        || config["kind"].as_str() != Some(&rt.kind)
    {
        return Err(ApiError::bad_request(format!(
            "the apply configuration's apiVersion and kind must be {} and {}",
            rt.api_version(),
            rt.kind
        )));
    }
    let mut config = config;
    if let Some(detail) = meta::decode_error(&config) {
        return Err(cannot_handle(rt, &detail));
    }
    let mut unknown = Vec::new();
    meta::prune_unknown(&mut config, &mut unknown);
    rt.schema.prune(&mut config, "", true, &mut unknown);
    if !unknown.is_empty() {
        let errors: Vec<String> = unknown
            .iter()
            .map(|u| format!(".{u}: field not declared in schema"))
            .collect();
        let listed = match errors.as_slice() {
            [one] => one.clone(),
            many => format!("errors:\n  {}", many.join("\n  ")),
        };
        return Err(ApiError::unclassified(format!(
            "failed to create typed patch object ({namespace}/{name}; {}, Kind={}): {listed}",
            rt.api_version(),
            rt.kind
        )));
    }
    check_identity(&config, namespace, name)?;
    let existing = store.get(&key(rt, namespace, name)).cloned();
    if let Some(existing) = &existing {
        check_preconditions(rt, &config, existing)?;
    } else if scope == Scope::Status {
        return Err(ApiError::not_found(rt, name));
    }
    let merged = patch::apply(
        existing.as_ref(),
        &config,
        &opts.manager,
        force,
        scope,
        &rt.api_version(),
    )
    .map_err(|conflicts| ApiError::apply_conflicts(&conflicts))?;
    match existing {
        Some(existing) => finish_update(store, rt, &existing, merged, scope, opts, true),
        None => {
            let mut object = merged;
            object["apiVersion"] = json!(rt.api_version());
            object["kind"] = json!(rt.kind);
            object["metadata"]["name"] = json!(name);
            let managed_fields = object["metadata"]["managedFields"].clone();
            create(store, rt, namespace, object, opts, Some(managed_fields))
        }
    }
}

/// DELETE of one object, honouring finalizers: an object that has some is
/// only marked (`deletionTimestamp`, `generation`+1) and removed once they
/// are all gone.
pub fn delete(
    store: &mut Store,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    options: &Json,
    dry_run: bool,
) -> Result<Deleted, ApiError> {
    let existing = get(store, rt, namespace, name)?;
    let preconditions = &options["preconditions"];
    if let Some(uid) = preconditions["uid"].as_str()
        && Some(uid) != existing["metadata"]["uid"].as_str()
    {
        return Err(ApiError::conflict(
            rt,
            name,
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                existing["metadata"]["uid"].as_str().unwrap_or_default()
            ),
        ));
    }
    if let Some(rv) = preconditions["resourceVersion"].as_str()
        && Some(rv) != existing["metadata"]["resourceVersion"].as_str()
    {
        return Err(ApiError::conflict(
            rt,
            name,
            &format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                existing["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap_or_default()
            ),
        ));
    }
    let has_finalizers = existing["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty());
    if has_finalizers {
        if existing["metadata"].get("deletionTimestamp").is_some() || dry_run {
            return Ok(Deleted::Pending(existing));
        }
        let mut marked = existing.clone();
        marked["metadata"]["deletionTimestamp"] = json!(meta::now());
        marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        if rt.custom {
            let generation = existing["metadata"]["generation"].as_i64().unwrap_or(1);
            marked["metadata"]["generation"] = json!(generation + 1);
        }
        return Ok(Deleted::Pending(
            store.put(key(rt, namespace, name), marked),
        ));
    }
    let uid = existing["metadata"]["uid"].clone();
    if !dry_run {
        store.remove(&key(rt, namespace, name));
    }
    let mut details = json!({"name": name, "kind": rt.plural, "uid": uid});
    if !rt.group.is_empty() {
        details["group"] = json!(rt.group);
    }
    Ok(Deleted::Gone(json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    })))
}
