//! `CREATE SYNC`.

use super::cursor::Cursor;
use crate::error::{Result, SqlState};
use crate::sql::ast::*;

/// `CREATE SYNC [IF NOT EXISTS] name [ON CLUSTER c] FROM src [DATABASE db] [TABLES (...)]
/// TO sink [, sink ...] [MODE m] [ENGINE e] [WITH (...)]`, the cursor after
/// `CREATE SYNC`. MODE and ENGINE may come in either order.
pub(super) fn create(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = c.ident("a sync name")?;
    let cluster = c.on_cluster()?;
    c.expect_word("FROM", "after the sync name")?;
    let source = c.ident("a source datasource name")?;
    let database = if c.eat_word("DATABASE") {
        Some(c.ident("a database name")?)
    } else {
        None
    };
    let tables = if c.eat_word("TABLES") {
        tables(c)?
    } else {
        Vec::new()
    };
    c.expect_word("TO", "before the sinks")?;
    let mut sinks = vec![sink(c)?];
    while c.eat_punct(',') {
        sinks.push(sink(c)?);
    }
    let (mut mode, mut engine) = (None, None);
    loop {
        if mode.is_none() && c.eat_word("MODE") {
            mode = Some(c.keyword_value(SyncMode::KEYWORDS, "MODE")?);
        } else if engine.is_none() && c.eat_word("ENGINE") {
            engine = Some(c.keyword_value(SyncEngine::KEYWORDS, "ENGINE")?);
        } else {
            break;
        }
    }
    let options = c.with_options()?;
    c.expect_end()?;
    Ok(Statement::from(CreateSync {
        if_not_exists,
        name,
        cluster,
        source,
        database,
        tables,
        sinks,
        mode,
        engine,
        options,
    }))
}

/// `('orders', 'user_.*')`: names or regular expressions, each checked.
fn tables(c: &mut Cursor) -> Result<Vec<String>> {
    c.expect_punct('(', "to open the table list")?;
    let mut tables = Vec::new();
    loop {
        let (table, token) = c.string("a 'table' name or pattern")?;
        if let Err(err) = regex_syntax::Parser::new().parse(&table) {
            // The library draws its own caret over several lines; keep its last.
            let text = err.to_string();
            let reason = text.lines().last().unwrap_or_default();
            let reason = reason.strip_prefix("error: ").unwrap_or(reason);
            return Err(c.error_at(
                token,
                SqlState::INVALID_PARAMETER_VALUE,
                format!("table pattern '{table}' is not a valid regular expression: {reason}"),
            ));
        }
        tables.push(table);
        if c.eat_punct(')') {
            return Ok(tables);
        }
        c.expect_punct(',', "or \")\" in the table list")?;
    }
}

/// `datasource [DATABASE db | TOPIC 'name' | TOPIC PATTERN 'pattern']`.
fn sink(c: &mut Cursor) -> Result<SyncSink> {
    let datasource = c.ident("a sink datasource name")?;
    let target = if c.eat_word("DATABASE") {
        SinkTarget::Database(c.ident("a database name")?)
    } else if c.eat_word("TOPIC") {
        if c.eat_word("PATTERN") {
            SinkTarget::TopicPattern(c.string("a 'topic pattern'")?.0)
        } else {
            SinkTarget::Topic(c.string("a 'topic' name or PATTERN")?.0)
        }
    } else {
        SinkTarget::Default
    };
    Ok(SyncSink { datasource, target })
}
