//! The one place that decides where a statement goes (docs/design.md, "Where each
//! statement goes"). The `match`es are exhaustive on purpose: a new
//! statement kind does not compile until it is routed.

use arrow::datatypes::SchemaRef;
use datafusion::scalar::ScalarValue;

use super::{Description, Session, vars};
use crate::error::{Error, Result, SqlState};
use crate::handler;
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::ParsedStatement;
use crate::sql::ast::{
    AlterObject, CommentOn, CopyTo, DescribeObject, DropObject, FlinkStatementKind, Lifecycle,
    ObjectCommand, ObjectKind, ResetVariable, SetValue, SetVariable, ShowObjects, ShowVariable,
    Statement,
};

/// The kind of a statement that goes to Flink, `None` for the others.
/// Until scaleph runs jobs itself, `SHOW JOBS` is Flink's.
fn flink_kind(session: &Session, statement: &Statement) -> Option<FlinkStatementKind> {
    match statement {
        Statement::Query(query) if !session.engine.answers(query) => {
            Some(FlinkStatementKind::Query)
        }
        Statement::Flink(flink) => Some(flink.kind),
        Statement::ShowObjects(ShowObjects {
            kind: ObjectKind::Job,
            like: None,
        }) => Some(FlinkStatementKind::Job),
        _ => None,
    }
}

/// Runs a Flink statement in the session's Flink session.
async fn forward(
    session: &mut Session,
    parsed: &ParsedStatement,
    kind: FlinkStatementKind,
) -> Result<StatementOutput> {
    let store = session.context.store.clone();
    let Some(flink) = session.flink.as_mut() else {
        return Err(flink_unavailable());
    };
    let output =
        handler::flink::handle_flink_statement(flink, &session.vars, store.as_ref(), parsed, kind)
            .await?;
    if matches!(
        kind,
        FlinkStatementKind::Ddl | FlinkStatementKind::CreateTableAs | FlinkStatementKind::Other
    ) {
        session.flink_catalog_listed = false;
        session.engine.forget_catalog_results();
    }
    Ok(output)
}

/// Before a catalog query: the Flink catalog of the session's database
/// listed into the engine, the first time and after DDL. When Flink
/// cannot list it, the query still answers, from what scaleph has, with
/// a warning.
async fn list_flink_catalog(
    session: &mut Session,
    query: &sqlparser::ast::Statement,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    if session.flink_catalog_listed || !crate::engine::is_catalog_query(query) {
        return notices;
    }
    let Some(flink) = session.flink.as_mut() else {
        return notices;
    };
    match crate::flink::metadata::list_catalog(flink, &mut notices).await {
        Ok(listing) => {
            session.engine.show_flink_catalog(&listing);
            session.flink_catalog_listed = true;
        }
        Err(err) => notices.push(Notice {
            severity: "WARNING",
            sqlstate: SqlState::WARNING,
            message: format!(
                "Flink's tables are not shown: the Flink catalog could not be listed: {}",
                err.message
            ),
        }),
    }
    notices
}

/// The row schema of a Flink statement. Where only Flink knows it, the
/// statement runs now and its result waits for the Execute that drivers
/// send right after Describe.
async fn describe_flink(
    session: &mut Session,
    parsed: &ParsedStatement,
    kind: FlinkStatementKind,
) -> Result<Option<SchemaRef>> {
    let previewed = handler::preview::preview_mode(&session.vars)
        && matches!(
            kind,
            FlinkStatementKind::Insert
                | FlinkStatementKind::StatementSet
                | FlinkStatementKind::CreateTableAs
        );
    if !previewed && let Some(schema) = handler::flink::known_schema(kind, &parsed.text) {
        return Ok(schema);
    }
    describe_by_running(session, parsed).await
}

/// Runs the statement now and keeps its result for the Execute that
/// follows; the schema of its rows.
async fn describe_by_running(
    session: &mut Session,
    parsed: &ParsedStatement,
) -> Result<Option<SchemaRef>> {
    let output = match session.prefetched.take() {
        Some((text, output)) if text == parsed.text => into_output(output),
        _ => execute(session, parsed, Vec::new()).await?,
    };
    let schema = match &output.result {
        QueryResult::Rows { schema, .. } => Some(schema.clone()),
        QueryResult::Command(_) => None,
    };
    session.prefetched = Some((parsed.text.clone(), std::sync::Mutex::new(output)));
    Ok(schema)
}

fn into_output(prefetched: std::sync::Mutex<StatementOutput>) -> StatementOutput {
    prefetched.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Parameter types and row schema of a statement.
pub(super) async fn describe(
    session: &mut Session,
    parsed: &ParsedStatement,
) -> Result<Description> {
    if let Some(kind) = flink_kind(session, &parsed.statement) {
        let schema = Box::pin(describe_flink(session, parsed, kind)).await?;
        return Ok(Description {
            param_types: Vec::new(),
            schema,
        });
    }
    if let Statement::Preview(preview) = &parsed.statement {
        let schema = if preview.explain {
            Some(QueryResult::text_schema(&["sink", "query"]))
        } else {
            Box::pin(describe_by_running(session, parsed)).await?
        };
        return Ok(Description {
            param_types: Vec::new(),
            schema,
        });
    }
    let schema = match &parsed.statement {
        Statement::Query(query) if session.engine.answers(query) => {
            list_flink_catalog(session, query).await;
            return session.engine.describe(query).await;
        }
        Statement::ShowObjects(show) if show.kind == ObjectKind::Datasource => {
            return session
                .engine
                .describe_sql(&handler::datasource::show_datasources_query(show))
                .await;
        }
        Statement::ShowDatasourceTypes => {
            return session
                .engine
                .describe_sql(handler::datasource::SHOW_TYPES_QUERY)
                .await;
        }
        statement @ (Statement::DescribeObject(DescribeObject {
            kind: ObjectKind::Datasource,
            ..
        })
        | Statement::ObjectCommand(ObjectCommand {
            command: Lifecycle::Test,
            ..
        })
        | Statement::DescribeDatasourceType(_)
        | Statement::TestDatasourceType(_)
        | Statement::ShowSourceDatabases(_)
        | Statement::ShowSourceTables(_)
        | Statement::DescribeSourceTable(_)
        | Statement::PreviewSourceTable(_)) => handler::datasource::schema(statement)?,
        Statement::ShowVariable(show) => Some(show_variable_schema(show)),
        Statement::CreateDatasource(_)
        | Statement::DropObject(DropObject {
            kind: ObjectKind::Datasource,
            ..
        })
        | Statement::AlterObject(AlterObject {
            kind: ObjectKind::Datasource,
            ..
        })
        | Statement::CommentOn(CommentOn {
            kind: ObjectKind::Datasource,
            ..
        })
        | Statement::SetVariable(_)
        | Statement::ResetVariable(_)
        | Statement::Transaction(_)
        // COPY answers in its own sub-protocol, without a row description.
        | Statement::CopyTo(_) => None,
        other => return Err(not_supported_yet(other)),
    };
    Ok(Description {
        param_types: Vec::new(),
        schema,
    })
}

/// Runs a statement.
pub(super) async fn execute(
    session: &mut Session,
    parsed: &ParsedStatement,
    params: Vec<ScalarValue>,
) -> Result<StatementOutput> {
    let context = session.context.clone();
    // A result run early by Describe is this statement's, or nobody's.
    if let Some((text, output)) = session.prefetched.take()
        && text == parsed.text
    {
        return Ok(into_output(output));
    }
    if let Some(kind) = flink_kind(session, &parsed.statement) {
        return forward(session, parsed, kind).await;
    }
    if let Statement::CopyTo(copy) = &parsed.statement {
        return Box::pin(execute(session, &copy_query(parsed, copy), params)).await;
    }
    if let Statement::Preview(preview) = &parsed.statement {
        let Some(flink) = session.flink.as_mut() else {
            return Err(flink_unavailable());
        };
        return handler::preview::handle_preview(
            flink,
            &session.vars,
            &preview.body.text,
            preview.explain,
        )
        .await;
    }
    match &parsed.statement {
        Statement::CreateDatasource(create) => {
            handler::datasource::handle_create_datasource(&context, create).await
        }
        Statement::DropObject(drop) if drop.kind == ObjectKind::Datasource => {
            handler::datasource::handle_drop_datasource(&context, drop).await
        }
        Statement::ShowObjects(show) if show.kind == ObjectKind::Datasource => {
            let sql = handler::datasource::show_datasources_query(show);
            Ok(session.engine.execute_sql(&sql).await?.into())
        }
        Statement::DescribeObject(describe)
            if describe.kind == ObjectKind::Datasource && describe.show_create =>
        {
            handler::datasource::handle_show_create_datasource(&context, describe).await
        }
        Statement::DescribeObject(describe) if describe.kind == ObjectKind::Datasource => {
            handler::datasource::handle_describe_datasource(&context, describe).await
        }
        Statement::AlterObject(alter) if alter.kind == ObjectKind::Datasource => {
            handler::datasource::handle_alter_datasource(&context, alter).await
        }
        Statement::CommentOn(comment) if comment.kind == ObjectKind::Datasource => {
            handler::datasource::handle_comment_on_datasource(&context, comment).await
        }
        Statement::ShowDatasourceTypes => Ok(session
            .engine
            .execute_sql(handler::datasource::SHOW_TYPES_QUERY)
            .await?
            .into()),
        Statement::DescribeDatasourceType(describe) => {
            handler::datasource::handle_describe_datasource_type(&context, describe)
        }
        Statement::ObjectCommand(ObjectCommand {
            command: Lifecycle::Test,
            name,
            ..
        }) => handler::datasource::handle_test_datasource(&context, name).await,
        Statement::TestDatasourceType(test) => {
            handler::datasource::handle_test_datasource_type(&context, test).await
        }
        Statement::ShowSourceDatabases(show) => {
            handler::datasource::handle_show_source_databases(&context, show).await
        }
        Statement::ShowSourceTables(show) => {
            handler::datasource::handle_show_source_tables(&context, show).await
        }
        Statement::DescribeSourceTable(describe) => {
            handler::datasource::handle_describe_source_table(&context, describe).await
        }
        Statement::PreviewSourceTable(preview) => {
            handler::datasource::handle_preview_source_table(&context, preview).await
        }
        Statement::SetVariable(set) => set_variable(session, set).await,
        Statement::ShowVariable(show) => show_variable(session, show),
        Statement::ResetVariable(reset) => reset_variable(session, reset).await,
        Statement::Transaction(command) => Ok(QueryResult::command(command.to_string()).into()),
        Statement::Query(query) if session.engine.answers(query) => {
            let notices = list_flink_catalog(session, query).await;
            let mut output: StatementOutput = session.engine.execute(query, params).await?.into();
            output.notices.extend(notices);
            Ok(output)
        }
        other => Err(not_supported_yet(other)),
    }
}

/// The query a COPY copies, as a statement of its own (at the COPY's
/// place in the script).
fn copy_query(parsed: &ParsedStatement, copy: &CopyTo) -> ParsedStatement {
    ParsedStatement {
        statement: (*copy.query).clone(),
        text: copy.text.clone(),
        ..parsed.clone()
    }
}

/// The error for a statement that parses and checks but whose execution
/// comes in a later release: 0A000, never a silent success.
fn not_supported_yet(statement: &Statement) -> Error {
    Error::not_supported(statement.family())
}

/// The error for Flink SQL when no Flink SQL Gateway is configured.
fn flink_unavailable() -> Error {
    Error::new(
        SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
        "this statement is Flink SQL and no Flink SQL Gateway is configured",
    )
    .with_hint(
        "start scaleph with --flink-gateway http://HOST:8083, set flink.gateway.url in scaleph.toml, \
         or set SCALEPH_FLINK_GATEWAY_URL; scaleph's own statements and queries on scaleph.* work without it",
    )
}

/// `SET`: a Flink property also goes to the Flink session.
async fn set_variable(session: &mut Session, set: &SetVariable) -> Result<StatementOutput> {
    let flink = session
        .flink
        .as_mut()
        .filter(|_| vars::is_flink_key(&set.name));
    match &set.value {
        SetValue::Value(value) => {
            if let Some(flink) = flink {
                flink.set(&set.name, value).await?;
            }
            session.vars.set(&set.name, value)?;
        }
        SetValue::Default => {
            if let Some(flink) = flink {
                flink.reset(Some(&set.name)).await?;
            }
            session.vars.reset(&set.name);
        }
    }
    Ok(QueryResult::command("SET").into())
}

/// `RESET`: Flink properties are reset in the Flink session too.
async fn reset_variable(session: &mut Session, reset: &ResetVariable) -> Result<StatementOutput> {
    match &reset.name {
        Some(name) => {
            if let Some(flink) = session.flink.as_mut().filter(|_| vars::is_flink_key(name)) {
                flink.reset(Some(name)).await?;
            }
            session.vars.reset(name);
        }
        None => {
            if let Some(flink) = session.flink.as_mut() {
                flink.reset(None).await?;
            }
            session.vars.reset_all();
        }
    }
    Ok(QueryResult::command("RESET").into())
}

fn show_variable_columns(show: &ShowVariable) -> Vec<&str> {
    match &show.name {
        Some(name) => vec![name],
        None => vec!["name", "setting", "description"],
    }
}

fn show_variable_schema(show: &ShowVariable) -> SchemaRef {
    QueryResult::text_schema(&show_variable_columns(show))
}

fn show_variable(session: &Session, show: &ShowVariable) -> Result<StatementOutput> {
    let rows: Vec<Vec<String>> = match &show.name {
        Some(name) => vec![vec![session.vars.require(name)?]],
        None => session
            .vars
            .all()
            .into_iter()
            .map(|(name, setting, description)| vec![name, setting, description])
            .collect(),
    };
    Ok(QueryResult::text_rows(&show_variable_columns(show), &rows)?.into())
}
