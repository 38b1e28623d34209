//! The statements scaleph understands: one struct per extension statement
//! (each with a `Display` that prints canonical SQL which parses back to the
//! same value), plus the statements that stay in sqlparser's AST or are
//! forwarded to Flink as written.

use std::fmt;

use sqlparser::ast::Ident;

/// One parsed statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `CREATE DATASOURCE [IF NOT EXISTS] name TYPE t WITH (...)`.
    CreateDatasource(CreateDatasource),
    /// `DROP DATASOURCE [IF EXISTS] name`.
    DropDatasource(DropDatasource),
    /// `SHOW DATASOURCES [LIKE 'pattern']`.
    ShowDatasources(ShowDatasources),
    /// `SET name = value`, `SET name TO value`, `SET 'key' = 'value'`.
    SetVariable(SetVariable),
    /// `SHOW name`, `SHOW ALL`.
    ShowVariable(ShowVariable),
    /// `RESET name`, `RESET 'key'`, `RESET ALL`, `RESET`.
    ResetVariable(ResetVariable),
    /// `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`: accepted as
    /// no-ops so that drivers with autocommit off work.
    Transaction(TransactionCommand),
    /// A query (`SELECT`, `VALUES`, `WITH`, `EXPLAIN` of a query) in
    /// sqlparser's AST: the local engine answers it when every table it
    /// reads is scaleph's own (`scaleph.*`, `pg_catalog`,
    /// `information_schema`) or it reads none; otherwise it is Flink SQL.
    Query(Box<sqlparser::ast::Statement>),
    /// Anything else: Flink SQL, forwarded as the user wrote it.
    Flink(FlinkStatement),
}

/// `CREATE DATASOURCE [IF NOT EXISTS] name TYPE type WITH (options)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateDatasource {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The datasource's name.
    pub name: Ident,
    /// The datasource type (`mysql`, `postgresql`, ...).
    pub datasource_type: Ident,
    /// The `WITH (...)` options, in the order written.
    pub options: Options,
}

/// `DROP DATASOURCE [IF EXISTS] name`.
#[derive(Clone, Debug, PartialEq)]
pub struct DropDatasource {
    /// `IF EXISTS` given.
    pub if_exists: bool,
    /// The datasource's name.
    pub name: Ident,
}

/// `SHOW DATASOURCES [LIKE 'pattern']`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowDatasources {
    /// A SQL LIKE pattern on the name.
    pub like: Option<String>,
}

/// `SET name = value` (PostgreSQL form) or `SET 'key' = 'value'` (Flink form).
#[derive(Clone, Debug, PartialEq)]
pub struct SetVariable {
    /// The variable name as written, without quotes.
    pub name: String,
    /// The value as text (`DEFAULT` resets).
    pub value: SetValue,
}

/// The value side of `SET`.
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    /// A value (literal, identifier or comma-separated list, joined by `, `).
    Value(String),
    /// `DEFAULT`: same as `RESET name`.
    Default,
}

/// `SHOW name` or `SHOW ALL`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowVariable {
    /// The variable, or `None` for `SHOW ALL`.
    pub name: Option<String>,
}

/// `RESET name` / `RESET 'key'`, or `RESET ALL` / `RESET` (name `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct ResetVariable {
    /// The variable, or `None` for all.
    pub name: Option<String>,
}

/// A transaction-control statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionCommand {
    /// `BEGIN` / `START TRANSACTION`.
    Begin,
    /// `COMMIT` / `END`.
    Commit,
    /// `ROLLBACK` / `ABORT`.
    Rollback,
}

/// A Flink statement: forwarded as written; `kind` says what it is, for
/// routing, previews and replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkStatement {
    /// What the leading tokens say it is.
    pub kind: FlinkStatementKind,
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
    /// `USE`, `USE CATALOG`.
    Use,
    /// `SHOW ...`, `DESCRIBE`/`DESC`, `EXPLAIN` of Flink objects and plans.
    Show,
    /// `ADD JAR`, `REMOVE JAR`, `SHOW JARS`.
    Jar,
    /// `SHOW JOBS`, `STOP JOB`, `DESCRIBE JOB`.
    Job,
    /// Anything else; Flink decides.
    Other,
}

/// The `WITH (...)` options of a statement, in the order written; keys are
/// unique (the parser rejects duplicates).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options(pub Vec<SqlOption>);

/// One `key = value` option.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlOption {
    /// The key, unquoted (`host`, `table.name.pattern`).
    pub key: String,
    /// The value.
    pub value: OptionValue,
}

/// An option value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// `'text'`.
    String(String),
    /// `3306`, `1.5`.
    Number(String),
    /// `true` / `false`.
    Boolean(bool),
}

impl OptionValue {
    /// The value as text, as it is stored (`'s'` -> `s`, `3306` -> `3306`).
    pub fn as_text(&self) -> String {
        match self {
            OptionValue::String(s) | OptionValue::Number(s) => s.clone(),
            OptionValue::Boolean(b) => b.to_string(),
        }
    }
}

/// Writes `s` as a single-quoted SQL string literal.
pub fn quote_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Writes an option key: bare when it is a plain identifier, quoted otherwise.
fn fmt_key(key: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let bare = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        f.write_str(key)
    } else {
        f.write_str(&quote_string(key))
    }
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::String(s) => f.write_str(&quote_string(s)),
            OptionValue::Number(n) => f.write_str(n),
            OptionValue::Boolean(b) => write!(f, "{}", if *b { "TRUE" } else { "FALSE" }),
        }
    }
}

impl fmt::Display for SqlOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_key(&self.key, f)?;
        write!(f, " = {}", self.value)
    }
}

impl fmt::Display for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, option) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{option}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for CreateDatasource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE DATASOURCE ")?;
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        write!(f, "{} TYPE {}", self.name, self.datasource_type)?;
        if !self.options.0.is_empty() {
            write!(f, " WITH {}", self.options)?;
        }
        Ok(())
    }
}

impl fmt::Display for DropDatasource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DROP DATASOURCE ")?;
        if self.if_exists {
            f.write_str("IF EXISTS ")?;
        }
        write!(f, "{}", self.name)
    }
}

impl fmt::Display for ShowDatasources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW DATASOURCES")?;
        if let Some(like) = &self.like {
            write!(f, " LIKE {}", quote_string(like))?;
        }
        Ok(())
    }
}
