//! Telling Flink statements apart by their leading words, without parsing
//! them: Flink SQL is forwarded as written, so a statement sqlparser cannot
//! parse is never rejected, only classified.

use super::ast::FlinkStatementKind;
use super::lexer::{Token, TokenKind};

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
        ("CREATE" | "DROP" | "ALTER" | "ANALYZE" | "TRUNCATE" | "REPLACE", _) => {
            FlinkStatementKind::Ddl
        }
        ("USE", _) => FlinkStatementKind::Use,
        ("ADD" | "REMOVE", "JAR") | ("SHOW", "JARS") => FlinkStatementKind::Jar,
        ("STOP", "JOB") => FlinkStatementKind::Job,
        ("DESCRIBE" | "DESC", "JOB") => FlinkStatementKind::Job,
        ("SHOW" | "DESCRIBE" | "DESC" | "EXPLAIN", _) => FlinkStatementKind::Show,
        _ => FlinkStatementKind::Other,
    }
}

/// The kind of a Flink statement from its tokens: [`flink_kind`], with
/// `CREATE [OR REPLACE] TABLE ... AS <query>` and `REPLACE TABLE ... AS
/// <query>` told apart from other DDL.
pub fn classify(script: &str, tokens: &[Token], words: &[String]) -> FlinkStatementKind {
    let kind = flink_kind(words);
    if kind == FlinkStatementKind::Ddl && is_table_as_query(script, tokens) {
        FlinkStatementKind::CreateTableAs
    } else {
        kind
    }
}

/// `CREATE [OR REPLACE] [TEMPORARY] TABLE name ... AS <query>` or `REPLACE
/// TABLE ...  AS <query>`: an `AS` outside parentheses (a computed column's
/// `AS` is inside the column list).
fn is_table_as_query(script: &str, tokens: &[Token]) -> bool {
    let mut words = tokens
        .iter()
        .take(5)
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(script).to_ascii_uppercase());
    let creates_table = match words.next().as_deref() {
        Some("CREATE") => words
            .find(|w| !matches!(w.as_str(), "OR" | "REPLACE" | "TEMPORARY"))
            .is_some_and(|w| w == "TABLE"),
        Some("REPLACE") => words.next().is_some_and(|w| w == "TABLE"),
        _ => false,
    };
    if !creates_table {
        return false;
    }
    let mut depth = 0usize;
    tokens.iter().any(|t| match t.kind {
        TokenKind::Punct('(') => {
            depth += 1;
            false
        }
        TokenKind::Punct(')') => {
            depth = depth.saturating_sub(1);
            false
        }
        _ => depth == 0 && t.is_word(script, "AS"),
    })
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

    fn classified(sql: &str) -> FlinkStatementKind {
        let tokens = crate::sql::lexer::tokenize(sql).unwrap();
        let words: Vec<String> = tokens
            .iter()
            .map(|t| t.text(sql).to_ascii_uppercase())
            .collect();
        classify(sql, &tokens, &words)
    }

    #[test]
    fn classify_tells_table_as_query_from_other_ddl() {
        for ctas in [
            "CREATE TABLE t WITH ('connector' = 'print') AS SELECT * FROM s",
            "CREATE OR REPLACE TABLE t AS SELECT 1",
            "REPLACE TABLE t AS SELECT 1",
        ] {
            assert_eq!(
                classified(ctas),
                FlinkStatementKind::CreateTableAs,
                "{ctas}"
            );
        }
        for ddl in [
            "CREATE TABLE t (a INT, b AS a * 2) WITH ('connector' = 'datagen')",
            "CREATE VIEW v AS SELECT 1",
            "CREATE TEMPORARY VIEW v AS SELECT 1",
        ] {
            assert_eq!(classified(ddl), FlinkStatementKind::Ddl, "{ddl}");
        }
    }
}
