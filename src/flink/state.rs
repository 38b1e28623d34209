//! What a Flink statement does beyond its result, read from its tokens:
//! whether it changes the Flink session's state (so scaleph replays it
//! into a new Flink session), whether it is a catalog or a jar that
//! scaleph keeps in its store for every session, and whether a query may
//! produce update and delete rows.

use crate::sql::ast::FlinkStatementKind;
use crate::sql::lexer::{Token, TokenKind, tokenize};

/// What a successful Flink statement leaves behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: a query, an INSERT, a SHOW.
    None,
    /// A change of this session's state (USE, CREATE/DROP/ALTER of a
    /// database, table, view or function, LOAD/UNLOAD MODULE): replayed,
    /// in order, into a reopened Flink session.
    Session,
    /// `CREATE CATALOG name ...`: kept in the store, created in every new
    /// Flink session.
    CreateCatalog {
        /// The catalog's name.
        name: String,
        /// The value of its `'type'` option, if given.
        catalog_type: Option<String>,
    },
    /// `DROP CATALOG [IF EXISTS] name`: removed from the store.
    DropCatalog {
        /// The catalog's name.
        name: String,
    },
    /// `ADD JAR '<path>'`: kept in the store, added to every new Flink session.
    AddJar {
        /// The jar's path or URL.
        path: String,
    },
    /// `REMOVE JAR '<path>'`: removed from the store (the Flink SQL Gateway
    /// itself refuses REMOVE JAR).
    RemoveJar {
        /// The jar's path or URL.
        path: String,
    },
}

/// Words whose presence in a query means its result may update or retract
/// rows it already gave: aggregations without a window, DISTINCT, outer
/// joins, ranking, set operations that remove duplicates.
const UPDATING_WORDS: &[&str] = &[
    "GROUP",
    "DISTINCT",
    "LEFT",
    "RIGHT",
    "FULL",
    "ROW_NUMBER",
    "RANK",
    "DENSE_RANK",
    "EXCEPT",
    "INTERSECT",
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "LISTAGG",
    "COLLECT",
];

/// Window table functions: an aggregation over one of these emits each
/// window once, as inserts.
const WINDOW_WORDS: &[&str] = &["TUMBLE", "HOP", "CUMULATE", "SESSION"];

fn words(text: &str) -> Vec<(Token, String)> {
    tokenize(text)
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.kind != TokenKind::Punct(';'))
        .map(|t| (t, t.value(text)))
        .collect()
}

/// Whether a query may produce `-U`/`+U`/`-D` rows. A heuristic over its
/// words: a windowed aggregation and a plain scan are insert-only;
/// aggregations, DISTINCT, outer joins, ranking and EXCEPT/INTERSECT/UNION
/// (without ALL) may update. A changelog source (CDC, upsert-kafka) read
/// by a plain scan is not recognised; its first update row ends the result
/// with a hint to `SET 'scaleph.result.changelog' = 'op'`.
pub fn may_update(text: &str) -> bool {
    let words = words(text);
    let is = |i: usize, word: &str| {
        words
            .get(i)
            .is_some_and(|(t, _)| t.kind == TokenKind::Word && t.is_word(text, word))
    };
    let open = |i: usize| {
        words
            .get(i)
            .is_some_and(|(t, _)| t.kind == TokenKind::Punct('('))
    };
    let windowed = (0..words.len())
        .any(|i| (WINDOW_WORDS.iter().any(|w| is(i, w)) || is(i, "TABLE")) && open(i + 1));
    (0..words.len()).any(|i| {
        let updating = UPDATING_WORDS.iter().any(|w| is(i, w))
            && !(is(i, "GROUP") && windowed)
            && !(["COUNT", "SUM", "MIN", "MAX", "AVG", "LISTAGG", "COLLECT"]
                .iter()
                .any(|w| is(i, w))
                && (windowed || !open(i + 1)));
        let union_distinct = is(i, "UNION") && !is(i + 1, "ALL");
        updating || union_distinct
    })
}

/// The effect of a Flink statement of kind `kind` with text `text`.
pub fn effect(kind: FlinkStatementKind, text: &str) -> Effect {
    let words = words(text);
    let word = |i: usize| words.get(i).map(|(_, v)| v.to_ascii_uppercase());
    let value = |i: usize| words.get(i).map(|(_, v)| v.clone());
    match kind {
        FlinkStatementKind::Use => Effect::Session,
        FlinkStatementKind::Ddl => {
            let mut i = 1;
            while matches!(
                word(i).as_deref(),
                Some("OR" | "REPLACE" | "TEMPORARY" | "SYSTEM")
            ) {
                i += 1;
            }
            let is_catalog = word(i).as_deref() == Some("CATALOG");
            match (word(0).as_deref(), is_catalog) {
                (Some("CREATE"), true) => {
                    let mut at = i + 1;
                    if word(at).as_deref() == Some("IF") {
                        at += 3;
                    }
                    Effect::CreateCatalog {
                        name: value(at).unwrap_or_default(),
                        catalog_type: option_value(text, &words, "type"),
                    }
                }
                (Some("DROP"), true) => {
                    let mut at = i + 1;
                    if word(at).as_deref() == Some("IF") {
                        at += 2;
                    }
                    Effect::DropCatalog {
                        name: value(at).unwrap_or_default(),
                    }
                }
                _ => Effect::Session,
            }
        }
        FlinkStatementKind::Jar => match (word(0).as_deref(), value(2)) {
            (Some("ADD"), Some(path)) => Effect::AddJar { path },
            (Some("REMOVE"), Some(path)) => Effect::RemoveJar { path },
            _ => Effect::None,
        },
        FlinkStatementKind::Other
            if matches!(word(0).as_deref(), Some("LOAD" | "UNLOAD"))
                && word(1).as_deref() == Some("MODULE") =>
        {
            Effect::Session
        }
        _ => Effect::None,
    }
}

/// The text to send for a statement: `BEGIN STATEMENT SET; ...; END`,
/// which the Flink SQL Gateway cannot take in one request, as the
/// equivalent `EXECUTE STATEMENT SET BEGIN ...; END`; others as written.
pub fn forwardable(kind: FlinkStatementKind, text: &str) -> std::borrow::Cow<'_, str> {
    let words = words(text);
    let is = |i: usize, word: &str| {
        words
            .get(i)
            .is_some_and(|(t, _)| t.kind == TokenKind::Word && t.is_word(text, word))
    };
    if kind == FlinkStatementKind::StatementSet
        && is(0, "BEGIN")
        && is(1, "STATEMENT")
        && is(2, "SET")
    {
        let mut body = &text[words[2].0.end..];
        body = body.trim_start().trim_start_matches(';');
        return format!("EXECUTE STATEMENT SET BEGIN {}", body.trim()).into();
    }
    text.into()
}

/// Words that make a DDL statement write data or start a job
/// (`ALTER TABLE t COMPACT`, `CREATE MATERIALIZED TABLE`, `TRUNCATE`,
/// `ANALYZE TABLE`).
const WRITING_DDL_WORDS: &[&str] = &["COMPACT", "MATERIALIZED", "TRUNCATE", "ANALYZE", "REFRESH"];

/// Whether preview mode lets a statement reach Flink: queries, SHOW and
/// DESCRIBE, USE, jars, and DDL that only defines things; never one that
/// writes a sink or submits a job (those are rewritten or refused).
pub fn preview_allows(kind: FlinkStatementKind, text: &str) -> bool {
    match kind {
        FlinkStatementKind::Query
        | FlinkStatementKind::Show
        | FlinkStatementKind::Use
        | FlinkStatementKind::Jar
        | FlinkStatementKind::Job => true,
        FlinkStatementKind::Ddl => !words(text).iter().any(|(t, value)| {
            t.kind == TokenKind::Word
                && WRITING_DDL_WORDS
                    .iter()
                    .any(|w| value.eq_ignore_ascii_case(w))
        }),
        FlinkStatementKind::Insert
        | FlinkStatementKind::StatementSet
        | FlinkStatementKind::CreateTableAs
        | FlinkStatementKind::Other => false,
    }
}

/// The value of `'key' = 'value'` among `words`, if present.
fn option_value(text: &str, words: &[(Token, String)], key: &str) -> Option<String> {
    words.windows(3).find_map(|w| {
        let [(k, k_value), (eq, _), (v, v_value)] = w else {
            return None;
        };
        (k.kind == TokenKind::String
            && k_value.eq_ignore_ascii_case(key)
            && eq.text(text) == "="
            && v.kind == TokenKind::String)
            .then(|| v_value.clone())
    })
}

/// The command tag of a Flink statement without rows: its leading words
/// (`CREATE TABLE`, `USE`, `ADD JAR`, `SET`).
pub fn command_tag(text: &str) -> String {
    let words = words(text);
    let upper: Vec<String> = words
        .iter()
        .take(6)
        .filter(|(t, _)| t.kind == TokenKind::Word)
        .map(|(_, v)| v.to_ascii_uppercase())
        .collect();
    let first = upper.first().cloned().unwrap_or_default();
    match first.as_str() {
        "CREATE" | "DROP" | "ALTER" => {
            let object = upper[1..]
                .iter()
                .find(|w| !matches!(w.as_str(), "OR" | "REPLACE" | "TEMPORARY" | "SYSTEM"));
            match object {
                Some(object) => format!("{first} {object}"),
                None => first,
            }
        }
        "ADD" | "REMOVE" | "LOAD" | "UNLOAD" | "BEGIN" => match upper.get(1) {
            Some(second) => format!("{first} {second}"),
            None => first,
        },
        _ => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_and_jars_are_recognised() {
        assert_eq!(
            effect(
                FlinkStatementKind::Ddl,
                "CREATE CATALOG IF NOT EXISTS lake WITH ('type' = 'paimon', 'warehouse' = 's3://w')"
            ),
            Effect::CreateCatalog {
                name: "lake".into(),
                catalog_type: Some("paimon".into())
            }
        );
        assert_eq!(
            effect(FlinkStatementKind::Ddl, "drop catalog if exists `Lake`;"),
            Effect::DropCatalog {
                name: "Lake".into()
            }
        );
        assert_eq!(
            effect(FlinkStatementKind::Jar, "ADD JAR '/jars/udf.jar'"),
            Effect::AddJar {
                path: "/jars/udf.jar".into()
            }
        );
        assert_eq!(effect(FlinkStatementKind::Jar, "SHOW JARS"), Effect::None);
        assert_eq!(
            effect(
                FlinkStatementKind::Ddl,
                "CREATE TEMPORARY VIEW v AS SELECT 1"
            ),
            Effect::Session
        );
        assert_eq!(
            effect(FlinkStatementKind::Use, "USE CATALOG lake"),
            Effect::Session
        );
        assert_eq!(effect(FlinkStatementKind::Query, "SELECT 1"), Effect::None);
        assert_eq!(
            effect(FlinkStatementKind::Other, "LOAD MODULE hive"),
            Effect::Session
        );
    }

    #[test]
    fn queries_that_may_update_are_told_apart() {
        assert!(!may_update("SELECT * FROM orders WHERE amount > 10"));
        assert!(!may_update("SELECT a, b FROM t1 JOIN t2 ON t1.id = t2.id"));
        assert!(may_update("SELECT k, COUNT(*) FROM t GROUP BY k"));
        assert!(may_update("SELECT DISTINCT k FROM t"));
        assert!(may_update("SELECT * FROM a LEFT JOIN b ON a.id = b.id"));
        assert!(may_update("SELECT k FROM a UNION SELECT k FROM b"));
        assert!(!may_update("SELECT k FROM a UNION ALL SELECT k FROM b"));
        assert!(!may_update(
            "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"
        ));
        assert!(!may_update("SELECT max_amount FROM t"));
        assert!(!may_update("SELECT 'GROUP BY' FROM t"));
    }

    #[test]
    fn statement_sets_are_sent_in_one_request_and_preview_allows_only_definitions() {
        assert_eq!(
            forwardable(
                FlinkStatementKind::StatementSet,
                "BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND"
            ),
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND"
        );
        assert_eq!(
            forwardable(FlinkStatementKind::Query, "SELECT 1"),
            "SELECT 1"
        );
        assert!(preview_allows(
            FlinkStatementKind::Ddl,
            "CREATE TABLE t (a INT)"
        ));
        assert!(!preview_allows(
            FlinkStatementKind::Ddl,
            "ALTER TABLE t COMPACT"
        ));
        assert!(!preview_allows(FlinkStatementKind::Ddl, "TRUNCATE TABLE t"));
        assert!(!preview_allows(
            FlinkStatementKind::Other,
            "EXECUTE PLAN '/p.json'"
        ));
        assert!(!preview_allows(
            FlinkStatementKind::Insert,
            "INSERT INTO t SELECT 1"
        ));
        assert!(preview_allows(FlinkStatementKind::Show, "SHOW TABLES"));
    }

    #[test]
    fn command_tags_name_the_statement() {
        assert_eq!(
            command_tag("create temporary table t (a int)"),
            "CREATE TABLE"
        );
        assert_eq!(
            command_tag("CREATE OR REPLACE VIEW v AS SELECT 1"),
            "CREATE VIEW"
        );
        assert_eq!(command_tag("USE CATALOG lake"), "USE");
        assert_eq!(command_tag("ADD JAR '/x.jar'"), "ADD JAR");
        assert_eq!(command_tag("SET 'a' = 'b'"), "SET");
    }
}
