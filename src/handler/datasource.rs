//! `CREATE DATASOURCE`, `DROP DATASOURCE`, `SHOW DATASOURCES` and `SHOW
//! CREATE DATASOURCE`.
//!
//! Options whose key names a secret (`password`, `*.secret-key`, ...) are
//! kept as secrets: encrypted by the store, masked everywhere they are
//! shown. Typed validation against the datasource type registry comes with
//! the type registry; until then the type must be one of [`KNOWN_TYPES`].

use std::collections::BTreeMap;

use secrecy::SecretString;

use super::object_name;
use crate::error::{Error, Result, SqlState};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::session::Context;
use crate::sql::ast::{
    CreateDatasource, DescribeObject, DropObject, OptionValue, Options, ShowObjects, SqlOption,
    ident_for, quote_string,
};
use crate::sql::mask::is_secret_key;
use crate::store::{Datasource, MASK, OptionEntry, StoreError};

/// The datasource types scaleph knows.
pub const KNOWN_TYPES: &[&str] = &[
    "clickhouse",
    "doris",
    "elasticsearch",
    "gravitino",
    "hdfs",
    "hive",
    "kafka",
    "mongodb",
    "mysql",
    "oracle",
    "paimon",
    "postgresql",
    "pulsar",
    "s3",
    "sqlserver",
    "starrocks",
];

/// `CREATE DATASOURCE [IF NOT EXISTS] name TYPE t WITH (...)`.
pub async fn handle_create_datasource(
    context: &Context,
    create: &CreateDatasource,
) -> Result<StatementOutput> {
    let name = object_name(&create.name);
    if !create.files.0.is_empty() {
        return Err(Error::not_supported(
            "CREATE DATASOURCE ... FILES (attached files)",
        ));
    }
    let datasource_type = create.datasource_type.value.to_lowercase();
    if !KNOWN_TYPES.contains(&datasource_type.as_str()) {
        return Err(Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("datasource type \"{datasource_type}\" does not exist"),
        )
        .with_hint(format!("known types: {}", KNOWN_TYPES.join(", "))));
    }
    let options: BTreeMap<String, OptionEntry> = create
        .options
        .0
        .iter()
        .map(|option| {
            let value = option.value.as_text();
            let entry = if is_secret_key(&option.key) {
                OptionEntry::Secret(SecretString::from(value))
            } else {
                OptionEntry::Plain(value)
            };
            (option.key.clone(), entry)
        })
        .collect();
    let now = chrono::Utc::now();
    let datasource = Datasource {
        name: name.clone(),
        datasource_type,
        options,
        comment: None,
        created_at: now,
        updated_at: now,
    };
    let output = StatementOutput::from(QueryResult::command("CREATE DATASOURCE"));
    match context.store.create_datasource(datasource).await {
        Ok(()) => Ok(output),
        Err(StoreError::Duplicate { .. }) if create.if_not_exists => Ok(output.with_notice(
            Notice::new(format!("datasource \"{name}\" already exists, skipping")),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `DROP DATASOURCE [IF EXISTS] name [CASCADE]` (nothing depends on a
/// datasource yet, so CASCADE drops nothing more).
pub async fn handle_drop_datasource(
    context: &Context,
    drop: &DropObject,
) -> Result<StatementOutput> {
    let name = object_name(&drop.name);
    let output = StatementOutput::from(QueryResult::command("DROP DATASOURCE"));
    if context.store.drop_datasource(&name).await? {
        Ok(output)
    } else if drop.if_exists {
        Ok(output.with_notice(Notice::new(format!(
            "datasource \"{name}\" does not exist, skipping"
        ))))
    } else {
        Err(does_not_exist(&name))
    }
}

fn does_not_exist(name: &str) -> Error {
    Error::new(
        SqlState::UNDEFINED_OBJECT,
        format!("datasource \"{name}\" does not exist"),
    )
}

/// The column `SHOW CREATE DATASOURCE` returns.
const SHOW_CREATE_COLUMN: &str = "create_statement";

/// The row schema of `SHOW CREATE DATASOURCE`.
pub fn show_create_schema() -> arrow::datatypes::SchemaRef {
    QueryResult::text_schema(&[SHOW_CREATE_COLUMN])
}

/// `SHOW CREATE DATASOURCE name`: the canonical CREATE statement of the
/// datasource as it is now, secret values shown as `******`.
pub async fn handle_show_create_datasource(
    context: &Context,
    describe: &DescribeObject,
) -> Result<StatementOutput> {
    let name = object_name(&describe.name);
    let datasource = context
        .store
        .get_datasource(&name)
        .await?
        .ok_or_else(|| does_not_exist(&name))?;
    let options = datasource
        .options
        .iter()
        .map(|(key, entry)| SqlOption {
            key: key.clone(),
            value: OptionValue::String(match entry {
                OptionEntry::Plain(value) => value.clone(),
                OptionEntry::Secret(_) => MASK.to_string(),
            }),
        })
        .collect();
    let create = CreateDatasource {
        if_not_exists: false,
        name: ident_for(&datasource.name),
        datasource_type: ident_for(&datasource.datasource_type),
        options: Options(options),
        files: Options::default(),
    };
    Ok(QueryResult::text_rows(&[SHOW_CREATE_COLUMN], &[vec![create.to_string()]])?.into())
}

/// `SHOW DATASOURCES [LIKE 'pattern']` as a query on `scaleph.datasources`.
pub fn show_datasources_query(show: &ShowObjects) -> String {
    let filter = show
        .like
        .as_ref()
        .map(|like| format!(" WHERE name LIKE {}", quote_string(like)))
        .unwrap_or_default();
    format!(
        "SELECT name, type, options, comment, created_at FROM scaleph.datasources{filter} ORDER BY name"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Statement, parse_script};
    use std::sync::Arc;

    async fn context(dir: &std::path::Path) -> Context {
        let config = crate::config::Config::merge(
            crate::config::FileConfig::default(),
            crate::config::Overrides::default(),
        )
        .unwrap();
        Context {
            store: Arc::new(crate::store::SqliteStore::open(dir).await.unwrap()),
            config,
        }
    }

    fn statement(sql: &str) -> Statement {
        parse_script(sql).unwrap().remove(0).statement
    }

    async fn run(context: &Context, sql: &str) -> Result<StatementOutput> {
        match statement(sql) {
            Statement::CreateDatasource(c) => handle_create_datasource(context, &c).await,
            Statement::DropObject(d) => handle_drop_datasource(context, &d).await,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn create_and_drop_follow_postgresql_conventions() {
        let dir = tempfile::tempdir().unwrap();
        let context = context(dir.path()).await;
        run(
            &context,
            "CREATE DATASOURCE Pg TYPE PostgreSQL WITH (password = 'pw')",
        )
        .await
        .unwrap();
        let stored = context.store.get_datasource("pg").await.unwrap().unwrap();
        assert_eq!(stored.datasource_type, "postgresql");
        assert!(matches!(stored.options["password"], OptionEntry::Secret(_)));
        let err = run(&context, "CREATE DATASOURCE pg TYPE mysql")
            .await
            .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::DUPLICATE_OBJECT);
        let ok = run(&context, "CREATE DATASOURCE IF NOT EXISTS pg TYPE mysql")
            .await
            .unwrap();
        assert_eq!(
            ok.notices[0].message,
            "datasource \"pg\" already exists, skipping"
        );
        run(&context, "DROP DATASOURCE PG").await.unwrap();
        let err = run(&context, "DROP DATASOURCE pg").await.unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_OBJECT);
        let ok = run(&context, "DROP DATASOURCE IF EXISTS pg").await.unwrap();
        assert!(ok.notices[0].message.contains("does not exist, skipping"));
    }

    #[tokio::test]
    async fn unknown_type_is_42704_with_the_known_ones_as_hint() {
        let dir = tempfile::tempdir().unwrap();
        let context = context(dir.path()).await;
        let err = run(&context, "CREATE DATASOURCE x TYPE mysqll")
            .await
            .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_OBJECT);
        assert!(err.hint.unwrap().contains("mysql"));
    }

    #[test]
    fn show_datasources_query_escapes_the_pattern() {
        let sql = show_datasources_query(&ShowObjects {
            kind: crate::sql::ast::ObjectKind::Datasource,
            like: Some("o'k%".into()),
        });
        assert!(sql.contains("LIKE 'o''k%'"), "{sql}");
    }
}
