//! Data source statements: the type registry, CREATE with attached files,
//! connectivity tests and browsing a source's metadata.

use std::fmt;

use sqlparser::ast::Ident;

use super::common::{Options, QualifiedName, fmt_files, fmt_if, fmt_like, fmt_with, q};
use super::object::ObjectStatement;

/// The data source family.
#[derive(Clone, Debug, PartialEq)]
pub enum DatasourceStatement {
    /// SHOW, DESCRIBE, SHOW CREATE, COMMENT ON, DROP, ALTER, TEST of a data source.
    Object(ObjectStatement),
    /// `CREATE DATASOURCE ... TYPE t WITH (...) [FILES (...)]`.
    Create(CreateDatasource),
    /// `SHOW DATASOURCE TYPES`.
    ShowTypes,
    /// `DESCRIBE DATASOURCE TYPE t`.
    DescribeType(DescribeDatasourceType),
    /// `TEST DATASOURCE TYPE t WITH (...)`.
    TestType(TestDatasourceType),
    /// `SHOW DATABASES FROM DATASOURCE x`.
    ShowDatabases(ShowSourceDatabases),
    /// `SHOW TABLES FROM DATASOURCE x [DATABASE db] [LIKE ...]`.
    ShowTables(ShowSourceTables),
    /// `DESCRIBE DATASOURCE x TABLE db.t`.
    DescribeTable(DescribeSourceTable),
    /// `PREVIEW DATASOURCE x TABLE db.t [LIMIT n]`.
    PreviewTable(PreviewSourceTable),
}

impl DatasourceStatement {
    /// The statement as users name it (`CREATE DATASOURCE`).
    pub fn family(&self) -> String {
        match self {
            DatasourceStatement::Object(s) => s.family(),
            DatasourceStatement::Create(_) => "CREATE DATASOURCE".into(),
            DatasourceStatement::ShowTypes => "SHOW DATASOURCE TYPES".into(),
            DatasourceStatement::DescribeType(_) => "DESCRIBE DATASOURCE TYPE".into(),
            DatasourceStatement::TestType(_) => "TEST DATASOURCE TYPE".into(),
            DatasourceStatement::ShowDatabases(_) => "SHOW DATABASES FROM DATASOURCE".into(),
            DatasourceStatement::ShowTables(_) => "SHOW TABLES FROM DATASOURCE".into(),
            DatasourceStatement::DescribeTable(_) => "DESCRIBE DATASOURCE ... TABLE".into(),
            DatasourceStatement::PreviewTable(_) => "PREVIEW DATASOURCE ... TABLE".into(),
        }
    }
}

impl fmt::Display for DatasourceStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasourceStatement::Object(s) => s.fmt(f),
            DatasourceStatement::Create(s) => s.fmt(f),
            DatasourceStatement::ShowTypes => f.write_str("SHOW DATASOURCE TYPES"),
            DatasourceStatement::DescribeType(s) => s.fmt(f),
            DatasourceStatement::TestType(s) => s.fmt(f),
            DatasourceStatement::ShowDatabases(s) => s.fmt(f),
            DatasourceStatement::ShowTables(s) => s.fmt(f),
            DatasourceStatement::DescribeTable(s) => s.fmt(f),
            DatasourceStatement::PreviewTable(s) => s.fmt(f),
        }
    }
}

/// `CREATE DATASOURCE [IF NOT EXISTS] name TYPE type [WITH (options)] [FILES (files)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateDatasource {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The datasource's name.
    pub name: Ident,
    /// The datasource type (`mysql`, `postgresql`, ...).
    pub datasource_type: Ident,
    /// The `WITH (...)` options, in the order written.
    pub options: Options,
    /// The `FILES (...)` attachments: file name to path, every value a string.
    pub files: Options,
}

/// `DESCRIBE DATASOURCE TYPE t`.
#[derive(Clone, Debug, PartialEq)]
pub struct DescribeDatasourceType {
    /// The type.
    pub datasource_type: Ident,
}

/// `TEST DATASOURCE TYPE t WITH (...) [FILES (...)]`: a connectivity test
/// before the datasource exists.
#[derive(Clone, Debug, PartialEq)]
pub struct TestDatasourceType {
    /// The type.
    pub datasource_type: Ident,
    /// The options, as for CREATE.
    pub options: Options,
    /// The attached files, as for CREATE.
    pub files: Options,
}

/// `SHOW DATABASES FROM DATASOURCE x`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowSourceDatabases {
    /// The datasource.
    pub datasource: Ident,
}

/// `SHOW TABLES FROM DATASOURCE x [DATABASE db] [LIKE 'pattern']`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowSourceTables {
    /// The datasource.
    pub datasource: Ident,
    /// The database (or schema) to list; the source's default when absent.
    pub database: Option<Ident>,
    /// A SQL LIKE pattern on the table name.
    pub like: Option<String>,
}

/// `DESCRIBE DATASOURCE x TABLE db.t`.
#[derive(Clone, Debug, PartialEq)]
pub struct DescribeSourceTable {
    /// The datasource.
    pub datasource: Ident,
    /// The table, qualified as the source needs it.
    pub table: QualifiedName,
}

/// `PREVIEW DATASOURCE x TABLE db.t [LIMIT n]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviewSourceTable {
    /// The datasource.
    pub datasource: Ident,
    /// The table.
    pub table: QualifiedName,
    /// How many rows at most.
    pub limit: Option<u64>,
}

impl fmt::Display for CreateDatasource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE DATASOURCE")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(f, " {} TYPE {}", q(&self.name), q(&self.datasource_type))?;
        fmt_with(f, &self.options)?;
        fmt_files(f, &self.files)
    }
}

impl fmt::Display for DescribeDatasourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DESCRIBE DATASOURCE TYPE {}", q(&self.datasource_type))
    }
}

impl fmt::Display for TestDatasourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TEST DATASOURCE TYPE {}", q(&self.datasource_type))?;
        fmt_with(f, &self.options)?;
        fmt_files(f, &self.files)
    }
}

impl fmt::Display for ShowSourceDatabases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW DATABASES FROM DATASOURCE {}", q(&self.datasource))
    }
}

impl fmt::Display for ShowSourceTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW TABLES FROM DATASOURCE {}", q(&self.datasource))?;
        if let Some(database) = &self.database {
            write!(f, " DATABASE {}", q(database))?;
        }
        fmt_like(f, &self.like)
    }
}

impl fmt::Display for DescribeSourceTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DESCRIBE DATASOURCE {} TABLE {}",
            q(&self.datasource),
            self.table
        )
    }
}

impl fmt::Display for PreviewSourceTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PREVIEW DATASOURCE {} TABLE {}",
            q(&self.datasource),
            self.table
        )?;
        if let Some(limit) = self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        Ok(())
    }
}
