//! Jobs, clusters, connectors and previews.

use super::cursor::Cursor;
use crate::error::{Error, Position, Result, SqlState};
use crate::sql::ast::*;

/// `CREATE JOB [IF NOT EXISTS] name [ON CLUSTER c] [WITH (...)] AS <body>`,
/// the cursor after `CREATE JOB`. The body is an INSERT or a statement set.
pub(super) fn create(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = c.ident("a job name")?;
    let cluster = c.on_cluster()?;
    let options = c.with_options()?;
    c.expect_word("AS", "before the job's statement")?;
    let body = flink_body(
        c,
        &[FlinkStatementKind::Insert, FlinkStatementKind::StatementSet],
        "a job runs INSERT INTO ... or a statement set",
    )?;
    Ok(Statement::from(CreateJob {
        if_not_exists,
        name,
        cluster,
        options,
        body,
    }))
}

/// `CREATE CLUSTER [IF NOT EXISTS] name TYPE t [WITH (...)] [FILES (...)]`.
pub(super) fn create_cluster(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = c.ident("a cluster name")?;
    c.expect_word("TYPE", "after the cluster name")?;
    let cluster_type = c.keyword_value(ClusterType::KEYWORDS, "TYPE")?;
    let options = c.with_options()?;
    let files = c.files()?;
    c.expect_end()?;
    Ok(Statement::from(CreateCluster {
        if_not_exists,
        name,
        cluster_type,
        options,
        files,
    }))
}

/// Where a connector jar may come from.
const JAR_SCHEMES: &[&str] = &[
    "http://", "https://", "s3://", "hdfs://", "oss://", "file:///",
];

/// `CREATE CONNECTOR [IF NOT EXISTS] name FROM 'location'`.
pub(super) fn create_connector(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = c.ident("a connector name")?;
    c.expect_word("FROM", "after the connector name")?;
    let (location, token) = c.string("the jar's 'location'")?;
    let lower = location.to_ascii_lowercase();
    let known_place = location.starts_with('/') || JAR_SCHEMES.iter().any(|s| lower.starts_with(s));
    if !known_place || !lower.ends_with(".jar") {
        return Err(c
            .error_at(
                token,
                SqlState::INVALID_PARAMETER_VALUE,
                format!("connector location '{location}' is not a jar URL or absolute path"),
            )
            .with_hint(format!(
                "give a path to a .jar: an absolute path, or a URL starting with {}",
                JAR_SCHEMES.join(", ")
            )));
    }
    c.expect_end()?;
    Ok(Statement::from(CreateConnector {
        if_not_exists,
        name,
        location,
    }))
}

/// After `SHOW SAVEPOINTS`: `FOR JOB name`.
pub(super) fn show_savepoints(c: &mut Cursor) -> Result<Statement> {
    c.expect_word("FOR", "after SHOW SAVEPOINTS")?;
    c.expect_word("JOB", "after FOR")?;
    let job = c.ident("a job name")?;
    c.expect_end()?;
    Ok(Statement::from(ShowSavepoints { job }))
}

/// `[EXPLAIN] PREVIEW <statement>`, the cursor at the statement.
pub(super) fn preview(c: &mut Cursor, explain: bool) -> Result<Statement> {
    let body = flink_body(
        c,
        &[
            FlinkStatementKind::Insert,
            FlinkStatementKind::StatementSet,
            FlinkStatementKind::CreateTableAs,
        ],
        "PREVIEW takes INSERT INTO ..., a statement set, or CREATE/REPLACE TABLE ... AS SELECT",
    )?;
    Ok(Statement::Preview(Preview { explain, body }))
}

/// The rest of the statement as a Flink statement of one of `kinds`.
fn flink_body(c: &mut Cursor, kinds: &[FlinkStatementKind], rule: &str) -> Result<FlinkBody> {
    let Some((tokens, start)) = c.rest() else {
        return Err(c.expected("a statement"));
    };
    let statement = super::parse_statement(c.script, tokens, start, c.end)?;
    match statement {
        Statement::Flink(flink) if kinds.contains(&flink.kind) => Ok(FlinkBody {
            text: c.script[start..c.end].to_string(),
            flink: Box::new(flink),
        }),
        _ => Err(Error::syntax(
            format!("{rule}, found {}", describe_found(c.script, start)),
            Position::at(c.script, start),
        )),
    }
}

/// The first word of what was found, for messages.
fn describe_found(script: &str, start: usize) -> String {
    let word: String = script[start..]
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .collect();
    format!("\"{word}\"")
}
