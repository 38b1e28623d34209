//! The crate's error type: every failure a user can see carries a SQLSTATE,
//! a message, and where it applies a detail, a hint and a position in the
//! statement text.
//!
//! Module errors (`StoreError`, ...) convert into [`Error`] once, with the
//! SQLSTATE that describes them; the edges (pgwire, REPL, `main`) render an
//! [`Error`] and never look inside the module enums.
//!
//! An [`Error`] made from another error (an I/O, SQLite, HTTP or DataFusion
//! failure) keeps it as its [`source`](std::error::Error::source): the
//! message stays what a user should read, and the logs get the whole
//! [`chain`](Error::chain) of causes. A cause must never hold a secret (a
//! password, a connection string with one): it reaches the logs.

use std::fmt;
use std::sync::Arc;

/// A PostgreSQL SQLSTATE code. Constants are named as in the PostgreSQL
/// errcodes appendix so that a reader can look them up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SqlState(&'static str);

impl SqlState {
    /// `00000`: successful completion (used for notices).
    pub const SUCCESSFUL_COMPLETION: SqlState = SqlState("00000");
    /// `01000`: warning.
    pub const WARNING: SqlState = SqlState("01000");
    /// `08000`: connection exception.
    pub const CONNECTION_EXCEPTION: SqlState = SqlState("08000");
    /// `08001`: the server could not establish a connection (e.g. no Flink gateway configured).
    pub const SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION: SqlState = SqlState("08001");
    /// `08006`: a connection to an external system failed.
    pub const CONNECTION_FAILURE: SqlState = SqlState("08006");
    /// `08P01`: protocol violation.
    pub const PROTOCOL_VIOLATION: SqlState = SqlState("08P01");
    /// `0A000`: feature not supported.
    pub const FEATURE_NOT_SUPPORTED: SqlState = SqlState("0A000");
    /// `22023`: invalid parameter value.
    pub const INVALID_PARAMETER_VALUE: SqlState = SqlState("22023");
    /// `22P02`: invalid text representation (a value that does not parse as its type).
    pub const INVALID_TEXT_REPRESENTATION: SqlState = SqlState("22P02");
    /// `22007`: a date or time that does not parse.
    pub const INVALID_DATETIME_FORMAT: SqlState = SqlState("22007");
    /// `2201B`: a regular expression that does not compile.
    pub const INVALID_REGULAR_EXPRESSION: SqlState = SqlState("2201B");
    /// `22012`: division by zero.
    pub const DIVISION_BY_ZERO: SqlState = SqlState("22012");
    /// `22000`: data exception.
    pub const DATA_EXCEPTION: SqlState = SqlState("22000");
    /// `25P01`: no active SQL transaction.
    pub const NO_ACTIVE_SQL_TRANSACTION: SqlState = SqlState("25P01");
    /// `25P02`: in failed SQL transaction.
    pub const IN_FAILED_SQL_TRANSACTION: SqlState = SqlState("25P02");
    /// `28000`: invalid authorization specification (credentials refused,
    /// or not allowed to do what was asked).
    pub const INVALID_AUTHORIZATION_SPECIFICATION: SqlState = SqlState("28000");
    /// `3D000`: invalid catalog name (unknown database).
    pub const INVALID_CATALOG_NAME: SqlState = SqlState("3D000");
    /// `42601`: syntax error.
    pub const SYNTAX_ERROR: SqlState = SqlState("42601");
    /// `42602`: invalid name.
    pub const INVALID_NAME: SqlState = SqlState("42602");
    /// `42P17`: a definition that is inconsistent (a schedule whose tasks form a cycle).
    pub const INVALID_OBJECT_DEFINITION: SqlState = SqlState("42P17");
    /// `42704`: undefined object.
    pub const UNDEFINED_OBJECT: SqlState = SqlState("42704");
    /// `2BP01`: dependent objects still exist (DROP without CASCADE).
    pub const DEPENDENT_OBJECTS_STILL_EXIST: SqlState = SqlState("2BP01");
    /// `42710`: duplicate object.
    pub const DUPLICATE_OBJECT: SqlState = SqlState("42710");
    /// `42P07`: duplicate table (a table or view of that name exists).
    pub const DUPLICATE_TABLE: SqlState = SqlState("42P07");
    /// `42P06`: duplicate schema (a Flink database of that name exists).
    pub const DUPLICATE_SCHEMA: SqlState = SqlState("42P06");
    /// `42723`: duplicate function.
    pub const DUPLICATE_FUNCTION: SqlState = SqlState("42723");
    /// `42P01`: undefined table.
    pub const UNDEFINED_TABLE: SqlState = SqlState("42P01");
    /// `42703`: undefined column.
    pub const UNDEFINED_COLUMN: SqlState = SqlState("42703");
    /// `42883`: undefined function.
    pub const UNDEFINED_FUNCTION: SqlState = SqlState("42883");
    /// `42809`: wrong object type (an object used as what it is not: a
    /// SeaTunnel cluster named as a Flink job's cluster).
    pub const WRONG_OBJECT_TYPE: SqlState = SqlState("42809");
    /// `42804`: datatype mismatch.
    pub const DATATYPE_MISMATCH: SqlState = SqlState("42804");
    /// `54000`: a limit was exceeded (a file too large to attach).
    pub const PROGRAM_LIMIT_EXCEEDED: SqlState = SqlState("54000");
    /// `58P01`: a file that does not exist or cannot be read.
    pub const UNDEFINED_FILE: SqlState = SqlState("58P01");
    /// `53000`: insufficient resources.
    pub const INSUFFICIENT_RESOURCES: SqlState = SqlState("53000");
    /// `40001`: the object changed concurrently; run the statement again.
    pub const T_R_SERIALIZATION_FAILURE: SqlState = SqlState("40001");
    /// `55000`: the object is not in a state the statement allows.
    pub const OBJECT_NOT_IN_PREREQUISITE_STATE: SqlState = SqlState("55000");
    /// `55006`: the object is in use.
    pub const OBJECT_IN_USE: SqlState = SqlState("55006");
    /// `55P02`: the parameter cannot be changed now.
    pub const CANT_CHANGE_RUNTIME_PARAM: SqlState = SqlState("55P02");
    /// `57014`: query canceled.
    pub const QUERY_CANCELED: SqlState = SqlState("57014");
    /// `57P01`: admin shutdown.
    pub const ADMIN_SHUTDOWN: SqlState = SqlState("57P01");
    /// `58000`: system error (external system failed).
    pub const SYSTEM_ERROR: SqlState = SqlState("58000");
    /// `58030`: I/O error.
    pub const IO_ERROR: SqlState = SqlState("58030");
    /// `XX000`: internal error (a bug in scaleph).
    pub const INTERNAL_ERROR: SqlState = SqlState("XX000");

    /// The five-character code.
    pub fn code(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A place in a SQL script: byte offset plus 1-based line and column
/// (columns count characters, as editors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Byte offset into the script the statement came from.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`. Offsets past the end clamp to
    /// the end; offsets inside a multi-byte character move to its start.
    pub fn at(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Position {
            offset,
            line,
            column,
        }
    }

    /// The position of byte `relative` of a statement's `text`, which starts
    /// at `start` in its script.
    pub fn within(start: Position, text: &str, relative: usize) -> Position {
        let inner = Position::at(text, relative);
        Position {
            offset: start.offset + inner.offset,
            line: start.line + inner.line - 1,
            column: if inner.line == 1 {
                start.column + inner.column - 1
            } else {
                inner.column
            },
        }
    }

    /// 1-based character index of this position in `text`, as the pgwire
    /// ErrorResponse `position` field wants it.
    pub fn char_index(&self, text: &str) -> usize {
        text.get(..self.offset)
            .map_or(self.offset, |s| s.chars().count())
            + 1
    }
}

/// An error a user sees: SQLSTATE, message, and optional detail, hint and
/// position, and the error it was made from, if any.
///
/// Two errors are equal when everything a user sees is: the source is left
/// out, as error values from other crates cannot be compared.
#[derive(Clone)]
pub struct Error {
    /// The SQLSTATE clients switch on.
    pub sqlstate: SqlState,
    /// One line saying what went wrong.
    pub message: String,
    /// More context (a trace, the statement involved), may span lines.
    pub detail: Option<Box<str>>,
    /// What to do next.
    pub hint: Option<Box<str>>,
    /// Where in the submitted text the mistake is.
    pub position: Option<Position>,
    /// The option key the error is about, when it was found after parsing
    /// (validation against a datasource type): the session turns it into
    /// a position in the statement.
    pub subject: Option<Box<Subject>>,
    /// The error this one was made from (see [`Error::with_source`]).
    source: Option<Cause>,
}

/// The cause of an [`Error`]. Shared, so that [`Error`] stays `Clone`;
/// boxed inside the `Arc`, so that the field is one pointer wide (errors
/// travel in every `Result`, and most have no cause).
type Cause = Arc<Box<dyn std::error::Error + Send + Sync + 'static>>;

/// The option key an [`Error`] is about (boxed: most errors have none, and
/// errors travel in every `Result`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject(pub String);

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with a SQLSTATE and a message.
    pub fn new(sqlstate: SqlState, message: impl Into<String>) -> Error {
        Error {
            sqlstate,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
            subject: None,
            source: None,
        }
    }

    /// An error whose message is what `cause` says, keeping `cause` as its
    /// source.
    pub fn caused_by<E>(sqlstate: SqlState, cause: E) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error::new(sqlstate, cause.to_string()).with_source(cause)
    }

    /// A syntax error (42601) at `position`.
    pub fn syntax(message: impl Into<String>, position: Position) -> Error {
        Error::new(SqlState::SYNTAX_ERROR, message).with_position(position)
    }

    /// A bug in scaleph (XX000).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(SqlState::INTERNAL_ERROR, message)
    }

    /// A statement kind scaleph parses but cannot execute yet (0A000).
    pub fn not_supported(what: impl fmt::Display) -> Error {
        Error::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("not supported yet: {what}"),
        )
    }

    /// Says which option key the error is about.
    pub fn with_subject(mut self, key: impl Into<String>) -> Error {
        self.subject = Some(Box::new(Subject(key.into())));
        self
    }

    /// Adds a detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Error {
        self.detail = Some(detail.into().into_boxed_str());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    /// Sets the position, unless one is already set.
    pub fn with_position(mut self, position: Position) -> Error {
        self.position.get_or_insert(position);
        self
    }

    /// Keeps `cause`, the error this one was made from, as its source. The
    /// message, detail and hint do not change: what a user reads is chosen
    /// where the error is made.
    pub fn with_source(
        mut self,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Error {
        self.source = Some(Arc::new(cause.into()));
        self
    }

    /// The message followed by its causes, for the logs:
    /// `message: cause: cause...`.
    pub fn chain(&self) -> Chain<'_> {
        Chain(self)
    }

    /// This error with each of `secrets` in its message, detail and hint
    /// shown as `******` ([`scrub_secrets`]). When one was there, the
    /// source goes too: its text, which the logs print, holds it as well.
    /// For errors an external system made from text scaleph sent it with
    /// secrets inside (Flink echoing a `CREATE CATALOG`'s options).
    pub fn without_secrets(mut self, secrets: &[&str]) -> Error {
        let chain = self.chain().to_string();
        let held = |text: &str| secrets.iter().any(|s| !s.is_empty() && text.contains(s));
        let in_detail = self.detail.as_deref().is_some_and(held);
        let in_hint = self.hint.as_deref().is_some_and(held);
        if !(held(&chain) || in_detail || in_hint) {
            return self;
        }
        self.message = scrub_secrets(&self.message, secrets);
        self.detail = self
            .detail
            .map(|d| scrub_secrets(&d, secrets).into_boxed_str());
        self.hint = self
            .hint
            .map(|h| scrub_secrets(&h, secrets).into_boxed_str());
        self.source = None;
        self
    }
}

/// `text` with every occurrence of each of `secrets` (empty ones aside)
/// replaced by `******`, the longest first, so that a secret holding
/// another is masked whole.
pub fn scrub_secrets(text: &str, secrets: &[&str]) -> String {
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.into_iter().fold(text.to_string(), |text, secret| {
        text.replace(secret, "******")
    })
}

impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.sqlstate == other.sqlstate
            && self.message == other.message
            && self.detail == other.detail
            && self.hint == other.hint
            && self.position == other.position
            && self.subject == other.subject
    }
}

impl Eq for Error {}

impl fmt::Debug for Error {
    /// The cause is shown by its text, not its `Debug`: some errors keep
    /// their whole input there (a TOML error, the file it parsed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("sqlstate", &self.sqlstate)
            .field("message", &self.message)
            .field("detail", &self.detail)
            .field("hint", &self.hint)
            .field("position", &self.position)
            .field("subject", &self.subject)
            .field("source", &self.source.as_ref().map(ToString::to_string))
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|cause| {
            let cause: &(dyn std::error::Error + 'static) = cause.as_ref().as_ref();
            cause
        })
    }
}

/// An error and its causes as one line, `: `-separated (see
/// [`Error::chain`]).
///
/// A cause whose text the line already holds is left out: messages often
/// quote their cause for the user (the wire has no field for a chain), and
/// the chain should not say it twice.
pub struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(error) = cause {
            let text = error.to_string();
            if !line.contains(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            cause = error.source();
        }
        f.write_str(&line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_within_a_statement_is_relative_to_its_start() {
        let script = "SELECT 1;\n  CREATE X WITH (\n k = 1)";
        let start = Position::at(script, 12);
        let text = &script[12..];
        let inner = Position::within(start, text, text.find('k').unwrap());
        assert_eq!(inner, Position::at(script, script.find(" k").unwrap() + 1));
        let same_line = Position::within(start, text, 7);
        assert_eq!(same_line, Position::at(script, 19));
    }

    #[test]
    fn position_at_counts_lines_and_characters() {
        let text = "SELECT 1;\nSELECT 'é', x";
        let p = Position::at(text, text.find('x').unwrap());
        assert_eq!((p.line, p.column), (2, 13));
        assert_eq!(p.char_index(text), 23);
    }

    /// An error with an optional cause, to build chains of any depth.
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|layer| layer as _)
        }
    }

    #[test]
    fn error_with_source_keeps_the_cause_and_its_message() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = Error::new(SqlState::IO_ERROR, "cannot read x").with_source(io);
        assert_eq!(err.message, "cannot read x");
        let source = std::error::Error::source(&err).expect("a source");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        let plain = Error::internal("x");
        assert!(std::error::Error::source(&plain).is_none());
    }

    #[test]
    fn without_secrets_scrubs_every_field_and_drops_a_cause_holding_one() {
        let cause = Layer("properties: {password=pw-1, user=u}", None);
        let err = Error::new(SqlState::SYSTEM_ERROR, "Could not execute CREATE CATALOG")
            .with_detail("trace: password=pw-1\n at X")
            .with_hint("pw-10 is the pw-1 you gave")
            .with_source(cause)
            .without_secrets(&["pw-1", "", "pw-10"]);
        assert_eq!(err.message, "Could not execute CREATE CATALOG");
        assert_eq!(err.detail.as_deref(), Some("trace: password=******\n at X"));
        assert_eq!(err.hint.as_deref(), Some("****** is the ****** you gave"));
        assert!(std::error::Error::source(&err).is_none());
        assert!(!err.chain().to_string().contains("pw-1"));
        // Without a secret in it, an error keeps its cause.
        let clean = Error::new(SqlState::IO_ERROR, "x")
            .with_source(Layer("y", None))
            .without_secrets(&["pw-1"]);
        assert!(std::error::Error::source(&clean).is_some());
        assert_eq!(scrub_secrets("aaa", &[""]), "aaa");
    }

    #[test]
    fn error_caused_by_says_what_its_cause_says() {
        let err = Error::caused_by(SqlState::DATA_EXCEPTION, Layer("bad row", None));
        assert_eq!(err.message, "bad row");
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn error_chain_lists_every_cause_the_message_does_not_quote() {
        let deep = Layer("timed out", Some(Box::new(Layer("os error 110", None))));
        let err = Error::new(SqlState::CONNECTION_FAILURE, "cannot connect").with_source(deep);
        assert_eq!(
            err.chain().to_string(),
            "cannot connect: timed out: os error 110"
        );
        let quoting = Layer("invalid value", Some(Box::new(Layer("line 3", None))));
        let err = Error::new(SqlState::IO_ERROR, "config: invalid value").with_source(quoting);
        assert_eq!(err.chain().to_string(), "config: invalid value: line 3");
        assert_eq!(Error::internal("alone").chain().to_string(), "alone");
    }

    #[test]
    fn error_clone_and_equality_work_with_a_source() {
        let err = Error::new(SqlState::IO_ERROR, "x")
            .with_hint("y")
            .with_source(Layer("cause", None));
        let copy = err.clone();
        assert_eq!(copy, err);
        assert_eq!(copy.chain().to_string(), "x: cause");
        assert_eq!(err, Error::new(SqlState::IO_ERROR, "x").with_hint("y"));
        assert_ne!(err, Error::new(SqlState::IO_ERROR, "x"));
    }

    #[test]
    fn error_debug_shows_the_cause_by_its_text() {
        let err = Error::internal("x").with_source(Layer("cause", None));
        let shown = format!("{err:?}");
        assert!(shown.contains("source: Some(\"cause\")"), "{shown}");
        assert!(!shown.contains("Layer"), "{shown}");
    }
}
