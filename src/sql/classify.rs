//! Classifying Flink statements, once, at parse time, from the tokens the
//! splitter already made: Flink SQL is forwarded as written, so a
//! statement sqlparser cannot parse is never rejected, only classified.
//!
//! This module is the one answer to "what does this Flink statement do?":
//! its kind, its command tag, whether it changes the Flink session (and so
//! is replayed), which object a DDL statement defines, the sinks a write
//! writes, whether it submits a job or may write data otherwise (what
//! preview mode keeps from Flink), whether a query's result may update,
//! the text to send when the gateway cannot take it as written, and the
//! text with secrets masked. Later code asks the [`FlinkStatement`]; it
//! never re-reads the text.
//!
//! It also draws the line where Flink and scaleph share leading words and
//! only what follows tells them apart ([`is_flink_show`],
//! [`creates_catalog_from_datasource`]): the parser's pre-dispatch asks
//! here, so that line is drawn once.

use super::ast::{
    CatalogStatement, Ddl, DdlVerb, Effect, FlinkStatement, FlinkStatementKind, Statement,
};
use super::lexer::{LeadingWords, Token, TokenKind, tokenize};
use super::mask;

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

/// Whether `CREATE CATALOG [IF NOT EXISTS] name FROM ...` is scaleph's
/// `CREATE CATALOG ... FROM DATASOURCE` (a catalog made from a datasource)
/// rather than Flink's `CREATE CATALOG name [COMMENT '...'] WITH (...)`:
/// in Flink only `COMMENT` or `WITH` follows the name, so a `FROM` after
/// it is scaleph's — and a misspelt `DATASOURCE` after it is scaleph's
/// error to report, not Flink's.
pub fn creates_catalog_from_datasource(script: &str, tokens: &[Token]) -> bool {
    let w = Words::new(script, tokens);
    if !(w.is(0, "CREATE") && w.is(1, "CATALOG")) {
        return false;
    }
    let name = if w.is(2, "IF") && w.is(3, "NOT") && w.is(4, "EXISTS") {
        5
    } else {
        2
    };
    w.token(name)
        .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
        && w.is(name + 1, "FROM")
}

/// Words that may stand between `CREATE`/`DROP`/`ALTER` and the object
/// word.
const DDL_MODIFIERS: &[&str] = &["OR", "REPLACE", "TEMPORARY", "SYSTEM"];

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

/// Aggregate functions: updating unless windowed or not called.
const AGGREGATES: &[&str] = &["COUNT", "SUM", "MIN", "MAX", "AVG", "LISTAGG", "COLLECT"];

/// Window table functions: an aggregation over one of these emits each
/// window once, as inserts.
const WINDOW_WORDS: &[&str] = &["TUMBLE", "HOP", "CUMULATE", "SESSION"];

/// The statement's tokens (without a terminating `;`) in `script`, and
/// its first words upper-cased.
struct Words<'a> {
    script: &'a str,
    tokens: &'a [Token],
    lead: LeadingWords<'a>,
}

impl<'a> Words<'a> {
    fn new(script: &'a str, tokens: &'a [Token]) -> Words<'a> {
        Words {
            script,
            tokens,
            lead: LeadingWords::new(script, tokens),
        }
    }

    fn token(&self, i: usize) -> Option<&'a Token> {
        self.tokens.get(i)
    }

    /// Whether token `i` is the word `word`.
    fn is(&self, i: usize, word: &str) -> bool {
        self.token(i).is_some_and(|t| t.is_word(self.script, word))
    }

    /// Whether token `i` is one of `words`.
    fn is_any(&self, i: usize, words: &[&str]) -> bool {
        words.iter().any(|w| self.is(i, w))
    }

    fn is_punct(&self, i: usize, c: char) -> bool {
        self.token(i).is_some_and(|t| t.kind == TokenKind::Punct(c))
    }

    /// Token `i` as an upper-cased word, or "" when it is not a word.
    fn upper(&self, i: usize) -> String {
        match self.token(i) {
            Some(t) if t.kind == TokenKind::Word => t.text(self.script).to_ascii_uppercase(),
            _ => String::new(),
        }
    }

    /// The value of token `i` (quotes removed).
    fn value(&self, i: usize) -> Option<String> {
        self.token(i).map(|t| t.value(self.script))
    }

    /// The dotted name starting at token `i`: as written, and its parts
    /// (quotes removed).
    fn name(&self, i: usize) -> Option<(String, Vec<String>)> {
        let first = self.token(i)?;
        if !matches!(first.kind, TokenKind::Word | TokenKind::QuotedIdent) {
            return None;
        }
        let mut parts = vec![first.value(self.script)];
        let mut last = i;
        while self.is_punct(last + 1, '.')
            && let Some(next) = self
                .token(last + 2)
                .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
        {
            parts.push(next.value(self.script));
            last += 2;
        }
        let end = self.tokens[last].end;
        Some((self.script[first.start..end].to_string(), parts))
    }

    /// Whether `word` stands outside every parenthesis.
    fn has_top_level_word(&self, word: &str) -> bool {
        let mut depth = 0usize;
        self.tokens.iter().any(|t| match t.kind {
            TokenKind::Punct('(') => {
                depth += 1;
                false
            }
            TokenKind::Punct(')') => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0 && t.is_word(self.script, word),
        })
    }

    /// The index of the first token from `i` that is not a DDL modifier,
    /// and whether `TEMPORARY` was among the skipped ones.
    fn skip_modifiers(&self, mut i: usize) -> (usize, bool) {
        let mut temporary = false;
        while self.is_any(i, DDL_MODIFIERS) {
            temporary |= self.is(i, "TEMPORARY");
            i += 1;
        }
        (i, temporary)
    }
}

/// The kind of a Flink statement from its first two words, upper-cased.
fn leading_kind(first: &str, second: &str) -> FlinkStatementKind {
    match (first, second) {
        ("SELECT" | "WITH" | "VALUES" | "TABLE", _) => FlinkStatementKind::Query,
        ("INSERT", _) => FlinkStatementKind::Insert,
        ("EXECUTE", "STATEMENT") | ("BEGIN", "STATEMENT") => FlinkStatementKind::StatementSet,
        ("EXECUTE", "INSERT") => FlinkStatementKind::Insert,
        ("CREATE" | "DROP" | "ALTER" | "ANALYZE" | "TRUNCATE" | "REPLACE", _) => {
            FlinkStatementKind::Ddl
        }
        ("USE", _) => FlinkStatementKind::Use,
        ("ADD" | "REMOVE", "JAR") | ("SHOW", "JARS") => FlinkStatementKind::Jar,
        ("STOP", "JOB") | ("SHOW", "JOBS") => FlinkStatementKind::Job,
        ("DESCRIBE" | "DESC", "JOB") => FlinkStatementKind::Job,
        ("SHOW" | "DESCRIBE" | "DESC" | "EXPLAIN", _) => FlinkStatementKind::Show,
        _ => FlinkStatementKind::Other,
    }
}

/// Classifies the Flink statement made of `tokens` (no terminating `;`),
/// whose text is `script[start..end]`: a [`Statement::Flink`], or a
/// [`Statement::Catalog`] for the catalog and jar statements scaleph also
/// keeps in its store.
pub fn classify(script: &str, tokens: &[Token], start: usize, end: usize) -> Statement {
    let flink = classify_flink(script, tokens, start, end, None);
    match catalog_statement(&Words::new(script, tokens), &flink) {
        Some(catalog) => Statement::Catalog(catalog),
        None => Statement::Flink(flink),
    }
}

/// Classifies a Flink query: like [`classify`], with `Other` read as a
/// query (what reaches here starts like one).
pub fn classify_query(script: &str, tokens: &[Token], start: usize, end: usize) -> FlinkStatement {
    classify_flink(script, tokens, start, end, Some(FlinkStatementKind::Query))
}

/// Classifies a statement's whole text on its own (the statements scaleph
/// itself sends: `SHOW JOBS`, a preview's query). Text that does not
/// tokenize is `Other`, with nothing else known.
pub fn classify_text(text: &str) -> FlinkStatement {
    let tokens = tokenize(text).unwrap_or_default();
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| t.kind != TokenKind::Punct(';'))
        .collect();
    classify_flink(text, &tokens, 0, text.len(), None)
}

fn classify_flink(
    script: &str,
    tokens: &[Token],
    start: usize,
    end: usize,
    other_as: Option<FlinkStatementKind>,
) -> FlinkStatement {
    let w = Words::new(script, tokens);
    let mut kind = leading_kind(w.lead.get(0), w.lead.get(1));
    let ddl = (kind == FlinkStatementKind::Ddl).then(|| ddl(&w)).flatten();
    if kind == FlinkStatementKind::Ddl && is_table_as_query(&w) {
        kind = FlinkStatementKind::CreateTableAs;
    }
    if let (FlinkStatementKind::Other, Some(as_kind)) = (kind, other_as) {
        kind = as_kind;
    }
    if kind == FlinkStatementKind::Query && w.is(0, "WITH") && inserts_after_ctes(&w) {
        kind = FlinkStatementKind::Insert;
    }
    let writing_ddl = kind == FlinkStatementKind::Ddl && writes_data_ddl(&w, &ddl);
    // What a new Flink session must run again to be this one: definitions
    // (CREATE/DROP/ALTER), USE, modules. Never a statement that writes
    // data — TRUNCATE, ANALYZE, ALTER TABLE ... COMPACT: replaying one
    // would run it again on data someone else may have written since.
    let effect = match kind {
        FlinkStatementKind::Use => Effect::Session,
        FlinkStatementKind::Ddl if ddl.is_some() && !writing_ddl && !is_catalog_ddl(&ddl) => {
            Effect::Session
        }
        FlinkStatementKind::Other if w.is_any(0, &["LOAD", "UNLOAD"]) && w.is(1, "MODULE") => {
            Effect::Session
        }
        _ => Effect::None,
    };
    let (uses_catalog, uses_database) = if kind == FlinkStatementKind::Use {
        used_catalog(&w)
    } else {
        (None, None)
    };
    let submits_job = match kind {
        _ if kind.writes_sinks() => true,
        FlinkStatementKind::Ddl => writing_ddl,
        FlinkStatementKind::Other => w.is(0, "EXECUTE") && w.is(1, "PLAN"),
        _ => false,
    };
    let writes_data = match kind {
        FlinkStatementKind::Query
        | FlinkStatementKind::Show
        | FlinkStatementKind::Use
        | FlinkStatementKind::Jar
        | FlinkStatementKind::Job => false,
        FlinkStatementKind::Ddl => writing_ddl,
        // An unknown statement may write: DELETE, UPDATE, CALL, ...
        FlinkStatementKind::Other
        | FlinkStatementKind::Insert
        | FlinkStatementKind::StatementSet
        | FlinkStatementKind::CreateTableAs => true,
    };
    let write = kind
        .writes_sinks()
        .then(|| super::preview::parse_write_in(&script[..end], tokens));
    FlinkStatement {
        kind,
        tag: command_tag(&w),
        effect,
        ddl,
        uses_catalog,
        uses_database,
        write,
        submits_job,
        writes_data,
        may_update: kind == FlinkStatementKind::Query && may_update(script, tokens),
        rewritten: rewritten(&w, kind, end),
        redacted: mask::redact_tokens(script, tokens, start, end),
    }
}

/// Whether a DDL statement writes data or starts a job: `TRUNCATE TABLE`,
/// `ANALYZE TABLE`, `ALTER TABLE t [PARTITION (...)] COMPACT`, and a
/// materialized table's CREATE and ALTER (a refresh job). Read from the
/// statement's structure, not from its words anywhere: a column named
/// `compact` does not make a CREATE TABLE a write.
fn writes_data_ddl(w: &Words, ddl: &Option<Ddl>) -> bool {
    if matches!(w.lead.get(0), "TRUNCATE" | "ANALYZE") {
        return true;
    }
    let Some(ddl) = ddl else {
        return false;
    };
    match ddl.verb {
        DdlVerb::Drop => false,
        _ if ddl.object == "MATERIALIZED TABLE" => true,
        DdlVerb::Alter => w
            .tokens
            .last()
            .is_some_and(|t| t.is_word(w.script, "COMPACT")),
        DdlVerb::Create => false,
    }
}

/// Whether a DDL statement creates or drops a catalog (kept by scaleph's
/// store, not replayed from the session log).
fn is_catalog_ddl(ddl: &Option<Ddl>) -> bool {
    ddl.as_ref()
        .is_some_and(|d| d.object == "CATALOG" && d.verb != DdlVerb::Alter)
}

/// What a `CREATE`/`DROP`/`ALTER` (or `REPLACE TABLE`) defines.
fn ddl(w: &Words) -> Option<Ddl> {
    let verb = match w.lead.get(0) {
        "CREATE" | "REPLACE" => DdlVerb::Create,
        "DROP" => DdlVerb::Drop,
        "ALTER" => DdlVerb::Alter,
        _ => return None,
    };
    let (mut i, temporary) = w.skip_modifiers(1);
    let mut object = w.upper(i);
    if object.is_empty() {
        return None;
    }
    if object == "MATERIALIZED" && w.is(i + 1, "TABLE") {
        object = "MATERIALIZED TABLE".into();
        i += 1;
    }
    i += 1;
    let if_exists = w.is(i, "IF");
    if if_exists {
        i += if w.is(i + 1, "NOT") { 3 } else { 2 };
    }
    let (name, path) = w.name(i).unzip();
    let renamed_to = (i..w.tokens.len())
        .filter(|_| verb == DdlVerb::Alter)
        .find(|&at| w.is(at, "RENAME") && w.is(at + 1, "TO"))
        .and_then(|at| w.name(at + 2))
        .map(|(_, parts)| parts);
    Some(Ddl {
        verb,
        object,
        temporary,
        name,
        path: path.unwrap_or_default(),
        if_exists,
        renamed_to,
    })
}

/// `WITH cte AS (...) INSERT INTO ...`: an INSERT after the common table
/// expressions (outside their parentheses) makes the statement a write,
/// not a query.
fn inserts_after_ctes(w: &Words) -> bool {
    w.has_top_level_word("INSERT")
}

/// The catalog and the database a `USE` makes current: `USE CATALOG c`
/// names the catalog, `USE db` the database, `USE c.db` both; `USE
/// MODULES ...` neither (`None` keeps the current one).
fn used_catalog(w: &Words) -> (Option<String>, Option<String>) {
    if w.is(1, "MODULES") {
        return (None, None);
    }
    if w.is(1, "CATALOG") {
        return (w.name(2).and_then(|(_, mut parts)| parts.pop()), None);
    }
    match w.name(1).map(|(_, parts)| parts) {
        Some(parts) if parts.len() == 2 => {
            let mut parts = parts.into_iter();
            (parts.next(), parts.next())
        }
        Some(mut parts) if parts.len() == 1 => (None, parts.pop()),
        _ => (None, None),
    }
}

/// `CREATE [OR REPLACE] [TEMPORARY] TABLE name ... AS <query>` or `REPLACE
/// TABLE ...  AS <query>`: an `AS` outside parentheses (a computed column's
/// `AS` is inside the column list).
fn is_table_as_query(w: &Words) -> bool {
    let creates_table = match w.lead.get(0) {
        "CREATE" => {
            let (i, _) = w.skip_modifiers(1);
            i < 5 && w.is(i, "TABLE")
        }
        "REPLACE" => w.is(1, "TABLE"),
        _ => false,
    };
    if !creates_table {
        return false;
    }
    w.has_top_level_word("AS")
}

/// The catalog and jar statements scaleph keeps in its store:
/// `CREATE CATALOG`, `DROP CATALOG`, `ADD JAR`, `REMOVE JAR`.
fn catalog_statement(w: &Words, flink: &FlinkStatement) -> Option<CatalogStatement> {
    match (flink.kind, &flink.ddl) {
        (FlinkStatementKind::Ddl, Some(defined)) if is_catalog_ddl(&flink.ddl) => {
            let name = defined.path.first().cloned().unwrap_or_default();
            match defined.verb {
                DdlVerb::Create => Some(CatalogStatement::CreateCatalog {
                    name,
                    catalog_type: option_value(w, "type"),
                    flink: flink.clone(),
                }),
                DdlVerb::Drop => Some(CatalogStatement::DropCatalog {
                    name,
                    flink: flink.clone(),
                }),
                DdlVerb::Alter => None,
            }
        }
        (FlinkStatementKind::Jar, _) if w.is(0, "ADD") => {
            w.value(2).map(|path| CatalogStatement::AddJar {
                path,
                flink: flink.clone(),
            })
        }
        (FlinkStatementKind::Jar, _) if w.is(0, "REMOVE") => {
            w.value(2).map(|path| CatalogStatement::RemoveJar { path })
        }
        _ => None,
    }
}

/// The value of `'key' = 'value'` among the tokens, if present.
fn option_value(w: &Words, key: &str) -> Option<String> {
    w.tokens.windows(3).find_map(|t| {
        let [k, eq, v] = t else {
            return None;
        };
        (k.kind == TokenKind::String
            && k.value(w.script).eq_ignore_ascii_case(key)
            && eq.kind == TokenKind::Punct('=')
            && v.kind == TokenKind::String)
            .then(|| v.value(w.script))
    })
}

/// Whether a query may produce `-U`/`+U`/`-D` rows. A heuristic over its
/// words: a windowed aggregation and a plain scan are insert-only;
/// aggregations, DISTINCT, outer joins, ranking and EXCEPT/INTERSECT/UNION
/// (without ALL) may update. A changelog source (CDC, upsert-kafka) read
/// by a plain scan is not recognised; its first update row ends the result
/// with a hint to `SET 'scaleph.result.changelog' = 'op'`.
pub fn may_update(script: &str, tokens: &[Token]) -> bool {
    let w = Words::new(script, tokens);
    // Each word token's text once; the lists are checked only for words.
    let word = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(script))
    };
    let among = |text: &str, list: &[&str]| list.iter().any(|l| l.eq_ignore_ascii_case(text));
    let windowed = (0..tokens.len()).any(|i| {
        word(i).is_some_and(|t| among(t, WINDOW_WORDS) || t.eq_ignore_ascii_case("TABLE"))
            && w.is_punct(i + 1, '(')
    });
    (0..tokens.len()).any(|i| {
        let Some(text) = word(i) else {
            return false;
        };
        let updating = among(text, UPDATING_WORDS)
            && !(text.eq_ignore_ascii_case("GROUP") && windowed)
            && !(among(text, AGGREGATES) && (windowed || !w.is_punct(i + 1, '(')));
        let union_distinct = text.eq_ignore_ascii_case("UNION") && !w.is(i + 1, "ALL");
        updating || union_distinct
    })
}

/// [`may_update`] of a whole text (a query scaleph wrote, such as a
/// preview's).
pub fn may_update_text(text: &str) -> bool {
    tokenize(text).is_ok_and(|tokens| may_update(text, &tokens))
}

/// `BEGIN STATEMENT SET; ...; END`, which the Flink SQL Gateway cannot
/// take in one request, as the equivalent `EXECUTE STATEMENT SET BEGIN
/// ...; END`; `None` for every statement sent as written.
fn rewritten(w: &Words, kind: FlinkStatementKind, end: usize) -> Option<String> {
    if kind != FlinkStatementKind::StatementSet
        || !(w.is(0, "BEGIN") && w.is(1, "STATEMENT") && w.is(2, "SET"))
    {
        return None;
    }
    let body = w.script[w.tokens[2].end..end]
        .trim_start()
        .trim_start_matches(';');
    Some(format!("EXECUTE STATEMENT SET BEGIN {}", body.trim()))
}

/// The command tag of a Flink statement without rows: its leading words
/// (`CREATE TABLE`, `USE`, `ADD JAR`, `SET`).
fn command_tag(w: &Words) -> String {
    let mut words = (0..w.tokens.len().min(6))
        .filter(|&i| w.tokens[i].kind == TokenKind::Word)
        .map(|i| w.tokens[i].text(w.script));
    let Some(first) = words.next() else {
        return String::new();
    };
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(first));
    let second = if is(&["CREATE", "DROP", "ALTER"]) {
        words.find(|word| !DDL_MODIFIERS.iter().any(|m| m.eq_ignore_ascii_case(word)))
    } else if is(&["ADD", "REMOVE", "LOAD", "UNLOAD", "BEGIN"]) {
        words.next()
    } else {
        None
    };
    // One allocation: every statement without rows has a tag.
    let mut tag = String::with_capacity(first.len() + second.map_or(0, |s| s.len() + 1));
    tag.push_str(first);
    if let Some(second) = second {
        tag.push(' ');
        tag.push_str(second);
    }
    tag.make_ascii_uppercase();
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flink(sql: &str) -> FlinkStatement {
        classify_text(sql)
    }

    fn kind(sql: &str) -> FlinkStatementKind {
        flink(sql).kind
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

    #[test]
    fn classify_tells_table_as_query_from_other_ddl() {
        for ctas in [
            "CREATE TABLE t WITH ('connector' = 'print') AS SELECT * FROM s",
            "CREATE OR REPLACE TABLE t AS SELECT 1",
            "REPLACE TABLE t AS SELECT 1",
        ] {
            assert_eq!(kind(ctas), FlinkStatementKind::CreateTableAs, "{ctas}");
        }
        for ddl in [
            "CREATE TABLE t (a INT, b AS a * 2) WITH ('connector' = 'datagen')",
            "CREATE VIEW v AS SELECT 1",
            "CREATE TEMPORARY VIEW v AS SELECT 1",
        ] {
            assert_eq!(kind(ddl), FlinkStatementKind::Ddl, "{ddl}");
        }
    }

    fn catalog(sql: &str) -> Option<CatalogStatement> {
        let tokens: Vec<Token> = tokenize(sql)
            .unwrap()
            .into_iter()
            .filter(|t| t.kind != TokenKind::Punct(';'))
            .collect();
        match classify(sql, &tokens, 0, sql.trim_end_matches(';').len()) {
            Statement::Catalog(catalog) => Some(catalog),
            _ => None,
        }
    }

    #[test]
    fn catalogs_and_jars_are_recognised() {
        let Some(CatalogStatement::CreateCatalog {
            name, catalog_type, ..
        }) = catalog(
            "CREATE CATALOG IF NOT EXISTS lake WITH ('type' = 'paimon', 'warehouse' = 's3://w')",
        )
        else {
            panic!("not a CREATE CATALOG")
        };
        assert_eq!(
            (name.as_str(), catalog_type.as_deref()),
            ("lake", Some("paimon"))
        );
        assert!(matches!(
            catalog("drop catalog if exists `Lake`;"),
            Some(CatalogStatement::DropCatalog { name, .. }) if name == "Lake"
        ));
        assert!(matches!(
            catalog("ADD JAR '/jars/udf.jar'"),
            Some(CatalogStatement::AddJar { path, .. }) if path == "/jars/udf.jar"
        ));
        assert_eq!(catalog("SHOW JARS"), None);
        assert_eq!(flink("SHOW JARS").effect, Effect::None);
        assert_eq!(
            flink("CREATE TEMPORARY VIEW v AS SELECT 1").effect,
            Effect::Session
        );
        assert_eq!(flink("USE CATALOG lake").effect, Effect::Session);
        assert_eq!(flink("SELECT 1").effect, Effect::None);
        assert_eq!(flink("LOAD MODULE hive").effect, Effect::Session);
        // Statements that write data are never replayed (issue 18).
        for writes in [
            "TRUNCATE TABLE t",
            "ANALYZE TABLE t COMPUTE STATISTICS",
            "ALTER TABLE t COMPACT",
            "CREATE MATERIALIZED TABLE m FRESHNESS = INTERVAL '1' MINUTE AS SELECT 1",
        ] {
            let statement = flink(writes);
            assert_eq!(statement.effect, Effect::None, "{writes}");
            assert!(statement.writes_data, "{writes}");
        }
        for defines in [
            "CREATE TEMPORARY TABLE t (compact INT, refresh INT, analyze INT) WITH ('connector' = 'datagen')",
            "ALTER TABLE t ADD compact_at INT",
            "DROP MATERIALIZED TABLE m",
        ] {
            let statement = flink(defines);
            assert!(!statement.writes_data, "{defines}");
        }
        assert_eq!(
            flink("CREATE TEMPORARY TABLE t (compact INT) WITH ('connector' = 'datagen')").effect,
            Effect::Session
        );
    }

    #[test]
    fn create_catalog_from_a_datasource_is_scaleph_s_and_with_stays_flink_s() {
        let scaleph = |sql: &str| {
            let tokens = tokenize(sql).unwrap();
            creates_catalog_from_datasource(sql, &tokens)
        };
        assert!(scaleph("CREATE CATALOG lake FROM DATASOURCE pg"));
        assert!(scaleph(
            "create catalog if not exists `my lake` from datasource pg with ('a' = 'b')"
        ));
        assert!(scaleph("CREATE CATALOG \"Lake\" FROM DATASOUCE pg"));
        assert!(!scaleph("CREATE CATALOG lake WITH ('type' = 'paimon')"));
        assert!(!scaleph(
            "CREATE CATALOG IF NOT EXISTS lake COMMENT 'from' WITH ('type' = 'paimon')"
        ));
        assert!(!scaleph("CREATE CATALOG lake"));
        assert!(!scaleph("CREATE TABLE t FROM x"));
        assert!(!scaleph("CREATE CATALOG 'lake' FROM DATASOURCE pg"));
    }

    #[test]
    fn ddl_names_its_object() {
        let ddl = flink("CREATE TEMPORARY TABLE IF NOT EXISTS lake.db.`t 1` (a INT)")
            .ddl
            .unwrap();
        assert_eq!(ddl.verb, DdlVerb::Create);
        assert_eq!(ddl.object, "TABLE");
        assert!(ddl.temporary);
        assert_eq!(ddl.name.as_deref(), Some("lake.db.`t 1`"));
        assert_eq!(ddl.path, vec!["lake", "db", "t 1"]);
        assert_eq!(ddl.catalog(), Some("lake"));
        let ddl = flink("DROP TABLE IF EXISTS t").ddl.unwrap();
        assert_eq!((ddl.verb, ddl.temporary), (DdlVerb::Drop, false));
        assert_eq!(ddl.name.as_deref(), Some("t"));
        assert_eq!(ddl.catalog(), None);
        assert_eq!(
            flink("CREATE DATABASE `Lake`.db").ddl.unwrap().catalog(),
            Some("Lake")
        );
        assert_eq!(flink("DROP DATABASE db").ddl.unwrap().catalog(), None);
        assert_eq!(flink("DROP TABLE db.t").ddl.unwrap().catalog(), None);
        assert_eq!(flink("DROP CATALOG c").ddl.unwrap().catalog(), None);
        let ddl = flink("CREATE TABLE IF NOT EXISTS t (a INT)").ddl.unwrap();
        assert!(ddl.if_exists && ddl.renamed_to.is_none());
        assert!(
            flink("DROP DATABASE IF EXISTS db CASCADE")
                .ddl
                .unwrap()
                .if_exists
        );
        let ddl = flink("ALTER TABLE db.t RENAME TO `u 2`").ddl.unwrap();
        assert_eq!(ddl.renamed_to, Some(vec!["u 2".to_string()]));
        assert!(!ddl.if_exists);
        let ddl = flink("ALTER MATERIALIZED TABLE m REFRESH").ddl.unwrap();
        assert_eq!(ddl.object, "MATERIALIZED TABLE");
        assert_eq!(ddl.name.as_deref(), Some("m"));
    }

    #[test]
    fn use_names_the_catalog_it_makes_current() {
        let used = |sql: &str| flink(sql).uses_catalog;
        assert_eq!(used("USE CATALOG `my lake`").as_deref(), Some("my lake"));
        assert_eq!(used("USE lake.db").as_deref(), Some("lake"));
        assert_eq!(used("USE db"), None);
        assert_eq!(used("USE MODULES hive, core"), None);
        assert_eq!(used("SELECT 1"), None);
        let database = |sql: &str| flink(sql).uses_database;
        assert_eq!(database("USE lake.`my db`").as_deref(), Some("my db"));
        assert_eq!(database("USE db").as_deref(), Some("db"));
        assert_eq!(database("USE CATALOG lake"), None);
        assert_eq!(database("USE MODULES hive"), None);
    }

    #[test]
    fn writes_name_their_sinks() {
        assert_eq!(flink("INSERT INTO db.s SELECT 1").sinks(), vec!["db.s"]);
        assert_eq!(
            flink(
                "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END"
            )
            .sinks(),
            vec!["a", "b"]
        );
        assert_eq!(flink("CREATE TABLE t AS SELECT 1").sinks(), vec!["t"]);
        let insert = flink("INSERT INTO t SELECT 1");
        assert!(insert.submits_job && insert.is_previewable_write());
        // A leading WITH does not hide the INSERT (preview mode must not
        // forward it).
        let with =
            flink("WITH big AS (SELECT * FROM o WHERE a > 1) INSERT INTO s SELECT * FROM big");
        assert_eq!(with.kind, FlinkStatementKind::Insert);
        assert_eq!(with.sinks(), vec!["s"]);
        assert!(!with.preview_allows());
        assert_eq!(
            flink("WITH x AS (SELECT 1) SELECT * FROM x").kind,
            FlinkStatementKind::Query
        );
        assert!(flink("SELECT 1").sinks().is_empty());
    }

    #[test]
    fn queries_that_may_update_are_told_apart() {
        let may_update = |sql: &str| flink(sql).may_update;
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
        assert!(may_update_text("SELECT k, COUNT(*) FROM t GROUP BY k"));
    }

    #[test]
    fn statement_sets_are_sent_in_one_request_and_preview_allows_only_definitions() {
        let text = "BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND";
        assert_eq!(
            flink(text).forwardable(text),
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND"
        );
        assert_eq!(flink("SELECT 1").forwardable("SELECT 1"), "SELECT 1");
        let allows = |sql: &str| flink(sql).preview_allows();
        assert!(allows("CREATE TABLE t (a INT)"));
        assert!(!allows("ALTER TABLE t COMPACT"));
        assert!(!allows("TRUNCATE TABLE t"));
        assert!(!allows("EXECUTE PLAN '/p.json'"));
        assert!(!allows("INSERT INTO t SELECT 1"));
        assert!(allows("SHOW TABLES"));
    }

    #[test]
    fn command_tags_name_the_statement() {
        let tag = |sql: &str| flink(sql).tag;
        assert_eq!(tag("create temporary table t (a int)"), "CREATE TABLE");
        assert_eq!(tag("CREATE OR REPLACE VIEW v AS SELECT 1"), "CREATE VIEW");
        assert_eq!(tag("USE CATALOG lake"), "USE");
        assert_eq!(tag("ADD JAR '/x.jar'"), "ADD JAR");
        assert_eq!(tag("SET 'a' = 'b'"), "SET");
    }

    #[test]
    fn secrets_are_masked_once() {
        let text = "CREATE TABLE t (a INT) WITH ('connector' = 'jdbc', 'password' = 'pw3')";
        assert!(!flink(text).redacted.unwrap().contains("pw3"));
        assert_eq!(flink("SELECT 1").redacted, None);
    }
}
