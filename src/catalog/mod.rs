//! The type registry loaded from `catalogs/`: what each datasource type
//! accepts, which of its options are secret, and how its options map onto
//! Flink SQL, Flink CDC and SeaTunnel; and what each cluster type accepts
//! (`catalogs/README.md` is the format). Both kinds share the option
//! format ([`OptionSpec`]), the attached-file format ([`FileSpec`]) and
//! their validation ([`TypedOptions`]).
//!
//! A type's `[flink_catalog]` block makes a datasource of it a Flink
//! catalog ([`flink_catalog`]: the `CREATE CATALOG` Flink runs, real and
//! masked).
//!
//! The files are embedded into the binary; a `catalogs` directory from the
//! configuration overrides them file by file (and may add types).

mod cluster_type;
pub mod connectors;
mod datasource_type;
mod file;
pub mod flink_catalog;
mod option;
mod sync_options;
mod validate;
#[cfg(test)]
pub use validate::pairs;

use std::collections::BTreeMap;
use std::path::Path;

pub use cluster_type::{ClusterEngine, ClusterTypeSpec};
pub use datasource_type::*;
pub use file::FileSpec;
pub use option::{OptionGroup, OptionSpec, OptionType};
pub use sync_options::SyncOptionTable;
pub use validate::{TypedOptions, ValidatedOptions, canonical_key};

/// The embedded `catalogs/clusters/*.toml`, by file name.
const EMBEDDED_CLUSTERS: &[(&str, &str)] = &[
    (
        "kubernetes_application",
        include_str!("../../catalogs/clusters/kubernetes_application.toml"),
    ),
    (
        "kubernetes_session",
        include_str!("../../catalogs/clusters/kubernetes_session.toml"),
    ),
    (
        "remote",
        include_str!("../../catalogs/clusters/remote.toml"),
    ),
    (
        "seatunnel",
        include_str!("../../catalogs/clusters/seatunnel.toml"),
    ),
];

/// The embedded `catalogs/datasources/*.toml`, by file name.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "clickhouse",
        include_str!("../../catalogs/datasources/clickhouse.toml"),
    ),
    (
        "doris",
        include_str!("../../catalogs/datasources/doris.toml"),
    ),
    (
        "elasticsearch",
        include_str!("../../catalogs/datasources/elasticsearch.toml"),
    ),
    (
        "gravitino",
        include_str!("../../catalogs/datasources/gravitino.toml"),
    ),
    ("hdfs", include_str!("../../catalogs/datasources/hdfs.toml")),
    ("hive", include_str!("../../catalogs/datasources/hive.toml")),
    (
        "kafka",
        include_str!("../../catalogs/datasources/kafka.toml"),
    ),
    (
        "mongodb",
        include_str!("../../catalogs/datasources/mongodb.toml"),
    ),
    (
        "mysql",
        include_str!("../../catalogs/datasources/mysql.toml"),
    ),
    (
        "oracle",
        include_str!("../../catalogs/datasources/oracle.toml"),
    ),
    (
        "paimon",
        include_str!("../../catalogs/datasources/paimon.toml"),
    ),
    (
        "postgresql",
        include_str!("../../catalogs/datasources/postgresql.toml"),
    ),
    (
        "pulsar",
        include_str!("../../catalogs/datasources/pulsar.toml"),
    ),
    ("s3", include_str!("../../catalogs/datasources/s3.toml")),
    (
        "sqlserver",
        include_str!("../../catalogs/datasources/sqlserver.toml"),
    ),
    (
        "starrocks",
        include_str!("../../catalogs/datasources/starrocks.toml"),
    ),
];

/// Why the registry could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file is not valid TOML or does not follow the format.
    #[error("catalog file {file}: {message}")]
    Invalid {
        /// The file (`datasources/mysql.toml`).
        file: String,
        /// What is wrong.
        message: String,
        /// The TOML error, when the file does not parse (a catalog file
        /// describes types and holds no secrets, so the error, which keeps
        /// the text it parsed, may travel).
        #[source]
        source: Option<Box<toml::de::Error>>,
    },
    /// The override directory could not be read.
    #[error("catalog directory {0}: {1}")]
    Io(String, #[source] std::io::Error),
}

/// The `*.toml` files of `dir`: each file's stem, path (for messages) and
/// text. What overrides an embedded catalog file, for every registry.
fn toml_files(dir: &Path) -> Result<Vec<(String, String, String)>, CatalogError> {
    let io = |path: &Path, e| CatalogError::Io(path.display().to_string(), e);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        let (Some(stem), Some("toml")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        files.push((stem.to_string(), path.display().to_string(), text));
    }
    Ok(files)
}

/// Every datasource type and every cluster type, by name.
#[derive(Clone, Debug)]
pub struct Registry {
    types: BTreeMap<String, DatasourceType>,
    clusters: BTreeMap<String, ClusterTypeSpec>,
}

/// Parses a catalog file as `T` and runs `check` on it.
fn parse_file<T: for<'de> serde::Deserialize<'de>>(
    file: &str,
    text: &str,
    check: impl FnOnce(&T) -> Result<(), String>,
) -> Result<T, CatalogError> {
    let invalid = |message: String, source| CatalogError::Invalid {
        file: file.to_string(),
        message,
        source,
    };
    let parsed: T = toml::from_str(text).map_err(|e| invalid(e.to_string(), Some(Box::new(e))))?;
    check(&parsed).map_err(|message| invalid(message, None))?;
    Ok(parsed)
}

/// The types of one kind: the embedded files, then `<override_dir>/<kind>/*.toml`
/// (when that directory exists) replacing or adding types. `parse` takes
/// the file as shown, its stem and its text.
pub(crate) fn load_kind<T>(
    embedded: &[(&str, &str)],
    override_dir: Option<&Path>,
    kind: &str,
    parse: impl Fn(&str, &str, &str) -> Result<T, CatalogError>,
) -> Result<BTreeMap<String, T>, CatalogError> {
    let mut types = BTreeMap::new();
    for (name, text) in embedded {
        let file = format!("{kind}/{name}.toml");
        types.insert(name.to_string(), parse(&file, name, text)?);
    }
    let Some(dir) = override_dir.map(|d| d.join(kind)) else {
        return Ok(types);
    };
    // An override directory may hold one kind only.
    if !dir.exists() {
        return Ok(types);
    }
    for (stem, file, text) in toml_files(&dir)? {
        types.insert(stem.clone(), parse(&file, &stem, &text)?);
    }
    Ok(types)
}

impl Registry {
    /// The embedded registry, with `datasources/*.toml` and
    /// `clusters/*.toml` of `override_dir` replacing or adding types when
    /// given.
    pub fn load(override_dir: Option<&Path>) -> Result<Registry, CatalogError> {
        Ok(Registry {
            types: load_kind(EMBEDDED, override_dir, "datasources", DatasourceType::parse)?,
            clusters: load_kind(
                EMBEDDED_CLUSTERS,
                override_dir,
                "clusters",
                ClusterTypeSpec::parse,
            )?,
        })
    }

    /// The cluster type called `name` (lower case: `remote`), when it is
    /// built.
    pub fn cluster_type(&self, name: &str) -> Option<&ClusterTypeSpec> {
        self.clusters.get(name)
    }

    /// The embedded registry (it is checked by the tests, so it loads).
    pub fn embedded() -> Registry {
        Registry::load(None).expect("the embedded catalogs are valid")
    }

    /// The type called `name` (lower case).
    pub fn get(&self, name: &str) -> Option<&DatasourceType> {
        self.types.get(name)
    }

    /// Every type, by name.
    pub fn types(&self) -> impl Iterator<Item = &DatasourceType> {
        self.types.values()
    }

    /// Every type name, by name.
    pub fn names(&self) -> Vec<&str> {
        self.types.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogs_load_and_cover_the_required_types() {
        let registry = Registry::embedded();
        for name in [
            "mysql",
            "postgresql",
            "oracle",
            "sqlserver",
            "doris",
            "starrocks",
            "clickhouse",
            "kafka",
            "pulsar",
            "elasticsearch",
            "mongodb",
            "paimon",
            "hive",
            "hdfs",
            "s3",
            "gravitino",
        ] {
            let t = registry
                .get(name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert!(
                t.options.iter().any(|o| o.group == OptionGroup::Basic),
                "{name} has no basic option"
            );
        }
        let mysql = registry.get("mysql").unwrap();
        assert!(mysql.option("password").unwrap().secret);
        assert_eq!(mysql.connectivity, Connectivity::Mysql);
    }

    #[test]
    fn remote_cluster_type_validates_its_options_and_passes_flink_keys() {
        let registry = Registry::embedded();
        let remote = registry.cluster_type("remote").unwrap();
        let given = |items: &[(&str, &str)]| -> Vec<(String, String)> {
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let ok = remote
            .validate(
                &given(&[
                    ("rest.address", "http://jm:8081/"),
                    ("connect.timeout", "2 s"),
                    ("flink.execution.checkpointing.interval", "10 s"),
                    ("rest.auth.secret-header", "Authorization: Bearer t0k"),
                ]),
                true,
            )
            .unwrap();
        assert_eq!(ok["rest.address"], "http://jm:8081");
        assert_eq!(ok["flink.execution.checkpointing.interval"], "10 s");
        assert!(remote.is_secret("rest.auth.secret-header"));
        let err = remote
            .validate(&given(&[("rest.adress", "http://jm:8081")]), true)
            .unwrap_err();
        assert_eq!(err.sqlstate.code(), "22023");
        assert!(
            err.message
                .ends_with("is not an option of cluster type REMOTE: did you mean rest.address?"),
            "{}",
            err.message
        );
        let err = remote.validate(&given(&[]), true).unwrap_err();
        assert!(
            err.message
                .contains("missing required option: rest.address"),
            "{}",
            err.message
        );
        for (key, bad) in [
            ("rest.address", "jm:8081"),
            ("rest.address", "http://u:pw@jm:8081"),
            ("request.timeout", "soon"),
            ("rest.auth.secret-header", "Bearer-no-colon-s3cret"),
        ] {
            let err = remote.validate(&given(&[(key, bad)]), false).unwrap_err();
            assert!(err.message.contains(key), "{}", err.message);
            assert!(
                !err.message.contains("s3cret") && !err.message.contains("pw@"),
                "{}",
                err.message
            );
        }
        // A bare prefix is not a key.
        assert!(remote.validate(&given(&[("flink.", "x")]), false).is_err());
    }

    #[test]
    fn seatunnel_cluster_type_runs_seatunnel_and_keeps_a_context_path() {
        let registry = Registry::embedded();
        let seatunnel = registry.cluster_type("seatunnel").unwrap();
        assert_eq!(seatunnel.engine, ClusterEngine::Seatunnel);
        assert_eq!(seatunnel.rest_address.as_deref(), Some("rest.address"));
        assert_eq!(
            registry.cluster_type("remote").unwrap().engine,
            ClusterEngine::Flink
        );
        let given = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let ok = seatunnel
            .validate(&given("rest.address", "http://zeta:8080/seatunnel/"), true)
            .unwrap();
        assert_eq!(ok["rest.address"], "http://zeta:8080/seatunnel");
        // No Flink configuration: SeaTunnel's jobs are configured by their env.
        let err = seatunnel
            .validate(&given("flink.parallelism.default", "2"), false)
            .unwrap_err();
        assert!(
            err.message.contains("cluster type SEATUNNEL"),
            "{}",
            err.message
        );
        let err = ClusterTypeSpec::parse(
            "x.toml",
            "x",
            "name = \"x\"\ntitle = \"X\"\ndescription = \"x\"\nengine = \"seatunnel\"\nkubernetes = true\noptions = []\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("rest_address"), "{err}");
    }

    #[test]
    fn kubernetes_cluster_types_take_pod_templates_as_files_not_options() {
        let registry = Registry::embedded();
        for name in ["kubernetes_session", "kubernetes_application"] {
            let t = registry.cluster_type(name).unwrap();
            assert!(t.file("POD.TEMPLATE").is_some(), "{name}");
            assert!(t.file_spec("taskmanager.pod.template").is_ok());
            let err = t
                .validate(&pairs(&[("pod.template", "/p.yaml")]), false)
                .unwrap_err();
            assert_eq!(err.sqlstate.code(), "22023");
            assert!(err.message.contains("it is a file"), "{}", err.message);
            assert!(
                err.hint.unwrap().contains("FILES ('pod.template' = "),
                "{name}"
            );
            let err = t.file_spec("pod.templates").unwrap_err();
            assert!(
                err.message.ends_with("did you mean pod.template?"),
                "{}",
                err.message
            );
        }
        // A datasource's files are given at CREATE only.
        let err = registry
            .get("hive")
            .unwrap()
            .validate(&pairs(&[("keytab", "/k")]), false)
            .unwrap_err();
        assert_eq!(
            err.hint.as_deref(),
            Some("attach it with FILES ('keytab' = '/path/to/file') after WITH (...)")
        );
        let remote = registry.cluster_type("remote").unwrap();
        let err = remote.file_spec("pod.template").unwrap_err();
        assert_eq!(
            err.hint.as_deref(),
            Some("cluster type REMOTE takes no files")
        );
    }

    #[test]
    fn cluster_types_parse_files_as_datasource_types_do() {
        let head = "name = \"tiny\"\ntitle = \"T\"\ndescription = \"d\"\nkubernetes = true\noptions = []\n";
        let parse = |files: &str| {
            ClusterTypeSpec::parse("clusters/tiny.toml", "tiny", &format!("{head}{files}"))
        };
        let ok = parse("[[files]]\nname = \"a\"\nsecret = true\ndescription = \"d\"\n").unwrap();
        assert!(ok.file("A").is_some_and(|f| f.secret));
        let twice = "[[files]]\nname = \"a\"\ndescription = \"d\"\n[[files]]\nname = \"A\"\ndescription = \"d\"\n";
        let err = parse(twice).unwrap_err();
        assert!(
            err.to_string().contains("file \"A\" is listed twice"),
            "{err}"
        );
        let err =
            parse("[[files]]\nname = \"a\"\nsecrett = true\ndescription = \"d\"\n").unwrap_err();
        assert!(err.to_string().contains("secrett"), "{err}");
    }

    #[test]
    fn secret_cluster_options_are_secret_by_name_too() {
        // Statement text is masked by key name before any type is known
        // (logs, errors, `scaleph check`): every secret option of a
        // cluster or datasource type must be one the name-based mask
        // recognises — except a URI, whose secret (the password in its
        // user info) is masked inside the value whatever the key.
        let registry = Registry::embedded();
        let specs = registry
            .clusters
            .values()
            .flat_map(|t| t.options.iter())
            .chain(registry.types().flat_map(|t| t.options.iter()));
        for spec in specs.filter(|s| s.secret && s.name != "uri") {
            assert!(
                crate::sql::mask::is_secret_key(&spec.name),
                "{} is secret but its name does not say so",
                spec.name
            );
        }
    }

    #[test]
    fn a_directory_overrides_and_adds_types() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("datasources")).unwrap();
        std::fs::write(
            dir.path().join("datasources/tiny.toml"),
            r#"
name = "tiny"
title = "Tiny"
description = "A test type."
category = "database"
connectivity = "tcp"
address = ["host"]

[[options]]
name = "host"
type = "string"
required = true
group = "basic"
description = "Where."
"#,
        )
        .unwrap();
        let registry = Registry::load(Some(dir.path())).unwrap();
        assert!(registry.get("tiny").is_some() && registry.get("mysql").is_some());
        // No clusters/ directory: the embedded cluster types stay.
        assert!(registry.cluster_type("remote").is_some());
        std::fs::write(dir.path().join("datasources/bad.toml"), "name = 3").unwrap();
        let err = Registry::load(Some(dir.path())).unwrap_err();
        assert!(err.to_string().contains("bad.toml"), "{err}");
    }
}
