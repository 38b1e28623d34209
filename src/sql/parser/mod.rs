//! Parsing one statement.
//!
//! **Keyword pre-dispatch.** The statement's first words decide what it is:
//! scaleph's extension statements (`CREATE DATASOURCE`, `START SYNC`,
//! `CREATE SCHEDULE`, `CREATE CATALOG ... FROM DATASOURCE`, ...) go to a
//! recursive-descent parser per family (`datasource`, `object`, `sync`,
//! `job`, `schedule`, `catalog`); queries
//! (`SELECT`, `WITH`, `VALUES`, `EXPLAIN <query>`) go to sqlparser's
//! `Parser`, whose AST DataFusion executes; anything else is Flink SQL,
//! classified once by its tokens and forwarded as written, never
//! rejected ([`crate::sql::classify`]). Whether a query is answered by the
//! local engine or by Flink is decided after parsing, by the handler:
//! the parser knows nothing of the engine.
//!
//! The extension parsers walk the splitter's own tokens (`cursor`)
//! rather than sqlparser's: those tokens carry byte spans into the script,
//! so every error points at the exact token (sqlparser reports a location
//! only inside its message text), and the same tokens already split the
//! script, so an extension statement is tokenized once. sqlparser has no
//! hook for statements outside its own AST (a `Dialect` must return
//! sqlparser's `Statement`), so a custom dialect would not carry these
//! statements anyway.
//!
//! Checks that need no server happen here too: cron expressions and time
//! zones, a schedule's task DAG, duplicate option keys, identifier rules,
//! and the values of `MODE`, `ENGINE`, `TYPE` and trigger rules.

mod catalog;
mod copy;
mod cursor;
mod datasource;
mod job;
mod object;
mod schedule;
pub mod suggest;
mod sync;

use sqlparser::dialect::GenericDialect;

use self::cursor::Cursor;
use super::ast::*;
use super::classify::{classify, classify_query, creates_catalog_from_datasource, is_flink_show};
use super::lexer::{Token, TokenKind};
use crate::error::Result;

/// Parses the statement made of `tokens` (a slice of the script's tokens,
/// without the terminating `;`), whose text is `script[start..end]`.
pub fn parse_statement(
    script: &str,
    tokens: &[Token],
    start: usize,
    end: usize,
) -> Result<Statement> {
    let words = super::lexer::LeadingWords::new(script, tokens);
    let word = |i: usize| words.get(i);
    suggest::check_typos(script, tokens, &words)?;
    let mut c = Cursor {
        script,
        tokens,
        pos: 2,
        end,
    };
    let kind = ObjectKind::from_keyword(word(1));
    let plural = ObjectKind::from_plural(word(1));
    // A string after JOB is one of Flink's job statements: `STOP JOB '<id>'`.
    let flink_job_id = tokens.get(2).is_some_and(|t| t.kind == TokenKind::String);
    match (word(0), word(1), kind, plural) {
        ("CREATE", _, Some(ObjectKind::Datasource), _) => datasource::create(&mut c),
        ("CREATE", _, Some(ObjectKind::Sync), _) => sync::create(&mut c),
        ("CREATE", _, Some(ObjectKind::Job), _) => job::create(&mut c),
        ("CREATE", _, Some(ObjectKind::Cluster), _) => job::create_cluster(&mut c),
        ("CREATE", _, Some(ObjectKind::Connector), _) => job::create_connector(&mut c),
        ("CREATE", _, Some(ObjectKind::Schedule), _) => schedule::create(&mut c),
        ("CREATE", "CATALOG", ..) if creates_catalog_from_datasource(script, tokens) => {
            catalog::create_from_datasource(&mut c)
        }
        ("DROP", _, Some(kind), _) => object::drop(&mut c, kind),
        ("ALTER", _, Some(kind), _) => object::alter(&mut c, kind),
        ("SHOW", "DATASOURCE", ..) => datasource::show_types(&mut c),
        ("SHOW", _, _, Some(kind)) => object::show(&mut c, kind),
        ("SHOW", "CREATE", ..) if ObjectKind::from_keyword(word(2)).is_some() => {
            object::describe(&mut c, true)
        }
        ("SHOW", "DATABASES" | "TABLES", ..) if word(2) == "FROM" && word(3) == "DATASOURCE" => {
            c.pos = 4;
            if word(1) == "DATABASES" {
                datasource::show_databases(&mut c)
            } else {
                datasource::show_tables(&mut c)
            }
        }
        ("SHOW", "RUNS", ..) => schedule::show_runs(&mut c),
        ("SHOW", "SAVEPOINTS", ..) => job::show_savepoints(&mut c),
        ("DESCRIBE" | "DESC", "DATASOURCE", ..) => datasource::describe(&mut c),
        ("DESCRIBE" | "DESC", ..) if kind.is_some() && !flink_job_id => {
            c.pos = 1;
            object::describe(&mut c, false)
        }
        ("COMMENT", ..) => {
            c.pos = 1;
            object::comment(&mut c)
        }
        ("TEST", ..) => {
            c.pos = 1;
            datasource::test(&mut c)
        }
        ("START", second, ..) if second != "TRANSACTION" => command(&mut c, Lifecycle::Start),
        ("STOP", "SYNC" | "JOB", ..) if !flink_job_id => command(
            &mut c,
            Lifecycle::Stop {
                savepoint: false,
                drain: false,
            },
        ),
        ("SUSPEND", ..) => command(&mut c, Lifecycle::Suspend),
        ("RESUME", ..) => command(&mut c, Lifecycle::Resume),
        ("SAVEPOINT", "JOB", ..) => command(&mut c, Lifecycle::Savepoint),
        ("EXPLAIN", "SYNC" | "SCHEDULE", ..) => command(&mut c, Lifecycle::Explain),
        ("EXPLAIN", "PREVIEW", ..) => job::preview(&mut c, true),
        ("PREVIEW", "DATASOURCE", ..) => datasource::preview_table(&mut c),
        ("PREVIEW", ..) => {
            c.pos = 1;
            job::preview(&mut c, false)
        }
        ("EXECUTE", "SCHEDULE", ..) => schedule::execute(&mut c),
        ("COPY", ..) => copy::copy(&mut c),
        ("SET", ..) => super::variables::parse_set(script, tokens, end),
        ("RESET", ..) => super::variables::parse_reset(script, tokens, end),
        ("SHOW", second, ..) if !is_flink_show(second) => {
            super::variables::parse_show(script, tokens, end)
        }
        ("BEGIN", "STATEMENT", ..) => Ok(classify(script, tokens, start, end)),
        (
            "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE",
            ..,
        ) => {
            c.pos = 0;
            parse_transaction(&mut c, word(0))
        }
        ("SELECT" | "WITH" | "VALUES" | "TABLE" | "EXPLAIN", ..) | ("", ..) => {
            Ok(parse_query(script, tokens, start, end))
        }
        _ => Ok(classify(script, tokens, start, end)),
    }
}

/// A lifecycle command: the cursor back at the kind.
fn command(c: &mut Cursor, command: Lifecycle) -> Result<Statement> {
    c.pos = 1;
    object::command(c, command)
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
        "SAVEPOINT" => TransactionCommand::Savepoint,
        "RELEASE" => TransactionCommand::Release,
        _ if c.tokens.iter().any(|t| t.is_word(c.script, "TO")) => {
            TransactionCommand::RollbackToSavepoint
        }
        _ => TransactionCommand::Rollback,
    };
    Ok(Statement::Transaction(command))
}

/// A query: in sqlparser's AST when sqlparser parses it, else Flink SQL;
/// classified as a Flink query either way.
fn parse_query(script: &str, tokens: &[Token], start: usize, end: usize) -> Statement {
    let flink = classify_query(script, tokens, start, end);
    if flink.kind.writes_sinks() {
        // `WITH ... INSERT INTO ...`, which sqlparser reads as a query.
        return Statement::Flink(flink);
    }
    let parsed = sqlparser::parser::Parser::parse_sql(&GenericDialect {}, &script[start..end])
        .ok()
        .filter(|statements| statements.len() == 1 && is_query(&statements[0]));
    match parsed {
        Some(mut statements) => Statement::Query(Query {
            ast: Box::new(statements.remove(0)),
            flink,
        }),
        None => Statement::Flink(flink),
    }
}

/// Whether `statement` is a query (or `EXPLAIN` of one).
pub fn is_query(statement: &sqlparser::ast::Statement) -> bool {
    match statement {
        sqlparser::ast::Statement::Query(_) => true,
        sqlparser::ast::Statement::Explain { statement, .. } => is_query(statement),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::sql::parse_script;
    use sqlparser::ast::Ident;

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
        let Statement::Datasource(DatasourceStatement::Create(create)) = one(
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
        assert!(
            err.message.ends_with(
                "expected TYPE after the datasource name, found \"TYP\": did you mean TYPE?"
            ),
            "{}",
            err.message
        );
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
        assert!(matches!(
            flink,
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::Query,
                ..
            })
        ));
        let ddl = one("CREATE TABLE t (id INT, ts AS PROCTIME()) WITH ('connector' = 'datagen')");
        assert!(matches!(
            ddl,
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::Ddl,
                ..
            })
        ));
        assert!(matches!(
            one("SHOW TABLES"),
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::Show,
                ..
            })
        ));
        assert!(matches!(
            one("BEGIN STATEMENT SET; INSERT INTO a SELECT 1; END"),
            Statement::Flink(FlinkStatement {
                kind: FlinkStatementKind::StatementSet,
                ..
            })
        ));
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
        assert_eq!(
            one("SAVEPOINT _pg3_1"),
            Statement::Transaction(TransactionCommand::Savepoint)
        );
        assert_eq!(
            one("RELEASE SAVEPOINT _pg3_1"),
            Statement::Transaction(TransactionCommand::Release)
        );
        assert_eq!(
            one("ROLLBACK TO SAVEPOINT _pg3_1"),
            Statement::Transaction(TransactionCommand::RollbackToSavepoint)
        );
    }

    /// The message, SQLSTATE and line:column of the error `sql` gives.
    fn fails(sql: &str) -> (String, &'static str, (usize, usize)) {
        let err = error(sql);
        let p = err.position.expect("errors carry a position");
        (err.message, err.sqlstate.code(), (p.line, p.column))
    }

    fn flink_kind_of(sql: &str) -> FlinkStatementKind {
        match one(sql) {
            Statement::Flink(f) => f.kind,
            Statement::Catalog(c) => c.flink().expect("it runs in Flink").kind,
            other => panic!("{sql} is not Flink SQL: {other:?}"),
        }
    }

    #[test]
    fn create_sync_reads_sources_sinks_mode_and_engine() {
        let Statement::Sync(SyncStatement::Create(sync)) = one(
            "CREATE SYNC s FROM src DATABASE shop TABLES ('orders', 'user_.*') TO d DATABASE ods, k TOPIC PATTERN 'x.{table}', k2 TOPIC 't' ENGINE SEATUNNEL MODE SNAPSHOT WITH (parallelism = 2)",
        ) else {
            panic!()
        };
        assert_eq!(sync.tables, vec!["orders", "user_.*"]);
        assert_eq!(sync.sinks.len(), 3);
        assert_eq!(
            sync.sinks[0].target,
            SinkTarget::Database(Ident::new("ods"))
        );
        assert_eq!(
            sync.sinks[1].target,
            SinkTarget::TopicPattern("x.{table}".into())
        );
        assert_eq!(sync.sinks[2].target, SinkTarget::Topic("t".into()));
        assert_eq!(sync.mode, Some(SyncMode::Snapshot));
        assert_eq!(sync.engine, Some(SyncEngine::Seatunnel));
    }

    #[test]
    fn create_sync_rejects_unknown_mode_engine_and_bad_patterns() {
        let (message, state, at) = fails("CREATE SYNC s FROM a TO b MODE CDX");
        assert_eq!(state, "42601");
        assert!(
            message
                .contains("expected CDC or SNAPSHOT after MODE, found \"CDX\": did you mean CDC?"),
            "{message}"
        );
        assert_eq!(at, (1, 32));
        let (message, ..) = fails("CREATE SYNC s FROM a TO b ENGINE FLINK");
        assert!(
            message.contains("FLINK_CDC, SEATUNNEL or FLINK_SQL"),
            "{message}"
        );
        let (message, state, at) = fails("CREATE SYNC s FROM a TABLES ('ok', 'user_(') TO b");
        assert_eq!(state, "22023");
        assert!(
            message.contains("not a valid regular expression"),
            "{message}"
        );
        assert_eq!(at, (1, 36));
        let (message, ..) = fails("CREATE SYNC s FROM a TO b MODE CDC MODE CDC");
        assert!(message.contains("expected end of statement"), "{message}");
    }

    #[test]
    fn create_job_keeps_its_flink_body_as_written() {
        let Statement::Job(JobStatement::Create(job)) = one(
            "CREATE JOB j ON CLUSTER c WITH (parallelism = 4) AS\n  INSERT INTO t SELECT * FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTES))",
        ) else {
            panic!()
        };
        assert_eq!(job.cluster, Some(Ident::new("c")));
        assert!(job.body.text.starts_with("INSERT INTO t SELECT"));
        assert_eq!(job.body.kind(), FlinkStatementKind::Insert);
        let Statement::Job(JobStatement::Create(set)) =
            one("CREATE JOB j AS EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END")
        else {
            panic!()
        };
        assert_eq!(set.body.kind(), FlinkStatementKind::StatementSet);
        let (message, _, at) = fails("CREATE JOB j AS SELECT 1");
        assert!(message.contains("a job runs INSERT INTO"), "{message}");
        assert_eq!(at, (1, 17));
        let (message, ..) = fails("CREATE JOB j AS CREATE JOB k AS INSERT INTO t SELECT 1");
        assert!(message.contains("found \"CREATE\""), "{message}");
        let (message, ..) = fails("CREATE JOB j INSERT INTO t SELECT 1");
        assert!(message.contains("expected AS"), "{message}");
    }

    #[test]
    fn cluster_connector_and_lifecycle_commands() {
        assert!(matches!(
            one("CREATE CLUSTER c TYPE kubernetes_session WITH (namespace = 'flink')"),
            Statement::Cluster(ClusterStatement::Create(CreateCluster {
                cluster_type: ClusterType::KubernetesSession,
                ..
            }))
        ));
        let (message, ..) = fails("CREATE CLUSTER c TYPE YARN");
        assert!(
            message.contains("KUBERNETES_SESSION, KUBERNETES_APPLICATION, REMOTE or SEATUNNEL"),
            "{message}"
        );
        let (message, state, _) = fails("CREATE CONNECTOR k FROM 'ftp://x/k.jar'");
        assert_eq!(state, "22023");
        assert!(message.contains("not a jar URL"), "{message}");
        assert!(
            fails("CREATE CONNECTOR k FROM 'https://x/k.zip'")
                .0
                .contains("not a jar")
        );
        assert_eq!(
            one("STOP JOB j WITH SAVEPOINT DRAIN"),
            Statement::from(ObjectCommand {
                command: Lifecycle::Stop {
                    savepoint: true,
                    drain: true
                },
                kind: ObjectKind::Job,
                name: Ident::new("j"),
            })
        );
        let (message, ..) = fails("STOP SYNC s DRAIN");
        assert!(
            message.contains("expected end of statement, found \"DRAIN\""),
            "{message}"
        );
        let (message, ..) = fails("START JOB j");
        assert!(
            message.contains("expected SYNC after START, found \"JOB\""),
            "{message}"
        );
        let (message, ..) = fails("SUSPEND SCHEDUEL s");
        assert!(message.contains("did you mean SCHEDULE?"), "{message}");
        let (message, ..) = fails("SAVEPOINT JOB");
        assert!(
            message.contains("expected a job name, found end of statement"),
            "{message}"
        );
    }

    #[test]
    fn create_catalog_from_datasource_is_scaleph_s_and_checked_here() {
        let Statement::Catalog(CatalogStatement::CreateFromDatasource(create)) = one(
            "create catalog if not exists `My Lake` from datasource Pg_Main with ('default-database' = 'crm')",
        ) else {
            panic!("not a CREATE CATALOG ... FROM DATASOURCE")
        };
        assert!(create.if_not_exists);
        assert_eq!(create.name, Ident::with_quote('"', "My Lake"));
        assert_eq!(object_name(&create.datasource), "pg_main");
        assert_eq!(create.options.0[0].key, "default-database");
        // A bare Flink catalog name keeps its case, as Flink's CREATE CATALOG does.
        let Statement::Catalog(CatalogStatement::CreateFromDatasource(create)) =
            one("CREATE CATALOG Lake FROM DATASOURCE pg")
        else {
            panic!()
        };
        assert_eq!(create.name.value, "Lake");
        assert_eq!(
            one("CREATE CATALOG Lake FROM DATASOURCE pg")
                .canonical_sql()
                .as_deref(),
            Some("CREATE CATALOG Lake FROM DATASOURCE pg")
        );
        let (message, state, at) = fails("CREATE CATALOG lake FROM DATASOUCE pg");
        assert_eq!(state, "42601");
        assert!(
            message.contains(
                "expected DATASOURCE after FROM, found \"DATASOUCE\": did you mean DATASOURCE?"
            ),
            "{message}"
        );
        assert_eq!(at, (1, 26));
        let (message, ..) =
            fails("CREATE CATALOG lake FROM DATASOURCE pg WITH ('a' = 'x', A = 'y')");
        assert!(message.contains("given twice"), "{message}");
        let (message, ..) = fails("CREATE CATALOG lake FROM DATASOURCE");
        assert!(message.contains("expected a datasource name"), "{message}");
        // Flink's CREATE CATALOG stays Flink's, kept by scaleph as written.
        assert!(matches!(
            one("CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 's3://w')"),
            Statement::Catalog(CatalogStatement::CreateCatalog { .. })
        ));
        assert!(matches!(
            one("CREATE CATALOG lake COMMENT 'from the lake' WITH ('type' = 'paimon')"),
            Statement::Catalog(CatalogStatement::CreateCatalog { .. })
        ));
    }

    #[test]
    fn flink_job_statements_by_id_stay_flink() {
        assert_eq!(
            flink_kind_of("STOP JOB '228d70913eab60dda85c5e7f78b5782c' WITH SAVEPOINT"),
            FlinkStatementKind::Job
        );
        assert_eq!(flink_kind_of("DESCRIBE JOB 'abc'"), FlinkStatementKind::Job);
        assert_eq!(flink_kind_of("DESCRIBE orders"), FlinkStatementKind::Show);
        assert_eq!(
            flink_kind_of("SHOW CREATE TABLE orders"),
            FlinkStatementKind::Show
        );
        assert_eq!(
            flink_kind_of("SHOW TABLES FROM db LIKE 'a%'"),
            FlinkStatementKind::Show
        );
        assert_eq!(flink_kind_of("ADD JAR '/x.jar'"), FlinkStatementKind::Jar);
        assert_eq!(
            flink_kind_of("CREATE CATALOG c WITH ('type' = 'paimon')"),
            FlinkStatementKind::Ddl
        );
        assert!(matches!(
            one("SHOW JOBS"),
            Statement::Job(JobStatement::Object(ObjectStatement::Show(ShowObjects {
                kind: ObjectKind::Job,
                ..
            })))
        ));
    }

    #[test]
    fn schedules_check_cron_zone_options_and_dag() {
        let Statement::Schedule(ScheduleStatement::Create(schedule)) = one(
            "CREATE SCHEDULE s CRON '0 2 * * *' TIMEZONE 'Asia/Shanghai' WITH (retries = 2) AS (a RUN SYNC x, b RUN SQL 'SELECT 1' AFTER a ON FAILURE, c RUN JOB j AFTER (a, b) ON COMPLETION)",
        ) else {
            panic!()
        };
        assert_eq!(schedule.tasks[1].trigger, TriggerRule::OnFailure);
        assert_eq!(schedule.tasks[2].upstream.len(), 2);
        let base = "CREATE SCHEDULE s CRON";
        let (message, state, at) = fails(&format!("{base} '0 2 * *' AS (a RUN SYNC x)"));
        assert_eq!(state, "22023");
        assert!(message.contains("it has 4 fields"), "{message}");
        assert_eq!(at, (1, 24));
        let (message, _, at) = fails(&format!(
            "{base} '0 2 * * *' TIMEZONE 'Asia/Shangai' AS (a RUN SYNC x)"
        ));
        assert!(
            message.contains("unknown time zone 'Asia/Shangai'"),
            "{message}"
        );
        assert_eq!(at, (1, 45));
        let (message, state, _) = fails(&format!(
            "{base} '0 2 * * *' AS (a RUN SYNC x AFTER c, b RUN SYNC y AFTER a, c RUN SYNC z AFTER b)"
        ));
        assert_eq!(state, "42P17");
        assert!(
            message.contains("tasks form a cycle: a -> c -> b -> a"),
            "{message}"
        );
        let (message, _, at) = fails(&format!(
            "{base} '0 2 * * *' AS (extract RUN SYNC x, load RUN SYNC y AFTER extrat)"
        ));
        assert!(
            message.contains("unknown task extrat: did you mean extract?"),
            "{message}"
        );
        assert_eq!(at, (1, 82));
        let (message, ..) = fails(&format!(
            "{base} '0 2 * * *' AS (a RUN SYNC x, A RUN SYNC y)"
        ));
        assert!(message.contains("task A is defined twice"), "{message}");
        let (message, state, _) = fails(&format!(
            "{base} '0 2 * * *' WITH (retrys = 2) AS (a RUN SYNC x)"
        ));
        assert_eq!(state, "22023");
        assert!(message.contains("did you mean retries?"), "{message}");
        let (message, ..) = fails(&format!(
            "{base} '0 2 * * *' WITH (timeout = 'soon') AS (a RUN SYNC x)"
        ));
        assert!(message.contains("must be a duration"), "{message}");
        let (message, ..) = fails(&format!(
            "{base} '0 2 * * *' WITH (max_active_runs = 0) AS (a RUN SYNC x)"
        ));
        assert!(message.contains("from 1 to 1000"), "{message}");
    }

    #[test]
    fn task_sql_errors_point_inside_the_string() {
        let sql =
            "CREATE SCHEDULE s CRON '0 2 * * *' AS (\n  a RUN SQL 'SELECT ''x'', 1; SELECT 2'\n)";
        let (message, ..) = fails(sql);
        assert!(
            message.contains("exactly one statement, found 2"),
            "{message}"
        );
        let line = "  a RUN SQL 'CREATE DATASOURCE d TYPE t WITH (a = ''x'') FILES (k = 1)'";
        let sql = format!("CREATE SCHEDULE s CRON '0 2 * * *' AS (\n{line}\n)");
        let (message, state, at) = fails(&sql);
        assert_eq!(state, "42601");
        assert!(
            message.starts_with("in task a: expected a 'string' for \"k\""),
            "{message}"
        );
        // The doubled quotes count as written: the caret is under the 1.
        assert_eq!(at, (2, line.find("1)").unwrap() + 1));
    }

    #[test]
    fn execute_schedule_checks_backfill_dates() {
        assert!(matches!(
            one("EXECUTE SCHEDULE s FOR '2026-11-01' TO '2026-11-07'"),
            Statement::Schedule(ScheduleStatement::Execute(ExecuteSchedule {
                backfill: Some(_),
                ..
            }))
        ));
        let (message, state, _) = fails("EXECUTE SCHEDULE s FOR '2026-11-31' TO '2026-12-01'");
        assert_eq!(state, "22007");
        assert!(message.contains("is not a date"), "{message}");
        let (message, ..) = fails("EXECUTE SCHEDULE s FOR '2026-11-07' TO '2026-11-01'");
        assert!(message.contains("before it starts"), "{message}");
        let (message, ..) = fails("SHOW RUNS LIMIT 0");
        assert!(message.contains("from 1 to 100000"), "{message}");
    }

    #[test]
    fn datasource_statements_parse() {
        assert_eq!(
            one("show datasource types"),
            Statement::Datasource(DatasourceStatement::ShowTypes)
        );
        assert!(matches!(
            one("DESCRIBE DATASOURCE TYPE mysql"),
            Statement::Datasource(DatasourceStatement::DescribeType(_))
        ));
        assert!(matches!(
            one("DESCRIBE DATASOURCE d"),
            Statement::Datasource(DatasourceStatement::Object(ObjectStatement::Describe(
                DescribeObject {
                    show_create: false,
                    ..
                }
            )))
        ));
        let Statement::Datasource(DatasourceStatement::DescribeTable(t)) =
            one("DESCRIBE DATASOURCE d TABLE db.public.\"T\"")
        else {
            panic!()
        };
        assert_eq!(t.table.to_string(), "db.public.\"T\"");
        let Statement::Datasource(DatasourceStatement::Create(c)) =
            one("CREATE DATASOURCE d TYPE hive FILES (keytab = '/k')")
        else {
            panic!()
        };
        assert_eq!(c.files.0[0].key, "keytab");
        let (message, ..) = fails("CREATE DATASOURCE d TYPE hive FILES (keytab = 42)");
        assert!(
            message.contains("expected a 'string' for \"keytab\""),
            "{message}"
        );
        let (message, ..) = fails("ALTER DATASOURCE d RESET (a, A)");
        assert!(message.contains("given twice"), "{message}");
        let (message, ..) = fails("ALTER DATASOURCE d CHANGE (a = 1)");
        assert!(
            message.contains("expected SET, RESET or RENAME"),
            "{message}"
        );
        let (message, ..) = fails("PREVIEW DATASOURCE d TABLE t LIMIT 20000");
        assert!(message.contains("from 1 to 10000"), "{message}");
        let (message, ..) = fails("COMMENT ON TABLE t IS 'x'");
        assert!(
            message.contains(
                "expected DATASOURCE, SYNC, JOB, CLUSTER, CONNECTOR or SCHEDULE after COMMENT ON"
            ),
            "{message}"
        );
    }

    #[test]
    fn cluster_files_are_given_at_create_and_changed_by_alter_cluster_only() {
        let Statement::Cluster(ClusterStatement::Create(c)) =
            one("CREATE CLUSTER k TYPE KUBERNETES_SESSION FILES ('pod.template' = '/p.yaml')")
        else {
            panic!()
        };
        assert_eq!(c.files.0[0].key, "pod.template");
        assert!(c.options.0.is_empty());
        let Statement::Cluster(ClusterStatement::Object(ObjectStatement::Alter(a))) =
            one("alter cluster k set files ('pod.template' = '/p.yaml')")
        else {
            panic!()
        };
        assert!(matches!(&a.action, AlterAction::SetFiles(f) if f.0.len() == 1));
        let Statement::Cluster(ClusterStatement::Object(ObjectStatement::Alter(a))) =
            one("ALTER CLUSTER k RESET FILES ('pod.template', taskmanager.pod.template)")
        else {
            panic!()
        };
        assert_eq!(
            a.action,
            AlterAction::ResetFiles(vec![
                "pod.template".into(),
                "taskmanager.pod.template".into()
            ])
        );
        let (message, ..) = fails("ALTER CLUSTER k SET FILES ('pod.template' = 1)");
        assert!(message.contains("expected a 'string'"), "{message}");
        let (message, ..) = fails("ALTER CLUSTER k RESET FILES (a, A)");
        assert!(message.contains("given twice"), "{message}");
        // A datasource's files are given at CREATE: refused where FILES is.
        let (message, state, at) = fails("ALTER DATASOURCE d SET FILES (keytab = '/k')");
        assert_eq!(state, "0A000");
        assert!(
            message.contains("ALTER DATASOURCE takes no FILES"),
            "{message}"
        );
        assert_eq!(at, (1, 24));
        assert_eq!(fails("ALTER JOB j RESET FILES (x)").1, "0A000");
        // An option called files is still an option.
        assert!(matches!(
            one("ALTER CLUSTER k SET (files = 'x')"),
            Statement::Cluster(ClusterStatement::Object(ObjectStatement::Alter(
                AlterObject {
                    action: AlterAction::Set(_),
                    ..
                }
            )))
        ));
    }

    #[test]
    fn typos_in_leading_words_and_kinds_are_caught() {
        let (message, _, at) = fails("CRATE DATASOURCE d TYPE mysql");
        assert!(
            message.contains("unknown statement \"CRATE\": did you mean CREATE?"),
            "{message}"
        );
        assert_eq!(at, (1, 1));
        assert!(fails("DROP SYNK s").0.contains("did you mean SYNC?"));
        assert!(
            fails("SHOW CREATE SCHEDUL s")
                .0
                .contains("did you mean SCHEDULE?")
        );
        assert!(
            fails("DESCRIBE CLUSTR c")
                .0
                .contains("did you mean CLUSTER?")
        );
        assert!(fails("SHOW SCHEDULS").0.contains("did you mean SCHEDULES?"));
        // Flink words and table names are never corrected.
        assert_eq!(flink_kind_of("DESCRIBE jobs"), FlinkStatementKind::Show);
        assert_eq!(flink_kind_of("DROP VIEW v"), FlinkStatementKind::Ddl);
        assert_eq!(flink_kind_of("LOAD MODULE hive"), FlinkStatementKind::Other);
    }

    #[test]
    fn preview_takes_only_what_writes_a_sink() {
        let Statement::Preview(p) = one("EXPLAIN PREVIEW INSERT INTO t SELECT 1") else {
            panic!()
        };
        assert!(p.explain);
        assert_eq!(p.body.kind(), FlinkStatementKind::Insert);
        let Statement::Preview(p) = one("PREVIEW CREATE TABLE t AS SELECT 1") else {
            panic!()
        };
        assert_eq!(p.body.kind(), FlinkStatementKind::CreateTableAs);
        let (message, ..) = fails("PREVIEW SELECT 1");
        assert!(message.contains("PREVIEW takes INSERT INTO"), "{message}");
        let (message, ..) = fails("PREVIEW");
        assert!(message.contains("expected a statement"), "{message}");
    }
}
