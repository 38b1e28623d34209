//! PostgreSQL's catalogs, emulated. psql's `\d`, pgjdbc's
//! `DatabaseMetaData`, DBeaver's navigator and BI tools' schema sync learn
//! what a server holds by querying `pg_catalog` and `information_schema`
//! and by calling PostgreSQL's catalog functions; they know no other way.
//! This module answers those queries over the session's DataFusion
//! catalog (scaleph's own schema and the Flink catalog the client
//! connected to), so that these clients browse scaleph as they would
//! PostgreSQL, with nothing scaleph-specific on their side.
//!
//! It is the one place that knows PostgreSQL's catalogs; the rest of the
//! engine asks it whether a query is a catalog query, has it rewrite one,
//! and sets it up on a session's first catalog query ([`prepare`]):
//!
//! - `setup`: datafusion-pg-catalog's `pg_catalog`, its static tables
//!   decoded once per process, and the functions of its own scaleph keeps;
//! - `tables`: the relations it lacks or gives in a shape clients cannot
//!   use (`information_schema`'s PostgreSQL columns, `pg_attribute`'s type
//!   modifiers, `pg_database`'s connectable databases, ...);
//! - `functions`: the functions clients call that DataFusion lacks or
//!   answers differently (`version()`, `current_schema()`,
//!   `pg_get_userbyid`, `format()`, ...);
//! - `compat`: the PostgreSQL dialect of catalog queries, rewritten until
//!   DataFusion plans it;
//! - `ordered_catalog`: catalogs, schemas and tables listed in name
//!   order, so that objects get the same oids in every session;
//! - `flink_catalog`: the Flink catalog's databases, tables and columns,
//!   shown (shapes only) as schemas and tables.
//!
//! Each file says which client needs what it emulates, and what
//! PostgreSQL does there.

mod compat;
mod flink_catalog;
mod functions;
mod ordered_catalog;
mod setup;
mod tables;

use datafusion::prelude::SessionContext;

use crate::context::SessionInfo;

pub use compat::{
    calls, empty_catalog_answer, function_name, is_catalog_query, looks_like_catalog_query,
    parse_catalog_query, rewrite_catalog_query, select_subqueries_nulled,
};
pub use flink_catalog::ShownFlinkCatalog;
pub use functions::{register as register_functions, version_string};
pub use ordered_catalog::{OrderedCatalog, OrderedCatalogList};
pub use tables::{INFORMATION_SCHEMA, information_schema};

/// The scan that numbers every catalog, schema and table (their oids).
const NUMBER_OBJECTS: &str = "SELECT count(*) FROM pg_catalog.pg_class";

/// Sets up `pg_catalog` over every schema of the catalog `info.database`
/// of `context`, with the functions catalog queries call; scaleph's own
/// functions (`version()`, `current_user`, ...) are registered again
/// after, so they win. A failure is logged, not returned: the session
/// keeps answering what needs no catalog.
pub async fn prepare(context: &SessionContext, info: &SessionInfo) {
    let setup = setup::setup(context, &info.database);
    functions::register(context, info);
    if let Err(err) = setup {
        tracing::warn!(error = %err, "pg_catalog emulation is unavailable");
        return;
    }
    if let Err(err) = tables::extend_pg_catalog(context, &info.database) {
        tracing::warn!(error = %err, "pg_catalog additions are unavailable");
    }
    // Objects get their oids in the order of the first scan that sees
    // them: pg_class's first, in name order, makes them the same in every
    // session.
    let numbered = async { context.sql(NUMBER_OBJECTS).await?.collect().await };
    if let Err(err) = numbered.await {
        tracing::debug!(error = %err, "numbering pg_catalog objects failed");
    }
}
