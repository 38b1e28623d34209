//! Flink SQL: every statement scaleph does not handle itself, forwarded as
//! written to the Flink SQL Gateway in this session's Flink session, its
//! result streamed back. Statements that change the session are recorded
//! for replay; `CREATE CATALOG`, `DROP CATALOG`, `ADD JAR` and
//! `REMOVE JAR` also change what the store keeps for every new session.

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use secrecy::SecretString;

use crate::error::{Error, Result, SqlState};
use crate::flink::FlinkSession;
use crate::flink::fetch::{ChangelogMode, ReadOptions, read_result};
use crate::flink::state::{self, Effect};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::session::SessionVars;
use crate::session::vars::{CHANGELOG, MAX_ROWS, RESULT_TIMEOUT};
use crate::sql::ParsedStatement;
use crate::sql::ast::FlinkStatementKind;
use crate::store::{FlinkCatalog, Jar, Store};

/// What a Flink statement's result looks like, when that is known without
/// running it: `Some(None)` for no rows, `Some(Some(schema))` for rows of
/// `schema`; `None` when only Flink knows (queries, SHOW, EXPLAIN).
pub fn known_schema(kind: FlinkStatementKind, text: &str) -> Option<Option<SchemaRef>> {
    match kind {
        FlinkStatementKind::Insert
        | FlinkStatementKind::StatementSet
        | FlinkStatementKind::CreateTableAs => Some(Some(QueryResult::text_schema(&["job id"]))),
        FlinkStatementKind::Ddl | FlinkStatementKind::Use => Some(None),
        _ if state::effect(kind, text) != Effect::None => Some(None),
        _ => None,
    }
}

/// The options of the user's statement, from the session's
/// `scaleph.result.*` settings. In batch mode every query is bounded and
/// insert-only: no limits, no `op` column.
fn statement_options(
    flink: &FlinkSession,
    vars: &SessionVars,
    parsed: &ParsedStatement,
    kind: FlinkStatementKind,
) -> ReadOptions {
    let setting = |name: &str| vars.get(name).unwrap_or_default();
    let max_rows = setting(MAX_ROWS).trim().parse::<usize>().unwrap_or(1000);
    let timeout = crate::duration::parse_duration(&setting(RESULT_TIMEOUT)).unwrap_or_default();
    let batch = flink.is_batch();
    ReadOptions {
        max_rows: (max_rows > 0 && !batch).then_some(max_rows),
        timeout: (!timeout.is_zero() && !batch).then_some(timeout),
        changelog: ChangelogMode::parse(&setting(CHANGELOG)).unwrap_or(ChangelogMode::Auto),
        may_update: !batch && kind == FlinkStatementKind::Query && state::may_update(&parsed.text),
        statement: Some((parsed.position(), Arc::from(parsed.text.as_str()))),
    }
}

/// Runs `text` in the Flink session and reads its result: the result and
/// the notices of (re)opening the session.
pub async fn run(
    flink: &mut FlinkSession,
    text: &str,
    options: ReadOptions,
) -> Result<(QueryResult, Vec<Notice>)> {
    let mut notices = Vec::new();
    let handles = flink.submit(text, &mut notices).await?;
    let result = read_result(
        flink.client().clone(),
        handles,
        flink.zone(),
        options,
        state::command_tag(text),
    )
    .await?;
    Ok((result, notices))
}

/// Runs a Flink statement of kind `kind`; in preview mode a write runs as
/// its preview, and what cannot be previewed is refused.
pub async fn handle_flink_statement(
    flink: &mut FlinkSession,
    vars: &SessionVars,
    store: &dyn Store,
    parsed: &ParsedStatement,
    kind: FlinkStatementKind,
) -> Result<StatementOutput> {
    if super::preview::preview_mode(vars) {
        match kind {
            FlinkStatementKind::Insert
            | FlinkStatementKind::StatementSet
            | FlinkStatementKind::CreateTableAs => {
                return super::preview::handle_preview(flink, vars, &parsed.text, false).await;
            }
            _ if !state::preview_allows(kind, &parsed.text) => {
                return Err(Error::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "in preview mode this statement is not sent to Flink: it may write data or submit a job",
                )
                .with_hint("SET 'scaleph.preview' = 'off' to run it"));
            }
            _ => {}
        }
    }
    let effect = state::effect(kind, &parsed.text);
    if let Effect::RemoveJar { path } = &effect {
        return remove_jar(store, path).await;
    }
    let text = state::forwardable(kind, &parsed.text);
    let options = statement_options(flink, vars, parsed, kind);
    let (result, notices) = run(flink, &text, options).await?;
    remember(flink, store, parsed, effect).await?;
    Ok(StatementOutput {
        result,
        notices,
        more: Vec::new(),
    })
}

/// Keeps what a successful statement changed: the session log, or the
/// store's catalogs and jars.
async fn remember(
    flink: &mut FlinkSession,
    store: &dyn Store,
    parsed: &ParsedStatement,
    effect: Effect,
) -> Result<()> {
    let now = chrono::Utc::now();
    match effect {
        Effect::None | Effect::RemoveJar { .. } => {}
        Effect::Session => flink.record(&parsed.text),
        Effect::CreateCatalog { name, catalog_type } => {
            store
                .put_flink_catalog(FlinkCatalog {
                    name,
                    catalog_type,
                    definition: SecretString::from(parsed.text.clone()),
                    shown: parsed.redacted(),
                    created_at: now,
                })
                .await?;
        }
        Effect::DropCatalog { name } => {
            store.drop_flink_catalog(&name).await?;
        }
        Effect::AddJar { path } => {
            let name = path
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(path.as_str())
                .to_string();
            store
                .add_jar(Jar {
                    source: path,
                    name,
                    created_at: now,
                })
                .await?;
        }
    }
    Ok(())
}

/// `REMOVE JAR '<path>'`: the Flink SQL Gateway refuses it, so scaleph
/// stops adding the jar to new Flink sessions; the open one keeps it.
async fn remove_jar(store: &dyn Store, path: &str) -> Result<StatementOutput> {
    if !store.remove_jar(path).await? {
        return Err(Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("jar '{path}' was not added"),
        )
        .with_hint("SELECT * FROM scaleph.connectors lists the jars scaleph adds"));
    }
    Ok(StatementOutput::from(QueryResult::command("REMOVE JAR")).with_notice(Notice::new(
        format!(
            "jar '{path}' is no longer added to new Flink sessions; the current Flink session keeps it loaded"
        ),
    )))
}
