//! A sync's `WITH (...)` options, typed: what `CREATE SYNC` accepts, what
//! `ALTER SYNC ... SET/RESET` changes, what `DESCRIBE SYNC` lists by
//! group, and what the generators read.
//!
//! The options are declared in `catalogs/sync/options.toml` in the format
//! of datasource and cluster options and validated by the same code
//! ([`crate::catalog::TypedOptions`]: unknown key → 22023 with the closest
//! one, values by type), so every typed object of scaleph reports its
//! options the same way. On top of that, what a generic option type cannot
//! say is checked here: the placeholders of `table.name.pattern`, the
//! shape of `server.id` and `slot.name`, and the keys behind the
//! pass-through prefixes, against `docs/sync-engines.md`:
//!
//! - `'flink_cdc.pipeline.<key>'` and `'seatunnel.env.<key>'` against the
//!   one list each (any engine block);
//! - `'flink_cdc.source.<key>'`, `'flink_cdc.sink.<key>'`,
//!   `'seatunnel.source.<key>'`, `'seatunnel.sink.<key>'` against the union
//!   of the connectors' lists here (a typo is caught at CREATE, whatever
//!   the datasources), and against the actual connector's list when the
//!   artifacts are generated (`super::artifacts::check`);
//! - `'flink.<key>'` is any Flink configuration key, unchecked (Flink has
//!   hundreds, and plugins add their own).
//!
//! Keys the generators derive from the plan (a source's `tables`, the
//! SeaTunnel wiring, `job.mode`) cannot be overridden: they would break
//! what the plan says the sync does.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::{OptionGroup, SyncOptionTable, TypedOptions};
use crate::error::{Error, Result, SqlState};
use crate::sql::ast::Options;
use crate::sql::mask::is_secret_key;
use crate::store::MASK;

use super::artifacts::keys;

/// The pass-through prefixes, each with the key-list family its keys are
/// checked against at parse time.
const PASS_THROUGH: &[(&str, &str)] = &[
    ("flink_cdc.source.", "flink_cdc.source."),
    ("flink_cdc.sink.", "flink_cdc.sink."),
    ("flink_cdc.pipeline.", "flink_cdc.pipeline"),
    ("seatunnel.env.", "seatunnel.env"),
    ("seatunnel.source.", "seatunnel.source."),
    ("seatunnel.sink.", "seatunnel.sink."),
];

/// Pass-through keys the generators write from the plan.
const DERIVED: &[(&str, &str)] = &[
    ("flink_cdc.source.type", "the source's type"),
    ("flink_cdc.source.tables", "the plan's tables"),
    ("flink_cdc.sink.type", "the sink's type"),
    ("seatunnel.env.job.mode", "MODE"),
    ("seatunnel.source.plugin_name", "the source's type"),
    ("seatunnel.source.plugin_output", "the job's wiring"),
    ("seatunnel.source.table-names", "the plan's tables"),
    ("seatunnel.source.table_list", "the plan's tables"),
    ("seatunnel.source.table_path", "the plan's tables"),
    ("seatunnel.sink.plugin_name", "the sink's type"),
    ("seatunnel.sink.plugin_input", "the job's wiring"),
];

/// The placeholders `table.name.pattern` may use.
const NAME_PLACEHOLDERS: &[&str] = &["table", "schema", "database"];

/// A sync's options: validated values of the options that were set, by
/// canonical key (stored with the sync; defaults come from the option
/// table when read, so a changed default applies to stored syncs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncOptions {
    values: BTreeMap<String, String>,
}

/// A MySQL replication server id range, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerIds {
    /// The first id.
    pub first: u32,
    /// The last id.
    pub last: u32,
}

impl ServerIds {
    /// How many ids it has.
    pub fn len(&self) -> u64 {
        u64::from(self.last) - u64::from(self.first) + 1
    }

    /// Never empty (a range is parsed `first <= last`).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The range as Flink CDC and SeaTunnel write it: `5400` or `5400-5403`.
    pub fn text(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
    }

    /// `parts` consecutive, disjoint ranges sharing this one evenly (the
    /// last takes what does not divide), each at least `least` ids long;
    /// `None` when it is too short.
    pub fn split(&self, parts: usize, least: u32) -> Option<Vec<ServerIds>> {
        let parts_u64 = u64::try_from(parts).ok()?;
        if parts_u64 == 0 || least == 0 || parts_u64 * u64::from(least) > self.len() {
            return None;
        }
        let each = self.len() / parts_u64;
        (0..parts_u64)
            .map(|i| {
                let first = u64::from(self.first) + i * each;
                let last = if i + 1 == parts_u64 {
                    u64::from(self.last)
                } else {
                    first + each - 1
                };
                Some(ServerIds {
                    first: u32::try_from(first).ok()?,
                    last: u32::try_from(last).ok()?,
                })
            })
            .collect()
    }

    /// Parses `5400` or `5400-5403`.
    pub fn parse(text: &str) -> std::result::Result<ServerIds, String> {
        let bad = || format!("'{text}' is not a server id or a range like 5400-5403");
        let (first, last) = match text.trim().split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (text.trim(), text.trim()),
        };
        let first: u32 = first.parse().map_err(|_| bad())?;
        let last: u32 = last.parse().map_err(|_| bad())?;
        if first == 0 || first > last {
            return Err(bad());
        }
        Ok(ServerIds { first, last })
    }
}

impl SyncOptions {
    /// Validates `WITH (...)` as `CREATE SYNC` gives it.
    pub fn parse(options: &Options) -> Result<SyncOptions> {
        let mut parsed = SyncOptions::default();
        parsed.set(options)?;
        Ok(parsed)
    }

    /// `ALTER SYNC ... SET (...)`: validates and merges `options`.
    pub fn set(&mut self, options: &Options) -> Result<()> {
        let table = SyncOptionTable::embedded()?;
        let pairs: Vec<(String, String)> = options
            .0
            .iter()
            .map(|o| (o.key.clone(), o.value.as_text()))
            .collect();
        let validated = table.validate(&pairs, false)?;
        for (key, value) in &validated {
            check_extra(key, value)?;
        }
        self.values.extend(validated);
        Ok(())
    }

    /// `ALTER SYNC ... RESET (...)`: back to the defaults. A key that is no
    /// option is refused (22023 with the closest); one that is not set is
    /// fine.
    pub fn reset(&mut self, keys: &[String]) -> Result<()> {
        let table = SyncOptionTable::embedded()?;
        for key in keys {
            let spec = table.option(key).ok_or_else(|| table.unknown_option(key))?;
            let canonical = crate::catalog::canonical_key(spec, key);
            self.values.remove(&canonical);
        }
        Ok(())
    }

    /// The options by group for DESCRIBE SYNC: `(group, key, value,
    /// default?)`, groups in order (basic, timeouts, advanced); every
    /// option that is set or has a default, each pass-through key set;
    /// values of keys whose names say they are secret masked.
    pub fn grouped(&self) -> Vec<(&'static str, String, String, bool)> {
        let Ok(table) = SyncOptionTable::embedded() else {
            return Vec::new();
        };
        let mut specs: Vec<_> = table.options.iter().collect();
        specs.sort_by_key(|s| s.group);
        let mut rows = Vec::new();
        for spec in specs {
            let group = spec.group.as_str();
            if spec.prefix {
                for (key, value) in self.values.range(spec.name.clone()..) {
                    if !key.starts_with(&spec.name) {
                        break;
                    }
                    rows.push((group, key.clone(), shown(key, value), false));
                }
                continue;
            }
            match (self.values.get(&spec.name), &spec.default) {
                (Some(value), _) => rows.push((group, spec.name.clone(), value.clone(), false)),
                (None, Some(default)) => {
                    rows.push((group, spec.name.clone(), default.clone(), true))
                }
                (None, None) => {}
            }
        }
        rows
    }

    /// The options that are set, as `(key, value)` (secret-looking
    /// pass-through values masked): SHOW CREATE SYNC's `WITH (...)`.
    pub fn masked_pairs(&self) -> Vec<(String, String)> {
        self.values
            .iter()
            .map(|(k, v)| (k.clone(), shown(k, v)))
            .collect()
    }

    /// The target name of a table: `table.name.pattern` with `{table}`,
    /// `{schema}` and `{database}` replaced (default `{table}`).
    pub fn table_name(&self, schema: &str, database: &str, table: &str) -> String {
        fill_pattern(self.table_name_pattern(), schema, database, table)
    }

    /// `table.name.pattern` (default `{table}`).
    pub fn table_name_pattern(&self) -> &str {
        self.get("table.name.pattern").unwrap_or("{table}")
    }

    /// `parallelism` (default 1).
    pub fn parallelism(&self) -> u32 {
        self.get("parallelism")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
    }

    /// `schema.change`, as Flink CDC's `schema.change.behavior` (default
    /// `lenient`).
    pub fn schema_change(&self) -> &str {
        self.get("schema.change").unwrap_or("lenient")
    }

    /// `server.id`, when set.
    pub fn server_id(&self) -> Option<ServerIds> {
        self.get("server.id").and_then(|v| ServerIds::parse(v).ok())
    }

    /// `slot.name`, when set.
    pub fn slot_name(&self) -> Option<&str> {
        self.get("slot.name")
    }

    /// `publication.name`, when set.
    pub fn publication_name(&self) -> Option<&str> {
        self.get("publication.name")
    }

    /// `decoding.plugin`, when set.
    pub fn decoding_plugin(&self) -> Option<&str> {
        self.get("decoding.plugin")
    }

    /// `startup.mode` (default `initial`).
    pub fn startup_mode(&self) -> &str {
        self.get("startup.mode").unwrap_or("initial")
    }

    /// Whether `startup.mode` was set.
    pub fn startup_mode_set(&self) -> bool {
        self.values.contains_key("startup.mode")
    }

    /// `format`, when set.
    pub fn format(&self) -> Option<&str> {
        self.get("format")
    }

    /// `batch.size`, when set.
    pub fn batch_size(&self) -> Option<&str> {
        self.get("batch.size")
    }

    /// `flush.interval`, when set.
    pub fn flush_interval(&self) -> Option<Duration> {
        self.duration("flush.interval")
    }

    /// `max.retries`, when set.
    pub fn max_retries(&self) -> Option<&str> {
        self.get("max.retries")
    }

    /// `connect.timeout`, when set.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.duration("connect.timeout")
    }

    /// `socket.timeout`, when set.
    pub fn socket_timeout(&self) -> Option<Duration> {
        self.duration("socket.timeout")
    }

    /// `checkpoint.interval` (default 10 s).
    pub fn checkpoint_interval(&self) -> Duration {
        self.duration("checkpoint.interval")
            .unwrap_or(Duration::from_secs(10))
    }

    /// The keys set under a pass-through `prefix` (`flink_cdc.sink.`),
    /// without it, in key order.
    pub fn pass_through(&self, prefix: &str) -> Vec<(&str, &str)> {
        self.values
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .filter(|rest| !rest.is_empty())
                    .map(|rest| (rest, v.as_str()))
            })
            .collect()
    }

    /// The Flink configuration keys set with `'flink.<key>'`, without the
    /// prefix.
    pub fn flink(&self) -> Vec<(&str, &str)> {
        self.pass_through("flink.")
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    fn duration(&self, key: &str) -> Option<Duration> {
        self.get(key)
            .and_then(|v| crate::duration::parse_duration(v).ok())
    }
}

/// The value DESCRIBE and SHOW CREATE show: masked when the key's name
/// says it holds a secret (a pass-through `...sasl.jaas.config`).
fn shown(key: &str, value: &str) -> String {
    if is_secret_key(key) {
        MASK.to_string()
    } else {
        value.to_string()
    }
}

/// A pattern with its placeholders filled.
pub(crate) fn fill_pattern(pattern: &str, schema: &str, database: &str, table: &str) -> String {
    pattern
        .replace("{table}", table)
        .replace("{schema}", schema)
        .replace("{database}", database)
}

/// A 22023 about option `key`.
fn invalid(key: &str, message: String) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, message).with_subject(key)
}

/// What the option table's types cannot check.
fn check_extra(key: &str, value: &str) -> Result<()> {
    match key {
        "table.name.pattern" => check_name_pattern(value),
        "server.id" => ServerIds::parse(value).map(|_| ()).map_err(|reason| {
            invalid(
                key,
                format!("invalid value for option \"server.id\": {reason}"),
            )
        }),
        "slot.name" => {
            let ok = !value.is_empty()
                && value.len() <= 63
                && value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if ok {
                Ok(())
            } else {
                Err(invalid(
                    key,
                    format!(
                        "invalid value for option \"slot.name\": '{value}' is not a replication slot name (at most 63 lower-case letters, digits and _)"
                    ),
                ))
            }
        }
        _ => check_pass_through(key),
    }
}

/// `table.name.pattern`: text with `{table}`, `{schema}`, `{database}`.
fn check_name_pattern(pattern: &str) -> Result<()> {
    let bad = |reason: String| {
        invalid(
            "table.name.pattern",
            format!("invalid value for option \"table.name.pattern\": {reason}"),
        )
    };
    if pattern.trim().is_empty() {
        return Err(bad("the pattern is empty".into()));
    }
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| bad(format!("'{pattern}' has a '{{' without '}}'")))?;
        let name = &after[..close];
        if !NAME_PLACEHOLDERS.contains(&name) {
            return Err(bad(format!(
                "'{{{name}}}' is not a placeholder: use {{table}}, {{schema}} or {{database}}"
            )));
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') || pattern.matches('}').count() != pattern.matches('{').count() {
        return Err(bad(format!("'{pattern}' has a '}}' without '{{'")));
    }
    Ok(())
}

/// A pass-through key: not one the plan decides, and known to the
/// engine's lists (the union of an engine's connectors for source and
/// sink keys).
fn check_pass_through(key: &str) -> Result<()> {
    let Some((prefix, family)) = PASS_THROUGH.iter().find(|(p, _)| key.starts_with(p)) else {
        return Ok(());
    };
    if let Some((_, what)) = DERIVED.iter().find(|(k, _)| *k == key) {
        return Err(invalid(
            key,
            format!("option \"{key}\" is set by scaleph from {what}; it cannot be given"),
        ));
    }
    let suffix = &key[prefix.len()..];
    let lists = keys::family(family)?;
    if lists.iter().any(|(_, list)| list.allows(suffix)) {
        return Ok(());
    }
    let candidates: Vec<&str> = lists.iter().flat_map(|(_, l)| l.names()).collect();
    let mut message = format!(
        "\"{key}\" is not an option: \"{suffix}\" is not a key of {} (docs/sync-engines.md)",
        keys::family_title(family)
    );
    if let Some(close) = crate::sql::parser::suggest::closest(suffix, &candidates) {
        message.push_str(&format!(": did you mean {prefix}{close}?"));
    }
    Err(invalid(key, message))
}

/// Flink's compact form of a duration (`10s`, `5min`, `500ms`), which
/// Flink, Flink CDC and the connectors' Duration options all parse.
pub(crate) fn flink_duration(d: Duration) -> String {
    let ms = d.as_millis();
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("min", 60_000),
        ("s", 1_000),
    ] {
        if ms >= size && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// The group names in DESCRIBE's order, for callers that list all three.
pub fn groups() -> [&'static str; 3] {
    [
        OptionGroup::Basic.as_str(),
        OptionGroup::Timeouts.as_str(),
        OptionGroup::Advanced.as_str(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::ast::{OptionValue, SqlOption};

    fn with(items: &[(&str, &str)]) -> Options {
        Options(
            items
                .iter()
                .map(|(k, v)| SqlOption {
                    key: k.to_string(),
                    value: OptionValue::String(v.to_string()),
                })
                .collect(),
        )
    }

    #[test]
    fn parse_reads_typed_values_and_defaults() {
        let o = SyncOptions::parse(&with(&[
            ("parallelism", "4"),
            ("table.name.pattern", "ods_{table}"),
            ("schema.change", "EVOLVE"),
            ("server.id", "5400-5415"),
            ("checkpoint.interval", "1 min"),
            (
                "flink_cdc.sink.table.create.properties.replication_num",
                "1",
            ),
            ("flink.execution.checkpointing.mode", "AT_LEAST_ONCE"),
        ]))
        .unwrap();
        assert_eq!(o.parallelism(), 4);
        assert_eq!(o.schema_change(), "evolve");
        assert_eq!(o.table_name("s", "d", "orders"), "ods_orders");
        assert_eq!(
            o.server_id(),
            Some(ServerIds {
                first: 5400,
                last: 5415
            })
        );
        assert_eq!(o.checkpoint_interval(), Duration::from_secs(60));
        assert_eq!(
            o.pass_through("flink_cdc.sink."),
            vec![("table.create.properties.replication_num", "1")]
        );
        assert_eq!(
            o.flink(),
            vec![("execution.checkpointing.mode", "AT_LEAST_ONCE")]
        );
        let d = SyncOptions::default();
        assert_eq!(
            (d.parallelism(), d.schema_change(), d.startup_mode()),
            (1, "lenient", "initial")
        );
        assert_eq!(d.table_name("public", "shop", "orders"), "orders");
        assert_eq!(d.checkpoint_interval(), Duration::from_secs(10));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_22023_naming_the_key() {
        for (key, value, says) in [
            ("paralelism", "2", "did you mean parallelism?"),
            ("parallelism", "0", "\"parallelism\""),
            ("schema.change", "maybe", "\"schema.change\""),
            ("server.id", "54x0", "\"server.id\""),
            ("server.id", "5403-5400", "\"server.id\""),
            ("slot.name", "My-Slot", "\"slot.name\""),
            (
                "table.name.pattern",
                "ods_{tabel}",
                "'{tabel}' is not a placeholder",
            ),
            ("table.name.pattern", "ods_{table", "without"),
            ("checkpoint.interval", "soon", "\"checkpoint.interval\""),
            (
                "flink_cdc.source.scan.startup.mod",
                "x",
                "did you mean flink_cdc.source.scan.startup.mode?",
            ),
            (
                "flink_cdc.pipeline.paralelism",
                "2",
                "did you mean flink_cdc.pipeline.parallelism?",
            ),
            (
                "seatunnel.env.job.nmae",
                "x",
                "did you mean seatunnel.env.job.name?",
            ),
            (
                "seatunnel.sink.sink.label-prefx",
                "x",
                "did you mean seatunnel.sink.sink.label-prefix?",
            ),
            (
                "flink_cdc.source.tables",
                "x",
                "is set by scaleph from the plan's tables",
            ),
            (
                "seatunnel.env.job.mode",
                "BATCH",
                "is set by scaleph from MODE",
            ),
        ] {
            let err = SyncOptions::parse(&with(&[(key, value)])).unwrap_err();
            assert_eq!(err.sqlstate.code(), "22023", "{key}: {}", err.message);
            assert!(err.message.contains(says), "{key}: {}", err.message);
        }
        // Keys under a prefix the lists carry as a prefix pass.
        SyncOptions::parse(&with(&[
            ("flink_cdc.source.debezium.snapshot.mode", "never"),
            ("flink_cdc.sink.sink.properties.format", "json"),
            ("seatunnel.sink.kafka.config.acks", "all"),
            ("flink.anything.at.all", "1"),
        ]))
        .unwrap();
    }

    #[test]
    fn set_and_reset_change_what_alter_gives() {
        let mut o = SyncOptions::parse(&with(&[("parallelism", "2")])).unwrap();
        o.set(&with(&[("parallelism", "3"), ("startup.mode", "latest")]))
            .unwrap();
        assert_eq!((o.parallelism(), o.startup_mode()), (3, "latest"));
        o.reset(&["startup.mode".into(), "parallelism".into()])
            .unwrap();
        assert_eq!((o.parallelism(), o.startup_mode()), (1, "initial"));
        let err = o.reset(&["paralelism".into()]).unwrap_err();
        assert!(
            err.message.contains("did you mean parallelism?"),
            "{}",
            err.message
        );
        // A failed SET changes nothing.
        assert!(
            o.set(&with(&[("parallelism", "2"), ("bogus", "1")]))
                .is_err()
        );
        assert_eq!(o.parallelism(), 1);
    }

    #[test]
    fn grouped_lists_set_and_default_options_by_group() {
        let o = SyncOptions::parse(&with(&[
            ("batch.size", "500"),
            ("parallelism", "2"),
            ("flink_cdc.sink.properties.sasl.jaas.config", "secret stuff"),
        ]))
        .unwrap();
        let rows = o.grouped();
        let groups: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let mut sorted = groups.clone();
        sorted.sort_by_key(|g| groups_order(g));
        assert_eq!(groups, sorted);
        assert!(rows.contains(&("basic", "parallelism".into(), "2".into(), false)));
        assert!(rows.contains(&("basic", "table.name.pattern".into(), "{table}".into(), true)));
        assert!(rows.contains(&("timeouts", "batch.size".into(), "500".into(), false)));
        assert!(rows.contains(&(
            "timeouts",
            "checkpoint.interval".into(),
            "10 s".into(),
            true
        )));
        assert!(rows.contains(&(
            "advanced",
            "flink_cdc.sink.properties.sasl.jaas.config".into(),
            MASK.into(),
            false
        )));
        // Unset options without a default are not listed.
        assert!(!rows.iter().any(|r| r.1 == "server.id"));
    }

    fn groups_order(g: &str) -> usize {
        groups().iter().position(|x| *x == g).unwrap()
    }

    #[test]
    fn server_id_ranges_split_without_overlap() {
        let r = ServerIds::parse("5400-5407").unwrap();
        let parts = r.split(2, 4).unwrap();
        assert_eq!(parts[0].text(), "5400-5403");
        assert_eq!(parts[1].text(), "5404-5407");
        assert!(r.split(3, 3).is_none());
        // One reader takes the whole range; uneven splits give the rest to the last.
        assert_eq!(r.split(1, 2).unwrap()[0].text(), "5400-5407");
        let three = r.split(3, 2).unwrap();
        assert_eq!(
            three.iter().map(ServerIds::text).collect::<Vec<_>>(),
            ["5400-5401", "5402-5403", "5404-5407"]
        );
        assert_eq!(
            ServerIds::parse("5400").unwrap().split(1, 1).unwrap()[0].text(),
            "5400"
        );
    }

    #[test]
    fn durations_are_written_as_flink_reads_them() {
        assert_eq!(flink_duration(Duration::from_secs(10)), "10s");
        assert_eq!(flink_duration(Duration::from_secs(300)), "5min");
        assert_eq!(flink_duration(Duration::from_millis(1500)), "1500ms");
    }
}
