//! The SQL layer: splitting a script into statements ([`split`]), parsing
//! scaleph's extension statements into [`ast::Statement`] ([`parser`]), and
//! classifying Flink SQL once, without ever rejecting it ([`classify`]).
//!
//! This layer knows nothing of where a statement runs: it imports only the
//! foundation ([`crate::error`], [`crate::duration`]), so `scaleph check`, the fuzz targets and the parse
//! benchmark build it without the engine.

pub mod ast;
pub mod classify;
pub mod cron;
pub mod lexer;
pub mod mask;
pub mod parser;
pub mod preview;
#[cfg(test)]
mod roundtrip;
pub mod split;
mod variables;

use crate::error::Result;

pub use ast::Statement;
pub use split::input_complete;

/// One statement of a script, with its original text and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedStatement {
    /// What it is.
    pub statement: Statement,
    /// Its original text, without the terminating `;` (forwarded as is).
    pub text: String,
    /// Byte offset of `text` in the script.
    pub offset: usize,
    /// 1-based line of its first character in the script.
    pub line: usize,
    /// 1-based column (in characters) of its first character.
    pub column: usize,
}

impl ParsedStatement {
    /// `err` with a position when it has none but names an option key
    /// (found after parsing, e.g. by validation against a datasource
    /// type): the position of that key in this statement.
    pub fn locate(&self, mut err: crate::error::Error) -> crate::error::Error {
        use lexer::{TokenKind, tokenize};
        let (None, Some(key)) = (err.position, err.subject.as_ref().map(|s| s.0.as_str())) else {
            return err;
        };
        let Ok(tokens) = tokenize(&self.text) else {
            return err;
        };
        let found = tokens.windows(2).find(|pair| {
            pair[1].kind == TokenKind::Punct('=')
                && matches!(pair[0].kind, TokenKind::Word | TokenKind::String)
                && pair[0].value(&self.text).eq_ignore_ascii_case(key)
        });
        if let Some(pair) = found {
            err.position = Some(crate::error::Position::within(
                self.position(),
                &self.text,
                pair[0].start,
            ));
        }
        err
    }

    /// Where the statement starts in its script.
    pub fn position(&self) -> crate::error::Position {
        crate::error::Position {
            offset: self.offset,
            line: self.line,
            column: self.column,
        }
    }

    /// The statement as it may be logged: values of options whose keys look
    /// secret (`'password' = '...'`, `secret_key = '...'`) are masked. A
    /// Flink statement was masked when it was classified.
    pub fn redacted(&self) -> std::borrow::Cow<'_, str> {
        let flink = match &self.statement {
            Statement::Flink(flink) | Statement::Query(ast::Query { flink, .. }) => Some(flink),
            Statement::Catalog(catalog) => catalog.flink(),
            _ => None,
        };
        match flink {
            Some(flink) => flink.redacted.as_deref().unwrap_or(&self.text).into(),
            None => mask::redact(&self.text).into(),
        }
    }
}

/// Splits `script` into statements and parses each. An empty script (only
/// whitespace and comments) gives no statements. Errors carry the position
/// in `script`.
pub fn parse_script(script: &str) -> Result<Vec<ParsedStatement>> {
    parse_each(script)?.into_iter().collect()
}

/// Splits `script` and parses every statement on its own: one result per
/// statement, so a bad statement does not hide the ones after it. Fails
/// as a whole only when the script does not split (an unterminated string
/// or comment).
pub fn parse_each(script: &str) -> Result<Vec<Result<ParsedStatement>>> {
    let split = split::split(script)?;
    let mut lines = LineTracker::default();
    Ok(split
        .pieces
        .iter()
        .map(|piece| {
            let tokens = &split.tokens[piece.tokens.0..piece.tokens.1];
            let (line, column) = lines.advance(script, piece.start);
            Ok(ParsedStatement {
                statement: parser::parse_statement(script, tokens, piece.start, piece.end)?,
                text: script[piece.start..piece.end].to_string(),
                offset: piece.start,
                line,
                column,
            })
        })
        .collect())
}

/// Line and column of increasing offsets in one script, in one pass over
/// it (a 1 MB script of ten thousand statements is not rescanned each time).
#[derive(Default)]
struct LineTracker {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineTracker {
    /// The 1-based line and column of `offset`, which is not before the
    /// previous one asked.
    fn advance(&mut self, script: &str, offset: usize) -> (usize, usize) {
        let skipped = &script[self.offset..offset];
        if let Some(last) = skipped.rfind('\n') {
            self.line += skipped.matches('\n').count();
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        (
            self.line + 1,
            script[self.line_start..offset].chars().count() + 1,
        )
    }
}

/// Every syntax problem in `script`, not just the first: each statement
/// is parsed on its own, so `scaleph check` reports them all.
pub fn check_script(script: &str) -> Vec<crate::error::Error> {
    match parse_each(script) {
        Ok(statements) => statements.into_iter().filter_map(Result::err).collect(),
        Err(err) => vec![err],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_script_keeps_original_text_and_offsets() {
        let script = "  SELECT 1 ;\n-- c\nCREATE DATASOURCE d TYPE mysql;";
        let statements = parse_script(script).unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].text, "SELECT 1");
        assert_eq!(statements[1].offset, script.find("CREATE").unwrap());
        assert!(parse_script(" -- nothing\n ").unwrap().is_empty());
    }

    #[test]
    fn redacted_masks_secret_values_everywhere() {
        let statement = &parse_script(
            "CREATE DATASOURCE d TYPE mysql WITH (host = 'h', password = 'pw1', 'sasl.jaas.config' = 'pw2')",
        )
        .unwrap()[0];
        let redacted = statement.redacted();
        assert!(
            !redacted.contains("pw1") && !redacted.contains("pw2"),
            "{redacted}"
        );
        assert!(redacted.contains("'h'"));
        let flink =
            &parse_script("CREATE TABLE t (a INT) WITH ('connector' = 'jdbc', 'password' = 'pw3')")
                .unwrap()[0];
        assert!(!flink.redacted().contains("pw3"));
    }

    /// A cluster's FILES are paths, shown as written; its secret options
    /// are masked in the text as written and in its canonical SQL alike.
    #[test]
    fn cluster_files_are_shown_and_secret_options_masked_as_written_and_printed() {
        let text = "CREATE CLUSTER k TYPE KUBERNETES_SESSION WITH ('kubernetes.token' = 'tok9') \
                    FILES ('pod.template' = '/etc/pod.yaml')";
        let statement = &parse_script(text).unwrap()[0];
        let printed = statement.statement.canonical_sql().unwrap();
        for shown in [statement.redacted().into_owned(), mask::redact(&printed)] {
            assert!(!shown.contains("tok9"), "{shown}");
            assert!(
                shown.ends_with("FILES ('pod.template' = '/etc/pod.yaml')"),
                "{shown}"
            );
        }
        let alter =
            &parse_script("ALTER CLUSTER k SET FILES ('pod.template' = '/p.yaml')").unwrap()[0];
        assert_eq!(alter.redacted(), alter.text);
    }

    #[test]
    fn check_script_reports_every_bad_statement() {
        let errors = check_script("CREATE DATASOURCE a TYP x;\nSELECT 1;\nDROP DATASOURCE;\n");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].position.unwrap().line, 3);
        assert_eq!(check_script("SELECT 'open").len(), 1);
    }

    /// Every grammar example parses; every extension statement round-trips.
    #[test]
    fn grammar_examples_parse_and_round_trip() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/examples");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let script = std::fs::read_to_string(&path).unwrap();
            let statements =
                parse_script(&script).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            for statement in statements {
                count += 1;
                let Some(printed) = statement.statement.canonical_sql() else {
                    continue;
                };
                let again = parse_script(&printed)
                    .unwrap_or_else(|e| panic!("{printed}: {e:?}"))
                    .remove(0)
                    .statement;
                assert_eq!(
                    again,
                    statement.statement,
                    "{} does not round-trip: {printed}",
                    path.display()
                );
            }
        }
        assert!(count > 100, "examples are missing: {count}");
    }

    /// Every statement production of `grammar/scaleph.ebnf` is named in a
    /// `-- comment` of some example file, so none lacks examples.
    #[test]
    fn every_grammar_production_has_examples() {
        const NOT_STATEMENTS: &[&str] = &[
            "script",
            "statement",
            "kind",
            "kinds",
            "object_statement",
            "datasource_statement",
            "files",
            "file",
            "sink",
            "sync_mode",
            "sync_engine",
            "job_body",
            "task",
            "preview_body",
            "variable",
            "set_value",
            "value_item",
            "transaction_mode",
            "if_not_exists",
            "like",
            "options",
            "option",
            "option_key",
            "option_value",
            "qualified_name",
            "name",
            "catalog_name",
            "quoted_name",
            "string",
            "word",
            "number",
            "integer",
            "flink_insert",
            "flink_statement_set",
            "flink_create_table_as",
            "query",
            "flink_statement",
        ];
        let root = env!("CARGO_MANIFEST_DIR");
        let grammar = std::fs::read_to_string(format!("{root}/grammar/scaleph.ebnf")).unwrap();
        let mut comments = String::new();
        for entry in std::fs::read_dir(format!("{root}/grammar/examples")).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines().filter(|l| l.starts_with("--")) {
                comments.push_str(line);
                comments.push('\n');
            }
        }
        let productions: Vec<&str> = grammar
            .lines()
            .filter_map(|line| line.split_once("::=").map(|(name, _)| name.trim()))
            .filter(|name| !name.is_empty() && !name.contains(' '))
            .collect();
        assert!(productions.len() > 40, "{productions:?}");
        let missing: Vec<&&str> = productions
            .iter()
            .filter(|p| !NOT_STATEMENTS.contains(p))
            .filter(|p| {
                !comments
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|w| w == **p)
            })
            .collect();
        assert!(
            missing.is_empty(),
            "productions without examples: {missing:?}"
        );
    }

    #[test]
    fn parse_script_gives_each_statement_its_line_and_column() {
        let script = "SELECT 1;\n  SHOW SYNCS; SHOW JOBS;\n\n\tSELECT 'é';  SELECT 2";
        let positions: Vec<(usize, usize)> = parse_script(script)
            .unwrap()
            .iter()
            .map(|s| (s.line, s.column))
            .collect();
        assert_eq!(positions, vec![(1, 1), (2, 3), (2, 15), (4, 2), (4, 15)]);
    }

    proptest! {
        #[test]
        fn parse_script_never_panics(script in "\\PC{0,120}") {
            let _ = parse_script(&script);
        }

        /// COPY's own parser, on what follows the keyword: options,
        /// parentheses and quotes in any order.
        #[test]
        fn copy_never_panics(
            rest in proptest::collection::vec(
                prop_oneof![
                    Just("("), Just(")"), Just(","), Just("'x'"), Just("''''"), Just("TO"),
                    Just("STDOUT"), Just("WITH"), Just("CSV"), Just("HEADER"), Just("FORMAT"),
                    Just("DELIMITER"), Just("NULL"), Just("QUOTE"), Just("AS"), Just("SELECT 1"),
                    Just("t"), Just("FROM"), Just("BINARY"), Just("ENCODING"), Just("'\t'"),
                ],
                0..12,
            )
        ) {
            let _ = parse_script(&format!("COPY {}", rest.join(" ")));
        }

        #[test]
        fn create_datasource_display_round_trips(
            name in "[a-z_][a-z0-9_]{0,10}",
            quoted in any::<bool>(),
            options in proptest::collection::btree_map("[a-z][a-z0-9_.]{0,8}[a-z0-9]", "[ -~]{0,10}", 0..4),
            ine in any::<bool>(),
        ) {
            let name = if quoted { format!("\"{name} X\"") } else { name };
            let options: Vec<String> = options.iter().map(|(k, v)| format!("'{k}' = '{}'", v.replace('\'', "''"))).collect();
            let with = if options.is_empty() { String::new() } else { format!(" WITH ({})", options.join(", ")) };
            let sql = format!("CREATE DATASOURCE {}{name} TYPE mysql{with}", if ine { "IF NOT EXISTS " } else { "" });
            let first = parse_script(&sql).unwrap().remove(0).statement;
            let printed = first.canonical_sql().unwrap();
            let second = parse_script(&printed).unwrap().remove(0).statement;
            prop_assert_eq!(first, second);
        }
    }
}
