//! A job's script: the one program scaleph's SQL runner runs on the
//! cluster. It is assembled once, at `CREATE JOB`, from
//!
//! 1. `SET`s: the session's Flink properties, then the cluster's `flink.*`
//!    options, then the job's own options (a later value of a key wins,
//!    and every `SET` comes first: the runner builds its environment from
//!    the leading ones, `execution.runtime-mode` included);
//! 2. what the statement needs of the session ([`JobPrelude`]): the
//!    catalogs, tables, views, functions and databases it names, directly
//!    or through a view, with the `USE`s that put them where they were;
//! 3. the statement itself (an `INSERT` or a statement set).
//!
//! **Pruning.** A session has many tables; a job takes those its
//! statement reaches. Reachability is by name: a DDL statement is kept
//! when the last part of the object's name is an identifier of the job's
//! statement or of a kept statement, scanning backwards (a view comes
//! after the tables it reads) until nothing new is reached. This
//! over-approximates (a column that shares a table's name keeps the
//! table) and never under-approximates for names the statement writes;
//! an extra `CREATE TABLE` costs nothing at run time, since Flink resolves
//! a table's connector only when a query reads it. `USE` statements are
//! always kept, so relative names resolve where they did in the session.

use std::collections::{BTreeMap, HashSet};

use crate::flink::session::{JobPrelude, quote};
use crate::sql::classify::classify_text;
use crate::sql::lexer::{TokenKind, tokenize};

/// The identifiers of `text` (words and quoted identifiers, lower-cased;
/// no string literals), for reachability.
fn identifiers(text: &str) -> HashSet<String> {
    let Ok(tokens) = tokenize(text) else {
        return HashSet::new();
    };
    tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
        .map(|t| t.value(text).to_ascii_lowercase())
        .collect()
}

/// The statements of `prelude` that `body` reaches (see the module doc),
/// in their order.
pub fn prune(statements: &[String], body: &str) -> Vec<String> {
    let mut reached = identifiers(body);
    let classified: Vec<_> = statements.iter().map(|s| classify_text(s)).collect();
    let mut kept = vec![false; statements.len()];
    // Backwards first (a view comes after what it reads), again until
    // nothing new is reached (an ALTER of a table after the view that
    // made it reachable).
    loop {
        let mut grew = false;
        for (i, statement) in statements.iter().enumerate().rev() {
            if kept[i] {
                continue;
            }
            let keep = match &classified[i].ddl {
                Some(ddl) => ddl
                    .path
                    .last()
                    .is_some_and(|name| reached.contains(&name.to_ascii_lowercase())),
                // USE and anything else the session ran that changes its state.
                None => true,
            };
            if keep {
                reached.extend(identifiers(statement));
                kept[i] = true;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    statements
        .iter()
        .zip(kept)
        .filter(|(_, keep)| *keep)
        .map(|(statement, _)| statement.clone())
        .collect()
}

/// The whole script of a job running `body`, from the session's
/// `prelude`, the cluster's Flink settings and the job's own (see the
/// module doc). Statements end with `;` and a newline each.
pub fn assemble(
    prelude: &JobPrelude,
    cluster_settings: &[(String, String)],
    job_settings: &[(String, String)],
    body: &str,
) -> String {
    let mut settings: BTreeMap<&str, &str> = prelude
        .settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for (key, value) in cluster_settings.iter().chain(job_settings) {
        settings.insert(key, value);
    }
    let mut script = String::new();
    for (key, value) in settings {
        script.push_str(&format!("SET {} = {};\n", quote(key), quote(value)));
    }
    for statement in prune(&prelude.statements, body) {
        script.push_str(statement.trim().trim_end_matches(';'));
        script.push_str(";\n");
    }
    script.push_str(body.trim().trim_end_matches(';'));
    script.push_str(";\n");
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prelude(statements: &[&str]) -> JobPrelude {
        JobPrelude {
            settings: BTreeMap::from([
                ("parallelism.default".to_string(), "1".to_string()),
                ("table.local-time-zone".to_string(), "UTC".to_string()),
            ]),
            statements: statements.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_job_takes_the_tables_and_views_its_statement_reaches() {
        let statements = prelude(&[
            "CREATE CATALOG lake WITH ('type' = 'generic_in_memory')",
            "CREATE CATALOG unused_cat WITH ('type' = 'paimon', 'warehouse' = '/w')",
            "CREATE TABLE src (a INT) WITH ('connector' = 'datagen')",
            "CREATE TABLE other (a INT) WITH ('connector' = 'kafka')",
            "CREATE VIEW v AS SELECT a FROM src",
            "ALTER TABLE src SET ('rows-per-second' = '5')",
            "USE CATALOG lake",
            "CREATE TABLE snk (a INT) WITH ('connector' = 'blackhole')",
        ]);
        let kept = prune(
            &statements.statements,
            "INSERT INTO snk SELECT a FROM default_catalog.default_database.v",
        );
        assert_eq!(
            kept,
            [
                "CREATE CATALOG lake WITH ('type' = 'generic_in_memory')",
                "CREATE TABLE src (a INT) WITH ('connector' = 'datagen')",
                "CREATE VIEW v AS SELECT a FROM src",
                "ALTER TABLE src SET ('rows-per-second' = '5')",
                "USE CATALOG lake",
                "CREATE TABLE snk (a INT) WITH ('connector' = 'blackhole')",
            ]
        );
    }

    #[test]
    fn the_script_sets_everything_first_and_the_job_options_win() {
        let script = assemble(
            &prelude(&["CREATE TABLE t (a INT) WITH ('connector' = 'datagen');"]),
            &[("parallelism.default".to_string(), "3".to_string())],
            &[("parallelism.default".to_string(), "4".to_string())],
            "INSERT INTO t SELECT 1;",
        );
        assert_eq!(
            script,
            "SET 'parallelism.default' = '4';\n\
             SET 'table.local-time-zone' = 'UTC';\n\
             CREATE TABLE t (a INT) WITH ('connector' = 'datagen');\n\
             INSERT INTO t SELECT 1;\n"
        );
    }

    #[test]
    fn statement_sets_reach_every_sink() {
        let kept = prune(
            &[
                "CREATE TABLE a (x INT) WITH ('connector' = 'blackhole')".to_string(),
                "CREATE TABLE b (x INT) WITH ('connector' = 'print')".to_string(),
                "CREATE TABLE c (x INT) WITH ('connector' = 'kafka')".to_string(),
            ],
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END",
        );
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|s| !s.contains("kafka")));
    }
}
