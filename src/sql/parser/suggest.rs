//! Did-you-mean: a misspelled statement keyword or object kind is an error
//! naming the word that was meant (`CREATE DATASOUCE` -> "did you mean
//! DATASOURCE?"), while every word Flink SQL uses in the same place passes
//! through untouched.

use crate::error::{Error, Position, Result};
use crate::sql::ast::ObjectKind;
use crate::sql::lexer::{LeadingWords, Token, TokenKind};

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
    "COPY",
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
    "RELEASE",
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

/// Edit distance between two words, ignoring ASCII case, counting an
/// insertion, a deletion, a substitution or a swap of neighbours (`hots`
/// for `host`) as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_uppercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_uppercase()).collect();
    // Three rows of the (a.len()+1) x (b.len()+1) table: the one two
    // above (for swaps), the one above, and the current one.
    let mut before = vec![0usize; b.len() + 1];
    let mut above: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (above[j] + 1).min(row[j - 1] + 1).min(above[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut above);
        std::mem::swap(&mut above, &mut row);
    }
    above[b.len()]
}

/// The candidate `word` is a likely misspelling of: one edit away for
/// short words, two for longer ones. Runs on every statement's leading
/// words, so candidates whose length alone rules them out are skipped
/// before any distance is computed.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    candidates
        .iter()
        .filter(|c| !c.eq_ignore_ascii_case(word))
        .filter_map(|c| {
            let allowed = if c.len() <= 4 { 1 } else { 2 };
            if c.chars().count().abs_diff(len) > allowed {
                return None;
            }
            let d = edit_distance(c, word);
            (d <= allowed).then_some((d, *c))
        })
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
pub fn check_typos(script: &str, tokens: &[Token], words: &LeadingWords) -> Result<()> {
    let word = |i: usize| words.get(i);
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
    // Where the object kind stands, and whether it is a plural (SHOW).
    let (at, plural, extra): (usize, bool, &[&str]) = match word(0) {
        "CREATE" | "DROP" | "ALTER" => (1, false, &[]),
        // `DESCRIBE t` names a Flink table: only `DESCRIBE <kind> <name>` can be a typo.
        "DESCRIBE" | "DESC"
            if tokens
                .get(2)
                .is_some_and(|t| t.kind != TokenKind::Punct('.')) =>
        {
            (1, false, &[])
        }
        "SHOW" if word(1) == "CREATE" => (2, false, &[]),
        "SHOW" => (1, true, &["DATASOURCE", "RUNS", "SAVEPOINTS"]),
        "EXPLAIN" => (1, false, &["SYNC", "SCHEDULE", "PREVIEW"]),
        "EXECUTE" => (1, false, &["SCHEDULE"]),
        "STOP" => (1, false, &["SYNC", "JOB"]),
        _ => return Ok(()),
    };
    let found = word(at);
    if found.is_empty() || FLINK_WORDS.contains(&found) || extra.contains(&found) {
        return Ok(());
    }
    let kinds = matches!(
        word(0),
        "CREATE" | "DROP" | "ALTER" | "DESCRIBE" | "DESC" | "SHOW"
    );
    let kind_word = |k: &ObjectKind| if plural { k.plural() } else { k.keyword() };
    if kinds && ObjectKind::ALL.iter().any(|k| kind_word(k) == found) {
        return Ok(());
    }
    // A miss: only now is the list of candidates worth building.
    let mut candidates: Vec<&str> = extra.to_vec();
    if kinds {
        candidates.extend(ObjectKind::ALL.iter().map(kind_word));
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
        assert_eq!(edit_distance("hots", "HOST"), 1);
        assert_eq!(edit_distance("CA", "ABC"), 3);
        assert_eq!(edit_distance("ABCD", "BADC"), 2);
    }

    #[test]
    fn closest_allows_fewer_edits_for_short_words() {
        assert_eq!(closest("synk", &["SYNC", "JOB"]), Some("SYNC"));
        assert_eq!(closest("jar", &["SYNC", "JOB"]), None);
        assert_eq!(closest("SCHEDUEL", &["SCHEDULE"]), Some("SCHEDULE"));
        assert_eq!(one_of(&["A", "B", "C"]), "A, B or C");
    }
}
