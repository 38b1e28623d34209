//! The job config check the double runs on `POST /submit-job`, in the
//! order the engine runs its own (`docs/seatunnel-rest.md` §6–§7):
//! `env` (`BaseService#submitJobInternal` reads it first), `source` and
//! `sink`, the DAG wiring (`ConfigParserUtil#checkGraph`), then each
//! plugin — sources, transforms, sinks — found by name
//! (`FactoryUtil`, case-insensitive) and its options checked
//! (`ConfigValidator`), and a source that never ends refused in a BATCH
//! job. Every refusal is a [`Rejection`] carrying the engine's wording
//! and the HTTP status its `ExceptionHandlingFilter` gives the exception
//! class (400 for `IllegalArgumentException`, 500 for the rest).
//!
//! Where the double is stricter than the engine it says so (§8): a
//! config it accepts, the engine accepts too.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

/// The three plugin kinds of a job config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PluginType {
    /// A `source` block.
    Source,
    /// A `transform` block.
    Transform,
    /// A `sink` block.
    Sink,
}

impl PluginType {
    /// As `PluginIdentifier` writes it.
    fn name(self) -> &'static str {
        match self {
            PluginType::Source => "source",
            PluginType::Transform => "transform",
            PluginType::Sink => "sink",
        }
    }
}

/// `env.job.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobMode {
    /// Bounded: the job ends FINISHED by itself.
    Batch,
    /// Unbounded: the job runs until it is stopped (or fails).
    Streaming,
}

/// A refused config: the HTTP status and the `message` of Zeta's
/// `{"status":"fail","message":...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// 400 or 500.
    pub status: u16,
    /// The message, `ShortClassName: text` as `ExceptionUtils.getMessage`
    /// writes it.
    pub message: String,
}

impl Rejection {
    /// An `IllegalArgumentException` (400).
    pub fn bad_request(message: impl std::fmt::Display) -> Rejection {
        Rejection {
            status: 400,
            message: format!("IllegalArgumentException: {message}"),
        }
    }

    /// Any other exception `class` (500).
    pub fn server(class: &str, message: impl std::fmt::Display) -> Rejection {
        Rejection {
            status: 500,
            message: format!("{class}: {message}"),
        }
    }

    fn missing(key: &str) -> Rejection {
        Rejection::server(
            "ConfigException.Missing",
            format!("No configuration setting found for key '{key}'"),
        )
    }

    fn graph(message: impl std::fmt::Display) -> Rejection {
        Rejection::server("JobDefineCheckException", message)
    }

    fn option(message: impl std::fmt::Display) -> Rejection {
        Rejection::server(
            "OptionValidationException",
            format!(
                "ErrorCode:[API-02], ErrorDescription:[Option item validate failed] - {message}"
            ),
        )
    }
}

/// What an accepted config says about the job.
#[derive(Clone, Debug, PartialEq)]
pub struct Accepted {
    /// `env.job.mode` (BATCH when not set).
    pub mode: JobMode,
    /// `env.job.name`, if set.
    pub job_name: Option<String>,
    /// The `env` block as given.
    pub env: Json,
    /// The plugins, as `(kind, canonical name)`, sources first.
    pub plugins: Vec<(PluginType, String)>,
}

/// How strictly a known plugin's options are checked.
enum Keys {
    /// The reference lists its keys: required ones present, none unknown,
    /// its rules hold.
    Checked(&'static KeySpec),
    /// Known by name only (test plugins, plugins a test allowed).
    Unchecked,
}

/// The keys of a plugin whose options `docs/seatunnel-rest.md` §7 lists.
struct KeySpec {
    /// Absolutely required (`There are unconfigured options, ...`).
    required: &'static [&'static str],
    /// Allowed.
    optional: &'static [&'static str],
    /// Map options: any key below them (`kafka.config.acks`) is theirs.
    maps: &'static [&'static str],
    /// The plugin's other rules (exclusive and conditional options,
    /// single-choice values, boundedness).
    rules: fn(&Plugin, JobMode) -> Result<(), Rejection>,
}

/// Keys every plugin may have (`ConnectorCommonOptions`, `CommonOptions`;
/// the 2.3.8 names of the wiring keys are their fallbacks).
const COMMON: &[&str] = &[
    "plugin_name",
    "plugin_output",
    "plugin_input",
    "result_table_name",
    "source_table_name",
    "parallelism",
];

const SAVE_MODES: &[&str] = &["schema_save_mode", "data_save_mode"];

const JDBC_SOURCE: KeySpec = KeySpec {
    required: &["url", "driver"],
    optional: &[
        "user",
        "password",
        "query",
        "table_path",
        "table_list",
        "where_condition",
        "connection_check_timeout_sec",
        "fetch_size",
        "partition_column",
        "partition_lower_bound",
        "partition_upper_bound",
        "partition_num",
        "split.size",
        "split.even-distribution.factor.lower-bound",
        "split.even-distribution.factor.upper-bound",
        "split.sample-sharding.threshold",
        "split.inverse-sampling.rate",
        "decimal_type_narrowing",
        "use_select_count",
        "skip_analyze",
        "compatible_mode",
    ],
    maps: &["properties"],
    rules: jdbc_source_rules,
};

const JDBC_SINK: KeySpec = KeySpec {
    required: &["url", "driver"],
    optional: &[
        "user",
        "password",
        "query",
        "generate_sink_sql",
        "database",
        "table",
        "primary_keys",
        "batch_size",
        "max_retries",
        "enable_upsert",
        "support_upsert_by_query_primary_key_exist",
        "auto_commit",
        "use_copy_statement",
        "create_index",
        "field_ide",
        "compatible_mode",
        "is_exactly_once",
        "xa_data_source_class_name",
        "max_commit_attempts",
        "transaction_timeout_sec",
        "schema_save_mode",
        "data_save_mode",
        "custom_sql",
    ],
    maps: &["properties"],
    rules: jdbc_sink_rules,
};

const MYSQL_CDC: KeySpec = KeySpec {
    required: &["base-url", "username", "password"],
    optional: &[
        "table-names",
        "table-pattern",
        "database-names",
        "database-pattern",
        "table-names-config",
        "startup.mode",
        "startup.specific-offset.file",
        "startup.specific-offset.pos",
        "startup.timestamp",
        "stop.mode",
        "stop.specific-offset.file",
        "stop.specific-offset.pos",
        "server-id",
        "server-time-zone",
        "snapshot.split.size",
        "snapshot.fetch.size",
        "incremental.parallelism",
        "connect.timeout.ms",
        "connect.max-retries",
        "connection.pool.size",
        "chunk-key.even-distribution.factor.upper-bound",
        "chunk-key.even-distribution.factor.lower-bound",
        "sample-sharding.threshold",
        "inverse-sampling.rate",
        "exactly_once",
        "format",
    ],
    maps: &["debezium"],
    rules: mysql_cdc_rules,
};

const KAFKA_SINK: KeySpec = KeySpec {
    required: &["topic", "bootstrap.servers"],
    optional: &[
        "format",
        "field_delimiter",
        "protobuf_message_name",
        "protobuf_schema",
        "semantics",
        "transaction_prefix",
        "partition_key_fields",
        "partition",
        "assign_partitions",
    ],
    maps: &["kafka.config"],
    rules: kafka_sink_rules,
};

const DORIS_SINK: KeySpec = KeySpec {
    // schema_save_mode and data_save_mode are required by the rule too,
    // but have defaults, and ConfigValidator counts a default as given.
    required: &[
        "fenodes",
        "username",
        "password",
        "sink.label-prefix",
        "doris.config",
    ],
    optional: &[
        "database",
        "table",
        "table.identifier",
        "query-port",
        "sink.enable-2pc",
        "sink.enable-delete",
        "sink.check-interval",
        "sink.max-retries",
        "sink.buffer-size",
        "sink.buffer-count",
        "doris.batch.size",
        "save_mode_create_template",
        "custom_sql",
        "needs_unsupported_type_casting",
        "schema_save_mode",
        "data_save_mode",
    ],
    maps: &["doris.config"],
    rules: save_mode_rules,
};

const PAIMON_SINK: KeySpec = KeySpec {
    required: &["warehouse", "database", "table"],
    optional: &[
        "catalog_type",
        "catalog_name",
        "catalog_uri",
        "hdfs_site_path",
        "paimon.hadoop.conf-path",
        "paimon.table.primary-keys",
        "paimon.table.partition-keys",
        "schema_save_mode",
        "data_save_mode",
    ],
    maps: &["paimon.hadoop.conf", "paimon.table.write-props"],
    rules: paimon_sink_rules,
};

/// The plugins the double knows by default: those whose options
/// `docs/seatunnel-rest.md` §7 lists, and FakeSource and Console, which
/// every SeaTunnel ships and tests use, by name only.
fn builtin(kind: PluginType, name: &str) -> Option<(&'static str, Keys)> {
    let known: &[(PluginType, &'static str, Option<&'static KeySpec>)] = &[
        (PluginType::Source, "Jdbc", Some(&JDBC_SOURCE)),
        (PluginType::Source, "MySQL-CDC", Some(&MYSQL_CDC)),
        (PluginType::Source, "FakeSource", None),
        (PluginType::Sink, "Jdbc", Some(&JDBC_SINK)),
        (PluginType::Sink, "Kafka", Some(&KAFKA_SINK)),
        (PluginType::Sink, "Doris", Some(&DORIS_SINK)),
        (PluginType::Sink, "Paimon", Some(&PAIMON_SINK)),
        (PluginType::Sink, "Console", None),
    ];
    known
        .iter()
        .find(|(k, n, _)| *k == kind && n.eq_ignore_ascii_case(name))
        .map(|(_, n, spec)| (*n, spec.map_or(Keys::Unchecked, Keys::Checked)))
}

/// One plugin of the config, its options flattened to dotted keys.
pub struct Plugin<'a> {
    kind: PluginType,
    /// The canonical name.
    name: &'static str,
    /// Every leaf key (`sink.label-prefix`), map options as one key.
    keys: BTreeMap<String, &'a Json>,
}

impl Plugin<'_> {
    fn has(&self, key: &str) -> bool {
        let below = format!("{key}.");
        self.keys.keys().any(|k| k == key || k.starts_with(&below))
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.keys.get(key)? {
            Json::String(s) => Some(s.clone()),
            Json::Null => None,
            other => Some(other.to_string()),
        }
    }

    fn is_true(&self, key: &str) -> bool {
        self.text(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `ConfigValidator#validateSingleChoice`, case-insensitive as
    /// SeaTunnel's enum options read their values.
    fn one_of(&self, key: &str, values: &[&str]) -> Result<(), Rejection> {
        match self.text(key) {
            Some(v) if !values.iter().any(|a| a.eq_ignore_ascii_case(&v)) => {
                Err(Rejection::option(format!(
                    "These options('{key}') are SingleChoiceOption, the value({v}) must be one of the optionValues([{}]).",
                    values.join(", ")
                )))
            }
            _ => Ok(()),
        }
    }

    /// `ConfigValidator`'s conditional rule: `keys` are required when
    /// `condition` (written as the engine's expression) holds.
    fn required_because(&self, keys: &[&str], condition: &str) -> Result<(), Rejection> {
        let absent: Vec<&str> = keys.iter().copied().filter(|k| !self.has(k)).collect();
        if absent.is_empty() {
            return Ok(());
        }
        Err(Rejection::option(format!(
            "There are unconfigured options, the options({}) are required because [{condition}] is true.",
            quoted(&absent)
        )))
    }

    /// `ConfigValidator`'s exclusive rule: exactly one of `keys`.
    fn exactly_one(&self, keys: &[&str]) -> Result<(), Rejection> {
        let present: Vec<&str> = keys.iter().copied().filter(|k| self.has(k)).collect();
        match present.len() {
            1 => Ok(()),
            0 => Err(Rejection::option(format!(
                "There are unconfigured options, these options({}) are mutually exclusive, allowing only one set(\"[] for a set\") of options to be configured.",
                quoted(keys)
            ))),
            _ => Err(Rejection::option(format!(
                "These options({}) are mutually exclusive, allowing only one set(\"[] for a set\") of options to be configured.",
                quoted(&present)
            ))),
        }
    }
}

/// `'a', 'b'`, as `OptionUtil.getOptionKeys` lists keys.
fn quoted(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn save_mode_rules(plugin: &Plugin, _: JobMode) -> Result<(), Rejection> {
    plugin.one_of(
        "schema_save_mode",
        &[
            "CREATE_SCHEMA_WHEN_NOT_EXIST",
            "RECREATE_SCHEMA",
            "ERROR_WHEN_SCHEMA_NOT_EXIST",
            "IGNORE",
        ],
    )?;
    plugin.one_of(
        "data_save_mode",
        &[
            "APPEND_DATA",
            "DROP_DATA",
            "ERROR_WHEN_DATA_EXISTS",
            "CUSTOM_PROCESSING",
        ],
    )?;
    if plugin
        .text("data_save_mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("CUSTOM_PROCESSING"))
    {
        plugin.required_because(&["custom_sql"], "'data_save_mode' == CUSTOM_PROCESSING")?;
    }
    Ok(())
}

fn jdbc_source_rules(plugin: &Plugin, _: JobMode) -> Result<(), Rejection> {
    if !["query", "table_path", "table_list"]
        .iter()
        .any(|k| plugin.has(k))
    {
        return Err(Rejection::option(format!(
            "There are unconfigured options, these options({}) are mutually exclusive, allowing only one set(\"[] for a set\") of options to be configured.",
            quoted(&["query", "table_path", "table_list"])
        )));
    }
    if plugin.has("table_path") && plugin.has("table_list") {
        plugin.exactly_one(&["table_path", "table_list"])?;
    }
    if let Some(condition) = plugin.text("where_condition")
        && !condition
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("where")
    {
        return Err(Rejection::option(format!(
            "The option 'where_condition' must start with 'where', got: {condition}"
        )));
    }
    Ok(())
}

fn jdbc_sink_rules(plugin: &Plugin, mode: JobMode) -> Result<(), Rejection> {
    if plugin.is_true("generate_sink_sql") {
        plugin.required_because(&["database", "table"], "'generate_sink_sql' == true")?;
    } else {
        plugin.required_because(&["query"], "'generate_sink_sql' == false")?;
    }
    save_mode_rules(plugin, mode)
}

fn mysql_cdc_rules(plugin: &Plugin, mode: JobMode) -> Result<(), Rejection> {
    plugin.exactly_one(&["table-names", "table-pattern"])?;
    if let Some(Json::Array(names)) = plugin.keys.get("table-names").copied() {
        for name in names {
            let text = name.as_str().unwrap_or_default();
            if !text.contains('.') {
                return Err(Rejection::bad_request(format!(
                    "table-names entry '{text}' must be database.table"
                )));
            }
        }
    }
    plugin.one_of(
        "startup.mode",
        &[
            "INITIAL",
            "EARLIEST",
            "LATEST",
            "SPECIFIC",
            "TIMESTAMP",
            "SNAPSHOT",
        ],
    )?;
    plugin.one_of("stop.mode", &["NEVER", "LATEST", "SPECIFIC"])?;
    plugin.one_of("format", &["DEFAULT", "COMPATIBLE_DEBEZIUM_JSON"])?;
    let is = |key: &str, value: &str| {
        plugin
            .text(key)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    };
    if is("startup.mode", "SPECIFIC") {
        plugin.required_because(
            &[
                "startup.specific-offset.file",
                "startup.specific-offset.pos",
            ],
            "'startup.mode' == SPECIFIC",
        )?;
    }
    if is("startup.mode", "TIMESTAMP") {
        plugin.required_because(&["startup.timestamp"], "'startup.mode' == TIMESTAMP")?;
    }
    if is("stop.mode", "SPECIFIC") {
        plugin.required_because(
            &["stop.specific-offset.file", "stop.specific-offset.pos"],
            "'stop.mode' == SPECIFIC",
        )?;
    }
    // IncrementalSource#getBoundedness: unbounded unless it stops.
    let unbounded = plugin.text("stop.mode").is_none() || is("stop.mode", "NEVER");
    if mode == JobMode::Batch && unbounded {
        return Err(Rejection::server(
            "UnsupportedOperationException",
            format!("'{}' source don't support off-line job.", plugin.name),
        ));
    }
    Ok(())
}

fn kafka_sink_rules(plugin: &Plugin, _: JobMode) -> Result<(), Rejection> {
    plugin.one_of(
        "format",
        &[
            "json",
            "text",
            "canal_json",
            "debezium_json",
            "compatible_debezium_json",
            "ogg_json",
            "maxwell_json",
            "avro",
            "protobuf",
        ],
    )?;
    plugin.one_of("semantics", &["NON", "AT_LEAST_ONCE", "EXACTLY_ONCE"])
}

fn paimon_sink_rules(plugin: &Plugin, mode: JobMode) -> Result<(), Rejection> {
    plugin.one_of("catalog_type", &["filesystem", "hive"])?;
    if plugin
        .text("catalog_type")
        .is_some_and(|t| t.eq_ignore_ascii_case("hive"))
    {
        plugin.required_because(&["catalog_uri"], "'catalog_type' == hive")?;
    }
    save_mode_rules(plugin, mode)
}

/// Checks `config` as the engine would; `allowed` are plugins a test
/// added (known by name, options unchecked).
pub fn check(
    config: &Json,
    allowed: &BTreeSet<(PluginType, String)>,
) -> Result<Accepted, Rejection> {
    let Json::Object(root) = config else {
        return Err(Rejection::server(
            "ConfigException.WrongType",
            "the job config must be a JSON object with env, source and sink",
        ));
    };
    let env = match root.get("env") {
        Some(Json::Object(env)) => env,
        Some(_) => {
            return Err(Rejection::server(
                "ConfigException.WrongType",
                "env has type LIST/STRING rather than OBJECT",
            ));
        }
        None => return Err(Rejection::missing("env")),
    };
    let mode = match env.get("job.mode").and_then(Json::as_str) {
        None => JobMode::Batch,
        Some(m) if m.eq_ignore_ascii_case("BATCH") => JobMode::Batch,
        Some(m) if m.eq_ignore_ascii_case("STREAMING") => JobMode::Streaming,
        Some(m) => {
            return Err(Rejection::bad_request(format!(
                "No enum constant org.apache.seatunnel.common.constants.JobMode.{m}"
            )));
        }
    };
    let blocks = |key: &str, required: bool| -> Result<Vec<&Map<String, Json>>, Rejection> {
        match root.get(key) {
            None if required => Err(Rejection::missing(key)),
            None | Some(Json::Null) => Ok(Vec::new()),
            Some(Json::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Json::Object(o) if o.get("plugin_name").is_some_and(Json::is_string) => Ok(o),
                    Json::Object(_) => Err(Rejection::missing("plugin_name")),
                    _ => Err(Rejection::server(
                        "ConfigException.WrongType",
                        format!("{key} has an element that is not an OBJECT"),
                    )),
                })
                .collect(),
            Some(_) => Err(Rejection::server(
                "ConfigException.WrongType",
                format!(
                    "{key} has type OBJECT/STRING rather than LIST (the JSON form is a list of plugins with plugin_name)"
                ),
            )),
        }
    };
    let sources = blocks("source", true)?;
    let transforms = blocks("transform", false)?;
    let sinks = blocks("sink", true)?;
    check_graph(&sources, &transforms, &sinks)?;
    let mut plugins = Vec::new();
    for (kind, objects) in [
        (PluginType::Source, &sources),
        (PluginType::Transform, &transforms),
        (PluginType::Sink, &sinks),
    ] {
        for object in objects.iter() {
            plugins.push(check_plugin(kind, object, mode, allowed)?);
        }
    }
    Ok(Accepted {
        mode,
        job_name: env
            .get("job.name")
            .and_then(Json::as_str)
            .map(str::to_string),
        env: Json::Object(env.clone()),
        plugins,
    })
}

/// One plugin: known by name, then its options.
fn check_plugin(
    kind: PluginType,
    object: &Map<String, Json>,
    mode: JobMode,
    allowed: &BTreeSet<(PluginType, String)>,
) -> Result<(PluginType, String), Rejection> {
    let given = object
        .get("plugin_name")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let (name, keys) = match builtin(kind, given) {
        Some(known) => known,
        None if allowed
            .iter()
            .any(|(k, n)| *k == kind && n.eq_ignore_ascii_case(given)) =>
        {
            return Ok((kind, given.to_string()));
        }
        None => {
            return Err(Rejection::server(
                "RuntimeException",
                format!(
                    "Plugin PluginIdentifier{{engineType='seatunnel', pluginType='{}', pluginName='{given}'}} not found.",
                    kind.name()
                ),
            ));
        }
    };
    let Keys::Checked(spec) = keys else {
        return Ok((kind, name.to_string()));
    };
    let mut flat = BTreeMap::new();
    flatten("", object, spec.maps, &mut flat);
    let plugin = Plugin {
        kind,
        name,
        keys: flat,
    };
    let absent: Vec<&str> = spec
        .required
        .iter()
        .copied()
        .filter(|k| !plugin.has(k))
        .collect();
    if !absent.is_empty() {
        return Err(Rejection::option(format!(
            "There are unconfigured options, the options({}) are required.",
            quoted(&absent)
        )));
    }
    let unknown: Vec<&str> = plugin
        .keys
        .keys()
        .map(String::as_str)
        .filter(|k| {
            !COMMON.contains(k)
                && !spec.required.contains(k)
                && !spec.optional.contains(k)
                && !spec
                    .maps
                    .iter()
                    .any(|m| k == m || k.strip_prefix(m).is_some_and(|rest| rest.starts_with('.')))
        })
        .collect();
    if !unknown.is_empty() {
        // Stricter than the engine, which ignores keys no option reads
        // (docs/seatunnel-rest.md §8): a misspelt key is a silent default there.
        return Err(Rejection::option(format!(
            "The options({}) are not options of the {} {} (the keys docs/seatunnel-rest.md §7 lists)",
            quoted(&unknown),
            plugin.name,
            plugin.kind.name()
        )));
    }
    (spec.rules)(&plugin, mode)?;
    Ok((kind, name.to_string()))
}

/// Every leaf of `object` as a dotted key, as `ReadonlyConfig` resolves
/// nested and flat keys alike; a map option's value is one key.
fn flatten<'a>(
    prefix: &str,
    object: &'a Map<String, Json>,
    maps: &[&str],
    out: &mut BTreeMap<String, &'a Json>,
) {
    for (key, value) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Json::Object(inner) if !maps.contains(&path.as_str()) && !inner.is_empty() => {
                flatten(&path, inner, maps, out)
            }
            _ => {
                out.insert(path, value);
            }
        }
    }
}

/// The output a plugin names (`plugin_output`, 2.3.8's
/// `result_table_name` as its fallback).
fn output_of(object: &Map<String, Json>) -> Option<String> {
    ["plugin_output", "result_table_name"]
        .iter()
        .find_map(|k| object.get(*k).and_then(Json::as_str))
        .map(str::to_string)
}

/// The inputs a plugin names: a string or a list.
fn inputs_of(object: &Map<String, Json>) -> Option<Vec<String>> {
    let value = ["plugin_input", "source_table_name"]
        .iter()
        .find_map(|k| object.get(*k))?;
    Some(match value {
        Json::String(s) => vec![s.clone()],
        Json::Array(items) => items
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect(),
        other => vec![other.to_string()],
    })
}

fn plugin_name(object: &Map<String, Json>) -> &str {
    object
        .get("plugin_name")
        .and_then(Json::as_str)
        .unwrap_or_default()
}

/// `ConfigParserUtil#checkGraph`, with the 2.3.9+ key names.
fn check_graph(
    sources: &[&Map<String, Json>],
    transforms: &[&Map<String, Json>],
    sinks: &[&Map<String, Json>],
) -> Result<(), Rejection> {
    if sources.is_empty() || sinks.is_empty() {
        return Err(Rejection::graph("Source And Sink can not be null"));
    }
    let not_found = |object: &Map<String, Json>, id: &str| {
        Rejection::graph(format!(
            "The 'plugin_input' option configured in [{}] is incorrect, and the source/transform[{id}] is not found.",
            plugin_name(object)
        ))
    };
    if sources.len() == 1 && sinks.len() == 1 && transforms.len() <= 1 {
        // A simple graph: each plugin reads the one before it. The engine
        // only logs a name that does not match (checkEdge); the double
        // refuses it (docs/seatunnel-rest.md §8).
        let chain: Vec<&Map<String, Json>> = sources
            .iter()
            .chain(transforms)
            .chain(sinks)
            .copied()
            .collect();
        for pair in chain.windows(2) {
            if let (Some(output), Some(inputs)) = (output_of(pair[0]), inputs_of(pair[1]))
                && let Some(wrong) = inputs.iter().find(|i| **i != output)
            {
                return Err(not_found(pair[1], wrong));
            }
        }
        return Ok(());
    }
    for object in sources.iter().chain(transforms) {
        if output_of(object).is_none() {
            return Err(Rejection::graph(format!(
                "The source/transform({}) is not configured with 'plugin_output' option",
                plugin_name(object)
            )));
        }
    }
    for object in transforms.iter().chain(sinks) {
        if inputs_of(object).is_none() {
            return Err(Rejection::graph(format!(
                "The transform/sink({}) is not configured with 'plugin_input' option",
                plugin_name(object)
            )));
        }
    }
    let mut outputs: BTreeMap<String, (&Map<String, Json>, bool)> = BTreeMap::new();
    for object in sources.iter().chain(transforms) {
        let id = output_of(object).unwrap_or_default();
        if let Some((other, _)) = outputs.get(&id) {
            return Err(Rejection::graph(format!(
                "The value of the 'plugin_output' option of the ({} and {}) plugins is both '{id}', and they must be different.",
                plugin_name(object),
                plugin_name(other)
            )));
        }
        outputs.insert(id, (object, false));
    }
    for object in transforms.iter().chain(sinks) {
        for id in inputs_of(object).unwrap_or_default() {
            match outputs.get_mut(&id) {
                Some(entry) => entry.1 = true,
                None => return Err(not_found(object, &id)),
            }
        }
    }
    if let Some((id, (object, _))) = outputs.iter().find(|(_, (_, used))| !used) {
        return Err(Rejection::graph(format!(
            "The 'plugin_input' option configured is incorrect, this table({id}) belonging to source/transform({}) is not used.",
            plugin_name(object)
        )));
    }
    Ok(())
}
