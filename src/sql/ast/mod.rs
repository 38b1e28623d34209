//! The statements scaleph understands: one struct per extension statement
//! (each with a `Display` that prints canonical SQL which parses back to the
//! same value), plus the statements that stay in sqlparser's AST or are
//! forwarded to Flink as written.

mod common;
mod copy;
mod datasource;
mod job;
mod object;
mod schedule;
mod session;
mod sync;

pub use common::*;
pub use copy::*;
pub use datasource::*;
pub use job::*;
pub use object::*;
pub use schedule::*;
pub use session::*;
pub use sync::*;

/// One parsed statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `CREATE DATASOURCE ... TYPE t WITH (...) [FILES (...)]`.
    CreateDatasource(CreateDatasource),
    /// `SHOW DATASOURCE TYPES`.
    ShowDatasourceTypes,
    /// `DESCRIBE DATASOURCE TYPE t`.
    DescribeDatasourceType(DescribeDatasourceType),
    /// `TEST DATASOURCE TYPE t WITH (...)`.
    TestDatasourceType(TestDatasourceType),
    /// `SHOW DATABASES FROM DATASOURCE x`.
    ShowSourceDatabases(ShowSourceDatabases),
    /// `SHOW TABLES FROM DATASOURCE x [DATABASE db] [LIKE ...]`.
    ShowSourceTables(ShowSourceTables),
    /// `DESCRIBE DATASOURCE x TABLE db.t`.
    DescribeSourceTable(DescribeSourceTable),
    /// `PREVIEW DATASOURCE x TABLE db.t [LIMIT n]`.
    PreviewSourceTable(PreviewSourceTable),
    /// `CREATE SYNC ...`.
    CreateSync(CreateSync),
    /// `CREATE JOB ... AS ...`.
    CreateJob(CreateJob),
    /// `CREATE CLUSTER ... TYPE ...`.
    CreateCluster(CreateCluster),
    /// `CREATE CONNECTOR ... FROM '...'`.
    CreateConnector(CreateConnector),
    /// `CREATE SCHEDULE ... CRON ... AS (...)`.
    CreateSchedule(CreateSchedule),
    /// `SHOW <KIND>S [LIKE ...]`.
    ShowObjects(ShowObjects),
    /// `DESCRIBE <KIND> name` / `SHOW CREATE <KIND> name`.
    DescribeObject(DescribeObject),
    /// `COMMENT ON <KIND> name IS ...`.
    CommentOn(CommentOn),
    /// `DROP <KIND> [IF EXISTS] name [CASCADE]`.
    DropObject(DropObject),
    /// `ALTER <KIND> name SET|RESET|RENAME TO ...`.
    AlterObject(AlterObject),
    /// `START|STOP|SUSPEND|RESUME|SAVEPOINT|EXPLAIN|TEST <KIND> name`.
    ObjectCommand(ObjectCommand),
    /// `SHOW SAVEPOINTS FOR JOB name`.
    ShowSavepoints(ShowSavepoints),
    /// `EXECUTE SCHEDULE name [FOR ... TO ...]`.
    ExecuteSchedule(ExecuteSchedule),
    /// `SHOW RUNS [FOR SCHEDULE name] [LIMIT n]`.
    ShowRuns(ShowRuns),
    /// `[EXPLAIN] PREVIEW <statement>`.
    Preview(Preview),
    /// `COPY (query) TO STDOUT [WITH (...)]`.
    CopyTo(CopyTo),
    /// `SET name = value`, `SET name TO value`, `SET 'key' = 'value'`.
    SetVariable(SetVariable),
    /// `SHOW name`, `SHOW ALL`.
    ShowVariable(ShowVariable),
    /// `RESET name`, `RESET 'key'`, `RESET ALL`, `RESET`.
    ResetVariable(ResetVariable),
    /// `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`: accepted as
    /// no-ops so that drivers with autocommit off work.
    Transaction(TransactionCommand),
    /// A query (`SELECT`, `VALUES`, `WITH`, `EXPLAIN` of a query) in
    /// sqlparser's AST: the local engine answers it when every table it
    /// reads is scaleph's own (`scaleph.*`, `pg_catalog`,
    /// `information_schema`) or it reads none; otherwise it is Flink SQL.
    Query(Box<sqlparser::ast::Statement>),
    /// Anything else: Flink SQL, forwarded as the user wrote it.
    Flink(FlinkStatement),
}

impl Statement {
    /// The canonical SQL of an extension statement (what `SHOW CREATE`
    /// prints, and what the round-trip tests reparse); `None` for session
    /// variables, queries and Flink SQL, which keep the text as written.
    pub fn canonical_sql(&self) -> Option<String> {
        Some(match self {
            Statement::CreateDatasource(s) => s.to_string(),
            Statement::ShowDatasourceTypes => "SHOW DATASOURCE TYPES".to_string(),
            Statement::DescribeDatasourceType(s) => s.to_string(),
            Statement::TestDatasourceType(s) => s.to_string(),
            Statement::ShowSourceDatabases(s) => s.to_string(),
            Statement::ShowSourceTables(s) => s.to_string(),
            Statement::DescribeSourceTable(s) => s.to_string(),
            Statement::PreviewSourceTable(s) => s.to_string(),
            Statement::CreateSync(s) => s.to_string(),
            Statement::CreateJob(s) => s.to_string(),
            Statement::CreateCluster(s) => s.to_string(),
            Statement::CreateConnector(s) => s.to_string(),
            Statement::CreateSchedule(s) => s.to_string(),
            Statement::ShowObjects(s) => s.to_string(),
            Statement::DescribeObject(s) => s.to_string(),
            Statement::CommentOn(s) => s.to_string(),
            Statement::DropObject(s) => s.to_string(),
            Statement::AlterObject(s) => s.to_string(),
            Statement::ObjectCommand(s) => s.to_string(),
            Statement::ShowSavepoints(s) => s.to_string(),
            Statement::ExecuteSchedule(s) => s.to_string(),
            Statement::ShowRuns(s) => s.to_string(),
            Statement::Preview(s) => s.to_string(),
            Statement::CopyTo(s) => s.to_string(),
            // Savepoints keep their names only in the text as written.
            Statement::Transaction(
                TransactionCommand::Savepoint
                | TransactionCommand::Release
                | TransactionCommand::RollbackToSavepoint,
            ) => return None,
            Statement::Transaction(s) => s.to_string(),
            Statement::SetVariable(_)
            | Statement::ShowVariable(_)
            | Statement::ResetVariable(_)
            | Statement::Query(_)
            | Statement::Flink(_) => return None,
        })
    }

    /// The statement's family as users name it (`CREATE SYNC`, `STOP JOB`),
    /// for messages such as "not supported yet: CREATE SYNC".
    pub fn family(&self) -> String {
        match self {
            Statement::CreateDatasource(_) => "CREATE DATASOURCE".into(),
            Statement::ShowDatasourceTypes => "SHOW DATASOURCE TYPES".into(),
            Statement::DescribeDatasourceType(_) => "DESCRIBE DATASOURCE TYPE".into(),
            Statement::TestDatasourceType(_) => "TEST DATASOURCE TYPE".into(),
            Statement::ShowSourceDatabases(_) => "SHOW DATABASES FROM DATASOURCE".into(),
            Statement::ShowSourceTables(_) => "SHOW TABLES FROM DATASOURCE".into(),
            Statement::DescribeSourceTable(_) => "DESCRIBE DATASOURCE ... TABLE".into(),
            Statement::PreviewSourceTable(_) => "PREVIEW DATASOURCE ... TABLE".into(),
            Statement::CreateSync(_) => "CREATE SYNC".into(),
            Statement::CreateJob(_) => "CREATE JOB".into(),
            Statement::CreateCluster(_) => "CREATE CLUSTER".into(),
            Statement::CreateConnector(_) => "CREATE CONNECTOR".into(),
            Statement::CreateSchedule(_) => "CREATE SCHEDULE".into(),
            Statement::ShowObjects(s) => format!("SHOW {}", s.kind.plural()),
            Statement::DescribeObject(s) if s.show_create => format!("SHOW CREATE {}", s.kind),
            Statement::DescribeObject(s) => format!("DESCRIBE {}", s.kind),
            Statement::CommentOn(s) => format!("COMMENT ON {}", s.kind),
            Statement::DropObject(s) => format!("DROP {}", s.kind),
            Statement::AlterObject(s) => format!("ALTER {}", s.kind),
            Statement::ObjectCommand(s) => format!("{} {}", s.command.keyword(), s.kind),
            Statement::ShowSavepoints(_) => "SHOW SAVEPOINTS".into(),
            Statement::ExecuteSchedule(_) => "EXECUTE SCHEDULE".into(),
            Statement::ShowRuns(_) => "SHOW RUNS".into(),
            Statement::Preview(p) if p.explain => "EXPLAIN PREVIEW".into(),
            Statement::Preview(_) => "PREVIEW".into(),
            Statement::CopyTo(_) => "COPY".into(),
            Statement::SetVariable(_) => "SET".into(),
            Statement::ShowVariable(_) => "SHOW".into(),
            Statement::ResetVariable(_) => "RESET".into(),
            Statement::Transaction(t) => t.to_string(),
            Statement::Query(_) => "SELECT".into(),
            Statement::Flink(f) => format!("Flink {:?}", f.kind),
        }
    }
}
