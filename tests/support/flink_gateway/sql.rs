//! The Flink SQL this double understands: a tokenizer with line/column
//! positions and a recursive-descent parser whose failures read like the
//! generated Flink parser's (`Encountered "x" at line L, column C.` plus the
//! tokens it was expecting there).

use super::types::{Kind, MAX_LENGTH, Type};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    /// A keyword or an unquoted identifier.
    Word,
    /// A `back-quoted` identifier.
    Quoted,
    /// A 'string' literal.
    Str,
    /// A numeric literal.
    Number,
    /// Punctuation or an operator.
    Symbol,
    /// The end of the text.
    Eof,
}

/// A token with its text and position.
#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// The value: unquoted for strings and quoted identifiers.
    text: String,
    /// The text as written.
    image: String,
    span: Span,
    /// Char offsets of the token in the statement.
    start: usize,
    end: usize,
}

/// A range of the statement, 1-based, ends inclusive (Calcite's
/// `From line 1, column 8 to line 1, column 9`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Span {
    /// First line.
    pub line: usize,
    /// First column.
    pub col: usize,
    /// Last line.
    pub end_line: usize,
    /// Last column.
    pub end_col: usize,
}

impl Span {
    /// The span from the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            end_line: other.end_line,
            end_col: other.end_col,
            ..self
        }
    }

    /// `From line L, column C to line L2, column C2`.
    pub fn describe(&self) -> String {
        format!(
            "From line {}, column {} to line {}, column {}",
            self.line, self.col, self.end_line, self.end_col
        )
    }
}

/// Why the text is not a statement the double understands.
#[derive(Clone, Debug)]
pub enum SqlError {
    /// A token that does not fit: `Encountered "x" at line L, column C.` and
    /// the expectation list. `eof` marks an incomplete statement.
    Parse {
        /// The message of the generated parser's exception.
        message: String,
        /// Whether the unexpected token is the end of the text.
        eof: bool,
    },
    /// An unterminated literal or an unknown character.
    Lexical(String),
}

/// Words that cannot be bare identifiers.
const RESERVED: &[&str] = &[
    "ALL",
    "ALTER",
    "AND",
    "ARRAY",
    "AS",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "CONSTRAINT",
    "COUNT",
    "CREATE",
    "CURRENT",
    "DATE",
    "DELETE",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FOR",
    "FROM",
    "FULL",
    "FUNCTION",
    "GROUP",
    "HAVING",
    "IN",
    "INNER",
    "INSERT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MAP",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "PRIMARY",
    "RESET",
    "RIGHT",
    "ROW",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TIME",
    "TIMESTAMP",
    "TRUE",
    "UNION",
    "UPDATE",
    "USER",
    "VALUE",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
    "YEAR",
    "MONTH",
    "DAY",
    "HOUR",
    "MINUTE",
    "SECOND",
];

/// The keywords a statement may start with, for the expectation list.
const STARTERS: &[&str] = &[
    "ADD", "ALTER", "BEGIN", "CREATE", "DESC", "DESCRIBE", "DROP", "END", "EXECUTE", "EXPLAIN",
    "INSERT", "LOAD", "REMOVE", "RESET", "SELECT", "SET", "SHOW", "STOP", "UNLOAD", "USE",
    "VALUES",
];

/// A (possibly qualified) identifier as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The identifier, unquoted.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A dotted name: `t`, `db.t` or `cat.db.t`.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The parts, outermost first.
    pub parts: Vec<Ident>,
}

impl Name {
    /// The span of the whole name.
    pub fn span(&self) -> Span {
        let first = self.parts.first().map(|p| p.span).unwrap_or_default();
        let last = self.parts.last().map(|p| p.span).unwrap_or_default();
        first.to(last)
    }

    /// The name as written, parts joined by dots.
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The last part.
    pub fn last(&self) -> &str {
        &self.parts.last().expect("a name has parts").name
    }
}

/// A column of CREATE TABLE.
#[derive(Clone, Debug)]
pub struct ColumnDef {
    /// Its name.
    pub name: String,
    /// Its type (PRIMARY KEY columns become NOT NULL at execution).
    pub ty: Type,
    /// `COMMENT '...'`.
    pub comment: Option<String>,
    /// Whether it is `AS PROCTIME()`.
    pub proctime: bool,
}

/// `CREATE [TEMPORARY] TABLE`.
#[derive(Clone, Debug)]
pub struct CreateTable {
    /// The table name.
    pub name: Name,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `TEMPORARY`.
    pub temporary: bool,
    /// The columns in order.
    pub columns: Vec<ColumnDef>,
    /// The primary key columns.
    pub primary_key: Vec<String>,
    /// `WATERMARK FOR column AS expression`, the expression as written.
    pub watermarks: Vec<(String, String)>,
    /// `COMMENT '...'` of the table.
    pub comment: Option<String>,
    /// `PARTITIONED BY (...)`.
    pub partitioned_by: Vec<String>,
    /// `WITH ('k' = 'v', ...)`, in order.
    pub options: Vec<(String, String)>,
}

/// A kind of catalog object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Object {
    /// A table.
    Table,
    /// A view.
    View,
    /// A database.
    Database,
    /// A catalog.
    Catalog,
    /// A function.
    Function,
}

/// What an `ALTER` does.
#[derive(Clone, Debug)]
pub enum AlterAction {
    /// `RENAME TO name`.
    Rename(Name),
    /// `SET ('k' = 'v')`.
    SetOptions(Vec<(String, String)>),
    /// `RESET ('k', ...)`.
    ResetOptions(Vec<String>),
    /// Anything else (accepted, no effect).
    Other,
}

/// A SHOW's `[NOT] LIKE 'pattern'`: whether NOT, and the pattern.
pub type LikeFilter = Option<(bool, String)>;

/// The `SHOW` statements.
#[derive(Clone, Debug)]
pub enum Show {
    /// `SHOW CATALOGS`.
    Catalogs,
    /// `SHOW CURRENT CATALOG`.
    CurrentCatalog,
    /// `SHOW CURRENT DATABASE`.
    CurrentDatabase,
    /// `SHOW DATABASES [FROM cat]`.
    Databases(Option<Ident>),
    /// `SHOW TABLES [FROM db] [[NOT] LIKE 'p']`.
    Tables(Option<Name>, LikeFilter),
    /// `SHOW VIEWS [FROM db] [[NOT] LIKE 'p']` (Flink 2.0 and later).
    Views(Option<Name>, LikeFilter),
    /// `SHOW [USER] FUNCTIONS`.
    Functions(bool),
    /// `SHOW [FULL] MODULES`.
    Modules(bool),
    /// `SHOW JARS`.
    Jars,
    /// `SHOW JOBS`.
    Jobs,
    /// `SHOW CREATE TABLE|VIEW name`.
    Create(Object, Name),
    /// `SHOW COLUMNS FROM name`.
    Columns(Name),
}

/// An expression of a select list or a VALUES row.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A literal.
    Literal(Literal, Span),
    /// A column reference (possibly qualified).
    Column(Vec<Ident>),
    /// `COUNT(*)` / `COUNT(x)`.
    Count(Span),
    /// `CAST(expr AS type)`: the operand, the target type (its `NOT NULL`
    /// ignored, as Flink's `SqlCastFunction` does) and the span of the call.
    Cast(Box<Expr>, Type, Span),
    /// Another function call: never resolvable by the double.
    Call(Ident, Vec<Expr>, Span),
}

impl Expr {
    /// Where the expression was written.
    pub fn span(&self) -> Span {
        match self {
            Expr::Literal(_, span) | Expr::Count(span) | Expr::Cast(_, _, span) => *span,
            Expr::Call(_, _, span) => *span,
            Expr::Column(parts) => {
                let first = parts.first().map(|p| p.span).unwrap_or_default();
                let last = parts.last().map(|p| p.span).unwrap_or_default();
                first.to(last)
            }
        }
    }

    /// Whether a `COUNT` appears in it (which makes its SELECT aggregate).
    pub fn has_count(&self) -> bool {
        match self {
            Expr::Count(_) => true,
            Expr::Cast(inner, ..) => inner.has_count(),
            Expr::Call(_, args, _) => args.iter().any(Expr::has_count),
            Expr::Literal(..) | Expr::Column(_) => false,
        }
    }
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// An exact integer, as written (with its sign).
    Integer(String),
    /// An exact decimal such as `1.50`.
    Decimal(String),
    /// An approximate number such as `1e3`.
    Double(String),
    /// A character string.
    Str(String),
    /// TRUE or FALSE.
    Bool(bool),
    /// NULL.
    Null,
}

/// One entry of a select list.
#[derive(Clone, Debug)]
pub enum Item {
    /// `*`.
    Star,
    /// An expression and its alias.
    Expr(Expr, Option<String>),
}

/// What a FROM clause names: a table or view, or a derived table.
#[derive(Clone, Debug)]
pub enum TableRef {
    /// A table or view by name.
    Named(Name),
    /// `(<query>)`.
    Derived(Box<Query>),
}

/// The FROM clause: `t` or `(<query>)`, then `[AS] alias [(c1, ...)]`.
#[derive(Clone, Debug)]
pub struct FromItem {
    /// What is read.
    pub table: TableRef,
    /// The correlation name.
    pub alias: Option<Ident>,
    /// The column alias list, renaming the columns positionally.
    pub columns: Vec<Ident>,
    /// The span of the table name or of the parenthesized query.
    pub span: Span,
}

/// `SELECT ... [FROM t | (<query>) [[AS] alias [(c1, ...)]]] [WHERE ...] [GROUP BY ...] [LIMIT n]`.
#[derive(Clone, Debug)]
pub struct Select {
    /// The select list.
    pub items: Vec<Item>,
    /// The table, view or derived table read.
    pub from: Option<FromItem>,
    /// The grouping columns.
    pub group_by: Vec<Ident>,
    /// `LIMIT n`.
    pub limit: Option<u64>,
}

/// A query.
#[derive(Clone, Debug)]
pub enum Query {
    /// A SELECT.
    Select(Select),
    /// `VALUES (...), (...)`.
    Values(Vec<Vec<Expr>>),
}

/// `INSERT INTO|OVERWRITE target [(columns)] query`.
#[derive(Clone, Debug)]
pub struct Insert {
    /// The sink.
    pub target: Name,
    /// The explicit target columns.
    pub columns: Vec<Ident>,
    /// What is written.
    pub source: Query,
}

/// A statement.
#[derive(Clone, Debug)]
pub enum Statement {
    /// `CREATE [TEMPORARY] TABLE`.
    CreateTable(CreateTable),
    /// `CREATE [TEMPORARY] VIEW name AS query`.
    CreateView {
        /// The view name.
        name: Name,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// `TEMPORARY`.
        temporary: bool,
        /// The query.
        query: Query,
        /// The query as written.
        text: String,
    },
    /// `CREATE DATABASE`.
    CreateDatabase {
        /// The database name.
        name: Name,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
    },
    /// `CREATE CATALOG name WITH (...)`.
    CreateCatalog {
        /// The catalog name.
        name: Ident,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// Its options.
        options: Vec<(String, String)>,
    },
    /// `CREATE [TEMPORARY [SYSTEM]] FUNCTION name AS 'class'`.
    CreateFunction {
        /// The function name.
        name: Name,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// `TEMPORARY SYSTEM`: a one-part name outside any catalog.
        system: bool,
    },
    /// `DROP ...`.
    Drop {
        /// What is dropped.
        object: Object,
        /// Its name.
        name: Name,
        /// `IF EXISTS`.
        if_exists: bool,
        /// `CASCADE` (databases).
        cascade: bool,
    },
    /// `ALTER ...`.
    Alter {
        /// What is altered.
        object: Object,
        /// Its name.
        name: Name,
        /// `IF EXISTS`.
        if_exists: bool,
        /// The change.
        action: AlterAction,
    },
    /// `USE CATALOG c`.
    UseCatalog(Ident),
    /// `USE [c.]db`.
    UseDatabase(Name),
    /// `USE MODULES m, ...`.
    UseModules(Vec<Ident>),
    /// `LOAD MODULE m`.
    LoadModule(Ident),
    /// `UNLOAD MODULE m`.
    UnloadModule(Ident),
    /// `SET` or `SET 'k' = 'v'`.
    Set(Option<(String, String)>),
    /// `RESET` or `RESET 'k'`.
    Reset(Option<String>),
    /// `ADD JAR 'path'`.
    AddJar(String),
    /// `REMOVE JAR 'path'`.
    RemoveJar,
    /// `SHOW ...`.
    Show(Show),
    /// `DESCRIBE name`.
    Describe(Name),
    /// `DESCRIBE JOB 'id'`.
    DescribeJob(String),
    /// `EXPLAIN statement`.
    Explain(Box<Statement>),
    /// `STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]`.
    StopJob {
        /// The job id.
        id: String,
        /// `WITH SAVEPOINT`.
        savepoint: bool,
    },
    /// `INSERT ...` (also `EXECUTE INSERT ...`).
    Insert(Insert),
    /// `EXECUTE STATEMENT SET BEGIN ... END`.
    ExecuteStatementSet(Vec<Insert>),
    /// `BEGIN STATEMENT SET`.
    BeginStatementSet,
    /// `END` of a statement set.
    End,
    /// A query.
    Query(Query),
}

impl Statement {
    /// Whether `configure-session` accepts it (SET, RESET, CREATE, DROP,
    /// USE, ALTER, LOAD/UNLOAD MODULE, ADD JAR).
    pub fn configures_session(&self) -> bool {
        matches!(
            self,
            Statement::CreateTable(_)
                | Statement::CreateView { .. }
                | Statement::CreateDatabase { .. }
                | Statement::CreateCatalog { .. }
                | Statement::CreateFunction { .. }
                | Statement::Drop { .. }
                | Statement::Alter { .. }
                | Statement::UseCatalog(_)
                | Statement::UseDatabase(_)
                | Statement::UseModules(_)
                | Statement::LoadModule(_)
                | Statement::UnloadModule(_)
                | Statement::Set(_)
                | Statement::Reset(_)
                | Statement::AddJar(_)
        )
    }
}

/// Splits `sql` into tokens, the last one `Eof`.
fn tokenize(sql: &str) -> Result<Vec<Token>, SqlError> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let (mut line, mut col) = (1usize, 1usize);
    let mut i = 0;
    // Positions of each char, so a token knows where it ends.
    let mut positions = Vec::with_capacity(chars.len());
    for &c in &chars {
        positions.push((line, col));
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    let at = |k: usize| positions[k];
    let span = |start: usize, end: usize| {
        let (line, col) = at(start);
        let (end_line, end_col) = at(end - 1);
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = i;
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            if i >= chars.len() {
                return Err(lexical(
                    at(chars.len() - 1),
                    &chars[start..].iter().collect::<String>(),
                ));
            }
            i += 2;
            continue;
        }
        let start = i;
        let (tok, text) = if c == '\'' || c == '`' {
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        let after: String = chars[start..].iter().collect();
                        return Err(lexical(at(chars.len() - 1), &after));
                    }
                    Some(&q) if q == c && chars.get(i + 1) == Some(&c) => {
                        value.push(c);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        value.push(other);
                        i += 1;
                    }
                }
            }
            (if c == '\'' { Tok::Str } else { Tok::Quoted }, value)
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            (Tok::Number, chars[start..i].iter().collect())
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            (Tok::Word, chars[start..i].iter().collect())
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let len = if ["<>", "<=", ">=", "!=", "||"].contains(&two.as_str()) {
                2
            } else {
                1
            };
            if !"()[],;.=<>*+-/%|!:".contains(c) {
                let shown: String = c.to_string();
                let (l, cl) = at(i);
                return Err(SqlError::Lexical(format!(
                    "Lexical error at line {l}, column {}.  Encountered: \"{shown}\" ({}), after : \"\"",
                    cl + 1,
                    c as u32
                )));
            }
            i += len;
            (Tok::Symbol, chars[start..i].iter().collect())
        };
        tokens.push(Token {
            tok,
            text,
            image: chars[start..i].iter().collect(),
            span: span(start, i),
            start,
            end: i,
        });
    }
    // The end token sits on the last character read, as the generated parser reports it.
    let eof_at = if chars.is_empty() {
        (1, 1)
    } else {
        at(chars.len() - 1)
    };
    tokens.push(Token {
        tok: Tok::Eof,
        text: String::new(),
        image: "<EOF>".into(),
        span: Span {
            line: eof_at.0,
            col: eof_at.1,
            end_line: eof_at.0,
            end_col: eof_at.1,
        },
        start: chars.len(),
        end: chars.len(),
    });
    Ok(tokens)
}

/// The tokenizer's error for an unterminated literal or comment.
fn lexical(end: (usize, usize), after: &str) -> SqlError {
    SqlError::Lexical(format!(
        "Lexical error at line {}, column {}.  Encountered: <EOF> after : \"{}\"",
        end.0,
        end.1 + 1,
        after.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// A parse failure at token `pos`, with what would have fitted.
struct Failure {
    pos: usize,
    expected: Vec<String>,
}

type PResult<T> = Result<T, Failure>;

struct Parser<'t> {
    sql: Vec<char>,
    toks: &'t [Token],
    pos: usize,
    /// Every optional token tried, with the position it was tried at.
    tried: Vec<(usize, String)>,
    /// The Flink release `(major, minor)` whose grammar applies.
    release: (u32, u32),
}

/// Parses `sql` into its statements (a trailing `;` allowed).
/// `release` is the Flink `(major, minor)` whose grammar applies: `SHOW
/// DATABASES FROM` parses from 1.19, `SHOW VIEWS FROM` from 2.0.
pub fn parse(sql: &str, release: (u32, u32)) -> Result<Vec<Statement>, SqlError> {
    let toks = tokenize(sql)?;
    let mut parser = Parser {
        sql: sql.chars().collect(),
        toks: &toks,
        pos: 0,
        tried: Vec::new(),
        release,
    };
    parser.statements().map_err(|f| parser.error(f))
}

impl<'t> Parser<'t> {
    fn statements(&mut self) -> PResult<Vec<Statement>> {
        let mut statements = Vec::new();
        loop {
            if self.peek().tok == Tok::Eof {
                if statements.is_empty() {
                    return Err(self.fail_with(STARTERS.iter().map(|k| quoted(k)).collect()));
                }
                return Ok(statements);
            }
            statements.push(self.statement()?);
            if self.peek().tok == Tok::Eof {
                return Ok(statements);
            }
            if !self.is_sym(";") {
                let mut expected = vec!["<EOF>".to_string()];
                expected.extend(self.tried_here());
                expected.push(quoted(";"));
                return Err(Failure {
                    pos: self.pos,
                    expected: dedup(expected),
                });
            }
            self.pos += 1;
        }
    }

    /// Turns a failure into the generated parser's message.
    fn error(&self, failure: Failure) -> SqlError {
        let token = &self.toks[failure.pos];
        let encountered = if token.tok == Tok::Eof {
            "<EOF>".to_string()
        } else {
            token.image.clone()
        };
        let mut message = format!(
            "Encountered \"{}\" at line {}, column {}.\n",
            encountered.replace('"', "\\\""),
            token.span.line,
            token.span.col
        );
        let expected = dedup(failure.expected);
        message.push_str(if expected.len() == 1 {
            "Was expecting:"
        } else {
            "Was expecting one of:"
        });
        for item in &expected {
            message.push_str("\n    ");
            message.push_str(item);
            message.push_str(if item == "<EOF>" { " " } else { " ..." });
        }
        SqlError::Parse {
            message,
            eof: token.tok == Tok::Eof,
        }
    }

    fn peek(&self) -> &Token {
        &self.toks[self.pos]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.toks[(self.pos + ahead).min(self.toks.len() - 1)]
    }

    /// Whether the current token is keyword `kw` (nothing recorded).
    fn is_kw(&self, kw: &str) -> bool {
        let t = self.peek();
        t.tok == Tok::Word && t.text.eq_ignore_ascii_case(kw)
    }

    fn is_kw_at(&self, ahead: usize, kw: &str) -> bool {
        let t = self.peek_at(ahead);
        t.tok == Tok::Word && t.text.eq_ignore_ascii_case(kw)
    }

    fn is_sym(&self, sym: &str) -> bool {
        let t = self.peek();
        t.tok == Tok::Symbol && t.text == sym
    }

    /// Consumes keyword `kw` if it is next; otherwise records it as tried.
    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            self.tried.push((self.pos, quoted(kw)));
            false
        }
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        if self.is_sym(sym) {
            self.pos += 1;
            true
        } else {
            self.tried.push((self.pos, quoted(sym)));
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    fn expect_sym(&mut self, sym: &str) -> PResult<()> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    /// What was tried at the current position.
    fn tried_here(&self) -> Vec<String> {
        self.tried
            .iter()
            .filter(|(p, _)| *p == self.pos)
            .map(|(_, e)| e.clone())
            .collect()
    }

    fn fail(&self) -> Failure {
        Failure {
            pos: self.pos,
            expected: dedup(self.tried_here()),
        }
    }

    fn fail_with(&self, extra: Vec<String>) -> Failure {
        let mut expected = self.tried_here();
        expected.extend(extra);
        Failure {
            pos: self.pos,
            expected: dedup(expected),
        }
    }

    /// An identifier: a non-reserved word or a `quoted` one.
    fn ident(&mut self) -> PResult<Ident> {
        let t = self.peek().clone();
        let ok = match t.tok {
            Tok::Quoted => true,
            Tok::Word => !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&t.text)),
            _ => false,
        };
        if ok {
            self.pos += 1;
            Ok(Ident {
                name: t.text,
                span: t.span,
            })
        } else {
            Err(self.fail_with(vec![
                "<IDENTIFIER>".into(),
                "<BACK_QUOTED_IDENTIFIER>".into(),
            ]))
        }
    }

    /// `a[.b[.c]]`.
    fn name(&mut self) -> PResult<Name> {
        let mut parts = vec![self.ident()?];
        while self.eat_sym(".") {
            parts.push(self.ident()?);
        }
        Ok(Name { parts })
    }

    fn string(&mut self) -> PResult<String> {
        if self.peek().tok == Tok::Str {
            let text = self.peek().text.clone();
            self.pos += 1;
            Ok(text)
        } else {
            Err(self.fail_with(vec!["<QUOTED_STRING>".into()]))
        }
    }

    fn unsigned(&mut self) -> PResult<u64> {
        let t = self.peek();
        if t.tok == Tok::Number
            && let Ok(n) = t.text.parse::<u64>()
        {
            self.pos += 1;
            return Ok(n);
        }
        Err(self.fail_with(vec!["<UNSIGNED_INTEGER_LITERAL>".into()]))
    }

    fn if_not_exists(&mut self) -> PResult<bool> {
        if self.eat_kw("IF") {
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
            return Ok(true);
        }
        Ok(false)
    }

    fn if_exists(&mut self) -> PResult<bool> {
        if self.eat_kw("IF") {
            self.expect_kw("EXISTS")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `('k' = 'v', ...)`.
    fn properties(&mut self) -> PResult<Vec<(String, String)>> {
        self.expect_sym("(")?;
        let mut props = Vec::new();
        if self.eat_sym(")") {
            return Ok(props);
        }
        loop {
            let key = self.string()?;
            self.expect_sym("=")?;
            let value = self.string()?;
            props.push((key, value));
            if self.eat_sym(",") {
                continue;
            }
            self.expect_sym(")")?;
            return Ok(props);
        }
    }

    /// The source text from token `from` up to (not including) the current token.
    fn text_from(&self, from: usize) -> String {
        let start = self.toks[from].start;
        let end = if self.pos > from {
            self.toks[self.pos - 1].end
        } else {
            start
        };
        self.sql[start..end].iter().collect()
    }

    fn statement(&mut self) -> PResult<Statement> {
        let word = if self.peek().tok == Tok::Word {
            self.peek().text.to_ascii_uppercase()
        } else {
            String::new()
        };
        match word.as_str() {
            "CREATE" => {
                self.pos += 1;
                self.create()
            }
            "DROP" => {
                self.pos += 1;
                self.drop()
            }
            "ALTER" => {
                self.pos += 1;
                self.alter()
            }
            "USE" => {
                self.pos += 1;
                self.use_()
            }
            "SET" => {
                self.pos += 1;
                if self.peek().tok == Tok::Str {
                    let key = self.string()?;
                    self.expect_sym("=")?;
                    let value = self.string()?;
                    Ok(Statement::Set(Some((key, value))))
                } else {
                    self.tried.push((self.pos, "<QUOTED_STRING>".into()));
                    Ok(Statement::Set(None))
                }
            }
            "RESET" => {
                self.pos += 1;
                if self.peek().tok == Tok::Str {
                    Ok(Statement::Reset(Some(self.string()?)))
                } else {
                    self.tried.push((self.pos, "<QUOTED_STRING>".into()));
                    Ok(Statement::Reset(None))
                }
            }
            "ADD" => {
                self.pos += 1;
                self.expect_kw("JAR")?;
                Ok(Statement::AddJar(self.string()?))
            }
            "REMOVE" => {
                self.pos += 1;
                self.expect_kw("JAR")?;
                self.string()?;
                Ok(Statement::RemoveJar)
            }
            "LOAD" | "UNLOAD" => {
                self.pos += 1;
                self.expect_kw("MODULE")?;
                let name = self.ident()?;
                if word == "LOAD" {
                    if self.is_kw("WITH") {
                        self.pos += 1;
                        self.properties()?;
                    } else {
                        self.tried.push((self.pos, quoted("WITH")));
                    }
                    Ok(Statement::LoadModule(name))
                } else {
                    Ok(Statement::UnloadModule(name))
                }
            }
            "SHOW" => {
                self.pos += 1;
                self.show()
            }
            "DESCRIBE" | "DESC" => {
                self.pos += 1;
                if self.is_kw("JOB") && self.peek_at(1).tok == Tok::Str {
                    self.pos += 1;
                    return Ok(Statement::DescribeJob(self.string()?));
                }
                self.eat_kw("EXTENDED");
                Ok(Statement::Describe(self.name()?))
            }
            "EXPLAIN" => {
                self.pos += 1;
                self.explain()
            }
            "STOP" => {
                self.pos += 1;
                self.expect_kw("JOB")?;
                let id = self.string()?;
                let mut savepoint = false;
                while self.eat_kw("WITH") {
                    if self.eat_kw("SAVEPOINT") {
                        savepoint = true;
                    } else {
                        self.expect_kw("DRAIN")?;
                    }
                }
                Ok(Statement::StopJob { id, savepoint })
            }
            "INSERT" => Ok(Statement::Insert(self.insert()?)),
            "EXECUTE" => {
                self.pos += 1;
                if self.is_kw("INSERT") {
                    return Ok(Statement::Insert(self.insert()?));
                }
                self.expect_kw("STATEMENT")?;
                self.expect_kw("SET")?;
                self.expect_kw("BEGIN")?;
                let mut inserts = Vec::new();
                loop {
                    inserts.push(self.insert()?);
                    self.expect_sym(";")?;
                    if self.eat_kw("END") {
                        return Ok(Statement::ExecuteStatementSet(inserts));
                    }
                }
            }
            "BEGIN" => {
                self.pos += 1;
                self.expect_kw("STATEMENT")?;
                self.expect_kw("SET")?;
                Ok(Statement::BeginStatementSet)
            }
            "END" => {
                self.pos += 1;
                Ok(Statement::End)
            }
            "SELECT" | "VALUES" => Ok(Statement::Query(self.query()?)),
            _ => Err(self.fail_with(STARTERS.iter().map(|k| quoted(k)).collect())),
        }
    }

    fn create(&mut self) -> PResult<Statement> {
        let temporary = self.eat_kw("TEMPORARY");
        let system = temporary && self.eat_kw("SYSTEM");
        if !system && self.eat_kw("TABLE") {
            return self.create_table(temporary);
        }
        if !system && self.eat_kw("VIEW") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.name()?;
            if self.eat_kw("COMMENT") {
                self.string()?;
            }
            self.expect_kw("AS")?;
            let from = self.pos;
            let query = self.query()?;
            let text = self.text_from(from);
            return Ok(Statement::CreateView {
                name,
                if_not_exists,
                temporary,
                query,
                text,
            });
        }
        if self.eat_kw("FUNCTION") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.name()?;
            self.expect_kw("AS")?;
            self.string()?;
            if self.eat_kw("LANGUAGE")
                && !(self.eat_kw("JAVA") || self.eat_kw("SCALA") || self.eat_kw("PYTHON"))
            {
                return Err(self.fail());
            }
            if self.eat_kw("USING") {
                loop {
                    self.expect_kw("JAR")?;
                    self.string()?;
                    if !self.eat_sym(",") {
                        break;
                    }
                }
            }
            return Ok(Statement::CreateFunction {
                name,
                if_not_exists,
                system,
            });
        }
        if !temporary && self.eat_kw("DATABASE") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.name()?;
            if self.eat_kw("COMMENT") {
                self.string()?;
            }
            if self.eat_kw("WITH") {
                self.properties()?;
            }
            return Ok(Statement::CreateDatabase {
                name,
                if_not_exists,
            });
        }
        if !temporary && self.eat_kw("CATALOG") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.ident()?;
            let mut options = Vec::new();
            if self.eat_kw("WITH") {
                options = self.properties()?;
            } else if self.eat_kw("COMMENT") {
                self.string()?;
                if self.eat_kw("WITH") {
                    options = self.properties()?;
                }
            }
            return Ok(Statement::CreateCatalog {
                name,
                if_not_exists,
                options,
            });
        }
        Err(self.fail())
    }

    fn create_table(&mut self, temporary: bool) -> PResult<Statement> {
        let if_not_exists = self.if_not_exists()?;
        let name = self.name()?;
        self.expect_sym("(")?;
        let mut table = CreateTable {
            name,
            if_not_exists,
            temporary,
            columns: Vec::new(),
            primary_key: Vec::new(),
            watermarks: Vec::new(),
            comment: None,
            partitioned_by: Vec::new(),
            options: Vec::new(),
        };
        loop {
            if self.is_kw("CONSTRAINT") {
                self.pos += 1;
                self.ident()?;
                table.primary_key = self.primary_key()?;
            } else if self.is_kw("PRIMARY") && self.is_kw_at(1, "KEY") {
                table.primary_key = self.primary_key()?;
            } else if self.is_kw("WATERMARK") && self.is_kw_at(1, "FOR") {
                self.pos += 2;
                let column = self.ident()?;
                self.expect_kw("AS")?;
                let from = self.pos;
                self.skip_expression(&[",", ")"])?;
                table.watermarks.push((column.name, self.text_from(from)));
            } else {
                let column = self.column()?;
                if let Some(pk) = column.1 {
                    table.primary_key = pk;
                }
                table.columns.push(column.0);
            }
            if self.eat_sym(",") {
                continue;
            }
            self.expect_sym(")")?;
            break;
        }
        if self.eat_kw("COMMENT") {
            table.comment = Some(self.string()?);
        }
        if self.eat_kw("PARTITIONED") {
            self.expect_kw("BY")?;
            self.expect_sym("(")?;
            loop {
                table.partitioned_by.push(self.ident()?.name);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        if self.eat_kw("WITH") {
            table.options = self.properties()?;
        }
        Ok(Statement::CreateTable(table))
    }

    /// `PRIMARY KEY (a, ...) NOT ENFORCED`.
    fn primary_key(&mut self) -> PResult<Vec<String>> {
        self.expect_kw("PRIMARY")?;
        self.expect_kw("KEY")?;
        self.expect_sym("(")?;
        let mut columns = Vec::new();
        loop {
            columns.push(self.ident()?.name);
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        self.expect_kw("NOT")?;
        self.expect_kw("ENFORCED")?;
        Ok(columns)
    }

    /// A column definition, with its inline primary key if any.
    fn column(&mut self) -> PResult<(ColumnDef, Option<Vec<String>>)> {
        let name = self.ident()?.name;
        if self.eat_kw("AS") {
            self.expect_kw("PROCTIME")?;
            self.expect_sym("(")?;
            self.expect_sym(")")?;
            let ty = Type::not_null(Kind::TimestampLtz(3));
            return Ok((
                ColumnDef {
                    name,
                    ty,
                    comment: None,
                    proctime: true,
                },
                None,
            ));
        }
        let ty = self.data_type()?;
        let mut pk = None;
        if self.is_kw("PRIMARY") {
            self.pos += 1;
            self.expect_kw("KEY")?;
            self.expect_kw("NOT")?;
            self.expect_kw("ENFORCED")?;
            pk = Some(vec![name.clone()]);
        }
        let comment = if self.eat_kw("COMMENT") {
            Some(self.string()?)
        } else {
            None
        };
        Ok((
            ColumnDef {
                name,
                ty,
                comment,
                proctime: false,
            },
            pk,
        ))
    }

    /// `(n)` after a type name, or `default`.
    fn length(&mut self, default: u32) -> PResult<u32> {
        if self.eat_sym("(") {
            let n = self.unsigned()? as u32;
            self.expect_sym(")")?;
            Ok(n)
        } else {
            Ok(default)
        }
    }

    /// A data type with its `NOT NULL`/`NULL` suffix.
    fn data_type(&mut self) -> PResult<Type> {
        const TYPES: &[&str] = &[
            "ARRAY",
            "BIGINT",
            "BINARY",
            "BOOLEAN",
            "BYTES",
            "CHAR",
            "DATE",
            "DECIMAL",
            "DOUBLE",
            "FLOAT",
            "INT",
            "INTEGER",
            "MAP",
            "MULTISET",
            "RAW",
            "ROW",
            "SMALLINT",
            "STRING",
            "TIME",
            "TIMESTAMP",
            "TIMESTAMP_LTZ",
            "TINYINT",
            "VARBINARY",
            "VARCHAR",
        ];
        let word = if self.peek().tok == Tok::Word {
            self.peek().text.to_ascii_uppercase()
        } else {
            String::new()
        };
        if !TYPES.contains(&word.as_str())
            && !["DEC", "NUMERIC", "CHARACTER", "REAL"].contains(&word.as_str())
        {
            return Err(self.fail_with(TYPES.iter().map(|t| quoted(t)).collect()));
        }
        self.pos += 1;
        let kind = match word.as_str() {
            "BOOLEAN" => Kind::Boolean,
            "TINYINT" => Kind::TinyInt,
            "SMALLINT" => Kind::SmallInt,
            "INT" | "INTEGER" => Kind::Int,
            "BIGINT" => Kind::BigInt,
            "FLOAT" | "REAL" => Kind::Float,
            "DOUBLE" => {
                self.eat_kw("PRECISION");
                Kind::Double
            }
            "DECIMAL" | "DEC" | "NUMERIC" => {
                let (mut p, mut s) = (10, 0);
                if self.eat_sym("(") {
                    p = self.unsigned()? as u32;
                    if self.eat_sym(",") {
                        s = self.unsigned()? as u32;
                    }
                    self.expect_sym(")")?;
                }
                Kind::Decimal(p, s)
            }
            "CHAR" | "CHARACTER" => Kind::Char(self.length(1)?),
            "VARCHAR" => Kind::Varchar(self.length(1)?),
            "STRING" => Kind::Varchar(MAX_LENGTH),
            "BINARY" => Kind::Binary(self.length(1)?),
            "VARBINARY" => Kind::Varbinary(self.length(1)?),
            "BYTES" => Kind::Varbinary(MAX_LENGTH),
            "DATE" => Kind::Date,
            "TIME" => {
                let p = self.length(0)?;
                if self.eat_kw("WITHOUT") {
                    self.expect_kw("TIME")?;
                    self.expect_kw("ZONE")?;
                }
                Kind::Time(p)
            }
            "TIMESTAMP" => {
                let p = self.length(6)?;
                if self.eat_kw("WITHOUT") {
                    self.expect_kw("TIME")?;
                    self.expect_kw("ZONE")?;
                    Kind::Timestamp(p)
                } else if self.eat_kw("WITH") {
                    self.expect_kw("LOCAL")?;
                    self.expect_kw("TIME")?;
                    self.expect_kw("ZONE")?;
                    Kind::TimestampLtz(p)
                } else {
                    Kind::Timestamp(p)
                }
            }
            "TIMESTAMP_LTZ" => Kind::TimestampLtz(self.length(6)?),
            "ARRAY" => {
                self.expect_sym("<")?;
                let element = self.data_type()?;
                self.expect_sym(">")?;
                Kind::Array(Box::new(element))
            }
            "MAP" => {
                self.expect_sym("<")?;
                let key = self.data_type()?;
                self.expect_sym(",")?;
                let value = self.data_type()?;
                self.expect_sym(">")?;
                Kind::Map(Box::new(key), Box::new(value))
            }
            "MULTISET" => {
                self.expect_sym("<")?;
                let element = self.data_type()?;
                self.expect_sym(">")?;
                Kind::Multiset(Box::new(element))
            }
            "RAW" => {
                self.expect_sym("(")?;
                let class = self.string()?;
                if self.eat_sym(",") {
                    self.string()?;
                }
                self.expect_sym(")")?;
                Kind::Raw(class)
            }
            _ => {
                let close = if self.eat_sym("<") {
                    ">"
                } else {
                    self.expect_sym("(")?;
                    ")"
                };
                let mut fields = Vec::new();
                loop {
                    let name = self.ident()?.name;
                    let ty = self.data_type()?;
                    fields.push((name, ty));
                    if !self.eat_sym(",") {
                        break;
                    }
                }
                self.expect_sym(close)?;
                Kind::Row(fields)
            }
        };
        let nullable = if self.is_kw("NOT") && self.is_kw_at(1, "NULL") {
            self.pos += 2;
            false
        } else {
            self.tried.push((self.pos, quoted("NOT")));
            self.eat_kw("NULL");
            true
        };
        Ok(Type { kind, nullable })
    }

    /// Skips an expression this double does not evaluate, up to one of
    /// `stops` at depth 0 (or a clause keyword, `;`, the end); at least one token.
    fn skip_expression(&mut self, stops: &[&str]) -> PResult<()> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            let stop = match t.tok {
                Tok::Eof => true,
                Tok::Symbol if t.text == ";" => true,
                Tok::Symbol
                    if depth == 0 && (stops.contains(&t.text.as_str()) || t.text == ")") =>
                {
                    true
                }
                Tok::Word if depth == 0 => ["GROUP", "ORDER", "LIMIT", "UNION"]
                    .iter()
                    .any(|k| t.text.eq_ignore_ascii_case(k)),
                _ => false,
            };
            if stop {
                break;
            }
            if t.tok == Tok::Symbol && t.text == "(" {
                depth += 1;
            } else if t.tok == Tok::Symbol && t.text == ")" {
                depth -= 1;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.fail_with(expression_starters()));
        }
        Ok(())
    }

    fn drop(&mut self) -> PResult<Statement> {
        let temporary = self.eat_kw("TEMPORARY");
        if temporary {
            self.eat_kw("SYSTEM");
        }
        let object = if self.eat_kw("TABLE") {
            Object::Table
        } else if self.eat_kw("VIEW") {
            Object::View
        } else if self.eat_kw("FUNCTION") {
            Object::Function
        } else if !temporary && self.eat_kw("DATABASE") {
            Object::Database
        } else if !temporary && self.eat_kw("CATALOG") {
            Object::Catalog
        } else {
            return Err(self.fail());
        };
        let if_exists = self.if_exists()?;
        let name = if object == Object::Catalog {
            Name {
                parts: vec![self.ident()?],
            }
        } else {
            self.name()?
        };
        let mut cascade = false;
        if object == Object::Database {
            if self.eat_kw("CASCADE") {
                cascade = true;
            } else {
                self.eat_kw("RESTRICT");
            }
        }
        Ok(Statement::Drop {
            object,
            name,
            if_exists,
            cascade,
        })
    }

    fn alter(&mut self) -> PResult<Statement> {
        let object = if self.eat_kw("TABLE") {
            Object::Table
        } else if self.eat_kw("VIEW") {
            Object::View
        } else if self.eat_kw("DATABASE") {
            Object::Database
        } else if self.eat_kw("FUNCTION") {
            Object::Function
        } else if self.eat_kw("CATALOG") {
            Object::Catalog
        } else {
            return Err(self.fail());
        };
        let if_exists = self.if_exists()?;
        let name = self.name()?;
        let action = if self.eat_kw("RENAME") {
            self.expect_kw("TO")?;
            AlterAction::Rename(self.name()?)
        } else if self.is_kw("SET") && self.peek_at(1).text == "(" {
            self.pos += 1;
            AlterAction::SetOptions(self.properties()?)
        } else if self.is_kw("RESET") && self.peek_at(1).text == "(" {
            self.pos += 1;
            self.expect_sym("(")?;
            let mut keys = Vec::new();
            loop {
                keys.push(self.string()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            AlterAction::ResetOptions(keys)
        } else {
            self.skip_expression(&[])?;
            AlterAction::Other
        };
        Ok(Statement::Alter {
            object,
            name,
            if_exists,
            action,
        })
    }

    fn use_(&mut self) -> PResult<Statement> {
        if self.is_kw("CATALOG")
            && self.peek_at(1).tok != Tok::Symbol
            && self.peek_at(1).tok != Tok::Eof
        {
            self.pos += 1;
            return Ok(Statement::UseCatalog(self.ident()?));
        }
        if self.is_kw("MODULES") {
            self.pos += 1;
            let mut modules = vec![self.ident()?];
            while self.eat_sym(",") {
                modules.push(self.ident()?);
            }
            return Ok(Statement::UseModules(modules));
        }
        self.tried.push((self.pos, quoted("CATALOG")));
        self.tried.push((self.pos, quoted("MODULES")));
        let name = self.name()?;
        if name.parts.len() > 2 {
            return Err(Failure {
                pos: self.pos - 2,
                expected: vec!["<EOF>".into(), quoted(";")],
            });
        }
        Ok(Statement::UseDatabase(name))
    }

    /// `[FROM|IN [cat.]db] [[NOT] LIKE 'p']` of SHOW TABLES / SHOW VIEWS.
    /// `[FROM|IN name] [[NOT] LIKE '...']` of SHOW TABLES, and of SHOW
    /// VIEWS (`views`), whose `FROM` came with Flink 2.0.
    fn relations_scope(&mut self, views: bool) -> PResult<(Option<Name>, LikeFilter)> {
        let scoped = !views || self.release >= (2, 0);
        let from = if scoped && (self.eat_kw("FROM") || self.eat_kw("IN")) {
            Some(self.name()?)
        } else {
            None
        };
        let not = self.eat_kw("NOT");
        let like = if self.eat_kw("LIKE") {
            Some((not, self.string()?))
        } else if not {
            return Err(self.fail());
        } else {
            None
        };
        Ok((from, like))
    }

    fn show(&mut self) -> PResult<Statement> {
        let show = if self.eat_kw("CATALOGS") {
            Show::Catalogs
        } else if self.eat_kw("CURRENT") {
            if self.eat_kw("CATALOG") {
                Show::CurrentCatalog
            } else {
                self.expect_kw("DATABASE")?;
                Show::CurrentDatabase
            }
        } else if self.eat_kw("DATABASES") {
            // SHOW DATABASES FROM came with Flink 1.19.
            let from = if self.release >= (1, 19) && (self.eat_kw("FROM") || self.eat_kw("IN")) {
                Some(self.ident()?)
            } else {
                None
            };
            Show::Databases(from)
        } else if self.eat_kw("TABLES") {
            let (from, like) = self.relations_scope(false)?;
            Show::Tables(from, like)
        } else if self.eat_kw("VIEWS") {
            let (from, like) = self.relations_scope(true)?;
            Show::Views(from, like)
        } else if self.eat_kw("FUNCTIONS") {
            Show::Functions(false)
        } else if self.eat_kw("USER") {
            self.expect_kw("FUNCTIONS")?;
            Show::Functions(true)
        } else if self.eat_kw("MODULES") {
            Show::Modules(false)
        } else if self.eat_kw("FULL") {
            self.expect_kw("MODULES")?;
            Show::Modules(true)
        } else if self.eat_kw("JARS") {
            Show::Jars
        } else if self.eat_kw("JOBS") {
            Show::Jobs
        } else if self.eat_kw("CREATE") {
            let object = if self.eat_kw("TABLE") {
                Object::Table
            } else {
                self.expect_kw("VIEW")?;
                Object::View
            };
            Show::Create(object, self.name()?)
        } else if self.eat_kw("COLUMNS") {
            if !(self.eat_kw("FROM") || self.eat_kw("IN")) {
                return Err(self.fail());
            }
            Show::Columns(self.name()?)
        } else {
            return Err(self.fail());
        };
        Ok(Statement::Show(show))
    }

    fn explain(&mut self) -> PResult<Statement> {
        if self.eat_kw("PLAN") {
            self.expect_kw("FOR")?;
        } else {
            const DETAILS: &[&str] = &[
                "ESTIMATED_COST",
                "CHANGELOG_MODE",
                "JSON_EXECUTION_PLAN",
                "PLAN_ADVICE",
            ];
            while DETAILS.iter().any(|d| self.is_kw(d)) {
                self.pos += 1;
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        let inner = if self.is_kw("INSERT") {
            Statement::Insert(self.insert()?)
        } else if self.is_kw("SELECT") || self.is_kw("VALUES") {
            Statement::Query(self.query()?)
        } else if self.is_kw("STATEMENT") {
            self.pos += 1;
            self.expect_kw("SET")?;
            self.expect_kw("BEGIN")?;
            let mut inserts = Vec::new();
            loop {
                inserts.push(self.insert()?);
                self.expect_sym(";")?;
                if self.eat_kw("END") {
                    break;
                }
            }
            Statement::ExecuteStatementSet(inserts)
        } else {
            let mut expected: Vec<String> = ["INSERT", "SELECT", "STATEMENT", "VALUES"]
                .iter()
                .map(|k| quoted(k))
                .collect();
            expected.insert(0, quoted("PLAN"));
            return Err(self.fail_with(expected));
        };
        Ok(Statement::Explain(Box::new(inner)))
    }

    fn insert(&mut self) -> PResult<Insert> {
        self.expect_kw("INSERT")?;
        if !self.eat_kw("INTO") {
            self.expect_kw("OVERWRITE")?;
        }
        let target = self.name()?;
        if self.eat_kw("PARTITION") {
            self.expect_sym("(")?;
            loop {
                self.ident()?;
                if self.eat_sym("=") {
                    self.expr()?;
                }
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        let mut columns = Vec::new();
        if self.eat_sym("(") {
            loop {
                columns.push(self.ident()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        let source = self.query()?;
        Ok(Insert {
            target,
            columns,
            source,
        })
    }

    fn query(&mut self) -> PResult<Query> {
        if self.eat_kw("VALUES") {
            let mut rows = Vec::new();
            loop {
                self.expect_sym("(")?;
                let mut row = vec![self.expr()?];
                while self.eat_sym(",") {
                    row.push(self.expr()?);
                }
                self.expect_sym(")")?;
                rows.push(row);
                if !self.eat_sym(",") {
                    return Ok(Query::Values(rows));
                }
            }
        }
        if !self.eat_kw("SELECT") {
            return Err(self.fail_with(vec![quoted("SELECT"), quoted("WITH"), quoted("(")]));
        }
        if !self.eat_kw("ALL") {
            self.tried.push((self.pos, quoted("DISTINCT")));
        }
        let mut items = Vec::new();
        loop {
            if self.eat_sym("*") {
                items.push(Item::Star);
            } else {
                let expr = self.expr()?;
                let bare_alias = matches!(self.peek().tok, Tok::Word | Tok::Quoted)
                    && !RESERVED
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(&self.peek().text));
                let alias = if self.eat_kw("AS") || bare_alias {
                    Some(self.ident()?.name)
                } else {
                    None
                };
                items.push(Item::Expr(expr, alias));
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        let mut select = Select {
            items,
            from: None,
            group_by: Vec::new(),
            limit: None,
        };
        if self.eat_kw("FROM") {
            select.from = Some(self.from()?);
            if self.eat_kw("WHERE") {
                self.skip_expression(&[])?;
            }
            if self.eat_kw("GROUP") {
                self.expect_kw("BY")?;
                loop {
                    let mut column = self.ident()?;
                    while self.eat_sym(".") {
                        column = self.ident()?;
                    }
                    select.group_by.push(column);
                    if !self.eat_sym(",") {
                        break;
                    }
                }
            }
        }
        if self.eat_kw("LIMIT") {
            select.limit = Some(self.unsigned()?);
        }
        Ok(Query::Select(select))
    }

    /// The FROM item: a name or `(<query>)`, then `[AS] alias [(c1, ...)]`.
    fn from(&mut self) -> PResult<FromItem> {
        let start = self.peek().span;
        let table = if self.is_sym("(") {
            self.pos += 1;
            let query = self.query()?;
            self.expect_sym(")")?;
            TableRef::Derived(Box::new(query))
        } else {
            TableRef::Named(self.name()?)
        };
        let span = start.to(self.toks[self.pos - 1].span);
        let bare = self.peek().tok == Tok::Quoted
            || (self.peek().tok == Tok::Word
                && !RESERVED
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&self.peek().text)));
        let alias = if self.eat_kw("AS") || bare {
            Some(self.ident()?)
        } else {
            None
        };
        let mut columns = Vec::new();
        if alias.is_some() && self.eat_sym("(") {
            loop {
                columns.push(self.ident()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        Ok(FromItem {
            table,
            alias,
            columns,
            span,
        })
    }

    fn expr(&mut self) -> PResult<Expr> {
        let t = self.peek().clone();
        let literal = |lit: Literal| Ok(Expr::Literal(lit, t.span));
        match t.tok {
            Tok::Number => {
                self.pos += 1;
                literal(number(&t.text))
            }
            Tok::Symbol if t.text == "-" && self.peek_at(1).tok == Tok::Number => {
                let n = self.peek_at(1).clone();
                self.pos += 2;
                let lit = match number(&n.text) {
                    Literal::Integer(v) => Literal::Integer(format!("-{v}")),
                    Literal::Decimal(v) => Literal::Decimal(format!("-{v}")),
                    Literal::Double(v) => Literal::Double(format!("-{v}")),
                    other => other,
                };
                Ok(Expr::Literal(lit, t.span.to(n.span)))
            }
            Tok::Symbol if t.text == "(" => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Tok::Str => {
                self.pos += 1;
                literal(Literal::Str(t.text))
            }
            Tok::Word
                if t.text.eq_ignore_ascii_case("TRUE") || t.text.eq_ignore_ascii_case("FALSE") =>
            {
                self.pos += 1;
                literal(Literal::Bool(t.text.eq_ignore_ascii_case("TRUE")))
            }
            Tok::Word if t.text.eq_ignore_ascii_case("NULL") => {
                self.pos += 1;
                literal(Literal::Null)
            }
            Tok::Word if t.text.eq_ignore_ascii_case("CAST") && self.peek_at(1).text == "(" => {
                self.pos += 2;
                let operand = self.expr()?;
                self.expect_kw("AS")?;
                let ty = self.data_type()?;
                let end = self.peek().span;
                self.expect_sym(")")?;
                Ok(Expr::Cast(Box::new(operand), ty, t.span.to(end)))
            }
            Tok::Word if t.text.eq_ignore_ascii_case("COUNT") && self.peek_at(1).text == "(" => {
                self.pos += 2;
                if !self.eat_sym("*") {
                    self.eat_kw("DISTINCT");
                    self.expr()?;
                }
                let end = self.peek().span;
                self.expect_sym(")")?;
                Ok(Expr::Count(t.span.to(end)))
            }
            Tok::Word | Tok::Quoted
                if self.peek_at(1).tok == Tok::Symbol && self.peek_at(1).text == "(" =>
            {
                let name = self.ident()?;
                self.pos += 1;
                let mut args = Vec::new();
                if !self.eat_sym(")") {
                    loop {
                        args.push(self.expr()?);
                        if !self.eat_sym(",") {
                            break;
                        }
                    }
                    self.expect_sym(")")?;
                }
                let span = name.span.to(self.toks[self.pos - 1].span);
                Ok(Expr::Call(name, args, span))
            }
            Tok::Word | Tok::Quoted => {
                let mut parts = vec![
                    self.ident()
                        .map_err(|_| self.fail_with(expression_starters()))?,
                ];
                while self.eat_sym(".") {
                    parts.push(self.ident()?);
                }
                Ok(Expr::Column(parts))
            }
            _ => Err(self.fail_with(expression_starters())),
        }
    }
}

/// A numeric literal's kind from its text.
fn number(text: &str) -> Literal {
    if text.contains(['e', 'E']) {
        Literal::Double(text.to_string())
    } else if text.contains('.') {
        Literal::Decimal(text.to_string())
    } else {
        Literal::Integer(text.to_string())
    }
}

/// What may start an expression, for the expectation list.
fn expression_starters() -> Vec<String> {
    let mut items: Vec<String> = ["CAST", "COUNT", "FALSE", "NOT", "NULL", "TRUE", "(", "-"]
        .iter()
        .map(|k| quoted(k))
        .collect();
    items.extend(
        [
            "<UNSIGNED_INTEGER_LITERAL>",
            "<QUOTED_STRING>",
            "<IDENTIFIER>",
        ]
        .map(String::from),
    );
    items
}

/// A token image as the expectation list shows it: `"WITH"`.
fn quoted(token: &str) -> String {
    format!("\"{token}\"")
}

/// Removes repeated entries, keeping the first of each.
fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}
