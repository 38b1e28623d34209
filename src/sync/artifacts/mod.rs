//! What each engine takes to run a sync, generated from its plan: Flink
//! CDC pipeline YAML (one per sink), one SeaTunnel job (JSON, the Zeta REST
//! body), or one Flink SQL script (a statement set).
//!
//! **One generator, two uses.** [`generate`] with [`Secrets::Revealed`]
//! renders what is submitted; with [`Secrets::Masked`] every value of an
//! option the datasource type marks secret (or that is sealed at rest) is
//! [`MASK`] — also inside a URL a template builds from it — which is what
//! EXPLAIN and logs show. [`check`] is the masked generation with its
//! result discarded: `CREATE SYNC` runs it before storing, so a sync that
//! is stored can be generated.
//!
//! **Where the keys come from.** Each datasource type maps its options to
//! each engine's keys as templates (`catalogs/datasources/*.toml`,
//! `{option}`, `{database}`, `{table}`; an option renders as set, else as
//! its default, else the key is left out). Every key a generator writes
//! into a connector block must be in that connector's list in
//! `docs/sync-engines.md` ([`keys`]): a SeaTunnel template may mix a
//! database type's source and sink keys, and the list picks the plugin's;
//! a template key the list lacks is a catalog bug (XX000), never a key
//! the engine would refuse at run time. Pass-through options
//! (`'flink_cdc.sink.<key>'`, ...) are checked against the same lists.
//!
//! **What each engine supports** (connectors; [`default_engine`] tries
//! them in this order — Flink CDC and Flink SQL run on the Flink clusters
//! scaleph manages, SeaTunnel needs its own engine):
//!
//! | engine | sources | sinks | modes |
//! |---|---|---|---|
//! | Flink CDC | MySQL, PostgreSQL | Doris, StarRocks, Paimon, Kafka, Elasticsearch | CDC; SNAPSHOT as `scan.startup.mode: snapshot` (the job finishes after the snapshot) |
//! | SeaTunnel | MySQL, PostgreSQL (MySQL-CDC / Postgres-CDC; Jdbc for SNAPSHOT) | Jdbc (MySQL, PostgreSQL, Oracle, SQL Server), Doris, Kafka, Paimon | CDC (STREAMING), SNAPSHOT (BATCH) |
//! | Flink SQL | MySQL, PostgreSQL (mysql-cdc / postgres-cdc; jdbc for SNAPSHOT) | every type with a `[flink_sql]` mapping | CDC (streaming), SNAPSHOT (batch) |
//!
//! A pair an engine cannot do is 0A000 naming the engines that can.
//! SeaTunnel sinks are limited to the plugins whose keys
//! `docs/sync-engines.md` lists (its other plugins' keys are not in the
//! reference notes). Flink SQL writes tables that exist (the JDBC, Doris
//! and StarRocks connectors create none; Paimon and Kafka do); Flink CDC
//! and SeaTunnel create missing target tables.
//!
//! **Tables without a primary key.** Each engine needs a key for some
//! things, and a sync that needs one for a keyless table is refused (55000
//! naming the tables) rather than degraded silently:
//!
//! | engine | needs a key for |
//! |---|---|
//! | Flink CDC | the source's incremental snapshot (MySQL: unless `'flink_cdc.source.scan.incremental.snapshot.chunk.key-column'` names one; PostgreSQL: always); Paimon and StarRocks sinks (primary-key tables only); Doris in MODE CDC (a Duplicate-key table cannot apply updates and deletes) |
//! | SeaTunnel | MODE CDC: the source (unless `'seatunnel.source.table-names-config'` gives keys) and Jdbc, Doris and Paimon sinks (updates and deletes); MODE SNAPSHOT: nothing — a keyless table is read by one reader (degraded, as the Jdbc source documents) |
//! | Flink SQL | MODE CDC: the source (the CDC SQL connectors' incremental snapshot); any mode: an `upsert-json` (upsert-kafka) sink |
//!
//! **Changes into message queues.** MODE CDC into Kafka needs a format
//! that carries the operation (`debezium-json`, `canal-json`,
//! `maxwell-json`; Flink SQL also `upsert-json`, its upsert-kafka): the
//! sync's `format`, else the sink datasource's `format` when it sets one,
//! else `debezium-json` (Flink CDC's default). A plain format chosen for
//! CDC is refused (22023), naming where it came from.
//!
//! Each engine's module doc says how the artifact is laid out and why.

pub mod keys;

mod flink_cdc;
mod flink_sql;
mod seatunnel;

use std::collections::BTreeMap;

use secrecy::ExposeSecret;

use crate::catalog::{Category, DatasourceType, OptionType, TypedOptions};
use crate::datasource::flink_types::SourceDialect;
use crate::error::{Error, Result, SqlState};
use crate::sql::mask::is_secret_key;
use crate::store::{Datasource, MASK, OptionEntry};

use super::options::{ServerIds, SyncOptions, fill_pattern, flink_duration};
use super::plan::{Engine, Mode, PlannedTable, PlannedTarget, SyncPlan};
use super::types::{engine_name, unsupported};

/// Whether secret values are rendered or masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    /// Every secret option value is [`MASK`] (EXPLAIN, logs, CREATE's check).
    Masked,
    /// The real values (what is submitted).
    Revealed,
}

/// A datasource of a sync with its type.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint<'a> {
    /// The datasource, options decrypted.
    pub datasource: &'a Datasource,
    /// Its type.
    pub kind: &'a DatasourceType,
}

/// Everything a generator reads.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    /// The sync's name.
    pub name: &'a str,
    /// Its plan.
    pub plan: &'a SyncPlan,
    /// Its options.
    pub options: &'a SyncOptions,
    /// The source.
    pub source: Endpoint<'a>,
    /// The sinks, in `plan.sinks` order.
    pub sinks: Vec<Endpoint<'a>>,
    /// Masked or real secrets.
    pub secrets: Secrets,
}

/// One Flink CDC pipeline: one sink.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// The sink datasource it writes.
    pub sink: String,
    /// The pipeline definition (`flink-cdc.sh <file>`).
    pub yaml: String,
    /// Flink configuration the job needs, which a pipeline file cannot
    /// carry (checkpointing, `'flink.<key>'` options): `-D key=value` or
    /// the cluster's configuration.
    pub flink_config: Vec<(String, String)>,
}

/// What an engine runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Artifacts {
    /// One pipeline per sink, in `plan.sinks` order.
    FlinkCdc(Vec<Pipeline>),
    /// One SeaTunnel job: the `POST /submit-job` body.
    Seatunnel(serde_json::Value),
    /// One Flink SQL script for scaleph's SQL runner.
    FlinkSql(String),
}

impl Artifacts {
    /// Each artifact with a name and its text, as EXPLAIN SYNC shows them:
    /// `pipeline <sink>.yaml` (with the Flink configuration it needs as
    /// leading comments), `seatunnel job.json`, `flink sql script.sql`.
    pub fn explain(&self) -> Vec<(String, String)> {
        match self {
            Artifacts::FlinkCdc(pipelines) => pipelines
                .iter()
                .map(|p| {
                    let mut text = String::new();
                    for (key, value) in &p.flink_config {
                        text.push_str(&format!("# Flink configuration: {key}={value}\n"));
                    }
                    text.push_str(&p.yaml);
                    (format!("pipeline {}.yaml", p.sink), text)
                })
                .collect(),
            Artifacts::Seatunnel(job) => vec![(
                "seatunnel job.json".into(),
                serde_json::to_string_pretty(job).unwrap_or_default(),
            )],
            Artifacts::FlinkSql(script) => vec![("flink sql script.sql".into(), script.clone())],
        }
    }
}

/// Generates the artifacts of `input.plan.engine`.
pub fn generate(input: &Input) -> Result<Artifacts> {
    let dialect = validate(input)?;
    let engine = input.plan.engine;
    if let Err(reason) = connectors(
        engine,
        input.plan.mode,
        input.source.kind,
        &sink_kinds(input),
    ) {
        return Err(not_possible(input, engine, reason));
    }
    check_types(input, engine, dialect)?;
    match engine {
        Engine::FlinkCdc => flink_cdc::generate(input, dialect).map(Artifacts::FlinkCdc),
        Engine::Seatunnel => seatunnel::generate(input, dialect).map(Artifacts::Seatunnel),
        Engine::FlinkSql => flink_sql::generate(input, dialect).map(Artifacts::FlinkSql),
    }
}

/// Generates with secrets masked and discards the result: what `CREATE
/// SYNC` (and ALTER) run before storing.
pub fn check(input: &Input) -> Result<()> {
    let masked = Input {
        secrets: Secrets::Masked,
        ..input.clone()
    };
    generate(&masked).map(|_| ())
}

/// The engine a sync without `ENGINE` gets: the first of Flink CDC, Flink
/// SQL, SeaTunnel whose connectors take the source and every sink in the
/// plan's mode (Flink SQL when none does; generation then names why).
pub fn default_engine(
    plan: &SyncPlan,
    source: &DatasourceType,
    sinks: &[&DatasourceType],
) -> Engine {
    [Engine::FlinkCdc, Engine::FlinkSql, Engine::Seatunnel]
        .into_iter()
        .find(|engine| connectors(*engine, plan.mode, source, sinks).is_ok())
        .unwrap_or(Engine::FlinkSql)
}

fn sink_kinds<'a>(input: &Input<'a>) -> Vec<&'a DatasourceType> {
    input.sinks.iter().map(|s| s.kind).collect()
}

/// The plan and the endpoints agree; the source's dialect.
fn validate(input: &Input) -> Result<SourceDialect> {
    let plan = input.plan;
    let mismatch = |what: String| Error::internal(format!("sync {}: {what}", input.name));
    if input.source.datasource.name != plan.source.datasource
        || input.source.kind.name != plan.source.datasource_type
    {
        return Err(mismatch("the source is not the plan's".into()));
    }
    if input.sinks.len() != plan.sinks.len() {
        return Err(mismatch("the sinks are not the plan's".into()));
    }
    for (endpoint, planned) in input.sinks.iter().zip(&plan.sinks) {
        if endpoint.datasource.name != planned.datasource
            || endpoint.kind.name != planned.datasource_type
        {
            return Err(mismatch(format!(
                "sink {} is not the plan's",
                planned.datasource
            )));
        }
        if planned.names.len() != plan.tables.len() {
            return Err(mismatch(format!(
                "sink {} names no target for some tables",
                planned.datasource
            )));
        }
    }
    if plan.tables.is_empty() {
        return Err(Error::new(
            SqlState::UNDEFINED_TABLE,
            format!("sync {} selects no table", input.name),
        ));
    }
    plan.dialect().ok_or_else(|| {
        Error::not_supported(format!(
            "a sync from a {} datasource (syncs read MySQL and PostgreSQL)",
            plan.source.datasource_type
        ))
    })
}

/// Whether `engine`'s connectors take `source` and every sink in `mode`;
/// the reason when not.
fn connectors(
    engine: Engine,
    mode: Mode,
    source: &DatasourceType,
    sinks: &[&DatasourceType],
) -> std::result::Result<(), String> {
    if !matches!(source.name.as_str(), "mysql" | "postgresql") {
        return Err(format!(
            "syncs read MySQL and PostgreSQL, not {}",
            source.name
        ));
    }
    let listed = |kind: &str, name: &str| matches!(keys::connector(kind, name), Ok(Some(_)));
    match engine {
        Engine::FlinkCdc => {
            let cdc = source.flink_cdc.as_ref().filter(|m| m.source);
            match cdc {
                Some(m) if listed("flink_cdc.source", &m.connector_type) => {}
                _ => return Err(format!("Flink CDC has no {} pipeline source", source.name)),
            }
            for sink in sinks {
                match sink.flink_cdc.as_ref().filter(|m| m.sink) {
                    Some(m) if listed("flink_cdc.sink", &m.connector_type) => {}
                    _ => return Err(format!("Flink CDC has no {} pipeline sink", sink.name)),
                }
            }
        }
        Engine::Seatunnel => {
            let plugin = match mode {
                Mode::Cdc => source.seatunnel.as_ref().and_then(|m| m.source.clone()),
                Mode::Snapshot => Some("Jdbc".to_string()),
            };
            match plugin {
                Some(p) if listed("seatunnel.source", &p) => {}
                _ => {
                    return Err(format!(
                        "SeaTunnel has no {} source for MODE {}",
                        source.name,
                        mode.keyword()
                    ));
                }
            }
            for sink in sinks {
                match sink.seatunnel.as_ref().and_then(|m| m.sink.as_ref()) {
                    Some(p) if listed("seatunnel.sink", p) => {}
                    Some(p) => {
                        return Err(format!(
                            "SeaTunnel's {p} sink ({}) is not one scaleph generates: its keys are not in docs/sync-engines.md",
                            sink.name
                        ));
                    }
                    None => return Err(format!("SeaTunnel has no {} sink", sink.name)),
                }
            }
        }
        Engine::FlinkSql => {
            let mapping = source.flink_sql.as_ref();
            let ok = match mode {
                Mode::Cdc => mapping.is_some_and(|m| m.cdc_connector.is_some()),
                Mode::Snapshot => mapping.is_some(),
            };
            if !ok {
                return Err(format!(
                    "Flink SQL has no {} source for MODE {}",
                    source.name,
                    mode.keyword()
                ));
            }
            for sink in sinks {
                if sink.flink_sql.is_none() {
                    return Err(format!("Flink SQL has no {} table connector", sink.name));
                }
            }
        }
    }
    Ok(())
}

/// 0A000: `engine` cannot do the sync; the engines that can.
fn not_possible(input: &Input, engine: Engine, reason: String) -> Error {
    let others: Vec<&str> = [Engine::FlinkCdc, Engine::Seatunnel, Engine::FlinkSql]
        .into_iter()
        .filter(|e| *e != engine)
        .filter(|e| connectors(*e, input.plan.mode, input.source.kind, &sink_kinds(input)).is_ok())
        .map(Engine::keyword)
        .collect();
    let advice = match others.as_slice() {
        [] => "no engine can run this sync".to_string(),
        engines => format!("use ENGINE {}", engines.join(" or ")),
    };
    Error::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{reason}; {advice}"),
    )
}

/// Every column's type is one the engine reads.
fn check_types(input: &Input, engine: Engine, dialect: SourceDialect) -> Result<()> {
    for table in &input.plan.tables {
        for column in &table.columns {
            if let Some(reason) = unsupported(engine, dialect, column) {
                let others: Vec<&str> = [Engine::FlinkCdc, Engine::Seatunnel, Engine::FlinkSql]
                    .into_iter()
                    .filter(|e| {
                        *e != engine
                            && input
                                .plan
                                .tables
                                .iter()
                                .flat_map(|t| &t.columns)
                                .all(|c| unsupported(*e, dialect, c).is_none())
                    })
                    .map(Engine::keyword)
                    .collect();
                let mut message = format!(
                    "{reason} (column {}.{}.{})",
                    table.schema, table.name, column.name
                );
                if !others.is_empty() {
                    message.push_str(&format!("; use ENGINE {}", others.join(" or ")));
                }
                return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, message));
            }
        }
    }
    Ok(())
}

/// 55000 naming the keyless `tables` when there are any: `why` they need
/// a key, `hint` what to do.
fn require_keys<'t>(
    tables: impl IntoIterator<Item = &'t PlannedTable>,
    why: &str,
    hint: &str,
) -> Result<()> {
    let keyless: Vec<String> = tables
        .into_iter()
        .filter(|t| t.primary_key.is_empty())
        .map(|t| format!("{}.{}", t.schema, t.name))
        .collect();
    if keyless.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
        format!(
            "{why}, and {} no primary key: {}",
            if keyless.len() == 1 {
                "this table has"
            } else {
                "these tables have"
            },
            keyless.join(", ")
        ),
    )
    .with_hint(hint.to_string()))
}

/// An endpoint's option values as templates see them: set, else the
/// type's default; durations in Flink's form; secrets masked or real;
/// the sync's timeouts over the datasource's options of the same meaning.
#[derive(Clone, Debug)]
struct Values(BTreeMap<String, String>);

/// The sync options that override datasource options, and the datasource
/// options (by type) each overrides.
const OVERRIDES: &[(&str, &[&str])] = &[
    (
        "batch.size",
        &[
            "batch_size",
            "buffer_flush_max_rows",
            "batch_max_rows",
            "bulk_flush_max_actions",
        ],
    ),
    (
        "flush.interval",
        &[
            "flush_interval",
            "buffer_flush_interval",
            "bulk_flush_interval",
        ],
    ),
    ("max.retries", &["max_retries"]),
    ("connect.timeout", &["connect_timeout"]),
    ("socket.timeout", &["socket_timeout"]),
];

impl Values {
    fn of(endpoint: &Endpoint, secrets: Secrets, options: &SyncOptions) -> Values {
        let mut values = BTreeMap::new();
        for spec in endpoint.kind.options.iter().filter(|s| !s.prefix) {
            let entry = endpoint.datasource.options.get(&spec.name);
            let secret = spec.secret || matches!(entry, Some(OptionEntry::Secret(_)));
            let value = match entry {
                Some(OptionEntry::Plain(v)) => Some(v.clone()),
                Some(OptionEntry::Secret(s)) => Some(s.expose_secret().to_string()),
                None => spec.default.clone(),
            };
            let Some(mut value) = value else { continue };
            if spec.value_type == OptionType::Duration
                && let Ok(d) = crate::duration::parse_duration(&value)
            {
                value = flink_duration(d);
            }
            if secret && secrets == Secrets::Masked {
                value = MASK.to_string();
            }
            values.insert(spec.name.clone(), value);
        }
        let mut values = Values(values);
        for (sync_key, names) in OVERRIDES {
            let value = match *sync_key {
                "batch.size" => options.batch_size().map(str::to_string),
                "max.retries" => options.max_retries().map(str::to_string),
                "flush.interval" => options.flush_interval().map(flink_duration),
                "connect.timeout" => options.connect_timeout().map(flink_duration),
                _ => options.socket_timeout().map(flink_duration),
            };
            let Some(value) = value else { continue };
            for name in *names {
                if endpoint.kind.option(name).is_some() {
                    values.0.insert(name.to_string(), value.clone());
                }
            }
        }
        values
    }

    fn set(&mut self, key: &str, value: impl Into<String>) {
        self.0.insert(key.to_string(), value.into());
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every key of `mapping` whose template renders, in key order.
    fn render_all(&self, mapping: &BTreeMap<String, String>) -> Vec<(String, String)> {
        mapping
            .iter()
            .filter_map(|(key, template)| {
                crate::catalog::render_template(template, |k| self.get(k)).map(|v| (key.clone(), v))
            })
            .collect()
    }
}

/// Where a table goes in a sink: the database (or schema) and the name
/// (a table, an index, a topic).
#[derive(Clone, Debug, PartialEq)]
struct Target {
    database: String,
    name: String,
}

/// The database a table's target lives in: `DATABASE d`, else the source
/// table's own schema (MySQL: its database).
fn target_database(target: &PlannedTarget, table: &PlannedTable) -> String {
    match target {
        PlannedTarget::Database(d) => d.clone(),
        _ => table.schema.clone(),
    }
}

/// Every table's target in sink `index`.
fn targets(input: &Input, index: usize) -> Vec<Target> {
    let sink = &input.plan.sinks[index];
    input
        .plan
        .tables
        .iter()
        .zip(&sink.names)
        .map(|(table, name)| Target {
            database: target_database(&sink.target, table),
            name: name.clone(),
        })
        .collect()
}

/// The pattern the target names of sink `index` follow: `TOPIC 'x'` is
/// literal, `TOPIC PATTERN 'p'` is `p`, else `table.name.pattern`.
fn name_pattern(input: &Input, index: usize) -> String {
    match &input.plan.sinks[index].target {
        PlannedTarget::Topic(topic) => topic.clone(),
        PlannedTarget::TopicPattern(pattern) => pattern.clone(),
        PlannedTarget::Database(_) | PlannedTarget::Default => {
            input.options.table_name_pattern().to_string()
        }
    }
}

/// Whether every target name of sink `index` is its pattern filled for
/// its table (generators that name tables by pattern rely on it).
fn names_follow_pattern(input: &Input, index: usize, pattern: &str) -> bool {
    let sink = &input.plan.sinks[index];
    input.plan.tables.iter().zip(&sink.names).all(|(t, name)| {
        let expected = match &sink.target {
            PlannedTarget::Topic(topic) => topic.clone(),
            _ => fill_pattern(pattern, &t.schema, source_database(input, t), &t.name),
        };
        &expected == name
    })
}

/// A source table's database: PostgreSQL the database connected to, MySQL
/// the table's schema (its database).
fn source_database<'a>(input: &'a Input, table: &'a PlannedTable) -> &'a str {
    match input.plan.dialect() {
        Some(SourceDialect::Postgresql) => input
            .plan
            .source
            .database
            .as_deref()
            .unwrap_or(table.schema.as_str()),
        _ => table.schema.as_str(),
    }
}

/// The sink's format, when it is a message queue: the effective format
/// and whether it carries the operation (see the module doc).
struct QueueFormat {
    name: String,
    upsert: bool,
}

fn queue_format(input: &Input, index: usize, engine: Engine) -> Result<Option<QueueFormat>> {
    let sink = &input.sinks[index];
    if sink.kind.category != Category::MessageQueue {
        return Ok(None);
    }
    let (name, from) = match (
        input.options.format(),
        sink.datasource.options.get("format"),
    ) {
        (Some(f), _) => (f.to_string(), "the sync's format"),
        (None, Some(entry)) => (entry.masked().to_string(), "the datasource's format"),
        (None, None) if input.plan.mode == Mode::Cdc => ("debezium-json".into(), ""),
        (None, None) => ("json".into(), ""),
    };
    let changelog = matches!(
        name.as_str(),
        "debezium-json" | "canal-json" | "maxwell-json"
    );
    let upsert = name == "upsert-json";
    if upsert && engine != Engine::FlinkSql {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "format upsert-json is Flink SQL's upsert-kafka; {} writes debezium-json or canal-json",
                engine_name(engine)
            ),
        )
        .with_subject("format"));
    }
    if input.plan.mode == Mode::Cdc && !changelog && !(upsert && engine == Engine::FlinkSql) {
        let sink_name = &sink.datasource.name;
        let mut err = Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "sink {sink_name} gets changes (MODE CDC) but its format {name} ({from}) cannot carry updates and deletes"
            ),
        )
        .with_subject("format");
        err = err.with_hint(match engine {
            Engine::FlinkSql => "set WITH (format = 'debezium-json') (or 'canal-json', 'maxwell-json'), or format = 'upsert-json' to write upsert-kafka (latest value per key)".to_string(),
            _ => "set WITH (format = 'debezium-json') (or 'canal-json')".to_string(),
        });
        return Err(err);
    }
    Ok(Some(QueueFormat { name, upsert }))
}

/// The pass-through keys under `prefix` that `list` takes, masked when
/// their names say they are secret and secrets are masked; the keys it
/// does not take are returned apart.
fn pass_through<'o>(
    input: &'o Input,
    prefix: &str,
    list: &keys::KeyList,
) -> (Vec<(String, String)>, Vec<&'o str>) {
    let mut taken = Vec::new();
    let mut left = Vec::new();
    for (key, value) in input.options.pass_through(prefix) {
        if list.allows(key) {
            let value = if input.secrets == Secrets::Masked && is_secret_key(key) {
                MASK.to_string()
            } else {
                value.to_string()
            };
            taken.push((key.to_string(), value));
        } else {
            left.push(key);
        }
    }
    (taken, left)
}

/// 22023 for a pass-through key no block of the sync takes.
fn unknown_pass_through(prefix: &str, key: &str, lists: &[(String, &keys::KeyList)]) -> Error {
    let names: Vec<&str> = lists.iter().flat_map(|(_, l)| l.names()).collect();
    let blocks: Vec<&str> = lists.iter().map(|(n, _)| n.as_str()).collect();
    let mut message = format!(
        "\"{prefix}{key}\" is not an option: \"{key}\" is not a key of {} (docs/sync-engines.md)",
        blocks.join(", ")
    );
    if let Some(close) = crate::sql::parser::suggest::closest(key, &names) {
        message.push_str(&format!(": did you mean {prefix}{close}?"));
    }
    Error::new(SqlState::INVALID_PARAMETER_VALUE, message).with_subject(format!("{prefix}{key}"))
}

/// The generated keys of a connector block that `list` does not take: a
/// catalog template (or a generator) writes a key the reference lacks.
fn unlisted(
    block: &str,
    keys: impl IntoIterator<Item = String>,
    list: &keys::KeyList,
) -> Result<()> {
    let bad: Vec<String> = keys.into_iter().filter(|k| !list.allows(k)).collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Error::internal(format!(
        "{block}: generated keys not in docs/sync-engines.md: {}",
        bad.join(", ")
    )))
}

/// The Stream Load label prefix of sink `index`: the datasource's
/// `label_prefix` (when set) and the sync's name, and the sink's position
/// when the sync writes the same datasource twice (labels must not clash
/// between jobs, nor between sinks of one job).
fn label_prefix(input: &Input, index: usize) -> String {
    let sink = &input.sinks[index];
    let mut parts = Vec::new();
    if let Some(OptionEntry::Plain(prefix)) = sink.datasource.options.get("label_prefix") {
        parts.push(prefix.clone());
    }
    parts.push(input.name.to_string());
    let repeated = input
        .sinks
        .iter()
        .filter(|s| s.datasource.name == sink.datasource.name)
        .count()
        > 1;
    if repeated {
        parts.push(index.to_string());
    }
    sanitize(&parts.join("_"))
}

/// `text` with every character but ASCII letters, digits and `_` as `_`.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The replication slot base of a PostgreSQL source: `slot.name`, else
/// the datasource's `slot_name`, else `scaleph_<sync>`; readers beyond
/// one get `_<n>` appended. At most 63 characters, as PostgreSQL allows.
fn slots(input: &Input, readers: usize) -> Result<Vec<String>> {
    let base = input
        .options
        .slot_name()
        .map(str::to_string)
        .or_else(|| match input.source.datasource.options.get("slot_name") {
            Some(OptionEntry::Plain(s)) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| format!("scaleph_{}", sanitize(input.name).to_ascii_lowercase()));
    let slots: Vec<String> = if readers == 1 {
        vec![base]
    } else {
        (0..readers).map(|i| format!("{base}_{i}")).collect()
    };
    if let Some(long) = slots.iter().find(|s| s.len() > 63) {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("replication slot name {long} is longer than PostgreSQL's 63 characters"),
        )
        .with_subject("slot.name")
        .with_hint("set a shorter WITH (slot.name = '...')"));
    }
    Ok(slots)
}

/// The MySQL server id ranges of `readers` binlog readers, each with
/// `parallelism` ids, consecutive and disjoint: from `server.id`, else the
/// datasource's `server_id`, else a range derived from the sync's name
/// (5400 + FNV-1a of the name modulo 1000: distinct syncs on one server
/// rarely collide; `server.id` makes sure).
fn server_ids(input: &Input, readers: usize) -> Result<Vec<ServerIds>> {
    let each = input.options.parallelism();
    let given = input
        .options
        .server_id()
        .map(|r| (r, "server.id"))
        .or_else(|| match input.source.datasource.options.get("server_id") {
            Some(OptionEntry::Plain(s)) => ServerIds::parse(s)
                .ok()
                .map(|r| (r, "the datasource's server_id")),
            _ => None,
        });
    let need = u64::try_from(readers).unwrap_or(u64::MAX) * u64::from(each);
    let range = match given {
        Some((range, _)) => range,
        None => {
            let hash = input.name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            let first = 5400 + u32::try_from(hash % 1000).unwrap_or(0);
            let last = u64::from(first) + need.saturating_sub(1);
            ServerIds {
                first,
                last: u32::try_from(last).unwrap_or(u32::MAX),
            }
        }
    };
    range.split(readers, each).ok_or_else(|| {
        let from = given.map_or("the default range", |(_, from)| from);
        Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "{from} {} has {} server ids; {readers} binlog reader{} with parallelism {each} need {need}",
                range.text(),
                range.len(),
                if readers == 1 { "" } else { "s" }
            ),
        )
        .with_subject("server.id")
        .with_hint(format!("give a wider range, e.g. WITH (server.id = '{}-{}')", range.first, u64::from(range.first) + need - 1))
    })
}

/// Escapes regex metacharacters of a name for a Flink CDC selector, whose
/// parts are Java regexes (`,` is written `\,`; a `.` becomes `\.`, the
/// selector's any-char, which also matches the dot).
fn selector_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "\\.+*?()|[]{}^$,".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
