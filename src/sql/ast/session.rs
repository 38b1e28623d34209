//! Session statements: variables and transaction control.

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
