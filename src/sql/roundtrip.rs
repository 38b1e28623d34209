//! Property test: every extension statement, generated at random, prints
//! (`Display`) to SQL that parses back to the same statement.
//!
//! Bare names are drawn from words that are not clause keywords of the
//! grammar (`TYPE`, `FROM`, `AS`, ...); a name that is one must be quoted
//! to be read as a name everywhere, and quoted names are generated too.

use proptest::collection::vec;
use proptest::prelude::*;
use sqlparser::ast::Ident;

use super::ast::*;
use super::parse_script;

/// Words that start or separate clauses; never generated as bare names.
const CLAUSE_WORDS: &[&str] = &[
    "after", "as", "cascade", "cron", "database", "drain", "engine", "exists", "false", "files",
    "for", "from", "if", "is", "like", "limit", "mode", "not", "null", "on", "pattern", "rename",
    "reset", "run", "set", "table", "tables", "timezone", "to", "topic", "true", "type", "with",
];

fn ident() -> impl Strategy<Value = Ident> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,8}"
            .prop_filter("clause word", |w| !CLAUSE_WORDS.contains(&w.as_str()))
            .prop_map(Ident::new),
        "[A-Za-z][A-Za-z0-9 _\"é]{0,8}".prop_map(|v| Ident::with_quote('"', v)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    "[ -~é\n]{0,12}"
}

fn option_value() -> impl Strategy<Value = OptionValue> {
    prop_oneof![
        text().prop_map(OptionValue::String),
        "-?[0-9]{1,6}(\\.[0-9]{1,3})?".prop_map(OptionValue::Number),
        any::<bool>().prop_map(OptionValue::Boolean),
    ]
}

/// Options with distinct keys (case-insensitively), bare or quoted.
fn options() -> impl Strategy<Value = Options> {
    vec(("[a-z][a-z0-9_.-]{0,8}[a-z0-9]", option_value()), 0..4).prop_map(|pairs| {
        let mut seen = std::collections::HashSet::new();
        Options(
            pairs
                .into_iter()
                .filter(|(k, _)| seen.insert(k.to_ascii_lowercase()))
                .map(|(key, value)| SqlOption { key, value })
                .collect(),
        )
    })
}

fn string_options() -> impl Strategy<Value = Options> {
    options().prop_map(|o| {
        Options(
            o.0.into_iter()
                .map(|option| SqlOption {
                    value: OptionValue::String(option.value.as_text()),
                    ..option
                })
                .collect(),
        )
    })
}

fn kind() -> impl Strategy<Value = ObjectKind> {
    proptest::sample::select(ObjectKind::ALL.to_vec())
}

fn qualified() -> impl Strategy<Value = QualifiedName> {
    vec(ident(), 1..=3).prop_map(QualifiedName)
}

fn datasource_statements() -> impl Strategy<Value = Statement> {
    prop_oneof![
        (any::<bool>(), ident(), ident(), options(), string_options()).prop_map(
            |(if_not_exists, name, datasource_type, options, files)| {
                Statement::from(CreateDatasource {
                    if_not_exists,
                    name,
                    datasource_type,
                    options,
                    files,
                })
            }
        ),
        Just(Statement::Datasource(DatasourceStatement::ShowTypes)),
        ident().prop_map(|datasource_type| {
            Statement::from(DescribeDatasourceType { datasource_type })
        }),
        (ident(), options(), string_options()).prop_map(|(datasource_type, options, files)| {
            Statement::from(TestDatasourceType {
                datasource_type,
                options,
                files,
            })
        }),
        ident().prop_map(|datasource| Statement::from(ShowSourceDatabases { datasource })),
        (
            ident(),
            proptest::option::of(ident()),
            proptest::option::of(text())
        )
            .prop_map(
                |(datasource, database, like)| Statement::from(ShowSourceTables {
                    datasource,
                    database,
                    like,
                })
            ),
        (ident(), qualified()).prop_map(|(datasource, table)| {
            Statement::from(DescribeSourceTable { datasource, table })
        }),
        (ident(), qualified(), proptest::option::of(1u64..=10_000)).prop_map(
            |(datasource, table, limit)| Statement::from(PreviewSourceTable {
                datasource,
                table,
                limit,
            })
        ),
    ]
}

fn sync_statement() -> impl Strategy<Value = Statement> {
    let sink =
        (ident(), 0..4u8, ident(), text()).prop_map(|(datasource, target, db, topic)| SyncSink {
            datasource,
            target: match target {
                0 => SinkTarget::Default,
                1 => SinkTarget::Database(db),
                2 => SinkTarget::Topic(topic),
                _ => SinkTarget::TopicPattern(topic),
            },
        });
    (
        (
            any::<bool>(),
            ident(),
            proptest::option::of(ident()),
            ident(),
            proptest::option::of(ident()),
        ),
        vec("[a-z_]{1,6}(\\.\\*)?", 0..3),
        vec(sink, 1..3),
        proptest::option::of(proptest::sample::select(vec![
            SyncMode::Cdc,
            SyncMode::Snapshot,
        ])),
        proptest::option::of(proptest::sample::select(vec![
            SyncEngine::FlinkCdc,
            SyncEngine::Seatunnel,
            SyncEngine::FlinkSql,
        ])),
        options(),
    )
        .prop_map(
            |(
                (if_not_exists, name, cluster, source, database),
                tables,
                sinks,
                mode,
                engine,
                options,
            )| {
                Statement::from(CreateSync {
                    if_not_exists,
                    name,
                    cluster,
                    source,
                    database,
                    tables,
                    sinks,
                    mode,
                    engine,
                    options,
                })
            },
        )
}

fn job_statements() -> impl Strategy<Value = Statement> {
    let body = proptest::sample::select(vec![
        ("INSERT INTO t SELECT * FROM s", FlinkStatementKind::Insert),
        (
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END",
            FlinkStatementKind::StatementSet,
        ),
        (
            "CREATE TABLE t WITH ('connector' = 'print') AS SELECT 1",
            FlinkStatementKind::CreateTableAs,
        ),
    ])
    .prop_map(|(text, kind)| {
        let flink = crate::sql::classify::classify_text(text);
        assert_eq!(flink.kind, kind, "{text}");
        FlinkBody {
            text: text.to_string(),
            flink: Box::new(flink),
        }
    });
    prop_oneof![
        (
            any::<bool>(),
            ident(),
            proptest::option::of(ident()),
            options(),
            body.clone().prop_filter("jobs run inserts", |b| b.kind()
                != FlinkStatementKind::CreateTableAs)
        )
            .prop_map(|(if_not_exists, name, cluster, options, body)| {
                Statement::from(CreateJob {
                    if_not_exists,
                    name,
                    cluster,
                    options,
                    body,
                })
            }),
        (
            any::<bool>(),
            ident(),
            proptest::sample::select(
                ClusterType::KEYWORDS
                    .iter()
                    .map(|(_, t)| *t)
                    .collect::<Vec<_>>(),
            ),
            options(),
            string_options()
        )
            .prop_map(|(if_not_exists, name, cluster_type, options, files)| {
                Statement::from(CreateCluster {
                    if_not_exists,
                    name,
                    cluster_type,
                    options,
                    files,
                })
            }),
        (any::<bool>(), ident(), "(https://|/)[a-z/.]{1,10}\\.jar").prop_map(
            |(if_not_exists, name, location)| Statement::from(CreateConnector {
                if_not_exists,
                name,
                location,
            })
        ),
        ident().prop_map(|job| Statement::from(ShowSavepoints { job })),
        (any::<bool>(), body)
            .prop_map(|(explain, body)| Statement::Preview(Preview { explain, body })),
    ]
}

fn schedule_statements() -> impl Strategy<Value = Statement> {
    let action = prop_oneof![
        ident().prop_map(TaskAction::Sync),
        ident().prop_map(TaskAction::Job),
        proptest::sample::select(vec![
            "SELECT 1",
            "INSERT INTO t SELECT 'it''s'",
            "START SYNC s"
        ])
        .prop_map(|sql| TaskAction::Sql(sql.to_string())),
    ];
    let tasks = vec((action, 0..3u8), 1..5).prop_map(|specs| {
        // Task i may only run after tasks before it: always a DAG.
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (action, rule))| ScheduleTask {
                name: Ident::new(format!("t{i}")),
                action,
                upstream: (0..i)
                    .step_by(2)
                    .map(|u| Ident::new(format!("t{u}")))
                    .collect(),
                trigger: if i == 0 {
                    TriggerRule::OnSuccess
                } else {
                    TriggerRule::KEYWORDS[usize::from(rule)].1
                },
            })
            .collect()
    });
    let cron = proptest::sample::select(vec!["0 2 * * *", "*/5 * * * *", "30 0 3 * * MON-FRI"]);
    let zone = proptest::option::of(proptest::sample::select(vec![
        "Asia/Shanghai",
        "UTC",
        "America/New_York",
    ]));
    let schedule_options = proptest::sample::select(vec![
        "",
        "retries = 2",
        "retry_delay = '5 min', catchup = FALSE",
        "timeout = '2 h', max_active_runs = 1",
    ])
    .prop_map(|options| {
        let sql = format!("CREATE SCHEDULE s CRON '* * * * *' WITH ({options}) AS (a RUN SYNC b)");
        match parse_script(&sql).unwrap().remove(0).statement {
            Statement::Schedule(ScheduleStatement::Create(s)) => s.options,
            _ => unreachable!(),
        }
    });
    prop_oneof![
        (any::<bool>(), ident(), cron, zone, schedule_options, tasks).prop_map(
            |(if_not_exists, name, cron, timezone, options, tasks)| {
                Statement::from(CreateSchedule {
                    if_not_exists,
                    name,
                    cron: cron.to_string(),
                    timezone: timezone.map(str::to_string),
                    options,
                    tasks,
                })
            }
        ),
        (ident(), any::<bool>()).prop_map(|(name, backfill)| {
            Statement::from(ExecuteSchedule {
                name,
                backfill: backfill
                    .then(|| ("2026-11-01".to_string(), "2026-11-07 12:00".to_string())),
            })
        }),
        (
            proptest::option::of(ident()),
            proptest::option::of(1u64..=100_000)
        )
            .prop_map(|(schedule, limit)| Statement::from(ShowRuns { schedule, limit })),
    ]
}

fn object_statements() -> impl Strategy<Value = Statement> {
    let action = prop_oneof![
        options()
            .prop_filter("SET needs options", |o| !o.0.is_empty())
            .prop_map(AlterAction::Set),
        options()
            .prop_filter("RESET needs keys", |o| !o.0.is_empty())
            .prop_map(|o| AlterAction::Reset(o.0.into_iter().map(|o| o.key).collect())),
        ident().prop_map(AlterAction::RenameTo),
    ];
    let files_action = prop_oneof![
        string_options()
            .prop_filter("SET FILES needs files", |o| !o.0.is_empty())
            .prop_map(AlterAction::SetFiles),
        string_options()
            .prop_filter("RESET FILES needs keys", |o| !o.0.is_empty())
            .prop_map(|o| AlterAction::ResetFiles(o.0.into_iter().map(|o| o.key).collect())),
    ];
    let command = (
        proptest::sample::select(vec![
            Lifecycle::Start,
            Lifecycle::Stop {
                savepoint: false,
                drain: false,
            },
            Lifecycle::Stop {
                savepoint: true,
                drain: true,
            },
            Lifecycle::Suspend,
            Lifecycle::Resume,
            Lifecycle::Savepoint,
            Lifecycle::Explain,
            Lifecycle::Test,
        ]),
        any::<proptest::sample::Index>(),
        ident(),
    )
        .prop_map(|(command, index, name)| {
            let kind = *index.get(command.kinds());
            let command = match command {
                Lifecycle::Stop { savepoint, drain } => Lifecycle::Stop {
                    savepoint,
                    drain: drain && kind == ObjectKind::Job,
                },
                other => other,
            };
            Statement::from(ObjectCommand {
                command,
                kind,
                name,
            })
        });
    prop_oneof![
        (kind(), proptest::option::of(text()))
            .prop_map(|(kind, like)| Statement::from(ShowObjects { kind, like })),
        (kind(), ident(), any::<bool>()).prop_map(|(kind, name, show_create)| {
            Statement::from(DescribeObject {
                kind,
                name,
                show_create,
            })
        }),
        (kind(), ident(), proptest::option::of(text())).prop_map(|(kind, name, comment)| {
            Statement::from(CommentOn {
                kind,
                name,
                comment,
            })
        }),
        (kind(), any::<bool>(), ident(), any::<bool>()).prop_map(
            |(kind, if_exists, name, cascade)| Statement::from(DropObject {
                kind,
                if_exists,
                name,
                cascade,
            })
        ),
        (kind(), ident(), action).prop_map(|(kind, name, action)| Statement::from(AlterObject {
            kind,
            name,
            action
        })),
        (
            proptest::sample::select(AlterAction::FILES_KINDS.to_vec()),
            ident(),
            files_action
        )
            .prop_map(|(kind, name, action)| Statement::from(AlterObject {
                kind,
                name,
                action
            })),
        command,
    ]
}

/// `COPY (SELECT * FROM t) TO STDOUT` with any valid format.
fn copy_statement() -> impl Strategy<Value = Statement> {
    let delimiters = vec![',', ';', '|', '\t', ' ', ':'];
    let quotes = vec!['"', '\'', '`'];
    (
        ident(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(delimiters),
        "[ -~é]{0,6}",
        prop::sample::select(quotes),
    )
        .prop_filter_map(
            "a valid COPY",
            |(table, csv, header, delimiter, null, quote)| {
                if null.contains(delimiter) || (csv && quote == delimiter) {
                    return None;
                }
                let text = format!("SELECT * FROM {table}");
                let query = parse_script(&text).ok()?.remove(0).statement;
                Some(Statement::CopyTo(CopyTo {
                    query: Box::new(query),
                    text,
                    format: CopyFormat {
                        csv,
                        header,
                        delimiter,
                        null,
                        quote: if csv { quote } else { '"' },
                    },
                }))
            },
        )
}

/// `CREATE CATALOG ... FROM DATASOURCE`, the catalog statement that is
/// scaleph's.
fn catalog_statement() -> impl Strategy<Value = Statement> {
    (any::<bool>(), ident(), ident(), options()).prop_map(
        |(if_not_exists, name, datasource, options)| {
            Statement::from(CreateCatalogFromDatasource {
                if_not_exists,
                name,
                datasource,
                options,
            })
        },
    )
}

fn statement() -> impl Strategy<Value = Statement> {
    prop_oneof![
        datasource_statements(),
        catalog_statement(),
        sync_statement(),
        job_statements(),
        schedule_statements(),
        object_statements(),
        copy_statement(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_extension_statement_round_trips(statement in statement()) {
        let printed = statement.canonical_sql().expect("extension statements print");
        let parsed = parse_script(&printed)
            .map_err(|e| TestCaseError::fail(format!("{printed}: {e:?}")))?;
        prop_assert_eq!(parsed.len(), 1, "{}", printed);
        prop_assert_eq!(&parsed[0].statement, &statement, "{}", printed);
    }
}
