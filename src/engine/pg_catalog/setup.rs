//! A session's `pg_catalog`, assembled from datafusion-pg-catalog's public
//! parts with its static tables (pg_type, pg_proc, pg_operator, ...,
//! compressed Arrow IPC inside the crate) decoded once per process and
//! shared by every session. `setup_pg_catalog` decodes them for each
//! session: on a new connection that was most of the first catalog query
//! (about 10 ms, mostly fresh pages for the decompressed buffers), which
//! psql pays for every command it runs.
//!
//! The functions registered here are the emulation's own that scaleph does
//! not replace; scaleph's (`current_schema`, `current_database`,
//! `session_user`, `pg_backend_pid`, `pg_get_userbyid`, the size
//! functions, ...) are
//! registered by [`super::functions`].

use std::sync::{Arc, OnceLock};

use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use datafusion_pg_catalog::pg_catalog::context::EmptyContextProvider;
use datafusion_pg_catalog::pg_catalog::generate_series_arg_coercion::CoerceIntArgsToBigInt;
use datafusion_pg_catalog::pg_catalog::oid_type_planner::PgOidTypePlanner;
use datafusion_pg_catalog::pg_catalog::{
    self as emulation, PgCatalogSchemaProvider, PgCatalogStaticTables, array_bounds_udf,
    format_type, has_privilege_udf, pg_get_expr_udf, quote_ident_udf,
};

/// The static tables, decoded on first use.
fn static_tables() -> DfResult<Arc<PgCatalogStaticTables>> {
    static TABLES: OnceLock<Result<Arc<PgCatalogStaticTables>, String>> = OnceLock::new();
    TABLES
        .get_or_init(|| {
            PgCatalogStaticTables::try_new()
                .map(Arc::new)
                .map_err(|err| err.to_string())
        })
        .clone()
        .map_err(DataFusionError::Execution)
}

/// Registers `pg_catalog` in the catalog `database` of `context`, its
/// functions, and the planner pieces its queries need (oid-alias types as
/// integers, `generate_series` over int4 bounds).
pub fn setup(context: &SessionContext, database: &str) -> DfResult<()> {
    let tables = static_tables()?;
    let schema = PgCatalogSchemaProvider::try_new(
        context.state().catalog_list().clone(),
        tables.clone(),
        EmptyContextProvider,
    )?;
    context
        .catalog(database)
        .ok_or_else(|| DataFusionError::Plan(format!("no catalog {database}")))?
        .register_schema("pg_catalog", Arc::new(schema))?;
    let privileges = [
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_any_column_privilege",
    ]
    .map(has_privilege_udf::create_has_privilege_udf);
    for function in privileges.into_iter().chain([
        emulation::create_pg_table_is_visible(),
        emulation::create_pg_get_partkeydef_udf(),
        emulation::create_pg_relation_is_publishable_udf(),
        emulation::create_pg_get_statisticsobjdef_columns_udf(),
        emulation::create_pg_encoding_to_char_udf(),
        emulation::create_pg_get_constraintdef(),
        emulation::create_pg_get_partition_ancestors_udf(),
        format_type::create_format_type_udf(),
        pg_get_expr_udf::create_pg_get_expr_udf(),
        quote_ident_udf::create_quote_ident_udf(),
        quote_ident_udf::create_parse_ident_udf(),
        array_bounds_udf::create_array_upper_udf(),
        array_bounds_udf::create_array_lower_udf(),
    ]) {
        context.register_udf(function);
    }
    context.register_udtf("pg_get_keywords", tables.pg_get_keywords.clone());
    let state = context.state_ref();
    let with_oid_types = SessionStateBuilder::new_from_existing(state.read().clone())
        .with_type_planner(Arc::new(PgOidTypePlanner))
        .build();
    *state.write() = with_oid_types;
    CoerceIntArgsToBigInt::widen(context);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_share_the_static_tables_and_answer_catalog_queries() {
        let first = static_tables().unwrap();
        assert!(Arc::ptr_eq(&first, &static_tables().unwrap()));
        let context = SessionContext::new();
        setup(&context, "datafusion").unwrap();
        for sql in [
            "SELECT oid FROM pg_catalog.pg_type WHERE typname = 'int4'",
            "SELECT format_type(23, -1), has_table_privilege('pg_class', 'SELECT')",
            "SELECT * FROM generate_series(1, array_upper(ARRAY[1, 2], 1))",
            "SELECT count(*) FROM pg_get_keywords()",
        ] {
            let rows: usize = context
                .sql(sql)
                .await
                .unwrap_or_else(|err| panic!("{sql}: {err}"))
                .collect()
                .await
                .unwrap_or_else(|err| panic!("{sql}: {err}"))
                .iter()
                .map(|batch| batch.num_rows())
                .sum();
            assert!(rows > 0, "{sql}");
        }
    }
}
