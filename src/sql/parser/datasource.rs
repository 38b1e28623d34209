//! Data source statements: CREATE with files, the type registry,
//! connectivity tests and metadata browsing.

use super::cursor::Cursor;
use crate::error::Result;
use crate::sql::ast::*;

/// The largest `LIMIT` of a datasource preview.
const MAX_PREVIEW_ROWS: u64 = 10_000;

/// `CREATE DATASOURCE [IF NOT EXISTS] name TYPE t [WITH (...)] [FILES (...)]`,
/// the cursor after `CREATE DATASOURCE`.
pub(super) fn create(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = c.ident("a datasource name")?;
    c.expect_word("TYPE", "after the datasource name")?;
    let datasource_type = c.ident("a datasource type")?;
    let options = c.with_options()?;
    let files = c.files()?;
    c.expect_end()?;
    Ok(Statement::from(CreateDatasource {
        if_not_exists,
        name,
        datasource_type,
        options,
        files,
    }))
}

/// After `SHOW DATASOURCE`: `TYPES`.
pub(super) fn show_types(c: &mut Cursor) -> Result<Statement> {
    c.expect_word("TYPES", "after SHOW DATASOURCE")?;
    c.expect_end()?;
    Ok(Statement::Datasource(DatasourceStatement::ShowTypes))
}

/// After `DESCRIBE DATASOURCE`: `TYPE t`, `name TABLE db.t`, or `name`
/// (a datasource may be called `type`: `DESCRIBE DATASOURCE type`).
pub(super) fn describe(c: &mut Cursor) -> Result<Statement> {
    if c.peek_word("TYPE") && c.tokens.len() == c.pos + 2 {
        c.pos += 1;
        let datasource_type = c.ident("a datasource type")?;
        c.expect_end()?;
        return Ok(Statement::from(DescribeDatasourceType { datasource_type }));
    }
    let name = c.ident("a datasource name")?;
    let statement = if c.eat_word("TABLE") {
        Statement::from(DescribeSourceTable {
            datasource: name,
            table: c.qualified_name("a table name")?,
        })
    } else {
        Statement::from(DescribeObject {
            kind: ObjectKind::Datasource,
            name,
            show_create: false,
        })
    };
    c.expect_end()?;
    Ok(statement)
}

/// After `TEST`: `DATASOURCE name`, `CLUSTER name`, or `DATASOURCE TYPE t
/// WITH (...) [FILES (...)]` (one function: the kinds share the keyword,
/// and a mistyped kind is told every kind TEST takes).
pub(super) fn test(c: &mut Cursor) -> Result<Statement> {
    let kind = c.kind(Lifecycle::Test.kinds(), "TEST")?;
    if kind == ObjectKind::Datasource && c.peek_word("TYPE") && c.tokens.len() > c.pos + 1 {
        c.pos += 1;
        let datasource_type = c.ident("a datasource type")?;
        let options = c.with_options()?;
        let files = c.files()?;
        c.expect_end()?;
        return Ok(Statement::from(TestDatasourceType {
            datasource_type,
            options,
            files,
        }));
    }
    let name = c.ident(&format!("a {} name", kind.noun()))?;
    c.expect_end()?;
    Ok(Statement::from(ObjectCommand {
        command: Lifecycle::Test,
        kind,
        name,
    }))
}

/// After `SHOW DATABASES FROM DATASOURCE`: `name`.
pub(super) fn show_databases(c: &mut Cursor) -> Result<Statement> {
    let datasource = c.ident("a datasource name")?;
    c.expect_end()?;
    Ok(Statement::from(ShowSourceDatabases { datasource }))
}

/// After `SHOW TABLES FROM DATASOURCE`: `name [DATABASE db] [LIKE 'p']`.
pub(super) fn show_tables(c: &mut Cursor) -> Result<Statement> {
    let datasource = c.ident("a datasource name")?;
    let database = if c.eat_word("DATABASE") {
        Some(c.ident("a database name")?)
    } else {
        None
    };
    let like = c.like()?;
    c.expect_end()?;
    Ok(Statement::from(ShowSourceTables {
        datasource,
        database,
        like,
    }))
}

/// After `PREVIEW DATASOURCE`: `name TABLE db.t [LIMIT n]`.
pub(super) fn preview_table(c: &mut Cursor) -> Result<Statement> {
    let datasource = c.ident("a datasource name")?;
    c.expect_word("TABLE", "after the datasource name")?;
    let table = c.qualified_name("a table name")?;
    let limit = if c.eat_word("LIMIT") {
        Some(c.positive_integer("LIMIT", MAX_PREVIEW_ROWS)?)
    } else {
        None
    };
    c.expect_end()?;
    Ok(Statement::from(PreviewSourceTable {
        datasource,
        table,
        limit,
    }))
}
