//! Parsing one statement. scaleph's extension statements are recognised by
//! their leading words and parsed by a small recursive-descent parser over
//! the lexer's tokens, so every error points at the exact token in the
//! script; queries go to sqlparser (the AST DataFusion executes); anything
//! else is Flink SQL, classified by its leading words and never rejected.

use sqlparser::ast::Ident;
use sqlparser::dialect::GenericDialect;

use super::ast::*;
use super::classify::{flink_kind, is_flink_show};
use super::lexer::{Token, TokenKind};
use crate::error::{Error, Position, Result};

/// Object kinds scaleph adds after CREATE/DROP/SHOW, for did-you-mean.
const EXTENSION_KINDS: &[&str] = &["DATASOURCE", "DATASOURCES"];

/// Words that legitimately follow CREATE/DROP/SHOW in Flink SQL; never
/// "corrected" to an extension kind.
const FLINK_OBJECT_WORDS: &[&str] = &[
    "TABLE",
    "TABLES",
    "VIEW",
    "VIEWS",
    "DATABASE",
    "DATABASES",
    "CATALOG",
    "CATALOGS",
    "FUNCTION",
    "FUNCTIONS",
    "TEMPORARY",
    "SYSTEM",
    "OR",
    "MATERIALIZED",
    "MODEL",
    "MODELS",
    "MODULES",
    "JARS",
    "JOBS",
    "COLUMNS",
    "CURRENT",
    "CREATE",
    "FULL",
    "USER",
    "PARTITIONS",
    "PROCEDURES",
];

/// A cursor over one statement's tokens.
struct Cursor<'a> {
    script: &'a str,
    tokens: &'a [Token],
    pos: usize,
    /// Where the statement ends in the script (for "found end of statement").
    end: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.script, word))
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.peek_word(word);
        if found {
            self.pos += 1;
        }
        found
    }

    fn eat_words(&mut self, words: &[&str]) -> bool {
        let matches = words.iter().enumerate().all(|(i, w)| {
            self.tokens
                .get(self.pos + i)
                .is_some_and(|t| t.is_word(self.script, w))
        });
        if matches {
            self.pos += words.len();
        }
        matches
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let found = self.peek().is_some_and(|t| t.kind == TokenKind::Punct(c));
        if found {
            self.pos += 1;
        }
        found
    }

    /// An error "expected X, found Y" at the current token.
    fn expected(&self, what: &str) -> Error {
        match self.peek() {
            Some(token) => Error::syntax(
                format!("expected {what}, found \"{}\"", token.text(self.script)),
                Position::at(self.script, token.start),
            ),
            None => Error::syntax(
                format!("expected {what}, found end of statement"),
                Position::at(self.script, self.end),
            ),
        }
    }

    fn expect_word(&mut self, word: &str, context: &str) -> Result<()> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.expected(&format!("{word} {context}")))
        }
    }

    fn expect_punct(&mut self, c: char, context: &str) -> Result<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.expected(&format!("\"{c}\" {context}")))
        }
    }

    fn expect_end(&self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.expected("end of statement")),
        }
    }

    /// An identifier: a bare word or a "quoted" one.
    fn ident(&mut self, what: &str) -> Result<Ident> {
        match self.peek() {
            Some(token) if token.kind == TokenKind::Word => {
                self.pos += 1;
                let text = token.text(self.script);
                if text.len() > 63 {
                    return Err(Error::new(
                        crate::error::SqlState::INVALID_NAME,
                        format!("{what} \"{text}\" is longer than 63 characters"),
                    )
                    .with_position(Position::at(self.script, token.start)));
                }
                Ok(Ident::new(text))
            }
            Some(token)
                if token.kind == TokenKind::QuotedIdent
                    && token.text(self.script).starts_with('"') =>
            {
                self.pos += 1;
                let value = token.value(self.script);
                if value.is_empty() {
                    return Err(Error::syntax(
                        format!("{what} must not be empty"),
                        Position::at(self.script, token.start),
                    ));
                }
                Ok(Ident::with_quote('"', value))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `(key = value, ...)`.
    fn options(&mut self) -> Result<Options> {
        self.expect_punct('(', "to open the option list")?;
        let mut options: Vec<SqlOption> = Vec::new();
        if self.eat_punct(')') {
            return Ok(Options(options));
        }
        loop {
            let key_token = self.peek();
            let key = self.option_key()?;
            if options.iter().any(|o| o.key.eq_ignore_ascii_case(&key)) {
                let at = key_token.map_or(self.end, |t| t.start);
                return Err(Error::syntax(
                    format!("option \"{key}\" is given twice"),
                    Position::at(self.script, at),
                ));
            }
            self.expect_punct('=', &format!("after option \"{key}\""))?;
            let value = self.option_value()?;
            options.push(SqlOption { key, value });
            if self.eat_punct(')') {
                return Ok(Options(options));
            }
            self.expect_punct(',', "or \")\" in the option list")?;
        }
    }

    /// An option key: `'quoted.key'` or `dotted.bare-key`.
    fn option_key(&mut self) -> Result<String> {
        match self.peek() {
            Some(token) if token.kind == TokenKind::String => {
                self.pos += 1;
                Ok(token.value(self.script))
            }
            Some(token) if token.kind == TokenKind::Word => {
                let mut key = String::new();
                let mut last_end = token.start;
                while let Some(t) = self.peek() {
                    let joins = t.start == last_end || key.is_empty();
                    let part = matches!(
                        t.kind,
                        TokenKind::Word | TokenKind::Number | TokenKind::Punct('.' | '-')
                    );
                    if !(joins && part) {
                        break;
                    }
                    key.push_str(t.text(self.script));
                    last_end = t.end;
                    self.pos += 1;
                }
                Ok(key)
            }
            _ => Err(self.expected("an option name")),
        }
    }

    /// An option value: string, number (optionally signed), TRUE or FALSE.
    fn option_value(&mut self) -> Result<OptionValue> {
        let negative = self.eat_punct('-');
        match self.peek() {
            Some(t) if t.kind == TokenKind::Number => {
                self.pos += 1;
                let n = t.text(self.script);
                Ok(OptionValue::Number(if negative {
                    format!("-{n}")
                } else {
                    n.to_string()
                }))
            }
            Some(t) if !negative && t.kind == TokenKind::String => {
                self.pos += 1;
                Ok(OptionValue::String(t.value(self.script)))
            }
            Some(t)
                if !negative
                    && (t.is_word(self.script, "TRUE") || t.is_word(self.script, "FALSE")) =>
            {
                self.pos += 1;
                Ok(OptionValue::Boolean(t.is_word(self.script, "TRUE")))
            }
            _ => Err(self.expected("a value ('text', a number, TRUE or FALSE)")),
        }
    }
}

/// Parses the statement made of `tokens` (a slice of the script's tokens,
/// without the terminating `;`), whose text is `script[start..end]`.
pub fn parse_statement(
    script: &str,
    tokens: &[Token],
    start: usize,
    end: usize,
) -> Result<Statement> {
    let words: Vec<String> = tokens
        .iter()
        .take(4)
        .map(|t| {
            if t.kind == TokenKind::Word {
                t.text(script).to_ascii_uppercase()
            } else {
                String::new()
            }
        })
        .collect();
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let mut cursor = Cursor {
        script,
        tokens,
        pos: 0,
        end,
    };
    check_did_you_mean(script, tokens, &words)?;
    match (word(0), word(1)) {
        ("CREATE", "DATASOURCE") => {
            parse_create_datasource(&mut cursor).map(Statement::CreateDatasource)
        }
        ("DROP", "DATASOURCE") => parse_drop_datasource(&mut cursor).map(Statement::DropDatasource),
        ("SHOW", "DATASOURCES") => {
            parse_show_datasources(&mut cursor).map(Statement::ShowDatasources)
        }
        ("SET", _) => super::variables::parse_set(script, tokens, end),
        ("RESET", _) => super::variables::parse_reset(script, tokens, end),
        ("SHOW", second) if !is_flink_show(second) => {
            super::variables::parse_show(script, tokens, end)
        }
        ("BEGIN", "STATEMENT") => Ok(Statement::Flink(FlinkStatement {
            kind: FlinkStatementKind::StatementSet,
        })),
        ("BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT", _) => {
            parse_transaction(&mut cursor, word(0))
        }
        ("SELECT" | "WITH" | "VALUES" | "TABLE" | "EXPLAIN", _) | ("", _) => {
            Ok(parse_query(&script[start..end], &words))
        }
        _ => Ok(Statement::Flink(FlinkStatement {
            kind: flink_kind(&words),
        })),
    }
}

/// `CREATE DATASOUCE` and friends: an unknown word after CREATE/DROP/SHOW
/// that is close to one of scaleph's object kinds is a typo, not Flink SQL.
fn check_did_you_mean(script: &str, tokens: &[Token], words: &[String]) -> Result<()> {
    let (Some(first), Some(second)) = (words.first(), words.get(1)) else {
        return Ok(());
    };
    if !matches!(first.as_str(), "CREATE" | "DROP" | "SHOW") || second.is_empty() {
        return Ok(());
    }
    if EXTENSION_KINDS.contains(&second.as_str()) || FLINK_OBJECT_WORDS.contains(&second.as_str()) {
        return Ok(());
    }
    let closest = EXTENSION_KINDS
        .iter()
        .map(|k| (edit_distance(k, second), *k))
        .filter(|(d, _)| *d <= 2)
        .min();
    match closest {
        Some((_, kind)) => Err(Error::syntax(
            format!(
                "unknown object kind \"{}\" after {first}: did you mean {kind}?",
                tokens[1].text(script)
            ),
            Position::at(script, tokens[1].start),
        )),
        None => Ok(()),
    }
}

/// Levenshtein distance between two ASCII-ish words.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn parse_create_datasource(c: &mut Cursor) -> Result<CreateDatasource> {
    c.pos = 2;
    let if_not_exists = c.eat_words(&["IF", "NOT", "EXISTS"]);
    let name = c.ident("a datasource name")?;
    c.expect_word("TYPE", "after the datasource name")?;
    let datasource_type = c.ident("a datasource type")?;
    let options = if c.eat_word("WITH") {
        c.options()?
    } else {
        Options::default()
    };
    c.expect_end()?;
    Ok(CreateDatasource {
        if_not_exists,
        name,
        datasource_type,
        options,
    })
}

fn parse_drop_datasource(c: &mut Cursor) -> Result<DropDatasource> {
    c.pos = 2;
    let if_exists = c.eat_words(&["IF", "EXISTS"]);
    let name = c.ident("a datasource name")?;
    c.expect_end()?;
    Ok(DropDatasource { if_exists, name })
}

fn parse_show_datasources(c: &mut Cursor) -> Result<ShowDatasources> {
    c.pos = 2;
    let like = if c.eat_word("LIKE") {
        match c.peek() {
            Some(t) if t.kind == TokenKind::String => {
                c.pos += 1;
                Some(t.value(c.script))
            }
            _ => return Err(c.expected("a 'pattern' after LIKE")),
        }
    } else {
        None
    };
    c.expect_end()?;
    Ok(ShowDatasources { like })
}

fn parse_transaction(c: &mut Cursor, first: &str) -> Result<Statement> {
    let command = match first {
        "BEGIN" => TransactionCommand::Begin,
        "START" => {
            c.pos = 1;
            c.expect_word("TRANSACTION", "after START")?;
            TransactionCommand::Begin
        }
        "COMMIT" | "END" => TransactionCommand::Commit,
        _ => TransactionCommand::Rollback,
    };
    Ok(Statement::Transaction(command))
}

/// A query: in sqlparser's AST when sqlparser parses it, else Flink SQL.
fn parse_query(text: &str, words: &[String]) -> Statement {
    match sqlparser::parser::Parser::parse_sql(&GenericDialect {}, text) {
        Ok(mut statements) if statements.len() == 1 && is_query(&statements[0]) => {
            Statement::Query(Box::new(statements.remove(0)))
        }
        _ => Statement::Flink(FlinkStatement {
            kind: match flink_kind(words) {
                FlinkStatementKind::Other => FlinkStatementKind::Query,
                kind => kind,
            },
        }),
    }
}

fn is_query(statement: &sqlparser::ast::Statement) -> bool {
    match statement {
        sqlparser::ast::Statement::Query(_) => true,
        sqlparser::ast::Statement::Explain { statement, .. } => is_query(statement),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse_script;

    fn one(sql: &str) -> Statement {
        let mut statements = parse_script(sql).unwrap();
        assert_eq!(statements.len(), 1);
        statements.remove(0).statement
    }

    fn error(sql: &str) -> Error {
        parse_script(sql).unwrap_err()
    }

    #[test]
    fn create_datasource_parses_names_types_and_options() {
        let Statement::CreateDatasource(create) = one(
            "create datasource if not exists \"Pg Main\" type postgresql with (host = 'h', port = 5432, 'table.name.pattern' = 'x_{table}', ssl = true, execution.runtime-mode = 'batch', delta = -1)",
        ) else {
            panic!("not a CREATE DATASOURCE")
        };
        assert!(create.if_not_exists);
        assert_eq!(create.name, Ident::with_quote('"', "Pg Main"));
        assert_eq!(create.datasource_type.value, "postgresql");
        let keys: Vec<&str> = create.options.0.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "host",
                "port",
                "table.name.pattern",
                "ssl",
                "execution.runtime-mode",
                "delta"
            ]
        );
        assert_eq!(
            create.options.0[1].value,
            OptionValue::Number("5432".into())
        );
        assert_eq!(create.options.0[3].value, OptionValue::Boolean(true));
        assert_eq!(create.options.0[5].value, OptionValue::Number("-1".into()));
    }

    #[test]
    fn create_datasource_errors_point_at_the_mistake() {
        let err = error("SELECT 1;\nCREATE DATASOURCE x TYP mysql");
        assert_eq!(err.sqlstate, crate::error::SqlState::SYNTAX_ERROR);
        assert!(err.message.contains("expected TYPE"), "{}", err.message);
        let p = err.position.unwrap();
        assert_eq!((p.line, p.column), (2, 21));
        let err = error("CREATE DATASOURCE x TYPE mysql WITH (host = 'a', HOST = 'b')");
        assert!(err.message.contains("given twice"), "{}", err.message);
        assert_eq!(err.position.unwrap().column, 50);
        let err = error("CREATE DATASOURCE x TYPE mysql WITH (host 'a')");
        assert!(err.message.contains("\"=\""), "{}", err.message);
        let err = error("CREATE DATASOURCE x TYPE mysql WITH (host = 'a'");
        assert!(err.message.contains("end of statement"), "{}", err.message);
    }

    #[test]
    fn misspelled_kind_suggests_the_right_one() {
        let err = error("CREATE DATASOUCE x TYPE mysql");
        assert!(
            err.message.contains("did you mean DATASOURCE?"),
            "{}",
            err.message
        );
        assert_eq!(err.position.unwrap().column, 8);
        let err = error("show datasorces");
        assert!(
            err.message.contains("did you mean DATASOURCES?"),
            "{}",
            err.message
        );
        assert!(matches!(
            one("CREATE TABLE t (a INT, WATERMARK FOR a AS a)"),
            Statement::Flink(_)
        ));
    }

    #[test]
    fn queries_parse_into_sqlparser_and_flink_syntax_is_forwarded() {
        assert!(matches!(one("SELECT 1 + 1"), Statement::Query(_)));
        assert!(matches!(
            one("WITH t AS (SELECT 1) SELECT * FROM t"),
            Statement::Query(_)
        ));
        let flink =
            one("SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES))");
        assert_eq!(
            flink,
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::Query
            })
        );
        let ddl = one("CREATE TABLE t (id INT, ts AS PROCTIME()) WITH ('connector' = 'datagen')");
        assert_eq!(
            ddl,
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::Ddl
            })
        );
        assert_eq!(
            one("SHOW TABLES"),
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::Show
            })
        );
        assert_eq!(
            one("BEGIN STATEMENT SET; INSERT INTO a SELECT 1; END"),
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::StatementSet
            })
        );
    }

    #[test]
    fn transactions_are_recognised() {
        assert_eq!(
            one("BEGIN"),
            Statement::Transaction(TransactionCommand::Begin)
        );
        assert_eq!(
            one("START TRANSACTION ISOLATION LEVEL READ COMMITTED"),
            Statement::Transaction(TransactionCommand::Begin)
        );
        assert_eq!(
            one("end"),
            Statement::Transaction(TransactionCommand::Commit)
        );
        assert_eq!(
            one("ROLLBACK"),
            Statement::Transaction(TransactionCommand::Rollback)
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("DATASOURCE", "DATASOUCE"), 1);
        assert_eq!(edit_distance("ABC", "ABC"), 0);
        assert_eq!(edit_distance("", "AB"), 2);
    }
}
