//! Preview rewrites: a statement that would write a sink becomes a query
//! that shows the rows instead. The statement is cut on its tokens —
//! `INSERT INTO|OVERWRITE <sink> [PARTITION (...)] [(columns)] <query>`,
//! `CREATE|REPLACE TABLE ... AS <query>`, the INSERTs of a statement set —
//! so that any query Flink accepts can be previewed, including what
//! sqlparser cannot parse (window TVFs, `FOR SYSTEM_TIME AS OF`, MAP and
//! ROW types). The query then gets the sink's column names and a LIMIT:
//! on sqlparser's AST when it parses a plain SELECT (so the projection is
//! renamed in place and ORDER BY and a smaller LIMIT stay), else wrapped
//! as `SELECT ... FROM (<query>) AS preview(c1, ...) LIMIT n`.
//!
//! A statement that cannot be rewritten safely is an error (0A000), never
//! forwarded: in preview mode nothing that writes a sink reaches Flink.

use std::fmt::Write;

use sqlparser::ast::{Expr, Ident, LimitClause, SelectItem, SetExpr, Value};
use sqlparser::dialect::GenericDialect;

use super::ast::{Insert, SinkColumn, Writing};
use super::lexer::{Token, TokenKind, tokenize};
use crate::error::{Error, Result, SqlState};

fn refuse(message: impl Into<String>) -> Error {
    Error::new(SqlState::FEATURE_NOT_SUPPORTED, message).with_hint(
        "in preview mode nothing that writes a sink is sent to Flink; \
         SET 'scaleph.preview' = 'off' to run it",
    )
}

struct Cursor<'a> {
    text: &'a str,
    tokens: std::borrow::Cow<'a, [Token]>,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Result<Cursor<'a>> {
        Ok(Cursor {
            text,
            tokens: tokenize(text)?.into(),
            at: 0,
        })
    }

    /// A cursor over `tokens` (of `text`), at the start: the same tokens
    /// read again without tokenizing the text again.
    fn over(text: &'a str, tokens: &'a [Token]) -> Cursor<'a> {
        Cursor {
            text,
            tokens: tokens.into(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn is(&self, word: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == TokenKind::Word && t.is_word(self.text, word))
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek().is_some_and(|t| t.kind == TokenKind::Punct(c))
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.is(word);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, word: &str) -> Result<()> {
        if self.eat(word) {
            Ok(())
        } else {
            Err(refuse(format!(
                "cannot preview this statement: expected {word}"
            )))
        }
    }

    /// The byte offset where the current token starts (the end if none).
    fn offset(&self) -> usize {
        self.peek().map_or(self.text.len(), |t| t.start)
    }

    /// A dotted name (`a`, `` `a b` ``, `cat.db.t`) as written.
    fn name(&mut self) -> Result<String> {
        let start = self.offset();
        loop {
            match self.peek() {
                Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                    self.at += 1
                }
                _ => {
                    return Err(refuse(
                        "cannot preview this statement: expected a table name",
                    ));
                }
            }
            if !self.is_punct('.') {
                break;
            }
            self.at += 1;
        }
        Ok(self.text[start..self.tokens[self.at - 1].end].to_string())
    }

    /// The tokens up to the `)` matching the `(` at the cursor, split on
    /// top-level commas, as text.
    fn parenthesized(&mut self) -> Result<Vec<String>> {
        if !self.is_punct('(') {
            return Err(refuse("cannot preview this statement: expected ("));
        }
        self.at += 1;
        let mut items = Vec::new();
        let mut depth = 0usize;
        let mut start = self.offset();
        while let Some(token) = self.peek().copied() {
            self.at += 1;
            match token.kind {
                TokenKind::Punct('(') => depth += 1,
                TokenKind::Punct(')') if depth > 0 => depth -= 1,
                TokenKind::Punct(')') => {
                    items.push(self.text[start..token.start].trim().to_string());
                    return Ok(items);
                }
                TokenKind::Punct(',') if depth == 0 => {
                    items.push(self.text[start..token.start].trim().to_string());
                    start = token.end;
                }
                _ => {}
            }
        }
        Err(refuse(
            "cannot preview this statement: unbalanced parentheses",
        ))
    }

    /// The text from the cursor to the end, without a trailing `;`.
    fn rest(&self) -> &'a str {
        self.text[self.offset()..]
            .trim()
            .trim_end_matches(';')
            .trim_end()
    }
}

/// An identifier's value: `` `a b` `` -> `a b`, `x` -> `x`.
fn unquote(text: &str) -> String {
    match tokenize(text).ok().as_deref() {
        Some([token]) => token.value(text),
        _ => text.to_string(),
    }
}

/// Cuts an INSERT (`INSERT INTO|OVERWRITE`, `EXECUTE INSERT`, a leading
/// `WITH`) into its parts.
pub fn parse_insert(text: &str) -> Result<Insert> {
    insert_of(Cursor::new(text)?)
}

/// [`parse_insert`] from a cursor at the statement's start.
fn insert_of(mut cursor: Cursor) -> Result<Insert> {
    let text = cursor.text;
    // `WITH cte AS (...) INSERT INTO ...`: the CTEs go before the query.
    let mut ctes = "";
    if cursor.is("WITH") {
        let start = cursor.offset();
        let mut depth = 0usize;
        while let Some(token) = cursor.peek().copied() {
            match token.kind {
                TokenKind::Punct('(') => depth += 1,
                TokenKind::Punct(')') => depth = depth.saturating_sub(1),
                TokenKind::Word if depth == 0 && token.is_word(text, "INSERT") => break,
                _ => {}
            }
            cursor.at += 1;
        }
        ctes = text[start..cursor.offset()].trim();
    }
    cursor.eat("EXECUTE");
    cursor.expect("INSERT")?;
    if !cursor.eat("INTO") {
        cursor.expect("OVERWRITE")?;
        cursor.eat("TABLE");
    }
    let sink = cursor.name()?;
    let mut partition = Vec::new();
    let mut columns = None;
    loop {
        if cursor.eat("PARTITION") {
            for item in cursor.parenthesized()? {
                let (column, value) = item.split_once('=').ok_or_else(|| {
                    refuse(format!("cannot preview this statement: partition value {item} is not column = value"))
                })?;
                partition.push((unquote(column.trim()), value.trim().to_string()));
            }
        } else if cursor.is_punct('(') {
            columns = Some(cursor.parenthesized()?.iter().map(|c| unquote(c)).collect());
        } else {
            break;
        }
    }
    let query = cursor.rest();
    if query.is_empty() {
        return Err(refuse(
            "cannot preview this statement: the INSERT has no query",
        ));
    }
    let query = if ctes.is_empty() {
        query.to_string()
    } else {
        format!("{ctes} {query}")
    };
    Ok(Insert {
        sink,
        columns,
        partition,
        query,
    })
}

/// What the write statement `text` reads.
pub fn parse_write(text: &str) -> Result<Writing> {
    let tokens = tokenize(text)?;
    parse_write_in(text, &tokens)
}

/// [`parse_write`] of a statement already tokenized: `tokens` are its
/// tokens (without a terminating `;`) with offsets into `text`, which
/// ends where the statement ends (a script may hold statements before it;
/// classification passes the splitter's tokens, so nothing is tokenized
/// twice).
pub fn parse_write_in(text: &str, tokens: &[Token]) -> Result<Writing> {
    let mut cursor = Cursor::over(text, tokens);
    let execute_set = cursor.eat("EXECUTE")
        && cursor.eat("STATEMENT")
        && cursor.eat("SET")
        && cursor.eat("BEGIN");
    let mut cursor = Cursor::over(text, tokens);
    let begin_set = cursor.eat("BEGIN") && cursor.eat("STATEMENT") && cursor.eat("SET");
    if execute_set || begin_set {
        let mut cursor = Cursor::over(text, tokens);
        cursor.at = if execute_set { 4 } else { 3 };
        if cursor.is_punct(';') {
            cursor.at += 1;
        }
        let body = cursor.rest();
        let body = body
            .strip_suffix("END")
            .or_else(|| body.strip_suffix("end"))
            .ok_or_else(|| refuse("cannot preview this statement set: it does not end with END"))?;
        let inserts = super::split::split(body)?
            .pieces
            .iter()
            .map(|piece| parse_insert(&body[piece.start..piece.end]))
            .collect::<Result<Vec<_>>>()?;
        if inserts.is_empty() {
            return Err(refuse("cannot preview an empty statement set"));
        }
        return Ok(Writing::StatementSet(inserts));
    }
    let mut cursor = Cursor::over(text, tokens);
    if cursor.is("CREATE") || cursor.is("REPLACE") {
        cursor.at += 1;
        while cursor.eat("OR") || cursor.eat("REPLACE") || cursor.eat("TEMPORARY") {}
        cursor.expect("TABLE")?;
        if cursor.eat("IF") {
            cursor.expect("NOT")?;
            cursor.expect("EXISTS")?;
        }
        let table = cursor.name()?;
        let mut depth = 0usize;
        while let Some(token) = cursor.peek().copied() {
            match token.kind {
                TokenKind::Punct('(') => depth += 1,
                TokenKind::Punct(')') => depth = depth.saturating_sub(1),
                TokenKind::Word if depth == 0 && token.is_word(text, "AS") => {
                    cursor.at += 1;
                    return Ok(Writing::TableAs {
                        table,
                        query: cursor.rest().to_string(),
                    });
                }
                _ => {}
            }
            cursor.at += 1;
        }
        return Err(refuse(
            "cannot preview this CREATE TABLE: it has no AS <query>",
        ));
    }
    insert_of(Cursor::over(text, tokens)).map(Writing::Insert)
}

/// A column of Flink's `DESCRIBE <sink>` (its `name`, `type` and
/// `extras`) as a column an INSERT writes: `None` for a computed column
/// (`AS ...`) or a virtual metadata column (`METADATA ... VIRTUAL`), which
/// an INSERT does not write. A time attribute's marker is not part of its
/// type: `TIMESTAMP(3) *ROWTIME*` is `TIMESTAMP(3)`.
pub fn sink_column(name: &str, data_type: &str, extras: Option<&str>) -> Option<SinkColumn> {
    let extras = extras.unwrap_or_default().trim();
    let computed = extras
        .get(..3)
        .is_some_and(|a| a.eq_ignore_ascii_case("AS "));
    let upper = extras.to_ascii_uppercase();
    let virtual_metadata = upper.starts_with("METADATA") && upper.ends_with("VIRTUAL");
    if computed || virtual_metadata {
        return None;
    }
    let data_type = data_type
        .trim()
        .trim_end_matches("*ROWTIME*")
        .trim_end_matches("*PROCTIME*")
        .trim_end();
    Some(SinkColumn {
        name: name.to_string(),
        data_type: data_type.to_string(),
    })
}

/// `` `name` `` with backquotes doubled: a Flink identifier.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// What each output column of a preview is: the query's column at a
/// position, a static partition value, or a NULL of the sink's type.
enum Output {
    Query(usize),
    Literal(String),
    Null(String),
}

/// The output of a preview of `insert` into a sink of `columns` (its
/// schema, in order), by sink column; errors when the column counts do not
/// match. With `columns` empty (the sink's schema unknown), the query's
/// columns as they are.
fn outputs(insert: &Insert, sink: &[SinkColumn]) -> Result<Vec<(String, Output)>> {
    let targets: Vec<String> = match &insert.columns {
        Some(listed) => listed.clone(),
        None => sink
            .iter()
            .map(|c| c.name.clone())
            .filter(|name| {
                !insert
                    .partition
                    .iter()
                    .any(|(p, _)| p.eq_ignore_ascii_case(name))
            })
            .collect(),
    };
    let mut out = Vec::with_capacity(sink.len());
    for column in sink {
        let found = |name: &String| name.eq_ignore_ascii_case(&column.name);
        let output = if let Some(position) = targets.iter().position(found) {
            Output::Query(position)
        } else if let Some((_, value)) = insert.partition.iter().find(|(p, _)| found(p)) {
            Output::Literal(value.clone())
        } else {
            Output::Null(column.data_type.replace(" NOT NULL", ""))
        };
        out.push((column.name.clone(), output));
    }
    for target in &targets {
        if !sink.iter().any(|c| c.name.eq_ignore_ascii_case(target)) {
            return Err(Error::new(
                SqlState::UNDEFINED_COLUMN,
                format!("sink {} has no column \"{target}\"", insert.sink),
            ));
        }
    }
    Ok(out)
}

/// The query that previews `insert` into a sink of `sink` columns, at
/// most `limit` rows.
pub fn preview_insert(insert: &Insert, sink: &[SinkColumn], limit: usize) -> Result<String> {
    let outputs = outputs(insert, sink)?;
    if let Some(sql) = rename_in_place(&insert.query, &outputs, limit) {
        return Ok(sql);
    }
    Ok(wrap(&insert.query, &outputs, limit))
}

/// The query of a `CREATE TABLE ... AS` at most `limit` rows.
pub fn preview_query(query: &str, limit: usize) -> String {
    rename_in_place(query, &[], limit).unwrap_or_else(|| {
        format!(
            "SELECT * FROM ({query}) AS {} LIMIT {limit}",
            quote_ident("preview")
        )
    })
}

/// `SELECT <outputs> FROM (<query>) AS preview(c1, ...) LIMIT n`.
fn wrap(query: &str, outputs: &[(String, Output)], limit: usize) -> String {
    let used = outputs
        .iter()
        .filter_map(|(_, o)| match o {
            Output::Query(i) => Some(*i + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut sql = String::from("SELECT ");
    for (i, (name, output)) in outputs.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        match output {
            Output::Query(position) => sql.push_str(&quote_ident(&format!("c{}", position + 1))),
            Output::Literal(value) => sql.push_str(value),
            Output::Null(data_type) => {
                let _ = write!(sql, "CAST(NULL AS {data_type})");
            }
        }
        let _ = write!(sql, " AS {}", quote_ident(name));
    }
    let columns: Vec<String> = (1..=used).map(|i| quote_ident(&format!("c{i}"))).collect();
    let _ = write!(
        sql,
        " FROM ({query}) AS {}({}) LIMIT {limit}",
        quote_ident("preview"),
        columns.join(", ")
    );
    sql
}

/// The query with its projection renamed to the sink's columns and its
/// LIMIT lowered to `limit`, on sqlparser's AST; `None` unless it is a
/// plain SELECT of as many expressions (no `*`) as the preview needs.
fn rename_in_place(query: &str, outputs: &[(String, Output)], limit: usize) -> Option<String> {
    let mut statements = sqlparser::parser::Parser::parse_sql(&GenericDialect {}, query).ok()?;
    let [sqlparser::ast::Statement::Query(parsed)] = statements.as_mut_slice() else {
        return None;
    };
    if !outputs.is_empty() {
        let SetExpr::Select(select) = parsed.body.as_mut() else {
            return None;
        };
        let exprs: Vec<Expr> = select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                    Some(expr.clone())
                }
                _ => None,
            })
            .collect::<Option<_>>()?;
        let mut projection = Vec::with_capacity(outputs.len());
        for (name, output) in outputs {
            let expr = match output {
                Output::Query(i) => exprs.get(*i)?.clone(),
                // Literals and types in Flink's spelling: parsed the wrap way.
                Output::Literal(_) | Output::Null(_) => return None,
            };
            projection.push(SelectItem::ExprWithAlias {
                expr,
                alias: Ident::with_quote('`', name),
            });
        }
        if projection.len() != exprs.len() || outputs.iter().any(|(n, _)| n.contains('`')) {
            return None;
        }
        select.projection = projection;
    }
    let limit_expr = Expr::value(Value::Number(limit.to_string(), false));
    match &mut parsed.limit_clause {
        None => {
            parsed.limit_clause = Some(LimitClause::LimitOffset {
                limit: Some(limit_expr),
                offset: None,
                limit_by: Vec::new(),
            });
        }
        Some(LimitClause::LimitOffset {
            limit: Some(Expr::Value(value)),
            ..
        }) => {
            let Value::Number(n, _) = &value.value else {
                return None;
            };
            if n.parse::<usize>().ok()? > limit {
                value.value = Value::Number(limit.to_string(), false);
            }
        }
        Some(_) => return None,
    }
    Some(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_columns_are_what_an_insert_writes() {
        let column = |name: &str, ty: &str, extras: Option<&str>| {
            sink_column(name, ty, extras).map(|c| (c.name, c.data_type))
        };
        assert_eq!(
            column("ts", "TIMESTAMP(3) *ROWTIME*", None),
            Some(("ts".into(), "TIMESTAMP(3)".into()))
        );
        assert_eq!(
            column(
                "pt",
                "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*",
                Some("AS PROCTIME()")
            ),
            None
        );
        assert_eq!(column("b", "INT", Some("AS `a` * 2")), None);
        assert_eq!(
            column("topic", "STRING", Some("METADATA FROM 'topic' VIRTUAL")),
            None
        );
        assert_eq!(
            column("ts", "TIMESTAMP_LTZ(3)", Some("METADATA FROM 'timestamp'")),
            Some(("ts".into(), "TIMESTAMP_LTZ(3)".into()))
        );
        assert_eq!(
            column("a", "INT NOT NULL", None),
            Some(("a".into(), "INT NOT NULL".into()))
        );
    }

    fn columns(spec: &[(&str, &str)]) -> Vec<SinkColumn> {
        spec.iter()
            .map(|(n, t)| SinkColumn {
                name: n.to_string(),
                data_type: t.to_string(),
            })
            .collect()
    }

    fn reparses_as_a_query(sql: &str) {
        let parsed = crate::sql::parse_script(sql).unwrap();
        assert_eq!(parsed.len(), 1, "{sql}");
        assert!(
            matches!(
                &parsed[0].statement,
                crate::sql::ast::Statement::Query(_)
                    | crate::sql::ast::Statement::Flink(crate::sql::ast::FlinkStatement {
                        kind: crate::sql::ast::FlinkStatementKind::Query,
                        ..
                    })
            ),
            "{sql} is not a query: {:?}",
            parsed[0].statement
        );
    }

    #[test]
    fn insert_select_is_renamed_in_place_with_a_limit() {
        let sink = columns(&[("order_id", "INT"), ("total", "DECIMAL(10, 2)")]);
        let insert = parse_insert(
            "INSERT INTO doris_orders SELECT id, amount FROM orders WHERE amount > 10",
        )
        .unwrap();
        assert_eq!(insert.sink, "doris_orders");
        let sql = preview_insert(&insert, &sink, 100).unwrap();
        assert_eq!(
            sql,
            "SELECT id AS `order_id`, amount AS `total` FROM orders WHERE amount > 10 LIMIT 100"
        );
        reparses_as_a_query(&sql);
        // A smaller LIMIT and ORDER BY stay.
        let insert = parse_insert("insert into s select a, b from t order by a limit 5;").unwrap();
        let sql = preview_insert(&insert, &columns(&[("x", "INT"), ("y", "INT")]), 100).unwrap();
        assert_eq!(sql, "SELECT a AS `x`, b AS `y` FROM t ORDER BY a LIMIT 5");
        let insert = parse_insert("INSERT OVERWRITE s SELECT a, b FROM t LIMIT 500").unwrap();
        let sql = preview_insert(&insert, &columns(&[("x", "INT"), ("y", "INT")]), 100).unwrap();
        assert!(sql.ends_with("LIMIT 100"), "{sql}");
        reparses_as_a_query(&sql);
    }

    #[test]
    fn column_lists_reorder_and_fill_with_typed_nulls() {
        let sink = columns(&[
            ("a", "INT NOT NULL"),
            ("b", "STRING"),
            ("c", "DECIMAL(10, 2)"),
        ]);
        let insert = parse_insert("INSERT INTO sink (b, a) SELECT x, y FROM t").unwrap();
        assert_eq!(insert.columns, Some(vec!["b".to_string(), "a".to_string()]));
        let sql = preview_insert(&insert, &sink, 10).unwrap();
        assert_eq!(
            sql,
            "SELECT `c2` AS `a`, `c1` AS `b`, CAST(NULL AS DECIMAL(10, 2)) AS `c` FROM (SELECT x, y FROM t) AS `preview`(`c1`, `c2`) LIMIT 10"
        );
        reparses_as_a_query(&sql);
        let err = preview_insert(
            &parse_insert("INSERT INTO sink (nope) SELECT 1").unwrap(),
            &sink,
            10,
        )
        .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_COLUMN);
    }

    #[test]
    fn values_partitions_ctes_and_unparsable_queries_are_wrapped() {
        let sink = columns(&[("id", "INT"), ("name", "STRING"), ("dt", "STRING")]);
        let insert = parse_insert(
            "INSERT INTO `db`.`sink` PARTITION (dt = '2026-11-01') VALUES (1, 'a'), (2, 'b')",
        )
        .unwrap();
        assert_eq!(insert.sink, "`db`.`sink`");
        assert_eq!(
            insert.partition,
            vec![("dt".to_string(), "'2026-11-01'".to_string())]
        );
        let sql = preview_insert(&insert, &sink, 100).unwrap();
        assert_eq!(
            sql,
            "SELECT `c1` AS `id`, `c2` AS `name`, '2026-11-01' AS `dt` FROM (VALUES (1, 'a'), (2, 'b')) AS `preview`(`c1`, `c2`) LIMIT 100"
        );
        reparses_as_a_query(&sql);
        let insert = parse_insert(
            "WITH big AS (SELECT * FROM orders WHERE amount > 10) INSERT INTO s SELECT id, amount FROM big",
        )
        .unwrap();
        assert!(insert.query.starts_with("WITH big AS"));
        let sql = preview_insert(&insert, &columns(&[("i", "INT"), ("a", "INT")]), 3).unwrap();
        reparses_as_a_query(&sql);
        assert!(sql.contains("AS `i`") && sql.ends_with("LIMIT 3"), "{sql}");
        // A window TVF sqlparser cannot parse is cut on tokens and wrapped.
        let tvf = "INSERT INTO s SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTES)) GROUP BY window_start, window_end";
        let sql = preview_insert(
            &parse_insert(tvf).unwrap(),
            &columns(&[("w", "TIMESTAMP(3)"), ("n", "BIGINT")]),
            100,
        )
        .unwrap();
        assert!(
            sql.starts_with("SELECT `c1` AS `w`, `c2` AS `n` FROM (SELECT window_start"),
            "{sql}"
        );
        reparses_as_a_query(&sql);
        let sql = preview_insert(
            &parse_insert("INSERT INTO s SELECT * FROM t").unwrap(),
            &columns(&[("a", "INT")]),
            100,
        )
        .unwrap();
        assert_eq!(
            sql,
            "SELECT `c1` AS `a` FROM (SELECT * FROM t) AS `preview`(`c1`) LIMIT 100"
        );
    }

    #[test]
    fn every_write_of_the_corpus_rewrites_into_a_query() {
        let sink = columns(&[("a", "INT"), ("b", "STRING"), ("c", "DECIMAL(10, 2)")]);
        let corpus = include_str!("../../tests/corpus/preview.sql");
        let statements = crate::sql::parse_script(corpus).unwrap();
        assert!(statements.len() >= 30, "{}", statements.len());
        for statement in &statements {
            let queries = match parse_write(&statement.text) {
                Ok(Writing::Insert(insert)) => vec![preview_insert(&insert, &sink, 100)],
                Ok(Writing::StatementSet(inserts)) => inserts
                    .iter()
                    .map(|insert| preview_insert(insert, &sink, 100))
                    .collect(),
                Ok(Writing::TableAs { query, .. }) => vec![Ok(preview_query(&query, 100))],
                Err(err) => panic!("{}: {}", statement.text, err.message),
            };
            for query in queries {
                let query = query.unwrap_or_else(|e| panic!("{}: {}", statement.text, e.message));
                assert!(query.contains("LIMIT"), "{query}");
                reparses_as_a_query(&query);
            }
        }
    }

    #[test]
    fn statement_sets_and_table_as_query_are_recognised() {
        let write = parse_write(
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b (x) SELECT 2; END",
        )
        .unwrap();
        let Writing::StatementSet(inserts) = write else {
            panic!("{write:?}")
        };
        assert_eq!(inserts.len(), 2);
        assert_eq!(inserts[1].sink, "b");
        let write = parse_write("BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nEND").unwrap();
        assert!(matches!(write, Writing::StatementSet(inserts) if inserts.len() == 1));
        let write = parse_write(
            "CREATE TABLE t WITH ('connector' = 'print') AS SELECT id, amount FROM orders",
        )
        .unwrap();
        let Writing::TableAs { table, query } = write else {
            panic!("{write:?}")
        };
        assert_eq!(table, "t");
        let sql = preview_query(&query, 7);
        assert_eq!(sql, "SELECT id, amount FROM orders LIMIT 7");
        reparses_as_a_query(&sql);
        assert_eq!(
            parse_write("CREATE TABLE t (a INT) WITH ('connector' = 'print')")
                .unwrap_err()
                .sqlstate,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert!(parse_write("INSERT INTO s").is_err());
        assert!(parse_write("EXECUTE STATEMENT SET BEGIN END").is_err());
        assert!(parse_write("INSERT INTO s PARTITION (dt) SELECT 1").is_err());
    }
}
