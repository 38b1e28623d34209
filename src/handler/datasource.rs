//! Datasource statements: CREATE (validated against the type registry),
//! ALTER, DROP, COMMENT ON, SHOW, DESCRIBE, SHOW CREATE, and the registry
//! itself (SHOW DATASOURCE TYPES, DESCRIBE DATASOURCE TYPE).
//!
//! Options the type marks secret (and, as a safety net, any whose key says
//! so: `password`, `*.secret-key`, ...) are kept as secrets: encrypted by
//! the store, masked everywhere they are shown.

use super::files::{attach_files, check_file_names, describe_file_rows, files_clause};
use super::object_name;
use super::options::{describe_rows, entries, entry, masked_options, pairs};
use super::{SessionState, Shape};
use crate::catalog::{DatasourceType, Registry, TypedOptions};
use crate::context::Context;
use crate::datasource::ConnectionOptions;
use crate::datasource::connectivity;
use crate::datasource::flink_types::SourceDialect;
use crate::datasource::metadata::{self, SourceTable, TextTable};
use crate::engine::system_tables::{OPTION_COLUMNS, option_row};
use crate::error::{Error, Result, SqlState};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::Statement;
use crate::sql::ast::{
    AlterAction, AlterObject, CommentOn, CreateDatasource, DatasourceStatement,
    DescribeDatasourceType, DescribeObject, DescribeSourceTable, DropObject, Lifecycle,
    ObjectStatement, PreviewSourceTable, QualifiedName, ShowObjects, ShowSourceDatabases,
    ShowSourceTables, TestDatasourceType, ident_for, quote_string,
};
use crate::store::{ClusterDrop, Datasource, StoreError};

/// The type called `name`, or 42704 naming the known ones.
pub(super) fn datasource_type<'a>(
    registry: &'a Registry,
    name: &str,
) -> Result<&'a DatasourceType> {
    let name = name.to_lowercase();
    registry.get(&name).ok_or_else(|| {
        let names = registry.names();
        let mut err = Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("datasource type \"{name}\" does not exist"),
        );
        if let Some(close) = crate::sql::parser::suggest::closest(&name, &names) {
            err.message.push_str(&format!(": did you mean {close}?"));
        }
        err.with_hint(format!("known types: {}", names.join(", ")))
    })
}

/// The datasource called `name`, or 42704.
pub(super) async fn load(context: &Context, name: &str) -> Result<Datasource> {
    context
        .store
        .get_datasource(name)
        .await?
        .ok_or_else(|| does_not_exist(name))
}

fn does_not_exist(name: &str) -> Error {
    Error::new(
        SqlState::UNDEFINED_OBJECT,
        format!("datasource \"{name}\" does not exist"),
    )
}

/// `"a", "b"`: names for a message.
fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE DATASOURCE [IF NOT EXISTS] name TYPE t WITH (...)`.
pub async fn handle_create_datasource(
    context: &Context,
    create: &CreateDatasource,
) -> Result<StatementOutput> {
    let name = object_name(&create.name);
    let datasource_type = datasource_type(&context.registry, &create.datasource_type.value)?;
    let validated = datasource_type.validate(&pairs(&create.options), true)?;
    let options = entries(datasource_type, validated);
    let now = chrono::Utc::now();
    let datasource = Datasource {
        name: name.clone(),
        datasource_type: datasource_type.name.clone(),
        options,
        files: attach_files(datasource_type, &create.files).await?,
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

/// What `scaleph check` can tell about a statement without a server or a
/// store: a CREATE or TEST DATASOURCE names a known type, its options
/// pass the type's validation, and its files are ones the type takes.
pub fn check_offline(registry: &Registry, statement: &Statement) -> Result<()> {
    let (type_name, options, files) = match statement {
        Statement::Datasource(DatasourceStatement::Create(c)) => {
            (&c.datasource_type, &c.options, &c.files)
        }
        Statement::Datasource(DatasourceStatement::TestType(t)) => {
            (&t.datasource_type, &t.options, &t.files)
        }
        _ => return Ok(()),
    };
    let datasource_type = datasource_type(registry, &type_name.value)?;
    datasource_type.validate(&pairs(options), true)?;
    check_file_names(datasource_type, files)
}

/// `ALTER DATASOURCE name SET (...) | RESET (...) | RENAME TO new`.
pub async fn handle_alter_datasource(
    context: &Context,
    alter: &AlterObject,
) -> Result<StatementOutput> {
    let name = object_name(&alter.name);
    let mut datasource = load(context, &name).await?;
    let datasource_type = datasource_type(&context.registry, &datasource.datasource_type)?;
    match &alter.action {
        AlterAction::Set(options) => {
            for (key, value) in datasource_type.validate(&pairs(options), false)? {
                let entry = entry(datasource_type, &key, value);
                datasource.options.insert(key, entry);
            }
        }
        AlterAction::Reset(keys) => {
            for key in keys {
                let spec = datasource_type
                    .option(key)
                    .ok_or_else(|| datasource_type.unknown_option(key))?;
                if spec.required {
                    return Err(Error::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!(
                            "option \"{}\" of {} is required and cannot be reset",
                            spec.name, datasource_type.name
                        ),
                    )
                    .with_hint("give it a new value with ALTER DATASOURCE ... SET (...)"));
                }
                datasource.options.remove(&spec.name);
            }
        }
        AlterAction::RenameTo(new_name) => datasource.name = object_name(new_name),
        // The parser gives datasources no FILES in ALTER (a datasource's
        // files are given at CREATE).
        AlterAction::SetFiles(_) | AlterAction::ResetFiles(_) => {
            return Err(super::not_supported_yet(&alter.to_string()));
        }
    }
    save(context, &name, datasource).await?;
    Ok(QueryResult::command("ALTER DATASOURCE").into())
}

/// Writes back the datasource stored as `name`, changed now.
async fn save(context: &Context, name: &str, mut datasource: Datasource) -> Result<()> {
    datasource.updated_at = chrono::Utc::now();
    if context.store.update_datasource(name, datasource).await? {
        Ok(())
    } else {
        Err(does_not_exist(name))
    }
}

/// `COMMENT ON DATASOURCE name IS '...' | NULL`.
pub async fn handle_comment_on_datasource(
    context: &Context,
    comment: &CommentOn,
) -> Result<StatementOutput> {
    let name = object_name(&comment.name);
    let mut datasource = load(context, &name).await?;
    datasource.comment = comment.comment.clone();
    save(context, &name, datasource).await?;
    Ok(QueryResult::command("COMMENT").into())
}

/// `DROP DATASOURCE [IF EXISTS] name [CASCADE]` (nothing depends on a
/// datasource yet, so CASCADE drops nothing more).
pub async fn handle_drop_datasource(
    context: &Context,
    drop: &DropObject,
) -> Result<StatementOutput> {
    let name = object_name(&drop.name);
    let output = StatementOutput::from(QueryResult::command("DROP DATASOURCE"));
    if !drop.cascade {
        let catalogs = super::catalog::catalogs_using(context, &name).await?;
        if !catalogs.is_empty() {
            return Err(Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!(
                    "cannot drop datasource \"{name}\" because Flink catalogs {} were made from it",
                    quoted_list(&catalogs)
                ),
            )
            .with_hint("DROP CATALOG them first, or use DROP DATASOURCE ... CASCADE"));
        }
    }
    match context.store.drop_datasource(&name, drop.cascade).await? {
        ClusterDrop::Dropped => {
            let forgotten = super::catalog::forget_catalogs_using(context, &name).await?;
            if forgotten.is_empty() {
                Ok(output)
            } else {
                Ok(output.with_notice(Notice::new(format!(
                    "dropped Flink catalogs {} with it (open Flink sessions keep them until they end)",
                    quoted_list(&forgotten)
                ))))
            }
        }
        ClusterDrop::Missing if drop.if_exists => Ok(output.with_notice(Notice::new(format!(
            "datasource \"{name}\" does not exist, skipping"
        )))),
        ClusterDrop::Missing => Err(does_not_exist(&name)),
        ClusterDrop::InUse(syncs) if drop.cascade => Err(Error::new(
            SqlState::OBJECT_IN_USE,
            format!(
                "cannot drop datasource \"{name}\" because syncs {} are running",
                quoted_list(&syncs)
            ),
        )
        .with_hint("stop them first with STOP SYNC")),
        ClusterDrop::InUse(syncs) => Err(Error::new(
            SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
            format!(
                "cannot drop datasource \"{name}\" because syncs {} use it",
                quoted_list(&syncs)
            ),
        )
        .with_hint("drop those syncs first, or use DROP DATASOURCE ... CASCADE to drop them too")),
    }
}

/// The columns of `DESCRIBE DATASOURCE name`.
const DESCRIBE_COLUMNS: [&str; 4] = ["group", "option", "value", "source"];

/// The shape of a datasource statement's result. `PREVIEW DATASOURCE`'s
/// columns are the table's: it cannot be described (run it with the
/// simple query protocol).
pub async fn describe(state: &mut SessionState, statement: &DatasourceStatement) -> Result<Shape> {
    use DatasourceStatement as D;
    let schema = match statement {
        D::Object(ObjectStatement::Show(show)) => {
            let sql = show_datasources_query(show);
            return Ok(Shape::Known(state.engine.describe_sql(&sql).await?));
        }
        D::ShowTypes => {
            return Ok(Shape::Known(
                state.engine.describe_sql(SHOW_TYPES_QUERY).await?,
            ));
        }
        D::Object(ObjectStatement::Describe(d)) if d.show_create => {
            Some(QueryResult::text_schema(&[super::SHOW_CREATE_COLUMN]))
        }
        D::Object(ObjectStatement::Describe(_)) => {
            Some(QueryResult::text_schema(&DESCRIBE_COLUMNS))
        }
        D::DescribeType(_) => Some(QueryResult::text_schema(&OPTION_COLUMNS)),
        D::Object(ObjectStatement::Command(_)) | D::TestType(_) => {
            Some(QueryResult::text_schema(&TEST_COLUMNS))
        }
        D::ShowDatabases(_) => Some(nullable_text_schema(&metadata::DATABASE_COLUMNS)),
        D::ShowTables(_) => Some(nullable_text_schema(&metadata::TABLE_COLUMNS)),
        D::DescribeTable(_) => Some(nullable_text_schema(&metadata::COLUMN_COLUMNS)),
        D::PreviewTable(_) => {
            return Err(Error::not_supported(
                "PREVIEW DATASOURCE ... TABLE in a prepared statement (its columns are the table's); run it as a simple query",
            ));
        }
        D::Create(_)
        | D::Object(
            ObjectStatement::Drop(_) | ObjectStatement::Alter(_) | ObjectStatement::Comment(_),
        ) => None,
    };
    Ok(Shape::rows(schema))
}

/// Runs a datasource statement.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    statement: &DatasourceStatement,
) -> Result<StatementOutput> {
    use DatasourceStatement as D;
    match statement {
        D::Create(create) => handle_create_datasource(context, create).await,
        D::Object(ObjectStatement::Drop(drop)) => handle_drop_datasource(context, drop).await,
        D::Object(ObjectStatement::Show(show)) => {
            let sql = show_datasources_query(show);
            Ok(state.engine.execute_sql(&sql).await?.into())
        }
        D::Object(ObjectStatement::Describe(describe)) if describe.show_create => {
            handle_show_create_datasource(context, describe).await
        }
        D::Object(ObjectStatement::Describe(describe)) => {
            handle_describe_datasource(context, describe).await
        }
        D::Object(ObjectStatement::Alter(alter)) => handle_alter_datasource(context, alter).await,
        D::Object(ObjectStatement::Comment(comment)) => {
            handle_comment_on_datasource(context, comment).await
        }
        D::Object(ObjectStatement::Command(command)) => match command.command {
            Lifecycle::Test => handle_test_datasource(context, &command.name).await,
            // The parser gives data sources no other command.
            _ => Err(super::not_supported_yet(&command.to_string())),
        },
        D::ShowTypes => Ok(state.engine.execute_sql(SHOW_TYPES_QUERY).await?.into()),
        D::DescribeType(describe) => handle_describe_datasource_type(context, describe),
        D::TestType(test) => handle_test_datasource_type(context, test).await,
        D::ShowDatabases(show) => handle_show_source_databases(context, show).await,
        D::ShowTables(show) => handle_show_source_tables(context, show).await,
        D::DescribeTable(describe) => handle_describe_source_table(context, describe).await,
        D::PreviewTable(preview) => handle_preview_source_table(context, preview).await,
    }
}

/// `SHOW CREATE DATASOURCE name`: the canonical CREATE statement of the
/// datasource as it is now, secret values shown as `******`.
pub async fn handle_show_create_datasource(
    context: &Context,
    describe: &DescribeObject,
) -> Result<StatementOutput> {
    let datasource = load(context, &object_name(&describe.name)).await?;
    let create = CreateDatasource {
        if_not_exists: false,
        name: ident_for(&datasource.name),
        datasource_type: ident_for(&datasource.datasource_type),
        options: masked_options(&datasource.options),
        files: files_clause(&datasource.files),
    };
    let mut sql = create.to_string();
    if let Some(comment) = &datasource.comment {
        sql.push_str(&format!(
            ";\nCOMMENT ON DATASOURCE {} IS {}",
            crate::sql::ast::q(&create.name),
            quote_string(comment)
        ));
    }
    Ok(QueryResult::text_rows(&[super::SHOW_CREATE_COLUMN], &[vec![sql]])?.into())
}

/// `DESCRIBE DATASOURCE name`: what it is, then every option of its type
/// by group (basic, timeouts, advanced) with its value and whether it was
/// set or is the default; secrets masked.
pub async fn handle_describe_datasource(
    context: &Context,
    describe: &DescribeObject,
) -> Result<StatementOutput> {
    let datasource = load(context, &object_name(&describe.name)).await?;
    let row = |group: &str, option: &str, value: String, source: &str| {
        vec![
            group.to_string(),
            option.to_string(),
            value,
            source.to_string(),
        ]
    };
    let mut rows = vec![
        row("datasource", "name", datasource.name.clone(), ""),
        row("datasource", "type", datasource.datasource_type.clone(), ""),
        row(
            "datasource",
            "comment",
            datasource.comment.clone().unwrap_or_default(),
            "",
        ),
        row(
            "datasource",
            "created_at",
            datasource.created_at.to_rfc3339(),
            "",
        ),
        row(
            "datasource",
            "updated_at",
            datasource.updated_at.to_rfc3339(),
            "",
        ),
    ];
    let datasource_type = datasource_type(&context.registry, &datasource.datasource_type)?;
    rows.extend(describe_rows(datasource_type, &datasource.options));
    rows.extend(describe_file_rows(&datasource.files));
    Ok(QueryResult::text_rows(&DESCRIBE_COLUMNS, &rows)?.into())
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

/// `SHOW DATASOURCE TYPES` as a query on `scaleph.datasource_types`.
pub const SHOW_TYPES_QUERY: &str = "SELECT name, title, category, connectivity, description FROM scaleph.datasource_types ORDER BY name";

/// `DESCRIBE DATASOURCE TYPE t`: its options, grouped basic, timeouts,
/// advanced.
pub fn handle_describe_datasource_type(
    context: &Context,
    describe: &DescribeDatasourceType,
) -> Result<StatementOutput> {
    let datasource_type = datasource_type(&context.registry, &describe.datasource_type.value)?;
    let mut specs: Vec<_> = datasource_type.options.iter().collect();
    specs.sort_by_key(|o| o.group);
    let rows: Vec<Vec<String>> = specs.into_iter().map(option_row).collect();
    Ok(QueryResult::text_rows(&OPTION_COLUMNS, &rows)?.into())
}

/// The columns of a connectivity test.
const TEST_COLUMNS: [&str; 4] = ["ok", "latency_ms", "server_version", "message"];

/// `TEST DATASOURCE name`: a real connection, as a row.
pub async fn handle_test_datasource(
    context: &Context,
    name: &sqlparser::ast::Ident,
) -> Result<StatementOutput> {
    let datasource = load(context, &object_name(name)).await?;
    let datasource_type = datasource_type(&context.registry, &datasource.datasource_type)?;
    test_row(
        datasource_type,
        &ConnectionOptions::new(datasource_type, &datasource.options),
    )
    .await
}

/// `TEST DATASOURCE TYPE t WITH (...)`: the same before creating it.
pub async fn handle_test_datasource_type(
    context: &Context,
    test: &TestDatasourceType,
) -> Result<StatementOutput> {
    let datasource_type = datasource_type(&context.registry, &test.datasource_type.value)?;
    // The files are read (and checked) as CREATE would; no check uses them yet.
    attach_files(datasource_type, &test.files).await?;
    let options = entries(
        datasource_type,
        datasource_type.validate(&pairs(&test.options), true)?,
    );
    test_row(
        datasource_type,
        &ConnectionOptions::new(datasource_type, &options),
    )
    .await
}

async fn test_row(
    datasource_type: &DatasourceType,
    options: &ConnectionOptions,
) -> Result<StatementOutput> {
    let outcome = connectivity::test(datasource_type, options).await;
    let row = vec![
        outcome.ok.to_string(),
        outcome.latency_ms.to_string(),
        outcome.server_version.unwrap_or_default(),
        outcome.message,
    ];
    Ok(QueryResult::text_rows(&TEST_COLUMNS, &[row])?.into())
}

/// A stored datasource whose type has metadata browsing, with its options.
async fn browsable(
    context: &Context,
    name: &sqlparser::ast::Ident,
) -> Result<(SourceDialect, ConnectionOptions)> {
    let datasource = load(context, &object_name(name)).await?;
    let datasource_type = datasource_type(&context.registry, &datasource.datasource_type)?;
    let dialect = metadata::dialect(datasource_type).ok_or_else(|| {
        Error::not_supported(format!(
            "metadata browsing of {} datasources (PostgreSQL and MySQL have it)",
            datasource_type.name
        ))
    })?;
    Ok((
        dialect,
        ConnectionOptions::new(datasource_type, &datasource.options),
    ))
}

/// A metadata call's outcome as rows; a failure of the source is 08006
/// naming the datasource.
fn text_table(
    name: &sqlparser::ast::Ident,
    table: std::result::Result<TextTable, String>,
) -> Result<StatementOutput> {
    let table = table.map_err(|message| {
        Error::new(
            SqlState::CONNECTION_FAILURE,
            format!("datasource \"{}\": {message}", object_name(name)),
        )
    })?;
    let columns: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let schema = nullable_text_schema(&columns);
    let batch = crate::result::text_batch(schema.clone(), &table.rows)?;
    Ok(QueryResult::from_batches(schema, vec![batch]).into())
}

/// Text columns that may be NULL.
fn nullable_text_schema(columns: &[&str]) -> arrow::datatypes::SchemaRef {
    std::sync::Arc::new(arrow::datatypes::Schema::new(
        columns
            .iter()
            .map(|c| arrow::datatypes::Field::new(*c, arrow::datatypes::DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

/// `SHOW DATABASES FROM DATASOURCE x`.
pub async fn handle_show_source_databases(
    context: &Context,
    show: &ShowSourceDatabases,
) -> Result<StatementOutput> {
    let (dialect, options) = browsable(context, &show.datasource).await?;
    text_table(
        &show.datasource,
        metadata::databases(dialect, &options).await,
    )
}

/// `SHOW TABLES FROM DATASOURCE x [DATABASE db] [LIKE 'p']`.
pub async fn handle_show_source_tables(
    context: &Context,
    show: &ShowSourceTables,
) -> Result<StatementOutput> {
    let (dialect, options) = browsable(context, &show.datasource).await?;
    let database = show.database.as_ref().map(object_name);
    let tables =
        metadata::tables(dialect, &options, database.as_deref(), show.like.as_deref()).await;
    text_table(&show.datasource, tables)
}

/// The parts of `db.t` / `db.schema.t` / `schema.t` / `t`, as stored names.
fn parts(name: &QualifiedName) -> Vec<String> {
    name.0.iter().map(object_name).collect()
}

/// Which database, schema and table the parts name for `dialect`.
fn table_of(dialect: SourceDialect, parts: &[String]) -> SourceTable<'_> {
    match (dialect, parts) {
        (SourceDialect::Postgresql, [db, schema, table]) => SourceTable {
            database: Some(db),
            schema: Some(schema),
            table,
        },
        (SourceDialect::Postgresql, [schema, table]) => SourceTable {
            database: None,
            schema: Some(schema),
            table,
        },
        (SourceDialect::Mysql, [.., db, table]) => SourceTable {
            database: Some(db),
            schema: None,
            table,
        },
        (_, [.., table]) => SourceTable {
            database: None,
            schema: None,
            table,
        },
        (_, []) => SourceTable {
            database: None,
            schema: None,
            table: "",
        },
    }
}

/// `DESCRIBE DATASOURCE x TABLE db.t`.
pub async fn handle_describe_source_table(
    context: &Context,
    describe: &DescribeSourceTable,
) -> Result<StatementOutput> {
    let (dialect, options) = browsable(context, &describe.datasource).await?;
    let parts = parts(&describe.table);
    let columns = metadata::columns(dialect, &options, &table_of(dialect, &parts)).await;
    text_table(&describe.datasource, columns)
}

/// The most rows `PREVIEW DATASOURCE ... TABLE` returns when no LIMIT is given.
const DEFAULT_PREVIEW_ROWS: u64 = 10;

/// `PREVIEW DATASOURCE x TABLE db.t [LIMIT n]`.
pub async fn handle_preview_source_table(
    context: &Context,
    preview: &PreviewSourceTable,
) -> Result<StatementOutput> {
    let (dialect, options) = browsable(context, &preview.datasource).await?;
    let parts = parts(&preview.table);
    let limit = preview.limit.unwrap_or(DEFAULT_PREVIEW_ROWS);
    let rows = metadata::preview(dialect, &options, &table_of(dialect, &parts), limit).await;
    text_table(&preview.datasource, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Statement, parse_script};
    use crate::store::OptionEntry;

    async fn context(dir: &std::path::Path) -> Context {
        Context::for_tests(dir).await
    }

    fn statement(sql: &str) -> Statement {
        parse_script(sql).unwrap().remove(0).statement
    }

    async fn run(context: &Context, sql: &str) -> Result<StatementOutput> {
        match statement(sql) {
            Statement::Datasource(DatasourceStatement::Create(c)) => {
                handle_create_datasource(context, &c).await
            }
            Statement::Datasource(DatasourceStatement::Object(ObjectStatement::Drop(d))) => {
                handle_drop_datasource(context, &d).await
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn create_and_drop_follow_postgresql_conventions() {
        let dir = tempfile::tempdir().unwrap();
        let context = context(dir.path()).await;
        run(
            &context,
            "CREATE DATASOURCE Pg TYPE PostgreSQL WITH (host = 'h', username = 'u', password = 'pw')",
        )
        .await
        .unwrap();
        let stored = context.store.get_datasource("pg").await.unwrap().unwrap();
        assert_eq!(stored.datasource_type, "postgresql");
        assert!(matches!(stored.options["password"], OptionEntry::Secret(_)));
        let err = run(
            &context,
            "CREATE DATASOURCE pg TYPE mysql WITH (host = 'h', username = 'u')",
        )
        .await
        .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::DUPLICATE_OBJECT);
        let ok = run(
            &context,
            "CREATE DATASOURCE IF NOT EXISTS pg TYPE mysql WITH (host = 'h', username = 'u')",
        )
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
