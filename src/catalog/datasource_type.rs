//! One datasource type as `catalogs/datasources/<type>.toml` describes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::CatalogError;

/// A datasource type: its options and its engine mappings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasourceType {
    /// The type, as in `TYPE mysql`.
    pub name: String,
    /// Display name.
    pub title: String,
    /// One sentence on what it is.
    pub description: String,
    /// What family of system it is.
    pub category: Category,
    /// How `TEST DATASOURCE` checks it.
    pub connectivity: Connectivity,
    /// HTTP types: the path of the health or version endpoint.
    #[serde(default)]
    pub health_path: Option<String>,
    /// The option(s) that give the address to test: `["host", "port"]`,
    /// or one URL-like option (`["bootstrap_servers"]`).
    #[serde(default)]
    pub address: Vec<String>,
    /// Every option, in the order they are documented.
    pub options: Vec<OptionSpec>,
    /// The files it can have attached (`FILES (keytab = '/path')`).
    #[serde(default)]
    pub files: Vec<FileSpec>,
    /// How a table of this type is declared in Flink SQL.
    #[serde(default)]
    pub flink_sql: Option<FlinkSqlMapping>,
    /// The Flink CDC pipeline connector, if there is one.
    #[serde(default)]
    pub flink_cdc: Option<FlinkCdcMapping>,
    /// The SeaTunnel plugins, if there are any.
    #[serde(default)]
    pub seatunnel: Option<SeatunnelMapping>,
}

/// Families of systems.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// OLTP databases.
    Database,
    /// Analytical databases.
    Olap,
    /// Kafka, Pulsar.
    MessageQueue,
    /// Elasticsearch.
    Search,
    /// Paimon, Hive.
    Lake,
    /// HDFS, S3.
    Storage,
    /// Gravitino.
    Metadata,
}

/// How a connectivity test talks to the system.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    /// A PostgreSQL login and `SELECT version()`.
    Postgresql,
    /// A MySQL login and `SELECT VERSION()`.
    Mysql,
    /// A Kafka metadata request.
    Kafka,
    /// An HTTP GET of the health or version endpoint.
    Http,
    /// A TCP connect only (reported as such).
    Tcp,
}

/// One option of a type.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    /// The key in `WITH (...)`.
    pub name: String,
    /// What values it takes.
    #[serde(rename = "type")]
    pub value_type: OptionType,
    /// Must be given at CREATE.
    #[serde(default)]
    pub required: bool,
    /// The value when not given.
    #[serde(default)]
    pub default: Option<String>,
    /// Encrypted at rest and shown as `******`.
    #[serde(default)]
    pub secret: bool,
    /// Enum options: the accepted values.
    #[serde(default)]
    pub values: Vec<String>,
    /// Int options: the least value.
    #[serde(default)]
    pub min: Option<i64>,
    /// Int options: the greatest value.
    #[serde(default)]
    pub max: Option<i64>,
    /// Where `DESCRIBE DATASOURCE TYPE` lists it.
    pub group: OptionGroup,
    /// What it is.
    pub description: String,
}

/// A file a datasource of this type can have attached.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// The name in `FILES (...)`.
    pub name: String,
    /// Encrypted at rest (keytabs, private keys).
    #[serde(default)]
    pub secret: bool,
    /// What it is.
    pub description: String,
}

/// The value types of options.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OptionType {
    /// Any text.
    String,
    /// A whole number, within `min`..=`max` when given.
    Int,
    /// `true` or `false`.
    Bool,
    /// A duration such as `'30 s'`.
    Duration,
    /// One of `values`.
    Enum,
    /// Comma-separated values.
    List,
}

/// The groups options are listed in.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OptionGroup {
    /// What a first-time user fills.
    Basic,
    /// Timeouts, batch sizes, retries.
    Timeouts,
    /// For experts.
    Advanced,
}

impl OptionGroup {
    /// The group's name as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionGroup::Basic => "basic",
            OptionGroup::Timeouts => "timeouts",
            OptionGroup::Advanced => "advanced",
        }
    }
}

impl OptionType {
    /// The type's name as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionType::String => "string",
            OptionType::Int => "int",
            OptionType::Bool => "bool",
            OptionType::Duration => "duration",
            OptionType::Enum => "enum",
            OptionType::List => "list",
        }
    }
}

/// Flink SQL table options: `connector` plus templated keys.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkSqlMapping {
    /// The `connector` option.
    pub connector: String,
    /// Key to template (`{option}`, `{database}`, `{table}`).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

/// A Flink CDC pipeline connector.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkCdcMapping {
    /// The `type` of the source: / sink: block.
    #[serde(rename = "type")]
    pub connector_type: String,
    /// Usable as a pipeline source.
    #[serde(default)]
    pub source: bool,
    /// Usable as a pipeline sink.
    #[serde(default)]
    pub sink: bool,
    /// Key to template.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

/// SeaTunnel Connector-V2 plugins.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatunnelMapping {
    /// The source plugin, if any.
    #[serde(default)]
    pub source: Option<String>,
    /// The sink plugin, if any.
    #[serde(default)]
    pub sink: Option<String>,
    /// Key to template.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl DatasourceType {
    /// Parses and checks one file whose stem is `stem`.
    pub(super) fn parse(
        file: &str,
        stem: &str,
        text: &str,
    ) -> Result<DatasourceType, CatalogError> {
        let invalid = |message: String, source| CatalogError::Invalid {
            file: file.to_string(),
            message,
            source,
        };
        let parsed: DatasourceType =
            toml::from_str(text).map_err(|e| invalid(e.to_string(), Some(Box::new(e))))?;
        parsed
            .check(stem)
            .map_err(|message| invalid(message, None))?;
        Ok(parsed)
    }

    /// The option called `name` (case-insensitive).
    pub fn option(&self, name: &str) -> Option<&OptionSpec> {
        self.options
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// The attachable file called `name` (case-insensitive).
    pub fn file(&self, name: &str) -> Option<&FileSpec> {
        self.files
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Whether option `name` is secret for this type.
    pub fn is_secret(&self, name: &str) -> bool {
        self.option(name).is_some_and(|o| o.secret)
    }

    fn check(&self, stem: &str) -> Result<(), String> {
        if self.name != stem {
            return Err(format!("name \"{}\" differs from the file name", self.name));
        }
        let mut seen = std::collections::HashSet::new();
        for option in &self.options {
            if !seen.insert(option.name.to_ascii_lowercase()) {
                return Err(format!("option \"{}\" is listed twice", option.name));
            }
            if option.value_type == OptionType::Enum && option.values.is_empty() {
                return Err(format!("enum option \"{}\" has no values", option.name));
            }
            if let Some(default) = &option.default {
                super::validate::check_value(option, default)
                    .map_err(|e| format!("default of \"{}\": {e}", option.name))?;
            }
        }
        for name in &self.address {
            if self.option(name).is_none() {
                return Err(format!("address names unknown option \"{name}\""));
            }
        }
        let templates = self
            .flink_sql
            .iter()
            .flat_map(|m| m.options.values())
            .chain(self.flink_cdc.iter().flat_map(|m| m.options.values()))
            .chain(self.seatunnel.iter().flat_map(|m| m.options.values()));
        for template in templates {
            for placeholder in placeholders(template) {
                if !matches!(placeholder, "database" | "table")
                    && self.option(placeholder).is_none()
                {
                    return Err(format!(
                        "mapping template \"{template}\" names unknown option \"{placeholder}\""
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The `{name}` placeholders of a mapping template.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}
