//! Flink catalogs and jars that scaleph also keeps: `CREATE CATALOG`,
//! `DROP CATALOG`, `ADD JAR` and `REMOVE JAR` are Flink statements, run in
//! the Flink session as written, and besides kept in scaleph's store so
//! that every new Flink session starts with them.

use super::flink::FlinkStatement;

/// The catalog and jar family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogStatement {
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
            CatalogStatement::RemoveJar { .. } => None,
        }
    }
}
