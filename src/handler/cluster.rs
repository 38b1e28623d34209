//! Cluster statements: CREATE (options validated against the cluster type
//! registry, `catalogs/clusters/`), ALTER, DROP, COMMENT ON, SHOW,
//! DESCRIBE, SHOW CREATE and TEST CLUSTER.
//!
//! A cluster is where jobs run. `REMOTE` is any Flink session cluster
//! reached by its REST API; `KUBERNETES_SESSION` and
//! `KUBERNETES_APPLICATION` are run by the Flink Kubernetes Operator
//! (`jobs::kubernetes`): CREATE of a session cluster returns when its
//! FlinkDeployment is READY, ALTER when the operator reconciled the new
//! spec, and a cluster whose FlinkDeployment failed is not kept.
//! `SEATUNNEL` is a SeaTunnel Zeta cluster reached by its REST API v2
//! ([`crate::seatunnel`]), where syncs with `ENGINE SEATUNNEL` run; like
//! `REMOTE` it is kept without being asked (a cluster may come up after
//! its definition), and `CREATE JOB` refuses it (42809).
//! Pod templates are attached files (`FILES (...)`, `handler::files`):
//! read once, stored, and what every FlinkDeployment carries. Secret
//! options (an auth header, a Kubernetes token) are sealed by the store,
//! masked everywhere they are shown, never in an error or a log line.
//!
//! `TEST CLUSTER` answers a row even when the cluster cannot be reached
//! (`reachable = false` and the reason in `error`): a test that finds a
//! cluster down has done its job. Statements that need the cluster to
//! run something (jobs) fail instead, with 08001 naming the cluster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::files::{attach_files, check_file_names, describe_file_rows, files_clause};
use super::object_name;
use super::options::{describe_rows, entries, masked_options, pairs};
use super::{SessionState, Shape};
use crate::catalog::{ClusterTypeSpec, Registry, TypedOptions, canonical_key};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::flink::rest::ClusterOverview;
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::seatunnel::Overview;
use crate::sql::Statement;
use crate::sql::ast::{
    AlterAction, AlterObject, ClusterStatement, ClusterType, CommentOn, CreateCluster,
    DescribeObject, DropObject, Lifecycle, ObjectStatement, ShowObjects, ident_for, q,
    quote_string,
};
use crate::store::{Cluster, ClusterDrop, StoreError};

/// The registry entry of a type named in CREATE CLUSTER, or 0A000 for a
/// type the grammar knows that is not built yet.
fn create_type(registry: &Registry, cluster_type: ClusterType) -> Result<&ClusterTypeSpec> {
    let keyword = cluster_type.keyword();
    registry
        .cluster_type(&keyword.to_ascii_lowercase())
        .ok_or_else(|| {
            Error::not_supported(format!(
                "CREATE CLUSTER ... TYPE {keyword}: the registry has no such cluster type"
            ))
        })
}

/// The registry entry of a stored cluster's type.
fn stored_type<'a>(registry: &'a Registry, cluster: &Cluster) -> Result<&'a ClusterTypeSpec> {
    registry.cluster_type(&cluster.cluster_type).ok_or_else(|| {
        Error::not_supported(format!(
            "cluster \"{}\" of type {}: the registry has no such cluster type",
            cluster.name,
            cluster.cluster_type.to_uppercase()
        ))
    })
}

/// The cluster called `name`, or 42704 with the closest existing name.
pub async fn load(context: &Context, name: &str) -> Result<Cluster> {
    match context.store.get_cluster(name).await? {
        Some(cluster) => Ok(cluster),
        None => Err(does_not_exist(context, name).await),
    }
}

/// 42704 for cluster `name`, suggesting the closest existing cluster.
async fn does_not_exist(context: &Context, name: &str) -> Error {
    let names: Vec<String> = match context.store.list_clusters().await {
        Ok(clusters) => clusters.into_iter().map(|c| c.name).collect(),
        // The suggestion is a courtesy: the error stands without it.
        Err(_) => Vec::new(),
    };
    let err = super::does_not_exist("cluster", name, &names);
    if names.is_empty() {
        return err.with_hint("there are no clusters yet: CREATE CLUSTER name TYPE REMOTE WITH ('rest.address' = 'http://host:8081')");
    }
    err
}

/// What `scaleph check` can tell about a statement without a server or a
/// store: the options of a CREATE CLUSTER pass its type's validation. A
/// type not built yet has nothing to check against; like every statement
/// not built yet, it answers 0A000 when run, and the script is fine.
pub fn check_offline(registry: &Registry, statement: &Statement) -> Result<()> {
    let Statement::Cluster(ClusterStatement::Create(create)) = statement else {
        return Ok(());
    };
    if let Ok(cluster_type) = create_type(registry, create.cluster_type) {
        cluster_type.validate(&pairs(&create.options), true)?;
        check_file_names(cluster_type, &create.files)?;
    }
    Ok(())
}

/// `CREATE CLUSTER [IF NOT EXISTS] name TYPE t WITH (...) [FILES (...)]`:
/// the files are read now, once; a Kubernetes cluster's pod templates are
/// checked (YAML or JSON, a mapping) before anything reaches Kubernetes.
pub async fn handle_create_cluster(
    context: &Context,
    progress: &crate::result::Progress,
    create: &CreateCluster,
) -> Result<StatementOutput> {
    let name = object_name(&create.name);
    let cluster_type = create_type(&context.registry, create.cluster_type)?;
    let options = entries(
        cluster_type,
        cluster_type.validate(&pairs(&create.options), true)?,
    );
    let files = attach_files(cluster_type, &create.files).await?;
    let now = chrono::Utc::now();
    let cluster = Cluster {
        name: name.clone(),
        cluster_type: cluster_type.name.clone(),
        options,
        files,
        comment: None,
        created_at: now,
        updated_at: now,
    };
    let output = StatementOutput::from(QueryResult::command("CREATE CLUSTER"));
    if cluster_type.kubernetes {
        if create.if_not_exists && context.store.get_cluster(&name).await?.is_some() {
            return Ok(output.with_notice(Notice::new(format!(
                "cluster \"{name}\" already exists, skipping"
            ))));
        }
        // The name first (two racing CREATEs: one gets 42710), then the
        // FlinkDeployment; a cluster the operator did not bring up is not
        // kept.
        context.store.create_cluster(cluster.clone()).await?;
        if let Err(err) =
            crate::jobs::kubernetes::create_cluster(&context.registry, &cluster, progress).await
        {
            let _ = context.store.drop_cluster(&name).await;
            return Err(err);
        }
        return Ok(output);
    }
    match context.store.create_cluster(cluster).await {
        Ok(()) => Ok(output),
        Err(StoreError::Duplicate { .. }) if create.if_not_exists => Ok(output.with_notice(
            Notice::new(format!("cluster \"{name}\" already exists, skipping")),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `ALTER CLUSTER name SET (...) | RESET (...) | SET FILES (...) | RESET
/// FILES (...) | RENAME TO new`: SET is validated like CREATE; RESET of a
/// required option is refused; SET FILES reads the files now, as CREATE
/// does, replacing those of the same name; SET FILES and RESET FILES
/// also drop an option of that name kept from before files replaced it.
pub async fn handle_alter_cluster(
    context: &Context,
    progress: &crate::result::Progress,
    alter: &AlterObject,
) -> Result<StatementOutput> {
    let name = object_name(&alter.name);
    let mut cluster = load(context, &name).await?;
    let before = cluster.clone();
    let cluster_type = stored_type(&context.registry, &cluster)?;
    match &alter.action {
        AlterAction::Set(options) => {
            let validated = cluster_type.validate(&pairs(options), false)?;
            cluster.options.extend(entries(cluster_type, validated));
        }
        AlterAction::Reset(keys) => {
            for key in keys {
                let spec = cluster_type
                    .option(key)
                    .ok_or_else(|| cluster_type.unknown_option(key))?;
                if spec.required {
                    return Err(Error::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!(
                            "option \"{}\" of {} is required and cannot be reset",
                            spec.name,
                            cluster_type.owner()
                        ),
                    )
                    .with_subject(key.as_str())
                    .with_hint("give it a new value with ALTER CLUSTER ... SET (...)"));
                }
                cluster.options.remove(&canonical_key(spec, key));
            }
        }
        AlterAction::SetFiles(files) => {
            for (name, file) in attach_files(cluster_type, files).await? {
                cluster.options.remove(&name);
                cluster.files.insert(name, file);
            }
        }
        AlterAction::ResetFiles(keys) => {
            for key in keys {
                let spec = cluster_type.file_spec(key)?;
                cluster.options.remove(&spec.name);
                cluster.files.remove(&spec.name);
            }
        }
        AlterAction::RenameTo(new_name) => {
            if cluster_type.kubernetes {
                return Err(Error::not_supported(
                    "ALTER CLUSTER ... RENAME TO of a Kubernetes cluster (its FlinkDeployment keeps its name)",
                ));
            }
            cluster.name = object_name(new_name)
        }
    }
    if cluster_type.kubernetes {
        // The operator reconciles the new spec before the change is kept.
        crate::jobs::kubernetes::alter_cluster(&context.registry, &before, &cluster, progress)
            .await?;
    }
    save(context, &name, cluster).await?;
    Ok(QueryResult::command("ALTER CLUSTER").into())
}

/// Writes back the cluster stored as `name`, changed now.
async fn save(context: &Context, name: &str, mut cluster: Cluster) -> Result<()> {
    cluster.updated_at = chrono::Utc::now();
    if context.store.update_cluster(name, cluster).await? {
        Ok(())
    } else {
        Err(does_not_exist(context, name).await)
    }
}

/// `COMMENT ON CLUSTER name IS '...' | NULL`.
pub async fn handle_comment_on_cluster(
    context: &Context,
    comment: &CommentOn,
) -> Result<StatementOutput> {
    let name = object_name(&comment.name);
    let mut cluster = load(context, &name).await?;
    cluster.comment = comment.comment.clone();
    save(context, &name, cluster).await?;
    Ok(QueryResult::command("COMMENT").into())
}

/// `DROP CLUSTER [IF EXISTS] name [CASCADE]`: refused (2BP01) while jobs
/// that have not ended are on it; with CASCADE they are stopped first
/// (cancelled, no savepoint; a suspended job is marked STOPPED: nothing
/// resumes it without its cluster) and keep their rows as history.
pub async fn handle_drop_cluster(
    context: &Context,
    progress: &crate::result::Progress,
    timeout: Duration,
    drop: &DropObject,
) -> Result<StatementOutput> {
    let name = object_name(&drop.name);
    let mut output = StatementOutput::from(QueryResult::command("DROP CLUSTER"));
    let stored = context.store.get_cluster(&name).await?;
    let mut outcome = context.store.drop_cluster(&name).await?;
    if let ClusterDrop::InUse(jobs) = &outcome
        && drop.cascade
    {
        let op = crate::jobs::run::Operation {
            context,
            progress,
            timeout,
        };
        for job_name in jobs {
            let Some(job) = context.store.get_job(job_name).await? else {
                continue;
            };
            crate::jobs::run::stop(&op, &job, false, false).await?;
            output = output.with_notice(Notice::new(format!(
                "drop cascades to job \"{job_name}\": stopped"
            )));
        }
        outcome = context.store.drop_cluster(&name).await?;
    }
    match outcome {
        ClusterDrop::Dropped => {
            if let Some(cluster) = &stored
                && crate::jobs::kubernetes::is_kubernetes(&context.registry, cluster)
            {
                crate::jobs::kubernetes::drop_cluster(&context.registry, cluster).await?;
            }
            Ok(output)
        }
        ClusterDrop::Missing if drop.if_exists => Ok(output.with_notice(Notice::new(format!(
            "cluster \"{name}\" does not exist, skipping"
        )))),
        ClusterDrop::Missing => Err(does_not_exist(context, &name).await),
        ClusterDrop::InUse(jobs) => Err(Error::new(
            SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
            format!(
                "cannot drop cluster \"{name}\": jobs run on it: {}",
                jobs.join(", ")
            ),
        )
        .with_hint("stop the jobs first, or DROP CLUSTER ... CASCADE to stop them")),
    }
}

/// The columns of `DESCRIBE CLUSTER name`.
const DESCRIBE_COLUMNS: [&str; 4] = ["group", "option", "value", "source"];

/// `SHOW CREATE CLUSTER name`: the canonical CREATE statement of the
/// cluster as it is now (and its COMMENT), secrets shown as `'******'`.
pub async fn handle_show_create_cluster(
    context: &Context,
    describe: &DescribeObject,
) -> Result<StatementOutput> {
    let cluster = load(context, &object_name(&describe.name)).await?;
    let cluster_type = ClusterType::KEYWORDS
        .iter()
        .find(|(keyword, _)| keyword.eq_ignore_ascii_case(&cluster.cluster_type))
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            Error::internal(format!(
                "cluster type {} has no keyword",
                cluster.cluster_type
            ))
        })?;
    let create = CreateCluster {
        if_not_exists: false,
        name: ident_for(&cluster.name),
        cluster_type,
        options: masked_options(&cluster.options),
        files: files_clause(&cluster.files),
    };
    let mut sql = create.to_string();
    if let Some(comment) = &cluster.comment {
        sql.push_str(&format!(
            ";\nCOMMENT ON CLUSTER {} IS {}",
            q(&create.name),
            quote_string(comment)
        ));
    }
    Ok(QueryResult::text_rows(&[super::SHOW_CREATE_COLUMN], &[vec![sql]])?.into())
}

/// `DESCRIBE CLUSTER name`: what it is (with whether it is
/// `jobs.default_cluster`), then every option of its type by group with
/// its value and whether it was set or is the default, then its attached
/// files (size, SHA-256, the path each was read from); secrets masked.
pub async fn handle_describe_cluster(
    context: &Context,
    describe: &DescribeObject,
) -> Result<StatementOutput> {
    let cluster = load(context, &object_name(&describe.name)).await?;
    let cluster_type = stored_type(&context.registry, &cluster)?;
    let row = |option: &str, value: String| {
        vec![
            "cluster".to_string(),
            option.to_string(),
            value,
            String::new(),
        ]
    };
    let is_default = context.config.jobs.default_cluster.as_deref() == Some(cluster.name.as_str());
    let mut rows = vec![
        row("name", cluster.name.clone()),
        row("type", cluster.cluster_type.to_uppercase()),
        row("comment", cluster.comment.clone().unwrap_or_default()),
        row("default", is_default.to_string()),
        row("created_at", cluster.created_at.to_rfc3339()),
        row("updated_at", cluster.updated_at.to_rfc3339()),
    ];
    rows.extend(describe_rows(cluster_type, &cluster.options));
    rows.extend(describe_file_rows(&cluster.files));
    Ok(QueryResult::text_rows(&DESCRIBE_COLUMNS, &rows)?.into())
}

/// `SHOW CLUSTERS [LIKE 'pattern']` as a query on `scaleph.clusters`, with
/// `is_default` marking `jobs.default_cluster` (configuration, not the
/// store, so the query carries it).
pub fn show_clusters_query(show: &ShowObjects, default_cluster: Option<&str>) -> String {
    let filter = show
        .like
        .as_ref()
        .map(|like| format!(" WHERE name LIKE {}", quote_string(like)))
        .unwrap_or_default();
    let is_default = match default_cluster {
        Some(name) => format!("name = {}", quote_string(name)),
        None => "false".to_string(),
    };
    format!(
        "SELECT name, type, rest_address, {is_default} AS is_default, comment, created_at \
         FROM scaleph.clusters{filter} ORDER BY name"
    )
}

/// The columns of `TEST CLUSTER`. A SEATUNNEL cluster answers
/// `seatunnel_version` instead of `flink_version`, and its worker nodes
/// as `taskmanagers`.
fn test_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("cluster", DataType::Utf8, false),
        Field::new("reachable", DataType::Boolean, false),
        Field::new("flink_version", DataType::Utf8, true),
        Field::new("seatunnel_version", DataType::Utf8, true),
        Field::new("taskmanagers", DataType::Int32, true),
        Field::new("slots_free", DataType::Int32, true),
        Field::new("slots_total", DataType::Int32, true),
        Field::new("jobs_running", DataType::Int32, true),
        Field::new("latency_ms", DataType::Int64, false),
        Field::new("error", DataType::Utf8, true),
    ]))
}

/// What TEST CLUSTER shows of a cluster that answered.
struct TestAnswer {
    flink_version: Option<String>,
    seatunnel_version: Option<String>,
    taskmanagers: Option<u64>,
    slots_free: Option<u64>,
    slots_total: Option<u64>,
    jobs_running: Option<u64>,
}

impl From<ClusterOverview> for TestAnswer {
    fn from(o: ClusterOverview) -> TestAnswer {
        TestAnswer {
            flink_version: Some(o.flink_version),
            seatunnel_version: None,
            taskmanagers: Some(o.taskmanagers.into()),
            slots_free: Some(o.slots_available.into()),
            slots_total: Some(o.slots_total.into()),
            jobs_running: Some(o.jobs_running.into()),
        }
    }
}

impl From<Overview> for TestAnswer {
    fn from(o: Overview) -> TestAnswer {
        TestAnswer {
            flink_version: None,
            seatunnel_version: o.version,
            taskmanagers: o.workers,
            slots_free: o.free_slots,
            slots_total: o.total_slots,
            jobs_running: o.running_jobs,
        }
    }
}

/// `TEST CLUSTER name`: one call to the cluster's REST API (Flink's
/// `GET /overview`, or the Zeta engine's for a SEATUNNEL cluster), as a
/// row.
pub async fn handle_test_cluster(
    context: &Context,
    name: &sqlparser::ast::Ident,
) -> Result<StatementOutput> {
    let cluster = load(context, &object_name(name)).await?;
    let started = Instant::now();
    let registry = &context.registry;
    let outcome: Result<TestAnswer> = if crate::jobs::kubernetes::is_kubernetes(registry, &cluster)
    {
        crate::jobs::kubernetes::test_cluster(registry, &cluster)
            .await
            .map(|(flink_version, taskmanagers, jobs_running)| TestAnswer {
                flink_version: Some(flink_version),
                taskmanagers: Some(taskmanagers.into()),
                // The operator reports no slots: 0, as TEST CLUSTER has
                // always shown for Kubernetes clusters.
                slots_free: Some(0),
                slots_total: Some(0),
                jobs_running: Some(jobs_running.into()),
                seatunnel_version: None,
            })
    } else if crate::jobs::is_seatunnel(registry, &cluster) {
        match crate::jobs::seatunnel_client(registry, &cluster) {
            Ok(rest) => rest
                .overview()
                .await
                .map(|body| Overview::from_json(&body).into()),
            Err(err) => Err(err),
        }
    } else {
        match crate::jobs::rest_client(registry, &cluster) {
            Ok(rest) => rest.cluster_overview().await.map(TestAnswer::from),
            Err(err) => Err(err),
        }
    };
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    test_row(&cluster.name, outcome, latency_ms)
}

/// The row of a TEST CLUSTER: what the cluster answered, or why it did
/// not.
fn test_row(name: &str, outcome: Result<TestAnswer>, latency_ms: i64) -> Result<StatementOutput> {
    let (answer, error) = match outcome {
        Ok(answer) => (Some(answer), None),
        Err(err) => (None, Some(err.message)),
    };
    let int = |f: fn(&TestAnswer) -> Option<u64>| -> ArrayRef {
        Arc::new(Int32Array::from(vec![
            answer
                .as_ref()
                .and_then(f)
                .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        ]))
    };
    let text = |f: fn(&TestAnswer) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from(vec![answer.as_ref().and_then(f)]))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![name])),
        Arc::new(BooleanArray::from(vec![answer.is_some()])),
        text(|a| a.flink_version.clone()),
        text(|a| a.seatunnel_version.clone()),
        int(|a| a.taskmanagers),
        int(|a| a.slots_free),
        int(|a| a.slots_total),
        int(|a| a.jobs_running),
        Arc::new(Int64Array::from(vec![latency_ms])),
        Arc::new(StringArray::from(vec![error])),
    ];
    let schema = test_schema();
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| Error::caused_by(SqlState::INTERNAL_ERROR, e))?;
    Ok(QueryResult::from_batches(schema, vec![batch]).into())
}

/// The shape of a cluster statement's result.
pub async fn describe(
    context: &Context,
    state: &mut SessionState,
    statement: &ClusterStatement,
) -> Result<Shape> {
    use ClusterStatement as C;
    let schema = match statement {
        C::Object(ObjectStatement::Show(show)) => {
            let sql = show_clusters_query(show, context.config.jobs.default_cluster.as_deref());
            return Ok(Shape::Known(state.engine.describe_sql(&sql).await?));
        }
        C::Object(ObjectStatement::Describe(d)) if d.show_create => {
            Some(QueryResult::text_schema(&[super::SHOW_CREATE_COLUMN]))
        }
        C::Object(ObjectStatement::Describe(_)) => {
            Some(QueryResult::text_schema(&DESCRIBE_COLUMNS))
        }
        C::Object(ObjectStatement::Command(_)) => Some(test_schema()),
        C::Create(_)
        | C::Object(
            ObjectStatement::Drop(_) | ObjectStatement::Alter(_) | ObjectStatement::Comment(_),
        ) => None,
    };
    Ok(Shape::rows(schema))
}

/// Runs a cluster statement.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    statement: &ClusterStatement,
) -> Result<StatementOutput> {
    use ClusterStatement as C;
    match statement {
        C::Create(create) => handle_create_cluster(context, &state.progress, create).await,
        C::Object(ObjectStatement::Show(show)) => {
            let sql = show_clusters_query(show, context.config.jobs.default_cluster.as_deref());
            Ok(state.engine.execute_sql(&sql).await?.into())
        }
        C::Object(ObjectStatement::Describe(describe)) if describe.show_create => {
            handle_show_create_cluster(context, describe).await
        }
        C::Object(ObjectStatement::Describe(describe)) => {
            handle_describe_cluster(context, describe).await
        }
        C::Object(ObjectStatement::Alter(alter)) => {
            handle_alter_cluster(context, &state.progress, alter).await
        }
        C::Object(ObjectStatement::Comment(comment)) => {
            handle_comment_on_cluster(context, comment).await
        }
        C::Object(ObjectStatement::Drop(drop)) => {
            let timeout = state.vars.settings().job_submit_timeout;
            handle_drop_cluster(context, &state.progress, timeout, drop).await
        }
        C::Object(ObjectStatement::Command(command)) => match command.command {
            Lifecycle::Test => handle_test_cluster(context, &command.name).await,
            // The parser gives clusters no other command.
            _ => Err(super::not_supported_yet(&command.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse_script;
    use crate::store::OptionEntry;

    fn statement(sql: &str) -> ClusterStatement {
        match parse_script(sql).unwrap().remove(0).statement {
            Statement::Cluster(statement) => statement,
            other => panic!("not a cluster statement: {other:?}"),
        }
    }

    async fn run(context: &Context, sql: &str) -> Result<StatementOutput> {
        match statement(sql) {
            ClusterStatement::Create(create) => {
                handle_create_cluster(context, &crate::result::Progress::default(), &create).await
            }
            ClusterStatement::Object(ObjectStatement::Drop(drop)) => {
                let progress = crate::result::Progress::default();
                handle_drop_cluster(context, &progress, Duration::from_secs(5), &drop).await
            }
            ClusterStatement::Object(ObjectStatement::Alter(alter)) => {
                handle_alter_cluster(context, &crate::result::Progress::default(), &alter).await
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn create_alter_and_drop_cluster_follow_postgresql_conventions() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::for_tests(dir.path()).await;
        run(
            &context,
            "CREATE CLUSTER Local TYPE REMOTE WITH ('rest.address' = 'http://127.0.0.1:8081/', \
             'rest.auth.secret-header' = 'Authorization: Bearer t')",
        )
        .await
        .unwrap();
        let stored = context.store.get_cluster("local").await.unwrap().unwrap();
        assert_eq!(stored.cluster_type, "remote");
        assert_eq!(
            stored.options["rest.address"].masked(),
            "http://127.0.0.1:8081"
        );
        assert!(matches!(
            stored.options["rest.auth.secret-header"],
            OptionEntry::Secret(_)
        ));
        let err = run(
            &context,
            "CREATE CLUSTER local TYPE REMOTE WITH ('rest.address' = 'http://h:8081')",
        )
        .await
        .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::DUPLICATE_OBJECT);
        let err = run(&context, "ALTER CLUSTER local RESET ('rest.address')")
            .await
            .unwrap_err();
        assert!(err.message.contains("is required"), "{}", err.message);
        run(
            &context,
            "ALTER CLUSTER local SET ('flink.parallelism.default' = '2')",
        )
        .await
        .unwrap();
        run(
            &context,
            "ALTER CLUSTER local RESET ('flink.parallelism.default', 'rest.auth.secret-header')",
        )
        .await
        .unwrap();
        let stored = context.store.get_cluster("local").await.unwrap().unwrap();
        assert_eq!(stored.options.len(), 1, "{:?}", stored.options.keys());
        let err = run(&context, "DROP CLUSTER locl").await.unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_OBJECT);
        assert!(
            err.message.ends_with("did you mean local?"),
            "{}",
            err.message
        );
        run(&context, "DROP CLUSTER local").await.unwrap();
        let ok = run(&context, "DROP CLUSTER IF EXISTS local").await.unwrap();
        assert!(ok.notices[0].message.contains("does not exist, skipping"));
    }

    #[tokio::test]
    async fn kubernetes_options_the_crd_rejects_are_refused_before_kubernetes() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::for_tests(dir.path()).await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        for (options, key) in [
            // Operator 1.15's CRD ends its flinkVersion enum at v2_2.
            ("'flink.version' = 'v2_3'", "flink.version"),
            (
                "'flink.kubernetes.cluster-id' = 'x'",
                "flink.kubernetes.cluster-id",
            ),
            ("'jobmanager.cpu' = 'lots'", "jobmanager.cpu"),
        ] {
            let err = run(
                &context,
                &format!(
                    "CREATE CLUSTER k TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = 'http://{closed}', {options})"
                ),
            )
            .await
            .unwrap_err();
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE, "{err:?}");
            assert!(
                err.message.contains(&format!("\"{key}\"")),
                "{}",
                err.message
            );
        }
        // Valid options, an API server that is not there: 08001 naming
        // the cluster, nothing kept.
        let err = run(
            &context,
            &format!("CREATE CLUSTER k TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = 'http://{closed}')"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.sqlstate,
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            "{err:?}"
        );
        assert!(err.message.contains("cluster \"k\""), "{}", err.message);
        assert!(context.store.list_clusters().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn cluster_files_are_checked_before_kubernetes_and_replace_the_old_option() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::for_tests(dir.path()).await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let list = dir.path().join("list.yaml");
        std::fs::write(&list, "- a\n").unwrap();
        // Not a mapping: refused naming the file, before the (absent) API
        // server is asked anything.
        let err = run(
            &context,
            &format!(
                "CREATE CLUSTER k TYPE KUBERNETES_SESSION WITH ('kubernetes.api-server' = 'http://{closed}') \
                 FILES ('pod.template' = '{}')",
                list.display()
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE, "{err:?}");
        assert!(
            err.message
                .starts_with("file \"pod.template\" of cluster \"k\""),
            "{}",
            err.message
        );
        assert!(context.store.list_clusters().await.unwrap().is_empty());
        let err = run(
            &context,
            "CREATE CLUSTER r TYPE REMOTE WITH ('rest.address' = 'http://h:8081') FILES ('pod.template' = '/p')",
        )
        .await
        .unwrap_err();
        assert!(err.hint.unwrap().contains("takes no files"));

        // A cluster stored with the option files replaced: refused at its
        // next deployment, until RESET FILES (or SET FILES) drops it.
        let pod = dir.path().join("pod.yaml");
        std::fs::write(&pod, "metadata: {}\n").unwrap();
        let now = chrono::Utc::now();
        let mut old = Cluster {
            name: "apps".into(),
            cluster_type: "kubernetes_application".into(),
            options: [(
                "pod.template".to_string(),
                OptionEntry::Plain(pod.display().to_string()),
            )]
            .into(),
            files: Default::default(),
            comment: None,
            created_at: now,
            updated_at: now,
        };
        context.store.create_cluster(old.clone()).await.unwrap();
        let err = run(&context, "ALTER CLUSTER apps SET ('taskmanager.slots' = 3)")
            .await
            .unwrap_err();
        assert!(
            err.hint.unwrap().contains("SET FILES ('pod.template'"),
            "{}",
            err.message
        );
        run(
            &context,
            &format!(
                "ALTER CLUSTER apps SET FILES ('pod.template' = '{}')",
                pod.display()
            ),
        )
        .await
        .unwrap();
        let stored = context.store.get_cluster("apps").await.unwrap().unwrap();
        assert!(stored.options.is_empty());
        assert_eq!(stored.files["pod.template"].size, 13);
        run(&context, "ALTER CLUSTER apps RESET FILES ('POD.TEMPLATE')")
            .await
            .unwrap();
        assert!(
            context
                .store
                .get_cluster("apps")
                .await
                .unwrap()
                .unwrap()
                .files
                .is_empty()
        );
        old.name = "apps2".into();
        context.store.create_cluster(old).await.unwrap();
        run(&context, "ALTER CLUSTER apps2 RESET FILES ('pod.template')")
            .await
            .unwrap();
        let stored = context.store.get_cluster("apps2").await.unwrap().unwrap();
        assert!(stored.options.is_empty() && stored.files.is_empty());
    }

    #[test]
    fn show_clusters_query_marks_the_default_and_escapes_the_pattern() {
        let show = ShowObjects {
            kind: crate::sql::ast::ObjectKind::Cluster,
            like: Some("o'k%".into()),
        };
        let sql = show_clusters_query(&show, Some("it's"));
        assert!(sql.contains("LIKE 'o''k%'"), "{sql}");
        assert!(sql.contains("name = 'it''s' AS is_default"), "{sql}");
        assert!(show_clusters_query(&show, None).contains("false AS is_default"));
    }
}
