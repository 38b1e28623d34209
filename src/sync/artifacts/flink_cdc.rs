//! Flink CDC 3.x pipeline YAML, one per sink (a pipeline has exactly one
//! source and one sink; `docs/sync-engines.md` §2).
//!
//! - `source:` — the type's `[flink_cdc]` mapping (keys its list takes),
//!   `tables` as selectors of the plan's resolved tables (each name's
//!   regex metacharacters escaped: the list is exact, not the patterns the
//!   user wrote, so a pipeline reads what EXPLAIN showed), MySQL
//!   `server-id` ranges that do not overlap between the sync's pipelines,
//!   PostgreSQL replication slots one per pipeline, `scan.startup.mode`
//!   (`snapshot` for MODE SNAPSHOT: the job finishes after it).
//! - `sink:` — the sink type's mapping, a Stream Load label prefix per
//!   pipeline (Doris, StarRocks), Kafka's value format, `hash-by-key`
//!   partitioning (the connector's default sends everything to partition
//!   0) and topics (`topic` for `TOPIC 'x'`, else
//!   `sink.tableId-to-topic.mapping`).
//! - `route:` — only for tables whose target differs from their source
//!   id; tables that share a source schema, a target database and a name
//!   template are one rule with `replace-symbol: <>` (the reference
//!   examples' form), others one rule each.
//! - `pipeline:` — `name`, `parallelism` and `schema.change.behavior`,
//!   always written: `flink-cdc.sh`'s global configuration would otherwise
//!   put EVOLVE and 4 in.
//!
//! Checkpointing cannot go in the file; it is [`Pipeline::flink_config`].
//! The YAML is written by `serde-saphyr` from an ordered tree ([`Node`]),
//! keys in the order `docs/sync-engines.md` lists them.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::keys::{self, KeyList};
use super::{
    Input, Pipeline, Values, label_prefix, pass_through, queue_format, require_keys, selector_part,
    server_ids, slots, targets, unknown_pass_through, unlisted,
};
use crate::catalog::FlinkCdcMapping;
use crate::datasource::flink_types::SourceDialect;
use crate::error::{Error, Result, SqlState};
use crate::sync::options::{fill_pattern, flink_duration};
use crate::sync::plan::{Engine, Mode, PlannedTarget};

/// A YAML value in the order it is written. Scalars are text (every
/// connector option is read as a string); one that is a canonical integer
/// or boolean is written unquoted, as the reference files write them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Node::Scalar(text) => {
                if let Ok(n) = text.parse::<i64>()
                    && n.to_string() == *text
                {
                    serializer.serialize_i64(n)
                } else if text == "true" || text == "false" {
                    serializer.serialize_bool(text == "true")
                } else {
                    serializer.serialize_str(text)
                }
            }
            Node::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// A connector block under construction: keys once each, written in the
/// list's order.
struct Block {
    entries: Vec<(String, String)>,
}

impl Block {
    fn new() -> Block {
        Block {
            entries: Vec::new(),
        }
    }

    /// Sets `key` (a later value replaces an earlier one).
    fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key.to_string(), value)),
        }
    }

    fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }

    /// The block as a YAML map, `type` and `name` first, then by the
    /// list's order.
    fn node(mut self, list: &KeyList) -> Node {
        self.entries.sort_by_key(|(k, _)| {
            let first = match k.as_str() {
                "type" => 0,
                "name" => 1,
                _ => 2,
            };
            (first, list.rank(k))
        });
        Node::Map(
            self.entries
                .into_iter()
                .map(|(k, v)| (k, Node::Scalar(v)))
                .collect(),
        )
    }
}

/// One pipeline per sink.
pub(super) fn generate(input: &Input, dialect: SourceDialect) -> Result<Vec<Pipeline>> {
    let plan = input.plan;
    let source_mapping = cdc(input.source.kind, true)?;
    let source_list = list("flink_cdc.source", &source_mapping.connector_type)?;
    source_keys_ok(input, dialect)?;
    let readers = input.sinks.len();
    let ids = match dialect {
        SourceDialect::Mysql => Some(server_ids(input, readers)?),
        SourceDialect::Postgresql => None,
    };
    let slot_names = match dialect {
        SourceDialect::Postgresql => Some(slots(input, readers)?),
        SourceDialect::Mysql => None,
    };
    let (source_extra, left) = pass_through(input, "flink_cdc.source.", &source_list);
    if let Some(key) = left.first() {
        let lists = [(
            format!("flink_cdc.source.{}", source_mapping.connector_type),
            &source_list,
        )];
        return Err(unknown_pass_through("flink_cdc.source.", key, &lists));
    }
    let sink_lists: Vec<(String, KeyList)> = input
        .sinks
        .iter()
        .map(|s| {
            let m = cdc(s.kind, false)?;
            Ok((
                format!("flink_cdc.sink.{}", m.connector_type),
                list("flink_cdc.sink", &m.connector_type)?,
            ))
        })
        .collect::<Result<_>>()?;
    for (key, _) in input.options.pass_through("flink_cdc.sink.") {
        if !sink_lists.iter().any(|(_, l)| l.allows(key)) {
            let lists: Vec<(String, &KeyList)> =
                sink_lists.iter().map(|(n, l)| (n.clone(), l)).collect();
            return Err(unknown_pass_through("flink_cdc.sink.", key, &lists));
        }
    }
    let pipeline_list = keys::list("flink_cdc.pipeline")?
        .cloned()
        .ok_or_else(|| Error::internal("docs/sync-engines.md has no flink_cdc.pipeline list"))?;

    let mut pipelines = Vec::new();
    for (index, sink) in input.sinks.iter().enumerate() {
        // source:
        let mut source = Block::new();
        source.set("type", &source_mapping.connector_type);
        source.set("name", &input.source.datasource.name);
        let mut values = Values::of(&input.source, input.secrets, input.options);
        if let Some(database) = &plan.source.database {
            values.set("database", database);
        }
        for (key, value) in values.render_all(&source_mapping.options) {
            source.set(&key, value);
        }
        source.set("tables", selectors(input, dialect));
        if let Some(ids) = &ids {
            source.set("server-id", ids[index].text());
        }
        if let Some(slots) = &slot_names {
            source.set("slot.name", &slots[index]);
            if let Some(plugin) = input.options.decoding_plugin() {
                source.set("decoding.plugin.name", plugin);
            }
            if let Some(publication) = input.options.publication_name() {
                source.set("debezium.publication.name", publication);
            }
        }
        source.set("scan.startup.mode", startup_mode(input, dialect)?);
        for (key, value) in &source_extra {
            source.set(key, value.clone());
        }
        unlisted(
            "flink_cdc.source",
            source.entries.iter().map(|(k, _)| k.clone()),
            &source_list,
        )?;

        // sink:
        let sink_mapping = cdc(sink.kind, false)?;
        let (sink_block_name, sink_list) = &sink_lists[index];
        sink_keys_ok(input, index, &sink_mapping.connector_type)?;
        let mut block = Block::new();
        block.set("type", &sink_mapping.connector_type);
        block.set("name", &sink.datasource.name);
        let values = Values::of(sink, input.secrets, input.options);
        for (key, value) in values.render_all(&sink_mapping.options) {
            block.set(&key, value);
        }
        let routed = match sink_mapping.connector_type.as_str() {
            "doris" | "starrocks" => {
                block.set("sink.label-prefix", label_prefix(input, index));
                Routing::Namespaced
            }
            "kafka" => {
                kafka(input, index, &mut block)?;
                Routing::None
            }
            "elasticsearch" => Routing::Flat,
            _ => Routing::Namespaced,
        };
        let (taken, _) = pass_through(input, "flink_cdc.sink.", sink_list);
        for (key, value) in taken {
            block.set(&key, value);
        }
        unlisted(
            sink_block_name,
            block.entries.iter().map(|(k, _)| k.clone()),
            sink_list,
        )?;

        // route:
        let routes = routes(input, index, routed);

        // pipeline:
        let mut pipeline = Block::new();
        let job_name = if input.sinks.len() == 1 {
            input.name.to_string()
        } else {
            format!("{}-{}", input.name, sink.datasource.name)
        };
        pipeline.set("name", job_name);
        pipeline.set("parallelism", input.options.parallelism().to_string());
        pipeline.set("schema.change.behavior", input.options.schema_change());
        for (key, value) in input.options.pass_through("flink_cdc.pipeline.") {
            pipeline.set(key, value);
        }

        let mut top = vec![
            ("source".to_string(), source.node(&source_list)),
            ("sink".to_string(), block.node(sink_list)),
        ];
        if !routes.is_empty() {
            top.push(("route".to_string(), Node::Seq(routes)));
        }
        top.push(("pipeline".to_string(), pipeline.node(&pipeline_list)));
        let yaml = serde_saphyr::to_string(&Node::Map(top)).map_err(|e| {
            Error::internal(format!(
                "the pipeline of sink {} as YAML: {e}",
                sink.datasource.name
            ))
        })?;
        let mut flink_config = vec![(
            "execution.checkpointing.interval".to_string(),
            flink_duration(input.options.checkpoint_interval()),
        )];
        for (key, value) in input.options.flink() {
            flink_config.retain(|(k, _)| k != key);
            flink_config.push((key.to_string(), value.to_string()));
        }
        pipelines.push(Pipeline {
            sink: sink.datasource.name.clone(),
            yaml,
            flink_config,
        });
    }
    Ok(pipelines)
}

/// How a sink names what it writes: `db.table` after route (Doris,
/// StarRocks, Paimon), a flat name after route (an Elasticsearch index),
/// or not by route (Kafka: its topic options).
#[derive(Clone, Copy, PartialEq)]
enum Routing {
    Namespaced,
    Flat,
    None,
}

fn cdc(kind: &crate::catalog::DatasourceType, source: bool) -> Result<&FlinkCdcMapping> {
    kind.flink_cdc
        .as_ref()
        .filter(|m| if source { m.source } else { m.sink })
        .ok_or_else(|| Error::internal(format!("{} has no Flink CDC mapping", kind.name)))
}

fn list(kind: &str, name: &str) -> Result<KeyList> {
    keys::connector(kind, name)?
        .ok_or_else(|| Error::internal(format!("docs/sync-engines.md has no {kind}.{name} list")))
}

/// A table's id as the pipeline source emits it: MySQL `db.table`,
/// PostgreSQL `schema.table` (docs/sync-engines.md §2).
fn table_id(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}

/// The `tables` option: every planned table, exact.
fn selectors(input: &Input, dialect: SourceDialect) -> String {
    input
        .plan
        .tables
        .iter()
        .map(|t| {
            let id = format!("{}.{}", selector_part(&t.schema), selector_part(&t.name));
            match dialect {
                SourceDialect::Mysql => id,
                SourceDialect::Postgresql => {
                    format!("{}.{id}", selector_part(super::source_database(input, t)))
                }
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `scan.startup.mode` for the mode and `startup.mode`.
fn startup_mode(input: &Input, dialect: SourceDialect) -> Result<&'static str> {
    if input.plan.mode == Mode::Snapshot {
        if input.options.startup_mode_set() {
            return Err(startup_for_snapshot());
        }
        return Ok("snapshot");
    }
    Ok(match (input.options.startup_mode(), dialect) {
        ("earliest", SourceDialect::Mysql) => "earliest-offset",
        ("earliest", SourceDialect::Postgresql) => {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                "Flink CDC's postgres source cannot start at the earliest change (its modes: initial, latest-offset, committed-offset, snapshot)",
            )
            .with_subject("startup.mode")
            .with_hint("use startup.mode = 'initial' or 'latest'"));
        }
        ("latest", _) => "latest-offset",
        _ => "initial",
    })
}

/// 22023: `startup.mode` given with MODE SNAPSHOT.
pub(super) fn startup_for_snapshot() -> Error {
    Error::new(
        SqlState::INVALID_PARAMETER_VALUE,
        "startup.mode applies to MODE CDC; MODE SNAPSHOT reads each table once",
    )
    .with_subject("startup.mode")
}

/// The source can snapshot every table: a primary key, or a chunk key
/// column given (MySQL).
fn source_keys_ok(input: &Input, dialect: SourceDialect) -> Result<()> {
    let chunk_key = input
        .options
        .pass_through("flink_cdc.source.")
        .iter()
        .any(|(k, _)| *k == "scan.incremental.snapshot.chunk.key-column");
    match dialect {
        SourceDialect::Mysql if chunk_key => Ok(()),
        SourceDialect::Mysql => require_keys(
            &input.plan.tables,
            "Flink CDC's MySQL source splits each table's snapshot by its primary key",
            "add a primary key, or name a column per table: WITH ('flink_cdc.source.scan.incremental.snapshot.chunk.key-column' = 'db.tbl:col;db.tbl2:col')",
        ),
        SourceDialect::Postgresql => require_keys(
            &input.plan.tables,
            "Flink CDC's postgres source splits each table's snapshot by its primary key",
            "add a primary key, or use ENGINE SEATUNNEL with 'seatunnel.source.table-names-config'",
        ),
    }
}

/// Sinks that need a key for every table.
fn sink_keys_ok(input: &Input, index: usize, sink_type: &str) -> Result<()> {
    let sink = &input.sinks[index].datasource.name;
    match (sink_type, input.plan.mode) {
        ("paimon", _) | ("starrocks", _) => require_keys(
            &input.plan.tables,
            &format!("Flink CDC's {sink_type} sink ({sink}) writes primary-key tables only"),
            "add primary keys to the source tables, or leave these tables out with TABLES (...)",
        ),
        ("doris", Mode::Cdc) => require_keys(
            &input.plan.tables,
            &format!(
                "Flink CDC's doris sink ({sink}) applies updates and deletes by primary key (a keyless table becomes a Duplicate-key table)"
            ),
            "add primary keys, leave these tables out with TABLES (...), or copy them with MODE SNAPSHOT",
        ),
        _ => Ok(()),
    }
}

/// Kafka's value format, partitioning and topics.
fn kafka(input: &Input, index: usize, block: &mut Block) -> Result<()> {
    let format = queue_format(input, index, Engine::FlinkCdc)?
        .ok_or_else(|| Error::internal("a kafka sink that is not a message queue"))?;
    if !matches!(format.name.as_str(), "debezium-json" | "canal-json") {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "Flink CDC's kafka sink writes debezium-json or canal-json, not {}",
                format.name
            ),
        )
        .with_subject("format")
        .with_hint("set WITH (format = 'debezium-json'), or use ENGINE FLINK_SQL or SEATUNNEL for other formats"));
    }
    block.set("value.format", format.name);
    block.set("partition.strategy", "hash-by-key");
    let sink = &input.plan.sinks[index];
    match &sink.target {
        PlannedTarget::Topic(topic) => block.set("topic", topic),
        _ => {
            let pairs: Vec<(String, &String)> = input
                .plan
                .tables
                .iter()
                .zip(&sink.names)
                .map(|(t, topic)| (table_id(&t.schema, &t.name), topic))
                .collect();
            if pairs.iter().any(|(id, topic)| id != *topic) {
                let mapping: Vec<String> = pairs
                    .iter()
                    .map(|(id, topic)| format!("{id}:{topic}"))
                    .collect();
                block.set("sink.tableId-to-topic.mapping", mapping.join(";"));
            } else {
                block.remove("sink.tableId-to-topic.mapping");
            }
        }
    }
    Ok(())
}

/// What tables share one route rule by: source schema, target database,
/// and the rule's `sink-table` (`=<id>` for a rule of one table).
type RouteKey = (String, String, String);

/// The route rules of sink `index` (see the module doc).
fn routes(input: &Input, index: usize, routing: Routing) -> Vec<Node> {
    if routing == Routing::None {
        return Vec::new();
    }
    let pattern = input.options.table_name_pattern();
    let sink = &input.plan.sinks[index];
    let follows = !matches!(
        sink.target,
        PlannedTarget::Topic(_) | PlannedTarget::TopicPattern(_)
    );
    // (source schema, target database, template) → tables, in order.
    let mut groups: Vec<(RouteKey, Vec<(String, String)>)> = Vec::new();
    for (table, target) in input.plan.tables.iter().zip(targets(input, index)) {
        let source_id = table_id(&table.schema, &table.name);
        let sink_id = match routing {
            Routing::Flat => target.name.clone(),
            _ => format!("{}.{}", target.database, target.name),
        };
        if source_id == sink_id {
            continue;
        }
        let template = fill_pattern(
            pattern,
            &table.schema,
            super::source_database(input, table),
            "<>",
        );
        let templated = follows
            && template.contains("<>")
            && template.replace("<>", &table.name) == target.name;
        let key = if templated {
            let sink_table = match routing {
                Routing::Flat => template,
                _ => format!("{}.{template}", target.database),
            };
            (table.schema.clone(), target.database.clone(), sink_table)
        } else {
            // A rule of its own, keyed by the exact target.
            (
                table.schema.clone(),
                target.database.clone(),
                format!("={sink_id}"),
            )
        };
        let selector = format!(
            "{}.{}",
            selector_part(&table.schema),
            selector_part(&table.name)
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, tables)) => tables.push((selector, sink_id)),
            None => groups.push((key, vec![(selector, sink_id)])),
        }
    }
    let route_list = keys::list("flink_cdc.route")
        .ok()
        .flatten()
        .cloned()
        .unwrap_or_default();
    groups
        .into_iter()
        .map(|((_, _, sink_table), tables)| {
            let mut rule = Block::new();
            let sources: Vec<&str> = tables.iter().map(|(s, _)| s.as_str()).collect();
            rule.set("source-table", sources.join(", "));
            match sink_table.strip_prefix('=') {
                Some(exact) => rule.set("sink-table", exact),
                None if tables.len() == 1 => rule.set("sink-table", tables[0].1.clone()),
                None => {
                    rule.set("sink-table", sink_table);
                    rule.set("replace-symbol", "<>");
                }
            }
            rule.node(&route_list)
        })
        .collect()
}
