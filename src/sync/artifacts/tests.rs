//! The generators against golden artifacts (`tests/golden/sync/`), key by
//! key against `docs/sync-engines.md`, and against the reference examples
//! (`tests/golden/sync/reference/`). Plans and datasources are built here
//! directly: no database is needed.
//!
//! `SCALEPH_UPDATE_GOLDEN=1 cargo test --lib sync` rewrites the golden
//! files; review the diff.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::SecretString;
use serde_json::Value;

use super::keys::{self, KeyList};
use super::*;
use crate::catalog::Registry;
use crate::sql::ast::{OptionValue, Options, SqlOption};
use crate::sync::plan::{PlannedColumn, PlannedSink, PlannedSource};

// ---- fixtures --------------------------------------------------------

fn datasource(registry: &Registry, name: &str, kind: &str, options: &[(&str, &str)]) -> Datasource {
    let kind = registry.get(kind).unwrap();
    let now = chrono::Utc::now();
    Datasource {
        name: name.into(),
        datasource_type: kind.name.clone(),
        options: options
            .iter()
            .map(|(k, v)| {
                let entry = if kind.is_secret(k) {
                    OptionEntry::Secret(SecretString::from(v.to_string()))
                } else {
                    OptionEntry::Plain(v.to_string())
                };
                (k.to_string(), entry)
            })
            .collect(),
        files: BTreeMap::new(),
        comment: None,
        created_at: now,
        updated_at: now,
    }
}

fn col(
    name: &str,
    source_type: &str,
    data_type: &str,
    len: Option<i64>,
    p: Option<i64>,
    s: Option<i64>,
    nullable: bool,
) -> PlannedColumn {
    PlannedColumn {
        name: name.into(),
        source_type: source_type.into(),
        data_type: data_type.into(),
        length: len,
        precision: p,
        scale: s,
        nullable,
    }
}

fn table(schema: &str, name: &str, columns: Vec<PlannedColumn>, key: &[&str]) -> PlannedTable {
    PlannedTable {
        schema: schema.into(),
        name: name.into(),
        columns,
        primary_key: key.iter().map(|k| k.to_string()).collect(),
    }
}

fn shop_tables(db: &str) -> Vec<PlannedTable> {
    vec![
        table(
            db,
            "orders",
            vec![
                col(
                    "id",
                    "bigint unsigned",
                    "bigint",
                    None,
                    Some(20),
                    Some(0),
                    false,
                ),
                col("customer_id", "int", "int", None, Some(10), Some(0), false),
                col(
                    "amount",
                    "decimal(10,2)",
                    "decimal",
                    None,
                    Some(10),
                    Some(2),
                    true,
                ),
                col(
                    "paid",
                    "tinyint(1)",
                    "tinyint",
                    None,
                    Some(3),
                    Some(0),
                    true,
                ),
                col(
                    "created_at",
                    "datetime(3)",
                    "datetime",
                    None,
                    None,
                    Some(3),
                    false,
                ),
                col(
                    "updated_at",
                    "timestamp",
                    "timestamp",
                    None,
                    None,
                    Some(0),
                    true,
                ),
                col("note", "json", "json", None, None, None, true),
            ],
            &["id"],
        ),
        table(
            db,
            "order_items",
            vec![
                col(
                    "order_id",
                    "bigint",
                    "bigint",
                    None,
                    Some(19),
                    Some(0),
                    false,
                ),
                col("line", "int", "int", None, Some(10), Some(0), false),
                col("sku", "varchar(64)", "varchar", Some(64), None, None, false),
                col("qty", "int", "int", None, Some(10), Some(0), true),
            ],
            &["order_id", "line"],
        ),
    ]
}

fn pg_tables() -> Vec<PlannedTable> {
    vec![
        table(
            "public",
            "accounts",
            vec![
                col("id", "bigint", "bigint", None, Some(64), Some(0), false),
                col(
                    "email",
                    "character varying(255)",
                    "character varying",
                    Some(255),
                    None,
                    None,
                    false,
                ),
                col(
                    "balance",
                    "numeric(12,2)",
                    "numeric",
                    None,
                    Some(12),
                    Some(2),
                    true,
                ),
                col(
                    "opened_at",
                    "timestamp with time zone",
                    "timestamp with time zone",
                    None,
                    None,
                    Some(6),
                    true,
                ),
            ],
            &["id"],
        ),
        table(
            "public",
            "events",
            vec![
                col("id", "integer", "integer", None, Some(32), Some(0), false),
                col(
                    "account_id",
                    "bigint",
                    "bigint",
                    None,
                    Some(64),
                    Some(0),
                    true,
                ),
                col("payload", "jsonb", "jsonb", None, None, None, true),
                col("tags", "text[]", "_text", None, None, None, true),
            ],
            &["id"],
        ),
    ]
}

fn with(items: &[(&str, &str)]) -> SyncOptions {
    SyncOptions::parse(&Options(
        items
            .iter()
            .map(|(k, v)| SqlOption {
                key: k.to_string(),
                value: OptionValue::String(v.to_string()),
            })
            .collect(),
    ))
    .unwrap()
}

/// A sink of a plan; names from `pattern` as the planner fills it.
fn planned_sink(
    ds: &Datasource,
    target: PlannedTarget,
    tables: &[PlannedTable],
    options: &SyncOptions,
    database: &str,
) -> PlannedSink {
    let names = tables
        .iter()
        .map(|t| match &target {
            PlannedTarget::Topic(topic) => topic.clone(),
            PlannedTarget::TopicPattern(p) => fill_pattern(p, &t.schema, database, &t.name),
            _ => options.table_name(&t.schema, database, &t.name),
        })
        .collect();
    PlannedSink {
        datasource: ds.name.clone(),
        datasource_type: ds.datasource_type.clone(),
        target,
        names,
    }
}

/// Everything a case owns; `input` borrows it.
struct Case {
    name: String,
    plan: SyncPlan,
    options: SyncOptions,
    source: Datasource,
    sinks: Vec<Datasource>,
    registry: Registry,
}

impl Case {
    #[allow(clippy::too_many_arguments)] // a plan has that many parts
    fn new(
        name: &str,
        engine: Engine,
        mode: Mode,
        source: Datasource,
        database: &str,
        tables: Vec<PlannedTable>,
        sinks: Vec<(Datasource, PlannedTarget)>,
        options: SyncOptions,
    ) -> Case {
        let registry = Registry::embedded();
        let plan = SyncPlan {
            source: PlannedSource {
                datasource: source.name.clone(),
                datasource_type: source.datasource_type.clone(),
                database: Some(database.into()),
                topic: None,
                patterns: Vec::new(),
            },
            mode,
            engine,
            sinks: sinks
                .iter()
                .map(|(ds, target)| planned_sink(ds, target.clone(), &tables, &options, database))
                .collect(),
            tables,
        };
        Case {
            name: name.into(),
            plan,
            options,
            source,
            sinks: sinks.into_iter().map(|(ds, _)| ds).collect(),
            registry,
        }
    }

    fn endpoint<'a>(&'a self, ds: &'a Datasource) -> Endpoint<'a> {
        Endpoint {
            datasource: ds,
            kind: self.registry.get(&ds.datasource_type).unwrap(),
        }
    }

    fn input(&self, secrets: Secrets) -> Input<'_> {
        Input {
            name: &self.name,
            plan: &self.plan,
            options: &self.options,
            source: self.endpoint(&self.source),
            sinks: self.sinks.iter().map(|ds| self.endpoint(ds)).collect(),
            secrets,
        }
    }

    fn generate(&self) -> Result<Artifacts> {
        generate(&self.input(Secrets::Masked))
    }

    fn with_engine(mut self, engine: Engine) -> Case {
        self.plan.engine = engine;
        self
    }
}

fn mysql(registry: &Registry) -> Datasource {
    datasource(
        registry,
        "mysql_shop",
        "mysql",
        &[
            ("host", "mysql.data.svc"),
            ("port", "3306"),
            ("username", "flinkcdc"),
            ("password", "s3cret"),
            ("server_time_zone", "UTC"),
        ],
    )
}

fn doris(registry: &Registry) -> Datasource {
    datasource(
        registry,
        "doris_dw",
        "doris",
        &[
            ("host", "doris-fe.data.svc"),
            ("username", "root"),
            ("password", "d0ris-pw"),
        ],
    )
}

fn kafka(registry: &Registry) -> Datasource {
    datasource(
        registry,
        "kafka_events",
        "kafka",
        &[
            ("bootstrap_servers", "kafka.data.svc:9092"),
            ("security_protocol", "SASL_SSL"),
            ("sasl_mechanism", "PLAIN"),
            (
                "sasl_jaas_config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"k4fka\";",
            ),
        ],
    )
}

fn postgres(registry: &Registry) -> Datasource {
    datasource(
        registry,
        "pg_billing",
        "postgresql",
        &[
            ("host", "pg.data.svc"),
            ("username", "replicator"),
            ("password", "pg-s3cret"),
            ("database", "billing"),
        ],
    )
}

fn paimon(registry: &Registry) -> Datasource {
    datasource(
        registry,
        "lake",
        "paimon",
        &[
            ("warehouse", "s3://lake/warehouse"),
            ("s3_endpoint", "http://minio.data.svc:9000"),
            ("s3_access_key", "minio"),
            ("s3_secret_key", "minio-s3cret"),
            ("bucket", "4"),
        ],
    )
}

fn mysql_copy(registry: &Registry) -> Datasource {
    datasource(
        registry,
        "mysql_copy",
        "mysql",
        &[
            ("host", "mysql-dst.data.svc"),
            ("port", "3306"),
            ("username", "writer"),
            ("password", "wr1ter"),
        ],
    )
}

/// MySQL shop → Doris `DATABASE ods_shop` + Kafka `TOPIC PATTERN 'cdc.{table}'`, CDC.
fn fanout(engine: Engine) -> Case {
    let r = Registry::embedded();
    Case::new(
        "shop_sync",
        engine,
        Mode::Cdc,
        mysql(&r),
        "shop",
        shop_tables("shop"),
        vec![
            (doris(&r), PlannedTarget::Database("ods_shop".into())),
            (kafka(&r), PlannedTarget::TopicPattern("cdc.{table}".into())),
        ],
        with(&[
            ("parallelism", "2"),
            ("table.name.pattern", "ods_{table}"),
            ("schema.change", "evolve"),
            ("server.id", "5400-5403"),
        ]),
    )
}

/// PostgreSQL billing → Paimon (the source schema), CDC.
fn pg_to_paimon(engine: Engine) -> Case {
    let r = Registry::embedded();
    Case::new(
        "billing_lake",
        engine,
        Mode::Cdc,
        postgres(&r),
        "billing",
        pg_tables(),
        vec![(paimon(&r), PlannedTarget::Default)],
        with(&[("slot.name", "billing_lake"), ("parallelism", "2")]),
    )
}

/// MySQL shop.orders → MySQL shop_copy, SNAPSHOT.
fn snapshot_copy(engine: Engine) -> Case {
    let r = Registry::embedded();
    let mut tables = shop_tables("shop");
    tables.truncate(1);
    Case::new(
        "copy_orders",
        engine,
        Mode::Snapshot,
        mysql(&r),
        "shop",
        tables,
        vec![(mysql_copy(&r), PlannedTarget::Database("shop_copy".into()))],
        with(&[("parallelism", "4"), ("batch.size", "5000")]),
    )
}

/// MySQL shop → Doris, SNAPSHOT (Flink CDC's snapshot mode).
fn snapshot_doris(engine: Engine) -> Case {
    let r = Registry::embedded();
    Case::new(
        "shop_once",
        engine,
        Mode::Snapshot,
        mysql(&r),
        "shop",
        shop_tables("shop"),
        vec![(doris(&r), PlannedTarget::Database("ods_shop".into()))],
        with(&[]),
    )
}

// ---- golden files ----------------------------------------------------

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sync")
}

/// `text` equals the golden file `name` (rewritten under SCALEPH_UPDATE_GOLDEN=1).
fn golden(name: &str, text: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("SCALEPH_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (SCALEPH_UPDATE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    assert_eq!(
        text,
        expected,
        "{} differs (SCALEPH_UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}

/// Every representative artifact, by golden file name.
fn representative() -> Vec<(String, Artifacts)> {
    let mut all = Vec::new();
    for (stem, case) in [
        ("mysql_doris_kafka", fanout(Engine::FlinkCdc)),
        ("postgres_paimon", pg_to_paimon(Engine::FlinkCdc)),
        ("mysql_doris_snapshot", snapshot_doris(Engine::FlinkCdc)),
    ] {
        all.push((format!("flink_cdc/{stem}"), case.generate().unwrap()));
    }
    for (stem, case) in [
        ("mysql_doris_kafka", fanout(Engine::Seatunnel)),
        ("postgres_paimon", pg_to_paimon(Engine::Seatunnel)),
        ("mysql_copy_snapshot", snapshot_copy(Engine::Seatunnel)),
    ] {
        all.push((format!("seatunnel/{stem}"), case.generate().unwrap()));
    }
    for (stem, case) in [
        ("mysql_doris_kafka", fanout(Engine::FlinkSql)),
        ("postgres_paimon", pg_to_paimon(Engine::FlinkSql)),
        ("mysql_copy_snapshot", snapshot_copy(Engine::FlinkSql)),
    ] {
        all.push((format!("flink_sql/{stem}"), case.generate().unwrap()));
    }
    all
}

#[test]
fn representative_plans_generate_their_golden_artifacts() {
    for (stem, artifacts) in representative() {
        match &artifacts {
            Artifacts::FlinkCdc(pipelines) => {
                for p in pipelines {
                    let mut text = String::new();
                    for (k, v) in &p.flink_config {
                        text.push_str(&format!("# -D {k}={v}\n"));
                    }
                    text.push_str(&p.yaml);
                    golden(&format!("{stem}.{}.yaml", p.sink), &text);
                }
            }
            Artifacts::Seatunnel(job) => golden(
                &format!("{stem}.json"),
                &(serde_json::to_string_pretty(job).unwrap() + "\n"),
            ),
            Artifacts::FlinkSql(script) => golden(&format!("{stem}.sql"), script),
        }
    }
}

// ---- key by key against docs/sync-engines.md ---------------------------

/// The document as the repository has it (not only as embedded).
fn doc_lists() -> BTreeMap<String, KeyList> {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/sync-engines.md"),
    )
    .unwrap();
    assert_eq!(text, keys::DOC, "the embedded document is the repository's");
    keys::parse(&text).unwrap()
}

fn joined(lists: &BTreeMap<String, KeyList>, kind: &str, name: &str) -> KeyList {
    let own = lists
        .get(&format!("{kind}.{name}"))
        .unwrap_or_else(|| panic!("no list {kind}.{name}"));
    own.with(lists.get(kind).unwrap_or(&KeyList::default()))
}

fn assert_keys(what: &str, object: &Value, list: &KeyList) {
    let object = object
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not a map"));
    for (key, value) in object {
        assert!(
            list.allows(key),
            "{what}: key {key} is not in docs/sync-engines.md"
        );
        if list.maps.contains(key) {
            assert!(
                value.is_object(),
                "{what}: {key} is a map in docs/sync-engines.md"
            );
        }
    }
}

/// Every key of a Flink CDC pipeline, block by block.
fn check_pipeline(what: &str, yaml: &str, lists: &BTreeMap<String, KeyList>) -> Value {
    let parsed: Value =
        serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{what}: {e}\n{yaml}"));
    assert_keys(what, &parsed, &lists["flink_cdc.top"]);
    let source_type = parsed["source"]["type"].as_str().unwrap();
    assert_keys(
        &format!("{what} source"),
        &parsed["source"],
        &joined(lists, "flink_cdc.source", source_type),
    );
    let sink_type = parsed["sink"]["type"].as_str().unwrap();
    assert_keys(
        &format!("{what} sink"),
        &parsed["sink"],
        &joined(lists, "flink_cdc.sink", sink_type),
    );
    assert_keys(
        &format!("{what} pipeline"),
        &parsed["pipeline"],
        &lists["flink_cdc.pipeline"],
    );
    for rule in parsed["route"].as_array().into_iter().flatten() {
        assert_keys(&format!("{what} route"), rule, &lists["flink_cdc.route"]);
    }
    // Values are scalars (the sink's schema-change lists excepted).
    for block in ["source", "sink", "pipeline"] {
        for (k, v) in parsed[block].as_object().unwrap() {
            assert!(
                !v.is_object() && !v.is_array(),
                "{what} {block}.{k} is not a scalar"
            );
        }
    }
    parsed
}

fn check_job(what: &str, job: &Value, lists: &BTreeMap<String, KeyList>) {
    assert_keys(what, job, &lists["seatunnel.top"]);
    assert_keys(&format!("{what} env"), &job["env"], &lists["seatunnel.env"]);
    for (stage, kind) in [("source", "seatunnel.source"), ("sink", "seatunnel.sink")] {
        for plugin in job[stage].as_array().unwrap() {
            let name = plugin["plugin_name"].as_str().unwrap();
            let list = lists[&format!("{kind}.{name}")].with(&lists["seatunnel.plugin"]);
            assert_keys(&format!("{what} {stage} {name}"), plugin, &list);
        }
    }
}

/// The `(connector, keys)` of every table a script declares.
fn script_tables(script: &str) -> Vec<(String, Vec<String>)> {
    script
        .split("CREATE TEMPORARY TABLE ")
        .skip(1)
        .map(|table| {
            let with = table
                .split(") WITH (\n")
                .nth(1)
                .unwrap()
                .split("\n);")
                .next()
                .unwrap();
            let keys: Vec<String> = with
                .lines()
                .map(|line| {
                    line.trim()
                        .trim_start_matches('\'')
                        .split("' = ")
                        .next()
                        .unwrap()
                        .to_string()
                })
                .collect();
            let connector = with
                .lines()
                .find_map(|l| l.trim().strip_prefix("'connector' = '"))
                .unwrap()
                .trim_end_matches(',')
                .trim_end_matches('\'')
                .to_string();
            (connector, keys)
        })
        .collect()
}

#[test]
fn every_generated_key_is_in_the_reference_lists() {
    let lists = doc_lists();
    let mut connectors_seen = Vec::new();
    for (stem, artifacts) in representative() {
        match artifacts {
            Artifacts::FlinkCdc(pipelines) => {
                for p in pipelines {
                    check_pipeline(&format!("{stem} {}", p.sink), &p.yaml, &lists);
                }
            }
            Artifacts::Seatunnel(job) => check_job(&stem, &job, &lists),
            Artifacts::FlinkSql(script) => {
                for (connector, keys) in script_tables(&script) {
                    let list = joined(&lists, "flink_sql", &connector);
                    for key in keys {
                        assert!(
                            list.allows(&key),
                            "{stem}: {connector} key {key} is not in docs/sync-engines.md"
                        );
                    }
                    connectors_seen.push(connector);
                }
            }
        }
    }
    for connector in [
        "mysql-cdc",
        "postgres-cdc",
        "jdbc",
        "doris",
        "kafka",
        "paimon",
    ] {
        assert!(
            connectors_seen.iter().any(|c| c == connector),
            "{connector} never generated"
        );
    }
}

#[test]
fn a_key_missing_from_the_document_fails_the_check() {
    // The check above is only as good as its failure: a list without
    // `server-id` refuses a generated MySQL source.
    let mut lists = doc_lists();
    lists
        .get_mut("flink_cdc.source.mysql")
        .unwrap()
        .keys
        .retain(|k| k != "server-id");
    let Artifacts::FlinkCdc(pipelines) = fanout(Engine::FlinkCdc).generate().unwrap() else {
        panic!()
    };
    let caught = std::panic::catch_unwind(|| check_pipeline("fanout", &pipelines[0].yaml, &lists));
    assert!(caught.is_err());
}

// ---- structure -------------------------------------------------------

#[test]
fn flink_cdc_fans_out_one_pipeline_per_sink_with_disjoint_server_ids() {
    let lists = doc_lists();
    let Artifacts::FlinkCdc(pipelines) = fanout(Engine::FlinkCdc).generate().unwrap() else {
        panic!()
    };
    assert_eq!(
        pipelines
            .iter()
            .map(|p| p.sink.as_str())
            .collect::<Vec<_>>(),
        ["doris_dw", "kafka_events"]
    );
    let doris = check_pipeline("doris", &pipelines[0].yaml, &lists);
    let kafka = check_pipeline("kafka", &pipelines[1].yaml, &lists);
    assert_eq!(doris["source"]["server-id"], "5400-5401");
    assert_eq!(kafka["source"]["server-id"], "5402-5403");
    assert_eq!(doris["source"]["tables"], "shop.orders, shop.order_items");
    assert_eq!(doris["source"]["password"], MASK);
    assert_eq!(doris["sink"]["password"], MASK);
    assert_eq!(
        doris["route"],
        serde_json::json!([{
            "source-table": "shop.orders, shop.order_items",
            "sink-table": "ods_shop.ods_<>",
            "replace-symbol": "<>",
        }])
    );
    assert_eq!(doris["sink"]["sink.label-prefix"], "shop_sync");
    assert_eq!(doris["pipeline"]["name"], "shop_sync-doris_dw");
    assert_eq!(doris["pipeline"]["schema.change.behavior"], "evolve");
    assert_eq!(doris["pipeline"]["parallelism"], 2);
    assert_eq!(kafka["sink"]["value.format"], "debezium-json");
    assert_eq!(
        kafka["sink"]["sink.tableId-to-topic.mapping"],
        "shop.orders:cdc.orders;shop.order_items:cdc.order_items"
    );
    assert_eq!(kafka["sink"]["properties.sasl.jaas.config"], MASK);
    assert!(kafka.get("route").is_none());
    assert_eq!(
        pipelines[0].flink_config,
        vec![(
            "execution.checkpointing.interval".to_string(),
            "10s".to_string()
        )]
    );
}

#[test]
fn flink_cdc_reads_postgres_with_a_slot_per_pipeline() {
    let lists = doc_lists();
    let Artifacts::FlinkCdc(pipelines) = pg_to_paimon(Engine::FlinkCdc).generate().unwrap() else {
        panic!()
    };
    let p = check_pipeline("pg", &pipelines[0].yaml, &lists);
    assert_eq!(p["source"]["type"], "postgres");
    assert_eq!(
        p["source"]["tables"],
        "billing.public.accounts, billing.public.events"
    );
    assert_eq!(p["source"]["slot.name"], "billing_lake");
    assert_eq!(p["sink"]["catalog.properties.s3.secret-key"], MASK);
    assert_eq!(p["sink"]["catalog.properties.s3.access-key"], "minio");
    // Default target: the source schema, so table ids stay: no route.
    assert!(p.get("route").is_none());

    // Two Paimon sinks: two pipelines, two slots.
    let r = Registry::embedded();
    let case = Case::new(
        "billing_lake",
        Engine::FlinkCdc,
        Mode::Cdc,
        postgres(&r),
        "billing",
        pg_tables(),
        vec![
            (paimon(&r), PlannedTarget::Default),
            (
                datasource(&r, "lake2", "paimon", &[("warehouse", "hdfs://nn/wh")]),
                PlannedTarget::Database("ods".into()),
            ),
        ],
        with(&[]),
    );
    let Artifacts::FlinkCdc(pipelines) = case.generate().unwrap() else {
        panic!()
    };
    let slots: Vec<Value> = pipelines
        .iter()
        .map(|p| check_pipeline("pg2", &p.yaml, &lists)["source"]["slot.name"].clone())
        .collect();
    assert_eq!(slots, ["scaleph_billing_lake_0", "scaleph_billing_lake_1"]);
}

#[test]
fn flink_cdc_snapshot_mode_is_the_sources_snapshot_startup() {
    let lists = doc_lists();
    let Artifacts::FlinkCdc(pipelines) = snapshot_doris(Engine::FlinkCdc).generate().unwrap()
    else {
        panic!()
    };
    let p = check_pipeline("snapshot", &pipelines[0].yaml, &lists);
    assert_eq!(p["source"]["scan.startup.mode"], "snapshot");
    let mut case = snapshot_doris(Engine::FlinkCdc);
    case.options = with(&[("startup.mode", "latest")]);
    let err = case.generate().unwrap_err();
    assert_eq!(err.sqlstate.code(), "22023");
    assert!(
        err.message.contains("startup.mode applies to MODE CDC"),
        "{}",
        err.message
    );
}

#[test]
fn seatunnel_wires_one_source_into_every_sink() {
    let Artifacts::Seatunnel(job) = fanout(Engine::Seatunnel).generate().unwrap() else {
        panic!()
    };
    let sources = job["source"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    let output = sources[0]["plugin_output"].as_str().unwrap();
    let sinks = job["sink"].as_array().unwrap();
    assert_eq!(sinks.len(), 2);
    for sink in sinks {
        assert_eq!(sink["plugin_input"], serde_json::json!([output]), "{sink}");
    }
    assert_eq!(job["env"]["job.mode"], "STREAMING");
    assert_eq!(job["env"]["checkpoint.interval"], 10000);
    assert_eq!(sources[0]["plugin_name"], "MySQL-CDC");
    assert_eq!(
        sources[0]["table-names"],
        serde_json::json!(["shop.orders", "shop.order_items"])
    );
    assert_eq!(sources[0]["server-id"], "5400-5403");
    assert_eq!(sources[0]["password"], MASK);
    assert_eq!(sources[0]["debezium"]["include.schema.changes"], "true");
    let doris = &sinks[0];
    assert_eq!(doris["plugin_name"], "Doris");
    assert_eq!(doris["database"], "ods_shop");
    assert_eq!(doris["table"], "ods_${table_name}");
    assert_eq!(
        doris["doris.config"],
        serde_json::json!({"format": "json", "read_json_by_line": "true"})
    );
    assert_eq!(doris["sink.enable-delete"], true);
    let kafka = &sinks[1];
    assert_eq!(kafka["topic"], "cdc.${table_name}");
    assert_eq!(kafka["format"], "debezium_json");
    assert_eq!(kafka["kafka.config"]["sasl.jaas.config"], MASK);

    let Artifacts::Seatunnel(batch) = snapshot_copy(Engine::Seatunnel).generate().unwrap() else {
        panic!()
    };
    assert_eq!(batch["env"]["job.mode"], "BATCH");
    assert!(batch["env"].get("checkpoint.interval").is_none());
    assert_eq!(batch["source"][0]["plugin_name"], "Jdbc");
    assert_eq!(batch["source"][0]["table_path"], "shop.orders");
    assert_eq!(
        batch["sink"][0]["plugin_input"],
        serde_json::json!([batch["source"][0]["plugin_output"]])
    );
}

#[test]
fn flink_sql_is_one_statement_set_of_temporary_tables() {
    let Artifacts::FlinkSql(script) = fanout(Engine::FlinkSql).generate().unwrap() else {
        panic!()
    };
    assert!(
        script.starts_with("SET 'execution.runtime-mode' = 'streaming';\n"),
        "{script}"
    );
    assert_eq!(script.matches("CREATE TEMPORARY TABLE").count(), 2 + 4);
    assert_eq!(script.matches("EXECUTE STATEMENT SET BEGIN").count(), 1);
    assert_eq!(script.matches("INSERT INTO").count(), 4);
    assert!(script.ends_with("END;\n"));
    assert!(script.contains("PRIMARY KEY (`order_id`, `line`) NOT ENFORCED"));
    assert!(script.contains("`id` DECIMAL(20, 0) NOT NULL"));
    // Each CDC table is its own binlog reader: disjoint server ids.
    assert!(
        script.contains("'server-id' = '5400-5401'")
            && script.contains("'server-id' = '5402-5403'")
    );
    // Table names are regexes in mysql-cdc.
    assert!(script.contains("'table-name' = 'order_items'"));
    assert!(
        !script.contains("s3cret") && !script.contains("d0ris-pw") && !script.contains("k4fka")
    );
    assert!(script.contains("'format' = 'debezium-json'"));
    // The runner splits at ';' outside quotes: every statement ends with one.
    // 4 SETs, 2 source and 4 sink tables, `EXECUTE ... BEGIN` with the
    // first INSERT, 3 more INSERTs, `END`.
    let statements = script.split(";\n").filter(|s| !s.trim().is_empty()).count();
    assert_eq!(statements, 4 + 2 + 4 + 1 + 3 + 1);
}

// ---- secrets ---------------------------------------------------------

#[test]
fn secrets_are_masked_everywhere_and_revealed_for_submission() {
    let secrets = [
        "s3cret",
        "d0ris-pw",
        "k4fka",
        "pg-s3cret",
        "minio-s3cret",
        "wr1ter",
    ];
    for case in [
        fanout(Engine::FlinkCdc),
        fanout(Engine::Seatunnel),
        fanout(Engine::FlinkSql),
        pg_to_paimon(Engine::FlinkCdc),
        pg_to_paimon(Engine::Seatunnel),
        pg_to_paimon(Engine::FlinkSql),
        snapshot_copy(Engine::Seatunnel),
        snapshot_copy(Engine::FlinkSql),
    ] {
        let masked: String = case
            .generate()
            .unwrap()
            .explain()
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        for secret in secrets {
            assert!(!masked.contains(secret), "{secret} in\n{masked}");
        }
        assert!(masked.contains(MASK));
        let revealed: String = generate(&case.input(Secrets::Revealed))
            .unwrap()
            .explain()
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert!(!revealed.contains(MASK), "{revealed}");
        assert!(secrets.iter().any(|s| revealed.contains(s)));
    }
}

#[test]
fn a_secret_inside_a_jdbc_url_is_masked_with_it() {
    // A type whose URL template embeds the password.
    let r = Registry::embedded();
    let mut kind = r.get("mysql").unwrap().clone();
    kind.flink_sql.as_mut().unwrap().options.insert(
        "url".into(),
        "jdbc:mysql://{host}:{port}/{database}?user={username}&password={password}".into(),
    );
    let case = snapshot_copy(Engine::FlinkSql);
    let mut input = case.input(Secrets::Masked);
    input.source.kind = &kind;
    let Artifacts::FlinkSql(script) = generate(&input).unwrap() else {
        panic!()
    };
    assert!(script.contains("password=******'"), "{script}");
    assert!(!script.contains("s3cret"));
    input.secrets = Secrets::Revealed;
    let Artifacts::FlinkSql(script) = generate(&input).unwrap() else {
        panic!()
    };
    assert!(script.contains("password=s3cret'"), "{script}");
}

// ---- refusals ----------------------------------------------------------

#[test]
fn an_engine_without_the_connector_names_the_engines_that_can() {
    let err = snapshot_copy(Engine::FlinkCdc).generate().unwrap_err();
    assert_eq!(err.sqlstate.code(), "0A000");
    assert_eq!(
        err.message,
        "Flink CDC has no mysql pipeline sink; use ENGINE SEATUNNEL or FLINK_SQL"
    );
    let r = Registry::embedded();
    let ch = datasource(&r, "ch", "clickhouse", &[("host", "ch")]);
    let case = Case::new(
        "to_ch",
        Engine::Seatunnel,
        Mode::Cdc,
        mysql(&r),
        "shop",
        shop_tables("shop"),
        vec![(ch, PlannedTarget::Database("ods".into()))],
        with(&[]),
    );
    let err = case.generate().unwrap_err();
    assert_eq!(err.sqlstate.code(), "0A000");
    assert!(
        err.message.ends_with("; use ENGINE FLINK_SQL"),
        "{}",
        err.message
    );
}

#[test]
fn default_engine_prefers_flink_cdc_then_flink_sql() {
    let r = Registry::embedded();
    let kinds = |names: &[&str]| -> Vec<&DatasourceType> {
        names.iter().map(|n| r.get(n).unwrap()).collect()
    };
    let plan = fanout(Engine::FlinkCdc).plan;
    assert_eq!(
        default_engine(&plan, r.get("mysql").unwrap(), &kinds(&["doris", "kafka"])),
        Engine::FlinkCdc
    );
    assert_eq!(
        default_engine(
            &plan,
            r.get("mysql").unwrap(),
            &kinds(&["doris", "postgresql"])
        ),
        Engine::FlinkSql
    );
    assert_eq!(
        default_engine(&plan, r.get("postgresql").unwrap(), &kinds(&["paimon"])),
        Engine::FlinkCdc
    );
}

#[test]
fn tables_without_a_key_are_refused_where_an_engine_needs_one() {
    let r = Registry::embedded();
    let keyless =
        |engine: Engine, mode: Mode, sink: (Datasource, PlannedTarget), options: SyncOptions| {
            let mut tables = shop_tables("shop");
            tables.push(table(
                "shop",
                "audit_log",
                vec![col("msg", "text", "text", None, None, None, true)],
                &[],
            ));
            Case::new(
                "k",
                engine,
                mode,
                mysql(&r),
                "shop",
                tables,
                vec![sink],
                options,
            )
        };
    let doris_db = || (doris(&r), PlannedTarget::Database("ods".into()));
    for (engine, mode, sink) in [
        (Engine::FlinkCdc, Mode::Cdc, doris_db()),
        (Engine::Seatunnel, Mode::Cdc, doris_db()),
        (Engine::FlinkSql, Mode::Cdc, doris_db()),
        (
            Engine::FlinkCdc,
            Mode::Snapshot,
            (paimon(&r), PlannedTarget::Default),
        ),
    ] {
        let err = keyless(engine, mode, sink, with(&[]))
            .generate()
            .unwrap_err();
        assert_eq!(err.sqlstate.code(), "55000", "{engine:?}: {}", err.message);
        assert!(
            err.message
                .ends_with("this table has no primary key: shop.audit_log"),
            "{}",
            err.message
        );
        assert!(err.hint.is_some());
    }
    // Degraded where the engine documents it: SeaTunnel's Jdbc copy reads a
    // keyless table with one reader; Flink SQL's batch copy needs no key.
    keyless(
        Engine::Seatunnel,
        Mode::Snapshot,
        (mysql_copy(&r), PlannedTarget::Database("c".into())),
        with(&[]),
    )
    .generate()
    .unwrap();
    keyless(
        Engine::FlinkSql,
        Mode::Snapshot,
        (mysql_copy(&r), PlannedTarget::Database("c".into())),
        with(&[]),
    )
    .generate()
    .unwrap();
    // Kafka takes keyless changes; with a chunk key column Flink CDC's
    // MySQL source can snapshot the table.
    keyless(
        Engine::FlinkCdc,
        Mode::Cdc,
        (kafka(&r), PlannedTarget::Topic("all".into())),
        with(&[(
            "flink_cdc.source.scan.incremental.snapshot.chunk.key-column",
            "shop.audit_log:msg",
        )]),
    )
    .generate()
    .unwrap();
    let err = keyless(
        Engine::FlinkCdc,
        Mode::Cdc,
        (kafka(&r), PlannedTarget::Topic("all".into())),
        with(&[]),
    )
    .generate()
    .unwrap_err();
    assert!(
        err.message
            .contains("MySQL source splits each table's snapshot"),
        "{}",
        err.message
    );
}

#[test]
fn cdc_into_plain_json_kafka_is_refused_unless_a_changelog_format_is_set() {
    let r = Registry::embedded();
    let plain = datasource(
        &r,
        "events",
        "kafka",
        &[("bootstrap_servers", "k:9092"), ("format", "json")],
    );
    let case = |engine: Engine, options: SyncOptions| {
        Case::new(
            "q",
            engine,
            Mode::Cdc,
            mysql(&r),
            "shop",
            shop_tables("shop"),
            vec![(plain.clone(), PlannedTarget::TopicPattern("{table}".into()))],
            options,
        )
    };
    for engine in [Engine::FlinkCdc, Engine::Seatunnel, Engine::FlinkSql] {
        let err = case(engine, with(&[])).generate().unwrap_err();
        assert_eq!(err.sqlstate.code(), "22023");
        assert!(
            err.message
                .contains("format json (the datasource's format) cannot carry updates and deletes"),
            "{}",
            err.message
        );
        assert!(err.hint.unwrap().contains("debezium-json"));
        case(engine, with(&[("format", "canal-json")]))
            .generate()
            .unwrap();
    }
    let Artifacts::FlinkSql(script) = case(Engine::FlinkSql, with(&[("format", "upsert-json")]))
        .generate()
        .unwrap()
    else {
        panic!()
    };
    assert!(
        script.contains("'connector' = 'upsert-kafka'") && script.contains("'key.format' = 'json'"),
        "{script}"
    );
    let err = case(Engine::FlinkCdc, with(&[("format", "upsert-json")]))
        .generate()
        .unwrap_err();
    assert!(
        err.message
            .contains("upsert-json is Flink SQL's upsert-kafka"),
        "{}",
        err.message
    );
}

#[test]
fn pass_through_keys_are_checked_against_the_actual_connectors() {
    let mut case = fanout(Engine::FlinkCdc);
    // Caught at parse already (no sink of any type has it)...
    assert!(
        SyncOptions::parse(&Options(vec![SqlOption {
            key: "flink_cdc.sink.sink.label-prefx".into(),
            value: OptionValue::String("x".into()),
        }]))
        .is_err()
    );
    // ...and a key another connector has, but no sink of this sync, at generation.
    case.options = with(&[("flink_cdc.sink.catalog.properties.metastore", "hive")]);
    let err = case.generate().unwrap_err();
    assert_eq!(err.sqlstate.code(), "22023");
    assert!(
        err.message
            .contains("flink_cdc.sink.doris, flink_cdc.sink.kafka"),
        "{}",
        err.message
    );
    // A key one sink takes goes to that sink only.
    case.options = with(&[(
        "flink_cdc.sink.table.create.properties.replication_num",
        "1",
    )]);
    let Artifacts::FlinkCdc(pipelines) = case.generate().unwrap() else {
        panic!()
    };
    assert!(
        pipelines[0]
            .yaml
            .contains("table.create.properties.replication_num: 1")
    );
    assert!(!pipelines[1].yaml.contains("replication_num"));
}

#[test]
fn a_short_server_id_range_is_refused() {
    let mut case = fanout(Engine::FlinkCdc);
    case.options = with(&[("server.id", "5400-5402"), ("parallelism", "2")]);
    let err = case.generate().unwrap_err();
    assert_eq!(err.sqlstate.code(), "22023");
    assert_eq!(
        err.message,
        "server.id 5400-5402 has 3 server ids; 2 binlog readers with parallelism 2 need 4"
    );
}

#[test]
fn unreadable_types_name_the_column_and_the_engines_that_can() {
    let mut case = pg_to_paimon(Engine::Seatunnel);
    case.plan.tables[1]
        .columns
        .push(col("span", "interval", "interval", None, None, None, true));
    let err = case.generate().unwrap_err();
    assert_eq!(err.sqlstate.code(), "0A000");
    assert_eq!(
        err.message,
        "SeaTunnel cannot read the PostgreSQL type interval (column public.events.span); use ENGINE FLINK_CDC or FLINK_SQL"
    );
    let case = case.with_engine(Engine::FlinkCdc);
    case.generate().unwrap();
}

#[test]
fn check_is_a_masked_generation() {
    let case = fanout(Engine::FlinkCdc);
    check(&case.input(Secrets::Revealed)).unwrap();
    let bad = snapshot_copy(Engine::FlinkCdc);
    assert!(check(&bad.input(Secrets::Revealed)).is_err());
}

// ---- the reference examples ---------------------------------------------

/// Every scalar leaf of `value` as `path = text` (numbers and booleans as
/// text: the engines read every option as a string).
fn leaves(value: &Value, path: &str, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(
                    v,
                    &if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    },
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        Value::Null => {
            out.insert(path.to_string(), String::new());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

/// The leaves where `ours` and `reference` differ: `(path, ours, reference)`
/// with `-` for a leaf one side lacks.
fn differences(ours: &Value, reference: &Value) -> Vec<(String, String, String)> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(ours, "", &mut a);
    leaves(reference, "", &mut b);
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|p| a.get(*p) != b.get(*p))
        .map(|p| {
            (
                p.clone(),
                a.get(p).cloned().unwrap_or_else(|| "-".into()),
                b.get(p).cloned().unwrap_or_else(|| "-".into()),
            )
        })
        .collect()
}

fn reference(name: &str) -> String {
    std::fs::read_to_string(golden_dir().join("reference").join(name)).unwrap()
}

fn assert_differences(
    what: &str,
    ours: &Value,
    reference: &Value,
    expected: &[(&str, &str, &str)],
) {
    let found = differences(ours, reference);
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(p, a, b)| (p.to_string(), a.to_string(), b.to_string()))
        .collect();
    assert_eq!(
        found, expected,
        "{what}: the differences from the reference changed"
    );
}

/// `examples/mysql-to-doris.yaml`. Where it differs, and why:
/// - `source.tables`: scaleph writes the planned tables, exact, where the
///   example selects the whole database by regex and excludes `tmp_*` (the
///   planner resolves TABLES and exclusions before generation, so the
///   pipeline reads what EXPLAIN showed); likewise the route's
///   `source-table`, and no `tables.exclude`;
/// - keys scaleph writes that the example leaves to their defaults, each
///   with the connector's default value (`connect.timeout`, ...,
///   `sink.max-retries`) or derived from the type (`jdbc-url` from the FE
///   query port, `jdbc.properties.sslMode` from `ssl_mode`'s default);
/// - `route[0].description`: scaleph writes none;
/// - the source's `name` is the datasource's name.
#[test]
fn reproduces_the_mysql_to_doris_example() {
    let r = Registry::embedded();
    let source = datasource(
        &r,
        "MySQL app_db",
        "mysql",
        &[
            ("host", "mysql.data.svc"),
            ("port", "3306"),
            ("username", "flinkcdc"),
            ("password", "change-me"),
            ("server_time_zone", "UTC"),
        ],
    );
    let sink = datasource(
        &r,
        "Doris",
        "doris",
        &[
            ("host", "doris-fe.data.svc"),
            ("username", "root"),
            ("password", ""),
            ("label_prefix", "app_db"),
        ],
    );
    let tables = vec![
        table(
            "app_db",
            "orders",
            vec![col(
                "id",
                "bigint",
                "bigint",
                None,
                Some(19),
                Some(0),
                false,
            )],
            &["id"],
        ),
        table(
            "app_db",
            "users",
            vec![col("id", "int", "int", None, Some(10), Some(0), false)],
            &["id"],
        ),
    ];
    let case = Case::new(
        "sync",
        Engine::FlinkCdc,
        Mode::Cdc,
        source,
        "app_db",
        tables,
        vec![(sink, PlannedTarget::Database("ods_app".into()))],
        with(&[
            ("parallelism", "4"),
            ("schema.change", "evolve"),
            ("server.id", "5400-5403"),
            (
                "flink_cdc.sink.table.create.properties.replication_num",
                "1",
            ),
            ("flink_cdc.pipeline.name", "mysql-app_db-to-doris"),
        ]),
    );
    let Artifacts::FlinkCdc(pipelines) = generate(&case.input(Secrets::Revealed)).unwrap() else {
        panic!()
    };
    let ours: Value = serde_saphyr::from_str(&pipelines[0].yaml).unwrap();
    let theirs: Value = serde_saphyr::from_str(&reference("mysql-to-doris.yaml")).unwrap();
    assert_differences(
        "mysql-to-doris",
        &ours,
        &theirs,
        &[
            ("route[0].description", "-", "app_db.* -> ods_app.*"),
            (
                "route[0].source-table",
                "app_db.orders, app_db.users",
                "app_db.\\.*",
            ),
            ("sink.jdbc-url", "jdbc:mysql://doris-fe.data.svc:9030", "-"),
            ("sink.sink.buffer-flush.interval", "10s", "-"),
            ("sink.sink.buffer-flush.max-rows", "50000", "-"),
            ("sink.sink.enable-2pc", "false", "-"),
            ("sink.sink.enable-delete", "true", "-"),
            ("sink.sink.max-retries", "3", "-"),
            ("source.connect.max-retries", "3", "-"),
            ("source.connect.timeout", "30s", "-"),
            ("source.connection.pool.size", "20", "-"),
            ("source.jdbc.properties.sslMode", "PREFERRED", "-"),
            ("source.scan.snapshot.fetch.size", "1024", "-"),
            (
                "source.tables",
                "app_db.orders, app_db.users",
                "app_db.\\.*",
            ),
            ("source.tables.exclude", "-", "app_db.tmp_\\.*"),
        ],
    );
}

/// `examples/mysql-to-kafka.yaml`: the Kafka half of the example's pair.
/// Differences: the `name`s scaleph gives source and sink; the default
/// keys of the MySQL source (as above); `scan.startup.mode: initial`,
/// which scaleph always writes; `security.protocol` (the datasource
/// type's default).
#[test]
fn reproduces_the_mysql_to_kafka_example() {
    let r = Registry::embedded();
    let source = datasource(
        &r,
        "mysql",
        "mysql",
        &[
            ("host", "mysql.data.svc"),
            ("port", "3306"),
            ("username", "flinkcdc"),
            ("password", "change-me"),
            ("server_time_zone", "UTC"),
        ],
    );
    let sink = datasource(
        &r,
        "kafka",
        "kafka",
        &[("bootstrap_servers", "kafka.data.svc:9092")],
    );
    let case = Case::new(
        "shop-to-kafka",
        Engine::FlinkCdc,
        Mode::Cdc,
        source,
        "shop",
        shop_tables("shop"),
        vec![(sink, PlannedTarget::TopicPattern("cdc.{table}".into()))],
        with(&[
            ("parallelism", "2"),
            ("server.id", "5410-5411"),
            ("flink_cdc.sink.sink.delivery-guarantee", "at-least-once"),
        ]),
    );
    let Artifacts::FlinkCdc(pipelines) = generate(&case.input(Secrets::Revealed)).unwrap() else {
        panic!()
    };
    let ours: Value = serde_saphyr::from_str(&pipelines[0].yaml).unwrap();
    let theirs: Value = serde_saphyr::from_str(&reference("mysql-to-kafka.yaml")).unwrap();
    assert_differences(
        "mysql-to-kafka",
        &ours,
        &theirs,
        &[
            ("sink.name", "kafka", "-"),
            ("sink.properties.security.protocol", "PLAINTEXT", "-"),
            ("source.connect.max-retries", "3", "-"),
            ("source.connect.timeout", "30s", "-"),
            ("source.connection.pool.size", "20", "-"),
            ("source.jdbc.properties.sslMode", "PREFERRED", "-"),
            ("source.name", "mysql", "-"),
            ("source.scan.snapshot.fetch.size", "1024", "-"),
            ("source.scan.startup.mode", "initial", "-"),
        ],
    );
}

/// `examples/mysql-to-paimon.yaml`, the Paimon half. Differences: as for
/// Kafka, plus the route's explicit table list (the example routes
/// `shop.\.*`), and Paimon's path-style flag (the type's default).
#[test]
fn reproduces_the_mysql_to_paimon_example() {
    let r = Registry::embedded();
    let source = datasource(
        &r,
        "mysql",
        "mysql",
        &[
            ("host", "mysql.data.svc"),
            ("port", "3306"),
            ("username", "flinkcdc"),
            ("password", "change-me"),
            ("server_time_zone", "UTC"),
        ],
    );
    let sink = datasource(
        &r,
        "paimon",
        "paimon",
        &[
            ("warehouse", "s3://lake/warehouse"),
            ("s3_endpoint", "http://minio.data.svc:9000"),
            ("bucket", "4"),
            ("commit_user", "flink-cdc"),
        ],
    );
    let case = Case::new(
        "shop-to-paimon",
        Engine::FlinkCdc,
        Mode::Cdc,
        source,
        "shop",
        shop_tables("shop"),
        vec![(sink, PlannedTarget::Database("ods_shop".into()))],
        with(&[
            ("parallelism", "2"),
            ("server.id", "5420-5421"),
            ("schema.change", "evolve"),
        ]),
    );
    let Artifacts::FlinkCdc(pipelines) = generate(&case.input(Secrets::Revealed)).unwrap() else {
        panic!()
    };
    let ours: Value = serde_saphyr::from_str(&pipelines[0].yaml).unwrap();
    let theirs: Value = serde_saphyr::from_str(&reference("mysql-to-paimon.yaml")).unwrap();
    assert_differences(
        "mysql-to-paimon",
        &ours,
        &theirs,
        &[
            (
                "route[0].source-table",
                "shop.orders, shop.order_items",
                "shop.\\.*",
            ),
            ("sink.catalog.properties.s3.path.style.access", "false", "-"),
            ("sink.name", "paimon", "-"),
            ("source.connect.max-retries", "3", "-"),
            ("source.connect.timeout", "30s", "-"),
            ("source.connection.pool.size", "20", "-"),
            ("source.jdbc.properties.sslMode", "PREFERRED", "-"),
            ("source.name", "mysql", "-"),
            ("source.scan.snapshot.fetch.size", "1024", "-"),
            ("source.scan.startup.mode", "initial", "-"),
        ],
    );
}

/// `examples/mysql-cdc-fanout-kafka-doris.json`. Differences: the wiring
/// name (`source` for the example's `cdc`); Doris's database, which the
/// example derives per source database (`ods_${database_name}`) and a
/// sync names (`DATABASE ods_shop`); the keys scaleph writes at their
/// defaults (`connect.max-retries`, ..., Kafka's `security.protocol`); the
/// JSON types of values the example quotes (compared as text here).
#[test]
fn reproduces_the_seatunnel_fanout_example() {
    let r = Registry::embedded();
    let source = datasource(
        &r,
        "mysql",
        "mysql",
        &[
            ("host", "mysql.data.svc"),
            ("port", "3306"),
            ("username", "st_user"),
            ("password", "change-me"),
            ("server_time_zone", "UTC"),
        ],
    );
    let kafka = datasource(
        &r,
        "kafka",
        "kafka",
        &[("bootstrap_servers", "kafka.data.svc:9092")],
    );
    let doris = datasource(
        &r,
        "doris",
        "doris",
        &[
            ("host", "doris-fe.data.svc"),
            ("username", "root"),
            ("password", ""),
            ("label_prefix", "shop"),
            ("enable_2pc", "true"),
        ],
    );
    let case = Case::new(
        "cdc",
        Engine::Seatunnel,
        Mode::Cdc,
        source,
        "shop",
        shop_tables("shop"),
        vec![
            (
                kafka,
                PlannedTarget::TopicPattern("cdc.{database}.{table}".into()),
            ),
            (doris, PlannedTarget::Database("ods_shop".into())),
        ],
        with(&[
            ("parallelism", "2"),
            ("server.id", "5652-5657"),
            ("seatunnel.env.job.name", "shop-cdc-fanout"),
            ("seatunnel.sink.kafka.config.acks", "all"),
            ("seatunnel.sink.kafka.config.compression.type", "lz4"),
        ]),
    );
    let Artifacts::Seatunnel(ours) = generate(&case.input(Secrets::Revealed)).unwrap() else {
        panic!()
    };
    let theirs: Value =
        serde_json::from_str(&reference("mysql-cdc-fanout-kafka-doris.json")).unwrap();
    assert_differences(
        "mysql-cdc-fanout-kafka-doris",
        &ours,
        &theirs,
        &[
            ("sink[0].kafka.config.security.protocol", "PLAINTEXT", "-"),
            ("sink[0].plugin_input[0]", "source", "cdc"),
            ("sink[1].database", "ods_shop", "ods_${database_name}"),
            ("sink[1].plugin_input[0]", "source", "cdc"),
            ("sink[1].sink.max-retries", "3", "-"),
            ("source[0].connect.max-retries", "3", "-"),
            ("source[0].connection.pool.size", "20", "-"),
            ("source[0].plugin_output", "source", "cdc"),
            ("source[0].snapshot.fetch.size", "1024", "-"),
        ],
    );
}

/// `examples/jdbc-batch-copy.json`. Differences: the JDBC URLs' extra
/// parameters (a datasource's `jdbc_properties` is not part of the URL
/// templates); the wiring name; the sink's `max_retries` (the MySQL type's
/// default, 3, where SeaTunnel's own is 0).
#[test]
fn reproduces_the_seatunnel_batch_copy_example() {
    let r = Registry::embedded();
    let source = datasource(
        &r,
        "src",
        "mysql",
        &[
            ("host", "mysql-src.data.svc"),
            ("port", "3306"),
            ("username", "reader"),
            ("password", "change-me"),
            ("fetch_size", "1000"),
        ],
    );
    let sink = datasource(
        &r,
        "dst",
        "mysql",
        &[
            ("host", "mysql-dst.data.svc"),
            ("port", "3306"),
            ("username", "writer"),
            ("password", "change-me"),
        ],
    );
    let mut tables = shop_tables("shop");
    tables.truncate(1);
    let case = Case::new(
        "copy-shop-orders",
        Engine::Seatunnel,
        Mode::Snapshot,
        source,
        "shop",
        tables,
        vec![(sink, PlannedTarget::Database("shop_copy".into()))],
        with(&[
            ("parallelism", "4"),
            ("batch.size", "5000"),
            ("seatunnel.source.split.size", "10000"),
            ("seatunnel.sink.data_save_mode", "DROP_DATA"),
        ]),
    );
    let Artifacts::Seatunnel(ours) = generate(&case.input(Secrets::Revealed)).unwrap() else {
        panic!()
    };
    let theirs: Value = serde_json::from_str(&reference("jdbc-batch-copy.json")).unwrap();
    assert_differences(
        "jdbc-batch-copy",
        &ours,
        &theirs,
        &[
            ("sink[0].max_retries", "3", "-"),
            ("sink[0].plugin_input[0]", "source", "orders_src"),
            (
                "sink[0].url",
                "jdbc:mysql://mysql-dst.data.svc:3306/shop_copy",
                "jdbc:mysql://mysql-dst.data.svc:3306/shop_copy?useSSL=false&rewriteBatchedStatements=true",
            ),
            ("source[0].plugin_output", "source", "orders_src"),
            (
                "source[0].url",
                "jdbc:mysql://mysql-src.data.svc:3306/shop",
                "jdbc:mysql://mysql-src.data.svc:3306/shop?useSSL=false&serverTimezone=UTC",
            ),
        ],
    );
}

#[test]
fn flink_sql_declares_no_key_on_an_insert_only_kafka_table() {
    let r = Registry::embedded();
    let case = Case::new(
        "dump",
        Engine::FlinkSql,
        Mode::Snapshot,
        mysql(&r),
        "shop",
        shop_tables("shop"),
        vec![(
            kafka(&r),
            PlannedTarget::TopicPattern("dump.{table}".into()),
        )],
        with(&[]),
    );
    let Artifacts::FlinkSql(script) = case.generate().unwrap() else {
        panic!()
    };
    assert!(script.contains("'format' = 'json'"), "{script}");
    // The sources keep their keys; the two Kafka tables declare none.
    assert_eq!(script.matches("PRIMARY KEY").count(), 2, "{script}");
}
