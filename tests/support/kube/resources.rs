//! The kinds the double serves and their schemas: the operator's three
//! CRDs of the chosen release (carried as JSON in `crds/`, see its README)
//! and the core kinds a Flink client touches (ConfigMap, Event, Secret),
//! whose schemas are written here from `k8s.io/api/core/v1` — only the
//! fields, since built-in kinds are decoded into Go structs, not validated
//! by a schema.

use std::sync::OnceLock;

use serde_json::{Value as Json, json};

use super::schema::Schema;

/// Which operator release's CRDs the double serves (`docs/kubernetes-double.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrdVersion {
    /// Tag `release-1.15.0`, the latest release.
    Release1_15,
    /// `main` at `6e9caeb4` (1.16-SNAPSHOT): adds `jobManager.resources` /
    /// `taskManager.resources` and `flinkVersion` `v2_3`, `v2_4`.
    Main,
}

impl CrdVersion {
    /// The folder of `crds/` holding this version.
    pub fn dir(self) -> &'static str {
        match self {
            CrdVersion::Release1_15 => "release-1.15.0",
            CrdVersion::Main => "main-6e9caeb4",
        }
    }

    /// The CRD documents, FlinkDeployment, FlinkSessionJob, FlinkStateSnapshot.
    fn documents(self) -> [&'static str; 3] {
        match self {
            CrdVersion::Release1_15 => [
                include_str!("crds/release-1.15.0/flinkdeployments.flink.apache.org.json"),
                include_str!("crds/release-1.15.0/flinksessionjobs.flink.apache.org.json"),
                include_str!("crds/release-1.15.0/flinkstatesnapshots.flink.apache.org.json"),
            ],
            CrdVersion::Main => [
                include_str!("crds/main-6e9caeb4/flinkdeployments.flink.apache.org.json"),
                include_str!("crds/main-6e9caeb4/flinksessionjobs.flink.apache.org.json"),
                include_str!("crds/main-6e9caeb4/flinkstatesnapshots.flink.apache.org.json"),
            ],
        }
    }
}

/// One kind the double serves.
#[derive(Debug)]
pub struct ResourceType {
    /// API group; empty for the core group.
    pub group: String,
    /// The served version (`v1beta1` for the CRDs, `v1` for core).
    pub version: String,
    /// `FlinkDeployment`, `ConfigMap`...
    pub kind: String,
    /// `flinkdeployments`, `configmaps`...
    pub plural: String,
    /// `flinkdeployment`...
    pub singular: String,
    /// `flinkdep`...
    pub short_names: Vec<String>,
    /// Whether the kind has a `/status` subresource (all three CRDs do).
    pub status_subresource: bool,
    /// Whether it is a custom resource: unstructured objects validated by
    /// the schema (422), `generation` kept; built-in kinds report type
    /// errors as decoding errors (400) and have no generation.
    pub custom: bool,
    /// The schema of everything but `apiVersion`, `kind` and `metadata`.
    pub schema: Schema,
    /// Fields a `fieldSelector` may name besides `metadata.name` and
    /// `metadata.namespace`.
    pub field_labels: &'static [&'static str],
}

impl ResourceType {
    /// `flink.apache.org/v1beta1`, or `v1` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `FlinkDeploymentList`.
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// The URL prefix of the kind's API: `/apis/flink.apache.org/v1beta1`, `/api/v1`.
    pub fn api_prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }
}

/// Every kind of one double.
#[derive(Debug)]
pub struct Catalog {
    /// The operator release of the CRDs.
    pub version: CrdVersion,
    /// The kinds, CRDs first.
    pub types: Vec<ResourceType>,
}

impl Catalog {
    /// The catalog of `version`, loaded once per process.
    pub fn of(version: CrdVersion) -> &'static Catalog {
        static RELEASE: OnceLock<Catalog> = OnceLock::new();
        static MAIN: OnceLock<Catalog> = OnceLock::new();
        let cell = match version {
            CrdVersion::Release1_15 => &RELEASE,
            CrdVersion::Main => &MAIN,
        };
        // The documents are compiled in; one that does not load is a bug of
        // the double, found by the first test.
        cell.get_or_init(|| Catalog::load(version).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Reads the CRDs of `version` and adds the core kinds.
    pub fn load(version: CrdVersion) -> Result<Catalog, String> {
        let mut types = Vec::new();
        for document in version.documents() {
            let crd: Json = serde_json::from_str(document).map_err(|e| e.to_string())?;
            types.push(custom_type(&crd)?);
        }
        types.extend(core_types()?);
        Ok(Catalog { version, types })
    }

    /// The kind served at `group`/`version` as `plural`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// The kind named `kind` (`FlinkDeployment`).
    pub fn kind(&self, kind: &str) -> Option<&ResourceType> {
        self.types.iter().find(|t| t.kind == kind)
    }

    /// The API groups besides core, with their served version.
    pub fn groups(&self) -> Vec<(String, String)> {
        let mut groups: Vec<(String, String)> = Vec::new();
        for t in self.types.iter().filter(|t| !t.group.is_empty()) {
            if !groups.iter().any(|(g, _)| *g == t.group) {
                groups.push((t.group.clone(), t.version.clone()));
            }
        }
        groups
    }
}

/// A CRD's served, stored version as a kind.
fn custom_type(crd: &Json) -> Result<ResourceType, String> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let name = crd["metadata"]["name"].as_str().unwrap_or("?").to_string();
    let text = |v: &Json, what: &str| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{name}: no {what}"))
    };
    if spec["scope"] != "Namespaced" {
        return Err(format!("{name}: only namespaced CRDs are served"));
    }
    let versions = spec["versions"]
        .as_array()
        .ok_or_else(|| format!("{name}: no versions"))?;
    let served: Vec<&Json> = versions.iter().filter(|v| v["served"] == true).collect();
    let [version] = served.as_slice() else {
        return Err(format!("{name}: expected exactly one served version"));
    };
    let schema = Schema::parse(
        &version["schema"]["openAPIV3Schema"],
        &format!("{name}.openAPIV3Schema"),
    )?;
    Ok(ResourceType {
        group: text(&spec["group"], "group")?,
        version: text(&version["name"], "version name")?,
        kind: text(&names["kind"], "kind")?,
        plural: text(&names["plural"], "plural")?,
        singular: text(&names["singular"], "singular")?,
        short_names: names["shortNames"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        status_subresource: version["subresources"].get("status").is_some(),
        custom: true,
        schema,
        field_labels: &[],
    })
}

/// An `ObjectReference` (`k8s.io/api/core/v1`).
fn object_reference() -> Json {
    json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "fieldPath": {"type": "string"},
        "kind": {"type": "string"}, "name": {"type": "string"},
        "namespace": {"type": "string"}, "resourceVersion": {"type": "string"},
        "uid": {"type": "string"},
    }})
}

/// ConfigMap, Event and Secret.
fn core_types() -> Result<Vec<ResourceType>, String> {
    let strings = json!({"type": "object", "additionalProperties": {"type": "string"}});
    let config_map = json!({"type": "object", "properties": {
        "data": strings, "binaryData": strings, "immutable": {"type": "boolean"},
    }});
    let secret = json!({"type": "object", "properties": {
        "data": strings, "stringData": strings, "type": {"type": "string"},
        "immutable": {"type": "boolean"},
    }});
    let event = json!({"type": "object", "properties": {
        "action": {"type": "string"},
        "count": {"type": "integer"},
        "eventTime": {"type": "string"},
        "firstTimestamp": {"type": "string"},
        "involvedObject": object_reference(),
        "lastTimestamp": {"type": "string"},
        "message": {"type": "string"},
        "reason": {"type": "string"},
        "related": object_reference(),
        "reportingComponent": {"type": "string"},
        "reportingInstance": {"type": "string"},
        "series": {"type": "object", "properties": {
            "count": {"type": "integer"}, "lastObservedTime": {"type": "string"},
        }},
        "source": {"type": "object", "properties": {
            "component": {"type": "string"}, "host": {"type": "string"},
        }},
        "type": {"type": "string"},
    }});
    let core = |kind: &str, plural: &str, schema: &Json, field_labels: &'static [&'static str]| {
        Ok::<_, String>(ResourceType {
            group: String::new(),
            version: "v1".to_string(),
            kind: kind.to_string(),
            plural: plural.to_string(),
            singular: kind.to_lowercase(),
            short_names: Vec::new(),
            status_subresource: false,
            custom: false,
            schema: Schema::parse(schema, kind)?,
            field_labels,
        })
    };
    Ok(vec![
        core("ConfigMap", "configmaps", &config_map, &[])?,
        core(
            "Event",
            "events",
            &event,
            &[
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ],
        )?,
        core("Secret", "secrets", &secret, &["type"])?,
    ])
}
