//! `COPY (query) TO STDOUT [options]` and `COPY table [(columns)] TO
//! STDOUT [options]`, with PostgreSQL's option list (`WITH (FORMAT csv,
//! HEADER, DELIMITER ',', NULL '', QUOTE '"')`) and the older keyword form
//! psql's `\copy` passes through (`WITH CSV HEADER`). Copying from a
//! client, to a server file or in binary is refused with 0A000.

use super::Cursor;
use crate::error::{Error, Position, Result, SqlState};
use crate::sql::ast::{CopyFormat, CopyTo, FlinkStatementKind, Statement};
use crate::sql::lexer::{Token, TokenKind};

/// The options as written, before the format's defaults fill the rest.
#[derive(Default)]
struct Given {
    csv: Option<bool>,
    header: Option<bool>,
    delimiter: Option<(char, Token)>,
    null: Option<String>,
    quote: Option<(char, Token)>,
}

/// `COPY ...`, the cursor after COPY.
pub(super) fn copy(c: &mut Cursor) -> Result<Statement> {
    c.pos = 1;
    let (query, text) = if c.peek().is_some_and(|t| t.kind == TokenKind::Punct('(')) {
        parenthesized_query(c)?
    } else {
        table_query(c)?
    };
    if c.peek_word("FROM") {
        return Err(refused(
            c,
            "COPY FROM is not supported: scaleph's objects are written with its own statements, \
             Flink tables with INSERT INTO",
        ));
    }
    c.expect_word("TO", "after the query of COPY")?;
    if !c.eat_word("STDOUT") {
        if c.peek_word("PROGRAM") || c.peek().is_some_and(|t| t.kind == TokenKind::String) {
            return Err(refused(
                c,
                "COPY to a file or program on the server is not supported: use TO STDOUT \
                 (psql's \\copy ... TO 'file' writes the file on the client)",
            ));
        }
        return Err(c.expected("STDOUT after TO"));
    }
    c.eat_word("WITH");
    let given = if c.peek().is_some_and(|t| t.kind == TokenKind::Punct('(')) {
        option_list(c)?
    } else {
        keyword_options(c)?
    };
    c.expect_end()?;
    Ok(Statement::CopyTo(CopyTo {
        query: Box::new(query),
        text,
        format: format(c, given)?,
    }))
}

/// An error with 0A000 at the current token.
fn refused(c: &Cursor, message: &str) -> Error {
    let at = c.peek().map_or(c.end, |t| t.start);
    Error::new(SqlState::FEATURE_NOT_SUPPORTED, message).with_position(Position::at(c.script, at))
}

/// `( query )`: the query and its text.
fn parenthesized_query(c: &mut Cursor) -> Result<(Statement, String)> {
    let open = c.pos;
    let mut depth = 0usize;
    let mut close = None;
    for (i, token) in c.tokens.iter().enumerate().skip(open) {
        match token.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        c.pos = c.tokens.len();
        return Err(c.expected("\")\" after the query of COPY"));
    };
    let inner = &c.tokens[open + 1..close];
    let Some(first) = inner.first() else {
        c.pos = close;
        return Err(c.expected("a query"));
    };
    let (start, end) = (first.start, c.tokens[close].start);
    let statement = super::parse_statement(c.script, inner, start, end)?;
    let is_query = match &statement {
        Statement::Query(_) => true,
        Statement::Flink(flink) => flink.kind == FlinkStatementKind::Query,
        _ => false,
    };
    if !is_query {
        return Err(Error::syntax(
            "COPY copies the rows of a query (SELECT, VALUES, WITH, TABLE) or of a table",
            Position::at(c.script, start),
        ));
    }
    c.pos = close + 1;
    Ok((statement, c.script[start..end].trim_end().to_string()))
}

/// `table [(column, ...)]`: `SELECT columns FROM table` and its text.
fn table_query(c: &mut Cursor) -> Result<(Statement, String)> {
    let table = c.qualified_name("a table or a (query) after COPY")?;
    let mut columns = Vec::new();
    if c.eat_punct('(') {
        loop {
            columns.push(c.ident("a column name")?.to_string());
            if !c.eat_punct(',') {
                break;
            }
        }
        c.expect_punct(')', "after the columns of COPY")?;
    }
    let list = if columns.is_empty() {
        "*".to_string()
    } else {
        columns.join(", ")
    };
    let text = format!("SELECT {list} FROM {table}");
    let tokens = crate::sql::lexer::tokenize(&text)?;
    let statement = super::parse_statement(&text, &tokens, 0, text.len())?;
    Ok((statement, text))
}

/// `( option [value], ... )`, PostgreSQL's list.
fn option_list(c: &mut Cursor) -> Result<Given> {
    c.expect_punct('(', "before the options of COPY")?;
    let mut given = Given::default();
    loop {
        let at = c.peek().copied();
        let key = c.keyword_among(
            &["FORMAT", "HEADER", "DELIMITER", "NULL", "QUOTE", "ENCODING"],
            "in the options of COPY",
        )?;
        match key {
            0 => {
                let format = c.keyword_among(&["TEXT", "CSV", "BINARY"], "after FORMAT")?;
                if format == 2 {
                    c.pos -= 1;
                    return Err(binary(c));
                }
                set(c, at, &mut given.csv, format == 1)?;
            }
            1 => {
                let value = boolean(c)?;
                set(c, at, &mut given.header, value)?;
            }
            2 => {
                let value = character(c, "DELIMITER")?;
                set(c, at, &mut given.delimiter, value)?;
            }
            3 => {
                let value = c.string("a 'string' after NULL")?.0;
                set(c, at, &mut given.null, value)?;
            }
            4 => {
                let value = character(c, "QUOTE")?;
                set(c, at, &mut given.quote, value)?;
            }
            _ => {
                let (encoding, token) = c.string("an 'encoding' after ENCODING")?;
                let name = encoding.replace(['-', '_'], "").to_ascii_uppercase();
                if name != "UTF8" {
                    return Err(c.error_at(
                        token,
                        SqlState::FEATURE_NOT_SUPPORTED,
                        format!("COPY writes UTF8 only, not \"{encoding}\""),
                    ));
                }
            }
        }
        if !c.eat_punct(',') {
            break;
        }
    }
    c.expect_punct(')', "after the options of COPY")?;
    Ok(given)
}

/// The older form: `[BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 'x'] [CSV]
/// [HEADER] [QUOTE [AS] 'c']`, in any order.
fn keyword_options(c: &mut Cursor) -> Result<Given> {
    let mut given = Given::default();
    while let Some(at) = c.peek().copied() {
        let key = c.keyword_among(
            &["CSV", "HEADER", "DELIMITER", "NULL", "QUOTE", "BINARY"],
            "in the options of COPY",
        )?;
        match key {
            0 => set(c, Some(at), &mut given.csv, true)?,
            1 => set(c, Some(at), &mut given.header, true)?,
            2 => {
                c.eat_word("AS");
                let value = character(c, "DELIMITER")?;
                set(c, Some(at), &mut given.delimiter, value)?;
            }
            3 => {
                c.eat_word("AS");
                let value = c.string("a 'string' after NULL")?.0;
                set(c, Some(at), &mut given.null, value)?;
            }
            4 => {
                c.eat_word("AS");
                let value = character(c, "QUOTE")?;
                set(c, Some(at), &mut given.quote, value)?;
            }
            _ => {
                c.pos -= 1;
                return Err(binary(c));
            }
        }
    }
    Ok(given)
}

fn binary(c: &Cursor) -> Error {
    refused(c, "COPY in binary format is not supported: use text or CSV")
}

/// Sets an option once; a second time is an error at `at`.
fn set<T>(c: &Cursor, at: Option<Token>, slot: &mut Option<T>, value: T) -> Result<()> {
    if slot.is_some() {
        let key = at.map_or_else(String::new, |t| t.text(c.script).to_ascii_uppercase());
        return Err(c.duplicate_key(at.as_ref(), &key));
    }
    *slot = Some(value);
    Ok(())
}

/// An option's boolean: absent (true), TRUE/FALSE, ON/OFF, 1/0.
fn boolean(c: &mut Cursor) -> Result<bool> {
    let Some(token) = c.peek() else {
        return Ok(true);
    };
    let text = token.text(c.script).to_ascii_uppercase();
    let value = match (token.kind, text.as_str()) {
        (TokenKind::Word, "TRUE" | "ON") | (TokenKind::Number, "1") => true,
        (TokenKind::Word, "FALSE" | "OFF") | (TokenKind::Number, "0") => false,
        _ => return Ok(true),
    };
    c.pos += 1;
    Ok(value)
}

/// A one-character `'string'` after `option`, and its token.
fn character(c: &mut Cursor, option: &str) -> Result<(char, Token)> {
    let (value, token) = c.string(&format!("a 'character' after {option}"))?;
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) if ch.is_ascii() => Ok((ch, *token)),
        _ => Err(c.error_at(
            token,
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("COPY {option} must be a single one-byte character"),
        )),
    }
}

/// The format the options give, checked as PostgreSQL checks them.
fn format(c: &Cursor, given: Given) -> Result<CopyFormat> {
    let mut format = CopyFormat::text();
    if given.csv == Some(true) {
        format = format.csv();
    }
    if let Some(header) = given.header {
        format.header = header;
    }
    if let Some(null) = given.null {
        format.null = null;
    }
    let invalid = |token: &Token, message: &str| {
        c.error_at(
            token,
            SqlState::INVALID_PARAMETER_VALUE,
            message.to_string(),
        )
    };
    if let Some((delimiter, token)) = given.delimiter {
        if matches!(delimiter, '\n' | '\r') {
            return Err(invalid(
                &token,
                "COPY delimiter cannot be newline or carriage return",
            ));
        }
        if !format.csv && (delimiter == '\\' || delimiter.is_ascii_alphanumeric()) {
            return Err(invalid(
                &token,
                "COPY delimiter cannot be a backslash, letter or digit in text format",
            ));
        }
        format.delimiter = delimiter;
    }
    if let Some((quote, token)) = given.quote {
        if !format.csv {
            return Err(invalid(&token, "COPY QUOTE is available only in CSV mode"));
        }
        if quote == format.delimiter {
            return Err(invalid(
                &token,
                "COPY delimiter and quote must be different",
            ));
        }
        format.quote = quote;
    }
    if format.null.contains(format.delimiter) {
        let at = given.delimiter.map(|(_, t)| t);
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "COPY delimiter must not appear in the NULL specification",
        )
        .with_position(Position::at(c.script, at.map_or(0, |t| t.start))));
    }
    Ok(format)
}

#[cfg(test)]
mod tests {
    use crate::error::SqlState;
    use crate::sql::ast::{CopyFormat, Statement};
    use crate::sql::parse_script;

    fn copy(sql: &str) -> crate::sql::ast::CopyTo {
        match parse_script(sql).unwrap().remove(0).statement {
            Statement::CopyTo(copy) => copy,
            other => panic!("{other:?}"),
        }
    }

    fn error(sql: &str) -> crate::error::Error {
        parse_script(sql).unwrap_err()
    }

    #[test]
    fn queries_and_tables_are_copied() {
        let query = copy("COPY (SELECT name FROM scaleph.datasources WHERE (1 = 1)) TO STDOUT");
        assert_eq!(
            query.text,
            "SELECT name FROM scaleph.datasources WHERE (1 = 1)"
        );
        assert!(matches!(*query.query, Statement::Query(_)));
        assert_eq!(query.format, CopyFormat::text());
        let table = copy("copy scaleph.datasources (name, type) to stdout");
        assert_eq!(table.text, "SELECT name, type FROM scaleph.datasources");
        assert_eq!(
            copy("COPY scaleph.datasources TO STDOUT").text,
            "SELECT * FROM scaleph.datasources"
        );
        // A query only Flink answers is still a query.
        let flink = copy("COPY (SELECT * FROM orders) TO STDOUT");
        assert!(matches!(*flink.query, Statement::Query(_)));
    }

    #[test]
    fn options_in_both_forms() {
        let csv = copy("COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, HEADER)").format;
        assert!(csv.csv && csv.header);
        assert_eq!((csv.delimiter, csv.null.as_str()), (',', ""));
        let legacy = copy("COPY (SELECT 1) TO STDOUT WITH CSV HEADER DELIMITER AS ';'").format;
        assert!(legacy.csv && legacy.header);
        assert_eq!(legacy.delimiter, ';');
        let text = copy("COPY (SELECT 1) TO STDOUT (HEADER false, NULL 'nil', DELIMITER '|')");
        assert!(!text.format.header && !text.format.csv);
        assert_eq!(
            (text.format.delimiter, text.format.null.as_str()),
            ('|', "nil")
        );
        let quoted = copy("COPY (SELECT 1) TO STDOUT CSV QUOTE '''' ").format;
        assert_eq!(quoted.quote, '\'');
    }

    #[test]
    fn the_canonical_form_parses_back() {
        for sql in [
            "COPY (SELECT 1) TO STDOUT",
            "COPY (SELECT 'a;b') TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';', QUOTE '''')",
            "COPY scaleph.datasources (name) TO STDOUT NULL 'x'",
        ] {
            let parsed = copy(sql);
            let again = copy(&parsed.to_string());
            assert_eq!(parsed.format, again.format, "{sql}");
            assert_eq!(parsed.text, again.text, "{sql}");
        }
    }

    #[test]
    fn what_cannot_be_copied_is_refused_with_a_position() {
        for (sql, state, at) in [
            ("COPY t FROM STDIN", SqlState::FEATURE_NOT_SUPPORTED, 8),
            ("COPY t TO '/tmp/x'", SqlState::FEATURE_NOT_SUPPORTED, 11),
            (
                "COPY t TO PROGRAM 'cat'",
                SqlState::FEATURE_NOT_SUPPORTED,
                11,
            ),
            (
                "COPY t TO STDOUT BINARY",
                SqlState::FEATURE_NOT_SUPPORTED,
                18,
            ),
            (
                "COPY t TO STDOUT (FORMAT binary)",
                SqlState::FEATURE_NOT_SUPPORTED,
                26,
            ),
            (
                "COPY t TO STDOUT (QUOTE '''')",
                SqlState::INVALID_PARAMETER_VALUE,
                25,
            ),
            (
                "COPY t TO STDOUT DELIMITER 'ab'",
                SqlState::FEATURE_NOT_SUPPORTED,
                28,
            ),
            (
                "COPY t TO STDOUT (HEADER, HEADER)",
                SqlState::SYNTAX_ERROR,
                27,
            ),
            (
                "COPY t TO STDOUT (ENCODING 'latin1')",
                SqlState::FEATURE_NOT_SUPPORTED,
                28,
            ),
            ("COPY t TO STDOUT (SPEED 3)", SqlState::SYNTAX_ERROR, 19),
            (
                "COPY (CREATE TABLE x (a INT)) TO STDOUT",
                SqlState::SYNTAX_ERROR,
                7,
            ),
            ("COPY (SELECT 1 TO STDOUT", SqlState::SYNTAX_ERROR, 25),
            ("COPY () TO STDOUT", SqlState::SYNTAX_ERROR, 7),
            ("COPY t TO STDERR", SqlState::SYNTAX_ERROR, 11),
        ] {
            let err = error(sql);
            assert_eq!(err.sqlstate, state, "{sql}: {err:?}");
            let position = err.position.unwrap_or_else(|| panic!("{sql}: no position"));
            assert_eq!(position.column, at, "{sql}: {err:?}");
        }
    }
}
