//! Connectors: which table connectors, formats and catalog types Flink's
//! distribution has built in, which jars provide the others
//! (`catalogs/connectors/*.toml`), and what a script needs that nothing
//! registered provides.
//!
//! A job runs on a cluster whose classpath is Flink's `lib/` plus the jars
//! that travel with the job. A connector the script names but nothing
//! provides fails only when the job starts on the cluster, minutes later
//! and with a `ValidationException` deep in a stack trace; checking the
//! script against what is built in and what is registered turns that into
//! an error before submission that names the missing connector and the
//! `CREATE CONNECTOR` that fixes it.
//!
//! What a jar provides is read from the jar itself where scaleph can read
//! it (its `META-INF/services/org.apache.flink.table.factories.Factory`,
//! the list Flink's `FactoryUtil` loads), and from the registry by the
//! jar's file name otherwise (a remote jar is not downloaded to be
//! registered).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::CatalogError;
use crate::sql::lexer::{TokenKind, tokenize};

/// What a script can need from a connector jar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// A table connector: `'connector' = 'kafka'`.
    Connector,
    /// A format: `'format' = 'avro'`, `'key.format'`, `'value.format'`.
    Format,
    /// A catalog type: `CREATE CATALOG c WITH ('type' = 'paimon')`.
    Catalog,
}

impl Need {
    /// How it is written in a connector's `provides` (`connector:kafka`).
    pub fn name(self) -> &'static str {
        match self {
            Need::Connector => "connector",
            Need::Format => "format",
            Need::Catalog => "catalog",
        }
    }

    /// The need written `name` in `provides`.
    pub fn from_name(name: &str) -> Option<Need> {
        [Need::Connector, Need::Format, Need::Catalog]
            .into_iter()
            .find(|need| need.name() == name)
    }

    /// How it is named in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Need::Connector => "connector",
            Need::Format => "format",
            Need::Catalog => "catalog type",
        }
    }
}

/// What Flink's distribution provides without any extra jar, read off the
/// factories listed in the service files of the jars in `lib/` of Flink
/// 2.3.0 (the same set since 1.17): `flink-table-api-java-uber`
/// (datagen, print, blackhole, the in-memory catalog),
/// `flink-connector-files` (filesystem), `flink-json`, `flink-csv`,
/// `flink-table-runtime` (raw).
pub const BUILT_IN: &[(Need, &str)] = &[
    (Need::Connector, "blackhole"),
    (Need::Connector, "datagen"),
    (Need::Connector, "filesystem"),
    (Need::Connector, "print"),
    (Need::Format, "canal-json"),
    (Need::Format, "csv"),
    (Need::Format, "debezium-json"),
    (Need::Format, "json"),
    (Need::Format, "maxwell-json"),
    (Need::Format, "ogg-json"),
    (Need::Format, "raw"),
    (Need::Catalog, "generic_in_memory"),
];

/// Whether Flink's distribution provides `identifier` as `need`.
pub fn is_built_in(need: Need, identifier: &str) -> bool {
    BUILT_IN
        .iter()
        .any(|(n, id)| *n == need && id.eq_ignore_ascii_case(identifier))
}

/// One file of `catalogs/connectors/`: a connector jar family.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorSpec {
    /// Its name (the file name).
    pub name: String,
    /// Display name.
    pub title: String,
    /// The table connectors it provides (`'connector' = ...`).
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The formats it provides.
    #[serde(default)]
    pub formats: Vec<String>,
    /// The catalog types it provides.
    #[serde(default)]
    pub catalogs: Vec<String>,
    /// Its factory classes, as its service file lists them.
    #[serde(default)]
    pub factories: Vec<String>,
    /// How the file names of its jars start (`flink-sql-connector-kafka`).
    pub jar_prefix: Option<String>,
    /// Its published jars, per Flink minor version.
    #[serde(default)]
    pub jars: Vec<JarSpec>,
}

/// A published jar of a connector.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JarSpec {
    /// The Flink minor versions it is built for (`1.20`).
    pub flink: Vec<String>,
    /// Where it is published.
    pub url: String,
}

impl ConnectorSpec {
    /// What it provides.
    pub fn provides(&self) -> impl Iterator<Item = (Need, &str)> {
        fn of(need: Need, ids: &[String]) -> impl Iterator<Item = (Need, &str)> {
            ids.iter().map(move |id| (need, id.as_str()))
        }
        of(Need::Connector, &self.identifiers)
            .chain(of(Need::Format, &self.formats))
            .chain(of(Need::Catalog, &self.catalogs))
    }

    /// Its jar for Flink `version` (`2.0.1` or `2.0`), if published.
    pub fn jar_for(&self, version: &str) -> Option<&str> {
        let minor: Vec<&str> = version.split('.').take(2).collect();
        let minor = minor.join(".");
        self.jars
            .iter()
            .find(|jar| jar.flink.contains(&minor))
            .map(|jar| jar.url.as_str())
    }
}

/// The embedded `catalogs/connectors/*.toml`, by file name.
const EMBEDDED: &[(&str, &str)] = &[
    ("avro", include_str!("../../catalogs/connectors/avro.toml")),
    (
        "elasticsearch",
        include_str!("../../catalogs/connectors/elasticsearch.toml"),
    ),
    ("jdbc", include_str!("../../catalogs/connectors/jdbc.toml")),
    (
        "kafka",
        include_str!("../../catalogs/connectors/kafka.toml"),
    ),
    (
        "mysql-cdc",
        include_str!("../../catalogs/connectors/mysql-cdc.toml"),
    ),
    (
        "paimon",
        include_str!("../../catalogs/connectors/paimon.toml"),
    ),
    (
        "postgres-cdc",
        include_str!("../../catalogs/connectors/postgres-cdc.toml"),
    ),
];

/// Every known connector jar family, by name.
#[derive(Clone, Debug)]
pub struct ConnectorRegistry {
    specs: BTreeMap<String, ConnectorSpec>,
}

impl ConnectorRegistry {
    /// The embedded registry, with `connectors/*.toml` of `override_dir`
    /// replacing or adding entries when that directory exists.
    pub fn load(override_dir: Option<&Path>) -> Result<ConnectorRegistry, CatalogError> {
        let specs = super::load_kind(EMBEDDED, override_dir, "connectors", parse)?;
        Ok(ConnectorRegistry { specs })
    }

    /// The embedded registry (checked by the tests, so it loads).
    pub fn embedded() -> ConnectorRegistry {
        ConnectorRegistry::load(None).expect("the embedded connector catalogs are valid")
    }

    /// Every entry, by name.
    pub fn specs(&self) -> impl Iterator<Item = &ConnectorSpec> {
        self.specs.values()
    }

    /// The entry that provides `identifier` as `need`.
    pub fn providing(&self, need: Need, identifier: &str) -> Option<&ConnectorSpec> {
        self.specs().find(|spec| {
            spec.provides()
                .any(|(n, id)| n == need && id.eq_ignore_ascii_case(identifier))
        })
    }

    /// What a jar provides, from its factory classes when they are known
    /// (read from the jar) and else from its file name.
    pub fn provided_by(
        &self,
        file_name: &str,
        factories: Option<&[String]>,
    ) -> Vec<(Need, String)> {
        let mut provided = BTreeSet::new();
        for spec in self.specs() {
            let by_factory =
                factories.is_some_and(|f| f.iter().any(|class| spec.factories.contains(class)));
            let by_name = factories.is_none()
                && spec
                    .jar_prefix
                    .as_deref()
                    .is_some_and(|prefix| file_name.starts_with(prefix));
            if by_factory || by_name {
                provided.extend(spec.provides().map(|(n, id)| (n, id.to_string())));
            }
        }
        provided.into_iter().collect()
    }
}

fn parse(file: &str, stem: &str, text: &str) -> Result<ConnectorSpec, CatalogError> {
    let spec: ConnectorSpec = toml::from_str(text).map_err(|e| CatalogError::Invalid {
        file: file.to_string(),
        message: e.message().to_string(),
        source: Some(Box::new(e)),
    })?;
    let invalid = |message: String| CatalogError::Invalid {
        file: file.to_string(),
        message,
        source: None,
    };
    if spec.name != stem {
        return Err(invalid(format!(
            "name '{}' is not the file name",
            spec.name
        )));
    }
    if spec.provides().next().is_none() {
        return Err(invalid(
            "it provides no connector, format or catalog type".into(),
        ));
    }
    Ok(spec)
}

/// A connector, format or catalog type a script names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Requirement {
    /// What kind of thing.
    pub need: Need,
    /// Its identifier, as written (lower-cased).
    pub identifier: String,
}

/// The connectors, formats and catalog types `script` names: the values
/// of `'connector'`, `'format'`, `'key.format'` and `'value.format'` in
/// its WITH clauses, and of `'type'` in its `CREATE CATALOG` statements.
/// A script that does not tokenize needs nothing (it fails elsewhere).
pub fn requirements(script: &str) -> Vec<Requirement> {
    let Ok(tokens) = tokenize(script) else {
        return Vec::new();
    };
    let mut found = BTreeSet::new();
    let mut creates_catalog = false;
    for (i, token) in tokens.iter().enumerate() {
        if token.kind == TokenKind::Punct(';') {
            creates_catalog = false;
            continue;
        }
        if token.is_word(script, "CATALOG")
            && i > 0
            && tokens[..i]
                .iter()
                .rev()
                .take_while(|t| t.kind != TokenKind::Punct(';'))
                .last()
                .is_some_and(|first| first.is_word(script, "CREATE"))
        {
            creates_catalog = true;
        }
        let [key, eq, value] = match tokens.get(i..i + 3) {
            Some([k, e, v]) => [k, e, v],
            _ => continue,
        };
        if !(matches!(key.kind, TokenKind::String | TokenKind::Word)
            && eq.kind == TokenKind::Punct('=')
            && value.kind == TokenKind::String)
        {
            continue;
        }
        let need = match key.value(script).to_ascii_lowercase().as_str() {
            "connector" => Need::Connector,
            "format" | "key.format" | "value.format" => Need::Format,
            "type" if creates_catalog => Need::Catalog,
            _ => continue,
        };
        found.insert(Requirement {
            need,
            identifier: value.value(script).to_ascii_lowercase(),
        });
    }
    found.into_iter().collect()
}

/// A requirement nothing provides, and the registry entry that would.
#[derive(Clone, Debug, PartialEq)]
pub struct Missing {
    /// What is missing.
    pub requirement: Requirement,
    /// The registry entry providing it, and its jar for the Flink version
    /// when one is published.
    pub remedy: Option<(String, Option<String>)>,
}

impl ConnectorRegistry {
    /// What of `needs` is neither built into Flink nor in `provided`
    /// (what the registered connectors and jars provide), with the remedy
    /// for a cluster of Flink `version` when known.
    pub fn missing(
        &self,
        needs: &[Requirement],
        provided: &[(Need, String)],
        version: Option<&str>,
    ) -> Vec<Missing> {
        needs
            .iter()
            .filter(|r| !is_built_in(r.need, &r.identifier))
            .filter(|r| {
                !provided
                    .iter()
                    .any(|(n, id)| *n == r.need && id.eq_ignore_ascii_case(&r.identifier))
            })
            .map(|r| Missing {
                requirement: r.clone(),
                remedy: self.providing(r.need, &r.identifier).map(|spec| {
                    (
                        spec.name.clone(),
                        version.and_then(|v| spec.jar_for(v)).map(str::to_string),
                    )
                }),
            })
            .collect()
    }
}

impl Missing {
    /// The error a job gets before submission.
    pub fn error(&self) -> crate::error::Error {
        use crate::error::{Error, SqlState};
        let r = &self.requirement;
        let mut err = Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!(
                "{} '{}' is not built into Flink and no registered connector provides it",
                r.need.noun(),
                r.identifier
            ),
        );
        err = match &self.remedy {
            Some((name, Some(url))) => err.with_hint(format!("CREATE CONNECTOR {name} FROM '{url}'")),
            Some((name, None)) => err.with_hint(format!(
                "CREATE CONNECTOR {name} FROM '<the {name} jar built for the cluster's Flink version>'"
            )),
            None => err.with_hint(format!(
                "CREATE CONNECTOR <name> FROM '<the jar providing {} {}>'",
                r.need.noun(),
                r.identifier
            )),
        };
        err
    }
}

/// The path of the service file listing a jar's table factories.
const FACTORY_SERVICES: &str = "META-INF/services/org.apache.flink.table.factories.Factory";

/// The largest service file read (a real one is a few hundred bytes).
const MAX_SERVICE_FILE: u64 = 1 << 20;

/// The factory classes a jar lists in its service file (none when it has
/// no such file). Reads the zip's central directory; never panics on a
/// file that is not a jar, and never inflates more than
/// [`MAX_SERVICE_FILE`] bytes.
pub fn jar_factories(jar: &[u8]) -> Result<Vec<String>, String> {
    let u16_at = |at: usize| -> Result<usize, String> {
        jar.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| "truncated".to_string())
    };
    let u32_at = |at: usize| -> Result<usize, String> {
        jar.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| "truncated".to_string())
    };
    // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
    let from = jar.len().saturating_sub(0xFFFF + 22);
    let eocd = (from..jar.len().saturating_sub(21))
        .rev()
        .find(|&at| jar[at..at + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or("not a jar (no zip directory)")?;
    let entries = u16_at(eocd + 10)?;
    let mut at = u32_at(eocd + 16)?;
    for _ in 0..entries {
        if jar.get(at..at + 4) != Some(&[0x50, 0x4b, 0x01, 0x02][..]) {
            return Err("corrupt zip directory".into());
        }
        let method = u16_at(at + 10)?;
        let compressed = u32_at(at + 20)?;
        let name_len = u16_at(at + 28)?;
        let skip = name_len + u16_at(at + 30)? + u16_at(at + 32)?;
        let local = u32_at(at + 42)?;
        let name = jar.get(at + 46..at + 46 + name_len).ok_or("truncated")?;
        at += 46 + skip;
        if name != FACTORY_SERVICES.as_bytes() {
            continue;
        }
        if jar.get(local..local + 4) != Some(&[0x50, 0x4b, 0x03, 0x04][..]) {
            return Err("corrupt zip entry".into());
        }
        let data = local + 30 + u16_at(local + 26)? + u16_at(local + 28)?;
        let bytes = jar.get(data..data + compressed).ok_or("truncated")?;
        let mut text = String::new();
        match method {
            0 => bytes.take(MAX_SERVICE_FILE).read_to_string(&mut text),
            8 => flate2::read::DeflateDecoder::new(bytes)
                .take(MAX_SERVICE_FILE)
                .read_to_string(&mut text),
            other => return Err(format!("unsupported zip compression method {other}")),
        }
        .map_err(|e| format!("unreadable service file: {e}"))?;
        return Ok(text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect());
    }
    Ok(Vec::new())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A jar holding one service file, stored or deflated.
    pub(crate) fn jar_with(services: &str, deflate: bool) -> Vec<u8> {
        use std::io::Write;
        let name = FACTORY_SERVICES.as_bytes();
        let data = if deflate {
            let mut e =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(services.as_bytes()).unwrap();
            e.finish().unwrap()
        } else {
            services.as_bytes().to_vec()
        };
        let method: u16 = if deflate { 8 } else { 0 };
        let mut jar = Vec::new();
        // local header
        jar.extend([0x50, 0x4b, 0x03, 0x04]);
        jar.extend([20, 0, 0, 0]);
        jar.extend(method.to_le_bytes());
        jar.extend([0; 8]); // time, date, crc
        jar.extend((data.len() as u32).to_le_bytes());
        jar.extend((services.len() as u32).to_le_bytes());
        jar.extend((name.len() as u16).to_le_bytes());
        jar.extend([0, 0]);
        jar.extend(name);
        jar.extend(&data);
        let directory = jar.len();
        jar.extend([0x50, 0x4b, 0x01, 0x02]);
        jar.extend([20, 0, 20, 0, 0, 0]);
        jar.extend(method.to_le_bytes());
        jar.extend([0; 8]);
        jar.extend((data.len() as u32).to_le_bytes());
        jar.extend((services.len() as u32).to_le_bytes());
        jar.extend((name.len() as u16).to_le_bytes());
        jar.extend([0; 12]); // extra, comment, disk, attributes
        jar.extend(0u32.to_le_bytes()); // local header offset
        jar.extend(name);
        let size = jar.len() - directory;
        jar.extend([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]);
        jar.extend((size as u32).to_le_bytes());
        jar.extend((directory as u32).to_le_bytes());
        jar.extend([0, 0]);
        jar
    }

    #[test]
    fn the_embedded_registry_loads_and_names_kafka() {
        let registry = ConnectorRegistry::embedded();
        let kafka = registry.providing(Need::Connector, "upsert-kafka").unwrap();
        assert_eq!(kafka.name, "kafka");
        assert!(kafka.jar_for("1.20.1").unwrap().ends_with("3.3.0-1.20.jar"));
        assert_eq!(kafka.jar_for("1.16"), None);
        assert_eq!(
            registry.providing(Need::Catalog, "paimon").unwrap().name,
            "paimon"
        );
        assert!(is_built_in(Need::Connector, "DataGen"));
        assert!(!is_built_in(Need::Connector, "kafka"));
    }

    #[test]
    fn requirements_are_connectors_formats_and_catalog_types() {
        let script = "CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = '/w');\n\
            CREATE TABLE k (a INT) WITH ('connector' = 'Kafka', 'key.format' = 'avro', value.format = 'json', 'type' = 'x');\n\
            CREATE TABLE s (a INT) WITH ('connector' = 'datagen');\n\
            INSERT INTO k SELECT * FROM s";
        let needs = requirements(script);
        let named: Vec<(Need, &str)> = needs
            .iter()
            .map(|r| (r.need, r.identifier.as_str()))
            .collect();
        assert_eq!(
            named,
            vec![
                (Need::Connector, "datagen"),
                (Need::Connector, "kafka"),
                (Need::Format, "avro"),
                (Need::Format, "json"),
                (Need::Catalog, "paimon"),
            ]
        );
        let registry = ConnectorRegistry::embedded();
        let missing = registry.missing(&needs, &[(Need::Format, "avro".into())], Some("1.20.0"));
        assert_eq!(missing.len(), 2, "{missing:?}");
        let err = missing[0].error();
        assert_eq!(err.sqlstate.code(), "42704");
        assert!(err.message.contains("connector 'kafka'"), "{}", err.message);
        assert!(
            err.hint
                .as_deref()
                .unwrap()
                .starts_with("CREATE CONNECTOR kafka FROM 'https://repo1.maven.org/"),
            "{:?}",
            err.hint
        );
        assert!(missing[1].error().message.contains("catalog type 'paimon'"));
        let unknown = registry.missing(
            &requirements("CREATE TABLE t WITH ('connector' = 'odd')"),
            &[],
            None,
        );
        assert!(unknown[0].error().hint.unwrap().contains("connector odd"));
    }

    #[test]
    fn jar_factories_reads_the_service_file_stored_or_deflated() {
        let services = "# comment\norg.example.AFactory\n\norg.example.BFactory # trailing\n";
        for deflate in [false, true] {
            assert_eq!(
                jar_factories(&jar_with(services, deflate)).unwrap(),
                vec!["org.example.AFactory", "org.example.BFactory"]
            );
        }
        let registry = ConnectorRegistry::embedded();
        let kafka = jar_with(
            "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory\n",
            true,
        );
        let factories = jar_factories(&kafka).unwrap();
        assert!(
            registry
                .provided_by("anything.jar", Some(&factories))
                .contains(&(Need::Connector, "upsert-kafka".to_string()))
        );
        assert!(
            registry
                .provided_by("flink-sql-connector-kafka-3.3.0-1.20.jar", None)
                .contains(&(Need::Connector, "kafka".to_string()))
        );
        assert!(registry.provided_by("udf.jar", None).is_empty());
    }

    #[test]
    fn jar_factories_refuses_what_is_not_a_jar_without_panicking() {
        assert!(jar_factories(b"").is_err());
        assert!(jar_factories(b"not a zip at all").is_err());
        let jar = jar_with("org.example.A\n", true);
        for cut in [jar.len() - 1, jar.len() - 30, 40, 10] {
            let _ = jar_factories(&jar[..cut]);
        }
        let mut corrupt = jar.clone();
        let n = corrupt.len();
        corrupt[n - 6] = 0xff; // directory offset far away
        assert!(jar_factories(&corrupt).is_err());
    }

    proptest::proptest! {
        #[test]
        fn jar_factories_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), flips in proptest::collection::vec((0usize..400, proptest::prelude::any::<u8>()), 0..8)) {
            let _ = jar_factories(&bytes);
            let mut jar = jar_with("org.example.A\n", true);
            for (at, byte) in flips {
                let n = jar.len();
                jar[at % n] = byte;
            }
            let _ = jar_factories(&jar);
        }
    }
}
