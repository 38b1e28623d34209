//! Splitting a script into statements on the lexer's tokens: a `;` ends a
//! statement unless it is inside parentheses (`CREATE SCHEDULE ... AS ( a;
//! b )`) or a statement-set block (`EXECUTE STATEMENT SET BEGIN ... END`,
//! `BEGIN STATEMENT SET; ... END`). Strings, quoted identifiers and comments
//! never split, because the lexer hands them over whole.

use super::lexer::{Token, TokenKind, tokenize};
use crate::error::Result;

/// One statement's place in the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset of its first token.
    pub start: usize,
    /// Byte offset after its last token (the `;` excluded).
    pub end: usize,
    /// Whether a `;` ended it (the last statement of a script may lack one).
    pub terminated: bool,
    /// Index range of its tokens in the script's token list.
    pub tokens: (usize, usize),
}

/// A split script: its tokens and the statements over them.
#[derive(Debug)]
pub struct Split {
    /// Every token of the script.
    pub tokens: Vec<Token>,
    /// The statements, in order; empty statements (`;;`) are dropped.
    pub pieces: Vec<Piece>,
    /// Whether the script ends inside an open block or parenthesis.
    pub open: bool,
}

/// Tracks whether the current statement is inside a statement-set block.
#[derive(Default)]
struct BlockState {
    in_block: bool,
    case_depth: usize,
}

/// Splits `script` into statements.
pub fn split(script: &str) -> Result<Split> {
    let tokens = tokenize(script)?;
    let mut pieces = Vec::new();
    let mut first = 0;
    let mut depth = 0usize;
    let mut block = BlockState::default();
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth = depth.saturating_sub(1),
            TokenKind::Punct(';') if depth == 0 && !block.in_block => {
                if i > first {
                    pieces.push(piece(&tokens, first, i, true));
                }
                first = i + 1;
                block = BlockState::default();
            }
            TokenKind::Word => track_block(script, &tokens[first..=i], &mut block),
            _ => {}
        }
    }
    if first < tokens.len() {
        pieces.push(piece(&tokens, first, tokens.len(), false));
    }
    Ok(Split {
        tokens,
        pieces,
        open: depth > 0 || block.in_block,
    })
}

fn piece(tokens: &[Token], first: usize, end: usize, terminated: bool) -> Piece {
    Piece {
        start: tokens[first].start,
        end: tokens[end - 1].end,
        terminated,
        tokens: (first, end),
    }
}

/// Updates the block state with the last word of `statement` (its tokens so far).
fn track_block(script: &str, statement: &[Token], block: &mut BlockState) {
    let Some(last) = statement.last() else { return };
    let words: Vec<&Token> = statement
        .iter()
        .filter(|t| t.kind == TokenKind::Word)
        .take(4)
        .collect();
    let starts_with = |expected: &[&str]| {
        words.len() >= expected.len()
            && words
                .iter()
                .zip(expected)
                .all(|(t, w)| t.is_word(script, w))
    };
    if !block.in_block {
        // EXECUTE STATEMENT SET BEGIN ... END  /  BEGIN STATEMENT SET; ... END
        let opens = (last.is_word(script, "BEGIN")
            && starts_with(&["EXECUTE", "STATEMENT", "SET", "BEGIN"]))
            || (last.is_word(script, "SET") && starts_with(&["BEGIN", "STATEMENT", "SET"]));
        if opens && words.last().is_some_and(|w| w.start == last.start) {
            block.in_block = true;
        }
        return;
    }
    if last.is_word(script, "CASE") {
        block.case_depth += 1;
    } else if last.is_word(script, "END") {
        if block.case_depth > 0 {
            block.case_depth -= 1;
        } else {
            block.in_block = false;
        }
    }
}

/// Whether `text` typed so far holds complete statements: something that
/// is not a comment, ending with a `;` outside strings, comments,
/// parentheses and blocks. An unterminated string is incomplete.
pub fn input_complete(text: &str) -> bool {
    match split(text) {
        Ok(split) => !split.open && split.pieces.last().is_some_and(|p| p.terminated),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(script: &str) -> Vec<&str> {
        split(script)
            .unwrap()
            .pieces
            .iter()
            .map(|p| &script[p.start..p.end])
            .collect()
    }

    #[test]
    fn split_ignores_semicolons_in_strings_identifiers_and_comments() {
        let script = "SELECT 'a;b'; SELECT \"c;d\" -- e;\n; /* f; */ SELECT `g;h`";
        assert_eq!(
            texts(script),
            vec!["SELECT 'a;b'", "SELECT \"c;d\"", "SELECT `g;h`"]
        );
    }

    #[test]
    fn split_keeps_statement_set_blocks_whole() {
        let script = "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT CASE WHEN x THEN 1 END FROM t; INSERT INTO b SELECT 1; END; SELECT 2;";
        let parts = texts(script);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].ends_with("END"));
        let script = "BEGIN STATEMENT SET;\nINSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2);\nEND;\nSELECT 1";
        assert_eq!(
            texts(script),
            vec![
                "BEGIN STATEMENT SET;\nINSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2);\nEND",
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn split_keeps_parenthesised_bodies_whole() {
        let script = "CREATE SCHEDULE s CRON '0 2 * * *' AS (a RUN SQL 'x;y'; b RUN JOB j AFTER a); SHOW RUNS;";
        assert_eq!(texts(script).len(), 2);
    }

    #[test]
    fn split_transaction_begin_is_not_a_block() {
        assert_eq!(
            texts("BEGIN; SELECT 1; COMMIT;"),
            vec!["BEGIN", "SELECT 1", "COMMIT"]
        );
    }

    #[test]
    fn input_complete_waits_for_the_terminator() {
        assert!(!input_complete("SELECT 1"));
        assert!(input_complete("SELECT 1;"));
        assert!(input_complete("SELECT 1; -- done"));
        assert!(!input_complete("SELECT 'a;"));
        assert!(!input_complete(
            "BEGIN STATEMENT SET; INSERT INTO a VALUES (1);"
        ));
        assert!(input_complete(
            "BEGIN STATEMENT SET; INSERT INTO a VALUES (1); END;"
        ));
        assert!(!input_complete("-- only a comment"));
    }

    proptest! {
        #[test]
        fn split_never_panics_and_pieces_are_ordered(script in "\\PC{0,200}") {
            if let Ok(split) = split(&script) {
                let mut last = 0;
                for p in &split.pieces {
                    prop_assert!(p.start >= last && p.end > p.start && p.end <= script.len());
                    last = p.end;
                }
            }
        }

        #[test]
        fn split_of_joined_simple_statements_gives_them_back(words in proptest::collection::vec("[a-z]{1,8}( '[a-z; ]{0,6}')?", 1..6)) {
            let statements: Vec<String> = words.iter().map(|w| format!("SELECT {w}")).collect();
            let script = statements.join(";\n");
            prop_assert_eq!(texts(&script), statements.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}
