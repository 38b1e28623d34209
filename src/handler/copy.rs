//! `COPY (query) TO STDOUT` and `COPY table TO STDOUT`: the query runs as a
//! statement of its own, wherever it belongs (the local engine or Flink);
//! the frontend writes its rows in COPY's text or CSV form.

use super::Shape;
use crate::sql::ParsedStatement;
use crate::sql::ast::CopyTo;

/// The shape of a COPY: none; it answers in its own sub-protocol, without
/// a row description.
pub fn describe() -> Shape {
    Shape::rows(None)
}

/// The query a COPY copies, as a statement of its own (at the COPY's
/// place in the script).
pub fn query(parsed: &ParsedStatement, copy: &CopyTo) -> ParsedStatement {
    ParsedStatement {
        statement: (*copy.query).clone(),
        text: copy.text.clone(),
        ..parsed.clone()
    }
}
