//! One SeaTunnel job as the Zeta REST API takes it (`POST /submit-job`,
//! JSON; `docs/sync-engines.md` §3): `env`, ONE source, N sinks.
//!
//! - `env`: `job.name`, `job.mode` (STREAMING for MODE CDC — CDC sources
//!   need it — BATCH for SNAPSHOT), `parallelism`, `checkpoint.interval`
//!   in milliseconds when streaming (a BATCH job without it has no
//!   checkpoints), `'flink.<key>'` options as `flink.<key>` (the Flink
//!   engine reads them there) and `'seatunnel.env.<key>'`.
//! - The source: MySQL-CDC / Postgres-CDC for CDC with the plan's tables
//!   as `table-names` (the exact list, not a pattern); the Jdbc source for
//!   SNAPSHOT, `table_path` for one table and `table_list` for several.
//!   Its `plugin_output` is `source`, and every sink's `plugin_input` is
//!   `["source"]`: each sink gets the whole stream (fan-out).
//! - A sink per plan sink. SeaTunnel names a multi-table stream's targets
//!   with placeholders, so the sync's name pattern is written with them
//!   (`ods_{table}` → `ods_${table_name}`) into the sink's table option
//!   (`table`, or Kafka's `topic`); a sink whose planned names are not one
//!   pattern is refused. Jdbc, Doris and Paimon create missing tables
//!   (`schema_save_mode = CREATE_SCHEMA_WHEN_NOT_EXIST`, written out) and
//!   append (`APPEND_DATA`).
//!
//! Datasource templates may mix a type's source and sink keys (MySQL's
//! has MySQL-CDC's `base-url` and Jdbc's `url`); each block keeps the
//! keys its plugin's list takes. Flat keys of a map option
//! (`doris.config.format`) are written into the map, as the reference
//! examples do. A value that is a canonical integer or boolean is written
//! as a JSON number or boolean, as the examples write them.

use serde_json::{Map, Value, json};

use super::keys::{self, KeyList};
use super::{
    Input, Values, label_prefix, name_pattern, names_follow_pattern, pass_through, queue_format,
    require_keys, server_ids, slots, unknown_pass_through, unlisted,
};
use crate::catalog::{SeatunnelMapping, TypedOptions};
use crate::datasource::flink_types::SourceDialect;
use crate::error::{Error, Result, SqlState};
use crate::sync::plan::{Engine, Mode, PlannedTarget};

/// The plugin object under construction: keys once each.
struct Plugin {
    list: KeyList,
    block: String,
    entries: Map<String, Value>,
}

impl Plugin {
    fn new(kind: &str, plugin: &str) -> Result<Plugin> {
        let list = keys::connector(kind, plugin)?.ok_or_else(|| {
            Error::internal(format!("docs/sync-engines.md has no {kind}.{plugin} list"))
        })?;
        let common = keys::list("seatunnel.plugin")?.cloned().unwrap_or_default();
        let mut entries = Map::new();
        entries.insert("plugin_name".into(), Value::String(plugin.into()));
        Ok(Plugin {
            list: list.with(&common),
            block: format!("{kind}.{plugin}"),
            entries,
        })
    }

    /// Sets `key` to a text value (typed when canonical), into its map
    /// when it is a flat map entry (as text: map entries are properties
    /// handed on as strings, `doris.config` to Stream Load).
    fn set(&mut self, key: &str, value: &str) {
        if self.list.map_entry(key).is_some() {
            self.set_value(key, Value::String(value.to_string()));
        } else {
            self.set_value(key, typed(value));
        }
    }

    fn set_value(&mut self, key: &str, value: Value) {
        if let Some((map, entry)) = self.list.map_entry(key) {
            let map = map.to_string();
            let slot = self
                .entries
                .entry(map)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(object) = slot {
                object.insert(entry.to_string(), value);
            }
            return;
        }
        self.entries.insert(key.to_string(), value);
    }

    /// The rendered template keys the plugin's list takes.
    fn template(&mut self, values: &Values, mapping: &SeatunnelMapping) {
        for (key, value) in values.render_all(&mapping.options) {
            if self.list.allows(&key) {
                self.set(&key, &value);
            }
        }
    }

    fn done(self) -> Result<Value> {
        unlisted(&self.block, self.entries.keys().cloned(), &self.list)?;
        Ok(Value::Object(self.entries))
    }
}

/// A canonical integer or boolean as a JSON number or boolean, else text.
fn typed(value: &str) -> Value {
    if let Ok(n) = value.parse::<i64>()
        && n.to_string() == value
    {
        return json!(n);
    }
    match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(value.to_string()),
    }
}

/// The job.
pub(super) fn generate(input: &Input, dialect: SourceDialect) -> Result<Value> {
    let plan = input.plan;
    let mut env = Map::new();
    env.insert("job.name".into(), json!(input.name));
    let streaming = plan.mode == Mode::Cdc;
    env.insert(
        "job.mode".into(),
        json!(if streaming { "STREAMING" } else { "BATCH" }),
    );
    env.insert("parallelism".into(), json!(input.options.parallelism()));
    if streaming {
        let ms = u64::try_from(input.options.checkpoint_interval().as_millis()).unwrap_or(u64::MAX);
        env.insert("checkpoint.interval".into(), json!(ms));
    }
    for (key, value) in input.options.flink() {
        env.insert(format!("flink.{key}"), Value::String(value.to_string()));
    }
    let env_list = keys::list("seatunnel.env")?
        .cloned()
        .ok_or_else(|| Error::internal("docs/sync-engines.md has no seatunnel.env list"))?;
    let (env_extra, _) = pass_through(input, "seatunnel.env.", &env_list);
    for (key, value) in env_extra {
        env.insert(key, typed(&value));
    }
    unlisted("seatunnel.env", env.keys().cloned(), &env_list)?;

    let source = source(input, dialect)?;
    let sinks = input
        .sinks
        .iter()
        .enumerate()
        .map(|(index, _)| sink(input, index, dialect))
        .collect::<Result<Vec<_>>>()?;
    // Sink keys no sink takes.
    let sink_lists: Vec<(String, KeyList)> = input
        .sinks
        .iter()
        .filter_map(|s| s.kind.seatunnel.as_ref().and_then(|m| m.sink.clone()))
        .map(|plugin| {
            let list = keys::connector("seatunnel.sink", &plugin)?.unwrap_or_default();
            Ok((format!("seatunnel.sink.{plugin}"), list))
        })
        .collect::<Result<_>>()?;
    for (key, _) in input.options.pass_through("seatunnel.sink.") {
        if !sink_lists.iter().any(|(_, l)| l.allows(key)) {
            let lists: Vec<(String, &KeyList)> =
                sink_lists.iter().map(|(n, l)| (n.clone(), l)).collect();
            return Err(unknown_pass_through("seatunnel.sink.", key, &lists));
        }
    }
    Ok(json!({
        "env": Value::Object(env),
        "source": [source],
        "transform": [],
        "sink": sinks,
    }))
}

/// The source plugin.
fn source(input: &Input, dialect: SourceDialect) -> Result<Value> {
    let plan = input.plan;
    let mapping = input
        .source
        .kind
        .seatunnel
        .as_ref()
        .ok_or_else(|| Error::internal("a SeaTunnel source without a mapping"))?;
    let database = plan.source.database.clone().unwrap_or_default();
    let mut values = Values::of(&input.source, input.secrets, input.options);
    values.set("database", database.clone());
    let full_name = |schema: &str, table: &str| match dialect {
        SourceDialect::Mysql => format!("{schema}.{table}"),
        SourceDialect::Postgresql => format!("{database}.{schema}.{table}"),
    };
    let plugin = match plan.mode {
        Mode::Cdc => mapping
            .source
            .clone()
            .ok_or_else(|| Error::internal("a SeaTunnel CDC source without a plugin"))?,
        Mode::Snapshot => "Jdbc".to_string(),
    };
    let mut block = Plugin::new("seatunnel.source", &plugin)?;
    block.set("plugin_output", "source");
    block.template(&values, mapping);
    let (extra, left) = pass_through(input, "seatunnel.source.", &block.list);
    if let Some(key) = left.first() {
        let lists = [(format!("seatunnel.source.{plugin}"), &block.list)];
        return Err(unknown_pass_through("seatunnel.source.", key, &lists));
    }
    match plan.mode {
        Mode::Cdc => {
            let configured = extra.iter().any(|(k, _)| k == "table-names-config");
            if !configured {
                require_keys(
                    &plan.tables,
                    &format!(
                        "SeaTunnel's {plugin} source splits snapshots and identifies changes by primary key"
                    ),
                    "add a primary key, or give keys with WITH ('seatunnel.source.table-names-config' = ...)",
                )?;
            }
            let names: Vec<String> = plan
                .tables
                .iter()
                .map(|t| full_name(&t.schema, &t.name))
                .collect();
            block.set_value("table-names", json!(names));
            let startup = match input.options.startup_mode() {
                "earliest" => "earliest",
                "latest" => "latest",
                _ => "initial",
            };
            block.set("startup.mode", startup);
            match dialect {
                SourceDialect::Mysql => {
                    let ids = server_ids(input, 1)?;
                    block.set("server-id", &ids[0].text());
                    if matches!(input.options.schema_change(), "evolve" | "try_evolve") {
                        block.set("debezium.include.schema.changes", "true");
                    }
                }
                SourceDialect::Postgresql => {
                    block.set_value("database-names", json!([database]));
                    let mut schemas: Vec<&str> = Vec::new();
                    for t in &plan.tables {
                        if !schemas.contains(&t.schema.as_str()) {
                            schemas.push(&t.schema);
                        }
                    }
                    block.set_value("schema-names", json!(schemas));
                    block.set("slot.name", &slots(input, 1)?[0]);
                    if let Some(plugin) = input.options.decoding_plugin() {
                        block.set("decoding.plugin.name", plugin);
                    }
                    if let Some(publication) = input.options.publication_name() {
                        block.set("debezium.publication.name", publication);
                    }
                }
            }
        }
        Mode::Snapshot => {
            if input.options.startup_mode_set() {
                return Err(super::flink_cdc::startup_for_snapshot());
            }
            // Keyless tables are read by one reader (Jdbc's documented
            // behaviour): degraded, not refused.
            match plan.tables.as_slice() {
                [table] => block.set("table_path", &full_name(&table.schema, &table.name)),
                tables => {
                    let list: Vec<Value> = tables
                        .iter()
                        .map(|t| json!({"table_path": full_name(&t.schema, &t.name)}))
                        .collect();
                    block.set_value("table_list", Value::Array(list));
                }
            }
        }
    }
    for (key, value) in extra {
        block.set(&key, &value);
    }
    block.done()
}

/// SeaTunnel's placeholder for a name pattern: `{table}` → `${table_name}`,
/// `{schema}` → `${schema_name}` (MySQL: `${database_name}`, its schema
/// being the database), `{database}` → `${database_name}`.
fn placeholders(pattern: &str, dialect: SourceDialect) -> String {
    let schema = match dialect {
        SourceDialect::Mysql => "${database_name}",
        SourceDialect::Postgresql => "${schema_name}",
    };
    pattern
        .replace("{table}", "${table_name}")
        .replace("{schema}", schema)
        .replace("{database}", "${database_name}")
}

/// Sink `index`.
fn sink(input: &Input, index: usize, dialect: SourceDialect) -> Result<Value> {
    let endpoint = &input.sinks[index];
    let planned = &input.plan.sinks[index];
    let sink_name = &endpoint.datasource.name;
    let mapping = endpoint
        .kind
        .seatunnel
        .as_ref()
        .ok_or_else(|| Error::internal("a SeaTunnel sink without a mapping"))?;
    let plugin = mapping
        .sink
        .clone()
        .ok_or_else(|| Error::internal("a SeaTunnel sink without a plugin"))?;
    let pattern = name_pattern(input, index);
    if !names_follow_pattern(input, index, &pattern) {
        return Err(Error::not_supported(format!(
            "target names of sink {sink_name} that no one pattern gives (SeaTunnel names a multi-table sink's targets by pattern)"
        )));
    }
    // One table: its target by name (what the placeholders would give);
    // several: the pattern with SeaTunnel's placeholders.
    let single = input.plan.tables.len() == 1;
    let table = match &planned.target {
        PlannedTarget::Topic(topic) => topic.clone(),
        _ if single => planned.names[0].clone(),
        _ => placeholders(&pattern, dialect),
    };
    let database = match &planned.target {
        PlannedTarget::Database(d) => d.clone(),
        _ if single => input.plan.tables[0].schema.clone(),
        _ => placeholders("{schema}", dialect),
    };
    let mut values = Values::of(endpoint, input.secrets, input.options);
    values.set("table", table);
    if endpoint.kind.option("schema").is_some() {
        values.set("schema", database);
    } else {
        values.set("database", database);
    }
    let mut block = Plugin::new("seatunnel.sink", &plugin)?;
    block.set_value("plugin_input", json!(["source"]));
    block.template(&values, mapping);
    let cdc = input.plan.mode == Mode::Cdc;
    match plugin.as_str() {
        "Jdbc" | "Doris" | "Paimon" => {
            if cdc {
                require_keys(
                    &input.plan.tables,
                    &format!(
                        "SeaTunnel's {plugin} sink ({sink_name}) applies updates and deletes by primary key"
                    ),
                    "add primary keys, leave these tables out with TABLES (...), or copy them with MODE SNAPSHOT",
                )?;
            }
            block.set("schema_save_mode", "CREATE_SCHEMA_WHEN_NOT_EXIST");
            block.set("data_save_mode", "APPEND_DATA");
            if plugin == "Jdbc"
                && let [table] = input.plan.tables.as_slice()
                && !table.primary_key.is_empty()
            {
                // One table: its key, as the Jdbc sink documents; several:
                // each table's key comes with its schema from the source.
                block.set_value("primary_keys", json!(table.primary_key));
            }
            if plugin == "Doris" {
                block.set("sink.label-prefix", &label_prefix(input, index));
            }
        }
        "Kafka" => {
            let format = queue_format(input, index, Engine::Seatunnel)?
                .ok_or_else(|| Error::internal("a Kafka sink that is not a message queue"))?;
            let name = match format.name.as_str() {
                "csv" => "text".to_string(),
                other => other.replace('-', "_"),
            };
            block.set("format", &name);
            block.set("semantics", "AT_LEAST_ONCE");
        }
        _ => {}
    }
    let (extra, _) = pass_through(input, "seatunnel.sink.", &block.list);
    for (key, value) in extra {
        block.set(&key, &value);
    }
    if cdc && plugin == "Doris" && block.entries.get("sink.enable-delete") == Some(&json!(false)) {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "sink {sink_name} has enable_delete = false, so MODE CDC would keep deleted rows"
            ),
        )
        .with_hint("set enable_delete on the datasource, or use MODE SNAPSHOT"));
    }
    block.done()
}
