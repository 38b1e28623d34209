//! `CREATE CATALOG ... FROM DATASOURCE`: the one catalog statement that is
//! scaleph's. Which `CREATE CATALOG` it is, `sql::classify` decides
//! ([`crate::sql::classify::creates_catalog_from_datasource`]); Flink's own
//! `CREATE CATALOG ... WITH` never comes here.

use sqlparser::ast::Ident;

use super::cursor::Cursor;
use crate::error::{Error, Result};
use crate::sql::ast::*;
use crate::sql::lexer::TokenKind;

/// `CREATE CATALOG [IF NOT EXISTS] name FROM DATASOURCE ds [WITH (...)]`,
/// the cursor after `CREATE CATALOG`.
pub(super) fn create_from_datasource(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = catalog_name(c)?;
    c.expect_word("FROM", "after the catalog name")?;
    c.expect_word("DATASOURCE", "after FROM")?;
    let datasource = c.ident("a datasource name")?;
    let options = c.with_options()?;
    c.expect_end()?;
    Ok(Statement::from(CreateCatalogFromDatasource {
        if_not_exists,
        name,
        datasource,
        options,
    }))
}

/// A Flink catalog's name: a bare word (its case kept, as Flink keeps it),
/// or quoted in Flink's backticks or SQL's double quotes (both read as one
/// quoted name, printed back in double quotes).
fn catalog_name(c: &mut Cursor) -> Result<Ident> {
    match c.peek() {
        Some(token) if token.kind == TokenKind::QuotedIdent => {
            let value = token.value(c.script);
            if value.is_empty() {
                return Err(Error::syntax(
                    "a catalog name must not be empty",
                    crate::error::Position::at(c.script, token.start),
                ));
            }
            c.pos += 1;
            Ok(Ident::with_quote('"', value))
        }
        _ => c.ident("a catalog name"),
    }
}
