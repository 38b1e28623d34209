//! Statements every object kind has: SHOW, DESCRIBE, SHOW CREATE, COMMENT
//! ON, DROP and ALTER, plus the lifecycle commands (START, STOP, SUSPEND,
//! RESUME, SAVEPOINT, EXPLAIN, TEST) of the kinds that have them.

use std::fmt;

use sqlparser::ast::Ident;

use super::common::{ObjectKind, Options, fmt_if, fmt_key, fmt_like, q, quote_string};

/// The statements every object kind has.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectStatement {
    /// `SHOW <KIND>S [LIKE ...]`.
    Show(ShowObjects),
    /// `DESCRIBE <KIND> name` / `SHOW CREATE <KIND> name`.
    Describe(DescribeObject),
    /// `COMMENT ON <KIND> name IS ...`.
    Comment(CommentOn),
    /// `DROP <KIND> [IF EXISTS] name [CASCADE]`.
    Drop(DropObject),
    /// `ALTER <KIND> name SET|RESET|RENAME TO ...`.
    Alter(AlterObject),
    /// `START|STOP|SUSPEND|RESUME|SAVEPOINT|EXPLAIN|TEST <KIND> name`.
    Command(ObjectCommand),
}

impl ObjectStatement {
    /// The statement as users name it (`SHOW SYNCS`, `STOP JOB`).
    pub fn family(&self) -> String {
        match self {
            ObjectStatement::Show(s) => format!("SHOW {}", s.kind.plural()),
            ObjectStatement::Describe(s) if s.show_create => format!("SHOW CREATE {}", s.kind),
            ObjectStatement::Describe(s) => format!("DESCRIBE {}", s.kind),
            ObjectStatement::Comment(s) => format!("COMMENT ON {}", s.kind),
            ObjectStatement::Drop(s) => format!("DROP {}", s.kind),
            ObjectStatement::Alter(s) => format!("ALTER {}", s.kind),
            ObjectStatement::Command(s) => format!("{} {}", s.command.keyword(), s.kind),
        }
    }
}

impl fmt::Display for ObjectStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectStatement::Show(s) => s.fmt(f),
            ObjectStatement::Describe(s) => s.fmt(f),
            ObjectStatement::Comment(s) => s.fmt(f),
            ObjectStatement::Drop(s) => s.fmt(f),
            ObjectStatement::Alter(s) => s.fmt(f),
            ObjectStatement::Command(s) => s.fmt(f),
        }
    }
}

/// `SHOW <KIND>S [LIKE 'pattern']`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowObjects {
    /// Which kind.
    pub kind: ObjectKind,
    /// A SQL LIKE pattern on the name.
    pub like: Option<String>,
}

/// `DESCRIBE <KIND> name` (or `SHOW CREATE <KIND> name` when `show_create`).
#[derive(Clone, Debug, PartialEq)]
pub struct DescribeObject {
    /// Which kind.
    pub kind: ObjectKind,
    /// The object.
    pub name: Ident,
    /// `SHOW CREATE` rather than `DESCRIBE`: the statement that would
    /// create the object as it is now, secrets masked.
    pub show_create: bool,
}

/// `COMMENT ON <KIND> name IS 'text' | NULL`.
#[derive(Clone, Debug, PartialEq)]
pub struct CommentOn {
    /// Which kind.
    pub kind: ObjectKind,
    /// The object.
    pub name: Ident,
    /// The comment; `None` (`IS NULL`) removes it.
    pub comment: Option<String>,
}

/// `DROP <KIND> [IF EXISTS] name [CASCADE]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DropObject {
    /// Which kind.
    pub kind: ObjectKind,
    /// `IF EXISTS` given.
    pub if_exists: bool,
    /// The object.
    pub name: Ident,
    /// `CASCADE`: also drop (or stop) what depends on it.
    pub cascade: bool,
}

/// `ALTER <KIND> name SET (...) | RESET (...) | SET FILES (...) | RESET
/// FILES (...) | RENAME TO new`.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterObject {
    /// Which kind.
    pub kind: ObjectKind,
    /// The object.
    pub name: Ident,
    /// What changes.
    pub action: AlterAction,
}

/// What an ALTER changes.
#[derive(Clone, Debug, PartialEq)]
pub enum AlterAction {
    /// `SET (key = value, ...)`: adds or replaces options.
    Set(Options),
    /// `RESET (key, ...)`: removes options (back to their defaults).
    Reset(Vec<String>),
    /// `SET FILES (name = '/path', ...)`: attaches files (read now),
    /// replacing those of the same name. Kinds with
    /// [`AlterAction::FILES_KINDS`] only.
    SetFiles(Options),
    /// `RESET FILES (name, ...)`: detaches files.
    ResetFiles(Vec<String>),
    /// `RENAME TO new`.
    RenameTo(Ident),
}

impl AlterAction {
    /// The kinds whose ALTER attaches and detaches files: clusters. (A
    /// datasource's files are given at CREATE only.)
    pub const FILES_KINDS: &[ObjectKind] = &[ObjectKind::Cluster];
}

/// Writes `(key, ...)`, each key as an option key.
fn fmt_keys(f: &mut fmt::Formatter<'_>, keys: &[String]) -> fmt::Result {
    f.write_str("(")?;
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        fmt_key(key, f)?;
    }
    f.write_str(")")
}

/// A lifecycle command on one object (`START SYNC s`, `STOP JOB j WITH SAVEPOINT DRAIN`).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectCommand {
    /// The command.
    pub command: Lifecycle,
    /// Which kind.
    pub kind: ObjectKind,
    /// The object.
    pub name: Ident,
}

/// The lifecycle commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// `START SYNC`: deploy it as a job.
    Start,
    /// `STOP SYNC|JOB [WITH SAVEPOINT] [DRAIN]` (DRAIN for jobs only).
    Stop {
        /// Take a savepoint first.
        savepoint: bool,
        /// Drain the sources (emit the final watermark) before stopping.
        drain: bool,
    },
    /// `SUSPEND JOB|SCHEDULE`.
    Suspend,
    /// `RESUME JOB|SCHEDULE`.
    Resume,
    /// `SAVEPOINT JOB`: trigger a savepoint now.
    Savepoint,
    /// `EXPLAIN SYNC|SCHEDULE`: the plan, without running it.
    Explain,
    /// `TEST DATASOURCE|CLUSTER`: a real connection to it.
    Test,
}

impl Lifecycle {
    /// The command's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Lifecycle::Start => "START",
            Lifecycle::Stop { .. } => "STOP",
            Lifecycle::Suspend => "SUSPEND",
            Lifecycle::Resume => "RESUME",
            Lifecycle::Savepoint => "SAVEPOINT",
            Lifecycle::Explain => "EXPLAIN",
            Lifecycle::Test => "TEST",
        }
    }

    /// The kinds it applies to.
    pub fn kinds(self) -> &'static [ObjectKind] {
        match self {
            Lifecycle::Start => &[ObjectKind::Sync],
            Lifecycle::Stop { .. } => &[ObjectKind::Sync, ObjectKind::Job],
            Lifecycle::Suspend | Lifecycle::Resume => &[ObjectKind::Job, ObjectKind::Schedule],
            Lifecycle::Savepoint => &[ObjectKind::Job],
            Lifecycle::Explain => &[ObjectKind::Sync, ObjectKind::Schedule],
            Lifecycle::Test => &[ObjectKind::Datasource, ObjectKind::Cluster],
        }
    }
}

impl fmt::Display for ShowObjects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW {}", self.kind.plural())?;
        fmt_like(f, &self.like)
    }
}

impl fmt::Display for DescribeObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.show_create {
            "SHOW CREATE"
        } else {
            "DESCRIBE"
        };
        write!(f, "{verb} {} {}", self.kind, q(&self.name))
    }
}

impl fmt::Display for CommentOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "COMMENT ON {} {} IS ", self.kind, q(&self.name))?;
        match &self.comment {
            Some(comment) => f.write_str(&quote_string(comment)),
            None => f.write_str("NULL"),
        }
    }
}

impl fmt::Display for DropObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DROP {}", self.kind)?;
        fmt_if(f, self.if_exists, "IF EXISTS")?;
        write!(f, " {}", q(&self.name))?;
        fmt_if(f, self.cascade, "CASCADE")
    }
}

impl fmt::Display for AlterObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ALTER {} {} ", self.kind, q(&self.name))?;
        match &self.action {
            AlterAction::Set(options) => write!(f, "SET {options}"),
            AlterAction::Reset(keys) => {
                f.write_str("RESET ")?;
                fmt_keys(f, keys)
            }
            AlterAction::SetFiles(files) => write!(f, "SET FILES {files}"),
            AlterAction::ResetFiles(keys) => {
                f.write_str("RESET FILES ")?;
                fmt_keys(f, keys)
            }
            AlterAction::RenameTo(name) => write!(f, "RENAME TO {}", q(name)),
        }
    }
}

impl fmt::Display for ObjectCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.command.keyword(),
            self.kind,
            q(&self.name)
        )?;
        if let Lifecycle::Stop { savepoint, drain } = self.command {
            fmt_if(f, savepoint, "WITH SAVEPOINT")?;
            fmt_if(f, drain, "DRAIN")?;
        }
        Ok(())
    }
}
