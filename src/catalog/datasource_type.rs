//! One datasource type as `catalogs/datasources/<type>.toml` describes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::CatalogError;
use super::file::{FileSpec, check_files};
use super::option::OptionSpec;
use super::validate::{TypedOptions, check_specs};

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
    /// How a datasource of this type becomes a Flink catalog
    /// (`CREATE CATALOG c FROM DATASOURCE d`), if it can.
    #[serde(default)]
    pub flink_catalog: Option<FlinkCatalogMapping>,
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

/// Flink SQL table options: `connector` plus templated keys.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkSqlMapping {
    /// The `connector` option.
    pub connector: String,
    /// Key to template (`{option}`, `{database}`, `{table}`).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// The change-data-capture SQL connector of a database type
    /// (`mysql-cdc`), which a sync in `MODE CDC` reads with.
    #[serde(default)]
    pub cdc_connector: Option<String>,
    /// Its keys, templated as `options` are.
    #[serde(default)]
    pub cdc_options: BTreeMap<String, String>,
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

/// A Flink catalog made from a datasource: its `'type'` and templated
/// options, what the datasource must have for it, and the attached files
/// it would need (which cannot reach Flink).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkCatalogMapping {
    /// The catalog's `'type'` option (`paimon`, `hive`, `jdbc`).
    #[serde(rename = "type")]
    pub catalog_type: String,
    /// Key to template (`{option}` only: a catalog has no table).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Options the datasource must have (set or defaulted) for the
    /// catalog to work: `database` for Flink's JDBC catalog, whose
    /// `default-database` is required.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Attached files the catalog would need: a Flink catalog reads files
    /// only on the Flink side, where scaleph cannot put them, so a
    /// datasource with one of these attached cannot become a catalog.
    #[serde(default)]
    pub files: Vec<String>,
}

impl DatasourceType {
    /// Parses and checks one file whose stem is `stem`.
    pub(super) fn parse(
        file: &str,
        stem: &str,
        text: &str,
    ) -> Result<DatasourceType, CatalogError> {
        super::parse_file(file, text, |parsed: &DatasourceType| parsed.check(stem))
    }

    fn check(&self, stem: &str) -> Result<(), String> {
        if self.name != stem {
            return Err(format!("name \"{}\" differs from the file name", self.name));
        }
        check_specs(&self.options)?;
        check_files(&self.files, &self.options)?;
        for name in &self.address {
            if self.option(name).is_none() {
                return Err(format!("address names unknown option \"{name}\""));
            }
        }
        let templates = self
            .flink_sql
            .iter()
            .flat_map(|m| m.options.values().chain(m.cdc_options.values()))
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
        if let Some(catalog) = &self.flink_catalog {
            self.check_flink_catalog(catalog)?;
        }
        Ok(())
    }

    /// A `[flink_catalog]` block: a type, templates naming only options
    /// (there is no table to sync), `type` not among the templated keys,
    /// required options and files the type has.
    fn check_flink_catalog(&self, catalog: &FlinkCatalogMapping) -> Result<(), String> {
        if catalog.catalog_type.trim().is_empty() {
            return Err("[flink_catalog] has an empty type".into());
        }
        if catalog
            .options
            .keys()
            .any(|k| k.eq_ignore_ascii_case("type"))
        {
            return Err(
                "[flink_catalog] options repeat \"type\"; it is the block's own key".into(),
            );
        }
        for template in catalog.options.values() {
            if let Some(unknown) = placeholders(template).find(|p| self.option(p).is_none()) {
                return Err(format!(
                    "[flink_catalog] template \"{template}\" names unknown option \"{unknown}\""
                ));
            }
        }
        if let Some(unknown) = catalog.requires.iter().find(|r| self.option(r).is_none()) {
            return Err(format!(
                "[flink_catalog] requires unknown option \"{unknown}\""
            ));
        }
        if let Some(unknown) = catalog.files.iter().find(|f| self.file(f).is_none()) {
            return Err(format!("[flink_catalog] names unknown file \"{unknown}\""));
        }
        Ok(())
    }
}

/// `template` with each `{option}` replaced by `value(option)`; `None`
/// when a placeholder has no value or a `{` is never closed (the key is
/// then left out).
pub fn render_template<'a>(
    template: &str,
    value: impl Fn(&str) -> Option<&'a str>,
) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')?;
        out.push_str(&rest[..open]);
        out.push_str(value(&rest[open + 1..open + close])?);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The `{name}` placeholders of a mapping template.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

impl TypedOptions for DatasourceType {
    fn options(&self) -> &[OptionSpec] {
        &self.options
    }

    fn files(&self) -> &[FileSpec] {
        &self.files
    }

    fn owner(&self) -> String {
        format!("datasource type {}", self.name)
    }

    fn missing_owner(&self) -> String {
        format!("{} datasource", self.name)
    }

    fn listing_hint(&self) -> String {
        format!("DESCRIBE DATASOURCE TYPE {} lists its options", self.name)
    }
}
