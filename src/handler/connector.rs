//! Connector statements: `CREATE CONNECTOR name FROM '<jar>'`, SHOW,
//! DESCRIBE, SHOW CREATE, COMMENT ON and DROP.
//!
//! A connector is a named jar that jobs take with them when their script
//! names what it provides (`'connector' = 'kafka'`, a format, a catalog
//! type). What it provides is decided when it is registered: from the
//! factory classes its service file lists when the jar is local (read and
//! hashed now, so a changed file is noticed), from the connector registry
//! by the jar's file name when it is remote (scaleph does not download a
//! jar to register it).

use sha2::{Digest, Sha256};

use super::{SessionState, Shape, object_name};
use crate::catalog::connectors::{BUILT_IN, jar_factories};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::jobs::artifacts::{file_name, local_path, read_local_jar};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::ast::{
    CommentOn, ConnectorStatement, CreateConnector, DescribeObject, DropObject, ObjectStatement,
    ShowObjects, quote_string,
};
use crate::store::{Connector, StoreError};

/// Schemes of a remote jar location.
const REMOTE_SCHEMES: &[&str] = &[
    "http://", "https://", "s3://", "s3a://", "hdfs://", "gs://", "oss://", "abfs://", "abfss://",
];

/// The columns of `DESCRIBE CONNECTOR`.
const DESCRIBE_COLUMNS: [&str; 2] = ["property", "value"];

/// `SHOW CONNECTORS [LIKE 'p']` as a query on `scaleph.connectors`.
fn show_query(show: &ShowObjects) -> String {
    let filter = show
        .like
        .as_ref()
        .map(|like| format!(" WHERE name LIKE {}", quote_string(like)))
        .unwrap_or_default();
    format!(
        "SELECT name, kind, provides, source, comment FROM scaleph.connectors{filter} ORDER BY kind, name"
    )
}

/// The shape of a connector statement's result.
pub async fn describe(state: &mut SessionState, statement: &ConnectorStatement) -> Result<Shape> {
    use ConnectorStatement as C;
    let schema = match statement {
        C::Object(ObjectStatement::Show(show)) => {
            return Ok(Shape::Known(
                state.engine.describe_sql(&show_query(show)).await?,
            ));
        }
        C::Object(ObjectStatement::Describe(d)) if d.show_create => {
            Some(QueryResult::text_schema(&[super::SHOW_CREATE_COLUMN]))
        }
        C::Object(ObjectStatement::Describe(_)) => {
            Some(QueryResult::text_schema(&DESCRIBE_COLUMNS))
        }
        C::Create(_) | C::Object(_) => None,
    };
    Ok(Shape::rows(schema))
}

/// Runs a connector statement.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    statement: &ConnectorStatement,
) -> Result<StatementOutput> {
    use ConnectorStatement as C;
    match statement {
        C::Create(create) => create_connector(context, create).await,
        C::Object(ObjectStatement::Show(show)) => {
            Ok(state.engine.execute_sql(&show_query(show)).await?.into())
        }
        C::Object(ObjectStatement::Describe(d)) if d.show_create => show_create(context, d).await,
        C::Object(ObjectStatement::Describe(d)) => describe_connector(context, d).await,
        C::Object(ObjectStatement::Comment(comment)) => comment_on(context, comment).await,
        C::Object(ObjectStatement::Drop(drop)) => drop_connector(context, drop).await,
        C::Object(ObjectStatement::Alter(alter)) => Err(Error::not_supported(format!(
            "ALTER CONNECTOR {}",
            object_name(&alter.name)
        ))
        .with_hint("a connector is its jar: DROP CONNECTOR it and CREATE CONNECTOR it again from the new location")),
        C::Object(ObjectStatement::Command(command)) => {
            Err(super::not_supported_yet(&command.to_string()))
        }
    }
}

/// The connector called `name`, or 42704 with did-you-mean.
async fn load(context: &Context, name: &str) -> Result<Connector> {
    if let Some(connector) = context.store.get_connector(name).await? {
        return Ok(connector);
    }
    let names: Vec<String> = context
        .store
        .list_connectors()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let mut err = super::does_not_exist("connector", name, &names);
    if BUILT_IN.iter().any(|(_, id)| id.eq_ignore_ascii_case(name)) {
        err = err.with_hint(format!(
            "'{name}' is built into Flink: it needs no connector"
        ));
    }
    Err(err)
}

/// `CREATE CONNECTOR [IF NOT EXISTS] name FROM '<location>'`.
async fn create_connector(context: &Context, create: &CreateConnector) -> Result<StatementOutput> {
    let name = object_name(&create.name);
    let location = create.location.trim();
    let output = StatementOutput::from(QueryResult::command("CREATE CONNECTOR"));
    if create.if_not_exists && context.store.get_connector(&name).await?.is_some() {
        return Ok(output.with_notice(Notice::new(format!(
            "connector \"{name}\" already exists, skipping"
        ))));
    }
    let local = local_path(location);
    let remote = REMOTE_SCHEMES.iter().any(|s| location.starts_with(s));
    let (sha256, size, factories) = match (local, remote) {
        (Some(path), _) => {
            let (sha256, size, factories) = read_jar(path).await?;
            (Some(sha256), Some(size), Some(factories))
        }
        (None, true) => (None, None, None),
        (None, false) => {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("connector location '{location}' is neither an absolute path nor a URL"),
            )
            .with_hint(
                "use /path/to/connector.jar, file://..., https://..., s3://... or hdfs://...",
            ));
        }
    };
    let jar = file_name(location);
    let provides: Vec<String> = context
        .connectors
        .provided_by(jar, factories.as_deref())
        .into_iter()
        .map(|(need, id)| format!("{}:{id}", need.name()))
        .collect();
    let connector = Connector {
        name: name.clone(),
        location: location.to_string(),
        sha256,
        size,
        factories: factories.clone().unwrap_or_default(),
        provides: provides.clone(),
        comment: None,
        created_at: chrono::Utc::now(),
    };
    match context.store.create_connector(connector).await {
        Ok(()) => {}
        Err(StoreError::Duplicate { .. }) if create.if_not_exists => {
            return Ok(output.with_notice(Notice::new(format!(
                "connector \"{name}\" already exists, skipping"
            ))));
        }
        Err(e) => return Err(e.into()),
    }
    let notice = match (&factories, provides.is_empty()) {
        (_, false) => format!("connector \"{name}\" provides {}", provides.join(", ")),
        (Some(f), true) if f.is_empty() => format!(
            "connector \"{name}\": its jar lists no table factories (a UDF or driver jar); jobs take it along only when named"
        ),
        (Some(f), true) => format!(
            "connector \"{name}\": its factories ({}) are not in the connector registry, so what they provide is unknown; add a file to catalogs/connectors/ naming them",
            f.join(", ")
        ),
        (None, true) => format!(
            "connector \"{name}\": scaleph does not download a remote jar to register it, and the registry knows no jar named '{jar}'; register a local copy to have its factories read"
        ),
    };
    Ok(output.with_notice(Notice::new(notice)))
}

/// A local jar's SHA-256, size and factory classes; 58P01 when it is not
/// there, 22023 when it is not a jar, 54000 when it is too large.
async fn read_jar(path: &str) -> Result<(String, u64, Vec<String>)> {
    let bytes = read_local_jar(path).await?;
    let factories = jar_factories(&bytes).map_err(|e| {
        Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("'{path}' is not a connector jar: {e}"),
        )
    })?;
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((sha256, bytes.len() as u64, factories))
}

/// `SHOW CREATE CONNECTOR name`.
async fn show_create(context: &Context, describe: &DescribeObject) -> Result<StatementOutput> {
    let connector = load(context, &object_name(&describe.name)).await?;
    let name = crate::sql::ast::ident_for(&connector.name);
    let mut sql = CreateConnector {
        if_not_exists: false,
        name: name.clone(),
        location: connector.location.clone(),
    }
    .to_string();
    if let Some(comment) = &connector.comment {
        sql.push_str(&format!(
            ";\nCOMMENT ON CONNECTOR {} IS {}",
            crate::sql::ast::q(&name),
            quote_string(comment)
        ));
    }
    Ok(QueryResult::text_rows(&[super::SHOW_CREATE_COLUMN], &[vec![sql]])?.into())
}

/// `DESCRIBE CONNECTOR name`: where its jar is, what it provides, its
/// factories.
async fn describe_connector(
    context: &Context,
    describe: &DescribeObject,
) -> Result<StatementOutput> {
    let c = load(context, &object_name(&describe.name)).await?;
    let mut rows = vec![
        vec!["name".to_string(), c.name.clone()],
        vec!["location".to_string(), c.location.clone()],
        vec![
            "sha256".to_string(),
            c.sha256
                .clone()
                .unwrap_or_else(|| "(remote: not read)".into()),
        ],
        vec![
            "size".to_string(),
            c.size
                .map(|s| s.to_string())
                .unwrap_or_else(|| "(remote: not read)".into()),
        ],
        vec!["provides".to_string(), c.provides.join(", ")],
    ];
    rows.extend(
        c.factories
            .iter()
            .map(|f| vec!["factory".to_string(), f.clone()]),
    );
    rows.push(vec![
        "comment".to_string(),
        c.comment.clone().unwrap_or_default(),
    ]);
    rows.push(vec!["created_at".to_string(), c.created_at.to_rfc3339()]);
    Ok(QueryResult::text_rows(&DESCRIBE_COLUMNS, &rows)?.into())
}

/// `COMMENT ON CONNECTOR name IS ...`.
async fn comment_on(context: &Context, comment: &CommentOn) -> Result<StatementOutput> {
    let name = object_name(&comment.name);
    if !context
        .store
        .comment_connector(&name, comment.comment.clone())
        .await?
    {
        load(context, &name).await?;
    }
    Ok(QueryResult::command("COMMENT").into())
}

/// `DROP CONNECTOR [IF EXISTS] name`.
async fn drop_connector(context: &Context, drop: &DropObject) -> Result<StatementOutput> {
    let name = object_name(&drop.name);
    let output = StatementOutput::from(QueryResult::command("DROP CONNECTOR"));
    if context.store.drop_connector(&name).await? {
        return Ok(output);
    }
    if drop.if_exists {
        return Ok(output.with_notice(Notice::new(format!(
            "connector \"{name}\" does not exist, skipping"
        ))));
    }
    load(context, &name).await.map(|_| output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_paths_and_urls() {
        assert_eq!(
            file_name("https://repo/x/flink-sql-connector-kafka-3.3.0-1.20.jar?sig=1"),
            "flink-sql-connector-kafka-3.3.0-1.20.jar"
        );
        assert_eq!(file_name("/opt/jars/udf.jar"), "udf.jar");
        assert_eq!(file_name("udf.jar"), "udf.jar");
    }
}
