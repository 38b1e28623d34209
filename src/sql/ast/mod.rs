//! The statements scaleph understands, grouped by family: one enum per
//! family (datasource, sync, job, cluster, connector, schedule, catalog and
//! jar, session variables, transactions, COPY, preview, query, Flink), one
//! struct per extension statement (each with a `Display` that prints
//! canonical SQL which parses back to the same value), plus the statements
//! that stay in sqlparser's AST or are forwarded to Flink as written.
//!
//! The family is the unit of dispatch: `crate::handler` has one module per
//! family and one exhaustive `match` over [`Statement`], so a new family
//! does not compile until it is routed.

mod catalog;
mod common;
mod copy;
mod datasource;
mod flink;
mod job;
mod object;
mod schedule;
mod session;
mod sync;

pub use catalog::*;
pub use common::*;
pub use copy::*;
pub use datasource::*;
pub use flink::*;
pub use job::*;
pub use object::*;
pub use schedule::*;
pub use session::*;
pub use sync::*;

use std::fmt;

/// One parsed statement, by family.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// Data sources: CREATE, the object statements, the type registry,
    /// connectivity tests and metadata browsing.
    Datasource(DatasourceStatement),
    /// One-click syncs.
    Sync(SyncStatement),
    /// Jobs: scripts running on a cluster.
    Job(JobStatement),
    /// Flink clusters.
    Cluster(ClusterStatement),
    /// Connector jars.
    Connector(ConnectorStatement),
    /// Cron schedules over a DAG of tasks.
    Schedule(ScheduleStatement),
    /// Flink catalogs and jars that scaleph keeps for every Flink session.
    Catalog(CatalogStatement),
    /// `SET`, `SHOW`, `RESET` of session variables.
    Variable(VariableStatement),
    /// `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, savepoints:
    /// accepted as no-ops so that drivers with autocommit off work.
    Transaction(TransactionCommand),
    /// `COPY (query) TO STDOUT [WITH (...)]`.
    CopyTo(CopyTo),
    /// `[EXPLAIN] PREVIEW <statement>`.
    Preview(Preview),
    /// A query (`SELECT`, `VALUES`, `WITH`, `EXPLAIN` of a query) in
    /// sqlparser's AST: the local engine answers it when every table it
    /// reads is scaleph's own (`scaleph.*`, `pg_catalog`,
    /// `information_schema`) or it reads none; otherwise it is Flink SQL.
    Query(Query),
    /// Anything else: Flink SQL, forwarded as the user wrote it.
    Flink(FlinkStatement),
}

/// A query sqlparser parsed, with what it is should Flink run it.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// sqlparser's AST of it.
    pub ast: Box<sqlparser::ast::Statement>,
    /// Its classification as a Flink statement.
    pub flink: FlinkStatement,
}

/// `SET`, `SHOW` and `RESET` of session variables.
#[derive(Clone, Debug, PartialEq)]
pub enum VariableStatement {
    /// `SET name = value`, `SET name TO value`, `SET 'key' = 'value'`.
    Set(SetVariable),
    /// `SHOW name`, `SHOW ALL`.
    Show(ShowVariable),
    /// `RESET name`, `RESET 'key'`, `RESET ALL`, `RESET`.
    Reset(ResetVariable),
}

impl Statement {
    /// The statement of the object family of `kind`.
    pub fn object(kind: ObjectKind, statement: ObjectStatement) -> Statement {
        match kind {
            ObjectKind::Datasource => Statement::Datasource(DatasourceStatement::Object(statement)),
            ObjectKind::Sync => Statement::Sync(SyncStatement::Object(statement)),
            ObjectKind::Job => Statement::Job(JobStatement::Object(statement)),
            ObjectKind::Cluster => Statement::Cluster(ClusterStatement::Object(statement)),
            ObjectKind::Connector => Statement::Connector(ConnectorStatement::Object(statement)),
            ObjectKind::Schedule => Statement::Schedule(ScheduleStatement::Object(statement)),
        }
    }

    /// The canonical SQL of an extension statement (what `SHOW CREATE`
    /// prints, and what the round-trip tests reparse); `None` for session
    /// variables, queries, Flink's catalog and jar statements and Flink
    /// SQL, which keep the text as written.
    pub fn canonical_sql(&self) -> Option<String> {
        Some(match self {
            Statement::Datasource(s) => s.to_string(),
            Statement::Sync(s) => s.to_string(),
            Statement::Job(s) => s.to_string(),
            Statement::Cluster(s) => s.to_string(),
            Statement::Connector(s) => s.to_string(),
            Statement::Schedule(s) => s.to_string(),
            Statement::Preview(s) => s.to_string(),
            Statement::CopyTo(s) => s.to_string(),
            // Savepoints keep their names only in the text as written.
            Statement::Transaction(
                TransactionCommand::Savepoint
                | TransactionCommand::Release
                | TransactionCommand::RollbackToSavepoint,
            ) => return None,
            Statement::Transaction(s) => s.to_string(),
            Statement::Catalog(CatalogStatement::CreateFromDatasource(s)) => s.to_string(),
            Statement::Catalog(_)
            | Statement::Variable(_)
            | Statement::Query(_)
            | Statement::Flink(_) => return None,
        })
    }

    /// The statement's family as users name it (`CREATE SYNC`, `STOP JOB`),
    /// for messages such as "not supported yet: CREATE SYNC".
    pub fn family(&self) -> String {
        match self {
            Statement::Datasource(s) => s.family(),
            Statement::Sync(SyncStatement::Object(s))
            | Statement::Job(JobStatement::Object(s))
            | Statement::Cluster(ClusterStatement::Object(s))
            | Statement::Connector(ConnectorStatement::Object(s))
            | Statement::Schedule(ScheduleStatement::Object(s)) => s.family(),
            Statement::Sync(SyncStatement::Create(_)) => "CREATE SYNC".into(),
            Statement::Job(JobStatement::Create(_)) => "CREATE JOB".into(),
            Statement::Job(JobStatement::ShowSavepoints(_)) => "SHOW SAVEPOINTS".into(),
            Statement::Cluster(ClusterStatement::Create(_)) => "CREATE CLUSTER".into(),
            Statement::Connector(ConnectorStatement::Create(_)) => "CREATE CONNECTOR".into(),
            Statement::Schedule(ScheduleStatement::Create(_)) => "CREATE SCHEDULE".into(),
            Statement::Schedule(ScheduleStatement::Execute(_)) => "EXECUTE SCHEDULE".into(),
            Statement::Schedule(ScheduleStatement::ShowRuns(_)) => "SHOW RUNS".into(),
            Statement::Catalog(s) => s.family().into(),
            Statement::Preview(p) if p.explain => "EXPLAIN PREVIEW".into(),
            Statement::Preview(_) => "PREVIEW".into(),
            Statement::CopyTo(_) => "COPY".into(),
            Statement::Variable(VariableStatement::Set(_)) => "SET".into(),
            Statement::Variable(VariableStatement::Show(_)) => "SHOW".into(),
            Statement::Variable(VariableStatement::Reset(_)) => "RESET".into(),
            Statement::Transaction(t) => t.to_string(),
            Statement::Query(_) => "SELECT".into(),
            Statement::Flink(f) => format!("Flink {:?}", f.kind),
        }
    }
}

/// `impl From<S> for Statement` for each extension statement struct: the
/// statement in its family.
macro_rules! into_family {
    ($($struct:ident => $family:ident($enum:ident::$variant:ident)),* $(,)?) => {$(
        impl From<$struct> for Statement {
            fn from(statement: $struct) -> Statement {
                Statement::$family($enum::$variant(statement))
            }
        }
    )*};
}

into_family! {
    CreateDatasource => Datasource(DatasourceStatement::Create),
    DescribeDatasourceType => Datasource(DatasourceStatement::DescribeType),
    TestDatasourceType => Datasource(DatasourceStatement::TestType),
    ShowSourceDatabases => Datasource(DatasourceStatement::ShowDatabases),
    ShowSourceTables => Datasource(DatasourceStatement::ShowTables),
    DescribeSourceTable => Datasource(DatasourceStatement::DescribeTable),
    PreviewSourceTable => Datasource(DatasourceStatement::PreviewTable),
    CreateSync => Sync(SyncStatement::Create),
    CreateJob => Job(JobStatement::Create),
    ShowSavepoints => Job(JobStatement::ShowSavepoints),
    CreateCluster => Cluster(ClusterStatement::Create),
    CreateConnector => Connector(ConnectorStatement::Create),
    CreateSchedule => Schedule(ScheduleStatement::Create),
    ExecuteSchedule => Schedule(ScheduleStatement::Execute),
    ShowRuns => Schedule(ScheduleStatement::ShowRuns),
    CreateCatalogFromDatasource => Catalog(CatalogStatement::CreateFromDatasource),
    SetVariable => Variable(VariableStatement::Set),
    ShowVariable => Variable(VariableStatement::Show),
    ResetVariable => Variable(VariableStatement::Reset),
}

/// `impl From<S> for Statement` for each object statement struct: the
/// statement in the family of its kind.
macro_rules! into_object_family {
    ($($struct:ident => $variant:ident),* $(,)?) => {$(
        impl From<$struct> for Statement {
            fn from(statement: $struct) -> Statement {
                Statement::object(statement.kind, ObjectStatement::$variant(statement))
            }
        }
    )*};
}

into_object_family! {
    ShowObjects => Show,
    DescribeObject => Describe,
    CommentOn => Comment,
    DropObject => Drop,
    AlterObject => Alter,
    ObjectCommand => Command,
}

/// Display for a family enum: its statement's canonical SQL.
macro_rules! display_family {
    ($($enum:ident { $($variant:ident),* $(,)? }),* $(,)?) => {$(
        impl fmt::Display for $enum {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $($enum::$variant(s) => s.fmt(f),)*
                }
            }
        }
    )*};
}

display_family! {
    SyncStatement { Object, Create },
    JobStatement { Object, Create, ShowSavepoints },
    ClusterStatement { Object, Create },
    ConnectorStatement { Object, Create },
    ScheduleStatement { Object, Create, Execute, ShowRuns },
}
