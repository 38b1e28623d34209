//! Jobs, clusters, connectors and previews: the statements that run Flink.

use std::fmt;

use sqlparser::ast::Ident;

use super::common::{Options, fmt_files, fmt_if, fmt_with, q, quote_string};
use super::flink::FlinkBody;
use super::object::ObjectStatement;
use super::sync::keyword_of;

/// The job family.
#[derive(Clone, Debug, PartialEq)]
pub enum JobStatement {
    /// SHOW, DESCRIBE, DROP, ALTER, STOP, SUSPEND, RESUME, SAVEPOINT of a job.
    Object(ObjectStatement),
    /// `CREATE JOB ... AS ...`.
    Create(CreateJob),
    /// `SHOW SAVEPOINTS FOR JOB name`.
    ShowSavepoints(ShowSavepoints),
}

/// The cluster family.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterStatement {
    /// SHOW, DESCRIBE, SHOW CREATE, COMMENT ON, DROP, ALTER, TEST of a cluster.
    Object(ObjectStatement),
    /// `CREATE CLUSTER ... TYPE ...`.
    Create(CreateCluster),
}

/// The connector family.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectorStatement {
    /// SHOW, DESCRIBE, DROP, ALTER of a connector.
    Object(ObjectStatement),
    /// `CREATE CONNECTOR ... FROM '...'`.
    Create(CreateConnector),
}

/// `CREATE JOB [IF NOT EXISTS] name [ON CLUSTER c] [WITH (...)] AS <body>`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateJob {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The job's name.
    pub name: Ident,
    /// The session cluster to run on; an application deployment when absent.
    pub cluster: Option<Ident>,
    /// The `WITH (...)` options (parallelism, upgrade mode, Flink configuration).
    pub options: Options,
    /// What the job runs: an `INSERT` or a statement set.
    pub body: FlinkBody,
}

/// `CREATE CLUSTER [IF NOT EXISTS] name TYPE t [WITH (...)] [FILES (...)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateCluster {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The cluster's name.
    pub name: Ident,
    /// What kind of cluster.
    pub cluster_type: ClusterType,
    /// The `WITH (...)` options (the REST address, timeouts, Flink
    /// configuration; for Kubernetes: namespace, Flink version, resources;
    /// for SeaTunnel: the Zeta REST address and its timeout).
    pub options: Options,
    /// The `FILES (...)` attachments (Kubernetes: the pod templates): file
    /// name to path, every value a string.
    pub files: Options,
}

/// The kinds of cluster scaleph runs or reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterType {
    /// A session cluster on Kubernetes (a `FlinkDeployment` without a job).
    KubernetesSession,
    /// A template on Kubernetes: each job gets its own application
    /// `FlinkDeployment`.
    KubernetesApplication,
    /// An existing session cluster reached at its REST address.
    Remote,
    /// A SeaTunnel cluster (Zeta engine) reached at its REST API v2: runs
    /// syncs with `ENGINE SEATUNNEL`, not Flink jobs.
    Seatunnel,
}

impl ClusterType {
    /// Every cluster type, by keyword.
    pub const KEYWORDS: &[(&str, ClusterType)] = &[
        ("KUBERNETES_SESSION", ClusterType::KubernetesSession),
        ("KUBERNETES_APPLICATION", ClusterType::KubernetesApplication),
        ("REMOTE", ClusterType::Remote),
        ("SEATUNNEL", ClusterType::Seatunnel),
    ];

    /// The type's keyword.
    pub fn keyword(self) -> &'static str {
        keyword_of(Self::KEYWORDS, self)
    }
}

/// `CREATE CONNECTOR [IF NOT EXISTS] name FROM 'location'`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateConnector {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The connector's name.
    pub name: Ident,
    /// Where the jar is: an `http(s)://`, `s3://`, `hdfs://`, `file://` URL or an absolute path.
    pub location: String,
}

/// `SHOW SAVEPOINTS FOR JOB name`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowSavepoints {
    /// The job.
    pub job: Ident,
}

/// `[EXPLAIN] PREVIEW <statement>`: run what would write a sink as a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// `EXPLAIN PREVIEW`: show the rewritten statement instead of running it.
    pub explain: bool,
    /// The statement to preview.
    pub body: FlinkBody,
}

impl fmt::Display for CreateJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE JOB")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(f, " {}", q(&self.name))?;
        if let Some(cluster) = &self.cluster {
            write!(f, " ON CLUSTER {}", q(cluster))?;
        }
        fmt_with(f, &self.options)?;
        write!(f, " AS {}", self.body)
    }
}

impl fmt::Display for CreateCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE CLUSTER")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(f, " {} TYPE {}", q(&self.name), self.cluster_type.keyword())?;
        fmt_with(f, &self.options)?;
        fmt_files(f, &self.files)
    }
}

impl fmt::Display for CreateConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE CONNECTOR")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(
            f,
            " {} FROM {}",
            q(&self.name),
            quote_string(&self.location)
        )
    }
}

impl fmt::Display for ShowSavepoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW SAVEPOINTS FOR JOB {}", q(&self.job))
    }
}

impl fmt::Display for Preview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.explain {
            f.write_str("EXPLAIN ")?;
        }
        write!(f, "PREVIEW {}", self.body)
    }
}
