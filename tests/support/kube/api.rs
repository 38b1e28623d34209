//! The HTTP surface: routing of discovery and resource paths, query
//! parameters, content types, and the verbs (get, list, watch, create,
//! update, patch, delete, deletecollection) of each kind and its `/status`.
//! Writes go through `registry`; a watch is answered by `watch`.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value as Json, json};

use super::Shared;
use super::errors::ApiError;
use super::patch::Scope;
use super::registry::{self, Deleted, FieldValidation, WriteOptions};
use super::resources::ResourceType;
use super::selector::{FieldSelector, LabelSelector};
use super::store::Store;

/// A request as the router sees it.
pub struct Request<'a> {
    /// `GET`, `POST`...
    pub method: &'a str,
    /// The path, percent-encoded as received.
    pub path: &'a str,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The `Content-Type`, without parameters.
    pub content_type: String,
    /// The `User-Agent` (its product names the default field manager).
    pub user_agent: String,
    /// The body.
    pub body: &'a [u8],
}

impl Request<'_> {
    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1"))
    }
}

/// A watch to stream (see `watch`).
pub struct WatchRequest {
    /// The kind watched.
    pub resource: &'static ResourceType,
    /// Its namespace, or all.
    pub namespace: Option<String>,
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `resourceVersion`: changes after it; `None` for "" and "0" (the
    /// current objects first, as ADDED).
    pub from: Option<u64>,
    /// `allowWatchBookmarks`.
    pub bookmarks: bool,
    /// `sendInitialEvents`: the current objects, then a bookmark marked
    /// `k8s.io/initial-events-end`.
    pub initial_events: bool,
    /// `timeoutSeconds`.
    pub timeout: Option<Duration>,
}

/// The answer to one request.
pub enum Reply {
    /// A JSON body.
    Json {
        /// HTTP status.
        status: u16,
        /// The body.
        body: Json,
        /// `Warning` headers.
        warnings: Vec<String>,
    },
    /// A watch stream.
    Watch(WatchRequest),
}

impl Reply {
    fn ok(body: Json) -> Reply {
        Reply::Json {
            status: 200,
            body,
            warnings: Vec::new(),
        }
    }
}

impl From<ApiError> for Reply {
    fn from(error: ApiError) -> Reply {
        Reply::Json {
            status: error.code,
            body: error.to_status(),
            warnings: Vec::new(),
        }
    }
}

/// What a request addresses.
enum Target<'a> {
    Version,
    ApiVersions,
    GroupList,
    Group(&'a str),
    ResourceList(&'a str, &'a str),
    /// A kind's collection, in a namespace or across all.
    Collection(&'static ResourceType, Option<&'a str>),
    /// One object, or its subresource.
    Item(&'static ResourceType, &'a str, &'a str, Option<&'a str>),
}

/// The Kubernetes verb of a request (what `KubeDouble::requests` counts).
pub fn verb(method: &str, item: bool, watch: bool) -> &'static str {
    match (method, item) {
        ("GET", _) if watch => "watch",
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

/// Routes `request` to its target; `None` for a path nothing serves.
fn route<'a>(shared: &Shared, segments: &[&'a str]) -> Option<Target<'a>> {
    let catalog = shared.catalog;
    let (group, version, rest) = match segments {
        ["version"] => return Some(Target::Version),
        ["api"] => return Some(Target::ApiVersions),
        ["apis"] => return Some(Target::GroupList),
        ["apis", group] => return Some(Target::Group(group)),
        ["api", version] => return Some(Target::ResourceList("", version)),
        ["apis", group, version] => return Some(Target::ResourceList(group, version)),
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let find = |plural: &str| catalog.find(group, version, plural);
    match rest {
        [plural] => Some(Target::Collection(find(plural)?, None)),
        ["namespaces", namespace, plural] => {
            Some(Target::Collection(find(plural)?, Some(namespace)))
        }
        ["namespaces", namespace, plural, name] => {
            Some(Target::Item(find(plural)?, namespace, name, None))
        }
        ["namespaces", namespace, plural, name, sub] => {
            Some(Target::Item(find(plural)?, namespace, name, Some(sub)))
        }
        _ => None,
    }
}

/// The verb and resource path of a request, for the request log.
pub fn classify(shared: &Shared, request: &Request) -> &'static str {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let watch = request.flag("watch");
    match route(shared, &segments) {
        Some(Target::Item(..)) => verb(request.method, true, watch),
        Some(Target::Collection(..)) => verb(request.method, false, watch),
        Some(_) => "get",
        None => "unknown",
    }
}

/// The 403 RBAC answers `user` for `request` when the user may do nothing
/// (`KubeDouble::forbid`), worded as `responsewriters.forbiddenMessage`.
pub fn forbidden(shared: &Shared, request: &Request, user: &str) -> Reply {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let verb = classify(shared, request);
    let resource = |rt: &ResourceType, sub: Option<&str>, namespace: Option<&str>| {
        let resource = match sub {
            Some(sub) => format!("{}/{sub}", rt.plural),
            None => rt.plural.clone(),
        };
        let scope = match namespace {
            Some(ns) => format!("in the namespace {ns:?}"),
            None => "at the cluster scope".to_string(),
        };
        format!(
            "User {user:?} cannot {verb} resource {resource:?} in API group {:?} {scope}",
            rt.group
        )
    };
    let error = match route(shared, &segments) {
        Some(Target::Collection(rt, namespace)) => {
            ApiError::forbidden(Some(rt), None, &resource(rt, None, namespace))
        }
        Some(Target::Item(rt, namespace, name, sub)) => {
            ApiError::forbidden(Some(rt), Some(name), &resource(rt, sub, Some(namespace)))
        }
        _ => ApiError::forbidden(
            None,
            None,
            &format!(
                "User {user:?} cannot {} path {:?}",
                request.method.to_lowercase(),
                request.path
            ),
        ),
    };
    error.into()
}

/// Answers one request.
pub fn handle(shared: &Shared, request: &Request) -> Reply {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let Some(target) = route(shared, &segments) else {
        return ApiError::no_route().into();
    };
    let result = match target {
        Target::Version => get_only(request, version),
        Target::ApiVersions => get_only(request, || api_versions(shared)),
        Target::GroupList => get_only(request, || group_list(shared)),
        Target::Group(group) => match group_of(shared, group) {
            Some(body) => get_only(request, || body),
            None => Err(ApiError::no_route()),
        },
        Target::ResourceList(group, version) => match resource_list(shared, group, version) {
            Some(body) => get_only(request, || body),
            None => Err(ApiError::no_route()),
        },
        Target::Collection(rt, namespace) => collection(shared, request, rt, namespace),
        Target::Item(rt, namespace, name, sub) => item(shared, request, rt, namespace, name, sub),
    };
    result.unwrap_or_else(Reply::from)
}

fn get_only(request: &Request, body: impl FnOnce() -> Json) -> Result<Reply, ApiError> {
    if request.method == "GET" {
        Ok(Reply::ok(body()))
    } else {
        Err(ApiError::method_not_allowed())
    }
}

/// `/version`: the Kubernetes release whose behaviour the double follows.
fn version() -> Json {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0",
        "gitCommit": "60a317eadfcb839692a68eab88b2096f4d708f4f",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T13:07:02Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn api_versions(shared: &Shared) -> Json {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": shared.addr.to_string()}],
    })
}

fn group_json(group: &str, version: &str) -> Json {
    let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({"name": group, "versions": [gv], "preferredVersion": gv})
}

fn group_list(shared: &Shared) -> Json {
    let groups: Vec<Json> = shared
        .catalog
        .groups()
        .iter()
        .map(|(g, v)| group_json(g, v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn group_of(shared: &Shared, group: &str) -> Option<Json> {
    let (g, v) = shared
        .catalog
        .groups()
        .into_iter()
        .find(|(g, _)| g == group)?;
    let mut body = group_json(&g, &v);
    body["kind"] = json!("APIGroup");
    body["apiVersion"] = json!("v1");
    Some(body)
}

fn resource_list(shared: &Shared, group: &str, version: &str) -> Option<Json> {
    let mut resources = Vec::new();
    for rt in shared
        .catalog
        .types
        .iter()
        .filter(|t| t.group == group && t.version == version)
    {
        let mut entry = json!({
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": true,
            "kind": rt.kind,
            "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        });
        if !rt.short_names.is_empty() {
            entry["shortNames"] = json!(rt.short_names);
        }
        resources.push(entry);
        if rt.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", rt.plural),
                "singularName": "",
                "namespaced": true,
                "kind": rt.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Store> {
    shared.store.lock().unwrap_or_else(|p| p.into_inner())
}

/// The write options of a request.
fn write_options(request: &Request, default: FieldValidation) -> Result<WriteOptions, ApiError> {
    let validation = match request.param("fieldValidation") {
        Some(v) if !v.is_empty() => FieldValidation::parse(v)?,
        _ => default,
    };
    let manager = match request.param("fieldManager") {
        Some(m) => m.to_string(),
        None if request.content_type == "application/apply-patch+yaml" => String::new(),
        None => request
            .user_agent
            .split('/')
            .next()
            .filter(|p| !p.is_empty())
            .unwrap_or("unknown")
            .to_string(),
    };
    Ok(WriteOptions {
        validation,
        manager,
        dry_run: request.param("dryRun").is_some_and(|d| d == "All"),
    })
}

fn body_json(request: &Request) -> Result<Json, ApiError> {
    if request.body.is_empty() {
        return Ok(Json::Null);
    }
    serde_json::from_slice(request.body).map_err(|e| {
        ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

fn written(result: Result<registry::Written, ApiError>) -> Result<Reply, ApiError> {
    let written = result?;
    Ok(Reply::Json {
        status: if written.created { 201 } else { 200 },
        body: written.object,
        warnings: written.warnings,
    })
}

/// A collection: list, watch, create, deletecollection.
fn collection(
    shared: &Shared,
    request: &Request,
    rt: &'static ResourceType,
    namespace: Option<&str>,
) -> Result<Reply, ApiError> {
    let labels = LabelSelector::parse(request.param("labelSelector").unwrap_or_default())?;
    let fields = FieldSelector::parse(request.param("fieldSelector").unwrap_or_default(), rt)?;
    match request.method {
        "GET" if request.flag("watch") => watch(shared, request, rt, namespace, labels, fields),
        "GET" => list(shared, request, rt, namespace, &labels, &fields),
        "POST" => {
            let namespace = namespace.ok_or_else(ApiError::method_not_allowed)?;
            let opts = write_options(request, shared.options.field_validation)?;
            let (object, warnings) = registry::decode(
                rt,
                body_json(request)?,
                opts.validation,
                registry::Verb::Write,
            )?;
            let mut store = lock(shared);
            let mut result = registry::create(&mut store, rt, namespace, object, &opts, None);
            if let Ok(w) = &mut result {
                w.warnings = warnings;
            }
            written(result)
        }
        "DELETE" => {
            let namespace = namespace.ok_or_else(ApiError::method_not_allowed)?;
            let options = body_json(request)?;
            let dry_run = request.param("dryRun").is_some_and(|d| d == "All");
            let mut store = lock(shared);
            let mut items = Vec::new();
            for object in registry::list(&store, rt, Some(namespace)) {
                if !labels.matches(&object) || !fields.matches(&object) {
                    continue;
                }
                let name = object["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                match registry::delete(&mut store, rt, namespace, &name, &options, dry_run)? {
                    Deleted::Gone(_) => items.push(object),
                    Deleted::Pending(marked) => items.push(marked),
                }
            }
            Ok(Reply::ok(list_body(rt, store.rv(), items, None, None)))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn list_body(
    rt: &ResourceType,
    rv: u64,
    items: Vec<Json>,
    next: Option<String>,
    remaining: Option<usize>,
) -> Json {
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if let Some(token) = next {
        metadata["continue"] = json!(token);
    }
    if let Some(remaining) = remaining {
        metadata["remainingItemCount"] = json!(remaining);
    }
    json!({
        "apiVersion": rt.api_version(),
        "kind": rt.list_kind(),
        "metadata": metadata,
        "items": items,
    })
}

/// Parses a resourceVersion parameter.
fn parse_rv(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>().map_err(|_| ApiError::invalid_rv(text))
}

impl ApiError {
    /// 400 for a resourceVersion that is not a number.
    fn invalid_rv(text: &str) -> ApiError {
        ApiError::bad_request(format!("invalid resource version: {text:?}"))
    }
}

const CONTINUE_TOO_OLD: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

fn list(
    shared: &Shared,
    request: &Request,
    rt: &'static ResourceType,
    namespace: Option<&str>,
    labels: &LabelSelector,
    fields: &FieldSelector,
) -> Result<Reply, ApiError> {
    let store = lock(shared);
    let resource = registry::resource_key(rt);
    let current = store.rv();
    let (at, after) = match request.param("continue").filter(|c| !c.is_empty()) {
        Some(token) => {
            let (rv, ns, name) = decode_continue(token)?;
            (rv, Some((ns, name)))
        }
        None => {
            let rv = match request.param("resourceVersion") {
                None | Some("") | Some("0") => current,
                Some(text) => parse_rv(text)?,
            };
            if rv > current {
                return Err(ApiError::too_large_resource_version(rv, current));
            }
            let exact = request.param("resourceVersionMatch") == Some("Exact");
            (if exact { rv } else { current }, None)
        }
    };
    let objects = store.list_at(&resource, namespace, at).ok_or_else(|| {
        ApiError::expired(if after.is_some() {
            CONTINUE_TOO_OLD
        } else {
            "The resourceVersion for the provided list is too old."
        })
    })?;
    let mut matching: Vec<(String, String, Json)> = objects
        .into_iter()
        .filter(|(k, _)| {
            after
                .as_ref()
                .is_none_or(|(ns, name)| (&k.namespace, &k.name) > (ns, name))
        })
        .filter(|(_, v)| labels.matches(v) && fields.matches(v))
        .map(|(k, v)| (k.namespace, k.name, v))
        .collect();
    let limit = request
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let (next, remaining) = match limit {
        Some(limit) if matching.len() > limit => {
            let remaining = matching.len() - limit;
            matching.truncate(limit);
            let (ns, name, _) = &matching[limit - 1];
            (Some(encode_continue(at, ns, name)), Some(remaining))
        }
        _ => (None, None),
    };
    let items = matching.into_iter().map(|(_, _, v)| v).collect();
    Ok(Reply::ok(list_body(rt, at, items, next, remaining)))
}

fn encode_continue(rv: u64, namespace: &str, name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{rv}\n{namespace}\n{name}"))
}

fn decode_continue(token: &str) -> Result<(u64, String, String), ApiError> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\n');
    let rv = parts.next().and_then(|r| r.parse().ok()).ok_or_else(bad)?;
    let namespace = parts.next().ok_or_else(bad)?.to_string();
    let name = parts.next().ok_or_else(bad)?.to_string();
    Ok((rv, namespace, name))
}

fn watch(
    shared: &Shared,
    request: &Request,
    rt: &'static ResourceType,
    namespace: Option<&str>,
    labels: LabelSelector,
    fields: FieldSelector,
) -> Result<Reply, ApiError> {
    let from = match request.param("resourceVersion") {
        None | Some("") | Some("0") => None,
        Some(text) => Some(parse_rv(text)?),
    };
    let bookmarks = request.flag("allowWatchBookmarks");
    let initial_events = request.flag("sendInitialEvents");
    if initial_events
        && (!bookmarks || request.param("resourceVersionMatch") != Some("NotOlderThan"))
    {
        return Err(ApiError {
            code: 422,
            reason: "Invalid",
            message: "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks to true".to_string(),
            details: None,
        });
    }
    if let Some(rv) = from {
        let current = lock(shared).rv();
        if rv > current {
            return Err(ApiError::too_large_resource_version(rv, current));
        }
    }
    let timeout = request
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs);
    Ok(Reply::Watch(WatchRequest {
        resource: rt,
        namespace: namespace.map(str::to_string),
        labels,
        fields,
        from: if initial_events { None } else { from },
        bookmarks,
        initial_events,
        timeout,
    }))
}

/// One object: get, update, patch, delete, and the status subresource.
fn item(
    shared: &Shared,
    request: &Request,
    rt: &'static ResourceType,
    namespace: &str,
    name: &str,
    sub: Option<&str>,
) -> Result<Reply, ApiError> {
    let scope = match sub {
        None => Scope::Main(rt.status_subresource),
        Some("status") if rt.status_subresource => Scope::Status,
        Some(_) => return Err(ApiError::no_route()),
    };
    match request.method {
        "GET" => {
            let store = lock(shared);
            Ok(Reply::ok(registry::get(&store, rt, namespace, name)?))
        }
        "PUT" => {
            let opts = write_options(request, shared.options.field_validation)?;
            let body = body_json(request)?;
            let mut store = lock(shared);
            written(registry::update(
                &mut store, rt, namespace, name, body, scope, &opts,
            ))
        }
        "PATCH" => {
            let opts = write_options(request, shared.options.field_validation)?;
            let body = body_json(request)?;
            let mut store = lock(shared);
            let result = match request.content_type.as_str() {
                "application/merge-patch+json" => {
                    registry::merge_patch(&mut store, rt, namespace, name, &body, scope, &opts)
                }
                "application/json-patch+json" => {
                    registry::json_patch(&mut store, rt, namespace, name, &body, scope, &opts)
                }
                "application/apply-patch+yaml" => {
                    let force = request.flag("force");
                    registry::apply(&mut store, rt, namespace, name, body, scope, force, &opts)
                }
                other => Err(ApiError::unsupported_patch(other)),
            };
            written(result)
        }
        "DELETE" if sub.is_none() => {
            let options = body_json(request)?;
            let dry_run = request.param("dryRun").is_some_and(|d| d == "All")
                || options["dryRun"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|v| v == "All"));
            let mut store = lock(shared);
            match registry::delete(&mut store, rt, namespace, name, &options, dry_run)? {
                Deleted::Gone(status) => Ok(Reply::ok(status)),
                Deleted::Pending(object) => Ok(Reply::ok(object)),
            }
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Decodes a query string (`a=b&c=d%2Ce`) into pairs.
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
