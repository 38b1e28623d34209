//! `pg_catalog` as datafusion-pg-catalog emulates it, with the views it
//! lacks (`pg_policies`, DBeaver's policy tab; `pg_available_extensions`,
//! its extension list), empty since scaleph has neither policies nor
//! extensions, `pg_attribute` with type modifiers, and `pg_database` with
//! only the databases a client can connect to.

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::catalog::SchemaProvider;

use super::pg_attribute::TypedAttributes;
use super::pg_database::ConnectableDatabases;
use super::{Amendment, ExtendedSchema, amended_rows, array_of, empty_table};

/// The schema's name.
pub const PG_CATALOG: &str = "pg_catalog";

/// `pg_catalog` schema `inner` with scaleph's additions.
pub fn extended(inner: Arc<dyn SchemaProvider>) -> ExtendedSchema {
    let pg_policies = empty_table(&[
        ("schemaname", DataType::Utf8),
        ("tablename", DataType::Utf8),
        ("policyname", DataType::Utf8),
        ("permissive", DataType::Utf8),
        ("roles", array_of(DataType::Utf8)),
        ("cmd", DataType::Utf8),
        ("qual", DataType::Utf8),
        ("with_check", DataType::Utf8),
    ]);
    let pg_available_extensions = empty_table(&[
        ("name", DataType::Utf8),
        ("default_version", DataType::Utf8),
        ("installed_version", DataType::Utf8),
        ("comment", DataType::Utf8),
    ]);
    ExtendedSchema::new(
        inner,
        [
            ("pg_policies", pg_policies),
            ("pg_available_extensions", pg_available_extensions),
        ],
        [
            // The types and modifiers columns declare.
            (
                "pg_attribute",
                (|table, schema| Ok(amended_rows(table, TypedAttributes::new(schema))))
                    as Amendment,
            ),
            // Only the databases a client can connect to.
            ("pg_database", |table, _| {
                Ok(amended_rows(table, ConnectableDatabases))
            }),
        ],
    )
}

#[cfg(test)]
mod tests {
    use datafusion::prelude::SessionContext;

    use super::*;

    /// A context with datafusion-pg-catalog's `pg_catalog`, extended.
    fn context() -> SessionContext {
        super::super::test_support::with_pg_catalog(SessionContext::new())
    }

    async fn rows(context: &SessionContext, sql: &str) -> usize {
        let batches = context.sql(sql).await.unwrap().collect().await.unwrap();
        batches.iter().map(|b| b.num_rows()).sum()
    }

    /// `compat::columns` reads `pg_extension`'s array columns as NULLs:
    /// they are in every row the emulation has (plpgsql's, as in
    /// PostgreSQL).
    #[tokio::test]
    async fn the_emulated_extensions_configure_no_tables() {
        let context = context();
        assert!(rows(&context, "SELECT * FROM pg_catalog.pg_extension").await > 0);
        assert_eq!(
            rows(
                &context,
                "SELECT * FROM pg_catalog.pg_extension \
                 WHERE extconfig IS NOT NULL OR extcondition IS NOT NULL"
            )
            .await,
            0
        );
    }

    #[tokio::test]
    async fn added_views_answer() {
        let context = context();
        for sql in [
            "SELECT * FROM pg_catalog.pg_policies WHERE schemaname = 'public'",
            "SELECT name, installed_version FROM pg_catalog.pg_available_extensions ORDER BY name",
        ] {
            assert_eq!(rows(&context, sql).await, 0, "{sql}");
        }
        let names = context
            .catalog("datafusion")
            .unwrap()
            .schema(PG_CATALOG)
            .unwrap()
            .table_names();
        assert!(names.iter().any(|n| n == "pg_policies"), "{names:?}");
        assert!(names.iter().any(|n| n == "pg_class"), "{names:?}");
    }
}
