//! `CREATE/DROP/SHOW DATASOURCE(S)`.

use crate::error::Result;
use crate::result::StatementOutput;
use crate::session::Context;
use crate::sql::ast::{CreateDatasource, DropDatasource, ShowDatasources};

/// `CREATE DATASOURCE`.
pub async fn handle_create_datasource(
    context: &Context,
    create: &CreateDatasource,
) -> Result<StatementOutput> {
    let _ = (context, create);
    todo!("store helper")
}

/// `DROP DATASOURCE`.
pub async fn handle_drop_datasource(
    context: &Context,
    drop: &DropDatasource,
) -> Result<StatementOutput> {
    let _ = (context, drop);
    todo!("store helper")
}

/// `SHOW DATASOURCES` as a query on `scaleph.datasources`.
pub fn show_datasources_query(show: &ShowDatasources) -> String {
    let _ = show;
    todo!("store helper")
}
