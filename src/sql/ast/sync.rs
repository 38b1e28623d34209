//! `CREATE SYNC`: a whole database (or a table selection) copied from one
//! data source to one or more sinks.

use std::fmt;

use sqlparser::ast::Ident;

use super::common::{Options, fmt_if, fmt_list, fmt_with, q, quote_string};
use super::object::ObjectStatement;

/// The sync family.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncStatement {
    /// SHOW, DESCRIBE, DROP, ALTER, START, STOP, EXPLAIN of a sync.
    Object(ObjectStatement),
    /// `CREATE SYNC ...`.
    Create(CreateSync),
}

/// `CREATE SYNC [IF NOT EXISTS] name FROM source [DATABASE db] [TABLES (...)]
/// TO sink [, sink ...] [MODE m] [ENGINE e] [WITH (...)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateSync {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The sync's name.
    pub name: Ident,
    /// `ON CLUSTER c`: where it runs (the default cluster when absent).
    pub cluster: Option<Ident>,
    /// The source datasource.
    pub source: Ident,
    /// The source database (or schema); the datasource's default when absent.
    pub database: Option<Ident>,
    /// Table names or regular expressions; every table when empty.
    pub tables: Vec<String>,
    /// Where the rows go, in the order written.
    pub sinks: Vec<SyncSink>,
    /// `MODE`, when given.
    pub mode: Option<SyncMode>,
    /// `ENGINE`, when given (otherwise chosen from the source and sinks).
    pub engine: Option<SyncEngine>,
    /// The `WITH (...)` options.
    pub options: Options,
}

/// One sink of a sync.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncSink {
    /// The sink datasource.
    pub datasource: Ident,
    /// Where in it the tables go.
    pub target: SinkTarget,
}

/// Where a sink writes.
#[derive(Clone, Debug, PartialEq)]
pub enum SinkTarget {
    /// The sink's default place.
    Default,
    /// `DATABASE db`: one table per source table in this database.
    Database(Ident),
    /// `TOPIC 'name'`: every table into one topic.
    Topic(String),
    /// `TOPIC PATTERN 'shop.{table}'`: a topic per table.
    TopicPattern(String),
}

/// How a sync copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncMode {
    /// Snapshot, then the change log, continuously.
    Cdc,
    /// One batch copy.
    Snapshot,
}

/// What runs a sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncEngine {
    /// A Flink CDC pipeline (YAML).
    FlinkCdc,
    /// A SeaTunnel job (HOCON).
    Seatunnel,
    /// Flink SQL statements.
    FlinkSql,
}

impl SyncMode {
    /// Every mode, by keyword.
    pub const KEYWORDS: &[(&str, SyncMode)] =
        &[("CDC", SyncMode::Cdc), ("SNAPSHOT", SyncMode::Snapshot)];

    /// The mode's keyword.
    pub fn keyword(self) -> &'static str {
        keyword_of(Self::KEYWORDS, self)
    }
}

impl SyncEngine {
    /// Every engine, by keyword.
    pub const KEYWORDS: &[(&str, SyncEngine)] = &[
        ("FLINK_CDC", SyncEngine::FlinkCdc),
        ("SEATUNNEL", SyncEngine::Seatunnel),
        ("FLINK_SQL", SyncEngine::FlinkSql),
    ];

    /// The engine's keyword.
    pub fn keyword(self) -> &'static str {
        keyword_of(Self::KEYWORDS, self)
    }
}

/// The keyword of `value` in a keyword table.
pub(crate) fn keyword_of<T: PartialEq + Copy>(
    table: &[(&'static str, T)],
    value: T,
) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(k, _)| k)
}

impl fmt::Display for SyncSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", q(&self.datasource))?;
        match &self.target {
            SinkTarget::Default => Ok(()),
            SinkTarget::Database(db) => write!(f, " DATABASE {}", q(db)),
            SinkTarget::Topic(topic) => write!(f, " TOPIC {}", quote_string(topic)),
            SinkTarget::TopicPattern(pattern) => {
                write!(f, " TOPIC PATTERN {}", quote_string(pattern))
            }
        }
    }
}

impl fmt::Display for CreateSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE SYNC")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(f, " {}", q(&self.name))?;
        if let Some(cluster) = &self.cluster {
            write!(f, " ON CLUSTER {}", q(cluster))?;
        }
        write!(f, " FROM {}", q(&self.source))?;
        if let Some(database) = &self.database {
            write!(f, " DATABASE {}", q(database))?;
        }
        if !self.tables.is_empty() {
            let tables: Vec<String> = self.tables.iter().map(|t| quote_string(t)).collect();
            f.write_str(" TABLES (")?;
            fmt_list(f, &tables)?;
            f.write_str(")")?;
        }
        f.write_str(" TO ")?;
        fmt_list(f, &self.sinks)?;
        if let Some(mode) = self.mode {
            write!(f, " MODE {}", mode.keyword())?;
        }
        if let Some(engine) = self.engine {
            write!(f, " ENGINE {}", engine.keyword())?;
        }
        fmt_with(f, &self.options)
    }
}
