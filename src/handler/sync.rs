//! StoredSync statements: CREATE SYNC (plan from the source's live metadata,
//! check that the engine can do it, store), EXPLAIN SYNC (the artifacts,
//! secrets masked), SHOW SYNCS, DESCRIBE / SHOW CREATE SYNC, COMMENT ON,
//! ALTER (options apply at the next start; RENAME while stopped), DROP
//! (refused while running), START and STOP SYNC [WITH SAVEPOINT].
//!
//! The model is [`crate::sync`]'s: the plan, the engines' types and
//! artifacts, and [`crate::sync::run`] for the lifecycle. This module
//! reads statements and shapes their answers.

use super::options::{masked_options, pairs};
use super::{SessionState, Shape, does_not_exist, object_name};
use crate::catalog::DatasourceType;
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::jobs::run::Operation;
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::ast::{
    AlterAction, AlterObject, CommentOn, CreateSync, DescribeObject, DropObject, Lifecycle,
    ObjectCommand, ObjectStatement, OptionValue, Options, ShowObjects, SqlOption, SyncStatement,
    ident_for, q, quote_string,
};
use crate::store::{
    Cluster, ClusterDrop, Datasource, OptionEntry, StoreError, StoredSync, SyncChange,
};
use crate::sync::artifacts::{self, Endpoint, Input, Secrets};
use crate::sync::options::SyncOptions;
use crate::sync::planner::{self, SinkSpec};
use crate::sync::run::{self, RUNNING, STARTABLE, STARTING, STOPPED, STOPPING};
use crate::sync::{Engine, Mode, SyncPlan};

/// The columns of `DESCRIBE SYNC`.
const DESCRIBE_COLUMNS: [&str; 3] = ["section", "name", "value"];
/// The columns of `EXPLAIN SYNC`.
const EXPLAIN_COLUMNS: [&str; 2] = ["artifact", "text"];

/// The sync called `name`, or 42704 with the closest name.
async fn load(context: &Context, name: &str) -> Result<StoredSync> {
    if let Some(sync) = context.store.get_sync(name).await? {
        return Ok(sync);
    }
    let names: Vec<String> = match context.store.list_syncs().await {
        Ok(syncs) => syncs.into_iter().map(|s| s.name).collect(),
        Err(_) => Vec::new(),
    };
    Err(does_not_exist("sync", name, &names))
}

fn operation<'a>(context: &'a Context, state: &'a SessionState) -> Operation<'a> {
    Operation {
        context,
        progress: &state.progress,
        timeout: state.vars.settings().job_submit_timeout,
    }
}

/// Stored options back as a `WITH (...)` list with their real values,
/// to parse again (shown ones go through [`masked_options`]).
fn real_options(options: &std::collections::BTreeMap<String, OptionEntry>) -> Options {
    Options(
        options
            .iter()
            .map(|(key, value)| SqlOption {
                key: key.clone(),
                value: OptionValue::String(value.expose().to_string()),
            })
            .collect(),
    )
}

/// A sync option as kept: sealed when its key names a secret (an
/// engine pass-through key such as `seatunnel.sink.password`).
fn kept(key: &str, value: String) -> OptionEntry {
    if crate::sql::mask::is_secret_key(key) {
        OptionEntry::Secret(secrecy::SecretString::from(value))
    } else {
        OptionEntry::Plain(value)
    }
}

/// The sync's options, typed.
fn typed_options(sync: &StoredSync) -> Result<SyncOptions> {
    SyncOptions::parse(&real_options(&sync.options))
}

/// The stored plan.
fn plan_of(sync: &StoredSync) -> Result<SyncPlan> {
    serde_json::from_str(&sync.plan).map_err(|e| {
        Error::new(
            SqlState::DATA_EXCEPTION,
            format!(
                "the stored plan of sync \"{}\" cannot be read: {e}",
                sync.name
            ),
        )
        .with_hint("drop the sync and create it again")
    })
}

/// A datasource and its type, loaded now.
async fn endpoint<'c>(
    context: &'c Context,
    name: &str,
) -> Result<(Datasource, &'c DatasourceType)> {
    let datasource = super::datasource::load(context, name).await?;
    let kind = super::datasource::datasource_type(&context.registry, &datasource.datasource_type)?;
    Ok((datasource, kind))
}

/// The cluster a sync on `engine` runs on: `given`, else the default;
/// checked to be of a kind that runs that engine.
async fn resolve_cluster(
    context: &Context,
    given: Option<String>,
    engine: Engine,
) -> Result<Option<Cluster>> {
    let Some(name) = given.or_else(|| context.config.jobs.default_cluster.clone()) else {
        return Ok(None);
    };
    let cluster = super::cluster::load(context, &name).await?;
    let seatunnel = crate::jobs::is_seatunnel(&context.registry, &cluster);
    match (engine, seatunnel) {
        (Engine::Seatunnel, false) => Err(Error::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!(
                "cluster \"{}\" is a {} cluster; ENGINE SEATUNNEL runs on a SEATUNNEL cluster",
                cluster.name,
                cluster.cluster_type.to_uppercase()
            ),
        )),
        (Engine::FlinkSql | Engine::FlinkCdc, true) => Err(Error::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!(
                "cluster \"{}\" is a SEATUNNEL cluster; ENGINE {} runs on a Flink cluster",
                cluster.name,
                engine.keyword()
            ),
        )),
        _ => Ok(Some(cluster)),
    }
}

/// `CREATE SYNC`: reads the source's tables now, plans, checks that the
/// engine can do what is asked (with secrets masked), and stores the plan.
async fn create(context: &Context, create: &CreateSync) -> Result<StatementOutput> {
    let name = object_name(&create.name);
    let output = StatementOutput::from(QueryResult::command("CREATE SYNC"));
    let exists = || Notice::new(format!("sync \"{name}\" already exists, skipping"));
    if create.if_not_exists && context.store.get_sync(&name).await?.is_some() {
        return Ok(output.with_notice(exists()));
    }
    let options = SyncOptions::parse(&create.options)?;
    let (source, source_kind) = endpoint(context, &object_name(&create.source)).await?;
    let mut sinks = Vec::new();
    for sink in &create.sinks {
        sinks.push(endpoint(context, &object_name(&sink.datasource)).await?);
    }
    let specs: Vec<SinkSpec> = create
        .sinks
        .iter()
        .zip(&sinks)
        .map(|(sink, (datasource, kind))| SinkSpec {
            datasource,
            kind,
            target: &sink.target,
        })
        .collect();
    let mode = create.mode.map(Mode::from).unwrap_or(Mode::Snapshot);
    let database = create.database.as_ref().map(object_name);
    let table_name =
        |schema: &str, database: &str, table: &str| options.table_name(schema, database, table);
    let request = planner::Request {
        source: &source,
        source_kind,
        database: database.as_deref(),
        patterns: &create.tables,
        sinks: &specs,
        mode,
        engine: create.engine.map(Engine::from).unwrap_or(Engine::FlinkSql),
        table_name: &table_name,
    };
    let started = std::time::Instant::now();
    let mut plan = planner::plan(&request).await?;
    if create.engine.is_none() {
        let kinds: Vec<&DatasourceType> = sinks.iter().map(|(_, kind)| *kind).collect();
        plan.engine = artifacts::default_engine(&plan, source_kind, &kinds);
    }
    let cluster = resolve_cluster(
        context,
        create.cluster.as_ref().map(object_name),
        plan.engine,
    )
    .await?;
    let input = Input {
        name: &name,
        plan: &plan,
        options: &options,
        source: Endpoint {
            datasource: &source,
            kind: source_kind,
        },
        sinks: sinks
            .iter()
            .map(|(datasource, kind)| Endpoint { datasource, kind })
            .collect(),
        secrets: Secrets::Masked,
    };
    artifacts::check(&input)?;
    let planned_in = started.elapsed();
    let now = chrono::Utc::now();
    let mut shown = create.clone();
    shown.options = Options::default();
    shown.if_not_exists = false;
    let entries = pairs(&create.options)
        .into_iter()
        .map(|(key, value)| {
            let value = kept(&key, value);
            (key, value)
        })
        .collect();
    let sync = StoredSync {
        name: name.clone(),
        cluster: cluster.as_ref().map(|c| c.name.clone()),
        source: source.name.clone(),
        sinks: sinks.iter().map(|(d, _)| d.name.clone()).collect(),
        mode: plan.mode.keyword().into(),
        engine: plan.engine.keyword().into(),
        statement: shown.to_string(),
        options: entries,
        plan: serde_json::to_string(&plan).map_err(|e| {
            Error::new(
                SqlState::INTERNAL_ERROR,
                format!("the plan cannot be stored: {e}"),
            )
        })?,
        state: run::CREATED.into(),
        reason: None,
        run_id: None,
        savepoint: None,
        comment: None,
        created_at: now,
        started_at: None,
        updated_at: now,
    };
    match context.store.create_sync(sync).await {
        Ok(()) => {}
        Err(StoreError::Duplicate { .. }) if create.if_not_exists => {
            return Ok(output.with_notice(exists()));
        }
        Err(StoreError::Duplicate { .. }) => {
            return Err(Error::new(
                SqlState::DUPLICATE_OBJECT,
                format!("sync \"{name}\" already exists"),
            ));
        }
        Err(err) => return Err(err.into()),
    }
    let columns: usize = plan.tables.iter().map(|t| t.columns.len()).sum();
    Ok(output.with_notice(Notice::new(format!(
        "sync \"{name}\" planned in {} ms: {} tables ({columns} columns) of \"{}\"{} to {}, {} by {}{}",
        planned_in.as_millis(),
        plan.tables.len(),
        source.name,
        plan.source
            .database
            .as_deref()
            .map(|d| format!(" database {d}"))
            .unwrap_or_default(),
        plan.sinks
            .iter()
            .map(|s| format!("\"{}\"", s.datasource))
            .collect::<Vec<_>>()
            .join(", "),
        plan.mode.keyword(),
        plan.engine.keyword(),
        cluster
            .map(|c| format!(" on cluster \"{}\"", c.name))
            .unwrap_or_default(),
    ))))
}

/// The artifacts of `sync` as its engine takes them now.
async fn generate(
    context: &Context,
    sync: &StoredSync,
    secrets: Secrets,
) -> Result<artifacts::Artifacts> {
    let plan = plan_of(sync)?;
    let options = typed_options(sync)?;
    let (source, source_kind) = endpoint(context, &sync.source).await?;
    let mut sinks = Vec::new();
    for sink in &sync.sinks {
        sinks.push(endpoint(context, sink).await?);
    }
    let input = Input {
        name: &sync.name,
        plan: &plan,
        options: &options,
        source: Endpoint {
            datasource: &source,
            kind: source_kind,
        },
        sinks: sinks
            .iter()
            .map(|(datasource, kind)| Endpoint { datasource, kind })
            .collect(),
        secrets,
    };
    artifacts::generate(&input)
}

/// `EXPLAIN SYNC name`: each artifact the engine takes, secrets masked.
async fn explain(context: &Context, name: &str) -> Result<StatementOutput> {
    let sync = load(context, name).await?;
    let generated = generate(context, &sync, Secrets::Masked).await?;
    let rows: Vec<Vec<String>> = generated
        .explain()
        .into_iter()
        .map(|(artifact, text)| vec![artifact, text])
        .collect();
    Ok(QueryResult::text_rows(&EXPLAIN_COLUMNS, &rows)?.into())
}

/// `DESCRIBE SYNC name`: the sync, its options by group, and each table:
/// where it goes in each sink, its key, its columns with the engine's type.
async fn describe_sync(context: &Context, name: &str) -> Result<StatementOutput> {
    let mut sync = load(context, name).await?;
    run::refresh(context, &mut sync).await;
    let plan = plan_of(&sync)?;
    let options = typed_options(&sync)?;
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut property = |name: &str, value: String| {
        rows.push(["sync".into(), name.into(), value]);
    };
    property("name", sync.name.clone());
    property("source", sync.source.clone());
    property("database", plan.source.database.clone().unwrap_or_default());
    property("tables", plan.source.patterns.join(", "));
    property("sinks", sync.sinks.join(", "));
    property("mode", sync.mode.clone());
    property("engine", sync.engine.clone());
    property("cluster", sync.cluster.clone().unwrap_or_default());
    property("state", sync.state.clone());
    property("reason", sync.reason.clone().unwrap_or_default());
    property("run_id", sync.run_id.clone().unwrap_or_default());
    property("savepoint", sync.savepoint.clone().unwrap_or_default());
    property("created_at", sync.created_at.to_rfc3339());
    property(
        "started_at",
        sync.started_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
    );
    property("comment", sync.comment.clone().unwrap_or_default());
    for (group, key, value, default) in options.grouped() {
        let value = if default {
            format!("{value} (default)")
        } else {
            value
        };
        rows.push([format!("option {group}"), key, value]);
    }
    let dialect = plan.dialect();
    for (i, table) in plan.tables.iter().enumerate() {
        let qualified = format!("{}.{}", table.schema, table.name);
        let targets: Vec<String> = plan
            .sinks
            .iter()
            .map(|sink| format!("{}: {}", sink.datasource, sink.names[i]))
            .collect();
        rows.push(["table".into(), qualified.clone(), targets.join("; ")]);
        rows.push([
            "primary key".into(),
            qualified.clone(),
            if table.primary_key.is_empty() {
                "(none)".into()
            } else {
                table.primary_key.join(", ")
            },
        ]);
        for column in &table.columns {
            let target = dialect
                .map(|d| crate::sync::types::target_type(plan.engine, d, column))
                .unwrap_or_default();
            let null = if column.nullable { "" } else { " NOT NULL" };
            rows.push([
                "column".into(),
                format!("{qualified}.{}", column.name),
                format!("{}{null} → {target}", column.source_type),
            ]);
        }
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    Ok(QueryResult::text_rows(&DESCRIBE_COLUMNS, &rows)?.into())
}

/// `SHOW SYNCS [LIKE 'pattern']`, states refreshed from the engines.
async fn show(
    context: &Context,
    state: &mut SessionState,
    show: &ShowObjects,
) -> Result<StatementOutput> {
    for mut sync in context.store.list_syncs().await? {
        run::refresh(context, &mut sync).await;
    }
    let filter = show
        .like
        .as_deref()
        .map(|p| format!(" WHERE name LIKE {}", quote_string(p)))
        .unwrap_or_default();
    Ok(state
        .engine
        .execute_sql(&format!("{SHOW_QUERY}{filter} ORDER BY name"))
        .await?
        .into())
}

/// `SHOW SYNCS` without its filter.
const SHOW_QUERY: &str = "SELECT name, \"cluster\", source, sinks, mode, engine, tables, state, \
     reason, started_at FROM scaleph.syncs";

/// `SHOW CREATE SYNC name`: the statement as it is now (options as
/// altered, secrets masked).
async fn show_create(context: &Context, describe: &DescribeObject) -> Result<StatementOutput> {
    let sync = load(context, &object_name(&describe.name)).await?;
    let mut sql = sync.statement.clone();
    if !sync.options.is_empty() {
        sql.push_str(&format!(" WITH ({})", {
            masked_options(&sync.options)
                .0
                .iter()
                .map(|o| {
                    format!(
                        "{} = {}",
                        quote_string(&o.key),
                        quote_string(&o.value.as_text())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }));
    }
    if let Some(comment) = &sync.comment {
        sql.push_str(&format!(
            ";\nCOMMENT ON SYNC {} IS {}",
            q(&ident_for(&sync.name)),
            quote_string(comment)
        ));
    }
    Ok(QueryResult::text_rows(&[super::SHOW_CREATE_COLUMN], &[vec![sql]])?.into())
}

async fn save(context: &Context, name: &str, expected: &[&str], sync: StoredSync) -> Result<()> {
    match context.store.update_sync(name, expected, sync).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::new(
            SqlState::OBJECT_IN_USE,
            format!("sync \"{name}\" changed state meanwhile; try again"),
        )),
        Err(StoreError::Duplicate { name, .. }) => Err(Error::new(
            SqlState::DUPLICATE_OBJECT,
            format!("sync \"{name}\" already exists"),
        )),
        Err(err) => Err(err.into()),
    }
}

/// `COMMENT ON SYNC name IS ...`.
async fn comment_on(context: &Context, comment: &CommentOn) -> Result<StatementOutput> {
    let name = object_name(&comment.name);
    let mut sync = load(context, &name).await?;
    let state = sync.state.clone();
    sync.comment = comment.comment.clone();
    save(context, &name, &[state.as_str()], sync).await?;
    Ok(QueryResult::command("COMMENT").into())
}

/// `ALTER SYNC name SET (...) | RESET (...)` (checked now, applied at the
/// next start) `| RENAME TO new` (while nothing runs).
async fn alter(context: &Context, alter: &AlterObject) -> Result<StatementOutput> {
    let name = object_name(&alter.name);
    let mut sync = load(context, &name).await?;
    let state = sync.state.clone();
    let active = crate::store::ACTIVE_SYNC_STATES.contains(&state.as_str());
    let output = StatementOutput::from(QueryResult::command("ALTER SYNC"));
    let mut notices = Vec::new();
    match &alter.action {
        AlterAction::Set(_) | AlterAction::Reset(_) => {
            let mut options = sync.options.clone();
            match &alter.action {
                AlterAction::Set(set) => {
                    for (key, value) in pairs(set) {
                        options.insert(key, OptionEntry::Plain(value));
                    }
                }
                AlterAction::Reset(keys) => {
                    for key in keys {
                        options.remove(key);
                    }
                }
                AlterAction::RenameTo(_)
                | AlterAction::SetFiles(_)
                | AlterAction::ResetFiles(_) => {}
            }
            let typed = SyncOptions::parse(&real_options(&options))?;
            sync.options = options
                .into_iter()
                .map(|(key, value)| {
                    let value = kept(&key, value.expose().to_string());
                    (key, value)
                })
                .collect();
            // The plan's target names follow 'table.name.pattern'.
            let mut plan = plan_of(&sync)?;
            let database = plan.source.database.clone().unwrap_or_default();
            for sink in &mut plan.sinks {
                if matches!(
                    sink.target,
                    crate::sync::plan::PlannedTarget::Database(_)
                        | crate::sync::plan::PlannedTarget::Default
                ) {
                    sink.names = plan
                        .tables
                        .iter()
                        .map(|t| typed.table_name(&t.schema, &database, &t.name))
                        .collect();
                }
            }
            sync.plan = serde_json::to_string(&plan).map_err(|e| {
                Error::new(
                    SqlState::INTERNAL_ERROR,
                    format!("the plan cannot be stored: {e}"),
                )
            })?;
            if active {
                notices.push(Notice::new(format!(
                    "sync \"{name}\" is {state}: the new options apply at its next START SYNC"
                )));
            }
        }
        AlterAction::SetFiles(_) | AlterAction::ResetFiles(_) => {
            return Err(Error::not_supported(
                "SET FILES and RESET FILES on a sync (a sync has no files)".to_string(),
            ));
        }
        AlterAction::RenameTo(new) => {
            if active {
                return Err(Error::new(
                    SqlState::OBJECT_IN_USE,
                    format!("sync \"{name}\" is {state}; stop it before renaming it"),
                ));
            }
            sync.name = object_name(new);
        }
    }
    save(context, &name, &[state.as_str()], sync).await?;
    let mut output = output;
    output.notices = notices;
    Ok(output)
}

/// `DROP SYNC [IF EXISTS] name`: refused while it runs; the job that ran
/// a FLINK_SQL sync goes with it.
async fn drop(context: &Context, drop: &DropObject) -> Result<StatementOutput> {
    let name = object_name(&drop.name);
    let output = StatementOutput::from(QueryResult::command("DROP SYNC"));
    match context.store.drop_sync(&name).await? {
        ClusterDrop::Dropped => {
            let job = run::job_name(&name);
            let mut ended = crate::store::ENDED_JOB_STATES.to_vec();
            ended.push(crate::jobs::SUSPENDED);
            let _ = context.store.drop_job(&job, &ended).await;
            Ok(output)
        }
        ClusterDrop::Missing if drop.if_exists => Ok(output.with_notice(Notice::new(format!(
            "sync \"{name}\" does not exist, skipping"
        )))),
        ClusterDrop::Missing => Err(load(context, &name).await.err().unwrap_or_else(|| {
            Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("sync \"{name}\" does not exist"),
            )
        })),
        ClusterDrop::InUse(_) => Err(Error::new(
            SqlState::OBJECT_IN_USE,
            format!("cannot drop sync \"{name}\" while it runs"),
        )
        .with_hint(format!("STOP SYNC {} first", q(&ident_for(&name))))),
    }
}

/// `START SYNC name`: generates the artifacts with the real secrets and
/// deploys them, waiting until the work runs.
async fn start(context: &Context, state: &SessionState, name: &str) -> Result<StatementOutput> {
    let mut sync = load(context, name).await?;
    run::refresh(context, &mut sync).await;
    if !STARTABLE.contains(&sync.state.as_str()) {
        return Err(Error::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!(
                "sync \"{name}\" is {}; START SYNC starts a sync that is not running",
                sync.state
            ),
        ));
    }
    let Some(cluster_name) = sync.cluster.clone() else {
        return Err(Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("sync \"{name}\" names no cluster to run on and no default cluster is configured"),
        )
        .with_hint("create it with CREATE SYNC ... ON CLUSTER c, or set [jobs] default_cluster in scaleph.toml"));
    };
    let cluster = super::cluster::load(context, &cluster_name).await?;
    let artifacts = generate(context, &sync, Secrets::Revealed).await?;
    let previous = sync.state.clone();
    let claimed = context
        .store
        .change_sync(
            name,
            &[previous.as_str()],
            SyncChange {
                state: STARTING.into(),
                reason: Some("START SYNC".into()),
                ..SyncChange::default()
            },
        )
        .await?;
    if !claimed {
        return Err(Error::new(
            SqlState::OBJECT_IN_USE,
            format!("sync \"{name}\" changed state meanwhile; try again"),
        ));
    }
    let op = operation(context, state);
    match run::start(&op, &sync, &cluster, artifacts).await {
        Ok((engine_state, run_id)) => {
            let state = if engine_state == "FINISHED" {
                run::FINISHED
            } else {
                RUNNING
            };
            context
                .store
                .change_sync(
                    name,
                    &[STARTING],
                    SyncChange {
                        state: state.into(),
                        reason: None,
                        run_id: Some(run_id.clone()),
                        savepoint: Some(None),
                        started_at: Some(chrono::Utc::now()),
                    },
                )
                .await?;
            let restored = sync
                .savepoint
                .as_deref()
                .map(|s| format!(", restored from {s}"))
                .unwrap_or_default();
            Ok(
                StatementOutput::from(QueryResult::command("START SYNC")).with_notice(Notice::new(
                    format!(
                        "sync \"{name}\" is {state} on cluster \"{}\" ({} {run_id}){restored}",
                        cluster.name,
                        match sync.engine.as_str() {
                            "SEATUNNEL" => "SeaTunnel job",
                            _ => "Flink job",
                        }
                    ),
                )),
            )
        }
        Err(err) => {
            let _ = context
                .store
                .change_sync(
                    name,
                    &[STARTING],
                    SyncChange {
                        state: previous,
                        reason: Some(format!("START SYNC failed: {}", err.message)),
                        ..SyncChange::default()
                    },
                )
                .await;
            Err(err)
        }
    }
}

/// `STOP SYNC name [WITH SAVEPOINT]`.
async fn stop(
    context: &Context,
    state: &SessionState,
    name: &str,
    with_savepoint: bool,
) -> Result<StatementOutput> {
    let mut sync = load(context, name).await?;
    run::refresh(context, &mut sync).await;
    let output = StatementOutput::from(QueryResult::command("STOP SYNC"));
    if sync.state != RUNNING {
        if with_savepoint {
            return Err(Error::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!(
                    "sync \"{name}\" is {}: there is nothing to take a savepoint of",
                    sync.state
                ),
            ));
        }
        return Ok(output.with_notice(Notice::new(format!(
            "sync \"{name}\" is {}: nothing to stop",
            sync.state
        ))));
    }
    let Some(cluster) = sync.cluster.clone() else {
        return Ok(output);
    };
    let cluster = super::cluster::load(context, &cluster).await?;
    if !context
        .store
        .change_sync(
            name,
            &[RUNNING],
            SyncChange {
                state: STOPPING.into(),
                reason: Some("STOP SYNC".into()),
                ..SyncChange::default()
            },
        )
        .await?
    {
        return Err(Error::new(
            SqlState::OBJECT_IN_USE,
            format!("sync \"{name}\" changed state meanwhile; try again"),
        ));
    }
    let op = operation(context, state);
    match run::stop(&op, &sync, &cluster, with_savepoint).await {
        Ok(savepoint) => {
            context
                .store
                .change_sync(
                    name,
                    &[STOPPING],
                    SyncChange {
                        state: STOPPED.into(),
                        reason: Some(if with_savepoint {
                            "STOP SYNC WITH SAVEPOINT".into()
                        } else {
                            "STOP SYNC".into()
                        }),
                        savepoint: Some(savepoint.clone()),
                        ..SyncChange::default()
                    },
                )
                .await?;
            Ok(match savepoint {
                Some(path) => output.with_notice(Notice::new(format!(
                    "sync \"{name}\" stopped with a savepoint ({path}); START SYNC resumes from it"
                ))),
                None => output,
            })
        }
        Err(err) => {
            let _ = context
                .store
                .change_sync(
                    name,
                    &[STOPPING],
                    SyncChange {
                        state: RUNNING.into(),
                        reason: Some(format!("STOP SYNC failed: {}", err.message)),
                        ..SyncChange::default()
                    },
                )
                .await;
            Err(err)
        }
    }
}

/// The shape of a sync statement's result.
pub async fn describe(state: &mut SessionState, statement: &SyncStatement) -> Result<Shape> {
    use SyncStatement as S;
    let schema = match statement {
        S::Object(ObjectStatement::Show(_)) => {
            return Ok(Shape::Known(state.engine.describe_sql(SHOW_QUERY).await?));
        }
        S::Object(ObjectStatement::Describe(d)) if d.show_create => {
            Some(QueryResult::text_schema(&[super::SHOW_CREATE_COLUMN]))
        }
        S::Object(ObjectStatement::Describe(_)) => {
            Some(QueryResult::text_schema(&DESCRIBE_COLUMNS))
        }
        S::Object(ObjectStatement::Command(c)) if c.command == Lifecycle::Explain => {
            Some(QueryResult::text_schema(&EXPLAIN_COLUMNS))
        }
        S::Create(_)
        | S::Object(
            ObjectStatement::Command(_)
            | ObjectStatement::Drop(_)
            | ObjectStatement::Alter(_)
            | ObjectStatement::Comment(_),
        ) => None,
    };
    Ok(Shape::rows(schema))
}

/// Runs a sync statement.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    statement: &SyncStatement,
) -> Result<StatementOutput> {
    use SyncStatement as S;
    match statement {
        S::Create(c) => create(context, c).await,
        S::Object(ObjectStatement::Show(s)) => show(context, state, s).await,
        S::Object(ObjectStatement::Describe(d)) if d.show_create => show_create(context, d).await,
        S::Object(ObjectStatement::Describe(d)) => {
            describe_sync(context, &object_name(&d.name)).await
        }
        S::Object(ObjectStatement::Comment(c)) => comment_on(context, c).await,
        S::Object(ObjectStatement::Alter(a)) => alter(context, a).await,
        S::Object(ObjectStatement::Drop(d)) => drop(context, d).await,
        S::Object(ObjectStatement::Command(c)) => command(context, state, c).await,
    }
}

async fn command(
    context: &Context,
    state: &SessionState,
    command: &ObjectCommand,
) -> Result<StatementOutput> {
    let name = object_name(&command.name);
    match command.command {
        Lifecycle::Explain => explain(context, &name).await,
        Lifecycle::Start => start(context, state, &name).await,
        Lifecycle::Stop { savepoint, .. } => stop(context, state, &name, savepoint).await,
        other => Err(Error::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("{} does not apply to a sync", other.keyword()),
        )),
    }
}
