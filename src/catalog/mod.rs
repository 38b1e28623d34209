//! The type registry loaded from `catalogs/`: what each datasource type
//! accepts, which of its options are secret, and how its options map onto
//! Flink SQL, Flink CDC and SeaTunnel (`catalogs/README.md` is the format).
//!
//! The files are embedded into the binary; a `catalogs` directory from the
//! configuration overrides them file by file (and may add types).

pub mod connectors;
mod datasource_type;
mod validate;

use std::collections::BTreeMap;
use std::path::Path;

pub use datasource_type::*;
pub use validate::ValidatedOptions;

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

/// Every datasource type, by name.
#[derive(Clone, Debug)]
pub struct Registry {
    types: BTreeMap<String, DatasourceType>,
}

impl Registry {
    /// The embedded registry, with `datasources/*.toml` of `override_dir`
    /// replacing or adding types when given.
    pub fn load(override_dir: Option<&Path>) -> Result<Registry, CatalogError> {
        let mut types = BTreeMap::new();
        for (name, text) in EMBEDDED {
            let file = format!("datasources/{name}.toml");
            types.insert(name.to_string(), DatasourceType::parse(&file, name, text)?);
        }
        if let Some(dir) = override_dir {
            for (stem, file, text) in toml_files(&dir.join("datasources"))? {
                types.insert(stem.clone(), DatasourceType::parse(&file, &stem, &text)?);
            }
        }
        Ok(Registry { types })
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
        std::fs::write(dir.path().join("datasources/bad.toml"), "name = 3").unwrap();
        let err = Registry::load(Some(dir.path())).unwrap_err();
        assert!(err.to_string().contains("bad.toml"), "{err}");
    }
}
