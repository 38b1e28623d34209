//! Flink catalogs and jars that scaleph also keeps: `CREATE CATALOG`,
//! `DROP CATALOG`, `ADD JAR` and `REMOVE JAR` are Flink statements, run in
//! the Flink session as written, and besides kept in scaleph's store so
//! that every new Flink session starts with them. `CREATE CATALOG ... FROM
//! DATASOURCE` is scaleph's: it writes the Flink `CREATE CATALOG` from a
//! datasource, then goes the same way.

use std::fmt;

use sqlparser::ast::Ident;

use super::common::{Options, fmt_if, fmt_with, q};
use super::flink::FlinkStatement;

/// The catalog and jar family.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogStatement {
    /// `CREATE CATALOG [IF NOT EXISTS] name FROM DATASOURCE ds [WITH (...)]`.
    CreateFromDatasource(CreateCatalogFromDatasource),
    /// `CREATE CATALOG [IF NOT EXISTS] name WITH (...)`.
    CreateCatalog {
        /// The catalog's name.
        name: String,
        /// The value of its `'type'` option, if given.
        catalog_type: Option<String>,
        /// The statement, for Flink.
        flink: FlinkStatement,
    },
    /// `DROP CATALOG [IF EXISTS] name`.
    DropCatalog {
        /// The catalog's name.
        name: String,
        /// The statement, for Flink.
        flink: FlinkStatement,
    },
    /// `ADD JAR '<path>'`.
    AddJar {
        /// The jar's path or URL.
        path: String,
        /// The statement, for Flink.
        flink: FlinkStatement,
    },
    /// `REMOVE JAR '<path>'`: the Flink SQL Gateway refuses it, so it never
    /// reaches Flink.
    RemoveJar {
        /// The jar's path or URL.
        path: String,
    },
}

impl CatalogStatement {
    /// The statement as users name it.
    pub fn family(&self) -> &'static str {
        match self {
            CatalogStatement::CreateFromDatasource(_) => "CREATE CATALOG FROM DATASOURCE",
            CatalogStatement::CreateCatalog { .. } => "CREATE CATALOG",
            CatalogStatement::DropCatalog { .. } => "DROP CATALOG",
            CatalogStatement::AddJar { .. } => "ADD JAR",
            CatalogStatement::RemoveJar { .. } => "REMOVE JAR",
        }
    }

    /// The Flink statement it runs in the Flink session, if any.
    pub fn flink(&self) -> Option<&FlinkStatement> {
        match self {
            CatalogStatement::CreateCatalog { flink, .. }
            | CatalogStatement::DropCatalog { flink, .. }
            | CatalogStatement::AddJar { flink, .. } => Some(flink),
            // Its Flink statement is written when it runs, from the store.
            CatalogStatement::CreateFromDatasource(_) | CatalogStatement::RemoveJar { .. } => None,
        }
    }
}

/// `CREATE CATALOG [IF NOT EXISTS] name FROM DATASOURCE ds [WITH (...)]`:
/// a Flink catalog over what a datasource reaches, its options from the
/// datasource type's `[flink_catalog]` block.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateCatalogFromDatasource {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The Flink catalog's name. A Flink name: a bare one keeps its case
    /// (`Lake` is Flink's catalog `Lake`), as in Flink's own `CREATE
    /// CATALOG`; a quoted one (`"x"` or `` `x` ``) is taken as written.
    pub name: Ident,
    /// The datasource (a scaleph name: a bare one folds to lower case).
    pub datasource: Ident,
    /// More Flink catalog options, added to the datasource's (replacing one
    /// of the same key).
    pub options: Options,
}

impl fmt::Display for CreateCatalogFromDatasource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE CATALOG")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(
            f,
            " {} FROM DATASOURCE {}",
            q(&self.name),
            q(&self.datasource)
        )?;
        fmt_with(f, &self.options)
    }
}
