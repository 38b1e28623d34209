//! Session statements: variables, transaction control, and the Flink
//! statements scaleph forwards as written.

use std::fmt;

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
    /// `SAVEPOINT name`.
    Savepoint,
    /// `RELEASE [SAVEPOINT] name`.
    Release,
    /// `ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name`: the transaction goes on.
    RollbackToSavepoint,
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
    /// `CREATE [OR REPLACE] TABLE ... AS <query>`, `REPLACE TABLE ... AS <query>`.
    CreateTableAs,
    /// `USE`, `USE CATALOG`.
    Use,
    /// `SHOW ...`, `DESCRIBE`/`DESC`, `EXPLAIN` of Flink objects and plans.
    Show,
    /// `ADD JAR`, `REMOVE JAR`, `SHOW JARS`.
    Jar,
    /// Flink's own `STOP JOB '<id>'` and `DESCRIBE JOB '<id>'` (by job id).
    Job,
    /// Anything else; Flink decides.
    Other,
}

impl fmt::Display for TransactionCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransactionCommand::Begin => "BEGIN",
            TransactionCommand::Commit => "COMMIT",
            TransactionCommand::Rollback | TransactionCommand::RollbackToSavepoint => "ROLLBACK",
            TransactionCommand::Savepoint => "SAVEPOINT",
            TransactionCommand::Release => "RELEASE",
        })
    }
}

/// The text of a Flink statement embedded in an extension statement
/// (`CREATE JOB ... AS <body>`, `PREVIEW <body>`), with its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkBody {
    /// The statement as written.
    pub text: String,
    /// What it is.
    pub kind: FlinkStatementKind,
}

impl fmt::Display for FlinkBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
