//! Flink SQL Gateway errors as users should see them (docs/flink-sql-gateway-rest.md §6): the
//! root cause (the text after the last `Caused by: `, cut before the Java
//! stack) as the message, mapped to a SQLSTATE, the position of a parse
//! error carried over from Flink's `at line L, column C`, and the whole
//! trace as the detail.

use crate::error::{Error, Position, SqlState};

/// What a failed Flink request says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkFailure {
    /// The SQLSTATE it maps to.
    pub sqlstate: SqlState,
    /// The root cause, without the exception class.
    pub message: String,
    /// Every element of the `errors` array, joined.
    pub trace: String,
    /// Flink's 1-based line and column of a parse error, in the statement.
    pub location: Option<(usize, usize)>,
    /// Flink no longer knows the session (gateway restart, idle expiry):
    /// the client opens a new one and replays the session's state.
    pub session_missing: bool,
    /// JSON cannot represent the result (`Could not map response to
    /// JSON.`: a MAP with a non-string key, MULTISET, RAW): the client
    /// fetches the page again as PLAIN_TEXT.
    pub json_unmappable: bool,
}

/// The failure an error response body's `errors` describe.
pub fn classify(errors: &[String]) -> FlinkFailure {
    let trace = errors.join("\n");
    let root = root_cause(&trace);
    let (class, message) = match root.split_once(": ") {
        Some((class, message)) if !class.contains(' ') && class.contains('.') => (class, message),
        _ => ("", root),
    };
    let first_line = message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let session_missing = trace.contains("Session '") && trace.contains("' does not exist.");
    let json_unmappable = trace.contains("Could not map response to JSON");
    let location = parse_location(message);
    let sqlstate = if class.ends_with("ParseException")
        || class.ends_with("SqlParserException")
        || class.ends_with("SqlParserEOFException")
        || message.starts_with("Encountered ")
    {
        SqlState::SYNTAX_ERROR
    } else if (message.contains("Table with identifier") && message.contains("does not exist"))
        || (message.starts_with("Object '") && message.contains("not found"))
    {
        SqlState::UNDEFINED_TABLE
    } else if message.starts_with("Column '") && message.contains("not found") {
        SqlState::UNDEFINED_COLUMN
    } else if message.contains("No match found for function signature") {
        SqlState::UNDEFINED_FUNCTION
    } else {
        SqlState::SYSTEM_ERROR
    };
    FlinkFailure {
        sqlstate,
        message: if first_line.is_empty() {
            "Flink failed without a message".to_string()
        } else {
            first_line
        },
        trace,
        location,
        session_missing,
        json_unmappable,
    }
}

/// The text after the last `Caused by: `, cut at the first stack frame.
fn root_cause(trace: &str) -> &str {
    let cause = trace
        .rsplit_once("Caused by: ")
        .map_or(trace, |(_, cause)| cause);
    let cause = cause.split("\n\tat ").next().unwrap_or(cause);
    let cause = cause.split("\tat ").next().unwrap_or(cause);
    // The wrapper of an unchecked exception (shape 2 of docs/flink-sql-gateway-rest.md §6).
    let cause = cause
        .trim_start_matches("<Exception on server side:")
        .trim();
    cause.split("\n...").next().unwrap_or(cause).trim()
}

/// `... at line 1, column 23.` -> (1, 23).
fn parse_location(message: &str) -> Option<(usize, usize)> {
    let (_, rest) = message.split_once(" at line ")?;
    let (line, rest) = rest.split_once(", column ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

impl FlinkFailure {
    /// The error a client sees: the root cause, its SQLSTATE, the trace
    /// as the detail, and — for a statement `text` that starts at `start`
    /// in the submitted script — the position Flink gave.
    pub fn into_error(self, statement: Option<(Position, &str)>) -> Error {
        let mut error =
            Error::new(self.sqlstate, format!("Flink: {}", self.message)).with_detail(self.trace);
        if let (Some((line, column)), Some((start, text))) = (self.location, statement) {
            let relative = byte_offset(text, line, column);
            error = error.with_position(Position::within(start, text, relative));
        }
        error
    }
}

/// The byte offset of 1-based `line`:`column` (characters) in `text`,
/// clamped to its end.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    line_start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// The SQLSTATE and message of an HTTP request to `peer` (`the Flink SQL
/// Gateway`, `the Flink cluster`) at `shown` that got no answer: never
/// reached (08001), no answer in time (08006), or the connection failed
/// (08006). The message ends with the cause at the bottom of the error's
/// chain (`Connection refused (os error 111)`), where the reason is;
/// reqwest's own message is generic. A connect timeout is a connect
/// failure: the peer was never reached.
pub fn transport(
    peer: &str,
    shown: &str,
    timeout: std::time::Duration,
    err: &reqwest::Error,
) -> (SqlState, String) {
    let mut cause: &(dyn std::error::Error + 'static) = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    if err.is_connect() {
        (
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            format!("cannot reach {peer} at {shown}: {cause}"),
        )
    } else if err.is_timeout() {
        (
            SqlState::CONNECTION_FAILURE,
            format!("{peer} at {shown} did not answer within {timeout:?}"),
        )
    } else {
        (
            SqlState::CONNECTION_FAILURE,
            format!("the connection to {peer} at {shown} failed: {cause}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARSE_TRACE: &str = "<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\n\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)\nCaused by: org.apache.flink.table.api.SqlParserException: SQL parse failed. Encountered \".\" at line 1, column 23.\nWas expecting one of:\n    <EOF> \n    \"WITH\" ...\n\tat org.apache.flink.table.planner.parse.CalciteParser.parseSqlList(CalciteParser.java:81)\nCaused by: org.apache.flink.sql.parser.impl.ParseException: Encountered \".\" at line 2, column 5.\nWas expecting one of:\n    <EOF> \n    \"WITH\" ...\n\tat org.apache.flink.sql.parser.impl.FlinkSqlParserImpl.generateParseException(FlinkSqlParserImpl.java:1)\n\nEnd of exception on server side>";

    #[test]
    fn parse_errors_keep_flinks_position() {
        let failure = classify(&[
            "Internal server error.".to_string(),
            PARSE_TRACE.to_string(),
        ]);
        assert_eq!(failure.sqlstate, SqlState::SYNTAX_ERROR);
        assert_eq!(failure.message, "Encountered \".\" at line 2, column 5.");
        assert_eq!(failure.location, Some((2, 5)));
        assert!(!failure.session_missing);
        let script = "SELECT 1;\nCREATE CATALOG x\nwith invalid.cat";
        let start = Position::at(script, 10);
        let error = failure.into_error(Some((start, &script[10..])));
        assert_eq!(
            error.position,
            Some(Position::at(script, script.find("invalid").unwrap() - 1))
        );
        assert!(error.detail.unwrap().contains("FlinkSqlParserImpl"));
    }

    #[test]
    fn validation_and_session_errors_are_recognised() {
        let missing_table = "org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\nCaused by: org.apache.flink.table.api.ValidationException: Table with identifier 'default_catalog.default_database.non_exist' does not exist.\n\tat org.apache.flink.table.X.y(X.java:1)";
        let failure = classify(&[missing_table.to_string()]);
        assert_eq!(failure.sqlstate, SqlState::UNDEFINED_TABLE);
        assert!(failure.message.starts_with("Table with identifier"));
        let function = "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature invalid_function()";
        assert_eq!(
            classify(&[function.to_string()]).sqlstate,
            SqlState::UNDEFINED_FUNCTION
        );
        let gone = "org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to getOperationInfo.\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '9b1c1f0c-7a4e-4c3e-9d0c-3f1b2a4c5d6e' does not exist.\n\tat x.y(Z.java:1)";
        let failure = classify(&[gone.to_string()]);
        assert!(failure.session_missing);
        assert!(!failure.json_unmappable);
        assert_eq!(failure.sqlstate, SqlState::SYSTEM_ERROR);
        let unmappable =
            classify(&["Internal server error. Could not map response to JSON.".to_string()]);
        assert!(unmappable.json_unmappable && !unmappable.session_missing);
        assert_eq!(
            classify(&["Not found: /v9/x".to_string()]).message,
            "Not found: /v9/x"
        );
        assert_eq!(classify(&[]).message, "Flink failed without a message");
    }

    #[test]
    fn byte_offset_counts_characters_per_line() {
        assert_eq!(byte_offset("ab\ncdé f", 2, 5), 8);
        assert_eq!(byte_offset("ab", 9, 9), 2);
    }
}
