//! Planning a sync from the source's live metadata: read every table of
//! the database once ([`crate::datasource::schema`]), keep the tables the
//! `TABLES (...)` patterns match, and name each table in each sink.
//!
//! A pattern is a table name or a regular expression (Rust `regex`
//! syntax), matched against the whole name: `user_.*` matches `user_a`,
//! not `old_user_a`. A pattern with a dot is also tried against
//! `schema.table`, so `public\.orders` and `sales\..*` pick schemas on
//! PostgreSQL. Every pattern must match something: a pattern that matches
//! nothing is almost always a typo, and a sync that silently copies fewer
//! tables than asked loses data, so it is an error naming what the
//! database has.
//!
//! Reading and resolving are separate so that resolving — the part that
//! grows with the database — is tested and benchmarked without a server.

use std::collections::BTreeMap;

use regex::Regex;

use super::plan::{
    Engine, Mode, PlannedColumn, PlannedSink, PlannedSource, PlannedTable, PlannedTarget, SyncPlan,
};
use crate::catalog::{Category, DatasourceType};
use crate::datasource::ConnectionOptions;
use crate::datasource::metadata::dialect;
use crate::datasource::schema::{TableSchema, read_database};
use crate::error::{Error, Result, SqlState};
use crate::sql::ast::SinkTarget;
use crate::store::{Datasource, OptionEntry};

/// A sink as `CREATE SYNC` names it, with its datasource loaded.
pub struct SinkSpec<'a> {
    /// The sink datasource.
    pub datasource: &'a Datasource,
    /// Its type.
    pub kind: &'a DatasourceType,
    /// Where in it the tables go.
    pub target: &'a SinkTarget,
}

/// What planning needs besides the metadata.
pub struct Request<'a> {
    /// The source datasource.
    pub source: &'a Datasource,
    /// Its type.
    pub source_kind: &'a DatasourceType,
    /// `DATABASE db`, when given.
    pub database: Option<&'a str>,
    /// `TABLES (...)` as written; empty for every table.
    pub patterns: &'a [String],
    /// The sinks, in the order written.
    pub sinks: &'a [SinkSpec<'a>],
    /// `MODE`.
    pub mode: Mode,
    /// `ENGINE`.
    pub engine: Engine,
    /// A table's name in a database sink, from (schema, database, table)
    /// (the `table.name.pattern` option).
    pub table_name: &'a (dyn Fn(&str, &str, &str) -> String + Sync),
}

/// Reads the source's tables and plans: 08006 naming the datasource when
/// the source cannot be read, 0A000 for a source type without metadata.
pub async fn plan(request: &Request<'_>) -> Result<SyncPlan> {
    let kind = request.source_kind;
    let Some(dialect) = dialect(kind) else {
        return Err(Error::not_supported(format!(
            "planning a sync from a {} datasource (sources with live metadata: postgresql, mysql)",
            kind.name
        )));
    };
    let options = ConnectionOptions::new(kind, &request.source.options);
    let tables = read_database(dialect, &options, request.database)
        .await
        .map_err(|e| {
            Error::new(
                SqlState::CONNECTION_FAILURE,
                format!(
                    "cannot read the tables of datasource \"{}\": {e}",
                    request.source.name
                ),
            )
        })?;
    resolve(request, tables)
}

/// The database planning reads: `DATABASE db`, else the datasource's own.
fn source_database(request: &Request<'_>) -> Option<String> {
    request
        .database
        .map(str::to_string)
        .or_else(|| plain_option(request.source, "database"))
}

fn plain_option(datasource: &Datasource, key: &str) -> Option<String> {
    match datasource.options.get(key) {
        Some(OptionEntry::Plain(value)) => Some(value.clone()),
        _ => None,
    }
}

/// Plans from `tables`, the source database's tables as read.
pub fn resolve(request: &Request<'_>, tables: Vec<TableSchema>) -> Result<SyncPlan> {
    let database = source_database(request);
    let tables = select(request, tables)?;
    let planned: Vec<PlannedTable> = tables.into_iter().map(planned_table).collect();
    let sinks = request
        .sinks
        .iter()
        .map(|sink| plan_sink(request, database.as_deref(), sink, &planned))
        .collect::<Result<Vec<_>>>()?;
    Ok(SyncPlan {
        source: PlannedSource {
            datasource: request.source.name.clone(),
            datasource_type: request.source.datasource_type.clone(),
            database,
            topic: None,
            patterns: request.patterns.to_vec(),
        },
        mode: request.mode,
        engine: request.engine,
        tables: planned,
        sinks,
    })
}

/// The tables the patterns pick, in the database's order.
fn select(request: &Request<'_>, tables: Vec<TableSchema>) -> Result<Vec<TableSchema>> {
    let source = &request.source.name;
    if tables.is_empty() {
        return Err(Error::new(
            SqlState::UNDEFINED_TABLE,
            format!("datasource \"{source}\" has no tables to sync in the database read"),
        )
        .with_hint("name the database with DATABASE db"));
    }
    if request.patterns.is_empty() {
        return Ok(tables);
    }
    let patterns = request
        .patterns
        .iter()
        .map(|p| compile(p))
        .collect::<Result<Vec<_>>>()?;
    let mut used = vec![false; patterns.len()];
    let mut picked = Vec::new();
    let mut names = Vec::new();
    for table in tables {
        let qualified = format!("{}.{}", table.schema, table.name);
        let mut take = false;
        for (i, (text, regex)) in patterns.iter().enumerate() {
            let hit =
                regex.is_match(&table.name) || (text.contains('.') && regex.is_match(&qualified));
            if hit {
                used[i] = true;
                take = true;
            }
        }
        if take {
            picked.push(table);
        } else {
            names.push(qualified);
        }
    }
    let unmatched: Vec<&str> = patterns
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|((text, _), _)| text.as_str())
        .collect();
    if !unmatched.is_empty() {
        // The schemas the other patterns reached first: in a database of
        // many schemas those are the tables the user is looking at.
        let near: std::collections::BTreeSet<&str> =
            picked.iter().map(|t| t.schema.as_str()).collect();
        names.extend(picked.iter().map(|t| format!("{}.{}", t.schema, t.name)));
        names.sort_by_key(|n| {
            let schema = n.split('.').next().unwrap_or_default();
            (!near.contains(schema), n.clone())
        });
        return Err(Error::new(
            SqlState::UNDEFINED_TABLE,
            format!(
                "no table of datasource \"{source}\" matches {}",
                unmatched
                    .iter()
                    .map(|p| format!("'{p}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_hint(format!("the database has {}", listing(&names))));
    }
    Ok(picked)
}

/// At most 20 names, then how many more.
fn listing(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// A pattern as an anchored regular expression; 2201B naming it when it
/// does not compile.
fn compile(pattern: &str) -> Result<(String, Regex)> {
    Regex::new(&format!("^(?:{pattern})$"))
        .map(|regex| (pattern.to_string(), regex))
        .map_err(|e| {
            Error::new(
                SqlState::INVALID_REGULAR_EXPRESSION,
                format!("TABLES pattern '{pattern}' is not a valid regular expression: {e}"),
            )
        })
}

fn planned_table(table: TableSchema) -> PlannedTable {
    PlannedTable {
        schema: table.schema,
        name: table.name,
        columns: table
            .columns
            .into_iter()
            .map(|c| PlannedColumn {
                name: c.name,
                source_type: c.full_type,
                data_type: c.data_type,
                length: c.length,
                precision: c.precision,
                scale: c.scale,
                nullable: c.nullable,
            })
            .collect(),
        primary_key: table.primary_key,
    }
}

/// Where `sink` puts each table: 22023 when the target does not suit the
/// sink's kind, 42P07 when two tables would land on one name or a table
/// on itself.
fn plan_sink(
    request: &Request<'_>,
    source_database: Option<&str>,
    sink: &SinkSpec<'_>,
    tables: &[PlannedTable],
) -> Result<PlannedSink> {
    let name = &sink.datasource.name;
    let queue = sink.kind.category == Category::MessageQueue;
    let target = match (sink.target, queue) {
        (SinkTarget::Topic(topic), true) => PlannedTarget::Topic(topic.clone()),
        (SinkTarget::TopicPattern(pattern), true) => PlannedTarget::TopicPattern(pattern.clone()),
        (SinkTarget::Database(_), true) => {
            return Err(wrong_target(
                name,
                sink.kind,
                "DATABASE",
                "TOPIC 'name' or TOPIC PATTERN 'prefix.{table}'",
            ));
        }
        (SinkTarget::Default, true) => PlannedTarget::TopicPattern("{table}".into()),
        (SinkTarget::Topic(_) | SinkTarget::TopicPattern(_), false) => {
            return Err(wrong_target(name, sink.kind, "TOPIC", "DATABASE db"));
        }
        (SinkTarget::Database(db), false) => {
            PlannedTarget::Database(crate::sql::ast::object_name(db))
        }
        (SinkTarget::Default, false) => match plain_option(sink.datasource, "database") {
            Some(db) => PlannedTarget::Database(db),
            None => PlannedTarget::Default,
        },
    };
    let database = source_database.unwrap_or_default();
    let names: Vec<String> = tables
        .iter()
        .map(|t| match &target {
            PlannedTarget::Topic(topic) => topic.clone(),
            PlannedTarget::TopicPattern(pattern) => {
                substitute(pattern, &t.schema, database, &t.name)
            }
            PlannedTarget::Database(_) | PlannedTarget::Default => {
                (request.table_name)(&t.schema, database, &t.name)
            }
        })
        .collect();
    if !matches!(target, PlannedTarget::Topic(_)) {
        let mut seen: BTreeMap<&str, &PlannedTable> = BTreeMap::new();
        for (table, target_name) in tables.iter().zip(&names) {
            if let Some(first) = seen.insert(target_name, table) {
                return Err(Error::new(
                    SqlState::DUPLICATE_TABLE,
                    format!(
                        "tables {}.{} and {}.{} would both be written to \"{target_name}\" in sink \"{name}\"",
                        first.schema, first.name, table.schema, table.name
                    ),
                )
                .with_hint("put {schema} into 'table.name.pattern' (e.g. '{schema}_{table}') or narrow TABLES"));
            }
        }
    }
    if same_server(sink.datasource, request.source) {
        let same_database = match &target {
            PlannedTarget::Database(db) => Some(db.as_str()) == source_database,
            _ => false,
        };
        if let Some((table, _)) = tables
            .iter()
            .zip(&names)
            .find(|(t, n)| same_database && t.name == **n)
            .filter(|_| same_database)
        {
            return Err(Error::new(
                SqlState::DUPLICATE_TABLE,
                format!(
                    "sink \"{name}\" is the source's server and database: table {} would be written onto itself",
                    table.name
                ),
            )
            .with_hint("write into another DATABASE or set 'table.name.pattern' (e.g. 'copy_{table}')"));
        }
    }
    Ok(PlannedSink {
        datasource: name.clone(),
        datasource_type: sink.kind.name.clone(),
        target,
        names,
    })
}

/// Whether two datasources reach the same server: the same datasource, or
/// the same type, host and port.
fn same_server(a: &Datasource, b: &Datasource) -> bool {
    if a.name == b.name {
        return true;
    }
    let address = |d: &Datasource| {
        (
            plain_option(d, "host").map(|h| h.to_lowercase()),
            plain_option(d, "port"),
        )
    };
    a.datasource_type == b.datasource_type && address(a).0.is_some() && address(a) == address(b)
}

fn wrong_target(name: &str, kind: &DatasourceType, given: &str, instead: &str) -> Error {
    Error::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!(
            "sink \"{name}\" is a {} datasource: {given} does not apply to it",
            kind.name
        ),
    )
    .with_hint(format!("write {instead}"))
}

/// `pattern` with `{schema}`, `{database}` and `{table}` replaced.
pub fn substitute(pattern: &str, schema: &str, database: &str, table: &str) -> String {
    pattern
        .replace("{schema}", schema)
        .replace("{database}", database)
        .replace("{table}", table)
}
