//! Pieces shared by every statement: option lists, object kinds, names and
//! how each prints back as SQL.

use std::fmt;

use sqlparser::ast::Ident;

/// The kinds of objects scaleph manages itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// A data source: a typed connection to an external system.
    Datasource,
    /// A one-click sync from a data source to sinks.
    Sync,
    /// A Flink job deployed by scaleph.
    Job,
    /// A Flink cluster run by scaleph.
    Cluster,
    /// A connector jar.
    Connector,
    /// A cron schedule over a DAG of tasks.
    Schedule,
}

impl ObjectKind {
    /// Every kind, in the order the grammar lists them.
    pub const ALL: [ObjectKind; 6] = [
        ObjectKind::Datasource,
        ObjectKind::Sync,
        ObjectKind::Job,
        ObjectKind::Cluster,
        ObjectKind::Connector,
        ObjectKind::Schedule,
    ];

    /// The keyword naming one object (`DATASOURCE`).
    pub fn keyword(self) -> &'static str {
        match self {
            ObjectKind::Datasource => "DATASOURCE",
            ObjectKind::Sync => "SYNC",
            ObjectKind::Job => "JOB",
            ObjectKind::Cluster => "CLUSTER",
            ObjectKind::Connector => "CONNECTOR",
            ObjectKind::Schedule => "SCHEDULE",
        }
    }

    /// The keyword naming all of them (`DATASOURCES`).
    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::Datasource => "DATASOURCES",
            ObjectKind::Sync => "SYNCS",
            ObjectKind::Job => "JOBS",
            ObjectKind::Cluster => "CLUSTERS",
            ObjectKind::Connector => "CONNECTORS",
            ObjectKind::Schedule => "SCHEDULES",
        }
    }

    /// The kind named by `word` (singular keyword, any case).
    pub fn from_keyword(word: &str) -> Option<ObjectKind> {
        ObjectKind::ALL
            .into_iter()
            .find(|k| k.keyword().eq_ignore_ascii_case(word))
    }

    /// The kind whose plural keyword is `word` (any case).
    pub fn from_plural(word: &str) -> Option<ObjectKind> {
        ObjectKind::ALL
            .into_iter()
            .find(|k| k.plural().eq_ignore_ascii_case(word))
    }

    /// The lower-case noun used in messages (`datasource`).
    pub fn noun(self) -> &'static str {
        match self {
            ObjectKind::Datasource => "datasource",
            ObjectKind::Sync => "sync",
            ObjectKind::Job => "job",
            ObjectKind::Cluster => "cluster",
            ObjectKind::Connector => "connector",
            ObjectKind::Schedule => "schedule",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// The name an object is stored under: unquoted identifiers fold to lower
/// case (as in PostgreSQL), quoted ones keep their case.
pub fn object_name(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The identifier that names `name` (the inverse of [`object_name`]): bare
/// when it is a lower-case word, quoted otherwise.
pub fn ident_for(name: &str) -> Ident {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if bare {
        Ident::new(name)
    } else {
        Ident::with_quote('"', name)
    }
}

/// Displays an identifier as SQL: bare as written, or in double quotes
/// with embedded double quotes doubled. (sqlparser's own `Display` leaves
/// a doubled quote in the value alone, which does not read back.)
pub struct SqlIdent<'a>(pub &'a Ident);

/// `ident` as SQL (see [`SqlIdent`]).
pub fn q(ident: &Ident) -> SqlIdent<'_> {
    SqlIdent(ident)
}

impl fmt::Display for SqlIdent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.quote_style {
            None => f.write_str(&self.0.value),
            Some(_) => write!(f, "\"{}\"", self.0.value.replace('"', "\"\"")),
        }
    }
}

/// A possibly qualified name (`shop.orders`, `db.public.t`).
#[derive(Clone, Debug, PartialEq)]
pub struct QualifiedName(pub Vec<Ident>);

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{}", q(part))?;
        }
        Ok(())
    }
}

/// The `WITH (...)` options of a statement, in the order written; keys are
/// unique (the parser rejects duplicates).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options(pub Vec<SqlOption>);

/// One `key = value` option.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlOption {
    /// The key, unquoted (`host`, `table.name.pattern`).
    pub key: String,
    /// The value.
    pub value: OptionValue,
}

/// An option value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// `'text'`.
    String(String),
    /// `3306`, `1.5`.
    Number(String),
    /// `true` / `false`.
    Boolean(bool),
}

impl OptionValue {
    /// The value as text, as it is stored (`'s'` -> `s`, `3306` -> `3306`).
    pub fn as_text(&self) -> String {
        match self {
            OptionValue::String(s) | OptionValue::Number(s) => s.clone(),
            OptionValue::Boolean(b) => b.to_string(),
        }
    }
}

/// Writes `s` as a single-quoted SQL string literal.
pub fn quote_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A Flink SQL identifier: `` `name` `` with `` ` `` doubled (Flink quotes
/// identifiers with backticks, not double quotes).
pub fn quote_flink_identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Writes an option key: bare when it is a plain identifier, quoted otherwise.
pub(crate) fn fmt_key(key: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let bare = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        f.write_str(key)
    } else {
        f.write_str(&quote_string(key))
    }
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::String(s) => f.write_str(&quote_string(s)),
            OptionValue::Number(n) => f.write_str(n),
            OptionValue::Boolean(b) => write!(f, "{}", if *b { "TRUE" } else { "FALSE" }),
        }
    }
}

impl fmt::Display for SqlOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_key(&self.key, f)?;
        write!(f, " = {}", self.value)
    }
}

impl fmt::Display for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        fmt_list(f, &self.0)?;
        f.write_str(")")
    }
}

/// Writes ` IF NOT EXISTS` / ` IF EXISTS` when `flag` is set.
pub(crate) fn fmt_if(f: &mut fmt::Formatter<'_>, flag: bool, words: &str) -> fmt::Result {
    if flag {
        write!(f, " {words}")?;
    }
    Ok(())
}

/// Writes ` LIKE 'pattern'` when there is a pattern.
pub(crate) fn fmt_like(f: &mut fmt::Formatter<'_>, like: &Option<String>) -> fmt::Result {
    match like {
        Some(like) => write!(f, " LIKE {}", quote_string(like)),
        None => Ok(()),
    }
}

/// Writes ` WITH (...)` unless there are no options.
pub(crate) fn fmt_with(f: &mut fmt::Formatter<'_>, options: &Options) -> fmt::Result {
    if options.0.is_empty() {
        Ok(())
    } else {
        write!(f, " WITH {options}")
    }
}

/// Writes ` FILES (...)` unless there are none.
pub(crate) fn fmt_files(f: &mut fmt::Formatter<'_>, files: &Options) -> fmt::Result {
    if files.0.is_empty() {
        Ok(())
    } else {
        write!(f, " FILES {files}")
    }
}

/// Writes items separated by `, `.
pub(crate) fn fmt_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}
