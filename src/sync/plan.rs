//! A sync's plan: what `CREATE SYNC` read from the source's live metadata
//! (the tables its patterns matched, their columns and primary keys) and
//! what it decided (each table's target name per sink). It is stored as
//! JSON with the sync, so EXPLAIN, DESCRIBE and START work from the same
//! facts without reaching the source again; ALTER SYNC ... REFRESH (or a
//! new CREATE) plans again.
//!
//! The plan keeps the source's own facts (type name, length, precision,
//! scale); the type each engine gets is derived from them by
//! [`super::types`], so a better mapping applies to stored plans too.

use serde::{Deserialize, Serialize};

use crate::datasource::flink_types::{SourceColumn, SourceDialect};

/// `MODE`: how a sync copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// The snapshot, then the change log, continuously.
    Cdc,
    /// One batch copy that ends.
    Snapshot,
}

/// `ENGINE`: what runs a sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Engine {
    /// Flink CDC 3.x pipelines (YAML), one per sink.
    FlinkCdc,
    /// One SeaTunnel job (Zeta REST API v2): one source, N sinks.
    Seatunnel,
    /// Flink SQL: CREATE TABLE per source and sink table, one statement set.
    FlinkSql,
}

/// The whole plan of one sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncPlan {
    /// Where the rows come from.
    pub source: PlannedSource,
    /// How they are copied.
    pub mode: Mode,
    /// What copies them.
    pub engine: Engine,
    /// The tables, in the source's order (schema, then name).
    pub tables: Vec<PlannedTable>,
    /// Where they go, in the order written.
    pub sinks: Vec<PlannedSink>,
}

/// The source datasource, as resolved at planning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedSource {
    /// The datasource's name.
    pub datasource: String,
    /// Its type (`mysql`, `postgresql`, `kafka`, ...).
    pub datasource_type: String,
    /// The database read (PostgreSQL: the database connected to; MySQL:
    /// the schema), `None` for sources without one (a topic).
    pub database: Option<String>,
    /// For a message-queue source: the topic read.
    pub topic: Option<String>,
    /// The patterns of `TABLES (...)` as written (empty: every table).
    pub patterns: Vec<String>,
}

/// A source table and what it has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedTable {
    /// PostgreSQL's schema (`public`); for MySQL the database.
    pub schema: String,
    /// The table's name in the source.
    pub name: String,
    /// Its columns, in ordinal order.
    pub columns: Vec<PlannedColumn>,
    /// The primary key's columns, in key order; empty when it has none.
    pub primary_key: Vec<String>,
}

/// A column of a source table: the source's own facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedColumn {
    /// The column's name.
    pub name: String,
    /// The type as the source shows it (`decimal(10,2)`, `int unsigned`,
    /// `timestamp with time zone`, `_int4`).
    pub source_type: String,
    /// The type's base name as the catalog stores it (`decimal`, `int`,
    /// `timestamp with time zone`; PostgreSQL arrays `_int4`).
    pub data_type: String,
    /// Character length, when the type has one.
    pub length: Option<i64>,
    /// Numeric precision, when the type has one.
    pub precision: Option<i64>,
    /// Numeric scale or fractional-second digits, when the type has them.
    pub scale: Option<i64>,
    /// Whether NULL is allowed.
    pub nullable: bool,
}

impl PlannedColumn {
    /// The facts the type mappings of `dialect` take.
    pub fn source_column(&self, dialect: SourceDialect) -> SourceColumn {
        SourceColumn {
            // MySQL's mapping reads `unsigned` and `tinyint(1)` from the
            // full column type; PostgreSQL's from the base name.
            data_type: match dialect {
                SourceDialect::Mysql => self.source_type.clone(),
                SourceDialect::Postgresql => self.data_type.clone(),
            },
            length: self.length,
            precision: self.precision,
            scale: self.scale,
        }
    }
}

/// A sink and where each table goes in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedSink {
    /// The sink datasource's name.
    pub datasource: String,
    /// Its type.
    pub datasource_type: String,
    /// Where in it the tables go.
    pub target: PlannedTarget,
    /// The target name of each table of [`SyncPlan::tables`], same order:
    /// a table name (database sinks) or a topic (message queues).
    pub names: Vec<String>,
}

/// Where a sink writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedTarget {
    /// `DATABASE db` (or the sink's default database): a table per
    /// source table.
    Database(String),
    /// `TOPIC 'name'`: every table into one topic.
    Topic(String),
    /// `TOPIC PATTERN 'shop.{table}'`: a topic per table.
    TopicPattern(String),
    /// A sink with neither (a lake's warehouse root, say).
    Default,
}

impl SyncPlan {
    /// The dialect of the source's type names, for the type mappings.
    pub fn dialect(&self) -> Option<SourceDialect> {
        match self.source.datasource_type.as_str() {
            "postgresql" => Some(SourceDialect::Postgresql),
            "mysql" => Some(SourceDialect::Mysql),
            _ => None,
        }
    }
}
