//! The key lists of `docs/sync-engines.md`, read from the document itself
//! (embedded at build time): one list, so the generators cannot write and
//! the option checks cannot accept a key the document does not carry,
//! and the tests that hold every generated key to it read the same text.
//! The format is the document's §1: a ```` ```keys <block> ```` fence, one
//! key per line, `*` ending a prefix, ` {}` ending a map-valued key, `#`
//! starting a comment.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// The document, as built into the binary.
pub const DOC: &str = include_str!("../../../docs/sync-engines.md");

/// The keys of one block, in the document's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyList {
    /// Whole keys.
    pub keys: Vec<String>,
    /// Prefixes (the text before `*`).
    pub prefixes: Vec<String>,
    /// Map-valued keys.
    pub maps: Vec<String>,
}

impl KeyList {
    /// Whether `key` belongs to the block: a key, a map key, a key under a
    /// prefix, or an entry of a map written flat (`kafka.config.acks`).
    pub fn allows(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
            || self.maps.iter().any(|m| m == key)
            || self
                .prefixes
                .iter()
                .any(|p| key.len() > p.len() && key.starts_with(p.as_str()))
            || self.map_entry(key).is_some()
    }

    /// `(map, entry)` when `key` is an entry of a map-valued key written
    /// flat: `kafka.config.acks` → (`kafka.config`, `acks`).
    pub fn map_entry<'k>(&self, key: &'k str) -> Option<(&str, &'k str)> {
        self.maps.iter().find_map(|m| {
            key.strip_prefix(m.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|entry| !entry.is_empty())
                .map(|entry| (m.as_str(), entry))
        })
    }

    /// Every key, map and prefix, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .chain(&self.maps)
            .chain(&self.prefixes)
            .map(String::as_str)
    }

    /// Where `key` sorts in the block: by the position of the line that
    /// admits it (artifacts list keys in the document's order).
    pub fn rank(&self, key: &str) -> usize {
        let mut rank = 0;
        for k in self.names_in_order() {
            if k == key || (k.ends_with('*') && key.starts_with(k.trim_end_matches('*'))) {
                return rank;
            }
            rank += 1;
        }
        rank
    }

    fn names_in_order(&self) -> impl Iterator<Item = String> + '_ {
        // keys and maps keep their document order within each list; the
        // prefixes come last, as the document writes them.
        self.keys
            .iter()
            .chain(&self.maps)
            .cloned()
            .chain(self.prefixes.iter().map(|p| format!("{p}*")))
    }

    /// This list joined with `other` (a kind's common keys).
    pub fn with(&self, other: &KeyList) -> KeyList {
        let mut joined = other.clone();
        joined.keys.extend(self.keys.iter().cloned());
        joined.prefixes.extend(self.prefixes.iter().cloned());
        joined.maps.extend(self.maps.iter().cloned());
        joined
    }
}

/// Parses every `keys` block of `doc`.
pub fn parse(doc: &str) -> std::result::Result<BTreeMap<String, KeyList>, String> {
    let mut lists = BTreeMap::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(block) = line.trim().strip_prefix("```keys ") else {
            continue;
        };
        let block = block.trim().to_string();
        let mut list = KeyList::default();
        loop {
            let Some(line) = lines.next() else {
                return Err(format!("block {block} is not closed"));
            };
            let line = line.split('#').next().unwrap_or_default().trim();
            if line == "```" {
                break;
            }
            if line.is_empty() {
                continue;
            }
            if let Some(map) = line.strip_suffix(" {}") {
                list.maps.push(map.trim().to_string());
            } else if let Some(prefix) = line.strip_suffix('*') {
                list.prefixes.push(prefix.to_string());
            } else {
                list.keys.push(line.to_string());
            }
        }
        if lists.insert(block.clone(), list).is_some() {
            return Err(format!("block {block} is listed twice"));
        }
    }
    Ok(lists)
}

fn all() -> Result<&'static BTreeMap<String, KeyList>> {
    static LISTS: OnceLock<std::result::Result<BTreeMap<String, KeyList>, String>> =
        OnceLock::new();
    LISTS
        .get_or_init(|| parse(DOC))
        .as_ref()
        .map_err(|e| Error::internal(format!("docs/sync-engines.md: {e}")))
}

/// The list of `block` (`flink_cdc.sink.doris`), when the document has one.
pub fn list(block: &str) -> Result<Option<&'static KeyList>> {
    Ok(all()?.get(block))
}

/// The list of a connector block joined with its kind's common list
/// (`flink_cdc.sink` for `flink_cdc.sink.doris`), when the document has
/// the block.
pub fn connector(kind: &str, name: &str) -> Result<Option<KeyList>> {
    let lists = all()?;
    let Some(own) = lists.get(&format!("{kind}.{name}")) else {
        return Ok(None);
    };
    Ok(Some(match lists.get(kind) {
        Some(common) => own.with(common),
        None => own.clone(),
    }))
}

/// The lists a pass-through family is checked against: `flink_cdc.sink.`
/// is every `flink_cdc.sink.*` block joined with the common list; a name
/// without a final dot is that one block.
pub fn family(family: &str) -> Result<Vec<(&'static str, KeyList)>> {
    let lists = all()?;
    let Some(kind) = family.strip_suffix('.') else {
        return Ok(lists
            .get_key_value(family)
            .map(|(k, l)| (k.as_str(), l.clone()))
            .into_iter()
            .collect());
    };
    let common = lists.get(kind).cloned().unwrap_or_default();
    Ok(lists
        .iter()
        .filter(|(name, _)| name.starts_with(family))
        .map(|(name, list)| (name.as_str(), list.with(&common)))
        .collect())
}

/// A family as messages name it.
pub fn family_title(family: &str) -> &'static str {
    match family {
        "flink_cdc.source." => "any Flink CDC pipeline source",
        "flink_cdc.sink." => "any Flink CDC pipeline sink",
        "flink_cdc.pipeline" => "the Flink CDC pipeline block",
        "seatunnel.env" => "SeaTunnel's env block",
        "seatunnel.source." => "any SeaTunnel source",
        "seatunnel.sink." => "any SeaTunnel sink",
        _ => "the engine",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_parses_into_the_lists_the_generators_use() {
        let lists = parse(DOC).unwrap();
        for block in [
            "flink_cdc.top",
            "flink_cdc.pipeline",
            "flink_cdc.route",
            "flink_cdc.source",
            "flink_cdc.sink",
            "flink_cdc.source.mysql",
            "flink_cdc.source.postgres",
            "flink_cdc.sink.doris",
            "flink_cdc.sink.starrocks",
            "flink_cdc.sink.paimon",
            "flink_cdc.sink.kafka",
            "flink_cdc.sink.elasticsearch",
            "seatunnel.top",
            "seatunnel.env",
            "seatunnel.plugin",
            "seatunnel.source.MySQL-CDC",
            "seatunnel.source.Postgres-CDC",
            "seatunnel.source.Jdbc",
            "seatunnel.sink.Jdbc",
            "seatunnel.sink.Kafka",
            "seatunnel.sink.Doris",
            "seatunnel.sink.Paimon",
            "flink_sql",
            "flink_sql.jdbc",
            "flink_sql.mysql-cdc",
            "flink_sql.postgres-cdc",
            "flink_sql.kafka",
            "flink_sql.upsert-kafka",
            "flink_sql.doris",
            "flink_sql.paimon",
        ] {
            assert!(lists.contains_key(block), "{block} missing");
        }
        let mysql = &lists["flink_cdc.source.mysql"];
        assert!(mysql.allows("server-id") && mysql.allows("jdbc.properties.useSSL"));
        assert!(!mysql.allows("jdbc.properties.") && !mysql.allows("server_id"));
        let kafka = &lists["seatunnel.sink.Kafka"];
        assert!(kafka.allows("kafka.config") && kafka.allows("kafka.config.acks"));
        assert_eq!(
            kafka.map_entry("kafka.config.acks"),
            Some(("kafka.config", "acks"))
        );
        // Comments are not keys.
        assert!(lists["flink_cdc.pipeline"].allows("execution.runtime-mode"));
        assert!(mysql.rank("hostname") < mysql.rank("tables"));
        assert!(mysql.rank("tables") < mysql.rank("debezium.snapshot.mode"));
    }

    #[test]
    fn malformed_blocks_are_refused() {
        assert!(parse("```keys a\nx\n").is_err());
        assert!(parse("```keys a\nx\n```\n```keys a\ny\n```\n").is_err());
    }
}
