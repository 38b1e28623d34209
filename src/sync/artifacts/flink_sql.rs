//! One Flink SQL script, run by scaleph's SQL runner as one job: `SET`s,
//! then a `CREATE TEMPORARY TABLE` per source table and per sink table,
//! then ONE `EXECUTE STATEMENT SET BEGIN INSERT ...; ... END;`.
//!
//! - **SETs first**: the runner builds its environment from the leading
//!   `SET`s (`execution.runtime-mode` must be known then: `streaming` for
//!   MODE CDC, `batch` for SNAPSHOT), so the script starts with them and
//!   carries no comments before them.
//! - **TEMPORARY tables**: the tables exist for this job only. A plain
//!   `CREATE TABLE` would land in the session's current catalog — a
//!   persistent catalog the script might `USE`, or scaleph's shared
//!   default catalog if someone ran the script through the gateway — and
//!   outlive the sync; temporary tables shadow nothing and leave nothing.
//! - **Names**: backticked (a backtick inside is doubled); a source table
//!   is `source__<schema>__<table>`, a sink table
//!   `<sink>__<database>__<name>` (`<sink>__<topic>__<table>` for `TOPIC
//!   'x'`, where every table goes to one topic), `__<n>` appended on a
//!   clash.
//! - **Sources**: `jdbc` for SNAPSHOT with the type's `[flink_sql]` keys;
//!   for CDC the type's `cdc_connector` (`mysql-cdc`, `postgres-cdc`) with
//!   its `cdc_options` — database, schema and table names there are
//!   regular expressions, so they are escaped. Each CDC table is its own
//!   reader: MySQL tables get disjoint `server-id` ranges, PostgreSQL
//!   tables their own replication slots.
//! - **Sinks**: the sink type's `[flink_sql]` keys; Doris gets a label
//!   prefix per table (two-phase commit, its default, needs one per sink);
//!   Kafka gets the format of the module doc of `super` (or `upsert-kafka`
//!   with `upsert-json`).
//! - Columns keep the source's order, types from
//!   [`crate::sync::types::target_type`], `NOT NULL` as the source has it,
//!   and `PRIMARY KEY (...) NOT ENFORCED` when the table has a key — except
//!   on a Kafka table with an insert-only format, where Flink's Kafka
//!   connector refuses one.

use std::collections::HashSet;

use super::keys;
use super::{
    Input, Target, Values, label_prefix, queue_format, require_keys, server_ids, slots,
    source_database, targets,
};
use crate::catalog::{Category, TypedOptions};
use crate::datasource::flink_types::SourceDialect;
use crate::error::{Error, Result, SqlState};
use crate::sync::options::flink_duration;
use crate::sync::plan::{Engine, Mode, PlannedTable, PlannedTarget};
use crate::sync::types::target_type;

/// `name` as a Flink SQL identifier.
fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// `text` as a Flink SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `name` with regex metacharacters escaped (the CDC SQL connectors'
/// database, schema and table options are regular expressions).
fn regex_escape(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The WITH options of one table declaration.
type With = Vec<(String, String)>;

/// The script.
pub(super) fn generate(input: &Input, dialect: SourceDialect) -> Result<String> {
    let plan = input.plan;
    let cdc = plan.mode == Mode::Cdc;
    if cdc {
        require_keys(
            &plan.tables,
            "the CDC SQL connectors split each table's snapshot by its primary key",
            "add a primary key, use MODE SNAPSHOT, or use ENGINE FLINK_CDC with 'flink_cdc.source.scan.incremental.snapshot.chunk.key-column' (MySQL)",
        )?;
    } else if input.options.startup_mode_set() {
        return Err(super::flink_cdc::startup_for_snapshot());
    }
    let mut used = HashSet::new();
    let mut unique = |name: String| {
        let mut candidate = name.clone();
        let mut n = 1;
        while !used.insert(candidate.clone()) {
            n += 1;
            candidate = format!("{name}__{n}");
        }
        candidate
    };

    let mut script = String::new();
    let mut set = |key: &str, value: &str| {
        script.push_str(&format!("SET {} = {};\n", literal(key), literal(value)));
    };
    set(
        "execution.runtime-mode",
        if cdc { "streaming" } else { "batch" },
    );
    set(
        "parallelism.default",
        &input.options.parallelism().to_string(),
    );
    set("pipeline.name", input.name);
    if cdc {
        set(
            "execution.checkpointing.interval",
            &flink_duration(input.options.checkpoint_interval()),
        );
    }
    for (key, value) in input.options.flink() {
        set(key, value);
    }

    let sources = source_tables(input, dialect)?;
    let mut source_names = Vec::new();
    for (table, declared) in plan.tables.iter().zip(sources) {
        let name = unique(format!("source__{}__{}", table.schema, table.name));
        script.push('\n');
        script.push_str(&create(&name, table, &declared, dialect, true));
        source_names.push(name);
    }

    let mut inserts = Vec::new();
    for (index, sink) in input.sinks.iter().enumerate() {
        let planned = &plan.sinks[index];
        let mapping = sink
            .kind
            .flink_sql
            .as_ref()
            .ok_or_else(|| Error::internal("a Flink SQL sink without a mapping"))?;
        let format = queue_format(input, index, Engine::FlinkSql)?;
        if format.as_ref().is_some_and(|f| f.upsert) {
            require_keys(
                &plan.tables,
                &format!(
                    "upsert-kafka ({}) writes by primary key",
                    sink.datasource.name
                ),
                "add primary keys, or use format = 'debezium-json'",
            )?;
        }
        for (t, (table, target)) in plan.tables.iter().zip(targets(input, index)).enumerate() {
            let Target { database, name } = &target;
            let mut values = Values::of(sink, input.secrets, input.options);
            values.set("table", name.clone());
            if sink.kind.option("schema").is_some() {
                values.set("schema", database.clone());
            } else {
                values.set("database", database.clone());
            }
            let mut with = vec![("connector".to_string(), mapping.connector.clone())];
            with.extend(values.render_all(&mapping.options));
            if mapping.connector == "doris" {
                put(
                    &mut with,
                    "sink.label-prefix",
                    format!("{}_{}", label_prefix(input, index), super::sanitize(name)),
                );
            }
            if let Some(format) = &format {
                with.retain(|(k, _)| k != "format");
                if format.upsert {
                    put(&mut with, "connector", "upsert-kafka".into());
                    with.retain(|(k, _)| !k.starts_with("scan.") && k != "properties.group.id");
                    put(&mut with, "key.format", "json".into());
                    put(&mut with, "value.format", "json".into());
                } else {
                    put(&mut with, "format", format.name.clone());
                }
            }
            check_keys(&mut with)?;
            let declared_name = unique(match &planned.target {
                PlannedTarget::Topic(topic) => {
                    format!("{}__{}__{}", sink.datasource.name, topic, table.name)
                }
                _ if sink.kind.category == Category::MessageQueue => {
                    format!("{}__{}", sink.datasource.name, name)
                }
                _ => format!("{}__{}__{}", sink.datasource.name, database, name),
            });
            script.push('\n');
            // Flink's Kafka connector refuses a PRIMARY KEY on a table
            // whose format is insert-only (json, csv, avro, raw).
            let keyed = format.as_ref().is_none_or(|f| {
                f.upsert
                    || matches!(
                        f.name.as_str(),
                        "debezium-json" | "canal-json" | "maxwell-json"
                    )
            });
            script.push_str(&create(&declared_name, table, &with, dialect, keyed));
            let columns: Vec<String> = table.columns.iter().map(|c| ident(&c.name)).collect();
            inserts.push(format!(
                "INSERT INTO {} SELECT {} FROM {};",
                ident(&declared_name),
                columns.join(", "),
                ident(&source_names[t])
            ));
        }
    }
    script.push_str("\nEXECUTE STATEMENT SET BEGIN\n");
    for insert in inserts {
        script.push_str(&insert);
        script.push('\n');
    }
    script.push_str("END;\n");
    Ok(script)
}

/// Sets `key` in a WITH list (replacing, or appending).
fn put(with: &mut Vec<(String, String)>, key: &str, value: String) {
    match with.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value,
        None => with.push((key.to_string(), value)),
    }
}

/// Every WITH key is in the connector's list, when docs/sync-engines.md
/// has one; sorted by it.
fn check_keys(with: &mut [(String, String)]) -> Result<()> {
    let connector = with
        .iter()
        .find(|(k, _)| k == "connector")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let Some(list) = keys::connector("flink_sql", &connector)? else {
        return Ok(());
    };
    super::unlisted(
        &format!("flink_sql.{connector}"),
        with.iter().map(|(k, _)| k.clone()),
        &list,
    )?;
    with.sort_by_key(|(k, _)| {
        if k == "connector" {
            0
        } else {
            1 + list.rank(k)
        }
    });
    Ok(())
}

/// The WITH options of each source table.
fn source_tables(input: &Input, dialect: SourceDialect) -> Result<Vec<With>> {
    let plan = input.plan;
    let mapping = input
        .source
        .kind
        .flink_sql
        .as_ref()
        .ok_or_else(|| Error::internal("a Flink SQL source without a mapping"))?;
    let cdc = plan.mode == Mode::Cdc;
    let readers = plan.tables.len();
    let ids = match (cdc, dialect) {
        (true, SourceDialect::Mysql) => Some(server_ids(input, readers)?),
        _ => None,
    };
    let slot_names = match (cdc, dialect) {
        (true, SourceDialect::Postgresql) => Some(slots(input, readers)?),
        _ => None,
    };
    let startup = if cdc {
        Some(match (input.options.startup_mode(), dialect) {
            ("earliest", SourceDialect::Mysql) => "earliest-offset",
            ("earliest", SourceDialect::Postgresql) => {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "postgres-cdc cannot start at the earliest change (its modes: initial, latest-offset)",
                )
                .with_subject("startup.mode"));
            }
            ("latest", _) => "latest-offset",
            _ => "initial",
        })
    } else {
        None
    };
    let mut tables = Vec::new();
    for (i, table) in plan.tables.iter().enumerate() {
        let mut values = Values::of(&input.source, input.secrets, input.options);
        let database = source_database(input, table).to_string();
        let escape = |s: &str| if cdc { regex_escape(s) } else { s.to_string() };
        values.set("table", escape(&table.name));
        if dialect == SourceDialect::Postgresql {
            values.set("schema", escape(&table.schema));
            values.set("database", database);
        } else {
            values.set("database", escape(&database));
        }
        let (connector, options) = if cdc {
            let connector = mapping
                .cdc_connector
                .clone()
                .ok_or_else(|| Error::internal("a CDC source without a CDC SQL connector"))?;
            (connector, &mapping.cdc_options)
        } else {
            (mapping.connector.clone(), &mapping.options)
        };
        let mut with = vec![("connector".to_string(), connector)];
        with.extend(values.render_all(options));
        if let Some(ids) = &ids {
            put(&mut with, "server-id", ids[i].text());
        }
        if let Some(slots) = &slot_names {
            put(&mut with, "slot.name", slots[i].clone());
            put(
                &mut with,
                "scan.incremental.snapshot.enabled",
                "true".into(),
            );
            if let Some(plugin) = input.options.decoding_plugin() {
                put(&mut with, "decoding.plugin.name", plugin.into());
            }
            if let Some(publication) = input.options.publication_name() {
                put(&mut with, "debezium.publication.name", publication.into());
            }
        }
        if let Some(startup) = startup {
            put(&mut with, "scan.startup.mode", startup.into());
        }
        check_keys(&mut with)?;
        tables.push(with);
    }
    Ok(tables)
}

/// `CREATE TEMPORARY TABLE name (columns, key) WITH (...);`, the key
/// when the table has one and `keyed`.
fn create(
    name: &str,
    table: &PlannedTable,
    with: &[(String, String)],
    dialect: SourceDialect,
    keyed: bool,
) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            format!(
                "  {} {}{}",
                ident(&c.name),
                target_type(Engine::FlinkSql, dialect, c),
                if c.nullable { "" } else { " NOT NULL" }
            )
        })
        .collect();
    if keyed && !table.primary_key.is_empty() {
        let key: Vec<String> = table.primary_key.iter().map(|k| ident(k)).collect();
        lines.push(format!("  PRIMARY KEY ({}) NOT ENFORCED", key.join(", ")));
    }
    let with: Vec<String> = with
        .iter()
        .map(|(k, v)| format!("  {} = {}", literal(k), literal(v)))
        .collect();
    format!(
        "CREATE TEMPORARY TABLE {} (\n{}\n) WITH (\n{}\n);\n",
        ident(name),
        lines.join(",\n"),
        with.join(",\n")
    )
}
