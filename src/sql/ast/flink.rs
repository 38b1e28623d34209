//! Flink statements: forwarded as the user wrote them, and classified once,
//! at parse time ([`crate::sql::classify`]), into everything later code
//! asks of them — routing, previews, replay, command tags, and later jobs,
//! syncs, schedules and audit. Nothing after the parser re-reads the text
//! to learn what a Flink statement is.

use std::fmt;

use crate::error::Error;

/// A Flink statement, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkStatement {
    /// What its leading tokens say it is.
    pub kind: FlinkStatementKind,
    /// Its command tag when it returns no rows: the leading words
    /// (`CREATE TABLE`, `USE`, `ADD JAR`, `SET`).
    pub tag: String,
    /// What a successful run leaves in the Flink session.
    pub effect: Effect,
    /// For `CREATE`/`DROP`/`ALTER`: which object it defines.
    pub ddl: Option<Ddl>,
    /// For `USE CATALOG c` and `USE c.db`: the catalog it makes current.
    pub uses_catalog: Option<String>,
    /// For `USE db` and `USE c.db`: the database it makes current (`USE
    /// CATALOG c` makes `c`'s default database current, which only Flink
    /// knows by name).
    pub uses_database: Option<String>,
    /// For a write (INSERT, statement set, CREATE TABLE AS): its sinks and
    /// the queries that feed them, or why it cannot be cut into them
    /// (an error only a preview reports).
    pub write: Option<Result<Writing, Error>>,
    /// Whether it submits a Flink job that writes: an INSERT, a statement
    /// set, CREATE TABLE AS, `EXECUTE PLAN`, a compaction, a materialized
    /// table.
    pub submits_job: bool,
    /// Whether it may write data or submit a job any other way
    /// (`DELETE`, `UPDATE`, `TRUNCATE`, `ANALYZE`, `CALL`, ...): with
    /// `submits_job`, what preview mode keeps from Flink.
    pub writes_data: bool,
    /// For a query: whether its result may update or retract rows it
    /// already gave (aggregations, DISTINCT, outer joins, ranking, set
    /// operations without ALL).
    pub may_update: bool,
    /// The text to send instead of the text as written, when Flink's SQL
    /// Gateway cannot take it as written (`BEGIN STATEMENT SET; ...; END`).
    pub rewritten: Option<String>,
    /// The text with secret option values masked, when it has any.
    pub redacted: Option<String>,
}

impl FlinkStatement {
    /// The text to send to Flink: `text` (the statement as written), or
    /// its rewrite.
    pub fn forwardable<'a>(&'a self, text: &'a str) -> &'a str {
        self.rewritten.as_deref().unwrap_or(text)
    }

    /// The sinks it writes, as written (`db.sink`), in order.
    pub fn sinks(&self) -> Vec<&str> {
        match &self.write {
            Some(Ok(Writing::Insert(insert))) => vec![insert.sink.as_str()],
            Some(Ok(Writing::StatementSet(inserts))) => {
                inserts.iter().map(|i| i.sink.as_str()).collect()
            }
            Some(Ok(Writing::TableAs { table, .. })) => vec![table.as_str()],
            Some(Err(_)) | None => Vec::new(),
        }
    }

    /// Whether preview mode lets it reach Flink: queries, SHOW and
    /// DESCRIBE, USE, jars, and DDL that only defines things; never one
    /// that writes a sink or submits a job.
    pub fn preview_allows(&self) -> bool {
        !self.submits_job && !self.writes_data
    }

    /// Whether it is a write a preview can show: an INSERT, a statement set
    /// or CREATE TABLE AS.
    pub fn is_previewable_write(&self) -> bool {
        self.write.is_some()
    }

    /// Whether it changes what the Flink catalog holds (so listings of the
    /// catalog are stale after it).
    pub fn changes_catalog(&self) -> bool {
        matches!(
            self.kind,
            FlinkStatementKind::Ddl | FlinkStatementKind::CreateTableAs | FlinkStatementKind::Other
        )
    }
}

/// The families of Flink statements, told apart by their leading tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlinkStatementKind {
    /// `SELECT`, `WITH`, `VALUES`, `TABLE` reading Flink tables.
    Query,
    /// `INSERT INTO` / `INSERT OVERWRITE`.
    Insert,
    /// `EXECUTE STATEMENT SET BEGIN ... END` / `BEGIN STATEMENT SET; ... END`.
    StatementSet,
    /// `CREATE/DROP/ALTER` of Flink objects (tables, views, catalogs, databases, functions).
    Ddl,
    /// `CREATE [OR REPLACE] TABLE ... AS <query>`, `REPLACE TABLE ... AS <query>`.
    CreateTableAs,
    /// `USE`, `USE CATALOG`.
    Use,
    /// `SHOW ...`, `DESCRIBE`/`DESC`, `EXPLAIN` of Flink objects and plans.
    Show,
    /// `ADD JAR`, `REMOVE JAR`, `SHOW JARS`.
    Jar,
    /// Flink's own `STOP JOB '<id>'` and `DESCRIBE JOB '<id>'` (by job id),
    /// and `SHOW JOBS`.
    Job,
    /// Anything else; Flink decides.
    Other,
}

impl FlinkStatementKind {
    /// Whether statements of this kind write sinks (and so submit a job):
    /// an INSERT, a statement set, CREATE TABLE AS.
    pub fn writes_sinks(self) -> bool {
        matches!(
            self,
            FlinkStatementKind::Insert
                | FlinkStatementKind::StatementSet
                | FlinkStatementKind::CreateTableAs
        )
    }
}

/// What a successful Flink statement leaves in the Flink session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: a query, an INSERT, a SHOW.
    None,
    /// A change of the session's state (USE, CREATE/DROP/ALTER of a
    /// database, table, view or function, LOAD/UNLOAD MODULE): replayed,
    /// in order, into a reopened Flink session.
    Session,
}

/// What a `CREATE`, `DROP` or `ALTER` defines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ddl {
    /// `CREATE`, `DROP` or `ALTER` (`REPLACE TABLE` is a `CREATE`).
    pub verb: DdlVerb,
    /// The object word, upper-cased: `TABLE`, `VIEW`, `FUNCTION`,
    /// `DATABASE`, `CATALOG`, `MODEL`, `MATERIALIZED TABLE`.
    pub object: String,
    /// `TEMPORARY` (or `TEMPORARY SYSTEM`): it lives in the Flink session only.
    pub temporary: bool,
    /// The object's name as written (`lake.db.t`), when the statement names one.
    pub name: Option<String>,
    /// The name's parts, quotes removed (`["lake", "db", "t"]`); empty
    /// when the statement names none.
    pub path: Vec<String>,
    /// `IF NOT EXISTS` (a CREATE) or `IF EXISTS` (a DROP, an ALTER).
    pub if_exists: bool,
    /// `ALTER ... RENAME TO name`: the new name's parts, quotes removed.
    pub renamed_to: Option<Vec<String>>,
}

impl Ddl {
    /// The catalog the object lives in when its name says so (a
    /// database's `cat.db`, a table's, view's or function's `cat.db.t`);
    /// `None` when it lives in the current catalog, or is a catalog.
    pub fn catalog(&self) -> Option<&str> {
        let qualified = match self.object.as_str() {
            "CATALOG" => return None,
            "DATABASE" => 2,
            _ => 3,
        };
        (self.path.len() == qualified).then(|| self.path[0].as_str())
    }
}

/// The verb of a DDL statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DdlVerb {
    /// `CREATE`, `CREATE OR REPLACE`, `REPLACE`.
    Create,
    /// `DROP`.
    Drop,
    /// `ALTER`.
    Alter,
}

/// A sink column: its name and Flink type (as `DESCRIBE` shows it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkColumn {
    /// The column name.
    pub name: String,
    /// Its Flink type, e.g. `INT`, `VARCHAR(20) NOT NULL`.
    pub data_type: String,
}

/// An `INSERT`, cut into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insert {
    /// The sink as written (`db.sink`, `` `my sink` ``).
    pub sink: String,
    /// The explicit column list, if any.
    pub columns: Option<Vec<String>>,
    /// Static partition values: column and literal as written.
    pub partition: Vec<(String, String)>,
    /// The query whose rows would be written (with a leading `WITH` kept).
    pub query: String,
}

/// What a write statement writes, and from which query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Writing {
    /// One INSERT.
    Insert(Insert),
    /// The INSERTs of `EXECUTE STATEMENT SET BEGIN ... END`.
    StatementSet(Vec<Insert>),
    /// `CREATE [OR REPLACE] TABLE t ... AS <query>`: the table and the query.
    TableAs {
        /// The table that would be created.
        table: String,
        /// Its query.
        query: String,
    },
}

/// The text of a Flink statement embedded in an extension statement
/// (`CREATE JOB ... AS <body>`, `PREVIEW <body>`), classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkBody {
    /// The statement as written.
    pub text: String,
    /// What it is (boxed: a classification is large beside the
    /// statements that embed it).
    pub flink: Box<FlinkStatement>,
}

impl FlinkBody {
    /// What kind of Flink statement it is.
    pub fn kind(&self) -> FlinkStatementKind {
        self.flink.kind
    }
}

impl fmt::Display for FlinkBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
