//! Job statements: CREATE JOB, SHOW JOBS, DESCRIBE / SHOW CREATE JOB,
//! COMMENT ON, ALTER, DROP, SUSPEND, RESUME, SAVEPOINT, STOP JOB and SHOW
//! SAVEPOINTS. The job model — script, options, states, submission and
//! the tracker — is [`crate::jobs`]'s; this module reads statements and
//! shapes their answers.
//!
//! **`SHOW JOBS` is scaleph's.** It lists scaleph's jobs with their state
//! and, as `managed = false`, every other Flink job on the registered
//! clusters. Flink's own `SHOW JOBS` (the SQL Gateway's cluster) is
//! shadowed by it; register that cluster (`CREATE CLUSTER`) to see its
//! jobs. Flink's `STOP JOB '<job id>'` — a string, not a name — is still
//! Flink's and goes to the SQL Gateway as before.

use secrecy::{ExposeSecret, SecretString};

use super::options::pairs;
use super::{SessionState, Shape, does_not_exist, object_name};
use crate::context::Context;
use crate::error::{Error, Result, SqlState};
use crate::flink::session::{DEFAULT_BUILTIN_CATALOG, job_prelude};
use crate::jobs::options::JobOptions;
use crate::jobs::run::{self, Operation, cluster_of};
use crate::jobs::{SUBMITTING, SUSPENDED, is_ended, is_live, new_flink_job_id, script};
use crate::result::{Notice, QueryResult, StatementOutput};
use crate::sql::ast::{
    AlterAction, AlterObject, CommentOn, CreateJob, DescribeObject, DropObject, JobStatement,
    Lifecycle, ObjectCommand, ObjectStatement, ShowObjects, ShowSavepoints, ident_for, q,
    quote_string,
};
use crate::store::{Job, StoreError};

/// The columns of `SHOW JOBS`.
const SHOW_COLUMNS: [&str; 7] = [
    "name",
    "cluster",
    "state",
    "flink_job_id",
    "managed",
    "started_at",
    "reason",
];

/// The columns of `DESCRIBE JOB`.
const DESCRIBE_COLUMNS: [&str; 2] = ["property", "value"];

/// The columns of `SHOW CREATE JOB`: the statement, and the script it runs.
const SHOW_CREATE_COLUMNS: [&str; 2] = [super::SHOW_CREATE_COLUMN, "script"];

/// The column of SAVEPOINT JOB, SUSPEND JOB and STOP JOB ... WITH SAVEPOINT.
const SAVEPOINT_COLUMNS: [&str; 2] = ["job", "savepoint_path"];

/// The query of `SHOW SAVEPOINTS FOR JOB name`.
fn savepoints_query(job: &str) -> String {
    format!(
        "SELECT path, kind, flink_job_id, created_at FROM scaleph.savepoints WHERE job = {} ORDER BY created_at DESC",
        quote_string(job)
    )
}

/// The job called `name`, or 42704 with the closest name.
pub async fn load(context: &Context, name: &str) -> Result<Job> {
    if let Some(job) = context.store.get_job(name).await? {
        return Ok(job);
    }
    let names: Vec<String> = match context.store.list_jobs().await {
        Ok(jobs) => jobs.into_iter().map(|j| j.name).collect(),
        Err(_) => Vec::new(),
    };
    Err(does_not_exist("job", name, &names))
}

fn operation<'a>(context: &'a Context, state: &'a SessionState) -> Operation<'a> {
    Operation {
        context,
        progress: &state.progress,
        timeout: state.vars.settings().job_submit_timeout,
    }
}

/// `CREATE JOB [IF NOT EXISTS] name [ON CLUSTER c] [WITH (...)] AS ...`.
async fn create(
    context: &Context,
    state: &SessionState,
    create: &CreateJob,
) -> Result<StatementOutput> {
    let name = object_name(&create.name);
    if crate::sync::run::is_sync_job(&name) {
        return Err(Error::new(
            SqlState::INVALID_NAME,
            format!("job names starting with \"sync:\" belong to syncs: \"{name}\""),
        )
        .with_hint("choose another name; START SYNC creates the job of a sync"));
    }
    let output = StatementOutput::from(QueryResult::command("CREATE JOB"));
    let exists = || Notice::new(format!("job \"{name}\" already exists, skipping"));
    if create.if_not_exists && context.store.get_job(&name).await?.is_some() {
        return Ok(output.with_notice(exists()));
    }
    let cluster_name = match (&create.cluster, &context.config.jobs.default_cluster) {
        (Some(cluster), _) => object_name(cluster),
        (None, Some(default)) => default.clone(),
        (None, None) => {
            return Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("job \"{name}\" names no cluster and no default cluster is configured"),
            )
            .with_hint(
                "CREATE JOB ... ON CLUSTER name, or set [jobs] default_cluster in scaleph.toml",
            ));
        }
    };
    let cluster = super::cluster::load(context, &cluster_name).await?;
    // Refused before the session is asked for anything: SeaTunnel runs syncs.
    crate::jobs::runs_flink_jobs(&context.registry, &cluster)?;
    let options = JobOptions::parse(&pairs(&create.options))?;
    let prelude = match &state.flink {
        Some(flink) => flink.job_prelude().await?,
        None => {
            job_prelude(
                context.store.as_ref(),
                context.config.flink.session_properties.clone(),
                DEFAULT_BUILTIN_CATALOG,
                None,
                &[],
            )
            .await?
        }
    };
    let body = create.body.text.trim().trim_end_matches(';').to_string();
    let script = script::assemble(&prelude, &run::cluster_settings(&cluster), &[], &body);
    let now = chrono::Utc::now();
    let job = Job {
        name: name.clone(),
        cluster: cluster.name.clone(),
        state: SUBMITTING.into(),
        reason: Some("CREATE JOB".into()),
        flink_job_id: Some(new_flink_job_id()),
        body,
        script: SecretString::from(script),
        options: options.entries,
        comment: None,
        created_at: now,
        started_at: None,
        updated_at: now,
    };
    match run::create(&operation(context, state), &cluster, job).await {
        Ok(submitted) => Ok(output.with_notice(Notice::new(format!(
            "job \"{name}\" is {} on cluster \"{}\" as Flink job {}",
            submitted.state, cluster.name, submitted.flink_job_id
        )))),
        Err(err) if err.sqlstate == SqlState::DUPLICATE_OBJECT && create.if_not_exists => {
            Ok(output.with_notice(exists()))
        }
        Err(err) => Err(err),
    }
}

/// What `SHOW JOBS` calls the SQL Gateway's cluster (its jobs come from
/// Flink's own `SHOW JOBS` in the session, not from a registered cluster).
pub const SQL_GATEWAY_CLUSTER: &str = "(sql gateway)";

/// `SHOW JOBS [LIKE 'pattern']`: scaleph's jobs, then the other Flink jobs
/// of the registered clusters and of the SQL Gateway's session
/// (`managed = false`; one that does not answer is a warning, not an
/// error).
async fn show(
    context: &Context,
    state: &mut SessionState,
    show: &ShowObjects,
) -> Result<StatementOutput> {
    let matches = |name: &str| {
        show.like
            .as_deref()
            .is_none_or(|pattern| like(pattern.as_bytes(), name.as_bytes()))
    };
    let jobs = context.store.list_jobs().await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut notices = Vec::new();
    for job in jobs.iter().filter(|j| matches(&j.name)) {
        rows.push(vec![
            job.name.clone(),
            job.cluster.clone(),
            job.state.clone(),
            job.flink_job_id.clone().unwrap_or_default(),
            "true".into(),
            job.started_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            job.reason.clone().unwrap_or_default(),
        ]);
    }
    let mut listed: std::collections::HashSet<String> =
        jobs.iter().filter_map(|j| j.flink_job_id.clone()).collect();
    // SeaTunnel clusters run syncs, not Flink jobs: nothing to list here.
    let flink_clusters = context.store.list_clusters().await?.into_iter();
    for cluster in flink_clusters.filter(|c| !crate::jobs::is_seatunnel(&context.registry, c)) {
        let answer = match crate::jobs::rest_client(&context.registry, &cluster) {
            Ok(rest) => rest.jobs_overview().await,
            Err(err) => Err(err),
        };
        match answer {
            Ok(listed_jobs) => {
                for flink in listed_jobs
                    .into_iter()
                    .filter(|f| matches(&f.name) && listed.insert(f.jid.clone()))
                {
                    rows.push(vec![
                        flink.name.clone(),
                        cluster.name.clone(),
                        crate::jobs::state_of(&flink.state).to_string(),
                        flink.jid.clone(),
                        "false".into(),
                        chrono::DateTime::from_timestamp_millis(flink.start_time)
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_default(),
                        String::new(),
                    ]);
                }
            }
            Err(err) => notices.push(Notice {
                severity: "WARNING",
                sqlstate: SqlState::WARNING,
                message: format!(
                    "cluster \"{}\" did not list its jobs: {}",
                    cluster.name, err.message
                ),
            }),
        }
    }
    if let Some(flink) = state.flink.as_mut() {
        match crate::flink::metadata::show_jobs(flink, &mut notices).await {
            Ok(gateway_jobs) => {
                for row in gateway_jobs {
                    let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
                    let (id, name) = (text(0), text(1));
                    if !matches(&name) || !listed.insert(id.clone()) {
                        continue;
                    }
                    rows.push(vec![
                        name,
                        SQL_GATEWAY_CLUSTER.into(),
                        text(2),
                        id,
                        "false".into(),
                        text(3),
                        String::new(),
                    ]);
                }
            }
            Err(err) => notices.push(Notice {
                severity: "WARNING",
                sqlstate: SqlState::WARNING,
                message: format!(
                    "the Flink SQL Gateway did not list its jobs: {}",
                    err.message
                ),
            }),
        }
    }
    let mut output = StatementOutput::from(QueryResult::text_rows(&SHOW_COLUMNS, &rows)?);
    output.notices = notices;
    Ok(output)
}

/// `DESCRIBE JOB name`: what the store knows, then what its cluster says
/// now (restarts, last checkpoint, the last failure's root cause).
async fn describe_job(context: &Context, name: &str) -> Result<StatementOutput> {
    let job = load(context, name).await?;
    let mut rows: Vec<(String, String)> = vec![
        ("name".into(), job.name.clone()),
        ("cluster".into(), job.cluster.clone()),
        ("state".into(), job.state.clone()),
        ("reason".into(), job.reason.clone().unwrap_or_default()),
        (
            "flink_job_id".into(),
            job.flink_job_id.clone().unwrap_or_default(),
        ),
        ("created_at".into(), job.created_at.to_rfc3339()),
        (
            "started_at".into(),
            job.started_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ),
        ("comment".into(), job.comment.clone().unwrap_or_default()),
    ];
    for (key, value) in JobOptions::from_entries(job.options.clone()).shown() {
        rows.push((format!("option {key}"), value));
    }
    let savepoints = context.store.list_savepoints(Some(&job.name)).await?;
    rows.push((
        "last_savepoint".into(),
        savepoints
            .last()
            .map(|s| s.path.clone())
            .unwrap_or_default(),
    ));
    if let Some(id) = job.flink_job_id.as_deref()
        && (is_live(&job.state) || job.state == "FAILED" || job.state == "FINISHED")
    {
        match live_rows(context, &job, id).await {
            Ok(live) => rows.extend(live),
            Err(err) => rows.push((
                "cluster_answer".into(),
                format!("unavailable: {}", err.message),
            )),
        }
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k, v]).collect();
    Ok(QueryResult::text_rows(&DESCRIBE_COLUMNS, &rows)?.into())
}

/// What the job's cluster says of Flink job `id` now.
async fn live_rows(context: &Context, job: &Job, id: &str) -> Result<Vec<(String, String)>> {
    let (cluster, backend) = cluster_of(context, job).await?;
    let rest = match backend {
        run::Backend::Rest(rest) => rest,
        run::Backend::Kubernetes => {
            // The operator's view: its Events of the job's resource.
            let events = crate::jobs::kubernetes::events(context, &cluster, job).await?;
            return Ok(events
                .into_iter()
                .map(|event| ("event".to_string(), event))
                .collect());
        }
    };
    let details = rest.job(id).await?;
    let mut rows = vec![
        ("flink_state".into(), details.job.state.to_string()),
        (
            "duration".into(),
            format!("{} s", details.job.duration.max(0) / 1000),
        ),
    ];
    // Flink's metric fetcher fills job metrics lazily (every 10 s): none
    // yet is an empty value, not an error.
    rows.push((
        "restarts".into(),
        rest.job_restarts(id)
            .await
            .map(|n| n.to_string())
            .unwrap_or_default(),
    ));
    if let Ok(checkpoints) = rest.checkpoints(id).await {
        let completed = checkpoints.latest.completed.as_ref();
        rows.push((
            "last_checkpoint".into(),
            completed
                .map(|c| format!("#{} {}", c.id, c.external_path.clone().unwrap_or_default()))
                .unwrap_or_default(),
        ));
        if let Some(restored) = &checkpoints.latest.restored {
            rows.push((
                "restored_from".into(),
                restored.external_path.clone().unwrap_or_default(),
            ));
        }
    }
    if let Ok(exceptions) = rest.job_exceptions(id).await
        && let Some(last) = exceptions.first()
    {
        rows.push(("last_failure".into(), last.failure().message));
    }
    Ok(rows)
}

/// `SHOW CREATE JOB name`: the CREATE JOB as it is now (options as
/// altered), and the script it runs — both with secrets masked.
async fn show_create(context: &Context, describe: &DescribeObject) -> Result<StatementOutput> {
    let job = load(context, &object_name(&describe.name)).await?;
    let options = JobOptions::from_entries(job.options.clone()).shown();
    let with = if options.is_empty() {
        String::new()
    } else {
        format!(
            " WITH ({})",
            options
                .iter()
                .map(|(k, v)| format!("{} = {}", quote_string(k), quote_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut sql = format!(
        "CREATE JOB {} ON CLUSTER {}{with} AS\n{}",
        q(&ident_for(&job.name)),
        q(&ident_for(&job.cluster)),
        crate::sql::mask::redact(&job.body)
    );
    if let Some(comment) = &job.comment {
        sql.push_str(&format!(
            ";\nCOMMENT ON JOB {} IS {}",
            q(&ident_for(&job.name)),
            quote_string(comment)
        ));
    }
    let script = crate::sql::mask::redact(job.script.expose_secret());
    Ok(QueryResult::text_rows(&SHOW_CREATE_COLUMNS, &[vec![sql, script]])?.into())
}

/// `COMMENT ON JOB name IS ...`.
async fn comment_on(context: &Context, comment: &CommentOn) -> Result<StatementOutput> {
    let name = object_name(&comment.name);
    let mut job = load(context, &name).await?;
    job.comment = comment.comment.clone();
    save(context, &name, job).await?;
    Ok(QueryResult::command("COMMENT").into())
}

async fn save(context: &Context, name: &str, job: Job) -> Result<()> {
    match context.store.update_job(name, job).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(does_not_exist("job", name, &[])),
        Err(StoreError::Duplicate { name, .. }) => Err(Error::new(
            SqlState::DUPLICATE_OBJECT,
            format!("job \"{name}\" already exists"),
        )),
        Err(err) => Err(err.into()),
    }
}

/// `ALTER JOB name SET (...) | RESET (...) | RENAME TO new`: options take
/// effect at the next submission (RESUME JOB), said in a notice when the
/// job runs now.
async fn alter(
    context: &Context,
    state: &SessionState,
    alter: &AlterObject,
) -> Result<StatementOutput> {
    let name = object_name(&alter.name);
    let mut job = load(context, &name).await?;
    let live = is_live(&job.state) || crate::jobs::TRANSITIONAL.contains(&job.state.as_str());
    let mut changed_options = false;
    match &alter.action {
        AlterAction::Set(options) => {
            let parsed = JobOptions::parse(&pairs(options))?;
            if live {
                for key in parsed.entries.keys() {
                    JobOptions::check_mutable(key, &name)?;
                }
            }
            job.options.extend(parsed.entries);
            changed_options = true;
        }
        AlterAction::Reset(keys) => {
            for key in keys {
                let key = key.trim().to_ascii_lowercase();
                if live {
                    JobOptions::check_mutable(&key, &name)?;
                }
                job.options.remove(&key);
            }
            changed_options = true;
        }
        AlterAction::RenameTo(new) => job.name = object_name(new),
        // The parser gives jobs no FILES in ALTER.
        AlterAction::SetFiles(_) | AlterAction::ResetFiles(_) => {
            return Err(super::not_supported_yet(&alter.to_string()));
        }
    }
    save(context, &name, job.clone()).await?;
    let output = StatementOutput::from(QueryResult::command("ALTER JOB"));
    // On Kubernetes a running job is upgraded now, by the operator.
    if changed_options && let Some(id) = run::upgrade(&operation(context, state), &job).await? {
        return Ok(output.with_notice(Notice::new(format!(
            "job \"{name}\" was upgraded by the operator and runs as Flink job {id}"
        ))));
    }
    Ok(if changed_options && live {
        output.with_notice(Notice::new(format!(
            "job \"{name}\" runs with its old options until it is submitted again: SUSPEND JOB {name}; RESUME JOB {name} applies them"
        )))
    } else {
        output
    })
}

/// `DROP JOB [IF EXISTS] name`: refused (55006) while it runs; its
/// savepoints' files stay where Flink wrote them.
async fn drop(context: &Context, drop: &DropObject) -> Result<StatementOutput> {
    let name = object_name(&drop.name);
    if let Some(sync) = name.strip_prefix("sync:")
        && context.store.get_sync(sync).await?.is_some()
    {
        return Err(Error::new(
            SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
            format!("job \"{name}\" runs sync \"{sync}\""),
        )
        .with_hint(format!("DROP SYNC {} drops it", q(&ident_for(sync)))));
    }
    let output = StatementOutput::from(QueryResult::command("DROP JOB"));
    let job = match context.store.get_job(&name).await? {
        Some(job) => job,
        None if drop.if_exists => {
            return Ok(output.with_notice(Notice::new(format!(
                "job \"{name}\" does not exist, skipping"
            ))));
        }
        None => {
            return Err(load(context, &name)
                .await
                .err()
                .unwrap_or_else(|| does_not_exist("job", &name, &[])));
        }
    };
    let droppable: Vec<&str> = crate::store::ENDED_JOB_STATES
        .iter()
        .copied()
        .chain([SUSPENDED])
        .collect();
    if !(is_ended(&job.state) || job.state == SUSPENDED)
        || !context.store.drop_job(&name, &droppable).await?
    {
        return Err(Error::new(
            SqlState::OBJECT_IN_USE,
            format!("cannot drop job \"{name}\": it is {}", job.state),
        )
        .with_hint(format!("STOP JOB {name} (or SUSPEND it) first")));
    }
    // A suspended job on Kubernetes still has its resource: it goes too.
    if let Ok(Some(cluster)) = context.store.get_cluster(&job.cluster).await
        && crate::jobs::kubernetes::is_kubernetes(&context.registry, &cluster)
        && let Err(err) = crate::jobs::kubernetes::remove(context, &cluster, &job).await
    {
        tracing::warn!(job = %name, error = %err.message, "DROP JOB: its Kubernetes resource could not be deleted");
    }
    Ok(if job.state == SUSPENDED {
        output.with_notice(Notice::new(format!(
            "job \"{name}\" was suspended: its savepoints stay where Flink wrote them ({})",
            job.reason.unwrap_or_default()
        )))
    } else {
        output
    })
}

/// SUSPEND, RESUME, SAVEPOINT and STOP JOB.
async fn command(
    context: &Context,
    state: &SessionState,
    command: &ObjectCommand,
) -> Result<StatementOutput> {
    let job = load(context, &object_name(&command.name)).await?;
    let op = operation(context, state);
    let savepoint_row = |path: String| -> Result<StatementOutput> {
        Ok(QueryResult::text_rows(&SAVEPOINT_COLUMNS, &[vec![job.name.clone(), path]])?.into())
    };
    match command.command {
        Lifecycle::Suspend => {
            let path = run::suspend(&op, &job).await?;
            savepoint_row(path)
        }
        Lifecycle::Savepoint => {
            let path = run::savepoint(&op, &job).await?;
            savepoint_row(path)
        }
        Lifecycle::Stop { savepoint, drain } => {
            let path = run::stop(&op, &job, savepoint, drain).await?;
            savepoint_row(path.unwrap_or_default())
        }
        Lifecycle::Resume => {
            let (submitted, restored) = run::resume(&op, &job).await?;
            let from = restored
                .map(|p| format!(", restored from {p}"))
                .unwrap_or_default();
            Ok(
                StatementOutput::from(QueryResult::command("RESUME JOB")).with_notice(Notice::new(
                    format!(
                        "job \"{}\" is {} as Flink job {}{from}",
                        job.name, submitted.state, submitted.flink_job_id
                    ),
                )),
            )
        }
        // The parser gives jobs no other command.
        Lifecycle::Start | Lifecycle::Explain | Lifecycle::Test => {
            Err(super::not_supported_yet(&command.to_string()))
        }
    }
}

/// The shape of a job statement's result.
pub async fn describe(state: &mut SessionState, statement: &JobStatement) -> Result<Shape> {
    use JobStatement as J;
    let schema = match statement {
        J::Object(ObjectStatement::Show(_)) => Some(QueryResult::text_schema(&SHOW_COLUMNS)),
        J::Object(ObjectStatement::Describe(d)) if d.show_create => {
            Some(QueryResult::text_schema(&SHOW_CREATE_COLUMNS))
        }
        J::Object(ObjectStatement::Describe(_)) => {
            Some(QueryResult::text_schema(&DESCRIBE_COLUMNS))
        }
        J::Object(ObjectStatement::Command(c)) if c.command != Lifecycle::Resume => {
            Some(QueryResult::text_schema(&SAVEPOINT_COLUMNS))
        }
        J::ShowSavepoints(show) => {
            let sql = savepoints_query(&object_name(&show.job));
            return Ok(Shape::Known(state.engine.describe_sql(&sql).await?));
        }
        J::Create(_)
        | J::Object(
            ObjectStatement::Command(_)
            | ObjectStatement::Drop(_)
            | ObjectStatement::Alter(_)
            | ObjectStatement::Comment(_),
        ) => None,
    };
    Ok(Shape::rows(schema))
}

/// Runs a job statement.
pub async fn execute(
    context: &Context,
    state: &mut SessionState,
    statement: &JobStatement,
) -> Result<StatementOutput> {
    use JobStatement as J;
    match statement {
        J::Create(create_job) => create(context, state, create_job).await,
        J::Object(ObjectStatement::Show(s)) => show(context, state, s).await,
        J::Object(ObjectStatement::Describe(d)) if d.show_create => show_create(context, d).await,
        J::Object(ObjectStatement::Describe(d)) => {
            describe_job(context, &object_name(&d.name)).await
        }
        J::Object(ObjectStatement::Comment(c)) => comment_on(context, c).await,
        J::Object(ObjectStatement::Alter(a)) => alter(context, state, a).await,
        J::Object(ObjectStatement::Drop(d)) => drop(context, d).await,
        J::Object(ObjectStatement::Command(c)) => command(context, state, c).await,
        J::ShowSavepoints(ShowSavepoints { job }) => {
            load(context, &object_name(job)).await?;
            Ok(state
                .engine
                .execute_sql(&savepoints_query(&object_name(job)))
                .await?
                .into())
        }
    }
}

/// SQL `LIKE`: `%` any run, `_` one character, `\\` escapes; case-sensitive
/// as in PostgreSQL.
fn like(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'%', rest)) => (0..=text.len()).any(|i| like(rest, &text[i..])),
        Some((b'_', rest)) => {
            // One character, which may be several bytes in UTF-8.
            let width = text.first().map_or(0, |b| match b.leading_ones() {
                0 => 1,
                n => n as usize,
            });
            !text.is_empty() && like(rest, &text[width.min(text.len())..])
        }
        Some((b'\\', rest)) if !rest.is_empty() => {
            text.first() == rest.first() && like(&rest[1..], &text[1..])
        }
        Some((c, rest)) => text.first() == Some(c) && like(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_as_postgresql_does() {
        for (pattern, text, expected) in [
            ("orders%", "orders_enrich", true),
            ("orders%", "Orders", false),
            ("%rich", "orders_enrich", true),
            ("o_d", "old", true),
            ("o_d", "oéd", true),
            ("a\\%", "a%", true),
            ("a\\%", "ab", false),
            ("", "", true),
        ] {
            assert_eq!(
                like(pattern.as_bytes(), text.as_bytes()),
                expected,
                "{pattern} ~ {text}"
            );
        }
    }
}
