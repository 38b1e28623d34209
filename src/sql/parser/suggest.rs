//! Did-you-mean: a misspelled statement keyword or object kind is an error
//! naming the word that was meant (`CREATE DATASOUCE` -> "did you mean
//! DATASOURCE?"), while every word Flink SQL uses in the same place passes
//! through untouched.

use crate::error::{Error, Position, Result};
use crate::sql::ast::ObjectKind;
use crate::sql::lexer::{Token, TokenKind};

/// The words a statement can start with, in scaleph or in Flink SQL.
const LEADING_WORDS: &[&str] = &[
    "ABORT",
    "ADD",
    "ALTER",
    "ANALYZE",
    "BEGIN",
    "CALL",
    "COMMENT",
    "COMMIT",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "INSERT",
    "LOAD",
    "PREVIEW",
    "REMOVE",
    "REPLACE",
    "RESET",
    "RESUME",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "STOP",
    "SUSPEND",
    "TABLE",
    "TEST",
    "TRUNCATE",
    "UNLOAD",
    "UPDATE",
    "USE",
    "VALUES",
    "WITH",
];

/// Words that legitimately follow CREATE/DROP/ALTER/SHOW/DESCRIBE/EXPLAIN/
/// EXECUTE/STOP in Flink SQL; never "corrected" to one of scaleph's words.
const FLINK_WORDS: &[&str] = &[
    "CATALOG",
    "CATALOGS",
    "CHANGELOG_MODE",
    "COLUMNS",
    "CREATE",
    "CURRENT",
    "DATABASE",
    "DATABASES",
    "ESTIMATED_COST",
    "EXTENDED",
    "FULL",
    "FUNCTION",
    "FUNCTIONS",
    "INSERT",
    "JARS",
    "JOB",
    "JSON_EXECUTION_PLAN",
    "MATERIALIZED",
    "MODEL",
    "MODELS",
    "MODULES",
    "OR",
    "PARTITIONS",
    "PLAN",
    "PROCEDURES",
    "SELECT",
    "STATEMENT",
    "SYSTEM",
    "TABLE",
    "TABLES",
    "TEMPORARY",
    "USER",
    "VIEW",
    "VIEWS",
    "WITH",
];

/// Edit distance between two words, counting an insertion, a deletion, a
/// substitution or a swap of neighbours (`hots` for `host`) as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j]
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The candidate `word` is a likely misspelling of: one edit away for
/// short words, two for longer ones.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_uppercase();
    candidates
        .iter()
        .filter(|c| !c.eq_ignore_ascii_case(&word))
        .map(|c| (edit_distance(&c.to_ascii_uppercase(), &word), *c))
        .filter(|(d, c)| *d <= if c.len() <= 4 { 1 } else { 2 })
        .min()
        .map(|(_, c)| c)
}

/// `A`, `A or B`, `A, B or C`.
pub fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Fails when the statement's first word, or the object kind after a verb
/// Flink shares with scaleph, is a near miss of one of scaleph's words.
/// `words` are the first words upper-cased (empty for non-words).
pub fn check_typos(script: &str, tokens: &[Token], words: &[String]) -> Result<()> {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let typo = |i: usize, meant: &str, what: &str| {
        Err(Error::syntax(
            format!(
                "unknown {what} \"{}\": did you mean {meant}?",
                tokens[i].text(script)
            ),
            Position::at(script, tokens[i].start),
        ))
    };
    if !word(0).is_empty() && !LEADING_WORDS.contains(&word(0)) {
        if let Some(meant) = closest(word(0), LEADING_WORDS) {
            return typo(0, meant, "statement");
        }
        return Ok(());
    }
    let singular: Vec<&str> = ObjectKind::ALL.iter().map(|k| k.keyword()).collect();
    let (at, candidates): (usize, Vec<&str>) = match word(0) {
        "CREATE" | "DROP" | "ALTER" => (1, singular),
        // `DESCRIBE t` names a Flink table: only `DESCRIBE <kind> <name>` can be a typo.
        "DESCRIBE" | "DESC"
            if tokens
                .get(2)
                .is_some_and(|t| t.kind != TokenKind::Punct('.')) =>
        {
            (1, singular)
        }
        "SHOW" if word(1) == "CREATE" => (2, singular),
        "SHOW" => (
            1,
            ObjectKind::ALL
                .iter()
                .map(|k| k.plural())
                .chain(["DATASOURCE", "RUNS", "SAVEPOINTS"])
                .collect(),
        ),
        "EXPLAIN" => (1, vec!["SYNC", "SCHEDULE", "PREVIEW"]),
        "EXECUTE" => (1, vec!["SCHEDULE"]),
        "STOP" => (1, vec!["SYNC", "JOB"]),
        _ => return Ok(()),
    };
    let found = word(at);
    if found.is_empty() || FLINK_WORDS.contains(&found) || candidates.contains(&found) {
        return Ok(());
    }
    match closest(found, &candidates) {
        Some(meant) => typo(at, meant, &format!("object kind after {}", word(at - 1))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("DATASOURCE", "DATASOUCE"), 1);
        assert_eq!(edit_distance("ABC", "ABC"), 0);
        assert_eq!(edit_distance("", "AB"), 2);
        assert_eq!(edit_distance("HOTS", "HOST"), 1);
    }

    #[test]
    fn closest_allows_fewer_edits_for_short_words() {
        assert_eq!(closest("synk", &["SYNC", "JOB"]), Some("SYNC"));
        assert_eq!(closest("jar", &["SYNC", "JOB"]), None);
        assert_eq!(closest("SCHEDUEL", &["SCHEDULE"]), Some("SCHEDULE"));
        assert_eq!(one_of(&["A", "B", "C"]), "A, B or C");
    }
}
