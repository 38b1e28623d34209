//! What a statement returns, whatever handled it: rows as an Arrow schema
//! plus a stream of record batches, or a command tag. Frontends (pgwire,
//! REPL) encode these and nothing else.

use std::fmt;
use std::pin::Pin;

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use futures::Stream;

use crate::error::{Error, Result, SqlState};

/// A stream of record batches, all of one schema.
pub type RecordBatchStream = Pin<Box<dyn Stream<Item = Result<RecordBatch>> + Send>>;

/// What a statement needs and returns, known before it runs: the types of
/// its `$n` parameters (`None` where they cannot be inferred) and the
/// schema of its rows (`None` for statements that return no rows).
#[derive(Clone, Debug, Default)]
pub struct Description {
    /// Parameter types, `$1` first.
    pub param_types: Vec<Option<DataType>>,
    /// Row schema, if the statement returns rows.
    pub schema: Option<SchemaRef>,
}

/// The outcome of one statement.
pub enum QueryResult {
    /// Rows: the schema is known before the first batch arrives.
    Rows {
        /// Column names and types.
        schema: SchemaRef,
        /// The batches, produced while the client reads them.
        batches: RecordBatchStream,
    },
    /// A statement that returns no rows, with the tag clients expect.
    Command(CommandTag),
}

impl QueryResult {
    /// Rows already in memory.
    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> QueryResult {
        QueryResult::Rows {
            schema,
            batches: Box::pin(futures::stream::iter(batches.into_iter().map(Ok))),
        }
    }

    /// The schema of a table of non-null text columns named `columns`.
    pub fn text_schema(columns: &[&str]) -> SchemaRef {
        Arc::new(Schema::new(
            columns
                .iter()
                .map(|name| Field::new(*name, DataType::Utf8, false))
                .collect::<Vec<_>>(),
        ))
    }

    /// Rows of text (SHOW-style output): `rows[i][j]` is row `i`, column `j`.
    pub fn text_rows(columns: &[&str], rows: &[Vec<String>]) -> Result<QueryResult> {
        let schema = QueryResult::text_schema(columns);
        let batch = text_batch(schema.clone(), rows)?;
        Ok(QueryResult::from_batches(schema, vec![batch]))
    }

    /// A command result with tag `tag` and no row count.
    pub fn command(tag: impl Into<String>) -> QueryResult {
        QueryResult::Command(CommandTag::new(tag))
    }
}

/// A cell of a text table: a value, or (for `Option`) maybe NULL.
pub trait TextCell {
    /// The cell's text, `None` for NULL.
    fn cell(&self) -> Option<&str>;
}

impl TextCell for String {
    fn cell(&self) -> Option<&str> {
        Some(self)
    }
}

impl TextCell for Option<String> {
    fn cell(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// A batch of `schema` (all text columns) holding `rows`.
pub fn text_batch<C: TextCell>(schema: SchemaRef, rows: &[Vec<C>]) -> Result<RecordBatch> {
    let arrays: Vec<ArrayRef> = (0..schema.fields().len())
        .map(|j| Arc::new(StringArray::from_iter(rows.iter().map(|row| row[j].cell()))) as ArrayRef)
        .collect();
    RecordBatch::try_new(schema, arrays).map_err(|e| Error::caused_by(SqlState::INTERNAL_ERROR, e))
}

impl fmt::Debug for QueryResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryResult::Rows { schema, .. } => {
                f.debug_struct("Rows").field("schema", schema).finish()
            }
            QueryResult::Command(tag) => f.debug_tuple("Command").field(tag).finish(),
        }
    }
}

/// A command tag, as in PostgreSQL's CommandComplete: `CREATE DATASOURCE`,
/// `SET`, or `INSERT 0 5` when a row count applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandTag {
    /// The tag words, e.g. `DROP DATASOURCE`.
    pub tag: String,
    /// Rows affected, for tags that carry a count.
    pub rows: Option<usize>,
}

impl CommandTag {
    /// A tag without a row count.
    pub fn new(tag: impl Into<String>) -> CommandTag {
        CommandTag {
            tag: tag.into(),
            rows: None,
        }
    }

    /// A tag with a row count.
    pub fn with_rows(tag: impl Into<String>, rows: usize) -> CommandTag {
        CommandTag {
            tag: tag.into(),
            rows: Some(rows),
        }
    }
}

impl fmt::Display for CommandTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rows {
            Some(rows) => write!(f, "{} {rows}", self.tag),
            None => f.write_str(&self.tag),
        }
    }
}

/// A message for the user that is not an error, e.g. `datasource "x"
/// already exists, skipping` (PostgreSQL's NoticeResponse).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Severity word: NOTICE, WARNING or INFO.
    pub severity: &'static str,
    /// SQLSTATE of the notice.
    pub sqlstate: SqlState,
    /// The text.
    pub message: String,
}

impl Notice {
    /// A NOTICE with SQLSTATE 00000.
    pub fn new(message: impl Into<String>) -> Notice {
        Notice {
            severity: "NOTICE",
            sqlstate: SqlState::SUCCESSFUL_COMPLETION,
            message: message.into(),
        }
    }
}

/// Where a long statement (a job submit, a savepoint) reports progress
/// while it runs: NOTICEs the frontend shows at once (psql prints them as
/// they arrive), not with the result. A session's default reports nowhere.
#[derive(Clone, Debug, Default)]
pub struct Progress(Option<tokio::sync::mpsc::UnboundedSender<Notice>>);

impl Progress {
    /// A progress reporter and the receiver of what it reports.
    pub fn channel() -> (Progress, tokio::sync::mpsc::UnboundedReceiver<Notice>) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        (Progress(Some(sender)), receiver)
    }

    /// Reports `message` as a NOTICE (dropped when nobody listens).
    pub fn notice(&self, message: impl Into<String>) {
        let message = message.into();
        tracing::debug!(progress = %message);
        if let Some(sender) = &self.0 {
            // A frontend that stopped listening (the client left) loses
            // the progress, not the statement.
            let _ = sender.send(Notice::new(message));
        }
    }
}

/// One statement's output: its result and the notices raised on the way.
#[derive(Debug)]
pub struct StatementOutput {
    /// Rows or a command tag.
    pub result: QueryResult,
    /// Notices to show before the result.
    pub notices: Vec<Notice>,
    /// Further results of the same statement (the preview of a statement
    /// set: one per sink), each announced by its label.
    pub more: Vec<LabeledResult>,
}

/// One of several results of a statement, with what it is.
#[derive(Debug)]
pub struct LabeledResult {
    /// What the result is, e.g. `preview of sink_b`.
    pub label: String,
    /// The result.
    pub result: QueryResult,
}

impl From<QueryResult> for StatementOutput {
    fn from(result: QueryResult) -> StatementOutput {
        StatementOutput {
            result,
            notices: Vec::new(),
            more: Vec::new(),
        }
    }
}

impl StatementOutput {
    /// Adds a notice.
    pub fn with_notice(mut self, notice: Notice) -> StatementOutput {
        self.notices.push(notice);
        self
    }
}
