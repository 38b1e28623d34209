//! Flink catalogs and jars that scaleph keeps: `CREATE CATALOG`, `DROP
//! CATALOG` and `ADD JAR` run in the Flink session as written and, when
//! Flink accepts them, change what the store keeps for every new Flink
//! session (a catalog's definition sealed, since its options may hold
//! passwords); `REMOVE JAR`, which the Flink SQL Gateway refuses, only
//! changes the store.

use secrecy::SecretString;

use super::{SessionState, Shape};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::ParsedStatement;
use crate::sql::ast::CatalogStatement;
use crate::store::{FlinkCatalog, Jar, Store};

/// The shape of a catalog or jar statement's result: a command tag.
pub fn describe(_statement: &CatalogStatement) -> Shape {
    Shape::rows(None)
}

/// Runs a catalog or jar statement.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    parsed: &ParsedStatement,
    statement: &CatalogStatement,
) -> Result<StatementOutput> {
    let store = context.store.as_ref();
    let now = chrono::Utc::now();
    match statement {
        CatalogStatement::CreateCatalog {
            name,
            catalog_type,
            flink,
        } => {
            let output = super::flink::execute(state, parsed, flink).await?;
            store
                .put_flink_catalog(FlinkCatalog {
                    name: name.clone(),
                    catalog_type: catalog_type.clone(),
                    definition: SecretString::from(parsed.text.clone()),
                    shown: parsed.redacted().into_owned(),
                    created_at: now,
                })
                .await?;
            Ok(output)
        }
        CatalogStatement::DropCatalog { name, flink } => {
            let output = super::flink::execute(state, parsed, flink).await?;
            store.drop_flink_catalog(name).await?;
            Ok(output)
        }
        CatalogStatement::AddJar { path, flink } => {
            let output = super::flink::execute(state, parsed, flink).await?;
            let name = path
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(path.as_str())
                .to_string();
            store
                .add_jar(Jar {
                    source: path.clone(),
                    name,
                    created_at: now,
                })
                .await?;
            Ok(output)
        }
        CatalogStatement::RemoveJar { path } => remove_jar(store, path).await,
    }
}

/// `REMOVE JAR '<path>'`: the Flink SQL Gateway refuses it, so scaleph
/// stops adding the jar to new Flink sessions; the open one keeps it.
async fn remove_jar(store: &dyn Store, path: &str) -> Result<StatementOutput> {
    if !store.remove_jar(path).await? {
        return Err(Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("jar '{path}' was not added"),
        )
        .with_hint(
            "SELECT * FROM scaleph.connectors WHERE kind = 'jar' lists the jars scaleph adds",
        ));
    }
    Ok(StatementOutput::from(QueryResult::command("REMOVE JAR")).with_notice(Notice::new(
        format!(
            "jar '{path}' is no longer added to new Flink sessions; the current Flink session keeps it loaded"
        ),
    )))
}
