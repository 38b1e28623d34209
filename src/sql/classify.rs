//! Telling Flink statements apart by their leading words, without parsing
//! them: Flink SQL is forwarded as written, so a statement sqlparser cannot
//! parse is never rejected, only classified.

use super::ast::FlinkStatementKind;

/// Words after `SHOW` that make it one of Flink's own SHOW statements
/// rather than `SHOW <variable>`.
const FLINK_SHOW: &[&str] = &[
    "TABLES",
    "VIEWS",
    "CATALOGS",
    "DATABASES",
    "FUNCTIONS",
    "USER",
    "MODULES",
    "FULL",
    "JARS",
    "JOBS",
    "COLUMNS",
    "PARTITIONS",
    "PROCEDURES",
    "CREATE",
    "CURRENT",
    "MATERIALIZED",
    "MODELS",
    "TEMPORARY",
];

/// Whether `SHOW <second>` is one of Flink's SHOW statements.
pub fn is_flink_show(second: &str) -> bool {
    FLINK_SHOW.iter().any(|w| w.eq_ignore_ascii_case(second))
}

/// The kind of a Flink statement from its first words, upper-cased.
pub fn flink_kind(words: &[String]) -> FlinkStatementKind {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    match (word(0), word(1)) {
        ("SELECT" | "WITH" | "VALUES" | "TABLE", _) => FlinkStatementKind::Query,
        ("INSERT", _) => FlinkStatementKind::Insert,
        ("EXECUTE", "STATEMENT") | ("BEGIN", "STATEMENT") => FlinkStatementKind::StatementSet,
        ("EXECUTE", "INSERT") => FlinkStatementKind::Insert,
        ("CREATE" | "DROP" | "ALTER" | "ANALYZE" | "TRUNCATE", _) => FlinkStatementKind::Ddl,
        ("USE", _) => FlinkStatementKind::Use,
        ("ADD" | "REMOVE", "JAR") | ("SHOW", "JARS") => FlinkStatementKind::Jar,
        ("SHOW", "JOBS") | ("STOP", "JOB") => FlinkStatementKind::Job,
        ("DESCRIBE" | "DESC", "JOB") => FlinkStatementKind::Job,
        ("SHOW" | "DESCRIBE" | "DESC" | "EXPLAIN", _) => FlinkStatementKind::Show,
        _ => FlinkStatementKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(sql: &str) -> FlinkStatementKind {
        let words: Vec<String> = sql
            .split_whitespace()
            .map(str::to_ascii_uppercase)
            .collect();
        flink_kind(&words)
    }

    #[test]
    fn flink_kind_follows_the_leading_words() {
        assert_eq!(
            kind("INSERT OVERWRITE t SELECT 1"),
            FlinkStatementKind::Insert
        );
        assert_eq!(
            kind("EXECUTE STATEMENT SET BEGIN END"),
            FlinkStatementKind::StatementSet
        );
        assert_eq!(kind("CREATE CATALOG c WITH ()"), FlinkStatementKind::Ddl);
        assert_eq!(kind("ADD JAR '/x.jar'"), FlinkStatementKind::Jar);
        assert_eq!(
            kind("STOP JOB 'id' WITH SAVEPOINT"),
            FlinkStatementKind::Job
        );
        assert_eq!(kind("SHOW TABLES"), FlinkStatementKind::Show);
        assert_eq!(kind("USE CATALOG c"), FlinkStatementKind::Use);
        assert_eq!(kind("CALL sys.compact('t')"), FlinkStatementKind::Other);
        assert!(is_flink_show("tables") && !is_flink_show("application_name"));
    }
}
