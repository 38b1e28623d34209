//! Executes statements against a session: what each kind of statement
//! returns (docs/flink-sql-gateway-rest.md §5), the jobs INSERTs and queries start, and the error
//! chains of statements that fail.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use rand::Rng as _;

use super::catalog::{Catalogs, Path, Relation, SessionCatalogs, Stores, Table, View, validation};
use super::errors::{
    CALCITE_PARSE, FLINK_PARSE, ILLEGAL_ARGUMENT, JOB_NOT_FOUND, JavaError, SQL_EXECUTION,
    SQL_PARSER, SQL_PARSER_EOF, Site, TOKEN_MGR, UNSUPPORTED,
};
use super::query::{Plan, QueryRun, plan, plan_view, validator_error};
use super::sql::{self, AlterAction, Insert, Object, Show, SqlError, Statement};
use super::types::{Column, Kind, Type};
use super::values::{Value, ltz_at};

/// Gateway configuration every session starts from.
pub const GATEWAY_DEFAULTS: &[(&str, &str)] = &[
    ("execution.target", "remote"),
    ("jobmanager.rpc.address", "localhost"),
    ("rest.port", "8081"),
];

/// A few built-in functions for SHOW FUNCTIONS.
const BUILT_IN_FUNCTIONS: &[&str] = &[
    "abs",
    "avg",
    "cast",
    "ceil",
    "char_length",
    "coalesce",
    "concat",
    "count",
    "current_date",
    "current_timestamp",
    "date_format",
    "floor",
    "from_unixtime",
    "if",
    "localtimestamp",
    "lower",
    "max",
    "min",
    "mod",
    "now",
    "power",
    "proctime",
    "regexp_replace",
    "round",
    "split_index",
    "substring",
    "sum",
    "to_timestamp",
    "trim",
    "unix_timestamp",
    "upper",
];

/// `SUCCESS` or `SUCCESS_WITH_CONTENT`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ResultKind {
    /// DDL, SET, USE...
    Success,
    /// Anything with rows.
    SuccessWithContent,
}

impl ResultKind {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            ResultKind::Success => "SUCCESS",
            ResultKind::SuccessWithContent => "SUCCESS_WITH_CONTENT",
        }
    }
}

/// A result with one page of rows (everything but queries).
#[derive(Clone, Debug)]
pub struct StaticResult {
    /// The result kind.
    pub kind: ResultKind,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows (all `INSERT`).
    pub rows: Vec<Vec<Value>>,
    /// The job id of INSERT / statement sets.
    pub job_id: Option<String>,
}

/// What executing a statement produced.
#[derive(Debug)]
pub enum Outcome {
    /// A static result.
    Static(StaticResult),
    /// A query and the id of its job.
    Query(Box<QueryRun>, String),
    /// The statement failed; the root of the cause chain.
    Failed(JavaError),
}

/// A job on the (pretend) cluster.
#[derive(Clone, Debug)]
pub struct Job {
    /// 32 lowercase hex digits.
    pub id: String,
    /// The pipeline name.
    pub name: String,
    /// When it was submitted.
    pub submitted: SystemTime,
    started: Instant,
    /// How long it runs when bounded.
    runs_for: Option<std::time::Duration>,
    /// Whether it was cancelled.
    canceled: bool,
}

impl Job {
    /// `RUNNING`, `FINISHED` or `CANCELED`.
    pub fn status(&self) -> &'static str {
        if self.canceled {
            "CANCELED"
        } else if self.runs_for.is_some_and(|d| self.started.elapsed() >= d) {
            "FINISHED"
        } else {
            "RUNNING"
        }
    }

    /// Cancels the job if it still runs.
    pub fn cancel(&mut self) {
        if self.status() == "RUNNING" {
            self.canceled = true;
        }
    }
}

/// A new random job id.
fn job_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A session's state other than its operations.
#[derive(Clone, Debug)]
pub struct SessionContext {
    /// Gateway defaults plus the properties given at open: what RESET returns to.
    pub opening_config: BTreeMap<String, String>,
    /// The effective configuration.
    pub config: BTreeMap<String, String>,
    /// The catalogs it registered.
    pub catalogs: SessionCatalogs,
    /// `ADD JAR` paths.
    pub jars: Vec<String>,
    /// Loaded modules and whether each is used.
    pub modules: Vec<(String, bool)>,
    /// The INSERTs of an open `BEGIN STATEMENT SET`.
    pub statement_set: Option<Vec<Insert>>,
}

impl SessionContext {
    /// A new session with `properties` over the gateway defaults.
    pub fn new(properties: BTreeMap<String, String>) -> SessionContext {
        let mut config: BTreeMap<String, String> = GATEWAY_DEFAULTS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        config.extend(properties);
        SessionContext {
            opening_config: config.clone(),
            config,
            catalogs: SessionCatalogs::new(),
            jars: Vec::new(),
            modules: vec![("core".into(), true)],
            statement_set: None,
        }
    }
}

/// Everything a statement runs with.
pub struct Execution<'a> {
    /// The session.
    pub session: &'a mut SessionContext,
    /// The cluster's jobs.
    pub jobs: &'a mut Vec<Job>,
    /// The stores of persistent catalogs.
    pub stores: &'a mut Stores,
    /// Session config plus the statement's `executionConfig`.
    pub config: BTreeMap<String, String>,
    /// The Flink `(major, minor)` whose grammar applies.
    pub release: (u32, u32),
}

impl Execution<'_> {
    /// The catalogs the statement sees.
    fn catalogs(&mut self) -> Catalogs<'_> {
        Catalogs {
            session: &mut self.session.catalogs,
            stores: &mut *self.stores,
        }
    }

    fn batch(&self) -> bool {
        self.config
            .get("execution.runtime-mode")
            .is_some_and(|m| m.eq_ignore_ascii_case("batch"))
    }

    fn submit(&mut self, default_name: String, runs_for: Option<std::time::Duration>) -> String {
        let id = job_id();
        let name = self
            .config
            .get("pipeline.name")
            .cloned()
            .unwrap_or(default_name);
        self.jobs.push(Job {
            id: id.clone(),
            name,
            submitted: SystemTime::now(),
            started: Instant::now(),
            runs_for,
            canceled: false,
        });
        id
    }
}

/// The cause chain of a statement the parser rejected.
pub fn parse_error(error: SqlError) -> JavaError {
    match error {
        SqlError::Parse { message, eof } => {
            let root = JavaError::new(FLINK_PARSE, message.clone(), Site::GeneratedParser).wrap(
                CALCITE_PARSE,
                message.clone(),
                Site::GeneratedParser,
            );
            if eof {
                root.wrap(SQL_PARSER_EOF, message, Site::Parser)
            } else {
                root.wrap(
                    SQL_PARSER,
                    format!("SQL parse failed. {message}"),
                    Site::Parser,
                )
            }
        }
        SqlError::Lexical(message) => {
            JavaError::new(TOKEN_MGR, message.clone(), Site::GeneratedParser)
                .wrap(CALCITE_PARSE, message.clone(), Site::GeneratedParser)
                .wrap(
                    SQL_PARSER,
                    format!("SQL parse failed. {message}"),
                    Site::Parser,
                )
        }
    }
}

/// Parses `text` as exactly one statement.
fn single_statement(text: &str, release: (u32, u32)) -> Result<Statement, JavaError> {
    let mut statements = sql::parse(text, release).map_err(parse_error)?;
    if statements.len() > 1 {
        return Err(JavaError::new(
            UNSUPPORTED,
            "Unsupported SQL statement! Execute statement only accepts a single SQL statement or multiple 'INSERT INTO' statements wrapped in a 'STATEMENT SET' block.",
            Site::Executor,
        ));
    }
    Ok(statements.remove(0))
}

/// Executes `text` (POST .../statements).
pub fn execute(exec: &mut Execution, text: &str) -> Outcome {
    match single_statement(text, exec.release).and_then(|statement| run(exec, statement)) {
        Ok(outcome) => outcome,
        Err(error) => Outcome::Failed(error),
    }
}

/// Runs `text` for configure-session: only session-configuring statements.
pub fn configure(exec: &mut Execution, text: &str) -> Result<(), JavaError> {
    let statement = single_statement(text, exec.release)?;
    if !statement.configures_session() {
        return Err(JavaError::new(
            SQL_EXECUTION,
            format!(
                "Unsupported statement for configuring session:{text}\nThe configureSession API only supports SET, RESET, CREATE, DROP, USE, ALTER, LOAD MODULE, UNLOAD MODULE and ADD JAR statements."
            ),
            Site::Executor,
        ));
    }
    match run(exec, statement)? {
        Outcome::Failed(error) => Err(error),
        _ => Ok(()),
    }
}

/// `result` = `OK`.
fn ok() -> Outcome {
    Outcome::Static(StaticResult {
        kind: ResultKind::Success,
        columns: vec![Column::new("result", Type::string())],
        rows: vec![vec![Value::Str("OK".into())]],
        job_id: None,
    })
}

/// One nullable STRING column per name, SUCCESS_WITH_CONTENT.
fn strings(names: &[&str], rows: Vec<Vec<Option<String>>>) -> Outcome {
    Outcome::Static(StaticResult {
        kind: ResultKind::SuccessWithContent,
        columns: names
            .iter()
            .map(|n| Column::new(*n, Type::string()))
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|v| v.map(Value::Str).unwrap_or(Value::Null))
                    .collect()
            })
            .collect(),
        job_id: None,
    })
}

fn run(exec: &mut Execution, statement: Statement) -> Result<Outcome, JavaError> {
    if exec.session.statement_set.is_some() {
        return match statement {
            Statement::Insert(insert) => {
                let batch = exec.batch();
                plan_insert(&exec.catalogs(), &insert, batch)?;
                exec.session
                    .statement_set
                    .as_mut()
                    .expect("checked")
                    .push(insert);
                Ok(ok())
            }
            Statement::End => {
                let inserts = exec.session.statement_set.take().unwrap_or_default();
                if inserts.is_empty() {
                    return Err(JavaError::new(
                        SQL_EXECUTION,
                        "The statement set is empty: there is nothing to submit.",
                        Site::Executor,
                    ));
                }
                submit_inserts(exec, &inserts)
            }
            _ => Err(JavaError::new(
                SQL_EXECUTION,
                "Only 'INSERT' statements can be added to a statement set; use 'END' to submit it.",
                Site::Executor,
            )),
        };
    }
    let session = &mut *exec.session;
    let mut catalogs = Catalogs {
        session: &mut session.catalogs,
        stores: &mut *exec.stores,
    };
    match statement {
        Statement::CreateTable(create) => {
            let path = catalogs.qualify(&create.name)?;
            check_table(&create)?;
            let table = Table::from_statement(&create);
            catalogs.create_relation(
                &path,
                Relation::Table(table),
                create.if_not_exists,
                "CreateTable",
            )?;
            Ok(ok())
        }
        Statement::CreateView {
            name,
            if_not_exists,
            temporary,
            query,
            text,
        } => {
            let path = catalogs.qualify(&name)?;
            plan(&catalogs, &query, false)?;
            let view = View {
                query,
                scope: catalogs.session.scope(),
                text,
                temporary,
            };
            catalogs.create_relation(&path, Relation::View(view), if_not_exists, "CreateView")?;
            Ok(ok())
        }
        Statement::CreateDatabase {
            name,
            if_not_exists,
        } => {
            let (catalog, database) = catalogs.qualify_database(&name)?;
            catalogs.create_database(&catalog, &database, if_not_exists)?;
            Ok(ok())
        }
        Statement::CreateCatalog {
            name,
            if_not_exists,
            options,
        } => {
            if !options.iter().any(|(k, _)| k == "type") {
                return Err(validation("Catalog options do not contain an option key 'type' for discovering a catalog.")
                    .wrap(super::errors::VALIDATION, super::catalog::could_not_create_catalog(&name.name, &options, if_not_exists), Site::Catalog));
            }
            catalogs.create_catalog(&name.name, &options, if_not_exists)?;
            Ok(ok())
        }
        Statement::CreateFunction {
            name,
            if_not_exists,
            system,
        } => {
            let path = catalogs.qualify(&name)?;
            catalogs.create_function(&path, system, if_not_exists)?;
            Ok(ok())
        }
        Statement::Drop {
            object,
            name,
            if_exists,
            cascade,
        } => {
            match object {
                Object::Table | Object::View => {
                    let path = catalogs.qualify(&name)?;
                    catalogs.drop_relation(&path, object == Object::View, if_exists)?;
                }
                Object::Database => {
                    let (catalog, database) = catalogs.qualify_database(&name)?;
                    catalogs.drop_database(&catalog, &database, if_exists, cascade)?;
                }
                Object::Catalog => catalogs.drop_catalog(name.last(), if_exists)?,
                Object::Function => {
                    let path = catalogs.qualify(&name)?;
                    catalogs.drop_function(&path, if_exists)?;
                }
            }
            Ok(ok())
        }
        Statement::Alter {
            object,
            name,
            if_exists,
            action,
        } => {
            alter(&mut catalogs, object, &name, if_exists, action)?;
            Ok(ok())
        }
        Statement::UseCatalog(name) => {
            catalogs.use_catalog(&name.name)?;
            Ok(ok())
        }
        Statement::UseDatabase(name) => {
            let (catalog, database) = catalogs.qualify_database(&name)?;
            catalogs.use_database(&catalog, &database)?;
            Ok(ok())
        }
        Statement::UseModules(names) => {
            for name in &names {
                if !session.modules.iter().any(|(m, _)| *m == name.name) {
                    return Err(validation(format!(
                        "No module with name '{}' exists",
                        name.name
                    )));
                }
            }
            let mut modules: Vec<(String, bool)> =
                names.iter().map(|n| (n.name.clone(), true)).collect();
            for (module, _) in &session.modules {
                if !modules.iter().any(|(m, _)| m == module) {
                    modules.push((module.clone(), false));
                }
            }
            session.modules = modules;
            Ok(ok())
        }
        Statement::LoadModule(name) => {
            if session.modules.iter().any(|(m, _)| *m == name.name) {
                return Err(validation(format!(
                    "A module with name '{}' already exists",
                    name.name
                )));
            }
            session.modules.push((name.name, true));
            Ok(ok())
        }
        Statement::UnloadModule(name) => {
            let before = session.modules.len();
            session.modules.retain(|(m, _)| *m != name.name);
            if session.modules.len() == before {
                return Err(validation(format!(
                    "No module with name '{}' exists",
                    name.name
                )));
            }
            Ok(ok())
        }
        Statement::Set(None) => {
            let rows = session
                .config
                .iter()
                .map(|(k, v)| vec![Some(k.clone()), Some(v.clone())])
                .collect();
            Ok(strings(&["key", "value"], rows))
        }
        Statement::Set(Some((key, value))) => {
            check_setting(&key, &value)?;
            session.config.insert(key, value);
            Ok(ok())
        }
        Statement::Reset(None) => {
            session.config = session.opening_config.clone();
            Ok(ok())
        }
        Statement::Reset(Some(key)) => {
            match session.opening_config.get(&key) {
                Some(value) => session.config.insert(key, value.clone()),
                None => session.config.remove(&key),
            };
            Ok(ok())
        }
        Statement::AddJar(path) => {
            if !session.jars.contains(&path) {
                session.jars.push(path);
            }
            Ok(ok())
        }
        Statement::RemoveJar => Err(JavaError::new(
            UNSUPPORTED,
            "SQL Gateway doesn't support REMOVE JAR syntax now.",
            Site::Executor,
        )),
        Statement::Show(show) => self::show(exec, show),
        Statement::Describe(name) => describe(&catalogs, &name),
        Statement::DescribeJob(id) => {
            let job = exec
                .jobs
                .iter()
                .find(|j| j.id == id)
                .ok_or_else(|| job_not_found(&id))?;
            Ok(jobs_result(std::slice::from_ref(job)))
        }
        Statement::Explain(inner) => {
            let text = explain(exec, &inner)?;
            Ok(strings(&["result"], vec![vec![Some(text)]]))
        }
        Statement::StopJob { id, savepoint } => {
            let job = exec
                .jobs
                .iter_mut()
                .find(|j| j.id == id)
                .ok_or_else(|| job_not_found(&id))?;
            if job.status() != "RUNNING" {
                return Err(JavaError::new(
                    SQL_EXECUTION,
                    format!("Could not stop job {id}: it is already {}.", job.status()),
                    Site::Cluster,
                ));
            }
            job.cancel();
            if savepoint {
                let suffix: String = id.chars().take(6).collect();
                return Ok(strings(
                    &["savepoint path"],
                    vec![vec![Some(format!(
                        "file:/tmp/flink-savepoints/savepoint-{suffix}-{}",
                        &job_id()[..12]
                    ))]],
                ));
            }
            Ok(ok())
        }
        Statement::Insert(insert) => submit_inserts(exec, std::slice::from_ref(&insert)),
        Statement::ExecuteStatementSet(inserts) => submit_inserts(exec, &inserts),
        Statement::BeginStatementSet => {
            session.statement_set = Some(Vec::new());
            Ok(ok())
        }
        Statement::End => Err(JavaError::new(
            SQL_EXECUTION,
            "No statement set to submit: 'END' must follow 'BEGIN STATEMENT SET'.",
            Site::Executor,
        )),
        Statement::Query(query) => {
            let batch = exec.batch();
            let plan = plan(&exec.catalogs(), &query, batch)?;
            let runs_for = QueryRun::ends_after(&plan);
            let id = exec.submit("collect".into(), runs_for);
            Ok(Outcome::Query(Box::new(QueryRun::new(plan, batch)), id))
        }
    }
}

/// The parameter ranges Flink's logical types accept.
fn check_type(ty: &Type) -> Result<(), JavaError> {
    match &ty.kind {
        Kind::Decimal(p, s) if !(1..=38).contains(p) => Err(validation(format!(
            "Decimal precision must be between 1 and 38 (both inclusive), but was {p}."
        ))),
        Kind::Decimal(p, s) if s > p => Err(validation(format!(
            "Decimal scale must be between 0 and the precision {p} (both inclusive), but was {s}."
        ))),
        Kind::Time(p) | Kind::Timestamp(p) | Kind::TimestampLtz(p) if *p > 9 => Err(validation(
            format!("Precision must be between 0 and 9 (both inclusive), but was {p}."),
        )),
        Kind::Char(0) | Kind::Varchar(0) | Kind::Binary(0) | Kind::Varbinary(0) => Err(validation(
            "Length must be between 1 and 2147483647 (both inclusive).",
        )),
        Kind::Array(element) | Kind::Multiset(element) => check_type(element),
        Kind::Map(key, value) => check_type(key).and(check_type(value)),
        Kind::Row(fields) => fields.iter().try_for_each(|(_, t)| check_type(t)),
        _ => Ok(()),
    }
}

/// Schema checks of CREATE TABLE: valid types, unique columns, known key
/// and watermark columns.
fn check_table(create: &sql::CreateTable) -> Result<(), JavaError> {
    for column in &create.columns {
        check_type(&column.ty)?;
    }
    let names: Vec<&str> = create.columns.iter().map(|c| c.name.as_str()).collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(validation(format!(
                "A column named '{name}' already exists in the table."
            )));
        }
    }
    for key in &create.primary_key {
        if !names.contains(&key.as_str()) {
            return Err(validation(format!(
                "Invalid primary key. Column '{key}' does not exist."
            )));
        }
    }
    for (column, _) in &create.watermarks {
        if !names.contains(&column.as_str()) {
            return Err(validation(format!(
                "The rowtime attribute field '{column}' is not defined in the table schema, at line 1 column 1\nAvailable fields: [{}]",
                names
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// The checks Flink applies to a few well-known keys on SET.
fn check_setting(key: &str, value: &str) -> Result<(), JavaError> {
    let allowed: &[&str] = match key {
        "table.sql-dialect" => {
            if ["default", "hive"].contains(&value.to_ascii_lowercase().as_str()) {
                return Ok(());
            }
            return Err(JavaError::new(
                ILLEGAL_ARGUMENT,
                format!(
                    "No enum constant org.apache.flink.table.api.SqlDialect.{}",
                    value.to_ascii_uppercase()
                ),
                Site::Executor,
            ));
        }
        "execution.runtime-mode" => &["streaming", "batch", "automatic"],
        _ => return Ok(()),
    };
    if allowed.contains(&value.to_ascii_lowercase().as_str()) {
        Ok(())
    } else {
        Err(JavaError::new(
            ILLEGAL_ARGUMENT,
            format!("Could not parse value '{value}' for key '{key}'."),
            Site::Executor,
        ))
    }
}

fn job_not_found(id: &str) -> JavaError {
    JavaError::new(
        JOB_NOT_FOUND,
        format!("Could not find Flink job ({id})"),
        Site::Cluster,
    )
    .wrap(
        SQL_EXECUTION,
        format!("Could not find the job {id} on the cluster."),
        Site::Executor,
    )
}

fn alter(
    catalogs: &mut Catalogs,
    object: Object,
    name: &sql::Name,
    if_exists: bool,
    action: AlterAction,
) -> Result<(), JavaError> {
    match object {
        Object::Table | Object::View => {
            let path = catalogs.qualify(name)?;
            let view = object == Object::View;
            let relation = match catalogs.relation_mut(&path, view) {
                Ok(relation) => relation,
                Err(_) if if_exists => return Ok(()),
                Err(e) => return Err(e),
            };
            match action {
                AlterAction::Rename(to) => {
                    let to = catalogs.qualify(&to)?;
                    catalogs.rename(&path, &to)?;
                }
                AlterAction::SetOptions(options) => {
                    if let Relation::Table(table) = relation {
                        for (key, value) in options {
                            match table.options.iter_mut().find(|(k, _)| *k == key) {
                                Some(entry) => entry.1 = value,
                                None => table.options.push((key, value)),
                            }
                        }
                    }
                }
                AlterAction::ResetOptions(keys) => {
                    if let Relation::Table(table) = relation {
                        table.options.retain(|(k, _)| !keys.contains(k));
                    }
                }
                AlterAction::Other => {}
            }
        }
        Object::Database => {
            let (catalog, database) = catalogs.qualify_database(name)?;
            let path = Path {
                catalog,
                database,
                object: String::new(),
            };
            if let Err(e) = catalogs.database(&path)
                && !if_exists
            {
                return Err(e);
            }
        }
        Object::Catalog => {
            if catalogs.catalog(name.last()).is_none() && !if_exists {
                return Err(validation(format!(
                    "Catalog {} does not exist.",
                    name.last()
                )));
            }
        }
        Object::Function => {
            let path = catalogs.qualify(name)?;
            let exists = catalogs
                .database(&path)
                .map(|db| db.functions.contains(&path.object))
                .unwrap_or(false);
            if !exists && !if_exists {
                return Err(validation(format!(
                    "Function with identifier '{}' does not exist.",
                    path.dotted()
                )));
            }
        }
    }
    Ok(())
}

/// SHOW TABLES (tables and views, as Flink lists them) or SHOW VIEWS of
/// a database, filtered by LIKE.
fn relations(
    catalogs: &Catalogs,
    from: Option<sql::Name>,
    like: sql::LikeFilter,
    views_only: bool,
) -> Result<Outcome, JavaError> {
    let (catalog, database) = match &from {
        Some(name) => catalogs.qualify_database(name)?,
        None => (
            catalogs.session.current_catalog.clone(),
            catalogs.session.current_database.clone(),
        ),
    };
    let names = catalogs
        .relation_names(&catalog, &database, views_only)
        .map_err(|_| validation(format!("Database '{catalog}'.'{database}' doesn't exist.")))?;
    let names = names
        .into_iter()
        .filter(|n| {
            like.as_ref()
                .is_none_or(|(not, pattern)| like_matches(pattern, n) != *not)
        })
        .map(|n| vec![Some(n)])
        .collect();
    let column = if views_only {
        "view name"
    } else {
        "table name"
    };
    Ok(strings(&[column], names))
}

fn show(exec: &mut Execution, show: Show) -> Result<Outcome, JavaError> {
    let catalogs = &Catalogs {
        session: &mut exec.session.catalogs,
        stores: &mut *exec.stores,
    };
    let column = |name: &str, values: Vec<String>| {
        strings(&[name], values.into_iter().map(|v| vec![Some(v)]).collect())
    };
    Ok(match show {
        Show::Catalogs => column(
            "catalog name",
            catalogs.session.catalogs.keys().cloned().collect(),
        ),
        Show::CurrentCatalog => column(
            "current catalog name",
            vec![catalogs.session.current_catalog.clone()],
        ),
        Show::CurrentDatabase => column(
            "current database name",
            vec![catalogs.session.current_database.clone()],
        ),
        Show::Databases(from) => {
            let catalog = from
                .map(|c| c.name)
                .unwrap_or_else(|| catalogs.session.current_catalog.clone());
            let cat = catalogs
                .catalog(&catalog)
                .ok_or_else(|| validation(format!("Catalog {catalog} does not exist")))?;
            column("database name", cat.databases.keys().cloned().collect())
        }
        Show::Tables(from, like) => relations(catalogs, from, like, false)?,
        Show::Views(from, like) => relations(catalogs, from, like, true)?,
        Show::Functions(user_only) => {
            let path = Path {
                catalog: catalogs.session.current_catalog.clone(),
                database: catalogs.session.current_database.clone(),
                object: String::new(),
            };
            let mut names: Vec<String> =
                catalogs.session.system_functions.iter().cloned().collect();
            names.extend(
                catalogs
                    .database(&path)
                    .map(|db| db.functions.iter().cloned().collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
            if !user_only {
                names.extend(BUILT_IN_FUNCTIONS.iter().map(|f| f.to_string()));
            }
            names.sort();
            names.dedup();
            column("function name", names)
        }
        Show::Modules(full) => {
            if full {
                Outcome::Static(StaticResult {
                    kind: ResultKind::SuccessWithContent,
                    columns: vec![
                        Column::new("module name", Type::string()),
                        Column::new("used", Type::nullable(Kind::Boolean)),
                    ],
                    rows: exec
                        .session
                        .modules
                        .iter()
                        .map(|(m, used)| vec![Value::Str(m.clone()), Value::Bool(*used)])
                        .collect(),
                    job_id: None,
                })
            } else {
                column(
                    "module name",
                    exec.session
                        .modules
                        .iter()
                        .filter(|(_, used)| *used)
                        .map(|(m, _)| m.clone())
                        .collect(),
                )
            }
        }
        Show::Jars => column("jars", exec.session.jars.clone()),
        Show::Jobs => jobs_result(exec.jobs),
        Show::Create(object, name) => {
            let path = catalogs.qualify(&name)?;
            let text = match (object, catalogs.relation(&path)) {
                (Object::Table, Some(Relation::Table(table))) => show_create_table(&path, table),
                (Object::View, Some(Relation::View(view))) => {
                    let columns = plan_view(catalogs, view, false)?.columns;
                    let names: Vec<String> =
                        columns.iter().map(|c| format!("`{}`", c.name)).collect();
                    let temporary = if view.temporary { "TEMPORARY " } else { "" };
                    format!(
                        "CREATE {temporary}VIEW {}({})\nAS {}\n",
                        path.quoted(),
                        names.join(", "),
                        view.text
                    )
                }
                (Object::Table, _) => {
                    return Err(validation(format!(
                        "Could not execute SHOW CREATE TABLE. Table with identifier {} does not exist.",
                        path.quoted()
                    )));
                }
                _ => {
                    return Err(validation(format!(
                        "Could not execute SHOW CREATE VIEW. View with identifier {} does not exist.",
                        path.quoted()
                    )));
                }
            };
            column("result", vec![text])
        }
        Show::Columns(name) => return describe(catalogs, &name),
    })
}

/// `LIKE` with `%` and `_`.
fn like_matches(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some(('_', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    go(
        &pattern.chars().collect::<Vec<_>>(),
        &text.chars().collect::<Vec<_>>(),
    )
}

/// SHOW JOBS / DESCRIBE JOB rows.
fn jobs_result(jobs: &[Job]) -> Outcome {
    Outcome::Static(StaticResult {
        kind: ResultKind::SuccessWithContent,
        columns: vec![
            Column::new("job id", Type::string()),
            Column::new("job name", Type::string()),
            Column::new("status", Type::string()),
            Column::new("start time", Type::nullable(Kind::TimestampLtz(6))),
        ],
        rows: jobs
            .iter()
            .map(|j| {
                vec![
                    Value::Str(j.id.clone()),
                    Value::Str(j.name.clone()),
                    Value::Str(j.status().into()),
                    ltz_at(j.submitted, 6),
                ]
            })
            .collect(),
        job_id: None,
    })
}

/// DESCRIBE: `name`, `type`, `null`, `key`, `extras`, `watermark`.
fn describe(catalogs: &Catalogs, name: &sql::Name) -> Result<Outcome, JavaError> {
    let path = catalogs.qualify(name)?;
    let string = Type::string();
    let columns = vec![
        Column::new("name", string.clone()),
        Column::new("type", string.clone()),
        Column::new("null", Type::nullable(Kind::Boolean)),
        Column::new("key", string.clone()),
        Column::new("extras", string.clone()),
        Column::new("watermark", string),
    ];
    let text = |s: &str| Value::Str(s.to_string());
    let rows = match catalogs.relation(&path) {
        Some(Relation::Table(table)) => table
            .columns
            .iter()
            .map(|c| {
                let watermark = table.watermarks.iter().find(|(w, _)| *w == c.name);
                let ty = if watermark.is_some() {
                    format!("{} *ROWTIME*", c.ty.summary())
                } else {
                    c.ty.summary()
                };
                let key = if table.primary_key.contains(&c.name) {
                    text(&format!("PRI({})", table.primary_key.join(", ")))
                } else {
                    Value::Null
                };
                let extras = if c.proctime {
                    text("AS PROCTIME()")
                } else {
                    Value::Null
                };
                vec![
                    text(&c.name),
                    text(&ty),
                    Value::Bool(c.ty.nullable),
                    key,
                    extras,
                    watermark.map(|(_, w)| text(w)).unwrap_or(Value::Null),
                ]
            })
            .collect(),
        Some(Relation::View(view)) => plan_view(catalogs, view, false)?
            .columns
            .iter()
            .map(|c| {
                vec![
                    text(&c.name),
                    text(&c.ty.summary()),
                    Value::Bool(c.ty.nullable),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect(),
        None => {
            return Err(validation(format!(
                "Tables or views with the identifier '{}' doesn't exist.",
                path.dotted()
            )));
        }
    };
    Ok(Outcome::Static(StaticResult {
        kind: ResultKind::SuccessWithContent,
        columns,
        rows,
        job_id: None,
    }))
}

/// SHOW CREATE TABLE text.
fn show_create_table(path: &Path, table: &Table) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            if c.proctime {
                format!("  `{}` AS PROCTIME()", c.name)
            } else {
                let comment = c
                    .comment
                    .as_ref()
                    .map(|x| format!(" COMMENT '{}'", x.replace('\'', "''")))
                    .unwrap_or_default();
                format!("  `{}` {}{comment}", c.name, c.ty.serializable())
            }
        })
        .collect();
    for (column, expr) in &table.watermarks {
        lines.push(format!("  WATERMARK FOR `{column}` AS {expr}"));
    }
    if !table.primary_key.is_empty() {
        let keys: Vec<String> = table.primary_key.iter().map(|k| format!("`{k}`")).collect();
        lines.push(format!(
            "  CONSTRAINT `PK_{}` PRIMARY KEY ({}) NOT ENFORCED",
            table.primary_key.join("_"),
            keys.join(", ")
        ));
    }
    let mut text = format!(
        "CREATE {}TABLE {} (\n{}\n)",
        if table.temporary { "TEMPORARY " } else { "" },
        path.quoted(),
        lines.join(",\n")
    );
    if let Some(comment) = &table.comment {
        text.push_str(&format!("\nCOMMENT '{}'", comment.replace('\'', "''")));
    }
    if !table.partitioned_by.is_empty() {
        let keys: Vec<String> = table
            .partitioned_by
            .iter()
            .map(|k| format!("`{k}`"))
            .collect();
        text.push_str(&format!("\nPARTITIONED BY ({})", keys.join(", ")));
    }
    let options: Vec<String> = table
        .options
        .iter()
        .map(|(k, v)| {
            format!(
                "  '{}' = '{}'",
                k.replace('\'', "''"),
                v.replace('\'', "''")
            )
        })
        .collect();
    text.push_str(&format!("\nWITH (\n{}\n)\n", options.join(",\n")));
    text
}

/// Validates an INSERT: the sink exists, the source plans, the widths match.
fn plan_insert(
    catalogs: &Catalogs,
    insert: &Insert,
    batch: bool,
) -> Result<(Path, Plan), JavaError> {
    let path = catalogs.qualify(&insert.target)?;
    let table = match catalogs.relation(&path) {
        Some(Relation::Table(table)) => table,
        Some(Relation::View(_)) => {
            return Err(validation(format!(
                "The view {} cannot be written: only tables are sinks.",
                path.quoted()
            )));
        }
        None => {
            return Err(validator_error(
                insert.target.span(),
                format!("Object '{}' not found", insert.target.last()),
            ));
        }
    };
    for column in &insert.columns {
        if !table.columns.iter().any(|c| c.name == column.name) {
            return Err(validator_error(
                column.span,
                format!("Unknown target column '{}'", column.name),
            ));
        }
    }
    let plan = plan(catalogs, &insert.source, batch)?;
    let width = if insert.columns.is_empty() {
        table.columns.iter().filter(|c| !c.proctime).count()
    } else {
        insert.columns.len()
    };
    if plan.columns.len() != width {
        return Err(validation(format!(
            "Column types of query result and sink for '{}' do not match.\nCause: Different number of columns.",
            path.dotted()
        )));
    }
    Ok((path, plan))
}

/// INSERT / statement set: one job, its id as the result.
fn submit_inserts(exec: &mut Execution, inserts: &[Insert]) -> Result<Outcome, JavaError> {
    let batch = exec.batch();
    let mut sinks = Vec::new();
    let mut runs_for = Some(std::time::Duration::ZERO);
    for insert in inserts {
        let (path, plan) = plan_insert(&exec.catalogs(), insert, batch)?;
        sinks.push(path.dotted());
        runs_for = match (runs_for, QueryRun::ends_after(&plan)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    let id = exec.submit(format!("insert-into_{}", sinks.join(",")), runs_for);
    Ok(Outcome::Static(StaticResult {
        kind: ResultKind::SuccessWithContent,
        columns: vec![Column::new("job id", Type::string())],
        rows: vec![vec![Value::Str(id.clone())]],
        job_id: Some(id),
    }))
}

/// EXPLAIN: a plan text in Flink's three sections.
fn explain(exec: &mut Execution, statement: &Statement) -> Result<String, JavaError> {
    let batch = exec.batch();
    let mut sections = Vec::new();
    let mut add = |plan: &Plan, sink: Option<&Path>| {
        let fields: Vec<&str> = plan.columns.iter().map(|c| c.name.as_str()).collect();
        let scan = match plan.tables.first() {
            Some(table) => format!(
                "TableSourceScan(table=[[{}, {}, {}]])",
                table.catalog, table.database, table.object
            ),
            None => "Values(tuples=[[...]])".to_string(),
        };
        let middle = if let Some(keys) = &plan.group_by {
            format!(
                "GroupAggregate(groupBy=[{}], select=[{}])",
                keys.len(),
                fields.join(", ")
            )
        } else {
            format!("Calc(select=[{}])", fields.join(", "))
        };
        let mut lines = Vec::new();
        if let Some(sink) = sink {
            lines.push(format!(
                "Sink(table=[{}], fields=[{}])",
                sink.dotted(),
                fields.join(", ")
            ));
        }
        lines.push(middle);
        lines.push(scan);
        let tree: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    l.clone()
                } else {
                    format!("{}+- {l}", "   ".repeat(i - 1))
                }
            })
            .collect();
        sections.push(tree.join("\n"));
    };
    match statement {
        Statement::Query(query) => add(&plan(&exec.catalogs(), query, batch)?, None),
        Statement::Insert(insert) => {
            let (path, plan) = plan_insert(&exec.catalogs(), insert, batch)?;
            add(&plan, Some(&path));
        }
        Statement::ExecuteStatementSet(inserts) => {
            for insert in inserts {
                let (path, plan) = plan_insert(&exec.catalogs(), insert, batch)?;
                add(&plan, Some(&path));
            }
        }
        _ => return Err(validation("EXPLAIN only supports queries and INSERTs.")),
    }
    let body = sections.join("\n\n");
    Ok(format!(
        "== Abstract Syntax Tree ==\n{body}\n\n== Optimized Physical Plan ==\n{body}\n\n== Optimized Execution Plan ==\n{body}\n"
    ))
}
