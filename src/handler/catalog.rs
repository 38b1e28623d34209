//! Flink catalogs and jars that scaleph keeps: `CREATE CATALOG`, `DROP
//! CATALOG` and `ADD JAR` run in the Flink session as written and, when
//! Flink accepts them, change what the store keeps for every new Flink
//! session (a catalog's definition sealed, since its options may hold
//! passwords); `REMOVE JAR`, which the Flink SQL Gateway refuses, only
//! changes the store.
//!
//! `CREATE CATALOG name FROM DATASOURCE ds` is scaleph's way to the same
//! place: the Flink `CREATE CATALOG` is written from the datasource
//! ([`crate::catalog::flink_catalog`]) and then runs exactly as a user's
//! would — kept sealed, replayed into every new Flink session, listed by
//! `scaleph.catalogs` with its secrets masked and the datasource it came
//! from. The datasource's secrets are in that statement only: whatever
//! Flink answers is scrubbed of them before a client or a log sees it.
//! A catalog made from a datasource depends on it: [`catalogs_using`] is
//! what `DROP DATASOURCE` asks.

use secrecy::{ExposeSecret, SecretString};

use super::{SessionState, Shape, object_name};
use crate::catalog::flink_catalog::{CatalogSql, create_catalog_sql};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::ast::{CatalogStatement, CreateCatalogFromDatasource, FlinkStatement};
use crate::sql::classify::classify_text;
use crate::sql::{ParsedStatement, Statement, mask};
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
        CatalogStatement::CreateFromDatasource(create) => {
            handle_create_catalog_from_datasource(context, state, parsed, create).await
        }
        CatalogStatement::CreateCatalog {
            name,
            catalog_type,
            flink,
        } => {
            let secrets = mask::masked_values(&parsed.text, &parsed.redacted());
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            let created = Created {
                name,
                catalog_type: catalog_type.clone(),
                datasource: None,
                secrets: &secrets,
            };
            create_catalog(context, state, parsed, flink, created).await
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

/// A catalog a Flink `CREATE CATALOG` makes, as the store keeps it.
struct Created<'a> {
    /// Its name.
    name: &'a str,
    /// Its `'type'`.
    catalog_type: Option<String>,
    /// The datasource it is made from, if it is.
    datasource: Option<String>,
    /// The secret values in its statement, scrubbed from Flink's errors.
    secrets: &'a [&'a str],
}

/// Runs `parsed`, a Flink `CREATE CATALOG`, in the Flink session and, when
/// Flink accepts it, keeps it for every new Flink session (sealed; shown
/// masked). An error never holds one of the statement's secrets (Flink
/// may echo the catalog's options).
async fn create_catalog(
    context: &Context,
    state: &mut SessionState,
    parsed: &ParsedStatement,
    flink: &FlinkStatement,
    created: Created<'_>,
) -> Result<StatementOutput> {
    let output = super::flink::execute(state, parsed, flink)
        .await
        .map_err(|err| err.without_secrets(created.secrets))?;
    context
        .store
        .put_flink_catalog(FlinkCatalog {
            name: created.name.to_string(),
            catalog_type: created.catalog_type,
            definition: SecretString::from(parsed.text.clone()),
            shown: parsed.redacted().into_owned(),
            datasource: created.datasource,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(output)
}

/// `CREATE CATALOG [IF NOT EXISTS] name FROM DATASOURCE ds [WITH (...)]`:
/// the Flink `CREATE CATALOG` written from the datasource, run and kept as
/// a user's would be. 42710 when scaleph keeps a catalog of that name
/// (a notice with IF NOT EXISTS), 42704 for an unknown datasource, 0A000
/// for a type without a Flink catalog; Flink's own refusal otherwise, its
/// position the statement's (the text Flink saw is not the user's) and
/// the Flink statement, masked, as its detail.
pub async fn handle_create_catalog_from_datasource(
    context: &Context,
    state: &mut SessionState,
    parsed: &ParsedStatement,
    create: &CreateCatalogFromDatasource,
) -> Result<StatementOutput> {
    let name = create.name.value.as_str();
    let store = context.store.as_ref();
    if store
        .list_flink_catalogs()
        .await?
        .iter()
        .any(|c| c.name == name)
    {
        if create.if_not_exists {
            return Ok(
                StatementOutput::from(QueryResult::command("CREATE CATALOG")).with_notice(
                    Notice::new(format!("catalog \"{name}\" already exists, skipping")),
                ),
            );
        }
        return Err(Error::new(
            SqlState::DUPLICATE_OBJECT,
            format!("catalog \"{name}\" already exists"),
        )
        .with_hint(
            "SELECT name, datasource FROM scaleph.catalogs lists the catalogs scaleph keeps",
        ));
    }
    let source = object_name(&create.datasource);
    let Some(datasource) = store.get_datasource(&source).await? else {
        let names: Vec<String> = store
            .list_datasources()
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect();
        return Err(super::does_not_exist("datasource", &source, &names));
    };
    let extra = super::options::pairs(&create.options);
    let sql = create_catalog_sql(&context.registry, name, &datasource, &extra)
        .map_err(|err| parsed.locate(err))?;
    let (generated, flink) = generated_statement(parsed, name, &sql);
    let secrets = sql.secret_values();
    let created = Created {
        name,
        catalog_type: Some(sql.catalog_type.clone()),
        datasource: Some(datasource.name.clone()),
        secrets: &secrets,
    };
    create_catalog(context, state, &generated, &flink, created)
        .await
        .map_err(|mut err| {
            err.position = Some(parsed.position());
            let detail = match err.detail.take() {
                Some(flink) => format!("the Flink statement: {}\n{flink}", sql.shown),
                None => format!("the Flink statement: {}", sql.shown),
            };
            err.with_detail(detail)
        })
}

/// The Flink `CREATE CATALOG` of `sql` as a parsed statement of its own,
/// classified like any Flink statement, shown masked, placed where the
/// user's statement is; and its classification.
fn generated_statement(
    parsed: &ParsedStatement,
    name: &str,
    sql: &CatalogSql,
) -> (ParsedStatement, FlinkStatement) {
    let text = sql.definition.expose_secret().to_string();
    let mut flink = classify_text(&text);
    flink.redacted = Some(sql.shown.clone());
    let generated = ParsedStatement {
        statement: Statement::Catalog(CatalogStatement::CreateCatalog {
            name: name.to_string(),
            catalog_type: Some(sql.catalog_type.clone()),
            flink: flink.clone(),
        }),
        text,
        offset: parsed.offset,
        line: parsed.line,
        column: parsed.column,
    };
    (generated, flink)
}

/// The catalogs made from datasource `datasource` (`CREATE CATALOG ...
/// FROM DATASOURCE`), by name: what `DROP DATASOURCE` must not break
/// silently. Asynchronous and fallible because it reads the store.
pub async fn catalogs_using(context: &Context, datasource: &str) -> Result<Vec<String>> {
    Ok(context
        .store
        .list_flink_catalogs()
        .await?
        .into_iter()
        .filter(|c| c.datasource.as_deref() == Some(datasource))
        .map(|c| c.name)
        .collect())
}

/// For `DROP DATASOURCE ... CASCADE`: forgets the catalogs made from
/// `datasource`, so that no new Flink session gets them, and names them.
/// Open Flink sessions keep them until they end (as after `REMOVE JAR`);
/// `DROP CATALOG` removes one from the current session too.
pub async fn forget_catalogs_using(context: &Context, datasource: &str) -> Result<Vec<String>> {
    let names = catalogs_using(context, datasource).await?;
    for name in &names {
        context.store.drop_flink_catalog(name).await?;
    }
    Ok(names)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn catalogs_made_from_a_datasource_are_found_and_forgotten_by_it() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::for_tests(dir.path()).await;
        for (name, datasource) in [
            ("lake", Some("src")),
            ("mine", None),
            ("lake2", Some("src")),
        ] {
            context
                .store
                .put_flink_catalog(FlinkCatalog {
                    name: name.into(),
                    catalog_type: Some("paimon".into()),
                    definition: SecretString::from(format!("CREATE CATALOG {name} WITH ()")),
                    shown: format!("CREATE CATALOG {name} WITH ()"),
                    datasource: datasource.map(String::from),
                    created_at: chrono::Utc::now(),
                })
                .await
                .unwrap();
        }
        let mut using = catalogs_using(&context, "src").await.unwrap();
        using.sort();
        assert_eq!(using, ["lake", "lake2"]);
        assert!(catalogs_using(&context, "other").await.unwrap().is_empty());
        assert_eq!(
            forget_catalogs_using(&context, "src").await.unwrap().len(),
            2
        );
        let kept: Vec<String> = context
            .store
            .list_flink_catalogs()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(kept, ["mine"]);
    }
}
