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

/// Tracks whether the current statement is inside a statement-set block,
/// wherever it starts (`CREATE JOB j AS EXECUTE STATEMENT SET BEGIN ...`).
#[derive(Default)]
struct BlockState {
    in_block: bool,
    case_depth: usize,
    /// The statement's last three words before the current one, newest last.
    recent: [Option<Token>; 3],
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
            TokenKind::Word => track_block(script, *token, &mut block),
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

/// Updates the block state with `word`, the statement's latest word.
fn track_block(script: &str, word: Token, block: &mut BlockState) {
    let is = |t: Option<Token>, w: &str| t.is_some_and(|t| t.is_word(script, w));
    let [third, second, first] = block.recent;
    block.recent = [second, first, Some(word)];
    if !block.in_block {
        // EXECUTE STATEMENT SET BEGIN ... END  /  BEGIN STATEMENT SET; ... END
        block.in_block = (word.is_word(script, "BEGIN")
            && is(third, "EXECUTE")
            && is(second, "STATEMENT")
            && is(first, "SET"))
            || (word.is_word(script, "SET") && is(second, "BEGIN") && is(first, "STATEMENT"));
        return;
    }
    if word.is_word(script, "CASE") {
        block.case_depth += 1;
    } else if word.is_word(script, "END") {
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
    fn split_keeps_blocks_inside_jobs_whole() {
        let script = "CREATE JOB j AS EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END; CREATE JOB k AS BEGIN STATEMENT SET; INSERT INTO a SELECT 1; END; SELECT 3";
        let parts = texts(script);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[1].starts_with("CREATE JOB k") && parts[1].ends_with("END"));
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
